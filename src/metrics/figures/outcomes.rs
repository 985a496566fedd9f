//! Outcomes: the 80/20 view and correlation with positive outcomes.

use rayon::prelude::*;
use serde::Serialize;

use super::conversations::ConversationRow;
use crate::metrics::stats::{median_in_place, pearson, ratio};

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Cohort {
    pub conversations: u64,
    pub avg_messages: Option<f64>,
    pub median_first_response_secs: Option<f64>,
    pub touch_response_rate: Option<f64>,
    pub followups_per_lead: Option<f64>,
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
            messages += r.messages;
            touches += r.touches;
            responded += r.responded;
            firsts.extend(r.first_response_secs);
            if let Some(f) = r.lead_followups {
                leads += 1;
                lead_followups += f;
            }
        }
        Self {
            conversations: n,
            avg_messages: ratio(messages as f64, n as f64),
            median_first_response_secs: median_in_place(&mut firsts),
            touch_response_rate: ratio(responded as f64, touches as f64),
            followups_per_lead: ratio(lead_followups as f64, leads as f64),
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

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct OutcomeFigures {
    pub pareto: Pareto,
    pub correlation: Correlation,
}

pub fn compute(rows: &[ConversationRow], has_value: bool, has_outcome: bool) -> OutcomeFigures {
    // Sorted on plain keys (value, conversation code, row index) so that the
    // comparisons stay in cache. Conversation codes follow id order, so ties
    // compare integers, not ids; codes are unique, so the order is total and
    // an unstable sort is exact.
    let mut keys: Vec<(f64, u32, u32)> = rows
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
    keys.par_sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let n = keys.len();
    let total: f64 = keys.iter().map(|k| k.0).sum();
    let mut share = None;
    let mut curve = vec![(0.0, 0.0)];
    let mut running = 0.0;
    for (k, key) in keys.iter().enumerate() {
        running += key.0;
        if share.is_none() && total > 0.0 && running >= 0.8 * total {
            share = Some((k + 1) as f64 / n as f64);
        }
        if total > 0.0 {
            curve.push(((k + 1) as f64 / n as f64, running / total));
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
    let correlation = if has_outcome {
        let y = |r: &ConversationRow| f64::from(u8::from(r.positive == Some(true)));
        let pairs = |x: &dyn Fn(&ConversationRow) -> Option<f64>| -> Option<f64> {
            let v: Vec<(f64, f64)> = direct()
                .filter_map(|(_, r)| x(r).map(|xv| (xv, y(r))))
                .collect();
            pearson(&v)
        };
        Correlation {
            message_count: pairs(&|r| Some(r.messages as f64)),
            out_in_ratio: pairs(&|r| ratio(r.outbound as f64, r.inbound as f64)),
            median_team_reply_hours: pairs(&|r| r.team_reply_median_secs.map(|s| s / 3_600.0)),
            followup_count: pairs(&|r| Some(r.followups as f64)),
        }
    } else {
        Correlation::default()
    };
    OutcomeFigures {
        pareto,
        correlation,
    }
}
