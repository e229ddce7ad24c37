//! The software provider: P-256 keys generated in process and kept in a [`SecretStore`].
//! Explicit only (class `software`, policy `allow_software`): for development and tests.

use std::sync::Arc;

use zeroize::Zeroizing;

use crate::crypto;
use crate::provider::{check_public_key, not_found, KeyProvider, ProviderKey};
use crate::secret_store::{SecretBytes, SecretStore};
use devicekey_proof::DeviceKeyError;
use devicekey_proof::KeyId;
use devicekey_proof::ProtectionPolicyExt as _;
use devicekey_proof::SignedPayload;
use devicekey_protocol::types::DomainErrorKind;
use devicekey_protocol::types::{DeviceKeyProtectionClass, DeviceKeyProtectionPolicy};

/// Keys of class `software`, each a PKCS#8 secret in the secret store under its key id.
#[derive(Debug, Clone)]
pub struct SoftwareProvider {
    secrets: Arc<dyn SecretStore>,
}

const CLASSES: &[DeviceKeyProtectionClass] = &[DeviceKeyProtectionClass::Software];

impl SoftwareProvider {
    /// A provider keeping its keys in `secrets`.
    pub fn new(secrets: Arc<dyn SecretStore>) -> Self {
        SoftwareProvider { secrets }
    }

    fn signing_key(&self, key_id: &KeyId) -> Result<p256::ecdsa::SigningKey, DeviceKeyError> {
        if key_id.protection_class() != DeviceKeyProtectionClass::Software {
            return Err(not_found(key_id));
        }
        let secret = self.secrets.get(key_id)?.ok_or_else(|| not_found(key_id))?;
        crypto::private_key_from_pkcs8_der(secret.expose())
    }
}

impl KeyProvider for SoftwareProvider {
    fn name(&self) -> &'static str {
        "software"
    }

    fn protection_classes(&self) -> &[DeviceKeyProtectionClass] {
        CLASSES
    }

    fn create(&self, policy: DeviceKeyProtectionPolicy) -> Result<ProviderKey, DeviceKeyError> {
        self.create_with_intent(policy, &mut |_| Ok(()))
    }

    /// The key id is drawn first and handed to `intent` before the secret store holds anything
    /// of the key (not even a temporary file).
    fn create_with_intent(
        &self,
        policy: DeviceKeyProtectionPolicy,
        intent: &mut dyn FnMut(&KeyId) -> Result<(), DeviceKeyError>,
    ) -> Result<ProviderKey, DeviceKeyError> {
        if !policy.allows(DeviceKeyProtectionClass::Software) {
            return Err(DeviceKeyError::new(
                DomainErrorKind::DegradedProtectionNotAllowed,
                format!("software device keys require policy allow_software, not {policy}"),
            ));
        }
        let key = crate::crypto::generate_signing_key()?;
        let public_key_spki_der = devicekey_proof::public_key_spki_der(key.verifying_key())?;
        let key_id = crate::crypto::generate_key_id(DeviceKeyProtectionClass::Software)?;
        let pkcs8: Zeroizing<Vec<u8>> = crypto::private_key_pkcs8_der(&key)?;
        intent(&key_id)?;
        self.secrets.put(&key_id, &SecretBytes::new(pkcs8))?;
        Ok(ProviderKey {
            key_id,
            public_key_spki_der,
        })
    }

    /// The software key ids of the secret store, when it can list them.
    fn key_ids(&self) -> Result<Option<Vec<KeyId>>, DeviceKeyError> {
        Ok(self.secrets.list()?.map(|key_ids| {
            key_ids
                .into_iter()
                .filter(|key_id| key_id.protection_class() == DeviceKeyProtectionClass::Software)
                .collect()
        }))
    }

    fn remove_leftovers(&self) -> Result<usize, DeviceKeyError> {
        self.secrets.remove_leftovers()
    }

    fn public_key(&self, key_id: &KeyId) -> Result<Vec<u8>, DeviceKeyError> {
        devicekey_proof::public_key_spki_der(self.signing_key(key_id)?.verifying_key())
    }

    fn sign(&self, key_id: &KeyId, payload: &SignedPayload) -> Result<Vec<u8>, DeviceKeyError> {
        Ok(crypto::sign_der(
            &self.signing_key(key_id)?,
            payload.as_bytes(),
        ))
    }

    /// One read of the key file: the decoded signing key carries its public key (computed when
    /// it was decoded), so the check costs one SubjectPublicKeyInfo encoding and a comparison.
    fn sign_checked(
        &self,
        key_id: &KeyId,
        payload: &SignedPayload,
        expected_spki_der: &[u8],
    ) -> Result<Vec<u8>, DeviceKeyError> {
        let key = self.signing_key(key_id)?;
        let actual = devicekey_proof::public_key_spki_der(key.verifying_key())?;
        check_public_key(key_id, expected_spki_der, &actual)?;
        Ok(crypto::sign_der(&key, payload.as_bytes()))
    }

    fn delete(&self, key_id: &KeyId) -> Result<bool, DeviceKeyError> {
        if key_id.protection_class() != DeviceKeyProtectionClass::Software {
            return Ok(false);
        }
        self.secrets.delete(key_id)
    }
}
