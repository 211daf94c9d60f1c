//! A spoofed flood: 100 000 hellos and 100 000 inits from 100 000 distinct forged source
//! addresses over ten seconds. The server creates no session, keeps no state for the sources
//! beyond the answers it has not handed out yet, answers each hello at most once with a cookie
//! packet smaller than the hello, answers no init whose cookie is forged, expired, issued to
//! another address or to another nonce (each counted `bad_cookie`), and a real client that
//! arrives in the middle of the flood connects and exchanges messages.

#![allow(clippy::unwrap_used)]

use crate::transport_common;

use starlane_netcore::proto::endpoint::{EndpointConfig, EndpointEvent};
use starlane_netcore::proto::packet::{
    CLIENT_NONCE_LEN, COOKIE_LEN, COOKIE_PACKET_LEN, HELLO_LEN, INIT_LEN, PROTOCOL_VERSION,
    PacketType,
};
use std::collections::{HashMap, HashSet};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;
use transport_common::*;

const BATCHES: usize = 100;
const PER_BATCH: usize = 1000;
const BATCH_TIME: Duration = Duration::from_millis(100);
/// Batches between a cookie's issue and its replay as an expired cookie (3 s: with secrets
/// rotating every second a cookie lives at most two).
const EXPIRED_AFTER: usize = 30;
/// A connection holds at most three entries (itself, its timer, its send-queue slot).
const PER_PEER: usize = 3;

fn spoofed(i: usize) -> SocketAddr {
    SocketAddr::from((
        Ipv4Addr::from(0xac10_0000u32 + i as u32),
        1024 + (i % 60_000) as u16,
    ))
}

fn hello(nonce: &[u8]) -> Vec<u8> {
    let mut d = vec![0u8; HELLO_LEN];
    d[0] = PacketType::Hello as u8;
    d[1] = PROTOCOL_VERSION;
    d[2..2 + CLIENT_NONCE_LEN].copy_from_slice(nonce);
    d
}

fn init(rng: &mut Rng, nonce: &[u8], cookie: &[u8]) -> Vec<u8> {
    let mut d = vec![PacketType::Init as u8, PROTOCOL_VERSION];
    d.extend_from_slice(nonce);
    d.extend_from_slice(cookie);
    d.extend_from_slice(&rng.bytes(INIT_LEN - d.len()));
    assert_eq!(d.len(), INIT_LEN);
    d
}

/// A cookie answer: (nonce, cookie).
fn split_answer(d: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let (nonce, cookie) = d[1..].split_at(CLIENT_NONCE_LEN);
    (nonce.to_vec(), cookie.to_vec())
}

