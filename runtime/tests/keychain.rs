//! The macOS provider's decisions and the keychain secret store's migration, against the
//! in-memory keychain: attributes per class, fallback, OSStatus mapping, lookups, user presence.

use std::sync::Arc;

use devicekey_proof::{verify_der, KeyId, SignedPayload};
use devicekey_protocol::types::{
    DeviceKeyProtectionClass, DeviceKeyProtectionPolicy, DomainErrorKind,
};
use devicekey_runtime::provider::keychain::fake::{
    FakeCall, FakeKeychain, FakeOperation, FAKE_DEFAULT_ACCESS_GROUP,
};
use devicekey_runtime::provider::keychain::{
    key_tag, AccessFlag, Accessibility, KeyAttribute, KeyAttributes, KeychainProvider,
    KeychainProviderOptions, OsStatus, PasswordItem, ENTITLEMENT_MESSAGE, PRESENCE_REUSE_SECONDS,
};
use devicekey_runtime::{
    KeyProvider, KeychainSecretStore, ManualClock, ProviderSet, SecretBytes, SecretStore as _,
};
use zeroize::Zeroizing;

use crate::support::*;

const SHARED_GROUP: &str = "TEAMID.dev.devicekey.shared";

fn provider_with(
    keychain: FakeKeychain,
    options: KeychainProviderOptions,
) -> (KeychainProvider<FakeKeychain>, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(NOW));
    (
        KeychainProvider::new(keychain, options, clock.clone()),
        clock,
    )
}

fn provider(keychain: FakeKeychain) -> KeychainProvider<FakeKeychain> {
    provider_with(keychain, KeychainProviderOptions::default()).0
}

fn payload() -> SignedPayload {
    SignedPayload::from_json(connection_payload()).unwrap()
}

fn created_attributes(keychain: &FakeKeychain) -> Vec<KeyAttributes> {
    keychain
        .calls()
        .into_iter()
        .filter_map(|call| match call {
            FakeCall::CreateKey(attributes) => Some(attributes),
            _ => None,
        })
        .collect()
}

fn find_queries(keychain: &FakeKeychain) -> Vec<(KeyAttributes, Option<u64>)> {
    keychain
        .calls()
        .into_iter()
        .filter_map(|call| match call {
            FakeCall::FindKey { query, auth } => Some((query, auth)),
            _ => None,
        })
        .collect()
}

// ---- attributes of each class ------------------------------------------------------------

#[test]
fn secure_enclave_keys_get_token_private_key_usage_and_the_keychain_attributes() {
    let provider = provider(FakeKeychain::new());
    let key = provider
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();
    assert_eq!(
        key.key_id.protection_class(),
        DeviceKeyProtectionClass::HardwareSecureEnclave
    );
    let tag = format!("dev.devicekey.device-key.secure-enclave.{}", key.key_id);
    assert_eq!(key_tag("dev.devicekey", &key.key_id), tag);
    assert_eq!(
        created_attributes(provider.keychain()),
        vec![KeyAttributes(vec![
            KeyAttribute::KeyTypeEcSecPrimeRandom,
            KeyAttribute::KeySizeInBits(256),
            KeyAttribute::TokenSecureEnclave,
            KeyAttribute::Permanent,
            KeyAttribute::DataProtectionKeychain,
            KeyAttribute::AccessControl {
                accessibility: Accessibility::WhenUnlockedThisDeviceOnly,
                flags: vec![AccessFlag::PrivateKeyUsage],
            },
            KeyAttribute::ApplicationTag(tag.clone().into_bytes()),
            KeyAttribute::Label(tag),
        ])]
    );
}

