//! The `devicekey` binary: serve device keys over JSON-RPC, verify proofs, run the demo. The
//! only crate of the workspace with a command-line parser.

#![forbid(unsafe_code)]

mod cli;
mod demo;

use std::process::ExitCode;

use crate::cli::{run_demo, run_serve, run_verify, Cli, Command};
use clap::Parser as _;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    match &cli.command {
        Command::Verify(args) => {
            run_verify(args, &mut std::io::stdout().lock()).unwrap_or_else(|error| {
                eprintln!("devicekey: cannot write the output: {error}");
                ExitCode::FAILURE
            })
        }
        Command::Serve(args) => run_serve(args),
        Command::Demo => run_demo(&mut std::io::stdout().lock()),
    }
}

/// Logs go to stderr, filtered by `RUST_LOG` (default: warnings and errors).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
