//! The differential test: seeded random and mutated instances, thousands per type, through the
//! generated Rust validators (`validate_*` and `is_valid_*`), the generated TypeScript validators
//! (`validate` and `isValid`, one node run of `tests/ts/differential.mjs` per batch) and the
//! reference (the `jsonschema` crate, with the project's formats and its `int64` written
//! independently), on every type of `schema/` and of the codex corpus.
//! The three must give the same verdict on every instance, and the two languages the same
//! violations in the same order.
//!
//! The instances of a type are, in turn: random instances built from its schema (enum values,
//! every required member and some optional ones, strings of the formats from small generators,
//! numbers within the bounds), most of them valid; and mutations of its valid vectors (or of
//! generated valid instances) at a random node, one to three stacked: a member dropped or an
//! unknown one added, a value replaced by another JSON type, strings emptied, lengthened past their
//! bounds, made non-ASCII or astral, or one character off a format (a changed, missing or extra
//! character, padding, a wrong prefix), numbers replaced by 0, -1, the schema's bounds ±1, 2^31,
//! 2^53 ± 1, 2^63, 1e300, 0.5 or -0.0, arrays emptied, with a duplicated or an extra item.
//!
//! The run is deterministic for a seed (printed): `DEVICEKEY_DIFF_SEED` overrides it, and
//! `DEVICEKEY_DIFF_CASES` the number of instances per type (1,500 by default; `cargo xtask
//! differential --cases N --seed S` runs this test with both set). Every type's run must hold at
//! least 20% valid instances (by the reference), and a control run, with validators that differ,
//! must find disagreements. A disagreement of a known, explained class (`KNOWN_DISAGREEMENTS`,
//! each with its reason) is counted and printed without failing the test; any other fails it,
//! printed with its type, instance, verdicts and both violation lists.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use base64::Engine as _;
use devicekey_conformance::{
    built_ts_package, compile_ts_validators, protocol_schemas, reference_root,
    reference_with_int64, repo_root, run_node_text, vectors,
};
use devicekey_protocol::{validators, Violation};
use serde_json::{json, Map, Number, Value};

#[allow(dead_code, unused_imports, unreachable_pub, clippy::all)]
mod codex {
    include!(concat!(env!("OUT_DIR"), "/codex.rs"));
}

/// Instances per type of the bounded run.
const DEFAULT_CASES: usize = 1_500;
/// The seed of the bounded run.
const DEFAULT_SEED: u64 = 0x00d1_ff5e_ed00_2026;
/// Overrides the number of instances per type.
const CASES_ENV: &str = "DEVICEKEY_DIFF_CASES";
/// Overrides the seed.
const SEED_ENV: &str = "DEVICEKEY_DIFF_SEED";
/// Instances per node run.
const BATCH: usize = 20_000;
/// Disagreements printed in full (all are counted).
const PRINTED: usize = 25;
/// The smallest share of valid instances, in percent, a type's run must have.
const MIN_VALID_PERCENT: usize = 20;

/// Known, explained classes of disagreement: (class, reason). A disagreement of a listed class is
/// counted and printed but does not fail the test; [`class_of`] says which class a disagreement
/// is of. Every other disagreement fails the test. Empty: the `origin` format carries the UTS #46
/// data (so the IDN class no longer occurs), and the reference holds integer-typed schemas to the
/// project's 2^53 rule.
const KNOWN_DISAGREEMENTS: &[(&str, &str)] = &[];

/// The class of a disagreement on an instance holding an integer a double cannot hold exactly
/// (TypeScript reads the nearest double, Rust the exact integer).
const BEYOND_2_53: &str = "integer beyond 2^53";

/// The class of a disagreement: [`BEYOND_2_53`] when the instance holds an integer beyond
/// ±(2^53 − 1); else `other`.
fn class_of(instance: &Value) -> &'static str {
    fn beyond(value: &Value) -> bool {
        match value {
            Value::Number(n) => {
                let limit = 9_007_199_254_740_991u64;
                n.as_u64().is_some_and(|u| u > limit)
                    || n.as_i64().is_some_and(|i| i.unsigned_abs() > limit)
            }
            Value::Array(items) => items.iter().any(beyond),
            Value::Object(map) => map.values().any(beyond),
            _ => false,
        }
    }
    if beyond(instance) {
        BEYOND_2_53
    } else {
        "other"
    }
}

// ---------------------------------------------------------------------------------------------
// A small seeded generator (SplitMix64): the same seed gives the same instances everywhere.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// FNV-1a, to give each type its own stream from the run's seed.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

// ---------------------------------------------------------------------------------------------
// The schemas of one suite, with `$ref` resolution (`Name.json`, `Name.json#/...`, `#/...`).

struct Schemas {
    docs: BTreeMap<String, Value>,
}

