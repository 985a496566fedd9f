//! The desktop app driven the way a user drives it: by the labels on screen.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use chatlens::format;
use chatlens::ui::{ChatlensApp, Screen, View, worker::Source};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn harness() -> Harness<'static, ChatlensApp> {
    harness_of_size(1400.0, 900.0)
}

/// The app in a window of `width` × `height` points.
fn harness_of_size(width: f32, height: f32) -> Harness<'static, ChatlensApp> {
    let mut h = Harness::builder()
        .with_size(egui::vec2(width, height))
        // A card's explanation fades in over a few frames when the pointer
        // comes to rest on it.
        .with_max_steps(16)
        // Left on: after every run, each control on screen must have an
        // accessible name (a screen reader's, and get_by_label's).
        .build_ui_state(
            |ui, app: &mut ChatlensApp| app.ui(ui),
            ChatlensApp::new_for_test(),
        );
    h.run();
    h
}

/// Clicks the first red flag's "Show N conversations" and waits for the
/// list.
fn open_an_offender_list(h: &mut Harness<'_, ChatlensApp>) {
    h.query_all_by_label_contains(" conversations")
        .find(|n| n.rect().left() > 1000.0)
        .expect("a red flag with offending conversations")
        .click();
    wait_for_offenders(h);
    assert!(!h.state().stack.is_empty(), "the offender list opens");
}

/// Steps until the offender list a click asked for is on screen: it is
/// built on a thread of its own while a spinner stands in.
fn wait_for_offenders(h: &mut Harness<'_, ChatlensApp>) {
    h.step();
    step_while(h, "the offender list", |h| {
        shows(h, "Listing the offenders…")
    });
}

/// Clicks `label` and returns the figures it has the worker recompute.
fn recompute_by(h: &mut Harness<'_, ChatlensApp>, label: &str) -> chatlens::metrics::Report {
    h.get_by_label(label).click();
    // Stepped, not run: the recomputation keeps the spinner turning.
    h.step();
    wait_for_worker(h);
    h.state().session.as_ref().unwrap().report.clone()
}

/// Steps until the worker has answered.
fn wait_for_worker(h: &mut Harness<'_, ChatlensApp>) {
    step_while(h, "the worker's answer", |h| h.state().loading.is_some());
}

/// Steps while `busy` holds, then until the app settles; the test fails
/// after a minute rather than hang.
fn step_while(
    h: &mut Harness<'_, ChatlensApp>,
    awaited: &str,
    busy: impl Fn(&Harness<'_, ChatlensApp>) -> bool,
) {
    let start = Instant::now();
    while busy(h) {
        assert!(
            start.elapsed() < Duration::from_mins(1),
            "{awaited} did not come within a minute"
        );
        std::thread::sleep(Duration::from_millis(10));
        h.step();
    }
    h.run();
}

fn shows(h: &Harness<'_, ChatlensApp>, label: &str) -> bool {
    h.query_all_by_label(label).next().is_some()
}

#[test]
fn starts_on_the_sample_with_the_engines_figures() {
    let h = harness();
    assert!(shows(&h, "Sample data"), "the sample banner is shown");
    let report = h.state().session.as_ref().unwrap().report.clone();
    for value in [
        format::count(report.direct.conversations),
        format::count(report.direct.messages_sent),
        format::count(report.direct.messages_received),
        format::number(report.direct.avg_messages_per_chat, 1),
        format::duration(report.direct.first_response_secs.median),
        format::ratio(report.flow.direct.ratio),
        format::count(report.groups.active_groups),
        format::pct(report.groups.engagement_rate),
    ] {
        assert!(shows(&h, &value), "KPI value {value} is on screen");
    }
    assert!(shows(&h, "Red flags"));
    assert!(shows(&h, "High send, low receive"));
    // Each flag says what its base counts; the period names its last day.
    let gaps = report
        .red_flags
        .iter()
        .find(|f| f.id == "long_reply_gaps")
        .unwrap();
    let base = format!("based on {} inbound runs", format::count(gaps.based_on));
    assert!(shows(&h, &base), "{base} is on screen");
    let last_day = report.meta.data_last.as_deref().unwrap()[..10].to_string();
    let period = format!(
        "period {} – {last_day}",
        &report.meta.from.as_deref().unwrap()[..10]
    );
    assert!(shows(&h, &period), "{period} is on screen");
}

#[test]
fn every_view_opens() {
    let mut h = harness();
    for v in View::ALL {
        h.get_all_by_label(v.label()).next().unwrap().click();
        h.run();
        assert_eq!(h.state().view, v);
    }
    h.get_all_by_label("Timing").next().unwrap().click();
    h.run();
    assert!(shows(&h, "Response rate by time slot"));
    h.get_all_by_label("Agents").next().unwrap().click();
    h.run();
    assert!(shows(&h, "Touch response rate by agent"));
}

#[test]
fn red_flag_drills_down_to_a_timeline_and_back() {
    let mut h = harness();
    let session = h.state().session.as_ref().unwrap();
    let (report, prepared) = (session.report.clone(), session.prepared.clone());
    let flag = report
        .red_flags
        .iter()
        .find(|f| f.id == "high_send_low_receive")
        .unwrap();
    assert!(!flag.offenders.is_empty());
    let button = format!(
        "Show {} conversations",
        format::count(flag.offenders.len() as u64)
    );
    h.get_by_label(&button).click();
    wait_for_offenders(&mut h);
    assert!(shows(&h, "High send, low receive — offenders"));
    let rows = chatlens::ui::panels::offender_rows(&report, &prepared, flag.id);
    assert!(!rows.is_empty());
    assert!(
        rows.iter().any(|r| shows(&h, r.id(&prepared))),
        "an offending conversation is listed"
    );
    // A list longer than the view fills it down to the status bar.
    assert!(rows.len() > 60);
    let lowest = h
        .get_all_by_label("Open")
        .map(|n| n.rect().bottom())
        .fold(f32::MIN, f32::max);
    let status_bar = h.get_by_label("Import report").rect().top();
    assert!(
        status_bar - lowest < 40.0,
        "rows end at {lowest}, the status bar starts at {status_bar}"
    );
    h.get_all_by_label("Open").next().unwrap().click();
    h.run();
    assert!(h.query_by_label_contains("Conversation ").is_some());
    assert!(shows(&h, "Sent"));
    h.get_by_label("< Back").click();
    h.run();
    assert!(shows(&h, "High send, low receive — offenders"));
    h.get_by_label("< Back").click();
    h.run();
    assert!(h.state().stack.is_empty());
}

/// One turn of the mouse wheel down, over where the pointer is.
fn wheel_down(h: &mut Harness<'_, ChatlensApp>) {
    wheel(h, egui::vec2(0.0, -600.0));
}

/// The mouse wheel turned by `delta` points over what the pointer is on.
fn wheel(h: &mut Harness<'_, ChatlensApp>, delta: egui::Vec2) {
    h.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta,
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Unknown,
        modifiers: egui::Modifiers::NONE,
    });
    h.run();
}

