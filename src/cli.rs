//! The command line: `chatlens [FILE…]` opens the app; `inspect`, `report`,
//! `sample`, `export` and `save` run the same engine headless.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};

use crate::import::{DateOrder, ImportOptions, MapOverride, Progress, ReportZone, import_path};
use crate::metrics::{ChatType, Filters, Settings};
use crate::session::Session;

#[derive(Debug, Parser)]
#[command(
    name = "chatlens",
    version,
    about = "Turn a team's customer-messaging log into a dashboard.",
    long_about = "Turn a team's customer-messaging log into a dashboard.\n\n\
        Run without a command to open the desktop app (on FILE, or on built-in sample data).\n\
        The commands below run the same engine headless."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Files to open in the desktop app.
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show how a file imports: format, dialect, column mapping, rows kept and skipped.
    Inspect(InspectArgs),
    /// Compute every figure of the metric contract for a file.
    Report(ReportArgs),
    /// Write a deterministic, realistic sample message log.
    Sample(SampleArgs),
    /// Write every chart as PNG/SVG (and with --data the figures as JSON/CSV), headless.
    Export(ExportArgs),
    /// Save a self-contained .chatlens report: the table plus settings, filters and zone.
    Save(SaveArgs),
}

/// How to read the input file.
#[derive(Debug, Clone, Args, Default)]
pub struct ImportArgs {
    /// Report time zone (IANA name, e.g. Europe/Berlin); default the system zone.
    #[arg(long, value_name = "TZ")]
    pub tz: Option<String>,
    /// Team members (comma-separated): decides direction in chat exports.
    #[arg(long, value_name = "NAMES")]
    pub team: Option<String>,
    /// Values of the direction column that mean outbound (comma-separated), for a column
    /// that does not say inbound or outbound, e.g. --outbound-values admin,bot: every other
    /// value is inbound.
    #[arg(long, value_name = "VALUES")]
    pub outbound_values: Option<String>,
    /// Name a source column for a canonical one, e.g. --map timestamp="Sent At"; an empty
    /// one (--map direction=) says the file has none, so no column is taken for it (repeatable).
    #[arg(long = "map", value_name = "CANONICAL=COLUMN")]
    pub map: Vec<MapOverride>,
    /// Read ambiguous slash dates as day/month.
    #[arg(long, conflicts_with = "monthfirst")]
    pub dayfirst: bool,
    /// Read ambiguous slash dates as month/day.
    #[arg(long)]
    pub monthfirst: bool,
    /// Spreadsheet sheet to read (default: the first with a timestamp column).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
}

impl ImportArgs {
    pub fn zone(&self) -> Result<ReportZone> {
        match &self.tz {
            Some(name) => ReportZone::from_name(name).with_context(|| {
                format!(
                    "unknown time zone {name:?}; expected an IANA name such as Europe/Berlin or UTC"
                )
            }),
            None => Ok(ReportZone::system()),
        }
    }

    pub fn options(&self, require_team: bool) -> Result<ImportOptions> {
        Ok(ImportOptions {
            zone: self.zone()?,
            date_order: if self.dayfirst {
                Some(DateOrder::DayFirst)
            } else if self.monthfirst {
                Some(DateOrder::MonthFirst)
            } else {
                None
            },
            team: self.team.as_ref().map(|t| list(t)),
            outbound_values: self.outbound_values.as_ref().map(|v| list(v)),
            overrides: self.map.clone(),
            sheet: self.sheet.clone(),
            require_team,
            digest_source: false,
            // `inspect` shows why no row was read; `report` says so itself.
            nothing_kept_is_error: false,
            keep_source_detail: true,
            progress: Arc::new(Progress::default()),
        })
    }
}

/// A comma-separated list's items, trimmed, without empty ones.
fn list(items: &str) -> Vec<String> {
    items
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    pub file: PathBuf,
    /// Print the import report as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub import: ImportArgs,
}

/// Period, filters and settings of a report.
#[derive(Debug, Clone, Args, Default)]
pub struct ReportOptions {
    /// Period start (date or date-time in the report zone), inclusive.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Period end (date or date-time in the report zone), exclusive.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Only direct (1:1) or only group chats.
    #[arg(long, value_name = "direct|group")]
    pub chat_type: Option<String>,
    /// Only these segments (repeatable).
    #[arg(long = "segment", value_name = "S")]
    pub segments: Vec<String>,
    /// Only conversations these agents wrote in (repeatable).
    #[arg(long = "agent", value_name = "A")]
    pub agents: Vec<String>,
    /// Outbound rows closer than this form one touch.
    #[arg(long, value_name = "DURATION", default_value = "10m")]
    pub burst_gap: String,
    /// A reply later than this does not count as a response.
    #[arg(long, value_name = "DURATION", default_value = "7d")]
    pub response_window: String,
    /// Team replies slower than this are long reply gaps.
    #[arg(long, value_name = "DURATION", default_value = "24h")]
    pub reply_sla: String,
    /// A group is active with a row in this many days before the period end.
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    pub active_days: i64,
    /// Conversations idle this long count as resolved.
    #[arg(long, value_name = "DURATION", default_value = "7d")]
    pub inactivity_close: String,
}

