//! A deterministic, RTS-like stream of the updates one client receives, for tests and benches.
//!
//! The world is the region's default map (`RegionConfig::default()`: 7 chunks of radius 9,
//! 1897 hexes, 8 % asteroids). The client's empire (id 1) owns a quarter of the `entities`
//! (at least one), spread over the map; the other units belong to four rival empires and start
//! inside the client's vision, so the first update has every entity appearing plus every
//! visible hex. Vision ranges are the region's defaults (scout 6, frigate 4, station 5).
//!
//! Each later tick:
//! * a quarter of the mobile units (scouts, frigates) step to a random passable neighbour;
//! * 3 % of the units take 1..=20 damage; a unit at 0 health is destroyed and a new unit of
//!   the same owner and kind spawns elsewhere (own units anywhere, rival units inside the
//!   client's vision), so the entity count stays steady;
//! * the client's vision is recomputed from its units: newly seen hexes become visible,
//!   hexes no longer seen become fog;
//! * the update carries what changed in the client's view, as the region's sync does:
//!   rival units that walk into vision appear, those that walk out or die disappear, units that
//!   stay in view send only their changed fields;
//! * credits grow every 20 ticks (one second at 20 Hz), and the update then carries them.
//!
//! Everything is driven by one seeded SplitMix64 generator, so a seed always gives the same
//! stream on every machine.

use starlane_game::RegionConfig;
use starlane_game::map::{GameMap, disc};
use starlane_protocol::{
    EmpireId, EntityChange, EntityId, EntityKind, EntityState, Hex, ResourceKind, Update,
    Visibility, VisionChange,
};
use std::collections::BTreeMap;

/// The empire whose client receives the stream.
pub const CLIENT_EMPIRE: EmpireId = 1;

/// Rival empires own units `2..=1 + RIVALS`.
const RIVALS: u32 = 4;

/// Ticks between two credit incomes (one second at 20 Hz).
const INCOME_TICKS: u32 = 20;

/// `entities` units seen by one client over `ticks` ticks after the first update:
/// `ticks + 1` updates, numbered from tick 0. See the module documentation for the model.
pub fn synthetic_stream(seed: u64, entities: usize, ticks: u32) -> Vec<Update> {
    let mut world = World::new(seed, entities);
    let mut out = Vec::with_capacity(ticks as usize + 1);
    out.push(world.observe(0));
    for tick in 1..=ticks {
        world.advance();
        out.push(world.observe(tick));
    }
    out
}

/// SplitMix64: tiny, fast and stable across versions and platforms.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        // The modulo bias is far below anything a size figure could show.
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `percent / 100`.
    fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
}

/// The simulated world and what the client has been told about it.
struct World {
    rng: Rng,
    map: GameMap,
    config: RegionConfig,
    /// Passable hexes, in map order.
    passable: Vec<Hex>,
    units: BTreeMap<EntityId, EntityState>,
    next_id: EntityId,
    /// Whether each map cell is visible to the client now.
    visible: Vec<bool>,
    /// The entities the client holds, as it last heard of them.
    known: BTreeMap<EntityId, EntityState>,
    credits: u32,
}

impl World {
    fn new(seed: u64, entities: usize) -> Self {
        let config = RegionConfig::default();
        let map = GameMap::generate(
            config.chunk_radius,
            config.map_seed,
            config.asteroid_percent,
        );
        let passable = map.passable_cells();
        let visible = vec![false; map.cell_count()];
        let mut world = Self {
            rng: Rng(seed),
            map,
            config,
            passable,
            units: BTreeMap::new(),
            next_id: 1,
            visible,
            known: BTreeMap::new(),
            credits: 1500,
        };
        let own = if entities == 0 {
            0
        } else {
            (entities / 4).max(1)
        };
        for i in 0..own {
            let pos = world.random_hex();
            world.spawn(CLIENT_EMPIRE, kind_for(i), pos);
        }
        world.visible = world.compute_vision();
        for i in own..entities {
            let owner = 2 + (i as u32 % RIVALS);
            let pos = world.random_visible_hex();
            world.spawn(owner, kind_for(i), pos);
        }
        world
    }

    fn random_hex(&mut self) -> Hex {
        self.passable[self.rng.below(self.passable.len())]
    }

