//! Importing: any supported file → the canonical message table of
//! METRICS.md §1 plus an import report that accounts for every row.

pub mod canonical;
mod json;
pub mod mapping;
pub mod progress;
pub mod raw;
pub mod reader_panic;
pub mod several;
pub mod timestamp;
pub mod whatsapp;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use polars::prelude::*;
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use mapping::{Canonical, ColumnMapping, MapOverride};
pub use progress::Progress;
pub use several::import_paths;
pub use timestamp::{DateOrder, OrderSource, ReportZone};

/// Decompressed data larger than this is refused (zip bombs, runaway gzip).
pub const MAX_UNPACKED_BYTES: u64 = 8 << 30;

/// How to read a file.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub zone: ReportZone,
    /// Forces the slash-date order instead of inferring it.
    pub date_order: Option<DateOrder>,
    /// Team members: decides direction in chat exports and for logs with a
    /// sender but no direction column.
    pub team: Option<Vec<String>>,
    /// The direction column's values that mean outbound, for a column whose
    /// values are not inbound/outbound words (`admin` and `user`, say):
    /// every other value is inbound.
    pub outbound_values: Option<Vec<String>>,
    pub overrides: Vec<MapOverride>,
    pub sheet: Option<String>,
    /// When false, a chat export without a team imports with every message
    /// inbound (enough for `inspect`).
    pub require_team: bool,
    /// Whether to record the source's SHA-256, which a saved report's
    /// manifest names. It is a serial pass over every byte, so commands that
    /// save nothing skip it.
    pub digest_source: bool,
    /// When true, a file none of whose rows could be read is an error
    /// carrying its columns ([`ImportError::NothingKept`]), so that the app
    /// can offer to map them again; otherwise it imports empty, with the
    /// reasons in its report.
    pub nothing_kept_is_error: bool,
    /// Message texts and each row's source line: what the app's drill-down
    /// shows and a saved report keeps. When false (as `report` and `export`
    /// read a file), texts are kept only as their hashes (a `text_hash`
    /// column instead of `text`, hashed while a CSV or Parquet file is
    /// split), which is all the figures need of them, and there is no
    /// `line` column: texts are a third of a typical log's bytes, which
    /// would be copied and let go of unread.
    pub keep_source_detail: bool,
    pub progress: Arc<Progress>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            zone: ReportZone::utc(),
            date_order: None,
            team: None,
            outbound_values: None,
            overrides: Vec::new(),
            sheet: None,
            require_team: true,
            digest_source: true,
            nothing_kept_is_error: false,
            keep_source_detail: true,
            progress: Arc::new(Progress::default()),
        }
    }
}

/// Why a row was left out of the table (METRICS.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    EmptyTimestamp,
    UnparseableTimestamp,
    MissingConversation,
    UnknownDirection,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::EmptyTimestamp => "empty_timestamp",
            SkipReason::UnparseableTimestamp => "unparseable_timestamp",
            SkipReason::MissingConversation => "missing_conversation",
            SkipReason::UnknownDirection => "unknown_direction",
        }
    }

    pub fn explain(self) -> &'static str {
        match self {
            SkipReason::EmptyTimestamp => "the timestamp cell is empty",
            SkipReason::UnparseableTimestamp => {
                "the timestamp could not be read as a date and time"
            }
            SkipReason::MissingConversation => "no conversation (or contact) id",
            SkipReason::UnknownDirection => "the direction is not inbound or outbound",
        }
    }
}

/// Skipped rows: count and the first line numbers per reason, and the
/// first skipped row's cell for each.
#[derive(Debug, Clone, Default)]
pub struct Skipped {
    pub counts: BTreeMap<SkipReason, (u64, Vec<u64>)>,
    pub examples: BTreeMap<SkipReason, SkipExample>,
}

/// The first row skipped for a reason: its line, the column it was read
/// from and what that column held, so a user can see what was expected.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SkipExample {
    pub line: u64,
    pub column: String,
    pub value: String,
}

impl SkipExample {
    /// `line 2, column "Sent At": "45xx"`.
    pub fn describe(&self) -> String {
        format!(
            "line {}, column {:?}: {:?}",
            self.line, self.column, self.value
        )
    }
}

impl Skipped {
    pub fn add(&mut self, reason: SkipReason, line: u64) {
        let e = self.counts.entry(reason).or_default();
        e.0 += 1;
        if e.1.len() < 10 {
            e.1.push(line);
        }
    }

