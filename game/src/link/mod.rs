//! The edge-region link server: QUIC (quinn) with one bidirectional stream per edge
//! connection carrying length-prefixed bitcode frames (`protocol::link`).
//!
//! The first frame must be `Hello` with [`LINK_VERSION`]. Malformed or oversized frames are
//! counted and close that link; nothing a peer sends can panic the server.
//!
//! The TLS handshake is mutual: an edge must present a client certificate the region trusts
//! ([`trust::edge_verifier`]); refused handshakes are logged and counted in
//! [`crate::metrics::LinkRefusals`]. One connection carries all of an edge's sessions.

pub mod tls;
pub mod trust;

use crate::ecs::{LinkId, TickInput};
use crate::metrics::{LinkRefusals, RefusalReason};
use crate::runtime::{DbRequest, RuntimeMsg};
use starlane_protocol::link::{
    EdgeToRegion, FrameError, LINK_VERSION, RegionToEdge, check_frame_len, decode_frame,
    encode_frame,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;

/// QUIC application close codes of the link.
pub mod close_code {
    /// Normal close.
    pub const NORMAL: u32 = 0;
    /// The peer broke the protocol (no or bad hello, second hello).
    pub const PROTOCOL: u32 = 1;
    /// A frame did not decode.
    pub const MALFORMED: u32 = 2;
    /// A frame exceeded the size limit.
    pub const OVERSIZED: u32 = 3;
    /// The peer did not read its frames fast enough.
    pub const SLOW: u32 = 4;
    /// The region is shutting down.
    pub const SHUTDOWN: u32 = 5;
    /// The link protocol version is not supported.
    pub const VERSION: u32 = 6;
}

/// How long an edge has to open its stream and send `Hello`.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);

/// Link counters (monotonic).
#[derive(Debug, Default)]
pub struct LinkStats {
    /// Connections that completed the hello.
    pub links_opened: AtomicU64,
    /// Frames received and decoded.
    pub frames_in: AtomicU64,
    /// Frames sent.
    pub frames_out: AtomicU64,
    /// Bytes received in decoded frames (with the 4-byte length prefix).
    pub bytes_in: AtomicU64,
    /// Bytes sent (with the 4-byte length prefix).
    pub bytes_out: AtomicU64,
    /// Links closed for a frame that did not decode.
    pub malformed: AtomicU64,
    /// Links closed for an oversized frame.
    pub oversized: AtomicU64,
    /// Links closed for a missing or repeated hello, or a bad version.
    pub bad_hello: AtomicU64,
    /// Links closed because they did not drain their outgoing queue.
    pub slow: AtomicU64,
}

/// A copy of [`LinkStats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkStatsSnapshot {
    pub links_opened: u64,
    pub frames_in: u64,
    pub frames_out: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub malformed: u64,
    pub oversized: u64,
    pub bad_hello: u64,
    pub slow: u64,
}

impl LinkStats {
    /// Read all counters.
    pub fn snapshot(&self) -> LinkStatsSnapshot {
        let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
        LinkStatsSnapshot {
            links_opened: g(&self.links_opened),
            frames_in: g(&self.frames_in),
            frames_out: g(&self.frames_out),
            bytes_in: g(&self.bytes_in),
            bytes_out: g(&self.bytes_out),
            malformed: g(&self.malformed),
            oversized: g(&self.oversized),
            bad_hello: g(&self.bad_hello),
            slow: g(&self.slow),
        }
    }
}

fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

