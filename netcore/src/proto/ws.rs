//! The WebSocket link's framing and send queue (netcore/WEBSOCKET.md), IO-free: the fallback
//! for browsers whose network blocks UDP. Every WebSocket message is binary and carries one
//! channel byte and one body: a reliable client-protocol message (channel 0) or a datagram
//! (channel 1).
//!
//! TCP delivers everything in order, so over a slow socket datagrams would wait behind each
//! other and arrive stale. [`WsOutbound`] holds at most [`WsLimits::datagrams`] unwritten
//! datagrams: a newer one supersedes the oldest, which is dropped and counted (the edge's delta
//! sync takes an unacknowledged packet as lost and sends its entities' newest state again).
//! Reliable messages are never dropped and go first; past [`WsLimits::reliable`] unwritten
//! ones the link is shed, as every transport does (`SLOW_CONSUMER`).

use std::collections::VecDeque;

/// The WebSocket subprotocol a client asks for and a server requires (`Sec-WebSocket-Protocol`).
pub const WS_SUBPROTOCOL: &str = "starlane.v1";
/// Largest body of a reliable message (the client protocol's message limit).
pub const MAX_RELIABLE_BODY: usize = 65_536;
/// Largest body of a datagram (as over encrypted UDP and WebTransport).
pub const MAX_DATAGRAM_BODY: usize = 1_100;
/// WebSocket close codes carry netcore's one-byte close codes offset into the range RFC 6455
/// leaves to applications (4000-4999): netcore code `c` is WebSocket code `4000 + c`.
pub const CLOSE_CODE_BASE: u16 = 4000;

/// What a message's body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Channel {
    /// One reliable, ordered client-protocol message.
    Reliable = 0,
    /// One datagram: delivered in order, or dropped unsent when a newer one supersedes it.
    Datagram = 1,
}

/// Why a received WebSocket message is refused (the receiver closes the link with code 250,
/// malformed, and counts the reason).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WsFrameError {
    /// A text message: every message is binary.
    #[error("text message")]
    Text,
    /// A binary message without even the channel byte.
    #[error("empty message")]
    Empty,
    /// A channel byte other than 0 and 1.
    #[error("unknown channel {0}")]
    UnknownChannel(u8),
    /// A body over its channel's limit.
    #[error("{len}-byte body over the channel's limit")]
    TooLarge { len: usize },
}

impl WsFrameError {
    /// The drop-counter label (netcore/WEBSOCKET.md, "Ignoring a message").
    pub fn label(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Empty => "empty",
            Self::UnknownChannel(_) => "unknown_channel",
            Self::TooLarge { .. } => "too_large",
        }
    }
}

/// The body limit of `channel`.
pub fn max_body(channel: Channel) -> usize {
    match channel {
        Channel::Reliable => MAX_RELIABLE_BODY,
        Channel::Datagram => MAX_DATAGRAM_BODY,
    }
}

/// One message: the channel byte, then the body.
pub fn encode(channel: Channel, body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(1 + body.len());
    m.push(channel as u8);
    m.extend_from_slice(body);
    m
}

/// Read a binary message: its channel and body, or why it is refused.
pub fn decode(message: &[u8]) -> Result<(Channel, &[u8]), WsFrameError> {
    let (&first, body) = message.split_first().ok_or(WsFrameError::Empty)?;
    let channel = match first {
        0 => Channel::Reliable,
        1 => Channel::Datagram,
        other => return Err(WsFrameError::UnknownChannel(other)),
    };
    if body.len() > max_body(channel) {
        return Err(WsFrameError::TooLarge { len: body.len() });
    }
    Ok((channel, body))
}

/// The WebSocket close code of netcore close code `code`.
pub fn ws_close_code(code: u8) -> u16 {
    CLOSE_CODE_BASE + u16::from(code)
}

/// The netcore close code a WebSocket close code carries, if it is one of ours.
pub fn netcore_close_code(ws: u16) -> Option<u8> {
    ws.checked_sub(CLOSE_CODE_BASE)
        .and_then(|c| u8::try_from(c).ok())
}

/// Bounds of a link's unwritten messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WsLimits {
    /// Unwritten reliable messages before the link is shed.
    pub reliable: usize,
    /// Unwritten datagrams kept; a newer one drops the oldest.
    pub datagrams: usize,
}

