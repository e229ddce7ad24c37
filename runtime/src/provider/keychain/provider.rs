//! The keychain key provider: Secure Enclave keys by default, the OS-protected non-extractable
//! fallback only when the policy allows it, over any [`Keychain`].

use std::fmt;
use std::sync::Arc;

use p256::ecdsa::{Signature, VerifyingKey};

use crate::clock::Clock;
use crate::provider::{check_public_key, not_found, KeyProvider, ProviderKey};
use devicekey_proof::DeviceKeyError;
use devicekey_proof::KeyId;
use devicekey_proof::ProtectionPolicyExt as _;
use devicekey_proof::SignedPayload;
use devicekey_protocol::types::DomainErrorKind;
use devicekey_protocol::types::{DeviceKeyProtectionClass, DeviceKeyProtectionPolicy};

use super::{
    keychain_error, secure_enclave_unavailable, AccessFlag, Accessibility, KeyAttribute,
    KeyAttributes, Keychain, KeychainOperation, OsStatus, PresenceContexts,
};

/// The default reverse-DNS prefix of application tags and labels.
pub const DEFAULT_TAG_PREFIX: &str = "dev.devicekey";

const CLASSES: &[DeviceKeyProtectionClass] = &[
    DeviceKeyProtectionClass::HardwareSecureEnclave,
    DeviceKeyProtectionClass::OsProtectedNonextractable,
];

/// How a [`KeychainProvider`] names and protects its keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeychainProviderOptions {
    /// Reverse-DNS prefix of application tags and labels.
    pub tag_prefix: String,
    /// `kSecAttrAccessGroup` of the keys, when builds share them.
    pub access_group: Option<String>,
    /// Whether each signature requires user presence.
    pub user_presence: bool,
}

impl Default for KeychainProviderOptions {
    fn default() -> Self {
        KeychainProviderOptions {
            tag_prefix: DEFAULT_TAG_PREFIX.to_owned(),
            access_group: None,
            user_presence: false,
        }
    }
}

/// The application tag and label of a key:
/// `<prefix>.device-key.<secure-enclave|os-protected-nonextractable>.<keyId>`.
pub fn key_tag(prefix: &str, key_id: &KeyId) -> String {
    let class = match key_id.protection_class() {
        DeviceKeyProtectionClass::HardwareSecureEnclave => "secure-enclave",
        DeviceKeyProtectionClass::OsProtectedNonextractable => "os-protected-nonextractable",
        DeviceKeyProtectionClass::HardwareTpm => "tpm",
        DeviceKeyProtectionClass::Software => "software",
    };
    format!("{prefix}.device-key.{class}.{key_id}")
}

/// Keys of class `hardware_secure_enclave` and, when the policy allows it,
/// `os_protected_nonextractable`, held in the data-protection keychain behind `K`.
pub struct KeychainProvider<K: Keychain> {
    keychain: K,
    options: KeychainProviderOptions,
    presence: PresenceContexts<K::AuthContext>,
}

impl<K: Keychain> KeychainProvider<K> {
    /// A provider over `keychain`; `clock` times the reuse of user-presence contexts.
    pub fn new(keychain: K, options: KeychainProviderOptions, clock: Arc<dyn Clock>) -> Self {
        KeychainProvider {
            keychain,
            options,
            presence: PresenceContexts::new(clock),
        }
    }

    /// The keychain underneath.
    pub fn keychain(&self) -> &K {
        &self.keychain
    }

    /// The options.
    pub fn options(&self) -> &KeychainProviderOptions {
        &self.options
    }

