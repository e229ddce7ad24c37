//! The draft-07 standard formats of the general profile (`date-time`, `email`, `hostname`, `uri`,
//! `regex`...), swept over the strings of the suite's `optional/format` tests and their variants
//! (every code point deleted, replaced by or preceded with one of a set of telling code points):
//!
//! - the generated Rust check and the generated TypeScript check give the same verdict on every
//!   string (the two runtimes implement each format alike);
//! - against independent oracles: `ipv4` and `ipv6` against Rust's `std::net` parsers; `regex`
//!   against Node's `new RegExp(s, "u")`; the others against the `jsonschema` crate's format
//!   checks, except `idn-hostname` and `idn-email` (`NO_ORACLE`); `idn-hostname` also against
//!   Python's `idna` package (IDNA2008 with its own tables) where it is installed (the run says
//!   when it is not). Every string where the format and an oracle differ must be of a kind
//!   `KNOWN_DIFFERENCES` / `IDNA_DIFFERENCES` lists with its reason; each run prints the counts.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, Ipv6Addr};

use devicekey_conformance::{built_ts_package, run_node};
use serde_json::{json, Value};

/// Every standard format, with the suite files whose strings seed its sweep.
const FORMATS: &[(&str, &[&str])] = &[
    ("date-time", &["date-time", "date", "time"]),
    ("date", &["date", "date-time"]),
    ("time", &["time", "date-time"]),
    ("email", &["email", "idn-email", "hostname"]),
    ("idn-email", &["idn-email", "email"]),
    ("hostname", &["hostname", "idn-hostname"]),
    ("idn-hostname", &["idn-hostname", "hostname"]),
    ("ipv4", &["ipv4", "ipv6"]),
    ("ipv6", &["ipv6", "ipv4"]),
    ("uri", &["uri", "uri-reference", "iri"]),
    ("uri-reference", &["uri-reference", "uri"]),
    ("iri", &["iri", "iri-reference", "uri"]),
    ("iri-reference", &["iri-reference", "iri"]),
    ("json-pointer", &["json-pointer", "relative-json-pointer"]),
    (
        "relative-json-pointer",
        &["relative-json-pointer", "json-pointer"],
    ),
    ("uri-template", &["uri-template"]),
    ("regex", &["regex", "ecmascript-regex"]),
];

/// Extra seeds beyond the suite's strings.
const EXTRA_SEEDS: &[(&str, &[&str])] = &[
    (
        "regex",
        &[
            r"^(?<year>\d{4})-(?<m>\d{2})\k<year>$",
            r"[a-z\d_]{1,3}?",
            r"(?=a)(?!b)(?<=c)(?<!d)",
            r"\u{1F600}\uD83D\uDE00[\u0000-\u{10FFFF}]",
            r"\p{Lu}\P{Script=Greek}\p{gc=Nd}[\p{L}--]",
            r"(a)|\1|\2",
            r"\cZ\0\x7f\t\n\v\f\r\/\-",
            r"a{0,}b{3}c{2,1}",
            r"[\b]\B\b",
            r"(?:a|b)*+",
            r"[^\d\s-\w]x{2}?",
            r"\p{Script_Extensions=Latin}\p{ASCII_Hex_Digit}\P{Any}",
            r"\u{10FFFF}\u{110000}\x\u12",
            r"(?<$\u0041>.)\k<$A>",
            r"[\u{1F600}-\u{1F64F}\uD83D\uDE00-\uD83D\uDE4F]",
            r"^\/(?:[^/]|\\.)*\/$",
            r"(?!(?=a)b)+",
            r"a{1,2}{3}|\k|\8|\c1|[\c_]",
        ],
    ),
    (
        "uri-template",
        &["{?x,y*,z:3}/{+path}{#frag}", "{var:9999}{.a.b}", "%7B{a}"],
    ),
    (
        "ipv6",
        &[
            "1:2:3:4:5:6:7::",
            "::2:3:4:5:6:7:8",
            "1::3:4:5:6:7:8",
            "0:0:0:0:0:0:13.1.68.3",
        ],
    ),
    (
        "time",
        &[
            "23:59:60.5+00:00",
            "00:00:60+00:01",
            "12:00:00.000000001-23:59",
        ],
    ),
    (
        "email",
        &[
            "\"a\\\"b\"@example.com",
            "a@[192.168.0.1]",
            "a@[IPv6:::1]",
            "a@xn--bcher-kva.example",
        ],
    ),
];

