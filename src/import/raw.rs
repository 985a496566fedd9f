//! Readers that turn a file's bytes into a table of text cells, whatever the
//! format: the step before column mapping.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};

use calamine::{Data, Reader};
use polars::prelude::*;
use rayon::prelude::*;
use wide::u8x16;

use super::canonical::{parse_bool, parse_number};
use super::progress::Progress;
use super::timestamp::{HourlyOffsets, ReportZone};

/// One column of text cells, already in the form the canonical table keeps
/// them: trimmed, with blank cells missing. Stored as a polars string array,
/// so columns that pass through unchanged are shared, not copied; or, for a
/// column of few values, as a code a row and each value once (see
/// [`CodedCells`]).
#[derive(Debug, Clone)]
pub struct TextColumn {
    repr: Repr,
}

#[derive(Debug, Clone)]
enum Repr {
    Cells(StringChunked),
    Coded(Arc<CodedCells>),
}

/// A column of few values as two bytes a row instead of a 16-byte view: the
/// canonical table keeps it as an enum column. Its cells as text are made
/// only when a reader asks for them.
#[derive(Debug)]
pub struct CodedCells {
    /// Distinct values, in order of first appearance.
    values: Vec<String>,
    /// Index into `values` of each row's value; [`MISSING`] for none.
    codes: Vec<u16>,
    cells: OnceLock<StringChunked>,
}

/// A row without a value in a coded column.
const MISSING: u16 = u16::MAX;

/// Distinct values a stretch of a coded column collects before it keeps
/// its cells as text instead: a column of that many values is not one of
/// few, and would only pay for the lookups.
const CODED_LIMIT: usize = 4096;

impl Default for TextColumn {
    fn default() -> Self {
        Self {
            repr: Repr::Cells(StringChunked::full_null(PlSmallStr::EMPTY, 0)),
        }
    }
}

/// `str::trim`, without decoding characters when the cell is empty or
/// starts and ends with a printable ASCII character (most cells), as it
/// then has nothing to trim.
pub(crate) fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(b)) if a.is_ascii_graphic() && b.is_ascii_graphic() => s,
        (None, _) => s,
        _ => s.trim(),
    }
}

/// Collects the cells of a [`TextColumn`].
pub struct TextColumnBuilder {
    /// Started at the first cell with text: a column with none (a timestamp
    /// column read as instants, an optional column left blank) writes no
    /// per-cell views until then, and none at all if it stays blank.
    inner: Option<StringChunkedBuilder>,
    /// Codes while the column is read as one of few values.
    coded: Option<CodedBuilder>,
    capacity: usize,
    len: usize,
}

/// The codes of one stretch of a column of few values.
#[derive(Default)]
struct CodedBuilder {
    values: Vec<String>,
    index: PlHashMap<String, u16>,
    codes: Vec<u16>,
}

impl CodedBuilder {
    /// The value's code; `None` when the stretch holds too many values.
    /// Inlined into the row loop, where a call cost as much as finding a
    /// known value; a new value goes out of line.
    #[expect(clippy::inline_always, reason = "measured: see the doc comment")]
    #[inline(always)]
    fn code(&mut self, s: &str) -> Option<u16> {
        // A handful of values is found faster by comparing than hashing.
        if self.values.len() <= 8 {
            if let Some(k) = self
                .values
                .iter()
                .position(|v| same_short(v.as_bytes(), s.as_bytes()))
            {
                return Some(k as u16);
            }
        } else if let Some(&k) = self.index.get(s) {
            return Some(k);
        }
        self.add(s)
    }

    /// A value new to the stretch.
    #[inline(never)]
    fn add(&mut self, s: &str) -> Option<u16> {
        if self.values.len() >= CODED_LIMIT {
            return None;
        }
        let k = self.values.len() as u16;
        self.values.push(s.to_string());
        self.index.insert(s.to_string(), k);
        Some(k)
    }
}

/// Byte equality for the short values of a column of few values, by two
/// overlapping word compares instead of a `memcmp` call per candidate.
#[inline]
fn same_short(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| u64::from_ne_bytes(s[at..at + 8].try_into().expect("8 bytes"));
    let half = |s: &[u8], at: usize| u32::from_ne_bytes(s[at..at + 4].try_into().expect("4 bytes"));
    match n {
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        4..=7 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        _ => a == b,
    }
}

impl TextColumnBuilder {
    pub fn with_capacity(rows: usize) -> Self {
        Self {
            inner: None,
            coded: None,
            capacity: rows,
            len: 0,
        }
    }

    /// A builder whose first `rows` cells are missing.
    pub fn missing(rows: usize) -> Self {
        Self {
            len: rows,
            ..Self::with_capacity(rows)
        }
    }

    /// A builder that keeps codes while the stretch holds few values.
    pub fn coded(rows: usize) -> Self {
        Self {
            coded: Some(CodedBuilder {
                codes: Vec::with_capacity(rows),
                ..CodedBuilder::default()
            }),
            ..Self::with_capacity(rows)
        }
    }

    /// Inlined into the row loop: a missing or coded cell's push costs less
    /// than the call and its frame did (together with the two other inlined
    /// pushes, 2.8% of a report's instructions). A text kept as it is goes
    /// out of line, to `push_text`.
    #[expect(clippy::inline_always, reason = "measured: see the doc comment")]
    #[inline(always)]
    pub fn push(&mut self, v: Option<&str>) {
        let text = v.map(trim).filter(|s| !s.is_empty());
        if let Some(coded) = &mut self.coded {
            let code = match text {
                None => Some(MISSING),
                Some(s) => coded.code(s),
            };
            if let Some(k) = code {
                coded.codes.push(k);
                self.len += 1;
                return;
            }
        }
        match (text, &mut self.inner) {
            (None, None) => self.len += 1,
            (None, Some(b)) => {
                b.append_null();
                self.len += 1;
            }
            (Some(s), _) => self.push_text(s),
        }
    }

    /// A text kept as it is: every cell of a column of many values, and
    /// each one after a coded column's stretch turned to text.
    #[inline(never)]
    fn push_text(&mut self, s: &str) {
        self.keep_text();
        self.inner
            .get_or_insert_with(|| {
                let mut b = StringChunkedBuilder::new(PlSmallStr::EMPTY, self.capacity);
                for _ in 0..self.len {
                    b.append_null();
                }
                b
            })
            .append_value(s);
        self.len += 1;
    }

    /// Goes on as a text column: the stretch holds too many values.
    fn keep_text(&mut self) {
        if let Some(coded) = self.coded.take() {
            let mut b = StringChunkedBuilder::new(PlSmallStr::EMPTY, self.capacity);
            for &k in &coded.codes {
                b.append_option(coded.values.get(usize::from(k)).map(String::as_str));
            }
            self.inner = Some(b);
        }
    }

    pub fn finish(self) -> TextColumn {
        if let Some(coded) = self.coded {
            return TextColumn::from_codes(coded.values, coded.codes);
        }
        TextColumn {
            repr: Repr::Cells(match self.inner {
                Some(b) => b.finish(),
                None => StringChunked::full_null(PlSmallStr::EMPTY, self.len),
            }),
        }
    }
}

impl TextColumn {
    fn from_codes(values: Vec<String>, codes: Vec<u16>) -> Self {
        Self {
            repr: Repr::Coded(Arc::new(CodedCells {
                values,
                codes,
                cells: OnceLock::new(),
            })),
        }
    }

    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Cells(cells) => cells.len(),
            Repr::Coded(coded) => coded.codes.len(),
        }
    }

    /// The columns' cells one after the other. Coded columns stay coded,
    /// their values merged, unless together they hold too many values.
    pub fn concat(parts: Vec<TextColumn>) -> TextColumn {
        let parts: Vec<TextColumn> = parts.into_iter().filter(|p| !p.is_empty()).collect();
        if parts.len() <= 1 {
            return parts.into_iter().next().unwrap_or_default();
        }
        let coded: Vec<&CodedCells> = parts
            .iter()
            .filter_map(|p| match &p.repr {
                Repr::Coded(c) => Some(&**c),
                Repr::Cells(_) => None,
            })
            .collect();
        if coded.len() == parts.len() {
            let mut values: Vec<String> = Vec::new();
            let mut index: PlHashMap<&str, u16> = PlHashMap::default();
            let mut remaps: Vec<Vec<u16>> = Vec::with_capacity(coded.len());
            let mut fits = true;
            'parts: for part in &coded {
                let mut remap = Vec::with_capacity(part.values.len());
                for v in &part.values {
                    let k = match index.get(v.as_str()) {
                        Some(&k) => k,
                        None if values.len() + 1 >= usize::from(MISSING) => {
                            fits = false;
                            break 'parts;
                        }
                        None => {
                            let k = values.len() as u16;
                            index.insert(v, k);
                            values.push(v.clone());
                            k
                        }
                    };
                    remap.push(k);
                }
                remaps.push(remap);
            }
            if fits {
                let mut codes = vec![MISSING; coded.iter().map(|c| c.codes.len()).sum()];
                let mut slices: Vec<&mut [u16]> = Vec::with_capacity(coded.len());
                let mut rest = &mut codes[..];
                for part in &coded {
                    let (head, tail) = rest.split_at_mut(part.codes.len());
                    slices.push(head);
                    rest = tail;
                }
                slices
                    .into_par_iter()
                    .zip(coded.par_iter())
                    .zip(remaps.par_iter())
                    .for_each(|((out, part), remap)| {
                        for (o, &k) in out.iter_mut().zip(&part.codes) {
                            if k != MISSING {
                                *o = remap[usize::from(k)];
                            }
                        }
                    });
                return Self::from_codes(values, codes);
            }
        }
        let mut cells = StringChunked::full_null(PlSmallStr::EMPTY, 0);
        for part in &parts {
            // Both are string columns, so appending cannot fail.
            let _ = cells.append(part.cells());
        }
        TextColumn {
            repr: Repr::Cells(cells),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The cell; `None` for a missing or blank cell or a row past the end.
    pub fn get(&self, row: usize) -> Option<&str> {
        match &self.repr {
            Repr::Cells(cells) => {
                if row >= cells.len() {
                    return None;
                }
                cells.get(row)
            }
            Repr::Coded(coded) => coded
                .codes
                .get(row)
                .and_then(|&k| coded.values.get(usize::from(k)))
                .map(String::as_str),
        }
    }

    /// Calls `f` with each row of `from..from + len`, in order, and what
    /// `read` makes of its cell. A coded column reads each of its values
    /// once, not once a row.
    pub fn each_in<T: Clone>(
        &self,
        from: usize,
        len: usize,
        read: impl Fn(Option<&str>) -> T,
        mut f: impl FnMut(usize, T),
    ) {
        match &self.repr {
            Repr::Cells(cells) => {
                for (row, v) in (from..).zip(cells.slice(from as i64, len).iter()) {
                    f(row, read(v));
                }
            }
            Repr::Coded(coded) => {
                let values: Vec<T> = coded.values.iter().map(|v| read(Some(v))).collect();
                let missing = read(None);
                let end = (from + len).min(coded.codes.len());
                for (row, &k) in (from..end).zip(&coded.codes[from.min(end)..end]) {
                    f(row, values.get(usize::from(k)).unwrap_or(&missing).clone());
                }
            }
        }
    }

    /// Cells without a value.
    pub fn null_count(&self) -> usize {
        match &self.repr {
            Repr::Cells(cells) => cells.null_count(),
            Repr::Coded(coded) => coded.codes.par_iter().filter(|&&k| k == MISSING).count(),
        }
    }

    /// The distinct values with the number of rows holding each, in order
    /// of first appearance; `None` for a column of many values.
    pub fn few_values(&self) -> Option<Vec<(&str, u64)>> {
        match &self.repr {
            Repr::Cells(cells) => crate::dictionary::few_value_counts(cells),
            Repr::Coded(coded) => {
                let counts =
                    crate::dictionary::code_counts(&coded.codes, coded.values.len(), usize::from);
                Some(
                    coded
                        .values
                        .iter()
                        .map(String::as_str)
                        .zip(counts)
                        .collect(),
                )
            }
        }
    }

    /// A column of the cells `cell` gives, `len` rows, made on every core.
    pub fn from_fn<'a, S: AsRef<str>>(
        len: usize,
        cell: impl Fn(usize) -> Option<S> + Sync + 'a,
    ) -> Self {
        let cells = par_str_column("", len, cell);
        Self {
            repr: Repr::Cells(
                cells
                    .str()
                    .cloned()
                    .unwrap_or_else(|_| StringChunked::full_null(PlSmallStr::EMPTY, len)),
            ),
        }
    }

    /// The cells as a polars column of the given name: shared, not copied,
    /// for text; an enum column of the values for a coded one.
    pub fn to_series(&self, name: &str) -> Series {
        match &self.repr {
            Repr::Cells(cells) => cells.clone().with_name(name.into()).into_series(),
            Repr::Coded(coded) => enum_series(name, &coded.values, &coded.codes)
                .unwrap_or_else(|| self.cells().clone().with_name(name.into()).into_series()),
        }
    }

    /// The cells as text (made once for a coded column).
    pub fn cells(&self) -> &StringChunked {
        match &self.repr {
            Repr::Cells(cells) => cells,
            Repr::Coded(coded) => coded.cells.get_or_init(|| {
                par_str_column("", coded.codes.len(), |row| {
                    coded.values.get(usize::from(coded.codes[row]))
                })
                .str()
                .cloned()
                .unwrap_or_else(|_| StringChunked::full_null(PlSmallStr::EMPTY, 0))
            }),
        }
    }

    /// The cells in contiguous stretches; see [`slices`].
    pub fn stretches(&self) -> Vec<StringChunked> {
        slices(self.cells())
    }
}

