//! A production run at a starting station: a queued job is paid at once, started, completed
//! after its recipe's ticks with a new unit on the station's hex; a cancelled job is refunded;
//! only the owner hears of its jobs and stock.

use crate::common::combat::*;
use crate::common::economy::*;
use starlane_game::world::economy::Stock;
use starlane_protocol::economy::JobState;
use starlane_protocol::{Command, CommandError, EntityKind};

#[test]
fn a_station_trains_a_scout_and_refunds_a_cancelled_one() {
    let mut sim = economy_arena();
    let start: Stock = [1000, 500, 100];
    assert_eq!(stock(&mut sim, 7), start);
    let station = *buildings(&mut sim, 7).first().expect("a starting station");
    let scout = recipe(&mut sim, "train_scout");
    let ticks = recipe_ticks(&mut sim, "train_scout");
    let units_before = sim.units_of(7).len();

    sim.push(order(
        1,
        1,
        Command::Train {
            building: station,
            recipe: scout,
            repeat: false,
        },
    ));
    let frames = sim.step();
    assert_eq!(answers(&frames, 1), [(1, Ok(()))]);
    assert_eq!(stock(&mut sim, 7), [940, 500, 100], "paid when queued");
    assert_eq!(stock_sent(&frames, 1), Some([940, 500, 100]));
    let events: Vec<_> = jobs(&frames, 1).iter().map(|j| (j.job, j.state)).collect();
    assert_eq!(events, [(1, JobState::Queued), (1, JobState::Started)]);
    assert!(jobs(&frames, 2).is_empty(), "another empire hears nothing");
    assert_eq!(stock_sent(&frames, 2), None);

    let mut completed = None;
    for t in 1..=ticks {
        let frames = sim.step();
        if jobs(&frames, 1)
            .iter()
            .any(|j| j.state == JobState::Completed)
        {
            completed = Some(t);
            break;
        }
    }
    assert_eq!(completed, Some(ticks), "completes after the recipe's ticks");
    let units = sim.units_of(7);
    assert_eq!(units.len(), units_before + 1);
    let new = units.iter().max_by_key(|u| u.id).expect("a unit");
    assert_eq!(new.kind, EntityKind::Scout);
    assert_eq!(
        Some(new.pos),
        sim.position_of(station),
        "on the station's hex"
    );

    // Two more; cancel the waiting one: refunded, the running one goes on.
    sim.push(order(
        1,
        2,
        Command::Train {
            building: station,
            recipe: scout,
            repeat: false,
        },
    ));
    sim.push(order(
        1,
        3,
        Command::Train {
            building: station,
            recipe: scout,
            repeat: false,
        },
    ));
    sim.step();
    assert_eq!(stock(&mut sim, 7), [820, 500, 100]);
    sim.push(order(
        1,
        4,
        Command::Cancel {
            building: station,
            job: 3,
        },
    ));
    sim.push(order(
        1,
        5,
        Command::Cancel {
            building: station,
            job: 3,
        },
    ));
    let frames = sim.step();
    assert_eq!(
        answers(&frames, 1),
        [(4, Ok(())), (5, Err(CommandError::UnknownJob))]
    );
    assert_eq!(stock(&mut sim, 7), [880, 500, 100], "refunded");
    let cancelled: Vec<_> = jobs(&frames, 1).iter().map(|j| (j.job, j.state)).collect();
    assert_eq!(cancelled, [(3, JobState::Cancelled)]);
}

#[test]
fn a_repeating_levy_fills_the_stock_until_cancelled() {
    let mut sim = economy_arena();
    let station = *buildings(&mut sim, 7).first().expect("a starting station");
    let levy = recipe(&mut sim, "levy");
    let ticks = recipe_ticks(&mut sim, "levy");
    sim.push(order(
        1,
        1,
        Command::Train {
            building: station,
            recipe: levy,
            repeat: true,
        },
    ));
    sim.step();
    for _ in 0..3 * ticks {
        sim.step();
    }
    assert_eq!(
        stock(&mut sim, 7)[0],
        1000 + 3 * 20,
        "three levies of 20 credits"
    );
    sim.push(order(
        1,
        2,
        Command::Cancel {
            building: station,
            job: 1,
        },
    ));
    let frames = sim.step();
    assert_eq!(answers(&frames, 1), [(2, Ok(()))]);
    for _ in 0..2 * ticks {
        sim.step();
    }
    assert_eq!(stock(&mut sim, 7)[0], 1060, "no levy after the cancel");
}
