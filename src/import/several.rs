//! Several files opened together (a handful of `WhatsApp` chats, a log split
//! by month): each is imported on its own, then the tables are stacked.

use std::collections::BTreeMap;
use std::path::PathBuf;

use polars::prelude::*;

use super::{
    ImportError, ImportOptions, ImportReport, ImportWarning, Imported, import_path,
    sorted_participants, timestamp_range,
};

/// Imports every file and stacks the tables. A chat export without a team
/// stops the whole set with the participants of every chat, so one answer
/// covers them all.
pub fn import_paths(paths: &[PathBuf], opts: &ImportOptions) -> Result<Imported, ImportError> {
    if let [only] = paths {
        return import_path(only, opts);
    }
    let shown = paths
        .iter()
        .map(|p| {
            p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    // A file of the set that gives no row adds none; the set as a whole is
    // judged by the caller.
    let opts = &ImportOptions {
        nothing_kept_is_error: false,
        ..opts.clone()
    };
    let mut parts = Vec::with_capacity(paths.len());
    let mut need_team: BTreeMap<String, u64> = BTreeMap::new();
    for path in paths {
        match import_path(path, opts) {
            Ok(i) => parts.push(i),
            Err(ImportError::TeamRequired { participants, .. }) => {
                for p in participants {
                    *need_team.entry(p.name).or_default() += p.messages;
                }
            }
            Err(e) => return Err(e),
        }
    }
    if !need_team.is_empty() {
        return Err(ImportError::TeamRequired {
            path: shown,
            participants: sorted_participants(need_team),
        });
    }
    let table = stack(parts.iter().map(|p| &p.table)).map_err(|e| ImportError::Invalid {
        path: shown.clone(),
        message: format!("the files cannot be combined: {e}"),
    })?;
    let report = merge_reports(&parts, &shown, &table, opts);
    Ok(Imported { table, report })
}

/// Stacks tables with different optional columns: a column missing from a
/// file is null for its rows.
fn stack<'a>(tables: impl Iterator<Item = &'a DataFrame> + Clone) -> PolarsResult<DataFrame> {
    let mut schema: Vec<(PlSmallStr, DataType)> = Vec::new();
    for df in tables.clone() {
        for c in df.columns() {
            if !schema.iter().any(|(n, _)| n == c.name()) {
                schema.push((c.name().clone(), c.dtype().clone()));
            }
        }
    }
    let mut out: Option<DataFrame> = None;
    for df in tables {
        let cols: Vec<Column> = schema
            .iter()
            .map(|(name, dtype)| match df.column(name) {
                Ok(c) => c.clone(),
                Err(_) => Column::full_null(name.clone(), df.height(), dtype),
            })
            .collect();
        let aligned = DataFrame::new_infer_height(cols)?;
        match &mut out {
            None => out = Some(aligned),
            Some(acc) => {
                acc.vstack_mut(&aligned)?;
            }
        }
    }
    Ok(out.unwrap_or_default())
}

fn merge_reports(
    parts: &[Imported],
    shown: &str,
    table: &DataFrame,
    opts: &ImportOptions,
) -> ImportReport {
    let mut report = ImportReport {
        file: shown.to_string(),
        ..ImportReport::default()
    };
    let formats: Vec<&str> = parts.iter().map(|p| p.report.format.as_str()).collect();
    report.format = if formats.windows(2).all(|w| w[0] == w[1]) {
        formats.first().copied().unwrap_or_default().to_string()
    } else {
        "mixed".to_string()
    };
    let mut participants: BTreeMap<String, u64> = BTreeMap::new();
    let mut system: BTreeMap<String, u64> = BTreeMap::new();
    for p in parts {
        let r = &p.report;
        if report.dialect.encoding.is_empty() {
            report.dialect = r.dialect.clone();
        }
        for (k, v) in &r.columns {
            report.columns.entry(k.clone()).or_insert_with(|| v.clone());
        }
        report.rows_read += r.rows_read;
        report.rows_kept += r.rows_kept;
        for (reason, n) in &r.skipped {
            *report.skipped.entry(reason.clone()).or_default() += n;
            // Line numbers only mean something with their file: keep the
            // first file's and say which file in a note.
            if !report.skipped_first_lines.contains_key(reason) {
                report.skipped_first_lines.insert(
                    reason.clone(),
                    r.skipped_first_lines
                        .get(reason)
                        .cloned()
                        .unwrap_or_default(),
                );
                report.warnings.push(ImportWarning {
                    kind: format!("{reason}_lines"),
                    count: *n,
                    first_lines: Vec::new(),
                    message: format!("the first lines skipped as {reason} are in {}", r.file),
                });
            }
        }
        for w in &r.warnings {
            let mut w = w.clone();
            w.message = format!("{}: {}", r.file, w.message);
            report.warnings.push(w);
        }
        for x in r.participants.iter().flatten() {
            *participants.entry(x.name.clone()).or_default() += x.messages;
        }
        for (k, v) in r.system_lines.iter().flatten() {
            *system.entry(k.clone()).or_default() += v;
        }
    }
    if !participants.is_empty() {
        report.participants = Some(sorted_participants(participants));
    }
    if !system.is_empty() {
        report.system_lines = Some(system);
    }
    if let Some((lo, hi)) = timestamp_range(table) {
        report.first_timestamp = Some(opts.zone.format_iso(lo));
        report.last_timestamp = Some(opts.zone.format_iso(hi));
    }
    report
}
