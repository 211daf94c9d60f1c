//! A per-client UDP relay on loopback: each client talks to its own front socket, which
//! forwards to the server through a back socket of its own (so the server sees one address
//! per client). The relay counts what each client receives and sends, and can impair both
//! directions (loss, latency, jitter) with a seeded generator, so every stack crosses the same
//! network. It is stepped by the thread that owns the clients.

use rand::{Rng, SeedableRng, rngs::StdRng};
use serde::Serialize;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

/// Impairment of each direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Impair {
    /// Chance in 0..1 that a datagram is dropped.
    pub loss: f64,
    /// One-way delay, and uniform jitter of +/- this much around it.
    pub latency_ms: f64,
    pub jitter_ms: f64,
    pub seed: u64,
}

impl Impair {
    fn delay(&self, rng: &mut StdRng) -> Option<Duration> {
        if self.loss > 0.0 && rng.random_bool(self.loss.clamp(0.0, 1.0)) {
            return None;
        }
        let j = if self.jitter_ms > 0.0 {
            rng.random_range(-self.jitter_ms..=self.jitter_ms)
        } else {
            0.0
        };
        Some(Duration::from_secs_f64(
            (self.latency_ms + j).max(0.0) / 1000.0,
        ))
    }
}

/// Cumulative counts of one client's relay.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Datagrams and UDP payload bytes from the server that reached this client (after any
    /// loss), as the platform's clients count what they receive.
    pub down_packets: u64,
    pub down_bytes: u64,
    /// Datagrams and bytes the client sent (before any loss).
    pub up_packets: u64,
    pub up_bytes: u64,
}

type Queue = BinaryHeap<Reverse<(Instant, u64, Vec<u8>)>>;

struct Lane {
    front: UdpSocket,
    back: UdpSocket,
    client: Option<SocketAddr>,
    counts: Counts,
    up: Queue,
    down: Queue,
}

/// The relays of all clients.
pub struct Relay {
    server: SocketAddr,
    lanes: Vec<Lane>,
    impair: Impair,
    rng: StdRng,
    seq: u64,
    buf: Vec<u8>,
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay")
            .field("server", &self.server)
            .field("lanes", &self.lanes.len())
            .finish_non_exhaustive()
    }
}

impl Relay {
    /// Relays for `clients` clients to `server`, all on 127.0.0.1.
    pub fn new(server: SocketAddr, clients: usize, impair: Impair) -> std::io::Result<Relay> {
        let mut lanes = Vec::with_capacity(clients);
        for _ in 0..clients {
            let front = UdpSocket::bind("127.0.0.1:0")?;
            let back = UdpSocket::bind("127.0.0.1:0")?;
            front.set_nonblocking(true)?;
            back.set_nonblocking(true)?;
            lanes.push(Lane {
                front,
                back,
                client: None,
                counts: Counts::default(),
                up: Queue::new(),
                down: Queue::new(),
            });
        }
        Ok(Relay {
            server,
            lanes,
            impair,
            rng: StdRng::seed_from_u64(impair.seed),
            seq: 0,
            buf: vec![0; 65_536],
        })
    }

    /// The address client `i` sends to.
    pub fn front(&self, i: usize) -> std::io::Result<SocketAddr> {
        self.lanes[i].front.local_addr()
    }

    /// The address the server sees for client `i`.
    pub fn back(&self, i: usize) -> std::io::Result<SocketAddr> {
        self.lanes[i].back.local_addr()
    }

    /// Client `i`'s counts so far.
    pub fn counts(&self, i: usize) -> Counts {
        self.lanes[i].counts
    }

    /// Move every datagram waiting on a socket into its queue, and send those due by `now`.
    pub fn poll(&mut self, now: Instant) {
        for lane in &mut self.lanes {
            loop {
                match lane.front.recv_from(&mut self.buf) {
                    Ok((n, from)) => {
                        lane.client = Some(from);
                        lane.counts.up_packets += 1;
                        lane.counts.up_bytes += n as u64;
                        if let Some(d) = self.impair.delay(&mut self.rng) {
                            self.seq += 1;
                            lane.up
                                .push(Reverse((now + d, self.seq, self.buf[..n].to_vec())));
                        }
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(_) => break,
                }
            }
            loop {
                match lane.back.recv_from(&mut self.buf) {
                    Ok((n, from)) if from == self.server => {
                        if let Some(d) = self.impair.delay(&mut self.rng) {
                            self.seq += 1;
                            lane.down
                                .push(Reverse((now + d, self.seq, self.buf[..n].to_vec())));
                        }
                    }
                    Ok(_) => {}
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(_) => break,
                }
            }
            while lane.up.peek().is_some_and(|Reverse((at, _, _))| *at <= now) {
                if let Some(Reverse((_, _, bytes))) = lane.up.pop() {
                    let _ = lane.back.send_to(&bytes, self.server);
                }
            }
            if let Some(client) = lane.client {
                while lane
                    .down
                    .peek()
                    .is_some_and(|Reverse((at, _, _))| *at <= now)
                {
                    if let Some(Reverse((_, _, bytes))) = lane.down.pop() {
                        lane.counts.down_packets += 1;
                        lane.counts.down_bytes += bytes.len() as u64;
                        let _ = lane.front.send_to(&bytes, client);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pump(relay: &mut Relay, until: Instant) {
        while Instant::now() < until {
            relay.poll(Instant::now());
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    #[test]
    fn forwards_both_ways_and_counts_what_is_delivered() {
        let server = UdpSocket::bind("127.0.0.1:0").expect("bind");
        let client = UdpSocket::bind("127.0.0.1:0").expect("bind");
        client
            .set_read_timeout(Some(Duration::from_secs(2)))
            .expect("timeout");
        server
            .set_read_timeout(Some(Duration::from_secs(2)))
            .expect("timeout");
        let mut relay =
            Relay::new(server.local_addr().expect("addr"), 1, Impair::default()).expect("relay");
        client
            .send_to(b"hello", relay.front(0).expect("front"))
            .expect("send");
        pump(&mut relay, Instant::now() + Duration::from_millis(20));
        let mut buf = [0u8; 64];
        let (n, from) = server.recv_from(&mut buf).expect("up");
        assert_eq!(
            (&buf[..n], from),
            (&b"hello"[..], relay.back(0).expect("back"))
        );
        server.send_to(b"world!", from).expect("send");
        pump(&mut relay, Instant::now() + Duration::from_millis(20));
        let (n, _) = client.recv_from(&mut buf).expect("down");
        assert_eq!(&buf[..n], b"world!");
        let c = relay.counts(0);
        assert_eq!(
            (c.up_packets, c.up_bytes, c.down_packets, c.down_bytes),
            (1, 5, 1, 6)
        );
    }

    #[test]
    fn impairment_drops_about_its_share_and_delays() {
        let imp = Impair {
            loss: 0.05,
            latency_ms: 50.0,
            jitter_ms: 20.0,
            seed: 7,
        };
        let mut rng = StdRng::seed_from_u64(imp.seed);
        let delays: Vec<_> = (0..20_000).map(|_| imp.delay(&mut rng)).collect();
        let lost = delays.iter().filter(|d| d.is_none()).count();
        assert!((800..1200).contains(&lost), "lost {lost} of 20000");
        assert!(
            delays
                .iter()
                .flatten()
                .all(|d| (30.0..=70.0).contains(&(d.as_secs_f64() * 1000.0)))
        );
    }
}
