//! The `origin` format against the URL standard: over a deterministic sweep of ~240,000 strings,
//! the generated Rust check agrees with the `url` crate and the generated TypeScript check with
//! Node's `URL` (each: parses as http(s) and the origin serializes to the string itself), and the
//! two generated checks agree with each other. Over a hundred thousand of the strings hold `xn--`
//! labels of both classes (letters of many scripts, combining marks, right-to-left next to
//! left-to-right, joiners in and out of context, non-NFC, mapped and disallowed code points, upper
//! case in the Punycode), and each class must hold thousands.
//!
//! Only where the `url` crate and Node's `URL` disagree with each other (`ORACLES_DISAGREE`, by
//! kind of `xn--` label: invalid Punycode, code points of Unicode after 15.0, the Bidi rule) may
//! the format differ from one of them, and there it gives the kind's verdict in both languages.

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
        reason: "an `xn--` label whose Punycode starts with its delimiter (the last `-`) has no basic \
                 code points, for which the encoder writes no delimiter: the url crate refuses it, \
                 Node's URL decodes it (`xn---zca` as `ß`); not Punycode as written, so refused",
        applies: |code| code.rfind('-') == Some(0),
        format: false,
        examples: &["https://xn---zca.com", "https://xn---9a.com"],
    },
    OraclesDisagree {
        reason: "an `xn--` label of more than 2000 Punycode characters, or decoding to more than 1000 \
                 code points: the url crate refuses it (a bound on the quadratic Punycode coding, \
                 which the URL standard leaves to implementations), Node's URL takes it; refused, \
                 which bounds the format's work too",
        applies: |code| code.len() > 2000 || idna::punycode::decode(code).is_some_and(|label| label.len() > 1000),
        format: false,
        examples: &[],
    },
    OraclesDisagree {
        reason: "an `xn--` label decoding to a code point that UTS #46 keeps in Unicode 17.0 (the \
                 url crate's data and the format's tables) but not in 15.0 (Node's URL's, which \
                 knows no later letters: U+2EBF0 of 15.1, Garay's U+10D4A of 16.0, Beria Erfe's \
                 U+16EBB of 17.0); accepted, as in 17.0",
        applies: |code| {
            idna::punycode::decode(code).is_some_and(|label| {
                label.iter().any(|&c| {
                    UTS46_VERSION_DIFFERENCES
                        .iter()
                        .any(|&(start, end, valid)| valid && (start..=end).contains(&u32::from(c)))
                })
            })
        },
        format: true,
        examples: &["https://xn--9f0d", "https://xn--8g0n", "https://xn--zs0f"],
    },
    OraclesDisagree {
        reason: "a host with an `xn--` label of a right-to-left script (a Bidi domain name) whose \
                 labels break the Bidi rule (RFC 5893): a left-to-right letter before a \
                 right-to-left one (`a` and U+06FF for `a-czc`), a label starting with a digit or \
                 ending in `-`, European and Arabic digits mixed; the url crate checks it \
                 (CheckBidi, as the URL standard says), Node's URL does not; refused",
        applies: |code| {
            idna::punycode::decode(code).is_some_and(|label| {
                label.iter().any(|&c| {
                    let c = u32::from(c);
                    (0x0590..=0x08ff).contains(&c)
                        || (0xfb1d..=0xfdff).contains(&c)
                        || (0xfe70..=0xfeff).contains(&c)
                        || (0x10800..=0x10fff).contains(&c)
                        || (0x1e800..=0x1efff).contains(&c)
                })
            })
        },
        format: false,
        examples: &[
            "https://xn--a-czc.com",
            "https://xn--9-czc.com",
            "https://1a.xn--mgbh0fb",
            "https://xn--mgbh0fb.a-",
        ],
    },
];

