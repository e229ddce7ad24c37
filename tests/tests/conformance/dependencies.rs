//! The crates depend on one another down the pipeline only:
//! `devicekey-codegen` < `devicekey-protocol` < `devicekey-proof` < `devicekey-runtime` <
//! `devicekey-server` < `devicekey`. A pipeline crate's dependencies (normal, build and dev) name
//! only crates before it; `devicekey-testkit` is allowed as a dev-dependency only; nothing depends
//! on `devicekey-conformance` or `xtask`. And the verifier stays small: `devicekey-proof` (with
//! the workspace crates it depends on) has no async runtime, SQLite, CLI parser or TPM library.
//!
//! The manifests are read line by line (sections, keys, `package = "…"` renames), which is all
//! that the workspace's `Cargo.toml` files use.

use std::collections::BTreeMap;

use devicekey_conformance::repo_root;

/// The pipeline, in order: a crate may depend only on crates before it.
const PIPELINE: [&str; 6] = [
    "devicekey-codegen",
    "devicekey-protocol",
    "devicekey-proof",
    "devicekey-runtime",
    "devicekey-server",
    "devicekey",
];
const TESTKIT: &str = "devicekey-testkit";
/// Crates that nothing may depend on.
const LEAVES: [&str; 2] = ["devicekey-conformance", "xtask"];

/// What `devicekey-proof` must not depend on, with the reason.
const NOT_IN_PROOF: [(&str, &str); 4] = [
    ("tokio", "an async runtime"),
    ("rusqlite", "SQLite"),
    ("clap", "a CLI parser"),
    ("tss-esapi", "a TPM library"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Normal,
    Build,
    Dev,
}

#[derive(Debug)]
struct Dependency {
    /// The key it is listed under.
    key: String,
    /// The package's name (after `package = "…"`, in the manifest or the workspace's table).
    package: String,
    kind: Kind,
    /// Where it is written: `runtime/Cargo.toml:19 [dependencies]`.
    at: String,
}

#[derive(Debug, Default)]
struct Manifest {
    package: String,
    dependencies: Vec<Dependency>,
}

/// What a section header is about.
enum Section {
    Package,
    /// `[dependencies]`, `[target.'cfg(…)'.dev-dependencies]`, `[workspace.dependencies]`, …
    Dependencies(Kind),
    /// `[dependencies.name]`: the table of one dependency.
    Dependency(Kind, String),
    Other,
}

fn section(header: &str) -> Section {
    match header {
        "package" => return Section::Package,
        "workspace.dependencies" => return Section::Dependencies(Kind::Normal),
        _ => {}
    }
    let header = match header.strip_prefix("target.") {
        // `target.'cfg(unix)'.dependencies`: the target may be quoted and contain dots.
        Some(rest) => match rest.chars().next() {
            Some(quote @ ('\'' | '"')) => rest[1..]
                .split_once(quote)
                .map_or("", |(_, after)| after.trim_start_matches('.')),
            _ => rest.split_once('.').map_or("", |(_, after)| after),
        },
        None => header,
    };
    let (table, name) = match header.split_once('.') {
        Some((table, name)) => (table, Some(name.trim_matches('"'))),
        None => (header, None),
    };
    let kind = match table {
        "dependencies" => Kind::Normal,
        "build-dependencies" => Kind::Build,
        "dev-dependencies" => Kind::Dev,
        _ => return Section::Other,
    };
    match name {
        Some(name) => Section::Dependency(kind, name.to_owned()),
        None => Section::Dependencies(kind),
    }
}

/// The value of `key = "value"` inside an inline table or a line: `package = "x"` → `x`.
fn string_field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let mut rest = text;
    while let Some(at) = rest.find(key) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + key.len()..].trim_start();
        rest = &rest[at + key.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_') {
            continue;
        }
        if let Some(value) = after.strip_prefix('=') {
            let value = value.trim_start().strip_prefix('"')?;
            return value.split_once('"').map(|(v, _)| v);
        }
    }
    None
}

