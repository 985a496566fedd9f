//! Hand-computed figures for a small 1:1 log. Every expectation is worked
//! out in the comments from the rows below (all times UTC; 2024-01-01 is a
//! Monday).
//!
//! A: outreach (two rows 5 min apart = one touch), a reply, two follow-ups,
//!    a response to the second follow-up, a team reply.
//! B: customer-initiated; a team reply; a failed follow-up; the customer
//!    answers the next day (the failed touch does not end the wait).
//! C: one outbound message, nothing else.

mod common;
use common::*;

const LOG: &str = "\
timestamp,conversation_id,direction,status
2024-01-01 09:00:00,A,out,
2024-01-01 09:05:00,A,out,
2024-01-01 10:00:00,A,in,
2024-01-01 10:30:00,A,out,
2024-01-03 10:30:00,A,out,delivered
2024-01-05 10:30:00,A,out,read
2024-01-05 12:30:00,A,in,
2024-01-05 12:40:00,A,out,
2024-01-02 08:00:00,B,in,
2024-01-02 08:01:30,B,out,
2024-01-02 20:00:00,B,out,failed
2024-01-03 09:00:00,B,in,
2024-01-04 15:00:00,C,out,sent
";

// Touches:
// T1 A 09:00–09:05 initial outreach, responded at 10:00 (3300 s after 09:05)
// T2 A 10:30 reply; the next inbound (01-05 12:30) comes after delivered T3 → no
// T3 A 01-03 10:30 follow-up #1; T4 (delivered) starts before the inbound → no
// T4 A 01-05 10:30 follow-up #2, responded 12:30 (7200 s)
// T5 A 01-05 12:40 reply, nothing after → no
// T6 B 08:01:30 reply; inbound 01-03 09:00 after failed T7 → responded (89 910 s)
// T7 B 01-02 20:00 follow-up #1, failed (undelivered)
// T8 C 01-04 15:00 initial outreach, no response

#[test]
fn direct_figures() {
    let r = report_json(LOG);
    // A 8 rows (6 out, 2 in), B 4 rows (2 out, 2 in), C 1 row (out).
    assert_close(&r, "direct.conversations", 3.0);
    assert_close(&r, "direct.messages_sent", 9.0);
    assert_close(&r, "direct.messages_received", 4.0);
    assert_close(&r, "direct.avg_messages_per_chat", 13.0 / 3.0);
    // First responses: A 10:00 → 10:30 = 1800 s; B 08:00 → 08:01:30 = 90 s.
    // Median (90 + 1800) / 2 = 945; p90 = 90 + 0.9 × 1710 = 1629.
    assert_close(&r, "direct.first_response_secs.median", 945.0);
    assert_close(&r, "direct.first_response_secs.mean", 945.0);
    assert_close(&r, "direct.first_response_secs.p90", 1629.0);
    assert_close(&r, "direct.first_response_secs.count", 2.0);
    assert_close(&r, "direct.unanswered_first", 0.0);
    // No closed_at and nobody idle 7 days before 01-05 12:40.
    assert_null(&r, "direct.resolution_secs.median");
    assert_close(&r, "direct.resolution_secs.count", 0.0);
}

#[test]
fn flow_and_categories() {
    let r = report_json(LOG);
    assert_close(&r, "flow.outbound", 9.0);
    assert_close(&r, "flow.inbound", 4.0);
    assert_close(&r, "flow.ratio", 2.25);
    assert_close(&r, "flow.direct.ratio", 2.25);
    assert_null(&r, "flow.group.ratio");
    // Rows: outreach T1 (2) + T8 (1); replies T2, T5, T6; follow-ups T3, T4, T7.
    assert_close(&r, "flow.categories.initial_outreach", 3.0);
    assert_close(&r, "flow.categories.reply", 3.0);
    assert_close(&r, "flow.categories.follow_up", 3.0);
    assert_close(&r, "flow.categories.broadcast", 0.0);
}

#[test]
fn followups_and_decay() {
    let r = report_json(LOG);
    // Scheduled T3, T4, T7; completed T3, T4.
    assert_close(&r, "followups.scheduled", 3.0);
    assert_close(&r, "followups.completed", 2.0);
    assert_close(&r, "followups.completion_rate", 2.0 / 3.0);
    // Delivered follow-ups T3 (no), T4 (yes).
    assert_close(&r, "followups.response_rate", 0.5);
    assert_close(&r, "followups.by_position.1.touches", 1.0);
    assert_close(&r, "followups.by_position.1.responded", 0.0);
    assert_close(&r, "followups.by_position.1.rate", 0.0);
    assert_close(&r, "followups.by_position.2.touches", 1.0);
    assert_close(&r, "followups.by_position.2.rate", 1.0);
    assert_close(&r, "followups.by_position.3.touches", 0.0);
    assert_null(&r, "followups.by_position.3.rate");
    assert_null(&r, "followups.by_position.5+.rate");
    // Outreach T1 (yes), T8 (no).
    assert_close(&r, "followups.initial_outreach_response_rate", 0.5);
    // Leads A and C; no follow-up before A's first inbound; C has none.
    assert_close(&r, "followups.avg_per_lead", 0.0);
    // T3: 2 days after T2; T4: 2 days after T3; T7: 11 h 58 m 30 s after T6.
    let t7 = 43_110.0 / 86_400.0;
    assert_close(&r, "followups.days_between.median", 2.0);
    assert_close(&r, "followups.days_between.mean", (4.0 + t7) / 3.0);
}

