//! Turns delta packets (SPEC.md §16) into the [`Update`]s the rest of the client understands,
//! sans-IO.
//!
//! [`UpdateAssembler`] feeds each [`EntityPacket`] to a [`DeltaReceiver`] and translates what
//! the receiver applied into one [`Update`] for [`crate::WorldView::apply`], plus the answers
//! to commands carried as reliable events, plus the `Ack` to send back.

use crate::delta::{DeltaReceiver, DeltaStats, PacketKind};
use starlane_protocol::client::ClientMsg;
use starlane_protocol::delta::{CombatReport, EntityPacket, Event};
use starlane_protocol::economy::JobEvent;
use starlane_protocol::memory::LastSeenEvent;
use starlane_protocol::sharing::SharingEvent;

/// A change to what the empire remembers (SPEC.md §20.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Memory {
    /// The entity left the view and is remembered as this.
    LastSeen(LastSeenEvent),
    /// The entity is forgotten.
    Forget(starlane_protocol::EntityId),
}
use starlane_protocol::{CommandError, EntityChange, EntityId, EntityState, Update, VisionChange};

/// The answer to one of the client's commands, from a `CommandAck` or `CommandRejected` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandResult {
    /// The command's sequence number.
    pub seq: u32,
    /// Accepted, or refused with the reason.
    pub result: Result<(), CommandError>,
}

/// What one applied packet means for the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assembled {
    /// Newest or late (duplicates and too-old packets produce no [`Assembled`]).
    pub kind: PacketKind,
    /// The world update: entities that entered the view with their full state, changed
    /// fields of entities already in view, removals, vision and resources. Its `tick` is the
    /// newest tick applied so far, so a late packet never moves the world's tick backwards.
    pub update: Update,
    /// Command answers carried by the packet's new events, in packet order.
    pub commands: Vec<CommandResult>,
    /// The empire's combat reports among the packet's new events (SPEC.md §18.2).
    pub combat: Vec<CombatReport>,
    /// The empire's production-job events among the packet's new events (SPEC.md §19).
    pub jobs: Vec<JobEvent>,
    /// The packet's vision-grant events, in order (SPEC.md §20.3).
    pub sharing: Vec<SharingEvent>,
    /// The packet's last-seen snapshots and forgotten ids, in order (SPEC.md §20.6).
    pub memory: Vec<Memory>,
    /// The `Ack { newest, mask }` covering every packet received so far, this one included.
    pub ack: (u16, u32),
}

impl Assembled {
    /// Whether the update carries no information (no entity, vision or resource change).
    pub fn update_is_empty(&self) -> bool {
        let u = &self.update;
        u.appeared.is_empty()
            && u.changed.is_empty()
            && u.disappeared.is_empty()
            && u.vision.is_empty()
            && u.resources.is_empty()
    }
}

/// Assembles [`Update`]s from [`EntityPacket`]s (see the module docs).
#[derive(Debug, Default)]
pub struct UpdateAssembler {
    receiver: DeltaReceiver,
    /// Newest tick of an applied packet.
    tick: Option<u32>,
}

impl UpdateAssembler {
    /// An assembler that has seen no packet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The underlying receiver (its view equals what the assembled updates built).
    pub fn receiver(&self) -> &DeltaReceiver {
        &self.receiver
    }

    /// Lifetime packet totals.
    pub fn stats(&self) -> DeltaStats {
        self.receiver.stats()
    }

    /// The `Ack` message for every packet received so far, `None` before the first one.
    pub fn ack(&self) -> Option<ClientMsg> {
        self.receiver
            .ack()
            .map(|(newest, mask)| ClientMsg::Ack { newest, mask })
    }

    /// Apply one received packet. `None` for a duplicate or too-old packet (nothing applied;
    /// the ack is unchanged). Never panics on bad input.
    pub fn handle_packet(&mut self, p: &EntityPacket) -> Option<Assembled> {
        let applied = self.receiver.handle_packet(p);
        if matches!(applied.kind, PacketKind::Duplicate | PacketKind::TooOld) {
            return None;
        }
        let tick = match (self.tick, applied.kind) {
            (Some(t), PacketKind::Late) => t.max(p.tick),
            _ => p.tick,
        };
        self.tick = Some(tick);
        let mut update = Update {
            tick,
            ..Update::default()
        };
        let mut commands = Vec::new();
        let mut combat = Vec::new();
        let mut jobs = Vec::new();
        let mut sharing = Vec::new();
        let mut memory = Vec::new();
        for event in &applied.events {
            match *event {
                // Removals are taken from `applied.removed`: only ids that really left.
                Event::Disappeared { .. } => {}
                Event::Vision { hex, state } => update.vision.push(VisionChange { hex, state }),
                Event::Resource { kind, amount } => update.resources.push((kind, amount)),
                Event::CommandAck { seq } => commands.push(CommandResult {
                    seq,
                    result: Ok(()),
                }),
                Event::CommandRejected { seq, error } => commands.push(CommandResult {
                    seq,
                    result: Err(error),
                }),
                Event::Combat(report) => combat.push(report),
                Event::Job(job) => jobs.push(job),
                Event::Sharing(grant) => sharing.push(grant),
                Event::LastSeen(seen) => memory.push(Memory::LastSeen(seen)),
                Event::Forget { id } => memory.push(Memory::Forget(id)),
            }
        }
        // `WorldView::apply` applies appeared, then changed, then disappeared: an id removed
        // and set again by the same packet is only reported as appeared.
        update.disappeared = applied
            .removed
            .iter()
            .copied()
            .filter(|id| !applied.appeared.contains(id))
            .collect();
        for &id in &applied.appeared {
            if let Some(s) = self.receiver.entity(id) {
                update.appeared.push(s.clone());
            }
        }
        for (id, before) in &applied.changed {
            self.push_change(*id, before, &mut update);
        }
        let ack = self.receiver.ack().unwrap_or((p.seq, 0));
        Some(Assembled {
            kind: applied.kind,
            update,
            commands,
            combat,
            jobs,
            sharing,
            memory,
            ack,
        })
    }

    /// Report entity `id`, whose state was `before`, as a field change, or as appeared when
    /// its kind or owner changed (an [`EntityChange`] cannot carry those).
    fn push_change(&self, id: EntityId, before: &EntityState, update: &mut Update) {
        let Some(now) = self.receiver.entity(id) else {
            return;
        };
        if before.kind != now.kind || before.owner != now.owner {
            update.appeared.push(now.clone());
            return;
        }
        let change = EntityChange {
            id,
            pos: (before.pos != now.pos).then_some(now.pos),
            health: (before.health != now.health).then_some(now.health),
        };
        if change.pos.is_some() || change.health.is_some() {
            update.changed.push(change);
        }
    }
}
