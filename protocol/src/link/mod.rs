//! The edge-region link's wire format, specified in `protocol/LINK.md` with golden vectors in
//! `protocol/vectors/link.json`.
//!
//! One QUIC connection (ALPN [`LINK_ALPN`], mutual TLS) per edge and region carries one
//! bidirectional stream of frames, `length(u32 LE) type(u8) payload`:
//!
//! * [`codes`]: frame types and close codes.
//! * [`control`]: `Hello`, `Welcome` and `Close`, laid out by hand so any two versions can
//!   negotiate.
//! * [`msg`]: every other message, carried as the bitcode (exactly version 0.6.9) encoding of
//!   its struct.
//! * [`frame`]: encoding and decoding one frame; [`decoder`]: cutting the stream into frames.
//! * [`apply`]: how an [`EntityFrame`] updates a mirror of entity states.
//!
//! The state machines that speak it (version negotiation, sessions, flow control, closing)
//! are `starlane_netcore::proto::link`.

pub mod apply;
pub mod codes;
pub mod control;
pub mod decoder;
pub mod frame;
pub mod msg;

pub use apply::Applied;
pub use codes::{CloseCode, FrameType};
pub use control::{Close, Hello, LINK_MAGIC, MAX_NAME_LEN, MAX_REASON_LEN, Welcome};
pub use decoder::FrameDecoder;
pub use frame::{FrameError, LENGTH_PREFIX, MAX_LINK_FRAME};
pub use msg::*;

/// ALPN protocol name of the link's QUIC connections.
pub const LINK_ALPN: &[u8] = b"starlane-link/1";

/// The newest link version this build speaks.
pub const LINK_VERSION: u16 = 10;

/// The oldest link version this build speaks. Version 10 added the friend and mail commands,
/// their errors and the `Social` message's kinds 4 to 7 (LINK.md §14), so a version-9 peer
/// cannot link, as version 9 did for version 8 (§13).
pub const MIN_LINK_VERSION: u16 = 10;

/// The version a region speaking `ours` (inclusive) picks for an edge offering `offered`:
/// the highest version in both ranges, or `None` when they do not meet (LINK.md §5.1).
pub fn negotiate(
    offered: std::ops::RangeInclusive<u16>,
    ours: std::ops::RangeInclusive<u16>,
) -> Option<u16> {
    let high = (*offered.end()).min(*ours.end());
    let low = (*offered.start()).max(*ours.start());
    (low <= high).then_some(high)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_picks_the_highest_common_version() {
        assert_eq!(negotiate(3..=3, 3..=3), Some(3));
        assert_eq!(negotiate(3..=5, 2..=4), Some(4));
        assert_eq!(negotiate(1..=2, 3..=4), None);
        assert_eq!(negotiate(5..=9, 3..=4), None);
        // A reversed (empty) offer meets nothing.
        assert_eq!(negotiate(std::ops::RangeInclusive::new(4, 3), 3..=4), None);
    }
}