#[test]
fn fallback_keys_are_non_extractable_without_token_or_private_key_usage() {
    let provider = provider(FakeKeychain::without_secure_enclave(
        OsStatus::UNIMPLEMENTED,
    ));
    let key = provider
        .create(DeviceKeyProtectionPolicy::AllowOsProtectedNonextractable)
        .unwrap();
    assert_eq!(
        key.key_id.protection_class(),
        DeviceKeyProtectionClass::OsProtectedNonextractable
    );
    let created = created_attributes(provider.keychain());
    assert_eq!(
        created.len(),
        2,
        "first the Secure Enclave, then the fallback"
    );
    let fallback = &created[1];
    let tag = format!(
        "dev.devicekey.device-key.os-protected-nonextractable.{}",
        key.key_id
    );
    assert_eq!(
        *fallback,
        KeyAttributes(vec![
            KeyAttribute::KeyTypeEcSecPrimeRandom,
            KeyAttribute::KeySizeInBits(256),
            KeyAttribute::Permanent,
            KeyAttribute::DataProtectionKeychain,
            KeyAttribute::AccessControl {
                accessibility: Accessibility::WhenUnlockedThisDeviceOnly,
                flags: vec![],
            },
            KeyAttribute::NonExtractable,
            KeyAttribute::ApplicationTag(tag.clone().into_bytes()),
            KeyAttribute::Label(tag),
        ])
    );
    assert!(!fallback.contains(&KeyAttribute::TokenSecureEnclave));
    assert_eq!(fallback.access_flags(), Some(&[][..]));
}

#[test]
fn prefix_access_group_and_user_presence_reach_the_attributes() {
    let options = KeychainProviderOptions {
        tag_prefix: "com.example.app".to_owned(),
        access_group: Some(SHARED_GROUP.to_owned()),
        user_presence: true,
    };
    let (provider, _) = provider_with(
        FakeKeychain::without_secure_enclave(OsStatus::PARAM),
        options,
    );
    let key = provider
        .create(DeviceKeyProtectionPolicy::AllowSoftware)
        .unwrap();
    let created = created_attributes(provider.keychain());
    assert_eq!(
        created[0].access_flags(),
        Some(&[AccessFlag::PrivateKeyUsage, AccessFlag::UserPresence][..])
    );
    assert_eq!(
        created[1].access_flags(),
        Some(&[AccessFlag::UserPresence][..])
    );
    for attributes in &created {
        assert!(attributes.contains(&KeyAttribute::AccessGroup(SHARED_GROUP.to_owned())));
    }
    assert_eq!(
        created[1].application_tag().unwrap(),
        format!(
            "com.example.app.device-key.os-protected-nonextractable.{}",
            key.key_id
        )
        .as_bytes()
    );
}

// ---- when the fallback runs ----------------------------------------------------------------

#[test]
fn secure_enclave_unavailable_falls_back_only_when_the_policy_allows_it() {
    for status in [OsStatus::UNIMPLEMENTED, OsStatus::PARAM] {
        for policy in [
            DeviceKeyProtectionPolicy::AllowOsProtectedNonextractable,
            DeviceKeyProtectionPolicy::AllowSoftware,
        ] {
            let provider = provider(FakeKeychain::without_secure_enclave(status));
            let key = provider.create(policy).unwrap();
            assert_eq!(
                key.key_id.protection_class(),
                DeviceKeyProtectionClass::OsProtectedNonextractable
            );
            assert_eq!(provider.keychain().keys().len(), 1);
        }
        let provider = provider(FakeKeychain::without_secure_enclave(status));
        let error = provider
            .create(DeviceKeyProtectionPolicy::HardwareOnly)
            .unwrap_err();
        assert_eq!(
            error.kind(),
            Some(DomainErrorKind::DegradedProtectionNotAllowed),
            "{error}"
        );
        assert!(error.message().contains(&status.to_string()), "{error}");
        assert_eq!(
            created_attributes(provider.keychain()).len(),
            1,
            "no fallback attempt"
        );
        assert!(provider.keychain().keys().is_empty());
    }
}

#[test]
fn provider_set_reports_degraded_protection_for_hardware_only_without_a_secure_enclave() {
    let provider: Arc<dyn KeyProvider> = Arc::new(provider(FakeKeychain::without_secure_enclave(
        OsStatus::UNIMPLEMENTED,
    )));
    let set = ProviderSet::new(vec![provider]);
    let error = set
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap_err();
    assert_eq!(
        error.kind(),
        Some(DomainErrorKind::DegradedProtectionNotAllowed)
    );
    let (key, _) = set
        .create(DeviceKeyProtectionPolicy::AllowOsProtectedNonextractable)
        .unwrap();
    assert_eq!(
        key.key_id.protection_class(),
        DeviceKeyProtectionClass::OsProtectedNonextractable
    );
}

