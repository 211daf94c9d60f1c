//! Writing a run's results: `result.json` and the SVG plots, in one directory.

use crate::scenario::plots;
use crate::scenario::result::{Histograms, RunResult};
use anyhow::Context;
use std::path::{Path, PathBuf};

/// Write `result.json` and the plots into `dir` (created); returns the files written.
pub fn write(dir: &Path, result: &RunResult, hist: &Histograms) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let json = dir.join("result.json");
    let text = serde_json::to_string_pretty(result).context("cannot serialise the result")?;
    std::fs::write(&json, text).with_context(|| format!("cannot write {}", json.display()))?;
    let mut files = vec![json];
    files.extend(plots::draw_all(dir, result, hist)?);
    Ok(files)
}