    pub fn total(&self) -> u64 {
        self.counts.values().map(|(n, _)| n).sum()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Participant {
    pub name: String,
    pub messages: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Dialect {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    pub encoding: String,
    pub compressed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_order: Option<DateOrder>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_order_source: Option<OrderSource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layout: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportWarning {
    pub kind: String,
    pub count: u64,
    pub first_lines: Vec<u64>,
    pub message: String,
}

/// What the importer did with a file, returned beside the table.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct ImportReport {
    pub file: String,
    pub format: String,
    pub dialect: Dialect,
    pub columns: BTreeMap<String, String>,
    pub rows_read: u64,
    pub rows_kept: u64,
    pub skipped: BTreeMap<String, u64>,
    pub skipped_first_lines: BTreeMap<String, Vec<u64>>,
    /// The first skipped row's cell per reason.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub skipped_examples: BTreeMap<String, SkipExample>,
    pub first_timestamp: Option<String>,
    pub last_timestamp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participants: Option<Vec<Participant>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_lines: Option<BTreeMap<String, u64>>,
    pub warnings: Vec<ImportWarning>,
    /// The file as given, for a saved report's manifest; not part of the
    /// report JSON, which must not change with the file's bytes.
    #[serde(skip)]
    pub source: Option<SourceFile>,
}

/// Name, size and SHA-256 of the file a table was imported from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SourceFile {
    pub name: String,
    pub size: u64,
    pub sha256: String,
}

impl SourceFile {
    pub fn of(name: &str, bytes: &[u8]) -> Self {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(bytes);
        Self {
            name: name.to_string(),
            size: bytes.len() as u64,
            sha256: digest.iter().fold(String::with_capacity(64), |mut s, b| {
                use std::fmt::Write;
                let _ = write!(s, "{b:02x}");
                s
            }),
        }
    }
}

impl ImportReport {
    /// "12, 40, 41": the first lines skipped for `reason`, and the first
    /// one's cell where it is known.
    pub fn skipped_detail(&self, reason: &str) -> String {
        let lines = self.first_lines_text(reason);
        match self.skipped_examples.get(reason) {
            Some(e) => format!("first lines: {lines} ({})", e.describe()),
            None => format!("first lines: {lines}"),
        }
    }

    /// Why a file with rows gave none: every reason with its first cell.
    /// `None` when some row was kept or the file had none.
    pub fn nothing_kept(&self) -> Option<String> {
        if self.rows_kept > 0 || self.rows_read == 0 {
            return None;
        }
        let reasons: Vec<String> = self
            .skipped
            .iter()
            .map(|(reason, n)| format!("{n} {reason}, {}", self.skipped_detail(reason)))
            .collect();
        Some(format!(
            "{}: none of its {} could be read ({}); a row needs a timestamp (ISO 8601, DD/MM/YYYY HH:MM, MM/DD/YYYY hh:mm AM or unix time), a conversation id and a direction",
            self.file,
            crate::format::count_of(self.rows_read, "row", "rows"),
            reasons.join("; ")
        ))
    }

    /// "12, 40, 41": the first lines skipped for `reason`.
    pub fn first_lines_text(&self, reason: &str) -> String {
        self.skipped_first_lines
            .get(reason)
            .map(|l| {
                l.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    }
}

/// A canonical table and its import report.
#[derive(Debug, Clone)]
pub struct Imported {
    pub table: DataFrame,
    pub report: ImportReport,
}

#[derive(Debug, Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error(
        "{path}: no {missing} column found. Expected {expected}. The file's columns: {found}. Name the column with --map {example}=\"Your column\"."
    )]
    MissingColumns {
        path: String,
        missing: String,
        expected: String,
        found: String,
        example: String,
        headers: Vec<String>,
        preview: Vec<Vec<String>>,
        guesses: BTreeMap<String, String>,
        /// When the direction is missing but a sender column was found:
        /// that column's header and everyone who wrote in it, most
        /// messages first, for the team to be picked from.
        senders: Option<(String, Vec<Participant>)>,
    },
    /// No row could be read with the columns as mapped (see
    /// [`ImportOptions::nothing_kept_is_error`]).
    #[error("{message}")]
    NothingKept {
        message: String,
        columns: Box<FileColumns>,
    },
    #[error(
        "{path}: a WhatsApp chat export needs the team: say who writes for the team with --team \"Name,Other name\". Participants: {}",
        format_participants(.participants)
    )]
    TeamRequired {
        path: String,
        participants: Vec<Participant>,
    },
    #[error("{path}: loading was cancelled")]
    Cancelled { path: String },
}

fn format_participants(p: &[Participant]) -> String {
    p.iter()
        .map(|p| {
            format!(
                "{} ({})",
                p.name,
                crate::format::count_of(p.messages, "message", "messages")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn short(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_string()
    }
}

/// Imports a file: detects its format by content, maps its columns and
/// builds the canonical table. The file is only ever opened for reading.
pub fn import_path(path: &Path, opts: &ImportOptions) -> Result<Imported, ImportError> {
    let shown = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| ImportError::Io {
        path: shown.clone(),
        source,
    })?;
    let len = file.metadata().map_or(0, |m| m.len());
    opts.progress
        .bytes_total
        .store(len, std::sync::atomic::Ordering::Relaxed);
    let bytes = read_file(file, len).map_err(|source| ImportError::Io {
        path: shown.clone(),
        source,
    })?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    import_owned(bytes, &name, &shown, opts).map_err(|e| {
        with_whole_preview(e, &name, &shown, opts, || {
            let mut head = Vec::new();
            std::fs::File::open(path)
                .and_then(|f| f.take(PREVIEW_HEAD).read_to_end(&mut head))
                .map(|_| head)
                .ok()
        })
    })
}

/// How much of a file's head [`with_whole_preview`] reads again.
const PREVIEW_HEAD: u64 = 1 << 20;

/// A delimited file that gave no row was read keeping only its mapped
/// columns; the mapping dialog wants its first rows whole. They are read
/// again from the head of the file (`head`), every column as text.
fn with_whole_preview(
    error: ImportError,
    name: &str,
    shown: &str,
    opts: &ImportOptions,
    head: impl FnOnce() -> Option<Vec<u8>>,
) -> ImportError {
    let ImportError::NothingKept {
        message,
        mut columns,
    } = error
    else {
        return error;
    };
    if columns.partial
        && let Some(mut head) = head()
    {
        // Whole lines only, unless the file is shorter than the head.
        if head.len() as u64 >= PREVIEW_HEAD
            && let Some(end) = memchr::memrchr(b'\n', &head)
        {
            head.truncate(end + 1);
        }
        // Without a timestamp column the import stops before reading any
        // row, with every column's first cells.
        let again = ImportOptions {
            overrides: vec![MapOverride {
                canonical: Canonical::Timestamp,
                source: String::new(),
            }],
            nothing_kept_is_error: false,
            digest_source: false,
            progress: Arc::default(),
            ..opts.clone()
        };
        if let Err(ImportError::MissingColumns {
            headers, preview, ..
        }) = import_bytes(&head, name, shown, &again)
            && headers == columns.headers
        {
            columns.preview = preview;
            columns.partial = false;
        }
    }
    ImportError::NothingKept { message, columns }
}

/// A file's contents: a large file is mapped from the page cache (no copy
/// into fresh pages, and nothing to free but the mapping), a small one read.
pub enum FileContents {
    Read(Vec<u8>),
    Mapped(polars::polars_utils::mmap::MMapSemaphore),
}

impl std::ops::Deref for FileContents {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            FileContents::Read(bytes) => bytes,
            FileContents::Mapped(map) => map.as_ref(),
        }
    }
}

/// Reads (or maps) a whole file.
pub fn read_whole_file(path: &Path) -> std::io::Result<FileContents> {
    let file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    read_file(file, len)
}

