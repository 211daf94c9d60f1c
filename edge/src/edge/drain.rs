//! Draining an edge: `/readyz` fails, `starlane_edge_draining` is 1, new hellos are refused
//! with `Draining`, every client is told to move, and the edge is done once its clients have
//! left or the window (`[drain] window_secs`) has passed. SIGTERM and `POST /admin/drain`
//! both come here.

use crate::metrics::EdgeMetrics;
use crate::session::SessionContext;
use starlane_protocol::MoveReason;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

/// Starts a drain and tells when it is over.
#[derive(Debug)]
pub struct DrainControl {
    pub(super) draining: Arc<AtomicBool>,
    pub(super) metrics: EdgeMetrics,
    pub(super) ctx: Arc<SessionContext>,
    pub(super) live: Arc<AtomicUsize>,
    pub(super) window: Duration,
    /// When the drain started.
    pub(super) started: watch::Sender<Option<Instant>>,
}

impl DrainControl {
    /// Set or clear the flag `/readyz` and the metrics read (nothing else).
    pub fn set_flag(&self, draining: bool) {
        self.draining.store(draining, Ordering::Relaxed);
        self.metrics.draining.set(i64::from(draining));
    }

    /// Begin draining (once): returns false if the edge already was.
    pub fn start(&self) -> bool {
        self.set_flag(true);
        let first = self.ctx.drain(MoveReason::Drain);
        if first {
            tracing::info!(window = ?self.window, "draining: clients are told to move");
            self.started.send_replace(Some(Instant::now()));
        }
        first
    }

    /// Resolves once a drain has started and every session has ended or the window has
    /// passed.
    pub async fn finished(&self) {
        let mut started = self.started.subscribe();
        let Ok(at) = started.wait_for(Option::is_some).await.map(|s| *s) else {
            return std::future::pending().await;
        };
        let deadline = at.map_or_else(Instant::now, |t| t + self.window);
        while self.live.load(Ordering::Relaxed) > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let left = self.live.load(Ordering::Relaxed);
        tracing::info!(sessions_left = left, "drain finished");
    }
}
