//! An edge floods a running region with commands faster than its tick takes them: the queue
//! of link events for the tick (`[queues] tick_inputs`, here its smallest, 1024) fills, the
//! link task waits (counted in `tick_queue_waits`) and stops reading the edge, QUIC pushes
//! back, and the edge's own queue refuses what it cannot hold. Nothing is lost: every command
//! the edge queued is answered exactly once, and another edge's session is answered too.

use crate::edge_stand_in::{Edge, config};
use starlane_game::Region;
use starlane_netcore::proto::link::{EdgeLinkEvent, EdgeSendError};
use starlane_protocol::link::{LinkServerMsg, SessionCommand};
use starlane_protocol::{Command, Hex};
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// Commands the flooding edge sends.
const COMMANDS: u32 = 20_000;
/// Bound on the whole flood.
const LIMIT: Duration = Duration::from_secs(30);

fn answered_seq(msg: &LinkServerMsg) -> Option<u32> {
    match msg {
        LinkServerMsg::CommandAck { seq } | LinkServerMsg::CommandRejected { seq, .. } => {
            Some(*seq)
        }
        _ => None,
    }
}

/// Take what `edge` has received for a while, adding the answered seqs of `session`.
async fn collect(edge: &mut Edge, session: u64, answered: &mut Vec<u32>, wait: Duration) {
    let until = tokio::time::Instant::now() + wait;
    while let Ok(event) = tokio::time::timeout_at(until, edge.recv_any()).await {
        match event {
            EdgeLinkEvent::Entities(f) => {
                f.apply(&mut edge.mirror);
            }
            EdgeLinkEvent::ToClient(t) if t.session == session => {
                answered.extend(t.msgs.iter().filter_map(answered_seq));
            }
            _ => {}
        }
    }
}

#[tokio::test]
async fn a_full_tick_queue_pushes_back_and_loses_no_command() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cfg = config(dir.path());
    cfg.queues.tick_inputs = 1024;
    cfg.command_rate = 1_000_000;
    cfg.command_burst = 1_000_000;
    let region = Region::start(cfg).await.expect("region starts");
    let mut flood = Edge::connect(&region).await;
    flood.join(1, 3001).await;
    let mut other = Edge::connect(&region).await;
    other.join(1, 3002).await;

    let start = Instant::now();
    let mut next = 0u32;
    let mut answered = Vec::new();
    while (answered.len() as u32) < COMMANDS && start.elapsed() < LIMIT {
        // Queue as many as the edge's link takes, then read answers.
        while next < COMMANDS {
            let command = SessionCommand {
                session: 1,
                seq: next,
                command: Command::Move {
                    unit: u32::MAX,
                    to: Hex::new(0, 0),
                },
            };
            match flood.client.command(command) {
                Ok(()) => next += 1,
                Err(EdgeSendError::Full) => break,
                Err(e) => panic!("the link refused a command: {e}"),
            }
        }
        collect(&mut flood, 1, &mut answered, Duration::from_millis(20)).await;
        collect(&mut other, 1, &mut Vec::new(), Duration::from_millis(1)).await;
    }
    let stats = region.link_stats();
    assert!(
        stats.tick_queue_waits > 0,
        "the flood never filled the tick queue: {stats:?}"
    );
    assert_eq!(answered.len() as u32, COMMANDS, "every command is answered");
    let unique: HashSet<u32> = answered.iter().copied().collect();
    assert_eq!(unique.len() as u32, COMMANDS, "and each exactly once");

    // The other edge's session is answered as usual.
    other
        .client
        .command(SessionCommand {
            session: 1,
            seq: 7,
            command: Command::Move {
                unit: u32::MAX,
                to: Hex::new(0, 0),
            },
        })
        .expect("command queued");
    let reply = other.until(|m| answered_seq(m) == Some(7)).await;
    assert!(matches!(
        reply,
        LinkServerMsg::CommandRejected { seq: 7, .. }
    ));
    region.shutdown().await.expect("clean shutdown");
}
