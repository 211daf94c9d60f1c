//! Vectors of protocol version 3 (SPEC.md §19): the building and resource-field kinds, the
//! `Build`, `Train` and `Cancel` commands, the new command errors, the `Catalog` message and
//! the `Job` event. Appended after the §18 vectors, which stay byte-identical. The invalid
//! cases are written bit by bit, independently of the codec under test.

use crate::delta_invalid::{one_event, varint};
use starlane_protocol::bits::BitWriter;
use starlane_protocol::client::{ClientMsg, ServerMsg};
use starlane_protocol::delta::*;
use starlane_protocol::economy::*;
use starlane_protocol::*;

pub fn client_vectors() -> Vec<(&'static str, ClientMsg)> {
    let command = |seq, command| ClientMsg::Command { seq, command };
    vec![
        (
            "hello_version_3",
            ClientMsg::Hello {
                version: 3,
                token: "a.b.c".into(),
            },
        ),
        (
            "command_build_extractor",
            command(
                20,
                Command::Build {
                    unit: 130,
                    kind: EntityKind::Extractor,
                    at: Hex::new(-3, 5),
                },
            ),
        ),
        (
            "command_build_shipyard",
            command(
                21,
                Command::Build {
                    unit: 4,
                    kind: EntityKind::Shipyard,
                    at: Hex::new(100, -200),
                },
            ),
        ),
        (
            "command_build_max",
            command(
                u32::MAX,
                Command::Build {
                    unit: u32::MAX,
                    kind: EntityKind::Station,
                    at: Hex::new(i32::MIN, i32::MAX),
                },
            ),
        ),
        (
            "command_train",
            command(
                22,
                Command::Train {
                    building: 77,
                    recipe: 9,
                    repeat: false,
                },
            ),
        ),
        (
            "command_train_repeat",
            command(
                23,
                Command::Train {
                    building: 70_000,
                    recipe: 4,
                    repeat: true,
                },
            ),
        ),
        (
            "command_train_max",
            command(
                u32::MAX,
                Command::Train {
                    building: u32::MAX,
                    recipe: u16::MAX,
                    repeat: true,
                },
            ),
        ),
        (
            "command_cancel",
            command(
                24,
                Command::Cancel {
                    building: 77,
                    job: 3,
                },
            ),
        ),
        (
            "command_cancel_max",
            command(
                u32::MAX,
                Command::Cancel {
                    building: u32::MAX,
                    job: u32::MAX,
                },
            ),
        ),
    ]
}

/// A catalog like the default `configs/recipes.toml` at 20 ticks a second: a building recipe, a
/// resources recipe with no inputs and a unit recipe.
fn small_catalog() -> Catalog {
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
                name: "mine_metal".into(),
                producer: EntityKind::Extractor,
                inputs: vec![],
                output: RecipeOutput::Resources(vec![(ResourceKind::Metal, 10)]),
                ticks: 80,
            },
            Recipe {
                id: 9,
                name: "train_frigate".into(),
                producer: EntityKind::Shipyard,
                inputs: vec![(ResourceKind::Credits, 150), (ResourceKind::Metal, 80)],
                output: RecipeOutput::Unit(EntityKind::Frigate),
                ticks: 240,
            },
        ],
    }
}

