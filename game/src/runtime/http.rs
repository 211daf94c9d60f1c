//! The region's operator HTTP listener (`[http] bind`): `/metrics` (Prometheus text),
//! `/healthz` and `/readyz`, served with axum on the region's tokio runtime.
//!
//! * `/healthz` answers 200 while the tick runs (and while the region starts), 503 once the
//!   tick thread has ended (stopped or panicked) or when no tick completed for
//!   [`STALL_LIMIT`] between two checks.
//! * `/readyz` answers 200 only when the database is open and answers a `SELECT 1` within
//!   [`DB_PROBE_TIMEOUT`] (the answer is cached for [`DB_PROBE_CACHE`]), the link listener
//!   accepts edges and the tick runs; otherwise, and from the moment shutdown begins, 503
//!   with the reason.
//!
//! The same pattern as the edge's `/metrics`, `/healthz`, `/readyz` (`edge/src/http.rs`).

use super::link::LinkStats;
use super::persist::Store;
use crate::metrics::{LinkRefusals, Metrics, RegionMetrics};
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// `/healthz` fails when the tick count did not move for this long between two checks.
pub const STALL_LIMIT: Duration = Duration::from_secs(10);

/// How long `/readyz` waits for the database's `SELECT 1`.
pub const DB_PROBE_TIMEOUT: Duration = Duration::from_millis(500);
/// How long `/readyz` reuses the database probe's answer.
pub const DB_PROBE_CACHE: Duration = Duration::from_secs(1);

/// The readiness probe of the database: a `SELECT 1` with a short timeout, its answer cached.
#[derive(Debug, Default)]
pub(crate) struct DbProbe {
    store: OnceLock<Store>,
    /// When the last probe ran and what it found.
    last: tokio::sync::Mutex<Option<(Instant, Result<(), String>)>>,
}

impl DbProbe {
    /// `Ok` when the database answered within [`DB_PROBE_TIMEOUT`] (at most
    /// [`DB_PROBE_CACHE`] ago), else the reason. Concurrent probes share one query.
    async fn check(&self) -> Result<(), String> {
        let Some(store) = self.store.get() else {
            return Err("database not open".into());
        };
        let mut last = self.last.lock().await;
        if let Some((at, found)) = &*last
            && at.elapsed() < DB_PROBE_CACHE
        {
            return found.clone();
        }
        let found = match tokio::time::timeout(DB_PROBE_TIMEOUT, store.ping()).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(format!("database unreachable: {e}")),
            Err(_) => Err(format!(
                "database unreachable: no answer to SELECT 1 within {} ms",
                DB_PROBE_TIMEOUT.as_millis()
            )),
        };
        *last = Some((Instant::now(), found.clone()));
        found
    }
}

/// What the probes look at, set by the runtime as it starts and stops.
#[derive(Debug, Default)]
pub(crate) struct Health {
    store_open: AtomicBool,
    link_accepting: AtomicBool,
    tick_started: AtomicBool,
    tick_ended: AtomicBool,
    shutting_down: AtomicBool,
    /// The tick count at the last check that saw it move, and when.
    progress: Mutex<Option<(u64, Instant)>>,
}

impl Health {
    pub fn set_store_open(&self, open: bool) {
        self.store_open.store(open, Ordering::Relaxed);
    }

    pub fn set_link_accepting(&self, accepting: bool) {
        self.link_accepting.store(accepting, Ordering::Relaxed);
    }

    pub fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::Relaxed);
    }

    /// Mark the tick started; the guard marks it ended when dropped (also when the tick
    /// thread unwinds from a panic).
    pub fn tick_guard(self: &Arc<Self>) -> TickGuard {
        self.tick_started.store(true, Ordering::Relaxed);
        TickGuard(self.clone())
    }

    /// `Ok(what)` while the tick runs (or before it started), else why not.
    fn live(&self, ticks: u64) -> Result<&'static str, String> {
        if self.tick_ended.load(Ordering::Relaxed) {
            return Err("tick stopped".into());
        }
        if !self.tick_started.load(Ordering::Relaxed) {
            return Ok("starting");
        }
        let now = Instant::now();
        let mut progress = self.progress.lock().unwrap_or_else(PoisonError::into_inner);
        match *progress {
            Some((seen, since)) if seen == ticks => {
                let stalled = now.duration_since(since);
                if stalled >= STALL_LIMIT {
                    return Err(format!("no tick for {}s", stalled.as_secs()));
                }
            }
            _ => *progress = Some((ticks, now)),
        }
        Ok("ok")
    }

    /// `Ok(())` when the region can take edges, else the reason.
    fn ready(&self) -> Result<(), &'static str> {
        if self.shutting_down.load(Ordering::Relaxed) {
            Err("shutting down")
        } else if !self.store_open.load(Ordering::Relaxed) {
            Err("database not open")
        } else if !self.link_accepting.load(Ordering::Relaxed) {
            Err("link listener not accepting")
        } else if !self.tick_started.load(Ordering::Relaxed)
            || self.tick_ended.load(Ordering::Relaxed)
        {
            Err("tick not running")
        } else {
            Ok(())
        }
    }
}

