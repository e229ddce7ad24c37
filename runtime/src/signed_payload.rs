//! The bytes a device key signs: the canonical JSON of
//! `{"domain":"codex-device-key-sign-payload/v1","payload":<payload>}`.

use std::fmt;

use serde_json::{Map, Value};

use crate::canonical::to_canonical_bytes;
use crate::error::DeviceKeyError;
use crate::validation::{validate, Schema};

/// The domain separator every signed payload carries.
pub const SIGN_PAYLOAD_DOMAIN: &str = "codex-device-key-sign-payload/v1";

/// Canonical signed bytes of a schema-valid sign payload. The only way to make one is from a
/// payload that passes the `DeviceKeySignPayload` schema, so a provider that signs a
/// `SignedPayload` never signs arbitrary bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedPayload {
    bytes: Vec<u8>,
}

impl SignedPayload {
    /// Validates `payload` against the `DeviceKeySignPayload` schema and builds its signed bytes.
    pub fn from_payload(payload: &Value) -> Result<Self, DeviceKeyError> {
        validate(Schema::SignPayload, payload)?;
        Ok(Self::from_valid_payload(payload))
    }

    /// The signed bytes of a payload already validated against the schema.
    pub(crate) fn from_valid_payload(payload: &Value) -> Self {
        let bytes = to_canonical_bytes(&envelope(payload.clone()))
            .expect("a schema-valid payload holds only strings, integers, arrays and objects");
        SignedPayload { bytes }
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
