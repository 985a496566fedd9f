//! Hand-computed figures for logs with optional columns: broadcasts found
//! by text, agents, segments, outcomes and values, `closed_at`, blocks,
//! groups, categories given in the file, bursts, windows, periods, filters
//! and a time zone with DST.

mod common;
use chatlens::metrics::{ChatType, Filters, Settings};
use common::*;

// "Big sale!" goes to D1–D5 between 10:00 and 10:10 (5 conversations in
// [10:00, 10:10]) → broadcasts. D6 gets it at 10:12: no 10-minute window
// holds 5 conversations with it → D6 is an initial outreach.
const LOG: &str = "\
timestamp,conversation_id,direction,agent,segment,outcome,value,closed_at,blocked,text
2024-02-05 10:00:00,D1,out,Ann,Enterprise,,,,,Big sale!
2024-02-06 10:00:00,D1,out,Bob,,,,,,Following up
2024-02-06 11:00:00,D1,in,,,,,,,Interested
2024-02-06 11:30:00,D1,out,Bob,,won,1000,2024-02-07 09:00,,Thanks
2024-02-05 10:01:00,D2,out,Ann,SMB,,,,,Big sale!
2024-02-05 12:00:00,D2,in,,,lost,,,,No thanks
2024-02-05 10:02:00,D3,out,Ann,SMB,won,500,,,\"Big sale!  \"
2024-02-05 10:03:00,D4,out,Ann,,,,,true, Big sale!
2024-02-05 10:10:00,D5,out,Ann,Enterprise,,,,,Big sale!
2024-02-05 10:12:00,D6,out,Cat,Consumer,,,,,Big sale!
";

#[test]
fn broadcasts_categories_and_followups() {
    let r = report_json(LOG);
    assert_close(&r, "flow.categories.broadcast", 5.0);
    assert_close(&r, "flow.categories.follow_up", 1.0);
    assert_close(&r, "flow.categories.reply", 1.0);
    assert_close(&r, "flow.categories.initial_outreach", 1.0);
    // D1's follow-up after the broadcast is position 1, answered after 1 h.
    assert_close(&r, "followups.by_position.1.touches", 1.0);
    assert_close(&r, "followups.by_position.1.rate", 1.0);
    // The broadcast was the touch just before: 1 day earlier.
    assert_close(&r, "followups.days_between.median", 1.0);
    // Only D6 starts with an initial outreach (D1 starts with a broadcast).
    assert_close(&r, "followups.avg_per_lead", 0.0);
    assert_close(&r, "followups.initial_outreach_response_rate", 0.0);
    // Broadcasts are left out: follow-up ✓, reply, D6's outreach.
    assert_close(&r, "timing.touch_response_rate", 1.0 / 3.0);
    // Customer replies include broadcasts: 3600 s (D1) and 7140 s (D2).
    assert_close(&r, "timing.customer_reply_secs.median", 5370.0);
    assert_close(&r, "timing.team_reply_secs.median", 1800.0);
    assert_close(&r, "timing.team_reply_buckets.unanswered", 1.0);
    // closed_at 02-07 09:00 − first row 02-05 10:00 = 47 h.
    assert_close(&r, "direct.resolution_secs.median", 169_200.0);
    assert_close(&r, "direct.resolution_secs.count", 1.0);
    assert_close(&r, "direct.resolution_secs.derived_count", 0.0);
}

