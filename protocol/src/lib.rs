//! Wire formats of the platform. Pure code: no sockets, no clocks.
//!
//! * [`client`]: the bit-packed, versioned client protocol spoken between game clients
//!   (browser and native) and the edge relay. Specified bit for bit in `protocol/SPEC.md`,
//!   with golden vectors in `protocol/vectors/` that the Rust and TypeScript codecs both pass.
//! * [`delta`]: the delta-update datagrams (`EntityPacket`, `Ack`) of the client protocol.
//! * [`Hex`] (in `src/hex.rs`): the axial coordinate, with the one overflow-safe hex math
//!   (distance, neighbours, rotation) that the region, the edge and both clients use.
//! * [`link`]: the edge-region link's wire format, link protocol version 8, specified in
//!   `protocol/LINK.md` with golden vectors in `protocol/vectors/link*.json`: typed frames over
//!   one QUIC stream, hand-laid control frames (`Hello`, `Welcome`, `Close`) and bitcode 0.6.9
//!   messages. Its state machines are in `starlane_netcore::proto::link`.

// Unit tests may unwrap: a failure there is a test failure, not peer input.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod bits;
pub mod client;
pub mod codec;
pub mod delta;
pub mod economy;
// Private: `Hex` is re-exported (through `types`), and a public `hex` module would shadow the
// `hex` crate in every `use starlane_protocol::*`.
mod hex;
pub mod link;
pub mod memory;
pub mod sharing;
pub mod social;
pub mod types;

pub use types::*;
