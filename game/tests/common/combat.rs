//! Helpers of the combat scenarios: an arena at the map's centre, far from every spawn point,
//! units of any kind, commands, and what the region answered.

use super::{LINK, join_on, session_msgs, sim_on};
use starlane_game::RegionConfig;
use starlane_game::map::GameMap;
use starlane_game::world::combat::CombatLedger;
use starlane_game::world::{EntityIndex, Health, LinkId, RegionSim, TickInput, UnitSpec};
use starlane_protocol::delta::CombatReport;
use starlane_protocol::link::{LinkServerMsg, RegionToEdge, SessionId};
use starlane_protocol::{Command, CommandError, EmpireId, EntityId, EntityKind, Hex};

/// A region with no asteroids and no pirates (unless `config` says otherwise), combat on
/// with `config`'s settings, and empires 7 (session 1) and 8 (session 2) joined at spawns 0
/// and 3, far from the arena.
pub fn arena_with(config: RegionConfig) -> RegionSim {
    let mut sim = sim_on(config, GameMap::generate(9, 1, 0));
    sim.push(join_on(LINK, 1, 7, 0));
    sim.push(join_on(LINK, 2, 8, 3));
    sim.step();
    sim
}

/// [`arena_with`] the default configuration, without pirates or asteroids.
pub fn arena() -> RegionSim {
    arena_with(RegionConfig {
        asteroid_percent: 0,
        pirates: 0,
        ..RegionConfig::default()
    })
}

/// The arena's centre (the central chunk's centre).
pub fn centre(sim: &RegionSim) -> Hex {
    sim.map().pirate_den()
}

/// Spawn a unit of `kind` owned by `owner` at `pos`, at full health.
pub fn unit_at(sim: &mut RegionSim, owner: EmpireId, kind: EntityKind, pos: Hex) -> EntityId {
    sim.spawn_unit(UnitSpec {
        id: None,
        owner,
        kind,
        pos,
        health: None,
    })
}

/// The input carrying `command` numbered `seq` from `session` on [`LINK`].
pub fn order(session: SessionId, seq: u32, command: Command) -> TickInput {
    TickInput::Command {
        link: LINK as LinkId,
        session,
        seq,
        command,
    }
}

/// The command answers for `session` in `frames`, in order.
pub fn answers(
    frames: &[(LinkId, RegionToEdge)],
    session: SessionId,
) -> Vec<(u32, Result<(), CommandError>)> {
    session_msgs(frames, session)
        .into_iter()
        .filter_map(|m| match m {
            LinkServerMsg::CommandAck { seq } => Some((seq, Ok(()))),
            LinkServerMsg::CommandRejected { seq, error } => Some((seq, Err(error))),
            _ => None,
        })
        .collect()
}

/// The combat reports for `session` in `frames`.
pub fn reports(frames: &[(LinkId, RegionToEdge)], session: SessionId) -> Vec<CombatReport> {
    session_msgs(frames, session)
        .into_iter()
        .filter_map(|m| match m {
            LinkServerMsg::Combat(r) => Some(r),
            _ => None,
        })
        .collect()
}

/// The health of `id`, `None` once it is destroyed.
pub fn health_of(sim: &mut RegionSim, id: EntityId) -> Option<u16> {
    let world = sim.world_mut();
    let entity = *world.resource::<EntityIndex>().by_id.get(&id)?;
    world.get::<Health>(entity).map(|h| h.0)
}

/// Everything the region reported to `empire` so far.
pub fn ledger_total(sim: &mut RegionSim, empire: EmpireId) -> CombatReport {
    sim.world_mut()
        .resource::<CombatLedger>()
        .totals
        .get(&empire)
        .copied()
        .unwrap_or_default()
}

/// Sum of reports.
pub fn sum(reports: &[CombatReport]) -> CombatReport {
    reports
        .iter()
        .fold(CombatReport::default(), |a, r| CombatReport {
            dealt: a.dealt + r.dealt,
            taken: a.taken + r.taken,
            kills: a.kills + r.kills,
            losses: a.losses + r.losses,
        })
}
