//! Importer tests: small hand-written files for each alias, value spelling,
//! timestamp format, encoding and layout, the real files in
//! ../shared/fixtures, and bad input.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use chatlens::import::{
    Canonical, ImportError, ImportOptions, Imported, MapOverride, ReportZone, import_bytes,
    import_path,
};
use polars::prelude::*;

fn opts() -> ImportOptions {
    ImportOptions {
        zone: ReportZone::utc(),
        ..ImportOptions::default()
    }
}

fn import(text: &[u8]) -> Imported {
    import_bytes(text, "t.csv", "t.csv", &opts()).unwrap_or_else(|e| panic!("{e}"))
}

/// A column's cells as text, whether kept as text or as an enum.
fn strings(df: &DataFrame, col: &str) -> Vec<Option<String>> {
    df.column(col)
        .unwrap()
        .cast(&DataType::String)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.map(ToString::to_string))
        .collect()
}

fn iso(imported: &Imported) -> Vec<String> {
    iso_in(imported, ReportZone::utc())
}

/// The table's timestamps as ISO 8601 in `zone`.
fn iso_in(imported: &Imported, zone: ReportZone) -> Vec<String> {
    imported
        .table
        .column("timestamp")
        .unwrap()
        .cast(&DataType::Int64)
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .map(|v| zone.format_iso(v.unwrap()))
        .collect()
}

#[test]
fn header_aliases_map_to_canonical_columns() {
    let csv = "Sent At,Thread ID,From Me,Author,Owner,Tier,Deal Stage,Revenue,Body,Campaign,Member Count,Group Name,Delivery Status,Resolved At,Is Blocked,Step,Message Type,Customer ID,Chat Kind\n\
        2024-01-01 09:00,t1,true,Ann,ann,Enterprise,won,\"1,200.50\",hello,c1,12,G,read,2024-01-02 10:00,no,2,follow up,cust1,group\n";
    let i = import(csv.as_bytes());
    let cols = &i.report.columns;
    for (canonical, source) in [
        ("timestamp", "Sent At"),
        ("conversation_id", "Thread ID"),
        ("direction", "From Me"),
        ("sender", "Author"),
        ("agent", "Owner"),
        ("segment", "Tier"),
        ("outcome", "Deal Stage"),
        ("value", "Revenue"),
        ("text", "Body"),
        ("broadcast_id", "Campaign"),
        ("group_members", "Member Count"),
        ("group_id", "Group Name"),
        ("status", "Delivery Status"),
        ("closed_at", "Resolved At"),
        ("blocked", "Is Blocked"),
        ("followup_seq", "Step"),
        ("category", "Message Type"),
        ("contact_id", "Customer ID"),
        ("chat_type", "Chat Kind"),
    ] {
        assert_eq!(
            cols.get(canonical).map(String::as_str),
            Some(source),
            "{canonical}"
        );
    }
    let df = &i.table;
    assert_eq!(strings(df, "direction"), [Some("outbound".into())]);
    assert_eq!(strings(df, "chat_type"), [Some("group".into())]);
    assert_eq!(strings(df, "category"), [Some("follow_up".into())]);
    assert_eq!(
        df.column("value").unwrap().f64().unwrap().get(0),
        Some(1200.5)
    );
    assert_eq!(
        df.column("group_members").unwrap().i64().unwrap().get(0),
        Some(12)
    );
    assert_eq!(
        df.column("followup_seq").unwrap().i64().unwrap().get(0),
        Some(2)
    );
    assert_eq!(
        df.column("blocked").unwrap().bool().unwrap().get(0),
        Some(false)
    );
}

#[test]
fn direction_spellings_and_inbound_columns() {
    let csv = "timestamp,chat,direction\n\
        2024-01-01 09:00,a,OUT\n2024-01-01 09:01,a,Incoming\n2024-01-01 09:02,a,sent\n\
        2024-01-01 09:03,a,received\n2024-01-01 09:04,a,0\n2024-01-01 09:05,a,sideways\n";
    let i = import(csv.as_bytes());
    let dirs: Vec<_> = strings(&i.table, "direction")
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(
        dirs,
        ["outbound", "inbound", "outbound", "inbound", "inbound"]
    );
    assert_eq!(i.report.skipped.get("unknown_direction"), Some(&1));
    assert_eq!(i.report.skipped_first_lines["unknown_direction"], [7]);

    // A skipped row after blank lines is named by its own line, not by the
    // first blank line before it.
    let csv = "timestamp,chat,direction\n2024-01-01 10:00,c1,outbound\n\n\n\
        2024-01-01 10:05,c1,sideways\n2024-01-01 10:06,c1,inbound\r\n\r\nxx,c2,inbound\n";
    let i = import(csv.as_bytes());
    assert_eq!(i.report.skipped_first_lines["unknown_direction"], [5]);
    assert_eq!(i.report.skipped_first_lines["unparseable_timestamp"], [8]);

    // `is_inbound` has the opposite sense.
    let csv = "timestamp,chat,is_inbound\n2024-01-01 09:00,a,True\n2024-01-01 09:01,a,False\n";
    let dirs: Vec<_> = strings(&import(csv.as_bytes()).table, "direction")
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(dirs, ["inbound", "outbound"]);
}

#[test]
fn sender_and_team_decide_direction() {
    let csv = "timestamp,chat,sender\n2024-01-01 09:00,a,Ann\n2024-01-01 09:01,a,Zoe\n";
    let err = import_bytes(csv.as_bytes(), "t.csv", "t.csv", &opts()).unwrap_err();
    assert!(err.to_string().contains("no direction column"), "{err}");
    assert!(
        err.to_string()
            .contains("Senders in the file: Ann (1), Zoe (1)"),
        "{err}"
    );
    let o = ImportOptions {
        team: Some(vec!["ann".into()]),
        ..opts()
    };
    let i = import_bytes(csv.as_bytes(), "t.csv", "t.csv", &o).unwrap();
    let dirs: Vec<_> = strings(&i.table, "direction")
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(dirs, ["outbound", "inbound"]);
}

#[test]
fn contact_id_stands_in_for_conversation() {
    let csv = "timestamp,lead_id,direction\n2024-01-01 09:00,L1,out\n2024-01-01 09:00,,out\n";
    let i = import(csv.as_bytes());
    assert_eq!(strings(&i.table, "conversation_id"), [Some("L1".into())]);
    assert_eq!(i.report.skipped.get("missing_conversation"), Some(&1));
    // With a conversation column, an empty cell is a missing conversation
    // even beside a contact: the contact stands in only for the column.
    let csv = "timestamp,conversation_id,contact_id,direction
2024-01-01 09:00,chat-1,K1,out
2024-01-01 09:05,,K1,in
";
    let i = import(csv.as_bytes());
    assert_eq!(
        strings(&i.table, "conversation_id"),
        [Some("chat-1".into())]
    );
    assert_eq!(i.report.skipped.get("missing_conversation"), Some(&1));
}

