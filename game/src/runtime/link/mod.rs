//! The edge-region link server: QUIC (quinn) with mutual TLS, one connection per edge, each
//! run by a [`RegionLink`] state machine (`starlane_netcore::proto::link`, LINK.md) through
//! netcore's link driver.
//!
//! The state machine checks every frame (LINK.md §7) and closes the link with a code; nothing a
//! peer sends can panic the server. Its events go to the tick (commands) and to the database
//! worker (joins, leaves) on bounded queues, awaited: a region that falls behind stops reading,
//! and QUIC's flow control pushes back on the edge. The tick sends on the state machine
//! directly (the tick loop, `src/tick.rs`): its queue is bounded (`link_queue`, `link_queue_bytes`).
//!
//! The TLS handshake is mutual: an edge must present a client certificate the region trusts
//! ([`trust::edge_verifier`]); refused handshakes are logged and counted in
//! [`crate::metrics::LinkRefusals`].

pub mod tls;
pub mod trust;

mod stats;

pub(crate) use stats::Writes;
pub use stats::{LinkStats, LinkStatsSnapshot};

use super::msg::{DbRequest, Queued, RegionLinkHandle, RuntimeMsg};
use crate::metrics::{LinkRefusals, RefusalReason};
use crate::world::{LinkId, TickInput};
use starlane_netcore::link::{EventSink, SharedLink, drive};
use starlane_netcore::proto::link::{LinkClosed, RegionLink, RegionLinkConfig, RegionLinkEvent};
use starlane_protocol::link::CloseCode;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::mpsc;

/// What every link task needs.
#[derive(Debug, Clone)]
pub(crate) struct LinkCtx {
    pub tick_tx: mpsc::Sender<RuntimeMsg>,
    pub db_tx: mpsc::Sender<DbRequest>,
    pub stats: Arc<LinkStats>,
    pub refusals: Arc<LinkRefusals>,
    /// The settings every connection's state machine starts from.
    pub config: RegionLinkConfig,
}

/// TLS alert `certificate_required` (RFC 8446): the edge sent no client certificate.
const ALERT_CERTIFICATE_REQUIRED: u8 = 116;

/// Log a failed handshake; count it when it was a missing client certificate (the verifier
/// counts the certificates it refuses).
fn handshake_failed(
    link: LinkId,
    remote: std::net::SocketAddr,
    e: &quinn::ConnectionError,
    ctx: &LinkCtx,
) {
    let no_cert = matches!(
        e,
        quinn::ConnectionError::TransportError(t)
            if t.code == quinn::TransportErrorCode::crypto(ALERT_CERTIFICATE_REQUIRED)
    );
    if no_cert {
        ctx.refusals.count(RefusalReason::NoClientCert);
        tracing::warn!(link, %remote, "edge link refused: no client certificate");
    } else {
        tracing::info!(link, %remote, error = %e, "edge link handshake failed");
    }
}

/// Accept edge connections until the endpoint closes.
pub(crate) async fn accept_loop(endpoint: quinn::Endpoint, ctx: LinkCtx) {
    let mut next_link: LinkId = 1;
    while let Some(incoming) = endpoint.accept().await {
        let link = next_link;
        next_link += 1;
        let ctx = ctx.clone();
        let remote = incoming.remote_address();
        tokio::spawn(async move {
            match incoming.await {
                Ok(conn) => serve(conn, link, ctx).await,
                Err(e) => handshake_failed(link, remote, &e, &ctx),
            }
        });
    }
}

/// Serve one edge connection until its link ends.
async fn serve(conn: quinn::Connection, link: LinkId, ctx: LinkCtx) {
    let remote = conn.remote_address();
    let shared = SharedLink::new(RegionLink::new(Instant::now(), ctx.config.clone()));
    // The edge opens the stream; the hello deadline runs from the connection.
    let stream = tokio::time::timeout(ctx.config.hello_timeout, conn.accept_bi()).await;
    let Ok(Ok((send, recv))) = stream else {
        ctx.stats.count_close(&LinkClosed {
            code: Some(CloseCode::HelloTimeout.code()),
            reason: "no stream".into(),
            by_peer: false,
        });
        conn.close(CloseCode::HelloTimeout.code().into(), b"no hello");
        return;
    };
    let mut sink = Sink {
        link,
        shared: shared.clone(),
        ctx: ctx.clone(),
        opened: false,
        reads: stats::Reads::default(),
    };
    let code = drive(&conn, send, recv, &shared, &mut sink).await;
    sink.reads.publish(&ctx.stats, shared.lock().counters());
    let quic = conn.stats();
    tracing::info!(
        link, %remote, code,
        rtt_ms = quic.path.rtt.as_secs_f64() * 1e3,
        cwnd = quic.path.cwnd,
        lost_packets = quic.path.lost_packets,
        congestion_events = quic.path.congestion_events,
        sent_bytes = quic.udp_tx.bytes,
        "edge link closed"
    );
}

/// Where a connection's events go: the tick and the database worker.
struct Sink {
    link: LinkId,
    shared: RegionLinkHandle,
    ctx: LinkCtx,
    opened: bool,
    reads: stats::Reads,
}

impl EventSink<RegionLinkEvent> for Sink {
    async fn deliver(&mut self, event: RegionLinkEvent) {
        let counters = self.shared.lock().counters();
        self.reads.publish(&self.ctx.stats, counters);
        let refused = deliver(self.link, event, &self.shared, &self.ctx, &mut self.opened).await;
        if let Some(code) = refused {
            self.shared.lock().close(code, "region shutting down");
        }
    }
}

/// Hand one event on; returns a close code when the region can no longer take the link's
/// events (it is shutting down).
async fn deliver(
    link: LinkId,
    event: RegionLinkEvent,
    shared: &RegionLinkHandle,
    ctx: &LinkCtx,
    opened: &mut bool,
) -> Option<CloseCode> {
    let sent = match event {
        RegionLinkEvent::Opened { edge_id, version } => {
            tracing::info!(link, edge_id, version, "edge link opened");
            ctx.stats.opened();
            *opened = true;
            let msg = RuntimeMsg::LinkOpened {
                link,
                handle: shared.clone(),
                edge_id,
            };
            ctx.tick_tx.send(msg).await.is_ok()
        }
        RegionLinkEvent::Join { join, rejoin } => {
            ctx.stats.joined(rejoin);
            let req = DbRequest::Join {
                link,
                session: join.session,
                player: join.player,
            };
            Queued::send(&ctx.db_tx, req, &ctx.stats.db_queue_waits).await
        }
        RegionLinkEvent::Leave(l) => {
            let req = DbRequest::Leave {
                link,
                session: l.session,
            };
            Queued::send(&ctx.db_tx, req, &ctx.stats.db_queue_waits).await
        }
        RegionLinkEvent::Command(c) => {
            let input = RuntimeMsg::Input(TickInput::Command {
                link,
                session: c.session,
                seq: c.seq,
                command: c.command,
            });
            Queued::send(&ctx.tick_tx, input, &ctx.stats.tick_queue_waits).await
        }
        RegionLinkEvent::Closed(closed) => {
            ctx.stats.count_close(&closed);
            if *opened {
                let input = RuntimeMsg::Input(TickInput::LinkClosed { link });
                let _ = ctx.tick_tx.send(input).await;
            }
            return None;
        }
    };
    (!sent).then_some(CloseCode::Shutdown)
}
