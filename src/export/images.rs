//! Chart images rendered with plotters from the same [`Chart`] the screen draws.

// Geometry reads best as x, y, a..z and f (the size factor), as on paper.
#![allow(clippy::many_single_char_names)]

use std::path::{Path, PathBuf};
use std::sync::Once;

use anyhow::{Context, Result, anyhow, bail};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::charts::{
    Chart, HeatmapData, MAX_LABELLED, Rgb, SeriesStyle, ValueFormat, cut_to_fit, wrap_label,
};

/// Which image formats to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Formats {
    Png,
    Svg,
    Both,
}

/// Default logical size of an exported chart.
pub const DEFAULT_WIDTH: u32 = 1600;
pub const DEFAULT_HEIGHT: u32 = 900;

/// Larger images are refused: a 2× PNG of this size is already ~150 MB of pixels.
const MAX_SIDE: u32 = 8_000;
const MAX_PIXELS: u64 = 60_000_000;

const FONT: &str = "sans-serif";
const TEXT: RGBColor = RGBColor(30, 41, 59);
const MUTED: RGBColor = RGBColor(100, 116, 139);
const GRID: RGBColor = RGBColor(226, 232, 240);
const NO_VALUE: RGBColor = RGBColor(241, 245, 249);
const EMPTY_MESSAGE: &str = "No data for this period";

static FONT_ONCE: Once = Once::new();

/// plotters' `ab_glyph` backend knows no fonts until one is registered; the
/// embedded one keeps images identical on machines without system fonts.
fn register_font() {
    FONT_ONCE.call_once(|| {
        // The embedded font is a valid TTF; if registration ever failed the
        // text calls would return an error, never panic.
        let _ = plotters::style::register_font(
            FONT,
            FontStyle::Normal,
            epaint_default_fonts::UBUNTU_LIGHT,
        );
    });
}

/// The embedded font has no arrows (a PNG would show a box) and sets an en
/// dash with uneven spacing, so ranges read "a to b" in images.
fn printable(s: &str) -> String {
    s.replace(" → ", " to ")
        .replace('→', " to ")
        .replace(" – ", " to ")
}

fn rgb(c: Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

fn check_size(width: u32, height: u32, scale: u32) -> Result<(u32, u32)> {
    if width == 0 || height == 0 || scale == 0 {
        bail!(
            "image size {width}×{height} at scale {scale}: width, height and scale must be at least 1"
        );
    }
    let (w, h) = (width.saturating_mul(scale), height.saturating_mul(scale));
    if w > MAX_SIDE || h > MAX_SIDE || u64::from(w) * u64::from(h) > MAX_PIXELS {
        bail!("image size {w}×{h} pixels is too large; the limit is {MAX_SIDE} pixels a side");
    }
    Ok((w, h))
}

/// PNG bytes of a chart at `width` × `height` logical pixels, drawn at `scale` (2 for slides).
pub fn render_png(chart: &Chart, width: u32, height: u32, scale: u32) -> Result<Vec<u8>> {
    use image::ImageEncoder;
    let (w, h) = check_size(width, height, scale)?;
    register_font();
    let mut pixels = vec![255u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
        draw_chart(&root, chart, f64::from(scale) * size_factor(width, height))?;
        root.present()
            .map_err(|e| anyhow!("cannot draw {}: {e}", chart.id))?;
    }
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(&pixels, w, h, image::ExtendedColorType::Rgb8)
        .with_context(|| format!("cannot encode {} as PNG", chart.id))?;
    Ok(out)
}

/// SVG text of a chart.
pub fn render_svg(chart: &Chart, width: u32, height: u32) -> Result<String> {
    let (w, h) = check_size(width, height, 1)?;
    register_font();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        draw_chart(&root, chart, size_factor(width, height))?;
        root.present()
            .map_err(|e| anyhow!("cannot draw {}: {e}", chart.id))?;
    }
    Ok(svg)
}

