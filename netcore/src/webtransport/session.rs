//! One WebTransport session as a link: the pump between a wtransport connection (its one
//! bidirectional stream and its datagrams) and a [`DriverSide`]. Used by the server and the
//! native client alike.

use crate::frame::{FrameError, MAX_FRAME, encode_frame, read_frames};
use crate::transport::{
    ACCEPT_QUEUE_FULL, CloseReason, DriverSide, Handover, Link, LinkEvent, Outgoing, QueueLimits,
    TransportKind, hand_over, link_pair,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;
use wtransport::endpoint::IncomingSession;
use wtransport::error::{ConnectionError, SendDatagramError};
use wtransport::{Connection, RecvStream, SendStream, VarInt};

/// How long a new session may take to send its request and open its stream.
const SETUP_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a close waits for queued reliable data to be acknowledged.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(1);
/// QUIC application code used when the peer breaks the framing.
pub(crate) const PROTOCOL_VIOLATION: u8 = 255;

/// Counters shared by every session of one server (or one client).
#[derive(Debug, Default)]
pub struct WtCounters {
    /// Sessions that became links.
    pub sessions: AtomicU64,
    /// Sessions that failed before becoming links.
    pub setup_failures: AtomicU64,
    /// Outgoing datagrams dropped for being larger than the path allows.
    pub datagrams_too_large: AtomicU64,
    /// Outgoing reliable messages dropped for exceeding [`MAX_FRAME`].
    pub frames_too_large_out: AtomicU64,
    /// Sessions closed because the peer sent a frame over [`MAX_FRAME`].
    pub frames_too_large_in: AtomicU64,
    /// First frames refused for declaring more than the server's `first_message_limit`
    /// (handed to the application as `LinkEvent::FirstMessageTooLarge`).
    pub first_messages_too_large: AtomicU64,
    /// Sessions refused because the accept queue was full.
    pub accept_refused: AtomicU64,
}

fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

#[derive(Debug, thiserror::Error)]
enum SetupError {
    #[error("session setup timed out")]
    TimedOut,
    #[error("connection failed: {0}")]
    Connection(#[from] ConnectionError),
}

/// Accept one incoming session and run it as a link until it closes; its queues are bounded
/// by `queues`, its first reliable message by `first_limit`.
pub(crate) async fn serve(
    incoming: IncomingSession,
    links: mpsc::Sender<Link>,
    (queues, first_limit): (QueueLimits, Option<usize>),
    counters: Arc<WtCounters>,
) {
    let (conn, send, recv) = match tokio::time::timeout(SETUP_TIMEOUT, setup(incoming)).await {
        Ok(Ok(parts)) => parts,
        Ok(Err(e)) => {
            tracing::debug!("webtransport session setup failed: {e}");
            bump(&counters.setup_failures);
            return;
        }
        Err(_) => {
            tracing::debug!(
                "webtransport session setup failed: {}",
                SetupError::TimedOut
            );
            bump(&counters.setup_failures);
            return;
        }
    };
    let (link, side) = link_pair(conn.remote_address(), TransportKind::WebTransport, queues);
    match hand_over(&links, link) {
        Handover::Accepted => {}
        Handover::Full => {
            bump(&counters.accept_refused);
            conn.close(
                VarInt::from_u32(ACCEPT_QUEUE_FULL.into()),
                b"accept queue full",
            );
            return;
        }
        Handover::Gone => {
            conn.close(VarInt::from_u32(0), b"");
            return;
        }
    }
    bump(&counters.sessions);
    pump(conn, send, recv, side, counters, first_limit).await;
}

async fn setup(
    incoming: IncomingSession,
) -> Result<(Connection, SendStream, RecvStream), SetupError> {
    let request = incoming.await?;
    let conn = request.accept().await?;
    let (send, recv) = conn.accept_bi().await?;
    Ok((conn, send, recv))
}

/// Map how a connection ended to a link close reason.
pub(crate) fn close_reason(e: ConnectionError) -> CloseReason {
    match e {
        ConnectionError::ApplicationClosed(c) => {
            CloseReason::Peer(u8::try_from(c.code().into_inner()).unwrap_or(u8::MAX))
        }
        ConnectionError::TimedOut => CloseReason::Timeout,
        ConnectionError::LocallyClosed => CloseReason::Local(0),
        other => CloseReason::Transport(other.to_string()),
    }
}

/// Move bytes between the connection and the link until either side ends. A first frame
/// declaring more than `first_limit` bytes becomes [`LinkEvent::FirstMessageTooLarge`] and
/// ends the reading of the stream (the link stays up for the answer and the close).
pub(crate) async fn pump(
    conn: Connection,
    mut send: SendStream,
    recv: RecvStream,
    mut side: DriverSide,
    counters: Arc<WtCounters>,
    first_limit: Option<usize>,
) {
    let (ftx, mut frames) = mpsc::channel(64);
    let reader = tokio::spawn(read_frames(recv, ftx, first_limit));
    // The first frame was refused: the stream is no longer read.
    let mut refused = false;
    let mut rtt_tick = tokio::time::interval(Duration::from_millis(500));
    // An event the link's queue had no room for; nothing more is read until it is delivered
    // (flow control then pushes back on the peer).
    let mut pending: Option<LinkEvent> = None;
    let control = side.control.clone();
    let reason = loop {
        tokio::select! {
            code = control.aborted() => {
                conn.close(VarInt::from_u32(code.into()), &[code]);
                break CloseReason::Local(code);
            }
            room = side.events.room(), if pending.is_some() => match (room, pending.take()) {
                (true, Some(ev)) => pending = side.events.try_deliver(ev).err(),
                _ => {
                    conn.close(VarInt::from_u32(0), &[0]);
                    break CloseReason::Local(0);
                }
            },
            out = side.outgoing.recv() => match out {
                Some(Outgoing::Reliable(bytes)) => {
                    if bytes.len() > MAX_FRAME {
                        bump(&counters.frames_too_large_out);
                        continue;
                    }
                    side.stats.record_out(bytes.len());
                    // A stream the peer stopped reading blocks the write: a shed still ends it.
                    let frame = encode_frame(&bytes);
                    tokio::select! {
                        written = send.write_all(&frame) => if written.is_err() {
                            break close_reason(conn.closed().await);
                        },
                        code = control.aborted() => {
                            conn.close(VarInt::from_u32(code.into()), &[code]);
                            break CloseReason::Local(code);
                        }
                    }
                }
                Some(Outgoing::Datagram(bytes)) => match conn.send_datagram(&bytes) {
                    Ok(()) => side.stats.record_out(bytes.len()),
                    Err(SendDatagramError::TooLarge) => bump(&counters.datagrams_too_large),
                    Err(_) => break close_reason(conn.closed().await),
                },
                Some(Outgoing::Close(code)) => {
                    let _ = send.finish().await;
                    let _ = tokio::time::timeout(FLUSH_TIMEOUT, send.stopped()).await;
                    conn.close(VarInt::from_u32(code.into()), &[code]);
                    break CloseReason::Local(code);
                }
                None => {
                    conn.close(VarInt::from_u32(0), &[0]);
                    break CloseReason::Local(0);
                }
            },
            frame = frames.recv(), if pending.is_none() && !refused => match frame {
                Some(Ok(bytes)) => {
                    side.stats.record_in(bytes.len());
                    pending = side.offer(LinkEvent::Reliable(bytes));
                }
                Some(Err(FrameError::FirstTooLarge(n))) => {
                    bump(&counters.first_messages_too_large);
                    refused = true;
                    pending = side.offer(LinkEvent::FirstMessageTooLarge(n));
                }
                Some(Err(FrameError::TooLarge(n))) => {
                    bump(&counters.frames_too_large_in);
                    conn.close(VarInt::from_u32(PROTOCOL_VIOLATION.into()), b"frame too large");
                    break CloseReason::Transport(format!("peer sent a frame of {n} bytes"));
                }
                Some(Err(_)) | None => break stream_ended(&conn).await,
            },
            dgram = conn.receive_datagram(), if pending.is_none() => match dgram {
                Ok(d) => {
                    let payload = d.payload();
                    side.stats.record_in(payload.len());
                    pending = side.offer(LinkEvent::Datagram(payload.to_vec()));
                }
                Err(e) => break close_reason(e),
            },
            _ = rtt_tick.tick() => {
                side.stats.rtt_us.store(conn.rtt().as_micros() as u64, Ordering::Relaxed);
            }
        }
    };
    reader.abort();
    side.events.closed(reason);
}

/// The reliable stream ended: the connection is closing, or the peer broke the contract.
async fn stream_ended(conn: &Connection) -> CloseReason {
    match tokio::time::timeout(FLUSH_TIMEOUT, conn.closed()).await {
        Ok(e) => close_reason(e),
        Err(_) => {
            conn.close(VarInt::from_u32(PROTOCOL_VIOLATION.into()), b"stream ended");
            CloseReason::Transport("reliable stream ended".into())
        }
    }
}
