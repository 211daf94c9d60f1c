//! Golden vectors (`protocol/vectors/*.json`): every valid vector decodes to its JSON message
//! and re-encodes to its bytes; every invalid vector fails with its named reason.

use crate::common::load;
use serde_json::Value;
use starlane_protocol::client::{ClientMsg, DecodeError, ServerMsg};
use starlane_protocol::delta::*;
use starlane_protocol::economy::*;
use starlane_protocol::memory::LastSeenEvent;
use starlane_protocol::sharing::SharingEvent;
use starlane_protocol::social::*;
use starlane_protocol::*;

fn field<'a>(v: &'a Value, key: &str) -> &'a Value {
    v.get(key)
        .unwrap_or_else(|| panic!("missing {key:?} in {v}"))
}

fn num(v: &Value, key: &str) -> u64 {
    field(v, key)
        .as_u64()
        .unwrap_or_else(|| panic!("{key:?} is not an unsigned integer in {v}"))
}

fn small<T: TryFrom<u64>>(v: &Value, key: &str) -> T {
    T::try_from(num(v, key)).unwrap_or_else(|_| panic!("{key:?} out of range in {v}"))
}

fn int(v: &Value, key: &str) -> i32 {
    let n = field(v, key)
        .as_i64()
        .unwrap_or_else(|| panic!("{key:?} is not an integer in {v}"));
    i32::try_from(n).expect("coordinate fits i32")
}

fn text(v: &Value, key: &str) -> String {
    field(v, key).as_str().expect("string field").to_owned()
}

fn list<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    field(v, key)
        .as_array()
        .unwrap_or_else(|| panic!("{key:?} is not an array in {v}"))
}

/// A resume ticket, lowercase hex in the vectors (SPEC.md §17).
fn ticket(m: &Value) -> Vec<u8> {
    hex::decode(text(m, "ticket")).expect("ticket is hex")
}

fn hex_of(v: &Value) -> Hex {
    Hex::new(int(v, "q"), int(v, "r"))
}

fn hexes(v: &Value, key: &str) -> Vec<Hex> {
    list(v, key).iter().map(hex_of).collect()
}

fn kind_of(v: &Value, key: &str) -> EntityKind {
    EntityKind::from_u8(small(v, key)).expect("valid entity kind")
}

/// A list of `{ kind, amount }` resource amounts.
fn amounts(v: &Value, key: &str) -> Vec<(ResourceKind, u32)> {
    list(v, key)
        .iter()
        .map(|a| {
            let kind = ResourceKind::from_u8(small(a, "kind")).expect("valid resource kind");
            (kind, small(a, "amount"))
        })
        .collect()
}

fn recipe_from_json(r: &Value) -> Recipe {
    let o = field(r, "output");
    let output = match text(o, "type").as_str() {
        "resources" => RecipeOutput::Resources(amounts(o, "amounts")),
        "unit" => RecipeOutput::Unit(kind_of(o, "kind")),
        "building" => RecipeOutput::Building(kind_of(o, "kind")),
        other => panic!("unknown recipe output {other}"),
    };
    Recipe {
        id: small(r, "id"),
        name: text(r, "name"),
        producer: kind_of(r, "producer"),
        inputs: amounts(r, "inputs"),
        output,
        ticks: small(r, "ticks"),
    }
}

