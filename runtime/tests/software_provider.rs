//! The software provider: key files with mode 0600, and private keys that never print.

use std::os::unix::fs::PermissionsExt as _;
use std::sync::Arc;

use devicekey_proof::{encode_base64, encode_base64url, SignedPayload};
use devicekey_protocol::types::{DeviceKeyProtectionPolicy, DomainErrorKind};
use devicekey_runtime::provider::SoftwareProvider;
use devicekey_runtime::{FileSecretStore, KeyProvider as _, SecretStore as _};
use p256::pkcs8::DecodePrivateKey as _;
use serde_json::json;

use crate::support::*;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every textual form of the secret a careless formatter could print.
fn forms_of(secret: &[u8]) -> Vec<String> {
    let mut forms = vec![
        hex(secret),
        hex(secret).to_uppercase(),
        encode_base64(secret),
        encode_base64url(secret),
    ];
    forms.push(format!("{:?}", secret)); // [12, 34, ...]
    forms.push(
        format!("{:?}", &secret[..8])
            .trim_end_matches(']')
            .to_owned(),
    );
    forms
}

#[tokio::test]
async fn key_files_have_mode_0600_and_hold_pkcs8() {
    let harness = Harness::new();
    let key = harness.create_key().await;
    let path = harness.secrets_dir().join(format!("{key}.key"));
    let metadata = std::fs::metadata(&path).unwrap();
    assert_eq!(metadata.permissions().mode() & 0o777, 0o600);
    let dir_mode = std::fs::metadata(harness.secrets_dir())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(dir_mode & 0o077, 0, "the secrets directory is private");
    let der = std::fs::read(&path).unwrap();
    let signing_key = p256::ecdsa::SigningKey::from_pkcs8_der(&der).unwrap();
    let public = harness
        .store
        .public_json(json!({"keyId": key.as_str()}))
        .await
        .unwrap();
    assert_eq!(
        devicekey_proof::public_key_spki_der(signing_key.verifying_key()).unwrap(),
        public.spki_der()
    );
}

#[tokio::test]
async fn private_keys_never_appear_in_debug_output_or_errors() {
    let harness = Harness::new();
    let key = harness.create_key().await;
    let path = harness.secrets_dir().join(format!("{key}.key"));
    let pkcs8 = std::fs::read(&path).unwrap();
    let scalar = p256::ecdsa::SigningKey::from_pkcs8_der(&pkcs8)
        .unwrap()
        .to_bytes()
        .to_vec();

    let secrets = FileSecretStore::open(harness.secrets_dir()).unwrap();
    let secret = secrets.get(&key).unwrap().unwrap();
    let provider = SoftwareProvider::new(Arc::new(
        FileSecretStore::open(harness.secrets_dir()).unwrap(),
    ));
    let mut printed = vec![
        format!("{secret:?}"),
        format!("{secrets:?}"),
        format!("{provider:?}"),
        format!("{:?}", harness.store),
        format!(
            "{:?}",
            harness
                .store
                .public_json(json!({"keyId": key.as_str()}))
                .await
                .unwrap()
        ),
        format!(
            "{:?}",
            provider
                .create(DeviceKeyProtectionPolicy::AllowSoftware)
                .unwrap()
        ),
    ];
    // Errors from a damaged key file mention the key id, never its content.
    let mut damaged = pkcs8.clone();
    damaged.truncate(pkcs8.len() - 3);
    std::fs::write(&path, &damaged).unwrap();
    let error = harness
        .store
        .public_json(json!({"keyId": key.as_str()}))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), Some(DomainErrorKind::CryptoFailure));
    printed.push(format!("{error:?}"));
    printed.push(error.to_string());
    let payload = SignedPayload::from_json(connection_payload()).unwrap();
    let error = provider.sign(&key, &payload).unwrap_err();
    printed.push(format!("{error:?}"));

    assert!(printed[0].contains("redacted"), "{}", printed[0]);
    for text in &printed {
        for form in forms_of(&scalar)
            .into_iter()
            .chain(forms_of(&pkcs8))
            .chain(forms_of(&damaged))
        {
            assert!(
                !text.contains(&form),
                "private key material printed in {text}"
            );
        }
    }
}

#[test]
fn keys_of_other_classes_are_not_found_in_the_software_provider() {
    let dir = tempfile::tempdir().unwrap();
    let provider = software_provider(&dir);
    let key = provider
        .create(DeviceKeyProtectionPolicy::AllowSoftware)
        .unwrap()
        .key_id;
    let as_osn =
        devicekey_proof::KeyId::parse(&key.as_str().replacen("dk_swk_", "dk_osn_", 1)).unwrap();
    assert_eq!(
        provider.public_key(&as_osn).unwrap_err().kind(),
        Some(DomainErrorKind::KeyNotFound)
    );
    assert!(!provider.delete(&as_osn).unwrap());
    provider.public_key(&key).unwrap();
    assert!(provider.delete(&key).unwrap());
    assert_eq!(
        provider.public_key(&key).unwrap_err().kind(),
        Some(DomainErrorKind::KeyNotFound)
    );
    assert_eq!(
        provider
            .create(DeviceKeyProtectionPolicy::HardwareOnly)
            .unwrap_err()
            .kind(),
        Some(DomainErrorKind::DegradedProtectionNotAllowed)
    );
}
