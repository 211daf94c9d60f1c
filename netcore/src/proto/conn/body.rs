//! The plaintext body of a data packet (`netcore/SPEC.md`, "Data body"): one channel byte,
//! then either a sequence of frames ([`super::frame`]) or one application datagram.
//!
//! Datagrams are sequenced by the packet counter the AEAD session already authenticates: a
//! datagram is delivered only if its packet is newer than every datagram delivered before, so
//! a late (reordered) datagram never overwrites newer state.

/// Channel byte of a body carrying frames.
pub const CHANNEL_FRAMES: u8 = 0;
/// Channel byte of a body carrying one application datagram.
pub const CHANNEL_DATAGRAM: u8 = 1;
/// Bytes the channel byte takes in front of the frames or the datagram.
pub const CHANNEL_LEN: usize = 1;

/// A parsed data body, borrowing the plaintext.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body<'a> {
    /// A frame sequence (still to be parsed with [`super::frame::frames`]).
    Frames(&'a [u8]),
    /// One application datagram.
    Datagram(&'a [u8]),
}

/// A data body that does not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("empty data body")]
    Empty,
    #[error("unknown channel {0}")]
    UnknownChannel(u8),
}

/// Split a data body into its channel and contents.
pub fn parse(body: &[u8]) -> Result<Body<'_>, BodyError> {
    match body.split_first() {
        None => Err(BodyError::Empty),
        Some((&CHANNEL_FRAMES, rest)) => Ok(Body::Frames(rest)),
        Some((&CHANNEL_DATAGRAM, rest)) => Ok(Body::Datagram(rest)),
        Some((&other, _)) => Err(BodyError::UnknownChannel(other)),
    }
}

/// The body carrying `payload` as an application datagram.
pub fn datagram(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(CHANNEL_LEN + payload.len());
    out.push(CHANNEL_DATAGRAM);
    out.extend_from_slice(payload);
    out
}

/// Admits a datagram only if its packet counter is newer than every one admitted before.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DatagramSequencer {
    /// One more than the counter of the newest datagram admitted (0: none yet).
    next: u64,
}

impl DatagramSequencer {
    /// Whether the datagram in the packet with `counter` is delivered (and remember it if so).
    pub fn admit(&mut self, counter: u64) -> bool {
        if counter < self.next {
            return false;
        }
        self.next = counter.saturating_add(1);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_parse_and_unknown_ones_are_refused() {
        assert_eq!(parse(&[CHANNEL_FRAMES, 4, 1]), Ok(Body::Frames(&[4, 1])));
        assert_eq!(parse(&datagram(b"hi")), Ok(Body::Datagram(b"hi")));
        assert_eq!(parse(&[CHANNEL_DATAGRAM]), Ok(Body::Datagram(&[])));
        assert_eq!(parse(&[]), Err(BodyError::Empty));
        assert_eq!(parse(&[2, 0]), Err(BodyError::UnknownChannel(2)));
    }

    #[test]
    fn only_newer_datagrams_are_admitted() {
        let mut s = DatagramSequencer::default();
        assert!(s.admit(0), "the first datagram, counter 0");
        assert!(s.admit(5));
        assert!(!s.admit(3), "older than the newest delivered");
        assert!(!s.admit(5), "not newer");
        assert!(s.admit(6));
        assert!(s.admit(u64::MAX));
        assert!(!s.admit(u64::MAX - 1));
    }
}