impl Schemas {
    /// The schema `reference` names from the document `doc`, and the document it is in.
    fn resolve<'a>(&'a self, doc: &'a str, reference: &str) -> Option<(&'a str, &'a Value)> {
        let (file, pointer) = reference.split_once('#').unwrap_or((reference, ""));
        let (name, root) = if file.is_empty() {
            self.docs.get_key_value(doc)?
        } else {
            self.docs.get_key_value(file.strip_suffix(".json")?)?
        };
        Some((name.as_str(), root.pointer(pointer)?))
    }

    /// The numbers the type's schemas (`doc` and what it refers to) bound values with: numeric
    /// bounds, and string, array lengths, each with its neighbours.
    fn bounds(&self, doc: &str) -> (Vec<f64>, Vec<usize>) {
        let (mut numbers, mut lengths) = (Vec::new(), Vec::new());
        let mut seen = Vec::new();
        let mut pending = vec![doc.to_owned()];
        while let Some(name) = pending.pop() {
            if seen.contains(&name) {
                continue;
            }
            let Some(root) = self.docs.get(&name) else {
                continue;
            };
            let mut stack = vec![root];
            while let Some(value) = stack.pop() {
                match value {
                    Value::Object(map) => {
                        for (key, child) in map {
                            match (key.as_str(), child) {
                                ("minimum" | "maximum", Value::Number(n)) => {
                                    if let Some(f) = n.as_f64() {
                                        numbers.extend([f - 1.0, f, f + 1.0]);
                                    }
                                }
                                (
                                    "minLength" | "maxLength" | "minItems" | "maxItems",
                                    Value::Number(n),
                                ) => {
                                    if let Some(u) = n.as_u64() {
                                        let u = usize::try_from(u).unwrap_or(usize::MAX);
                                        lengths.extend([
                                            u.saturating_sub(1),
                                            u,
                                            u.saturating_add(1),
                                        ]);
                                    }
                                }
                                ("$ref", Value::String(r)) => {
                                    if let Some(file) = r.split('#').next() {
                                        if let Some(other) = file.strip_suffix(".json") {
                                            pending.push(other.to_owned());
                                        }
                                    }
                                }
                                ("enum" | "const", _) => {}
                                (_, child) => stack.push(child),
                            }
                        }
                    }
                    Value::Array(items) => stack.extend(items),
                    _ => {}
                }
            }
            seen.push(name);
        }
        lengths.retain(|&n| n <= 10_000);
        (numbers, lengths)
    }
}

// ---------------------------------------------------------------------------------------------
// Random instances built from the schema, most of them valid.

/// Integers and other numbers every mutation may put in place of a value.
fn special_numbers() -> Vec<Value> {
    let two53 = 9_007_199_254_740_992u64;
    vec![
        json!(0),
        json!(-1),
        json!(1),
        json!(2_147_483_647),
        json!(2_147_483_648u64),
        json!(-2_147_483_648i64),
        json!(two53 - 1),
        json!(two53),
        json!(two53 + 1),
        json!(-(two53 as i64 - 1)),
        json!(-(two53 as i64)),
        json!(-(two53 as i64 + 1)),
        json!(i64::MAX),
        json!(9_223_372_036_854_775_808u64),
        json!(i64::MIN),
        json!(u64::MAX),
        json!(18_446_744_073_709_551_616.0f64),
        json!(1e300),
        json!(-1e300),
        json!(0.5),
        json!(-0.0f64),
        json!(1.0f64),
        json!(1e3f64),
        json!(1_700_000_000),
        json!(4.0f64),
        json!(1000.0f64),
        json!(1.000_000_000_000_000_2f64),
        json!(0.1f64 + 0.2f64),
        json!(9_007_199_254_740_993.0f64),
        json!(5e-324f64),
        json!(-1e-300f64),
        json!(f64::MAX),
        json!(1e20f64),
    ]
}

const BASE64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const DEVICE_KEY_PREFIXES: &[&str] = &["dk_hse_", "dk_tpm_", "dk_osn_", "dk_swk_"];