/// An enum column of `values` from their codes; `None` if polars refuses
/// the values.
fn enum_series(name: &str, values: &[String], codes: &[u16]) -> Option<Series> {
    let categories = FrozenCategories::new(values.iter().map(String::as_str)).ok()?;
    let physical = categories.physical();
    let dtype = DataType::from_frozen_categories(categories);
    let name = PlSmallStr::from(name);
    let step = stretch_len(codes.len());
    // A missing row gets a code no value has, which polars reads as
    // missing; its check of every code runs on each stretch in parallel.
    macro_rules! build {
        ($native:ty, $physical:ty, $logical:ty) => {{
            let chunks: Vec<Series> = codes
                .par_chunks(step.max(1))
                .map(|stretch| {
                    let v: Vec<$native> = stretch
                        .iter()
                        .map(|&k| {
                            if k == MISSING {
                                <$native>::MAX
                            } else {
                                k as $native
                            }
                        })
                        .collect();
                    <$logical>::from_cats_and_dtype(
                        <$physical>::from_vec(name.clone(), v),
                        dtype.clone(),
                    )
                    .into_series()
                })
                .collect();
            // No stretch at all for a column of no rows.
            let mut chunks = chunks.into_iter();
            let mut all = chunks
                .next()
                .unwrap_or_else(|| Series::full_null(name.clone(), 0, &dtype));
            for chunk in chunks {
                all.append(&chunk).ok()?;
            }
            all
        }};
    }
    Some(match physical {
        CategoricalPhysical::U8 => build!(u8, UInt8Chunked, Categorical8Chunked),
        CategoricalPhysical::U16 => build!(u16, UInt16Chunked, Categorical16Chunked),
        CategoricalPhysical::U32 => build!(u32, UInt32Chunked, Categorical32Chunked),
    })
}

/// Length of the stretches a pass over `len` rows is split into: about four
/// per core, none shorter than 65,536 rows, so the pass runs on every core
/// and each task still reads in order.
pub fn stretch_len(len: usize) -> usize {
    let pieces = (rayon::current_num_threads() * 4)
        .min(len.div_ceil(65_536))
        .max(1);
    len.div_ceil(pieces).max(1)
}

/// A string column in stretches of [`stretch_len`] rows (shared, not copied).
pub fn slices(cells: &StringChunked) -> Vec<StringChunked> {
    let len = cells.len();
    let step = stretch_len(len);
    (0..len)
        .step_by(step)
        .map(|from| cells.slice(from as i64, step.min(len - from)))
        .collect()
}

/// A string column of `len` rows whose cells `cell` gives, built in
/// parallel stretches (one array chunk each).
pub fn par_str_column<'a, S: AsRef<str>>(
    name: &str,
    len: usize,
    cell: impl Fn(usize) -> Option<S> + Sync + 'a,
) -> Series {
    let step = stretch_len(len);
    let chunks: Vec<StringChunked> = (0..len)
        .step_by(step)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|from| {
            let mut b = StringChunkedBuilder::new(PlSmallStr::EMPTY, step);
            for row in from..(from + step).min(len) {
                b.append_option(cell(row).as_ref().map(AsRef::as_ref));
            }
            b.finish()
        })
        .collect();
    let mut out = StringChunked::full_null(name.into(), 0);
    for c in &chunks {
        // Both are string columns, so appending cannot fail.
        let _ = out.append(c);
    }
    out.into_series()
}

/// A table of text cells with the source line of every row.
#[derive(Debug, Default)]
pub struct RawTable {
    pub headers: Vec<String>,
    /// Only the columns asked for are filled; others stay empty.
    pub columns: Vec<TextColumn>,
    pub lines: Vec<u64>,
    /// Rows whose field count differed from the header's: (count, first lines).
    pub ragged: (u64, Vec<u64>),
    /// Blank lines passed over.
    pub blank_lines: u64,
    /// Service messages of a chat export (joins, pins, calls), left out.
    pub service_messages: u64,
    /// Instants read while the file was split, by column, one per row:
    /// [`NOT_READ`] where the cell is kept as text instead (the text column's
    /// cell is missing where an instant was read). See
    /// [`ReadAs::PlainInstants`].
    pub instants: BTreeMap<usize, Vec<i64>>,
    /// Columns read as numbers or yes/no while the file was split, by
    /// column; their text columns are blank.
    pub typed: BTreeMap<usize, Series>,
}

/// A row's instant was not read while splitting: its text is kept, or it
/// has none. No plain-layout timestamp (four-digit year) comes near this
/// value.
pub const NOT_READ: i64 = i64::MIN;

/// How the splitter reads a kept column's cells instead of keeping them as
/// text, which saves their text (a 16-byte view a cell, blank or not, and
/// the bytes of longer ones) and a second pass over it.
#[derive(Debug, Clone, Copy)]
pub enum ReadAs {
    /// Plain-layout timestamps as instants in the zone (see
    /// [`HourlyOffsets::plain_instant`]); other cells are kept as text.
    PlainInstants(ReportZone),
    /// Numbers, as [`parse_number`] reads them.
    Numbers,
    /// Numbers rounded to whole ones.
    WholeNumbers,
    /// Yes or no, as [`parse_bool`] reads them.
    YesNo,
    /// Each text's [`crate::dictionary::text_hash`] instead of the text:
    /// zero for a blank cell.
    TextHashes,
}

/// What a reader keeps of a delimited file.
pub struct Wanted {
    /// The columns kept.
    pub columns: Vec<usize>,
    /// Kept columns read while the file is split.
    pub read_as: Vec<(usize, ReadAs)>,
    /// Kept columns of few values, kept as codes while they stay few.
    pub coded: Vec<usize>,
}

impl Wanted {
    /// The columns of a table `width` wide, each once (a column that
    /// overrides map to two fields is read once), and only kept columns
    /// read as something else.
    fn within(mut self, width: usize) -> Self {
        self.columns.retain(|&c| c < width);
        self.columns.sort_unstable();
        self.columns.dedup();
        let keep = &self.columns;
        self.read_as.retain(|(column, _)| keep.contains(column));
        self
    }
}

/// One stretch's cells of a column read while splitting.
enum ReadCells {
    Instants(HourlyOffsets, Vec<i64>),
    Numbers(PrimitiveChunkedBuilder<Float64Type>),
    WholeNumbers(PrimitiveChunkedBuilder<Int64Type>),
    YesNo(BooleanChunkedBuilder),
    TextHashes(Vec<u64>),
}

impl ReadCells {
    fn new(how: ReadAs, rows: usize) -> Self {
        match how {
            ReadAs::PlainInstants(zone) => {
                Self::Instants(HourlyOffsets::of_wall_clock(zone), Vec::with_capacity(rows))
            }
            ReadAs::Numbers => Self::Numbers(PrimitiveChunkedBuilder::new(PlSmallStr::EMPTY, rows)),
            ReadAs::WholeNumbers => {
                Self::WholeNumbers(PrimitiveChunkedBuilder::new(PlSmallStr::EMPTY, rows))
            }
            ReadAs::YesNo => Self::YesNo(BooleanChunkedBuilder::new(PlSmallStr::EMPTY, rows)),
            ReadAs::TextHashes => Self::TextHashes(Vec::with_capacity(rows)),
        }
    }