fn client_from_json(m: &Value) -> ClientMsg {
    match text(m, "type").as_str() {
        "hello" => ClientMsg::Hello {
            version: small(m, "version"),
            token: text(m, "token"),
        },
        "command" => {
            let c = field(m, "command");
            let command = match text(c, "type").as_str() {
                "move" => Command::Move {
                    unit: small(c, "unit"),
                    to: hex_of(field(c, "to")),
                },
                "stop" => Command::Stop {
                    unit: small(c, "unit"),
                },
                "attack" => Command::Attack {
                    unit: small(c, "unit"),
                    target: small(c, "target"),
                },
                "build" => Command::Build {
                    unit: small(c, "unit"),
                    kind: kind_of(c, "kind"),
                    at: hex_of(field(c, "at")),
                },
                "train" => Command::Train {
                    building: small(c, "building"),
                    recipe: small(c, "recipe"),
                    repeat: field(c, "repeat").as_bool().expect("repeat is a bool"),
                },
                "cancel" => Command::Cancel {
                    building: small(c, "building"),
                    job: small(c, "job"),
                },
                "shareVision" => Command::ShareVision { to: small(c, "to") },
                "revokeVision" => Command::RevokeVision { to: small(c, "to") },
                other => social_command_from_json(other, c),
            };
            ClientMsg::Command {
                seq: small(m, "seq"),
                command,
            }
        }
        "ping" => ClientMsg::Ping {
            nonce: small(m, "nonce"),
        },
        "ack" => ClientMsg::Ack {
            newest: small(m, "newest"),
            mask: small(m, "mask"),
        },
        "resume" => ClientMsg::Resume {
            version: small(m, "version"),
            token: text(m, "token"),
            ticket: ticket(m),
        },
        other => panic!("unknown client message type {other}"),
    }
}

fn role_of(v: &Value) -> AllianceRole {
    AllianceRole::from_u8(small(v, "role")).expect("valid role")
}

fn flag(v: &Value, key: &str) -> bool {
    field(v, key)
        .as_bool()
        .unwrap_or_else(|| panic!("{key} is a bool"))
}

fn social_command_from_json(kind: &str, c: &Value) -> Command {
    match kind {
        "chat" => Command::Chat {
            to: match ChatChannel::from_u8(small(c, "channel")).expect("valid channel") {
                ChatChannel::Region => ChatTo::Region,
                ChatChannel::Alliance => ChatTo::Alliance,
                ChatChannel::Private => ChatTo::Player(num(c, "to")),
            },
            text: text(c, "text"),
        },
        "createAlliance" => Command::CreateAlliance {
            name: text(c, "name"),
        },
        "inviteToAlliance" => Command::InviteToAlliance {
            empire: small(c, "empire"),
        },
        "joinAlliance" => Command::JoinAlliance {
            alliance: small(c, "alliance"),
        },
        "leaveAlliance" => Command::LeaveAlliance,
        "kickFromAlliance" => Command::KickFromAlliance {
            empire: small(c, "empire"),
        },
        "setAllianceRole" => Command::SetAllianceRole {
            empire: small(c, "empire"),
            role: role_of(c),
        },
        "addFriend" => Command::AddFriend {
            user: num(c, "user"),
        },
        "removeFriend" => Command::RemoveFriend {
            user: num(c, "user"),
        },
        "sendMail" => Command::SendMail {
            to: num(c, "to"),
            text: text(c, "text"),
        },
        "deleteMail" => Command::DeleteMail { id: num(c, "id") },
        other => panic!("unknown command type {other}"),
    }
}

fn presence_of(s: &Value) -> Presence {
    Presence::from_u8(small(s, "presence")).expect("valid presence")
}

fn social_from_json(s: &Value) -> SocialMsg {
    match text(s, "type").as_str() {
        "chat" => SocialMsg::Chat(ChatMessage {
            channel: ChatChannel::from_u8(small(s, "channel")).expect("valid channel"),
            from: num(s, "from"),
            from_name: text(s, "fromName"),
            to: num(s, "to"),
            text: text(s, "text"),
        }),
        "alliance" => SocialMsg::Alliance {
            alliance: small(s, "alliance"),
            name: text(s, "name"),
            role: role_of(s),
        },
        "member" => SocialMsg::Member {
            alliance: small(s, "alliance"),
            empire: small(s, "empire"),
            name: text(s, "name"),
            role: role_of(s),
            present: flag(s, "present"),
        },
        "invite" => SocialMsg::Invite {
            alliance: small(s, "alliance"),
            name: text(s, "name"),
            from: small(s, "from"),
            active: flag(s, "active"),
        },
        "friend" => SocialMsg::Friend {
            user: num(s, "user"),
            name: text(s, "name"),
            state: FriendState::from_u8(small(s, "state")).expect("valid friend state"),
            presence: presence_of(s),
        },
        "presence" => SocialMsg::Presence {
            user: num(s, "user"),
            presence: presence_of(s),
        },
        "mail" => SocialMsg::Mail(MailItem {
            id: num(s, "id"),
            from: num(s, "from"),
            from_name: text(s, "fromName"),
            sent_at: num(s, "sentAt"),
            text: text(s, "text"),
        }),
        "mailGone" => SocialMsg::MailGone { id: num(s, "id") },
        other => panic!("unknown social kind {other}"),
    }
}

