//! `DeviceKeyStore`: create, public, sign, list and delete, in the order the protocol's key
//! lifecycle gives, with provider and SQLite calls on tokio's blocking pool.

use std::sync::Arc;

use serde::ser::SerializeStruct as _;
use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::binding_store::{Binding, BindingFilter, BindingStore};
use crate::clock::{Clock, SystemClock};
use crate::encoding::encode_base64;
use crate::error::{DeviceKeyError, ErrorKind};
use crate::key_id::{KeyId, KEY_ID_MESSAGE};
use crate::origin::OriginAllowlist;
use crate::protection::{Algorithm, ProtectionClass, ProtectionPolicy};
use crate::provider::{not_found, ProviderSet};
use crate::rules::PayloadFacts;
use crate::signed_payload::SignedPayload;
use crate::validation::{validate, Schema, Violation};

/// A key as `device/key/create` and `device/key/public` report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// The key id.
    pub key_id: KeyId,
    /// SubjectPublicKeyInfo DER.
    pub public_key_spki_der: Vec<u8>,
    /// Always `ecdsa_p256_sha256`.
    pub algorithm: Algorithm,
    /// The key's protection class.
    pub protection_class: ProtectionClass,
}

impl Serialize for KeyInfo {
    /// The wire shape: `{keyId, publicKeySpkiDerBase64, algorithm, protectionClass}`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut object = serializer.serialize_struct("KeyInfo", 4)?;
        object.serialize_field("keyId", self.key_id.as_str())?;
        object.serialize_field(
            "publicKeySpkiDerBase64",
            &encode_base64(&self.public_key_spki_der),
        )?;
        object.serialize_field("algorithm", &self.algorithm)?;
        object.serialize_field("protectionClass", &self.protection_class)?;
        object.end()
    }
}

/// A signature as `device/key/sign` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedProof {
    /// The DER ECDSA signature.
    pub signature_der: Vec<u8>,
    /// The exact bytes that were signed.
    pub signed_payload: Vec<u8>,
    /// Always `ecdsa_p256_sha256`.
    pub algorithm: Algorithm,
}

impl Serialize for SignedProof {
    /// The wire shape: `{signatureDerBase64, signedPayloadBase64, algorithm}`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut object = serializer.serialize_struct("SignedProof", 3)?;
        object.serialize_field("signatureDerBase64", &encode_base64(&self.signature_der))?;
        object.serialize_field("signedPayloadBase64", &encode_base64(&self.signed_payload))?;
        object.serialize_field("algorithm", &self.algorithm)?;
        object.end()
    }
}

/// The device key store. Cheap to clone; clones share one store.
#[derive(Debug, Clone)]
pub struct DeviceKeyStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    providers: ProviderSet,
    bindings: BindingStore,
    clock: Arc<dyn Clock>,
    origins: OriginAllowlist,
}

/// Builds a [`DeviceKeyStore`]; the clock defaults to the system clock and the origins to
/// codex's defaults.
#[derive(Debug)]
pub struct DeviceKeyStoreBuilder {
    inner: Inner,
}

impl DeviceKeyStoreBuilder {
    /// Uses `clock` for the expiry rules and the replay bookkeeping.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.inner.clock = clock;
        self
    }

    /// Allows exactly these backend origins.
    pub fn origins(mut self, origins: OriginAllowlist) -> Self {
        self.inner.origins = origins;
        self
    }

    /// The store.
    pub fn build(self) -> DeviceKeyStore {
        DeviceKeyStore {
            inner: Arc::new(self.inner),
        }
    }
}

impl DeviceKeyStore {
    /// A builder over these providers and this binding store.
    pub fn builder(providers: ProviderSet, bindings: BindingStore) -> DeviceKeyStoreBuilder {
        DeviceKeyStoreBuilder {
            inner: Inner {
                providers,
                bindings,
                clock: Arc::new(SystemClock),
                origins: OriginAllowlist::codex_defaults(),
            },
        }
    }

    /// `device/key/create`, from its JSON params as received: validate them, let a provider
    /// create a key under the policy, store the binding, and delete the new platform key again
    /// if the binding cannot be stored.
    pub async fn create(&self, params: &Value) -> Result<KeyInfo, DeviceKeyError> {
        validate(Schema::CreateParams, params)?;
        let policy = match params.get("protectionPolicy") {
            None | Some(Value::Null) => ProtectionPolicy::default(),
            Some(value) => value
                .as_str()
                .and_then(ProtectionPolicy::from_wire)
                .ok_or_else(|| {
                    DeviceKeyError::invalid_params(
                        "invalid params: unknown protectionPolicy",
                        Vec::new(),
                    )
                })?,
        };
        let account_user_id = required_text(params, "accountUserId")?;
        let client_id = required_text(params, "clientId")?;
        self.blocking(move |inner| {
            let (key, provider) = inner.providers.create(policy)?;
            let binding = Binding {
                key_id: key.key_id.clone(),
                algorithm: Algorithm::EcdsaP256Sha256,
                protection_class: key.key_id.protection_class(),
                account_user_id,
                client_id,
                created_at: inner.clock.now_unix_seconds(),
            };
            if let Err(error) = inner.bindings.insert(&binding) {
                if let Err(cleanup) = provider.delete(&key.key_id) {
                    tracing::warn!(key_id = %key.key_id, %cleanup, "could not delete a platform key whose binding was not stored");
                }
                return Err(error);
            }
            tracing::info!(key_id = %key.key_id, provider = provider.name(), "created device key");
            Ok(KeyInfo {
                protection_class: key.key_id.protection_class(),
                key_id: key.key_id,
                public_key_spki_der: key.public_key_spki_der,
                algorithm: Algorithm::EcdsaP256Sha256,
            })
        })
        .await
    }

