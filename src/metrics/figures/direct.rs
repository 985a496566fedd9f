//! One-to-one chats: `direct.*`.

use serde::Serialize;

use crate::metrics::scope::{ConvStats, Scope};
use crate::metrics::stats::{Summary, mean, median_in_place, ratio};

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Resolution {
    pub median: Option<f64>,
    pub mean: Option<f64>,
    pub count: u64,
    pub derived_count: u64,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct DirectFigures {
    pub conversations: u64,
    pub messages_sent: u64,
    pub messages_received: u64,
    pub avg_messages_per_chat: Option<f64>,
    pub first_response_secs: Summary,
    pub unanswered_first: u64,
    pub resolution_secs: Resolution,
}

/// The team's first response in a conversation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FirstResponse {
    /// No inbound row in scope.
    NoInbound,
    /// Nothing outbound came after the first inbound row.
    Unanswered,
    /// Seconds from the first inbound row in scope to the next outbound row.
    After(f64),
}

pub fn first_response(scope: &Scope, c: &ConvStats) -> FirstResponse {
    let Some(row) = c.first_inbound.get() else {
        return FirstResponse::NoInbound;
    };
    let p = scope.p;
    // The run holding the row is among the conversation's own runs.
    let conv = &p.conversations[c.conv as usize];
    let runs = &p.runs[conv.run_start as usize..conv.run_end as usize];
    let k = runs.partition_point(|run| run.first_row <= row);
    match runs[k - 1].answer_ts() {
        Some(at) => FirstResponse::After((at - p.ts[row as usize]) as f64 / 1000.0),
        None => FirstResponse::Unanswered,
    }
}

pub fn compute(scope: &Scope) -> DirectFigures {
    let mut f = DirectFigures::default();
    let mut first_responses = Vec::new();
    let mut resolutions = Vec::new();
    let inactivity_ms = scope.settings.inactivity_close_secs * 1000;
    let data_last = scope.p.data_last.unwrap_or(0);
    for c in scope.direct_convs() {
        f.conversations += 1;
        f.messages_sent += u64::from(c.outbound);
        f.messages_received += u64::from(c.inbound);
        match first_response(scope, c) {
            FirstResponse::After(secs) => first_responses.push(secs),
            FirstResponse::NoInbound => {}
            FirstResponse::Unanswered => f.unanswered_first += 1,
        }
        if let Some(closed) = c.closed_at {
            resolutions.push((closed - c.first_ts) as f64 / 1000.0);
        } else if data_last - c.last_ts >= inactivity_ms {
            resolutions.push((c.last_ts - c.first_ts) as f64 / 1000.0);
            f.resolution_secs.derived_count += 1;
        }
    }
    f.avg_messages_per_chat = ratio(
        (f.messages_sent + f.messages_received) as f64,
        f.conversations as f64,
    );
    f.first_response_secs = Summary::of(first_responses);
    f.resolution_secs.mean = mean(&resolutions);
    f.resolution_secs.median = median_in_place(&mut resolutions);
    f.resolution_secs.count = resolutions.len() as u64;
    f
}
