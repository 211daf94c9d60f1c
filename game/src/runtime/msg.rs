//! What the runtime's tasks send each other: link events to the tick thread, join and leave
//! lookups to the database worker, world snapshots from the tick thread, and the bounded send that
//! counts when a queue was full. A leaf of the runtime: the link server, the tick loop and
//! the database worker all depend on it, and it on none of them.

use crate::records::WorldSnapshot;
use crate::world::{LinkId, TickInput};
use starlane_netcore::link::SharedLink;
use starlane_netcore::proto::link::RegionLink;
use starlane_protocol::link::{PlayerIdentity, SessionId};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::{mpsc, oneshot};

/// One edge connection's state machine, shared by its driver and the tick.
pub(crate) type RegionLinkHandle = Arc<SharedLink<RegionLink>>;

/// Messages from tokio tasks to the tick thread.
#[derive(Debug)]
pub(crate) enum RuntimeMsg {
    /// A link finished its hello; the tick sends its frames on `handle`.
    LinkOpened {
        link: LinkId,
        handle: RegionLinkHandle,
        /// The id the edge sent in its `Hello` (the label of its per-edge series).
        edge_id: String,
    },
    /// Anything else for the simulation.
    Input(TickInput),
}

/// Join and leave requests, resolved in order by the database worker.
#[derive(Debug)]
pub(crate) enum DbRequest {
    Join {
        link: LinkId,
        session: SessionId,
        player: PlayerIdentity,
    },
    Leave {
        link: LinkId,
        session: SessionId,
    },
}

/// Sending on a bounded queue, counting the times it was full.
#[derive(Debug)]
pub(crate) struct Queued;

impl Queued {
    /// Send `msg` on `tx`, waiting while it is full (counted in `waits`); false when the
    /// receiver is gone.
    pub async fn send<T>(tx: &mpsc::Sender<T>, msg: T, waits: &AtomicU64) -> bool {
        match tx.try_send(msg) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(msg)) => {
                waits.fetch_add(1, Ordering::Relaxed);
                tx.send(msg).await.is_ok()
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }
}

/// Writes from the tick thread (and shutdown) to the database worker.
#[derive(Debug)]
pub(crate) enum DbWrite {
    /// The whole world, to write in one transaction.
    Snapshot(WorldSnapshot),
    /// Answer once every earlier write is done.
    Flush(oneshot::Sender<()>),
}
