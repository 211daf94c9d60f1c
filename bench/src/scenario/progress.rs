//! The progress bar shown while a scenario runs.

use crate::scenario::clients::{Clock, Live};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// A progress bar (or nothing, when hidden).
#[derive(Debug, Clone)]
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar on stderr, or a hidden one.
    pub fn new(visible: bool) -> Progress {
        let bar = if visible {
            ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        let style = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} s  {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        Progress { bar }
    }

    /// Show a message (e.g. the capacity step).
    pub fn say(&self, msg: impl Into<String>) {
        self.bar.println(msg.into());
    }

    /// Follow one run until `clock.end`.
    pub async fn follow(&self, clock: Clock, planned: u64, live: &Live) {
        let start = Instant::now();
        let total = clock.end.saturating_duration_since(start).as_secs();
        self.bar.set_length(total);
        self.bar.set_position(0);
        let mut last_bytes = 0;
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        while Instant::now() < clock.end {
            tick.tick().await;
            let bytes = live.bytes_down.load(Ordering::Relaxed);
            let phase = if Instant::now() < clock.measure_from {
                "warm-up"
            } else {
                "measuring"
            };
            self.bar.set_message(format!(
                "{phase}: clients {}/{planned} ({} failed), down {:.1} KiB/s",
                live.connected.load(Ordering::Relaxed),
                live.failed.load(Ordering::Relaxed),
                (bytes - last_bytes) as f64 / 1024.0
            ));
            last_bytes = bytes;
            self.bar.set_position(start.elapsed().as_secs().min(total));
        }
        self.bar.set_position(total);
    }

    /// Remove the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