/// Code points that the variants put in, delete or replace: the separators and delimiters of the
/// formats, digits and letters at their edges, and non-ASCII of the scripts the IDN rules name.
const ALPHABET: &str = "019afgxnzZT.:-_~%@/?#[]{}()*+,;=!$&'\"\\ ^|<>é\u{df}\u{5d0}\u{627}\u{660}\u{6f0}\u{300}\u{94d}\u{200c}\u{200d}\u{b7}\u{375}\u{30fb}\u{3002}\u{ff0e}\u{1F600}\u{e000}\u{7f}\u{0}\n";

/// The labels of a host name (of an e-mail address: after its last `@`).
fn host_labels(s: &str) -> Vec<&str> {
    s.rsplit('@').next().unwrap_or(s).split('.').collect()
}

/// Whether `s` has a label with `--` in its third and fourth places that does not start with a
/// lower-case `xn--` (an R-LDH label of RFC 5890 §2.3.1, or an A-label with an upper-case prefix).
fn has_reserved_ldh_label(s: &str) -> bool {
    host_labels(s)
        .iter()
        .any(|label| label.get(2..4) == Some("--") && !label.starts_with("xn--"))
}

/// The U-labels that the `xn--` labels of `s` decode to (with the `idna` crate's Punycode).
fn decoded_labels(s: &str) -> Vec<String> {
    host_labels(s)
        .iter()
        .filter_map(|label| {
            let code = label.get(4..)?;
            label
                .get(..4)
                .filter(|p| p.eq_ignore_ascii_case("xn--"))
                .and_then(|_| idna::punycode::decode_to_string(&code.to_ascii_lowercase()))
        })
        .collect()
}

/// Whether an `xn--` label of `s` decodes to a label matching `pattern` (Unicode classes of the
/// `regex` crate's tables).
fn decodes_to(s: &str, pattern: &str) -> bool {
    let re = regex::Regex::new(pattern).expect("pattern");
    decoded_labels(s).iter().any(|label| re.is_match(label))
}

/// An `xn--` label decoding to code points the format's small tables cannot judge as IDNA2008
/// does: unassigned ones (no table of assigned code points), ones outside letters, marks and
/// digits that its DISALLOWED ranges miss, a leading mark outside its MARKS ranges.
fn decodes_beyond_tables(s: &str) -> bool {
    decodes_to(s, r"\p{Cn}|[^\p{L}\p{M}\p{Nd}\x00-\x7f]|^\p{M}")
}

/// An `xn--` label decoding to a code point of the right-to-left blocks (Hebrew, Arabic, Syriac,
/// Thaana, N'Ko, Samaritan, Mandaic, the RTL presentation forms and supplementary blocks).
fn decodes_to_right_to_left(s: &str) -> bool {
    decodes_to(
        s,
        r"[\x{590}-\x{8ff}\x{fb1d}-\x{fdff}\x{fe70}-\x{feff}\x{10800}-\x{10fff}\x{1e800}-\x{1efff}]",
    )
}

/// An `xn--` label decoding to a U-label with a hyphen at either end or in its third and fourth
/// places.
fn decodes_to_bad_hyphens(s: &str) -> bool {
    decoded_labels(s).iter().any(|label| {
        let chars: Vec<char> = label.chars().collect();
        chars.first() == Some(&'-')
            || chars.last() == Some(&'-')
            || (chars.get(2) == Some(&'-') && chars.get(3) == Some(&'-'))
    })
}

/// An `xn--` label decoding to a letter IDNA2008 disallows that the format's tables may name: an
/// upper-case or title-case letter, a letterlike symbol (U+2100 to U+214F, which NFKC maps to
/// other letters), a conjoining Hangul jamo.
fn decodes_to_latin1_upper_case(s: &str) -> bool {
    decodes_to(
        s,
        r"[\p{Lu}\p{Lt}\x{2100}-\x{214f}\x{1100}-\x{11ff}\x{a960}-\x{a97f}\x{d7b0}-\x{d7ff}]",
    )
}

