//! Group chats: `groups.*`.

use std::collections::HashSet;

use serde::Serialize;

use crate::metrics::prepare::NONE;
use crate::metrics::scope::{Scope, row_range};
use crate::metrics::shift_days;
use crate::metrics::stats::ratio;

/// One group, for the groups chart and table.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GroupRow {
    pub group: String,
    pub active: bool,
    pub messages: u64,
    pub outbound: u64,
    pub inbound: u64,
    pub members: Option<i64>,
    pub inbound_senders: u64,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct GroupFigures {
    pub active_groups: u64,
    pub messages_to_groups: u64,
    pub reach: u64,
    pub reach_estimated: bool,
    pub engagement_rate: Option<f64>,
    /// Inbound group rows counted as engagement (the rate's numerator).
    pub engaged_messages: u64,
    pub member_participation: Option<f64>,
    /// What participation rests on: distinct inbound senders over members,
    /// summed over the active groups with a member count.
    pub participating_senders: u64,
    pub participation_members: i64,
    pub group_conversations: u64,
    pub list: Vec<GroupRow>,
}

pub fn compute(scope: &Scope) -> GroupFigures {
    let p = scope.p;
    let mut f = GroupFigures {
        reach_estimated: !p.has_group_members,
        ..GroupFigures::default()
    };
    let active_from = shift_days(scope.zone, scope.to, -scope.settings.active_days);
    let window_ms = scope.settings.response_window_secs * 1000;
    let mut engaged = 0u64;
    let mut participants_sum = 0u64;
    let mut members_sum = 0i64;
    let mut any_members = false;
    for (ci, conv) in p.conversations.iter().enumerate() {
        if !conv.is_group || !scope.conv_ok[ci] {
            continue;
        }
        let (start, end) = (conv.start as usize, conv.end as usize);
        let (lo, hi) = row_range(p, start, end, active_from, scope.to);
        let active = hi > lo;
        // Scope's conversations are in code order; groups are few, so a
        // search beats indexing millions of direct chats.
        let stats = scope
            .convs
            .binary_search_by_key(&(ci as u32), |c| c.conv)
            .ok()
            .map(|i| &scope.convs[i]);
        let mut senders: HashSet<u32> = HashSet::new();
        let mut inbound_senders: HashSet<u32> = HashSet::new();
        let mut latest_touch = NONE;
        let mut outbound = 0u64;
        let mut inbound = 0u64;
        for r in start..end {
            let in_scope = scope.in_period(p.ts[r]);
            if p.outbound[r] {
                latest_touch = p.touch_of_row[r];
                if in_scope {
                    outbound += 1;
                }
            } else {
                // Engagement is the touch's, as a response is: a touch that
                // started in scope is answered by a row after `to` too.
                if latest_touch != NONE {
                    let t = &p.touches[latest_touch as usize];
                    if scope.in_period(t.start) && p.ts[r] - t.end <= window_ms {
                        engaged += 1;
                    }
                }
                if in_scope {
                    inbound += 1;
                    if p.sender.codes[r] != NONE {
                        inbound_senders.insert(p.sender.codes[r]);
                    }
                }
            }
            if in_scope {
                let who = if p.has_sender {
                    p.sender.codes[r]
                } else {
                    p.agent.codes[r]
                };
                if who != NONE {
                    senders.insert(who);
                }
            }
        }
        f.messages_to_groups += outbound;
        if stats.is_some() {
            f.group_conversations += 1;
        }
        let members = stats.and_then(|s| s.members);
        if active {
            f.active_groups += 1;
            f.reach += if p.has_group_members {
                members.unwrap_or(0).max(0) as u64
            } else {
                senders.len() as u64
            };
            if let Some(m) = members {
                any_members = true;
                members_sum += m;
                participants_sum += inbound_senders.len() as u64;
            }
        }
        if stats.is_some() || active {
            f.list.push(GroupRow {
                group: p.conversation_ids[ci].to_string(),
                active,
                messages: outbound + inbound,
                outbound,
                inbound,
                members,
                inbound_senders: inbound_senders.len() as u64,
            });
        }
    }
    f.engaged_messages = engaged;
    f.engagement_rate = ratio(engaged as f64, f.messages_to_groups as f64);
    f.participating_senders = participants_sum;
    f.participation_members = members_sum;
    f.member_participation = if p.has_group_members && any_members {
        ratio(participants_sum as f64, members_sum as f64)
    } else {
        None
    };
    f
}
