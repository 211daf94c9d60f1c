//! Edge-region link frames, both directions, single bodies and length-prefixed streams.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| starlane_fuzz::checks::link_frame(data));
