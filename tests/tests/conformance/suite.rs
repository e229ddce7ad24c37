//! The official JSON-Schema-Test-Suite (draft 7) through the generated validators.
//!
//! `build.rs` runs every group's schema through the profile check; the groups that pass are
//! generated into Rust (included here) and TypeScript (compiled and run under node). Both must give
//! the suite's verdict, and the same violations in the same order. Groups whose schema uses a
//! keyword outside the profile are skipped with the profile check's reason.

use std::collections::BTreeMap;
use std::path::Path;

use devicekey_conformance::{compile_ts_validators, repo_root, run_node};
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
    compile_ts_validators(&out.join("suite_ts"), &out.join("suite_js"))
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

    let ts_results = ts_results(groups, &compiled_ts_suite());
    let mut ts_results = ts_results.iter();

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

/// Compiles the TypeScript validators of the optional tests as `compiled_ts_suite` does the
/// required ones (strict; without `--noUnusedLocals`, as there: a `patternProperties` member
/// schema of `true` leaves an unused local) and returns the compiled module.
fn compiled_ts_optional_suite() -> std::path::PathBuf {
    let out = Path::new(env!("OUT_DIR"));
    compile_ts_validators(
        &out.join("suite_optional_ts"),
        &out.join("suite_optional_js"),
    )
}

#[allow(dead_code, unused_imports, unreachable_pub, clippy::all)]
mod generated_optional {
    include!(concat!(env!("OUT_DIR"), "/suite_optional.rs"));
}

/// What happened to one optional case, as `tests/suite-optional-not-passed.json` records it.
fn optional_outcome(rust_ok: bool, ts_ok: bool, same_violations: bool) -> Option<&'static str> {
    match (rust_ok, ts_ok, same_violations) {
        (true, true, true) => None,
        (false, false, _) => Some("fails in Rust and TypeScript"),
        (false, true, _) => Some("fails in Rust"),
        (true, false, _) => Some("fails in TypeScript"),
        (true, true, false) => Some("Rust and TypeScript report different violations"),
    }
}