/// Writes every chart into `dir` as `<id>.png` / `<id>.svg`; returns the files written.
pub fn export_all(
    charts: &[Chart],
    dir: &Path,
    formats: Formats,
    width: u32,
    height: u32,
) -> Result<Vec<PathBuf>> {
    check_size(width, height, 2)?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut written = Vec::new();
    for chart in charts {
        if matches!(formats, Formats::Png | Formats::Both) {
            let path = dir.join(format!("{}.png", chart.id));
            let png = render_png(chart, width, height, 2)?;
            crate::fsutil::write_bytes_atomic(&path, &png)?;
            written.push(path);
        }
        if matches!(formats, Formats::Svg | Formats::Both) {
            let path = dir.join(format!("{}.svg", chart.id));
            let svg = render_svg(chart, width, height)?;
            crate::fsutil::write_bytes_atomic(&path, svg.as_bytes())?;
            written.push(path);
        }
    }
    Ok(written)
}

/// Text and strokes grow with the image so a small export keeps its proportions.
fn size_factor(width: u32, height: u32) -> f64 {
    (f64::from(width) / f64::from(DEFAULT_WIDTH))
        .min(f64::from(height) / f64::from(DEFAULT_HEIGHT))
        .clamp(0.4, 3.0)
}

fn err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("drawing failed: {e:?}")
}

fn px(v: f64, f: f64) -> i32 {
    (v * f).round() as i32
}

fn font(size: f64, f: f64, color: RGBColor) -> TextStyle<'static> {
    (FONT, size * f).into_font().color(&color)
}

/// Tick text for a value axis: `12%`, `1,234`, `1.5`.
fn tick(format: ValueFormat, v: f64, span: f64) -> String {
    match format {
        ValueFormat::Percent if span < 0.1 => format!("{:.1}%", v * 100.0),
        ValueFormat::Percent => format!("{:.0}%", v * 100.0),
        ValueFormat::Count if span < 10.0 && v.fract().abs() > 1e-9 => format!("{v:.1}"),
        ValueFormat::Count => crate::format::count(v.max(0.0).round() as u64),
        ValueFormat::Ratio => format!("{v:.1}"),
    }
}

/// One legend entry: a swatch kind, its colour and its label.
enum Swatch {
    Box(RGBColor),
    Band(RGBColor),
    Line(RGBColor),
}

fn legend_entries(chart: &Chart) -> Vec<(Swatch, String)> {
    let mut out = Vec::new();
    if chart.series.len() > 1 || chart.series.iter().any(|s| s.style == SeriesStyle::Line) {
        for s in &chart.series {
            let sw = match s.style {
                SeriesStyle::Bars => Swatch::Box(rgb(s.color)),
                SeriesStyle::Line => Swatch::Line(rgb(s.color)),
            };
            out.push((sw, s.name.clone()));
        }
    }
    for b in chart.bands.iter().filter(|b| !b.label.is_empty()) {
        out.push((Swatch::Band(rgb(b.color)), b.label.clone()));
    }
    for l in chart.lines.iter().filter(|l| !l.label.is_empty()) {
        out.push((Swatch::Line(rgb(l.color)), l.label.clone()));
    }
    out
}

fn draw_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
    f: f64,
) -> Result<()> {
    root.fill(&WHITE).map_err(err)?;
    let (w, h) = root.dim_in_pixel();
    let pad = px(40.0, f);

    // Header: title, subtitle, then a legend row, all above the plot so the
    // legend never covers data.
    let room = w as i32 - 2 * pad;
    root.draw(&Text::new(
        fit(root, &chart.title, &font(32.0, f, TEXT), room),
        (pad, px(24.0, f)),
        font(32.0, f, TEXT),
    ))
    .map_err(err)?;
    root.draw(&Text::new(
        fit(
            root,
            &printable(&chart.subtitle),
            &font(18.0, f, MUTED),
            room,
        ),
        (pad, px(66.0, f)),
        font(18.0, f, MUTED),
    ))
    .map_err(err)?;
    let legend_y = px(104.0, f);
    let heat_empty = chart
        .heatmap
        .as_ref()
        .is_some_and(|hm| hm.values.iter().flatten().all(Option::is_none));
    if chart.is_empty() || heat_empty {
        let style = font(30.0, f, MUTED).pos(Pos::new(HPos::Center, VPos::Center));
        root.draw(&Text::new(
            EMPTY_MESSAGE,
            (w as i32 / 2, h as i32 / 2 + px(30.0, f)),
            style,
        ))
        .map_err(err)?;
        return Ok(());
    }
    if let Some(hm) = &chart.heatmap {
        draw_heat_legend(root, hm, pad, legend_y, f)?;
    } else {
        draw_legend(root, &legend_entries(chart), pad, legend_y, f)?;
    }
    let body = root.margin(
        px(140.0, f) as u32,
        px(20.0, f) as u32,
        px(20.0, f) as u32,
        px(40.0, f) as u32,
    );
    match &chart.heatmap {
        Some(hm) => draw_heatmap(&body, chart, hm, f),
        None => draw_xy(&body, chart, f),
    }
}

fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    entries: &[(Swatch, String)],
    x0: i32,
    y: i32,
    f: f64,
) -> Result<()> {
    let style = font(17.0, f, TEXT).pos(Pos::new(HPos::Left, VPos::Center));
    let sw = px(18.0, f);
    let mut x = x0;
    let right = root.dim_in_pixel().0 as i32 - x0;
    for (swatch, label) in entries {
        let label = printable(label);
        let (tw, _) = root.estimate_text_size(&label, &style).map_err(err)?;
        // Entries that would run off the image are left out rather than cut.
        if x + sw + px(16.0, f) + tw as i32 > right {
            break;
        }
        match swatch {
            Swatch::Box(c) => root
                .draw(&Rectangle::new(
                    [(x, y - sw / 2), (x + sw, y + sw / 2)],
                    c.filled(),
                ))
                .map_err(err)?,
            Swatch::Band(c) => {
                root.draw(&Rectangle::new(
                    [(x, y - sw / 2), (x + sw, y + sw / 2)],
                    c.mix(0.22).filled(),
                ))
                .map_err(err)?;
                root.draw(&Rectangle::new(
                    [(x, y - sw / 2), (x + sw, y + sw / 2)],
                    c.mix(0.6).stroke_width(1),
                ))
                .map_err(err)?;
            }
            Swatch::Line(c) => root
                .draw(&PathElement::new(
                    vec![(x, y), (x + sw + px(8.0, f), y)],
                    c.stroke_width(px(3.0, f).max(1) as u32),
                ))
                .map_err(err)?,
        }
        x += sw
            + px(
                if matches!(swatch, Swatch::Line(_)) {
                    16.0
                } else {
                    8.0
                },
                f,
            );
        root.draw(&Text::new(label, (x, y), style.clone()))
            .map_err(err)?;
        x += tw as i32 + px(28.0, f);
    }
    Ok(())
}

