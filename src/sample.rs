//! A deterministic, realistic message log: the app's built-in demo data and
//! `chatlens sample`. Outreach sequences decay by position roughly as the
//! product's reference table, support chats have long-tailed reply times,
//! segments behave differently, and times of day and weekdays matter, at
//! any number of conversations (`tests/sample.rs`).

use std::path::Path;

use anyhow::{Context, Result, bail};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike};
use polars::prelude::*;

/// `SplitMix64`: a few lines of well-known PRNG, enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1).max(1) as u64) as i64
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }

    /// Log-normal seconds with the given median: long-tailed delays.
    fn lognormal(&mut self, median_secs: f64, sigma: f64) -> f64 {
        let u1 = self.unit().max(1e-12);
        let u2 = self.unit();
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        median_secs * (sigma * z).exp()
    }
}

const AGENTS: [&str; 6] = [
    "Alice Martin",
    "Bruno Costa",
    "Chen Wei",
    "Dana Levi",
    "Emeka Obi",
    "Farah Khan",
];

struct Segment {
    name: &'static str,
    share: f64,
    response: f64,
    win: f64,
    value: (i64, i64),
}

const SEGMENTS: [Segment; 4] = [
    Segment {
        name: "Enterprise",
        share: 0.15,
        response: 0.8,
        win: 0.28,
        value: (20_000, 120_000),
    },
    Segment {
        name: "Mid-Market",
        share: 0.25,
        response: 1.0,
        win: 0.3,
        value: (5_000, 20_000),
    },
    Segment {
        name: "SMB",
        share: 0.35,
        response: 1.1,
        win: 0.33,
        value: (500, 5_000),
    },
    Segment {
        name: "Consumer",
        share: 0.25,
        response: 1.2,
        win: 0.38,
        value: (20, 400),
    },
];

/// Typical response by position 0 (initial outreach) and follow-ups 1–5.
const BASE_RESPONSE: [f64; 6] = [0.26, 0.175, 0.125, 0.10, 0.05, 0.03];

#[derive(Default)]
struct Row {
    at: NaiveDateTime,
    conversation: String,
    outbound: bool,
    group: bool,
    sender: String,
    contact: Option<String>,
    agent: Option<String>,
    status: Option<&'static str>,
    segment: Option<&'static str>,
    group_id: Option<String>,
    members: Option<i64>,
    outcome: Option<&'static str>,
    value: Option<i64>,
    closed_at: Option<NaiveDateTime>,
    text: String,
    broadcast_id: Option<String>,
}

fn start_date() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2024, 3, 4)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default()
}

const DAYS: i64 = 70;

/// Response multiplier of a local send time: mornings best, nights worst.
fn time_effect(t: NaiveDateTime) -> f64 {
    if t.weekday().num_days_from_monday() >= 5 {
        return 0.65;
    }
    match t.hour() {
        8..=11 => 1.2,
        12..=16 => 1.0,
        17..=20 => 0.8,
        _ => 0.5,
    }
}

/// A send time on the given day: mostly business hours, some evenings,
/// a few nights.
fn send_time(rng: &mut Rng, day: NaiveDateTime) -> NaiveDateTime {
    let hour = match rng.unit() {
        u if u < 0.40 => rng.range(8, 11),
        u if u < 0.75 => rng.range(12, 16),
        u if u < 0.92 => rng.range(17, 20),
        _ => *rng.pick(&[21, 22, 23, 6, 7]),
    };
    day + Duration::hours(hour)
        + Duration::minutes(rng.range(0, 59))
        + Duration::seconds(rng.range(0, 59))
}

fn delivered_status(rng: &mut Rng) -> &'static str {
    match rng.unit() {
        u if u < 0.55 => "read",
        u if u < 0.85 => "delivered",
        u if u < 0.96 => "sent",
        u if u < 0.985 => "failed",
        _ => "cancelled",
    }
}