#[test]
fn timing() {
    let r = report_json(LOG);
    // Delivered non-broadcast touches: all but T7 = 7; responded T1, T4, T6.
    assert_close(&r, "timing.touch_response_rate", 3.0 / 7.0);
    // Inbound runs answered after 1800, 600, 90 s; B's last run unanswered.
    assert_close(&r, "timing.team_reply_secs.median", 600.0);
    assert_close(&r, "timing.team_reply_secs.mean", 830.0);
    assert_close(&r, "timing.team_reply_secs.p90", 1560.0);
    // Customer replies 3300, 7200, 89 910 s.
    assert_close(&r, "timing.customer_reply_secs.median", 7200.0);
    assert_close(&r, "timing.customer_reply_secs.mean", 100_410.0 / 3.0);
    assert_close(&r, "timing.team_reply_buckets.lt_1m", 0.0);
    assert_close(&r, "timing.team_reply_buckets.1m_5m", 1.0);
    assert_close(&r, "timing.team_reply_buckets.5m_60m", 2.0);
    assert_close(&r, "timing.team_reply_buckets.ge_24h", 0.0);
    assert_close(&r, "timing.team_reply_buckets.unanswered", 1.0);
    // Morning: T1 ✓, T2, T3, T4 ✓, T6 ✓; afternoon: T5, T8.
    assert_close(&r, "timing.by_slot.morning.touches", 5.0);
    assert_close(&r, "timing.by_slot.morning.rate", 0.6);
    assert_close(&r, "timing.by_slot.afternoon.touches", 2.0);
    assert_close(&r, "timing.by_slot.afternoon.rate", 0.0);
    assert_null(&r, "timing.by_slot.weekend.rate");
    // Mon T1 ✓ T2; Tue T6 ✓; Wed T3; Thu T8; Fri T4 ✓ T5.
    assert_close(&r, "timing.by_weekday.Monday.touches", 2.0);
    assert_close(&r, "timing.by_weekday.Monday.rate", 0.5);
    assert_close(&r, "timing.by_weekday.Tuesday.rate", 1.0);
    assert_close(&r, "timing.by_weekday.Thursday.rate", 0.0);
    assert_close(&r, "timing.by_weekday.Friday.touches", 2.0);
    assert_null(&r, "timing.by_weekday.Sunday.rate");
    assert_close(&r, "timing.heatmap.touches.0.9", 1.0);
    assert_close(&r, "timing.heatmap.responded.0.9", 1.0);
    assert_close(&r, "timing.heatmap.touches.3.15", 1.0);
    assert_close(&r, "timing.heatmap.responded.3.15", 0.0);
}

#[test]
fn agents_segments_quality() {
    let r = report_json(LOG);
    // No agent column: everything is Unassigned.
    assert_eq!(at(&r, "agents.0.agent"), "Unassigned");
    assert_close(&r, "agents.0.conversations", 3.0);
    assert_close(&r, "agents.0.messages_sent", 9.0);
    assert_close(&r, "agents.0.touch_response_rate", 3.0 / 7.0);
    assert_close(&r, "agents.0.followup_response_rate", 0.5);
    // Answered runs: A 10:00 → 10:30 (1800 s), A 12:30 → 12:40 (600 s),
    // B 08:00 → 08:01:30 (90 s); B's last run has no answer. Median 600.
    assert_close(&r, "agents.0.median_team_reply_secs", 600.0);
    assert_close(&r, "agents.0.team_reply_runs", 3.0);
    assert_eq!(at(&r, "segments.0.segment"), "Unknown");
    assert_close(&r, "segments.0.avg_messages", 13.0 / 3.0);
    assert_null(&r, "segments.0.conversion");
    // A: 6 out / 2 in = 3 → not balanced; two days; medians 1200 s and
    //    5250 s → quick. B: 1:1, two days, customer median 89 910 s → not
    //    quick. C: no inbound, one day, no team reply → quick is null.
    assert_close(&r, "quality.conversations", 3.0);
    assert_close(&r, "quality.balanced.true", 1.0);
    assert_close(&r, "quality.balanced.false", 2.0);
    assert_close(&r, "quality.multi_thread.true", 2.0);
    assert_close(&r, "quality.quick_both_ways.true", 1.0);
    assert_close(&r, "quality.quick_both_ways.false", 1.0);
    assert_close(&r, "quality.quick_both_ways.null", 1.0);
    // No outcome column: progressed and positive are null everywhere.
    assert_close(&r, "quality.progressed.null", 3.0);
    assert_close(&r, "quality.positive.null", 3.0);
    // Scores: A 2, B 2, C 0.
    assert_close(&r, "quality.score_distribution.0", 1.0);
    assert_close(&r, "quality.score_distribution.2", 2.0);
}

