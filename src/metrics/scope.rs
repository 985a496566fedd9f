//! What is in scope: rows in `[from, to)` of conversations that pass the
//! filters, and the per-conversation values taken from those rows.

use std::collections::HashSet;

use rayon::prelude::*;

use super::compact::MaybeCode;
use super::prepare::{InboundRun, NONE, Prepared, Touch};
use super::{ChatType, Filters, Settings};
use crate::import::ReportZone;

/// A conversation's values from its rows in scope (METRICS.md §5). Every
/// figure reads these, a million and more on a large log, so counts are
/// 32-bit (a conversation has fewer rows than the table, whose rows are
/// numbered in 32 bits) and codes compact.
#[derive(Debug, Clone)]
pub struct ConvStats {
    pub conv: u32,
    pub is_group: bool,
    pub rows: u32,
    pub outbound: u32,
    pub inbound: u32,
    pub first_ts: i64,
    pub last_ts: i64,
    /// First inbound row in scope.
    pub first_inbound: MaybeCode,
    pub segment: MaybeCode,
    /// Last non-empty outcome in scope.
    pub outcome: MaybeCode,
    /// Last non-empty value in scope.
    pub value: Option<f64>,
    /// Latest `closed_at` in scope.
    pub closed_at: Option<i64>,
    /// Largest `group_members` in scope.
    pub members: Option<i64>,
}

pub struct Scope<'a> {
    pub p: &'a Prepared,
    pub settings: &'a Settings,
    pub zone: &'a ReportZone,
    pub from: i64,
    pub to: i64,
    /// Conversations that pass the chat-type, segment and agent filters.
    pub conv_ok: Vec<bool>,
    /// Conversations with at least one row in scope, in id order.
    pub convs: Vec<ConvStats>,
    /// Whether each distinct outcome value is in the positive / negative set.
    positive: Vec<bool>,
    negative: Vec<bool>,
}

impl<'a> Scope<'a> {
    pub fn new(
        p: &'a Prepared,
        settings: &'a Settings,
        zone: &'a ReportZone,
        filters: &Filters,
        from: i64,
        to: i64,
    ) -> Self {
        let segment_codes: HashSet<u32> = filters
            .segments
            .iter()
            .filter_map(|s| p.segment.values.iter().position(|v| **v == **s))
            .map(|i| i as u32)
            .collect();
        let wants_unknown_segment = filters
            .segments
            .iter()
            .any(|s| s == super::figures::segments::UNKNOWN);
        // A name no row has selects nothing; `Unassigned` is the rows
        // without an agent, as the agents' table names them.
        let agent_codes: HashSet<u32> = filters
            .agents
            .iter()
            .flat_map(|a| {
                let named = p.agent.values.iter().position(|v| **v == **a);
                let unassigned = (a == super::figures::agents::UNASSIGNED).then_some(NONE);
                named.map(|i| i as u32).into_iter().chain(unassigned)
            })
            .collect();
        // A conversation's segment and agents come from its rows in scope,
        // as every per-conversation value does (METRICS.md §5): the filter
        // keeps what the segments' and agents' tables list.
        let range = |c: &super::prepare::Conversation| {
            row_range(p, c.start as usize, c.end as usize, from, to)
        };
        let reads_rows = !filters.segments.is_empty() || !filters.agents.is_empty();
        let passes = |c: &super::prepare::Conversation| {
            let type_ok = match filters.chat_type {
                None => true,
                Some(ChatType::Group) => c.is_group,
                Some(ChatType::Direct) => !c.is_group,
            };
            if !type_ok || !reads_rows {
                return type_ok;
            }
            let (lo, hi) = range(c);
            let segment_ok = filters.segments.is_empty()
                || match p.segment.codes[lo..hi].iter().find(|&&code| code != NONE) {
                    Some(code) => segment_codes.contains(code),
                    None => wants_unknown_segment,
                };
            segment_ok
                && (filters.agents.is_empty()
                    || (lo..hi).any(|r| p.outbound[r] && agent_codes.contains(&p.agent.codes[r])))
        };
        let conv_ok: Vec<bool> = p.conversations.par_iter().map(passes).collect();
        // Which conversations are in scope first, so that their stats are
        // written straight into place (a filtered parallel collect would
        // hold every stat twice on the way).
        let in_scope: Vec<(u32, u32, u32)> = p
            .conversations
            .par_iter()
            .enumerate()
            .filter_map(|(ci, c)| {
                if !conv_ok[ci] {
                    return None;
                }
                let (lo, hi) = range(c);
                (lo < hi).then_some((ci as u32, lo as u32, hi as u32))
            })
            .collect();
        let mut convs = p.spare.take_conv_stats();
        in_scope
            .par_iter()
            .map(|&(ci, lo, hi)| {
                let (ci, lo, hi) = (ci as usize, lo as usize, hi as usize);
                let c = &p.conversations[ci];
                let (mut outbound, mut inbound) = (0u32, 0u32);
                let (mut first_inbound, mut segment, mut outcome) = (None, None, None);
                for r in lo..hi {
                    if p.outbound[r] {
                        outbound += 1;
                    } else {
                        inbound += 1;
                        first_inbound.get_or_insert(r as u32);
                    }
                    let seg = p.segment.codes[r];
                    if segment.is_none() && seg != NONE {
                        segment = Some(seg);
                    }
                    let out = p.outcome.codes[r];
                    if out != NONE {
                        outcome = Some(out);
                    }
                }
                let conv = ci as u32;
                ConvStats {
                    conv,
                    is_group: c.is_group,
                    rows: (hi - lo) as u32,
                    outbound,
                    inbound,
                    first_ts: p.ts[lo],
                    last_ts: p.ts[hi - 1],
                    first_inbound: first_inbound.into(),
                    segment: segment.into(),
                    outcome: outcome.into(),
                    value: p.value.in_rows(conv, lo, hi).last().copied(),
                    closed_at: p.closed_at.in_rows(conv, lo, hi).iter().copied().max(),
                    members: p.group_members.in_rows(conv, lo, hi).iter().copied().max(),
                }
            })
            .collect_into_vec(&mut convs);
        let in_set = |set: &Vec<String>| -> Vec<bool> {
            let set: HashSet<String> = set.iter().map(|s| s.trim().to_lowercase()).collect();
            p.outcome
                .values
                .iter()
                .map(|v| set.contains(&v.trim().to_lowercase()))
                .collect()
        };
        Self {
            p,
            settings,
            zone,
            from,
            to,
            conv_ok,
            convs,
            positive: in_set(&settings.positive_outcomes),
            negative: in_set(&settings.negative_outcomes),
        }
    }