#[test]
fn missing_entitlement_is_its_own_error_and_never_falls_back() {
    for policy in DeviceKeyProtectionPolicy::ALL {
        let keychain = FakeKeychain::new();
        keychain.fail_next(FakeOperation::CreateKey, OsStatus::MISSING_ENTITLEMENT);
        let provider = provider(keychain);
        let error = provider.create(policy).unwrap_err();
        assert_eq!(error.kind(), Some(DomainErrorKind::EntitlementRequired));
        assert_eq!(error.message(), ENTITLEMENT_MESSAGE);
        assert_eq!(
            error.message(),
            "macOS Keychain entitlements are required to create persistent device keys"
        );
        assert_eq!(
            created_attributes(provider.keychain()).len(),
            1,
            "{policy}: no fallback"
        );
    }
    // The same on the fallback itself.
    let keychain = FakeKeychain::without_secure_enclave(OsStatus::UNIMPLEMENTED);
    keychain.fail_next(FakeOperation::CreateKey, OsStatus::MISSING_ENTITLEMENT);
    let error = provider(keychain)
        .create(DeviceKeyProtectionPolicy::AllowOsProtectedNonextractable)
        .unwrap_err();
    assert_eq!(error.kind(), Some(DomainErrorKind::EntitlementRequired));
}

#[test]
fn other_secure_enclave_failures_are_not_unavailability() {
    for status in [
        OsStatus::AUTH_FAILED,
        OsStatus::INTERACTION_NOT_ALLOWED,
        OsStatus(-67671),
    ] {
        let keychain = FakeKeychain::new();
        keychain.fail_next(FakeOperation::CreateKey, status);
        let provider = provider(keychain);
        let error = provider
            .create(DeviceKeyProtectionPolicy::AllowSoftware)
            .unwrap_err();
        assert_eq!(
            error.kind(),
            Some(DomainErrorKind::PlatformFailure),
            "{status}"
        );
        assert!(error.message().contains(&status.to_string()), "{error}");
        assert_eq!(
            created_attributes(provider.keychain()).len(),
            1,
            "no fallback on {status}"
        );
    }
}

#[test]
fn fallback_unavailable_too_is_hardware_unavailable() {
    let keychain = FakeKeychain::without_secure_enclave(OsStatus::UNIMPLEMENTED);
    keychain.fail_next(FakeOperation::CreateKey, OsStatus::UNIMPLEMENTED);
    keychain.fail_next(FakeOperation::CreateKey, OsStatus::UNIMPLEMENTED);
    let error = provider(keychain)
        .create(DeviceKeyProtectionPolicy::AllowOsProtectedNonextractable)
        .unwrap_err();
    assert_eq!(error.kind(), Some(DomainErrorKind::HardwareUnavailable));
}

#[test]
fn a_public_key_failure_after_creation_deletes_the_new_key() {
    let keychain = FakeKeychain::new();
    keychain.fail_next(FakeOperation::PublicKey, OsStatus(-26276));
    let provider = provider(keychain);
    let error = provider
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap_err();
    assert_eq!(error.kind(), Some(DomainErrorKind::PlatformFailure));
    assert!(
        provider.keychain().keys().is_empty(),
        "the orphan key was deleted"
    );
}

// ---- OSStatus mapping ----------------------------------------------------------------------

