//! The one background thread that loads files, recomputes reports and
//! writes exports, so that the frame loop never waits on I/O or polars.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, OnceLock};

use crate::charts::Chart;
use crate::import::{ImportError, ImportOptions, ReportZone};
use crate::metrics::{Filters, Report, Settings};
use crate::session::Session;

/// What to load: a file or the built-in sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Sample,
    Path(PathBuf),
    /// Several files opened together, shown as one dashboard.
    Files(Vec<PathBuf>),
}

impl Source {
    /// Whether the source is a log that can be imported again with other
    /// options: not the sample, and not a saved report, whose table is
    /// stored as it was read. Reads the head of a file that may be a
    /// renamed report, so it runs on the worker.
    pub fn reimportable(&self) -> bool {
        match self {
            Source::Sample => false,
            Source::Path(p) => !looks_like_report(p),
            Source::Files(_) => true,
        }
    }

    pub fn label(&self) -> String {
        match self {
            Source::Sample => "Sample data".to_string(),
            Source::Path(p) => p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            ),
            Source::Files(paths) => format!("{} files", paths.len()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Png,
    Svg,
    /// PNG bytes decoded for the clipboard.
    Clipboard,
}

pub enum Job {
    Load {
        epoch: u64,
        source: Source,
        options: ImportOptions,
        settings: Settings,
    },
    Recompute {
        epoch: u64,
        session: Arc<Session>,
        settings: Settings,
        filters: Filters,
    },
    ExportChart {
        chart: Box<Chart>,
        kind: ImageKind,
        path: Option<PathBuf>,
        /// Logical width and height of the image.
        size: [u32; 2],
    },
    ExportAllCharts {
        charts: Vec<Chart>,
        dir: PathBuf,
        size: [u32; 2],
    },
    ExportData {
        session: Arc<Session>,
        dir: PathBuf,
    },
    SaveReport {
        session: Arc<Session>,
        path: PathBuf,
    },
}

/// Why a load failed: import errors keep their data for the mapping and
/// team dialogs.
pub enum LoadError {
    Import(ImportError),
    Other(String),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Import(e) => write!(f, "{e}"),
            LoadError::Other(m) => f.write_str(m),
        }
    }
}

pub enum Event {
    Loaded {
        epoch: u64,
        source: Source,
        session: Box<Session>,
        /// The source can be imported again with other options (see
        /// [`Source::reimportable`]).
        reimportable: bool,
    },
    LoadFailed {
        epoch: u64,
        source: Source,
        options: ImportOptions,
        error: LoadError,
    },
    Recomputed {
        epoch: u64,
        session: Box<Session>,
    },
    RecomputeFailed {
        epoch: u64,
        message: String,
    },
    /// An export or save finished; the message says where.
    Done(String),
    Failed(String),
    CopyImage(egui::ColorImage),
    /// A job stopped at a fault in Chatlens itself; what it said.
    Crashed(String),
}

/// The UI's end of the worker.
pub struct Worker {
    jobs: Sender<Job>,
    events: Receiver<Event>,
    /// Set on the first frame so the worker can wake the UI.
    ctx: Arc<OnceLock<egui::Context>>,
}

impl Worker {
    pub fn spawn() -> std::io::Result<Self> {
        let (jobs, job_rx) = channel::<Job>();
        let (event_tx, events) = channel::<Event>();
        let ctx: Arc<OnceLock<egui::Context>> = Arc::new(OnceLock::new());
        let wake = Arc::clone(&ctx);
        std::thread::Builder::new()
            .name("chatlens-worker".into())
            .spawn(move || {
                for job in job_rx {
                    let event = guarded(|| run(job));
                    if event_tx.send(event).is_err() {
                        break;
                    }
                    if let Some(ctx) = wake.get() {
                        ctx.request_repaint();
                    }
                }
            })?;
        Ok(Self { jobs, events, ctx })
    }

    pub fn attach(&self, ctx: &egui::Context) {
        let _ = self.ctx.set(ctx.clone());
    }

    /// False when the worker thread is gone (it panicked).
    pub fn send(&self, job: Job) -> bool {
        self.jobs.send(job).is_ok()
    }

