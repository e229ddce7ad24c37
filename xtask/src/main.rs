//! Developer commands, reached as `cargo xtask <command>` through the alias in `.cargo/config.toml`.
//!
//! - `write-schema`: regenerate every file under `generated/` from `schema/`.
//! - `write-schema --check`: write nothing; fail with a unified diff and the command to run when
//!   any generated file differs from what `schema/` gives, is missing, or is extra.
//! - `setup`: install what the build and tests need beyond Rust and Node (see [`setup`]).
//! - `test`: the whole test suite, with its set-up (see [`mod@test`]).
//! - `test-packages`: the npm packages packed, installed outside the repository, type-checked and
//!   run (see [`packages`]).
//! - `test-browser`: the verifier and the validators in headless Chromium (see [`browser`]).
//! - `differential [--cases N] [--seed S] [--release]`: the differential test of the generated
//!   validators, N instances per type (see [`differential`]).
//! - `demo`: `devicekey demo` in release mode (without the TPM provider when its system library
//!   is missing: the demo uses the software provider).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod browser;
mod command;
mod differential;
mod packages;
mod prerequisites;
mod schema;
mod setup;
mod test;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  write-schema           regenerate generated/ (Rust and TypeScript types and validators) from schema/
  write-schema --check   write nothing; exit 1 with a diff when generated/ is not what schema/ gives
  demo                   build and run `devicekey demo` (a server on an embedded default and a client)
  setup                  install missing system packages (as root, with apt-get; chromium among
                         them) and the npm workspace (npm ci at the root)
  test                   the whole test suite: setup, write-schema --check, the
                         TypeScript builds, the generated crate without warnings, cargo test,
                         the TypeScript tests, test-packages and test-browser
  test-packages          pack the npm packages, check them with publint and attw, install them
                         into a project outside the repository, type-check a consumer with
                         nodenext, node10 and bundler resolution (and TypeScript 5.0), run it
                         against the devicekey binary as ESM and CommonJS, run the READMEs' examples
  test-browser           bundle the verifier and validators for the browser, serve them from
                         127.0.0.1 and check in headless Chromium (CHROMIUM, default chromium) a
                         fresh proof, a tampered one and bad params' violations; the screenshot
                         goes to <target>/test-artifacts/browser/verifier.png
  differential [--cases N] [--seed S] [--release]
                         the differential test, longer than the suite's run: N instances per type
                         (default 100000) of every type of schema/ and of the codex corpus, from
                         seed S (decimal or 0x hex; default the test's own), through the jsonschema
                         reference, the generated Rust and the generated TypeScript (the test
                         `differential::` of devicekey-conformance with DEVICEKEY_DIFF_CASES and
                         DEVICEKEY_DIFF_SEED set); --release builds it optimized
  help                   print this text

options:
  --root <dir>           the repository to work on (default: this checkout)
";

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut root = repo_root();
    if let Some(at) = args.iter().position(|a| a == "--root") {
        match args.get(at + 1) {
            Some(dir) => root = PathBuf::from(dir),
            None => {
                eprint!("{USAGE}");
                return ExitCode::from(2);
            }
        }
        args.drain(at..at + 2);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["write-schema"] => schema::write_schema(&root, false),
        ["write-schema", "--check"] => schema::write_schema(&root, true),
        ["test"] => test::run(&root),
        ["test-packages"] => report("test-packages", packages::run(&root)),
        ["test-browser"] => report("test-browser", browser::run(&root)),
        ["setup"] => match setup::system_packages().and_then(|()| setup::node_packages(&root)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("xtask setup: {message}");
                ExitCode::FAILURE
            }
        },
        ["differential", options @ ..] => match differential::parse(options) {
            Ok(options) => differential::run(&root, &options),
            Err(message) => {
                eprintln!("xtask differential: {message}\n");
                eprint!("{USAGE}");
                ExitCode::from(2)
            }
        },
        ["demo"] => demo(&root),
        ["help"] | ["--help"] | ["-h"] => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprint!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// The exit code of a command that ran `result`, its error printed.
fn report(command: &str, result: Result<(), String>) -> ExitCode {
    match result {
        Ok(()) => {
            println!("xtask {command}: passed");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("xtask {command}: {message}");
            ExitCode::FAILURE
        }
    }
}

fn demo(root: &Path) -> ExitCode {
    let mut command = std::process::Command::new(command::cargo());
    command.args(["run", "--quiet", "--release", "--package", "devicekey"]);
    if !setup::has_libtss2() {
        eprintln!("note: libtss2 is not installed, so this build leaves out the TPM provider (the demo uses the software provider); `cargo xtask setup` installs it");
        command.arg("--no-default-features");
    }
    command.args(["--", "demo"]).current_dir(root);
    match command.status() {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("xtask demo: cannot run cargo: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The repository: the parent of the xtask's manifest folder. `cargo run` sets
/// `CARGO_MANIFEST_DIR` at run time to the checkout it runs in; the compile-time value is only the
/// fallback, since one shared target folder may hold an xtask built from another checkout.
fn repo_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or(manifest_dir)
}