fn base64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn base64_standard(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A random string of `n` code points from a mixed alphabet (ASCII, Latin-1, astral, quotes,
/// line separators).
fn random_text(rng: &mut Rng, n: usize) -> String {
    const PLAIN: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:";
    const ODD: &[char] = &[
        ' ', '"', '\\', '\n', '\u{0}', 'é', 'ß', '\u{2028}', '€', '😀', '𝄞', '\u{fffd}', '中',
    ];
    (0..n)
        .map(|_| {
            if rng.chance(90) {
                char::from(*rng.pick(PLAIN))
            } else {
                *rng.pick(ODD)
            }
        })
        .collect()
}

/// A valid value of the format `format`, within `max_len` code points where that bound allows.
fn format_value(rng: &mut Rng, format: &str, max_len: Option<usize>) -> Option<String> {
    Some(match format {
        "device-key-id" => format!(
            "{}{}",
            rng.pick(DEVICE_KEY_PREFIXES),
            base64url(&rng.bytes(32))
        ),
        "base64url-sha256" => base64url(&rng.bytes(32)),
        "base64url-nonce" => {
            let most = max_len.map_or(96, |m| m * 3 / 4).clamp(32, 96);
            let n = if rng.chance(60) {
                32
            } else {
                32 + rng.below(most - 31)
            };
            base64url(&rng.bytes(n))
        }
        "base64" => {
            let most = max_len.map_or(120, |m| m / 4 * 3).clamp(1, 120);
            let n = 1 + rng.below(most);
            base64_standard(&rng.bytes(n))
        }
        "origin" => {
            let scheme = *rng.pick(&["http", "https"]);
            let host = match rng.below(7) {
                0 => "localhost".to_owned(),
                1 => "127.0.0.1".to_owned(),
                2 => "[::1]".to_owned(),
                3 => "chatgpt.com".to_owned(),
                4 => format!("{}.chatgpt-staging.com", random_label(rng)),
                5 => format!(
                    "10.{}.{}.{}",
                    rng.below(256),
                    rng.below(256),
                    rng.below(256)
                ),
                _ => format!("{}.{}", random_label(rng), random_label(rng)),
            };
            let port = if rng.chance(40) {
                let default = if scheme == "http" { 80 } else { 443 };
                let port = 1 + rng.below(65_535);
                if port == default {
                    String::new()
                } else {
                    format!(":{port}")
                }
            } else {
                String::new()
            };
            format!("{scheme}://{host}{port}")
        }
        _ => return None,
    })
}

fn random_label(rng: &mut Rng) -> String {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let n = 1 + rng.below(10);
    let mut label: String = (0..n).map(|_| char::from(*rng.pick(LETTERS))).collect();
    if label.starts_with(|c: char| c.is_ascii_digit()) {
        label.insert(0, 'h');
    }
    label
}

/// Any JSON value, small.
fn random_value(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth > 2 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(50)),
        2 => rng.pick(&special_numbers()).clone(),
        3 => json!(rng.below(1000)),
        4 => {
            let n = rng.below(12);
            Value::String(random_text(rng, n))
        }
        5 => Value::Array(
            (0..rng.below(3))
                .map(|_| random_value(rng, depth + 1))
                .collect(),
        ),
        _ => Value::Object(
            (0..rng.below(3))
                .map(|i| {
                    let key = if rng.chance(20) {
                        (*rng.pick(MEMBER_NAMES)).to_owned()
                    } else {
                        format!("k{i}")
                    };
                    (key, random_value(rng, depth + 1))
                })
                .collect(),
        ),
    }
}

fn usize_of(map: &Map<String, Value>, key: &str) -> Option<usize> {
    map.get(key)
        .and_then(Value::as_u64)
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
}

/// A random instance of `schema` (in the document `doc`), meant to be valid.
fn generate(schemas: &Schemas, rng: &mut Rng, doc: &str, schema: &Value, depth: usize) -> Value {
    let Value::Object(map) = schema else {
        return random_value(rng, depth);
    };
    if let Some(Value::String(reference)) = map.get("$ref") {
        return match schemas.resolve(doc, reference) {
            Some((doc, target)) => generate(schemas, rng, doc, target, depth + 1),
            None => panic!("{doc}: cannot resolve {reference}"),
        };
    }
    if let Some(value) = map.get("const") {
        return value.clone();
    }
    if let Some(Value::Array(values)) = map.get("enum") {
        return rng.pick(values).clone();
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(branches)) = map.get(key) {
            let branch = rng.pick(branches);
            return generate(schemas, rng, doc, branch, depth + 1);
        }
    }
    let kind = match map.get("type") {
        Some(Value::String(kind)) => kind.clone(),
        Some(Value::Array(kinds)) => rng.pick(kinds).as_str().unwrap_or("null").to_owned(),
        _ if map.contains_key("properties") => "object".to_owned(),
        _ if map.contains_key("items") => "array".to_owned(),
        _ => return random_value(rng, depth),
    };
    match kind.as_str() {
        "null" => Value::Null,
        "boolean" => Value::Bool(rng.chance(50)),
        "integer" | "number" => generate_number(rng, map, kind == "integer"),
        "string" => {
            let min = usize_of(map, "minLength").unwrap_or(0);
            let max = usize_of(map, "maxLength");
            if let Some(format) = map.get("format").and_then(Value::as_str) {
                if let Some(text) = format_value(rng, format, max) {
                    return Value::String(text);
                }
            }
            let top = max.unwrap_or(min + 24).min(min + 24);
            let n = if max.is_some() && rng.chance(10) {
                max.unwrap_or(min)
            } else {
                min + rng.below(top - min + 1)
            };
            Value::String(random_text(rng, n))
        }
        "array" => {
            let min = usize_of(map, "minItems").unwrap_or(0);
            let max = usize_of(map, "maxItems").unwrap_or(min + 3).min(min + 3);
            let n = min + rng.below(max - min + 1);
            let items = map.get("items").cloned().unwrap_or(Value::Bool(true));
            Value::Array(
                (0..n)
                    .map(|_| generate(schemas, rng, doc, &items, depth + 1))
                    .collect(),
            )
        }
        "object" => {
            let required: Vec<&str> = map
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut out = Map::new();
            if let Some(Value::Object(properties)) = map.get("properties") {
                for (name, property) in properties {
                    if required.contains(&name.as_str()) || rng.chance(50) {
                        let value = generate(schemas, rng, doc, property, depth + 1);
                        out.insert(name.clone(), value);
                    }
                }
            }
            match map.get("additionalProperties") {
                Some(Value::Bool(false)) => {}
                Some(extra @ Value::Object(_)) if rng.chance(30) => {
                    let value = generate(schemas, rng, doc, extra, depth + 1);
                    out.insert("extraMember".to_owned(), value);
                }
                _ if rng.chance(30) => {
                    out.insert("extraMember".to_owned(), random_value(rng, depth + 1));
                }
                _ => {}
            }
            Value::Object(out)
        }
        _ => random_value(rng, depth),
    }
}

