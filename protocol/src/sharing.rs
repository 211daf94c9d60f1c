//! Shared vision (protocol version 4, SPEC.md §20): the value carried by the `Sharing` event.
//! The commands are [`crate::Command::ShareVision`] and [`crate::Command::RevokeVision`].

use crate::types::EmpireId;
use serde::{Deserialize, Serialize};

/// A vision grant that involves the receiving empire began or ended.
///
/// `outgoing`: the receiving empire shares its vision with `empire` (it granted it). Not
/// `outgoing`: `empire` shares its vision with the receiving empire. A grant is one-way; two
/// grants, one each way, make a mutual share.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    bitcode::Encode,
    bitcode::Decode,
)]
pub struct SharingEvent {
    /// The other empire of the grant.
    pub empire: EmpireId,
    /// Whether the receiving empire is the one that shares.
    pub outgoing: bool,
    /// Whether the grant holds now (`false`: it was revoked).
    pub active: bool,
}

/// Sub-kinds of the extended event (tag 7, SPEC.md §20.3): 8-bit codes after the tag.
pub mod extended_kind {
    /// [`super::SharingEvent`].
    pub const SHARING: u8 = 0;
    /// [`crate::memory::LastSeenEvent`].
    pub const LAST_SEEN: u8 = 1;
    /// `Event::Forget`.
    pub const FORGET: u8 = 2;
}
