//! Writes the golden vectors `protocol/vectors/{client,server,invalid}.json` from the Rust
//! encoder. The files are frozen in the repository and checked by both codecs; run this only
//! when the wire format changes on purpose (and bump `PROTOCOL_VERSION`):
//!
//! ```text
//! cargo run -p starlane-protocol --example gen_vectors [OUT_DIR]
//! ```

mod cases;

use cases::{client_vectors, invalid_vectors, server_vectors};
use serde_json::{Value, json};
use starlane_protocol::client::{ClientMsg, ServerMsg};
use starlane_protocol::*;

fn hex_json(h: Hex) -> Value {
    json!({ "q": h.q, "r": h.r })
}

fn client_json(m: &ClientMsg) -> Value {
    match m {
        ClientMsg::Hello { version, token } => {
            json!({ "type": "hello", "version": version, "token": token })
        }
        ClientMsg::Command {
            seq,
            command: Command::Move { unit, to },
        } => json!({
            "type": "command", "seq": seq,
            "command": { "type": "move", "unit": unit, "to": hex_json(*to) }
        }),
        ClientMsg::Ping { nonce } => json!({ "type": "ping", "nonce": nonce }),
    }
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
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors"));
    std::fs::create_dir_all(&dir)?;

    let client: Vec<Value> = client_vectors()
        .iter()
        .map(|(name, m)| {
            let bytes = m.encode();
            assert_eq!(ClientMsg::decode(&bytes).as_ref(), Ok(m), "{name}");
            json!({ "name": name, "hex": hex::encode(bytes), "msg": client_json(m) })
        })
        .collect();
    let server: Vec<Value> = server_vectors()
        .iter()
        .map(|(name, m)| {
            let bytes = m.encode();
            assert_eq!(ServerMsg::decode(&bytes).as_ref(), Ok(m), "{name}");
            json!({ "name": name, "hex": hex::encode(bytes), "msg": server_json(m) })
        })
        .collect();
    let invalid: Vec<Value> = invalid_vectors()
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

    for (file, v) in [
        ("client.json", client),
        ("server.json", server),
        ("invalid.json", invalid),
    ] {
        let text = serde_json::to_string_pretty(&Value::Array(v))? + "\n";
        std::fs::write(dir.join(file), text)?;
    }
    println!("wrote vectors to {}", dir.display());
    Ok(())
}
