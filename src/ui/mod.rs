//! The desktop app: state, the frame loop and the commands it runs.
//!
//! Loading and computing happen on one worker thread ([`worker`]); the frame
//! loop only polls its answers and draws what the engine produced.

pub mod dialogs;
pub mod panels;
pub mod plot;
pub mod worker;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::time::Instant;

use chrono::NaiveDate;
use egui::{Key, KeyboardShortcut, Modifiers};
use serde::{Deserialize, Serialize};

use crate::charts::Chart;
use crate::import::{DateOrder, ImportError, ImportOptions, Progress, ReportZone};
use crate::metrics::{ChatType, Filters, Settings, shift_days};
use crate::session::Session;
use worker::{Event, ImageKind, Job, LoadError, Source, Worker};

pub const OPEN: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::O);
pub const SAVE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::S);
pub const QUIT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Q);
/// Back from an offender list or a timeline, as a browser goes back.
pub const BACK: KeyboardShortcut = KeyboardShortcut::new(Modifiers::ALT, Key::ArrowLeft);

const RECENT_MAX: usize = 8;

/// What survives a restart.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Persisted {
    pub settings: Settings,
    /// IANA name; empty means the system zone.
    pub zone: String,
    pub recent: Vec<PathBuf>,
    /// Size of exported chart images in logical pixels (PNGs are drawn at 2×).
    pub image_size: [u32; 2],
    /// Column mappings chosen in the mapping dialog, most recent first: a
    /// file with the same columns (next week's export) opens with them.
    pub mappings: Vec<RememberedMapping>,
    /// The team last ticked, ticked again in the next team list.
    pub team: Vec<String>,
}

/// A mapping chosen for files with these columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RememberedMapping {
    pub headers: Vec<String>,
    /// Canonical name → column; "" for a field the file does not have.
    pub choice: Vec<(String, String)>,
    /// The team ticked among the senders, when the file has no direction.
    pub team: Option<Vec<String>>,
    /// The direction column in words of its own and its values ticked as
    /// sent.
    #[serde(default)]
    pub outbound: Option<(String, Vec<String>)>,
}

/// Mappings kept between runs.
const MAPPINGS_MAX: usize = 20;

/// Whether two files have the same columns, in whatever order: an export
/// whose columns moved maps as before, as the mapping names them.
fn same_columns(a: &[String], b: &[String]) -> bool {
    let sorted = |v: &[String]| {
        let mut v = v.to_vec();
        v.sort();
        v
    };
    a.len() == b.len() && sorted(a) == sorted(b)
}

impl Default for Persisted {
    fn default() -> Self {
        Self {
            settings: Settings::default(),
            zone: String::new(),
            recent: Vec::new(),
            mappings: Vec::new(),
            team: Vec::new(),
            image_size: [
                crate::export::images::DEFAULT_WIDTH,
                crate::export::images::DEFAULT_HEIGHT,
            ],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum View {
    Overview,
    Flow,
    Followups,
    Timing,
    Segments,
    Groups,
    Quality,
    Outcomes,
    Compare,
    Agents,
}

impl View {
    pub const ALL: [View; 10] = [
        View::Overview,
        View::Flow,
        View::Followups,
        View::Timing,
        View::Segments,
        View::Groups,
        View::Quality,
        View::Outcomes,
        View::Compare,
        View::Agents,
    ];

    /// Alt+1 to Alt+9, then Alt+0: the views in the sidebar's order (Ctrl+0
    /// is egui's zoom reset).
    pub fn shortcut(self) -> KeyboardShortcut {
        const KEYS: [Key; 10] = [
            Key::Num1,
            Key::Num2,
            Key::Num3,
            Key::Num4,
            Key::Num5,
            Key::Num6,
            Key::Num7,
            Key::Num8,
            Key::Num9,
            Key::Num0,
        ];
        let k = View::ALL.iter().position(|&v| v == self).unwrap_or(0);
        KeyboardShortcut::new(Modifiers::ALT, KEYS[k])
    }

    pub fn label(self) -> &'static str {
        match self {
            View::Overview => "Overview",
            View::Flow => "Flow",
            View::Followups => "Follow-ups",
            View::Timing => "Timing",
            View::Segments => "Segments",
            View::Groups => "Groups",
            View::Quality => "Quality",
            View::Outcomes => "Outcomes",
            View::Compare => "Compare",
            View::Agents => "Agents",
        }
    }

    /// The hidden `CHATLENS_VIEW` start-up hook (screenshots) names views in lower case.
    pub fn from_name(name: &str) -> Option<Self> {
        let n = name.trim().to_ascii_lowercase().replace('-', "");
        Self::ALL
            .into_iter()
            .find(|v| v.label().to_ascii_lowercase().replace('-', "") == n)
    }
}

/// A drill-down step on top of the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    Offenders { flag: &'static str },
    Timeline { conv: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Last7,
    Last30,
    Last90,
    All,
    Custom,
}

impl Period {
    pub fn label(self) -> &'static str {
        match self {
            Period::Last7 => "Last 7 days",
            Period::Last30 => "Last 30 days",
            Period::Last90 => "Last 90 days",
            Period::All => "All data",
            Period::Custom => "Custom…",
        }
    }
}

/// The filter controls as the user set them.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterUi {
    pub period: Period,
    pub custom_from: String,
    pub custom_to: String,
    pub chat_type: Option<ChatType>,
    pub segments: Vec<String>,
    pub agents: Vec<String>,
}

