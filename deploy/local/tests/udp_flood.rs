//! Scenario: a native client plays through the edge while attacker threads blast the edge's
//! UDP port from several sockets with random, malformed, oversized, hello-shaped, init-shaped
//! and replay-shaped datagrams for several seconds. The edge stays healthy, the client's
//! session stays up (pings answered, commands answered, entity packets received), and the
//! client's median ping round trip under the flood stays within twice the quiet median
//! measured just before.
//!
//! The edge does not export its UDP drop counters (`UdpServer::drops`) as metrics yet, so the
//! test checks that the edge survives and serves, not the per-reason counts (those are
//! covered in simulated time by netcore's `transport_spoofed_flood` and `transport_tamper`).

#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use starlane_client::{Client, ClientEvent};
use starlane_protocol::{EntityId, Hex};
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::time::Instant;

/// Pings per measurement, and the gap between them.
const PINGS: usize = 150;
const PING_GAP: Duration = Duration::from_millis(10);
/// Attacker threads, each with its own sockets.
const ATTACKERS: usize = 3;
const SOCKETS_PER_ATTACKER: usize = 2;
/// Datagrams an attacker sends between 1 ms naps (tens of thousands per second each).
const BURST: usize = 40;
/// Floor of the quiet median in the bound. Today a loopback round trip is about 12 ms, most
/// of it the two UDP drivers sleeping in `recv_from` with a 1 ms timeout that the kernel
/// rounds up to its tick (about 8 ms here) before they look at what the client or the edge
/// queued; under flood the edge's receive never sleeps, so its half of that wait goes away.
/// Once the drivers wake on outgoing messages the loopback round trip drops below a
/// millisecond, where scheduling noise on a loaded 2-core machine is as large as the round
/// trip itself: below this floor a doubling is noise, not the flood.
const RTT_FLOOR: Duration = Duration::from_millis(3);

/// SplitMix64, so every attacker's garbage is reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// One hostile datagram of a kind picked at random.
fn hostile(rng: &mut Rng) -> Vec<u8> {
    match rng.next() % 9 {
        // Random bytes of any plausible size.
        0 => {
            let len = (rng.next() % 1400) as usize;
            rng.bytes(len)
        }
        // Oversized: over the 1200-byte limit, some over the driver's receive buffer.
        1 => {
            let len = 1201 + (rng.next() % 3000) as usize;
            rng.bytes(len)
        }
        // A well-formed hello (answered with a cookie the attacker never reads).
        2 => {
            let mut d = vec![0u8; 64];
            d[0] = 1;
            d[1] = 2;
            d[2..18].copy_from_slice(&rng.bytes(16));
            d
        }
        // A malformed hello: wrong version or wrong length.
        3 => {
            let len = if rng.next().is_multiple_of(2) { 64 } else { 63 };
            let mut d = rng.bytes(len);
            d[0] = 1;
            d
        }
        // An init with a forged cookie.
        4 => {
            let mut d = rng.bytes(86);
            d[0] = 3;
            d[1] = 2;
            d
        }
        // Replay-shaped session packets: data or disconnect, low counters, real sizes.
        5 | 6 => {
            let len = 25 + (rng.next() % 200) as usize;
            let mut d = rng.bytes(len);
            d[0] = if rng.next().is_multiple_of(4) { 6 } else { 5 };
            d[1..9].copy_from_slice(&(rng.next() % 64).to_le_bytes());
            d
        }
        // Answers the server never expects (cookie, response).
        7 => {
            let len = if rng.next().is_multiple_of(2) { 37 } else { 49 };
            let mut d = rng.bytes(len);
            d[0] = if d.len() == 37 { 2 } else { 4 };
            d
        }
        _ => Vec::new(),
    }
}

/// Whether the server would answer `d` (a well-formed hello).
fn is_hello(d: &[u8]) -> bool {
    d.len() == 64 && d[0] == 1 && d[1] == 2
}

