//! How numbers read to a person, the same in the app, the text report and
//! the chart images: rates with one decimal, durations in human units,
//! counts with thousands separators, ratios as `2.6 : 1`, and a dash for a
//! figure that could not be computed.

pub const MISSING: &str = "—";

pub fn count(n: u64) -> String {
    grouped(&n.to_string())
}

/// Digits with a comma between each group of three.
fn grouped(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A sum of deal values in whole units, grouped like a count and signed:
/// refunds can make a total negative. "4,142,809", "-1,250".
pub fn amount(v: f64) -> String {
    if !v.is_finite() {
        return MISSING.to_string();
    }
    let whole = format!("{:.0}", v.abs());
    let sign = if v < 0.0 && whole != "0" { "-" } else { "" };
    format!("{sign}{}", grouped(&whole))
}

/// A count with its noun: "1 message", "1,204 messages".
pub fn count_of(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", count(n), if n == 1 { one } else { many })
}

/// A whole number of days: "1 day", "30 days".
pub fn days(n: i64) -> String {
    count_of(n.max(0).unsigned_abs(), "day", "days")
}

/// "based on 1 touch", "based on 1,204 touches": the count a figure rests on.
pub fn based_on(n: u64, one: &str, many: &str) -> String {
    format!("based on {}", count_of(n, one, many))
}

/// What member participation rests on: "229 customers writing of 2,558
/// members".
pub fn participation_basis(senders: u64, members: i64) -> String {
    format!(
        "{} of {}",
        count_of(senders, "customer writing", "customers writing"),
        count_of(members.max(0) as u64, "member", "members")
    )
}

/// A period `[from, to)` (bounds as the report's ISO 8601 text) as a person
/// reads it: its first and last day, both included, "2024-03-04 – 2024-05-13";
/// one day alone; a bound that is not at midnight with its time.
pub fn period(from: Option<&str>, to: Option<&str>) -> String {
    let (Some(from), Some(to)) = (from, to) else {
        return MISSING.to_string();
    };
    let (first, last) = (period_bound(from, false), period_bound(to, true));
    let instant = |s: &str| chrono::DateTime::parse_from_rfc3339(s).ok();
    if let (Some(a), Some(b)) = (instant(from), instant(to))
        && b <= a
    {
        // A single bound beyond the data: the default one falls before it.
        return format!("empty (from {first}, before {})", period_bound(to, false));
    }
    if first == last {
        first
    } else {
        format!("{first} – {last}")
    }
}

/// One bound of [`period`]; an end at midnight names the day before it.
fn period_bound(iso: &str, end: bool) -> String {
    let Ok(at) = chrono::DateTime::parse_from_rfc3339(iso) else {
        return iso.chars().take(10).collect();
    };
    let local = at.naive_local();
    if local.time() != chrono::NaiveTime::MIN {
        return local.format("%Y-%m-%d %H:%M").to_string();
    }
    let day = if end {
        local.date().pred_opt().unwrap_or(local.date())
    } else {
        local.date()
    };
    day.format("%Y-%m-%d").to_string()
}

pub fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| MISSING.to_string(), |v| format!("{:.1}%", v * 100.0))
}

/// `2.6 : 1`; below one to one, `1 : 22.4`, as `0.0 : 1` would hide how
/// far below it is.
pub fn ratio(v: Option<f64>) -> String {
    match v {
        None => MISSING.to_string(),
        Some(v) if v > 0.0 && v < 1.0 => format!("1 : {:.1}", 1.0 / v),
        Some(v) => format!("{v:.1} : 1"),
    }
}

pub fn number(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| MISSING.to_string(), |v| format!("{v:.decimals$}"))
}

