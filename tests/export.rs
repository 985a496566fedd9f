//! Chart images and data files: every chart renders to a decodable,
//! non-blank PNG and a parseable SVG; CSVs are safe to open in a spreadsheet.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use chatlens::charts::{Chart, all_charts};
use chatlens::export::data;
use chatlens::export::images::{Formats, export_all, render_png, render_svg};
use chatlens::import::{ImportOptions, ReportZone, import_bytes};
use chatlens::metrics::{Filters, Report, Settings};
use chatlens::session::Session;

fn sample_session() -> Session {
    let df = chatlens::sample::generate(200, 1);
    session_of(&chatlens::sample::csv_bytes(&df).unwrap())
}

fn session_of(csv: &[u8]) -> Session {
    let imported = import_bytes(csv, "s.csv", "s.csv", &ImportOptions::default()).unwrap();
    Session::new(
        imported,
        Settings::default(),
        Filters::default(),
        ReportZone::utc(),
    )
    .unwrap()
}

/// Mean squared deviation of the grey level: 0 for a blank image.
fn variance(png: &[u8]) -> f64 {
    let img = image::load_from_memory(png).unwrap().to_luma8();
    let px: Vec<f64> = img.pixels().map(|p| f64::from(p.0[0])).collect();
    let mean = px.iter().sum::<f64>() / px.len() as f64;
    px.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / px.len() as f64
}

/// The text nodes of an SVG (plotters writes each on its own line).
fn texts(svg: &str) -> Vec<&str> {
    svg.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('<'))
        .collect()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A minimal well-formedness check: one `<svg …>` root closed at the end,
/// balanced angle brackets, and the title as a text node.
fn assert_svg(svg: &str, chart: &Chart) {
    let body = svg.trim();
    let start = body.trim_start_matches(|c| c != '<');
    assert!(
        start.starts_with("<svg") || start.starts_with("<?xml"),
        "{}: SVG does not start with <svg",
        chart.id
    );
    assert!(body.contains("<svg"), "{}: no <svg element", chart.id);
    assert!(body.ends_with("</svg>"), "{}: SVG not closed", chart.id);
    assert_eq!(
        body.matches('<').count(),
        body.matches('>').count(),
        "{}: unbalanced tags",
        chart.id
    );
    assert!(
        body.contains(&xml_escape(&chart.title)) || body.contains(&chart.title),
        "{}: title {:?} missing from the SVG",
        chart.id,
        chart.title
    );
}

#[test]
fn every_chart_renders_png_and_svg() {
    let s = sample_session();
    let charts = all_charts(&s.report);
    assert!(!charts.is_empty());
    for chart in &charts {
        let png = render_png(chart, 400, 225, 2).unwrap();
        let img = image::load_from_memory(&png).unwrap();
        assert_eq!((img.width(), img.height()), (800, 450), "{}", chart.id);
        assert!(variance(&png) > 50.0, "{} looks blank", chart.id);
        let svg = render_svg(chart, 800, 450).unwrap();
        assert_svg(&svg, chart);
    }
}

#[test]
fn default_size_png_is_twice_for_slides() {
    let s = sample_session();
    let charts = all_charts(&s.report);
    let chart = charts.iter().find(|c| c.id == "flow-weekly").unwrap();
    let png = render_png(chart, 1600, 900, 2).unwrap();
    let img = image::load_from_memory(&png).unwrap();
    assert_eq!((img.width(), img.height()), (3200, 1800));
}

#[test]
fn percent_axes_read_as_percent() {
    let s = sample_session();
    let charts = all_charts(&s.report);
    let chart = charts.iter().find(|c| c.id == "followup-decay").unwrap();
    let svg = render_svg(chart, 1600, 900).unwrap();
    let t = texts(&svg);
    assert!(t.contains(&"0%") && t.contains(&"10%"), "no % ticks: {t:?}");
}

