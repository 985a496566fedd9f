//! Dictionary codes for a text column: one small integer per row, equal
//! cells sharing a code.
//!
//! A column with millions of distinct values (conversation and contact ids)
//! makes one big hash map miss the caches on nearly every row. Rows are
//! therefore split by hash into partitions whose maps fit in cache, each
//! cell carried with its bytes (a short one inside its key, a long one
//! copied beside its partition's list while the column is read in order),
//! so that coding a partition reads the column only at each value's first
//! row; the partitions are coded in parallel, and codes are then
//! renumbered in the order values first appear, so the result is exactly
//! what a single sequential pass would give, or in the values' byte order
//! when rows are to be grouped by value. A second column that mostly
//! repeats each value's first row (contacts beside conversation ids) can
//! be compared on the way; see [`Companion`].
//!
//! A column of numbered ids ("chat-00042", "C1234", "Partners 7") skips
//! the hashing: each row's number picks its value's slot.
//!
//! A column of few values (agents, segments, statuses) is coded by
//! stretches on every core instead, each with a small table seeded with the
//! values of the column's first rows. Short cells are keyed by their polars
//! view, which holds a string of up to 12 bytes inline.
//!
//! The importer keeps columns of few values as enum columns; their rows
//! are already codes, which [`encode_categories`] only renumbers. The
//! importer and the engine both use this module.

use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU32, Ordering};

use polars::prelude::*;
use rayon::prelude::*;

/// No code: a missing or empty cell, or a row left out.
pub const NONE: u32 = u32::MAX;

/// A message text's hash, the same in every run and never zero: equal
/// texts are found by it. The importer can keep only this instead of the
/// text (a report shows no text), so the engine finds broadcasts by text
/// from it whether or not the text was kept. Two different texts share a
/// 64-bit hash with odds of about one in 10^19 a pair.
pub fn text_hash(text: &str) -> u64 {
    const TEXTS: PlFixedStateQuality = PlFixedStateQuality::with_seed(0x6368_6174_6c65_6e73);
    TEXTS.hash_one(text) | 1
}

/// Each row's [`text_hash`], on every core; zero for a row without text
/// or one `include` leaves out.
pub fn text_hashes(texts: &StringChunked, include: &(dyn Fn(usize) -> bool + Sync)) -> Vec<u64> {
    let n = texts.len();
    let step = crate::import::raw::stretch_len(n);
    let mut hashes = vec![0u64; n];
    hashes
        .par_chunks_mut(step)
        .enumerate()
        .for_each(|(k, out)| {
            let from = k * step;
            let cells = texts.slice(from as i64, out.len());
            for ((row, cell), h) in (from..).zip(cells.iter()).zip(out.iter_mut()) {
                if let Some(s) = cell.filter(|s| !s.is_empty() && include(row)) {
                    *h = text_hash(s);
                }
            }
        });
    hashes
}

/// Partitions of the hash space; 2^6 keeps each map small at ten million
/// rows and the per-stretch bookkeeping negligible.
const PARTITION_BITS: u32 = 6;
const PARTITIONS: usize = 1 << PARTITION_BITS;
/// Below this many rows one sequential pass is faster than partitioning.
const SMALL: usize = 1 << 17;

/// The first rows, which tell whether a column has few distinct values.
const HEAD: usize = SMALL / 2;
/// No row's partition: partitions are numbered below `PARTITIONS` (64).
const NO_PARTITION: u8 = u8::MAX;
/// Values up to this many bytes are keyed inline.
const INLINE: usize = 15;

/// One cell of a partition: its row, and its key as bytes: a short value's
/// packed integer (see [`for_each_key`]), hashed as one integer, not byte by
/// byte; for a longer value its length mark, then where its bytes are in
/// the partition's copy of the stretch's long texts (see [`long_key`]).
#[derive(Clone, Copy)]
struct Entry {
    row: u32,
    key: [u8; INLINE + 1],
}

/// A value's length and bytes packed into one key when it is
/// [`INLINE`] bytes or fewer; a longer value's key only says so.
fn packed_key(s: &str) -> [u8; INLINE + 1] {
    let mut key = [0u8; INLINE + 1];
    key[0] = s.len().min(INLINE + 1) as u8;
    if s.len() <= INLINE {
        key[1..=s.len()].copy_from_slice(s.as_bytes());
    }
    key
}

impl Entry {
    fn is_inline(&self) -> bool {
        usize::from(self.key[0]) <= INLINE
    }

    /// A long value's bytes, from the texts its stretch copied for its
    /// partition.
    fn long_text<'t>(&self, texts: &'t [u8]) -> &'t [u8] {
        let at = |k: usize| {
            u32::from_le_bytes([
                self.key[k],
                self.key[k + 1],
                self.key[k + 2],
                self.key[k + 3],
            ]) as usize
        };
        let (start, len) = (at(1), at(5));
        &texts[start..start + len]
    }
}

/// The key of a long value whose bytes were copied to `start` in its
/// partition's texts: the length mark, the start and the length.
fn long_key(start: usize, len: usize) -> [u8; INLINE + 1] {
    let mut key = [0u8; INLINE + 1];
    key[0] = (INLINE + 1) as u8;
    key[1..5].copy_from_slice(&(start as u32).to_le_bytes());
    key[5..9].copy_from_slice(&(len as u32).to_le_bytes());
    key
}

/// One partition's local codes, in its row order, its distinct values with
/// the row where each first appears, and (for byte-order numbering) each
/// value's [`sort_prefix`].
type Partition<'a> = (Vec<u32>, Vec<(u32, Value<'a>)>, Vec<u128>);

/// Codes in table order (`NONE` for a missing or empty cell) and the
/// distinct values, numbered in order of first appearance.
pub struct Dictionary<'a> {
    pub codes: Vec<u32>,
    pub values: Vec<Value<'a>>,
}

/// A distinct value's text: a short one in its own key, so that coding a
/// partition never goes back to the column for it (on this machine a cell
/// read at random cost about as much as coding ten rows in order), a
/// longer one as the column's cell.
#[derive(Clone, Copy, Debug)]
pub enum Value<'a> {
    /// The key of a value of up to 15 bytes, as the coding makes it: a
    /// polars view (length, then up to 12 bytes) or a packed key (one
    /// length byte of 13 to 15, then the bytes).
    Short([u8; INLINE + 1]),
    Cell(&'a str),
}

impl Value<'_> {
    pub fn as_str(&self) -> &str {
        match self {
            Value::Cell(s) => s,
            Value::Short(key) => {
                let view_length = u32::from_ne_bytes([key[0], key[1], key[2], key[3]]) as usize;
                let bytes = if view_length <= 12 {
                    &key[4..4 + view_length]
                } else {
                    &key[1..=usize::from(key[0]).min(INLINE)]
                };
                // The bytes are a whole cell's, which polars holds as UTF-8.
                std::str::from_utf8(bytes).unwrap_or_default()
            }
        }
    }
}

impl std::ops::Deref for Value<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Value<'_> {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Value<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<&str> for Value<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// The array type behind a polars string column.
type StringArray = <StringType as PolarsDataType>::Array;

/// A cell by row index across a column's chunks (a few, one per stretch
/// the importer read), without joining them into one array first.
struct Cells<'a> {
    starts: Vec<usize>,
    arrays: Vec<&'a StringArray>,
}

impl<'a> Cells<'a> {
    fn new(column: &'a StringChunked) -> Self {
        let mut starts = Vec::new();
        let mut at = 0;
        let arrays: Vec<&StringArray> = column.downcast_iter().collect();
        for a in &arrays {
            starts.push(at);
            at += a.len();
        }
        Self { starts, arrays }
    }

    fn get(&self, row: usize) -> Option<&'a str> {
        let k = self.starts.partition_point(|&s| s <= row) - 1;
        self.arrays[k].get(row - self.starts[k])
    }

    /// A cell's key, as [`for_each_key`] gives it.
    fn key(&self, row: usize) -> Key<'a> {
        let k = self.starts.partition_point(|&s| s <= row) - 1;
        let (array, i) = (self.arrays[k], row - self.starts[k]);
        let view = array.views()[i];
        match array.get(i) {
            Some(s) if !s.is_empty() && view.length <= 12 => Key::Packed(view.as_u128()),
            Some(s) => Key::of(s),
            None => Key::Missing,
        }
    }

    /// The text of a cell known to be present: its validity is not read,
    /// which saves one of the few cache misses a cell read at random costs.
    fn present(&self, row: usize) -> &'a str {
        let k = self.starts.partition_point(|&s| s <= row) - 1;
        self.arrays[k].value(row - self.starts[k])
    }
}

/// How a dictionary numbers its distinct values.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Numbering {
    FirstAppearance,
    ByteOrder,
}

/// Which table rows a coding reads; the others are coded `NONE`.
type Include<'f> = &'f (dyn Fn(usize) -> bool + Sync);

/// Every row.
fn every_row(_: usize) -> bool {
    true
}

/// Codes numbered by first appearance.
pub fn encode(column: &StringChunked) -> Dictionary<'_> {
    encode_rows(column, &every_row)
}

/// Codes for the rows `include` admits, numbered by first appearance among
/// them; the other rows are `NONE`, and their text is not read.
pub fn encode_rows<'a>(column: &'a StringChunked, include: Include) -> Dictionary<'a> {
    let n = column.len();
    if n < SMALL {
        return encode_sequential(column, include);
    }
    if few_distinct(column) {
        return encode_few(column, include);
    }
    encode_numbered(column, Numbering::FirstAppearance, include, None)
        .unwrap_or_else(|| encode_partitioned(column, Numbering::FirstAppearance, include, None))
        .0
}

/// An enum or categorical column: its physical ids and each id's text
/// (`None` for an empty one, which is a missing value).
pub struct Categories<'a> {
    column: &'a Series,
    pub text: Vec<Option<&'a str>>,
}

