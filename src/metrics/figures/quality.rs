//! Conversation quality indicators: `quality.*`.

use serde::Serialize;

use super::conversations::ConversationRow;

/// How many conversations an indicator is true, false or not computable for.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Tally {
    #[serde(rename = "true")]
    pub yes: u64,
    #[serde(rename = "false")]
    pub no: u64,
    #[serde(rename = "null")]
    pub unknown: u64,
}

impl Tally {
    fn add(&mut self, v: Option<bool>) {
        match v {
            Some(true) => self.yes += 1,
            Some(false) => self.no += 1,
            None => self.unknown += 1,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ScoreDistribution {
    #[serde(rename = "0")]
    pub s0: u64,
    #[serde(rename = "1")]
    pub s1: u64,
    #[serde(rename = "2")]
    pub s2: u64,
    #[serde(rename = "3")]
    pub s3: u64,
    #[serde(rename = "4")]
    pub s4: u64,
    #[serde(rename = "5")]
    pub s5: u64,
}

impl ScoreDistribution {
    pub fn values(&self) -> [u64; 6] {
        [self.s0, self.s1, self.s2, self.s3, self.s4, self.s5]
    }
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct QualityFigures {
    pub conversations: u64,
    pub balanced: Tally,
    pub multi_thread: Tally,
    pub quick_both_ways: Tally,
    pub progressed: Tally,
    pub positive: Tally,
    pub score_distribution: ScoreDistribution,
}

pub fn compute(rows: &[ConversationRow]) -> QualityFigures {
    let mut f = QualityFigures::default();
    for r in rows.iter().filter(|r| !r.is_group) {
        f.conversations += 1;
        f.balanced.add(r.balanced);
        f.multi_thread.add(r.multi_thread);
        f.quick_both_ways.add(r.quick_both_ways);
        f.progressed.add(r.progressed);
        f.positive.add(r.positive);
        let d = &mut f.score_distribution;
        match r.quality_score {
            0 => d.s0 += 1,
            1 => d.s1 += 1,
            2 => d.s2 += 1,
            3 => d.s3 += 1,
            4 => d.s4 += 1,
            _ => d.s5 += 1,
        }
    }
    f
}
