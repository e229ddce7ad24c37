//! The software provider: P-256 keys generated in process and kept in a [`SecretStore`].
//! Explicit only (class `software`, policy `allow_software`): for development and tests.

use std::sync::Arc;

use zeroize::Zeroizing;

use crate::crypto;
use crate::error::{DeviceKeyError, ErrorKind};
use crate::key_id::KeyId;
use crate::protection::{ProtectionClass, ProtectionPolicy};
use crate::provider::{not_found, KeyProvider, ProviderKey};
use crate::secret_store::{SecretBytes, SecretStore};
use crate::signed_payload::SignedPayload;

/// Keys of class `software`, each a PKCS#8 secret in the secret store under its key id.
#[derive(Debug, Clone)]
pub struct SoftwareProvider {
    secrets: Arc<dyn SecretStore>,
}

const CLASSES: &[ProtectionClass] = &[ProtectionClass::Software];

impl SoftwareProvider {
    /// A provider keeping its keys in `secrets`.
    pub fn new(secrets: Arc<dyn SecretStore>) -> Self {
        SoftwareProvider { secrets }
    }

    fn signing_key(&self, key_id: &KeyId) -> Result<p256::ecdsa::SigningKey, DeviceKeyError> {
        if key_id.protection_class() != ProtectionClass::Software {
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

    fn protection_classes(&self) -> &[ProtectionClass] {
        CLASSES
    }

    fn create(&self, policy: ProtectionPolicy) -> Result<ProviderKey, DeviceKeyError> {
        if !policy.allows(ProtectionClass::Software) {
            return Err(DeviceKeyError::new(
                ErrorKind::DegradedProtectionNotAllowed,
                format!("software device keys require policy allow_software, not {policy}"),
            ));
        }
        let key = crypto::generate_signing_key()?;
        let public_key_spki_der = crypto::public_key_spki_der(key.verifying_key())?;
        let key_id = KeyId::generate(ProtectionClass::Software)?;
        let pkcs8: Zeroizing<Vec<u8>> = crypto::private_key_pkcs8_der(&key)?;
        self.secrets.put(&key_id, &SecretBytes::new(pkcs8))?;
        Ok(ProviderKey {
            key_id,
            public_key_spki_der,
        })
    }

    fn public_key(&self, key_id: &KeyId) -> Result<Vec<u8>, DeviceKeyError> {
        crypto::public_key_spki_der(self.signing_key(key_id)?.verifying_key())
    }

    fn sign(&self, key_id: &KeyId, payload: &SignedPayload) -> Result<Vec<u8>, DeviceKeyError> {
        Ok(crypto::sign_der(
            &self.signing_key(key_id)?,
            payload.as_bytes(),
        ))
    }

    fn delete(&self, key_id: &KeyId) -> Result<bool, DeviceKeyError> {
        if key_id.protection_class() != ProtectionClass::Software {
            return Ok(false);
        }
        self.secrets.delete(key_id)
    }
}
