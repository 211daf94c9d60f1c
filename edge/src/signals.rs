//! The edge's answer to Unix signals, shared by `starlane-edge run` and the all-in-one
//! `starlane-local run`: SIGHUP reloads the bandwidth profiles (logging the result), SIGINT
//! and SIGTERM end the wait so the caller can stop cleanly. [`Signals::run_edge`] (the
//! edge binary) drains on SIGTERM first: clients are told to move, and the wait ends once
//! they have left or `[drain] window_secs` has passed (a SIGINT meanwhile ends it at once).

use crate::EdgeHandle;
use tokio::signal::unix::{Signal, SignalKind, signal};

/// The signal that ended [`serve_signals`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopSignal {
    /// SIGINT (Ctrl-C).
    Interrupt,
    /// SIGTERM.
    Terminate,
    /// A drain started by an admin call finished.
    Drained,
}

impl std::fmt::Display for StopSignal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Interrupt => "SIGINT",
            Self::Terminate => "SIGTERM",
            Self::Drained => "drained",
        })
    }
}

/// The handlers of SIGHUP, SIGINT and SIGTERM. Install them before announcing that the
/// process is up: from then on these signals no longer end the process by default, and
/// one that arrives before [`Signals::serve`] waits for it.
#[derive(Debug)]
pub struct Signals {
    hangup: Signal,
    interrupt: Signal,
    terminate: Signal,
}

impl Signals {
    /// Install the handlers (on the current tokio runtime).
    pub fn install() -> std::io::Result<Self> {
        Ok(Self {
            hangup: signal(SignalKind::hangup())?,
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    /// Reload `edge`'s bandwidth profiles on every SIGHUP until SIGINT or SIGTERM arrives. A
    /// failed reload is logged and keeps the current profiles.
    pub async fn serve(mut self, edge: &EdgeHandle) -> StopSignal {
        self.wait(edge).await
    }

    /// As [`Signals::serve`], but SIGTERM drains `edge` first, and a drain started otherwise
    /// (`POST /admin/drain`) ends the wait once it has finished. The caller then shuts the
    /// edge down.
    pub async fn run_edge(mut self, edge: &EdgeHandle) -> StopSignal {
        let stop = tokio::select! {
            stop = self.wait(edge) => stop,
            () = edge.drained() => return StopSignal::Drained,
        };
        if stop == StopSignal::Terminate {
            edge.drain();
            tokio::select! {
                () = edge.drained() => {}
                _ = self.interrupt.recv() => return StopSignal::Interrupt,
            }
        }
        stop
    }

    async fn wait(&mut self, edge: &EdgeHandle) -> StopSignal {
        loop {
            tokio::select! {
                _ = self.interrupt.recv() => return StopSignal::Interrupt,
                _ = self.terminate.recv() => return StopSignal::Terminate,
                _ = self.hangup.recv() => reload(edge),
            }
        }
    }
}

/// Reload the profiles and log what happened (the SIGHUP path).
pub fn reload(edge: &EdgeHandle) {
    match edge.reload_profiles() {
        Ok(changed) => tracing::info!(?changed, "bandwidth profiles reloaded"),
        Err(e) => tracing::error!(
            error = %e,
            "bandwidth profile reload failed; keeping the current profiles"
        ),
    }
}
