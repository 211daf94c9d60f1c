//! Golden cases of the shared hex math (`protocol/vectors/hex.json`): the six directions in
//! their order and hex distances, including the `i32` extremes that hostile wire coordinates
//! can name. The expected distances are written out by hand and checked against
//! [`Hex::distance`] when the file is generated; the Rust and TypeScript implementations both
//! check the file.

use serde_json::{Value, json};
use starlane_protocol::Hex;

const MIN: i32 = i32::MIN;
const MAX: i32 = i32::MAX;

/// `(name, a, b, distance)`: `distance` is exact, or `u32::MAX` where the exact distance is
/// larger (the name says "saturates").
fn distance_cases() -> Vec<(&'static str, Hex, Hex, u32)> {
    let h = Hex::new;
    vec![
        ("same_hex", h(0, 0), h(0, 0), 0),
        ("east_neighbour", h(0, 0), h(1, 0), 1),
        ("north_west_neighbour", h(4, -2), h(4, -3), 1),
        ("along_q", h(-7, 3), h(5, 3), 12),
        ("along_r", h(2, -6), h(2, 1), 7),
        ("along_s", h(5, 5), h(0, 0), 10),
        ("mixed", h(3, -1), h(-2, 4), 5),
        ("mixed_short", h(0, 0), h(3, -1), 3),
        ("through_origin", h(-2, 2), h(2, -2), 4),
        ("chunk_radius", h(19, -9), h(0, 0), 19),
        ("near_max_exact", h(MAX, 0), h(MAX - 5, 2), 5),
        ("near_min_exact", h(MIN, MIN + 3), h(MIN + 2, MIN), 3),
        ("min_q_to_origin", h(MIN, 0), h(0, 0), 1 << 31),
        ("max_q_min_r_to_origin", h(MAX, MIN), h(0, 0), 1 << 31),
        ("max_max_to_origin", h(MAX, MAX), h(0, 0), u32::MAX - 1),
        ("full_q_span", h(MIN, 0), h(MAX, 0), u32::MAX),
        ("full_r_span", h(0, MAX), h(0, MIN), u32::MAX),
        ("opposite_q_and_r_spans", h(MIN, MAX), h(MAX, MIN), u32::MAX),
        (
            "min_min_to_origin_saturates",
            h(MIN, MIN),
            h(0, 0),
            u32::MAX,
        ),
        (
            "corner_to_corner_saturates",
            h(MIN, MIN),
            h(MAX, MAX),
            u32::MAX,
        ),
    ]
}

fn hex_json(h: Hex) -> Value {
    json!({ "q": h.q, "r": h.r })
}

/// The contents of `hex.json`.
pub fn hex_vectors() -> Value {
    let distance: Vec<Value> = distance_cases()
        .into_iter()
        .map(|(name, a, b, d)| {
            assert_eq!(a.distance(b), d, "{name}");
            assert_eq!(b.distance(a), d, "{name} (reversed)");
            json!({ "name": name, "a": hex_json(a), "b": hex_json(b), "distance": d })
        })
        .collect();
    json!({
        "directions": Hex::DIRECTIONS.iter().map(|d| hex_json(*d)).collect::<Vec<_>>(),
        "distance": distance,
    })
}