impl FilterUi {
    /// The controls that reproduce a session's filters. A period becomes a
    /// custom from–to range of local dates (`to` is shown inclusive).
    fn describing(session: &Session) -> Self {
        let f = &session.filters;
        let mut ui = Self {
            chat_type: f.chat_type,
            segments: f.segments.clone(),
            agents: f.agents.clone(),
            ..Self::default()
        };
        if f.from.is_some() || f.to.is_some() {
            let meta = &session.report.meta;
            let from = f.from.unwrap_or(meta.from_ms);
            let to = f.to.unwrap_or(meta.to_ms);
            ui.period = Period::Custom;
            ui.custom_from = session
                .zone
                .local(from)
                .date()
                .format("%Y-%m-%d")
                .to_string();
            ui.custom_to = session
                .zone
                .local(to - 1)
                .date()
                .format("%Y-%m-%d")
                .to_string();
        }
        ui
    }
}

impl Default for FilterUi {
    fn default() -> Self {
        Self {
            period: Period::All,
            custom_from: String::new(),
            custom_to: String::new(),
            chat_type: None,
            segments: Vec::new(),
            agents: Vec::new(),
        }
    }
}

pub struct Loading {
    pub label: String,
    pub progress: Arc<Progress>,
    pub started: Instant,
    pub recompute: bool,
}