fn generate_number(rng: &mut Rng, map: &Map<String, Value>, integer: bool) -> Value {
    let low = map.get("minimum").and_then(Value::as_f64);
    let high = map.get("maximum").and_then(Value::as_f64);
    if low.is_none() && high.is_none() {
        let choices = [
            json!(0),
            json!(1),
            json!(-1),
            json!(1_700_000_000),
            json!(9_007_199_254_740_991u64),
            json!(-9_007_199_254_740_991i64),
            json!(9_007_199_254_740_993u64),
            json!(4_611_686_018_427_387_904u64),
            json!(rng.next() as i64),
            json!(rng.next() as i32),
        ];
        let value = rng.pick(&choices).clone();
        return if integer || rng.chance(50) {
            value
        } else {
            json!(0.25 + rng.below(100) as f64)
        };
    }
    // Within [low, high] (a side left open is 10^6 away from the other).
    let low = low.unwrap_or_else(|| high.unwrap_or(0.0) - 1e6).ceil() as i64;
    let high = high.unwrap_or(low as f64 + 1e6).floor() as i64;
    let span = (high as i128 - low as i128 + 1).max(1) as u128;
    let n = match rng.below(4) {
        0 => low,
        1 => high,
        _ => (low as i128 + (u128::from(rng.next()) % span) as i128) as i64,
    };
    if !integer && rng.chance(30) && n < high {
        json!(n as f64 + 0.5)
    } else {
        json!(n)
    }
}

// ---------------------------------------------------------------------------------------------
// Mutations.

