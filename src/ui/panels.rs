//! The window's panels: top bar, navigation, red flags, status bar and the
//! central views. Everything shown is read from the report, the chart
//! descriptions or the prepared data, formatted with [`crate::format`].

use std::fmt::Write as _;
use std::sync::Arc;

use egui::{Color32, RichText, Ui};

use super::plot::{self, color};
use super::{ChatlensApp, Period, Pick, Screen, View, worker::ImageKind};
use crate::benchmarks;
use crate::charts::{Chart, palette};
use crate::format;
use crate::metrics::figures::ConversationRow;
use crate::metrics::figures::red_flags::{self, RedFlag, Severity};
use crate::metrics::prepare::{Category, NONE, Prepared};
use crate::metrics::{ChatType, Report};
use crate::session::Session;

/// A judgement shown as a colour: the same four everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    Warning,
    Critical,
    /// Not computable, or nothing to judge against.
    Unknown,
    Neutral,
}

impl Status {
    pub fn color(self, ui: &Ui) -> Color32 {
        match self {
            Status::Ok => color(palette::OK),
            Status::Warning => color(palette::WARNING),
            Status::Critical => color(palette::CRITICAL),
            Status::Unknown => color(palette::UNKNOWN),
            Status::Neutral => ui.visuals().weak_text_color(),
        }
    }

    pub fn of(sev: Option<Severity>) -> Self {
        match sev {
            Some(Severity::Ok) => Status::Ok,
            Some(Severity::Warning) => Status::Warning,
            Some(Severity::Critical) => Status::Critical,
            None => Status::Unknown,
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warning => "warning",
            Status::Critical => "critical",
            Status::Unknown => "not computable",
            Status::Neutral => "",
        }
    }
}

pub struct Kpi {
    pub label: &'static str,
    pub value: String,
    pub detail: String,
    pub benchmark: Option<String>,
    pub status: Status,
    pub based_on: String,
    pub why: Option<&'static str>,
    /// Further figures the card stands for, shown on hover (the mean
    /// beside a median).
    pub more: Option<String>,
}

fn kpi(label: &'static str, value: String, based_on: String) -> Kpi {
    Kpi {
        label,
        value,
        detail: String::new(),
        benchmark: None,
        status: Status::Neutral,
        based_on,
        why: None,
        more: None,
    }
}

/// "Mean 4 h 28 m", for the hover text of a median duration's card.
fn mean_duration(mean: Option<f64>) -> Option<String> {
    mean.map(|m| format!("Mean {}", format::duration(Some(m))))
}

fn missing(mut k: Kpi, is_missing: bool, why: &'static str) -> Kpi {
    if is_missing {
        k.status = Status::Unknown;
        k.why = Some(why);
    }
    k
}

/// A median duration card; marked unknown, with `why`, when nothing was timed.
fn median_kpi(
    label: &'static str,
    median: Option<f64>,
    count: u64,
    counted: (&str, &str),
    why: &'static str,
) -> Kpi {
    missing(
        kpi(
            label,
            format::duration(median),
            format::based_on(count, counted.0, counted.1),
        ),
        median.is_none(),
        why,
    )
}

fn above_target(v: Option<f64>, target: f64) -> Status {
    match v {
        Some(v) if v >= target => Status::Ok,
        Some(_) => Status::Warning,
        None => Status::Unknown,
    }
}

fn in_band(v: Option<f64>, band: (f64, f64)) -> Status {
    match v {
        Some(v) if v >= band.0 && v <= band.1 => Status::Ok,
        Some(_) => Status::Warning,
        None => Status::Unknown,
    }
}

impl Kpi {
    /// Judged against a "more than" target given as a fraction.
    fn with_target(mut self, value: Option<f64>, target: f64) -> Self {
        self.benchmark = Some(format!("target > {:.0}%", target * 100.0));
        self.status = above_target(value, target);
        self
    }

    /// Judged against a typical range (`unit` follows the upper bound).
    fn with_band(mut self, value: Option<f64>, band: (f64, f64), unit: &str) -> Self {
        self.benchmark = Some(format!("typical {:.0}–{:.0}{unit}", band.0, band.1));
        self.status = in_band(value, band);
        self
    }
}

/// Above the band the red flag's thresholds judge; below one to one the
/// team answers less than it is written to, outside the healthy band too.
fn ratio_status(r: &Report) -> Status {
    let th = &r.meta.settings.thresholds.high_send_low_receive;
    match r.flow.direct.ratio {
        Some(v) if v > th.critical => Status::Critical,
        Some(v) if v > th.warning => Status::Warning,
        Some(v) if v < 1.0 => Status::Warning,
        Some(_) => Status::Ok,
        None => Status::Unknown,
    }
}

pub fn direct_kpis(r: &Report) -> Vec<Kpi> {
    let d = &r.direct;
    let convs = format::based_on(d.conversations, "conversation", "conversations");
    let mut first = median_kpi(
        "First response (median)",
        d.first_response_secs.median,
        d.first_response_secs.count,
        ("answered chat", "answered chats"),
        "no inbound message got a team answer in this period",
    );
    first.detail = format!("p90 {}", format::duration(d.first_response_secs.p90));
    if d.unanswered_first > 0 {
        write!(
            first.detail,
            " · {} unanswered",
            format::count(d.unanswered_first)
        )
        .ok();
    }
    first.more = mean_duration(d.first_response_secs.mean);
    let sla = r.meta.settings.reply_sla_secs as f64;
    first.benchmark = Some(format!("reply SLA {}", format::duration(Some(sla))));
    if let Some(m) = d.first_response_secs.median {
        first.status = if m <= sla {
            Status::Ok
        } else {
            Status::Warning
        };
    }
    let mut resolution = median_kpi(
        "Resolution (median)",
        d.resolution_secs.median,
        d.resolution_secs.count,
        ("closed chat", "closed chats"),
        "no conversation was closed or went quiet long enough in this period",
    );
    resolution.more = mean_duration(d.resolution_secs.mean);
    if d.resolution_secs.derived_count > 0 {
        resolution.detail = format!(
            "{} closed by inactivity",
            format::count(d.resolution_secs.derived_count)
        );
    }
    vec![
        kpi(
            "Conversations",
            format::count(d.conversations),
            "1:1 chats in the period".into(),
        ),
        kpi("Sent", format::count(d.messages_sent), convs.clone()),
        kpi(
            "Received",
            format::count(d.messages_received),
            convs.clone(),
        ),
        missing(
            kpi(
                "Msgs / chat",
                format::number(d.avg_messages_per_chat, 1),
                convs,
            ),
            d.avg_messages_per_chat.is_none(),
            "no 1:1 conversation in this period",
        ),
        first,
        resolution,
        direct_ratio_kpi(r),
    ]
}

