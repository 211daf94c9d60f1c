//! `starlane-testbed`: start one PostgreSQL and one Redis for a test run, write their URLs as
//! shell `export` lines, and stop both on SIGTERM or SIGINT.
//!
//! `.ci/test` runs it in the background, sources the file and exports the URLs to every test.

use clap::Parser;
use starlane_testbed::{POSTGRES_ENV, Postgres, REDIS_ENV, Redis};
use std::path::PathBuf;

/// Start PostgreSQL and Redis on free loopback ports for a test run.
#[derive(Debug, Parser)]
#[command(name = "starlane-testbed", version)]
struct Cli {
    /// Where to write `export STARLANE_TEST_POSTGRES=...` and `export STARLANE_TEST_REDIS=...`.
    #[arg(long)]
    env_file: PathBuf,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let pg = Postgres::start()?;
    let redis = Redis::start()?;
    let env = format!(
        "export {POSTGRES_ENV}={}\nexport {REDIS_ENV}={}\n",
        pg.admin_url(),
        redis.url()
    );
    let tmp = cli.env_file.with_extension("partial");
    std::fs::write(&tmp, env)?;
    // Renamed into place so a reader never sees half a file.
    std::fs::rename(&tmp, &cli.env_file)?;
    eprintln!(
        "starlane-testbed: PostgreSQL {} (pid {}), Redis {} (pid {})",
        pg.admin_url(),
        pg.pid(),
        redis.url(),
        redis.pid()
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        tokio::select! {
            _ = term.recv() => {},
            _ = int.recv() => {},
        }
        anyhow::Ok(())
    })?;
    drop(redis);
    drop(pg);
    Ok(())
}
