//! Writes the golden vectors `protocol/vectors/{client,server,invalid}.json` from the Rust
//! encoder, and the hex-math cases `protocol/vectors/hex.json`. The files are frozen in the
//! repository and checked by both implementations; run this only when the wire format changes
//! on purpose (and bump `PROTOCOL_VERSION`):
//!
//! ```text
//! cargo run -p starlane-protocol --example gen_vectors [OUT_DIR]
//! ```

mod cases;
mod combat_cases;
mod delta_cases;
mod delta_invalid;
mod economy_cases;
mod friends_cases;
mod hex_cases;
mod link_cases;
mod move_cases;
mod sharing_cases;
mod social_cases;

use cases::{client_vectors, invalid_vectors, server_vectors};
use serde_json::{Value, json};
use starlane_protocol::client::{ClientMsg, ServerMsg};
use starlane_protocol::delta::*;
use starlane_protocol::economy::{Recipe, RecipeOutput};
use starlane_protocol::*;

fn hex_json(h: Hex) -> Value {
    json!({ "q": h.q, "r": h.r })
}

fn client_json(m: &ClientMsg) -> Value {
    match m {
        ClientMsg::Hello { version, token } => {
            json!({ "type": "hello", "version": version, "token": token })
        }
        ClientMsg::Command { seq, command } => {
            json!({ "type": "command", "seq": seq, "command": command_json(command) })
        }
        ClientMsg::Ping { nonce } => json!({ "type": "ping", "nonce": nonce }),
        ClientMsg::Ack { newest, mask } => json!({ "type": "ack", "newest": newest, "mask": mask }),
        ClientMsg::Resume {
            version,
            token,
            ticket,
        } => json!({
            "type": "resume", "version": version, "token": token, "ticket": hex::encode(ticket)
        }),
    }
}

fn command_json(c: &Command) -> Value {
    match c {
        Command::Move { unit, to } => json!({ "type": "move", "unit": unit, "to": hex_json(*to) }),
        Command::Stop { unit } => json!({ "type": "stop", "unit": unit }),
        Command::Attack { unit, target } => {
            json!({ "type": "attack", "unit": unit, "target": target })
        }
        Command::Build { unit, kind, at } => {
            json!({ "type": "build", "unit": unit, "kind": *kind as u8, "at": hex_json(*at) })
        }
        Command::Train {
            building,
            recipe,
            repeat,
        } => json!({ "type": "train", "building": building, "recipe": recipe, "repeat": repeat }),
        Command::Cancel { building, job } => {
            json!({ "type": "cancel", "building": building, "job": job })
        }
        Command::ShareVision { to } => json!({ "type": "shareVision", "to": to }),
        Command::RevokeVision { to } => json!({ "type": "revokeVision", "to": to }),
        Command::Chat { to, text } => {
            let mut o = json!({ "type": "chat", "channel": to.channel() as u8, "text": text });
            if let social::ChatTo::Player(user) = to {
                o["to"] = json!(user);
            }
            o
        }
        Command::CreateAlliance { name } => json!({ "type": "createAlliance", "name": name }),
        Command::InviteToAlliance { empire } => {
            json!({ "type": "inviteToAlliance", "empire": empire })
        }
        Command::JoinAlliance { alliance } => {
            json!({ "type": "joinAlliance", "alliance": alliance })
        }
        Command::LeaveAlliance => json!({ "type": "leaveAlliance" }),
        Command::KickFromAlliance { empire } => {
            json!({ "type": "kickFromAlliance", "empire": empire })
        }
        Command::SetAllianceRole { empire, role } => {
            json!({ "type": "setAllianceRole", "empire": empire, "role": *role as u8 })
        }
        Command::AddFriend { user } => json!({ "type": "addFriend", "user": user }),
        Command::RemoveFriend { user } => json!({ "type": "removeFriend", "user": user }),
        Command::SendMail { to, text } => json!({ "type": "sendMail", "to": to, "text": text }),
        Command::DeleteMail { id } => json!({ "type": "deleteMail", "id": id }),
    }
}

fn social_json(m: &social::SocialMsg) -> Value {
    use social::SocialMsg;
    match m {
        SocialMsg::Chat(c) => json!({
            "type": "chat", "channel": c.channel as u8, "from": c.from,
            "fromName": c.from_name, "to": c.to, "text": c.text
        }),
        SocialMsg::Alliance {
            alliance,
            name,
            role,
        } => json!({ "type": "alliance", "alliance": alliance, "name": name, "role": *role as u8 }),
        SocialMsg::Member {
            alliance,
            empire,
            name,
            role,
            present,
        } => json!({
            "type": "member", "alliance": alliance, "empire": empire, "name": name,
            "role": *role as u8, "present": present
        }),
        SocialMsg::Invite {
            alliance,
            name,
            from,
            active,
        } => json!({
            "type": "invite", "alliance": alliance, "name": name, "from": from, "active": active
        }),
        SocialMsg::Friend {
            user,
            name,
            state,
            presence,
        } => json!({
            "type": "friend", "user": user, "name": name, "state": *state as u8,
            "presence": *presence as u8
        }),
        SocialMsg::Presence { user, presence } => {
            json!({ "type": "presence", "user": user, "presence": *presence as u8 })
        }
        SocialMsg::Mail(m) => json!({
            "type": "mail", "id": m.id, "from": m.from, "fromName": m.from_name,
            "sentAt": m.sent_at, "text": m.text
        }),
        SocialMsg::MailGone { id } => json!({ "type": "mailGone", "id": id }),
    }
}