#[test]
fn agents_and_segments() {
    let r = report_json(LOG);
    assert_eq!(at(&r, "agents.0.agent"), "Ann");
    assert_close(&r, "agents.0.conversations", 5.0);
    assert_close(&r, "agents.0.messages_sent", 5.0);
    assert_close(&r, "agents.0.touches", 0.0);
    assert_null(&r, "agents.0.touch_response_rate");
    assert_eq!(at(&r, "agents.1.agent"), "Bob");
    assert_close(&r, "agents.1.touches", 2.0);
    assert_close(&r, "agents.1.touch_response_rate", 0.5);
    assert_close(&r, "agents.1.followup_response_rate", 1.0);
    assert_close(&r, "agents.1.median_team_reply_secs", 1800.0);
    assert_eq!(at(&r, "agents.2.agent"), "Cat");
    assert_close(&r, "agents.2.touch_response_rate", 0.0);
    assert_null(&r, "agents.2.median_team_reply_secs");
    assert_close(&r, "agents.2.team_reply_runs", 0.0);

    assert_eq!(at(&r, "segments.0.segment"), "Consumer");
    assert_close(&r, "segments.0.conversion", 0.0);
    assert_eq!(at(&r, "segments.1.segment"), "Enterprise");
    assert_close(&r, "segments.1.conversations", 2.0);
    assert_close(&r, "segments.1.avg_messages", 2.5);
    assert_close(&r, "segments.1.touch_response_rate", 0.5);
    assert_close(&r, "segments.1.conversion", 0.5);
    assert_eq!(at(&r, "segments.2.segment"), "SMB");
    assert_close(&r, "segments.2.avg_messages", 1.5);
    assert_null(&r, "segments.2.touch_response_rate");
    assert_close(&r, "segments.2.conversion", 0.5);
    assert_eq!(at(&r, "segments.3.segment"), "Unknown");
}

#[test]
fn quality_outcomes_and_flags() {
    let r = report_json(LOG);
    // D1 scores 4 (multi-day, quick, progressed, positive); D2 1 (balanced);
    // D3 2 (progressed, positive); D4–D6 0.
    assert_close(&r, "quality.balanced.true", 1.0);
    assert_close(&r, "quality.quick_both_ways.null", 5.0);
    assert_close(&r, "quality.progressed.true", 2.0);
    assert_close(&r, "quality.progressed.false", 4.0);
    assert_close(&r, "quality.positive.true", 2.0);
    assert_close(&r, "quality.score_distribution.0", 3.0);
    assert_close(&r, "quality.score_distribution.1", 1.0);
    assert_close(&r, "quality.score_distribution.2", 1.0);
    assert_close(&r, "quality.score_distribution.4", 1.0);
    // Values 1000, 500, 0 × 4: the first 2 of 6 hold ≥ 80% of 1500.
    assert_close(&r, "outcomes.pareto.total_value", 1500.0);
    assert_close(&r, "outcomes.pareto.share_for_80pct", 2.0 / 6.0);
    assert_close(&r, "outcomes.pareto.top.conversations", 2.0);
    assert_close(&r, "outcomes.pareto.top.avg_messages", 2.5);
    assert_close(&r, "outcomes.pareto.top.median_first_response_secs", 1800.0);
    assert_null(&r, "outcomes.pareto.top.followups_per_lead");
    assert_close(&r, "outcomes.pareto.rest.avg_messages", 1.25);
    assert_null(&r, "outcomes.pareto.rest.median_first_response_secs");
    assert_close(&r, "outcomes.pareto.rest.followups_per_lead", 0.0);
    // y = 1 for D1, D3. Messages 4,2,1,1,1,1 → r = 5/√88.
    assert_close(&r, "outcomes.correlation.message_count", 5.0 / 88f64.sqrt());
    // Only D1 (3) and D2 (1) have inbound rows: two points on a line.
    assert_close(&r, "outcomes.correlation.out_in_ratio", 1.0);
    assert_null(&r, "outcomes.correlation.median_team_reply_hours");
    assert_close(
        &r,
        "outcomes.correlation.followup_count",
        2.0 / 10f64.sqrt(),
    );
    // The pairs each rests on: every conversation for the counts, D1 and
    // D2 for the ratio, and D1 alone (D2's run is unanswered) for the
    // reply median, one pair, which is why it is null.
    assert_close(&r, "outcomes.correlation_pairs.message_count", 6.0);
    assert_close(&r, "outcomes.correlation_pairs.out_in_ratio", 2.0);
    assert_close(
        &r,
        "outcomes.correlation_pairs.median_team_reply_hours",
        1.0,
    );
    assert_close(&r, "outcomes.correlation_pairs.followup_count", 6.0);

    // 8 out / 2 in.
    let f = flag(&r, "high_send_low_receive");
    assert_close(f, "value", 4.0);
    assert_eq!(f["severity"], "critical");
    let f = flag(&r, "single_message_chats");
    assert_eq!(strings(f, "offenders"), ["D3", "D4", "D5", "D6"]);
    // D2's run at 12:00 is 23.5 h before the data's end: not yet a breach.
    assert_close(flag(&r, "long_reply_gaps"), "value", 0.0);
    // D4 blocked of 6 contacts reached.
    let f = flag(&r, "high_block_rate");
    assert_close(f, "value", 1.0 / 6.0);
    assert_eq!(f["severity"], "critical");
    assert_eq!(strings(f, "offenders"), ["D4"]);
}

