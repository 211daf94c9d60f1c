//! Seeds of `link_frame`: every frame of the link's golden vectors (`protocol/vectors/link.json`
//! and `link_invalid.json`), as single frames, as streams, and as streams fed to the state
//! machines.

use super::{repo, seed};
use serde_json::Value;

/// `(name, direction is region to edge, whole frame)` of a vector file.
fn frames(file: &str) -> Vec<(String, bool, Vec<u8>)> {
    let path = repo().join("protocol/vectors").join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let Value::Array(vectors) = serde_json::from_str(&text).unwrap() else {
        panic!("{file}: not an array");
    };
    vectors
        .iter()
        .map(|v| {
            let name = v["name"].as_str().unwrap().to_owned();
            let down = v["direction"].as_str().unwrap() == "region_to_edge";
            (name, down, hex::decode(v["hex"].as_str().unwrap()).unwrap())
        })
        .collect()
}

pub fn write() {
    let mut streams = [vec![2u8, 7], vec![3u8, 7], vec![6u8, 5], vec![7u8, 64]];
    for (name, down, frame) in frames("link.json") {
        // A single frame: the mode byte, then the type byte and payload.
        let mut single = vec![u8::from(down)];
        single.extend_from_slice(&frame[4..]);
        seed("link_frame", &format!("frame-{name}"), &single);
        let i = usize::from(down);
        streams[i].extend_from_slice(&frame);
        streams[i + 2].extend_from_slice(&frame);
    }
    for (name, stream) in [
        "stream-to-region",
        "stream-to-edge",
        "core-region",
        "core-edge",
    ]
    .iter()
    .zip(&streams)
    {
        seed("link_frame", name, stream);
    }
    for (name, down, frame) in frames("link_invalid.json") {
        let mut stream = vec![2 | u8::from(down), 64];
        stream.extend_from_slice(&frame);
        seed("link_frame", &format!("invalid-{name}"), &stream);
        stream[0] |= 4;
        seed("link_frame", &format!("invalid-core-{name}"), &stream);
    }
}
