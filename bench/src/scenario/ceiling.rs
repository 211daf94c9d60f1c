//! The machine's UDP ceilings on loopback, measured in the same run as the edge so the edge's
//! datagrams per core-second are read against them:
//!
//! * [`loopback_ceiling`]: an echo thread and a client thread, one `recvfrom` and one
//!   `sendto` per datagram on each side, 32 in flight;
//! * [`batched_ceiling`]: the echo as the edge's batched socket can at best answer pings from
//!   many clients (`quinn-udp`): it reads up to 32 datagrams (or GRO trains) per `recvmmsg`
//!   and answers each datagram with its own send, since answers to different clients cannot
//!   share a GSO send. The client, which must not be the bottleneck, sends runs of 32
//!   datagrams as one GSO send and reads with `recvmmsg`; 256 in flight. (Echoing each GRO
//!   train back as one GSO send instead reaches 4 to 7 million echoes/s here: what one peer
//!   exchanging runs could reach, not a load of many clients.)
//!
//! An echo is one datagram each way; both count echoes per second of wall time (the two
//! threads take a core each).

use serde::Serialize;
use std::io::IoSliceMut;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// A loopback ceiling.
#[derive(Debug, Clone, Serialize)]
pub struct Ceiling {
    /// Echoes completed.
    pub echoes: u64,
    /// Seconds taken.
    pub secs: f64,
    /// Echo round trips per second (each is two datagrams sent and two received).
    pub echoes_per_sec: f64,
}

impl Ceiling {
    fn new(echoes: u64, secs: f64) -> Self {
        Self {
            echoes,
            secs,
            echoes_per_sec: echoes as f64 / secs.max(1e-9),
        }
    }
}

/// Longest a ceiling measurement runs.
const LIMIT: Duration = Duration::from_secs(30);
/// Bytes per echoed datagram (a ping's size).
const PAYLOAD: usize = 64;

/// Echo `count` datagrams between two threads over loopback with a window of 32 in flight.
pub fn loopback_ceiling(count: u64) -> std::io::Result<Ceiling> {
    const WINDOW: u64 = 32;
    let echo = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
    let client = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
    client.connect(echo.local_addr()?)?;
    echo.set_read_timeout(Some(Duration::from_millis(50)))?;
    client.set_read_timeout(Some(Duration::from_millis(50)))?;
    let stop = Arc::new(AtomicBool::new(false));
    let echo_stop = stop.clone();
    let echo_thread = std::thread::spawn(move || {
        let mut buf = [0u8; 256];
        while !echo_stop.load(Ordering::Relaxed) {
            if let Ok((n, from)) = echo.recv_from(&mut buf) {
                let _ = echo.send_to(&buf[..n], from);
            }
        }
    });
    let payload = [7u8; PAYLOAD];
    let mut buf = [0u8; 256];
    let start = Instant::now();
    let (mut sent, mut received) = (0u64, 0u64);
    while sent < WINDOW.min(count) {
        client.send(&payload)?;
        sent += 1;
    }
    while received < count && start.elapsed() < LIMIT {
        match client.recv(&mut buf) {
            Ok(_) => {
                received += 1;
                if sent < count {
                    client.send(&payload)?;
                    sent += 1;
                }
            }
            // A lost datagram: put its credit back.
            Err(_) if sent < count => {
                client.send(&payload)?;
                sent += 1;
            }
            Err(_) => break,
        }
    }
    let secs = start.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let _ = echo_thread.join();
    Ok(Ceiling::new(received, secs))
}

/// A nonblocking loopback socket with `quinn-udp`'s batched calls and its read buffers.
struct Batched {
    socket: UdpSocket,
    state: quinn_udp::UdpSocketState,
    bufs: Vec<Vec<u8>>,
    meta: Vec<quinn_udp::RecvMeta>,
}