/// Every node of `value`, as a JSON pointer.
fn pointers(value: &Value, at: &str, out: &mut Vec<String>) {
    out.push(at.to_owned());
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                pointers(child, &format!("{at}/{escaped}"), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                pointers(child, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// A value of another JSON type than `value`'s.
fn other_type(rng: &mut Rng, value: &Value) -> Value {
    let candidates = [
        Value::Null,
        Value::Bool(true),
        json!(0),
        json!(""),
        json!([]),
        json!({}),
        json!("text"),
        json!(1.5),
    ];
    loop {
        let candidate = rng.pick(&candidates);
        let same = std::mem::discriminant(candidate) == std::mem::discriminant(value);
        if !same {
            return candidate.clone();
        }
    }
}

/// One character off: changed, removed, added, padding, case, white space, a prefix changed.
fn near_miss(rng: &mut Rng, text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let at = rng.below(chars.len().max(1));
    match rng.below(11) {
        0 if !chars.is_empty() => {
            // Half the time the last character: base64's stray trailing bits.
            let at = if rng.chance(50) { chars.len() - 1 } else { at };
            chars[at] = char::from(*rng.pick(BASE64URL));
        }
        1 if !chars.is_empty() => {
            chars[at] = *rng.pick(&['+', '/', '=', '!', ' ', '.', '%', 'é']);
        }
        2 if !chars.is_empty() => {
            chars.remove(at);
        }
        3 => chars.insert(at, char::from(*rng.pick(BASE64URL))),
        4 => chars.push('='),
        5 => chars.extend(['=', '=']),
        6 => {
            chars.pop();
        }
        7 => {
            let upper = text.to_uppercase();
            chars = upper.chars().collect();
        }
        8 => chars.push(*rng.pick(&[' ', '\n', '/', '.'])),
        9 => {
            let replaced = match text.get(..7) {
                Some(p) if DEVICE_KEY_PREFIXES.contains(&p) => {
                    format!(
                        "{}{}",
                        rng.pick(&["dk_xxx_", "DK_TPM_", "dk-tpm-", ""]),
                        &text[7..]
                    )
                }
                _ if text.contains("://") => origin_twist(rng, text),
                _ => format!("{}{text}", rng.pick(&["dk_tpm_", "https://", " "])),
            };
            chars = replaced.chars().collect();
        }
        _ => {
            // A base64 length one group off: two or three characters more or fewer.
            let n = 2 + rng.below(2);
            if rng.chance(50) {
                chars.extend((0..n).map(|_| char::from(*rng.pick(BASE64URL))));
            } else {
                chars.truncate(chars.len().saturating_sub(n));
            }
        }
    }
    chars.into_iter().collect()
}

/// An origin almost as the URL standard serializes it: another spelling of the same origin or a
/// near one (a default or zero-padded port, a path, userinfo, upper case, a trailing dot, a
/// shortened IPv4 address, an uncompressed IPv6 address, Punycode, a non-ASCII host).
fn origin_twist(rng: &mut Rng, text: &str) -> String {
    let (scheme, rest) = text.split_once("://").unwrap_or(("https", text));
    match rng.below(14) {
        0 => format!("{text}/"),
        1 => format!("{text}:443"),
        2 => format!("{text}:80"),
        3 => format!("{text}:0{}", 1 + rng.below(9000)),
        4 => format!("{scheme}://user@{rest}"),
        5 => text.to_uppercase(),
        6 => format!("{text}."),
        7 => format!("{scheme}://127.1"),
        8 => format!("{scheme}://[0:0:0:0:0:0:0:1]"),
        9 => format!("{scheme}://xn--{rest}"),
        10 => format!(
            "{scheme}://{}",
            rng.pick(&[
                "xn--nxasmq6b.com",
                "xn--caf-dma.com",
                "xn--a.com",
                "xn--abc-"
            ])
        ),
        11 => format!("{scheme}://b\u{fc}cher.example"),
        12 => format!(
            "{}://{rest}",
            rng.pick(&["ws", "ftp", "file", "HTTP", "http:"])
        ),
        _ => format!("{scheme}://{rest}?q#f"),
    }
}

/// Names of members a mutation adds: unknown ones, near misses of known ones, and the names a
/// JavaScript object has before it has any member (`__proto__`, `constructor`, `toString`...).
const MEMBER_NAMES: &[&str] = &[
    "unknownMember",
    "extraMember",
    "",
    "KeyId",
    "keyid",
    "key Id",
    "é",
    "😀",
    "__proto__",
    "constructor",
    "toString",
    "hasOwnProperty",
    "valueOf",
    "prototype",
    "length",
    "0",
];

/// Mutates the node of `root` at `pointer`.
fn mutate_at(rng: &mut Rng, root: &mut Value, pointer: &str, bounds: &(Vec<f64>, Vec<usize>)) {
    let Some(node) = root.pointer_mut(pointer) else {
        return;
    };
    if rng.chance(12) {
        *node = other_type(rng, node);
        return;
    }
    match node {
        Value::Object(map) => match rng.below(4) {
            0 | 1 if !map.is_empty() => {
                let key = map.keys().nth(rng.below(map.len())).cloned();
                if let Some(key) = key {
                    map.remove(&key);
                }
            }
            2 => {
                let name = rng.pick(MEMBER_NAMES);
                map.insert((*name).to_owned(), random_value(rng, 1));
            }
            _ if !map.is_empty() => {
                let key = map.keys().nth(rng.below(map.len())).cloned();
                if let Some(key) = key {
                    map.insert(key, Value::Null);
                }
            }
            _ => *node = other_type(rng, node),
        },
        Value::Array(items) => match rng.below(4) {
            0 => items.clear(),
            1 if !items.is_empty() => {
                let item = items[rng.below(items.len())].clone();
                items.push(item);
            }
            2 => items.push(random_value(rng, 1)),
            _ if !items.is_empty() => {
                items.remove(rng.below(items.len()));
            }
            _ => *node = other_type(rng, node),
        },
        Value::String(text) => {
            *text = match rng.below(9) {
                0 => String::new(),
                1 => {
                    let n = if bounds.1.is_empty() || rng.chance(30) {
                        *rng.pick(&[44, 257, 1025, 4097, 5000])
                    } else {
                        *rng.pick(&bounds.1)
                    };
                    let fill = if rng.chance(50) {
                        "a"
                    } else {
                        *rng.pick(&["A", "é", "😀", "_"])
                    };
                    fill.repeat(n)
                }
                2 => format!("{text}é"),
                3 => {
                    let mut chars: Vec<char> = text.chars().collect();
                    let at = rng.below(chars.len() + 1);
                    chars.insert(at, *rng.pick(&['😀', '𝄞', 'é', '\u{2028}', '中']));
                    chars.into_iter().collect()
                }
                4 if !text.is_empty() => {
                    let n = text.chars().count();
                    rng.pick(&["😀", "é", "a"]).repeat(n)
                }
                _ => near_miss(rng, text),
            };
        }
        Value::Number(_) => {
            *node = if !bounds.0.is_empty() && rng.chance(40) {
                let f = *rng.pick(&bounds.0);
                if f.fract() == 0.0 && f.abs() < 9.2e18 {
                    json!(f as i64)
                } else {
                    Number::from_f64(f).map_or(Value::Null, Value::Number)
                }
            } else {
                rng.pick(&special_numbers()).clone()
            };
        }
        Value::Bool(b) => *b = !*b,
        Value::Null => *node = other_type(rng, node),
    }
}

/// `seed` with one to three mutations stacked, each at a random node.
fn mutate(rng: &mut Rng, seed: &Value, bounds: &(Vec<f64>, Vec<usize>)) -> Value {
    let mut value = seed.clone();
    let stacked = 1 + usize::from(rng.chance(35)) + usize::from(rng.chance(15));
    for _ in 0..stacked {
        let mut all = Vec::new();
        pointers(&value, "", &mut all);
        let pointer = rng.pick(&all).clone();
        mutate_at(rng, &mut value, &pointer, bounds);
    }
    value
}

// ---------------------------------------------------------------------------------------------
// The run.

/// A generated validator reporting every violation, by type name.
type ValidateByName = fn(&str, &Value) -> Option<Result<(), Vec<Violation>>>;

/// The validators of one suite (the protocol's or the codex corpus's).
struct Suite {
    name: &'static str,
    schemas: Schemas,
    types: Vec<String>,
    reference: fn(&Schemas, &str) -> jsonschema::Validator,
    validate: ValidateByName,
    is_valid: fn(&str, &Value) -> Option<bool>,
    /// The compiled TypeScript module exporting `validate(typeName, value)`.
    ts_module: PathBuf,
}

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(text) => {
            let text = text.trim().replace('_', "");
            let parsed = match text.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => text.parse(),
            };
            parsed.unwrap_or_else(|e| panic!("{name}={text:?} is not a number: {e}"))
        }
        Err(_) => default,
    }
}

