//! Per session: which entity ids entered and left its empire's view since it was last told,
//! and which hexes changed visibility. Ids only; the states travel in the link's
//! [`starlane_protocol::link::EntityFrame`].
//!
//! A session told everything up to the previous tick gets the empire's changes of this tick
//! (what entered and left its sight, the cells that changed); a new session, or one skipped
//! for congestion, gets the difference between what it was told and the empire's whole view.

use crate::world::resources::WorldMap;
use crate::world::sessions::SessionState;
use crate::world::vision::{EmpireVision, Vision};
use starlane_protocol::link::ViewChange;
use starlane_protocol::{EntityId, Visibility, VisionChange};

/// Fill `view` with what changed in the view of `session`'s empire since the session was
/// last told, and remember the new state in `session`. `exists` says whether an entity has a
/// state (an id without one is neither entered nor held, as in the link's frame). `scratch`
/// is reused across calls.
pub fn diff_view(
    vision: &Vision,
    map: &WorldMap,
    session: &mut SessionState,
    exists: impl Fn(EntityId) -> bool,
    view: &mut ViewChange,
    scratch: &mut Vec<EntityId>,
) {
    let seen = vision.empire(session.empire);
    if session.vision_synced {
        if let Some(seen) = seen {
            step_entities(seen, session, exists, view);
        }
    } else {
        vision.entities(session.empire, scratch);
        diff_entities(scratch, session, exists, view);
    }
    diff_vision(seen, map, session, view);
}

/// Whether `view` carries anything.
pub fn is_empty(view: &ViewChange) -> bool {
    view.entered.is_empty() && view.left.is_empty() && view.vision.is_empty()
}

/// The empire's changes of this tick, for a session told everything up to the previous one:
/// the set of told ids is updated in place, so the cost is the tick's changes, not the view.
fn step_entities(
    seen: &EmpireVision,
    session: &mut SessionState,
    exists: impl Fn(EntityId) -> bool,
    view: &mut ViewChange,
) {
    // `left` and `entered` are the net change of each entity over the tick: disjoint.
    for id in &seen.left {
        if session.sent.remove(id) {
            view.left.push(*id);
        }
    }
    for id in &seen.entered {
        if exists(*id) && session.sent.insert(*id) {
            view.entered.push(*id);
        }
    }
}

/// Compare the empire's whole sorted view `now` with the session's told ids: new ones
/// entered (in `now`'s order), vanished ones left (sorted).
fn diff_entities(
    now: &[EntityId],
    session: &mut SessionState,
    exists: impl Fn(EntityId) -> bool,
    view: &mut ViewChange,
) {
    let start = view.left.len();
    session.sent.retain(|id| {
        let kept = now.binary_search(id).is_ok();
        if !kept {
            view.left.push(*id);
        }
        kept
    });
    view.left[start..].sort_unstable();
    for id in now {
        if exists(*id) && session.sent.insert(*id) {
            view.entered.push(*id);
        }
    }
}

/// Vision changes since the session was last told: every cell the first time (or after a
/// skipped tick), then only the cells the empire's vision changed this tick.
fn diff_vision(
    seen: Option<&EmpireVision>,
    map: &WorldMap,
    session: &mut SessionState,
    view: &mut ViewChange,
) {
    let cells = map.map.cells();
    let mut check = |i: usize, sent: &mut Vec<Visibility>| {
        let now = seen
            .and_then(|s| s.cells.get(i))
            .copied()
            .unwrap_or(Visibility::Shroud);
        if let (Some(last), Some(hex)) = (sent.get_mut(i), cells.get(i))
            && now != *last
        {
            view.vision.push(VisionChange {
                hex: *hex,
                state: now,
            });
            *last = now;
        }
    };
    if session.vision_synced {
        for i in seen.map(|s| s.changed.as_slice()).unwrap_or_default() {
            check(*i as usize, &mut session.sent_vision);
        }
    } else {
        for i in 0..session.sent_vision.len() {
            check(i, &mut session.sent_vision);
        }
        session.vision_synced = true;
    }
}