#[test]
fn timestamp_formats() {
    let csv = "timestamp,chat,dir\n\
        2024-03-05T14:07:09Z,a,out\n\
        2024-03-05T16:07:09+02:00,a,out\n\
        2024-03-05 14:07,a,out\n\
        1709647629,a,out\n\
        1709647629000,a,out\n\
        03/05/2024 02:07 PM,a,out\n\
        2024-03-05,a,out\n\
        ,a,out\n\
        31/02/2024 10:00,a,out\n\
        soon,a,out\n";
    let i = import(csv.as_bytes());
    assert_eq!(
        iso(&i),
        [
            "2024-03-05T14:07:09+00:00",
            "2024-03-05T14:07:09+00:00",
            "2024-03-05T14:07:00+00:00",
            "2024-03-05T14:07:09+00:00",
            "2024-03-05T14:07:09+00:00",
            "2024-03-05T14:07:00+00:00",
            "2024-03-05T00:00:00+00:00",
        ]
    );
    assert_eq!(i.report.skipped.get("empty_timestamp"), Some(&1));
    assert_eq!(i.report.skipped.get("unparseable_timestamp"), Some(&2));
    assert_eq!(
        i.report.skipped_first_lines["unparseable_timestamp"],
        [10, 11]
    );
}

#[test]
fn plain_timestamps_read_while_splitting_mix_with_other_layouts() {
    // `YYYY-MM-DD hh:mm:ss` cells are read as the file is split; the others
    // keep their text and are read once the date order is known: day first
    // here, which only the slash cells can tell (25/03).
    let csv = [
        "timestamp,chat,dir",
        "2024-03-05 14:07:09,a,out",
        "05/03/2024 10:00,a,out",
        "  2024-03-25T08:00:00 ,a,out",
        "25/03/2024 10:00,a,out",
        "2024-02-30 14:07:09,a,out",
        ",a,out",
        "2024-03-26 09:00:00,a,out",
    ]
    .join("\n");
    for (zone, offset) in [
        (ReportZone::utc(), "+00:00"),
        (ReportZone::from_name("Europe/Berlin").unwrap(), "+01:00"),
    ] {
        let o = ImportOptions { zone, ..opts() };
        let i = import_bytes(csv.as_bytes(), "t.csv", "t.csv", &o).unwrap();
        let expected = [
            "2024-03-05T14:07:09",
            "2024-03-05T10:00:00",
            "2024-03-25T08:00:00",
            "2024-03-25T10:00:00",
            "2024-03-26T09:00:00",
        ]
        .map(|t| format!("{t}{offset}"));
        assert_eq!(iso_in(&i, zone), expected);
        assert_eq!(
            i.report.dialect.date_order_source,
            Some(chatlens::import::OrderSource::Inferred)
        );
        // 30 February is no date in any layout; the blank cell is empty.
        assert_eq!(i.report.skipped.get("unparseable_timestamp"), Some(&1));
        assert_eq!(i.report.skipped_first_lines["unparseable_timestamp"], [6]);
        assert_eq!(i.report.skipped_first_lines["empty_timestamp"], [7]);
    }
    // Every cell plain: nothing tells the date order, and nothing needs it.
    let i = import(b"timestamp,chat,dir\n2024-03-05 14:07:09,a,out\n");
    assert_eq!(iso(&i), ["2024-03-05T14:07:09+00:00"]);
    assert_eq!(i.report.dialect.date_order_source, None);
}

#[test]
fn numbers_flags_and_close_times_read_while_splitting() {
    // Read as the file is split; the row with no timestamp is skipped, so
    // each column keeps only the other rows. closed_at mixes a plain cell, a
    // slash date (month first: 13 is no month) and a blank.
    let csv = [
        "timestamp,chat,dir,value,group_members,followup_seq,blocked,closed_at",
        "2024-03-05 14:07:09,a,out, 1 200.50 ,4.6,2,yes,2024-03-06 10:00:00",
        ",a,out,9,9,9,no,2024-03-07 10:00:00",
        "2024-03-05 15:00:00,b,in,n/a,,x,maybe,03/13/2024 08:30",
        "2024-03-05 16:00:00,c,out,,12,1,FALSE,",
    ]
    .join("\n");
    let i = import(csv.as_bytes());
    let df = &i.table;
    let f64s =
        |c: &str| -> Vec<Option<f64>> { df.column(c).unwrap().f64().unwrap().iter().collect() };
    let i64s = |c: &str| -> Vec<Option<i64>> {
        let c = df.column(c).unwrap().cast(&DataType::Int64).unwrap();
        c.i64().unwrap().iter().collect()
    };
    assert_eq!(f64s("value"), [Some(1200.5), None, None]);
    assert_eq!(i64s("group_members"), [Some(5), None, Some(12)]);
    assert_eq!(i64s("followup_seq"), [Some(2), None, Some(1)]);
    assert_eq!(
        df.column("blocked")
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .collect::<Vec<_>>(),
        [Some(true), None, Some(false)]
    );
    // 2024-03-06T10:00Z and 2024-03-13T08:30Z in epoch milliseconds.
    assert_eq!(
        i64s("closed_at"),
        [Some(1_709_719_200_000), Some(1_710_318_600_000), None]
    );
    assert_eq!(i.report.skipped.get("empty_timestamp"), Some(&1));
}

#[test]
fn slash_date_order_is_inferred_per_column_with_override() {
    let day_first = "timestamp,chat,dir\n05/03/2024 10:00,a,out\n25/03/2024 10:00,a,out\n";
    let i = import(day_first.as_bytes());
    assert_eq!(iso(&i)[0], "2024-03-05T10:00:00+00:00");
    assert_eq!(
        i.report.dialect.date_order_source,
        Some(chatlens::import::OrderSource::Inferred)
    );
    let month_first = "timestamp,chat,dir\n05/03/2024 10:00,a,out\n03/25/2024 10:00,a,out\n";
    assert_eq!(
        iso(&import(month_first.as_bytes()))[0],
        "2024-05-03T10:00:00+00:00"
    );
    // Nothing decides: day first, and the report says it was assumed.
    let undecided = "timestamp,chat,dir\n05/03/2024 10:00,a,out\n";
    let i = import(undecided.as_bytes());
    assert_eq!(iso(&i)[0], "2024-03-05T10:00:00+00:00");
    assert!(
        i.report
            .warnings
            .iter()
            .any(|w| w.kind == "date_order_assumed")
    );
    let o = ImportOptions {
        date_order: Some(chatlens::import::DateOrder::MonthFirst),
        ..opts()
    };
    let i = import_bytes(undecided.as_bytes(), "t.csv", "t.csv", &o).unwrap();
    assert_eq!(iso(&i)[0], "2024-05-03T10:00:00+00:00");
}

#[test]
fn naive_times_are_wall_clock_in_the_report_zone() {
    let csv = "timestamp,chat,dir\n2024-07-01 09:00,a,out\n2024-07-01T09:00:00Z,a,out\n";
    let o = ImportOptions {
        zone: ReportZone::from_name("Europe/Berlin").unwrap(),
        ..opts()
    };
    let i = import_bytes(csv.as_bytes(), "t.csv", "t.csv", &o).unwrap();
    let ts = iso_in(&i, o.zone);
    assert_eq!(
        ts,
        ["2024-07-01T09:00:00+02:00", "2024-07-01T11:00:00+02:00"]
    );
    assert_eq!(
        i.report.first_timestamp.as_deref(),
        Some("2024-07-01T09:00:00+02:00")
    );
}

#[test]
fn date_and_time_pair() {
    let csv = "Date,Time,Chat,Direction\n2024-01-02,09:30,a,out\n02/01/2024,10:00,a,in\n";
    let i = import(csv.as_bytes());
    assert_eq!(
        i.report.columns.get("date").map(String::as_str),
        Some("Date")
    );
    assert_eq!(
        iso(&i),
        ["2024-01-02T09:30:00+00:00", "2024-01-02T10:00:00+00:00"]
    );
}