/// Per type: instances, valid ones (by the reference).
#[derive(Default)]
struct Counts {
    instances: usize,
    valid: usize,
    /// Distinct instances (by their JSON text's hash).
    distinct: usize,
}

/// What one run found.
struct Outcome {
    /// Disagreements outside [`KNOWN_DISAGREEMENTS`].
    disagreements: usize,
    /// The first [`PRINTED`] of them, in full.
    printed: Vec<String>,
    /// The types with fewer than [`MIN_VALID_PERCENT`] valid instances.
    few_valid: Vec<String>,
}

/// The run's instances per type and seed, from the environment.
fn cases_and_seed() -> (usize, u64) {
    let cases = usize::try_from(env_number(CASES_ENV, DEFAULT_CASES as u64)).unwrap_or(usize::MAX);
    (cases, env_number(SEED_ENV, DEFAULT_SEED))
}

/// Runs `cases` instances of every type of `suite` from `seed` and asserts the outcome.
fn run_and_check(suite: &Suite) {
    let (cases, seed) = cases_and_seed();
    let outcome = run(suite, cases, seed);
    assert!(
        outcome.disagreements == 0,
        "{} disagreements (seed {seed:#x}; the first {}):\n{}",
        outcome.disagreements,
        outcome.printed.len(),
        outcome.printed.join("\n")
    );
    assert!(
        outcome.few_valid.is_empty(),
        "fewer than {MIN_VALID_PERCENT}% valid instances: {}",
        outcome.few_valid.join("; ")
    );
}

