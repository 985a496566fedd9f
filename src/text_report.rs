//! The readable report printed by `chatlens report` and `chatlens inspect`:
//! grouped the way a manager reads it, each figure beside its benchmark.

use std::fmt::Write;

use crate::benchmarks::{
    DAYS_BETWEEN_FOLLOWUPS, DECAY_BANDS, FOLLOWUP_COMPLETION_TARGET, FOLLOWUP_RESPONSE_TARGET,
    FOLLOWUPS_PER_LEAD, HEALTHY_RATIO, band_text,
};
use crate::format::{
    amount, based_on, count, count_of, days, delta_pct_points, duration, number, pct, period, ratio,
};
use crate::import::{ImportReport, ImportWarning};
use crate::metrics::Report;
use crate::metrics::figures::followups::ByPosition;
use crate::metrics::figures::red_flags::{Severity, describe};
use crate::metrics::figures::timing::{BySlot, ByWeekday, ReplyBuckets};

fn line(out: &mut String, label: &str, value: &str, note: &str) {
    if note.is_empty() {
        let _ = writeln!(out, "  {label:<34} {value}");
    } else {
        let _ = writeln!(out, "  {label:<34} {value:<16} ({note})");
    }
}

fn heading(out: &mut String, title: &str) {
    let _ = writeln!(out, "\n{title}\n{}", "─".repeat(title.chars().count()));
}

fn flag_value(id: &str, v: Option<f64>) -> String {
    match id {
        "high_send_low_receive" => ratio(v),
        _ => pct(v),
    }
}

fn red_flags(out: &mut String, r: &Report) {
    heading(out, "Red flags");
    for f in &r.red_flags {
        let text = describe(f.id);
        let sev = match f.severity {
            Some(Severity::Critical) => "CRITICAL",
            Some(Severity::Warning) => "WARNING ",
            Some(Severity::Ok) => "ok      ",
            None => "n/a     ",
        };
        let _ = writeln!(
            out,
            "  [{sev}] {:<24} {:<10} (warning > {}, critical > {}; {})",
            text.title,
            flag_value(f.id, f.value),
            flag_value(f.id, Some(f.warning)),
            flag_value(f.id, Some(f.critical)),
            based_on(f.based_on, text.counts.0, text.counts.1),
        );
        if let Some(why) = f.missing {
            let _ = writeln!(out, "             not computable: {why}");
        }
        if matches!(f.severity, Some(Severity::Warning | Severity::Critical)) {
            let _ = writeln!(out, "             cause:  {}", text.cause);
            let _ = writeln!(out, "             action: {}", text.action);
            if !f.offenders.is_empty() {
                let shown: Vec<&str> = f.offenders.iter().take(5).map(|o| &**o).collect();
                let _ = writeln!(
                    out,
                    "             {}: {}{}",
                    text.offenders(f.offenders.len()),
                    shown.join(", "),
                    if f.offenders.len() > 5 { ", …" } else { "" }
                );
            }
        }
    }
}

