//! Desktop integration as the system tools see it: the desktop entry, the
//! `.chatlens` MIME type and its magic, the file-manager association in a
//! scratch XDG home, the Debian package's contents, and the Windows/macOS
//! installer metadata.
//!
//! The checks drive Debian's own tools. Where one is missing they skip with a
//! note on a developer's machine, but fail under CI (`CI` set), so a CI image
//! that lost a package cannot pass by skipping.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
}

/// True when every tool is installed; otherwise skips (developer machine) or
/// fails (CI), naming the Debian package that brings the tool.
fn have(tools: &[(&str, &str)]) -> bool {
    let missing: Vec<String> = tools
        .iter()
        .filter(|(tool, _)| !on_path(tool))
        .map(|(tool, package)| format!("{tool} (Debian package {package})"))
        .collect();
    if missing.is_empty() {
        return true;
    }
    let message = format!("missing tools: {}", missing.join(", "));
    assert!(std::env::var_os("CI").is_none(), "{message}");
    eprintln!("skipping: {message}");
    false
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A report as the writer makes it: a zip whose first entry is a stored
/// `manifest.json`, followed by the table.
fn write_report(path: &Path) {
    let mut zip = ZipWriter::new(fs::File::create(path).unwrap());
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    zip.start_file("manifest.json", stored).unwrap();
    zip.write_all(br#"{"format":"chatlens","version":1}"#)
        .unwrap();
    let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    zip.start_file("messages.parquet", deflated).unwrap();
    zip.write_all(&[0u8; 512]).unwrap();
    zip.finish().unwrap();
}

fn write_plain_zip(path: &Path) {
    let mut zip = ZipWriter::new(fs::File::create(path).unwrap());
    zip.start_file("chat.txt", SimpleFileOptions::default())
        .unwrap();
    zip.write_all(b"12/03/2024, 09:15 - Ana: hello\n").unwrap();
    zip.finish().unwrap();
}

const DESKTOP_FILE: &str = "packaging/linux/chatlens.desktop";
const MIME_XML: &str = "packaging/linux/chatlens.xml";

#[test]
fn desktop_entry_validates_and_lists_every_format() {
    if !have(&[("desktop-file-validate", "desktop-file-utils")]) {
        return;
    }
    let out = run(Command::new("desktop-file-validate").arg(repo().join(DESKTOP_FILE)));
    // Hints are advice (Office;Utility; is two main categories on purpose);
    // errors and warnings are not.
    let report = format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
    for line in report.lines() {
        assert!(
            !line.contains("error:") && !line.contains("warning:"),
            "{line}"
        );
    }

    let entry = fs::read_to_string(repo().join(DESKTOP_FILE)).unwrap();
    assert!(entry.contains("\nExec=chatlens %F\n"), "{entry}");
    assert!(entry.contains("\nIcon=chatlens\n"), "{entry}");
    let mime_line = entry
        .lines()
        .find_map(|l| l.strip_prefix("MimeType="))
        .expect("MimeType line");
    let types: Vec<&str> = mime_line.split(';').collect();
    for t in [
        "application/x-chatlens",
        "text/csv",
        "text/tab-separated-values",
        "application/vnd.apache.parquet",
        "application/x-parquet",
        "application/json",
        "application/x-ndjson",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-excel",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/zip",
        "text/plain",
        "application/gzip",
    ] {
        assert!(types.contains(&t), "{t} missing from MimeType={mime_line}");
    }
}

#[test]
fn mime_xml_is_well_formed_and_accepted_by_update_mime_database() {
    if !have(&[
        ("xmllint", "libxml2-utils"),
        ("update-mime-database", "shared-mime-info"),
    ]) {
        return;
    }
    run(Command::new("xmllint")
        .arg("--noout")
        .arg(repo().join(MIME_XML)));

    // Debian ships no schema for shared-mime-info; update-mime-database is
    // the validator, and it reports unknown elements and bad rules on stderr.
    let home = tempfile::tempdir().unwrap();
    let packages = home.path().join("mime/packages");
    fs::create_dir_all(&packages).unwrap();
    fs::copy(repo().join(MIME_XML), packages.join("chatlens.xml")).unwrap();
    // Inside XDG_DATA_HOME, or it notes on stderr that nothing will look there.
    let out = run(Command::new("update-mime-database")
        .env("XDG_DATA_HOME", home.path())
        .arg(home.path().join("mime")));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.trim().is_empty(), "{stderr}");
    let types = fs::read_to_string(home.path().join("mime/types")).unwrap();
    assert!(
        types.lines().any(|l| l == "application/x-chatlens"),
        "{types}"
    );
    let globs = fs::read_to_string(home.path().join("mime/globs2")).unwrap();
    assert!(
        globs.contains("application/x-chatlens:*.chatlens"),
        "{globs}"
    );
}

/// A scratch XDG home with Chatlens's MIME type and desktop entry installed
/// the way a per-user install would.
struct XdgHome {
    dir: tempfile::TempDir,
}

impl XdgHome {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        fs::create_dir_all(data.join("mime/packages")).unwrap();
        fs::create_dir_all(data.join("applications")).unwrap();
        fs::create_dir_all(dir.path().join("config")).unwrap();
        fs::copy(
            repo().join(MIME_XML),
            data.join("mime/packages/chatlens.xml"),
        )
        .unwrap();
        fs::copy(
            repo().join(DESKTOP_FILE),
            data.join("applications/chatlens.desktop"),
        )
        .unwrap();
        let home = XdgHome { dir };
        run(home.command("update-mime-database").arg(data.join("mime")));
        run(home
            .command("update-desktop-database")
            .arg(data.join("applications")));
        home
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The environment is cleared so that the developer's desktop session
    /// (`XDG_CURRENT_DESKTOP`, a session bus, their own `mimeapps.list`) cannot
    /// steer xdg-mime: with none, it takes its generic path, which reads the
    /// shared-mime-info database through `File::MimeInfo`'s `mimetype` and the
    /// desktop database's mimeinfo.cache.
    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        let bin_dir = Path::new(env!("CARGO_BIN_EXE_chatlens")).parent().unwrap();
        let path = std::env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
        ))
        .unwrap();
        cmd.env_clear()
            .env("PATH", path)
            .env("HOME", self.path())
            .env("XDG_DATA_HOME", self.path().join("data"))
            // The system database stays visible: a plain zip must still be
            // application/zip, which only it defines.
            .env("XDG_DATA_DIRS", "/usr/share")
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("XDG_CONFIG_DIRS", self.path().join("config"))
            .env("XDG_RUNTIME_DIR", self.path());
        cmd
    }

    fn query(&self, args: &[&str]) -> String {
        stdout(&run(self.command("xdg-mime").arg("query").args(args)))
    }
}

