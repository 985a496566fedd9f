//! The self-contained `.chatlens` report: a zip with a versioned manifest
//! and the canonical table as Parquet.
//!
//! A report may come from anyone, so opening one reads exactly two entries
//! by name into memory, never extracts anything to disk, and bounds every
//! decompressed size before and while reading.

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use chrono::{Datelike, Timelike};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::import::{ImportReport, Imported, ReportZone, SourceFile, reader_panic};
use crate::metrics::{Filters, Settings};
use crate::session::Session;

/// What `manifest.json` says the archive is.
pub const FORMAT: &str = "chatlens-report";
/// The newest manifest layout this build reads and the one it writes.
pub const FORMAT_VERSION: u32 = 1;

const MANIFEST: &str = "manifest.json";
const TABLE: &str = "table.parquet";
/// A manifest is a few kilobytes; anything near this is not ours.
const MAX_MANIFEST_BYTES: u64 = 16 << 20;
/// Larger tables than any log Chatlens is meant for.
const MAX_TABLE_BYTES: u64 = 4 << 30;
/// Parquet is already compressed and JSON deflates ~10×; a higher ratio is
/// a zip bomb, refused before a byte is inflated.
const MAX_RATIO: u64 = 100;

/// What a report restores.
pub struct OpenedReport {
    pub imported: Imported,
    pub settings: Settings,
    pub filters: Filters,
    pub zone: ReportZone,
}

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: String,
    format_version: u32,
    app_version: String,
    created: String,
    time_zone: String,
    settings: Settings,
    filters: Filters,
    /// Canonical column ← source column, as the import mapped them.
    columns: BTreeMap<String, String>,
    import: ImportReport,
    source: Option<SourceFile>,
    table: TableInfo,
}

#[derive(Debug, Serialize, Deserialize)]
struct TableInfo {
    rows: u64,
    columns: Vec<String>,
}

/// Writes `session` to `path` atomically.
pub fn save(session: &Session, path: &Path) -> Result<()> {
    let bytes = to_bytes(session)?;
    crate::fsutil::write_bytes_atomic(path, &bytes)
        .with_context(|| format!("cannot save the report to {}", path.display()))
}

/// The `.chatlens` archive of a session.
pub fn to_bytes(session: &Session) -> Result<Vec<u8>> {
    let table = &session.imported.table;
    let manifest = Manifest {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        app_version: env!("CARGO_PKG_VERSION").into(),
        created: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        time_zone: session.zone.name().into(),
        settings: session.settings.clone(),
        filters: session.filters.clone(),
        columns: session.imported.report.columns.clone(),
        import: session.imported.report.clone(),
        source: session.imported.report.source.clone(),
        table: TableInfo {
            rows: table.height() as u64,
            columns: table
                .get_column_names()
                .iter()
                .map(ToString::to_string)
                .collect(),
        },
    };
    let manifest = serde_json::to_vec_pretty(&manifest).context("cannot write the manifest")?;
    // Columns the importer keeps as enums are saved as text, so a report's
    // table has the same types whichever version wrote it.
    let mut saved = table.clone();
    for name in table.get_column_names() {
        if matches!(
            table.column(name)?.dtype(),
            DataType::Enum(..) | DataType::Categorical(..)
        ) {
            let text = table.column(name)?.cast(&DataType::String)?;
            saved.replace(name, text)?;
        }
    }
    let mut parquet = Vec::new();
    ParquetWriter::new(&mut parquet)
        .finish(&mut saved)
        .map_err(|e| anyhow!("cannot write the table as Parquet: {e}"))?;

    let mut zip = ::zip::ZipWriter::new(Cursor::new(Vec::new()));
    // Zip stores local wall-clock times; without one, entries read 1980.
    let now = chrono::Local::now().naive_local();
    let stamp = ::zip::DateTime::from_date_and_time(
        u16::try_from(now.year()).unwrap_or(1980),
        now.month() as u8,
        now.day() as u8,
        now.hour() as u8,
        now.minute() as u8,
        now.second() as u8,
    )
    .unwrap_or_default();
    let deflated = ::zip::write::SimpleFileOptions::default()
        .last_modified_time(stamp)
        .compression_method(::zip::CompressionMethod::Deflated)
        .large_file(parquet.len() as u64 >= u64::from(u32::MAX));
    // Parquet compresses its own pages; deflating them again only costs time.
    let stored = deflated.compression_method(::zip::CompressionMethod::Stored);
    zip.start_file(MANIFEST, deflated)?;
    zip.write_all(&manifest)?;
    zip.start_file(TABLE, stored)?;
    zip.write_all(&parquet)?;
    Ok(zip.finish()?.into_inner())
}

/// True when the bytes are a `.chatlens` report (a zip holding `manifest.json`).
pub fn is_report(bytes: &[u8]) -> bool {
    if !bytes.starts_with(b"PK") {
        return false;
    }
    let Ok(mut archive) = ::zip::ZipArchive::new(Cursor::new(bytes)) else {
        return false;
    };
    if archive.index_for_name(MANIFEST).is_none() {
        return false;
    }
    if archive.index_for_name(TABLE).is_some() {
        return true;
    }
    // A manifest without a table: ours (and broken) only if it says so.
    read_entry(
        &mut archive,
        MANIFEST,
        MAX_MANIFEST_BYTES,
        bytes.len() as u64,
    )
    .is_ok_and(|m| String::from_utf8_lossy(&m).contains(FORMAT))
}