/// The 1:1 sent : received card, judged against the healthy band; on the
/// overview and first in the flow view.
fn direct_ratio_kpi(r: &Report) -> Kpi {
    let mut ratio = missing(
        kpi(
            "Sent : received",
            format::ratio(r.flow.direct.ratio),
            format!("based on {} received", format::count(r.flow.direct.inbound)),
        ),
        r.flow.direct.ratio.is_none(),
        "no message was received in 1:1 chats",
    );
    ratio.benchmark = Some("healthy 1:1 – 2:1".into());
    ratio.status = ratio_status(r);
    ratio
}

pub fn group_kpis(r: &Report) -> Vec<Kpi> {
    let g = &r.groups;
    let mut reach = kpi(
        "Reach",
        format::count(g.reach),
        format!("{} active groups", format::count(g.active_groups)),
    );
    if g.reach_estimated {
        reach.detail = "estimated from senders (no member counts)".into();
    }
    vec![
        kpi(
            "Active groups",
            format::count(g.active_groups),
            format!(
                "active in the last {}",
                format::days(r.meta.settings.active_days)
            ),
        ),
        kpi(
            "Messages to groups",
            format::count(g.messages_to_groups),
            format!("{} group chats", format::count(g.group_conversations)),
        ),
        reach,
        missing(
            kpi(
                "Engagement",
                format::pct(g.engagement_rate),
                format!(
                    "based on {} sent",
                    format::count_of(g.messages_to_groups, "message", "messages")
                ),
            ),
            g.engagement_rate.is_none(),
            "no message was sent to a group in this period",
        ),
        missing(
            kpi(
                "Participation",
                format::pct(g.member_participation),
                format::participation_basis(g.participating_senders, g.participation_members),
            ),
            g.member_participation.is_none(),
            "needs member counts (a group_members column) for the active groups",
        ),
    ]
}

pub fn followup_kpis(r: &Report) -> Vec<Kpi> {
    let f = &r.followups;
    let completion = missing(
        kpi(
            "Follow-ups completed",
            format::pct(f.completion_rate),
            format!("based on {} scheduled", format::count(f.scheduled)),
        ),
        f.completion_rate.is_none(),
        "needs scheduled follow-ups (a status column)",
    )
    .with_target(f.completion_rate, benchmarks::FOLLOWUP_COMPLETION_TARGET);
    let response = missing(
        kpi(
            "Follow-up response",
            format::pct(f.response_rate),
            format!("based on {} delivered", format::count(f.delivered)),
        ),
        f.response_rate.is_none(),
        "no follow-up was delivered in this period",
    )
    .with_target(f.response_rate, benchmarks::FOLLOWUP_RESPONSE_TARGET);
    let per_lead = missing(
        kpi(
            "Follow-ups per lead",
            format::number(f.avg_per_lead, 1),
            format::based_on(f.leads, "lead", "leads"),
        ),
        f.avg_per_lead.is_none(),
        "no lead got a follow-up in this period",
    )
    .with_band(f.avg_per_lead, benchmarks::FOLLOWUPS_PER_LEAD, "");
    let mut between = missing(
        kpi(
            "Days between follow-ups",
            format::number(f.days_between.median, 1),
            format::based_on(f.days_between.count, "gap", "gaps"),
        ),
        f.days_between.median.is_none(),
        "needs two follow-ups in one conversation",
    )
    .with_band(
        f.days_between.median,
        benchmarks::DAYS_BETWEEN_FOLLOWUPS,
        " days",
    );
    between.more = f
        .days_between
        .mean
        .map(|m| format!("Mean {} days", format::number(Some(m), 1)));
    let outreach = missing(
        kpi(
            "Initial outreach response",
            format::pct(f.initial_outreach_response_rate),
            format::based_on(f.initial_outreach_touches, "touch", "touches"),
        ),
        f.initial_outreach_response_rate.is_none(),
        "no initial outreach in this period",
    );
    vec![completion, response, per_lead, between, outreach]
}

pub fn timing_kpis(r: &Report) -> Vec<Kpi> {
    let t = &r.timing;
    let mut team = median_kpi(
        "Team reply (median)",
        t.team_reply_secs.median,
        t.team_reply_secs.count,
        ("answered run", "answered runs"),
        "the team answered no inbound message in this period",
    );
    team.detail = format!("p90 {}", format::duration(t.team_reply_secs.p90));
    team.more = mean_duration(t.team_reply_secs.mean);
    let mut customer = median_kpi(
        "Customer reply (median)",
        t.customer_reply_secs.median,
        t.customer_reply_secs.count,
        ("reply", "replies"),
        "no customer replied to a touch in this period",
    );
    customer.more = mean_duration(t.customer_reply_secs.mean);
    vec![
        missing(
            kpi(
                "Touch response rate",
                format::pct(t.touch_response_rate),
                format::based_on(t.touches, "touch", "touches"),
            ),
            t.touch_response_rate.is_none(),
            "no delivered touch in this period",
        ),
        team,
        customer,
    ]
}

/// The flow view's cards: the 1:1 ratio the overview shows, then all
/// chats and groups, each with the counts it divides.
pub fn flow_kpis(r: &Report) -> Vec<Kpi> {
    let f = &r.flow;
    let counts = |out: u64, inb: u64| {
        format!(
            "{} sent · {} received",
            format::count(out),
            format::count(inb)
        )
    };
    vec![
        direct_ratio_kpi(r),
        missing(
            kpi(
                "Sent : received (all chats)",
                format::ratio(f.ratio),
                counts(f.outbound, f.inbound),
            ),
            f.ratio.is_none(),
            "no message was received in this period",
        ),
        missing(
            kpi(
                "Sent : received (groups)",
                format::ratio(f.group.ratio),
                counts(f.group.outbound, f.group.inbound),
            ),
            f.group.ratio.is_none(),
            "no message was received in a group chat in this period",
        ),
    ]
}

/// A small status dot, painted (the bundled fonts have no bullet glyph).
pub fn dot(ui: &mut Ui, c: Color32) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
    ui.painter().circle_filled(rect.center(), 4.5, c);
}

const CARD_W: f32 = 170.0;

