//! Device key ids: a class prefix followed by the unpadded base64url of 32 random bytes.

use std::fmt;
use std::str::FromStr;

use rand::rngs::OsRng;
use rand::TryRngCore as _;

use crate::encoding::{decode_base64url, encode_base64url};
use crate::error::{DeviceKeyError, ErrorKind};
use crate::protection::ProtectionClass;

/// The message of every malformed key id.
pub const KEY_ID_MESSAGE: &str =
    "keyId must be dk_hse_, dk_tpm_, dk_osn_, or dk_swk_ followed by unpadded base64url-encoded 32 bytes";

/// Number of random bytes in a key id.
pub const KEY_ID_RANDOM_BYTES: usize = 32;

/// Length of every key id: a 7-character prefix and 43 base64url characters.
pub const KEY_ID_LEN: usize = 50;

/// A well-formed key id; holding one proves it parsed.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId {
    text: String,
    class: ProtectionClass,
}

/// The error of [`KeyId::parse`]; its message is [`KEY_ID_MESSAGE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{KEY_ID_MESSAGE}")]
pub struct MalformedKeyId;

impl KeyId {
    /// A fresh key id of `class` with 32 bytes from the operating system's random source.
    pub fn generate(class: ProtectionClass) -> Result<Self, DeviceKeyError> {
        let mut random = [0u8; KEY_ID_RANDOM_BYTES];
        OsRng.try_fill_bytes(&mut random).map_err(|error| {
            DeviceKeyError::new(
                ErrorKind::PlatformFailure,
                format!("the operating system random source failed: {error}"),
            )
        })?;
        Ok(Self::from_parts(class, &random))
    }

    /// The key id of `class` whose random part is `random`.
    pub fn from_parts(class: ProtectionClass, random: &[u8; KEY_ID_RANDOM_BYTES]) -> Self {
        let text = format!("{}{}", class.key_id_prefix(), encode_base64url(random));
        debug_assert_eq!(text.len(), KEY_ID_LEN);
        KeyId { text, class }
    }

    /// Parses a key id strictly: a known prefix and canonical unpadded base64url of 32 bytes.
    pub fn parse(text: &str) -> Result<Self, MalformedKeyId> {
        if text.len() != KEY_ID_LEN {
            return Err(MalformedKeyId);
        }
        let class = ProtectionClass::ALL
            .into_iter()
            .find(|class| text.starts_with(class.key_id_prefix()))
            .ok_or(MalformedKeyId)?;
        let encoded = &text[class.key_id_prefix().len()..];
        match decode_base64url(encoded) {
            Some(bytes) if bytes.len() == KEY_ID_RANDOM_BYTES => Ok(KeyId {
                text: text.to_owned(),
                class,
            }),
            _ => Err(MalformedKeyId),
        }
    }

    /// The key id text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The protection class its prefix names.
    pub fn protection_class(&self) -> ProtectionClass {
        self.class
    }
}

impl FromStr for KeyId {
    type Err = MalformedKeyId;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        KeyId::parse(text)
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({})", self.text)
    }
}

impl AsRef<str> for KeyId {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_have_the_class_prefix_and_fifty_characters() {
        for class in ProtectionClass::ALL {
            let id = KeyId::generate(class).unwrap();
            assert_eq!(id.as_str().len(), KEY_ID_LEN);
            assert!(id.as_str().starts_with(class.key_id_prefix()));
            assert_eq!(KeyId::parse(id.as_str()).unwrap(), id);
            assert_eq!(id.protection_class(), class);
        }
        let a = KeyId::generate(ProtectionClass::Software).unwrap();
        let b = KeyId::generate(ProtectionClass::Software).unwrap();
        assert_ne!(a, b, "two generated ids collided");
    }

    #[test]
    fn parse_returns_the_class_of_the_prefix() {
        let random = [7u8; 32];
        for class in ProtectionClass::ALL {
            let text = KeyId::from_parts(class, &random).to_string();
            assert_eq!(text.parse::<KeyId>().unwrap().protection_class(), class);
        }
    }

    #[test]
    fn malformed_ids_are_rejected_with_the_exact_message() {
        let good = KeyId::from_parts(ProtectionClass::HardwareTpm, &[0xff; 32]).to_string();
        let body = &good[7..];
        let last_bits = {
            // The last character carries 4 data bits and 2 padding bits; set a padding bit.
            let mut id = KeyId::from_parts(ProtectionClass::HardwareTpm, &[0; 32]).to_string();
            id.pop();
            id.push('B');
            id
        };
        let cases = [
            String::new(),
            format!("dk_xyz_{body}"),
            format!("DK_TPM_{body}"),
            format!("dk_tpm_{body}="),
            format!("dk_tpm_{}", &body[1..]),
            format!("dk_tpm_{}+", &body[1..]),
            format!("dk_tpm_{}/", &body[1..]),
            format!("dk_tpm_{} ", &body[1..]),
            format!("dk_tpm_{}é", &body[2..]),
            format!("dk_tpm_{body}A"),
            last_bits,
            format!("{good}\n"),
            "dk_hse_".to_owned(),
        ];
        for case in cases {
            let error = KeyId::parse(&case).expect_err(&case);
            assert_eq!(
                error.to_string(),
                "keyId must be dk_hse_, dk_tpm_, dk_osn_, or dk_swk_ followed by unpadded base64url-encoded 32 bytes"
            );
        }
        assert!(KeyId::parse(&good).is_ok());
    }
}
