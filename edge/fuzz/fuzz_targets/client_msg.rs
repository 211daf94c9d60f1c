//! Every client-protocol message, both directions (`ClientMsg` / `ServerMsg::decode`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| starlane_fuzz::checks::client_msg(data));
