//! Polars reading a CSV and nothing else, as a process of its own: the
//! floor `chatlens report --json` is measured against
//! (`cargo run --release --example polars_read -- FILE`; see
//! docs/PERFORMANCE.md, "How to measure").

use polars::prelude::*;

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: polars_read FILE"))?;
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .try_into_reader_with_file_path(Some(path.into()))?
        .finish()?;
    println!("{} rows", df.height());
    Ok(())
}
