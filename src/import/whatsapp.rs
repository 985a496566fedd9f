//! Parser for `WhatsApp` "Export chat" text files.
//!
//! The caller hands over the already decoded text (zip extraction and byte
//! decoding happen elsewhere). The parser works line by line, only ever runs
//! its header regex on a short, bounded prefix of each line, and never
//! panics on any input.
//!
//! Supported layouts:
//! * Android ("dash"): `DATE, TIME - Author: message`
//! * iOS ("bracket"): `[DATE, TIME] Author: message`
//!
//! plus the rarer variants seen in the wild: no comma between date and
//! time, a trailing dot after the time (`13:34. -`), `klo`/`à`/`um`/`-`
//! between date and time, `.` as time separator, and `TIME: Author: msg`,
//! `TIME; Author: msg` or `TIME Author: msg` (these three only count as a
//! header when an `Author: ` part follows).
//!
//! Day/month order is inferred from the whole file: a first date part above
//! 12 votes for day first, a second part above 12 votes for month first. If
//! nothing decides, day first is taken and [`WaChat::date_order_decided`] is
//! `false`.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{NaiveDate, NaiveDateTime};
use regex::Regex;
use serde::Serialize;

/// How the two non-year parts of a date are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DateOrder {
    /// `dd/mm/yy` (also the default when nothing in the file decides).
    DayFirst,
    /// `mm/dd/yy`.
    MonthFirst,
    /// `yyyy/mm/dd`: every header in the file starts with a 4-digit year.
    /// As an override it only affects dates that are not year first, which
    /// are then read day first.
    YearFirst,
}

/// Which header layout the export uses (the majority of header lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Layout {
    /// `date, time - Author: message`
    Android,
    /// `[date, time] Author: message`
    Ios,
}

/// One user message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaMessage {
    /// 1-based line number of the header line.
    pub line: usize,
    pub timestamp: NaiveDateTime,
    /// Author with invisible direction marks removed.
    pub author: String,
    /// Message text; continuation lines are joined with `\n`. Leading
    /// LRM/RLM/BOM marks are removed, everything else is kept as exported
    /// (media placeholders such as `<Media omitted>` stay as text).
    pub text: String,
}

/// One system line (encryption notice, group changes, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaSystemLine {
    /// 1-based line number of the header line.
    pub line: usize,
    pub timestamp: NaiveDateTime,
    pub kind: SystemKind,
    /// The system text (for iOS lines attributed to the chat name, the part
    /// after `Chat name: `), leading invisible marks removed.
    pub text: String,
}

/// Classification of system lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum SystemKind {
    EncryptionNotice,
    CreatedGroup,
    Added,
    Removed,
    Left,
    Joined,
    ChangedSubject,
    ChangedIcon,
    ChangedDescription,
    SecurityCode,
    Other,
}

impl SystemKind {
    /// Stable `snake_case` name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::EncryptionNotice => "encryption_notice",
            Self::CreatedGroup => "created_group",
            Self::Added => "added",
            Self::Removed => "removed",
            Self::Left => "left",
            Self::Joined => "joined",
            Self::ChangedSubject => "changed_subject",
            Self::ChangedIcon => "changed_icon",
            Self::ChangedDescription => "changed_description",
            Self::SecurityCode => "security_code",
            Self::Other => "other",
        }
    }

    /// True for the kinds that only exist in group chats.
    pub fn is_group_event(&self) -> bool {
        matches!(
            self,
            Self::CreatedGroup
                | Self::Added
                | Self::Removed
                | Self::Left
                | Self::Joined
                | Self::ChangedSubject
                | Self::ChangedIcon
                | Self::ChangedDescription
        )
    }
}

/// A parsed chat export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaChat {
    pub layout: Layout,
    pub date_order: DateOrder,
    /// `false` when nothing in the file decided DD/MM vs MM/DD and the
    /// default (day first) was taken. `true` when the file decided, when
    /// every date was year first, or when the caller passed an override.
    pub date_order_decided: bool,
    /// User messages in file order (not sorted by time).
    pub messages: Vec<WaMessage>,
    /// System lines in file order.
    pub system_lines: Vec<WaSystemLine>,
    /// More than 2 participants, or any group system line.
    pub is_group: bool,
    /// Authors with message counts, most messages first, ties by name.
    pub participants: Vec<(String, usize)>,
}

