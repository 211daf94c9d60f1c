//! One WebSocket as a link: the pump between a tokio-tungstenite stream and a
//! [`DriverSide`], used by the server and the native client alike.
//!
//! The pump takes every message the edge queues at once into a [`WsOutbound`], and a writer
//! task takes from it as fast as the socket accepts: reliable messages first, then the newest
//! datagrams, so a slow socket never writes a datagram a newer one superseded (WEBSOCKET.md,
//! "Messages").

use super::writer::{Shared, run_writer};
use super::{WsCounters, bump};
use crate::proto::ws::{self, Channel, WsFrameError, WsLimits, WsOutbound};
use crate::transport::{
    CloseReason, DriverSide, LinkEvent, LinkStats, Liveness, Outgoing, SLOW_CONSUMER,
};
use futures_util::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;

/// netcore's close code for a malformed message (WEBSOCKET.md, "Ignoring a message").
pub(crate) const MALFORMED: u8 = 250;
/// How long a close waits for the queued messages to be written.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(1);

/// What one link's pump needs besides the socket.
#[derive(Debug, Clone)]
pub(crate) struct PumpSettings {
    pub counters: Arc<WsCounters>,
    /// Largest first reliable message (the edge's hello limit).
    pub first_limit: Option<usize>,
    /// Pings every `keep_alive`; a peer heard from for `idle_timeout` is closed.
    pub liveness: Liveness,
    pub limits: WsLimits,
    /// Turns true when the server shuts down: the link closes with code 0.
    pub stop: Option<watch::Receiver<bool>>,
}

/// What reading one message asks of the pump.
enum Read {
    /// Hand this event to the edge.
    Event(LinkEvent),
    /// Nothing to hand over (a ping, a pong).
    Nothing,
    /// The link is over.
    End(CloseReason),
}

/// Move messages between `ws` and the link until either side ends.
pub(crate) async fn pump<S>(ws: WebSocketStream<S>, mut side: DriverSide, settings: PumpSettings)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (sink, mut stream) = ws.split();
    let shared = Arc::new(Shared::new(WsOutbound::new(settings.limits)));
    let writer = tokio::spawn(run_writer(
        sink,
        shared.clone(),
        side.stats.clone(),
        settings.liveness.keep_alive,
    ));
    let control = side.control.clone();
    let mut first = true;
    let mut refused = false;
    let mut pending: Option<LinkEvent> = None;
    let mut last_heard = Instant::now();
    let idle = settings.liveness.idle_timeout;
    let counters = &settings.counters;
    let mut stop = settings.stop.clone();
    let reason = loop {
        tokio::select! {
            () = stopped(&mut stop) => {
                shared.abort(0);
                break CloseReason::Local(0);
            }
            code = control.aborted() => {
                shared.abort(code);
                break CloseReason::Local(code);
            }
            room = side.events.room(), if pending.is_some() => match (room, pending.take()) {
                (true, Some(ev)) => {
                    pending = side.events.try_deliver(ev).err();
                    // Reading again: the peer's silence counts from now.
                    last_heard = Instant::now();
                }
                _ => {
                    shared.abort(0);
                    break CloseReason::Local(0);
                }
            },
            out = side.outgoing.recv() => {
                if let Some(code) = queue(&shared, out, counters, &side.stats) {
                    break close_flushed(&shared, code).await;
                }
            }
            msg = stream.next(), if pending.is_none() => {
                last_heard = Instant::now();
                let read = match msg {
                    Some(Ok(m)) => read(m, &side.stats, &shared, (&mut first, &mut refused), &settings),
                    Some(Err(e)) => Read::End(CloseReason::Transport(e.to_string())),
                    None => Read::End(CloseReason::Transport("connection closed".into())),
                };
                match read {
                    Read::Event(ev) => pending = side.offer(ev),
                    Read::Nothing => {}
                    Read::End(reason) => {
                        shared.stop();
                        break reason;
                    }
                }
            }
            // While the edge's queue is full nothing is read: silence is ours then.
            _ = tokio::time::sleep_until(last_heard + idle), if pending.is_none() => {
                shared.stop();
                break CloseReason::Timeout;
            }
        }
    };
    // Let the writer send the close frame (bounded), then stop it.
    let _ = tokio::time::timeout(FLUSH_TIMEOUT, shared.finished()).await;
    writer.abort();
    side.events.closed(reason);
}