fn update_from_json(m: &Value) -> Update {
    let entity_state = |e: &Value| EntityState {
        id: small(e, "id"),
        kind: EntityKind::from_u8(small(e, "kind")).expect("valid kind"),
        owner: small(e, "owner"),
        pos: hex_of(field(e, "pos")),
        health: small(e, "health"),
    };
    let entity_change = |e: &Value| EntityChange {
        id: small(e, "id"),
        pos: e.get("pos").map(hex_of),
        health: e.get("health").map(|_| small(e, "health")),
    };
    let vision_change = |e: &Value| VisionChange {
        hex: hex_of(field(e, "hex")),
        state: Visibility::from_u8(small(e, "state")).expect("valid visibility"),
    };
    let resource = |e: &Value| {
        (
            ResourceKind::from_u8(small(e, "kind")).expect("valid resource kind"),
            small(e, "amount"),
        )
    };
    Update {
        tick: small(m, "tick"),
        appeared: list(m, "appeared").iter().map(entity_state).collect(),
        changed: list(m, "changed").iter().map(entity_change).collect(),
        disappeared: list(m, "disappeared")
            .iter()
            .map(|id| u32::try_from(id.as_u64().expect("id")).expect("id fits u32"))
            .collect(),
        vision: list(m, "vision").iter().map(vision_change).collect(),
        resources: list(m, "resources").iter().map(resource).collect(),
    }
}

fn event_from_json(e: &Value) -> Event {
    match text(e, "type").as_str() {
        "disappeared" => Event::Disappeared { id: small(e, "id") },
        "vision" => Event::Vision {
            hex: hex_of(field(e, "hex")),
            state: Visibility::from_u8(small(e, "state")).expect("valid visibility"),
        },
        "resource" => Event::Resource {
            kind: ResourceKind::from_u8(small(e, "kind")).expect("valid resource kind"),
            amount: small(e, "amount"),
        },
        "commandAck" => Event::CommandAck {
            seq: small(e, "seq"),
        },
        "combat" => Event::Combat(CombatReport {
            dealt: small(e, "dealt"),
            taken: small(e, "taken"),
            kills: small(e, "kills"),
            losses: small(e, "losses"),
        }),
        "commandRejected" => Event::CommandRejected {
            seq: small(e, "seq"),
            error: CommandError::from_u8(small(e, "error")).expect("valid command error"),
        },
        "job" => Event::Job(JobEvent {
            building: small(e, "building"),
            job: small(e, "job"),
            recipe: small(e, "recipe"),
            state: JobState::from_u8(small(e, "state")).expect("valid job state"),
        }),
        "lastSeen" => Event::LastSeen(LastSeenEvent {
            id: small(e, "id"),
            kind: kind_of(e, "kind"),
            owner: small(e, "owner"),
            pos: hex_of(field(e, "pos")),
            age_secs: small(e, "ageSecs"),
        }),
        "forget" => Event::Forget { id: small(e, "id") },
        "sharing" => Event::Sharing(SharingEvent {
            empire: small(e, "empire"),
            outgoing: field(e, "outgoing").as_bool().expect("outgoing is a bool"),
            active: field(e, "active").as_bool().expect("active is a bool"),
        }),
        other => panic!("unknown event type {other}"),
    }
}

fn record_from_json(e: &Value) -> EntityRecord {
    let base = match e.get("baselineAge") {
        Some(_) => RecordBase::Delta {
            age: small(e, "baselineAge"),
        },
        None => RecordBase::Full {
            kind: e
                .get("kind")
                .map(|_| EntityKind::from_u8(small(e, "kind")).expect("valid kind")),
            owner: e.get("owner").map(|_| small(e, "owner")),
        },
    };
    EntityRecord {
        id: small(e, "id"),
        base,
        pos: e.get("pos").map(hex_of),
        health: e.get("health").map(|_| small(e, "health")),
    }
}