// One short name per report section keeps this long layout readable.
#[allow(clippy::many_single_char_names)]
pub fn report_text(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Chatlens report — {} ({})",
        period(r.meta.from.as_deref(), r.meta.to.as_deref()),
        r.meta.tz
    );
    if let Some(i) = &r.import {
        let skipped: u64 = i.skipped.values().sum();
        let _ = writeln!(
            out,
            "{}: {} read, {} kept, {} skipped",
            i.file,
            count_of(i.rows_read, "row", "rows"),
            count(i.rows_kept),
            count(skipped)
        );
        // What the import noticed can change how the figures read (a day
        // and month order assumed, dates without times): said up front.
        for w in &i.warnings {
            let _ = writeln!(out, "Note: {}", warning_text(w));
        }
    }
    let any_flag = r
        .red_flags
        .iter()
        .any(|f| matches!(f.severity, Some(Severity::Warning | Severity::Critical)));
    if any_flag {
        red_flags(&mut out, r);
    }

    let d = &r.direct;
    heading(&mut out, "One-to-one chats");
    line(&mut out, "Conversations", &count(d.conversations), "");
    line(&mut out, "Messages sent", &count(d.messages_sent), "");
    line(
        &mut out,
        "Messages received",
        &count(d.messages_received),
        "",
    );
    line(
        &mut out,
        "Messages per chat",
        &number(d.avg_messages_per_chat, 1),
        "",
    );
    line(
        &mut out,
        "First response (median)",
        &duration(d.first_response_secs.median),
        &format!(
            "p90 {}, mean {}, {}; {} unanswered",
            duration(d.first_response_secs.p90),
            duration(d.first_response_secs.mean),
            based_on(d.first_response_secs.count, "conversation", "conversations"),
            count(d.unanswered_first)
        ),
    );
    line(
        &mut out,
        "Resolution time (median)",
        &duration(d.resolution_secs.median),
        &format!(
            "mean {}, {}, {} closed by inactivity",
            duration(d.resolution_secs.mean),
            based_on(d.resolution_secs.count, "conversation", "conversations"),
            count(d.resolution_secs.derived_count)
        ),
    );

    let g = &r.groups;
    heading(&mut out, "Groups");
    line(
        &mut out,
        "Active groups",
        &count(g.active_groups),
        &format!(
            "row in the last {} of the period",
            days(r.meta.settings.active_days)
        ),
    );
    line(
        &mut out,
        "Messages to groups",
        &count(g.messages_to_groups),
        "",
    );
    line(
        &mut out,
        "Reach",
        &count(g.reach),
        if g.reach_estimated {
            "estimated from distinct senders"
        } else {
            "sum of group members"
        },
    );
    line(
        &mut out,
        "Engagement rate",
        &pct(g.engagement_rate),
        &format!(
            "{} to {}",
            count_of(g.engaged_messages, "reply", "replies"),
            count_of(g.messages_to_groups, "group message", "group messages")
        ),
    );
    line(
        &mut out,
        "Member participation",
        &pct(g.member_participation),
        &if g.member_participation.is_some() {
            crate::format::participation_basis(g.participating_senders, g.participation_members)
        } else {
            String::new()
        },
    );

    let f = &r.flow;
    heading(&mut out, "Message flow");
    line(&mut out, "Outbound", &count(f.outbound), "");
    line(&mut out, "Inbound", &count(f.inbound), "");
    line(
        &mut out,
        "Sent : received",
        &ratio(f.ratio),
        &format!(
            "healthy {:.0}:1 – {:.0}:1",
            HEALTHY_RATIO.0, HEALTHY_RATIO.1
        ),
    );
    line(
        &mut out,
        "  1:1 chats",
        &ratio(f.direct.ratio),
        &format!(
            "{} out, {} in",
            count(f.direct.outbound),
            count(f.direct.inbound)
        ),
    );
    line(
        &mut out,
        "  groups",
        &ratio(f.group.ratio),
        &format!(
            "{} out, {} in",
            count(f.group.outbound),
            count(f.group.inbound)
        ),
    );
    let c = &f.categories;
    line(
        &mut out,
        "Initial outreach",
        &count(c.initial_outreach),
        "outbound messages",
    );
    line(
        &mut out,
        "Follow-ups",
        &count(c.follow_up),
        "outbound messages",
    );
    line(&mut out, "Replies", &count(c.reply), "outbound messages");
    line(
        &mut out,
        "Broadcasts",
        &count(c.broadcast),
        "outbound messages",
    );

    let fu = &r.followups;
    heading(&mut out, "Follow-ups");
    line(&mut out, "Scheduled", &count(fu.scheduled), "");
    line(
        &mut out,
        "Completed",
        &pct(fu.completion_rate),
        &format!(
            "target > {:.0}%; {} of {}",
            FOLLOWUP_COMPLETION_TARGET * 100.0,
            count(fu.completed),
            count(fu.scheduled)
        ),
    );
    line(
        &mut out,
        "Response rate",
        &pct(fu.response_rate),
        &format!(
            "target > {:.0}%; based on {} delivered",
            FOLLOWUP_RESPONSE_TARGET * 100.0,
            count(fu.delivered)
        ),
    );
    line(
        &mut out,
        "Follow-ups per lead",
        &number(fu.avg_per_lead, 1),
        &format!(
            "typical {:.0}–{:.0}; {}",
            FOLLOWUPS_PER_LEAD.0,
            FOLLOWUPS_PER_LEAD.1,
            based_on(fu.leads, "lead", "leads")
        ),
    );
    line(
        &mut out,
        "Days between follow-ups",
        &number(fu.days_between.median, 1),
        &format!(
            "median; typical {:.0}–{:.0}; mean {}",
            DAYS_BETWEEN_FOLLOWUPS.0,
            DAYS_BETWEEN_FOLLOWUPS.1,
            number(fu.days_between.mean, 1)
        ),
    );

    heading(&mut out, "Response decay by follow-up position");
    line(
        &mut out,
        "Initial outreach response",
        &pct(fu.initial_outreach_response_rate),
        &based_on(fu.initial_outreach_touches, "touch", "touches"),
    );
    for (i, (label, p)) in ByPosition::LABELS
        .iter()
        .zip(fu.by_position.all())
        .enumerate()
    {
        let name = match i {
            0 => "1st follow-up response".to_string(),
            1 => "2nd follow-up response".to_string(),
            2 => "3rd follow-up response".to_string(),
            3 => "4th follow-up response".to_string(),
            _ => format!("{label} follow-up response"),
        };
        line(
            &mut out,
            &name,
            &pct(p.rate),
            &format!(
                "{}; {} of {}",
                band_text(DECAY_BANDS[i]),
                count(p.responded),
                count(p.touches)
            ),
        );
    }

    let t = &r.timing;
    heading(&mut out, "Responses and timing");
    line(
        &mut out,
        "Touch response rate",
        &pct(t.touch_response_rate),
        &based_on(t.touches, "touch", "touches"),
    );
    line(
        &mut out,
        "Team reply (median)",
        &duration(t.team_reply_secs.median),
        &format!(
            "p90 {}, mean {}, {}",
            duration(t.team_reply_secs.p90),
            duration(t.team_reply_secs.mean),
            based_on(t.team_reply_secs.count, "reply", "replies")
        ),
    );
    line(
        &mut out,
        "Customer reply (median)",
        &duration(t.customer_reply_secs.median),
        &format!(
            "mean {}, {}",
            duration(t.customer_reply_secs.mean),
            based_on(t.customer_reply_secs.count, "response", "responses")
        ),
    );
    for (label, s) in BySlot::LABELS.iter().zip(t.by_slot.all()) {
        line(
            &mut out,
            &format!("  {label}"),
            &pct(s.rate),
            &format!(
                "{} of {}",
                count(s.responded),
                count_of(s.touches, "touch", "touches")
            ),
        );
    }
    for (label, s) in ByWeekday::LABELS.iter().zip(t.by_weekday.all()) {
        line(
            &mut out,
            &format!("  {label}"),
            &pct(s.rate),
            &format!(
                "{} of {}",
                count(s.responded),
                count_of(s.touches, "touch", "touches")
            ),
        );
    }
    let _ = writeln!(out, "  Team reply times:");
    for (label, n) in ReplyBuckets::LABELS
        .iter()
        .zip(t.team_reply_buckets.values())
    {
        line(&mut out, &format!("    {label}"), &count(n), "");
    }

    if !r.agents.is_empty() {
        heading(&mut out, "Agents");
        let _ = writeln!(
            out,
            "  {:<20} {:>7} {:>8} {:>8} {:>9} {:>10} {:>12}",
            "agent", "convs", "sent", "touches", "response", "follow-up", "team reply"
        );
        for a in &r.agents {
            let _ = writeln!(
                out,
                "  {:<20} {:>7} {:>8} {:>8} {:>9} {:>10} {:>12}",
                a.agent,
                count(a.conversations),
                count(a.messages_sent),
                count(a.touches),
                pct(a.touch_response_rate),
                pct(a.followup_response_rate),
                duration(a.median_team_reply_secs)
            );
        }
    }
    if !r.segments.is_empty() {
        heading(&mut out, "Segments");
        let _ = writeln!(
            out,
            "  {:<20} {:>7} {:>9} {:>9} {:>11}",
            "segment", "convs", "msgs/conv", "response", "conversion"
        );
        for s in &r.segments {
            let _ = writeln!(
                out,
                "  {:<20} {:>7} {:>9} {:>9} {:>11}",
                s.segment,
                count(s.conversations),
                number(s.avg_messages, 1),
                pct(s.touch_response_rate),
                pct(s.conversion)
            );
        }
    }
    let q = &r.quality;
    heading(&mut out, "Conversation quality");
    for (label, tally) in [
        ("Balanced (0.5–2 out per in)", &q.balanced),
        ("Multi-day", &q.multi_thread),
        ("Quick both ways", &q.quick_both_ways),
        ("Progressed", &q.progressed),
        ("Positive outcome", &q.positive),
    ] {
        line(
            &mut out,
            label,
            &count(tally.yes),
            &format!(
                "of {}; {} not computable",
                count_of(q.conversations, "conversation", "conversations"),
                count(tally.unknown)
            ),
        );
    }
    let dist: Vec<String> = q
        .score_distribution
        .values()
        .iter()
        .enumerate()
        .map(|(i, n)| format!("{i}: {}", count(*n)))
        .collect();
    line(&mut out, "Score distribution", &dist.join("  "), "");

    if !any_flag {
        red_flags(&mut out, r);
    }

    let o = &r.outcomes;
    heading(&mut out, "Outcomes");
    line(
        &mut out,
        "80% of value comes from",
        &pct(o.pareto.share_for_80pct),
        &format!(
            "of {}; total value {}",
            count_of(o.pareto.conversations, "conversation", "conversations"),
            amount(o.pareto.total_value)
        ),
    );
    for (name, c) in [("Top 20%", &o.pareto.top), ("Other 80%", &o.pareto.rest)] {
        line(
            &mut out,
            name,
            &count_of(c.conversations, "conv", "convs"),
            &format!(
                "{} msgs/conv; first response {}, {} answered; response {} of {}; \
                 {} follow-ups/lead over {}",
                number(c.avg_messages, 1),
                duration(c.median_first_response_secs),
                count(c.first_responses),
                pct(c.touch_response_rate),
                count_of(c.touches, "touch", "touches"),
                number(c.followups_per_lead, 1),
                count_of(c.leads, "lead", "leads")
            ),
        );
    }
    let names = [
        "Outcome vs message count",
        "Outcome vs out/in ratio",
        "Outcome vs team reply hours",
        "Outcome vs follow-up count",
    ];
    for (name, (r, pairs)) in names.into_iter().zip(o.correlations()) {
        line(
            &mut out,
            name,
            &number(r, 2),
            &format!(
                "Pearson r over {}",
                count_of(pairs, "conversation", "conversations")
            ),
        );
    }

    let cmp = &r.compare;
    heading(
        &mut out,
        &format!(
            "Compared with {} ({} earlier)",
            period(cmp.from.as_deref(), cmp.to.as_deref()),
            days(cmp.shift_days)
        ),
    );
    line(
        &mut out,
        "Conversations",
        &count(d.conversations),
        &format!("before {}", count(cmp.direct.conversations)),
    );
    line(
        &mut out,
        "Messages sent",
        &count(d.messages_sent),
        &format!("before {}", count(cmp.direct.messages_sent)),
    );
    line(
        &mut out,
        "Messages received",
        &count(d.messages_received),
        &format!("before {}", count(cmp.direct.messages_received)),
    );
    line(
        &mut out,
        "Touch response rate",
        &pct(t.touch_response_rate),
        &format!(
            "before {}, {}",
            pct(cmp.timing.touch_response_rate),
            delta_pct_points(t.touch_response_rate, cmp.timing.touch_response_rate)
        ),
    );
    line(
        &mut out,
        "Team reply (median)",
        &duration(t.team_reply_secs.median),
        &format!("before {}", duration(cmp.timing.team_reply_secs.median)),
    );
    out
}

