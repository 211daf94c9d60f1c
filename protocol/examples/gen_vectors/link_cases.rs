//! The link's golden vectors (LINK.md §9): `link.json`, one frame per message variant (and per
//! variant of the messages inside `ToClient`), and `link_invalid.json`, frames each step of the
//! ignore checklist refuses.

use serde_json::{Value, json};
use starlane_protocol::economy::{Catalog, JobEvent, JobState, Recipe, RecipeOutput};
use starlane_protocol::link::*;
use starlane_protocol::*;

fn player() -> PlayerIdentity {
    PlayerIdentity {
        user_id: 42,
        username: "ada".into(),
        command_stream: 0,
    }
}

fn state(id: EntityId, kind: EntityKind, owner: EmpireId, q: i32, r: i32) -> EntityState {
    EntityState {
        id,
        kind,
        owner,
        pos: Hex::new(q, r),
        health: 120,
    }
}

fn edge_cases() -> Vec<(&'static str, EdgeToRegion)> {
    vec![
        (
            "hello",
            EdgeToRegion::Hello(Hello {
                min_version: 3,
                max_version: 3,
                edge_id: "edge-eu-1".into(),
            }),
        ),
        (
            "join",
            EdgeToRegion::Join(Join {
                session: 7,
                player: player(),
            }),
        ),
        (
            "rejoin",
            EdgeToRegion::Rejoin(Join {
                session: 7,
                player: player(),
            }),
        ),
        (
            "command_move",
            EdgeToRegion::Command(SessionCommand {
                session: 7,
                seq: 12,
                command: Command::Move {
                    unit: 5,
                    to: Hex::new(-3, 4),
                },
            }),
        ),
        (
            "command_build",
            EdgeToRegion::Command(SessionCommand {
                session: 7,
                seq: 13,
                command: Command::Build {
                    unit: 5,
                    kind: EntityKind::Extractor,
                    at: Hex::new(2, -1),
                },
            }),
        ),
        ("leave", EdgeToRegion::Leave(Leave { session: 7 })),
        (
            "edge_close",
            EdgeToRegion::Close(Close::new(CloseCode::Shutdown, "edge stopping")),
        ),
    ]
}

fn to_client(msgs: Vec<LinkServerMsg>) -> RegionToEdge {
    RegionToEdge::ToClient(ToClient { session: 7, msgs })
}