fn read_file(mut file: std::fs::File, len: u64) -> std::io::Result<FileContents> {
    /// Below this, reading costs less than setting up a mapping.
    const MAP_FROM: u64 = 16 << 20;
    if len >= MAP_FROM && file.metadata()?.is_file() {
        // Pages of a file not in the page cache would otherwise be read a
        // few at a time as the parser touches them; the advice is only a
        // hint, so failing it changes nothing.
        #[cfg(target_os = "linux")]
        let _ = rustix::fs::fadvise(&file, 0, None, rustix::fs::Advice::WillNeed);
        // The page table is left to fill as the stretches are parsed, on
        // every core: filling it when mapping (MAP_POPULATE) held up the
        // parse by 0.14 s of one core at 10M. A file system that cannot map
        // falls back to reading.
        let options = memmap2::MmapOptions::new();
        if let Ok(map) =
            polars::polars_utils::mmap::MMapSemaphore::new_from_file_with_options(&file, options)
        {
            return Ok(FileContents::Mapped(map));
        }
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.read_to_end(&mut bytes)?;
    Ok(FileContents::Read(bytes))
}

/// Imports in-memory file contents; `name` is the file name (for chat names
/// and extensions), `shown` what error messages call the file.
pub fn import_bytes(
    bytes: &[u8],
    name: &str,
    shown: &str,
    opts: &ImportOptions,
) -> Result<Imported, ImportError> {
    import_contents(bytes, name, shown, opts).map_err(|e| {
        with_whole_preview(e, name, shown, opts, || {
            Some(bytes[..bytes.len().min(PREVIEW_HEAD as usize)].to_vec())
        })
    })
}

/// [`import_bytes`] for contents the import may free: a large log's bytes
/// go as soon as its cells are read, before the table is built beside them.
pub fn import_owned(
    bytes: FileContents,
    name: &str,
    shown: &str,
    opts: &ImportOptions,
) -> Result<Imported, ImportError> {
    import_contents(bytes, name, shown, opts)
}

/// A file's contents as text cells still to be mapped, or already imported
/// (formats whose readers build the whole table).
enum Contents {
    Imported(Imported),
    Cells {
        table: raw::RawTable,
        format: &'static str,
        dialect: Dialect,
    },
}

fn import_contents<B: std::ops::Deref<Target = [u8]> + Send>(
    bytes: B,
    name: &str,
    shown: &str,
    opts: &ImportOptions,
) -> Result<Imported, ImportError> {
    // A damaged file can trip a check deep inside a reader (polars' Parquet
    // decoder asserts on the lengths a page claims): that is a file which
    // cannot be read, said as such, not the end of the app or the command.
    reader_panic::catch_reader_panic(|| import_contents_unguarded(bytes, name, shown, opts))
        .unwrap_or_else(|why| {
            Err(ImportError::Invalid {
                path: shown.to_string(),
                message: format!(
                    "the file looks damaged: reading it stopped at an internal check ({why})"
                ),
            })
        })
}

fn import_contents_unguarded<B: std::ops::Deref<Target = [u8]> + Send>(
    bytes: B,
    name: &str,
    shown: &str,
    opts: &ImportOptions,
) -> Result<Imported, ImportError> {
    // The source's digest is one serial pass over the bytes: it runs beside
    // the parsing. A zip may be a saved report, which names its source.
    let contents: &[u8] = &bytes;
    let (read, digest) = if contents.starts_with(b"PK") || !opts.digest_source {
        (read_content(contents, name, shown, opts), None)
    } else {
        let (read, digest) = rayon::join(
            || read_content(contents, name, shown, opts),
            || SourceFile::of(name, contents),
        );
        (read, Some(digest))
    };
    let mut imported = match read? {
        Contents::Imported(imported) => imported,
        Contents::Cells {
            table,
            format,
            dialect,
        } => {
            // Unmapping a large file is a tenth of a second of one core at
            // 10M: it goes beside building the table, which no longer
            // reads the bytes.
            let ((), imported) = rayon::join(
                move || drop(bytes),
                || finish_tabular(&table, format, dialect, shown, opts),
            );
            let mut imported = imported?;
            // Cells the table does not share go before the caller goes on.
            drop(table);
            if !opts.keep_source_detail {
                canonical::leave_out_source_detail(&mut imported.table);
            }
            return Ok(with_source(imported, digest));
        }
    };
    if !opts.keep_source_detail {
        canonical::leave_out_source_detail(&mut imported.table);
    }
    if imported.report.source.is_none() && opts.digest_source {
        imported.report.source = Some(digest.unwrap_or_else(|| SourceFile::of(name, &bytes)));
    }
    Ok(imported)
}

fn with_source(mut imported: Imported, digest: Option<SourceFile>) -> Imported {
    if imported.report.source.is_none() {
        imported.report.source = digest;
    }
    imported
}

fn read_content(
    bytes: &[u8],
    name: &str,
    shown: &str,
    opts: &ImportOptions,
) -> Result<Contents, ImportError> {
    let invalid = |message: String| ImportError::Invalid {
        path: shown.to_string(),
        message,
    };
    if bytes.is_empty() {
        return Err(invalid(
            "the file is empty (0 bytes); expected a message log with a header row".into(),
        ));
    }
    if bytes.starts_with(&[0x1F, 0x8B]) {
        let inner = raw::gunzip(bytes, MAX_UNPACKED_BYTES).map_err(invalid)?;
        let inner_name = name.strip_suffix(".gz").unwrap_or(name);
        return Ok(match read_content(&inner, inner_name, shown, opts)? {
            Contents::Imported(mut imported) => {
                imported.report.dialect.compressed = true;
                Contents::Imported(imported)
            }
            Contents::Cells {
                table,
                format,
                mut dialect,
            } => {
                dialect.compressed = true;
                Contents::Cells {
                    table,
                    format,
                    dialect,
                }
            }
        });
    }
    if let Some(kind) = binary_kind(bytes) {
        return Err(invalid(format!(
            "this is {kind}, not a message log; expected CSV/TSV, Parquet, JSON, XLSX/XLS/ODS or a WhatsApp chat export"
        )));
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return import_zip(bytes, name, shown, opts).map(Contents::Imported);
    }
    let overrides = opts.overrides.clone();
    let needs_team = opts.team.is_none();
    let zone = opts.zone;
    let keep_text = opts.keep_source_detail;
    let wanted = move |headers: &[String]| -> raw::Wanted {
        match mapping::map_headers(headers, &overrides) {
            // Only mapped columns are kept, unless the import is about to
            // fail for a missing column: then the error's preview wants all
            // of them, as text.
            Ok(m) if has_required(&m, needs_team) => {
                let mut read_as = Vec::new();
                // A date and time pair is read as one cell later instead.
                if !(m.has(Canonical::Date) && m.has(Canonical::Time)) {
                    read_as.extend(
                        m.get(Canonical::Timestamp)
                            .map(|c| (c, raw::ReadAs::PlainInstants(zone))),
                    );
                }
                for (canonical, how) in [
                    (Canonical::ClosedAt, raw::ReadAs::PlainInstants(zone)),
                    (Canonical::Value, raw::ReadAs::Numbers),
                    (Canonical::GroupMembers, raw::ReadAs::WholeNumbers),
                    (Canonical::FollowupSeq, raw::ReadAs::WholeNumbers),
                    (Canonical::Blocked, raw::ReadAs::YesNo),
                ] {
                    read_as.extend(m.get(canonical).map(|c| (c, how)));
                }
                if !keep_text {
                    read_as.extend(m.get(Canonical::Text).map(|c| (c, raw::ReadAs::TextHashes)));
                }
                // A column that overrides also map to another field is
                // still needed as text.
                read_as.retain(|&(c, _)| m.columns.values().filter(|&&v| v == c).count() == 1);
                // Columns of few values are kept as codes while they stay
                // few: two bytes a row instead of a 16-byte view. A column
                // that overrides also map to another field stays text.
                let few = [
                    Canonical::Direction,
                    Canonical::ChatType,
                    Canonical::Sender,
                    Canonical::Agent,
                    Canonical::Status,
                    Canonical::Segment,
                    Canonical::Outcome,
                    Canonical::Category,
                    Canonical::BroadcastId,
                    Canonical::GroupId,
                ];
                let coded = few
                    .into_iter()
                    .filter_map(|canonical| m.get(canonical))
                    .filter(|&c| {
                        m.columns
                            .iter()
                            .all(|(field, &source)| source != c || few.contains(field))
                            && read_as.iter().all(|&(r, _)| r != c)
                    })
                    .collect();
                raw::Wanted {
                    columns: m.columns.values().copied().collect(),
                    read_as,
                    coded,
                }
            }
            _ => raw::Wanted {
                columns: (0..headers.len()).collect(),
                read_as: Vec::new(),
                coded: Vec::new(),
            },
        }
    };
    if bytes.starts_with(b"PAR1") {
        let table = raw::read_parquet(bytes, &wanted).map_err(invalid)?;
        return Ok(Contents::Cells {
            table,
            format: "parquet",
            dialect: Dialect::default(),
        });
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return import_spreadsheet(bytes, "xls", shown, opts).map(Contents::Imported);
    }
    let read_error = |m: String| {
        if m == "cancelled" {
            ImportError::Cancelled {
                path: shown.to_string(),
            }
        } else {
            invalid(m)
        }
    };
    // A large UTF-8 log is checked stretch by stretch as it is parsed, on
    // every core, rather than whole on one before parsing starts: its
    // start alone tells that it is delimited text.
    if let Some(head) = raw::Utf8Head::of(bytes)
        && !looks_binary(head.text)
        && head
            .text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with(|c| c != '[' && c != '{')
        && (starts_with_log_header(head.text, &opts.overrides)
            || whatsapp::decided_from_start(head.text) == Some(false))
    {
        let delimiter = raw::sniff_delimiter(head.text);
        match raw::read_delimited(head.text, head.all, delimiter, &wanted, &opts.progress) {
            Ok(Some(table)) => return Ok(delimited(table, delimiter, head.encoding)),
            // Decoded whole below, as any other text.
            Ok(None) => opts
                .progress
                .bytes_read
                .store(0, std::sync::atomic::Ordering::Relaxed),
            Err(m) => return Err(read_error(m)),
        }
    }
    let (text, encoding) = raw::decode_text(bytes);
    if looks_binary(&text) {
        return Err(invalid(
            "the file holds binary data, not text; expected CSV/TSV, Parquet, JSON, XLSX/XLS/ODS or a WhatsApp chat export"
                .into(),
        ));
    }
    if text.trim().is_empty() {
        return Err(invalid(
            "the file holds only blank lines; expected a message log with a header row".into(),
        ));
    }
    let dialect = Dialect {
        encoding: encoding.to_string(),
        ..Dialect::default()
    };
    let first = text.trim_start_matches('\u{feff}').trim_start();
    if first.starts_with('[') || first.starts_with('{') {
        // A WhatsApp iOS export also starts with `[`: try it first.
        if first.starts_with('[') && whatsapp::looks_like_whatsapp(&text) {
            return import_whatsapp(&text, name, dialect, shown, opts).map(Contents::Imported);
        }
        let (table, format) = json::read_json(&text).map_err(invalid)?;
        return Ok(Contents::Cells {
            table,
            format,
            dialect,
        });
    }
    if !starts_with_log_header(&text, &opts.overrides) && whatsapp::looks_like_whatsapp(&text) {
        return import_whatsapp(&text, name, dialect, shown, opts).map(Contents::Imported);
    }
    let delimiter = raw::sniff_delimiter(&text);
    let table = raw::read_csv(&text, delimiter, &wanted, &opts.progress).map_err(read_error)?;
    Ok(delimited(table, delimiter, encoding))
}

/// The cells of a delimited file, with its dialect.
fn delimited(table: raw::RawTable, delimiter: u8, encoding: &str) -> Contents {
    let format = if delimiter == b'\t' { "tsv" } else { "csv" };
    let dialect = Dialect {
        encoding: encoding.to_string(),
        delimiter: Some(
            match delimiter {
                b'\t' => "tab",
                b';' => "semicolon",
                b'|' => "pipe",
                _ => "comma",
            }
            .to_string(),
        ),
        ..Dialect::default()
    };
    Contents::Cells {
        table,
        format,
        dialect,
    }
}

fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    const MAGICS: [(&[u8], &str); 8] = [
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"%PDF", "a PDF document"),
        (b"\x7FELF", "a program (ELF executable)"),
        (b"MZ", "a Windows program"),
        (b"7z\xBC\xAF", "a 7-Zip archive"),
        (b"Rar!", "a RAR archive"),
    ];
    MAGICS
        .iter()
        .find(|(m, _)| bytes.starts_with(m))
        .map(|(_, k)| *k)
}