/// What the attackers sent and got back.
#[derive(Debug, Default)]
struct Tally {
    sent: AtomicU64,
    hellos: AtomicU64,
    answers: AtomicU64,
    /// Answers that are not a 37-byte cookie packet.
    bad_answers: AtomicU64,
}

struct Flood {
    stop: Arc<AtomicBool>,
    tally: Arc<Tally>,
    threads: Vec<JoinHandle<()>>,
}

fn start_flood(target: SocketAddr) -> Flood {
    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Tally::default());
    let threads = (0..ATTACKERS)
        .map(|t| {
            let (stop, tally) = (stop.clone(), tally.clone());
            std::thread::spawn(move || {
                let sockets: Vec<UdpSocket> = (0..SOCKETS_PER_ATTACKER)
                    .map(|_| {
                        let s = UdpSocket::bind("127.0.0.1:0").unwrap();
                        s.set_nonblocking(true).unwrap();
                        s
                    })
                    .collect();
                let mut rng = Rng(0xa77a_c4e5 + t as u64);
                let mut buf = [0u8; 2048];
                while !stop.load(Ordering::Relaxed) {
                    for i in 0..BURST {
                        let d = hostile(&mut rng);
                        if sockets[i % sockets.len()].send_to(&d, target).is_ok() {
                            tally.sent.fetch_add(1, Ordering::Relaxed);
                            if is_hello(&d) {
                                tally.hellos.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                    for s in &sockets {
                        while let Ok((n, _)) = s.recv_from(&mut buf) {
                            tally.answers.fetch_add(1, Ordering::Relaxed);
                            if n != 37 || buf[0] != 2 {
                                tally.bad_answers.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                    std::thread::sleep(Duration::from_millis(1));
                }
            })
        })
        .collect();
    Flood {
        stop,
        tally,
        threads,
    }
}

impl Flood {
    /// Stop the attackers; returns their tally.
    fn stop(self) -> Arc<Tally> {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads {
            t.join().unwrap();
        }
        self.tally
    }
}

/// What one measurement saw.
struct Sample {
    rtts: Vec<Duration>,
    updates: usize,
}

impl Sample {
    fn median(&self) -> Duration {
        let mut v = self.rtts.clone();
        v.sort();
        v[v.len() / 2]
    }
}

/// A unit kept moving between two hexes, so entity packets keep flowing.
struct Mover {
    unit: EntityId,
    ends: [Hex; 2],
    next: usize,
}

impl Mover {
    /// Two free passable hexes two to four steps from one of `client`'s units.
    fn new(client: &Client) -> Mover {
        let (unit, from) = client
            .world
            .my_units()
            .map(|u| (u.id, u.pos))
            .next()
            .unwrap();
        let free: Vec<Hex> = (-4..=4)
            .flat_map(|dq| (-4..=4).map(move |dr| Hex::new(from.q + dq, from.r + dr)))
            .filter(|h| (2..=4).contains(&from.distance(*h)))
            .filter(|h| {
                client.world.is_passable(*h) && !client.world.entities.values().any(|e| e.pos == *h)
            })
            .collect();
        assert!(free.len() >= 2, "two free hexes near {from:?}");
        Mover {
            unit,
            ends: [free[0], free[free.len() - 1]],
            next: 0,
        }
    }

    fn order(&mut self, client: &mut Client) -> u32 {
        self.next = 1 - self.next;
        client.send_move(self.unit, self.ends[self.next])
    }
}

/// Send `PINGS` pings `PING_GAP` apart while handling every event and re-ordering a move now
/// and then; panics if the session ends.
async fn measure(client: &mut Client, mover: &mut Mover) -> Sample {
    let mut sample = Sample {
        rtts: Vec::new(),
        updates: 0,
    };
    let mut sent = 0usize;
    let mut next = Instant::now();
    let mut end = None;
    loop {
        let wake = end.unwrap_or(next);
        tokio::select! {
            _ = tokio::time::sleep_until(wake) => {
                if end.is_some() {
                    return sample;
                }
                client.ping();
                if sent.is_multiple_of(40) {
                    mover.order(client);
                }
                sent += 1;
                next += PING_GAP;
                if sent == PINGS {
                    end = Some(Instant::now() + Duration::from_millis(500));
                }
            }
            ev = client.next_event() => match ev {
                Some(ClientEvent::Rtt(d)) => sample.rtts.push(d),
                Some(ClientEvent::Updated(_)) => sample.updates += 1,
                Some(ClientEvent::Closed(why)) => panic!("session closed: {why}"),
                Some(_) => {}
                None => panic!("session ended"),
            },
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_edge_and_a_playing_client_survive_a_udp_flood() {
    let server = start().await;
    let health = server.local.edge().http_addr();
    let mut alice = server.join("alice").await;
    // The map (a reliable message, no event of its own) may arrive after the first units.
    for _ in 0..100 {
        if alice.world.map.is_some() {
            break;
        }
        pump(&mut alice, Duration::from_millis(100)).await;
    }
    let mut mover = Mover::new(&alice);

    // Warm up, then the quiet baseline.
    measure(&mut alice, &mut mover).await;
    let quiet = measure(&mut alice, &mut mover).await;
    assert!(quiet.rtts.len() >= PINGS * 9 / 10, "quiet pings answered");

    let flood = start_flood(server.info.udp_addr);
    let started = std::time::Instant::now();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let flooded = measure(&mut alice, &mut mover).await;
    // Commands still get answers (any answer: the round trip is what counts).
    let seq = mover.order(&mut alice);
    assert_eq!(command_result(&mut alice, seq).await, Ok(()));
    assert_eq!(
        http_get(health, "/healthz").await.0,
        200,
        "healthy under flood"
    );
    let more = measure(&mut alice, &mut mover).await;
    let tally = flood.stop();
    let secs = started.elapsed().as_secs_f64();
    let sent = tally.sent.load(Ordering::Relaxed);
    let (hellos, answers) = (
        tally.hellos.load(Ordering::Relaxed),
        tally.answers.load(Ordering::Relaxed),
    );
    eprintln!(
        "flood: {sent} datagrams in {secs:.1} s ({:.0}/s), {hellos} hellos, {answers} answers; quiet median {:?} ({} pings, {} \
         entity packets), flooded medians {:?} and {:?} ({} and {} pings, {} entity packets)",
        sent as f64 / secs,
        quiet.median(),
        quiet.rtts.len(),
        quiet.updates,
        flooded.median(),
        more.median(),
        flooded.rtts.len(),
        more.rtts.len(),
        flooded.updates + more.updates,
    );
    assert!(
        sent as f64 / secs > 20_000.0,
        "a real flood: {sent} in {secs:.1} s"
    );
    assert!(
        flooded.rtts.len() >= PINGS / 2 && more.rtts.len() >= PINGS / 2,
        "pings are answered under flood"
    );
    assert!(
        flooded.updates + more.updates > 0,
        "entity packets keep arriving"
    );
    let bound = 2 * quiet.median().max(RTT_FLOOR);
    for (name, s) in [("flooded", &flooded), ("still flooded", &more)] {
        assert!(
            s.median() <= bound,
            "{name} median RTT {:?} over {bound:?} (quiet {:?})",
            s.median(),
            quiet.median()
        );
    }

    // After the flood the edge serves and the session goes on.
    assert_eq!(http_get(health, "/healthz").await.0, 200);
    assert_eq!(http_get(health, "/metrics").await.0, 200);
    let after = measure(&mut alice, &mut mover).await;
    assert!(after.rtts.len() >= PINGS * 9 / 10);
    let seq = mover.order(&mut alice);
    assert_eq!(command_result(&mut alice, seq).await, Ok(()));

    alice.close();
    server.local.shutdown().await.unwrap();
}
