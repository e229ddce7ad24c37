//! Test fixtures shared by the devicekey crates' tests and benchmarks: a store on a temporary
//! directory, payload builders, a recording provider, JSON-level calls on the store, swtpm, and a
//! reader of the TPM traffic libtss2's pcap TCTI records.

#![allow(missing_docs)] // fixtures, named for what they build

#[cfg(unix)]
pub mod hostile;
pub mod pcap;
pub mod swtpm;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use devicekey_proof::{
    decode_base64, encode_base64url, DeviceKeyError, KeyId, SignedPayload, Validated,
};
use devicekey_protocol::types::{
    Base64Bytes, DeviceKeyCreateResponse, DeviceKeyDeleteResponse, DeviceKeyListResponse,
    DeviceKeyProtectionClass, DeviceKeyProtectionPolicy, DeviceKeyPublicResponse,
    DeviceKeySignResponse, DomainErrorKind,
};
use devicekey_runtime::provider::{SoftwareProvider, UnsupportedProvider};
use devicekey_runtime::{
    BindingStore, DeviceKeyStore, FileSecretStore, KeyProvider, ManualClock, ProviderKey,
    ProviderSet,
};
use serde_json::{json, Value};

/// The time every test starts at.
pub const NOW: i64 = 1_700_000_000;
/// The binding the fixtures create keys for.
pub const ACCOUNT: &str = "account-user-1";
/// The binding the fixtures create keys for.
pub const CLIENT: &str = "cli_123";
/// A valid SHA-256 digest in unpadded base64url.
pub const DIGEST: &str = "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU";

/// A store on a temporary directory, with a software provider behind a recorder, the unsupported
/// provider for the platform classes, and a manual clock.
pub struct Harness {
    pub dir: tempfile::TempDir,
    pub clock: Arc<ManualClock>,
    pub software: Arc<Recording>,
    pub store: DeviceKeyStore,
}

impl Default for Harness {
    fn default() -> Self {
        Self::new()
    }
}

impl Harness {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(NOW));
        let software = Arc::new(Recording::new(software_provider(&dir)));
        let store = Self::open_store(&dir, &clock, &software, true);
        Harness {
            dir,
            clock,
            software,
            store,
        }
    }

    /// A store over the same directory, as after a restart.
    pub fn reopen(&self) -> DeviceKeyStore {
        Self::open_store(&self.dir, &self.clock, &self.software, true)
    }

    pub fn open_store(
        dir: &tempfile::TempDir,
        clock: &Arc<ManualClock>,
        software: &Arc<Recording>,
        with_unsupported: bool,
    ) -> DeviceKeyStore {
        let mut providers: Vec<Arc<dyn KeyProvider>> = Vec::new();
        if with_unsupported {
            providers.push(Arc::new(UnsupportedProvider));
        }
        providers.push(software.clone());
        let bindings = BindingStore::open(dir.path().join("bindings.sqlite3")).unwrap();
        DeviceKeyStore::builder(ProviderSet::new(providers), bindings)
            .clock(clock.clone())
            .build()
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("bindings.sqlite3")
    }

    pub fn secrets_dir(&self) -> PathBuf {
        self.dir.path().join("secrets")
    }

    /// Creates a software key bound to ACCOUNT / CLIENT.
    pub async fn create_key(&self) -> KeyId {
        self.store
            .create_json(json!({"protectionPolicy": "allow_software", "accountUserId": ACCOUNT, "clientId": CLIENT}))
            .await
            .unwrap()
            .key()
    }

    pub async fn sign(
        &self,
        key_id: &KeyId,
        payload: &Value,
    ) -> Result<DeviceKeySignResponse, DeviceKeyError> {
        self.store
            .sign_json(json!({"keyId": key_id.as_str(), "payload": payload}))
            .await
    }
}

pub fn software_provider(dir: &tempfile::TempDir) -> SoftwareProvider {
    SoftwareProvider::new(Arc::new(
        FileSecretStore::open(dir.path().join("secrets")).unwrap(),
    ))
}

/// A fresh random nonce of 32 bytes.
pub fn fresh_nonce() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    encode_base64url(&bytes)
}