    pub fn try_recv(&self) -> Option<Event> {
        self.events.try_recv().ok()
    }
}

/// Loads a source synchronously; the worker and the tests share it.
pub fn load(
    source: &Source,
    options: &ImportOptions,
    settings: &Settings,
) -> Result<Session, LoadError> {
    match source {
        Source::Sample => crate::session::sample_session(settings, &options.zone)
            .map_err(|e| LoadError::Other(format!("{e:#}"))),
        Source::Path(path) => {
            if looks_like_report(path) {
                let opened = crate::report_file::open(path)
                    .map_err(|e| LoadError::Other(format!("{e:#} ({})", path.display())))?;
                return Session::new(
                    opened.imported,
                    opened.settings,
                    opened.filters,
                    opened.zone,
                )
                .map_err(|e| LoadError::Other(format!("{e:#} ({})", path.display())));
            }
            // A file none of whose rows can be read comes back with its
            // columns, for the mapping dialog.
            let options = ImportOptions {
                nothing_kept_is_error: true,
                ..options.clone()
            };
            let imported = crate::import::import_path(path, &options).map_err(LoadError::Import)?;
            if let Some(message) = imported.report.nothing_kept() {
                return Err(LoadError::Other(message));
            }
            Session::new(imported, settings.clone(), Filters::default(), options.zone)
                .map_err(|e| LoadError::Other(format!("{e:#} ({})", path.display())))
        }
        Source::Files(paths) => {
            let imported =
                crate::import::import_paths(paths, options).map_err(LoadError::Import)?;
            if let Some(message) = imported.report.nothing_kept() {
                return Err(LoadError::Other(message));
            }
            Session::new(imported, settings.clone(), Filters::default(), options.zone)
                .map_err(|e| LoadError::Other(format!("{e:#} ({})", source.label())))
        }
    }
}

fn looks_like_report(path: &Path) -> bool {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("chatlens"))
    {
        return true;
    }
    // A renamed report is still recognised by its content.
    let mut head = [0u8; 4096];
    let Ok(mut f) = std::fs::File::open(path) else {
        return false;
    };
    let n = std::io::Read::read(&mut f, &mut head).unwrap_or(0);
    n >= 4 && head.starts_with(b"PK\x03\x04") && crate::report_file::is_report(&head[..n])
}

/// A new session with the same data and a fresh report. The prepared data
/// is shared, not copied: the UI keeps drawing the old session meanwhile,
/// and a settings change that needs new derived data makes its own.
pub fn recompute(s: &Session, settings: Settings, filters: Filters) -> anyhow::Result<Session> {
    let mut next = Session {
        imported: s.imported.clone(),
        prepared: s.prepared.clone(),
        settings: s.settings.clone(),
        filters: s.filters.clone(),
        zone: s.zone,
        report: Report::default(),
    };
    next.update(settings, filters)?;
    Ok(next)
}

fn result(what: String, r: anyhow::Result<()>) -> Event {
    match r {
        Ok(()) => Event::Done(what),
        Err(e) => Event::Failed(format!("{e:#}")),
    }
}

/// A job's answer, or [`Event::Crashed`] if it panicked: a fault in the
/// engine on some log must not take the worker with it, or the window
/// would wait for an answer forever.
fn guarded(job: impl FnOnce() -> Event) -> Event {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)).unwrap_or_else(|panic| {
        Event::Crashed(crate::import::reader_panic::panic_text(panic.as_ref()))
    })
}

