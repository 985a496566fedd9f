//! JSON message logs: an array of message objects, NDJSON (one object a
//! line), or a document that holds its messages in a list or in an object
//! of conversations.

use polars::prelude::*;
use rayon::prelude::*;
use serde_json::value::RawValue;

use super::mapping::{Canonical, map_headers};
use super::raw::{RawTable, TextColumn, TextColumnBuilder};

/// Reads a JSON document (see [`read_document`]) or NDJSON (one object a
/// line).
pub fn read_json(text: &str) -> Result<(RawTable, &'static str), String> {
    let body = text.trim_start();
    if body.starts_with('[') || !is_ndjson(body) {
        return read_document(text).map(|table| (table, "json"));
    }
    // A large file is read on every core.
    if text.len() >= 1 << 20 {
        return read_ndjson_in_parallel(text).map(|table| (table, "ndjson"));
    }
    read_ndjson(text).map(|table| (table, "ndjson"))
}

/// Whether text starting with `{` holds one object a line: its first line
/// is a whole object and more text follows. A pretty-printed document's
/// first line is not a whole object; a document on one line is read as a
/// document, which may hold a list of messages.
fn is_ndjson(body: &str) -> bool {
    let (first, rest) = body.split_once('\n').unwrap_or((body, ""));
    !rest.trim().is_empty() && serde_json::from_str::<serde::de::IgnoredAny>(first).is_ok()
}

/// Reads NDJSON in one pass, each object turned into a row as it is parsed.
fn read_ndjson(text: &str) -> Result<RawTable, String> {
    let part = ndjson_part(text);
    if let Some((line, message)) = part.error {
        return Err(message.replace("{line}", &(line + 1).to_string()));
    }
    Ok(join(vec![(part.rows, 1)]))
}

fn invalid(e: &serde_json::Error) -> String {
    format!(
        "line {}, column {}: invalid JSON: {}",
        e.line(),
        e.column(),
        what_is_wrong(e)
    )
}

/// `serde_json`'s message without its own " at line L column C", which
/// counts from the piece parsed (an NDJSON line) rather than the file.
fn what_is_wrong(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let place = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&place).unwrap_or(&text).to_string()
}

/// A JSON object's fields in the order they are written, each value left
/// as its text.
struct Fields<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for Fields<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visit<'a> {
            type Value = Fields<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut m: M,
            ) -> Result<Fields<'a>, M::Error> {
                let mut fields = Vec::new();
                while let Some((k, v)) = m.next_entry::<String, &'de RawValue>()? {
                    fields.push((k, v));
                }
                Ok(Fields(fields))
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
    }
}

impl Fields<'_> {
    fn names(&self) -> Vec<String> {
        self.0.iter().map(|(k, _)| k.clone()).collect()
    }
}

/// What a JSON value's text starts with: `{`, `[`, or something else.
fn starts(raw: &RawValue) -> u8 {
    raw.get().as_bytes().first().copied().unwrap_or(b' ')
}

/// Line numbers of places in a text, asked for in the order they appear.
struct Lines<'a> {
    text: &'a str,
    at: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            at: 0,
            line: 1,
        }
    }

    /// The line on which `part`, a slice of the text, starts.
    fn of(&mut self, part: &str) -> u64 {
        let offset = (part.as_ptr() as usize)
            .saturating_sub(self.text.as_ptr() as usize)
            .min(self.text.len());
        if offset < self.at {
            (self.at, self.line) = (0, 1);
        }
        let skipped = &self.text.as_bytes()[self.at..offset];
        self.line += memchr::memchr_iter(b'\n', skipped).count() as u64;
        self.at = offset;
        self.line
    }
}

/// Whether columns of these names map a canonical column.
fn maps(names: &[String], column: Canonical) -> bool {
    map_headers(names, &[]).is_ok_and(|m| m.has(column))
}

/// One message of a document, and the key of the conversation it was
/// found under, if any.
struct Message<'a> {
    object: &'a RawValue,
    conversation: Option<&'a str>,
    /// In a Telegram chat export, whether the chat is a group.
    telegram_group: Option<bool>,
}

