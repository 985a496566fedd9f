//! Chart descriptions built from a report. One description feeds both the
//! screen (`egui_plot`) and the image files (plotters), so a chart looks the
//! same in the app and on a slide. Nothing here computes a figure: every
//! value is read from the engine's [`Report`].

use serde::Serialize;

use crate::benchmarks::{DECAY_BANDS, HEALTHY_RATIO};
use crate::format;
use crate::metrics::Report;
use crate::metrics::figures::followups::ByPosition;
use crate::metrics::figures::timing::{BySlot, ByWeekday, ReplyBuckets};

/// Most categories a chart labels one by one: beyond this many, even
/// names are thinned out to every second, fourth … slot, as weeks are.
pub const MAX_LABELLED: usize = 16;

/// `text`, cut with an ellipsis until `fits` takes it. Longer text is
/// taken to be wider, so the cut is found by halving.
pub fn cut_to_fit(text: &str, fits: impl Fn(&str) -> bool) -> String {
    if fits(text) {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let kept = |keep: usize| {
        chars[..keep]
            .iter()
            .collect::<String>()
            .trim_end()
            .to_string()
            + "…"
    };
    // Keeping `lo` characters fits (0: none do), keeping `hi` does not.
    let (mut lo, mut hi) = (0, chars.len());
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if fits(&kept(mid)) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    if lo == 0 { "…".to_string() } else { kept(lo) }
}

/// Characters of a name that can show on a chart's axis: names longer than
/// this (some logs name chats by a long text) are cut before wrapping.
const LABEL_CHARS: usize = 120;

/// A category name broken at spaces into at most `max_lines` lines that
/// each fit. With `break_words`, a word too long for a line of its own is
/// hyphenated across lines when the whole name then fits; otherwise that
/// word, and the last line when the name needs more, are cut with an
/// ellipsis.
pub fn wrap_label(
    name: &str,
    max_lines: usize,
    break_words: bool,
    fits: impl Fn(&str) -> bool,
) -> Vec<String> {
    let shown: String = if name.chars().count() > LABEL_CHARS {
        name.chars().take(LABEL_CHARS - 1).collect::<String>() + "…"
    } else {
        name.to_string()
    };
    let max_lines = max_lines.max(1);
    let mut lines = lines_of(&shown, false, max_lines, &fits);
    let whole = |lines: &[String]| lines.len() <= max_lines && lines.iter().all(|l| fits(l));
    if break_words && !whole(&lines) {
        let broken = lines_of(&shown, true, max_lines, &fits);
        if whole(&broken) {
            return broken;
        }
    }
    if lines.len() > max_lines {
        let rest = lines.split_off(max_lines - 1).join(" ");
        lines.push(rest);
    }
    lines.iter().map(|l| cut_to_fit(l, &fits)).collect()
}

/// `text`'s words filled into lines that fit, a word too long for a line
/// hyphenated when `break_words`. Breaking stops once there are more lines
/// than `max_lines`: such a layout is not used.
fn lines_of(
    text: &str,
    break_words: bool,
    max_lines: usize,
    fits: &impl Fn(&str) -> bool,
) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        let room = lines.len() <= max_lines;
        match lines.last_mut() {
            Some(line) if fits(&format!("{line} {word}")) => {
                line.push(' ');
                line.push_str(word);
            }
            _ if break_words && room && !fits(word) => {
                lines.extend(hyphenated(word, max_lines, fits));
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// A word too long for one line in pieces that fit, each but the last
/// ending in a hyphen; the longest piece that fits is found by halving.
/// After `limit` pieces, or when not even one letter and a hyphen fit, the
/// rest is left whole.
fn hyphenated(word: &str, limit: usize, fits: &impl Fn(&str) -> bool) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest: Vec<char> = word.chars().collect();
    let piece = |chars: &[char], n: usize| chars[..n].iter().collect::<String>() + "-";
    while pieces.len() < limit
        && rest.len() > 1
        && !fits(&rest.iter().collect::<String>())
        && fits(&piece(&rest, 1))
    {
        // Taking `lo` characters fits, taking `hi` does not (or is all).
        let (mut lo, mut hi) = (1, rest.len());
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if fits(&piece(&rest, mid)) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        pieces.push(piece(&rest, lo));
        rest.drain(..lo);
    }
    pieces.push(rest.into_iter().collect());
    pieces
}

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// The app's palette, shared by the screen and the images.
pub mod palette {
    use super::Rgb;
    pub const OUTBOUND: Rgb = Rgb(59, 130, 246);
    pub const INBOUND: Rgb = Rgb(16, 185, 129);
    pub const ACCENT: Rgb = Rgb(245, 158, 11);
    pub const RATE: Rgb = Rgb(99, 102, 241);
    pub const PREVIOUS: Rgb = Rgb(148, 163, 184);
    pub const BAND: Rgb = Rgb(34, 197, 94);
    pub const TARGET: Rgb = Rgb(220, 38, 38);
    pub const OK: Rgb = Rgb(22, 163, 74);
    pub const WARNING: Rgb = Rgb(217, 119, 6);
    pub const CRITICAL: Rgb = Rgb(220, 38, 38);
    pub const UNKNOWN: Rgb = Rgb(148, 163, 184);
    pub const CATEGORIES: [Rgb; 4] = [
        Rgb(59, 130, 246),
        Rgb(245, 158, 11),
        Rgb(16, 185, 129),
        Rgb(168, 85, 247),
    ];
}

/// How values on the y axis read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ValueFormat {
    Count,
    Percent,
    Ratio,
}

impl ValueFormat {
    pub fn format(self, v: f64) -> String {
        match self {
            ValueFormat::Count => format::count(v.max(0.0).round() as u64),
            ValueFormat::Percent => format::pct(Some(v)),
            ValueFormat::Ratio => format::ratio(Some(v)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SeriesStyle {
    Bars,
    Line,
}

/// One series: a value per category (`x` = category index) or per numeric x.
#[derive(Debug, Clone, Serialize)]
pub struct ChartSeries {
    pub name: String,
    pub style: SeriesStyle,
    pub color: Rgb,
    /// `(x, y)`; `y` is `None` where the figure could not be computed.
    pub points: Vec<(f64, Option<f64>)>,
    /// What each point rests on, shown on hover ("based on 1,234 touches").
    pub based_on: Vec<Option<u64>>,
}

/// A shaded reference range: the healthy ratio, a typical decay range.
#[derive(Debug, Clone, Serialize)]
pub struct Band {
    pub label: String,
    /// Limits on x; `None` spans the whole chart.
    pub x: Option<(f64, f64)>,
    pub y: (f64, f64),
    pub color: Rgb,
}

/// A horizontal reference line (a target, the 80% line).
#[derive(Debug, Clone, Serialize)]
pub struct RefLine {
    pub label: String,
    pub y: f64,
    pub color: Rgb,
}

/// A heatmap cell resting on fewer touches than this is drawn faint and
/// left out of the colour scale: at night or at weekends a cell often holds
/// two or three touches, and one answer among them would otherwise show as
/// the week's darkest hour.
pub const HEATMAP_MIN_TOUCHES: u64 = 10;

#[derive(Debug, Clone, Serialize)]
pub struct HeatmapData {
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    /// Response rate per cell; `None` without touches.
    pub values: Vec<Vec<Option<f64>>>,
    pub counts: Vec<Vec<u64>>,
}

impl HeatmapData {
    /// Whether the cell rests on too few touches to be read on its own.
    pub fn is_thin(&self, row: usize, column: usize) -> bool {
        self.counts
            .get(row)
            .and_then(|r| r.get(column))
            .is_some_and(|&n| n < HEATMAP_MIN_TOUCHES)
    }

    /// The top of the colour scale: the highest rate among cells with
    /// enough touches, or among all cells when none has; 1 without any.
    pub fn scale_max(&self) -> f64 {
        let highest = |thin_too: bool| {
            self.values
                .iter()
                .enumerate()
                .flat_map(|(r, row)| row.iter().enumerate().map(move |(c, v)| (r, c, v)))
                .filter(|&(r, c, _)| thin_too || !self.is_thin(r, c))
                .filter_map(|(_, _, v)| v.filter(|v| v.is_finite()))
                .fold(0.0, f64::max)
        };
        [highest(false), highest(true)]
            .into_iter()
            .find(|&m| m > 0.0)
            .unwrap_or(1.0)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    /// Stable name: the exported file is `<id>.png` / `<id>.svg`.
    pub id: &'static str,
    pub title: String,
    pub subtitle: String,
    pub x_label: String,
    pub y_label: String,
    pub y_format: ValueFormat,
    /// Category labels for x = 0, 1, …; empty for a numeric x axis.
    pub categories: Vec<String>,
    pub series: Vec<ChartSeries>,
    pub bands: Vec<Band>,
    pub lines: Vec<RefLine>,
    pub heatmap: Option<HeatmapData>,
    /// Numeric x axis format (Pareto: share of conversations).
    pub x_format: Option<ValueFormat>,
    /// The categories are names each read on its own (groups, agents,
    /// reply-time buckets): each keeps its label, wrapped onto lines under
    /// its slot. Labels of a sequence (weeks, positions) are thinned out
    /// when they crowd.
    pub named_categories: bool,
}

impl Chart {
    fn new(
        id: &'static str,
        title: &str,
        subtitle: &str,
        x: &str,
        y: &str,
        fmt: ValueFormat,
    ) -> Self {
        Self {
            id,
            title: title.to_string(),
            subtitle: subtitle.to_string(),
            x_label: x.to_string(),
            y_label: y.to_string(),
            y_format: fmt,
            categories: Vec::new(),
            series: Vec::new(),
            bands: Vec::new(),
            lines: Vec::new(),
            heatmap: None,
            x_format: None,
            named_categories: false,
        }
    }

    /// Largest y any series, band or line reaches.
    pub fn y_max(&self) -> f64 {
        let series = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().filter_map(|p| p.1));
        let bands = self.bands.iter().map(|b| b.y.1);
        let lines = self.lines.iter().map(|l| l.y);
        series.chain(bands).chain(lines).fold(0.0, f64::max)
    }

    /// Whether each category's name is wrapped onto lines under its slot
    /// (names, and not too many of them).
    pub fn wraps_labels(&self) -> bool {
        self.named_categories && self.categories.len() <= MAX_LABELLED
    }

    /// True when there is nothing to draw.
    pub fn is_empty(&self) -> bool {
        self.heatmap.is_none()
            && self
                .series
                .iter()
                .all(|s| s.points.iter().all(|p| p.1.is_none()))
    }
}

fn bars(
    name: &str,
    color: Rgb,
    values: impl IntoIterator<Item = (Option<f64>, Option<u64>)>,
) -> ChartSeries {
    let (points, based_on) = values
        .into_iter()
        .enumerate()
        .map(|(i, (v, n))| ((i as f64, v), n))
        .unzip();
    ChartSeries {
        name: name.to_string(),
        style: SeriesStyle::Bars,
        color,
        points,
        based_on,
    }
}

/// "2024-03-04 – 2024-05-13 · Europe/Berlin · 1:1 chats · Enterprise".
pub fn subtitle(report: &Report) -> String {
    let mut parts = vec![
        crate::format::period(report.meta.from.as_deref(), report.meta.to.as_deref()),
        report.meta.tz.clone(),
    ];
    let f = &report.meta.filters;
    if let Some(t) = f.chat_type {
        parts.push(match t {
            crate::metrics::ChatType::Direct => "1:1 chats".into(),
            crate::metrics::ChatType::Group => "groups".into(),
        });
    }
    if !f.segments.is_empty() {
        parts.push(f.segments.join(", "));
    }
    if !f.agents.is_empty() {
        parts.push(f.agents.join(", "));
    }
    parts.join(" · ")
}

/// Every chart of the dashboard, in the order the views show them.
pub fn all_charts(r: &Report) -> Vec<Chart> {
    let sub = subtitle(r);
    let zone = crate::import::ReportZone::from_name(&r.meta.tz)
        .unwrap_or_else(crate::import::ReportZone::utc);
    let mut charts = Vec::new();

    // Flow per week.
    let weeks: Vec<String> = r
        .flow
        .weekly
        .iter()
        .map(|w| zone.local(w.start).format("%b %d").to_string())
        .collect();
    let mut c = Chart::new(
        "flow-weekly",
        "Sent vs received per week",
        &sub,
        "Week starting",
        "Messages",
        ValueFormat::Count,
    );
    c.categories.clone_from(&weeks);
    c.series.push(bars(
        "Sent",
        palette::OUTBOUND,
        r.flow
            .weekly
            .iter()
            .map(|w| (Some(w.outbound as f64), None)),
    ));
    c.series.push(bars(
        "Received",
        palette::INBOUND,
        r.flow.weekly.iter().map(|w| (Some(w.inbound as f64), None)),
    ));
    charts.push(c);

    let mut c = Chart::new(
        "flow-ratio",
        "Sent : received ratio per week",
        &sub,
        "Week starting",
        "Sent per received",
        ValueFormat::Ratio,
    );
    c.categories = weeks;
    let mut s = bars(
        "Ratio",
        palette::ACCENT,
        r.flow.weekly.iter().map(|w| (w.ratio, Some(w.inbound))),
    );
    s.style = SeriesStyle::Line;
    c.series.push(s);
    c.bands.push(Band {
        label: "Healthy 1:1 – 2:1".into(),
        x: None,
        y: HEALTHY_RATIO,
        color: palette::BAND,
    });
    charts.push(c);

    let mut c = Chart::new(
        "category-mix",
        "Outbound messages by category",
        &sub,
        "Category",
        "Messages",
        ValueFormat::Count,
    );
    c.categories = crate::metrics::Category::ALL
        .iter()
        .map(|k| k.label().to_string())
        .collect();
    c.named_categories = true;
    c.series.push(bars(
        "Messages",
        palette::OUTBOUND,
        crate::metrics::Category::ALL
            .iter()
            .map(|k| (Some(r.flow.categories.get(*k) as f64), None)),
    ));
    charts.push(c);

    // Follow-up decay with the typical ranges.
    let mut c = Chart::new(
        "followup-decay",
        "Follow-up response rate by position",
        &sub,
        "Follow-up position",
        "Response rate",
        ValueFormat::Percent,
    );
    c.categories = ByPosition::LABELS.iter().map(ToString::to_string).collect();
    c.series.push(bars(
        "Response rate",
        palette::RATE,
        r.followups
            .by_position
            .all()
            .iter()
            .map(|p| (p.rate, Some(p.touches))),
    ));
    for (i, band) in DECAY_BANDS.iter().enumerate() {
        c.bands.push(Band {
            label: if i == 0 {
                "Typical range".into()
            } else {
                String::new()
            },
            x: Some((i as f64 - 0.45, i as f64 + 0.45)),
            y: *band,
            color: palette::BAND,
        });
    }
    charts.push(c);

    let mut c = Chart::new(
        "slot-response",
        "Response rate by time slot",
        &sub,
        "Time slot",
        "Response rate",
        ValueFormat::Percent,
    );
    c.categories = BySlot::LABELS.iter().map(ToString::to_string).collect();
    c.series.push(bars(
        "Response rate",
        palette::RATE,
        r.timing
            .by_slot
            .all()
            .iter()
            .map(|p| (p.rate, Some(p.touches))),
    ));
    charts.push(c);

    let mut c = Chart::new(
        "weekday-response",
        "Response rate by weekday",
        &sub,
        "Weekday",
        "Response rate",
        ValueFormat::Percent,
    );
    c.categories = ByWeekday::LABELS.iter().map(ToString::to_string).collect();
    c.series.push(bars(
        "Response rate",
        palette::RATE,
        r.timing
            .by_weekday
            .all()
            .iter()
            .map(|p| (p.rate, Some(p.touches))),
    ));
    charts.push(c);

    let mut c = Chart::new(
        "response-heatmap",
        "Response rate by weekday and hour",
        &sub,
        "Hour of day",
        "Weekday",
        ValueFormat::Percent,
    );
    let h = &r.timing.heatmap;
    c.heatmap = Some(HeatmapData {
        rows: ByWeekday::LABELS.iter().map(ToString::to_string).collect(),
        columns: (0..24).map(|h| format!("{h:02}")).collect(),
        values: (0..7)
            .map(|d| {
                (0..24)
                    .map(|hr| crate::metrics::stats::rate(h.responded[d][hr], h.touches[d][hr]))
                    .collect()
            })
            .collect(),
        counts: h.touches.iter().map(|row| row.to_vec()).collect(),
    });
    charts.push(c);

    let mut c = Chart::new(
        "reply-times",
        "How long the team took to reply",
        &sub,
        "Team reply time",
        "Inbound runs",
        ValueFormat::Count,
    );
    c.categories = ReplyBuckets::LABELS
        .iter()
        .map(ToString::to_string)
        .collect();
    c.named_categories = true;
    c.series.push(bars(
        "Inbound runs",
        palette::OUTBOUND,
        r.timing
            .team_reply_buckets
            .values()
            .iter()
            .map(|&n| (Some(n as f64), None)),
    ));
    charts.push(c);

    let mut c = Chart::new(
        "segments",
        "Response and conversion by segment",
        &sub,
        "Segment",
        "Rate",
        ValueFormat::Percent,
    );
    c.categories = r.segments.iter().map(|s| s.segment.clone()).collect();
    c.named_categories = true;
    c.series.push(bars(
        "Touch response rate",
        palette::RATE,
        r.segments
            .iter()
            .map(|s| (s.touch_response_rate, Some(s.touches))),
    ));
    c.series.push(bars(
        "Conversion",
        palette::INBOUND,
        r.segments
            .iter()
            .map(|s| (s.conversion, Some(s.conversations))),
    ));
    charts.push(c);

    let mut groups: Vec<_> = r.groups.list.iter().collect();
    groups.sort_by(|a, b| {
        b.messages
            .cmp(&a.messages)
            .then_with(|| a.group.cmp(&b.group))
    });
    groups.truncate(12);
    let mut c = Chart::new(
        "groups",
        "Messages per group (busiest 12)",
        &sub,
        "Group",
        "Messages",
        ValueFormat::Count,
    );
    c.categories = groups.iter().map(|g| g.group.clone()).collect();
    c.named_categories = true;
    c.series.push(bars(
        "Sent",
        palette::OUTBOUND,
        groups.iter().map(|g| (Some(g.outbound as f64), None)),
    ));
    c.series.push(bars(
        "Received",
        palette::INBOUND,
        groups.iter().map(|g| (Some(g.inbound as f64), None)),
    ));
    charts.push(c);

    let mut c = Chart::new(
        "quality-score",
        "Conversation quality score",
        &sub,
        "Indicators met (of 5)",
        "Conversations",
        ValueFormat::Count,
    );
    c.categories = (0..=5).map(|i| i.to_string()).collect();
    c.series.push(bars(
        "Conversations",
        palette::RATE,
        r.quality
            .score_distribution
            .values()
            .iter()
            .map(|&n| (Some(n as f64), None)),
    ));
    charts.push(c);

    let mut c = Chart::new(
        "pareto",
        "Share of value by share of conversations",
        &sub,
        "Share of conversations (by value)",
        "Share of value",
        ValueFormat::Percent,
    );
    c.x_format = Some(ValueFormat::Percent);
    c.series.push(ChartSeries {
        name: "Cumulative value".into(),
        style: SeriesStyle::Line,
        color: palette::RATE,
        // Without value there is no share of it to draw, only a flat line.
        points: if r.outcomes.pareto.total_value > 0.0 {
            r.outcomes
                .pareto
                .curve
                .iter()
                .map(|&(x, y)| (x, Some(y)))
                .collect()
        } else {
            Vec::new()
        },
        based_on: Vec::new(),
    });
    c.lines.push(RefLine {
        label: "80% of value".into(),
        y: 0.8,
        color: palette::TARGET,
    });
    charts.push(c);

    let cmp = &r.compare;
    let mut c = Chart::new(
        "compare",
        "This period vs the previous comparable one",
        &sub,
        "Figure",
        "Rate",
        ValueFormat::Percent,
    );
    c.categories = vec![
        "Touch response".into(),
        "Follow-up response".into(),
        "Follow-ups completed".into(),
    ];
    c.named_categories = true;
    c.series.push(bars(
        "This period",
        palette::RATE,
        [
            (r.timing.touch_response_rate, Some(r.timing.touches)),
            (r.followups.response_rate, Some(r.followups.delivered)),
            (r.followups.completion_rate, Some(r.followups.scheduled)),
        ],
    ));
    c.series.push(bars(
        "Previous period",
        palette::PREVIOUS,
        [
            (cmp.timing.touch_response_rate, None),
            (cmp.followups.response_rate, None),
            (cmp.followups.completion_rate, Some(cmp.followups.scheduled)),
        ],
    ));
    charts.push(c);

    let mut c = Chart::new(
        "agents",
        "Touch response rate by agent",
        &sub,
        "Agent",
        "Response rate",
        ValueFormat::Percent,
    );
    let agents: Vec<_> = r.agents.iter().filter(|a| a.touches > 0).collect();
    c.categories = agents.iter().map(|a| a.agent.clone()).collect();
    c.named_categories = true;
    c.series.push(bars(
        "Touch response rate",
        palette::RATE,
        agents
            .iter()
            .map(|a| (a.touch_response_rate, Some(a.touches))),
    ));
    c.series.push(bars(
        "Follow-up response rate",
        palette::ACCENT,
        agents
            .iter()
            .map(|a| (a.followup_response_rate, Some(a.followups))),
    ));
    charts.push(c);

    charts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thin_heatmap_cells_do_not_set_the_colour_scale() {
        // 2 of 3 touches (67%) at night; 3 of 10 (30%) and 1 of 12 at noon.
        let hm = HeatmapData {
            rows: vec!["Mon".into()],
            columns: vec!["00".into(), "12".into(), "13".into(), "14".into()],
            values: vec![vec![Some(2.0 / 3.0), Some(0.3), Some(1.0 / 12.0), None]],
            counts: vec![vec![3, 10, 12, 0]],
        };
        assert!(hm.is_thin(0, 0) && !hm.is_thin(0, 1) && !hm.is_thin(0, 2));
        assert!((hm.scale_max() - 0.3).abs() < 1e-12);
        // With only thin cells the scale falls back to them; with none, 1.
        let thin_only = HeatmapData {
            counts: vec![vec![3, 0, 0, 0]],
            values: vec![vec![Some(2.0 / 3.0), None, None, None]],
            ..hm.clone()
        };
        assert!((thin_only.scale_max() - 2.0 / 3.0).abs() < 1e-12);
        let empty = HeatmapData {
            values: vec![vec![None; 4]],
            ..thin_only
        };
        assert!((empty.scale_max() - 1.0).abs() < f64::EPSILON);
    }

    /// A line of at most `n` characters fits.
    fn within(n: usize) -> impl Fn(&str) -> bool {
        move |s: &str| s.chars().count() <= n
    }

    #[test]
    fn long_names_wrap_at_spaces_and_keep_their_ends() {
        // "Community Events 1" and "… 2" must stay told apart.
        assert_eq!(
            wrap_label("Community Events 1", 3, true, within(10)),
            ["Community", "Events 1"]
        );
        assert_eq!(
            wrap_label("Beta Testers 4", 3, true, within(20)),
            ["Beta Testers 4"]
        );
        // A word longer than a line is hyphenated when the whole name then
        // fits in its lines; it is cut on its own line when the name does
        // not fit even so, or when words are not to be broken.
        assert_eq!(
            wrap_label("Community Events 2", 3, true, within(8)),
            ["Communi-", "ty", "Events 2"]
        );
        assert_eq!(
            wrap_label("Community Events 2", 3, false, within(8)),
            ["Communi…", "Events 2"]
        );
        assert_eq!(
            wrap_label("Supercalifragilistic team", 3, true, within(8)),
            ["Superca…", "team"]
        );
        assert_eq!(
            hyphenated("abcdefgh", 5, &within(3)),
            ["ab-", "cd-", "ef-", "gh"]
        );
        assert_eq!(hyphenated("abc", 5, &within(1)), ["abc"]);
        // More lines than allowed: the rest shares the last line, cut.
        assert_eq!(
            wrap_label("one two three four five", 2, true, within(9)),
            ["one two", "three fo…"]
        );
        assert!(wrap_label("   ", 3, true, within(5)).is_empty());
        assert_eq!(cut_to_fit("abcdef", within(4)), "abc…");
        assert_eq!(cut_to_fit("ab   cdef", within(4)), "ab…");
        // A name as long as a paragraph costs a few measurements, not one
        // per character.
        let long = "x".repeat(100_000);
        let calls = std::cell::Cell::new(0);
        for (break_words, most) in [(false, 20), (true, 60)] {
            calls.set(0);
            let cut = wrap_label(&long, 3, break_words, |s| {
                calls.set(calls.get() + 1);
                s.chars().count() <= 10
            });
            assert_eq!(cut, ["xxxxxxxxx…"]);
            assert!(calls.get() < most, "{} measurements", calls.get());
        }
        assert_eq!(cut_to_fit("abc", within(0)), "…");
    }
}