/// Resolves once `stop` turns true; never without one.
async fn stopped(stop: &mut Option<watch::Receiver<bool>>) {
    match stop {
        Some(rx) => {
            if rx.wait_for(|s| *s).await.is_err() {
                // The server is gone without shutting down: its links live on.
                std::future::pending::<()>().await;
            }
        }
        None => std::future::pending().await,
    }
}

/// Queue what the edge asked for; `Some(code)` when the link must close with `code`.
fn queue(
    shared: &Shared,
    out: Option<Outgoing>,
    counters: &WsCounters,
    stats: &LinkStats,
) -> Option<u8> {
    match out {
        Some(Outgoing::Reliable(body)) => {
            if body.len() > ws::max_body(Channel::Reliable) {
                bump(&counters.too_large_out);
                return None;
            }
            shared.push_reliable(body).err().map(|_| SLOW_CONSUMER)
        }
        Some(Outgoing::Datagram(body)) => {
            if body.len() > ws::max_body(Channel::Datagram) {
                bump(&counters.too_large_out);
            } else if shared.push_datagram(&body) {
                bump(&counters.superseded);
                LinkStats::bump(&stats.datagrams_dropped_full);
            }
            None
        }
        Some(Outgoing::Close(code)) => Some(code),
        None => Some(0),
    }
}

/// Write what is queued, then the close frame carrying `code`.
async fn close_flushed(shared: &Shared, code: u8) -> CloseReason {
    shared.close(code);
    let _ = tokio::time::timeout(FLUSH_TIMEOUT, shared.finished()).await;
    CloseReason::Local(code)
}

/// Handle one received WebSocket message.
fn read(
    msg: Message,
    stats: &LinkStats,
    shared: &Shared,
    (first, refused): (&mut bool, &mut bool),
    settings: &PumpSettings,
) -> Read {
    let bytes = match msg {
        Message::Binary(bytes) => bytes,
        Message::Text(_) => return malformed(shared, WsFrameError::Text, settings),
        Message::Close(frame) => return Read::End(peer_closed(frame)),
        Message::Pong(payload) => {
            shared.pong(&payload, stats);
            return Read::Nothing;
        }
        Message::Ping(_) | Message::Frame(_) => return Read::Nothing,
    };
    stats.record_in(bytes.len());
    match ws::decode(&bytes) {
        Ok((Channel::Datagram, body)) => Read::Event(LinkEvent::Datagram(body.to_vec())),
        Ok((Channel::Reliable, _)) if *refused => Read::Nothing,
        Ok((Channel::Reliable, body)) => {
            let was_first = std::mem::replace(first, false);
            match settings.first_limit {
                Some(limit) if was_first && body.len() > limit => {
                    bump(&settings.counters.first_messages_too_large);
                    *refused = true;
                    Read::Event(LinkEvent::FirstMessageTooLarge(body.len()))
                }
                _ => Read::Event(LinkEvent::Reliable(body.to_vec())),
            }
        }
        Err(e) => malformed(shared, e, settings),
    }
}

/// Count a refused message by reason and close the link as malformed.
fn malformed(shared: &Shared, e: WsFrameError, settings: &PumpSettings) -> Read {
    settings.counters.refused(e);
    shared.abort(MALFORMED);
    Read::End(CloseReason::Local(MALFORMED))
}

/// The reason of a close frame from the peer.
fn peer_closed(frame: Option<CloseFrame>) -> CloseReason {
    match frame {
        Some(f) => {
            let code = u16::from(f.code);
            match ws::netcore_close_code(code) {
                Some(c) => CloseReason::Peer(c),
                None => CloseReason::Transport(format!("websocket closed with code {code}")),
            }
        }
        None => CloseReason::Transport("websocket closed without a code".into()),
    }
}
