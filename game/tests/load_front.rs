//! The front load (`[load] pattern = "front"`): every fourth NPC fights, in fights of 100
//! spread over the map, and the rest wander. Each fight has both sides, shots land and units
//! die, and each fight's sides are brought back to strength every second, so at least a
//! fifth of the units stay in combat for the whole run (issue 14's ladder).

use starlane_game::NpcPattern;
use starlane_game::world::skirmish::{FRONT_SHARE, FRONT_SIZE, SIDES, fights};
use starlane_game::{LoadConfig, world::RegionSim};
use starlane_protocol::Hex;

const NPCS: u32 = 2_000;

fn spots(sim: &RegionSim) -> Vec<Hex> {
    let map = sim.map();
    let passable = map.passable_cells();
    let load = LoadConfig {
        npc_count: NPCS,
        pattern: NpcPattern::Front,
        npc_seed: 3,
    };
    fights(map, &load, &passable).0
}

#[test]
fn a_fifth_fight_in_fights_spread_over_the_map_and_stay_at_strength() {
    let mut sim = crate::common::load_sim(NPCS, NpcPattern::Front, 3);
    let spots = spots(&sim);
    // 500 fighters in fights of 100.
    assert_eq!(spots.len(), (NPCS / FRONT_SHARE / FRONT_SIZE) as usize);
    let spread = spots
        .iter()
        .enumerate()
        .flat_map(|(i, a)| spots.iter().skip(i + 1).map(move |b| a.distance(*b)))
        .min();
    assert!(spread.is_some_and(|d| d >= 10), "fights apart: {spread:?}");
    for tick in 0..400 {
        sim.step();
        if tick % 100 != 99 {
            continue;
        }
        for spot in &spots {
            for side in SIDES {
                let here = sim
                    .units_of(side)
                    .iter()
                    .filter(|u| u.pos.distance(*spot) <= 6)
                    .count();
                // Reinforced each second: never far below the 50 a side.
                assert!(here >= 30, "tick {tick}: {here} of side {side} at {spot:?}");
            }
        }
        let fighting: usize = SIDES.iter().map(|s| sim.units_of(*s).len()).sum();
        assert!(
            fighting * 5 >= NPCS as usize,
            "tick {tick}: {fighting} of {NPCS} fight"
        );
    }
    let (shots, destroyed) = sim.combat_totals();
    assert!(shots >= 2_000, "shots {shots}");
    assert!(destroyed >= 100, "destroyed {destroyed}");
    // The rest wander: neutral NPCs all over the map.
    let neutral = sim.units_of(0);
    assert_eq!(neutral.len(), (NPCS - NPCS / FRONT_SHARE) as usize);
}
