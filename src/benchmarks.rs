//! The product's reference figures: targets and typical ranges shown next to
//! the figure they judge and drawn as bands on charts.

/// Healthy outbound : inbound ratio band.
pub const HEALTHY_RATIO: (f64, f64) = (1.0, 2.0);
/// Follow-ups completed: target above this share.
pub const FOLLOWUP_COMPLETION_TARGET: f64 = 0.95;
/// Follow-up response rate: target above this.
pub const FOLLOWUP_RESPONSE_TARGET: f64 = 0.25;
/// Follow-ups per lead: typical range.
pub const FOLLOWUPS_PER_LEAD: (f64, f64) = (3.0, 5.0);
/// Days between follow-ups: typical range.
pub const DAYS_BETWEEN_FOLLOWUPS: (f64, f64) = (2.0, 3.0);
/// Typical response rate by follow-up position 1, 2, 3, 4, 5+.
pub const DECAY_BANDS: [(f64, f64); 5] = [
    (0.15, 0.20),
    (0.10, 0.15),
    (0.08, 0.12),
    (0.05, 0.08),
    (0.0, 0.05),
];

/// "typical 10–15%" for a position band.
pub fn band_text(band: (f64, f64)) -> String {
    if band.0 <= 0.0 {
        format!("typical < {:.0}%", band.1 * 100.0)
    } else {
        format!("typical {:.0}–{:.0}%", band.0 * 100.0, band.1 * 100.0)
    }
}
