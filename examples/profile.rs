//! Times each stage of a report on one file: `cargo run --release --example
//! profile -- FILE`. The stages add up to what `chatlens report` does.
//! `REPEAT=N` times the app's filter change N more times; `ZONE=Europe/Berlin`
//! reads and shows the times on that zone's clock (UTC otherwise).

use std::time::Instant;

use chatlens::import::{ImportOptions, ReportZone, import_path};
use chatlens::metrics::{Filters, Settings, compute, prepare::prepare};
use polars::prelude::*;

/// CPU seconds (user, system) and minor page faults of this process so
/// far, from `/proc/self/stat` (zeros where there is none): the system
/// time of a stage is mostly filling fresh pages, so it is shown apart.
fn usage() -> (f64, f64, u64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold
    // spaces: state is field 3, minflt 10, utime 14, stime 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let num = |k: usize| {
        f.get(k - 3)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // Clock ticks are 100 a second on every Linux this runs on.
    (num(14) as f64 / 100.0, num(15) as f64 / 100.0, num(10))
}

/// Prints a stage's wall time with the CPU time and page faults it took.
struct Stage {
    wall: Instant,
    before: (f64, f64, u64),
}

impl Stage {
    fn start() -> Self {
        Self {
            before: usage(),
            wall: Instant::now(),
        }
    }

    fn line(&self, name: &str, extra: &str) {
        let wall = self.wall.elapsed().as_secs_f64();
        let (u, s, f) = usage();
        println!(
            "{name:<20} {wall:>8.3} s  (cpu {:.2} user {:.2} sys, {:>6}k faults){extra}",
            u - self.before.0,
            s - self.before.1,
            (f - self.before.2) / 1000
        );
    }
}

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: profile FILE"))?;
    let t = Stage::start();
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .try_into_reader_with_file_path(Some(path.clone().into()))?
        .finish()?;
    t.line("polars bare read", &format!("  {} rows", df.height()));
    drop(df);
    let zone = match std::env::var("ZONE") {
        Ok(name) => {
            ReportZone::from_name(&name).ok_or_else(|| anyhow::anyhow!("unknown zone {name}"))?
        }
        Err(_) => ReportZone::utc(),
    };
    // As `chatlens report` reads a file: no digest and no texts (only
    // saving needs them).
    let opts = ImportOptions {
        zone,
        digest_source: false,
        keep_source_detail: false,
        ..ImportOptions::default()
    };
    let t = Stage::start();
    let imported = import_path(std::path::Path::new(&path), &opts)?;
    t.line(
        "import",
        &format!(
            "  table {:.0} MB by polars' estimate, {:.0} MB allocated",
            imported.table.estimated_size() as f64 / 1e6,
            allocated_size(&imported.table) as f64 / 1e6
        ),
    );
    let settings = Settings::default();
    let t = Stage::start();
    let prepared = prepare(&imported.table, &settings)?;
    t.line("prepare", "");
    let t = Stage::start();
    let report = compute(&prepared, &settings, &Filters::default(), &zone);
    t.line("compute", "");
    let t = Stage::start();
    let json = serde_json::to_string(&report)?;
    t.line("serialise", &format!("  {} bytes", json.len()));
    // What the app does when a filter changes: a new session from the
    // current one, on the worker thread.
    let session = chatlens::session::Session {
        imported,
        prepared: std::sync::Arc::new(prepared),
        settings: settings.clone(),
        filters: Filters::default(),
        zone,
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
        let t = Stage::start();
        drop(chatlens::ui::worker::recompute(
            &session,
            settings.clone(),
            filters.clone(),
        )?);
        t.line("app filter change", "");
    }
    let t = Stage::start();
    let next = chatlens::ui::worker::recompute(&session, settings, filters)?;
    t.line(
        "app filter change",
        &format!("  {} conversations", next.report.direct.conversations),
    );
    // The app frees a replaced session off the UI thread; this is what that
    // would cost a frame.
    let t = Stage::start();
    drop(session);
    t.line("free a session", "");
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
