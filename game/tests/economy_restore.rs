//! A region restarted from its snapshot keeps its economy: stocks, queued and running jobs
//! (a running one resumes with the ticks it had left), construction sites; and a restored
//! queue completes as if the region had never stopped.

use crate::common::combat::*;
use crate::common::economy::*;
use crate::common::{LINK, join_on};
use starlane_game::RegionConfig;
use starlane_game::map::GameMap;
use starlane_game::world::RegionSim;
use starlane_protocol::economy::JobState;
use starlane_protocol::{Command, EntityKind};

#[test]
fn stocks_queues_and_sites_survive_a_restart() {
    let mut sim = economy_arena();
    let station = *buildings(&mut sim, 7).first().expect("a station");
    let scout = recipe(&mut sim, "train_scout");
    let ticks = recipe_ticks(&mut sim, "train_scout");
    sim.push(order(
        1,
        1,
        Command::Train {
            building: station,
            recipe: scout,
            repeat: true,
        },
    ));
    sim.push(order(
        1,
        2,
        Command::Train {
            building: station,
            recipe: scout,
            repeat: false,
        },
    ));
    sim.step();
    for _ in 0..ticks / 2 {
        sim.step();
    }
    let stock_before = stock(&mut sim, 7);
    let record = sim.economy_record();
    let units = sim.persistent_units();
    assert_eq!(record.jobs.len(), 2);
    let left = record.jobs[0].remaining.expect("the first job runs");
    assert!(left > 0 && left < ticks, "{left}");

    // A new region process: the same map and config, the stored units, then the economy.
    let config = RegionConfig {
        asteroid_percent: 0,
        pirates: 0,
        ..RegionConfig::default()
    };
    let mut again = RegionSim::new(config, GameMap::generate(9, 1, 0));
    again.load_units(&units);
    assert_eq!(again.load_economy(&record), 2);
    assert_eq!(again.economy_record(), record, "stored as it was taken");
    assert_eq!(stock(&mut again, 7), stock_before);
    again.push(starlane_game::world::TickInput::LinkOpened { link: LINK });
    again.push(join_on(LINK, 1, 7, 0));
    let frames = again.step();
    let greeted: Vec<_> = jobs(&frames, 1).iter().map(|j| (j.job, j.state)).collect();
    assert_eq!(greeted, [(1, JobState::Started), (2, JobState::Queued)]);
    assert_eq!(stock_sent(&frames, 1), Some(stock_before));
    let scouts = |s: &mut RegionSim| {
        s.units_of(7)
            .iter()
            .filter(|u| u.kind == EntityKind::Scout)
            .count()
    };
    let before = scouts(&mut again);
    for _ in 0..left {
        again.step();
    }
    assert_eq!(
        scouts(&mut again),
        before + 1,
        "the running job finished on time"
    );
    // The fields were stored with the units: none are placed twice.
    let metal = fields(&mut sim, starlane_protocol::ResourceKind::Metal).len();
    assert_eq!(
        fields(&mut again, starlane_protocol::ResourceKind::Metal).len(),
        metal
    );
}
