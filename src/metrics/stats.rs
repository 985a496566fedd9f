//! Small statistics shared by the figures: linear-interpolation quantiles,
//! means and Pearson correlation, all `None` over nothing.

use serde::Serialize;

/// Linear-interpolation quantile of sorted values (`q` in [0, 1]).
pub fn quantile_sorted(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    Some(sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64))
}

pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

pub fn median(values: &[f64]) -> Option<f64> {
    median_in_place(&mut values.to_vec())
}

/// The median of values the caller no longer needs in their order.
pub fn median_in_place(values: &mut [f64]) -> Option<f64> {
    quantile_in_place(values, 0.5)
}

/// [`quantile_sorted`] of the values as if sorted, found by selection
/// (linear time; the figures take medians of millions of durations).
/// Leaves the values in an unspecified order.
pub fn quantile_in_place(values: &mut [f64], q: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let pos = q * (values.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let (_, &mut low, above) = values.select_nth_unstable_by(lo, f64::total_cmp);
    let high = if pos.ceil() as usize > lo {
        // The next value in order is the smallest of those above.
        above.iter().copied().min_by(f64::total_cmp).unwrap_or(low)
    } else {
        low
    };
    Some(low + (high - low) * (pos - lo as f64))
}

/// `a / b`, `None` when `b` is zero.
pub fn ratio(a: f64, b: f64) -> Option<f64> {
    (b != 0.0).then(|| a / b)
}

/// A rate with the count it rests on.
pub fn rate(part: u64, whole: u64) -> Option<f64> {
    ratio(part as f64, whole as f64)
}

/// Median, mean and p90 of durations in seconds, with their count.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Summary {
    pub median: Option<f64>,
    pub mean: Option<f64>,
    pub p90: Option<f64>,
    pub count: u64,
}

impl Summary {
    pub fn of(mut values: Vec<f64>) -> Self {
        Self {
            mean: mean(&values),
            median: quantile_in_place(&mut values, 0.5),
            p90: quantile_in_place(&mut values, 0.9),
            count: values.len() as u64,
        }
    }
}

/// Pearson correlation; `None` with fewer than two pairs or no variance.
pub fn pearson(pairs: &[(f64, f64)]) -> Option<f64> {
    if pairs.len() < 2 {
        return None;
    }
    let n = pairs.len() as f64;
    let mx = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for &(x, y) in pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    Some(sxy / (sxx.sqrt() * syy.sqrt()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate() {
        // [1, 2, 3, 4]: median = (2 + 3) / 2; p90 at position 2.7 = 3 + 0.7.
        let s = Summary::of(vec![4.0, 1.0, 3.0, 2.0]);
        assert_eq!(s.median, Some(2.5));
        assert!((s.p90.unwrap() - 3.7).abs() < 1e-12);
        assert_eq!(s.mean, Some(2.5));
        assert_eq!(s.count, 4);
        let empty = Summary::of(vec![]);
        assert_eq!(empty.median, None);
        assert_eq!(empty.count, 0);
    }

    #[test]
    fn selection_matches_sorting() {
        // Pseudo-random values with repeats, every quantile a figure uses.
        let values: Vec<f64> = (0..1001u64)
            .map(|i| ((i * 7919) % 613) as f64 / 7.0)
            .collect();
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        for n in [1, 2, 3, 10, 1001] {
            let mut part: Vec<f64> = values[..n].to_vec();
            let mut sorted_part = part.clone();
            sorted_part.sort_by(f64::total_cmp);
            for q in [0.0, 0.5, 0.9, 1.0] {
                assert_eq!(
                    quantile_in_place(&mut part, q),
                    quantile_sorted(&sorted_part, q),
                    "n = {n}, q = {q}"
                );
            }
        }
        assert_eq!(quantile_in_place(&mut [], 0.5), None);
    }

    #[test]
    fn pearson_basics() {
        assert!(
            (pearson(&[(1.0, 0.0), (2.0, 0.0), (3.0, 1.0), (4.0, 1.0)]).unwrap() - 0.894_427_191)
                .abs()
                < 1e-6
        );
        assert_eq!(pearson(&[(1.0, 1.0)]), None);
        assert_eq!(pearson(&[(1.0, 1.0), (1.0, 0.0)]), None);
    }
}