// Outbound texts name the contact's company or ticket, as real messages
// do: otherwise, on a large sample, the same template reaches five
// conversations within ten minutes and counts as a broadcast (METRICS.md
// §3), which would leave few follow-ups to show their decay.
const OPENERS: [&str; 4] = [
    "Hi {name}, I noticed {company} is growing. Could we help with customer messaging?",
    "Hello {name}! Quick question about how {company} handles support chats today.",
    "Hi {name}, we help teams like {company} answer customers faster. Worth a 10-minute call?",
    "Good morning {name}, following {company}'s sign-up: can I show you around?",
];
const FOLLOW_UPS: [&str; 4] = [
    "Just checking in on my last message about {company}, {name}.",
    "Sharing a short case study that might be useful for {company}.",
    "Would next Tuesday or Thursday suit {company} for a quick call?",
    "Last note from me, {name}: happy to help {company} whenever the time is right.",
];
const BURST: &str = "Here is a two-minute video made for {company}.";
const REPLIES_IN: [&str; 5] = [
    "Thanks, tell me more.",
    "Can you send pricing?",
    "Not right now, maybe next quarter.",
    "Sounds interesting, what does onboarding look like?",
    "Who else in our industry uses this?",
];
const SALES_REPLIES: [&str; 5] = [
    "Thanks {name}! Pricing for {company} is in the attached sheet.",
    "Good question: onboarding for {company} takes about a week.",
    "Happy to set up a call with the {company} team.",
    "Noted, {name}. I'll follow up with the details for {company}.",
    "Several teams like {company} use it already; I'll send you examples.",
];
const SUPPORT_IN: [&str; 5] = [
    "My order hasn't arrived yet.",
    "How do I reset my password?",
    "The invoice shows the wrong amount.",
    "Can I change my delivery address?",
    "The app crashes when I open settings.",
];
const SUPPORT_REPLIES: [&str; 5] = [
    "Thanks for reaching out! Let me check ticket #{ticket} for you.",
    "Happy to help with ticket #{ticket}. Could you share your account email?",
    "I've fixed ticket #{ticket} on our side, can you try again?",
    "Here is the link with the details for ticket #{ticket}.",
    "Great, ticket #{ticket} will be sorted today.",
];

/// A company name of its own for each of the first 400 contacts, then
/// numbered: "Bright Harbor", "Bright Harbor 2".
fn company_of(i: usize) -> String {
    const FIRST: [&str; 20] = [
        "Bright", "North", "Blue", "Green", "Silver", "Red", "Swift", "Clear", "Golden", "Urban",
        "Prime", "Bold", "True", "Wild", "Quiet", "Open", "Lucky", "Solid", "Happy", "Smart",
    ];
    const SECOND: [&str; 20] = [
        "Harbor",
        "Peak",
        "Foods",
        "Logistics",
        "Labs",
        "Studio",
        "Retail",
        "Travel",
        "Health",
        "Energy",
        "Homes",
        "Bakery",
        "Motors",
        "Media",
        "Finance",
        "Garden",
        "Fitness",
        "Books",
        "Pharma",
        "Textiles",
    ];
    let name = format!(
        "{} {}",
        FIRST[i % FIRST.len()],
        SECOND[(i / FIRST.len()) % SECOND.len()]
    );
    match i / (FIRST.len() * SECOND.len()) {
        0 => name,
        n => format!("{name} {}", n + 1),
    }
}

fn name_of(i: usize) -> String {
    const FIRST: [&str; 12] = [
        "Maria", "James", "Aisha", "Lukas", "Sofia", "Ravi", "Emma", "Kenji", "Olivia", "Mateo",
        "Zara", "Noah",
    ];
    const LAST: [&str; 10] = [
        "Silva", "Brown", "Khan", "Müller", "Rossi", "Patel", "Dubois", "Sato", "Nowak", "García",
    ];
    format!(
        "{} {}",
        FIRST[i % FIRST.len()],
        LAST[(i / FIRST.len()) % LAST.len()]
    )
}

