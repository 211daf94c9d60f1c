//! A running region with two edges, one of which stops reading its link (LINK.md §8): QUIC's
//! flow control stops the region's writes, the link's queue fills to `link_queue_bytes` and
//! no further (the region holds at most that much for it), the link is congested and then
//! shed with close code `Slow`; the other edge's session keeps getting entity frames and
//! command acks all along.

use crate::edge_stand_in::{Edge, WAIT, config, endpoint};
use starlane_game::{LoadConfig, NpcPattern, Region, RegionHandle};
use starlane_netcore::proto::link::EdgeLinkEvent;
use starlane_protocol::link::{CloseCode, LinkServerMsg, SessionCommand};
use starlane_protocol::{Command, EntityKind, Hex};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The region's bound on one link's queued bytes in this test (the smallest allowed).
const QUEUE_BYTES: usize = 64 * 1024;
/// Commands the stalled edge sends per round: each one is rejected (no such unit), and the
/// rejections keep flowing to a congested link (only entity frames and views are skipped).
const COMMANDS_PER_ROUND: u32 = 200;
/// Bound on the stall phase.
const STALL_LIMIT: Duration = Duration::from_secs(20);

/// A client endpoint whose QUIC receive windows are small, so an edge that stops reading
/// pushes back on the region after a few kilobytes.
fn small_window_endpoint(region: &RegionHandle) -> quinn::Endpoint {
    let endpoint = endpoint(region);
    let mut client = region.dev_link_client_config().expect("client config");
    let mut transport = quinn::TransportConfig::default();
    transport.stream_receive_window(quinn::VarInt::from_u32(8 * 1024));
    transport.receive_window(quinn::VarInt::from_u32(16 * 1024));
    client.transport_config(Arc::new(transport));
    let mut endpoint = endpoint;
    endpoint.set_default_client_config(client);
    endpoint
}

#[tokio::test]
async fn a_region_holds_at_most_its_bound_for_an_edge_that_stops_reading() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cfg = config(dir.path());
    cfg.link_queue_bytes = QUEUE_BYTES;
    cfg.command_rate = 100_000;
    cfg.command_burst = 100_000;
    cfg.load = LoadConfig {
        npc_count: 2_000,
        pattern: NpcPattern::Wander,
        ..LoadConfig::default()
    };
    let region = Region::start(cfg).await.expect("region starts");

    let mut healthy = Edge::connect(&region).await;
    let (_, units) = healthy.join(1, 2001).await;
    let scout = units
        .iter()
        .find(|u| u.kind == EntityKind::Scout)
        .expect("a scout")
        .clone();
    // One event may wait unread; then the stalled edge's driver stops reading QUIC.
    let mut stalled =
        Edge::connect_with(&region, small_window_endpoint(&region), "stalled-edge", 1).await;
    stalled.join(1, 2002).await;

    // The stalled edge sends commands and reads nothing; the healthy one reads on.
    let start = Instant::now();
    let mut seq = 0u32;
    let mut healthy_frames = 0u32;
    while region.link_stats().slow == 0 && start.elapsed() < STALL_LIMIT {
        for _ in 0..COMMANDS_PER_ROUND {
            seq = seq.wrapping_add(1);
            let command = Command::Move {
                unit: u32::MAX,
                to: Hex::new(0, 0),
            };
            let sent = stalled.client.command(SessionCommand {
                session: 1,
                seq,
                command,
            });
            if sent.is_err() {
                break;
            }
        }
        let until = Instant::now() + Duration::from_millis(50);
        while let Ok(event) = tokio::time::timeout_at(until.into(), healthy.recv_any()).await {
            if let EdgeLinkEvent::Entities(f) = event {
                f.apply(&mut healthy.mirror);
                healthy_frames += 1;
            }
        }
    }
    let stats = region.link_stats();
    assert_eq!(stats.slow, 1, "the stalled link is shed once: {stats:?}");
    assert!(
        stats.queued_bytes_peak <= QUEUE_BYTES as u64,
        "the region held {} bytes for one link, over its bound of {QUEUE_BYTES}",
        stats.queued_bytes_peak
    );
    assert!(
        stats.queued_bytes_peak >= (QUEUE_BYTES * 3 / 4) as u64,
        "the queue filled towards its bound before the shed: {stats:?}"
    );
    assert!(
        region.stats().congested_link_ticks > 0,
        "the stalled link was congested before it was shed"
    );
    // 20 ticks a second: the healthy edge got frames throughout the stall.
    let stall_ticks = u32::try_from(start.elapsed().as_millis() / 50).unwrap_or(u32::MAX);
    assert!(
        healthy_frames >= stall_ticks / 2,
        "the healthy edge got {healthy_frames} entity frames in {stall_ticks} ticks"
    );

    // The stalled edge, once it reads again, finds its link closed `Slow`.
    let down = loop {
        match tokio::time::timeout(WAIT, stalled.client.next_event()).await {
            Ok(Some(EdgeLinkEvent::Down(closed))) => break Some(closed),
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => break None,
        }
    };
    let closed = down.expect("the stalled edge sees its link go down");
    assert_eq!(closed.code, Some(CloseCode::Slow as u8), "{closed:?}");

    // The healthy session still plays: its next command gets its reply.
    let to = Hex::new(scout.pos.q + 1, scout.pos.r);
    healthy
        .client
        .command(SessionCommand {
            session: 1,
            seq: 9,
            command: Command::Move { unit: scout.id, to },
        })
        .expect("command queued");
    let reply = healthy
        .until(|m| {
            matches!(
                m,
                LinkServerMsg::CommandAck { seq: 9 }
                    | LinkServerMsg::CommandRejected { seq: 9, .. }
            )
        })
        .await;
    assert_eq!(reply, LinkServerMsg::CommandAck { seq: 9 });
    region.shutdown().await.expect("clean shutdown");
}