/// Errors from [`parse_whatsapp`].
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum WhatsAppError {
    /// No line of the text looks like a `WhatsApp` message header.
    #[error(
        "no WhatsApp messages found: no line starts with a date and time header \
         like `31/12/21, 23:59 - Name: text` or `[31/12/21, 23:59:00] Name: text`"
    )]
    NoMessages,
}

// ---------------------------------------------------------------------------
// Low-level helpers
// ---------------------------------------------------------------------------

/// Invisible formatting marks that `WhatsApp` sprinkles into exports.
fn is_mark(c: char) -> bool {
    matches!(
        c,
        '\u{200E}'
            | '\u{200F}'
            | '\u{FEFF}'
            | '\u{061C}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
    )
}

fn trim_leading_marks(s: &str) -> &str {
    s.trim_start_matches(is_mark)
}

/// Largest char boundary `<= max` in `s`.
fn floor_boundary(s: &str, max: usize) -> usize {
    if max >= s.len() {
        return s.len();
    }
    let mut i = max;
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Splits on LF, CRLF and bare CR.
///
/// Each line end is found with one search for either terminator, which
/// stops at the line's end: sniffing the first lines of a large file must
/// not scan the whole file for a terminator it never uses.
fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut pos = 0usize;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let rest = text.as_bytes().get(pos..)?;
        let Some(k) = memchr::memchr2(b'\n', b'\r', rest) else {
            done = true;
            return text.get(pos..);
        };
        let end = pos + k;
        let line = text.get(pos..end)?;
        pos = if rest[k] == b'\r' && rest.get(k + 1) == Some(&b'\n') {
            end + 2
        } else {
            end + 1
        };
        Some(line)
    })
}

/// Maximum number of characters of a line looked at when matching a header.
const HEADER_SCAN_CHARS: usize = 72;
/// Maximum number of bytes after the header searched for the `: ` that ends
/// the author name.
const AUTHOR_SCAN_BYTES: usize = 400;
/// Maximum number of bytes of a text used to classify system phrases.
const CLASSIFY_BYTES: usize = 1000;

static HEADER_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        ^(?P<br>\[)?\s*
        (?P<d1>\d{1,4})(?P<s1>[./-])[\ ]?(?P<d2>\d{1,4})(?P<s2>[./-])[\ ]?(?P<d3>\d{1,4})\.?
        (?:,\s*|\s+)(?:(?:klo|à|um|-)\s+)?
        (?P<h>\d{1,2})[:.](?P<mi>\d{2})(?:[:.](?P<se>\d{2}))?
        (?:\s*(?P<ap>[AaPp])\.?\s?[Mm]\.?)?
        \.?
        (?P<term>\s*\]\s*|\s*[-\u{2013}\u{2014}]\s+|:\s+|;\s+|\s+)
        ",
    )
    .expect("static header regex")
});

// Capture group indices of `HEADER_RE` (in pattern order).
const G_BR: usize = 1;
const G_D1: usize = 2;
const G_S1: usize = 3;
const G_D2: usize = 4;
const G_S2: usize = 5;
const G_D3: usize = 6;
const G_H: usize = 7;
const G_MI: usize = 8;
const G_SE: usize = 9;
const G_AP: usize = 10;
const G_TERM: usize = 11;

#[derive(Debug, Clone, Copy)]
enum RawDate {
    YearFirst {
        y: i32,
        m: u32,
        d: u32,
    },
    /// Two non-year parts in file order, plus the year.
    Ambiguous {
        a: u32,
        b: u32,
        y: i32,
    },
}

#[derive(Debug, Clone, Copy)]
struct Header {
    bracket: bool,
    date: RawDate,
    hour: u32,
    minute: u32,
    second: u32,
    /// `Some(true)` = PM, `Some(false)` = AM.
    pm: Option<bool>,
    /// Byte offset in the original line where the author/system text starts.
    rest_start: usize,
    /// Bracket or dash layout (as opposed to `TIME: `, `TIME; ` or
    /// `TIME ` directly followed by the author).
    strong: bool,
}

