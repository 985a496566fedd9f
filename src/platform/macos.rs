//! Finder's "open documents" event, forwarded to the app.
//!
//! `AppKit` turns a double-click on a `.chatlens` file (and "Open With", and a
//! drop on the Dock icon) into `application:openFiles:` on the
//! `NSApplication` delegate. winit owns that delegate and does not implement
//! the method, and without it `AppKit` tells the user that Chatlens "cannot
//! open files in this format". The method is therefore added to the
//! delegate's class at run time.
//!
//! Timing: winit creates its delegate inside `eframe::run_native`, and `AppKit`
//! delivers the launch's files between `applicationWillFinishLaunching` and
//! `applicationDidFinishLaunching`, before the app's code runs again. So the
//! method is added from an observer of the will-finish-launching
//! notification, registered beforehand by `install`.

#![allow(unsafe_code)]

use std::path::PathBuf;
use std::ptr::NonNull;
use std::sync::OnceLock;
use std::sync::mpsc::Sender;

use block2::RcBlock;
use objc2::runtime::{AnyClass, AnyObject, Bool, Imp, Sel};
use objc2::{MainThreadMarker, ffi, sel};
use objc2_app_kit::{
    NSApplication, NSApplicationDelegateReply, NSApplicationWillFinishLaunchingNotification,
};
use objc2_foundation::{NSArray, NSNotification, NSNotificationCenter, NSString};

static SENDER: OnceLock<Sender<PathBuf>> = OnceLock::new();

/// The Objective-C signature of `application:openFiles:`: returns void,
/// takes self, the selector, the application and an array of path strings.
const OPEN_FILES_TYPES: &std::ffi::CStr = c"v@:@@";

type OpenFiles = unsafe extern "C-unwind" fn(&AnyObject, Sel, &NSApplication, &NSArray<NSString>);

pub fn install(sender: Sender<PathBuf>) {
    if SENDER.set(sender).is_err() {
        return;
    }
    let Some(mtm) = MainThreadMarker::new() else {
        eprintln!(
            "chatlens: Finder's open-files events need the handler installed on the main thread"
        );
        return;
    };
    let block = RcBlock::new(move |_: NonNull<NSNotification>| add_open_files_method(mtm));
    // SAFETY: the name is AppKit's own notification constant and the block
    // has the `(NSNotification *) -> void` signature the center calls. With
    // no queue the block runs synchronously on the posting thread, AppKit's
    // main thread, which is what the captured `MainThreadMarker` promises.
    let observer = unsafe {
        NSNotificationCenter::defaultCenter().addObserverForName_object_queue_usingBlock(
            Some(NSApplicationWillFinishLaunchingNotification),
            None,
            None,
            &block,
        )
    };
    // The token only serves to unregister, and this observer lives as long
    // as the app.
    std::mem::forget(observer);
}

fn add_open_files_method(mtm: MainThreadMarker) {
    let app = NSApplication::sharedApplication(mtm);
    let Some(delegate) = app.delegate() else {
        eprintln!("chatlens: no application delegate; Finder's open-files events are lost");
        return;
    };
    let object: &AnyObject = delegate.as_ref();
    let class: *const AnyClass = object.class();
    let handler: OpenFiles = open_files;
    // SAFETY: `class` is the delegate's live, registered class, to which the
    // runtime allows adding methods. The implementation's Rust signature
    // matches OPEN_FILES_TYPES and the selector's arguments, so the runtime
    // calls it with exactly those arguments; the transmute only erases the
    // function-pointer type, as `IMP` requires. If the class already
    // implements the selector (a future winit), nothing is replaced.
    let added = unsafe {
        ffi::class_addMethod(
            class.cast_mut(),
            sel!(application:openFiles:),
            std::mem::transmute::<OpenFiles, Imp>(handler),
            OPEN_FILES_TYPES.as_ptr(),
        )
    };
    if added == Bool::NO {
        eprintln!("chatlens: the application delegate already handles open-files events");
    }
}

/// `-[delegate application:openFiles:]`.
///
/// # Safety
/// Called only by the Objective-C runtime, with the arguments of the
/// selector it was registered for.
unsafe extern "C-unwind" fn open_files(
    _this: &AnyObject,
    _cmd: Sel,
    app: &NSApplication,
    files: &NSArray<NSString>,
) {
    if let Some(sender) = SENDER.get() {
        for file in files {
            // A closed receiver means the app is shutting down.
            let _ = sender.send(PathBuf::from(file.to_string()));
        }
    }
    // AppKit waits for this answer before it stops showing the open as busy.
    app.replyToOpenOrPrint(NSApplicationDelegateReply::Success);
}