fn amounts_json(amounts: &[(ResourceKind, u32)]) -> Value {
    amounts
        .iter()
        .map(|(k, a)| json!({ "kind": *k as u8, "amount": a }))
        .collect()
}

fn recipe_json(r: &Recipe) -> Value {
    let output = match &r.output {
        RecipeOutput::Resources(amounts) => {
            json!({ "type": "resources", "amounts": amounts_json(amounts) })
        }
        RecipeOutput::Unit(kind) => json!({ "type": "unit", "kind": *kind as u8 }),
        RecipeOutput::Building(kind) => json!({ "type": "building", "kind": *kind as u8 }),
    };
    json!({
        "id": r.id, "name": r.name, "producer": r.producer as u8,
        "inputs": amounts_json(&r.inputs), "output": output, "ticks": r.ticks
    })
}

fn update_json(u: &Update) -> Value {
    let changed: Vec<Value> = u
        .changed
        .iter()
        .map(|c| {
            let mut o = json!({ "id": c.id });
            if let Some(p) = c.pos {
                o["pos"] = hex_json(p);
            }
            if let Some(h) = c.health {
                o["health"] = json!(h);
            }
            o
        })
        .collect();
    json!({
        "type": "update",
        "tick": u.tick,
        "appeared": u.appeared.iter().map(|e| json!({
            "id": e.id, "kind": e.kind as u8, "owner": e.owner, "pos": hex_json(e.pos), "health": e.health
        })).collect::<Vec<_>>(),
        "changed": changed,
        "disappeared": u.disappeared,
        "vision": u.vision.iter().map(|v| json!({ "hex": hex_json(v.hex), "state": v.state as u8 })).collect::<Vec<_>>(),
        "resources": u.resources.iter().map(|(k, a)| json!({ "kind": *k as u8, "amount": a })).collect::<Vec<_>>(),
    })
}

fn server_json(m: &ServerMsg) -> Value {
    match m {
        ServerMsg::Welcome {
            user_id,
            empire,
            tick_rate_hz,
        } => {
            json!({ "type": "welcome", "userId": user_id, "empire": empire, "tickRateHz": tick_rate_hz })
        }
        ServerMsg::Reject { reason } => json!({ "type": "reject", "reason": *reason as u8 }),
        ServerMsg::Map(map) => json!({
            "type": "map", "chunkRadius": map.chunk_radius,
            "chunks": map.chunks.iter().map(|h| hex_json(*h)).collect::<Vec<_>>(),
            "blocked": map.blocked.iter().map(|h| hex_json(*h)).collect::<Vec<_>>(),
        }),
        ServerMsg::Update(u) => update_json(u),
        ServerMsg::CommandAck { seq } => json!({ "type": "commandAck", "seq": seq }),
        ServerMsg::CommandRejected { seq, error } => {
            json!({ "type": "commandRejected", "seq": seq, "error": *error as u8 })
        }
        ServerMsg::Pong { nonce } => json!({ "type": "pong", "nonce": nonce }),
        ServerMsg::EntityPacket(p) => entity_packet_json(p),
        ServerMsg::Notice { kind, text } => {
            json!({ "type": "notice", "kind": *kind as u8, "text": text })
        }
        ServerMsg::Move {
            reason,
            connect_url,
            ticket,
        } => json!({
            "type": "move", "reason": *reason as u8, "connectUrl": connect_url,
            "ticket": hex::encode(ticket)
        }),
        ServerMsg::ResumeTicket { ticket } => {
            json!({ "type": "resumeTicket", "ticket": hex::encode(ticket) })
        }
        ServerMsg::Catalog(c) => json!({
            "type": "catalog", "recipes": c.recipes.iter().map(recipe_json).collect::<Vec<_>>()
        }),
        ServerMsg::Social(s) => json!({ "type": "social", "social": social_json(s) }),
    }
}

fn event_json(e: &Event) -> Value {
    match *e {
        Event::Disappeared { id } => json!({ "type": "disappeared", "id": id }),
        Event::Vision { hex, state } => {
            json!({ "type": "vision", "hex": hex_json(hex), "state": state as u8 })
        }
        Event::Resource { kind, amount } => {
            json!({ "type": "resource", "kind": kind as u8, "amount": amount })
        }
        Event::CommandAck { seq } => json!({ "type": "commandAck", "seq": seq }),
        Event::CommandRejected { seq, error } => {
            json!({ "type": "commandRejected", "seq": seq, "error": error as u8 })
        }
        Event::Combat(c) => json!({
            "type": "combat", "dealt": c.dealt, "taken": c.taken, "kills": c.kills,
            "losses": c.losses
        }),
        Event::Job(j) => json!({
            "type": "job", "building": j.building, "job": j.job, "recipe": j.recipe,
            "state": j.state as u8
        }),
        Event::Sharing(s) => json!({
            "type": "sharing", "empire": s.empire, "outgoing": s.outgoing, "active": s.active
        }),
        Event::LastSeen(m) => json!({
            "type": "lastSeen", "id": m.id, "kind": m.kind as u8, "owner": m.owner,
            "pos": hex_json(m.pos), "ageSecs": m.age_secs
        }),
        Event::Forget { id } => json!({ "type": "forget", "id": id }),
    }
}

