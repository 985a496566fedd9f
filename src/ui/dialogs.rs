//! Windows and dialogs (column mapping, the team of a chat export, import report,
//! settings, help) and the views' tables.

use std::collections::BTreeMap;

use egui::{RichText, Ui};

use super::{ChatlensApp, TeamChoice};
use crate::format;
use crate::import::{Canonical, DateOrder, MapOverride, OrderSource};
use crate::metrics::Report;
use crate::metrics::figures::quality::Tally;
use crate::metrics::figures::red_flags;

/// Canonical columns in the dialog's order, pre-filled with the importer's guesses.
pub fn mapping_choices(
    headers: &[String],
    guesses: &BTreeMap<String, String>,
) -> Vec<(Canonical, String)> {
    Canonical::ALL
        .iter()
        .map(|c| {
            let guess = guesses
                .get(c.name())
                .filter(|g| headers.contains(g))
                .cloned()
                .unwrap_or_default();
            (*c, guess)
        })
        .collect()
}

const REQUIRED: [Canonical; 3] = [
    Canonical::Timestamp,
    Canonical::ConversationId,
    Canonical::Direction,
];

pub fn show(app: &mut ChatlensApp, ctx: &egui::Context) {
    mapping(app, ctx);
    team(app, ctx);
    import_report(app, ctx);
    settings(app, ctx);
    figures_help(app, ctx);
    about(app, ctx);
}

/// Retries the import with the mapping the user chose.
pub fn import_with_mapping(app: &mut ChatlensApp) {
    let Some(d) = app.mapping.take() else {
        return;
    };
    let mut options = d.options;
    options.progress = std::sync::Arc::default();
    // The fields as the dialog shows them. One the import had mapped by
    // itself and the user set to "not in the file" is passed as absent, so
    // that its name or alias does not take the column back; others left
    // empty are not passed, as a date + time pair stands in for the
    // timestamp without a column of its own.
    options.overrides = d
        .choice
        .iter()
        .filter(|(c, h)| !h.is_empty() || d.guessed.contains(c))
        .map(|(c, h)| MapOverride {
            canonical: *c,
            source: h.clone(),
        })
        .collect();
    let team = team_from_senders(&d.choice, d.team.as_ref());
    if let Some(team) = &team {
        options.team = Some(team.clone());
    }
    // Values ticked now, or else those ticked for this column before.
    let direction = chosen(&d.choice, Canonical::Direction).to_string();
    let outbound = outbound_values(&d.choice, d.direction_values.as_ref())
        .map(|values| (direction.clone(), values))
        .or_else(|| {
            d.remembered_outbound
                .clone()
                .filter(|(column, _)| *column == direction)
        });
    options.outbound_values = outbound.as_ref().map(|(_, values)| values.clone());
    let remembered = super::RememberedMapping {
        headers: d.headers,
        choice: d
            .choice
            .iter()
            .map(|(c, h)| (c.name().to_string(), h.clone()))
            .collect(),
        team,
        outbound,
    };
    app.pending_mapping = Some((d.source.clone(), remembered));
    app.start_load(d.source, options);
}

/// The chosen column of a field ("" when none).
fn chosen(choice: &[(Canonical, String)], field: Canonical) -> &str {
    choice
        .iter()
        .find(|(c, _)| *c == field)
        .map_or("", |(_, h)| h.as_str())
}

/// The team ticked among the senders, when no direction column is chosen
/// and the sender column is the one the senders were read from.
fn team_from_senders(
    choice: &[(Canonical, String)],
    team: Option<&(String, TeamChoice)>,
) -> Option<Vec<String>> {
    let (column, senders) = team?;
    if !chosen(choice, Canonical::Direction).is_empty()
        || chosen(choice, Canonical::Sender) != column
    {
        return None;
    }
    ticked(senders)
}

/// The names ticked in a list; `None` when none is.
fn ticked(list: &TeamChoice) -> Option<Vec<String>> {
    let names: Vec<String> = list.iter().filter(|p| p.2).map(|p| p.0.clone()).collect();
    (!names.is_empty()).then_some(names)
}

/// The direction column's values ticked as outbound, when the column
/// chosen for the direction is the one they were read from.
fn outbound_values(
    choice: &[(Canonical, String)],
    values: Option<&(String, TeamChoice)>,
) -> Option<Vec<String>> {
    let (column, values) = values?;
    if chosen(choice, Canonical::Direction) != column {
        return None;
    }
    ticked(values)
}

/// People to tick as the team, with their message counts; a long list
/// (a group chat, a log of many senders) can be narrowed by typing.
fn pick_team(ui: &mut Ui, id: &str, people: &mut [(String, u64, bool)], height: f32) {
    pick_ticked(ui, id, people, height, "Team");
}