/// What each card's figure means, in a manager's words (docs/METRICS.md has
/// the exact rules), under the heading of the view that shows it: on the
/// card when the pointer rests on it, and all together under Help.
pub const MEANINGS: [(&str, &[(&str, &str)]); 5] = [
    (
        "1:1 chats",
        &[
            (
                "Conversations",
                "One-to-one chats with a message in the period.",
            ),
            (
                "Sent",
                "Messages the team sent in one-to-one chats in the period, whatever their delivery status.",
            ),
            (
                "Received",
                "Messages customers sent in one-to-one chats in the period.",
            ),
            (
                "Msgs / chat",
                "Messages sent and received in one-to-one chats, divided by the number of those chats.",
            ),
            (
                "First response (median)",
                "For each one-to-one chat with a customer message: the time from its first customer message to the team's next message. Half the chats were answered faster than this, nine in ten within the p90.",
            ),
            (
                "Resolution (median)",
                "From a chat's first message to its close time; for a chat without one that has been quiet for the inactivity close (Settings), to its last message.",
            ),
            (
                "Sent : received",
                "Messages sent per message received in one-to-one chats. 1:1 to 2:1 is healthy; far above it, the team talks more than customers answer; below 1:1, customers write more than the team answers.",
            ),
        ],
    ),
    (
        "Message flow",
        &[
            (
                "Sent : received (all chats)",
                "Messages the team sent per message received, in one-to-one and group chats together.",
            ),
            (
                "Sent : received (groups)",
                "Messages the team sent to group chats per message members wrote in them.",
            ),
        ],
    ),
    (
        "Groups",
        &[
            (
                "Active groups",
                "Group chats with a message in the active days (Settings) before the end of the period.",
            ),
            (
                "Messages to groups",
                "Messages the team sent to group chats in the period, whatever their delivery status.",
            ),
            (
                "Reach",
                "Members of the active groups, from the member counts in the log; without them, the distinct people who wrote in those groups.",
            ),
            (
                "Engagement",
                "Customer messages in groups that answer a team message within the response window, before the team's next one, per message the team sent to groups. It can pass 100%.",
            ),
            (
                "Participation",
                "Distinct customers who wrote in the active groups in the period, of those groups' members; only groups with a member count take part.",
            ),
        ],
    ),
    (
        "Follow-ups",
        &[
            (
                "Follow-ups completed",
                "Delivered follow-ups, of all scheduled ones: failed, cancelled or still pending ones are not completed.",
            ),
            (
                "Follow-up response",
                "Delivered follow-ups a customer answered within the response window, before the team's next delivered message.",
            ),
            (
                "Follow-ups per lead",
                "For each chat that opens with outreach: the follow-ups sent before the customer first wrote (all of them if never), averaged.",
            ),
            (
                "Days between follow-ups",
                "Median days from the start of the team's previous message to the start of each follow-up.",
            ),
            (
                "Initial outreach response",
                "Delivered opening messages a customer answered within the response window, before the team's next delivered message.",
            ),
        ],
    ),
    (
        "Timing",
        &[
            (
                "Touch response rate",
                "Delivered team messages in one-to-one chats, broadcasts aside, that a customer answered within the response window, before the team's next delivered message. Messages sent within the burst gap count as one.",
            ),
            (
                "Team reply (median)",
                "For each run of customer messages: the time until the team's next message. Half the runs were answered faster than this, nine in ten within the p90.",
            ),
            (
                "Customer reply (median)",
                "For each team message a customer answered: the time until the answer.",
            ),
        ],
    ),
];

fn meaning(label: &str) -> Option<&'static str> {
    MEANINGS
        .iter()
        .flat_map(|(_, cards)| cards.iter())
        .find(|(l, _)| *l == label)
        .map(|(_, m)| *m)
}

fn kpi_card(ui: &mut Ui, k: &Kpi) {
    let c = k.status.color(ui);
    let frame = egui::Frame::group(ui.style())
        .stroke(egui::Stroke::new(1.0, c.gamma_multiply(0.7)))
        .inner_margin(8.0);
    let resp = frame
        .show(ui, |ui| {
            ui.set_width(CARD_W);
            ui.set_min_height(86.0);
            ui.vertical(|ui| {
                ui.horizontal(|ui| {
                    if k.status != Status::Neutral {
                        dot(ui, c);
                    }
                    ui.label(RichText::new(k.label).small().strong());
                });
                ui.label(RichText::new(&k.value).size(22.0).strong());
                if !k.detail.is_empty() {
                    ui.label(RichText::new(&k.detail).small());
                }
                if let Some(b) = &k.benchmark {
                    ui.label(RichText::new(b).small().color(c));
                }
                ui.label(RichText::new(&k.based_on).small().weak());
            });
        })
        .response;
    let state = match k.why {
        Some(why) => Some(format!("Not computable: {why}")),
        None => (k.status != Status::Neutral).then(|| format!("Status: {}", k.status.word())),
    };
    let tip = [meaning(k.label).map(str::to_string), k.more.clone(), state]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n\n");
    if !tip.is_empty() {
        resp.on_hover_text(tip);
    }
}

/// Cards in rows that fit the width: a frame's size is only known after
/// drawing it, so a wrapping layout cannot place them.
pub fn kpi_cards(ui: &mut Ui, kpis: &[Kpi]) {
    let spacing = ui.spacing().item_spacing.x;
    let outer = CARD_W + 2.0 * 8.0 + 2.0 + spacing;
    let per_row = (((ui.available_width() + spacing) / outer).floor() as usize).max(1);
    for row in kpis.chunks(per_row) {
        ui.horizontal(|ui| {
            for k in row {
                kpi_card(ui, k);
            }
        });
    }
}

fn chart_menu(app: &mut ChatlensApp, ui: &mut Ui, chart: &Chart) {
    ui.menu_button("...", |ui| {
        if ui.button("Export PNG…").clicked() {
            app.pick(
                ui.ctx(),
                Pick::ExportChart {
                    id: chart.id,
                    kind: ImageKind::Png,
                },
            );
            ui.close();
        }
        if ui.button("Export SVG…").clicked() {
            app.pick(
                ui.ctx(),
                Pick::ExportChart {
                    id: chart.id,
                    kind: ImageKind::Svg,
                },
            );
            ui.close();
        }
        if ui.button("Copy image").clicked() {
            app.copy_chart(chart.id);
            ui.close();
        }
    })
    .response
    .on_hover_text("Export or copy this chart");
}

fn chart_card(app: &mut ChatlensApp, ui: &mut Ui, chart: &Chart) {
    egui::Frame::group(ui.style())
        .inner_margin(8.0)
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new(&chart.title).strong());
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    chart_menu(app, ui, chart);
                });
            });
            ui.label(RichText::new(&chart.subtitle).small().weak());
            plot::draw(ui, chart, 260.0);
        });
}

/// The charts with these ids, two per row when the window is wide. A
/// chart left alone in the last row takes the whole row, where its axis
/// labels have room, rather than half of it beside a gap.
fn charts(app: &mut ChatlensApp, ui: &mut Ui, ids: &[&str]) {
    let list: Vec<Chart> = ids
        .iter()
        .filter_map(|id| app.charts.iter().find(|c| c.id == *id).cloned())
        .collect();
    let wide = ui.available_width() > 900.0;
    let per_row = if wide && list.len() > 1 { 2 } else { 1 };
    for row in list.chunks(per_row) {
        ui.columns(row.len(), |cols| {
            for (col, chart) in cols.iter_mut().zip(row) {
                chart_card(app, col, chart);
            }
        });
        ui.add_space(6.0);
    }
}

