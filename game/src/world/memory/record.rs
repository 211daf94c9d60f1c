//! The memory as stored in a world snapshot: ages and times left in ticks, relative to the
//! tick the snapshot was taken at (a restarted region counts ticks from zero again).

use super::{Memory, Remembered};
use crate::map::GameMap;
use crate::records::MemoryRecord;

impl Memory {
    /// Every remembered entity, by empire and id, with its age and time left at `now`.
    pub fn take_record(&self, now: i64) -> Vec<MemoryRecord> {
        let mut out: Vec<MemoryRecord> = self
            .all()
            .flat_map(|(empire, mem)| {
                mem.iter().map(move |(id, r)| MemoryRecord {
                    empire,
                    id: *id,
                    kind: r.kind,
                    owner: r.owner,
                    pos: r.pos,
                    age_ticks: u32::try_from((now - r.seen_tick).max(0)).unwrap_or(u32::MAX),
                    ttl_ticks: r
                        .expires
                        .map(|at| u32::try_from((at - now).max(0)).unwrap_or(u32::MAX)),
                })
            })
            .collect();
        out.sort_unstable_by_key(|r| (r.empire, r.id));
        out
    }

    /// Put stored entries back at `now` (before the first tick); entries off `map` are
    /// skipped. Returns how many were restored.
    pub fn restore_record(&mut self, map: &GameMap, now: i64, records: &[MemoryRecord]) -> usize {
        let mut restored = 0;
        for m in records {
            let Some(cell) = map.cell_index(m.pos).and_then(|c| u32::try_from(c).ok()) else {
                continue;
            };
            self.insert(
                m.empire,
                m.id,
                Remembered {
                    kind: m.kind,
                    owner: m.owner,
                    pos: m.pos,
                    cell,
                    seen_tick: now - i64::from(m.age_ticks),
                    expires: m.ttl_ticks.map(|t| now + i64::from(t)),
                },
            );
            restored += 1;
        }
        restored
    }
}