/// Where a native dialog's answer goes.
#[derive(Debug, Clone, Copy)]
pub enum Pick {
    Open,
    SaveReport,
    ExportChart { id: &'static str, kind: ImageKind },
    ExportAll,
    ExportData,
}

/// Columns the mapping dialog offers.
pub struct MappingDialog {
    pub source: Source,
    pub options: ImportOptions,
    pub headers: Vec<String>,
    pub preview: Vec<Vec<String>>,
    /// Why the dialog opened: the column that is missing, or why no row
    /// could be read.
    pub why: String,
    /// canonical name → chosen header ("" = not mapped).
    pub choice: Vec<(crate::import::Canonical, String)>,
    /// Without a direction column: the sender column's header and its
    /// senders, each ticked when they write for the team.
    pub team: Option<(String, TeamChoice)>,
    /// Fields the import mapped to a column of the file by itself.
    guessed: Vec<crate::import::Canonical>,
    /// The date and time columns that stand in for a timestamp column
    /// while the timestamp field is left empty.
    pub date_time: Option<(String, String)>,
    /// The message id and reply-to columns whose chains of replies stand
    /// in for a conversation column while that field is left empty.
    pub reply_chains: Option<(String, String)>,
    /// The direction column's values when some are not inbound/outbound
    /// words, each ticked when it means outbound.
    pub direction_values: Option<(String, TeamChoice)>,
    /// The values ticked as sent when a file with these columns was mapped
    /// before, and their column: used again while that column is chosen.
    pub remembered_outbound: Option<(String, Vec<String>)>,
}

impl MappingDialog {
    fn new(
        source: Source,
        options: ImportOptions,
        why: String,
        columns: crate::import::FileColumns,
    ) -> Self {
        let choice = dialogs::mapping_choices(&columns.headers, &columns.guesses);
        let date_time = columns
            .guesses
            .get("date")
            .zip(columns.guesses.get("time"))
            .map(|(d, t)| (d.clone(), t.clone()));
        let reply_chains = columns
            .guesses
            .get("message_id")
            .zip(columns.guesses.get("reply_to"))
            .map(|(id, reply)| (id.clone(), reply.clone()));
        Self {
            date_time,
            reply_chains,
            guessed: choice
                .iter()
                .filter(|(_, h)| !h.is_empty())
                .map(|(c, _)| *c)
                .collect(),
            choice,
            source,
            options,
            headers: columns.headers,
            preview: columns.preview,
            why,
            team: columns.senders.map(unticked),
            direction_values: columns.direction_values.map(unticked),
            remembered_outbound: None,
        }
    }
}

/// A column's values to tick, none ticked yet.
fn unticked((column, values): (String, Vec<crate::import::Participant>)) -> (String, TeamChoice) {
    (
        column,
        values
            .into_iter()
            .map(|p| (p.name, p.messages, false))
            .collect(),
    )
}

/// People to tick as the team: each name, its messages, and whether it is
/// ticked.
pub type TeamChoice = Vec<(String, u64, bool)>;

pub struct TeamDialog {
    pub source: Source,
    pub options: ImportOptions,
    pub participants: TeamChoice,
}

pub struct ChatlensApp {
    pub persisted: Persisted,
    worker: Worker,
    epoch: u64,
    pub session: Option<Arc<Session>>,
    pub source: Source,
    pub charts: Vec<Chart>,
    pub loading: Option<Loading>,
    pub error: Option<String>,
    pub notice: Option<String>,
    pub view: View,
    pub stack: Vec<Screen>,
    pub filter_ui: FilterUi,
    /// The filters of the last request, to notice changes.
    applied: FilterUi,
    pub mapping: Option<MappingDialog>,
    /// The mapping being tried and its file: remembered once it opens.
    pending_mapping: Option<(Source, RememberedMapping)>,
    /// How the file being loaded is read, and how the one shown was: a new
    /// time zone reads it again with the same mapping and team.
    loading_options: Option<ImportOptions>,
    shown_options: Option<ImportOptions>,
    /// The log shown can be imported again with other options: not the
    /// sample, not a saved report (whose table is stored as read).
    reimportable: bool,
    pub team: Option<TeamDialog>,
    pub show_import_report: bool,
    pub show_settings: bool,
    /// Help → Figures explained.
    pub show_figures_help: bool,
    /// Help → About Chatlens.
    pub show_about: bool,
    pub settings_draft: Settings,
    pub zone_draft: String,
    /// The file dialog open, when it was opened, and its answer to come.
    pick: Option<(Pick, Instant, Receiver<Option<PathBuf>>)>,
    pub list_sort: (usize, bool),
    /// The offender list on screen, built off the frame.
    pub offender_list: Option<panels::OffenderList>,
    /// The conversation timeline on screen, with the heights of the rows
    /// laid out so far.
    pub timeline: Option<panels::TimelineList>,
    /// Views not shown since the log on screen was opened. Each opens at
    /// its top, not where egui remembers it from an earlier log or launch;
    /// after that a view keeps its place, through filter changes too.
    views_to_top: Vec<View>,
    /// A text field had the keyboard or a menu or list was open when the
    /// last frame ended: Escape is theirs, not the app's.
    keys_taken: bool,
    ctx_attached: bool,
    ctx_handle: Option<egui::Context>,
    /// Frame durations are logged when `CHATLENS_FRAME_LOG` is set.
    frame_log: bool,
    last_frame: Option<Instant>,
    /// Files the operating system asks to open outside argv (macOS Finder).
    os_open: Option<Receiver<PathBuf>>,
}

/// The app's look beside egui's defaults: solid scroll bars, which show
/// without hovering, so that a table or dialog with more than fits on
/// screen says so.
fn style(ctx: &egui::Context) {
    ctx.all_styles_mut(|s| s.spacing.scroll = egui::style::ScrollStyle::solid());
}

/// An import warning's message as the app says it: without the command
/// line's way round an assumed date order, which the import report offers
/// as a button instead.
pub(crate) fn warning_text(w: &crate::import::ImportWarning) -> &str {
    w.message.split(" (use --").next().unwrap_or_default()
}

/// The import's notes that change how the figures read (dates without
/// times, an assumed day/month order, a team that never wrote), said as
/// the log opens: the import report alone is easy to miss.
fn reading_notes(report: &crate::import::ImportReport, reimportable: bool) -> Option<String> {
    const READING: [&str; 4] = [
        "dates_only",
        "date_order_assumed",
        "closed_at_date_order_assumed",
        "team_not_found",
    ];
    let notes: Vec<&str> = report
        .warnings
        .iter()
        .filter(|w| READING.contains(&w.kind.as_str()))
        .map(warning_text)
        .collect();
    let date_order = reimportable
        && report
            .warnings
            .iter()
            .any(|w| w.kind.ends_with("date_order_assumed"));
    (!notes.is_empty()).then(|| {
        format!(
            "Note: {}. The import report (View menu) has the details{}.",
            notes.join("; "),
            if date_order {
                ", and can read the dates month first"
            } else {
                ""
            }
        )
    })
}

impl ChatlensApp {
    fn with_persisted(persisted: Persisted) -> Self {
        let worker = match Worker::spawn() {
            Ok(w) => w,
            // Without a thread nothing can load; say so rather than panic later.
            Err(e) => panic!("cannot start the worker thread: {e}"),
        };
        Self {
            settings_draft: persisted.settings.clone(),
            zone_draft: persisted.zone.clone(),
            persisted,
            worker,
            epoch: 0,
            session: None,
            source: Source::Sample,
            charts: Vec::new(),
            loading: None,
            error: None,
            notice: None,
            view: View::Overview,
            stack: Vec::new(),
            filter_ui: FilterUi::default(),
            applied: FilterUi::default(),
            mapping: None,
            pending_mapping: None,
            loading_options: None,
            shown_options: None,
            reimportable: false,
            team: None,
            show_import_report: false,
            show_settings: false,
            show_figures_help: false,
            show_about: false,
            pick: None,
            list_sort: (4, false),
            offender_list: None,
            timeline: None,
            views_to_top: View::ALL.to_vec(),
            keys_taken: false,
            ctx_attached: false,
            ctx_handle: None,
            frame_log: std::env::var_os("CHATLENS_FRAME_LOG").is_some(),
            last_frame: None,
            os_open: None,
        }
    }

