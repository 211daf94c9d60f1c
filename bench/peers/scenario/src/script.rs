//! Reading the platform's recorded script (`bench/peers/SCRIPT.md`): the header, then per
//! region tick the link's entity frame and each session's view changes.

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use std::io::BufRead;
use std::path::Path;

/// The format this reader understands (the recorder's `SCRIPT_FORMAT` and version).
pub const FORMAT: &str = "starlane-peers-script";
pub const VERSION: u32 = 1;

/// Entity id, as the platform numbers them.
pub type Id = u32;

/// What the script was recorded from.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Header {
    pub format: String,
    pub version: u32,
    pub scenario: String,
    pub sessions: u32,
    pub npcs: u32,
    pub pattern: String,
    pub tick_hz: u32,
    pub warmup_secs: u64,
    pub duration_secs: u64,
}

/// An entity's replicated state: the platform's `EntityState` without its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    pub kind: u8,
    pub owner: u32,
    pub q: i32,
    pub r: i32,
    pub health: u16,
}

/// Changed fields of an entity (`None`: unchanged).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub id: Id,
    pub q: Option<i32>,
    pub r: Option<i32>,
    pub health: Option<u16>,
}

/// One session's view change in a tick.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ViewDelta {
    pub session: usize,
    pub entered: Vec<Id>,
    pub left: Vec<Id>,
}

/// One region tick.
#[derive(Debug, Clone, Default)]
pub struct Tick {
    pub tick: u32,
    /// Full states of entities newly visible to some session.
    pub appeared: Vec<(Id, State)>,
    pub changed: Vec<Change>,
    /// Entities no session sees any more (they may still exist in the world).
    pub removed: Vec<Id>,
    pub views: Vec<ViewDelta>,
}

/// A whole script.
#[derive(Debug, Clone)]
pub struct Script {
    pub header: Header,
    pub ticks: Vec<Tick>,
}

/// `[id, q, r, health]`, `null` where unchanged.
type ChangeLine = (Id, Option<i32>, Option<i32>, Option<u16>);

#[derive(Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
enum Line {
    Header(Header),
    Entities {
        tick: u32,
        #[serde(default)]
        #[allow(dead_code)]
        reset: bool,
        appeared: Vec<(Id, u8, u32, i32, i32, u16)>,
        changed: Vec<ChangeLine>,
        removed: Vec<Id>,
    },
    View {
        tick: u32,
        session: u64,
        entered: Vec<Id>,
        left: Vec<Id>,
    },
}

impl Script {
    /// Read a script file.
    pub fn load(path: &Path) -> anyhow::Result<Script> {
        let file = std::fs::File::open(path)
            .with_context(|| format!("script {}: cannot open it", path.display()))?;
        Self::read(std::io::BufReader::new(file))
            .with_context(|| format!("script {}", path.display()))
    }

    /// Read a script from lines of JSON.
    pub fn read(input: impl BufRead) -> anyhow::Result<Script> {
        let mut header = None;
        let mut ticks: Vec<Tick> = Vec::new();
        for (n, line) in input.lines().enumerate() {
            let line = line.context("read")?;
            if line.trim().is_empty() {
                continue;
            }
            let parsed: Line =
                serde_json::from_str(&line).with_context(|| format!("line {}", n + 1))?;
            match parsed {
                Line::Header(h) => {
                    if h.format != FORMAT || h.version != VERSION {
                        bail!(
                            "line {}: format {:?} version {}, this reader takes {FORMAT:?} version {VERSION}",
                            n + 1,
                            h.format,
                            h.version
                        );
                    }
                    header = Some(h);
                }
                Line::Entities {
                    tick,
                    appeared,
                    changed,
                    removed,
                    ..
                } => {
                    if header.is_none() {
                        bail!("line {}: an entity frame before the header", n + 1);
                    }
                    ticks.push(Tick {
                        tick,
                        appeared: appeared
                            .into_iter()
                            .map(|(id, kind, owner, q, r, health)| {
                                (
                                    id,
                                    State {
                                        kind,
                                        owner,
                                        q,
                                        r,
                                        health,
                                    },
                                )
                            })
                            .collect(),
                        changed: changed
                            .into_iter()
                            .map(|(id, q, r, health)| Change { id, q, r, health })
                            .collect(),
                        removed,
                        views: Vec::new(),
                    });
                }
                Line::View {
                    tick,
                    session,
                    entered,
                    left,
                } => {
                    let Some(last) = ticks.last_mut().filter(|t| t.tick == tick) else {
                        bail!(
                            "line {}: a view of tick {tick} without its entity frame",
                            n + 1
                        );
                    };
                    let session = usize::try_from(session).context("session")?;
                    last.views.push(ViewDelta {
                        session,
                        entered,
                        left,
                    });
                }
            }
        }
        let header = header.context("no header line")?;
        if ticks.is_empty() {
            bail!("no ticks");
        }
        Ok(Script { header, ticks })
    }

