//! `cargo xtask test-packages`: the npm packages as a user gets them.
//!
//! `tests/ts/packaging/run.mjs` packs `@devicekey/protocol`, `@devicekey/verify` and
//! `@devicekey/client`, checks the tarballs (license, README, manifest, maps), runs publint and
//! @arethetypeswrong/cli on them, installs them into a scratch project outside the repository,
//! type-checks a consumer under strict tsc with nodenext, node10 and bundler resolution (and the
//! declarations with TypeScript 5.0), runs it against the real binary as an ES module, as CommonJS
//! and bundled, and runs the READMEs' examples.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::command::bounded_step;
use crate::prerequisites::{build_packages, devicekey_binary};

/// The longest the whole packaging test may take (it takes about two minutes on two cores).
const LIMIT: Duration = Duration::from_secs(15 * 60);

/// Builds what the test needs, then runs it.
pub(crate) fn run(root: &Path) -> Result<(), String> {
    crate::setup::node_packages(root)?;
    let binary = devicekey_binary(root)?;
    build_packages(root)?;
    run_prepared(root, &binary)
}

/// Runs the test with `binary`, the TypeScript packages already built.
pub(crate) fn run_prepared(root: &Path, binary: &Path) -> Result<(), String> {
    bounded_step(
        "packaging test (tests/ts/packaging/run.mjs)",
        Command::new("node")
            .arg(root.join("tests/ts/packaging/run.mjs"))
            .env("DEVICEKEY_BIN", binary)
            .current_dir(root),
        LIMIT,
    )
    .map_err(|e| format!("{e}; its output above says which check failed"))
}
