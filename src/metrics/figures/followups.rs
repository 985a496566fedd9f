//! Follow-ups: `followups.*` and the decay of response rate by position.

use serde::Serialize;

use crate::metrics::prepare::{Category, Touch};
use crate::metrics::scope::{Scope, row_range};
use crate::metrics::stats::{mean, median_in_place, rate, ratio};

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct PositionRate {
    pub touches: u64,
    pub responded: u64,
    pub rate: Option<f64>,
}

impl PositionRate {
    pub fn add(&mut self, responded: bool) {
        self.touches += 1;
        self.responded += u64::from(responded);
    }

    pub fn finish(&mut self) {
        self.rate = rate(self.responded, self.touches);
    }
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ByPosition {
    #[serde(rename = "1")]
    pub p1: PositionRate,
    #[serde(rename = "2")]
    pub p2: PositionRate,
    #[serde(rename = "3")]
    pub p3: PositionRate,
    #[serde(rename = "4")]
    pub p4: PositionRate,
    #[serde(rename = "5+")]
    pub p5_plus: PositionRate,
}

impl ByPosition {
    pub const LABELS: [&'static str; 5] = ["1", "2", "3", "4", "5+"];

    pub fn all(&self) -> [&PositionRate; 5] {
        [&self.p1, &self.p2, &self.p3, &self.p4, &self.p5_plus]
    }

    fn slot(&mut self, position: u32) -> &mut PositionRate {
        match position {
            0 | 1 => &mut self.p1,
            2 => &mut self.p2,
            3 => &mut self.p3,
            4 => &mut self.p4,
            _ => &mut self.p5_plus,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct DaysBetween {
    pub median: Option<f64>,
    pub mean: Option<f64>,
    pub count: u64,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct FollowupFigures {
    pub scheduled: u64,
    pub completed: u64,
    pub completion_rate: Option<f64>,
    pub response_rate: Option<f64>,
    /// Delivered follow-up touches: the response rate's base.
    pub delivered: u64,
    pub responded: u64,
    pub by_position: ByPosition,
    pub initial_outreach_response_rate: Option<f64>,
    pub initial_outreach_touches: u64,
    pub avg_per_lead: Option<f64>,
    pub leads: u64,
    pub days_between: DaysBetween,
}

/// Follow-up touches before the first reply, when the conversation is a
/// lead: its first row in scope starts an initial-outreach touch. That row
/// is the conversation's first in scope, as every per-conversation value
/// is, so a conversation whose category column marks a later touch as
/// outreach is a lead of a period beginning with that touch.
pub fn lead_followups(scope: &Scope, conv: u32) -> Option<u32> {
    let p = scope.p;
    let c = &p.conversations[conv as usize];
    if c.touch_start == c.touch_end || !scope.conv_ok[conv as usize] {
        return None;
    }
    let (first_row, end) = row_range(p, c.start as usize, c.end as usize, scope.from, scope.to);
    if first_row == end {
        return None;
    }
    let touches = &p.touches[c.touch_start as usize..c.touch_end as usize];
    let first = touches
        .binary_search_by_key(&(first_row as u32), |t| t.first_row)
        .ok()
        .map(|i| &touches[i])?;
    if first.category != Category::InitialOutreach {
        return None;
    }
    let limit = c.first_inbound_row.get().unwrap_or(u32::MAX);
    Some(
        p.touches[c.touch_start as usize..c.touch_end as usize]
            .iter()
            .filter(|t| {
                t.category == Category::FollowUp && scope.in_period(t.start) && t.first_row < limit
            })
            .count() as u32,
    )
}

fn previous_touch<'a>(scope: &Scope<'a>, index: usize) -> Option<&'a Touch> {
    let t = &scope.p.touches[index];
    let c = &scope.p.conversations[t.conv as usize];
    (index > c.touch_start as usize).then(|| &scope.p.touches[index - 1])
}

pub fn compute(scope: &Scope) -> FollowupFigures {
    let p = scope.p;
    let mut f = FollowupFigures::default();
    let mut io = PositionRate::default();
    let mut gaps = Vec::new();
    for i in scope.direct_touch_indices() {
        let t = &p.touches[i];
        match t.category {
            Category::FollowUp => {
                f.scheduled += 1;
                if t.delivered {
                    f.completed += 1;
                    f.delivered += 1;
                    f.responded += u64::from(t.responded);
                    f.by_position.slot(t.position).add(t.responded);
                }
                if let Some(prev) = previous_touch(scope, i) {
                    gaps.push((t.start - prev.start) as f64 / 86_400_000.0);
                }
            }
            Category::InitialOutreach if t.delivered => io.add(t.responded),
            _ => {}
        }
    }
    f.completion_rate = rate(f.completed, f.scheduled);
    f.response_rate = rate(f.responded, f.delivered);
    for pos in [
        &mut f.by_position.p1,
        &mut f.by_position.p2,
        &mut f.by_position.p3,
        &mut f.by_position.p4,
        &mut f.by_position.p5_plus,
    ] {
        pos.finish();
    }
    io.finish();
    f.initial_outreach_response_rate = io.rate;
    f.initial_outreach_touches = io.touches;
    let mut total = 0u64;
    for c in scope.direct_convs() {
        if let Some(n) = lead_followups(scope, c.conv) {
            f.leads += 1;
            total += u64::from(n);
        }
    }
    f.avg_per_lead = ratio(total as f64, f.leads as f64);
    f.days_between = DaysBetween {
        mean: mean(&gaps),
        median: median_in_place(&mut gaps),
        count: gaps.len() as u64,
    };
    f
}
