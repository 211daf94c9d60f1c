//! The encrypted-UDP endpoint in the server role: raw datagrams from many sources alongside
//! real clients, with the no-amplification check.
#![no_main]

use starlane_fuzz::handshake::{Focus, Sim};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    Sim::run(Focus::Server, data);
});
