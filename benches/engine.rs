//! Import and report speed against polars' bare read of the same file.
//!
//! `cargo bench` measures 100k and 1M messages. For 10M:
//! `CHATLENS_BENCH_ROWS=10000000 cargo bench` (about 1.6 GB of CSV in the
//! system temp folder; the file is reused between runs).

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use chatlens::import::{ImportOptions, ReportZone, import_path};
use chatlens::metrics::{Filters, Settings, compute, prepare::prepare};
use chatlens::session::Once;
use criterion::{Criterion, criterion_group, criterion_main};
use polars::prelude::*;

/// The sample generator writes about 5.77 messages per conversation.
fn conversations_for(rows: usize) -> usize {
    rows * 347 / 2000
}

fn sample_file(rows: usize) -> PathBuf {
    let path = std::env::temp_dir().join(format!("chatlens-bench-v4-{rows}.csv"));
    if !path.exists() {
        let df = chatlens::sample::generate(conversations_for(rows), 42);
        chatlens::sample::write(&df, &path).expect("writes the sample");
    }
    path
}

fn sizes() -> Vec<usize> {
    match std::env::var("CHATLENS_BENCH_ROWS") {
        Ok(v) => v.split(',').filter_map(|s| s.trim().parse().ok()).collect(),
        Err(_) => vec![100_000, 1_000_000],
    }
}

fn bench(c: &mut Criterion) {
    let zone = ReportZone::utc();
    // As `chatlens report` reads a file: no digest and no texts (only
    // saving needs them).
    let opts = ImportOptions {
        zone,
        digest_source: false,
        keep_source_detail: false,
        ..ImportOptions::default()
    };
    let settings = Settings::default();
    for rows in sizes() {
        let path = sample_file(rows);
        let mut group = c.benchmark_group(format!("{rows} messages"));
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(if rows > 1_000_000 { 120 } else { 20 }));

        group.bench_function("polars bare CSV read", |b| {
            b.iter(|| {
                let df = CsvReadOptions::default()
                    .with_has_header(true)
                    .try_into_reader_with_file_path(Some(path.clone()))
                    .and_then(CsvReader::finish)
                    .expect("polars reads the file");
                black_box(df.height())
            });
        });
        group.bench_function("import (file to canonical table)", |b| {
            b.iter(|| black_box(import_path(&path, &opts).expect("imports").table.height()));
        });
        let imported = import_path(&path, &opts).expect("imports");
        group.bench_function("derive touches (prepare)", |b| {
            b.iter(|| black_box(prepare(&imported.table, &settings).expect("prepares").rows));
        });
        let prepared = prepare(&imported.table, &settings).expect("prepares");
        group.bench_function("all figures after a filter change", |b| {
            b.iter(|| {
                black_box(
                    compute(&prepared, &settings, &Filters::default(), &zone)
                        .direct
                        .conversations,
                )
            });
        });
        group.bench_function("report end to end (import + every figure)", |b| {
            b.iter(|| {
                // As `chatlens report` runs it.
                let imported = import_path(&path, &opts).expect("imports");
                let once = Once::compute(imported, &settings, &Filters::default(), &zone)
                    .expect("computes");
                black_box(once.report.direct.conversations)
            });
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