/// Values to tick, with their message counts, searchable, and a line
/// naming those ticked after `what`.
fn pick_ticked(ui: &mut Ui, id: &str, people: &mut [(String, u64, bool)], height: f32, what: &str) {
    let needle = super::panels::list_search(ui, ("team-search", id), people.len());
    egui::ScrollArea::vertical()
        .max_height(height)
        .id_salt(("team-list", id))
        .show(ui, |ui| {
            for (name, n, on) in people
                .iter_mut()
                .filter(|p| needle.is_empty() || p.0.to_lowercase().contains(&needle))
            {
                ui.checkbox(
                    on,
                    format!("{name} ({})", format::count_of(*n, "message", "messages")),
                );
            }
        });
    // Who is ticked, though the list be scrolled or searched past them.
    ui.weak(ticked_summary(people, what));
}

/// "Team: Ana, Bo and 3 more", or that nothing is ticked yet.
fn ticked_summary(people: &[(String, u64, bool)], what: &str) -> String {
    let ticked: Vec<&str> = people
        .iter()
        .filter(|p| p.2)
        .map(|p| p.0.as_str())
        .collect();
    match ticked.len() {
        0 if what == "Team" => "Nobody ticked yet.".into(),
        0 => "Nothing ticked yet.".into(),
        1..=3 => format!("{what}: {}", ticked.join(", ")),
        n => format!("{what}: {} and {} more", ticked[..2].join(", "), n - 2),
    }
}

fn mapping(app: &mut ChatlensApp, ctx: &egui::Context) {
    let Some(d) = app.mapping.as_mut() else {
        return;
    };
    let mut import = false;
    let mut cancel = false;
    egui::Modal::new(egui::Id::unique("mapping")).show(ctx, |ui| {
        ui.set_max_width(760.0);
        ui.heading("Map the columns");
        ui.label(&d.why);
        ui.add_space(4.0);
        // Without a direction column, the senders to pick the team from
        // take room below the fields.
        let team_from = d
            .team
            .as_ref()
            .filter(|_| chosen(&d.choice, Canonical::Direction).is_empty())
            .map(|(column, _)| column.clone());
        let team_height = if team_from.is_some() { 150.0 } else { 0.0 };
        // A contact column, when chosen, makes the conversations instead.
        let reply_chains = d
            .reply_chains
            .clone()
            .filter(|_| chosen(&d.choice, Canonical::ContactId).is_empty());
        // Every field in view when the window has room for them.
        let room = (ctx.content_rect().height() - 360.0 - team_height).max(160.0);
        egui::ScrollArea::vertical()
            .max_height(room)
            .id_salt("map-cols")
            .show(ui, |ui| {
            egui::Grid::new("mapping-grid").striped(true).show(ui, |ui| {
                ui.strong("Field");
                ui.strong("Column in the file");
                ui.end_row();
                for (c, choice) in &mut d.choice {
                    let required = REQUIRED.contains(c);
                    let name = if required {
                        RichText::new(format!("{} (required)", c.name())).strong()
                    } else {
                        RichText::new(c.name())
                    };
                    let name = ui.label(name);
                    // A date + time pair stands in for an empty timestamp,
                    // reply chains for an empty conversation.
                    let empty = match (&d.date_time, &reply_chains) {
                        (Some((date, time)), _) if *c == Canonical::Timestamp => {
                            format!("— {date} + {time} —")
                        }
                        (_, Some((_, reply))) if *c == Canonical::ConversationId => {
                            format!("— chains of {reply} —")
                        }
                        _ => "— not in the file —".to_string(),
                    };
                    let shown = if choice.is_empty() { empty.clone() } else { choice.clone() };
                    egui::ComboBox::from_id_salt(("map", c.name()))
                        .selected_text(shown)
                        .width(220.0)
                        .show_ui(ui, |ui| {
                            ui.selectable_value(choice, String::new(), empty);
                            for h in &d.headers {
                                ui.selectable_value(choice, h.clone(), h);
                            }
                        })
                        .response
                        .labelled_by(name.id);
                    ui.end_row();
                }
            });
        });
        if let (Some(column), Some((_, senders))) = (&team_from, d.team.as_mut()) {
            ui.add_space(6.0);
            ui.label(RichText::new("No direction column? Pick the team").strong());
            if chosen(&d.choice, Canonical::Sender) == column {
                ui.label(format!(
                    "Tick who writes for your team in the column \"{column}\": their messages count as sent, everyone else's as received."
                ));
                pick_team(ui, "mapping", senders, 90.0);
            } else {
                ui.weak(format!(
                    "Choose \"{column}\" as the sender column to pick the team from its senders."
                ));
            }
        }
        if let Some((column, values)) = d.direction_values.as_mut()
            && chosen(&d.choice, Canonical::Direction) == column
        {
            ui.add_space(6.0);
            ui.label(RichText::new("Which values mean sent?").strong());
            ui.label(format!(
                "The column \"{column}\" does not say inbound or outbound. Tick the values of your team's messages: they count as sent, every other value as received."
            ));
            pick_ticked(ui, "direction", values, 90.0, "Sent");
        }
        ui.add_space(6.0);
        ui.label(RichText::new("First rows of the file").strong());
        egui::ScrollArea::horizontal().id_salt("map-preview").show(ui, |ui| {
            egui::Grid::new("mapping-preview").striped(true).show(ui, |ui| {
                for h in &d.headers {
                    ui.strong(h);
                }
                ui.end_row();
                for row in d.preview.iter().take(5) {
                    for cell in row {
                        ui.label(cell);
                    }
                    ui.end_row();
                }
            });
        });
        ui.add_space(6.0);
        let ready = REQUIRED.iter().all(|r| {
            !chosen(&d.choice, *r).is_empty()
                || (*r == Canonical::Timestamp && d.date_time.is_some())
                || (*r == Canonical::ConversationId && reply_chains.is_some())
                || (*r == Canonical::Direction
                    && team_from_senders(&d.choice, d.team.as_ref()).is_some())
        });
        // A direction column in words of its own reads no row until some
        // of its values are ticked as sent.
        let values_unticked = d
            .direction_values
            .as_ref()
            .is_some_and(|(column, _)| chosen(&d.choice, Canonical::Direction) == column)
            && outbound_values(&d.choice, d.direction_values.as_ref()).is_none();
        ui.horizontal(|ui| {
            let enabled = ready && !values_unticked;
            if ui.add_enabled(enabled, egui::Button::new("Import")).clicked() {
                import = true;
            }
            if ui.button("Cancel").clicked() {
                cancel = true;
            }
            if ready && values_unticked {
                ui.weak("Tick the values that mean sent.");
            } else if !ready {
                ui.weak(if team_from.is_some() {
                    "Choose a column for each required field, or tick the team."
                } else {
                    "Choose a column for each required field."
                });
            }
        });
    });
    if import {
        import_with_mapping(app);
    } else if cancel {
        app.mapping = None;
    }
}

