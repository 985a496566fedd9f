//! The sample generator keeps its shape at any size: the app's demo data,
//! the benchmarks' 1M and 10M files and a user's `chatlens sample` run
//! show the same decay and the same share of broadcasts.

use chatlens::metrics::{Filters, Settings};

mod common;

fn report_of_sample(conversations: usize) -> chatlens::metrics::Report {
    let df = chatlens::sample::generate(conversations, 7);
    let csv = String::from_utf8(chatlens::sample::csv_bytes(&df).unwrap()).unwrap();
    common::session(&csv, "UTC", Settings::default(), Filters::default())
        .report
        .clone()
}

#[test]
fn decay_and_broadcasts_hold_from_demo_size_to_large_logs() {
    for conversations in [2_000, 20_000] {
        let r = report_of_sample(conversations);
        let categories = &r.flow.categories;
        let share = categories.broadcast as f64 / r.flow.outbound as f64;
        // Five campaigns, each to one contact in eight; templates that
        // name the contact's company or ticket are not broadcasts.
        assert!(
            (0.08..0.2).contains(&share),
            "{conversations}: broadcasts are {share:.3} of outbound rows"
        );
        let rates: Vec<f64> = r
            .followups
            .by_position
            .all()
            .iter()
            .map(|p| p.rate.unwrap())
            .collect();
        // The seed's table: 15–20%, 10–15%, 8–12%, 5–8%, under 5%, with
        // a point of slack for sampling.
        let bands = [
            (0.14, 0.23),
            (0.09, 0.16),
            (0.07, 0.13),
            (0.04, 0.09),
            (0.0, 0.05),
        ];
        for (k, (rate, (lo, hi))) in rates.iter().zip(bands).enumerate() {
            assert!(
                (lo..=hi).contains(rate),
                "{conversations}: position {} responds at {rate:.3}",
                k + 1
            );
        }
        assert!(rates.windows(2).all(|w| w[0] > w[1]), "{rates:?} decays");
    }
}

#[test]
fn sample_is_ten_whole_weeks_without_a_stray_last_week() {
    let r = report_of_sample(2_000);
    let weeks = &r.flow.weekly;
    // Monday 2024-03-04 to Sunday 2024-05-12: ten weeks, the last as busy
    // as the others. Answers that would come after the log's last day are
    // not in it, as in an export taken at one moment.
    assert_eq!(weeks.len(), 10);
    let day_ms = 86_400_000;
    assert_eq!(weeks[0].start, 1_709_510_400_000, "2024-03-04");
    assert_eq!(weeks[9].start, 1_709_510_400_000 + 63 * day_ms);
    let mean = weeks.iter().map(|w| w.outbound).sum::<u64>() as f64 / 10.0;
    for w in weeks.iter().skip(1) {
        assert!(
            w.outbound as f64 > 0.6 * mean && w.inbound > 0,
            "week of {}: {} out, {} in (mean out {mean:.0})",
            w.start,
            w.outbound,
            w.inbound
        );
    }
}
