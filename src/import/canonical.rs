//! Turns mapped text cells into the canonical message table: typed columns,
//! values in their canonical spellings, and every skipped row counted.

use std::collections::BTreeMap;

use polars::prelude::*;
use rayon::prelude::*;

use super::mapping::{Canonical, ColumnMapping};
use super::raw::{NOT_READ, RawTable, TextColumn, par_str_column, stretch_len};
use super::timestamp::{DateOrder, OrderEvidence, OrderSource};
use super::{ImportOptions, SkipReason, Skipped};

/// The column of each message text's [`crate::dictionary::text_hash`] (zero
/// for none), in place of `text` when the import keeps no text.
pub const TEXT_HASH: &str = "text_hash";

/// Replaces a table's `text` column by its hashes, and leaves out its
/// `line` column, for an import that keeps no source detail from a reader
/// that built the whole table.
pub fn leave_out_source_detail(table: &mut DataFrame) {
    let _ = table.drop_in_place("line");
    let Some(hashes) = table
        .column("text")
        .ok()
        .and_then(|c| c.str().ok())
        .map(|texts| crate::dictionary::text_hashes(texts, &|_| true))
    else {
        return;
    };
    let hashes = UInt64Chunked::from_vec(TEXT_HASH.into(), hashes).into_column();
    // The column exists, and the hashes are as long as it.
    let _ = table.drop_in_place("text");
    let _ = table.with_column(hashes);
}

/// Whether every cell of a column is one of `spellings`, exactly (no
/// missing cell, no other case). Read from the column's distinct values: a
/// column of many values is not spelled as a few.
fn spelled_as(column: Option<&TextColumn>, spellings: &[&str]) -> bool {
    column.is_some_and(|c| {
        c.null_count() == 0
            && c.few_values()
                .is_some_and(|values| values.iter().all(|(v, _)| spellings.contains(v)))
    })
}

/// Each row's conversation in a log threaded by replies: the id of the
/// first message of its chain within the file, or, when that message
/// answers one the file does not hold, the id it answers, which its
/// siblings share. A chain that loops is headed by the loop's first row in
/// the file. A row with neither an id nor a reply has none.
pub fn reply_threads(ids: &TextColumn, replies: &TextColumn) -> TextColumn {
    const NONE: u32 = crate::dictionary::NONE;
    const WALKING: u32 = NONE - 1;
    // Ids and replies coded together, so that a reply's code is the code of
    // the id it names.
    let n = ids.len().min(replies.len());
    let mut both = ids.cells().slice(0, n);
    if both.append(&replies.cells().slice(0, n)).is_err() {
        return TextColumn::from_fn(n, |_| None::<&str>);
    }
    let dictionary = crate::dictionary::encode(&both);
    let (id_codes, reply_codes) = dictionary.codes.split_at(n);
    // The first row holding each id.
    let mut row_of = vec![NONE; dictionary.values.len()];
    for (r, &code) in id_codes.iter().enumerate().rev() {
        if code != NONE {
            row_of[code as usize] = r as u32;
        }
    }
    // Each row's parent row, and whether it answers an id the file does not
    // hold.
    let (parent, answers_outside): (Vec<u32>, Vec<bool>) = reply_codes
        .par_iter()
        .enumerate()
        .map(|(r, &code)| match code {
            NONE => (NONE, false),
            code => match row_of[code as usize] {
                NONE => (NONE, true),
                p if p as usize == r => (NONE, false),
                p => (p, false),
            },
        })
        .unzip();
    // The row heading each row's chain.
    let mut head = vec![NONE; n];
    let mut path = Vec::new();
    for r in 0..n {
        let mut at = r as u32;
        let found = loop {
            match head[at as usize] {
                // A loop: headed by its first row in the file, wherever
                // the walk entered it.
                WALKING => {
                    let entered = path.iter().rposition(|&p| p == at).unwrap_or(0);
                    break path[entered..].iter().copied().min().unwrap_or(at);
                }
                NONE => {}
                known => break known,
            }
            head[at as usize] = WALKING;
            path.push(at);
            match parent[at as usize] {
                NONE => break at,
                p => at = p,
            }
        };
        for p in path.drain(..) {
            head[p as usize] = found;
        }
    }
    TextColumn::from_fn(n, |r| {
        let h = head[r] as usize;
        let code = if answers_outside[h] {
            reply_codes[h]
        } else {
            id_codes[h]
        };
        dictionary
            .values
            .get(code as usize)
            .map(crate::dictionary::Value::as_str)
    })
}