#[test]
fn filters_narrow_the_scope() {
    let seg = Filters {
        segments: vec!["Enterprise".into()],
        ..Filters::default()
    };
    let r = report_json_with(LOG, "UTC", Settings::default(), seg);
    assert_close(&r, "direct.conversations", 2.0);
    let agent = Filters {
        agents: vec!["Bob".into()],
        ..Filters::default()
    };
    let r = report_json_with(LOG, "UTC", Settings::default(), agent);
    assert_close(&r, "direct.conversations", 1.0);
    let groups_only = Filters {
        chat_type: Some(ChatType::Group),
        ..Filters::default()
    };
    let r = report_json_with(LOG, "UTC", Settings::default(), groups_only);
    assert_close(&r, "direct.conversations", 0.0);
    assert_null(&r, "timing.touch_response_rate");
}

#[test]
fn period_bounds_and_look_ahead() {
    // 02-06 00:00 to 10:30: D1's follow-up (10:00) is in scope and its
    // response at 11:00 lies after `to`: it still counts.
    let day = utc_instant;
    let f = Filters {
        from: Some(day("2024-02-06 00:00")),
        to: Some(day("2024-02-06 10:30")),
        ..Filters::default()
    };
    let r = report_json_with(LOG, "UTC", Settings::default(), f);
    assert_close(&r, "direct.conversations", 1.0);
    assert_close(&r, "direct.messages_sent", 1.0);
    assert_close(&r, "timing.touch_response_rate", 1.0);
    assert_close(&r, "followups.scheduled", 1.0);
    // 10.5 hours round up to a one-week shift.
    assert_close(&r, "compare.shift_days", 7.0);
    // `to` is exclusive: a period ending at 10:00 leaves the follow-up out.
    let f = Filters {
        from: Some(day("2024-02-06 00:00")),
        to: Some(day("2024-02-06 10:00")),
        ..Filters::default()
    };
    let r = report_json_with(LOG, "UTC", Settings::default(), f);
    assert_close(&r, "direct.conversations", 0.0);
}

