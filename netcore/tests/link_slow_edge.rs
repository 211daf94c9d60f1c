//! An edge that stops reading its link (LINK.md §8): the region's queue for it fills; from
//! three quarters of the bound the link is congested (the region holds back entity frames and
//! views and keeps sending the rest), and a frame that overflows the bound sheds the link with
//! `Slow`. The queue never holds more than its bound plus one frame.

#![allow(clippy::unwrap_used)]

use crate::link_common::*;
use starlane_netcore::proto::link::*;
use starlane_protocol::link::*;
use std::time::Duration;

const FRAMES: usize = 10_000;
const BYTES: usize = 256 * 1024;

#[test]
fn a_slow_edge_congests_then_is_shed_and_memory_stays_bounded() {
    let region = RegionLinkConfig {
        limits: QueueLimits {
            max_frames: FRAMES,
            max_bytes: BYTES,
        },
        ..RegionLinkConfig::default()
    };
    let mut net = Net::with(EdgeLinkConfig::default(), region).up();
    net.to_edge.reading = false;
    let (mut sent, mut held_back, mut congested_at) = (0u32, 0u32, None);
    let mut shed = None;
    for tick in 1..=10_000u32 {
        // What the region's sync does: no entity frame for a congested link.
        match net.region.flow() {
            Flow::Open => {
                if net.region.send(entities(tick)).is_ok() {
                    sent += 1;
                }
            }
            Flow::Congested => {
                congested_at.get_or_insert(tick);
                held_back += 1;
            }
            Flow::Closed => break,
        }
        // Control and client frames still go while congested.
        let r = net.region.send(RegionToEdge::ToClient(ToClient {
            session: 1,
            msgs: vec![LinkServerMsg::CommandAck { seq: tick }],
        }));
        if r == Err(RegionSendError::Shed) {
            shed = Some(tick);
        }
        let (_, bytes) = net.region.queued();
        assert!(bytes <= BYTES + MAX_LINK_FRAME, "{bytes} bytes queued");
        net.step();
    }
    let congested_at = congested_at.expect("the link became congested");
    let shed = shed.expect("the link was shed");
    assert!(
        congested_at < shed && held_back > 0,
        "{congested_at} {shed} {held_back}"
    );
    assert!(sent > 0);
    assert_eq!(net.region.close_code(), Some(CloseCode::Slow.code()));
    assert_eq!(net.region.flow(), Flow::Closed);
    assert_eq!(
        net.region.queued().1,
        Close::new(CloseCode::Slow, "edge did not read its frames")
            .reason
            .len()
            + 7
    );
    assert!(matches!(
        net.region_events.last(),
        Some(RegionLinkEvent::Closed(c)) if !c.by_peer && c.label() == "slow"
    ));
    // The driver closes the connection with the code; the edge learns it from its transport.
    net.edge
        .handle_transport_closed(net.region.close_code(), "closed by peer");
    net.run(Duration::from_millis(10));
    assert!(matches!(
        net.edge_events.last(),
        Some(EdgeLinkEvent::Down(c)) if c.label() == "slow" && c.by_peer
    ));
}