enum Body<'a> {
    Message { author: String, text: &'a str },
    System { text: &'a str },
}

/// Reusable buffers for the mark-free line prefix and the regex captures.
struct Scratch {
    clean: String,
    map: Vec<usize>,
    locs: regex::CaptureLocations,
}

impl Default for Scratch {
    fn default() -> Self {
        Self {
            clean: String::new(),
            map: Vec::new(),
            locs: HEADER_RE.capture_locations(),
        }
    }
}

impl Scratch {
    /// Copies up to `HEADER_SCAN_CHARS` characters of `line` without
    /// invisible marks into `clean`; `map[k]` is the offset in `line` of the
    /// char at clean offset `k`.
    fn fill(&mut self, line: &str) {
        self.clean.clear();
        self.map.clear();
        let mut end = 0;
        for (n, (i, c)) in line.char_indices().enumerate() {
            if n >= HEADER_SCAN_CHARS {
                break;
            }
            end = i + c.len_utf8();
            if is_mark(c) {
                continue;
            }
            for _ in 0..c.len_utf8() {
                self.map.push(i);
            }
            self.clean.push(c);
        }
        self.map.push(end);
    }
}

fn num(s: &str) -> Option<u32> {
    s.parse().ok()
}

fn expand_year(s: &str) -> Option<i32> {
    let v: i32 = s.parse().ok()?;
    match s.len() {
        2 => Some(2000 + v),
        4 => Some(v),
        _ => None,
    }
}

/// Matches a header at the start of `line`. Does not decide whether the
/// date is valid (that needs the date order).
fn match_header(line: &str, scratch: &mut Scratch) -> Option<Header> {
    // Cheap rejection: the first visible char must be a digit or '['.
    let first = line.chars().find(|c| !is_mark(*c))?;
    if !(first.is_ascii_digit() || first == '[') {
        return None;
    }
    // Fast path: no invisible marks in the prefix, so match the line
    // itself and offsets need no mapping.
    let prefix = line.get(..floor_boundary(line, HEADER_SCAN_CHARS))?;
    let direct = !prefix.chars().any(is_mark);
    let hay: &str = if direct {
        prefix
    } else {
        scratch.fill(line);
        &scratch.clean
    };
    let locs = &mut scratch.locs;
    let end = HEADER_RE.captures_read(locs, hay)?.end();
    let group = |i: usize| locs.get(i).and_then(|(a, b)| hay.get(a..b));
    let bracket = group(G_BR).is_some();
    let term = group(G_TERM)?;
    let term_has_bracket = term.contains(']');
    if bracket != term_has_bracket {
        return None;
    }
    if group(G_S1)? != group(G_S2)? {
        return None;
    }
    let (d1, d2, d3) = (group(G_D1)?, group(G_D2)?, group(G_D3)?);
    let date = match (d1.len(), d2.len(), d3.len()) {
        (4, 1..=2, 1..=2) => RawDate::YearFirst {
            y: expand_year(d1)?,
            m: num(d2)?,
            d: num(d3)?,
        },
        (1..=2, 1..=2, 2 | 4) => RawDate::Ambiguous {
            a: num(d1)?,
            b: num(d2)?,
            y: expand_year(d3)?,
        },
        (1..=2, 4, 1..=2) => RawDate::Ambiguous {
            a: num(d1)?,
            b: num(d3)?,
            y: expand_year(d2)?,
        },
        _ => return None,
    };
    let pm = group(G_AP).map(|m| m.eq_ignore_ascii_case("p"));
    let hour = num(group(G_H)?)?;
    let minute = num(group(G_MI)?)?;
    let second = match group(G_SE) {
        Some(m) => num(m)?,
        None => 0,
    };
    let rest_start = if direct { end } else { *scratch.map.get(end)? };
    let strong = bracket || term.contains(['-', '\u{2013}', '\u{2014}']);
    let header = Header {
        bracket,
        date,
        hour,
        minute,
        second,
        pm,
        rest_start,
        strong,
    };
    if !strong {
        // `TIME: Author: msg`, `TIME; Author: msg`, `TIME Author: msg`:
        // only a header when an author follows.
        let rest = line.get(rest_start..)?;
        if !matches!(split_body(rest), Body::Message { .. }) {
            return None;
        }
    }
    Some(header)
}

/// Splits the text after the header into author and message, or declares
/// it a system line.
fn split_body(rest: &str) -> Body<'_> {
    let rest = trim_leading_marks(rest);
    let window = rest
        .get(..floor_boundary(rest, AUTHOR_SCAN_BYTES))
        .unwrap_or("");
    let (author_raw, text) = if let Some(idx) = window.find(": ") {
        (
            rest.get(..idx).unwrap_or(""),
            rest.get(idx + 2..).unwrap_or(""),
        )
    } else {
        // `Name:` at the end of the line: a message with empty text
        // (e.g. a view-once photo).
        let trimmed = rest.trim_end();
        match trimmed.strip_suffix(':') {
            Some(a) if trimmed.len() <= AUTHOR_SCAN_BYTES && !a.contains(':') => (a, ""),
            _ => return Body::System { text: rest },
        }
    };
    let author: String = author_raw
        .chars()
        .filter(|c| !is_mark(*c))
        .collect::<String>()
        .trim()
        .to_string();
    if author.is_empty() {
        return Body::System { text: rest };
    }
    let text_clean = trim_leading_marks(text);
    let starts_with_mark = text_clean.len() != text.len();
    // A quoted group name containing `: ` inside a system line.
    if (author.contains('"') || author.contains('\u{201C}'))
        && classify(rest).is_some_and(|k| k != SystemKind::EncryptionNotice)
    {
        return Body::System { text: rest };
    }
    // iOS: system lines attributed to the chat name, usually with an LRM.
    // Without the mark only the unmistakable notices count (encryption,
    // security code), so users typing "I added sugar" stay messages.
    let kind = if starts_with_mark {
        classify(text_clean)
    } else {
        classify_first(text_clean, 2)
    };
    if kind.is_some() {
        return Body::System { text: text_clean };
    }
    Body::Message {
        author,
        text: text_clean,
    }
}