fn lerp(a: u8, b: u8, t: f64) -> u8 {
    (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8
}

/// Light blue for no responses up to the rate colour for the best cell.
fn heat_color(t: f64) -> RGBColor {
    let lo = RGBColor(224, 231, 255);
    let hi = rgb(crate::charts::palette::RATE);
    let hi = RGBColor(hi.0 / 2 + 10, hi.1 / 2 + 10, hi.2 / 2 + 60);
    let t = t.clamp(0.0, 1.0);
    RGBColor(
        lerp(lo.0, hi.0, t),
        lerp(lo.1, hi.1, t),
        lerp(lo.2, hi.2, t),
    )
}

/// A thin cell's colour: most of the way to the empty cell's.
fn faint(c: RGBColor) -> RGBColor {
    RGBColor(
        lerp(c.0, NO_VALUE.0, 0.7),
        lerp(c.1, NO_VALUE.1, 0.7),
        lerp(c.2, NO_VALUE.2, 0.7),
    )
}

fn draw_heat_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    hm: &HeatmapData,
    x0: i32,
    y: i32,
    f: f64,
) -> Result<()> {
    let style = font(17.0, f, TEXT).pos(Pos::new(HPos::Left, VPos::Center));
    let sw = px(18.0, f);
    let mut x = x0;
    root.draw(&Text::new("Response rate  0%", (x, y), style.clone()))
        .map_err(err)?;
    x += root
        .estimate_text_size("Response rate  0%", &style)
        .map_err(err)?
        .0 as i32
        + px(10.0, f);
    let steps = 40;
    let bar = px(240.0, f);
    for i in 0..steps {
        let a = x + bar * i / steps;
        let b = x + bar * (i + 1) / steps;
        root.draw(&Rectangle::new(
            [(a, y - sw / 2), (b + 1, y + sw / 2)],
            heat_color(f64::from(i) / f64::from(steps - 1)).filled(),
        ))
        .map_err(err)?;
    }
    x += bar + px(10.0, f);
    let max = format!("{:.0}%", hm.scale_max() * 100.0);
    root.draw(&Text::new(max.clone(), (x, y), style.clone()))
        .map_err(err)?;
    x += root.estimate_text_size(&max, &style).map_err(err)?.0 as i32 + px(40.0, f);
    root.draw(&Rectangle::new(
        [(x, y - sw / 2), (x + sw, y + sw / 2)],
        NO_VALUE.filled(),
    ))
    .map_err(err)?;
    root.draw(&Rectangle::new(
        [(x, y - sw / 2), (x + sw, y + sw / 2)],
        GRID.stroke_width(1),
    ))
    .map_err(err)?;
    root.draw(&Text::new(
        "No touches",
        (x + sw + px(8.0, f), y),
        style.clone(),
    ))
    .map_err(err)?;
    x += sw
        + px(8.0, f)
        + root
            .estimate_text_size("No touches", &style)
            .map_err(err)?
            .0 as i32
        + px(40.0, f);
    root.draw(&Rectangle::new(
        [(x, y - sw / 2), (x + sw, y + sw / 2)],
        faint(heat_color(1.0)).filled(),
    ))
    .map_err(err)?;
    let thin = format!("Under {} touches", crate::charts::HEATMAP_MIN_TOUCHES);
    root.draw(&Text::new(thin, (x + sw + px(8.0, f), y), style))
        .map_err(err)?;
    Ok(())
}

