//! Draws a [`Chart`] description with `egui_plot`; the heatmap with the painter.

use egui::{Color32, Sense, Stroke, Ui, vec2};
use egui_plot::{Bar, BarChart, HLine, Legend, Line, Plot, PlotPoints, Polygon};

use crate::charts::{Chart, HeatmapData, Rgb, SeriesStyle, ValueFormat, wrap_label};
use crate::format;

pub fn color(c: Rgb) -> Color32 {
    Color32::from_rgb(c.0, c.1, c.2)
}

fn based_on_text(n: Option<u64>) -> String {
    n.map_or_else(String::new, |n| format!("\nbased on {}", format::count(n)))
}

/// What a chart point reads as on hover.
fn hover_text(chart: &Chart, series: usize, index: usize) -> Option<String> {
    let s = chart.series.get(series)?;
    let (x, y) = *s.points.get(index)?;
    let x_text = chart.categories.get(index).cloned().unwrap_or_else(|| {
        chart
            .x_format
            .map_or_else(|| format::number(Some(x), 1), |f| f.format(x))
    });
    let y_text = y.map_or_else(|| format::MISSING.to_string(), |y| chart.y_format.format(y));
    Some(format!(
        "{}\n{x_text}: {y_text}{}",
        s.name,
        based_on_text(s.based_on.get(index).copied().flatten())
    ))
}

/// A name cut for the axis when names are too many to wrap; hovering a bar
/// shows it whole.
fn short_label(s: &str) -> String {
    if s.chars().count() > 14 {
        format!("{}…", s.chars().take(13).collect::<String>())
    } else {
        s.to_string()
    }
}

/// Axis labels as laid out, under the key of what they were laid out for.
type LaidOut = (egui::Id, Vec<String>, egui::FontId, f32);

/// The x axis's category labels, their font, the widest line and the
/// width of a slot. Names are wrapped at spaces to their slot (the y axis
/// and margins take about 80 points), in the body font, or in the small one
/// when a word of some name would not fit.
fn axis_labels(ui: &Ui, chart: &Chart) -> (Vec<String>, egui::FontId, f32, f32) {
    let slot = (ui.available_width() - 80.0) / (chart.categories.len() as f32 + 0.2);
    let body = egui::TextStyle::Body.resolve(ui.style());
    let small = egui::TextStyle::Small.resolve(ui.style());
    // Laid out once per width, font and set of names, not in every frame:
    // a wrapped name takes a few dozen measurements.
    let key = egui::Id::unique((slot.to_bits(), &chart.categories, &body, &small));
    let cache = egui::Id::unique(("axis-labels", chart.id));
    if let Some((k, labels, font, widest)) = ui.data(|d| d.get_temp::<LaidOut>(cache))
        && k == key
    {
        return (labels, font, widest, slot);
    }
    let wrapped = chart.wraps_labels();
    let width_in = |font: &egui::FontId, s: &str| {
        ui.painter()
            .layout_no_wrap(s.to_string(), font.clone(), Color32::WHITE)
            .size()
            .x
    };
    let lay_out = |font: &egui::FontId, break_words: bool| -> Vec<String> {
        chart
            .categories
            .iter()
            .map(|c| {
                if wrapped {
                    wrap_label(c, 3, break_words, |line| width_in(font, line) <= slot - 4.0)
                        .join("\n")
                } else {
                    short_label(c)
                }
            })
            .collect()
    };
    let cut = |labels: &[String]| {
        wrapped
            && labels
                .iter()
                .zip(&chart.categories)
                .any(|(label, name)| label.contains('…') && !name.contains('…'))
    };
    // Whole words in the body font, else in the small font, else the small
    // font with a word too long for its slot hyphenated.
    let mut labels = lay_out(&body, false);
    let mut font = body;
    if cut(&labels) {
        labels = lay_out(&small, false);
        font = small;
        if cut(&labels) {
            labels = lay_out(&font, true);
        }
    }
    let widest = labels
        .iter()
        .flat_map(|l| l.lines())
        .map(|l| width_in(&font, l))
        .fold(0.0, f32::max);
    ui.data_mut(|d| d.insert_temp(cache, (key, labels.clone(), font.clone(), widest)));
    (labels, font, widest, slot)
}