#[test]
fn a_timeline_shows_long_messages_whole_and_scrolls_to_the_last() {
    // One chat of 300 messages, every third one long enough to wrap over
    // several lines of the 1400-point window.
    let long = |i: usize| format!("message {i}{}", " a long line of words".repeat(30));
    let mut log = String::from("timestamp,conversation_id,direction,text\n");
    for i in 0..300 {
        let text = match i {
            299 => "the last message of the chat".to_string(),
            2 => "z".repeat(20_000),
            _ if i % 3 == 0 => long(i),
            _ => format!("short {i}"),
        };
        let direction = if i % 2 == 0 { "outbound" } else { "inbound" };
        writeln!(
            log,
            "2024-03-01 {:02}:{:02},c1,{direction},{text}",
            i / 60,
            i % 60
        )
        .unwrap();
    }
    let (_dir, mut h) = harness_on("long.csv", log.as_bytes());
    h.state_mut().stack.push(Screen::Timeline { conv: 0 });
    h.run();
    assert!(shows(&h, "Conversation c1"));

    // A long message wraps inside the window instead of being cut.
    let short = h.get_by_label("short 1").rect();
    let wrapped = h.get_by_label(&long(0)).rect();
    assert!(
        wrapped.height() > 2.5 * short.height(),
        "a long message is {} points high, a short one {}",
        wrapped.height(),
        short.height()
    );
    assert!(wrapped.right() <= 1400.0, "{wrapped:?}");
    // A message as long as a document shows its start and its length.
    assert!(
        h.query_by_label_contains("… (20,000 characters in all)")
            .is_some()
    );

    // Scrolled down by the wheel, the list ends on the last message, above
    // the status bar.
    h.hover_at(short.center());
    let start = Instant::now();
    while !shows(&h, "the last message of the chat") {
        assert!(
            start.elapsed() < Duration::from_mins(1),
            "the last message never came into view"
        );
        wheel_down(&mut h);
    }
    for _ in 0..5 {
        wheel_down(&mut h);
    }
    let last = h.get_by_label("the last message of the chat").rect();
    let status_bar = h.get_by_label("Import report").rect().top();
    assert!(
        last.bottom() <= status_bar && status_bar - last.bottom() < 40.0,
        "the last message ends at {}, the status bar starts at {status_bar}",
        last.bottom()
    );
    assert!(!shows(&h, "short 1"), "the first rows scrolled away");
}

/// How far a view's heading is below the first button of the navigation:
/// about nothing when the view is at its top, as both panels start at one
/// height.
fn heading_offset(h: &Harness<'_, ChatlensApp>, view: &str) -> f32 {
    let leftmost = |label: &str| {
        h.query_all_by_label(label)
            .map(|n| n.rect())
            .min_by(|a, b| a.left().total_cmp(&b.left()))
            .unwrap()
    };
    let heading = h
        .query_all_by_label(view)
        .map(|n| n.rect())
        .max_by(|a, b| a.left().total_cmp(&b.left()))
        .unwrap();
    assert!(
        heading.left() > leftmost(view).right(),
        "{view}: no heading"
    );
    heading.top() - leftmost("Overview").top()
}

#[test]
fn each_view_opens_at_its_top_and_keeps_its_place() {
    let mut h = harness_of_size(1024.0, 640.0);
    let at_top = heading_offset(&h, "Overview");
    assert!(at_top.abs() < 20.0, "{at_top}");
    h.hover_at(h.get_by_label("1:1 chats").rect().center());
    wheel_down(&mut h);
    assert!(
        heading_offset(&h, "Overview") < at_top - 200.0,
        "the overview scrolls"
    );

    // Another view starts at its own top, not at the overview's place.
    h.get_by_label("Flow").click();
    h.run();
    let flow = heading_offset(&h, "Flow");
    assert!((flow - at_top).abs() < 1.0, "{flow} against {at_top}");

    // Back on the overview, it is where it was left.
    h.query_all_by_label("Overview")
        .min_by(|a, b| a.rect().left().total_cmp(&b.rect().left()))
        .unwrap()
        .click();
    h.run();
    assert!(
        heading_offset(&h, "Overview") < at_top - 200.0,
        "the overview kept its place"
    );

    // A newly opened log starts at the top.
    let dir = tempfile::tempdir().unwrap();
    let path = temp_file(&dir, "small.csv", SMALL_LOG.as_bytes());
    h.state_mut().open_path(path);
    wait_for_worker(&mut h);
    assert!(h.state().error.is_none(), "{:?}", h.state().error);
    h.run();
    assert!((heading_offset(&h, "Overview") - at_top).abs() < 1.0);
}

#[test]
fn a_table_wider_than_the_window_scrolls_sideways() {
    let mut h = harness_of_size(1024.0, 640.0);
    h.get_by_label("Agents").click();
    h.run();
    let panel_end = h.get_by_label("Red flags").rect().left();
    let last_column = "Team reply (median)";
    assert!(
        h.get_by_label(last_column).rect().right() > panel_end,
        "the agents table is wider than the panel at 1024 points"
    );
    h.hover_at(h.get_by_label("Alice Martin").rect().center());
    wheel(&mut h, egui::vec2(-600.0, 0.0));
    let header = h.get_by_label(last_column).rect();
    assert!(
        header.right() <= panel_end,
        "the last column at {header:?} comes into view, the panel ends at {panel_end}"
    );
}

/// Alt and a digit open the views in the sidebar's order, as the View
/// menu lists them; Alt+Left goes back from a drill-down.
#[test]
fn the_keyboard_opens_views_and_goes_back() {
    let mut h = harness();
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::Num4);
    h.run();
    assert_eq!(h.state().view, View::Timing);
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::Num0);
    h.run();
    assert_eq!(h.state().view, View::Agents);
    h.get_by_label("View").click();
    h.run();
    assert!(shows(&h, "Follow-ups Alt+3"), "the menu names the keys");
    h.key_press(egui::Key::Escape);
    h.run();

    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::Num1);
    h.run();
    assert_eq!(h.state().view, View::Overview);
    open_an_offender_list(&mut h);
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::ArrowLeft);
    h.run();
    assert!(h.state().stack.is_empty(), "Alt+Left goes back");
}

