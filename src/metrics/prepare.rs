//! Everything derived once on the whole log, before any period or filter:
//! the sort, touches, categories, positions, broadcasts, responses and
//! inbound runs (METRICS.md §3 and §5 "Touches and responses").
//!
//! Rows are sorted once by conversation, time and original order; the
//! sequential rules are then a single pass over each conversation's slice,
//! which is what keeps a ten-million-row log fast.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU32, Ordering};

use polars::prelude::*;
use rayon::prelude::*;

use super::Settings;
use crate::dictionary;

pub use crate::dictionary::NONE;

/// Touch and row categories (METRICS.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    InitialOutreach,
    FollowUp,
    Reply,
    Broadcast,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::InitialOutreach,
        Category::FollowUp,
        Category::Reply,
        Category::Broadcast,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::InitialOutreach => "initial_outreach",
            Category::FollowUp => "follow_up",
            Category::Reply => "reply",
            Category::Broadcast => "broadcast",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Category::InitialOutreach => "Initial outreach",
            Category::FollowUp => "Follow-up",
            Category::Reply => "Reply",
            Category::Broadcast => "Broadcast",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "initial_outreach" => Some(Category::InitialOutreach),
            "follow_up" => Some(Category::FollowUp),
            "reply" => Some(Category::Reply),
            "broadcast" => Some(Category::Broadcast),
            _ => None,
        }
    }
}

/// Strings of a column stored once each; rows hold codes.
#[derive(Debug, Clone, Default)]
pub struct Interned {
    /// Shared, so that per-conversation rows copy a pointer, not the text.
    pub values: Vec<Arc<str>>,
    pub codes: Vec<u32>,
}

impl Interned {
    pub fn get(&self, row: usize) -> Option<&str> {
        match self.codes.get(row) {
            Some(&c) if c != NONE => Some(&*self.values[c as usize]),
            _ => None,
        }
    }
}

/// A maximal run of outbound rows (METRICS.md §3).
#[derive(Debug, Clone)]
pub struct Touch {
    pub conv: u32,
    pub first_row: u32,
    pub last_row: u32,
    pub start: i64,
    pub end: i64,
    pub delivered: bool,
    pub category: Category,
    /// 0 for outreach, replies and broadcasts; 1, 2, … for follow-ups.
    pub position: u32,
    pub responded: bool,
    /// Instant of the first inbound row after the touch when responded,
    /// else [`NO_INSTANT`]: a plain integer keeps a touch at 48 bytes
    /// instead of 56, and millions of touches are read by every figure.
    response: i64,
    /// Agent code of the touch's first row.
    pub agent: u32,
}

/// No instant (see [`Touch::response_at`], [`InboundRun::answer_ts`]).
const NO_INSTANT: i64 = i64::MIN;

impl Touch {
    /// A slot not yet written.
    const EMPTY: Touch = Touch {
        conv: 0,
        first_row: 0,
        last_row: 0,
        start: 0,
        end: 0,
        delivered: false,
        category: Category::Reply,
        position: 0,
        responded: false,
        response: NO_INSTANT,
        agent: NONE,
    };

    /// Instant of the first inbound row after the touch, when responded.
    pub fn response_at(&self) -> Option<i64> {
        (self.response != NO_INSTANT).then_some(self.response)
    }
}

/// A maximal run of inbound rows and the team's answer to it.
#[derive(Debug, Clone)]
pub struct InboundRun {
    pub conv: u32,
    pub first_row: u32,
    pub first_ts: i64,
    /// The next outbound row after the run, whatever its status, and its
    /// instant: [`NONE`] and [`NO_INSTANT`] when there is none (a run is 32
    /// bytes instead of 40).
    answer: u32,
    answer_at: i64,
}

impl InboundRun {
    /// A slot not yet written.
    const EMPTY: InboundRun = InboundRun {
        conv: 0,
        first_row: 0,
        first_ts: 0,
        answer: NONE,
        answer_at: NO_INSTANT,
    };

    /// The next outbound row after the run, whatever its status.
    pub fn answer_row(&self) -> Option<u32> {
        (self.answer != NONE).then_some(self.answer)
    }

    /// Instant of [`InboundRun::answer_row`].
    pub fn answer_ts(&self) -> Option<i64> {
        (self.answer_at != NO_INSTANT).then_some(self.answer_at)
    }
}

/// Per-conversation facts that do not depend on the period. Its id is
/// [`Prepared::conversation_ids`] at its code.
#[derive(Debug, Clone)]
pub struct Conversation {
    /// Rows `start..end` of the sorted table.
    pub start: u32,
    pub end: u32,
    pub is_group: bool,
    /// Touches `touch_start..touch_end`.
    pub touch_start: u32,
    pub touch_end: u32,
    /// Inbound runs `run_start..run_end`.
    pub run_start: u32,
    pub run_end: u32,
    /// First inbound row anywhere in the log.
    pub first_inbound_row: super::compact::MaybeCode,
}

impl Conversation {
    /// A slot not yet written.
    const EMPTY: Conversation = Conversation {
        start: 0,
        end: 0,
        is_group: false,
        touch_start: 0,
        touch_end: 0,
        run_start: 0,
        run_end: 0,
        first_inbound_row: super::compact::MaybeCode::NONE,
    };
}

/// A column that most rows leave empty (values, close times, member
/// counts): only the rows with a value, in sorted order, found by
/// conversation. A dense per-row array would cost 16 bytes a row.
#[derive(Debug, Clone, Default)]
pub struct Sparse<T> {
    rows: Vec<u32>,
    values: Vec<T>,
    /// Index of each conversation's first entry; one more than there are
    /// conversations.
    conv_start: Vec<u32>,
}

impl<T: Copy + Send + Sync> Sparse<T> {
    /// The cells with a value, read in table order (`position` is each
    /// table row's sorted row) and put in sorted order: only the few cells
    /// with a value are moved, instead of every row being looked up. They
    /// are found from the validity bits, skipping empty stretches a word at
    /// a time, rather than by taking every row as an option.
    fn from_table<N: PolarsNumericType<Native = T>>(
        position: &[u32],
        column: &ChunkedArray<N>,
    ) -> Self
    where
        T: NumericNative,
    {
        let mut present: Vec<(u32, T)> = Vec::with_capacity(column.len() - column.null_count());
        let mut offset = 0;
        for array in column.downcast_iter() {
            let values = array.values();
            let at = &position[offset..offset + array.len()];
            match array.validity().filter(|valid| valid.unset_bits() > 0) {
                Some(valid) => present.extend(valid.true_idx_iter().map(|i| (at[i], values[i]))),
                None => present.extend(at.iter().copied().zip(values.iter().copied())),
            }
            offset += array.len();
        }
        present.par_sort_unstable_by_key(|&(r, _)| r);
        let (rows, values): (Vec<u32>, Vec<T>) = present.into_iter().unzip();
        Self {
            rows,
            values,
            conv_start: Vec::new(),
        }
    }

