//! The macOS provider against the real Security.framework: only a Mac runs these. Creating a
//! persistent key in the data-protection keychain needs a binary signed with a
//! `keychain-access-groups` entitlement; unsigned test binaries get `entitlementRequired`, which
//! is itself what the first test checks.

use std::sync::Arc;

use devicekey_proof::SignedPayload;
use devicekey_protocol::types::{
    DeviceKeyProtectionClass, DeviceKeyProtectionPolicy, DomainErrorKind,
};
use devicekey_runtime::provider::keychain::{
    secure_enclave_unavailable, AccessFlag, Accessibility, KeyAttribute, KeyAttributes,
    Keychain as _, KeychainProvider, KeychainProviderOptions, ENTITLEMENT_MESSAGE,
};
use devicekey_runtime::provider::macos::{
    keychain_secret_store, MacosOptions, MacosProvider, SystemKeychain,
};
use devicekey_runtime::{
    KeyProvider as _, KeychainSecretStore, SecretBytes, SecretStore as _, SystemClock,
};
use zeroize::Zeroizing;

use crate::support::*;

fn provider() -> MacosProvider {
    MacosProvider::with_tag_prefix(MacosOptions::default(), "dev.devicekey.tests")
}

/// An unsigned test binary: creation fails with the entitlement error, never with "hardware
/// unavailable", and never falls back to a weaker class.
#[test]
fn unsigned_binaries_get_the_entitlement_error_or_a_key() {
    let provider = provider();
    match provider.create(DeviceKeyProtectionPolicy::AllowOsProtectedNonextractable) {
        Err(error) => {
            assert_eq!(
                error.kind(),
                Some(DomainErrorKind::EntitlementRequired),
                "{error}"
            );
            assert_eq!(error.message(), ENTITLEMENT_MESSAGE);
        }
        // A signed test binary (see docs/macos.md) gets a key; clean it up.
        Ok(key) => assert!(provider.delete(&key.key_id).unwrap()),
    }
}

#[test]
fn unknown_keys_are_not_found() {
    let provider = provider();
    for class in [
        DeviceKeyProtectionClass::HardwareSecureEnclave,
        DeviceKeyProtectionClass::OsProtectedNonextractable,
    ] {
        let key_id = devicekey_runtime::generate_key_id(class).unwrap();
        match provider.public_key(&key_id) {
            Err(error) => assert!(
                matches!(
                    error.kind(),
                    Some(DomainErrorKind::KeyNotFound | DomainErrorKind::EntitlementRequired)
                ),
                "{error}"
            ),
            Ok(_) => panic!("a fresh key id has a key"),
        }
    }
}

/// Needs a signed binary with the `keychain-access-groups` entitlement (docs/macos.md).
#[test]
#[ignore = "needs a test binary signed with a keychain-access-groups entitlement (docs/macos.md)"]
fn secure_enclave_keys_sign_and_delete() {
    let provider = provider();
    let key = provider
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();
    assert_eq!(
        key.key_id.protection_class(),
        DeviceKeyProtectionClass::HardwareSecureEnclave
    );
    let signed = SignedPayload::from_json(connection_payload()).unwrap();
    let signature = provider.sign(&key.key_id, &signed).unwrap();
    assert_eq!(
        devicekey_proof::verify_der(&key.public_key_spki_der, signed.as_bytes(), &signature),
        Ok(())
    );
    assert_eq!(
        provider.public_key(&key.key_id).unwrap(),
        key.public_key_spki_der
    );
    assert!(provider.delete(&key.key_id).unwrap());
    assert_eq!(
        provider.public_key(&key.key_id).unwrap_err().kind(),
        Some(DomainErrorKind::KeyNotFound)
    );
}

