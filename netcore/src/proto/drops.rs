//! Why a datagram was ignored, and a counter per reason.
//!
//! The order of the checks that produce these reasons is specified in `netcore/SPEC.md`
//! ("Ignoring a packet"); every ignored datagram increments exactly one counter.

macro_rules! drop_reasons {
    ($($(#[$doc:meta])* $variant:ident => $field:ident,)*) => {
        /// Why a datagram was dropped. Each reason has its own counter in [`DropCounters`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum DropReason {
            $($(#[$doc])* $variant,)*
        }

        impl DropReason {
            /// Every reason, in checklist order.
            pub const ALL: &'static [DropReason] = &[$(DropReason::$variant,)*];

            /// A short label for metrics.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => stringify!($field),)*
                }
            }
        }

        /// Counts of dropped datagrams by reason.
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct DropCounters {
            $(pub $field: u64,)*
        }

        impl DropCounters {
            /// Count one drop.
            pub fn record(&mut self, reason: DropReason) {
                match reason {
                    $(DropReason::$variant => self.$field += 1,)*
                }
            }

            /// The count of one reason.
            pub fn get(&self, reason: DropReason) -> u64 {
                match reason {
                    $(DropReason::$variant => self.$field,)*
                }
            }

            /// Sum of all counters.
            pub fn total(&self) -> u64 {
                0 $(+ self.$field)*
            }
        }
    };
}

drop_reasons! {
    /// Longer than [`MAX_DATAGRAM`](crate::proto::packet::MAX_DATAGRAM).
    Oversized => oversized,
    /// Empty, or shorter than a session packet's header and tag.
    TooShort => too_short,
    /// Unknown packet-type byte.
    UnknownType => unknown_type,
    /// A packet type this side never accepts (e.g. a hello at a client).
    UnexpectedType => unexpected_type,
    /// A handshake packet whose length is not its type's fixed length.
    BadLength => bad_length,
    /// A hello or init with an unsupported protocol version.
    BadVersion => bad_version,
    /// An init whose cookie is forged, expired or issued to another address or nonce.
    BadCookie => bad_cookie,
    /// A new init for an address that has a live session.
    HandshakeForLivePeer => handshake_for_live_peer,
    /// The server is at its session limit.
    ServerFull => server_full,
    /// The Noise handshake failed (wrong server key, garbage) or answered a stale attempt.
    HandshakeFailed => handshake_failed,
    /// A session packet from an address with no session.
    UnknownPeer => unknown_peer,
    /// Counter below the replay window.
    TooOld => too_old,
    /// Counter already accepted.
    Replayed => replayed,
    /// Authentication failed (tampered, or encrypted under another key).
    Decrypt => decrypt,
    /// An authenticated packet whose body or frames do not parse (the session is closed).
    Malformed => malformed,
    /// An authenticated application datagram older than the newest one delivered (the packet
    /// still counts as heard; the connection stays open).
    StaleDatagram => stale_datagram,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_has_its_own_counter() {
        let mut c = DropCounters::default();
        for (i, r) in DropReason::ALL.iter().enumerate() {
            for _ in 0..=i {
                c.record(*r);
            }
        }
        for (i, r) in DropReason::ALL.iter().enumerate() {
            assert_eq!(c.get(*r), i as u64 + 1, "{}", r.as_str());
        }
        let n = DropReason::ALL.len() as u64;
        assert_eq!(c.total(), n * (n + 1) / 2);
    }
}
