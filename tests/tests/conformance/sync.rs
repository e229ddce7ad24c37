//! `cargo xtask write-schema --check` catches every way `generated/` can drift from `schema/`.
//! The tests work on a copy of the repository's `schema/` and `generated/` in a temporary folder.

use std::path::Path;
use std::process::Command;

use devicekey_codegen::sync::{self, Difference};
use devicekey_conformance::repo_root;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let name = entry.file_name();
        if name == "node_modules" || name == "dist" {
            continue;
        }
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &to.join(&name));
        } else {
            std::fs::copy(entry.path(), to.join(&name)).expect("copy");
        }
    }
}

fn copy_of_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for sub in ["schema", "generated"] {
        copy_dir(&repo_root().join(sub), &dir.path().join(sub));
    }
    dir
}

fn differences(root: &Path) -> Vec<Difference> {
    let files = devicekey_codegen::generate(root).expect("schemas generate");
    sync::check(root, &files).expect("check runs")
}

#[test]
fn the_checked_in_generated_files_are_up_to_date() {
    let found = differences(&repo_root());
    assert!(
        found.is_empty(),
        "run `cargo xtask write-schema`:\n{}",
        found
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn generation_is_deterministic() {
    let first = devicekey_codegen::generate(&repo_root()).expect("generate");
    let second = devicekey_codegen::generate(&repo_root()).expect("generate");
    assert_eq!(first, second);
}

#[test]
fn a_changed_schema_constraint_is_caught_and_named() {
    let repo = copy_of_repo();
    // The first schema file with a `maxLength`: its limit becomes one no schema uses.
    let mut files: Vec<_> = std::fs::read_dir(repo.path().join("schema"))
        .expect("schema folder")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    let (path, text, at) = files
        .into_iter()
        .find_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            let at = text.find("\"maxLength\": ")?;
            Some((path, text, at))
        })
        .expect("a schema with a maxLength");
    let start = at + "\"maxLength\": ".len();
    let end = start
        + text[start..]
            .find(|c: char| !c.is_ascii_digit())
            .expect("a number");
    assert!(!text.contains("98765"));
    std::fs::write(&path, format!("{}98765{}", &text[..start], &text[end..])).expect("edit");
    let found = differences(repo.path());
    let changed: Vec<String> = found
        .iter()
        .filter_map(|d| match d {
            Difference::Changed { path, diff } => Some(format!("{}\n{diff}", path.display())),
            _ => None,
        })
        .collect();
    assert!(
        changed
            .iter()
            .any(|c| c.starts_with("generated/rust/src/validators.rs") && c.contains("98765")),
        "{changed:?}"
    );
    assert!(
        changed
            .iter()
            .any(|c| c.starts_with("generated/ts/src/validators.ts") && c.contains("98765")),
        "{changed:?}"
    );
}

#[test]
fn missing_and_extra_generated_files_are_caught() {
    let repo = copy_of_repo();
    std::fs::remove_file(repo.path().join("generated/rust/src/formats.rs")).expect("remove");
    std::fs::write(
        repo.path().join("generated/ts/src/stray.ts"),
        "export {};\n",
    )
    .expect("add");
    let found = differences(repo.path());
    assert!(
        found.contains(&Difference::Missing {
            path: "generated/rust/src/formats.rs".into()
        }),
        "{found:?}"
    );
    assert!(
        found.contains(&Difference::Extra {
            path: "generated/ts/src/stray.ts".into()
        }),
        "{found:?}"
    );
    let written = sync::write(
        repo.path(),
        &devicekey_codegen::generate(repo.path()).expect("generate"),
    )
    .expect("write");
    assert_eq!(
        written.written,
        vec![std::path::PathBuf::from("generated/rust/src/formats.rs")]
    );
    assert_eq!(
        written.removed,
        vec![std::path::PathBuf::from("generated/ts/src/stray.ts")]
    );
    assert!(differences(repo.path()).is_empty());
}

fn xtask(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--package", "xtask", "--"])
        .args(args)
        .current_dir(repo_root())
        .output()
        .expect("run the xtask")
}

#[test]
fn the_xtask_check_fails_naming_the_file_and_the_command() {
    let output = xtask(&["write-schema", "--check"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let repo = copy_of_repo();
    let path = repo.path().join("schema/DeviceKeyPublicParams.json");
    let text = std::fs::read_to_string(&path).expect("schema");
    std::fs::write(
        &path,
        text.replacen(
            "\"additionalProperties\": false",
            "\"additionalProperties\": true",
            1,
        ),
    )
    .expect("edit");
    let root = repo.path().to_str().expect("utf-8 path");
    let output = xtask(&["--root", root, "write-schema", "--check"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("generated/rust/src/validators.rs is out of date"),
        "{stderr}"
    );
    assert!(
        stderr.contains("--- a/generated/rust/src/validators.rs"),
        "{stderr}"
    );
    assert!(
        stderr.contains("run `cargo xtask write-schema` and commit the result"),
        "{stderr}"
    );

    let output = xtask(&["--root", root, "write-schema"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(xtask(&["--root", root, "write-schema", "--check"])
        .status
        .success());

    let usage = xtask(&["write-schema", "--bogus"]);
    assert_eq!(usage.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&usage.stderr).contains("usage: cargo xtask"));
}
