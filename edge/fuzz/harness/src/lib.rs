//! Shared parts of the fuzz targets in `fuzz_targets/` (see `README.md`).
//!
//! * [`input`]: the byte cursor the structured targets read their operations with.
//! * [`handshake`]: a simulated network around the encrypted-UDP endpoint.
//! * [`packets`]: entity packets built from fuzz input, for the encoder round trip.
//! * [`checks`]: the properties the decoder targets assert.

pub mod checks;
pub mod handshake;
pub mod input;
pub mod packets;
