//! The `devicekey` binary: a thin face on the `devicekey` library.

use std::process::ExitCode;

use clap::Parser as _;
use devicekey::cli::{run_verify, Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match &cli.command {
        Command::Verify(args) => run_verify(args, &mut std::io::stdout().lock()),
    };
    outcome.unwrap_or_else(|error| {
        eprintln!("devicekey: cannot write the output: {error}");
        ExitCode::FAILURE
    })
}
