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

/// The value of member `name` of `map`: for the few members of an object a protocol schema
/// describes, a scan that compares lengths first is cheaper than the map's ordered search, which
/// calls `memcmp` on every key it passes; a large map is searched.
#[inline]
pub fn member<'a, const N: usize>(
    map: &'a serde_json::Map<String, Value>,
    name: &[u8; N],
) -> Option<&'a Value> {
    if map.len() > 16 {
        // A name of the generated code is UTF-8 text: it came from a JSON string.
        return std::str::from_utf8(name).ok().and_then(|name| map.get(name));
    }
    // A fixed-size comparison, which the compiler does inline rather than by calling `memcmp`.
    let is_name = |(key, _): &(&String, &Value)| <&[u8; N]>::try_from(key.as_bytes()).ok() == Some(name);
    // serde_json's map keeps its keys sorted by their bytes, so a name in the second half of the
    // lower-case alphabet (`type`) is usually found sooner from the end. Either way finds it.
    let found = if name.first().is_some_and(|&b| b > b'm') {
        map.iter().rev().find(is_name)
    } else {
        map.iter().find(is_name)
    };
    found.map(|(_, value)| value)
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
#[inline]
pub fn compare_numbers(x: &Number, y: &Number) -> Option<Ordering> {
    x.as_f64()?.partial_cmp(&y.as_f64()?)
}

/// Whether a number lies within ±(2^53 − 1), where every integer is exactly one double, so
/// JavaScript holds the value its text says. The numeric keywords refuse any other number, in
/// both languages.
#[inline]
pub fn is_exact(n: &Number) -> bool {
    n.as_f64().is_some_and(|f| f.abs() <= 9_007_199_254_740_991.0)
}

/// Draft-07 `integer`: any number with no fractional part (`1.0` is an integer).
#[inline]
pub fn is_integer(n: &Number) -> bool {
    n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.is_finite() && f.fract() == 0.0)
}

/// Whether `s` has at least `limit` Unicode code points.
#[inline]
pub fn has_min_chars(s: &str, limit: usize) -> bool {
    s.len() >= limit && (s.len() >= limit.saturating_mul(4) || s.chars().count() >= limit)
}

/// Whether `s` has at most `limit` Unicode code points.
#[inline]
pub fn has_max_chars(s: &str, limit: usize) -> bool {
    s.len() <= limit || s.chars().count() <= limit
}

/// Format primitive: `prefix` (one of `prefixes`, or none when empty) then canonical unpadded
/// base64url (RFC 4648 §5 alphabet, no `=`, no stray trailing bits) decoding to
/// `min_bytes..=max_bytes` bytes.
#[inline]
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

/// Whether `b` is a base64 character, with `C62` and `C63` for the values 62 and 63: branch-free
/// (`b | 0x20` maps exactly the ASCII letters onto `a..=z`), so the compiler can test a block of
/// bytes at once.
#[inline(always)]
fn is_base64_byte<const C62: u8, const C63: u8>(b: u8) -> bool {
    (b.wrapping_sub(b'0') < 10) | ((b | 0x20).wrapping_sub(b'a') < 26) | (b == C62) | (b == C63)
}

/// Whether every byte of `bytes` is a base64 character: in blocks of 16 (one vector test each),
/// the last block overlapping the one before it rather than leaving a tail byte by byte.
fn is_base64_alphabet<const C62: u8, const C63: u8>(bytes: &[u8]) -> bool {
    let block = |b: &[u8; 16]| b.iter().fold(true, |ok, &c| ok & is_base64_byte::<C62, C63>(c));
    match bytes.last_chunk::<16>() {
        Some(last) => bytes.as_chunks::<16>().0.iter().all(block) && block(last),
        None => bytes.iter().fold(true, |ok, &c| ok & is_base64_byte::<C62, C63>(c)),
    }
}

/// Whether `body` (unpadded, its length not 1 modulo 4) is all base64 characters, with `C62` and
/// `C63` for the values 62 and 63, and its last character carries no stray trailing bits.
fn is_canonical_base64_body<const C62: u8, const C63: u8>(body: &[u8]) -> bool {
    if !is_base64_alphabet::<C62, C63>(body) {
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
/// `xn--` label must be Punycode of a label that UTS #46 keeps as the URL standard applies it
/// (see `is_valid_idn_host`).
pub fn is_origin(s: &str) -> bool {
    common_origin(s.as_bytes()).unwrap_or_else(|| is_any_origin(s))
}

/// `is_origin` for the common shapes: `http://` or `https://`, a host of lower-case letters,
/// digits, `-` and `.` (a domain whose last label starts with a letter and no label starts `xn--`,
/// or digits and dots ending in a digit, an IPv4 address), then an optional `:` and port. `None`
/// for any other host, which `is_any_origin` decides.
///
/// A port has at most 5 digits, so its `:` is among the last 6 bytes; a `:` before those is not a
/// host byte and sends the string to `is_any_origin`. The host's bytes are then classed in one
/// branch-free pass, and only a host with a `-` is searched for an `xn--` label.
fn common_origin(s: &[u8]) -> Option<bool> {
    let (rest, default_port): (&[u8], u32) = if let Some(rest) = s.strip_prefix(b"https://") {
        (rest, 443)
    } else if let Some(rest) = s.strip_prefix(b"http://") {
        (rest, 80)
    } else {
        return Some(false);
    };
    let end = rest
        .iter()
        .enumerate()
        .rev()
        .take(6)
        .find(|(_, &b)| b == b':')
        .map_or(rest.len(), |(i, _)| i);
    let (host, port) = rest.split_at(end);
    let (mut other, mut letters, mut hyphens) = (false, false, false);
    for &b in host {
        let lower = b.wrapping_sub(b'a') < 26;
        let hyphen = b == b'-';
        other |= !(lower | hyphen | (b == b'.') | (b.wrapping_sub(b'0') < 10));
        letters |= lower;
        hyphens |= hyphen;
    }
    if other {
        return None;
    }
    if hyphens
        && host
            .split(|&b| b == b'.')
            .any(|label| label.starts_with(b"xn--"))
    {
        return None;
    }
    let last_label_first = host
        .iter()
        .rposition(|&b| b == b'.')
        .map_or(host.first(), |dot| host.get(dot + 1));
    let host_ok = match (host.last(), last_label_first) {
        // Digits and dots ending in a digit: the URL standard reads an IPv4 address.
        (Some(last), _) if !letters && !hyphens && last.is_ascii_digit() => {
            is_canonical_ipv4(host)
        }
        // The last label starts with a letter: not a number, and every byte a domain byte.
        (Some(_), Some(first)) if first.is_ascii_lowercase() => true,
        _ => return None,
    };
    Some(
        host_ok
            && port
                .split_first()
                .is_none_or(|(_, digits)| is_port(digits, default_port)),
    )
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
        !punycode || is_valid_idn_host(host)
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

/// The code points `code` (an `xn--` label without its prefix) decodes to as Punycode (RFC 3492)
/// written as its encoder writes it, or `None` when it is not.
fn decode_punycode(code: &str) -> Option<Vec<u32>> {
    let (basic, extended) = match code.rfind('-') {
        // With no basic code points the encoder writes no delimiter: `xn---…` is not Punycode.
        Some(0) => return None,
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
                _ => return None,
            };
            i = match digit.checked_mul(w).and_then(|step| i.checked_add(step)) {
                Some(i) => i,
                None => return None,
            };
            let t = k.saturating_sub(bias).clamp(1, 26);
            if digit < t {
                break;
            }
            w = match w.checked_mul(36 - t) {
                Some(w) => w,
                None => return None,
            };
            k += 36;
        }
        let length = output.len() as u32 + 1;
        bias = punycode_adapt(i - old_i, length, old_i == 0);
        n = match n.checked_add(i / length) {
            Some(n) => n,
            None => return None,
        };
        i %= length;
        char::from_u32(n)?;
        output.insert(i as usize, n);
        i += 1;
    }
    Some(output)
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
#[inline]
pub fn is_int64(n: &Number) -> bool {
    // An `i64` reads as a whole double of at least -2^63; only the top few round up to 2^63.
    if let Some(i) = n.as_i64() {
        return (i as f64) < 9_223_372_036_854_775_808.0;
    }
    n.as_f64().is_some_and(|f| f.is_finite() && f.fract() == 0.0 && f >= -9_223_372_036_854_775_808.0 && f < 9_223_372_036_854_775_808.0)
}

/// A string as JSON text, for messages that quote instance data.
pub fn json_string(s: &str) -> String {
    ::serde_json::Value::String(s.to_owned()).to_string()
}

// ---- The `origin` format's `xn--` labels: UTS #46 as the URL standard applies it ----
//
// ToASCII of a host that is already ASCII keeps an `xn--` label only if its Punycode decodes to a
// label that passes UTS #46's validity criteria under the URL standard's options (non-transitional
// processing, CheckHyphens off, CheckBidi and CheckJoiners on). The data is in the IDNA tables
// below, shared with the TypeScript runtime.

/// Whether every `xn--` label of the ASCII `host` is Punycode (of at most `MAX_PUNYCODE_LENGTH`
/// characters, for at most `MAX_IDN_LABEL_LENGTH` code points) of a label that UTS #46 keeps, and,
/// when one of them holds a right-to-left code point (a Bidi domain name), whether every label of
/// the host satisfies the Bidi rule (RFC 5893, section 2).
fn is_valid_idn_host(host: &str) -> bool {
    let mut labels = Vec::new();
    let mut bidi_domain = false;
    for label in host.split('.') {
        let points = match label.strip_prefix("xn--") {
            // Longer Punycode, or a longer label, is refused before its quadratic decoding or
            // encoding (the URL standard leaves the bound to implementations).
            Some(code) if code.len() > MAX_PUNYCODE_LENGTH => return false,
            Some(code) => match decode_punycode(code) {
                Some(points) if points.len() <= MAX_IDN_LABEL_LENGTH && is_valid_idn_label(&points) => points,
                _ => return false,
            },
            None => label.bytes().map(u32::from).collect(),
        };
        bidi_domain |= points.iter().any(|&c| matches!(idna_bidi_class(c), BIDI_R | BIDI_AL | BIDI_AN));
        labels.push(points);
    }
    !bidi_domain || labels.iter().all(|label| satisfies_bidi_rule(label))
}

/// The most Punycode characters after `xn--`, and the most code points a decoded label may have.
const MAX_PUNYCODE_LENGTH: usize = 2000;
const MAX_IDN_LABEL_LENGTH: usize = 1000;

/// UTS #46's validity criteria for a decoded `xn--` label, with the URL standard's options: not
/// ASCII only, every code point valid (or a deviation), NFC, no combining mark first, and the
/// joiners in the contexts RFC 5892 (appendix A) allows. Hyphens go unchecked (CheckHyphens is
/// off), and so does a decoded label that itself starts `xn--`, as both URL parsers do.
fn is_valid_idn_label(label: &[u32]) -> bool {
    label.iter().any(|&c| c >= 0x80)
        && label.iter().all(|&c| c < 0x80 || in_idna_ranges(IDNA_VALID, c))
        && label.first().is_some_and(|&c| !in_idna_ranges(IDNA_MARKS, c))
        && is_nfc(label)
        && joiners_in_context(label)
}

/// The Bidi classes the Bidi rule tells apart (`IDNA_BIDI`'s codes; 0 is L).
const BIDI_L: u32 = 0;
const BIDI_R: u32 = 1;
const BIDI_AL: u32 = 2;
const BIDI_AN: u32 = 3;
const BIDI_EN: u32 = 4;
const BIDI_NSM: u32 = 10;

fn idna_bidi_class(c: u32) -> u32 {
    idna_range_value(IDNA_BIDI, c).unwrap_or(BIDI_L)
}

/// The Bidi rule for one label of a Bidi domain name: it starts with L (a left-to-right label) or
/// R or AL (right-to-left); a left-to-right label holds only L, EN, ES, CS, ET, ON, BN and NSM and
/// ends in L or EN; a right-to-left label holds only R, AL, AN, EN, ES, CS, ET, ON, BN and NSM,
/// ends in R, AL, EN or AN, and does not hold both EN and AN (trailing NSM aside). An empty label
/// passes.
fn satisfies_bidi_rule(label: &[u32]) -> bool {
    let Some((&first, rest)) = label.split_first() else {
        return true;
    };
    let ltr = match idna_bidi_class(first) {
        BIDI_L => true,
        BIDI_R | BIDI_AL => false,
        _ => return false,
    };
    // Everything after the first code point: classes 0 (L), 4 to 10 for a left-to-right label;
    // 1 to 10 for a right-to-left one.
    let (mut en, mut an) = (false, false);
    for &c in rest {
        let class = idna_bidi_class(c);
        let allowed = if ltr { class == BIDI_L || (BIDI_EN..=BIDI_NSM).contains(&class) } else { (BIDI_R..=BIDI_NSM).contains(&class) };
        if !allowed {
            return false;
        }
        en |= class == BIDI_EN;
        an |= class == BIDI_AN;
    }
    if !ltr && en && an {
        return false;
    }
    match label.iter().rev().map(|&c| idna_bidi_class(c)).find(|&class| class != BIDI_NSM) {
        Some(last) if ltr => last == BIDI_L || last == BIDI_EN,
        Some(last) => matches!(last, BIDI_R | BIDI_AL | BIDI_EN | BIDI_AN),
        None => true,
    }
}

/// CheckJoiners (RFC 5892, appendix A): a ZWJ (U+200D) only after a virama; a ZWNJ (U+200C) after
/// a virama or between a left- or dual-joining and a right- or dual-joining letter, with only
/// transparent ones between.
fn joiners_in_context(label: &[u32]) -> bool {
    label.iter().enumerate().all(|(i, &c)| {
        if c != 0x200c && c != 0x200d {
            return true;
        }
        let (before, after) = (label.get(..i).unwrap_or(&[]), label.get(i + 1..).unwrap_or(&[]));
        match before.last() {
            None => false,
            Some(&previous) if idna_range_value(IDNA_CCC, previous) == Some(9) => true,
            Some(_) if c == 0x200d => false,
            Some(_) => joins(before.iter().rev(), [1, 2]) && joins(after.iter(), [1, 3]),
        }
    })
}

/// Whether the first code point of `points` that is not transparent (joining type T) has one of
/// the joining types `wanted` (`IDNA_JOINING`'s codes: 1 D, 2 L, 3 R).
fn joins<'a>(mut points: impl Iterator<Item = &'a u32>, wanted: [u32; 2]) -> bool {
    points
        .find_map(|&c| match idna_range_value(IDNA_JOINING, c) {
            Some(4) => None,
            joining => Some(joining.is_some_and(|t| wanted.contains(&t))),
        })
        .unwrap_or(false)
}

/// Whether `label` is in Normalization Form C: its canonical decomposition, canonically ordered
/// and composed again (UAX #15), is the label itself.
fn is_nfc(label: &[u32]) -> bool {
    let mut decomposed = Vec::with_capacity(label.len());
    for &c in label {
        push_decomposed(c, &mut decomposed, 0);
    }
    // Canonical ordering: a stable sort of each run of non-starters by combining class.
    let classes: Vec<u32> = decomposed.iter().map(|&c| idna_range_value(IDNA_CCC, c).unwrap_or(0)).collect();
    let mut order: Vec<(u32, u32)> = classes.iter().copied().zip(decomposed.iter().copied()).collect();
    let mut start = 0;
    while start < order.len() {
        let end = order.get(start..).and_then(|rest| rest.iter().position(|&(class, _)| class == 0)).map_or(order.len(), |n| start + n);
        if let Some(run) = order.get_mut(start..end) {
            run.sort_by_key(|&(class, _)| class);
        }
        start = end + 1;
    }
    let mut composed: Vec<u32> = Vec::with_capacity(order.len());
    // The starter's index in `composed`, and the class of the last code point kept after it
    // (`None` while nothing is).
    let (mut starter, mut last_class): (Option<usize>, Option<u32>) = (None, None);
    for (class, c) in order {
        if let Some(index) = starter {
            let blocked = last_class.is_some_and(|last| last == 0 || last >= class);
            if !blocked {
                if let Some(slot) = composed.get_mut(index) {
                    if let Some(composite) = compose_pair(*slot, c) {
                        *slot = composite;
                        continue;
                    }
                }
            }
        }
        if class == 0 {
            starter = Some(composed.len());
            last_class = None;
        } else {
            last_class = Some(class);
        }
        composed.push(c);
    }
    composed == label
}

const HANGUL_S: u32 = 0xac00;
const HANGUL_L: u32 = 0x1100;
const HANGUL_V: u32 = 0x1161;
const HANGUL_T: u32 = 0x11a7;
const HANGUL_V_COUNT: u32 = 21;
const HANGUL_T_COUNT: u32 = 28;
const HANGUL_COUNT: u32 = 19 * HANGUL_V_COUNT * HANGUL_T_COUNT;

/// Appends the full canonical decomposition of `c` (Hangul syllables by their algorithm).
fn push_decomposed(c: u32, out: &mut Vec<u32>, depth: u32) {
    if (HANGUL_S..HANGUL_S + HANGUL_COUNT).contains(&c) {
        let index = c - HANGUL_S;
        out.push(HANGUL_L + index / (HANGUL_V_COUNT * HANGUL_T_COUNT));
        out.push(HANGUL_V + index % (HANGUL_V_COUNT * HANGUL_T_COUNT) / HANGUL_T_COUNT);
        if index % HANGUL_T_COUNT != 0 {
            out.push(HANGUL_T + index % HANGUL_T_COUNT);
        }
        return;
    }
    match idna_row(IDNA_DECOMPOSE, 3, c) {
        // Canonical decompositions are a few levels deep at most; the bound only guards the table.
        Some(&[key, first, second]) if key == c && depth < 8 => {
            push_decomposed(first, out, depth + 1);
            if second != 0 {
                push_decomposed(second, out, depth + 1);
            }
        }
        _ => out.push(c),
    }
}

/// The primary composite of `first` and `second`, if they have one.
fn compose_pair(first: u32, second: u32) -> Option<u32> {
    if (HANGUL_L..HANGUL_L + 19).contains(&first) && (HANGUL_V..HANGUL_V + HANGUL_V_COUNT).contains(&second) {
        return Some(HANGUL_S + ((first - HANGUL_L) * HANGUL_V_COUNT + second - HANGUL_V) * HANGUL_T_COUNT);
    }
    if (HANGUL_S..HANGUL_S + HANGUL_COUNT).contains(&first)
        && (first - HANGUL_S) % HANGUL_T_COUNT == 0
        && (HANGUL_T + 1..HANGUL_T + HANGUL_T_COUNT).contains(&second)
    {
        return Some(first + second - HANGUL_T);
    }
    let rows = IDNA_COMPOSE.len() / 3;
    let (mut lo, mut hi) = (0, rows);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match IDNA_COMPOSE.get(mid * 3..mid * 3 + 3) {
            Some(&[a, b, composite]) => match (a, b).cmp(&(first, second)) {
                Ordering::Less => lo = mid + 1,
                Ordering::Greater => hi = mid,
                Ordering::Equal => return Some(composite),
            },
            _ => return None,
        }
    }
    None
}

/// The last row of `width` numbers of `table` (sorted by first number) whose first number is at
/// most `key`.
fn idna_row(table: &[u32], width: usize, key: u32) -> Option<&[u32]> {
    let (mut lo, mut hi) = (0, table.len() / width);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if table.get(mid * width).is_some_and(|&start| start <= key) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    let row = lo.checked_sub(1)?;
    table.get(row * width..row * width + width)
}

/// Whether `c` is in one of the [start, end] pairs of `table`.
fn in_idna_ranges(table: &[u32], c: u32) -> bool {
    matches!(idna_row(table, 2, c), Some(&[_, end]) if c <= end)
}

/// The value of the [start, end, value] triple of `table` holding `c`.
fn idna_range_value(table: &[u32], c: u32) -> Option<u32> {
    match idna_row(table, 3, c) {
        Some(&[_, end, value]) if c <= end => Some(value),
        _ => None,
    }
}

