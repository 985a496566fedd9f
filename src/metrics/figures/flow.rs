//! Message flow: `flow.*`, plus the weekly series the flow chart draws.

use serde::Serialize;

use crate::metrics::prepare::Category;
use crate::metrics::scope::Scope;
use crate::metrics::stats::{rate, ratio};
use crate::metrics::{monday_on_or_before, shift_days};

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct FlowCounts {
    pub outbound: u64,
    pub inbound: u64,
    pub ratio: Option<f64>,
}

impl FlowCounts {
    fn finish(&mut self) {
        self.ratio = ratio(self.outbound as f64, self.inbound as f64);
    }
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct CategoryCounts {
    pub initial_outreach: u64,
    pub follow_up: u64,
    pub reply: u64,
    pub broadcast: u64,
}

impl CategoryCounts {
    pub fn get(&self, c: Category) -> u64 {
        match c {
            Category::InitialOutreach => self.initial_outreach,
            Category::FollowUp => self.follow_up,
            Category::Reply => self.reply,
            Category::Broadcast => self.broadcast,
        }
    }

    fn add(&mut self, c: Category) {
        match c {
            Category::InitialOutreach => self.initial_outreach += 1,
            Category::FollowUp => self.follow_up += 1,
            Category::Reply => self.reply += 1,
            Category::Broadcast => self.broadcast += 1,
        }
    }
}

/// One week (Monday 00:00 local) of the period.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Week {
    pub start: i64,
    pub outbound: u64,
    pub inbound: u64,
    pub ratio: Option<f64>,
    /// Delivered non-broadcast direct touches started this week.
    pub touches: u64,
    pub responded: u64,
    pub response_rate: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct FlowFigures {
    pub outbound: u64,
    pub inbound: u64,
    pub ratio: Option<f64>,
    pub direct: FlowCounts,
    pub group: FlowCounts,
    pub categories: CategoryCounts,
    pub weekly: Vec<Week>,
}

/// Week starts covering `[from, to)`.
pub fn week_starts(scope: &Scope) -> Vec<i64> {
    let mut starts = vec![monday_on_or_before(scope.zone, scope.from)];
    while let Some(&last) = starts.last() {
        let next = shift_days(scope.zone, last, 7);
        if next >= scope.to || starts.len() > 10_000 {
            break;
        }
        starts.push(next);
    }
    starts
}

pub fn compute(scope: &Scope) -> FlowFigures {
    let p = scope.p;
    let mut f = FlowFigures::default();
    let starts = week_starts(scope);
    let mut weeks: Vec<Week> = starts
        .iter()
        .map(|&start| Week {
            start,
            ..Week::default()
        })
        .collect();
    let week_of = |ts: i64| starts.partition_point(|&s| s <= ts).saturating_sub(1);
    for c in &scope.convs {
        let conv = &p.conversations[c.conv as usize];
        let (lo, hi) = crate::metrics::scope::row_range(
            p,
            conv.start as usize,
            conv.end as usize,
            scope.from,
            scope.to,
        );
        let counts = if c.is_group {
            &mut f.group
        } else {
            &mut f.direct
        };
        counts.outbound += u64::from(c.outbound);
        counts.inbound += u64::from(c.inbound);
        for r in lo..hi {
            let w = &mut weeks[week_of(p.ts[r])];
            if p.outbound[r] {
                w.outbound += 1;
                if let Some(cat) = p.row_category[r] {
                    f.categories.add(cat);
                }
            } else {
                w.inbound += 1;
            }
        }
    }
    for t in scope.response_touches() {
        let w = &mut weeks[week_of(t.start)];
        w.touches += 1;
        w.responded += u64::from(t.responded);
    }
    for w in &mut weeks {
        w.ratio = ratio(w.outbound as f64, w.inbound as f64);
        w.response_rate = rate(w.responded, w.touches);
    }
    f.direct.finish();
    f.group.finish();
    f.outbound = f.direct.outbound + f.group.outbound;
    f.inbound = f.direct.inbound + f.group.inbound;
    f.ratio = ratio(f.outbound as f64, f.inbound as f64);
    f.weekly = weeks;
    f
}
