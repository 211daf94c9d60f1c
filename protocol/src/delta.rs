//! Delta updates (SPEC.md §16): the `EntityPacket` datagram (edge → client) and its `Ack`
//! (client → edge).
//!
//! An [`EntityPacket`] carries reliable [`Event`]s, which the edge resends until a packet that
//! carried them is acknowledged, and [`EntityRecord`]s, each either a full state or a delta
//! against the entity's state in an earlier packet that the client acknowledged. These are
//! value types only; the codec is in [`crate::codec`].

use crate::types::{
    CommandError, EmpireId, EntityId, EntityKind, EntityState, Hex, NEUTRAL_EMPIRE, ResourceKind,
    Visibility,
};

/// Most events in one [`EntityPacket`].
pub const MAX_EVENTS: usize = 256;

/// Most entity records in one [`EntityPacket`].
pub const MAX_ENTITY_RECORDS: usize = 1024;

/// Largest `baseline_age` (`seq - baseline_seq`): half the `u16` sequence space, so that the
/// newer of two sequence numbers is never ambiguous.
pub const MAX_BASELINE_AGE: u16 = 0x7FFF;

/// A reliable event, carried in [`EntityPacket::events`] until acknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Event {
    /// The entity left the client's view.
    Disappeared { id: EntityId },
    /// A hex's visibility changed.
    Vision { hex: Hex, state: Visibility },
    /// An empire resource has a new total.
    Resource { kind: ResourceKind, amount: u32 },
    /// The client's command numbered `seq` was accepted.
    CommandAck { seq: u32 },
    /// The client's command numbered `seq` was refused.
    CommandRejected { seq: u32, error: CommandError },
    /// The empire's combat since its previous report (protocol version 2, SPEC.md §18): only
    /// its own figures, so a report says nothing about what the empire cannot see.
    Combat(CombatReport),
    /// A production job of one of the empire's buildings changed state (protocol version 3,
    /// SPEC.md §19).
    Job(crate::economy::JobEvent),
    /// A vision grant to or from the receiving empire began or ended (protocol version 4,
    /// SPEC.md §20.3): tag 7, extended kind 0.
    Sharing(crate::sharing::SharingEvent),
    /// An entity left the receiving empire's view and is remembered as last seen (protocol
    /// version 4, SPEC.md §20.6): tag 7, extended kind 1.
    LastSeen(crate::memory::LastSeenEvent),
    /// Drop the last-seen snapshot of `id` (expired, or its hex was seen again without it;
    /// protocol version 4, SPEC.md §20.6): tag 7, extended kind 2.
    Forget { id: EntityId },
}

/// What an empire's units did and suffered in combat over one report interval.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
    bitcode::Encode,
    bitcode::Decode,
)]
pub struct CombatReport {
    /// Damage its units dealt.
    pub dealt: u32,
    /// Damage its units took.
    pub taken: u32,
    /// Units of others its units destroyed.
    pub kills: u16,
    /// Units of its own destroyed.
    pub losses: u16,
}

impl Event {
    /// The 3-bit wire tag of this event (SPEC.md §16.2).
    pub const fn tag(&self) -> u8 {
        match self {
            Event::Disappeared { .. } => 0,
            Event::Vision { .. } => 1,
            Event::Resource { .. } => 2,
            Event::CommandAck { .. } => 3,
            Event::CommandRejected { .. } => 4,
            Event::Combat(_) => 5,
            Event::Job(_) => 6,
            Event::Sharing(_) | Event::LastSeen(_) | Event::Forget { .. } => 7,
        }
    }
}

/// One event with the id the client deduplicates it by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventEntry {
    /// Per-session event number: the client applies each id once.
    pub event_id: u32,
    /// The event.
    pub event: Event,
}

/// What an [`EntityRecord`] is a delta against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordBase {
    /// No baseline: the record is against the default state (kind `Scout`, owner
    /// [`NEUTRAL_EMPIRE`], position (0, 0), health 0), and may carry `kind` and `owner`.
    Full {
        /// The entity's kind, if not the default.
        kind: Option<EntityKind>,
        /// The owning empire, if not the default.
        owner: Option<EmpireId>,
    },
    /// Against the entity's state in the packet `seq - age`, which the client acknowledged.
    /// `age` must be in `1..=MAX_BASELINE_AGE`; other values encode but decoders refuse them.
    Delta {
        /// `seq - baseline_seq`, modulo 2^16.
        age: u16,
    },
}