#[test]
fn escape_closes_what_is_in_front() {
    let mut h = harness();
    h.state_mut().show_settings = true;
    h.state_mut().show_import_report = true;
    h.run();
    assert!(shows(&h, "Settings") && shows(&h, "Import report"));
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(!h.state().show_settings, "the settings close first");
    assert!(h.state().show_import_report);
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(!h.state().show_import_report);

    // From an offender list back to the view.
    open_an_offender_list(&mut h);
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(h.state().stack.is_empty(), "Escape goes back");

    // While a field has the keyboard, Escape is the field's.
    h.state_mut().show_settings = true;
    h.run();
    h.get_by_role(egui::accesskit::Role::TextInput).click();
    h.run();
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(h.state().show_settings, "the first Escape leaves the field");
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(!h.state().show_settings);

    // In the mapping dialog, Escape first closes an open list of columns.
    let dir = tempfile::tempdir().unwrap();
    let csv = SMALL_LOG.replacen("timestamp,", "When,", 1);
    h.state_mut()
        .open_path(temp_file(&dir, "odd.csv", csv.as_bytes()));
    wait_for_worker(&mut h);
    assert!(h.state().mapping.is_some());
    let row = h.get_by_label("timestamp (required)").rect().center().y;
    h.query_all_by_role(egui::accesskit::Role::ComboBox)
        .find(|n| (n.rect().center().y - row).abs() < 5.0)
        .expect("the list of columns for the timestamp")
        .click();
    h.run();
    assert!(egui::Popup::is_any_open(&h.ctx), "the list opens");
    h.run();
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(
        h.state().mapping.is_some(),
        "the list closes, not the dialog"
    );
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(h.state().mapping.is_none());
}

#[test]
fn figures_explain_themselves_under_the_pointer() {
    let mut h = harness();
    // On `view` (none: the one on screen), the pointer rests on `label` and
    // the explanation holding `text` shows.
    let explains = |h: &mut Harness<'_, ChatlensApp>, view: Option<&str>, label, text| {
        if let Some(view) = view {
            h.get_by_label(view).click();
            h.run();
        }
        h.hover_at(h.get_by_label(label).rect().center());
        h.run();
        assert!(h.query_by_label_contains(text).is_some(), "{label}");
    };
    explains(
        &mut h,
        None,
        "Msgs / chat",
        "divided by the number of those chats",
    );
    // So does a quality indicator, with the outcomes the settings count,
    // and a column of the agents table.
    explains(
        &mut h,
        Some("Quality"),
        "Positive outcome",
        "A winning outcome (won, converted",
    );
    explains(
        &mut h,
        Some("Agents"),
        "Follow-up response",
        "Share of those follow-ups a customer answered",
    );
}

#[test]
fn a_long_filter_list_stays_open_for_several_names_and_can_be_searched() {
    let mut log = String::from("timestamp,conversation_id,direction,agent\n");
    for i in 0..40 {
        writeln!(
            log,
            "2024-03-01 10:{i:02},c{i},outbound,Agent Number {i:02}"
        )
        .unwrap();
    }
    let (_dir, mut h) = harness_on("team.csv", log.as_bytes());
    h.get_by_label("Agent: all").click();
    h.run();
    recompute_by(&mut h, "Agent Number 03");
    assert!(
        shows(&h, "Agent Number 07"),
        "the list stays open after a name is ticked"
    );
    let report = recompute_by(&mut h, "Agent Number 07");
    assert_eq!(
        report.meta.filters.agents,
        ["Agent Number 03", "Agent Number 07"]
    );
    // Typing part of a name narrows the list.
    h.get_by_role(egui::accesskit::Role::TextInput).click();
    h.run();
    h.get_by_role(egui::accesskit::Role::TextInput)
        .type_text("ber 1");
    h.run();
    assert!(shows(&h, "Agent Number 12"));
    assert!(
        !shows(&h, "Agent Number 22"),
        "names without the text are hidden"
    );
}

#[test]
fn a_file_dialog_that_cannot_be_shown_says_so() {
    let mut h = harness();
    let ctx = h.ctx.clone();
    // Cancelled by a person: nothing to say.
    h.state_mut().await_dialog(
        &ctx,
        chatlens::ui::Pick::ExportData,
        Box::pin(async {
            std::thread::sleep(Duration::from_millis(400));
            None
        }),
    );
    step_while(&mut h, "the dialog's answer", |h| h.state().has_dialog());
    assert_eq!(h.state().notice, None);
    // Answered at once: no dialog was shown, and the user is told why.
    h.state_mut().await_dialog(
        &ctx,
        chatlens::ui::Pick::ExportData,
        Box::pin(async { None }),
    );
    step_while(&mut h, "the dialog's answer", |h| h.state().has_dialog());
    let notice = h.state().notice.clone().unwrap_or_default();
    assert!(
        notice.starts_with("No file dialog could be shown"),
        "{notice}"
    );
    assert!(shows(&h, &notice));
}

#[test]
fn a_filter_change_recomputes() {
    let mut h = harness();
    let before = h
        .state()
        .session
        .as_ref()
        .unwrap()
        .report
        .direct
        .conversations;
    h.get_by_value("1:1 + groups").click();
    h.run();
    let report = recompute_by(&mut h, "Groups only");
    assert_eq!(
        report.meta.filters.chat_type,
        Some(chatlens::metrics::ChatType::Group)
    );
    assert_ne!(report.direct.conversations, before);
    assert!(shows(&h, &format::count(report.direct.conversations)));
}

/// The app on a log written to a temporary folder (alive as long as the
/// folder returned), loaded without an error.
fn harness_on(name: &str, bytes: &[u8]) -> (tempfile::TempDir, Harness<'static, ChatlensApp>) {
    let dir = tempfile::tempdir().unwrap();
    let path = temp_file(&dir, name, bytes);
    let mut h = harness();
    h.state_mut().open_path(path);
    wait_for_worker(&mut h);
    assert!(h.state().error.is_none(), "{:?}", h.state().error);
    (dir, h)
}

/// Clicks the mapping dialog's Import and waits for the file to open.
fn import_from_mapping_dialog(h: &mut Harness<'static, ChatlensApp>) {
    h.get_by_label("Import").click();
    h.step();
    wait_for_worker(h);
    assert!(
        h.state().mapping.is_none(),
        "{:?}",
        h.state().mapping.as_ref().map(|d| &d.why)
    );
    assert!(h.state().error.is_none(), "{:?}", h.state().error);
}

/// Chooses `column` for `field` in the open mapping dialog, as its combo
/// box would (its selected text is not a label to click by).
fn map_in_dialog(h: &mut Harness<'static, ChatlensApp>, field: &str, column: &str) {
    let d = h.state_mut().mapping.as_mut().unwrap();
    for (c, choice) in &mut d.choice {
        if c.name() == field {
            *choice = column.into();
        }
    }
    h.run();
}