fn draw_heatmap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart,
    hm: &HeatmapData,
    f: f64,
) -> Result<()> {
    let rows = hm.rows.len().max(1);
    let cols = hm.columns.len().max(1);
    let mut cc = ChartBuilder::on(area)
        .x_label_area_size(px(70.0, f))
        .y_label_area_size(px(130.0, f))
        .build_cartesian_2d(0.0..cols as f64, 0.0..rows as f64)
        .map_err(err)?;
    cc.configure_mesh()
        .disable_mesh()
        .x_labels(0)
        .y_labels(0)
        .x_desc(chart.x_label.clone())
        .y_desc(chart.y_label.clone())
        .axis_desc_style(font(19.0, f, TEXT))
        .axis_style(GRID)
        .draw()
        .map_err(err)?;
    let max = hm.scale_max();
    let cell_w = {
        let (a, _) = cc.backend_coord(&(0.0, 0.0));
        let (b, _) = cc.backend_coord(&(1.0, 0.0));
        b - a
    };
    let show_values = area
        .estimate_text_size("100%", &font(15.0, f, TEXT))
        .is_ok_and(|(w, _)| (w as i32) + px(6.0, f) <= cell_w);
    let value_style = |dark: bool| {
        font(15.0, f, if dark { WHITE } else { TEXT }).pos(Pos::new(HPos::Center, VPos::Center))
    };
    // Row 0 (Monday) on top.
    let top = |r: usize| (rows - r) as f64;
    for (r, row) in hm.values.iter().take(rows).enumerate() {
        for (c, v) in row.iter().take(cols).enumerate() {
            let v = v.filter(|v| v.is_finite());
            let thin = hm.is_thin(r, c);
            let color = v.map_or(NO_VALUE, |v| {
                let full = heat_color(v / max);
                if thin { faint(full) } else { full }
            });
            let (x0, x1) = (c as f64, c as f64 + 1.0);
            let (y0, y1) = (top(r) - 1.0, top(r));
            cc.draw_series(std::iter::once(Rectangle::new(
                [(x0, y1), (x1, y0)],
                color.filled(),
            )))
            .map_err(err)?;
            cc.draw_series(std::iter::once(Rectangle::new(
                [(x0, y1), (x1, y0)],
                WHITE.stroke_width(px(2.0, f).max(1) as u32),
            )))
            .map_err(err)?;
            if let Some(v) = v.filter(|_| show_values) {
                let (cx, cy) = cc.backend_coord(&(x0 + 0.5, y0 + 0.5));
                area.draw(&Text::new(
                    format!("{:.0}%", v * 100.0),
                    (cx - area.get_base_pixel().0, cy - area.get_base_pixel().1),
                    if thin {
                        font(15.0, f, MUTED).pos(Pos::new(HPos::Center, VPos::Center))
                    } else {
                        value_style(v / max > 0.55)
                    },
                ))
                .map_err(err)?;
            }
        }
    }
    let label = font(16.0, f, TEXT);
    for (r, name) in hm.rows.iter().take(rows).enumerate() {
        let (x, y) = cc.backend_coord(&(0.0, top(r) - 0.5));
        area.draw(&Text::new(
            name.clone(),
            (
                x - area.get_base_pixel().0 - px(10.0, f),
                y - area.get_base_pixel().1,
            ),
            label.clone().pos(Pos::new(HPos::Right, VPos::Center)),
        ))
        .map_err(err)?;
    }
    for (c, name) in hm.columns.iter().enumerate() {
        let (x, y) = cc.backend_coord(&(c as f64 + 0.5, 0.0));
        area.draw(&Text::new(
            name.clone(),
            (
                x - area.get_base_pixel().0,
                y - area.get_base_pixel().1 + px(8.0, f),
            ),
            label.clone().pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// Runs of consecutive present points: a missing value breaks the line.
fn runs(points: &[(f64, Option<f64>)]) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut cur = Vec::new();
    for &(x, y) in points {
        match y {
            Some(y) if y.is_finite() && x.is_finite() => cur.push((x, y)),
            _ => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn draw_xy<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, chart: &Chart, f: f64) -> Result<()> {
    let categorical = chart.x_format.is_none();
    let n = chart
        .categories
        .len()
        .max(
            chart
                .series
                .iter()
                .map(|s| s.points.len())
                .max()
                .unwrap_or(0),
        )
        .max(1);
    let (x_lo, x_hi) = if categorical {
        (-0.5, n as f64 - 0.5)
    } else {
        let xs: Vec<f64> = chart
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.0))
            .filter(|x| x.is_finite())
            .collect();
        let lo = xs.iter().copied().fold(0.0, f64::min);
        let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lo, if hi > lo { hi } else { lo + 1.0 })
    };
    // Only finite values set the range: one infinite or NaN figure must not
    // collapse the axis (or panic the drawing).
    let ys: Vec<f64> = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().filter_map(|p| p.1))
        .chain(chart.bands.iter().flat_map(|b| [b.y.0, b.y.1]))
        .chain(chart.lines.iter().map(|l| l.y))
        .filter(|y| y.is_finite())
        .collect();
    let y_hi = ys.iter().copied().fold(0.0, f64::max);
    let y_lo = ys.iter().copied().fold(0.0, f64::min);
    let y_top = if y_hi > 0.0 { y_hi * 1.12 } else { 1.0 };
    let y_bottom = y_lo * 1.12;
    let label_style = font(16.0, f, TEXT);
    // Category names are laid out before the chart is built: wrapped ones
    // need a taller label area. The slot width is the plot's (the area's
    // without the y labels) shared by the categories.
    let slot_px = ((f64::from(area.dim_in_pixel().0) - 100.0 * f) / (x_hi - x_lo)) as i32;
    let category_lines = category_labels(area, chart, slot_px, f);
    let extra_lines = category_lines
        .iter()
        .map(Vec::len)
        .max()
        .unwrap_or(1)
        .max(1)
        - 1;
    let mut cc = ChartBuilder::on(area)
        .x_label_area_size(px(
            if categorical {
                70.0 + LABEL_LINE * extra_lines as f64
            } else {
                60.0
            },
            f,
        ))
        .y_label_area_size(px(100.0, f))
        .build_cartesian_2d(x_lo..x_hi, y_bottom..y_top)
        .map_err(err)?;
    let y_fmt = chart.y_format;
    let x_fmt = chart.x_format.unwrap_or(ValueFormat::Count);
    let x_span = x_hi - x_lo;
    let y_formatter = move |v: &f64| tick(y_fmt, *v, y_top - y_bottom);
    let x_formatter = move |v: &f64| tick(x_fmt, *v, x_span);
    let mut mesh = cc.configure_mesh();
    mesh.disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID.stroke_width(1))
        .axis_style(MUTED)
        .y_labels(8)
        .y_label_formatter(&y_formatter)
        .label_style(label_style.clone())
        .axis_desc_style(font(19.0, f, TEXT))
        .x_desc(chart.x_label.clone())
        .y_desc(chart.y_label.clone());
    if categorical {
        mesh.x_labels(0);
    } else {
        mesh.x_labels(11).x_label_formatter(&x_formatter);
    }
    mesh.draw().map_err(err)?;

    // Bands first so bars and lines sit on top of them.
    for b in chart
        .bands
        .iter()
        .filter(|b| b.y.0.is_finite() && b.y.1.is_finite())
    {
        let (a, z) = b.x.unwrap_or((x_lo, x_hi));
        let c = rgb(b.color);
        cc.draw_series(std::iter::once(Rectangle::new(
            [(a, b.y.1), (z, b.y.0)],
            c.mix(0.18).filled(),
        )))
        .map_err(err)?;
        cc.draw_series(std::iter::once(Rectangle::new(
            [(a, b.y.1), (z, b.y.0)],
            c.mix(0.5).stroke_width(1),
        )))
        .map_err(err)?;
    }

    let bar_series: Vec<_> = chart
        .series
        .iter()
        .filter(|s| s.style == SeriesStyle::Bars)
        .collect();
    let k = bar_series.len().max(1) as f64;
    let slot = 0.78;
    let bar_w = slot / k;
    let total_bars: usize = bar_series
        .iter()
        .map(|s| s.points.iter().filter(|p| p.1.is_some()).count())
        .sum();
    let value_labels = total_bars <= 36;
    let base = area.get_base_pixel();
    for (i, s) in bar_series.iter().enumerate() {
        let c = rgb(s.color);
        for &(x, y) in s.points.iter().filter(|p| p.0.is_finite()) {
            let a = x - slot / 2.0 + bar_w * i as f64 + bar_w * 0.06;
            let z = a + bar_w * 0.88;
            let Some(y) = y.filter(|y| y.is_finite()) else {
                // A gap, marked so it does not read as a zero.
                if value_labels {
                    let (bx, by) = cc.backend_coord(&(f64::midpoint(a, z), 0.0));
                    area.draw(&Text::new(
                        "n/a",
                        (bx - base.0, by - base.1 - px(6.0, f)),
                        font(15.0, f, MUTED).pos(Pos::new(HPos::Center, VPos::Bottom)),
                    ))
                    .map_err(err)?;
                }
                continue;
            };
            cc.draw_series(std::iter::once(Rectangle::new(
                [(a, y), (z, 0.0)],
                c.filled(),
            )))
            .map_err(err)?;
            if value_labels {
                let (bx, by) = cc.backend_coord(&(f64::midpoint(a, z), y));
                area.draw(&Text::new(
                    chart.y_format.format(y),
                    (bx - base.0, by - base.1 - px(6.0, f)),
                    font(15.0, f, TEXT).pos(Pos::new(HPos::Center, VPos::Bottom)),
                ))
                .map_err(err)?;
            }
        }
    }
    for s in chart.series.iter().filter(|s| s.style == SeriesStyle::Line) {
        let c = rgb(s.color);
        let stroke = c.stroke_width(px(3.0, f).max(1) as u32);
        let present = s.points.iter().filter(|p| p.1.is_some()).count();
        for run in runs(&s.points) {
            cc.draw_series(LineSeries::new(run.clone(), stroke))
                .map_err(err)?;
            if present <= 60 {
                cc.draw_series(run.iter().map(|&p| Circle::new(p, px(5.0, f), c.filled())))
                    .map_err(err)?;
            }
        }
    }
    for l in chart.lines.iter().filter(|l| l.y.is_finite()) {
        let c = rgb(l.color);
        cc.draw_series(DashedLineSeries::new(
            vec![(x_lo, l.y), (x_hi, l.y)],
            px(10.0, f),
            px(6.0, f),
            c.stroke_width(px(2.0, f).max(1) as u32),
        ))
        .map_err(err)?;
        if !l.label.is_empty() {
            // A cumulative curve is flat near its top at the right end, so the
            // label sits there clear of it (at the left it crosses the line).
            let (lx, ly) = cc.backend_coord(&(x_hi, l.y));
            area.draw(&Text::new(
                l.label.clone(),
                (lx - base.0 - px(10.0, f), ly - base.1 - px(8.0, f)),
                font(16.0, f, c).pos(Pos::new(HPos::Right, VPos::Bottom)),
            ))
            .map_err(err)?;
        }
    }
    if categorical {
        draw_categories(area, &cc, &category_lines, f)?;
    }
    Ok(())
}

