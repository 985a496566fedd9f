//! Panics of a file reader on damaged input, caught and told as an error.
//!
//! Polars' decoders assert on lengths a damaged page claims. The importer
//! and the report opener catch that and say the file is damaged, but the
//! default panic hook has already printed a "thread panicked at …" line
//! from deep inside polars by then: on the command line that reads like a
//! crash beside the clean message. While a guarded read runs, a panic
//! raised in polars' own code is therefore not printed; every other panic
//! still is.

use std::panic::{self, AssertUnwindSafe, PanicHookInfo};
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Guarded reads under way, on any thread. A count rather than a
/// thread-local: polars raises the panic on its own worker threads.
static GUARDED_READS: AtomicUsize = AtomicUsize::new(0);

/// Runs `read`, which may panic on a damaged file; `Err` carries what the
/// panic said.
pub fn catch_reader_panic<T>(read: impl FnOnce() -> T) -> Result<T, String> {
    struct Guard;
    impl Drop for Guard {
        fn drop(&mut self) {
            GUARDED_READS.fetch_sub(1, Ordering::SeqCst);
        }
    }
    GUARDED_READS.fetch_add(1, Ordering::SeqCst);
    let _guard = Guard;
    panic::catch_unwind(AssertUnwindSafe(read)).map_err(|panic| panic_text(panic.as_ref()))
}

/// What a panic said, when it said it as text.
pub fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(ToString::to_string)
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// Installs the panic hook that keeps a guarded reader's panic quiet (once
/// per process; the program calls it first thing).
pub fn quiet_reader_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !is_quiet(info) {
                default(info);
            }
        }));
    });
}

fn is_quiet(info: &PanicHookInfo) -> bool {
    GUARDED_READS.load(Ordering::SeqCst) > 0
        && info
            .location()
            .is_some_and(|at| raised_in_polars(at.file()))
}

/// Whether a panic's source file is one of polars' crates (as cargo lays
/// them out, `…/polars-parquet-0.55.2/src/…`), not this program's.
fn raised_in_polars(file: &str) -> bool {
    file.split(['/', '\\'])
        .any(|part| part.starts_with("polars-") || part.starts_with("polars_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_polars_sources_count_as_polars() {
        assert!(raised_in_polars(
            "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/polars-parquet-0.55.2/src/parquet/page/mod.rs"
        ));
        assert!(raised_in_polars(
            r"C:\Users\a\.cargo\registry\src\x\polars-arrow-0.55.2\src\array\mod.rs"
        ));
        assert!(!raised_in_polars("src/import/raw.rs"));
        assert!(!raised_in_polars("/rustc/abc/library/alloc/src/raw_vec.rs"));
    }

    #[test]
    fn a_caught_panic_is_told() {
        let caught = catch_reader_panic(|| -> u8 { panic!("claimed length 7 > 3") });
        assert_eq!(caught, Err("claimed length 7 > 3".to_string()));
        assert_eq!(catch_reader_panic(|| 5), Ok(5));
    }
}
