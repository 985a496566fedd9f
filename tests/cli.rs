//! The binary, run as a user would: `inspect`, `report`, `sample`, exit
//! codes and messages.

mod common;

use std::path::Path;
use std::process::Command;

fn chatlens() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_chatlens"));
    c.env("TZ", "UTC");
    c
}

/// `one.csv`: one outbound message on Monday 2024-03-04 at 10:00 and its
/// answer five minutes later.
fn one_day_log(dir: &Path) -> std::path::PathBuf {
    let csv = dir.join("one.csv");
    std::fs::write(
        &csv,
        "timestamp,conversation_id,direction\n2024-03-04 10:00,a,out\n2024-03-04 10:05,a,in\n",
    )
    .unwrap();
    csv
}

/// The JSON a command prints, which must succeed.
fn json_of(args: &[&str]) -> serde_json::Value {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = chatlens().args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn help_and_version_describe_every_command() {
    let (code, out, _) = run(&["--help"]);
    assert_eq!(code, 0);
    for cmd in ["inspect", "report", "sample"] {
        assert!(out.contains(cmd), "{out}");
    }
    let (code, out, _) = run(&["--version"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("chatlens "));
}

#[test]
fn inspect_json_keys_and_whatsapp_without_team() {
    let chat = "../shared/fixtures/whatsapp/chat-analytics/tests/samples/whatsapp/4A_11M.zip";
    let v = json_of(&["inspect", chat, "--json", "--tz", "UTC"]);
    for key in [
        "format",
        "dialect",
        "columns",
        "rows_read",
        "rows_kept",
        "skipped",
        "first_timestamp",
        "last_timestamp",
        "participants",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["format"], "whatsapp");
    assert_eq!(v["participants"][0]["name"], "Alice");
    assert_eq!(v["participants"][0]["messages"], 3);
    assert!(v["first_timestamp"].as_str().unwrap().ends_with("+00:00"));
}

#[test]
fn report_without_team_lists_participants_and_exits_2() {
    let chat = "../shared/fixtures/whatsapp/chat-analytics/tests/samples/whatsapp/4A_11M.txt";
    let (code, out, err) = run(&["report", chat, "--tz", "UTC"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("--team"), "{err}");
    assert!(err.contains("Alice (3 messages)"), "{err}");
    let v = json_of(&[
        "report",
        chat,
        "--tz",
        "UTC",
        "--team",
        "Alice,Bob",
        "--json",
    ]);
    // A group chat of five: Alice 3 + Bob 2 outbound, the rest inbound.
    assert_eq!(v["flow"]["group"]["outbound"], 5);
    assert_eq!(v["flow"]["group"]["inbound"], 6);
}

#[test]
fn bad_files_exit_2_with_the_file_named() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("photo.csv");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    let (code, out, err) = run(&["report", png.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("photo.csv") && err.contains("PNG"), "{err}");
    let (code, _, err) = run(&["inspect", "/nonexistent/log.csv"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/log.csv"), "{err}");
    let (code, _, err) = run(&["report", png.to_str().unwrap(), "--tz", "Mars/Base"]);
    assert_eq!(code, 2);
    assert!(err.contains("Mars/Base"), "{err}");
    for to in ["2024-03-01", "2024-02-01"] {
        let args = ["report", "x.csv", "--from", "2024-03-01", "--to", to];
        let (code, _, err) = run(&args);
        assert_eq!(code, 2);
        assert!(err.contains("--to is exclusive"), "{err}");
    }
}

#[test]
fn sample_then_report_json_has_the_contract_layout() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("s.csv");
    let (code, _, err) = run(&[
        "sample",
        "--conversations",
        "300",
        "--seed",
        "3",
        "--out",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let again = dir.path().join("t.csv");
    run(&[
        "sample",
        "--conversations",
        "300",
        "--seed",
        "3",
        "--out",
        again.to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::read(&csv).unwrap(),
        std::fs::read(&again).unwrap(),
        "same seed, same file"
    );
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);

    let v = json_of(&["report", csv.to_str().unwrap(), "--json", "--tz", "UTC"]);
    for path in [
        "direct.conversations",
        "direct.first_response_secs.p90",
        "direct.resolution_secs.derived_count",
        "direct.unanswered_first",
        "groups.reach_estimated",
        "groups.member_participation",
        "flow.direct.ratio",
        "flow.categories.broadcast",
        "followups.by_position.5+.rate",
        "followups.initial_outreach_response_rate",
        "followups.days_between.mean",
        "timing.team_reply_buckets.1m_5m",
        "timing.by_slot.weekend.touches",
        "timing.by_weekday.Sunday.rate",
        "quality.quick_both_ways.null",
        "quality.score_distribution.5",
        "outcomes.pareto.top.followups_per_lead",
        "outcomes.correlation.median_team_reply_hours",
        "compare.timing.customer_reply_secs.median",
        "compare.shift_days",
        "meta.tz",
        "import.rows_kept",
    ] {
        let mut cur = &v;
        for part in path.split('.') {
            cur = cur.get(part).unwrap_or_else(|| panic!("missing {path}"));
        }
    }
    assert_eq!(
        v["timing"]["heatmap"]["touches"].as_array().unwrap().len(),
        7
    );
    assert_eq!(
        v["timing"]["heatmap"]["touches"][0]
            .as_array()
            .unwrap()
            .len(),
        24
    );
    assert_eq!(v["red_flags"].as_array().unwrap().len(), 6);
    assert!(v["direct"]["conversations"].as_u64().unwrap() > 200);

    // The readable report puts figures beside their benchmarks.
    let (code, out, _) = run(&["report", csv.to_str().unwrap(), "--tz", "UTC"]);
    assert_eq!(code, 0);
    assert!(out.contains("(target > 95%"), "{out}");
    assert!(out.contains("typical 10–15%"), "{out}");
    assert!(out.contains("healthy 1:1 – 2:1"), "{out}");

    // Filters and settings flags are accepted and change the figures.
    let (code, out, err) = run(&[
        "report",
        csv.to_str().unwrap(),
        "--json",
        "--tz",
        "UTC",
        "--segment",
        "SMB",
        "--chat-type",
        "direct",
        "--from",
        "2024-03-11",
        "--to",
        "2024-04-01",
        "--burst-gap",
        "5m",
        "--reply-sla",
        "12h",
    ]);
    assert_eq!(code, 0, "{err}");
    let f: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        f["direct"]["conversations"].as_u64().unwrap()
            < v["direct"]["conversations"].as_u64().unwrap()
    );
    assert_eq!(f["meta"]["from"], "2024-03-11T00:00:00+00:00");
    assert_eq!(f["meta"]["settings"]["reply_sla_secs"], 43_200);
    assert_eq!(f["groups"]["messages_to_groups"], 0);
}

#[test]
fn inspect_text_names_skips_with_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.csv");
    std::fs::write(
        &path,
        "timestamp,chat,dir\n2024-01-01 09:00,a,out\nyesterday,a,in\n",
    )
    .unwrap();
    let (code, out, _) = run(&["inspect", path.to_str().unwrap(), "--tz", "UTC"]);
    assert_eq!(code, 0);
    assert!(out.contains("unparseable_timestamp"), "{out}");
    assert!(out.contains("first lines: 3"), "{out}");
    assert!(Path::new(&path).exists());
}

#[test]
fn the_system_zone_follows_tz() {
    let out = Command::new(env!("CARGO_BIN_EXE_chatlens"))
        .env("TZ", "Europe/Berlin")
        .args([
            "inspect",
            "--json",
            "../shared/fixtures/whatsapp/chat-analytics/tests/samples/whatsapp/2A_5M.txt",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = v["first_timestamp"].as_str().unwrap();
    assert!(
        first.ends_with("+01:00") || first.ends_with("+02:00"),
        "{first}"
    );
}

#[test]
fn save_names_the_source_by_its_digest() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("log.csv");
    let text = "timestamp,conversation_id,direction\n\
                2024-05-06 10:00,c1,outbound\n\
                2024-05-06 10:05,c1,inbound\n";
    std::fs::write(&csv, text).unwrap();
    let out = dir.path().join("log.chatlens");
    let (code, _, err) = run(&[
        "save",
        csv.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--tz",
        "UTC",
    ]);
    assert_eq!(code, 0, "{err}");
    let file = std::fs::File::open(&out).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let manifest: serde_json::Value =
        serde_json::from_reader(zip.by_name("manifest.json").unwrap()).unwrap();
    // `sha256sum` of the file's bytes.
    assert_eq!(
        manifest["source"]["sha256"],
        "616ec5e61c69c42e8594a6c256eaca98e4d0c0c00e3e5c1d4a6823ab8e40a0e2"
    );
    assert_eq!(manifest["source"]["size"], text.len());
}

#[test]
fn a_reader_that_stops_early_is_no_error_but_a_full_disk_is() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("s.csv");
    let (code, _, err) = run(&[
        "sample",
        "--conversations",
        "200",
        "--out",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    // The pipe is closed before the report is written, as `| head -1`
    // closes it after the first line.
    let mut child = chatlens()
        .args(["report", csv.to_str().unwrap(), "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("ends");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    if cfg!(target_os = "linux") {
        let full = std::fs::File::create("/dev/full").unwrap();
        let out = chatlens()
            .args(["report", csv.to_str().unwrap()])
            .stdout(full)
            .output()
            .expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("cannot write to standard output"), "{err}");
    }
}

#[test]
fn a_file_without_one_readable_row_exits_2_naming_the_cell() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("dates.csv");
    std::fs::write(
        &csv,
        "Date,Time,Chat,Direction\n2024-03-04,9h,a,out\n2024-03-04,,a,maybe\n",
    )
    .unwrap();
    let (code, out, err) = run(&["report", csv.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("dates.csv: none of its 2 rows"), "{err}");
    assert!(
        err.contains(r#"line 2, column "Date + Time": "2024-03-04 9h""#),
        "{err}"
    );
    assert!(
        err.contains(r#"line 3, column "Direction": "maybe""#),
        "{err}"
    );
    // `inspect` still shows what was skipped, and why.
    let (code, out, _) = run(&["inspect", csv.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(
        out.contains(r#"(line 3, column "Direction": "maybe")"#),
        "{out}"
    );
}

#[test]
fn the_text_report_counts_one_thing_in_the_singular_and_follows_the_settings() {
    let dir = tempfile::tempdir().unwrap();
    let csv = one_day_log(dir.path());
    let (code, out, err) = run(&["report", csv.to_str().unwrap(), "--active-days", "14"]);
    assert_eq!(code, 0, "{err}");
    for wanted in [
        // The period [03-04, 03-05) is the one day it holds.
        "Chatlens report — 2024-03-04 (UTC)",
        "one.csv: 2 rows read, 2 kept, 0 skipped",
        "Compared with 2024-02-26 (7 days earlier)",
        "(row in the last 14 days of the period)",
        "(typical 3–5; based on 1 lead)",
        "(based on 1 touch)",
        "based on 1 response)",
        "(1 of 1 touch)",
        "(0 of 0 touches)",
        "critical > 3.0 : 1; based on 1 message received)",
        "critical > 35.0%; based on 1 conversation)",
    ] {
        assert!(out.contains(wanted), "{wanted:?} missing from:\n{out}");
    }
    assert!(!out.contains("1 touches"), "{out}");
}

/// What the import noticed stands under the text report's first lines, as
/// it can change how the figures read.
#[test]
fn the_text_report_says_what_the_import_noticed() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("days.csv");
    std::fs::write(
        &csv,
        "date,conversation_id,direction\n04/03/2024,a,out\n05/03/2024,a,in\n",
    )
    .unwrap();
    let (code, out, err) = run(&["report", csv.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let notes: Vec<&str> = out
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with("Note: "))
        .collect();
    assert_eq!(notes.len(), 2, "{out}");
    assert!(notes[0].contains("read as day first"), "{out}");
    assert!(
        notes[1].contains("every timestamp (date) is at midnight"),
        "{out}"
    );
    let csv = one_day_log(dir.path());
    let (_, out, _) = run(&["report", csv.to_str().unwrap()]);
    assert!(!out.contains("Note:"), "{out}");
}

#[test]
fn one_bound_beyond_the_data_gives_the_figures_of_an_empty_period() {
    let dir = tempfile::tempdir().unwrap();
    let csv = one_day_log(dir.path());
    let file = csv.to_str().unwrap();
    // The default start is 2024-03-04 00:00 and the default end 2024-03-05
    // 00:00: "from the 5th on" and "before the 4th" hold no row. A script
    // asking for the days since its last run gets zeros, not an error.
    for (flag, date) in [("--from", "2024-03-05"), ("--to", "2024-03-04")] {
        let v = json_of(&["report", file, "--json", flag, date]);
        assert_eq!(v["flow"]["outbound"], 0, "{flag}");
        assert_eq!(v["direct"]["conversations"], 0, "{flag}");
        assert!(v["timing"]["touch_response_rate"].is_null(), "{flag}");
        assert_eq!(v["compare"]["shift_days"], 0, "{flag}");
    }
    // A bound inside the data's days leaves a period.
    let v = json_of(&["report", file, "--json", "--to", "2024-03-04T10:01"]);
    assert_eq!(v["flow"]["outbound"], 1);
    assert_eq!(v["flow"]["inbound"], 0);
}

/// A chat export whose `type` field holds "message" is read with
/// `--map direction=` (the file has no direction column) and the team.
#[test]
fn an_empty_map_leaves_a_column_unmapped() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("result.json");
    std::fs::write(
        &json,
        r#"{"name": "Acme", "messages": [
  {"type": "message", "date": "2024-03-04T09:00:00", "from": "Customer", "text": "Hi"},
  {"type": "message", "date": "2024-03-04T09:07:00", "from": "Ana", "text": "Hello"}]}"#,
    )
    .unwrap();
    let file = json.to_str().unwrap();
    let (code, _, err) = run(&["report", file, "--json"]);
    assert_eq!(code, 2);
    assert!(err.contains("none of its 2 rows could be read"), "{err}");
    let v = json_of(&[
        "report",
        file,
        "--json",
        "--map",
        "direction=",
        "--team",
        "Ana",
    ]);
    assert_eq!(v["flow"]["outbound"], 1);
    assert_eq!(v["flow"]["inbound"], 1);
    assert_eq!(v["import"]["columns"]["conversation_id"], "conversation_id");
}

/// A log threaded by replies, without a conversation column: the chains
/// make the conversations, and a tweet answering one outside the file
/// shares that tweet's id with its siblings.
#[test]
fn replies_thread_a_log_without_a_conversation_column() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("tweets.csv");
    std::fs::write(
        &csv,
        "tweet_id,author_id,inbound,created_at,in_response_to_tweet_id\n\
1,c1,True,2024-03-04 10:00,\n\
2,Brand,False,2024-03-04 10:20,1\n\
3,c1,True,2024-03-04 10:25,2\n\
4,c2,True,2024-03-04 11:00,\n\
5,Brand,False,2024-03-04 13:00,4\n\
6,Brand,False,2024-03-04 12:00,99\n\
7,c3,True,2024-03-04 12:30,99\n",
    )
    .unwrap();
    let v = json_of(&["report", csv.to_str().unwrap(), "--json"]);
    // Chains 1 (tweets 1–3), 4 (4–5) and 99 (6–7, answering a tweet the
    // file does not hold).
    assert_eq!(v["direct"]["conversations"], 3);
    // First responses: 20 min (chain 1) and 2 h (chain 4); chain 99 opens
    // with the team. Median of 20 and 120 min: 70 min.
    assert_eq!(
        v["direct"]["first_response_secs"]["median"].as_f64(),
        Some(4200.0)
    );
    assert_eq!(
        v["import"]["columns"]["conversation_id"],
        "reply chains (tweet_id, in_response_to_tweet_id)"
    );
    // A conversation column, when there is one, wins.
    let v = json_of(&[
        "report",
        csv.to_str().unwrap(),
        "--json",
        "--map",
        "conversation_id=author_id",
    ]);
    assert_eq!(v["direct"]["conversations"], 4);
}

/// A Telegram Desktop chat export: its messages' `type` ("message",
/// "service") is not taken for a direction, the team decides it, and
/// service messages are counted apart.
#[test]
fn a_telegram_chat_export_reads_with_a_team() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("result.json");
    std::fs::write(
        &json,
        r#"{"name": "Acme Support", "type": "personal_chat", "id": 4242, "messages": [
  {"id": 1, "type": "service", "date": "2024-03-04T08:59:00", "actor": "Bo", "action": "phone_call"},
  {"id": 2, "type": "message", "date": "2024-03-04T09:00:00", "from": "Bo", "text": "Hi"},
  {"id": 3, "type": "message", "date": "2024-03-04T09:07:00", "from": "Ana", "reply_to_message_id": 2,
   "text": ["Sorry! ", {"type": "bold", "text": "Today"}]}]}"#,
    )
    .unwrap();
    let file = json.to_str().unwrap();
    let (code, _, err) = run(&["report", file, "--json"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("Senders in the file: Ana (1), Bo (1)"),
        "{err}"
    );
    let v = json_of(&["report", file, "--json", "--team", "Ana"]);
    assert_eq!(v["flow"]["outbound"], 1);
    assert_eq!(v["flow"]["inbound"], 1);
    // Bo wrote at 09:00, Ana answered at 09:07.
    assert_eq!(
        v["direct"]["first_response_secs"]["median"].as_f64(),
        Some(420.0)
    );
    assert_eq!(v["import"]["rows_read"], 3);
    assert_eq!(v["import"]["warnings"][0]["kind"], "service_messages");
    // One service message is said in the singular.
    let (code, out, err) = run(&["report", file, "--team", "Ana"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Note: 1 service message (a member joining or leaving,"),
        "{out}"
    );
    assert!(out.contains("is not a message and was left out"), "{out}");
}

/// A direction column in words of its own: no row reads until the values
/// that mean outbound are named, and the message says how.
#[test]
fn outbound_values_name_a_direction_column_in_words_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("intercom.csv");
    std::fs::write(
        &csv,
        "ticket_id,created_at,author_type,body\n\
t1,2024-03-04 09:00,user,Hi\n\
t1,2024-03-04 09:20,admin,Hello\n\
t1,2024-03-04 09:25,Bot,Survey\n\
t2,2024-03-04 10:00,user,Help\n",
    )
    .unwrap();
    let file = csv.to_str().unwrap();
    let (code, _, err) = run(&["report", file, "--map", "direction=author_type"]);
    assert_eq!(code, 2);
    assert!(err.contains("--outbound-values"), "{err}");
    let v = json_of(&[
        "report",
        file,
        "--json",
        "--map",
        "direction=author_type",
        "--outbound-values",
        "admin, bot",
    ]);
    // admin and Bot (any case) are outbound, user inbound.
    assert_eq!(v["flow"]["outbound"], 2);
    assert_eq!(v["flow"]["inbound"], 2);
}

/// Tweets as the Twitter API gives them: threaded by their replies, the
/// author read from the `user` object's handle, the team picked by it.
#[test]
fn twitter_api_json_threads_and_names_its_users() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("tweets.json");
    std::fs::write(
        &json,
        r#"[{"id_str": "10", "in_reply_to_status_id_str": null, "created_at": "Wed Oct 11 06:55:44 +0000 2017", "user": {"screen_name": "cust1"}, "text": "@Brand help"},
{"id_str": "11", "in_reply_to_status_id_str": "10", "created_at": "Wed Oct 11 07:15:44 +0000 2017", "user": {"screen_name": "Brand"}, "text": "@cust1 sure"},
{"id_str": "12", "in_reply_to_status_id_str": "11", "created_at": "Wed Oct 11 07:25:44 +0000 2017", "user": {"screen_name": "cust1"}, "text": "thanks"}]"#,
    )
    .unwrap();
    let v = json_of(&[
        "report",
        json.to_str().unwrap(),
        "--json",
        "--team",
        "Brand",
    ]);
    assert_eq!(v["direct"]["conversations"], 1);
    assert_eq!(v["flow"]["outbound"], 1);
    assert_eq!(v["flow"]["inbound"], 2);
    // cust1 at 06:55:44, Brand at 07:15:44.
    assert_eq!(
        v["direct"]["first_response_secs"]["median"].as_f64(),
        Some(1200.0)
    );
}

/// A Parquet log damaged where polars' decoder asserts is refused with a
/// message naming the file, without polars' panic line printed beside it
/// (the library's own test finds such damage in this sequence, and stops
/// short of the damage that aborts).
#[test]
fn a_damaged_parquet_log_is_refused_without_a_panic_line() {
    let base = common::sample_parquet();
    let mut next = common::xorshift(0x9E37_79B9_7F4A_7C15);
    let options = common::options("UTC");
    let damaged = (0..200)
        .find_map(|_| {
            let mut bytes = base.clone();
            common::damage(&mut bytes, &mut next);
            let read =
                chatlens::import::import_bytes(&bytes, "log.parquet", "log.parquet", &options);
            matches!(&read, Err(e) if e.to_string().contains("internal check")).then_some(bytes)
        })
        .expect("some of the damage reaches polars' checks");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("log.parquet");
    std::fs::write(&file, &damaged).unwrap();
    let (code, out, err) = run(&["report", file.to_str().unwrap(), "--json"]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("log.parquet"), "{err}");
    assert!(err.contains("looks damaged"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