/// A known difference with an oracle: the format, the reason, and which strings are of the kind.
type KnownDifference = (&'static str, &'static str, fn(&str) -> bool);

/// More code points for the `regex` sweep: the letters of escapes, digits and group syntax.
const REGEX_ALPHABET: &str = "kpPuUcCdDbBsSwWxX0123456789<>=!,{}:-^$|?*+.()[]\\/";

/// Known differences with an oracle, by format: a string of one of these kinds may differ.
const KNOWN_DIFFERENCES: &[KnownDifference] = &[
    (
        "hostname",
        "a label with `--` in its third and fourth places that does not start with a lower-case \
         `xn--`: RFC 1123 host names allow such R-LDH labels and RFC 5890 §2.3.2.1 takes the ACE \
         prefix in any case (the format decodes `XN--` labels as A-labels); the jsonschema crate \
         refuses both",
        has_reserved_ldh_label,
    ),
    (
        "hostname",
        "an `xn--` label decoding to code points the format's small tables cannot judge: \
         unassigned ones, symbols its DISALLOWED ranges miss, a leading mark its MARKS ranges \
         miss; the jsonschema crate has the Unicode tables",
        decodes_beyond_tables,
    ),
    (
        "hostname",
        "an `xn--` label decoding to an upper-case letter (of Latin-1, Greek, Cyrillic, \
         Armenian, Georgian), a letterlike symbol or a conjoining Hangul jamo: DISALLOWED in \
         IDNA2008 (not stable under case folding and NFKC; old Hangul jamo), which the format \
         refuses; the jsonschema crate takes every letter",
        decodes_to_latin1_upper_case,
    ),
    (
        "hostname",
        "an `xn--` label decoding to right-to-left code points: the name is a Bidi domain name, \
         whose labels the format checks with the Bidi rule (RFC 5893 §2) over its coarse \
         Bidi_Class ranges; the jsonschema crate does not apply the Bidi rule to host names",
        decodes_to_right_to_left,
    ),
    (
        "hostname",
        "an `xn--` label decoding to a U-label with a hyphen at either end or in its third and \
         fourth places, which RFC 5891 §4.2.3.1 refuses (so does the format); the jsonschema \
         crate does not check",
        decodes_to_bad_hyphens,
    ),
    (
        "email",
        "a domain label with `--` in its third and fourth places (see hostname)",
        has_reserved_ldh_label,
    ),
    (
        "email",
        "a domain `xn--` label beyond the format's tables (see hostname)",
        decodes_beyond_tables,
    ),
    (
        "email",
        "a domain `xn--` label decoding to a disallowed letter the format names (see hostname)",
        decodes_to_latin1_upper_case,
    ),
    (
        "regex",
        "a group name holding non-ASCII code points: the format approximates ID_Start / \
         ID_Continue by ranges (non-ASCII outside the marks, symbols and spaces it lists) where \
         V8 has the full Unicode tables",
        |s| s.contains("(?<") && !s.is_ascii(),
    ),
];

/// The labels of an internationalized host name (split at the four full stops).
fn idn_labels(s: &str) -> Vec<&str> {
    s.split(['.', '\u{3002}', '\u{ff0e}', '\u{ff61}']).collect()
}

/// Whether `s` or the U-labels its `xn--` labels decode to match `pattern`.
fn idn_matches(s: &str, pattern: &str) -> bool {
    let re = regex::Regex::new(pattern).expect("pattern");
    re.is_match(s)
        || decoded_labels(&idn_labels(s).join("."))
            .iter()
            .any(|l| re.is_match(l))
}

