//! Red flags: `red_flags[]`, each with its value, thresholds, severity and
//! the conversations (or contacts) behind it.

use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use super::conversations::ConversationRow;
use crate::metrics::scope::Scope;
use crate::metrics::stats::{rate, ratio};
use crate::metrics::{Threshold, monday_on_or_before, shift_days};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Ok,
    Warning,
    Critical,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RedFlag {
    pub id: &'static str,
    pub value: Option<f64>,
    pub warning: f64,
    pub critical: f64,
    pub severity: Option<Severity>,
    /// Names shared with the prepared data, sorted.
    pub offenders: Vec<Arc<str>>,
    /// What the value rests on (conversations, runs, touches, contacts).
    pub based_on: u64,
    /// Why the value is null, when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<&'static str>,
}

/// Every flag, in the order the report lists them.
pub const IDS: [&str; 6] = [
    "high_send_low_receive",
    "single_message_chats",
    "long_reply_gaps",
    "unanswered_messages",
    "high_block_rate",
    "falling_response_rate",
];

/// What each flag means, its likely cause and the action to take.
pub struct FlagText {
    pub title: &'static str,
    /// What the value measures, in a manager's words.
    pub measures: &'static str,
    pub cause: &'static str,
    pub action: &'static str,
    /// Offenders are contacts rather than conversations.
    pub contacts: bool,
    /// What `based_on` counts, one and many.
    pub counts: (&'static str, &'static str),
}

impl FlagText {
    /// "1 contact", "537 conversations": a flag's offenders, counted.
    pub fn offenders(&self, n: usize) -> String {
        let (one, many) = if self.contacts {
            ("contact", "contacts")
        } else {
            ("conversation", "conversations")
        };
        crate::format::count_of(n as u64, one, many)
    }
}

pub fn describe(id: &str) -> FlagText {
    let t = |title, measures, cause, action, contacts, counts| FlagText {
        title,
        measures,
        cause,
        action,
        contacts,
        counts,
    };
    match id {
        "high_send_low_receive" => t(
            "High send, low receive",
            "Messages the team sent per message customers sent, in one-to-one chats.",
            "Too many messages without engagement; content or targeting is off.",
            "Cut volume, personalise the messages and review who is being contacted.",
            false,
            ("message received", "messages received"),
        ),
        "single_message_chats" => t(
            "Single-message chats",
            "One-to-one chats that hold a single message, of all one-to-one chats.",
            "Conversations that never got going: a weak opener or the wrong audience.",
            "Rework the first message and qualify contacts before reaching out.",
            false,
            ("conversation", "conversations"),
        ),
        "long_reply_gaps" => t(
            "Long reply gaps",
            "Runs of customer messages the team answered later than the reply SLA, or has not answered although the SLA has passed, of all runs.",
            "The team answers late or not at all: too few people or poor routing.",
            "Add coverage at busy hours, set up alerts and route chats to free agents.",
            false,
            ("inbound run", "inbound runs"),
        ),
        "unanswered_messages" => t(
            "Unanswered messages",
            "Delivered team messages in one-to-one chats, broadcasts aside, that no customer answered: 100% minus the touch response rate.",
            "Contacts are not responding: messaging at the wrong time or without value.",
            "Change send times, shorten sequences and give each message a clear reason.",
            true,
            ("touch", "touches"),
        ),
        "high_block_rate" => t(
            "High block rate",
            "Contacts who blocked the team, per contact the team wrote to in one-to-one chats; it can pass 100% when contacts block without being written to.",
            "Contacts are blocking the number: spam-like behaviour.",
            "Stop unsolicited sends at once and review consent and frequency.",
            true,
            ("contact written to", "contacts written to"),
        ),
        _ => t(
            "Falling response rate",
            "How far the touch response rate of the last full week (Monday to Monday) fell below the week before it, as a share of the earlier week's rate.",
            "Fatigue or declining relevance: the same contacts hear the same thing.",
            "Refresh the messaging and rest contacts that were touched often.",
            false,
            ("touch", "touches"),
        ),
    }
}

fn flag(
    id: &'static str,
    value: Option<f64>,
    th: Threshold,
    offenders: Vec<Arc<str>>,
    based_on: u64,
) -> RedFlag {
    let severity = value.map(|v| {
        if v > th.critical {
            Severity::Critical
        } else if v > th.warning {
            Severity::Warning
        } else {
            Severity::Ok
        }
    });
    RedFlag {
        id,
        value,
        warning: th.warning,
        critical: th.critical,
        severity,
        offenders,
        based_on,
        missing: None,
    }
}