fn temp_file(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

const SMALL_LOG: &str = "timestamp,conversation_id,direction,text\n\
2024-03-01 10:00,c1,outbound,Hello\n\
2024-03-01 10:05,c1,inbound,Hi there\n\
2024-03-01 11:00,c2,outbound,Offer\n\
2024-03-02 09:00,c2,outbound,Reminder\n\
2024-03-02 09:30,c2,inbound,Thanks\n";

#[test]
fn opens_a_file_through_the_shared_entry_point() {
    let dir = tempfile::tempdir().unwrap();
    let path = temp_file(&dir, "demo.csv", SMALL_LOG.as_bytes());
    let mut h = harness();
    h.state_mut().open_path(path.clone());
    wait_for_worker(&mut h);
    assert_eq!(h.state().source, Source::Path(path));
    assert!(h.state().error.is_none(), "{:?}", h.state().error);
    assert!(shows(&h, "demo.csv"));
    assert!(!shows(&h, "Sample data"));
    let report = h.state().session.as_ref().unwrap().report.clone();
    assert_eq!(report.direct.conversations, 2);
}

/// A log of dates without times opens with a note saying so, which
/// another log's opening takes away.
#[test]
fn a_log_of_dates_only_opens_with_a_note() {
    let days = "date,conversation_id,direction\n2024-03-04,c1,outbound\n2024-03-05,c1,inbound\n";
    let (dir, mut h) = harness_on("days.csv", days.as_bytes());
    let note = h.state().notice.clone().expect("a note");
    assert!(
        note.contains("every timestamp (date) is at midnight"),
        "{note}"
    );
    assert!(shows(&h, &note));
    h.get_by_label("1 warning").click();
    h.run();
    assert!(
        h.state().show_import_report,
        "the count opens the import report"
    );
    h.state_mut()
        .open_path(temp_file(&dir, "times.csv", SMALL_LOG.as_bytes()));
    wait_for_worker(&mut h);
    assert_eq!(h.state().notice, None);
    assert!(!shows(&h, &note));
}

#[test]
fn a_bad_file_shows_an_error_and_keeps_the_dashboard() {
    let dir = tempfile::tempdir().unwrap();
    let png = include_bytes!("../assets/icons/hicolor/256x256/apps/chatlens.png");
    let path = temp_file(&dir, "bad.csv", png);
    let mut h = harness();
    let conversations = h
        .state()
        .session
        .as_ref()
        .unwrap()
        .report
        .direct
        .conversations;
    h.state_mut().open_path(path);
    wait_for_worker(&mut h);
    let error = h.state().error.clone().expect("an error is shown");
    assert!(error.contains("bad.csv"), "{error}");
    assert!(
        h.query_by_label_contains("Could not open bad.csv")
            .is_some()
    );
    assert_eq!(h.state().source, Source::Sample);
    assert!(shows(&h, &format::count(conversations)));
    h.get_by_label("Dismiss").click();
    h.run();
    assert!(h.state().error.is_none());

    // A message longer than the window wraps short of its button.
    h.state_mut().error = Some("Could not open a file: ".repeat(40));
    h.run();
    let dismiss = h.get_by_label("Dismiss").rect();
    let window = h.ctx.content_rect();
    assert!(
        dismiss.right() <= window.right(),
        "{dismiss:?} in {window:?}"
    );
    h.get_by_label("Dismiss").click();
    h.run();
    assert!(h.state().error.is_none());

    // A table none of whose rows can be read opens the mapping dialog on
    // why, naming the first cell that failed; the dashboard stays behind.
    let path = temp_file(
        &dir,
        "unreadable.csv",
        b"timestamp,conversation_id,direction
soon,c1,out
later,c1,in
",
    );
    h.state_mut().open_path(path);
    wait_for_worker(&mut h);
    let why = h
        .state()
        .mapping
        .as_ref()
        .expect("the mapping dialog opens")
        .why
        .clone();
    assert!(why.contains("unreadable.csv"), "{why}");
    assert!(why.contains(r#"column "timestamp": "soon""#), "{why}");
    assert!(
        h.query_by_label_contains(r#"column "timestamp": "soon""#)
            .is_some()
    );
    h.get_by_label("Cancel").click();
    h.run();
    assert!(h.state().mapping.is_none());
    assert_eq!(h.state().source, Source::Sample);
    assert!(shows(&h, &format::count(conversations)));
}

#[test]
fn unknown_columns_are_mapped_in_a_dialog() {
    let dir = tempfile::tempdir().unwrap();
    let csv = SMALL_LOG.replacen(
        "timestamp,conversation_id,direction,text",
        "When,Thread,Way,Body",
        1,
    );
    let path = temp_file(&dir, "odd.csv", csv.as_bytes());
    let mut h = harness();
    h.state_mut().open_path(path.clone());
    wait_for_worker(&mut h);
    assert!(h.state().mapping.is_some(), "the mapping dialog opens");
    assert!(shows(&h, "Map the columns"));
    assert!(shows(&h, "When"), "the file's columns are listed");
    // Every field is in view in a 900-point window, the last one above the
    // preview, not scrolled out of a list cut at twelve fields.
    let last_field = h.get_by_label("broadcast_id").rect();
    let preview = h.get_by_label("First rows of the file").rect();
    assert!(
        last_field.bottom() <= preview.top(),
        "broadcast_id at {last_field:?}, preview at {preview:?}"
    );
    for (field, column) in [
        ("timestamp", "When"),
        ("conversation_id", "Thread"),
        ("direction", "Way"),
    ] {
        map_in_dialog(&mut h, field, column);
    }
    import_from_mapping_dialog(&mut h);
    assert_eq!(h.state().source, Source::Path(path));
    assert_eq!(
        h.state()
            .session
            .as_ref()
            .unwrap()
            .report
            .direct
            .conversations,
        2
    );
}

/// A log with senders but no direction column: the team is ticked among
/// its senders in the mapping dialog, as for a chat export.
#[test]
fn a_log_without_directions_gets_its_team_in_the_mapping_dialog() {
    let csv = "timestamp,chat,from,text\n\
2024-03-01 10:00,c1,Ana,Hello\n\
2024-03-01 10:05,c1,Customer One,Hi there\n\
2024-03-01 11:00,c2,Customer Two,Question\n\
2024-03-01 11:30,c2,Ana,Answer\n\
2024-03-01 11:40,c2,Customer Two,Thanks\n";
    let (dir, mut h) = harness_on("no-direction.csv", csv.as_bytes());
    assert!(shows(&h, "Map the columns"));
    assert!(shows(&h, "No direction column? Pick the team"));
    assert!(shows(
        &h,
        "Choose a column for each required field, or tick the team."
    ));
    // Most messages first.
    let ana = h.get_by_label("Ana (2 messages)").rect();
    let two = h.get_by_label("Customer Two (2 messages)").rect();
    let one = h.get_by_label("Customer One (1 message)").rect();
    assert!(ana.top() < one.top() && two.top() < one.top());
    assert!(shows(&h, "Nobody ticked yet."));
    h.get_by_label("Ana (2 messages)").click();
    h.run();
    assert!(shows(&h, "Team: Ana"));
    assert!(!shows(
        &h,
        "Choose a column for each required field, or tick the team."
    ));
    import_from_mapping_dialog(&mut h);
    let flow = &h.state().session.as_ref().unwrap().report.flow;
    assert_eq!((flow.direct.outbound, flow.direct.inbound), (2, 3));
    // Two sent for three received reads as such, not as "0.7 : 1".
    h.run();
    assert!(shows(&h, "1 : 1.5"));

    // A new time zone reads the file again with the same team, without
    // asking for it again.
    h.state_mut().zone_draft = "Asia/Tokyo".into();
    h.state_mut().apply_settings();
    h.step();
    wait_for_worker(&mut h);
    assert!(h.state().mapping.is_none(), "no dialog after a new zone");
    let session = h.state().session.clone().unwrap();
    assert_eq!(session.report.meta.tz, "Asia/Tokyo");
    let flow = &session.report.flow;
    assert_eq!((flow.direct.outbound, flow.direct.inbound), (2, 3));

    // Next week's file, with the same columns, opens the dialog filled in
    // as this one was mapped, its team ticked: one click imports it.
    let remembered = &h.state().persisted.mappings;
    assert_eq!(remembered.len(), 1);
    assert_eq!(remembered[0].headers, ["timestamp", "chat", "from", "text"]);
    assert_eq!(
        remembered[0].team.as_deref(),
        Some(&["Ana".to_string()][..])
    );
    // Its columns in another order.
    let moved = csv
        .replace("2024-03-01", "2024-03-08")
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            [f[3], f[2], f[1], f[0]].join(",")
        })
        .collect::<Vec<_>>()
        .join("\n");
    let next = temp_file(&dir, "next-week.csv", moved.as_bytes());
    h.state_mut().open_path(next);
    wait_for_worker(&mut h);
    assert!(
        h.query_by_label_contains("Filled in as you mapped a file with these columns before.")
            .is_some()
    );
    let ticked: Vec<bool> = h
        .state()
        .mapping
        .as_ref()
        .unwrap()
        .team
        .as_ref()
        .unwrap()
        .1
        .iter()
        .map(|p| p.2)
        .collect();
    assert_eq!(ticked, [true, false, false]);
    import_from_mapping_dialog(&mut h);
    let flow = &h.state().session.as_ref().unwrap().report.flow;
    assert_eq!((flow.direct.outbound, flow.direct.inbound), (2, 3));
}

/// A chat export whose `type` field ("message") was taken for the
/// direction gives no row: the mapping dialog opens on why, and clearing
/// the direction lets the team be ticked among the senders.
#[test]
fn a_log_that_gives_no_row_opens_the_mapping_dialog_on_why() {
    let json = r#"{
 "name": "Acme support",
 "messages": [
  {"type": "message", "date": "2024-03-04T09:00:00", "from": "Customer", "text": "Hi"},
  {"type": "message", "date": "2024-03-04T09:07:00", "from": "Ana", "text": "Hello"},
  {"type": "message", "date": "yesterday", "from": "Customer", "text": "ok"}
 ]
}"#;
    let (_dir, mut h) = harness_on("result.json", json.as_bytes());
    assert!(h.state().mapping.is_some(), "the mapping dialog opens");
    assert!(
        h.query_by_label_contains("none of its 3 rows could be read")
            .is_some()
    );
    assert!(!shows(&h, "No direction column? Pick the team"));
    {
        let d = h.state_mut().mapping.as_mut().unwrap();
        let direction = d
            .choice
            .iter_mut()
            .find(|(c, _)| c.name() == "direction")
            .unwrap();
        assert_eq!(direction.1, "type");
        direction.1.clear();
    }
    h.run();
    h.get_by_label("Ana (1 message)").click();
    h.run();
    import_from_mapping_dialog(&mut h);
    let session = h.state().session.clone().unwrap();
    assert_eq!(
        (
            session.report.flow.direct.outbound,
            session.report.flow.direct.inbound
        ),
        (1, 1)
    );
    assert_eq!(session.imported.report.skipped["unparseable_timestamp"], 1);
}

/// A direction column in words of its own (`user`, `admin`, `bot`): once
/// chosen, no row reads, and the dialog lists its values to tick those
/// that mean sent.
#[test]
fn a_direction_column_in_words_of_its_own_reads_by_the_values_ticked() {
    let csv = "ticket_id,created_at,author_type,body\n\
t1,2024-03-04 09:00,user,Hi\n\
t1,2024-03-04 09:20,admin,Hello\n\
t1,2024-03-04 09:25,bot,Survey\n\
t2,2024-03-04 10:00,user,Help\n";
    let (dir, mut h) = harness_on("intercom.csv", csv.as_bytes());
    assert!(h.state().mapping.is_some(), "the mapping dialog opens");
    assert!(!shows(&h, "Which values mean sent?"));
    map_in_dialog(&mut h, "direction", "author_type");
    h.get_by_label("Import").click();
    h.step();
    wait_for_worker(&mut h);
    assert!(shows(&h, "Which values mean sent?"));
    assert!(shows(&h, "Nothing ticked yet."));
    assert!(shows(&h, "Tick the values that mean sent."));
    h.get_by_label("admin (1 message)").click();
    h.get_by_label("bot (1 message)").click();
    h.run();
    assert!(shows(&h, "Sent: admin, bot"));
    import_from_mapping_dialog(&mut h);
    let report = &h.state().session.as_ref().unwrap().report;
    assert_eq!((report.flow.outbound, report.flow.inbound), (2, 2));
    // t1: the user wrote at 09:00, the team answered at 09:20.
    assert_eq!(report.direct.first_response_secs.median, Some(1200.0));
    // Next week's export is filled in, values included: one Import opens it.
    let next = temp_file(
        &dir,
        "next-week.csv",
        csv.replace("03-04", "03-11").as_bytes(),
    );
    h.state_mut().open_path(next);
    wait_for_worker(&mut h);
    assert!(
        h.query_by_label_contains("Filled in as you mapped a file with these columns before.")
            .is_some()
    );
    import_from_mapping_dialog(&mut h);
    let report = &h.state().session.as_ref().unwrap().report;
    assert_eq!((report.flow.outbound, report.flow.inbound), (2, 2));
}

#[test]
fn exports_not_yet_available_show_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness();
    h.state_mut()
        .run_pick(chatlens::ui::Pick::ExportData, dir.path().to_path_buf());
    let start = Instant::now();
    while h.state().error.is_none() && h.state().notice.is_none() {
        assert!(start.elapsed() < Duration::from_secs(30));
        std::thread::sleep(Duration::from_millis(20));
        h.step();
    }
    h.run();
    // Either the export works (once implemented) or its error is on screen.
    if let Some(e) = h.state().error.clone() {
        assert!(h.query_by_label_contains(&e).is_some());
    }
}