    /// The tick interval.
    pub fn tick_interval(&self) -> std::time::Duration {
        std::time::Duration::from_secs_f64(1.0 / f64::from(self.header.tick_hz.max(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{"t":"header","format":"starlane-peers-script","version":1,"scenario":"s","sessions":2,"npcs":1,"pattern":"wander","tick_hz":20,"warmup_secs":1,"duration_secs":2}
{"t":"entities","tick":1,"reset":true,"appeared":[[5,5,0,26,-13,1000]],"changed":[],"removed":[]}
{"t":"view","tick":1,"session":1,"entered":[5],"left":[]}
{"t":"entities","tick":2,"reset":false,"appeared":[],"changed":[[5,27,null,null]],"removed":[9]}
"#;

    #[test]
    fn reads_frames_and_views_in_order() {
        let s = Script::read(SAMPLE.as_bytes()).expect("sample");
        assert_eq!(s.header.sessions, 2);
        assert_eq!(s.ticks.len(), 2);
        let st = State {
            kind: 5,
            owner: 0,
            q: 26,
            r: -13,
            health: 1000,
        };
        assert_eq!(s.ticks[0].appeared, vec![(5, st)]);
        assert_eq!(
            s.ticks[0].views,
            vec![ViewDelta {
                session: 1,
                entered: vec![5],
                left: vec![]
            }]
        );
        assert_eq!(
            s.ticks[1].changed,
            vec![Change {
                id: 5,
                q: Some(27),
                r: None,
                health: None
            }]
        );
        assert_eq!(s.ticks[1].removed, vec![9]);
    }

    #[test]
    fn refuses_another_version_and_orphan_views() {
        let v2 = SAMPLE.replacen("\"version\":1", "\"version\":2", 1);
        let e = Script::read(v2.as_bytes()).expect_err("version 2");
        assert!(format!("{e:#}").contains("version 2"), "{e:#}");
        let orphan = SAMPLE
            .lines()
            .take(1)
            .chain(SAMPLE.lines().skip(2).take(1))
            .collect::<Vec<_>>()
            .join("\n");
        let e = Script::read(orphan.as_bytes()).expect_err("orphan view");
        assert!(
            format!("{e:#}").contains("without its entity frame"),
            "{e:#}"
        );
    }
}

#[cfg(test)]
mod golden {
    use super::*;

    /// The golden script the platform's writer produces (its unit test checks the same file).
    #[test]
    fn reads_the_golden_script() {
        let s = Script::read(include_str!("../../script-golden.jsonl").as_bytes()).expect("golden");
        assert_eq!(
            (
                s.header.scenario.as_str(),
                s.header.sessions,
                s.header.tick_hz
            ),
            ("golden", 2, 20)
        );
        assert_eq!(
            s.ticks.iter().map(|t| t.tick).collect::<Vec<_>>(),
            [7, 8, 9]
        );
        let frigate = State {
            kind: 1,
            owner: 1001,
            q: -3,
            r: 4,
            health: 120,
        };
        assert_eq!(s.ticks[0].appeared[0], (5, frigate));
        assert_eq!(s.ticks[0].views.len(), 2);
        assert_eq!(
            s.ticks[1].changed[0],
            Change {
                id: 5,
                q: Some(-2),
                r: Some(4),
                health: None
            }
        );
        assert_eq!(
            s.ticks[1].changed[1],
            Change {
                id: 9,
                q: None,
                r: None,
                health: Some(990)
            }
        );
        assert_eq!(s.ticks[2].removed, [5]);
        assert_eq!(
            s.ticks[2].views,
            [ViewDelta {
                session: 0,
                entered: vec![],
                left: vec![5]
            }]
        );
    }
}
