//! JSON message logs: an array of message objects, NDJSON (one object a
//! line), or a document that holds its messages in a list or in an object
//! of conversations.

use polars::prelude::*;
use rayon::prelude::*;

use super::raw::{RawTable, TextColumn, TextColumnBuilder};

/// Reads a JSON array of objects, or NDJSON (one object per line).
pub fn read_json(text: &str) -> Result<(RawTable, &'static str), String> {
    // A large NDJSON file is read on every core; an array, and a file of
    // one object, in one pass.
    if text.len() >= 1 << 20
        && !text.trim_start().starts_with('[')
        && let Some(table) = read_ndjson_in_parallel(text)?
    {
        return Ok((table, "ndjson"));
    }
    read_json_in_one_pass(text)
}

/// Reads a JSON array of objects, or NDJSON, in one pass, each object
/// turned into a row as it is parsed.
fn read_json_in_one_pass(text: &str) -> Result<(RawTable, &'static str), String> {
    let mut rows = JsonRows::default();
    let format = if text.trim_start().starts_with('[') {
        let mut first_bad = None;
        let mut de = serde_json::Deserializer::from_str(text);
        serde::Deserializer::deserialize_seq(
            &mut de,
            ArrayRows {
                rows: &mut rows,
                first_bad: &mut first_bad,
            },
        )
        .and_then(|()| de.end())
        .map_err(|e| {
            format!(
                "line {}, column {}: invalid JSON: {e}",
                e.line(),
                e.column()
            )
        })?;
        if let Some((item, kind)) = first_bad {
            return Err(format!(
                "item {item} of the array is {kind}, expected an object with one message"
            ));
        }
        "json"
    } else {
        // Whether the first object holds only objects: alone in the file,
        // it is one object of nested ones, not a log.
        let mut first_nested = false;
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let v: serde_json::Value = serde_json::from_str(line)
                .map_err(|e| format!("line {}, column {}: invalid JSON: {e}", i + 1, e.column()))?;
            match v {
                serde_json::Value::Object(m) => {
                    if rows.lines.is_empty() {
                        first_nested = m.values().all(serde_json::Value::is_object);
                    }
                    rows.add(&m, i as u64 + 1);
                }
                other => {
                    return Err(format!(
                        "line {}: found {}, expected one JSON object per line (NDJSON) or an array of objects",
                        i + 1,
                        json_kind(&other)
                    ));
                }
            }
        }
        if rows.lines.len() == 1 && first_nested {
            return Err(
                "expected an array of message objects or NDJSON; found one object of nested objects"
                    .into(),
            );
        }
        "ndjson"
    };
    Ok((rows.into_table(), format))
}

/// Rows of JSON objects as text columns, in the order their keys first
/// appear.
#[derive(Default)]
struct JsonRows {
    headers: Vec<String>,
    known: PlHashSet<String>,
    columns: Vec<TextColumnBuilder>,
    lines: Vec<u64>,
}

impl JsonRows {
    fn add(&mut self, m: &serde_json::Map<String, serde_json::Value>, line: u64) {
        let rows = self.lines.len();
        for k in m.keys() {
            if !self.known.contains(k) {
                self.known.insert(k.clone());
                self.headers.push(k.clone());
                self.columns.push(TextColumnBuilder::missing(rows));
            }
        }
        for (column, name) in self.columns.iter_mut().zip(&self.headers) {
            let cell = m.get(name).and_then(json_cell);
            column.push(cell.as_deref());
        }
        self.lines.push(line);
    }

    fn into_table(self) -> RawTable {
        RawTable {
            columns: self
                .columns
                .into_iter()
                .map(TextColumnBuilder::finish)
                .collect(),
            headers: self.headers,
            lines: self.lines,
            ..RawTable::default()
        }
    }
}

/// A JSON array's items, each object added as a row as soon as it is
/// parsed (the array is never held whole). The first item that is not an
/// object is noted, and the rest still parsed, so that a syntax error
/// anywhere is reported first, as a whole-file parse reports it.
struct ArrayRows<'r> {
    rows: &'r mut JsonRows,
    first_bad: &'r mut Option<(u64, &'static str)>,
}