static SYSTEM_PATTERNS: LazyLock<Vec<(SystemKind, Regex)>> = LazyLock::new(|| {
    let table: [(SystemKind, &str); 10] = [
        (
            SystemKind::EncryptionNotice,
            r"(?i)^(?:messages and calls are end-to-end encrypted|messages (?:you send )?to this (?:group|chat) are now secured with end-to-end encryption|nachrichten und anrufe sind ende-zu-ende-verschlüsselt|nachrichten (?:an|in) diese[nm]? (?:gruppe|chat) sind (?:jetzt )?mit ende-zu-ende-verschlüsselung|les messages envoyés dans cette discussion|los mensajes y (?:las )?llamadas están cifrados|as mensagens e (?:as )?(?:chamadas|ligações) são protegidas)",
        ),
        (
            SystemKind::SecurityCode,
            r"(?i)^(?:your )?security code with .+ changed|^deine sicherheitsnummer (?:für|mit) .+ hat sich geändert|^le code de sécurité",
        ),
        (
            SystemKind::CreatedGroup,
            r"(?i)^.+ (?:created (?:the )?group|a créé le groupe|creó el grupo|criou o grupo)|^(?:du hast|.+ hat) die gruppe .*erstellt",
        ),
        (
            SystemKind::ChangedSubject,
            r"(?i)^.+ (?:changed (?:the subject|the group name|this group's name|the group subject)|a modifié le (?:sujet|nom du groupe)|cambió el (?:asunto|nombre del grupo))|^(?:du hast|.+ hat) den (?:betreff|gruppennamen)",
        ),
        (
            SystemKind::ChangedIcon,
            r"(?i)^.+ (?:changed|deleted|removed) (?:this group's|the group) (?:icon|photo|picture)|^(?:du hast|.+ hat) das gruppenbild|^.+ a changé l.icône",
        ),
        (
            SystemKind::ChangedDescription,
            r"(?i)^.+ (?:changed|deleted) (?:the|this) group(?:'s)? description|^(?:du hast|.+ hat) die gruppenbeschreibung",
        ),
        (
            SystemKind::Joined,
            r"(?i)^.+ joined (?:using|via|from)|^.+ (?:ist|bist) .*beigetreten",
        ),
        (
            SystemKind::Removed,
            r"(?i)^(?:.+ removed .+|you were removed|.+ was removed|(?:du hast|.+ hat) .+ entfernt|.+ wurde(?:st)? entfernt)\.?$",
        ),
        (
            SystemKind::Added,
            r"(?i)^(?:.+ added .+|you were added|.+ was added|(?:du hast|.+ hat) .+ hinzugefügt|.+ wurde(?:st)? hinzugefügt)\.?$",
        ),
        (
            SystemKind::Left,
            r"(?i)^(?:.+ left|(?:du hast|.+ hat) die gruppe verlassen|.+ a quitté le groupe|.+ salió del grupo|.+ saiu)\.?$",
        ),
    ];
    table
        .into_iter()
        .map(|(k, p)| (k, Regex::new(p).expect("static system regex")))
        .collect()
});

