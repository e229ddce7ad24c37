//! The `devicekey` binary: serve device keys over JSON-RPC, verify proofs, run the demo. The
//! only crate of the workspace with a command-line parser.

// `unsafe` only in `allocator`, the one call into glibc.
#![deny(unsafe_code)]

mod allocator;
mod attest;
mod cli;
mod demo;
mod doctor;
mod identity;
mod input;
mod keys;
mod state;
mod verify;

use std::io::IsTerminal as _;
use std::process::ExitCode;

use crate::cli::{run_demo, run_serve, Cli, Command};
use clap::Parser as _;

fn main() -> ExitCode {
    allocator::tune();
    let cli = Cli::parse();
    init_logging();
    // `serve` writes the protocol to stdout from its own tasks: only the other commands lock it.
    let out = || std::io::stdout().lock();
    let written = match &cli.command {
        Command::Serve(args) => return run_serve(args),
        Command::Demo => return run_demo(&mut out()),
        Command::Verify(args) => verify::run_verify(args, &mut out()),
        Command::Attest(args) => attest::run_attest(args, &mut out()),
        Command::Identity(args) => identity::run_identity(args, &mut out()),
        Command::Keys(args) => keys::run_keys(args, &mut out()),
        Command::Doctor(args) => doctor::run_doctor(args, &mut out()),
    };
    written.unwrap_or_else(|error| {
        eprintln!("devicekey: cannot write the output: {error}");
        ExitCode::FAILURE
    })
}

/// Logs go to stderr, filtered by `RUST_LOG` (default: warnings and errors), in colour only when
/// stderr is a terminal and `NO_COLOR` is unset or empty (<https://no-color.org>).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let ansi = use_colour(
        std::io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    );
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .init();
}

/// Whether logs are coloured: only on a terminal, and not when `NO_COLOR` is set to anything
/// but the empty string.
fn use_colour(is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    is_terminal && no_color.is_none_or(std::ffi::OsStr::is_empty)
}