/// Parses `90s`, `10m`, `24h`, `7d`, `2w` or plain seconds.
pub fn parse_duration_secs(s: &str) -> Result<i64> {
    let t = s.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .with_context(|| format!("{s:?} is not a duration; expected e.g. 90s, 10m, 24h, 7d"))?;
    let mult = match unit.trim() {
        "" | "s" | "sec" | "secs" => 1.0,
        "m" | "min" | "mins" => 60.0,
        "h" | "hr" | "hrs" => 3_600.0,
        "d" | "day" | "days" => 86_400.0,
        "w" | "wk" | "weeks" => 604_800.0,
        other => bail!("unknown duration unit {other:?} in {s:?}; use s, m, h, d or w"),
    };
    Ok((n * mult).round() as i64)
}

impl ReportOptions {
    /// True when any period or filter flag was given.
    pub fn has_filters(&self) -> bool {
        self.from.is_some()
            || self.to.is_some()
            || self.chat_type.is_some()
            || !self.segments.is_empty()
            || !self.agents.is_empty()
    }

    /// A saved report's settings with every setting flag that differs from
    /// its default applied on top (clap cannot tell a default from a typed
    /// value, so a flag equal to its default leaves the report's value).
    pub fn overlay_settings(&self, mut base: Settings) -> Result<Settings> {
        let given = self.settings()?;
        let default = ReportOptions::default_flags().settings()?;
        if given.burst_gap_secs != default.burst_gap_secs {
            base.burst_gap_secs = given.burst_gap_secs;
        }
        if given.response_window_secs != default.response_window_secs {
            base.response_window_secs = given.response_window_secs;
        }
        if given.reply_sla_secs != default.reply_sla_secs {
            base.reply_sla_secs = given.reply_sla_secs;
        }
        if given.active_days != default.active_days {
            base.active_days = given.active_days;
        }
        if given.inactivity_close_secs != default.inactivity_close_secs {
            base.inactivity_close_secs = given.inactivity_close_secs;
        }
        Ok(base)
    }

    /// The options as clap fills them when no flag is given.
    fn default_flags() -> Self {
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            options: ReportOptions,
        }
        Only::try_parse_from(["chatlens"]).map_or_else(|_| ReportOptions::default(), |o| o.options)
    }

    pub fn settings(&self) -> Result<Settings> {
        Ok(Settings {
            burst_gap_secs: parse_duration_secs(&self.burst_gap)?,
            response_window_secs: parse_duration_secs(&self.response_window)?,
            reply_sla_secs: parse_duration_secs(&self.reply_sla)?,
            active_days: self.active_days,
            inactivity_close_secs: parse_duration_secs(&self.inactivity_close)?,
            ..Settings::default()
        })
    }

    pub fn filters(&self, zone: &ReportZone) -> Result<Filters> {
        let bound = |s: &Option<String>, what: &str| -> Result<Option<i64>> {
            s.as_ref()
                .map(|v| {
                    crate::import::timestamp::parse_timestamp(v, DateOrder::DayFirst)
                        .map(|p| zone.resolve(p))
                        .with_context(|| format!("--{what} {v:?}: expected a date such as 2024-03-01 or a date-time such as 2024-03-01T09:00"))
                })
                .transpose()
        };
        let chat_type = match self
            .chat_type
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None => None,
            Some("direct" | "1:1" | "dm") => Some(ChatType::Direct),
            Some("group" | "groups") => Some(ChatType::Group),
            Some(other) => bail!("--chat-type {other:?}: expected direct or group"),
        };
        let (from, to) = (bound(&self.from, "from")?, bound(&self.to, "to")?);
        if let (Some(f), Some(t), Some(fv), Some(tv)) = (from, to, &self.from, &self.to)
            && t <= f
        {
            bail!(
                "--to {tv:?} is not after --from {fv:?}: the period [from, to) would be empty (--to is exclusive)"
            );
        }
        Ok(Filters {
            from,
            to,
            chat_type,
            segments: self.segments.clone(),
            agents: self.agents.clone(),
        })
    }
}

