//! The encrypted-UDP endpoint in the client role: raw datagrams from its server's address and
//! others, alongside a real server.
#![no_main]

use starlane_fuzz::handshake::{Focus, Sim};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    Sim::run(Focus::Client, data);
});