/// A valid connection payload for the fixtures' binding, expiring a minute after NOW.
pub fn connection_payload() -> Value {
    connection_payload_expiring_at(NOW + 60)
}

/// A valid connection payload for the fixtures' binding with a fresh nonce, expiring at `expires_at`.
pub fn connection_payload_expiring_at(expires_at: i64) -> Value {
    json!({
        "type": "remoteControlClientConnection",
        "nonce": fresh_nonce(),
        "audience": "remote_control_client_websocket",
        "sessionId": "wssess_123",
        "targetOrigin": "https://chatgpt.com",
        "targetPath": "/api/codex/remote/control/client",
        "accountUserId": ACCOUNT,
        "clientId": CLIENT,
        "tokenSha256Base64url": DIGEST,
        "tokenExpiresAt": expires_at,
        "scopes": ["remote_control_controller_websocket"],
    })
}

/// A valid enrollment payload for the fixtures' binding, expiring a minute after NOW.
pub fn enrollment_payload() -> Value {
    json!({
        "type": "remoteControlClientEnrollment",
        "nonce": fresh_nonce(),
        "audience": "remote_control_client_enrollment",
        "challengeId": "rch_123",
        "targetOrigin": "https://chatgpt.com",
        "targetPath": "/wham/remote/control/client/enroll",
        "accountUserId": ACCOUNT,
        "clientId": CLIENT,
        "deviceIdentitySha256Base64url": DIGEST,
        "challengeExpiresAt": NOW + 60,
    })
}

/// `payload` with `field` set to `value` (or removed, for `Value::Null` given as `None`).
pub fn with(payload: &Value, field: &str, value: Option<Value>) -> Value {
    let mut payload = payload.clone();
    let object = payload.as_object_mut().unwrap();
    match value {
        Some(value) => object.insert(field.to_owned(), value),
        None => object.remove(field),
    };
    payload
}

/// One call a provider received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    Create(DeviceKeyProtectionPolicy),
    PublicKey(String),
    Sign(String),
    Delete(String),
}

/// Wraps a provider and records every call it receives.
#[derive(Debug)]
pub struct Recording {
    inner: Box<dyn KeyProvider>,
    calls: Mutex<Vec<Call>>,
}

impl Recording {
    pub fn new(inner: impl KeyProvider + 'static) -> Self {
        Recording {
            inner: Box::new(inner),
            calls: Mutex::new(Vec::new()),
        }
    }

    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    pub fn clear(&self) {
        self.calls.lock().unwrap().clear();
    }

    fn record(&self, call: Call) {
        self.calls.lock().unwrap().push(call);
    }
}

impl KeyProvider for Recording {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn protection_classes(&self) -> &[DeviceKeyProtectionClass] {
        self.inner.protection_classes()
    }

    fn create(&self, policy: DeviceKeyProtectionPolicy) -> Result<ProviderKey, DeviceKeyError> {
        self.record(Call::Create(policy));
        self.inner.create(policy)
    }

    fn public_key(&self, key_id: &KeyId) -> Result<Vec<u8>, DeviceKeyError> {
        self.record(Call::PublicKey(key_id.to_string()));
        self.inner.public_key(key_id)
    }

    fn sign(&self, key_id: &KeyId, payload: &SignedPayload) -> Result<Vec<u8>, DeviceKeyError> {
        self.record(Call::Sign(key_id.to_string()));
        self.inner.sign(key_id, payload)
    }

    /// Recorded as one `Sign`: the checked signature is one call to the provider.
    fn sign_checked(
        &self,
        key_id: &KeyId,
        payload: &SignedPayload,
        expected_spki_der: &[u8],
    ) -> Result<Vec<u8>, DeviceKeyError> {
        self.record(Call::Sign(key_id.to_string()));
        self.inner.sign_checked(key_id, payload, expected_spki_der)
    }

    fn delete(&self, key_id: &KeyId) -> Result<bool, DeviceKeyError> {
        self.record(Call::Delete(key_id.to_string()));
        self.inner.delete(key_id)
    }
}

