//! The `base64` format accepts exactly the strings the `base64` crate decodes as canonical padded
//! standard base64 (the configuration the proof crate verifies with) into at least 1 byte, in the
//! generated Rust and the generated TypeScript, over every short string of a few small alphabets.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use devicekey_conformance::{built_ts_package, repo_root, run_node};
use serde_json::{json, Value};

/// Standard base64 that decodes only the canonical padded form (as `proof/src/encoding.rs`).
const CANONICAL_STANDARD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical)
        .with_decode_allow_trailing_bits(false),
);

/// The sweeps: every string of each alphabet up to its length. `A` has no low bits, `Q` none of
/// the low four, `B` the lowest; `+ /` are standard only, `- _` base64url only; then padding and
/// white space. The second sweep reaches two groups, for padding inside or after a full group.
const SWEEPS: &[(&str, usize)] = &[("ABQ+/-_= \n", 6), ("ABQ=", 8)];

/// Every string of `alphabet` of length 0 to `max_length`, shortest first, each length in
/// lexicographic alphabet order (the order `tests/ts/format-sweep.mjs` uses).
fn strings(alphabet: &str, max_length: usize) -> Vec<String> {
    let chars: Vec<char> = alphabet.chars().collect();
    let mut out = vec![String::new()];
    let mut previous = vec![String::new()];
    for _ in 0..max_length {
        let next: Vec<String> = previous
            .iter()
            .flat_map(|s| chars.iter().map(move |c| format!("{s}{c}")))
            .collect();
        out.extend(next.iter().cloned());
        previous = next;
    }
    out
}

#[test]
fn base64_format_is_the_canonical_padded_standard_base64_of_the_base64_crate() {
    let mut expected = Vec::new();
    let mut disagreements = Vec::new();
    let mut total = 0;
    for (alphabet, max_length) in SWEEPS {
        for s in strings(alphabet, *max_length) {
            total += 1;
            let reference = CANONICAL_STANDARD
                .decode(&s)
                .is_ok_and(|bytes| !bytes.is_empty());
            let generated = devicekey_protocol::formats::is_base64(&s);
            if reference != generated {
                disagreements.push(format!("{s:?}: base64 crate {reference}, Rust {generated}"));
            }
            if reference {
                expected.push(s);
            }
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    for sure in ["ABA=", "ABQB", "AQ==", "+/+/", "AAAAAQ=="] {
        assert!(expected.iter().any(|s| s == sure), "{sure} is not swept");
    }

    let dist = built_ts_package();
    let sweeps: Vec<Value> = SWEEPS
        .iter()
        .map(|(alphabet, max_length)| json!({"alphabet": alphabet, "maxLength": max_length}))
        .collect();
    let module = dist.join("index.js");
    let ts = run_node(
        &repo_root().join("tests/ts/format-sweep.mjs"),
        &[module.to_str().expect("utf-8 path"), "isBase64"],
        &Value::Array(sweeps),
    );
    let ts: Vec<String> = serde_json::from_value(ts).expect("a list of strings");
    assert!(
        ts == expected,
        "TypeScript isBase64 accepts other strings than the base64 crate:\n  only TypeScript: {:?}\n  only the crate: {:?}",
        ts.iter().filter(|s| !expected.contains(s)).collect::<Vec<_>>(),
        expected.iter().filter(|s| !ts.contains(s)).collect::<Vec<_>>()
    );
    println!(
        "format base64: {total} strings swept, {} accepted; the base64 crate, generated Rust and generated TypeScript agree",
        expected.len()
    );
}
