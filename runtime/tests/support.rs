//! Shared test fixtures.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use devicekey::encoding::encode_base64url;
use devicekey::provider::{SoftwareProvider, UnsupportedProvider};
use devicekey::secret_store::FileSecretStore;
use devicekey::{
    BindingStore, DeviceKeyError, DeviceKeyStore, KeyId, KeyProvider, ManualClock, ProtectionClass,
    ProtectionPolicy, ProviderKey, ProviderSet, SignedPayload,
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
            .create(&json!({"protectionPolicy": "allow_software", "accountUserId": ACCOUNT, "clientId": CLIENT}))
            .await
            .unwrap()
            .key_id
    }

    pub async fn sign(
        &self,
        key_id: &KeyId,
        payload: &Value,
    ) -> Result<devicekey::SignedProof, DeviceKeyError> {
        self.store
            .sign(&json!({"keyId": key_id.as_str(), "payload": payload}))
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
    Create(ProtectionPolicy),
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

    fn protection_classes(&self) -> &[ProtectionClass] {
        self.inner.protection_classes()
    }

    fn create(&self, policy: ProtectionPolicy) -> Result<ProviderKey, DeviceKeyError> {
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

    fn delete(&self, key_id: &KeyId) -> Result<bool, DeviceKeyError> {
        self.record(Call::Delete(key_id.to_string()));
        self.inner.delete(key_id)
    }
}

/// A provider of one platform class that holds no keys: every lookup is `keyNotFound`.
#[derive(Debug)]
pub struct EmptyProvider(pub &'static [ProtectionClass]);

impl KeyProvider for EmptyProvider {
    fn name(&self) -> &'static str {
        "empty"
    }

    fn protection_classes(&self) -> &[ProtectionClass] {
        self.0
    }

    fn create(&self, _policy: ProtectionPolicy) -> Result<ProviderKey, DeviceKeyError> {
        Err(DeviceKeyError::new(
            devicekey::ErrorKind::HardwareUnavailable,
            "empty provider",
        ))
    }

    fn public_key(&self, key_id: &KeyId) -> Result<Vec<u8>, DeviceKeyError> {
        Err(devicekey::provider::not_found(key_id))
    }

    fn sign(&self, key_id: &KeyId, _payload: &SignedPayload) -> Result<Vec<u8>, DeviceKeyError> {
        Err(devicekey::provider::not_found(key_id))
    }

    fn delete(&self, _key_id: &KeyId) -> Result<bool, DeviceKeyError> {
        Ok(false)
    }
}