    fn index_conversations(&mut self, conv_of_row: &[u32], conversations: usize) {
        let mut start = vec![0u32; conversations + 1];
        for &r in &self.rows {
            start[conv_of_row[r as usize] as usize + 1] += 1;
        }
        for k in 1..start.len() {
            start[k] += start[k - 1];
        }
        self.conv_start = start;
    }

    /// Values of a conversation's sorted rows `lo..hi`, in row order.
    pub fn in_rows(&self, conv: u32, lo: usize, hi: usize) -> &[T] {
        let (Some(&a), Some(&b)) = (
            self.conv_start.get(conv as usize),
            self.conv_start.get(conv as usize + 1),
        ) else {
            return &[];
        };
        let rows = &self.rows[a as usize..b as usize];
        let from = rows.partition_point(|&r| (r as usize) < lo);
        let to = rows.partition_point(|&r| (r as usize) < hi);
        &self.values[a as usize + from..a as usize + to.max(from)]
    }
}

/// The whole log, sorted and derived.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    pub rows: usize,
    /// Original row index in the canonical table of each sorted row.
    pub order: Vec<u32>,
    pub ts: Vec<i64>,
    pub conv_of_row: Vec<u32>,
    pub outbound: Vec<bool>,
    pub delivered: Vec<bool>,
    /// Status `blocked` or a true `blocked` cell.
    pub blocked_row: Vec<bool>,
    /// Category of each outbound row for `flow.categories` (its own
    /// recognised category, else its touch's).
    pub row_category: Vec<Option<Category>>,
    pub touch_of_row: Vec<u32>,
    pub sender: Interned,
    pub agent: Interned,
    pub contact: Interned,
    pub segment: Interned,
    pub outcome: Interned,
    pub value: Sparse<f64>,
    pub closed_at: Sparse<i64>,
    pub group_members: Sparse<i64>,
    pub conversations: Vec<Conversation>,
    /// Each conversation's id, by code; shared, so that a row shown or
    /// exported copies a pointer, not the text.
    pub conversation_ids: Vec<Arc<str>>,
    pub touches: Vec<Touch>,
    pub runs: Vec<InboundRun>,
    pub has_agent: bool,
    pub has_sender: bool,
    pub has_segment: bool,
    pub has_outcome: bool,
    pub has_value: bool,
    pub has_closed_at: bool,
    pub has_group_members: bool,
    pub has_block_data: bool,
    pub has_category: bool,
    /// Some outbound row has no agent: `Unassigned` is an agent to filter by.
    pub has_unassigned: bool,
    /// Some conversation has no segment: `Unknown` is a segment to filter by.
    pub has_unsegmented: bool,
    pub data_first: Option<i64>,
    pub data_last: Option<i64>,
    /// Buffers the figures reuse from one filter change to the next.
    pub spare: super::spare::Spare,
}

fn str_column<'a>(df: &'a DataFrame, name: &str) -> Option<&'a StringChunked> {
    df.column(name).ok().and_then(|c| c.str().ok())
}

/// A text column of the canonical table: text cells, or the codes of an
/// enum column (as the importer keeps columns of few values).
#[derive(Clone, Copy)]
enum TextSource<'a> {
    Text(&'a StringChunked),
    Categories(&'a Series),
}

impl<'a> TextSource<'a> {
    fn of(df: &'a DataFrame, name: &str) -> Option<Self> {
        let column = df.column(name).ok()?;
        match column.dtype() {
            DataType::String => column.str().ok().map(TextSource::Text),
            DataType::Enum(..) | DataType::Categorical(..) => {
                Some(TextSource::Categories(column.as_materialized_series()))
            }
            _ => None,
        }
    }

    fn encode(self) -> dictionary::Dictionary<'a> {
        match self {
            TextSource::Text(cells) => dictionary::encode(cells),
            TextSource::Categories(series) => {
                dictionary::encode_categories(series).unwrap_or_else(|| dictionary::Dictionary {
                    codes: vec![NONE; series.len()],
                    values: Vec::new(),
                })
            }
        }
    }
}

/// An integer (or datetime) column in sorted order; empty when absent.
fn gather_i64(df: &DataFrame, name: &str, order: &[u32]) -> Vec<Option<i64>> {
    i64_array(df, name).map_or_else(Vec::new, |arr| {
        order.par_iter().map(|&i| arr.get(i as usize)).collect()
    })
}

fn sparse_i64(df: &DataFrame, name: &str, position: &[u32]) -> Sparse<i64> {
    let column = df
        .column(name)
        .ok()
        .and_then(|c| c.cast(&DataType::Int64).ok());
    column
        .as_ref()
        .and_then(|c| c.i64().ok())
        .map_or_else(Sparse::default, |c| Sparse::from_table(position, c))
}

/// An integer (or datetime) column as one array; `None` when absent.
fn i64_array(df: &DataFrame, name: &str) -> Option<<Int64Type as PolarsDataType>::Array> {
    let c = df.column(name).ok()?.cast(&DataType::Int64).ok()?;
    let ca = c.i64().ok()?.rechunk();
    Some(ca.downcast_as_array().clone())
}

/// Codes for text columns in sorted order (all `NONE` for an absent one).
/// Cells arrive trimmed from the importer, so an empty cell is a missing
/// one. Codes are made in table order (sequential reads) and then permuted
/// into sorted order: permuting small integers is cheaper than hashing out
/// of order. Columns of fewer than 65,535 values are permuted four at a
/// time, packed in one 64-bit word a row: a random read costs about the
/// same for eight bytes as for four, and is most of the permutation.
fn intern_all(columns: &[Option<TextSource>], order: &[u32]) -> Vec<Interned> {
    let coded: Vec<Option<dictionary::Dictionary>> = columns
        .par_iter()
        .map(|c| c.map(TextSource::encode))
        .collect();
    let values = |d: &dictionary::Dictionary| -> Vec<Arc<str>> {
        d.values.iter().map(|v| Arc::from(v.as_str())).collect()
    };
    let mut interned: Vec<Option<Interned>> = coded.iter().map(|_| None).collect();
    let narrow: Vec<usize> = (0..coded.len())
        .filter(|&k| {
            coded[k]
                .as_ref()
                .is_some_and(|d| d.values.len() < usize::from(u16::MAX))
        })
        .collect();
    for group in narrow.chunks(4) {
        let columns: Vec<&[u32]> = group
            .iter()
            .filter_map(|&k| coded[k].as_ref().map(|d| &d.codes[..]))
            .collect();
        let packed: Vec<u64> = (0..order.len())
            .into_par_iter()
            .map(|i| {
                columns.iter().enumerate().fold(0u64, |word, (k, codes)| {
                    let code = match codes[i] {
                        NONE => u64::from(u16::MAX),
                        c => u64::from(c),
                    };
                    word | code << (16 * k)
                })
            })
            .collect();
        let sorted: Vec<u64> = order.par_iter().map(|&i| packed[i as usize]).collect();
        drop(packed);
        for (k, &column) in group.iter().enumerate() {
            let codes = sorted
                .par_iter()
                .map(|&word| match (word >> (16 * k)) as u16 {
                    u16::MAX => NONE,
                    c => u32::from(c),
                })
                .collect();
            interned[column] = coded[column].as_ref().map(|d| Interned {
                values: values(d),
                codes,
            });
        }
    }
    interned
        .into_iter()
        .zip(&coded)
        .map(|(done, coded)| match (done, coded) {
            (Some(done), _) => done,
            (None, Some(d)) => Interned {
                values: values(d),
                codes: order.par_iter().map(|&i| d.codes[i as usize]).collect(),
            },
            (None, None) => Interned {
                values: Vec::new(),
                codes: vec![NONE; order.len()],
            },
        })
        .collect()
}

