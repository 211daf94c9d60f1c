//! Codec tests: round trips, every decode error, and seeded random inputs.

use super::*;
use crate::client::{ClientMsg, DecodeError, ServerMsg};
use crate::economy::*;
use crate::types::*;

fn sample_update() -> Update {
    Update {
        tick: 123_456,
        appeared: vec![
            EntityState {
                id: 1,
                kind: EntityKind::Scout,
                owner: 7,
                pos: Hex::new(-3, 2),
                health: 100,
            },
            EntityState {
                id: u32::MAX,
                kind: EntityKind::Station,
                owner: u32::MAX,
                pos: Hex::new(i32::MIN, i32::MAX),
                health: u16::MAX,
            },
        ],
        changed: vec![
            EntityChange {
                id: 5,
                pos: Some(Hex::new(0, -1)),
                health: None,
            },
            EntityChange {
                id: 6,
                pos: None,
                health: Some(0),
            },
            EntityChange {
                id: 7,
                pos: None,
                health: None,
            },
            EntityChange {
                id: 8,
                pos: Some(Hex::new(10, 10)),
                health: Some(300),
            },
        ],
        disappeared: vec![9, 10_000],
        vision: vec![
            VisionChange {
                hex: Hex::new(1, 1),
                state: Visibility::Visible,
            },
            VisionChange {
                hex: Hex::new(-1, 0),
                state: Visibility::Fog,
            },
            VisionChange {
                hex: Hex::new(0, 0),
                state: Visibility::Shroud,
            },
        ],
        resources: vec![
            (ResourceKind::Credits, 1000),
            (ResourceKind::Crystal, u32::MAX),
        ],
    }
}

fn client_samples() -> Vec<ClientMsg> {
    vec![
        ClientMsg::Hello {
            version: PROTOCOL_VERSION,
            token: "a.b.c".into(),
        },
        ClientMsg::Hello {
            version: u16::MAX,
            token: String::new(),
        },
        ClientMsg::Hello {
            version: 1,
            token: "é".repeat(MAX_TOKEN_LEN / 2),
        },
        ClientMsg::Command {
            seq: 0,
            command: Command::Move {
                unit: 0,
                to: Hex::new(0, 0),
            },
        },
        ClientMsg::Command {
            seq: u32::MAX,
            command: Command::Move {
                unit: 77,
                to: Hex::new(-9, 4),
            },
        },
        ClientMsg::Command {
            seq: 5,
            command: Command::Stop { unit: u32::MAX },
        },
        ClientMsg::Command {
            seq: 6,
            command: Command::Attack {
                unit: 3,
                target: 300,
            },
        },
        ClientMsg::Command {
            seq: 7,
            command: Command::Build {
                unit: 9,
                kind: EntityKind::Shipyard,
                at: Hex::new(-4, 7),
            },
        },
        ClientMsg::Command {
            seq: 8,
            command: Command::Train {
                building: 500,
                recipe: u16::MAX,
                repeat: true,
            },
        },
        ClientMsg::Command {
            seq: 9,
            command: Command::Train {
                building: 0,
                recipe: 0,
                repeat: false,
            },
        },
        ClientMsg::Command {
            seq: 10,
            command: Command::Cancel {
                building: u32::MAX,
                job: 0,
            },
        },
        ClientMsg::Ping { nonce: 0xDEAD_BEEF },
    ]
}

/// A catalog with one recipe of each output, and one at every limit.
fn sample_catalog() -> Catalog {
    let every_amount = vec![
        (ResourceKind::Credits, u32::MAX),
        (ResourceKind::Metal, 0),
        (ResourceKind::Crystal, 7),
    ];
    Catalog {
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
                name: "mine_crystal".into(),
                producer: EntityKind::Extractor,
                inputs: vec![],
                output: RecipeOutput::Resources(vec![(ResourceKind::Crystal, 4)]),
                ticks: 120,
            },
            Recipe {
                id: 9,
                name: "train_frigate".into(),
                producer: EntityKind::Shipyard,
                inputs: vec![(ResourceKind::Credits, 150)],
                output: RecipeOutput::Unit(EntityKind::Frigate),
                ticks: 240,
            },
            Recipe {
                id: u16::MAX,
                name: "é".repeat(MAX_RECIPE_NAME / 2),
                producer: EntityKind::CrystalField,
                inputs: every_amount.clone(),
                output: RecipeOutput::Resources(every_amount),
                ticks: u32::MAX,
            },
        ],
    }
}

