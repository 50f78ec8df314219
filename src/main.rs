//! Parses the arguments, runs the command, turns its outcome into the exit code.

use std::process::ExitCode;

use clap::Parser;
use vneid_recon::cli::Cli;
use vneid_recon::commands;

fn main() -> ExitCode {
    vneid_recon::tune_process();
    // A panic inside a spreadsheet reader is caught and reported with its file (reader_crashed):
    // keep its default message off the terminal. Any other panic is printed as usual.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !vneid_recon::ingest::isolation::in_reader() {
            default_hook(info);
        }
    }));
    let cli = Cli::parse();
    let outcome = match cli.command {
        Some(command) => commands::dispatch(command),
        None => commands::open(cli.open),
    };
    let status = match outcome {
        Ok(status) => status,
        Err(failure) => {
            eprintln!("vneid-recon: {failure:#}");
            failure.status()
        }
    };
    ExitCode::from(status as u8)
}
