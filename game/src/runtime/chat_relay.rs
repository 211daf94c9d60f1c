//! The region's end of the cluster's chat bus (SPEC.md §21.1, §22): the chat the tick accepted
//! is published as [`ClusterEvent::Chat`] and its player notes (friends, mail, presence) as
//! [`ClusterEvent::Social`], and every post and note on the bus (this region's own included)
//! goes to the tick, which delivers it to the sessions that read it. Two tasks, so that a slow
//! publish never holds back delivery. The `starlane_region_chat_bus_*` series count both.
//!
//! Redis may be down: a publish then fails and is counted (the post is lost, as a datagram
//! would be; the sender's command was accepted), and posts published meanwhile by others are
//! missed. Posts are never queued without bound: the tick's queue to the publisher and the
//! bus's receiver are bounded, and what overflows is counted.

use super::msg::RuntimeMsg;
use crate::world::TickInput;
use prometheus::{IntCounter, IntCounterVec, Opts, Registry};
use starlane_cluster::{Cluster, ClusterEvent};
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;

/// Accepted chat and notes waiting to be published (the tick drops and counts what does not
/// fit).
pub(crate) const CHAT_QUEUE: usize = 4096;

/// The relay's metrics (`starlane_region_chat_bus_*`).
#[derive(Debug, Clone)]
pub(crate) struct RelayMetrics {
    published: IntCounter,
    received: IntCounter,
    /// By reason: `publish_failed`, `lagged`, `tick_queue_full`.
    lost: IntCounterVec,
}

impl RelayMetrics {
    pub(crate) fn register(registry: &Registry) -> Self {
        // Names are static and valid; a region registers these once per registry.
        let counter = |name: &str, help: &str| {
            let c = IntCounter::new(name, help).expect("metric name is static and valid");
            registry
                .register(Box::new(c.clone()))
                .expect("each metric is registered once in the region's registry");
            c
        };
        let lost = IntCounterVec::new(
            Opts::new(
                "starlane_region_chat_bus_lost_total",
                "Chat posts and player notes lost on the cluster's bus, by reason",
            ),
            &["reason"],
        )
        .expect("metric name is static and valid");
        registry
            .register(Box::new(lost.clone()))
            .expect("each metric is registered once in the region's registry");
        Self {
            published: counter(
                "starlane_region_chat_bus_published_total",
                "Chat posts and player notes this region published on the cluster's bus",
            ),
            received: counter(
                "starlane_region_chat_bus_received_total",
                "Chat posts and player notes this region received from the cluster's bus",
            ),
            lost,
        }
    }
}

/// The two relay tasks; dropping it stops them.
#[derive(Debug)]
pub(crate) struct ChatRelay {
    publisher: JoinHandle<()>,
    subscriber: JoinHandle<()>,
}

impl ChatRelay {
    /// Publish what comes on `posts`; hand the bus's chat to the tick on `tick`.
    pub(crate) fn spawn(
        cluster: &Cluster,
        posts: mpsc::Receiver<ClusterEvent>,
        tick: mpsc::Sender<RuntimeMsg>,
        metrics: RelayMetrics,
    ) -> Self {
        let events = cluster.subscribe();
        let publisher = tokio::spawn(publish(cluster.clone(), posts, metrics.clone()));
        let subscriber = tokio::spawn(deliver(events, tick, metrics));
        Self {
            publisher,
            subscriber,
        }
    }
}

impl Drop for ChatRelay {
    fn drop(&mut self) {
        self.publisher.abort();
        self.subscriber.abort();
    }
}

async fn publish(cluster: Cluster, mut posts: mpsc::Receiver<ClusterEvent>, metrics: RelayMetrics) {
    while let Some(post) = posts.recv().await {
        match cluster.publish(&post).await {
            Ok(()) => metrics.published.inc(),
            Err(e) => {
                metrics.lost.with_label_values(&["publish_failed"]).inc();
                tracing::debug!(error = %e, "chat post not published");
            }
        }
    }
}

async fn deliver(
    mut events: broadcast::Receiver<ClusterEvent>,
    tick: mpsc::Sender<RuntimeMsg>,
    metrics: RelayMetrics,
) {
    loop {
        let input = match events.recv().await {
            Ok(ClusterEvent::Chat(post)) => TickInput::Chat(post),
            Ok(ClusterEvent::Social(note)) => TickInput::Note(note),
            Ok(_) => continue,
            Err(broadcast::error::RecvError::Lagged(n)) => {
                metrics.lost.with_label_values(&["lagged"]).inc_by(n);
                continue;
            }
            Err(broadcast::error::RecvError::Closed) => return,
        };
        metrics.received.inc();
        match tick.try_send(RuntimeMsg::Input(input)) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                metrics.lost.with_label_values(&["tick_queue_full"]).inc();
            }
            Err(mpsc::error::TrySendError::Closed(_)) => return,
        }
    }
}
