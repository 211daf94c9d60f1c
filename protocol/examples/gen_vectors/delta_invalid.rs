//! Invalid vectors of the delta-update messages (SPEC.md §16.5), written bit by bit
//! independently of the codec under test.

use starlane_protocol::bits::BitWriter;
use starlane_protocol::client::{ClientMsg, ServerMsg};
use starlane_protocol::delta::*;

/// Writes `v` as a varint (SPEC.md §3.1), independently of the codec under test.
pub fn varint(w: &mut BitWriter, mut v: u64) {
    loop {
        let group = v & 0x7F;
        v >>= 7;
        w.write_bit(v != 0);
        w.write_bits(group, 7);
        if v == 0 {
            return;
        }
    }
}

/// An `EntityPacket` header: type, seq 1, tick 0, health step `step`, common age `common`.
fn header_with(step: u64, common: u64) -> BitWriter {
    let mut w = BitWriter::new();
    w.write_bits(0x88, 8);
    w.write_bits(1, 16);
    varint(&mut w, 0);
    varint(&mut w, step);
    varint(&mut w, common);
    w
}

/// An `EntityPacket` header with health step `step` and no common age.
pub fn header(step: u64) -> BitWriter {
    header_with(step, 0)
}

/// A packet with one event: id 0, then `tag` and `payload` written by the caller.
pub fn one_event(tag: u64, payload: impl Fn(&mut BitWriter)) -> Vec<u8> {
    let mut w = header(1);
    varint(&mut w, 1);
    varint(&mut w, 0);
    w.write_bits(tag, 3);
    payload(&mut w);
    varint(&mut w, 0);
    w.finish()
}

/// A packet with one entity record (id 1) whose bits after the id are written by the caller.
fn one_record(body: impl Fn(&mut BitWriter)) -> Vec<u8> {
    let mut w = header(1);
    varint(&mut w, 0);
    varint(&mut w, 1);
    varint(&mut w, 1);
    body(&mut w);
    w.finish()
}

/// A delta record with an explicit `baseline_age` and no fields.
fn age_record(age: u64) -> Vec<u8> {
    one_record(|w| {
        w.write_bits(0b10, 2); // has_baseline, not uses_common
        varint(w, age);
        w.write_bits(0, 2);
    })
}

/// A packet with common age `common` and delta records (ids 1, 2, ...) whose bits after
/// `has_baseline` are written by the callers.
fn delta_records(common: u64, bodies: &[&dyn Fn(&mut BitWriter)]) -> Vec<u8> {
    let mut w = header_with(1, common);
    varint(&mut w, 0);
    varint(&mut w, bodies.len() as u64);
    for (i, body) in bodies.iter().enumerate() {
        varint(&mut w, if i == 0 { 1 } else { 0 });
        w.write_bit(true);
        body(&mut w);
    }
    w.finish()
}

/// A record body taking the common age, with a position delta written by `pos`.
fn common_with_pos(w: &mut BitWriter, pos: impl Fn(&mut BitWriter)) {
    w.write_bits(0b1_10, 3); // uses_common, has_pos, no health
    pos(w);
}

/// Two full records without fields: the first of id `first`, the second with id gap `gap`.
fn two_ids(first: u64, gap: u64) -> Vec<u8> {
    let mut w = header(1);
    varint(&mut w, 0);
    varint(&mut w, 2);
    for id in [first, gap] {
        varint(&mut w, id);
        w.write_bits(0, 5);
    }
    w.finish()
}