/// Classifies a known system phrase; `None` when no phrase matches.
fn classify(text: &str) -> Option<SystemKind> {
    classify_first(text, SYSTEM_PATTERNS.len())
}

/// Like [`classify`], but only tries the first `n` patterns.
fn classify_first(text: &str, n: usize) -> Option<SystemKind> {
    let text = trim_leading_marks(text);
    let bounded = text.get(..floor_boundary(text, CLASSIFY_BYTES))?;
    let first_line = bounded.split(['\r', '\n']).next().unwrap_or("");
    let cleaned: String = first_line.chars().filter(|c| !is_mark(*c)).collect();
    let cleaned = cleaned.trim();
    SYSTEM_PATTERNS
        .iter()
        .take(n)
        .find(|(_, re)| re.is_match(cleaned))
        .map(|(k, _)| *k)
}

fn resolve_date(date: RawDate, order: DateOrder) -> Option<NaiveDate> {
    match date {
        RawDate::YearFirst { y, m, d } => NaiveDate::from_ymd_opt(y, m, d),
        RawDate::Ambiguous { a, b, y } => {
            let (m, d) = if order == DateOrder::MonthFirst {
                (a, b)
            } else {
                (b, a)
            };
            // If the chosen order is impossible for this line (e.g. an
            // override that contradicts it), fall back to the other one.
            NaiveDate::from_ymd_opt(y, m, d).or_else(|| NaiveDate::from_ymd_opt(y, d, m))
        }
    }
}

fn resolve(header: &Header, order: DateOrder) -> Option<NaiveDateTime> {
    let date = resolve_date(header.date, order)?;
    let hour = match header.pm {
        // `13:37 p.m.` (seen in real exports) is taken as 13:37.
        Some(true) if header.hour < 12 => header.hour + 12,
        Some(false) if header.hour == 12 => 0,
        _ => header.hour,
    };
    date.and_hms_opt(hour, header.minute, header.second)
}

/// What the last header line produced (continuation lines go there).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Last {
    None,
    Message,
    System,
}

/// Cheap check: does one of the first 20 non-empty lines look like a
/// `WhatsApp` header?
pub fn looks_like_whatsapp(text: &str) -> bool {
    first_lines(text).0
}

/// [`looks_like_whatsapp`] of a text, told from its start `head` (cut
/// after a line break): `None` when the start holds too few lines to tell.
pub fn decided_from_start(head: &str) -> Option<bool> {
    match first_lines(head) {
        (true, _) => Some(true),
        (false, FIRST_LINES) => Some(false),
        _ => None,
    }
}

/// The non-blank lines that tell a chat export.
const FIRST_LINES: usize = 20;

