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
}

/// Every format the profile knows. A schema naming any other format is rejected.
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
    },
    Format {
        name: "base64",
        applies_to: JsonType::String,
        description: "standard base64 with padding",
        rule: FormatRule::Base64 {
            min_bytes: 1,
            max_bytes: None,
        },
    },
    Format {
        name: "origin",
        applies_to: JsonType::String,
        description: "an http or https origin in its ASCII serialization",
        rule: FormatRule::Origin,
    },
    Format {
        name: "int64",
        applies_to: JsonType::Integer,
        description: "a signed 64-bit integer",
        rule: FormatRule::Int64,
    },
];

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
