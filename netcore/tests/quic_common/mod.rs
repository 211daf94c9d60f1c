//! Shared set-up of the QUIC driver tests: a server on a loopback port with the same kind of
//! self-signed certificate the edge uses, and helpers reading link events with a deadline.

#![allow(dead_code, clippy::unwrap_used)]

use starlane_netcore::quic::{QuicIdentity, QuicServer, QuicServerConfig};
use starlane_netcore::transport::{Link, Liveness, QueueLimits};
use starlane_netcore::webtransport::self_signed_identity;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::net::UdpSocket;
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
        liveness: Liveness::idle(idle_timeout),
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

/// Forward datagrams between one client and `server` until `cut` is set; returns the
/// relay's address.
pub async fn relay(server: SocketAddr, cut: Arc<AtomicBool>) -> SocketAddr {
    let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = sock.local_addr().unwrap();
    tokio::spawn(async move {
        let mut client: Option<SocketAddr> = None;
        let mut buf = vec![0u8; 65_536];
        while let Ok((n, from)) = sock.recv_from(&mut buf).await {
            if cut.load(Ordering::Relaxed) {
                continue;
            }
            let to = if from == server {
                match client {
                    Some(c) => c,
                    None => continue,
                }
            } else {
                client = Some(from);
                server
            };
            let _ = sock.send_to(&buf[..n], to).await;
        }
    });
    addr
}
