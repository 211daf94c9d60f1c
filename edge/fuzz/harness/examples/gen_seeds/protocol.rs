//! Seeds of `client_msg` and `entity_packet`: the golden vectors of `protocol/vectors/` and a
//! few generated packets.

use super::{repo, seed};
use starlane_fuzz::input::InputWriter;

/// Vectors larger than this are left out (the corpus stays small).
const MAX_SEED: usize = 1024;

/// `(name, bytes)` of every vector in `protocol/vectors/<file>`.
fn vectors(file: &str) -> Vec<(String, Vec<u8>)> {
    let path = repo().join("protocol/vectors").join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json.as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let name = v["name"].as_str().unwrap().to_string();
            let bytes = hex::decode(v["hex"].as_str().unwrap()).unwrap();
            (name, bytes)
        })
        .filter(|(_, b)| b.len() <= MAX_SEED)
        .collect()
}

pub fn write() {
    for file in ["client.json", "server.json", "invalid.json"] {
        for (name, bytes) in vectors(file) {
            // The delta vectors' refusals are entity_packet's seeds; the valid ones serve both.
            let delta = matches!(bytes.first(), Some(0x88 | 0x04));
            if !delta || file != "invalid.json" {
                seed("client_msg", &format!("vector-{name}"), &bytes);
            }
            match bytes.first() {
                // Mode 0: an EntityPacket body.
                Some(0x88) => {
                    let mut input = vec![0];
                    input.extend_from_slice(&bytes[1..]);
                    seed("entity_packet", &format!("packet-{name}"), &input);
                }
                // Mode 1: ten packets recorded from seq 0, then this ack.
                Some(0x04) => {
                    let mut input = InputWriter::new().u8(1).u16(0).u8(10).finish();
                    input.extend_from_slice(&bytes[1..]);
                    seed("entity_packet", &format!("ack-{name}"), &input);
                }
                _ => {}
            }
        }
    }
    // Mode 1: acks around the sequence wrap, covering every recorded packet, then stale ones.
    let mut wrap = InputWriter::new().u8(1).u16(0xfff0).u8(40).finish();
    for (newest, mask) in [
        (0x0005u16, 0xffff_ffffu32),
        (0x0017, 0x0000_00ff),
        (0xfff1, 1),
    ] {
        wrap.extend_from_slice(&newest.to_be_bytes());
        wrap.extend_from_slice(&mask.to_be_bytes());
    }
    seed("entity_packet", "ack-wrap", &wrap);
    // Mode 2: the generator reads any bytes as fields; a few deterministic pseudo-random
    // strings of different lengths start it off.
    let mut x: u32 = 0x2545_f491;
    for (i, len) in [8usize, 40, 120, 400].into_iter().enumerate() {
        let mut input = vec![2u8];
        input.extend((0..len).map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x.to_le_bytes()[0]
        }));
        seed("entity_packet", &format!("roundtrip-{i}"), &input);
    }
}