fn team(app: &mut ChatlensApp, ctx: &egui::Context) {
    let Some(d) = app.team.as_mut() else {
        return;
    };
    let mut go = false;
    let mut cancel = false;
    egui::Modal::new(egui::Id::unique("team")).show(ctx, |ui| {
        ui.set_max_width(520.0);
        ui.heading("Who is the team?");
        ui.label(format!(
            "{} is a WhatsApp chat export. Tick the people who write for your team; everyone else counts as a customer.",
            d.source.label()
        ));
        pick_team(ui, "chat", &mut d.participants, 320.0);
        let any = d.participants.iter().any(|p| p.2);
        ui.horizontal(|ui| {
            if ui.add_enabled(any, egui::Button::new("Import")).clicked() {
                go = true;
            }
            if ui.button("Cancel").clicked() {
                cancel = true;
            }
        });
    });
    if go {
        if let Some(d) = app.team.take() {
            let mut options = d.options;
            options.progress = std::sync::Arc::default();
            let team: Vec<String> = d
                .participants
                .into_iter()
                .filter(|p| p.2)
                .map(|p| p.0)
                .collect();
            app.persisted.team.clone_from(&team);
            options.team = Some(team);
            app.start_load(d.source, options);
        }
    } else if cancel {
        app.team = None;
    }
}

