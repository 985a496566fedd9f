//! Timestamp parsing for every format the metric contract accepts, and the
//! report time zone that turns wall-clock times into instants and back.
//!
//! The hand-written parser handles the common layouts byte by byte because a
//! ten-million-row log spends most of its import time here; chrono's
//! format-string parsers are kept for the rarer RFC 2822 style layouts.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone, Timelike,
};
use chrono_tz::{OffsetComponents, Tz};
use serde::{Deserialize, Serialize};

/// Order of day and month in a slash date such as `03/04/2024`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    DayFirst,
    MonthFirst,
}

/// How a column's slash-date order was chosen, for the import report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderSource {
    /// The user said so (`--dayfirst` / `--monthfirst`).
    Override,
    /// A value in the column could only be read one way.
    Inferred,
    /// Nothing decided; day first was assumed.
    Assumed,
}

/// A parsed timestamp: either an instant (the text carried an offset or was
/// unix time) or a wall-clock time still to be placed in the report zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parsed {
    Instant(i64),
    Naive(NaiveDateTime),
}

const DAY_MS: i64 = 86_400_000;

/// The report time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportZone {
    pub tz: Tz,
}

impl ReportZone {
    pub fn utc() -> Self {
        Self { tz: Tz::UTC }
    }

    /// Parses an IANA zone name such as `Europe/Berlin` (also `UTC`).
    pub fn from_name(name: &str) -> Option<Self> {
        name.trim().parse::<Tz>().ok().map(|tz| Self { tz })
    }

    /// The system zone: `TZ` when it names a zone (as the C library reads
    /// it), else the zone the system is set to, else UTC.
    pub fn system() -> Self {
        std::env::var("TZ")
            .ok()
            .and_then(|tz| Self::from_name(tz.trim_start_matches(':')))
            .or_else(|| {
                iana_time_zone::get_timezone()
                    .ok()
                    .and_then(|n| Self::from_name(&n))
            })
            .unwrap_or_else(Self::utc)
    }

    pub fn name(&self) -> &'static str {
        self.tz.name()
    }

    /// Whether the zone is UTC under any of its names (`Etc/UTC` is what
    /// most servers and containers are set to): then wall time is UTC and
    /// no zone rules need looking up.
    fn is_utc(self) -> bool {
        matches!(
            self.tz,
            Tz::UTC
                | Tz::Etc__UTC
                | Tz::Etc__UCT
                | Tz::Etc__Universal
                | Tz::Etc__Zulu
                | Tz::UCT
                | Tz::Universal
                | Tz::Zulu
                | Tz::GMT
                | Tz::Etc__GMT
                | Tz::Etc__Greenwich
                | Tz::Greenwich
        )
    }

    /// Instant (epoch milliseconds) of a wall-clock time in this zone. An
    /// ambiguous time (clocks going back) resolves to standard time; a time
    /// that does not exist (clocks going forward) shifts forward by the gap.
    pub fn to_instant(&self, naive: NaiveDateTime) -> i64 {
        if self.is_utc() {
            return naive.and_utc().timestamp_millis();
        }
        match self.tz.from_local_datetime(&naive) {
            LocalResult::Single(dt) => dt.timestamp_millis(),
            LocalResult::Ambiguous(a, b) => {
                let standard = if a.offset().dst_offset().is_zero() {
                    a
                } else {
                    b
                };
                standard.timestamp_millis()
            }
            LocalResult::None => {
                // Read the wall time with the offset in force just before the gap.
                let probe = naive - Duration::hours(24);
                let before = self
                    .tz
                    .offset_from_utc_datetime(&probe)
                    .fix()
                    .local_minus_utc();
                (naive - Duration::seconds(i64::from(before)))
                    .and_utc()
                    .timestamp_millis()
            }
        }
    }

    /// Wall-clock time in this zone of an instant.
    pub fn local(&self, ms: i64) -> NaiveDateTime {
        let utc = DateTime::from_timestamp_millis(ms).unwrap_or_default();
        if self.is_utc() {
            return utc.naive_utc();
        }
        utc.with_timezone(&self.tz).naive_local()
    }

    /// The instant a timestamp cell names, read as [`parse_timestamp`]
    /// and [`ReportZone::resolve`] would. The common
    /// `YYYY-MM-DD hh:mm:ss` layout is read by arithmetic, then put on the
    /// zone's clock: it is what most logs hold, and the import reads one
    /// for every row.
    pub fn instant_of(&self, raw: &str, order: DateOrder) -> Option<i64> {
        match plain_utc_millis(raw.as_bytes()) {
            Some(wall) => self.wall_clock_instant(wall),
            None => parse_timestamp(raw, order).map(|p| self.resolve(p)),
        }
    }

    /// The instant of a cell in the plain `YYYY-MM-DD hh:mm:ss` layout (or
    /// with `T`), and `None` for any other cell, converted by the zone's
    /// rules alone: the reference the importer's [`HourlyOffsets`] is
    /// tested against.
    #[cfg(test)]
    pub fn plain_instant(&self, raw: &str) -> Option<i64> {
        self.wall_clock_instant(plain_utc_millis(raw.as_bytes())?)
    }

    /// The instant of a wall-clock time on this zone's clock, given as
    /// [`plain_utc_millis`] reads it: the time is not parsed again.
    fn wall_clock_instant(self, wall: i64) -> Option<i64> {
        if self.is_utc() {
            return Some(wall);
        }
        DateTime::from_timestamp_millis(wall).map(|t| self.to_instant(t.naive_utc()))
    }

    /// Weekday (0 = Monday) and hour of an instant on this zone's clock.
    /// In UTC it is plain arithmetic: per-touch tallies call this millions
    /// of times.
    pub fn weekday_hour(&self, ms: i64) -> (u32, u32) {
        if self.is_utc() {
            return utc_weekday_hour(ms);
        }
        let local = self.local(ms);
        (local.weekday().num_days_from_monday(), local.hour())
    }

    /// A number for the calendar day of an instant on this zone's clock:
    /// equal for instants on the same local day, one apart for next days.
    pub fn day_number(&self, ms: i64) -> i64 {
        if self.is_utc() {
            return ms.div_euclid(DAY_MS);
        }
        i64::from(self.local(ms).date().num_days_from_ce())
    }

    /// ISO 8601 text of an instant in this zone, with its offset.
    pub fn format_iso(&self, ms: i64) -> String {
        let utc = DateTime::from_timestamp_millis(ms).unwrap_or_default();
        let local = utc.with_timezone(&self.tz);
        if ms % 1000 == 0 {
            local.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
        } else {
            local.format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string()
        }
    }

    /// Instant of local midnight at the start of `date`.
    pub fn midnight(&self, date: NaiveDate) -> i64 {
        self.to_instant(date.and_time(NaiveTime::MIN))
    }

    pub fn resolve(&self, parsed: Parsed) -> i64 {
        match parsed {
            Parsed::Instant(ms) => ms,
            Parsed::Naive(n) => self.to_instant(n),
        }
    }
}

