//! The region's own tokio runtime inside the runner: the region runs on threads named
//! [`REGION_THREADS`] (and its tick thread, [`starlane_game::TICK_THREAD`], its compute pool,
//! [`starlane_game::COMPUTE_THREAD`], and its SQLite
//! store's worker threads, [`SQLITE_THREADS`]), as it runs in a process of its own in
//! production, so its link tasks do not queue behind the clients' or the fake edge's, and its
//! CPU is counted apart from theirs.

use crate::scenario::procstat::threads_cpu_secs;
use anyhow::Context;
use starlane_game::{Region, RegionConfig, RegionHandle};

/// The name of the region's runtime threads (what its CPU is counted by).
pub const REGION_THREADS: &str = "bench-region";

/// The prefix of the names of sqlx's SQLite worker threads (`sqlx-sqlite-worker-N`, cut to
/// 15 bytes by the kernel): in the runner only the region's store opens SQLite.
pub const SQLITE_THREADS: &str = "sqlx-sqlite";

/// A runtime of its own, shut down without blocking when dropped (it is dropped from async
/// code, where a blocking shutdown would panic).
pub struct RegionRuntime(Option<tokio::runtime::Runtime>);

impl std::fmt::Debug for RegionRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RegionRuntime")
    }
}

impl Drop for RegionRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

impl RegionRuntime {
    /// Build the runtime (one worker thread) and start a region on it.
    pub async fn start(cfg: RegionConfig) -> anyhow::Result<(RegionRuntime, RegionHandle)> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name(REGION_THREADS)
            .enable_all()
            .build()
            .context("build the region's runtime")?;
        let region = rt
            .spawn(Region::start(cfg))
            .await
            .context("the region's start task")?
            .context("region server")?;
        Ok((RegionRuntime(Some(rt)), region))
    }

    /// Stop `region` on this runtime.
    pub async fn stop(&self, region: RegionHandle) -> anyhow::Result<()> {
        let stopped = match &self.0 {
            Some(rt) => rt.spawn(region.shutdown()).await,
            None => Ok(Ok(())),
        };
        stopped.context("the region's stop task")??;
        Ok(())
    }
}

/// CPU seconds the region's threads have used so far (its runtime's, its tick thread's, its
/// compute pool's and its store's); `None` where `/proc` is unreadable.
pub fn region_cpu_secs() -> Option<f64> {
    Some(
        threads_cpu_secs(REGION_THREADS)?
            + threads_cpu_secs(starlane_game::TICK_THREAD)?
            + threads_cpu_secs(starlane_game::COMPUTE_THREAD)?
            + threads_cpu_secs(SQLITE_THREADS)?,
    )
}