// BEGIN IDNA TABLES: Unicode 17.0.0, written by tools/idna_tables.py (from the `idna` package's UTS #46
// data and `unicodedata2`); regenerate with `python3 tools/idna_tables.py`, never by hand.
/// The code points from U+0080 that UTS #46 non-transitional processing keeps as they are (status valid or deviation), as [start, end] pairs.
const IDNA_VALID: &[u32] = &[
    161, 167, 169, 169, 171, 172, 174, 174, 176, 177, 182, 183, 187, 187, 191, 191, 215, 215, 223,
    255, 257, 257, 259, 259, 261, 261, 263, 263, 265, 265, 267, 267, 269, 269, 271, 271, 273, 273,
    275, 275, 277, 277, 279, 279, 281, 281, 283, 283, 285, 285, 287, 287, 289, 289, 291, 291, 293,
    293, 295, 295, 297, 297, 299, 299, 301, 301, 303, 303, 305, 305, 309, 309, 311, 312, 314, 314,
    316, 316, 318, 318, 322, 322, 324, 324, 326, 326, 328, 328, 331, 331, 333, 333, 335, 335, 337,
    337, 339, 339, 341, 341, 343, 343, 345, 345, 347, 347, 349, 349, 351, 351, 353, 353, 355, 355,
    357, 357, 359, 359, 361, 361, 363, 363, 365, 365, 367, 367, 369, 369, 371, 371, 373, 373, 375,
    375, 378, 378, 380, 380, 382, 382, 384, 384, 387, 387, 389, 389, 392, 392, 396, 397, 402, 402,
    405, 405, 409, 411, 414, 414, 417, 417, 419, 419, 421, 421, 424, 424, 426, 427, 429, 429, 432,
    432, 436, 436, 438, 438, 441, 443, 445, 451, 462, 462, 464, 464, 466, 466, 468, 468, 470, 470,
    472, 472, 474, 474, 476, 477, 479, 479, 481, 481, 483, 483, 485, 485, 487, 487, 489, 489, 491,
    491, 493, 493, 495, 496, 501, 501, 505, 505, 507, 507, 509, 509, 511, 511, 513, 513, 515, 515,
    517, 517, 519, 519, 521, 521, 523, 523, 525, 525, 527, 527, 529, 529, 531, 531, 533, 533, 535,
    535, 537, 537, 539, 539, 541, 541, 543, 543, 545, 545, 547, 547, 549, 549, 551, 551, 553, 553,
    555, 555, 557, 557, 559, 559, 561, 561, 563, 569, 572, 572, 575, 576, 578, 578, 583, 583, 585,
    585, 587, 587, 589, 589, 591, 687, 697, 727, 734, 735, 741, 831, 834, 834, 838, 846, 848, 879,
    881, 881, 883, 883, 885, 885, 887, 887, 891, 893, 912, 912, 940, 974, 983, 983, 985, 985, 987,
    987, 989, 989, 991, 991, 993, 993, 995, 995, 997, 997, 999, 999, 1001, 1001, 1003, 1003, 1005,
    1005, 1007, 1007, 1011, 1011, 1014, 1014, 1016, 1016, 1019, 1020, 1072, 1119, 1121, 1121, 1123,
    1123, 1125, 1125, 1127, 1127, 1129, 1129, 1131, 1131, 1133, 1133, 1135, 1135, 1137, 1137, 1139,
    1139, 1141, 1141, 1143, 1143, 1145, 1145, 1147, 1147, 1149, 1149, 1151, 1151, 1153, 1161, 1163,
    1163, 1165, 1165, 1167, 1167, 1169, 1169, 1171, 1171, 1173, 1173, 1175, 1175, 1177, 1177, 1179,
    1179, 1181, 1181, 1183, 1183, 1185, 1185, 1187, 1187, 1189, 1189, 1191, 1191, 1193, 1193, 1195,
    1195, 1197, 1197, 1199, 1199, 1201, 1201, 1203, 1203, 1205, 1205, 1207, 1207, 1209, 1209, 1211,
    1211, 1213, 1213, 1215, 1215, 1218, 1218, 1220, 1220, 1222, 1222, 1224, 1224, 1226, 1226, 1228,
    1228, 1230, 1231, 1233, 1233, 1235, 1235, 1237, 1237, 1239, 1239, 1241, 1241, 1243, 1243, 1245,
    1245, 1247, 1247, 1249, 1249, 1251, 1251, 1253, 1253, 1255, 1255, 1257, 1257, 1259, 1259, 1261,
    1261, 1263, 1263, 1265, 1265, 1267, 1267, 1269, 1269, 1271, 1271, 1273, 1273, 1275, 1275, 1277,
    1277, 1279, 1279, 1281, 1281, 1283, 1283, 1285, 1285, 1287, 1287, 1289, 1289, 1291, 1291, 1293,
    1293, 1295, 1295, 1297, 1297, 1299, 1299, 1301, 1301, 1303, 1303, 1305, 1305, 1307, 1307, 1309,
    1309, 1311, 1311, 1313, 1313, 1315, 1315, 1317, 1317, 1319, 1319, 1321, 1321, 1323, 1323, 1325,
    1325, 1327, 1327, 1369, 1414, 1416, 1418, 1421, 1423, 1425, 1479, 1488, 1514, 1519, 1524, 1542,
    1563, 1565, 1652, 1657, 1756, 1758, 1805, 1808, 1866, 1869, 1969, 1984, 2042, 2045, 2093, 2096,
    2110, 2112, 2139, 2142, 2142, 2144, 2154, 2160, 2191, 2199, 2273, 2275, 2391, 2400, 2435, 2437,
    2444, 2447, 2448, 2451, 2472, 2474, 2480, 2482, 2482, 2486, 2489, 2492, 2500, 2503, 2504, 2507,
    2510, 2519, 2519, 2528, 2531, 2534, 2558, 2561, 2563, 2565, 2570, 2575, 2576, 2579, 2600, 2602,
    2608, 2610, 2610, 2613, 2613, 2616, 2617, 2620, 2620, 2622, 2626, 2631, 2632, 2635, 2637, 2641,
    2641, 2652, 2652, 2662, 2678, 2689, 2691, 2693, 2701, 2703, 2705, 2707, 2728, 2730, 2736, 2738,
    2739, 2741, 2745, 2748, 2757, 2759, 2761, 2763, 2765, 2768, 2768, 2784, 2787, 2790, 2801, 2809,
    2815, 2817, 2819, 2821, 2828, 2831, 2832, 2835, 2856, 2858, 2864, 2866, 2867, 2869, 2873, 2876,
    2884, 2887, 2888, 2891, 2893, 2901, 2903, 2911, 2915, 2918, 2935, 2946, 2947, 2949, 2954, 2958,
    2960, 2962, 2965, 2969, 2970, 2972, 2972, 2974, 2975, 2979, 2980, 2984, 2986, 2990, 3001, 3006,
    3010, 3014, 3016, 3018, 3021, 3024, 3024, 3031, 3031, 3046, 3066, 3072, 3084, 3086, 3088, 3090,
    3112, 3114, 3129, 3132, 3140, 3142, 3144, 3146, 3149, 3157, 3158, 3160, 3162, 3164, 3165, 3168,
    3171, 3174, 3183, 3191, 3212, 3214, 3216, 3218, 3240, 3242, 3251, 3253, 3257, 3260, 3268, 3270,
    3272, 3274, 3277, 3285, 3286, 3292, 3294, 3296, 3299, 3302, 3311, 3313, 3315, 3328, 3340, 3342,
    3344, 3346, 3396, 3398, 3400, 3402, 3407, 3412, 3427, 3430, 3455, 3457, 3459, 3461, 3478, 3482,
    3505, 3507, 3515, 3517, 3517, 3520, 3526, 3530, 3530, 3535, 3540, 3542, 3542, 3544, 3551, 3558,
    3567, 3570, 3572, 3585, 3634, 3636, 3642, 3647, 3675, 3713, 3714, 3716, 3716, 3718, 3722, 3724,
    3747, 3749, 3749, 3751, 3762, 3764, 3773, 3776, 3780, 3782, 3782, 3784, 3790, 3792, 3801, 3806,
    3807, 3840, 3851, 3853, 3906, 3908, 3911, 3913, 3916, 3918, 3921, 3923, 3926, 3928, 3931, 3933,
    3944, 3946, 3948, 3953, 3954, 3956, 3956, 3962, 3968, 3970, 3986, 3988, 3991, 3993, 3996, 3998,
    4001, 4003, 4006, 4008, 4011, 4013, 4024, 4026, 4028, 4030, 4044, 4046, 4058, 4096, 4255, 4304,
    4347, 4349, 4446, 4449, 4680, 4682, 4685, 4688, 4694, 4696, 4696, 4698, 4701, 4704, 4744, 4746,
    4749, 4752, 4784, 4786, 4789, 4792, 4798, 4800, 4800, 4802, 4805, 4808, 4822, 4824, 4880, 4882,
    4885, 4888, 4954, 4957, 4988, 4992, 5017, 5024, 5109, 5120, 5759, 5761, 5788, 5792, 5880, 5888,
    5909, 5919, 5942, 5952, 5971, 5984, 5996, 5998, 6000, 6002, 6003, 6016, 6067, 6070, 6109, 6112,
    6121, 6128, 6137, 6144, 6154, 6160, 6169, 6176, 6264, 6272, 6314, 6320, 6389, 6400, 6430, 6432,
    6443, 6448, 6459, 6464, 6464, 6468, 6509, 6512, 6516, 6528, 6571, 6576, 6601, 6608, 6618, 6622,
    6683, 6686, 6750, 6752, 6780, 6783, 6793, 6800, 6809, 6816, 6829, 6832, 6877, 6880, 6891, 6912,
    6988, 6990, 7155, 7164, 7223, 7227, 7241, 7245, 7295, 7306, 7306, 7360, 7367, 7376, 7418, 7424,
    7467, 7471, 7471, 7483, 7483, 7502, 7502, 7531, 7543, 7545, 7578, 7616, 7679, 7681, 7681, 7683,
    7683, 7685, 7685, 7687, 7687, 7689, 7689, 7691, 7691, 7693, 7693, 7695, 7695, 7697, 7697, 7699,
    7699, 7701, 7701, 7703, 7703, 7705, 7705, 7707, 7707, 7709, 7709, 7711, 7711, 7713, 7713, 7715,
    7715, 7717, 7717, 7719, 7719, 7721, 7721, 7723, 7723, 7725, 7725, 7727, 7727, 7729, 7729, 7731,
    7731, 7733, 7733, 7735, 7735, 7737, 7737, 7739, 7739, 7741, 7741, 7743, 7743, 7745, 7745, 7747,
    7747, 7749, 7749, 7751, 7751, 7753, 7753, 7755, 7755, 7757, 7757, 7759, 7759, 7761, 7761, 7763,
    7763, 7765, 7765, 7767, 7767, 7769, 7769, 7771, 7771, 7773, 7773, 7775, 7775, 7777, 7777, 7779,
    7779, 7781, 7781, 7783, 7783, 7785, 7785, 7787, 7787, 7789, 7789, 7791, 7791, 7793, 7793, 7795,
    7795, 7797, 7797, 7799, 7799, 7801, 7801, 7803, 7803, 7805, 7805, 7807, 7807, 7809, 7809, 7811,
    7811, 7813, 7813, 7815, 7815, 7817, 7817, 7819, 7819, 7821, 7821, 7823, 7823, 7825, 7825, 7827,
    7827, 7829, 7833, 7836, 7837, 7839, 7839, 7841, 7841, 7843, 7843, 7845, 7845, 7847, 7847, 7849,
    7849, 7851, 7851, 7853, 7853, 7855, 7855, 7857, 7857, 7859, 7859, 7861, 7861, 7863, 7863, 7865,
    7865, 7867, 7867, 7869, 7869, 7871, 7871, 7873, 7873, 7875, 7875, 7877, 7877, 7879, 7879, 7881,
    7881, 7883, 7883, 7885, 7885, 7887, 7887, 7889, 7889, 7891, 7891, 7893, 7893, 7895, 7895, 7897,
    7897, 7899, 7899, 7901, 7901, 7903, 7903, 7905, 7905, 7907, 7907, 7909, 7909, 7911, 7911, 7913,
    7913, 7915, 7915, 7917, 7917, 7919, 7919, 7921, 7921, 7923, 7923, 7925, 7925, 7927, 7927, 7929,
    7929, 7931, 7931, 7933, 7933, 7935, 7943, 7952, 7957, 7968, 7975, 7984, 7991, 8000, 8005, 8016,
    8023, 8032, 8039, 8048, 8048, 8050, 8050, 8052, 8052, 8054, 8054, 8056, 8056, 8058, 8058, 8060,
    8060, 8112, 8113, 8118, 8118, 8134, 8134, 8144, 8146, 8150, 8151, 8160, 8162, 8164, 8167, 8182,
    8182, 8204, 8205, 8208, 8208, 8210, 8214, 8216, 8227, 8231, 8231, 8240, 8242, 8245, 8245, 8248,
    8251, 8253, 8253, 8255, 8262, 8266, 8278, 8280, 8286, 8352, 8359, 8361, 8385, 8400, 8432, 8452,
    8452, 8456, 8456, 8468, 8468, 8471, 8472, 8478, 8479, 8483, 8483, 8485, 8485, 8487, 8487, 8489,
    8489, 8494, 8494, 8506, 8506, 8513, 8516, 8522, 8527, 8576, 8578, 8580, 8584, 8586, 8587, 8592,
    8747, 8750, 8750, 8753, 9000, 9003, 9257, 9280, 9290, 9451, 10763, 10765, 10867, 10871, 10971,
    10973, 11123, 11126, 11263, 11312, 11359, 11361, 11361, 11365, 11366, 11368, 11368, 11370,
    11370, 11372, 11372, 11377, 11377, 11379, 11380, 11382, 11387, 11393, 11393, 11395, 11395,
    11397, 11397, 11399, 11399, 11401, 11401, 11403, 11403, 11405, 11405, 11407, 11407, 11409,
    11409, 11411, 11411, 11413, 11413, 11415, 11415, 11417, 11417, 11419, 11419, 11421, 11421,
    11423, 11423, 11425, 11425, 11427, 11427, 11429, 11429, 11431, 11431, 11433, 11433, 11435,
    11435, 11437, 11437, 11439, 11439, 11441, 11441, 11443, 11443, 11445, 11445, 11447, 11447,
    11449, 11449, 11451, 11451, 11453, 11453, 11455, 11455, 11457, 11457, 11459, 11459, 11461,
    11461, 11463, 11463, 11465, 11465, 11467, 11467, 11469, 11469, 11471, 11471, 11473, 11473,
    11475, 11475, 11477, 11477, 11479, 11479, 11481, 11481, 11483, 11483, 11485, 11485, 11487,
    11487, 11489, 11489, 11491, 11498, 11500, 11500, 11502, 11505, 11507, 11507, 11513, 11557,
    11559, 11559, 11565, 11565, 11568, 11623, 11632, 11632, 11647, 11670, 11680, 11686, 11688,
    11694, 11696, 11702, 11704, 11710, 11712, 11718, 11720, 11726, 11728, 11734, 11736, 11742,
    11744, 11869, 11904, 11929, 11931, 11934, 11936, 12018, 12289, 12289, 12291, 12341, 12343,
    12343, 12347, 12351, 12353, 12438, 12441, 12442, 12445, 12446, 12448, 12542, 12549, 12591,
    12688, 12689, 12704, 12773, 12784, 12799, 12872, 12879, 12927, 12927, 13312, 42124, 42128,
    42182, 42192, 42539, 42561, 42561, 42563, 42563, 42565, 42565, 42567, 42567, 42569, 42569,
    42571, 42571, 42573, 42573, 42575, 42575, 42577, 42577, 42579, 42579, 42581, 42581, 42583,
    42583, 42585, 42585, 42587, 42587, 42589, 42589, 42591, 42591, 42593, 42593, 42595, 42595,
    42597, 42597, 42599, 42599, 42601, 42601, 42603, 42603, 42605, 42623, 42625, 42625, 42627,
    42627, 42629, 42629, 42631, 42631, 42633, 42633, 42635, 42635, 42637, 42637, 42639, 42639,
    42641, 42641, 42643, 42643, 42645, 42645, 42647, 42647, 42649, 42649, 42651, 42651, 42654,
    42743, 42752, 42785, 42787, 42787, 42789, 42789, 42791, 42791, 42793, 42793, 42795, 42795,
    42797, 42797, 42799, 42801, 42803, 42803, 42805, 42805, 42807, 42807, 42809, 42809, 42811,
    42811, 42813, 42813, 42815, 42815, 42817, 42817, 42819, 42819, 42821, 42821, 42823, 42823,
    42825, 42825, 42827, 42827, 42829, 42829, 42831, 42831, 42833, 42833, 42835, 42835, 42837,
    42837, 42839, 42839, 42841, 42841, 42843, 42843, 42845, 42845, 42847, 42847, 42849, 42849,
    42851, 42851, 42853, 42853, 42855, 42855, 42857, 42857, 42859, 42859, 42861, 42861, 42863,
    42863, 42865, 42872, 42874, 42874, 42876, 42876, 42879, 42879, 42881, 42881, 42883, 42883,
    42885, 42885, 42887, 42890, 42892, 42892, 42894, 42895, 42897, 42897, 42899, 42901, 42903,
    42903, 42905, 42905, 42907, 42907, 42909, 42909, 42911, 42911, 42913, 42913, 42915, 42915,
    42917, 42917, 42919, 42919, 42921, 42921, 42927, 42927, 42933, 42933, 42935, 42935, 42937,
    42937, 42939, 42939, 42941, 42941, 42943, 42943, 42945, 42945, 42947, 42947, 42952, 42952,
    42954, 42954, 42957, 42957, 42959, 42959, 42961, 42961, 42963, 42963, 42965, 42965, 42967,
    42967, 42969, 42969, 42971, 42971, 42998, 42999, 43002, 43052, 43056, 43065, 43072, 43127,
    43136, 43205, 43214, 43225, 43232, 43347, 43359, 43388, 43392, 43469, 43471, 43481, 43486,
    43518, 43520, 43574, 43584, 43597, 43600, 43609, 43612, 43714, 43739, 43766, 43777, 43782,
    43785, 43790, 43793, 43798, 43808, 43814, 43816, 43822, 43824, 43867, 43872, 43880, 43882,
    43883, 43968, 44013, 44016, 44025, 44032, 55203, 55216, 55238, 55243, 55291, 64014, 64015,
    64017, 64017, 64019, 64020, 64031, 64031, 64033, 64033, 64035, 64036, 64039, 64041, 64286,
    64286, 64434, 64466, 64830, 64847, 64912, 64913, 64968, 64975, 65021, 65023, 65056, 65071,
    65093, 65094, 65139, 65139, 65536, 65547, 65549, 65574, 65576, 65594, 65596, 65597, 65599,
    65613, 65616, 65629, 65664, 65786, 65792, 65794, 65799, 65843, 65847, 65934, 65936, 65948,
    65952, 65952, 66000, 66045, 66176, 66204, 66208, 66256, 66272, 66299, 66304, 66339, 66349,
    66378, 66384, 66426, 66432, 66461, 66463, 66499, 66504, 66517, 66600, 66717, 66720, 66729,
    66776, 66811, 66816, 66855, 66864, 66915, 66927, 66927, 66967, 66977, 66979, 66993, 66995,
    67001, 67003, 67004, 67008, 67059, 67072, 67382, 67392, 67413, 67424, 67431, 67456, 67456,
    67584, 67589, 67592, 67592, 67594, 67637, 67639, 67640, 67644, 67644, 67647, 67669, 67671,
    67742, 67751, 67759, 67808, 67826, 67828, 67829, 67835, 67867, 67871, 67897, 67903, 67929,
    67968, 68023, 68028, 68047, 68050, 68099, 68101, 68102, 68108, 68115, 68117, 68119, 68121,
    68149, 68152, 68154, 68159, 68168, 68176, 68184, 68192, 68255, 68288, 68326, 68331, 68342,
    68352, 68405, 68409, 68437, 68440, 68466, 68472, 68497, 68505, 68508, 68521, 68527, 68608,
    68680, 68800, 68850, 68858, 68903, 68912, 68921, 68928, 68943, 68969, 68997, 69006, 69007,
    69216, 69246, 69248, 69289, 69291, 69293, 69296, 69297, 69314, 69319, 69328, 69336, 69370,
    69415, 69424, 69465, 69488, 69513, 69552, 69579, 69600, 69622, 69632, 69709, 69714, 69749,
    69759, 69820, 69822, 69826, 69840, 69864, 69872, 69881, 69888, 69940, 69942, 69959, 69968,
    70006, 70016, 70111, 70113, 70132, 70144, 70161, 70163, 70209, 70272, 70278, 70280, 70280,
    70282, 70285, 70287, 70301, 70303, 70313, 70320, 70378, 70384, 70393, 70400, 70403, 70405,
    70412, 70415, 70416, 70419, 70440, 70442, 70448, 70450, 70451, 70453, 70457, 70459, 70468,
    70471, 70472, 70475, 70477, 70480, 70480, 70487, 70487, 70493, 70499, 70502, 70508, 70512,
    70516, 70528, 70537, 70539, 70539, 70542, 70542, 70544, 70581, 70583, 70592, 70594, 70594,
    70597, 70597, 70599, 70602, 70604, 70613, 70615, 70616, 70625, 70626, 70656, 70747, 70749,
    70753, 70784, 70855, 70864, 70873, 71040, 71093, 71096, 71133, 71168, 71236, 71248, 71257,
    71264, 71276, 71296, 71353, 71360, 71369, 71376, 71395, 71424, 71450, 71453, 71467, 71472,
    71494, 71680, 71739, 71872, 71922, 71935, 71942, 71945, 71945, 71948, 71955, 71957, 71958,
    71960, 71989, 71991, 71992, 71995, 72006, 72016, 72025, 72096, 72103, 72106, 72151, 72154,
    72164, 72192, 72263, 72272, 72354, 72368, 72440, 72448, 72457, 72544, 72551, 72640, 72673,
    72688, 72697, 72704, 72712, 72714, 72758, 72760, 72773, 72784, 72812, 72816, 72847, 72850,
    72871, 72873, 72886, 72960, 72966, 72968, 72969, 72971, 73014, 73018, 73018, 73020, 73021,
    73023, 73031, 73040, 73049, 73056, 73061, 73063, 73064, 73066, 73102, 73104, 73105, 73107,
    73112, 73120, 73129, 73136, 73179, 73184, 73193, 73440, 73464, 73472, 73488, 73490, 73530,
    73534, 73562, 73648, 73648, 73664, 73713, 73727, 74649, 74752, 74862, 74864, 74868, 74880,
    75075, 77712, 77810, 77824, 78895, 78912, 78933, 78944, 82938, 82944, 83526, 90368, 90425,
    92160, 92728, 92736, 92766, 92768, 92777, 92782, 92862, 92864, 92873, 92880, 92909, 92912,
    92917, 92928, 92997, 93008, 93017, 93019, 93025, 93027, 93047, 93053, 93071, 93504, 93561,
    93792, 93850, 93883, 93907, 93952, 94026, 94031, 94087, 94095, 94111, 94176, 94180, 94192,
    94198, 94208, 101589, 101631, 101662, 101760, 101874, 110576, 110579, 110581, 110587, 110589,
    110590, 110592, 110882, 110898, 110898, 110928, 110930, 110933, 110933, 110948, 110951, 110960,
    111355, 113664, 113770, 113776, 113788, 113792, 113800, 113808, 113817, 113820, 113823, 117760,
    117973, 118010, 118012, 118016, 118451, 118458, 118480, 118496, 118512, 118528, 118573, 118576,
    118598, 118608, 118723, 118784, 119029, 119040, 119078, 119081, 119133, 119141, 119154, 119163,
    119226, 119233, 119274, 119296, 119365, 119488, 119507, 119520, 119539, 119552, 119638, 119648,
    119672, 120832, 121483, 121499, 121503, 121505, 121519, 122624, 122654, 122661, 122666, 122880,
    122886, 122888, 122904, 122907, 122913, 122915, 122916, 122918, 122922, 123023, 123023, 123136,
    123180, 123184, 123197, 123200, 123209, 123214, 123215, 123536, 123566, 123584, 123641, 123647,
    123647, 124112, 124153, 124368, 124410, 124415, 124415, 124608, 124638, 124640, 124661, 124670,
    124671, 124896, 124902, 124904, 124907, 124909, 124910, 124912, 124926, 124928, 125124, 125127,
    125142, 125218, 125259, 125264, 125273, 125278, 125279, 126065, 126132, 126209, 126269, 126704,
    126705, 126976, 127019, 127024, 127123, 127136, 127150, 127153, 127167, 127169, 127183, 127185,
    127221, 127243, 127247, 127279, 127279, 127312, 127337, 127341, 127375, 127377, 127405, 127462,
    127487, 127584, 127589, 127744, 128728, 128732, 128748, 128752, 128764, 128768, 128985, 128992,
    129003, 129008, 129008, 129024, 129035, 129040, 129095, 129104, 129113, 129120, 129159, 129168,
    129197, 129200, 129211, 129216, 129217, 129232, 129240, 129280, 129623, 129632, 129645, 129648,
    129660, 129664, 129674, 129678, 129734, 129736, 129736, 129741, 129756, 129759, 129770, 129775,
    129784, 129792, 129938, 129940, 130031, 130042, 130042, 131072, 173791, 173824, 178205, 178208,
    183981, 183984, 191456, 191472, 192093, 196608, 201546, 201552, 210041,
];
/// Of those, the combining marks (General_Category M*), as [start, end] pairs.
const IDNA_MARKS: &[u32] = &[
    768, 831, 834, 834, 838, 846, 848, 879, 1155, 1161, 1425, 1469, 1471, 1471, 1473, 1474, 1476,
    1477, 1479, 1479, 1552, 1562, 1611, 1631, 1648, 1648, 1750, 1756, 1759, 1764, 1767, 1768, 1770,
    1773, 1809, 1809, 1840, 1866, 1958, 1968, 2027, 2035, 2045, 2045, 2070, 2073, 2075, 2083, 2085,
    2087, 2089, 2093, 2137, 2139, 2199, 2207, 2250, 2273, 2275, 2307, 2362, 2364, 2366, 2383, 2385,
    2391, 2402, 2403, 2433, 2435, 2492, 2492, 2494, 2500, 2503, 2504, 2507, 2509, 2519, 2519, 2530,
    2531, 2558, 2558, 2561, 2563, 2620, 2620, 2622, 2626, 2631, 2632, 2635, 2637, 2641, 2641, 2672,
    2673, 2677, 2677, 2689, 2691, 2748, 2748, 2750, 2757, 2759, 2761, 2763, 2765, 2786, 2787, 2810,
    2815, 2817, 2819, 2876, 2876, 2878, 2884, 2887, 2888, 2891, 2893, 2901, 2903, 2914, 2915, 2946,
    2946, 3006, 3010, 3014, 3016, 3018, 3021, 3031, 3031, 3072, 3076, 3132, 3132, 3134, 3140, 3142,
    3144, 3146, 3149, 3157, 3158, 3170, 3171, 3201, 3203, 3260, 3260, 3262, 3268, 3270, 3272, 3274,
    3277, 3285, 3286, 3298, 3299, 3315, 3315, 3328, 3331, 3387, 3388, 3390, 3396, 3398, 3400, 3402,
    3405, 3415, 3415, 3426, 3427, 3457, 3459, 3530, 3530, 3535, 3540, 3542, 3542, 3544, 3551, 3570,
    3571, 3633, 3633, 3636, 3642, 3655, 3662, 3761, 3761, 3764, 3772, 3784, 3790, 3864, 3865, 3893,
    3893, 3895, 3895, 3897, 3897, 3902, 3903, 3953, 3954, 3956, 3956, 3962, 3968, 3970, 3972, 3974,
    3975, 3981, 3986, 3988, 3991, 3993, 3996, 3998, 4001, 4003, 4006, 4008, 4011, 4013, 4024, 4026,
    4028, 4038, 4038, 4139, 4158, 4182, 4185, 4190, 4192, 4194, 4196, 4199, 4205, 4209, 4212, 4226,
    4237, 4239, 4239, 4250, 4253, 4957, 4959, 5906, 5909, 5938, 5940, 5970, 5971, 6002, 6003, 6070,
    6099, 6109, 6109, 6277, 6278, 6313, 6313, 6432, 6443, 6448, 6459, 6679, 6683, 6741, 6750, 6752,
    6780, 6783, 6783, 6832, 6877, 6880, 6891, 6912, 6916, 6964, 6980, 7019, 7027, 7040, 7042, 7073,
    7085, 7142, 7155, 7204, 7223, 7376, 7378, 7380, 7400, 7405, 7405, 7412, 7412, 7415, 7417, 7616,
    7679, 8400, 8432, 11503, 11505, 11647, 11647, 11744, 11775, 12330, 12335, 12441, 12442, 42607,
    42610, 42612, 42621, 42654, 42655, 42736, 42737, 43010, 43010, 43014, 43014, 43019, 43019,
    43043, 43047, 43052, 43052, 43136, 43137, 43188, 43205, 43232, 43249, 43263, 43263, 43302,
    43309, 43335, 43347, 43392, 43395, 43443, 43456, 43493, 43493, 43561, 43574, 43587, 43587,
    43596, 43597, 43643, 43645, 43696, 43696, 43698, 43700, 43703, 43704, 43710, 43711, 43713,
    43713, 43755, 43759, 43765, 43766, 44003, 44010, 44012, 44013, 64286, 64286, 65056, 65071,
    66045, 66045, 66272, 66272, 66422, 66426, 68097, 68099, 68101, 68102, 68108, 68111, 68152,
    68154, 68159, 68159, 68325, 68326, 68900, 68903, 68969, 68973, 69291, 69292, 69370, 69375,
    69446, 69456, 69506, 69509, 69632, 69634, 69688, 69702, 69744, 69744, 69747, 69748, 69759,
    69762, 69808, 69818, 69826, 69826, 69888, 69890, 69927, 69940, 69957, 69958, 70003, 70003,
    70016, 70018, 70067, 70080, 70089, 70092, 70094, 70095, 70188, 70199, 70206, 70206, 70209,
    70209, 70367, 70378, 70400, 70403, 70459, 70460, 70462, 70468, 70471, 70472, 70475, 70477,
    70487, 70487, 70498, 70499, 70502, 70508, 70512, 70516, 70584, 70592, 70594, 70594, 70597,
    70597, 70599, 70602, 70604, 70608, 70610, 70610, 70625, 70626, 70709, 70726, 70750, 70750,
    70832, 70851, 71087, 71093, 71096, 71104, 71132, 71133, 71216, 71232, 71339, 71351, 71453,
    71467, 71724, 71738, 71984, 71989, 71991, 71992, 71995, 71998, 72000, 72000, 72002, 72003,
    72145, 72151, 72154, 72160, 72164, 72164, 72193, 72202, 72243, 72249, 72251, 72254, 72263,
    72263, 72273, 72283, 72330, 72345, 72544, 72551, 72751, 72758, 72760, 72767, 72850, 72871,
    72873, 72886, 73009, 73014, 73018, 73018, 73020, 73021, 73023, 73029, 73031, 73031, 73098,
    73102, 73104, 73105, 73107, 73111, 73459, 73462, 73472, 73473, 73475, 73475, 73524, 73530,
    73534, 73538, 73562, 73562, 78912, 78912, 78919, 78933, 90398, 90415, 92912, 92916, 92976,
    92982, 94031, 94031, 94033, 94087, 94095, 94098, 94180, 94180, 94192, 94193, 113821, 113822,
    118528, 118573, 118576, 118598, 119141, 119145, 119149, 119154, 119163, 119170, 119173, 119179,
    119210, 119213, 119362, 119364, 121344, 121398, 121403, 121452, 121461, 121461, 121476, 121476,
    121499, 121503, 121505, 121519, 122880, 122886, 122888, 122904, 122907, 122913, 122915, 122916,
    122918, 122922, 123023, 123023, 123184, 123190, 123566, 123566, 123628, 123631, 124140, 124143,
    124398, 124399, 124643, 124643, 124646, 124646, 124654, 124655, 124661, 124661, 125136, 125142,
    125252, 125258,
];
/// Bidi_Class other than L of ASCII and of the code points in IDNA_VALID, as [start, end, class] triples: 1 R, 2 AL, 3 AN, 4 EN, 5 ES, 6 CS, 7 ET, 8 ON, 9 BN, 10 NSM, 11 any other.
const IDNA_BIDI: &[u32] = &[
    0, 8, 9, 9, 13, 11, 14, 27, 9, 28, 32, 11, 33, 34, 8, 35, 37, 7, 38, 42, 8, 43, 43, 5, 44, 44,
    6, 45, 45, 5, 46, 47, 6, 48, 57, 4, 58, 58, 6, 59, 64, 8, 91, 96, 8, 123, 126, 8, 127, 127, 9,
    161, 161, 8, 162, 165, 7, 166, 167, 8, 169, 169, 8, 171, 172, 8, 174, 174, 8, 176, 177, 7, 182,
    183, 8, 187, 187, 8, 191, 191, 8, 215, 215, 8, 247, 247, 8, 697, 698, 8, 706, 719, 8, 722, 727,
    8, 734, 735, 8, 741, 749, 8, 751, 767, 8, 768, 831, 10, 834, 834, 10, 838, 846, 10, 848, 879,
    10, 885, 885, 8, 1014, 1014, 8, 1155, 1161, 10, 1418, 1418, 8, 1421, 1422, 8, 1423, 1423, 7,
    1425, 1469, 10, 1470, 1470, 1, 1471, 1471, 10, 1472, 1472, 1, 1473, 1474, 10, 1475, 1475, 1,
    1476, 1477, 10, 1478, 1478, 1, 1479, 1479, 10, 1488, 1514, 1, 1519, 1524, 1, 1542, 1543, 8,
    1544, 1544, 2, 1545, 1546, 7, 1547, 1547, 2, 1548, 1548, 6, 1549, 1549, 2, 1550, 1551, 8, 1552,
    1562, 10, 1563, 1563, 2, 1565, 1610, 2, 1611, 1631, 10, 1632, 1641, 3, 1642, 1642, 7, 1643,
    1644, 3, 1645, 1647, 2, 1648, 1648, 10, 1649, 1652, 2, 1657, 1749, 2, 1750, 1756, 10, 1758,
    1758, 8, 1759, 1764, 10, 1765, 1766, 2, 1767, 1768, 10, 1769, 1769, 8, 1770, 1773, 10, 1774,
    1775, 2, 1776, 1785, 4, 1786, 1805, 2, 1808, 1808, 2, 1809, 1809, 10, 1810, 1839, 2, 1840, 1866,
    10, 1869, 1957, 2, 1958, 1968, 10, 1969, 1969, 2, 1984, 2026, 1, 2027, 2035, 10, 2036, 2037, 1,
    2038, 2041, 8, 2042, 2042, 1, 2045, 2045, 10, 2046, 2069, 1, 2070, 2073, 10, 2074, 2074, 1,
    2075, 2083, 10, 2084, 2084, 1, 2085, 2087, 10, 2088, 2088, 1, 2089, 2093, 10, 2096, 2110, 1,
    2112, 2136, 1, 2137, 2139, 10, 2142, 2142, 1, 2144, 2154, 2, 2160, 2191, 2, 2199, 2207, 10,
    2208, 2249, 2, 2250, 2273, 10, 2275, 2306, 10, 2362, 2362, 10, 2364, 2364, 10, 2369, 2376, 10,
    2381, 2381, 10, 2385, 2391, 10, 2402, 2403, 10, 2433, 2433, 10, 2492, 2492, 10, 2497, 2500, 10,
    2509, 2509, 10, 2530, 2531, 10, 2546, 2547, 7, 2555, 2555, 7, 2558, 2558, 10, 2561, 2562, 10,
    2620, 2620, 10, 2625, 2626, 10, 2631, 2632, 10, 2635, 2637, 10, 2641, 2641, 10, 2672, 2673, 10,
    2677, 2677, 10, 2689, 2690, 10, 2748, 2748, 10, 2753, 2757, 10, 2759, 2760, 10, 2765, 2765, 10,
    2786, 2787, 10, 2801, 2801, 7, 2810, 2815, 10, 2817, 2817, 10, 2876, 2876, 10, 2879, 2879, 10,
    2881, 2884, 10, 2893, 2893, 10, 2901, 2902, 10, 2914, 2915, 10, 2946, 2946, 10, 3008, 3008, 10,
    3021, 3021, 10, 3059, 3064, 8, 3065, 3065, 7, 3066, 3066, 8, 3072, 3072, 10, 3076, 3076, 10,
    3132, 3132, 10, 3134, 3136, 10, 3142, 3144, 10, 3146, 3149, 10, 3157, 3158, 10, 3170, 3171, 10,
    3192, 3198, 8, 3201, 3201, 10, 3260, 3260, 10, 3276, 3277, 10, 3298, 3299, 10, 3328, 3329, 10,
    3387, 3388, 10, 3393, 3396, 10, 3405, 3405, 10, 3426, 3427, 10, 3457, 3457, 10, 3530, 3530, 10,
    3538, 3540, 10, 3542, 3542, 10, 3633, 3633, 10, 3636, 3642, 10, 3647, 3647, 7, 3655, 3662, 10,
    3761, 3761, 10, 3764, 3772, 10, 3784, 3790, 10, 3864, 3865, 10, 3893, 3893, 10, 3895, 3895, 10,
    3897, 3897, 10, 3898, 3901, 8, 3953, 3954, 10, 3956, 3956, 10, 3962, 3966, 10, 3968, 3968, 10,
    3970, 3972, 10, 3974, 3975, 10, 3981, 3986, 10, 3988, 3991, 10, 3993, 3996, 10, 3998, 4001, 10,
    4003, 4006, 10, 4008, 4011, 10, 4013, 4024, 10, 4026, 4028, 10, 4038, 4038, 10, 4141, 4144, 10,
    4146, 4151, 10, 4153, 4154, 10, 4157, 4158, 10, 4184, 4185, 10, 4190, 4192, 10, 4209, 4212, 10,
    4226, 4226, 10, 4229, 4230, 10, 4237, 4237, 10, 4253, 4253, 10, 4957, 4959, 10, 5008, 5017, 8,
    5120, 5120, 8, 5787, 5788, 8, 5906, 5908, 10, 5938, 5939, 10, 5970, 5971, 10, 6002, 6003, 10,
    6071, 6077, 10, 6086, 6086, 10, 6089, 6099, 10, 6107, 6107, 7, 6109, 6109, 10, 6128, 6137, 8,
    6144, 6154, 8, 6277, 6278, 10, 6313, 6313, 10, 6432, 6434, 10, 6439, 6440, 10, 6450, 6450, 10,
    6457, 6459, 10, 6464, 6464, 8, 6468, 6469, 8, 6622, 6655, 8, 6679, 6680, 10, 6683, 6683, 10,
    6742, 6742, 10, 6744, 6750, 10, 6752, 6752, 10, 6754, 6754, 10, 6757, 6764, 10, 6771, 6780, 10,
    6783, 6783, 10, 6832, 6877, 10, 6880, 6891, 10, 6912, 6915, 10, 6964, 6964, 10, 6966, 6970, 10,
    6972, 6972, 10, 6978, 6978, 10, 7019, 7027, 10, 7040, 7041, 10, 7074, 7077, 10, 7080, 7081, 10,
    7083, 7085, 10, 7142, 7142, 10, 7144, 7145, 10, 7149, 7149, 10, 7151, 7153, 10, 7212, 7219, 10,
    7222, 7223, 10, 7376, 7378, 10, 7380, 7392, 10, 7394, 7400, 10, 7405, 7405, 10, 7412, 7412, 10,
    7416, 7417, 10, 7616, 7679, 10, 8204, 8205, 9, 8208, 8208, 8, 8210, 8214, 8, 8216, 8227, 8,
    8231, 8231, 8, 8240, 8242, 7, 8245, 8245, 8, 8248, 8251, 8, 8253, 8253, 8, 8255, 8259, 8, 8260,
    8260, 6, 8261, 8262, 8, 8266, 8278, 8, 8280, 8286, 8, 8352, 8359, 7, 8361, 8385, 7, 8400, 8432,
    10, 8452, 8452, 8, 8456, 8456, 8, 8468, 8468, 8, 8471, 8472, 8, 8478, 8479, 8, 8483, 8483, 8,
    8485, 8485, 8, 8487, 8487, 8, 8489, 8489, 8, 8494, 8494, 7, 8506, 8506, 8, 8513, 8516, 8, 8522,
    8525, 8, 8586, 8587, 8, 8592, 8721, 8, 8722, 8722, 5, 8723, 8723, 7, 8724, 8747, 8, 8750, 8750,
    8, 8753, 9000, 8, 9003, 9013, 8, 9083, 9108, 8, 9110, 9257, 8, 9280, 9290, 8, 9451, 9899, 8,
    9901, 10239, 8, 10496, 10763, 8, 10765, 10867, 8, 10871, 10971, 8, 10973, 11123, 8, 11126,
    11263, 8, 11493, 11498, 8, 11503, 11505, 10, 11513, 11519, 8, 11647, 11647, 10, 11744, 11775,
    10, 11776, 11869, 8, 11904, 11929, 8, 11931, 11934, 8, 11936, 12018, 8, 12289, 12289, 8, 12291,
    12292, 8, 12296, 12320, 8, 12330, 12333, 10, 12336, 12336, 8, 12343, 12343, 8, 12349, 12351, 8,
    12441, 12442, 10, 12448, 12448, 8, 12539, 12539, 8, 12736, 12773, 8, 19904, 19967, 8, 42128,
    42182, 8, 42509, 42511, 8, 42607, 42610, 10, 42611, 42611, 8, 42612, 42621, 10, 42622, 42623, 8,
    42654, 42655, 10, 42736, 42737, 10, 42752, 42785, 8, 42888, 42888, 8, 43010, 43010, 10, 43014,
    43014, 10, 43019, 43019, 10, 43045, 43046, 10, 43048, 43051, 8, 43052, 43052, 10, 43064, 43065,
    7, 43124, 43127, 8, 43204, 43205, 10, 43232, 43249, 10, 43263, 43263, 10, 43302, 43309, 10,
    43335, 43345, 10, 43392, 43394, 10, 43443, 43443, 10, 43446, 43449, 10, 43452, 43453, 10, 43493,
    43493, 10, 43561, 43566, 10, 43569, 43570, 10, 43573, 43574, 10, 43587, 43587, 10, 43596, 43596,
    10, 43644, 43644, 10, 43696, 43696, 10, 43698, 43700, 10, 43703, 43704, 10, 43710, 43711, 10,
    43713, 43713, 10, 43756, 43757, 10, 43766, 43766, 10, 43882, 43883, 8, 44005, 44005, 10, 44008,
    44008, 10, 44013, 44013, 10, 64286, 64286, 10, 64434, 64450, 2, 64451, 64466, 8, 64830, 64847,
    8, 64912, 64913, 8, 64968, 64975, 8, 65021, 65023, 8, 65056, 65071, 10, 65093, 65094, 8, 65139,
    65139, 2, 65793, 65793, 8, 65856, 65932, 8, 65936, 65948, 8, 65952, 65952, 8, 66045, 66045, 10,
    66272, 66272, 10, 66273, 66299, 4, 66422, 66426, 10, 67584, 67589, 1, 67592, 67592, 1, 67594,
    67637, 1, 67639, 67640, 1, 67644, 67644, 1, 67647, 67669, 1, 67671, 67742, 1, 67751, 67759, 1,
    67808, 67826, 1, 67828, 67829, 1, 67835, 67867, 1, 67871, 67871, 8, 67872, 67897, 1, 67903,
    67929, 1, 67968, 68023, 1, 68028, 68047, 1, 68050, 68096, 1, 68097, 68099, 10, 68101, 68102, 10,
    68108, 68111, 10, 68112, 68115, 1, 68117, 68119, 1, 68121, 68149, 1, 68152, 68154, 10, 68159,
    68159, 10, 68160, 68168, 1, 68176, 68184, 1, 68192, 68255, 1, 68288, 68324, 1, 68325, 68326, 10,
    68331, 68342, 1, 68352, 68405, 1, 68409, 68415, 8, 68416, 68437, 1, 68440, 68466, 1, 68472,
    68497, 1, 68505, 68508, 1, 68521, 68527, 1, 68608, 68680, 1, 68800, 68850, 1, 68858, 68863, 1,
    68864, 68899, 2, 68900, 68903, 10, 68912, 68921, 3, 68928, 68937, 3, 68938, 68943, 1, 68969,
    68973, 10, 68974, 68974, 8, 68975, 68997, 1, 69006, 69007, 1, 69216, 69246, 3, 69248, 69289, 1,
    69291, 69292, 10, 69293, 69293, 1, 69296, 69297, 1, 69314, 69319, 2, 69328, 69336, 8, 69370,
    69375, 10, 69376, 69415, 1, 69424, 69445, 2, 69446, 69456, 10, 69457, 69465, 2, 69488, 69505, 1,
    69506, 69509, 10, 69510, 69513, 1, 69552, 69579, 1, 69600, 69622, 1, 69633, 69633, 10, 69688,
    69702, 10, 69714, 69733, 8, 69744, 69744, 10, 69747, 69748, 10, 69759, 69761, 10, 69811, 69814,
    10, 69817, 69818, 10, 69826, 69826, 10, 69888, 69890, 10, 69927, 69931, 10, 69933, 69940, 10,
    70003, 70003, 10, 70016, 70017, 10, 70070, 70078, 10, 70089, 70092, 10, 70095, 70095, 10, 70191,
    70193, 10, 70196, 70196, 10, 70198, 70199, 10, 70206, 70206, 10, 70209, 70209, 10, 70367, 70367,
    10, 70371, 70378, 10, 70400, 70401, 10, 70459, 70460, 10, 70464, 70464, 10, 70502, 70508, 10,
    70512, 70516, 10, 70587, 70592, 10, 70606, 70606, 10, 70608, 70608, 10, 70610, 70610, 10, 70625,
    70626, 10, 70712, 70719, 10, 70722, 70724, 10, 70726, 70726, 10, 70750, 70750, 10, 70835, 70840,
    10, 70842, 70842, 10, 70847, 70848, 10, 70850, 70851, 10, 71090, 71093, 10, 71100, 71101, 10,
    71103, 71104, 10, 71132, 71133, 10, 71219, 71226, 10, 71229, 71229, 10, 71231, 71232, 10, 71264,
    71276, 8, 71339, 71339, 10, 71341, 71341, 10, 71344, 71349, 10, 71351, 71351, 10, 71453, 71453,
    10, 71455, 71455, 10, 71458, 71461, 10, 71463, 71467, 10, 71727, 71735, 10, 71737, 71738, 10,
    71995, 71996, 10, 71998, 71998, 10, 72003, 72003, 10, 72148, 72151, 10, 72154, 72155, 10, 72160,
    72160, 10, 72193, 72198, 10, 72201, 72202, 10, 72243, 72248, 10, 72251, 72254, 10, 72263, 72263,
    10, 72273, 72278, 10, 72281, 72283, 10, 72330, 72342, 10, 72344, 72345, 10, 72544, 72544, 10,
    72546, 72548, 10, 72550, 72550, 10, 72752, 72758, 10, 72760, 72765, 10, 72850, 72871, 10, 72874,
    72880, 10, 72882, 72883, 10, 72885, 72886, 10, 73009, 73014, 10, 73018, 73018, 10, 73020, 73021,
    10, 73023, 73029, 10, 73031, 73031, 10, 73104, 73105, 10, 73109, 73109, 10, 73111, 73111, 10,
    73459, 73460, 10, 73472, 73473, 10, 73526, 73530, 10, 73536, 73536, 10, 73538, 73538, 10, 73562,
    73562, 10, 73685, 73692, 8, 73693, 73696, 7, 73697, 73713, 8, 78912, 78912, 10, 78919, 78933,
    10, 90398, 90409, 10, 90413, 90415, 10, 92912, 92916, 10, 92976, 92982, 10, 94031, 94031, 10,
    94095, 94098, 10, 94178, 94178, 8, 94180, 94180, 10, 113821, 113822, 10, 117760, 117973, 8,
    118010, 118012, 8, 118016, 118451, 8, 118458, 118480, 8, 118496, 118512, 8, 118528, 118573, 10,
    118576, 118598, 10, 119143, 119145, 10, 119163, 119170, 10, 119173, 119179, 10, 119210, 119213,
    10, 119273, 119274, 8, 119296, 119361, 8, 119362, 119364, 10, 119365, 119365, 8, 119552, 119638,
    8, 121344, 121398, 10, 121403, 121452, 10, 121461, 121461, 10, 121476, 121476, 10, 121499,
    121503, 10, 121505, 121519, 10, 122880, 122886, 10, 122888, 122904, 10, 122907, 122913, 10,
    122915, 122916, 10, 122918, 122922, 10, 123023, 123023, 10, 123184, 123190, 10, 123566, 123566,
    10, 123628, 123631, 10, 123647, 123647, 7, 124140, 124143, 10, 124398, 124399, 10, 124643,
    124643, 10, 124646, 124646, 10, 124654, 124655, 10, 124661, 124661, 10, 124928, 125124, 1,
    125127, 125135, 1, 125136, 125142, 10, 125218, 125251, 1, 125252, 125258, 10, 125259, 125259, 1,
    125264, 125273, 1, 125278, 125279, 1, 126065, 126132, 2, 126209, 126269, 2, 126704, 126705, 8,
    126976, 127019, 8, 127024, 127123, 8, 127136, 127150, 8, 127153, 127167, 8, 127169, 127183, 8,
    127185, 127221, 8, 127243, 127247, 8, 127279, 127279, 8, 127341, 127343, 8, 127405, 127405, 8,
    127584, 127589, 8, 127744, 128728, 8, 128732, 128748, 8, 128752, 128764, 8, 128768, 128985, 8,
    128992, 129003, 8, 129008, 129008, 8, 129024, 129035, 8, 129040, 129095, 8, 129104, 129113, 8,
    129120, 129159, 8, 129168, 129197, 8, 129200, 129211, 8, 129216, 129217, 8, 129232, 129240, 8,
    129280, 129623, 8, 129632, 129645, 8, 129648, 129660, 8, 129664, 129674, 8, 129678, 129734, 8,
    129736, 129736, 8, 129741, 129756, 8, 129759, 129770, 8, 129775, 129784, 8, 129792, 129938, 8,
    129940, 130031, 8, 130042, 130042, 8,
];
/// Joining_Type of the code points in IDNA_VALID, as [start, end, type] triples: 1 D, 2 L, 3 R, 4 T (other types are absent).
const IDNA_JOINING: &[u32] = &[
    768, 831, 4, 834, 834, 4, 838, 846, 4, 848, 879, 4, 1155, 1161, 4, 1425, 1469, 4, 1471, 1471, 4,
    1473, 1474, 4, 1476, 1477, 4, 1479, 1479, 4, 1552, 1562, 4, 1568, 1568, 1, 1570, 1573, 3, 1574,
    1574, 1, 1575, 1575, 3, 1576, 1576, 1, 1577, 1577, 3, 1578, 1582, 1, 1583, 1586, 3, 1587, 1599,
    1, 1601, 1607, 1, 1608, 1608, 3, 1609, 1610, 1, 1611, 1631, 4, 1646, 1647, 1, 1648, 1648, 4,
    1649, 1651, 3, 1657, 1671, 1, 1672, 1689, 3, 1690, 1727, 1, 1728, 1728, 3, 1729, 1730, 1, 1731,
    1739, 3, 1740, 1740, 1, 1741, 1741, 3, 1742, 1742, 1, 1743, 1743, 3, 1744, 1745, 1, 1746, 1747,
    3, 1749, 1749, 3, 1750, 1756, 4, 1759, 1764, 4, 1767, 1768, 4, 1770, 1773, 4, 1774, 1775, 3,
    1786, 1788, 1, 1791, 1791, 1, 1808, 1808, 3, 1809, 1809, 4, 1810, 1812, 1, 1813, 1817, 3, 1818,
    1821, 1, 1822, 1822, 3, 1823, 1831, 1, 1832, 1832, 3, 1833, 1833, 1, 1834, 1834, 3, 1835, 1835,
    1, 1836, 1836, 3, 1837, 1838, 1, 1839, 1839, 3, 1840, 1866, 4, 1869, 1869, 3, 1870, 1880, 1,
    1881, 1883, 3, 1884, 1898, 1, 1899, 1900, 3, 1901, 1904, 1, 1905, 1905, 3, 1906, 1906, 1, 1907,
    1908, 3, 1909, 1911, 1, 1912, 1913, 3, 1914, 1919, 1, 1958, 1968, 4, 1994, 2026, 1, 2027, 2035,
    4, 2045, 2045, 4, 2070, 2073, 4, 2075, 2083, 4, 2085, 2087, 4, 2089, 2093, 4, 2112, 2112, 3,
    2113, 2117, 1, 2118, 2119, 3, 2120, 2120, 1, 2121, 2121, 3, 2122, 2131, 1, 2132, 2132, 3, 2133,
    2133, 1, 2134, 2136, 3, 2137, 2139, 4, 2144, 2144, 1, 2146, 2149, 1, 2151, 2151, 3, 2152, 2152,
    1, 2153, 2154, 3, 2160, 2178, 3, 2182, 2182, 1, 2185, 2189, 1, 2190, 2190, 3, 2191, 2191, 1,
    2199, 2207, 4, 2208, 2217, 1, 2218, 2220, 3, 2222, 2222, 3, 2223, 2224, 1, 2225, 2226, 3, 2227,
    2232, 1, 2233, 2233, 3, 2234, 2248, 1, 2250, 2273, 4, 2275, 2306, 4, 2362, 2362, 4, 2364, 2364,
    4, 2369, 2376, 4, 2381, 2381, 4, 2385, 2391, 4, 2402, 2403, 4, 2433, 2433, 4, 2492, 2492, 4,
    2497, 2500, 4, 2509, 2509, 4, 2530, 2531, 4, 2558, 2558, 4, 2561, 2562, 4, 2620, 2620, 4, 2625,
    2626, 4, 2631, 2632, 4, 2635, 2637, 4, 2641, 2641, 4, 2672, 2673, 4, 2677, 2677, 4, 2689, 2690,
    4, 2748, 2748, 4, 2753, 2757, 4, 2759, 2760, 4, 2765, 2765, 4, 2786, 2787, 4, 2810, 2815, 4,
    2817, 2817, 4, 2876, 2876, 4, 2879, 2879, 4, 2881, 2884, 4, 2893, 2893, 4, 2901, 2902, 4, 2914,
    2915, 4, 2946, 2946, 4, 3008, 3008, 4, 3021, 3021, 4, 3072, 3072, 4, 3076, 3076, 4, 3132, 3132,
    4, 3134, 3136, 4, 3142, 3144, 4, 3146, 3149, 4, 3157, 3158, 4, 3170, 3171, 4, 3201, 3201, 4,
    3260, 3260, 4, 3263, 3263, 4, 3270, 3270, 4, 3276, 3277, 4, 3298, 3299, 4, 3328, 3329, 4, 3387,
    3388, 4, 3393, 3396, 4, 3405, 3405, 4, 3426, 3427, 4, 3457, 3457, 4, 3530, 3530, 4, 3538, 3540,
    4, 3542, 3542, 4, 3633, 3633, 4, 3636, 3642, 4, 3655, 3662, 4, 3761, 3761, 4, 3764, 3772, 4,
    3784, 3790, 4, 3864, 3865, 4, 3893, 3893, 4, 3895, 3895, 4, 3897, 3897, 4, 3953, 3954, 4, 3956,
    3956, 4, 3962, 3966, 4, 3968, 3968, 4, 3970, 3972, 4, 3974, 3975, 4, 3981, 3986, 4, 3988, 3991,
    4, 3993, 3996, 4, 3998, 4001, 4, 4003, 4006, 4, 4008, 4011, 4, 4013, 4024, 4, 4026, 4028, 4,
    4038, 4038, 4, 4141, 4144, 4, 4146, 4151, 4, 4153, 4154, 4, 4157, 4158, 4, 4184, 4185, 4, 4190,
    4192, 4, 4209, 4212, 4, 4226, 4226, 4, 4229, 4230, 4, 4237, 4237, 4, 4253, 4253, 4, 4957, 4959,
    4, 5906, 5908, 4, 5938, 5939, 4, 5970, 5971, 4, 6002, 6003, 4, 6071, 6077, 4, 6086, 6086, 4,
    6089, 6099, 4, 6109, 6109, 4, 6151, 6151, 1, 6176, 6264, 1, 6277, 6278, 4, 6279, 6312, 1, 6313,
    6313, 4, 6314, 6314, 1, 6432, 6434, 4, 6439, 6440, 4, 6450, 6450, 4, 6457, 6459, 4, 6679, 6680,
    4, 6683, 6683, 4, 6742, 6742, 4, 6744, 6750, 4, 6752, 6752, 4, 6754, 6754, 4, 6757, 6764, 4,
    6771, 6780, 4, 6783, 6783, 4, 6832, 6877, 4, 6880, 6891, 4, 6912, 6915, 4, 6964, 6964, 4, 6966,
    6970, 4, 6972, 6972, 4, 6978, 6978, 4, 7019, 7027, 4, 7040, 7041, 4, 7074, 7077, 4, 7080, 7081,
    4, 7083, 7085, 4, 7142, 7142, 4, 7144, 7145, 4, 7149, 7149, 4, 7151, 7153, 4, 7212, 7219, 4,
    7222, 7223, 4, 7376, 7378, 4, 7380, 7392, 4, 7394, 7400, 4, 7405, 7405, 4, 7412, 7412, 4, 7416,
    7417, 4, 7616, 7679, 4, 8400, 8432, 4, 11503, 11505, 4, 11647, 11647, 4, 11744, 11775, 4, 12330,
    12333, 4, 12441, 12442, 4, 42607, 42610, 4, 42612, 42621, 4, 42654, 42655, 4, 42736, 42737, 4,
    43010, 43010, 4, 43014, 43014, 4, 43019, 43019, 4, 43045, 43046, 4, 43052, 43052, 4, 43072,
    43121, 1, 43122, 43122, 2, 43204, 43205, 4, 43232, 43249, 4, 43263, 43263, 4, 43302, 43309, 4,
    43335, 43345, 4, 43392, 43394, 4, 43443, 43443, 4, 43446, 43449, 4, 43452, 43453, 4, 43493,
    43493, 4, 43561, 43566, 4, 43569, 43570, 4, 43573, 43574, 4, 43587, 43587, 4, 43596, 43596, 4,
    43644, 43644, 4, 43696, 43696, 4, 43698, 43700, 4, 43703, 43704, 4, 43710, 43711, 4, 43713,
    43713, 4, 43756, 43757, 4, 43766, 43766, 4, 44005, 44005, 4, 44008, 44008, 4, 44013, 44013, 4,
    64286, 64286, 4, 65056, 65071, 4, 66045, 66045, 4, 66272, 66272, 4, 66422, 66426, 4, 68097,
    68099, 4, 68101, 68102, 4, 68108, 68111, 4, 68152, 68154, 4, 68159, 68159, 4, 68288, 68292, 1,
    68293, 68293, 3, 68295, 68295, 3, 68297, 68298, 3, 68301, 68301, 2, 68302, 68306, 3, 68307,
    68310, 1, 68311, 68311, 2, 68312, 68316, 1, 68317, 68317, 3, 68318, 68320, 1, 68321, 68321, 3,
    68324, 68324, 3, 68325, 68326, 4, 68331, 68334, 1, 68335, 68335, 3, 68480, 68480, 1, 68481,
    68481, 3, 68482, 68482, 1, 68483, 68485, 3, 68486, 68488, 1, 68489, 68489, 3, 68490, 68491, 1,
    68492, 68492, 3, 68493, 68493, 1, 68494, 68495, 3, 68496, 68496, 1, 68497, 68497, 3, 68521,
    68524, 3, 68525, 68526, 1, 68864, 68864, 2, 68865, 68897, 1, 68898, 68898, 3, 68899, 68899, 1,
    68900, 68903, 4, 68969, 68973, 4, 69291, 69292, 4, 69314, 69314, 3, 69315, 69316, 1, 69318,
    69319, 1, 69370, 69375, 4, 69424, 69426, 1, 69427, 69427, 3, 69428, 69444, 1, 69446, 69456, 4,
    69457, 69459, 1, 69460, 69460, 3, 69488, 69491, 1, 69492, 69493, 3, 69494, 69505, 1, 69506,
    69509, 4, 69552, 69552, 1, 69554, 69555, 1, 69556, 69558, 3, 69560, 69560, 1, 69561, 69562, 3,
    69563, 69564, 1, 69565, 69565, 3, 69566, 69567, 1, 69569, 69569, 1, 69570, 69571, 3, 69572,
    69572, 1, 69577, 69577, 3, 69578, 69578, 1, 69579, 69579, 2, 69633, 69633, 4, 69688, 69702, 4,
    69744, 69744, 4, 69747, 69748, 4, 69759, 69761, 4, 69811, 69814, 4, 69817, 69818, 4, 69826,
    69826, 4, 69888, 69890, 4, 69927, 69931, 4, 69933, 69940, 4, 70003, 70003, 4, 70016, 70017, 4,
    70070, 70078, 4, 70089, 70092, 4, 70095, 70095, 4, 70191, 70193, 4, 70196, 70196, 4, 70198,
    70199, 4, 70206, 70206, 4, 70209, 70209, 4, 70367, 70367, 4, 70371, 70378, 4, 70400, 70401, 4,
    70459, 70460, 4, 70464, 70464, 4, 70502, 70508, 4, 70512, 70516, 4, 70587, 70592, 4, 70606,
    70606, 4, 70608, 70608, 4, 70610, 70610, 4, 70625, 70626, 4, 70712, 70719, 4, 70722, 70724, 4,
    70726, 70726, 4, 70750, 70750, 4, 70835, 70840, 4, 70842, 70842, 4, 70847, 70848, 4, 70850,
    70851, 4, 71090, 71093, 4, 71100, 71101, 4, 71103, 71104, 4, 71132, 71133, 4, 71219, 71226, 4,
    71229, 71229, 4, 71231, 71232, 4, 71339, 71339, 4, 71341, 71341, 4, 71344, 71349, 4, 71351,
    71351, 4, 71453, 71453, 4, 71455, 71455, 4, 71458, 71461, 4, 71463, 71467, 4, 71727, 71735, 4,
    71737, 71738, 4, 71995, 71996, 4, 71998, 71998, 4, 72003, 72003, 4, 72148, 72151, 4, 72154,
    72155, 4, 72160, 72160, 4, 72193, 72202, 4, 72243, 72248, 4, 72251, 72254, 4, 72263, 72263, 4,
    72273, 72278, 4, 72281, 72283, 4, 72330, 72342, 4, 72344, 72345, 4, 72544, 72544, 4, 72546,
    72548, 4, 72550, 72550, 4, 72752, 72758, 4, 72760, 72765, 4, 72767, 72767, 4, 72850, 72871, 4,
    72874, 72880, 4, 72882, 72883, 4, 72885, 72886, 4, 73009, 73014, 4, 73018, 73018, 4, 73020,
    73021, 4, 73023, 73029, 4, 73031, 73031, 4, 73104, 73105, 4, 73109, 73109, 4, 73111, 73111, 4,
    73459, 73460, 4, 73472, 73473, 4, 73526, 73530, 4, 73536, 73536, 4, 73538, 73538, 4, 73562,
    73562, 4, 78912, 78912, 4, 78919, 78933, 4, 90398, 90409, 4, 90413, 90415, 4, 92912, 92916, 4,
    92976, 92982, 4, 94031, 94031, 4, 94095, 94098, 4, 94180, 94180, 4, 113821, 113822, 4, 118528,
    118573, 4, 118576, 118598, 4, 119143, 119145, 4, 119163, 119170, 4, 119173, 119179, 4, 119210,
    119213, 4, 119362, 119364, 4, 121344, 121398, 4, 121403, 121452, 4, 121461, 121461, 4, 121476,
    121476, 4, 121499, 121503, 4, 121505, 121519, 4, 122880, 122886, 4, 122888, 122904, 4, 122907,
    122913, 4, 122915, 122916, 4, 122918, 122922, 4, 123023, 123023, 4, 123184, 123190, 4, 123566,
    123566, 4, 123628, 123631, 4, 124140, 124143, 4, 124398, 124399, 4, 124643, 124643, 4, 124646,
    124646, 4, 124654, 124655, 4, 124661, 124661, 4, 125136, 125142, 4, 125218, 125251, 1, 125252,
    125259, 4,
];
/// Canonical_Combining_Class other than 0, as [start, end, class] triples.
const IDNA_CCC: &[u32] = &[
    768, 788, 230, 789, 789, 232, 790, 793, 220, 794, 794, 232, 795, 795, 216, 796, 800, 220, 801,
    802, 202, 803, 806, 220, 807, 808, 202, 809, 819, 220, 820, 824, 1, 825, 828, 220, 829, 836,
    230, 837, 837, 240, 838, 838, 230, 839, 841, 220, 842, 844, 230, 845, 846, 220, 848, 850, 230,
    851, 854, 220, 855, 855, 230, 856, 856, 232, 857, 858, 220, 859, 859, 230, 860, 860, 233, 861,
    862, 234, 863, 863, 233, 864, 865, 234, 866, 866, 233, 867, 879, 230, 1155, 1159, 230, 1425,
    1425, 220, 1426, 1429, 230, 1430, 1430, 220, 1431, 1433, 230, 1434, 1434, 222, 1435, 1435, 220,
    1436, 1441, 230, 1442, 1447, 220, 1448, 1449, 230, 1450, 1450, 220, 1451, 1452, 230, 1453, 1453,
    222, 1454, 1454, 228, 1455, 1455, 230, 1456, 1456, 10, 1457, 1457, 11, 1458, 1458, 12, 1459,
    1459, 13, 1460, 1460, 14, 1461, 1461, 15, 1462, 1462, 16, 1463, 1463, 17, 1464, 1464, 18, 1465,
    1466, 19, 1467, 1467, 20, 1468, 1468, 21, 1469, 1469, 22, 1471, 1471, 23, 1473, 1473, 24, 1474,
    1474, 25, 1476, 1476, 230, 1477, 1477, 220, 1479, 1479, 18, 1552, 1559, 230, 1560, 1560, 30,
    1561, 1561, 31, 1562, 1562, 32, 1611, 1611, 27, 1612, 1612, 28, 1613, 1613, 29, 1614, 1614, 30,
    1615, 1615, 31, 1616, 1616, 32, 1617, 1617, 33, 1618, 1618, 34, 1619, 1620, 230, 1621, 1622,
    220, 1623, 1627, 230, 1628, 1628, 220, 1629, 1630, 230, 1631, 1631, 220, 1648, 1648, 35, 1750,
    1756, 230, 1759, 1762, 230, 1763, 1763, 220, 1764, 1764, 230, 1767, 1768, 230, 1770, 1770, 220,
    1771, 1772, 230, 1773, 1773, 220, 1809, 1809, 36, 1840, 1840, 230, 1841, 1841, 220, 1842, 1843,
    230, 1844, 1844, 220, 1845, 1846, 230, 1847, 1849, 220, 1850, 1850, 230, 1851, 1852, 220, 1853,
    1853, 230, 1854, 1854, 220, 1855, 1857, 230, 1858, 1858, 220, 1859, 1859, 230, 1860, 1860, 220,
    1861, 1861, 230, 1862, 1862, 220, 1863, 1863, 230, 1864, 1864, 220, 1865, 1866, 230, 2027, 2033,
    230, 2034, 2034, 220, 2035, 2035, 230, 2045, 2045, 220, 2070, 2073, 230, 2075, 2083, 230, 2085,
    2087, 230, 2089, 2093, 230, 2137, 2139, 220, 2199, 2200, 230, 2201, 2203, 220, 2204, 2207, 230,
    2250, 2254, 230, 2255, 2259, 220, 2260, 2273, 230, 2275, 2275, 220, 2276, 2277, 230, 2278, 2278,
    220, 2279, 2280, 230, 2281, 2281, 220, 2282, 2284, 230, 2285, 2287, 220, 2288, 2288, 27, 2289,
    2289, 28, 2290, 2290, 29, 2291, 2293, 230, 2294, 2294, 220, 2295, 2296, 230, 2297, 2298, 220,
    2299, 2303, 230, 2364, 2364, 7, 2381, 2381, 9, 2385, 2385, 230, 2386, 2386, 220, 2387, 2388,
    230, 2492, 2492, 7, 2509, 2509, 9, 2558, 2558, 230, 2620, 2620, 7, 2637, 2637, 9, 2748, 2748, 7,
    2765, 2765, 9, 2876, 2876, 7, 2893, 2893, 9, 3021, 3021, 9, 3132, 3132, 7, 3149, 3149, 9, 3157,
    3157, 84, 3158, 3158, 91, 3260, 3260, 7, 3277, 3277, 9, 3387, 3388, 9, 3405, 3405, 9, 3530,
    3530, 9, 3640, 3641, 103, 3642, 3642, 9, 3656, 3659, 107, 3768, 3769, 118, 3770, 3770, 9, 3784,
    3787, 122, 3864, 3865, 220, 3893, 3893, 220, 3895, 3895, 220, 3897, 3897, 216, 3953, 3953, 129,
    3954, 3954, 130, 3956, 3956, 132, 3962, 3965, 130, 3968, 3968, 130, 3970, 3971, 230, 3972, 3972,
    9, 3974, 3975, 230, 4038, 4038, 220, 4151, 4151, 7, 4153, 4154, 9, 4237, 4237, 220, 4957, 4959,
    230, 5908, 5909, 9, 5940, 5940, 9, 6098, 6098, 9, 6109, 6109, 230, 6313, 6313, 228, 6457, 6457,
    222, 6458, 6458, 230, 6459, 6459, 220, 6679, 6679, 230, 6680, 6680, 220, 6752, 6752, 9, 6773,
    6780, 230, 6783, 6783, 220, 6832, 6836, 230, 6837, 6842, 220, 6843, 6844, 230, 6845, 6845, 220,
    6847, 6848, 220, 6849, 6850, 230, 6851, 6852, 220, 6853, 6857, 230, 6858, 6858, 220, 6859, 6876,
    230, 6877, 6877, 220, 6880, 6885, 230, 6886, 6886, 220, 6887, 6890, 230, 6891, 6891, 234, 6964,
    6964, 7, 6980, 6980, 9, 7019, 7019, 230, 7020, 7020, 220, 7021, 7027, 230, 7082, 7083, 9, 7142,
    7142, 7, 7154, 7155, 9, 7223, 7223, 7, 7376, 7378, 230, 7380, 7380, 1, 7381, 7385, 220, 7386,
    7387, 230, 7388, 7391, 220, 7392, 7392, 230, 7394, 7400, 1, 7405, 7405, 220, 7412, 7412, 230,
    7416, 7417, 230, 7616, 7617, 230, 7618, 7618, 220, 7619, 7625, 230, 7626, 7626, 220, 7627, 7628,
    230, 7629, 7629, 234, 7630, 7630, 214, 7631, 7631, 220, 7632, 7632, 202, 7633, 7669, 230, 7670,
    7670, 232, 7671, 7672, 228, 7673, 7673, 220, 7674, 7674, 218, 7675, 7675, 230, 7676, 7676, 233,
    7677, 7677, 220, 7678, 7678, 230, 7679, 7679, 220, 8400, 8401, 230, 8402, 8403, 1, 8404, 8407,
    230, 8408, 8410, 1, 8411, 8412, 230, 8417, 8417, 230, 8421, 8422, 1, 8423, 8423, 230, 8424,
    8424, 220, 8425, 8425, 230, 8426, 8427, 1, 8428, 8431, 220, 8432, 8432, 230, 11503, 11505, 230,
    11647, 11647, 9, 11744, 11775, 230, 12330, 12330, 218, 12331, 12331, 228, 12332, 12332, 232,
    12333, 12333, 222, 12334, 12335, 224, 12441, 12442, 8, 42607, 42607, 230, 42612, 42621, 230,
    42654, 42655, 230, 42736, 42737, 230, 43014, 43014, 9, 43052, 43052, 9, 43204, 43204, 9, 43232,
    43249, 230, 43307, 43309, 220, 43347, 43347, 9, 43443, 43443, 7, 43456, 43456, 9, 43696, 43696,
    230, 43698, 43699, 230, 43700, 43700, 220, 43703, 43704, 230, 43710, 43711, 230, 43713, 43713,
    230, 43766, 43766, 9, 44013, 44013, 9, 64286, 64286, 26, 65056, 65062, 230, 65063, 65069, 220,
    65070, 65071, 230, 66045, 66045, 220, 66272, 66272, 220, 66422, 66426, 230, 68109, 68109, 220,
    68111, 68111, 230, 68152, 68152, 230, 68153, 68153, 1, 68154, 68154, 220, 68159, 68159, 9,
    68325, 68325, 230, 68326, 68326, 220, 68900, 68903, 230, 68969, 68973, 230, 69291, 69292, 230,
    69370, 69371, 220, 69373, 69375, 220, 69446, 69447, 220, 69448, 69450, 230, 69451, 69451, 220,
    69452, 69452, 230, 69453, 69456, 220, 69506, 69506, 230, 69507, 69507, 220, 69508, 69508, 230,
    69509, 69509, 220, 69702, 69702, 9, 69744, 69744, 9, 69759, 69759, 9, 69817, 69817, 9, 69818,
    69818, 7, 69888, 69890, 230, 69939, 69940, 9, 70003, 70003, 7, 70080, 70080, 9, 70090, 70090, 7,
    70197, 70197, 9, 70198, 70198, 7, 70377, 70377, 7, 70378, 70378, 9, 70459, 70460, 7, 70477,
    70477, 9, 70502, 70508, 230, 70512, 70516, 230, 70606, 70608, 9, 70722, 70722, 9, 70726, 70726,
    7, 70750, 70750, 230, 70850, 70850, 9, 70851, 70851, 7, 71103, 71103, 9, 71104, 71104, 7, 71231,
    71231, 9, 71350, 71350, 9, 71351, 71351, 7, 71467, 71467, 9, 71737, 71737, 9, 71738, 71738, 7,
    71997, 71998, 9, 72003, 72003, 7, 72160, 72160, 9, 72244, 72244, 9, 72263, 72263, 9, 72345,
    72345, 9, 72767, 72767, 9, 73026, 73026, 7, 73028, 73029, 9, 73111, 73111, 9, 73537, 73538, 9,
    90415, 90415, 9, 92912, 92916, 1, 92976, 92982, 230, 94192, 94193, 6, 113822, 113822, 1, 119141,
    119142, 216, 119143, 119145, 1, 119149, 119149, 226, 119150, 119154, 216, 119163, 119170, 220,
    119173, 119177, 230, 119178, 119179, 220, 119210, 119213, 230, 119362, 119364, 230, 122880,
    122886, 230, 122888, 122904, 230, 122907, 122913, 230, 122915, 122916, 230, 122918, 122922, 230,
    123023, 123023, 230, 123184, 123190, 230, 123566, 123566, 230, 123628, 123631, 230, 124140,
    124141, 232, 124142, 124142, 220, 124143, 124143, 230, 124398, 124398, 230, 124399, 124399, 220,
    124643, 124643, 230, 124646, 124646, 230, 124654, 124655, 230, 124661, 124661, 230, 125136,
    125142, 220, 125252, 125257, 230, 125258, 125258, 7,
];
/// Canonical decompositions (one level) that decomposing a label of IDNA_VALID code points can meet, as [code point, first, second or 0] triples; Hangul syllables are computed.
const IDNA_DECOMPOSE: &[u32] = &[
    224, 97, 768, 225, 97, 769, 226, 97, 770, 227, 97, 771, 228, 97, 776, 229, 97, 778, 231, 99,
    807, 232, 101, 768, 233, 101, 769, 234, 101, 770, 235, 101, 776, 236, 105, 768, 237, 105, 769,
    238, 105, 770, 239, 105, 776, 241, 110, 771, 242, 111, 768, 243, 111, 769, 244, 111, 770, 245,
    111, 771, 246, 111, 776, 249, 117, 768, 250, 117, 769, 251, 117, 770, 252, 117, 776, 253, 121,
    769, 255, 121, 776, 257, 97, 772, 259, 97, 774, 261, 97, 808, 263, 99, 769, 265, 99, 770, 267,
    99, 775, 269, 99, 780, 271, 100, 780, 275, 101, 772, 277, 101, 774, 279, 101, 775, 281, 101,
    808, 283, 101, 780, 285, 103, 770, 287, 103, 774, 289, 103, 775, 291, 103, 807, 293, 104, 770,
    297, 105, 771, 299, 105, 772, 301, 105, 774, 303, 105, 808, 309, 106, 770, 311, 107, 807, 314,
    108, 769, 316, 108, 807, 318, 108, 780, 324, 110, 769, 326, 110, 807, 328, 110, 780, 333, 111,
    772, 335, 111, 774, 337, 111, 779, 341, 114, 769, 343, 114, 807, 345, 114, 780, 347, 115, 769,
    349, 115, 770, 351, 115, 807, 353, 115, 780, 355, 116, 807, 357, 116, 780, 361, 117, 771, 363,
    117, 772, 365, 117, 774, 367, 117, 778, 369, 117, 779, 371, 117, 808, 373, 119, 770, 375, 121,
    770, 378, 122, 769, 380, 122, 775, 382, 122, 780, 417, 111, 795, 432, 117, 795, 462, 97, 780,
    464, 105, 780, 466, 111, 780, 468, 117, 780, 470, 252, 772, 472, 252, 769, 474, 252, 780, 476,
    252, 768, 479, 228, 772, 481, 551, 772, 483, 230, 772, 487, 103, 780, 489, 107, 780, 491, 111,
    808, 493, 491, 772, 495, 658, 780, 496, 106, 780, 501, 103, 769, 505, 110, 768, 507, 229, 769,
    509, 230, 769, 511, 248, 769, 513, 97, 783, 515, 97, 785, 517, 101, 783, 519, 101, 785, 521,
    105, 783, 523, 105, 785, 525, 111, 783, 527, 111, 785, 529, 114, 783, 531, 114, 785, 533, 117,
    783, 535, 117, 785, 537, 115, 806, 539, 116, 806, 543, 104, 780, 551, 97, 775, 553, 101, 807,
    555, 246, 772, 557, 245, 772, 559, 111, 775, 561, 559, 772, 563, 121, 772, 912, 970, 769, 940,
    945, 769, 941, 949, 769, 942, 951, 769, 943, 953, 769, 944, 971, 769, 970, 953, 776, 971, 965,
    776, 972, 959, 769, 973, 965, 769, 974, 969, 769, 1081, 1080, 774, 1104, 1077, 768, 1105, 1077,
    776, 1107, 1075, 769, 1111, 1110, 776, 1116, 1082, 769, 1117, 1080, 768, 1118, 1091, 774, 1143,
    1141, 783, 1218, 1078, 774, 1233, 1072, 774, 1235, 1072, 776, 1239, 1077, 774, 1243, 1241, 776,
    1245, 1078, 776, 1247, 1079, 776, 1251, 1080, 772, 1253, 1080, 776, 1255, 1086, 776, 1259, 1257,
    776, 1261, 1101, 776, 1263, 1091, 772, 1265, 1091, 776, 1267, 1091, 779, 1269, 1095, 776, 1273,
    1099, 776, 1570, 1575, 1619, 1571, 1575, 1620, 1572, 1608, 1620, 1573, 1575, 1621, 1574, 1610,
    1620, 1728, 1749, 1620, 1730, 1729, 1620, 1747, 1746, 1620, 2345, 2344, 2364, 2353, 2352, 2364,
    2356, 2355, 2364, 2507, 2503, 2494, 2508, 2503, 2519, 2888, 2887, 2902, 2891, 2887, 2878, 2892,
    2887, 2903, 2964, 2962, 3031, 3018, 3014, 3006, 3019, 3015, 3006, 3020, 3014, 3031, 3144, 3142,
    3158, 3264, 3263, 3285, 3271, 3270, 3285, 3272, 3270, 3286, 3274, 3270, 3266, 3275, 3274, 3285,
    3402, 3398, 3390, 3403, 3399, 3390, 3404, 3398, 3415, 3546, 3545, 3530, 3548, 3545, 3535, 3549,
    3548, 3530, 3550, 3545, 3551, 4134, 4133, 4142, 6918, 6917, 6965, 6920, 6919, 6965, 6922, 6921,
    6965, 6924, 6923, 6965, 6926, 6925, 6965, 6930, 6929, 6965, 6971, 6970, 6965, 6973, 6972, 6965,
    6976, 6974, 6965, 6977, 6975, 6965, 6979, 6978, 6965, 7681, 97, 805, 7683, 98, 775, 7685, 98,
    803, 7687, 98, 817, 7689, 231, 769, 7691, 100, 775, 7693, 100, 803, 7695, 100, 817, 7697, 100,
    807, 7699, 100, 813, 7701, 275, 768, 7703, 275, 769, 7705, 101, 813, 7707, 101, 816, 7709, 553,
    774, 7711, 102, 775, 7713, 103, 772, 7715, 104, 775, 7717, 104, 803, 7719, 104, 776, 7721, 104,
    807, 7723, 104, 814, 7725, 105, 816, 7727, 239, 769, 7729, 107, 769, 7731, 107, 803, 7733, 107,
    817, 7735, 108, 803, 7737, 7735, 772, 7739, 108, 817, 7741, 108, 813, 7743, 109, 769, 7745, 109,
    775, 7747, 109, 803, 7749, 110, 775, 7751, 110, 803, 7753, 110, 817, 7755, 110, 813, 7757, 245,
    769, 7759, 245, 776, 7761, 333, 768, 7763, 333, 769, 7765, 112, 769, 7767, 112, 775, 7769, 114,
    775, 7771, 114, 803, 7773, 7771, 772, 7775, 114, 817, 7777, 115, 775, 7779, 115, 803, 7781, 347,
    775, 7783, 353, 775, 7785, 7779, 775, 7787, 116, 775, 7789, 116, 803, 7791, 116, 817, 7793, 116,
    813, 7795, 117, 804, 7797, 117, 816, 7799, 117, 813, 7801, 361, 769, 7803, 363, 776, 7805, 118,
    771, 7807, 118, 803, 7809, 119, 768, 7811, 119, 769, 7813, 119, 776, 7815, 119, 775, 7817, 119,
    803, 7819, 120, 775, 7821, 120, 776, 7823, 121, 775, 7825, 122, 770, 7827, 122, 803, 7829, 122,
    817, 7830, 104, 817, 7831, 116, 776, 7832, 119, 778, 7833, 121, 778, 7841, 97, 803, 7843, 97,
    777, 7845, 226, 769, 7847, 226, 768, 7849, 226, 777, 7851, 226, 771, 7853, 7841, 770, 7855, 259,
    769, 7857, 259, 768, 7859, 259, 777, 7861, 259, 771, 7863, 7841, 774, 7865, 101, 803, 7867, 101,
    777, 7869, 101, 771, 7871, 234, 769, 7873, 234, 768, 7875, 234, 777, 7877, 234, 771, 7879, 7865,
    770, 7881, 105, 777, 7883, 105, 803, 7885, 111, 803, 7887, 111, 777, 7889, 244, 769, 7891, 244,
    768, 7893, 244, 777, 7895, 244, 771, 7897, 7885, 770, 7899, 417, 769, 7901, 417, 768, 7903, 417,
    777, 7905, 417, 771, 7907, 417, 803, 7909, 117, 803, 7911, 117, 777, 7913, 432, 769, 7915, 432,
    768, 7917, 432, 777, 7919, 432, 771, 7921, 432, 803, 7923, 121, 768, 7925, 121, 803, 7927, 121,
    777, 7929, 121, 771, 7936, 945, 787, 7937, 945, 788, 7938, 7936, 768, 7939, 7937, 768, 7940,
    7936, 769, 7941, 7937, 769, 7942, 7936, 834, 7943, 7937, 834, 7952, 949, 787, 7953, 949, 788,
    7954, 7952, 768, 7955, 7953, 768, 7956, 7952, 769, 7957, 7953, 769, 7968, 951, 787, 7969, 951,
    788, 7970, 7968, 768, 7971, 7969, 768, 7972, 7968, 769, 7973, 7969, 769, 7974, 7968, 834, 7975,
    7969, 834, 7984, 953, 787, 7985, 953, 788, 7986, 7984, 768, 7987, 7985, 768, 7988, 7984, 769,
    7989, 7985, 769, 7990, 7984, 834, 7991, 7985, 834, 8000, 959, 787, 8001, 959, 788, 8002, 8000,
    768, 8003, 8001, 768, 8004, 8000, 769, 8005, 8001, 769, 8016, 965, 787, 8017, 965, 788, 8018,
    8016, 768, 8019, 8017, 768, 8020, 8016, 769, 8021, 8017, 769, 8022, 8016, 834, 8023, 8017, 834,
    8032, 969, 787, 8033, 969, 788, 8034, 8032, 768, 8035, 8033, 768, 8036, 8032, 769, 8037, 8033,
    769, 8038, 8032, 834, 8039, 8033, 834, 8048, 945, 768, 8050, 949, 768, 8052, 951, 768, 8054,
    953, 768, 8056, 959, 768, 8058, 965, 768, 8060, 969, 768, 8112, 945, 774, 8113, 945, 772, 8118,
    945, 834, 8134, 951, 834, 8144, 953, 774, 8145, 953, 772, 8146, 970, 768, 8150, 953, 834, 8151,
    970, 834, 8160, 965, 774, 8161, 965, 772, 8162, 971, 768, 8164, 961, 787, 8165, 961, 788, 8166,
    965, 834, 8167, 971, 834, 8182, 969, 834, 8602, 8592, 824, 8603, 8594, 824, 8622, 8596, 824,
    8653, 8656, 824, 8654, 8660, 824, 8655, 8658, 824, 8708, 8707, 824, 8713, 8712, 824, 8716, 8715,
    824, 8740, 8739, 824, 8742, 8741, 824, 8769, 8764, 824, 8772, 8771, 824, 8775, 8773, 824, 8777,
    8776, 824, 8800, 61, 824, 8802, 8801, 824, 8813, 8781, 824, 8814, 60, 824, 8815, 62, 824, 8816,
    8804, 824, 8817, 8805, 824, 8820, 8818, 824, 8821, 8819, 824, 8824, 8822, 824, 8825, 8823, 824,
    8832, 8826, 824, 8833, 8827, 824, 8836, 8834, 824, 8837, 8835, 824, 8840, 8838, 824, 8841, 8839,
    824, 8876, 8866, 824, 8877, 8872, 824, 8878, 8873, 824, 8879, 8875, 824, 8928, 8828, 824, 8929,
    8829, 824, 8930, 8849, 824, 8931, 8850, 824, 8938, 8882, 824, 8939, 8883, 824, 8940, 8884, 824,
    8941, 8885, 824, 12364, 12363, 12441, 12366, 12365, 12441, 12368, 12367, 12441, 12370, 12369,
    12441, 12372, 12371, 12441, 12374, 12373, 12441, 12376, 12375, 12441, 12378, 12377, 12441,
    12380, 12379, 12441, 12382, 12381, 12441, 12384, 12383, 12441, 12386, 12385, 12441, 12389,
    12388, 12441, 12391, 12390, 12441, 12393, 12392, 12441, 12400, 12399, 12441, 12401, 12399,
    12442, 12403, 12402, 12441, 12404, 12402, 12442, 12406, 12405, 12441, 12407, 12405, 12442,
    12409, 12408, 12441, 12410, 12408, 12442, 12412, 12411, 12441, 12413, 12411, 12442, 12436,
    12358, 12441, 12446, 12445, 12441, 12460, 12459, 12441, 12462, 12461, 12441, 12464, 12463,
    12441, 12466, 12465, 12441, 12468, 12467, 12441, 12470, 12469, 12441, 12472, 12471, 12441,
    12474, 12473, 12441, 12476, 12475, 12441, 12478, 12477, 12441, 12480, 12479, 12441, 12482,
    12481, 12441, 12485, 12484, 12441, 12487, 12486, 12441, 12489, 12488, 12441, 12496, 12495,
    12441, 12497, 12495, 12442, 12499, 12498, 12441, 12500, 12498, 12442, 12502, 12501, 12441,
    12503, 12501, 12442, 12505, 12504, 12441, 12506, 12504, 12442, 12508, 12507, 12441, 12509,
    12507, 12442, 12532, 12454, 12441, 12535, 12527, 12441, 12536, 12528, 12441, 12537, 12529,
    12441, 12538, 12530, 12441, 12542, 12541, 12441, 67017, 67026, 775, 67044, 67034, 775, 69786,
    69785, 69818, 69788, 69787, 69818, 69803, 69797, 69818, 69934, 69937, 69927, 69935, 69938,
    69927, 70475, 70471, 70462, 70476, 70471, 70487, 70531, 70530, 70601, 70533, 70532, 70587,
    70542, 70539, 70594, 70545, 70544, 70601, 70597, 70594, 70594, 70599, 70594, 70584, 70600,
    70594, 70601, 70843, 70841, 70842, 70844, 70841, 70832, 70846, 70841, 70845, 71098, 71096,
    71087, 71099, 71097, 71087, 71992, 71989, 71984, 90401, 90398, 90398, 90402, 90398, 90409,
    90403, 90398, 90399, 90404, 90409, 90399, 90405, 90398, 90400, 90406, 90401, 90399, 90407,
    90402, 90399, 90408, 90401, 90400, 93544, 93543, 93543, 93545, 93539, 93543, 93546, 93545,
    93543,
];
/// Primary composites (canonical decompositions of two code points, not excluded from composition), as [first, second, composite] triples sorted by first, then second; Hangul is computed.
const IDNA_COMPOSE: &[u32] = &[
    60, 824, 8814, 61, 824, 8800, 62, 824, 8815, 65, 768, 192, 65, 769, 193, 65, 770, 194, 65, 771,
    195, 65, 772, 256, 65, 774, 258, 65, 775, 550, 65, 776, 196, 65, 777, 7842, 65, 778, 197, 65,
    780, 461, 65, 783, 512, 65, 785, 514, 65, 803, 7840, 65, 805, 7680, 65, 808, 260, 66, 775, 7682,
    66, 803, 7684, 66, 817, 7686, 67, 769, 262, 67, 770, 264, 67, 775, 266, 67, 780, 268, 67, 807,
    199, 68, 775, 7690, 68, 780, 270, 68, 803, 7692, 68, 807, 7696, 68, 813, 7698, 68, 817, 7694,
    69, 768, 200, 69, 769, 201, 69, 770, 202, 69, 771, 7868, 69, 772, 274, 69, 774, 276, 69, 775,
    278, 69, 776, 203, 69, 777, 7866, 69, 780, 282, 69, 783, 516, 69, 785, 518, 69, 803, 7864, 69,
    807, 552, 69, 808, 280, 69, 813, 7704, 69, 816, 7706, 70, 775, 7710, 71, 769, 500, 71, 770, 284,
    71, 772, 7712, 71, 774, 286, 71, 775, 288, 71, 780, 486, 71, 807, 290, 72, 770, 292, 72, 775,
    7714, 72, 776, 7718, 72, 780, 542, 72, 803, 7716, 72, 807, 7720, 72, 814, 7722, 73, 768, 204,
    73, 769, 205, 73, 770, 206, 73, 771, 296, 73, 772, 298, 73, 774, 300, 73, 775, 304, 73, 776,
    207, 73, 777, 7880, 73, 780, 463, 73, 783, 520, 73, 785, 522, 73, 803, 7882, 73, 808, 302, 73,
    816, 7724, 74, 770, 308, 75, 769, 7728, 75, 780, 488, 75, 803, 7730, 75, 807, 310, 75, 817,
    7732, 76, 769, 313, 76, 780, 317, 76, 803, 7734, 76, 807, 315, 76, 813, 7740, 76, 817, 7738, 77,
    769, 7742, 77, 775, 7744, 77, 803, 7746, 78, 768, 504, 78, 769, 323, 78, 771, 209, 78, 775,
    7748, 78, 780, 327, 78, 803, 7750, 78, 807, 325, 78, 813, 7754, 78, 817, 7752, 79, 768, 210, 79,
    769, 211, 79, 770, 212, 79, 771, 213, 79, 772, 332, 79, 774, 334, 79, 775, 558, 79, 776, 214,
    79, 777, 7886, 79, 779, 336, 79, 780, 465, 79, 783, 524, 79, 785, 526, 79, 795, 416, 79, 803,
    7884, 79, 808, 490, 80, 769, 7764, 80, 775, 7766, 82, 769, 340, 82, 775, 7768, 82, 780, 344, 82,
    783, 528, 82, 785, 530, 82, 803, 7770, 82, 807, 342, 82, 817, 7774, 83, 769, 346, 83, 770, 348,
    83, 775, 7776, 83, 780, 352, 83, 803, 7778, 83, 806, 536, 83, 807, 350, 84, 775, 7786, 84, 780,
    356, 84, 803, 7788, 84, 806, 538, 84, 807, 354, 84, 813, 7792, 84, 817, 7790, 85, 768, 217, 85,
    769, 218, 85, 770, 219, 85, 771, 360, 85, 772, 362, 85, 774, 364, 85, 776, 220, 85, 777, 7910,
    85, 778, 366, 85, 779, 368, 85, 780, 467, 85, 783, 532, 85, 785, 534, 85, 795, 431, 85, 803,
    7908, 85, 804, 7794, 85, 808, 370, 85, 813, 7798, 85, 816, 7796, 86, 771, 7804, 86, 803, 7806,
    87, 768, 7808, 87, 769, 7810, 87, 770, 372, 87, 775, 7814, 87, 776, 7812, 87, 803, 7816, 88,
    775, 7818, 88, 776, 7820, 89, 768, 7922, 89, 769, 221, 89, 770, 374, 89, 771, 7928, 89, 772,
    562, 89, 775, 7822, 89, 776, 376, 89, 777, 7926, 89, 803, 7924, 90, 769, 377, 90, 770, 7824, 90,
    775, 379, 90, 780, 381, 90, 803, 7826, 90, 817, 7828, 97, 768, 224, 97, 769, 225, 97, 770, 226,
    97, 771, 227, 97, 772, 257, 97, 774, 259, 97, 775, 551, 97, 776, 228, 97, 777, 7843, 97, 778,
    229, 97, 780, 462, 97, 783, 513, 97, 785, 515, 97, 803, 7841, 97, 805, 7681, 97, 808, 261, 98,
    775, 7683, 98, 803, 7685, 98, 817, 7687, 99, 769, 263, 99, 770, 265, 99, 775, 267, 99, 780, 269,
    99, 807, 231, 100, 775, 7691, 100, 780, 271, 100, 803, 7693, 100, 807, 7697, 100, 813, 7699,
    100, 817, 7695, 101, 768, 232, 101, 769, 233, 101, 770, 234, 101, 771, 7869, 101, 772, 275, 101,
    774, 277, 101, 775, 279, 101, 776, 235, 101, 777, 7867, 101, 780, 283, 101, 783, 517, 101, 785,
    519, 101, 803, 7865, 101, 807, 553, 101, 808, 281, 101, 813, 7705, 101, 816, 7707, 102, 775,
    7711, 103, 769, 501, 103, 770, 285, 103, 772, 7713, 103, 774, 287, 103, 775, 289, 103, 780, 487,
    103, 807, 291, 104, 770, 293, 104, 775, 7715, 104, 776, 7719, 104, 780, 543, 104, 803, 7717,
    104, 807, 7721, 104, 814, 7723, 104, 817, 7830, 105, 768, 236, 105, 769, 237, 105, 770, 238,
    105, 771, 297, 105, 772, 299, 105, 774, 301, 105, 776, 239, 105, 777, 7881, 105, 780, 464, 105,
    783, 521, 105, 785, 523, 105, 803, 7883, 105, 808, 303, 105, 816, 7725, 106, 770, 309, 106, 780,
    496, 107, 769, 7729, 107, 780, 489, 107, 803, 7731, 107, 807, 311, 107, 817, 7733, 108, 769,
    314, 108, 780, 318, 108, 803, 7735, 108, 807, 316, 108, 813, 7741, 108, 817, 7739, 109, 769,
    7743, 109, 775, 7745, 109, 803, 7747, 110, 768, 505, 110, 769, 324, 110, 771, 241, 110, 775,
    7749, 110, 780, 328, 110, 803, 7751, 110, 807, 326, 110, 813, 7755, 110, 817, 7753, 111, 768,
    242, 111, 769, 243, 111, 770, 244, 111, 771, 245, 111, 772, 333, 111, 774, 335, 111, 775, 559,
    111, 776, 246, 111, 777, 7887, 111, 779, 337, 111, 780, 466, 111, 783, 525, 111, 785, 527, 111,
    795, 417, 111, 803, 7885, 111, 808, 491, 112, 769, 7765, 112, 775, 7767, 114, 769, 341, 114,
    775, 7769, 114, 780, 345, 114, 783, 529, 114, 785, 531, 114, 803, 7771, 114, 807, 343, 114, 817,
    7775, 115, 769, 347, 115, 770, 349, 115, 775, 7777, 115, 780, 353, 115, 803, 7779, 115, 806,
    537, 115, 807, 351, 116, 775, 7787, 116, 776, 7831, 116, 780, 357, 116, 803, 7789, 116, 806,
    539, 116, 807, 355, 116, 813, 7793, 116, 817, 7791, 117, 768, 249, 117, 769, 250, 117, 770, 251,
    117, 771, 361, 117, 772, 363, 117, 774, 365, 117, 776, 252, 117, 777, 7911, 117, 778, 367, 117,
    779, 369, 117, 780, 468, 117, 783, 533, 117, 785, 535, 117, 795, 432, 117, 803, 7909, 117, 804,
    7795, 117, 808, 371, 117, 813, 7799, 117, 816, 7797, 118, 771, 7805, 118, 803, 7807, 119, 768,
    7809, 119, 769, 7811, 119, 770, 373, 119, 775, 7815, 119, 776, 7813, 119, 778, 7832, 119, 803,
    7817, 120, 775, 7819, 120, 776, 7821, 121, 768, 7923, 121, 769, 253, 121, 770, 375, 121, 771,
    7929, 121, 772, 563, 121, 775, 7823, 121, 776, 255, 121, 777, 7927, 121, 778, 7833, 121, 803,
    7925, 122, 769, 378, 122, 770, 7825, 122, 775, 380, 122, 780, 382, 122, 803, 7827, 122, 817,
    7829, 168, 768, 8173, 168, 769, 901, 168, 834, 8129, 194, 768, 7846, 194, 769, 7844, 194, 771,
    7850, 194, 777, 7848, 196, 772, 478, 197, 769, 506, 198, 769, 508, 198, 772, 482, 199, 769,
    7688, 202, 768, 7872, 202, 769, 7870, 202, 771, 7876, 202, 777, 7874, 207, 769, 7726, 212, 768,
    7890, 212, 769, 7888, 212, 771, 7894, 212, 777, 7892, 213, 769, 7756, 213, 772, 556, 213, 776,
    7758, 214, 772, 554, 216, 769, 510, 220, 768, 475, 220, 769, 471, 220, 772, 469, 220, 780, 473,
    226, 768, 7847, 226, 769, 7845, 226, 771, 7851, 226, 777, 7849, 228, 772, 479, 229, 769, 507,
    230, 769, 509, 230, 772, 483, 231, 769, 7689, 234, 768, 7873, 234, 769, 7871, 234, 771, 7877,
    234, 777, 7875, 239, 769, 7727, 244, 768, 7891, 244, 769, 7889, 244, 771, 7895, 244, 777, 7893,
    245, 769, 7757, 245, 772, 557, 245, 776, 7759, 246, 772, 555, 248, 769, 511, 252, 768, 476, 252,
    769, 472, 252, 772, 470, 252, 780, 474, 258, 768, 7856, 258, 769, 7854, 258, 771, 7860, 258,
    777, 7858, 259, 768, 7857, 259, 769, 7855, 259, 771, 7861, 259, 777, 7859, 274, 768, 7700, 274,
    769, 7702, 275, 768, 7701, 275, 769, 7703, 332, 768, 7760, 332, 769, 7762, 333, 768, 7761, 333,
    769, 7763, 346, 775, 7780, 347, 775, 7781, 352, 775, 7782, 353, 775, 7783, 360, 769, 7800, 361,
    769, 7801, 362, 776, 7802, 363, 776, 7803, 383, 775, 7835, 416, 768, 7900, 416, 769, 7898, 416,
    771, 7904, 416, 777, 7902, 416, 803, 7906, 417, 768, 7901, 417, 769, 7899, 417, 771, 7905, 417,
    777, 7903, 417, 803, 7907, 431, 768, 7914, 431, 769, 7912, 431, 771, 7918, 431, 777, 7916, 431,
    803, 7920, 432, 768, 7915, 432, 769, 7913, 432, 771, 7919, 432, 777, 7917, 432, 803, 7921, 439,
    780, 494, 490, 772, 492, 491, 772, 493, 550, 772, 480, 551, 772, 481, 552, 774, 7708, 553, 774,
    7709, 558, 772, 560, 559, 772, 561, 658, 780, 495, 913, 768, 8122, 913, 769, 902, 913, 772,
    8121, 913, 774, 8120, 913, 787, 7944, 913, 788, 7945, 913, 837, 8124, 917, 768, 8136, 917, 769,
    904, 917, 787, 7960, 917, 788, 7961, 919, 768, 8138, 919, 769, 905, 919, 787, 7976, 919, 788,
    7977, 919, 837, 8140, 921, 768, 8154, 921, 769, 906, 921, 772, 8153, 921, 774, 8152, 921, 776,
    938, 921, 787, 7992, 921, 788, 7993, 927, 768, 8184, 927, 769, 908, 927, 787, 8008, 927, 788,
    8009, 929, 788, 8172, 933, 768, 8170, 933, 769, 910, 933, 772, 8169, 933, 774, 8168, 933, 776,
    939, 933, 788, 8025, 937, 768, 8186, 937, 769, 911, 937, 787, 8040, 937, 788, 8041, 937, 837,
    8188, 940, 837, 8116, 942, 837, 8132, 945, 768, 8048, 945, 769, 940, 945, 772, 8113, 945, 774,
    8112, 945, 787, 7936, 945, 788, 7937, 945, 834, 8118, 945, 837, 8115, 949, 768, 8050, 949, 769,
    941, 949, 787, 7952, 949, 788, 7953, 951, 768, 8052, 951, 769, 942, 951, 787, 7968, 951, 788,
    7969, 951, 834, 8134, 951, 837, 8131, 953, 768, 8054, 953, 769, 943, 953, 772, 8145, 953, 774,
    8144, 953, 776, 970, 953, 787, 7984, 953, 788, 7985, 953, 834, 8150, 959, 768, 8056, 959, 769,
    972, 959, 787, 8000, 959, 788, 8001, 961, 787, 8164, 961, 788, 8165, 965, 768, 8058, 965, 769,
    973, 965, 772, 8161, 965, 774, 8160, 965, 776, 971, 965, 787, 8016, 965, 788, 8017, 965, 834,
    8166, 969, 768, 8060, 969, 769, 974, 969, 787, 8032, 969, 788, 8033, 969, 834, 8182, 969, 837,
    8179, 970, 768, 8146, 970, 769, 912, 970, 834, 8151, 971, 768, 8162, 971, 769, 944, 971, 834,
    8167, 974, 837, 8180, 978, 769, 979, 978, 776, 980, 1030, 776, 1031, 1040, 774, 1232, 1040, 776,
    1234, 1043, 769, 1027, 1045, 768, 1024, 1045, 774, 1238, 1045, 776, 1025, 1046, 774, 1217, 1046,
    776, 1244, 1047, 776, 1246, 1048, 768, 1037, 1048, 772, 1250, 1048, 774, 1049, 1048, 776, 1252,
    1050, 769, 1036, 1054, 776, 1254, 1059, 772, 1262, 1059, 774, 1038, 1059, 776, 1264, 1059, 779,
    1266, 1063, 776, 1268, 1067, 776, 1272, 1069, 776, 1260, 1072, 774, 1233, 1072, 776, 1235, 1075,
    769, 1107, 1077, 768, 1104, 1077, 774, 1239, 1077, 776, 1105, 1078, 774, 1218, 1078, 776, 1245,
    1079, 776, 1247, 1080, 768, 1117, 1080, 772, 1251, 1080, 774, 1081, 1080, 776, 1253, 1082, 769,
    1116, 1086, 776, 1255, 1091, 772, 1263, 1091, 774, 1118, 1091, 776, 1265, 1091, 779, 1267, 1095,
    776, 1269, 1099, 776, 1273, 1101, 776, 1261, 1110, 776, 1111, 1140, 783, 1142, 1141, 783, 1143,
    1240, 776, 1242, 1241, 776, 1243, 1256, 776, 1258, 1257, 776, 1259, 1575, 1619, 1570, 1575,
    1620, 1571, 1575, 1621, 1573, 1608, 1620, 1572, 1610, 1620, 1574, 1729, 1620, 1730, 1746, 1620,
    1747, 1749, 1620, 1728, 2344, 2364, 2345, 2352, 2364, 2353, 2355, 2364, 2356, 2503, 2494, 2507,
    2503, 2519, 2508, 2887, 2878, 2891, 2887, 2902, 2888, 2887, 2903, 2892, 2962, 3031, 2964, 3014,
    3006, 3018, 3014, 3031, 3020, 3015, 3006, 3019, 3142, 3158, 3144, 3263, 3285, 3264, 3270, 3266,
    3274, 3270, 3285, 3271, 3270, 3286, 3272, 3274, 3285, 3275, 3398, 3390, 3402, 3398, 3415, 3404,
    3399, 3390, 3403, 3545, 3530, 3546, 3545, 3535, 3548, 3545, 3551, 3550, 3548, 3530, 3549, 4133,
    4142, 4134, 6917, 6965, 6918, 6919, 6965, 6920, 6921, 6965, 6922, 6923, 6965, 6924, 6925, 6965,
    6926, 6929, 6965, 6930, 6970, 6965, 6971, 6972, 6965, 6973, 6974, 6965, 6976, 6975, 6965, 6977,
    6978, 6965, 6979, 7734, 772, 7736, 7735, 772, 7737, 7770, 772, 7772, 7771, 772, 7773, 7778, 775,
    7784, 7779, 775, 7785, 7840, 770, 7852, 7840, 774, 7862, 7841, 770, 7853, 7841, 774, 7863, 7864,
    770, 7878, 7865, 770, 7879, 7884, 770, 7896, 7885, 770, 7897, 7936, 768, 7938, 7936, 769, 7940,
    7936, 834, 7942, 7936, 837, 8064, 7937, 768, 7939, 7937, 769, 7941, 7937, 834, 7943, 7937, 837,
    8065, 7938, 837, 8066, 7939, 837, 8067, 7940, 837, 8068, 7941, 837, 8069, 7942, 837, 8070, 7943,
    837, 8071, 7944, 768, 7946, 7944, 769, 7948, 7944, 834, 7950, 7944, 837, 8072, 7945, 768, 7947,
    7945, 769, 7949, 7945, 834, 7951, 7945, 837, 8073, 7946, 837, 8074, 7947, 837, 8075, 7948, 837,
    8076, 7949, 837, 8077, 7950, 837, 8078, 7951, 837, 8079, 7952, 768, 7954, 7952, 769, 7956, 7953,
    768, 7955, 7953, 769, 7957, 7960, 768, 7962, 7960, 769, 7964, 7961, 768, 7963, 7961, 769, 7965,
    7968, 768, 7970, 7968, 769, 7972, 7968, 834, 7974, 7968, 837, 8080, 7969, 768, 7971, 7969, 769,
    7973, 7969, 834, 7975, 7969, 837, 8081, 7970, 837, 8082, 7971, 837, 8083, 7972, 837, 8084, 7973,
    837, 8085, 7974, 837, 8086, 7975, 837, 8087, 7976, 768, 7978, 7976, 769, 7980, 7976, 834, 7982,
    7976, 837, 8088, 7977, 768, 7979, 7977, 769, 7981, 7977, 834, 7983, 7977, 837, 8089, 7978, 837,
    8090, 7979, 837, 8091, 7980, 837, 8092, 7981, 837, 8093, 7982, 837, 8094, 7983, 837, 8095, 7984,
    768, 7986, 7984, 769, 7988, 7984, 834, 7990, 7985, 768, 7987, 7985, 769, 7989, 7985, 834, 7991,
    7992, 768, 7994, 7992, 769, 7996, 7992, 834, 7998, 7993, 768, 7995, 7993, 769, 7997, 7993, 834,
    7999, 8000, 768, 8002, 8000, 769, 8004, 8001, 768, 8003, 8001, 769, 8005, 8008, 768, 8010, 8008,
    769, 8012, 8009, 768, 8011, 8009, 769, 8013, 8016, 768, 8018, 8016, 769, 8020, 8016, 834, 8022,
    8017, 768, 8019, 8017, 769, 8021, 8017, 834, 8023, 8025, 768, 8027, 8025, 769, 8029, 8025, 834,
    8031, 8032, 768, 8034, 8032, 769, 8036, 8032, 834, 8038, 8032, 837, 8096, 8033, 768, 8035, 8033,
    769, 8037, 8033, 834, 8039, 8033, 837, 8097, 8034, 837, 8098, 8035, 837, 8099, 8036, 837, 8100,
    8037, 837, 8101, 8038, 837, 8102, 8039, 837, 8103, 8040, 768, 8042, 8040, 769, 8044, 8040, 834,
    8046, 8040, 837, 8104, 8041, 768, 8043, 8041, 769, 8045, 8041, 834, 8047, 8041, 837, 8105, 8042,
    837, 8106, 8043, 837, 8107, 8044, 837, 8108, 8045, 837, 8109, 8046, 837, 8110, 8047, 837, 8111,
    8048, 837, 8114, 8052, 837, 8130, 8060, 837, 8178, 8118, 837, 8119, 8127, 768, 8141, 8127, 769,
    8142, 8127, 834, 8143, 8134, 837, 8135, 8182, 837, 8183, 8190, 768, 8157, 8190, 769, 8158, 8190,
    834, 8159, 8592, 824, 8602, 8594, 824, 8603, 8596, 824, 8622, 8656, 824, 8653, 8658, 824, 8655,
    8660, 824, 8654, 8707, 824, 8708, 8712, 824, 8713, 8715, 824, 8716, 8739, 824, 8740, 8741, 824,
    8742, 8764, 824, 8769, 8771, 824, 8772, 8773, 824, 8775, 8776, 824, 8777, 8781, 824, 8813, 8801,
    824, 8802, 8804, 824, 8816, 8805, 824, 8817, 8818, 824, 8820, 8819, 824, 8821, 8822, 824, 8824,
    8823, 824, 8825, 8826, 824, 8832, 8827, 824, 8833, 8828, 824, 8928, 8829, 824, 8929, 8834, 824,
    8836, 8835, 824, 8837, 8838, 824, 8840, 8839, 824, 8841, 8849, 824, 8930, 8850, 824, 8931, 8866,
    824, 8876, 8872, 824, 8877, 8873, 824, 8878, 8875, 824, 8879, 8882, 824, 8938, 8883, 824, 8939,
    8884, 824, 8940, 8885, 824, 8941, 12358, 12441, 12436, 12363, 12441, 12364, 12365, 12441, 12366,
    12367, 12441, 12368, 12369, 12441, 12370, 12371, 12441, 12372, 12373, 12441, 12374, 12375,
    12441, 12376, 12377, 12441, 12378, 12379, 12441, 12380, 12381, 12441, 12382, 12383, 12441,
    12384, 12385, 12441, 12386, 12388, 12441, 12389, 12390, 12441, 12391, 12392, 12441, 12393,
    12399, 12441, 12400, 12399, 12442, 12401, 12402, 12441, 12403, 12402, 12442, 12404, 12405,
    12441, 12406, 12405, 12442, 12407, 12408, 12441, 12409, 12408, 12442, 12410, 12411, 12441,
    12412, 12411, 12442, 12413, 12445, 12441, 12446, 12454, 12441, 12532, 12459, 12441, 12460,
    12461, 12441, 12462, 12463, 12441, 12464, 12465, 12441, 12466, 12467, 12441, 12468, 12469,
    12441, 12470, 12471, 12441, 12472, 12473, 12441, 12474, 12475, 12441, 12476, 12477, 12441,
    12478, 12479, 12441, 12480, 12481, 12441, 12482, 12484, 12441, 12485, 12486, 12441, 12487,
    12488, 12441, 12489, 12495, 12441, 12496, 12495, 12442, 12497, 12498, 12441, 12499, 12498,
    12442, 12500, 12501, 12441, 12502, 12501, 12442, 12503, 12504, 12441, 12505, 12504, 12442,
    12506, 12507, 12441, 12508, 12507, 12442, 12509, 12527, 12441, 12535, 12528, 12441, 12536,
    12529, 12441, 12537, 12530, 12441, 12538, 12541, 12441, 12542, 67026, 775, 67017, 67034, 775,
    67044, 69785, 69818, 69786, 69787, 69818, 69788, 69797, 69818, 69803, 69937, 69927, 69934,
    69938, 69927, 69935, 70471, 70462, 70475, 70471, 70487, 70476, 70530, 70601, 70531, 70532,
    70587, 70533, 70539, 70594, 70542, 70544, 70601, 70545, 70594, 70584, 70599, 70594, 70594,
    70597, 70594, 70601, 70600, 70841, 70832, 70844, 70841, 70842, 70843, 70841, 70845, 70846,
    71096, 71087, 71098, 71097, 71087, 71099, 71989, 71984, 71992, 90398, 90398, 90401, 90398,
    90399, 90403, 90398, 90400, 90405, 90398, 90409, 90402, 90401, 90399, 90406, 90401, 90400,
    90408, 90402, 90399, 90407, 90409, 90399, 90404, 93539, 93543, 93545, 93543, 93543, 93544,
    93545, 93543, 93546,
];
// END IDNA TABLES

