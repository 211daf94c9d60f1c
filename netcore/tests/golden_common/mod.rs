//! Reading the golden vector files `netcore/vectors/*.json` (format: `netcore/SPEC.md`,
//! "Golden vectors"). A malformed vector file is a broken test, so these helpers panic with
//! the vector and field that are wrong.

pub mod reference;
pub mod script;

use serde_json::Value;
use std::net::SocketAddr;

/// The regeneration command, for failure messages.
pub const REGENERATE: &str = "cargo run -p starlane-netcore --example gen_udp_vectors";

/// The vectors of one file.
pub fn load(file: &str) -> Vec<Value> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("vectors")
        .join(file);
    let text = std::fs::read_to_string(&path).expect("vector file is readable");
    match serde_json::from_str(&text).expect("vector file is JSON") {
        Value::Array(v) => v,
        other => panic!("{file}: expected an array, got {other}"),
    }
}

/// The vector called `name`.
pub fn named<'a>(vectors: &'a [Value], name: &str) -> &'a Value {
    vectors
        .iter()
        .find(|v| v.get("name").and_then(Value::as_str) == Some(name))
        .unwrap_or_else(|| panic!("no vector named {name:?}"))
}

fn field<'a>(v: &'a Value, key: &str) -> &'a Value {
    v.get(key)
        .unwrap_or_else(|| panic!("missing {key:?} in {v}"))
}

/// A string field.
pub fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    field(v, key)
        .as_str()
        .unwrap_or_else(|| panic!("{key:?} is not a string in {v}"))
}

/// An unsigned integer field.
pub fn num(v: &Value, key: &str) -> u64 {
    field(v, key)
        .as_u64()
        .unwrap_or_else(|| panic!("{key:?} is not an unsigned integer in {v}"))
}

/// A lowercase hex field as bytes.
pub fn bytes(v: &Value, key: &str) -> Vec<u8> {
    let h = text(v, key);
    assert_eq!(h, h.to_lowercase(), "{key:?}: hex must be lowercase");
    hex::decode(h).unwrap_or_else(|e| panic!("{key:?} is not hex ({e}) in {v}"))
}

/// A hex field of exactly `N` bytes.
pub fn array<const N: usize>(v: &Value, key: &str) -> [u8; N] {
    bytes(v, key)
        .try_into()
        .unwrap_or_else(|_| panic!("{key:?} is not {N} bytes in {v}"))
}

/// A socket address field (`a.b.c.d:port` or `[v6]:port`).
pub fn addr(v: &Value, key: &str) -> SocketAddr {
    text(v, key)
        .parse()
        .unwrap_or_else(|e| panic!("{key:?} is not a socket address ({e}) in {v}"))
}

/// `packet` with byte `at` inverted.
pub fn flipped(packet: &[u8], at: usize) -> Vec<u8> {
    let mut out = packet.to_vec();
    out[at] ^= 0xff;
    out
}