    /// Reads one cell, trimmed as a text cell would be; returns the text
    /// still to keep.
    #[expect(
        clippy::inline_always,
        reason = "inlined into the row loop, as the text column's push"
    )]
    #[inline(always)]
    fn push<'c>(&mut self, cell: Option<&'c str>) -> Option<&'c str> {
        let text = cell.map(trim).filter(|s| !s.is_empty());
        match self {
            Self::Instants(offsets, instants) => {
                let instant = text.and_then(|t| offsets.plain_instant(t));
                instants.push(instant.unwrap_or(NOT_READ));
                return if instant.is_some() { None } else { text };
            }
            Self::Numbers(b) => b.append_option(text.and_then(parse_number)),
            Self::WholeNumbers(b) => {
                b.append_option(text.and_then(parse_number).map(|f| f.round() as i64));
            }
            Self::YesNo(b) => b.append_option(text.and_then(parse_bool)),
            Self::TextHashes(hashes) => {
                hashes.push(text.map_or(0, crate::dictionary::text_hash));
            }
        }
        None
    }
}

impl RawTable {
    pub fn rows(&self) -> usize {
        self.lines.len()
    }

    /// Keeps what a column's stretches read.
    fn keep_read(&mut self, column: usize, joined: JoinedRead) {
        match joined {
            JoinedRead::Instants(instants) => {
                self.instants.insert(column, instants);
            }
            JoinedRead::Typed(Some(series)) => {
                self.typed.insert(column, series);
            }
            JoinedRead::Typed(None) => {}
        }
    }
}

/// A column's cells read while splitting, joined from its stretches.
enum JoinedRead {
    Instants(Vec<i64>),
    Typed(Option<Series>),
}

impl JoinedRead {
    /// Joins a column's stretches in order.
    fn of(how: ReadAs, pieces: Vec<ReadCells>) -> Self {
        if matches!(how, ReadAs::PlainInstants(_)) {
            let rows = pieces
                .iter()
                .map(|p| match p {
                    ReadCells::Instants(_, v) => v.len(),
                    _ => 0,
                })
                .sum();
            let mut instants: Vec<i64> = Vec::with_capacity(rows);
            for cells in pieces {
                if let ReadCells::Instants(_, v) = cells {
                    instants.extend_from_slice(&v);
                }
            }
            return Self::Instants(instants);
        }
        let mut typed: Option<Series> = None;
        for cells in pieces {
            let series = match cells {
                ReadCells::Instants(..) => continue,
                ReadCells::Numbers(b) => b.finish().into_series(),
                ReadCells::WholeNumbers(b) => b.finish().into_series(),
                ReadCells::YesNo(b) => b.finish().into_series(),
                ReadCells::TextHashes(hashes) => {
                    UInt64Chunked::from_vec(PlSmallStr::EMPTY, hashes).into_series()
                }
            };
            match &mut typed {
                // Stretches of one column share its type: appending cannot
                // fail.
                Some(all) => {
                    let _ = all.append(&series);
                }
                None => typed = Some(series),
            }
        }
        Self::Typed(typed)
    }
}

/// Decoded text and the encoding it came in.
pub fn decode_text(bytes: &[u8]) -> (Cow<'_, str>, &'static str) {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return (String::from_utf8_lossy(rest), "UTF-8 with BOM");
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return (
            Cow::Owned(decode_utf16(encoding_rs::UTF_16LE, rest)),
            "UTF-16 LE",
        );
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return (
            Cow::Owned(decode_utf16(encoding_rs::UTF_16BE, rest)),
            "UTF-16 BE",
        );
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        (Cow::Borrowed(s), "UTF-8")
    } else {
        (Cow::Owned(decode_windows_1252(bytes)), "Windows-1252")
    }
}

/// Windows-1252 text as UTF-8, decoded on every core. Each stretch's UTF-8
/// length is counted first, so that the text is written once, in place,
/// into a buffer of its exact size: decoding the whole in one call ran on
/// one core and reserved three bytes for every byte of the file.
fn decode_windows_1252(bytes: &[u8]) -> String {
    // Each byte's character as UTF-8, as encoding_rs decodes it.
    let chars: [([u8; 3], usize); 256] = std::array::from_fn(|b| {
        let byte = [u8::try_from(b).unwrap_or_default()];
        let text = encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(&byte)
            .0;
        let mut utf8 = [0u8; 3];
        let len = text.len().min(3);
        utf8[..len].copy_from_slice(&text.as_bytes()[..len]);
        (utf8, len)
    });
    let parts: Vec<&[u8]> = bytes.chunks(stretch_len(bytes.len())).collect();
    // Most bytes are ASCII, one byte each: only the others are looked up.
    let lengths: Vec<usize> = parts
        .par_iter()
        .map(|part| {
            part.len()
                + part
                    .iter()
                    .filter(|&&b| !b.is_ascii())
                    .map(|&b| chars[usize::from(b)].1 - 1)
                    .sum::<usize>()
        })
        .collect();
    joined(parts.into_iter().zip(lengths).collect(), |part, place| {
        // Runs of ASCII are copied whole; each other byte is its character.
        let (mut from, mut at) = (0, 0);
        while from < part.len() {
            let run = part[from..]
                .iter()
                .position(|b| !b.is_ascii())
                .unwrap_or(part.len() - from);
            place[at..at + run].copy_from_slice(&part[from..from + run]);
            (from, at) = (from + run, at + run);
            if let Some(&b) = part.get(from) {
                let (utf8, len) = &chars[usize::from(b)];
                place[at..at + len].copy_from_slice(&utf8[..*len]);
                (from, at) = (from + 1, at + len);
            }
        }
    })
}

/// UTF-16 text (after its byte-order mark) as UTF-8, each stretch decoded
/// by `encoding_rs` on a core of its own into a buffer of its own, then
/// joined. Decoding the whole in one call ran on one core and touched
/// every page of a buffer for the worst case, half as large again as the
/// file (4.7 GB for a 3.2 GB file).
fn decode_utf16(encoding: &'static encoding_rs::Encoding, bytes: &[u8]) -> String {
    let unit_before = |at: usize| {
        let pair = [bytes[at - 2], bytes[at - 1]];
        if encoding == encoding_rs::UTF_16LE {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    };
    // Stretches end between units, and never inside a surrogate pair.
    let step = (stretch_len(bytes.len()) & !1).max(2);
    let mut bounds = vec![0];
    let mut at = step;
    while at < bytes.len() {
        let cut = if (0xD800..0xDC00).contains(&unit_before(at)) {
            at + 2
        } else {
            at
        };
        if cut >= bytes.len() {
            break;
        }
        bounds.push(cut);
        at = cut + step;
    }
    bounds.push(bytes.len());
    let parts: Vec<Vec<u8>> = bounds
        .par_windows(2)
        .map(|w| {
            let part = &bytes[w[0]..w[1]];
            let mut decoder = encoding.new_decoder_without_bom_handling();
            // Room for the worst case, zeroed by the system as pages are
            // first written: only the pages the text fills are taken.
            match decoder.max_utf8_buffer_length(part.len()) {
                Some(room) => {
                    let mut out = vec![0u8; room];
                    let (_, _, written, _) = decoder.decode_to_utf8(part, &mut out, true);
                    out.truncate(written);
                    out
                }
                None => encoding
                    .decode_without_bom_handling(part)
                    .0
                    .into_owned()
                    .into_bytes(),
            }
        })
        .collect();
    let sized = parts
        .into_iter()
        .map(|part| {
            let length = part.len();
            (part, length)
        })
        .collect();
    joined(sized, |part, place| place.copy_from_slice(&part))
}

/// One text of the stretches' UTF-8, each `(stretch, length)` written by
/// `write` into its own place of that length, on every core, in a buffer of
/// the exact size.
fn joined<T: Send>(stretches: Vec<(T, usize)>, write: impl Fn(T, &mut [u8]) + Sync) -> String {
    let mut text = vec![0u8; stretches.iter().map(|(_, length)| length).sum()];
    let mut places = Vec::with_capacity(stretches.len());
    let mut rest = &mut text[..];
    for (_, length) in &stretches {
        let (place, after) = rest.split_at_mut(*length);
        places.push(place);
        rest = after;
    }
    stretches
        .into_par_iter()
        .zip(places)
        .for_each(|((stretch, _), place)| write(stretch, place));
    String::from_utf8(text).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Picks the delimiter whose count per line is most consistent over the
/// first lines (quotes respected).
pub fn sniff_delimiter(text: &str) -> u8 {
    const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];
    let sample = &text.as_bytes()[..text.len().min(64 * 1024)];
    let mut counts: Vec<[usize; 4]> = Vec::new();
    let mut current = [0usize; 4];
    let mut in_quotes = false;
    let mut line_has_content = false;
    for &c in sample {
        match c {
            b'"' => in_quotes = !in_quotes,
            b'\n' | b'\r' if !in_quotes => {
                if line_has_content {
                    counts.push(current);
                }
                current = [0; 4];
                line_has_content = false;
                if counts.len() >= 50 {
                    break;
                }
                continue;
            }
            _ => {}
        }
        line_has_content = true;
        if !in_quotes && let Some(k) = CANDIDATES.iter().position(|d| *d == c) {
            current[k] += 1;
        }
    }
    if line_has_content && counts.len() < 50 {
        counts.push(current);
    }
    let mut best = (0usize, 0usize, b',');
    for (k, &d) in CANDIDATES.iter().enumerate() {
        let header = counts.first().map_or(0, |c| c[k]);
        if header == 0 {
            continue;
        }
        let consistent = counts.iter().filter(|c| c[k] == header).count();
        let score = (consistent, header);
        if score > (best.0, best.1) {
            best = (consistent, header, d);
        }
    }
    best.2
}

/// Reads delimited text. `wanted` lists the column indices to keep.
pub fn read_csv(
    text: &str,
    delimiter: u8,
    wanted: &dyn Fn(&[String]) -> Wanted,
    progress: &Progress,
) -> Result<RawTable, String> {
    // Whole text is UTF-8 throughout, so the reader never hands it back.
    read_delimited(text, text.as_bytes(), delimiter, wanted, progress)?
        .ok_or_else(|| "the file is not UTF-8 text".to_string())
}

/// The start of a large file that is UTF-8 as far as that start goes.
pub struct Utf8Head<'a> {
    /// The start, up to and with its last line break in the first
    /// megabyte.
    pub text: &'a str,
    /// The whole file, without a byte-order mark.
    pub all: &'a [u8],
    pub encoding: &'static str,
}

