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
    /// Name a source column for a canonical one, e.g. --map timestamp="Sent At" (repeatable).
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
            team: self.team.as_ref().map(|t| {
                t.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            }),
            overrides: self.map.clone(),
            sheet: self.sheet.clone(),
            require_team,
            progress: Arc::new(Progress::default()),
        })
    }
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
        Ok(Filters {
            from: bound(&self.from, "from")?,
            to: bound(&self.to, "to")?,
            chat_type,
            segments: self.segments.clone(),
            agents: self.agents.clone(),
        })
    }
}

#[derive(Debug, Args)]
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

/// Exit code 2 for input the tool cannot use, with the message on stderr.
pub struct UserError(pub String);

/// Loads a file into a session for the headless commands.
pub fn load_session(
    file: &Path,
    import: &ImportArgs,
    options: &ReportOptions,
) -> Result<Session, UserError> {
    let settings = options
        .settings()
        .map_err(|e| UserError(format!("{e:#}")))?;
    let opts = import
        .options(true)
        .map_err(|e| UserError(format!("{e:#}")))?;
    let filters = options
        .filters(&opts.zone)
        .map_err(|e| UserError(format!("{e:#}")))?;
    let imported = import_path(file, &opts).map_err(|e| UserError(e.to_string()))?;
    Session::new(imported, settings, filters, opts.zone).map_err(|e| UserError(format!("{e:#}")))
}

pub fn run_inspect(args: &InspectArgs) -> Result<(), UserError> {
    let opts = args
        .import
        .options(false)
        .map_err(|e| UserError(format!("{e:#}")))?;
    let imported = import_path(&args.file, &opts).map_err(|e| UserError(e.to_string()))?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&imported.report).unwrap_or_default()
        );
    } else {
        print!("{}", crate::text_report::import_text(&imported.report));
    }
    Ok(())
}

pub fn run_report(args: &ReportArgs) -> Result<(), UserError> {
    let session = load_session(&args.file, &args.import, &args.options)?;
    let report = session.report_with_import();
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        print!("{}", crate::text_report::report_text(&report));
    }
    Ok(())
}

pub fn run_sample(args: &SampleArgs) -> Result<(), UserError> {
    let df = crate::sample::generate(args.conversations, args.seed);
    crate::sample::write(&df, &args.out).map_err(|e| UserError(format!("{e:#}")))?;
    eprintln!(
        "wrote {} messages in {} conversations to {}",
        df.height(),
        args.conversations,
        args.out.display()
    );
    Ok(())
}

/// Until a window can open: the report of the built-in sample.
pub fn run_sample_report() -> Result<(), UserError> {
    let session = crate::session::sample_session(&Settings::default(), &ReportZone::system())
        .map_err(|e| UserError(format!("{e:#}")))?;
    print!(
        "{}",
        crate::text_report::report_text(&session.report_with_import())
    );
    Ok(())
}