const HOUR_MS: i64 = 3_600_000;

/// Weekday (0 = Monday) and hour of an instant in UTC.
fn utc_weekday_hour(ms: i64) -> (u32, u32) {
    // 1970-01-01 was a Thursday.
    let weekday = (ms.div_euclid(DAY_MS) + 3).rem_euclid(7) as u32;
    (weekday, (ms.rem_euclid(DAY_MS) / HOUR_MS) as u32)
}

/// A zone's offsets from UTC by the hour, remembered as they are looked
/// up, for the loops that convert a time per row or per touch: chrono-tz
/// searches the zone's changes on every call, which outside UTC made a
/// report a sixth slower. An hour is kept with its offset when both its
/// ends have the same one, and its times are then converted by
/// arithmetic; an hour holding a change goes to chrono-tz every time.
/// That is exact because a zone's changes are days apart (four days at
/// the closest in tzdata's whole history), so no hour holds two changes
/// that cancel out.
pub struct HourlyOffsets {
    zone: ReportZone,
    /// Hours counted on the zone's clock (for wall-clock times read from
    /// a file) rather than in UTC (for instants shown on the clock).
    wall_clock: bool,
    /// By hour number modulo the length: the hour, and its offset in
    /// milliseconds or [`HourlyOffsets::CHANGES`].
    slots: Vec<(i64, i64)>,
    /// The date of the last plain cell read, as written, and its midnight
    /// as [`plain_date_millis`] reads it: a log's rows come in time order,
    /// so most cells share the date of the one before.
    last_date: Option<([u8; 10], i64)>,
}

impl HourlyOffsets {
    /// Slots: five and a half months of hours, each its own slot.
    const SLOTS: i64 = 4096;
    /// The offset of an hour that holds a change.
    const CHANGES: i64 = i64::MIN;

    /// For instants shown on the zone's clock.
    pub fn of_instants(zone: ReportZone) -> Self {
        Self::new(zone, false)
    }

    /// For wall-clock times read on the zone's clock.
    pub fn of_wall_clock(zone: ReportZone) -> Self {
        Self::new(zone, true)
    }

    fn new(zone: ReportZone, wall_clock: bool) -> Self {
        let slots = if zone.is_utc() {
            Vec::new()
        } else {
            vec![(i64::MIN, 0); Self::SLOTS as usize]
        };
        Self {
            zone,
            wall_clock,
            slots,
            last_date: None,
        }
    }

    /// The offset of the hour holding `ms`; `None` in UTC's place (no
    /// slots) and for an hour holding a change.
    fn offset_ms(&mut self, ms: i64) -> Option<i64> {
        if self.slots.is_empty() {
            return None;
        }
        let hour = ms.div_euclid(HOUR_MS);
        let slot = &mut self.slots[hour.rem_euclid(Self::SLOTS) as usize];
        if slot.0 != hour {
            *slot = (hour, Self::CHANGES);
            // An hour at the ends of the i64 range has no ends to read (nor
            // could chrono show it): it stays with chrono-tz.
            let start = hour.checked_mul(HOUR_MS);
            let ends = [start, start.and_then(|s| s.checked_add(HOUR_MS - 1))].map(|at| {
                at.and_then(DateTime::from_timestamp_millis)
                    .map(|t| t.naive_utc())
            });
            let offsets = ends.map(|end| {
                let end = end?;
                let offset = if self.wall_clock {
                    self.zone.tz.offset_from_local_datetime(&end).single()?
                } else {
                    self.zone.tz.offset_from_utc_datetime(&end)
                };
                Some(i64::from(offset.fix().local_minus_utc()) * 1000)
            });
            if let [Some(first), Some(last)] = offsets
                && first == last
            {
                slot.1 = first;
            }
        }
        (slot.1 != Self::CHANGES).then_some(slot.1)
    }

    pub fn zone(&self) -> &ReportZone {
        &self.zone
    }

    /// The instant of a cell in the plain `YYYY-MM-DD hh:mm:ss` layout (or
    /// with `T`), and `None` for any other cell. Such a cell reads the same
    /// in either date order and tells nothing about the order, so the
    /// importer reads it while it splits the file, before the order of the
    /// other cells is known.
    pub fn plain_instant(&mut self, raw: &str) -> Option<i64> {
        debug_assert!(self.wall_clock);
        let b = raw.as_bytes();
        let (date, time) = (b.get(..10)?, b.get(10..)?);
        let day = match self.last_date {
            Some((last, day)) if last == date => day,
            _ => {
                let day = plain_date_millis(date)?;
                self.last_date = Some((date.try_into().ok()?, day));
                day
            }
        };
        let wall = day + plain_time_millis(time)?;
        match self.offset_ms(wall) {
            Some(offset) => Some(wall - offset),
            // UTC, or an hour holding a change: the cell is not read again.
            None => self.zone.wall_clock_instant(wall),
        }
    }

