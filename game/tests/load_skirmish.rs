//! The skirmish load (`[load] pattern = "skirmish"`): two sides fight for real around the
//! first spawn point. Shots hit and units die by the combat rules, each side is brought back
//! to its strength every second so the fight goes on, the sides never fire at a player who
//! leaves them alone, and a player starting there sees the battle.

use crate::common::combat::order;
use crate::common::{LINK, join_on, session_msgs};
use starlane_game::NpcPattern;
use starlane_game::world::RegionSim;
use starlane_game::world::skirmish::SIDES;
use starlane_protocol::link::LinkServerMsg;
use starlane_protocol::{Command, CommandError};

fn skirmish(npcs: u32) -> RegionSim {
    crate::common::load_sim(npcs, NpcPattern::Skirmish, 3)
}

#[test]
fn the_sides_fight_for_real_and_are_reinforced() {
    let mut sim = skirmish(200);
    // A player at the first spawn point: the battle is in its view.
    sim.push(join_on(LINK, 1, 7, 0));
    let mut in_view = 0;
    let mut own_losses = 0;
    for tick in 0..600 {
        let frames = sim.step();
        for m in session_msgs(&frames, 1) {
            match m {
                LinkServerMsg::View(v) => {
                    in_view += v.entered.len() as i64 - v.left.len() as i64;
                }
                LinkServerMsg::Combat(r) => own_losses += r.losses,
                _ => {}
            }
        }
        if tick % 100 == 99 {
            let per_side: Vec<usize> = SIDES.iter().map(|s| sim.units_of(*s).len()).collect();
            // Reinforced each second: never far below strength.
            assert!(
                per_side.iter().all(|n| *n >= 60),
                "tick {tick}: {per_side:?}"
            );
        }
    }
    let (shots, destroyed) = sim.combat_totals();
    println!("shots {shots}, destroyed {destroyed}, in view {in_view}");
    assert!(shots >= 1000, "shots {shots}");
    assert!(destroyed >= 50, "destroyed {destroyed}");
    assert!(in_view >= 150, "units in the player's view: {in_view}");
    assert_eq!(own_losses, 0, "the sides leave a peaceful player alone");
}

#[test]
fn players_cannot_order_skirmishers() {
    let mut sim = skirmish(20);
    sim.push(join_on(LINK, 1, 7, 0));
    sim.step();
    let theirs = sim.units_of(SIDES[0])[0].id;
    sim.push(order(1, 1, Command::Stop { unit: theirs }));
    let answers = crate::common::combat::answers(&sim.step(), 1);
    assert_eq!(answers, vec![(1, Err(CommandError::NotYourUnit))]);
}
