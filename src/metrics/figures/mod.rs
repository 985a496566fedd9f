//! The figures of METRICS.md §4, one module per group, and the report that
//! holds them all in the JSON layout of §5.

pub mod agents;
pub mod conversations;
pub mod direct;
pub mod flow;
pub mod followups;
pub mod groups;
pub mod outcomes;
pub mod quality;
pub mod red_flags;
pub mod segments;
pub mod timing;

use serde::Serialize;

use super::prepare::Prepared;
use super::scope::Scope;
use super::{Filters, Settings, default_period, shift_days};
use crate::import::{ImportReport, ReportZone};

pub use agents::AgentRow;
pub use conversations::ConversationRow;
pub use direct::DirectFigures;
pub use flow::FlowFigures;
pub use followups::FollowupFigures;
pub use groups::GroupFigures;
pub use outcomes::OutcomeFigures;
pub use quality::QualityFigures;
pub use red_flags::{RedFlag, Severity};
pub use segments::SegmentRow;
pub use timing::TimingFigures;

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Median {
    pub median: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct CompareDirect {
    pub conversations: u64,
    pub messages_sent: u64,
    pub messages_received: u64,
    pub avg_messages_per_chat: Option<f64>,
    pub first_response_secs: Median,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct CompareGroups {
    pub active_groups: u64,
    pub messages_to_groups: u64,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct CompareFlow {
    pub outbound: u64,
    pub inbound: u64,
    pub ratio: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct CompareFollowups {
    pub scheduled: u64,
    pub completion_rate: Option<f64>,
    pub response_rate: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct CompareTiming {
    pub touch_response_rate: Option<f64>,
    pub team_reply_secs: Median,
    pub customer_reply_secs: Median,
}

/// The key figures of the previous comparable period.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Compare {
    /// `None` when there is no period: no rows and no bounds given.
    pub from: Option<String>,
    pub to: Option<String>,
    pub shift_days: i64,
    pub direct: CompareDirect,
    pub groups: CompareGroups,
    pub flow: CompareFlow,
    pub followups: CompareFollowups,
    pub timing: CompareTiming,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Meta {
    pub tz: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub data_first: Option<String>,
    pub data_last: Option<String>,
    pub settings: Settings,
    pub filters: Filters,
    pub rows: u64,
    #[serde(skip)]
    pub from_ms: i64,
    #[serde(skip)]
    pub to_ms: i64,
}

/// Every figure for one table, settings and filters.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub direct: DirectFigures,
    pub groups: GroupFigures,
    pub flow: FlowFigures,
    pub followups: FollowupFigures,
    pub timing: TimingFigures,
    pub agents: Vec<AgentRow>,
    pub segments: Vec<SegmentRow>,
    pub quality: QualityFigures,
    pub red_flags: Vec<RedFlag>,
    pub outcomes: OutcomeFigures,
    pub compare: Compare,
    pub meta: Meta,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub import: Option<ImportReport>,
    /// One row per conversation in scope (drill-down and conversation CSV).
    #[serde(skip)]
    pub conversations: Vec<ConversationRow>,
}

struct Core {
    direct: DirectFigures,
    groups: GroupFigures,
    flow: FlowFigures,
    followups: FollowupFigures,
    timing: TimingFigures,
}

/// The figure groups read the scope independently, so they run side by side.
fn core(scope: &Scope) -> Core {
    let ((direct, groups), (flow, (followups, timing))) = rayon::join(
        || rayon::join(|| direct::compute(scope), || groups::compute(scope)),
        || {
            rayon::join(
                || flow::compute(scope),
                || rayon::join(|| followups::compute(scope), || timing::compute(scope)),
            )
        },
    );
    Core {
        direct,
        groups,
        flow,
        followups,
        timing,
    }
}

pub fn report(p: &Prepared, settings: &Settings, filters: &Filters, zone: &ReportZone) -> Report {
    let (default_from, default_to) = default_period(p, zone).unwrap_or((0, 0));
    let from = filters.from.unwrap_or(default_from);
    let to = filters.to.unwrap_or(default_to);
    // Without rows the default period is no period at all.
    let has_period = p.rows > 0;
    // The previous comparable period: shifted back by whole weeks so that
    // weekdays line up. An empty period has nothing to compare and stays.
    let days = (zone.local(to) - zone.local(from)).num_seconds().max(0) as f64 / 86_400.0;
    let shift = (days / 7.0).ceil() as i64 * 7;
    let prev_from = shift_days(zone, from, -shift);
    let prev_to = shift_days(zone, to, -shift);

    let scope = Scope::new(p, settings, zone, filters, from, to);
    let ((c, conversations), (prev, (agents, segments))) = rayon::join(
        || rayon::join(|| core(&scope), || conversations::compute(&scope)),
        || {
            rayon::join(
                || core(&Scope::new(p, settings, zone, filters, prev_from, prev_to)),
                || rayon::join(|| agents::compute(&scope), || segments::compute(&scope)),
            )
        },
    );
    let (red_flags, (quality, outcomes)) = rayon::join(
        || red_flags::compute(&scope, &conversations, c.timing.touch_response_rate),
        || {
            rayon::join(
                || quality::compute(&conversations),
                || outcomes::compute(&conversations, p.has_value, p.has_outcome),
            )
        },
    );
    let compare = Compare {
        from: has_period.then(|| zone.format_iso(prev_from)),
        to: has_period.then(|| zone.format_iso(prev_to)),
        shift_days: shift,
        direct: CompareDirect {
            conversations: prev.direct.conversations,
            messages_sent: prev.direct.messages_sent,
            messages_received: prev.direct.messages_received,
            avg_messages_per_chat: prev.direct.avg_messages_per_chat,
            first_response_secs: Median {
                median: prev.direct.first_response_secs.median,
            },
        },
        groups: CompareGroups {
            active_groups: prev.groups.active_groups,
            messages_to_groups: prev.groups.messages_to_groups,
        },
        flow: CompareFlow {
            outbound: prev.flow.outbound,
            inbound: prev.flow.inbound,
            ratio: prev.flow.ratio,
        },
        followups: CompareFollowups {
            scheduled: prev.followups.scheduled,
            completion_rate: prev.followups.completion_rate,
            response_rate: prev.followups.response_rate,
        },
        timing: CompareTiming {
            touch_response_rate: prev.timing.touch_response_rate,
            team_reply_secs: Median {
                median: prev.timing.team_reply_secs.median,
            },
            customer_reply_secs: Median {
                median: prev.timing.customer_reply_secs.median,
            },
        },
    };
    Report {
        agents,
        segments,
        quality,
        outcomes,
        red_flags,
        compare,
        meta: Meta {
            tz: zone.name().to_string(),
            from: has_period.then(|| zone.format_iso(from)),
            to: has_period.then(|| zone.format_iso(to)),
            data_first: p.data_first.map(|t| zone.format_iso(t)),
            data_last: p.data_last.map(|t| zone.format_iso(t)),
            settings: settings.clone(),
            filters: filters.clone(),
            rows: p.rows as u64,
            from_ms: from,
            to_ms: to,
        },
        import: None,
        conversations,
        direct: c.direct,
        groups: c.groups,
        flow: c.flow,
        followups: c.followups,
        timing: c.timing,
    }
}
