//! One QUIC connection as a link: the pump between a quinn connection (its one bidirectional
//! stream and its datagrams) and a [`DriverSide`]. Used by the server and the client alike.
//!
//! Queues are bounded: a reader task hands at most [`READ_QUEUE`] frames to the pump (then
//! stops reading, so QUIC flow control pushes back on the peer), and a writer task takes at
//! most [`WRITE_QUEUE`] frames (then the pump stops taking the link's outgoing messages
//! until the stream drains, while still receiving). Outgoing datagrams go to quinn's
//! bounded datagram buffer, which drops the oldest when full. While the link's event queue
//! is full the pump reads neither frames nor datagrams (so flow control pushes back on the
//! peer), and a reliable message that found the link's outgoing queue full closes the
//! connection at once with [`SLOW_CONSUMER`](crate::transport::SLOW_CONSUMER).

use super::QuicCounters;
use super::stats::{STATS_INTERVAL, publish};
use crate::frame::{FrameError, MAX_FRAME, encode_frame, read_frames};
use crate::proto::rtt::RttEstimator;
use crate::transport::{CloseReason, DriverSide, LinkEvent, Outgoing};
use quinn::{Connection, ConnectionError, RecvStream, SendDatagramError, SendStream, VarInt};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::mpsc::{self, error::TrySendError};
use tokio::task::JoinHandle;

/// How long a close waits for queued reliable data to be acknowledged, and how long a side
/// whose peer finished the stream waits for the peer's close.
pub(super) const FLUSH_TIMEOUT: Duration = Duration::from_secs(1);
/// Frames read ahead of the pump.
const READ_QUEUE: usize = 64;
/// Frames queued for the stream ahead of the writer.
const WRITE_QUEUE: usize = 256;
/// Application code closing a connection whose peer broke the stream contract.
pub const PROTOCOL_VIOLATION: u8 = 255;

pub(super) fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

/// What the writer task is asked to do.
#[derive(Debug)]
enum Write {
    Frame(Vec<u8>),
    /// Finish the stream and wait (bounded) for the peer to acknowledge all of it.
    Finish,
}

/// Map how a connection ended to a link close reason.
pub(super) fn close_reason(e: ConnectionError) -> CloseReason {
    match e {
        ConnectionError::ApplicationClosed(c) => match u8::try_from(c.error_code.into_inner()) {
            Ok(code) => CloseReason::Peer(code),
            Err(_) => CloseReason::Transport(format!(
                "peer closed with application code {}",
                c.error_code
            )),
        },
        ConnectionError::TimedOut => CloseReason::Timeout,
        ConnectionError::LocallyClosed => CloseReason::Local(0),
        other => CloseReason::Transport(other.to_string()),
    }
}

/// Close `conn` with an application code.
pub(super) fn close_with(conn: &Connection, code: u8, reason: &[u8]) {
    conn.close(VarInt::from(code), reason);
}