    pub fn in_period(&self, ts: i64) -> bool {
        ts >= self.from && ts < self.to
    }

    /// Indices of the touches in scope of direct conversations, in order.
    /// Read through the conversations in scope: a short period or a narrow
    /// filter then reads only its own touches, not every touch in the log.
    pub fn direct_touch_indices(&self) -> impl Iterator<Item = usize> + '_ {
        let p = self.p;
        self.direct_convs().flat_map(move |c| {
            let conv = &p.conversations[c.conv as usize];
            (conv.touch_start as usize..conv.touch_end as usize)
                .filter(move |&i| self.in_period(p.touches[i].start))
        })
    }

    /// Touches in scope of direct conversations.
    pub fn direct_touches(&self) -> impl Iterator<Item = &'a Touch> + '_ {
        self.direct_touch_indices().map(|i| &self.p.touches[i])
    }

    /// Delivered non-broadcast direct touches in scope: the population of
    /// every touch response rate.
    pub fn response_touches(&self) -> impl Iterator<Item = &'a Touch> + '_ {
        self.direct_touches()
            .filter(|t| t.delivered && t.category != super::Category::Broadcast)
    }

    pub fn direct_runs(&self) -> impl Iterator<Item = &'a InboundRun> + '_ {
        let p = self.p;
        self.direct_convs().flat_map(move |c| {
            let conv = &p.conversations[c.conv as usize];
            p.runs[conv.run_start as usize..conv.run_end as usize]
                .iter()
                .filter(move |r| self.in_period(r.first_ts))
        })
    }

    pub fn direct_convs(&self) -> impl Iterator<Item = &ConvStats> + '_ {
        self.convs.iter().filter(|c| !c.is_group)
    }

    pub fn is_positive(&self, c: &ConvStats) -> bool {
        c.outcome.get().is_some_and(|o| self.positive[o as usize])
    }

    pub fn is_negative(&self, c: &ConvStats) -> bool {
        c.outcome.get().is_some_and(|o| self.negative[o as usize])
    }
}

impl Drop for Scope<'_> {
    fn drop(&mut self) {
        self.p
            .spare
            .give_conv_stats(std::mem::take(&mut self.convs));
    }
}

/// Rows `lo..hi` of a conversation slice whose time is in `[from, to)`;
/// the slice is sorted by time, so two binary searches find them.
pub fn row_range(p: &Prepared, start: usize, end: usize, from: i64, to: i64) -> (usize, usize) {
    let slice = &p.ts[start..end];
    let lo = slice.partition_point(|&t| t < from);
    let hi = slice.partition_point(|&t| t < to);
    (start + lo, start + hi.max(lo))
}
