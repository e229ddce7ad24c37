//! `DeviceKeyStore`: create, public, sign, list and delete, in the order the protocol's key
//! lifecycle gives, with provider and SQLite calls on tokio's blocking pool.
//!
//! Every entry point takes its params as a [`Validated`] value of the generated params type (the
//! schema was checked once, where the params came in) and returns the generated response type.

use std::num::NonZeroU64;
use std::sync::Arc;

use devicekey_proof::{
    effective_policy, encode_base64, DeviceKeyError, KeyId, OriginAllowlist, SignPayloadExt as _,
    SignedPayload, Validated, KEY_ID_MESSAGE,
};
use devicekey_protocol::types::{
    Base64Bytes, DeviceKeyAlgorithm, DeviceKeyCreateParams, DeviceKeyCreateResponse,
    DeviceKeyDeleteParams, DeviceKeyDeleteResponse, DeviceKeyId, DeviceKeyInfo,
    DeviceKeyListParams, DeviceKeyListResponse, DeviceKeyPublicParams, DeviceKeyPublicResponse,
    DeviceKeySignParams, DeviceKeySignResponse, DomainErrorKind,
};

use crate::binding_store::BindingStore;
use crate::clock::{Clock, SystemClock};
use crate::provider::{check_public_key, not_found, ProviderSet};

