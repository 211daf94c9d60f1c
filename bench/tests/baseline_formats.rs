//! The baseline encodings: seed 004's JSON byte for byte, and MessagePack carrying the same
//! message.
#![allow(clippy::unwrap_used)]

use serde_json::{Value, json};
use starlane_bench::baseline::{
    encode_json, encode_msgpack_compact, encode_msgpack_named, synthetic_stream,
};
use starlane_protocol::{
    EntityChange, EntityKind, EntityState, Hex, ResourceKind, Update, Visibility, VisionChange,
};

/// The seed's example message, with this platform's kinds and resources.
fn known_update() -> Update {
    Update {
        tick: 12345,
        appeared: vec![EntityState {
            id: 123,
            kind: EntityKind::Scout,
            owner: 7,
            pos: Hex::new(10, 5),
            health: 100,
        }],
        changed: vec![
            EntityChange {
                id: 456,
                pos: Some(Hex::new(11, 6)),
                health: Some(75),
            },
            EntityChange {
                id: 457,
                pos: None,
                health: Some(3),
            },
            EntityChange {
                id: 458,
                pos: Some(Hex::new(-2, 0)),
                health: None,
            },
        ],
        disappeared: vec![789],
        vision: vec![
            VisionChange {
                hex: Hex::new(10, 5),
                state: Visibility::Visible,
            },
            VisionChange {
                hex: Hex::new(9, -4),
                state: Visibility::Fog,
            },
        ],
        resources: vec![(ResourceKind::Credits, 1500), (ResourceKind::Metal, 800)],
    }
}

#[test]
fn json_is_the_seed_update_message_byte_for_byte() {
    let expected = concat!(
        r#"{"type":"update","tick":12345,"#,
        r#""appeared":[{"id":"unit_123","type":"scout","pos":[10,5],"owner":"empire_7","health":100,"data":{}}],"#,
        r#""changed":[{"id":"unit_456","pos":[11,6],"health":75},{"id":"unit_457","health":3},{"id":"unit_458","pos":[-2,0]}],"#,
        r#""disappeared":["unit_789"],"#,
        r#""vision":[{"hex":[10,5],"state":2},{"hex":[9,-4],"state":1}],"#,
        r#""resources":{"credits":1500,"metal":800}}"#
    );
    assert_eq!(
        String::from_utf8(encode_json(&known_update())).unwrap(),
        expected
    );
}

#[test]
fn empty_update_keeps_every_key() {
    let empty = Update::default();
    assert_eq!(
        String::from_utf8(encode_json(&empty)).unwrap(),
        r#"{"type":"update","tick":0,"appeared":[],"changed":[],"disappeared":[],"vision":[],"resources":{}}"#
    );
}

#[test]
fn named_msgpack_decodes_to_the_json_message() {
    let mut updates = vec![known_update(), Update::default()];
    updates.extend(synthetic_stream(3, 60, 30));
    for u in &updates {
        let from_json: Value = serde_json::from_slice(&encode_json(u)).unwrap();
        let from_msgpack: Value = rmp_serde::from_slice(&encode_msgpack_named(u)).unwrap();
        assert_eq!(from_msgpack, from_json, "tick {}", u.tick);
    }
}

#[test]
fn compact_msgpack_is_the_same_information_positionally() {
    let decoded: Value = rmp_serde::from_slice(&encode_msgpack_compact(&known_update())).unwrap();
    let expected = json!([
        "update",
        12345,
        [["unit_123", "scout", [10, 5], "empire_7", 100, {}]],
        [["unit_456", [11, 6], 75], ["unit_457", null, 3], ["unit_458", [-2, 0], null]],
        ["unit_789"],
        [[[10, 5], 2], [[9, -4], 1]],
        {"credits": 1500, "metal": 800}
    ]);
    assert_eq!(decoded, expected);
}

#[test]
fn msgpack_is_smaller_than_json_and_compact_smallest() {
    for u in synthetic_stream(11, 100, 10) {
        let json = encode_json(&u).len();
        let named = encode_msgpack_named(&u).len();
        let compact = encode_msgpack_compact(&u).len();
        assert!(named < json, "tick {}: {named} >= {json}", u.tick);
        assert!(compact < named, "tick {}: {compact} >= {named}", u.tick);
    }
}