#[test]
fn map_override_names_columns() {
    let csv = "When,Thread,Way\n2024-01-01 09:00,a,out\n";
    let err = import_bytes(csv.as_bytes(), "t.csv", "t.csv", &opts()).unwrap_err();
    match &err {
        ImportError::MissingColumns {
            missing,
            headers,
            preview,
            ..
        } => {
            assert_eq!(missing, "timestamp");
            assert_eq!(headers, &["When", "Thread", "Way"]);
            assert_eq!(preview[0], ["2024-01-01 09:00", "a", "out"]);
        }
        other => panic!("unexpected {other}"),
    }
    let o = ImportOptions {
        overrides: vec![
            "timestamp=When".parse::<MapOverride>().unwrap(),
            "conversation_id=Thread".parse().unwrap(),
            "direction=\"Way\"".parse().unwrap(),
        ],
        ..opts()
    };
    let i = import_bytes(csv.as_bytes(), "t.csv", "t.csv", &o).unwrap();
    assert_eq!(i.report.rows_kept, 1);
    assert_eq!(i.report.columns["direction"], "Way");
    assert!(Canonical::from_name("Conversation ID").is_some());
}

#[test]
fn delimiters_quotes_line_endings_and_blank_lines() {
    for (text, delimiter) in [
        (
            "timestamp;chat;dir\r\n2024-01-01 09:00;a;out\r\n2024-01-01 09:01;a;in\r\n",
            "semicolon",
        ),
        (
            "timestamp\tchat\tdir\n2024-01-01 09:00\ta\tout\n\n2024-01-01 09:01\ta\tin\n",
            "tab",
        ),
        (
            "timestamp|chat|dir\r2024-01-01 09:00|a|out\r2024-01-01 09:01|a|in\r",
            "pipe",
        ),
        (
            "timestamp,chat,dir,text\n2024-01-01 09:00,a,out,\"Hi, \"\"you\"\"\nsecond line\"\n2024-01-01 09:01,a,in,ok\n",
            "comma",
        ),
    ] {
        let i = import(text.as_bytes());
        assert_eq!(i.report.dialect.delimiter.as_deref(), Some(delimiter));
        assert_eq!(i.report.rows_kept, 2, "{delimiter}");
    }
    let i = import(b"timestamp,chat,dir,text\n2024-01-01 09:00,a,out,\"Hi, \"\"you\"\"\nsecond line\"\n2024-01-01 09:01,a,in,ok\n");
    assert_eq!(
        strings(&i.table, "text")[0].as_deref(),
        Some("Hi, \"you\"\nsecond line")
    );
    // The second record starts on line 4 because the first spans two lines.
    let lines: Vec<i64> = i
        .table
        .column("line")
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    assert_eq!(lines, [2, 4]);
}

#[test]
fn ragged_rows_are_reported_not_fatal() {
    let csv = "timestamp,chat,dir,text\n2024-01-01 09:00,a,out\n2024-01-01 09:01,a,in,hi,extra\n";
    let i = import(csv.as_bytes());
    assert_eq!(i.report.rows_kept, 2);
    let w = i
        .report
        .warnings
        .iter()
        .find(|w| w.kind == "ragged_rows")
        .unwrap();
    assert_eq!(w.count, 2);
    assert_eq!(w.first_lines, [2, 3]);
    assert!(
        w.message.starts_with("rows with a different"),
        "{}",
        w.message
    );

    // One ragged row and one blank line (of spaces: an empty line is no
    // record at all) are each said in the singular.
    let i =
        import(b"timestamp,chat,dir\n2024-01-01 09:00,a,out,extra\n   \n2024-01-01 09:01,a,in\n");
    let said = |kind: &str| {
        let w = i.report.warnings.iter().find(|w| w.kind == kind).unwrap();
        (w.count, w.message.clone())
    };
    let (count, message) = said("ragged_rows");
    assert_eq!(count, 1);
    assert!(message.starts_with("row with a different"), "{message}");
    assert_eq!(
        said("blank_lines"),
        (1, "blank line passed over".to_string())
    );
}

#[test]
fn encodings() {
    let text = "timestamp,chat,dir,sender\n2024-01-01 09:00,a,out,Zoë\n";
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(text.as_bytes());
    let mut le = vec![0xFF, 0xFE];
    le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let mut be = vec![0xFE, 0xFF];
    be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    let latin1: Vec<u8> = text.chars().map(|c| c as u32 as u8).collect();
    for (bytes, enc) in [
        (text.as_bytes().to_vec(), "UTF-8"),
        (bom, "UTF-8 with BOM"),
        (le, "UTF-16 LE"),
        (be, "UTF-16 BE"),
        (latin1, "Windows-1252"),
    ] {
        let i = import(&bytes);
        assert_eq!(i.report.dialect.encoding, enc);
        assert_eq!(
            strings(&i.table, "sender")[0].as_deref(),
            Some("Zoë"),
            "{enc}"
        );
        assert_eq!(i.report.columns["timestamp"], "timestamp", "{enc}");
    }
}

/// A large log's start tells its kind and the rest is checked for UTF-8
/// stretch by stretch: each encoding still reads as a small file of it
/// does, whether the odd byte is near the start, near the end, or a
/// character sits across the first megabyte's end.
#[test]
fn large_files_decode_as_small_ones() {
    use std::fmt::Write as _;
    // Over 8 MB: 150,000 rows of about 60 bytes.
    let rows = 150_000;
    let mut text = String::from("timestamp,chat,dir,sender\n");
    for i in 0..rows {
        // Rows of two lengths, so that some multi-byte name straddles the
        // first megabyte's end.
        let name = if i % 2 == 0 {
            "Zoë Lindqvist-Øster"
        } else {
            "Zoë Lindqvist-Øster Ü"
        };
        let _ = writeln!(
            text,
            "2024-01-01 09:{:02},chat-{:06},{},{name}",
            i % 60,
            i % 5_000,
            if i % 3 == 0 { "in" } else { "out" }
        );
    }
    assert!(text.len() > 8 << 20);
    let straddles = (1 << 20) - 8..(1 << 20) + 8;
    assert!(straddles.clone().any(|k| !text.is_char_boundary(k)));
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(text.as_bytes());
    // "Zoë" in Windows-1252 on the last row: not UTF-8.
    let latin_tail = |bytes: &[u8]| {
        let mut bytes = bytes.to_vec();
        let at = bytes.iter().rposition(|&b| b == b',').unwrap() + 1;
        bytes.splice(at.., b"Zo\xEB Lindqvist\n".iter().copied());
        bytes
    };
    let last_name = |i: &Imported| strings(&i.table, "sender")[rows - 1].clone();
    // Every row kept, in the encoding named, the first name read so.
    let read_as = |i: &Imported, encoding: &str, first: &str| {
        assert_eq!(i.report.dialect.encoding, encoding);
        assert_eq!(i.report.rows_kept, rows as u64);
        assert_eq!(strings(&i.table, "sender")[0].as_deref(), Some(first));
    };
    let utf8 = import(text.as_bytes());
    read_as(&utf8, "UTF-8", "Zoë Lindqvist-Øster");
    assert_eq!(last_name(&utf8).as_deref(), Some("Zoë Lindqvist-Øster Ü"));

    let with_bom = import(&bom);
    assert_eq!(with_bom.report.dialect.encoding, "UTF-8 with BOM");
    assert!(with_bom.table.equals_missing(&utf8.table));

    let latin = import(&latin_tail(text.as_bytes()));
    read_as(&latin, "Windows-1252", "ZoÃ« Lindqvist-Ã˜ster");
    assert_eq!(last_name(&latin).as_deref(), Some("Zoë Lindqvist"));

    // After a byte-order mark, bytes that are not UTF-8 are replaced.
    let lossy = import(&latin_tail(&bom));
    read_as(&lossy, "UTF-8 with BOM", "Zoë Lindqvist-Øster");
    assert_eq!(last_name(&lossy).as_deref(), Some("Zo\u{FFFD} Lindqvist"));
    assert_eq!(
        strings(&lossy.table, "sender")[..rows - 1],
        strings(&utf8.table, "sender")[..rows - 1]
    );
}

