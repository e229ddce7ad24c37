//! The provider of platforms without device-key hardware: every call fails explicitly with
//! `hardwareUnavailable`, and nothing ever falls back to a weaker class.

use crate::provider::{KeyProvider, ProviderKey};
use devicekey_proof::DeviceKeyError;
use devicekey_proof::KeyId;
use devicekey_proof::SignedPayload;
use devicekey_protocol::types::DomainErrorKind;
use devicekey_protocol::types::{DeviceKeyProtectionClass, DeviceKeyProtectionPolicy};

/// Answers for the platform classes (`hardware_secure_enclave`, `hardware_tpm`,
/// `os_protected_nonextractable`) where no provider for them is built in.
#[derive(Debug, Clone, Copy, Default)]
pub struct UnsupportedProvider;

const CLASSES: &[DeviceKeyProtectionClass] = &[
    DeviceKeyProtectionClass::HardwareSecureEnclave,
    DeviceKeyProtectionClass::HardwareTpm,
    DeviceKeyProtectionClass::OsProtectedNonextractable,
];

fn unavailable() -> DeviceKeyError {
    DeviceKeyError::new(
        DomainErrorKind::HardwareUnavailable,
        "device keys backed by hardware or the operating system are not available on this platform",
    )
}

impl KeyProvider for UnsupportedProvider {
    fn name(&self) -> &'static str {
        "unsupported"
    }

    fn protection_classes(&self) -> &[DeviceKeyProtectionClass] {
        CLASSES
    }

    fn create(&self, _policy: DeviceKeyProtectionPolicy) -> Result<ProviderKey, DeviceKeyError> {
        Err(unavailable())
    }

    fn public_key(&self, _key_id: &KeyId) -> Result<Vec<u8>, DeviceKeyError> {
        Err(unavailable())
    }

    fn sign(&self, _key_id: &KeyId, _payload: &SignedPayload) -> Result<Vec<u8>, DeviceKeyError> {
        Err(unavailable())
    }

    fn delete(&self, _key_id: &KeyId) -> Result<bool, DeviceKeyError> {
        Err(unavailable())
    }
}