/// What every link task needs.
#[derive(Debug, Clone)]
pub(crate) struct LinkCtx {
    pub tick_tx: mpsc::Sender<RuntimeMsg>,
    pub db_tx: mpsc::Sender<DbRequest>,
    pub stats: Arc<LinkStats>,
    pub refusals: Arc<LinkRefusals>,
    pub queue: usize,
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

/// Why reading a frame stopped.
enum ReadEnd {
    /// The peer finished the stream or the connection closed.
    Closed,
    Oversized(usize),
    Malformed(String),
}

/// Read one frame; returns it with its size on the wire.
async fn read_frame(recv: &mut quinn::RecvStream) -> Result<(EdgeToRegion, usize), ReadEnd> {
    let mut len = [0u8; 4];
    recv.read_exact(&mut len)
        .await
        .map_err(|_| ReadEnd::Closed)?;
    let len = check_frame_len(u32::from_le_bytes(len)).map_err(|e| match e {
        FrameError::TooLarge(n) => ReadEnd::Oversized(n),
        other => ReadEnd::Malformed(other.to_string()),
    })?;
    let mut body = vec![0u8; len];
    recv.read_exact(&mut body)
        .await
        .map_err(|_| ReadEnd::Closed)?;
    let msg = decode_frame(&body).map_err(|e| ReadEnd::Malformed(e.to_string()))?;
    Ok((msg, len + 4))
}

/// Serve one edge connection: hello, then frames until it ends.
async fn serve(conn: quinn::Connection, link: LinkId, ctx: LinkCtx) {
    let remote = conn.remote_address();
    let hello = tokio::time::timeout(HELLO_TIMEOUT, async {
        let (send, mut recv) = conn.accept_bi().await.ok()?;
        let first = read_frame(&mut recv).await;
        Some((send, recv, first))
    })
    .await;
    let Ok(Some((send, mut recv, first))) = hello else {
        bump(&ctx.stats.bad_hello);
        conn.close(close_code::PROTOCOL.into(), b"no hello");
        return;
    };
    match first {
        Ok((EdgeToRegion::Hello { version, edge_id }, _)) if version == LINK_VERSION => {
            tracing::info!(link, %remote, edge_id, "edge link opened");
        }
        Ok((EdgeToRegion::Hello { version, .. }, _)) => {
            tracing::warn!(link, %remote, version, "edge link with unsupported version");
            bump(&ctx.stats.bad_hello);
            conn.close(close_code::VERSION.into(), b"unsupported link version");
            return;
        }
        Ok(_) => {
            bump(&ctx.stats.bad_hello);
            conn.close(close_code::PROTOCOL.into(), b"expected hello");
            return;
        }
        Err(end) => return close_for(&conn, &ctx, link, end),
    }
    bump(&ctx.stats.links_opened);
    let (tx, rx) = mpsc::channel(ctx.queue);
    if ctx
        .tick_tx
        .send(RuntimeMsg::LinkOpened { link, tx })
        .await
        .is_err()
    {
        conn.close(close_code::SHUTDOWN.into(), b"shutting down");
        return;
    }
    let writer = tokio::spawn(write_loop(conn.clone(), send, rx, ctx.stats.clone()));
    loop {
        let msg = match read_frame(&mut recv).await {
            Ok((msg, bytes)) => {
                ctx.stats
                    .bytes_in
                    .fetch_add(bytes as u64, Ordering::Relaxed);
                msg
            }
            Err(end) => {
                close_for(&conn, &ctx, link, end);
                break;
            }
        };
        bump(&ctx.stats.frames_in);
        let sent = match msg {
            EdgeToRegion::Hello { .. } => {
                bump(&ctx.stats.bad_hello);
                conn.close(close_code::PROTOCOL.into(), b"repeated hello");
                break;
            }
            EdgeToRegion::Join { session, player } => ctx
                .db_tx
                .send(DbRequest::Join {
                    link,
                    session,
                    player,
                })
                .await
                .is_ok(),
            EdgeToRegion::Leave { session } => ctx
                .db_tx
                .send(DbRequest::Leave { link, session })
                .await
                .is_ok(),
            EdgeToRegion::Command {
                session,
                seq,
                command,
            } => {
                let input = TickInput::Command {
                    link,
                    session,
                    seq,
                    command,
                };
                ctx.tick_tx.send(RuntimeMsg::Input(input)).await.is_ok()
            }
        };
        if !sent {
            conn.close(close_code::SHUTDOWN.into(), b"shutting down");
            break;
        }
    }
    let _ = ctx
        .tick_tx
        .send(RuntimeMsg::Input(TickInput::LinkClosed { link }))
        .await;
    writer.abort();
    tracing::info!(link, %remote, "edge link closed");
}

fn close_for(conn: &quinn::Connection, ctx: &LinkCtx, link: LinkId, end: ReadEnd) {
    match end {
        ReadEnd::Closed => conn.close(close_code::NORMAL.into(), b"bye"),
        ReadEnd::Oversized(n) => {
            tracing::warn!(link, bytes = n, "oversized link frame; closing the link");
            bump(&ctx.stats.oversized);
            conn.close(close_code::OVERSIZED.into(), b"oversized frame");
        }
        ReadEnd::Malformed(e) => {
            tracing::warn!(link, error = %e, "malformed link frame; closing the link");
            bump(&ctx.stats.malformed);
            conn.close(close_code::MALFORMED.into(), b"malformed frame");
        }
    }
}

/// Send queued frames; when the tick drops the queue (slow link or shutdown), close.
async fn write_loop(
    conn: quinn::Connection,
    mut send: quinn::SendStream,
    mut rx: mpsc::Receiver<RegionToEdge>,
    stats: Arc<LinkStats>,
) {
    while let Some(msg) = rx.recv().await {
        let frame = encode_frame(&msg);
        if send.write_all(&frame).await.is_err() {
            return;
        }
        bump(&stats.frames_out);
        stats
            .bytes_out
            .fetch_add(frame.len() as u64, Ordering::Relaxed);
    }
    // The tick dropped our queue: it overflowed (slow edge) or the region is stopping.
    conn.close(close_code::SLOW.into(), b"link queue dropped");
}
