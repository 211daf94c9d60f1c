//! At idle, a message the application queues on a link leaves at once: the median round trip
//! of a small reliable message and of a datagram over loopback is far below the driver's old
//! ~8 ms wake-up granularity (a driver that only polled its queues would need ~2x that).

use crate::udp_common;
use starlane_netcore::transport::{Link, LinkEvent};
use std::time::{Duration, Instant};
use udp_common::loopback_pair;

const WAIT: Duration = Duration::from_secs(5);
/// Round trips measured per kind.
const ROUNDS: usize = 50;
/// Bound on the median: well above loopback (tens of microseconds) and scheduling noise on a
/// loaded machine, well below one polling period of a driver that does not wake on send.
const MEDIAN_BOUND: Duration = Duration::from_millis(3);
/// How long a lost datagram is waited for before the round is skipped.
const DATAGRAM_WAIT: Duration = Duration::from_millis(250);

/// Echo every reliable message and datagram back on the same channel.
async fn echo(mut link: Link) {
    while let Some(ev) = link.events.recv().await {
        match ev {
            LinkEvent::Reliable(b) => {
                link.sender.send_reliable(b);
            }
            LinkEvent::Datagram(b) => {
                link.sender.send_datagram(b);
            }
            LinkEvent::Closed(_) | LinkEvent::FirstMessageTooLarge(_) => return,
        }
    }
}

/// Round trip of one reliable message.
async fn reliable_rtt(client: &mut Link, n: u32) -> Duration {
    let payload = n.to_le_bytes().to_vec();
    let start = Instant::now();
    assert!(client.sender.send_reliable(payload.clone()).is_queued());
    loop {
        let ev = tokio::time::timeout(WAIT, client.events.recv())
            .await
            .expect("echo in time")
            .expect("link open");
        if ev == LinkEvent::Reliable(payload.clone()) {
            return start.elapsed();
        }
    }
}

/// Round trip of one datagram; `None` if it or its echo was lost.
async fn datagram_rtt(client: &mut Link, n: u32) -> Option<Duration> {
    let payload = n.to_le_bytes().to_vec();
    let start = Instant::now();
    assert!(client.sender.send_datagram(payload.clone()).is_queued());
    let deadline = tokio::time::Instant::now() + DATAGRAM_WAIT;
    loop {
        match tokio::time::timeout_at(deadline, client.events.recv()).await {
            Ok(Some(LinkEvent::Datagram(d))) if d == payload => return Some(start.elapsed()),
            Ok(Some(LinkEvent::Closed(r))) => panic!("link closed: {r:?}"),
            Ok(Some(_)) => {}
            Ok(None) => panic!("link gone"),
            Err(_) => return None,
        }
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or(Duration::MAX)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_round_trips_are_not_delayed_by_the_driver() {
    let (server, mut client, edge) = loopback_pair().await;
    let echoer = tokio::spawn(echo(edge));

    // Warm up (first sends, RTT estimate), then let both drivers go idle between rounds.
    for n in 0..5 {
        reliable_rtt(&mut client, n).await;
    }
    let mut reliable = Vec::new();
    for n in 0..ROUNDS as u32 {
        tokio::time::sleep(Duration::from_millis(10)).await;
        reliable.push(reliable_rtt(&mut client, 1000 + n).await);
    }
    let mut datagrams = Vec::new();
    for n in 0..ROUNDS as u32 {
        tokio::time::sleep(Duration::from_millis(10)).await;
        datagrams.extend(datagram_rtt(&mut client, 2000 + n).await);
    }
    let (r, d) = (median(reliable), median(datagrams.clone()));
    println!("idle loopback median rtt: reliable {r:?}, datagram {d:?}");
    assert!(
        datagrams.len() >= ROUNDS * 4 / 5,
        "only {} of {ROUNDS} datagram round trips completed over loopback",
        datagrams.len()
    );
    assert!(r < MEDIAN_BOUND, "median reliable round trip {r:?}");
    assert!(d < MEDIAN_BOUND, "median datagram round trip {d:?}");

    client.sender.close(0);
    echoer.abort();
    server.shutdown();
}
