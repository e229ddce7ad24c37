//! The `origin` format against the URL standard: over a deterministic sweep of ~107,000 strings,
//! the generated Rust check agrees with the `url` crate and the generated TypeScript check with
//! Node's `URL` (each: parses as http(s) and the origin serializes to the string itself), and the
//! two generated checks agree with each other.
//!
//! Two kinds of strings are let through as known differences, each listed with its reason:
//! - where the `url` crate and Node's `URL` disagree with each other (`ORACLES_DISAGREE`, by kind
//!   of `xn--` label): the format refuses such invalid Punycode, in both languages;
//! - IDNs whose `xn--` labels decode to code points outside the format's small table of letters
//!   UTS #46 keeps (`ß`, lower-case Latin-1): both oracles accept them and the format refuses them,
//!   by design, until it carries the UTS #46 data (validity, NFC, Bidi and ContextJ). The format
//!   never accepts a string either oracle refuses.

use std::collections::HashSet;

use devicekey_conformance::{built_ts_package, reference_origin, repo_root, run_node};
use serde_json::Value;

/// Why the `url` crate and Node's `URL` may disagree, the format's verdict there, and examples.
/// Every string on which they disagree must match one of these, with the format giving its verdict.
const ORACLES_DISAGREE: &[OraclesDisagree] = &[
    OraclesDisagree {
        reason: "an `xn--` label whose Punycode ends in the delimiter decodes to ASCII only: UTS #46 \
                 (15.1) and the url crate refuse it, Node's URL takes it; invalid Punycode is refused",
        applies: |code| code.ends_with('-'),
        format: false,
        examples: &["https://xn--abc-.com", "https://xn--a-.com", "https://xn----.com"],
    },
    OraclesDisagree {
        reason: "an `xn--` label whose Punycode starts with the delimiter has no basic code points, for \
                 which the encoder writes no delimiter: the url crate refuses it, Node's URL decodes \
                 it (`xn---zca` as `ß`); not Punycode as written, so refused",
        applies: |code| code.starts_with('-'),
        format: false,
        examples: &["https://xn---zca.com", "https://xn---9a.com"],
    },
    OraclesDisagree {
        reason: "an `xn--` label decoding to a left-to-right letter before a right-to-left one (`a` and \
                 U+06FF for `a-czc`) breaks the Bidi rule, which the url crate checks and Node's URL \
                 does not; outside the format's table, so refused",
        applies: |code| {
            idna::punycode::decode_to_string(code).is_some_and(|label| {
                label.starts_with(|c: char| c.is_ascii_alphanumeric()) && label.chars().any(|c| ('\u{0600}'..='\u{06ff}').contains(&c))
            })
        },
        format: false,
        examples: &["https://xn--a-czc.com", "https://xn--9-czc.com"],
    },
];

/// One reason for the `url` crate and Node's `URL` to disagree.
struct OraclesDisagree {
    reason: &'static str,
    /// Whether an `xn--` label (without the prefix) is of this kind.
    applies: fn(&str) -> bool,
    /// The format's verdict on such strings.
    format: bool,
    /// Strings of this kind, which the sweep must hold and the oracles must disagree on.
    examples: &'static [&'static str],
}

/// The `xn--` labels of the host of `s` (an `http(s)://` string), without the prefix.
fn punycode_labels(s: &str) -> Vec<&str> {
    s.split_once("://")
        .map(|(_, rest)| rest.split([':', '/']).next().unwrap_or(""))
        .unwrap_or("")
        .split('.')
        .filter_map(|label| label.strip_prefix("xn--"))
        .collect()
}

/// Every string of `alphabet` of length 0 to `max_length`.
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