/// Reads a manifest; `file` names it in the locations. `renames` maps the workspace's dependency
/// keys to their packages (`foo = { workspace = true }` is the workspace's `foo`).
fn parse_manifest(file: &str, text: &str, renames: &BTreeMap<String, String>) -> Manifest {
    let mut manifest = Manifest::default();
    let mut current = Section::Other;
    let mut header = String::new();
    // Open `[` of a multi-line array value, whose lines are not keys.
    let mut open_brackets = 0usize;
    for (index, raw) in text.lines().enumerate() {
        let line = raw.split(" #").next().unwrap_or("").trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if open_brackets > 0 {
            open_brackets = (open_brackets + line.matches('[').count())
                .saturating_sub(line.matches(']').count());
            continue;
        }
        if line.starts_with('[') {
            header = line
                .trim_matches(|c| c == '[' || c == ']')
                .trim()
                .to_owned();
            current = section(&header);
            if let Section::Dependency(kind, name) = &current {
                manifest.dependencies.push(Dependency {
                    key: name.clone(),
                    package: renames.get(name).cloned().unwrap_or_else(|| name.clone()),
                    kind: *kind,
                    at: format!("{file}:{} [{header}]", index + 1),
                });
            }
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim().trim_matches('"');
        let value = value.trim();
        if value.starts_with('[') {
            open_brackets = value
                .matches('[')
                .count()
                .saturating_sub(value.matches(']').count());
        }
        match &current {
            Section::Package if key == "name" => {
                manifest.package = value.trim_matches('"').to_owned();
            }
            Section::Dependencies(kind) => {
                // `foo.workspace = true` is a dotted key for `foo`.
                let name = key.split('.').next().unwrap_or(key).trim_matches('"');
                let package = string_field(value, "package")
                    .map(str::to_owned)
                    .or_else(|| renames.get(name).cloned())
                    .unwrap_or_else(|| name.to_owned());
                manifest.dependencies.push(Dependency {
                    key: name.to_owned(),
                    package,
                    kind: *kind,
                    at: format!("{file}:{} [{header}]", index + 1),
                });
            }
            Section::Dependency(_, _) if key == "package" => {
                let last = manifest
                    .dependencies
                    .last_mut()
                    .expect("the table's dependency");
                last.package = value.trim_matches('"').to_owned();
            }
            _ => {}
        }
    }
    manifest
}

/// The members of the root manifest's `members = [...]`.
fn workspace_members(text: &str) -> Vec<String> {
    let start = text.find("members").expect("workspace members");
    let list = &text[start..];
    let list = &list[list.find('[').expect("[") + 1..list.find(']').expect("]")];
    list.lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .flat_map(|l| l.split(','))
        .map(|m| m.trim().trim_matches('"'))
        .filter(|m| !m.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The workspace's manifests, by package name.
fn workspace_manifests() -> BTreeMap<String, Manifest> {
    let root = repo_root();
    let text = std::fs::read_to_string(root.join("Cargo.toml")).expect("root manifest");
    let workspace = parse_manifest("Cargo.toml", &text, &BTreeMap::new());
    let renames: BTreeMap<String, String> = workspace
        .dependencies
        .iter()
        .map(|d| (d.key.clone(), d.package.clone()))
        .collect();
    assert_eq!(
        renames.get("devicekey-runtime").map(String::as_str),
        Some("devicekey-runtime")
    );
    let mut manifests = BTreeMap::new();
    for member in workspace_members(&text) {
        let file = format!("{member}/Cargo.toml");
        let text = std::fs::read_to_string(root.join(&file)).expect("member manifest");
        let manifest = parse_manifest(&file, &text, &renames);
        assert!(!manifest.package.is_empty(), "{file}: no package name");
        manifests.insert(manifest.package.clone(), manifest);
    }
    manifests
}

/// Every dependency between workspace crates that breaks the rules, described.
fn violations(manifests: &BTreeMap<String, Manifest>) -> Vec<String> {
    let order = "devicekey-codegen < devicekey-protocol < devicekey-proof < devicekey-runtime < \
                 devicekey-server < devicekey";
    let mut found = Vec::new();
    for manifest in manifests.values() {
        let crate_name = manifest.package.as_str();
        let known =
            PIPELINE.contains(&crate_name) || crate_name == TESTKIT || LEAVES.contains(&crate_name);
        if !known {
            found.push(format!(
                "{crate_name} is a workspace crate that this test does not place; add it to the \
                 pipeline or to the other crates"
            ));
        }
        let position = PIPELINE.iter().position(|c| *c == crate_name);
        for dependency in &manifest.dependencies {
            let name = dependency.package.as_str();
            if !manifests.contains_key(name) {
                continue; // Not a workspace crate.
            }
            let at = &dependency.at;
            if LEAVES.contains(&name) {
                found.push(format!(
                    "{crate_name} depends on {name} ({at}): nothing may"
                ));
                continue;
            }
            let Some(position) = position else {
                continue; // The test fixtures and the tools may use any pipeline crate.
            };
            if name == TESTKIT {
                if dependency.kind != Kind::Dev {
                    found.push(format!(
                        "{crate_name} depends on {name} ({at}): the test fixtures are a \
                         dev-dependency only"
                    ));
                }
                continue;
            }
            match PIPELINE.iter().position(|c| *c == name) {
                Some(target) if target < position => {}
                _ => found.push(format!(
                    "{crate_name} depends on {name} ({at}), which is not before it in the \
                     pipeline {order}: dependencies point down only"
                )),
            }
        }
    }
    found
}

/// What `devicekey-proof` and the workspace crates it depends on (normal dependencies) must not
/// use, described.
fn heavy_proof_dependencies(manifests: &BTreeMap<String, Manifest>) -> Vec<String> {
    let mut found = Vec::new();
    let mut queue = vec![(PIPELINE[2].to_owned(), PIPELINE[2].to_owned())];
    let mut seen = Vec::new();
    while let Some((name, via)) = queue.pop() {
        if seen.contains(&name) {
            continue;
        }
        seen.push(name.clone());
        let manifest = &manifests[&name];
        for dependency in manifest
            .dependencies
            .iter()
            .filter(|d| d.kind == Kind::Normal)
        {
            let package = &dependency.package;
            if let Some((_, what)) = NOT_IN_PROOF.iter().find(|(n, _)| n == package) {
                found.push(format!(
                    "{via} depends on {package}, {what} ({}): the verifier crate stays without",
                    dependency.at
                ));
            }
            if manifests.contains_key(package) {
                queue.push((package.clone(), format!("{via} → {package}")));
            }
        }
    }
    found
}

#[test]
fn crate_dependencies_point_down_the_pipeline() {
    let manifests = workspace_manifests();
    let names: Vec<&str> = manifests.keys().map(String::as_str).collect();
    let mut expected: Vec<&str> = PIPELINE
        .iter()
        .chain([&TESTKIT])
        .chain(&LEAVES)
        .copied()
        .collect();
    expected.sort_unstable();
    assert_eq!(names, expected, "the workspace's crates");
    // The read sees the dependencies, so an empty list cannot pass by accident.
    let server = &manifests["devicekey-server"].dependencies;
    let runtime = server.iter().find(|d| d.package == "devicekey-runtime");
    assert!(
        runtime.is_some_and(|d| d.kind == Kind::Normal),
        "{server:#?}"
    );
    let testkit = server.iter().find(|d| d.package == TESTKIT);
    assert!(testkit.is_some_and(|d| d.kind == Kind::Dev), "{server:#?}");

    let found = violations(&manifests);
    assert!(
        found.is_empty(),
        "crate dependencies that do not point down:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_proof_crate_has_no_async_runtime_sqlite_cli_or_tpm() {
    let manifests = workspace_manifests();
    let proof = &manifests["devicekey-proof"].dependencies;
    assert!(proof.iter().any(|d| d.package == "p256"), "{proof:#?}");
    let found = heavy_proof_dependencies(&manifests);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// Manifests from `(file, text)` pairs, by package name.
fn manifests_of(files: &[(&str, &str)]) -> BTreeMap<String, Manifest> {
    files
        .iter()
        .map(|(file, text)| parse_manifest(file, text, &BTreeMap::new()))
        .map(|m| (m.package.clone(), m))
        .collect()
}

#[test]
fn the_manifest_reader_sees_every_kind_of_section() {
    let renames = BTreeMap::from([("proof".to_owned(), "devicekey-proof".to_owned())]);
    let text = r#"
[package]
name = "devicekey-runtime"
version = "0.1.0"

[dependencies]
proof = { workspace = true }
tokio.workspace = true
renamed = { package = "devicekey-protocol", path = "../generated/rust" }
p256 = { workspace = true, features = [
    "ecdsa",
    "std",
] }

[target.'cfg(target_os = "linux")'.dependencies]
tss-esapi = { version = "7.7", optional = true }

[dev-dependencies.devicekey-server]
path = "../server"

[build-dependencies]
devicekey-codegen = { workspace = true }

[[bench]]
name = "tpm"
"#;
    let manifest = parse_manifest("runtime/Cargo.toml", text, &renames);
    assert_eq!(manifest.package, "devicekey-runtime");
    let read: Vec<(&str, Kind, &str)> = manifest
        .dependencies
        .iter()
        .map(|d| (d.package.as_str(), d.kind, d.at.as_str()))
        .collect();
    assert_eq!(
        read,
        [
            (
                "devicekey-proof",
                Kind::Normal,
                "runtime/Cargo.toml:7 [dependencies]"
            ),
            ("tokio", Kind::Normal, "runtime/Cargo.toml:8 [dependencies]"),
            (
                "devicekey-protocol",
                Kind::Normal,
                "runtime/Cargo.toml:9 [dependencies]"
            ),
            ("p256", Kind::Normal, "runtime/Cargo.toml:10 [dependencies]"),
            (
                "tss-esapi",
                Kind::Normal,
                "runtime/Cargo.toml:16 [target.'cfg(target_os = \"linux\")'.dependencies]"
            ),
            (
                "devicekey-server",
                Kind::Dev,
                "runtime/Cargo.toml:18 [dev-dependencies.devicekey-server]"
            ),
            (
                "devicekey-codegen",
                Kind::Build,
                "runtime/Cargo.toml:22 [build-dependencies]"
            ),
        ]
    );
    assert_eq!(
        workspace_members("members = [\n  \"a\", # one\n  \"b/c\",\n]"),
        ["a", "b/c"]
    );
}

#[test]
fn upward_and_heavy_dependencies_are_reported() {
    let manifests = manifests_of(&[
        (
            "proof/Cargo.toml",
            "[package]\nname = \"devicekey-proof\"\n[dependencies]\ndevicekey-protocol = \
             { path = \"../generated/rust\" }\ndevicekey-runtime = { path = \"../runtime\" }\n\
             [dev-dependencies]\ndevicekey-testkit = { path = \"../testkit\" }\n",
        ),
        (
            "generated/rust/Cargo.toml",
            "[package]\nname = \"devicekey-protocol\"\n[dependencies]\ntokio = \"1\"\n",
        ),
        (
            "runtime/Cargo.toml",
            "[package]\nname = \"devicekey-runtime\"\n[dependencies]\n\
             devicekey-testkit = { path = \"../testkit\" }\n",
        ),
        (
            "testkit/Cargo.toml",
            "[package]\nname = \"devicekey-testkit\"\n",
        ),
    ]);
    assert_eq!(
        violations(&manifests),
        [
            "devicekey-proof depends on devicekey-runtime (proof/Cargo.toml:5 [dependencies]), \
             which is not before it in the pipeline devicekey-codegen < devicekey-protocol < \
             devicekey-proof < devicekey-runtime < devicekey-server < devicekey: dependencies \
             point down only",
            "devicekey-runtime depends on devicekey-testkit (runtime/Cargo.toml:4 \
             [dependencies]): the test fixtures are a dev-dependency only",
        ]
    );
    let heavy = heavy_proof_dependencies(&manifests);
    assert_eq!(
        heavy,
        [
            "devicekey-proof → devicekey-protocol depends on tokio, an async runtime \
             (generated/rust/Cargo.toml:4 [dependencies]): the verifier crate stays without"
        ],
        "{heavy:?}"
    );
}
