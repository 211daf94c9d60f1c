//! The delta codec: `EntityPacket` decode, `Ack` handling, encoder round trip.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| starlane_fuzz::checks::entity_packet(data));
