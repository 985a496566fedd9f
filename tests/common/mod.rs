//! Helpers shared by the integration tests.
#![allow(dead_code)]

use chatlens::import::{ImportOptions, ReportZone, import_bytes};
use chatlens::metrics::{Filters, Settings};
use chatlens::session::Session;
use serde_json::Value;

pub fn options(tz: &str) -> ImportOptions {
    ImportOptions {
        zone: ReportZone::from_name(tz).expect("zone"),
        ..ImportOptions::default()
    }
}

pub fn session(csv: &str, tz: &str, settings: Settings, filters: Filters) -> Session {
    let opts = options(tz);
    let imported = import_bytes(csv.as_bytes(), "test.csv", "test.csv", &opts).expect("imports");
    Session::new(imported, settings, filters, opts.zone).expect("session")
}

/// The report as the JSON document `report --json` prints.
pub fn report_json(csv: &str) -> Value {
    report_json_with(csv, "UTC", Settings::default(), Filters::default())
}

/// Every figure is also worked out as `report` reads a file, with the
/// texts kept only as their hashes, and must come out the same.
pub fn report_json_with(csv: &str, tz: &str, settings: Settings, filters: Filters) -> Value {
    let s = session(csv, tz, settings.clone(), filters.clone());
    let shown = serde_json::to_value(s.report_with_import()).expect("serialises");
    let opts = ImportOptions {
        keep_source_detail: false,
        ..options(tz)
    };
    let imported = import_bytes(csv.as_bytes(), "test.csv", "test.csv", &opts).expect("imports");
    let hashed = Session::new(imported, settings, filters, opts.zone).expect("session");
    let hashed = serde_json::to_value(hashed.report_with_import()).expect("serialises");
    assert_eq!(
        shown, hashed,
        "the figures differ when texts are kept as hashes"
    );
    shown
}

/// Value at a dotted path; numeric segments index arrays.
pub fn at<'a>(v: &'a Value, path: &str) -> &'a Value {
    let mut cur = v;
    for part in path.split('.') {
        cur = match cur {
            Value::Array(a) => &a[part.parse::<usize>().expect("index")],
            _ => cur
                .get(part)
                .unwrap_or_else(|| panic!("no {part} in {path}")),
        };
    }
    cur
}

pub fn num(v: &Value, path: &str) -> f64 {
    at(v, path)
        .as_f64()
        .unwrap_or_else(|| panic!("{path} is {:?}, expected a number", at(v, path)))
}

pub fn assert_close(v: &Value, path: &str, expected: f64) {
    let got = num(v, path);
    assert!(
        (got - expected).abs() < 1e-9,
        "{path}: got {got}, expected {expected}"
    );
}

pub fn assert_null(v: &Value, path: &str) {
    assert!(
        at(v, path).is_null(),
        "{path}: expected null, got {:?}",
        at(v, path)
    );
}

pub fn strings(v: &Value, path: &str) -> Vec<String> {
    at(v, path)
        .as_array()
        .expect("array")
        .iter()
        .map(|s| s.as_str().expect("string").to_string())
        .collect()
}

/// The red flag with this id.
pub fn flag<'a>(v: &'a Value, id: &str) -> &'a Value {
    at(v, "red_flags")
        .as_array()
        .expect("array")
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no red flag {id}"))
}

/// A date or date-time, as `--from` / `--to` take it, in UTC (ms).
pub fn utc_instant(s: &str) -> i64 {
    chatlens::import::ReportZone::utc().resolve(
        chatlens::import::timestamp::parse_timestamp(s, chatlens::import::DateOrder::DayFirst)
            .unwrap(),
    )
}

/// xorshift64*: a deterministic stream of pseudo-random numbers, for damage
/// that is the same on every run.
pub fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// Damages `bytes` in one to six places `next` picks: a byte overwritten,
/// a bit flipped or a short run zeroed.
pub fn damage(bytes: &mut [u8], next: &mut impl FnMut() -> u64) {
    for _ in 0..=next() % 6 {
        let at = (next() as usize) % bytes.len();
        match next() % 3 {
            0 => bytes[at] = next() as u8,
            1 => bytes[at] ^= 1 << (next() % 8),
            _ => {
                let end = bytes.len().min(at + 1 + (next() % 64) as usize);
                bytes[at..end].fill(0);
            }
        }
    }
}

/// A small sample log as Parquet.
pub fn sample_parquet() -> Vec<u8> {
    let mut df = chatlens::sample::generate(30, 3);
    let mut bytes = Vec::new();
    polars::prelude::ParquetWriter::new(&mut bytes)
        .finish(&mut df)
        .unwrap();
    bytes
}
