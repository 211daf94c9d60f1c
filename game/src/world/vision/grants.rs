//! Shared vision in the index: an empire that receives a grant sees through every observer
//! of the granting empire, as if they were its own. A grant's beginning or end costs one pass
//! over the observers (each of the granter's adds or removes its disc to the viewer's cover);
//! after that, an observer's move updates each viewer's cover as it updates its own empire's.

use super::cover::{cover_step, uncover_step};
use super::index::{Vision, cover_for};
use crate::map::GameMap;
use starlane_protocol::EmpireId;

impl Vision {
    /// Begin (`on`) or end `to`'s view through `from`'s observers; a no-op when it already
    /// is so, or when `from == to`. Takes effect at the next [`Vision::finish_tick`].
    pub fn set_grant(&mut self, map: &GameMap, from: EmpireId, to: EmpireId, on: bool) {
        if from == to {
            return;
        }
        let viewers = self.grants.entry(from).or_default();
        match (viewers.binary_search(&to), on) {
            (Err(at), true) => viewers.insert(at, to),
            (Ok(at), false) => {
                viewers.remove(at);
                if viewers.is_empty() {
                    self.grants.remove(&from);
                }
            }
            (Err(_), false) => {
                if viewers.is_empty() {
                    self.grants.remove(&from);
                }
                return;
            }
            (Ok(_), true) => return,
        }
        let step = if on { cover_step } else { uncover_step };
        let Self {
            observers,
            empires,
            dirty,
            ..
        } = self;
        for o in observers.values().filter(|o| o.empire == from) {
            cover_for(map, empires, dirty, to, *o, step);
        }
    }
}
