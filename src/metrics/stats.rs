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

/// `K` Pearson correlations over one sequence of items, each item giving
/// each correlation a pair or nothing; a correlation is `None` with fewer
/// than two pairs or no variance. Beside them, the pairs each one rests
/// on. The items are read twice (means, then centred sums) instead of
/// collected: on a large log they are millions of conversations.
pub fn pearson_each<const K: usize, I>(items: impl Fn() -> I) -> ([Option<f64>; K], [u64; K])
where
    I: Iterator<Item = [Option<(f64, f64)>; K]>,
{
    let mut n = [0usize; K];
    let (mut sx, mut sy) = ([-0.0; K], [-0.0; K]);
    // Whether x and y vary, decided on the values themselves: equal values
    // around an inexact mean leave a sum of squares a rounding error above
    // zero, and a correlation out of it.
    let mut first: [Option<(f64, f64)>; K] = [None; K];
    let (mut x_varies, mut y_varies) = ([false; K], [false; K]);
    for item in items() {
        for (k, pair) in item.into_iter().enumerate() {
            if let Some((x, y)) = pair {
                n[k] += 1;
                sx[k] += x;
                sy[k] += y;
                let (x0, y0) = *first[k].get_or_insert((x, y));
                x_varies[k] |= x - x0 != 0.0;
                y_varies[k] |= y - y0 != 0.0;
            }
        }
    }
    let mx: [f64; K] = std::array::from_fn(|k| sx[k] / n[k] as f64);
    let my: [f64; K] = std::array::from_fn(|k| sy[k] / n[k] as f64);
    let (mut sxy, mut sxx, mut syy) = ([0.0; K], [0.0; K], [0.0; K]);
    for item in items() {
        for (k, pair) in item.into_iter().enumerate() {
            if let Some((x, y)) = pair {
                sxy[k] += (x - mx[k]) * (y - my[k]);
                sxx[k] += (x - mx[k]) * (x - mx[k]);
                syy[k] += (y - my[k]) * (y - my[k]);
            }
        }
    }
    (
        std::array::from_fn(|k| {
            (n[k] >= 2 && x_varies[k] && y_varies[k])
                .then(|| sxy[k] / (sxx[k].sqrt() * syy[k].sqrt()))
        }),
        n.map(|n| n as u64),
    )
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

    fn pearson(pairs: &[(f64, f64)]) -> Option<f64> {
        let ([r], [n]) = pearson_each(|| pairs.iter().map(|&pair| [Some(pair)]));
        assert_eq!(n as usize, pairs.len());
        r
    }

    #[test]
    fn pearson_basics() {
        assert!(
            (pearson(&[(1.0, 0.0), (2.0, 0.0), (3.0, 1.0), (4.0, 1.0)]).unwrap() - 0.894_427_191)
                .abs()
                < 1e-6
        );
        assert_eq!(pearson(&[(1.0, 1.0)]), None);
        // 0.1 three times has an inexact mean: no variance all the same.
        assert_eq!(pearson(&[(0.1, 1.0), (0.1, 0.0), (0.1, 0.0)]), None);
        assert_eq!(pearson(&[(1.0, 1.0), (2.0, 1.0)]), None);
        assert_eq!(pearson(&[(1.0, 1.0), (1.0, 0.0)]), None);
    }

    #[test]
    fn pearson_each_matches_one_at_a_time() {
        // The first series is y = 2x (r = 1); the second leaves out the
        // middle item and is y = 10 - x (r = -1); the third has one pair.
        let items = [(1.0, 2.0), (2.0, 4.0), (3.0, 6.0)];
        let ([a, b, c], pairs) = pearson_each(|| {
            items.iter().enumerate().map(|(i, &(x, y))| {
                [
                    Some((x, y)),
                    (i != 1).then_some((x, 10.0 - x)),
                    (i == 0).then_some((x, y)),
                ]
            })
        });
        assert_eq!(a, pearson(&items));
        assert!((a.unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(b, pearson(&[(1.0, 9.0), (3.0, 7.0)]));
        assert!((b.unwrap() + 1.0).abs() < 1e-12);
        assert_eq!(pairs, [3, 2, 1]);
        assert_eq!(c, None);
        // No variance in y: undefined.
        assert_eq!(pearson(&[(1.0, 1.0), (2.0, 1.0)]), None);
    }
}