/// Canonical spelling of a direction cell; `None` when unrecognised.
pub fn parse_direction(v: &str, inverted: bool) -> Option<bool> {
    // The canonical spellings are by far the most common: no allocation.
    // Words are not inverted, only booleans are.
    if v.eq_ignore_ascii_case("outbound") {
        return Some(true);
    }
    if v.eq_ignore_ascii_case("inbound") {
        return Some(false);
    }
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
    // The canonical spellings are by far the most common: no allocation.
    if v.eq_ignore_ascii_case("direct") {
        return Some(false);
    }
    if v.eq_ignore_ascii_case("group") {
        return Some(true);
    }
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
    if let Some(c) = ["initial_outreach", "follow_up", "reply", "broadcast"]
        .into_iter()
        .find(|c| v.eq_ignore_ascii_case(c))
    {
        return Some(c);
    }
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
    // A plain number needs no cleaning; Rust also reads `inf` and `NaN`,
    // which are not figures.
    if let Ok(f) = v.parse::<f64>() {
        return f.is_finite().then_some(f);
    }
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

/// One output column's construction; `None` when the column is absent.
type Job<'a> = Box<dyn Fn() -> Option<Column> + Send + Sync + 'a>;

pub struct Built {
    pub df: DataFrame,
    pub skipped: Skipped,
    pub date_order: Option<(DateOrder, OrderSource)>,
    /// `closed_at`'s own order: its slash dates are told apart separately.
    pub closed_order: Option<(DateOrder, OrderSource)>,
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
    let date_order = ts_col
        .or(date_col)
        .map(OrderEvidence::of_column)
        .unwrap_or_default()
        .decide(opts.date_order);
    let order = date_order.map_or(DateOrder::DayFirst, |(o, _)| o);
    let closed_decided = col(Canonical::ClosedAt)
        .map(OrderEvidence::of_column)
        .unwrap_or_default()
        .decide(opts.date_order);
    let closed_order = closed_decided.map_or(DateOrder::DayFirst, |(o, _)| o);

    let team_lower: Option<Vec<String>> =
        team.map(|t| t.iter().map(|s| s.trim().to_lowercase()).collect());
    let outbound_values: Option<Vec<String>> = opts
        .outbound_values
        .as_ref()
        .map(|v| v.iter().map(|s| s.trim().to_lowercase()).collect());

    // A timestamp cell the importer did not read while splitting the file.
    let text_instant = |row: usize| -> Result<i64, SkipReason> {
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
        zone.instant_of(ts_text, order)
            .ok_or(SkipReason::UnparseableTimestamp)
    };
    // Rows are read in parallel stretches straight into the timestamp and
    // direction vectors, the cell that decides the direction read in order
    // (by row it cost a lookup of its column's chunk each time); when rows
    // are skipped, they are counted in file order so the first lines
    // reported are the first in the file.
    let ts_instants = mapping
        .get(Canonical::Timestamp)
        .and_then(|c| raw.instants.get(&c));
    // The conversation column when the file has one, else one conversation
    // per contact (METRICS.md §1): an empty cell of whichever it is skips
    // the row, rather than borrowing the other column's id.
    let conversation = if mapping.has(Canonical::ConversationId) {
        Canonical::ConversationId
    } else {
        Canonical::ContactId
    };
    // Without either, the chains of replies make the conversations.
    let threads = match (col(Canonical::MessageId), col(Canonical::ReplyTo)) {
        (Some(ids), Some(replies)) if col(conversation).is_none() => {
            Some(reply_threads(ids, replies))
        }
        _ => None,
    };
    let conversation_column = threads.as_ref().or(col(conversation));
    let conversation_cell = |row: usize| conversation_column.and_then(|c| c.get(row));
    // A conversation column without a missing cell needs no check per row.
    let every_row_has_conversation = conversation_column.is_some_and(|c| c.null_count() == 0);
    // The direction, or the sender when the team decides it.
    let by_team = !mapping.has(Canonical::Direction);
    let deciding = col(if by_team {
        Canonical::Sender
    } else {
        Canonical::Direction
    });
    let direction_of = |deciding: Option<&str>| -> Option<bool> {
        if by_team {
            match (&team_lower, deciding) {
                (Some(team), Some(sender)) => Some(team.contains(&sender.to_lowercase())),
                _ => None,
            }
        } else if let Some(outbound) = &outbound_values {
            deciding.map(|v| outbound.contains(&v.to_lowercase()))
        } else {
            deciding.and_then(|v| parse_direction(v, mapping.direction_inverted))
        }
    };
    let read_row = |row: usize, dir: Option<bool>| -> Result<(i64, bool), SkipReason> {
        let read = ts_instants.map_or(NOT_READ, |instants| instants[row]);
        let instant = if read == NOT_READ {
            text_instant(row)?
        } else {
            read
        };
        if !every_row_has_conversation {
            conversation_cell(row).ok_or(SkipReason::MissingConversation)?;
        }
        let dir = dir.ok_or(SkipReason::UnknownDirection)?;
        Ok((instant, dir))
    };
    let step = stretch_len(n);
    let mut timestamps: Vec<i64> = vec![0; n];
    let mut status: Vec<Result<bool, SkipReason>> = vec![Ok(false); n];
    timestamps
        .par_chunks_mut(step)
        .zip(status.par_chunks_mut(step))
        .enumerate()
        .for_each(|(k, (ts_out, status_out))| {
            let from = k * step;
            let len = ts_out.len();
            let mut write = |i: usize, dir: Option<bool>| match read_row(from + i, dir) {
                Ok((instant, outbound)) => {
                    ts_out[i] = instant;
                    status_out[i] = Ok(outbound);
                }
                Err(reason) => status_out[i] = Err(reason),
            };
            match deciding {
                Some(c) => c.each_in(from, len, direction_of, |row, dir| write(row - from, dir)),
                None => (0..len).for_each(|i| write(i, direction_of(None))),
            }
        });
    // The column a skip reason read, as the file names it, and its cell.
    let example = |reason: SkipReason, row: usize| {
        let header = |c: Canonical| {
            mapping
                .get(c)
                .and_then(|i| raw.headers.get(i))
                .cloned()
                .unwrap_or_default()
        };
        let value = |c: Canonical| cell(c, row).unwrap_or("").to_string();
        let (column, value) = match reason {
            SkipReason::EmptyTimestamp | SkipReason::UnparseableTimestamp => {
                if date_col.is_some() && time_col.is_some() {
                    (
                        format!("{} + {}", header(Canonical::Date), header(Canonical::Time)),
                        format!("{} {}", value(Canonical::Date), value(Canonical::Time)),
                    )
                } else {
                    (header(Canonical::Timestamp), value(Canonical::Timestamp))
                }
            }
            SkipReason::MissingConversation if threads.is_some() => (
                format!(
                    "{} + {}",
                    header(Canonical::MessageId),
                    header(Canonical::ReplyTo)
                ),
                String::new(),
            ),
            SkipReason::MissingConversation => (header(conversation), value(conversation)),
            SkipReason::UnknownDirection => {
                let c = if by_team {
                    Canonical::Sender
                } else {
                    Canonical::Direction
                };
                (header(c), value(c))
            }
        };
        super::SkipExample {
            line: raw.lines[row],
            column,
            value: value.trim().to_string(),
        }
    };
    let mut skipped = Skipped::default();
    let all_kept = status.par_iter().all(Result::is_ok);
    // The kept rows are listed only when some were skipped.
    let (keep, timestamps, outbound): (Vec<usize>, Vec<i64>, Vec<bool>) = if all_kept {
        let outbound = status.par_iter().map(|s| *s == Ok(true)).collect();
        (Vec::new(), timestamps, outbound)
    } else {
        let mut keep = Vec::with_capacity(n);
        let mut kept_timestamps = Vec::with_capacity(n);
        let mut outbound = Vec::with_capacity(n);
        for (row, (s, &ts)) in status.iter().zip(&timestamps).enumerate() {
            match *s {
                Ok(dir) => {
                    keep.push(row);
                    kept_timestamps.push(ts);
                    outbound.push(dir);
                }
                Err(reason) => {
                    skipped.add(reason, raw.lines[row]);
                    skipped
                        .examples
                        .entry(reason)
                        .or_insert_with(|| example(reason, row));
                }
            }
        }
        (keep, kept_timestamps, outbound)
    };
    drop(status);
    let kept_len = timestamps.len();
    // Made from the vector itself, not a copy.
    let timestamp: Column = Int64Chunked::from_vec("timestamp".into(), timestamps)
        .into_datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))
        .into_series()
        .into();

    let row_of = |k: usize| if all_kept { k } else { keep[k] };
    let keep_idx: Option<IdxCa> = (!all_kept).then(|| {
        IdxCa::from_vec(
            PlSmallStr::EMPTY,
            keep.iter().map(|&r| r as IdxSize).collect(),
        )
    });
    let kept = keep_idx.as_ref();
    // A text column that needs no change is shared with the raw table;
    // only the kept rows are taken when some were skipped.
    let pass_through = |c: Canonical, name: &str| -> Option<Column> {
        let raw_col = col(c)?;
        let series = raw_col.to_series(name);
        Some(match kept {
            None => series.into(),
            Some(idx) => series.take(idx).ok()?.into(),
        })
    };
    let mut jobs: Vec<Job> = vec![
        Box::new(|| {
            if !opts.keep_source_detail {
                return None;
            }
            let lines = (0..kept_len)
                .into_par_iter()
                .map(|k| raw.lines[row_of(k)] as i64)
                .collect();
            Some(
                Int64Chunked::from_vec("line".into(), lines)
                    .into_series()
                    .into(),
            )
        }),
        Box::new(|| {
            let series = conversation_column?.to_series("conversation_id");
            Some(match kept {
                None => series.into(),
                Some(idx) => series.take(idx).ok()?.into(),
            })
        }),
        Box::new(|| {
            // A column already in canonical spelling is shared as it is.
            if opts.outbound_values.is_none()
                && spelled_as(col(Canonical::Direction), &["outbound", "inbound"])
            {
                return pass_through(Canonical::Direction, "direction");
            }
            let dir = par_str_column("direction", outbound.len(), |k| {
                Some(if outbound[k] { "outbound" } else { "inbound" })
            });
            Some(dir.into())
        }),
        Box::new(|| {
            if spelled_as(col(Canonical::ChatType), &["direct", "group"]) {
                return pass_through(Canonical::ChatType, "chat_type");
            }
            let chat_type = par_str_column("chat_type", kept_len, |k| {
                let r = row_of(k);
                let explicit = cell(Canonical::ChatType, r).and_then(parse_chat_type);
                let group = explicit.unwrap_or_else(|| cell(Canonical::GroupId, r).is_some());
                Some(if group { "group" } else { "direct" })
            });
            Some(chat_type.into())
        }),
    ];
    for c in [
        Canonical::Sender,
        Canonical::ContactId,
        Canonical::Agent,
        Canonical::Segment,
        Canonical::GroupId,
        Canonical::Outcome,
        Canonical::BroadcastId,
    ] {
        jobs.push(Box::new(move || pass_through(c, c.name())));
    }
    jobs.push(Box::new(|| {
        mapping.has(Canonical::Category).then(|| {
            kept_rows(kept_len, &row_of, "category", |r| {
                cell(Canonical::Category, r).and_then(parse_category)
            })
        })
    }));
    jobs.push(Box::new(|| {
        let status = col(Canonical::Status)?;
        let upper = |s: &str| s.chars().any(char::is_uppercase);
        let has_upper = match status.few_values() {
            Some(values) => values.iter().any(|(v, _)| upper(v)),
            None => status.cells().par_iter().flatten().any(upper),
        };
        if !has_upper {
            return pass_through(Canonical::Status, "status");
        }
        let values = par_str_column("status", kept_len, |k| {
            cell(Canonical::Status, row_of(k)).map(str::to_lowercase)
        });
        Some(values.into())
    }));
    // A column the importer read while splitting the file, for the kept
    // rows.
    let typed = |c: Canonical| -> Option<Series> {
        let series = raw.typed.get(&mapping.get(c)?)?;
        Some(match kept {
            Some(idx) => series.take(idx).ok()?,
            None => series.clone(),
        })
    };
    // Texts read as their hashes while splitting are kept only so.
    jobs.push(Box::new(|| match typed(Canonical::Text) {
        Some(hashes) => Some(hashes.with_name(TEXT_HASH.into()).into()),
        None => pass_through(Canonical::Text, Canonical::Text.name()),
    }));
    for (c, name) in [
        (Canonical::FollowupSeq, "followup_seq"),
        (Canonical::GroupMembers, "group_members"),
    ] {
        jobs.push(Box::new(move || {
            let text = col(c)?;
            let values = typed(c).unwrap_or_else(|| {
                parse_kept::<_, Int64Chunked>(text, kept, |v| {
                    parse_number(v).map(|f| f.round() as i64)
                })
            });
            Some(values.with_name(name.into()).into())
        }));
    }
    jobs.push(Box::new(|| {
        let text = col(Canonical::Value)?;
        let values = typed(Canonical::Value)
            .unwrap_or_else(|| parse_kept::<_, Float64Chunked>(text, kept, parse_number));
        Some(values.with_name("value".into()).into())
    }));
    jobs.push(Box::new(|| {
        let text = col(Canonical::ClosedAt)?;
        let read = raw.instants.get(&mapping.get(Canonical::ClosedAt)?);
        let values = match read {
            Some(instants) => {
                with_text_instants(instants, text, kept, |v| zone.instant_of(v, closed_order))
            }
            None => parse_kept::<_, Int64Chunked>(text, kept, |v| zone.instant_of(v, closed_order)),
        };
        let dt = values
            .cast(&DataType::Datetime(
                TimeUnit::Milliseconds,
                Some(TimeZone::UTC),
            ))
            .ok()?;
        Some(dt.with_name("closed_at".into()).into())
    }));
    jobs.push(Box::new(|| {
        let text = col(Canonical::Blocked)?;
        let values = typed(Canonical::Blocked)
            .unwrap_or_else(|| parse_kept::<_, BooleanChunked>(text, kept, parse_bool));
        Some(values.with_name("blocked".into()).into())
    }));
    // Columns are independent: build them side by side, in table order.
    let mut columns: Vec<Column> = vec![timestamp];
    columns.par_extend(jobs.into_par_iter().filter_map(|job| job()));
    let df = DataFrame::new_infer_height(columns).unwrap_or_default();
    Built {
        df,
        skipped,
        date_order,
        closed_order: closed_decided,
    }
}