#[test]
fn gzip_json_ndjson_parquet_and_xlsx() {
    let csv = "timestamp,chat,dir\n2024-01-01 09:00,a,out\n2024-01-01 09:05,a,in\n";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(csv.as_bytes()).unwrap();
    let i = import_bytes(&gz.finish().unwrap(), "t.csv.gz", "t.csv.gz", &opts()).unwrap();
    assert!(i.report.dialect.compressed);
    assert_eq!(i.report.rows_kept, 2);

    let json = r#"[{"ts": "2024-01-01T09:00:00Z", "chat_id": 12345678901234567890, "from_me": true},
                   {"ts": "2024-01-01T09:05:00Z", "chat_id": 12345678901234567890, "from_me": false}]"#;
    let i = import(json.as_bytes());
    assert_eq!(i.report.format, "json");
    // A long numeric id stays exact text.
    assert_eq!(
        strings(&i.table, "conversation_id")[0].as_deref(),
        Some("12345678901234567890")
    );
    let nd = "{\"ts\": 1704099600, \"chat\": \"a\", \"dir\": \"in\"}\n\n{\"ts\": 1704099660, \"chat\": \"a\", \"dir\": \"out\"}\n";
    let i = import(nd.as_bytes());
    assert_eq!(i.report.format, "ndjson");
    assert_eq!(i.report.rows_kept, 2);

    let mut df = df!(
        "created_at" => ["2024-01-01 09:00", "2024-01-01 09:05"],
        "thread_id" => ["t", "t"],
        "outgoing" => [true, false],
        "member_count" => [3i64, 3],
    )
    .unwrap();
    let mut buf = Vec::new();
    ParquetWriter::new(&mut buf).finish(&mut df).unwrap();
    let i = import_bytes(&buf, "t.parquet", "t.parquet", &opts()).unwrap();
    assert_eq!(i.report.format, "parquet");
    assert_eq!(
        strings(&i.table, "direction")[0].as_deref(),
        Some("outbound")
    );

    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet()
        .set_name("Notes")
        .unwrap()
        .write(0, 0, "nothing here")
        .unwrap();
    let sheet = book.add_worksheet().set_name("Log").unwrap();
    for (c, h) in ["Sent At", "Chat", "Direction"].iter().enumerate() {
        sheet.write(0, c as u16, *h).unwrap();
    }
    let dt = rust_xlsxwriter::ExcelDateTime::parse_from_str("2024-01-01 09:00:00").unwrap();
    let fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm");
    sheet.write_datetime_with_format(1, 0, &dt, &fmt).unwrap();
    sheet.write(1, 1, 42).unwrap();
    sheet.write(1, 2, "out").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let i = import_bytes(&bytes, "t.xlsx", "t.xlsx", &opts()).unwrap();
    assert_eq!(i.report.format, "xlsx");
    assert_eq!(i.report.dialect.sheet.as_deref(), Some("Log"));
    assert_eq!(iso(&i), ["2024-01-01T09:00:00+00:00"]);
    assert_eq!(
        strings(&i.table, "conversation_id")[0].as_deref(),
        Some("42")
    );
}

fn expect_error(bytes: &[u8], name: &str, needle: &str) {
    let err = import_bytes(bytes, name, name, &opts()).expect_err("should fail");
    let msg = err.to_string();
    assert!(msg.contains(name), "{msg}");
    assert!(msg.contains(needle), "{msg} should mention {needle}");
}

#[test]
fn bad_input_gets_clear_errors() {
    expect_error(b"", "empty.csv", "empty (0 bytes)");
    expect_error(b"\n\n\r\n", "blank.csv", "only blank lines");
    expect_error(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "photo.csv", "a PNG image");
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    expect_error(&garbage, "noise.csv", "binary data");
    expect_error(b"PK\x03\x04\x14\x00\x00\x00broken", "chat.zip", "zip");
    expect_error(b"name,age\nAnn,3\n", "people.csv", "no timestamp column");
    expect_error(b"[1, 2, 3]", "numbers.json", "expected an object");
    // A 20 MB line is read and rejected as a timestamp, quickly.
    let mut big = b"timestamp,chat,dir\n".to_vec();
    big.extend(std::iter::repeat_n(b'x', 20 << 20));
    big.extend_from_slice(b",a,out\n2024-01-01 09:00,a,out\n");
    let i = import(&big);
    assert_eq!(i.report.rows_kept, 1);
    assert_eq!(i.report.skipped["unparseable_timestamp"], 1);
}

/// A damaged Parquet file is an error naming the file: polars' decoder
/// asserts on some of the lengths a page claims, and that must not end the
/// program (nor the app's loading thread). A page claiming an absurd
/// length is beyond this: the allocator's failure aborts the process,
/// which no Rust code can catch, and the 216th damage of this sequence
/// does that, so the test stops short of it.
#[test]
fn damaged_parquet_files_are_errors_not_panics() {
    let base = common::sample_parquet();
    let mut next = common::xorshift(0x9E37_79B9_7F4A_7C15);
    let mut damaged = 0;
    for _ in 0..200 {
        let mut bytes = base.clone();
        common::damage(&mut bytes, &mut next);
        let read = std::panic::catch_unwind(|| {
            import_bytes(&bytes, "log.parquet", "log.parquet", &opts())
        })
        .expect("an import never panics");
        if let Err(e) = read {
            let message = e.to_string();
            assert!(message.starts_with("log.parquet"), "{message}");
            damaged += usize::from(message.contains("looks damaged"));
        }
    }
    // Some of this damage reaches polars' checks (3 of 200 with polars
    // 0.55); the rest is told by the reader's own errors, or still reads.
    eprintln!("{damaged} of 200 damaged files stopped at a check");
}

