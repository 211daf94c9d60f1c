//! Scenario: SIGTERM drains an edge of a two-edge region (`starlane-edge run`'s signal path,
//! `Signals::run_edge`). A native client playing on it is told to move, asks the other edge's
//! connect endpoint for an edge, resumes there with its token and ticket (same empire, no new
//! login), sends its unanswered commands again, and plays on. Every command is answered
//! exactly once, and the region applied exactly as many as were accepted. The drained edge
//! finishes as soon as its client has left.

#![allow(clippy::unwrap_used)]

use crate::common::two_edges;
use crate::common::wait_until;
use starlane_client::{Client, ClientEvent};
use starlane_edge::signals::{Signals, StopSignal};
use starlane_protocol::{CommandError, MoveReason};
use std::collections::BTreeMap;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

/// Send `n` moves of the client's first unit to where it stands (accepted, no path).
fn send_moves(client: &mut Client, n: usize) -> Vec<u32> {
    let unit = client
        .world
        .my_units()
        .next()
        .map(|u| (u.id, u.pos))
        .unwrap();
    (0..n).map(|_| client.send_move(unit.0, unit.1)).collect()
}

/// Drive the client until every seq in `want` is answered; record answers (each once).
async fn collect(
    client: &mut Client,
    want: &[u32],
    answers: &mut BTreeMap<u32, Vec<Result<(), CommandError>>>,
    moved: &mut Vec<Option<MoveReason>>,
) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !want.iter().all(|s| answers.contains_key(s)) {
        match tokio::time::timeout_at(deadline, client.next_event()).await {
            Ok(Some(ClientEvent::CommandResult { seq, result })) => {
                answers.entry(seq).or_default().push(result)
            }
            Ok(Some(ClientEvent::Moved { reason })) => moved.push(reason),
            Ok(Some(ClientEvent::Closed(why))) => panic!("session closed: {why}"),
            Ok(Some(_)) => {}
            Ok(None) => panic!("session ended"),
            Err(_) => panic!("answers missing: have {answers:?}, want {want:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_moves_the_client_to_the_other_edge_with_commands_applied_once() {
    let set = two_edges::start(30).await;
    let token = set.token("ada");
    let mut client = Client::connect(&set.info_b(), &token).await.unwrap();
    let empire = client.empire;
    wait_until(&mut client, WAIT, |c| c.world.my_units().next().is_some()).await;
    assert_eq!(
        set.b
            .metrics()
            .sessions_active
            .with_label_values(&["udp"])
            .get(),
        1
    );

    let mut answers = BTreeMap::new();
    let mut moved = Vec::new();
    let first = send_moves(&mut client, 5);
    collect(&mut client, &first, &mut answers, &mut moved).await;

    // Commands still unanswered when the edge drains travel again after the move.
    let racing = send_moves(&mut client, 5);
    let signals = Signals::install().unwrap();
    let b = set.b.clone();
    let served = tokio::spawn(async move { signals.run_edge(&b).await });
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &std::process::id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    collect(&mut client, &racing, &mut answers, &mut moved).await;

    // Moved, by the drain, to the same empire, and playing on the other edge.
    let deadline = tokio::time::Instant::now() + WAIT;
    while moved.is_empty() {
        match tokio::time::timeout_at(deadline, client.next_event()).await {
            Ok(Some(ClientEvent::Moved { reason })) => moved.push(reason),
            Ok(Some(ClientEvent::Closed(why))) => panic!("session closed: {why}"),
            Ok(Some(_)) => {}
            other => panic!("no move: {other:?}"),
        }
    }
    assert_eq!(moved, vec![Some(MoveReason::Drain)]);
    assert_eq!(client.empire, empire, "same empire after the move");
    wait_until(&mut client, WAIT, |c| c.world.my_units().next().is_some()).await;
    assert!(set.b.is_draining());
    assert_eq!(set.a.metrics().resumes.with_label_values(&["ok"]).get(), 1);
    let after = send_moves(&mut client, 5);
    collect(&mut client, &after, &mut answers, &mut moved).await;

    // The drained edge finished once its only client had left, long before its window.
    let stop = tokio::time::timeout(WAIT, served).await.unwrap().unwrap();
    assert_eq!(stop, StopSignal::Terminate);
    assert_eq!(
        set.b
            .metrics()
            .sessions_moved
            .with_label_values(&["drain"])
            .get(),
        1
    );

    // Every command answered exactly once, and the region applied each accepted one once.
    let all: Vec<u32> = first.iter().chain(&racing).chain(&after).copied().collect();
    assert_eq!(answers.len(), all.len());
    for seq in &all {
        assert_eq!(
            answers[seq].len(),
            1,
            "seq {seq} answered {:?}",
            answers[seq]
        );
    }
    let accepted = answers.values().filter(|r| r[0].is_ok()).count() as u64;
    assert_eq!(accepted, all.len() as u64, "{answers:?}");
    let deadline = tokio::time::Instant::now() + WAIT;
    while set.region.stats().commands_applied < accepted {
        assert!(tokio::time::Instant::now() < deadline, "region stats lag");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let stats = set.region.stats();
    assert_eq!(stats.commands_applied, accepted, "applied once each");
    println!(
        "commands {} applied {} replayed {}",
        all.len(),
        stats.commands_applied,
        stats.commands_replayed
    );
}