#[test]
fn each_handled_status_maps_to_its_error() {
    let provider = provider(FakeKeychain::new());
    let key = provider
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();
    let cases = [
        (
            OsStatus::MISSING_ENTITLEMENT,
            DomainErrorKind::EntitlementRequired,
            "entitlements are required",
        ),
        (
            OsStatus::USER_CANCELED,
            DomainErrorKind::PlatformFailure,
            "canceled",
        ),
        (
            OsStatus::AUTH_FAILED,
            DomainErrorKind::PlatformFailure,
            "authentication failed",
        ),
        (
            OsStatus::INTERACTION_NOT_ALLOWED,
            DomainErrorKind::PlatformFailure,
            "locked",
        ),
        (
            OsStatus(-99),
            DomainErrorKind::PlatformFailure,
            "OSStatus -99",
        ),
    ];
    for (status, kind, text) in cases {
        let kind = Some(kind);
        provider.keychain().fail_next(FakeOperation::Sign, status);
        let error = provider.sign(&key.key_id, &payload()).unwrap_err();
        assert_eq!(error.kind(), kind, "{status}");
        assert!(error.message().contains(text), "{status}: {error}");
        provider
            .keychain()
            .fail_next(FakeOperation::FindKey, status);
        assert_eq!(provider.public_key(&key.key_id).unwrap_err().kind(), kind);
        provider
            .keychain()
            .fail_next(FakeOperation::DeleteKey, status);
        assert_eq!(provider.delete(&key.key_id).unwrap_err().kind(), kind);
    }
    // errSecItemNotFound is "key not found", never a platform failure.
    provider
        .keychain()
        .fail_next(FakeOperation::FindKey, OsStatus::ITEM_NOT_FOUND);
    assert_eq!(
        provider.public_key(&key.key_id).unwrap_err().kind(),
        Some(DomainErrorKind::KeyNotFound)
    );
}

// ---- lookups -------------------------------------------------------------------------------

#[test]
fn fallback_lookups_require_non_extractable_and_secure_enclave_lookups_the_token() {
    let provider = provider(FakeKeychain::without_secure_enclave(
        OsStatus::UNIMPLEMENTED,
    ));
    let fallback = provider
        .create(DeviceKeyProtectionPolicy::AllowOsProtectedNonextractable)
        .unwrap();
    provider.public_key(&fallback.key_id).unwrap();
    provider.sign(&fallback.key_id, &payload()).unwrap();
    let queries = find_queries(provider.keychain());
    assert_eq!(queries.len(), 2);
    for (query, auth) in &queries {
        assert!(query.contains(&KeyAttribute::NonExtractable));
        assert!(query.contains(&KeyAttribute::DataProtectionKeychain));
        assert!(!query.contains(&KeyAttribute::TokenSecureEnclave));
        assert_eq!(auth, &None);
    }

    let provider = self::provider(FakeKeychain::new());
    let key = provider
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();
    provider.public_key(&key.key_id).unwrap();
    let (query, _) = &find_queries(provider.keychain())[0];
    assert!(query.contains(&KeyAttribute::TokenSecureEnclave));
    assert_eq!(
        query.application_tag().unwrap(),
        key_tag("dev.devicekey", &key.key_id).as_bytes()
    );
}

#[test]
fn an_extractable_key_from_a_lookup_is_refused() {
    for policy_and_keychain in [
        (
            DeviceKeyProtectionPolicy::AllowOsProtectedNonextractable,
            FakeKeychain::without_secure_enclave(OsStatus::UNIMPLEMENTED),
        ),
        (DeviceKeyProtectionPolicy::HardwareOnly, FakeKeychain::new()),
    ] {
        let (policy, keychain) = policy_and_keychain;
        let provider = provider(keychain);
        let key = provider.create(policy).unwrap();
        provider.keychain().report_extractable();
        let error = provider.sign(&key.key_id, &payload()).unwrap_err();
        assert_eq!(error.kind(), Some(DomainErrorKind::PlatformFailure));
        assert!(error.message().contains("extractable"), "{error}");
        assert!(provider.public_key(&key.key_id).is_err());
        assert!(
            !provider.keychain().calls().contains(&FakeCall::Sign),
            "never signed"
        );
    }
}

#[test]
fn a_key_planted_without_non_extractable_is_never_found_under_a_fallback_id() {
    let provider = provider(FakeKeychain::new());
    let key_id =
        devicekey_runtime::generate_key_id(DeviceKeyProtectionClass::OsProtectedNonextractable)
            .unwrap();
    let tag = key_tag("dev.devicekey", &key_id);
    provider.keychain().insert_key(KeyAttributes(vec![
        KeyAttribute::KeyTypeEcSecPrimeRandom,
        KeyAttribute::DataProtectionKeychain,
        KeyAttribute::ApplicationTag(tag.into_bytes()),
    ]));
    assert_eq!(
        provider.public_key(&key_id).unwrap_err().kind(),
        Some(DomainErrorKind::KeyNotFound)
    );
    assert_eq!(
        provider.sign(&key_id, &payload()).unwrap_err().kind(),
        Some(DomainErrorKind::KeyNotFound)
    );
}

