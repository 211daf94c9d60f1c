//! An entity leaving a session's vision is reported in that session's `left`; it is removed
//! from the edge's mirror only once no session of the edge sees it.

use crate::common;

use common::{LINK, entity_frames, join_on, quiet_sim, scout_at, seen_by, teleport, views};
use starlane_game::world::NEUTRAL_EMPIRE;
use starlane_protocol::Hex;

#[test]
fn leaving_every_view_removes_from_the_mirror() {
    let mut sim = quiet_sim();
    sim.push(join_on(LINK, 1, 7, 0));
    sim.push(join_on(LINK, 2, 8, 3));
    sim.step();
    let den = sim.map().pirate_den();
    let pirate = scout_at(&mut sim, NEUTRAL_EMPIRE, den);
    scout_at(&mut sim, 7, den.plus(Hex::new(-5, 0)));
    scout_at(&mut sim, 8, den.plus(Hex::new(5, 0)));
    let frames = sim.step();
    assert_eq!(entity_frames(&frames, LINK)[0].appeared.len(), 3);

    // Out of empire 7's sight, still in empire 8's: session 1 is told it left, the edge
    // keeps it (session 2 still sees it), and its move is a change.
    let east = den.plus(Hex::new(8, 0));
    teleport(&mut sim, pirate, east);
    let frames = sim.step();
    assert!(!seen_by(&mut sim, 7).contains(&pirate));
    assert!(seen_by(&mut sim, 8).contains(&pirate));
    assert_eq!(views(&frames, 1)[0].left, [pirate]);
    assert!(views(&frames, 2).is_empty());
    let ef = entity_frames(&frames, LINK);
    assert!(ef[0].removed.is_empty());
    assert_eq!(ef[0].changed.len(), 1);
    assert_eq!(ef[0].changed[0].pos, Some(east));

    // Out of every session's sight: removed from the mirror, left session 2's view.
    let far = sim.map().spawns()[5];
    teleport(&mut sim, pirate, far);
    let frames = sim.step();
    assert!(!seen_by(&mut sim, 8).contains(&pirate));
    let ef = entity_frames(&frames, LINK);
    assert_eq!(ef[0].removed, [pirate]);
    assert!(ef[0].changed.is_empty(), "nothing about it once unseen");
    assert_eq!(views(&frames, 2)[0].left, [pirate]);
    assert!(views(&frames, 1).is_empty());
}
