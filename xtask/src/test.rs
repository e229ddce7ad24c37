//! `cargo xtask test`: the whole test suite, with the set-up a fresh machine needs.
//!
//! 1. `cargo xtask setup`: missing system packages, then `npm ci` where needed;
//! 2. `write-schema --check`;
//! 3. the TypeScript builds (`tsc` in strict mode, ES modules and CommonJS) of the generated
//!    package, the verifier and the client;
//! 4. the generated Rust crate must build without a single warning, and the proof crate must
//!    build on its own (with only the features it asks for);
//! 5. `cargo test --workspace` (the conformance tests print their counts);
//! 6. the TypeScript tests (`npm test` in `proof/ts` and `server/ts`; the client's spawn the
//!    built binary);
//! 7. the packaging test (`cargo xtask test-packages`, see [`crate::packages`]);
//! 8. the browser test (`cargo xtask test-browser`, see [`crate::browser`]).

use std::path::Path;
use std::process::{Command, ExitCode};

use crate::command::{cargo, step, target_dir};
use crate::prerequisites::{artifacts_dir, build_packages};

pub(crate) fn run(root: &Path) -> ExitCode {
    match steps(root) {
        Ok(()) => {
            println!("xtask test: every step passed");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("xtask test: {message}");
            ExitCode::FAILURE
        }
    }
}

fn steps(root: &Path) -> Result<(), String> {
    crate::setup::system_packages()?;
    crate::setup::node_packages(root)?;
    println!("==> write-schema --check");
    if crate::schema::write_schema(root, true) != ExitCode::SUCCESS {
        return Err("generated/ is out of date".into());
    }
    build_packages(root)?;
    println!("==> the generated Rust crate builds without warnings");
    let output = Command::new(cargo())
        .args([
            "build",
            "--package",
            "devicekey-protocol",
            "--message-format",
            "short",
        ])
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() || stderr.lines().any(|l| l.contains("warning")) {
        return Err(format!(
            "the generated crate does not build cleanly:\n{stderr}"
        ));
    }
    // Built alone, a crate gets only the features it asks for itself (in the workspace build
    // other crates' features are added): a backend depends on the proof crate alone.
    step(
        "the proof crate builds on its own",
        Command::new(cargo())
            .args(["check", "--package", "devicekey-proof", "--quiet"])
            .current_dir(root),
    )?;
    step(
        "cargo build (binaries for the end-to-end tests)",
        Command::new(cargo())
            .args(["build", "--workspace", "--bins"])
            .current_dir(root),
    )?;
    step(
        "cargo test --workspace",
        Command::new(cargo())
            .args(["test", "--workspace", "--", "--show-output"])
            .current_dir(root),
    )?;
    let binary = target_dir(root).join("debug").join("devicekey");
    for package in ["proof/ts", "server/ts"] {
        step(
            &format!("npm test in {package}"),
            Command::new("npm")
                .args(["test"])
                .env("DEVICEKEY_BIN", &binary)
                .current_dir(root.join(package)),
        )?;
    }
    crate::packages::run_prepared(root, &binary)?;
    crate::browser::run_prepared(root, &binary)?;
    println!(
        "test artefacts (the browser test's screenshot): {}",
        artifacts_dir(root).display()
    );
    Ok(())
}