impl<'a> Utf8Head<'a> {
    /// `None` for a file under 8 MB, for UTF-16, for a first megabyte that
    /// is not UTF-8 or whose last line break comes within its first 64 KB:
    /// [`decode_text`] decodes those whole.
    pub fn of(bytes: &'a [u8]) -> Option<Self> {
        const HEAD: usize = 1 << 20;
        if bytes.len() < 8 << 20
            || bytes.starts_with(&[0xFF, 0xFE])
            || bytes.starts_with(&[0xFE, 0xFF])
        {
            return None;
        }
        let (all, encoding) = match bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
            Some(rest) => (rest, "UTF-8 with BOM"),
            None => (bytes, "UTF-8"),
        };
        let start = &all[..HEAD.min(all.len())];
        let valid = match std::str::from_utf8(start) {
            Ok(_) => start.len(),
            // A character cut by the megabyte's end.
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => return None,
        };
        let cut = memchr::memrchr(b'\n', &start[..valid])? + 1;
        if cut < 64 << 10 {
            return None;
        }
        let text = std::str::from_utf8(&all[..cut]).ok()?;
        Some(Self {
            text,
            all,
            encoding,
        })
    }
}

/// Reads delimited text whose start `head` is the valid UTF-8 start of
/// `all`. The rest of `all` is checked stretch by stretch, on every core,
/// as it is parsed: `None` when a stretch is not UTF-8, or when the header
/// does not end inside `head`.
pub fn read_delimited(
    head: &str,
    all: &[u8],
    delimiter: u8,
    wanted: &dyn Fn(&[String]) -> Wanted,
    progress: &Progress,
) -> Result<Option<RawTable>, String> {
    let mut table = RawTable::default();
    let mut header = Records::new(head, 1, delimiter);
    let mut fields = Vec::new();
    let whole = head.len() == all.len();
    // The header is the first non-blank record.
    loop {
        if header.next_record(&mut fields).is_none() {
            if !whole {
                return Ok(None);
            }
            return Err("the file has no header row".into());
        }
        if !fields.iter().all(|f| f.trim_ascii().is_empty()) {
            break;
        }
    }
    // A header record that reaches the end of the head may go on past it.
    if !whole && header.at >= head.len() {
        return Ok(None);
    }
    table.headers = fields.iter().map(|f| f.trim().to_string()).collect();
    let width = table.headers.len();
    let wanted = wanted(&table.headers).within(width);
    let (keep, read_as) = (&wanted.columns, &wanted.read_as);
    let body_line = header.line;
    let body = all.get(header.at..).unwrap_or_default();
    let pieces = if body.len() < 8 << 20 {
        1
    } else {
        rayon::current_num_threads() * 2
    };
    // Each stretch numbers its lines from 0; its first line is known once
    // the stretches before it have counted theirs. Every stretch is checked
    // as UTF-8 before any is parsed: a file that is not UTF-8 only in its
    // last stretch is then decoded whole at once, not after the other
    // stretches were parsed for nothing.
    let parse = |stretches: Vec<(usize, usize)>| -> Result<Option<Vec<Part>>, String> {
        let texts: Option<Vec<&str>> = stretches
            .into_par_iter()
            .map(|(from, to)| std::str::from_utf8(&body[from..to]).ok())
            .collect();
        let Some(texts) = texts else {
            return Ok(None);
        };
        let parts: Vec<Result<Part, String>> = texts
            .into_par_iter()
            .map(|text| parse_part(text, 0, delimiter, width, &wanted, progress))
            .collect();
        // The first stretch's error, in file order, whichever core met it.
        parts.into_iter().collect::<Result<_, _>>().map(Some)
    };
    let read_before = (
        progress.bytes_read.load(Ordering::Relaxed),
        progress.rows_read.load(Ordering::Relaxed),
    );
    let Some(mut parts) = parse(split_at_newlines(body, pieces))? else {
        return Ok(None);
    };
    // A stretch that ends inside quotes means the next one was cut inside a
    // quoted cell that spans lines: the file is split again with its quotes
    // counted, which such files need and others need not pay for.
    if parts.iter().rev().skip(1).any(|p| p.ends_in_quotes) {
        progress.bytes_read.store(read_before.0, Ordering::Relaxed);
        progress.rows_read.store(read_before.1, Ordering::Relaxed);
        drop(parts);
        parts = match parse(split_records(body, pieces))? {
            Some(parts) => parts,
            None => return Ok(None),
        };
    }
    table.columns = (0..width).map(|_| TextColumn::default()).collect();
    let mut first_line = body_line;
    let mut first_lines = Vec::with_capacity(parts.len());
    for part in &parts {
        first_lines.push(first_line);
        first_line += part.newlines;
    }
    parts
        .par_iter_mut()
        .zip(first_lines)
        .for_each(|(part, first)| part.number_from(first));
    // The stretches' pieces of each column, and their line numbers, are
    // joined column by column on every core.
    let mut read: Vec<Vec<ReadCells>> = read_as.iter().map(|_| Vec::new()).collect();
    let mut kept: Vec<Vec<TextColumnBuilder>> = keep.iter().map(|_| Vec::new()).collect();
    let mut lines: Vec<Vec<u64>> = Vec::with_capacity(parts.len());
    for part in parts {
        for (j, cells) in part.read.into_iter().enumerate() {
            read[j].push(cells);
        }
        for (j, builder) in part.columns.into_iter().enumerate() {
            kept[j].push(builder);
        }
        lines.push(part.lines);
        table.blank_lines += part.blank_lines;
        table.ragged.0 += part.ragged.0;
        for line in part.ragged.1 {
            if table.ragged.1.len() < 5 {
                table.ragged.1.push(line);
            }
        }
    }
    let ((joined, columns), all_lines) = rayon::join(
        || {
            rayon::join(
                || {
                    read_as
                        .par_iter()
                        .zip(read)
                        .map(|(&(_, how), pieces)| JoinedRead::of(how, pieces))
                        .collect::<Vec<_>>()
                },
                || {
                    // Columns stay in one chunk per stretch: joining them
                    // would copy every cell's view, and readers take
                    // chunked columns as they are.
                    kept.into_par_iter()
                        .map(|builders| {
                            TextColumn::concat(
                                builders
                                    .into_iter()
                                    .map(TextColumnBuilder::finish)
                                    .collect(),
                            )
                        })
                        .collect::<Vec<_>>()
                },
            )
        },
        || lines.concat(),
    );
    for (&(column, _), joined) in read_as.iter().zip(joined) {
        table.keep_read(column, joined);
    }
    for (&k, column) in keep.iter().zip(columns) {
        table.columns[k] = column;
    }
    table.lines = all_lines;
    progress
        .rows_read
        .store(table.lines.len() as u64, Ordering::Relaxed);
    Ok(Some(table))
}

/// Rows of one stretch of a CSV body.
struct Part {
    columns: Vec<TextColumnBuilder>,
    /// The columns read while splitting, in [`Wanted::read_as`] order.
    read: Vec<ReadCells>,
    lines: Vec<u64>,
    blank_lines: u64,
    ragged: (u64, Vec<u64>),
    /// Line breaks in the stretch: how far the next one's lines start on.
    newlines: u64,
    /// The stretch ends inside quotes: when it is not the last, the next
    /// one was cut inside a quoted cell.
    ends_in_quotes: bool,
}

impl Part {
    /// Moves lines numbered from the stretch's own first line to the file's.
    fn number_from(&mut self, first_line: u64) {
        if first_line > 0 {
            for line in self.lines.iter_mut().chain(&mut self.ragged.1) {
                *line += first_line;
            }
        }
    }
}

/// Splits a CSV body into about `pieces` stretches, each starting after a
/// newline. That newline may lie inside a quoted cell; the stretch before
/// then ends inside quotes, which its parse reports.
fn split_at_newlines(body: &[u8], pieces: usize) -> Vec<(usize, usize)> {
    let step = body.len() / pieces.max(1);
    let mut bounds = vec![0usize];
    for i in 1..pieces {
        let mark = i * step;
        let after = memchr::memchr(b'\n', &body[mark..]).map(|k| mark + k + 1);
        if let Some(start) = after.filter(|&s| s > bounds[bounds.len() - 1] && s < body.len()) {
            bounds.push(start);
        }
    }
    bounds.push(body.len());
    bounds.windows(2).map(|w| (w[0], w[1])).collect()
}

/// Splits a CSV body into about `pieces` stretches that each start at a
/// record boundary: a newline outside quotes. Quote parity is counted per
/// stretch in parallel, so splitting costs one extra pass over the bytes.
/// Returns `(start, end)` of each stretch.
fn split_records(body: &[u8], pieces: usize) -> Vec<(usize, usize)> {
    if pieces <= 1 || body.is_empty() {
        return vec![(0, body.len())];
    }
    let step = body.len() / pieces;
    let marks: Vec<usize> = (0..pieces).map(|i| i * step).chain([body.len()]).collect();
    let quotes: Vec<usize> = marks
        .par_windows(2)
        .map(|w| memchr::memchr_iter(b'"', &body[w[0]..w[1]]).count())
        .collect();
    let mut bounds = vec![0usize];
    let mut quotes_before = 0usize;
    for i in 1..pieces {
        quotes_before += quotes[i - 1];
        // Walk to the first newline after the mark that is outside quotes.
        let mut q = quotes_before;
        let mut pos = marks[i];
        let mut found = None;
        while pos < body.len() {
            match body[pos] {
                b'"' => q += 1,
                b'\n' if q.is_multiple_of(2) => {
                    found = Some(pos + 1);
                    break;
                }
                _ => {}
            }
            pos += 1;
        }
        match found {
            Some(b) if b > bounds.last().copied().unwrap_or(0) => bounds.push(b),
            _ => {}
        }
    }
    let mut out = Vec::with_capacity(bounds.len());
    for (k, &start) in bounds.iter().enumerate() {
        let end = bounds.get(k + 1).copied().unwrap_or(body.len());
        if start < end {
            out.push((start, end));
        }
    }
    if out.is_empty() {
        out.push((0, body.len()));
    }
    out
}

/// Finds the bytes that can end or open a field (the delimiter, `\n`,
/// `\r` and `"`) 64 bytes at a time, 16 to a vector compare. On lines of
/// a dozen short fields this is about a third cheaper than a `memchr` call
/// per field, and it covers quoted cells too.
struct Finder<'a> {
    bytes: &'a [u8],
    wanted: [u8x16; 4],
}

