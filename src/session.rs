//! A loaded log with its derived data and current report: what the app
//! shows and what the headless commands print.

use std::sync::Arc;

use anyhow::{Context, Result};

use crate::import::{Imported, ReportZone};
use crate::metrics::{Filters, Prepared, Report, Settings, compute, prepare::prepare};

pub struct Session {
    pub imported: Imported,
    /// Shared between a session and the one a filter change makes from it:
    /// only a change of the derivation settings makes a new one.
    pub prepared: Arc<Prepared>,
    pub settings: Settings,
    pub filters: Filters,
    pub zone: ReportZone,
    pub report: Report,
}

impl Session {
    pub fn new(
        imported: Imported,
        settings: Settings,
        filters: Filters,
        zone: ReportZone,
    ) -> Result<Self> {
        let prepared = Arc::new(prepare_table(&imported.table, &settings)?);
        let report = compute(&prepared, &settings, &filters, &zone);
        Ok(Self {
            imported,
            prepared,
            settings,
            filters,
            zone,
            report,
        })
    }

    /// Recomputes after a filter or settings change; re-derives touches only
    /// when a setting they depend on changed.
    pub fn update(&mut self, settings: Settings, filters: Filters) -> Result<()> {
        if settings.derivation_key() != self.settings.derivation_key() {
            self.prepared = Arc::new(prepare(&self.imported.table, &settings)?);
        }
        self.settings = settings;
        self.filters = filters;
        self.give_back_rows();
        self.report = compute(&self.prepared, &self.settings, &self.filters, &self.zone);
        Ok(())
    }

    /// The report's conversation rows go back to the prepared data for the
    /// next computation to fill.
    fn give_back_rows(&mut self) {
        let rows = std::mem::take(&mut self.report.conversations);
        self.prepared.spare.give_conversation_rows(rows);
    }

    /// The report with the import report attached, as `report --json` prints it.
    pub fn report_with_import(&self) -> Report {
        let mut r = self.report.clone();
        r.import = Some(self.imported.report.clone());
        r
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.give_back_rows();
    }
}

fn prepare_table(table: &polars::prelude::DataFrame, settings: &Settings) -> Result<Prepared> {
    prepare(table, settings).context("the message table is missing a required column")
}

/// The figures of a log computed once, for a command that prints or
/// exports them and ends.
pub struct Once {
    pub prepared: Prepared,
    /// With the import report attached, as `report --json` prints it.
    pub report: Report,
}

impl Once {
    /// Lets go of the table as soon as it is prepared: nothing reads it
    /// after that, and the peak is then the prepared data and the figures
    /// rather than those and the table.
    pub fn compute(
        imported: Imported,
        settings: &Settings,
        filters: &Filters,
        zone: &ReportZone,
    ) -> Result<Self> {
        let Imported { table, report } = imported;
        let prepared = prepare_table(&table, settings)?;
        // Freed beside the figures, which then need not wait for it.
        let freeing = std::thread::spawn(move || drop(table));
        let mut figures = compute(&prepared, settings, filters, zone);
        figures.import = Some(report);
        let _ = freeing.join();
        Ok(Self {
            prepared,
            report: figures,
        })
    }
}

/// Conversations in the built-in sample.
pub const SAMPLE_CONVERSATIONS: usize = 1_500;

/// The built-in demo data, imported like any user file.
pub fn sample_session(settings: &Settings, zone: &ReportZone) -> Result<Session> {
    let df = crate::sample::generate(SAMPLE_CONVERSATIONS, 7);
    let bytes = crate::sample::csv_bytes(&df)?;
    let opts = crate::import::ImportOptions {
        zone: *zone,
        ..crate::import::ImportOptions::default()
    };
    let imported = crate::import::import_bytes(&bytes, "Sample data.csv", "Sample data", &opts)?;
    Session::new(imported, settings.clone(), Filters::default(), *zone)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The headless commands' figures are the app's, with the import
    /// report the app shows beside them.
    #[test]
    fn figures_once_are_the_sessions() {
        let zone = ReportZone::utc();
        let session = sample_session(&Settings::default(), &zone).unwrap();
        let filters = Filters {
            segments: vec!["SMB".into()],
            ..Filters::default()
        };
        let filtered = Session::new(
            session.imported.clone(),
            Settings::default(),
            filters.clone(),
            zone,
        )
        .unwrap();
        for (session, filters) in [(&session, Filters::default()), (&filtered, filters)] {
            let once = Once::compute(
                session.imported.clone(),
                &Settings::default(),
                &filters,
                &zone,
            )
            .unwrap();
            let json = |r: &Report| serde_json::to_string(r).unwrap();
            assert_eq!(json(&once.report), json(&session.report_with_import()));
            assert!(once.report.import.is_some());
            assert_eq!(
                once.prepared.conversations.len(),
                session.prepared.conversations.len()
            );
        }
    }
}
