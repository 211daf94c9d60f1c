//! Encrypted UDP: the driver of the sans-IO [`Endpoint`](crate::proto::endpoint::Endpoint) (cookie
//! and Noise handshake, AEAD sessions, netcore's channel byte, reliable messages and sequenced datagrams).
//!
//! * [`UdpServer::bind`] accepts clients and hands out one [`Link`](crate::transport::Link) each.
//! * [`connect`] is the native client: one link to one server.
//! * [`generate_keypair`], [`key_to_hex`], [`key_from_hex`] manage the server's static key.

mod client;
mod driver;
mod keys;
mod routing;
mod server;
mod socket;

pub use client::{CLIENT_MAX_MESSAGE, ConnectError, connect, connect_with};
pub use keys::{
    KeyError, generate_keypair, key_from_hex, key_to_hex, load_key, public_key_of, save_key,
};
pub use server::{SocketCalls, UdpServer, UdpServerConfig, UdpServerStats};
