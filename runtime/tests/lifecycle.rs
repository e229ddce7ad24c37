//! create / public / sign / list / delete through `DeviceKeyStore`: protection policies, class
//! routing, bindings that are never rebound, replay protection across restarts, and rollback.

use std::sync::Arc;

use devicekey_proof::{verify_der, KeyId, Validated};
use devicekey_protocol::types::{
    DeviceKeyId, DeviceKeyInfo, DeviceKeyListParams, DeviceKeyProtectionClass,
    DeviceKeyProtectionPolicy, DomainErrorKind,
};
use devicekey_runtime::provider::UnsupportedProvider;
use devicekey_runtime::{BindingStore, DeviceKeyStore, KeyProvider, ProviderSet};
use serde_json::json;

use crate::support::*;

fn create_params(policy: Option<&str>) -> serde_json::Value {
    match policy {
        Some(policy) => {
            json!({"protectionPolicy": policy, "accountUserId": ACCOUNT, "clientId": CLIENT})
        }
        None => json!({"accountUserId": ACCOUNT, "clientId": CLIENT}),
    }
}

#[tokio::test]
async fn create_public_sign_list_delete() {
    let harness = Harness::new();
    let created = harness
        .store
        .create_json(create_params(Some("allow_software")))
        .await
        .unwrap();
    assert_eq!(created.protection_class, DeviceKeyProtectionClass::Software);
    assert!(created.key_id.as_str().starts_with("dk_swk_"));
    assert_eq!(created.key_id.as_str().len(), 50);
    let wire = serde_json::to_value(&created).unwrap();
    assert_eq!(wire["algorithm"], "ecdsa_p256_sha256");
    assert_eq!(wire["protectionClass"], "software");
    assert_eq!(wire["keyId"], created.key_id.as_str());

    let public = harness
        .store
        .public_json(json!({"keyId": created.key_id}))
        .await
        .unwrap();
    // `public` answers with the same four fields `create` returned.
    assert_eq!(
        serde_json::to_value(&public).unwrap(),
        serde_json::to_value(&created).unwrap()
    );

    let proof = harness
        .sign(&created.key(), &connection_payload())
        .await
        .unwrap();
    verify_der(
        &created.spki_der(),
        &proof.signed_payload(),
        &proof.signature_der(),
    )
    .unwrap();
    let wire = serde_json::to_value(&proof).unwrap();
    assert_eq!(wire["algorithm"], "ecdsa_p256_sha256");
    assert!(
        wire["signatureDerBase64"].as_str().is_some()
            && wire["signedPayloadBase64"].as_str().is_some()
    );

    let listed = harness.store.list_json(json!({})).await.unwrap().keys;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].key_id, created.key_id);
    assert_eq!(
        (
            listed[0].account_user_id.as_str(),
            listed[0].client_id.as_str()
        ),
        (ACCOUNT, CLIENT)
    );
    assert_eq!(listed[0].created_at, NOW);
    let wire = serde_json::to_value(&listed[0]).unwrap();
    assert_eq!(
        wire,
        json!({"keyId": created.key_id.as_str(), "algorithm": "ecdsa_p256_sha256", "protectionClass": "software",
               "accountUserId": ACCOUNT, "clientId": CLIENT, "createdAt": NOW})
    );

    let delete = json!({"keyId": created.key_id});
    assert!(
        harness
            .store
            .delete_json(delete.clone())
            .await
            .unwrap()
            .deleted
    );
    assert!(!harness.store.delete_json(delete).await.unwrap().deleted);
    assert_eq!(
        harness
            .store
            .public_json(json!({"keyId": created.key_id}))
            .await
            .unwrap_err()
            .kind(),
        Some(DomainErrorKind::KeyNotFound)
    );
    assert_eq!(
        harness
            .sign(&created.key(), &connection_payload())
            .await
            .unwrap_err()
            .kind(),
        Some(DomainErrorKind::KeyNotFound)
    );
    assert!(harness
        .store
        .list_json(json!({}))
        .await
        .unwrap()
        .keys
        .is_empty());
}