// BEGIN IDNA VERSION DIFFERENCES: written by tools/idna_tables.py; the code points whose UTS #46
// validity differs between Unicode 15.0.0 and 17.0.0, and whether 17.0.0 keeps them.
const UTS46_VERSION_DIFFERENCES: &[(u32, u32, bool)] = &[
    (0x88f, 0x88f, true),
    (0x897, 0x897, true),
    (0xc5c, 0xc5c, true),
    (0xcdc, 0xcdc, true),
    (0x1806, 0x1806, true),
    (0x1acf, 0x1add, true),
    (0x1ae0, 0x1aeb, true),
    (0x1b4e, 0x1b4f, true),
    (0x1b7f, 0x1b7f, true),
    (0x1c8a, 0x1c8a, true),
    (0x20c1, 0x20c1, true),
    (0x2427, 0x2429, true),
    (0x2b96, 0x2b96, true),
    (0x31e4, 0x31e5, true),
    (0xa7cd, 0xa7cd, true),
    (0xa7cf, 0xa7cf, true),
    (0xa7db, 0xa7db, true),
    (0xfbc3, 0xfbd2, true),
    (0xfd90, 0xfd91, true),
    (0xfdc8, 0xfdce, true),
    (0x105c0, 0x105f3, true),
    (0x10940, 0x10959, true),
    (0x10d40, 0x10d4f, true),
    (0x10d69, 0x10d85, true),
    (0x10d8e, 0x10d8f, true),
    (0x10ec2, 0x10ec7, true),
    (0x10ed0, 0x10ed8, true),
    (0x10efa, 0x10efc, true),
    (0x11380, 0x11389, true),
    (0x1138b, 0x1138b, true),
    (0x1138e, 0x1138e, true),
    (0x11390, 0x113b5, true),
    (0x113b7, 0x113c0, true),
    (0x113c2, 0x113c2, true),
    (0x113c5, 0x113c5, true),
    (0x113c7, 0x113ca, true),
    (0x113cc, 0x113d5, true),
    (0x113d7, 0x113d8, true),
    (0x113e1, 0x113e2, true),
    (0x116d0, 0x116e3, true),
    (0x11b60, 0x11b67, true),
    (0x11bc0, 0x11be1, true),
    (0x11bf0, 0x11bf9, true),
    (0x11db0, 0x11ddb, true),
    (0x11de0, 0x11de9, true),
    (0x11f5a, 0x11f5a, true),
    (0x13460, 0x143fa, true),
    (0x16100, 0x16139, true),
    (0x16d40, 0x16d79, true),
    (0x16ebb, 0x16ed3, true),
    (0x16ff2, 0x16ff6, true),
    (0x187f8, 0x187ff, true),
    (0x18cff, 0x18cff, true),
    (0x18d09, 0x18d1e, true),
    (0x18d80, 0x18df2, true),
    (0x1cc00, 0x1ccd5, true),
    (0x1ccfa, 0x1ccfc, true),
    (0x1cd00, 0x1ceb3, true),
    (0x1ceba, 0x1ced0, true),
    (0x1cee0, 0x1cef0, true),
    (0x1e5d0, 0x1e5fa, true),
    (0x1e5ff, 0x1e5ff, true),
    (0x1e6c0, 0x1e6de, true),
    (0x1e6e0, 0x1e6f5, true),
    (0x1e6fe, 0x1e6ff, true),
    (0x1f6d8, 0x1f6d8, true),
    (0x1f777, 0x1f77a, true),
    (0x1f8b2, 0x1f8bb, true),
    (0x1f8c0, 0x1f8c1, true),
    (0x1f8d0, 0x1f8d8, true),
    (0x1fa54, 0x1fa57, true),
    (0x1fa89, 0x1fa8a, true),
    (0x1fa8e, 0x1fa8f, true),
    (0x1fabe, 0x1fabe, true),
    (0x1fac6, 0x1fac6, true),
    (0x1fac8, 0x1fac8, true),
    (0x1facd, 0x1facd, true),
    (0x1fadc, 0x1fadc, true),
    (0x1fadf, 0x1fadf, true),
    (0x1fae9, 0x1faea, true),
    (0x1faef, 0x1faef, true),
    (0x1fbcb, 0x1fbef, true),
    (0x1fbfa, 0x1fbfa, true),
    (0x2b73a, 0x2b73f, true),
    (0x2cea2, 0x2cead, true),
    (0x2ebf0, 0x2ee5d, true),
    (0x323b0, 0x33479, true),
];
// END IDNA VERSION DIFFERENCES

