//! Scenario, headless: a region restored from a snapshot (`RegionSim::announce_restore`) sends
//! a `WorldRestored` notice right after the `Joined` of each session opened within its window,
//! once per session when the client has no command stream (a second join of the same session
//! on the link is refused, and tells nothing); after the window nobody is told and the region
//! forgets whom it told.

use crate::common::{LINK, join_on, quiet_sim};
use starlane_game::world::TickInput;
use starlane_protocol::NoticeKind;
use starlane_protocol::link::RegionToEdge;

/// The frame kinds `frames` holds for `session`, in order (`joined`, `notice`, `refused`).
fn control(frames: &[(u64, RegionToEdge)], session: u64) -> Vec<&'static str> {
    frames
        .iter()
        .filter_map(|(_, f)| match f {
            RegionToEdge::Joined(j) if j.session == session => Some("joined"),
            RegionToEdge::JoinRefused(r) if r.session == session => Some("refused"),
            RegionToEdge::Notice(n) if n.session == session => {
                assert_eq!(n.notice_kind(), Some(NoticeKind::WorldRestored));
                assert_eq!(n.text, "restored");
                Some("notice")
            }
            _ => None,
        })
        .collect()
}

#[test]
fn sessions_opened_in_the_window_are_told_once_and_later_ones_not() {
    let mut sim = quiet_sim();
    sim.announce_restore("restored".into(), 10);
    assert!(sim.restore_notice_pending());
    sim.push(join_on(LINK, 1, 1, 0));
    let first = sim.step();
    assert_eq!(control(&first, 1), ["joined", "notice"]);
    // The same session again is refused and not told again.
    sim.push(join_on(LINK, 1, 1, 0));
    assert_eq!(control(&sim.step(), 1), ["refused"]);
    // Another session within the window is told.
    sim.push(join_on(LINK, 2, 2, 1));
    assert_eq!(control(&sim.step(), 2), ["joined", "notice"]);
    for _ in 0..10 {
        sim.step();
    }
    // Past the window: joined, not told; the notice is gone.
    sim.push(TickInput::Leave {
        link: LINK,
        session: 2,
    });
    sim.push(join_on(LINK, 3, 3, 2));
    assert_eq!(control(&sim.step(), 3), ["joined"]);
    assert!(!sim.restore_notice_pending());
}

#[test]
fn a_region_that_started_fresh_tells_no_one() {
    let mut sim = quiet_sim();
    assert!(!sim.restore_notice_pending());
    sim.push(join_on(LINK, 1, 1, 0));
    assert_eq!(control(&sim.step(), 1), ["joined"]);
}
