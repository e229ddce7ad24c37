//! The provider seam: what a key provider is ([`KeyProvider`]), what it creates
//! ([`ProviderKey`]), the set of them a store uses ([`ProviderSet`]), and the attestation a
//! hardware provider may offer ([`KeyAttestation`]).

use devicekey_proof::DeviceKeyError;
use devicekey_proof::KeyId;
use devicekey_proof::ProtectionPolicyExt as _;
use devicekey_proof::SignedPayload;
use devicekey_protocol::types::DomainErrorKind;
use devicekey_protocol::types::{DeviceKeyProtectionClass, DeviceKeyProtectionPolicy};
use std::fmt::Debug;
use std::sync::Arc;
use zeroize::Zeroizing;

/// A key a provider just created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderKey {
    /// Its id; the prefix names the class the provider actually used.
    pub key_id: KeyId,
    /// Its public key as SubjectPublicKeyInfo DER.
    pub public_key_spki_der: Vec<u8>,
}

/// A source of device keys of one or more protection classes.
///
/// Errors use these kinds: `keyNotFound` for an unknown key id; `hardwareUnavailable` when the
/// hardware is missing; `degradedProtectionNotAllowed` when only a class the policy refuses is
/// available; `entitlementRequired`, `platformFailure`, `cryptoFailure` otherwise. Their
/// messages never contain key material.
pub trait KeyProvider: Send + Sync + Debug {
    /// A short name for logs (`software`, `tpm`, ...).
    fn name(&self) -> &'static str;

    /// The classes whose keys this provider holds: lookups of key ids with these prefixes come
    /// here and nowhere else.
    fn protection_classes(&self) -> &[DeviceKeyProtectionClass];

    /// Creates a key of the strongest class this provider has that `policy` allows.
    fn create(&self, policy: DeviceKeyProtectionPolicy) -> Result<ProviderKey, DeviceKeyError>;

    /// The public key (SubjectPublicKeyInfo DER) of `key_id`.
    fn public_key(&self, key_id: &KeyId) -> Result<Vec<u8>, DeviceKeyError>;

    /// Signs `payload`'s bytes with `key_id` (ECDSA P-256, SHA-256) and returns a DER signature.
    ///
    /// This does not check that the key is the one created under `key_id`: the store signs
    /// with [`sign_checked`](Self::sign_checked).
    fn sign(&self, key_id: &KeyId, payload: &SignedPayload) -> Result<Vec<u8>, DeviceKeyError>;

    /// Signs like [`sign`](Self::sign), but only after checking that the key it is about to sign
    /// with has the public key `expected_spki_der` (SubjectPublicKeyInfo DER, as recorded when
    /// the key was created): any other key is `keyIntegrityFailure` and nothing is signed.
    ///
    /// The default asks [`public_key`](Self::public_key) and then signs: two lookups, and a key
    /// replaced between them would go unnoticed. Providers that can, override it to check the
    /// key they loaded for signing (the software provider compares the public key of the
    /// private key it decoded, the TPM provider the public area of the blob it loads, the
    /// keychain provider the public key of the key reference it found).
    fn sign_checked(
        &self,
        key_id: &KeyId,
        payload: &SignedPayload,
        expected_spki_der: &[u8],
    ) -> Result<Vec<u8>, DeviceKeyError> {
        check_public_key(key_id, expected_spki_der, &self.public_key(key_id)?)?;
        self.sign(key_id, payload)
    }

    /// Deletes `key_id`; whether it existed.
    fn delete(&self, key_id: &KeyId) -> Result<bool, DeviceKeyError>;

    /// Creates a key like [`create`](Self::create), calling `intent` with the new key's id
    /// before anything of the key exists on the platform; `intent`'s error ends the create with
    /// nothing left behind. The store's `intent` durably records a pending create, so a crash
    /// at any later point leaves a record from which the next start deletes the key.
    ///
    /// The default creates first and calls `intent` afterwards (deleting the key again if it
    /// fails): a crash between the two leaves a key no record names. Providers that can choose
    /// the key id before they make the key override it (the software provider does); a
    /// provider that lists its keys ([`key_ids`](Self::key_ids)) must, since the start-up
    /// reconciliation deletes every listed key that has neither a binding nor an intent.
    fn create_with_intent(
        &self,
        policy: DeviceKeyProtectionPolicy,
        intent: &mut dyn FnMut(&KeyId) -> Result<(), DeviceKeyError>,
    ) -> Result<ProviderKey, DeviceKeyError> {
        let key = self.create(policy)?;
        if let Err(error) = intent(&key.key_id) {
            if let Err(cleanup) = self.delete(&key.key_id) {
                tracing::warn!(key_id = %key.key_id, %cleanup, "could not delete a platform key whose create could not be recorded");
            }
            return Err(error);
        }
        Ok(key)
    }

