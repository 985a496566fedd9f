//! Allocations one computation hands to the next. A filter change at ten
//! million messages fills over half a gigabyte of per-conversation arrays;
//! taking fresh pages from the system for them each time costs about as
//! much as the figures themselves. Kept buffers hold that memory while the
//! app is idle instead, which the peak of a change already includes.

use std::fmt;
use std::sync::Mutex;

use super::figures::ConversationRow;
use super::scope::ConvStats;

/// One kept buffer per kind, empty until a computation gives one back.
#[derive(Default)]
pub struct Spare {
    conv_stats: Slot<ConvStats>,
    conversation_rows: Slot<ConversationRow>,
}

impl Spare {
    pub fn take_conv_stats(&self) -> Vec<ConvStats> {
        self.conv_stats.take()
    }

    pub fn give_conv_stats(&self, v: Vec<ConvStats>) {
        self.conv_stats.give(v);
    }

    pub fn take_conversation_rows(&self) -> Vec<ConversationRow> {
        self.conversation_rows.take()
    }

    pub fn give_conversation_rows(&self, v: Vec<ConversationRow>) {
        self.conversation_rows.give(v);
    }
}

/// A copy of prepared data starts without buffers of its own.
impl Clone for Spare {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl fmt::Debug for Spare {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Spare")
            .field("conv_stats", &self.conv_stats.capacity())
            .field("conversation_rows", &self.conversation_rows.capacity())
            .finish()
    }
}

struct Slot<T>(Mutex<Vec<T>>);

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Self(Mutex::new(Vec::new()))
    }
}

impl<T> Slot<T> {
    /// The kept buffer, empty; a new one when another computation holds it.
    fn take(&self) -> Vec<T> {
        self.0
            .lock()
            .map(|mut kept| std::mem::take(&mut *kept))
            .unwrap_or_default()
    }

    /// Keeps the larger of the given and the kept buffer.
    fn give(&self, mut v: Vec<T>) {
        v.clear();
        if let Ok(mut kept) = self.0.lock()
            && v.capacity() > kept.capacity()
        {
            *kept = v;
        }
    }

    fn capacity(&self) -> usize {
        self.0.lock().map_or(0, |kept| kept.capacity())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_larger_buffer_emptied() {
        let slot: Slot<u32> = Slot::default();
        assert_eq!(slot.take().capacity(), 0);
        slot.give(Vec::with_capacity(10));
        slot.give(vec![1, 2, 3]);
        let v = slot.take();
        assert!(v.is_empty());
        assert!(v.capacity() >= 10);
        // Taken means gone until given back.
        assert_eq!(slot.take().capacity(), 0);
    }
}
