//! The metric engine: every figure of METRICS.md, computed from the
//! canonical table. Pure functions from (table, settings, filters) to plain
//! serialisable results; the GUI, the exports and the CLI only show them.

pub mod compact;
pub mod figures;
pub mod prepare;
pub mod scope;
pub mod spare;
pub mod stats;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::import::ReportZone;
pub use figures::Report;
pub use prepare::{Category, Prepared};

/// Red-flag thresholds: warning and critical, as the value's own unit
/// (ratios for the send/receive ratio, fractions for shares and rates).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    pub warning: f64,
    pub critical: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Thresholds {
    pub high_send_low_receive: Threshold,
    pub single_message_chats: Threshold,
    pub long_reply_gaps: Threshold,
    pub unanswered_messages: Threshold,
    pub high_block_rate: Threshold,
    pub falling_response_rate: Threshold,
}

impl Default for Thresholds {
    fn default() -> Self {
        let t = |warning, critical| Threshold { warning, critical };
        Self {
            high_send_low_receive: t(2.0, 3.0),
            single_message_chats: t(0.20, 0.35),
            long_reply_gaps: t(0.10, 0.25),
            unanswered_messages: t(0.75, 0.85),
            high_block_rate: t(0.01, 0.03),
            falling_response_rate: t(0.20, 0.40),
        }
    }
}

/// METRICS.md §2 settings, with the red-flag thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub burst_gap_secs: i64,
    pub response_window_secs: i64,
    pub reply_sla_secs: i64,
    pub active_days: i64,
    pub inactivity_close_secs: i64,
    /// Slot starts in local hours: morning, afternoon, evening, night.
    pub slot_starts: [u32; 4],
    /// Weekend days, Monday = 0.
    pub weekend_days: Vec<u32>,
    pub positive_outcomes: Vec<String>,
    pub negative_outcomes: Vec<String>,
    pub thresholds: Thresholds,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            burst_gap_secs: 10 * 60,
            response_window_secs: 7 * 86_400,
            reply_sla_secs: 24 * 3_600,
            active_days: 30,
            inactivity_close_secs: 7 * 86_400,
            slot_starts: [8, 12, 17, 21],
            weekend_days: vec![5, 6],
            positive_outcomes: [
                "won",
                "converted",
                "resolved",
                "success",
                "closed_won",
                "closed-won",
                "yes",
                "true",
                "1",
            ]
            .map(String::from)
            .to_vec(),
            negative_outcomes: ["lost", "closed_lost", "no", "false", "0", "churned"]
                .map(String::from)
                .to_vec(),
            thresholds: Thresholds::default(),
        }
    }
}

impl Settings {
    /// Settings that change how touches and responses are derived (a change
    /// needs a new [`Prepared`]); the rest only change the aggregation.
    pub fn derivation_key(&self) -> (i64, i64) {
        (self.burst_gap_secs, self.response_window_secs)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatType {
    Direct,
    Group,
}

/// The active filters. Times are instants (epoch ms); `None` bounds take
/// the default period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Filters {
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub chat_type: Option<ChatType>,
    pub segments: Vec<String>,
    pub agents: Vec<String>,
}

/// Default period: local midnight of the first row's date to local
/// midnight after the last row's date.
pub fn default_period(prepared: &Prepared, zone: &ReportZone) -> Option<(i64, i64)> {
    let first = zone.local(prepared.data_first?).date();
    let last = zone.local(prepared.data_last?).date();
    Some((zone.midnight(first), zone.midnight(last.succ_opt()?)))
}

/// Shifts an instant by whole days of wall-clock time in the zone.
pub fn shift_days(zone: &ReportZone, ms: i64, days: i64) -> i64 {
    zone.to_instant(zone.local(ms) + Duration::days(days))
}

/// Local midnight of the Monday on or before `ms`.
pub fn monday_on_or_before(zone: &ReportZone, ms: i64) -> i64 {
    let local: NaiveDateTime = zone.local(ms);
    let date: NaiveDate = local.date();
    let back = i64::from(date.weekday().num_days_from_monday());
    let monday = date - Duration::days(back);
    let at = zone.midnight(monday);
    if at > ms {
        zone.midnight(monday - Duration::days(7))
    } else {
        at
    }
}

/// Everything the engine computes for one table, settings and filters.
pub fn compute(
    prepared: &Prepared,
    settings: &Settings,
    filters: &Filters,
    zone: &ReportZone,
) -> Report {
    figures::report(prepared, settings, filters, zone)
}

/// Convenience for callers holding the canonical table: collect, prepare
/// and compute.
pub fn compute_lazy(
    table: LazyFrame,
    settings: &Settings,
    filters: &Filters,
    zone: &ReportZone,
) -> PolarsResult<Report> {
    let df = table.collect()?;
    let prepared = prepare::prepare(&df, settings)?;
    Ok(compute(&prepared, settings, filters, zone))
}
