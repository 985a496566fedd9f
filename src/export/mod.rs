//! Exports: chart images (PNG, SVG) and data files (JSON, CSV).

pub mod data;
pub mod images;