fn run(suite: &Suite, cases: usize, seed: u64) -> Outcome {
    let started = Instant::now();
    println!(
        "differential ({}): seed {seed:#x} ({SEED_ENV} overrides), {cases} instances per type ({CASES_ENV} overrides), {} types",
        suite.name,
        suite.types.len()
    );
    let all_vectors = vectors();
    let mut counts: BTreeMap<usize, Counts> = BTreeMap::new();
    let mut failures: Vec<String> = Vec::new();
    let mut failure_count = 0usize;
    let mut known: BTreeMap<&str, (usize, String)> = BTreeMap::new();
    let mut compared = 0usize;

    let mut batch: Vec<(usize, Value)> = Vec::new();
    let references: Vec<jsonschema::Validator> = suite
        .types
        .iter()
        .map(|name| (suite.reference)(&suite.schemas, name))
        .collect();

    let mut flush = |batch: &mut Vec<(usize, Value)>,
                     counts: &mut BTreeMap<usize, Counts>,
                     failures: &mut Vec<String>| {
        if batch.is_empty() {
            return;
        }
        let mut input = String::from("[");
        for (i, (type_index, instance)) in batch.iter().enumerate() {
            if i > 0 {
                input.push(',');
            }
            let _ = write!(
                input,
                "{{\"type\":{},\"instance\":{}}}",
                json!(suite.types[*type_index]),
                instance
            );
        }
        input.push(']');
        let results = run_node_text(
            &repo_root().join("tests/ts/differential.mjs"),
            &[suite.ts_module.to_str().expect("UTF-8 path")],
            &input,
        );
        let Value::Array(results) = results else {
            panic!("TypeScript gives no array of results");
        };
        assert_eq!(
            results.len(),
            batch.len(),
            "one TypeScript result per instance"
        );
        for ((type_index, instance), mut result) in batch.iter().zip(results) {
            let ts: Vec<Violation> = serde_json::from_value(result["violations"].take())
                .expect("TypeScript's validate gives a violation list");
            let ts_fast = result["valid"]
                .as_bool()
                .expect("TypeScript's isValid gives a verdict");
            let type_name = suite.types[*type_index].as_str();
            let reference = references[*type_index].is_valid(instance);
            let rust = (suite.validate)(type_name, instance).expect("a generated validator");
            let fast = (suite.is_valid)(type_name, instance).expect("a generated validator");
            let rust_list = rust.err().unwrap_or_default();
            let count = counts.entry(*type_index).or_default();
            count.instances += 1;
            count.valid += usize::from(reference);
            compared += 1;
            let agree = rust_list.is_empty() == reference
                && fast == reference
                && ts.is_empty() == reference
                && ts_fast == reference
                && rust_list == ts;
            if agree {
                continue;
            }
            let class = class_of(instance);
            if KNOWN_DISAGREEMENTS.iter().any(|(c, _)| *c == class) {
                let entry = known.entry(class).or_insert((0, instance.to_string()));
                entry.0 += 1;
                continue;
            }
            failure_count += 1;
            if failures.len() < PRINTED {
                failures.push(format!(
                    "{} / {type_name} ({class}): {instance}\n  reference valid={reference}; Rust validate valid={}, is_valid={fast}; TypeScript validate valid={}, isValid={ts_fast}\n  rust {rust_list:?}\n  ts   {ts:?}",
                    suite.name,
                    rust_list.is_empty(),
                    ts.is_empty()
                ));
            }
        }
        batch.clear();
    };

    for (type_index, type_name) in suite.types.iter().enumerate() {
        let mut rng = Rng(seed ^ fnv(&format!("{}/{type_name}", suite.name)));
        let root = suite
            .schemas
            .docs
            .get(type_name)
            .unwrap_or_else(|| panic!("no schema for {type_name}"));
        let bounds = suite.schemas.bounds(type_name);
        // Seeds of the mutations: the type's vectors (valid first), then generated instances.
        let mut seeds: Vec<Value> = all_vectors
            .iter()
            .filter(|v| v.type_name == *type_name && v.valid)
            .map(|v| v.instance.clone())
            .collect();
        let own_vectors: Vec<Value> = all_vectors
            .iter()
            .filter(|v| v.type_name == *type_name)
            .map(|v| v.instance.clone())
            .collect();
        for _ in 0..8 {
            let value = generate(&suite.schemas, &mut rng, type_name, root, 0);
            if references[type_index].is_valid(&value) {
                seeds.push(value);
            }
        }
        assert!(!seeds.is_empty(), "{type_name}: no valid seed to mutate");
        let mut distinct = std::collections::HashSet::new();
        for i in 0..cases {
            let instance = if i < own_vectors.len() {
                own_vectors[i].clone()
            } else if i % 5 < 2 {
                generate(&suite.schemas, &mut rng, type_name, root, 0)
            } else {
                let seed = rng.pick(&seeds).clone();
                mutate(&mut rng, &seed, &bounds)
            };
            if distinct.insert(fnv(&instance.to_string())) {
                counts.entry(type_index).or_default().distinct += 1;
            }
            batch.push((type_index, instance));
            if batch.len() >= BATCH {
                flush(&mut batch, &mut counts, &mut failures);
            }
        }
    }
    flush(&mut batch, &mut counts, &mut failures);

    let mut few_valid = Vec::new();
    for (type_index, count) in &counts {
        let type_name = &suite.types[*type_index];
        println!(
            "  {type_name}: {} instances ({} distinct), {} valid, {} invalid",
            count.instances,
            count.distinct,
            count.valid,
            count.instances - count.valid
        );
        if count.valid * 100 < count.instances * MIN_VALID_PERCENT {
            few_valid.push(format!(
                "{type_name}: only {} of {}",
                count.valid, count.instances
            ));
        }
    }
    let valid: usize = counts.values().map(|c| c.valid).sum();
    println!(
        "differential ({}): {compared} instances ({valid} valid, {} invalid) over {} types in {:.1} s; reference (jsonschema), generated Rust (validate_* and is_valid_*) and generated TypeScript (validate and isValid): {failure_count} disagreements{}",
        suite.name,
        compared - valid,
        counts.len(),
        started.elapsed().as_secs_f64(),
        if known.is_empty() {
            String::new()
        } else {
            format!(", besides {} of known classes", known.values().map(|k| k.0).sum::<usize>())
        }
    );
    for (class, (count, example)) in &known {
        let reason = KNOWN_DISAGREEMENTS
            .iter()
            .find(|(c, _)| c == class)
            .map_or("", |(_, reason)| reason);
        println!("  known class {class:?}: {count} (such as {example}): {reason}");
    }
    assert_eq!(counts.len(), suite.types.len(), "every type was run");
    Outcome {
        disagreements: failure_count,
        printed: failures,
        few_valid,
    }
}

fn protocol_reference(_: &Schemas, type_name: &str) -> jsonschema::Validator {
    reference_with_int64(&reference_root(type_name))
        .unwrap_or_else(|e| panic!("the reference rejects {type_name}: {e}"))
}

fn codex_reference(schemas: &Schemas, type_name: &str) -> jsonschema::Validator {
    reference_with_int64(&schemas.docs[type_name])
        .unwrap_or_else(|e| panic!("the reference rejects the codex {type_name}: {e}"))
}

#[test]
fn differential_protocol_types() {
    let docs: BTreeMap<String, Value> = protocol_schemas().into_iter().collect();
    let suite = Suite {
        name: "schema/",
        schemas: Schemas { docs },
        types: validators::TYPE_NAMES
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        reference: protocol_reference,
        validate: validators::validate_by_name,
        is_valid: validators::is_valid_by_name,
        ts_module: built_ts_package().join("index.js"),
    };
    run_and_check(&suite);
}

