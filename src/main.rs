//! Parses the arguments, runs the command, turns its outcome into the exit code.

use std::process::ExitCode;

use clap::Parser;
use vneid_recon::cli::Cli;
use vneid_recon::commands;

/// mimalloc instead of the system allocator: see Cargo.toml (issue 11).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Where transparent huge pages are "always" (as on Debian's default kernels), every page the
    // allocator hands back and takes again is faulted in as 2 MiB and zeroed: on a province run that
    // was a third of the run's system time and 3 s of wall time (issue 11). Best effort: an older
    // kernel keeps its setting.
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    // A panic inside a spreadsheet reader is caught and reported with its file (reader_crashed):
    // keep its default message off the terminal. Any other panic is printed as usual.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !vneid_recon::ingest::isolation::in_reader() {
            default_hook(info);
        }
    }));
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
