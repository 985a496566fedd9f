//! Per-segment figures: `segments[]`.

use std::collections::BTreeMap;

use polars::prelude::PlHashMap;

use serde::Serialize;

use crate::metrics::scope::Scope;
use crate::metrics::stats::{rate, ratio};

pub const UNKNOWN: &str = "Unknown";

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct SegmentRow {
    pub segment: String,
    pub conversations: u64,
    pub messages: u64,
    pub avg_messages: Option<f64>,
    pub touches: u64,
    pub responded: u64,
    pub touch_response_rate: Option<f64>,
    pub positive: u64,
    pub conversion: Option<f64>,
}

/// Segment name of each conversation in scope (first non-empty, else Unknown).
pub fn segment_name(scope: &Scope, code: Option<u32>) -> String {
    code.map_or_else(
        || UNKNOWN.to_string(),
        |c| scope.p.segment.values[c as usize].to_string(),
    )
}

pub fn compute(scope: &Scope) -> Vec<SegmentRow> {
    // Tallied by segment code (None = Unknown), named at the end.
    let mut by_code: PlHashMap<Option<u32>, SegmentRow> = PlHashMap::default();
    let mut seg_of_conv: Vec<Option<Option<u32>>> = vec![None; scope.p.conversations.len()];
    for c in scope.direct_convs() {
        let row = by_code.entry(c.segment.get()).or_default();
        row.conversations += 1;
        row.messages += u64::from(c.rows);
        row.positive += u64::from(scope.is_positive(c));
        seg_of_conv[c.conv as usize] = Some(c.segment.get());
    }
    for t in scope.response_touches() {
        if let Some(row) = seg_of_conv[t.conv as usize].and_then(|s| by_code.get_mut(&s)) {
            row.touches += 1;
            row.responded += u64::from(t.responded);
        }
    }
    // A segment literally named "Unknown" joins the conversations without one.
    let mut rows: BTreeMap<String, SegmentRow> = BTreeMap::new();
    for (code, row) in by_code {
        let merged = rows.entry(segment_name(scope, code)).or_default();
        merged.conversations += row.conversations;
        merged.messages += row.messages;
        merged.positive += row.positive;
        merged.touches += row.touches;
        merged.responded += row.responded;
    }
    rows.into_iter()
        .map(|(segment, mut r)| {
            r.segment = segment;
            r.avg_messages = ratio(r.messages as f64, r.conversations as f64);
            r.touch_response_rate = rate(r.responded, r.touches);
            r.conversion = if scope.p.has_outcome {
                rate(r.positive, r.conversations)
            } else {
                None
            };
            r
        })
        .collect()
}