/// How a saved `.chatlens` report combines with the flags.
pub const REPORT_FILE_RULE: &str = "FILE may be a saved .chatlens report. Its time zone, filters and settings \
    apply unless flags override them: --tz replaces the zone; any of --from, --to, --chat-type, \
    --segment or --agent replaces all of its filters; a setting flag given with a value other than \
    its default replaces that one setting. Import flags (--team, --map, --dayfirst…) do not apply to a report.";

#[derive(Debug, Args)]
#[command(after_help = REPORT_FILE_RULE)]
pub struct ReportArgs {
    pub file: PathBuf,
    /// Print one JSON document (METRICS.md §5 layout plus meta and import).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub import: ImportArgs,
    #[command(flatten)]
    pub options: ReportOptions,
}

#[derive(Debug, Args)]
pub struct SampleArgs {
    /// How many conversations to generate.
    #[arg(long, default_value_t = 2_000)]
    pub conversations: usize,
    /// Seed of the generator: the same seed gives the same file.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Output file: .csv or .parquet.
    #[arg(long)]
    pub out: PathBuf,
}

/// Image formats for `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImageFormat {
    Png,
    Svg,
    Both,
}

#[derive(Debug, Args)]
#[command(after_help = REPORT_FILE_RULE)]
pub struct ExportArgs {
    /// The message log or .chatlens report.
    pub file: PathBuf,
    /// Folder for the files (created if missing); each chart is a file named by its id (.png or .svg).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Image format.
    #[arg(long, value_enum, default_value = "png")]
    pub format: ImageFormat,
    /// Image width in logical pixels (PNGs are drawn at 2× for sharp slides).
    #[arg(long, value_name = "PX", default_value_t = crate::export::images::DEFAULT_WIDTH)]
    pub width: u32,
    /// Image height in logical pixels.
    #[arg(long, value_name = "PX", default_value_t = crate::export::images::DEFAULT_HEIGHT)]
    pub height: u32,
    /// Also write figures.json, figures.csv, offenders.csv and conversations.csv.
    #[arg(long)]
    pub data: bool,
    #[command(flatten)]
    pub import: ImportArgs,
    #[command(flatten)]
    pub options: ReportOptions,
}

#[derive(Debug, Args)]
#[command(after_help = REPORT_FILE_RULE)]
pub struct SaveArgs {
    /// The message log (or a .chatlens report to re-save with other settings).
    pub file: PathBuf,
    /// The report file to write, e.g. march.chatlens.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    #[command(flatten)]
    pub import: ImportArgs,
    #[command(flatten)]
    pub options: ReportOptions,
}

/// Exit code 2 for input the tool cannot use, with the message on stderr.
pub struct UserError(pub String);

/// A file loaded for the headless commands, with the settings, filters
/// and zone that apply to it.
pub struct Loaded {
    pub imported: crate::import::Imported,
    pub settings: crate::metrics::Settings,
    pub filters: crate::metrics::Filters,
    pub zone: crate::import::ReportZone,
}

impl Loaded {
    /// A session, which keeps the table to save it or to derive again.
    pub fn session(self) -> Result<Session, UserError> {
        Session::new(self.imported, self.settings, self.filters, self.zone)
            .map_err(|e| UserError(format!("{e:#}")))
    }

    /// The figures once, for a command that only prints or exports them.
    pub fn once(self) -> Result<crate::session::Once, UserError> {
        crate::session::Once::compute(self.imported, &self.settings, &self.filters, &self.zone)
            .map_err(|e| UserError(format!("{e:#}")))
    }
}

/// Loads a file for the headless commands; `saving` records the source's
/// digest for a saved report's manifest.
pub fn load(
    file: &Path,
    import: &ImportArgs,
    options: &ReportOptions,
    saving: bool,
) -> Result<Loaded, UserError> {
    let settings = options
        .settings()
        .map_err(|e| UserError(format!("{e:#}")))?;
    // Only a saved report shows message texts (in the app's drill-down):
    // the figures need their hashes alone.
    let opts = ImportOptions {
        digest_source: saving,
        keep_source_detail: saving,
        ..import
            .options(true)
            .map_err(|e| UserError(format!("{e:#}")))?
    };
    let filters = options
        .filters(&opts.zone)
        .map_err(|e| UserError(format!("{e:#}")))?;
    let bytes = crate::import::read_whole_file(file)
        .map_err(|e| UserError(format!("cannot read {}: {e}", file.display())))?;
    if crate::report_file::is_report(&bytes) {
        let shown = file.display().to_string();
        let opened = crate::report_file::open_bytes(&bytes, &shown)
            .map_err(|e| UserError(format!("{shown}: {e:#}")))?;
        let zone = if import.tz.is_some() {
            opts.zone
        } else {
            opened.zone
        };
        let filters = if options.has_filters() {
            options
                .filters(&zone)
                .map_err(|e| UserError(format!("{e:#}")))?
        } else {
            opened.filters
        };
        let settings = options
            .overlay_settings(opened.settings)
            .map_err(|e| UserError(format!("{e:#}")))?;
        return Ok(Loaded {
            imported: opened.imported,
            settings,
            filters,
            zone,
        });
    }
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // The import lets go of the file's contents (a mapping for a large log)
    // as soon as the cells are read.
    let imported = crate::import::import_owned(bytes, &name, &file.display().to_string(), &opts)
        .map_err(|e| UserError(e.to_string()))?;
    if let Some(message) = imported.report.nothing_kept() {
        let report = &imported.report;
        // A direction column in words of its own: say how to name them.
        let hint = match report.columns.get("direction") {
            Some(column)
                if report.skipped.keys().all(|k| k == "unknown_direction")
                    && opts.outbound_values.is_none() =>
            {
                format!(
                    ". If the column {column:?} says who wrote in words of its own, name those that mean outbound with --outbound-values (e.g. --outbound-values admin,bot)"
                )
            }
            _ => String::new(),
        };
        return Err(UserError(message + &hint));
    }
    Ok(Loaded {
        imported,
        settings,
        filters,
        zone: opts.zone,
    })
}