#[test]
fn the_heatmap_scales_to_cells_with_enough_touches_and_says_so() {
    let s = sample_session();
    let charts = all_charts(&s.report);
    let chart = charts.iter().find(|c| c.id == "response-heatmap").unwrap();
    let hm = chart.heatmap.as_ref().unwrap();
    let svg = render_svg(chart, 1600, 900).unwrap();
    let t = texts(&svg);
    assert!(t.contains(&"Under 10 touches"), "{t:?}");
    // The legend's top is the best cell with ten touches or more.
    let top = format!("{:.0}%", hm.scale_max() * 100.0);
    assert!(t.contains(&top.as_str()), "{top} in {t:?}");
    let best_thin = (0..7)
        .flat_map(|r| (0..24).map(move |c| (r, c)))
        .filter(|&(r, c)| hm.is_thin(r, c))
        .filter_map(|(r, c)| hm.values[r][c])
        .fold(0.0, f64::max);
    assert!(
        best_thin > hm.scale_max(),
        "the sample has noisy night cells"
    );
}

#[test]
fn empty_chart_says_no_data() {
    let charts = all_charts(&Report::default());
    let chart = charts.iter().find(|c| c.id == "flow-weekly").unwrap();
    assert!(chart.is_empty());
    let svg = render_svg(chart, 800, 450).unwrap();
    assert!(svg.contains("No data for this period"));
    assert_svg(&svg, chart);
    let png = render_png(chart, 400, 225, 1).unwrap();
    assert!(variance(&png) > 1.0);
}

#[test]
fn a_log_without_value_or_outcomes_has_no_pareto_curve() {
    let s = session_of(
        b"timestamp,conversation_id,direction\n2024-03-04 10:00,a,out\n2024-03-04 10:05,a,in\n",
    );
    assert!(s.report.outcomes.pareto.total_value.abs() < f64::EPSILON);
    let charts = all_charts(&s.report);
    let pareto = charts.iter().find(|c| c.id == "pareto").unwrap();
    assert!(pareto.is_empty());
    let svg = render_svg(pareto, 800, 450).unwrap();
    assert!(svg.contains("No data for this period"));
    // With value, the curve is drawn.
    let s = sample_session();
    let charts = all_charts(&s.report);
    assert!(!charts.iter().find(|c| c.id == "pareto").unwrap().is_empty());
}

#[test]
fn missing_values_are_gaps_not_zeros() {
    let s = sample_session();
    let mut chart = all_charts(&s.report)
        .into_iter()
        .find(|c| c.id == "slot-response")
        .unwrap();
    chart.series[0].points[1].1 = None;
    let svg = render_svg(&chart, 800, 450).unwrap();
    let t = texts(&svg);
    assert!(t.contains(&"n/a"), "a missing bar is not marked");
    assert!(!t.contains(&"0.0%"), "a missing bar is drawn as zero");
}

#[test]
fn every_group_keeps_its_whole_name_under_its_bar() {
    // Twelve groups whose names differ only at the end, too long for a
    // slot on one line: each is wrapped, none cut or left out.
    let mut log = String::from("timestamp,conversation_id,direction,chat_type\n");
    for g in 1..=12 {
        for m in 0..3 {
            let direction = if m == 0 { "out" } else { "in" };
            writeln!(
                log,
                "2024-03-04 10:{m:02},Community Events Team {g},{direction},group"
            )
            .unwrap();
        }
    }
    let s = session_of(log.as_bytes());
    let charts = all_charts(&s.report);
    let chart = charts.iter().find(|c| c.id == "groups").unwrap();
    assert_eq!(chart.categories.len(), 12);
    let svg = render_svg(chart, 1000, 560).unwrap();
    let t = texts(&svg);
    assert!(!t.iter().any(|l| l.contains('…')), "a name was cut: {t:?}");
    for g in 1..=12 {
        let end = format!("Team {g}");
        assert!(
            t.iter().any(|l| l.ends_with(&end)),
            "no label ends with {end}: {t:?}"
        );
    }
    // The names did need wrapping: no line holds a whole one.
    assert!(!t.iter().any(|l| l.starts_with("Community Events Team")));
}

