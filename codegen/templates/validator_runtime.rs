//! The generated validators' runtime: the `Validate` trait, instance paths, violations, the sinks
//! that collect every violation or stop at the first, JSON equality, number comparison, and the
//! format primitives.

use std::cmp::Ordering;

use serde_json::{Number, Value};

/// One schema violation, as the JSON-RPC `invalidParams` error data carries it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Violation {
    /// JSON pointer to the offending value in the instance (`""` is the instance itself).
    pub instance_path: String,
    /// Where the violated keyword is: `DeviceKeySignParams.json#/properties/keyId/format`.
    pub schema_path: String,
    /// The violated keyword: `format`, `required`, `additionalProperties`...
    pub keyword: String,
    /// What is wrong, for people.
    pub message: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = if self.instance_path.is_empty() { "the value" } else { &self.instance_path };
        write!(f, "{at} {} ({} at {})", self.message, self.keyword, self.schema_path)
    }
}

/// A protocol type with generated validators: check a JSON value against the type's schema before
/// deserializing it into the type.
pub trait Validate {
    /// The schema type name: `DeviceKeySignParams`.
    const TYPE_NAME: &'static str;
    /// Validates `value` as this type, reporting every violation.
    fn validate(value: &::serde_json::Value) -> Result<(), Vec<Violation>>;
    /// Whether `value` is a valid instance of this type (stops at the first violation).
    fn is_valid(value: &::serde_json::Value) -> bool;
    /// The first `limit` violations of `value` (empty when it is valid); validation stops once
    /// it has them, so the work is bounded by `limit`, not by the size of `value`.
    fn validate_at_most(value: &::serde_json::Value, limit: usize) -> Vec<Violation>;
}

/// Where a value sits in the instance, kept on the stack while validating and rendered as a JSON
/// pointer only when a violation is reported.
#[derive(Debug, Clone, Copy)]
pub enum Path<'a> {
    /// The instance itself.
    Root,
    /// A property of the object at the parent path.
    Key(&'a Path<'a>, &'a str),
    /// An item of the array at the parent path.
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    /// The JSON pointer (RFC 6901) of this path.
    pub fn pointer(&self) -> String {
        let mut segments = Vec::new();
        let mut at = self;
        loop {
            match at {
                Path::Root => break,
                Path::Key(parent, key) => {
                    segments.push(key.replace('~', "~0").replace('/', "~1"));
                    at = parent;
                }
                Path::Index(parent, index) => {
                    segments.push(index.to_string());
                    at = parent;
                }
            }
        }
        let mut out = String::new();
        for segment in segments.iter().rev() {
            out.push('/');
            out.push_str(segment);
        }
        out
    }
}

/// Where violations go.
pub trait Sink {
    /// Whether validation may stop now: the sink has all the violations it wants.
    fn stop(&self) -> bool;
    /// Reports a violation; `message` runs only when the violation is kept.
    fn report(&mut self, path: &Path<'_>, schema_path: &'static str, keyword: &'static str, message: impl FnOnce() -> String);
    /// Whether anything was reported.
    fn failed(&self) -> bool;
}

/// Collects every violation.
#[derive(Debug, Default)]
pub struct CollectAll(Vec<Violation>);

impl CollectAll {
    /// `Ok` when nothing was reported, else every violation in the order reported.
    pub fn into_result(self) -> Result<(), Vec<Violation>> {
        if self.0.is_empty() { Ok(()) } else { Err(self.0) }
    }
}

impl Sink for CollectAll {
    fn stop(&self) -> bool {
        false
    }
    fn report(&mut self, path: &Path<'_>, schema_path: &'static str, keyword: &'static str, message: impl FnOnce() -> String) {
        self.0.push(Violation {
            instance_path: path.pointer(),
            schema_path: schema_path.to_owned(),
            keyword: keyword.to_owned(),
            message: message(),
        });
    }
    fn failed(&self) -> bool {
        !self.0.is_empty()
    }
}

/// Collects violations until it has `limit` of them, then stops validation.
#[derive(Debug)]
pub struct CollectUpTo {
    limit: usize,
    violations: Vec<Violation>,
}

impl CollectUpTo {
    /// A sink that wants at most `limit` violations (at least one).
    pub fn new(limit: usize) -> Self {
        CollectUpTo { limit: limit.max(1), violations: Vec::new() }
    }

