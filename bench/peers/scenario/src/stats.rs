//! Summaries of samples (median, p99, max) and the staleness histogram.

use serde::{Deserialize, Serialize};

/// Median, 99th percentile, max and mean of a set of samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub count: u64,
    pub median: f64,
    pub p99: f64,
    pub max: f64,
    pub mean: f64,
}

impl Summary {
    /// `None` for no samples. Percentiles are nearest-rank.
    pub fn of(samples: &[f64]) -> Option<Summary> {
        if samples.is_empty() {
            return None;
        }
        let mut s = samples.to_vec();
        s.sort_by(f64::total_cmp);
        let rank = |p: f64| s[((p * s.len() as f64).ceil() as usize).clamp(1, s.len()) - 1];
        Some(Summary {
            count: s.len() as u64,
            median: rank(0.5),
            p99: rank(0.99),
            max: s[s.len() - 1],
            mean: s.iter().sum::<f64>() / s.len() as f64,
        })
    }
}

/// Ages in 1 ms buckets up to 10 s (the last bucket holds everything older).
#[derive(Debug, Clone)]
pub struct Histogram {
    buckets: Vec<u64>,
    count: u64,
    sum: f64,
    max: f64,
}

impl Default for Histogram {
    fn default() -> Self {
        Self {
            buckets: vec![0; 10_001],
            count: 0,
            sum: 0.0,
            max: 0.0,
        }
    }
}

impl Histogram {
    /// Record one age in ms.
    pub fn record(&mut self, ms: f64) {
        let b = (ms.max(0.0) as usize).min(self.buckets.len() - 1);
        self.buckets[b] += 1;
        self.count += 1;
        self.sum += ms;
        self.max = self.max.max(ms);
    }

    /// The summary (bucket resolution: 1 ms); `None` when empty.
    pub fn summary(&self) -> Option<Summary> {
        if self.count == 0 {
            return None;
        }
        let rank = |p: f64| {
            let want = ((p * self.count as f64).ceil() as u64).max(1);
            let mut seen = 0;
            for (i, n) in self.buckets.iter().enumerate() {
                seen += n;
                if seen >= want {
                    return i as f64;
                }
            }
            self.max
        };
        Some(Summary {
            count: self.count,
            median: rank(0.5),
            p99: rank(0.99),
            max: self.max,
            mean: self.sum / self.count as f64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        let s = Summary::of(&v).expect("samples");
        assert_eq!((s.median, s.p99, s.max, s.count), (50.0, 99.0, 100.0, 100));
        let mut h = Histogram::default();
        for x in &v {
            h.record(*x);
        }
        let hs = h.summary().expect("samples");
        assert_eq!((hs.median, hs.p99, hs.max), (50.0, 99.0, 100.0));
        assert!(Summary::of(&[]).is_none() && Histogram::default().summary().is_none());
    }
}