/// Whether one of the first [`FIRST_LINES`] non-blank lines is a message
/// header, and how many of them were read.
fn first_lines(text: &str) -> (bool, usize) {
    let mut scratch = Scratch::default();
    let mut read = 0;
    for line in split_lines(text)
        .filter(|l| l.chars().any(|c| !(c.is_whitespace() || is_mark(c))))
        .take(FIRST_LINES)
    {
        read += 1;
        if match_header(line, &mut scratch)
            .is_some_and(|h| resolve(&h, DateOrder::DayFirst).is_some())
        {
            return (true, read);
        }
    }
    (false, read)
}

/// Parses a `WhatsApp` chat export. `order` overrides the day/month order
/// inference.
///
/// Returns [`WhatsAppError::NoMessages`] when no line is a header. A file
/// whose headers are all system lines parses `Ok` with empty `messages`;
/// callers that need at least one message must check that themselves.
/// Lines before the first header are ignored. A header whose date is
/// impossible under the chosen order is read in the other order; if it is
/// impossible either way, the line is treated as message text.
pub fn parse_whatsapp(text: &str, order: Option<DateOrder>) -> Result<WaChat, WhatsAppError> {
    let mut scratch = Scratch::default();

    // Pass 1: date order votes. Votes are kept apart for the weak header
    // forms, which only count when the file has no bracket/dash headers
    // (otherwise a continuation line such as `1.2.2020 10:00 Agenda: ...`
    // would be mistaken for a header).
    let mut votes = [[0usize; 2]; 2]; // [weak, strong][day first, month first]
    let mut ambiguous = [false; 2];
    let mut headers = [0usize; 2];
    // Header lines found in pass 1 (line index, header), reused in pass 2.
    let mut found: Vec<(usize, Header)> = Vec::new();
    for (idx, line) in split_lines(text).enumerate() {
        let Some(h) = match_header(line, &mut scratch) else {
            continue;
        };
        found.push((idx, h));
        let k = usize::from(h.strong);
        headers[k] += 1;
        if let RawDate::Ambiguous { a, b, .. } = h.date {
            ambiguous[k] = true;
            if (13..=31).contains(&a) && (1..=12).contains(&b) {
                votes[k][0] += 1;
            }
            if (13..=31).contains(&b) && (1..=12).contains(&a) {
                votes[k][1] += 1;
            }
        }
    }
    if headers == [0, 0] {
        return Err(WhatsAppError::NoMessages);
    }
    let allow_weak = headers[1] == 0;
    let k = usize::from(!allow_weak);
    let [day_first_votes, month_first_votes] = votes[k];
    let (date_order, date_order_decided) = if let Some(o) = order {
        (o, true)
    } else if !ambiguous[k] {
        (DateOrder::YearFirst, true)
    } else if month_first_votes > day_first_votes {
        (DateOrder::MonthFirst, true)
    } else {
        (DateOrder::DayFirst, day_first_votes > 0)
    };

    // Pass 2: build messages and system lines.
    let mut messages: Vec<WaMessage> = Vec::new();
    let mut system_lines: Vec<WaSystemLine> = Vec::new();
    let mut last = Last::None;
    let mut bracket_headers = 0usize;
    let mut dash_headers = 0usize;
    let mut found = found.into_iter().peekable();
    for (idx, line) in split_lines(text).enumerate() {
        let line_no = idx + 1;
        let parsed = found
            .next_if(|(i, _)| *i == idx)
            .map(|(_, h)| h)
            .filter(|h| h.strong || allow_weak)
            .and_then(|h| resolve(&h, date_order).map(|ts| (h, ts)));
        let Some((header, timestamp)) = parsed else {
            // Continuation line.
            let cont = line.trim_start_matches('\u{FEFF}');
            match last {
                Last::Message => {
                    if let Some(m) = messages.last_mut() {
                        m.text.push('\n');
                        m.text.push_str(cont);
                    }
                }
                Last::System => {
                    if let Some(s) = system_lines.last_mut() {
                        s.text.push('\n');
                        s.text.push_str(cont);
                    }
                }
                Last::None => {}
            }
            continue;
        };
        if header.bracket {
            bracket_headers += 1;
        } else {
            dash_headers += 1;
        }
        let rest = line.get(header.rest_start..).unwrap_or("");
        match split_body(rest) {
            Body::Message { author, text } => {
                messages.push(WaMessage {
                    line: line_no,
                    timestamp,
                    author,
                    text: text.to_string(),
                });
                last = Last::Message;
            }
            Body::System { text } => {
                let text = trim_leading_marks(text);
                system_lines.push(WaSystemLine {
                    line: line_no,
                    timestamp,
                    kind: classify(text).unwrap_or(SystemKind::Other),
                    text: text.to_string(),
                });
                last = Last::System;
            }
        }
    }
    for m in &mut messages {
        trim_trailing_newlines(&mut m.text);
    }
    for s in &mut system_lines {
        trim_trailing_newlines(&mut s.text);
    }

    let mut counts: HashMap<&str, usize> = HashMap::new();
    for m in &messages {
        *counts.entry(m.author.as_str()).or_default() += 1;
    }
    let mut participants: Vec<(String, usize)> = counts
        .into_iter()
        .map(|(a, n)| (a.to_string(), n))
        .collect();
    participants.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let is_group = participants.len() > 2 || system_lines.iter().any(|s| s.kind.is_group_event());
    let layout = if bracket_headers > dash_headers {
        Layout::Ios
    } else {
        Layout::Android
    };
    Ok(WaChat {
        layout,
        date_order,
        date_order_decided,
        messages,
        system_lines,
        is_group,
        participants,
    })
}