    /// The violations collected, in the order reported.
    pub fn into_violations(self) -> Vec<Violation> {
        self.violations
    }
}

impl Sink for CollectUpTo {
    fn stop(&self) -> bool {
        self.violations.len() >= self.limit
    }
    fn report(&mut self, path: &Path<'_>, schema_path: &'static str, keyword: &'static str, message: impl FnOnce() -> String) {
        if self.violations.len() < self.limit {
            self.violations.push(Violation {
                instance_path: path.pointer(),
                schema_path: schema_path.to_owned(),
                keyword: keyword.to_owned(),
                message: message(),
            });
        }
    }
    fn failed(&self) -> bool {
        !self.violations.is_empty()
    }
}

/// Stops validation at the first violation and remembers only that there was one.
#[derive(Debug, Default)]
pub struct StopAtFirst {
    /// Whether a violation was reported.
    failed: bool,
}

impl Sink for StopAtFirst {
    fn stop(&self) -> bool {
        self.failed
    }
    fn report(&mut self, _: &Path<'_>, _: &'static str, _: &'static str, _: impl FnOnce() -> String) {
        self.failed = true;
    }
    fn failed(&self) -> bool {
        self.failed
    }
}

/// JSON equality as JSON Schema defines it: numbers by value, objects without key order.
pub fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => compare_numbers(x, y) == Some(Ordering::Equal),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_equal(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

/// Up to this many items, `all_unique` compares every pair.
const UNIQUE_PAIRWISE_MAX: usize = 8;

/// Whether no two items are equal (as `json_equal` says). A few items are compared pair by pair;
/// more are sorted by a hash that equal items share, and only items of the same hash are compared,
/// so the work grows as n log n. The hash is keyed afresh on every call, so no one can choose
/// items that collide.
pub fn all_unique(items: &[Value]) -> bool {
    if items.len() <= UNIQUE_PAIRWISE_MAX {
        return items.iter().enumerate().all(|(i, a)| items[..i].iter().all(|b| !json_equal(a, b)));
    }
    let keys = std::collections::hash_map::RandomState::new();
    let mut hashed: Vec<(u64, &Value)> = items.iter().map(|item| (json_hash(&keys, item), item)).collect();
    hashed.sort_unstable_by_key(|(hash, _)| *hash);
    hashed.chunk_by(|a, b| a.0 == b.0).all(|run| {
        run.iter().enumerate().all(|(i, (_, a))| run[..i].iter().all(|(_, b)| !json_equal(a, b)))
    })
}

/// A hash of `value` that values equal as `json_equal` says share: a number hashes as its `f64`
/// value (two numbers are equal only if their `f64` values are), an object's members combine in
/// any order.
fn json_hash(keys: &std::collections::hash_map::RandomState, value: &Value) -> u64 {
    use std::hash::{BuildHasher, Hash, Hasher};
    let mut hasher = keys.build_hasher();
    match value {
        Value::Null => hasher.write_u8(0),
        Value::Bool(b) => {
            hasher.write_u8(1);
            hasher.write_u8(u8::from(*b));
        }
        Value::Number(n) => {
            hasher.write_u8(2);
            let f = n.as_f64().unwrap_or(0.0);
            // `-0.0` equals `0.0`.
            hasher.write_u64(if f == 0.0 { 0 } else { f.to_bits() });
        }
        Value::String(s) => {
            hasher.write_u8(3);
            s.hash(&mut hasher);
        }
        Value::Array(items) => {
            hasher.write_u8(4);
            hasher.write_usize(items.len());
            for item in items {
                hasher.write_u64(json_hash(keys, item));
            }
        }
        Value::Object(map) => {
            hasher.write_u8(5);
            hasher.write_usize(map.len());
            let mut members = 0u64;
            for (key, item) in map {
                let mut member = keys.build_hasher();
                key.hash(&mut member);
                member.write_u64(json_hash(keys, item));
                members = members.wrapping_add(member.finish());
            }
            hasher.write_u64(members);
        }
    }
    hasher.finish()
}

/// Compares two numbers as the binary64 doubles their texts read as, as JavaScript compares them:
/// exact for every integer within ±(2^53 − 1) and the same verdict as the TypeScript validators
/// beyond (where the numeric keywords refuse a value first, see `is_exact`).
pub fn compare_numbers(x: &Number, y: &Number) -> Option<Ordering> {
    x.as_f64()?.partial_cmp(&y.as_f64()?)
}

/// Whether a number lies within ±(2^53 − 1), where every integer is exactly one double, so
/// JavaScript holds the value its text says. The numeric keywords refuse any other number, in
/// both languages.
pub fn is_exact(n: &Number) -> bool {
    n.as_f64().is_some_and(|f| f.abs() <= 9_007_199_254_740_991.0)
}

/// Draft-07 `integer`: any number with no fractional part (`1.0` is an integer).
pub fn is_integer(n: &Number) -> bool {
    n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.is_finite() && f.fract() == 0.0)
}

/// Whether `s` has at least `limit` Unicode code points.
pub fn has_min_chars(s: &str, limit: usize) -> bool {
    s.len() >= limit && (s.len() >= limit.saturating_mul(4) || s.chars().count() >= limit)
}

/// Whether `s` has at most `limit` Unicode code points.
pub fn has_max_chars(s: &str, limit: usize) -> bool {
    s.len() <= limit || s.chars().count() <= limit
}

/// Format primitive: `prefix` (one of `prefixes`, or none when empty) then canonical unpadded
/// base64url (RFC 4648 §5 alphabet, no `=`, no stray trailing bits) decoding to
/// `min_bytes..=max_bytes` bytes.
pub fn is_prefixed_base64url(s: &str, prefixes: &[&str], min_bytes: usize, max_bytes: Option<usize>) -> bool {
    let bytes = if prefixes.is_empty() {
        s.as_bytes()
    } else {
        // Byte by byte: the prefixes are a few short strings, cheaper compared inline than by
        // `memcmp`.
        let starts_with = |p: &str| p.len() <= s.len() && p.bytes().zip(s.bytes()).all(|(a, b)| a == b);
        match prefixes.iter().find(|p| starts_with(p)).and_then(|p| s.as_bytes().get(p.len()..)) {
            Some(body) => body,
            None => return false,
        }
    };
    let tail = bytes.len() % 4;
    if tail == 1 {
        return false;
    }
    let decoded = bytes.len() / 4 * 3 + tail.saturating_sub(1);
    if decoded < min_bytes || max_bytes.is_some_and(|max| decoded > max) {
        return false;
    }
    is_canonical_base64_body::<b'-', b'_'>(bytes)
}

/// Format primitive: canonical standard base64 with padding (RFC 4648 §4 alphabet; a multiple of
/// 4 characters, `=` exactly as needed and only at the end, no stray trailing bits, no white space)
/// decoding to `min_bytes..=max_bytes` bytes.
pub fn is_base64(s: &str, min_bytes: usize, max_bytes: Option<usize>) -> bool {
    let bytes = s.as_bytes();
    if bytes.len() % 4 != 0 {
        return false;
    }
    let padding = if bytes.ends_with(b"==") {
        2
    } else if bytes.ends_with(b"=") {
        1
    } else {
        0
    };
    // A multiple of 4 that ends in `=` is at least 4 long, so this does not underflow.
    let decoded = bytes.len() / 4 * 3 - padding;
    if decoded < min_bytes || max_bytes.is_some_and(|max| decoded > max) {
        return false;
    }
    is_canonical_base64_body::<b'+', b'/'>(&bytes[..bytes.len() - padding])
}

/// Whether `body` (unpadded, its length not 1 modulo 4) is all base64 characters, with `C62` and
/// `C63` for the values 62 and 63, and its last character carries no stray trailing bits. The
/// alphabet test is one branch-free pass (the compiler checks many bytes at a time).
fn is_canonical_base64_body<const C62: u8, const C63: u8>(body: &[u8]) -> bool {
    let mut ok = true;
    for &b in body {
        ok &= b.is_ascii_alphanumeric() | (b == C62) | (b == C63);
    }
    if !ok {
        return false;
    }
    let last = match body.last() {
        Some(&b @ b'A'..=b'Z') => b - b'A',
        Some(&b @ b'a'..=b'z') => b - b'a' + 26,
        Some(&b @ b'0'..=b'9') => b - b'0' + 52,
        Some(&b) if b == C62 => 62,
        _ => 63,
    };
    match body.len() % 4 {
        2 => last & 0x0f == 0,
        3 => last & 0x03 == 0,
        _ => true,
    }
}

/// Format primitive: an `http`/`https` origin in its own ASCII serialization (the URL standard's):
/// the strings `s` whose origin the URL parser serializes as `s` itself. A domain is any non-empty
/// run of printable ASCII other than upper-case letters and the forbidden domain code points (empty
/// labels, a trailing dot, `_`, edge hyphens and long labels are the URL standard's to accept); a
/// host whose last label is a number is an IPv4 address and must be a canonical dotted quad; an
/// `xn--` label must be Punycode of a label that UTS #46 keeps (see `is_valid_punycode_label`).
pub fn is_origin(s: &str) -> bool {
    common_origin(s.as_bytes()).unwrap_or_else(|| is_any_origin(s))
}

/// `is_origin` for the common shapes, in one pass over the bytes: `http://` or `https://`, a host
/// of lower-case letters, digits, `-` and `.` (a domain whose last label starts with a letter and
/// no label starts `xn--`, or digits and dots ending in a digit, an IPv4 address), then an
/// optional `:` and port. `None` for any other host, which `is_any_origin` decides.
fn common_origin(s: &[u8]) -> Option<bool> {
    let (rest, default_port): (&[u8], u32) = if let Some(rest) = s.strip_prefix(b"https://") {
        (rest, 443)
    } else if let Some(rest) = s.strip_prefix(b"http://") {
        (rest, 80)
    } else {
        return Some(false);
    };
    // The first byte of the current label (0 while it is empty), and whether only digits and dots
    // have been seen.
    let (mut label_first, mut numeric) = (0u8, true);
    let mut end = rest.len();
    for (i, &b) in rest.iter().enumerate() {
        match b {
            b'a'..=b'z' | b'-' => {
                numeric = false;
                if label_first == 0 {
                    label_first = b;
                    if b == b'x' && rest.get(i + 1..i + 4) == Some(b"n--") {
                        return None;
                    }
                }
            }
            b'0'..=b'9' => {
                if label_first == 0 {
                    label_first = b;
                }
            }
            b'.' => label_first = 0,
            b':' => {
                end = i;
                break;
            }
            _ => return None,
        }
    }
    let (host, port) = rest.split_at(end);
    let host_ok = match host.last() {
        // Digits and dots ending in a digit: the URL standard reads an IPv4 address.
        Some(last) if numeric && last.is_ascii_digit() => is_canonical_ipv4(host),
        // The last label starts with a letter: not a number, and every byte a domain byte.
        Some(_) if !numeric && label_first.is_ascii_lowercase() => true,
        _ => return None,
    };
    Some(host_ok && port.split_first().is_none_or(|(_, digits)| is_port(digits, default_port)))
}

/// A port after an origin's `:`: 1 to 5 digits without a leading zero, at most 65535, and not the
/// scheme's default port (an origin leaves that out).
fn is_port(digits: &[u8], default_port: u32) -> bool {
    if digits.is_empty() || digits.len() > 5 || (digits.len() > 1 && digits.first() == Some(&b'0')) {
        return false;
    }
    let mut port = 0u32;
    for &b in digits {
        if !b.is_ascii_digit() {
            return false;
        }
        port = port * 10 + u32::from(b - b'0');
    }
    port != default_port && port <= 65535
}

/// `is_origin` for every shape (`common_origin` decides the common ones faster, alike).
fn is_any_origin(s: &str) -> bool {
    let (rest, default_port) = if let Some(rest) = s.strip_prefix("https://") {
        (rest, 443)
    } else if let Some(rest) = s.strip_prefix("http://") {
        (rest, 80)
    } else {
        return false;
    };
    let (host, port) = if rest.starts_with('[') {
        match rest.find(']') {
            Some(end) => {
                let after = &rest[end + 1..];
                let port = match after.strip_prefix(':') {
                    Some(port) => Some(port),
                    None if after.is_empty() => None,
                    None => return false,
                };
                (&rest[..=end], port)
            }
            None => return false,
        }
    } else {
        match rest.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (rest, None),
        }
    };
    if port.is_some_and(|port| !is_port(port.as_bytes(), default_port)) {
        return false;
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return is_canonical_ipv6(inner);
    }
    if host.is_empty() {
        return false;
    }
    // One pass over the host: every byte a domain byte, and whether a label starts `xn--`.
    let bytes = host.as_bytes();
    let (mut punycode, mut previous) = (false, b'.');
    for (i, &b) in bytes.iter().enumerate() {
        if !is_domain_byte(b) {
            return false;
        }
        if b == b'x' && previous == b'.' && bytes.get(i + 1..).is_some_and(|rest| rest.starts_with(b"n--")) {
            punycode = true;
        }
        previous = b;
    }
    if ends_in_number(host) {
        is_canonical_ipv4(bytes)
    } else {
        !punycode || host.split('.').all(|label| label.strip_prefix("xn--").is_none_or(is_valid_punycode_label))
    }
}