/// With the whole log as the period (the default), the previous period
/// lies before the first message: the comparison is empty. Says so, and
/// offers the periods that compare like for like.
fn empty_previous_period(app: &mut ChatlensApp, ui: &mut Ui, r: &Report) {
    let c = &r.compare;
    if c.from.is_none() || c.flow.outbound + c.flow.inbound > 0 {
        return;
    }
    egui::Frame::new()
        .fill(color(palette::ACCENT).gamma_multiply(0.2))
        .inner_margin(6.0)
        .show(ui, |ui| {
            ui.label(format!(
                "The log has no messages in the previous period ({}), so there is nothing to compare with.",
                format::period(c.from.as_deref(), c.to.as_deref())
            ));
            // The previous period is as long as this one, rounded up to
            // whole weeks.
            let shorter: Vec<(Period, i64)> = [(Period::Last7, 7), (Period::Last30, 30)]
                .into_iter()
                .filter(|(p, days)| *days < c.shift_days && *p != app.filter_ui.period)
                .collect();
            if shorter.is_empty() {
                ui.label("Comparing like for like needs a log twice as long as the period.");
                return;
            }
            ui.horizontal(|ui| {
                ui.label("Compare");
                for (p, days) in shorter {
                    if ui
                        .button(format!("the last {days} days with the {days} before"))
                        .clicked()
                    {
                        app.filter_ui.period = p;
                    }
                }
            });
        });
    ui.add_space(6.0);
}

/// Room kept beside a wrapped message for its Dismiss button.
const DISMISS_WIDTH: f32 = 80.0;

/// A message and its Dismiss button, in a horizontal row: a long message
/// wraps short of the button, which would otherwise be pushed past the
/// window's edge. Whether the button was clicked.
fn dismissable(ui: &mut Ui, message: &str) -> bool {
    let room = ui.available_width() - DISMISS_WIDTH;
    ui.scope(|ui| {
        ui.set_max_width(room);
        ui.add(egui::Label::new(message).wrap());
    });
    ui.button("Dismiss").clicked()
}

/// A menu item that opens one of the app's windows.
fn opens_window(ui: &mut Ui, label: &str, open: &mut bool) {
    if ui.button(label).clicked() {
        *open = true;
        ui.close();
    }
}

pub fn top_bar(app: &mut ChatlensApp, ui: &mut Ui) {
    egui::Panel::top("top").show(ui, |ui| {
        egui::MenuBar::new().ui(ui, |ui| {
            file_menu(app, ui);
            ui.menu_button("View", |ui| {
                for v in View::ALL {
                    let item = egui::Button::selectable(app.view == v, v.label())
                        .shortcut_text(ui.ctx().format_shortcut(&v.shortcut()));
                    if ui.add(item).clicked() {
                        app.open_view(v);
                        ui.close();
                    }
                }
                ui.separator();
                opens_window(ui, "Import report", &mut app.show_import_report);
                opens_window(ui, "Settings…", &mut app.show_settings);
            });
            ui.menu_button("Help", |ui| {
                opens_window(ui, "Figures explained", &mut app.show_figures_help);
                opens_window(ui, "About Chatlens", &mut app.show_about);
            });
            ui.separator();
            if app.session.is_some() {
                ui.label(RichText::new(app.source.label()).strong());
            } else {
                ui.weak("No log open");
            }
            ui.separator();
            filters(app, ui);
        });
        if app.is_sample() {
            egui::Frame::new()
                .fill(color(palette::ACCENT).gamma_multiply(0.25))
                .inner_margin(6.0)
                .show(ui, |ui| {
                    ui.horizontal(|ui| {
                        ui.label(RichText::new("Sample data").strong());
                        ui.label(
                            "You are looking at generated demo data. Open your own message \
                             log to see your team's figures.",
                        );
                        if ui.button("Open…").clicked() {
                            app.pick(ui.ctx(), Pick::Open);
                        }
                    });
                });
        }
        if let Some(e) = app.error.clone() {
            egui::Frame::new()
                .fill(color(palette::CRITICAL).gamma_multiply(0.25))
                .inner_margin(6.0)
                .show(ui, |ui| {
                    ui.horizontal(|ui| {
                        ui.label(
                            RichText::new("Error")
                                .strong()
                                .color(color(palette::CRITICAL)),
                        );
                        if dismissable(ui, &e) {
                            app.error = None;
                        }
                    });
                });
        }
        if let Some(n) = app.notice.clone() {
            ui.horizontal(|ui| {
                if dismissable(ui, &n) {
                    app.notice = None;
                }
            });
        }
    });
}

fn file_menu(app: &mut ChatlensApp, ui: &mut Ui) {
    let ctx = ui.ctx().clone();
    ui.menu_button("File", |ui| {
        if ui
            .add(egui::Button::new("Open…").shortcut_text(ctx.format_shortcut(&super::OPEN)))
            .clicked()
        {
            app.pick(&ctx, Pick::Open);
            ui.close();
        }
        ui.menu_button("Recent", |ui| {
            if app.persisted.recent.is_empty() {
                ui.weak("No recent files");
            }
            for p in app.persisted.recent.clone() {
                if ui.button(p.display().to_string()).clicked() {
                    app.open_path(p);
                    ui.close();
                }
            }
        });
        if ui.button("Open sample data").clicked() {
            let options = app.import_options();
            app.start_load(super::worker::Source::Sample, options);
            ui.close();
        }
        ui.separator();
        if ui
            .add(egui::Button::new("Save report…").shortcut_text(ctx.format_shortcut(&super::SAVE)))
            .clicked()
        {
            app.pick(&ctx, Pick::SaveReport);
            ui.close();
        }
        if ui.button("Export all charts…").clicked() {
            app.pick(&ctx, Pick::ExportAll);
            ui.close();
        }
        if ui.button("Export data…").clicked() {
            app.pick(&ctx, Pick::ExportData);
            ui.close();
        }
        ui.separator();
        if ui.add(egui::Button::new("Settings…")).clicked() {
            app.show_settings = true;
            ui.close();
        }
        if ui
            .add(egui::Button::new("Quit").shortcut_text(ctx.format_shortcut(&super::QUIT)))
            .clicked()
        {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    });
}

/// Lists of names longer than this get a search field.
const SEARCH_FROM: usize = 12;

/// A search field above a list of `len` names when it is long (a large
/// team, a group chat): what was typed, lowercased, to narrow the list by.
/// The text lasts while the list is shown.
pub(super) fn list_search(
    ui: &mut Ui,
    id: impl std::hash::Hash + std::fmt::Debug,
    len: usize,
) -> String {
    let search_id = ui.make_persistent_id(id);
    let mut search: String = ui.data(|d| d.get_temp(search_id)).unwrap_or_default();
    if len > SEARCH_FROM {
        ui.add(egui::TextEdit::singleline(&mut search).hint_text("Search"));
        ui.data_mut(|d| d.insert_temp(search_id, search.clone()));
    }
    search.trim().to_lowercase()
}

fn multi_select(ui: &mut Ui, title: &str, values: &[String], chosen: &mut Vec<String>) {
    let label = match chosen.len() {
        0 => format!("{title}: all"),
        1 => format!("{title}: {}", chosen[0]),
        n => format!("{title}: {n} chosen"),
    };
    // Several values are ticked in one go, and the search takes clicks:
    // only a click outside closes the list.
    let config = egui::containers::menu::MenuConfig::new()
        .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside);
    egui::containers::menu::MenuButton::new(label)
        .config(config)
        .ui(ui, |ui| {
            // A name on one line, not broken after every word.
            ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
            if values.is_empty() {
                ui.weak(format!("The log has no {} column.", title.to_lowercase()));
            }
            // Always there, so that ticking the first name does not move
            // the list under the pointer.
            if ui
                .add_enabled(!chosen.is_empty(), egui::Button::new("All"))
                .clicked()
            {
                chosen.clear();
            }
            let needle = list_search(ui, ("search", title), values.len());
            egui::ScrollArea::vertical()
                .max_height(320.0)
                .show(ui, |ui| {
                    for v in values
                        .iter()
                        .filter(|v| needle.is_empty() || v.to_lowercase().contains(&needle))
                    {
                        let mut on = chosen.contains(v);
                        if ui.checkbox(&mut on, v).changed() {
                            if on {
                                chosen.push(v.clone());
                                chosen.sort();
                            } else {
                                chosen.retain(|c| c != v);
                            }
                        }
                    }
                });
        });
}

