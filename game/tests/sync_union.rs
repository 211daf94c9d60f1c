//! Two sessions of different empires on one edge link, far apart: the link gets one entity
//! frame holding the union of what they see (an entity seen by both once), and each session's
//! view names only what its own empire sees (anti-ESP).

use crate::common;

use common::{LINK, entity_frames, join_on, quiet_sim, scout_at, seen_by, views};
use starlane_game::world::NEUTRAL_EMPIRE;
use starlane_protocol::Hex;
use std::collections::BTreeSet;

#[test]
fn one_frame_holds_the_union_and_each_view_only_its_own_empire() {
    let mut sim = quiet_sim();
    sim.push(join_on(LINK, 1, 7, 0));
    sim.push(join_on(LINK, 2, 8, 3));
    let frames = sim.step();
    let (home_a, home_b) = (seen_by(&mut sim, 7), seen_by(&mut sim, 8));
    assert!(!home_a.is_empty() && !home_b.is_empty());
    assert!(
        home_a.iter().all(|id| !home_b.contains(id)),
        "the spawns are far apart"
    );
    let ef = entity_frames(&frames, LINK);
    assert_eq!(ef.len(), 1, "one frame for the link, not one per session");
    let appeared: Vec<_> = ef[0].appeared.iter().map(|e| e.id).collect();
    let union: BTreeSet<_> = home_a.iter().chain(&home_b).copied().collect();
    assert_eq!(appeared, union.iter().copied().collect::<Vec<_>>());
    assert_eq!(views(&frames, 1)[0].entered, home_a);
    assert_eq!(views(&frames, 2)[0].entered, home_b);

    // A neutral unit at the den, seen by a scout of each empire (the scouts out of each
    // other's range): it reaches the edge once and is named in both views.
    let den = sim.map().pirate_den();
    let pirate = scout_at(&mut sim, NEUTRAL_EMPIRE, den);
    let scout_a = scout_at(&mut sim, 7, den.plus(Hex::new(-5, 0)));
    let scout_b = scout_at(&mut sim, 8, den.plus(Hex::new(5, 0)));
    let frames = sim.step();
    assert!(seen_by(&mut sim, 7).contains(&pirate) && seen_by(&mut sim, 8).contains(&pirate));
    assert!(!seen_by(&mut sim, 7).contains(&scout_b));
    let ef = entity_frames(&frames, LINK);
    assert_eq!(ef.len(), 1);
    assert!(!ef[0].reset);
    let mut appeared: Vec<_> = ef[0].appeared.iter().map(|e| e.id).collect();
    appeared.sort_unstable();
    assert_eq!(
        appeared,
        [pirate, scout_a, scout_b],
        "the pirate appears once"
    );
    assert!(ef[0].changed.is_empty() && ef[0].removed.is_empty());
    let (va, vb) = (&views(&frames, 1)[0], &views(&frames, 2)[0]);
    assert_eq!(va.entered, [pirate, scout_a]);
    assert_eq!(vb.entered, [pirate, scout_b]);
    assert!(va.left.is_empty() && vb.left.is_empty());
}
