//! The named `format`s of the schema profile: one definition each, emitted into both languages.
//!
//! Each format is data here; the Rust and TypeScript emitters turn the same table into one function
//! per format (`is_device_key_id` / `isDeviceKeyId`) built on a few shared primitives, so the two
//! languages cannot drift apart. The conformance vectors test both against the reference validator.

use crate::json::JsonType;

/// How a format decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FormatRule {
    /// Canonical unpadded base64url (RFC 4648 §5: no padding, no stray trailing bits) after one of
    /// `prefixes` (or none when empty), decoding to `min_bytes..=max_bytes` bytes.
    Base64Url {
        /// Accepted prefixes before the base64url text; empty for none.
        prefixes: &'static [&'static str],
        /// The fewest decoded bytes.
        min_bytes: usize,
        /// The most decoded bytes, if bounded.
        max_bytes: Option<usize>,
    },
    /// Canonical standard base64 with padding (RFC 4648 §4: the alphabet `A-Z a-z 0-9 + /`, a
    /// multiple of 4 characters, `=` padding exactly as needed, no stray trailing bits, no white
    /// space), decoding to `min_bytes..=max_bytes` bytes.
    Base64 {
        /// The fewest decoded bytes.
        min_bytes: usize,
        /// The most decoded bytes, if bounded.
        max_bytes: Option<usize>,
    },
    /// An `http`/`https` origin written in its own ASCII serialization (the URL standard's): the
    /// URL parser's own writing of the host (a domain of printable ASCII without upper case or
    /// forbidden domain code points, a canonical IPv4 address when the last label is a number, or a
    /// bracketed canonical IPv6 address; an `xn--` label must be Punycode, as its encoder writes
    /// it, of a label that UTS #46 keeps under the URL standard's options: not ASCII only, every
    /// code point valid or a deviation (non-transitional), NFC, no combining mark first, joiners
    /// in the contexts RFC 5892 allows, and in a host with a right-to-left label every label
    /// passing the Bidi rule, on the Unicode 17.0 tables of `tools/idna_tables.py`), an optional
    /// port that is not the scheme's default and has no leading zero, and nothing else (no
    /// userinfo, path, `/`, query or fragment).
    Origin,
    /// An integer that fits a signed 64-bit integer.
    Int64,
    /// A draft-07 standard format (JSON Schema Validation §7.3), decided by the validator
    /// runtime's `is_<name>` / `is<Name>` primitive of the same name; docs/formats.md gives each
    /// one's rule and reference.
    Standard,
}

/// One named format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Format {
    /// The name schemas use in `"format"`.
    pub(crate) name: &'static str,
    /// The instance type the format constrains; other types pass, as JSON Schema says.
    pub(crate) applies_to: JsonType,
    /// One line for documentation and violation messages.
    pub(crate) description: &'static str,
    /// The rule.
    pub(crate) rule: FormatRule,
    /// Whether only the general profile knows the format (the draft-07 standard formats); the
    /// protocol profile refuses it like any other format outside its own.
    pub(crate) general_only: bool,
}

/// Every format the generators know: the protocol profile's own (a schema of that profile naming
/// any other is rejected) and the draft-07 standard formats of the general profile.
pub(crate) const FORMATS: &[Format] = &[
    Format {
        name: "device-key-id",
        applies_to: JsonType::String,
        description:
            "dk_hse_, dk_tpm_, dk_osn_, or dk_swk_ followed by unpadded base64url-encoded 32 bytes",
        rule: FormatRule::Base64Url {
            prefixes: &["dk_hse_", "dk_tpm_", "dk_osn_", "dk_swk_"],
            min_bytes: 32,
            max_bytes: Some(32),
        },
        general_only: false,
    },
    Format {
        name: "base64url-sha256",
        applies_to: JsonType::String,
        description: "a SHA-256 digest encoded as unpadded base64url",
        rule: FormatRule::Base64Url {
            prefixes: &[],
            min_bytes: 32,
            max_bytes: Some(32),
        },
        general_only: false,
    },
    Format {
        name: "base64url-nonce",
        applies_to: JsonType::String,
        description: "at least 32 random bytes encoded as unpadded base64url",
        rule: FormatRule::Base64Url {
            prefixes: &[],
            min_bytes: 32,
            max_bytes: None,
        },
        general_only: false,
    },
    Format {
        name: "base64",
        applies_to: JsonType::String,
        description: "standard base64 with padding",
        rule: FormatRule::Base64 {
            min_bytes: 1,
            max_bytes: None,
        },
        general_only: false,
    },
    Format {
        name: "origin",
        applies_to: JsonType::String,
        description: "an http or https origin in its ASCII serialization",
        rule: FormatRule::Origin,
        general_only: false,
    },
    Format {
        name: "int64",
        applies_to: JsonType::Integer,
        description: "a signed 64-bit integer",
        rule: FormatRule::Int64,
        general_only: false,
    },
    standard("date-time", "an RFC 3339 date-time"),
    standard("date", "an RFC 3339 full-date"),
    standard("time", "an RFC 3339 full-time"),
    standard("email", "an RFC 5321 e-mail address"),
    standard("idn-email", "an RFC 6531 internationalized e-mail address"),
    standard("hostname", "an RFC 1123 host name"),
    standard("idn-hostname", "an RFC 5890 internationalized host name"),
    standard("ipv4", "an IPv4 address in dotted-quad form"),
    standard("ipv6", "an RFC 4291 IPv6 address"),
    standard("uri", "an RFC 3986 URI"),
    standard("uri-reference", "an RFC 3986 URI reference"),
    standard("iri", "an RFC 3987 IRI"),
    standard("iri-reference", "an RFC 3987 IRI reference"),
    standard("json-pointer", "an RFC 6901 JSON pointer"),
    standard("relative-json-pointer", "a relative JSON pointer"),
    standard("uri-template", "an RFC 6570 URI template"),
    standard("regex", "an ECMA-262 regular expression"),
];

/// A draft-07 standard format of the general profile.
const fn standard(name: &'static str, description: &'static str) -> Format {
    Format {
        name,
        applies_to: JsonType::String,
        description,
        rule: FormatRule::Standard,
        general_only: true,
    }
}

/// Looks a format up by name.
pub(crate) fn find(name: &str) -> Option<&'static Format> {
    FORMATS.iter().find(|f| f.name == name)
}

/// The identifier stem of a format: `device-key-id` → `device_key_id`.
pub(crate) fn snake_name(format: &Format) -> String {
    format.name.replace('-', "_")
}

/// The camel-case identifier stem of a format: `device-key-id` → `DeviceKeyId`.
pub(crate) fn pascal_name(format: &Format) -> String {
    format
        .name
        .split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}
