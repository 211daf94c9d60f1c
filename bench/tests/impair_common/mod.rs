//! Shared set-up of the impairment proxy tests: a UDP echo server on loopback, and encrypted
//! UDP sessions through a proxy.

#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::UdpSocket;

/// Echoes every datagram to its sender and remembers the senders.
pub struct Echo {
    pub addr: SocketAddr,
    pub sources: Arc<Mutex<HashSet<SocketAddr>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Echo {
    pub async fn start() -> Echo {
        let socket = UdpSocket::bind("127.0.0.1:0").await.expect("bind loopback");
        let addr = socket.local_addr().expect("bound");
        let sources = Arc::new(Mutex::new(HashSet::new()));
        let seen = Arc::clone(&sources);
        let task = tokio::spawn(async move {
            let mut buf = vec![0u8; 65_535];
            while let Ok((len, from)) = socket.recv_from(&mut buf).await {
                seen.lock().expect("not poisoned").insert(from);
                let _ = socket.send_to(&buf[..len], from).await;
            }
        });
        Echo {
            addr,
            sources,
            task,
        }
    }

    pub fn sources(&self) -> HashSet<SocketAddr> {
        self.sources.lock().expect("not poisoned").clone()
    }
}

impl Drop for Echo {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A client socket on loopback.
pub async fn client() -> UdpSocket {
    UdpSocket::bind("127.0.0.1:0").await.expect("bind loopback")
}

/// Receive one datagram within `wait`, if any.
pub async fn recv_within(socket: &UdpSocket, wait: Duration) -> Option<Vec<u8>> {
    let mut buf = vec![0u8; 65_535];
    match tokio::time::timeout(wait, socket.recv(&mut buf)).await {
        Ok(Ok(len)) => Some(buf[..len].to_vec()),
        _ => None,
    }
}

/// An encrypted UDP session through an impairment proxy: the client's link, the server's link.
pub struct ImpairedSession {
    pub client: starlane_netcore::transport::Link,
    pub edge: starlane_netcore::transport::Link,
    pub proxy: starlane_bench::impair::ImpairProxy,
    pub server: starlane_netcore::udp::UdpServer,
}

/// Bounded wait for every event in these tests.
pub const WAIT: Duration = Duration::from_secs(20);

/// Start a `UdpServer`, a proxy in front of it with `path`, and connect a client through it.
pub async fn impaired_session(
    path: starlane_netcore::proto::emulator::DuplexConfig,
) -> ImpairedSession {
    use starlane_netcore::udp::{UdpServer, UdpServerConfig, connect, generate_keypair};
    let (private, public) = generate_keypair();
    let (server, mut accepted) = UdpServer::bind(UdpServerConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        static_private_key: private,
        idle_timeout: Duration::from_secs(10),
        queues: starlane_netcore::transport::QueueLimits::DEFAULT,
        first_message_limit: None,
    })
    .unwrap();
    let proxy = starlane_bench::impair::ImpairProxy::start(
        "127.0.0.1:0".parse().unwrap(),
        server.local_addr(),
        path.up,
        path.down,
    )
    .unwrap();
    let client = connect(proxy.local_addr(), public, WAIT).await.unwrap();
    let edge = tokio::time::timeout(WAIT, accepted.recv())
        .await
        .unwrap()
        .unwrap();
    ImpairedSession {
        client,
        edge,
        proxy,
        server,
    }
}

/// The next reliable message that is not `b"filler"`, within [`WAIT`]; `None` if the wait ends.
pub async fn next_message_within(
    link: &mut starlane_netcore::transport::Link,
    wait: Duration,
) -> Option<Vec<u8>> {
    use starlane_netcore::transport::LinkEvent;
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, link.events.recv()).await {
            Ok(Some(LinkEvent::Reliable(data))) if data != b"filler" => return Some(data),
            Ok(Some(LinkEvent::Closed(why))) => panic!("link closed: {why:?}"),
            Ok(Some(_)) => {}
            Ok(None) => panic!("link gone"),
            Err(_) => return None,
        }
    }
}

/// The next reliable message that is not filler; panics after [`WAIT`].
pub async fn next_message(link: &mut starlane_netcore::transport::Link) -> Vec<u8> {
    next_message_within(link, WAIT)
        .await
        .expect("a reliable message in time")
}

/// Keep small reliable filler flowing both ways, so both directions carry acknowledgements
/// and loss is exercised on every packet (written for laminar 0.5, whose resends waited for
/// later acknowledgements; netcore resends on a timer).
pub fn spawn_filler(
    up: starlane_netcore::transport::LinkSender,
    down: starlane_netcore::transport::LinkSender,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        for _ in 0..2000 {
            up.send_reliable(b"filler".to_vec());
            down.send_reliable(b"filler".to_vec());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
}
