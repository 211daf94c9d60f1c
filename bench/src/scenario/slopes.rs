//! Tick time against size (issue 14): from a region sweep's steps, every series that varies
//! one of sessions and NPCs with the other held fixed (three steps or more), and the
//! least-squares slope of each system set's median tick time along it.

use crate::scenario::capacity::Step;
use crate::scenario::result::TickStats;
use serde::Serialize;

/// Fewest steps a series needs for a slope.
const MIN_POINTS: usize = 3;

/// Which of the two sizes a series varies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Varied {
    /// NPCs vary, sessions are fixed.
    Npcs,
    /// Sessions vary, NPCs are fixed.
    Sessions,
}

impl Varied {
    /// The plural noun of what varies.
    pub fn name(self) -> &'static str {
        match self {
            Varied::Npcs => "NPCs",
            Varied::Sessions => "sessions",
        }
    }

    /// The noun of what is held fixed.
    pub fn fixed_name(self) -> &'static str {
        match self {
            Varied::Npcs => "sessions",
            Varied::Sessions => "NPCs",
        }
    }

    fn of(self, step: &Step) -> u32 {
        match self {
            Varied::Npcs => step.npcs,
            Varied::Sessions => step.sessions,
        }
    }

    fn other(self, step: &Step) -> u32 {
        match self {
            Varied::Npcs => step.sessions,
            Varied::Sessions => step.npcs,
        }
    }
}

/// Milliseconds of median tick time per 1,000 more of what varies, per system set.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct SetSlopes {
    /// The whole tick.
    pub total: f64,
    /// Commands set.
    pub commands: f64,
    /// Simulation set.
    pub simulation: f64,
    /// Vision set.
    pub vision: f64,
    /// Sync set.
    pub sync: f64,
}

impl SetSlopes {
    /// Each figure with its set's name, the whole tick first.
    pub fn named(&self) -> [(&'static str, f64); 5] {
        [
            ("total", self.total),
            ("commands", self.commands),
            ("simulation", self.simulation),
            ("vision", self.vision),
            ("sync", self.sync),
        ]
    }
}

/// One series and its slopes.
#[derive(Debug, Clone, Serialize)]
pub struct Series {
    /// What varies.
    pub varied: Varied,
    /// The value of the other size.
    pub fixed: u32,
    /// `(varied value, median ms per set)` along the series, in ascending order.
    pub points: Vec<(u32, SetSlopes)>,
    /// Slope of each set's median, ms per 1,000.
    pub ms_per_1000: SetSlopes,
}

/// Every series in `steps` (those with a tick sample), NPC series first.
pub fn series(steps: &[Step]) -> Vec<Series> {
    let mut out = Vec::new();
    for varied in [Varied::Npcs, Varied::Sessions] {
        let mut fixed: Vec<u32> = steps.iter().map(|s| varied.other(s)).collect();
        fixed.sort_unstable();
        fixed.dedup();
        for f in fixed {
            let mut points: Vec<(u32, SetSlopes)> = steps
                .iter()
                .filter(|s| varied.other(s) == f)
                .filter_map(|s| Some((varied.of(s), medians(s.sets.as_ref()?))))
                .collect();
            points.sort_by_key(|p| p.0);
            points.dedup_by_key(|p| p.0);
            if points.len() >= MIN_POINTS {
                let ms_per_1000 = fit(&points);
                out.push(Series {
                    varied,
                    fixed: f,
                    points,
                    ms_per_1000,
                });
            }
        }
    }
    out
}

fn medians(t: &TickStats) -> SetSlopes {
    SetSlopes {
        total: t.total.median,
        commands: t.commands.median,
        simulation: t.simulation.median,
        vision: t.vision.median,
        sync: t.sync.median,
    }
}

/// Each set's least-squares slope along `points`, per 1,000.
fn fit(points: &[(u32, SetSlopes)]) -> SetSlopes {
    let per = |f: fn(&SetSlopes) -> f64| {
        let xy: Vec<(f64, f64)> = points
            .iter()
            .map(|(x, s)| (f64::from(*x) / 1000.0, f(s)))
            .collect();
        least_squares(&xy)
    };
    SetSlopes {
        total: per(|s| s.total),
        commands: per(|s| s.commands),
        simulation: per(|s| s.simulation),
        vision: per(|s| s.vision),
        sync: per(|s| s.sync),
    }
}

/// The least-squares slope of `y` against `x`; 0 when `x` does not vary.
pub fn least_squares(xy: &[(f64, f64)]) -> f64 {
    if xy.is_empty() {
        return 0.0;
    }
    let n = xy.len() as f64;
    let mx = xy.iter().map(|p| p.0).sum::<f64>() / n;
    let my = xy.iter().map(|p| p.1).sum::<f64>() / n;
    let num: f64 = xy.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
    let den: f64 = xy.iter().map(|(x, _)| (x - mx) * (x - mx)).sum();
    if den == 0.0 { 0.0 } else { num / den }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::stats::Summary;

    fn summary(v: f64) -> Summary {
        Summary::of(&[v]).expect("one value")
    }

    /// A step whose every set's median is `ms`.
    fn step(sessions: u32, npcs: u32, ms: f64) -> Step {
        Step {
            sessions,
            npcs,
            map_rings: 0,
            tick_p99_ms: Some(ms),
            tick_median_ms: Some(ms),
            passed: true,
            sets: Some(TickStats {
                ticks: 1,
                total: summary(ms),
                commands: summary(0.0),
                simulation: summary(ms / 2.0),
                vision: summary(ms / 2.0),
                sync: summary(0.0),
                max_entities: npcs,
                max_sessions: sessions,
            }),
            production_jobs: 0,
            peak_rss_kib: None,
            region_cores: None,
            fake_edge_cores: None,
            error: None,
        }
    }

    #[test]
    fn finds_both_series_and_their_slopes() {
        // 2 ms per 1,000 NPCs at 100 sessions; 10 ms per 1,000 sessions at 5,000 NPCs.
        let steps = [
            step(100, 1_000, 2.0),
            step(100, 5_000, 10.0),
            step(100, 3_000, 6.0),
            step(200, 5_000, 11.0),
            step(300, 5_000, 12.0),
            step(400, 9_000, 50.0), // alone on its row and column: no series
        ];
        let s = series(&steps);
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].varied, s[0].fixed), (Varied::Npcs, 100));
        assert_eq!(
            s[0].points.iter().map(|p| p.0).collect::<Vec<_>>(),
            [1_000, 3_000, 5_000]
        );
        assert!((s[0].ms_per_1000.total - 2.0).abs() < 1e-9);
        assert!((s[0].ms_per_1000.vision - 1.0).abs() < 1e-9);
        assert_eq!((s[1].varied, s[1].fixed), (Varied::Sessions, 5_000));
        assert!((s[1].ms_per_1000.total - 10.0).abs() < 1e-9);
    }

    #[test]
    fn two_points_are_not_a_series() {
        assert!(series(&[step(100, 1_000, 1.0), step(100, 2_000, 2.0)]).is_empty());
    }

    #[test]
    fn flat_x_has_no_slope() {
        assert_eq!(least_squares(&[(1.0, 1.0), (1.0, 5.0)]), 0.0);
        assert_eq!(least_squares(&[]), 0.0);
    }
}