/// Whether the text starts with a header row that names a timestamp
/// column: then it is a delimited log, however much its rows look like a
/// chat export's lines (`03/04/2024 08:31 AM,c1,out,Hello: …` does). A chat
/// export starts with a message line, which names no column.
fn starts_with_log_header(text: &str, overrides: &[mapping::MapOverride]) -> bool {
    let Some(line) = text
        .trim_start_matches('\u{feff}')
        .lines()
        .find(|l| !l.trim().is_empty())
    else {
        return false;
    };
    let delimiter = char::from(raw::sniff_delimiter(text));
    let headers: Vec<String> = line
        .split(delimiter)
        .map(|h| h.trim().trim_matches('"').to_string())
        .collect();
    headers.len() >= 2
        && !whatsapp::looks_like_whatsapp(line)
        && mapping::map_headers(&headers, overrides)
            .is_ok_and(|m| m.has(mapping::Canonical::Timestamp) || m.has(mapping::Canonical::Date))
}

/// Text with many control characters is binary data that happened to decode.
fn looks_binary(text: &str) -> bool {
    let sample: Vec<char> = text.chars().take(4096).collect();
    if sample.is_empty() {
        return false;
    }
    let control = sample
        .iter()
        .filter(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}'))
        .count();
    control * 10 > sample.len()
}

