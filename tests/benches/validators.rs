//! Validator throughput, measured side by side in one run: the generated Rust validators against
//! a pre-compiled `jsonschema` validator over the same conformance vectors, then the generated
//! TypeScript validators against compiled ajv validators (through node, when the TypeScript
//! package is installed). Prints rates and ratios; asserts nothing about time.
//!
//! Run with `cargo bench -p devicekey-conformance --bench validators`.

use devicekey_conformance::bench::{alternate, ROUNDS, ROUND_TIME};
use devicekey_conformance::{built_ts_package, reference_validator, repo_root, vectors};
use devicekey_protocol::validators;

/// Alternates the two sides round by round and reports the median of each and of the ratios.
fn compare(
    label: &str,
    n: usize,
    generated: impl FnMut() -> usize,
    reference: impl FnMut() -> usize,
) {
    let timed = alternate(generated, reference);
    let (a, b) = (timed.ours * n as f64, timed.theirs * n as f64);
    println!("{label}: generated {a:>12.0} validations/s, jsonschema {b:>12.0} validations/s, ratio {:.2}x", timed.ratio);
}

fn main() {
    let vectors = vectors();
    let compiled: Vec<_> = vectors
        .iter()
        .map(|v| (v, reference_validator(&v.type_name)))
        .collect();
    // Both sides pick their validator once per vector, outside the timed loops.
    let generated: Vec<_> = vectors
        .iter()
        .map(|v| {
            (
                v,
                validators::validator(&v.type_name).expect("generated validator"),
            )
        })
        .collect();
    let n = vectors.len();
    println!("Rust: {n} conformance vectors per pass, {ROUNDS} alternating rounds of {ROUND_TIME:?} per side, medians");

    compare(
        "Rust yes/no (is_valid)       ",
        n,
        || {
            generated
                .iter()
                .filter(|(v, g)| (g.is_valid)(&v.instance))
                .count()
        },
        || {
            compiled
                .iter()
                .filter(|(v, r)| r.is_valid(&v.instance))
                .count()
        },
    );
    compare(
        "Rust every violation         ",
        n,
        || {
            generated
                .iter()
                .map(|(v, g)| (g.validate)(&v.instance).err().map_or(0, |e| e.len()))
                .sum()
        },
        || {
            compiled
                .iter()
                .map(|(v, r)| r.iter_errors(&v.instance).count())
                .sum()
        },
    );
    let valid: Vec<_> = compiled
        .iter()
        .zip(&generated)
        .filter(|((v, _), _)| v.valid)
        .collect();
    compare(
        "Rust valid instances only    ",
        valid.len(),
        || {
            valid
                .iter()
                .filter(|(_, (v, g))| (g.is_valid)(&v.instance))
                .count()
        },
        || {
            valid
                .iter()
                .filter(|((v, r), _)| r.is_valid(&v.instance))
                .count()
        },
    );

    if std::env::var_os("DEVICEKEY_BENCH_SKIP_TS").is_some() {
        println!("TypeScript: skipped (DEVICEKEY_BENCH_SKIP_TS is set)");
        return;
    }
    let dist = built_ts_package();
    let status = std::process::Command::new("node")
        .arg(repo_root().join("tests/ts/bench.mjs"))
        .arg(dist.join("index.js"))
        .status()
        .expect("run node");
    assert!(status.success(), "the TypeScript benchmark failed");
}