    /// [`ReportZone::weekday_hour`].
    pub fn weekday_hour(&mut self, ms: i64) -> (u32, u32) {
        debug_assert!(!self.wall_clock);
        match self.offset_ms(ms) {
            Some(offset) => utc_weekday_hour(ms + offset),
            None => self.zone.weekday_hour(ms),
        }
    }

    /// The wall-clock time of an instant on the zone's clock, as
    /// milliseconds since 1970-01-01 00:00 of that clock.
    pub fn local_millis(&mut self, ms: i64) -> i64 {
        debug_assert!(!self.wall_clock);
        match self.offset_ms(ms) {
            Some(offset) => ms + offset,
            None => self.zone.local(ms).and_utc().timestamp_millis(),
        }
    }

    /// [`ReportZone::day_number`].
    pub fn day_number(&mut self, ms: i64) -> i64 {
        debug_assert!(!self.wall_clock);
        match self.offset_ms(ms) {
            Some(offset) => (ms + offset).div_euclid(DAY_MS) + UNIX_EPOCH_DAY,
            None => self.zone.day_number(ms),
        }
    }
}

/// 1970-01-01 counted as chrono counts days from the common era.
const UNIX_EPOCH_DAY: i64 = 719_163;

/// Evidence a column gives about its slash-date order.
#[derive(Debug, Default, Clone, Copy)]
pub struct OrderEvidence {
    pub day_first: u64,
    pub month_first: u64,
    pub slash_values: u64,
}

impl OrderEvidence {
    pub fn observe(&mut self, s: &str) {
        let b = s.trim().as_bytes();
        let Some((first, second, sep)) = leading_day_month(b) else {
            return;
        };
        if sep != b'/' && sep != b'-' {
            return;
        }
        if has_meridiem(b) {
            return;
        }
        self.slash_values += 1;
        if first > 12 && second <= 12 {
            self.day_first += 1;
        } else if second > 12 && first <= 12 {
            self.month_first += 1;
        }
    }

    /// Evidence of a whole column from the evidence of its parts.
    #[must_use]
    pub fn merge(self, other: Self) -> Self {
        Self {
            day_first: self.day_first + other.day_first,
            month_first: self.month_first + other.month_first,
            slash_values: self.slash_values + other.slash_values,
        }
    }

    /// What a whole column says, read in parallel stretches.
    pub fn of_column(column: &super::raw::TextColumn) -> Self {
        use rayon::prelude::*;
        // A column whose cells were all read as instants while splitting.
        if column.cells().null_count() == column.len() {
            return Self::default();
        }
        column
            .stretches()
            .par_iter()
            .map(|part| {
                let mut e = Self::default();
                for v in part.iter().flatten() {
                    e.observe(v);
                }
                e
            })
            .reduce(Self::default, Self::merge)
    }

    /// The order to use and how it was chosen; `None` when the column holds
    /// no slash dates at all.
    pub fn decide(&self, forced: Option<DateOrder>) -> Option<(DateOrder, OrderSource)> {
        if let Some(order) = forced {
            return Some((order, OrderSource::Override));
        }
        if self.slash_values == 0 {
            return None;
        }
        Some(match (self.day_first, self.month_first) {
            (0, 0) => (DateOrder::DayFirst, OrderSource::Assumed),
            (d, m) if d >= m => (DateOrder::DayFirst, OrderSource::Inferred),
            _ => (DateOrder::MonthFirst, OrderSource::Inferred),
        })
    }
}

/// `(first, second, separator)` of a leading `d{1,2}[/.-]d{1,2}[/.-]d{2,4}`.
fn leading_day_month(b: &[u8]) -> Option<(u32, u32, u8)> {
    let mut p = Cursor { b, i: 0 };
    let (first, n1) = p.number(2);
    if n1 == 0 {
        return None;
    }
    let sep = p.peek()?;
    if !matches!(sep, b'/' | b'.' | b'-') {
        return None;
    }
    p.i += 1;
    let (second, n2) = p.number(2);
    if n2 == 0 || p.peek()? != sep {
        return None;
    }
    Some((first, second, sep))
}

fn has_meridiem(b: &[u8]) -> bool {
    // Only the tail can hold AM/PM; scanning it keeps this cheap.
    let tail = &b[b.len().saturating_sub(8)..];
    let lower: Vec<u8> = tail
        .iter()
        .filter(|c| c.is_ascii_alphabetic())
        .map(u8::to_ascii_lowercase)
        .collect();
    lower.ends_with(b"am") || lower.ends_with(b"pm")
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Reads up to `max` digits; returns the value and how many were read.
    fn number(&mut self, max: usize) -> (u32, usize) {
        let start = self.i;
        let mut v: u32 = 0;
        while self.i < self.b.len() && self.i - start < max && self.b[self.i].is_ascii_digit() {
            v = v * 10 + u32::from(self.b[self.i] - b'0');
            self.i += 1;
        }
        (v, self.i - start)
    }

    fn exact(&mut self, n: usize) -> Option<u32> {
        let (v, got) = self.number(n);
        (got == n).then_some(v)
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn skip_spaces(&mut self) {
        while let Some(c) = self.peek() {
            if c == b' ' || c == b'\t' {
                self.i += 1;
            } else if self.b[self.i..].starts_with("\u{a0}".as_bytes())
                || self.b[self.i..].starts_with("\u{202f}".as_bytes())
            {
                self.i += if self.b[self.i..].starts_with("\u{a0}".as_bytes()) {
                    2
                } else {
                    3
                };
            } else {
                break;
            }
        }
    }

    fn rest(&self) -> &[u8] {
        &self.b[self.i.min(self.b.len())..]
    }

    fn done(&self) -> bool {
        self.i >= self.b.len()
    }
}

/// Milliseconds since the epoch of `YYYY-MM-DD hh:mm:ss` (or with `T`)
/// read as UTC; `None` for any other layout or an impossible date or time,
/// which the general parser then judges.
fn plain_utc_millis(b: &[u8]) -> Option<i64> {
    if b.len() != 19 {
        return None;
    }
    Some(plain_date_millis(&b[..10])? + plain_time_millis(&b[10..])?)
}

/// The digits of `b` as a number; `None` unless every byte is a digit.
fn digits(b: &[u8]) -> Option<i64> {
    b.iter().try_fold(0i64, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
    })
}

