//! Chatlens: a team's customer-messaging log turned into a dashboard.
//!
//! `import` reads any supported file into the canonical message table,
//! `metrics` computes every figure of the metric contract from it, and the
//! app, the exports and the CLI are views of those results. `dictionary`
//! codes text and enum columns for both.

pub mod benchmarks;
pub mod charts;
pub mod cli;
pub mod dictionary;
pub mod export;
pub mod format;
pub mod fsutil;
pub mod import;
pub mod metrics;
pub mod platform;
pub mod report_file;
pub mod sample;
pub mod session;
pub mod text_report;
pub mod ui;
