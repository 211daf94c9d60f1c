//! The tick's data-parallel loops (target choice, session views; `tick_threads`) change
//! nothing a client sees: a fighting region with many sessions sends byte-identical frames,
//! fires the same shots and loses the same units on one thread and on four.

use crate::common::{LINK, join_on, load_sim_with};
use starlane_game::world::RegionSim;
use starlane_game::{NpcPattern, RegionConfig};

const SESSIONS: u32 = 200;
const NPCS: u32 = 8_000;
const TICKS: u32 = 60;

/// Every frame the region sent over `TICKS` ticks, encoded, and its shots and losses.
fn run(tick_threads: u32) -> (Vec<Vec<u8>>, (u64, u64)) {
    let config = RegionConfig {
        tick_threads,
        ..RegionConfig::default()
    };
    let mut sim: RegionSim = load_sim_with(config, NPCS, NpcPattern::Front, 5);
    let spawns = u32::try_from(sim.map().spawns().len()).unwrap_or(1);
    for i in 0..SESSIONS {
        sim.push(join_on(LINK, u64::from(i) + 1, 1_000 + i, i % spawns));
    }
    let mut sent = Vec::new();
    for _ in 0..TICKS {
        for (_, frame) in sim.step() {
            let mut bytes = Vec::new();
            frame.encode_into(&mut bytes);
            sent.push(bytes);
        }
    }
    (sent, sim.combat_totals())
}

#[test]
fn four_threads_send_what_one_sends() {
    let (one, fights_one) = run(1);
    let (four, fights_four) = run(4);
    // Enough happened for the loops to be cut in pieces: hundreds of shooters and sessions,
    // shots fired, views and frames every tick.
    assert!(fights_one.0 >= 1_000, "shots {:?}", fights_one);
    assert!(
        one.len() >= (SESSIONS * TICKS / 2) as usize,
        "{} frames",
        one.len()
    );
    assert_eq!(fights_one, fights_four);
    assert_eq!(one.len(), four.len());
    for (i, (a, b)) in one.iter().zip(&four).enumerate() {
        assert!(
            a == b,
            "frame {i} differs ({} and {} bytes)",
            a.len(),
            b.len()
        );
    }
}