/// Calls `f` with the id of each row in `from..from + len` (`NONE` where
/// missing).
fn each_physical_id<T>(ids: &ChunkedArray<T>, from: usize, len: usize, f: &mut impl FnMut(u32))
where
    T: PolarsNumericType,
    T::Native: Into<u32>,
{
    for array in ids.slice(from as i64, len).downcast_iter() {
        match array.validity().filter(|v| v.unset_bits() > 0) {
            None => array.values_iter().for_each(|&id| f(id.into())),
            Some(valid) => array
                .values_iter()
                .zip(valid.iter())
                .for_each(|(&id, ok)| f(if ok { id.into() } else { NONE })),
        }
    }
}

impl<'a> Categories<'a> {
    /// `None` for a column of another type.
    pub fn of(column: &'a Series) -> Option<Self> {
        let (DataType::Enum(_, mapping) | DataType::Categorical(_, mapping)) = column.dtype()
        else {
            return None;
        };
        let text = (0..mapping.num_cats_upper_bound())
            .map(|id| mapping.cat_to_str(id as u32).filter(|s| !s.is_empty()))
            .collect();
        Some(Self { column, text })
    }

    fn len(&self) -> usize {
        self.column.len()
    }

    /// Calls `f` with the id of each row in `from..from + len`, in order
    /// (`NONE` where missing; an id may still have no text).
    pub fn each_id(&self, from: usize, len: usize, mut f: impl FnMut(u32)) {
        let column = self.column;
        match column.dtype().cat_physical() {
            Ok(CategoricalPhysical::U8) => {
                if let Ok(c) = column.cat8() {
                    each_physical_id(c.physical(), from, len, &mut f);
                }
            }
            Ok(CategoricalPhysical::U16) => {
                if let Ok(c) = column.cat16() {
                    each_physical_id(c.physical(), from, len, &mut f);
                }
            }
            Ok(CategoricalPhysical::U32) => {
                if let Ok(c) = column.cat32() {
                    each_physical_id(c.physical(), from, len, &mut f);
                }
            }
            Err(_) => {}
        }
    }
}

/// Each id's code, numbered by first appearance as [`encode`] numbers a
/// text column's (`NONE` for an id no row holds or without text), and the
/// values in code order. Each stretch is read on its own core.
fn rank_categories<'a>(categories: &Categories<'a>) -> (Vec<u32>, Vec<Value<'a>>) {
    let text = &categories.text;
    let n = categories.len();
    let has_text = |id: u32| matches!(text.get(id as usize), Some(Some(_)));
    let step = crate::import::raw::stretch_len(n);
    let first = (0..n)
        .step_by(step)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|from| {
            let mut first = vec![u32::MAX; text.len()];
            let mut row = from as u32;
            categories.each_id(from, step.min(n - from), |id| {
                if let Some(f) = first.get_mut(id as usize)
                    && *f == u32::MAX
                {
                    *f = row;
                }
                row += 1;
            });
            first
        })
        .reduce(
            || vec![u32::MAX; text.len()],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(a, b)| *a = (*a).min(b));
                a
            },
        );
    let mut appearing: Vec<u32> = (0..text.len() as u32)
        .filter(|&id| first[id as usize] != u32::MAX && has_text(id))
        .collect();
    appearing.sort_unstable_by_key(|&id| first[id as usize]);
    let mut rank = vec![NONE; text.len()];
    for (code, &id) in appearing.iter().enumerate() {
        rank[id as usize] = code as u32;
    }
    let values = appearing
        .iter()
        .map(|&id| Value::Cell(text[id as usize].unwrap_or_default()))
        .collect();
    (rank, values)
}

/// How many rows hold each of `values` codes, counted on every core;
/// `index` reads a code, and a code past the values (a missing row's) is
/// not counted.
pub fn code_counts<C: Copy + Sync>(
    codes: &[C],
    values: usize,
    index: impl Fn(C) -> usize + Sync,
) -> Vec<u64> {
    codes
        .par_chunks(1 << 16)
        .fold(
            || vec![0u64; values],
            |mut counts, chunk| {
                for &c in chunk {
                    if let Some(n) = counts.get_mut(index(c)) {
                        *n += 1;
                    }
                }
                counts
            },
        )
        .reduce(
            || vec![0u64; values],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
                a
            },
        )
}

/// Codes for an enum or categorical column, numbered by first appearance
/// as [`encode`] numbers a text column's (an empty value is a missing
/// one); `None` for a column of another type. The importer keeps columns
/// of few values as enums, so their rows are already codes: only the
/// numbering is left.
pub fn encode_categories(column: &Series) -> Option<Dictionary<'_>> {
    let categories = Categories::of(column)?;
    let (rank, values) = rank_categories(&categories);
    let n = categories.len();
    let step = crate::import::raw::stretch_len(n);
    let mut codes = vec![NONE; n];
    codes.par_chunks_mut(step).enumerate().for_each(|(k, out)| {
        let mut out = out.iter_mut();
        categories.each_id(k * step, out.len(), |id| {
            if let Some(o) = out.next() {
                *o = rank.get(id as usize).copied().unwrap_or(NONE);
            }
        });
    });
    Some(Dictionary { codes, values })
}

/// Codes numbered in the values' byte order, so that ordering rows by code
/// orders them by value.
pub fn encode_in_byte_order(column: &StringChunked) -> Dictionary<'_> {
    encode_in_byte_order_with(column, None).0
}

/// Where a second column repeats, row by row, its cell in the first row of
/// each value of the coded column: a contact column beside conversation
/// ids, where nearly every row of a conversation names the same contact.
pub struct Companion {
    /// The table row where each coded value (by code) first appears.
    pub first_rows: Vec<u32>,
    /// The rows whose companion cell differs from the one in their value's
    /// first row, and the rows whose coded cell is missing; in no
    /// particular order.
    pub differing: Vec<u32>,
}

/// [`encode_in_byte_order`], and with it where `companion` (a column of
/// the same length) follows the coded values. Comparing the companion's
/// cells while each partition is coded costs little: the rows of one value
/// meet in the same cache-sized map. A column coded without partitions
/// (few rows, or few values) has no companion: coding the second column
/// outright costs about as much there.
pub fn encode_in_byte_order_with<'a>(
    column: &'a StringChunked,
    companion: Option<&StringChunked>,
) -> (Dictionary<'a>, Option<Companion>) {
    let n = column.len();
    if n >= SMALL && !few_distinct(column) {
        return encode_numbered(column, Numbering::ByteOrder, &every_row, companion)
            .unwrap_or_else(|| {
                encode_partitioned(column, Numbering::ByteOrder, &every_row, companion)
            });
    }
    let Dictionary { codes, values } = if n < SMALL {
        encode_sequential(column, &every_row)
    } else {
        encode_few(column, &every_row)
    };
    let order = sorted_order(&values);
    let mut rank = vec![0u32; values.len()];
    for (r, &k) in order.iter().enumerate() {
        rank[k as usize] = r as u32;
    }
    let dictionary = Dictionary {
        codes: codes
            .iter()
            .map(|&c| if c == NONE { NONE } else { rank[c as usize] })
            .collect(),
        values: order.iter().map(|&k| values[k as usize]).collect(),
    };
    (dictionary, None)
}

/// Prefixes one numbered column may have; more, and hashing is as quick.
const MAX_PREFIXES: usize = 64;
/// Digits read as a number: nine keep every slot below [`NONE`].
const MAX_DIGITS: usize = 9;

/// One prefix's numbers as a stretch or the column met them. A cell with
/// no digits is its prefix's number 0, and a cell with digits their value
/// plus one, so that "P" and "P0" differ. Leading zeros make two cells one
/// number ("P007" and "P7"), unless every number is zero-padded to one
/// width: then each number has one text, and the numbers tell the values
/// apart.
#[derive(Clone)]
struct PrefixNumbers {
    prefix: Vec<u8>,
    lowest: u32,
    highest: u32,
    /// The fewest digits of any cell.
    narrowest: usize,
    /// The fewest and most digits of a cell with leading zeros.
    padded: (usize, usize),
}

impl PrefixNumbers {
    fn new(prefix: &[u8]) -> Self {
        Self {
            prefix: prefix.to_vec(),
            lowest: u32::MAX,
            highest: 0,
            narrowest: usize::MAX,
            padded: (usize::MAX, 0),
        }
    }

    fn add(&mut self, number: u32, digits: &[u8]) {
        self.lowest = self.lowest.min(number);
        self.highest = self.highest.max(number);
        if !digits.is_empty() {
            self.narrowest = self.narrowest.min(digits.len());
            if digits.len() > 1 && digits[0] == b'0' {
                self.padded = (
                    self.padded.0.min(digits.len()),
                    self.padded.1.max(digits.len()),
                );
            }
        }
    }

    fn merge(&mut self, other: &Self) {
        self.lowest = self.lowest.min(other.lowest);
        self.highest = self.highest.max(other.highest);
        self.narrowest = self.narrowest.min(other.narrowest);
        self.padded = (
            self.padded.0.min(other.padded.0),
            self.padded.1.max(other.padded.1),
        );
    }

    /// Whether its numbers tell its values apart: no leading zeros, or all
    /// numbers padded to the width of the narrowest.
    fn distinguishes(&self) -> bool {
        let (fewest, most) = self.padded;
        most == 0 || (fewest == most && fewest == self.narrowest)
    }
}

/// A cell's prefix, its trailing digits and their number (see
/// [`PrefixNumbers`]); `None` for more digits than [`MAX_DIGITS`].
fn split_number(cell: &[u8]) -> Option<(&[u8], &[u8], u32)> {
    let digits = cell.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    if digits > MAX_DIGITS {
        return None;
    }
    let (prefix, digits) = cell.split_at(cell.len() - digits);
    let number = if digits.is_empty() {
        0
    } else {
        digits
            .iter()
            .fold(0u32, |n, &d| n * 10 + u32::from(d - b'0'))
            + 1
    };
    Some((prefix, digits, number))
}