#[test]
fn groups() {
    // G1 (50 members) is active; G2's rows are all before 02-10 (30 days
    // before the period end 03-11). Engagement: 09:30 and 10:00 follow GT1
    // within 7 days; 03-09 is 8 days after GT1 → no; 03-10 12:00 follows
    // GT2 (a burst of two rows); G2's 11:00 follows its touch → 4 of 4 sent.
    let log = "\
timestamp,conversation_id,direction,chat_type,sender,group_members
2024-03-01 09:00,G1,out,group,Ann,50
2024-03-01 09:30,G1,in,group,Member1,50
2024-03-01 10:00,G1,in,group,Member2,50
2024-03-09 09:00,G1,in,group,Member1,50
2024-03-10 09:00,G1,out,group,Ann,50
2024-03-10 09:05,G1,out,group,Ann,50
2024-03-10 12:00,G1,in,group,Member3,50
2024-01-15 10:00,G2,out,group,Ann,20
2024-01-15 11:00,G2,in,group,Member9,20
2024-03-10 08:00,X,in,direct,Zoe,
2024-03-10 08:10,X,out,direct,Ann,
";
    let r = report_json(log);
    assert_close(&r, "groups.active_groups", 1.0);
    assert_close(&r, "groups.messages_to_groups", 4.0);
    assert_close(&r, "groups.reach", 50.0);
    assert!(!at(&r, "groups.reach_estimated").as_bool().unwrap());
    assert_close(&r, "groups.engagement_rate", 1.0);
    // Member1, Member2, Member3 of 50.
    assert_close(&r, "groups.member_participation", 0.06);
    assert_close(&r, "groups.participating_senders", 3.0);
    assert_close(&r, "groups.participation_members", 50.0);
    assert_close(&r, "flow.group.outbound", 4.0);
    assert_close(&r, "flow.group.inbound", 5.0);
    assert_close(&r, "flow.group.ratio", 0.8);
    assert_close(&r, "flow.ratio", 5.0 / 6.0);
    assert_close(&r, "direct.conversations", 1.0);
    // Without a member count, reach is distinct senders (Ann and Member1–3).
    let no_members: String = log
        .lines()
        .map(|l| l.rsplit_once(',').map_or(l, |(a, _)| a))
        .collect::<Vec<_>>()
        .join("\n");
    let r = report_json(&no_members);
    assert!(at(&r, "groups.reach_estimated").as_bool().unwrap());
    assert_close(&r, "groups.reach", 4.0);
    assert_null(&r, "groups.member_participation");
}

#[test]
fn category_column_and_followup_seq() {
    // Given categories win; an unrecognised one is derived (reply after an
    // inbound row); follow_up without a seq counts on from the reply (pos 1).
    let log = "\
timestamp,conversation_id,direction,category,followup_seq
2024-01-01 09:00,K,out,Initial Outreach,
2024-01-02 09:00,K,out,follow-up,3
2024-01-02 10:00,K,in,,
2024-01-03 09:00,K,out,other,
2024-01-04 09:00,K,out,follow_up,
";
    let r = report_json(log);
    assert_close(&r, "flow.categories.initial_outreach", 1.0);
    assert_close(&r, "flow.categories.follow_up", 2.0);
    assert_close(&r, "flow.categories.reply", 1.0);
    assert_close(&r, "followups.by_position.3.touches", 1.0);
    assert_close(&r, "followups.by_position.3.rate", 1.0);
    assert_close(&r, "followups.by_position.1.touches", 1.0);
    assert_close(&r, "followups.by_position.1.rate", 0.0);
}

#[test]
fn bursts_and_response_window() {
    // Rows 10 min apart merge (≤ burst gap). The inbound 8 days after the
    // touch is outside the 7-day window; the next one is exactly 7 days after
    // the reply and counts (within = ≤).
    let log = "\
timestamp,conversation_id,direction
2024-01-01 09:00,W,out
2024-01-01 09:10,W,out
2024-01-01 09:20,W,out
2024-01-09 09:20,W,in
2024-01-09 09:30,W,out
2024-01-16 09:30,W,in
";
    let r = report_json(log);
    assert_close(&r, "flow.categories.initial_outreach", 3.0);
    assert_close(&r, "flow.categories.reply", 1.0);
    assert_close(&r, "timing.touch_response_rate", 0.5);
    assert_close(&r, "followups.initial_outreach_response_rate", 0.0);
    assert_close(&r, "timing.customer_reply_secs.median", 7.0 * 86_400.0);
    // A shorter burst gap splits the first touch into three.
    let settings = Settings {
        burst_gap_secs: 5 * 60,
        ..Settings::default()
    };
    let r = report_json_with(log, "UTC", settings, Filters::default());
    assert_close(&r, "flow.categories.follow_up", 2.0);
    assert_close(&r, "followups.by_position.2.touches", 1.0);
}

