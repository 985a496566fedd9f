//! Figures, offenders and conversations as JSON and CSV.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::metrics::Report;

/// Writes `figures.json`, `figures.csv`, `offenders.csv` and `conversations.csv` into `dir`.
pub fn write_all(report: &Report, dir: &Path) -> Result<Vec<PathBuf>> {
    let _ = (report, dir);
    bail!("data export is not available yet")
}

/// One red flag's offenders as CSV.
pub fn offenders_csv(report: &Report, flag_id: &str) -> Result<String> {
    let _ = (report, flag_id);
    bail!("data export is not available yet")
}