impl Default for WsLimits {
    /// 4096 reliable messages (as every link's outgoing queue), and 4 datagrams: at 20 send
    /// ticks a second that is what two ticks produce at the largest profile's rate, so a
    /// datagram that waits longer than about 100 ms for the socket is superseded.
    fn default() -> Self {
        Self {
            reliable: 4096,
            datagrams: 4,
        }
    }
}

/// The reliable queue was full: the link must be shed (`SLOW_CONSUMER`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the peer does not read its reliable messages: link shed")]
pub struct Shed;

/// A link's unwritten messages, in the order they must be written.
#[derive(Debug, Default)]
pub struct WsOutbound {
    limits: WsLimits,
    reliable: VecDeque<Vec<u8>>,
    datagrams: VecDeque<Vec<u8>>,
    superseded: u64,
}

impl WsOutbound {
    pub fn new(limits: WsLimits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    /// Queue a reliable message body; `Err(Shed)` when the queue is full.
    pub fn push_reliable(&mut self, body: Vec<u8>) -> Result<(), Shed> {
        if self.reliable.len() >= self.limits.reliable {
            return Err(Shed);
        }
        self.reliable.push_back(encode(Channel::Reliable, &body));
        Ok(())
    }

    /// Queue a datagram body; the oldest unwritten datagram is dropped when the queue is
    /// full (returns whether one was).
    pub fn push_datagram(&mut self, body: &[u8]) -> bool {
        let superseded = self.datagrams.len() >= self.limits.datagrams.max(1);
        if superseded {
            self.datagrams.pop_front();
            self.superseded += 1;
        }
        self.datagrams.push_back(encode(Channel::Datagram, body));
        superseded
    }

    /// The next message to write: reliable messages first, in order, then datagrams, oldest
    /// first.
    pub fn poll_message(&mut self) -> Option<Vec<u8>> {
        self.reliable
            .pop_front()
            .or_else(|| self.datagrams.pop_front())
    }

    /// Unwritten reliable messages and datagrams.
    pub fn queued(&self) -> (usize, usize) {
        (self.reliable.len(), self.datagrams.len())
    }

    /// Datagrams dropped unwritten because a newer one came.
    pub fn superseded(&self) -> u64 {
        self.superseded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_and_bad_ones_are_refused_by_reason() {
        for (channel, body) in [(Channel::Reliable, &b"hello"[..]), (Channel::Datagram, b"")] {
            let m = encode(channel, body);
            assert_eq!(decode(&m), Ok((channel, body)));
        }
        assert_eq!(decode(&[]), Err(WsFrameError::Empty));
        assert_eq!(decode(&[2, 0]), Err(WsFrameError::UnknownChannel(2)));
        let big = encode(Channel::Datagram, &[0; MAX_DATAGRAM_BODY + 1]);
        assert_eq!(
            decode(&big),
            Err(WsFrameError::TooLarge {
                len: MAX_DATAGRAM_BODY + 1
            })
        );
        let most = encode(Channel::Reliable, &[0; MAX_RELIABLE_BODY]);
        assert!(decode(&most).is_ok());
    }

    #[test]
    fn close_codes_map_both_ways() {
        assert_eq!(ws_close_code(249), 4249);
        assert_eq!(netcore_close_code(4250), Some(250));
        assert_eq!(netcore_close_code(1000), None);
        assert_eq!(netcore_close_code(4256), None);
    }

    #[test]
    fn a_slow_socket_gets_the_newest_datagrams_after_every_reliable_message() {
        let mut out = WsOutbound::new(WsLimits {
            reliable: 2,
            datagrams: 2,
        });
        assert!(!out.push_datagram(b"d1"));
        out.push_reliable(b"r1".to_vec()).expect("room");
        assert!(!out.push_datagram(b"d2"));
        // d1 was never written: d3 supersedes it.
        assert!(out.push_datagram(b"d3"));
        out.push_reliable(b"r2".to_vec()).expect("room");
        assert_eq!(out.push_reliable(b"r3".to_vec()), Err(Shed));
        assert_eq!(out.queued(), (2, 2));
        let written: Vec<Vec<u8>> = std::iter::from_fn(|| out.poll_message()).collect();
        assert_eq!(
            written,
            vec![
                encode(Channel::Reliable, b"r1"),
                encode(Channel::Reliable, b"r2"),
                encode(Channel::Datagram, b"d2"),
                encode(Channel::Datagram, b"d3"),
            ]
        );
        assert_eq!(out.superseded(), 1);
    }
}
