//! Per session: which entity ids entered and left its empire's view since it was last told,
//! and which hexes changed visibility. Ids only; the states travel in the link's
//! [`starlane_protocol::link::EntityFrame`].

use super::mirror::{Step, merge};
use crate::world::resources::WorldMap;
use crate::world::sessions::SessionState;
use crate::world::vision::EmpireVision;
use starlane_protocol::link::ViewChange;
use starlane_protocol::{EntityId, Visibility, VisionChange};

/// Fill `view` with the difference between what `seen` holds now and what `session` was last
/// told, and remember the new state in `session`. `exists` says whether an entity has a
/// state (an id without one is neither entered nor held, as in the link's frame).
pub fn diff_view(
    seen: &EmpireVision,
    map: &WorldMap,
    session: &mut SessionState,
    exists: impl Fn(EntityId) -> bool,
    view: &mut ViewChange,
) {
    diff_entities(seen, session, exists, view);
    diff_vision(seen, map, session, view);
}

/// Whether `view` carries anything.
pub fn is_empty(view: &ViewChange) -> bool {
    view.entered.is_empty() && view.left.is_empty() && view.vision.is_empty()
}

/// Merge the empire's sorted visible ids with the session's sorted told ids: new ones
/// entered, vanished ones left.
fn diff_entities(
    seen: &EmpireVision,
    session: &mut SessionState,
    exists: impl Fn(EntityId) -> bool,
    view: &mut ViewChange,
) {
    let mut kept = Vec::with_capacity(seen.entities.len());
    merge(&session.sent, &seen.entities, |step| match step {
        Step::Left(id) => view.left.push(id),
        Step::Entered(id) => {
            if exists(id) {
                view.entered.push(id);
                kept.push(id);
            }
        }
        Step::Kept(id) => kept.push(id),
    });
    session.sent = kept;
}

/// Vision changes since the session was last told: every cell the first time (or after a
/// skipped tick), then only the cells the empire's vision changed this tick.
fn diff_vision(
    seen: &EmpireVision,
    map: &WorldMap,
    session: &mut SessionState,
    view: &mut ViewChange,
) {
    let cells = map.map.cells();
    let mut check = |i: usize, sent: &mut Vec<Visibility>| {
        let now = seen.cells.get(i).copied().unwrap_or(Visibility::Shroud);
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
        for i in &seen.changed {
            check(*i as usize, &mut session.sent_vision);
        }
    } else {
        for i in 0..session.sent_vision.len() {
            check(i, &mut session.sent_vision);
        }
        session.vision_synced = true;
    }
}