fn record_json(rec: &EntityRecord) -> Value {
    let mut o = json!({ "id": rec.id });
    match rec.base {
        RecordBase::Full { kind, owner } => {
            if let Some(k) = kind {
                o["kind"] = json!(k as u8);
            }
            if let Some(w) = owner {
                o["owner"] = json!(w);
            }
        }
        RecordBase::Delta { age } => o["baselineAge"] = json!(age),
    }
    if let Some(p) = rec.pos {
        o["pos"] = hex_json(p);
    }
    if let Some(h) = rec.health {
        o["health"] = json!(h);
    }
    o
}

fn entity_packet_json(p: &EntityPacket) -> Value {
    json!({
        "type": "entityPacket", "seq": p.seq, "tick": p.tick, "healthStep": p.health_step,
        "events": p.events.iter().map(|e| json!({ "eventId": e.event_id, "event": event_json(&e.event) })).collect::<Vec<_>>(),
        "entities": p.entities.iter().map(record_json).collect::<Vec<_>>(),
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors"));
    std::fs::create_dir_all(&dir)?;

    // The delta-update vectors (SPEC.md §16) come after the version-1 ones, which stay as
    // they were.
    let mut client_cases = client_vectors();
    client_cases.extend(delta_cases::client_vectors());
    // Drain and resume (SPEC.md §17), after the delta-update vectors.
    client_cases.extend(move_cases::client_vectors());
    // Protocol version 2 (SPEC.md §18), then version 3 (§19), then version 4 (§20), then
    // version 5 (§21), then version 6 (§22), last.
    client_cases.extend(combat_cases::client_vectors());
    client_cases.extend(economy_cases::client_vectors());
    client_cases.extend(sharing_cases::client_vectors());
    client_cases.extend(social_cases::client_vectors());
    client_cases.extend(friends_cases::client_vectors());
    let mut server_cases = server_vectors();
    server_cases.extend(delta_cases::server_vectors());
    server_cases.extend(move_cases::server_vectors());
    server_cases.extend(combat_cases::server_vectors());
    server_cases.extend(economy_cases::server_vectors());
    server_cases.extend(sharing_cases::server_vectors());
    server_cases.extend(social_cases::server_vectors());
    server_cases.extend(friends_cases::server_vectors());
    let mut invalid_cases = invalid_vectors();
    invalid_cases.extend(delta_invalid::invalid_vectors());
    invalid_cases.extend(move_cases::invalid_vectors());
    invalid_cases.extend(combat_cases::invalid_vectors());
    invalid_cases.extend(economy_cases::invalid_vectors());
    invalid_cases.extend(sharing_cases::invalid_vectors());
    invalid_cases.extend(social_cases::invalid_vectors());
    invalid_cases.extend(friends_cases::invalid_vectors());

    let client: Vec<Value> = client_cases
        .iter()
        .map(|(name, m)| {
            let bytes = m.encode();
            assert_eq!(ClientMsg::decode(&bytes).as_ref(), Ok(m), "{name}");
            json!({ "name": name, "hex": hex::encode(bytes), "msg": client_json(m) })
        })
        .collect();
    let server: Vec<Value> = server_cases
        .iter()
        .map(|(name, m)| {
            let bytes = m.encode();
            assert_eq!(ServerMsg::decode(&bytes).as_ref(), Ok(m), "{name}");
            json!({ "name": name, "hex": hex::encode(bytes), "msg": server_json(m) })
        })
        .collect();
    let invalid: Vec<Value> = invalid_cases
        .into_iter()
        .map(|(name, direction, bytes, reason)| {
            let got = if direction == "client" {
                ClientMsg::decode(&bytes).map(|_| ()).map_err(|e| e.reason())
            } else {
                ServerMsg::decode(&bytes).map(|_| ()).map_err(|e| e.reason())
            };
            assert_eq!(got, Err(reason), "{name}");
            json!({ "name": name, "hex": hex::encode(bytes), "direction": direction, "error": reason })
        })
        .collect();

    let (link, link_invalid) = link_cases::link_vectors()?;
    for (file, v) in [
        ("client.json", Value::Array(client)),
        ("server.json", Value::Array(server)),
        ("invalid.json", Value::Array(invalid)),
        ("hex.json", hex_cases::hex_vectors()),
        ("link.json", Value::Array(link)),
        ("link_invalid.json", Value::Array(link_invalid)),
    ] {
        let text = serde_json::to_string_pretty(&v)? + "\n";
        std::fs::write(dir.join(file), text)?;
    }
    println!("wrote vectors to {}", dir.display());
    Ok(())
}
