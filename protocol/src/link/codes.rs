//! The one-byte codes of the link: frame types (LINK.md §4) and close codes (§8).

use crate::types::wire_enum;

wire_enum! {
    /// The type byte of a frame. Edge-to-region types are below `0x80`, region-to-edge types
    /// have the high bit set, so a frame sent the wrong way is an unknown type.
    pub enum FrameType {
        /// `Hello` (edge to region, first frame).
        Hello = 0x01,
        /// `Join` (edge to region).
        Join = 0x02,
        /// `Rejoin` (edge to region).
        Rejoin = 0x03,
        /// `Command` (edge to region).
        Command = 0x04,
        /// `Leave` (edge to region).
        Leave = 0x05,
        /// `Close` from the edge (its last frame).
        EdgeClose = 0x0f,
        /// `Welcome` (region to edge, first frame).
        Welcome = 0x81,
        /// `Joined` (region to edge).
        Joined = 0x82,
        /// `JoinRefused` (region to edge).
        JoinRefused = 0x83,
        /// `ToClient` (region to edge).
        ToClient = 0x84,
        /// `Entities` (region to edge).
        Entities = 0x85,
        /// `Notice` (region to edge; link version 5).
        Notice = 0x86,
        /// `Close` from the region (its last frame).
        RegionClose = 0x8f,
    }
}

impl FrameType {
    /// Whether frames of this type travel from the region to the edge.
    pub const fn from_region(self) -> bool {
        self.code() & 0x80 != 0
    }

    /// The first link version with frames of this type (LINK.md §4): a sender never sends
    /// one on a link of an older version, and a receiver refuses one there (`Protocol`).
    pub const fn since(self) -> u16 {
        match self {
            Self::Notice => 5,
            _ => 3,
        }
    }
}

wire_enum! {
    /// Why a link was closed: the code of the `Close` frame, also used as the QUIC
    /// application error code when the connection is closed.
    pub enum CloseCode {
        /// An orderly close (the edge stopped, the region dropped an idle link).
        Normal = 0,
        /// A frame out of place: no `Hello`/`Welcome` first, a second one, a frame type not
        /// valid in this direction.
        Protocol = 1,
        /// A frame did not decode.
        Malformed = 2,
        /// A frame's length exceeded the limit.
        Oversized = 3,
        /// The peer did not take the frames sent to it fast enough (its buffer was full).
        Slow = 4,
        /// The closing side is shutting down.
        Shutdown = 5,
        /// The two sides have no link version in common.
        Version = 6,
        /// No `Hello` (or `Welcome`) arrived in time.
        HelloTimeout = 7,
    }
}

impl CloseCode {
    /// The metric label of the code.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Protocol => "protocol",
            Self::Malformed => "malformed",
            Self::Oversized => "oversized",
            Self::Slow => "slow",
            Self::Shutdown => "shutdown",
            Self::Version => "version",
            Self::HelloTimeout => "hello_timeout",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directions_follow_the_high_bit() {
        for t in FrameType::ALL {
            let region = matches!(
                t,
                FrameType::Welcome
                    | FrameType::Joined
                    | FrameType::JoinRefused
                    | FrameType::ToClient
                    | FrameType::Entities
                    | FrameType::Notice
                    | FrameType::RegionClose
            );
            assert_eq!(t.from_region(), region, "{t:?}");
        }
    }

    #[test]
    fn only_the_notice_is_newer_than_version_4() {
        for t in FrameType::ALL {
            let since = if *t == FrameType::Notice { 5 } else { 3 };
            assert_eq!(t.since(), since, "{t:?}");
        }
    }

    #[test]
    fn close_labels_are_distinct() {
        let mut labels: Vec<_> = CloseCode::ALL.iter().map(|c| c.label()).collect();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), CloseCode::ALL.len());
    }
}
