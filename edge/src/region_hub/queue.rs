//! The sending side of a link's frame queue, and why a frame could not be queued.

use starlane_protocol::link::EdgeToRegion;
use tokio::sync::mpsc;

/// A session's frame could not be queued for the region; the frame is handed back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The edge->region queue is (three quarters) full.
    #[error("the edge->region queue is full")]
    Full(EdgeToRegion),
    /// No link is up, or the session is not registered on it.
    #[error("no region link for the session")]
    Unavailable(EdgeToRegion),
}

impl SendError {
    /// The frame that was not queued.
    pub fn into_frame(self) -> EdgeToRegion {
        match self {
            Self::Full(m) | Self::Unavailable(m) => m,
        }
    }
}

/// The sending side of a link's frame queue.
#[derive(Debug, Clone)]
pub enum LinkSender {
    /// A bounded queue (the QUIC link).
    Bounded(mpsc::Sender<EdgeToRegion>),
    /// An unbounded queue (tests standing in for a link): never full.
    Unbounded(mpsc::UnboundedSender<EdgeToRegion>),
}

impl From<mpsc::Sender<EdgeToRegion>> for LinkSender {
    fn from(tx: mpsc::Sender<EdgeToRegion>) -> Self {
        Self::Bounded(tx)
    }
}

impl From<mpsc::UnboundedSender<EdgeToRegion>> for LinkSender {
    fn from(tx: mpsc::UnboundedSender<EdgeToRegion>) -> Self {
        Self::Unbounded(tx)
    }
}

pub(super) enum Queued {
    Sent,
    Full(EdgeToRegion),
    Closed(EdgeToRegion),
}

impl LinkSender {
    /// Queue `msg`; with `keep_reserve`, refuse when less than a quarter of the queue is free.
    pub(super) fn try_send(&self, msg: EdgeToRegion, keep_reserve: bool) -> Queued {
        match self {
            Self::Bounded(tx) => {
                if keep_reserve && tx.capacity() <= tx.max_capacity() / 4 {
                    return Queued::Full(msg);
                }
                match tx.try_send(msg) {
                    Ok(()) => Queued::Sent,
                    Err(mpsc::error::TrySendError::Full(m)) => Queued::Full(m),
                    Err(mpsc::error::TrySendError::Closed(m)) => Queued::Closed(m),
                }
            }
            Self::Unbounded(tx) => match tx.send(msg) {
                Ok(()) => Queued::Sent,
                Err(e) => Queued::Closed(e.0),
            },
        }
    }
}
