//! Bandwidth profiles: TOML, validation, and what the edge builds from a valid one.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| starlane_fuzz::checks::bandwidth_profile(data));