/// The message objects of a list, lists inside it (such as a chat's
/// turns) flattened. The error is the first item that is neither, and what
/// it is.
fn messages_of<'a>(list: &'a RawValue, out: &mut Vec<&'a RawValue>) -> Result<(), &'a RawValue> {
    // The whole document was parsed once already, so this cannot fail.
    let items: Vec<&RawValue> = serde_json::from_str(list.get()).unwrap_or_default();
    flatten(items, out)
}

/// [`messages_of`] for a list's items.
fn flatten<'a>(items: Vec<&'a RawValue>, out: &mut Vec<&'a RawValue>) -> Result<(), &'a RawValue> {
    for item in items {
        match starts(item) {
            b'{' => out.push(item),
            b'[' => messages_of(item, out)?,
            _ => return Err(item),
        }
    }
    Ok(())
}

/// The messages of a list's items, or an error naming the line of the
/// first item that is not a message.
fn list_messages<'a>(items: Vec<&'a RawValue>, text: &str) -> Result<Vec<&'a RawValue>, String> {
    let mut found = Vec::new();
    flatten(items, &mut found).map_err(|item| {
        let kind = serde_json::from_str::<serde_json::Value>(item.get())
            .map_or("a value", |v| json_kind(&v));
        format!(
            "line {}: found {kind} in a list of messages, expected an object with one message",
            Lines::new(text).of(item.get())
        )
    })?;
    Ok(found)
}

/// An object's list of messages: the field whose list holds the most
/// objects; `None` when no field holds a list of only objects.
fn message_list<'a>(fields: &Fields<'a>) -> Option<Vec<&'a RawValue>> {
    fields
        .0
        .iter()
        .filter(|(_, v)| starts(v) == b'[')
        .filter_map(|(_, v)| {
            let mut found = Vec::new();
            // A list holding anything else (tags, numbers) is not one of
            // messages.
            messages_of(v, &mut found).ok()?;
            (!found.is_empty()).then_some(found)
        })
        .max_by_key(Vec::len)
}

/// Reads a JSON document, which holds its messages in one of four shapes:
/// - an array of message objects (arrays inside it, such as a chat's
///   turns, flattened);
/// - one object that is a message (its fields map a timestamp);
/// - an object holding a list of messages, such as a chat export's
///   `{"name": "…", "messages": [{…}, …]}`: the field whose list holds the
///   most objects; each message takes the chat's `name`, `title` or `id`
///   as its `conversation_id` unless its own fields map a conversation or
///   a contact;
/// - an object of conversations keyed by id, each holding a list of
///   messages: each message takes the key as its `conversation_id` unless
///   its own fields map a conversation or a contact.
///
/// An object that is none of these is read as one row, for the mapping to
/// judge. A row's line is the line its message object starts on.
fn read_document(text: &str) -> Result<RawTable, String> {
    let body = text.trim_start();
    if body.starts_with('[') {
        // One pass checks the whole document and splits it into items.
        let items: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| invalid(&e))?;
        let messages = list_messages(items, text)?;
        let messages: Vec<Message> = messages
            .into_iter()
            .map(|object| Message {
                object,
                conversation: None,
                telegram_group: None,
            })
            .collect();
        return rows_of(text, &messages);
    }
    let top: Fields = serde_json::from_str(text).map_err(|e| invalid(&e))?;
    let one_row = || -> Result<RawTable, String> {
        let object = serde_json::from_str(text).map_err(|e| invalid(&e))?;
        let mut rows = JsonRows::default();
        rows.add(object, Lines::new(text).of(body));
        Ok(join(vec![(rows, 0)]))
    };
    if maps(&top.names(), Canonical::Timestamp) {
        return one_row();
    }
    if let Some(chats) = telegram_chats(&top) {
        let mut fields = Vec::with_capacity(chats.len());
        for chat in chats {
            fields.push(serde_json::from_str::<Fields>(chat.get()).map_err(|e| invalid(&e))?);
        }
        let names: Vec<Option<String>> = fields.iter().map(chat_name).collect();
        let mut messages = Vec::new();
        for (chat, name) in fields.iter().zip(&names) {
            let group = Some(telegram_chat_group(chat));
            messages.extend(
                message_list(chat)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|object| Message {
                        object,
                        conversation: name.as_deref(),
                        telegram_group: group,
                    }),
            );
        }
        return rows_of(text, &messages);
    }
    if let Some(messages) = message_list(&top) {
        let name = chat_name(&top);
        let group = telegram_group(&top);
        let mut messages: Vec<Message> = messages
            .into_iter()
            .map(|object| Message {
                object,
                conversation: name.as_deref(),
                telegram_group: group,
            })
            .collect();
        keep_own_conversations(&mut messages)?;
        return rows_of(text, &messages);
    }
    if top.0.is_empty() || top.0.iter().any(|(_, v)| starts(v) != b'{') {
        return one_row();
    }
    let mut messages = Vec::new();
    for (key, conversation) in &top.0 {
        let fields: Fields = serde_json::from_str(conversation.get()).map_err(|e| invalid(&e))?;
        let Some(list) = message_list(&fields) else {
            return Err(format!(
                "line {}: conversation {key:?} holds no list of message objects; expected an object of conversations, each with a list of messages",
                Lines::new(text).of(conversation.get())
            ));
        };
        messages.extend(list.into_iter().map(|object| Message {
            object,
            conversation: Some(key.as_str()),
            telegram_group: None,
        }));
    }
    keep_own_conversations(&mut messages)?;
    rows_of(text, &messages)
}

