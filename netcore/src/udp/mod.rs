//! Encrypted reliable UDP: laminar running over a Noise-keyed, AEAD-encrypting socket.
//!
//! * [`UdpServer::bind`] accepts clients and hands out one [`Link`](crate::link::Link) each.
//! * [`connect`] is the native client: one link to one server.
//! * [`generate_keypair`], [`key_to_hex`], [`key_from_hex`] manage the server's static key.

mod acks;
mod chunk;
mod client;
mod driver;
mod keys;
mod server;
mod socket;

pub use client::{ConnectError, connect, connect_with};
pub use driver::{FRAGMENT_SIZE, MAX_MESSAGE, laminar_config};
pub use keys::{
    KeyError, generate_keypair, key_from_hex, key_to_hex, load_key, public_key_of, save_key,
};
pub use server::{UdpServer, UdpServerConfig};
pub use socket::CryptoSocket;