#[test]
fn bad_sizes_are_refused() {
    let s = sample_session();
    let charts = all_charts(&s.report);
    assert!(render_png(&charts[0], 0, 900, 2).is_err());
    assert!(render_png(&charts[0], 100_000, 900, 2).is_err());
}

#[test]
fn export_all_writes_one_file_per_chart_and_format() {
    let s = sample_session();
    let charts = all_charts(&s.report);
    let dir = tempfile::tempdir().unwrap();
    let written = export_all(&charts, dir.path(), Formats::Both, 320, 180).unwrap();
    assert_eq!(written.len(), charts.len() * 2);
    for c in &charts {
        assert!(dir.path().join(format!("{}.png", c.id)).is_file());
        assert!(dir.path().join(format!("{}.svg", c.id)).is_file());
    }
}

#[test]
fn csv_cells_that_look_like_formulas_are_escaped() {
    assert_eq!(data::escape("=SUM(A1)"), "'=SUM(A1)");
    assert_eq!(data::escape("+1"), "'+1");
    assert_eq!(data::escape("-x"), "'-x");
    assert_eq!(data::escape("@cmd"), "'@cmd");
    assert_eq!(data::escape("\tx"), "'\tx");
    assert_eq!(data::escape("\rx"), "'\rx");
    assert_eq!(data::escape("plain"), "plain");
}

fn read_csv(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{feff}').expect("no BOM");
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn data_files() {
    let s = sample_session();
    let mut report = s.report_with_import();
    let dir = tempfile::tempdir().unwrap();
    let written = data::write_all(&report, &s.prepared, dir.path()).unwrap();
    assert_eq!(written.len(), 4);

    let conv = std::fs::read_to_string(dir.path().join("conversations.csv")).unwrap();
    let rows = read_csv(&conv);
    assert_eq!(rows.len(), report.conversations.len());
    assert!(!rows.is_empty());
    // ISO 8601 in the report zone.
    assert!(rows[0][8].contains('T') && rows[0][8].ends_with("+00:00"));

    let figures = std::fs::read_to_string(dir.path().join("figures.csv")).unwrap();
    let rows = read_csv(&figures);
    assert!(rows.iter().any(|r| r[0] == "direct.conversations"));
    assert!(rows.iter().any(|r| r[0] == "agents.0.agent"));
    assert!(
        rows.iter()
            .any(|r| r[0].starts_with("timing.heatmap.touches.0."))
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("figures.json")).unwrap())
            .unwrap();
    assert_eq!(json["direct"]["conversations"], report.direct.conversations);

    let offenders = std::fs::read_to_string(dir.path().join("offenders.csv")).unwrap();
    let n: usize = report.red_flags.iter().map(|f| f.offenders.len()).sum();
    assert_eq!(read_csv(&offenders).len(), n);

    // User text that would run as a formula is escaped in every file.
    let evil = session_of(
        "timestamp,conversation_id,direction,contact_id,agent\n\
         2024-01-01 09:00,=SUM(A1),outbound,+1 555,@bob\n"
            .as_bytes(),
    );
    let conv = data::conversations_csv(&evil.report, &evil.prepared).unwrap();
    let row = &read_csv(&conv)[0];
    assert_eq!(
        &row[..5],
        ["'=SUM(A1)", "direct", "'+1 555", "Unknown", "'@bob"]
    );
    let id = report.red_flags[0].id;
    report.red_flags[0].offenders = vec!["@evil".into()];
    let one = data::offenders_csv(&report, id).unwrap();
    assert_eq!(read_csv(&one), vec![vec![id.to_string(), "'@evil".into()]]);
    assert!(data::offenders_csv(&report, "no_such_flag").is_err());
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_chatlens"))
}