fn is_delivered(status: Option<&str>) -> bool {
    match status {
        None | Some("") => true,
        Some(s) => {
            s.eq_ignore_ascii_case("sent")
                || s.eq_ignore_ascii_case("delivered")
                || s.eq_ignore_ascii_case("read")
        }
    }
}

/// `len` copies of `value`, written on every core: filling a large vector
/// is mostly taking fresh pages from the system, which on one core took a
/// tenth of `prepare`.
fn filled<T: Clone + Send + Sync>(len: usize, value: &T) -> Vec<T> {
    (0..len).into_par_iter().map(|_| value.clone()).collect()
}

/// Where the per-conversation pass writes one stretch's results: its
/// conversations' and rows' slices, and its touches' and runs' slices with
/// the index of the first of each.
struct StretchOut<'a> {
    conversations: &'a mut [Conversation],
    touch_of_row: &'a mut [u32],
    row_category: &'a mut [Option<Category>],
    touches: &'a mut [Touch],
    touch_base: usize,
    runs: &'a mut [InboundRun],
    run_base: usize,
}

/// Per-row facts read from single-value columns, packed into one byte in
/// table order so that the sorted copy is one small gather.
const OUTBOUND: u8 = 1;
const DELIVERED: u8 = 2;
const BLOCKED: u8 = 4;
const GROUP: u8 = 8;
const BROADCAST_ID: u8 = 16;

fn row_flags(df: &DataFrame) -> Vec<u8> {
    let n = df.height();
    let stretch = crate::import::raw::stretch_len(n);
    let mut flags = vec![0u8; n];
    let blocked = df.column("blocked").and_then(|c| c.bool().cloned()).ok();
    // Enum columns: a flag's test runs once a value, not once a row.
    let coded: Vec<(&str, Option<dictionary::Categories>)> =
        ["direction", "status", "chat_type", "broadcast_id"]
            .into_iter()
            .map(|name| {
                let categories = df
                    .column(name)
                    .ok()
                    .and_then(|c| dictionary::Categories::of(c.as_materialized_series()));
                (name, categories)
            })
            .collect();
    flags
        .par_chunks_mut(stretch)
        .enumerate()
        .for_each(|(k, flags)| {
            let from = (k * stretch) as i64;
            let len = flags.len();
            let mut mark = |name: &str, flag: u8, test: &dyn Fn(Option<&str>) -> bool| {
                if let Some((_, Some(categories))) = coded.iter().find(|(n, _)| *n == name) {
                    let set: Vec<bool> = categories.text.iter().map(|&t| test(t)).collect();
                    let missing = test(None);
                    let mut f = flags.iter_mut();
                    categories.each_id(from as usize, len, |id| {
                        if let Some(f) = f.next()
                            && set.get(id as usize).copied().unwrap_or(missing)
                        {
                            *f |= flag;
                        }
                    });
                } else if let Some(c) = str_column(df, name) {
                    for (f, v) in flags.iter_mut().zip(c.slice(from, len).iter()) {
                        if test(v) {
                            *f |= flag;
                        }
                    }
                } else if test(None) {
                    for f in flags.iter_mut() {
                        *f |= flag;
                    }
                }
            };
            mark("direction", OUTBOUND, &|v| v == Some("outbound"));
            mark("status", DELIVERED, &is_delivered);
            mark("status", BLOCKED, &|v| {
                v.is_some_and(|s| s.eq_ignore_ascii_case("blocked"))
            });
            mark("chat_type", GROUP, &|v| v == Some("group"));
            mark("broadcast_id", BROADCAST_ID, &|v| {
                v.is_some_and(|s| !s.is_empty())
            });
            if let Some(blocked) = &blocked {
                for (f, v) in flags.iter_mut().zip(blocked.slice(from, len).iter()) {
                    if v == Some(true) {
                        *f |= BLOCKED;
                    }
                }
            }
        });
    flags
}

/// Rows `include` admits whose text may occur five times or more among
/// them, from the texts' hashes (zero for none). A bucket of a count
/// indexed by hash that stays under five holds no such text: only the rows
/// of fuller buckets (every repeated text, and rarely a few others, which
/// the grouping by whole hash then tells apart) are kept.
fn maybe_repeated(hashes: &[u64], include: &(dyn Fn(usize) -> bool + Sync)) -> Vec<bool> {
    let counted_hash = |i: usize| if include(i) { hashes[i] } else { 0 };
    let counted = (0..hashes.len())
        .into_par_iter()
        .filter(|&i| counted_hash(i) != 0)
        .count();
    // About two buckets a counted text keeps unrelated texts from filling
    // a bucket.
    let bits = (counted * 2)
        .next_power_of_two()
        .trailing_zeros()
        .clamp(10, 30);
    let bucket = |h: u64| (h >> (64 - bits)) as usize;
    let mut count = vec![0u8; 1 << bits];
    for h in (0..hashes.len()).map(counted_hash).filter(|&h| h != 0) {
        let c = &mut count[bucket(h)];
        *c = c.saturating_add(1);
    }
    (0..hashes.len())
        .into_par_iter()
        .map(|i| {
            let h = counted_hash(i);
            h != 0 && count[bucket(h)] >= 5
        })
        .collect()
}

/// Each table row's [`dictionary::text_hash`] (zero for none): the
/// import's `text_hash` column when it kept no text, else hashed from the
/// `text` column where `include` admits the row. `None` without texts.
fn text_hashes(df: &DataFrame, include: &(dyn Fn(usize) -> bool + Sync)) -> Option<Vec<u64>> {
    if let Some(hashes) = df
        .column(crate::import::canonical::TEXT_HASH)
        .ok()
        .and_then(|c| c.u64().ok())
    {
        if hashes.null_count() > 0 {
            return Some(hashes.iter().map(|h| h.unwrap_or(0)).collect());
        }
        let mut all = Vec::with_capacity(hashes.len());
        for chunk in hashes.downcast_iter() {
            all.extend_from_slice(chunk.values());
        }
        return Some(all);
    }
    str_column(df, "text").map(|texts| dictionary::text_hashes(texts, include))
}