fn import_report(app: &mut ChatlensApp, ctx: &egui::Context) {
    if !app.show_import_report {
        return;
    }
    let Some(s) = app.session.clone() else {
        app.show_import_report = false;
        return;
    };
    let r = &s.imported.report;
    // The order slash dates were read in: the timestamps', else the one
    // chosen on opening, else day first where only the close times had
    // slash dates and nothing told their order.
    let slash_order = r
        .dialect
        .date_order
        .map(|o| (o, r.dialect.date_order_source))
        .or_else(|| {
            app.shown_options
                .as_ref()
                .and_then(|o| o.date_order)
                .map(|o| (o, Some(OrderSource::Override)))
        })
        .or_else(|| {
            r.warnings
                .iter()
                .any(|w| w.kind == "closed_at_date_order_assumed")
                .then_some((DateOrder::DayFirst, Some(OrderSource::Assumed)))
        });
    let mut open = true;
    let mut reread = None;
    egui::Window::new("Import report")
        .open(&mut open)
        .default_width(520.0)
        .show(ctx, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                egui::Grid::new("import-facts").show(ui, |ui| {
                    ui.label("File");
                    ui.label(&r.file);
                    ui.end_row();
                    ui.label("Format");
                    // Binary formats (Parquet, spreadsheets) have no text
                    // encoding to name.
                    ui.label(if r.dialect.encoding.is_empty() {
                        r.format.clone()
                    } else {
                        format!("{} · {}", r.format, r.dialect.encoding)
                    });
                    ui.end_row();
                    ui.label("Rows read");
                    ui.label(format::count(r.rows_read));
                    ui.end_row();
                    ui.label("Rows kept");
                    ui.label(format::count(r.rows_kept));
                    ui.end_row();
                    ui.label("Time span");
                    ui.label(format!(
                        "{} to {}",
                        r.first_timestamp.as_deref().unwrap_or(format::MISSING),
                        r.last_timestamp.as_deref().unwrap_or(format::MISSING)
                    ));
                    ui.end_row();
                    if let Some((order, source)) = slash_order {
                        ui.label("Slash dates");
                        reread = date_order_row(ui, order, source, app.reimportable);
                        ui.end_row();
                    }
                });
                ui.separator();
                ui.strong("Column mapping");
                egui::Grid::new("import-cols").striped(true).show(ui, |ui| {
                    ui.weak("Field");
                    ui.weak("Read from");
                    ui.end_row();
                    for (canon, src) in &r.columns {
                        ui.label(canon);
                        ui.label(src);
                        ui.end_row();
                    }
                });
                ui.separator();
                ui.strong("Skipped rows");
                if r.skipped.is_empty() {
                    ui.label("None: every row was kept.");
                }
                for (reason, n) in &r.skipped {
                    ui.label(format!(
                        "{reason}: {}, {}",
                        format::count(*n),
                        r.skipped_detail(reason)
                    ));
                }
                ui.separator();
                ui.strong("Warnings");
                if r.warnings.is_empty() {
                    ui.label("None.");
                }
                for w in &r.warnings {
                    let text = super::warning_text(w);
                    ui.label(if w.count > 0 {
                        format!("{} {text}", format::count(w.count))
                    } else {
                        text.to_string()
                    });
                }
            });
        });
    app.show_import_report = open;
    if let Some(order) = reread {
        app.reopen_with_date_order(order);
    }
}

/// How slash dates were read, and a button to read them the other way
/// where the dates themselves did not decide it and the log can be read
/// again.
fn date_order_row(
    ui: &mut Ui,
    order: DateOrder,
    source: Option<OrderSource>,
    reimportable: bool,
) -> Option<DateOrder> {
    let (read, other, button) = match order {
        DateOrder::DayFirst => ("day first", DateOrder::MonthFirst, "Read month first"),
        DateOrder::MonthFirst => ("month first", DateOrder::DayFirst, "Read day first"),
    };
    let why = match source {
        Some(OrderSource::Inferred) => "as the dates show",
        Some(OrderSource::Override) => "as chosen",
        Some(OrderSource::Assumed) | None => "assumed: no date tells",
    };
    let mut chosen = None;
    ui.horizontal(|ui| {
        ui.label(format!("{read} ({why})"));
        if reimportable && source != Some(OrderSource::Inferred) && ui.button(button).clicked() {
            chosen = Some(other);
        }
    });
    chosen
}

fn secs_field(ui: &mut Ui, label: &str, secs: &mut i64, unit: i64, unit_name: &str) {
    let label = ui.label(label);
    let mut v = *secs as f64 / unit as f64;
    if ui
        .add(
            egui::DragValue::new(&mut v)
                .range(0.0..=100_000.0)
                .speed(0.1)
                .suffix(format!(" {unit_name}")),
        )
        .labelled_by(label.id)
        .changed()
    {
        *secs = (v * unit as f64).round() as i64;
    }
    ui.end_row();
}

