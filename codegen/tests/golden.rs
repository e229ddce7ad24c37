//! Golden files: the validators the emitters print for a few representative schemas, pinned.
//!
//! Each folder of `tests/golden/` holds schema documents (`TypeName.json`), the instances the
//! conformance tests run their validators on (`instances.json`, see
//! `tests/tests/conformance/golden.rs` at the repository root), and the expected output:
//! `expected.rs`, the Rust validators module as the emitter prints it (before rustfmt), and
//! `expected.ts`, the TypeScript validators module. A change to the plan or an emitter shows here
//! as a diff. When the change is meant, rewrite the expected files and review their diff:
//!
//! ```text
//! DEVICEKEY_BLESS=1 cargo test -p devicekey-codegen --test golden
//! ```

use std::path::{Path, PathBuf};

use devicekey_codegen::{rust_validators_for, ts_validators_for, RustPaths, SchemaDoc};

/// Set (to anything but `0`) to rewrite the expected files instead of comparing with them.
const BLESS: &str = "DEVICEKEY_BLESS";

fn golden_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    entries.sort();
    entries
}

/// The schema documents of one golden folder: every `.json` file but `instances.json`.
fn docs(dir: &Path) -> Vec<SchemaDoc> {
    sorted_entries(dir)
        .into_iter()
        .filter(|path| {
            path.extension().is_some_and(|e| e == "json")
                && path.file_name().is_some_and(|n| n != "instances.json")
        })
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("schema file");
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("a UTF-8 file name")
                .to_owned();
            SchemaDoc {
                file: PathBuf::from(format!("{name}.json")),
                name,
                value: serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display())),
            }
        })
        .collect()
}

fn blessing() -> bool {
    std::env::var_os(BLESS).is_some_and(|v| v != "0")
}

/// Compares `actual` with the file at `path` (or, blessing, writes it there).
fn compare(path: &Path, actual: &str, failures: &mut Vec<String>) {
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    if expected == actual {
        return;
    }
    if blessing() {
        std::fs::write(path, actual)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        println!("rewrote {}", path.display());
        return;
    }
    let diff = similar::TextDiff::from_lines(expected.as_str(), actual)
        .unified_diff()
        .context_radius(3)
        .header("expected", "emitted")
        .to_string();
    failures.push(format!("{} differs:\n{diff}", path.display()));
}

#[test]
fn emitted_validators_match_the_golden_files() {
    let paths = RustPaths {
        validator_runtime: "crate::validator_runtime",
        formats: "crate::formats",
    };
    let mut failures = Vec::new();
    let mut folders = 0;
    for dir in sorted_entries(&golden_root())
        .into_iter()
        .filter(|p| p.is_dir())
    {
        let docs = docs(&dir);
        assert!(!docs.is_empty(), "{} holds no schema", dir.display());
        let rust = rust_validators_for(docs.clone(), paths)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let ts = ts_validators_for(docs)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .into_iter()
            .find(|(name, _)| name == "suite.ts")
            .map(|(_, text)| text)
            .expect("the validators module");
        compare(&dir.join("expected.rs"), &rust, &mut failures);
        compare(&dir.join("expected.ts"), &ts, &mut failures);
        folders += 1;
    }
    assert!(folders >= 4, "only {folders} golden folders");
    assert!(
        failures.is_empty(),
        "{}\n\nIf the change is meant, run `{BLESS}=1 cargo test -p devicekey-codegen --test golden` and review the diff.",
        failures.join("\n")
    );
}

/// Every line of the emitted code outside comments is ASCII: schema text reaches the code only
/// through escaping string literals.
#[test]
fn emitted_code_is_ascii_outside_comments() {
    for dir in sorted_entries(&golden_root())
        .into_iter()
        .filter(|p| p.is_dir())
    {
        for name in ["expected.rs", "expected.ts"] {
            let path = dir.join(name);
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            for (n, line) in text.lines().enumerate() {
                let trimmed = line.trim_start();
                let comment = trimmed.starts_with("//")
                    || trimmed.starts_with("/**")
                    || trimmed.starts_with("* ")
                    || trimmed == "*"
                    || trimmed == "*/";
                assert!(
                    comment || line.is_ascii(),
                    "{}:{}: {line}",
                    path.display(),
                    n + 1
                );
            }
        }
    }
}