/// The state of one entity, relative to a [`RecordBase`]. Absent fields equal the base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EntityRecord {
    /// The entity.
    pub id: EntityId,
    /// Full state or delta, and against which packet.
    pub base: RecordBase,
    /// Position: absolute for [`RecordBase::Full`], the difference `(dq, dr)` from the
    /// baseline position for [`RecordBase::Delta`].
    pub pos: Option<Hex>,
    /// Quantized health: `health / EntityPacket::health_step`.
    pub health: Option<u16>,
}

impl EntityRecord {
    /// The full-state record of `state`, omitting fields equal to the default state, with
    /// health quantized by `health_step` (treated as 1 if 0).
    pub fn full(state: &EntityState, health_step: u16) -> Self {
        let q = quantize(state.health, health_step);
        Self {
            id: state.id,
            base: RecordBase::Full {
                kind: (state.kind != EntityKind::Scout).then_some(state.kind),
                owner: (state.owner != NEUTRAL_EMPIRE).then_some(state.owner),
            },
            pos: (state.pos != Hex::default()).then_some(state.pos),
            health: (q != 0).then_some(q),
        }
    }

    /// The delta record of `state` against `baseline` (its state as the client reconstructed
    /// it from the packet `age` packets ago), or `None` if kind or owner changed (those need
    /// a full record). Unchanged fields are omitted.
    pub fn delta(
        state: &EntityState,
        baseline: &EntityState,
        age: u16,
        health_step: u16,
    ) -> Option<Self> {
        if state.kind != baseline.kind || state.owner != baseline.owner {
            return None;
        }
        // Wraps modulo 2^32 (SPEC.md §16.2).
        let d = state.pos.minus(baseline.pos);
        let q = quantize(state.health, health_step);
        Some(Self {
            id: state.id,
            base: RecordBase::Delta { age },
            pos: (d != Hex::default()).then_some(d),
            health: (q != quantize(baseline.health, health_step)).then_some(q),
        })
    }

    /// The state this record describes, given the baseline state for a
    /// [`RecordBase::Delta`] (ignored for a full record) and the packet's `health_step`.
    /// `None` if the record is a delta and no baseline is given.
    pub fn apply(&self, baseline: Option<&EntityState>, health_step: u16) -> Option<EntityState> {
        let (kind, owner, base_pos, base_health) = match self.base {
            RecordBase::Full { kind, owner } => (
                kind.unwrap_or(EntityKind::Scout),
                owner.unwrap_or(NEUTRAL_EMPIRE),
                Hex::default(),
                0,
            ),
            RecordBase::Delta { .. } => {
                let b = baseline?;
                (b.kind, b.owner, b.pos, b.health)
            }
        };
        let pos = match (self.base, self.pos) {
            (RecordBase::Full { .. }, Some(p)) => p,
            (RecordBase::Delta { .. }, Some(d)) => base_pos.plus(d), // wraps (SPEC.md §16.2)
            (_, None) => base_pos,
        };
        let health = match self.health {
            Some(q) => dequantize(q, health_step),
            None => base_health,
        };
        Some(EntityState {
            id: self.id,
            kind,
            owner,
            pos,
            health,
        })
    }
}

/// Quantized health: `health / step` (a step of 0 counts as 1).
pub fn quantize(health: u16, step: u16) -> u16 {
    health / step.max(1)
}

/// Health of a quantized value: `q * step`, saturating at `u16::MAX` (a step of 0 counts as 1).
pub fn dequantize(q: u16, step: u16) -> u16 {
    q.saturating_mul(step.max(1))
}

/// An unreliable, acknowledged datagram of entity state and reliable events (type `0x88`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EntityPacket {
    /// Packet sequence number, incremented per packet, wrapping.
    pub seq: u16,
    /// Region tick the entity states belong to.
    pub tick: u32,
    /// Health quantization step of this packet (from the bandwidth profile), at least 1.
    pub health_step: u16,
    /// Reliable events, at most [`MAX_EVENTS`].
    pub events: Vec<EventEntry>,
    /// Entity records, at most [`MAX_ENTITY_RECORDS`], at most one per entity. They go on the
    /// wire sorted by id (a later record of an id already written is dropped), so a decoded
    /// packet's records are sorted by id.
    pub entities: Vec<EntityRecord>,
}

/// Whether `seq` is one of the packets an `Ack { newest, mask }` reports as received.
pub fn ack_covers(newest: u16, mask: u32, seq: u16) -> bool {
    match newest.wrapping_sub(seq) {
        0 => true,
        d @ 1..=32 => mask & (1 << (d - 1)) != 0,
        _ => false,
    }
}
