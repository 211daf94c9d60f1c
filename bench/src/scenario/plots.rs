//! SVG plots of a run (plotters): bytes per client per second over time, tick time per
//! system set over time, and histograms of staleness and round-trip time.

use crate::scenario::result::{Histograms, RunResult};
use crate::scenario::stats::Histogram;
use anyhow::anyhow;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

const SIZE: (u32, u32) = (800, 480);

fn err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow!("cannot draw a plot: {e}")
}

/// Draw every plot into `dir`; returns the files written.
pub fn draw_all(dir: &Path, r: &RunResult, h: &Histograms) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let bytes = dir.join("bytes_per_client.svg");
    let s = &r.series;
    let lines = [
        ("down median", &s.down_bytes_per_client, 1),
        ("down max", &s.down_bytes_per_client, 2),
        ("up median", &s.up_bytes_per_client, 1),
    ];
    let series: Vec<(String, Vec<(f64, f64)>)> = lines
        .iter()
        .map(|(name, v, i)| {
            let pts = v
                .iter()
                .map(|p| (p.0, if *i == 1 { p.1 } else { p.2 }))
                .collect();
            (name.to_string(), pts)
        })
        .collect();
    time_series(&bytes, "Bytes per client per second", "bytes/s", &series)?;
    files.push(bytes);

    let tick = dir.join("tick_time.svg");
    let names = ["total", "commands", "simulation", "vision", "sync"];
    let series: Vec<(String, Vec<(f64, f64)>)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let pts = s.tick_ms.iter().map(|row| (row[0], row[i + 1])).collect();
            (n.to_string(), pts)
        })
        .collect();
    time_series(
        &tick,
        "Region tick time by system set (mean per second)",
        "ms",
        &series,
    )?;
    files.push(tick);

    let stale = dir.join("staleness_hist.svg");
    histogram(
        &stale,
        "Staleness of client-visible entities",
        "age (ms)",
        &h.staleness_ms,
    )?;
    files.push(stale);
    let rtt = dir.join("rtt_hist.svg");
    histogram(&rtt, "Round-trip time (pings)", "ms", &h.rtt_ms)?;
    files.push(rtt);
    files.extend(slopes(dir, r)?);
    Ok(files)
}

/// Median tick time per system set against what each series of a region sweep varies.
fn slopes(dir: &Path, r: &RunResult) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let Some(sweep) = r.capacity.as_ref().and_then(|c| c.region.as_ref()) else {
        return Ok(files);
    };
    for s in &sweep.series {
        let path = dir.join(format!(
            "tick_vs_{}_at_{}.svg",
            s.varied.name().to_lowercase(),
            s.fixed
        ));
        let series: Vec<(String, Vec<(f64, f64)>)> = s
            .ms_per_1000
            .named()
            .iter()
            .enumerate()
            .map(|(i, (name, slope))| {
                let pts = s
                    .points
                    .iter()
                    .map(|(x, m)| (f64::from(*x), m.named()[i].1))
                    .collect();
                (format!("{name} ({slope:.3} ms per 1,000)"), pts)
            })
            .collect();
        lines(
            &path,
            &format!(
                "Median tick time against {} at {} {}",
                s.varied.name(),
                s.fixed,
                s.varied.fixed_name()
            ),
            (s.varied.name(), "ms"),
            &series,
        )?;
        files.push(path);
    }
    Ok(files)
}

fn time_series(
    path: &Path,
    title: &str,
    unit: &str,
    series: &[(String, Vec<(f64, f64)>)],
) -> anyhow::Result<()> {
    lines(path, title, ("seconds after warm-up", unit), series)
}

/// One line per series; `axes` are the x and y descriptions.
fn lines(
    path: &Path,
    title: &str,
    axes: (&str, &str),
    series: &[(String, Vec<(f64, f64)>)],
) -> anyhow::Result<()> {
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let pts = series.iter().flat_map(|(_, v)| v.iter());
    let x_max = pts.clone().map(|p| p.0).fold(1.0, f64::max);
    let y_max = pts.map(|p| p.1).fold(1.0, f64::max) * 1.1;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..x_max, 0.0..y_max)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(axes.0)
        .y_desc(axes.1)
        .draw()
        .map_err(err)?;
    for (i, (name, v)) in series.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        chart
            .draw_series(LineSeries::new(v.iter().copied(), color.stroke_width(2)))
            .map_err(err)?
            .label(name.as_str())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], color));
    }
    chart
        .configure_series_labels()
        .border_style(BLACK)
        .background_style(WHITE.mix(0.8))
        .draw()
        .map_err(err)?;
    root.present().map_err(err)?;
    Ok(())
}

/// Bars of the histogram up to its p99.9 (or 1 bucket when empty), 60 bars at most.
fn histogram(path: &Path, title: &str, unit: &str, h: &Histogram) -> anyhow::Result<()> {
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let hi = h.quantile(0.999).max(h.width());
    let bars = 60usize;
    let bar_w = (hi / bars as f64).max(h.width());
    let mut counts = vec![0u64; bars + 1];
    for (i, n) in h.buckets().iter().enumerate() {
        let x = i as f64 * h.width();
        let b = ((x / bar_w) as usize).min(bars);
        counts[b] += n;
    }
    let y_max = counts.iter().copied().max().unwrap_or(0).max(1) as f64 * 1.1;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("{title} ({} samples)", h.count()),
            ("sans-serif", 20),
        )
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..bar_w * (bars + 1) as f64, 0.0..y_max)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(unit)
        .y_desc("count")
        .draw()
        .map_err(err)?;
    chart
        .draw_series(counts.iter().enumerate().map(|(i, n)| {
            let x0 = i as f64 * bar_w;
            Rectangle::new([(x0, 0.0), (x0 + bar_w, *n as f64)], BLUE.mix(0.6).filled())
        }))
        .map_err(err)?;
    root.present().map_err(err)?;
    Ok(())
}