fn run(job: Job) -> Event {
    match job {
        Job::Load {
            epoch,
            source,
            options,
            settings,
        } => match load(&source, &options, &settings) {
            Ok(session) => Event::Loaded {
                epoch,
                reimportable: source.reimportable(),
                source,
                session: Box::new(session),
            },
            Err(error) => Event::LoadFailed {
                epoch,
                source,
                options,
                error,
            },
        },
        Job::Recompute {
            epoch,
            session,
            settings,
            filters,
        } => match recompute(&session, settings, filters) {
            Ok(s) => Event::Recomputed {
                epoch,
                session: Box::new(s),
            },
            Err(e) => Event::RecomputeFailed {
                epoch,
                message: format!("{e:#}"),
            },
        },
        Job::ExportChart {
            chart,
            kind,
            path,
            size,
        } => export_chart(&chart, kind, path.as_deref(), size),
        Job::ExportAllCharts { charts, dir, size } => {
            let r = crate::export::images::export_all(
                &charts,
                &dir,
                crate::export::images::Formats::Both,
                size[0],
                size[1],
            );
            match r {
                Ok(files) => {
                    Event::Done(format!("Wrote {} files to {}", files.len(), dir.display()))
                }
                Err(e) => Event::Failed(format!("{e:#} ({})", dir.display())),
            }
        }
        Job::ExportData { session, dir } => {
            match crate::export::data::write_all(
                &session.report_with_import(),
                &session.prepared,
                &dir,
            ) {
                Ok(files) => {
                    Event::Done(format!("Wrote {} files to {}", files.len(), dir.display()))
                }
                Err(e) => Event::Failed(format!("{e:#} ({})", dir.display())),
            }
        }
        Job::SaveReport { session, path } => result(
            format!("Saved {}", path.display()),
            crate::report_file::save(&session, &path)
                .map_err(|e| e.context(path.display().to_string())),
        ),
    }
}

fn export_chart(
    chart: &Chart,
    kind: ImageKind,
    path: Option<&Path>,
    [width, height]: [u32; 2],
) -> Event {
    let r = match (kind, path) {
        (ImageKind::Png, Some(p)) => crate::export::images::render_png(chart, width, height, 2)
            .and_then(|b| crate::fsutil::write_bytes_atomic(p, &b)),
        (ImageKind::Svg, Some(p)) => crate::export::images::render_svg(chart, width, height)
            .and_then(|s| crate::fsutil::write_bytes_atomic(p, s.as_bytes())),
        (ImageKind::Clipboard, _) => {
            return match crate::export::images::render_png(chart, width, height, 1)
                .and_then(|b| Ok(image::load_from_memory(&b)?.to_rgba8()))
            {
                Ok(img) => Event::CopyImage(egui::ColorImage::from_rgba_unmultiplied(
                    [img.width() as usize, img.height() as usize],
                    img.as_raw(),
                )),
                Err(e) => Event::Failed(format!("Copy image: {e:#}")),
            };
        }
        (_, None) => return Event::Failed("no file was chosen".into()),
    };
    match (r, path) {
        (Ok(()), Some(p)) => Event::Done(format!("Wrote {}", p.display())),
        (Err(e), Some(p)) => Event::Failed(format!("{e:#} ({})", p.display())),
        (_, None) => Event::Failed("no file was chosen".into()),
    }
}

/// A native file dialog on its own short-lived thread: the dialog blocks
/// its thread, never the frame loop. The answer arrives on the receiver.
pub fn dialog(
    ctx: &egui::Context,
    make: impl FnOnce() -> Option<PathBuf> + Send + 'static,
) -> Receiver<Option<PathBuf>> {
    let (tx, rx) = channel();
    let ctx = ctx.clone();
    let spawned = std::thread::Builder::new()
        .name("chatlens-dialog".into())
        .spawn(move || {
            let _ = tx.send(make());
            ctx.request_repaint();
        });
    if spawned.is_err() {
        // The receiver then reports a closed channel, which reads as "cancelled".
    }
    rx
}

/// The zone a load uses.
pub fn zone_or_system(name: &str) -> ReportZone {
    ReportZone::from_name(name).unwrap_or_else(ReportZone::system)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_that_panics_is_answered_not_lost() {
        match guarded(|| panic!("boom at row 7")) {
            Event::Crashed(why) => assert_eq!(why, "boom at row 7"),
            _ => panic!("expected Crashed"),
        }
        let n = 3;
        match guarded(|| panic!("{n} rows")) {
            Event::Crashed(why) => assert_eq!(why, "3 rows"),
            _ => panic!("expected Crashed"),
        }
        assert!(matches!(
            guarded(|| Event::Done("ok".into())),
            Event::Done(_)
        ));
    }
}