/// A provider of one platform class that holds no keys: every lookup is `keyNotFound`.
#[derive(Debug)]
pub struct EmptyProvider(pub &'static [DeviceKeyProtectionClass]);

impl KeyProvider for EmptyProvider {
    fn name(&self) -> &'static str {
        "empty"
    }

    fn protection_classes(&self) -> &[DeviceKeyProtectionClass] {
        self.0
    }

    fn create(&self, _policy: DeviceKeyProtectionPolicy) -> Result<ProviderKey, DeviceKeyError> {
        Err(DeviceKeyError::new(
            DomainErrorKind::HardwareUnavailable,
            "empty provider",
        ))
    }

    fn public_key(&self, key_id: &KeyId) -> Result<Vec<u8>, DeviceKeyError> {
        Err(devicekey_runtime::provider::not_found(key_id))
    }

    fn sign(&self, key_id: &KeyId, _payload: &SignedPayload) -> Result<Vec<u8>, DeviceKeyError> {
        Err(devicekey_runtime::provider::not_found(key_id))
    }

    fn delete(&self, _key_id: &KeyId) -> Result<bool, DeviceKeyError> {
        Ok(false)
    }
}

/// The store's entry points from JSON params, validated the way the server validates them.
#[allow(async_fn_in_trait)]
pub trait StoreJson {
    async fn create_json(&self, params: Value) -> Result<DeviceKeyCreateResponse, DeviceKeyError>;
    async fn public_json(&self, params: Value) -> Result<DeviceKeyPublicResponse, DeviceKeyError>;
    async fn sign_json(&self, params: Value) -> Result<DeviceKeySignResponse, DeviceKeyError>;
    async fn list_json(&self, params: Value) -> Result<DeviceKeyListResponse, DeviceKeyError>;
    async fn delete_json(&self, params: Value) -> Result<DeviceKeyDeleteResponse, DeviceKeyError>;
}

impl StoreJson for DeviceKeyStore {
    async fn create_json(&self, params: Value) -> Result<DeviceKeyCreateResponse, DeviceKeyError> {
        self.create(Validated::from_json(params)?).await
    }
    async fn public_json(&self, params: Value) -> Result<DeviceKeyPublicResponse, DeviceKeyError> {
        self.public(Validated::from_json(params)?).await
    }
    async fn sign_json(&self, params: Value) -> Result<DeviceKeySignResponse, DeviceKeyError> {
        self.sign(Validated::from_json(params)?).await
    }
    async fn list_json(&self, params: Value) -> Result<DeviceKeyListResponse, DeviceKeyError> {
        self.list(Validated::from_json(params)?).await
    }
    async fn delete_json(&self, params: Value) -> Result<DeviceKeyDeleteResponse, DeviceKeyError> {
        self.delete(Validated::from_json(params)?).await
    }
}

/// Bytes of a standard base64 field.
pub fn bytes(field: &Base64Bytes) -> Vec<u8> {
    decode_base64(field.as_str()).expect("a Base64Bytes field holds standard base64")
}

/// The key and public key of a create or public response.
pub trait KeyResponse {
    fn key(&self) -> KeyId;
    fn spki_der(&self) -> Vec<u8>;
}

impl KeyResponse for DeviceKeyCreateResponse {
    fn key(&self) -> KeyId {
        KeyId::try_from(&self.key_id).unwrap()
    }
    fn spki_der(&self) -> Vec<u8> {
        bytes(&self.public_key_spki_der_base64)
    }
}

impl KeyResponse for DeviceKeyPublicResponse {
    fn key(&self) -> KeyId {
        KeyId::try_from(&self.key_id).unwrap()
    }
    fn spki_der(&self) -> Vec<u8> {
        bytes(&self.public_key_spki_der_base64)
    }
}

/// The bytes of a sign response.
pub trait ProofBytes {
    fn signature_der(&self) -> Vec<u8>;
    fn signed_payload(&self) -> Vec<u8>;
}

impl ProofBytes for DeviceKeySignResponse {
    fn signature_der(&self) -> Vec<u8> {
        bytes(&self.signature_der_base64)
    }
    fn signed_payload(&self) -> Vec<u8> {
        bytes(&self.signed_payload_base64)
    }
}
