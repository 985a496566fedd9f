//! Figures, offenders and conversations as JSON and CSV.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::import::ReportZone;
use crate::metrics::Report;
use crate::metrics::figures::ConversationRow;
use crate::metrics::prepare::Prepared;

/// Excel needs the byte-order mark to read UTF-8 names (accents, emoji) right.
const BOM: &str = "\u{feff}";

/// Writes `figures.json`, `figures.csv`, `offenders.csv` and `conversations.csv` into `dir`.
pub fn write_all(report: &Report, prepared: &Prepared, dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let json = serde_json::to_string_pretty(report).context("cannot serialise the report")?;
    let files = [
        ("figures.json", json),
        ("figures.csv", figures_csv(report)?),
        ("offenders.csv", all_offenders_csv(report)?),
        ("conversations.csv", conversations_csv(report, prepared)?),
    ];
    let mut written = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        crate::fsutil::write_bytes_atomic(&path, text.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}

/// One red flag's offenders as CSV.
pub fn offenders_csv(report: &Report, flag_id: &str) -> Result<String> {
    let Some(flag) = report.red_flags.iter().find(|f| f.id == flag_id) else {
        let known: Vec<&str> = report.red_flags.iter().map(|f| f.id).collect();
        bail!(
            "no red flag {flag_id:?}; the flags are {}",
            known.join(", ")
        );
    };
    let mut w = Table::new(&["flag", "offender"]);
    for o in &flag.offenders {
        w.row(&[flag.id, o])?;
    }
    w.finish()
}

/// Every red flag's offenders, `flag,offender`.
pub fn all_offenders_csv(report: &Report) -> Result<String> {
    let mut w = Table::new(&["flag", "offender"]);
    for flag in &report.red_flags {
        for o in &flag.offenders {
            w.row(&[flag.id, o])?;
        }
    }
    w.finish()
}

/// The `report --json` document flattened to `path,value` rows.
pub fn figures_csv(report: &Report) -> Result<String> {
    let value = serde_json::to_value(report).context("cannot serialise the report")?;
    let mut rows = Vec::new();
    flatten("", &value, &mut rows);
    let mut w = Table::new(&["path", "value"]);
    for (path, cell) in rows {
        w.push_record(&[escape(&path), cell])?;
    }
    w.finish()
}

/// Numbers and booleans are written as they are (a negative figure is a
/// number, not a formula); text goes through [`escape`].
fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
    let join = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                flatten(&join(k), v, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten(&join(&i.to_string()), v, out);
            }
        }
        Value::Null => out.push((prefix.to_string(), String::new())),
        Value::Bool(b) => out.push((prefix.to_string(), b.to_string())),
        Value::Number(n) => out.push((prefix.to_string(), n.to_string())),
        Value::String(s) => out.push((prefix.to_string(), escape(s))),
    }
}

const CONVERSATION_COLUMNS: [&str; 28] = [
    "conversation_id",
    "chat_type",
    "contact",
    "segment",
    "agent",
    "messages",
    "outbound",
    "inbound",
    "first_ts",
    "last_ts",
    "first_response_secs",
    "unanswered_first",
    "team_reply_median_secs",
    "customer_reply_median_secs",
    "followups",
    "lead_followups",
    "touches",
    "responded",
    "balanced",
    "multi_thread",
    "quick_both_ways",
    "progressed",
    "positive",
    "quality_score",
    "outcome",
    "value",
    "blocked",
    "is_group",
];

/// One row per conversation in scope; times in the report zone.
pub fn conversations_csv(report: &Report, prepared: &Prepared) -> Result<String> {
    let zone = ReportZone::from_name(&report.meta.tz).unwrap_or_else(ReportZone::utc);
    let mut w = Table::new(&CONVERSATION_COLUMNS);
    for c in &report.conversations {
        w.push_record(&conversation_cells(c, prepared, zone))?;
    }
    w.finish()
}

fn opt_num(v: Option<f64>) -> String {
    v.filter(|v| v.is_finite())
        .map(|v| v.to_string())
        .unwrap_or_default()
}

fn opt_bool(v: Option<bool>) -> String {
    v.map(|b| b.to_string()).unwrap_or_default()
}

fn conversation_cells(c: &ConversationRow, p: &Prepared, zone: ReportZone) -> Vec<String> {
    let text = |s: &str| escape(s);
    vec![
        text(c.id(p)),
        text(c.chat_type()),
        text(c.contact_name(p)),
        text(c.segment_name(p)),
        c.agent_name(p).map(text).unwrap_or_default(),
        c.messages.to_string(),
        c.outbound.to_string(),
        c.inbound.to_string(),
        zone.format_iso(c.first_ts),
        zone.format_iso(c.last_ts),
        opt_num(c.first_response_secs.get()),
        c.unanswered_first.to_string(),
        opt_num(c.team_reply_median_secs.get()),
        opt_num(c.customer_reply_median_secs.get()),
        c.followups.to_string(),
        c.lead_followups.map(|n| n.to_string()).unwrap_or_default(),
        c.touches.to_string(),
        c.responded.to_string(),
        opt_bool(c.balanced),
        opt_bool(c.multi_thread),
        opt_bool(c.quick_both_ways),
        opt_bool(c.progressed),
        opt_bool(c.positive),
        c.quality_score.to_string(),
        c.outcome_name(p).map(text).unwrap_or_default(),
        opt_num(c.value),
        c.blocked.to_string(),
        c.is_group.to_string(),
    ]
}

/// A cell a spreadsheet would run as a formula gets a leading quote.
pub fn escape(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// A CSV document with a BOM and a header row.
struct Table {
    w: csv::Writer<Vec<u8>>,
}

impl Table {
    fn new(header: &[&str]) -> Self {
        let mut w = csv::Writer::from_writer(BOM.as_bytes().to_vec());
        // Writing to a Vec cannot fail; an error would surface in `finish`.
        let _ = w.write_record(header);
        Self { w }
    }

    /// A row of user text, escaped.
    fn row(&mut self, cells: &[&str]) -> Result<()> {
        self.push_record(&cells.iter().map(|c| escape(c)).collect::<Vec<_>>())
    }

    /// A row whose cells are already escaped.
    fn push_record(&mut self, cells: &[String]) -> Result<()> {
        self.w.write_record(cells).context("cannot write a CSV row")
    }

    fn finish(self) -> Result<String> {
        let bytes = self
            .w
            .into_inner()
            .map_err(|e| anyhow::anyhow!("cannot finish the CSV: {}", e.error()))?;
        String::from_utf8(bytes).context("the CSV is not valid UTF-8")
    }
}