#[test]
fn ids_of_other_classes_never_reach_the_keychain() {
    let provider = provider(FakeKeychain::new());
    for class in [
        DeviceKeyProtectionClass::HardwareTpm,
        DeviceKeyProtectionClass::Software,
    ] {
        let key_id = devicekey_runtime::generate_key_id(class).unwrap();
        assert_eq!(
            provider.public_key(&key_id).unwrap_err().kind(),
            Some(DomainErrorKind::KeyNotFound)
        );
        assert!(!provider.delete(&key_id).unwrap());
    }
    assert!(provider.keychain().calls().is_empty());
}

// ---- signatures, public keys, delete -------------------------------------------------------

#[test]
fn signatures_verify_against_the_spki_public_key() {
    for keychain in [
        FakeKeychain::new(),
        FakeKeychain::without_secure_enclave(OsStatus::PARAM),
    ] {
        let provider = provider(keychain);
        let key = provider
            .create(DeviceKeyProtectionPolicy::AllowOsProtectedNonextractable)
            .unwrap();
        let spki = provider.public_key(&key.key_id).unwrap();
        assert_eq!(spki, key.public_key_spki_der);
        assert_eq!(spki.len(), 91, "P-256 SubjectPublicKeyInfo DER");
        let signed = payload();
        let signature = provider.sign(&key.key_id, &signed).unwrap();
        assert_eq!(verify_der(&spki, signed.as_bytes(), &signature), Ok(()));
    }
}

#[test]
fn delete_removes_the_key() {
    let provider = provider(FakeKeychain::new());
    let key = provider
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();
    let other = provider
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();
    assert!(provider.delete(&key.key_id).unwrap());
    assert!(!provider.delete(&key.key_id).unwrap());
    assert_eq!(
        provider.public_key(&key.key_id).unwrap_err().kind(),
        Some(DomainErrorKind::KeyNotFound)
    );
    assert_eq!(provider.keychain().keys().len(), 1);
    provider.public_key(&other.key_id).unwrap();
}

// ---- user presence -------------------------------------------------------------------------

#[test]
fn user_presence_reuses_one_context_for_300_seconds_then_renews() {
    let options = KeychainProviderOptions {
        user_presence: true,
        ..KeychainProviderOptions::default()
    };
    let (provider, clock) = provider_with(FakeKeychain::new(), options);
    let key = provider
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();
    let sign_at = |offset: i64| {
        clock.set(NOW + offset);
        provider.sign(&key.key_id, &payload()).unwrap();
        find_queries(provider.keychain()).last().unwrap().1
    };
    assert_eq!(sign_at(0), Some(1));
    assert_eq!(sign_at(1), Some(1));
    assert_eq!(sign_at(PRESENCE_REUSE_SECONDS - 1), Some(1));
    assert_eq!(
        sign_at(PRESENCE_REUSE_SECONDS),
        Some(2),
        "renewed after 300 s"
    );
    assert_eq!(sign_at(PRESENCE_REUSE_SECONDS + 10), Some(2));
    assert_eq!(sign_at(10), Some(3), "a clock that went back renews");
    let contexts = provider
        .keychain()
        .calls()
        .into_iter()
        .filter(|call| matches!(call, FakeCall::NewAuthContext(_)))
        .count();
    assert_eq!(contexts, 3);
}

#[test]
fn a_canceled_prompt_drops_the_context() {
    let options = KeychainProviderOptions {
        user_presence: true,
        ..KeychainProviderOptions::default()
    };
    let (provider, _) = provider_with(FakeKeychain::new(), options);
    let key = provider
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();
    provider
        .keychain()
        .fail_next(FakeOperation::Sign, OsStatus::USER_CANCELED);
    assert!(provider.sign(&key.key_id, &payload()).is_err());
    provider.sign(&key.key_id, &payload()).unwrap();
    let auths: Vec<_> = find_queries(provider.keychain())
        .into_iter()
        .map(|(_, auth)| auth)
        .collect();
    assert_eq!(auths, vec![Some(1), Some(2)]);
}