/// Generates `conversations` conversations from `seed`: the same arguments
/// always give the same table.
pub fn generate(conversations: usize, seed: u64) -> DataFrame {
    let mut rng = Rng(seed ^ 0x5EED_CAFE);
    let start = start_date();
    let mut rows: Vec<Row> = Vec::new();
    let mut direct_contacts: Vec<(String, String, &'static str)> = Vec::new();
    let groups = (conversations / 60).clamp(2, 400);
    let direct = conversations.saturating_sub(groups);
    for i in 0..direct {
        let u = rng.unit();
        let mut acc = 0.0;
        let seg = SEGMENTS
            .iter()
            .find(|s| {
                acc += s.share;
                u < acc
            })
            .unwrap_or(&SEGMENTS[3]);
        let contact = format!("C{:05}", i + 1);
        let conv = format!("chat-{:05}", i + 1);
        let person = name_of(i);
        let agent = (*rng.pick(&AGENTS)).to_string();
        direct_contacts.push((conv.clone(), contact.clone(), seg.name));
        let base = Row {
            conversation: conv,
            contact: Some(contact),
            segment: Some(seg.name),
            ..Row::default()
        };
        let who = Person {
            name: &person,
            company: company_of(i),
            ticket: 10_001 + i,
        };
        if rng.chance(0.68) {
            outreach(&mut rng, &mut rows, &base, seg, &who, &agent, start);
        } else {
            support(&mut rng, &mut rows, &base, &who, &agent, start);
        }
    }
    broadcasts(&mut rng, &mut rows, &direct_contacts, start);
    for g in 0..groups {
        group_chat(&mut rng, &mut rows, g, start);
    }
    // An export is taken at one moment: answers that would come after the
    // log's last day are not in it. Left in, they made a last "week" of a
    // few inbound rows, whose sent : received ratio read 0 on the demo.
    let end = start + Duration::days(DAYS);
    rows.retain(|r| r.at < end);
    rows.sort_by(|a, b| {
        a.at.cmp(&b.at)
            .then_with(|| a.conversation.cmp(&b.conversation))
    });
    to_frame(&rows)
}

/// The customer side of a direct conversation, as messages name it.
struct Person<'a> {
    name: &'a str,
    company: String,
    ticket: usize,
}

impl Person<'_> {
    fn first_name(&self) -> &str {
        self.name.split(' ').next().unwrap_or(self.name)
    }

    /// A template with this person's first name, company and ticket.
    fn fill(&self, template: &str) -> String {
        template
            .replace("{name}", self.first_name())
            .replace("{company}", &self.company)
            .replace("{ticket}", &self.ticket.to_string())
    }
}

fn push_out(
    rows: &mut Vec<Row>,
    base: &Row,
    at: NaiveDateTime,
    agent: &str,
    text: String,
    status: &'static str,
) {
    rows.push(Row {
        at,
        outbound: true,
        sender: agent.to_string(),
        agent: Some(agent.to_string()),
        status: Some(status),
        text,
        conversation: base.conversation.clone(),
        contact: base.contact.clone(),
        segment: base.segment,
        ..Row::default()
    });
}

fn push_in(rows: &mut Vec<Row>, base: &Row, at: NaiveDateTime, person: &str, text: &str) {
    rows.push(Row {
        at,
        outbound: false,
        sender: person.to_string(),
        text: text.to_string(),
        conversation: base.conversation.clone(),
        contact: base.contact.clone(),
        segment: base.segment,
        ..Row::default()
    });
}