fn import_zip(
    bytes: &[u8],
    name: &str,
    shown: &str,
    opts: &ImportOptions,
) -> Result<Imported, ImportError> {
    let invalid = |message: String| ImportError::Invalid {
        path: shown.to_string(),
        message,
    };
    let mut archive = ::zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| invalid(format!("broken or truncated zip archive: {e}")))?;
    let names: Vec<String> = archive
        .file_names()
        .filter_map(Result::ok)
        .map(std::borrow::Cow::into_owned)
        .collect();
    // A damaged report (say, without its manifest) should be reported as one,
    // not as a chat export that lacks a _chat.txt.
    let report_like = name.to_ascii_lowercase().ends_with(".chatlens")
        || names
            .iter()
            .any(|n| n == "manifest.json" || n == "table.parquet");
    if report_like {
        return crate::report_file::open_bytes(bytes, shown)
            .map(|r| r.imported)
            .map_err(|e| invalid(format!("{e:#}")));
    }
    if names.iter().any(|n| n == "xl/workbook.xml") {
        return import_spreadsheet(bytes, "xlsx", shown, opts);
    }
    if names.iter().any(|n| n == "content.xml") && names.iter().any(|n| n == "mimetype") {
        return import_spreadsheet(bytes, "ods", shown, opts);
    }
    let chat = names
        .iter()
        .filter(|n| !n.starts_with("__MACOSX/") && n.to_lowercase().ends_with(".txt"))
        .min_by_key(|n| (!n.ends_with("_chat.txt"), n.len()))
        .cloned()
        .ok_or_else(|| {
            invalid(
                "the zip holds no chat export (_chat.txt) and no spreadsheet; expected a WhatsApp \"Export chat\" zip"
                    .into(),
            )
        })?;
    let mut entry = archive
        .by_name(&chat)
        .map_err(|e| invalid(format!("cannot open {chat} in the zip: {e}")))?;
    let mut data = Vec::new();
    (&mut entry)
        .take(MAX_UNPACKED_BYTES + 1)
        .read_to_end(&mut data)
        .map_err(|e| invalid(format!("cannot unpack {chat}: {e}")))?;
    if data.len() as u64 > MAX_UNPACKED_BYTES {
        return Err(invalid(format!(
            "{chat} unpacks to more than 8 GiB; refusing it"
        )));
    }
    let (text, encoding) = raw::decode_text(&data);
    let dialect = Dialect {
        encoding: encoding.to_string(),
        compressed: true,
        ..Dialect::default()
    };
    let chat_name = if chat.ends_with("_chat.txt") {
        name
    } else {
        &chat
    };
    import_whatsapp(&text, chat_name, dialect, shown, opts)
}

fn import_spreadsheet(
    bytes: &[u8],
    format: &str,
    shown: &str,
    opts: &ImportOptions,
) -> Result<Imported, ImportError> {
    let overrides = opts.overrides.clone();
    let has_ts = move |h: &[String]| {
        mapping::map_headers(h, &overrides)
            .is_ok_and(|m| m.has(Canonical::Timestamp) || m.has(Canonical::Date))
    };
    let (table, sheet) =
        raw::read_spreadsheet(bytes, opts.sheet.as_deref(), &has_ts).map_err(|message| {
            ImportError::Invalid {
                path: shown.to_string(),
                message,
            }
        })?;
    let dialect = Dialect {
        encoding: "binary".into(),
        sheet: Some(sheet),
        ..Dialect::default()
    };
    finish_tabular(&table, format, dialect, shown, opts)
}

