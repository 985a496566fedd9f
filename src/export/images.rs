//! Chart images rendered with plotters from the same [`Chart`] the screen draws.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::charts::Chart;

/// Which image formats to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Formats {
    Png,
    Svg,
    Both,
}

/// PNG bytes of a chart at `width` × `height` logical pixels, drawn at `scale` (2 for slides).
pub fn render_png(chart: &Chart, width: u32, height: u32, scale: u32) -> Result<Vec<u8>> {
    let _ = (chart, width, height, scale);
    bail!("image export is not available yet")
}

/// SVG text of a chart.
pub fn render_svg(chart: &Chart, width: u32, height: u32) -> Result<String> {
    let _ = (chart, width, height);
    bail!("image export is not available yet")
}

/// Writes every chart into `dir` as `<id>.png` / `<id>.svg`; returns the files written.
pub fn export_all(
    charts: &[Chart],
    dir: &Path,
    formats: Formats,
    width: u32,
    height: u32,
) -> Result<Vec<PathBuf>> {
    let _ = (charts, dir, formats, width, height);
    bail!("image export is not available yet")
}