/// Needs a signed binary with the `keychain-access-groups` entitlement (docs/macos.md).
#[test]
#[ignore = "needs a test binary signed with a keychain-access-groups entitlement (docs/macos.md)"]
fn keychain_secrets_round_trip() {
    let store: KeychainSecretStore<SystemKeychain> =
        keychain_secret_store(std::env::var("DEVICEKEY_TEST_ACCESS_GROUP").ok());
    let key_id = devicekey_runtime::generate_key_id(DeviceKeyProtectionClass::Software).unwrap();
    store
        .put(
            &key_id,
            &SecretBytes::new(Zeroizing::new(b"secret".to_vec())),
        )
        .unwrap();
    assert_eq!(store.get(&key_id).unwrap().unwrap().expose(), b"secret");
    assert!(store.delete(&key_id).unwrap());
    assert_eq!(store.get(&key_id).unwrap(), None);
}

/// The binding's conversions (attribute dictionary, X9.63 public key, signature algorithm) on a
/// key that never touches the keychain, so no entitlement is needed.
#[test]
fn ephemeral_keys_sign_verifiable_signatures() {
    let signed = SignedPayload::from_json(connection_payload()).unwrap();
    let plain = KeyAttributes(vec![
        KeyAttribute::KeyTypeEcSecPrimeRandom,
        KeyAttribute::KeySizeInBits(256),
    ]);
    let enclave = KeyAttributes(vec![
        KeyAttribute::KeyTypeEcSecPrimeRandom,
        KeyAttribute::KeySizeInBits(256),
        KeyAttribute::TokenSecureEnclave,
        KeyAttribute::AccessControl {
            accessibility: Accessibility::WhenUnlockedThisDeviceOnly,
            flags: vec![AccessFlag::PrivateKeyUsage],
        },
    ]);
    for attributes in [plain, enclave] {
        let key = match SystemKeychain.create_random_key(&attributes) {
            Ok(key) => key,
            // A virtual Mac (CI runners) has no Secure Enclave.
            Err(status) if attributes.contains(&KeyAttribute::TokenSecureEnclave) => {
                assert!(secure_enclave_unavailable(status), "{status}");
                eprintln!("no Secure Enclave here ({status})");
                continue;
            }
            Err(status) => panic!("creating an ephemeral key failed: {status}"),
        };
        let x963 = SystemKeychain.public_key_x963(&key).unwrap();
        assert_eq!((x963.len(), x963[0]), (65, 0x04));
        let point = p256::ecdsa::VerifyingKey::from_sec1_bytes(&x963).unwrap();
        let spki = devicekey_proof::public_key_spki_der(&point).unwrap();
        let signature = SystemKeychain
            .sign_message_x962_sha256(&key, signed.as_bytes())
            .unwrap();
        assert_eq!(
            devicekey_proof::verify_der(&spki, signed.as_bytes(), &signature),
            Ok(())
        );
    }
}

/// The OS-protected fallback key exactly as an Intel Mac would create it (no `PrivateKeyUsage`),
/// made directly so that Apple silicon exercises it too.
#[test]
#[ignore = "needs a test binary signed with a keychain-access-groups entitlement (docs/macos.md)"]
fn fallback_keys_work_in_the_data_protection_keychain() {
    let provider = KeychainProvider::new(
        SystemKeychain,
        KeychainProviderOptions {
            tag_prefix: "dev.devicekey.tests".to_owned(),
            ..KeychainProviderOptions::default()
        },
        Arc::new(SystemClock),
    );
    let key_id =
        devicekey_runtime::generate_key_id(DeviceKeyProtectionClass::OsProtectedNonextractable)
            .unwrap();
    let attributes = provider.creation_attributes(&key_id);
    assert!(attributes.contains(&KeyAttribute::NonExtractable));
    SystemKeychain.create_random_key(&attributes).unwrap();
    let spki = provider.public_key(&key_id).unwrap();
    let signed = SignedPayload::from_json(connection_payload()).unwrap();
    let signature = provider.sign(&key_id, &signed).unwrap();
    assert_eq!(
        devicekey_proof::verify_der(&spki, signed.as_bytes(), &signature),
        Ok(())
    );
    assert!(provider.delete(&key_id).unwrap());
    assert!(!provider.delete(&key_id).unwrap());
}