    /// The attributes a new key of `key_id`'s class gets. Only a Secure Enclave key carries the
    /// token id and `PrivateKeyUsage`; only the fallback key says `kSecAttrIsExtractable = false`.
    pub fn creation_attributes(&self, key_id: &KeyId) -> KeyAttributes {
        let secure_enclave =
            key_id.protection_class() == DeviceKeyProtectionClass::HardwareSecureEnclave;
        let mut flags = Vec::new();
        if secure_enclave {
            flags.push(AccessFlag::PrivateKeyUsage);
        }
        if self.options.user_presence {
            flags.push(AccessFlag::UserPresence);
        }
        let tag = key_tag(&self.options.tag_prefix, key_id);
        let mut attributes = vec![
            KeyAttribute::KeyTypeEcSecPrimeRandom,
            KeyAttribute::KeySizeInBits(256),
        ];
        if secure_enclave {
            attributes.push(KeyAttribute::TokenSecureEnclave);
        }
        attributes.extend([
            KeyAttribute::Permanent,
            KeyAttribute::DataProtectionKeychain,
            KeyAttribute::AccessControl {
                accessibility: Accessibility::WhenUnlockedThisDeviceOnly,
                flags,
            },
        ]);
        if !secure_enclave {
            attributes.push(KeyAttribute::NonExtractable);
        }
        attributes.push(KeyAttribute::ApplicationTag(tag.clone().into_bytes()));
        attributes.push(KeyAttribute::Label(tag));
        if let Some(group) = &self.options.access_group {
            attributes.push(KeyAttribute::AccessGroup(group.clone()));
        }
        KeyAttributes(attributes)
    }

    /// The query that finds (or deletes) `key_id`'s private key. A fallback key's query requires
    /// `kSecAttrIsExtractable = false`.
    pub fn lookup_query(&self, key_id: &KeyId) -> KeyAttributes {
        let secure_enclave =
            key_id.protection_class() == DeviceKeyProtectionClass::HardwareSecureEnclave;
        let mut query = vec![KeyAttribute::KeyTypeEcSecPrimeRandom];
        if secure_enclave {
            query.push(KeyAttribute::TokenSecureEnclave);
        }
        query.push(KeyAttribute::DataProtectionKeychain);
        if !secure_enclave {
            query.push(KeyAttribute::NonExtractable);
        }
        query.push(KeyAttribute::ApplicationTag(
            key_tag(&self.options.tag_prefix, key_id).into_bytes(),
        ));
        if let Some(group) = &self.options.access_group {
            query.push(KeyAttribute::AccessGroup(group.clone()));
        }
        KeyAttributes(query)
    }

    fn create_of_class(
        &self,
        class: DeviceKeyProtectionClass,
    ) -> Result<ProviderKey, CreateFailure> {
        let key_id = crate::crypto::generate_key_id(class).map_err(CreateFailure::Error)?;
        let key = self
            .keychain
            .create_random_key(&self.creation_attributes(&key_id))
            .map_err(CreateFailure::Status)?;
        let public_key = self
            .keychain
            .public_key_x963(&key)
            .map_err(|status| keychain_error(KeychainOperation::PublicKey, status))
            .and_then(|x963| spki_from_x963(&x963));
        match public_key {
            Ok(public_key_spki_der) => Ok(ProviderKey {
                key_id,
                public_key_spki_der,
            }),
            Err(error) => {
                // Never leave behind a key nobody holds an id for.
                let _ = self.keychain.delete_key(&self.lookup_query(&key_id));
                Err(CreateFailure::Error(error))
            }
        }
    }

    /// The private key of `key_id`, checked: never an extractable key, and a Secure Enclave id
    /// only ever finds a Secure Enclave key.
    fn find(
        &self,
        key_id: &KeyId,
        auth: Option<&K::AuthContext>,
    ) -> Result<K::Key, DeviceKeyError> {
        if !CLASSES.contains(&key_id.protection_class()) {
            return Err(not_found(key_id));
        }
        let found = match self.keychain.find_key(&self.lookup_query(key_id), auth) {
            Ok(found) => found,
            Err(OsStatus::ITEM_NOT_FOUND) => return Err(not_found(key_id)),
            Err(status) => return Err(keychain_error(KeychainOperation::FindKey, status)),
        };
        if found.extractable {
            return Err(DeviceKeyError::new(
                DomainErrorKind::PlatformFailure,
                format!("the macOS Keychain returned an extractable key for {key_id}; refusing to use it"),
            ));
        }
        let expect_secure_enclave =
            key_id.protection_class() == DeviceKeyProtectionClass::HardwareSecureEnclave;
        if found.secure_enclave != expect_secure_enclave {
            return Err(DeviceKeyError::new(
                DomainErrorKind::PlatformFailure,
                format!("the macOS Keychain returned a key of another protection class for {key_id}; refusing to use it"),
            ));
        }
        Ok(found.key)
    }
}

