//! A region whose tick sends one client frame per session (its sync: a view per session) to
//! an edge that reads slower than that, in simulated time. Deciding by [`RegionLink::flow`]
//! alone (under three quarters of the bound) lets a tick's batch land on a queue that is
//! not yet congested but has no room for the whole batch: the link is shed `Slow`, and every
//! session of the edge must join again. Deciding by [`RegionLink::flow_for`] with the batch's
//! size holds the batch back instead (the region catches its views up later): the link is
//! never shed, and the batches that go arrive whole and in order (LINK.md §8.2).

#![allow(clippy::unwrap_used)]

use crate::link_common::*;
use starlane_netcore::proto::link::*;
use starlane_protocol::link::*;

/// The region's bound on the link's queue, in frames.
const FRAMES: usize = 100;
/// Sessions on the link: one frame each per tick, more than a quarter of the bound.
const SESSIONS: u64 = 60;
/// Ticks run (one simulated step each: the edge cannot keep up).
const TICKS: u32 = 2_000;

fn view(session: SessionId, tick: u32) -> RegionToEdge {
    RegionToEdge::ToClient(ToClient {
        session,
        msgs: vec![LinkServerMsg::CommandAck { seq: tick }],
    })
}

/// What a run of the ticks did.
#[derive(Debug, Default)]
struct Run {
    sent: u32,
    held_back: u32,
    shed_at: Option<u32>,
}

/// Run the ticks, deciding each tick's batch with `batch_aware` (`flow_for`) or without.
fn run(batch_aware: bool) -> (Run, Net) {
    let region = RegionLinkConfig {
        limits: QueueLimits {
            max_frames: FRAMES,
            max_bytes: 1 << 20,
        },
        ..RegionLinkConfig::default()
    };
    let mut net = Net::with(EdgeLinkConfig::default(), region).up();
    net.open_sessions(&(1..=SESSIONS).collect::<Vec<_>>());
    net.to_edge.window = 512;
    let batch_bytes = (1..=SESSIONS).map(|s| view(s, TICKS).encode().len()).sum();
    let mut run = Run::default();
    for tick in 1..=TICKS {
        let flow = if batch_aware {
            net.region.flow_for(SESSIONS as usize, batch_bytes)
        } else {
            net.region.flow()
        };
        match flow {
            Flow::Open => {
                for s in 1..=SESSIONS {
                    if net.region.send(view(s, tick)) == Err(RegionSendError::Shed) {
                        run.shed_at.get_or_insert(tick);
                    }
                }
                run.sent += 1;
            }
            Flow::Congested => run.held_back += 1,
            Flow::Closed => break,
        }
        net.step();
    }
    (run, net)
}

#[test]
fn a_batch_that_does_not_fit_is_held_back_instead_of_shedding_the_link() {
    let (naive, net) = run(false);
    assert!(
        naive.shed_at.is_some(),
        "the per-frame rule overflows: {naive:?}"
    );
    assert_eq!(net.region.close_code(), Some(CloseCode::Slow.code()));

    let (aware, mut net) = run(true);
    assert_eq!(aware.shed_at, None, "{aware:?}");
    assert_eq!(net.region.flow_for(0, 0), net.region.flow());
    assert!(
        aware.held_back > 0,
        "the edge is slower than the tick: {aware:?}"
    );
    assert!(aware.sent > TICKS / 10, "batches still go: {aware:?}");
    net.run(std::time::Duration::from_secs(5));
    // Every batch that went arrived whole: each session got the same ticks, in order.
    let mut per_session: Vec<Vec<u32>> = vec![Vec::new(); SESSIONS as usize + 1];
    for e in &net.edge_events {
        if let EdgeLinkEvent::ToClient(t) = e {
            for m in &t.msgs {
                if let LinkServerMsg::CommandAck { seq } = m {
                    per_session[t.session as usize].push(*seq);
                }
            }
        }
    }
    assert_eq!(per_session[1].len(), aware.sent as usize);
    assert!(per_session[1].windows(2).all(|w| w[0] < w[1]));
    assert!(per_session[1..].iter().all(|s| *s == per_session[1]));
}
