//! `DeviceKeyStore`: create, public, sign, list and delete, in the order the protocol's key
//! lifecycle gives, and the TPM attestation extension (identity, credential activation, key
//! certification), with provider and SQLite calls on tokio's blocking pool.
//!
//! Every entry point takes its params as a [`Validated`] value of the generated params type (the
//! schema was checked once, where the params came in) and returns the generated response type.

use std::num::NonZeroU64;
use std::sync::Arc;

use devicekey_proof::{
    decode_base64, decode_base64url, effective_policy, encode_base64, DeviceKeyError, KeyId,
    OriginAllowlist, SignPayloadExt as _, SignedPayload, Validated, KEY_ID_MESSAGE,
};
use devicekey_protocol::types::{
    Base64Bytes, DeviceKeyAlgorithm, DeviceKeyCertifyParams, DeviceKeyCertifyResponse,
    DeviceKeyCreateParams, DeviceKeyCreateResponse, DeviceKeyDeleteParams, DeviceKeyDeleteResponse,
    DeviceKeyId, DeviceKeyInfo, DeviceKeyListParams, DeviceKeyListResponse,
    DeviceKeyProtectionClass, DeviceKeyPublicParams, DeviceKeyPublicResponse, DeviceKeySignParams,
    DeviceKeySignResponse, DeviceTpmActivateCredentialParams, DeviceTpmActivateCredentialResponse,
    DeviceTpmIdentityParams, DeviceTpmIdentityResponse, DomainErrorKind, TpmBytesBase64,
};

use crate::binding_store::BindingStore;
use crate::clock::{Clock, SystemClock};
use crate::provider::{check_public_key, not_found, KeyAttestation, KeyProvider, ProviderSet};

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
    ///
    /// When the binding store is on disk ([`BindingStore::is_on_disk`]), this first reconciles
    /// what an interrupted run left: the platform keys of creates that never completed are
    /// deleted ([`BindingStore::pending_creates`]), then every key a provider lists
    /// ([`KeyProvider::key_ids`]) that has neither a binding nor a pending create, then the
    /// providers' temporary files ([`KeyProvider::remove_leftovers`]). What was cleaned is
    /// logged (counts and key ids, at warn); a failure is logged at warn and left for the next
    /// start. The providers must be the ones whose keys this database binds: a provider's key
    /// directory belongs to one binding database.
    ///
    /// It runs only when no other store has the database open ([`BindingStore::if_sole_user`]):
    /// a second server started on a state directory that is being served leaves the first one's
    /// creates under way alone, and the cleanup waits for a start that has the database alone
    /// (the lock of a server that crashed went with its process).
    pub fn build(self) -> DeviceKeyStore {
        let (providers, bindings) = (&self.inner.providers, &self.inner.bindings);
        if bindings.is_on_disk()
            && bindings
                .if_sole_user(|| reconcile(providers, bindings))
                .is_none()
        {
            tracing::info!(
                "another store has the binding database open: the start-up cleanup is left to a \
                 start that has it alone"
            );
        }
        DeviceKeyStore {
            inner: Arc::new(self.inner),
        }
    }
}

/// What [`reconcile`] cleaned.
#[derive(Debug, Default)]
struct Reconciled {
    /// Keys of creates that never completed, deleted (or found already gone).
    rolled_back: Vec<KeyId>,
    /// Keys a provider held without a binding or a pending create, deleted.
    unbound: Vec<KeyId>,
    /// Temporary files removed.
    temporary_files: usize,
}

