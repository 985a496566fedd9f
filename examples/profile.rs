//! Times each stage of a report on one file: `cargo run --release --example
//! profile -- FILE`. The stages add up to what `chatlens report` does.
//! `REPEAT=N` times the app's filter change N more times.

use std::time::Instant;

use chatlens::import::{ImportOptions, ReportZone, import_path};
use chatlens::metrics::{Filters, Settings, compute, prepare::prepare};
use polars::prelude::*;

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: profile FILE"))?;
    let t = Instant::now();
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .try_into_reader_with_file_path(Some(path.clone().into()))?
        .finish()?;
    println!(
        "polars bare read      {:>8.3} s  ({} rows)",
        t.elapsed().as_secs_f64(),
        df.height()
    );
    drop(df);
    // As `chatlens report` reads a file: no digest (only saving needs it).
    let opts = ImportOptions {
        zone: ReportZone::utc(),
        digest_source: false,
        ..ImportOptions::default()
    };
    let t = Instant::now();
    let imported = import_path(std::path::Path::new(&path), &opts)?;
    println!(
        "import                {:>8.3} s  (table {:.0} MB in memory by polars' estimate, {:.0} MB allocated)",
        t.elapsed().as_secs_f64(),
        imported.table.estimated_size() as f64 / 1e6,
        allocated_size(&imported.table) as f64 / 1e6
    );
    let settings = Settings::default();
    let t = Instant::now();
    let prepared = prepare(&imported.table, &settings)?;
    println!("prepare               {:>8.3} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let report = compute(
        &prepared,
        &settings,
        &Filters::default(),
        &ReportZone::utc(),
    );
    println!("compute               {:>8.3} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let json = serde_json::to_string(&report)?;
    println!(
        "serialise             {:>8.3} s  ({} bytes)",
        t.elapsed().as_secs_f64(),
        json.len()
    );
    // What the app does when a filter changes: a new session from the
    // current one, on the worker thread.
    let session = chatlens::session::Session {
        imported,
        prepared: std::sync::Arc::new(prepared),
        settings: settings.clone(),
        filters: Filters::default(),
        zone: ReportZone::utc(),
        report,
    };
    let filters = Filters {
        chat_type: Some(chatlens::metrics::ChatType::Direct),
        ..Filters::default()
    };
    let repeat: usize = std::env::var("REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    for _ in 0..repeat {
        let t = Instant::now();
        drop(chatlens::ui::worker::recompute(
            &session,
            settings.clone(),
            filters.clone(),
        )?);
        println!("app filter change     {:>8.3} s", t.elapsed().as_secs_f64());
    }
    let t = Instant::now();
    let next = chatlens::ui::worker::recompute(&session, settings, filters)?;
    println!(
        "app filter change     {:>8.3} s  ({} conversations)",
        t.elapsed().as_secs_f64(),
        next.report.direct.conversations
    );
    // The app frees a replaced session off the UI thread; this is what that
    // would cost a frame.
    let t = Instant::now();
    drop(session);
    println!("free a session        {:>8.3} s", t.elapsed().as_secs_f64());
    Ok(())
}

/// Bytes the table's arrays hold. Polars' estimate counts a string column's
/// text but not the 16-byte view every cell of it has, null or not.
fn allocated_size(df: &DataFrame) -> usize {
    df.columns()
        .iter()
        .map(|c| {
            let s = c.as_materialized_series();
            match s.str() {
                Ok(ca) => ca
                    .downcast_iter()
                    .map(|a| {
                        let buffers = a.total_buffer_len();
                        // Plus a bit per cell of validity, left out here.
                        a.len() * 16 + buffers
                    })
                    .sum(),
                Err(_) => s.estimated_size(),
            }
        })
        .sum()
}
