//! The vision cache's entity snapshots (protocol version 4, SPEC.md §20.6): what an empire
//! remembers of a building or resource field it no longer sees.

use crate::types::{EmpireId, EntityId, EntityKind, Hex};
use serde::{Deserialize, Serialize};

/// An entity the receiving empire saw and no longer sees, as it was last seen. Clients draw
/// it faded until a record of the same id arrives (it is in view again) or a `Forget` of it.
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
pub struct LastSeenEvent {
    /// The entity.
    pub id: EntityId,
    /// Its kind.
    pub kind: EntityKind,
    /// Its owner when last seen.
    pub owner: EmpireId,
    /// Where it stood.
    pub pos: Hex,
    /// Seconds since the empire last saw it, when the event was sent.
    pub age_secs: u32,
}
