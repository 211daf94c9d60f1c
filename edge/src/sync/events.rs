//! [`EventQueue`]: a client's reliable events waiting to be acknowledged.

use starlane_protocol::delta::{Event, EventEntry, MAX_EVENTS};
use starlane_protocol::{EntityId, Hex, ResourceKind};
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

/// What a newer event of the same key supersedes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Vision(Hex),
    Resource(ResourceKind),
}

fn key_of(event: &Event) -> Option<Key> {
    match *event {
        Event::Vision { hex, .. } => Some(Key::Vision(hex)),
        Event::Resource { kind, .. } => Some(Key::Resource(kind)),
        _ => None,
    }
}

/// One event waiting for acknowledgement.
#[derive(Debug, Clone)]
struct Pending {
    event: Event,
    /// When it was last put in a packet.
    sent_at: Option<Instant>,
    /// An earlier event of the same key, sent and not yet acknowledged: this one waits for it,
    /// so a late copy of the older one can never be applied after this one.
    after: Option<u32>,
}

/// A due event handed to the packer.
#[derive(Debug, Clone, Copy)]
pub(super) struct Due {
    pub(super) entry: EventEntry,
    /// Whether it was sent before.
    pub(super) resend: bool,
}

/// Reliable events of one client, oldest first, resent until acknowledged.
///
/// A newer `Vision` event for the same hex (or `Resource` of the same kind) replaces a pending
/// one that was never sent. If the older one was already sent, the newer one is held until the
/// older one is acknowledged: the client applies a late packet's events, so sending both at
/// once could leave it with the older value.
///
/// At most `capacity` events wait (the profile's `max_pending_events`): an event past it is
/// dropped and the queue marked [`EventQueue::overflowed`], and the session is then shed, so
/// a client that stops acknowledging holds a bounded amount of the edge's memory.
#[derive(Debug)]
pub(super) struct EventQueue {
    capacity: usize,
    overflowed: bool,
    next_id: u32,
    pending: BTreeMap<u32, Pending>,
    /// The newest pending event of each key.
    latest: HashMap<Key, u32>,
    /// Pending `Disappeared` events by entity.
    disappeared: HashMap<EntityId, u32>,
    /// Events replaced or withdrawn before being acknowledged.
    pub(super) superseded: u64,
}

impl EventQueue {
    /// An empty queue holding at most `capacity` events.
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            overflowed: false,
            next_id: 0,
            pending: BTreeMap::new(),
            latest: HashMap::new(),
            disappeared: HashMap::new(),
            superseded: 0,
        }
    }

    /// Whether an event was dropped because the queue was full.
    pub(super) fn overflowed(&self) -> bool {
        self.overflowed
    }

    /// Queues `event` (see the type docs for superseding and the bound).
    pub(super) fn push(&mut self, event: Event) {
        let key = key_of(&event);
        if let Some(id) = key.and_then(|k| self.latest.get(&k).copied())
            && let Some(p) = self.pending.get_mut(&id)
            && p.sent_at.is_none()
        {
            p.event = event;
            self.superseded += 1;
            return;
        }
        if self.pending.len() >= self.capacity {
            self.overflowed = true;
            return;
        }
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        let after = key.and_then(|k| self.latest.insert(k, id));
        if let Event::Disappeared { id: entity } = event {
            self.disappeared.insert(entity, id);
        }
        self.pending.insert(
            id,
            Pending {
                event,
                sent_at: None,
                after,
            },
        );
    }

    /// Withdraws the pending `Disappeared` event of `entity` (it came back into view before
    /// the client acknowledged it left); a copy already in flight is harmless because the
    /// client never removes an entity that a newer packet set.
    pub(super) fn withdraw_disappeared(&mut self, entity: EntityId) {
        if let Some(id) = self.disappeared.remove(&entity)
            && self.pending.remove(&id).is_some()
        {
            self.superseded += 1;
        }
    }

    /// Drops acknowledged events for good.
    pub(super) fn acknowledge(&mut self, ids: &[u32]) {
        for id in ids {
            let Some(p) = self.pending.remove(id) else {
                continue;
            };
            if let Some(key) = key_of(&p.event)
                && self.latest.get(&key) == Some(id)
            {
                self.latest.remove(&key);
            }
            if let Event::Disappeared { id: entity } = p.event
                && self.disappeared.get(&entity) == Some(id)
            {
                self.disappeared.remove(&entity);
            }
        }
    }

    /// The events to send at `now`, oldest first, at most [`MAX_EVENTS`]: never sent, or last
    /// sent more than `rto` ago, and not waiting for an older event of their key.
    pub(super) fn due(&self, now: Instant, rto: Duration) -> Vec<Due> {
        self.pending
            .iter()
            .filter(|(_, p)| p.after.is_none_or(|a| !self.pending.contains_key(&a)))
            .filter(|(_, p)| p.sent_at.is_none_or(|t| now >= t + rto))
            .take(MAX_EVENTS)
            .map(|(&event_id, p)| Due {
                entry: EventEntry {
                    event_id,
                    event: p.event,
                },
                resend: p.sent_at.is_some(),
            })
            .collect()
    }

    /// When the next event falls due, given `rto`: `floor` when one was never sent, else the
    /// earliest resend; `None` when none waits or every one waits for an older one of its key
    /// (an acknowledgement frees it).
    pub(super) fn next_due(&self, rto: Duration, floor: Instant) -> Option<Instant> {
        self.pending
            .values()
            .filter(|p| p.after.is_none_or(|a| !self.pending.contains_key(&a)))
            .map(|p| p.sent_at.map_or(floor, |t| t + rto))
            .min()
    }

    /// Records that event `id` was put in a packet at `now`.
    pub(super) fn mark_sent(&mut self, id: u32, now: Instant) {
        if let Some(p) = self.pending.get_mut(&id) {
            p.sent_at = Some(now);
        }
    }

    /// Number of events waiting for acknowledgement.
    pub(super) fn len(&self) -> usize {
        self.pending.len()
    }
}
