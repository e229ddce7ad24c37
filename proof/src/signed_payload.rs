//! The bytes a device key signs: the canonical JSON of
//! `{"domain":"codex-device-key-sign-payload/v1","payload":<payload>}`.

use std::fmt;

use devicekey_protocol::types::DeviceKeySignPayload;
use serde_json::{Map, Value};

use crate::canonical::to_canonical_bytes;
use crate::error::DeviceKeyError;
use crate::validation::Validated;

/// The domain separator every signed payload carries.
pub const SIGN_PAYLOAD_DOMAIN: &str = "codex-device-key-sign-payload/v1";

/// Canonical signed bytes of a schema-valid sign payload. The only way to make one is from a
/// [`Validated`] payload, so a provider that signs a `SignedPayload` never signs arbitrary bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedPayload {
    bytes: Vec<u8>,
}

impl SignedPayload {
    /// The signed bytes of a validated payload.
    pub fn new(payload: Validated<&DeviceKeySignPayload>) -> Self {
        let payload = serde_json::to_value(*payload.get())
            .expect("a sign payload serializes: its fields are strings, integers and arrays");
        let bytes = to_canonical_bytes(&envelope(payload))
            .expect("a sign payload holds only strings, integers, arrays and objects");
        SignedPayload { bytes }
    }

    /// Validates `payload` as a `DeviceKeySignPayload` and builds its signed bytes.
    pub fn from_json(payload: Value) -> Result<Self, DeviceKeyError> {
        let payload = Validated::<DeviceKeySignPayload>::from_json(payload)?;
        Ok(Self::new(payload.as_ref()))
    }

    /// The bytes to sign (and to send as `signedPayloadBase64`).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Takes the bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// `{"domain": SIGN_PAYLOAD_DOMAIN, "payload": payload}`.
pub fn envelope(payload: Value) -> Value {
    let mut object = Map::new();
    object.insert(
        "domain".to_owned(),
        Value::String(SIGN_PAYLOAD_DOMAIN.to_owned()),
    );
    object.insert("payload".to_owned(), payload);
    Value::Object(object)
}

impl fmt::Debug for SignedPayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match std::str::from_utf8(&self.bytes) {
            Ok(text) => f.debug_tuple("SignedPayload").field(&text).finish(),
            Err(_) => f.debug_tuple("SignedPayload").field(&self.bytes).finish(),
        }
    }
}
