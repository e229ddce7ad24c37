//! `cargo xtask write-schema [--check]`: regenerate `generated/`, or check that it is current.

use std::path::Path;
use std::process::ExitCode;

use devicekey_codegen::{sync, COMMAND};

/// Writes `generated/` from `schema/` under `root`, or with `check` compares without writing.
pub(crate) fn write_schema(root: &Path, check: bool) -> ExitCode {
    let files = match devicekey_codegen::generate(root) {
        Ok(files) => files,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    if check {
        match sync::check(root, &files) {
            Ok(differences) if differences.is_empty() => {
                println!("generated/ is up to date ({} files)", files.len());
                ExitCode::SUCCESS
            }
            Ok(differences) => {
                for difference in &differences {
                    eprintln!("{difference}");
                }
                eprintln!("\n{} generated file(s) differ from schema/: run `{COMMAND}` and commit the result", differences.len());
                ExitCode::FAILURE
            }
            Err(error) => {
                eprintln!("error: cannot read generated/: {error}");
                ExitCode::FAILURE
            }
        }
    } else {
        match sync::write(root, &files) {
            Ok(done) => {
                for path in &done.written {
                    println!("wrote {}", path.display());
                }
                for path in &done.removed {
                    println!("removed {}", path.display());
                }
                println!(
                    "{} file(s) changed, {} generated file(s) in all",
                    done.written.len() + done.removed.len(),
                    files.len()
                );
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("error: cannot write generated/: {error}");
                ExitCode::FAILURE
            }
        }
    }
}