/// A column's cells parsed by `parse`, for the kept rows (`None` when all
/// rows are kept). The column is read in order, one stretch per task, each
/// building its own array chunk: indexing cells by row and collecting
/// options first both cost more than the parsing on mostly empty columns.
fn parse_kept<N: Send, A>(
    column: &TextColumn,
    kept: Option<&IdxCa>,
    parse: impl Fn(&str) -> Option<N> + Sync,
) -> Series
where
    A: FromIterator<Option<N>> + IntoSeries + Send,
{
    let parts: Vec<Series> = column
        .stretches()
        .into_par_iter()
        .map(|part| {
            part.iter()
                .map(|v| v.and_then(&parse))
                .collect::<A>()
                .into_series()
        })
        .collect();
    let mut parts = parts.into_iter();
    let Some(mut all) = parts.next() else {
        return std::iter::empty::<Option<N>>().collect::<A>().into_series();
    };
    for part in parts {
        // Parts of one column share its type, so appending cannot fail.
        let _ = all.append(&part);
    }
    match kept {
        Some(idx) => all.take(idx).unwrap_or(all),
        None => all,
    }
}

/// Instants of a column partly read while splitting (see
/// [`NOT_READ`]), the other cells' text read by `parse`, for the kept rows.
fn with_text_instants(
    instants: &[i64],
    text: &TextColumn,
    kept: Option<&IdxCa>,
    parse: impl Fn(&str) -> Option<i64> + Sync,
) -> Series {
    // Every cell was read, or blank: the text column holds nothing.
    let no_text = text.cells().null_count() == text.len();
    let n = instants.len();
    let step = stretch_len(n);
    let parts: Vec<Int64Chunked> = (0..n)
        .step_by(step)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|from| {
            (from..(from + step).min(n))
                .map(|row| match instants[row] {
                    NOT_READ if no_text => None,
                    NOT_READ => text.get(row).and_then(&parse),
                    instant => Some(instant),
                })
                .collect()
        })
        .collect();
    let mut all = Int64Chunked::full_null(PlSmallStr::EMPTY, 0);
    for part in &parts {
        // Parts of one column share its type, so appending cannot fail.
        let _ = all.append(part);
    }
    let all = all.into_series();
    match kept {
        Some(idx) => all.take(idx).unwrap_or(all),
        None => all,
    }
}