/// One reason for the `url` crate and Node's `URL` to disagree.
struct OraclesDisagree {
    reason: &'static str,
    /// Whether an `xn--` label (without the prefix) is of this kind.
    applies: fn(&str) -> bool,
    /// The format's verdict on such strings.
    format: bool,
    /// Strings of this kind, which the sweep must hold and the oracles must disagree on (and the
    /// sweep must hold at least one string of each kind).
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

/// Code points for `xn--` labels, of both classes: letters UTS #46 keeps from many scripts (left to
/// right and right to left, with their joining types), combining marks (a virama among them),
/// digits (European and Arabic), the joiners, deviations, and code points it maps, ignores or
/// disallows (upper case, compatibility forms, controls), with the parts of composed letters.
const IDN_CHARS: &[char] = &[
    'a',
    '1',
    '-',
    'é',
    'e',
    '\u{301}',
    '\u{323}',
    '\u{1e0b}',
    'ß',
    'ς',
    'α',
    'д',
    'Ä',
    'ﬁ',
    'Ａ',
    'ℂ',
    '\u{ad}',
    '\u{a0}',
    '\u{fffd}',
    '\u{2028}',
    'ա',
    'א',
    '\u{5b0}',
    'ب',
    'ا',
    'ء',
    '\u{640}',
    '\u{64b}',
    '٣',
    '۳',
    'ܐ',
    'ހ',
    'क',
    '\u{94d}',
    'ক',
    'த',
    'ไ',
    'ລ',
    'ཀ',
    'ა',
    '한',
    '\u{1100}',
    '\u{1161}',
    '中',
    '\u{f900}',
    'あ',
    'ア',
    'አ',
    '😀',
    '\u{200c}',
    '\u{200d}',
    '\u{10d4a}',
    '\u{16ea0}',
    '\u{16ebb}',
    '\u{2ebf0}',
    '\u{1e800}',
    '\u{e0100}',
    '\u{10ffff}',
];

/// More code points, swept alone and in pairs with each other and with `IDN_CHARS`: more scripts
/// (N'Ko and Adlam right to left, Tifinagh, Mongolian, Javanese, Cherokee, Devanagari's nukta and
/// Tibetan's vowel signs, kana with its voicing mark), forms UTS #46 maps (presentation forms,
/// half width, title case, capital Adlam, Cherokee small letters, the Ohm sign, composition
/// exclusions), ignores (a variation selector) or keeps (dotless i, a regional indicator).
const MORE_IDN_CHARS: &[char] = &[
    'ߊ',
    '\u{1e922}',
    '\u{1e900}',
    'ⴰ',
    'ᠠ',
    'ꦄ',
    'Ꭰ',
    '\u{ab70}',
    'ﭐ',
    'ﬠ',
    '\u{fb1d}',
    'ॐ',
    '\u{93c}',
    '\u{95c}',
    '\u{f71}',
    '\u{f72}',
    '\u{f73}',
    'ǅ',
    'ŉ',
    'İ',
    'ı',
    'ﾊ',
    '\u{3099}',
    'か',
    '\u{e01ef}',
    '\u{1f1e6}',
    '\u{1d15e}',
    '\u{2126}',
    'Ω',
    '\u{344}',
    'ω',
    '\u{342}',
    '\u{345}',
];

/// `https://` hosts with `xn--` labels: every string of one or two `IDN_CHARS` and a third of those
/// of three, and the `MORE_IDN_CHARS` strings, each with a non-ASCII code point, Punycode-encoded;
/// labels for single rules; some of them beside ASCII and other IDN labels (left-to-right next to
/// right-to-left: the Bidi rule spans the host); and a few with upper case in the Punycode.
fn idn_sweep() -> Vec<String> {
    let mut labels = Vec::new();
    for a in IDN_CHARS {
        labels.push(vec![*a]);
        for b in IDN_CHARS {
            labels.push(vec![*a, *b]);
            // Every third string of three, each third in turn, to keep the sweep to seconds.
            let shift = labels.len();
            for c in IDN_CHARS.iter().skip(shift % 3).step_by(3) {
                labels.push(vec![*a, *b, *c]);
            }
        }
    }
    for a in MORE_IDN_CHARS {
        labels.push(vec![*a]);
        for b in MORE_IDN_CHARS.iter().chain(IDN_CHARS) {
            labels.push(vec![*a, *b]);
            labels.push(vec![*b, *a]);
        }
    }
    let encoded: Vec<String> = labels
        .iter()
        .filter(|label| !label.iter().all(char::is_ascii))
        .filter_map(|label| idna::punycode::encode(label))
        .map(|code| format!("xn--{code}"))
        .collect();
    let mut out: Vec<String> = encoded
        .iter()
        .map(|label| format!("https://{label}"))
        .collect();
    // Labels for single rules: a decoded label starting `xn--`, hyphens where CheckHyphens would
    // refuse them, joiners after a virama or between joining letters (with transparent marks
    // between) or not, NFC and not (a mark reordered, Hangul syllables and jamo).
    for label in [
        "xn--é",
        "xn-é",
        "ab--é",
        "-é",
        "é-",
        "क्\u{200d}ष",
        "क्\u{200c}ष",
        "क\u{200d}ष",
        "ب\u{200c}ب",
        "ب\u{64b}\u{200c}\u{64b}ب",
        "ب\u{200c}ا",
        "ا\u{200c}ب",
        "ب\u{200c}",
        "\u{200c}ب",
        "a\u{200c}b",
        "\u{200d}é",
        "\u{1e0d}\u{307}",
        "\u{1e0b}\u{323}",
        "d\u{323}\u{307}",
        "é\u{301}",
        "e\u{301}",
        "한",
        "\u{1112}\u{1161}\u{11ab}",
        "\u{d55c}\u{11ab}",
        "\u{301}é",
    ] {
        let points: Vec<char> = label.chars().collect();
        out.extend(idna::punycode::encode(&points).map(|code| format!("https://xn--{code}")));
    }
    let neighbours = [
        "a",
        "1a",
        "a1",
        "a-",
        "-a",
        "a_b",
        "a.",
        "xn--zca",
        "xn--4gb",
        "xn--mgbh0fb",
    ];
    for label in encoded.iter().step_by(29) {
        for other in neighbours {
            out.push(format!("https://{other}.{label}"));
            out.push(format!("https://{label}.{other}"));
        }
    }
    for label in encoded.iter().step_by(97) {
        out.push(format!("https://{}", label.to_uppercase()));
        out.push(format!(
            "https://xn--{}",
            label.trim_start_matches("xn--").to_uppercase()
        ));
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
        "https://1a.xn--mgbh0fb",
        "https://xn--mgbh0fb.a-",
        "https://xn--9f0d",
        "https://xn--8g0n",
        "https://xn--zs0f",
        "https://münchen.de",
        "https://ß.de",
        "https://ab--c.com",
    ] {
        out.push(s.to_owned());
    }
    out.extend(idn_sweep());
    // Long `xn--` labels, on both sides of the url crate's bounds (2000 Punycode characters, 1000
    // code points decoded).
    for n in [999, 1000, 1001, 1500] {
        let label: Vec<char> = std::iter::repeat_n('é', n).collect();
        out.extend(idna::punycode::encode(&label).map(|code| format!("https://xn--{code}")));
    }
    for n in [1995, 1996, 1997, 2100] {
        let mut label: Vec<char> = std::iter::repeat_n('a', n).collect();
        label.push('é');
        out.extend(idna::punycode::encode(&label).map(|code| format!("https://xn--{code}")));
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
    let mut per_kind = vec![0usize; ORACLES_DISAGREE.len()];
    let mut idn = [0usize; 2];
    let mut accepted = 0;
    for (k, s) in strings.iter().enumerate() {
        let rust = devicekey_protocol::formats::is_origin(s);
        let url_crate = reference_origin(s);
        let (ts, node) = (ts_generated[k], node_url[k]);
        accepted += usize::from(rust);
        if !punycode_labels(s).is_empty() {
            idn[usize::from(rust)] += 1;
        }
        if rust != ts {
            failures.push(format!(
                "{s:?}: generated Rust {rust}, generated TypeScript {ts}"
            ));
        }
        if url_crate != node {
            oracles_disagree.push(s.as_str());
            let labels = punycode_labels(s);
            let found = ORACLES_DISAGREE
                .iter()
                .position(|kind| labels.iter().any(|code| (kind.applies)(code)));
            if let Some(count) = found.and_then(|n| per_kind.get_mut(n)) {
                *count += 1;
            }
            match found.and_then(|n| ORACLES_DISAGREE.get(n)) {
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
            failures.push(format!(
                "{s:?}: the url crate and Node's URL {url_crate}, generated Rust {rust}"
            ));
        }
    }
    for (kind, count) in ORACLES_DISAGREE.iter().zip(&per_kind) {
        if *count == 0 {
            failures.push(format!("no swept string is of the kind {:?}", kind.reason));
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
    assert!(
        idn[0] >= 5_000 && idn[1] >= 5_000,
        "the sweep has {} refused and {} accepted strings with `xn--` labels",
        idn[0],
        idn[1]
    );
    println!(
        "format origin: {} strings swept, {accepted} accepted ({} with `xn--` labels, {} of them \
         accepted); generated Rust = url crate, generated TypeScript = Node's URL, Rust = TypeScript, \
         but for {} listed oracle disagreements (by kind: {per_kind:?}); {:.1?} (after the TypeScript \
         build)",
        strings.len(),
        idn[0] + idn[1],
        idn[1],
        oracles_disagree.len(),
        started.elapsed()
    );
}