/// Messages that name their conversation or contact themselves keep it.
fn keep_own_conversations(messages: &mut [Message]) -> Result<(), String> {
    if let Some(first) = messages.first() {
        let fields: Fields = serde_json::from_str(first.object.get()).map_err(|e| invalid(&e))?;
        let names = fields.names();
        if maps(&names, Canonical::ConversationId) || maps(&names, Canonical::ContactId) {
            for m in messages {
                m.conversation = None;
            }
        }
    }
    Ok(())
}

/// The name of the one chat a document of a list of messages holds (a
/// chat export's `name`, `title` or `id`), for messages that do not name
/// their conversation.
fn chat_name(fields: &Fields) -> Option<String> {
    ["name", "title", "id"].iter().find_map(|want| {
        let (_, v) = fields.0.iter().find(|(k, _)| k == want)?;
        match serde_json::from_str::<serde_json::Value>(v.get()).ok()? {
            serde_json::Value::String(s) if !s.trim().is_empty() => Some(s),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    })
}

/// Whether an object is a Telegram chat export (`{"name": …, "type":
/// "personal_chat", "messages": […]}`), and if so whether the chat is a
/// group. Its messages' own `type` ("message" or "service") is then no
/// direction: service messages (joins, pins, calls) are left out and the
/// others read as a chat's messages, whose team says who is who.
fn telegram_group(fields: &Fields) -> Option<bool> {
    let (_, kind) = fields.0.iter().find(|(k, _)| k == "type")?;
    fields.0.iter().find(|(k, _)| k == "messages")?;
    match serde_json::from_str::<String>(kind.get()).ok()?.as_str() {
        "personal_chat" | "bot_chat" | "saved_messages" => Some(false),
        "private_group" | "private_supergroup" | "public_supergroup" | "private_channel"
        | "public_channel" => Some(true),
        _ => None,
    }
}

/// The chats of a Telegram export of every chat (`{"chats": {"list":
/// [{chat}, …]}, …}`), each a chat export of its own.
fn telegram_chats<'a>(top: &Fields<'a>) -> Option<Vec<&'a RawValue>> {
    let (_, chats) = top.0.iter().find(|(k, _)| k == "chats")?;
    let chats: Fields<'a> = serde_json::from_str(chats.get()).ok()?;
    let (_, list) = chats.0.iter().find(|(k, _)| k == "list")?;
    let list: Vec<&'a RawValue> = serde_json::from_str(list.get()).ok()?;
    // Every chat holds its messages; a kind of chat Telegram adds later
    // is still one of its chats.
    let telegram = list.iter().all(|chat| {
        serde_json::from_str::<Fields>(chat.get())
            .is_ok_and(|f| f.0.iter().any(|(k, _)| k == "messages"))
    });
    (telegram && !list.is_empty()).then_some(list)
}