#[test]
fn time_zone_with_dst() {
    // New York: Monday 2024-03-11 08:30 is EDT (-04:00), morning there but
    // 12:30 UTC. 2024-11-03 01:30 happens twice; standard time (EST) wins.
    let log = "\
timestamp,conversation_id,direction
2024-03-11 08:30,N,out
2024-03-11 09:00,N,in
2024-11-03 01:30,M,out
";
    let r = report_json_with(
        log,
        "America/New_York",
        Settings::default(),
        Filters::default(),
    );
    assert_close(&r, "timing.by_slot.morning.touches", 1.0);
    assert_close(&r, "timing.by_slot.morning.rate", 1.0);
    // 2024-11-03 is a Sunday: weekend.
    assert_close(&r, "timing.by_slot.weekend.touches", 1.0);
    assert_eq!(at(&r, "meta.from"), "2024-03-11T00:00:00-04:00");
    assert_eq!(at(&r, "meta.to"), "2024-11-04T00:00:00-05:00");
    assert_eq!(at(&r, "meta.data_last"), "2024-11-03T01:30:00-05:00");
    assert_close(&r, "timing.heatmap.touches.0.8", 1.0);
}

#[test]
fn falling_response_rate_over_two_full_weeks() {
    // Period Mon 01-01 → Mon 01-15 (to = 01-15, a Monday): last full week
    // 01-08..01-15 (1 of 2 answered), the one before 01-01..01-08 (2 of 2).
    // Drop = (1 − 0.5) / 1 = 50% → critical.
    let log = "\
timestamp,conversation_id,direction
2024-01-01 09:00,a,out
2024-01-01 10:00,a,in
2024-01-02 09:00,b,out
2024-01-02 10:00,b,in
2024-01-08 09:00,c,out
2024-01-08 10:00,c,in
2024-01-09 09:00,d,out
2024-01-14 09:00,e,in
";
    let r = report_json(log);
    let f = flag(&r, "falling_response_rate");
    assert_close(f, "value", 0.5);
    assert_eq!(f["severity"], "critical");
}

#[test]
fn no_optional_columns_and_tiny_files() {
    let r = report_json("timestamp,conversation_id,direction\n2024-01-01 09:00,a,out\n");
    assert_close(&r, "direct.conversations", 1.0);
    // One delivered touch, unanswered: 0 of 1, a real zero.
    assert_close(&r, "timing.touch_response_rate", 0.0);
    assert_null(&r, "timing.team_reply_secs.median");
    assert_null(flag(&r, "high_block_rate"), "value");
    assert_null(&r, "segments.0.conversion");
    assert_null(&r, "outcomes.correlation.message_count");
    assert_null(&r, "groups.member_participation");
    let r = report_json("timestamp,conversation_id,direction\n");
    assert_close(&r, "direct.conversations", 0.0);
    assert_null(&r, "meta.from");
    // No period, so no previous one (not the epoch).
    assert_null(&r, "compare.from");
    assert_null(&r, "compare.to");
    assert_null(&r, "direct.avg_messages_per_chat");
    // Nothing summed is a plain zero, not the float sum's -0.0 (read as "-0").
    let total = r
        .pointer("/outcomes/pareto/total_value")
        .and_then(serde_json::Value::as_f64);
    assert!(
        total.is_some_and(|t| t == 0.0 && t.is_sign_positive()),
        "{total:?}"
    );
}

#[test]
fn the_lazy_entry_point_gives_the_same_report() {
    use polars::prelude::IntoLazy;
    let s = session(LOG, "UTC", Settings::default(), Filters::default());
    let lazy = chatlens::metrics::compute_lazy(
        s.imported.table.clone().lazy(),
        &Settings::default(),
        &Filters::default(),
        &s.zone,
    )
    .unwrap();
    assert_eq!(
        serde_json::to_value(&lazy).unwrap(),
        serde_json::to_value(&s.report).unwrap()
    );
}