/// A prefix of up to 15 bytes as one integer (its length, then its
/// bytes), unique to it; a longer one's only says so.
fn prefix_bits(prefix: &[u8]) -> u128 {
    if prefix.len() <= INLINE {
        let mut b = [0u8; 16];
        b[0] = prefix.len() as u8;
        b[1..=prefix.len()].copy_from_slice(prefix);
        u128::from_le_bytes(b)
    } else {
        LONG_PREFIX
    }
}

/// [`prefix_bits`] of every prefix longer than 15 bytes.
const LONG_PREFIX: u128 = u128::MAX - 1;

/// What numbering one stretch found: its prefixes in the order it met
/// them, and its missing rows.
struct NumberedStretch {
    prefixes: Vec<PrefixNumbers>,
    missing: Vec<u32>,
}

/// The prefixes in byte order, as indices; `None` when one prefix begins
/// another, so that a text of one could fall between two of the other.
fn prefixes_in_byte_order(prefixes: &[PrefixNumbers]) -> Option<Vec<usize>> {
    let mut by_text: Vec<usize> = (0..prefixes.len()).collect();
    by_text.sort_unstable_by(|&a, &b| prefixes[a].prefix.cmp(&prefixes[b].prefix));
    let begins_another = by_text
        .windows(2)
        .any(|w| prefixes[w[1]].prefix.starts_with(&prefixes[w[0]].prefix));
    (!begins_another).then_some(by_text)
}

impl PrefixNumbers {
    /// The width of a number's digits (0 for the bare prefix).
    fn width(&self, number: u32) -> usize {
        if number == 0 {
            return 0;
        }
        let natural = (number - 1).checked_ilog10().unwrap_or(0) as usize + 1;
        if self.padded.1 > 0 {
            natural.max(self.padded.0)
        } else {
            natural
        }
    }

    /// The text of a number as a short [`Value`] key, when it has at most
    /// [`INLINE`] bytes: a view's layout up to 12, a [`packed_key`]'s above.
    fn short_text(&self, number: u32) -> Option<[u8; INLINE + 1]> {
        let width = self.width(number);
        let len = self.prefix.len() + width;
        if len > INLINE {
            return None;
        }
        let mut text = [0u8; INLINE];
        text[..self.prefix.len()].copy_from_slice(&self.prefix);
        let mut rest = number.saturating_sub(1);
        for place in (self.prefix.len()..len).rev() {
            text[place] = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        let mut key = [0u8; INLINE + 1];
        if len <= 12 {
            key[..4].copy_from_slice(&(len as u32).to_ne_bytes());
            key[4..4 + len].copy_from_slice(&text[..len]);
        } else {
            key[0] = len as u8;
            key[1..=len].copy_from_slice(&text[..len]);
        }
        Some(key)
    }

    /// Calls `f` with each of its numbers from `lowest` to `highest` in
    /// the byte order of their texts: the bare prefix first, then the
    /// digits compared as text ("10" before "9"), walking the tree of digit
    /// strings in order and skipping the branches that hold no number of
    /// the range.
    fn each_in_text_order(&self, f: &mut impl FnMut(u32)) {
        if self.lowest == 0 {
            f(0);
        }
        if self.highest == 0 {
            return;
        }
        let width = if self.padded.1 > 0 { self.padded.0 } else { 1 };
        let walk = TextWalk {
            lo: u64::from(self.lowest.max(1) - 1),
            hi: u64::from(self.highest - 1),
            width,
            longest: self.width(self.highest).max(width),
        };
        for d in 0..10 {
            walk.visit(d, 1, d == 0, f);
        }
    }
}

/// Powers of ten up to the widest number a `u64` holds.
const POWERS_OF_TEN: [u64; 20] = {
    let mut powers = [1u64; 20];
    let mut k = 1;
    while k < 20 {
        powers[k] = powers[k - 1] * 10;
        k += 1;
    }
    powers
};

/// The numbers `lo..=hi` of one prefix, whose digits are at least `width`
/// wide (zero-padded to it) and at most `longest`.
struct TextWalk {
    lo: u64,
    hi: u64,
    width: usize,
    longest: usize,
}

impl TextWalk {
    /// Whether a digit string of value `v` and length `len`, or one that
    /// it begins, falls in the range.
    fn reaches(&self, v: u64, len: usize) -> bool {
        POWERS_OF_TEN[..=self.longest - len]
            .iter()
            .any(|&scale| v * scale <= self.hi && (v + 1) * scale > self.lo)
    }