#[test]
fn a_saved_report_reopens_with_its_filters_shown() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("log.csv");
    let df = chatlens::sample::generate(120, 5);
    chatlens::sample::write(&df, &csv).unwrap();
    let opts = chatlens::import::ImportOptions {
        zone: chatlens::import::ReportZone::utc(),
        ..chatlens::import::ImportOptions::default()
    };
    let imported = chatlens::import::import_path(&csv, &opts).unwrap();
    let filters = chatlens::metrics::Filters {
        segments: vec!["SMB".into()],
        ..chatlens::metrics::Filters::default()
    };
    let session = chatlens::session::Session::new(
        imported,
        chatlens::metrics::Settings::default(),
        filters,
        opts.zone,
    )
    .unwrap();
    let report = dir.path().join("smb.chatlens");
    chatlens::report_file::save(&session, &report).unwrap();

    let mut h = harness();
    h.state_mut().open_path(report);
    wait_for_worker(&mut h);
    assert!(
        shows(&h, "Segment: SMB"),
        "the segment control shows the saved filter"
    );
    let shown = h.state().session.as_ref().unwrap();
    assert_eq!(
        shown.report.direct.conversations,
        session.report.direct.conversations
    );
    assert!(!shows(&h, "Sample data"));
}

#[test]
fn a_whatsapp_export_asks_for_the_team() {
    let mut h = harness();
    let chat = std::path::PathBuf::from(
        "../shared/fixtures/whatsapp/chat-analytics/tests/samples/whatsapp/4A_11M.zip",
    );
    h.state_mut().open_path(chat);
    wait_for_worker(&mut h);
    assert!(shows(&h, "Who is the team?"), "the team dialog opens");
    // The sample dashboard stays behind the dialog until the team is chosen.
    assert!(h.state().is_sample());
    h.get_by_label("Alice (3 messages)").click();
    h.run();
    h.get_by_label("Import").click();
    h.step();
    wait_for_worker(&mut h);
    assert!(!shows(&h, "Who is the team?"));
    let session = h.state().session.clone().unwrap();
    // Alice's 3 messages go out; the other 8 come in (a group chat of five).
    assert_eq!(session.report.flow.group.outbound, 3);
    assert_eq!(session.report.flow.group.inbound, 8);
    assert!(!h.state().is_sample());
    // The next chat export asks again, with the same team ticked.
    h.state_mut().open_path(std::path::PathBuf::from(
        "../shared/fixtures/whatsapp/chat-analytics/tests/samples/whatsapp/4A_11M.txt",
    ));
    wait_for_worker(&mut h);
    let ticked: Vec<(String, bool)> = h
        .state()
        .team
        .as_ref()
        .unwrap()
        .participants
        .iter()
        .map(|p| (p.0.clone(), p.2))
        .collect();
    assert!(ticked.contains(&("Alice".to_string(), true)), "{ticked:?}");
    assert_eq!(ticked.iter().filter(|p| p.1).count(), 1);
}