fn filters(app: &mut ChatlensApp, ui: &mut Ui) {
    let f = &mut app.filter_ui;
    // The menus show what is chosen; the hover text names what they choose,
    // for a screen reader too.
    egui::ComboBox::from_id_salt("period")
        .selected_text(f.period.label())
        .show_ui(ui, |ui| {
            for p in [
                Period::Last7,
                Period::Last30,
                Period::Last90,
                Period::All,
                Period::Custom,
            ] {
                ui.selectable_value(&mut f.period, p, p.label());
            }
        })
        .response
        .on_hover_text("Period");
    if f.period == Period::Custom {
        if f.custom_from.is_empty()
            && let Some(s) = &app.session
        {
            f.custom_from = s
                .report
                .meta
                .from
                .as_deref()
                .unwrap_or("")
                .chars()
                .take(10)
                .collect();
            f.custom_to = s
                .report
                .meta
                .data_last
                .as_deref()
                .unwrap_or("")
                .chars()
                .take(10)
                .collect();
        }
        let from = ui.label("from");
        ui.add(
            egui::TextEdit::singleline(&mut f.custom_from)
                .desired_width(82.0)
                .hint_text("YYYY-MM-DD"),
        )
        .labelled_by(from.id);
        let to = ui.label("to");
        ui.add(
            egui::TextEdit::singleline(&mut f.custom_to)
                .desired_width(82.0)
                .hint_text("YYYY-MM-DD"),
        )
        .labelled_by(to.id);
        if ui.button("Apply").clicked() {
            app.recompute();
            return;
        }
    }
    let type_label = |t: Option<ChatType>| match t {
        None => "1:1 + groups",
        Some(ChatType::Direct) => "1:1 only",
        Some(ChatType::Group) => "Groups only",
    };
    egui::ComboBox::from_id_salt("chat-type")
        .selected_text(type_label(f.chat_type))
        .show_ui(ui, |ui| {
            for t in [None, Some(ChatType::Direct), Some(ChatType::Group)] {
                ui.selectable_value(&mut f.chat_type, t, type_label(t));
            }
        })
        .response
        .on_hover_text("Chat type");
    let (segments, agents) = app.session.as_ref().map_or_else(Default::default, |s| {
        let names = |v: &[std::sync::Arc<str>]| {
            let mut v: Vec<String> = v.iter().map(ToString::to_string).collect();
            v.sort();
            v
        };
        // The tables' names for rows without a segment or an agent are
        // filters too, where the log has such rows.
        let with = |mut v: Vec<String>, name: &str, has: bool| {
            if has && !v.iter().any(|n| n == name) {
                v.push(name.to_owned());
            }
            v
        };
        let p = &s.prepared;
        let seg = with(
            names(&p.segment.values),
            crate::metrics::figures::segments::UNKNOWN,
            p.has_segment && p.has_unsegmented,
        );
        let ag = with(
            names(&p.agent.values),
            crate::metrics::figures::agents::UNASSIGNED,
            p.has_agent && p.has_unassigned,
        );
        (seg, ag)
    });
    multi_select(ui, "Segment", &segments, &mut f.segments);
    multi_select(ui, "Agent", &agents, &mut f.agents);
}

pub fn status_bar(app: &mut ChatlensApp, ui: &mut Ui) {
    egui::Panel::bottom("status").show(ui, |ui| {
        ui.horizontal(|ui| {
            if let Some(l) = &app.loading {
                let p = &l.progress;
                let rows = p.rows_read.load(std::sync::atomic::Ordering::Relaxed);
                let bytes = p.bytes_read.load(std::sync::atomic::Ordering::Relaxed);
                let text = if l.recompute {
                    format!("{}…", l.label)
                } else {
                    format!(
                        "{} · {} rows · {:.1} MB · {:.0} s",
                        l.label,
                        format::count(rows),
                        bytes as f64 / 1e6,
                        l.started.elapsed().as_secs_f64()
                    )
                };
                let bar = match p.fraction() {
                    Some(f) if !l.recompute => egui::ProgressBar::new(f).show_percentage(),
                    _ => egui::ProgressBar::new(0.0).animate(true),
                };
                ui.add(bar.desired_width(160.0));
                ui.label(text);
                if ui.button("Cancel").clicked() {
                    app.cancel_loading();
                }
                ui.separator();
            }
            let Some(s) = &app.session else {
                ui.label("No log open: use File, Open… or drop a file on the window");
                return;
            };
            let imp = &s.imported.report;
            ui.label(format::count_of(imp.rows_kept, "row", "rows"));
            let skipped: u64 = imp.skipped.values().sum();
            ui.separator();
            let label = if skipped > 0 {
                format!("{} skipped (details)", format::count(skipped))
            } else {
                "Import report".to_string()
            };
            if ui.link(label).clicked() {
                app.show_import_report = true;
            }
            if !imp.warnings.is_empty() {
                let warnings = RichText::new(format::count_of(
                    imp.warnings.len() as u64,
                    "warning",
                    "warnings",
                ))
                .color(color(palette::WARNING));
                // The warnings are read in the import report.
                if ui.link(warnings).clicked() {
                    app.show_import_report = true;
                }
            }
            ui.separator();
            ui.label(format!(
                "period {}",
                format::period(s.report.meta.from.as_deref(), s.report.meta.to.as_deref())
            ));
            ui.separator();
            ui.label(&s.report.meta.tz);
        });
    });
}

pub fn nav(app: &mut ChatlensApp, ui: &mut Ui) {
    egui::Panel::left("nav")
        .resizable(false)
        .exact_size(130.0)
        .show(ui, |ui| {
            ui.add_space(6.0);
            for v in View::ALL {
                let selected = app.view == v && app.stack.is_empty();
                if ui
                    .add_sized([118.0, 26.0], egui::Button::selectable(selected, v.label()))
                    // Built only while the pointer rests on the button.
                    .on_hover_ui(|ui| {
                        ui.label(ui.ctx().format_shortcut(&v.shortcut()));
                    })
                    .clicked()
                {
                    app.open_view(v);
                }
            }
        });
}