/// Broadcasts by text: the same trimmed text outbound to ≥ 5 distinct
/// conversations inside some 10-minute window `[t, t + 10 min]`, texts
/// told apart by their 64-bit hashes. Returns a mark per sorted row. The
/// outbound rows whose text may occur five times are sifted out by hash
/// on every core, sorted by text, time and sorted row, and each text's
/// rows examined on its own, in parallel.
fn text_broadcasts(
    hashes: &[u64],
    flags: &[u8],
    ts_raw: &[i64],
    conv_code_raw: &[u32],
    position: &[u32],
) -> Vec<bool> {
    let n = flags.len();
    // Only outbound texts count; inbound ones, mostly unique in real logs,
    // are not read.
    let repeated = maybe_repeated(hashes, &|i| flags[i] & OUTBOUND != 0);
    // (text, instant, sorted row, conversation) of each row kept.
    let mut rows: Vec<(u64, i64, u32, u32)> = (0..n)
        .into_par_iter()
        .filter(|&i| repeated[i])
        .map(|i| (hashes[i], ts_raw[i], position[i], conv_code_raw[i]))
        .collect();
    drop(repeated);
    rows.par_sort_unstable();
    // Each text's rows, where it has five or more.
    let mut groups: Vec<&[(u64, i64, u32, u32)]> = Vec::new();
    let mut rest = &rows[..];
    while let Some(&(text, ..)) = rest.first() {
        let len = rest.partition_point(|r| r.0 == text);
        let (group, after) = rest.split_at(len);
        if len >= 5 {
            groups.push(group);
        }
        rest = after;
    }
    let marked: Vec<Vec<u32>> = groups
        .into_par_iter()
        .map(|rows| {
            let mut out = Vec::new();
            let mut distinct: PlHashMap<u32, u32> = PlHashMap::default();
            let mut hi = 0;
            // Rows before this index are already marked: overlapping
            // windows mark each row once, keeping dense templates linear.
            let mut marked = 0;
            for lo in 0..rows.len() {
                let limit = rows[lo].1 + 600_000;
                while hi < rows.len() && rows[hi].1 <= limit {
                    *distinct.entry(rows[hi].3).or_default() += 1;
                    hi += 1;
                }
                if distinct.len() >= 5 {
                    out.extend(rows[lo.max(marked)..hi].iter().map(|&(_, _, r, _)| r));
                    marked = hi;
                }
                let c = rows[lo].3;
                if let Some(k) = distinct.get_mut(&c) {
                    *k -= 1;
                    if *k == 0 {
                        distinct.remove(&c);
                    }
                }
            }
            out
        })
        .collect();
    let mut text_broadcast = vec![false; n];
    for r in marked.into_iter().flatten() {
        text_broadcast[r as usize] = true;
    }
    text_broadcast
}

/// No table row, for a conversation whose id is missing.
const NO_ROW: u32 = u32::MAX;

/// Contact codes in sorted order, numbered by first appearance as
/// [`dictionary::encode`] numbers them. Only each conversation's first row
/// and the rows whose contact may differ from it are coded; every other
/// row takes its conversation's code, read in sorted order, where the
/// conversation codes run in sequence.
fn contact_codes(
    column: &StringChunked,
    beside: &dictionary::Companion,
    conv_of_row: &[u32],
    position: &[u32],
) -> Interned {
    let mut include = vec![false; column.len()];
    for &row in beside.first_rows.iter().chain(&beside.differing) {
        if row != NO_ROW {
            include[row as usize] = true;
        }
    }
    // Every value first appears in a coded row: a row that is not coded
    // repeats its conversation's first, earlier, row.
    let coded = dictionary::encode_rows(column, &|row| include[row]);
    let of_conversation: Vec<u32> = beside
        .first_rows
        .iter()
        .map(|&row| match row {
            NO_ROW => NONE,
            row => coded.codes[row as usize],
        })
        .collect();
    let mut codes: Vec<u32> = conv_of_row
        .par_iter()
        .map(|&c| of_conversation[c as usize])
        .collect();
    for &row in &beside.differing {
        codes[position[row as usize] as usize] = coded.codes[row as usize];
    }
    Interned {
        values: coded.values.iter().map(|v| Arc::from(v.as_str())).collect(),
        codes,
    }
}

/// Codes for the contact of each sorted row: `contact_id` when non-empty,
/// else the conversation id.
fn contacts(contact_raw: Interned, conv_of_row: &[u32], ids: &[dictionary::Value]) -> Interned {
    if !contact_raw.codes.contains(&NONE) {
        return contact_raw;
    }
    let Interned {
        mut values,
        mut codes,
    } = contact_raw;
    // Conversations with a row lacking a contact, in id order, and the
    // contact code each one's id takes (an existing value, or a new one).
    let mut needed: Vec<u32> = codes
        .par_iter()
        .zip(conv_of_row)
        .filter(|(c, _)| **c == NONE)
        .map(|(_, &conv)| conv)
        .collect();
    needed.dedup();
    let wanted: PlHashMap<&str, u32> = needed
        .iter()
        .map(|&c| (ids[c as usize].as_str(), NONE))
        .collect();
    let mut found = wanted;
    for (k, v) in values.iter().enumerate() {
        if let Some(slot) = found.get_mut(&**v)
            && *slot == NONE
        {
            *slot = k as u32;
        }
    }
    let mut of_conv: PlHashMap<u32, u32> = PlHashMap::default();
    for &conv in &needed {
        let id = ids[conv as usize].as_str();
        let slot = found.get_mut(id).map_or(NONE, |s| *s);
        let code = if slot == NONE {
            values.push(Arc::from(id));
            let code = (values.len() - 1) as u32;
            found.insert(id, code);
            code
        } else {
            slot
        };
        of_conv.insert(conv, code);
    }
    codes
        .par_iter_mut()
        .zip(conv_of_row)
        .filter(|(c, _)| **c == NONE)
        .for_each(|(c, conv)| *c = of_conv[conv]);
    Interned { values, codes }
}