    /// The desktop app: restores settings and starts loading `paths[0]`, or the sample.
    pub fn new(cc: &eframe::CreationContext<'_>, paths: &[PathBuf]) -> Self {
        let persisted: Persisted = cc
            .storage
            .and_then(|s| eframe::get_value(s, eframe::APP_KEY))
            .unwrap_or_default();
        let mut app = Self::with_persisted(persisted);
        app.worker.attach(&cc.egui_ctx);
        style(&cc.egui_ctx);
        app.ctx_attached = true;
        if let Some(v) = std::env::var("CHATLENS_VIEW")
            .ok()
            .and_then(|v| View::from_name(&v))
        {
            app.view = v;
        }
        if paths.is_empty() {
            app.start_load(Source::Sample, app.import_options());
        } else {
            app.open_paths(paths.to_vec());
        }
        app
    }

    /// The app on the sample, loaded synchronously in UTC, for tests.
    pub fn new_for_test() -> Self {
        let persisted = Persisted {
            zone: "UTC".into(),
            ..Persisted::default()
        };
        let mut app = Self::with_persisted(persisted);
        let options = app.import_options();
        match worker::load(&Source::Sample, &options, &app.persisted.settings) {
            Ok(s) => app.set_session(Source::Sample, s, false),
            Err(e) => app.error = Some(format!("Could not load the sample: {e}")),
        }
        app
    }

    pub fn zone(&self) -> ReportZone {
        worker::zone_or_system(&self.persisted.zone)
    }

    fn import_options(&self) -> ImportOptions {
        ImportOptions {
            zone: self.zone(),
            ..ImportOptions::default()
        }
    }

    /// The one entry point for argv, File → Open, Recent and drag-and-drop.
    pub fn open_path(&mut self, path: PathBuf) {
        let options = self.import_options();
        self.start_load(Source::Path(path), options);
    }

    /// Opens several files as one dashboard (one file: [`Self::open_path`]).
    pub fn open_paths(&mut self, mut paths: Vec<PathBuf>) {
        match paths.len() {
            0 => {}
            1 => self.open_path(paths.remove(0)),
            _ => {
                let options = self.import_options();
                self.start_load(Source::Files(paths), options);
            }
        }
    }

    pub fn start_load(&mut self, source: Source, options: ImportOptions) {
        self.epoch += 1;
        self.loading_options = Some(options.clone());
        self.loading = Some(Loading {
            label: format!("Opening {}", source.label()),
            progress: Arc::clone(&options.progress),
            started: Instant::now(),
            recompute: false,
        });
        let job = Job::Load {
            epoch: self.epoch,
            source,
            options,
            settings: self.persisted.settings.clone(),
        };
        if !self.worker.send(job) {
            self.loading = None;
            self.error = Some("The background worker stopped; restart Chatlens.".into());
        }
    }

    pub fn cancel_loading(&mut self) {
        if let Some(l) = self.loading.take() {
            l.progress.cancel();
            // Whatever the worker still sends for this request is stale now.
            self.epoch += 1;
            self.notice = Some(if l.recompute {
                "Recomputing was cancelled; the figures shown are the previous ones.".into()
            } else {
                "Loading was cancelled.".into()
            });
        }
    }

    fn set_session(&mut self, source: Source, session: Session, reimportable: bool) {
        if let Source::Path(p) = &source {
            self.persisted.recent.retain(|r| r != p);
            self.persisted.recent.insert(0, p.clone());
            self.persisted.recent.truncate(RECENT_MAX);
        }
        self.charts = crate::charts::all_charts(&session.report);
        // A saved report comes with its filters: the controls show them.
        self.filter_ui = FilterUi::describing(&session);
        self.applied = self.filter_ui.clone();
        self.reimportable = reimportable;
        self.notice = reading_notes(&session.imported.report, self.reimportable);
        self.install_session(session);
        self.source = source;
        self.stack.clear();
        self.views_to_top = View::ALL.to_vec();
        self.error = None;
    }

    /// Installs a session. The one it replaces is freed on a thread of its
    /// own: freeing the arrays of a ten-million-row log would stall a frame.
    fn install_session(&mut self, session: Session) {
        if let Some(old) = self.session.replace(Arc::new(session)) {
            // Should the thread not start, the closure and the old session
            // are dropped here instead.
            let _ = std::thread::Builder::new()
                .name("free-session".into())
                .spawn(move || drop(old));
        }
    }

    /// Shows a view from its top level, closing any offender list or
    /// timeline opened over the one before.
    pub fn open_view(&mut self, view: View) {
        self.view = view;
        self.stack.clear();
    }

    pub fn is_sample(&self) -> bool {
        self.source == Source::Sample && self.session.is_some()
    }