    /// The ids of every key this provider holds (of its own classes), for the start-up
    /// reconciliation, which deletes those that have neither a binding nor a pending create.
    /// `None`, the default, when the provider cannot list its keys: nothing of it is deleted
    /// then but the keys of pending creates.
    ///
    /// Only a provider whose [`create_with_intent`](Self::create_with_intent) calls `intent`
    /// before the key exists may list its keys: otherwise a create under way in another process
    /// on the same state could be taken for a leftover.
    fn key_ids(&self) -> Result<Option<Vec<KeyId>>, DeviceKeyError> {
        Ok(None)
    }

    /// Removes what interrupted writes of this provider left behind (temporary files of its own
    /// naming in its own directory, never following a symbolic link), at start-up; how many.
    /// The default has nothing to remove.
    fn remove_leftovers(&self) -> Result<usize, DeviceKeyError> {
        Ok(0)
    }

    /// The provider's attestation of its platform and keys, if it has any: the TPM provider's
    /// (its endorsement key, an attestation key, certifications of its keys). `None`, the
    /// default, for every other provider.
    fn attestation(&self) -> Option<&dyn KeyAttestation> {
        None
    }
}

/// The most bytes of a credential blob [`KeyAttestation::activate_credential`] takes: the
/// largest `TPM2B_ID_OBJECT` contents, `sizeof(TPMS_ID_OBJECT)`, two `TPM2B_DIGEST`s of
/// SHA-512 size (2 + 64 bytes each).
pub const MAX_CREDENTIAL_BLOB_LEN: usize = 2 * (2 + 64);

/// The most bytes of an encrypted secret [`KeyAttestation::activate_credential`] takes:
/// `sizeof(TPMU_ENCRYPTED_SECRET)` of a TPM with RSA 4096 keys (an RSA-OAEP ciphertext of 512
/// bytes; an ECC P-256 EK's point is 68).
pub const MAX_ENCRYPTED_SECRET_LEN: usize = 512;

/// Who the TPM is, for a verifier: the endorsement key (EK) and its certificate, and the
/// attestation key (AK) that certifies device keys. Byte fields are TPM 2.0 structures as the
/// TPM marshals them, without TPM2B size fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TpmIdentity {
    /// The EK certificate (X.509 DER) from the TPM's NV, if it has one.
    pub ek_certificate: Option<Vec<u8>>,
    /// The EK's `TPMT_PUBLIC`.
    pub ek_public: Vec<u8>,
    /// The AK's `TPMT_PUBLIC`.
    pub ak_public: Vec<u8>,
}

/// A device key certified by the attestation key (`TPM2_Certify`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TpmCertification {
    /// The `TPMS_ATTEST` the TPM made and the AK signed (without its size field).
    pub attest: Vec<u8>,
    /// The AK's ECDSA P-256 signature over `attest` (SHA-256), DER.
    pub signature_der: Vec<u8>,
    /// The certified key's `TPMT_PUBLIC` (without its size field): the attested name is its
    /// name.
    pub key_public: Vec<u8>,
    /// The certified key's public key as SubjectPublicKeyInfo DER, read off `key_public`: what
    /// the store compares with the key's recorded public key.
    pub key_spki_der: Vec<u8>,
}

/// Attestation of a hardware provider's platform and keys (the TPM provider's: see
/// `provider::tpm`). Errors use the provider's kinds; a challenge or input the TPM cannot take
/// is refused before anything reaches it.
pub trait KeyAttestation: Send + Sync {
    /// The TPM's EK certificate and EK, and the AK.
    fn identity(&self) -> Result<TpmIdentity, DeviceKeyError>;

    /// Recovers the secret of a credential challenge made for the EK and the AK's name
    /// (`TPM2_ActivateCredential`): `credential_blob` and `encrypted_secret` are the contents
    /// of a `TPM2B_ID_OBJECT` (at most [`MAX_CREDENTIAL_BLOB_LEN`] bytes) and of a
    /// `TPM2B_ENCRYPTED_SECRET` (at most [`MAX_ENCRYPTED_SECRET_LEN`]); larger or empty ones
    /// are invalid params.
    fn activate_credential(
        &self,
        credential_blob: &[u8],
        encrypted_secret: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, DeviceKeyError>;

    /// Has the AK certify the device key `key_id` over `nonce` (`TPM2_Certify`, the nonce as
    /// the attestation's `extraData`); `keyNotFound` for a key this provider does not hold.
    fn certify(&self, key_id: &KeyId, nonce: &[u8; 32])
        -> Result<TpmCertification, DeviceKeyError>;
}

/// The providers of a store, in order of preference for new keys (strongest first).
#[derive(Debug, Clone)]
pub struct ProviderSet {
    providers: Vec<Arc<dyn KeyProvider>>,
}

impl ProviderSet {
    /// Providers in order of preference. A class served by two providers goes to the first.
    pub fn new(providers: Vec<Arc<dyn KeyProvider>>) -> Self {
        ProviderSet { providers }
    }