fn settings(app: &mut ChatlensApp, ctx: &egui::Context) {
    if !app.show_settings {
        return;
    }
    let mut open = true;
    let mut apply = false;
    egui::Window::new("Settings")
        .open(&mut open)
        .default_width(440.0)
        .show(ctx, |ui| {
            let s = &mut app.settings_draft;
            egui::Grid::new("settings-grid")
                .num_columns(2)
                .show(ui, |ui| {
                    secs_field(ui, "Burst gap", &mut s.burst_gap_secs, 60, "min");
                    secs_field(
                        ui,
                        "Response window",
                        &mut s.response_window_secs,
                        86_400,
                        "days",
                    );
                    secs_field(ui, "Reply SLA", &mut s.reply_sla_secs, 3_600, "h");
                    let label = ui.label("Active days (groups)");
                    ui.add(egui::DragValue::new(&mut s.active_days).range(1..=3650))
                        .labelled_by(label.id);
                    ui.end_row();
                    secs_field(
                        ui,
                        "Close after inactivity",
                        &mut s.inactivity_close_secs,
                        86_400,
                        "days",
                    );
                    ui.label("Slot starts (morning, afternoon, evening, night)");
                    ui.horizontal(|ui| {
                        for (h, slot) in s.slot_starts.iter_mut().zip([
                            "Morning",
                            "Afternoon",
                            "Evening",
                            "Night",
                        ]) {
                            ui.add(egui::DragValue::new(h).range(0..=23).suffix(" h"))
                                .on_hover_text(format!("{slot} starts"));
                        }
                    });
                    ui.end_row();
                    ui.label("Weekend days");
                    ui.horizontal(|ui| {
                        for (i, d) in ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
                            .iter()
                            .enumerate()
                        {
                            let i = i as u32;
                            let mut on = s.weekend_days.contains(&i);
                            if ui.checkbox(&mut on, *d).changed() {
                                if on {
                                    s.weekend_days.push(i);
                                    s.weekend_days.sort_unstable();
                                } else {
                                    s.weekend_days.retain(|w| *w != i);
                                }
                            }
                        }
                    });
                    ui.end_row();
                });
            ui.separator();
            ui.strong("Red-flag thresholds (warning, critical)");
            let th = &mut s.thresholds;
            egui::Grid::new("thresholds").num_columns(3).show(ui, |ui| {
                let row = |ui: &mut Ui,
                           name: &str,
                           t: &mut crate::metrics::Threshold,
                           pct: bool| {
                    ui.label(name);
                    let (scale, suffix) = if pct { (100.0, "%") } else { (1.0, " : 1") };
                    for (v, level) in [(&mut t.warning, "warning"), (&mut t.critical, "critical")] {
                        let mut shown = *v * scale;
                        if ui
                            .add(
                                egui::DragValue::new(&mut shown)
                                    .speed(0.1)
                                    .range(0.0..=1000.0)
                                    .suffix(suffix),
                            )
                            .on_hover_text(format!("{name}: {level} above"))
                            .changed()
                        {
                            *v = shown / scale;
                        }
                    }
                    ui.end_row();
                };
                row(
                    ui,
                    "High send, low receive",
                    &mut th.high_send_low_receive,
                    false,
                );
                row(
                    ui,
                    "Single-message chats",
                    &mut th.single_message_chats,
                    true,
                );
                row(ui, "Long reply gaps", &mut th.long_reply_gaps, true);
                row(ui, "Unanswered messages", &mut th.unanswered_messages, true);
                row(ui, "High block rate", &mut th.high_block_rate, true);
                row(
                    ui,
                    "Falling response rate",
                    &mut th.falling_response_rate,
                    true,
                );
            });
            ui.separator();
            ui.horizontal(|ui| {
                ui.label("Chart images");
                let [w, h] = &mut app.persisted.image_size;
                ui.add(egui::DragValue::new(w).range(320..=8000).suffix(" px"))
                    .on_hover_text("Chart image width");
                ui.label("×");
                ui.add(egui::DragValue::new(h).range(200..=8000).suffix(" px"))
                    .on_hover_text("Chart image height");
                ui.weak("PNG drawn at 2× for sharp slides");
            });
            ui.separator();
            ui.horizontal(|ui| {
                let label = ui.label("Time zone");
                ui.add(
                    egui::TextEdit::singleline(&mut app.zone_draft)
                        .hint_text("system zone, e.g. Europe/Berlin"),
                )
                .labelled_by(label.id);
            });
            let zone_ok = app.zone_draft.trim().is_empty()
                || crate::import::ReportZone::from_name(&app.zone_draft).is_some();
            if !zone_ok {
                ui.colored_label(
                    super::plot::color(crate::charts::palette::CRITICAL),
                    "Unknown time zone: use an IANA name such as Europe/Berlin or UTC.",
                );
            } else if app.zone_draft.trim() != app.persisted.zone.trim() {
                ui.weak("A new time zone re-imports the file.");
            }
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(zone_ok, egui::Button::new("Apply"))
                    .clicked()
                {
                    apply = true;
                }
                if ui.button("Reset to defaults").clicked() {
                    app.settings_draft = crate::metrics::Settings::default();
                }
            });
        });
    if apply {
        app.apply_settings();
    }
    app.show_settings = open;
}

fn header(ui: &mut Ui, names: &[&str]) {
    for n in names {
        ui.strong(*n);
    }
    ui.end_row();
}

/// A header row whose columns say what they count when the pointer rests
/// on them.
fn explained_header(ui: &mut Ui, columns: &[(&str, &str)]) {
    for (name, meaning) in columns {
        ui.strong(*name).on_hover_text(*meaning);
    }
    ui.end_row();
}

/// What a touch response rate rests on, for the column explanations.
const TOUCHES: &str =
    "Delivered team messages, broadcasts aside; messages sent within the burst gap count as one.";
const TOUCH_RESPONSE: &str = "Share of the touches a customer answered within the response window, before the team's next delivered message.";