    /// The filters the controls describe, as instants in the report zone.
    pub fn filters(&self) -> Result<Filters, String> {
        let f = &self.filter_ui;
        let mut out = Filters {
            chat_type: f.chat_type,
            segments: f.segments.clone(),
            agents: f.agents.clone(),
            ..Filters::default()
        };
        let Some(s) = &self.session else {
            return Ok(out);
        };
        let zone = s.zone;
        let days = match f.period {
            Period::Last7 => Some(7),
            Period::Last30 => Some(30),
            Period::Last90 => Some(90),
            Period::All => None,
            Period::Custom => {
                let parse = |t: &str, what: &str| {
                    NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d")
                        .map_err(|_| format!("{what} date must read YYYY-MM-DD, got {t:?}"))
                };
                let from = parse(&f.custom_from, "From")?;
                let to = parse(&f.custom_to, "To")?;
                if to < from {
                    return Err("The To date is before the From date.".into());
                }
                let Some(after) = to.succ_opt() else {
                    return Err("The To date is out of range.".into());
                };
                out.from = Some(zone.midnight(from));
                out.to = Some(zone.midnight(after));
                return Ok(out);
            }
        };
        if let (Some(days), Some(last)) = (days, s.prepared.data_last)
            && let Some(after) = zone.local(last).date().succ_opt()
        {
            let to = zone.midnight(after);
            out.to = Some(to);
            out.from = Some(shift_days(&zone, to, -days));
        }
        Ok(out)
    }

    /// Sends the current settings and filters to the worker.
    pub fn recompute(&mut self) {
        let Some(session) = self.session.clone() else {
            return;
        };
        // Marked applied even when invalid, so a bad date is reported once, not every frame.
        self.applied = self.filter_ui.clone();
        let filters = match self.filters() {
            Ok(f) => f,
            Err(e) => {
                self.error = Some(e);
                return;
            }
        };
        self.epoch += 1;
        self.loading = Some(Loading {
            label: "Recomputing".into(),
            progress: Arc::new(Progress::default()),
            started: Instant::now(),
            recompute: true,
        });
        let job = Job::Recompute {
            epoch: self.epoch,
            session,
            settings: self.persisted.settings.clone(),
            filters,
        };
        if !self.worker.send(job) {
            self.loading = None;
            self.error = Some("The background worker stopped; restart Chatlens.".into());
        }
    }

    /// Opens the log again with its slash dates read in `order`, with the
    /// columns, team and zone it was opened with.
    pub fn reopen_with_date_order(&mut self, order: DateOrder) {
        let opened = self
            .shown_options
            .clone()
            .unwrap_or_else(|| self.import_options());
        let options = ImportOptions {
            date_order: Some(order),
            progress: Arc::default(),
            ..opened
        };
        self.start_load(self.source.clone(), options);
    }

    /// Applies the settings window: a new zone needs a re-import.
    pub fn apply_settings(&mut self) {
        let zone_changed = self.zone_draft.trim() != self.persisted.zone.trim();
        self.persisted.settings = self.settings_draft.clone();
        if zone_changed {
            self.persisted.zone = self.zone_draft.trim().to_string();
            // The columns and the team as the file was opened with.
            let options = match &self.shown_options {
                Some(shown) => ImportOptions {
                    zone: self.zone(),
                    progress: Arc::default(),
                    ..shown.clone()
                },
                None => self.import_options(),
            };
            self.start_load(self.source.clone(), options);
        } else {
            self.recompute();
        }
    }

    /// Drains the worker's answers; called once per frame.
    pub fn poll(&mut self) {
        while let Some(event) = self.worker.try_recv() {
            self.handle(event);
        }
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::Loaded {
                epoch,
                source,
                session,
                reimportable,
            } if epoch == self.epoch => {
                self.loading = None;
                if let Some((tried, mapping)) = self.pending_mapping.take()
                    && tried == source
                {
                    self.remember_mapping(mapping);
                }
                self.shown_options = self.loading_options.take();
                self.set_session(source, *session, reimportable);
            }
            Event::LoadFailed {
                epoch,
                source,
                options,
                error,
            } if epoch == self.epoch => {
                self.loading = None;
                self.load_failed(source, options, error);
            }
            Event::Recomputed { epoch, session } if epoch == self.epoch => {
                self.loading = None;
                self.charts = crate::charts::all_charts(&session.report);
                self.install_session(*session);
                // Drill-down into a conversation stays valid; the offender list follows the new report.
            }
            Event::RecomputeFailed { epoch, message } if epoch == self.epoch => {
                self.loading = None;
                self.error = Some(format!("Could not recompute: {message}"));
            }
            Event::Crashed(why) => {
                self.loading = None;
                self.error = Some(format!(
                    "Chatlens stopped at an internal fault ({why}); what is shown has not changed. Please report it with the file that caused it."
                ));
            }
            Event::Done(m) => self.notice = Some(m),
            Event::Failed(m) => self.error = Some(m),
            Event::CopyImage(img) => {
                if let Some(ctx) = self.ctx() {
                    ctx.copy_image(img);
                    self.notice = Some("Chart copied to the clipboard.".into());
                }
            }
            // Answers to requests that were replaced or cancelled.
            Event::Loaded { .. }
            | Event::LoadFailed { .. }
            | Event::Recomputed { .. }
            | Event::RecomputeFailed { .. } => {}
        }
    }

    fn ctx(&self) -> Option<egui::Context> {
        self.ctx_handle.clone()
    }

    /// Keeps a mapping that opened its file, first among those kept, and
    /// its team as the one to tick next.
    fn remember_mapping(&mut self, mapping: RememberedMapping) {
        if let Some(team) = &mapping.team {
            self.persisted.team.clone_from(team);
        }
        let kept = &mut self.persisted.mappings;
        kept.retain(|m| !same_columns(&m.headers, &mapping.headers));
        kept.insert(0, mapping);
        kept.truncate(MAPPINGS_MAX);
    }