/// A known difference with Python's `idna`: the reason, and which strings are of the kind.
type IdnaDifference = (&'static str, fn(&str) -> bool);

/// Known differences between `idn-hostname` and Python's `idna.encode`.
const IDNA_DIFFERENCES: &[IdnaDifference] = &[
    (
        "a trailing full stop: Python's idna takes the root label; the format (and the test \
         suite) refuse a trailing dot",
        |s| s.len() > 1 && s.ends_with(['.', '\u{3002}', '\u{ff0e}', '\u{ff61}']),
    ),
    (
        "a label with `--` in its third and fourth places that is not a lower-case `xn--` label \
         (see hostname); Python's idna refuses it",
        |s| {
            idn_labels(s)
                .iter()
                .any(|l| l.get(2..4) == Some("--") && !l.starts_with("xn--"))
        },
    ),
    (
        "an `xn--` label whose Punycode does not re-encode to itself: the format refuses it (the \
         suite's `xn---9uc`); Python's idna decodes it",
        |s| {
            idn_labels(s).iter().any(|l| {
                l.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("xn--"))
                    && l.get(4..).is_some_and(|code| {
                        let code = code.to_ascii_lowercase();
                        idna::punycode::decode_to_string(&code)
                            .and_then(|u| idna::punycode::encode_str(&u))
                            .is_none_or(|again| again != code)
                    })
            })
        },
    ),
    (
        "code points the format's small tables cannot judge (see hostname): unassigned ones, \
         symbols and other non-letters outside its DISALLOWED ranges, marks outside its MARKS \
         ranges; Python's idna has the IDNA2008 table",
        |s| {
            idn_matches(
                s,
                r"\p{Cn}|[^\p{L}\p{M}\p{Nd}\x00-\x7f]|(^|[.\x{3002}\x{ff0e}\x{ff61}])\p{M}",
            )
        },
    ),
    (
        "an upper-case, title-case or modifier letter outside Latin-1: DISALLOWED in IDNA2008 \
         (not stable under case folding or NFKC); the format's tables refuse the capitals of \
         Latin-1, Greek, Cyrillic, Armenian and Georgian only",
        |s| idn_matches(s, r"[\p{Lu}\p{Lt}\p{Lm}]"),
    ),
    (
        "a supplementary-plane code point: Python's idna takes directionality from Python's \
         `unicodedata`, of an older Unicode version than the `regex` crate's tables, and refuses \
         the code points it does not know",
        |s| idn_matches(s, r"[\x{10000}-\x{10ffff}]"),
    ),
    (
        "a combining mark: Python's idna requires a U-label in NFC (RFC 5891 §5.3), the format \
         does not normalize (the suite takes a domain label that is not NFC)",
        |s| idn_matches(s, r"\p{M}"),
    ),
    (
        "a right-to-left label beside another label: the format applies the Bidi rule to every \
         label of a Bidi domain name (RFC 5893 §2, the suite's `0a.\u{5d0}`); Python's idna \
         checks each right-to-left label alone",
        |s| {
            idn_labels(s).len() > 1
                && idn_matches(s, r"[\x{590}-\x{8ff}\x{fb1d}-\x{fdff}\x{fe70}-\x{feff}]")
        },
    ),
];

/// The formats no oracle here decides: the jsonschema crate (built without its IDNA support)
/// accepts every string for them, and the `idna` crate implements UTS #46, which maps (case
/// folds, normalizes) where IDNA2008 refuses. They are checked against the suite and between the
/// two languages only.
const NO_ORACLE: &[&str] = &["idn-hostname", "idn-email"];