pub fn segments_table(ui: &mut Ui, r: &Report) {
    if r.segments.is_empty() {
        ui.weak("No segments: the log has no segment column.");
        return;
    }
    egui::Grid::new("segments-table")
        .striped(true)
        .show(ui, |ui| {
            explained_header(
                ui,
                &[
                    (
                        "Segment",
                        "The first segment named in a one-to-one chat; Unknown when none is.",
                    ),
                    ("Conversations", "One-to-one chats in the period."),
                    (
                        "Messages",
                        "Messages sent and received in those chats in the period.",
                    ),
                    ("Msgs / chat", "Messages per chat."),
                    ("Touches", TOUCHES),
                    ("Touch response", TOUCH_RESPONSE),
                    (
                        "Positive",
                        "Chats whose latest outcome in the period is a win.",
                    ),
                    ("Conversion", "Positive chats, of all the segment's chats."),
                ],
            );
            for s in &r.segments {
                ui.label(&s.segment);
                ui.label(format::count(s.conversations));
                ui.label(format::count(s.messages));
                ui.label(format::number(s.avg_messages, 1));
                ui.label(format::count(s.touches));
                ui.label(format::pct(s.touch_response_rate));
                ui.label(format::count(s.positive));
                ui.label(format::pct(s.conversion));
                ui.end_row();
            }
        });
}

pub fn agents_table(ui: &mut Ui, r: &Report) {
    if r.agents.is_empty() {
        ui.weak("No agents: the log has no agent column.");
        return;
    }
    egui::Grid::new("agents-table")
        .striped(true)
        .show(ui, |ui| {
            explained_header(
                ui,
                &[
                    (
                        "Agent",
                        "Who sent the team's messages; Unassigned when a message names no one.",
                    ),
                    ("Conversations", "One-to-one chats the agent wrote in."),
                    (
                        "Sent",
                        "Messages the agent sent in one-to-one chats, whatever their delivery status.",
                    ),
                    ("Touches", TOUCHES),
                    ("Touch response", TOUCH_RESPONSE),
                    ("Follow-ups", "Delivered follow-ups the agent started."),
                    (
                        "Follow-up response",
                        "Share of those follow-ups a customer answered within the response window.",
                    ),
                    (
                        "Team reply (median)",
                        "Time to answer a run of customer messages, over the runs this agent answered.",
                    ),
                ],
            );
            for a in &r.agents {
                ui.label(&a.agent);
                ui.label(format::count(a.conversations));
                ui.label(format::count(a.messages_sent));
                ui.label(format::count(a.touches));
                ui.label(format::pct(a.touch_response_rate));
                ui.label(format::count(a.followups));
                ui.label(format::pct(a.followup_response_rate));
                ui.label(format::duration(a.median_team_reply_secs))
                    .on_hover_text(format::based_on(a.team_reply_runs, "run", "runs"));
                ui.end_row();
            }
        });
}

pub fn groups_table(ui: &mut Ui, r: &Report) {
    if r.groups.list.is_empty() {
        ui.weak("No group chats in this period.");
        return;
    }
    egui::Grid::new("groups-table")
        .striped(true)
        .show(ui, |ui| {
            header(
                ui,
                &[
                    "Group",
                    "Active",
                    "Messages",
                    "Sent",
                    "Received",
                    "Members",
                    "Customers writing",
                ],
            );
            for g in &r.groups.list {
                ui.label(&g.group);
                ui.label(if g.active { "yes" } else { "no" });
                ui.label(format::count(g.messages));
                ui.label(format::count(g.outbound));
                ui.label(format::count(g.inbound));
                ui.label(g.members.map_or_else(
                    || format::MISSING.to_string(),
                    |m| format::count(m.max(0) as u64),
                ));
                ui.label(format::count(g.inbound_senders));
                ui.end_row();
            }
        });
}

pub fn quality_table(ui: &mut Ui, r: &Report) {
    let q = &r.quality;
    ui.label(format::count_of(
        q.conversations,
        "conversation",
        "conversations",
    ));
    let settings = &r.meta.settings;
    let progressed = format!(
        "An outcome that is not a loss ({}).",
        settings.negative_outcomes.join(", ")
    );
    let positive = format!(
        "A winning outcome ({}).",
        settings.positive_outcomes.join(", ")
    );
    // Each indicator's rule shows when the pointer rests on its name.
    let tally = |ui: &mut Ui, name: &str, t: &Tally, meaning: &str| {
        ui.label(name).on_hover_text(meaning);
        ui.label(format::count(t.yes));
        ui.label(format::count(t.no));
        ui.label(format::count(t.unknown));
        ui.end_row();
    };
    egui::Grid::new("quality-table")
        .striped(true)
        .show(ui, |ui| {
            header(ui, &["Indicator", "Yes", "No", "Not known"]);
            tally(
                ui,
                "Balanced (0.5–2 sent per received)",
                &q.balanced,
                "At least one message received, and 0.5 to 2 messages sent per message received.",
            );
            tally(
                ui,
                "Spans more than one day",
                &q.multi_thread,
                "Messages on two or more calendar days.",
            );
            tally(
                ui,
                "Quick both ways",
                &q.quick_both_ways,
                "The team's median reply within an hour and the customer's within a day; not known when either side never replied.",
            );
            tally(
                ui,
                "Progressed",
                &q.progressed,
                &progressed,
            );
            tally(
                ui,
                "Positive outcome",
                &q.positive,
                &positive,
            );
        });
}

