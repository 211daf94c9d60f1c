//! Idle timeout: a peer whose path goes silent (everything dropped both ways) is closed with
//! `IdleTimeout` on both sides one idle timeout after the last packet heard (so between the
//! timeout minus one keepalive interval and the timeout after the cut), while a connection
//! with no application traffic at all, over a lossy path, stays up for 60 s on keepalives.

#![allow(clippy::unwrap_used)]

use crate::transport_common;

use starlane_netcore::proto::conn::{CloseCause, ConnConfig};
use starlane_netcore::proto::emulator::{Emulator, ImpairmentConfig};
use starlane_netcore::proto::endpoint::EndpointConfig;
use std::time::Duration;
use transport_common::*;

const ONE_WAY: Duration = Duration::from_millis(25);

#[test]
fn a_silent_peer_is_closed_at_the_idle_timeout_on_both_sides() {
    let conn = ConnConfig::default();
    let mut net = Net::new(EndpointConfig::default());
    let silent = net.add_client(clean(25.0));
    let alive = net.add_client(clean(25.0));
    net.run_for(Duration::from_secs(2));
    assert!(net.connected(silent) && net.connected(alive));

    // Cut the path: nothing more gets through either way (what was on its way is lost too).
    let cut = net.elapsed();
    net.clients[silent].up = Emulator::new(black_hole()).unwrap();
    net.clients[silent].down = Emulator::new(black_hole()).unwrap();
    let s_addr = net.clients[silent].addr;

    net.run_for(conn.idle_timeout - conn.keepalive_interval - ONE_WAY * 3);
    assert!(net.connected(silent), "not closed before the idle timeout");
    assert!(net.server.is_connected(s_addr));

    net.run_for(Duration::from_secs(2));
    let client_close = closes(&net.clients[silent].events, server_addr());
    let server_close = closes(&net.server_events, s_addr);
    assert_eq!(client_close.len(), 1, "{client_close:?}");
    assert_eq!(server_close.len(), 1, "{server_close:?}");
    for (side, (at, cause)) in [("client", client_close[0]), ("server", server_close[0])] {
        assert_eq!(cause, CloseCause::IdleTimeout, "{side}");
        let earliest = cut + conn.idle_timeout - conn.keepalive_interval - ONE_WAY * 2;
        let latest = cut + conn.idle_timeout;
        assert!(
            at >= earliest && at <= latest,
            "{side} closed at {at:?}, expected within [{earliest:?}, {latest:?}]"
        );
    }
    assert!(!net.connected(silent));
    assert!(!net.server.is_connected(s_addr));
    // The other connection is untouched, and the closed one is forgotten.
    assert!(net.connected(alive));
    assert_eq!(net.server.peer_count(), 1);
    assert!(net.clients[silent].endpoint.poll_timeout().is_none());
}

#[test]
fn a_quiet_connection_stays_up_on_keepalives() {
    let conn = ConnConfig::default();
    let mut net = Net::new(EndpointConfig::default());
    let c = net.add_client(path(ImpairmentConfig {
        latency_ms: 25.0,
        jitter_ms: 5.0,
        loss: 0.05,
        seed: 11,
        ..ImpairmentConfig::default()
    }));
    net.run_for(Duration::from_secs(2));
    assert!(net.connected(c));
    let c_addr = net.clients[c].addr;
    let start = net.server.stats(c_addr).unwrap();

    net.run_for(Duration::from_secs(60));
    assert!(net.connected(c));
    assert!(net.server.is_connected(c_addr));
    assert!(closes(&net.server_events, c_addr).is_empty());
    assert!(closes(&net.clients[c].events, server_addr()).is_empty());
    // Keepalives did it: about one PING (and PONG) per interval each way, nothing else.
    let end = net.server.stats(c_addr).unwrap();
    let heard = end.packets_in - start.packets_in;
    let intervals = (60_000 / conn.keepalive_interval.as_millis()) as u64;
    assert!(
        heard >= intervals && heard <= 4 * intervals,
        "{heard} packets in 60 s"
    );
    assert!(messages(&net.server_events).is_empty());
    assert!(end.srtt.is_some(), "the keepalives measure the RTT");
}