#[test]
fn an_agent_named_unassigned_shares_the_row_of_rows_without_one() {
    // Conversation a: one outbound row by "Unassigned", one with no agent
    // (an hour apart, so two touches); conversation b: one row by Ann.
    let r = report_json(
        "timestamp,conversation_id,direction,agent\n\
         2024-01-01 09:00,a,out,Unassigned\n\
         2024-01-01 10:00,a,out,\n\
         2024-01-01 09:00,b,out,Ann\n",
    );
    assert_eq!(at(&r, "agents.0.agent"), "Ann");
    assert_eq!(at(&r, "agents.1.agent"), "Unassigned");
    // a counts once, with both of its messages and both touches.
    assert_close(&r, "agents.1.conversations", 1.0);
    assert_close(&r, "agents.1.messages_sent", 2.0);
    assert_close(&r, "agents.1.touches", 2.0);
    assert_eq!(r["agents"].as_array().map(Vec::len), Some(2));
}

/// Filter changes reuse the buffers of earlier computations; each report is
/// still the one a fresh session computes with those filters.
#[test]
fn recomputed_reports_match_fresh_ones() {
    let direct = Filters {
        chat_type: Some(ChatType::Direct),
        ..Filters::default()
    };
    let segment = Filters {
        segments: vec!["SMB".into()],
        ..Filters::default()
    };
    let mut s = session(LOG, "UTC", Settings::default(), Filters::default());
    for filters in [direct, segment, Filters::default()] {
        let previous =
            chatlens::ui::worker::recompute(&s, Settings::default(), filters.clone()).unwrap();
        let fresh = session(LOG, "UTC", Settings::default(), filters.clone());
        assert_eq!(previous.report.conversations, fresh.report.conversations);
        assert_eq!(
            serde_json::to_value(&previous.report).unwrap(),
            serde_json::to_value(&fresh.report).unwrap()
        );
        s.update(Settings::default(), filters).unwrap();
        assert_eq!(s.report.conversations, fresh.report.conversations);
    }
    // Back to no filters: all six conversations.
    assert_eq!(s.report.conversations.len(), 6);
}

/// A conversation's segment and agents for the filters come from its rows
/// in the period, as the segments' and agents' tables take them.
#[test]
fn filters_read_segment_and_agents_in_the_period() {
    // S1: SMB on 02-01 (before the period), Consumer on 02-02 (in it).
    // S2: Ann wrote on 02-01 only; Bob on 02-02. S3: no agent on 02-02.
    const SHIFTING: &str = "\
timestamp,conversation_id,direction,agent,segment
2024-02-01 10:00:00,S1,in,,SMB
2024-02-02 10:00:00,S1,in,,Consumer
2024-02-01 10:00:00,S2,out,Ann,
2024-02-02 10:00:00,S2,out,Bob,
2024-02-02 11:00:00,S3,out,,
";
    let from = utc_instant("2024-02-02");
    let run = |segments: &[&str], agents: &[&str]| {
        let filters = Filters {
            from: Some(from),
            segments: segments.iter().map(ToString::to_string).collect(),
            agents: agents.iter().map(ToString::to_string).collect(),
            ..Filters::default()
        };
        report_json_with(SHIFTING, "UTC", Settings::default(), filters)
    };
    let r = run(&[], &[]);
    assert_eq!(at(&r, "segments.0.segment"), "Consumer");
    assert_close(&r, "segments.0.conversations", 1.0);
    // In the period S1 is Consumer, not SMB; S2 and S3 are Unknown.
    assert_close(&run(&["Consumer"], &[]), "direct.conversations", 1.0);
    assert_close(&run(&["SMB"], &[]), "direct.conversations", 0.0);
    assert_close(&run(&["Unknown"], &[]), "direct.conversations", 2.0);
    // Ann wrote in S2 only before the period; Bob wrote in it.
    assert_close(&run(&[], &["Ann"]), "direct.conversations", 0.0);
    assert_close(&run(&[], &["Bob"]), "direct.conversations", 1.0);
    // A name no row has selects nothing; Unassigned is S3's empty agent.
    assert_close(&run(&[], &["Zed"]), "direct.conversations", 0.0);
    let r = run(&[], &["Unassigned"]);
    assert_close(&r, "direct.conversations", 1.0);
    assert_eq!(at(&r, "agents.0.agent"), "Unassigned");
    assert_close(
        &run(&[], &["Bob", "Unassigned"]),
        "direct.conversations",
        2.0,
    );
}