pub fn outcomes_table(ui: &mut Ui, r: &Report) {
    let p = &r.outcomes.pareto;
    if p.conversations == 0 {
        ui.weak("Outcome figures need a value column (deal size, order value).");
    }
    egui::Grid::new("pareto-facts")
        .striped(true)
        .show(ui, |ui| {
            ui.label("Conversations");
            ui.label(format::count(p.conversations));
            ui.end_row();
            ui.label("Total value");
            ui.label(format::amount(p.total_value));
            ui.end_row();
            ui.label("Share of conversations bringing 80% of value");
            ui.label(format::pct(p.share_for_80pct));
            ui.end_row();
        });
    ui.add_space(6.0);
    egui::Grid::new("cohorts").striped(true).show(ui, |ui| {
        header(
            ui,
            &[
                "Cohort",
                "Conversations",
                "Msgs / chat",
                "First response",
                "Touch response",
                "Follow-ups / lead",
            ],
        );
        for (name, c) in [("Top 20% by value", &p.top), ("Other 80%", &p.rest)] {
            ui.label(name);
            ui.label(format::count(c.conversations));
            ui.label(format::number(c.avg_messages, 1));
            ui.label(format::duration(c.median_first_response_secs))
                .on_hover_text(format::based_on(
                    c.first_responses,
                    "answered chat",
                    "answered chats",
                ));
            ui.label(format::pct(c.touch_response_rate))
                .on_hover_text(format::based_on(c.touches, "touch", "touches"));
            ui.label(format::number(c.followups_per_lead, 1))
                .on_hover_text(format::based_on(c.leads, "lead", "leads"));
            ui.end_row();
        }
    });
    ui.add_space(6.0);
    egui::Grid::new("correlation").striped(true).show(ui, |ui| {
        header(
            ui,
            &["Correlation with a positive outcome", "r", "Conversations"],
        );
        let names = [
            "Message count",
            "Sent : received ratio",
            "Median team reply (hours)",
            "Follow-ups",
        ];
        for (name, (v, pairs)) in names.into_iter().zip(r.outcomes.correlations()) {
            ui.label(name);
            ui.label(format::number(v, 2));
            ui.label(format::count(pairs));
            ui.end_row();
        }
    });
}

pub fn compare_table(ui: &mut Ui, r: &Report) {
    let c = &r.compare;
    ui.label(format!(
        "Previous period: {} (shifted back {})",
        format::period(c.from.as_deref(), c.to.as_deref()),
        format::days(c.shift_days)
    ));
    egui::Grid::new("compare-table")
        .striped(true)
        .show(ui, |ui| {
            header(ui, &["Figure", "This period", "Previous", "Change"]);
            let count_row = |ui: &mut Ui, name: &str, now: u64, before: u64| {
                ui.label(name);
                ui.label(format::count(now));
                ui.label(format::count(before));
                ui.label(format::delta_relative(now as f64, before as f64));
                ui.end_row();
            };
            let rate_row = |ui: &mut Ui, name: &str, now: Option<f64>, before: Option<f64>| {
                ui.label(name);
                ui.label(format::pct(now));
                ui.label(format::pct(before));
                ui.label(format::delta_pct_points(now, before));
                ui.end_row();
            };
            count_row(
                ui,
                "1:1 conversations",
                r.direct.conversations,
                c.direct.conversations,
            );
            count_row(
                ui,
                "Sent (1:1)",
                r.direct.messages_sent,
                c.direct.messages_sent,
            );
            count_row(
                ui,
                "Received (1:1)",
                r.direct.messages_received,
                c.direct.messages_received,
            );
            ui.label("First response (median)");
            ui.label(format::duration(r.direct.first_response_secs.median));
            ui.label(format::duration(c.direct.first_response_secs.median));
            ui.label(
                match (
                    r.direct.first_response_secs.median,
                    c.direct.first_response_secs.median,
                ) {
                    (Some(a), Some(b)) => format::delta_relative(a, b),
                    _ => format::MISSING.to_string(),
                },
            );
            ui.end_row();
            ui.label("Sent : received (all chats)");
            ui.label(format::ratio(r.flow.ratio));
            ui.label(format::ratio(c.flow.ratio));
            ui.label(match (r.flow.ratio, c.flow.ratio) {
                (Some(a), Some(b)) => format::delta_relative(a, b),
                _ => format::MISSING.to_string(),
            });
            ui.end_row();
            count_row(
                ui,
                "Active groups",
                r.groups.active_groups,
                c.groups.active_groups,
            );
            count_row(
                ui,
                "Messages to groups",
                r.groups.messages_to_groups,
                c.groups.messages_to_groups,
            );
            rate_row(
                ui,
                "Touch response rate",
                r.timing.touch_response_rate,
                c.timing.touch_response_rate,
            );
            rate_row(
                ui,
                "Follow-up response rate",
                r.followups.response_rate,
                c.followups.response_rate,
            );
            rate_row(
                ui,
                "Follow-ups completed",
                r.followups.completion_rate,
                c.followups.completion_rate,
            );
        });
}

