//! The macOS provider: Secure Enclave keys (and, when the policy allows it, OS-protected
//! non-extractable keys) in the data-protection keychain, through Security.framework.
//!
//! Its decisions live in [`KeychainProvider`]; this module only plugs in the Security.framework
//! implementation of the keychain seam ([`SystemKeychain`]). A binary using it must be signed with
//! a `keychain-access-groups` entitlement (see `docs/macos.md`), else every call fails with
//! `entitlementRequired`.

mod system_keychain;

use std::sync::Arc;

use crate::clock::SystemClock;
use crate::provider::keychain::{KeychainProvider, KeychainProviderOptions, DEFAULT_TAG_PREFIX};
use crate::provider::keychain::{KeychainSecretStore, DEFAULT_SECRET_SERVICE};
use crate::provider::{KeyProvider, ProviderKey};
use devicekey_proof::DeviceKeyError;
use devicekey_proof::KeyId;
use devicekey_proof::SignedPayload;
use devicekey_protocol::types::{DeviceKeyProtectionClass, DeviceKeyProtectionPolicy};

pub use system_keychain::SystemKeychain;

/// Options of the macOS provider.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MacosOptions {
    /// `kSecAttrAccessGroup` of keys and secrets (`TEAMID.dev.devicekey.shared`), when several
    /// signed builds share them; `None` uses the application's default group.
    pub access_group: Option<String>,
    /// Require user presence (Touch ID, watch or password) for each signature; off by default,
    /// as a headless host cannot answer a prompt.
    pub user_presence: bool,
}

/// Device keys in the Secure Enclave, or OS-protected non-extractable keys when the policy
/// allows that class and the Mac has no Secure Enclave.
#[derive(Debug)]
pub struct MacosProvider {
    inner: KeychainProvider<SystemKeychain>,
}

impl MacosProvider {
    /// The provider over the system keychain, tags and labels under [`DEFAULT_TAG_PREFIX`].
    pub fn new(options: MacosOptions) -> MacosProvider {
        Self::with_tag_prefix(options, DEFAULT_TAG_PREFIX)
    }

    /// The provider over the system keychain, tags and labels under `tag_prefix` (reverse DNS).
    pub fn with_tag_prefix(options: MacosOptions, tag_prefix: impl Into<String>) -> MacosProvider {
        let options = KeychainProviderOptions {
            tag_prefix: tag_prefix.into(),
            access_group: options.access_group,
            user_presence: options.user_presence,
        };
        MacosProvider {
            inner: KeychainProvider::new(SystemKeychain, options, Arc::new(SystemClock)),
        }
    }
}

impl KeyProvider for MacosProvider {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn protection_classes(&self) -> &[DeviceKeyProtectionClass] {
        self.inner.protection_classes()
    }

    fn create(&self, policy: DeviceKeyProtectionPolicy) -> Result<ProviderKey, DeviceKeyError> {
        self.inner.create(policy)
    }

    fn public_key(&self, key_id: &KeyId) -> Result<Vec<u8>, DeviceKeyError> {
        self.inner.public_key(key_id)
    }

    fn sign(&self, key_id: &KeyId, payload: &SignedPayload) -> Result<Vec<u8>, DeviceKeyError> {
        self.inner.sign(key_id, payload)
    }

    fn sign_checked(
        &self,
        key_id: &KeyId,
        payload: &SignedPayload,
        expected_spki_der: &[u8],
    ) -> Result<Vec<u8>, DeviceKeyError> {
        self.inner.sign_checked(key_id, payload, expected_spki_der)
    }

    fn delete(&self, key_id: &KeyId) -> Result<bool, DeviceKeyError> {
        self.inner.delete(key_id)
    }
}

/// The software provider's secret store on macOS: the keychain, items shared through
/// `access_group` (with migration from per-build items) when one is given.
pub fn keychain_secret_store(access_group: Option<String>) -> KeychainSecretStore<SystemKeychain> {
    KeychainSecretStore::new(SystemKeychain, DEFAULT_SECRET_SERVICE, access_group)
}