impl Finder<'_> {
    /// One bit for each byte of the block at `start` that is a mark.
    #[inline]
    fn block_bits(&self, start: usize) -> u64 {
        let mut padded = [0u8; 64];
        let block: &[u8; 64] = if let Some(b) = self.bytes.get(start..start + 64) {
            b.try_into().expect("a 64-byte slice")
        } else {
            // No mark is a zero byte, so the padding adds none.
            let rest = &self.bytes[start.min(self.bytes.len())..];
            padded[..rest.len()].copy_from_slice(rest);
            &padded
        };
        let [delimiter, newline, ret, quote] = self.wanted;
        let mut bits = 0u64;
        for (k, lane) in block.chunks_exact(16).enumerate() {
            let bytes = u8x16::from(<[u8; 16]>::try_from(lane).expect("a 16-byte lane"));
            let hit = bytes.cmp_eq(delimiter)
                | bytes.cmp_eq(newline)
                | bytes.cmp_eq(ret)
                | bytes.cmp_eq(quote);
            // `move_mask` sets the low 16 bits only.
            bits |= u64::from(hit.move_mask().cast_unsigned() & 0xFFFF) << (k * 16);
        }
        bits
    }
}

/// How far the finder has got: the marks of one block not yet taken.
/// Small and `Copy`, so the quick path keeps it in registers and only
/// stores it when a record is done.
#[derive(Clone, Copy)]
struct Marks {
    /// Start of the block `bits` describes.
    block: usize,
    /// Marks of that block not yet taken, one bit a byte.
    bits: u64,
}

impl Marks {
    /// The next mark, taken; marks are taken in order, every one of them.
    #[inline]
    fn next(&mut self, finder: &Finder) -> Option<usize> {
        while self.bits == 0 {
            self.block += 64;
            if self.block >= finder.bytes.len() {
                return None;
            }
            self.bits = finder.block_bits(self.block);
        }
        let k = self.bits.trailing_zeros() as usize;
        self.bits &= self.bits - 1;
        Some(self.block + k)
    }
}

/// CSV records read straight from decoded text. The csv crate's reader
/// copies every field into its record buffer as bytes, which then need a
/// second UTF-8 check; here a field is a slice of the text, and only a
/// quoted field with doubled quotes (or text after its closing quote) is
/// rebuilt. The rules are the csv crate's: `\n`, `\r` or `\r\n` end a
/// record, empty lines are skipped, a quote opens quoting only at a field's
/// start, `""` inside quotes is one quote, text after a closing quote is
/// kept, and an unclosed quote runs to the end of the text.
///
/// Every mark of the text is taken once, in order: whatever reads a field
/// has taken the marks up to and including the one that ends it.
struct Records<'a> {
    text: &'a str,
    at: usize,
    /// Line of `at`, counting `\n` bytes from the stretch's first line.
    line: u64,
    delimiter: u8,
    /// A quote opened and not closed before the end of the text.
    unclosed: bool,
    finder: Finder<'a>,
    /// The first mark not taken is the first at or after `at`.
    marks: Marks,
}

impl<'a> Records<'a> {
    /// Records of `text`, whose first line is line `line` of the file.
    fn new(text: &'a str, line: u64, delimiter: u8) -> Self {
        let finder = Finder {
            bytes: text.as_bytes(),
            wanted: [delimiter, b'\n', b'\r', b'"'].map(u8x16::splat),
        };
        let marks = Marks {
            block: 0,
            bits: finder.block_bits(0),
        };
        Self {
            text,
            at: 0,
            line,
            delimiter,
            unclosed: false,
            finder,
            marks,
        }
    }

    /// The next record's fields and the line it starts on.
    fn next_record(&mut self, fields: &mut Vec<Cow<'a, str>>) -> Option<u64> {
        let bytes = self.text.as_bytes();
        while let Some(&c) = bytes.get(self.at) {
            if c != b'\n' && c != b'\r' {
                break;
            }
            self.marks.next(&self.finder);
            self.line += u64::from(c == b'\n');
            self.at += 1;
        }
        if self.at >= bytes.len() {
            return None;
        }
        let line = self.line;
        fields.clear();
        let before = self.marks;
        if self.quick_record(fields) {
            return Some(line);
        }
        fields.clear();
        self.marks = before;
        loop {
            let (field, end) = if bytes[self.at] == b'"' {
                self.marks.next(&self.finder);
                self.quoted()
            } else {
                let end = self.field_end();
                // Splits fall on ASCII bytes, which are always character
                // boundaries.
                (Cow::Borrowed(&self.text[self.at..end]), end)
            };
            fields.push(field);
            self.at = end + 1;
            match bytes.get(end) {
                Some(&c) if c == self.delimiter => {
                    // A delimiter at the very end still opens an empty field.
                    if self.at >= bytes.len() {
                        fields.push(Cow::Borrowed(""));
                        return Some(line);
                    }
                }
                Some(b'\r') => {
                    if bytes.get(self.at) == Some(&b'\n') {
                        self.marks.next(&self.finder);
                        self.at += 1;
                        self.line += 1;
                    }
                    return Some(line);
                }
                // A field ends only at a delimiter, a line end or the end.
                Some(_) => {
                    self.line += 1;
                    return Some(line);
                }
                None => return Some(line),
            }
        }
    }

    /// Most records are one line (ended by `\n` or `\r\n`) whose quoted
    /// cells, if any, close on it right before a delimiter or the line's
    /// end without a doubled quote: a text cell quoted for its commas, as
    /// most are. Such a record is split here with the finder's place in
    /// registers. False for any other, with `at` and `line` unchanged and
    /// `marks` to be put back by the caller.
    #[inline]
    fn quick_record(&mut self, fields: &mut Vec<Cow<'a, str>>) -> bool {
        let text = self.text;
        let bytes = text.as_bytes();
        let finder = &self.finder;
        let mut marks = self.marks;
        let mut from = self.at;
        loop {
            let end = if bytes.get(from) == Some(&b'"') {
                marks.next(finder);
                let close = loop {
                    match marks.next(finder) {
                        Some(m) if bytes[m] == b'"' => break m,
                        Some(m) if bytes[m] == self.delimiter => {}
                        _ => return false,
                    }
                };
                fields.push(Cow::Borrowed(&text[from + 1..close]));
                match marks.next(finder) {
                    None if close + 1 == bytes.len() => {
                        self.at = bytes.len();
                        self.marks = marks;
                        return true;
                    }
                    Some(m) if m == close + 1 && bytes[m] != b'"' => m,
                    _ => return false,
                }
            } else {
                let end = loop {
                    match marks.next(finder) {
                        // A quote inside an unquoted field is text.
                        Some(m) if bytes[m] == b'"' => {}
                        Some(m) => break m,
                        None => {
                            fields.push(Cow::Borrowed(&text[from..]));
                            self.at = bytes.len();
                            self.marks = marks;
                            return true;
                        }
                    }
                };
                fields.push(Cow::Borrowed(&text[from..end]));
                end
            };
            match bytes[end] {
                b'\n' => {
                    self.at = end + 1;
                    self.line += 1;
                    break;
                }
                b'\r' => {
                    if bytes.get(end + 1) != Some(&b'\n') {
                        return false;
                    }
                    marks.next(finder);
                    self.at = end + 2;
                    self.line += 1;
                    break;
                }
                _ => {
                    from = end + 1;
                    if from >= bytes.len() {
                        // A delimiter at the very end opens an empty field.
                        fields.push(Cow::Borrowed(""));
                        self.at = from;
                        break;
                    }
                }
            }
        }
        self.marks = marks;
        true
    }

    /// Takes marks up to the next delimiter or line end and returns its
    /// index, or the text's length when none is left. Quotes inside an
    /// unquoted stretch are text.
    fn field_end(&mut self) -> usize {
        let bytes = self.text.as_bytes();
        while let Some(m) = self.marks.next(&self.finder) {
            if bytes[m] != b'"' {
                return m;
            }
        }
        bytes.len()
    }

    /// A quoted field whose opening quote, at `self.at`, is taken, and the
    /// index just after it (at its delimiter or line end, also taken).
    fn quoted(&mut self) -> (Cow<'a, str>, usize) {
        let bytes = self.text.as_bytes();
        let start = self.at + 1;
        let mut piece = start;
        let mut owned: Option<String> = None;
        loop {
            let mut close = None;
            while let Some(m) = self.marks.next(&self.finder) {
                match bytes[m] {
                    b'"' => {
                        close = Some(m);
                        break;
                    }
                    b'\n' => self.line += 1,
                    _ => {}
                }
            }
            let Some(q) = close else {
                // Unclosed: the rest of the text.
                self.unclosed = true;
                let rest = &self.text[piece..];
                let field = match owned {
                    Some(mut o) => {
                        o.push_str(rest);
                        Cow::Owned(o)
                    }
                    None => Cow::Borrowed(&self.text[start..]),
                };
                return (field, bytes.len());
            };
            if bytes.get(q + 1) == Some(&b'"') {
                self.marks.next(&self.finder);
                owned
                    .get_or_insert_with(String::new)
                    .push_str(&self.text[piece..=q]);
                piece = q + 2;
                continue;
            }
            let after = q + 1;
            let end = match bytes.get(after) {
                None => after,
                Some(&c) if c == self.delimiter || c == b'\n' || c == b'\r' => {
                    self.marks.next(&self.finder);
                    after
                }
                // Text after the closing quote is kept, quotes included.
                Some(_) => self.field_end(),
            };
            let field = match owned {
                None if end == after => Cow::Borrowed(&self.text[start..q]),
                other => {
                    let mut o = other.unwrap_or_default();
                    o.push_str(&self.text[piece..q]);
                    o.push_str(&self.text[after..end]);
                    Cow::Owned(o)
                }
            };
            return (field, end);
        }
    }
}