/// Help → Figures explained: every card's meaning under its view's name and
/// every red flag's measure and cause, from the texts the cards and the
/// panel show on hover, so the two never disagree.
fn figures_help(app: &mut ChatlensApp, ctx: &egui::Context) {
    if !app.show_figures_help {
        return;
    }
    // The session is shared, not its flags: they hold the offender lists.
    let session = app.session.clone();
    let flags = session.as_ref().map(|s| &s.report.red_flags);
    let mut open = true;
    egui::Window::new("Figures explained")
        .open(&mut open)
        .pivot(egui::Align2::CENTER_CENTER)
        .default_pos(ctx.content_rect().center())
        .default_width(560.0)
        .default_height(600.0)
        .show(ctx, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                ui.label(
                    "Rates are shares of what they are based on; the count under each \
                     figure says how many. Windows, limits and thresholds are in Settings.",
                );
                for (view, cards) in super::panels::MEANINGS {
                    ui.add_space(8.0);
                    ui.heading(view);
                    for (label, meaning) in cards {
                        ui.label(RichText::new(*label).strong());
                        ui.label(*meaning);
                    }
                }
                ui.add_space(8.0);
                ui.heading("Red flags");
                for id in red_flags::IDS {
                    let text = red_flags::describe(id);
                    ui.label(RichText::new(text.title).strong());
                    ui.label(text.measures);
                    let limits = flags
                        .as_ref()
                        .and_then(|fs| fs.iter().find(|f| f.id == id))
                        .map(|f| super::panels::flag_value(f).1);
                    if let Some(limits) = limits {
                        ui.label(RichText::new(limits).small().weak());
                    }
                    ui.label(RichText::new(format!("Likely cause: {}", text.cause)).small());
                }
            });
        });
    app.show_figures_help = open;
}

/// Help → About Chatlens: the version, what it reads, the keys it takes.
fn about(app: &mut ChatlensApp, ctx: &egui::Context) {
    if !app.show_about {
        return;
    }
    let mut open = true;
    egui::Window::new("About Chatlens")
        .open(&mut open)
        .pivot(egui::Align2::CENTER_CENTER)
        .default_pos(ctx.content_rect().center())
        .resizable(false)
        .show(ctx, |ui| {
            ui.heading(format!("Chatlens {}", env!("CARGO_PKG_VERSION")));
            ui.label(concat!(env!("CARGO_PKG_DESCRIPTION"), "."));
            ui.add_space(6.0);
            ui.label(
                "Opens CSV and TSV, Parquet, JSON and NDJSON, XLSX, XLS and ODS, \
                 WhatsApp \"Export chat\" files and .chatlens reports. Your logs are \
                 only read: Chatlens never changes them, and nothing leaves this computer.",
            );
            ui.add_space(6.0);
            egui::Grid::new("about-keys").show(ui, |ui| {
                let keys = [
                    (ctx.format_shortcut(&super::OPEN), "Open a log or report"),
                    (
                        ctx.format_shortcut(&super::SAVE),
                        "Save the view as a report",
                    ),
                    (ctx.format_shortcut(&super::QUIT), "Quit"),
                    (
                        format!(
                            "{} to {}",
                            ctx.format_shortcut(&super::View::Overview.shortcut()),
                            ctx.format_shortcut(&super::View::Agents.shortcut())
                        ),
                        "The views, in the sidebar's order",
                    ),
                    (
                        ctx.format_shortcut(&super::BACK),
                        "Back from a list or a timeline",
                    ),
                    (
                        "Esc".to_string(),
                        "Close a window, go back, or cancel a load",
                    ),
                    ("Drop files".to_string(), "Open them"),
                ];
                for (key, what) in keys {
                    ui.label(RichText::new(key).monospace());
                    ui.label(what);
                    ui.end_row();
                }
            });
        });
    app.show_about = open;
}

#[cfg(test)]
mod tests {
    use super::ticked_summary;

    #[test]
    fn the_ticked_team_is_named_below_its_list() {
        let people = |ticks: &[bool]| -> Vec<(String, u64, bool)> {
            ticks
                .iter()
                .enumerate()
                .map(|(i, &t)| (format!("P{i}"), 1, t))
                .collect()
        };
        assert_eq!(
            ticked_summary(&people(&[false, false]), "Team"),
            "Nobody ticked yet."
        );
        assert_eq!(
            ticked_summary(&people(&[false, true, true]), "Team"),
            "Team: P1, P2"
        );
        assert_eq!(
            ticked_summary(&people(&[true, true, true, false, true, true]), "Team"),
            "Team: P0, P1 and 3 more"
        );
    }
}
