//! [`Outbound`]: the frames one side of a link has produced and its driver has not taken yet,
//! counted in frames and bytes (LINK.md §8).

use std::collections::VecDeque;

/// Frames are gathered into chunks of about this many bytes for the driver to write.
const CHUNK: usize = 64 * 1024;

/// A bound on a queue of frames, in frames and in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueLimits {
    /// Most frames queued.
    pub max_frames: usize,
    /// Most bytes queued.
    pub max_bytes: usize,
}

impl QueueLimits {
    /// Whether `frames` and `bytes` are both under three quarters of their limits.
    pub fn below_three_quarters(&self, frames: usize, bytes: usize) -> bool {
        frames < self.max_frames - self.max_frames / 4
            && bytes < self.max_bytes - self.max_bytes / 4
    }

    /// Whether one more frame of `len` bytes fits.
    pub fn fits(&self, frames: usize, bytes: usize, len: usize) -> bool {
        frames < self.max_frames && bytes.saturating_add(len) <= self.max_bytes
    }
}

/// Encoded frames waiting for the driver, gathered into chunks of whole frames.
#[derive(Debug, Default)]
pub struct Outbound {
    /// Chunks and the number of frames in each.
    chunks: VecDeque<(Vec<u8>, usize)>,
    frames: usize,
    bytes: usize,
    /// The most frames and bytes ever queued at once (not reset by [`Outbound::clear`]).
    peak_frames: usize,
    peak_bytes: usize,
}

impl Outbound {
    /// The most frames ever queued at once.
    pub fn peak_frames(&self) -> usize {
        self.peak_frames
    }

    /// The most bytes ever queued at once (a frame pushed and taken back counts while it was
    /// there).
    pub fn peak_bytes(&self) -> usize {
        self.peak_bytes
    }

    /// Frames queued.
    pub fn frames(&self) -> usize {
        self.frames
    }

    /// Bytes queued.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Append one frame written by `write` (which appends it to the buffer it is given);
    /// returns its length in bytes.
    pub fn push(&mut self, write: impl FnOnce(&mut Vec<u8>)) -> usize {
        if self.chunks.back().is_none_or(|(c, _)| c.len() >= CHUNK) {
            self.chunks.push_back((Vec::new(), 0));
        }
        let Some((chunk, frames)) = self.chunks.back_mut() else {
            // Unreachable: a chunk was pushed above when there was none.
            return 0;
        };
        let before = chunk.len();
        write(chunk);
        let len = chunk.len() - before;
        *frames += 1;
        self.frames += 1;
        self.bytes += len;
        self.peak_frames = self.peak_frames.max(self.frames);
        self.peak_bytes = self.peak_bytes.max(self.bytes);
        len
    }

    /// Take back the frame of `len` bytes just appended by [`Outbound::push`].
    pub fn unpush(&mut self, len: usize) {
        if let Some((chunk, frames)) = self.chunks.back_mut() {
            let keep = chunk.len().saturating_sub(len);
            chunk.truncate(keep);
            *frames = frames.saturating_sub(1);
            self.frames = self.frames.saturating_sub(1);
            self.bytes = self.bytes.saturating_sub(len);
            if chunk.is_empty() {
                self.chunks.pop_back();
            }
        }
    }

    /// The oldest chunk of whole frames, for the driver to write.
    pub fn pop_chunk(&mut self) -> Option<Vec<u8>> {
        let (chunk, frames) = self.chunks.pop_front()?;
        self.frames -= frames;
        self.bytes -= chunk.len();
        Some(chunk)
    }

    /// Drop everything queued.
    pub fn clear(&mut self) {
        self.chunks.clear();
        self.frames = 0;
        self.bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_and_bytes_are_counted_through_chunks() {
        let mut out = Outbound::default();
        for _ in 0..3 {
            out.push(|b| b.extend_from_slice(&[7; 40_000]));
        }
        assert_eq!((out.frames(), out.bytes()), (3, 120_000));
        assert_eq!((out.peak_frames(), out.peak_bytes()), (3, 120_000));
        let first = out.pop_chunk().unwrap_or_default();
        assert_eq!(
            first.len(),
            80_000,
            "two frames fill the first chunk past 64 KiB"
        );
        assert_eq!((out.frames(), out.bytes()), (1, 40_000));
        out.clear();
        assert_eq!((out.frames(), out.bytes()), (0, 0));
        assert!(out.pop_chunk().is_none());
        out.push(|b| b.push(1));
        assert_eq!(
            (out.peak_frames(), out.peak_bytes()),
            (3, 120_000),
            "the high-water mark outlives the frames"
        );
    }

    #[test]
    fn limits_have_a_three_quarter_mark_and_a_hard_bound() {
        let l = QueueLimits {
            max_frames: 8,
            max_bytes: 1000,
        };
        assert!(l.below_three_quarters(5, 749));
        assert!(!l.below_three_quarters(6, 0));
        assert!(!l.below_three_quarters(0, 750));
        assert!(l.fits(7, 900, 100));
        assert!(!l.fits(8, 0, 1));
        assert!(!l.fits(0, 901, 100));
    }
}
