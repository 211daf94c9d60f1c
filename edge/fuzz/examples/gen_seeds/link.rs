//! Seeds of `link_frame`: every message kind of both directions, encoded by the real encoder,
//! as single bodies and as a stream.

use super::seed;
use starlane_protocol::link::*;
use starlane_protocol::*;

fn state(id: u32) -> EntityState {
    EntityState {
        id,
        kind: EntityKind::Frigate,
        owner: 3,
        pos: Hex::new(4, -2),
        health: 120,
    }
}

fn to_region() -> Vec<(&'static str, EdgeToRegion)> {
    vec![
        (
            "hello",
            EdgeToRegion::Hello {
                version: LINK_VERSION,
                edge_id: "edge-1".into(),
            },
        ),
        (
            "join",
            EdgeToRegion::Join {
                session: 7,
                player: PlayerIdentity {
                    user_id: 42,
                    username: "ada".into(),
                },
            },
        ),
        (
            "command",
            EdgeToRegion::Command {
                session: 7,
                seq: 3,
                command: Command::Move {
                    unit: 11,
                    to: Hex::new(-3, 5),
                },
            },
        ),
        ("leave", EdgeToRegion::Leave { session: 7 }),
    ]
}

fn to_edge() -> Vec<(&'static str, RegionToEdge)> {
    vec![
        (
            "joined",
            RegionToEdge::Joined {
                session: 7,
                empire: 3,
                tick_rate_hz: 20,
                map: MapInfo {
                    chunk_radius: 9,
                    chunks: vec![Hex::new(0, 0), Hex::new(19, -9)],
                    blocked: vec![Hex::new(1, 1)],
                },
            },
        ),
        (
            "join-refused",
            RegionToEdge::JoinRefused {
                session: 8,
                reason: RejectReason::ALL[0],
            },
        ),
        (
            "to-client",
            RegionToEdge::ToClient {
                session: 7,
                msgs: vec![
                    LinkServerMsg::View(ViewChange {
                        tick: 9,
                        entered: vec![1, 2],
                        left: vec![5],
                        vision: vec![VisionChange {
                            hex: Hex::new(2, 2),
                            state: Visibility::ALL[1],
                        }],
                    }),
                    LinkServerMsg::Resources(vec![(ResourceKind::ALL[0], 500)]),
                    LinkServerMsg::CommandAck { seq: 3 },
                    LinkServerMsg::CommandRejected {
                        seq: 4,
                        error: CommandError::ALL[0],
                    },
                ],
            },
        ),
        (
            "entities",
            RegionToEdge::Entities(EntityFrame {
                tick: 9,
                reset: false,
                appeared: vec![state(1), state(2)],
                changed: vec![EntityChange {
                    id: 1,
                    pos: Some(Hex::new(5, -2)),
                    health: None,
                }],
                removed: vec![9],
            }),
        ),
        (
            "entities-reset",
            RegionToEdge::Entities(EntityFrame {
                tick: 10,
                reset: true,
                appeared: vec![state(3)],
                changed: Vec::new(),
                removed: Vec::new(),
            }),
        ),
    ]
}

fn body(frame: &[u8]) -> &[u8] {
    &frame[4..]
}

pub fn write() {
    let mut stream_up = vec![2u8];
    for (name, msg) in to_region() {
        let frame = encode_frame(&msg);
        let mut single = vec![0u8];
        single.extend_from_slice(body(&frame));
        seed("link_frame", &format!("to-region-{name}"), &single);
        stream_up.extend_from_slice(&frame);
    }
    seed("link_frame", "to-region-stream", &stream_up);
    let mut stream_down = vec![3u8];
    for (name, msg) in to_edge() {
        let frame = encode_frame(&msg);
        let mut single = vec![1u8];
        single.extend_from_slice(body(&frame));
        seed("link_frame", &format!("to-edge-{name}"), &single);
        stream_down.extend_from_slice(&frame);
    }
    seed("link_frame", "to-edge-stream", &stream_down);
    // A length prefix over the limit, and one that promises more than follows.
    let mut too_large = vec![3u8];
    too_large.extend_from_slice(&(MAX_LINK_FRAME as u32 + 1).to_le_bytes());
    seed("link_frame", "to-edge-too-large", &too_large);
    let mut short = vec![2u8];
    short.extend_from_slice(&100u32.to_le_bytes());
    short.extend_from_slice(&[0; 10]);
    seed("link_frame", "to-region-short", &short);
}