#[test]
fn several_dropped_files_open_as_one_dashboard() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    std::fs::write(
        &a,
        "timestamp,chat,dir\n2024-01-01 09:00,x,out\n2024-01-01 10:00,x,in\n",
    )
    .unwrap();
    std::fs::write(&b, "timestamp,chat,dir\n2024-01-02 09:00,y,out\n").unwrap();
    let mut h = harness();
    h.state_mut().open_paths(vec![a, b]);
    wait_for_worker(&mut h);
    assert!(shows(&h, "2 files"), "the top bar names the set");
    let session = h.state().session.clone().unwrap();
    assert_eq!(session.report.direct.conversations, 2);
    assert_eq!(session.report.direct.messages_sent, 2);
}

#[test]
fn a_chart_exports_at_the_chosen_size() {
    let mut h = harness();
    h.state_mut().persisted.image_size = [800, 450];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("decay.png");
    h.state_mut().run_pick(
        chatlens::ui::Pick::ExportChart {
            id: "followup-decay",
            kind: chatlens::ui::worker::ImageKind::Png,
        },
        path.clone(),
    );
    let start = Instant::now();
    while !path.exists() {
        assert!(
            start.elapsed() < Duration::from_mins(2),
            "no image was written"
        );
        std::thread::sleep(Duration::from_millis(50));
        h.step();
    }
    h.run();
    let img = image::open(&path).unwrap();
    // PNGs are drawn at twice the logical size.
    assert_eq!((img.width(), img.height()), (1600, 900));
}

#[test]
fn the_import_report_of_a_parquet_log_names_its_format_alone() {
    use polars::prelude::*;
    let mut df = CsvReadOptions::default()
        .into_reader_with_file_handle(std::io::Cursor::new(SMALL_LOG.as_bytes()))
        .finish()
        .unwrap();
    let mut parquet = Vec::new();
    ParquetWriter::new(&mut parquet).finish(&mut df).unwrap();
    let (_dir, mut h) = harness_on("demo.parquet", &parquet);
    h.get_by_label("Import report").click();
    h.run();
    assert!(shows(&h, "parquet"), "the format is named");
    assert!(!shows(&h, "parquet · "), "no encoding is named after it");
}

/// Slash dates that nothing tells apart: 3 April or 4 March.
const SLASHES: &str = "timestamp,conversation_id,direction\n\
03/04/2024 10:00,c1,outbound\n\
03/05/2024 10:05,c1,inbound\n";

/// Clicks the import report's button to read the dates the other way and
/// waits for the log to open again.
fn reread(h: &mut Harness<'static, ChatlensApp>, button: &str) {
    h.get_by_label(button).click();
    h.run();
    wait_for_worker(h);
    assert!(h.state().error.is_none(), "{:?}", h.state().error);
}