/// [`telegram_group`] for a chat of an export of every chat: a kind it
/// does not know is a group when its name says so.
fn telegram_chat_group(chat: &Fields) -> bool {
    telegram_group(chat).unwrap_or_else(|| {
        chat.0
            .iter()
            .find(|(k, _)| k == "type")
            .and_then(|(_, kind)| serde_json::from_str::<String>(kind.get()).ok())
            .is_some_and(|kind| kind.contains("group") || kind.contains("channel"))
    })
}

/// A Telegram message's text: a string, or a list of strings and styled
/// pieces (`{"type": "bold", "text": "…"}`) read as the text they show.
fn telegram_text(text: &serde_json::Value) -> Option<String> {
    let serde_json::Value::Array(pieces) = text else {
        return None;
    };
    Some(
        pieces
            .iter()
            .filter_map(|piece| match piece {
                serde_json::Value::String(s) => Some(s.as_str()),
                serde_json::Value::Object(o) => o.get("text").and_then(serde_json::Value::as_str),
                _ => None,
            })
            .collect(),
    )
}

/// The column that carries the key of a conversation's messages.
const CONVERSATION_KEY: &str = "conversation_id";

/// The rows of a document's messages, parsed on every core.
fn rows_of(text: &str, messages: &[Message]) -> Result<RawTable, String> {
    let mut lines = Lines::new(text);
    let line_of: Vec<u64> = messages.iter().map(|m| lines.of(m.object.get())).collect();
    let chunk = messages
        .len()
        .div_ceil(rayon::current_num_threads() * 4)
        .max(4096);
    let parts: Vec<JsonRows> = messages
        .par_chunks(chunk)
        .zip(line_of.par_chunks(chunk))
        .map(|(messages, lines)| {
            let mut rows = JsonRows::default();
            for (m, &line) in messages.iter().zip(lines) {
                let mut object: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_str(m.object.get()).map_err(|e| invalid(&e))?;
                if let Some(key) = m.conversation {
                    object
                        .entry(CONVERSATION_KEY)
                        .or_insert_with(|| serde_json::Value::String(key.to_string()));
                }
                if let Some(group) = m.telegram_group {
                    let kind = object.remove("type");
                    if kind.as_ref().and_then(serde_json::Value::as_str) == Some("service") {
                        rows.service += 1;
                        continue;
                    }
                    if let Some(text) = object.get("text").and_then(telegram_text) {
                        object.insert("text".into(), serde_json::Value::String(text));
                    }
                    let chat_type = if group { "group" } else { "direct" };
                    object
                        .entry("chat_type")
                        .or_insert_with(|| serde_json::Value::String(chat_type.into()));
                }
                rows.add(object, line);
            }
            Ok(rows)
        })
        .collect::<Result<_, String>>()?;
    Ok(join(parts.into_iter().map(|rows| (rows, 0)).collect()))
}

/// Rows of JSON objects as text columns, in the order their keys first
/// appear.
#[derive(Default)]
struct JsonRows {
    headers: Vec<String>,
    known: PlHashSet<String>,
    columns: Vec<TextColumnBuilder>,
    lines: Vec<u64>,
    /// Service messages of a chat export, left out.
    service: u64,
}

impl JsonRows {
    fn add(&mut self, mut m: serde_json::Map<String, serde_json::Value>, line: u64) {
        let rows = self.lines.len();
        for (key, value) in &mut m {
            if let Some(name) = person_name(key, value) {
                *value = serde_json::Value::String(name);
            }
        }
        for k in m.keys() {
            if !self.known.contains(k) {
                self.known.insert(k.clone());
                self.headers.push(k.clone());
                self.columns.push(TextColumnBuilder::missing(rows));
            }
        }
        for (column, name) in self.columns.iter_mut().zip(&self.headers) {
            let cell = m.remove(name).and_then(json_cell);
            column.push(cell.as_deref());
        }
        self.lines.push(line);
    }
}