#[test]
fn red_flags() {
    let r = report_json(LOG);
    let f = flag(&r, "high_send_low_receive");
    assert_close(f, "value", 2.25);
    assert_eq!(f["severity"], "warning");
    assert!(strings(f, "offenders").is_empty());
    // C is the one single-message chat: 1/3 > 20% (warning), ≤ 35%.
    let f = flag(&r, "single_message_chats");
    assert_close(f, "value", 1.0 / 3.0);
    assert_eq!(f["severity"], "warning");
    assert_eq!(strings(f, "offenders"), ["C"]);
    // B's last run is unanswered and older than 24 h at the data's end:
    // 1 of 4 runs = 25%, not above the critical 25%.
    let f = flag(&r, "long_reply_gaps");
    assert_close(f, "value", 0.25);
    assert_eq!(f["severity"], "warning");
    assert_eq!(strings(f, "offenders"), ["B"]);
    let f = flag(&r, "unanswered_messages");
    assert_close(f, "value", 4.0 / 7.0);
    assert_eq!(f["severity"], "ok");
    // A status column exists and nobody is blocked.
    let f = flag(&r, "high_block_rate");
    assert_close(f, "value", 0.0);
    assert_eq!(f["severity"], "ok");
    // The period (01-01 → 01-06) holds no two full Monday-to-Monday weeks.
    let f = flag(&r, "falling_response_rate");
    assert_null(f, "value");
    assert_null(f, "severity");
}

#[test]
fn outcomes_without_value_or_outcome() {
    let r = report_json(LOG);
    assert_close(&r, "outcomes.pareto.conversations", 3.0);
    assert_close(&r, "outcomes.pareto.total_value", 0.0);
    assert_null(&r, "outcomes.pareto.share_for_80pct");
    // Top = ceil(0.2 × 3) = 1 conversation; all values 0, so ties go by id: A.
    assert_close(&r, "outcomes.pareto.top.conversations", 1.0);
    assert_close(&r, "outcomes.pareto.top.avg_messages", 8.0);
    assert_close(&r, "outcomes.pareto.top.median_first_response_secs", 1800.0);
    assert_close(&r, "outcomes.pareto.top.touch_response_rate", 0.4);
    assert_close(&r, "outcomes.pareto.rest.avg_messages", 2.5);
    assert_close(&r, "outcomes.pareto.rest.median_first_response_secs", 90.0);
    assert_close(&r, "outcomes.pareto.rest.touch_response_rate", 0.5);
    // What they rest on. Top (A): one first response; delivered touches
    // T1–T5, responded T1 and T4; A opens with outreach, so one lead with
    // no follow-up before its first inbound row.
    assert_close(&r, "outcomes.pareto.top.first_responses", 1.0);
    assert_close(&r, "outcomes.pareto.top.touches", 5.0);
    assert_close(&r, "outcomes.pareto.top.responded", 2.0);
    assert_close(&r, "outcomes.pareto.top.leads", 1.0);
    assert_close(&r, "outcomes.pareto.top.followups_per_lead", 0.0);
    // Rest (B, C): B's first response only (C has no inbound row); T6 and
    // T8 delivered (T7 failed), T6 responded; C is the one lead.
    assert_close(&r, "outcomes.pareto.rest.first_responses", 1.0);
    assert_close(&r, "outcomes.pareto.rest.touches", 2.0);
    assert_close(&r, "outcomes.pareto.rest.responded", 1.0);
    assert_close(&r, "outcomes.pareto.rest.leads", 1.0);
    assert_null(&r, "outcomes.correlation.message_count");
}

#[test]
fn meta_period_and_compare() {
    let r = report_json(LOG);
    assert_eq!(at(&r, "meta.from"), "2024-01-01T00:00:00+00:00");
    assert_eq!(at(&r, "meta.to"), "2024-01-06T00:00:00+00:00");
    assert_eq!(at(&r, "meta.tz"), "UTC");
    // Five days round up to one week back.
    assert_close(&r, "compare.shift_days", 7.0);
    assert_eq!(at(&r, "compare.from"), "2023-12-25T00:00:00+00:00");
    assert_close(&r, "compare.direct.conversations", 0.0);
    assert_null(&r, "compare.timing.touch_response_rate");
    assert_close(&r, "import.rows_kept", 13.0);
    // No groups in this log.
    assert_close(&r, "groups.active_groups", 0.0);
    assert!(at(&r, "groups.reach_estimated").as_bool().unwrap());
    assert_null(&r, "groups.engagement_rate");
}