    /// The mapping dialog for a file's columns, filled in as a file with the
    /// same columns was mapped before, when one was.
    fn mapping_dialog(
        &self,
        source: Source,
        options: ImportOptions,
        why: String,
        columns: crate::import::FileColumns,
    ) -> MappingDialog {
        let before = self
            .persisted
            .mappings
            .iter()
            .find(|m| same_columns(&m.headers, &columns.headers));
        let mut d = MappingDialog::new(source, options, why, columns);
        let team = before
            .and_then(|m| m.team.as_ref())
            .unwrap_or(&self.persisted.team);
        if let Some((_, senders)) = &mut d.team {
            for p in senders {
                p.2 = team.contains(&p.0);
            }
        }
        if let Some((column, sent)) = before.and_then(|m| m.outbound.as_ref()) {
            if let Some((values_column, values)) = &mut d.direction_values
                && values_column == column
            {
                for v in values {
                    v.2 = sent.contains(&v.0);
                }
            }
            d.remembered_outbound = Some((column.clone(), sent.clone()));
        }
        if let Some(before) = before {
            for (c, choice) in &mut d.choice {
                if let Some((_, h)) = before.choice.iter().find(|(n, _)| n == c.name())
                    && (h.is_empty() || d.headers.contains(h))
                {
                    choice.clone_from(h);
                }
            }
            d.why
                .push_str(" Filled in as you mapped a file with these columns before.");
        }
        d
    }

    fn load_failed(&mut self, source: Source, options: ImportOptions, error: LoadError) {
        self.pending_mapping = None;
        match error {
            LoadError::Import(ImportError::MissingColumns {
                missing,
                headers,
                preview,
                guesses,
                senders,
                ..
            }) => {
                let why = format!(
                    "{}: no {missing} column was recognised. Tell Chatlens which of the file's columns holds each field.",
                    source.label()
                );
                self.mapping = Some(self.mapping_dialog(
                    source,
                    options,
                    why,
                    crate::import::FileColumns {
                        headers,
                        preview,
                        guesses,
                        senders,
                        direction_values: None,
                        partial: false,
                    },
                ));
            }
            LoadError::Import(ImportError::NothingKept { message, columns }) => {
                let why = format!(
                    "{message}. Check which of the file's columns holds each field: choose \"— not in the file —\" for a column read wrongly."
                );
                self.mapping = Some(self.mapping_dialog(source, options, why, *columns));
            }
            LoadError::Import(ImportError::TeamRequired { participants, .. }) => {
                let team = &self.persisted.team;
                self.team = Some(TeamDialog {
                    source,
                    options,
                    participants: participants
                        .into_iter()
                        .map(|p| {
                            let ticked = team.contains(&p.name);
                            (p.name, p.messages, ticked)
                        })
                        .collect(),
                });
            }
            LoadError::Import(ImportError::Cancelled { .. }) => {
                self.notice = Some("Loading was cancelled.".into());
            }
            other => {
                let kept = if self.session.is_some() {
                    " The previous dashboard is still shown."
                } else {
                    ""
                };
                self.error = Some(format!("Could not open {}: {other}.{kept}", source.label()));
            }
        }
    }

    /// Opens a native dialog off the frame loop.
    pub fn pick(&mut self, ctx: &egui::Context, what: Pick) {
        if self.pick.is_some() {
            return;
        }
        let start = self
            .persisted
            .recent
            .first()
            .and_then(|p| p.parent().map(std::path::Path::to_path_buf));
        // The dialog is created here, on the UI thread (macOS requires it),
        // and awaited on a helper thread so the frame loop never blocks.
        let mut d = rfd::AsyncFileDialog::new();
        if let Some(dir) = start {
            d = d.set_directory(dir);
        }
        let answer: DialogAnswer = match what {
            Pick::Open => Box::pin(
                d.add_filter(
                    "Message logs and reports",
                    &[
                        "csv", "tsv", "txt", "gz", "zip", "xlsx", "xls", "ods", "json", "jsonl",
                        "parquet", "chatlens",
                    ],
                )
                .add_filter("All files", &["*"])
                .pick_file(),
            ),
            Pick::SaveReport => Box::pin(
                d.add_filter("Chatlens report", &["chatlens"])
                    .set_file_name("report.chatlens")
                    .save_file(),
            ),
            Pick::ExportChart { id, kind } => {
                let ext = if kind == ImageKind::Svg { "svg" } else { "png" };
                Box::pin(
                    d.add_filter(ext.to_uppercase(), &[ext])
                        .set_file_name(format!("{id}.{ext}"))
                        .save_file(),
                )
            }
            Pick::ExportAll | Pick::ExportData => Box::pin(d.pick_folder()),
        };
        self.await_dialog(ctx, what, answer);
    }

    /// A file dialog is open (or its answer not yet read).
    pub fn has_dialog(&self) -> bool {
        self.pick.is_some()
    }