/// Reconciles the providers' keys with the binding store, as at start-up after a crash:
///
/// 1. Every pending create (an intent recorded before its platform key was made, never
///    replaced by a binding) is claimed so it can no longer complete, its platform key is
///    deleted (the create was never acknowledged), and then the intent is dropped. An intent
///    whose class no provider here serves is kept for a start that has that provider.
/// 2. Every key a provider lists ([`KeyProvider::key_ids`]) with neither a binding nor an
///    intent is deleted, unless some binding's key id is damaged (that key could be one of
///    them: then nothing is deleted and a warning says so).
/// 3. The providers remove their temporary files ([`KeyProvider::remove_leftovers`]).
fn reconcile(providers: &ProviderSet, bindings: &BindingStore) {
    let mut done = Reconciled::default();
    match bindings.pending_creates() {
        Ok(pending) => {
            for stored in pending {
                roll_back(providers, bindings, &stored, &mut done);
            }
        }
        Err(error) => {
            tracing::warn!(%error, "could not read the pending creates; they are left for the next start");
        }
    }
    for provider in providers.providers() {
        delete_unbound(providers, provider, bindings, &mut done);
        match provider.remove_leftovers() {
            Ok(removed) => done.temporary_files += removed,
            Err(error) => {
                tracing::warn!(provider = provider.name(), %error, "could not remove temporary files")
            }
        }
    }
    for key_id in &done.rolled_back {
        tracing::info!(%key_id, "deleted the platform key of a create that never completed");
    }
    for key_id in &done.unbound {
        tracing::info!(%key_id, "deleted a platform key that had no binding");
    }
    if !done.rolled_back.is_empty() || !done.unbound.is_empty() || done.temporary_files > 0 {
        // Unusual (only after a crash), so said at warn, which the server logs by default.
        let ids = |keys: &[KeyId]| {
            let mut ids: Vec<&str> = keys.iter().take(16).map(KeyId::as_str).collect();
            if keys.len() > ids.len() {
                ids.push("...");
            }
            ids.join(" ")
        };
        tracing::warn!(
            interrupted_creates = done.rolled_back.len(),
            unbound_keys = done.unbound.len(),
            temporary_files = done.temporary_files,
            rolled_back = %ids(&done.rolled_back),
            deleted_unbound = %ids(&done.unbound),
            "reconciled the device keys with the binding store after an interrupted run: deleted \
             the platform keys of creates that were never acknowledged, keys without a binding, \
             and temporary files"
        );
    }
}

/// Step 1 of [`reconcile`] for the pending create of `stored` (a key id as stored).
fn roll_back(
    providers: &ProviderSet,
    bindings: &BindingStore,
    stored: &str,
    done: &mut Reconciled,
) {
    let Ok(key_id) = KeyId::parse(stored) else {
        // No key can have this id: nothing to delete.
        tracing::warn!(key_id = ?stored, "dropping a pending create whose key id is damaged");
        if let Err(error) = bindings.drop_pending_create(stored) {
            tracing::warn!(%error, "could not drop a damaged pending create");
        }
        return;
    };
    let Some(provider) = providers.for_class(key_id.protection_class()) else {
        tracing::warn!(%key_id, "a create of this key never completed, but no provider here serves its class: left for a start that has that provider");
        return;
    };
    match bindings.claim_pending_create(stored) {
        Ok(true) => {}
        // Bound after all: the intent was simply dropped.
        Ok(false) => return,
        Err(error) => {
            tracing::warn!(%key_id, %error, "could not roll back a create that never completed; left for the next start");
            return;
        }
    }
    if let Err(error) = provider.delete(&key_id) {
        tracing::warn!(%key_id, %error, "could not delete the platform key of a create that never completed; left for the next start");
        return;
    }
    if let Err(error) = bindings.forget_create(&key_id) {
        tracing::warn!(%key_id, %error, "could not drop the record of a rolled back create; left for the next start");
    }
    done.rolled_back.push(key_id);
}