/// Why creating a key of one class failed: a raw status the caller may still interpret
/// (Secure Enclave unavailable), or a final error.
enum CreateFailure {
    Status(OsStatus),
    Error(DeviceKeyError),
}

impl CreateFailure {
    fn into_error(self) -> DeviceKeyError {
        match self {
            CreateFailure::Status(status) => keychain_error(KeychainOperation::CreateKey, status),
            CreateFailure::Error(error) => error,
        }
    }
}

/// SubjectPublicKeyInfo DER of an uncompressed X9.63 P-256 point (`04 || X || Y`).
pub(crate) fn spki_from_x963(x963: &[u8]) -> Result<Vec<u8>, DeviceKeyError> {
    let malformed = || {
        DeviceKeyError::new(
            DomainErrorKind::CryptoFailure,
            "the macOS Keychain returned a public key that is not an uncompressed P-256 point",
        )
    };
    if x963.len() != 65 || x963[0] != 0x04 {
        return Err(malformed());
    }
    let key = VerifyingKey::from_sec1_bytes(x963).map_err(|_| malformed())?;
    devicekey_proof::public_key_spki_der(&key)
}

impl<K: Keychain> fmt::Debug for KeychainProvider<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeychainProvider")
            .field("keychain", &self.keychain)
            .field("options", &self.options)
            .field("presence", &self.presence)
            .finish()
    }
}

impl<K: Keychain> KeyProvider for KeychainProvider<K> {
    fn name(&self) -> &'static str {
        "macos"
    }

    fn protection_classes(&self) -> &[DeviceKeyProtectionClass] {
        CLASSES
    }

    fn create(&self, policy: DeviceKeyProtectionPolicy) -> Result<ProviderKey, DeviceKeyError> {
        let status = match self.create_of_class(DeviceKeyProtectionClass::HardwareSecureEnclave) {
            Ok(key) => return Ok(key),
            Err(CreateFailure::Status(status)) if secure_enclave_unavailable(status) => status,
            Err(failure) => return Err(failure.into_error()),
        };
        let fallback = DeviceKeyProtectionClass::OsProtectedNonextractable;
        if !policy.allows(fallback) {
            return Err(DeviceKeyError::new(
                DomainErrorKind::DegradedProtectionNotAllowed,
                format!("the Secure Enclave is unavailable on this Mac ({status}); only {fallback} keys can be created, which policy {policy} does not allow"),
            ));
        }
        match self.create_of_class(fallback) {
            Ok(key) => Ok(key),
            Err(CreateFailure::Status(status)) if secure_enclave_unavailable(status) => {
                Err(DeviceKeyError::new(
                    DomainErrorKind::HardwareUnavailable,
                    format!("neither the Secure Enclave nor the macOS Keychain can create device keys on this Mac ({status})"),
                ))
            }
            Err(failure) => Err(failure.into_error()),
        }
    }

    fn public_key(&self, key_id: &KeyId) -> Result<Vec<u8>, DeviceKeyError> {
        let key = self.find(key_id, None)?;
        let x963 = self
            .keychain
            .public_key_x963(&key)
            .map_err(|status| keychain_error(KeychainOperation::PublicKey, status))?;
        spki_from_x963(&x963)
    }

    fn sign(&self, key_id: &KeyId, payload: &SignedPayload) -> Result<Vec<u8>, DeviceKeyError> {
        self.sign_after_check(key_id, payload, None)
    }

    /// One lookup: the public key of the key reference found for signing is compared before it
    /// signs (one more keychain call, no second search).
    fn sign_checked(
        &self,
        key_id: &KeyId,
        payload: &SignedPayload,
        expected_spki_der: &[u8],
    ) -> Result<Vec<u8>, DeviceKeyError> {
        self.sign_after_check(key_id, payload, Some(expected_spki_der))
    }

    fn delete(&self, key_id: &KeyId) -> Result<bool, DeviceKeyError> {
        self.delete_key(key_id)
    }
}

