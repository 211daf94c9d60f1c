//! Named bandwidth profiles: the budget, send rate, packet size, priority weights, quantization
//! and staleness bound a client's updates are packed under.
//!
//! Profiles live in a directory (shipped: `configs/bandwidth/`), one `<name>.toml` per profile;
//! every field is optional and documented there with its unit and default. Per-kind priority
//! multipliers are keyed by the protocol's entity kind names (`EntityKind::name`), so no game
//! unit kind is named in edge code; a kind a profile does not list gets
//! [`DEFAULT_KIND_MULTIPLIER`]. Loading validates
//! every profile ([`ProfileSet::load_dir`]); [`ProfileSelection`] picks one per client class;
//! [`ProfileSet::reload`] builds a replacement set for a running edge and leaves the current
//! one in force when anything is wrong.
//!
//! # The budget rule
//!
//! A client's budget is a token bucket refilled at `bytes_per_sec` (R) holding at most
//! `burst_bytes` (B). In any window of `t` seconds such a bucket admits at most `B + R·t`
//! bytes: everything it had saved plus what it earns. For a 1 s window that is `R + B`, so the
//! platform's target (never more than 5% over the budget in any 1 s window) holds whenever
//! `B <= R / 20`, which validation enforces. The bucket must also hold a whole datagram
//! (`burst_bytes >= max_packet_bytes`), so slow profiles use smaller packets.
//!
//! A consequence for senders: between two send ticks R / `send_rate_hz` bytes are earned, and
//! below 20 Hz that is more than B can hold. At 20 Hz or more one tick's earnings fit the
//! bucket; at lower rates the sender has to pace datagrams between ticks to use the full rate.

mod profile;
mod set;
mod validate;

pub use profile::{
    BURST_DIVISOR, BandwidthProfile, DEFAULT_KIND_MULTIPLIER, DEFAULT_MAX_PENDING_EVENTS,
    DistanceTier, KindMultipliers, MAX_PACKET_BYTES, MAX_SEND_RATE_HZ, MIN_PACKET_BYTES,
    PENDING_EVENTS_RANGE, PriorityConfig, QuantizationConfig,
};
pub use set::{
    ClientClass, NamedProfile, ProfileSelection, ProfileSet, ResolvedSelection,
    is_valid_profile_name,
};
pub use validate::ProfileError;