/// Table rows in (conversation, time, table row) order, with each sorted
/// row's time and conversation and each table row's sorted row.
/// Conversation codes are dense ranks, so the rows are placed by counting
/// (keeping table order within a conversation); only a conversation whose
/// rows are not already in time order is sorted, on its own.
fn sort_rows(conv: &[u32], ts: &[i64], conversations: usize) -> SortedRows {
    let n = conv.len();
    // Table rows in parts, one a core, each counted and placed on its own:
    // a part's rows of a conversation go after the earlier parts' rows.
    // Each part counts every conversation, so parts are few even on a
    // machine of many cores.
    let part_len = if n < 1 << 16 {
        n.max(1)
    } else {
        n.div_ceil(rayon::current_num_threads().min(8))
    };
    let mut next: Vec<Vec<u32>> = conv
        .par_chunks(part_len)
        .map(|part| {
            let mut count = vec![0u32; conversations];
            for &c in part {
                count[c as usize] += 1;
            }
            count
        })
        .collect();
    let mut start = vec![0u32; conversations + 1];
    let mut at = 0u32;
    for c in 0..conversations {
        start[c] = at;
        for counts in &mut next {
            let k = counts[c];
            counts[c] = at;
            at += k;
        }
    }
    start[conversations] = at;
    // Parts write to slots no other part writes; relaxed stores compile to
    // plain ones.
    let placed: Vec<AtomicU32> = (0..n).into_par_iter().map(|_| AtomicU32::new(0)).collect();
    let mut position = vec![0u32; n];
    position
        .par_chunks_mut(part_len)
        .zip(conv.par_chunks(part_len))
        .zip(next.par_iter_mut())
        .enumerate()
        .for_each(|(k, ((at, part), next))| {
            for ((i, &c), at) in (k * part_len..).zip(part).zip(at) {
                let slot = &mut next[c as usize];
                placed[*slot as usize].store(i as u32, Ordering::Relaxed);
                *at = *slot;
                *slot += 1;
            }
        });
    drop(next);
    let mut order: Vec<u32> = placed.into_iter().map(AtomicU32::into_inner).collect();
    // Stretches of whole conversations of about equal rows, each put in
    // time order with its times gathered beside it.
    let pieces = if n < 1 << 16 {
        1
    } else {
        rayon::current_num_threads() * 8
    };
    let mut bounds: Vec<usize> = (0..=pieces)
        .map(|k| start[start.partition_point(|&s| (s as usize) < n * k / pieces)] as usize)
        .collect();
    bounds.dedup();
    let mut sorted_ts = vec![0i64; n];
    let mut conv_of_row = vec![0u32; n];
    let mut parts: Vec<(&mut [u32], &mut [i64], &mut [u32])> = Vec::with_capacity(bounds.len());
    let (mut order_rest, mut ts_rest, mut conv_rest) =
        (&mut order[..], &mut sorted_ts[..], &mut conv_of_row[..]);
    for w in bounds.windows(2) {
        let len = w[1] - w[0];
        let (o, o_rest) = order_rest.split_at_mut(len);
        let (t, t_rest) = ts_rest.split_at_mut(len);
        let (c, c_rest) = conv_rest.split_at_mut(len);
        parts.push((o, t, c));
        (order_rest, ts_rest, conv_rest) = (o_rest, t_rest, c_rest);
    }
    parts
        .into_par_iter()
        .zip(bounds.par_windows(2))
        .map(|((rows, times, convs), w)| {
            // Table rows whose sorted row moved when their conversation was
            // put in time order.
            let mut moved: Vec<(u32, u32)> = Vec::new();
            let from = w[0];
            // Conversations starting inside this stretch.
            let first = start.partition_point(|&s| (s as usize) < from);
            let mut c = first;
            while c < conversations && (start[c] as usize) < w[1] {
                let (lo, hi) = (start[c] as usize - from, start[c + 1] as usize - from);
                let slice = &mut rows[lo..hi];
                if slice
                    .windows(2)
                    .any(|p| ts[p[0] as usize] > ts[p[1] as usize])
                {
                    slice.sort_unstable_by_key(|&i| (ts[i as usize], i));
                    moved.extend(slice.iter().zip(from + lo..).map(|(&i, r)| (i, r as u32)));
                }
                for (t, &i) in times[lo..hi].iter_mut().zip(slice.iter()) {
                    *t = ts[i as usize];
                }
                convs[lo..hi].fill(c as u32);
                c += 1;
            }
            moved
        })
        .collect::<Vec<_>>()
        .into_iter()
        .flatten()
        .for_each(|(i, r)| position[i as usize] = r);
    SortedRows {
        order,
        ts: sorted_ts,
        conv_of_row,
        position,
        stretches: bounds,
    }
}

/// Rows in (conversation, time, table row) order.
struct SortedRows {
    /// Table row of each sorted row.
    order: Vec<u32>,
    /// Time of each sorted row.
    ts: Vec<i64>,
    /// Conversation of each sorted row.
    conv_of_row: Vec<u32>,
    /// Sorted row of each table row.
    position: Vec<u32>,
    /// Bounds of stretches of whole conversations (sorted rows), from 0 to
    /// the row count: the units of work of the per-conversation passes.
    stretches: Vec<usize>,
}