fn server_samples() -> Vec<ServerMsg> {
    vec![
        ServerMsg::Welcome {
            user_id: 42,
            empire: 3,
            tick_rate_hz: 20,
        },
        ServerMsg::Welcome {
            user_id: MAX_USER_ID,
            empire: u32::MAX,
            tick_rate_hz: 255,
        },
        ServerMsg::Reject {
            reason: RejectReason::Banned,
        },
        ServerMsg::Map(MapInfo {
            chunk_radius: 9,
            chunks: vec![Hex::new(0, 0), Hex::new(19, -9)],
            blocked: vec![],
        }),
        ServerMsg::Update(Update::default()),
        ServerMsg::Update(sample_update()),
        ServerMsg::CommandAck { seq: 12 },
        ServerMsg::CommandRejected {
            seq: 13,
            error: CommandError::Immobile,
        },
        ServerMsg::CommandRejected {
            seq: 14,
            error: CommandError::Unarmed,
        },
        ServerMsg::CommandRejected {
            seq: 15,
            error: CommandError::UnderConstruction,
        },
        ServerMsg::Catalog(Catalog::default()),
        ServerMsg::Catalog(sample_catalog()),
        ServerMsg::Pong { nonce: 1 },
    ]
}

#[test]
fn client_messages_round_trip() {
    for m in client_samples() {
        let bytes = m.encode();
        assert_eq!(ClientMsg::decode(&bytes), Ok(m.clone()), "{m:?}");
    }
}

#[test]
fn server_messages_round_trip() {
    for m in server_samples() {
        let bytes = m.encode();
        assert_eq!(ServerMsg::decode(&bytes), Ok(m.clone()), "{m:?}");
    }
}

#[test]
fn small_messages_have_the_specified_bytes() {
    assert_eq!(
        ClientMsg::Ping { nonce: 0x0102_0304 }.encode(),
        vec![0x03, 1, 2, 3, 4]
    );
    assert_eq!(
        ServerMsg::Pong { nonce: 0x0102_0304 }.encode(),
        vec![0x87, 1, 2, 3, 4]
    );
    assert_eq!(
        ServerMsg::CommandAck { seq: 300 }.encode(),
        vec![0x85, 0xAC, 0x02]
    );
    assert_eq!(
        ServerMsg::Reject {
            reason: RejectReason::Expired
        }
        .encode(),
        vec![0x82, 4]
    );
    // hello, version 1, token "ab"
    assert_eq!(
        ClientMsg::Hello {
            version: 1,
            token: "ab".into()
        }
        .encode(),
        vec![0x01, 0x00, 0x01, 0x02, b'a', b'b']
    );
    // update: tick 1, one vision change (hex (1,-1), visible), other lists empty:
    // 84 | 00000001 | 00 (appeared) | 00 (changed) | 00 (disappeared) | 01 (vision)
    // | 02 (q=1) 01 (r=-1) 10 (visible) | 0000000 (resources) + 0 padding
    let u = Update {
        tick: 1,
        vision: vec![VisionChange {
            hex: Hex::new(1, -1),
            state: Visibility::Visible,
        }],
        ..Update::default()
    };
    assert_eq!(
        ServerMsg::Update(u).encode(),
        vec![0x84, 0, 0, 0, 1, 0, 0, 0, 1, 2, 1, 0b1000_0000, 0]
    );
}

#[test]
fn economy_messages_have_the_specified_bytes() {
    let command = |seq, command| ClientMsg::Command { seq, command }.encode();
    // seq 20 | build | unit 130 (82 01) | extractor | q -3 (05) | r 5 (0a)
    assert_eq!(
        command(
            20,
            Command::Build {
                unit: 130,
                kind: EntityKind::Extractor,
                at: Hex::new(-3, 5),
            }
        ),
        vec![0x02, 0x14, 0x04, 0x82, 0x01, 0x03, 0x05, 0x0A]
    );
    // seq 1 | train | building 77 | recipe 9 | repeat 1 + 7 bits of padding
    let train = |repeat| {
        command(
            1,
            Command::Train {
                building: 77,
                recipe: 9,
                repeat,
            },
        )
    };
    assert_eq!(train(true), vec![0x02, 0x01, 0x05, 0x4D, 0x09, 0x80]);
    assert_eq!(train(false), vec![0x02, 0x01, 0x05, 0x4D, 0x09, 0x00]);
    assert_eq!(
        command(
            24,
            Command::Cancel {
                building: 77,
                job: 3
            }
        ),
        vec![0x02, 0x18, 0x06, 0x4D, 0x03]
    );
    assert_eq!(
        ServerMsg::Catalog(Catalog::default()).encode(),
        vec![0x8C, 0x00]
    );
    // one recipe: id 1 | name "ab" | frigate | inputs [credits 100] | building extractor |
    // ticks 160 (a0 01)
    let one = Catalog {
        recipes: vec![Recipe {
            id: 1,
            name: "ab".into(),
            producer: EntityKind::Frigate,
            inputs: vec![(ResourceKind::Credits, 100)],
            output: RecipeOutput::Building(EntityKind::Extractor),
            ticks: 160,
        }],
    };
    assert_eq!(
        ServerMsg::Catalog(one).encode(),
        vec![
            0x8C, 0x01, 0x01, 0x02, b'a', b'b', 0x01, 0x01, 0x00, 0x64, 0x02, 0x03, 0xA0, 0x01
        ]
    );
}