/// Stretches of rows as one table: columns in the order their keys first
/// appear, each stretch's lines moved on by the line it starts after.
fn join(parts: Vec<(JsonRows, u64)>) -> RawTable {
    let mut headers: Vec<String> = Vec::new();
    for (part, _) in &parts {
        for h in &part.headers {
            if !headers.contains(h) {
                headers.push(h.clone());
            }
        }
    }
    let rows: usize = parts.iter().map(|(p, _)| p.lines.len()).sum();
    let service_messages = parts.iter().map(|(p, _)| p.service).sum();
    let mut lines = Vec::with_capacity(rows);
    let mut stretches: Vec<Vec<TextColumn>> = headers.iter().map(|_| Vec::new()).collect();
    for (part, start) in parts {
        let JsonRows {
            headers: names,
            columns,
            lines: own_lines,
            ..
        } = part;
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
    RawTable {
        columns: stretches.into_iter().map(TextColumn::concat).collect(),
        headers,
        lines,
        service_messages,
        ..RawTable::default()
    }
}

/// A person given as an object where a sender or agent is expected (the
/// Twitter API's `"user": {"screen_name": …}`): their handle or name.
fn person_name(key: &str, value: &serde_json::Value) -> Option<String> {
    const NAMES: [&str; 5] = ["screen_name", "username", "login", "name", "display_name"];
    let serde_json::Value::Object(person) = value else {
        return None;
    };
    if ![Canonical::Sender, Canonical::Agent]
        .iter()
        .any(|c| c.is_named(key))
    {
        return None;
    }
    NAMES
        .iter()
        .find_map(|n| person.get(*n).and_then(serde_json::Value::as_str))
        .map(str::to_string)
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
            Ok(serde_json::Value::Object(m)) => part.rows.add(m, i as u64),
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
                    format!(
                        "line {{line}}, column {column}: invalid JSON: {}",
                        what_is_wrong(&e)
                    ),
                ));
                return part;
            }
        }
    }
    part
}

/// A large NDJSON file read in stretches of whole lines on every core;
/// columns in the order their keys first appear, as one pass gives them.
fn read_ndjson_in_parallel(text: &str) -> Result<RawTable, String> {
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
    Ok(join(
        parts
            .into_iter()
            .zip(starts)
            .map(|(part, start)| (part.rows, start))
            .collect(),
    ))
}

