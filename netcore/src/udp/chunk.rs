//! Reliable messages cut into chunks that laminar never fragments.
//!
//! laminar 0.5 hands a reassembled fragmented packet to the application as soon as its last
//! fragment arrives, without passing it through the ordered stream, and hands it over again
//! if the sender resends it. A message larger than one laminar fragment would then arrive out
//! of order and more than once. So the driver cuts every reliable message into chunks of at
//! most [`CHUNK_PAYLOAD`] bytes, each sent as its own reliable-ordered laminar packet (which
//! laminar orders and de-duplicates), and joins them again on receipt.
//!
//! Chunk layout: one flag byte (`0` = last chunk of the message, `1` = more follow), then up
//! to [`CHUNK_PAYLOAD`] bytes of the message.

use super::driver::{FRAGMENT_SIZE, MAX_MESSAGE};
use thiserror::Error;

/// Message bytes carried by one chunk (one byte of each laminar payload is the flag).
pub const CHUNK_PAYLOAD: usize = FRAGMENT_SIZE as usize - 1;

const LAST: u8 = 0;
const MORE: u8 = 1;

/// Why a received chunk was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ChunkError {
    #[error("empty chunk")]
    Empty,
    #[error("unknown chunk flag {0}")]
    BadFlag(u8),
    #[error("message exceeds {MAX_MESSAGE} bytes")]
    TooLarge,
}

impl ChunkError {
    /// Short label for drop counters.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Empty => "chunk_empty",
            Self::BadFlag(_) => "chunk_bad_flag",
            Self::TooLarge => "chunk_too_large",
        }
    }
}

/// Cut a message into laminar payloads (an empty message is one chunk).
pub fn split(msg: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::with_capacity(msg.len() / CHUNK_PAYLOAD + 1);
    let mut parts = msg.chunks(CHUNK_PAYLOAD).peekable();
    if parts.peek().is_none() {
        return vec![vec![LAST]];
    }
    while let Some(part) = parts.next() {
        let mut chunk = Vec::with_capacity(part.len() + 1);
        chunk.push(if parts.peek().is_some() { MORE } else { LAST });
        chunk.extend_from_slice(part);
        out.push(chunk);
    }
    out
}

/// Joins the chunks of one link's reliable stream back into messages.
#[derive(Debug, Default)]
pub struct Reassembler {
    buf: Vec<u8>,
}

impl Reassembler {
    /// Take the next chunk (in order); returns a message when its last chunk arrives. After an
    /// error the partial message is discarded and the link should be closed.
    pub fn push(&mut self, chunk: &[u8]) -> Result<Option<Vec<u8>>, ChunkError> {
        let (&flag, part) = chunk.split_first().ok_or(ChunkError::Empty)?;
        if flag != LAST && flag != MORE {
            self.buf.clear();
            return Err(ChunkError::BadFlag(flag));
        }
        if self.buf.len() + part.len() > MAX_MESSAGE {
            self.buf.clear();
            return Err(ChunkError::TooLarge);
        }
        self.buf.extend_from_slice(part);
        Ok((flag == LAST).then(|| std::mem::take(&mut self.buf)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn join(chunks: &[Vec<u8>]) -> Vec<Vec<u8>> {
        let mut r = Reassembler::default();
        chunks
            .iter()
            .filter_map(|c| r.push(c).expect("valid chunk"))
            .collect()
    }

    #[test]
    fn round_trips_every_size_around_the_boundaries() {
        for len in [
            0,
            1,
            CHUNK_PAYLOAD - 1,
            CHUNK_PAYLOAD,
            CHUNK_PAYLOAD + 1,
            3 * CHUNK_PAYLOAD,
            MAX_MESSAGE,
        ] {
            let msg: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let chunks = split(&msg);
            assert!(
                chunks.iter().all(|c| c.len() <= FRAGMENT_SIZE as usize),
                "len {len}"
            );
            assert_eq!(chunks.len(), len.div_ceil(CHUNK_PAYLOAD).max(1));
            assert_eq!(join(&chunks), vec![msg], "len {len}");
        }
    }

    #[test]
    fn consecutive_messages_stay_apart() {
        let a = vec![1u8; CHUNK_PAYLOAD + 5];
        let b = vec![2u8; 3];
        let mut chunks = split(&a);
        chunks.extend(split(&b));
        assert_eq!(join(&chunks), vec![a, b]);
    }

    #[test]
    fn refuses_empty_bad_flags_and_oversized_messages() {
        let mut r = Reassembler::default();
        assert_eq!(r.push(&[]), Err(ChunkError::Empty));
        assert_eq!(r.push(&[7, 1, 2]), Err(ChunkError::BadFlag(7)));
        let big = vec![MORE; FRAGMENT_SIZE as usize];
        let mut last = Ok(None);
        for _ in 0..(MAX_MESSAGE / CHUNK_PAYLOAD + 2) {
            last = r.push(&big);
            if last.is_err() {
                break;
            }
        }
        assert_eq!(last, Err(ChunkError::TooLarge));
        // After an error the reassembler starts clean.
        assert_eq!(r.push(&[LAST, 9]), Ok(Some(vec![9])));
    }
}