impl<K: Keychain> KeychainProvider<K> {
    /// Signs with the key found for `key_id`, after comparing its public key with `expected`
    /// when given.
    fn sign_after_check(
        &self,
        key_id: &KeyId,
        payload: &SignedPayload,
        expected: Option<&[u8]>,
    ) -> Result<Vec<u8>, DeviceKeyError> {
        let auth = if self.options.user_presence {
            Some(
                self.presence
                    .current_or_renew(|| self.keychain.new_auth_context())
                    .map_err(|status| keychain_error(KeychainOperation::AuthContext, status))?,
            )
        } else {
            None
        };
        let key = self.find(key_id, auth.as_deref())?;
        if let Some(expected) = expected {
            let x963 = self
                .keychain
                .public_key_x963(&key)
                .map_err(|status| keychain_error(KeychainOperation::PublicKey, status))?;
            check_public_key(key_id, expected, &spki_from_x963(&x963)?)?;
        }
        let signature = match self
            .keychain
            .sign_message_x962_sha256(&key, payload.as_bytes())
        {
            Ok(signature) => signature,
            Err(status) => {
                if matches!(status, OsStatus::USER_CANCELED | OsStatus::AUTH_FAILED) {
                    // The context holds no successful authentication: prompt afresh next time.
                    self.presence.invalidate();
                }
                return Err(keychain_error(KeychainOperation::Sign, status));
            }
        };
        Signature::from_der(&signature).map_err(|_| {
            DeviceKeyError::new(
                DomainErrorKind::CryptoFailure,
                "the macOS Keychain returned a signature that is not DER-encoded ECDSA P-256",
            )
        })?;
        Ok(signature)
    }

    fn delete_key(&self, key_id: &KeyId) -> Result<bool, DeviceKeyError> {
        if !CLASSES.contains(&key_id.protection_class()) {
            return Ok(false);
        }
        match self.keychain.delete_key(&self.lookup_query(key_id)) {
            Ok(()) => Ok(true),
            Err(OsStatus::ITEM_NOT_FOUND) => Ok(false),
            Err(status) => Err(keychain_error(KeychainOperation::DeleteKey, status)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spki_comes_only_from_uncompressed_p256_points() {
        let key = crate::crypto::generate_signing_key().unwrap();
        let point = key.verifying_key().to_sec1_point(false);
        let spki = spki_from_x963(point.as_bytes()).unwrap();
        assert_eq!(
            spki,
            devicekey_proof::public_key_spki_der(key.verifying_key()).unwrap()
        );

        let compressed = key.verifying_key().to_sec1_point(true);
        let mut off_curve = point.as_bytes().to_vec();
        off_curve[64] ^= 1;
        for bad in [
            compressed.as_bytes(),
            &off_curve,
            &point.as_bytes()[..64],
            &[],
        ] {
            let error = spki_from_x963(bad).unwrap_err();
            assert_eq!(error.kind(), Some(DomainErrorKind::CryptoFailure));
        }
    }

    #[test]
    fn tags_name_the_class_and_the_key_id() {
        let id = KeyId::from_parts(
            DeviceKeyProtectionClass::OsProtectedNonextractable,
            &[0; 32],
        );
        assert_eq!(
            key_tag("dev.devicekey", &id),
            format!("dev.devicekey.device-key.os-protected-nonextractable.{id}")
        );
    }
}