// The draft-07 standard formats. Each works on the text's code points (`code_points`) and reads
// them through `cp_at`, which gives `END` past the end, so no index can fall outside the text;
// the TypeScript runtime has the same functions, line for line, over the same code points.

/// What `cp_at` reads past the end of the text (no code point has this value).
const END: u32 = u32::MAX;

fn code_points(s: &str) -> Vec<u32> {
    s.chars().map(u32::from).collect()
}

fn cp_at(cp: &[u32], i: usize) -> u32 {
    cp.get(i).copied().unwrap_or(END)
}

fn is_digit(c: u32) -> bool {
    (0x30..=0x39).contains(&c)
}

fn is_alpha(c: u32) -> bool {
    (0x41..=0x5a).contains(&c) || (0x61..=0x7a).contains(&c)
}

fn is_hex(c: u32) -> bool {
    is_digit(c) || (0x41..=0x46).contains(&c) || (0x61..=0x66).contains(&c)
}

fn hex_value(c: u32) -> u32 {
    if is_digit(c) {
        c - 0x30
    } else {
        (c | 0x20) - 0x61 + 10
    }
}

fn lower(c: u32) -> u32 {
    if (0x41..=0x5a).contains(&c) {
        c + 0x20
    } else {
        c
    }
}

/// The value of the `n` ASCII digits at `at`, if they are digits.
fn digits_at(cp: &[u32], at: usize, n: usize) -> Option<u32> {
    let mut value = 0u32;
    for i in at..at + n {
        let c = cp_at(cp, i);
        if !is_digit(c) {
            return None;
        }
        value = value * 10 + (c - 0x30);
    }
    Some(value)
}