pub(super) fn flag_value(f: &RedFlag) -> (String, String) {
    if f.id == "high_send_low_receive" {
        (
            format::ratio(f.value),
            format!(
                "warning > {} · critical > {}",
                format::ratio(Some(f.warning)),
                format::ratio(Some(f.critical))
            ),
        )
    } else {
        (
            format::pct(f.value),
            format!(
                "warning > {} · critical > {}",
                format::pct(Some(f.warning)),
                format::pct(Some(f.critical))
            ),
        )
    }
}

pub fn red_flag_panel(app: &mut ChatlensApp, ui: &mut Ui) {
    egui::Panel::right("red-flags")
        .resizable(true)
        .default_size(300.0)
        .min_size(240.0)
        .show(ui, |ui| {
            ui.add_space(4.0);
            ui.heading("Red flags");
            let Some(s) = app.session.clone() else {
                ui.label("Open a log to see its red flags.");
                return;
            };
            egui::ScrollArea::vertical().show(ui, |ui| {
                for f in &s.report.red_flags {
                    let text = red_flags::describe(f.id);
                    let status = Status::of(f.severity);
                    let c = status.color(ui);
                    egui::Frame::group(ui.style())
                        .stroke(egui::Stroke::new(1.0, c.gamma_multiply(0.6)))
                        .inner_margin(6.0)
                        .show(ui, |ui| {
                            ui.set_width(ui.available_width());
                            ui.horizontal(|ui| {
                                dot(ui, c);
                                ui.label(RichText::new(text.title).strong())
                                    .on_hover_text(text.measures);
                            });
                            let (value, limits) = flag_value(f);
                            let resp = ui.horizontal(|ui| {
                                ui.label(RichText::new(value).size(18.0).strong().color(c));
                                ui.label(RichText::new(status.word()).small().color(c));
                            });
                            if let Some(why) = f.missing {
                                resp.response
                                    .on_hover_text(format!("Not computable: {why}"));
                                ui.label(RichText::new(why).small().weak());
                            }
                            ui.label(RichText::new(limits).small().weak());
                            ui.label(
                                RichText::new(format::based_on(
                                    f.based_on,
                                    text.counts.0,
                                    text.counts.1,
                                ))
                                .small()
                                .weak(),
                            );
                            ui.label(RichText::new(text.cause).small());
                            ui.label(
                                RichText::new(format!("What to do: {}", text.action))
                                    .small()
                                    .italics(),
                            );
                            if !f.offenders.is_empty()
                                && ui
                                    .button(format!("Show {}", text.offenders(f.offenders.len())))
                                    .clicked()
                            {
                                app.stack.push(Screen::Offenders { flag: f.id });
                            }
                        });
                    ui.add_space(4.0);
                }
            });
        });
}

pub fn central(app: &mut ChatlensApp, ui: &mut Ui) {
    let Some(session) = app.session.clone() else {
        ui.vertical_centered(|ui| {
            ui.add_space(80.0);
            if app.loading.is_some() {
                ui.spinner();
                if let Some(l) = &app.loading {
                    ui.label(format!("{}…", l.label));
                }
            } else {
                ui.heading("No log open");
                ui.label("Open a message log (CSV, Excel, JSON, WhatsApp export) or a .chatlens report, or drop it on this window.");
                if ui.button("Open…").clicked() {
                    app.pick(ui.ctx(), Pick::Open);
                }
            }
        });
        return;
    };
    if let Some(screen) = app.stack.last().cloned() {
        if ui
            .button("< Back")
            .on_hover_ui(|ui| {
                ui.label(ui.ctx().format_shortcut(&super::BACK));
            })
            .clicked()
        {
            app.stack.pop();
            return;
        }
        match screen {
            Screen::Offenders { flag } => offenders(app, ui, &session, flag),
            Screen::Timeline { conv } => timeline(app, ui, &session, conv),
        }
        return;
    }
    let mut area = egui::ScrollArea::vertical()
        .id_salt(("view", app.view))
        .auto_shrink(false);
    if let Some(k) = app.views_to_top.iter().position(|v| *v == app.view) {
        app.views_to_top.swap_remove(k);
        area = area.vertical_scroll_offset(0.0);
    }
    area.show(ui, |ui| {
        ui.heading(app.view.label());
        ui.add_space(4.0);
        let r = &session.report;
        match app.view {
            View::Overview => {
                ui.label(RichText::new("1:1 chats").strong());
                kpi_cards(ui, &direct_kpis(r));
                ui.add_space(6.0);
                ui.label(RichText::new("Groups").strong());
                kpi_cards(ui, &group_kpis(r));
                ui.add_space(8.0);
                charts(app, ui, &["flow-weekly", "followup-decay"]);
            }
            View::Flow => {
                kpi_cards(ui, &flow_kpis(r));
                charts(app, ui, &["flow-weekly", "flow-ratio", "category-mix"]);
            }
            View::Followups => {
                kpi_cards(ui, &followup_kpis(r));
                charts(app, ui, &["followup-decay"]);
                wide(ui, "decay-table", |ui| decay_table(ui, r));
            }
            View::Timing => {
                kpi_cards(ui, &timing_kpis(r));
                charts(
                    app,
                    ui,
                    &["slot-response", "weekday-response", "reply-times"],
                );
                charts(app, ui, &["response-heatmap"]);
            }
            View::Segments => {
                charts(app, ui, &["segments"]);
                wide(ui, "segments-table", |ui| {
                    super::dialogs::segments_table(ui, r);
                });
            }
            View::Groups => {
                kpi_cards(ui, &group_kpis(r));
                charts(app, ui, &["groups"]);
                wide(ui, "groups-table", |ui| super::dialogs::groups_table(ui, r));
            }
            View::Quality => {
                charts(app, ui, &["quality-score"]);
                wide(ui, "quality-table", |ui| {
                    super::dialogs::quality_table(ui, r);
                });
            }
            View::Outcomes => {
                charts(app, ui, &["pareto"]);
                wide(ui, "outcomes-table", |ui| {
                    super::dialogs::outcomes_table(ui, r);
                });
            }
            View::Compare => {
                empty_previous_period(app, ui, r);
                charts(app, ui, &["compare"]);
                wide(ui, "compare-table", |ui| {
                    super::dialogs::compare_table(ui, r);
                });
            }
            View::Agents => {
                charts(app, ui, &["agents"]);
                wide(ui, "agents-table", |ui| super::dialogs::agents_table(ui, r));
            }
        }
    });
}

/// A table wider than the panel scrolls sideways instead of being cut at
/// the panel's edge.
fn wide(ui: &mut Ui, id: &str, table: impl FnOnce(&mut Ui)) {
    egui::ScrollArea::horizontal().id_salt(id).show(ui, table);
}

