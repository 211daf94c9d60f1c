//! Frames inside a connection packet (`netcore/SPEC.md`, "Frames").
//!
//! A frames body (after channel byte 0, see [`super::body`]) is a sequence of frames, each
//! starting with a kind byte. Integers are little-endian. A body that does not parse to the
//! end is malformed as a whole.

/// `ACK`: `next u32` (every frame below it was received) and `sack u64` (bit `i` set: frame
/// `next + 1 + i` was received).
pub const ACK: u8 = 1;
/// `RELIABLE`: `seq u32`, `flags u8` (bit 0: last chunk of its message), `len u16`, data.
pub const RELIABLE: u8 = 2;
/// `PING`: `nonce u32`, `rx_count u64`, `rx_top u64` (packets received from the peer, and one
/// more than the highest counter among them).
pub const PING: u8 = 3;
/// `PONG`: `nonce u32` of the ping it answers.
pub const PONG: u8 = 4;
/// `PATH_CHALLENGE`: `token u64`, sent by a server to a client's new address (roaming).
pub const PATH_CHALLENGE: u8 = 5;
/// `PATH_RESPONSE`: `token u64` of the challenge it answers.
pub const PATH_RESPONSE: u8 = 6;

/// Encoded size of an ACK frame.
pub const ACK_LEN: usize = 1 + 4 + 8;
/// Encoded size of a RELIABLE frame's header.
pub const RELIABLE_HEADER_LEN: usize = 1 + 4 + 1 + 2;
/// Encoded size of a PING frame.
pub const PING_LEN: usize = 1 + 4 + 8 + 8;
/// Encoded size of a PONG frame.
pub const PONG_LEN: usize = 1 + 4;
/// Encoded size of a PATH_CHALLENGE or PATH_RESPONSE frame.
pub const PATH_LEN: usize = 1 + 8;

/// One decoded frame, borrowing the packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame<'a> {
    Ack {
        next: u32,
        sack: u64,
    },
    Reliable {
        seq: u32,
        last: bool,
        data: &'a [u8],
    },
    Ping {
        nonce: u32,
        rx_count: u64,
        rx_top: u64,
    },
    Pong {
        nonce: u32,
    },
    PathChallenge {
        token: u64,
    },
    PathResponse {
        token: u64,
    },
}

/// A frame payload that does not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("unknown frame kind {0}")]
    UnknownKind(u8),
    #[error("frame truncated")]
    Truncated,
    #[error("reserved flag bits set")]
    ReservedFlags,
}

impl Frame<'_> {
    /// Append the encoding of this frame to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match *self {
            Frame::Ack { next, sack } => {
                out.push(ACK);
                out.extend_from_slice(&next.to_le_bytes());
                out.extend_from_slice(&sack.to_le_bytes());
            }
            Frame::Reliable { seq, last, data } => {
                out.push(RELIABLE);
                out.extend_from_slice(&seq.to_le_bytes());
                out.push(u8::from(last));
                let len = u16::try_from(data.len()).unwrap_or(u16::MAX);
                out.extend_from_slice(&len.to_le_bytes());
                out.extend_from_slice(data.get(..usize::from(len)).unwrap_or(data));
            }
            Frame::Ping {
                nonce,
                rx_count,
                rx_top,
            } => {
                out.push(PING);
                out.extend_from_slice(&nonce.to_le_bytes());
                out.extend_from_slice(&rx_count.to_le_bytes());
                out.extend_from_slice(&rx_top.to_le_bytes());
            }
            Frame::Pong { nonce } => {
                out.push(PONG);
                out.extend_from_slice(&nonce.to_le_bytes());
            }
            Frame::PathChallenge { token } => {
                out.push(PATH_CHALLENGE);
                out.extend_from_slice(&token.to_le_bytes());
            }
            Frame::PathResponse { token } => {
                out.push(PATH_RESPONSE);
                out.extend_from_slice(&token.to_le_bytes());
            }
        }
    }
}

/// Iterates the frames of a payload; yields an error (once) at the first malformed frame.
#[derive(Debug)]
pub struct Frames<'a> {
    rest: &'a [u8],
    failed: bool,
}