/// Contact names in text order; contact codes follow first appearance.
fn sorted(names: impl Iterator<Item = Arc<str>>) -> Vec<Arc<str>> {
    let mut v: Vec<Arc<str>> = names.collect();
    v.par_sort_unstable();
    v
}

pub fn compute(
    scope: &Scope,
    rows: &[ConversationRow],
    touch_response_rate: Option<f64>,
) -> Vec<RedFlag> {
    // The flags read the scope on their own, so they run side by side;
    // the two that read the touches share one pass over them.
    let ((send, singles), (gaps, ((unanswered, falling), block))) = rayon::join(
        || {
            rayon::join(
                || high_send_low_receive(scope, rows),
                || single_message_chats(scope, rows),
            )
        },
        || {
            rayon::join(
                || long_reply_gaps(scope),
                || {
                    rayon::join(
                        || touch_flags(scope, touch_response_rate),
                        || high_block_rate(scope, rows),
                    )
                },
            )
        },
    );
    vec![send, singles, gaps, unanswered, block, falling]
}

fn direct(rows: &[ConversationRow]) -> impl Iterator<Item = &ConversationRow> {
    rows.iter().filter(|r| !r.is_group)
}

/// Conversation codes follow id order and rows are in code order, so lists
/// of conversations come out sorted.
fn conversation_id(scope: &Scope, conv: u32) -> Arc<str> {
    scope.p.conversation_ids[conv as usize].clone()
}

fn high_send_low_receive(scope: &Scope, rows: &[ConversationRow]) -> RedFlag {
    let (out, inb) = direct(rows).fold((0u64, 0u64), |(o, i), r| {
        (o + u64::from(r.outbound), i + u64::from(r.inbound))
    });
    flag(
        "high_send_low_receive",
        ratio(out as f64, inb as f64),
        scope.settings.thresholds.high_send_low_receive,
        direct(rows)
            .filter(|r| {
                r.outbound >= 5 && f64::from(r.outbound) / f64::from(r.inbound.max(1)) >= 5.0
            })
            .map(|r| conversation_id(scope, r.conv))
            .collect(),
        inb,
    )
}

fn single_message_chats(scope: &Scope, rows: &[ConversationRow]) -> RedFlag {
    let mut chats = 0u64;
    let mut singles = Vec::new();
    for r in direct(rows) {
        chats += 1;
        if r.messages == 1 {
            singles.push(conversation_id(scope, r.conv));
        }
    }
    flag(
        "single_message_chats",
        rate(singles.len() as u64, chats),
        scope.settings.thresholds.single_message_chats,
        singles,
        chats,
    )
}

fn long_reply_gaps(scope: &Scope) -> RedFlag {
    let p = scope.p;
    let sla_ms = scope.settings.reply_sla_secs * 1000;
    let data_last = p.data_last.unwrap_or(0);
    let mut runs = 0u64;
    let mut breaches = 0u64;
    // Dense tallies indexed by code: conversations and contacts number in
    // the millions on large logs, where hashing each row dominates.
    let mut breached = vec![false; p.conversations.len()];
    for run in scope.direct_runs() {
        runs += 1;
        let breach = match run.answer_ts() {
            Some(at) => at - run.first_ts > sla_ms,
            None => data_last - run.first_ts > sla_ms,
        };
        if breach {
            breaches += 1;
            breached[run.conv as usize] = true;
        }
    }
    flag(
        "long_reply_gaps",
        rate(breaches, runs),
        scope.settings.thresholds.long_reply_gaps,
        breached
            .iter()
            .enumerate()
            .filter(|(_, b)| **b)
            .map(|(c, _)| conversation_id(scope, c as u32))
            .collect(),
        runs,
    )
}

