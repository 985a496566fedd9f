//! What the operating system hands the app outside `argv`.
//!
//! Linux and Windows start `chatlens FILE…` on a double-click, so the paths
//! arrive as command-line arguments. macOS starts the app bare and then
//! delivers the files as an "open documents" event — also when the app is
//! already running — which winit does not surface; `macos` bridges it.

use std::path::PathBuf;
use std::sync::mpsc::Sender;

#[cfg(target_os = "macos")]
mod macos;

/// Forwards every file the OS asks the app to open to `sender`.
///
/// Call it once, on the main thread, before `eframe::run_native`: on macOS
/// the files of the double-click that launched the app arrive while the event
/// loop starts, before the app's first frame. Elsewhere it does nothing,
/// since the files come as arguments.
pub fn install_open_files_handler(sender: Sender<PathBuf>) {
    #[cfg(target_os = "macos")]
    macos::install(sender);
    #[cfg(not(target_os = "macos"))]
    drop(sender);
}