fn region_cases() -> Vec<(&'static str, RegionToEdge)> {
    vec![
        (
            "welcome",
            RegionToEdge::Welcome(Welcome {
                version: 3,
                instance: 0x0123_4567_89ab_cdef,
                region_id: "eu-west".into(),
            }),
        ),
        (
            "joined",
            RegionToEdge::Joined(Joined {
                session: 7,
                empire: 3,
                tick_rate_hz: 20,
                map: MapInfo {
                    chunk_radius: 9,
                    chunks: vec![Hex::new(0, 0), Hex::new(19, -9)],
                    blocked: vec![Hex::new(1, 1), Hex::new(-2, 5)],
                },
                catalog: Catalog {
                    recipes: vec![
                        Recipe {
                            id: 1,
                            name: "build_extractor".into(),
                            producer: EntityKind::Frigate,
                            inputs: vec![(ResourceKind::Credits, 100), (ResourceKind::Metal, 20)],
                            output: RecipeOutput::Building(EntityKind::Extractor),
                            ticks: 160,
                        },
                        Recipe {
                            id: 4,
                            name: "mine_metal".into(),
                            producer: EntityKind::Extractor,
                            inputs: Vec::new(),
                            output: RecipeOutput::Resources(vec![(ResourceKind::Metal, 10)]),
                            ticks: 80,
                        },
                    ],
                },
            }),
        ),
        (
            "join_refused",
            RegionToEdge::JoinRefused(JoinRefused {
                session: 7,
                reason: RejectReason::RegionUnavailable,
            }),
        ),
        (
            "to_client_view",
            to_client(vec![LinkServerMsg::View(ViewChange {
                tick: 100,
                entered: vec![5, 9],
                left: vec![2],
                vision: vec![VisionChange {
                    hex: Hex::new(2, -1),
                    state: Visibility::Visible,
                }],
            })]),
        ),
        (
            "to_client_resources",
            to_client(vec![LinkServerMsg::Resources(vec![
                (ResourceKind::Credits, 1000),
                (ResourceKind::Metal, 500),
            ])]),
        ),
        (
            "to_client_command_ack",
            to_client(vec![LinkServerMsg::CommandAck { seq: 12 }]),
        ),
        (
            "to_client_command_rejected",
            to_client(vec![LinkServerMsg::CommandRejected {
                seq: 13,
                error: CommandError::Impassable,
            }]),
        ),
        (
            "to_client_job",
            to_client(vec![LinkServerMsg::Job(JobEvent {
                building: 500,
                job: 2,
                recipe: 4,
                state: JobState::Started,
            })]),
        ),
        (
            "to_client_sharing",
            to_client(vec![LinkServerMsg::Sharing(
                starlane_protocol::sharing::SharingEvent {
                    empire: 9,
                    outgoing: false,
                    active: true,
                },
            )]),
        ),
        (
            "to_client_last_seen",
            to_client(vec![LinkServerMsg::LastSeen(
                starlane_protocol::memory::LastSeenEvent {
                    id: 500,
                    kind: EntityKind::Shipyard,
                    owner: 9,
                    pos: Hex::new(-3, 7),
                    age_secs: 12,
                },
            )]),
        ),
        (
            "to_client_forget",
            to_client(vec![LinkServerMsg::Forget { id: 500 }]),
        ),
        (
            "entities",
            RegionToEdge::Entities(EntityFrame {
                tick: 100,
                reset: false,
                appeared: vec![state(5, EntityKind::Frigate, 3, 1, -2)],
                changed: vec![
                    EntityChange {
                        id: 9,
                        pos: Some(Hex::new(4, 4)),
                        health: None,
                    },
                    EntityChange {
                        id: 11,
                        pos: None,
                        health: Some(80),
                    },
                ],
                removed: vec![2],
            }),
        ),
        (
            "entities_reset",
            RegionToEdge::Entities(EntityFrame {
                tick: 101,
                reset: true,
                appeared: vec![
                    state(5, EntityKind::Frigate, 3, 1, -2),
                    state(6, EntityKind::Scout, 0, -7, 3),
                ],
                changed: Vec::new(),
                removed: Vec::new(),
            }),
        ),
        (
            // Several variants in one frame: pins bitcode's packing of the variant indexes
            // (a seventh `LinkServerMsg` variant would change these bytes, LINK.md §6.2).
            "to_client_mixed",
            to_client(vec![
                LinkServerMsg::CommandAck { seq: 14 },
                LinkServerMsg::Resources(vec![(ResourceKind::Metal, 7)]),
                LinkServerMsg::CommandRejected {
                    seq: 15,
                    error: CommandError::Impassable,
                },
                LinkServerMsg::View(ViewChange {
                    tick: 102,
                    entered: vec![5],
                    left: Vec::new(),
                    vision: Vec::new(),
                }),
                LinkServerMsg::CommandAck { seq: 16 },
            ]),
        ),
        (
            "notice_world_restored",
            RegionToEdge::Notice(SessionNotice::new(
                7,
                NoticeKind::WorldRestored,
                "the region restarted from its snapshot of 2026-12-03 22:00:00 UTC \
                 (tick 7200); up to 5 s of play may be lost",
            )),
        ),
        (
            // A kind the edge does not know (the first unassigned code): it decodes; the
            // edge drops and counts it (LINK.md §6.2).
            "notice_unknown_kind",
            RegionToEdge::Notice(SessionNotice {
                session: 7,
                kind: 3,
                text: String::new(),
            }),
        ),
        (
            "region_close",
            RegionToEdge::Close(Close::new(CloseCode::Slow, "edge did not read its frames")),
        ),
    ]
}

fn frame(kind: FrameType, payload: &[u8]) -> Vec<u8> {
    frame_raw(kind.code(), payload)
}