/// The suite's optional tests (`optional/*.json`, `optional/format/*.json`), run like the required
/// ones in both languages. Every case that does not pass is listed, with its outcome and reason,
/// in `tests/suite-optional-not-passed.json`: an unlisted case that does not pass fails this
/// test, and so does a listed case whose outcome changed (a stale entry).
#[test]
fn json_schema_test_suite_draft7_optional() {
    let manifest: Value = serde_json::from_str(include_str!(concat!(
        env!("OUT_DIR"),
        "/suite_optional.json"
    )))
    .expect("optional manifest");
    assert_eq!(
        manifest["found"],
        json!(true),
        "the optional tests are not at {}",
        manifest["dir"]
    );
    let groups = manifest["groups"].as_array().expect("groups");
    let listed_path = repo_root().join("tests/suite-optional-not-passed.json");
    let listed: Value = serde_json::from_str(
        &std::fs::read_to_string(&listed_path).expect("tests/suite-optional-not-passed.json"),
    )
    .expect("the not-passed list is JSON");
    let mut expected_outcomes: BTreeMap<(String, String, String), String> = BTreeMap::new();
    for entry in listed["cases"].as_array().expect("cases") {
        let field = |name: &str| {
            entry[name]
                .as_str()
                .unwrap_or_else(|| panic!("entry {entry} has no `{name}`"))
                .to_owned()
        };
        assert!(!field("reason").is_empty(), "entry {entry} gives no reason");
        let key = (field("file"), field("group"), field("test"));
        assert!(
            expected_outcomes.insert(key, field("outcome")).is_none(),
            "entry {entry} is listed twice"
        );
    }

    let ts_results = ts_results(groups, &compiled_ts_optional_suite());
    let mut ts_results = ts_results.iter();

    let mut files: BTreeMap<String, FileCounts> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut seen = Vec::new();
    let mut unlisted = Vec::new();
    for group in groups {
        let file = group["file"].as_str().expect("file").to_owned();
        let group_name = group["group"].as_str().unwrap_or_default().to_owned();
        let counts = files.entry(file.clone()).or_default();
        for test in group["tests"].as_array().expect("tests") {
            let description = test["description"].as_str().unwrap_or_default().to_owned();
            let key = (file.clone(), group_name.clone(), description.clone());
            let outcome = match group["name"].as_str() {
                None => {
                    counts.skipped += 1;
                    Some("skipped".to_owned())
                }
                Some(name) => {
                    let expected = test["valid"].as_bool().expect("valid");
                    let rust = generated_optional::validate_by_name(name, &test["data"])
                        .expect("generated validator");
                    let fast = generated_optional::is_valid_by_name(name, &test["data"])
                        .expect("generated validator");
                    let ts = ts_results.next().expect("a TypeScript result per case");
                    let ts_violations: Vec<Violation> = serde_json::from_value(ts.clone())
                        .unwrap_or_else(|e| {
                            panic!("TypeScript result {ts} is not a violation list: {e}")
                        });
                    let rust_violations = rust.as_ref().err().cloned().unwrap_or_default();
                    let outcome = optional_outcome(
                        rust.is_ok() == expected && fast == expected,
                        ts_violations.is_empty() == expected,
                        rust_violations == ts_violations,
                    );
                    if outcome.is_some() {
                        counts.failed += 1;
                    } else {
                        counts.passed += 1;
                    }
                    outcome.map(str::to_owned)
                }
            };
            let listed_outcome = expected_outcomes.get(&key);
            match (&outcome, listed_outcome) {
                (None, None) => {}
                (Some(o), Some(l)) if o == l => {}
                (None, Some(l)) => problems.push(format!(
                    "{file} / {group_name} / {description}: listed as `{l}` but passes now: remove its entry"
                )),
                (Some(o), Some(l)) => problems.push(format!(
                    "{file} / {group_name} / {description}: listed as `{l}` but now {o}"
                )),
                (Some(o), None) => {
                    problems.push(format!("{file} / {group_name} / {description}: {o}, and is not listed"));
                    unlisted.push(json!({
                        "file": file, "group": group_name, "test": description, "outcome": o,
                        "skip": group["skip"],
                    }));
                }
            }
            seen.push(key);
        }
    }
    for key in expected_outcomes.keys() {
        if !seen.contains(key) {
            problems.push(format!(
                "{} / {} / {}: listed, but the suite has no such case",
                key.0, key.1, key.2
            ));
        }
    }
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for (file, counts) in &files {
        println!(
            "suite {file}: passed={} not-passed={} skipped={}",
            counts.passed, counts.failed, counts.skipped
        );
        passed += counts.passed;
        failed += counts.failed;
        skipped += counts.skipped;
    }
    println!("JSON-Schema-Test-Suite draft7 optional totals: passed={passed} not-passed={failed} skipped={skipped}; every case not passed is listed in tests/suite-optional-not-passed.json");
    if !unlisted.is_empty() {
        println!(
            "unlisted cases:\n{}",
            serde_json::to_string_pretty(&unlisted).expect("JSON")
        );
    }
    assert!(passed > 0, "no optional suite test ran");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The TypeScript suite module `module`'s results for every test of `groups` (those of groups the
/// generator took, in order), through `tests/ts/validate.mjs`.
fn ts_results(groups: &[Value], module: &Path) -> Vec<Value> {
    let mut cases = Vec::new();
    for group in groups {
        if let Some(name) = group["name"].as_str() {
            for test in group["tests"].as_array().expect("tests") {
                cases.push(json!({"type": name, "instance": test["data"]}));
            }
        }
    }
    let script = repo_root().join("tests/ts/validate.mjs");
    let results = run_node(
        &script,
        &[module.to_str().expect("utf-8 path")],
        &Value::Array(cases),
    );
    results.as_array().expect("results").clone()
}
