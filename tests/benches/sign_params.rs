//! Per-type throughput for the hot path, `DeviceKeySignParams`, measured side by side in one run
//! (alternating rounds, medians of each side and of the per-round ratios) over N valid and varied
//! instances of both payload types (remote-control connection and enrollment; every key-id prefix;
//! nonces of 32 to 48 bytes; origins of the common shapes: plain and subdomain `https` hosts,
//! `localhost`, IPv4 and IPv6 loopback, with and without a port):
//!
//! - (a) the generated Rust `is_valid` against a pre-compiled `jsonschema` validator (`is_valid`),
//!   the instances validated right after they are parsed from their JSON text, eight at a time, so
//!   that they are in cache as a request the server has just parsed is: the parse is not timed,
//!   the validation is (a clock reading before and one after each eight, whose cost is printed and
//!   is counted on both sides, so it lowers the ratio);
//! - (a2) the same validators on the N instances parsed beforehand and walked in turn: some 20 MB
//!   of parsed documents for the default N, so both sides mostly wait for memory;
//! - (a3) the same on the first 100 instances over and over: in cache, and the same instances in
//!   the same order, which the branch predictor learns;
//! - (b) the generated TypeScript `isDeviceKeySignParams` against ajv compiled with the reference
//!   formats of `tests/ts/reference-formats.mjs`, in one node process
//!   (`tests/ts/bench-sign-params.mjs`; skipped when `DEVICEKEY_BENCH_SKIP_TS` is set);
//! - (c) the floor: from the JSON text, parse into a `Value`, validate with the generated validator
//!   and deserialize into `devicekey_protocol::types::DeviceKeySignParams`, against
//!   `serde_json::from_str::<DeviceKeySignParams>` alone (no schema check at all).
//!
//! After (a3), the time the generated Rust format checks alone take per instance (the key id, the
//! nonce, the digest and the origin).
//!
//! Every instance is first checked valid by all the validators and deserializable. Prints rates
//! and ratios; asserts nothing about time. `DEVICEKEY_BENCH_N` sets N (default 10000).
//!
//! Run with `cargo bench -p devicekey-conformance --bench sign_params`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use devicekey_conformance::bench::{
    alternate, alternate_measured, median, rate, Alternated, ROUNDS, ROUND_TIME,
};
use devicekey_conformance::{built_ts_package, reference_validator, repo_root};
use devicekey_protocol::types::DeviceKeySignParams;
use devicekey_protocol::{formats, validators, Validate};
use serde_json::{json, Value};

const DEFAULT_N: usize = 10_000;

/// A small deterministic generator (xorshift64*), so every run measures the same instances.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }

    fn base64url(&mut self, n: usize) -> String {
        URL_SAFE_NO_PAD.encode(self.bytes(n))
    }

    fn word(&mut self, min: usize, max: usize) -> String {
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789-_";
        let len = min + self.below(max - min + 1);
        (0..len)
            .map(|_| char::from(ALPHABET[self.below(ALPHABET.len())]))
            .collect()
    }

    fn label(&mut self) -> String {
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        let len = 2 + self.below(10);
        (0..len)
            .map(|_| char::from(ALPHABET[self.below(ALPHABET.len())]))
            .collect()
    }

    fn port(&mut self) -> u32 {
        // Never 80 or 443, the default ports an origin leaves out.
        1024 + self.below(60_000) as u32
    }

    fn origin(&mut self) -> String {
        match self.below(10) {
            0..=2 => "https://chatgpt.com".to_owned(),
            3 => "https://chatgpt-staging.com".to_owned(),
            4 => format!("https://{}.chatgpt.com", self.label()),
            5 => format!(
                "https://{}.{}.example.org:{}",
                self.label(),
                self.label(),
                self.port()
            ),
            6 => "http://localhost".to_owned(),
            7 => format!("http://localhost:{}", self.port()),
            8 => format!("http://127.0.0.1:{}", self.port()),
            _ => format!("https://[::1]:{}", self.port()),
        }
    }
}

