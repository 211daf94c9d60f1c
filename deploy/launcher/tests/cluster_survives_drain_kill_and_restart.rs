//! Scenario: the launcher's cluster (PostgreSQL, Redis, regions r1 and r2 of two edges each,
//! every one a process) with native bots in both regions, each ordering moves. Every bot
//! knows the connect endpoints of both edges of its region and asks them, like a player, for
//! an edge (the registry's least-loaded one). An operator drains the busier edge of r1 through
//! its admin listener (its bots move to the other edge by themselves), the busier edge of r2 is
//! killed with `kill -9` (its bots reconnect through the other edge's connect endpoint and
//! resume), and region r1 is restarted (SIGTERM, then started again on the same link port; its
//! edges hold the sessions and announce them again).
//! Afterwards every bot is playing (receiving world updates) and every command a bot sent was
//! answered exactly once.

use starlane_client::{Client, ClientEvent, ConnectInfo, Transport, fetch_dev_token};
use starlane_launcher::http::metric;
use starlane_launcher::{Cluster, ClusterOptions, EdgeInfo, EdgeRun};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::time::Instant;

/// Bots per edge of a region (all ask the region's endpoints).
const BOTS_PER_EDGE: usize = 2;
/// Time between two move orders of one bot.
const ORDER_EVERY: Duration = Duration::from_millis(600);
/// Longest wait for a client event before a bot looks at its orders again.
const WAKE_EVERY: Duration = Duration::from_millis(1500);
/// Bound of each phase (generous: two shared cores).
const PHASE: Duration = Duration::from_secs(60);

/// What one bot saw.
#[derive(Debug, Default)]
struct BotLog {
    name: String,
    region: String,
    /// Seqs of the commands sent, in order.
    sent: Vec<u32>,
    /// Answers received per seq (accepted or not).
    answers: BTreeMap<u32, u32>,
    accepted: u64,
    updates: u64,
    /// Moves to another edge (after a drain or a lost edge).
    moves: u32,
    /// The UDP address of the edge the bot is on.
    edge: String,
    /// The session ended for good, and why.
    closed: Option<String>,
    /// Connecting failed, and why.
    failed: Option<String>,
}

impl BotLog {
    fn unanswered(&self) -> usize {
        self.sent
            .iter()
            .filter(|s| !self.answers.contains_key(s))
            .count()
    }
}

type Shared = Arc<Mutex<BotLog>>;

fn lock(log: &Shared) -> std::sync::MutexGuard<'_, BotLog> {
    log.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Order a random own unit to a passable hex near it; its seq.
fn order(client: &mut Client, n: u64) -> Option<u32> {
    let units: Vec<_> = client.world.my_units().map(|u| (u.id, u.pos)).collect();
    let (id, pos) = *units.get(n as usize % units.len().max(1))?;
    for k in 0..16i32 {
        let dq = ((n as i32).wrapping_mul(7) + k) % 5 - 2;
        let dr = ((n as i32).wrapping_mul(3) + 2 * k) % 5 - 2;
        let to = starlane_protocol::Hex::new(pos.q + dq, pos.r + dr);
        if to != pos && client.world.is_passable(to) {
            return Some(client.send_move(id, to));
        }
    }
    None
}

/// One bot: connect through the first of `edges`' connect endpoints, reconnect through any,
/// order moves while `sending`, until `stop`.
async fn bot(
    dev_url: String,
    edges: Vec<EdgeInfo>,
    log: Shared,
    sending: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
) {
    let name = lock(&log).name.clone();
    let connected = async {
        let token = fetch_dev_token(&dev_url, &name)
            .await
            .map_err(|e| e.to_string())?;
        let info = ConnectInfo::from_connect_endpoint(&edges[0].connect_url, &token)
            .await
            .map_err(|e| e.to_string())?;
        Client::connect_via(&info, Transport::Udp, &token)
            .await
            .map_err(|e| e.to_string())
    };
    let mut client = match connected.await {
        Ok(c) => c,
        Err(e) => {
            lock(&log).failed = Some(e);
            return;
        }
    };
    let urls: Vec<&str> = edges.iter().map(|e| e.connect_url.as_str()).collect();
    client.set_connect_urls(&urls);
    let mut next_order = Instant::now();
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        // A quiet world sends nothing: wake up to order anyway. A reconnection cut short
        // by this timeout starts again at the next call (tickets may be presented again).
        let event = match tokio::time::timeout(WAKE_EVERY, client.next_event()).await {
            Ok(Some(event)) => Some(event),
            Ok(None) => {
                lock(&log).closed.get_or_insert_with(|| "ended".into());
                return;
            }
            Err(_) => None,
        };
        let mut l = lock(&log);
        l.edge = client.edge_addr().unwrap_or_default().to_string();
        match event {
            None => {}
            Some(event) => match event {
                ClientEvent::Updated(_) => l.updates += 1,
                ClientEvent::CommandResult { seq, result } => {
                    *l.answers.entry(seq).or_default() += 1;
                    l.accepted += u64::from(result.is_ok());
                }
                ClientEvent::Moved { .. } => l.moves += 1,
                ClientEvent::Closed(why) => {
                    l.closed = Some(why);
                    return;
                }
                ClientEvent::Rtt(_)
                | ClientEvent::Notice { .. }
                | ClientEvent::Combat(_)
                | ClientEvent::Job(_)
                | ClientEvent::Sharing(_)
                | ClientEvent::Memory(_)
                | ClientEvent::Social(_)
                | ClientEvent::Static(_) => {}
            },
        }
        if sending.load(Ordering::Relaxed) && Instant::now() >= next_order {
            n += 1;
            if let Some(seq) = order(&mut client, n) {
                l.sent.push(seq);
            }
            next_order = Instant::now() + ORDER_EVERY;
        }
    }
    client.close();
}