pub fn run_export(args: &ExportArgs) -> Result<(), UserError> {
    use crate::export::images::{Formats, export_all};
    let once = load(&args.file, &args.import, &args.options, false)?.once()?;
    let report = &once.report;
    let charts = crate::charts::all_charts(report);
    let formats = match args.format {
        ImageFormat::Png => Formats::Png,
        ImageFormat::Svg => Formats::Svg,
        ImageFormat::Both => Formats::Both,
    };
    let mut written = export_all(&charts, &args.out, formats, args.width, args.height)
        .map_err(|e| UserError(format!("{e:#}")))?;
    if args.data {
        written.extend(
            crate::export::data::write_all(report, &once.prepared, &args.out)
                .map_err(|e| UserError(format!("{e:#}")))?,
        );
    }
    let listing: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    if listing.is_empty() {
        return Ok(());
    }
    print_out(&(listing.join("\n") + "\n"))
}

pub fn run_save(args: &SaveArgs) -> Result<(), UserError> {
    let session = load(&args.file, &args.import, &args.options, true)?.session()?;
    crate::report_file::save(&session, &args.out).map_err(|e| UserError(format!("{e:#}")))?;
    print_out(&format!("{}\n", args.out.display()))
}

pub fn run_inspect(args: &InspectArgs) -> Result<(), UserError> {
    let opts = args
        .import
        .options(false)
        .map_err(|e| UserError(format!("{e:#}")))?;
    let imported = import_path(&args.file, &opts).map_err(|e| UserError(e.to_string()))?;
    if args.json {
        print_out(&json_text(&imported.report)?)
    } else {
        print_out(&crate::text_report::import_text(&imported.report))
    }
}

pub fn run_report(args: &ReportArgs) -> Result<(), UserError> {
    let crate::session::Once {
        prepared,
        mut report,
    } = load(&args.file, &args.import, &args.options, false)?.once()?;
    // Nothing printed reads the prepared data or the conversation rows:
    // they are let go of on another core while the report is written, so
    // that less is left for the end of the process, which the system does
    // on one core. The process does not wait for it.
    let conversations = std::mem::take(&mut report.conversations);
    std::thread::spawn(move || drop((prepared, conversations)));
    let printed = if args.json {
        json_text(&report).and_then(|text| print_out(&text))
    } else {
        print_out(&crate::text_report::report_text(&report))
    };
    // The process ends here: the system takes the memory back at once,
    // which on a large log is faster than freeing it piece by piece.
    std::mem::forget(report);
    printed
}

fn json_text(value: &impl serde::Serialize) -> Result<String, UserError> {
    serde_json::to_string_pretty(value)
        .map(|mut text| {
            text.push('\n');
            text
        })
        .map_err(|e| UserError(format!("cannot write the JSON document: {e}")))
}

/// Writes to standard output. A reader that stops early (`| head`) is not
/// an error, as with other command-line tools; `println!` would panic.
fn print_out(text: &str) -> Result<(), UserError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(UserError(format!("cannot write to standard output: {e}")))
        }
        _ => Ok(()),
    }
}

pub fn run_sample(args: &SampleArgs) -> Result<(), UserError> {
    let df = crate::sample::generate(args.conversations, args.seed);
    crate::sample::write(&df, &args.out).map_err(|e| UserError(format!("{e:#}")))?;
    eprintln!(
        "wrote {} in {} to {}",
        crate::format::count_of(df.height() as u64, "message", "messages"),
        crate::format::count_of(args.conversations as u64, "conversation", "conversations"),
        args.out.display()
    );
    Ok(())
}