fn outreach(
    rng: &mut Rng,
    rows: &mut Vec<Row>,
    base: &Row,
    seg: &Segment,
    who: &Person,
    agent: &str,
    start: NaiveDateTime,
) {
    let person = who.name;
    let day = start + Duration::days(rng.range(0, DAYS - 1));
    let mut at = send_time(rng, day);
    let steps = rng.range(3, 6) as usize;
    let end = start + Duration::days(DAYS);
    for position in 0..=steps {
        if at >= end {
            return;
        }
        // The "last note" closes a sequence; it does not open one.
        let (others, last_note) = FOLLOW_UPS.split_at(FOLLOW_UPS.len() - 1);
        let template = if position == 0 {
            rng.pick(&OPENERS)
        } else if position == steps {
            &last_note[0]
        } else {
            rng.pick(others)
        };
        let mut status = delivered_status(rng);
        if position > 0 && rng.chance(0.01) {
            status = "blocked";
        }
        if at > end - Duration::days(2) && rng.chance(0.5) {
            status = "scheduled";
        }
        push_out(rows, base, at, agent, who.fill(template), status);
        // Bursts: a second message a minute or two later.
        if rng.chance(0.15) {
            at += Duration::seconds(rng.range(20, 240));
            push_out(
                rows,
                base,
                at,
                agent,
                who.fill(BURST),
                delivered_status(rng),
            );
        }
        if status == "blocked" {
            if let Some(r) = rows.last_mut() {
                r.outcome = Some("lost");
            }
            return;
        }
        let delivered = matches!(status, "read" | "delivered" | "sent");
        let p = BASE_RESPONSE[position.min(5)] * seg.response * time_effect(at);
        if delivered && rng.chance(p) {
            let mut t = at
                + Duration::seconds(
                    rng.lognormal(3.0 * 3_600.0, 1.3)
                        .clamp(30.0, 5.0 * 86_400.0) as i64,
                );
            push_in(rows, base, t, person, rng.pick::<&str>(&REPLIES_IN));
            for _ in 0..rng.range(1, 4) {
                t += Duration::seconds(
                    rng.lognormal(20.0 * 60.0, 1.4).clamp(15.0, 2.0 * 86_400.0) as i64
                );
                push_out(
                    rows,
                    base,
                    t,
                    agent,
                    who.fill(rng.pick::<&str>(&SALES_REPLIES)),
                    delivered_status(rng),
                );
                // The exchange goes on while the customer keeps answering.
                if !rng.chance(0.6 * time_effect(t)) {
                    break;
                }
                t += Duration::seconds(
                    rng.lognormal(2.0 * 3_600.0, 1.2)
                        .clamp(30.0, 3.0 * 86_400.0) as i64,
                );
                push_in(rows, base, t, person, rng.pick::<&str>(&REPLIES_IN));
            }
            let won = rng.chance(seg.win * (1.0 + 0.15 * position as f64));
            if let Some(last) = rows.last_mut() {
                last.outcome = Some(if won {
                    "won"
                } else {
                    *rng.pick(&["lost", "in progress", "lost"])
                });
                if won {
                    last.value = Some(rng.range(seg.value.0, seg.value.1));
                }
            }
            return;
        }
        // The next follow-up two to three days later, on a working day.
        let mut next_day =
            at.date().and_hms_opt(0, 0, 0).unwrap_or(at) + Duration::days(rng.range(2, 3));
        while next_day.weekday().num_days_from_monday() >= 5 && rng.chance(0.8) {
            next_day += Duration::days(1);
        }
        at = send_time(rng, next_day);
    }
    if let Some(last) = rows.last_mut() {
        last.outcome = Some("no response");
    }
}

fn support(
    rng: &mut Rng,
    rows: &mut Vec<Row>,
    base: &Row,
    who: &Person,
    agent: &str,
    start: NaiveDateTime,
) {
    let person = who.name;
    let day = start + Duration::days(rng.range(0, DAYS - 1));
    let mut t = send_time(rng, day) + Duration::minutes(rng.range(-120, 120));
    let end = start + Duration::days(DAYS);
    push_in(rows, base, t, person, rng.pick::<&str>(&SUPPORT_IN));
    if rng.chance(0.3) {
        t += Duration::seconds(rng.range(10, 300));
        push_in(rows, base, t, person, "Order number is in my account.");
    }
    let exchanges = rng.range(1, 4);
    for k in 0..exchanges {
        // Reply delay: minutes usually, hours often, days sometimes, never rarely.
        if rng.chance(0.04) {
            return;
        }
        let night_or_weekend = time_effect(t) < 0.7;
        let median = if night_or_weekend {
            6.0 * 3_600.0
        } else {
            12.0 * 60.0
        };
        t += Duration::seconds(rng.lognormal(median, 1.6).clamp(20.0, 4.0 * 86_400.0) as i64);
        if t >= end {
            return;
        }
        push_out(
            rows,
            base,
            t,
            agent,
            who.fill(rng.pick::<&str>(&SUPPORT_REPLIES)),
            delivered_status(rng),
        );
        if k + 1 < exchanges && rng.chance(0.75 * time_effect(t)) {
            t += Duration::seconds(
                rng.lognormal(40.0 * 60.0, 1.3).clamp(20.0, 2.0 * 86_400.0) as i64
            );
            push_in(rows, base, t, person, "Thanks, one more thing…");
        }
    }
    let closed = t + Duration::minutes(rng.range(5, 600));
    if let Some(last) = rows.last_mut() {
        let resolved = rng.chance(0.8);
        last.outcome = Some(if resolved { "resolved" } else { "open" });
        if resolved {
            last.closed_at = Some(closed);
        }
    }
}