    /// `device/key/public`: the key id check, then the provider of its class; no binding check.
    pub async fn public(&self, key_id: &str) -> Result<KeyInfo, DeviceKeyError> {
        let key_id = parse_key_id(key_id, "DeviceKeyPublicParams.json")?;
        self.blocking(move |inner| {
            let public_key_spki_der = inner.providers.for_key(&key_id)?.public_key(&key_id)?;
            Ok(KeyInfo {
                protection_class: key_id.protection_class(),
                key_id,
                public_key_spki_der,
                algorithm: Algorithm::EcdsaP256Sha256,
            })
        })
        .await
    }

    /// `device/key/sign`, from its JSON params as received. In order: key id check, schema
    /// validation, expiry and origin rules, binding lookup (missing: `keyNotFound`), binding
    /// match, replay check, canonical bytes, and the provider signs.
    pub async fn sign(&self, params: &Value) -> Result<SignedProof, DeviceKeyError> {
        let key_id = match params.get("keyId").and_then(Value::as_str) {
            Some(text) => Some(parse_key_id(text, "DeviceKeySignParams.json")?),
            None => None,
        };
        validate(Schema::SignParams, params)?;
        let key_id =
            key_id.ok_or_else(|| DeviceKeyError::invalid_params(KEY_ID_MESSAGE, Vec::new()))?;
        let payload = params.get("payload").cloned().unwrap_or(Value::Null);
        let facts = PayloadFacts::read(&payload)?;
        let now = self.inner.clock.now_unix_seconds();
        facts.check_expiry(now)?;
        facts.check_origin(&self.inner.origins)?;
        self.blocking(move |inner| {
            let binding = inner.bindings.get(&key_id)?.ok_or_else(|| not_found(&key_id))?;
            facts.check_binding(&binding.account_user_id, &binding.client_id)?;
            let provider = inner.providers.for_key(&key_id)?;
            inner.bindings.record_nonce(&key_id, &facts.nonce, facts.expires_at, now)?;
            let signed = SignedPayload::from_valid_payload(&payload);
            match provider.sign(&key_id, &signed) {
                Ok(signature_der) => Ok(SignedProof {
                    signature_der,
                    signed_payload: signed.into_bytes(),
                    algorithm: Algorithm::EcdsaP256Sha256,
                }),
                Err(error) => {
                    // No signature exists, so the nonce may be offered again.
                    if let Err(cleanup) = inner.bindings.forget_nonce(&key_id, &facts.nonce) {
                        tracing::warn!(%key_id, %cleanup, "could not forget the nonce of a failed signature");
                    }
                    Err(error)
                }
            }
        })
        .await
    }

    /// `device/key/list`: the bindings matching `filter`, oldest first.
    pub async fn list(&self, filter: BindingFilter) -> Result<Vec<Binding>, DeviceKeyError> {
        self.blocking(move |inner| inner.bindings.list(&filter))
            .await
    }

    /// `device/key/delete`: deletes the platform key, then its binding; whether either existed.
    /// A key of a class no provider serves cannot exist here, so only its binding is looked at.
    pub async fn delete(&self, key_id: &str) -> Result<bool, DeviceKeyError> {
        let key_id = parse_key_id(key_id, "DeviceKeyDeleteParams.json")?;
        self.blocking(move |inner| {
            let platform_deleted = match inner.providers.for_class(key_id.protection_class()) {
                Some(provider) => provider.delete(&key_id)?,
                None => false,
            };
            let binding_deleted = inner.bindings.delete(&key_id)?;
            if platform_deleted || binding_deleted {
                tracing::info!(%key_id, "deleted device key");
            }
            Ok(platform_deleted || binding_deleted)
        })
        .await
    }

    /// Runs `work` on tokio's blocking pool.
    async fn blocking<T, F>(&self, work: F) -> Result<T, DeviceKeyError>
    where
        T: Send + 'static,
        F: FnOnce(&Inner) -> Result<T, DeviceKeyError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || work(&inner))
            .await
            .map_err(|join| {
                DeviceKeyError::new(
                    ErrorKind::PlatformFailure,
                    format!("device key operation did not complete: {join}"),
                )
            })?
    }
}

/// Parses a key id, or the `invalidParams` error with codex's key id message (`params_schema`
/// names the schema file of the params the key id came in).
fn parse_key_id(text: &str, params_schema: &str) -> Result<KeyId, DeviceKeyError> {
    KeyId::parse(text).map_err(|error| {
        DeviceKeyError::invalid_params(
            KEY_ID_MESSAGE,
            vec![Violation {
                instance_path: "/keyId".to_owned(),
                schema_path: format!("{params_schema}#/properties/keyId/format"),
                keyword: "format".to_owned(),
                message: error.to_string(),
            }],
        )
    })
}

fn required_text(params: &Value, field: &str) -> Result<String, DeviceKeyError> {
    params
        .get(field)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            DeviceKeyError::invalid_params(
                format!("invalid params: {field} is required"),
                Vec::new(),
            )
        })
}