fn parse_part(
    text: &str,
    first_line: u64,
    delimiter: u8,
    width: usize,
    wanted: &Wanted,
    progress: &Progress,
) -> Result<Part, String> {
    let Wanted {
        columns: keep,
        read_as,
        coded,
    } = wanted;
    let mut records = Records::new(text, first_line, delimiter);
    let estimate = text.len() / 100;
    let mut part = Part {
        columns: keep
            .iter()
            .map(|k| {
                if coded.contains(k) {
                    TextColumnBuilder::coded(estimate)
                } else {
                    TextColumnBuilder::with_capacity(estimate)
                }
            })
            .collect(),
        read: read_as
            .iter()
            .map(|&(_, how)| ReadCells::new(how, estimate))
            .collect(),
        lines: Vec::with_capacity(estimate),
        blank_lines: 0,
        ragged: (0, Vec::new()),
        newlines: 0,
        ends_in_quotes: false,
    };
    // For each kept column, which of `read` reads it, if any.
    let reader: Vec<Option<usize>> = keep
        .iter()
        .map(|k| read_as.iter().position(|(c, _)| c == k))
        .collect();
    let mut fields: Vec<Cow<str>> = Vec::with_capacity(width);
    let mut reported_bytes = 0u64;
    while let Some(line) = records.next_record(&mut fields) {
        if fields.len() <= 1 && fields.first().is_none_or(|f| f.trim_ascii().is_empty()) {
            part.blank_lines += 1;
            continue;
        }
        if fields.len() != width {
            part.ragged.0 += 1;
            if part.ragged.1.len() < 5 {
                part.ragged.1.push(line);
            }
        }
        for ((col, &k), read) in part.columns.iter_mut().zip(keep).zip(&reader) {
            let cell = fields.get(k).map(|f| &**f);
            col.push(match read {
                Some(j) => part.read[*j].push(cell),
                None => cell,
            });
        }
        part.lines.push(line);
        if part.lines.len().is_multiple_of(65_536) {
            let at = records.at as u64;
            progress
                .bytes_read
                .fetch_add(at - reported_bytes, Ordering::Relaxed);
            reported_bytes = at;
            progress.rows_read.fetch_add(65_536, Ordering::Relaxed);
            if progress.is_cancelled() {
                return Err("cancelled".into());
            }
        }
    }
    progress
        .bytes_read
        .fetch_add(text.len() as u64 - reported_bytes, Ordering::Relaxed);
    part.newlines = records.line - first_line;
    part.ends_in_quotes = records.unclosed;
    Ok(part)
}

/// Reads a Parquet file: the columns `wanted` keeps, each on its own
/// core, read as a CSV stretch's cells are (see [`read_csv`]).
pub fn read_parquet(
    bytes: &[u8],
    wanted: &dyn Fn(&[String]) -> Wanted,
) -> Result<RawTable, String> {
    let mut reader = ParquetReader::new(Cursor::new(bytes));
    let schema = reader
        .schema()
        .map_err(|e| format!("not a readable Parquet file: {e}"))?;
    // polars reads every cell of a time32[s] column as empty, which would
    // put each row of a date + time pair at midnight: such a column is
    // refused when it is one the import takes.
    let unreadable: Vec<String> = schema
        .iter()
        .filter(|(_, f)| matches!(f.dtype, ArrowDataType::Time32(ArrowTimeUnit::Second)))
        .map(|(name, _)| name.to_string())
        .collect();
    let df = reader
        .finish()
        .map_err(|e| format!("not a readable Parquet file: {e}"))?;
    if !unreadable.is_empty() {
        let headers: Vec<String> = df
            .get_column_names()
            .iter()
            .map(ToString::to_string)
            .collect();
        let taken = wanted(&headers).within(headers.len()).columns;
        if let Some(&k) = taken.iter().find(|&&k| unreadable.contains(&headers[k])) {
            return Err(format!(
                "column {:?} holds times of day in whole seconds (Parquet time32[s]), \
                 which cannot be read; write it as time64 or as text",
                headers[k]
            ));
        }
    }
    dataframe_to_raw(&df, wanted)
}

/// A column's index, its text cells, and what was read of it.
type ColumnRead = (usize, TextColumn, Option<(ReadAs, ReadCells)>);

/// A table's columns as text cells, or as what `wanted` reads them as.
pub fn dataframe_to_raw(
    df: &DataFrame,
    wanted: &dyn Fn(&[String]) -> Wanted,
) -> Result<RawTable, String> {
    let rows = df.height();
    let headers: Vec<String> = df
        .get_column_names()
        .iter()
        .map(ToString::to_string)
        .collect();
    let wanted = wanted(&headers).within(headers.len());
    let keep = wanted.columns.clone();
    let columns = df.columns();
    let read: Vec<ColumnRead> = keep
        .par_iter()
        .map(|&k| {
            let how = wanted
                .read_as
                .iter()
                .find(|(c, _)| *c == k)
                .map(|&(_, how)| how);
            let coded = wanted.coded.contains(&k);
            let (text, read) = column_cells(columns[k].as_materialized_series(), how, coded)?;
            Ok((k, text, how.zip(read)))
        })
        .collect::<Result<_, String>>()?;
    let mut table = RawTable {
        columns: (0..headers.len()).map(|_| TextColumn::default()).collect(),
        headers,
        lines: (1..=rows as u64).collect(),
        ..RawTable::default()
    };
    for (k, text, read) in read {
        table.columns[k] = text;
        if let Some((how, cells)) = read {
            table.keep_read(k, JoinedRead::of(how, vec![cells]));
        }
    }
    Ok(table)
}

/// Reads one cell as `read` says, and keeps in `out` the text still kept.
fn push(out: &mut TextColumnBuilder, read: &mut Option<ReadCells>, cell: Option<&str>) {
    out.push(match read {
        Some(read) => read.push(cell),
        None => cell,
    });
}

/// One column's cells: as text, as codes when `coded`, and read as `how`
/// says (the text then keeps only the cells not read).
fn column_cells(
    s: &Series,
    how: Option<ReadAs>,
    coded: bool,
) -> Result<(TextColumn, Option<ReadCells>), String> {
    let rows = s.len();
    // A text column already trimmed and without blank cells is shared as
    // it is.
    if let (None, false, Ok(cells)) = (how, coded, s.str())
        && slices(cells).par_iter().all(|part| {
            part.iter()
                .flatten()
                .all(|v| !v.is_empty() && trim(v).len() == v.len())
        })
    {
        return Ok((
            TextColumn {
                repr: Repr::Cells(cells.clone()),
            },
            None,
        ));
    }
    let mut read = how.map(|how| ReadCells::new(how, rows));
    let mut out = if coded {
        TextColumnBuilder::coded(rows)
    } else {
        TextColumnBuilder::with_capacity(rows)
    };
    match s.dtype() {
        DataType::Datetime(unit, tz) => {
            let phys = s.cast(&DataType::Int64).map_err(|e| e.to_string())?;
            let ca = phys.i64().map_err(|e| e.to_string())?;
            let to_ms = |v: i64| match unit {
                TimeUnit::Nanoseconds => v.div_euclid(1_000_000),
                TimeUnit::Microseconds => v.div_euclid(1_000),
                TimeUnit::Milliseconds => v,
            };
            for v in ca.iter() {
                let at = v
                    .map(|v| chrono::DateTime::from_timestamp_millis(to_ms(v)).unwrap_or_default());
                // Read as an instant without writing it out, when it is
                // one the text would have given (a four-digit year).
                if let (Some(at), Some(ReadCells::Instants(offsets, instants))) = (at, &mut read)
                    && (1000..=9999).contains(&chrono::Datelike::year(&at))
                {
                    instants.push(if tz.is_some() {
                        at.timestamp_millis()
                    } else {
                        offsets.zone().to_instant(at.naive_utc())
                    });
                    out.push(None);
                    continue;
                }
                let text = at.map(|at| {
                    if tz.is_some() {
                        at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
                    } else {
                        at.naive_utc().format("%Y-%m-%dT%H:%M:%S%.3f").to_string()
                    }
                });
                push(&mut out, &mut read, text.as_deref());
            }
        }
        DataType::String => {
            let ca = s.str().map_err(|e| e.to_string())?;
            for v in ca.iter() {
                push(&mut out, &mut read, v);
            }
        }
        _ => {
            let cast = s.cast(&DataType::String).map_err(|e| e.to_string())?;
            let ca = cast.str().map_err(|e| e.to_string())?;
            for v in ca.iter() {
                push(&mut out, &mut read, v);
            }
        }
    }
    Ok((out.finish(), read))
}

/// Reads a spreadsheet (XLSX, XLS, XLSB, ODS): the named sheet, else the
/// first sheet whose header row names a timestamp column.
pub fn read_spreadsheet(
    bytes: &[u8],
    sheet: Option<&str>,
    has_timestamp: &dyn Fn(&[String]) -> bool,
) -> Result<(RawTable, String), String> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| format!("not a readable spreadsheet: {e}"))?;
    let names = book.sheet_names();
    if names.is_empty() {
        return Err("the workbook has no sheets".into());
    }
    let mut candidates: Vec<String> = Vec::new();
    if let Some(want) = sheet {
        if !names.iter().any(|n| n == want) {
            return Err(format!(
                "the workbook has no sheet {want:?} (its sheets: {})",
                names.join(", ")
            ));
        }
        candidates.push(want.to_string());
    } else {
        candidates.extend(names.iter().cloned());
    }
    let mut first: Option<(RawTable, String)> = None;
    for name in candidates {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| format!("sheet {name:?}: {e}"))?;
        let mut rows = range.rows();
        let start_row = range.start().map_or(0, |(r, _)| u64::from(r));
        let Some(header) = rows.next() else { continue };
        let headers: Vec<String> = header
            .iter()
            .map(|c| cell_text(c).unwrap_or_default())
            .collect();
        let mut builders: Vec<TextColumnBuilder> = (0..headers.len())
            .map(|_| TextColumnBuilder::with_capacity(range.height()))
            .collect();
        let mut table = RawTable {
            headers,
            ..RawTable::default()
        };
        for (i, row) in rows.enumerate() {
            if row.iter().all(|c| matches!(c, Data::Empty)) {
                table.blank_lines += 1;
                continue;
            }
            for (k, col) in builders.iter_mut().enumerate() {
                col.push(row.get(k).and_then(cell_text).as_deref());
            }
            table.lines.push(start_row + i as u64 + 2);
        }
        table.columns = builders
            .into_iter()
            .map(TextColumnBuilder::finish)
            .collect();
        if sheet.is_some() || has_timestamp(&table.headers) {
            return Ok((table, name));
        }
        if first.is_none() {
            first = Some((table, name));
        }
    }
    first.ok_or_else(|| "every sheet of the workbook is empty".into())
}

fn cell_text(c: &Data) -> Option<String> {
    match c {
        Data::Empty | Data::Error(_) => None,
        Data::String(s) => Some(s.clone()),
        Data::DateTimeIso(s) => Some(
            s.strip_suffix("T00:00:00")
                .map_or_else(|| s.clone(), str::to_string),
        ),
        Data::DurationIso(s) => Some(time_of_day_of_iso_duration(s).unwrap_or_else(|| s.clone())),
        Data::Int(i) => Some(i.to_string()),
        Data::Float(f) => Some(if f.fract() == 0.0 && f.abs() < 1e15 {
            format!("{f:.0}")
        } else {
            f.to_string()
        }),
        Data::Bool(b) => Some(b.to_string()),
        Data::DateTime(d) => {
            let v = d.as_f64();
            let dt = d.as_datetime()?;
            // A date or a time of day alone is written so, for a `date` +
            // `time` pair of cells to join as text cells would: a day
            // fraction is a time (whatever the epoch), a whole day a date
            // (midnight when it stands alone).
            Some(if (0.0..1.0).contains(&v) {
                dt.format("%H:%M:%S").to_string()
            } else if v.fract() == 0.0 {
                dt.format("%Y-%m-%d").to_string()
            } else {
                dt.format("%Y-%m-%dT%H:%M:%S").to_string()
            })
        }
    }
}