/// Maps a raw table's columns and builds the canonical table.
fn finish_tabular(
    table: &raw::RawTable,
    format: &str,
    mut dialect: Dialect,
    shown: &str,
    opts: &ImportOptions,
) -> Result<Imported, ImportError> {
    let mapping = mapping::map_headers(&table.headers, &opts.overrides).map_err(|message| {
        ImportError::Invalid {
            path: shown.to_string(),
            message,
        }
    })?;
    check_required(table, &mapping, shown, opts)?;
    let built = canonical::build(table, &mapping, opts, opts.team.as_deref());
    dialect.date_order = built.date_order.map(|(o, _)| o);
    dialect.date_order_source = built.date_order.map(|(_, s)| s);
    let mut report = ImportReport {
        file: shown.to_string(),
        format: format.to_string(),
        dialect,
        columns: mapping.describe(&table.headers),
        rows_read: table.rows() as u64 + table.service_messages,
        ..ImportReport::default()
    };
    if let (Some(id), Some(reply)) = (
        mapping.get(Canonical::MessageId),
        mapping.get(Canonical::ReplyTo),
    ) {
        report.columns.insert(
            "conversation_id".into(),
            format!(
                "reply chains ({}, {})",
                table.headers[id], table.headers[reply]
            ),
        );
    }
    if table.ragged.0 > 0 {
        report.warnings.push(ImportWarning {
            kind: "ragged_rows".into(),
            count: table.ragged.0,
            first_lines: table.ragged.1.clone(),
            message: format!(
                "{} with a different number of fields than the header's {} (kept; missing cells are empty, extra cells ignored)",
                if table.ragged.0 == 1 { "row" } else { "rows" },
                table.headers.len()
            ),
        });
    }
    if table.service_messages > 0 {
        report.warnings.push(ImportWarning {
            kind: "service_messages".into(),
            count: table.service_messages,
            first_lines: Vec::new(),
            message: if table.service_messages == 1 {
                "service message (a member joining or leaving, a pinned message, a call, a title change) is not a message and was left out"
            } else {
                "service messages (members joining or leaving, pinned messages, calls, title changes) are not messages and were left out"
            }
            .into(),
        });
    }
    if table.blank_lines > 0 {
        report.warnings.push(ImportWarning {
            kind: "blank_lines".into(),
            count: table.blank_lines,
            first_lines: Vec::new(),
            message: if table.blank_lines == 1 {
                "blank line passed over"
            } else {
                "blank lines passed over"
            }
            .into(),
        });
    }
    if report.dialect.date_order_source == Some(OrderSource::Assumed) {
        report.warnings.push(ImportWarning {
            kind: "date_order_assumed".into(),
            count: 0,
            first_lines: Vec::new(),
            message: "no date in the file tells day/month from month/day: read as day first (use --monthfirst if that is wrong)".into(),
        });
    }
    if built
        .closed_order
        .is_some_and(|(_, s)| s == OrderSource::Assumed)
    {
        report.warnings.push(ImportWarning {
            kind: "closed_at_date_order_assumed".into(),
            count: 0,
            first_lines: Vec::new(),
            message: "no date in the close times tells day/month from month/day: read as day first (use --monthfirst if that is wrong)".into(),
        });
    }
    finish_report(&mut report, &built.df, &built.skipped, opts);
    if opts.nothing_kept_is_error
        && let Some(message) = report.nothing_kept()
    {
        return Err(ImportError::NothingKept {
            message,
            columns: Box::new(FileColumns {
                headers: table.headers.iter().map(|h| short(h)).collect(),
                preview: canonical::preview_rows(table, 5),
                guesses: mapping.describe(&table.headers),
                senders: senders_of(table, &mapping),
                direction_values: direction_values(table, &mapping),
                partial: matches!(format, "csv" | "tsv"),
            }),
        });
    }
    Ok(Imported {
        table: built.df,
        report,
    })
}

/// Whether the mapping has what a table needs: a time, a conversation and
/// a direction (or a sender and a team).
fn has_required(mapping: &ColumnMapping, needs_team: bool) -> bool {
    (mapping.has(Canonical::Timestamp) || mapping.has(Canonical::Date))
        && has_conversation(mapping)
        && (mapping.has(Canonical::Direction) || (mapping.has(Canonical::Sender) && !needs_team))
}

/// A conversation column, a contact column, or a message id and the id each
/// row replies to, whose chains make the conversations.
fn has_conversation(mapping: &ColumnMapping) -> bool {
    mapping.has(Canonical::ConversationId)
        || mapping.has(Canonical::ContactId)
        || mapping.has(Canonical::ReplyTo)
}

fn check_required(
    table: &raw::RawTable,
    mapping: &ColumnMapping,
    shown: &str,
    opts: &ImportOptions,
) -> Result<(), ImportError> {
    let has_ts = mapping.has(Canonical::Timestamp) || mapping.has(Canonical::Date);
    let has_conv = has_conversation(mapping);
    let has_dir = mapping.has(Canonical::Direction)
        || (mapping.has(Canonical::Sender) && opts.team.is_some());
    let (missing, expected, example) = if !has_ts {
        (
            "timestamp",
            "a column named timestamp, time, datetime, date_time, sent_at, created_at, ts or message_time, or a date + time pair",
            "timestamp",
        )
    } else if !has_conv {
        (
            "conversation",
            "a column named conversation_id, chat_id, thread_id, conversation, chat or ticket_id (or a contact_id, customer_id, lead_id, phone or contact column, or a message id column beside the id each message replies to, such as tweet_id and in_response_to_tweet_id)",
            "conversation_id",
        )
    } else if !has_dir {
        (
            "direction",
            "a column named direction, dir, msg_direction, from_me, is_outgoing, outgoing, type, inbound or is_inbound, or a sender column plus --team",
            "direction",
        )
    } else {
        return Ok(());
    };
    let mut expected = expected.to_string();
    let mut team_from = None;
    // With a sender column, the people who wrote are what --team picks from.
    if missing == "direction"
        && let Some((column, senders)) = senders_of(table, mapping)
    {
        let listed: Vec<String> = senders
            .iter()
            .take(12)
            .map(|p| format!("{} ({})", short(&p.name), p.messages))
            .collect();
        expected = format!(
            "{expected}. Senders in the file: {}{}",
            listed.join(", "),
            if senders.len() > 12 { ", …" } else { "" }
        );
        team_from = Some((column, senders));
    }
    let guesses = mapping.describe(&table.headers);
    Err(ImportError::MissingColumns {
        path: shown.to_string(),
        missing: missing.to_string(),
        expected,
        found: table
            .headers
            .iter()
            .take(40)
            .map(|h| short(h))
            .collect::<Vec<_>>()
            .join(", "),
        example: example.to_string(),
        headers: table.headers.iter().map(|h| short(h)).collect(),
        preview: canonical::preview_rows(table, 5),
        guesses,
        senders: team_from,
    })
}

/// The sender column's header and everyone who wrote in it, most
/// messages first: who the team can be picked from.
fn senders_of(
    table: &raw::RawTable,
    mapping: &ColumnMapping,
) -> Option<(String, Vec<Participant>)> {
    values_of(table, mapping.get(Canonical::Sender)?)
}