#[tokio::test]
async fn list_filters_by_account_and_client() {
    let harness = Harness::new();
    let mut ids = Vec::new();
    for (account, client) in [("alice", "cli_1"), ("alice", "cli_2"), ("bob", "cli_1")] {
        harness.clock.advance(1);
        let params = json!({"protectionPolicy": "allow_software", "accountUserId": account, "clientId": client});
        ids.push(harness.store.create_json(params).await.unwrap().key_id);
    }
    let list = |account: Option<&str>, client: Option<&str>| {
        let filter = DeviceKeyListParams {
            account_user_id: account.map(|account| account.try_into().unwrap()),
            client_id: client.map(|client| client.try_into().unwrap()),
            ..DeviceKeyListParams::default()
        };
        let store = harness.store.clone();
        async move {
            store
                .list(Validated::new(&filter).unwrap())
                .await
                .unwrap()
                .keys
                .into_iter()
                .map(|b| b.key_id)
                .collect::<Vec<DeviceKeyId>>()
        }
    };
    assert_eq!(list(None, None).await, ids);
    assert_eq!(list(Some("alice"), None).await, ids[..2].to_vec());
    assert_eq!(
        list(None, Some("cli_1")).await,
        vec![ids[0].clone(), ids[2].clone()]
    );
    assert_eq!(list(Some("bob"), Some("cli_1")).await, vec![ids[2].clone()]);
    assert_eq!(
        list(Some("bob"), Some("cli_2")).await,
        Vec::<DeviceKeyId>::new()
    );
}

#[tokio::test]
async fn policies_decide_what_may_be_created() {
    let harness = Harness::new();
    // The default policy (omitted or null) is hardware_only: the platform classes are unavailable
    // here and the software key the host could make is not allowed.
    for params in [
        create_params(None),
        create_params(Some("hardware_only")),
        json!({"protectionPolicy": null, "accountUserId": ACCOUNT, "clientId": CLIENT}),
    ] {
        let error = harness.store.create_json(params.clone()).await.unwrap_err();
        assert_eq!(
            error.kind(),
            Some(DomainErrorKind::DegradedProtectionNotAllowed),
            "{params}"
        );
    }
    let error = harness
        .store
        .create_json(create_params(Some("allow_os_protected_nonextractable")))
        .await
        .unwrap_err();
    assert_eq!(
        error.kind(),
        Some(DomainErrorKind::DegradedProtectionNotAllowed)
    );
    assert!(
        !harness
            .software
            .calls()
            .iter()
            .any(|c| matches!(c, Call::Create(_))),
        "software was never a fallback"
    );
    assert!(harness
        .store
        .list_json(json!({}))
        .await
        .unwrap()
        .keys
        .is_empty());
    let error = harness
        .store
        .create_json(create_params(Some("allow_everything")))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), None);

    harness
        .store
        .create_json(create_params(Some("allow_software")))
        .await
        .unwrap();
    assert_eq!(
        harness.software.calls(),
        vec![Call::Create(DeviceKeyProtectionPolicy::AllowSoftware)]
    );
}

#[tokio::test]
async fn without_a_software_provider_hardware_is_simply_unavailable() {
    let dir = tempfile::tempdir().unwrap();
    let bindings = BindingStore::open(dir.path().join("db")).unwrap();
    let store = DeviceKeyStore::builder(
        ProviderSet::new(vec![Arc::new(UnsupportedProvider)]),
        bindings,
    )
    .build();
    for policy in [
        "hardware_only",
        "allow_os_protected_nonextractable",
        "allow_software",
    ] {
        assert_eq!(
            store
                .create_json(create_params(Some(policy)))
                .await
                .unwrap_err()
                .kind(),
            Some(DomainErrorKind::HardwareUnavailable)
        );
    }
    let tpm_id = KeyId::from_parts(DeviceKeyProtectionClass::HardwareTpm, &[1; 32]);
    assert_eq!(
        store
            .public_json(json!({"keyId": tpm_id.as_str()}))
            .await
            .unwrap_err()
            .kind(),
        Some(DomainErrorKind::HardwareUnavailable)
    );
}

