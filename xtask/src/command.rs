//! Running the tools the commands are built from: cargo, npm, node, apt-get.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The cargo that runs this xtask (`$CARGO`), else `cargo` from the path.
pub(crate) fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Runs `command` under a `==> name` heading; an error when it cannot start or fails.
pub(crate) fn step(name: &str, command: &mut Command) -> Result<(), String> {
    println!("==> {name}");
    let status = command
        .status()
        .map_err(|e| format!("{name}: cannot start: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{name} failed ({status})"))
    }
}

/// Runs `command` under a `==> name` heading like [`step`], but gives up after `limit` and kills
/// it. A backstop: the test harnesses it runs bound each of their own commands, and stop them.
pub(crate) fn bounded_step(
    name: &str,
    command: &mut Command,
    limit: Duration,
) -> Result<(), String> {
    println!("==> {name}");
    let mut child = command
        .spawn()
        .map_err(|e| format!("{name}: cannot start: {e}"))?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => return Err(format!("{name} failed ({status})")),
            Ok(None) if started.elapsed() < limit => std::thread::sleep(Duration::from_millis(100)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{name} did not finish within {} s and was stopped",
                    limit.as_secs()
                ));
            }
            Err(error) => return Err(format!("{name}: cannot wait for it: {error}")),
        }
    }
}

/// Cargo's target folder: `$CARGO_TARGET_DIR` (or `$CARGO_BUILD_TARGET_DIR`), else `target/` of
/// the repository.
pub(crate) fn target_dir(root: &Path) -> PathBuf {
    ["CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR"]
        .iter()
        .find_map(|name| std::env::var_os(name).filter(|v| !v.is_empty()))
        .map(PathBuf::from)
        .map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                root.join(dir)
            }
        })
        .unwrap_or_else(|| root.join("target"))
}
