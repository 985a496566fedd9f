//! `.chatlens` reports: a round trip keeps every figure, and broken or
//! hostile archives are refused with a clear error without writing anything.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::Command;

use chatlens::import::{ImportOptions, ReportZone, import_bytes, import_path};
use chatlens::metrics::{ChatType, Filters, Settings};
use chatlens::report_file;
use chatlens::session::Session;

fn sample_session(filters: Filters) -> Session {
    let df = chatlens::sample::generate(200, 1);
    let bytes = chatlens::sample::csv_bytes(&df).unwrap();
    let opts = ImportOptions {
        zone: ReportZone::from_name("Europe/Berlin").unwrap(),
        ..ImportOptions::default()
    };
    let imported = import_bytes(&bytes, "s.csv", "s.csv", &opts).unwrap();
    let settings = Settings {
        reply_sla_secs: 3_600,
        ..Settings::default()
    };
    Session::new(imported, settings, filters, opts.zone).unwrap()
}

fn json(s: &Session) -> serde_json::Value {
    serde_json::to_value(s.report_with_import()).unwrap()
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn save_then_open_gives_the_same_report() {
    let filters = Filters {
        chat_type: Some(ChatType::Direct),
        ..Filters::default()
    };
    let s = sample_session(filters.clone());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.chatlens");
    report_file::save(&s, &path).unwrap();
    assert_eq!(listing(dir.path()), vec!["r.chatlens".to_string()]);

    let bytes = std::fs::read(&path).unwrap();
    assert!(report_file::is_report(&bytes));
    assert!(!report_file::is_report(b"timestamp,direction\n"));

    let opened = report_file::open(&path).unwrap();
    assert_eq!(opened.filters, filters);
    assert_eq!(opened.settings, s.settings);
    assert_eq!(opened.zone.name(), "Europe/Berlin");
    assert_eq!(opened.imported.table.height(), s.imported.table.height());
    assert_eq!(opened.imported.report.source, s.imported.report.source);
    let again = Session::new(
        opened.imported,
        opened.settings,
        opened.filters,
        opened.zone,
    )
    .unwrap();
    assert_eq!(json(&again), json(&s));
    assert_eq!(again.report.conversations, s.report.conversations);

    // The manifest says what it is.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let manifest: serde_json::Value =
        serde_json::from_reader(zip.by_name("manifest.json").unwrap()).unwrap();
    assert_eq!(manifest["format"], "chatlens-report");
    assert_eq!(manifest["format_version"], 1);
    assert_eq!(manifest["app_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(manifest["time_zone"], "Europe/Berlin");
    assert_eq!(manifest["source"]["name"], "s.csv");
    assert_eq!(manifest["source"]["sha256"].as_str().unwrap().len(), 64);

    // Columns the importer keeps as enums are saved as text.
    assert!(matches!(
        s.imported.table.column("direction").unwrap().dtype(),
        polars::prelude::DataType::Enum(..)
    ));
    let mut parquet = Vec::new();
    std::io::Read::read_to_end(&mut zip.by_name("table.parquet").unwrap(), &mut parquet).unwrap();
    let saved = {
        use polars::prelude::SerReader;
        polars::prelude::ParquetReader::new(std::io::Cursor::new(parquet))
            .finish()
            .unwrap()
    };
    for name in ["direction", "status", "segment", "agent", "sender"] {
        assert_eq!(
            saved.column(name).unwrap().dtype(),
            &polars::prelude::DataType::String,
            "{name}"
        );
    }

    // The importer recognises a report too.
    let imported = import_path(&path, &ImportOptions::default()).unwrap();
    assert_eq!(imported.table.height(), s.imported.table.height());
}

/// A zip holding the given entries.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        z.start_file(*name, opts).unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap().into_inner()
}

fn entry(bytes: &[u8], name: &str) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = Vec::new();
    std::io::copy(&mut zip.by_name(name).unwrap(), &mut out).unwrap();
    out
}

/// Opens `bytes` as a report in an empty folder: the error text, and
/// nothing but the file itself may be left in the folder.
fn refused(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.chatlens");
    std::fs::write(&path, bytes).unwrap();
    let started = std::time::Instant::now();
    let err = match report_file::open(&path) {
        Ok(_) => panic!("a bad report opened"),
        Err(e) => format!("{e:#}"),
    };
    assert!(
        started.elapsed().as_secs() < 10,
        "refusing took {:?}",
        started.elapsed()
    );
    assert_eq!(listing(dir.path()), vec!["bad.chatlens".to_string()]);
    err
}

fn good_report() -> Vec<u8> {
    report_file::to_bytes(&sample_session(Filters::default())).unwrap()
}

#[test]
fn truncated_and_corrupt_reports_are_refused() {
    let good = good_report();
    let e = refused(&good[..good.len() / 2]);
    assert!(e.contains("zip"), "{e}");

    let manifest = entry(&good, "manifest.json");
    let e = refused(&zip_of(&[
        ("manifest.json", &manifest),
        ("table.parquet", b"PAR1 not really parquet"),
    ]));
    assert!(e.contains("table.parquet"), "{e}");

    let e = refused(&zip_of(&[("manifest.json", &manifest)]));
    assert!(e.contains("table.parquet"), "{e}");

    let table = entry(&good, "table.parquet");
    let e = refused(&zip_of(&[
        ("manifest.json", b"{ not json"),
        ("table.parquet", &table),
    ]));
    assert!(e.contains("manifest.json"), "{e}");

    let e = refused(&zip_of(&[("data.csv", b"a,b\n1,2\n")]));
    assert!(e.contains("manifest.json"), "{e}");
}

/// A report whose table is damaged inside an intact archive is refused,
/// whatever the damage; polars' decoder asserts on some of it.
#[test]
fn a_damaged_table_inside_a_whole_archive_is_refused_not_a_panic() {
    let good = good_report();
    let manifest = entry(&good, "manifest.json");
    let table = entry(&good, "table.parquet");
    let mut next = common::xorshift(0x2545_F491_4F6C_DD1D);
    let mut stopped = 0;
    for _ in 0..150 {
        let mut damaged = table.clone();
        for _ in 0..=next() % 4 {
            let at = (next() as usize) % damaged.len();
            damaged[at] ^= 1 << (next() % 8);
        }
        let bytes = zip_of(&[("manifest.json", &manifest), ("table.parquet", &damaged)]);
        let opened = std::panic::catch_unwind(|| report_file::open_bytes(&bytes, "r.chatlens"))
            .expect("opening a report never panics");
        if let Err(e) = opened {
            let e = format!("{e:#}");
            assert!(e.contains("table.parquet"), "{e}");
            stopped += usize::from(e.contains("internal check"));
        }
    }
    eprintln!("{stopped} of 150 damaged tables stopped at a check");
}

#[test]
fn hostile_reports_are_refused() {
    let good = good_report();
    let manifest = entry(&good, "manifest.json");
    let table = entry(&good, "table.parquet");

    let e = refused(&zip_of(&[
        ("manifest.json", &manifest),
        ("table.parquet", &table),
        ("../../evil.sh", b"rm -rf /"),
    ]));
    assert!(e.contains("unsafe path"), "{e}");

    let mut newer: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
    newer["format_version"] = 99.into();
    let newer = serde_json::to_vec(&newer).unwrap();
    let e = refused(&zip_of(&[
        ("manifest.json", &newer),
        ("table.parquet", &table),
    ]));
    assert!(e.contains("format_version 99"), "{e}");

    // A zip bomb: 64 MiB of zeros deflates to a few dozen kilobytes.
    let zeros = vec![0u8; 64 << 20];
    let e = refused(&zip_of(&[
        ("manifest.json", &manifest),
        ("table.parquet", &zeros),
    ]));
    assert!(e.contains("zip bomb"), "{e}");

    // A huge declared size in the central directory.
    let mut lying = zip_of(&[("manifest.json", &manifest), ("table.parquet", &table)]);
    let cd = lying
        .windows(4)
        .position(|w| w == b"PK\x01\x02")
        .expect("central directory");
    lying[cd + 24..cd + 28].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    let e = refused(&lying);
    assert!(e.contains("manifest.json") || e.contains("zip"), "{e}");
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_chatlens"))
}

#[test]
fn cli_save_then_report_gives_the_same_json() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("s.csv");
    assert!(
        bin()
            .args(["sample", "--conversations", "200", "--seed", "1", "--out"])
            .arg(&csv)
            .status()
            .unwrap()
            .success()
    );
    let rep = dir.path().join("r.chatlens");
    let flags = [
        "--tz",
        "Asia/Tokyo",
        "--reply-sla",
        "2h",
        "--chat-type",
        "direct",
    ];
    let out = bin()
        .arg("save")
        .arg(&csv)
        .arg("--out")
        .arg(&rep)
        .args(flags)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let report = |file: &Path, flags: &[&str]| -> serde_json::Value {
        let out = bin()
            .arg("report")
            .arg(file)
            .arg("--json")
            .args(flags)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    // The report remembers zone, settings and filters.
    assert_eq!(report(&rep, &[]), report(&csv, &flags));
    // A flag overrides what the report remembers.
    let utc = report(&rep, &["--tz", "UTC"]);
    assert_eq!(utc["meta"]["tz"], "UTC");
    assert_eq!(utc["meta"]["settings"]["reply_sla_secs"], 7_200);

    // `export` takes a report as well.
    let charts = dir.path().join("charts");
    let out = bin()
        .arg("export")
        .arg(&rep)
        .arg("--out")
        .arg(&charts)
        .args(["--format", "svg"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(charts.join("flow-weekly.svg").is_file());
}

#[test]
fn cli_refuses_a_hostile_report_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let good = good_report();
    let bad = zip_of(&[
        ("manifest.json", &entry(&good, "manifest.json")),
        ("table.parquet", &entry(&good, "table.parquet")),
        ("../x", b"x"),
    ]);
    let path = dir.path().join("bad.chatlens");
    std::fs::write(&path, bad).unwrap();
    let out = bin().arg("report").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unsafe path"), "{err}");
    assert_eq!(listing(dir.path()), vec!["bad.chatlens".to_string()]);
}

#[test]
fn a_report_without_manifest_is_named_as_such_by_the_importer() {
    let good = good_report();
    let bad = zip_of(&[("table.parquet", &entry(&good, "table.parquet"))]);
    let err = import_bytes(&bad, "r.chatlens", "r.chatlens", &ImportOptions::default())
        .expect_err("a report without manifest imported")
        .to_string();
    assert!(err.contains("manifest.json"), "{err}");
}
