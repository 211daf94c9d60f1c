//! A moving unit reaches the edge as `changed` entries carrying only its position; a health
//! change carries only the health.

use crate::common;

use common::{LINK, entity_frames, join_on, set_health, sim_on, views};
use starlane_game::RegionConfig;
use starlane_game::map::GameMap;
use starlane_game::world::TickInput;
use starlane_protocol::{Command, EntityChange, EntityKind, Hex};

#[test]
fn a_moving_unit_changes_only_its_position() {
    let config = RegionConfig {
        asteroid_percent: 0,
        ..RegionConfig::default()
    };
    let mut sim = sim_on(config, GameMap::generate(9, 1, 0));
    sim.push(join_on(LINK, 1, 7, 0));
    sim.step();
    let scout = sim
        .units_of(7)
        .into_iter()
        .find(|u| u.kind == EntityKind::Scout)
        .expect("a scout");
    let to = scout.pos.plus(Hex::new(3, 0));
    sim.push(TickInput::Command {
        link: LINK,
        session: 1,
        seq: 1,
        command: Command::Move { unit: scout.id, to },
    });
    let mut changes = Vec::new();
    for _ in 0..20 {
        let frames = sim.step();
        for f in entity_frames(&frames, LINK) {
            assert!(!f.reset);
            assert!(f.appeared.iter().all(|e| e.id != scout.id));
            changes.extend(f.changed.into_iter().filter(|c| c.id == scout.id));
        }
        assert!(
            views(&frames, 1)
                .iter()
                .all(|v| !v.entered.contains(&scout.id)),
            "the scout stays in view, it is not entered again"
        );
    }
    assert_eq!(changes.len(), 3, "one change per hex entered: {changes:?}");
    assert!(
        changes
            .iter()
            .all(|c| c.pos.is_some() && c.health.is_none())
    );
    assert_eq!(changes.last().and_then(|c| c.pos), Some(to));

    set_health(&mut sim, scout.id, 7);
    let frames = sim.step();
    let ef = entity_frames(&frames, LINK);
    assert_eq!(ef.len(), 1);
    assert_eq!(
        ef[0].changed,
        [EntityChange {
            id: scout.id,
            pos: None,
            health: Some(7)
        }]
    );
    assert!(views(&frames, 1).is_empty(), "nothing entered or left");
}