#[test]
fn without_user_presence_no_context_is_made() {
    let provider = provider(FakeKeychain::new());
    let key = provider
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();
    provider.sign(&key.key_id, &payload()).unwrap();
    assert!(find_queries(provider.keychain())
        .iter()
        .all(|(_, auth)| auth.is_none()));
    assert!(!provider
        .keychain()
        .calls()
        .iter()
        .any(|call| matches!(call, FakeCall::NewAuthContext(_))));
}

// ---- the keychain secret store and its migration -------------------------------------------

const SERVICE: &str = "dev.devicekey.software-keys";

fn secret(bytes: &[u8]) -> SecretBytes {
    SecretBytes::new(Zeroizing::new(bytes.to_vec()))
}

fn store() -> (KeychainSecretStore<FakeKeychain>, KeyId) {
    let store =
        KeychainSecretStore::new(FakeKeychain::new(), SERVICE, Some(SHARED_GROUP.to_owned()));
    (
        store,
        devicekey_runtime::generate_key_id(DeviceKeyProtectionClass::Software).unwrap(),
    )
}

fn item(key_id: &KeyId, group: Option<&str>) -> PasswordItem {
    PasswordItem {
        service: SERVICE.to_owned(),
        account: key_id.to_string(),
        access_group: group.map(str::to_owned),
    }
}

#[test]
fn the_shared_item_is_preferred() {
    let (store, id) = store();
    store
        .keychain()
        .insert_password(&item(&id, None), b"legacy");
    store
        .keychain()
        .insert_password(&item(&id, Some(SHARED_GROUP)), b"shared");
    assert_eq!(store.get(&id).unwrap().unwrap().expose(), b"shared");
    assert_eq!(
        store.keychain().calls(),
        vec![FakeCall::GetPassword(item(&id, Some(SHARED_GROUP)))]
    );
}

#[test]
fn a_legacy_only_item_is_copied_to_the_shared_group_and_kept() {
    let (store, id) = store();
    store
        .keychain()
        .insert_password(&item(&id, None), b"legacy");
    assert_eq!(store.get(&id).unwrap().unwrap().expose(), b"legacy");
    assert_eq!(
        store
            .keychain()
            .password_in_group(&item(&id, Some(SHARED_GROUP)))
            .as_deref(),
        Some(&b"legacy"[..])
    );
    assert_eq!(
        store
            .keychain()
            .password_in_group(&item(&id, None))
            .as_deref(),
        Some(&b"legacy"[..]),
        "the legacy item stays for older builds"
    );
    assert_eq!(
        store.keychain().calls(),
        vec![
            FakeCall::GetPassword(item(&id, Some(SHARED_GROUP))),
            FakeCall::GetPassword(item(&id, None)),
            FakeCall::AddPassword(item(&id, Some(SHARED_GROUP))),
        ]
    );
    // The next read is served by the shared item.
    assert_eq!(store.get(&id).unwrap().unwrap().expose(), b"legacy");
    assert_eq!(store.keychain().calls().len(), 4);
}

#[test]
fn a_failed_backfill_still_returns_the_legacy_value() {
    for status in [
        OsStatus::MISSING_ENTITLEMENT,
        OsStatus::INTERACTION_NOT_ALLOWED,
        OsStatus(-1),
    ] {
        let (store, id) = store();
        store
            .keychain()
            .insert_password(&item(&id, None), b"legacy");
        store
            .keychain()
            .fail_next(FakeOperation::AddPassword, status);
        assert_eq!(store.get(&id).unwrap().unwrap().expose(), b"legacy");
        assert_eq!(
            store
                .keychain()
                .password_in_group(&item(&id, Some(SHARED_GROUP))),
            None
        );
        // Retried on the next read.
        assert_eq!(store.get(&id).unwrap().unwrap().expose(), b"legacy");
        assert!(store
            .keychain()
            .password_in_group(&item(&id, Some(SHARED_GROUP)))
            .is_some());
    }
}