    /// A random passable hex the client sees now (any passable hex if it sees none).
    fn random_visible_hex(&mut self) -> Hex {
        for _ in 0..64 {
            let h = self.random_hex();
            if self.map.cell_index(h).is_some_and(|i| self.visible[i]) {
                return h;
            }
        }
        self.random_hex()
    }

    fn spawn(&mut self, owner: EmpireId, kind: EntityKind, pos: Hex) {
        let id = self.next_id;
        self.next_id += 1;
        let health = u16::try_from(self.config.health.get(kind)).unwrap_or(u16::MAX);
        let state = EntityState {
            id,
            kind,
            owner,
            pos,
            health,
        };
        self.units.insert(id, state);
    }

    /// Which cells the client's units see.
    fn compute_vision(&self) -> Vec<bool> {
        let mut visible = vec![false; self.map.cell_count()];
        for u in self.units.values().filter(|u| u.owner == CLIENT_EMPIRE) {
            for h in disc(u.pos, self.config.vision.get(u.kind)) {
                if let Some(i) = self.map.cell_index(h) {
                    visible[i] = true;
                }
            }
        }
        visible
    }

    /// One tick of movement, combat and reinforcements.
    fn advance(&mut self) {
        let ids: Vec<EntityId> = self.units.keys().copied().collect();
        let mut destroyed = Vec::new();
        for id in ids {
            let moves = self.rng.chance(25);
            let step = self.rng.below(6);
            let hit = self.rng.chance(3);
            let damage = 1 + self.rng.below(20) as u16;
            let Some(unit) = self.units.get_mut(&id) else {
                continue;
            };
            if moves && unit.kind != EntityKind::Station {
                let to = unit.pos.neighbors()[step];
                if self.map.is_passable(to) {
                    unit.pos = to;
                }
            }
            if hit {
                unit.health = unit.health.saturating_sub(damage);
                if unit.health == 0 {
                    destroyed.push((id, unit.owner, unit.kind));
                }
            }
        }
        for (id, owner, kind) in destroyed {
            self.units.remove(&id);
            let pos = if owner == CLIENT_EMPIRE {
                self.random_hex()
            } else {
                self.random_visible_hex()
            };
            self.spawn(owner, kind, pos);
        }
    }

    /// The update the client receives at `tick`, and the client's view brought up to date.
    fn observe(&mut self, tick: u32) -> Update {
        let first = tick == 0;
        let now = self.compute_vision();
        let mut update = Update {
            tick,
            ..Update::default()
        };
        for (i, (&was, &is)) in self.visible.iter().zip(&now).enumerate() {
            let state = match (first, was, is) {
                (true, _, true) | (false, false, true) => Visibility::Visible,
                (false, true, false) => Visibility::Fog,
                _ => continue,
            };
            update.vision.push(VisionChange {
                hex: self.map.cells()[i],
                state,
            });
        }
        self.visible = now;
        let in_view: BTreeMap<EntityId, &EntityState> = self
            .units
            .iter()
            .filter(|(_, u)| self.map.cell_index(u.pos).is_some_and(|i| self.visible[i]))
            .map(|(id, u)| (*id, u))
            .collect();
        update.disappeared = self
            .known
            .keys()
            .filter(|id| !in_view.contains_key(id))
            .copied()
            .collect();
        for (id, unit) in &in_view {
            match self.known.get(id) {
                None => update.appeared.push((*unit).clone()),
                Some(old) => {
                    let change = EntityChange {
                        id: *id,
                        pos: (old.pos != unit.pos).then_some(unit.pos),
                        health: (old.health != unit.health).then_some(unit.health),
                    };
                    if change.pos.is_some() || change.health.is_some() {
                        update.changed.push(change);
                    }
                }
            }
        }
        self.known = in_view.into_iter().map(|(id, u)| (id, u.clone())).collect();
        if first || tick.is_multiple_of(INCOME_TICKS) {
            if !first {
                self.credits = self.credits.saturating_add(25);
            }
            update.resources.push((ResourceKind::Credits, self.credits));
            if first {
                update.resources.push((ResourceKind::Metal, 800));
            }
        }
        update
    }
}

/// Kinds in a fleet's usual mix: half scouts, four in ten frigates, one in ten stations.
fn kind_for(i: usize) -> EntityKind {
    match i % 10 {
        0 => EntityKind::Station,
        1..=4 => EntityKind::Frigate,
        _ => EntityKind::Scout,
    }
}
