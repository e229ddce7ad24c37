//! Device key ids: a class prefix followed by the unpadded base64url of 32 random bytes. The
//! format itself is the schema's (`device-key-id`, checked by the generated format function); a
//! [`KeyId`] adds the protection class its prefix names.

use std::fmt;
use std::str::FromStr;

use devicekey_protocol::formats::is_device_key_id;
use devicekey_protocol::types::{DeviceKeyId, DeviceKeyProtectionClass};

use crate::encoding::encode_base64url;
use crate::protection::ProtectionClassExt as _;

/// The message of every malformed key id (codex's, with `dk_swk_` added).
pub const KEY_ID_MESSAGE: &str =
    "keyId must be dk_hse_, dk_tpm_, dk_osn_, or dk_swk_ followed by unpadded base64url-encoded 32 bytes";

/// Number of random bytes in a key id.
pub const KEY_ID_RANDOM_BYTES: usize = 32;

/// A well-formed key id; holding one proves it has the schema's `device-key-id` format.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId {
    id: DeviceKeyId,
    class: DeviceKeyProtectionClass,
}

/// The error of [`KeyId::parse`]; its message is [`KEY_ID_MESSAGE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MalformedKeyId;

impl fmt::Display for MalformedKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(KEY_ID_MESSAGE)
    }
}

impl std::error::Error for MalformedKeyId {}

impl KeyId {
    /// The key id of `class` whose random part is `random`.
    pub fn from_parts(class: DeviceKeyProtectionClass, random: &[u8; KEY_ID_RANDOM_BYTES]) -> Self {
        let text = format!("{}{}", class.key_id_prefix(), encode_base64url(random));
        debug_assert!(is_device_key_id(&text));
        KeyId {
            id: DeviceKeyId(text),
            class,
        }
    }

    /// Parses a key id: the schema's `device-key-id` format, and a prefix naming a class.
    pub fn parse(text: &str) -> Result<Self, MalformedKeyId> {
        if !is_device_key_id(text) {
            return Err(MalformedKeyId);
        }
        let class = DeviceKeyProtectionClass::of_key_id(text).ok_or(MalformedKeyId)?;
        Ok(KeyId {
            id: DeviceKeyId(text.to_owned()),
            class,
        })
    }

    /// The key id text.
    pub fn as_str(&self) -> &str {
        &self.id.0
    }

    /// The key id as the protocol's type.
    pub fn as_wire(&self) -> &DeviceKeyId {
        &self.id
    }

    /// The protection class its prefix names.
    pub fn protection_class(&self) -> DeviceKeyProtectionClass {
        self.class
    }
}

impl TryFrom<&DeviceKeyId> for KeyId {
    type Error = MalformedKeyId;

    fn try_from(id: &DeviceKeyId) -> Result<Self, Self::Error> {
        KeyId::parse(&id.0)
    }
}

impl From<KeyId> for DeviceKeyId {
    fn from(key_id: KeyId) -> Self {
        key_id.id
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
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({})", self.as_str())
    }
}

impl AsRef<str> for KeyId {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_returns_the_class_of_the_prefix() {
        let random = [7u8; 32];
        for class in DeviceKeyProtectionClass::ALL {
            let text = KeyId::from_parts(class, &random).to_string();
            assert_eq!(text.parse::<KeyId>().unwrap().protection_class(), class);
        }
    }

    #[test]
    fn malformed_ids_are_rejected_with_the_exact_message() {
        let good =
            KeyId::from_parts(DeviceKeyProtectionClass::HardwareTpm, &[0xff; 32]).to_string();
        let body = &good[7..];
        let last_bits = {
            // The last character carries 4 data bits and 2 padding bits; set a padding bit.
            let mut id =
                KeyId::from_parts(DeviceKeyProtectionClass::HardwareTpm, &[0; 32]).to_string();
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
