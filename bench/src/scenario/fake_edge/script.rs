//! The peers' script (`bench/peers/SCRIPT.md`): what the region sent the fake edge, tick by
//! tick, as JSON lines, so that other networking stacks can replay the same world and the same
//! per-client visible sets without linking the platform.
//!
//! One line per message: a `header` first, then for every tick an `entities` line (the link's
//! entity frame: full states of entities that became visible to some session, changed fields,
//! ids no session sees any more) followed by the tick's `view` lines (the ids that entered and
//! left each session's view). Entities are `[id, kind, owner, q, r, health]`; changes are
//! `[id, q, r, health]` with `null` for a field that did not change.

use anyhow::Context;
use serde::Serialize;
use starlane_protocol::EntityId;
use starlane_protocol::link::{EntityFrame, ViewChange};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// The format's name and version, in every script's header.
pub const SCRIPT_FORMAT: &str = "starlane-peers-script";
/// Bumped when a line changes meaning.
pub const SCRIPT_VERSION: u32 = 1;

/// What the script was recorded from: the header line.
#[derive(Debug, Clone, Serialize)]
pub struct ScriptHeader {
    /// The scenario's name.
    pub scenario: String,
    /// Sessions the fake edge opened.
    pub sessions: u32,
    /// NPCs of the load, and their pattern.
    pub npcs: u32,
    pub pattern: String,
    /// The region's tick rate: one `entities` line per tick.
    pub tick_hz: u32,
    /// Seconds of warm-up, then of measurement, of the recorded run.
    pub warmup_secs: u64,
    pub duration_secs: u64,
}

/// `[id, kind, owner, q, r, health]`.
type Appeared = (EntityId, u8, u32, i32, i32, u16);
/// `[id, q, r, health]`, `null` where unchanged.
type Changed = (EntityId, Option<i32>, Option<i32>, Option<u16>);

#[derive(Serialize)]
#[serde(tag = "t", rename_all = "snake_case")]
enum Line<'a> {
    Header {
        format: &'static str,
        version: u32,
        #[serde(flatten)]
        header: &'a ScriptHeader,
    },
    Entities {
        tick: u32,
        reset: bool,
        appeared: Vec<Appeared>,
        changed: Vec<Changed>,
        removed: &'a [EntityId],
    },
    View {
        tick: u32,
        session: u64,
        entered: &'a [EntityId],
        left: &'a [EntityId],
    },
}

/// Writes a script as the fake edge receives the region's frames. A write error is kept and
/// reported by [`ScriptWriter::finish`]; later lines are skipped.
#[derive(Debug)]
pub struct ScriptWriter {
    out: BufWriter<File>,
    error: Option<String>,
}

impl ScriptWriter {
    /// Create `path` and write the header.
    pub fn create(path: &Path, header: &ScriptHeader) -> anyhow::Result<Self> {
        let file = File::create(path)
            .with_context(|| format!("--script {}: cannot create it", path.display()))?;
        let mut w = Self {
            out: BufWriter::new(file),
            error: None,
        };
        w.line(&Line::Header {
            format: SCRIPT_FORMAT,
            version: SCRIPT_VERSION,
            header,
        });
        Ok(w)
    }

    /// The link's entity frame of one tick.
    pub fn entities(&mut self, frame: &EntityFrame) {
        let appeared = frame
            .appeared
            .iter()
            .map(|e| (e.id, e.kind.code(), e.owner, e.pos.q, e.pos.r, e.health))
            .collect();
        let changed = frame
            .changed
            .iter()
            .map(|c| (c.id, c.pos.map(|p| p.q), c.pos.map(|p| p.r), c.health))
            .collect();
        self.line(&Line::Entities {
            tick: frame.tick,
            reset: frame.reset,
            appeared,
            changed,
            removed: &frame.removed,
        });
    }

    /// One session's view change (ids only; the states are in the entity lines).
    pub fn view(&mut self, session: u64, v: &ViewChange) {
        if v.entered.is_empty() && v.left.is_empty() {
            return;
        }
        self.line(&Line::View {
            tick: v.tick,
            session,
            entered: &v.entered,
            left: &v.left,
        });
    }

    fn line(&mut self, line: &Line<'_>) {
        if self.error.is_some() {
            return;
        }
        let written = serde_json::to_writer(&mut self.out, line)
            .map_err(|e| e.to_string())
            .and_then(|()| self.out.write_all(b"\n").map_err(|e| e.to_string()));
        if let Err(e) = written {
            self.error = Some(e);
        }
    }

    /// Flush; the first write error, if any.
    pub fn finish(mut self) -> anyhow::Result<()> {
        if let Some(e) = self.error.take() {
            anyhow::bail!("the script could not be written: {e}");
        }
        self.out.flush().context("the script could not be written")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use starlane_protocol::{EntityChange, EntityKind, EntityState, Hex};

    /// The writer's lines are the golden vector the peers' reader also checks
    /// (`bench/peers/script-golden.jsonl`, SCRIPT.md).
    #[test]
    fn writes_the_golden_script() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("s.jsonl");
        let header = ScriptHeader {
            scenario: "golden".into(),
            sessions: 2,
            npcs: 1,
            pattern: "wander".into(),
            tick_hz: 20,
            warmup_secs: 1,
            duration_secs: 2,
        };
        let mut w = ScriptWriter::create(&path, &header).expect("create");
        let state = |id, kind, owner, q, r, health| EntityState {
            id,
            kind,
            owner,
            pos: Hex::new(q, r),
            health,
        };
        w.entities(&EntityFrame {
            tick: 7,
            reset: true,
            appeared: vec![
                state(5, EntityKind::Frigate, 1001, -3, 4, 120),
                state(9, EntityKind::MetalField, 0, 12, -7, 1000),
            ],
            ..EntityFrame::default()
        });
        let view = |tick, entered: &[u32], left: &[u32]| ViewChange {
            tick,
            entered: entered.to_vec(),
            left: left.to_vec(),
            vision: Vec::new(),
        };
        w.view(0, &view(7, &[5, 9], &[]));
        w.view(1, &view(7, &[9], &[]));
        w.entities(&EntityFrame {
            tick: 8,
            changed: vec![
                EntityChange {
                    id: 5,
                    pos: Some(Hex::new(-2, 4)),
                    health: None,
                },
                EntityChange {
                    id: 9,
                    pos: None,
                    health: Some(990),
                },
            ],
            ..EntityFrame::default()
        });
        // A view without entered or left ids is not written.
        w.view(1, &view(8, &[], &[]));
        w.entities(&EntityFrame {
            tick: 9,
            removed: vec![5],
            ..EntityFrame::default()
        });
        w.view(0, &view(9, &[], &[5]));
        w.finish().expect("finish");
        let written = std::fs::read_to_string(&path).expect("read");
        let golden = include_str!("../../../peers/script-golden.jsonl");
        assert_eq!(written, golden);
    }
}
