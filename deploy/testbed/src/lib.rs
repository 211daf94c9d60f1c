//! Real PostgreSQL and Redis servers for tests and the local cluster launcher.
//!
//! Each server runs as a child process on a free loopback port, with its data in a temporary
//! directory that is removed when the handle drops; dropping the handle ends the process it
//! started (by PID) and nothing else.
//!
//! Tests share one server of each kind per test run: the test command (`.ci/test`) starts them
//! with the `starlane-testbed` binary and exports [`POSTGRES_ENV`] and [`REDIS_ENV`]. A test run
//! without them (a plain `cargo nextest run`) starts private servers per test process, which is
//! slower but never skips. Isolation between tests comes from a fresh database per test
//! ([`fresh_database`]) and a fresh key prefix per test ([`fresh_prefix`]).

mod postgres;
mod process;
mod redis;

pub use postgres::{Postgres, bin_dir as postgres_bin_dir};
pub use process::{Signal, free_port, signal};
pub use redis::Redis;

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// Environment variable naming the shared PostgreSQL server's admin URL (no database part).
pub const POSTGRES_ENV: &str = "STARLANE_TEST_POSTGRES";
/// Environment variable naming the shared Redis server's URL.
pub const REDIS_ENV: &str = "STARLANE_TEST_REDIS";

/// Errors starting or using a server.
#[derive(Debug, thiserror::Error)]
pub enum TestbedError {
    /// A server binary is not installed.
    #[error("{what} is not installed: {fix}")]
    Missing {
        what: &'static str,
        fix: &'static str,
    },
    /// A command failed.
    #[error("{command} failed: {detail}")]
    Command { command: String, detail: String },
    /// The server did not become ready in time.
    #[error("{what} did not become ready within {seconds} s: {detail}")]
    NotReady {
        what: &'static str,
        seconds: u64,
        detail: String,
    },
    /// Local IO failed (temporary directory, port, process spawn).
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
}

impl TestbedError {
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let context = context.into();
        move |source| Self::Io { context, source }
    }
}

/// The shared server of one kind: from the environment, or started once per process (and then
/// stopped by a reaper when the process exits, since statics are never dropped).
enum Shared<T> {
    Env(String),
    Owned(T),
}

static PG: OnceLock<Shared<Postgres>> = OnceLock::new();
static REDIS: OnceLock<Shared<Redis>> = OnceLock::new();
static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique_suffix() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{}_{n}_{nanos:x}", std::process::id())
}

fn shared_postgres() -> &'static Shared<Postgres> {
    PG.get_or_init(|| match std::env::var(POSTGRES_ENV) {
        Ok(url) if !url.is_empty() => Shared::Env(url),
        // Tests must not skip: without a shared server, start one for this process.
        _ => {
            let pg =
                Postgres::start().unwrap_or_else(|e| panic!("starting a test PostgreSQL: {e}"));
            process::reap_when_gone(std::process::id(), pg.pid(), Signal::Quit, pg.dir())
                .unwrap_or_else(|e| panic!("{e}"));
            Shared::Owned(pg)
        }
    })
}

/// A new, empty PostgreSQL database on the shared test server; returns its URL.
///
/// Panics (this is for tests) with the reason when no server can be reached or started.
pub fn fresh_database() -> String {
    let name = format!("t_{}", unique_suffix());
    match shared_postgres() {
        Shared::Env(admin) => {
            postgres::create_database_at(admin, &name).unwrap_or_else(|e| panic!("{e}"))
        }
        Shared::Owned(pg) => pg.create_database(&name).unwrap_or_else(|e| panic!("{e}")),
    }
}

/// The shared test Redis server's URL (started for this process when none is shared).
pub fn redis_url() -> String {
    let shared = REDIS.get_or_init(|| match std::env::var(REDIS_ENV) {
        Ok(url) if !url.is_empty() => Shared::Env(url),
        _ => {
            let redis = Redis::start().unwrap_or_else(|e| panic!("starting a test Redis: {e}"));
            process::reap_when_gone(std::process::id(), redis.pid(), Signal::Term, redis.dir())
                .unwrap_or_else(|e| panic!("{e}"));
            Shared::Owned(redis)
        }
    });
    match shared {
        Shared::Env(url) => url.clone(),
        Shared::Owned(r) => r.url(),
    }
}

/// A key prefix no other test uses, e.g. `t_1234_0_1f:`.
pub fn fresh_prefix() -> String {
    format!("t_{}:", unique_suffix())
}
