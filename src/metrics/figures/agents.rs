//! Per-agent figures: `agents[]`.

use std::collections::BTreeMap;

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
    /// Inbound runs this agent answered, which the median rests on.
    pub team_reply_runs: u64,
}

#[derive(Default)]
struct Acc {
    conversations: u64,
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
        scope.p.agent.values[code as usize].to_string()
    }
}

pub fn compute(scope: &Scope) -> Vec<AgentRow> {
    let p = scope.p;
    // Indexed by agent code while counting; the last slot holds rows with no
    // agent, and an agent literally named "Unassigned" counts there too, so
    // that a conversation with both is one conversation of that row.
    let unassigned = p.agent.values.len();
    // Each code's slot, looked up once per value rather than once per row.
    let slots: Vec<usize> = p
        .agent
        .values
        .iter()
        .enumerate()
        .map(|(k, v)| if &**v == UNASSIGNED { unassigned } else { k })
        .collect();
    let slot = |code: u32| slots.get(code as usize).copied().unwrap_or(unassigned);
    let mut acc: Vec<Acc> = (0..=unassigned).map(|_| Acc::default()).collect();
    let mut used = vec![false; unassigned + 1];
    let mut in_conv: Vec<usize> = Vec::new();
    for c in scope.direct_convs() {
        let conv = &p.conversations[c.conv as usize];
        let (lo, hi) = row_range(
            p,
            conv.start as usize,
            conv.end as usize,
            scope.from,
            scope.to,
        );
        in_conv.clear();
        for r in lo..hi {
            if p.outbound[r] {
                let k = slot(p.agent.codes[r]);
                acc[k].messages += 1;
                used[k] = true;
                if !in_conv.contains(&k) {
                    in_conv.push(k);
                }
            }
        }
        for &k in &in_conv {
            acc[k].conversations += 1;
        }
    }
    // A touch in scope starts on an outbound row in scope, so its agent is
    // listed already; so is a run's answerer only when they wrote in scope.
    for t in scope.response_touches() {
        let a = &mut acc[slot(t.agent)];
        a.touches += 1;
        a.responded += u64::from(t.responded);
        if t.category == Category::FollowUp {
            a.followups += 1;
            a.followups_responded += u64::from(t.responded);
        }
    }
    for run in scope.direct_runs() {
        if let (Some(row), Some(at)) = (run.answer_row(), run.answer_ts()) {
            let k = slot(p.agent.codes[row as usize]);
            acc[k].replies.push((at - run.first_ts) as f64 / 1000.0);
        }
    }
    let by_name: BTreeMap<String, Acc> = acc
        .into_iter()
        .enumerate()
        .filter(|(k, _)| used[*k])
        .map(|(k, a)| {
            let code = if k == unassigned { NONE } else { k as u32 };
            (name(scope, code), a)
        })
        .collect();
    by_name
        .into_iter()
        .map(|(agent, a)| AgentRow {
            agent,
            conversations: a.conversations,
            messages_sent: a.messages,
            touches: a.touches,
            responded: a.responded,
            touch_response_rate: rate(a.responded, a.touches),
            followups: a.followups,
            followup_response_rate: rate(a.followups_responded, a.followups),
            median_team_reply_secs: median(&a.replies),
            team_reply_runs: a.replies.len() as u64,
        })
        .collect()
}