/// Milliseconds since the epoch of midnight (UTC) on a `YYYY-MM-DD` date:
/// the first ten bytes of a [`plain_utc_millis`] cell.
fn plain_date_millis(b: &[u8]) -> Option<i64> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (year, month, day) = (digits(&b[..4])?, digits(&b[5..7])?, digits(&b[8..])?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day < 1 || day > month_days {
        return None;
    }
    // Days from 1970-01-01 to the civil date (years counted from March, so
    // that the leap day ends a year).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    Some(days * 86_400_000)
}

/// Milliseconds into the day of ` hh:mm:ss` (or with `T`): the last nine
/// bytes of a [`plain_utc_millis`] cell.
fn plain_time_millis(b: &[u8]) -> Option<i64> {
    if b.len() != 9 || !matches!(b[0], b' ' | b'T' | b't') || b[3] != b':' || b[6] != b':' {
        return None;
    }
    let (hour, minute, second) = (digits(&b[1..3])?, digits(&b[4..6])?, digits(&b[7..])?);
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    Some((hour * 60 + minute) * 60_000 + second * 1000)
}

/// Parses one timestamp. `order` decides slash dates without AM/PM.
pub fn parse_timestamp(raw: &str, order: DateOrder) -> Option<Parsed> {
    let s = raw.trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    let b = s.as_bytes();
    if b.iter().all(u8::is_ascii_digit) {
        return parse_unix(s);
    }
    if b.len() >= 8 && b[..4].iter().all(u8::is_ascii_digit) && matches!(b[4], b'-' | b'/') {
        return parse_year_first(b);
    }
    if b[0].is_ascii_digit()
        && let Some(p) = parse_day_month(b, order)
    {
        return Some(p);
    }
    parse_textual(s)
}

fn parse_unix(s: &str) -> Option<Parsed> {
    if !(9..=13).contains(&s.len()) {
        return None;
    }
    let v: i64 = s.parse().ok()?;
    Some(Parsed::Instant(if v >= 100_000_000_000 {
        v
    } else {
        v * 1000
    }))
}

fn parse_year_first(b: &[u8]) -> Option<Parsed> {
    let mut p = Cursor { b, i: 0 };
    let year = p.exact(4)?;
    let sep = b[4];
    p.i = 5;
    let (month, nm) = p.number(2);
    if nm == 0 || !p.eat(sep) {
        return None;
    }
    let (day, nd) = p.number(2);
    if nd == 0 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year as i32, month, day)?;
    if p.done() {
        return Some(Parsed::Naive(date.and_time(NaiveTime::MIN)));
    }
    if !(p.eat(b'T') || p.eat(b't') || p.eat(b' ')) {
        return None;
    }
    p.skip_spaces();
    let time = parse_time(&mut p)?;
    p.skip_spaces();
    let naive = date.and_time(time);
    match parse_offset(p.rest())? {
        UtcOffset::Naive => Some(Parsed::Naive(naive)),
        UtcOffset::Seconds(offset_secs) => Some(Parsed::Instant(
            (naive - Duration::seconds(i64::from(offset_secs)))
                .and_utc()
                .timestamp_millis(),
        )),
    }
}

/// `H:MM[:SS[.fff]]` with an optional AM/PM marker (applied in place).
fn parse_time(p: &mut Cursor) -> Option<NaiveTime> {
    let (mut hour, nh) = p.number(2);
    if nh == 0 || !(p.eat(b':') || p.eat(b'.')) {
        return None;
    }
    let minute = p.exact(2)?;
    let mut second = 0;
    let mut nanos = 0;
    if p.peek() == Some(b':') {
        p.i += 1;
        second = p.exact(2)?;
        if p.peek() == Some(b'.') || p.peek() == Some(b',') {
            p.i += 1;
            let start = p.i;
            let mut frac: u64 = 0;
            let mut digits = 0;
            while let Some(c) = p.peek() {
                if !c.is_ascii_digit() {
                    break;
                }
                if digits < 9 {
                    frac = frac * 10 + u64::from(c - b'0');
                    digits += 1;
                }
                p.i += 1;
            }
            if p.i == start {
                return None;
            }
            nanos = (frac * 10u64.pow(9 - digits)) as u32;
        }
    }
    let save = p.i;
    p.skip_spaces();
    if let Some(pm) = meridiem(p) {
        if hour == 0 || hour > 12 {
            return None;
        }
        hour = match (hour, pm) {
            (12, false) => 0,
            (12, true) => 12,
            (h, true) => h + 12,
            (h, false) => h,
        };
    } else {
        p.i = save;
    }
    NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)
}