pub fn draw(ui: &mut Ui, chart: &Chart, height: f32) {
    if let Some(h) = &chart.heatmap {
        heatmap(ui, chart, h, height);
        return;
    }
    if chart.is_empty() {
        ui.allocate_ui(vec2(ui.available_width(), height), |ui| {
            ui.centered_and_justified(|ui| {
                ui.weak("No data for this chart in the current period and filters.");
            });
        });
        return;
    }
    let (categories, tick_font, widest, slot) = axis_labels(ui, chart);
    let y_format = chart.y_format;
    let x_format = chart.x_format;
    let n_bar_series = chart
        .series
        .iter()
        .filter(|s| s.style == SeriesStyle::Bars)
        .count()
        .max(1);
    let width = 0.8 / n_bar_series as f64;
    let c2 = chart.clone();
    let y_top = chart.y_max().max(match y_format {
        ValueFormat::Percent => 0.05,
        _ => 1.0,
    }) * 1.3; // headroom keeps the legend clear of the tallest bar
    // A category's label hides when its neighbour is closer than this; the
    // default (60 points) hides every other weekday on a half-width chart
    // although "Wed" needs a third of that. Labels fade in over the range;
    // names, wrapped to fit their slots, are all shown at full strength.
    let label_spacing = if categories.is_empty() {
        60.0..=80.0
    } else if chart.wraps_labels() {
        let needed = (widest + 2.0).min(slot - 1.0).max(1.0);
        needed..=needed + 1.0
    } else {
        let needed = (widest + 10.0).clamp(24.0, 60.0);
        needed..=needed + 20.0
    };
    let x_axis = egui_plot::AxisHints::new_x()
        .label(chart.x_label.clone())
        .tick_label_font(tick_font)
        .label_spacing(label_spacing);
    let plot = Plot::new(("chart", chart.id))
        .height(height)
        .legend(Legend::default())
        .custom_x_axes(vec![x_axis])
        .y_axis_label(chart.y_label.clone())
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_drag(false)
        .allow_boxed_zoom(false)
        .include_y(0.0)
        .include_y(y_top)
        .y_axis_formatter(move |mark, _| y_format.format(mark.value))
        .x_axis_formatter(move |mark, _| {
            if categories.is_empty() {
                x_format.map_or_else(
                    || format::number(Some(mark.value), 0),
                    |f| f.format(mark.value),
                )
            } else if (mark.value - mark.value.round()).abs() < 1e-6 && mark.value >= 0.0 {
                categories
                    .get(mark.value.round() as usize)
                    .cloned()
                    .unwrap_or_default()
            } else {
                String::new()
            }
        })
        .label_formatter(move |hover| match hover {
            egui_plot::HoverPosition::NearDataPoint {
                plot_name, index, ..
            } => {
                let si = c2.series.iter().position(|s| s.name == *plot_name)?;
                hover_text(&c2, si, *index)
            }
            egui_plot::HoverPosition::Elsewhere { .. } => None,
        });
    let plot = if chart.categories.is_empty() {
        plot
    } else {
        // One grid mark per category, so every category gets its label.
        let n = chart.categories.len();
        plot.include_x(-0.6)
            .include_x(n as f64 - 0.4)
            .x_grid_spacer(move |_| {
                // Coarser levels (every 2nd, 4th, … category) keep some
                // labels when all of them do not fit.
                (0..n)
                    .map(|i| egui_plot::GridMark {
                        value: i as f64,
                        step_size: if i == 0 {
                            64.0
                        } else {
                            f64::from(1u32 << i.trailing_zeros().min(6))
                        },
                    })
                    .collect()
            })
    };
    plot.show(ui, |p| {
        for b in &chart.bands {
            let (x0, x1) =
                b.x.unwrap_or((-0.6, chart.categories.len().max(1) as f64 - 0.4));
            let name = if b.label.is_empty() {
                "Typical range".to_string()
            } else {
                b.label.clone()
            };
            p.polygon(
                Polygon::new(
                    name,
                    PlotPoints::new(vec![[x0, b.y.0], [x1, b.y.0], [x1, b.y.1], [x0, b.y.1]]),
                )
                .fill_color(color(b.color).gamma_multiply(0.18))
                .stroke(Stroke::new(0.5, color(b.color).gamma_multiply(0.6)))
                .allow_hover(false),
            );
        }
        for l in &chart.lines {
            p.hline(HLine::new(l.label.clone(), l.y).stroke(Stroke::new(1.5, color(l.color))));
        }
        let mut bar_i = 0usize;
        for (si, s) in chart.series.iter().enumerate() {
            match s.style {
                SeriesStyle::Bars => {
                    let offset = (bar_i as f64 - (n_bar_series as f64 - 1.0) / 2.0) * width;
                    bar_i += 1;
                    let bars: Vec<Bar> = s
                        .points
                        .iter()
                        .enumerate()
                        .filter_map(|(i, (x, y))| {
                            let y = (*y)?;
                            let text = hover_text(chart, si, i).unwrap_or_default();
                            Some(
                                Bar::new(x + offset, y)
                                    .width(width * 0.95)
                                    .name(text)
                                    .fill(color(s.color).gamma_multiply(0.85)),
                            )
                        })
                        .collect();
                    p.bar_chart(
                        BarChart::new(s.name.clone(), bars)
                            .color(color(s.color))
                            .element_formatter(Box::new(|bar, _| bar.name.clone())),
                    );
                }
                SeriesStyle::Line => {
                    // A gap where a value is missing: draw each unbroken run.
                    let mut run: Vec<[f64; 2]> = Vec::new();
                    let mut first = true;
                    let flush = |run: &mut Vec<[f64; 2]>,
                                 p: &mut egui_plot::PlotUi<'_>,
                                 first: &mut bool| {
                        if !run.is_empty() {
                            let name = s.name.clone();
                            p.line(
                                Line::new(name, PlotPoints::new(std::mem::take(run)))
                                    .color(color(s.color))
                                    .width(2.0),
                            );
                            *first = false;
                        }
                    };
                    for (x, y) in &s.points {
                        match y {
                            Some(y) => run.push([*x, *y]),
                            None => flush(&mut run, p, &mut first),
                        }
                    }
                    flush(&mut run, p, &mut first);
                }
            }
        }
    });
}