/// The direction column's values, most rows first, when some of them are
/// not inbound/outbound words: the app then asks which mean outbound.
fn direction_values(
    table: &raw::RawTable,
    mapping: &ColumnMapping,
) -> Option<(String, Vec<Participant>)> {
    let (column, values) = values_of(table, mapping.get(Canonical::Direction)?)?;
    values
        .iter()
        .any(|v| canonical::parse_direction(&v.name, mapping.direction_inverted).is_none())
        .then_some((column, values))
}

/// A column's header and its values with their row counts, most first.
fn values_of(table: &raw::RawTable, column: usize) -> Option<(String, Vec<Participant>)> {
    let col = table.columns.get(column)?;
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for row in 0..col.len() {
        if let Some(s) = col.get(row) {
            *counts.entry(s.to_string()).or_default() += 1;
        }
    }
    Some((short(&table.headers[column]), sorted_participants(counts)))
}

/// What the app's mapping dialog shows of a file: its columns, first rows,
/// the mapping as guessed and the senders for a team.
#[derive(Debug, Clone)]
pub struct FileColumns {
    pub headers: Vec<String>,
    pub preview: Vec<Vec<String>>,
    /// Canonical name → the header it was read from.
    pub guesses: BTreeMap<String, String>,
    pub senders: Option<(String, Vec<Participant>)>,
    /// The direction column and its values, when some are not
    /// inbound/outbound words.
    pub direction_values: Option<(String, Vec<Participant>)>,
    /// Whether the preview holds only the mapped columns' cells: a
    /// delimited file keeps no others.
    pub partial: bool,
}

fn finish_report(
    report: &mut ImportReport,
    df: &DataFrame,
    skipped: &Skipped,
    opts: &ImportOptions,
) {
    report.rows_kept = df.height() as u64;
    report.skipped = canonical::skipped_map(skipped);
    report.skipped_first_lines = skipped
        .counts
        .iter()
        .map(|(k, (_, lines))| (k.as_str().to_string(), lines.clone()))
        .collect();
    report.skipped_examples = skipped
        .examples
        .iter()
        .map(|(k, e)| (k.as_str().to_string(), e.clone()))
        .collect();
    if let Some((lo, hi)) = timestamp_range(df) {
        report.first_timestamp = Some(opts.zone.format_iso(lo));
        report.last_timestamp = Some(opts.zone.format_iso(hi));
    }
    if df.height() >= 2 && all_at_midnight(df, opts.zone) {
        let column = report
            .columns
            .get("timestamp")
            .map_or_else(String::new, |c| format!(" ({c})"));
        report.warnings.push(ImportWarning {
            kind: "dates_only".into(),
            count: 0,
            first_lines: Vec::new(),
            message: format!(
                "every timestamp{column} is at midnight, as if it held dates without a time of day: response and reply times, time slots and the hour heatmap cannot be read from it"
            ),
        });
    }
    if report.participants.is_none()
        && let Ok(col) = df.column("sender")
    {
        let counts = match col.str() {
            Ok(cells) => Some(count_values(cells)),
            // Columns of few values come as enums: their rows are counted
            // by code.
            Err(_) => crate::dictionary::encode_categories(col.as_materialized_series())
                .map(|d| count_codes(&d)),
        };
        report.participants = counts.map(sorted_participants);
    }
}

/// How often each coded value occurs.
fn count_codes(d: &crate::dictionary::Dictionary) -> BTreeMap<String, u64> {
    let counts = crate::dictionary::code_counts(&d.codes, d.values.len(), |c| c as usize);
    d.values
        .iter()
        .zip(counts)
        .map(|(v, n)| (v.as_str().to_string(), n))
        .collect()
}

