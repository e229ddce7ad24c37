//! Passes generated Rust through rustfmt with the repository's `rustfmt.toml`, so generated code
//! reads like the hand-written code beside it and `write-schema --check` compares formatted text.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::error::{Error, Result};

/// The program run to format Rust: `$RUSTFMT` when set (as cargo sets it), else `rustfmt`.
fn program() -> String {
    std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".to_owned())
}

/// Formats `source` (the file `shown`, for error messages) with the settings of `config`, a
/// `rustfmt.toml`; rustfmt's defaults when `config` does not exist.
pub(crate) fn format(source: &str, shown: &Path, config: &Path) -> Result<String> {
    let mut command = Command::new(program());
    command.args(["--edition", "2021", "--emit", "stdout", "--quiet"]);
    if config.is_file() {
        command.arg("--config-path").arg(config);
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            Error::file(
                shown,
                format!("cannot run rustfmt ({e}); install it with `rustup component add rustfmt`"),
            )
        })?;
    // A writer thread, so that a large file cannot deadlock on full pipes.
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = source.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|e| Error::file(shown, format!("rustfmt did not finish: {e}")))?;
    let written = writer.join().unwrap_or(Ok(()));
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(Error::file(
            shown,
            format!("rustfmt refused the generated code: {}", stderr.trim()),
        ));
    }
    written.map_err(|e| Error::file(shown, format!("cannot hand the code to rustfmt: {e}")))?;
    String::from_utf8(output.stdout)
        .map_err(|_| Error::file(shown, "rustfmt printed text that is not UTF-8"))
}
