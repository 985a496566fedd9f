//! Per-agent figures: `agents[]`.

use std::collections::{BTreeMap, HashSet};

use polars::prelude::PlHashMap;

use serde::Serialize;

use crate::metrics::prepare::{Category, NONE};
use crate::metrics::scope::{Scope, row_range};
use crate::metrics::stats::{median, rate};

pub const UNASSIGNED: &str = "Unassigned";

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct AgentRow {
    pub agent: String,
    pub conversations: u64,
    pub messages_sent: u64,
    pub touches: u64,
    pub responded: u64,
    pub touch_response_rate: Option<f64>,
    pub followups: u64,
    pub followup_response_rate: Option<f64>,
    pub median_team_reply_secs: Option<f64>,
}

#[derive(Default)]
struct Acc {
    conversations: HashSet<u32>,
    messages: u64,
    touches: u64,
    responded: u64,
    followups: u64,
    followups_responded: u64,
    replies: Vec<f64>,
}

fn name(scope: &Scope, code: u32) -> String {
    if code == NONE {
        UNASSIGNED.to_string()
    } else {
        scope.p.agent.values[code as usize].clone()
    }
}

pub fn compute(scope: &Scope) -> Vec<AgentRow> {
    let p = scope.p;
    // Keyed by agent code while counting; named (and merged by name) at the end.
    let mut acc: PlHashMap<u32, Acc> = PlHashMap::default();
    for c in scope.direct_convs() {
        let conv = &p.conversations[c.conv as usize];
        let (lo, hi) = row_range(
            p,
            conv.start as usize,
            conv.end as usize,
            scope.from,
            scope.to,
        );
        for r in lo..hi {
            if p.outbound[r] {
                let a = acc.entry(p.agent.codes[r]).or_default();
                a.messages += 1;
                a.conversations.insert(c.conv);
            }
        }
    }
    for t in scope.response_touches() {
        let a = acc.entry(t.agent).or_default();
        a.touches += 1;
        a.responded += u64::from(t.responded);
        if t.category == Category::FollowUp {
            a.followups += 1;
            a.followups_responded += u64::from(t.responded);
        }
    }
    for run in scope.direct_runs() {
        if let (Some(row), Some(at)) = (run.answer_row, run.answer_ts) {
            acc.entry(p.agent.codes[row as usize])
                .or_default()
                .replies
                .push((at - run.first_ts) as f64 / 1000.0);
        }
    }
    let by_name: BTreeMap<String, Acc> = acc
        .into_iter()
        .map(|(code, a)| (name(scope, code), a))
        .collect();
    by_name
        .into_iter()
        .map(|(agent, a)| AgentRow {
            agent,
            conversations: a.conversations.len() as u64,
            messages_sent: a.messages,
            touches: a.touches,
            responded: a.responded,
            touch_response_rate: rate(a.responded, a.touches),
            followups: a.followups,
            followup_response_rate: rate(a.followups_responded, a.followups),
            median_team_reply_secs: median(&a.replies),
        })
        .collect()
}