/// Step 2 of [`reconcile`] for one provider.
fn delete_unbound(
    providers: &ProviderSet,
    provider: &Arc<dyn KeyProvider>,
    bindings: &BindingStore,
    done: &mut Reconciled,
) {
    // The keys first, then the database in one snapshot: a create under way (in another
    // process) whose key is listed already has its intent or its binding.
    let listed = match provider.key_ids() {
        Ok(Some(listed)) => listed,
        Ok(None) => return,
        Err(error) => {
            tracing::warn!(provider = provider.name(), %error, "could not list the provider's keys; unbound keys are left for the next start");
            return;
        }
    };
    let mine = |key_id: &KeyId| {
        providers
            .for_class(key_id.protection_class())
            .is_some_and(|owner| Arc::ptr_eq(owner, provider))
    };
    let listed: Vec<KeyId> = listed.into_iter().filter(|key_id| mine(key_id)).collect();
    if listed.is_empty() {
        return;
    }
    let (known, damaged) = match bindings.known_key_ids() {
        Ok(known) => known,
        Err(error) => {
            tracing::warn!(%error, "could not read the bound key ids; unbound keys are left for the next start");
            return;
        }
    };
    let unbound: Vec<KeyId> = listed
        .into_iter()
        .filter(|key_id| !known.contains(key_id.as_str()))
        .collect();
    if unbound.is_empty() {
        return;
    }
    if damaged > 0 {
        tracing::warn!(
            provider = provider.name(),
            unbound = unbound.len(),
            damaged_bindings = damaged,
            "keys without a binding are kept: some bindings have a damaged key id, and these keys may be theirs"
        );
        return;
    }
    for key_id in unbound {
        match provider.delete(&key_id) {
            Ok(_) => done.unbound.push(key_id),
            Err(error) => {
                tracing::warn!(%key_id, %error, "could not delete a platform key that has no binding; left for the next start")
            }
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
    /// Crash-consistent: the key id is recorded as a pending create before the platform key is
    /// made ([`KeyProvider::create_with_intent`]), and the binding replaces that record in one
    /// transaction. Whatever point a crash (or `kill -9`) stops it at, the next start finds
    /// either the binding (the create completed, whether or not its answer went out) or the
    /// record, and then deletes the key (see [`DeviceKeyStoreBuilder::build`]).
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
        // Each attempt's key id is recorded as a pending create before its platform key exists,
        // so a crash from here on leaves a record from which the next start deletes the key.
        let mut intents: Vec<KeyId> = Vec::new();
        let started_at = inner.clock.now_unix_seconds();
        let created = inner.providers.create_with_intent(policy, &mut |key_id| {
            inner.bindings.begin_create(key_id, started_at)?;
            intents.push(key_id.clone());
            Ok(())
        });
        // Intents of attempts that made no key (a provider that failed after its intent): their
        // platform keys do not exist.
        let made = created.as_ref().ok().map(|(key, _)| &key.key_id);
        for key_id in intents.iter().filter(|key_id| Some(*key_id) != made) {
            if let Err(cleanup) = inner.bindings.forget_create(key_id) {
                tracing::warn!(%key_id, %cleanup, "could not drop the record of a failed create; the next start drops it");
            }
        }
        let (key, provider) = created?;
        let recorded = intents.contains(&key.key_id);
        let binding = DeviceKeyInfo {
            key_id: key.key_id.clone().into(),
            algorithm: DeviceKeyAlgorithm::EcdsaP256Sha256,
            protection_class: key.key_id.protection_class(),
            account_user_id: params.account_user_id,
            client_id: params.client_id,
            created_at: inner.clock.now_unix_seconds(),
        };
        let stored = if recorded {
            inner
                .bindings
                .finish_create(&binding, &key.public_key_spki_der)
        } else {
            // A provider that never called `intent`: a plain insert.
            inner.bindings.insert(&binding, &key.public_key_spki_der)
        };
        if let Err(error) = stored {
            match provider.delete(&key.key_id) {
                Ok(_) if recorded => {
                    if let Err(cleanup) = inner.bindings.forget_create(&key.key_id) {
                        tracing::warn!(key_id = %key.key_id, %cleanup, "could not drop the record of a failed create; the next start drops it");
                    }
                }
                Ok(_) => {}
                // The intent stays: the next start deletes the key.
                Err(cleanup) => {
                    tracing::warn!(key_id = %key.key_id, %cleanup, "could not delete a platform key whose binding was not stored");
                }
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

    /// `device/tpm/identity` (extension): the TPM's EK certificate (if its NV has one), EK and
    /// attestation key, from the provider of `hardware_tpm` keys; `attestationUnavailable` when
    /// that is not a TPM. The attestation key is this state directory's: made at the first
    /// attestation request, then the same every time (`keyLost` if the TPM's endorsement seed
    /// changed since).
    ///
    /// Blocks (TPM commands): call it off the async executor, or use
    /// [`tpm_identity`](Self::tpm_identity).
    pub fn tpm_identity_blocking(
        &self,
        params: Validated<DeviceTpmIdentityParams>,
    ) -> Result<DeviceTpmIdentityResponse, DeviceKeyError> {
        let DeviceTpmIdentityParams {} = params.into_inner();
        let identity = self.attestation()?.identity()?;
        Ok(DeviceTpmIdentityResponse {
            ek_certificate_der_base64: identity
                .ek_certificate
                .as_deref()
                .map(tpm_bytes)
                .transpose()?,
            ek_public_area_base64: tpm_bytes(&identity.ek_public)?,
            ak_public_area_base64: tpm_bytes(&identity.ak_public)?,
        })
    }

    /// `tpm_identity_blocking` on tokio's blocking pool.
    pub async fn tpm_identity(
        &self,
        params: Validated<DeviceTpmIdentityParams>,
    ) -> Result<DeviceTpmIdentityResponse, DeviceKeyError> {
        self.blocking(move |store| store.tpm_identity_blocking(params))
            .await
    }

    /// `device/tpm/activateCredential` (extension): the TPM recovers the secret of a verifier's
    /// credential challenge for its EK and the attestation key's name, which it can only if it
    /// holds both. `attestationUnavailable` without a TPM; a challenge too large for a TPM is
    /// invalid params; one the TPM refuses is `cryptoFailure`.
    ///
    /// Blocks (TPM commands): call it off the async executor, or use
    /// [`activate_credential`](Self::activate_credential).
    pub fn activate_credential_blocking(
        &self,
        params: Validated<DeviceTpmActivateCredentialParams>,
    ) -> Result<DeviceTpmActivateCredentialResponse, DeviceKeyError> {
        let attestation = self.attestation()?;
        let params = params.into_inner();
        let blob = tpm_bytes_of(&params.credential_blob_base64, "credentialBlobBase64")?;
        let secret = tpm_bytes_of(&params.encrypted_secret_base64, "encryptedSecretBase64")?;
        let recovered = attestation.activate_credential(&blob, &secret)?;
        Ok(DeviceTpmActivateCredentialResponse {
            secret_base64: tpm_bytes(&recovered)?,
        })
    }

    /// `activate_credential_blocking` on tokio's blocking pool.
    pub async fn activate_credential(
        &self,
        params: Validated<DeviceTpmActivateCredentialParams>,
    ) -> Result<DeviceTpmActivateCredentialResponse, DeviceKeyError> {
        self.blocking(move |store| store.activate_credential_blocking(params))
            .await
    }

    /// `device/key/certify` (extension): the attestation key certifies a `dk_tpm_` key over the
    /// verifier's nonce. In order: a TPM (`attestationUnavailable` without one), a `dk_tpm_` key
    /// id (`attestationUnavailable` for the other classes, whose keys are in no TPM), the
    /// key's binding (`keyNotFound` without one; its account and client need not match
    /// anything), the certification, and the certified key's public key checked against the
    /// one recorded at create (`keyIntegrityFailure` otherwise, and nothing is answered; a
    /// binding stored before public keys were recorded gets this one recorded).
    ///
    /// Blocks (provider, TPM and SQLite calls): call it off the async executor, or use
    /// [`certify`](Self::certify).
    pub fn certify_blocking(
        &self,
        params: Validated<DeviceKeyCertifyParams>,
    ) -> Result<DeviceKeyCertifyResponse, DeviceKeyError> {
        let inner = &*self.inner;
        let key_id = key_id_of(&params.key_id)?;
        let attestation = self.attestation()?;
        let class = key_id.protection_class();
        if class != DeviceKeyProtectionClass::HardwareTpm {
            return Err(DeviceKeyError::new(
                DomainErrorKind::AttestationUnavailable,
                format!("only dk_tpm_ keys can be certified: {class} keys are not in a TPM"),
            ));
        }
        let nonce: [u8; 32] = decode_base64url(&params.nonce)
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| {
                DeviceKeyError::invalid_params(
                    "nonce must be 32 random bytes encoded as unpadded base64url",
                    Vec::new(),
                )
            })?;
        let binding = inner
            .bindings
            .get_stored(&key_id)?
            .ok_or_else(|| not_found(&key_id))?;
        let certification = attestation.certify(&key_id, &nonce)?;
        let recorded = match binding.public_key_spki_der {
            Some(recorded) => recorded,
            None => inner
                .bindings
                .record_public_key(&key_id, &certification.key_spki_der)?,
        };
        check_public_key(&key_id, &recorded, &certification.key_spki_der)?;
        tracing::info!(%key_id, "certified device key with the TPM attestation key");
        Ok(DeviceKeyCertifyResponse {
            attest_base64: tpm_bytes(&certification.attest)?,
            signature_der_base64: base64_bytes(&certification.signature_der)?,
            key_public_area_base64: tpm_bytes(&certification.key_public)?,
            key_id: key_id.into(),
        })
    }

    /// `certify_blocking` on tokio's blocking pool.
    pub async fn certify(
        &self,
        params: Validated<DeviceKeyCertifyParams>,
    ) -> Result<DeviceKeyCertifyResponse, DeviceKeyError> {
        self.blocking(move |store| store.certify_blocking(params))
            .await
    }

    /// The attestation of the provider of `hardware_tpm` keys, or `attestationUnavailable`.
    fn attestation(&self) -> Result<&dyn KeyAttestation, DeviceKeyError> {
        self.inner
            .providers
            .for_class(DeviceKeyProtectionClass::HardwareTpm)
            .and_then(|provider| provider.attestation())
            .ok_or_else(|| {
                DeviceKeyError::new(
                    DomainErrorKind::AttestationUnavailable,
                    "this server has no TPM: attestation needs the TPM provider",
                )
            })
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

/// Bytes of a TPM structure as the protocol's `TpmBytesBase64`: never empty, at most what the
/// type carries.
fn tpm_bytes(bytes: &[u8]) -> Result<TpmBytesBase64, DeviceKeyError> {
    if bytes.is_empty() {
        return Err(DeviceKeyError::new(
            DomainErrorKind::CryptoFailure,
            "the TPM returned no bytes where a TPM structure belongs",
        ));
    }
    TpmBytesBase64::try_from(encode_base64(bytes)).map_err(|_| {
        DeviceKeyError::new(
            DomainErrorKind::PlatformFailure,
            format!(
                "the TPM returned a structure of {} bytes, more than the protocol carries",
                bytes.len()
            ),
        )
    })
}

/// The bytes of a validated `TpmBytesBase64` field. The schema checked the encoding already; a
/// failure here would mean the generated validator and the format disagree, reported as invalid
/// params.
fn tpm_bytes_of(field: &TpmBytesBase64, name: &str) -> Result<Vec<u8>, DeviceKeyError> {
    decode_base64(field).ok_or_else(|| {
        DeviceKeyError::invalid_params(
            format!("{name} must be standard base64 with padding"),
            Vec::new(),
        )
    })
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