#[test]
fn writes_go_to_the_shared_item_only() {
    let (store, id) = store();
    store.put(&id, &secret(b"new")).unwrap();
    assert_eq!(
        store.keychain().calls(),
        vec![FakeCall::AddPassword(item(&id, Some(SHARED_GROUP)))]
    );
    assert_eq!(
        store.keychain().password_items(),
        vec![item(&id, Some(SHARED_GROUP))]
    );
    let error = store.put(&id, &secret(b"again")).unwrap_err();
    assert_eq!(error.kind(), Some(DomainErrorKind::PlatformFailure));
    assert_eq!(store.get(&id).unwrap().unwrap().expose(), b"new");
}

#[test]
fn delete_removes_both_items() {
    let (store, id) = store();
    let other = devicekey_runtime::generate_key_id(DeviceKeyProtectionClass::Software).unwrap();
    store
        .keychain()
        .insert_password(&item(&id, None), b"legacy");
    store
        .keychain()
        .insert_password(&item(&id, Some(SHARED_GROUP)), b"shared");
    store
        .keychain()
        .insert_password(&item(&other, Some(SHARED_GROUP)), b"other");
    assert!(store.delete(&id).unwrap());
    assert_eq!(store.get(&id).unwrap(), None);
    assert!(!store.delete(&id).unwrap());
    assert_eq!(
        store.keychain().password_items(),
        vec![item(&other, Some(SHARED_GROUP))]
    );
    // A legacy-only secret is deleted too.
    store
        .keychain()
        .insert_password(&item(&id, None), b"legacy");
    assert!(store.delete(&id).unwrap());
    assert_eq!(store.keychain().password_in_group(&item(&id, None)), None);
}

#[test]
fn neither_item_is_none_and_errors_are_not_hidden() {
    let (store, id) = store();
    assert_eq!(store.get(&id).unwrap(), None);
    store
        .keychain()
        .fail_next(FakeOperation::GetPassword, OsStatus::MISSING_ENTITLEMENT);
    assert_eq!(
        store.get(&id).unwrap_err().kind(),
        Some(DomainErrorKind::EntitlementRequired)
    );
    store.keychain().fail_next(
        FakeOperation::AddPassword,
        OsStatus::INTERACTION_NOT_ALLOWED,
    );
    assert_eq!(
        store.put(&id, &secret(b"s")).unwrap_err().kind(),
        Some(DomainErrorKind::PlatformFailure)
    );
}

#[test]
fn without_a_shared_group_items_stay_in_the_default_group() {
    let store = KeychainSecretStore::new(FakeKeychain::new(), SERVICE, None);
    let id = devicekey_runtime::generate_key_id(DeviceKeyProtectionClass::Software).unwrap();
    store.put(&id, &secret(b"s")).unwrap();
    assert_eq!(store.get(&id).unwrap().unwrap().expose(), b"s");
    assert_eq!(
        store.keychain().password_items(),
        vec![item(&id, Some(FAKE_DEFAULT_ACCESS_GROUP))]
    );
    assert!(store.delete(&id).unwrap());
    assert_eq!(store.keychain().calls().len(), 3);
}

#[test]
fn the_software_provider_keeps_its_keys_in_the_keychain_store() {
    let (store, _) = store();
    let store = Arc::new(store);
    let provider = devicekey_runtime::provider::SoftwareProvider::new(store.clone());
    let key = provider
        .create(DeviceKeyProtectionPolicy::AllowSoftware)
        .unwrap();
    assert_eq!(
        store.keychain().password_items(),
        vec![item(&key.key_id, Some(SHARED_GROUP))]
    );
    let signed = payload();
    let signature = provider.sign(&key.key_id, &signed).unwrap();
    assert_eq!(
        verify_der(&key.public_key_spki_der, signed.as_bytes(), &signature),
        Ok(())
    );
    assert!(provider.delete(&key.key_id).unwrap());
    assert!(store.keychain().password_items().is_empty());
}
