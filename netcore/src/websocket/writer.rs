//! The writing half of a WebSocket link: a task that writes a link's [`WsOutbound`] as fast
//! as the socket takes it, pings the peer every keep-alive interval (the pongs measure the
//! round trip), and ends with a close frame.

use crate::proto::rtt::{RttConfig, RttEstimator};
use crate::proto::ws::{Shed, WsOutbound, ws_close_code};
use crate::transport::LinkStats;
use futures_util::SinkExt;
use futures_util::stream::SplitSink;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::Notify;
use tokio::time::Instant;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// How the writer ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Write {
    /// Send a close frame with this netcore code once the queue is written.
    Frame(u8),
    /// Stop without writing anything more (the peer is gone).
    Drop,
}

#[derive(Debug)]
struct State {
    out: WsOutbound,
    end: Option<Write>,
    /// The last ping: its number and when it was sent.
    ping: Option<(u64, Instant)>,
    rtt: RttEstimator,
    finished: bool,
}

/// What the pump and the writer share.
#[derive(Debug)]
pub(crate) struct Shared {
    state: Mutex<State>,
    wake: Notify,
    done: Notify,
}

/// The writer's next step.
enum Next {
    Message(Vec<u8>),
    End(Write),
    Wait,
}

impl Shared {
    pub(crate) fn new(out: WsOutbound) -> Self {
        let state = State {
            out,
            end: None,
            ping: None,
            rtt: RttEstimator::new(RttConfig::default()),
            finished: false,
        };
        Self {
            state: Mutex::new(state),
            wake: Notify::new(),
            done: Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while the lock is held cannot leave the queue half-changed (every change
        // is one VecDeque call), so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn push_reliable(&self, body: Vec<u8>) -> Result<(), Shed> {
        let pushed = self.lock().out.push_reliable(body);
        self.wake.notify_one();
        pushed
    }

    /// Queue a datagram; whether an older unwritten one was dropped for it.
    pub(crate) fn push_datagram(&self, body: &[u8]) -> bool {
        let superseded = self.lock().out.push_datagram(body);
        self.wake.notify_one();
        superseded
    }

    /// Write what is queued, then a close frame with `code`.
    pub(crate) fn close(&self, code: u8) {
        self.end(Write::Frame(code), false);
    }

    /// Drop what is queued and write a close frame with `code` at once.
    pub(crate) fn abort(&self, code: u8) {
        self.end(Write::Frame(code), true);
    }

    /// Stop writing at once, without a close frame (the peer is gone).
    pub(crate) fn stop(&self) {
        self.end(Write::Drop, true);
    }

    fn end(&self, end: Write, discard: bool) {
        let mut state = self.lock();
        if state.end.is_none() {
            if discard {
                state.out = WsOutbound::new(Default::default());
            }
            state.end = Some(end);
        }
        drop(state);
        self.wake.notify_one();
    }

    /// Resolves once the writer has stopped.
    pub(crate) async fn finished(&self) {
        loop {
            let done = self.done.notified();
            if self.lock().finished {
                return;
            }
            done.await;
        }
    }

    /// A pong arrived: a round-trip sample if it answers the last ping.
    pub(crate) fn pong(&self, payload: &[u8], stats: &LinkStats) {
        let mut state = self.lock();
        let Some((n, sent)) = state.ping else { return };
        if payload != n.to_be_bytes() {
            return;
        }
        state.ping = None;
        state.rtt.on_sample(sent.elapsed());
        if let Some(srtt) = state.rtt.srtt() {
            stats.set_rtt(srtt, state.rtt.rttvar());
        }
    }

    fn next(&self) -> Next {
        let mut state = self.lock();
        match (state.out.poll_message(), state.end) {
            (Some(m), _) => Next::Message(m),
            (None, Some(end)) => Next::End(end),
            (None, None) => Next::Wait,
        }
    }

    /// The payload of a new ping, remembered for its pong.
    fn ping(&self) -> [u8; 8] {
        let mut state = self.lock();
        let n = state.ping.map_or(0, |(n, _)| n.wrapping_add(1));
        state.ping = Some((n, Instant::now()));
        n.to_be_bytes()
    }

    fn finish(&self) {
        self.lock().finished = true;
        self.done.notify_waiters();
    }
}

/// Write the link's messages until it ends.
pub(crate) async fn run_writer<S>(
    mut sink: SplitSink<WebSocketStream<S>, Message>,
    shared: Arc<Shared>,
    stats: Arc<LinkStats>,
    keep_alive: Duration,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut ping = tokio::time::interval_at(Instant::now() + keep_alive, keep_alive);
    loop {
        match shared.next() {
            Next::Message(m) => {
                stats.record_out(m.len());
                if sink.send(Message::Binary(m.into())).await.is_err() {
                    break;
                }
            }
            Next::End(Write::Frame(code)) => {
                let frame = CloseFrame {
                    code: CloseCode::from(ws_close_code(code)),
                    reason: "".into(),
                };
                let _ = sink.send(Message::Close(Some(frame))).await;
                break;
            }
            Next::End(Write::Drop) => break,
            Next::Wait => tokio::select! {
                _ = shared.wake.notified() => {}
                _ = ping.tick() => {
                    let payload = shared.ping();
                    if sink.send(Message::Ping(payload.to_vec().into())).await.is_err() {
                        break;
                    }
                }
            },
        }
    }
    shared.finish();
}
