//! A UDP echo server on loopback for the impairment proxy tests.

#![allow(dead_code)]

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