impl<'de> serde::de::Visitor<'de> for ArrayRows<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON array of objects")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut item = 0u64;
        while let Some(value) = seq.next_element::<serde_json::Value>()? {
            item += 1;
            if self.first_bad.is_some() {
                continue;
            }
            match value {
                serde_json::Value::Object(m) => self.rows.add(&m, item),
                other => *self.first_bad = Some((item, json_kind(&other))),
            }
        }
        Ok(())
    }
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// One stretch of an NDJSON file, read on its own core.
#[derive(Default)]
struct NdjsonPart {
    /// Its rows, each with its line counted from the stretch's first (0).
    rows: JsonRows,
    /// Line breaks in the stretch.
    newlines: u64,
    /// The first line that is not an object, and what is wrong with it:
    /// its line in the stretch, and the message with `{line}` for the
    /// file's line number.
    error: Option<(u64, String)>,
}

/// The lines of `text` in stretches of whole lines, one object a line.
fn ndjson_part(text: &str) -> NdjsonPart {
    let mut part = NdjsonPart {
        newlines: memchr::memchr_iter(b'\n', text.as_bytes()).count() as u64,
        ..NdjsonPart::default()
    };
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match serde_json::from_str::<serde_json::Value>(line) {
            Ok(serde_json::Value::Object(m)) => part.rows.add(&m, i as u64),
            Ok(other) => {
                let kind = json_kind(&other);
                part.error = Some((
                    i as u64,
                    format!(
                        "line {{line}}: found {kind}, expected one JSON object per line (NDJSON) or an array of objects"
                    ),
                ));
                return part;
            }
            Err(e) => {
                let column = e.column();
                part.error = Some((
                    i as u64,
                    format!("line {{line}}, column {column}: invalid JSON: {e}"),
                ));
                return part;
            }
        }
    }
    part
}

/// A large NDJSON file read in stretches of whole lines on every core;
/// columns in the order their keys first appear, as one pass gives them.
/// `None` when it holds a single object, which the one-pass reader judges.
fn read_ndjson_in_parallel(text: &str) -> Result<Option<RawTable>, String> {
    let pieces = rayon::current_num_threads() * 4;
    let bytes = text.as_bytes();
    // Stretches end just after a line break near each equal share.
    let mut bounds = vec![0usize];
    for k in 1..pieces {
        let from = (bytes.len() * k / pieces).max(bounds[bounds.len() - 1]);
        if let Some(p) = memchr::memchr(b'\n', &bytes[from..]) {
            let end = from + p + 1;
            if end < bytes.len() {
                bounds.push(end);
            }
        }
    }
    bounds.dedup();
    bounds.push(bytes.len());
    let parts: Vec<NdjsonPart> = bounds
        .par_windows(2)
        .map(|w| ndjson_part(&text[w[0]..w[1]]))
        .collect();
    let mut first_line = 1u64;
    let mut starts = Vec::with_capacity(parts.len());
    for part in &parts {
        starts.push(first_line);
        first_line += part.newlines;
    }
    for (part, start) in parts.iter().zip(&starts) {
        if let Some((line, message)) = &part.error {
            return Err(message.replace("{line}", &(start + line).to_string()));
        }
    }
    let rows: usize = parts.iter().map(|p| p.rows.lines.len()).sum();
    if rows == 1 {
        return Ok(None);
    }
    let mut headers: Vec<String> = Vec::new();
    for part in &parts {
        for h in &part.rows.headers {
            if !headers.contains(h) {
                headers.push(h.clone());
            }
        }
    }
    let mut lines = Vec::with_capacity(rows);
    let mut stretches: Vec<Vec<TextColumn>> = headers.iter().map(|_| Vec::new()).collect();
    for (part, start) in parts.into_iter().zip(starts) {
        let JsonRows {
            headers: names,
            columns,
            lines: own_lines,
            ..
        } = part.rows;
        lines.extend(own_lines.iter().map(|l| start + l));
        let len = own_lines.len();
        let mut own: Vec<Option<TextColumn>> = headers.iter().map(|_| None).collect();
        for (name, column) in names.iter().zip(columns) {
            if let Some(k) = headers.iter().position(|h| h == name) {
                own[k] = Some(column.finish());
            }
        }
        for (k, column) in own.into_iter().enumerate() {
            stretches[k].push(column.unwrap_or_else(|| TextColumnBuilder::missing(len).finish()));
        }
    }
    Ok(Some(RawTable {
        columns: stretches.into_iter().map(TextColumn::concat).collect(),
        headers,
        lines,
        ..RawTable::default()
    }))
}

