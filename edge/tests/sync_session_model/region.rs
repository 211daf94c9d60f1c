//! The model region: entities, own units, view churn, vision and events.

use starlane_protocol::delta::Event;
use starlane_protocol::link::{EntityFrame, ViewChange};
use starlane_protocol::{
    EmpireId, EntityChange, EntityId, EntityKind, EntityState, Hex, ResourceKind, Visibility,
    VisionChange,
};
use std::collections::HashMap;
use std::time::Duration;

/// The session's empire.
pub const EMPIRE: EmpireId = 7;
/// Another empire (enemies).
pub const ENEMY: EmpireId = 9;
/// Region tick (20 Hz).
pub const TICK: Duration = Duration::from_millis(50);
/// Simulation step.
pub const STEP: Duration = Duration::from_millis(1);

const DIRECTIONS: [(i32, i32); 6] = [(1, 0), (1, -1), (0, -1), (-1, 0), (-1, 1), (0, 1)];

/// SplitMix64: small, seeded, deterministic.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u32) -> u32 {
        (self.next_u64() % u64::from(n.max(1))) as u32
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

/// What the model region does each tick.
#[derive(Debug, Clone)]
pub struct Params {
    /// Entities in the world (ids `1..=total`).
    pub total: u32,
    /// Own units (ids `1..=own`), always visible, moving every tick.
    pub own: u32,
    /// Entities visible at the start (own units included).
    pub visible: u32,
    /// Probability that a visible other entity moves in a tick.
    pub move_prob: f64,
    /// Visible entities leaving (and others entering) view per tick.
    pub churn: u32,
    /// Hex visibility changes per tick.
    pub vision: u32,
    /// A resource total changes every this many ticks (0: never).
    pub resource_every: u32,
    /// `CommandAck` events per tick.
    pub command_acks: u32,
}

/// One region tick for the session.
pub struct RegionTick {
    pub frame: EntityFrame,
    pub view: ViewChange,
    pub events: Vec<Event>,
}

/// A deterministic model region with one session.
pub struct Region {
    pub params: Params,
    rng: Rng,
    pub tick: u32,
    states: Vec<EntityState>,
    visible_ids: Vec<EntityId>,
    slot: HashMap<EntityId, usize>,
    /// Hex visibility of the session's empire (absent = shroud).
    pub vision: HashMap<Hex, Visibility>,
    pub resources: HashMap<ResourceKind, u32>,
    next_command: u32,
}

impl Region {
    pub fn new(params: Params, seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let states = (1..=params.total)
            .map(|id| {
                let own = id <= params.own;
                EntityState {
                    id,
                    kind: match id % 3 {
                        0 => EntityKind::Scout,
                        1 => EntityKind::Frigate,
                        _ => EntityKind::Station,
                    },
                    owner: if own {
                        EMPIRE
                    } else if id % 3 == 0 {
                        ENEMY
                    } else {
                        0
                    },
                    pos: if own {
                        Hex::new(id as i32 * 5, 0)
                    } else {
                        Hex::new(rng.below(80) as i32 - 40, rng.below(80) as i32 - 40)
                    },
                    health: 100,
                }
            })
            .collect();
        let mut region = Self {
            params,
            rng,
            tick: 0,
            states,
            visible_ids: Vec::new(),
            slot: HashMap::new(),
            vision: HashMap::new(),
            resources: HashMap::new(),
            next_command: 0,
        };
        for id in 1..=region.params.visible.min(region.params.total) {
            region.show(id);
        }
        region
    }

    fn show(&mut self, id: EntityId) {
        self.slot.insert(id, self.visible_ids.len());
        self.visible_ids.push(id);
    }

    fn hide(&mut self, id: EntityId) {
        let Some(at) = self.slot.remove(&id) else {
            return;
        };
        self.visible_ids.swap_remove(at);
        if let Some(&moved) = self.visible_ids.get(at) {
            self.slot.insert(moved, at);
        }
    }

    fn state(&self, id: EntityId) -> &EntityState {
        &self.states[id as usize - 1]
    }

