use std::process::ExitCode;

use clap::Parser;

use chatlens::cli::{self, Cli, Command, UserError};

fn main() -> ExitCode {
    chatlens::import::reader_panic::quiet_reader_panics();
    let args = Cli::parse();
    let result = match &args.command {
        Some(Command::Inspect(a)) => cli::run_inspect(a),
        Some(Command::Report(a)) => cli::run_report(a),
        Some(Command::Sample(a)) => cli::run_sample(a),
        Some(Command::Export(a)) => cli::run_export(a),
        Some(Command::Save(a)) => cli::run_save(a),
        // No command: the desktop app, on the given file or on the sample.
        None => chatlens::ui::run(args.files.clone())
            .map_err(|e| UserError(format!("cannot open the window: {e}"))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(UserError(message)) => {
            eprintln!("chatlens: {message}");
            ExitCode::from(2)
        }
    }
}
