//! The two sides of the link over one QUIC connection with their events on a bounded channel,
//! for tools, benchmarks and tests that stand in for an edge ([`EdgeClient`]) or a region
//! ([`RegionPeer`]). (The edge relay routes its events through its hub, the region server to
//! its tick and database worker.)

use super::{EventSink, LinkCore, SharedLink, drive};
use crate::proto::link::{
    EdgeLink, EdgeLinkConfig, EdgeLinkEvent, EdgeSendError, RegionLink, RegionLinkConfig,
    RegionLinkEvent, RegionSendError,
};
use starlane_protocol::link::{PlayerIdentity, RegionToEdge, SessionCommand, SessionId};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Errors setting up an [`EdgeClient`] or a [`RegionPeer`].
#[derive(Debug, thiserror::Error)]
pub enum EdgeClientError {
    #[error("cannot connect to the region: {0}")]
    Connect(#[from] quinn::ConnectError),
    #[error("connection to the region failed: {0}")]
    Connection(#[from] quinn::ConnectionError),
}

/// Hands events to a bounded channel, waiting while it is full.
#[derive(Debug)]
struct ChannelSink<E>(mpsc::Sender<E>);

impl<E: Send> EventSink<E> for ChannelSink<E> {
    async fn deliver(&mut self, event: E) {
        let _ = self.0.send(event).await;
    }
}

/// Drive `link` on the stream in a task, its events on a channel of `event_queue` (at least
/// one); the task returns the close code.
fn spawn_driver<C: LinkCore>(
    conn: &quinn::Connection,
    send: quinn::SendStream,
    recv: quinn::RecvStream,
    link: &Arc<SharedLink<C>>,
    event_queue: usize,
) -> (mpsc::Receiver<C::Event>, JoinHandle<u8>) {
    let (tx, events) = mpsc::channel(event_queue.max(1));
    let (conn, link) = (conn.clone(), link.clone());
    let task = tokio::spawn(async move {
        let mut sink = ChannelSink(tx);
        drive(&conn, send, recv, &link, &mut sink).await
    });
    (events, task)
}

/// An edge's link to a region over one QUIC connection.
#[derive(Debug)]
pub struct EdgeClient {
    link: Arc<SharedLink<EdgeLink>>,
    events: mpsc::Receiver<EdgeLinkEvent>,
    conn: quinn::Connection,
    task: JoinHandle<u8>,
}

impl EdgeClient {
    /// Connect through `endpoint` (with a client configuration that trusts the region and
    /// presents the edge's certificate) to `addr`, open the stream and send `Hello`. At most
    /// `event_queue` events wait on [`EdgeClient::next_event`]; beyond that the driver stops
    /// reading and QUIC pushes back on the region.
    pub async fn connect(
        endpoint: &quinn::Endpoint,
        addr: SocketAddr,
        server_name: &str,
        config: EdgeLinkConfig,
        event_queue: usize,
    ) -> Result<Self, EdgeClientError> {
        let conn = endpoint.connect(addr, server_name)?.await?;
        let (send, recv) = conn.open_bi().await?;
        let link = SharedLink::new(EdgeLink::new(config));
        link.lock().handle_connected(Instant::now());
        link.wake();
        let (events, task) = spawn_driver(&conn, send, recv, &link, event_queue);
        Ok(Self {
            link,
            events,
            conn,
            task,
        })
    }

    /// The next event; `None` once the link ended and every event was taken.
    pub async fn next_event(&mut self) -> Option<EdgeLinkEvent> {
        self.events.recv().await
    }

    /// Register `session` and send its `Join`.
    pub fn join(&self, session: SessionId, player: PlayerIdentity) -> Result<(), EdgeSendError> {
        let r = self.link.lock().join(session, player);
        self.link.wake();
        r
    }

    /// Send a session's command.
    pub fn command(&self, command: SessionCommand) -> Result<(), EdgeSendError> {
        let r = self.link.lock().command(command);
        self.link.wake();
        r
    }

    /// End a session.
    pub fn leave(&self, session: SessionId) {
        self.link.lock().leave(session);
        self.link.wake();
    }

    /// The state machine (counters, flow state).
    pub fn link(&self) -> &Arc<SharedLink<EdgeLink>> {
        &self.link
    }

    /// The QUIC connection.
    pub fn connection(&self) -> &quinn::Connection {
        &self.conn
    }

    /// Close the link with `Normal` and wait (bounded by the driver's flush timeout) until
    /// the connection is closed; returns the close code.
    pub async fn close(self) -> u8 {
        let Self {
            link, events, task, ..
        } = self;
        // Nobody reads events any more: a driver waiting to hand one on a full queue must
        // not wait for ever, or the close never completes.
        drop(events);
        link.lock()
            .close(starlane_protocol::link::CloseCode::Normal, "edge done");
        link.wake();
        task.await.unwrap_or(0)
    }
}

/// A region's side of the link on one accepted QUIC connection.
#[derive(Debug)]
pub struct RegionPeer {
    link: Arc<SharedLink<RegionLink>>,
    events: mpsc::Receiver<RegionLinkEvent>,
    conn: quinn::Connection,
    task: JoinHandle<u8>,
}

impl RegionPeer {
    /// Serve `conn` (accepted by a region's endpoint): accept the edge's stream and drive a
    /// region state machine with `config` on it. At most `event_queue` events wait on
    /// [`RegionPeer::next_event`]; beyond that the driver stops reading the edge.
    pub async fn accept(
        conn: quinn::Connection,
        config: RegionLinkConfig,
        event_queue: usize,
    ) -> Result<Self, EdgeClientError> {
        let link = SharedLink::new(RegionLink::new(Instant::now(), config));
        let (send, recv) = conn.accept_bi().await?;
        let (events, task) = spawn_driver(&conn, send, recv, &link, event_queue);
        Ok(Self {
            link,
            events,
            conn,
            task,
        })
    }

    /// The next event; `None` once the link ended and every event was taken.
    pub async fn next_event(&mut self) -> Option<RegionLinkEvent> {
        self.events.recv().await
    }

    /// Queue a frame for the edge.
    pub fn send(&self, msg: RegionToEdge) -> Result<(), RegionSendError> {
        let r = self.link.lock().send(msg);
        self.link.wake();
        r
    }

    /// The state machine (counters, flow state).
    pub fn link(&self) -> &Arc<SharedLink<RegionLink>> {
        &self.link
    }

    /// The QUIC connection.
    pub fn connection(&self) -> &quinn::Connection {
        &self.conn
    }

    /// Close the link with `code` and wait (bounded by the driver's flush timeout) until the
    /// connection is closed; returns the close code.
    pub async fn close(self, code: starlane_protocol::link::CloseCode) -> u8 {
        let Self {
            link, events, task, ..
        } = self;
        // As for the edge: no event is read after this, so none may hold the driver up.
        drop(events);
        link.lock().close(code, "region done");
        link.wake();
        task.await.unwrap_or(0)
    }
}