fn json_cell(v: serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    fn read(text: &str) -> Result<Cells, String> {
        read_json(text).map(|(t, _)| table_cells(&t))
    }

    fn column<'a>(cells: &'a Cells, name: &str) -> &'a [Option<String>] {
        let k = cells.0.iter().position(|h| h == name).unwrap();
        &cells.2[k]
    }

    /// A Telegram chat export: its messages' `type` is no direction,
    /// service messages are left out and counted, styled text reads as it
    /// shows, and the chat's kind gives the chat type.
    #[test]
    fn telegram_chat_exports_read_as_chats() {
        let one = r#"{"name": "Acme Support", "type": "personal_chat", "id": 4242,
 "messages": [
  {"id": 1, "type": "service", "date": "2024-03-04T08:59:00", "actor": "Bo", "action": "phone_call"},
  {"id": 2, "type": "message", "date": "2024-03-04T09:00:00", "from": "Bo", "text": "Hi"},
  {"id": 3, "type": "message", "date": "2024-03-04T09:07:00", "from": "Ana",
   "text": ["Sorry! ", {"type": "bold", "text": "Today"}, " it ships."]}
 ]}"#;
        let (t, _) = read_json(one).unwrap();
        assert_eq!(t.service_messages, 1);
        let cells = table_cells(&t);
        assert!(!cells.0.contains(&"type".to_string()));
        assert_eq!(cells.1, [4, 5]);
        assert_eq!(
            column(&cells, "text"),
            [Some("Hi".into()), Some("Sorry! Today it ships.".into())]
        );
        assert_eq!(
            column(&cells, "chat_type"),
            [Some("direct".into()), Some("direct".into())]
        );
        assert_eq!(
            column(&cells, "conversation_id"),
            [Some("Acme Support".into()), Some("Acme Support".into())]
        );
        // An export of every chat: each chat is a conversation; a group's
        // messages are group rows.
        let all = r#"{"about": "…", "chats": {"about": "…", "list": [
  {"name": "Bo", "type": "personal_chat", "id": 1, "messages": [
    {"id": 1, "type": "message", "date": "2024-03-04T09:00:00", "from": "Bo", "text": "Hi"}]},
  {"name": "Buyers", "type": "private_supergroup", "id": 2, "messages": [
    {"id": 7, "type": "service", "date": "2024-03-04T09:30:00", "actor": "Ana", "action": "invite_members"},
    {"id": 8, "type": "message", "date": "2024-03-04T10:00:00", "from": "Ana", "text": "Welcome"}]},
  {"name": "Forum", "type": "private_forum_group", "id": 3, "messages": [
    {"id": 9, "type": "message", "date": "2024-03-04T11:00:00", "from": "Cy", "text": "New kind"}]}
 ]}}"#;
        let (t, _) = read_json(all).unwrap();
        assert_eq!(t.service_messages, 1);
        let cells = table_cells(&t);
        assert_eq!(
            column(&cells, "conversation_id"),
            [
                Some("Bo".into()),
                Some("Buyers".into()),
                Some("Forum".into())
            ]
        );
        assert_eq!(
            column(&cells, "chat_type"),
            [
                Some("direct".into()),
                Some("group".into()),
                Some("group".into())
            ]
        );
        // A chat export that is not Telegram's keeps its messages' `type`.
        let (t, _) =
            read_json(r#"{"name": "Acme", "messages": [{"type": "out", "date": "2024-03-04"}]}"#)
                .unwrap();
        assert_eq!(column(&table_cells(&t), "type"), [Some("out".into())]);
    }

    /// A sender given as an object (the Twitter API's `user`) reads as
    /// its handle; other objects stay JSON text.
    #[test]
    fn a_person_object_reads_as_its_handle() {
        let text = r#"[{"id_str": "10", "created_at": "Wed Oct 11 06:55:44 +0000 2017",
  "user": {"id": 1, "screen_name": "cust1", "name": "Customer One"}, "place": {"name": "Oslo"}},
 {"id_str": "11", "created_at": "Wed Oct 11 07:15:44 +0000 2017", "user": {"id": 2}}]"#;
        let cells = read(text).unwrap();
        assert_eq!(
            column(&cells, "user"),
            [Some("cust1".into()), Some(r#"{"id":2}"#.into())]
        );
        assert_eq!(
            column(&cells, "place"),
            [Some(r#"{"name":"Oslo"}"#.into()), None]
        );
    }

    #[test]
    fn json_arrays_read_every_object_with_the_line_it_starts_on() {
        let text = r#"[{"ts": "2024-01-01 09:00", "chat": "a", "dir": "out"},
            {"ts": "2024-01-01 09:05", "chat": "a", "dir": null, "late": 1.5},

            {"chat": " b ", "nested": {"x": [1, 2]}, "flag": true, "blank": ""}]"#;
        let (t, format) = read_json(text).unwrap();
        assert_eq!(format, "json");
        let cells = table_cells(&t);
        assert_eq!(cells.1, [1, 2, 4]);
        assert_eq!(
            column(&cells, "chat"),
            [Some("a".into()), Some("a".into()), Some("b".into())]
        );
        assert_eq!(column(&cells, "dir"), [Some("out".into()), None, None]);
        assert_eq!(column(&cells, "late"), [None, Some("1.5".into()), None]);
        assert_eq!(
            column(&cells, "nested"),
            [None, None, Some(r#"{"x":[1,2]}"#.into())]
        );
        assert_eq!(column(&cells, "flag"), [None, None, Some("true".into())]);
        assert_eq!(column(&cells, "blank"), [None, None, None]);
        // Arrays of a chat's turns are flattened; a minified file is all
        // on line 1.
        let turns = read(r#"[[{"a": 1}, {"a": 2}], [{"a": 3}]]"#).unwrap();
        assert_eq!(column(&turns, "a").len(), 3);
        assert_eq!(turns.1, [1, 1, 1]);
        assert_eq!(read("[]").unwrap(), (vec![], vec![], vec![]));
    }

    #[test]
    fn json_errors_name_the_line() {
        let err = |text: &str| read(text).unwrap_err();
        assert_eq!(
            err("[{\"a\": 1},\n 5, {\"a\": 2}]"),
            "line 2: found a number in a list of messages, expected an object with one message"
        );
        // A syntax error anywhere is reported before a wrong item.
        assert!(err("[{\"a\": 1}, 5,\n {\"a\": }]").starts_with("line 2, column 8: invalid JSON"));
        // An NDJSON line's error names the file's line, once.
        assert_eq!(
            err("{\"a\": 1}\n{\"a\": \n"),
            "line 2, column 5: invalid JSON: EOF while parsing a value"
        );
        for broken in [
            r#"[{"a": 1}] x"#,
            r#"[{"a": 1},]"#,
            r#"[{"a": 1}, "#,
            "{\n \"a\": [1,\n",
        ] {
            assert!(err(broken).contains("invalid JSON"), "{broken}");
        }
        assert_eq!(
            err("{\n \"c1\": {\"messages\": [{\"a\": 1}]},\n \"c2\": {\"note\": \"none\"}\n}"),
            "line 3: conversation \"c2\" holds no list of message objects; expected an object of conversations, each with a list of messages"
        );
    }

    #[test]
    fn json_documents_hold_their_messages_in_lists_or_conversations() {
        // A chat export: the list of messages beside the chat's own fields
        // and a shorter list of other objects.
        let holder = r#"{
  "name": "Support",
  "members": [{"name": "Ana"}],
  "messages": [
    {"date": "2024-01-01T09:00:00", "from": "Ana", "text": "Hi"},
    {"date": "2024-01-01T09:05:00", "from": "Bo", "text": "Hello"}
  ]
}"#;
        let cells = read(holder).unwrap();
        assert_eq!(cells.1, [5, 6]);
        assert_eq!(
            column(&cells, "from"),
            [Some("Ana".into()), Some("Bo".into())]
        );
        // The chat's name is each message's conversation; its other
        // fields are not columns.
        assert_eq!(
            column(&cells, "conversation_id"),
            [Some("Support".into()), Some("Support".into())]
        );
        assert!(!cells.0.contains(&"name".to_string()));
        // The same on one line.
        let one_line: String = holder.split('\n').map(str::trim).collect();
        assert_eq!(read(&one_line).unwrap().2, cells.2);
        // Conversations keyed by id, their turns lists of lists: each
        // message takes its conversation's key.
        let keyed = r#"{
  "c1": {"messages": [[{"timestamp": "2024-01-01T09:00:00Z", "sender": "u1"}],
                      [{"timestamp": "2024-01-01T09:01:00Z", "sender": "u2"}]],
         "ratings": {"witty": 3}},
  "c2": {"messages": [[{"timestamp": "2024-01-02T09:00:00Z", "sender": "u1"}]]}
}"#;
        let cells = read(keyed).unwrap();
        assert_eq!(
            column(&cells, "conversation_id"),
            [Some("c1".into()), Some("c1".into()), Some("c2".into())]
        );
        assert_eq!(cells.1, [2, 3, 5]);
        // Messages that name their chat keep it.
        let named = r#"{"x": {"messages": [{"ts": "2024-01-01", "chat_id": "own"}]}}"#;
        let cells = read(named).unwrap();
        assert!(!cells.0.contains(&"conversation_id".to_string()));
        assert_eq!(column(&cells, "chat_id"), [Some("own".into())]);
        // One message, even with a list of attachments, is one row.
        let one = r#"{"timestamp": "2024-01-01 09:00", "files": [{"n": 1}, {"n": 2}]}"#;
        let cells = read(one).unwrap();
        assert_eq!(cells.1, [1]);
        assert_eq!(
            column(&cells, "files"),
            [Some(r#"[{"n":1},{"n":2}]"#.into())]
        );
        // An object of neither shape is one row for the mapping to judge.
        assert_eq!(read(r#"{"a": 1, "b": {"c": 2}}"#).unwrap().1, [1]);
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
        let one_pass = read_ndjson(&text).unwrap();
        assert_eq!(format, "ndjson");
        assert_eq!(table_cells(&parallel), table_cells(&one_pass));
        assert!(parallel.headers.contains(&"late".to_string()));
        // The first bad line is named as one pass names it, wherever the
        // stretches fall.
        for (at, bad) in [(29_000, "{\"chat\": oops}"), (21_000, "[1, 2]"), (7, "{")] {
            let mut lines: Vec<&str> = text.split('\n').collect();
            lines[at] = bad;
            let broken = lines.join("\n");
            let expected = read_ndjson(&broken).err().unwrap();
            assert_eq!(read_json(&broken).err(), Some(expected));
        }
    }
}