#[test]
fn spoofed_flood_creates_no_state_and_a_real_client_connects() {
    let config = EndpointConfig {
        cookie_rotate_every: Duration::from_secs(1),
        ..EndpointConfig::default()
    };
    let mut net = Net::new(config);
    let mut rng = Rng::new(0xf100d);
    // What each spoofed address was answered, and the genuine cookies handed out.
    let mut answered: HashSet<SocketAddr> = HashSet::new();
    let mut cookies: HashMap<usize, (Vec<u8>, Vec<u8>)> = HashMap::new();
    let mut inits = 0u64;
    let mut legit = None;
    let drops_before = net.server.drops();

    for batch in 0..BATCHES {
        if batch == BATCHES / 3 {
            legit = Some(net.add_client(clean(20.0)));
        }
        let now = net.now;
        for k in 0..PER_BATCH {
            let i = batch * PER_BATCH + k;
            let from = spoofed(i);
            let nonce = rng.bytes(CLIENT_NONCE_LEN);
            net.server.handle_datagram(now, from, &hello(&nonce));
            // An init from the same source, with a cookie it cannot have.
            let (from, d) = match (k % 4, batch.checked_sub(1)) {
                // A forged cookie: a plausible epoch, a random MAC.
                (0, _) | (_, None) => {
                    let mut cookie = rng.bytes(COOKIE_LEN);
                    cookie[..4].copy_from_slice(&((batch / 10) as u32).to_le_bytes());
                    (from, init(&mut rng, &nonce, &cookie))
                }
                // A genuine cookie (and its nonce) issued to another address.
                (1, Some(prev)) => {
                    let (n, c) = &cookies[&(prev * PER_BATCH + k)];
                    (from, init(&mut rng, n, c))
                }
                // A genuine cookie for this source's own earlier address and nonce, expired.
                (2, Some(_)) if batch >= EXPIRED_AFTER => {
                    let j = (batch - EXPIRED_AFTER) * PER_BATCH + k;
                    let (n, c) = &cookies[&j];
                    (spoofed(j), init(&mut rng, n, c))
                }
                // A genuine, fresh cookie of the right address with another nonce.
                (_, Some(prev)) => {
                    let j = prev * PER_BATCH + k;
                    let (_, c) = &cookies[&j];
                    let other_nonce = rng.bytes(CLIENT_NONCE_LEN);
                    (spoofed(j), init(&mut rng, &other_nonce, c))
                }
            };
            net.server.handle_datagram(now, from, &d);
            inits += 1;
        }
        // Nothing is held for the sources but the answers not yet handed out.
        let legit_entries = PER_PEER * net.server.peer_count();
        assert!(
            net.server.sources_tracked() <= legit_entries + PER_BATCH,
            "batch {batch}: {} entries tracked",
            net.server.sources_tracked()
        );

        net.run_for(BATCH_TIME);
        assert!(
            net.server.sources_tracked() <= PER_PEER * net.server.peer_count(),
            "batch {batch}: {} entries tracked after the answers went out",
            net.server.sources_tracked()
        );
        if legit.is_none() {
            assert_eq!(net.server.sources_tracked(), 0);
        }
        assert!(net.server.peer_count() <= 1, "only the real client");
        for (to, d) in std::mem::take(&mut net.unrouted) {
            assert!(answered.insert(to), "{to} answered twice");
            assert_eq!(d[0], PacketType::Cookie as u8, "only cookies go to {to}");
            assert_eq!(d.len(), COOKIE_PACKET_LEN);
            assert!(d.len() < HELLO_LEN, "never larger than the hello");
            let i = (u32::from(match to.ip() {
                std::net::IpAddr::V4(v4) => v4,
                std::net::IpAddr::V6(_) => unreachable!("spoofed sources are IPv4"),
            }) - 0xac10_0000) as usize;
            assert_eq!(spoofed(i), to);
            cookies.insert(i, split_answer(&d));
        }
    }
    // Every cookie was answered to a hello's source only, and every init refused.
    assert!(answered.len() <= BATCHES * PER_BATCH);
    assert!(
        answered.len() >= BATCHES * PER_BATCH / 2,
        "hellos are answered"
    );
    let gained = drops_gained(drops_before, net.server.drops());
    assert_eq!(gained.bad_cookie, inits, "{gained:?}");
    assert_eq!(gained.total(), inits, "{gained:?}");

    // Control: the cookies collected above are genuine. The last batch's, from its own
    // address and nonce, passes the cookie check and fails only at Noise (garbage message 1),
    // still without a session or an answer.
    let j = (BATCHES - 1) * PER_BATCH;
    let (n, c) = cookies[&j].clone();
    let before = net.server.drops();
    let now = net.now;
    net.server
        .handle_datagram(now, spoofed(j), &init(&mut rng, &n, &c));
    net.run_for(Duration::ZERO);
    let gained = drops_gained(before, net.server.drops());
    assert_eq!((gained.handshake_failed, gained.total()), (1, 1));
    assert!(net.unrouted.is_empty());

    // The real client connected during the flood and works.
    let c = legit.unwrap();
    let at = connected_at(&net.clients[c].events).expect("the real client connected");
    assert!(
        at < BATCH_TIME * BATCHES as u32,
        "connected during the flood"
    );
    assert_eq!(net.server.peer_count(), 1);
    net.client_sends(c, b"still here");
    net.server_sends(c, b"welcome");
    net.run_for(Duration::from_millis(200));
    assert_eq!(messages(&net.server_events), vec![b"still here".to_vec()]);
    assert_eq!(messages(&net.clients[c].events), vec![b"welcome".to_vec()]);
    let server_connects: Vec<_> = net
        .server_events
        .iter()
        .filter_map(|(_, e)| match e {
            EndpointEvent::Connected { peer, .. } => Some(*peer),
            _ => None,
        })
        .collect();
    assert_eq!(server_connects, vec![net.clients[c].addr]);
}