fn broadcasts(
    rng: &mut Rng,
    rows: &mut Vec<Row>,
    contacts: &[(String, String, &'static str)],
    start: NaiveDateTime,
) {
    if contacts.len() < 10 {
        return;
    }
    let texts = [
        "Spring offer: 20% off annual plans until Friday.",
        "New: WhatsApp templates are live in your dashboard.",
        "Reminder: our webinar on support metrics starts tomorrow at 10:00.",
        "Holiday hours: our team answers 9:00–15:00 on Monday.",
        "Product update: faster exports and a new mobile app.",
    ];
    for (k, text) in texts.iter().enumerate() {
        let day = start + Duration::days(7 + 13 * k as i64);
        let at0 = day + Duration::hours(10);
        let with_id = k % 2 == 0;
        // One contact in eight gets each campaign, at any scale.
        let audience = (contacts.len() / 8).max(6);
        for j in 0..audience {
            let (conv, contact, seg) = &contacts[(j * 7 + k * 13) % contacts.len()];
            let at = at0 + Duration::seconds(rng.range(0, 240));
            rows.push(Row {
                at,
                conversation: conv.clone(),
                outbound: true,
                sender: "Marketing".into(),
                contact: Some(contact.clone()),
                agent: Some("Marketing".into()),
                status: Some(delivered_status(rng)),
                segment: Some(seg),
                text: (*text).to_string(),
                broadcast_id: with_id.then(|| format!("campaign-{}", k + 1)),
                ..Row::default()
            });
        }
    }
}

fn group_chat(rng: &mut Rng, rows: &mut Vec<Row>, g: usize, start: NaiveDateTime) {
    let names = [
        "Customer Council",
        "Beta Testers",
        "Partners EMEA",
        "Power Users",
        "Local Retailers",
        "Community Events",
    ];
    let group = format!("{} {}", names[g % names.len()], g / names.len() + 1);
    let members = rng.range(8, 250);
    let agent = (*rng.pick(&AGENTS)).to_string();
    // Some groups go quiet before the end.
    let last_day = if rng.chance(0.25) {
        DAYS - 45
    } else {
        DAYS - 1
    };
    let posts = rng.range(4, 14);
    for _ in 0..posts {
        let day = start + Duration::days(rng.range(0, last_day));
        let at = send_time(rng, day);
        rows.push(Row {
            at,
            conversation: group.clone(),
            outbound: true,
            group: true,
            sender: agent.clone(),
            agent: Some(agent.clone()),
            status: Some(delivered_status(rng)),
            group_id: Some(group.clone()),
            members: Some(members),
            text: format!("Update for {group}: new features and an invite to our next session."),
            ..Row::default()
        });
        let answers = rng.range(0, (members / 40).clamp(1, 4));
        let mut t = at;
        for _ in 0..answers {
            t += Duration::seconds(
                rng.lognormal(2.0 * 3_600.0, 1.5)
                    .clamp(30.0, 9.0 * 86_400.0) as i64,
            );
            rows.push(Row {
                at: t,
                conversation: group.clone(),
                outbound: false,
                group: true,
                sender: format!("Member {}", rng.range(1, members)),
                group_id: Some(group.clone()),
                members: Some(members),
                text: "Thanks for the update!".into(),
                ..Row::default()
            });
        }
    }
}

fn to_frame(rows: &[Row]) -> DataFrame {
    let fmt = |t: &NaiveDateTime| t.format("%Y-%m-%d %H:%M:%S").to_string();
    let cols: Vec<Column> = vec![
        Series::new(
            "timestamp".into(),
            rows.iter().map(|r| fmt(&r.at)).collect::<Vec<_>>(),
        )
        .into(),
        Series::new(
            "conversation_id".into(),
            rows.iter()
                .map(|r| r.conversation.as_str())
                .collect::<Vec<_>>(),
        )
        .into(),
        Series::new(
            "direction".into(),
            rows.iter()
                .map(|r| if r.outbound { "outbound" } else { "inbound" })
                .collect::<Vec<_>>(),
        )
        .into(),
        Series::new(
            "chat_type".into(),
            rows.iter()
                .map(|r| if r.group { "group" } else { "direct" })
                .collect::<Vec<_>>(),
        )
        .into(),
        Series::new(
            "sender".into(),
            rows.iter().map(|r| r.sender.as_str()).collect::<Vec<_>>(),
        )
        .into(),
        Series::new(
            "contact_id".into(),
            rows.iter()
                .map(|r| r.contact.as_deref())
                .collect::<Vec<_>>(),
        )
        .into(),
        Series::new(
            "agent".into(),
            rows.iter().map(|r| r.agent.as_deref()).collect::<Vec<_>>(),
        )
        .into(),
        Series::new(
            "status".into(),
            rows.iter().map(|r| r.status).collect::<Vec<_>>(),
        )
        .into(),
        Series::new(
            "segment".into(),
            rows.iter().map(|r| r.segment).collect::<Vec<_>>(),
        )
        .into(),
        Series::new(
            "group_id".into(),
            rows.iter()
                .map(|r| r.group_id.as_deref())
                .collect::<Vec<_>>(),
        )
        .into(),
        Series::new(
            "group_members".into(),
            rows.iter().map(|r| r.members).collect::<Vec<_>>(),
        )
        .into(),
        Series::new(
            "outcome".into(),
            rows.iter().map(|r| r.outcome).collect::<Vec<_>>(),
        )
        .into(),
        Series::new(
            "value".into(),
            rows.iter().map(|r| r.value).collect::<Vec<_>>(),
        )
        .into(),
        Series::new(
            "closed_at".into(),
            rows.iter()
                .map(|r| r.closed_at.as_ref().map(fmt))
                .collect::<Vec<_>>(),
        )
        .into(),
        Series::new(
            "text".into(),
            rows.iter().map(|r| r.text.as_str()).collect::<Vec<_>>(),
        )
        .into(),
        Series::new(
            "broadcast_id".into(),
            rows.iter()
                .map(|r| r.broadcast_id.as_deref())
                .collect::<Vec<_>>(),
        )
        .into(),
    ];
    DataFrame::new_infer_height(cols).unwrap_or_default()
}

/// The sample as CSV bytes, for the app's built-in demo data.
pub fn csv_bytes(df: &DataFrame) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    let mut df = df.clone();
    CsvWriter::new(&mut buf).finish(&mut df)?;
    Ok(buf)
}

/// Writes the sample as CSV or Parquet (by extension), atomically.
pub fn write(df: &DataFrame, out: &Path) -> Result<()> {
    let ext = out
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let mut df = df.clone();
    match ext.as_str() {
        "csv" => crate::fsutil::write_atomic(out, |w| {
            CsvWriter::new(w).finish(&mut df)?;
            Ok(())
        }),
        "parquet" => crate::fsutil::write_atomic(out, |w| {
            ParquetWriter::new(w).finish(&mut df)?;
            Ok(())
        }),
        _ => bail!("{}: the output must end in .csv or .parquet", out.display()),
    }
    .with_context(|| format!("cannot write {}", out.display()))
}