/// Marks the tick ended when dropped.
#[derive(Debug)]
pub(crate) struct TickGuard(Arc<Health>);

impl Drop for TickGuard {
    fn drop(&mut self) {
        self.0.tick_ended.store(true, Ordering::Relaxed);
    }
}

/// Everything the endpoints read: the probes' state and the measurements.
#[derive(Debug, Default)]
pub(crate) struct Observed {
    pub health: Arc<Health>,
    pub export: RegionMetrics,
    pub metrics: Arc<Metrics>,
    pub stats: Arc<LinkStats>,
    pub refusals: Arc<LinkRefusals>,
    pub db_probe: DbProbe,
}

impl Observed {
    /// The store `/readyz` probes (set once it is open).
    pub fn set_store(&self, store: Store) {
        let _ = self.db_probe.store.set(store);
    }
}

/// The router serving `/metrics`, `/healthz` and `/readyz`.
fn router(observed: Arc<Observed>) -> Router {
    Router::new()
        .route("/metrics", get(metrics_handler))
        .route("/healthz", get(health_handler))
        .route("/readyz", get(ready_handler))
        .with_state(observed)
}

async fn metrics_handler(State(o): State<Arc<Observed>>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        o.export.render(&o.metrics, &o.stats, &o.refusals),
    )
}

async fn health_handler(State(o): State<Arc<Observed>>) -> impl IntoResponse {
    match o.health.live(o.metrics.ticks.load(Ordering::Relaxed)) {
        Ok(what) => (StatusCode::OK, format!("{what}\n")),
        Err(why) => (StatusCode::SERVICE_UNAVAILABLE, format!("{why}\n")),
    }
}

async fn ready_handler(State(o): State<Arc<Observed>>) -> impl IntoResponse {
    let ready = match o.health.ready() {
        Ok(()) => o.db_probe.check().await,
        Err(why) => Err(why.to_string()),
    };
    match ready {
        Ok(()) => (StatusCode::OK, "ready\n".to_string()),
        Err(why) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: {why}\n"),
        ),
    }
}

/// The running listener; dropping it stops the server.
#[derive(Debug)]
pub(crate) struct HttpServer {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl HttpServer {
    /// Bind `addr` and serve the endpoints until stopped.
    pub async fn start(addr: SocketAddr, observed: Arc<Observed>) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let graceful = async move {
                let _ = stopped.await;
            };
            if let Err(e) = axum::serve(listener, router(observed))
                .with_graceful_shutdown(graceful)
                .await
            {
                tracing::warn!(error = %e, "region http server failed");
            }
        });
        tracing::info!(%addr, "region http listening (/metrics /healthz /readyz)");
        Ok(Self {
            addr,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The bound address (with the real port when bound to port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stop accepting, let open requests finish (at most a second).
    pub async fn stop(mut self) {
        drop(self.stop.take());
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(1), task).await;
        }
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_needs_store_link_and_tick_and_fails_from_shutdown() {
        let h = Arc::new(Health::default());
        assert_eq!(h.ready(), Err("database not open"));
        h.set_store_open(true);
        assert_eq!(h.ready(), Err("link listener not accepting"));
        h.set_link_accepting(true);
        assert_eq!(h.ready(), Err("tick not running"));
        let guard = h.tick_guard();
        assert_eq!(h.ready(), Ok(()));
        h.begin_shutdown();
        assert_eq!(h.ready(), Err("shutting down"));
        drop(guard);
        assert_eq!(h.live(5), Err("tick stopped".into()));
    }

    #[test]
    fn live_while_ticks_advance_and_stalled_when_they_do_not() {
        let h = Arc::new(Health::default());
        assert_eq!(h.live(0), Ok("starting"));
        let _guard = h.tick_guard();
        assert_eq!(h.live(1), Ok("ok"));
        assert_eq!(h.live(1), Ok("ok"));
        // The count last moved longer ago than the limit.
        let long_ago = Instant::now()
            .checked_sub(STALL_LIMIT + Duration::from_secs(1))
            .expect("the monotonic clock is past the stall limit");
        *h.progress.lock().expect("not poisoned") = Some((1, long_ago));
        assert!(h.live(1).is_err_and(|e| e.starts_with("no tick for")));
        assert_eq!(h.live(2), Ok("ok"));
    }
}
