//! The official JSON-Schema-Test-Suite (draft 7) through the generated validators.
//!
//! `build.rs` runs every group's schema through the profile check; the groups that pass are
//! generated into Rust (included here) and TypeScript (compiled and run under node). Both must give
//! the suite's verdict, and the same violations in the same order. Groups whose schema uses a
//! keyword outside the profile are skipped with the profile check's reason.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use devicekey_conformance::{repo_root, run_node};
use devicekey_protocol::Violation;
use serde_json::{json, Value};

#[allow(dead_code, unused_imports, unreachable_pub, clippy::all)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/suite.rs"));
}

fn manifest() -> Value {
    serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/suite.json")))
        .expect("suite manifest")
}

#[derive(Default)]
struct FileCounts {
    passed: usize,
    failed: usize,
    skipped: usize,
    reasons: BTreeMap<String, usize>,
}

/// Compiles the TypeScript suite validators with the generated package's tsc and returns the
/// compiled module.
fn compiled_ts_suite() -> std::path::PathBuf {
    let out = Path::new(env!("OUT_DIR"));
    let tsc = repo_root().join("generated/ts/node_modules/typescript/bin/tsc");
    assert!(
        tsc.exists(),
        "{} is missing: run `npm ci` in generated/ts (bash .ci/run does)",
        tsc.display()
    );
    let js_dir = out.join("suite_js");
    // `--module nodenext` emits ES modules only for sources inside a `"type": "module"` package.
    std::fs::write(
        out.join("suite_ts/package.json"),
        "{\"type\": \"module\"}\n",
    )
    .expect("package.json");
    std::fs::create_dir_all(&js_dir).expect("suite_js");
    let mut command = Command::new("node");
    command.arg(&tsc).args([
        "--strict",
        "--noUncheckedIndexedAccess",
        "--target",
        "es2022",
        "--module",
        "nodenext",
        "--moduleResolution",
        "nodenext",
        "--skipLibCheck",
        "--outDir",
    ]);
    command.arg(&js_dir);
    for name in ["validator-runtime.ts", "formats.ts", "suite.ts"] {
        command.arg(out.join("suite_ts").join(name));
    }
    let output = command.output().expect("run tsc");
    assert!(
        output.status.success(),
        "tsc failed on the suite validators:\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
    std::fs::write(js_dir.join("package.json"), "{\"type\": \"module\"}\n").expect("package.json");
    js_dir.join("suite.js")
}

#[test]
fn json_schema_test_suite_draft7() {
    let manifest = manifest();
    assert_eq!(
        manifest["found"],
        json!(true),
        "the test suite is not at {}",
        manifest["dir"]
    );
    let groups = manifest["groups"].as_array().expect("groups");

    let mut cases = Vec::new();
    for group in groups {
        if let Some(name) = group["name"].as_str() {
            for test in group["tests"].as_array().expect("tests") {
                cases.push(json!({"type": name, "instance": test["data"]}));
            }
        }
    }
    let module = compiled_ts_suite();
    let script = repo_root().join("tests/ts/validate.mjs");
    let ts_results = run_node(
        &script,
        &[module.to_str().expect("utf-8 path")],
        &Value::Array(cases),
    );
    let mut ts_results = ts_results.as_array().expect("results").iter();

    let mut files: BTreeMap<String, FileCounts> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut compared = 0;
    for group in groups {
        let file = group["file"].as_str().expect("file").to_owned();
        let counts = files.entry(file.clone()).or_default();
        let tests = group["tests"].as_array().expect("tests");
        let Some(name) = group["name"].as_str() else {
            counts.skipped += tests.len();
            let reason = group["skip"]
                .as_str()
                .unwrap_or("skipped")
                .split(" (")
                .next()
                .unwrap_or_default()
                .to_owned();
            *counts.reasons.entry(reason).or_default() += tests.len();
            continue;
        };
        for test in tests {
            let expected = test["valid"].as_bool().expect("valid");
            let rust =
                generated::validate_by_name(name, &test["data"]).expect("generated validator");
            let fast =
                generated::is_valid_by_name(name, &test["data"]).expect("generated validator");
            let ts = ts_results.next().expect("a TypeScript result per case");
            let ts_violations: Vec<Violation> = serde_json::from_value(ts.clone())
                .unwrap_or_else(|e| panic!("TypeScript result {ts} is not a violation list: {e}"));
            let ts_valid = ts_violations.is_empty();
            let label = format!(
                "{file} / {} / {}",
                group["group"].as_str().unwrap_or_default(),
                test["description"].as_str().unwrap_or_default()
            );
            let mut ok = true;
            if rust.is_ok() != expected || fast != expected {
                failures.push(format!(
                    "{label}: Rust says {rust:?} (fast path {fast}), expected valid={expected}"
                ));
                ok = false;
            }
            if ts_valid != expected {
                failures.push(format!(
                    "{label}: TypeScript says {ts}, expected valid={expected}"
                ));
                ok = false;
            }
            // The same violations in the same order: both languages print one check plan.
            let rust_violations = rust.as_ref().err().cloned().unwrap_or_default();
            if rust_violations != ts_violations {
                failures.push(format!(
                    "{label}: Rust and TypeScript report different violations (or in a different order):\n  rust {rust_violations:?}\n  ts   {ts_violations:?}"
                ));
                ok = false;
            }
            compared += 1;
            if ok {
                counts.passed += 1;
            } else {
                counts.failed += 1;
            }
        }
    }
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for (file, counts) in &files {
        let reasons: Vec<String> = counts
            .reasons
            .iter()
            .map(|(reason, n)| format!("{n} because {reason}"))
            .collect();
        println!(
            "suite {file}: passed={} failed={} skipped={}{}{}",
            counts.passed,
            counts.failed,
            counts.skipped,
            if reasons.is_empty() { "" } else { ": " },
            reasons.join("; ")
        );
        passed += counts.passed;
        failed += counts.failed;
        skipped += counts.skipped;
    }
    println!("JSON-Schema-Test-Suite draft7 totals (Rust and TypeScript each): passed={passed} failed={failed} skipped={skipped}; violation lists compared in order: {compared}");
    assert!(passed > 0, "no suite test ran");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