#[tokio::test]
async fn a_key_id_goes_only_to_the_provider_of_its_class() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(devicekey_runtime::ManualClock::new(NOW));
    let tpm = Arc::new(Recording::new(EmptyProvider(&[
        DeviceKeyProtectionClass::HardwareTpm,
    ])));
    let software = Arc::new(Recording::new(software_provider(&dir)));
    let providers: Vec<Arc<dyn KeyProvider>> = vec![tpm.clone(), software.clone()];
    let store = DeviceKeyStore::builder(
        ProviderSet::new(providers),
        BindingStore::open(dir.path().join("db")).unwrap(),
    )
    .clock(clock)
    .build();
    let created = store
        .create_json(create_params(Some("allow_software")))
        .await
        .unwrap();
    software.clear();
    tpm.clear();

    // The same 32 random bytes behind another prefix name another key, of another class.
    let as_tpm = created.key_id.as_str().replacen("dk_swk_", "dk_tpm_", 1);
    assert_eq!(
        store
            .public_json(json!({"keyId": as_tpm}))
            .await
            .unwrap_err()
            .kind(),
        Some(DomainErrorKind::KeyNotFound)
    );
    assert_eq!(tpm.calls(), vec![Call::PublicKey(as_tpm.clone())]);
    assert_eq!(software.calls(), vec![]);

    // No binding exists for it either, so signing stops before any provider.
    let error = store
        .sign_json(json!({"keyId": as_tpm, "payload": connection_payload()}))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), Some(DomainErrorKind::KeyNotFound));

    // A class no provider serves cannot hold a key here at all.
    let as_hse = created.key_id.as_str().replacen("dk_swk_", "dk_hse_", 1);
    assert_eq!(
        store
            .public_json(json!({"keyId": as_hse}))
            .await
            .unwrap_err()
            .kind(),
        Some(DomainErrorKind::KeyNotFound)
    );
    assert_eq!(
        store
            .sign_json(json!({"keyId": as_hse, "payload": connection_payload()}))
            .await
            .unwrap_err()
            .kind(),
        Some(DomainErrorKind::KeyNotFound)
    );
    assert!(
        !store
            .delete_json(json!({"keyId": as_hse}))
            .await
            .unwrap()
            .deleted
    );
    assert_eq!(software.calls(), vec![]);
    assert_eq!(tpm.calls(), vec![Call::PublicKey(as_tpm)]);

    // The original key is untouched.
    store
        .public_json(json!({"keyId": created.key_id}))
        .await
        .unwrap();
}

#[tokio::test]
async fn signing_without_a_binding_is_key_not_found() {
    let harness = Harness::new();
    // A well-formed id that was never created.
    let never = devicekey_runtime::generate_key_id(DeviceKeyProtectionClass::Software).unwrap();
    let error = harness
        .sign(&never, &connection_payload())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), Some(DomainErrorKind::KeyNotFound));
    // A platform key whose binding is gone: the provider is never asked to sign.
    let key = harness.create_key().await;
    rusqlite::Connection::open(harness.db_path())
        .unwrap()
        .execute("DELETE FROM bindings WHERE key_id = ?1", [key.as_str()])
        .unwrap();
    harness.software.clear();
    let error = harness.sign(&key, &connection_payload()).await.unwrap_err();
    assert_eq!(error.kind(), Some(DomainErrorKind::KeyNotFound));
    assert_eq!(harness.software.calls(), vec![]);
}

#[tokio::test]
async fn a_binding_is_never_rebound() {
    let harness = Harness::new();
    let key = harness.create_key().await;
    // A second writer tries to bind the same key to another account.
    let second = BindingStore::open(harness.db_path()).unwrap();
    let original = second.get(&key).unwrap().unwrap();
    let rebind = DeviceKeyInfo {
        account_user_id: "mallory".try_into().unwrap(),
        ..original.clone()
    };
    let error = second.insert(&rebind, b"another public key").unwrap_err();
    assert_eq!(error.kind(), Some(DomainErrorKind::KeyAlreadyBound));
    assert_eq!(second.get(&key).unwrap(), Some(original));
    // The key still signs for its own binding only.
    harness.sign(&key, &connection_payload()).await.unwrap();
    let error = harness
        .sign(
            &key,
            &with(
                &connection_payload(),
                "accountUserId",
                Some(json!("mallory")),
            ),
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind(), Some(DomainErrorKind::BindingMismatch));
}