/// A file none of whose rows can be read, for a caller that asks, is an
/// error carrying the file's columns and first rows as they are in the
/// file, unmapped columns included, and the senders to pick a team from.
#[test]
fn nothing_kept_comes_back_with_the_files_columns() {
    let csv = "timestamp,chat,dir,from,notes,value\n\
soon,a,out,Ana,first,12.5\n\
later,a,in,Bo,second,7\n";
    let o = ImportOptions {
        nothing_kept_is_error: true,
        ..opts()
    };
    let err = import_bytes(csv.as_bytes(), "t.csv", "t.csv", &o).unwrap_err();
    let ImportError::NothingKept { message, columns } = &err else {
        panic!("unexpected {err}");
    };
    assert!(
        message.starts_with("t.csv: none of its 2 rows could be read"),
        "{message}"
    );
    assert_eq!(
        columns.headers,
        ["timestamp", "chat", "dir", "from", "notes", "value"]
    );
    assert_eq!(
        columns.preview[0],
        ["soon", "a", "out", "Ana", "first", "12.5"]
    );
    assert_eq!(columns.guesses["direction"], "dir");
    let (column, senders) = columns.senders.as_ref().unwrap();
    assert_eq!(column, "from");
    assert_eq!(senders.len(), 2);
    // A file longer than the head read again for the preview.
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.csv");
    let mut text = String::from("timestamp,chat,dir,from,notes,value\n");
    while text.len() < 2 << 20 {
        text.push_str("soon,a,out,Ana,a note,12.5\n");
    }
    std::fs::write(&big, &text).unwrap();
    let err = import_path(&big, &o).unwrap_err();
    let ImportError::NothingKept { columns, .. } = &err else {
        panic!("unexpected {err}");
    };
    assert_eq!(columns.preview.len(), 5);
    assert_eq!(
        columns.preview[4],
        ["soon", "a", "out", "Ana", "a note", "12.5"]
    );
    // Without the option the file imports empty, its reasons in the report.
    let empty = import_bytes(csv.as_bytes(), "t.csv", "t.csv", &opts()).unwrap();
    assert_eq!(empty.report.rows_kept, 0);
    assert!(empty.report.nothing_kept().is_some());
}

#[test]
fn twcs_inbound_flag_is_a_direction() {
    let path = Path::new(
        "../shared/fixtures/conversations/chatbotAnalyticsLab/Dataset/CustomerSupportOnTwitter/sample.csv",
    );
    let o = ImportOptions {
        overrides: vec!["conversation_id=author_id".parse().unwrap()],
        ..opts()
    };
    let i = import_path(path, &o).unwrap();
    assert_eq!(i.report.columns["direction"], "inbound");
    assert_eq!(i.report.columns["timestamp"], "created_at");
    assert_eq!(i.report.skipped.values().sum::<u64>(), 0);
    let dirs = strings(&i.table, "direction");
    // Row 1 is a customer tweet (inbound=True), row 2 a brand's (False).
    assert_eq!(dirs[0].as_deref(), Some("inbound"));
    assert_eq!(dirs[1].as_deref(), Some("outbound"));
    assert_eq!(iso(&i)[0], "2017-10-11T06:55:44+00:00");
}

/// The Twitter customer-care sample has no conversation column: each
/// tweet belongs to the chain of replies it is part of, named by the
/// chain's first tweet (followed by hand in the file).
#[test]
fn twcs_tweets_thread_into_conversations_by_their_replies() {
    let path = Path::new(
        "../shared/fixtures/conversations/chatbotAnalyticsLab/Dataset/CustomerSupportOnTwitter/sample.csv",
    );
    let i = import_path(path, &opts()).unwrap();
    assert_eq!(
        i.report.columns["conversation_id"],
        "reply chains (tweet_id, in_response_to_tweet_id)"
    );
    assert_eq!(i.report.rows_kept, 93);
    let conversations = strings(&i.table, "conversation_id");
    let lines = i.table.column("line").unwrap().i64().unwrap();
    let at = |line: i64| {
        let row = lines.iter().position(|l| l == Some(line)).unwrap();
        conversations[row].clone().unwrap()
    };
    // Line 24 is customer 105840's tweet 119256, which answers none; lines
    // 17–23 are SpotifyCares and the customer answering each other in turn
    // (119254 answers 119256, 119255 answers 119254, ...).
    for line in 17..=24 {
        assert_eq!(at(line), "119256", "line {line}");
    }
    // Lines 5–11 go back to VirginTrains' tweet 119247, which the sample
    // does not hold: they share its id.
    for line in 5..=11 {
        assert_eq!(at(line), "119247", "line {line}");
    }
    // The sample's 93 tweets make 27 chains.
    let distinct: std::collections::BTreeSet<_> = conversations.iter().collect();
    assert_eq!(distinct.len(), 27);
}

#[test]
fn chitchat_flat_csv_with_a_team() {
    let path = Path::new(
        "../shared/fixtures/conversations/chitchat-dataset/dataset_first500_conversations_flat.csv",
    );
    let o = ImportOptions {
        team: Some(vec!["720840be-e522-47ba-9e9f-143f66372673".into()]),
        ..opts()
    };
    let i = import_path(path, &o).unwrap();
    assert_eq!(i.report.rows_read, i.report.rows_kept);
    assert!(i.report.rows_kept > 18_000);
    assert_eq!(i.report.dialect.delimiter.as_deref(), Some("comma"));
    let senders = i.report.participants.as_ref().unwrap();
    assert!(senders.len() > 100);
}

