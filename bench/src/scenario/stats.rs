//! Summaries of measured values: exact percentiles of small sample sets and a fixed-bucket
//! histogram for large ones (staleness ages, round-trip times).

use serde::Serialize;

/// Median, p99 and max of a set of values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    /// How many values were summarised.
    pub count: u64,
    /// Arithmetic mean.
    pub mean: f64,
    /// 50th percentile.
    pub median: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest value.
    pub max: f64,
}

impl Summary {
    /// Summarise `values` (nearest-rank percentiles); `None` when empty.
    pub fn of(values: &[f64]) -> Option<Summary> {
        if values.is_empty() {
            return None;
        }
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        Some(Summary {
            count: v.len() as u64,
            mean,
            median: nearest_rank(&v, 0.50),
            p99: nearest_rank(&v, 0.99),
            max: v[v.len() - 1],
        })
    }
}

/// The nearest-rank percentile `q` (0..=1) of sorted, non-empty `sorted`.
fn nearest_rank(sorted: &[f64], q: f64) -> f64 {
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Counts of values in equal-width buckets from 0, with an overflow bucket and the exact
/// maximum and sum. Percentiles are the upper edge of the bucket holding the rank.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    width: f64,
    buckets: Vec<u64>,
    overflow: u64,
    count: u64,
    sum: f64,
    max: f64,
}

impl Histogram {
    /// A histogram of `buckets` buckets of `width` each (values above go to overflow).
    pub fn new(width: f64, buckets: usize) -> Self {
        Self {
            width: width.max(f64::MIN_POSITIVE),
            buckets: vec![0; buckets.max(1)],
            overflow: 0,
            count: 0,
            sum: 0.0,
            max: 0.0,
        }
    }

    /// Add one value (negative values count as 0).
    pub fn record(&mut self, value: f64) {
        let value = if value.is_finite() {
            value.max(0.0)
        } else {
            0.0
        };
        let i = (value / self.width) as usize;
        match self.buckets.get_mut(i) {
            Some(b) => *b += 1,
            None => self.overflow += 1,
        }
        self.count += 1;
        self.sum += value;
        self.max = self.max.max(value);
    }

    /// Add every value of `other` (same layout expected; other layouts are re-bucketed by
    /// bucket midpoints).
    pub fn merge(&mut self, other: &Histogram) {
        if other.width == self.width && other.buckets.len() == self.buckets.len() {
            for (a, b) in self.buckets.iter_mut().zip(&other.buckets) {
                *a += b;
            }
            self.overflow += other.overflow;
            self.count += other.count;
            self.sum += other.sum;
        } else {
            for (i, n) in other.buckets.iter().enumerate() {
                for _ in 0..*n {
                    self.record((i as f64 + 0.5) * other.width);
                }
            }
        }
        self.max = self.max.max(other.max);
    }

    /// Number of values recorded.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Bucket width.
    pub fn width(&self) -> f64 {
        self.width
    }

    /// Counts per bucket (without overflow).
    pub fn buckets(&self) -> &[u64] {
        &self.buckets
    }

    /// The value below which a fraction `q` of the values lie (bucket resolution; the exact
    /// maximum for ranks in the overflow bucket).
    pub fn quantile(&self, q: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let rank = ((q * self.count as f64).ceil() as u64).clamp(1, self.count);
        let mut seen = 0;
        for (i, n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return ((i + 1) as f64 * self.width).min(self.max);
            }
        }
        self.max
    }

    /// Median, p99, max and mean; `None` when empty.
    pub fn summary(&self) -> Option<Summary> {
        (self.count > 0).then(|| Summary {
            count: self.count,
            mean: self.sum / self.count as f64,
            median: self.quantile(0.5),
            p99: self.quantile(0.99),
            max: self.max,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_percentiles_by_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        let s = Summary::of(&v).expect("not empty");
        assert_eq!((s.median, s.p99, s.max, s.count), (50.0, 99.0, 100.0, 100));
        assert!(Summary::of(&[]).is_none());
    }

    #[test]
    fn histogram_quantiles_and_merge() {
        let mut h = Histogram::new(1.0, 10);
        for v in [0.2, 0.5, 1.5, 2.5, 50.0] {
            h.record(v);
        }
        assert_eq!(h.quantile(0.4), 1.0);
        assert_eq!(h.quantile(0.6), 2.0);
        assert_eq!(h.quantile(1.0), 50.0);
        let mut g = Histogram::new(1.0, 10);
        g.record(3.2);
        g.merge(&h);
        let s = g.summary().expect("not empty");
        assert_eq!((s.count, s.max), (6, 50.0));
    }
}
