//! Frames of the link (LINK.md §3, §4): `length(u32 LE) type(u8) payload`, where `length`
//! counts the type byte and the payload. Encoding and the decoding of one frame's bytes;
//! [`super::FrameDecoder`] cuts a byte stream into frames.

use super::codes::FrameType;
use super::control::{Close, ControlError, Hello, Welcome};
use super::msg::*;

/// Largest frame length accepted (the type byte and the payload), in bytes.
pub const MAX_LINK_FRAME: usize = 1 << 20;

/// Bytes of the length prefix.
pub const LENGTH_PREFIX: usize = 4;

/// Why a frame was refused; each makes the receiver close the link (LINK.md §7).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The length prefix exceeds [`MAX_LINK_FRAME`].
    #[error("frame of {len} bytes exceeds the limit of {MAX_LINK_FRAME}")]
    Oversized { len: usize },
    /// The length prefix is zero: there is no type byte.
    #[error("empty frame")]
    Empty,
    /// The type byte is not a frame type of this direction.
    #[error("unknown frame type {0:#04x}")]
    UnknownType(u8),
    /// The payload does not decode as its type's message.
    #[error("malformed {frame:?} frame: {what}")]
    Malformed {
        frame: FrameType,
        what: &'static str,
    },
}

impl FrameError {
    /// The metric label of the error.
    pub const fn label(&self) -> &'static str {
        match self {
            Self::Oversized { .. } => "oversized",
            Self::Empty | Self::Malformed { .. } => "malformed",
            Self::UnknownType(_) => "unknown_type",
        }
    }
}

fn control_error(frame: FrameType, e: ControlError) -> FrameError {
    let what = match e {
        ControlError::Truncated => "payload ends early",
        ControlError::Trailing => "bytes after the payload",
        ControlError::BadMagic => "wrong magic",
        ControlError::BadLength => "name or reason of bad length",
        ControlError::NotUtf8 => "text is not utf-8",
    };
    FrameError::Malformed { frame, what }
}

/// Start a frame of `kind` in `out`; returns where its length goes.
fn begin(out: &mut Vec<u8>, kind: FrameType) -> usize {
    let at = out.len();
    out.extend_from_slice(&[0; LENGTH_PREFIX]);
    out.push(kind.code());
    at
}

/// Write the length of the frame begun at `at`.
fn finish(out: &mut [u8], at: usize) {
    // A frame larger than u32::MAX cannot be built from the link's messages; saturating makes
    // the receiver refuse it as oversized instead of misreading a wrapped length.
    let len = u32::try_from(out.len() - at - LENGTH_PREFIX).unwrap_or(u32::MAX);
    out[at..at + LENGTH_PREFIX].copy_from_slice(&len.to_le_bytes());
}

fn bitcode_frame<T: bitcode::Encode + ?Sized>(out: &mut Vec<u8>, kind: FrameType, body: &T) {
    let at = begin(out, kind);
    out.extend_from_slice(&bitcode::encode(body));
    finish(out, at);
}

fn close_frame(out: &mut Vec<u8>, kind: FrameType, close: &Close) {
    let at = begin(out, kind);
    close.write(out);
    finish(out, at);
}

impl EdgeToRegion {
    /// The frame type of this message.
    pub fn frame_type(&self) -> FrameType {
        match self {
            Self::Hello(_) => FrameType::Hello,
            Self::Join(_) => FrameType::Join,
            Self::Rejoin(_) => FrameType::Rejoin,
            Self::Command(_) => FrameType::Command,
            Self::Leave(_) => FrameType::Leave,
            Self::Close(_) => FrameType::EdgeClose,
        }
    }