/// The swept strings, deduplicated, in a fixed order.
fn sweep() -> Vec<String> {
    let mut out = Vec::new();
    let schemes = ["http://", "https://"];
    // Hosts of letters, digits, hyphens, dots and underscores (empty labels, edge hyphens, a
    // trailing dot, `x` for `0x` numbers), with no port, the default port and another port.
    for host in strings("a1-._x", 5) {
        for (scheme, port) in [("http://", ""), ("http://", ":80"), ("http://", ":8080")]
            .into_iter()
            .chain([("https://", ""), ("https://", ":443"), ("https://", ":0")])
        {
            out.push(format!("{scheme}{host}{port}"));
        }
    }
    // Every ASCII character and a few non-ASCII ones in each position of a short URL.
    let mut chars: Vec<String> = (0u8..0x80).map(|b| char::from(b).to_string()).collect();
    for c in [
        "é", "ü", "ß", "ℂ", "Ａ", "。", "．", "\u{200d}", "\u{ad}", "\u{fffd}", "%41", "%2e", "%25",
    ] {
        chars.push(c.to_owned());
    }
    for c in &chars {
        for shape in [
            "http://a{c}b",
            "http://{c}",
            "https://{c}a",
            "https://a.b{c}",
            "http://a:{c}",
            "http://a:8{c}",
            "http://[::1{c}]",
            "http://[::1]{c}",
            "{c}http://a",
            "http{c}://a",
            "https:{c}//a",
            "http://xn--{c}",
        ] {
            out.push(shape.replace("{c}", c));
        }
    }
    // Ports: small, near the top, with leading zeros or signs, too long.
    for scheme in schemes {
        for port in (0..=1100).chain(65000..=65540) {
            out.push(format!("{scheme}a:{port}"));
        }
        for port in [
            "00",
            "01",
            "080",
            "0443",
            "00080",
            "99999",
            "123456",
            "-1",
            "+1",
            "1a",
            "0x10",
            "",
            "4294967376",
        ] {
            out.push(format!("{scheme}a:{port}"));
        }
    }
    // IPv4: one to four parts of decimal, octal-looking, hex, out-of-range and non-numeric
    // spellings, with and without a trailing dot (`http://1.2.3`, `http://0x7f.1`, …).
    let parts = [
        "0",
        "1",
        "00",
        "255",
        "256",
        "0x7f",
        "0x",
        "08",
        "4294967295",
        "a",
    ];
    let mut hosts: Vec<String> = parts.iter().map(|p| (*p).to_owned()).collect();
    let mut previous = hosts.clone();
    for _ in 1..4 {
        previous = previous
            .iter()
            .flat_map(|h| parts.iter().map(move |p| format!("{h}.{p}")))
            .collect();
        hosts.extend(previous.iter().cloned());
    }
    for host in hosts {
        out.push(format!("http://{host}"));
        out.push(format!("https://{host}."));
    }
    // IPv6: every address of pieces 0, 1 and abc, written in full and with each run of zero
    // pieces compressed (one of them the canonical form).
    for n in 0..3usize.pow(8) {
        let pieces: Vec<&str> = (0..8)
            .map(|i| ["0", "1", "abc"][n / 3usize.pow(i) % 3])
            .collect();
        out.push(format!("http://[{}]", pieces.join(":")));
        let mut i = 0;
        while i < 8 {
            if pieces[i] != "0" {
                i += 1;
                continue;
            }
            let mut j = i;
            while j < 8 && pieces[j] == "0" {
                j += 1;
            }
            out.push(format!(
                "https://[{}::{}]",
                pieces[..i].join(":"),
                pieces[j..].join(":")
            ));
            i = j;
        }
    }
    for text in [
        "[::]",
        "[::1]:80",
        "[::1]:8080",
        "[::1]:",
        "[::1]x",
        "[::ABC]",
        "[::0abc]",
        "[1::2::3]",
        "[12345::]",
        "[::ffff:1.2.3.4]",
        "[::ffff:102:304]",
        "[::1.2.3.4]",
        "[fe80::1%25eth0]",
        "[::1",
        "::1]",
        "[]",
        "[:]",
        "[1:2:3:4:5:6:7:8:9]",
        "[1:2:3:4:5:6:7::8]",
        "[1:2:3:4:5:6:7::]",
        "[1:0:0:1:0:0:0:1]",
        "[1::1:0:0:0:1]",
        "[1:0:0:1::1]",
    ] {
        out.push(format!("http://{text}"));
    }
    // Label and host lengths around 63 and 253.
    let label = "a".repeat(63);
    for n in [62, 63, 64, 65, 200, 1000] {
        out.push(format!("https://{}.com", "b".repeat(n)));
    }
    for total in 250..=256 {
        let mut host = format!("{label}.{label}.{label}.");
        host.push_str(&"c".repeat(total - host.len()));
        out.push(format!("https://{host}"));
        out.push(format!("https://{host}."));
    }
    // Punycode: `xn--` and every short string of a few Punycode digits and the delimiter.
    for code in strings("az9c-", 5) {
        out.push(format!("https://xn--{code}.com"));
    }
    for s in [
        "https://xn--bcher-kva.example",
        "https://xn--mnchen-3ya.de",
        "https://xn--zca.de",
        "https://xn--caf-dma.fr",
        "https://xn--nxasmq6b.com",
        "https://xn--ls8h.la",
        "https://xn--fiqs8s.cn",
        "https://xn--80ak6aa92e.com",
        "https://xn--mgbh0fb.example",
        "https://xn--a.com",
        "https://xn--abc-.com",
        "https://xn--.com",
        "https://xn----.com",
        "https://xn--ab--c.com",
        "https://xn--zz.com",
        "https://xn--99999999999.com",
        "https://xn--zca.xn--zca",
        "https://XN--zca.de",
        "https://xn--ZCA.de",
        "https://xn--1ug.com",
        "https://xn--a-ecp.com",
        "https://münchen.de",
        "https://ß.de",
        "https://ab--c.com",
    ] {
        out.push(s.to_owned());
    }
    // The rest of a URL: userinfo, path, query, fragment, other schemes and spellings.
    for s in [
        "https://u@a.com",
        "https://u:p@a.com",
        "https://@a.com",
        "https://a.com/",
        "https://a.com?",
        "https://a.com#",
        "https://a.com/x",
        "https://a.com\\",
        "https:a.com",
        "https:/a.com",
        "https:///a.com",
        "https:\\\\a.com",
        "HTTPS://a.com",
        "Http://a.com",
        "https://A.com",
        "file://a",
        "ws://a.com",
        "ftp://a.com",
        "blob:https://a.com",
        "https://a.com ",
        " https://a.com",
        "https://a\t.com",
        "https://a\n.com",
        "https://a_b.com",
        "https://-a.com",
        "http://a..b",
        "https://example.com.",
        "http://1.2.3",
        "http://0x7f.1",
        "http://127.0.0.1",
        "http://0.0.0.0",
        "http://255.255.255.255",
        "http://256.0.0.0",
        "http://1.2.3.4.5",
        "http://localhost",
        "http://.",
        "http://..",
        "https://a.com:443",
        "http://a.com:443",
        "https://a.com:80",
    ] {
        out.push(s.to_owned());
    }
    let mut seen = HashSet::new();
    out.retain(|s| seen.insert(s.clone()));
    out
}