pub fn server_vectors() -> Vec<(&'static str, ServerMsg)> {
    let job = |event_id, building, job, recipe, state| EventEntry {
        event_id,
        event: Event::Job(JobEvent {
            building,
            job,
            recipe,
            state,
        }),
    };
    let rejected = |event_id, seq, error| EventEntry {
        event_id,
        event: Event::CommandRejected { seq, error },
    };
    let full = |id, kind, owner, q, r, health| EntityRecord {
        id,
        base: RecordBase::Full {
            kind: Some(kind),
            owner: Some(owner),
        },
        pos: Some(Hex::new(q, r)),
        health: Some(health),
    };
    let every_amount = vec![
        (ResourceKind::Credits, u32::MAX),
        (ResourceKind::Metal, 0),
        (ResourceKind::Crystal, 1),
    ];
    vec![
        (
            "entity_packet_job_events",
            ServerMsg::EntityPacket(EntityPacket {
                seq: 30,
                tick: 9000,
                health_step: 1,
                events: vec![
                    job(40, 500, 0, 1, JobState::Started),
                    job(41, 501, 1, 9, JobState::Queued),
                    job(42, 501, 2, 9, JobState::Queued),
                    job(43, 500, 0, 1, JobState::Completed),
                    job(44, 501, 2, 9, JobState::Cancelled),
                    job(45, 502, 7, 4, JobState::Stalled),
                    job(46, u32::MAX, u32::MAX, u16::MAX, JobState::Started),
                ],
                entities: vec![],
            }),
        ),
        (
            "entity_packet_economy_rejections",
            ServerMsg::EntityPacket(EntityPacket {
                seq: 31,
                tick: 9001,
                health_step: 1,
                events: vec![
                    rejected(50, 20, CommandError::UnknownRecipe),
                    rejected(51, 21, CommandError::WrongProducer),
                    rejected(52, 22, CommandError::InsufficientResources),
                    rejected(53, 23, CommandError::QueueFull),
                    rejected(54, 24, CommandError::UnknownJob),
                    rejected(55, 25, CommandError::BadSite),
                    rejected(56, 26, CommandError::UnderConstruction),
                ],
                entities: vec![],
            }),
        ),
        (
            "entity_packet_economy_kinds",
            ServerMsg::EntityPacket(EntityPacket {
                seq: 32,
                tick: 9002,
                health_step: 4,
                events: vec![],
                entities: vec![
                    full(500, EntityKind::Extractor, 3, 2, -1, 100),
                    full(501, EntityKind::Shipyard, 3, 4, -2, 250),
                    full(600, EntityKind::MetalField, NEUTRAL_EMPIRE, 3, -1, 0),
                    full(601, EntityKind::CrystalField, NEUTRAL_EMPIRE, -8, 6, 0),
                ],
            }),
        ),
        (
            "update_appeared_economy_kinds",
            ServerMsg::Update(Update {
                tick: 9003,
                appeared: vec![
                    EntityState {
                        id: 500,
                        kind: EntityKind::Extractor,
                        owner: 3,
                        pos: Hex::new(2, -1),
                        health: 400,
                    },
                    EntityState {
                        id: 601,
                        kind: EntityKind::CrystalField,
                        owner: NEUTRAL_EMPIRE,
                        pos: Hex::new(-8, 6),
                        health: 0,
                    },
                ],
                ..Update::default()
            }),
        ),
        (
            "command_rejected_bad_site",
            ServerMsg::CommandRejected {
                seq: 25,
                error: CommandError::BadSite,
            },
        ),
        ("catalog", ServerMsg::Catalog(small_catalog())),
        ("catalog_empty", ServerMsg::Catalog(Catalog::default())),
        (
            "catalog_limits",
            ServerMsg::Catalog(Catalog {
                recipes: vec![
                    Recipe {
                        id: u16::MAX,
                        name: "x".repeat(MAX_RECIPE_NAME),
                        producer: EntityKind::Station,
                        inputs: every_amount.clone(),
                        output: RecipeOutput::Resources(every_amount),
                        ticks: u32::MAX,
                    },
                    Recipe {
                        id: 0,
                        name: String::new(),
                        producer: EntityKind::Scout,
                        inputs: vec![],
                        output: RecipeOutput::Resources(vec![]),
                        ticks: 0,
                    },
                    Recipe {
                        id: 128,
                        name: "build_station".into(),
                        producer: EntityKind::Frigate,
                        inputs: vec![(ResourceKind::Crystal, 50)],
                        output: RecipeOutput::Building(EntityKind::Station),
                        ticks: 600,
                    },
                ],
            }),
        ),
    ]
}

/// An amount as the wire carries it: kind code and value.
type Amount = (u64, u64);

/// Writes a list of amounts.
fn amounts(w: &mut BitWriter, list: &[Amount]) {
    varint(w, list.len() as u64);
    for &(kind, amount) in list {
        w.write_bits(kind, 8);
        varint(w, amount);
    }
}

/// The bytes of one recipe: id, name bytes, producer code, inputs, then `output` writes the
/// output tag and its body, then ticks.
fn recipe(
    id: u64,
    name: &[u8],
    producer: u64,
    inputs: &[Amount],
    output: impl Fn(&mut BitWriter),
) -> Vec<u8> {
    let mut w = BitWriter::new();
    varint(&mut w, id);
    varint(&mut w, name.len() as u64);
    w.write_bytes(name);
    w.write_bits(producer, 8);
    amounts(&mut w, inputs);
    output(&mut w);
    varint(&mut w, 80);
    w.finish()
}

/// A unit output of `kind`.
fn unit_output(kind: u64) -> impl Fn(&mut BitWriter) {
    move |w: &mut BitWriter| {
        w.write_bits(1, 8);
        w.write_bits(kind, 8);
    }
}

/// A `Catalog` message of the given recipe bytes (each whole bytes).
fn catalog(recipes: &[Vec<u8>]) -> Vec<u8> {
    catalog_counted(recipes.len() as u64, recipes)
}

/// A `Catalog` message declaring `count` recipes, followed by `recipes`.
fn catalog_counted(count: u64, recipes: &[Vec<u8>]) -> Vec<u8> {
    let mut w = BitWriter::new();
    w.write_bits(0x8C, 8);
    varint(&mut w, count);
    w.finish().into_iter().chain(recipes.concat()).collect()
}

/// A `Command` message (seq 1) of type `command`, whose fields `body` writes.
fn command(command: u64, body: impl Fn(&mut BitWriter)) -> Vec<u8> {
    let mut w = BitWriter::new();
    w.write_bits(0x02, 8);
    varint(&mut w, 1);
    w.write_bits(command, 8);
    body(&mut w);
    w.finish()
}

