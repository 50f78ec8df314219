//! Parses the arguments, runs the command, turns its outcome into the exit code.

use std::process::ExitCode;

use clap::Parser;
use vneid_recon::cli::Cli;
use vneid_recon::commands;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let status = match commands::dispatch(cli.command) {
        Ok(status) => status,
        Err(failure) => {
            eprintln!("vneid-recon: {failure:#}");
            failure.status()
        }
    };
    ExitCode::from(status as u8)
}
