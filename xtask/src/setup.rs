//! `cargo xtask setup`: what the build and the tests need beyond the Rust toolchain and Node.
//!
//! System packages (Debian): `pkg-config` and `libtss2-dev` build the TPM provider (tss-esapi);
//! `swtpm`, `swtpm-tools` and `tpm2-tools` run its tests and benchmark; `openssl` checks
//! signatures independently. Missing ones are installed with apt-get when this runs as root (as
//! CI does), otherwise the command to run is printed. Node packages: `npm ci` in each TypeScript
//! package whose install is missing or older than its lock file.

use std::path::Path;
use std::process::Command;

/// The TypeScript packages, in build order (the verifier imports the generated package).
pub(crate) const PACKAGES: &[&str] = &["generated/ts", "proof/ts"];

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

/// `npm ci` where the install is missing or older than the lock.
pub(crate) fn node_packages(root: &Path) -> Result<(), String> {
    for package in PACKAGES {
        let dir = root.join(package);
        if dir.join("package.json").exists() && needs_install(&dir) {
            crate::command::step(
                &format!("npm ci in {package}"),
                Command::new("npm")
                    .args(["ci", "--no-audit", "--no-fund"])
                    .current_dir(&dir),
            )?;
        }
    }
    Ok(())
}

/// npm keeps a copy of the lock it installed from in `node_modules/.package-lock.json`.
fn needs_install(dir: &Path) -> bool {
    let installed =
        std::fs::metadata(dir.join("node_modules/.package-lock.json")).and_then(|m| m.modified());
    let lock = std::fs::metadata(dir.join("package-lock.json")).and_then(|m| m.modified());
    match (installed, lock) {
        (Ok(installed), Ok(lock)) => lock > installed,
        _ => true,
    }
}