/// The chats as the dataset ships them (an object of conversations keyed
/// by id, each a list of turns of messages) read to the same table as its
/// flattened CSV, and each row named by the line its message starts on.
#[test]
fn chitchat_json_reads_as_its_flat_csv() {
    let dir = Path::new("../shared/fixtures/conversations/chitchat-dataset");
    let o = ImportOptions {
        team: Some(vec!["720840be-e522-47ba-9e9f-143f66372673".into()]),
        ..opts()
    };
    let json = import_path(&dir.join("dataset_first500_conversations.json"), &o).unwrap();
    let csv = import_path(&dir.join("dataset_first500_conversations_flat.csv"), &o).unwrap();
    assert_eq!(json.report.format, "json");
    assert_eq!(json.report.rows_kept, csv.report.rows_kept);
    assert_eq!(json.report.skipped.values().sum::<u64>(), 0);
    for column in ["conversation_id", "sender", "text", "direction"] {
        assert_eq!(
            strings(&json.table, column),
            strings(&csv.table, column),
            "{column}"
        );
    }
    assert_eq!(iso(&json), iso(&csv));
    // The first message's object opens on line 5 of the file, the
    // second's on line 10.
    let lines = json.table.column("line").unwrap().i64().unwrap();
    assert_eq!(lines.get(0), Some(5));
    assert_eq!(lines.get(1), Some(10));
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Every file of the messy-CSV corpus either imports or fails with a
/// message naming it; none panics or hangs.
#[test]
fn every_csv_fixture_imports_or_fails_clearly() {
    let mut files = Vec::new();
    files_under(Path::new("../shared/fixtures/csv"), &mut files);
    assert!(files.len() > 250);
    for path in files {
        let (tx, rx) = mpsc::channel();
        let p = path.clone();
        std::thread::spawn(move || {
            let result =
                std::panic::catch_unwind(|| import_path(&p, &opts()).map(|i| i.report.rows_kept));
            let _ = tx.send(result);
        });
        match rx.recv_timeout(Duration::from_mins(1)) {
            Err(mpsc::RecvTimeoutError::Timeout | mpsc::RecvTimeoutError::Disconnected) => {
                panic!("{} hangs", path.display())
            }
            Ok(Err(_)) => panic!("{} panics", path.display()),
            Ok(Ok(Ok(_))) => {}
            Ok(Ok(Err(e))) => {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                assert!(e.to_string().contains(&name), "{e}");
            }
        }
    }
}

/// Every `WhatsApp` fixture, including the zips, imports through the same
/// entry point as any file.
#[test]
fn whatsapp_exports_import() {
    let mut files = Vec::new();
    files_under(Path::new("../shared/fixtures/whatsapp"), &mut files);
    let o = ImportOptions {
        require_team: false,
        ..opts()
    };
    let mut seen = 0;
    for path in files.iter().filter(|p| {
        let s = p.to_string_lossy();
        (s.ends_with(".txt") || s.ends_with(".zip")) && !s.contains("_derived")
    }) {
        let i = import_path(path, &o).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(i.report.format, "whatsapp", "{}", path.display());
        assert!(i.report.rows_kept > 0, "{}", path.display());
        seen += 1;
    }
    assert!(seen >= 45, "{seen}");
    // A zip with media and __MACOSX entries: the chat inside is read.
    let zip = Path::new(
        "../shared/fixtures/whatsapp/whatsapp-chat-parser-website/src/assets/whatsapp-chat-parser-example.zip",
    );
    let i = import_path(zip, &o).unwrap();
    assert!(i.report.dialect.compressed);
    // Without a team, `report` stops and lists the participants.
    let chat =
        Path::new("../shared/fixtures/whatsapp/chat-analytics/tests/samples/whatsapp/4A_11M.txt");
    match import_path(chat, &opts()) {
        Err(ImportError::TeamRequired { participants, .. }) => assert_eq!(participants.len(), 5),
        other => panic!(
            "expected TeamRequired, got {:?}",
            other.map(|i| i.report.rows_kept)
        ),
    }
    let with_team = ImportOptions {
        team: Some(vec![
            i.report.participants.as_ref().unwrap()[0].name.clone(),
        ]),
        ..opts()
    };
    let i = import_path(zip, &with_team).unwrap();
    let dirs = strings(&i.table, "direction");
    assert!(dirs.iter().any(|d| d.as_deref() == Some("outbound")));
    assert!(dirs.iter().any(|d| d.as_deref() == Some("inbound")));
}

#[test]
fn several_files_stack_into_one_table() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("march.csv");
    let b = dir.path().join("april.csv");
    std::fs::write(
        &a,
        "timestamp,chat,dir,segment\n2024-03-01 09:00,c1,out,SMB\n",
    )
    .unwrap();
    std::fs::write(
        &b,
        "timestamp,chat,dir,agent\n2024-04-01 09:00,c2,in,\nnever,c2,in,\n",
    )
    .unwrap();
    let i = chatlens::import::import_paths(&[a, b], &opts()).unwrap();
    assert_eq!(i.table.height(), 2);
    // A column only one file has is null for the other file's rows.
    assert_eq!(strings(&i.table, "segment"), [Some("SMB".into()), None]);
    assert_eq!(i.report.rows_read, 3);
    assert_eq!(i.report.rows_kept, 2);
    assert_eq!(i.report.skipped["unparseable_timestamp"], 1);
    assert_eq!(i.report.file, "march.csv, april.csv");
    assert_eq!(
        i.report.last_timestamp.as_deref(),
        Some("2024-04-01T09:00:00+00:00")
    );

    // Chat exports without a team: one question for every chat's people.
    let chats = [
        PathBuf::from(
            "../shared/fixtures/whatsapp/chat-analytics/tests/samples/whatsapp/2A_5M.txt",
        ),
        PathBuf::from(
            "../shared/fixtures/whatsapp/chat-analytics/tests/samples/whatsapp/4A_11M.txt",
        ),
    ];
    match chatlens::import::import_paths(&chats, &opts()) {
        Err(ImportError::TeamRequired { participants, .. }) => {
            let names: Vec<&str> = participants.iter().map(|p| p.name.as_str()).collect();
            assert!(
                names.contains(&"Alice") && names.contains(&"Mallory"),
                "{names:?}"
            );
        }
        other => panic!(
            "expected TeamRequired, got {:?}",
            other.map(|i| i.report.rows_kept)
        ),
    }
    let team = ImportOptions {
        team: Some(vec!["Alice".into()]),
        ..opts()
    };
    let i = chatlens::import::import_paths(&chats, &team).unwrap();
    let convs: std::collections::BTreeSet<_> = strings(&i.table, "conversation_id")
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(convs.len(), 2, "each chat export is its own conversation");
}

#[test]
fn source_digest_is_recorded_only_when_asked() {
    let csv = b"timestamp,conversation_id,direction\n2024-05-06 10:00,c1,outbound\n";
    let with = import(csv);
    let source = with.report.source.expect("digest by default");
    assert_eq!(
        (source.name.as_str(), source.size),
        ("t.csv", csv.len() as u64)
    );
    // SHA-256 of the bytes above, as `sha256sum` prints it.
    assert_eq!(
        source.sha256,
        "3bc97255498c9cf1daceb538c0032d5c6165a77cade8ecf73e2a0ce73ba7d4a0"
    );
    let without = ImportOptions {
        digest_source: false,
        ..opts()
    };
    let i = import_bytes(csv, "t.csv", "t.csv", &without).unwrap();
    assert_eq!(i.report.source, None);
    assert_eq!(i.table.height(), with.table.height());
}

/// Columns of few values arrive as enums; the figures are the ones the same
/// table gives with those columns as text.
#[test]
fn enum_columns_give_the_figures_text_columns_give() {
    use chatlens::metrics::{Filters, Settings, compute, prepare::prepare};
    // Enough rows for several stretches.
    let csv = chatlens::sample::csv_bytes(&chatlens::sample::generate(24_000, 7)).unwrap();
    let imported = import(&csv);
    let table = &imported.table;
    let enums: Vec<String> = table
        .get_column_names()
        .into_iter()
        .filter(|name| matches!(table.column(name).unwrap().dtype(), DataType::Enum(..)))
        .map(ToString::to_string)
        .collect();
    for name in [
        "direction",
        "chat_type",
        "sender",
        "agent",
        "status",
        "segment",
        "outcome",
        "group_id",
        "broadcast_id",
    ] {
        assert!(enums.iter().any(|e| e == name), "{name} is not an enum");
    }
    let mut as_text = table.clone();
    for name in &enums {
        let text = table.column(name).unwrap().cast(&DataType::String).unwrap();
        as_text.replace(name, text).unwrap();
    }
    let report = |df: &DataFrame| {
        let settings = Settings::default();
        let prepared = prepare(df, &settings).unwrap();
        let report = compute(
            &prepared,
            &settings,
            &Filters::default(),
            &ReportZone::utc(),
        );
        serde_json::to_value(report).unwrap()
    };
    let figures = report(table);
    assert_eq!(figures, report(&as_text));
    assert!(figures["direct"]["conversations"].as_u64().unwrap() > 0);
}

/// A column that overrides map to two fields feeds both, once per row: it
/// is neither read twice nor kept as codes for a field that needs text.
#[test]
fn a_column_mapped_to_two_fields_feeds_both() {
    let csv = "timestamp,chat,dir,seg\n\
               2024-01-01 09:00,a,out,SMB\n\
               2024-01-01 09:05,a,in,SMB\n\
               2024-01-01 10:00,b,out,Enterprise\n";
    let o = ImportOptions {
        overrides: vec![
            "text=seg".parse::<MapOverride>().unwrap(),
            "segment=seg".parse().unwrap(),
        ],
        ..opts()
    };
    let i = import_bytes(csv.as_bytes(), "t.csv", "t.csv", &o).unwrap();
    assert_eq!(i.report.rows_read, 3);
    assert_eq!(i.report.rows_kept, 3);
    let expected = [Some("SMB"), Some("SMB"), Some("Enterprise")].map(|v| v.map(String::from));
    assert_eq!(strings(&i.table, "text"), expected);
    assert_eq!(strings(&i.table, "segment"), expected);
    // The engine reads the text as text.
    assert_eq!(i.table.column("text").unwrap().dtype(), &DataType::String);
}