/// Reads `AM`, `pm`, `a.m.`, `p. m.` and similar; `Some(true)` for PM.
fn meridiem(p: &mut Cursor) -> Option<bool> {
    let rest = p.rest();
    let first = rest.first()?.to_ascii_lowercase();
    if first != b'a' && first != b'p' {
        return None;
    }
    let mut i = 1;
    if rest.get(i) == Some(&b'.') {
        i += 1;
    }
    while rest.get(i) == Some(&b' ') {
        i += 1;
    }
    if rest.get(i).map(u8::to_ascii_lowercase) != Some(b'm') {
        return None;
    }
    i += 1;
    if rest.get(i) == Some(&b'.') {
        i += 1;
    }
    p.i += i;
    Some(first == b'p')
}

/// What follows a time: nothing (a wall-clock time) or a UTC offset.
enum UtcOffset {
    Naive,
    Seconds(i32),
}

/// `Z`, `±HH:MM`, `±HHMM`, `±HH`, ` UTC`; `None` when the text is not an offset.
fn parse_offset(rest: &[u8]) -> Option<UtcOffset> {
    let rest = trim_ascii(rest);
    if rest.is_empty() {
        return Some(UtcOffset::Naive);
    }
    if rest.eq_ignore_ascii_case(b"z") || rest.eq_ignore_ascii_case(b"utc") || rest == b"GMT" {
        return Some(UtcOffset::Seconds(0));
    }
    let sign = match rest[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: Vec<u8> = rest[1..].iter().copied().filter(|c| *c != b':').collect();
    if !digits.iter().all(u8::is_ascii_digit) || !matches!(digits.len(), 2 | 4) {
        return None;
    }
    let hh = i32::from(digits[0] - b'0') * 10 + i32::from(digits[1] - b'0');
    let mm = if digits.len() == 4 {
        i32::from(digits[2] - b'0') * 10 + i32::from(digits[3] - b'0')
    } else {
        0
    };
    if hh > 18 || mm > 59 {
        return None;
    }
    Some(UtcOffset::Seconds(sign * (hh * 3600 + mm * 60)))
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &b[start..end]
}

fn parse_day_month(b: &[u8], order: DateOrder) -> Option<Parsed> {
    let (first, second, sep) = leading_day_month(b)?;
    let mut p = Cursor { b, i: 0 };
    p.number(2);
    p.i += 1;
    p.number(2);
    p.i += 1;
    let (year_raw, ny) = p.number(4);
    let year = match ny {
        2 => 2000 + year_raw,
        4 => year_raw,
        _ => return None,
    };
    let meridiem_present = has_meridiem(b);
    let (day, month) = if sep == b'.' {
        (first, second)
    } else if meridiem_present {
        (second, first)
    } else {
        match order {
            DateOrder::DayFirst => (first, second),
            DateOrder::MonthFirst => (second, first),
        }
    };
    let date = NaiveDate::from_ymd_opt(year as i32, month, day)?;
    p.eat(b',');
    p.skip_spaces();
    if p.done() {
        return Some(Parsed::Naive(date.and_time(NaiveTime::MIN)));
    }
    let time = parse_time(&mut p)?;
    p.skip_spaces();
    let naive = date.and_time(time);
    match parse_offset(p.rest())? {
        UtcOffset::Naive => Some(Parsed::Naive(naive)),
        UtcOffset::Seconds(off) => Some(Parsed::Instant(
            (naive - Duration::seconds(i64::from(off)))
                .and_utc()
                .timestamp_millis(),
        )),
    }
}

/// RFC 2822 (`Wed, 11 Oct 2017 06:55:44 +0000`), the Twitter API layout
/// (`Wed Oct 11 06:55:44 +0000 2017`) and RFC 3339 leftovers.
fn parse_textual(s: &str) -> Option<Parsed> {
    if let Some(p) = parse_twitter(s.as_bytes()) {
        return Some(p);
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(s) {
        return Some(Parsed::Instant(dt.timestamp_millis()));
    }
    if let Ok(dt) = DateTime::parse_from_str(s, "%a %b %d %H:%M:%S %z %Y") {
        return Some(Parsed::Instant(dt.timestamp_millis()));
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(Parsed::Instant(dt.timestamp_millis()));
    }
    None
}

/// The Twitter API layout, `Wed Oct 11 06:55:44 +0000 2017`, read by hand:
/// chrono's format parser costs more than the rest of the row's import.
/// `None` for anything else, which chrono then reads as before.
fn parse_twitter(b: &[u8]) -> Option<Parsed> {
    const WEEKDAYS: [&[u8]; 7] = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];
    const MONTHS: [&[u8]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let shaped = b.len() == 30
        && [3, 7, 10, 19, 25].iter().all(|&i| b[i] == b' ')
        && b[13] == b':'
        && b[16] == b':';
    if !shaped {
        return None;
    }
    let number = |from: usize, to: usize| u32::try_from(digits(&b[from..to])?).ok();
    let month = MONTHS.iter().position(|m| *m == &b[4..7])? as u32 + 1;
    let date = NaiveDate::from_ymd_opt(number(26, 30)? as i32, month, number(8, 10)?)?;
    if WEEKDAYS[date.weekday().num_days_from_monday() as usize] != &b[0..3] {
        return None;
    }
    let time = NaiveTime::from_hms_opt(number(11, 13)?, number(14, 16)?, number(17, 19)?)?;
    let (hours, minutes) = (number(21, 23)?, number(23, 25)?);
    if hours > 23 || minutes > 59 {
        return None;
    }
    let offset = i64::from(hours * 3600 + minutes * 60);
    let offset = match b[20] {
        b'+' => offset,
        b'-' => -offset,
        _ => return None,
    };
    Some(Parsed::Instant(
        (date.and_time(time) - Duration::seconds(offset))
            .and_utc()
            .timestamp_millis(),
    ))
}

/// Local calendar facts of an instant, used for slots, weekdays and hours.
pub fn weekday_hour(zone: &ReportZone, ms: i64) -> (usize, usize) {
    let local = zone.local(ms);
    (
        local.weekday().num_days_from_monday() as usize,
        local.hour() as usize,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str, order: DateOrder) -> Option<String> {
        let z = ReportZone::utc();
        parse_timestamp(s, order).map(|p| z.format_iso(z.resolve(p)))
    }

    /// The hand reader of the Twitter layout gives what chrono's format
    /// parser gives, or leaves the cell to it.
    #[test]
    fn twitter_layout_reads_as_chrono_reads_it() {
        let weekdays = [
            "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "wed", "Xyz",
        ];
        let months = ["Jan", "Feb", "Oct", "Dec", "oct", "Foo"];
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) % n
        };
        let mut read = 0;
        for _ in 0..20_000 {
            let s = format!(
                "{} {} {:02} {:02}:{:02}:{:02} {}{:02}{:02} {}",
                weekdays[next(9) as usize],
                months[next(6) as usize],
                next(33),
                next(26),
                next(61),
                next(62),
                ["+", "-", "*"][next(3) as usize],
                next(26),
                next(61),
                1999 + next(30),
            );
            let chrono = DateTime::parse_from_str(&s, "%a %b %d %H:%M:%S %z %Y")
                .ok()
                .map(|dt| dt.timestamp_millis());
            match parse_twitter(s.as_bytes()) {
                Some(Parsed::Instant(ms)) => {
                    assert_eq!(Some(ms), chrono, "{s}");
                    read += 1;
                }
                Some(Parsed::Naive(_)) => panic!("{s}: an offset was given"),
                None => {}
            }
        }
        assert!(read > 100, "{read} read by hand");
        assert_eq!(
            utc("Wed Oct 11 06:55:44 +0000 2017", DateOrder::DayFirst).as_deref(),
            Some("2017-10-11T06:55:44+00:00")
        );
        assert_eq!(
            utc("Wed Oct 11 06:55:44 -0130 2017", DateOrder::DayFirst).as_deref(),
            Some("2017-10-11T08:25:44+00:00")
        );
    }

    #[test]
    fn utc_under_any_name_reads_as_the_zone_rules_do() {
        let walls = [
            "1969-12-31 23:59:59",
            "2024-03-31 02:30:00",
            "2024-10-27 02:30:00",
            "2038-01-19 03:14:08",
        ];
        for zone in [Tz::UTC, Tz::Etc__UTC, Tz::Zulu, Tz::GMT, Tz::Etc__Greenwich] {
            let z = ReportZone { tz: zone };
            assert!(z.is_utc());
            for wall in walls {
                let naive = NaiveDateTime::parse_from_str(wall, "%Y-%m-%d %H:%M:%S").unwrap();
                let by_rules = zone.from_local_datetime(&naive).single().unwrap();
                assert_eq!(z.to_instant(naive), by_rules.timestamp_millis(), "{zone}");
                assert_eq!(z.local(by_rules.timestamp_millis()), naive, "{zone}");
            }
        }
        assert!(!ReportZone::from_name("Europe/London").unwrap().is_utc());
    }

    #[test]
    fn plain_layout_reads_as_the_general_parser_does() {
        let utc = ReportZone::utc();
        let general = |s: &str| parse_timestamp(s, DateOrder::DayFirst).map(|p| utc.resolve(p));
        let mut cells: Vec<String> = Vec::new();
        // Every day of some years (leap, not leap, centuries, year 0), at
        // times from the start to the end of a day.
        for year in [
            0, 1, 1600, 1899, 1900, 1969, 1970, 2000, 2023, 2024, 2100, 9999,
        ] {
            for month in 0..=13 {
                for day in 0..=32 {
                    for time in ["00:00:00", "23:59:59", "12:07:30"] {
                        cells.push(format!("{year:04}-{month:02}-{day:02} {time}"));
                    }
                }
            }
        }
        cells.extend(
            [
                "2024-03-04T04:09:09",
                "2024-03-04t04:09:09",
                "2024-02-29 24:00:00",
                "2024-02-29 23:60:00",
                "2024-02-29 23:59:60",
                "2024-02-29 23:59:5x",
                "2024/02/29 23:59:59",
                "2024-02-29 23:59:59Z",
                "2024-2-29 23:59:59",
                " 2024-02-29 23:59:5",
                "+024-02-29 23:59:59",
                "2024-02-29 -3:59:59",
            ]
            .map(String::from),
        );
        // Times in and around DST changes, where a wall-clock time has two
        // instants or none: Berlin, New York and Lord Howe (half an hour).
        cells.extend(
            [
                "2024-03-31 02:30:00",
                "2024-10-27 02:30:00",
                "2024-10-27 01:59:59",
                "2024-10-27 03:00:00",
                "2024-03-10 02:30:00",
                "2024-11-03 01:30:00",
                "2024-04-07 01:45:00",
                "2024-10-06 02:15:00",
            ]
            .map(String::from),
        );
        let berlin = ReportZone::from_name("Europe/Berlin").unwrap();
        let zones = [
            utc,
            berlin,
            ReportZone::from_name("America/New_York").unwrap(),
            ReportZone::from_name("Australia/Lord_Howe").unwrap(),
        ];
        for cell in &cells {
            if let Some(fast) = plain_utc_millis(cell.as_bytes()) {
                assert_eq!(Some(fast), general(cell), "{cell}");
            }
            for zone in zones {
                // The layout read by arithmetic lands where the general
                // parser and the zone's rules put it, in either date order.
                for order in [DateOrder::DayFirst, DateOrder::MonthFirst] {
                    let by_rules = parse_timestamp(cell, order).map(|p| zone.resolve(p));
                    assert_eq!(
                        zone.instant_of(cell, order),
                        by_rules,
                        "{cell} {}",
                        zone.name()
                    );
                }
                // Read before the date order is known: only where either
                // order reads it the same, and where it is no evidence.
                if let Some(early) = zone.plain_instant(cell) {
                    for order in [DateOrder::DayFirst, DateOrder::MonthFirst] {
                        assert_eq!(Some(early), zone.instant_of(cell, order), "{cell}");
                    }
                    let mut evidence = OrderEvidence::default();
                    evidence.observe(cell);
                    assert_eq!(evidence.decide(None), None, "{cell}");
                }
            }
        }
        // The layout is the common case, so the arithmetic must have run.
        assert!(plain_utc_millis(b"2024-03-04 04:09:09").is_some());
        assert!(plain_utc_millis(b"0000-02-29 00:00:00").is_some());
        // In another zone the general rules apply.
        let cell = "2024-07-01 12:00:00";
        let expected = parse_timestamp(cell, DateOrder::DayFirst).map(|p| berlin.resolve(p));
        assert_eq!(berlin.instant_of(cell, DateOrder::DayFirst), expected);
        assert_ne!(expected, general(cell));
    }

    /// The hourly table converts as the zone's rules do, in hours with a
    /// change of offset and without, visited in order and scattered over
    /// more hours than it has slots.
    #[test]
    fn hourly_offsets_convert_as_the_zone_does() {
        let zones = [
            "UTC",
            "Europe/Berlin",
            "America/New_York",
            "Australia/Lord_Howe",
            "Pacific/Chatham",
            "America/Sao_Paulo",
            "Europe/Dublin",
            "Asia/Kolkata",
        ];
        // 2017–2018 (São Paulo still changed its clocks) in steps of
        // 17 min 13.5 s, then the same instants in a scattered order.
        let start = 1_483_228_800_000i64;
        let step = 1_033_500;
        let count = 2 * 365 * 86_400_000 / step;
        let ordered: Vec<i64> = (0..count).map(|k| start + k * step).collect();
        let scattered: Vec<i64> = (0..count)
            .map(|k| start + (k * 7_919 % count) * step)
            .collect();
        for name in zones {
            let zone = ReportZone::from_name(name).unwrap();
            let mut shown = HourlyOffsets::of_instants(zone);
            let mut read = HourlyOffsets::of_wall_clock(zone);
            // Instants at the ends of the range go to chrono-tz, unharmed.
            for ms in [i64::MIN, i64::MAX] {
                assert_eq!(shown.weekday_hour(ms), zone.weekday_hour(ms), "{name} {ms}");
                assert_eq!(shown.day_number(ms), zone.day_number(ms), "{name} {ms}");
            }
            for &ms in ordered.iter().chain(&scattered) {
                // The offset itself: a change inside an hour (Lord Howe's,
                // at half past in UTC) need not move the hour shown.
                if let Some(offset) = shown.offset_ms(ms) {
                    let local = zone.local(ms).and_utc().timestamp_millis();
                    assert_eq!(ms + offset, local, "{name} {ms}");
                }
                assert_eq!(shown.weekday_hour(ms), zone.weekday_hour(ms), "{name} {ms}");
                assert_eq!(shown.day_number(ms), zone.day_number(ms), "{name} {ms}");
                // The same numbers as wall-clock times, in gaps and
                // repeated hours too.
                let wall = DateTime::from_timestamp_millis(ms - ms % 1000).unwrap();
                let cell = wall.naive_utc().format("%Y-%m-%d %H:%M:%S").to_string();
                assert_eq!(
                    read.plain_instant(&cell),
                    zone.plain_instant(&cell),
                    "{name} {cell}"
                );
            }
        }
    }

    /// The importer remembers the last cell's date: a cell of the same
    /// date with a bad time, a bad date after a good one and cells of other
    /// layouts in between read as they do on their own.
    #[test]
    fn plain_cells_read_alike_after_the_date_before() {
        let cells = [
            "2024-02-28 23:59:59",
            "2024-02-28 00:00:00",
            "2024-02-28 24:00:00",
            "2024-02-28T12:30:05",
            "2024-02-28 12:30",
            "2024-02-28",
            "2024-02-29 01:02:03",
            "2023-02-29 01:02:03",
            "2023-02-28 01:02:03",
            "2023-02-28 1:02:03",
            "2023-02-28 01:02:03 ",
            "28/02/2023 01:02:03",
            "2023-02-28x01:02:03",
            "2023-02-28 01:60:03",
            "2023-02-28 01:02:03",
            "",
            "2023-02-28 01:02:03",
        ];
        for name in ["UTC", "America/New_York"] {
            let zone = ReportZone::from_name(name).unwrap();
            let mut read = HourlyOffsets::of_wall_clock(zone);
            for cell in cells {
                assert_eq!(
                    read.plain_instant(cell),
                    zone.plain_instant(cell),
                    "{name} {cell:?}"
                );
            }
        }
        let utc = ReportZone::utc();
        let mut read = HourlyOffsets::of_wall_clock(utc);
        let readings: Vec<Option<i64>> = cells[..4].iter().map(|c| read.plain_instant(c)).collect();
        // 2024-02-28 is day 19,781 since 1970-01-01.
        let midnight = 19_781 * 86_400_000;
        assert_eq!(
            readings,
            [
                Some(midnight + 86_399_000),
                Some(midnight),
                None,
                Some(midnight + 45_005_000)
            ]
        );
    }

    #[test]
    fn weekday_hour_and_day_agree_with_the_calendar() {
        for zone in [Tz::UTC, Tz::Europe__Berlin, Tz::America__Los_Angeles] {
            let z = ReportZone { tz: zone };
            // Every 37 minutes and a few milliseconds over three years
            // around the epoch and across DST changes, both signs.
            let step = 37 * 60_000 + 7;
            let mut previous: Option<(i64, chrono::NaiveDate)> = None;
            for ms in (-50_000_000_000i64..50_000_000_000).step_by(step * 997) {
                let local = z.local(ms);
                let expected = (local.weekday().num_days_from_monday(), local.hour());
                assert_eq!(z.weekday_hour(ms), expected, "{zone} {ms}");
                if let Some((day, date)) = previous {
                    let apart = (local.date() - date).num_days();
                    assert_eq!(z.day_number(ms) - day, apart, "{zone} {ms}");
                }
                previous = Some((z.day_number(ms), local.date()));
            }
            for ms in (1_709_251_200_000i64..1_730_000_000_000).step_by(step) {
                let local = z.local(ms);
                let expected = (local.weekday().num_days_from_monday(), local.hour());
                assert_eq!(z.weekday_hour(ms), expected, "{zone} {ms}");
            }
        }
    }

    #[test]
    fn iso_variants() {
        let d = DateOrder::DayFirst;
        assert_eq!(
            utc("2024-03-05T14:07:09Z", d).unwrap(),
            "2024-03-05T14:07:09+00:00"
        );
        assert_eq!(
            utc("2024-03-05 14:07", d).unwrap(),
            "2024-03-05T14:07:00+00:00"
        );
        assert_eq!(
            utc("2024-03-05T14:07:09.250+02:00", d).unwrap(),
            "2024-03-05T12:07:09.250+00:00"
        );
        assert_eq!(
            utc("2024-03-05T14:07:09-0530", d).unwrap(),
            "2024-03-05T19:37:09+00:00"
        );
        assert_eq!(utc("2024-03-05", d).unwrap(), "2024-03-05T00:00:00+00:00");
        assert_eq!(
            utc("2024/03/05 08:00", d).unwrap(),
            "2024-03-05T08:00:00+00:00"
        );
    }

    #[test]
    fn slash_dates_follow_order_and_meridiem() {
        assert_eq!(
            utc("03/04/2024 10:00", DateOrder::DayFirst).unwrap(),
            "2024-04-03T10:00:00+00:00"
        );
        assert_eq!(
            utc("03/04/2024 10:00", DateOrder::MonthFirst).unwrap(),
            "2024-03-04T10:00:00+00:00"
        );
        // With AM/PM the month comes first whatever the column says.
        assert_eq!(
            utc("03/04/2024 10:00 PM", DateOrder::DayFirst).unwrap(),
            "2024-03-04T22:00:00+00:00"
        );
        assert_eq!(
            utc("3/4/24 12:05 am", DateOrder::DayFirst).unwrap(),
            "2024-03-04T00:05:00+00:00"
        );
        assert_eq!(
            utc("29.01.2018 12:24", DateOrder::MonthFirst).unwrap(),
            "2018-01-29T12:24:00+00:00"
        );
    }

    #[test]
    fn impossible_dates_and_garbage_fail() {
        assert!(parse_timestamp("31/02/2024 10:00", DateOrder::DayFirst).is_none());
        assert!(parse_timestamp("2024-13-01", DateOrder::DayFirst).is_none());
        assert!(parse_timestamp("hello", DateOrder::DayFirst).is_none());
        assert!(parse_timestamp("12345", DateOrder::DayFirst).is_none());
        assert!(parse_timestamp("25:00", DateOrder::DayFirst).is_none());
    }

    #[test]
    fn unix_seconds_and_millis() {
        assert_eq!(
            utc("1700000000", DateOrder::DayFirst).unwrap(),
            "2023-11-14T22:13:20+00:00"
        );
        assert_eq!(
            utc("1700000000123", DateOrder::DayFirst).unwrap(),
            "2023-11-14T22:13:20.123+00:00"
        );
    }

    #[test]
    fn textual_layouts() {
        assert_eq!(
            utc("Wed Oct 11 06:55:44 +0000 2017", DateOrder::DayFirst).unwrap(),
            "2017-10-11T06:55:44+00:00"
        );
        assert_eq!(
            utc("Wed, 11 Oct 2017 06:55:44 +0100", DateOrder::DayFirst).unwrap(),
            "2017-10-11T05:55:44+00:00"
        );
    }

    #[test]
    fn order_evidence() {
        let mut e = OrderEvidence::default();
        for s in ["01/02/2024 10:00", "13/02/2024 10:00"] {
            e.observe(s);
        }
        assert_eq!(
            e.decide(None),
            Some((DateOrder::DayFirst, OrderSource::Inferred))
        );
        let mut e = OrderEvidence::default();
        e.observe("02/13/2024 10:00");
        assert_eq!(
            e.decide(None),
            Some((DateOrder::MonthFirst, OrderSource::Inferred))
        );
        let mut e = OrderEvidence::default();
        e.observe("02/03/2024 10:00");
        assert_eq!(
            e.decide(None),
            Some((DateOrder::DayFirst, OrderSource::Assumed))
        );
        assert_eq!(OrderEvidence::default().decide(None), None);
    }

    #[test]
    fn dst_ambiguous_is_standard_and_gap_shifts_forward() {
        let z = ReportZone::from_name("America/New_York").unwrap();
        // 2024-11-03 01:30 happens twice; standard time is EST (-05:00).
        let amb = NaiveDate::from_ymd_opt(2024, 11, 3)
            .unwrap()
            .and_hms_opt(1, 30, 0)
            .unwrap();
        assert_eq!(z.format_iso(z.to_instant(amb)), "2024-11-03T01:30:00-05:00");
        // 2024-03-10 02:30 does not exist; it becomes 03:30 EDT.
        let gap = NaiveDate::from_ymd_opt(2024, 3, 10)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(z.format_iso(z.to_instant(gap)), "2024-03-10T03:30:00-04:00");
    }
}
