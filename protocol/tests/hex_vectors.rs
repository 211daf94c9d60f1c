//! Golden hex-math cases (`protocol/vectors/hex.json`, shared with the web client's
//! `test/hex.test.ts`): the six directions in order, and every distance, including the `i32`
//! extremes, computed without overflow (this binary runs with overflow checks in debug builds).

use crate::common::load_json;
use serde_json::Value;
use starlane_protocol::Hex;

fn hex_of(v: &Value) -> Hex {
    let coord = |key: &str| {
        let n = v[key].as_i64().unwrap_or_else(|| panic!("{key:?} in {v}"));
        i32::try_from(n).expect("a coordinate fits i32")
    };
    Hex::new(coord("q"), coord("r"))
}

#[test]
fn directions_match_in_order() {
    let file = load_json("hex.json");
    let directions: Vec<Hex> = file["directions"]
        .as_array()
        .expect("directions is an array")
        .iter()
        .map(hex_of)
        .collect();
    assert_eq!(directions, Hex::DIRECTIONS);
    let origin = Hex::new(0, 0);
    assert_eq!(origin.neighbors().to_vec(), directions);
}

#[test]
fn distances_match_both_ways() {
    let file = load_json("hex.json");
    let cases = file["distance"].as_array().expect("distance is an array");
    assert!(cases.len() >= 20, "{} cases", cases.len());
    let mut saturated = 0;
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let (a, b) = (hex_of(&case["a"]), hex_of(&case["b"]));
        let want = case["distance"].as_u64().expect("distance");
        assert_eq!(u64::from(a.distance(b)), want, "{name}");
        assert_eq!(u64::from(b.distance(a)), want, "{name} (reversed)");
        saturated += usize::from(want == u64::from(u32::MAX));
    }
    assert!(saturated >= 2, "the extremes are covered");
}