fn trim_trailing_newlines(s: &mut String) {
    let keep = s.trim_end_matches(['\n', '\r']).len();
    s.truncate(keep);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_splitting_handles_all_endings() {
        let v: Vec<&str> = split_lines("a\r\nb\rc\nd").collect();
        assert_eq!(v, ["a", "b", "c", "d"]);
        let v: Vec<&str> = split_lines("\r\r\n\n").collect();
        assert_eq!(v, ["", "", "", ""]);
        let v: Vec<&str> = split_lines("x\n").collect();
        assert_eq!(v, ["x", ""]);
        assert_eq!(split_lines("").collect::<Vec<_>>(), [""]);
    }

    #[test]
    fn a_start_decides_only_with_enough_lines() {
        let header = "12/03/2024, 09:15 - Ana: hello\n";
        let csv_line = "timestamp,chat,dir\n";
        // Blank lines do not count.
        let nineteen = format!("\n \n{}", csv_line.repeat(19));
        assert_eq!(decided_from_start(&nineteen), None);
        let twenty = csv_line.repeat(20);
        assert_eq!(decided_from_start(&twenty), Some(false));
        assert!(!looks_like_whatsapp(&format!("{twenty}{header}")));
        assert_eq!(
            decided_from_start(&format!("{nineteen}{header}")),
            Some(true)
        );
        assert_eq!(decided_from_start(header), Some(true));
        assert!(looks_like_whatsapp(&format!("{nineteen}{header}")));
    }

    #[test]
    fn capture_group_indices_match_names() {
        let names: Vec<Option<&str>> = HEADER_RE.capture_names().collect();
        for (name, idx) in [
            ("br", G_BR),
            ("d1", G_D1),
            ("s1", G_S1),
            ("d2", G_D2),
            ("s2", G_S2),
            ("d3", G_D3),
            ("h", G_H),
            ("mi", G_MI),
            ("se", G_SE),
            ("ap", G_AP),
            ("term", G_TERM),
        ] {
            assert_eq!(names[idx], Some(name));
        }
    }

    #[test]
    fn header_variants() {
        let mut s = Scratch::default();
        for l in [
            "1/29/18, 12:24 - A: b",
            "[1/29/18, 12:24:03 PM] A: b",
            "\u{200E}[\u{FEFF}29.01.18, 12:24:03] A: b",
            "2022/12/14, 13:34. - A: b",
            "13.06.18 21.25.15: a: m",
            "13. 6. 2018. 21:25:15 a: m",
            "12.07.2017 - 22:35:22; J: x",
        ] {
            assert!(match_header(l, &mut s).is_some(), "{l}");
        }
        assert!(match_header("hello 1/2/3", &mut s).is_none());
        assert!(match_header("13.06.18 21.25.15 no author", &mut s).is_none());
    }
}
