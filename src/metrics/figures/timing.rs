//! Responses and timing: `timing.*`.

use serde::Serialize;

use super::followups::PositionRate;
use crate::import::timestamp::HourlyOffsets;
use crate::metrics::scope::Scope;
use crate::metrics::stats::{Summary, rate};

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ReplySummary {
    pub median: Option<f64>,
    pub mean: Option<f64>,
    pub count: u64,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ReplyBuckets {
    pub lt_1m: u64,
    #[serde(rename = "1m_5m")]
    pub m1_5: u64,
    #[serde(rename = "5m_60m")]
    pub m5_60: u64,
    #[serde(rename = "1h_4h")]
    pub h1_4: u64,
    #[serde(rename = "4h_24h")]
    pub h4_24: u64,
    pub ge_24h: u64,
    pub unanswered: u64,
}

impl ReplyBuckets {
    pub const LABELS: [&'static str; 7] = [
        "< 1 min",
        "1–5 min",
        "5–60 min",
        "1–4 h",
        "4–24 h",
        "≥ 24 h",
        "Unanswered",
    ];

    pub fn values(&self) -> [u64; 7] {
        [
            self.lt_1m,
            self.m1_5,
            self.m5_60,
            self.h1_4,
            self.h4_24,
            self.ge_24h,
            self.unanswered,
        ]
    }

    fn add(&mut self, secs: Option<f64>) {
        match secs {
            None => self.unanswered += 1,
            Some(s) if s < 60.0 => self.lt_1m += 1,
            Some(s) if s < 300.0 => self.m1_5 += 1,
            Some(s) if s < 3_600.0 => self.m5_60 += 1,
            Some(s) if s < 14_400.0 => self.h1_4 += 1,
            Some(s) if s < 86_400.0 => self.h4_24 += 1,
            Some(_) => self.ge_24h += 1,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct BySlot {
    pub morning: PositionRate,
    pub afternoon: PositionRate,
    pub evening: PositionRate,
    pub night: PositionRate,
    pub weekend: PositionRate,
}

impl BySlot {
    pub const LABELS: [&'static str; 5] = ["Morning", "Afternoon", "Evening", "Night", "Weekend"];

    pub fn all(&self) -> [&PositionRate; 5] {
        [
            &self.morning,
            &self.afternoon,
            &self.evening,
            &self.night,
            &self.weekend,
        ]
    }

    fn all_mut(&mut self) -> [&mut PositionRate; 5] {
        [
            &mut self.morning,
            &mut self.afternoon,
            &mut self.evening,
            &mut self.night,
            &mut self.weekend,
        ]
    }
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ByWeekday {
    #[serde(rename = "Monday")]
    pub monday: PositionRate,
    #[serde(rename = "Tuesday")]
    pub tuesday: PositionRate,
    #[serde(rename = "Wednesday")]
    pub wednesday: PositionRate,
    #[serde(rename = "Thursday")]
    pub thursday: PositionRate,
    #[serde(rename = "Friday")]
    pub friday: PositionRate,
    #[serde(rename = "Saturday")]
    pub saturday: PositionRate,
    #[serde(rename = "Sunday")]
    pub sunday: PositionRate,
}

impl ByWeekday {
    pub const LABELS: [&'static str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

    pub fn all(&self) -> [&PositionRate; 7] {
        [
            &self.monday,
            &self.tuesday,
            &self.wednesday,
            &self.thursday,
            &self.friday,
            &self.saturday,
            &self.sunday,
        ]
    }

    fn all_mut(&mut self) -> [&mut PositionRate; 7] {
        [
            &mut self.monday,
            &mut self.tuesday,
            &mut self.wednesday,
            &mut self.thursday,
            &mut self.friday,
            &mut self.saturday,
            &mut self.sunday,
        ]
    }
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Heatmap {
    pub touches: [[u64; 24]; 7],
    pub responded: [[u64; 24]; 7],
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct TimingFigures {
    pub touch_response_rate: Option<f64>,
    /// Delivered non-broadcast direct touches: the rate's base.
    pub touches: u64,
    pub responded: u64,
    pub team_reply_secs: Summary,
    pub customer_reply_secs: ReplySummary,
    pub team_reply_buckets: ReplyBuckets,
    pub by_slot: BySlot,
    pub by_weekday: ByWeekday,
    pub heatmap: Heatmap,
}

/// Slot index (0 morning … 3 night, 4 weekend) of a local weekday and hour.
pub fn slot_of(settings: &crate::metrics::Settings, weekday: u32, hour: u32) -> usize {
    if settings.weekend_days.contains(&weekday) {
        return 4;
    }
    let [morning, afternoon, evening, night] = settings.slot_starts;
    if hour >= morning && hour < afternoon {
        0
    } else if hour >= afternoon && hour < evening {
        1
    } else if hour >= evening && hour < night {
        2
    } else {
        3
    }
}

pub fn compute(scope: &Scope) -> TimingFigures {
    let mut f = TimingFigures::default();
    let mut clock = HourlyOffsets::of_instants(*scope.zone);
    for t in scope.response_touches() {
        f.touches += 1;
        f.responded += u64::from(t.responded);
        let (weekday, hour) = clock.weekday_hour(t.start);
        f.by_slot.all_mut()[slot_of(scope.settings, weekday, hour)].add(t.responded);
        f.by_weekday.all_mut()[weekday as usize].add(t.responded);
        f.heatmap.touches[weekday as usize][hour as usize] += 1;
        f.heatmap.responded[weekday as usize][hour as usize] += u64::from(t.responded);
    }
    f.touch_response_rate = rate(f.responded, f.touches);
    for s in f.by_slot.all_mut() {
        s.finish();
    }
    for d in f.by_weekday.all_mut() {
        d.finish();
    }
    let mut team = Vec::new();
    for run in scope.direct_runs() {
        let secs = run
            .answer_ts()
            .map(|at| (at - run.first_ts) as f64 / 1000.0);
        f.team_reply_buckets.add(secs);
        team.extend(secs);
    }
    f.team_reply_secs = Summary::of(team);
    let customer: Vec<f64> = scope
        .direct_touches()
        .filter_map(|t| t.response_at().map(|at| (at - t.end) as f64 / 1000.0))
        .collect();
    let s = Summary::of(customer);
    f.customer_reply_secs = ReplySummary {
        median: s.median,
        mean: s.mean,
        count: s.count,
    };
    f
}
