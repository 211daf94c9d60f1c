//! The link's golden vectors (`protocol/vectors/link.json`, `link_invalid.json`, LINK.md §9):
//! every valid frame decodes to its message and re-encodes to its bytes, also when the frames
//! arrive as one stream cut anywhere; every invalid frame is refused with its reason. A changed
//! byte of the encoding (for example a different bitcode version) fails here.

use crate::common::load;
use serde_json::Value;
use starlane_protocol::link::*;

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("missing {key:?} in {v}"))
}

fn bytes(v: &Value) -> Vec<u8> {
    hex::decode(text(v, "hex")).expect("hex field")
}

/// A decoded frame, as the JSON of its message.
fn decode(direction: &str, body: &[u8]) -> Result<Value, FrameError> {
    let json = |r: Result<Value, serde_json::Error>| r.expect("messages serialize");
    match direction {
        "edge_to_region" => EdgeToRegion::decode(body).map(|m| json(serde_json::to_value(m))),
        "region_to_edge" => RegionToEdge::decode(body).map(|m| json(serde_json::to_value(m))),
        other => panic!("unknown direction {other}"),
    }
}

fn encode(direction: &str, msg: &Value) -> Vec<u8> {
    match direction {
        "edge_to_region" => serde_json::from_value::<EdgeToRegion>(msg.clone())
            .expect("vector message parses")
            .encode(),
        _ => serde_json::from_value::<RegionToEdge>(msg.clone())
            .expect("vector message parses")
            .encode(),
    }
}

#[test]
fn every_message_variant_has_a_vector() {
    let vectors = load("link.json");
    let mut seen: Vec<u8> = vectors
        .iter()
        .map(|v| {
            let b = bytes(v);
            assert!(b.len() > LENGTH_PREFIX, "{}", text(v, "name"));
            b[LENGTH_PREFIX]
        })
        .collect();
    seen.sort_unstable();
    seen.dedup();
    let all: Vec<u8> = FrameType::ALL.iter().map(|t| t.code()).collect();
    assert_eq!(seen, all, "a frame type without a vector");
    let names: Vec<&str> = vectors.iter().map(|v| text(v, "name")).collect();
    for inner in [
        "view",
        "resources",
        "command_ack",
        "command_rejected",
        "job",
        "mixed",
    ] {
        assert!(
            names.iter().any(|n| *n == format!("to_client_{inner}")),
            "no ToClient vector for {inner}"
        );
    }
}

#[test]
fn valid_frames_decode_and_encode_exactly() {
    for v in load("link.json") {
        let (name, direction) = (text(&v, "name"), text(&v, "direction"));
        let wire = bytes(&v);
        let msg = v.get("msg").expect("msg field");
        let len = u32::from_le_bytes([wire[0], wire[1], wire[2], wire[3]]) as usize;
        assert_eq!(len + LENGTH_PREFIX, wire.len(), "{name}: length prefix");
        assert_eq!(
            decode(direction, &wire[LENGTH_PREFIX..]).as_ref(),
            Ok(msg),
            "{name}: decode"
        );
        assert_eq!(encode(direction, msg), wire, "{name}: encode");
    }
}

#[test]
fn a_stream_of_frames_decodes_in_any_chunking() {
    let vectors: Vec<Value> = load("link.json")
        .into_iter()
        .filter(|v| text(v, "direction") == "region_to_edge")
        .collect();
    let stream: Vec<u8> = vectors.iter().flat_map(bytes).collect();
    for chunk in [1, 2, 3, 7, 64, stream.len()] {
        let mut decoder = FrameDecoder::default();
        let mut got = Vec::new();
        for piece in stream.chunks(chunk) {
            decoder.push(piece);
            while let Some(body) = decoder.next_frame().expect("valid stream") {
                got.push(decode("region_to_edge", body).expect("valid frame"));
            }
        }
        let want: Vec<&Value> = vectors.iter().map(|v| &v["msg"]).collect();
        assert_eq!(got.iter().collect::<Vec<_>>(), want, "chunk {chunk}");
    }
}

#[test]
fn invalid_frames_fail_with_their_reason() {
    for v in load("link_invalid.json") {
        let (name, direction) = (text(&v, "name"), text(&v, "direction"));
        let mut decoder = FrameDecoder::default();
        decoder.push(&bytes(&v));
        let got = match decoder.next_frame() {
            Err(e) => e.label(),
            Ok(None) => panic!("{name}: incomplete"),
            Ok(Some(body)) => {
                let body = body.to_vec();
                decode(direction, &body)
                    .map_or_else(|e| e.label(), |m| panic!("{name}: decoded {m}"))
            }
        };
        assert_eq!(got, text(&v, "error"), "{name}");
    }
}