/// Opens a `.chatlens` report.
pub fn open(path: &Path) -> Result<OpenedReport> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    open_bytes(&bytes, &path.display().to_string())
        .with_context(|| format!("cannot open the report {}", path.display()))
}

/// Opens a report held in memory; `shown` names it in the import report of a
/// report that carries none.
pub fn open_bytes(bytes: &[u8], shown: &str) -> Result<OpenedReport> {
    let mut archive = ::zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| anyhow!("not a readable .chatlens report (broken or truncated zip: {e})"))?;
    for name in archive.file_names() {
        let name = name.map_err(|e| anyhow!("the archive has an unreadable entry name: {e}"))?;
        if !is_safe_name(&name) {
            bail!("refusing the report: it holds an entry with an unsafe path {name:?}");
        }
    }
    if archive.index_for_name(MANIFEST).is_none() {
        bail!("not a Chatlens report: the archive has no {MANIFEST}");
    }
    let archive_len = bytes.len() as u64;
    let raw = read_entry(&mut archive, MANIFEST, MAX_MANIFEST_BYTES, archive_len)?;
    let value: serde_json::Value = serde_json::from_slice(&raw)
        .map_err(|e| anyhow!("{MANIFEST} is corrupt (not JSON: {e})"))?;
    match value.get("format").and_then(serde_json::Value::as_str) {
        Some(FORMAT) => {}
        Some(other) => bail!("not a Chatlens report: {MANIFEST} says format {other:?}"),
        None => bail!("{MANIFEST} is corrupt: it has no \"format\""),
    }
    let version = value
        .get("format_version")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| anyhow!("{MANIFEST} is corrupt: it has no numeric \"format_version\""))?;
    if version > u64::from(FORMAT_VERSION) {
        let by = value
            .get("app_version")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("a newer version");
        bail!(
            "this report has format_version {version} (written by Chatlens {by}); this Chatlens {} reads format_version {FORMAT_VERSION} and older. Update Chatlens to open it",
            env!("CARGO_PKG_VERSION")
        );
    }
    let manifest: Manifest =
        serde_json::from_value(value).map_err(|e| anyhow!("{MANIFEST} is corrupt: {e}"))?;
    let zone = ReportZone::from_name(&manifest.time_zone).ok_or_else(|| {
        anyhow!(
            "{MANIFEST} names an unknown time zone {:?}",
            manifest.time_zone
        )
    })?;

    if archive.index_for_name(TABLE).is_none() {
        bail!("the report has no {TABLE}; the archive is incomplete");
    }
    let parquet = read_entry(&mut archive, TABLE, MAX_TABLE_BYTES, archive_len)?;
    // Polars' decoder asserts on lengths a damaged page claims, as it does
    // for a log (see the importer).
    let table =
        reader_panic::catch_reader_panic(|| ParquetReader::new(Cursor::new(parquet)).finish())
            .map_err(|why| {
                anyhow!("{TABLE} is corrupt: reading it stopped at an internal check ({why})")
            })?
            .map_err(|e| anyhow!("{TABLE} is corrupt: {e}"))?;
    if table.height() as u64 != manifest.table.rows {
        bail!(
            "{TABLE} holds {} rows but {MANIFEST} says {}; the report is damaged",
            table.height(),
            manifest.table.rows
        );
    }
    let mut report = manifest.import;
    if report.file.is_empty() {
        report.file = shown.to_string();
    }
    report.source = manifest.source;
    Ok(OpenedReport {
        imported: Imported { table, report },
        settings: manifest.settings,
        filters: manifest.filters,
        zone,
    })
}

/// Names a careless extractor could write outside its folder.
fn is_safe_name(name: &str) -> bool {
    !name.starts_with('/')
        && !name.starts_with('\\')
        && !name.contains(':')
        && !name.split(['/', '\\']).any(|part| part == "..")
}

/// Reads one entry, refusing it when its declared size is over `limit` or
/// implausibly large for the archive, and again if it inflates past what it
/// declared.
fn read_entry<R: Read + std::io::Seek>(
    archive: &mut ::zip::ZipArchive<R>,
    name: &str,
    limit: u64,
    archive_len: u64,
) -> Result<Vec<u8>> {
    let entry = archive
        .by_name(name)
        .map_err(|e| anyhow!("cannot read {name} in the report: {e}"))?;
    let declared = entry.size();
    let bound = limit.min(archive_len.saturating_mul(MAX_RATIO).max(1 << 20));
    if declared > bound {
        bail!(
            "{name} declares {declared} bytes unpacked, more than this report can hold ({bound} bytes); refusing it as a possible zip bomb"
        );
    }
    let mut data = Vec::with_capacity(declared as usize);
    entry
        .take(declared + 1)
        .read_to_end(&mut data)
        .map_err(|e| anyhow!("{name} in the report is corrupt: {e}"))?;
    if data.len() as u64 != declared {
        bail!(
            "{name} in the report unpacks to a different size than it declares ({declared} bytes); refusing it"
        );
    }
    Ok(data)
}
