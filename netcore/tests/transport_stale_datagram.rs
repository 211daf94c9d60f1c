//! Datagram sequencing: reordered application datagrams are delivered only if their packet
//! counter is newer than the newest datagram delivered; older ones are dropped and counted
//! (`stale_datagram`) without hurting the connection. Frames are not sequenced: a reliable
//! chunk in an older packet still arrives.

#![allow(clippy::unwrap_used)]

use crate::transport_common;

use starlane_netcore::proto::endpoint::EndpointConfig;
use std::time::Duration;
use transport_common::*;

/// A datagram payload that names itself.
fn payload(id: u8) -> Vec<u8> {
    vec![id; 300]
}

#[test]
fn older_datagrams_are_dropped_and_counted_frames_are_not() {
    let mut net = Net::new(EndpointConfig::default());
    let c = net.add_client(clean(10.0));
    net.run_for(Duration::from_millis(500));
    assert!(net.connected(c));
    let c_addr = net.clients[c].addr;

    // Hold everything the client sends: a reliable message first, then datagrams 1..=4.
    net.clients[c].tap_up = Tap::Hold;
    net.clients[c].seen_up.clear();
    let now = net.now;
    net.client_sends(c, b"command");
    net.run_for(Duration::ZERO);
    let early = std::mem::take(&mut net.clients[c].seen_up);
    assert!(!early.is_empty());
    let mut held = Vec::new();
    for id in 1..=4 {
        net.clients[c]
            .endpoint
            .send_datagram(now, server_addr(), &payload(id))
            .unwrap();
        net.run_for(Duration::ZERO);
        let carried: Vec<_> = net.clients[c]
            .seen_up
            .drain(..)
            .filter(|d| d.len() > 300)
            .collect();
        assert_eq!(carried.len(), 1, "one packet carries datagram {id}");
        held.extend(carried);
    }

    // Delivered as 2, 1, 4, 3: 1 and 3 are older than a datagram already delivered.
    let before = net.server.drops();
    let heard = net.server.stats(c_addr).unwrap().packets_in;
    for i in [1, 0, 3, 2] {
        let now = net.now;
        net.server.handle_datagram(now, c_addr, &held[i]);
    }
    net.run_for(Duration::ZERO);
    let got: Vec<u8> = datagrams(&net.server_events).iter().map(|d| d[0]).collect();
    assert_eq!(got, vec![2, 4]);
    let gained = drops_gained(before, net.server.drops());
    assert_eq!(
        (gained.stale_datagram, gained.total()),
        (2, 2),
        "{gained:?}"
    );
    assert_eq!(
        net.server.stats(c_addr).unwrap().packets_in,
        heard + 4,
        "stale datagrams still authenticate and count as heard"
    );

    // The reliable message, in packets older than every datagram, still arrives.
    for d in &early {
        let now = net.now;
        net.server.handle_datagram(now, c_addr, d);
    }
    net.run_for(Duration::ZERO);
    assert_eq!(messages(&net.server_events), vec![b"command".to_vec()]);
    let gained = drops_gained(before, net.server.drops());
    assert_eq!(gained.total(), 2, "{gained:?}");

    // The connection carries on: the next datagram is newer than all of them.
    net.clients[c].tap_up = Tap::Pass;
    let now = net.now;
    net.clients[c]
        .endpoint
        .send_datagram(now, server_addr(), &payload(5))
        .unwrap();
    net.run_for(Duration::from_millis(100));
    let got: Vec<u8> = datagrams(&net.server_events).iter().map(|d| d[0]).collect();
    assert_eq!(got, vec![2, 4, 5]);
    assert!(net.connected(c));
    assert!(net.server.is_connected(c_addr));
}