    /// Calls `f` with the number of each text that the digit string of
    /// value `v` and length `len` begins (itself first), in text order.
    fn visit(&self, v: u64, len: usize, zero_led: bool, f: &mut impl FnMut(u32)) {
        if !self.reaches(v, len) {
            return;
        }
        let is_text = len == self.width || (len > self.width && !zero_led);
        if is_text && (self.lo..=self.hi).contains(&v) {
            f(v as u32 + 1);
        }
        // Past the padding only texts without a leading zero go on.
        if len == self.longest || (zero_led && len >= self.width) {
            return;
        }
        if len + 1 == self.longest {
            // The children are the longest strings, most of the tree: such
            // a string reaches the range only by being in it, so they are
            // read off as a run instead of visited one by one.
            let child_is_text = len + 1 == self.width || (len + 1 > self.width && !zero_led);
            if child_is_text {
                for child in (v * 10).max(self.lo)..=(v * 10 + 9).min(self.hi) {
                    f(child as u32 + 1);
                }
            }
            return;
        }
        for d in 0..10 {
            self.visit(v * 10 + d, len + 1, zero_led, f);
        }
    }
}

/// No row: a slot no row has filled.
const NO_ROW: u32 = u32::MAX;

/// The rows of a column of `n` split into the stretches the cores take:
/// their length, and each one's first and end row.
fn stretches_of(n: usize) -> (usize, Vec<(usize, usize)>) {
    let stretch = crate::import::raw::stretch_len(n);
    let bounds = (0..n)
        .step_by(stretch)
        .map(|from| (from, (from + stretch).min(n)))
        .collect();
    (stretch, bounds)
}

/// Whether the column's first rows are numbered ids: a column of names,
/// addresses or hashes is refused here, before a pass over every row.
fn head_looks_numbered(column: &StringChunked) -> bool {
    let mut prefixes: Vec<&[u8]> = Vec::new();
    column.slice(0, 4_096).iter().flatten().all(|cell| {
        let Some((prefix, ..)) = split_number(cell.as_bytes()) else {
            return false;
        };
        if !prefixes.contains(&prefix) {
            prefixes.push(prefix);
        }
        prefixes.len() <= MAX_PREFIXES
    })
}

/// Most exports number their conversations and contacts: a few fixed
/// prefixes ("chat-", "C", a group's name and a space), each followed by a
/// decimal number from a dense range. Such a column is coded by arithmetic
/// instead of hashing: a row's number picks a slot in its prefix's range,
/// so no row's text is hashed or copied, and the values' byte order comes
/// from their numbers. `None` for a column of any other shape (the
/// partitions code it), found on the first row that does not fit.
fn encode_numbered<'a>(
    column: &'a StringChunked,
    numbering: Numbering,
    include: Include,
    companion: Option<&StringChunked>,
) -> Option<(Dictionary<'a>, Option<Companion>)> {
    let n = column.len();
    if !head_looks_numbered(column) {
        return None;
    }
    let (stretch, bounds) = stretches_of(n);

    // Each row's number, and its prefix as the stretch numbered them.
    let mut codes = vec![NONE; n];
    let mut prefix_of = vec![NO_PARTITION; n];
    let stretches: Vec<NumberedStretch> = codes
        .par_chunks_mut(stretch)
        .zip(prefix_of.par_chunks_mut(stretch))
        .zip(bounds.par_iter())
        .map(|((codes, prefix_of), &(from, to))| {
            let mut prefixes: Vec<PrefixNumbers> = Vec::new();
            let mut missing = Vec::new();
            let mut last = 0;
            let mut last_bits = u128::MAX;
            let mut fits = true;
            let cells = column.slice(from as i64, to - from);
            let mut i = 0;
            'rows: for (array, chunk) in cells.downcast_iter().zip(cells.chunks()) {
                let validity = chunk.validity();
                for (j, view) in array.views().iter().enumerate() {
                    let row = from + i;
                    i += 1;
                    if !include(row) {
                        continue;
                    }
                    let len = view.length as usize;
                    if len == 0 || validity.is_some_and(|v| !v.get_bit(j)) {
                        if companion.is_some() {
                            missing.push(row as u32);
                        }
                        continue;
                    }
                    // A short cell's bytes are in its view, after its length.
                    let inline = view.as_u128().to_ne_bytes();
                    let cell: &[u8] = if len <= 12 {
                        &inline[4..4 + len]
                    } else {
                        array.value(j).as_bytes()
                    };
                    let Some((prefix, digits, number)) = split_number(cell) else {
                        fits = false;
                        break 'rows;
                    };
                    // Nearly every row has the last row's prefix: compared
                    // as one integer, not byte by byte.
                    let bits = if len <= 12 {
                        // The prefix's bytes are the view's first ones.
                        let data = u128::from_le_bytes(inline) >> 32;
                        let mask = (1u128 << (8 * prefix.len())) - 1;
                        (data & mask) << 8 | prefix.len() as u128
                    } else {
                        prefix_bits(prefix)
                    };
                    if bits != last_bits || (bits == LONG_PREFIX && prefixes[last].prefix != prefix)
                    {
                        match prefixes.iter().position(|p| p.prefix == prefix) {
                            Some(k) => last = k,
                            None if prefixes.len() < MAX_PREFIXES => {
                                prefixes.push(PrefixNumbers::new(prefix));
                                last = prefixes.len() - 1;
                            }
                            None => {
                                fits = false;
                                break 'rows;
                            }
                        }
                        last_bits = bits;
                    }
                    prefixes[last].add(number, digits);
                    codes[i - 1] = number;
                    prefix_of[i - 1] = last as u8;
                }
            }
            fits.then_some(NumberedStretch { prefixes, missing })
        })
        .collect::<Option<Vec<_>>>()?;

    // The column's prefixes, each stretch's in terms of them, and the slots
    // where each prefix's range starts.
    let mut prefixes: Vec<PrefixNumbers> = Vec::new();
    let mut global: Vec<Vec<usize>> = Vec::with_capacity(stretches.len());
    for s in &stretches {
        let mut of_stretch = Vec::with_capacity(s.prefixes.len());
        for p in &s.prefixes {
            let k = if let Some(k) = prefixes.iter().position(|q| q.prefix == p.prefix) {
                prefixes[k].merge(p);
                k
            } else {
                prefixes.push(p.clone());
                prefixes.len() - 1
            };
            of_stretch.push(k);
        }
        global.push(of_stretch);
    }
    if prefixes.len() > MAX_PREFIXES || !prefixes.iter().all(PrefixNumbers::distinguishes) {
        return None;
    }
    let mut starts = Vec::with_capacity(prefixes.len());
    let mut slots = 0usize;
    for p in &prefixes {
        starts.push(slots);
        slots += (p.highest - p.lowest) as usize + 1;
    }
    // Slots for far-apart numbers would outgrow the table: hashing then.
    if slots > 2 * n + 65_536 {
        return None;
    }

    // Each row's slot, and the first row of each slot.
    let first: Vec<AtomicU32> = (0..slots).map(|_| AtomicU32::new(NO_ROW)).collect();
    codes
        .par_chunks_mut(stretch)
        .zip(prefix_of.par_chunks(stretch))
        .zip(bounds.par_iter().zip(&global))
        .for_each(|((codes, prefix_of), (&(from, _), global))| {
            for (i, (code, &p)) in codes.iter_mut().zip(prefix_of).enumerate() {
                if p == NO_PARTITION {
                    continue;
                }
                let k = global[usize::from(p)];
                let slot = starts[k] + (*code - prefixes[k].lowest) as usize;
                *code = slot as u32;
                let row = (from + i) as u32;
                // Rows come in order within a stretch: after a slot's first
                // visit the plain read settles it.
                if first[slot].load(Ordering::Relaxed) > row {
                    first[slot].fetch_min(row, Ordering::Relaxed);
                }
            }
        });
    drop(prefix_of);
    let first: Vec<u32> = first.into_iter().map(AtomicU32::into_inner).collect();

    // The values, numbered.
    let array = Cells::new(column);
    // The used slots in the numbering's order.
    let used = || -> Vec<u32> {
        (0..slots as u32)
            .into_par_iter()
            .filter(|&s| first[s as usize] != NO_ROW)
            .collect()
    };
    let ordered: Vec<u32> = match (numbering, prefixes_in_byte_order(&prefixes)) {
        (Numbering::ByteOrder, Some(by_text)) => {
            let mut ordered = Vec::new();
            for k in by_text {
                let (p, start) = (&prefixes[k], starts[k]);
                p.each_in_text_order(&mut |number| {
                    let slot = start + (number - p.lowest) as usize;
                    if first[slot] != NO_ROW {
                        ordered.push(slot as u32);
                    }
                });
            }
            ordered
        }
        (Numbering::ByteOrder, None) => {
            let used = used();
            let values: Vec<&str> = used
                .par_iter()
                .map(|&s| array.present(first[s as usize] as usize))
                .collect();
            sorted_order(&values)
                .into_iter()
                .map(|k| used[k as usize])
                .collect()
        }
        (Numbering::FirstAppearance, _) => {
            let mut by_row: Vec<(u32, u32)> =
                used().into_iter().map(|s| (first[s as usize], s)).collect();
            by_row.par_sort_unstable();
            by_row.into_iter().map(|(_, s)| s).collect()
        }
    };
    let first_rows: Vec<u32> = ordered.par_iter().map(|&s| first[s as usize]).collect();
    // A short value's text is made from its number, not read from its row.
    let values: Vec<Value> = ordered
        .par_iter()
        .zip(&first_rows)
        .map(|(&slot, &row)| {
            let k = starts.partition_point(|&s| s <= slot as usize) - 1;
            let number = prefixes[k].lowest + (slot - starts[k] as u32);
            match prefixes[k].short_text(number) {
                Some(key) => Value::Short(key),
                None => Value::Cell(array.present(row as usize)),
            }
        })
        .collect();
    let mut rank = vec![NONE; slots];
    for (code, &slot) in ordered.iter().enumerate() {
        rank[slot as usize] = code as u32;
    }
    drop(first);

    // Codes in place; beside them, the rows whose companion cell differs
    // from their value's first row's.
    let companion_cells = companion.map(Cells::new);
    let first_companion: Vec<u128> = match &companion_cells {
        Some(cells) => first_rows
            .par_iter()
            .map(|&row| companion_key(cells.key(row as usize)))
            .collect(),
        None => Vec::new(),
    };
    let differing: Vec<Vec<u32>> = codes
        .par_chunks_mut(stretch)
        .zip(bounds.par_iter())
        .map(|(codes, &(from, to))| {
            for code in codes.iter_mut().filter(|c| **c != NONE) {
                *code = rank[*code as usize];
            }
            let (Some(column), Some(cells)) = (companion, &companion_cells) else {
                return Vec::new();
            };
            let mut differ = Vec::new();
            for_each_key(&column.slice(from as i64, to - from), |i, key| {
                let code = codes[i];
                if code == NONE {
                    return;
                }
                let first = first_companion[code as usize];
                let same = match companion_key(key) {
                    COPY_LATER => {
                        first == COPY_LATER
                            && cells.present(from + i)
                                == cells.present(first_rows[code as usize] as usize)
                    }
                    k => k == first,
                };
                if !same {
                    differ.push((from + i) as u32);
                }
            });
            differ
        })
        .collect();
    let companion = companion.map(|_| Companion {
        differing: differing
            .into_iter()
            .flatten()
            .chain(stretches.iter().flat_map(|s| s.missing.iter().copied()))
            .collect(),
        first_rows,
    });
    Some((Dictionary { codes, values }, companion))
}

/// One stretch's cells of each partition, with their companion keys and
/// the bytes of their long values and long companion cells; and the rows
/// whose cell is missing.
struct Split {
    entries: Vec<Vec<Entry>>,
    beside: Vec<Vec<u128>>,
    texts: Vec<Vec<u8>>,
    beside_texts: Vec<Vec<u8>>,
    missing: Vec<u32>,
}

/// The partition of a hash: its top bits.
fn partition(hash: u64) -> usize {
    (hash >> (64 - PARTITION_BITS)) as usize
}

/// A companion cell as one integer: a short cell's key, exact; a longer
/// one [`COPY_LATER`] until its bytes are copied, then its [`long_companion`]
/// place.
fn companion_key(key: Key) -> u128 {
    match key {
        Key::Missing => 0,
        Key::Packed(k) => k,
        Key::Text(_) => COPY_LATER,
    }
}

/// Marks a long companion cell whose partition is not known yet: neither a
/// view (whose length would be 2^32 − 1) nor a packed key (whose first byte
/// is at most 16).
const COPY_LATER: u128 = u128::MAX;

/// First byte of a long companion key: no UTF-8 text holds it, so no view
/// or packed key starts (or, stored the other way round, ends) with it.
const LONG_COMPANION: u8 = 0xFE;

/// The key of a long companion cell copied to `start` in stretch
/// `stretch`'s companion texts of its partition.
fn long_companion(stretch: usize, start: usize, len: usize) -> u128 {
    let mut b = [0u8; 16];
    b[0] = LONG_COMPANION;
    b[1..5].copy_from_slice(&(start as u32).to_le_bytes());
    b[5..9].copy_from_slice(&(len as u32).to_le_bytes());
    b[9..13].copy_from_slice(&(stretch as u32).to_le_bytes());
    u128::from_le_bytes(b)
}

/// Where a long companion key's bytes are: (stretch, start, length).
fn long_companion_place(key: u128) -> Option<(usize, usize, usize)> {
    let b = key.to_le_bytes();
    let at = |k: usize| u32::from_le_bytes([b[k], b[k + 1], b[k + 2], b[k + 3]]) as usize;
    (b[0] == LONG_COMPANION).then(|| (at(9), at(1), at(5)))
}

