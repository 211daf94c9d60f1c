//! The region game server's configuration: TOML, environment overrides, validation.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| starlane_fuzz::checks::game_config(data));
