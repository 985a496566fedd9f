//! Turns mapped text cells into the canonical message table: typed columns,
//! values in their canonical spellings, and every skipped row counted.

use std::collections::BTreeMap;

use polars::prelude::*;
use rayon::prelude::*;

use super::mapping::{Canonical, ColumnMapping};
use super::raw::RawTable;
use super::timestamp::{DateOrder, OrderEvidence, OrderSource, parse_timestamp};
use super::{ImportOptions, SkipReason, Skipped};

/// Canonical spelling of a direction cell; `None` when unrecognised.
pub fn parse_direction(v: &str, inverted: bool) -> Option<bool> {
    let lower = v.trim().to_ascii_lowercase();
    let outbound = match lower.as_str() {
        "out" | "outbound" | "outgoing" | "sent" | "send" => return Some(true),
        "in" | "inbound" | "incoming" | "received" | "receive" => return Some(false),
        "true" | "t" | "1" | "yes" | "y" => true,
        "false" | "f" | "0" | "no" | "n" => false,
        _ => return None,
    };
    Some(outbound != inverted)
}

/// `Some(true)` for a group, `Some(false)` for a 1:1 chat.
pub fn parse_chat_type(v: &str) -> Option<bool> {
    match normalize_word(v).as_str() {
        "11" | "direct" | "individual" | "private" | "dm" | "onetoone" | "1to1" | "single" => {
            Some(false)
        }
        "group" | "community" | "groupchat" => Some(true),
        _ => None,
    }
}

/// Canonical category name of a cell, when recognised.
pub fn parse_category(v: &str) -> Option<&'static str> {
    match normalize_word(v).as_str() {
        "initialoutreach" | "outreach" | "initial" | "firstoutreach" | "firstcontact"
        | "coldoutreach" => Some("initial_outreach"),
        "followup" | "followups" | "followupmessage" => Some("follow_up"),
        "reply" | "response" | "answer" | "replies" => Some("reply"),
        "broadcast" | "broadcasts" | "campaign" | "bulk" => Some("broadcast"),
        _ => None,
    }
}

pub fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "t" | "yes" | "y" | "1" => Some(true),
        "false" | "f" | "no" | "n" | "0" => Some(false),
        _ => None,
    }
}

fn normalize_word(v: &str) -> String {
    v.chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | ':' | '/'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// A number as people type it: `1234.5`, `1,234.50`, `1.234,50`, `$99`.
pub fn parse_number(v: &str) -> Option<f64> {
    let cleaned: String = v
        .trim()
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | '+' | 'e' | 'E'))
        .collect();
    if cleaned.is_empty() {
        return None;
    }
    let normalized = match (cleaned.rfind('.'), cleaned.rfind(',')) {
        (Some(d), Some(c)) if c > d => cleaned.replace('.', "").replace(',', "."),
        (Some(_), Some(_)) => cleaned.replace(',', ""),
        (None, Some(c)) => {
            let decimals = cleaned.len() - c - 1;
            if decimals == 3 {
                cleaned.replace(',', "")
            } else {
                cleaned.replace(',', ".")
            }
        }
        _ => cleaned,
    };
    normalized.parse::<f64>().ok().filter(|f| f.is_finite())
}

pub struct Built {
    pub df: DataFrame,
    pub skipped: Skipped,
    pub date_order: Option<(DateOrder, OrderSource)>,
}

