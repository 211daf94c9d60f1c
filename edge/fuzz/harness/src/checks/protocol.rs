//! The client protocol (SPEC.md): every message both ways, and the delta codec (§16).

use crate::input::Input;
use crate::packets;
use starlane_edge::sync::ClientBaselines;
use starlane_protocol::client::{ClientMsg, DecodeError, ServerMsg};
use starlane_protocol::codec::{client_type, server_type};
use starlane_protocol::delta::{EntityPacket, RecordBase, ack_covers};
use starlane_protocol::{EntityKind, EntityState, Hex};
use std::time::{Duration, Instant};

fn check_error(e: &DecodeError) {
    assert!(
        DecodeError::REASONS.contains(&e.reason()),
        "reason {:?} is not listed in DecodeError::REASONS",
        e.reason()
    );
    let _ = e.to_string();
}

/// `data` as one message in each direction: a message that decodes encodes back to `data`
/// (SPEC.md §1: the encoding is canonical), and every error has a listed reason.
pub fn client_msg(data: &[u8]) {
    match ClientMsg::decode(data) {
        Ok(msg) => assert_eq!(msg.encode(), data, "ClientMsg {msg:?} is not canonical"),
        Err(e) => check_error(&e),
    }
    match ServerMsg::decode(data) {
        Ok(msg) => {
            assert_eq!(msg.encode(), data, "ServerMsg {msg:?} is not canonical");
            if let ServerMsg::EntityPacket(p) = &msg {
                check_decoded_packet(p, data);
            }
        }
        Err(e) => check_error(&e),
    }
}

/// The delta codec. The first byte picks the mode:
/// * 0: the rest is an `EntityPacket` body (after its type byte), decoded and checked;
/// * 1: a client's acks against an edge's record of sent packets;
/// * 2: a packet built from the rest is encoded and decoded back.
pub fn entity_packet(data: &[u8]) {
    let mut input = Input::new(data);
    match input.u8() % 3 {
        0 => decode_packet(input.rest()),
        1 => acks(&mut input),
        _ => round_trip(&mut input),
    }
}

fn decode_packet(body: &[u8]) {
    let mut msg = Vec::with_capacity(body.len() + 1);
    msg.push(server_type::ENTITY_PACKET);
    msg.extend_from_slice(body);
    match ServerMsg::decode(&msg) {
        Ok(ServerMsg::EntityPacket(p)) => {
            assert_eq!(
                ServerMsg::EntityPacket(p.clone()).encode(),
                msg,
                "EntityPacket {p:?} is not canonical"
            );
            check_decoded_packet(&p, &msg);
        }
        Ok(other) => panic!("an EntityPacket type byte decoded as {other:?}"),
        Err(e) => check_error(&e),
    }
}

/// Sizes (SPEC.md §16.4) and applying the records as a client does (§16.3).
fn check_decoded_packet(p: &EntityPacket, encoded: &[u8]) {
    assert_eq!(p.encoded_len(), encoded.len(), "encoded_len of {p:?}");
    let bound_bits = p.header_bits(p.events.len(), p.entities.len())
        + p.events.iter().map(|e| e.encoded_bits()).sum::<usize>()
        + p.entities.iter().map(|r| r.encoded_bits()).sum::<usize>();
    assert!(
        p.encoded_len() <= bound_bits.div_ceil(8),
        "{} bytes exceed the planning bound of {bound_bits} bits for {p:?}",
        p.encoded_len()
    );
    assert!(
        p.entities.windows(2).all(|w| w[0].id < w[1].id),
        "decoded records are not strictly increasing by id: {p:?}"
    );
    // The client's view: each record against a baseline (an arbitrary earlier state).
    for rec in &p.entities {
        let baseline = EntityState {
            id: rec.id,
            kind: EntityKind::Frigate,
            owner: 7,
            pos: Hex::new(i32::MAX, i32::MIN),
            health: u16::MAX,
        };
        let with = rec.apply(Some(&baseline), p.health_step);
        let without = rec.apply(None, p.health_step);
        match rec.base {
            RecordBase::Full { .. } => {
                assert!(
                    with.is_some() && with == without,
                    "a full record needs no baseline"
                );
            }
            RecordBase::Delta { age } => {
                assert!((1..=starlane_protocol::delta::MAX_BASELINE_AGE).contains(&age));
                assert!(
                    without.is_none(),
                    "a delta record applied without a baseline"
                );
            }
        }
    }
}

/// Mode 1: `start` (u16), a count of sent packets (u8), then 6-byte `Ack` bodies.
fn acks(input: &mut Input<'_>) {
    let t0 = Instant::now();
    let mut baselines = ClientBaselines::starting_at(input.u16());
    let sent = input.u8() % 80;
    for i in 0..sent {
        let seq = baselines.next_seq();
        let id = u32::from(i % 5);
        let state = EntityState {
            id,
            kind: EntityKind::Scout,
            owner: 1,
            pos: Hex::new(i32::from(i), 0),
            health: 10,
        };
        // Every third packet is lost before the edge records it, as a gap in the record.
        if i % 3 != 2 {
            let at = t0 + Duration::from_millis(u64::from(i) * 50);
            baselines.record_sent(seq, at, &[(id, state)], &[u32::from(i)]);
        }
    }
    while !input.is_empty() {
        let mut msg = vec![client_type::ACK];
        msg.extend_from_slice(input.bytes(6));
        match ClientMsg::decode(&msg) {
            Ok(ClientMsg::Ack { newest, mask }) => {
                assert!(ack_covers(newest, mask, newest));
                for back in [33u16, 34, 0x8000] {
                    assert!(!ack_covers(newest, mask, newest.wrapping_sub(back)));
                }
                baselines.handle_ack(newest, mask);
            }
            Ok(other) => panic!("an Ack type byte decoded as {other:?}"),
            Err(e) => check_error(&e),
        }
    }
    assert!(baselines.tracked_packets() <= usize::from(sent));
}

/// Mode 2: encode a generated packet, decode it, compare with its canonical form.
fn round_trip(input: &mut Input<'_>) {
    let p = packets::entity_packet(input);
    let bytes = ServerMsg::EntityPacket(p.clone()).encode();
    assert_eq!(bytes.len(), p.encoded_len(), "encoded_len of {p:?}");
    let expected = packets::canonical(&p);
    match ServerMsg::decode(&bytes) {
        Ok(ServerMsg::EntityPacket(back)) => {
            assert_eq!(back, expected, "round trip changed the packet");
        }
        other => panic!("encoded packet {p:?} decoded as {other:?}"),
    }
    check_decoded_packet(&expected, &bytes);
}
