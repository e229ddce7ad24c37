//! `cargo xtask setup`: what the build and the tests need beyond the Rust toolchain and Node.
//!
//! System packages (Debian): `pkg-config` and `libtss2-dev` build the TPM provider (tss-esapi);
//! `swtpm`, `swtpm-tools` and `tpm2-tools` run its tests and benchmark; `openssl` checks
//! signatures independently; `chromium` runs the browser test. Missing ones are installed with
//! apt-get when this runs as root (as CI does), otherwise the command to run is printed. Node
//! packages: `npm ci` at the root, the npm workspace of every TypeScript package, when its install
//! is missing or older than its lock file.

use std::path::Path;
use std::process::Command;

/// The published TypeScript packages, in build order (each depends on the ones before it).
pub(crate) const PACKAGES: &[&str] = &["generated/ts", "proof/ts", "server/ts"];

/// The npm workspaces of the root `package.json`: the packages and the test tools (`tests/ts`).
/// Each has its own `node_modules` (`.npmrc`: `install-strategy=nested`).
const WORKSPACES: &[&str] = &["generated/ts", "proof/ts", "server/ts", "tests/ts"];

/// A Debian package and how to tell it is there.
struct SystemPackage {
    name: &'static str,
    present: fn() -> bool,
}

const SYSTEM_PACKAGES: &[SystemPackage] = &[
    SystemPackage {
        name: "pkg-config",
        present: || has_command("pkg-config"),
    },
    SystemPackage {
        name: "libtss2-dev",
        present: has_libtss2,
    },
    SystemPackage {
        name: "swtpm",
        present: || has_command("swtpm"),
    },
    SystemPackage {
        name: "swtpm-tools",
        present: || has_command("swtpm_setup"),
    },
    SystemPackage {
        name: "tpm2-tools",
        present: || has_command("tpm2_sign"),
    },
    SystemPackage {
        name: "openssl",
        present: || has_command("openssl"),
    },
    SystemPackage {
        name: "chromium",
        present: || has_command("chromium"),
    },
];

/// Whether the TSS libraries the TPM provider links against can be found.
pub(crate) fn has_libtss2() -> bool {
    Command::new("pkg-config")
        .args(["--exists", "tss2-esys"])
        .status()
        .is_ok_and(|s| s.success())
}

fn has_command(name: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {name} >/dev/null 2>&1")])
        .status()
        .is_ok_and(|s| s.success())
}

/// Installs the missing system packages (as root with apt-get), or says how.
pub(crate) fn system_packages() -> Result<(), String> {
    let missing: Vec<&str> = SYSTEM_PACKAGES
        .iter()
        .filter(|p| !(p.present)())
        .map(|p| p.name)
        .collect();
    if missing.is_empty() {
        println!("==> system packages: all present");
        return Ok(());
    }
    let command = format!(
        "apt-get install -y --no-install-recommends {}",
        missing.join(" ")
    );
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    if !is_root || !has_command("apt-get") {
        return Err(format!("missing system packages: {}; install them with `sudo apt-get update && sudo {command}`", missing.join(", ")));
    }
    println!("==> installing system packages: {}", missing.join(" "));
    crate::command::step(
        "apt-get update",
        Command::new("apt-get")
            .args(["update", "-q"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    let mut install = Command::new("apt-get");
    install
        .args(["install", "-y", "-q", "--no-install-recommends"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive");
    crate::command::step("apt-get install", &mut install)
}

/// `npm ci` at the root when the install is missing, incomplete or older than the lock.
pub(crate) fn node_packages(root: &Path) -> Result<(), String> {
    if !root.join("package.json").exists() {
        return Ok(());
    }
    if needs_install(root) {
        crate::command::step(
            "npm ci (the workspace: generated/ts, proof/ts, server/ts, tests/ts)",
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(root),
        )?;
    }
    Ok(())
}

/// npm keeps a copy of the lock it installed from in `node_modules/.package-lock.json`; each
/// workspace has its own `node_modules`.
fn needs_install(root: &Path) -> bool {
    let installed =
        std::fs::metadata(root.join("node_modules/.package-lock.json")).and_then(|m| m.modified());
    let lock = std::fs::metadata(root.join("package-lock.json")).and_then(|m| m.modified());
    let workspaces_present = WORKSPACES
        .iter()
        .all(|w| root.join(w).join("node_modules").is_dir());
    match (installed, lock) {
        (Ok(installed), Ok(lock)) => lock > installed || !workspaces_present,
        _ => true,
    }
}