/// Builds the canonical table from mapped text cells.
pub fn build(
    raw: &RawTable,
    mapping: &ColumnMapping,
    opts: &ImportOptions,
    team: Option<&[String]>,
) -> Built {
    let zone = opts.zone;
    let n = raw.rows();
    let col = |c: Canonical| mapping.get(c).map(|i| &raw.columns[i]);
    let cell = |c: Canonical, row: usize| col(c).and_then(|t| t.get(row));

    let ts_col = col(Canonical::Timestamp);
    let date_col = col(Canonical::Date);
    let time_col = col(Canonical::Time);
    let mut evidence = OrderEvidence::default();
    for row in 0..n {
        if let Some(v) = ts_col.or(date_col).and_then(|t| t.get(row)) {
            evidence.observe(v);
        }
    }
    let date_order = evidence.decide(opts.date_order);
    let order = date_order.map_or(DateOrder::DayFirst, |(o, _)| o);

    let mut closed_evidence = OrderEvidence::default();
    if let Some(c) = col(Canonical::ClosedAt) {
        for row in 0..n {
            if let Some(v) = c.get(row) {
                closed_evidence.observe(v);
            }
        }
    }
    let closed_order = closed_evidence
        .decide(opts.date_order)
        .map_or(DateOrder::DayFirst, |(o, _)| o);

    let team_lower: Option<Vec<String>> =
        team.map(|t| t.iter().map(|s| s.trim().to_lowercase()).collect());

    // Each row is read on its own (in parallel); the skips are then counted
    // in file order so the first lines reported are the first in the file.
    let read_row = |row: usize| -> Result<(i64, bool), SkipReason> {
        let joined;
        let ts_text = if let (Some(d), Some(t)) = (date_col, time_col) {
            let Some(d) = d.get(row) else {
                return Err(SkipReason::EmptyTimestamp);
            };
            joined = match t.get(row) {
                Some(t) => format!("{d} {t}"),
                None => d.to_string(),
            };
            joined.as_str()
        } else {
            ts_col
                .and_then(|t| t.get(row))
                .ok_or(SkipReason::EmptyTimestamp)?
        };
        let parsed = parse_timestamp(ts_text, order).ok_or(SkipReason::UnparseableTimestamp)?;
        cell(Canonical::ConversationId, row)
            .or_else(|| cell(Canonical::ContactId, row))
            .ok_or(SkipReason::MissingConversation)?;
        let dir = if mapping.has(Canonical::Direction) {
            cell(Canonical::Direction, row)
                .and_then(|v| parse_direction(v, mapping.direction_inverted))
        } else {
            match (&team_lower, cell(Canonical::Sender, row)) {
                (Some(team), Some(sender)) => Some(team.contains(&sender.to_lowercase())),
                _ => None,
            }
        };
        let dir = dir.ok_or(SkipReason::UnknownDirection)?;
        Ok((zone.resolve(parsed), dir))
    };
    let rows: Vec<Result<(i64, bool), SkipReason>> = (0..n).into_par_iter().map(read_row).collect();
    let mut skipped = Skipped::default();
    let mut keep: Vec<usize> = Vec::with_capacity(n);
    let mut timestamps: Vec<i64> = Vec::with_capacity(n);
    let mut outbound: Vec<bool> = Vec::with_capacity(n);
    for (row, r) in rows.into_iter().enumerate() {
        match r {
            Ok((ts, dir)) => {
                keep.push(row);
                timestamps.push(ts);
                outbound.push(dir);
            }
            Err(reason) => skipped.add(reason, raw.lines[row]),
        }
    }

    let mut columns: Vec<Column> = Vec::new();
    let ts = Int64Chunked::from_vec("timestamp".into(), timestamps)
        .into_datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC));
    columns.push(ts.into_series().into());
    columns.push(
        Int64Chunked::from_vec(
            "line".into(),
            keep.iter().map(|&r| raw.lines[r] as i64).collect(),
        )
        .into_series()
        .into(),
    );
    let text_col = |c: Canonical, name: &str| -> Column {
        let values: Vec<Option<&str>> = keep.iter().map(|&r| cell(c, r)).collect();
        Series::new(name.into(), values).into()
    };
    let conv: Vec<Option<&str>> = keep
        .iter()
        .map(|&r| cell(Canonical::ConversationId, r).or_else(|| cell(Canonical::ContactId, r)))
        .collect();
    columns.push(Series::new("conversation_id".into(), conv).into());
    let dir: Vec<&str> = outbound
        .iter()
        .map(|&o| if o { "outbound" } else { "inbound" })
        .collect();
    columns.push(Series::new("direction".into(), dir).into());
    let chat_type: Vec<&str> = keep
        .iter()
        .map(|&r| {
            let explicit = cell(Canonical::ChatType, r).and_then(parse_chat_type);
            let group = explicit.unwrap_or_else(|| cell(Canonical::GroupId, r).is_some());
            if group { "group" } else { "direct" }
        })
        .collect();
    columns.push(Series::new("chat_type".into(), chat_type).into());

    // Text columns are independent copies: build them side by side.
    let text_columns: Vec<Column> = [
        Canonical::Sender,
        Canonical::ContactId,
        Canonical::Agent,
        Canonical::Segment,
        Canonical::GroupId,
        Canonical::Outcome,
        Canonical::Text,
        Canonical::BroadcastId,
    ]
    .into_par_iter()
    .filter(|c| mapping.has(*c))
    .map(|c| text_col(c, c.name()))
    .collect();
    columns.extend(text_columns);
    if mapping.has(Canonical::Category) {
        let values: Vec<Option<&str>> = keep
            .iter()
            .map(|&r| cell(Canonical::Category, r).and_then(parse_category))
            .collect();
        columns.push(Series::new("category".into(), values).into());
    }
    if mapping.has(Canonical::Status) {
        let values: Vec<Option<String>> = keep
            .iter()
            .map(|&r| cell(Canonical::Status, r).map(str::to_lowercase))
            .collect();
        columns.push(Series::new("status".into(), values).into());
    }
    for (c, name) in [
        (Canonical::FollowupSeq, "followup_seq"),
        (Canonical::GroupMembers, "group_members"),
    ] {
        if mapping.has(c) {
            let values: Vec<Option<i64>> = keep
                .iter()
                .map(|&r| cell(c, r).and_then(parse_number).map(|f| f.round() as i64))
                .collect();
            columns.push(Series::new(name.into(), values).into());
        }
    }
    if mapping.has(Canonical::Value) {
        let values: Vec<Option<f64>> = keep
            .iter()
            .map(|&r| cell(Canonical::Value, r).and_then(parse_number))
            .collect();
        columns.push(Series::new("value".into(), values).into());
    }
    if mapping.has(Canonical::ClosedAt) {
        let values: Vec<Option<i64>> = keep
            .iter()
            .map(|&r| {
                cell(Canonical::ClosedAt, r)
                    .and_then(|v| parse_timestamp(v, closed_order))
                    .map(|p| zone.resolve(p))
            })
            .collect();
        let ca = Int64Chunked::from_iter_options("closed_at".into(), values.into_iter())
            .into_datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC));
        columns.push(ca.into_series().into());
    }
    if mapping.has(Canonical::Blocked) {
        let values: Vec<Option<bool>> = keep
            .iter()
            .map(|&r| cell(Canonical::Blocked, r).and_then(parse_bool))
            .collect();
        columns.push(Series::new("blocked".into(), values).into());
    }
    let df = DataFrame::new_infer_height(columns).unwrap_or_default();
    Built {
        df,
        skipped,
        date_order,
    }
}