/// The most keys one `device/key/list` answer holds (the schema's `limit` maximum and
/// `keys` `maxItems`): the default `limit`, and the page size a client pages through with
/// `after` and `nextCursor`.
pub const MAX_LIST_KEYS: usize = 1000;

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

    /// `device/key/create`: let a provider create a key under the policy, store the binding, and
    /// delete the new platform key again if the binding cannot be stored.
    ///
    /// Blocks (provider and SQLite calls): call it off the async executor, or use
    /// [`create`](Self::create).
    pub fn create_blocking(
        &self,
        params: Validated<DeviceKeyCreateParams>,
    ) -> Result<DeviceKeyCreateResponse, DeviceKeyError> {
        let inner = &*self.inner;
        let params = params.into_inner();
        let policy = effective_policy(params.protection_policy);
        let (key, provider) = inner.providers.create(policy)?;
        let binding = DeviceKeyInfo {
            key_id: key.key_id.clone().into(),
            algorithm: DeviceKeyAlgorithm::EcdsaP256Sha256,
            protection_class: key.key_id.protection_class(),
            account_user_id: params.account_user_id,
            client_id: params.client_id,
            created_at: inner.clock.now_unix_seconds(),
        };
        if let Err(error) = inner.bindings.insert(&binding, &key.public_key_spki_der) {
            if let Err(cleanup) = provider.delete(&key.key_id) {
                tracing::warn!(key_id = %key.key_id, %cleanup, "could not delete a platform key whose binding was not stored");
            }
            return Err(error);
        }
        tracing::info!(key_id = %key.key_id, provider = provider.name(), "created device key");
        Ok(DeviceKeyCreateResponse {
            protection_class: key.key_id.protection_class(),
            public_key_spki_der_base64: base64_bytes(&key.public_key_spki_der)?,
            key_id: key.key_id.into(),
            algorithm: DeviceKeyAlgorithm::EcdsaP256Sha256,
        })
    }

    /// `create_blocking` on tokio's blocking pool.
    pub async fn create(
        &self,
        params: Validated<DeviceKeyCreateParams>,
    ) -> Result<DeviceKeyCreateResponse, DeviceKeyError> {
        self.blocking(move |store| store.create_blocking(params))
            .await
    }

    /// `device/key/public`: the provider of the key id's class; no binding match. When the key
    /// has a binding, the provider's public key must be the one recorded at create
    /// (`keyIntegrityFailure` otherwise); a binding stored before public keys were recorded
    /// gets this one recorded.
    ///
    /// Blocks (provider and SQLite calls): call it off the async executor, or use
    /// [`public`](Self::public).
    pub fn public_blocking(
        &self,
        params: Validated<DeviceKeyPublicParams>,
    ) -> Result<DeviceKeyPublicResponse, DeviceKeyError> {
        let inner = &*self.inner;
        let key_id = key_id_of(&params.key_id)?;
        let spki = inner.providers.for_key(&key_id)?.public_key(&key_id)?;
        if let Some(binding) = inner.bindings.get_stored(&key_id)? {
            let recorded = match binding.public_key_spki_der {
                Some(recorded) => recorded,
                None => inner.bindings.record_public_key(&key_id, &spki)?,
            };
            check_public_key(&key_id, &recorded, &spki)?;
        }
        Ok(DeviceKeyPublicResponse {
            protection_class: key_id.protection_class(),
            public_key_spki_der_base64: base64_bytes(&spki)?,
            key_id: key_id.into(),
            algorithm: DeviceKeyAlgorithm::EcdsaP256Sha256,
        })
    }

    /// `public_blocking` on tokio's blocking pool.
    pub async fn public(
        &self,
        params: Validated<DeviceKeyPublicParams>,
    ) -> Result<DeviceKeyPublicResponse, DeviceKeyError> {
        self.blocking(move |store| store.public_blocking(params))
            .await
    }

    /// `device/key/sign`. In order: expiry and origin rules, binding lookup (missing:
    /// `keyNotFound`), binding match, replay record, canonical bytes, and the provider signs
    /// after checking that its key has the public key recorded at create
    /// ([`KeyProvider::sign_checked`](crate::KeyProvider::sign_checked); a mismatch is
    /// `keyIntegrityFailure` and nothing is signed). A binding stored before public keys were
    /// recorded first gets the provider's public key recorded.
    ///
    /// Blocks (provider and SQLite calls): call it off the async executor, or use
    /// [`sign`](Self::sign).
    pub fn sign_blocking(
        &self,
        params: Validated<DeviceKeySignParams>,
    ) -> Result<DeviceKeySignResponse, DeviceKeyError> {
        let inner = &*self.inner;
        let key_id = key_id_of(&params.key_id)?;
        let payload = &params.payload;
        let now = inner.clock.now_unix_seconds();
        payload.check_expiry(now)?;
        payload.check_origin(&inner.origins)?;
        let binding = inner
            .bindings
            .get_stored(&key_id)?
            .ok_or_else(|| not_found(&key_id))?;
        payload.check_binding(&binding.info.account_user_id, &binding.info.client_id)?;
        let provider = inner.providers.for_key(&key_id)?;
        let expected_spki = match binding.public_key_spki_der {
            Some(recorded) => recorded,
            None => {
                let spki = provider.public_key(&key_id)?;
                inner.bindings.record_public_key(&key_id, &spki)?
            }
        };
        let nonce = payload.nonce().as_str();
        inner
            .bindings
            .record_nonce(&key_id, nonce, payload.expires_at(), now)?;
        let signed = SignedPayload::new(params.payload());
        match provider.sign_checked(&key_id, &signed, &expected_spki) {
            Ok(signature_der) => Ok(DeviceKeySignResponse {
                signature_der_base64: base64_bytes(&signature_der)?,
                signed_payload_base64: base64_bytes(signed.as_bytes())?,
                algorithm: DeviceKeyAlgorithm::EcdsaP256Sha256,
            }),
            Err(error) => {
                // No signature exists, so the nonce may be offered again.
                if let Err(cleanup) = inner.bindings.forget_nonce(&key_id, nonce) {
                    tracing::warn!(%key_id, %cleanup, "could not forget the nonce of a failed signature");
                }
                Err(error)
            }
        }
    }

    /// `sign_blocking` on tokio's blocking pool.
    pub async fn sign(
        &self,
        params: Validated<DeviceKeySignParams>,
    ) -> Result<DeviceKeySignResponse, DeviceKeyError> {
        self.blocking(move |store| store.sign_blocking(params))
            .await
    }

    /// `device/key/list`: one page of the bindings matching the filter, oldest first: at most
    /// `limit` (default and maximum [`MAX_LIST_KEYS`]) after the key `after`, with `nextCursor`
    /// set to the page's last key when more follow.
    ///
    /// Blocks (provider and SQLite calls): call it off the async executor, or use
    /// [`list`](Self::list).
    pub fn list_blocking(
        &self,
        params: Validated<DeviceKeyListParams>,
    ) -> Result<DeviceKeyListResponse, DeviceKeyError> {
        let inner = &*self.inner;
        let mut filter = params.into_inner();
        let limit = filter
            .limit
            .map_or(MAX_LIST_KEYS, |limit| {
                usize::try_from(limit.get()).unwrap_or(usize::MAX)
            })
            .min(MAX_LIST_KEYS);
        // One more than the page, to know whether another page follows.
        filter.limit = NonZeroU64::new(limit as u64 + 1);
        let mut keys = inner.bindings.list(&filter)?;
        let next_cursor = if keys.len() > limit {
            keys.truncate(limit);
            keys.last().map(|key| key.key_id.clone())
        } else {
            None
        };
        Ok(DeviceKeyListResponse { keys, next_cursor })
    }

    /// `list_blocking` on tokio's blocking pool.
    pub async fn list(
        &self,
        params: Validated<DeviceKeyListParams>,
    ) -> Result<DeviceKeyListResponse, DeviceKeyError> {
        self.blocking(move |store| store.list_blocking(params))
            .await
    }

    /// `device/key/delete`: deletes the platform key, then its binding; whether either existed.
    /// A key of a class no provider serves cannot exist here, so only its binding is looked at.
    ///
    /// Blocks (provider and SQLite calls): call it off the async executor, or use
    /// [`delete`](Self::delete).
    pub fn delete_blocking(
        &self,
        params: Validated<DeviceKeyDeleteParams>,
    ) -> Result<DeviceKeyDeleteResponse, DeviceKeyError> {
        let inner = &*self.inner;
        let key_id = key_id_of(&params.key_id)?;
        let platform_deleted = match inner.providers.for_class(key_id.protection_class()) {
            Some(provider) => provider.delete(&key_id)?,
            None => false,
        };
        let binding_deleted = inner.bindings.delete(&key_id)?;
        if platform_deleted || binding_deleted {
            tracing::info!(%key_id, "deleted device key");
        }
        Ok(DeviceKeyDeleteResponse {
            deleted: platform_deleted || binding_deleted,
        })
    }

    /// `delete_blocking` on tokio's blocking pool.
    pub async fn delete(
        &self,
        params: Validated<DeviceKeyDeleteParams>,
    ) -> Result<DeviceKeyDeleteResponse, DeviceKeyError> {
        self.blocking(move |store| store.delete_blocking(params))
            .await
    }

    /// The binding store (for tools that inspect a state directory).
    pub fn bindings(&self) -> &BindingStore {
        &self.inner.bindings
    }

    /// Runs `work` on tokio's blocking pool.
    async fn blocking<T, F>(&self, work: F) -> Result<T, DeviceKeyError>
    where
        T: Send + 'static,
        F: FnOnce(&DeviceKeyStore) -> Result<T, DeviceKeyError> + Send + 'static,
    {
        let store = self.clone();
        tokio::task::spawn_blocking(move || work(&store))
            .await
            .map_err(|join| {
                DeviceKeyError::new(
                    DomainErrorKind::PlatformFailure,
                    format!("device key operation did not complete: {join}"),
                )
            })?
    }
}

/// The [`KeyId`] of a validated key id field. The schema checked the format already; a failure
/// here would mean the generated validator and the format disagree, reported as invalid params.
fn key_id_of(id: &DeviceKeyId) -> Result<KeyId, DeviceKeyError> {
    KeyId::try_from(id).map_err(|_| DeviceKeyError::invalid_params(KEY_ID_MESSAGE, Vec::new()))
}

/// Bytes as the protocol's standard base64 field type.
fn base64_bytes(bytes: &[u8]) -> Result<Base64Bytes, DeviceKeyError> {
    if bytes.is_empty() {
        return Err(DeviceKeyError::new(
            DomainErrorKind::CryptoFailure,
            "the platform returned no bytes where a key or signature belongs",
        ));
    }
    Ok(Base64Bytes::from(encode_base64(bytes)))
}
