//! Outcomes: the 80/20 view and correlation with positive outcomes.

use rayon::prelude::*;
use serde::Serialize;

use super::conversations::ConversationRow;
use crate::metrics::stats::{median_in_place, pearson_each, ratio};

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Cohort {
    pub conversations: u64,
    pub avg_messages: Option<f64>,
    pub median_first_response_secs: Option<f64>,
    pub touch_response_rate: Option<f64>,
    pub followups_per_lead: Option<f64>,
    /// What the figures above rest on: conversations with a first
    /// response, delivered non-broadcast touches and those responded, and
    /// leads.
    pub first_responses: u64,
    pub touches: u64,
    pub responded: u64,
    pub leads: u64,
}

impl Cohort {
    /// Every figure here is a count, a sum of counts or a median, none of
    /// which depends on the order the rows come in.
    fn of<'a>(rows: impl Iterator<Item = &'a ConversationRow>) -> Self {
        let (mut n, mut messages, mut touches, mut responded) = (0u64, 0u64, 0u64, 0u64);
        let (mut leads, mut lead_followups) = (0u64, 0u64);
        let mut firsts = Vec::new();
        for r in rows {
            n += 1;
            messages += u64::from(r.messages);
            touches += u64::from(r.touches);
            responded += u64::from(r.responded);
            firsts.extend(r.first_response_secs.get());
            if let Some(f) = r.lead_followups {
                leads += 1;
                lead_followups += u64::from(f);
            }
        }
        Self {
            conversations: n,
            avg_messages: ratio(messages as f64, n as f64),
            first_responses: firsts.len() as u64,
            median_first_response_secs: median_in_place(&mut firsts),
            touch_response_rate: ratio(responded as f64, touches as f64),
            followups_per_lead: ratio(lead_followups as f64, leads as f64),
            touches,
            responded,
            leads,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Pareto {
    pub conversations: u64,
    pub total_value: f64,
    pub share_for_80pct: Option<f64>,
    pub top: Cohort,
    pub rest: Cohort,
    /// Cumulative share of value against share of conversations, for the curve.
    #[serde(skip)]
    pub curve: Vec<(f64, f64)>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Correlation {
    pub message_count: Option<f64>,
    pub out_in_ratio: Option<f64>,
    pub median_team_reply_hours: Option<f64>,
    pub followup_count: Option<f64>,
}

/// The conversations each correlation rests on: those where its variable
/// is defined (a ratio needs an inbound row, a median reply an answered
/// run).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct CorrelationPairs {
    pub message_count: u64,
    pub out_in_ratio: u64,
    pub median_team_reply_hours: u64,
    pub followup_count: u64,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct OutcomeFigures {
    pub pareto: Pareto,
    pub correlation: Correlation,
    pub correlation_pairs: CorrelationPairs,
}

impl OutcomeFigures {
    /// Each correlation with the conversations it rests on, in the
    /// contract's order: message count, out/in ratio, median team reply
    /// hours, follow-up count.
    pub fn correlations(&self) -> [(Option<f64>, u64); 4] {
        let (k, n) = (&self.correlation, &self.correlation_pairs);
        [
            (k.message_count, n.message_count),
            (k.out_in_ratio, n.out_in_ratio),
            (k.median_team_reply_hours, n.median_team_reply_hours),
            (k.followup_count, n.followup_count),
        ]
    }
}

/// Steps per axis the Pareto curve is kept at: at most twice this many
/// points, and about a pixel apart on a 2,000-pixel chart.
pub const CURVE_RESOLUTION: usize = 2_000;

pub fn compute(rows: &[ConversationRow], has_value: bool, has_outcome: bool) -> OutcomeFigures {
    // Sorted on plain keys (value, conversation code, row index) so that the
    // comparisons stay in cache. Conversation codes follow id order, so ties
    // compare integers, not ids; codes are unique, so the order is total and
    // an unstable sort is exact.
    let keys: Vec<(f64, u32, u32)> = rows
        .par_iter()
        .enumerate()
        .filter(|(_, r)| !r.is_group)
        .map(|(i, r)| {
            let v = if has_value {
                r.value.unwrap_or(0.0)
            } else if r.positive == Some(true) {
                1.0
            } else {
                0.0
            };
            (v, r.conv, i as u32)
        })
        .collect();
    let keys = value_order(keys);
    let n = keys.len();
    // Summed from +0.0: `Sum` for floats starts at -0.0, which an empty
    // scope would show as "-0".
    let total: f64 = keys.iter().fold(0.0, |sum, k| sum + k.0);
    let mut share = None;
    // The curve keeps a point once it has moved a resolution step along
    // either axis since the last one kept, and the last: a chart has no
    // more pixels than that, and an SVG of millions of points would be
    // hundreds of megabytes. Between kept points the curve moves less than
    // a step (plus one conversation's share), so its chords stay on it.
    let resolution = 1.0 / CURVE_RESOLUTION as f64;
    let mut curve = vec![(0.0, 0.0)];
    let mut running = 0.0;
    for (k, key) in keys.iter().enumerate() {
        running += key.0;
        if share.is_none() && total > 0.0 && running >= 0.8 * total {
            share = Some((k + 1) as f64 / n as f64);
        }
        if total > 0.0 {
            let point = ((k + 1) as f64 / n as f64, running / total);
            let (x, y) = curve[curve.len() - 1];
            if point.0 - x >= resolution || point.1 - y >= resolution || k + 1 == n {
                curve.push(point);
            }
        }
    }
    // The cohorts and correlations read the rows in their own order: in
    // value order every row would be a cache miss.
    let top_n = ((0.2 * n as f64).ceil() as usize).min(n);
    let mut in_top = vec![false; rows.len()];
    for k in &keys[..top_n] {
        in_top[k.2 as usize] = true;
    }
    drop(keys);
    let direct = || rows.iter().enumerate().filter(|(_, r)| !r.is_group);
    let pareto = Pareto {
        conversations: n as u64,
        total_value: total,
        share_for_80pct: share,
        top: Cohort::of(direct().filter(|(i, _)| in_top[*i]).map(|(_, r)| r)),
        rest: Cohort::of(direct().filter(|(i, _)| !in_top[*i]).map(|(_, r)| r)),
        curve,
    };
    let (correlation, correlation_pairs) = if has_outcome {
        let (
            [
                message_count,
                out_in_ratio,
                median_team_reply_hours,
                followup_count,
            ],
            pairs,
        ) = pearson_each(|| {
            direct().map(|(_, r)| {
                let y = f64::from(u8::from(r.positive == Some(true)));
                [
                    Some(f64::from(r.messages)),
                    ratio(f64::from(r.outbound), f64::from(r.inbound)),
                    r.team_reply_median_secs.get().map(|s| s / 3_600.0),
                    Some(f64::from(r.followups)),
                ]
                .map(|x| x.map(|x| (x, y)))
            })
        });
        (
            Correlation {
                message_count,
                out_in_ratio,
                median_team_reply_hours,
                followup_count,
            },
            CorrelationPairs {
                message_count: pairs[0],
                out_in_ratio: pairs[1],
                median_team_reply_hours: pairs[2],
                followup_count: pairs[3],
            },
        )
    } else {
        Default::default()
    };
    OutcomeFigures {
        pareto,
        correlation,
        correlation_pairs,
    }
}

/// Keys by falling value, ties by conversation code. Most conversations
/// have no value (a key of +0.0): those keep their order, which is already
/// by code when rows come in code order, and only the others are sorted and
/// placed around them.
fn value_order(keys: Vec<(f64, u32, u32)>) -> Vec<(f64, u32, u32)> {
    let by_value =
        |a: &(f64, u32, u32), b: &(f64, u32, u32)| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1));
    let is_zero = |k: &(f64, u32, u32)| k.0.to_bits() == 0;
    let (mut zero, mut valued): (Vec<_>, Vec<_>) = keys.into_par_iter().partition(is_zero);
    if !zero.windows(2).all(|w| w[0].1 < w[1].1) {
        zero.par_sort_unstable_by(by_value);
    }
    valued.par_sort_unstable_by(by_value);
    // Keys above +0.0 in the total order come first, the ones below last.
    let above = valued.partition_point(|k| k.0.total_cmp(&0.0).is_gt());
    let below = valued.split_off(above);
    valued.extend(zero);
    valued.extend(below);
    valued
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(conv: u32, value: f64) -> ConversationRow {
        ConversationRow {
            conv,
            value: Some(value),
            ..ConversationRow::default()
        }
    }

    #[test]
    fn value_order_is_the_full_sort() {
        // Zero values (the common case) around positive, negative and -0.0
        // values, rows in code order except for a few.
        let values = [0.0, 5.0, 0.0, -2.0, -0.0, 0.0, 5.0, 1.5, 0.0, -2.0, 0.0];
        let mut keys: Vec<(f64, u32, u32)> = values
            .iter()
            .enumerate()
            .map(|(i, &v)| (v, i as u32, i as u32))
            .collect();
        let mut expected = keys.clone();
        expected.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let bits = |k: &[(f64, u32, u32)]| -> Vec<(u64, u32)> {
            k.iter().map(|&(v, c, _)| (v.to_bits(), c)).collect()
        };
        assert_eq!(bits(&value_order(keys.clone())), bits(&expected));
        keys.swap(0, 5);
        keys.swap(2, 10);
        assert_eq!(bits(&value_order(keys)), bits(&expected));
    }

    #[test]
    fn short_curve_keeps_every_point() {
        // Values 3, 1 in falling order: total 4, shares 3/4 then 4/4.
        let f = compute(&[row(0, 1.0), row(1, 3.0)], true, false);
        assert_eq!(f.pareto.curve, vec![(0.0, 0.0), (0.5, 0.75), (1.0, 1.0)]);
        // 80% of 4 is 3.2, reached by both conversations.
        assert_eq!(f.pareto.share_for_80pct, Some(1.0));
    }

    #[test]
    fn long_curve_is_thinned_but_exact_where_kept() {
        // 10,000 conversations of value 1..=10000, total 10000 · 10001 / 2.
        let n = 10_000u32;
        let rows: Vec<ConversationRow> = (0..n).map(|i| row(i, f64::from(i + 1))).collect();
        let f = compute(&rows, true, false);
        let curve = &f.pareto.curve;
        assert!(curve.len() <= 2 * CURVE_RESOLUTION + 2, "{}", curve.len());
        assert!(curve.len() < n as usize / 2, "{}", curve.len());
        assert_eq!(curve[0], (0.0, 0.0));
        assert_eq!(*curve.last().unwrap(), (1.0, 1.0));
        let total = f64::from(n) * f64::from(n + 1) / 2.0;
        // After the top k conversations: n + (n - 1) + … + (n + 1 - k).
        let exact = |k: f64| (k * f64::from(n + 1) - k * (k + 1.0) / 2.0) / total;
        for &(x, y) in &curve[1..] {
            let k = (x * f64::from(n)).round();
            assert!((y - exact(k)).abs() < 1e-12, "{x} {y}");
        }
        // No gap wider than a step plus one conversation on either axis; the
        // largest conversation's share is n / total.
        let step = 1.0 / CURVE_RESOLUTION as f64;
        for w in curve.windows(2) {
            assert!(w[1].0 > w[0].0);
            assert!(w[1].0 - w[0].0 <= step + 1.0 / f64::from(n) + 1e-12);
            assert!(w[1].1 - w[0].1 <= step + f64::from(n) / total + 1e-12);
        }
    }
}