/// Per-column first non-null cell, used in previews.
pub fn preview_rows(raw: &RawTable, rows: usize) -> Vec<Vec<String>> {
    (0..raw.rows().min(rows))
        .map(|r| {
            raw.columns
                .iter()
                .map(|c| c.get(r).unwrap_or("").to_string())
                .collect()
        })
        .collect()
}

pub fn skipped_map(s: &Skipped) -> BTreeMap<String, u64> {
    s.counts
        .iter()
        .map(|(k, (n, _))| (k.as_str().to_string(), *n))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_spellings() {
        for v in ["out", "Outbound", "OUTGOING", "sent", "true", "1", "yes"] {
            assert_eq!(parse_direction(v, false), Some(true), "{v}");
        }
        for v in ["in", "Inbound", "incoming", "Received", "false", "0", "no"] {
            assert_eq!(parse_direction(v, false), Some(false), "{v}");
        }
        // An `inbound` column has the opposite sense for booleans only.
        assert_eq!(parse_direction("True", true), Some(false));
        assert_eq!(parse_direction("False", true), Some(true));
        assert_eq!(parse_direction("outbound", true), Some(true));
        assert_eq!(parse_direction("maybe", false), None);
    }

    #[test]
    fn chat_type_and_category_spellings() {
        assert_eq!(parse_chat_type("1:1"), Some(false));
        assert_eq!(parse_chat_type("DM"), Some(false));
        assert_eq!(parse_chat_type("Private"), Some(false));
        assert_eq!(parse_chat_type("Community"), Some(true));
        assert_eq!(parse_chat_type("channel"), None);
        assert_eq!(parse_category("Initial Outreach"), Some("initial_outreach"));
        assert_eq!(parse_category("follow-up"), Some("follow_up"));
        assert_eq!(parse_category("Follow Up"), Some("follow_up"));
        assert_eq!(parse_category("REPLY"), Some("reply"));
        assert_eq!(parse_category("broadcast"), Some("broadcast"));
        assert_eq!(parse_category("other"), None);
    }

    #[test]
    fn numbers_as_typed() {
        assert_eq!(parse_number("1234.5"), Some(1234.5));
        assert_eq!(parse_number("1,234.50"), Some(1234.5));
        assert_eq!(parse_number("1.234,50"), Some(1234.5));
        assert_eq!(parse_number("$99"), Some(99.0));
        assert_eq!(parse_number("12,5"), Some(12.5));
        assert_eq!(parse_number("1,000"), Some(1000.0));
        assert_eq!(parse_number("n/a"), None);
    }
}