    /// Waits for a dialog's answer off the frame loop; tests answer with a
    /// future of their own.
    pub fn await_dialog(&mut self, ctx: &egui::Context, what: Pick, answer: DialogAnswer) {
        let rx = worker::dialog(ctx, move || {
            pollster::block_on(answer).map(|h| h.path().to_path_buf())
        });
        self.pick = Some((what, Instant::now(), rx));
    }

    fn poll_pick(&mut self) {
        let Some((_, _, rx)) = &self.pick else {
            return;
        };
        let answer = match rx.try_recv() {
            Ok(a) => a,
            Err(std::sync::mpsc::TryRecvError::Empty) => return,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => None,
        };
        let Some((what, opened, _)) = self.pick.take() else {
            return;
        };
        match answer {
            Some(path) => self.run_pick(what, path),
            None if dialog_failed(opened.elapsed()) => {
                self.notice = Some(NO_DIALOG.into());
            }
            None => {}
        }
    }

    /// Runs what a dialog was opened for; tests call it with a path directly.
    pub fn run_pick(&mut self, what: Pick, path: PathBuf) {
        let session = self.session.clone();
        let job = match what {
            Pick::Open => {
                self.open_path(path);
                return;
            }
            Pick::SaveReport => session.map(|session| Job::SaveReport { session, path }),
            Pick::ExportChart { id, kind } => {
                self.charts
                    .iter()
                    .find(|c| c.id == id)
                    .map(|c| Job::ExportChart {
                        chart: Box::new(c.clone()),
                        kind,
                        path: Some(path),
                        size: self.persisted.image_size,
                    })
            }
            Pick::ExportAll => Some(Job::ExportAllCharts {
                charts: self.charts.clone(),
                dir: path,
                size: self.persisted.image_size,
            }),
            Pick::ExportData => session.map(|session| Job::ExportData { session, dir: path }),
        };
        match job {
            Some(job) => {
                if !self.worker.send(job) {
                    self.error = Some("The background worker stopped; restart Chatlens.".into());
                }
            }
            None => self.error = Some("Open a log first.".into()),
        }
    }

    pub fn copy_chart(&mut self, id: &str) {
        if let Some(c) = self.charts.iter().find(|c| c.id == id) {
            let job = Job::ExportChart {
                chart: Box::new(c.clone()),
                kind: ImageKind::Clipboard,
                path: None,
                size: self.persisted.image_size,
            };
            if !self.worker.send(job) {
                self.error = Some("The background worker stopped; restart Chatlens.".into());
            }
        }
    }

    fn shortcuts(&mut self, ctx: &egui::Context) {
        let (open, save, quit) = ctx.input_mut(|i| {
            (
                i.consume_shortcut(&OPEN),
                i.consume_shortcut(&SAVE),
                i.consume_shortcut(&QUIT),
            )
        });
        if open {
            self.pick(ctx, Pick::Open);
        }
        if save {
            self.pick(ctx, Pick::SaveReport);
        }
        if quit {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        let view = ctx.input_mut(|i| {
            View::ALL
                .into_iter()
                .find(|v| i.consume_shortcut(&v.shortcut()))
        });
        if let Some(v) = view {
            self.open_view(v);
        }
        if ctx.input_mut(|i| i.consume_shortcut(&BACK)) {
            self.stack.pop();
        }
        if !self.keys_taken
            && ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Escape))
        {
            self.escape();
        }
    }

    /// Escape closes what is in front: a dialog, else the offender list or
    /// timeline (as "< Back" does), else a load in progress is cancelled.
    fn escape(&mut self) {
        if self.mapping.take().is_some() || self.team.take().is_some() {
            return;
        }
        // The topmost open window first.
        for open in [
            &mut self.show_settings,
            &mut self.show_import_report,
            &mut self.show_about,
            &mut self.show_figures_help,
        ] {
            if std::mem::take(open) {
                return;
            }
        }
        if self.stack.pop().is_some() {
            return;
        }
        if self.loading.is_some() {
            self.cancel_loading();
        }
    }

    fn drag_and_drop(&mut self, ctx: &egui::Context) {
        let (hovering, dropped) = ctx.input_mut(|i| {
            (
                !i.raw.hovered_files.is_empty(),
                std::mem::take(&mut i.raw.dropped_files),
            )
        });
        let paths: Vec<PathBuf> = dropped.iter().map(|f| f.path().to_path_buf()).collect();
        self.open_paths(paths);
        if hovering {
            let rect = ctx.content_rect();
            let painter = ctx.layer_painter(egui::LayerId::new(
                egui::Order::Foreground,
                egui::Id::unique("drop-overlay"),
            ));
            painter.rect_filled(rect, 0.0, egui::Color32::from_black_alpha(170));
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                "Drop message logs or a .chatlens report to open them",
                egui::FontId::proportional(24.0),
                egui::Color32::WHITE,
            );
        }
    }

    /// The whole window; the tests call this directly.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if !self.ctx_attached {
            self.worker.attach(&ctx);
            style(&ctx);
            self.ctx_attached = true;
        }
        self.ctx_handle = Some(ctx.clone());
        let frame_start = Instant::now();
        let interval = self.last_frame.map(|last| frame_start - last);
        self.last_frame = Some(frame_start);
        let was_loading = self.loading.is_some();
        self.poll();
        self.poll_pick();
        self.poll_os_open(&ctx);
        self.shortcuts(&ctx);
        self.drag_and_drop(&ctx);
        if self.loading.is_some() {
            // Progress comes from atomics, not events: keep drawing it.
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
        panels::top_bar(self, ui);
        panels::status_bar(self, ui);
        panels::nav(self, ui);
        panels::red_flag_panel(self, ui);
        egui::CentralPanel::default().show(ui, |ui| panels::central(self, ui));
        dialogs::show(self, &ctx);
        // Read at the end of the frame: egui lets go of a field's focus on
        // Escape before the next frame is built.
        self.keys_taken = ctx.memory(|m| m.focused().is_some()) || egui::Popup::is_any_open(&ctx);
        // Custom dates apply with their Apply button, not on every keystroke.
        let (f, a) = (&self.filter_ui, &self.applied);
        if (f.period, f.chat_type, &f.segments, &f.agents)
            != (a.period, a.chat_type, &a.segments, &a.agents)
        {
            self.recompute();
        }
        if self.frame_log
            && let Some(interval) = interval
        {
            // Interval between frames and the time spent building this one.
            eprintln!(
                "frame {:.1} ms, ui {:.1} ms{}",
                interval.as_secs_f64() * 1000.0,
                frame_start.elapsed().as_secs_f64() * 1000.0,
                if was_loading { " (loading)" } else { "" }
            );
        }
    }
}