fn json_cell(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::raw::trim;

    type Cells = (Vec<String>, Vec<u64>, Vec<Vec<Option<String>>>);

    fn table_cells(t: &RawTable) -> Cells {
        let cells = t
            .columns
            .iter()
            .map(|c| {
                (0..t.rows())
                    .map(|r| c.get(r).map(str::to_string))
                    .collect()
            })
            .collect();
        (t.headers.clone(), t.lines.clone(), cells)
    }

    #[test]
    fn json_arrays_read_item_by_item_as_a_whole_parse_reads_them() {
        // What parsing the whole array first gives: its items' cells in
        // the order keys first appear, or the first error.
        let whole = |text: &str| -> Result<Cells, String> {
            let v: serde_json::Value = serde_json::from_str(text).map_err(|e| {
                format!(
                    "line {}, column {}: invalid JSON: {e}",
                    e.line(),
                    e.column()
                )
            })?;
            let serde_json::Value::Array(items) = v else {
                unreachable!()
            };
            let mut headers: Vec<String> = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let serde_json::Value::Object(m) = item else {
                    return Err(format!(
                        "item {} of the array is {}, expected an object with one message",
                        i + 1,
                        json_kind(item)
                    ));
                };
                for k in m.keys() {
                    if !headers.contains(k) {
                        headers.push(k.clone());
                    }
                }
            }
            let cells = headers
                .iter()
                .map(|h| {
                    items
                        .iter()
                        .map(|item| {
                            item.get(h)
                                .and_then(json_cell)
                                .map(|c| trim(&c).to_string())
                                .filter(|c| !c.is_empty())
                        })
                        .collect()
                })
                .collect();
            Ok((headers, (1..=items.len() as u64).collect(), cells))
        };
        for text in [
            r#"[{"ts": "2024-01-01 09:00", "chat": "a", "dir": "out"},
                {"ts": "2024-01-01 09:05", "chat": "a", "dir": null, "late": 1.5},
                {"chat": " b ", "nested": {"x": [1, 2]}, "flag": true, "blank": ""}]"#,
            "[]",
            r#"[{"a": 1}, 5, {"a": 2}]"#,
            r#"[{"a": 1}, 5, {"a": }]"#,
            r#"[{"a": 1}] x"#,
            r#"[{"a": 1},]"#,
            r#"[{"a": 1}, "#,
        ] {
            let streamed = read_json(text).map(|(t, format)| {
                assert_eq!(format, "json");
                table_cells(&t)
            });
            assert_eq!(streamed, whole(text), "{text}");
        }
    }

    #[test]
    fn ndjson_read_in_stretches_is_read_as_in_one_pass() {
        use std::fmt::Write;
        // Over a megabyte, with blank lines, CRLF line ends, nulls, nested
        // values, and keys that first appear late in the file.
        let mut text = String::new();
        for i in 0..30_000 {
            let late = if i > 25_000 {
                format!(",\"late\": {i}")
            } else {
                String::new()
            };
            let end = if i % 3 == 0 { "\r\n" } else { "\n" };
            let _ = write!(
                text,
                "{{\"ts\": \"2024-01-01 09:{:02}\", \"chat\": \"c{}\", \"dir\": {}, \"meta\": {{\"n\": {i}}}, \"note\": \"  padded  \"{late}}}{end}",
                i % 60,
                i % 97,
                if i % 5 == 0 {
                    "null".to_string()
                } else {
                    "\"out\"".to_string()
                },
            );
            if i % 1_000 == 0 {
                text.push('\n');
            }
        }
        assert!(text.len() > 1 << 20);
        let (parallel, format) = read_json(&text).unwrap();
        let (one_pass, _) = read_json_in_one_pass(&text).unwrap();
        assert_eq!(format, "ndjson");
        assert_eq!(table_cells(&parallel), table_cells(&one_pass));
        assert!(parallel.headers.contains(&"late".to_string()));
        // The first bad line is named as one pass names it, wherever the
        // stretches fall.
        for (at, bad) in [(29_000, "{\"chat\": oops}"), (21_000, "[1, 2]"), (7, "{")] {
            let mut lines: Vec<&str> = text.split('\n').collect();
            lines[at] = bad;
            let broken = lines.join("\n");
            let expected = read_json_in_one_pass(&broken).err().unwrap();
            assert_eq!(read_json(&broken).err(), Some(expected));
        }
    }
}