#[tokio::test]
async fn a_nonce_is_never_signed_twice_while_the_proof_may_be_valid() {
    let harness = Harness::new();
    let key = harness.create_key().await;
    let other_key = harness.create_key().await;
    let payload = connection_payload();
    harness.sign(&key, &payload).await.unwrap();
    let error = harness.sign(&key, &payload).await.unwrap_err();
    assert_eq!(error.kind(), Some(DomainErrorKind::Replay));
    // The same nonce in an enrollment payload, or with a later expiry, is still a replay.
    let enrollment = with(
        &enrollment_payload(),
        "nonce",
        Some(payload["nonce"].clone()),
    );
    assert_eq!(
        harness.sign(&key, &enrollment).await.unwrap_err().kind(),
        Some(DomainErrorKind::Replay)
    );
    // Another key may sign the same nonce.
    harness.sign(&other_key, &payload).await.unwrap();

    // After a restart the record is still there.
    let reopened = harness.reopen();
    let params = json!({"keyId": key.as_str(), "payload": payload});
    assert_eq!(
        reopened.sign_json(params).await.unwrap_err().kind(),
        Some(DomainErrorKind::Replay)
    );

    // Once the first proof has expired, the record is pruned; a proof with a fresh expiry that
    // carries the old nonce is then a new proof.
    harness.clock.set(NOW + 60);
    let renewed = with(&payload, "tokenExpiresAt", Some(json!(NOW + 120)));
    reopened
        .sign_json(json!({"keyId": key.as_str(), "payload": renewed}))
        .await
        .unwrap();
    let bindings = BindingStore::open(harness.db_path()).unwrap();
    // Left: the renewed record only (the other key's record expired and was pruned too).
    assert_eq!(bindings.recorded_nonce_count().unwrap(), 1);
}

#[tokio::test]
async fn concurrent_signatures_of_one_nonce_yield_exactly_one_proof() {
    let harness = Harness::new();
    let key = harness.create_key().await;
    let params = json!({"keyId": key.as_str(), "payload": connection_payload()});
    let attempts: Vec<_> = (0..8)
        .map(|_| {
            let store = harness.store.clone();
            let params = params.clone();
            tokio::spawn(async move { store.sign_json(params).await })
        })
        .collect();
    let mut signed = 0;
    for attempt in attempts {
        match attempt.await.unwrap() {
            Ok(_) => signed += 1,
            Err(error) => assert_eq!(error.kind(), Some(DomainErrorKind::Replay)),
        }
    }
    assert_eq!(signed, 1);
}

#[tokio::test]
async fn create_deletes_the_platform_key_when_the_binding_cannot_be_stored() {
    let harness = Harness::new();
    // Inject a failure: the database refuses every new binding.
    rusqlite::Connection::open(harness.db_path())
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER injected_failure BEFORE INSERT ON bindings
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .unwrap();
    let error = harness
        .store
        .create_json(create_params(Some("allow_software")))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), Some(DomainErrorKind::StoreFailure));
    assert!(
        error.message().contains("injected failure"),
        "{}",
        error.message()
    );
    let calls = harness.software.calls();
    let [Call::Create(DeviceKeyProtectionPolicy::AllowSoftware), Call::Delete(deleted)] =
        calls.as_slice()
    else {
        panic!("expected create then delete, got {calls:?}");
    };
    // The key file is gone and no binding exists.
    assert_eq!(std::fs::read_dir(harness.secrets_dir()).unwrap().count(), 0);
    assert_eq!(
        harness
            .store
            .public_json(json!({"keyId": deleted}))
            .await
            .unwrap_err()
            .kind(),
        Some(DomainErrorKind::KeyNotFound)
    );
    assert!(harness
        .store
        .list_json(json!({}))
        .await
        .unwrap()
        .keys
        .is_empty());
}
