//! Per edge link: what the edge's mirror holds, and the [`EntityFrame`] that brings it to the
//! union of what the link's sessions see now (from the tick's changes, [`build_step`], or
//! from the whole union, [`build_frame`]).

use super::delta_log::{ChangeFlags, DeltaLog, HEALTH_CHANGED, POS_CHANGED};
use super::interest::LinkInterest;
use crate::world::io::LinkId;
use bevy_ecs::prelude::*;
use starlane_protocol::link::EntityFrame;
use starlane_protocol::{EntityChange, EntityId, EntityState};
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

/// What one edge link's mirror holds, as of the last frame sent to it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkMirror {
    /// Entities the edge holds, sorted. Their state is the state as of `synced`.
    pub held: Vec<EntityId>,
    /// The tick of the last frame sent (`None` before the first: it is a reset).
    pub synced: Option<u32>,
}

/// The mirror of every open link (kept by the sync stage).
#[derive(Resource, Debug, Default)]
pub struct EdgeMirrors(pub HashMap<LinkId, LinkMirror>);

/// Links whose outgoing frame queue is congested: the sync stage builds no entity frame and
/// no views for them this tick (they catch up later). Filled before each step by the tick
/// loop (or a test) with [`crate::world::RegionSim::set_congested`].
#[derive(Resource, Debug, Default, Clone)]
pub struct LinkBackpressure(pub HashSet<LinkId>);

/// Where a frame's changed fields come from when the link is not reset.
#[derive(Debug, Clone, Copy)]
pub enum Changes<'a> {
    /// Nothing changed since the link's last frame (or it holds nothing).
    None,
    /// These flags, merged over every tick since the link's last frame.
    Flags(&'a ChangeFlags),
}

/// Whether a link synced at `mirror.synced` and holding `mirror.held` needs a full resync,
/// and otherwise how many logged ticks it must catch up with.
pub fn plan(mirror: &LinkMirror, log: &DeltaLog) -> Option<usize> {
    let synced = mirror.synced?;
    if mirror.held.is_empty() {
        // Nothing held: no changes needed, whatever the log holds.
        return Some(0);
    }
    log.behind(synced)
}

/// Build the frame bringing `mirror` to `union` at `tick` and update `mirror`. `reset` sends
/// the whole union; otherwise the frame carries the union's new ids in full, the kept ids'
/// `changes` (only the changed fields) and the ids that left. `state` gives an entity's
/// current state (ids without one are skipped). Returns `None` when there is nothing to send
/// (never for a reset).
pub fn build_frame(
    mirror: &mut LinkMirror,
    union: &[EntityId],
    tick: u32,
    reset: bool,
    changes: Changes,
    state: impl Fn(EntityId) -> Option<EntityState>,
) -> Option<EntityFrame> {
    let mut frame = EntityFrame {
        tick,
        reset,
        ..EntityFrame::default()
    };
    let mut kept = Vec::with_capacity(union.len());
    if reset {
        for id in union {
            if let Some(s) = state(*id) {
                frame.appeared.push(s);
                kept.push(*id);
            }
        }
    } else {
        merge(&mirror.held, union, |step| match step {
            Step::Left(id) => frame.removed.push(id),
            Step::Entered(id) => {
                if let Some(s) = state(id) {
                    frame.appeared.push(s);
                    kept.push(id);
                }
            }
            Step::Kept(id) => {
                kept.push(id);
                let f = match changes {
                    Changes::None => 0,
                    Changes::Flags(flags) => flags.get(id),
                };
                if f != 0
                    && let Some(s) = state(id)
                {
                    frame.changed.push(EntityChange {
                        id,
                        pos: (f & POS_CHANGED != 0).then_some(s.pos),
                        health: (f & HEALTH_CHANGED != 0).then_some(s.health),
                    });
                }
            }
        });
    }
    mirror.held = kept;
    mirror.synced = Some(tick);
    let empty = frame.appeared.is_empty() && frame.changed.is_empty() && frame.removed.is_empty();
    (reset || !empty).then_some(frame)
}

