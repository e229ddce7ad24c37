//! Shared helpers of the conformance tests and benchmarks: where things are, the conformance
//! vectors, the reference validator (the `jsonschema` crate with formats written independently of
//! the generator's), and running the generated TypeScript under node.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use base64::Engine as _;
use serde_json::{json, Map, Value};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits in the repository")
        .to_path_buf()
}

/// One conformance vector.
#[derive(Debug, Clone)]
pub struct Vector {
    /// The protocol type.
    pub type_name: String,
    /// Unique within its file.
    pub description: String,
    /// The expected verdict.
    pub valid: bool,
    /// The instance.
    pub instance: Value,
}

/// Every vector of `tests/vectors/`, in file order.
pub fn vectors() -> Vec<Vector> {
    let dir = repo_root().join("tests/vectors");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("vector file");
        let file: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let type_name = file["type"]
            .as_str()
            .unwrap_or_else(|| panic!("{}: no type", path.display()))
            .to_owned();
        for vector in file["vectors"]
            .as_array()
            .unwrap_or_else(|| panic!("{}: no vectors", path.display()))
        {
            out.push(Vector {
                type_name: type_name.clone(),
                description: vector["description"]
                    .as_str()
                    .expect("description")
                    .to_owned(),
                valid: vector["valid"].as_bool().expect("valid"),
                instance: vector["instance"].clone(),
            });
        }
    }
    out
}

/// The protocol schema documents, by type name.
pub fn protocol_schemas() -> Map<String, Value> {
    let dir = repo_root().join("schema");
    let mut out = Map::new();
    for entry in std::fs::read_dir(&dir).expect("schema folder") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if !name.ends_with(".json") || name == "methods.json" {
            continue;
        }
        let value: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("schema"))
            .expect("schema JSON");
        out.insert(name.trim_end_matches(".json").to_owned(), value);
    }
    out
}

/// The reference validator for `type_name`: the `jsonschema` crate (draft 7) over the schema with
/// every other protocol schema bundled under `definitions`, and the profile's formats implemented
/// here independently of the generator (`base64` and `url` crates).
pub fn reference_validator(type_name: &str) -> jsonschema::Validator {
    let root = reference_root(type_name);
    reference_for(&root).unwrap_or_else(|e| {
        panic!("the reference validator rejects the schema of {type_name}: {e}")
    })
}

/// The self-contained schema [`reference_validator`] validates `type_name` with: a `$ref` to the
/// type among every protocol schema, bundled under `definitions` (file `$ref`s rewritten to them).
pub fn reference_root(type_name: &str) -> Value {
    let mut definitions = Map::new();
    for (name, mut schema) in protocol_schemas() {
        rewrite_file_refs(&mut schema);
        if let Value::Object(object) = &mut schema {
            object.remove("$schema");
        }
        definitions.insert(name, schema);
    }
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$ref": format!("#/definitions/{type_name}"),
        "definitions": definitions,
    })
}

/// The keyword [`reference_with_int64`] puts beside every `"format": "int64"`; the `jsonschema`
/// crate runs custom formats on strings only, so the reference checks this number format as a
/// keyword of its own.
pub const REFERENCE_INT64_KEYWORD: &str = "x-reference-int64";

/// The reference validator for a self-contained schema, as [`reference_for`], that also checks the
/// `int64` format as the project defines it: a number whose JSON text reads as a double (the
/// nearest one, as JavaScript reads it) that is an integer in [-2^63, 2^63). Other instances
/// than numbers satisfy it, as draft-07 says of formats.
pub fn reference_with_int64(schema: &Value) -> Result<jsonschema::Validator, String> {
    let mut schema = schema.clone();
    mark_int64(&mut schema);
    reference_for(&schema)
}

