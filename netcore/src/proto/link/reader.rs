//! Reading a link's stream: cut it into frames and decode them, following LINK.md §7 steps 1
//! to 4 (the steps that close the link whatever its state).

use super::LinkCounters;
use starlane_protocol::link::{CloseCode, FrameDecoder, FrameError, LENGTH_PREFIX};

/// The close code of a framing error.
pub(super) fn close_code_of(e: &FrameError) -> CloseCode {
    match e {
        FrameError::Oversized { .. } => CloseCode::Oversized,
        FrameError::Empty | FrameError::Malformed { .. } => CloseCode::Malformed,
        FrameError::UnknownType(_) => CloseCode::Protocol,
    }
}

/// Feed `bytes` to `decoder` and decode every complete frame with `decode`, counting them;
/// returns the messages in order, then the error that ends the link, if any.
pub(super) fn read_frames<M>(
    decoder: &mut FrameDecoder,
    counters: &mut LinkCounters,
    bytes: &[u8],
    decode: fn(&[u8]) -> Result<M, FrameError>,
) -> (Vec<M>, Option<FrameError>) {
    decoder.push(bytes);
    let mut out = Vec::new();
    loop {
        match decoder.next_frame() {
            Ok(None) => return (out, None),
            Ok(Some(body)) => {
                counters.bytes_in += (body.len() + LENGTH_PREFIX) as u64;
                match decode(body) {
                    Ok(msg) => {
                        counters.frames_in += 1;
                        out.push(msg);
                    }
                    Err(e) => {
                        decoder.poison();
                        return (out, Some(e));
                    }
                }
            }
            Err(e) => return (out, Some(e)),
        }
    }
}