/// The block rate is every blocked 1:1 contact over the contacts written
/// to, as the contract writes it: one that blocked without being written to
/// counts too.
#[test]
fn block_rate_is_blocked_contacts_over_contacts_written_to() {
    // K1 got a message; K2 and K3 only wrote, and blocked.
    const BLOCKS: &str = "\
timestamp,conversation_id,direction,contact_id,blocked
2024-02-01 10:00:00,C1,out,K1,
2024-02-01 10:00:00,C2,in,K2,true
2024-02-01 10:00:00,C3,in,K3,true
2024-02-01 11:00:00,C4,out,K4,
2024-02-01 11:05:00,C4,in,K4,true
";
    let r = report_json(BLOCKS);
    let f = flag(&r, "high_block_rate");
    // K2, K3 and K4 blocked; 2 contacts written to (K1, K4): 3 / 2.
    assert_close(f, "value", 1.5);
    assert_eq!(strings(f, "offenders"), ["K2", "K3", "K4"]);
}

/// An empty period compares with itself: no whole week fits in it.
#[test]
fn an_empty_period_shifts_by_nothing() {
    let at_noon = utc_instant("2024-02-06 12:00");
    let f = Filters {
        from: Some(at_noon),
        to: Some(at_noon),
        ..Filters::default()
    };
    let r = report_json_with(LOG, "UTC", Settings::default(), f);
    assert_close(&r, "compare.shift_days", 0.0);
    assert_close(&r, "direct.conversations", 0.0);
    // One hour is part of a week: one week back.
    let f = Filters {
        from: Some(at_noon),
        to: Some(at_noon + 3_600_000),
        ..Filters::default()
    };
    let r = report_json_with(LOG, "UTC", Settings::default(), f);
    assert_close(&r, "compare.shift_days", 7.0);
}

/// Unanswered contacts count every delivered touch, broadcasts included;
/// the flag's value is the touch response rate's, without them.
#[test]
fn unanswered_contacts_count_broadcasts_too() {
    // K1: three broadcasts a day apart, never answered. K2: two
    // broadcasts and a follow-up, which is answered. K3: an outreach and a
    // follow-up, unanswered, and a failed follow-up (not delivered).
    let log = "\
timestamp,conversation_id,direction,contact_id,broadcast_id,status
2024-02-05 10:00,C1,out,K1,spring,
2024-02-06 10:00,C1,out,K1,summer,
2024-02-07 10:00,C1,out,K1,autumn,
2024-02-05 10:00,C2,out,K2,spring,
2024-02-06 10:00,C2,out,K2,summer,
2024-02-07 10:00,C2,out,K2,,
2024-02-07 11:00,C2,in,K2,,
2024-02-05 10:00,C3,out,K3,,
2024-02-06 10:00,C3,out,K3,,
2024-02-07 10:00,C3,out,K3,,failed
";
    let r = report_json(log);
    let f = flag(&r, "unanswered_messages");
    assert_eq!(strings(f, "offenders"), ["K1"]);
    // Non-broadcast delivered touches: C2's follow-up (answered), C3's
    // outreach and follow-up: 1 of 3 answered.
    assert_close(f, "value", 2.0 / 3.0);
    assert_close(&r, "timing.touch_response_rate", 1.0 / 3.0);
}

