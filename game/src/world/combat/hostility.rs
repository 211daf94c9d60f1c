//! Who may fire at whom without an order. Pirates (the neutral empire) are hostile to
//! everyone and everyone to them. Players are not hostile to each other until one attacks:
//! an empire whose unit was hit by another empire's unit may fire back at that empire's
//! units, unordered, for `[combat] retaliation_secs` after the last hit. So a battle starts
//! with an order (never because two empires spawned side by side) and, once started, both
//! sides fight.

use bevy_ecs::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use starlane_protocol::{EmpireId, NEUTRAL_EMPIRE};

/// The last tick each empire was hit by each other empire.
#[derive(Resource, Debug, Default)]
pub struct Hostilities {
    /// `(victim, attacker)` to the tick of the last hit.
    last_hit: FxHashMap<(EmpireId, EmpireId), u32>,
}

impl Hostilities {
    /// A unit of `attacker` hit a unit of `victim` at `tick`.
    pub fn hit(&mut self, victim: EmpireId, attacker: EmpireId, tick: u32) {
        if victim != NEUTRAL_EMPIRE && attacker != NEUTRAL_EMPIRE {
            self.last_hit.insert((victim, attacker), tick);
        }
    }

    /// Whether a unit of `shooter` may fire at a unit of `target` without an order at
    /// `tick`: one of them is a pirate, or `target` hit `shooter` within `window` ticks.
    pub fn may_engage(&self, shooter: EmpireId, target: EmpireId, tick: u32, window: u32) -> bool {
        if shooter == target {
            return false;
        }
        if shooter == NEUTRAL_EMPIRE || target == NEUTRAL_EMPIRE {
            return true;
        }
        self.last_hit
            .get(&(shooter, target))
            .is_some_and(|&t| tick.wrapping_sub(t) <= window)
    }

    /// The empires that may fire at another player's units without an order at `tick`: those
    /// hit by one within `window` ticks. Any other player may engage only pirates.
    pub fn retaliating(&self, tick: u32, window: u32) -> FxHashSet<EmpireId> {
        self.last_hit
            .iter()
            .filter(|(_, t)| tick.wrapping_sub(**t) <= window)
            .map(|((victim, _), _)| *victim)
            .collect()
    }

    /// Forget hits older than `window` ticks (called now and then: the map stays as small as
    /// the fights going on).
    pub fn prune(&mut self, tick: u32, window: u32) {
        self.last_hit.retain(|_, t| tick.wrapping_sub(*t) <= window);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn players_engage_only_those_that_hit_them_lately() {
        let mut h = Hostilities::default();
        assert!(h.may_engage(NEUTRAL_EMPIRE, 7, 0, 600));
        assert!(h.may_engage(7, NEUTRAL_EMPIRE, 0, 600));
        assert!(!h.may_engage(7, 8, 0, 600));
        assert!(!h.may_engage(7, 7, 0, 600));
        h.hit(7, 8, 100);
        assert!(h.may_engage(7, 8, 100, 600));
        assert!(h.may_engage(7, 8, 700, 600));
        assert!(!h.may_engage(7, 8, 701, 600), "the grudge expires");
        assert!(!h.may_engage(8, 7, 100, 600), "the attacker needs orders");
        assert_eq!(h.retaliating(700, 600), FxHashSet::from_iter([7]));
        assert!(h.retaliating(701, 600).is_empty());
        h.prune(701, 600);
        assert!(h.last_hit.is_empty());
    }
}
