//! One row per conversation in scope: the values quality, outcomes, red
//! flags, the drill-down list and the conversation CSV all read.

use rayon::prelude::*;
use std::sync::Arc;

use serde::Serialize;

use super::direct::{FirstResponse, first_response};
use super::followups::lead_followups;
use super::segments::UNKNOWN;
use crate::metrics::prepare::{Category, NONE};
use crate::metrics::scope::Scope;
use crate::metrics::stats::median;

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ConversationRow {
    pub conversation_id: Arc<str>,
    pub chat_type: &'static str,
    pub contact: Arc<str>,
    pub segment: Arc<str>,
    /// Agent of the first outbound row in scope.
    pub agent: Option<Arc<str>>,
    pub messages: u64,
    pub outbound: u64,
    pub inbound: u64,
    pub first_ts: i64,
    pub last_ts: i64,
    pub first_response_secs: Option<f64>,
    pub unanswered_first: bool,
    pub team_reply_median_secs: Option<f64>,
    pub customer_reply_median_secs: Option<f64>,
    /// Follow-up touches in scope, any status.
    pub followups: u64,
    /// Follow-ups before the first reply when the conversation is a lead.
    pub lead_followups: Option<u64>,
    /// Delivered non-broadcast touches in scope and how many were answered.
    pub touches: u64,
    pub responded: u64,
    pub balanced: Option<bool>,
    pub multi_thread: Option<bool>,
    pub quick_both_ways: Option<bool>,
    pub progressed: Option<bool>,
    pub positive: Option<bool>,
    pub quality_score: u8,
    pub outcome: Option<Arc<str>>,
    pub value: Option<f64>,
    pub blocked: bool,
    pub is_group: bool,
    #[serde(skip)]
    pub conv: u32,
}

pub fn compute(scope: &Scope) -> Vec<ConversationRow> {
    let p = scope.p;
    let has_outcome = p.has_outcome;
    let unknown: Arc<str> = Arc::from(UNKNOWN);
    // Each conversation's touches and runs are contiguous, so every row is
    // computed on its own, in parallel.
    scope
        .convs
        .par_iter()
        .map(|c| {
            let conv = &p.conversations[c.conv as usize];
            let team: Vec<f64> = p.runs[conv.run_start as usize..conv.run_end as usize]
                .iter()
                .filter(|r| scope.in_period(r.first_ts))
                .filter_map(|r| r.answer_ts.map(|at| (at - r.first_ts) as f64 / 1000.0))
                .collect();
            let mut customer: Vec<f64> = Vec::new();
            let mut followups = 0u64;
            let (mut t_count, mut t_resp) = (0u64, 0u64);
            for t in p.touches[conv.touch_start as usize..conv.touch_end as usize]
                .iter()
                .filter(|t| scope.in_period(t.start))
            {
                if let Some(at) = t.response_at {
                    customer.push((at - t.end) as f64 / 1000.0);
                }
                if t.category == Category::FollowUp {
                    followups += 1;
                }
                if t.delivered && t.category != Category::Broadcast {
                    t_count += 1;
                    t_resp += u64::from(t.responded);
                }
            }
            let (lo, hi) = crate::metrics::scope::row_range(
                p,
                conv.start as usize,
                conv.end as usize,
                scope.from,
                scope.to,
            );
            let agent = (lo..hi).find(|&r| p.outbound[r]).and_then(|r| {
                let code = p.agent.codes[r];
                (code != NONE).then(|| p.agent.values[code as usize].clone())
            });
            let blocked = (lo..hi).any(|r| p.blocked_row[r]);
            let fr = first_response(scope, c);
            let team_median = median(&team);
            let customer_median = median(&customer);
            let ratio_ok = c.inbound >= 1 && {
                let r = c.outbound as f64 / c.inbound as f64;
                (0.5..=2.0).contains(&r)
            };
            let first_day = scope.zone.local(c.first_ts).date();
            let last_day = scope.zone.local(c.last_ts).date();
            let quick = match (team_median, customer_median) {
                (Some(t), Some(cu)) => Some(t <= 3_600.0 && cu <= 86_400.0),
                _ => None,
            };
            let outcome = c.outcome.map(|o| p.outcome.values[o as usize].clone());
            let (progressed, positive) = if has_outcome {
                (
                    Some(c.outcome.is_some() && !scope.is_negative(c)),
                    Some(scope.is_positive(c)),
                )
            } else {
                (None, None)
            };
            let direct = !c.is_group;
            let mut row = ConversationRow {
                conversation_id: conv.id.clone(),
                chat_type: if c.is_group { "group" } else { "direct" },
                contact: match p.contact.codes.get(lo) {
                    Some(&code) if code != NONE => p.contact.values[code as usize].clone(),
                    _ => conv.id.clone(),
                },
                segment: c
                    .segment
                    .map_or_else(|| unknown.clone(), |s| p.segment.values[s as usize].clone()),
                agent,
                messages: c.rows,
                outbound: c.outbound,
                inbound: c.inbound,
                first_ts: c.first_ts,
                last_ts: c.last_ts,
                first_response_secs: match fr {
                    FirstResponse::After(s) => Some(s),
                    _ => None,
                },
                unanswered_first: fr == FirstResponse::Unanswered,
                team_reply_median_secs: team_median,
                customer_reply_median_secs: customer_median,
                followups,
                lead_followups: lead_followups(scope, c.conv),
                touches: t_count,
                responded: t_resp,
                balanced: direct.then_some(ratio_ok),
                multi_thread: direct.then_some(first_day != last_day),
                quick_both_ways: if direct { quick } else { None },
                progressed: if direct { progressed } else { None },
                positive: if direct { positive } else { None },
                quality_score: 0,
                outcome,
                value: c.value,
                blocked,
                is_group: c.is_group,
                conv: c.conv,
            };
            row.quality_score = [
                row.balanced,
                row.multi_thread,
                row.quick_both_ways,
                row.progressed,
                row.positive,
            ]
            .iter()
            .filter(|v| **v == Some(true))
            .count() as u8;
            row
        })
        .collect()
}