/// An `OpenDocument` time cell (`PT10H30M00S`, a duration since midnight) as
/// a time of day, `10:30:00`; `None` for anything else, such as a duration
/// of a day or more.
fn time_of_day_of_iso_duration(s: &str) -> Option<String> {
    let rest = s.strip_prefix("PT")?;
    let (mut hours, mut minutes, mut seconds) = (0u32, 0u32, 0f64);
    let mut number = String::new();
    for c in rest.chars() {
        match c {
            '0'..='9' | '.' => number.push(c),
            'H' => hours = std::mem::take(&mut number).parse().ok()?,
            'M' => minutes = std::mem::take(&mut number).parse().ok()?,
            'S' => seconds = std::mem::take(&mut number).parse().ok()?,
            _ => return None,
        }
    }
    let whole = seconds.floor();
    (number.is_empty() && hours < 24 && minutes < 60 && whole < 60.0).then(|| {
        let millis = ((seconds - whole) * 1000.0).round() as u32;
        if millis == 0 {
            format!("{hours:02}:{minutes:02}:{whole:02}")
        } else {
            format!("{hours:02}:{minutes:02}:{whole:02}.{millis:03}")
        }
    })
}

/// Decompresses gzip data, refusing output beyond `limit` bytes.
pub fn gunzip(bytes: &[u8], limit: u64) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("broken gzip data: {e}"))?;
    if out.len() as u64 > limit {
        return Err(format!(
            "the gzip data expands beyond {} GiB; refusing to unpack it",
            limit >> 30
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xorshift64: the same pseudo-random stream on every run.
    fn xorshift(seed: u64) -> impl FnMut() -> u64 {
        let mut state = seed;
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    #[test]
    fn opendocument_time_cells_read_as_times_of_day() {
        assert_eq!(
            time_of_day_of_iso_duration("PT10H30M00S").as_deref(),
            Some("10:30:00")
        );
        assert_eq!(
            time_of_day_of_iso_duration("PT9H5M7.25S").as_deref(),
            Some("09:05:07.250")
        );
        assert_eq!(time_of_day_of_iso_duration("PT36H00M00S"), None);
        assert_eq!(time_of_day_of_iso_duration("P1DT2H"), None);
        assert_eq!(time_of_day_of_iso_duration("PT10H30"), None);
    }

    #[test]
    fn sniffs_common_delimiters() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter("a;b;c\n1;2,5;3\n"), b';');
        assert_eq!(sniff_delimiter("a\tb\tc\n1\t2\t3\n"), b'\t');
        assert_eq!(sniff_delimiter("a|b|c\n1|2|3\n"), b'|');
        assert_eq!(sniff_delimiter("a,b\n\"x;y;z\",2\n"), b',');
    }

    #[test]
    fn coded_columns_hold_the_cells_the_text_holds() {
        use std::fmt::Write;
        // Column 1: few values, with blank and padded cells. Column 2:
        // 300 values (wider codes). Column 3: few values but for a run of
        // thousands of distinct ones, more than a coded stretch keeps.
        let n = 20_000;
        let mut body = String::new();
        for i in 0..n {
            let few = match i % 13 {
                0 => String::new(),
                1 => "  outbound ".into(),
                2 => "inbound".into(),
                k => format!("v{k}"),
            };
            let many = if (9_000..15_000).contains(&i) {
                format!("many-{i}")
            } else {
                format!("x{}", i % 5)
            };
            let _ = writeln!(body, "{i},{few},w{},{many}", i % 300);
        }
        let progress = Progress::default();
        let read = |text: &str, coded: &[usize]| -> Vec<TextColumn> {
            let wanted = Wanted {
                columns: vec![1, 2, 3],
                read_as: Vec::new(),
                coded: coded.to_vec(),
            };
            let part = parse_part(text, 0, b',', 4, &wanted, &progress).unwrap();
            part.columns
                .into_iter()
                .map(TextColumnBuilder::finish)
                .collect()
        };
        for pieces in [1, 3, 7] {
            let mut coded: Vec<Vec<TextColumn>> = vec![Vec::new(); 3];
            let mut text: Vec<Vec<TextColumn>> = vec![Vec::new(); 3];
            for (from, to) in split_records(body.as_bytes(), pieces) {
                for (k, c) in read(&body[from..to], &[1, 2, 3]).into_iter().enumerate() {
                    coded[k].push(c);
                }
                for (k, c) in read(&body[from..to], &[]).into_iter().enumerate() {
                    text[k].push(c);
                }
            }
            for (k, (coded, text)) in coded.into_iter().zip(text).enumerate() {
                let (coded, text) = (TextColumn::concat(coded), TextColumn::concat(text));
                assert_eq!(coded.len(), n, "column {k}, {pieces} pieces");
                assert!(matches!(text.repr, Repr::Cells(_)));
                // The first two stay coded. The third is text when one
                // stretch holds all its values; split finer, each stretch
                // may stay under the limit, and the column stays coded.
                let stays_coded = matches!(coded.repr, Repr::Coded(_));
                if k < 2 || pieces == 1 {
                    assert_eq!(stays_coded, k < 2, "column {k}, {pieces} pieces");
                }
                for row in 0..n {
                    assert_eq!(coded.get(row), text.get(row), "column {k}, row {row}");
                }
                assert_eq!(coded.null_count(), text.null_count());
                let mut seen = Vec::new();
                coded.each_in(
                    4_000,
                    100,
                    |v| v.map(str::to_string),
                    |row, v| seen.push((row, v)),
                );
                let expected: Vec<(usize, Option<String>)> = (4_000..4_100)
                    .map(|row| (row, text.get(row).map(str::to_string)))
                    .collect();
                assert_eq!(seen, expected);
                let as_text: Vec<Option<&str>> = coded.cells().iter().collect();
                let expected: Vec<Option<&str>> = text.cells().iter().collect();
                assert_eq!(as_text, expected);
                let series = coded.to_series("c");
                assert_eq!(matches!(series.dtype(), DataType::Enum(..)), stays_coded);
                let cast = series.cast(&DataType::String).unwrap();
                let cast: Vec<Option<&str>> = cast.str().unwrap().iter().collect();
                assert_eq!(cast, expected);
                if k < 2 {
                    let counts = coded.few_values().unwrap();
                    let total: u64 = counts.iter().map(|(_, c)| c).sum();
                    assert_eq!(total as usize, n - text.null_count());
                    // In order of first appearance: row 0 is blank in the
                    // first column.
                    let first = if k == 0 {
                        ("outbound", (0..n).filter(|i| i % 13 == 1).count())
                    } else {
                        ("w0", (0..n).filter(|i| i % 300 == 0).count())
                    };
                    assert_eq!(counts[0], (first.0, first.1 as u64));
                    assert_eq!(counts.len(), if k == 0 { 12 } else { 300 });
                }
            }
        }
    }

    /// A coded column of no rows (a reader's empty column) is an empty
    /// enum column, as one of any length is.
    #[test]
    fn a_coded_column_of_no_rows_is_an_empty_enum() {
        let empty = TextColumn::from_codes(vec!["in".into(), "out".into()], Vec::new());
        let series = empty.to_series("direction");
        assert_eq!(series.len(), 0);
        assert!(matches!(series.dtype(), DataType::Enum(..)));
        let one = TextColumn::from_codes(vec!["in".into()], vec![0]);
        assert_eq!(one.to_series("direction").len(), 1);
    }

    #[test]
    fn coded_stretches_of_too_many_values_together_become_text() {
        // Seventeen stretches of 4,000 values each: 68,000 in all, more
        // than two-byte codes hold.
        let parts: Vec<TextColumn> = (0..17)
            .map(|p| {
                let values: Vec<String> = (0..4_000).map(|v| format!("p{p}-{v}")).collect();
                let codes: Vec<u16> = (0..4_001u16)
                    .map(|k| if k == 4_000 { MISSING } else { k })
                    .collect();
                TextColumn::from_codes(values, codes)
            })
            .collect();
        let all = TextColumn::concat(parts);
        assert!(matches!(all.repr, Repr::Cells(_)));
        assert_eq!(all.len(), 17 * 4_001);
        assert_eq!(all.get(0), Some("p0-0"));
        assert_eq!(all.get(4_000), None);
        assert_eq!(all.get(16 * 4_001 + 3_999), Some("p16-3999"));
        assert_eq!(all.null_count(), 17);
    }

    /// A table's headers, lines, and every cell of every column.
    #[test]
    fn split_stretches_start_at_record_boundaries() {
        use std::fmt::Write;
        let mut body = String::new();
        for i in 0..2_000 {
            if i % 7 == 0 {
                let _ = write!(body, "{i},\"multi\nline, \"\"quoted\"\"\nfield\",x\n");
            } else {
                let _ = writeln!(body, "{i},plain,x");
            }
        }
        let progress = Progress::default();
        let wanted = Wanted {
            columns: vec![0, 1],
            read_as: Vec::new(),
            coded: Vec::new(),
        };
        let whole = parse_part(&body, 2, b',', 3, &wanted, &progress).unwrap();
        for pieces in [2, 3, 7, 16] {
            let mut lines = Vec::new();
            let mut ids = Vec::new();
            let mut first_line = 2;
            for (from, to) in split_records(body.as_bytes(), pieces) {
                let mut part = parse_part(&body[from..to], 0, b',', 3, &wanted, &progress).unwrap();
                part.number_from(first_line);
                first_line += part.newlines;
                lines.extend(part.lines);
                ids.push(part.columns.into_iter().next().unwrap().finish());
            }
            assert_eq!(lines, whole.lines, "{pieces} pieces");
            let ids = TextColumn::concat(ids);
            assert_eq!(ids.len(), 2_000);
            assert_eq!(ids.get(1_999), Some("1999"));
            assert_eq!(ids.get(700), Some("700"));
        }
    }

    /// A large file split at plain newlines, some of which fall inside
    /// quoted cells that span lines: the stretch before such a cut ends in
    /// quotes, and the file is read again split with its quotes counted, to
    /// the same cells and lines as one pass over the whole file.
    #[test]
    fn cuts_inside_quoted_cells_are_found_and_read_again() {
        use std::fmt::Write;
        let mut body = String::from("id,text,x\n");
        let mut i = 0;
        while body.len() < 9 << 20 {
            if i % 3 == 0 {
                // Long cells of many lines, so that cuts land inside them.
                let _ = writeln!(body, "{i},\"{}\",x", "line, of a cell\n".repeat(400));
            } else {
                let _ = writeln!(body, "{i},plain,x");
            }
            i += 1;
        }
        let rows = i;
        let wanted = |_: &[String]| Wanted {
            columns: vec![0, 1],
            read_as: Vec::new(),
            coded: Vec::new(),
        };
        let progress = Progress::default();
        let head_of = body.find('\n').unwrap() + 1;
        let body_bytes = &body.as_bytes()[head_of..];
        // The plain split does cut inside a quoted cell here.
        let cut_in_quotes = split_at_newlines(body_bytes, rayon::current_num_threads() * 2)
            .iter()
            .rev()
            .skip(1)
            .any(|&(from, to)| {
                let text = std::str::from_utf8(&body_bytes[from..to]).unwrap();
                let wanted = wanted(&[]);
                parse_part(text, 0, b',', 3, &wanted, &progress)
                    .unwrap()
                    .ends_in_quotes
            });
        assert!(cut_in_quotes);
        let table = read_delimited(&body, body.as_bytes(), b',', &wanted, &progress)
            .unwrap()
            .unwrap();
        let whole = parse_part(&body[head_of..], 2, b',', 3, &wanted(&[]), &progress).unwrap();
        assert_eq!(table.lines, whole.lines);
        assert_eq!(table.lines.len(), rows);
        let ids = &table.columns[0];
        let texts = &table.columns[1];
        for row in [0, 1, 2, 3, rows / 2, rows - 1] {
            assert_eq!(ids.get(row), Some(row.to_string().as_str()));
            let expected = if row % 3 == 0 {
                "line, of a cell\n".repeat(400).trim().to_string()
            } else {
                "plain".to_string()
            };
            assert_eq!(texts.get(row), Some(expected.as_str()), "row {row}");
        }
        assert_eq!(progress.rows_read.load(Ordering::Relaxed), rows as u64);
    }

    /// Every record of `text` by [`Records`], with its line.
    fn records(text: &str, delimiter: u8) -> Vec<(u64, Vec<String>)> {
        let mut records = Records::new(text, 1, delimiter);
        let mut fields = Vec::new();
        let mut out = Vec::new();
        while let Some(line) = records.next_record(&mut fields) {
            out.push((line, fields.iter().map(ToString::to_string).collect()));
        }
        out
    }

    /// [`Records`] splits `text` (comma-delimited) into the fields the csv
    /// crate finds.
    fn splits_as_the_csv_crate_does(text: &str) {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(text.as_bytes());
        let expected: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        let got: Vec<Vec<String>> = records(text, b',').into_iter().map(|(_, f)| f).collect();
        assert_eq!(got, expected, "{text:?}");
    }

    #[test]
    fn records_split_as_the_csv_crate_does() {
        let texts = [
            "a,b,c\n1,2,3\n",
            "a,b\r\n1,2\r\n\r\n3,4",
            "a,b\r1,2\r3,4\r",
            "a,\"b,\"\"quoted\"\"\nline\",c\n\"\",\"\"\"\",x\n",
            "\"closed\"after,\"x\"\"\"y,z\n",
            "un\"quoted\"mid,\"\"\n",
            "trailing,\n,\n,,\n",
            "a,b,",
            "x,\"never closed\nstill, open",
            "\n\n\nlate,start\n\n",
            "caf\u{e9},\"\u{fc}ber \u{1F600}\"\n",
            "x,y\r",
            "p,q,\r\nr,s\n",
            "m\rn,o\n",
            "plain,\"then quoted\"\nplain,again",
            "\"first\",b,\"last\"\r\n\"\",\"a, b\",\n1,\"x\"y,2\n",
            "\"opens\",\"and runs\non\",3\n\"\"\"\",\"q\"\"\"\n",
        ];
        for text in texts {
            splits_as_the_csv_crate_does(text);
        }
        let tabs = records("a\tb c\t\"d\te\"\n", b'\t');
        assert_eq!(tabs[0].1, ["a", "b c", "d\te"]);
    }

    /// Random texts of delimiters, quotes, line ends and letters, the cases
    /// a hand-picked list misses, split as the csv crate splits them.
    #[test]
    fn random_records_split_as_the_csv_crate_does() {
        // Half the texts have only `\r\n` line ends, the others lone `\r`s
        // too.
        let tokens = ["a", "b", ",", ",", "\"", "\"", "\n", "\r\n", " ", "\r"];
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        for case in 0..40_000 {
            // One text in four is long enough to cross several of the
            // splitter's 64-byte blocks.
            let len = (next() % if case % 4 == 3 { 300 } else { 40 }) as usize;
            let kinds = tokens.len() as u64 - (case % 2);
            let text: String = (0..len)
                .map(|_| tokens[(next() % kinds) as usize])
                .collect();
            splits_as_the_csv_crate_does(&text);
        }
    }

    #[test]
    fn records_know_the_line_they_start_on() {
        // Blank lines before a record, a quoted line break inside one, and
        // CRLF endings: each record names its own first line.
        let text = "h1,h2\n\n\nx,1\n\"two\nlines\",2\r\n\r\ny,3\n";
        let lines: Vec<u64> = records(text, b',').into_iter().map(|(l, _)| l).collect();
        assert_eq!(lines, [1, 4, 5, 8]);
    }

    #[test]
    fn decodes_boms_and_latin1() {
        assert_eq!(decode_text(b"\xEF\xBB\xBFabc").0, "abc");
        assert_eq!(decode_text(b"\xFF\xFEa\x00b\x00").0, "ab");
        assert_eq!(decode_text(b"\xFE\xFF\x00a\x00b").0, "ab");
        let (t, enc) = decode_text(b"caf\xe9");
        assert_eq!(t, "café");
        assert_eq!(enc, "Windows-1252");
    }

    /// Decoded stretch by stretch, the text is what one decode of the
    /// whole gives, for every byte value and across stretch ends.
    #[test]
    fn latin1_decoded_in_stretches_is_decoded_whole() {
        let mut next = xorshift(0x9E37_79B9_7F4A_7C15);
        let bytes: Vec<u8> = (0..1_000_003)
            .map(|i| {
                let state = next();
                // Mostly ASCII, as text is, with every other byte too.
                if i % 5 == 0 {
                    (state >> 56) as u8
                } else {
                    b'a' + (state % 26) as u8
                }
            })
            .collect();
        let whole = encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(&bytes)
            .0;
        assert!(stretch_len(bytes.len()) < bytes.len(), "several stretches");
        assert_eq!(decode_windows_1252(&bytes), whole);
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(
            decode_windows_1252(&all),
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(&all)
                .0
        );
    }

    /// Decoded stretch by stretch, UTF-16 text is what one decode of the
    /// whole gives: surrogate pairs at stretch ends, lone surrogates and an
    /// odd last byte included, in either byte order.
    #[test]
    fn utf16_decoded_in_stretches_is_decoded_whole() {
        let mut next = xorshift(0x2545_F491_4F6C_DD1D);
        let mut units: Vec<u16> = Vec::new();
        while units.len() < 600_000 {
            let state = next();
            match state % 10 {
                // A pair, a lone high and a lone low surrogate.
                0 => units.extend([0xD83D, 0xDE00]),
                1 if state.is_multiple_of(7) => units.push(0xD801),
                2 if state.is_multiple_of(7) => units.push(0xDC02),
                3 => units.push(0x00E9 + (state >> 40) as u16 % 0x700),
                _ => units.push(u16::from(b'a') + (state >> 50) as u16 % 26),
            }
        }
        // A pair across the first stretch's end.
        let first_end = (stretch_len(units.len() * 2) & !1) / 2;
        units[first_end - 1] = 0xD83D;
        units[first_end] = 0xDE00;
        for (encoding, to_bytes) in [
            (
                encoding_rs::UTF_16LE,
                u16::to_le_bytes as fn(u16) -> [u8; 2],
            ),
            (encoding_rs::UTF_16BE, u16::to_be_bytes),
        ] {
            let mut bytes: Vec<u8> = units.iter().flat_map(|&u| to_bytes(u)).collect();
            assert!(stretch_len(bytes.len()) < bytes.len(), "several stretches");
            let whole = encoding.decode_without_bom_handling(&bytes).0.into_owned();
            assert_eq!(decode_utf16(encoding, &bytes), whole);
            bytes.push(0x41);
            let whole = encoding.decode_without_bom_handling(&bytes).0.into_owned();
            assert_eq!(decode_utf16(encoding, &bytes), whole);
        }
    }

    /// The word compares of short values agree with `==` at every length
    /// around their word sizes, with a difference at each place.
    #[test]
    fn short_values_compare_as_their_bytes() {
        for n in 0..=20 {
            let a: Vec<u8> = (0..n).map(|i| b'a' + i as u8).collect();
            assert!(same_short(&a, &a.clone()));
            for at in 0..n {
                let mut b = a.clone();
                b[at] = b'#';
                assert!(!same_short(&a, &b), "{n} {at}");
            }
            let longer: Vec<u8> = a.iter().copied().chain([b'z']).collect();
            assert!(!same_short(&a, &longer));
        }
    }

    #[test]
    fn text_column_trims_and_blanks() {
        let mut b = TextColumnBuilder::with_capacity(4);
        b.push(Some(" a "));
        b.push(None);
        b.push(Some("  "));
        b.push(Some("b"));
        // Unicode spaces are trimmed as well; inner ones stay.
        b.push(Some("\u{a0}c d\u{3000}"));
        b.push(Some("\te\r"));
        b.push(Some("\u{e9}t\u{e9}"));
        b.push(Some(""));
        let c = b.finish();
        assert_eq!(c.get(0), Some("a"));
        assert_eq!(c.get(1), None);
        assert_eq!(c.get(2), None);
        assert_eq!(c.get(3), Some("b"));
        assert_eq!(c.get(4), Some("c d"));
        assert_eq!(c.get(5), Some("e"));
        assert_eq!(c.get(6), Some("\u{e9}t\u{e9}"));
        assert_eq!(c.get(7), None);
        assert_eq!(c.get(9), None);
    }
}