/// Adds [`REFERENCE_INT64_KEYWORD`] beside every `"format": "int64"` of a schema object.
fn mark_int64(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if object.get("format").and_then(Value::as_str) == Some("int64") {
                object.insert(REFERENCE_INT64_KEYWORD.to_owned(), Value::Bool(true));
            }
            for (key, child) in object.iter_mut() {
                // These hold instances, not schemas.
                if !matches!(key.as_str(), "enum" | "const" | "default" | "examples") {
                    mark_int64(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mark_int64),
        _ => {}
    }
}

/// The `int64` format of the reference: see [`reference_with_int64`].
struct ReferenceInt64;

impl ReferenceInt64 {
    fn holds(instance: &Value) -> bool {
        let Value::Number(number) = instance else {
            return true;
        };
        // The decimal text read as the nearest double.
        let Ok(double) = number.to_string().parse::<f64>() else {
            return false;
        };
        let bound = 2f64.powi(63);
        double.is_finite() && double.trunc() == double && -bound <= double && double < bound
    }
}

impl<'i> jsonschema::Keyword<'i> for ReferenceInt64 {
    fn validate(&self, instance: &'i Value) -> Result<(), jsonschema::ValidationError<'i>> {
        if Self::holds(instance) {
            Ok(())
        } else {
            Err(jsonschema::ValidationError::custom(
                "not an int64 (as the double it reads as)",
            ))
        }
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        Self::holds(instance)
    }
}

/// The reference validator for a self-contained schema: the `jsonschema` crate (draft 7) with the
/// profile's formats implemented here independently of the generator (`base64` and `url`
/// crates). It ignores `int64` (an unknown format to the crate) unless the schema carries
/// [`REFERENCE_INT64_KEYWORD`] beside it, as [`reference_with_int64`] puts it.
///
/// It also holds integer-typed schemas to the project's rule for numbers JavaScript cannot hold
/// exactly: a schema whose `type` allows integers but not every number, or whose format is an
/// integer format (`int8`...`int64`, `uint8`...`uint64`, `uint`), refuses a number beyond
/// ±(2^53 − 1) (its text read as the nearest double), through [`REFERENCE_EXACT_KEYWORD`] put
/// beside each such schema.
pub fn reference_for(schema: &Value) -> Result<jsonschema::Validator, String> {
    let mut schema = schema.clone();
    mark_integer_typed(&mut schema);
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .with_keyword(REFERENCE_INT64_KEYWORD, |_, _, _| {
            Ok(Box::new(ReferenceInt64) as Box<dyn for<'i> jsonschema::Keyword<'i>>)
        })
        .with_keyword(REFERENCE_EXACT_KEYWORD, |_, _, _| {
            Ok(Box::new(ReferenceExact) as Box<dyn for<'i> jsonschema::Keyword<'i>>)
        })
        .should_validate_formats(true)
        .with_format("device-key-id", reference_device_key_id)
        .with_format("base64url-sha256", |s: &str| {
            decoded_len(s).is_some_and(|n| n == 32)
        })
        .with_format("base64url-nonce", |s: &str| {
            decoded_len(s).is_some_and(|n| n >= 32)
        })
        .with_format("base64", reference_base64)
        .with_format("origin", reference_origin)
        .build(&schema)
        .map_err(|e| e.to_string())
}

/// The keyword [`reference_for`] puts beside every integer-typed schema: a number must lie within
/// ±(2^53 − 1), as the double its text reads as.
pub const REFERENCE_EXACT_KEYWORD: &str = "x-reference-exact-integer";

/// Adds [`REFERENCE_EXACT_KEYWORD`] beside every integer-typed schema object (see
/// [`reference_for`]).
fn mark_integer_typed(value: &mut Value) {
    match value {
        Value::Object(object) => {
            let types: Vec<&str> = match object.get("type") {
                Some(Value::String(t)) => vec![t.as_str()],
                Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            let integer_type = types.contains(&"integer") && !types.contains(&"number");
            let integer_format = object
                .get("format")
                .and_then(Value::as_str)
                .is_some_and(|f| {
                    matches!(
                        f,
                        "int8"
                            | "int16"
                            | "int32"
                            | "int64"
                            | "uint8"
                            | "uint16"
                            | "uint32"
                            | "uint64"
                            | "uint"
                    )
                });
            if (integer_type || integer_format) && !object.contains_key("$ref") {
                object.insert(REFERENCE_EXACT_KEYWORD.to_owned(), Value::Bool(true));
            }
            for (key, child) in object.iter_mut() {
                // These hold instances, not schemas.
                if !matches!(key.as_str(), "enum" | "const" | "default" | "examples") {
                    mark_integer_typed(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mark_integer_typed),
        _ => {}
    }
}

/// The exactness rule of [`reference_for`].
struct ReferenceExact;

impl ReferenceExact {
    fn holds(instance: &Value) -> bool {
        let Value::Number(number) = instance else {
            return true;
        };
        // Without serde_json's `arbitrary_precision`, a number holds the double its text reads as
        // (`float_roundtrip` parses floats exactly; a 64-bit integer converts to the nearest
        // double, as the text would read).
        number
            .as_f64()
            .is_some_and(|double| double.abs() <= 9_007_199_254_740_991.0)
    }
}

impl<'i> jsonschema::Keyword<'i> for ReferenceExact {
    fn validate(&self, instance: &'i Value) -> Result<(), jsonschema::ValidationError<'i>> {
        if Self::holds(instance) {
            Ok(())
        } else {
            Err(jsonschema::ValidationError::custom(
                "an integer beyond 2^53 - 1 (as the double it reads as)",
            ))
        }
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        Self::holds(instance)
    }
}

fn rewrite_file_refs(value: &mut Value) {
    match value {
        Value::Object(object) => {
            for (key, child) in object.iter_mut() {
                match (key.as_str(), child) {
                    ("$ref", Value::String(reference)) if reference.ends_with(".json") => {
                        *reference =
                            format!("#/definitions/{}", reference.trim_end_matches(".json"));
                    }
                    (_, child) => rewrite_file_refs(child),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_file_refs),
        _ => {}
    }
}

/// Decoded length of canonical unpadded base64url (the `base64` crate rejects padding and stray
/// trailing bits in this configuration).
fn decoded_len(s: &str) -> Option<usize> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .ok()
        .map(|bytes| bytes.len())
}

/// Canonical standard base64 with padding of at least 1 byte: the `base64` crate's lenient
/// standard engine decodes it and encoding the bytes again gives back exactly `s` (so missing or
/// extra padding and stray trailing bits, which decode or not, never round-trip).
fn reference_base64(s: &str) -> bool {
    use base64::engine::general_purpose::STANDARD;
    match STANDARD.decode(s) {
        Ok(bytes) => !bytes.is_empty() && STANDARD.encode(&bytes) == s,
        Err(_) => false,
    }
}

fn reference_device_key_id(s: &str) -> bool {
    ["dk_hse_", "dk_tpm_", "dk_osn_", "dk_swk_"]
        .iter()
        .any(|prefix| {
            s.strip_prefix(prefix)
                .is_some_and(|rest| decoded_len(rest) == Some(32))
        })
}

/// An http(s) origin equal to its own WHATWG ASCII serialization, by the `url` crate.
pub fn reference_origin(s: &str) -> bool {
    match url::Url::parse(s) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => {
            url.origin().ascii_serialization() == s
        }
        _ => false,
    }
}

/// Runs the generated TypeScript package's build once per process (tsc from its own
/// `node_modules`), so tests use `generated/ts/dist/`. Panics with the set-up step when node or
/// the package's dependencies are missing.
pub fn built_ts_package() -> PathBuf {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let package = repo_root().join("generated/ts");
            let tsc = package.join("node_modules/typescript/bin/tsc");
            if !tsc.exists() {
                return Err(format!(
                    "{} is missing: run `npm ci` in generated/ts (bash .ci/run does)",
                    tsc.display()
                ));
            }
            let output = Command::new("node")
                .arg(&tsc)
                .arg("-p")
                .arg(&package)
                .output()
                .map_err(|e| format!("cannot run node: {e}"))?;
            if !output.status.success() {
                return Err(format!(
                    "tsc failed on generated/ts:\n{}{}",
                    String::from_utf8_lossy(&output.stdout),
                    String::from_utf8_lossy(&output.stderr)
                ));
            }
            Ok(package.join("dist"))
        })
        .clone()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `node script args...`, feeding `input` on stdin, and parses its stdout as JSON.
pub fn run_node(script: &Path, args: &[&str], input: &Value) -> Value {
    run_node_text(
        script,
        args,
        &serde_json::to_string(input).expect("input JSON"),
    )
}

/// Runs `node script args...`, feeding the JSON text `input` on stdin (as written: its objects'
/// members in its order), and parses its stdout as JSON.
pub fn run_node_text(script: &Path, args: &[&str], input: &str) -> Value {
    use std::io::Write;
    let mut child = Command::new("node")
        .arg(script)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run node: {e}"));
    let mut stdin = child.stdin.take().expect("stdin");
    let text = input.as_bytes().to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&text));
    let output = child.wait_with_output().expect("node output");
    writer.join().expect("stdin writer").expect("write to node");
    assert!(
        output.status.success(),
        "node {} failed:\n{}",
        script.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("node {} printed no JSON: {e}", script.display()))
}

/// Compiles the TypeScript validators of `ts_validators_for` (the files of `sources`: the
/// validator runtime, the formats and `suite.ts`) with the generated package's tsc, strict, into
/// `out`, and returns the compiled `suite.js`.
pub fn compile_ts_validators(sources: &Path, out: &Path) -> PathBuf {
    let tsc = repo_root().join("generated/ts/node_modules/typescript/bin/tsc");
    assert!(
        tsc.exists(),
        "{} is missing: run `npm ci` in generated/ts (bash .ci/run does)",
        tsc.display()
    );
    // `--module nodenext` emits ES modules only for sources inside a `"type": "module"` package.
    std::fs::write(sources.join("package.json"), "{\"type\": \"module\"}\n").expect("package.json");
    std::fs::create_dir_all(out).expect("output folder");
    let mut command = Command::new("node");
    command.arg(&tsc).args([
        "--strict",
        "--noUncheckedIndexedAccess",
        "--noUnusedLocals",
        "--noUnusedParameters",
        "--target",
        "es2022",
        "--module",
        "nodenext",
        "--moduleResolution",
        "nodenext",
        "--skipLibCheck",
        "--outDir",
    ]);
    command.arg(out);
    for name in ["validator-runtime.ts", "formats.ts", "suite.ts"] {
        command.arg(sources.join(name));
    }
    let output = command.output().expect("run tsc");
    assert!(
        output.status.success(),
        "tsc failed on {}:\n{}",
        sources.display(),
        String::from_utf8_lossy(&output.stdout)
    );
    std::fs::write(out.join("package.json"), "{\"type\": \"module\"}\n").expect("package.json");
    out.join("suite.js")
}

/// The benchmarks' side-by-side timing: alternating rounds, medians.
pub mod bench {
    use std::hint::black_box;
    use std::time::{Duration, Instant};

    /// Rounds per side.
    pub const ROUNDS: usize = 7;
    /// How long one round of one side runs.
    pub const ROUND_TIME: Duration = Duration::from_millis(300);

    /// Runs `pass` (one pass over every input) repeatedly for about [`ROUND_TIME`]; returns
    /// passes per second.
    pub fn rate(mut pass: impl FnMut() -> usize) -> f64 {
        let start = Instant::now();
        let mut passes = 0u64;
        let mut sink = 0usize;
        while start.elapsed() < ROUND_TIME {
            sink = sink.wrapping_add(pass());
            passes += 1;
        }
        black_box(sink);
        passes as f64 / start.elapsed().as_secs_f64()
    }

    /// The median of `values` (finite).
    pub fn median(mut values: Vec<f64>) -> f64 {
        values.sort_by(|a, b| a.partial_cmp(b).expect("finite"));
        values[values.len() / 2]
    }

    /// Both sides' median rates (passes per second) and the median of the per-round ratios.
    pub struct Alternated {
        /// Ours.
        pub ours: f64,
        /// Theirs.
        pub theirs: f64,
        /// Ours over theirs.
        pub ratio: f64,
    }

    /// Runs `pass` (one pass over every input, returning the time it measured of itself)
    /// repeatedly for about [`ROUND_TIME`] of wall time; returns passes per second of measured
    /// time. For passes that prepare each input untimed before timing the work on it.
    pub fn measured_rate(mut pass: impl FnMut() -> Duration) -> f64 {
        let start = Instant::now();
        let (mut passes, mut spent) = (0u64, Duration::ZERO);
        while start.elapsed() < ROUND_TIME {
            spent += pass();
            passes += 1;
        }
        passes as f64 / spent.as_secs_f64()
    }

    /// Alternates the two sides round by round ([`ROUNDS`] each), each timed by [`rate`].
    pub fn alternate(
        mut ours: impl FnMut() -> usize,
        mut theirs: impl FnMut() -> usize,
    ) -> Alternated {
        alternate_rates(|| rate(&mut ours), || rate(&mut theirs))
    }

    /// Alternates the two sides round by round ([`ROUNDS`] each), each timed by
    /// [`measured_rate`].
    pub fn alternate_measured(
        mut ours: impl FnMut() -> Duration,
        mut theirs: impl FnMut() -> Duration,
    ) -> Alternated {
        alternate_rates(|| measured_rate(&mut ours), || measured_rate(&mut theirs))
    }

    fn alternate_rates(
        mut ours: impl FnMut() -> f64,
        mut theirs: impl FnMut() -> f64,
    ) -> Alternated {
        let (mut a_rates, mut b_rates, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            let a = ours();
            let b = theirs();
            a_rates.push(a);
            b_rates.push(b);
            ratios.push(a / b);
        }
        Alternated {
            ours: median(a_rates),
            theirs: median(b_rates),
            ratio: median(ratios),
        }
    }
}