/// `(name, direction, whole frame bytes, error label)`.
fn invalid_cases() -> Vec<(&'static str, &'static str, Vec<u8>, &'static str)> {
    let mut hello = Vec::new();
    Hello {
        min_version: 3,
        max_version: 3,
        edge_id: "e".into(),
    }
    .write(&mut hello);
    let mut bad_magic = hello.clone();
    bad_magic[0] = b'X';
    let oversized = ((MAX_LINK_FRAME + 1) as u32).to_le_bytes().to_vec();
    let long_notice = SessionNotice {
        session: 7,
        kind: NoticeKind::Broadcast.code(),
        text: "x".repeat(codec::MAX_NOTICE_LEN + 1),
    };
    vec![
        (
            "oversized_length",
            "edge_to_region",
            oversized.clone(),
            "oversized",
        ),
        (
            "oversized_length_from_region",
            "region_to_edge",
            oversized,
            "oversized",
        ),
        (
            "empty_frame",
            "edge_to_region",
            vec![0, 0, 0, 0],
            "malformed",
        ),
        (
            "unknown_type",
            "edge_to_region",
            frame_raw(0x7e, &[]),
            "unknown_type",
        ),
        (
            "region_type_sent_by_edge",
            "edge_to_region",
            frame(FrameType::Welcome, &[]),
            "unknown_type",
        ),
        (
            "edge_type_sent_by_region",
            "region_to_edge",
            frame(FrameType::Hello, &hello),
            "unknown_type",
        ),
        (
            "hello_bad_magic",
            "edge_to_region",
            frame(FrameType::Hello, &bad_magic),
            "malformed",
        ),
        (
            "hello_truncated",
            "edge_to_region",
            frame(FrameType::Hello, &hello[..hello.len() - 1]),
            "malformed",
        ),
        (
            "hello_trailing_byte",
            "edge_to_region",
            frame(FrameType::Hello, &[hello.as_slice(), &[0]].concat()),
            "malformed",
        ),
        (
            "join_garbage",
            "edge_to_region",
            frame(FrameType::Join, &[0xff; 3]),
            "malformed",
        ),
        (
            "leave_empty",
            "edge_to_region",
            frame(FrameType::Leave, &[]),
            "malformed",
        ),
        (
            "entities_garbage",
            "region_to_edge",
            frame(FrameType::Entities, &[0x13, 0x37]),
            "malformed",
        ),
        (
            "notice_text_too_long",
            "region_to_edge",
            frame(FrameType::Notice, &bitcode::encode(&long_notice)),
            "malformed",
        ),
        (
            "close_empty",
            "region_to_edge",
            frame(FrameType::RegionClose, &[]),
            "malformed",
        ),
    ]
}

fn frame_raw(code: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = ((payload.len() + 1) as u32).to_le_bytes().to_vec();
    out.push(code);
    out.extend_from_slice(payload);
    out
}

/// Decode one whole frame (with its length) the way a receiver does.
fn decode(direction: &str, bytes: &[u8]) -> Result<Value, &'static str> {
    let mut d = FrameDecoder::default();
    d.push(bytes);
    let body = match d.next_frame() {
        Ok(Some(body)) => body.to_vec(),
        Ok(None) => return Err("incomplete"),
        Err(e) => return Err(e.label()),
    };
    let msg = if direction == "edge_to_region" {
        EdgeToRegion::decode(&body).map(serde_json::to_value)
    } else {
        RegionToEdge::decode(&body).map(serde_json::to_value)
    };
    match msg {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(_)) => Err("json"),
        Err(e) => Err(e.label()),
    }
}

/// The two files' contents.
pub fn link_vectors() -> Result<(Vec<Value>, Vec<Value>), serde_json::Error> {
    let mut valid = Vec::new();
    for (name, msg) in edge_cases() {
        let bytes = msg.encode();
        let value = serde_json::to_value(&msg)?;
        assert_eq!(
            decode("edge_to_region", &bytes),
            Ok(value.clone()),
            "{name}"
        );
        valid.push(json!({ "name": name, "direction": "edge_to_region", "hex": hex::encode(bytes), "msg": value }));
    }
    for (name, msg) in region_cases() {
        let bytes = msg.encode();
        let value = serde_json::to_value(&msg)?;
        assert_eq!(
            decode("region_to_edge", &bytes),
            Ok(value.clone()),
            "{name}"
        );
        valid.push(json!({ "name": name, "direction": "region_to_edge", "hex": hex::encode(bytes), "msg": value }));
    }
    let invalid = invalid_cases()
        .into_iter()
        .map(|(name, direction, bytes, error)| {
            assert_eq!(decode(direction, &bytes).map(|_| ()), Err(error), "{name}");
            json!({ "name": name, "direction": direction, "hex": hex::encode(bytes), "error": error })
        })
        .collect();
    Ok((valid, invalid))
}