fn decay_table(ui: &mut Ui, r: &Report) {
    egui::Grid::new("decay").striped(true).show(ui, |ui| {
        ui.strong("Position");
        ui.strong("Response rate");
        ui.strong("Typical");
        ui.strong("Touches");
        ui.end_row();
        for (i, p) in r.followups.by_position.all().iter().enumerate() {
            let label = crate::metrics::figures::followups::ByPosition::LABELS
                .get(i)
                .copied()
                .unwrap_or("");
            ui.label(label);
            ui.label(format::pct(p.rate));
            ui.label(
                benchmarks::DECAY_BANDS
                    .get(i)
                    .map_or(String::new(), |b| benchmarks::band_text(*b)),
            );
            ui.label(format::count(p.touches));
            ui.end_row();
        }
    });
}

/// The report's conversations that a flag names (by id, or by contact).
pub fn offender_rows<'a>(r: &'a Report, p: &Prepared, flag: &str) -> Vec<&'a ConversationRow> {
    offender_indices(r, p, flag)
        .into_iter()
        .map(|i| &r.conversations[i as usize])
        .collect()
}

/// Where in `r.conversations` the rows a flag names are.
fn offender_indices(r: &Report, p: &Prepared, flag: &str) -> Vec<u32> {
    let Some(f) = r.red_flags.iter().find(|f| f.id == flag) else {
        return Vec::new();
    };
    let set: std::collections::HashSet<&str> = f.offenders.iter().map(|o| &**o).collect();
    let by_contact = red_flags::describe(flag).contacts;
    r.conversations
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            set.contains(if by_contact {
                c.contact_name(p)
            } else {
                c.id(p)
            })
        })
        .map(|(i, _)| i as u32)
        .collect()
}

/// A flag's offending conversations in the list's order: (column, ascending).
fn sorted_offenders(session: &Session, flag: &str, (column, ascending): (usize, bool)) -> Vec<u32> {
    let p = &*session.prepared;
    let conversations = &session.report.conversations;
    let mut list = offender_indices(&session.report, p, flag);
    list.sort_by(|&a, &b| {
        let (a, b) = (&conversations[a as usize], &conversations[b as usize]);
        let o = match column {
            0 => a.id(p).cmp(b.id(p)),
            1 => a.contact_name(p).cmp(b.contact_name(p)),
            2 => a.segment_name(p).cmp(b.segment_name(p)),
            3 => a.agent_name(p).cmp(&b.agent_name(p)),
            4 => a.messages.cmp(&b.messages),
            5 => a.outbound.cmp(&b.outbound),
            6 => a.inbound.cmp(&b.inbound),
            7 => a
                .first_response_secs
                .get()
                .unwrap_or(f64::INFINITY)
                .total_cmp(&b.first_response_secs.get().unwrap_or(f64::INFINITY)),
            _ => a.last_ts.cmp(&b.last_ts),
        };
        if ascending { o } else { o.reverse() }
    });
    list
}

/// Whether state kept for a view (`kept`) belongs to the session on screen.
fn is_session(kept: &std::sync::Weak<Session>, s: &Arc<Session>) -> bool {
    std::sync::Weak::ptr_eq(kept, &Arc::downgrade(s))
}

/// An offender list being built, or built, for one session, flag and order.
/// Large logs name hundreds of thousands of offenders: the list is built
/// once, on a thread of its own, not in every frame.
pub struct OffenderList {
    session: std::sync::Weak<Session>,
    flag: &'static str,
    sort: (usize, bool),
    /// Shared, so that a frame holds the list without copying it.
    rows: Option<Arc<[u32]>>,
    pending: Option<std::sync::mpsc::Receiver<Vec<u32>>>,
}

impl OffenderList {
    fn is_for(&self, s: &Arc<Session>, flag: &str, sort: (usize, bool)) -> bool {
        is_session(&self.session, s) && self.flag == flag && self.sort == sort
    }

    fn start(
        ctx: &egui::Context,
        s: &Arc<Session>,
        flag: &'static str,
        sort: (usize, bool),
    ) -> Self {
        let (send, receive) = std::sync::mpsc::channel();
        let (session, ctx) = (s.clone(), ctx.clone());
        let built = std::thread::Builder::new()
            .name("chatlens-offenders".into())
            .spawn(move || {
                let _ = send.send(sorted_offenders(&session, flag, sort));
                ctx.request_repaint();
            });
        // Without a thread, build the list here: slow, but shown.
        let (rows, pending) = match built {
            Ok(_) => (None, Some(receive)),
            Err(_) => (Some(sorted_offenders(s, flag, sort).into()), None),
        };
        Self {
            session: Arc::downgrade(s),
            flag,
            sort,
            rows,
            pending,
        }
    }

    /// The rows, once built.
    fn rows(&mut self) -> Option<Arc<[u32]>> {
        if let Some(r) = self.pending.as_ref().and_then(|p| p.try_recv().ok()) {
            self.rows = Some(r.into());
            self.pending = None;
        }
        self.rows.clone()
    }
}

/// Header, width and whether the column holds numbers (set to the right).
const LIST_COLUMNS: [(&str, f32, bool); 9] = [
    ("Conversation", 130.0, false),
    ("Contact", 110.0, false),
    ("Segment", 95.0, false),
    ("Agent", 105.0, false),
    ("Messages", 80.0, true),
    ("Sent", 55.0, true),
    ("Received", 70.0, true),
    ("First response", 100.0, true),
    ("Last message", 115.0, true),
];

/// Width of the column of Open buttons.
const OPEN_WIDTH: f32 = 50.0;

/// Height of a row of the offender list.
const ROW_HEIGHT: f32 = 20.0;