/// A text column of the `len` kept rows (the `k`th is table row
/// `row_of(k)`), each cell given by `cell`.
fn kept_rows<'a>(
    len: usize,
    row_of: &(impl Fn(usize) -> usize + Sync),
    name: &str,
    cell: impl Fn(usize) -> Option<&'a str> + Sync,
) -> Column {
    par_str_column(name, len, |k| cell(row_of(k))).into()
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

    fn text_column(cells: &[Option<&str>]) -> TextColumn {
        let mut b = super::super::raw::TextColumnBuilder::with_capacity(cells.len());
        for &c in cells {
            b.push(c);
        }
        b.finish()
    }

    #[test]
    fn reply_chains_are_headed_by_their_first_message() {
        let ids = text_column(&[
            Some("a"),
            Some("b"),
            Some("c"),
            Some("d"),
            Some("e"),
            Some("f"),
            Some("g"),
            None,
            None,
            Some("h"),
            Some("k"),
            Some("m"),
            Some("l"),
        ]);
        let replies = text_column(&[
            Some("b"), // a answers b, which answers nothing: b heads them
            None,
            Some("a"), // c answers a: also b's chain
            Some("x"), // d and e answer x, not in the file: x
            Some("x"),
            Some("g"), // f and g answer each other: f is the loop's first row
            Some("f"),
            Some("h"), // no id of its own, answers h, which answers itself
            None,      // neither an id nor a reply: no conversation
            Some("h"),
            Some("l"), // k answers l, which loops with m: m comes first in the file
            Some("l"),
            Some("m"),
        ]);
        let threads = reply_threads(&ids, &replies);
        let got: Vec<Option<&str>> = (0..13).map(|r| threads.get(r)).collect();
        assert_eq!(
            got,
            [
                Some("b"),
                Some("b"),
                Some("b"),
                Some("x"),
                Some("x"),
                Some("f"),
                Some("f"),
                Some("h"),
                None,
                Some("h"),
                Some("m"),
                Some("m"),
                Some("m"),
            ]
        );
    }

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