/// Slash dates that nothing in the file tells apart open day first with a
/// note, and the import report reads them month first at a click.
#[test]
fn an_assumed_day_and_month_order_can_be_turned_round() {
    let (_dir, mut h) = harness_on("slashes.csv", SLASHES.as_bytes());
    let first = |h: &Harness<'_, ChatlensApp>| {
        let s = h.state().session.as_ref().unwrap();
        s.imported.report.first_timestamp.clone().unwrap()
    };
    assert!(first(&h).starts_with("2024-04-03"), "{}", first(&h));
    let note = h.state().notice.clone().expect("a note");
    assert!(note.contains("read as day first"), "{note}");
    assert!(!note.contains("--monthfirst"), "{note}");
    h.get_by_label("Import report").click();
    h.run();
    assert!(shows(&h, "day first (assumed: no date tells)"));
    // The command line's flag is no way round in the app.
    // Said in the note and in the report's warnings.
    assert_eq!(
        h.query_all_by_label_contains("read as day first").count(),
        2
    );
    assert_eq!(h.query_all_by_label_contains("--monthfirst").count(), 0);
    reread(&mut h, "Read month first");
    assert!(first(&h).starts_with("2024-03-04"), "{}", first(&h));
    assert_eq!(h.state().notice, None);
    assert!(shows(&h, "month first (as chosen)"));
    // And back.
    reread(&mut h, "Read day first");
    assert!(first(&h).starts_with("2024-04-03"), "{}", first(&h));
}

/// A saved report keeps its table as it was read: its assumed order is
/// told, with no button to read the dates again.
#[test]
fn a_saved_report_tells_an_assumed_order_without_offering_to_reread() {
    let (dir, mut h) = harness_on("slashes.csv", SLASHES.as_bytes());
    let saved = dir.path().join("slashes.chatlens");
    chatlens::report_file::save(h.state().session.as_ref().unwrap(), &saved).unwrap();
    h.state_mut().open_path(saved);
    wait_for_worker(&mut h);
    assert!(h.state().error.is_none(), "{:?}", h.state().error);
    let note = h.state().notice.clone().expect("a note");
    assert!(note.contains("read as day first"), "{note}");
    assert!(!note.contains("can read the dates"), "{note}");
    h.get_by_label("Import report").click();
    h.run();
    assert!(shows(&h, "day first (assumed: no date tells)"));
    assert!(!shows(&h, "Read month first"));
}

/// Close times in slash dates that nothing tells apart are turned round
/// from the import report too, and back, though the times themselves are
/// ISO.
#[test]
fn an_assumed_close_time_order_can_be_turned_round() {
    let log = "timestamp,conversation_id,direction,closed_at\n\
2024-03-04 10:00,c1,outbound,03/04/2024 12:00\n\
2024-03-04 10:05,c1,inbound,\n";
    let (_dir, mut h) = harness_on("closed.csv", log.as_bytes());
    let resolution = |h: &Harness<'_, ChatlensApp>| {
        let s = h.state().session.as_ref().unwrap();
        s.report.direct.resolution_secs.median
    };
    // Read day first: closed on 3 April, a month after the first row.
    assert_eq!(resolution(&h), Some(f64::from(30 * 86_400 + 2 * 3_600)));
    h.get_by_label("Import report").click();
    h.run();
    reread(&mut h, "Read month first");
    assert_eq!(resolution(&h), Some(f64::from(2 * 3_600)));
    assert!(shows(&h, "month first (as chosen)"));
    reread(&mut h, "Read day first");
    assert_eq!(resolution(&h), Some(f64::from(30 * 86_400 + 2 * 3_600)));
}

/// The names the tables give rows without an agent or a segment can be
/// chosen as filters, where the log has such rows.
#[test]
fn unassigned_and_unknown_are_filters_when_the_log_has_them() {
    let log = "timestamp,conversation_id,direction,agent,segment\n\
2024-03-01 10:00,c1,outbound,Ann,SMB\n\
2024-03-01 10:05,c1,inbound,,SMB\n\
2024-03-01 11:00,c2,outbound,,\n\
2024-03-02 09:30,c2,inbound,,\n";
    let (_dir, mut h) = harness_on("unassigned.csv", log.as_bytes());
    // Opens a filter menu, ticks one name and waits for the figures.
    let choose = |h: &mut Harness<'_, ChatlensApp>, menu: &str, name: &str| {
        h.get_by_label(menu).click();
        h.run();
        recompute_by(h, name)
    };
    let report = choose(&mut h, "Agent: all", "Unassigned");
    assert_eq!(report.meta.filters.agents, ["Unassigned"]);
    assert_eq!(report.direct.conversations, 1);
    assert_eq!(report.agents.len(), 1);
    assert_eq!(report.agents[0].agent, "Unassigned");
    assert!(shows(&h, "Agent: Unassigned"));

    // The agent list stays open for more names until Escape closes it.
    assert!(shows(&h, "Ann"));
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(!shows(&h, "Ann"));
    let report = choose(&mut h, "Segment: all", "Unknown");
    assert_eq!(report.meta.filters.segments, ["Unknown"]);
    assert_eq!(report.direct.conversations, 1);
}

/// With the whole log as the period, the previous one holds no message:
/// the Compare view says so and offers a period that compares like for
/// like, in one click.
#[test]
fn compare_offers_a_period_with_something_to_compare() {
    let mut h = harness();
    h.get_by_label("Compare").click();
    h.run();
    let note = "The log has no messages in the previous period";
    assert!(h.query_by_label_contains(note).is_some());
    let report = recompute_by(&mut h, "the last 7 days with the 7 before");
    assert_eq!(report.compare.shift_days, 7);
    assert!(report.compare.flow.outbound > 0);
    h.run();
    assert!(h.query_by_label_contains(note).is_none());
    assert_eq!(h.state().filter_ui.period, chatlens::ui::Period::Last7);
}

/// A date + time pair stands in for the timestamp, which the dialog has
/// no one column for: the field names the pair, and mapping another field
/// imports the file with it.
#[test]
fn mapping_a_field_keeps_a_date_and_time_pair() {
    let csv = "date,time,Thread,direction\n\
2024-03-01,10:00,c1,outbound\n\
2024-03-01,10:05,c1,inbound\n";
    let (_dir, mut h) = harness_on("pair.csv", csv.as_bytes());
    assert!(h.state().mapping.is_some(), "the mapping dialog opens");
    assert_eq!(
        h.state().mapping.as_ref().unwrap().date_time,
        Some(("date".to_string(), "time".to_string()))
    );
    map_in_dialog(&mut h, "conversation_id", "Thread");
    import_from_mapping_dialog(&mut h);
    let report = &h.state().session.as_ref().unwrap().report;
    assert_eq!(report.direct.conversations, 1);
}

