//! The scene the region benches measure: S sessions on one link, each its own empire with
//! its starting units, and N NPCs on the default map moving by a pattern, combat on (no
//! stations or resource fields, so no production), stepped through a warm-up so the views
//! are synced and the NPCs spread.

use starlane_game::map::GameMap;
use starlane_game::records::EmpireRecord;
use starlane_game::world::{LinkId, RegionSim, TickInput};
use starlane_game::{EconomyConfig, LoadConfig, NpcPattern, RegionConfig};
use starlane_protocol::link::PlayerIdentity;

/// Ticks stepped before measuring.
const WARMUP_TICKS: u32 = 40;

const LINK: LinkId = 1;

/// A region with `sessions` sessions and `npcs` NPCs moving by `pattern`, warmed up, its
/// tick spread over `tick_threads` threads.
pub fn scene(sessions: u32, npcs: u32, pattern: NpcPattern, tick_threads: u32) -> RegionSim {
    let config = RegionConfig {
        tick_threads,
        pirates: 0,
        economy: EconomyConfig {
            start_station: false,
            fields_per_chunk: 0,
            ..EconomyConfig::default()
        },
        ..RegionConfig::default()
    };
    // `REGION_RINGS`: the map's rings of chunks (1, the shipped pocket, by default).
    let rings = std::env::var("REGION_RINGS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1);
    let map = GameMap::generate_rings(
        config.chunk_radius,
        rings,
        config.map_seed,
        config.asteroid_percent,
    );
    let spawns = u32::try_from(map.spawns().len()).unwrap_or(1).max(1);
    let mut sim = RegionSim::new(config, map);
    sim.load_units(&[]);
    let load = LoadConfig {
        npc_count: npcs,
        pattern,
        npc_seed: 7,
    };
    sim.spawn_load(&load);
    sim.push(TickInput::LinkOpened { link: LINK });
    for i in 0..sessions {
        let empire = 1_000 + i;
        sim.push(TickInput::Join {
            link: LINK,
            session: u64::from(i) + 1,
            player: PlayerIdentity {
                user_id: i64::from(empire),
                username: format!("u{empire}"),
                command_stream: 0,
            },
            empire: Ok(EmpireRecord {
                empire,
                spawn_index: i % spawns,
            }),
        });
    }
    for _ in 0..WARMUP_TICKS {
        sim.step();
    }
    sim
}