pub fn invalid_vectors() -> Vec<(&'static str, &'static str, Vec<u8>, &'static str)> {
    let good = recipe(1, b"mine_metal", 3, &[], |w| {
        w.write_bits(0, 8);
        amounts(w, &[(1, 10)]);
    });
    let whole = ServerMsg::Catalog(small_catalog()).encode();
    let job = |recipe: u64, state: u64| {
        one_event(6, move |w| {
            varint(w, 500);
            varint(w, 1);
            varint(w, recipe);
            w.write_bits(state, 8);
        })
    };
    vec![
        (
            "command_build_kind_seven",
            "client",
            command(4, |w| {
                varint(w, 130);
                w.write_bits(7, 8);
                varint(w, 0);
                varint(w, 0);
            }),
            "bad_enum",
        ),
        (
            "command_build_no_site",
            "client",
            command(4, |w| {
                varint(w, 130);
                w.write_bits(3, 8);
            }),
            "truncated",
        ),
        (
            "command_train_recipe_over_u16",
            "client",
            command(5, |w| {
                varint(w, 77);
                varint(w, 65_536);
                w.write_bit(false);
            }),
            "varint_overflow",
        ),
        (
            // The repeat bit is missing: the message ends on the recipe's last byte.
            "command_train_no_repeat",
            "client",
            command(5, |w| {
                varint(w, 77);
                varint(w, 9);
            }),
            "truncated",
        ),
        (
            "command_train_nonzero_padding",
            "client",
            command(5, |w| {
                varint(w, 77);
                varint(w, 9);
                w.write_bit(true);
                w.write_bits(1, 7);
            }),
            "nonzero_padding",
        ),
        (
            "command_cancel_no_job",
            "client",
            command(6, |w| varint(w, 77)),
            "truncated",
        ),
        (
            "command_cancel_trailing",
            "client",
            command(6, |w| {
                varint(w, 77);
                varint(w, 3);
                w.write_bits(0, 8);
            }),
            "trailing_bytes",
        ),
        ("event_job_state_five", "server", job(4, 5), "bad_enum"),
        (
            "event_job_recipe_over_u16",
            "server",
            job(65_536, 0),
            "varint_overflow",
        ),
        (
            "catalog_recipe_output_three",
            "server",
            catalog(&[recipe(1, b"x", 3, &[], |w| {
                w.write_bits(3, 8);
                w.write_bits(0, 8);
            })]),
            "bad_enum",
        ),
        (
            "catalog_recipe_name_33_bytes",
            "server",
            catalog(&[recipe(1, &[b'x'; 33], 4, &[], unit_output(1))]),
            "string_too_long",
        ),
        (
            "catalog_recipe_name_invalid_utf8",
            "server",
            catalog(&[recipe(1, &[0xC3, 0x28], 4, &[], unit_output(1))]),
            "invalid_utf8",
        ),
        (
            "catalog_recipe_inputs_4",
            "server",
            catalog(&[recipe(
                1,
                b"x",
                4,
                &[(0, 1), (1, 1), (2, 1), (0, 1)],
                unit_output(1),
            )]),
            "list_too_long",
        ),
        (
            "catalog_recipe_outputs_4",
            "server",
            catalog(&[recipe(1, b"x", 3, &[], |w| {
                w.write_bits(0, 8);
                amounts(w, &[(0, 1), (1, 1), (2, 1), (0, 1)]);
            })]),
            "list_too_long",
        ),
        (
            "catalog_recipe_producer_seven",
            "server",
            catalog(&[recipe(1, b"x", 7, &[], unit_output(1))]),
            "bad_enum",
        ),
        (
            "catalog_recipe_unit_kind_seven",
            "server",
            catalog(&[recipe(1, b"x", 4, &[], unit_output(7))]),
            "bad_enum",
        ),
        (
            "catalog_recipe_resource_kind_three",
            "server",
            catalog(&[recipe(1, b"x", 4, &[(3, 1)], unit_output(1))]),
            "bad_enum",
        ),
        (
            "catalog_recipe_id_over_u16",
            "server",
            catalog(&[recipe(65_536, b"x", 4, &[], unit_output(1))]),
            "varint_overflow",
        ),
        (
            "catalog_65_recipes",
            "server",
            catalog_counted(65, &vec![good.clone(); 65]),
            "list_too_long",
        ),
        (
            "catalog_count_exceeds_input",
            "server",
            catalog_counted(64, std::slice::from_ref(&good)),
            "truncated",
        ),
        (
            "catalog_truncated",
            "server",
            whole[..whole.len() - 1].to_vec(),
            "truncated",
        ),
        (
            "catalog_trailing_byte",
            "server",
            [whole.as_slice(), &[0]].concat(),
            "trailing_bytes",
        ),
    ]
}
