//! The protocol's two base64 conventions: standard base64 with padding for keys, signatures and
//! signed bytes on the wire, and canonical unpadded base64url for key ids, nonces and digests.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;

/// Unpadded base64url that decodes only the canonical form: no padding, no characters outside
/// the URL-safe alphabet, no stray bits in the last character.
const BASE64URL_CANONICAL: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(false),
);

/// Standard base64 that decodes only the canonical padded form.
const BASE64_STANDARD_CANONICAL: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical)
        .with_decode_allow_trailing_bits(false),
);

/// Encodes `bytes` as unpadded base64url.
pub fn encode_base64url(bytes: &[u8]) -> String {
    BASE64URL_CANONICAL.encode(bytes)
}

/// Decodes canonical unpadded base64url; `None` for anything else.
pub fn decode_base64url(text: &str) -> Option<Vec<u8>> {
    BASE64URL_CANONICAL.decode(text).ok()
}

/// Encodes `bytes` as standard base64 with padding (the wire form of keys and signatures).
pub fn encode_base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Decodes canonical standard base64 with padding; `None` for anything else.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    BASE64_STANDARD_CANONICAL.decode(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips_and_rejects_non_canonical_forms() {
        let bytes = [0xfbu8, 0xff, 0x00, 0x10];
        let text = encode_base64url(&bytes);
        assert_eq!(text, "-_8AEA");
        assert_eq!(decode_base64url(&text).as_deref(), Some(&bytes[..]));
        // Padding, the standard alphabet and stray trailing bits are all rejected.
        assert_eq!(decode_base64url("-_8AEA=="), None);
        assert_eq!(decode_base64url("+/8AEA"), None);
        assert_eq!(decode_base64url("-_8AEB"), None);
        assert_eq!(decode_base64url(" -_8AEA"), None);
    }

    #[test]
    fn standard_base64_requires_padding() {
        assert_eq!(encode_base64(&[1, 2]), "AQI=");
        assert_eq!(decode_base64("AQI=").as_deref(), Some(&[1u8, 2][..]));
        assert_eq!(decode_base64("AQI"), None);
        assert_eq!(decode_base64("AQJ="), None);
    }
}