fn encode_partitioned<'a>(
    column: &'a StringChunked,
    numbering: Numbering,
    include: Include,
    companion: Option<&StringChunked>,
) -> (Dictionary<'a>, Option<Companion>) {
    let n = column.len();
    let array = Cells::new(column);
    let state = PlRandomState::default();
    let (stretch, stretches) = stretches_of(n);

    // Cells of each partition, per stretch, in row order, with their
    // companion keys beside them; each row's partition; and the rows
    // whose cell is missing.
    let mut partition_of = vec![NO_PARTITION; n];
    let companion_cells = companion.map(Cells::new);
    let split: Vec<Split> = partition_of
        .par_chunks_mut(stretch)
        .zip(stretches.par_iter())
        .enumerate()
        .map(|(stretch_index, (out, &(from, to)))| {
            // Hashing spreads rows evenly: room for a little over a
            // partition's share saves regrowing each list.
            let share = (to - from) / PARTITIONS;
            let room = if companion.is_some() {
                share + share / 8
            } else {
                0
            };
            let mut parts: Vec<Vec<Entry>> = (0..PARTITIONS)
                .map(|_| Vec::with_capacity(share + share / 8))
                .collect();
            let mut beside: Vec<Vec<u128>> =
                (0..PARTITIONS).map(|_| Vec::with_capacity(room)).collect();
            let mut missing: Vec<u32> = Vec::new();
            // Long values are copied here while their cells are read in
            // order: coding them from the column later read each one at
            // random, several cache misses a row.
            let mut texts: Vec<Vec<u8>> = vec![Vec::new(); PARTITIONS];
            let mut beside_texts: Vec<Vec<u8>> = vec![Vec::new(); PARTITIONS];
            let companion_keys: Vec<u128> = companion.map_or_else(Vec::new, |c| {
                let mut keys = Vec::with_capacity(to - from);
                for_each_key(&c.slice(from as i64, to - from), |_, key| {
                    keys.push(companion_key(key));
                });
                keys
            });
            let cells = column.slice(from as i64, to - from);
            for_each_key(&cells, |i, key| {
                if !include(from + i) {
                    return;
                }
                let (p, key) = match key {
                    Key::Missing => {
                        if companion.is_some() {
                            missing.push((from + i) as u32);
                        }
                        return;
                    }
                    Key::Packed(k) => (partition(state.hash_one(k)), k.to_ne_bytes()),
                    Key::Text(s) => {
                        let p = partition(state.hash_one(s.as_bytes()));
                        let start = texts[p].len();
                        texts[p].extend_from_slice(s.as_bytes());
                        (p, long_key(start, s.len()))
                    }
                };
                out[i] = p as u8;
                parts[p].push(Entry {
                    row: (from + i) as u32,
                    key,
                });
                if let Some(&k) = companion_keys.get(i) {
                    let k = match (k, &companion_cells) {
                        (COPY_LATER, Some(cells)) => {
                            let s = cells.present(from + i);
                            let start = beside_texts[p].len();
                            beside_texts[p].extend_from_slice(s.as_bytes());
                            long_companion(stretch_index, start, s.len())
                        }
                        (k, _) => k,
                    };
                    beside[p].push(k);
                }
            });
            Split {
                entries: parts,
                beside,
                texts,
                beside_texts,
                missing,
            }
        })
        .collect();

    // Each partition coded on its own: local codes in its row order, and
    // its distinct values with the row where each first appears. Values are
    // keyed by their inline bytes or their copied ones, so a partition reads
    // only its own lists, and the column only for each value's first row.
    // Beside them, the rows whose companion cell differs from the one in
    // their value's first row.
    let coded: Vec<(Partition, Vec<u32>)> = (0..PARTITIONS)
        .into_par_iter()
        .map(|p| {
            let mut short: PlHashMap<u128, u32> = PlHashMap::default();
            let mut long: PlHashMap<&[u8], u32> = PlHashMap::default();
            let mut firsts: Vec<(u32, Value)> = Vec::new();
            let mut prefixes: Vec<u128> = Vec::new();
            let mut first_companion: Vec<u128> = Vec::new();
            let mut differing: Vec<u32> = Vec::new();
            let companion_text = |key: u128| {
                long_companion_place(key)
                    .map(|(stretch, start, len)| &split[stretch].beside_texts[p][start..start + len])
            };
            let same = |a: u128, b: u128| {
                a == b
                    || matches!((companion_text(a), companion_text(b)), (Some(x), Some(y)) if x == y)
            };
            let mut local = Vec::with_capacity(split.iter().map(|s| s.entries[p].len()).sum());
            for (entries, beside, texts) in split
                .iter()
                .map(|s| (&s.entries[p], &s.beside[p], &s.texts[p]))
            {
                for (k, e) in entries.iter().enumerate() {
                    let mut first = |value: Value<'a>| {
                        firsts.push((e.row, value));
                        if numbering == Numbering::ByteOrder {
                            prefixes.push(sort_prefix(&value));
                        }
                        if let Some(&b) = beside.get(k) {
                            first_companion.push(b);
                        }
                        (firsts.len() - 1) as u32
                    };
                    let code = if e.is_inline() {
                        *short
                            .entry(u128::from_ne_bytes(e.key))
                            .or_insert_with(|| first(Value::Short(e.key)))
                    } else {
                        *long
                            .entry(e.long_text(texts))
                            .or_insert_with(|| first(Value::Cell(array.present(e.row as usize))))
                    };
                    if let Some(&b) = beside.get(k)
                        && !same(b, first_companion[code as usize])
                    {
                        differing.push(e.row);
                    }
                    local.push(code);
                }
            }
            ((local, firsts, prefixes), differing)
        })
        .collect();
    let (coded, differing): (Vec<Partition>, Vec<Vec<u32>>) = coded.into_iter().unzip();
    // Where each stretch's rows start in each partition's list.
    let mut starts: Vec<[usize; PARTITIONS]> = Vec::with_capacity(stretches.len());
    let mut running = [0usize; PARTITIONS];
    for stretch in &split {
        starts.push(running);
        for (p, entries) in stretch.entries.iter().enumerate() {
            running[p] += entries.len();
        }
    }
    let missing: Vec<u32> = split
        .iter()
        .flat_map(|s| s.missing.iter().copied())
        .collect();
    drop(split);

    // Global numbering, from each partition's local codes: each value's
    // partition and local code, in the numbering's order.
    let numbered: Vec<(u32, u32)> = match numbering {
        Numbering::FirstAppearance => {
            let mut firsts: Vec<(u32, u32, u32)> = coded
                .iter()
                .enumerate()
                .flat_map(|(p, (_, f, _))| {
                    f.iter()
                        .enumerate()
                        .map(move |(k, &(row, _))| (row, p as u32, k as u32))
                })
                .collect();
            firsts.par_sort_unstable();
            firsts.into_par_iter().map(|(_, p, k)| (p, k)).collect()
        }
        Numbering::ByteOrder => {
            // Sorted on the prefixes taken while coding: a value's text is
            // read again only when its prefix ties with another's.
            let mut keyed: Vec<(u128, u32, u32)> = coded
                .iter()
                .enumerate()
                .flat_map(|(p, (_, _, prefixes))| {
                    prefixes
                        .iter()
                        .enumerate()
                        .map(move |(k, &prefix)| (prefix, p as u32, k as u32))
                })
                .collect();
            let text = |p: u32, k: u32| coded[p as usize].1[k as usize].1.as_str();
            keyed.par_sort_unstable_by(|a, b| {
                a.0.cmp(&b.0)
                    .then_with(|| text(a.1, a.2).cmp(text(b.1, b.2)))
            });
            keyed.into_par_iter().map(|(_, p, k)| (p, k)).collect()
        }
    };
    // Values and first rows are read in the new order, and each
    // partition's new codes written, on every core: one by one these
    // scattered reads and writes cost as much as the sort.
    let first = |&(p, k): &(u32, u32)| coded[p as usize].1[k as usize];
    let values: Vec<Value> = numbered.par_iter().map(|e| first(e).1).collect();
    let first_rows: Vec<u32> = match companion {
        Some(_) => numbered.par_iter().map(|e| first(e).0).collect(),
        None => Vec::new(),
    };
    let mut remap: Vec<Vec<u32>> = coded.iter().map(|(_, f, _)| vec![0u32; f.len()]).collect();
    let per_core = PARTITIONS.div_ceil(rayon::current_num_threads());
    remap
        .par_chunks_mut(per_core)
        .enumerate()
        .for_each(|(k, maps)| {
            let lowest = k * per_core;
            for (global, &(p, local)) in numbered.iter().enumerate() {
                if let Some(map) = (p as usize)
                    .checked_sub(lowest)
                    .and_then(|i| maps.get_mut(i))
                {
                    map[local as usize] = global as u32;
                }
            }
        });

    // Back to table order: within a stretch, each partition's rows are the
    // next ones of that partition's list.
    let mut codes = vec![NONE; n];
    codes
        .par_chunks_mut(stretch)
        .zip(stretches.par_iter().zip(starts))
        .for_each(|(out, (&(from, to), mut cursor))| {
            for (code, &p) in out.iter_mut().zip(&partition_of[from..to]) {
                if p != NO_PARTITION {
                    let p = usize::from(p);
                    let local = coded[p].0[cursor[p]];
                    cursor[p] += 1;
                    *code = remap[p][local as usize];
                }
            }
        });
    let companion = companion.map(|_| Companion {
        first_rows,
        differing: differing.into_iter().flatten().chain(missing).collect(),
    });
    (Dictionary { codes, values }, companion)
}

/// Whether the column's first rows repeat a few values: then a small map
/// per stretch stays in cache and beats partitioning.
fn few_distinct(column: &StringChunked) -> bool {
    let head = column.slice(0, HEAD);
    let mut seen: PlHashSet<&str> = PlHashSet::default();
    for s in head.iter().flatten() {
        seen.insert(s);
        if seen.len() > 4_096 {
            return false;
        }
    }
    true
}

/// A value's first 16 bytes as one integer that orders as the bytes do
/// (shorter values zero-padded; ties are settled on the whole text).
fn sort_prefix(s: &str) -> u128 {
    let mut b = [0u8; 16];
    let k = s.len().min(16);
    b[..k].copy_from_slice(&s.as_bytes()[..k]);
    u128::from_be_bytes(b)
}