fn have_xdg_tools() -> bool {
    have(&[
        ("update-mime-database", "shared-mime-info"),
        ("update-desktop-database", "desktop-file-utils"),
        ("xdg-mime", "xdg-utils"),
        ("mimetype", "libfile-mimeinfo-perl"),
    ])
}

#[test]
fn reports_are_recognised_by_name_and_by_content() {
    if !have_xdg_tools() {
        return;
    }
    let home = XdgHome::new();
    let files = home.path().join("files");
    fs::create_dir_all(&files).unwrap();
    write_report(&files.join("x.chatlens"));
    // Mail clients and downloads lose extensions; the magic still knows it.
    write_report(&files.join("report-without-extension"));
    write_plain_zip(&files.join("export-without-extension"));

    let filetype = |name: &str| home.query(&["filetype", files.join(name).to_str().unwrap()]);
    assert_eq!(filetype("x.chatlens"), "application/x-chatlens");
    assert_eq!(
        filetype("report-without-extension"),
        "application/x-chatlens"
    );
    assert_eq!(filetype("export-without-extension"), "application/zip");
}

#[test]
fn chatlens_is_the_default_for_reports_and_offered_for_data() {
    if !have_xdg_tools() {
        return;
    }
    let home = XdgHome::new();
    // A fresh install sets no preference: the desktop database's
    // mimeinfo.cache, written by update-desktop-database, is what answers.
    for mime in [
        "application/x-chatlens",
        "application/vnd.apache.parquet",
        "text/csv",
    ] {
        assert_eq!(home.query(&["default", mime]), "chatlens.desktop", "{mime}");
    }

    // A user's explicit choice goes to $XDG_CONFIG_HOME/mimeapps.list; xdg-mime
    // honours it only while the entry's Exec program is on PATH.
    run(home
        .command("xdg-mime")
        .args(["default", "chatlens.desktop", "application/x-chatlens"]));
    let list = fs::read_to_string(home.path().join("config/mimeapps.list")).unwrap();
    assert!(
        list.contains("application/x-chatlens=chatlens.desktop"),
        "{list}"
    );
    assert_eq!(
        home.query(&["default", "application/x-chatlens"]),
        "chatlens.desktop"
    );
}