/// The flags read from the touches: unanswered messages, and the falling
/// response rate (the last full week against the one before; both weeks
/// must lie inside the period).
fn touch_flags(scope: &Scope, touch_response_rate: Option<f64>) -> (RedFlag, RedFlag) {
    // Per contact, its touches in the low bits and whether any was
    // answered in the top one: four bytes a contact, of which large logs
    // have millions.
    const ANSWERED: u32 = 1 << 31;
    let p = scope.p;
    let last_end = monday_on_or_before(scope.zone, scope.to);
    let last_start = shift_days(scope.zone, last_end, -7);
    let prev_start = shift_days(scope.zone, last_end, -14);
    let weeks_inside = prev_start >= scope.from && last_end <= scope.to;
    let mut per_contact: Vec<u32> = vec![0; p.contact.values.len()];
    let mut touches = 0u64;
    let (mut lt, mut lr, mut pt, mut pr) = (0u64, 0u64, 0u64, 0u64);
    // The offenders count every delivered touch, broadcasts too (the
    // contract leaves them out only of the response rates); the rates
    // count the response touches.
    for t in scope.direct_touches().filter(|t| t.delivered) {
        let e = &mut per_contact[p.contact.codes[t.first_row as usize] as usize];
        let count = ((*e & !ANSWERED) + 1).min(!ANSWERED);
        *e = count | (*e & ANSWERED) | if t.responded { ANSWERED } else { 0 };
        if t.category == crate::metrics::Category::Broadcast {
            continue;
        }
        touches += 1;
        if weeks_inside {
            if t.start >= last_start && t.start < last_end {
                lt += 1;
                lr += u64::from(t.responded);
            } else if t.start >= prev_start && t.start < last_start {
                pt += 1;
                pr += u64::from(t.responded);
            }
        }
    }
    let unanswered = flag(
        "unanswered_messages",
        touch_response_rate.map(|r| 1.0 - r),
        scope.settings.thresholds.unanswered_messages,
        sorted(
            per_contact
                .iter()
                .enumerate()
                .filter(|&(_, &e)| e & ANSWERED == 0 && e >= 3)
                .map(|(c, _)| p.contact.values[c].clone()),
        ),
        touches,
    );
    let falling = if weeks_inside {
        let value = match (rate(lr, lt), rate(pr, pt)) {
            (Some(last), Some(prev)) => ratio(prev - last, prev),
            _ => None,
        };
        falling_flag(scope, value, lt + pt)
    } else {
        falling_flag(scope, None, 0)
    };
    (unanswered, falling)
}

fn high_block_rate(scope: &Scope, rows: &[ConversationRow]) -> RedFlag {
    let p = scope.p;
    let mut reached = vec![false; p.contact.values.len()];
    let mut blocked = vec![false; p.contact.values.len()];
    for r in direct(rows) {
        let conv = &p.conversations[r.conv as usize];
        let (lo, hi) = crate::metrics::scope::row_range(
            p,
            conv.start as usize,
            conv.end as usize,
            scope.from,
            scope.to,
        );
        for row in lo..hi {
            let contact = p.contact.codes[row] as usize;
            if p.outbound[row] {
                reached[contact] = true;
            }
            if p.blocked_row[row] {
                blocked[contact] = true;
            }
        }
    }
    // The contract's quotient as written: every blocked 1:1 contact over
    // the contacts written to. A contact that blocked without being written
    // to in the period still counts, so the value can pass 1.
    let reached_count = reached.iter().filter(|b| **b).count() as u64;
    let blocked_count = blocked.iter().filter(|b| **b).count() as u64;
    let mut block = flag(
        "high_block_rate",
        if p.has_block_data {
            rate(blocked_count, reached_count)
        } else {
            None
        },
        scope.settings.thresholds.high_block_rate,
        if p.has_block_data {
            sorted(
                blocked
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| **b)
                    .map(|(c, _)| p.contact.values[c].clone()),
            )
        } else {
            Vec::new()
        },
        reached_count,
    );
    if !p.has_block_data {
        block.missing = Some("needs a status or blocked column");
    }
    block
}

fn falling_flag(scope: &Scope, value: Option<f64>, based_on: u64) -> RedFlag {
    let mut falling = flag(
        "falling_response_rate",
        value,
        scope.settings.thresholds.falling_response_rate,
        Vec::new(),
        based_on,
    );
    if value.is_none() {
        falling.missing =
            Some("needs two full weeks (Monday to Monday) with answered touches inside the period");
    }
    falling
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The help lists the flags by `IDS`, each by its own description: a
    /// flag added to the report but not to `IDS`, or one that falls through
    /// to another's text, would go unexplained.
    #[test]
    fn every_flag_is_listed_and_described_on_its_own() {
        let zone = crate::import::timestamp::ReportZone::utc();
        let session =
            crate::session::sample_session(&crate::metrics::Settings::default(), &zone).unwrap();
        let ids: Vec<&str> = session.report.red_flags.iter().map(|f| f.id).collect();
        assert_eq!(ids, IDS);
        let mut titles: Vec<&str> = IDS.iter().map(|id| describe(id).title).collect();
        titles.sort_unstable();
        titles.dedup();
        assert_eq!(titles.len(), IDS.len());
    }
}
