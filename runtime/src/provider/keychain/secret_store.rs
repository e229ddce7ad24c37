//! The secret store of macOS: generic password items in the data-protection keychain, shared
//! between builds through an access group.
//!
//! Migration from the per-build (legacy) item to the shared one, as PROTOCOL.md describes it:
//! reads prefer the item in the shared access group; if only the legacy item exists, it is copied
//! into the shared group (the legacy item stays) and its value returned even if that copy fails;
//! writes go only to the shared item; delete removes both.

use std::fmt;

use super::{keychain_error, Keychain, KeychainOperation, OsStatus, PasswordItem};
use crate::secret_store::{SecretBytes, SecretStore};
use devicekey_proof::DeviceKeyError;
use devicekey_proof::KeyId;
use devicekey_protocol::types::DomainErrorKind;

/// The default `kSecAttrService` of the software provider's secrets.
pub const DEFAULT_SECRET_SERVICE: &str = "dev.devicekey.software-keys";

/// Secrets as generic password items named (service, key id), behind any [`Keychain`].
pub struct KeychainSecretStore<K: Keychain> {
    keychain: K,
    service: String,
    shared_access_group: Option<String>,
}

impl<K: Keychain> KeychainSecretStore<K> {
    /// A store of items with `service`. With `shared_access_group`, items live in that group and
    /// legacy items (in the application's default group) migrate to it; without, every item is
    /// in the default group.
    pub fn new(
        keychain: K,
        service: impl Into<String>,
        shared_access_group: Option<String>,
    ) -> Self {
        KeychainSecretStore {
            keychain,
            service: service.into(),
            shared_access_group,
        }
    }

    /// The keychain underneath.
    pub fn keychain(&self) -> &K {
        &self.keychain
    }

    /// The item writes go to: in the shared group when one is configured.
    pub fn shared_item(&self, key_id: &KeyId) -> PasswordItem {
        PasswordItem {
            service: self.service.clone(),
            account: key_id.to_string(),
            access_group: self.shared_access_group.clone(),
        }
    }

    /// The item of builds before the shared group: no access group (the default one). `None`
    /// when no shared group is configured, as then the shared item is that item.
    pub fn legacy_item(&self, key_id: &KeyId) -> Option<PasswordItem> {
        self.shared_access_group.as_ref().map(|_| PasswordItem {
            service: self.service.clone(),
            account: key_id.to_string(),
            access_group: None,
        })
    }

    fn read(&self, item: &PasswordItem) -> Result<Option<SecretBytes>, DeviceKeyError> {
        match self.keychain.get_password(item) {
            Ok(secret) => Ok(Some(SecretBytes::new(secret))),
            Err(OsStatus::ITEM_NOT_FOUND) => Ok(None),
            Err(status) => Err(keychain_error(KeychainOperation::ReadSecret, status)),
        }
    }

    fn remove(&self, item: &PasswordItem) -> Result<bool, DeviceKeyError> {
        match self.keychain.delete_password(item) {
            Ok(()) => Ok(true),
            Err(OsStatus::ITEM_NOT_FOUND) => Ok(false),
            Err(status) => Err(keychain_error(KeychainOperation::DeleteSecret, status)),
        }
    }
}

impl<K: Keychain> fmt::Debug for KeychainSecretStore<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeychainSecretStore")
            .field("keychain", &self.keychain)
            .field("service", &self.service)
            .field("shared_access_group", &self.shared_access_group)
            .finish()
    }
}

impl<K: Keychain> SecretStore for KeychainSecretStore<K> {
    fn put(&self, key_id: &KeyId, secret: &SecretBytes) -> Result<(), DeviceKeyError> {
        match self
            .keychain
            .add_password(&self.shared_item(key_id), secret.expose())
        {
            Ok(()) => Ok(()),
            Err(OsStatus::DUPLICATE_ITEM) => Err(DeviceKeyError::new(
                DomainErrorKind::PlatformFailure,
                format!("secret store already holds a secret for {key_id}"),
            )),
            Err(status) => Err(keychain_error(KeychainOperation::WriteSecret, status)),
        }
    }

    fn get(&self, key_id: &KeyId) -> Result<Option<SecretBytes>, DeviceKeyError> {
        let shared = self.shared_item(key_id);
        if let Some(secret) = self.read(&shared)? {
            return Ok(Some(secret));
        }
        let Some(legacy) = self.legacy_item(key_id) else {
            return Ok(None);
        };
        let Some(secret) = self.read(&legacy)? else {
            return Ok(None);
        };
        // Backfill the shared item; the legacy item stays for builds that still read it. A
        // failed copy is retried on the next read and never hides the secret.
        if let Err(status) = self.keychain.add_password(&shared, secret.expose()) {
            tracing::warn!(%key_id, %status, "could not copy a legacy keychain secret into the shared access group");
        }
        Ok(Some(secret))
    }

    fn delete(&self, key_id: &KeyId) -> Result<bool, DeviceKeyError> {
        let shared = self.remove(&self.shared_item(key_id));
        let legacy = match self.legacy_item(key_id) {
            Some(item) => self.remove(&item),
            None => Ok(false),
        };
        Ok(shared? | legacy?)
    }
}