fn entity_packet_from_json(m: &Value) -> EntityPacket {
    EntityPacket {
        seq: small(m, "seq"),
        tick: small(m, "tick"),
        health_step: small(m, "healthStep"),
        events: list(m, "events")
            .iter()
            .map(|e| EventEntry {
                event_id: small(e, "eventId"),
                event: event_from_json(field(e, "event")),
            })
            .collect(),
        entities: list(m, "entities").iter().map(record_from_json).collect(),
    }
}

fn server_from_json(m: &Value) -> ServerMsg {
    match text(m, "type").as_str() {
        "welcome" => ServerMsg::Welcome {
            user_id: num(m, "userId"),
            empire: small(m, "empire"),
            tick_rate_hz: small(m, "tickRateHz"),
        },
        "reject" => ServerMsg::Reject {
            reason: RejectReason::from_u8(small(m, "reason")).expect("valid reason"),
        },
        "map" => ServerMsg::Map(MapInfo {
            chunk_radius: small(m, "chunkRadius"),
            chunks: hexes(m, "chunks"),
            blocked: hexes(m, "blocked"),
        }),
        "update" => ServerMsg::Update(update_from_json(m)),
        "commandAck" => ServerMsg::CommandAck {
            seq: small(m, "seq"),
        },
        "commandRejected" => ServerMsg::CommandRejected {
            seq: small(m, "seq"),
            error: CommandError::from_u8(small(m, "error")).expect("valid command error"),
        },
        "pong" => ServerMsg::Pong {
            nonce: small(m, "nonce"),
        },
        "entityPacket" => ServerMsg::EntityPacket(entity_packet_from_json(m)),
        "notice" => ServerMsg::Notice {
            kind: NoticeKind::from_u8(small(m, "kind")).expect("valid notice kind"),
            text: text(m, "text"),
        },
        "move" => ServerMsg::Move {
            reason: MoveReason::from_u8(small(m, "reason")).expect("valid move reason"),
            connect_url: text(m, "connectUrl"),
            ticket: ticket(m),
        },
        "resumeTicket" => ServerMsg::ResumeTicket { ticket: ticket(m) },
        "catalog" => ServerMsg::Catalog(Catalog {
            recipes: list(m, "recipes").iter().map(recipe_from_json).collect(),
        }),
        "social" => ServerMsg::Social(social_from_json(field(m, "social"))),
        other => panic!("unknown server message type {other}"),
    }
}

fn bytes_of(v: &Value) -> Vec<u8> {
    let h = text(v, "hex");
    assert_eq!(h, h.to_lowercase(), "hex must be lowercase");
    hex::decode(h).expect("valid hex")
}

#[test]
fn client_vectors_decode_and_encode() {
    let vectors = load("client.json");
    assert!(vectors.len() >= 10);
    for v in &vectors {
        let name = text(v, "name");
        let bytes = bytes_of(v);
        let expected = client_from_json(field(v, "msg"));
        assert_eq!(ClientMsg::decode(&bytes).as_ref(), Ok(&expected), "{name}");
        assert_eq!(expected.encode(), bytes, "{name}");
    }
}

#[test]
fn server_vectors_decode_and_encode() {
    let vectors = load("server.json");
    assert!(vectors.len() >= 15);
    for v in &vectors {
        let name = text(v, "name");
        let bytes = bytes_of(v);
        let expected = server_from_json(field(v, "msg"));
        assert_eq!(ServerMsg::decode(&bytes).as_ref(), Ok(&expected), "{name}");
        assert_eq!(expected.encode(), bytes, "{name}");
    }
}

#[test]
fn invalid_vectors_fail_with_their_reason() {
    let vectors = load("invalid.json");
    let mut seen = std::collections::BTreeSet::new();
    for v in &vectors {
        let name = text(v, "name");
        let bytes = bytes_of(v);
        let want = text(v, "error");
        let got = match text(v, "direction").as_str() {
            "client" => ClientMsg::decode(&bytes).map(|_| ()),
            "server" => ServerMsg::decode(&bytes).map(|_| ()),
            other => panic!("{name}: bad direction {other}"),
        };
        assert_eq!(got.map_err(|e| e.reason()), Err(want.as_str()), "{name}");
        seen.insert(want);
    }
    // Every decode error reason has at least one vector.
    for reason in DecodeError::REASONS {
        assert!(seen.contains(*reason), "no invalid vector for {reason}");
    }
}