impl Batched {
    fn bind() -> std::io::Result<Self> {
        let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
        let state = quinn_udp::UdpSocketState::new((&socket).into())?;
        let slot = 2048 * state.gro_segments().max(1);
        Ok(Self {
            bufs: (0..quinn_udp::BATCH_SIZE).map(|_| vec![0; slot]).collect(),
            meta: vec![quinn_udp::RecvMeta::default(); quinn_udp::BATCH_SIZE],
            socket,
            state,
        })
    }

    /// One `recvmmsg`: how many buffers it filled (0 when nothing waits); read them with
    /// [`Batched::received`].
    fn recv(&mut self) -> usize {
        let mut slices: Vec<IoSliceMut<'_>> =
            self.bufs.iter_mut().map(|b| IoSliceMut::new(b)).collect();
        self.state
            .recv((&self.socket).into(), &mut slices, &mut self.meta)
            .unwrap_or(0)
    }

    /// Buffer `i` of the last read: its sender, bytes and stride (datagram size).
    fn received(&self, i: usize) -> Option<(SocketAddr, &[u8], usize)> {
        let m = self.meta.get(i)?;
        let bytes = self.bufs.get(i)?.get(..m.len)?;
        Some((m.addr, bytes, m.stride.max(1)))
    }

    /// Send `bytes` to `to` as datagrams of `segment` bytes (one GSO send); true if sent.
    fn send(&self, to: SocketAddr, bytes: &[u8], segment: usize) -> bool {
        let t = quinn_udp::Transmit {
            destination: to,
            ecn: None,
            contents: bytes,
            segment_size: (bytes.len() > segment).then_some(segment),
            src_ip: None,
        };
        self.state.try_send((&self.socket).into(), &t).is_ok()
    }
}

/// Echo `count` datagrams between two threads over loopback with batched system calls on
/// both sides (see the module's comment) and 256 in flight.
pub fn batched_ceiling(count: u64) -> std::io::Result<Ceiling> {
    const WINDOW: u64 = 256;
    const RUN: u64 = 32;
    let mut echo = Batched::bind()?;
    let mut client = Batched::bind()?;
    let to = echo.socket.local_addr()?;
    let stop = Arc::new(AtomicBool::new(false));
    let echo_stop = stop.clone();
    let echo_thread = std::thread::spawn(move || {
        while !echo_stop.load(Ordering::Relaxed) {
            let n = echo.recv();
            if n == 0 {
                std::thread::yield_now();
            }
            for i in 0..n {
                if let Some((from, bytes, stride)) = echo.received(i) {
                    for d in bytes.chunks(stride) {
                        echo.send(from, d, stride);
                    }
                }
            }
        }
    });
    let run = vec![7u8; PAYLOAD * RUN as usize];
    let start = Instant::now();
    let (mut sent, mut received) = (0u64, 0u64);
    let mut last_arrival = Instant::now();
    while received < count && start.elapsed() < LIMIT {
        while sent < count && sent - received.min(sent) + RUN <= WINDOW {
            let n = RUN.min(count - sent);
            let bytes = run.get(..PAYLOAD * n as usize).unwrap_or_default();
            if !client.send(to, bytes, PAYLOAD) {
                break;
            }
            sent += n;
        }
        let n = client.recv();
        if n == 0 {
            // Datagrams lost on the way: put their credit back.
            if last_arrival.elapsed() > Duration::from_millis(50) {
                sent = received;
                last_arrival = Instant::now();
            }
            std::thread::yield_now();
            continue;
        }
        last_arrival = Instant::now();
        for i in 0..n {
            if let Some((_, bytes, stride)) = client.received(i) {
                received += bytes.len().div_ceil(stride) as u64;
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let _ = echo_thread.join();
    Ok(Ceiling::new(received.min(count), secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_ceiling_echoes_every_datagram() {
        let c = loopback_ceiling(1000).expect("loopback works");
        assert!(c.echoes >= 990, "echoed {}", c.echoes);
        assert!(c.echoes_per_sec > 0.0);
    }

    #[test]
    fn batched_ceiling_echoes_every_datagram() {
        let c = batched_ceiling(10_000).expect("loopback works");
        assert_eq!(c.echoes, 10_000);
        assert!(c.echoes_per_sec > 0.0);
    }
}
