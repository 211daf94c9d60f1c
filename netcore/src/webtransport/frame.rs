//! Framing of reliable messages on the WebTransport stream: `u32 LE length + bytes`.

use tokio::sync::mpsc;
use wtransport::RecvStream;

/// Largest reliable message on the stream.
pub const MAX_FRAME: usize = 1 << 20;

/// Error reading a frame; the session is closed.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("frame of {0} bytes exceeds the limit")]
    TooLarge(usize),
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

/// Read one frame.
pub async fn read_frame(recv: &mut RecvStream) -> Result<Vec<u8>, FrameError> {
    let mut len = [0u8; 4];
    recv.read_exact(&mut len).await.map_err(map_read)?;
    let len = u32::from_le_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(FrameError::TooLarge(len));
    }
    let mut body = vec![0u8; len];
    recv.read_exact(&mut body).await.map_err(map_read)?;
    Ok(body)
}

fn map_read(e: wtransport::error::StreamReadExactError) -> FrameError {
    match e {
        wtransport::error::StreamReadExactError::FinishedEarly(_) => FrameError::Finished,
        wtransport::error::StreamReadExactError::Read(e) => FrameError::Read(e.to_string()),
    }
}

/// Read frames until the stream fails; each frame goes to `tx`, then the final error.
pub async fn read_frames(mut recv: RecvStream, tx: mpsc::Sender<Result<Vec<u8>, FrameError>>) {
    loop {
        let frame = read_frame(&mut recv).await;
        let end = frame.is_err();
        if tx.send(frame).await.is_err() || end {
            return;
        }
    }
}