#[test]
fn over_limit_catalogs_encode_but_do_not_decode() {
    let recipe = |name: String, inputs: Vec<(ResourceKind, u32)>, output| Recipe {
        id: 1,
        name,
        producer: EntityKind::Station,
        inputs,
        output,
        ticks: 1,
    };
    let decode = |recipes: Vec<Recipe>| {
        ServerMsg::decode(&ServerMsg::Catalog(Catalog { recipes }).encode()).map(|_| ())
    };
    let reason = |recipes| decode(recipes).expect_err("over a limit").reason();
    let four = vec![(ResourceKind::Metal, 1); MAX_AMOUNTS + 1];
    let unit = RecipeOutput::Unit(EntityKind::Scout);
    let long = "x".repeat(MAX_RECIPE_NAME + 1);
    assert_eq!(
        reason(vec![recipe(long, vec![], unit.clone())]),
        "string_too_long"
    );
    assert_eq!(
        reason(vec![recipe(String::new(), four.clone(), unit.clone())]),
        "list_too_long"
    );
    assert_eq!(
        reason(vec![recipe(
            String::new(),
            vec![],
            RecipeOutput::Resources(four)
        )]),
        "list_too_long"
    );
    let full = recipe("x".repeat(MAX_RECIPE_NAME), vec![], unit);
    assert_eq!(decode(vec![full.clone(); MAX_RECIPES]), Ok(()));
    assert_eq!(reason(vec![full; MAX_RECIPES + 1]), "list_too_long");
}

#[test]
fn ping_and_pong_are_the_same_size() {
    assert_eq!(
        ClientMsg::Ping { nonce: 9 }.encode().len(),
        ServerMsg::Pong { nonce: 9 }.encode().len()
    );
}

fn client_err(bytes: &[u8]) -> &'static str {
    ClientMsg::decode(bytes)
        .expect_err("must not decode")
        .reason()
}

fn server_err(bytes: &[u8]) -> &'static str {
    ServerMsg::decode(bytes)
        .expect_err("must not decode")
        .reason()
}

#[test]
fn every_decode_error_is_reachable() {
    assert_eq!(client_err(&[]), "truncated");
    assert_eq!(client_err(&[0x03, 1, 2, 3]), "truncated");
    assert_eq!(client_err(&[0x00]), "unknown_type");
    assert_eq!(client_err(&[0x81]), "unknown_type");
    assert_eq!(server_err(&[0x03, 1, 2, 3, 4]), "unknown_type");
    assert_eq!(client_err(&[0x02, 0x00, 0x14, 0, 0, 0]), "unknown_command");
    assert_eq!(server_err(&[0x82, 0]), "bad_enum");
    assert_eq!(server_err(&[0x82, 20]), "bad_enum");
    assert_eq!(server_err(&[0x86, 0, 33]), "bad_enum");
    // a Build of entity kind 7
    assert_eq!(client_err(&[0x02, 0x00, 0x04, 0, 7, 0, 0]), "bad_enum");
    // a Train whose recipe is 65536
    assert_eq!(
        client_err(&[0x02, 0x00, 0x05, 0, 0x80, 0x80, 0x04, 0]),
        "varint_overflow"
    );
    // a catalog recipe with output tag 3
    assert_eq!(server_err(&[0x8C, 1, 1, 0, 0, 0, 3, 0, 0]), "bad_enum");
    assert_eq!(
        server_err(&[0x85, 0xFF, 0xFF, 0xFF, 0xFF, 0x10]),
        "varint_overflow"
    );
    assert_eq!(server_err(&[0x85, 0x80, 0x00]), "non_canonical_varint");
    // token length 16385 = 0x81 0x80 0x01 (the ceiling is checked before the input's length)
    assert_eq!(
        client_err(&[0x01, 0, 1, 0x81, 0x80, 0x01]),
        "string_too_long"
    );
    assert_eq!(client_err(&[0x01, 0, 1, 0x01, 0xFF]), "invalid_utf8");
    // map with 4097 chunks
    assert_eq!(server_err(&[0x83, 9, 0x81, 0x20]), "list_too_long");
    // map claiming 4096 chunks with no bytes for them
    assert_eq!(server_err(&[0x83, 9, 0x80, 0x20]), "truncated");
    assert_eq!(client_err(&[0x03, 1, 2, 3, 4, 0]), "trailing_bytes");
    let mut padded = ServerMsg::Update(Update {
        tick: 1,
        vision: vec![VisionChange {
            hex: Hex::new(1, -1),
            state: Visibility::Visible,
        }],
        ..Update::default()
    })
    .encode();
    let n = padded.len();
    padded[n - 1] |= 1;
    assert_eq!(server_err(&padded), "nonzero_padding");
    // each reason label is listed once in REASONS
    for r in DecodeError::REASONS {
        assert_eq!(DecodeError::REASONS.iter().filter(|x| *x == r).count(), 1);
    }
}