/// Sorts and derives the whole log. Errors only when the table lacks the
/// required canonical columns.
pub fn prepare(df: &DataFrame, settings: &Settings) -> PolarsResult<Prepared> {
    let n = df.height();
    // The table's own timestamps when they are one array without gaps, as
    // the importer makes them; a copy otherwise.
    let ts_column = df.column("timestamp")?.cast(&DataType::Int64)?;
    let ts_ca = ts_column.i64()?;
    let ts_raw: Cow<[i64]> = match ts_ca.cont_slice() {
        Ok(slice) => Cow::Borrowed(slice),
        Err(_) => Cow::Owned(ts_ca.iter().map(|v| v.unwrap_or(0)).collect()),
    };
    let conv_col = df.column("conversation_id")?.str()?.clone();
    let flags_raw = row_flags(df);

    // Codes in id order, so that sorted rows come out grouped by
    // conversation id. A missing id is the empty one, first in that order.
    // Where the contacts follow the conversations is found on the way.
    let contact_column = str_column(df, "contact_id");
    let (
        dictionary::Dictionary {
            codes: mut conv_code_raw,
            values: mut ids,
        },
        mut contact_beside,
    ) = dictionary::encode_in_byte_order_with(&conv_col, contact_column);
    if conv_code_raw.contains(&NONE) {
        ids.insert(0, dictionary::Value::Cell(""));
        conv_code_raw
            .par_iter_mut()
            .for_each(|c| *c = if *c == NONE { 0 } else { *c + 1 });
        if let Some(beside) = &mut contact_beside {
            beside.first_rows.insert(0, NO_ROW);
        }
    }
    let SortedRows {
        order,
        ts,
        conv_of_row,
        position,
        stretches,
    } = sort_rows(&conv_code_raw, &ts_raw, ids.len());
    let flags: Vec<u8> = order.par_iter().map(|&i| flags_raw[i as usize]).collect();
    let outbound: Vec<bool> = flags.par_iter().map(|f| f & OUTBOUND != 0).collect();
    let delivered: Vec<bool> = flags.par_iter().map(|f| f & DELIVERED != 0).collect();
    let blocked_row: Vec<bool> = flags.par_iter().map(|f| f & BLOCKED != 0).collect();

    // Codes, the sparse columns and the text broadcasts read different
    // columns: they run side by side, so that one's serial stretches leave
    // no core idle.
    let code_columns = || {
        let columns =
            ["sender", "agent", "segment", "outcome"].map(|name| TextSource::of(df, name));
        // Without partitions (few rows or few conversations) there is no
        // companion, and the contacts are coded like the other columns.
        let (contact_raw, interned) =
            if let (Some(column), Some(beside)) = (contact_column, &contact_beside) {
                rayon::join(
                    || contact_codes(column, beside, &conv_of_row, &position),
                    || intern_all(&columns, &order),
                )
            } else {
                let contact = contact_column.map(TextSource::Text);
                let mut all = intern_all(&[[contact].as_slice(), &columns].concat(), &order);
                let contact = all.remove(0);
                (contact, all)
            };
        let [sender, agent, segment, outcome]: [Interned; 4] = interned
            .try_into()
            .map_err(|_| polars_err!(ComputeError: "interning lost a column"))?;
        let contact = contacts(contact_raw, &conv_of_row, &ids);
        PolarsResult::Ok((sender, agent, segment, outcome, contact))
    };
    let value_columns = || {
        let value: Sparse<f64> = df
            .column("value")
            .ok()
            .and_then(|c| c.cast(&DataType::Float64).ok())
            .and_then(|c| Some(Sparse::from_table(&position, c.f64().ok()?)))
            .unwrap_or_default();
        let closed_at = sparse_i64(df, "closed_at", &position);
        let group_members = sparse_i64(df, "group_members", &position);
        let followup_seq = gather_i64(df, "followup_seq", &order);
        // Parsed in table order (one byte a row), then gathered.
        let given_category: Vec<Option<Category>> = match str_column(df, "category") {
            Some(c) => {
                let parsed: Vec<Option<Category>> =
                    c.iter().map(|v| v.and_then(Category::parse)).collect();
                order.par_iter().map(|&i| parsed[i as usize]).collect()
            }
            None => Vec::new(),
        };
        (
            value,
            closed_at,
            group_members,
            followup_seq,
            given_category,
        )
    };
    let broadcasts = || match text_hashes(df, &|i| flags_raw[i] & OUTBOUND != 0) {
        Some(hashes) => text_broadcasts(&hashes, &flags_raw, &ts_raw, &conv_code_raw, &position),
        None => vec![false; n],
    };
    let (codes, (values, text_broadcast)) =
        rayon::join(code_columns, || rayon::join(value_columns, broadcasts));
    let (sender, agent, segment, outcome, contact) = codes?;
    let (mut value, mut closed_at, mut group_members, followup_seq, given_category) = values;
    let has_category = str_column(df, "category").is_some();
    drop(position);
    let row_is_broadcast = |r: usize| -> bool { text_broadcast[r] || flags[r] & BROADCAST_ID != 0 };

    let burst_ms = settings.burst_gap_secs * 1000;
    let window_ms = settings.response_window_secs * 1000;
    // The sequential rules for the conversations in rows `lo..hi`; `None`
    // when the stretch's conversations, touches or runs do not fill their
    // counted slots.
    let derive = |lo: usize, hi: usize, out: StretchOut| -> Option<()> {
        let StretchOut {
            conversations,
            touch_of_row,
            row_category,
            touches,
            touch_base,
            runs,
            run_base,
        } = out;
        // Conversations, touches and runs written so far, into this
        // stretch's slices.
        let (mut conv_count, mut touch_count, mut run_count) = (0usize, 0usize, 0usize);
        let mut next_inbound: Vec<u32> = Vec::new();

        let mut start = lo;
        while start < hi {
            let conv = conv_of_row[start];
            let mut end = start + 1;
            while end < hi && conv_of_row[end] == conv {
                end += 1;
            }
            let touch_start = touch_count;
            // Touches.
            let mut r = start;
            while r < end {
                if !outbound[r] {
                    r += 1;
                    continue;
                }
                let first = r;
                let mut last = r;
                while last + 1 < end && outbound[last + 1] && ts[last + 1] - ts[last] <= burst_ms {
                    last += 1;
                }
                let idx = (touch_base + touch_count) as u32;
                let mut delivered_any = false;
                let mut broadcast = false;
                for k in first..=last {
                    touch_of_row[k - lo] = idx;
                    delivered_any |= delivered[k];
                    broadcast |= row_is_broadcast(k);
                }
                let derived = if broadcast {
                    Category::Broadcast
                } else if first == start {
                    Category::InitialOutreach
                } else if !outbound[first - 1] {
                    Category::Reply
                } else {
                    Category::FollowUp
                };
                let category = given_category
                    .get(first)
                    .copied()
                    .flatten()
                    .unwrap_or(derived);
                let position = if category == Category::FollowUp {
                    let given = if given_category.is_empty() {
                        None
                    } else {
                        followup_seq
                            .get(first)
                            .copied()
                            .flatten()
                            .filter(|&p| p >= 1)
                    };
                    given.map_or_else(
                        || {
                            (touch_count > touch_start)
                                .then(|| &touches[touch_count - 1])
                                .map_or(1, |p: &Touch| p.position + 1)
                        },
                        |p| p as u32,
                    )
                } else {
                    0
                };
                for k in first..=last {
                    row_category[k - lo] =
                        Some(given_category.get(k).copied().flatten().unwrap_or(category));
                }
                *touches.get_mut(touch_count)? = Touch {
                    conv,
                    first_row: first as u32,
                    last_row: last as u32,
                    start: ts[first],
                    end: ts[last],
                    delivered: delivered_any,
                    category,
                    position,
                    responded: false,
                    response: NO_INSTANT,
                    agent: agent.codes[first],
                };
                touch_count += 1;
                r = last + 1;
            }
            let touch_end = touch_count;
            // Responses: the first inbound row after the touch, before the next
            // delivered touch starts and within the response window.
            next_inbound.clear();
            next_inbound.resize(end - start, NONE);
            let mut following = NONE;
            for k in (start..end).rev() {
                next_inbound[k - start] = following;
                if !outbound[k] {
                    following = k as u32;
                }
            }
            for t in touch_start..touch_end {
                if !touches[t].delivered {
                    continue;
                }
                let last = touches[t].last_row as usize;
                let inbound = next_inbound[last - start];
                if inbound == NONE {
                    continue;
                }
                let blocked_by_delivered = touches[t + 1..touch_end]
                    .iter()
                    .take_while(|o| o.first_row < inbound)
                    .any(|o| o.delivered);
                let at = ts[inbound as usize];
                if !blocked_by_delivered && at - touches[t].end <= window_ms {
                    touches[t].responded = true;
                    touches[t].response = at;
                }
            }
            // Inbound runs and their answers.
            let run_start = run_count;
            let mut first_inbound_row = None;
            let mut k = start;
            while k < end {
                if outbound[k] {
                    k += 1;
                    continue;
                }
                first_inbound_row.get_or_insert(k as u32);
                let first = k;
                while k < end && !outbound[k] {
                    k += 1;
                }
                let answer = (k < end).then_some(k as u32);
                *runs.get_mut(run_count)? = InboundRun {
                    conv,
                    first_row: first as u32,
                    first_ts: ts[first],
                    answer: answer.unwrap_or(NONE),
                    answer_at: answer.map_or(NO_INSTANT, |a| ts[a as usize]),
                };
                run_count += 1;
            }
            *conversations.get_mut(conv_count)? = Conversation {
                start: start as u32,
                end: end as u32,
                is_group: flags[start..end].iter().any(|&f| f & GROUP != 0),
                touch_start: (touch_base + touch_start) as u32,
                touch_end: (touch_base + touch_end) as u32,
                run_start: (run_base + run_start) as u32,
                run_end: (run_base + run_count) as u32,
                first_inbound_row: first_inbound_row.into(),
            };
            conv_count += 1;
            start = end;
        }
        // Every slot counted for the stretch is filled, none more.
        (conv_count == conversations.len()
            && touch_count == touches.len()
            && run_count == runs.len())
        .then_some(())
    };
    // Stretches of whole conversations, derived in parallel. Conversations,
    // touches and runs are counted first, so that each stretch writes its
    // own slice of them, and of the per-row arrays, in place.
    let counts: Vec<(usize, usize, usize)> = stretches
        .par_windows(2)
        .map(|w| {
            let (mut conversations, mut touches, mut runs) = (0, 0, 0);
            for r in w[0]..w[1] {
                let continues = r > w[0] && conv_of_row[r - 1] == conv_of_row[r];
                conversations += usize::from(!continues);
                if outbound[r] {
                    let joins_previous =
                        continues && outbound[r - 1] && ts[r] - ts[r - 1] <= burst_ms;
                    touches += usize::from(!joins_previous);
                } else {
                    // An inbound row opens a run unless the row before it, in the same
                    // conversation, was inbound too.
                    runs += usize::from(!continues || outbound[r - 1]);
                }
            }
            (conversations, touches, runs)
        })
        .collect();
    let conversation_total: usize = counts.iter().map(|c| c.0).sum();
    let touch_total: usize = counts.iter().map(|c| c.1).sum();
    let run_total: usize = counts.iter().map(|c| c.2).sum();
    let mut conversations = filled(conversation_total, &Conversation::EMPTY);
    let mut touches = filled(touch_total, &Touch::EMPTY);
    let mut runs = filled(run_total, &InboundRun::EMPTY);
    let mut touch_of_row: Vec<u32> = filled(n, &NONE);
    let mut row_category: Vec<Option<Category>> = filled(n, &None);
    let mut outs = Vec::with_capacity(counts.len());
    {
        let (mut touch_rest, mut category_rest) = (&mut touch_of_row[..], &mut row_category[..]);
        let (mut touches_rest, mut runs_rest) = (&mut touches[..], &mut runs[..]);
        let mut conversations_rest = &mut conversations[..];
        let (mut touch_base, mut run_base) = (0, 0);
        for (w, &(conv_count, touch_count, run_count)) in stretches.windows(2).zip(&counts) {
            let (cs, cs_rest) = conversations_rest.split_at_mut(conv_count);
            conversations_rest = cs_rest;
            let (t, t_rest) = touch_rest.split_at_mut(w[1] - w[0]);
            let (c, c_rest) = category_rest.split_at_mut(w[1] - w[0]);
            let (ts_part, ts_rest) = touches_rest.split_at_mut(touch_count);
            let (rs_part, rs_rest) = runs_rest.split_at_mut(run_count);
            outs.push((
                w[0],
                w[1],
                StretchOut {
                    conversations: cs,
                    touch_of_row: t,
                    row_category: c,
                    touches: ts_part,
                    touch_base,
                    runs: rs_part,
                    run_base,
                },
            ));
            (touch_rest, category_rest, touches_rest, runs_rest) =
                (t_rest, c_rest, ts_rest, rs_rest);
            touch_base += touch_count;
            run_base += run_count;
        }
    }
    let (derived, conversation_ids): (Option<()>, Vec<Arc<str>>) = rayon::join(
        || {
            outs.into_par_iter()
                .map(|(lo, hi, out)| derive(lo, hi, out))
                .collect()
        },
        || ids.par_iter().map(|v| Arc::from(v.as_str())).collect(),
    );
    derived
        .filter(|()| conversation_total == conversation_ids.len())
        .ok_or_else(
            || polars_err!(ComputeError: "conversations, touches or runs were miscounted for a stretch"),
        )?;
    for column in [&mut closed_at, &mut group_members] {
        column.index_conversations(&conv_of_row, conversations.len());
    }
    value.index_conversations(&conv_of_row, conversations.len());
    let data_first = ts.par_iter().copied().min();
    let data_last = ts.par_iter().copied().max();
    let has_unassigned = outbound
        .par_iter()
        .zip(agent.codes.par_iter())
        .any(|(&out, &code)| out && code == NONE);
    let has_unsegmented = conversations.par_iter().any(|c| {
        segment.codes[c.start as usize..c.end as usize]
            .iter()
            .all(|&code| code == NONE)
    });
    Ok(Prepared {
        rows: n,
        order,
        ts,
        conv_of_row,
        outbound,
        delivered,
        blocked_row,
        row_category,
        touch_of_row,
        has_agent: df.column("agent").is_ok(),
        has_sender: df.column("sender").is_ok(),
        has_segment: df.column("segment").is_ok(),
        has_outcome: df.column("outcome").is_ok(),
        has_value: df.column("value").is_ok(),
        has_closed_at: df.column("closed_at").is_ok(),
        has_group_members: df.column("group_members").is_ok(),
        has_block_data: df.column("status").is_ok() || df.column("blocked").is_ok(),
        has_category,
        has_unassigned,
        has_unsegmented,
        sender,
        agent,
        contact,
        segment,
        outcome,
        value,
        closed_at,
        group_members,
        conversations,
        conversation_ids,
        touches,
        runs,
        data_first,
        data_last,
        spare: super::spare::Spare::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sparse column keeps the cells with a value, from every chunk,
    /// whether or not a chunk has missing cells, in sorted order.
    #[test]
    fn sparse_columns_keep_each_value_at_its_sorted_row() {
        let mut column = Int64Chunked::new("v".into(), &[Some(10), None, None, Some(13)]);
        column
            .append(&Int64Chunked::new("v".into(), &[20, 21]))
            .unwrap();
        column
            .append(&Int64Chunked::new("v".into(), &[None::<i64>, None]))
            .unwrap();
        column
            .append(&Int64Chunked::new("v".into(), &[None, Some(40)]))
            .unwrap();
        assert_eq!(column.chunks().len(), 4);
        // Table row k is sorted row position[k].
        let position = [9, 8, 7, 6, 5, 4, 3, 2, 1, 0];
        let sparse = Sparse::from_table(&position, &column);
        assert_eq!(sparse.rows, [0, 4, 5, 6, 9]);
        assert_eq!(sparse.values, [40, 21, 20, 13, 10]);
        let empty = Int64Chunked::full_null("v".into(), 3);
        assert!(Sparse::from_table(&[0, 1, 2], &empty).rows.is_empty());
    }

    #[test]
    fn sifted_texts_keep_every_text_repeated_five_times() {
        // Mostly unique texts, some repeated 4, 5 or 9 times among the
        // included rows (every third row is left out), and blanks.
        let n = 100_000;
        let include = |i: usize| !i.is_multiple_of(3);
        let texts: StringChunked = (0..n)
            .map(|i| match i % 1_000 {
                0 => None,
                1 => Some(String::new()),
                k if k < 40 => Some(format!("repeated {}", i % 37)),
                _ => Some(format!("unique text number {i}")),
            })
            .collect();
        let kept = maybe_repeated(&dictionary::text_hashes(&texts, &|_| true), &include);
        let mut count: PlHashMap<&str, usize> = PlHashMap::default();
        for (i, t) in texts.iter().enumerate() {
            if let Some(t) = t.filter(|t| !t.is_empty() && include(i)) {
                *count.entry(t).or_default() += 1;
            }
        }
        let mut sifted_out = 0;
        for (i, t) in texts.iter().enumerate() {
            let counted = t.filter(|t| !t.is_empty() && include(i));
            match counted.map(|t| count[t]) {
                Some(c) if c >= 5 => assert!(kept[i], "row {i} ({c} times) was sifted out"),
                Some(_) => sifted_out += usize::from(!kept[i]),
                None => assert!(!kept[i], "row {i} is not counted"),
            }
        }
        // Nearly all unique texts are sifted out, which is the point.
        assert!(sifted_out > 60_000, "{sifted_out}");
    }

    #[test]
    fn interned_codes_are_each_columns_codes_in_sorted_order() {
        // Five narrow columns (two packed groups), a wide one and an absent
        // one, with missing and blank cells, permuted by a scrambled order.
        let n = 300_007;
        let order: Vec<u32> = (0..n).map(|i| ((i * 7_919) % n) as u32).collect();
        let column = |distinct: usize, salt: usize| -> StringChunked {
            (0..n)
                .map(|i| match (i * 31 + salt) % 97 {
                    0 => None,
                    1 => Some(String::new()),
                    _ => Some(format!("v{}", (i * 13 + salt) % distinct)),
                })
                .collect()
        };
        let owned: Vec<StringChunked> = [3, 7, 65_534, 2, 5, 80_000]
            .iter()
            .enumerate()
            .map(|(salt, &d)| column(d, salt))
            .collect();
        let mut columns: Vec<Option<&StringChunked>> = owned.iter().map(Some).collect();
        columns.insert(3, None);
        let sources: Vec<Option<TextSource>> =
            columns.iter().map(|c| c.map(TextSource::Text)).collect();
        let interned = intern_all(&sources, &order);
        assert_eq!(interned.len(), columns.len());
        for (got, column) in interned.iter().zip(&columns) {
            let expected: Vec<Option<&str>> = match column {
                Some(c) => order
                    .iter()
                    .map(|&i| c.get(i as usize).filter(|s| !s.is_empty()))
                    .collect(),
                None => vec![None; n],
            };
            let cells: Vec<Option<&str>> = (0..n).map(|r| got.get(r)).collect();
            assert_eq!(cells, expected);
        }
    }

    #[test]
    fn contact_codes_are_the_coded_contacts_in_sorted_order() {
        // More rows than the sequential coding takes; conversations with
        // one contact, with two, without one, and rows without an id.
        let n = 300_011;
        let conversations = 20_011;
        let id_of = |i: usize| {
            (!i.is_multiple_of(211)).then(|| format!("conv-{}", (i * 7_919) % conversations))
        };
        let contact_of = |i: usize| match i % 31 {
            0 => None,
            1 => Some(format!("switched-{}", i % 7)),
            _ => Some(format!("contact-{}", ((i * 7_919) % conversations) / 2)),
        };
        let ids = StringChunked::from_iter_options("id".into(), (0..n).map(id_of));
        let contacts = StringChunked::from_iter_options("contact".into(), (0..n).map(contact_of));
        let (coded, beside) = dictionary::encode_in_byte_order_with(&ids, Some(&contacts));
        let mut beside = beside.unwrap();
        let mut conv = coded.codes;
        for c in &mut conv {
            *c = if *c == NONE { 0 } else { *c + 1 };
        }
        beside.first_rows.insert(0, NO_ROW);
        let ts: Vec<i64> = (0..n).map(|i| (i % 977) as i64).collect();
        let sorted = sort_rows(&conv, &ts, coded.values.len() + 1);
        let got = contact_codes(&contacts, &beside, &sorted.conv_of_row, &sorted.position);
        let all = dictionary::encode(&contacts);
        let expected: Vec<u32> = sorted
            .order
            .iter()
            .map(|&i| all.codes[i as usize])
            .collect();
        assert_eq!(got.codes, expected);
        let values: Vec<&str> = got.values.iter().map(|v| &**v).collect();
        let expected_values: Vec<&str> = all.values.iter().map(dictionary::Value::as_str).collect();
        assert_eq!(values, expected_values);
        assert!(beside.differing.len() < n / 5);
    }

    #[test]
    fn counted_order_is_the_order_of_conversation_time_and_row() {
        // Enough rows for several stretches; conversations interleaved, with
        // times out of order inside some of them and tied times in others.
        let n = 200_003;
        let conversations = 7_919;
        let conv: Vec<u32> = (0..n)
            .map(|i| ((i * 104_729) % conversations) as u32)
            .collect();
        let ts: Vec<i64> = (0..n)
            .map(|i| match i % 5 {
                0 => 1_000 - (i as i64 % 997),
                1 => 5_000,
                _ => i as i64 * 3,
            })
            .collect();
        let sorted = sort_rows(&conv, &ts, conversations);
        let mut expected: Vec<(u32, i64, u32)> =
            (0..n).map(|i| (conv[i], ts[i], i as u32)).collect();
        expected.sort_unstable();
        assert_eq!(
            sorted.order,
            expected.iter().map(|k| k.2).collect::<Vec<_>>()
        );
        assert_eq!(sorted.ts, expected.iter().map(|k| k.1).collect::<Vec<_>>());
        assert_eq!(
            sorted.conv_of_row,
            expected.iter().map(|k| k.0).collect::<Vec<_>>()
        );
        let mut position = vec![0u32; n];
        for (r, &i) in sorted.order.iter().enumerate() {
            position[i as usize] = r as u32;
        }
        assert_eq!(sorted.position, position);
        // Stretches cover every row and never split a conversation.
        assert_eq!(sorted.stretches.first(), Some(&0));
        assert_eq!(sorted.stretches.last(), Some(&n));
        assert!(sorted.stretches.len() > 2);
        for &b in &sorted.stretches[1..sorted.stretches.len() - 1] {
            assert_ne!(sorted.conv_of_row[b - 1], sorted.conv_of_row[b]);
        }
        let empty = sort_rows(&[], &[], 0);
        assert!(empty.order.is_empty() && empty.position.is_empty());
    }
}
