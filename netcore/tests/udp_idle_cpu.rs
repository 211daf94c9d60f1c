//! An idle UDP driver blocks: with one quiet connection (keepalives every 500 ms) its threads
//! wake a handful of times a second and use next to no CPU, instead of polling every few
//! milliseconds. Linux only: it reads the threads' counters from `/proc/self/task`.

#![cfg(target_os = "linux")]

use crate::udp_common;
use std::time::{Duration, Instant};
use udp_common::loopback_pair;

/// How long the drivers are watched.
const IDLE: Duration = Duration::from_secs(2);
/// Wake-ups per second allowed to each driver thread: keepalives, their acks, stats
/// publishing and cookie rotation need far fewer; a 1-8 ms polling loop needs 125-1000.
const MAX_WAKES_PER_SEC: f64 = 40.0;
/// CPU share allowed to the driver threads together.
const MAX_CPU_SHARE: f64 = 0.02;

/// Voluntary context switches and CPU ticks (utime + stime) of one thread.
#[derive(Debug, Default, Clone, Copy)]
struct Usage {
    wakes: u64,
    ticks: u64,
}

/// The usage of every thread whose name starts with `starlane-udp`.
fn driver_threads() -> Vec<(String, Usage)> {
    let mut out = Vec::new();
    let tasks = std::fs::read_dir("/proc/self/task").expect("procfs");
    for task in tasks.flatten() {
        let dir = task.path();
        let Ok(comm) = std::fs::read_to_string(dir.join("comm")) else {
            continue;
        };
        if !comm.starts_with("starlane-udp") {
            continue;
        }
        let status = std::fs::read_to_string(dir.join("status")).unwrap_or_default();
        let wakes = status
            .lines()
            .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        let stat = std::fs::read_to_string(dir.join("stat")).unwrap_or_default();
        // Fields after the parenthesised name; utime and stime are the 14th and 15th overall.
        let fields: Vec<u64> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().map(|f| f.parse().unwrap_or(0)))
            .into_iter()
            .flatten()
            .collect();
        let ticks = fields.get(11).copied().unwrap_or(0) + fields.get(12).copied().unwrap_or(0);
        out.push((
            format!("{}/{}", comm.trim(), task.file_name().to_string_lossy()),
            Usage { wakes, ticks },
        ));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_drivers_block_instead_of_polling() {
    let (server, client, _edge) = loopback_pair().await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let before = driver_threads();
    assert_eq!(before.len(), 2, "a server and a client driver: {before:?}");
    let start = Instant::now();
    tokio::time::sleep(IDLE).await;
    let secs = start.elapsed().as_secs_f64();
    let after = driver_threads();

    // Clock ticks are 1/100 s on Linux (USER_HZ).
    let mut cpu_ticks = 0;
    for ((name, b), (_, a)) in before.iter().zip(&after) {
        let wakes = a.wakes.saturating_sub(b.wakes) as f64 / secs;
        let ticks = a.ticks.saturating_sub(b.ticks);
        cpu_ticks += ticks;
        println!("{name}: {wakes:.1} wakes/s, {ticks} cpu ticks over {secs:.2} s");
        assert!(wakes < MAX_WAKES_PER_SEC, "{name} woke {wakes:.1} times/s");
    }
    let share = cpu_ticks as f64 / 100.0 / secs;
    assert!(
        share < MAX_CPU_SHARE,
        "idle drivers used {share:.3} of a core"
    );

    drop(client);
    server.shutdown();
}