#[test]
fn origin_format_is_the_url_standard_serialization_in_rust_and_typescript() {
    let dist = built_ts_package();
    let started = std::time::Instant::now();
    let strings = sweep();
    assert!(
        strings.len() >= 100_000,
        "the sweep has only {} strings",
        strings.len()
    );

    let module = dist.join("index.js");
    let ts = run_node(
        &repo_root().join("tests/ts/origin-sweep.mjs"),
        &[module.to_str().expect("utf-8 path")],
        &Value::Array(strings.iter().cloned().map(Value::String).collect()),
    );
    let bits = |key: &str| -> Vec<bool> {
        let text = ts[key]
            .as_str()
            .unwrap_or_else(|| panic!("no {key} in the node output"));
        assert_eq!(text.len(), strings.len(), "{key}: one verdict per string");
        text.bytes().map(|b| b == b'1').collect()
    };
    let (ts_generated, node_url) = (bits("generated"), bits("url"));

    let mut failures = Vec::new();
    let mut oracles_disagree = Vec::new();
    let mut idn_refused = Vec::new();
    let mut accepted = 0;
    for (k, s) in strings.iter().enumerate() {
        let rust = devicekey_protocol::formats::is_origin(s);
        let url_crate = reference_origin(s);
        let (ts, node) = (ts_generated[k], node_url[k]);
        accepted += usize::from(rust);
        if rust != ts {
            failures.push(format!(
                "{s:?}: generated Rust {rust}, generated TypeScript {ts}"
            ));
        }
        if url_crate != node {
            oracles_disagree.push(s.as_str());
            let labels = punycode_labels(s);
            match ORACLES_DISAGREE.iter().find(|kind| labels.iter().any(|code| (kind.applies)(code))) {
                Some(kind) if kind.format == rust => {}
                Some(kind) => failures.push(format!(
                    "{s:?} ({}): decided {}, generated Rust {rust}",
                    kind.reason, kind.format
                )),
                None => failures.push(format!(
                    "{s:?}: the url crate {url_crate}, Node's URL {node}, of no kind in ORACLES_DISAGREE (generated {rust})"
                )),
            }
        } else if rust != url_crate {
            if url_crate && !punycode_labels(s).is_empty() {
                idn_refused.push(s.as_str());
            } else {
                failures.push(format!(
                    "{s:?}: the url crate and Node's URL {url_crate}, generated Rust {rust}"
                ));
            }
        }
    }
    for example in ORACLES_DISAGREE.iter().flat_map(|kind| kind.examples) {
        if !oracles_disagree.contains(example) {
            failures.push(format!(
                "{example:?} is in ORACLES_DISAGREE but not swept or no longer disputed"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
    println!(
        "format origin: {} strings swept, {accepted} accepted; generated Rust = url crate, generated TypeScript = \
         Node's URL, Rust = TypeScript, but for {} listed oracle disagreements and {} IDNs outside the table \
         ({:?}…); {:.1?} (after the TypeScript build)",
        strings.len(),
        oracles_disagree.len(),
        idn_refused.len(),
        idn_refused.iter().take(5).collect::<Vec<_>>(),
        started.elapsed()
    );
}