/// Distinct values in byte order, as indices into `values`. The first 16
/// bytes are compared as one integer, so strings are only read again when
/// those tie.
pub fn sorted_order<S: AsRef<str> + Sync>(values: &[S]) -> Vec<u32> {
    let mut keyed: Vec<(u128, u32)> = values
        .par_iter()
        .enumerate()
        .map(|(i, s)| (sort_prefix(s.as_ref()), i as u32))
        .collect();
    keyed.par_sort_unstable_by(|a, b| {
        a.0.cmp(&b.0).then_with(|| {
            values[a.1 as usize]
                .as_ref()
                .cmp(values[b.1 as usize].as_ref())
        })
    });
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Codes for a long column of few distinct values, numbered by first
/// appearance. The values of the first rows are numbered first: no other
/// value can appear before them. Each stretch then codes its rows straight
/// into place with its own copy of those codes (short values keyed by one
/// integer: hashing a string per row cost more than the rest of the work),
/// numbering any value it meets that the first rows lack after them. Those
/// values, rare in a column of few, are then numbered in row order, and
/// only a stretch whose numbering of them differs is recoded.
fn encode_few<'a>(column: &'a StringChunked, include: Include) -> Dictionary<'a> {
    let n = column.len();
    let array = Cells::new(column);
    let head = column.slice(0, HEAD);
    let mut seed = FewCodes::default();
    let mut values: Vec<Value> = Vec::new();
    for_each_key(&head, |row, key| {
        if !matches!(key, Key::Missing) && include(row) {
            seed.code(key, || {
                values.push(Value::Cell(array.get(row).unwrap_or_default()));
                (values.len() - 1) as u32
            });
        }
    });
    let known = values.len() as u32;
    let stretch = crate::import::raw::stretch_len(n);
    // Zeroed memory is handed out untouched: each stretch's writes take
    // its own pages.
    let mut codes = vec![0u32; n];
    // Per stretch, the first row of each value the first rows lack.
    let firsts: Vec<Vec<u32>> = codes
        .par_chunks_mut(stretch)
        .enumerate()
        .map(|(k, out)| {
            let from = k * stretch;
            let cells = column.slice(from as i64, out.len());
            let mut map = seed.clone();
            let mut firsts: Vec<u32> = Vec::new();
            for_each_key(&cells, |row, key| {
                out[row] = match key {
                    Key::Missing => NONE,
                    _ if !include(from + row) => NONE,
                    key => map.code(key, || {
                        firsts.push((from + row) as u32);
                        known + (firsts.len() - 1) as u32
                    }),
                };
            });
            firsts
        })
        .collect();
    if firsts.iter().all(Vec::is_empty) {
        return Dictionary { codes, values };
    }
    let mut global = seed;
    let remaps: Vec<Vec<u32>> = firsts
        .iter()
        .map(|rows| {
            rows.iter()
                .map(|&row| {
                    let s = array.get(row as usize).unwrap_or_default();
                    global.code(Key::of(s), || {
                        values.push(Value::Cell(s));
                        (values.len() - 1) as u32
                    })
                })
                .collect()
        })
        .collect();
    codes
        .par_chunks_mut(stretch)
        .zip(&remaps)
        .for_each(|(out, remap)| {
            if remap.iter().zip(known..).all(|(&g, local)| g == local) {
                return;
            }
            for code in out.iter_mut() {
                if *code != NONE && *code >= known {
                    *code = remap[(*code - known) as usize];
                }
            }
        });
    Dictionary { codes, values }
}

/// The distinct non-empty values of a column of few values, each with the
/// number of rows holding it, in order of first appearance; `None` when
/// the column's first rows already hold many distinct values. Each stretch
/// counts on its own, with cells keyed by their views as the coding keys
/// them, so the text of a short cell is never read.
pub fn few_value_counts(column: &StringChunked) -> Option<Vec<(&str, u64)>> {
    if !few_distinct(column) {
        return None;
    }
    let n = column.len();
    let stretch = crate::import::raw::stretch_len(n);
    // Per stretch: the first row and the count of each value it holds.
    let parts: Vec<Vec<(u32, u64)>> = (0..n)
        .step_by(stretch)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|from| {
            let cells = column.slice(from as i64, stretch.min(n - from));
            let mut map = FewCodes::default();
            let mut seen: Vec<(u32, u64)> = Vec::new();
            for_each_key(&cells, |row, key| {
                if !matches!(key, Key::Missing) {
                    let k = map.code(key, || {
                        seen.push(((from + row) as u32, 0));
                        (seen.len() - 1) as u32
                    });
                    seen[k as usize].1 += 1;
                }
            });
            seen
        })
        .collect();
    let array = Cells::new(column);
    let mut index: PlHashMap<&str, usize> = PlHashMap::default();
    let mut counts: Vec<(&str, u64)> = Vec::new();
    for (row, count) in parts.into_iter().flatten() {
        let s = array.get(row as usize).unwrap_or_default();
        let k = *index.entry(s).or_insert_with(|| {
            counts.push((s, 0));
            counts.len() - 1
        });
        counts[k].1 += count;
    }
    Some(counts)
}

/// How a cell is told apart from others: missing (or blank), by one
/// integer when short, or by its text.
#[derive(Clone, Copy)]
enum Key<'a> {
    Missing,
    Packed(u128),
    Text(&'a str),
}

impl<'a> Key<'a> {
    /// The key of a present cell, as [`for_each_key`] gives it.
    fn of(s: &'a str) -> Self {
        if s.is_empty() {
            Key::Missing
        } else if s.len() <= INLINE {
            Key::Packed(u128::from_ne_bytes(packed_key(s)))
        } else {
            Key::Text(s)
        }
    }
}

/// Calls `f` with each row's index in `column` and its key. A string of up
/// to 12 bytes is stored inside its 16-byte view, zero-padded (polars
/// compares such views as integers too), so the view itself is its key:
/// neither the text nor a copy of it is read. Views start with the length,
/// so they never equal a [`packed_key`] of 13 to 15 bytes.
fn for_each_key<'a>(column: &'a StringChunked, mut f: impl FnMut(usize, Key<'a>)) {
    let mut row = 0;
    // The validity comes from the untyped chunk: its trait is not in scope.
    for (array, chunk) in column.downcast_iter().zip(column.chunks()) {
        let validity = chunk.validity();
        for (i, view) in array.views().iter().enumerate() {
            let key = if view.length == 0 || validity.is_some_and(|v| !v.get_bit(i)) {
                Key::Missing
            } else if view.length <= 12 {
                Key::Packed(view.as_u128())
            } else {
                Key::of(array.value(i))
            };
            f(row, key);
            row += 1;
        }
    }
}

/// Codes of a few values: short ones by packed key, long ones by text.
#[derive(Clone, Default)]
struct FewCodes<'a> {
    short: PlHashMap<u128, u32>,
    long: PlHashMap<&'a str, u32>,
}

impl<'a> FewCodes<'a> {
    /// The code of a present cell's key, or the one `new` gives it.
    fn code(&mut self, key: Key<'a>, new: impl FnOnce() -> u32) -> u32 {
        match key {
            Key::Packed(k) => *self.short.entry(k).or_insert_with(new),
            Key::Text(s) => *self.long.entry(s).or_insert_with(new),
            Key::Missing => NONE,
        }
    }
}

