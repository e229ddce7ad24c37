//! `cargo xtask test`: the whole test suite, with the set-up a fresh machine needs.
//!
//! 1. `cargo xtask setup`: missing system packages, then `npm ci` where needed;
//! 2. `write-schema --check`;
//! 3. the TypeScript builds (`tsc` in strict mode) of the generated package and the verifier;
//! 4. the generated Rust crate must build without a single warning, and the proof crate must
//!    build on its own (with only the features it asks for);
//! 5. `cargo test --workspace` (the conformance tests print their counts);
//! 6. the TypeScript tests (`npm test` in `proof/ts`, which spawns the built binary).

use std::path::Path;
use std::process::{Command, ExitCode};

use crate::command::{cargo, step};
use crate::setup::PACKAGES;

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
    for package in PACKAGES {
        let dir = root.join(package);
        if dir.join("package.json").exists() {
            step(
                &format!("tsc (strict) in {package}"),
                Command::new("npm")
                    .args(["run", "--silent", "build"])
                    .current_dir(&dir),
            )?;
        }
    }
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
    let verifier = root.join("proof/ts");
    if verifier.join("package.json").exists() {
        step(
            "npm test in proof/ts",
            Command::new("npm").args(["test"]).current_dir(&verifier),
        )?;
    }
    Ok(())
}
