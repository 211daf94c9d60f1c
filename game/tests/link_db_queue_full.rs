//! An edge opens sessions faster than the database worker resolves them: the queue of joins
//! and leaves (`[queues] db_requests`, here its smallest, 64) fills, the link task waits
//! (counted in `db_queue_waits`) and stops reading the edge until there is room. No join is
//! lost: every session the edge announced is answered `Joined`, each once.

use crate::edge_stand_in::{Edge, config};
use starlane_game::Region;
use starlane_netcore::proto::link::{EdgeLinkEvent, EdgeSendError};
use starlane_protocol::link::PlayerIdentity;
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// Sessions the edge opens.
const SESSIONS: u64 = 1_000;
/// Bound on the whole test.
const LIMIT: Duration = Duration::from_secs(60);

#[tokio::test]
async fn a_full_database_queue_pushes_back_and_loses_no_join() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cfg = config(dir.path());
    cfg.queues.db_requests = 64;
    let region = Region::start(cfg).await.expect("region starts");
    let mut edge = Edge::connect(&region).await;

    let start = Instant::now();
    let mut next = 0u64;
    let mut joined = HashSet::new();
    let mut answers = 0u64;
    while answers < SESSIONS && start.elapsed() < LIMIT {
        while next < SESSIONS {
            let player = PlayerIdentity {
                user_id: 10_000 + next as i64,
                username: format!("p{next}"),
                command_stream: 0,
            };
            match edge.client.join(next, player) {
                Ok(()) => next += 1,
                Err(EdgeSendError::Full) => break,
                Err(e) => panic!("the link refused a join: {e}"),
            }
        }
        let until = tokio::time::Instant::now() + Duration::from_millis(20);
        while let Ok(event) = tokio::time::timeout_at(until, edge.recv_any()).await {
            match event {
                EdgeLinkEvent::Joined(j) => {
                    answers += 1;
                    joined.insert(j.session);
                }
                EdgeLinkEvent::JoinRefused(r) => panic!("join refused: {r:?}"),
                EdgeLinkEvent::Entities(f) => {
                    f.apply(&mut edge.mirror);
                }
                _ => {}
            }
        }
    }
    let stats = region.link_stats();
    assert!(
        stats.db_queue_waits > 0,
        "the joins never filled the database queue: {stats:?}"
    );
    assert_eq!(answers, SESSIONS, "every join is answered, once");
    assert_eq!(joined.len() as u64, SESSIONS);
    assert_eq!(region.stats().sessions, SESSIONS as u32);
    region.shutdown().await.expect("clean shutdown");
}