/// Group engagement belongs to the touch, as a response does: a touch that
/// started in the period is engaged by a row after `to`.
#[test]
fn group_engagement_reads_past_the_period_end() {
    let log = "\
timestamp,conversation_id,direction,chat_type,sender
2024-03-01 09:00,G,out,group,Ann
2024-03-01 09:30,G,in,group,Member1
2024-03-02 09:00,G,in,group,Member2
2024-03-05 09:00,G,out,group,Ann
2024-03-05 10:00,G,in,group,Member1
";
    let f = Filters {
        from: Some(utc_instant("2024-03-01 00:00")),
        to: Some(utc_instant("2024-03-02 00:00")),
        ..Filters::default()
    };
    let r = report_json_with(log, "UTC", Settings::default(), f);
    // One outbound row in the period; 09:30 and 03-02 09:00 (after `to`)
    // both follow it within 7 days: 2 / 1.
    assert_close(&r, "groups.messages_to_groups", 1.0);
    assert_close(&r, "groups.engagement_rate", 2.0);
    assert_close(&r, "flow.group.inbound", 1.0);
    // A period starting 03-02 holds 03-02's row, but its touch started
    // before the period; 03-05's touch and answer count: 1 / 1.
    let f = Filters {
        from: Some(utc_instant("2024-03-02 00:00")),
        to: Some(utc_instant("2024-03-06 00:00")),
        ..Filters::default()
    };
    let r = report_json_with(log, "UTC", Settings::default(), f);
    assert_close(&r, "groups.engagement_rate", 1.0);
}

/// A lead is read from the conversation's first row in the period, as
/// every per-conversation value is: with a category column, a touch marked
/// as outreach later in the log makes a lead of a period starting there.
#[test]
fn a_lead_starts_at_the_first_row_in_the_period() {
    let log = "\
timestamp,conversation_id,direction,category
2024-01-01 09:00,K,out,follow_up
2024-01-10 09:00,K,out,initial_outreach
2024-01-11 09:00,K,out,follow_up
2024-01-12 09:00,K,out,follow_up
2024-01-12 12:00,K,in,
2024-01-13 09:00,K,out,follow_up
";
    // The whole log: the first row starts a follow-up, so no lead.
    let r = report_json(log);
    assert_null(&r, "followups.avg_per_lead");
    // From 01-05 the first row is the outreach of 01-10: a lead with the
    // follow-ups of 01-11 and 01-12 before the first inbound row (01-13's
    // comes after it): 2 / 1.
    let f = Filters {
        from: Some(utc_instant("2024-01-05 00:00")),
        ..Filters::default()
    };
    let r = report_json_with(log, "UTC", Settings::default(), f);
    assert_close(&r, "followups.avg_per_lead", 2.0);
    assert_close(&r, "followups.leads", 1.0);
    // From 01-11 the first row starts a follow-up again.
    let f = Filters {
        from: Some(utc_instant("2024-01-11 00:00")),
        ..Filters::default()
    };
    let r = report_json_with(log, "UTC", Settings::default(), f);
    assert_null(&r, "followups.avg_per_lead");
}

/// Agents are listed for what they wrote in the period: one whose only
/// answer to a run in the period came after `to` has no row.
#[test]
fn an_agent_answering_only_after_the_period_is_not_listed() {
    let log = "\
timestamp,conversation_id,direction,agent
2024-01-01 09:00,C1,in,
2024-01-01 09:10,C1,out,Ann
2024-01-01 23:00,C2,in,
2024-01-02 01:00,C2,out,Bob
";
    let f = Filters {
        from: Some(utc_instant("2024-01-01 00:00")),
        to: Some(utc_instant("2024-01-02 00:00")),
        ..Filters::default()
    };
    let r = report_json_with(log, "UTC", Settings::default(), f);
    let agents: Vec<&str> = at(&r, "agents")
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["agent"].as_str().unwrap())
        .collect();
    assert_eq!(agents, ["Ann"]);
    // C2's run still has its team reply of 2 h: 600 s and 7200 s.
    assert_close(&r, "timing.team_reply_secs.mean", 3900.0);
}