fn heat_color(v: f64) -> Color32 {
    // Light to deep indigo: more responses, darker cell.
    let t = v.clamp(0.0, 1.0) as f32;
    let lerp = |a: f32, b: f32| (a + (b - a) * t).round() as u8;
    Color32::from_rgb(lerp(224.0, 49.0), lerp(231.0, 46.0), lerp(255.0, 129.0))
}

fn heatmap(ui: &mut Ui, chart: &Chart, h: &HeatmapData, height: f32) {
    let label_w = 40.0;
    let cols = h.columns.len().max(1);
    let rows = h.rows.len().max(1);
    let (rect, response) =
        ui.allocate_exact_size(vec2(ui.available_width(), height), Sense::hover());
    let painter = ui.painter_at(rect);
    let grid_top = rect.top() + 4.0;
    let grid_bottom = rect.bottom() - 36.0;
    let cell_w = (rect.width() - label_w - 4.0) / cols as f32;
    let cell_h = (grid_bottom - grid_top) / rows as f32;
    let text_color = ui.visuals().text_color();
    let font = egui::FontId::proportional(11.0);
    let mut hovered = None;
    // Scaled as the exported image is: the darkest cell is the best one
    // with enough touches.
    let max = h.scale_max();
    for (r, name) in h.rows.iter().enumerate() {
        let y = grid_top + r as f32 * cell_h;
        painter.text(
            egui::pos2(rect.left() + label_w - 6.0, y + cell_h / 2.0),
            egui::Align2::RIGHT_CENTER,
            name,
            font.clone(),
            text_color,
        );
        for c in 0..cols {
            let x = rect.left() + label_w + c as f32 * cell_w;
            let cell =
                egui::Rect::from_min_size(egui::pos2(x, y), vec2(cell_w - 1.0, cell_h - 1.0));
            let value = h
                .values
                .get(r)
                .and_then(|row| row.get(c))
                .copied()
                .flatten();
            let empty = ui.visuals().faint_bg_color;
            match value {
                // Few touches: a small square in an empty cell, so that
                // noise does not read as a pattern (a faded colour would
                // read as a dark, high cell on the dark theme).
                Some(v) if h.is_thin(r, c) => {
                    painter.rect_filled(cell, 2.0, empty);
                    painter.rect_filled(cell.shrink2(cell.size() * 0.3), 1.0, heat_color(v / max));
                }
                Some(v) => {
                    painter.rect_filled(cell, 2.0, heat_color(v / max));
                }
                None => {
                    painter.rect_filled(cell, 2.0, empty);
                }
            }
            if response.hover_pos().is_some_and(|p| cell.contains(p)) {
                painter.rect_stroke(
                    cell,
                    2.0,
                    Stroke::new(1.5, text_color),
                    egui::StrokeKind::Inside,
                );
                hovered = Some((r, c, value));
            }
        }
    }
    for (c, name) in h.columns.iter().enumerate() {
        if c % 2 == 0 {
            let x = rect.left() + label_w + (c as f32 + 0.5) * cell_w;
            painter.text(
                egui::pos2(x, grid_bottom + 4.0),
                egui::Align2::CENTER_TOP,
                name,
                font.clone(),
                text_color,
            );
        }
    }
    painter.text(
        egui::pos2(
            rect.left() + label_w + (rect.width() - label_w) / 2.0,
            rect.bottom() - 2.0,
        ),
        egui::Align2::CENTER_BOTTOM,
        format!(
            "{} · darker cells = higher response rate · small squares: under {} touches",
            chart.x_label,
            crate::charts::HEATMAP_MIN_TOUCHES
        ),
        font,
        text_color,
    );
    if let Some((r, c, value)) = hovered {
        let n = h
            .counts
            .get(r)
            .and_then(|row| row.get(c))
            .copied()
            .unwrap_or(0);
        response.on_hover_text(format!(
            "{} {}:00\nResponse rate {}\nbased on {}",
            h.rows.get(r).map_or("", String::as_str),
            h.columns.get(c).map_or("", String::as_str),
            format::pct(value),
            format::count_of(n, "touch", "touches")
        ));
    }
}