/// Wait until `ok` holds for every log of `logs`, failing with `what` and the logs.
async fn until(logs: &[Shared], what: &str, ok: impl Fn(&BotLog) -> bool) {
    let deadline = Instant::now() + PHASE;
    loop {
        if logs.iter().all(|l| ok(&lock(l))) {
            return;
        }
        for l in logs {
            let l = lock(l);
            assert!(l.failed.is_none() && l.closed.is_none(), "{what}: {l:?}");
        }
        assert!(
            Instant::now() < deadline,
            "{what} within {PHASE:?}: {logs:#?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The bots of `logs` on `edge` now.
fn on_edge(logs: &[Shared], edge: &EdgeInfo) -> Vec<Shared> {
    let addr = edge.udp_addr.to_string();
    logs.iter()
        .filter(|l| lock(l).edge == addr)
        .cloned()
        .collect()
}

/// The edges of region `id`.
fn edges_of<'a>(cluster: &'a Cluster, id: &str) -> &'a [EdgeRun] {
    let region = cluster.regions.iter().find(|r| r.plan.id == id);
    &region.expect("the launcher starts regions r1 and r2").edges
}

/// The edge of `edges` with the most bots of `logs`, and those bots.
fn busiest(logs: &[Shared], edges: &[EdgeRun]) -> (EdgeInfo, Vec<Shared>) {
    edges
        .iter()
        .map(|e| (e.info.clone(), on_edge(logs, &e.info)))
        .max_by_key(|(_, on)| on.len())
        .expect("a region has edges")
}

/// The updates each bot of `logs` has received so far.
fn updates(logs: &[Shared]) -> Vec<u64> {
    logs.iter().map(|l| lock(l).updates).collect()
}

/// Wait until every bot of `logs` received more updates than `since` (same order).
async fn playing_again(logs: &[Shared], since: &[u64], what: &str) {
    let deadline = Instant::now() + PHASE;
    while logs
        .iter()
        .zip(since)
        .any(|(l, s)| lock(l).updates <= *s + 5)
    {
        assert!(Instant::now() < deadline, "{what}: {logs:#?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bots_play_on_through_a_drain_a_killed_edge_and_a_region_restart() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut opts = ClusterOptions::new(dir.path());
    opts.dev_http = "127.0.0.1:0".parse().expect("address");
    opts.log_filter = "warn".into();
    opts.prefix = format!("launcher_test_{}:", std::process::id());
    let started = Instant::now();
    let mut cluster = Cluster::start(opts).await.expect("the cluster starts");
    println!("cluster up in {:?}", started.elapsed());

    let sending = Arc::new(AtomicBool::new(true));
    let stop = Arc::new(AtomicBool::new(false));
    let mut all: Vec<Shared> = Vec::new();
    let mut tasks = Vec::new();
    for region in &cluster.regions {
        let dev_url = cluster.dev().region_url(&region.plan.id);
        let infos: Vec<EdgeInfo> = region.edges.iter().map(|e| e.info.clone()).collect();
        for i in 0..infos.len() {
            // Half the bots ask one edge's endpoint first, half the other's.
            let mut edges = infos.clone();
            edges.rotate_left(i);
            for b in 0..BOTS_PER_EDGE {
                let log = Arc::new(Mutex::new(BotLog {
                    name: format!("{}-bot{}", region.plan.id, i * BOTS_PER_EDGE + b),
                    region: region.plan.id.clone(),
                    ..BotLog::default()
                }));
                all.push(log.clone());
                tasks.push(tokio::spawn(bot(
                    dev_url.clone(),
                    edges.clone(),
                    log,
                    sending.clone(),
                    stop.clone(),
                )));
            }
        }
    }
    let region_bots = |r: &str| -> Vec<Shared> {
        all.iter()
            .filter(|l| lock(l).region == r)
            .cloned()
            .collect()
    };
    until(&all, "every bot playing and answered", |l| {
        l.updates > 10 && l.answers.len() >= 2
    })
    .await;
    println!("{} bots playing after {:?}", all.len(), started.elapsed());
    // Where the endpoints put them (a burst spreads over equally loaded edges, but a
    // heartbeat between two logins may change that: only printed).
    for region in &cluster.regions {
        for edge in &region.edges {
            println!("{}: {} bots", edge.info.id, on_edge(&all, &edge.info).len());
        }
    }

    // Drain an edge of r1: its bots are told to move and resume on the other by themselves.
    let (drained_edge, drained) = busiest(&all, edges_of(&cluster, "r1"));
    tokio::task::block_in_place(|| cluster.drain_edge(&drained_edge.id)).expect("drain");
    until(&drained, "the drained edge's bots moved", |l| {
        l.moves >= 1 && l.edge != drained_edge.udp_addr.to_string()
    })
    .await;
    playing_again(&drained, &updates(&drained), "playing after the drain").await;
    println!(
        "drain of {} done after {:?}",
        drained_edge.id,
        started.elapsed()
    );

    // kill -9 an edge of r2: its bots notice the silence and reconnect through the other.
    let (killed_edge, killed) = busiest(&all, edges_of(&cluster, "r2"));
    tokio::task::block_in_place(|| cluster.kill_edge(&killed_edge.id)).expect("kill");
    until(&killed, "the killed edge's bots moved", |l| {
        l.moves >= 1 && l.edge != killed_edge.udp_addr.to_string()
    })
    .await;
    playing_again(&killed, &updates(&killed), "playing after the kill").await;
    println!(
        "kill of {} done after {:?}",
        killed_edge.id,
        started.elapsed()
    );

    // Restart r1: its edge holds the sessions and announces them again.
    let r1 = region_bots("r1");
    let answered_before: BTreeMap<String, usize> = r1
        .iter()
        .map(|l| {
            let l = lock(l);
            (l.name.clone(), l.answers.len())
        })
        .collect();
    tokio::task::block_in_place(|| cluster.restart_region("r1")).expect("restart r1");
    let after_restart = updates(&r1);
    playing_again(&r1, &after_restart, "r1's bots playing after its restart").await;
    until(&r1, "r1 answering commands after its restart", |l| {
        l.answers.len() >= answered_before.get(&l.name).copied().unwrap_or(0) + 3
    })
    .await;
    println!("restart done after {:?}", started.elapsed());

    // Every bot still plays (its orders keep its world moving); then stop ordering: every
    // command is answered exactly once.
    playing_again(&all, &updates(&all), "every bot playing at the end").await;
    sending.store(false, Ordering::Relaxed);
    until(&all, "every command answered", |l| l.unanswered() == 0).await;
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        if tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .is_err()
        {
            // A bot waiting for its next event; its log is complete.
        }
    }
    let mut total = (0usize, 0u64);
    for l in &all {
        let l = lock(l);
        assert!(l.failed.is_none() && l.closed.is_none(), "{l:?}");
        for seq in &l.sent {
            assert_eq!(l.answers.get(seq), Some(&1), "{} seq {seq}: {l:?}", l.name);
        }
        assert_eq!(
            l.answers.len(),
            l.sent.len(),
            "answers to unsent seqs: {l:?}"
        );
        total.0 += l.sent.len();
        total.1 += l.accepted;
    }
    // r2 was never restarted: its region applied exactly the commands its bots saw
    // accepted, across the killed edge (none applied twice, none applied unanswered).
    let accepted_r2: u64 = region_bots("r2").iter().map(|l| lock(l).accepted).sum();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = tokio::task::block_in_place(|| cluster.region_metrics("r2")).expect("scrape");
        let applied = metric(&text, "starlane_region_commands_applied_total");
        let replayed = metric(&text, "starlane_region_commands_replayed_total");
        if applied == Some(accepted_r2 as f64) {
            println!("r2 applied {accepted_r2} commands once each ({replayed:?} answered again)");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "r2 applied {applied:?} commands, its bots saw {accepted_r2} accepted"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for l in drained.iter().chain(&killed) {
        assert!(lock(l).moves >= 1, "{:?}", lock(l));
    }
    println!(
        "{} commands sent, each answered once ({} accepted); {} bots playing; {:?} in all",
        total.0,
        total.1,
        all.len(),
        started.elapsed()
    );
    tokio::task::block_in_place(|| cluster.shutdown());
}