/// How often each value occurs, counted in parallel stretches.
fn count_values(col: &StringChunked) -> BTreeMap<String, u64> {
    use rayon::prelude::*;
    if let Some(counts) = crate::dictionary::few_value_counts(col) {
        return counts
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
    }
    let parts = raw::slices(col);
    let merged = parts
        .par_iter()
        .map(|part| {
            let mut counts: PlHashMap<&str, u64> = PlHashMap::default();
            for s in part.iter().flatten() {
                *counts.entry(s).or_default() += 1;
            }
            counts
        })
        .reduce(PlHashMap::default, |mut a, b| {
            for (k, v) in b {
                *a.entry(k).or_default() += v;
            }
            a
        });
    merged
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

pub(crate) fn sorted_participants(counts: BTreeMap<String, u64>) -> Vec<Participant> {
    let mut v: Vec<Participant> = counts
        .into_iter()
        .map(|(name, messages)| Participant { name, messages })
        .collect();
    v.sort_by(|a, b| {
        b.messages
            .cmp(&a.messages)
            .then_with(|| a.name.cmp(&b.name))
    });
    v
}

/// Whether every row's time falls at midnight on the report zone's clock.
/// Stops at the first row that does not, which in a log with times of day
/// is one of the first.
fn all_at_midnight(df: &DataFrame, zone: ReportZone) -> bool {
    const DAY_MS: i64 = 86_400_000;
    let Ok(ts) = df
        .column("timestamp")
        .and_then(|c| c.cast(&DataType::Int64))
    else {
        return false;
    };
    let Ok(ca) = ts.i64() else {
        return false;
    };
    let mut clock = timestamp::HourlyOffsets::of_instants(zone);
    ca.iter()
        .flatten()
        .all(|ms| clock.local_millis(ms).rem_euclid(DAY_MS) == 0)
}

/// Earliest and latest instant of the table, in epoch milliseconds.
pub fn timestamp_range(df: &DataFrame) -> Option<(i64, i64)> {
    let ts = df.column("timestamp").ok()?.cast(&DataType::Int64).ok()?;
    let ca = ts.i64().ok()?;
    Some((ca.min()?, ca.max()?))
}

/// The chat's name from its export file name (`WhatsApp Chat with Ana.txt`).
fn chat_name(file_name: &str) -> String {
    let stem = Path::new(file_name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    for prefix in [
        "WhatsApp Chat with ",
        "WhatsApp Chat - ",
        "WhatsApp-Chat mit ",
        "Chat de WhatsApp con ",
        "Conversa do WhatsApp com ",
    ] {
        if let Some(rest) = stem.strip_prefix(prefix) {
            return rest.trim().to_string();
        }
    }
    if stem.is_empty() || stem == "_chat" {
        "chat".to_string()
    } else {
        stem
    }
}

fn import_whatsapp(
    text: &str,
    file_name: &str,
    mut dialect: Dialect,
    shown: &str,
    opts: &ImportOptions,
) -> Result<Imported, ImportError> {
    let order = opts.date_order.map(|o| match o {
        DateOrder::DayFirst => whatsapp::DateOrder::DayFirst,
        DateOrder::MonthFirst => whatsapp::DateOrder::MonthFirst,
    });
    let chat = whatsapp::parse_whatsapp(text, order).map_err(|e| ImportError::Invalid {
        path: shown.to_string(),
        message: format!("WhatsApp chat export: {e}"),
    })?;
    let participants: Vec<Participant> = chat
        .participants
        .iter()
        .map(|(name, n)| Participant {
            name: name.clone(),
            messages: *n as u64,
        })
        .collect();
    let team: Vec<String> = match &opts.team {
        Some(t) => t.iter().map(|s| s.trim().to_lowercase()).collect(),
        None if opts.require_team => {
            return Err(ImportError::TeamRequired {
                path: shown.to_string(),
                participants,
            });
        }
        None => Vec::new(),
    };
    let conversation = chat_name(file_name);
    let n = chat.messages.len();
    let mut ts = Vec::with_capacity(n);
    let mut lines = Vec::with_capacity(n);
    let mut dir = Vec::with_capacity(n);
    let mut agent: Vec<Option<&str>> = Vec::with_capacity(n);
    for m in &chat.messages {
        ts.push(opts.zone.to_instant(m.timestamp));
        lines.push(m.line as i64);
        let outbound = team.contains(&m.author.trim().to_lowercase());
        dir.push(if outbound { "outbound" } else { "inbound" });
        agent.push(outbound.then_some(m.author.as_str()));
    }
    let group = chat.is_group;
    let columns: Vec<Column> = vec![
        Int64Chunked::from_vec("timestamp".into(), ts)
            .into_datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))
            .into_series()
            .into(),
        Int64Chunked::from_vec("line".into(), lines)
            .into_series()
            .into(),
        Series::new("conversation_id".into(), vec![conversation.as_str(); n]).into(),
        Series::new("direction".into(), dir).into(),
        Series::new(
            "chat_type".into(),
            vec![if group { "group" } else { "direct" }; n],
        )
        .into(),
        Series::new(
            "sender".into(),
            chat.messages
                .iter()
                .map(|m| m.author.as_str())
                .collect::<Vec<_>>(),
        )
        .into(),
        Series::new("agent".into(), agent).into(),
        Series::new(
            "group_id".into(),
            vec![group.then_some(conversation.as_str()); n],
        )
        .into(),
        Series::new(
            "text".into(),
            chat.messages
                .iter()
                .map(|m| m.text.as_str())
                .collect::<Vec<_>>(),
        )
        .into(),
    ];
    let df = DataFrame::new_infer_height(columns).map_err(|e| ImportError::Invalid {
        path: shown.to_string(),
        message: e.to_string(),
    })?;
    dialect.layout = Some(
        match chat.layout {
            whatsapp::Layout::Android => "android",
            whatsapp::Layout::Ios => "ios",
        }
        .to_string(),
    );
    // Year-first dates (2019/01/31) need no day/month choice: report none.
    let day_month = match chat.date_order {
        whatsapp::DateOrder::MonthFirst => Some(DateOrder::MonthFirst),
        whatsapp::DateOrder::DayFirst => Some(DateOrder::DayFirst),
        whatsapp::DateOrder::YearFirst => None,
    };
    dialect.date_order = day_month;
    dialect.date_order_source = day_month.map(|_| {
        if opts.date_order.is_some() {
            OrderSource::Override
        } else if chat.date_order_decided {
            OrderSource::Inferred
        } else {
            OrderSource::Assumed
        }
    });
    let mut system: BTreeMap<String, u64> = BTreeMap::new();
    for s in &chat.system_lines {
        *system.entry(s.kind.as_str().to_string()).or_default() += 1;
    }
    let mut report = ImportReport {
        file: shown.to_string(),
        format: "whatsapp".into(),
        dialect,
        columns: [
            ("timestamp", "message header date and time"),
            ("conversation_id", "chat name (from the file name)"),
            ("direction", "author in the team list"),
            ("sender", "message author"),
            ("text", "message text"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect(),
        rows_read: (n + chat.system_lines.len()) as u64,
        participants: Some(participants),
        system_lines: Some(system),
        ..ImportReport::default()
    };
    if report.dialect.date_order_source == Some(OrderSource::Assumed) {
        report.warnings.push(ImportWarning {
            kind: "date_order_assumed".into(),
            count: 0,
            first_lines: Vec::new(),
            message: "no date in the chat tells day/month from month/day: read as day first (use --monthfirst if that is wrong)".into(),
        });
    }
    if opts.team.is_none() {
        report.warnings.push(ImportWarning {
            kind: "team_not_set".into(),
            count: 0,
            first_lines: Vec::new(),
            message:
                "no team given: every message counts as inbound until you choose the team (--team)"
                    .into(),
        });
    } else if !chat
        .participants
        .iter()
        .any(|(p, _)| team.contains(&p.trim().to_lowercase()))
    {
        report.warnings.push(ImportWarning {
            kind: "team_not_found".into(),
            count: 0,
            first_lines: Vec::new(),
            message: "none of the team members wrote in this chat: every message counts as inbound"
                .into(),
        });
    }
    if !chat.system_lines.is_empty() {
        report.warnings.push(ImportWarning {
            kind: "system_lines".into(),
            count: chat.system_lines.len() as u64,
            first_lines: chat
                .system_lines
                .iter()
                .take(5)
                .map(|s| s.line as u64)
                .collect(),
            message:
                "system lines (encryption notice, group changes) are not messages and were left out"
                    .into(),
        });
    }
    finish_report(&mut report, &df, &Skipped::default(), opts);
    Ok(Imported { table: df, report })
}
