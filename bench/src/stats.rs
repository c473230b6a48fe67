//! Latency histogram (log-linear, ~3 % resolution, allocated once) and medians.
use std::time::Duration;

/// Values below this are exact; above, 32 sub-buckets per power of two.
const LINEAR: u64 = 64;
const SUB_BITS: u32 = 5;
const BUCKETS: usize = 64 + 58 * 32;

/// A histogram of nanosecond values that never allocates after [`Histogram::new`].
#[derive(Clone, Debug)]
pub struct Histogram {
    counts: Box<[u64]>,
    total: u64,
    max: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Self::new()
    }
}

fn index(v: u64) -> usize {
    if v < LINEAR {
        return v as usize;
    }
    let msb = 63 - v.leading_zeros();
    let shift = msb - SUB_BITS;
    LINEAR as usize + (shift as usize - 1) * 32 + ((v >> shift) as usize & 31)
}

fn lower_bound(i: usize) -> u64 {
    if i < LINEAR as usize {
        return i as u64;
    }
    let j = i - LINEAR as usize;
    let shift = (j / 32 + 1) as u32;
    (32 + (j % 32) as u64) << shift
}

impl Histogram {
    /// An empty histogram.
    pub fn new() -> Self {
        Self {
            counts: vec![0; BUCKETS].into_boxed_slice(),
            total: 0,
            max: 0,
        }
    }

    /// Records one value in nanoseconds.
    pub fn record_ns(&mut self, ns: u64) {
        self.counts[index(ns)] += 1;
        self.total += 1;
        self.max = self.max.max(ns);
    }

    /// Records one duration.
    pub fn record(&mut self, d: Duration) {
        self.record_ns(d.as_nanos().min(u64::MAX as u128) as u64);
    }

    /// Largest value recorded, in microseconds.
    pub fn max_us(&self) -> f64 {
        self.max as f64 / 1e3
    }

    /// The `q`-quantile (0..=1) in microseconds (bucket lower bound), `None` if empty.
    pub fn quantile_us(&self, q: f64) -> Option<f64> {
        if self.total == 0 {
            return None;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some(lower_bound(i).min(self.max) as f64 / 1e3);
            }
        }
        Some(self.max_us())
    }
}

/// Median of a list (mean of the middle two for an even length), `None` if empty.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_and_lower_bound_agree() {
        for v in [
            0,
            1,
            63,
            64,
            65,
            127,
            128,
            1000,
            4096,
            123_456,
            u64::MAX / 3,
        ] {
            let lb = lower_bound(index(v));
            assert!(lb <= v, "{v}: lower bound {lb}");
            assert!(v - lb <= v / 32 + 1, "{v}: bucket too wide ({lb})");
        }
        assert!(index(u64::MAX) < BUCKETS);
    }

    #[test]
    fn quantiles_of_a_uniform_run() {
        let mut h = Histogram::new();
        for ns in 1..=1000u64 {
            h.record_ns(ns * 1000);
        }
        let p50 = h.quantile_us(0.5).unwrap();
        assert!((480.0..=500.0).contains(&p50), "{p50}");
        let p99 = h.quantile_us(0.99).unwrap();
        assert!((960.0..=990.0).contains(&p99), "{p99}");
        assert_eq!(h.max_us(), 1000.0);
        assert_eq!(Histogram::new().quantile_us(0.5), None);
    }

    #[test]
    fn median_odd_even_empty() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }
}