/// `n` valid `DeviceKeySignParams`, alternating at random between the two payload types.
fn instances(n: usize) -> Vec<Value> {
    const PREFIXES: [&str; 4] = ["dk_hse_", "dk_tpm_", "dk_osn_", "dk_swk_"];
    const CONNECTION_PATHS: [&str; 2] = [
        "/api/codex/remote/control/client",
        "/wham/remote/control/client",
    ];
    const ENROLLMENT_PATHS: [&str; 2] = [
        "/api/codex/remote/control/client/enroll",
        "/wham/remote/control/client/enroll",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    (0..n)
        .map(|_| {
            let key_id = format!("{}{}", PREFIXES[rng.below(4)], rng.base64url(32));
            let nonce_len = 32 + rng.below(17);
            let nonce = rng.base64url(nonce_len);
            let expires = 1_700_000_000 + rng.below(100_000_000) as i64;
            let payload = if rng.below(2) == 0 {
                json!({
                    "type": "remoteControlClientConnection",
                    "nonce": nonce,
                    "audience": "remote_control_client_websocket",
                    "sessionId": format!("wssess_{}", rng.word(4, 24)),
                    "targetOrigin": rng.origin(),
                    "targetPath": CONNECTION_PATHS[rng.below(2)],
                    "accountUserId": format!("user-{}", rng.word(6, 30)),
                    "clientId": format!("cli_{}", rng.word(3, 16)),
                    "tokenSha256Base64url": rng.base64url(32),
                    "tokenExpiresAt": expires,
                    "scopes": ["remote_control_controller_websocket"],
                })
            } else {
                json!({
                    "type": "remoteControlClientEnrollment",
                    "nonce": nonce,
                    "audience": "remote_control_client_enrollment",
                    "challengeId": format!("rch_{}", rng.word(4, 24)),
                    "targetOrigin": rng.origin(),
                    "targetPath": ENROLLMENT_PATHS[rng.below(2)],
                    "accountUserId": format!("user-{}", rng.word(6, 30)),
                    "clientId": format!("cli_{}", rng.word(3, 16)),
                    "deviceIdentitySha256Base64url": rng.base64url(32),
                    "challengeExpiresAt": expires,
                })
            };
            json!({ "keyId": key_id, "payload": payload })
        })
        .collect()
}

/// Alternates the two sides round by round and reports the median of each and of the ratios.
fn compare(
    label: &str,
    theirs_name: &str,
    n: usize,
    ours: impl FnMut() -> usize,
    theirs: impl FnMut() -> usize,
) {
    report(label, theirs_name, n, alternate(ours, theirs));
}

fn report(label: &str, theirs_name: &str, n: usize, timed: Alternated) {
    let (a, b) = (timed.ours * n as f64, timed.theirs * n as f64);
    println!(
        "{label}: generated {a:>10.0}/s ({:>6.0} ns each), {theirs_name} {b:>10.0}/s ({:>6.0} ns each), ratio {:.2}x",
        1e9 / a,
        1e9 / b,
        timed.ratio
    );
}

/// How many instances [`parsed_then_checked`] parses before it checks them: few enough that all
/// of them stay in the first-level cache, as a request the server has just parsed does; enough
/// that the clock readings around them cost a few nanoseconds per instance.
const BATCH: usize = 8;

/// One pass in the server's order: a batch of texts parsed (not timed), then checked (timed);
/// returns the time the checks took.
fn parsed_then_checked(texts: &[String], check: impl Fn(&Value) -> bool) -> Duration {
    let mut spent = Duration::ZERO;
    let mut valid = 0usize;
    let mut batch: Vec<Value> = Vec::with_capacity(BATCH);
    for texts in texts.chunks(BATCH) {
        batch.clear();
        batch.extend(
            texts
                .iter()
                .map(|t| serde_json::from_str::<Value>(t).expect("JSON text")),
        );
        let start = Instant::now();
        valid += black_box(&batch).iter().filter(|v| check(v)).count();
        spent += start.elapsed();
    }
    assert_eq!(valid, texts.len(), "every instance is valid");
    spent
}

/// What one timed region of [`parsed_then_checked`] costs with nothing in it (the median of
/// `ROUNDS` runs of 100,000).
fn clock_cost() -> Duration {
    let runs = (0..ROUNDS)
        .map(|_| {
            let mut spent = Duration::ZERO;
            for _ in 0..100_000 {
                let start = Instant::now();
                spent += black_box(start).elapsed();
            }
            spent.as_secs_f64() / 100_000.0
        })
        .collect();
    Duration::from_secs_f64(median(runs))
}

fn main() {
    let n = std::env::var("DEVICEKEY_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_N);
    let values = instances(n);
    let texts: Vec<String> = values
        .iter()
        .map(|v| serde_json::to_string(v).expect("JSON text"))
        .collect();
    let reference = reference_validator("DeviceKeySignParams");
    let is_valid = validators::is_valid_device_key_sign_params;
    for (value, text) in values.iter().zip(&texts) {
        assert!(is_valid(value), "the generated validator rejects {text}");
        assert!(reference.is_valid(value), "jsonschema rejects {text}");
        if let Err(e) = serde_json::from_str::<DeviceKeySignParams>(text) {
            panic!("serde rejects {text}: {e}");
        }
    }
    let connections = values
        .iter()
        .filter(|v| v["payload"]["type"] == "remoteControlClientConnection")
        .count();
    println!(
        "DeviceKeySignParams: {n} valid instances ({connections} connection, {} enrollment), {ROUNDS} alternating rounds of {ROUND_TIME:?} per side, medians",
        n - connections
    );

    report(
        "(a) Rust is_valid vs jsonschema, just parsed    ",
        "jsonschema",
        n,
        alternate_measured(
            || parsed_then_checked(&texts, is_valid),
            || parsed_then_checked(&texts, |v| reference.is_valid(v)),
        ),
    );
    println!(
        "    (the clock readings around each batch of {BATCH}: {:.1} ns per instance, in both sides' times)",
        clock_cost().as_secs_f64() * 1e9 / BATCH as f64
    );
    compare(
        "(a2) the same, all parsed beforehand (memory)   ",
        "jsonschema",
        n,
        || values.iter().filter(|v| is_valid(v)).count(),
        || values.iter().filter(|v| reference.is_valid(v)).count(),
    );
    let hot = &values[..values.len().min(100)];
    compare(
        "(a3) the same, 100 instances over and over      ",
        "jsonschema",
        hot.len(),
        || hot.iter().filter(|v| is_valid(v)).count(),
        || hot.iter().filter(|v| reference.is_valid(v)).count(),
    );
    // How much the named formats take: the same format checks over the same strings.
    let formatted: Vec<[&str; 4]> = values
        .iter()
        .map(|v| {
            let p = &v["payload"];
            let digest = p
                .get("tokenSha256Base64url")
                .or_else(|| p.get("deviceIdentitySha256Base64url"));
            [
                &v["keyId"],
                &p["nonce"],
                digest.unwrap_or(&Value::Null),
                &p["targetOrigin"],
            ]
            .map(|s| s.as_str().expect("a string"))
        })
        .collect();
    let formats_rate = median(
        (0..ROUNDS)
            .map(|_| {
                rate(|| {
                    formatted
                        .iter()
                        .filter(|[key, nonce, digest, origin]| {
                            formats::is_device_key_id(key)
                                && formats::is_base64url_nonce(nonce)
                                && formats::is_base64url_sha256(digest)
                                && formats::is_origin(origin)
                        })
                        .count()
                })
            })
            .collect(),
    );
    println!(
        "    Rust format checks alone (key id, nonce, digest, origin): {:>6.0} ns per instance",
        1e9 / (formats_rate * n as f64)
    );
    compare(
        "(c) Rust parse+validate+deserialize vs serde     ",
        "serde    ",
        n,
        || {
            texts
                .iter()
                .filter(|t| {
                    let Ok(value) = serde_json::from_str::<Value>(t) else {
                        return false;
                    };
                    if DeviceKeySignParams::validate(&value).is_err() {
                        return false;
                    }
                    serde_json::from_value::<DeviceKeySignParams>(value)
                        .map(black_box)
                        .is_ok()
                })
                .count()
        },
        || {
            texts
                .iter()
                .filter(|t| {
                    serde_json::from_str::<DeviceKeySignParams>(t)
                        .map(black_box)
                        .is_ok()
                })
                .count()
        },
    );

    if std::env::var_os("DEVICEKEY_BENCH_SKIP_TS").is_some() {
        println!("(b) TypeScript: skipped (DEVICEKEY_BENCH_SKIP_TS is set)");
        return;
    }
    let dist = built_ts_package();
    let dir = tempfile::tempdir().expect("temporary folder");
    let file = dir.path().join("instances.json");
    std::fs::write(&file, serde_json::to_string(&values).expect("JSON text")).expect("write");
    let status = std::process::Command::new("node")
        .arg(repo_root().join("tests/ts/bench-sign-params.mjs"))
        .arg(dist.join("index.js"))
        .arg(&file)
        .status()
        .expect("run node");
    assert!(status.success(), "the TypeScript benchmark failed");
}