/// Reply chains stand in for a conversation column the dialog has no
/// one column for: the field names them, Import needs only the missing
/// direction, and the chains make the conversations.
#[test]
fn mapping_a_field_keeps_the_reply_chains() {
    let csv = "tweet_id,in_response_to_tweet_id,created_at,way\n\
1,,2024-03-01 10:00,in\n\
2,1,2024-03-01 10:05,out\n\
3,,2024-03-01 11:00,in\n";
    let (_dir, mut h) = harness_on("tweets.csv", csv.as_bytes());
    assert!(h.state().mapping.is_some(), "the mapping dialog opens");
    assert_eq!(
        h.state().mapping.as_ref().unwrap().reply_chains,
        Some((
            "tweet_id".to_string(),
            "in_response_to_tweet_id".to_string()
        ))
    );
    map_in_dialog(&mut h, "direction", "way");
    import_from_mapping_dialog(&mut h);
    let report = &h.state().session.as_ref().unwrap().report;
    assert_eq!(report.direct.conversations, 2);
}

/// A log of 33 days has nothing before the last thirty-five: with the
/// last 30 days chosen, only the last 7 are offered, not the period shown.
#[test]
fn compare_does_not_offer_the_period_shown() {
    use std::fmt::Write;
    let mut csv = String::from("timestamp,conversation_id,direction\n");
    for day in 0..33 {
        let date = chrono::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap() + chrono::Days::new(day);
        let _ = writeln!(csv, "{date} 10:00,c{day},outbound");
        let _ = writeln!(csv, "{date} 11:00,c{day},inbound");
    }
    let (_dir, mut h) = harness_on("thirty-three.csv", csv.as_bytes());
    h.get_by_label("Compare").click();
    h.run();
    assert!(shows(&h, "the last 30 days with the 30 before"));
    recompute_by(&mut h, "the last 30 days with the 30 before");
    h.run();
    let note = "The log has no messages in the previous period";
    assert!(h.query_by_label_contains(note).is_some());
    assert!(!shows(&h, "the last 30 days with the 30 before"));
    assert!(shows(&h, "the last 7 days with the 7 before"));
}

#[test]
fn help_explains_every_figure_and_says_what_chatlens_is() {
    let mut h = harness_of_size(1400.0, 3000.0);
    h.get_by_label("Help").click();
    h.run();
    h.get_by_label("Figures explained").click();
    h.run();
    assert!(h.state().show_figures_help);
    // The cards' own explanations, under their views' names, and each red
    // flag's measure with the thresholds in force.
    for text in [
        "One-to-one chats with a message in the period.",
        "Group chats with a message in the active days (Settings) before the end of the period.",
        "For each team message a customer answered: the time until the answer.",
        "Messages the team sent per message customers sent, in one-to-one chats.",
        "Likely cause: Contacts are blocking the number: spam-like behaviour.",
    ] {
        assert!(shows(&h, text), "{text}");
    }
    assert!(
        h.query_all_by_label("warning > 2.0 : 1 · critical > 3.0 : 1")
            .count()
            >= 2,
        "the thresholds in the help as in the red-flag panel"
    );

    h.get_by_label("Help").click();
    h.run();
    h.get_by_label("About Chatlens").click();
    h.run();
    assert!(shows(
        &h,
        &format!("Chatlens {}", env!("CARGO_PKG_VERSION"))
    ));
    assert!(shows(&h, "Open a log or report"));
    // Escape closes the windows one at a time, About first.
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(!h.state().show_about && h.state().show_figures_help);
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(!h.state().show_figures_help);
    assert!(!shows(&h, "Figures explained"));
}

#[test]
fn the_groups_view_shows_member_participation_with_its_counts() {
    let mut h = harness();
    // The view's button in the side bar, not the overview's "Groups" heading.
    h.query_all_by_label("Groups")
        .find(|n| n.rect().left() < 130.0)
        .expect("the Groups view in the side bar")
        .click();
    h.run();
    assert_eq!(h.state().view, View::Groups);
    let g = h.state().session.as_ref().unwrap().report.groups.clone();
    assert!(shows(&h, "Participation"));
    assert!(shows(&h, &format::pct(g.member_participation)));
    assert!(shows(
        &h,
        &format!(
            "{} customers writing of {} members",
            format::count(g.participating_senders),
            format::count(g.participation_members as u64)
        )
    ));
}

#[test]
fn cards_show_every_flow_ratio_the_unanswered_chats_and_means_on_hover() {
    let mut h = harness();
    let r = h.state().session.as_ref().unwrap().report.clone();
    // The overview's first-response card counts the chats nobody answered,
    // and gives the mean beside the median on hover.
    assert!(r.direct.unanswered_first > 0, "the sample has some");
    assert!(shows(
        &h,
        &format!(
            "p90 {} · {} unanswered",
            format::duration(r.direct.first_response_secs.p90),
            format::count(r.direct.unanswered_first)
        )
    ));
    h.hover_at(h.get_by_label("First response (median)").rect().center());
    h.run();
    let mean = format!(
        "Mean {}",
        format::duration(r.direct.first_response_secs.mean)
    );
    assert!(h.query_by_label_contains(&mean).is_some(), "{mean}");

    h.get_by_label("Flow").click();
    h.run();
    let f = &r.flow;
    for (label, ratio, out, inb) in [
        (
            "Sent : received (all chats)",
            f.ratio,
            f.outbound,
            f.inbound,
        ),
        (
            "Sent : received (groups)",
            f.group.ratio,
            f.group.outbound,
            f.group.inbound,
        ),
    ] {
        assert!(shows(&h, label), "{label}");
        assert!(shows(&h, &format::ratio(ratio)), "{label}");
        let counts = format!(
            "{} sent · {} received",
            format::count(out),
            format::count(inb)
        );
        assert!(shows(&h, &counts), "{counts}");
    }
}

/// Charts sit two to a row in a wide window; one left alone in the last
/// row takes the whole row, so the reply-time buckets' labels have room.
#[test]
fn a_chart_alone_in_its_row_takes_the_whole_row() {
    let mut h = harness();
    h.get_by_label("Timing").click();
    h.run();
    // Each chart's menu button sits at its card's right edge: the first
    // one to the right of its title, in the title's line.
    let right_of = |title: &str| {
        let title = h.get_by_label(title).rect();
        h.query_all_by_label("...")
            .map(|n| n.rect())
            .filter(|r| (r.top() - title.top()).abs() < 12.0 && r.left() > title.right())
            .min_by(|a, b| a.left().total_cmp(&b.left()))
            .expect("a menu button beside the title")
            .right()
    };
    let (slot, weekday) = (
        right_of("Response rate by time slot"),
        right_of("Response rate by weekday"),
    );
    let reply_times = right_of("How long the team took to reply");
    assert!(slot < weekday - 300.0, "{slot} beside {weekday}");
    assert!(
        (reply_times - weekday).abs() < 2.0,
        "the lone chart ends at {reply_times}, the row at {weekday}"
    );
}