    /// The provider that holds keys of `class`, if any.
    pub fn for_class(&self, class: DeviceKeyProtectionClass) -> Option<&Arc<dyn KeyProvider>> {
        self.providers
            .iter()
            .find(|provider| provider.protection_classes().contains(&class))
    }

    /// The provider of `key_id`'s class, or `keyNotFound` when no provider serves that class
    /// (no key of that class can exist here).
    pub fn for_key(&self, key_id: &KeyId) -> Result<&Arc<dyn KeyProvider>, DeviceKeyError> {
        self.for_class(key_id.protection_class())
            .ok_or_else(|| not_found(key_id))
    }

    /// The providers, in order of preference.
    pub fn providers(&self) -> &[Arc<dyn KeyProvider>] {
        &self.providers
    }

    /// Creates a key with the first provider that can satisfy `policy`, as
    /// [`create_with_intent`](Self::create_with_intent) does with an `intent` that records
    /// nothing.
    pub fn create(
        &self,
        policy: DeviceKeyProtectionPolicy,
    ) -> Result<(ProviderKey, Arc<dyn KeyProvider>), DeviceKeyError> {
        self.create_with_intent(policy, &mut |_| Ok(()))
    }

    /// Creates a key with the first provider that can satisfy `policy`
    /// ([`KeyProvider::create_with_intent`], `intent` called with the key id each attempt is
    /// about to create).
    ///
    /// Providers none of whose classes the policy allows are skipped. A provider that reports
    /// `hardwareUnavailable` or `degradedProtectionNotAllowed` passes the turn to the next. When
    /// none succeeds the error is `degradedProtectionNotAllowed` if some provider could have made
    /// a key of a class the policy refuses, else `hardwareUnavailable`.
    pub fn create_with_intent(
        &self,
        policy: DeviceKeyProtectionPolicy,
        intent: &mut dyn FnMut(&KeyId) -> Result<(), DeviceKeyError>,
    ) -> Result<(ProviderKey, Arc<dyn KeyProvider>), DeviceKeyError> {
        let mut degraded = false;
        for provider in &self.providers {
            let classes = provider.protection_classes();
            if !classes.iter().any(|&class| policy.allows(class)) {
                degraded |= !classes.is_empty();
                continue;
            }
            match provider.create_with_intent(policy, intent) {
                Ok(key) => {
                    let class = key.key_id.protection_class();
                    if policy.allows(class) && classes.contains(&class) {
                        return Ok((key, Arc::clone(provider)));
                    }
                    // A provider bug: never hand out a key the policy refuses.
                    let _ = provider.delete(&key.key_id);
                    return Err(DeviceKeyError::new(
                        DomainErrorKind::PlatformFailure,
                        format!("provider {} created a {class} key, which policy {policy} does not allow", provider.name()),
                    ));
                }
                Err(error) => match error.kind() {
                    Some(DomainErrorKind::HardwareUnavailable) => {}
                    Some(DomainErrorKind::DegradedProtectionNotAllowed) => degraded = true,
                    _ => return Err(error),
                },
            }
        }
        Err(if degraded {
            DeviceKeyError::new(
                DomainErrorKind::DegradedProtectionNotAllowed,
                format!("this device can only create device keys of a protection class that policy {policy} does not allow"),
            )
        } else {
            DeviceKeyError::new(
                DomainErrorKind::HardwareUnavailable,
                format!("no device key provider on this platform can create a key under policy {policy}"),
            )
        })
    }
}

/// The `keyNotFound` error of `key_id`.
pub fn not_found(key_id: &KeyId) -> DeviceKeyError {
    DeviceKeyError::new(
        DomainErrorKind::KeyNotFound,
        format!("device key not found: {key_id}"),
    )
}

/// `Ok` when `actual` (the public key a provider has for `key_id`) is `expected` (the one
/// recorded when the key was created), else `keyIntegrityFailure`.
pub fn check_public_key(
    key_id: &KeyId,
    expected: &[u8],
    actual: &[u8],
) -> Result<(), DeviceKeyError> {
    if expected == actual {
        return Ok(());
    }
    Err(DeviceKeyError::new(
        DomainErrorKind::KeyIntegrityFailure,
        format!(
            "device key {key_id} is not the key created under this id: its public key differs \
             from the one recorded at create (a replaced or copied key file or TPM blob?); \
             refusing to use it"
        ),
    ))
}