#[test]
fn vector_names_are_unique() {
    for file in ["client.json", "server.json", "invalid.json"] {
        let mut names = std::collections::BTreeSet::new();
        for v in load(file) {
            assert!(names.insert(text(&v, "name")), "{file}: duplicate name");
        }
    }
}

/// Every code that protocol version 3 added (SPEC.md §19) appears in a valid server vector:
/// the entity kinds in entity records, the command errors 11 to 17 in rejections, every job
/// state in a `Job` event.
#[test]
fn every_code_since_version_3_has_a_vector() {
    let (mut kinds, mut errors, mut states) = (Vec::new(), Vec::new(), Vec::new());
    let (mut sharing, mut memory) = (Vec::new(), Vec::new());
    let mut social = Vec::new();
    let mut add = |m: &ServerMsg| {
        let events = match m {
            ServerMsg::Social(s) => {
                social.push(match s {
                    SocialMsg::Chat(c) => format!("chat {:?}", c.channel),
                    SocialMsg::Alliance { .. } => "alliance".into(),
                    SocialMsg::Member { present, .. } => format!("member {present}"),
                    SocialMsg::Invite { active, .. } => format!("invite {active}"),
                    SocialMsg::Friend {
                        state, presence, ..
                    } => format!("friend {state:?} {presence:?}"),
                    SocialMsg::Presence { presence, .. } => format!("presence {presence:?}"),
                    SocialMsg::Mail(_) => "mail".into(),
                    SocialMsg::MailGone { .. } => "mail gone".into(),
                });
                Vec::new()
            }
            ServerMsg::EntityPacket(p) => {
                kinds.extend(p.entities.iter().filter_map(|r| match r.base {
                    RecordBase::Full { kind, .. } => kind,
                    RecordBase::Delta { .. } => None,
                }));
                p.events.iter().map(|e| e.event).collect()
            }
            ServerMsg::CommandRejected { error, .. } => vec![Event::CommandRejected {
                seq: 0,
                error: *error,
            }],
            _ => Vec::new(),
        };
        for e in events {
            match e {
                Event::CommandRejected { error, .. } => errors.push(error),
                Event::Job(j) => states.push(j.state),
                Event::Sharing(s) => sharing.push((s.outgoing, s.active)),
                Event::LastSeen(_) => memory.push("last_seen"),
                Event::Forget { .. } => memory.push("forget"),
                _ => {}
            }
        }
    };
    for v in load("server.json") {
        add(&server_from_json(field(&v, "msg")));
    }
    for kind in EntityKind::ALL {
        assert!(kinds.contains(kind), "no entity record of {kind:?}");
    }
    for state in JobState::ALL {
        assert!(states.contains(state), "no job event {state:?}");
    }
    for error in CommandError::ALL.iter().filter(|e| **e as u8 >= 11) {
        assert!(errors.contains(error), "no rejection {error:?}");
    }
    for flags in [(false, false), (false, true), (true, false), (true, true)] {
        assert!(sharing.contains(&flags), "no sharing event {flags:?}");
    }
    for event in ["last_seen", "forget"] {
        assert!(memory.contains(&event), "no {event} event");
    }
    for channel in ChatChannel::ALL {
        assert!(
            social.contains(&format!("chat {channel:?}")),
            "no {channel:?} chat"
        );
    }
    for kind in [
        "alliance",
        "member true",
        "member false",
        "invite true",
        "invite false",
    ] {
        assert!(social.iter().any(|s| s == kind), "no social {kind}");
    }
    for state in FriendState::ALL {
        assert!(
            social
                .iter()
                .any(|s| s.starts_with(&format!("friend {state:?} "))),
            "no friend {state:?}"
        );
    }
    for presence in Presence::ALL {
        assert!(
            social.contains(&format!("presence {presence:?}")),
            "no presence {presence:?}"
        );
    }
    for kind in ["mail", "mail gone"] {
        assert!(social.iter().any(|s| s == kind), "no social {kind}");
    }
}