fn png_size(path: &Path) -> (u32, u32) {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{}", path.display());
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

const ICON_SIZES: [u32; 8] = [16, 24, 32, 48, 64, 128, 256, 512];

#[test]
fn icons_exist_at_every_size() {
    for n in ICON_SIZES {
        let path = repo().join(format!("assets/icons/hicolor/{n}x{n}/apps/chatlens.png"));
        assert_eq!(png_size(&path), (n, n), "{}", path.display());
    }
    let svg = fs::read_to_string(repo().join("assets/icons/chatlens.svg")).unwrap();
    for colour in ["#3B82F6", "#10B981", "#F59E0B"] {
        assert!(svg.contains(colour), "{colour}");
    }
    let ico = fs::read(repo().join("assets/icons/chatlens.ico")).unwrap();
    assert_eq!(&ico[..4], &[0, 0, 1, 0], "ICO header");
}

#[test]
fn deb_holds_binary_desktop_entry_mime_type_and_icons() {
    if !have(&[
        ("cargo-deb", "cargo install cargo-deb --locked"),
        ("dpkg-deb", "dpkg"),
    ]) {
        return;
    }
    let out_dir = tempfile::tempdir().unwrap();
    // The test binary's own build is packaged: a release build here would
    // take far longer than the test deserves.
    run(Command::new("bash")
        .arg(repo().join("packaging/build-deb.sh"))
        .args(["--binary", env!("CARGO_BIN_EXE_chatlens")])
        .args(["--fast", "--no-strip", "-o"])
        .arg(out_dir.path()));
    let debs: Vec<PathBuf> = fs::read_dir(out_dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "deb"))
        .collect();
    assert_eq!(debs.len(), 1, "{debs:?}");

    let listing = stdout(&run(Command::new("dpkg-deb").arg("-c").arg(&debs[0])));
    let mut expected = vec![
        "./usr/bin/chatlens".to_owned(),
        "./usr/share/applications/chatlens.desktop".to_owned(),
        "./usr/share/mime/packages/chatlens.xml".to_owned(),
        "./usr/share/icons/hicolor/scalable/apps/chatlens.svg".to_owned(),
    ];
    expected
        .extend(ICON_SIZES.map(|n| format!("./usr/share/icons/hicolor/{n}x{n}/apps/chatlens.png")));
    for path in &expected {
        assert!(
            listing.lines().any(|l| l.ends_with(path.as_str())),
            "{path} missing from:\n{listing}"
        );
    }
    let binary = listing
        .lines()
        .find(|l| l.ends_with("./usr/bin/chatlens"))
        .unwrap();
    assert!(binary.starts_with("-rwxr-xr-x"), "{binary}");

    let control = stdout(&run(Command::new("dpkg-deb")
        .args(["-f"])
        .arg(&debs[0])
        .args(["Package", "Section", "Maintainer"])));
    assert!(control.contains("Package: chatlens"), "{control}");
    let scripts = stdout(&run(Command::new("dpkg-deb").arg("-I").arg(&debs[0])));
    for script in ["postinst", "postrm"] {
        assert!(scripts.contains(script), "{scripts}");
    }
}

#[test]
fn installer_metadata_associates_reports_on_windows_and_macos() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = run(Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(repo()));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let package = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "chatlens")
        .unwrap();

    let packager = &package["metadata"]["packager"];
    let association = &packager["file-associations"][0];
    assert_eq!(association["extensions"], serde_json::json!(["chatlens"]));
    assert_eq!(association["mime-type"], "application/x-chatlens");
    assert_eq!(association["description"], "Chatlens report");
    assert_eq!(association["role"], "Editor");
    let plist_path = packager["macos"]["info-plist-path"].as_str().unwrap();
    for icon in packager["icons"].as_array().unwrap() {
        assert!(repo().join(icon.as_str().unwrap()).is_file(), "{icon}");
    }

    let deb = &package["metadata"]["deb"];
    for asset in deb["assets"].as_array().unwrap() {
        let source = asset[0].as_str().unwrap();
        if !source.starts_with("target/") {
            assert!(repo().join(source).is_file(), "{source}");
        }
    }

    // The plist must tie the document type to the exported UTI, or Finder
    // shows the file as generic data and offers no app.
    let plist = fs::read_to_string(repo().join(plist_path)).unwrap();
    let uti = "<string>com.chatlens.report</string>";
    assert_eq!(plist.matches(uti).count(), 2, "{plist}");
    for needle in [
        "<key>CFBundleDocumentTypes</key>",
        "<key>UTExportedTypeDeclarations</key>",
        "<string>chatlens</string>",
        "<string>application/x-chatlens</string>",
        "<string>public.zip-archive</string>",
    ] {
        assert!(plist.contains(needle), "{needle}");
    }
    if have(&[("xmllint", "libxml2-utils")]) {
        run(Command::new("xmllint")
            .arg("--noout")
            .arg(repo().join(plist_path)));
    }
}
