//! Running the tools the commands are built from: cargo, npm, apt-get.

use std::process::Command;

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