/// Iterate the frames of `payload`.
pub fn frames(payload: &[u8]) -> Frames<'_> {
    Frames {
        rest: payload,
        failed: false,
    }
}

impl<'a> Frames<'a> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], FrameError> {
        let (head, rest) = self
            .rest
            .split_first_chunk::<N>()
            .ok_or(FrameError::Truncated)?;
        self.rest = rest;
        Ok(*head)
    }

    fn next_frame(&mut self) -> Result<Frame<'a>, FrameError> {
        let [kind] = self.take::<1>()?;
        match kind {
            ACK => Ok(Frame::Ack {
                next: u32::from_le_bytes(self.take()?),
                sack: u64::from_le_bytes(self.take()?),
            }),
            RELIABLE => {
                let seq = u32::from_le_bytes(self.take()?);
                let [flags] = self.take::<1>()?;
                if flags & !1 != 0 {
                    return Err(FrameError::ReservedFlags);
                }
                let len = usize::from(u16::from_le_bytes(self.take()?));
                if self.rest.len() < len {
                    return Err(FrameError::Truncated);
                }
                let (data, rest) = self.rest.split_at(len);
                self.rest = rest;
                Ok(Frame::Reliable {
                    seq,
                    last: flags & 1 == 1,
                    data,
                })
            }
            PING => Ok(Frame::Ping {
                nonce: u32::from_le_bytes(self.take()?),
                rx_count: u64::from_le_bytes(self.take()?),
                rx_top: u64::from_le_bytes(self.take()?),
            }),
            PONG => Ok(Frame::Pong {
                nonce: u32::from_le_bytes(self.take()?),
            }),
            PATH_CHALLENGE => Ok(Frame::PathChallenge {
                token: u64::from_le_bytes(self.take()?),
            }),
            PATH_RESPONSE => Ok(Frame::PathResponse {
                token: u64::from_le_bytes(self.take()?),
            }),
            other => Err(FrameError::UnknownKind(other)),
        }
    }
}

impl<'a> Iterator for Frames<'a> {
    type Item = Result<Frame<'a>, FrameError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() || self.failed {
            return None;
        }
        let r = self.next_frame();
        self.failed = r.is_err();
        Some(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_sizes() {
        let all = [
            Frame::Ack {
                next: 7,
                sack: 0b101,
            },
            Frame::Reliable {
                seq: 9,
                last: true,
                data: b"abc",
            },
            Frame::Ping {
                nonce: 1,
                rx_count: 2,
                rx_top: 3,
            },
            Frame::Pong { nonce: 4 },
            Frame::PathChallenge { token: 5 },
            Frame::PathResponse { token: 6 },
        ];
        let mut out = Vec::new();
        for f in &all {
            f.encode(&mut out);
        }
        assert_eq!(
            out.len(),
            ACK_LEN + RELIABLE_HEADER_LEN + 3 + PING_LEN + PONG_LEN + 2 * PATH_LEN
        );
        let back: Vec<_> = frames(&out).collect::<Result<_, _>>().expect("valid");
        assert_eq!(back, all);
    }

    #[test]
    fn malformed_payloads_are_refused() {
        assert_eq!(frames(&[9]).next(), Some(Err(FrameError::UnknownKind(9))));
        assert_eq!(
            frames(&[ACK, 1, 2]).next(),
            Some(Err(FrameError::Truncated))
        );
        assert_eq!(
            frames(&[RELIABLE, 0, 0, 0, 0, 2, 0, 0]).next(),
            Some(Err(FrameError::ReservedFlags))
        );
        assert_eq!(
            frames(&[RELIABLE, 0, 0, 0, 0, 1, 5, 0, 1]).next(),
            Some(Err(FrameError::Truncated))
        );
        let mut it = frames(&[PONG, 1, 0, 0, 0, 77]);
        assert!(matches!(it.next(), Some(Ok(Frame::Pong { nonce: 1 }))));
        assert!(matches!(it.next(), Some(Err(_))));
        assert_eq!(it.next(), None);
    }
}
