//! A device key's identity: the digest an enrollment payload carries as
//! `deviceIdentitySha256Base64url`.
//!
//! It is the unpadded base64url SHA-256 of the compact JSON of the key's four public facts,
//! `{"algorithm":…,"keyId":…,"protectionClass":…,"publicKeySpkiDerBase64":…}`: keys in that
//! order (which is sorted), no white space, strings as JSON writes them. codex desktop clients
//! and the Go and JavaScript peers compute it so. Every value is ASCII from a small alphabet (an
//! enum string, a key id, standard base64), so no serializer escapes anything in it except `/`
//! where one is told to (Swift's `JSONEncoder` without `.withoutEscapingSlashes` writes `\/`):
//! the `/` of the base64 is written raw here, as JavaScript's `JSON.stringify`, Go's
//! `encoding/json` and Python's `json.dumps` write it.

use devicekey_protocol::types::{
    DeviceKeyAlgorithm, DeviceKeyCreateResponse, DeviceKeyProtectionClass, DeviceKeyPublicResponse,
};
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

use crate::canonical::to_canonical_bytes;
use crate::encoding::{encode_base64, encode_base64url};
use crate::key_id::KeyId;

/// The public facts of a device key that its identity covers: the four fields
/// `device/key/create` and `device/key/public` answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceIdentity<'a> {
    /// `algorithm`.
    pub algorithm: DeviceKeyAlgorithm,
    /// `keyId`.
    pub key_id: &'a str,
    /// `protectionClass`.
    pub protection_class: DeviceKeyProtectionClass,
    /// `publicKeySpkiDerBase64`: the SubjectPublicKeyInfo DER in standard base64 with padding.
    pub public_key_spki_der_base64: &'a str,
}

impl<'a> From<&'a DeviceKeyPublicResponse> for DeviceIdentity<'a> {
    fn from(key: &'a DeviceKeyPublicResponse) -> Self {
        DeviceIdentity {
            algorithm: key.algorithm,
            key_id: key.key_id.as_str(),
            protection_class: key.protection_class,
            public_key_spki_der_base64: key.public_key_spki_der_base64.as_str(),
        }
    }
}

impl<'a> From<&'a DeviceKeyCreateResponse> for DeviceIdentity<'a> {
    fn from(key: &'a DeviceKeyCreateResponse) -> Self {
        DeviceIdentity {
            algorithm: key.algorithm,
            key_id: key.key_id.as_str(),
            protection_class: key.protection_class,
            public_key_spki_der_base64: key.public_key_spki_der_base64.as_str(),
        }
    }
}

impl DeviceIdentity<'_> {
    /// The exact text that is hashed.
    pub fn json(&self) -> String {
        let text = |value: String| Value::String(value);
        let mut object = Map::new();
        object.insert("algorithm".to_owned(), text(self.algorithm.to_string()));
        object.insert("keyId".to_owned(), text(self.key_id.to_owned()));
        object.insert(
            "protectionClass".to_owned(),
            text(self.protection_class.to_string()),
        );
        object.insert(
            "publicKeySpkiDerBase64".to_owned(),
            text(self.public_key_spki_der_base64.to_owned()),
        );
        let bytes = to_canonical_bytes(&Value::Object(object))
            .expect("an object of strings has a canonical form");
        String::from_utf8(bytes).expect("canonical JSON of strings is UTF-8")
    }

    /// `deviceIdentitySha256Base64url`: the unpadded base64url SHA-256 of [`json`](Self::json).
    pub fn sha256_base64url(&self) -> String {
        encode_base64url(&Sha256::digest(self.json().as_bytes()))
    }
}

/// `deviceIdentitySha256Base64url` of a key: the unpadded base64url SHA-256 of the compact JSON
/// of its `algorithm`, `keyId`, `protectionClass` and `publicKeySpkiDerBase64`, in that (sorted)
/// order. Takes a create or public response, or a [`DeviceIdentity`].
///
/// ```
/// use devicekey_proof::device_identity_sha256_base64url;
/// use devicekey_proof::protocol::types::DeviceKeyPublicResponse;
///
/// let key: DeviceKeyPublicResponse = serde_json::from_str(r#"{
///     "keyId": "dk_swk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
///     "publicKeySpkiDerBase64": "AAAA",
///     "algorithm": "ecdsa_p256_sha256",
///     "protectionClass": "software"
/// }"#)?;
/// assert_eq!(device_identity_sha256_base64url(&key).len(), 43);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn device_identity_sha256_base64url<'a>(key: impl Into<DeviceIdentity<'a>>) -> String {
    key.into().sha256_base64url()
}

/// The device identity digest of the key `key_id` with the public key `spki_der`: its class is
/// the one the key id's prefix names, its algorithm the protocol's one.
pub(crate) fn identity_of_key(key_id: &KeyId, spki_der: &[u8]) -> String {
    let spki_base64 = encode_base64(spki_der);
    DeviceIdentity {
        algorithm: DeviceKeyAlgorithm::EcdsaP256Sha256,
        key_id: key_id.as_str(),
        protection_class: key_id.protection_class(),
        public_key_spki_der_base64: &spki_base64,
    }
    .sha256_base64url()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_has_sorted_keys_and_a_raw_slash() {
        let identity = DeviceIdentity {
            algorithm: DeviceKeyAlgorithm::EcdsaP256Sha256,
            key_id: "dk_tpm_x",
            protection_class: DeviceKeyProtectionClass::HardwareTpm,
            public_key_spki_der_base64: "a/b+c=",
        };
        assert_eq!(
            identity.json(),
            r#"{"algorithm":"ecdsa_p256_sha256","keyId":"dk_tpm_x","protectionClass":"hardware_tpm","publicKeySpkiDerBase64":"a/b+c="}"#
        );
    }
}
