//! [`FrameDecoder`]: cuts the link's byte stream into frames, checking each length before it
//! buffers the frame's bytes (LINK.md §3).

use super::frame::{FrameError, LENGTH_PREFIX, MAX_LINK_FRAME};

/// Reassembles frames from stream bytes as they arrive, in any chunking.
///
/// It holds at most one frame's bytes plus the rest of the chunk last pushed: a length over
/// the limit is refused as soon as its four bytes are in, before anything is buffered for it.
/// After an error the decoder is poisoned (the link closes) and yields nothing more.
#[derive(Debug)]
pub struct FrameDecoder {
    buf: Vec<u8>,
    /// Bytes of `buf` already handed out as frames.
    read: usize,
    max_frame: usize,
    poisoned: bool,
}

impl Default for FrameDecoder {
    fn default() -> Self {
        Self::new(MAX_LINK_FRAME)
    }
}

impl FrameDecoder {
    /// A decoder refusing frames longer than `max_frame` (at most [`MAX_LINK_FRAME`]).
    pub fn new(max_frame: usize) -> Self {
        Self {
            buf: Vec::new(),
            read: 0,
            max_frame: max_frame.min(MAX_LINK_FRAME),
            poisoned: false,
        }
    }

    /// Take bytes read from the stream.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.poisoned {
            return;
        }
        if self.read > 0 {
            self.buf.drain(..self.read);
            self.read = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete frame (its type byte and payload), `Ok(None)` when more bytes are
    /// needed, or the error that ends the link.
    pub fn next_frame(&mut self) -> Result<Option<&[u8]>, FrameError> {
        if self.poisoned {
            return Ok(None);
        }
        let pending = &self.buf[self.read..];
        let Some(prefix) = pending.get(..LENGTH_PREFIX) else {
            return Ok(None);
        };
        let len = u32::from_le_bytes([prefix[0], prefix[1], prefix[2], prefix[3]]) as usize;
        if len > self.max_frame {
            self.poison();
            return Err(FrameError::Oversized { len });
        }
        if len == 0 {
            self.poison();
            return Err(FrameError::Empty);
        }
        if pending.len() < LENGTH_PREFIX + len {
            // Reserve what the frame still needs, now that its length is known to be allowed.
            let missing = LENGTH_PREFIX + len - pending.len();
            self.buf.reserve(missing);
            return Ok(None);
        }
        let start = self.read + LENGTH_PREFIX;
        self.read = start + len;
        Ok(Some(&self.buf[start..start + len]))
    }

    /// Bytes held: a partial frame, or complete frames not yet taken.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.read
    }

    /// Refuse everything from now on (after an error, or when the link closes).
    pub fn poison(&mut self) {
        self.poisoned = true;
        self.buf = Vec::new();
        self.read = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::{EdgeToRegion, Leave};

    fn leave(session: u64) -> Vec<u8> {
        EdgeToRegion::Leave(Leave { session }).encode()
    }

    #[test]
    fn frames_come_out_whole_in_any_chunking() {
        let mut wire = leave(1);
        wire.extend(leave(300));
        wire.extend(leave(u64::MAX));
        for chunk in 1..wire.len() {
            let mut d = FrameDecoder::default();
            let mut got = Vec::new();
            for piece in wire.chunks(chunk) {
                d.push(piece);
                while let Some(f) = d.next_frame().unwrap() {
                    got.push(EdgeToRegion::decode(f).unwrap());
                }
            }
            let sessions: Vec<u64> = got
                .iter()
                .map(|m| match m {
                    EdgeToRegion::Leave(l) => l.session,
                    other => panic!("{other:?}"),
                })
                .collect();
            assert_eq!(sessions, [1, 300, u64::MAX], "chunk {chunk}");
            assert_eq!(d.buffered(), 0);
        }
    }

    #[test]
    fn an_oversized_length_is_refused_before_its_body_arrives() {
        let mut d = FrameDecoder::new(100);
        d.push(&101u32.to_le_bytes());
        assert_eq!(d.next_frame(), Err(FrameError::Oversized { len: 101 }));
        d.push(&[0u8; 200]);
        assert_eq!(d.next_frame(), Ok(None));
        assert_eq!(d.buffered(), 0);
    }

    #[test]
    fn an_empty_frame_is_refused() {
        let mut d = FrameDecoder::default();
        d.push(&[0, 0, 0, 0, 1]);
        assert_eq!(d.next_frame(), Err(FrameError::Empty));
    }
}
