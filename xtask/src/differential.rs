//! `cargo xtask differential [--cases N] [--seed S] [--release]`: the differential test of the
//! generated validators (`tests/tests/conformance/differential.rs`), longer than the suite's
//! bounded run: N instances per type (default 100,000) of every type of `schema/` and of the codex
//! corpus, from seed S (default the test's own), through the reference, the generated Rust and
//! the generated TypeScript. It runs that test alone, with `DEVICEKEY_DIFF_CASES` and
//! `DEVICEKEY_DIFF_SEED` set; `--release` builds the test optimized (the run is then several
//! times faster).

use std::path::Path;
use std::process::{Command, ExitCode};

use crate::command::{cargo, step};

/// Instances per type when `--cases` is not given.
const DEFAULT_CASES: u64 = 100_000;

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Options {
    /// Instances per type.
    pub(crate) cases: u64,
    /// The seed, when given.
    pub(crate) seed: Option<u64>,
    /// Whether to build the test optimized.
    pub(crate) release: bool,
}

/// Reads `--cases N`, `--seed S` (decimal, or hexadecimal after `0x`) and `--release`.
pub(crate) fn parse(args: &[&str]) -> Result<Options, String> {
    let mut options = Options {
        cases: DEFAULT_CASES,
        seed: None,
        release: false,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match *arg {
            "--cases" => {
                let value = args.next().ok_or("--cases needs a number")?;
                options.cases = number(value).map_err(|e| format!("--cases {value}: {e}"))?;
                if options.cases == 0 {
                    return Err("--cases must be at least 1".into());
                }
            }
            "--seed" => {
                let value = args.next().ok_or("--seed needs a number")?;
                options.seed = Some(number(value).map_err(|e| format!("--seed {value}: {e}"))?);
            }
            "--release" => options.release = true,
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(options)
}

fn number(text: &str) -> Result<u64, std::num::ParseIntError> {
    let text = text.replace('_', "");
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    }
}

/// Runs the differential test with `options`.
pub(crate) fn run(root: &Path, options: &Options) -> ExitCode {
    let mut command = Command::new(cargo());
    command.args(["test", "--package", "devicekey-conformance"]);
    if options.release {
        command.arg("--release");
    }
    command
        .args([
            "--test",
            "conformance",
            "differential::",
            "--",
            "--nocapture",
        ])
        .env("DEVICEKEY_DIFF_CASES", options.cases.to_string())
        .current_dir(root);
    if let Some(seed) = options.seed {
        command.env("DEVICEKEY_DIFF_SEED", seed.to_string());
    }
    let name = format!(
        "the differential test, {} instances per type{}",
        options.cases,
        options
            .seed
            .map(|s| format!(", seed {s}"))
            .unwrap_or_default()
    );
    match step(&name, &mut command) {
        Ok(()) => {
            println!("xtask differential: passed");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("xtask differential: {message}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_read() {
        assert_eq!(
            parse(&[]),
            Ok(Options {
                cases: DEFAULT_CASES,
                seed: None,
                release: false
            })
        );
        assert_eq!(
            parse(&["--cases", "5000", "--seed", "0x2a", "--release"]),
            Ok(Options {
                cases: 5000,
                seed: Some(42),
                release: true
            })
        );
        assert_eq!(parse(&["--seed", "1_000"]).map(|o| o.seed), Ok(Some(1000)));
    }

    #[test]
    fn bad_options_are_refused() {
        assert_eq!(
            parse(&["--cases"]),
            Err("--cases needs a number".to_owned())
        );
        assert_eq!(
            parse(&["--cases", "0"]),
            Err("--cases must be at least 1".to_owned())
        );
        assert!(parse(&["--cases", "many"]).is_err_and(|e| e.starts_with("--cases many: ")));
        assert_eq!(parse(&["--seed"]), Err("--seed needs a number".to_owned()));
        assert_eq!(parse(&["--fast"]), Err("unknown option --fast".to_owned()));
    }
}
