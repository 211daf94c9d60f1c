//! A client that stops reading, in simulated time: everything the server sends to it is lost
//! on its path from then on (it keeps sending, so it is not idle), so it never acknowledges.
//! The server keeps sending it and another client a reliable message every 50 ms. What it
//! holds for the silent client never exceeds `max_queued_bytes`; the message that does not
//! fit is refused (`QueueFull`) and the driver's answer, a close with `OVERLOADED`, ends the
//! connection; the other client receives every message, in order, throughout.

#![allow(clippy::unwrap_used)]

use crate::transport_common;

use starlane_netcore::proto::conn::reliable::PushError;
use starlane_netcore::proto::conn::{CloseCause, ConnConfig, SendError, codes};
use starlane_netcore::proto::endpoint::EndpointConfig;
use std::time::Duration;
use transport_common::*;

#[test]
fn a_client_that_stops_reading_is_closed_at_the_cap_and_the_other_keeps_receiving() {
    let cap = 64 * 1024;
    let mut cfg = EndpointConfig::default();
    cfg.conn = ConnConfig {
        max_queued_bytes: cap,
        // Longer than the run: only the cap may end the connection.
        idle_timeout: Duration::from_secs(120),
        ..cfg.conn
    };
    let mut net = Net::new(cfg);
    let (silent, steady) = (net.add_client(clean(20.0)), net.add_client(clean(20.0)));
    net.run_for(Duration::from_secs(1));
    assert!(net.connected(silent) && net.connected(steady));
    let silent_addr = net.clients[silent].addr;
    net.clients[silent].tap_down = Tap::Hold;

    let msg = |i: u32| [&i.to_le_bytes()[..], &[0x5a; 996]].concat();
    let mut refused_at = None;
    let mut sent_to_steady = 0u32;
    for i in 0..400u32 {
        let now = net.now;
        if refused_at.is_none() {
            match net.server.send_reliable(now, silent_addr, &msg(i)) {
                Ok(()) => {}
                Err(e) => {
                    assert_eq!(e, SendError::Push(PushError::QueueFull));
                    refused_at = Some(i);
                    net.server.close(now, silent_addr, codes::OVERLOADED);
                }
            }
        }
        net.server_sends(steady, &msg(i));
        sent_to_steady += 1;
        if let Some(s) = net.server.stats(silent_addr) {
            assert!(
                s.reliable_queued <= cap as u64,
                "{} > {cap}",
                s.reliable_queued
            );
        }
        net.run_for(Duration::from_millis(50));
    }
    net.run_for(Duration::from_secs(3));

    let refused_at = refused_at.expect("the silent client's queue reached its cap");
    assert!(
        refused_at >= (cap / 1000) as u32 - 2,
        "refused early, at {refused_at}"
    );
    let closes = closes(&net.server_events, silent_addr);
    assert_eq!(closes.len(), 1, "{closes:?}");
    assert_eq!(closes[0].1, CloseCause::Local(codes::OVERLOADED));
    assert!(!net.server.is_connected(silent_addr));

    let got = messages(&net.clients[steady].events);
    assert_eq!(got.len(), sent_to_steady as usize);
    for (i, m) in got.iter().enumerate() {
        assert_eq!(m[..4], (i as u32).to_le_bytes(), "in order");
    }
    assert!(net.connected(steady));
}
