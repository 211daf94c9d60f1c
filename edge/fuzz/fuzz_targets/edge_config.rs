//! The edge configuration: TOML, environment overrides, validation.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| starlane_fuzz::checks::edge_config(data));