/// Said when a file dialog could not be shown. On Linux rfd asks the
/// desktop's portal, else zenity; elsewhere the dialog is the system's own.
const NO_DIALOG: &str = if cfg!(target_os = "linux") {
    "No file dialog could be shown: this desktop has neither the xdg-desktop-portal \
     file chooser nor zenity. Drop a log on the window to open it; `chatlens save` and \
     `chatlens export` write reports, charts and figures from the command line."
} else {
    "No file dialog could be shown. Drop a log on the window to open it; `chatlens save` \
     and `chatlens export` write reports, charts and figures from the command line."
};

/// A dialog that answered "nothing chosen" sooner than a person can cancel
/// one was never shown: the portal or zenity behind it is missing, and rfd
/// says so only in its log.
fn dialog_failed(waited: std::time::Duration) -> bool {
    waited < std::time::Duration::from_millis(250)
}

/// A file dialog's pending answer.
pub type DialogAnswer =
    std::pin::Pin<Box<dyn std::future::Future<Output = Option<rfd::FileHandle>> + Send>>;

impl eframe::App for ChatlensApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        ChatlensApp::ui(self, ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.persisted);
    }
}

impl ChatlensApp {
    /// Opens what the OS delivered since the last frame. Those events do not
    /// wake egui, so while the channel exists the app looks again shortly.
    fn poll_os_open(&mut self, ctx: &egui::Context) {
        let Some(rx) = &self.os_open else { return };
        let paths: Vec<PathBuf> = rx.try_iter().collect();
        for p in paths {
            self.open_path(p);
        }
        if cfg!(target_os = "macos") {
            ctx.request_repaint_after(std::time::Duration::from_millis(250));
        }
    }
}

/// Opens the window: on `paths[0]` when given, else on the sample.
pub fn run(paths: Vec<PathBuf>) -> eframe::Result<()> {
    let (os_tx, os_rx) = std::sync::mpsc::channel();
    crate::platform::install_open_files_handler(os_tx);
    let icon = eframe::icon_data::from_png_bytes(include_bytes!(
        "../../assets/icons/hicolor/256x256/apps/chatlens.png"
    ))
    .ok();
    let mut viewport = egui::ViewportBuilder::default()
        .with_app_id("chatlens")
        .with_title("Chatlens")
        .with_inner_size([1400.0, 900.0])
        .with_min_inner_size([720.0, 480.0])
        .with_drag_and_drop(true);
    if let Some(icon) = icon {
        viewport = viewport.with_icon(Arc::new(icon));
    }
    let options = eframe::NativeOptions {
        viewport,
        persist_window: true,
        ..eframe::NativeOptions::default()
    };
    eframe::run_native(
        "chatlens",
        options,
        Box::new(move |cc| {
            let mut app = ChatlensApp::new(cc, &paths);
            app.os_open = Some(os_rx);
            Ok(Box::new(app))
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A job that stopped at a fault ends the wait and says so; the
    /// dashboard shown stays.
    #[test]
    fn a_crashed_job_ends_the_wait_with_an_error() {
        let mut app = ChatlensApp::new_for_test();
        app.loading = Some(Loading {
            label: "Opening x.csv".into(),
            progress: Arc::default(),
            started: Instant::now(),
            recompute: false,
        });
        app.handle(Event::Crashed("index out of bounds".into()));
        assert!(app.loading.is_none());
        let error = app.error.clone().unwrap_or_default();
        assert!(
            error.contains("internal fault (index out of bounds)"),
            "{error}"
        );
        assert!(app.session.is_some());
    }
}