/// Move bytes between the connection and the link until either side ends; the last event
/// is [`LinkEvent::Closed`]. A first frame declaring more than `first_limit` bytes becomes
/// [`LinkEvent::FirstMessageTooLarge`] and ends the reading of the stream (the link stays
/// up for the answer and the close).
pub(super) async fn pump(
    conn: Connection,
    send: SendStream,
    recv: RecvStream,
    mut side: DriverSide,
    counters: Arc<QuicCounters>,
    first_limit: Option<usize>,
) {
    let (ftx, mut frames) = mpsc::channel(READ_QUEUE);
    let reader = tokio::spawn(read_frames(recv, ftx, first_limit));
    // The first frame was refused: the stream is no longer read.
    let mut refused = false;
    let (wtx, wrx) = mpsc::channel(WRITE_QUEUE);
    let mut writer = tokio::spawn(write_frames(send, wrx));
    // A frame the writer queue had no room for; nothing more is taken from the link until
    // it is queued, which keeps reliable messages in order.
    let mut stalled: Option<Vec<u8>> = None;
    // An event the link's queue had no room for; nothing more is read until it is delivered.
    let mut pending: Option<LinkEvent> = None;
    let control = side.control.clone();
    let mut rtt = RttEstimator::default();
    let mut tick = tokio::time::interval(STATS_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let reason = loop {
        tokio::select! {
            out = side.outgoing.recv(), if stalled.is_none() => match out {
                Some(Outgoing::Reliable(bytes)) => {
                    if bytes.len() > MAX_FRAME {
                        bump(&counters.frames_too_large_out);
                        continue;
                    }
                    match wtx.try_send(Write::Frame(encode_frame(&bytes))) {
                        Ok(()) => {}
                        Err(TrySendError::Full(Write::Frame(f))) => stalled = Some(f),
                        Err(_) => break writer_ended(&conn, &mut writer, &mut frames, &side).await,
                    }
                }
                Some(Outgoing::Datagram(bytes)) => match conn.send_datagram(bytes.into()) {
                    Ok(()) => {}
                    Err(SendDatagramError::TooLarge) => bump(&counters.datagrams_too_large),
                    Err(SendDatagramError::UnsupportedByPeer | SendDatagramError::Disabled) => {
                        bump(&counters.datagrams_unsupported)
                    }
                    Err(SendDatagramError::ConnectionLost(e)) => {
                        drain(&mut frames, &side).await;
                        break close_reason(e);
                    }
                },
                Some(Outgoing::Close(code)) => {
                    let _ = tokio::time::timeout(FLUSH_TIMEOUT * 2, async {
                        if wtx.send(Write::Finish).await.is_ok() {
                            let _ = (&mut writer).await;
                        }
                    })
                    .await;
                    close_with(&conn, code, &[code]);
                    break CloseReason::Local(code);
                }
                None => {
                    close_with(&conn, 0, &[0]);
                    break CloseReason::Local(0);
                }
            },
            permit = wtx.reserve(), if stalled.is_some() => match (permit, stalled.take()) {
                (Ok(permit), Some(frame)) => permit.send(Write::Frame(frame)),
                _ => break writer_ended(&conn, &mut writer, &mut frames, &side).await,
            },
            _ = &mut writer => break writer_ended(&conn, &mut writer, &mut frames, &side).await,
            code = control.aborted() => {
                close_with(&conn, code, &[code]);
                break CloseReason::Local(code);
            }
            room = side.events.room(), if pending.is_some() => match (room, pending.take()) {
                (true, Some(ev)) => pending = side.events.try_deliver(ev).err(),
                _ => {
                    close_with(&conn, 0, &[0]);
                    break CloseReason::Local(0);
                }
            },
            frame = frames.recv(), if pending.is_none() && !refused => match frame {
                Some(Ok(bytes)) => pending = side.offer(LinkEvent::Reliable(bytes)),
                Some(Err(FrameError::FirstTooLarge(n))) => {
                    bump(&counters.first_messages_too_large);
                    refused = true;
                    pending = side.offer(LinkEvent::FirstMessageTooLarge(n));
                }
                Some(Err(FrameError::TooLarge(n))) => {
                    bump(&counters.frames_too_large_in);
                    close_with(&conn, PROTOCOL_VIOLATION, b"frame too large");
                    break CloseReason::Transport(format!("peer sent a frame of {n} bytes"));
                }
                Some(Err(_)) | None => break stream_ended(&conn).await,
            },
            dgram = conn.read_datagram(), if pending.is_none() => match dgram {
                Ok(d) => pending = side.offer(LinkEvent::Datagram(d.to_vec())),
                Err(e) => {
                    drain(&mut frames, &side).await;
                    break close_reason(e);
                }
            },
            _ = tick.tick() => publish(&conn, &side.stats, &mut rtt),
        }
    };
    reader.abort();
    writer.abort();
    publish(&conn, &side.stats, &mut rtt);
    side.events.closed(reason);
}

/// Write frames to the stream in order until told to finish or the pump goes away.
async fn write_frames(
    mut send: SendStream,
    mut rx: mpsc::Receiver<Write>,
) -> Result<(), quinn::WriteError> {
    while let Some(cmd) = rx.recv().await {
        match cmd {
            Write::Frame(frame) => send.write_all(&frame).await?,
            Write::Finish => {
                let _ = send.finish();
                let _ = tokio::time::timeout(FLUSH_TIMEOUT, send.stopped()).await;
                return Ok(());
            }
        }
    }
    Ok(())
}

/// Deliver the reliable messages already read before the connection's end is reported, so
/// nothing received ahead of a close is lost.
async fn drain(frames: &mut mpsc::Receiver<Result<Vec<u8>, FrameError>>, side: &DriverSide) {
    let _ = tokio::time::timeout(FLUSH_TIMEOUT, async {
        while let Some(Ok(bytes)) = frames.recv().await {
            if !side.events.deliver(LinkEvent::Reliable(bytes)).await {
                return;
            }
        }
    })
    .await;
}

/// The writer stopped on its own: the connection is gone, or the peer stopped the stream.
async fn writer_ended(
    conn: &Connection,
    writer: &mut JoinHandle<Result<(), quinn::WriteError>>,
    frames: &mut mpsc::Receiver<Result<Vec<u8>, FrameError>>,
    side: &DriverSide,
) -> CloseReason {
    writer.abort();
    drain(frames, side).await;
    match conn.close_reason() {
        Some(e) => close_reason(e),
        None => {
            close_with(conn, PROTOCOL_VIOLATION, b"reliable stream stopped");
            CloseReason::Transport("peer stopped the reliable stream".into())
        }
    }
}

/// The peer's stream ended: the connection is closing (the peer finishes its stream before
/// closing with a code), or the peer broke the contract.
async fn stream_ended(conn: &Connection) -> CloseReason {
    match tokio::time::timeout(FLUSH_TIMEOUT, conn.closed()).await {
        Ok(e) => close_reason(e),
        Err(_) => {
            close_with(conn, PROTOCOL_VIOLATION, b"stream ended");
            CloseReason::Transport("reliable stream ended".into())
        }
    }
}