/// A byte the URL standard's serialization of a domain may hold: printable ASCII other than
/// upper case (mapped to lower case) and the forbidden domain code points.
fn is_domain_byte(b: u8) -> bool {
    b < 128 && (DOMAIN_BYTES >> b) & 1 == 1
}

/// The bytes `is_domain_byte` accepts, as a bit set over the ASCII codes.
const DOMAIN_BYTES: u128 = {
    let mut set = 0u128;
    let mut b = 0x21u8;
    while b < 0x7f {
        set |= 1 << b;
        b += 1;
    }
    let mut b = b'A';
    while b <= b'Z' {
        set &= !(1 << b);
        b += 1;
    }
    let forbidden = b"#%/:<>?@[\\]^|";
    let mut i = 0;
    while i < forbidden.len() {
        set &= !(1 << forbidden[i]);
        i += 1;
    }
    set
};

/// Whether the URL standard reads `host` as an IPv4 address: its last label, ignoring one
/// trailing empty label, is decimal digits or `0x` and hex digits.
fn ends_in_number(host: &str) -> bool {
    let trimmed = host.strip_suffix('.').filter(|rest| !rest.is_empty()).unwrap_or(host);
    let last = trimmed.rsplit('.').next().unwrap_or(trimmed);
    (!last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()))
        || last.strip_prefix("0x").is_some_and(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether `code` (an `xn--` label without its prefix) is Punycode (RFC 3492) as its encoder writes
/// it, decoding to a label with at least one non-ASCII code point, each of which is in `is_known_valid_idn_char`.
/// UTS #46 refuses a label that decodes to ASCII only or to a code point it does not keep as valid.
fn is_valid_punycode_label(code: &str) -> bool {
    let (basic, extended) = match code.rfind('-') {
        // With no basic code points the encoder writes no delimiter: `xn---…` is not Punycode.
        Some(0) => return false,
        Some(dash) => (&code[..dash], &code[dash + 1..]),
        None => ("", code),
    };
    let mut output: Vec<u32> = basic.bytes().map(u32::from).collect();
    let (mut n, mut i, mut bias) = (128u32, 0u32, 72u32);
    let mut digits = extended.bytes();
    while digits.len() > 0 {
        let (old_i, mut w, mut k) = (i, 1u32, 36u32);
        loop {
            let digit = match digits.next() {
                Some(b @ b'a'..=b'z') => u32::from(b - b'a'),
                Some(b @ b'0'..=b'9') => u32::from(b - b'0') + 26,
                _ => return false,
            };
            i = match digit.checked_mul(w).and_then(|step| i.checked_add(step)) {
                Some(i) => i,
                None => return false,
            };
            let t = k.saturating_sub(bias).clamp(1, 26);
            if digit < t {
                break;
            }
            w = match w.checked_mul(36 - t) {
                Some(w) => w,
                None => return false,
            };
            k += 36;
        }
        let length = output.len() as u32 + 1;
        bias = punycode_adapt(i - old_i, length, old_i == 0);
        n = match n.checked_add(i / length) {
            Some(n) => n,
            None => return false,
        };
        i %= length;
        if char::from_u32(n).is_none() {
            return false;
        }
        output.insert(i as usize, n);
        i += 1;
    }
    output.iter().any(|&c| c >= 0x80) && output.iter().all(|&c| c < 0x80 || is_known_valid_idn_char(c))
}

fn punycode_adapt(delta: u32, length: u32, first: bool) -> u32 {
    let mut delta = if first { delta / 700 } else { delta / 2 };
    delta += delta / length;
    let mut k = 0;
    while delta > 455 {
        delta /= 35;
        k += 36;
    }
    k + 36 * delta / (delta + 38)
}

/// The non-ASCII code points an `xn--` label may decode to: `ß` and the lower-case Latin-1 letters
/// `à`–`ö`, `ø`–`ÿ`, each valid in UTS #46, left-to-right, precomposed and not a joiner. This is a
/// subset of what UTS #46 keeps: a label of any other code point is refused, never wrongly taken.
fn is_known_valid_idn_char(c: u32) -> bool {
    (0xdf..=0xf6).contains(&c) || (0xf8..=0xff).contains(&c)
}

/// Four decimal parts of 0 to 255 without leading zeros.
fn is_canonical_ipv4(host: &[u8]) -> bool {
    let mut parts = 0;
    for part in host.split(|&b| b == b'.') {
        parts += 1;
        let canonical = parts <= 4
            && (1..=3).contains(&part.len())
            && part.iter().all(u8::is_ascii_digit)
            && (part.len() == 1 || part.first() != Some(&b'0'))
            && part.iter().fold(0u16, |n, &b| n * 10 + u16::from(b - b'0')) <= 255;
        if !canonical {
            return false;
        }
    }
    parts == 4
}

/// An IPv6 address written as the URL standard serializes it (RFC 5952 compression, lower case):
/// parsed into its eight pieces, then written back and compared, all on the stack.
fn is_canonical_ipv6(text: &str) -> bool {
    /// Parses `part` (hex pieces separated by `:`) into the start of `out`; returns how many.
    fn parse(part: &str, out: &mut [u16; 8]) -> Option<usize> {
        if part.is_empty() {
            return Some(0);
        }
        let mut count = 0;
        for piece in part.split(':') {
            let ok = (1..=4).contains(&piece.len()) && piece.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            if !ok {
                return None;
            }
            *out.get_mut(count)? = u16::from_str_radix(piece, 16).ok()?;
            count += 1;
        }
        Some(count)
    }
    let mut pieces = [0u16; 8];
    let double_colon = |t: &str| t.as_bytes().windows(2).position(|w| w == b"::");
    match double_colon(text) {
        None => {
            if parse(text, &mut pieces) != Some(8) {
                return false;
            }
        }
        Some(at) => {
            let (Some(head), Some(tail)) = (text.get(..at), text.get(at + 2..)) else {
                return false;
            };
            if double_colon(tail).is_some() {
                return false;
            }
            let mut tail_pieces = [0u16; 8];
            let (Some(h), Some(t)) = (parse(head, &mut pieces), parse(tail, &mut tail_pieces)) else {
                return false;
            };
            if h + t >= 8 {
                return false;
            }
            // The gap between the head and the tail stays zero.
            for (to, from) in pieces.iter_mut().skip(8 - t).zip(tail_pieces.iter()) {
                *to = *from;
            }
        }
    }
    serializes_ipv6_as(&pieces, text.as_bytes())
}

/// Whether the URL standard's serializer writes `pieces` as exactly `text`: lower-case hex pieces
/// without leading zeros, the first longest run of two or more zero pieces written `::`.
fn serializes_ipv6_as(pieces: &[u16; 8], text: &[u8]) -> bool {
    let (mut compress, mut longest) = (None, 1);
    let mut i = 0;
    while i < pieces.len() {
        if pieces[i] == 0 {
            let mut j = i;
            while j < pieces.len() && pieces[j] == 0 {
                j += 1;
            }
            if j - i > longest {
                compress = Some(i);
                longest = j - i;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    // At most 8 pieces of 4 digits and 7 separators.
    let mut out = [0u8; 39];
    let mut len = 0;
    let mut push = |b: u8| {
        if let Some(slot) = out.get_mut(len) {
            *slot = b;
        }
        len += 1;
    };
    let mut ignore_zero = false;
    for (i, &piece) in pieces.iter().enumerate() {
        if ignore_zero && piece == 0 {
            continue;
        }
        ignore_zero = false;
        if compress == Some(i) {
            if i == 0 {
                push(b':');
            }
            push(b':');
            ignore_zero = true;
            continue;
        }
        let mut started = false;
        for shift in [12, 8, 4, 0] {
            let digit = (piece >> shift) & 0xf;
            if digit != 0 || started || shift == 0 {
                push(b"0123456789abcdef"[usize::from(digit)]);
                started = true;
            }
        }
        if i != 7 {
            push(b':');
        }
    }
    out.get(..len) == Some(text)
}

/// Format primitive: a number that is an integer within the signed 64-bit range, judged on the
/// double the number's text reads as (as JavaScript reads it), so that both languages give the
/// same verdict: `9223372036854775807` reads as 2^63 and is refused, as in TypeScript.
pub fn is_int64(n: &Number) -> bool {
    n.as_f64().is_some_and(|f| f.is_finite() && f.fract() == 0.0 && f >= -9_223_372_036_854_775_808.0 && f < 9_223_372_036_854_775_808.0)
}

/// A string as JSON text, for messages that quote instance data.
pub fn json_string(s: &str) -> String {
    ::serde_json::Value::String(s.to_owned()).to_string()
}