    /// Append this message as one frame to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        let kind = self.frame_type();
        match self {
            Self::Hello(h) => {
                let at = begin(out, kind);
                h.write(out);
                finish(out, at);
            }
            Self::Join(j) | Self::Rejoin(j) => bitcode_frame(out, kind, j),
            Self::Command(c) => bitcode_frame(out, kind, c),
            Self::Leave(l) => bitcode_frame(out, kind, l),
            Self::Close(c) => close_frame(out, kind, c),
        }
    }

    /// This message as one frame.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(&mut out);
        out
    }

    /// Decode one frame's type byte and payload (the length prefix already removed).
    pub fn decode(frame: &[u8]) -> Result<Self, FrameError> {
        let (&code, payload) = frame.split_first().ok_or(FrameError::Empty)?;
        let kind = FrameType::from_u8(code)
            .filter(|k| !k.from_region())
            .ok_or(FrameError::UnknownType(code))?;
        let bad = |what| FrameError::Malformed { frame: kind, what };
        Ok(match kind {
            FrameType::Hello => {
                Self::Hello(Hello::read(payload).map_err(|e| control_error(kind, e))?)
            }
            FrameType::Join => Self::Join(bitcode::decode(payload).map_err(|_| bad("bitcode"))?),
            FrameType::Rejoin => {
                Self::Rejoin(bitcode::decode(payload).map_err(|_| bad("bitcode"))?)
            }
            FrameType::Command => {
                Self::Command(bitcode::decode(payload).map_err(|_| bad("bitcode"))?)
            }
            FrameType::Leave => Self::Leave(bitcode::decode(payload).map_err(|_| bad("bitcode"))?),
            FrameType::EdgeClose => {
                Self::Close(Close::read(payload).map_err(|e| control_error(kind, e))?)
            }
            _ => return Err(FrameError::UnknownType(code)),
        })
    }
}

impl RegionToEdge {
    /// The first link version that has this message (see [`FrameType::since`]).
    pub fn since(&self) -> u16 {
        self.frame_type().since()
    }

    /// The frame type of this message.
    pub fn frame_type(&self) -> FrameType {
        match self {
            Self::Welcome(_) => FrameType::Welcome,
            Self::Joined(_) => FrameType::Joined,
            Self::JoinRefused(_) => FrameType::JoinRefused,
            Self::ToClient(_) => FrameType::ToClient,
            Self::Entities(_) => FrameType::Entities,
            Self::Notice(_) => FrameType::Notice,
            Self::Close(_) => FrameType::RegionClose,
        }
    }

    /// Append this message as one frame to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        let kind = self.frame_type();
        match self {
            Self::Welcome(w) => {
                let at = begin(out, kind);
                w.write(out);
                finish(out, at);
            }
            Self::Joined(j) => bitcode_frame(out, kind, j),
            Self::JoinRefused(j) => bitcode_frame(out, kind, j),
            Self::ToClient(t) => bitcode_frame(out, kind, t),
            Self::Entities(e) => bitcode_frame(out, kind, e),
            Self::Notice(n) => bitcode_frame(out, kind, n),
            Self::Close(c) => close_frame(out, kind, c),
        }
    }

    /// This message as one frame.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(&mut out);
        out
    }

    /// Decode one frame's type byte and payload (the length prefix already removed).
    pub fn decode(frame: &[u8]) -> Result<Self, FrameError> {
        let (&code, payload) = frame.split_first().ok_or(FrameError::Empty)?;
        let kind = FrameType::from_u8(code)
            .filter(|k| k.from_region())
            .ok_or(FrameError::UnknownType(code))?;
        let bad = |what| FrameError::Malformed { frame: kind, what };
        Ok(match kind {
            FrameType::Welcome => {
                Self::Welcome(Welcome::read(payload).map_err(|e| control_error(kind, e))?)
            }
            FrameType::Joined => {
                Self::Joined(bitcode::decode(payload).map_err(|_| bad("bitcode"))?)
            }
            FrameType::JoinRefused => {
                Self::JoinRefused(bitcode::decode(payload).map_err(|_| bad("bitcode"))?)
            }
            FrameType::ToClient => {
                Self::ToClient(bitcode::decode(payload).map_err(|_| bad("bitcode"))?)
            }
            FrameType::Entities => {
                Self::Entities(bitcode::decode(payload).map_err(|_| bad("bitcode"))?)
            }
            FrameType::Notice => {
                let notice: SessionNotice = bitcode::decode(payload).map_err(|_| bad("bitcode"))?;
                if notice.text.len() > crate::codec::MAX_NOTICE_LEN {
                    return Err(bad("notice text too long"));
                }
                Self::Notice(notice)
            }
            FrameType::RegionClose => {
                Self::Close(Close::read(payload).map_err(|e| control_error(kind, e))?)
            }
            _ => return Err(FrameError::UnknownType(code)),
        })
    }
}