/// Invalid inputs: (name, direction, bytes, expected reason).
pub fn invalid_vectors() -> Vec<(&'static str, &'static str, Vec<u8>, &'static str)> {
    let ack = ClientMsg::Ack { newest: 1, mask: 1 }.encode();
    let disappeared = |w: &mut BitWriter| varint(w, 5);
    let mut trailing = one_event(0, disappeared);
    trailing.push(0);
    vec![
        ("ack_truncated", "client", ack[..6].to_vec(), "truncated"),
        ("ack_from_server", "server", ack, "unknown_type"),
        (
            "entity_packet_from_client",
            "client",
            ServerMsg::EntityPacket(EntityPacket {
                health_step: 1,
                ..EntityPacket::default()
            })
            .encode(),
            "unknown_type",
        ),
        (
            "event_visibility_three",
            "server",
            one_event(1, |w| {
                varint(w, 0);
                varint(w, 0);
                w.write_bits(3, 2);
            }),
            "bad_enum",
        ),
        (
            "event_combat_kills_over_u16",
            "server",
            one_event(5, |w| {
                varint(w, 1);
                varint(w, 2);
                varint(w, 65_536);
                varint(w, 0);
            }),
            "varint_overflow",
        ),
        (
            "event_command_error_zero",
            "server",
            one_event(4, |w| {
                varint(w, 1);
                w.write_bits(0, 8);
            }),
            "bad_enum",
        ),
        (
            "record_kind_seven",
            "server",
            one_record(|w| {
                w.write_bits(0b0_1000, 5); // no baseline; kind only
                w.write_bits(7, 8);
            }),
            "bad_enum",
        ),
        ("baseline_age_zero", "server", age_record(0), "out_of_range"),
        (
            "baseline_age_32768",
            "server",
            age_record(32_768),
            "varint_overflow",
        ),
        (
            "record_uses_common_without_common_age",
            "server",
            delta_records(0, &[&|w| w.write_bits(0b1_00, 3)]),
            "out_of_range",
        ),
        (
            "record_explicit_age_equals_common_age",
            "server",
            delta_records(
                3,
                &[&|w| w.write_bits(0b1_00, 3), &|w| {
                    w.write_bit(false);
                    varint(w, 3);
                    w.write_bits(0, 2);
                }],
            ),
            "non_canonical",
        ),
        (
            "common_age_not_the_most_frequent",
            "server",
            delta_records(
                3,
                &[
                    &|w| w.write_bits(0b1_00, 3),
                    &|w| {
                        w.write_bit(false);
                        varint(w, 4);
                        w.write_bits(0, 2);
                    },
                    &|w| {
                        w.write_bit(false);
                        varint(w, 4);
                        w.write_bits(0, 2);
                    },
                ],
            ),
            "non_canonical",
        ),
        (
            "common_age_without_delta_records",
            "server",
            {
                let mut w = header_with(1, 5);
                varint(&mut w, 0);
                varint(&mut w, 0);
                w.finish()
            },
            "non_canonical",
        ),
        (
            "common_age_32768",
            "server",
            {
                let mut w = header_with(1, 32_768);
                varint(&mut w, 0);
                varint(&mut w, 0);
                w.finish()
            },
            "varint_overflow",
        ),
        (
            "record_pos_delta_is_a_step",
            "server",
            delta_records(
                1,
                &[&|w| {
                    common_with_pos(w, |w| {
                        w.write_bit(false); // not is_step
                        varint(w, 1); // dq -1
                        varint(w, 2); // dr +1: the step (-1, +1)
                    })
                }],
            ),
            "non_canonical",
        ),
        (
            "record_step_direction_six",
            "server",
            delta_records(
                1,
                &[&|w| {
                    common_with_pos(w, |w| {
                        w.write_bit(true);
                        w.write_bits(6, 3);
                    })
                }],
            ),
            "bad_enum",
        ),
        (
            "record_step_direction_seven",
            "server",
            delta_records(
                1,
                &[&|w| {
                    common_with_pos(w, |w| {
                        w.write_bit(true);
                        w.write_bits(7, 3);
                    })
                }],
            ),
            "bad_enum",
        ),
        (
            "record_id_after_max",
            "server",
            two_ids(u64::from(u32::MAX), 0),
            "out_of_range",
        ),
        (
            "record_id_gap_overflow",
            "server",
            two_ids(10, u64::from(u32::MAX - 10)),
            "out_of_range",
        ),
        (
            "health_step_zero",
            "server",
            {
                let mut w = header(0);
                varint(&mut w, 0);
                varint(&mut w, 0);
                w.finish()
            },
            "out_of_range",
        ),
        (
            "events_257",
            "server",
            {
                let mut w = header(1);
                varint(&mut w, 257);
                w.finish()
            },
            "list_too_long",
        ),
        (
            "entities_1025",
            "server",
            {
                let mut w = header(1);
                varint(&mut w, 0);
                varint(&mut w, 1025);
                w.finish()
            },
            "list_too_long",
        ),
        (
            "events_count_exceeds_input",
            "server",
            {
                let mut w = header(1);
                varint(&mut w, 256);
                w.write_bits(0, 32);
                w.finish()
            },
            "truncated",
        ),
        (
            "entity_packet_trailing_byte",
            "server",
            trailing,
            "trailing_bytes",
        ),
    ]
}