/// Parquet timestamps (with a zone or without) read as instants give the
/// instants their text gives in a CSV, in a zone with summer time: a
/// naive time in the spring gap, one in the autumn fold, and a year past
/// 9999 that neither reads.
#[test]
fn parquet_datetimes_read_as_their_text_reads() {
    use std::fmt::Write as _;
    let zone = "Europe/Berlin";
    let at = |y, mo, d, h, mi, ms| {
        chrono::NaiveDate::from_ymd_opt(y, mo, d)
            .unwrap()
            .and_hms_milli_opt(h, mi, 0, ms)
            .unwrap()
    };
    let naive = [
        at(2024, 3, 31, 1, 30, 0),
        at(2024, 3, 31, 2, 30, 0),
        at(2024, 10, 27, 2, 30, 250),
        at(2024, 6, 1, 12, 0, 0),
        at(12000, 1, 1, 0, 0, 0),
    ];
    let ms: Vec<i64> = naive
        .iter()
        .map(|t| t.and_utc().timestamp_millis())
        .collect();
    let opts_in = ImportOptions {
        zone: ReportZone::from_name(zone).unwrap(),
        ..ImportOptions::default()
    };
    for tz in [None, Some(TimeZone::UTC)] {
        let stamp = |unit| {
            Int64Chunked::from_vec("timestamp".into(), ms.clone())
                .into_datetime(TimeUnit::Milliseconds, tz.clone())
                .into_series()
                .cast(&DataType::Datetime(unit, tz.clone()))
                .unwrap()
        };
        let mut closed = stamp(TimeUnit::Microseconds);
        closed.rename("closed_at".into());
        let mut df = DataFrame::new_infer_height(vec![
            stamp(TimeUnit::Milliseconds).into(),
            closed.into(),
            Series::new("conversation_id".into(), ["a", "a", "b", "b", "c"]).into(),
            Series::new("direction".into(), ["out", "in", "out", "in", "out"]).into(),
        ])
        .unwrap();
        let mut parquet = Vec::new();
        ParquetWriter::new(&mut parquet).finish(&mut df).unwrap();
        let from_parquet = import_bytes(&parquet, "t.parquet", "t.parquet", &opts_in).unwrap();
        let suffix = if tz.is_some() { "Z" } else { "" };
        let mut csv = String::from("timestamp,closed_at,conversation_id,direction\n");
        for ((t, conv), dir) in naive
            .iter()
            .zip(["a", "a", "b", "b", "c"])
            .zip(["out", "in", "out", "in", "out"])
        {
            let _ = writeln!(csv, "{t}{suffix},{t}{suffix},{conv},{dir}");
        }
        let from_csv = import_bytes(csv.as_bytes(), "t.csv", "t.csv", &opts_in).unwrap();
        assert_eq!(from_parquet.report.rows_kept, 4, "{tz:?}");
        assert_eq!(
            from_parquet.report.skipped, from_csv.report.skipped,
            "{tz:?}"
        );
        for column in ["timestamp", "closed_at"] {
            let instants = |i: &Imported| -> Vec<Option<i64>> {
                let c = i
                    .table
                    .column(column)
                    .unwrap()
                    .cast(&DataType::Int64)
                    .unwrap();
                c.i64().unwrap().iter().collect()
            };
            assert_eq!(
                instants(&from_parquet),
                instants(&from_csv),
                "{column} {tz:?}"
            );
        }
    }
}

/// A log whose rows look like chat-export lines (a date and time first,
/// then `name: text`) is still a log when its first line is a header.
#[test]
fn logs_with_chat_like_rows_are_not_chat_exports() {
    let am_pm = "timestamp,conversation_id,direction,text\n\
03/04/2024 08:31 AM,c1,outbound,Hello: how are you?\n\
03/04/2024 09:01 AM,c1,inbound,Fine: thanks\n\
03/05/2024 01:15 PM,c1,outbound,Great\n";
    let tab = am_pm
        .replace(',', "\t")
        .replace("03/04/2024 08:31 AM", "2024-03-04 08:31")
        .replace("03/04/2024 09:01 AM", "2024-03-04 09:01")
        .replace("03/05/2024 01:15 PM", "2024-03-05 13:15");
    for (text, format) in [(am_pm.to_string(), "csv"), (tab, "tsv")] {
        let i = import(text.as_bytes());
        assert_eq!(i.report.format, format);
        assert_eq!(i.report.rows_kept, 3);
        assert_eq!(
            iso(&i),
            [
                "2024-03-04T08:31:00+00:00",
                "2024-03-04T09:01:00+00:00",
                "2024-03-05T13:15:00+00:00"
            ]
        );
        // Over 8 MB, where the file's start alone decides.
        let mut large = text.clone();
        let row = text.lines().nth(1).unwrap();
        while large.len() <= 8 << 20 {
            large.push_str(row);
            large.push('\n');
        }
        let i = import(large.as_bytes());
        assert_eq!(i.report.format, format);
        assert_eq!(i.report.rows_kept, (large.lines().count() - 1) as u64);
    }
    // A chat export whose first message reads like a header is still one.
    let chat = "12/03/2024, 10:00 - Ann: time, date, direction\n\
12/03/2024, 10:05 - Bob: ok\n";
    let o = ImportOptions {
        require_team: false,
        ..opts()
    };
    let i = import_bytes(chat.as_bytes(), "chat.txt", "chat.txt", &o).unwrap();
    assert_eq!(i.report.format, "whatsapp");
    assert_eq!(i.report.rows_kept, 2);
}

/// Close times tell their own day/month order, and say so when nothing
/// decides it.
#[test]
fn an_assumed_close_time_order_is_reported() {
    let kinds = |csv: &str, o: &ImportOptions| -> Vec<String> {
        let i = import_bytes(csv.as_bytes(), "t.csv", "t.csv", o).unwrap();
        i.report.warnings.iter().map(|w| w.kind.clone()).collect()
    };
    let ambiguous = "timestamp,conversation_id,direction,closed_at\n\
2024-02-01 10:00,c1,out,01/03/2024 10:00\n\
2024-02-01 10:00,c2,out,02/03/2024 10:00\n";
    assert_eq!(kinds(ambiguous, &opts()), ["closed_at_date_order_assumed"]);
    let told = ImportOptions {
        date_order: Some(chatlens::import::DateOrder::MonthFirst),
        ..opts()
    };
    assert!(kinds(ambiguous, &told).is_empty());
    let decided = ambiguous.replace("02/03/2024", "25/03/2024");
    assert!(kinds(&decided, &opts()).is_empty());
}