/// Build the frame that brings `mirror`, synced at the previous tick, to `interest` at
/// `tick`, from what changed in between: the ids that joined or left the union, and
/// `changes` (the tick's changed fields) for ids held before and after. `state` gives an
/// entity's current state (ids without one are skipped). Returns `None` when there is
/// nothing to send.
pub fn build_step(
    mirror: &mut LinkMirror,
    interest: &LinkInterest,
    tick: u32,
    changes: &[(EntityId, u8)],
    scratch: &mut Vec<EntityId>,
    state: impl Fn(EntityId) -> Option<EntityState>,
) -> Option<EntityFrame> {
    let mut frame = EntityFrame {
        tick,
        ..EntityFrame::default()
    };
    let held = |id: &EntityId| mirror.held.binary_search(id).is_ok();
    for (id, f) in changes {
        if *f != 0
            && interest.contains(*id)
            && held(id)
            && let Some(s) = state(*id)
        {
            frame.changed.push(EntityChange {
                id: *id,
                pos: (f & POS_CHANGED != 0).then_some(s.pos),
                health: (f & HEALTH_CHANGED != 0).then_some(s.health),
            });
        }
    }
    frame.changed.sort_unstable_by_key(|c| c.id);
    scratch.clear();
    scratch.extend_from_slice(interest.flipped());
    scratch.sort_unstable();
    scratch.dedup();
    for id in scratch.iter() {
        match (interest.contains(*id), held(id)) {
            (true, false) => frame.appeared.extend(state(*id)),
            (false, true) => frame.removed.push(*id),
            _ => {}
        }
    }
    mirror.synced = Some(tick);
    if frame.appeared.is_empty() && frame.removed.is_empty() {
        return (!frame.changed.is_empty()).then_some(frame);
    }
    let appeared: Vec<EntityId> = frame.appeared.iter().map(|s| s.id).collect();
    let mut next = Vec::with_capacity(mirror.held.len() + appeared.len());
    merge(&mirror.held, &appeared, |step| match step {
        Step::Left(id) | Step::Kept(id) if frame.removed.binary_search(&id).is_err() => {
            next.push(id)
        }
        Step::Entered(id) => next.push(id),
        _ => {}
    });
    mirror.held = next;
    Some(frame)
}

/// One step of [`merge`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// In the old list only.
    Left(EntityId),
    /// In the new list only.
    Entered(EntityId),
    /// In both.
    Kept(EntityId),
}

/// Walk two sorted, duplicate-free lists together, in id order.
pub fn merge(old: &[EntityId], new: &[EntityId], mut f: impl FnMut(Step)) {
    let (mut a, mut b) = (old.iter().peekable(), new.iter().peekable());
    loop {
        let order = match (a.peek(), b.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(x), Some(y)) => x.cmp(y),
        };
        match order {
            Ordering::Less => a.next().copied().map(Step::Left),
            Ordering::Greater => b.next().copied().map(Step::Entered),
            Ordering::Equal => {
                a.next();
                b.next().copied().map(Step::Kept)
            }
        }
        .map(&mut f);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use starlane_protocol::{EntityKind, Hex};

    fn state(id: EntityId) -> Option<EntityState> {
        (id != 99).then(|| EntityState {
            id,
            kind: EntityKind::Scout,
            owner: 1,
            pos: Hex::new(id as i32, 0),
            health: 10,
        })
    }

    #[test]
    fn frames_appear_change_and_remove() {
        let mut m = LinkMirror::default();
        let f = build_frame(&mut m, &[1, 2, 99], 1, true, Changes::None, state).unwrap();
        assert!(f.reset);
        assert_eq!(f.appeared.iter().map(|e| e.id).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(m.held, [1, 2], "an id without state is not held");
        let mut flags = ChangeFlags::default();
        flags.clear(10);
        flags.add(2, POS_CHANGED);
        flags.add(3, HEALTH_CHANGED);
        let f = build_frame(&mut m, &[2, 3], 2, false, Changes::Flags(&flags), state).unwrap();
        assert!(!f.reset);
        assert_eq!(f.appeared.iter().map(|e| e.id).collect::<Vec<_>>(), [3]);
        assert_eq!(
            f.changed,
            [EntityChange {
                id: 2,
                pos: Some(Hex::new(2, 0)),
                health: None
            }]
        );
        assert_eq!(f.removed, [1]);
        assert_eq!((m.held.as_slice(), m.synced), (&[2, 3][..], Some(2)));
        assert!(build_frame(&mut m, &[2, 3], 3, false, Changes::None, state).is_none());
        let f = build_frame(&mut m, &[], 4, true, Changes::None, state).unwrap();
        assert!(
            f.reset && f.appeared.is_empty(),
            "a reset is sent even if empty"
        );
    }
}