/// RFC 3339 `full-date` in the 10 code points at `at`: `YYYY-MM-DD`, a real Gregorian day.
fn is_full_date_at(cp: &[u32], at: usize) -> bool {
    let (Some(year), Some(month), Some(day)) = (digits_at(cp, at, 4), digits_at(cp, at + 5, 2), digits_at(cp, at + 8, 2)) else {
        return false;
    };
    if cp_at(cp, at + 4) != 0x2d || cp_at(cp, at + 7) != 0x2d || !(1..=12).contains(&month) {
        return false;
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    (1..=days).contains(&day)
}

/// RFC 3339 `full-time` from `at` to the end: `HH:MM:SS`, an optional fraction, `Z` or `z` or a
/// `+HH:MM` / `-HH:MM` offset; second 60 only where the time in UTC is 23:59 (a leap second).
fn is_full_time_at(cp: &[u32], at: usize) -> bool {
    let (Some(hour), Some(minute), Some(second)) = (digits_at(cp, at, 2), digits_at(cp, at + 3, 2), digits_at(cp, at + 6, 2)) else {
        return false;
    };
    if cp_at(cp, at + 2) != 0x3a || cp_at(cp, at + 5) != 0x3a || hour > 23 || minute > 59 || second > 60 {
        return false;
    }
    let mut i = at + 8;
    if cp_at(cp, i) == 0x2e {
        i += 1;
        let start = i;
        while is_digit(cp_at(cp, i)) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    let offset: i64;
    let c = cp_at(cp, i);
    if c == 0x5a || c == 0x7a {
        offset = 0;
        i += 1;
    } else if c == 0x2b || c == 0x2d {
        let (Some(oh), Some(om)) = (digits_at(cp, i + 1, 2), digits_at(cp, i + 4, 2)) else {
            return false;
        };
        if cp_at(cp, i + 3) != 0x3a || oh > 23 || om > 59 {
            return false;
        }
        let magnitude = i64::from(oh * 60 + om);
        offset = if c == 0x2b { magnitude } else { -magnitude };
        i += 6;
    } else {
        return false;
    }
    if i != cp.len() {
        return false;
    }
    second != 60 || (i64::from(hour * 60 + minute) - offset).rem_euclid(1440) == 23 * 60 + 59
}

/// Format primitive `date` (RFC 3339 `full-date`).
pub fn is_date(s: &str) -> bool {
    let cp = code_points(s);
    cp.len() == 10 && is_full_date_at(&cp, 0)
}

/// Format primitive `time` (RFC 3339 `full-time`, leap second at 23:59 UTC only).
pub fn is_time(s: &str) -> bool {
    is_full_time_at(&code_points(s), 0)
}

/// Format primitive `date-time` (RFC 3339 `date-time`; `T` and `Z` in either case).
pub fn is_date_time(s: &str) -> bool {
    let cp = code_points(s);
    let t = cp_at(&cp, 10);
    is_full_date_at(&cp, 0) && (t == 0x54 || t == 0x74) && is_full_time_at(&cp, 11)
}

/// A dotted quad in `cp[start..end]`: four decimal parts of 0 to 255 without leading zeros.
fn is_ipv4_in(cp: &[u32], start: usize, end: usize) -> bool {
    let mut parts = 0;
    let mut i = start;
    loop {
        let part = i;
        let mut value = 0u32;
        while i < end && is_digit(cp_at(cp, i)) && i - part < 4 {
            value = value * 10 + (cp_at(cp, i) - 0x30);
            i += 1;
        }
        let len = i - part;
        if len == 0 || len > 3 || value > 255 || (len > 1 && cp_at(cp, part) == 0x30) {
            return false;
        }
        parts += 1;
        if i == end {
            return parts == 4;
        }
        if cp_at(cp, i) != 0x2e || parts == 4 {
            return false;
        }
        i += 1;
    }
}

/// RFC 4291 §2.2 text form in `cp[start..end]`: eight groups of 1 to 4 hex digits, one `::` for
/// one or more zero groups, the last two groups optionally a dotted quad.
fn is_ipv6_in(cp: &[u32], start: usize, end: usize) -> bool {
    let mut groups = 0;
    let mut compressed = false;
    let mut i = start;
    if cp_at(cp, i) == 0x3a {
        if cp_at(cp, i + 1) != 0x3a {
            return false;
        }
        compressed = true;
        i += 2;
    }
    while i < end {
        let mut j = i;
        let mut dotted = false;
        while j < end && cp_at(cp, j) != 0x3a {
            dotted |= cp_at(cp, j) == 0x2e;
            j += 1;
        }
        if dotted {
            if j != end || !is_ipv4_in(cp, i, j) {
                return false;
            }
            groups += 2;
            break;
        }
        if j == i || j - i > 4 || !(i..j).all(|k| is_hex(cp_at(cp, k))) {
            return false;
        }
        groups += 1;
        if j == end {
            break;
        }
        if cp_at(cp, j + 1) == 0x3a {
            if compressed {
                return false;
            }
            compressed = true;
            i = j + 2;
        } else {
            i = j + 1;
            if i == end {
                return false;
            }
        }
    }
    if compressed {
        groups <= 7
    } else {
        groups == 8
    }
}

/// Format primitive `ipv4` (RFC 2673 §3.2 dotted quad, no leading zeros).
pub fn is_ipv4(s: &str) -> bool {
    let cp = code_points(s);
    is_ipv4_in(&cp, 0, cp.len())
}

/// Format primitive `ipv6` (RFC 4291 §2.2, no zone identifier, no brackets).
pub fn is_ipv6(s: &str) -> bool {
    let cp = code_points(s);
    is_ipv6_in(&cp, 0, cp.len())
}

// Punycode (RFC 3492).

fn punycode_adapt_bias(delta: u64, length: u64, first: bool) -> u64 {
    let mut delta = if first { delta / 700 } else { delta / 2 };
    delta += delta / length;
    let mut k = 0;
    while delta > 455 {
        delta /= 35;
        k += 36;
    }
    k + 36 * delta / (delta + 38)
}

/// Decodes Punycode (the text after `xn--`); `None` if it is not Punycode of Unicode scalars.
fn punycode_decode(code: &[u32]) -> Option<Vec<u32>> {
    let dash = code.iter().rposition(|&c| c == 0x2d);
    let (mut output, mut pos) = match dash {
        Some(d) => (code.get(..d)?.to_vec(), d + 1),
        None => (Vec::new(), 0),
    };
    if output.iter().any(|&c| c >= 0x80) {
        return None;
    }
    let (mut n, mut i, mut bias) = (128u64, 0u64, 72u64);
    while pos < code.len() {
        let (old_i, mut w, mut k) = (i, 1u64, 36u64);
        loop {
            let c = cp_at(code, pos);
            pos += 1;
            let digit = if (0x61..=0x7a).contains(&c) {
                c - 0x61
            } else if (0x41..=0x5a).contains(&c) {
                c - 0x41
            } else if is_digit(c) {
                c - 0x30 + 26
            } else {
                return None;
            };
            i += u64::from(digit) * w;
            if i > 0x10ffff * 0x1000 {
                return None;
            }
            let t = if k <= bias { 1 } else if k >= bias + 26 { 26 } else { k - bias };
            if u64::from(digit) < t {
                break;
            }
            w *= 36 - t;
            k += 36;
        }
        let length = output.len() as u64 + 1;
        bias = punycode_adapt_bias(i - old_i, length, old_i == 0);
        n += i / length;
        i %= length;
        if n > 0x10ffff || (0xd800..=0xdfff).contains(&n) {
            return None;
        }
        output.insert(i as usize, n as u32);
        i += 1;
    }
    Some(output)
}

/// Encodes a label as Punycode (without `xn--`).
fn punycode_encode(input: &[u32]) -> Vec<u32> {
    let mut output: Vec<u32> = input.iter().copied().filter(|&c| c < 0x80).collect();
    let basic = output.len();
    let mut handled = basic;
    if basic > 0 {
        output.push(0x2d);
    }
    let (mut n, mut delta, mut bias) = (128u64, 0u64, 72u64);
    while handled < input.len() {
        let m = input.iter().map(|&c| u64::from(c)).filter(|&c| c >= n).min().unwrap_or(n);
        delta += (m - n) * (handled as u64 + 1);
        n = m;
        for &c in input {
            let c = u64::from(c);
            if c < n {
                delta += 1;
            }
            if c == n {
                let mut q = delta;
                let mut k = 36;
                loop {
                    let t = if k <= bias { 1 } else if k >= bias + 26 { 26 } else { k - bias };
                    if q < t {
                        break;
                    }
                    let digit = t + (q - t) % (36 - t);
                    output.push(punycode_digit(digit));
                    q = (q - t) / (36 - t);
                    k += 36;
                }
                output.push(punycode_digit(q));
                bias = punycode_adapt_bias(delta, handled as u64 + 1, handled == basic);
                delta = 0;
                handled += 1;
            }
        }
        delta += 1;
        n += 1;
    }
    output
}

fn punycode_digit(d: u64) -> u32 {
    if d < 26 {
        0x61 + d as u32
    } else {
        0x30 + (d as u32 - 26)
    }
}

// IDNA2008 (RFC 5890-5893), as far as small range tables decide it (see docs/formats.md).

fn in_ranges(c: u32, ranges: &[(u32, u32)]) -> bool {
    ranges.iter().any(|&(low, high)| low <= c && c <= high)
}

/// Combining marks (General_Category M) of the common scripts: a label may not start with one.
const MARKS: &[(u32, u32)] = &[
    (0x0300, 0x036f), (0x0483, 0x0489), (0x0591, 0x05bd), (0x05bf, 0x05bf), (0x05c1, 0x05c2),
    (0x05c4, 0x05c5), (0x05c7, 0x05c7), (0x0610, 0x061a), (0x064b, 0x065f), (0x0670, 0x0670),
    (0x06d6, 0x06dc), (0x06df, 0x06e4), (0x06e7, 0x06e8), (0x06ea, 0x06ed), (0x0711, 0x0711),
    (0x0730, 0x074a), (0x07a6, 0x07b0), (0x07eb, 0x07f3), (0x07fd, 0x07fd), (0x0816, 0x0819),
    (0x081b, 0x0823), (0x0825, 0x0827), (0x0829, 0x082d), (0x0859, 0x085b), (0x0898, 0x089f),
    (0x08ca, 0x08e1), (0x08e3, 0x08ff), (0x0900, 0x0903), (0x093a, 0x093c),
    (0x093e, 0x094f), (0x0951, 0x0957), (0x0962, 0x0963), (0x0981, 0x0983), (0x09bc, 0x09bc),
    (0x09be, 0x09cd), (0x09d7, 0x09d7), (0x09e2, 0x09e3), (0x0a01, 0x0a03), (0x0a3c, 0x0a51),
    (0x0a70, 0x0a71), (0x0a75, 0x0a75), (0x0a81, 0x0a83), (0x0abc, 0x0abc), (0x0abe, 0x0acd),
    (0x0ae2, 0x0ae3), (0x0b01, 0x0b03), (0x0b3c, 0x0b3c), (0x0b3e, 0x0b57), (0x0b62, 0x0b63),
    (0x0b82, 0x0b82), (0x0bbe, 0x0bcd), (0x0bd7, 0x0bd7), (0x0c00, 0x0c04), (0x0c3e, 0x0c56),
    (0x0c62, 0x0c63), (0x0c81, 0x0c83), (0x0cbc, 0x0cbc), (0x0cbe, 0x0cd6), (0x0ce2, 0x0ce3),
    (0x0d00, 0x0d03), (0x0d3b, 0x0d3c), (0x0d3e, 0x0d4d), (0x0d57, 0x0d57), (0x0d62, 0x0d63),
    (0x0d81, 0x0d83), (0x0dca, 0x0ddf), (0x0df2, 0x0df3), (0x0e31, 0x0e31), (0x0e34, 0x0e3a),
    (0x0e47, 0x0e4e), (0x0eb1, 0x0eb1), (0x0eb4, 0x0ebc), (0x0ec8, 0x0ecd), (0x0f18, 0x0f19),
    (0x0f35, 0x0f35), (0x0f37, 0x0f37), (0x0f39, 0x0f39), (0x0f3e, 0x0f3f), (0x0f71, 0x0f84),
    (0x0f86, 0x0f87), (0x0f8d, 0x0fbc), (0x102b, 0x103e), (0x1ab0, 0x1aff), (0x1dc0, 0x1dff),
    (0x20d0, 0x20ff), (0x302a, 0x302f), (0x3099, 0x309a), (0xfe00, 0xfe0f), (0xfe20, 0xfe2f),
];

/// The viramas (Canonical_Combining_Class 9) that let a joiner follow them (RFC 5892 A.1, A.2).
const VIRAMAS: &[u32] = &[
    0x094d, 0x09cd, 0x0a4d, 0x0acd, 0x0b4d, 0x0bcd, 0x0c4d, 0x0ccd, 0x0d3b, 0x0d3c, 0x0d4d,
    0x0dca, 0x0e3a, 0x0eba, 0x0f84, 0x1039, 0x103a, 0x1714, 0x1734, 0x17d2, 0x1a60, 0x1b44,
    0x1baa, 0x1bab, 0x1bf2, 0x1bf3, 0x2d7f, 0xa806, 0xa8c4, 0xa953, 0xa9c0, 0xaaf6, 0xabed,
    0x10a3f, 0x11046, 0x1107f, 0x110b9, 0x11133, 0x11134, 0x111c0, 0x11235, 0x112ea, 0x1134d,
    0x11442, 0x114c2, 0x115bf, 0x1163f, 0x116b6, 0x1172b, 0x11839, 0x119e0, 0x11a34, 0x11a47,
    0x11a99, 0x11c3f, 0x11d44, 0x11d45, 0x11d97,
];

/// Code points IDNA2008 never allows in a U-label that the rules below can name: controls,
/// Latin-1 symbols and upper case, the Greek, Cyrillic, Armenian and Georgian capitals, the
/// enclosing marks, the conjoining Hangul jamo, the exceptions of RFC 5892 §2.6 that are DISALLOWED, spaces,
/// format controls other than the joiners, surrogates, private use, the compatibility forms
/// (fullwidth, halfwidth, presentation forms), specials and the noncharacters.
const DISALLOWED: &[(u32, u32)] = &[
    (0x0000, 0x002c), (0x002e, 0x002f), (0x003a, 0x0060), (0x007b, 0x00b6), (0x00b8, 0x00de),
    (0x0386, 0x0386), (0x0388, 0x038f), (0x0391, 0x03ab), (0x0400, 0x042f), (0x0531, 0x0556),
    (0x10a0, 0x10c5), (0x1c90, 0x1cbf), (0x0488, 0x0489), (0x1abe, 0x1abe), (0x20dd, 0x20e0), (0x20e2, 0x20e4), (0xa670, 0xa672),
    (0x00f7, 0x00f7), (0x0640, 0x0640), (0x07fa, 0x07fa), (0x1100, 0x11ff), (0xa960, 0xa97f), (0xd7b0, 0xd7ff), (0x1680, 0x1680),
    (0x180b, 0x180e), (0x2000, 0x200b), (0x200e, 0x2064), (0x2066, 0x206f), (0x2070, 0x20cf), (0x2100, 0x2bff),
    (0x3000, 0x3000), (0x302e, 0x302f), (0x3031, 0x3035), (0x303b, 0x303b), (0x3164, 0x3164),
    (0xd800, 0xf8ff), (0xfb00, 0xfb06), (0xfb13, 0xfb17), (0xfdd0, 0xfdef), (0xfe10, 0xfe1f),
    (0xfe30, 0xfe4f), (0xfe50, 0xfe6f), (0xfeff, 0xfeff), (0xff00, 0xffef), (0xfff0, 0xffff),
    (0xe0000, 0xe0fff), (0xf0000, 0x10ffff),
];

fn is_noncharacter(c: u32) -> bool {
    c & 0xfffe == 0xfffe || (0xfdd0..=0xfdef).contains(&c)
}

fn is_greek(c: u32) -> bool {
    (0x0370..=0x03ff).contains(&c) && c != 0x0375 && c != 0x037e && c != 0x0385 && c != 0x0387 || (0x1f00..=0x1fff).contains(&c)
}

fn is_hebrew(c: u32) -> bool {
    (0x0591..=0x05f4).contains(&c) || (0xfb1d..=0xfb4f).contains(&c)
}

fn is_kana_or_han(c: u32) -> bool {
    (0x3041..=0x309f).contains(&c)
        || (0x30a0..=0x30ff).contains(&c) && c != 0x30fb
        || (0x31f0..=0x31ff).contains(&c)
        || (0x3005..=0x3007).contains(&c)
        || (0x3021..=0x3029).contains(&c)
        || (0x3038..=0x303a).contains(&c)
        || (0x3400..=0x4dbf).contains(&c)
        || (0x4e00..=0x9fff).contains(&c)
        || (0xf900..=0xfaff).contains(&c)
        || (0x20000..=0x3ffff).contains(&c)
}

/// Joining_Type of the Arabic letters, for the ZERO WIDTH NON-JOINER rule: `D` dual, `R` right,
/// `T` transparent, `U` anything else.
fn joining_type(c: u32) -> u8 {
    const RIGHT: &[(u32, u32)] = &[
        (0x0622, 0x0625), (0x0627, 0x0627), (0x0629, 0x0629), (0x062f, 0x0632), (0x0648, 0x0648),
        (0x0671, 0x0673), (0x0675, 0x0677), (0x0688, 0x0699), (0x06c0, 0x06c0), (0x06c3, 0x06cb),
        (0x06cd, 0x06cd), (0x06cf, 0x06cf), (0x06d2, 0x06d3), (0x06d5, 0x06d5), (0x06ee, 0x06ef),
    ];
    const DUAL: &[(u32, u32)] = &[
        (0x0620, 0x0620), (0x0626, 0x0626), (0x0628, 0x0628), (0x062a, 0x062e), (0x0633, 0x063f),
        (0x0641, 0x0647), (0x0649, 0x064a), (0x066e, 0x066f), (0x0678, 0x0687), (0x069a, 0x06bf),
        (0x06c1, 0x06c2), (0x06cc, 0x06cc), (0x06ce, 0x06ce), (0x06d0, 0x06d1), (0x06fa, 0x06fc),
        (0x06ff, 0x06ff),
    ];
    if in_ranges(c, RIGHT) {
        b'R'
    } else if in_ranges(c, DUAL) {
        b'D'
    } else if in_ranges(c, MARKS) || c == 0x200b {
        b'T'
    } else {
        b'U'
    }
}

/// Bidi_Class, coarsely, for the Bidi rule (RFC 5893): `R`, `A` (AL), `N` (AN), `E` (EN), `S`
/// (ES, CS, ET, ON, BN: the classes the rule treats alike), `M` (NSM), `L`.
fn bidi_class(c: u32) -> u8 {
    if is_digit(c) || (0x06f0..=0x06f9).contains(&c) {
        b'E'
    } else if (0x0600..=0x0605).contains(&c) || (0x0660..=0x0669).contains(&c) || (0x066b..=0x066c).contains(&c) || c == 0x06dd {
        b'N'
    } else if in_ranges(c, MARKS) {
        b'M'
    } else if (0x0590..=0x05ff).contains(&c) || (0x07c0..=0x085f).contains(&c) || (0xfb1d..=0xfb4f).contains(&c) || (0x10800..=0x10fff).contains(&c) || (0x1e800..=0x1edff).contains(&c) {
        b'R'
    } else if (0x0600..=0x07bf).contains(&c) || (0x0860..=0x08ff).contains(&c) || (0xfb50..=0xfdff).contains(&c) || (0xfe70..=0xfeff).contains(&c) || (0x1ee00..=0x1eeff).contains(&c) {
        b'A'
    } else if c < 0x41 || (0x5b..=0x60).contains(&c) || (0x7b..=0xbf).contains(&c) || (0x2000..=0x206f).contains(&c) {
        b'S'
    } else {
        b'L'
    }
}

/// Whether a label holds a right-to-left code point (R, AL or AN), making its name a Bidi domain
/// name (RFC 5893 §2).
fn is_rtl_label(label: &[u32]) -> bool {
    label.iter().any(|&c| matches!(bidi_class(c), b'R' | b'A' | b'N'))
}

/// The Bidi rule (RFC 5893 §2, conditions 1-6) for one label of a Bidi domain name.
fn idn_hostname_bidi_rule(label: &[u32]) -> bool {
    let classes: Vec<u8> = label.iter().map(|&c| bidi_class(c)).collect();
    let Some(&first) = classes.first() else {
        return false;
    };
    let last = classes.iter().rev().find(|&&b| b != b'M').copied().unwrap_or(first);
    if first == b'R' || first == b'A' {
        classes.iter().all(|&b| b != b'L')
            && matches!(last, b'R' | b'A' | b'E' | b'N')
            && !(classes.contains(&b'E') && classes.contains(&b'N'))
    } else if first == b'L' {
        classes.iter().all(|&b| !matches!(b, b'R' | b'A' | b'N')) && matches!(last, b'L' | b'E')
    } else {
        false
    }
}

/// A U-label's own rules (RFC 5891 §4.2.3, RFC 5892's contextual rules) for a label with at least
/// one non-ASCII code point: no hyphen at either end or in the third and fourth place, no
/// leading combining mark, no DISALLOWED code point (ASCII other than `a-z 0-9 -`, see
/// `DISALLOWED`), and every CONTEXTJ / CONTEXTO code point in its context.
fn is_u_label(label: &[u32]) -> bool {
    let len = label.len();
    if len == 0 || cp_at(label, 0) == 0x2d || cp_at(label, len - 1) == 0x2d || (cp_at(label, 2) == 0x2d && cp_at(label, 3) == 0x2d) {
        return false;
    }
    if in_ranges(cp_at(label, 0), MARKS) {
        return false;
    }
    let arabic_indic = label.iter().any(|&c| (0x0660..=0x0669).contains(&c));
    let extended_arabic_indic = label.iter().any(|&c| (0x06f0..=0x06f9).contains(&c));
    if arabic_indic && extended_arabic_indic {
        return false;
    }
    for (i, &c) in label.iter().enumerate() {
        let before = if i == 0 { END } else { cp_at(label, i - 1) };
        let after = cp_at(label, i + 1);
        let ok = match c {
            0x00b7 => before == 0x6c && after == 0x6c,
            0x0375 => is_greek(after),
            0x05f3 | 0x05f4 => is_hebrew(before),
            0x30fb => label.iter().any(|&d| is_kana_or_han(d)),
            0x200d => VIRAMAS.contains(&before),
            0x200c => VIRAMAS.contains(&before) || zwnj_joins(label, i),
            _ => c == 0x2d || is_digit(c) || (0x61..=0x7a).contains(&c) || (c >= 0x80 && !in_ranges(c, DISALLOWED) && !is_noncharacter(c)),
        };
        if !ok {
            return false;
        }
    }
    true
}

/// RFC 5892 A.1's regular expression: `(L|D) T* ZWNJ T* (R|D)` around the joiner at `at`.
fn zwnj_joins(label: &[u32], at: usize) -> bool {
    let mut i = at;
    let left = loop {
        if i == 0 {
            break false;
        }
        i -= 1;
        match joining_type(cp_at(label, i)) {
            b'T' => continue,
            b'D' => break true,
            _ => break false,
        }
    };
    let mut j = at + 1;
    let right = loop {
        match joining_type(cp_at(label, j)) {
            b'T' => j += 1,
            b'R' | b'D' => break true,
            _ => break false,
        }
    };
    left && right
}

/// An LDH label (RFC 1123 §2.1, RFC 952): 1 to 63 letters, digits and hyphens, no hyphen at
/// either end; an `xn--` label (any case) must be an A-label: canonical Punycode of a U-label.
/// Returns the label as IDNA2008 checks it (its U-label when it is an A-label).
fn ldh_label(label: &[u32]) -> Option<Vec<u32>> {
    let len = label.len();
    if len == 0 || len > 63 || cp_at(label, 0) == 0x2d || cp_at(label, len - 1) == 0x2d {
        return None;
    }
    if !label.iter().all(|&c| is_alpha(c) || is_digit(c) || c == 0x2d) {
        return None;
    }
    let is_a_label = lower(cp_at(label, 0)) == 0x78 && lower(cp_at(label, 1)) == 0x6e && cp_at(label, 2) == 0x2d && cp_at(label, 3) == 0x2d;
    if !is_a_label {
        return Some(label.to_vec());
    }
    let code: Vec<u32> = label.get(4..)?.iter().map(|&c| lower(c)).collect();
    let decoded = punycode_decode(&code)?;
    if !decoded.iter().any(|&c| c >= 0x80) || punycode_encode(&decoded) != code || !is_u_label(&decoded) {
        return None;
    }
    Some(decoded)
}

/// Whether a name's labels (as IDNA2008 checks them) pass the Bidi rule where it applies.
fn passes_bidi(labels: &[Vec<u32>]) -> bool {
    !labels.iter().any(|l| is_rtl_label(l)) || labels.iter().all(|l| idn_hostname_bidi_rule(l))
}

/// Format primitive `hostname`: RFC 1123 host names (labels of RFC 952 / RFC 1034 §3.5 letters,
/// digits and hyphens, 1 to 63 each, 253 in all, no trailing dot), where an `xn--` label must be a
/// valid A-label (RFC 5890 §2.3.2.1).
pub fn is_hostname(s: &str) -> bool {
    let cp = code_points(s);
    if cp.is_empty() || cp.len() > 253 {
        return false;
    }
    let mut labels = Vec::new();
    for label in cp.split(|&c| c == 0x2e) {
        match ldh_label(label) {
            Some(l) => labels.push(l),
            None => return false,
        }
    }
    passes_bidi(&labels)
}

/// Format primitive `idn-hostname`: RFC 5890 §2.3.2.3 internationalized host names. Labels are
/// separated by `.` or the ideographic, fullwidth and halfwidth full stops (RFC 3490 §3.1); an
/// ASCII label is as `hostname` takes it, any other must be a U-label (`is_u_label`) whose
/// A-label has at most 63 octets; the name in A-labels has at most 253; the Bidi rule (RFC 5893)
/// applies when a label is right-to-left.
pub fn is_idn_hostname(s: &str) -> bool {
    let cp = code_points(s);
    if cp.is_empty() {
        return false;
    }
    let mut labels = Vec::new();
    let mut total = 0;
    for label in cp.split(|&c| matches!(c, 0x2e | 0x3002 | 0xff0e | 0xff61)) {
        if label.iter().all(|&c| c < 0x80) {
            match ldh_label(label) {
                Some(l) => labels.push(l),
                None => return false,
            }
            total += label.len() + 1;
        } else {
            // An A-label of at most 63 octets encodes at most 59 code points: longer labels are
            // refused before encoding (which takes time quadratic in the label).
            if label.len() > 59 {
                return false;
            }
            let a_label = punycode_encode(label).len() + 4;
            if a_label > 63 || !is_u_label(label) {
                return false;
            }
            labels.push(label.to_vec());
            total += a_label + 1;
        }
    }
    total - 1 <= 253 && passes_bidi(&labels)
}

// E-mail addresses (RFC 5321 §4.1.2, RFC 6531 §3.3).

fn is_atext(c: u32, international: bool) -> bool {
    is_alpha(c) || is_digit(c) || matches!(c, 0x21 | 0x23..=0x27 | 0x2a | 0x2b | 0x2d | 0x2f | 0x3d | 0x3f | 0x5e..=0x60 | 0x7b..=0x7e) || (international && c >= 0x80)
}

/// A `Local-part` in `cp[..end]`: a `Dot-string` or a `Quoted-string`, at most 64 octets.
fn is_local_part(cp: &[u32], end: usize, international: bool) -> bool {
    let octets: usize = (0..end).map(|i| utf8_len(cp_at(cp, i))).sum();
    if end == 0 || octets > 64 {
        return false;
    }
    if cp_at(cp, 0) == 0x22 {
        if end < 2 || cp_at(cp, end - 1) != 0x22 {
            return false;
        }
        let mut i = 1;
        while i < end - 1 {
            let c = cp_at(cp, i);
            if c == 0x5c {
                let next = cp_at(cp, i + 1);
                if i + 1 >= end - 1 || !((0x20..=0x7e).contains(&next) || (international && next >= 0x80)) {
                    return false;
                }
                i += 2;
            } else if matches!(c, 0x20 | 0x21 | 0x23..=0x5b | 0x5d..=0x7e) || (international && c >= 0x80) {
                i += 1;
            } else {
                return false;
            }
        }
        return true;
    }
    let mut previous_dot = true;
    for i in 0..end {
        let c = cp_at(cp, i);
        if c == 0x2e {
            if previous_dot {
                return false;
            }
            previous_dot = true;
        } else if is_atext(c, international) {
            previous_dot = false;
        } else {
            return false;
        }
    }
    !previous_dot
}

fn utf8_len(c: u32) -> usize {
    match c {
        0..=0x7f => 1,
        0x80..=0x7ff => 2,
        0x800..=0xffff => 3,
        _ => 4,
    }
}

/// A mailbox: `Local-part "@" Domain`, the domain a host name (or IDN host name) or an address
/// literal (`[` dotted quad `]`, `[IPv6:` address `]`).
fn is_mailbox(s: &str, international: bool) -> bool {
    let cp = code_points(s);
    let Some(at) = cp.iter().rposition(|&c| c == 0x40) else {
        return false;
    };
    if !is_local_part(&cp, at, international) {
        return false;
    }
    let domain = cp.get(at + 1..).unwrap_or_default();
    if cp_at(domain, 0) == 0x5b {
        let end = domain.len();
        if end < 2 || cp_at(domain, end - 1) != 0x5d {
            return false;
        }
        let tag = [0x49, 0x50, 0x76, 0x36, 0x3a];
        if domain.get(1..6) == Some(&tag[..]) {
            return is_ipv6_in(domain, 6, end - 1);
        }
        return is_ipv4_in(domain, 1, end - 1);
    }
    let text: String = domain.iter().filter_map(|&c| char::from_u32(c)).collect();
    if international {
        is_idn_hostname(&text)
    } else {
        is_hostname(&text)
    }
}

/// Format primitive `email`: an RFC 5321 §4.1.2 `Mailbox` (dot-string or quoted local part of at
/// most 64 octets, a host name or address literal after the last `@`).
pub fn is_email(s: &str) -> bool {
    is_mailbox(s, false)
}

/// Format primitive `idn-email`: an RFC 6531 §3.3 `Mailbox` (the local part may hold any non-ASCII
/// code point, the domain is an `idn-hostname`).
pub fn is_idn_email(s: &str) -> bool {
    is_mailbox(s, true)
}

// URIs and IRIs (RFC 3986 §3-4, RFC 3987 §2.2).

fn is_unreserved(c: u32) -> bool {
    is_alpha(c) || is_digit(c) || matches!(c, 0x2d | 0x2e | 0x5f | 0x7e)
}

fn is_sub_delim(c: u32) -> bool {
    matches!(c, 0x21 | 0x24 | 0x26..=0x2c | 0x3b | 0x3d)
}

/// RFC 3987 `ucschar`.
fn is_ucschar(c: u32) -> bool {
    (0xa0..=0xd7ff).contains(&c) || (0xf900..=0xfdcf).contains(&c) || (0xfdf0..=0xffef).contains(&c) || (c >= 0x10000 && c <= 0xefffd && c & 0xfffe != 0xfffe)
}

/// RFC 3987 `iprivate`.
fn is_iprivate(c: u32) -> bool {
    (0xe000..=0xf8ff).contains(&c) || (c >= 0xf0000 && c <= 0x10fffd && c & 0xfffe != 0xfffe)
}

/// Whether `cp[start..end]` is all code points that `allowed` takes or `%XX` triplets.
fn is_run_of(cp: &[u32], start: usize, end: usize, allowed: &dyn Fn(u32) -> bool) -> bool {
    let mut i = start;
    while i < end {
        let c = cp_at(cp, i);
        if c == 0x25 {
            if i + 2 >= end || !is_hex(cp_at(cp, i + 1)) || !is_hex(cp_at(cp, i + 2)) {
                return false;
            }
            i += 3;
        } else if allowed(c) {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

/// An RFC 3986 §3.2 authority (RFC 3987 `iauthority` when `iri`) in `cp[start..end]`.
fn is_authority(cp: &[u32], start: usize, end: usize, iri: bool) -> bool {
    let mut host = start;
    if let Some(at) = (start..end).find(|&i| cp_at(cp, i) == 0x40) {
        let userinfo = |c: u32| is_unreserved(c) || is_sub_delim(c) || c == 0x3a || (iri && is_ucschar(c));
        if !is_run_of(cp, start, at, &userinfo) {
            return false;
        }
        host = at + 1;
    }
    let port_from;
    if cp_at(cp, host) == 0x5b {
        let Some(close) = (host..end).find(|&i| cp_at(cp, i) == 0x5d) else {
            return false;
        };
        let v = cp_at(cp, host + 1);
        let literal_ok = if v == 0x76 || v == 0x56 {
            // IPvFuture: "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
            let mut i = host + 2;
            while i < close && is_hex(cp_at(cp, i)) {
                i += 1;
            }
            i > host + 2 && cp_at(cp, i) == 0x2e && i + 1 < close && (i + 1..close).all(|k| {
                let c = cp_at(cp, k);
                is_unreserved(c) || is_sub_delim(c) || c == 0x3a
            })
        } else {
            is_ipv6_in(cp, host + 1, close)
        };
        if !literal_ok {
            return false;
        }
        port_from = close + 1;
        if port_from != end && cp_at(cp, port_from) != 0x3a {
            return false;
        }
    } else {
        port_from = (host..end).find(|&i| cp_at(cp, i) == 0x3a).unwrap_or(end);
        let reg_name = |c: u32| is_unreserved(c) || is_sub_delim(c) || (iri && is_ucschar(c));
        if !is_run_of(cp, host, port_from, &reg_name) {
            return false;
        }
    }
    (port_from + 1..end).all(|i| is_digit(cp_at(cp, i)))
}

/// A URI (`iri`: an IRI) when `relative` is false, else a URI reference (IRI reference).
fn is_uri_like(s: &str, iri: bool, relative: bool) -> bool {
    let cp = code_points(s);
    let len = cp.len();
    let pchar = |c: u32| is_unreserved(c) || is_sub_delim(c) || c == 0x3a || c == 0x40 || (iri && is_ucschar(c));
    let fragment_at = cp.iter().position(|&c| c == 0x23).unwrap_or(len);
    let query_at = cp.get(..fragment_at).and_then(|h| h.iter().position(|&c| c == 0x3f)).unwrap_or(fragment_at);
    let fragment = |c: u32| pchar(c) || c == 0x2f || c == 0x3f;
    let query = |c: u32| fragment(c) || (iri && is_iprivate(c));
    if !is_run_of(&cp, fragment_at + 1, len, &fragment) || !is_run_of(&cp, query_at + 1, fragment_at, &query) {
        return false;
    }
    let mut i = 0;
    let mut scheme = false;
    if is_alpha(cp_at(&cp, 0)) {
        let mut j = 1;
        while is_alpha(cp_at(&cp, j)) || is_digit(cp_at(&cp, j)) || matches!(cp_at(&cp, j), 0x2b | 0x2d | 0x2e) {
            j += 1;
        }
        if cp_at(&cp, j) == 0x3a && j < query_at {
            scheme = true;
            i = j + 1;
        }
    }
    if !scheme && !relative {
        return false;
    }
    let end = query_at;
    if cp_at(&cp, i) == 0x2f && cp_at(&cp, i + 1) == 0x2f && i + 1 < end {
        let start = i + 2;
        let authority_end = (start..end).find(|&k| cp_at(&cp, k) == 0x2f).unwrap_or(end);
        if !is_authority(&cp, start, authority_end, iri) {
            return false;
        }
        i = authority_end;
    } else if !scheme {
        // path-noscheme: no ":" in the first segment.
        let first_end = (i..end).find(|&k| cp_at(&cp, k) == 0x2f).unwrap_or(end);
        if (i..first_end).any(|k| cp_at(&cp, k) == 0x3a) {
            return false;
        }
    }
    let path = |c: u32| pchar(c) || c == 0x2f;
    is_run_of(&cp, i, end, &path)
}

/// Format primitive `uri`: an RFC 3986 §3 URI (a scheme, then hierarchical part, query, fragment).
pub fn is_uri(s: &str) -> bool {
    is_uri_like(s, false, false)
}

/// Format primitive `uri-reference`: an RFC 3986 §4.1 URI reference (a URI or a relative reference).
pub fn is_uri_reference(s: &str) -> bool {
    is_uri_like(s, false, true)
}

/// Format primitive `iri`: an RFC 3987 §2.2 IRI.
pub fn is_iri(s: &str) -> bool {
    is_uri_like(s, true, false)
}

/// Format primitive `iri-reference`: an RFC 3987 §2.2 IRI reference.
pub fn is_iri_reference(s: &str) -> bool {
    is_uri_like(s, true, true)
}

/// Whether `cp[start..]` is an RFC 6901 JSON pointer: empty, or `/`-prefixed reference tokens
/// where every `~` is followed by `0` or `1`.
fn is_json_pointer_from(cp: &[u32], start: usize) -> bool {
    if start < cp.len() && cp_at(cp, start) != 0x2f {
        return false;
    }
    let mut i = start;
    while i < cp.len() {
        if cp_at(cp, i) == 0x7e {
            let next = cp_at(cp, i + 1);
            if next != 0x30 && next != 0x31 {
                return false;
            }
            i += 1;
        }
        i += 1;
    }
    true
}

/// Format primitive `json-pointer` (RFC 6901 §3).
pub fn is_json_pointer(s: &str) -> bool {
    is_json_pointer_from(&code_points(s), 0)
}

/// Format primitive `relative-json-pointer` (draft-handrews-relative-json-pointer-01): a
/// non-negative integer without leading zeros, then `#` or a JSON pointer.
pub fn is_relative_json_pointer(s: &str) -> bool {
    let cp = code_points(s);
    let mut i = 0;
    while is_digit(cp_at(&cp, i)) {
        i += 1;
    }
    if i == 0 || (i > 1 && cp_at(&cp, 0) == 0x30) {
        return false;
    }
    (cp_at(&cp, i) == 0x23 && i + 1 == cp.len()) || is_json_pointer_from(&cp, i)
}

/// Format primitive `uri-template`: RFC 6570 §2 syntax (literals, and expressions of an optional
/// operator and a list of variable names with a prefix or explode modifier). A literal may hold
/// `'`, as the erratum to §2.1 and the test suite have it.
pub fn is_uri_template(s: &str) -> bool {
    let cp = code_points(s);
    let len = cp.len();
    let mut i = 0;
    while i < len {
        let c = cp_at(&cp, i);
        if c == 0x7b {
            i += 1;
            if matches!(cp_at(&cp, i), 0x2b | 0x23 | 0x2e | 0x2f | 0x3b | 0x3f | 0x26 | 0x3d | 0x2c | 0x21 | 0x40 | 0x7c) {
                i += 1;
            }
            loop {
                // varname = varchar *( ["."] varchar ); varchar = ALPHA / DIGIT / "_" / pct-encoded
                let mut chars = 0;
                loop {
                    let v = cp_at(&cp, i);
                    if is_alpha(v) || is_digit(v) || v == 0x5f {
                        i += 1;
                    } else if v == 0x25 && is_hex(cp_at(&cp, i + 1)) && is_hex(cp_at(&cp, i + 2)) {
                        i += 3;
                    } else if v == 0x2e && chars > 0 && cp_at(&cp, i + 1) != 0x2e {
                        i += 1;
                        continue;
                    } else {
                        break;
                    }
                    chars += 1;
                }
                if chars == 0 || cp_at(&cp, i - 1) == 0x2e {
                    return false;
                }
                if cp_at(&cp, i) == 0x3a {
                    i += 1;
                    let start = i;
                    while is_digit(cp_at(&cp, i)) && i - start < 5 {
                        i += 1;
                    }
                    if i == start || i - start > 4 || cp_at(&cp, start) == 0x30 {
                        return false;
                    }
                } else if cp_at(&cp, i) == 0x2a {
                    i += 1;
                }
                match cp_at(&cp, i) {
                    0x2c => i += 1,
                    0x7d => break,
                    _ => return false,
                }
            }
            i += 1;
        } else if c == 0x25 {
            if !is_hex(cp_at(&cp, i + 1)) || !is_hex(cp_at(&cp, i + 2)) {
                return false;
            }
            i += 3;
        } else if matches!(c, 0x21 | 0x23..=0x24 | 0x26..=0x3b | 0x3d | 0x3f..=0x5b | 0x5d | 0x5f | 0x61..=0x7a | 0x7e) || is_ucschar(c) || is_iprivate(c) {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

// ECMA-262 regular expressions (the `u` flag's grammar, ECMA-262 2023 §22.2.1).

/// The ECMA-262 pattern parser's state: the pattern's code points and where it is.
struct RegexParser<'a> {
    cp: &'a [u32],
    i: usize,
    depth: usize,
    groups: usize,
    names: std::collections::BTreeSet<Vec<u32>>,
    references: Vec<Vec<u32>>,
    max_backreference: usize,
}

/// How deeply groups may nest in a `regex` (the parser recurses once per group): deeper patterns
/// are refused, in both languages, though ECMA-262 sets no limit.
const REGEX_MAX_DEPTH: usize = 256;

/// Format primitive `regex`: a pattern that ECMA-262 (with the `u` flag) accepts. Property escapes
/// `\p{…}` are checked against General_Category values, binary properties and `Script` /
/// `Script_Extensions` values as `regex_property_ok` lists them; groups nest at most
/// `REGEX_MAX_DEPTH` deep.
pub fn is_regex(s: &str) -> bool {
    let cp = code_points(s);
    let mut p = RegexParser { cp: &cp, i: 0, depth: 0, groups: 0, names: std::collections::BTreeSet::new(), references: Vec::new(), max_backreference: 0 };
    if !p.disjunction() || p.i != cp.len() {
        return false;
    }
    p.max_backreference <= p.groups && p.references.iter().all(|r| p.names.contains(r))
}

impl RegexParser<'_> {
    fn peek(&self) -> u32 {
        cp_at(self.cp, self.i)
    }

    fn peek_at(&self, k: usize) -> u32 {
        cp_at(self.cp, self.i + k)
    }

    fn eat(&mut self, c: u32) -> bool {
        if self.peek() == c {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn disjunction(&mut self) -> bool {
        self.depth += 1;
        if self.depth > REGEX_MAX_DEPTH {
            return false;
        }
        let ok = self.alternatives();
        self.depth -= 1;
        ok
    }

    fn alternatives(&mut self) -> bool {
        loop {
            if !self.alternative() {
                return false;
            }
            if !self.eat(0x7c) {
                return true;
            }
        }
    }

    fn alternative(&mut self) -> bool {
        loop {
            let c = self.peek();
            if c == END || c == 0x7c || c == 0x29 {
                return true;
            }
            if !self.term() {
                return false;
            }
        }
    }

    fn term(&mut self) -> bool {
        let c = self.peek();
        // Assertions: none of them takes a quantifier with the `u` flag.
        if c == 0x5e || c == 0x24 {
            self.i += 1;
            return !self.at_quantifier();
        }
        if c == 0x5c && (self.peek_at(1) == 0x62 || self.peek_at(1) == 0x42) {
            self.i += 2;
            return !self.at_quantifier();
        }
        if c == 0x28 && self.peek_at(1) == 0x3f {
            let (a, b) = (self.peek_at(2), self.peek_at(3));
            let look = if a == 0x3d || a == 0x21 {
                Some(3)
            } else if a == 0x3c && (b == 0x3d || b == 0x21) {
                Some(4)
            } else {
                None
            };
            if let Some(skip) = look {
                self.i += skip;
                if !self.disjunction() || !self.eat(0x29) {
                    return false;
                }
                return !self.at_quantifier();
            }
        }
        if !self.atom() {
            return false;
        }
        self.quantifier()
    }

    /// Whether a quantifier starts here (`*`, `+`, `?`, or a `{` that ECMA-262 reads as one: with
    /// the `u` flag any other `{` is a syntax error too, so both refuse).
    fn at_quantifier(&self) -> bool {
        matches!(self.peek(), 0x2a | 0x2b | 0x3f | 0x7b)
    }

    fn quantifier(&mut self) -> bool {
        match self.peek() {
            0x2a | 0x2b | 0x3f => self.i += 1,
            0x7b => {
                self.i += 1;
                let Some(low) = self.decimal() else {
                    return false;
                };
                if self.eat(0x2c) {
                    if self.peek() != 0x7d {
                        let Some(high) = self.decimal() else {
                            return false;
                        };
                        if compare_decimal(&low, &high) == Ordering::Greater {
                            return false;
                        }
                    }
                }
                if !self.eat(0x7d) {
                    return false;
                }
            }
            _ => return true,
        }
        self.eat(0x3f);
        !self.at_quantifier()
    }

    /// A run of decimal digits, without leading zeros (for comparing), if there is one.
    fn decimal(&mut self) -> Option<Vec<u32>> {
        let start = self.i;
        while is_digit(self.peek()) {
            self.i += 1;
        }
        let digits = self.cp.get(start..self.i)?;
        if digits.is_empty() {
            return None;
        }
        let first = digits.iter().position(|&d| d != 0x30).unwrap_or(digits.len());
        digits.get(first..).map(<[u32]>::to_vec)
    }

    fn atom(&mut self) -> bool {
        let c = self.peek();
        match c {
            0x2e => {
                self.i += 1;
                true
            }
            0x28 => {
                self.i += 1;
                if self.peek() == 0x3f {
                    if self.peek_at(1) == 0x3a {
                        self.i += 2;
                    } else if self.peek_at(1) == 0x3c {
                        self.i += 2;
                        let Some(name) = self.group_name() else {
                            return false;
                        };
                        if !self.names.insert(name) {
                            return false;
                        }
                        self.groups += 1;
                    } else {
                        return false;
                    }
                } else {
                    self.groups += 1;
                }
                self.disjunction() && self.eat(0x29)
            }
            0x5b => self.class(),
            0x5c => {
                self.i += 1;
                self.atom_escape()
            }
            0x29 | 0x5d | 0x7b | 0x7d | 0x7c | 0x2a | 0x2b | 0x3f | END => false,
            _ => {
                self.i += 1;
                true
            }
        }
    }

    /// `GroupName` after `<`, through `>`: a `RegExpIdentifierName`.
    fn group_name(&mut self) -> Option<Vec<u32>> {
        let mut name = Vec::new();
        loop {
            let mut c = self.peek();
            if c == END {
                return None;
            }
            if c == 0x3e {
                self.i += 1;
                return if name.is_empty() { None } else { Some(name) };
            }
            if c == 0x5c {
                if self.peek_at(1) != 0x75 {
                    return None;
                }
                self.i += 2;
                c = self.unicode_escape_body()?;
            } else {
                self.i += 1;
            }
            let ok = if name.is_empty() { is_id_start(c) } else { is_id_continue(c) };
            if !ok {
                return None;
            }
            name.push(c);
        }
    }

    /// After `\u`: `XXXX` (a surrogate pair `\uD83D\uDE00` as one code point) or `{X…}`.
    fn unicode_escape_body(&mut self) -> Option<u32> {
        if self.eat(0x7b) {
            let start = self.i;
            let mut value = 0u32;
            while is_hex(self.peek()) {
                value = value.saturating_mul(16).saturating_add(hex_value(self.peek()));
                self.i += 1;
            }
            if self.i == start || value > 0x10ffff || !self.eat(0x7d) {
                return None;
            }
            return Some(value);
        }
        let lead = self.hex4()?;
        if (0xd800..=0xdbff).contains(&lead) && self.peek() == 0x5c && self.peek_at(1) == 0x75 {
            let save = self.i;
            self.i += 2;
            match self.hex4() {
                Some(trail) if (0xdc00..=0xdfff).contains(&trail) => {
                    return Some(0x10000 + ((lead - 0xd800) << 10) + (trail - 0xdc00));
                }
                _ => self.i = save,
            }
        }
        Some(lead)
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut value = 0;
        for _ in 0..4 {
            let c = self.peek();
            if !is_hex(c) {
                return None;
            }
            value = value * 16 + hex_value(c);
            self.i += 1;
        }
        Some(value)
    }

    /// After `\` outside a class.
    fn atom_escape(&mut self) -> bool {
        let c = self.peek();
        if (0x31..=0x39).contains(&c) {
            let Some(n) = self.decimal() else {
                return false;
            };
            // A back reference beyond every group is an error; past 9 digits no pattern has so many.
            let value = if n.len() > 9 { usize::MAX } else { n.iter().fold(0usize, |v, &d| v * 10 + (d - 0x30) as usize) };
            self.max_backreference = self.max_backreference.max(value);
            return true;
        }
        if c == 0x6b {
            self.i += 1;
            if !self.eat(0x3c) {
                return false;
            }
            return match self.group_name() {
                Some(name) => {
                    self.references.push(name);
                    true
                }
                None => false,
            };
        }
        self.class_escape(false).is_some()
    }

    /// An escape after `\` (in a class when `in_class`): `Some(Some(c))` for one code point,
    /// `Some(None)` for a class escape (`\d`, `\p{…}`...), `None` for a syntax error.
    fn class_escape(&mut self, in_class: bool) -> Option<Option<u32>> {
        let c = self.peek();
        self.i += 1;
        let single = match c {
            0x64 | 0x44 | 0x73 | 0x53 | 0x77 | 0x57 => return Some(None),
            0x70 | 0x50 => return if self.property() { Some(None) } else { None },
            0x66 => 0x0c,
            0x6e => 0x0a,
            0x72 => 0x0d,
            0x74 => 0x09,
            0x76 => 0x0b,
            0x63 => {
                let letter = self.peek();
                if !is_alpha(letter) {
                    return None;
                }
                self.i += 1;
                letter % 32
            }
            0x30 => {
                if is_digit(self.peek()) {
                    return None;
                }
                0
            }
            0x78 => {
                let (a, b) = (self.peek(), self.peek_at(1));
                if !is_hex(a) || !is_hex(b) {
                    return None;
                }
                self.i += 2;
                hex_value(a) * 16 + hex_value(b)
            }
            0x75 => self.unicode_escape_body()?,
            0x62 if in_class => 0x08,
            0x2d if in_class => 0x2d,
            0x5e | 0x24 | 0x5c | 0x2e | 0x2a | 0x2b | 0x3f | 0x28 | 0x29 | 0x5b | 0x5d | 0x7b | 0x7d | 0x7c | 0x2f => c,
            _ => return None,
        };
        Some(Some(single))
    }

    /// After `\p` or `\P`: `{Name}` or `{Name=Value}`, a property `regex_property_ok` knows.
    fn property(&mut self) -> bool {
        if !self.eat(0x7b) {
            return false;
        }
        let start = self.i;
        while is_alpha(self.peek()) || is_digit(self.peek()) || self.peek() == 0x5f || self.peek() == 0x3d {
            self.i += 1;
        }
        let body: String = self.cp.get(start..self.i).unwrap_or_default().iter().filter_map(|&c| char::from_u32(c)).collect();
        self.eat(0x7d) && regex_property_ok(&body)
    }

    fn class(&mut self) -> bool {
        self.i += 1;
        self.eat(0x5e);
        loop {
            if self.eat(0x5d) {
                return true;
            }
            let Some(low) = self.class_atom() else {
                return false;
            };
            if self.peek() == 0x2d && self.peek_at(1) != 0x5d {
                self.i += 1;
                let Some(high) = self.class_atom() else {
                    return false;
                };
                match (low, high) {
                    (Some(a), Some(b)) if a <= b => {}
                    _ => return false,
                }
            }
        }
    }

    /// One class atom: `Some(Some(c))` for a code point, `Some(None)` for a class escape.
    fn class_atom(&mut self) -> Option<Option<u32>> {
        let c = self.peek();
        if c == END {
            return None;
        }
        self.i += 1;
        if c == 0x5c {
            return self.class_escape(true);
        }
        Some(Some(c))
    }
}

fn compare_decimal(a: &[u32], b: &[u32]) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// `ID_Start` for group names, as far as ASCII and the letter blocks decide it: ASCII letters,
/// `$`, `_`, and non-ASCII code points outside the marks, digits, spaces and symbols of
/// `DISALLOWED` and `MARKS`.
fn is_id_start(c: u32) -> bool {
    is_alpha(c) || c == 0x24 || c == 0x5f || ((0x80..=0x10ffff).contains(&c) && !in_ranges(c, DISALLOWED) && !in_ranges(c, MARKS) && c != 0x00b7)
}

/// `ID_Continue` likewise, with digits, marks, the middle dot and the joiners.
fn is_id_continue(c: u32) -> bool {
    is_id_start(c) || is_digit(c) || in_ranges(c, MARKS) || c == 0x00b7 || c == 0x200c || c == 0x200d
}

/// The property names and values ECMA-262 2023 `\p{…}` takes (Table 67-69; the Script values of
/// Unicode 15).
fn regex_property_ok(body: &str) -> bool {
    const GENERAL_CATEGORY: &str = " C Other Cc Control cntrl Cf Format Cn Unassigned Co Private_Use Cs Surrogate L Letter LC Cased_Letter Ll Lowercase_Letter Lm Modifier_Letter Lo Other_Letter Lt Titlecase_Letter Lu Uppercase_Letter M Mark Combining_Mark Mc Spacing_Mark Me Enclosing_Mark Mn Nonspacing_Mark N Number Nd Decimal_Number digit Nl Letter_Number No Other_Number P Punctuation punct Pc Connector_Punctuation Pd Dash_Punctuation Pe Close_Punctuation Pf Final_Punctuation Pi Initial_Punctuation Po Other_Punctuation Ps Open_Punctuation S Symbol Sc Currency_Symbol Sk Modifier_Symbol Sm Math_Symbol So Other_Symbol Z Separator Zl Line_Separator Zp Paragraph_Separator Zs Space_Separator ";
    const BINARY: &str = " ASCII ASCII_Hex_Digit AHex Alphabetic Alpha Any Assigned Bidi_Control Bidi_C Bidi_Mirrored Bidi_M Case_Ignorable CI Cased Changes_When_Casefolded CWCF Changes_When_Casemapped CWCM Changes_When_Lowercased CWL Changes_When_NFKC_Casefolded CWKCF Changes_When_Titlecased CWT Changes_When_Uppercased CWU Dash Default_Ignorable_Code_Point DI Deprecated Dep Diacritic Dia Emoji Emoji_Component EComp Emoji_Modifier EMod Emoji_Modifier_Base EBase Emoji_Presentation EPres Extended_Pictographic ExtPict Extender Ext Grapheme_Base Gr_Base Grapheme_Extend Gr_Ext Hex_Digit Hex IDS_Binary_Operator IDSB IDS_Trinary_Operator IDST ID_Continue IDC ID_Start IDS Ideographic Ideo Join_Control Join_C Logical_Order_Exception LOE Lowercase Lower Math Noncharacter_Code_Point NChar Pattern_Syntax Pat_Syn Pattern_White_Space Pat_WS Quotation_Mark QMark Radical Regional_Indicator RI Sentence_Terminal STerm Soft_Dotted SD Terminal_Punctuation Term Unified_Ideograph UIdeo Uppercase Upper Variation_Selector VS White_Space space XID_Continue XIDC XID_Start XIDS ";
    const SCRIPTS: &str = " Adlam Adlm Ahom Anatolian_Hieroglyphs Hluw Arabic Arab Armenian Armn Avestan Avst Balinese Bali Bamum Bamu Bassa_Vah Bass Batak Batk Bengali Beng Bhaiksuki Bhks Bopomofo Bopo Brahmi Brah Braille Brai Buginese Bugi Buhid Buhd Canadian_Aboriginal Cans Carian Cari Caucasian_Albanian Aghb Chakma Cakm Cham Cherokee Cher Chorasmian Chrs Common Zyyy Coptic Copt Qaac Cuneiform Xsux Cypriot Cprt Cypro_Minoan Cpmn Cyrillic Cyrl Deseret Dsrt Devanagari Deva Dives_Akuru Diak Dogra Dogr Duployan Dupl Egyptian_Hieroglyphs Egyp Elbasan Elba Elymaic Elym Ethiopic Ethi Georgian Geor Glagolitic Glag Gothic Goth Grantha Gran Greek Grek Gujarati Gujr Gunjala_Gondi Gong Gurmukhi Guru Han Hani Hangul Hang Hanifi_Rohingya Rohg Hanunoo Hano Hatran Hatr Hebrew Hebr Hiragana Hira Imperial_Aramaic Armi Inherited Zinh Qaai Inscriptional_Pahlavi Phli Inscriptional_Parthian Prti Javanese Java Kaithi Kthi Kannada Knda Katakana Kana Kawi Kayah_Li Kali Kharoshthi Khar Khitan_Small_Script Kits Khmer Khmr Khojki Khoj Khudawadi Sind Lao Laoo Latin Latn Lepcha Lepc Limbu Limb Linear_A Lina Linear_B Linb Lisu Lycian Lyci Lydian Lydi Mahajani Mahj Makasar Maka Malayalam Mlym Mandaic Mand Manichaean Mani Marchen Marc Masaram_Gondi Gonm Medefaidrin Medf Meetei_Mayek Mtei Mende_Kikakui Mend Meroitic_Cursive Merc Meroitic_Hieroglyphs Mero Miao Plrd Modi Mongolian Mong Mro Mroo Multani Mult Myanmar Mymr Nabataean Nbat Nag_Mundari Nagm Nandinagari Nand New_Tai_Lue Talu Newa Nko Nkoo Nushu Nshu Nyiakeng_Puachue_Hmong Hmnp Ogham Ogam Ol_Chiki Olck Old_Hungarian Hung Old_Italic Ital Old_North_Arabian Narb Old_Permic Perm Old_Persian Xpeo Old_Sogdian Sogo Old_South_Arabian Sarb Old_Turkic Orkh Old_Uyghur Ougr Oriya Orya Osage Osge Osmanya Osma Pahawh_Hmong Hmng Palmyrene Palm Pau_Cin_Hau Pauc Phags_Pa Phag Phoenician Phnx Psalter_Pahlavi Phlp Rejang Rjng Runic Runr Samaritan Samr Saurashtra Saur Sharada Shrd Shavian Shaw Siddham Sidd SignWriting Sgnw Sinhala Sinh Sogdian Sogd Sora_Sompeng Sora Soyombo Soyo Sundanese Sund Syloti_Nagri Sylo Syriac Syrc Tagalog Tglg Tagbanwa Tagb Tai_Le Tale Tai_Tham Lana Tai_Viet Tavt Takri Takr Tamil Taml Tangsa Tnsa Tangut Tang Telugu Telu Thaana Thaa Thai Tibetan Tibt Tifinagh Tfng Tirhuta Tirh Toto Ugaritic Ugar Vai Vaii Vithkuqi Vith Wancho Wcho Warang_Citi Wara Yezidi Yezi Yi Yiii Zanabazar_Square Zanb Unknown Zzzz ";
    let listed = |list: &str, word: &str| !word.is_empty() && list.contains(&format!(" {word} "));
    match body.split_once('=') {
        None => listed(GENERAL_CATEGORY, body) || listed(BINARY, body),
        Some((name, value)) => match name {
            "General_Category" | "gc" => listed(GENERAL_CATEGORY, value),
            "Script" | "sc" | "Script_Extensions" | "scx" => listed(SCRIPTS, value),
            _ => false,
        },
    }
}