#[test]
fn hello_len_is_the_encoded_size() {
    for n in [0, 1, 127, 128, 4096, 8192, 16_383, 16_384, MAX_TOKEN_LEN] {
        let hello = ClientMsg::Hello {
            version: 1,
            token: "t".repeat(n),
        };
        assert_eq!(hello_len(n), hello.encode().len(), "token of {n} bytes");
    }
}

#[test]
fn over_limit_values_encode_but_do_not_decode() {
    let token = "x".repeat(MAX_TOKEN_LEN + 1);
    assert_eq!(
        client_err(&ClientMsg::Hello { version: 1, token }.encode()),
        "string_too_long"
    );
    let ok = "x".repeat(MAX_TOKEN_LEN);
    assert!(
        ClientMsg::decode(
            &ClientMsg::Hello {
                version: 1,
                token: ok
            }
            .encode()
        )
        .is_ok()
    );
    let w = ServerMsg::Welcome {
        user_id: MAX_USER_ID + 1,
        empire: 1,
        tick_rate_hz: 20,
    };
    assert_eq!(server_err(&w.encode()), "varint_overflow");
    let ids = vec![1; MAX_LIST_LEN + 1];
    let u = ServerMsg::Update(Update {
        disappeared: ids,
        ..Update::default()
    });
    assert_eq!(server_err(&u.encode()), "list_too_long");
}

/// xorshift64*: a tiny deterministic generator for the random-input tests.
pub(super) struct XorShift(pub(super) u64);

impl XorShift {
    pub(super) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub(super) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Decode `bytes` both ways; whatever decodes must re-encode to exactly `bytes`
/// (the encoding is canonical).
fn check_input(bytes: &[u8]) -> usize {
    let mut ok = 0;
    if let Ok(m) = ClientMsg::decode(bytes) {
        assert_eq!(m.encode(), bytes, "{m:?}");
        ok += 1;
    }
    if let Ok(m) = ServerMsg::decode(bytes) {
        assert_eq!(m.encode(), bytes, "{m:?}");
        ok += 1;
    }
    ok
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = XorShift(0x5EED_0F57_A41A_4E00);
    let mut decoded = 0;
    for _ in 0..100_000 {
        let len = rng.below(48) as usize;
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        // Give half the inputs a valid type byte so the field decoders get exercised.
        if let Some(first) = bytes.first_mut()
            && rng.below(2) == 0
        {
            *first = if rng.below(2) == 0 {
                1 + rng.below(4) as u8
            } else {
                0x81 + rng.below(12) as u8
            };
        }
        decoded += check_input(&bytes);
    }
    assert!(decoded > 0, "some random inputs should decode");
}

#[test]
fn mutated_valid_messages_never_panic() {
    let mut rng = XorShift(0x0DDB_A11C_0FFE_E123);
    let mut seeds: Vec<Vec<u8>> = client_samples().iter().map(ClientMsg::encode).collect();
    seeds.extend(server_samples().iter().map(ServerMsg::encode));
    seeds.extend(
        super::delta_tests::client_samples()
            .iter()
            .map(ClientMsg::encode),
    );
    seeds.extend(
        super::delta_tests::server_samples()
            .iter()
            .map(ServerMsg::encode),
    );
    for _ in 0..100_000 {
        let mut bytes = seeds[rng.below(seeds.len() as u64) as usize].clone();
        match rng.below(4) {
            0 => bytes.truncate(rng.below(bytes.len() as u64 + 1) as usize),
            1 => bytes.push(rng.next() as u8),
            _ => {
                for _ in 0..=rng.below(3) {
                    let bit = rng.below(bytes.len() as u64 * 8) as usize;
                    if let Some(b) = bytes.get_mut(bit / 8) {
                        *b ^= 0x80 >> (bit % 8);
                    }
                }
            }
        }
        check_input(&bytes);
    }
}
