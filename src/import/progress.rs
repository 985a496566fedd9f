//! Progress and cancellation shared between a loading thread and the UI.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Progress {
    pub bytes_total: AtomicU64,
    pub bytes_read: AtomicU64,
    pub rows_read: AtomicU64,
    cancelled: AtomicBool,
}

impl Progress {
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// Fraction of the bytes read so far, when the total is known.
    pub fn fraction(&self) -> Option<f32> {
        let total = self.bytes_total.load(Ordering::Relaxed);
        (total > 0).then(|| {
            (self.bytes_read.load(Ordering::Relaxed) as f64 / total as f64).min(1.0) as f32
        })
    }
}