/// A log whose times are all midnight holds dates only: the import says
/// so, on the report zone's clock, and names the column.
#[test]
fn a_log_of_dates_only_is_reported() {
    let dates_only = |csv: &str, zone: ReportZone| -> Option<String> {
        let o = ImportOptions { zone, ..opts() };
        let i = import_bytes(csv.as_bytes(), "t.csv", "t.csv", &o).unwrap();
        i.report
            .warnings
            .iter()
            .find(|w| w.kind == "dates_only")
            .map(|w| w.message.clone())
    };
    let dates = "date,conversation_id,direction\n\
2024-03-04,c1,outbound\n2024-03-05,c1,inbound\n2024-03-31,c2,outbound\n";
    let message = dates_only(dates, ReportZone::utc()).expect("a warning");
    assert!(message.contains("(date)"), "{message}");
    // Dates are midnight on the report zone's clock, across its change to
    // summer time (2024-03-31) too.
    let berlin = ReportZone::from_name("Europe/Berlin").unwrap();
    assert!(dates_only(dates, berlin).is_some());
    // One time of day anywhere is enough to read times from.
    let one_time = dates.replace("2024-03-05,", "2024-03-05 10:15,");
    assert_eq!(dates_only(&one_time, ReportZone::utc()), None);
    // Instants at midnight UTC are not midnight in New York.
    let utc_midnights = "timestamp,conversation_id,direction\n\
2024-03-04T00:00:00Z,c1,outbound\n2024-03-05T00:00:00Z,c1,inbound\n";
    let new_york = ReportZone::from_name("America/New_York").unwrap();
    assert!(dates_only(utc_midnights, ReportZone::utc()).is_some());
    assert_eq!(dates_only(utc_midnights, new_york), None);
    // A single row says too little to warn about.
    let single = "date,conversation_id,direction\n2024-03-04,c1,outbound\n";
    assert_eq!(dates_only(single, ReportZone::utc()), None);
}

/// A spreadsheet's `Date` and `Time` columns of date and time cells join
/// as the same columns of text do.
#[test]
fn spreadsheet_date_and_time_cells_join() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["Date", "Time", "Chat", "Direction"].iter().enumerate() {
        sheet.write(0, c as u16, *h).unwrap();
    }
    let day = Format::new().set_num_format("yyyy-mm-dd");
    let clock = Format::new().set_num_format("hh:mm:ss");
    for (r, (h, m, dir)) in [(9, 0, "out"), (10, 30, "in")].into_iter().enumerate() {
        let row = r as u32 + 1;
        let date = ExcelDateTime::from_ymd(2024, 3, 4).unwrap();
        let time = ExcelDateTime::from_hms(h, m, 15).unwrap();
        sheet
            .write_datetime_with_format(row, 0, &date, &day)
            .unwrap();
        sheet
            .write_datetime_with_format(row, 1, &time, &clock)
            .unwrap();
        sheet.write(row, 2, "a").unwrap();
        sheet.write(row, 3, dir).unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let i = import_bytes(&bytes, "t.xlsx", "t.xlsx", &opts()).unwrap();
    assert_eq!(i.report.rows_kept, 2, "{:?}", i.report.skipped);
    assert_eq!(
        iso(&i),
        ["2024-03-04T09:00:15+00:00", "2024-03-04T10:30:15+00:00"]
    );

    // A date cell alone is midnight, as a bare date is.
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["Timestamp", "Chat", "Direction"].iter().enumerate() {
        sheet.write(0, c as u16, *h).unwrap();
    }
    let date = ExcelDateTime::from_ymd(2024, 3, 4).unwrap();
    sheet.write_datetime_with_format(1, 0, &date, &day).unwrap();
    sheet.write(1, 1, "a").unwrap();
    sheet.write(1, 2, "out").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let i = import_bytes(&bytes, "t.xlsx", "t.xlsx", &opts()).unwrap();
    assert_eq!(iso(&i), ["2024-03-04T00:00:00+00:00"]);
}

/// polars reads a Parquet time32[s] column as empty cells, which would put
/// a date + time pair at midnight: the import refuses it when it takes the
/// column, names it, and reads a time64 one (beside an unused time32[s]
/// column) as written.
#[test]
fn parquet_time_of_day_in_seconds_is_refused_not_read_as_midnight() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let err = import_path(&path.join("date_and_time32s.parquet"), &opts())
        .expect_err("a time32[s] time column must not import")
        .to_string();
    assert!(err.contains("date_and_time32s.parquet"), "{err}");
    assert!(err.contains("column \"time\""), "{err}");
    assert!(err.contains("time32[s]"), "{err}");
    let i = import_path(&path.join("date_and_time64us.parquet"), &opts()).unwrap();
    assert_eq!(i.report.rows_kept, 2);
    assert_eq!(
        iso_in(&i, ReportZone::utc()),
        ["2025-10-11T15:36:36+00:00", "2025-10-11T17:05:09+00:00"]
    );
}

/// As `report` reads a file, texts are kept only as their hashes, row for
/// row with the kept rows, whichever reader read them: the same hash for
/// the same trimmed text, none for a blank one. Rows keep no source line.
#[test]
fn texts_kept_as_hashes_line_up_with_the_kept_rows() {
    let hashed = ImportOptions {
        keep_source_detail: false,
        ..opts()
    };
    let csv = "timestamp,chat,dir,text\n\
        2024-01-01 09:00,a,out,  Big sale! \n\
        not a time,a,out,skipped\n\
        2024-01-01 09:01,a,in,\n\
        2024-01-01 09:02,b,out,\"Big sale!, today\"\n\
        2024-01-01 09:03,c,out,Big sale!\n";
    let mut df = df!(
        "timestamp" => ["2024-01-01 09:00", "not a time", "2024-01-01 09:01", "2024-01-01 09:02", "2024-01-01 09:03"],
        "chat" => ["a", "a", "a", "b", "c"],
        "dir" => ["out", "out", "in", "out", "out"],
        "text" => [Some("  Big sale! "), Some("skipped"), None, Some("Big sale!, today"), Some("Big sale!")],
    )
    .unwrap();
    let mut parquet = Vec::new();
    ParquetWriter::new(&mut parquet).finish(&mut df).unwrap();
    let ndjson = "{\"timestamp\": \"2024-01-01 09:00\", \"chat\": \"a\", \"dir\": \"out\", \"text\": \"  Big sale! \"}\n\
        {\"timestamp\": \"not a time\", \"chat\": \"a\", \"dir\": \"out\", \"text\": \"skipped\"}\n\
        {\"timestamp\": \"2024-01-01 09:01\", \"chat\": \"a\", \"dir\": \"in\", \"text\": \"\"}\n\
        {\"timestamp\": \"2024-01-01 09:02\", \"chat\": \"b\", \"dir\": \"out\", \"text\": \"Big sale!, today\"}\n\
        {\"timestamp\": \"2024-01-01 09:03\", \"chat\": \"c\", \"dir\": \"out\", \"text\": \"Big sale!\"}\n";
    for (name, bytes) in [
        ("t.csv", csv.as_bytes()),
        ("t.parquet", parquet.as_slice()),
        ("t.ndjson", ndjson.as_bytes()),
    ] {
        let kept = import_bytes(bytes, name, name, &opts()).unwrap();
        let only_hashes = import_bytes(bytes, name, name, &hashed).unwrap();
        assert_eq!(only_hashes.report.rows_kept, 4, "{name}");
        assert!(kept.table.column("text_hash").is_err(), "{name}");
        assert!(only_hashes.table.column("text").is_err(), "{name}");
        // Nor is each row's source line, which only a reader of the rows needs.
        assert!(only_hashes.table.column("line").is_err(), "{name}");
        assert!(kept.table.column("line").is_ok(), "{name}");
        let hashes: Vec<u64> = only_hashes
            .table
            .column("text_hash")
            .unwrap()
            .u64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        let texts = kept.table.column("text").unwrap().str().unwrap().clone();
        assert_eq!(
            hashes,
            chatlens::dictionary::text_hashes(&texts, &|_| true),
            "{name}"
        );
        let sale = chatlens::dictionary::text_hash("Big sale!");
        assert_eq!(
            hashes,
            [
                sale,
                0,
                chatlens::dictionary::text_hash("Big sale!, today"),
                sale
            ],
            "{name}"
        );
    }
}