/// Height of a line of category labels, in points before scaling.
const LABEL_LINE: f64 = 19.0;

fn category_style(f: f64) -> TextStyle<'static> {
    font(16.0, f, TEXT).pos(Pos::new(HPos::Center, VPos::Top))
}

/// Each category's label lines for slots `slot_px` wide. A few categories
/// keep every label: names (groups, agents) wrap onto lines, others are
/// cut to the slot. Many keep one line each and are thinned out when
/// drawn.
fn category_labels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart,
    slot_px: i32,
    f: f64,
) -> Vec<Vec<String>> {
    let categories = &chart.categories;
    let style = category_style(f);
    let room = slot_px - px(14.0, f);
    let fits = |s: &str| {
        area.estimate_text_size(s, &style)
            .is_ok_and(|(w, _)| w as i32 <= room)
    };
    categories
        .iter()
        .map(|name| {
            if chart.wraps_labels() {
                wrap_label(name, 3, true, fits)
            } else if categories.len() > MAX_LABELLED {
                vec![name.clone()]
            } else {
                vec![cut_to_fit(name, fits)]
            }
        })
        .collect()
}

/// Category labels under the slots, thinned out when they would overlap.
fn draw_categories<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    cc: &ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    labels: &[Vec<String>],
    f: f64,
) -> Result<()> {
    if labels.is_empty() {
        return Ok(());
    }
    let style = category_style(f);
    let base = area.get_base_pixel();
    let slot_px = {
        let (a, _) = cc.backend_coord(&(0.0, 0.0));
        let (b, _) = cc.backend_coord(&(1.0, 0.0));
        (b - a).max(1)
    };
    let stride = if labels.len() <= MAX_LABELLED {
        1
    } else {
        let widest = labels
            .iter()
            .flatten()
            .map(|c| area.estimate_text_size(c, &style).map_or(0, |s| s.0 as i32))
            .max()
            .unwrap_or(0);
        ((widest + px(14.0, f)).max(1) as u32)
            .div_ceil(slot_px as u32)
            .max(1) as usize
    };
    for (i, lines) in labels.iter().enumerate().step_by(stride) {
        let (x, y) = cc.backend_coord(&(i as f64, 0.0));
        for (k, line) in lines.iter().enumerate() {
            area.draw(&Text::new(
                line.clone(),
                (x - base.0, y - base.1 + px(10.0 + LABEL_LINE * k as f64, f)),
                style.clone(),
            ))
            .map_err(err)?;
        }
    }
    Ok(())
}

/// `name`, cut with an ellipsis to at most `width` pixels.
fn fit<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    name: &str,
    style: &TextStyle<'_>,
    width: i32,
) -> String {
    cut_to_fit(name, |s| {
        area.estimate_text_size(s, style)
            .is_ok_and(|(w, _)| w as i32 <= width)
    })
}
