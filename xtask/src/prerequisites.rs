//! What the JavaScript test harnesses need before they start: the `devicekey` binary and the
//! built TypeScript packages.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::command::{cargo, step, target_dir};
use crate::setup::{has_libtss2, PACKAGES};

/// Builds the `devicekey` binary (debug; without the TPM provider where libtss2 is missing, which
/// these tests do not use) and returns its path.
pub(crate) fn devicekey_binary(root: &Path) -> Result<PathBuf, String> {
    let mut build = Command::new(cargo());
    build
        .args(["build", "--package", "devicekey", "--bins"])
        .current_dir(root);
    if !has_libtss2() {
        println!("note: libtss2 is not installed, so the binary is built without the TPM provider (`cargo xtask setup` installs it)");
        build.arg("--no-default-features");
    }
    step(
        "cargo build --package devicekey (the binary the tests talk to)",
        &mut build,
    )?;
    let binary = target_dir(root).join("debug").join("devicekey");
    if binary.is_file() {
        Ok(binary)
    } else {
        Err(format!(
            "cargo built devicekey, but it is not at {}: set CARGO_TARGET_DIR to the target folder cargo uses",
            binary.display()
        ))
    }
}

/// `npm run build` in each TypeScript package, in dependency order (the consumers of a package
/// read its `dist/`).
pub(crate) fn build_packages(root: &Path) -> Result<(), String> {
    for package in PACKAGES {
        step(
            &format!("tsc (strict) in {package}: ES modules and CommonJS"),
            Command::new("npm")
                .args(["run", "--silent", "build"])
                .current_dir(root.join(package)),
        )?;
    }
    Ok(())
}

/// Where tests leave what a person may want to look at afterwards (the browser test's screenshot).
pub(crate) fn artifacts_dir(root: &Path) -> PathBuf {
    target_dir(root).join("test-artifacts")
}