fn sample_file(dir: &Path) -> std::path::PathBuf {
    let out = dir.join("s.csv");
    let st = bin()
        .args(["sample", "--conversations", "200", "--seed", "1", "--out"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(st.success());
    out
}

#[test]
fn cli_export_writes_one_png_per_chart() {
    let dir = tempfile::tempdir().unwrap();
    let file = sample_file(dir.path());
    let out_dir = dir.path().join("charts");
    let out = bin()
        .arg("export")
        .arg(&file)
        .arg("--out")
        .arg(&out_dir)
        .args(["--width", "320", "--height", "180", "--tz", "UTC", "--data"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8(out.stdout).unwrap();
    let s = sample_session();
    let charts = all_charts(&s.report);
    for c in &charts {
        let p = out_dir.join(format!("{}.png", c.id));
        assert!(p.is_file(), "{} missing", p.display());
        assert!(printed.contains(&p.display().to_string()));
        let img = image::open(&p).unwrap();
        assert_eq!((img.width(), img.height()), (640, 360));
    }
    assert_eq!(printed.lines().count(), charts.len() + 4);
    assert!(out_dir.join("conversations.csv").is_file());
    let pngs = std::fs::read_dir(&out_dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "png")
        })
        .count();
    assert_eq!(pngs, charts.len());
}

#[test]
fn cli_export_svg_only() {
    let dir = tempfile::tempdir().unwrap();
    let file = sample_file(dir.path());
    let out_dir = dir.path().join("svg");
    let out = bin()
        .arg("export")
        .arg(&file)
        .arg("--out")
        .arg(&out_dir)
        .args(["--format", "svg", "--tz", "UTC"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out_dir.join("pareto.svg").is_file());
    assert!(!out_dir.join("pareto.png").exists());
}

#[cfg(unix)]
#[test]
fn exported_files_are_ordinary_documents_not_private_temp_files() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.csv");
    chatlens::fsutil::write_bytes_atomic(&path, b"a\n").unwrap();
    let plain = dir.path().join("plain.csv");
    std::fs::write(&plain, b"a\n").unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    // The same mode as any file the user creates (0666 less the umask).
    assert_eq!(mode(&path), mode(&plain));
}

#[test]
fn odd_chart_descriptions_render_without_panicking() {
    use chatlens::charts::{Band, ChartSeries, HeatmapData, RefLine, Rgb, SeriesStyle};
    let s = sample_session();
    let mut charts = all_charts(&s.report);
    let base = charts.iter().find(|c| c.id == "segments").unwrap().clone();

    let mut odd = base.clone();
    odd.title = "A very long title ".repeat(20);
    odd.categories = (0..300).map(|i| format!("Category number {i}")).collect();
    odd.series = vec![ChartSeries {
        name: "Odd".into(),
        style: SeriesStyle::Bars,
        color: Rgb(1, 2, 3),
        points: (0..300)
            .map(|i| match i % 4 {
                0 => (f64::from(i), Some(f64::NAN)),
                1 => (f64::from(i), Some(f64::INFINITY)),
                2 => (f64::from(i), Some(-0.3)),
                _ => (f64::from(i), None),
            })
            .collect(),
        based_on: Vec::new(),
    }];
    odd.bands.push(Band {
        label: "NaN band".into(),
        x: None,
        y: (f64::NAN, 1.0),
        color: Rgb(0, 0, 0),
    });
    odd.lines.push(RefLine {
        label: "inf".into(),
        y: f64::INFINITY,
        color: Rgb(0, 0, 0),
    });
    let mut line = odd.clone();
    line.series[0].style = SeriesStyle::Line;
    line.x_format = Some(chatlens::charts::ValueFormat::Percent);

    let mut heat = charts
        .iter()
        .find(|c| c.id == "response-heatmap")
        .unwrap()
        .clone();
    heat.heatmap = Some(HeatmapData {
        rows: vec!["only".into()],
        columns: vec![],
        values: vec![vec![Some(f64::NAN), Some(0.5)], vec![Some(1.0)]],
        counts: vec![],
    });
    charts = vec![odd, line, heat];
    for c in &charts {
        render_png(c, 320, 180, 1).unwrap();
        let svg = render_svg(c, 320, 180).unwrap();
        assert!(svg.trim_end().ends_with("</svg>"));
    }
}