fn encode_sequential<'a>(column: &'a StringChunked, include: Include) -> Dictionary<'a> {
    let mut map: PlHashMap<&str, u32> = PlHashMap::default();
    let mut values: Vec<Value> = Vec::new();
    let codes = column
        .iter()
        .enumerate()
        .map(|(row, cell)| match cell {
            Some(s) if !s.is_empty() && include(row) => *map.entry(s).or_insert_with(|| {
                values.push(Value::Cell(s));
                (values.len() - 1) as u32
            }),
            _ => NONE,
        })
        .collect();
    Dictionary { codes, values }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'v>(values: &'v [Value]) -> Vec<&'v str> {
        values.iter().map(Value::as_str).collect()
    }

    #[test]
    fn partitioned_codes_equal_the_sequential_ones() {
        let n = SMALL * 3 + 17;
        let cells: Vec<Option<String>> = (0..n)
            .map(|i| match i % 11 {
                0 => None,
                1 => Some(String::new()),
                // Values longer than the inline key, and at its edge.
                2 | 5 => Some(format!(
                    "a-value-longer-than-inline-{}",
                    (i * 7919) % 50_021
                )),
                3 => Some(format!("edge-{:010}", (i * 31) % 7_001)),
                4 => Some(format!("edge-{:011}", (i * 31) % 7_001)),
                _ => Some(format!("value-{}", (i * 7919) % 50_021)),
            })
            .collect();
        let column = StringChunked::from_iter_options("c".into(), cells.into_iter());
        let fast = encode(&column);
        let slow = encode_sequential(&column, &every_row);
        assert_eq!(fast.values, slow.values);
        assert_eq!(fast.codes, slow.codes);
        assert!(fast.values.len() > 40_000);
        // The same cells in three chunks, as the importer leaves them.
        let mut chunked = column.slice(0, 1_000);
        chunked.append(&column.slice(1_000, SMALL)).unwrap();
        chunked
            .append(&column.slice((1_000 + SMALL) as i64, n))
            .unwrap();
        assert_eq!(chunked.chunks().len(), 3);
        let split = encode(&chunked);
        assert_eq!(split.values, slow.values);
        assert_eq!(split.codes, slow.codes);

        // In byte order: the same cells, renumbered by value.
        let sorted = encode_in_byte_order(&chunked);
        let mut expected_values = texts(&slow.values);
        expected_values.sort_unstable();
        assert_eq!(texts(&sorted.values), expected_values);
        for (&code, &first) in sorted.codes.iter().zip(&slow.codes) {
            if first == NONE {
                assert_eq!(code, NONE);
            } else {
                assert_eq!(sorted.values[code as usize], slow.values[first as usize]);
            }
        }
        // A small column takes the sequential path to the same numbering.
        let small = chunked.slice(0, 5_000);
        let small_sorted = encode_in_byte_order(&small);
        let small_values: Vec<&str> = small_sorted
            .codes
            .iter()
            .filter(|&&c| c != NONE)
            .map(|&c| small_sorted.values[c as usize].as_str())
            .collect();
        let cells: Vec<&str> = small.iter().flatten().filter(|s| !s.is_empty()).collect();
        assert_eq!(small_values, cells);
        assert!(texts(&small_sorted.values).is_sorted());
    }

    #[test]
    fn few_value_codes_equal_the_sequential_ones() {
        // Over several stretches, with values that first appear late, long
        // values, values at the inline key's edge, blanks and missing cells.
        let n = SMALL * 5 + 3;
        let cells: Vec<Option<String>> = (0..n)
            .map(|i| match (i * 7919) % 13 {
                0 => None,
                1 => Some(String::new()),
                2 => Some(format!("a value longer than the key {}", i % 3)),
                3 => Some("exactly-15-byte".to_string()),
                4 => Some("sixteen-bytes-xx".to_string()),
                5 if i > SMALL * 4 => Some("late".to_string()),
                k => Some(format!("v{}", k % 5)),
            })
            .collect();
        let column = StringChunked::from_iter_options("c".into(), cells.into_iter());
        assert!(few_distinct(&column));
        let slow = encode_sequential(&column, &every_row);
        let mut chunked = column.slice(0, 77);
        chunked.append(&column.slice(77, n)).unwrap();
        for c in [&column, &chunked] {
            let fast = encode(c);
            assert_eq!(fast.values, slow.values);
            assert_eq!(fast.codes, slow.codes);
        }
        // Three long values, the two at the edge, five short ones and "late".
        assert_eq!(slow.values.len(), 11);
        assert_eq!(texts(&slow.values).last(), Some(&"late"));
    }

    #[test]
    fn coding_some_rows_is_coding_the_others_as_missing() {
        let n = SMALL * 2 + 5;
        let include = |i: usize| i % 3 != 1;
        for distinct in [7, 100_000] {
            let cells: Vec<Option<String>> = (0..n)
                .map(|i| match i % 29 {
                    0 => None,
                    1 => Some(format!("a value longer than the inline key {}", i % 11)),
                    _ => Some(format!("v{}", (i * 7_919) % distinct)),
                })
                .collect();
            let column = StringChunked::from_iter_options("c".into(), cells.iter().cloned());
            let masked = StringChunked::from_iter_options(
                "m".into(),
                cells
                    .iter()
                    .enumerate()
                    .map(|(i, c)| c.clone().filter(|_| include(i))),
            );
            let some = encode_rows(&column, &include);
            let expected = encode_sequential(&masked, &every_row);
            assert_eq!(some.values, expected.values, "{distinct} values");
            assert_eq!(some.codes, expected.codes, "{distinct} values");
            let small = column.slice(0, 1_000);
            let small_masked = masked.slice(0, 1_000);
            assert_eq!(
                encode_rows(&small, &include).codes,
                encode(&small_masked).codes
            );
        }
    }

    #[test]
    fn enum_codes_are_numbered_as_text_codes_are() {
        // Categories listed in another order than the rows meet them, one
        // of them empty (a missing value) and one never used; 300 of them
        // for two-byte codes.
        let mut categories: Vec<String> = (0..300).rev().map(|k| format!("c{k}")).collect();
        categories.insert(7, String::new());
        categories.push("unused".into());
        let cells: Vec<Option<&str>> = (0..200_000)
            .map(|i| match i % 17 {
                0 => None,
                1 => Some(""),
                _ => Some(categories[(i * 7) % 300 + usize::from((i * 7) % 300 >= 7)].as_str()),
            })
            .collect();
        let text = StringChunked::from_iter_options("t".into(), cells.iter().copied());
        let frozen = FrozenCategories::new(categories.iter().map(String::as_str)).unwrap();
        let whole = text
            .clone()
            .into_series()
            .cast(&DataType::from_frozen_categories(frozen))
            .unwrap();
        // In chunks whose bounds are not the stretches' a pass reads.
        let bounds = [0usize, 30_001, 100_000, 170_003, 200_000];
        let mut as_enum = whole.slice(0, bounds[1]);
        for w in bounds[1..].windows(2) {
            as_enum
                .append(&whole.slice(w[0] as i64, w[1] - w[0]))
                .unwrap();
        }
        assert_eq!(as_enum.n_chunks(), 4);
        let from_enum = encode_categories(&as_enum).unwrap();
        let from_text = encode(&text);
        assert_eq!(from_enum.codes, from_text.codes);
        assert_eq!(texts(&from_enum.values), texts(&from_text.values));
        assert!(encode_categories(&text.into_series()).is_none());
    }

    #[test]
    fn few_value_counts_count_every_row() {
        let n = SMALL * 3 + 11;
        let cells: Vec<Option<String>> = (0..n)
            .map(|i| match i % 7 {
                0 => None,
                1 => Some(String::new()),
                2 => Some("a value longer than sixteen bytes".to_string()),
                k if i > SMALL * 2 && k == 3 => Some("late".to_string()),
                k => Some(format!("v{}", k % 3)),
            })
            .collect();
        let column = StringChunked::from_iter_options("c".into(), cells.iter().cloned());
        let mut expected: Vec<(&str, u64)> = Vec::new();
        for s in cells.iter().flatten().filter(|s| !s.is_empty()) {
            match expected.iter_mut().find(|(v, _)| v == s) {
                Some(e) => e.1 += 1,
                None => expected.push((s.as_str(), 1)),
            }
        }
        let counts = few_value_counts(&column).unwrap();
        assert_eq!(
            counts
                .iter()
                .map(|(v, c)| (v.to_string(), *c))
                .collect::<Vec<_>>(),
            expected
                .iter()
                .map(|(v, c)| (v.to_string(), *c))
                .collect::<Vec<_>>()
        );
        // A column of many values has no few-value counts.
        let many = StringChunked::from_iter_values("m".into(), (0..n).map(|i| format!("id{i}")));
        assert!(few_value_counts(&many).is_none());
    }

    #[test]
    fn short_values_read_their_text_from_their_keys() {
        // Every length a key holds, across the edge between a polars view
        // (up to 12 bytes) and a packed key (13 to 15), with multi-byte
        // characters; and a longer value, which stays the column's cell.
        let texts: Vec<String> = (1..=15)
            .map(|k| "é".repeat(k / 2) + &"x".repeat(k % 2))
            .chain(["a value longer than any key".to_string()])
            .collect();
        let column = StringChunked::from_iter_values("c".into(), texts.iter().cloned());
        let mut keyed = Vec::new();
        for_each_key(&column, |row, key| {
            let value = match key {
                Key::Packed(k) => Value::Short(k.to_ne_bytes()),
                Key::Text(s) => Value::Cell(s),
                Key::Missing => panic!("row {row} is not missing"),
            };
            keyed.push(value);
        });
        let read: Vec<&str> = keyed.iter().map(Value::as_str).collect();
        assert_eq!(read, texts.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(matches!(keyed[14], Value::Short(_)));
        assert!(matches!(keyed[15], Value::Cell(_)));
        for (k, s) in texts.iter().enumerate().filter(|(_, s)| s.len() <= INLINE) {
            let packed = Value::Short(packed_key(s));
            assert_eq!(packed.as_str(), s, "packed key of row {k}");
        }
    }

    /// The companion read cell by cell, to check the partitioned one.
    fn companion_by_rows(dictionary: &Dictionary, companion: &StringChunked) -> Companion {
        let mut first_rows = vec![u32::MAX; dictionary.values.len()];
        for (row, &code) in dictionary.codes.iter().enumerate() {
            if code != NONE && first_rows[code as usize] == u32::MAX {
                first_rows[code as usize] = row as u32;
            }
        }
        let cells = Cells::new(companion);
        let cell = |row: usize| cells.get(row).filter(|s| !s.is_empty());
        let differing = dictionary
            .codes
            .iter()
            .enumerate()
            .filter(|&(row, &code)| {
                code == NONE || cell(row) != cell(first_rows[code as usize] as usize)
            })
            .map(|(row, _)| row as u32)
            .collect();
        Companion {
            first_rows,
            differing,
        }
    }

    #[test]
    fn companion_rows_are_those_that_differ_from_their_values_first_row() {
        // Conversation ids of many values (the partitioned coding) with a
        // contact column that mostly follows them: some rows name another
        // contact, some lack one, some lack the id; some ids and contacts
        // are longer than a key, the same or not.
        let n = SMALL * 2 + 9;
        let ids: Vec<Option<String>> = (0..n)
            .map(|i| {
                let k = (i * 7_919) % 40_009;
                (!i.is_multiple_of(101)).then(|| match k % 3 {
                    0 => format!("a-conversation-with-a-long-id-{k}"),
                    _ => format!("chat-{k}"),
                })
            })
            .collect();
        let contact_of = |i: usize, id: &Option<String>| -> Option<String> {
            let k = (i * 7_919) % 40_009;
            let id = id.as_deref().unwrap_or("none");
            match i % 53 {
                0 => None,
                1 => Some(String::new()),
                2 => Some(format!("someone else {}", i % 3)),
                3 => Some(format!("{id} with a contact longer than a key")),
                4 => Some(format!("c13-{:09}", i % 17)),
                _ if k.is_multiple_of(5) => Some(format!("{id}@customers.example.com")),
                _ => Some(format!("c-{id}")),
            }
        };
        let contacts: Vec<Option<String>> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| contact_of(i, id))
            .collect();
        let ids = StringChunked::from_iter_options("id".into(), ids.into_iter());
        let contacts = StringChunked::from_iter_options("contact".into(), contacts.into_iter());
        let (dictionary, companion) = encode_in_byte_order_with(&ids, Some(&contacts));
        assert_eq!(dictionary.codes, encode_in_byte_order(&ids).codes);
        let companion = companion.unwrap();
        let exact = companion_by_rows(&dictionary, &contacts);
        assert_eq!(companion.first_rows, exact.first_rows);
        let marked: PlHashSet<u32> = companion.differing.iter().copied().collect();
        assert_eq!(
            marked.len(),
            companion.differing.len(),
            "a row marked twice"
        );
        let must: PlHashSet<u32> = exact.differing.iter().copied().collect();
        assert_eq!(marked, must);
        assert!(must.len() > n / 20 && marked.len() < n / 5);
    }

    #[test]
    fn sorted_order_is_byte_order() {
        let values = [
            "b",
            "a",
            "",
            "a\0",
            "abcdefghijklmnopq",
            "abcdefghijklmnop",
            "abcdefghijklmnopa",
            "é",
            "z",
        ];
        let mut expected: Vec<u32> = (0..values.len() as u32).collect();
        expected.sort_by_key(|&i| values[i as usize]);
        assert_eq!(sorted_order(&values), expected);
    }

    /// Cells of a million-row-like log: padded chat ids that outgrow their
    /// padding, group names with canonical numbers, a bare name, ids of 13
    /// to 15 bytes and longer ones, and missing and blank cells.
    fn numbered_cells(n: usize) -> Vec<Option<String>> {
        (0..n)
            .map(|i| {
                let k = (i * 7_919) % 150_001;
                match i % 17 {
                    0 => None,
                    1 => Some(String::new()),
                    2 => Some(format!("Beta Testers {}", k % 71)),
                    3 => Some("General".to_string()),
                    4 => Some(format!("customer-{:06}", k % 9_000)),
                    5 => Some(format!("a-conversation-with-a-long-id-{}", k % 5_000)),
                    _ => Some(format!("chat-{k:05}")),
                }
            })
            .collect()
    }

    fn assert_same_coding(a: &Dictionary, b: &Dictionary) {
        assert_eq!(texts(&a.values), texts(&b.values));
        assert_eq!(a.codes, b.codes);
    }

    #[test]
    fn numbered_codes_equal_the_partitioned_ones() {
        let n = SMALL * 3 + 11;
        let cells = numbered_cells(n);
        let contacts: Vec<Option<String>> = cells
            .iter()
            .enumerate()
            .map(|(i, id)| match (i % 29, id) {
                (0, _) => None,
                (1, _) => Some(format!("someone else {}", i % 3)),
                (2, Some(id)) => Some(format!("{id} with a contact longer than a key")),
                (_, Some(id)) => Some(format!("c-{id}")),
                (_, None) => Some("nobody".to_string()),
            })
            .collect();
        let column = StringChunked::from_iter_options("id".into(), cells.into_iter());
        let contacts = StringChunked::from_iter_options("contact".into(), contacts.into_iter());
        // The same cells in chunks, as the importer leaves them.
        let mut chunked = column.slice(0, 999);
        chunked.append(&column.slice(999, n)).unwrap();
        let odd_rows = |row: usize| row % 3 != 1;
        for c in [&column, &chunked] {
            let (numbered, beside) =
                encode_numbered(c, Numbering::ByteOrder, &every_row, Some(&contacts))
                    .expect("numbered ids");
            let (hashed, hashed_beside) =
                encode_partitioned(c, Numbering::ByteOrder, &every_row, Some(&contacts));
            assert_same_coding(&numbered, &hashed);
            assert!(texts(&numbered.values).is_sorted());
            let (beside, hashed_beside) = (beside.unwrap(), hashed_beside.unwrap());
            assert_eq!(beside.first_rows, hashed_beside.first_rows);
            let marked: PlHashSet<u32> = beside.differing.iter().copied().collect();
            assert_eq!(marked.len(), beside.differing.len(), "a row marked twice");
            let must: PlHashSet<u32> = hashed_beside.differing.iter().copied().collect();
            assert_eq!(marked, must);

            let (numbered, _) =
                encode_numbered(c, Numbering::FirstAppearance, &odd_rows, None).unwrap();
            let (hashed, _) = encode_partitioned(c, Numbering::FirstAppearance, &odd_rows, None);
            assert_same_coding(&numbered, &hashed);
        }
        // Both public codings take the numbered path to the same result.
        assert_same_coding(&encode(&column), &encode_sequential(&column, &every_row));
        let sorted = encode_in_byte_order(&column);
        assert!(texts(&sorted.values).is_sorted());
        assert!(sorted.values.len() > 100_000);
    }

    #[test]
    fn ids_where_one_prefix_begins_another_are_numbered_in_byte_order() {
        // "C" begins "CX-", and bare numbers have the empty prefix.
        let n = SMALL * 2;
        let cells: Vec<String> = (0..n)
            .map(|i| {
                let k = (i * 7_919) % 60_013;
                match i % 3 {
                    0 => format!("C{k}"),
                    1 => format!("CX-{}", k % 999),
                    _ => format!("{k}"),
                }
            })
            .collect();
        let column = StringChunked::from_iter_values("id".into(), cells.iter().map(String::as_str));
        let (numbered, _) =
            encode_numbered(&column, Numbering::ByteOrder, &every_row, None).unwrap();
        let (hashed, _) = encode_partitioned(&column, Numbering::ByteOrder, &every_row, None);
        assert_same_coding(&numbered, &hashed);
    }

    #[test]
    fn ids_that_numbers_cannot_tell_apart_are_hashed() {
        let n = SMALL + 5;
        let column = |f: &dyn Fn(usize) -> String| {
            StringChunked::from_iter_values("id".into(), (0..n).map(f))
        };
        let refused = |c: &StringChunked| {
            encode_numbered(c, Numbering::ByteOrder, &every_row, None).is_none()
        };
        // "x7" and "x007" are two values but one number.
        assert!(refused(&column(&|i| if i % 2 == 0 {
            format!("x{}", i % 1_000)
        } else {
            format!("x{:03}", i % 1_000)
        })));
        // Ten digits, names without numbers, and numbers far apart.
        assert!(refused(&column(&|i| format!("{}", 9_000_000_000 + i))));
        assert!(refused(&column(&|i| format!("name {}x", i % 500))));
        assert!(refused(&column(&|i| format!("t{}", i * 1_000))));
        // Numbered at the head, names further down.
        assert!(refused(&column(&|i| if i < 10_000 {
            format!("chat-{i}")
        } else {
            format!("name {}x", i % 500)
        })));
        // Each still codes exactly, by hashing.
        let far = column(&|i| format!("t{}", (i % 50_000) * 1_000));
        assert_same_coding(&encode(&far), &encode_sequential(&far, &every_row));
        // Zero-padding to one width, outgrown by larger numbers, is numbered.
        assert!(!refused(&column(&|i| format!("x{:04}", i * 2))));
    }

    #[test]
    fn numbers_walk_in_the_byte_order_of_their_texts() {
        for (lowest, highest, padded, prefix) in [
            (0u32, 1_234, (usize::MAX, 0), "P"),
            (1, 1, (usize::MAX, 0), ""),
            (57, 20_301, (usize::MAX, 0), "chat-"),
            (1, 123_457, (5, 5), "chat-"),
            (903, 1_000_001, (3, 3), "a-prefix-longer-than-a-key-"),
            // Ends inside a run of ten, and runs of one or two numbers.
            (995, 1_006, (usize::MAX, 0), "n"),
            (0, 10, (usize::MAX, 0), "n"),
            (8, 9, (usize::MAX, 0), "n"),
            (12, 99_999, (4, 4), "x"),
            (1, 1_000, (3, 3), "x"),
        ] {
            let p = PrefixNumbers {
                prefix: prefix.as_bytes().to_vec(),
                lowest,
                highest,
                narrowest: if padded.1 > 0 { padded.0 } else { 1 },
                padded,
            };
            let text = |number: u32| -> String {
                match number {
                    0 => prefix.to_string(),
                    _ => format!("{prefix}{:0w$}", number - 1, w = p.width(number)),
                }
            };
            let mut walked = Vec::new();
            p.each_in_text_order(&mut |number| walked.push(number));
            let mut expected: Vec<u32> = (lowest..=highest).collect();
            expected.sort_by_key(|&number| text(number));
            assert_eq!(walked, expected, "{prefix} {lowest}..={highest}");
            for number in [lowest, highest, u32::midpoint(lowest, highest)] {
                let short = p.short_text(number).map(Value::Short);
                match short {
                    Some(v) => assert_eq!(v.as_str(), text(number)),
                    None => assert!(text(number).len() > INLINE),
                }
            }
        }
    }

    #[test]
    fn numbered_codes_equal_the_partitioned_ones_on_random_shapes() {
        // Prefixes that begin one another, the empty one and a long one;
        // each formats its numbers its own way per seed.
        let prefixes = [
            "",
            "C",
            "CX-",
            "chat-",
            "Grupo ñ ",
            "a-prefix-longer-than-a-key-",
        ];
        let n = SMALL + 1_001;
        let mut numbered_seen = 0;
        for seed in 1..=6u64 {
            let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let mut next = |bound: u64| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state % bound
            };
            let widths: Vec<usize> = prefixes.iter().map(|_| next(4) as usize).collect();
            let span = 1 + next(120_000);
            let cells: Vec<Option<String>> = (0..n)
                .map(|_| {
                    let k = next(prefixes.len() as u64 + 1) as usize;
                    // One choice past the prefixes is a missing cell.
                    let prefix = prefixes.get(k)?;
                    let number = next(span);
                    Some(match (widths[k], next(50)) {
                        (_, 0) => (*prefix).to_string(),
                        (0, _) => format!("{prefix}{number}"),
                        (w, _) => format!("{prefix}{number:0w$}", w = w + 2),
                    })
                })
                .collect();
            let contacts: Vec<Option<String>> = cells
                .iter()
                .map(|c| match next(40) {
                    0 => None,
                    1 => Some(format!("x{}", next(3))),
                    _ => c.as_ref().map(|c| format!("c-{c}")),
                })
                .collect();
            let column = StringChunked::from_iter_options("id".into(), cells.into_iter());
            let contacts = StringChunked::from_iter_options("contact".into(), contacts.into_iter());
            let Some((numbered, beside)) =
                encode_numbered(&column, Numbering::ByteOrder, &every_row, Some(&contacts))
            else {
                continue;
            };
            numbered_seen += 1;
            let (hashed, hashed_beside) =
                encode_partitioned(&column, Numbering::ByteOrder, &every_row, Some(&contacts));
            assert_same_coding(&numbered, &hashed);
            let (beside, hashed_beside) = (beside.unwrap(), hashed_beside.unwrap());
            assert_eq!(beside.first_rows, hashed_beside.first_rows);
            let marked: PlHashSet<u32> = beside.differing.iter().copied().collect();
            let must: PlHashSet<u32> = hashed_beside.differing.iter().copied().collect();
            assert_eq!(marked, must, "seed {seed}");
            let some_rows = |row: usize| row % 5 != 2;
            let (numbered, _) =
                encode_numbered(&column, Numbering::FirstAppearance, &some_rows, None).unwrap();
            let (hashed, _) =
                encode_partitioned(&column, Numbering::FirstAppearance, &some_rows, None);
            assert_same_coding(&numbered, &hashed);
        }
        // A seed whose numbers lie too far apart for their slots is
        // hashed; most are numbered.
        assert!(numbered_seen >= 2, "only {numbered_seen} seeds numbered");
    }
}
