//! One row per conversation in scope: the values quality, outcomes, red
//! flags, the drill-down list and the conversation CSV all read.

use rayon::prelude::*;

use super::direct::{FirstResponse, first_response};
use super::followups::lead_followups;
use super::segments::UNKNOWN;
use crate::import::timestamp::HourlyOffsets;
use crate::metrics::compact::{MaybeCode, MaybeSecs};
use crate::metrics::prepare::{Category, NONE, Prepared};
use crate::metrics::scope::Scope;
use crate::metrics::stats::median_in_place;

/// Names are held as codes into the prepared data (a 10M-message log has
/// millions of rows here; pointers to shared names cost more to copy and
/// free than the figures themselves). [`ConversationRow::id`] and its
/// siblings resolve them where a row is shown or exported. Six figures
/// read every row in turn, so the row is kept to 120 bytes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConversationRow {
    /// Conversation code: its id is `Prepared::conversation_ids[conv]`.
    pub conv: u32,
    /// Contact of the first row in scope; none when that row has none
    /// (the conversation id stands in).
    pub contact: MaybeCode,
    /// None is the "Unknown" segment.
    pub segment: MaybeCode,
    /// Agent of the first outbound row in scope.
    pub agent: MaybeCode,
    pub outcome: MaybeCode,
    pub messages: u32,
    pub outbound: u32,
    pub inbound: u32,
    pub first_ts: i64,
    pub last_ts: i64,
    pub first_response_secs: MaybeSecs,
    pub unanswered_first: bool,
    pub team_reply_median_secs: MaybeSecs,
    pub customer_reply_median_secs: MaybeSecs,
    /// Follow-up touches in scope, any status.
    pub followups: u32,
    /// Follow-ups before the first reply when the conversation is a lead.
    pub lead_followups: Option<u32>,
    /// Delivered non-broadcast touches in scope and how many were answered.
    pub touches: u32,
    pub responded: u32,
    pub balanced: Option<bool>,
    pub multi_thread: Option<bool>,
    pub quick_both_ways: Option<bool>,
    pub progressed: Option<bool>,
    pub positive: Option<bool>,
    pub quality_score: u8,
    pub value: Option<f64>,
    pub blocked: bool,
    pub is_group: bool,
}

impl ConversationRow {
    pub fn id<'p>(&self, p: &'p Prepared) -> &'p str {
        &p.conversation_ids[self.conv as usize]
    }

    pub fn contact_name<'p>(&self, p: &'p Prepared) -> &'p str {
        self.contact
            .get()
            .map_or_else(|| self.id(p), |c| &*p.contact.values[c as usize])
    }

    pub fn segment_name<'p>(&self, p: &'p Prepared) -> &'p str {
        self.segment
            .get()
            .map_or(UNKNOWN, |s| &*p.segment.values[s as usize])
    }

    pub fn agent_name<'p>(&self, p: &'p Prepared) -> Option<&'p str> {
        self.agent.get().map(|a| &*p.agent.values[a as usize])
    }

    pub fn outcome_name<'p>(&self, p: &'p Prepared) -> Option<&'p str> {
        self.outcome.get().map(|o| &*p.outcome.values[o as usize])
    }

    pub fn chat_type(&self) -> &'static str {
        if self.is_group { "group" } else { "direct" }
    }
}

pub fn compute(scope: &Scope) -> Vec<ConversationRow> {
    let p = scope.p;
    let has_outcome = p.has_outcome;
    let code = |c: u32| (c != NONE).then_some(c);
    // Each conversation's touches and runs are contiguous, so every row is
    // computed on its own, in parallel; each worker reuses its buffers for
    // the reply times whose medians it takes.
    let mut rows = p.spare.take_conversation_rows();
    scope
        .convs
        .par_iter()
        .map_init(
            || {
                (
                    Vec::new(),
                    Vec::new(),
                    HourlyOffsets::of_instants(*scope.zone),
                )
            },
            |(team, customer, clock): &mut (Vec<f64>, Vec<f64>, HourlyOffsets), c| {
                let conv = &p.conversations[c.conv as usize];
                team.clear();
                customer.clear();
                team.extend(
                    p.runs[conv.run_start as usize..conv.run_end as usize]
                        .iter()
                        .filter(|r| scope.in_period(r.first_ts))
                        .filter_map(|r| r.answer_ts().map(|at| (at - r.first_ts) as f64 / 1000.0)),
                );
                let mut followups = 0u32;
                let (mut t_count, mut t_resp) = (0u32, 0u32);
                for t in p.touches[conv.touch_start as usize..conv.touch_end as usize]
                    .iter()
                    .filter(|t| scope.in_period(t.start))
                {
                    if let Some(at) = t.response_at() {
                        customer.push((at - t.end) as f64 / 1000.0);
                    }
                    if t.category == Category::FollowUp {
                        followups += 1;
                    }
                    if t.delivered && t.category != Category::Broadcast {
                        t_count += 1;
                        t_resp += u32::from(t.responded);
                    }
                }
                let (lo, hi) = crate::metrics::scope::row_range(
                    p,
                    conv.start as usize,
                    conv.end as usize,
                    scope.from,
                    scope.to,
                );
                let agent = (lo..hi)
                    .find(|&r| p.outbound[r])
                    .and_then(|r| code(p.agent.codes[r]));
                let blocked = p.blocked_row[lo..hi].contains(&true);
                let fr = first_response(scope, c);
                let team_median = median_in_place(team);
                let customer_median = median_in_place(customer);
                let ratio_ok = c.inbound >= 1 && {
                    let r = f64::from(c.outbound) / f64::from(c.inbound);
                    (0.5..=2.0).contains(&r)
                };
                let quick = match (team_median, customer_median) {
                    (Some(t), Some(cu)) => Some(t <= 3_600.0 && cu <= 86_400.0),
                    _ => None,
                };
                let (progressed, positive) = if has_outcome {
                    (
                        Some(c.outcome.get().is_some() && !scope.is_negative(c)),
                        Some(scope.is_positive(c)),
                    )
                } else {
                    (None, None)
                };
                let direct = !c.is_group;
                let multi_thread =
                    direct.then(|| clock.day_number(c.first_ts) != clock.day_number(c.last_ts));
                let mut row = ConversationRow {
                    conv: c.conv,
                    contact: p.contact.codes.get(lo).copied().and_then(code).into(),
                    segment: c.segment,
                    agent: agent.into(),
                    outcome: c.outcome,
                    messages: c.rows,
                    outbound: c.outbound,
                    inbound: c.inbound,
                    first_ts: c.first_ts,
                    last_ts: c.last_ts,
                    first_response_secs: match fr {
                        FirstResponse::After(s) => Some(s),
                        _ => None,
                    }
                    .into(),
                    unanswered_first: fr == FirstResponse::Unanswered,
                    team_reply_median_secs: team_median.into(),
                    customer_reply_median_secs: customer_median.into(),
                    followups,
                    lead_followups: lead_followups(scope, c.conv),
                    touches: t_count,
                    responded: t_resp,
                    balanced: direct.then_some(ratio_ok),
                    multi_thread,
                    quick_both_ways: if direct { quick } else { None },
                    progressed: if direct { progressed } else { None },
                    positive: if direct { positive } else { None },
                    quality_score: 0,
                    value: c.value,
                    blocked,
                    is_group: c.is_group,
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
            },
        )
        .collect_into_vec(&mut rows);
    rows
}