fn suite_strings(file: &str) -> Vec<String> {
    let path = devicekey_conformance::repo_root()
        .join("../shared/vendor/json-schema-test-suite/tests/draft7/optional/format")
        .join(format!("{file}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let groups: Value = serde_json::from_str(&text).expect("suite JSON");
    let mut out = Vec::new();
    for group in groups.as_array().into_iter().flatten() {
        for test in group["tests"].as_array().into_iter().flatten() {
            if let Some(s) = test["data"].as_str() {
                out.push(s.to_owned());
            }
        }
    }
    out
}

/// The seeds and their variants: each code point deleted, replaced by every other code point of
/// `alphabet` (alternating by position), or preceded by one of its first eight; the seed cut after
/// each code point. `related` seeds (other formats' strings) are taken as they are.
fn sweep(seeds: &[String], related: &[String], alphabet: &str) -> Vec<String> {
    let alphabet: Vec<char> = alphabet.chars().collect();
    let mut out: BTreeSet<String> = related.iter().cloned().collect();
    for seed in seeds {
        out.insert(seed.clone());
        let chars: Vec<char> = seed.chars().collect();
        if chars.len() > 64 {
            continue;
        }
        for i in 0..=chars.len() {
            let head: String = chars.iter().take(i).collect();
            let rest: String = chars.iter().skip(i).collect();
            let after: String = chars.iter().skip(i + 1).collect();
            out.insert(head.clone());
            for (j, &c) in alphabet.iter().enumerate() {
                if i < chars.len() && (i + j) % 2 == 0 {
                    out.insert(format!("{head}{c}{after}"));
                }
                if j < 8 {
                    out.insert(format!("{head}{c}{rest}"));
                }
            }
            if i < chars.len() {
                out.insert(format!("{head}{after}"));
            }
        }
    }
    out.into_iter().collect()
}

/// The generated Rust check of `format`.
fn rust_check(format: &str, s: &str) -> bool {
    use devicekey_protocol::formats as f;
    match format {
        "date-time" => f::is_date_time(s),
        "date" => f::is_date(s),
        "time" => f::is_time(s),
        "email" => f::is_email(s),
        "idn-email" => f::is_idn_email(s),
        "hostname" => f::is_hostname(s),
        "idn-hostname" => f::is_idn_hostname(s),
        "ipv4" => f::is_ipv4(s),
        "ipv6" => f::is_ipv6(s),
        "uri" => f::is_uri(s),
        "uri-reference" => f::is_uri_reference(s),
        "iri" => f::is_iri(s),
        "iri-reference" => f::is_iri_reference(s),
        "json-pointer" => f::is_json_pointer(s),
        "relative-json-pointer" => f::is_relative_json_pointer(s),
        "uri-template" => f::is_uri_template(s),
        "regex" => f::is_regex(s),
        other => panic!("no Rust check for {other}"),
    }
}

/// The Python side, where Python's `idna` package (IDNA2008, RFC 5891-5893, with its own Unicode
/// tables) is installed: `idna.encode` over each string, `1` where it takes it.
const PYTHON_IDNA_SCRIPT: &str = r#"
import json, sys, idna
out = []
for s in json.load(sys.stdin):
    try:
        idna.encode(s)
        out.append("1")
    except Exception:
        out.append("0")
sys.stdout.write("".join(out))
"#;

/// `idna.encode`'s verdicts on `strings`, or `None` where python3 or its `idna` package is absent.
fn python_idna(strings: &[String]) -> Option<Vec<bool>> {
    use std::io::Write;
    let present = std::process::Command::new("python3")
        .args(["-c", "import idna"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !present {
        return None;
    }
    let mut child = std::process::Command::new("python3")
        .args(["-c", PYTHON_IDNA_SCRIPT])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    let input = serde_json::to_vec(strings).expect("JSON");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().expect("python3 output");
    writer.join().expect("writer").expect("write to python3");
    assert!(output.status.success(), "the idna oracle failed");
    assert_eq!(output.stdout.len(), strings.len(), "one verdict per string");
    Some(output.stdout.iter().map(|&b| b == b'1').collect())
}

/// The node side: each format's generated TypeScript check over its strings, and `RegExp`.
const NODE_SCRIPT: &str = r#"
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
const formats = await import(pathToFileURL(process.argv[2]).href);
const input = JSON.parse(readFileSync(0, "utf8"));
const out = {};
for (const [name, strings] of Object.entries(input)) {
  const check = formats["is" + name.split("-").map((p) => p[0].toUpperCase() + p.slice(1)).join("")];
  if (typeof check !== "function") throw new Error(`no TypeScript check for ${name}`);
  out[name] = strings.map((s) => (check(s) ? "1" : "0")).join("");
}
out["RegExp"] = input["regex"].map((s) => { try { new RegExp(s, "u"); return "1"; } catch { return "0"; } }).join("");
process.stdout.write(JSON.stringify(out));
"#;

#[test]
fn standard_formats_agree_in_both_languages_and_with_the_oracles() {
    let dist = built_ts_package();
    let mut by_format: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (format, files) in FORMATS {
        let mut seeds: Vec<String> = files
            .iter()
            .take(1)
            .flat_map(|f| suite_strings(f))
            .collect();
        let related: Vec<String> = files
            .iter()
            .skip(1)
            .flat_map(|f| suite_strings(f))
            .collect();
        for (name, extra) in EXTRA_SEEDS {
            if name == format {
                seeds.extend(extra.iter().map(|s| (*s).to_owned()));
            }
        }
        let alphabet = if *format == "regex" {
            format!("{REGEX_ALPHABET}{ALPHABET}")
        } else {
            ALPHABET.to_owned()
        };
        by_format.insert(format, sweep(&seeds, &related, &alphabet));
    }
    let total: usize = by_format.values().map(Vec::len).sum();
    assert!(total >= 100_000, "the sweep has only {total} strings");

    let dir = tempfile::tempdir().expect("temporary folder");
    let script = dir.path().join("standard-formats.mjs");
    std::fs::write(&script, NODE_SCRIPT).expect("node script");
    let input: serde_json::Map<String, Value> = by_format
        .iter()
        .map(|(k, v)| ((*k).to_owned(), json!(v)))
        .collect();
    let module = dist.join("formats.js");
    let ts = run_node(
        &script,
        &[module.to_str().expect("utf-8 path")],
        &Value::Object(input),
    );
    let bits = |key: &str, n: usize| -> Vec<bool> {
        let text = ts[key]
            .as_str()
            .unwrap_or_else(|| panic!("no {key} in the node output"));
        assert_eq!(text.len(), n, "{key}: one verdict per string");
        text.bytes().map(|b| b == b'1').collect()
    };

    let mut failures = Vec::new();
    for (format, strings) in &by_format {
        let ts_verdicts = bits(format, strings.len());
        let reference = devicekey_conformance::reference_for(&json!({"format": format}))
            .expect("reference validator");
        let mut accepted = 0;
        let mut language_mismatch = 0;
        let mut oracle_mismatch: Vec<String> = Vec::new();
        let regexp = if *format == "regex" {
            Some(bits("RegExp", strings.len()))
        } else {
            None
        };
        let mut known = BTreeMap::new();
        let idna_verdicts = if *format == "idn-hostname" {
            python_idna(strings)
        } else {
            None
        };
        let mut idna_mismatch: Vec<String> = Vec::new();
        for (k, s) in strings.iter().enumerate() {
            let rust = rust_check(format, s);
            accepted += usize::from(rust);
            if rust != ts_verdicts[k] {
                language_mismatch += 1;
                if language_mismatch <= 20 {
                    failures.push(format!(
                        "{format} {s:?}: Rust {rust}, TypeScript {}",
                        ts_verdicts[k]
                    ));
                }
            }
            let oracle = match *format {
                "ipv4" => s.parse::<Ipv4Addr>().is_ok(),
                "ipv6" => s.parse::<Ipv6Addr>().is_ok(),
                "regex" => regexp.as_ref().map_or(rust, |r| r[k]),
                _ => reference.is_valid(&Value::String(s.clone())),
            };
            if let Some(python) = idna_verdicts.as_ref().map(|v| v[k]) {
                if rust != python {
                    let kind = IDNA_DIFFERENCES.iter().find(|(_, applies)| applies(s));
                    match kind {
                        Some((reason, _)) => *known.entry(*reason).or_insert(0usize) += 1,
                        None => idna_mismatch.push(format!("{s:?}: format {rust}, idna {python}")),
                    }
                }
            }
            if rust != oracle && !NO_ORACLE.contains(format) {
                let kind = KNOWN_DIFFERENCES
                    .iter()
                    .find(|(name, _, applies)| name == format && applies(s));
                if let Some((_, reason, _)) = kind {
                    *known.entry(*reason).or_insert(0usize) += 1;
                    continue;
                }
                oracle_mismatch.push(format!("{s:?}: format {rust}, oracle {oracle}"));
            }
        }
        let oracle_name = match *format {
            f if NO_ORACLE.contains(&f) => "no oracle",
            "ipv4" | "ipv6" => "std::net",
            "regex" => "Node's RegExp",
            _ => "the jsonschema crate",
        };
        println!(
            "{format}: {} strings, {accepted} accepted, Rust/TypeScript differ on {language_mismatch}, {oracle_name} differs on {}{}",
            strings.len(),
            oracle_mismatch.len(),
            known
                .iter()
                .map(|(reason, n)| format!("; known difference on {n}: {reason}"))
                .collect::<String>()
        );
        for m in oracle_mismatch
            .iter()
            .take(if std::env::var_os("FORMAT_SWEEP_ALL").is_some() {
                usize::MAX
            } else {
                12
            })
        {
            println!("  {m}");
        }
        if *format == "idn-hostname" {
            match &idna_verdicts {
                None => {
                    println!("  Python's idna package is not installed: no oracle for {format}")
                }
                Some(_) => println!("  Python's idna differs on {}", idna_mismatch.len()),
            }
            for m in idna_mismatch
                .iter()
                .take(if std::env::var_os("FORMAT_SWEEP_ALL").is_some() {
                    usize::MAX
                } else {
                    12
                })
            {
                println!("  {m}");
            }
            if !idna_mismatch.is_empty() {
                failures.push(format!(
                    "{format}: {} strings differ from Python's idna and are of no known kind, e.g. {}",
                    idna_mismatch.len(),
                    idna_mismatch.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
                ));
            }
        }
        if !oracle_mismatch.is_empty() {
            failures.push(format!(
                "{format}: {} strings differ from {oracle_name} and are of no known kind, e.g. {}",
                oracle_mismatch.len(),
                oracle_mismatch
                    .iter()
                    .take(5)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        assert!(accepted > 0, "{format}: the sweep accepts nothing");
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Long hostile strings (100,000 code points and more: many named groups, labels, dots, escapes,
/// nesting) take each format's check, in both languages, in time linear in their length (a
/// quadratic check would take minutes here; the bound is loose for a shared, debug-built
/// machine), never a hang or a crash, and the two languages agree on them.
#[test]
fn standard_formats_take_long_strings_in_linear_time() {
    let n = 100_000;
    let named_groups: String = (0..n / 10).map(|i| format!("(?<g{i}>)\\k<g{i}>")).collect();
    let hostile = [
        "a".repeat(n),
        "a.".repeat(n / 2),
        "xn--".repeat(n / 4),
        "\u{5d0}\u{30fb}\u{200c}".repeat(n / 3),
        "%41".repeat(n / 3),
        "{a}".repeat(n / 3),
        "1:".repeat(n / 2),
        "(".repeat(n),
        "[".repeat(n),
        "\\p{".repeat(n / 3),
        named_groups,
        format!("{}@{}", "a".repeat(n / 2), "b.".repeat(n / 4)),
    ];
    let started = std::time::Instant::now();
    let mut input = serde_json::Map::new();
    for (format, _) in FORMATS {
        for s in &hostile {
            rust_check(format, s);
        }
        input.insert((*format).to_owned(), json!(hostile));
    }
    let rust_time = started.elapsed();
    let dist = built_ts_package();
    let dir = tempfile::tempdir().expect("temporary folder");
    let script = dir.path().join("standard-formats.mjs");
    std::fs::write(&script, NODE_SCRIPT).expect("node script");
    let started = std::time::Instant::now();
    let ts = run_node(
        &script,
        &[dist.join("formats.js").to_str().expect("utf-8 path")],
        &Value::Object(input),
    );
    let ts_time = started.elapsed();
    for (format, _) in FORMATS {
        let verdicts: Vec<bool> = hostile.iter().map(|s| rust_check(format, s)).collect();
        let ts_verdicts: Vec<bool> = ts[*format]
            .as_str()
            .expect("verdicts")
            .bytes()
            .map(|b| b == b'1')
            .collect();
        assert_eq!(
            verdicts, ts_verdicts,
            "{format}: Rust and TypeScript differ"
        );
    }
    println!("long strings: Rust {rust_time:?}, TypeScript (with node start) {ts_time:?}");
    assert!(
        rust_time.as_secs() < 60 && ts_time.as_secs() < 60,
        "too slow: Rust {rust_time:?}, TypeScript {ts_time:?}"
    );
}
