//! Explored cells (SPEC.md §20.4): which cells each empire has ever seen (`Fog` or
//! `Visible`), taken for a world snapshot as one bit per map cell and put back at start as
//! `Fog`, so the fog of war survives a restart.

use super::index::{Vision, vision_of};
use crate::map::GameMap;
use crate::records::ExploredRecord;
use starlane_protocol::Visibility;

impl Vision {
    /// Every empire's explored cells, by empire: bit `i % 8` of byte `i / 8` is set when cell
    /// `i` (indexed like `GameMap::cells`) is not shroud. Empires that explored nothing are
    /// left out.
    pub fn explored(&self) -> Vec<ExploredRecord> {
        let mut out: Vec<ExploredRecord> = self
            .empires
            .iter()
            .filter_map(|(empire, v)| {
                let mut bits = vec![0u8; v.cells.len().div_ceil(8)];
                let mut any = false;
                for (i, state) in v.cells.iter().enumerate() {
                    if *state != Visibility::Shroud
                        && let Some(byte) = bits.get_mut(i / 8)
                    {
                        *byte |= 1 << (i % 8);
                        any = true;
                    }
                }
                any.then(|| ExploredRecord {
                    empire: *empire,
                    cells: u32::try_from(v.cells.len()).unwrap_or(u32::MAX),
                    bits,
                })
            })
            .collect();
        out.sort_unstable_by_key(|r| r.empire);
        out
    }

    /// Put back explored cells taken by [`Vision::explored`] (before the first tick): each
    /// set bit's cell that is shroud becomes fog. A record taken on a map of another size is
    /// skipped (returns false): its bits would name other cells.
    pub fn restore_explored(&mut self, map: &GameMap, record: &ExploredRecord) -> bool {
        let cells = map.cell_count();
        if usize::try_from(record.cells).ok() != Some(cells) {
            return false;
        }
        self.fit(map);
        let v = vision_of(&mut self.empires, record.empire, cells);
        for (i, state) in v.cells.iter_mut().enumerate() {
            let set = record
                .bits
                .get(i / 8)
                .is_some_and(|byte| byte & (1 << (i % 8)) != 0);
            if set && *state == Visibility::Shroud {
                *state = Visibility::Fog;
            }
        }
        true
    }
}