/// The codex corpus's schemas by type name, as the build script read them; panics with the
/// generator's error when it refused them.
fn codex_schemas() -> BTreeMap<String, Value> {
    let out = Path::new(env!("OUT_DIR"));
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("codex.json")).expect("codex.json"))
            .expect("codex.json is JSON");
    assert_eq!(
        manifest["found"],
        json!(true),
        "the codex corpus is not at {}",
        manifest["dir"]
    );
    assert!(
        manifest["error"].is_null(),
        "the generator refuses the codex corpus: {}",
        manifest["error"]
    );
    let docs: BTreeMap<String, Value> = manifest["schemas"]
        .as_object()
        .expect("schemas")
        .clone()
        .into_iter()
        .collect();
    assert_eq!(docs.len(), 6, "the six codex schemas");
    println!(
        "codex corpus: {} schemas generated (general profile), warnings: {}",
        docs.len(),
        manifest["warnings"]
    );
    docs
}

fn codex_suite() -> Suite {
    let docs = codex_schemas();
    Suite {
        name: "codex",
        types: docs.keys().cloned().collect(),
        schemas: Schemas { docs },
        reference: codex_reference,
        validate: codex::validate_by_name,
        is_valid: codex::is_valid_by_name,
        ts_module: codex_ts_module().to_path_buf(),
    }
}

/// The codex corpus's TypeScript validators compiled to JavaScript, once per process (the tests
/// that run them share the output folder).
fn codex_ts_module() -> &'static Path {
    static MODULE: OnceLock<PathBuf> = OnceLock::new();
    MODULE.get_or_init(|| {
        let out = Path::new(env!("OUT_DIR"));
        compile_ts_validators(&out.join("codex_ts"), &out.join("codex_js"))
    })
}

#[test]
fn differential_codex_corpus() {
    run_and_check(&codex_suite());
}

/// The comparison is not blind: with the protocol's Rust validators standing in for the codex
/// corpus's (same type names, stricter schemas: formats, bounds, closed objects), the run over
/// the codex types finds disagreements.
#[test]
fn differential_finds_validators_that_differ() {
    let suite = Suite {
        name: "codex schemas, protocol Rust validators",
        validate: validators::validate_by_name,
        is_valid: validators::is_valid_by_name,
        ..codex_suite()
    };
    let outcome = run(&suite, 300, DEFAULT_SEED);
    println!(
        "control: {} disagreements, the first:\n{}",
        outcome.disagreements,
        outcome.printed.first().map_or("", String::as_str)
    );
    assert!(
        outcome.disagreements >= 100,
        "only {} disagreements between different validators",
        outcome.disagreements
    );
}

/// The reference checks `int64` only through [`reference_with_int64`]: there, on the instances
/// the two readings of a number tell apart, it gives the verdict of the generated Rust `int64`
/// check (the double the JSON text reads as), and the plain reference ignores the format. Both
/// hold an integer-typed schema to ±(2^53 − 1) (the project's rule for integers JavaScript cannot
/// hold exactly), so the verdict is the `int64` check's within that range.
#[test]
fn the_reference_checks_int64_as_the_project_defines_it() {
    let schema = json!({"type": "integer", "format": "int64"});
    let with = reference_with_int64(&schema).expect("the reference takes the schema");
    let without = devicekey_conformance::reference_for(&schema).expect("the reference");
    let texts = [
        "0",
        "-0",
        "9007199254740991",
        "9007199254740993",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "-9223372036854776833",
        "18446744073709551615",
        "1e300",
        "1.0",
    ];
    let (mut refused_by_int64, mut refused) = (0, 0);
    for text in texts {
        let instance: Value = serde_json::from_str(text).expect("JSON");
        let Value::Number(number) = &instance else {
            panic!("{text} is a number");
        };
        let exact = number
            .as_f64()
            .is_some_and(|f| f.abs() <= 9_007_199_254_740_991.0);
        let int64 = devicekey_protocol::formats::is_int64(number);
        assert_eq!(with.is_valid(&instance), int64 && exact, "{text}");
        assert_eq!(
            without.is_valid(&instance),
            exact,
            "{text}: the plain reference ignores int64 and keeps the exactness rule"
        );
        refused_by_int64 += usize::from(!int64);
        refused += usize::from(!(int64 && exact));
    }
    // 2^63 - 1 reads as 2^63; -2^63 - 1 as -2^63, and -2^63 - 1025 as the next double below.
    assert_eq!(
        refused_by_int64, 5,
        "2^63 - 1, 2^63, -2^63 - 1025, 2^64 - 1 and 1e300 are not int64"
    );
    assert_eq!(refused, 8, "and past 2^53 - 1 nothing is taken");
    let untyped = reference_with_int64(&json!({"format": "int64"})).expect("the reference");
    assert!(
        untyped.is_valid(&json!("text")) && !untyped.is_valid(&json!(1.5)),
        "the format applies to numbers only"
    );
}