    /// The ids the session sees.
    pub fn visible(&self) -> &[EntityId] {
        &self.visible_ids
    }

    /// The first frame: a reset with every visible entity.
    pub fn initial(&self) -> (EntityFrame, ViewChange) {
        let mut entered: Vec<EntityId> = self.visible_ids.clone();
        entered.sort_unstable();
        let frame = EntityFrame {
            tick: 0,
            reset: true,
            appeared: entered.iter().map(|id| self.state(*id).clone()).collect(),
            ..EntityFrame::default()
        };
        let view = ViewChange {
            entered,
            ..ViewChange::default()
        };
        (frame, view)
    }

    /// Advances one tick; nothing changes unless `changing`.
    pub fn step(&mut self, changing: bool) -> RegionTick {
        self.tick += 1;
        let tick = self.tick;
        let mut out = RegionTick {
            frame: EntityFrame {
                tick,
                ..EntityFrame::default()
            },
            view: ViewChange {
                tick,
                ..ViewChange::default()
            },
            events: Vec::new(),
        };
        if !changing {
            return out;
        }
        let p = self.params.clone();
        let mut changed = Vec::new();
        for i in 0..self.visible_ids.len() {
            let id = self.visible_ids[i];
            let own = id <= p.own;
            let step = if own {
                Some(DIRECTIONS[(tick + id) as usize % 6])
            } else if self.rng.chance(p.move_prob) {
                Some(DIRECTIONS[self.rng.below(6) as usize])
            } else {
                None
            };
            let health = (!own && self.rng.chance(0.05)).then(|| self.rng.below(101) as u16);
            let s = &mut self.states[id as usize - 1];
            if let Some((dq, dr)) = step {
                s.pos = Hex::new(s.pos.q + dq, s.pos.r + dr);
            }
            if let Some(h) = health {
                s.health = h;
            }
            if step.is_some() || health.is_some() {
                changed.push(EntityChange {
                    id,
                    pos: step.map(|_| s.pos),
                    health,
                });
            }
        }
        let mut left = Vec::new();
        for _ in 0..p.churn {
            let candidates = self.visible_ids.len() as u32;
            let id = self.visible_ids[self.rng.below(candidates) as usize];
            if id > p.own && !left.contains(&id) {
                left.push(id);
            }
        }
        let mut entered = Vec::new();
        for _ in 0..p.churn {
            for _attempt in 0..20 {
                let id = p.own + 1 + self.rng.below(p.total - p.own);
                if !self.slot.contains_key(&id) && !left.contains(&id) && !entered.contains(&id) {
                    entered.push(id);
                    break;
                }
            }
        }
        for &id in &left {
            self.hide(id);
        }
        for &id in &entered {
            self.show(id);
        }
        for _ in 0..p.vision {
            let hex = Hex::new(
                self.rng.below(20) as i32 - 10,
                self.rng.below(20) as i32 - 10,
            );
            let state = match self.rng.below(3) {
                0 => Visibility::Shroud,
                1 => Visibility::Fog,
                _ => Visibility::Visible,
            };
            self.vision.insert(hex, state);
            out.view.vision.push(VisionChange { hex, state });
        }
        if p.resource_every > 0 && tick.is_multiple_of(p.resource_every) {
            let kind = [ResourceKind::Credits, ResourceKind::Metal]
                [(tick / p.resource_every % 2) as usize];
            let amount = self.resources.entry(kind).or_insert(0);
            *amount += 1 + tick % 13;
            out.events.push(Event::Resource {
                kind,
                amount: *amount,
            });
        }
        for _ in 0..p.command_acks {
            out.events.push(Event::CommandAck {
                seq: self.next_command,
            });
            self.next_command += 1;
        }
        left.sort_unstable();
        entered.sort_unstable();
        out.frame.changed = changed;
        out.frame.appeared = entered.iter().map(|id| self.state(*id).clone()).collect();
        out.frame.removed = left.clone();
        out.view.entered = entered;
        out.view.left = left;
        out
    }

    /// Command acks issued so far.
    pub fn commands(&self) -> u32 {
        self.next_command
    }
}