/// An import warning in a line: its count, its message and where it was
/// first seen.
fn warning_text(w: &ImportWarning) -> String {
    let lines = if w.first_lines.is_empty() {
        String::new()
    } else {
        format!(
            " (first lines: {})",
            w.first_lines
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let n = if w.count > 0 {
        format!("{} ", count(w.count))
    } else {
        String::new()
    };
    format!("{n}{}{lines}", w.message)
}

pub fn import_text(i: &ImportReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "File:      {}", i.file);
    let mut dialect = vec![i.format.to_uppercase()];
    // Typed formats (Parquet, spreadsheets) carry no text encoding.
    if !i.dialect.encoding.is_empty() {
        dialect.push(i.dialect.encoding.clone());
    }
    if let Some(d) = &i.dialect.delimiter {
        dialect.push(format!("{d}-delimited"));
    }
    if i.dialect.compressed {
        dialect.push("compressed".into());
    }
    if let Some(l) = &i.dialect.layout {
        dialect.push(format!("{l} layout"));
    }
    if let Some(s) = &i.dialect.sheet {
        dialect.push(format!("sheet {s:?}"));
    }
    if let (Some(o), Some(src)) = (i.dialect.date_order, i.dialect.date_order_source) {
        dialect.push(
            format!("dates {o:?} ({src:?})")
                .to_lowercase()
                .replace('_', " "),
        );
    }
    let _ = writeln!(out, "Format:    {}", dialect.join(", "));
    let _ = writeln!(
        out,
        "Rows:      {} read, {} kept",
        count(i.rows_read),
        count(i.rows_kept)
    );
    let _ = writeln!(
        out,
        "Period:    {} → {}",
        i.first_timestamp.as_deref().unwrap_or("—"),
        i.last_timestamp.as_deref().unwrap_or("—")
    );
    let _ = writeln!(out, "Columns:");
    for (canonical, source) in &i.columns {
        let _ = writeln!(out, "  {canonical:<16} ← {source}");
    }
    if i.skipped.is_empty() {
        let _ = writeln!(out, "Skipped:   none");
    } else {
        let _ = writeln!(out, "Skipped:");
        for (reason, n) in &i.skipped {
            let _ = writeln!(
                out,
                "  {reason:<24} {:>8}   {}",
                count(*n),
                i.skipped_detail(reason)
            );
        }
    }
    for w in &i.warnings {
        let _ = writeln!(out, "Note:      {}", warning_text(w));
    }
    if let Some(s) = &i.system_lines
        && !s.is_empty()
    {
        let parts: Vec<String> = s.iter().map(|(k, v)| format!("{k} {v}")).collect();
        let _ = writeln!(out, "System lines: {}", parts.join(", "));
    }
    if let Some(p) = &i.participants {
        let _ = writeln!(out, "Participants:");
        for x in p.iter().take(30) {
            let _ = writeln!(out, "  {:<30} {:>8} messages", x.name, count(x.messages));
        }
        if p.len() > 30 {
            let _ = writeln!(out, "  … and {} more", p.len() - 30);
        }
    }
    out
}
