//! Shared set-up of the QUIC driver tests: a server on a loopback port with the same kind of
//! self-signed certificate the edge uses, and helpers reading link events with a deadline.

#![allow(dead_code, clippy::unwrap_used)]

use starlane_netcore::quic::{QuicIdentity, QuicServer, QuicServerConfig};
use starlane_netcore::transport::{Link, QueueLimits};
use starlane_netcore::webtransport::self_signed_identity;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::mpsc::Receiver;

pub use crate::link_events::{WAIT, accept, next, next_reliable};

/// A QUIC server bound on `bind` with a fresh self-signed certificate; returns the
/// certificate's SHA-256 too.
pub fn server(bind: &str, idle_timeout: Duration) -> (QuicServer, Receiver<Link>, [u8; 32]) {
    server_with(bind, idle_timeout, QueueLimits::DEFAULT)
}

/// [`server`] with the given queue bounds.
pub fn server_with(
    bind: &str,
    idle_timeout: Duration,
    queues: QueueLimits,
) -> (QuicServer, Receiver<Link>, [u8; 32]) {
    let (wt, hash) = self_signed_identity(&["localhost", "127.0.0.1", "::1"]).unwrap();
    let identity = QuicIdentity::from_webtransport(&wt).unwrap();
    let (server, accepted) = QuicServer::bind(QuicServerConfig {
        bind: bind.parse().unwrap(),
        identity,
        idle_timeout,
        queues,
        first_message_limit: None,
    })
    .unwrap();
    (server, accepted, hash)
}

/// The loopback address of `server`'s port for the given family.
pub fn loopback(server: &QuicServer, v6: bool) -> SocketAddr {
    let ip: std::net::IpAddr = if v6 {
        std::net::Ipv6Addr::LOCALHOST.into()
    } else {
        std::net::Ipv4Addr::LOCALHOST.into()
    };
    SocketAddr::new(ip, server.local_addr().port())
}