/// `42 s`, `7 m`, `4 h 12 m`, `2.3 days`.
pub fn duration(secs: Option<f64>) -> String {
    let Some(s) = secs else {
        return MISSING.to_string();
    };
    let sign = if s < 0.0 { "-" } else { "" };
    let s = s.abs();
    if s < 60.0 {
        format!("{sign}{s:.0} s")
    } else if s < 3_600.0 {
        let m = (s / 60.0).floor();
        let rest = s - m * 60.0;
        if rest >= 1.0 && m < 10.0 {
            format!("{sign}{m:.0} m {rest:.0} s")
        } else {
            format!("{sign}{m:.0} m")
        }
    } else if s < 86_400.0 {
        let h = (s / 3_600.0).floor();
        let m = ((s - h * 3_600.0) / 60.0).round();
        if m >= 1.0 {
            format!("{sign}{h:.0} h {m:.0} m")
        } else {
            format!("{sign}{h:.0} h")
        }
    } else {
        format!("{sign}{:.1} days", s / 86_400.0)
    }
}

/// A signed change between two figures, for comparisons.
pub fn delta_pct_points(now: Option<f64>, before: Option<f64>) -> String {
    match (now, before) {
        (Some(a), Some(b)) => format!("{:+.1} pts", (a - b) * 100.0),
        _ => MISSING.to_string(),
    }
}

pub fn delta_relative(now: f64, before: f64) -> String {
    if before == 0.0 {
        return MISSING.to_string();
    }
    format!("{:+.1}%", (now - before) / before * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_read_well() {
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(12), "12");
        assert_eq!(amount(4_142_809.4), "4,142,809");
        assert_eq!(amount(-1_250.0), "-1,250");
        assert_eq!(amount(-0.2), "0");
        assert_eq!(amount(999.6), "1,000");
        assert_eq!(count_of(1, "touch", "touches"), "1 touch");
        let p = |a, b| period(Some(a), Some(b));
        assert_eq!(
            p("2024-03-04T00:00:00+01:00", "2024-05-14T00:00:00+02:00"),
            "2024-03-04 – 2024-05-13"
        );
        assert_eq!(
            p("2024-03-04T00:00:00+00:00", "2024-03-05T00:00:00+00:00"),
            "2024-03-04"
        );
        assert_eq!(
            p("2024-03-04T09:30:00+00:00", "2024-03-04T10:01:00+00:00"),
            "2024-03-04 09:30 – 2024-03-04 10:01"
        );
        assert_eq!(period(None, Some("2024-03-05T00:00:00+00:00")), MISSING);
        assert_eq!(
            p("2024-03-05T00:00:00+00:00", "2024-03-05T00:00:00+00:00"),
            "empty (from 2024-03-05, before 2024-03-05)"
        );
        assert_eq!(
            p("2024-03-05T00:00:00+00:00", "2024-03-04T00:00:00+00:00"),
            "empty (from 2024-03-05, before 2024-03-04)"
        );
        assert_eq!(count_of(0, "touch", "touches"), "0 touches");
        assert_eq!(days(1), "1 day");
        assert_eq!(days(77), "77 days");
        assert_eq!(count_of(1_204, "lead", "leads"), "1,204 leads");
        assert_eq!(pct(Some(0.961)), "96.1%");
        assert_eq!(pct(None), "—");
        assert_eq!(ratio(Some(2.6)), "2.6 : 1");
        assert_eq!(ratio(Some(1.0)), "1.0 : 1");
        // 801 sent against 17,978 received.
        assert_eq!(ratio(Some(801.0 / 17_978.0)), "1 : 22.4");
        assert_eq!(ratio(Some(0.5)), "1 : 2.0");
        assert_eq!(ratio(Some(0.0)), "0.0 : 1");
        assert_eq!(duration(Some(42.0)), "42 s");
        assert_eq!(duration(Some(15_120.0)), "4 h 12 m");
        assert_eq!(duration(Some(198_720.0)), "2.3 days");
        assert_eq!(duration(Some(600.0)), "10 m");
        assert_eq!(duration(None), "—");
        assert_eq!(delta_relative(110.0, 100.0), "+10.0%");
    }
}
