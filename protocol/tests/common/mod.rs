//! Reading the golden vector files of `protocol/vectors/`.

use serde_json::Value;

/// The JSON of `vectors/<file>`.
pub fn load_json(file: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("vectors")
        .join(file);
    let text = std::fs::read_to_string(&path).expect("vector file is readable");
    serde_json::from_str(&text).expect("vector file is JSON")
}

/// The cases of `vectors/<file>`, a JSON array.
pub fn load(file: &str) -> Vec<Value> {
    match load_json(file) {
        Value::Array(v) => v,
        other => panic!("{file}: expected an array, got {other}"),
    }
}
