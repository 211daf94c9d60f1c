//! Framing of reliable messages on a QUIC or WebTransport stream: `u32 LE length + bytes`.
//!
//! Shared by the [`webtransport`](crate::webtransport) and [`quic`](crate::quic) drivers: both
//! carry reliable messages on one bidirectional stream, read through tokio's `AsyncRead`.

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::mpsc;

/// Largest reliable message on the stream.
pub const MAX_FRAME: usize = 1 << 20;

/// Error reading a frame; the session is closed.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("frame of {0} bytes exceeds the limit")]
    TooLarge(usize),
    /// The first frame declares more bytes than the first-message limit; its body is not
    /// read, and the reader stops.
    #[error("first frame of {0} bytes exceeds the first-message limit")]
    FirstTooLarge(usize),
    #[error("stream ended")]
    Finished,
    #[error("stream read failed: {0}")]
    Read(String),
}

/// A frame for `body` (the caller keeps bodies at most [`MAX_FRAME`]).
pub fn encode_frame(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + body.len());
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(body);
    out
}

/// Read one frame. The length is checked before anything is allocated.
pub async fn read_frame<R: AsyncRead + Unpin>(recv: &mut R) -> Result<Vec<u8>, FrameError> {
    read_frame_within(recv, MAX_FRAME, FrameError::TooLarge).await
}

/// Read one frame of at most `limit` bytes; a longer one is `too_large(length)`, known from
/// its length prefix alone.
async fn read_frame_within<R: AsyncRead + Unpin>(
    recv: &mut R,
    limit: usize,
    too_large: fn(usize) -> FrameError,
) -> Result<Vec<u8>, FrameError> {
    let mut len = [0u8; 4];
    recv.read_exact(&mut len).await.map_err(map_read)?;
    let len = u32::from_le_bytes(len) as usize;
    if len > limit {
        return Err(too_large(len));
    }
    let mut body = vec![0u8; len];
    recv.read_exact(&mut body).await.map_err(map_read)?;
    Ok(body)
}

fn map_read(e: std::io::Error) -> FrameError {
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => FrameError::Finished,
        _ => FrameError::Read(e.to_string()),
    }
}

/// Read frames until the stream fails; each frame goes to `tx`, then the final error.
/// `tx` is bounded, so a slow consumer stops the reads and the transport's flow control
/// pushes back on the peer. With `first_limit`, a first frame declaring more bytes is
/// [`FrameError::FirstTooLarge`] as soon as its length prefix is read (even past
/// [`MAX_FRAME`]).
pub async fn read_frames<R: AsyncRead + Unpin>(
    mut recv: R,
    tx: mpsc::Sender<Result<Vec<u8>, FrameError>>,
    first_limit: Option<usize>,
) {
    let mut first = first_limit;
    loop {
        let frame = match first.take() {
            Some(limit) => read_frame_within(&mut recv, limit, FrameError::FirstTooLarge).await,
            None => read_frame(&mut recv).await,
        };
        let end = frame.is_err();
        if tx.send(frame).await.is_err() || end {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn frames_round_trip_in_order() {
        let mut wire = encode_frame(b"hello");
        wire.extend(encode_frame(b""));
        wire.extend(encode_frame(&[9u8; 70_000]));
        let mut r = wire.as_slice();
        assert_eq!(read_frame(&mut r).await.ok(), Some(b"hello".to_vec()));
        assert_eq!(read_frame(&mut r).await.ok(), Some(Vec::new()));
        assert_eq!(read_frame(&mut r).await.ok(), Some(vec![9u8; 70_000]));
        assert!(matches!(
            read_frame(&mut r).await,
            Err(FrameError::Finished)
        ));
    }

    #[tokio::test]
    async fn oversized_length_is_refused_before_reading_the_body() {
        let wire = ((MAX_FRAME + 1) as u32).to_le_bytes();
        let mut r = wire.as_slice();
        assert!(matches!(
            read_frame(&mut r).await,
            Err(FrameError::TooLarge(n)) if n == MAX_FRAME + 1
        ));
        let max = (MAX_FRAME as u32).to_le_bytes();
        let mut r = max.as_slice();
        // Exactly the limit is allowed; here the body is missing, so the stream "ends".
        assert!(matches!(
            read_frame(&mut r).await,
            Err(FrameError::Finished)
        ));
    }

    #[tokio::test]
    async fn truncated_frames_end_the_stream() {
        let wire = encode_frame(b"cut short");
        for cut in [1, 3, 4, 8] {
            let mut r = &wire[..cut];
            assert!(matches!(
                read_frame(&mut r).await,
                Err(FrameError::Finished)
            ));
        }
    }

    #[tokio::test]
    async fn reader_forwards_frames_then_the_end() {
        let mut wire = encode_frame(b"a");
        wire.extend(encode_frame(b"bc"));
        let (tx, mut rx) = mpsc::channel(1);
        tokio::spawn(read_frames(std::io::Cursor::new(wire), tx, None));
        assert_eq!(rx.recv().await.and_then(Result::ok), Some(b"a".to_vec()));
        assert_eq!(rx.recv().await.and_then(Result::ok), Some(b"bc".to_vec()));
        assert!(matches!(rx.recv().await, Some(Err(FrameError::Finished))));
        assert!(rx.recv().await.is_none());
    }

    #[tokio::test]
    async fn the_first_frame_is_bounded_by_its_own_limit_then_frames_by_max_frame() {
        // At the limit it passes, and later frames may be longer.
        let mut wire = encode_frame(&[1u8; 16]);
        wire.extend(encode_frame(&[2u8; 100]));
        let (tx, mut rx) = mpsc::channel(4);
        tokio::spawn(read_frames(std::io::Cursor::new(wire), tx, Some(16)));
        assert_eq!(rx.recv().await.and_then(Result::ok), Some(vec![1u8; 16]));
        assert_eq!(rx.recv().await.and_then(Result::ok), Some(vec![2u8; 100]));
        // Past it, the length prefix alone refuses it: the body is never there to be read.
        for declared in [17usize, 120_000, MAX_FRAME + 1] {
            let wire = (declared as u32).to_le_bytes();
            let (tx, mut rx) = mpsc::channel(4);
            tokio::spawn(read_frames(
                std::io::Cursor::new(wire.to_vec()),
                tx,
                Some(16),
            ));
            assert!(matches!(
                rx.recv().await,
                Some(Err(FrameError::FirstTooLarge(n))) if n == declared
            ));
            assert!(rx.recv().await.is_none(), "the reader stops");
        }
    }
}
