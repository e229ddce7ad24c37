//! `cargo xtask test-browser`: the verifier and the validators in a real browser.
//!
//! `tests/ts/browser/run.mjs` gets a fresh proof from the binary, bundles the verifier and the
//! generated validators for the browser with esbuild, serves them from 127.0.0.1, and drives
//! headless Chromium (Debian's `chromium`, which `cargo xtask setup` installs; `$CHROMIUM` names
//! another) over the DevTools protocol: the proof must verify, a tampered copy must be refused,
//! and the page's violations for bad `DeviceKeySignParams` must be the server's. The screenshot is
//! saved under `target/test-artifacts/browser/`.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::command::bounded_step;
use crate::prerequisites::{artifacts_dir, build_packages, devicekey_binary};

/// The longest the browser test may take (it takes about ten seconds).
const LIMIT: Duration = Duration::from_secs(5 * 60);

/// Builds what the test needs, then runs it.
pub(crate) fn run(root: &Path) -> Result<(), String> {
    crate::setup::node_packages(root)?;
    let binary = devicekey_binary(root)?;
    build_packages(root)?;
    run_prepared(root, &binary)
}

/// Runs the test with `binary`, the TypeScript packages already built.
pub(crate) fn run_prepared(root: &Path, binary: &Path) -> Result<(), String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".to_owned());
    let found = Command::new(&chromium)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        return Err(format!(
            "`{chromium} --version` does not run: install Debian's chromium with `cargo xtask setup` (or `apt-get install chromium`), or set CHROMIUM to a Chromium or Chrome binary"
        ));
    }
    bounded_step(
        "browser test in headless Chromium (tests/ts/browser/run.mjs)",
        Command::new("node")
            .arg(root.join("tests/ts/browser/run.mjs"))
            .env("DEVICEKEY_BIN", binary)
            .env("CHROMIUM", &chromium)
            .env("DEVICEKEY_ARTIFACTS", artifacts_dir(root))
            .current_dir(root),
        LIMIT,
    )
    .map_err(|e| format!("{e}; its output above says which check failed"))
}
