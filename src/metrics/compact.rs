//! Optional values in the bytes of the value alone, for the per-conversation
//! rows the figures read by the million (an `Option<u32>` takes eight bytes,
//! an `Option<f64>` sixteen).

use super::prepare::NONE;

/// A code into one of the prepared data's lists of names, or a row, or
/// none, in four bytes (an `Option<u32>` takes eight): none is the code
/// no list and no table reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaybeCode(u32);

impl MaybeCode {
    pub const NONE: MaybeCode = MaybeCode(NONE);

    pub fn get(self) -> Option<u32> {
        (self.0 != NONE).then_some(self.0)
    }
}

impl Default for MaybeCode {
    fn default() -> Self {
        Self::NONE
    }
}

impl From<Option<u32>> for MaybeCode {
    fn from(code: Option<u32>) -> Self {
        Self(code.unwrap_or(NONE))
    }
}

/// A duration in seconds, or none, in eight bytes (an `Option<f64>` takes
/// sixteen): none is NaN, which no duration is.
#[derive(Debug, Clone, Copy)]
pub struct MaybeSecs(f64);

impl MaybeSecs {
    pub fn get(self) -> Option<f64> {
        (!self.0.is_nan()).then_some(self.0)
    }
}

impl Default for MaybeSecs {
    fn default() -> Self {
        Self(f64::NAN)
    }
}

impl PartialEq for MaybeSecs {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl From<Option<f64>> for MaybeSecs {
    fn from(secs: Option<f64>) -> Self {
        Self(secs.unwrap_or(f64::NAN))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_values_keep_none_apart_from_every_value() {
        assert_eq!(MaybeCode::default().get(), None);
        assert_eq!(MaybeCode::from(None).get(), None);
        assert_eq!(MaybeCode::from(Some(0)).get(), Some(0));
        assert_eq!(MaybeCode::from(Some(NONE - 1)).get(), Some(NONE - 1));
        assert_eq!(MaybeSecs::default().get(), None);
        assert_eq!(MaybeSecs::from(None), MaybeSecs::default());
        for secs in [0.0, -0.0, 1.5, f64::INFINITY, 1e300] {
            assert_eq!(MaybeSecs::from(Some(secs)).get(), Some(secs));
        }
    }
}