fn offenders(app: &mut ChatlensApp, ui: &mut Ui, s: &Arc<Session>, flag: &'static str) {
    let text = red_flags::describe(flag);
    ui.heading(format!("{} — offenders", text.title));
    ui.label(text.cause);
    let sort = app.list_sort;
    if !app
        .offender_list
        .as_ref()
        .is_some_and(|l| l.is_for(s, flag, sort))
    {
        app.offender_list = Some(OffenderList::start(ui.ctx(), s, flag, sort));
    }
    let Some(rows) = app.offender_list.as_mut().and_then(OffenderList::rows) else {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Listing the offenders…");
        });
        return;
    };
    ui.label(format!(
        "{} in the current period and filters · click a column to sort",
        format::count_of(rows.len() as u64, "conversation", "conversations")
    ));
    if rows.is_empty() {
        ui.weak("None of the offenders has a conversation in the current period and filters.");
        return;
    }
    let (col, asc) = sort;
    let p = &*s.prepared;
    let zone = s.zone;
    let cell = |ui: &mut Ui, width: f32, number: bool, text: String| {
        let layout = if number {
            egui::Layout::right_to_left(egui::Align::Center)
        } else {
            egui::Layout::left_to_right(egui::Align::Center)
        };
        ui.allocate_ui_with_layout(egui::vec2(width, ROW_HEIGHT), layout, |ui| {
            ui.set_width(width);
            ui.add(egui::Label::new(text).truncate());
        });
    };
    egui::ScrollArea::horizontal().show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.add_space(OPEN_WIDTH + ui.spacing().item_spacing.x);
            for (i, (name, width, _)) in LIST_COLUMNS.iter().enumerate() {
                let arrow = if col == i {
                    if asc { " (up)" } else { " (down)" }
                } else {
                    ""
                };
                if ui
                    .add_sized(
                        [*width, ROW_HEIGHT],
                        egui::Button::new(format!("{name}{arrow}")),
                    )
                    .clicked()
                {
                    app.list_sort = if col == i { (i, !asc) } else { (i, i < 4) };
                }
            }
        });
        // Only the rows in view are laid out: a list may hold a million.
        // The height is a row's without the spacing, which `show_rows` adds:
        // a taller one left part of the view empty.
        egui::ScrollArea::vertical().auto_shrink(false).show_rows(
            ui,
            ROW_HEIGHT,
            rows.len(),
            |ui, range| {
                for &i in &rows[range] {
                    let r = &s.report.conversations[i as usize];
                    ui.horizontal(|ui| {
                        if ui
                            .add_sized([OPEN_WIDTH, ROW_HEIGHT], egui::Button::new("Open"))
                            .on_hover_text("Show every message")
                            .clicked()
                        {
                            app.stack.push(Screen::Timeline { conv: r.conv });
                        }
                        let values = [
                            r.id(p).to_string(),
                            r.contact_name(p).to_string(),
                            r.segment_name(p).to_string(),
                            r.agent_name(p).unwrap_or(format::MISSING).to_string(),
                            format::count(u64::from(r.messages)),
                            format::count(u64::from(r.outbound)),
                            format::count(u64::from(r.inbound)),
                            format::duration(r.first_response_secs.get()),
                            zone.local(r.last_ts).format("%Y-%m-%d %H:%M").to_string(),
                        ];
                        for ((_, width, number), value) in LIST_COLUMNS.iter().zip(values) {
                            cell(ui, *width, *number, value);
                        }
                    });
                }
            },
        );
    });
}

/// The timeline on screen: its session and conversation, and the rows
/// laid out so far. Messages wrap, so rows differ in height; the list
/// measures each row as it is first shown, and scrolls by those heights.
pub struct TimelineList {
    session: std::sync::Weak<Session>,
    conv: u32,
    list: egui_virtual_list::VirtualList,
}

/// Characters of a message the timeline shows.
const TIMELINE_TEXT_CHARS: usize = 5_000;

fn timeline(app: &mut ChatlensApp, ui: &mut Ui, session: &Arc<Session>, conv: u32) {
    let s = &**session;
    let p = &s.prepared;
    let Some(c) = p.conversations.get(conv as usize) else {
        ui.label("This conversation is no longer in the data.");
        return;
    };
    ui.heading(format!(
        "Conversation {}",
        p.conversation_ids[conv as usize]
    ));
    ui.label(format!(
        "{} · {} · times in {}",
        format::count_of(u64::from(c.end - c.start), "message", "messages"),
        if c.is_group { "group" } else { "1:1 chat" },
        s.zone.name()
    ));
    let text_col = s
        .imported
        .table
        .column("text")
        .ok()
        .and_then(|col| col.str().ok().cloned());
    let current = app
        .timeline
        .as_ref()
        .is_some_and(|t| t.conv == conv && is_session(&t.session, session));
    if !current {
        let mut list = egui_virtual_list::VirtualList::new();
        // Hiding the list for a moment after the window is resized keeps
        // it from flickering, but also hides it on its first frames and
        // asks for frames by the wall clock.
        list.hide_on_resize(None);
        app.timeline = Some(TimelineList {
            session: Arc::downgrade(session),
            conv,
            list,
        });
    }
    let Some(TimelineList { list, .. }) = app.timeline.as_mut() else {
        return;
    };
    let first = c.start as usize;
    let out_c = color(palette::OUTBOUND);
    let in_c = color(palette::INBOUND);
    egui::ScrollArea::vertical()
        .auto_shrink(false)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            list.ui_custom_layout(ui, (c.end - c.start) as usize, |ui, k| {
                let row = first + k;
                let outbound = p.outbound.get(row).copied().unwrap_or(false);
                let ts = p.ts.get(row).copied().unwrap_or(0);
                let who = p
                    .sender
                    .get(row)
                    .or_else(|| p.agent.get(row))
                    .unwrap_or(if outbound { "team" } else { "customer" });
                let touch = p.touch_of_row.get(row).copied().unwrap_or(NONE);
                let mut facts = Vec::new();
                if outbound
                    && touch != NONE
                    && let Some(t) = p.touches.get(touch as usize)
                {
                    {
                        facts.push(if t.category == Category::FollowUp {
                            format!("Follow-up #{}", t.position)
                        } else {
                            t.category.label().to_string()
                        });
                        facts.push(if t.responded {
                            "responded".into()
                        } else {
                            "no response".into()
                        });
                    }
                }
                if p.blocked_row.get(row).copied().unwrap_or(false) {
                    facts.push("blocked".into());
                }
                let text = p
                    .order
                    .get(row)
                    .and_then(|&i| text_col.as_ref().and_then(|t| t.get(i as usize)))
                    .unwrap_or("");
                // A message pasted from a whole document would take a long
                // layout; its start says what it is.
                let text = match text.char_indices().nth(TIMELINE_TEXT_CHARS) {
                    Some((cut, _)) => format!(
                        "{}… ({} characters in all)",
                        &text[..cut],
                        format::count(text.chars().count() as u64)
                    ),
                    None => text.to_string(),
                };
                ui.horizontal(|ui| {
                    ui.label(
                        RichText::new(s.zone.local(ts).format("%Y-%m-%d %H:%M").to_string())
                            .monospace()
                            .small(),
                    );
                    let (arrow, c) = if outbound {
                        ("Sent", out_c)
                    } else {
                        ("Received", in_c)
                    };
                    ui.label(RichText::new(arrow).color(c).strong());
                    ui.label(RichText::new(who).strong());
                    if !facts.is_empty() {
                        ui.label(RichText::new(facts.join(" · ")).small().weak());
                    }
                });
                ui.horizontal(|ui| {
                    ui.add_space(24.0);
                    if text.is_empty() {
                        ui.weak("(no text)");
                    } else {
                        ui.add(egui::Label::new(text).wrap());
                    }
                });
                1
            });
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A card added without a meaning would show no explanation.
    #[test]
    fn every_card_says_what_it_means() {
        let zone = crate::import::timestamp::ReportZone::utc();
        let session =
            crate::session::sample_session(&crate::metrics::Settings::default(), &zone).unwrap();
        let r = &session.report;
        for k in [
            direct_kpis(r),
            flow_kpis(r),
            group_kpis(r),
            followup_kpis(r),
            timing_kpis(r),
        ]
        .into_iter()
        .flatten()
        {
            assert!(meaning(k.label).is_some(), "{} has no meaning", k.label);
        }
    }
}
