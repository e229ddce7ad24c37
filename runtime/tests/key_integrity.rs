//! The public key recorded at create is checked on every `public` and `sign`: a key file
//! replaced by a link to, or a copy of, another key's file is `keyIntegrityFailure` and never a
//! signature under another key. Hostile key files (a FIFO, a link to `/dev/zero`, a huge file)
//! fail at once, without hanging or filling memory. Bindings from before public keys were
//! recorded get theirs on first use.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use devicekey_proof::{verify_der, KeyId, Validated};
use devicekey_protocol::types::{DeviceKeyProtectionPolicy, DomainErrorKind};
use devicekey_runtime::provider::SoftwareProvider;
use devicekey_runtime::{BindingStore, DeviceKeyStore, FileSecretStore, KeyProvider, ProviderSet};
use serde_json::json;

use crate::support::*;

/// How long a call on a hostile key file may take: it must fail at once, not hang.
const PROMPTLY: Duration = Duration::from_secs(5);

fn key_file(harness: &Harness, key: &KeyId) -> PathBuf {
    harness.secrets_dir().join(format!("{key}.key"))
}

fn replace_with_link(path: &Path, target: &Path) {
    std::fs::remove_file(path).unwrap();
    std::os::unix::fs::symlink(target, path).unwrap();
}

/// `public` of `key` on a thread, within [`PROMPTLY`] (a hang fails the test, it does not
/// hold it up).
fn public_promptly(
    store: &DeviceKeyStore,
    key: &KeyId,
) -> Result<Vec<u8>, devicekey_proof::DeviceKeyError> {
    let (store, params) = (store.clone(), json!({"keyId": key.as_str()}));
    on_a_thread(move || {
        store
            .public_blocking(Validated::from_json(params)?)
            .map(|public| bytes(&public.public_key_spki_der_base64))
    })
}

/// `sign` of `key` on a thread, within [`PROMPTLY`].
fn sign_promptly(
    store: &DeviceKeyStore,
    key: &KeyId,
) -> Result<devicekey_protocol::types::DeviceKeySignResponse, devicekey_proof::DeviceKeyError> {
    let (store, params) = (
        store.clone(),
        json!({"keyId": key.as_str(), "payload": connection_payload()}),
    );
    on_a_thread(move || store.sign_blocking(Validated::from_json(params)?))
}

fn on_a_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = mpsc::channel();
    let started = Instant::now();
    std::thread::spawn(move || {
        let _ = sender.send(work());
    });
    let outcome = receiver
        .recv_timeout(PROMPTLY)
        .expect("the call answers promptly instead of hanging");
    assert!(started.elapsed() < PROMPTLY);
    outcome
}

fn assert_integrity_failure<T: std::fmt::Debug>(
    outcome: Result<T, devicekey_proof::DeviceKeyError>,
    what: &str,
) {
    let error = outcome.expect_err(what);
    assert_eq!(
        error.kind(),
        Some(DomainErrorKind::KeyIntegrityFailure),
        "{what}: {error}"
    );
}

#[tokio::test]
async fn a_key_file_linked_to_another_keys_file_is_an_integrity_failure_and_signs_nothing() {
    let harness = Harness::new();
    let victim = harness.create_key().await;
    let other = harness.create_key().await;
    let victim_file = key_file(&harness, &victim);
    let saved = victim_file.with_extension("saved");
    std::fs::rename(&victim_file, &saved).unwrap();
    std::os::unix::fs::symlink(key_file(&harness, &other), &victim_file).unwrap();

    assert_integrity_failure(public_promptly(&harness.store, &victim), "public");
    assert_integrity_failure(sign_promptly(&harness.store, &victim), "sign");
    // The failed signature left no replay record behind, and the other key is unaffected.
    assert_eq!(harness.store.bindings().recorded_nonce_count().unwrap(), 0);
    sign_promptly(&harness.store, &other).unwrap();

    // With its own file back, the key signs again, verifiably under its own public key.
    std::fs::remove_file(&victim_file).unwrap();
    std::fs::rename(&saved, &victim_file).unwrap();
    let public = public_promptly(&harness.store, &victim).unwrap();
    let proof = sign_promptly(&harness.store, &victim).unwrap();
    verify_der(&public, &proof.signed_payload(), &proof.signature_der()).unwrap();
}

#[tokio::test]
async fn a_key_file_overwritten_by_a_copy_of_another_keys_file_is_an_integrity_failure() {
    let harness = Harness::new();
    let victim = harness.create_key().await;
    let other = harness.create_key().await;
    let original = std::fs::read(key_file(&harness, &victim)).unwrap();
    std::fs::copy(key_file(&harness, &other), key_file(&harness, &victim)).unwrap();

    assert_integrity_failure(public_promptly(&harness.store, &victim), "public");
    assert_integrity_failure(sign_promptly(&harness.store, &victim), "sign");
    // Also after a restart: the recorded key is in the database, not in memory only.
    let reopened = harness.reopen();
    assert_integrity_failure(public_promptly(&reopened, &victim), "public after restart");
    assert_integrity_failure(sign_promptly(&reopened, &victim), "sign after restart");

    std::fs::write(key_file(&harness, &victim), original).unwrap();
    sign_promptly(&reopened, &victim).unwrap();
}

#[tokio::test]
async fn hostile_key_files_fail_at_once_without_being_read() {
    let harness = Harness::new();
    let key = harness.create_key().await;
    let path = key_file(&harness, &key);
    let huge = harness.dir.path().join("huge");
    std::fs::write(&huge, vec![0u8; 1024 * 1024]).unwrap();
    type Spoil<'a> = Box<dyn Fn(&Path) + 'a>;
    let cases: Vec<(&str, Spoil)> = vec![
        (
            "a FIFO",
            Box::new(|path| {
                std::fs::remove_file(path).unwrap();
                let status = std::process::Command::new("mkfifo")
                    .arg(path)
                    .status()
                    .unwrap();
                assert!(status.success());
            }),
        ),
        (
            "a link to /dev/zero",
            Box::new(|path| replace_with_link(path, Path::new("/dev/zero"))),
        ),
        (
            "a link to a huge file",
            Box::new(|path| replace_with_link(path, &huge)),
        ),
        (
            "a huge regular file",
            Box::new(|path| {
                std::fs::remove_file(path).unwrap();
                std::fs::copy(&huge, path).unwrap();
            }),
        ),
        (
            "a directory",
            Box::new(|path| {
                std::fs::remove_file(path).unwrap();
                std::fs::create_dir(path).unwrap();
            }),
        ),
    ];
    let original = std::fs::read(&path).unwrap();
    for (what, spoil) in cases {
        spoil(&path);
        let error = public_promptly(&harness.store, &key).expect_err(what);
        assert_eq!(
            error.kind(),
            Some(DomainErrorKind::KeyIntegrityFailure),
            "{what}: {error}"
        );
        assert!(
            error.message().contains(&path.display().to_string()),
            "{what}: the message names the file: {error}"
        );
        assert_integrity_failure(sign_promptly(&harness.store, &key), what);
        // Put the key back for the next case.
        if path.is_dir() {
            std::fs::remove_dir(&path).unwrap();
        } else {
            std::fs::remove_file(&path).unwrap();
        }
        std::fs::write(&path, &original).unwrap();
        public_promptly(&harness.store, &key).unwrap();
    }
}

/// The binding tables as version 1 of the schema made them (a shipped migration never
/// changes): a database written before public keys were recorded.
const SCHEMA_VERSION_1: &str = "CREATE TABLE bindings (
         key_id TEXT PRIMARY KEY NOT NULL CHECK (length(key_id) = 50),
         algorithm TEXT NOT NULL,
         protection_class TEXT NOT NULL,
         account_user_id TEXT NOT NULL CHECK (length(account_user_id) > 0),
         client_id TEXT NOT NULL CHECK (length(client_id) > 0),
         created_at INTEGER NOT NULL
     ) STRICT;
     CREATE INDEX bindings_by_account ON bindings (account_user_id, client_id);
     CREATE INDEX bindings_by_client ON bindings (client_id);
     CREATE TRIGGER bindings_are_insert_only BEFORE UPDATE ON bindings
     BEGIN
         SELECT RAISE(ABORT, 'device key bindings are insert-only');
     END;
     CREATE TABLE used_nonces (
         key_id TEXT NOT NULL REFERENCES bindings (key_id) ON DELETE CASCADE,
         nonce TEXT NOT NULL,
         expires_at INTEGER NOT NULL,
         PRIMARY KEY (key_id, nonce)
     ) STRICT, WITHOUT ROWID;
     CREATE INDEX used_nonces_by_expiry ON used_nonces (expires_at);
     PRAGMA user_version = 1;";

#[tokio::test]
async fn bindings_from_before_public_keys_were_recorded_get_theirs_on_first_use() {
    let dir = tempfile::tempdir().unwrap();
    let provider = SoftwareProvider::new(Arc::new(
        FileSecretStore::open(dir.path().join("keys")).unwrap(),
    ));
    let keys: Vec<KeyId> = (0..3)
        .map(|_| {
            provider
                .create(DeviceKeyProtectionPolicy::AllowSoftware)
                .unwrap()
                .key_id
        })
        .collect();
    let db = dir.path().join("bindings.sqlite3");
    {
        let connection = rusqlite::Connection::open(&db).unwrap();
        connection.execute_batch(SCHEMA_VERSION_1).unwrap();
        for key in &keys {
            connection
                .execute(
                    "INSERT INTO bindings VALUES (?1, 'ecdsa_p256_sha256', 'software', ?2, ?3, ?4)",
                    rusqlite::params![key.as_str(), ACCOUNT, CLIENT, NOW],
                )
                .unwrap();
        }
    }
    let open = || {
        let providers: Vec<Arc<dyn KeyProvider>> = vec![Arc::new(provider.clone())];
        DeviceKeyStore::builder(
            ProviderSet::new(providers),
            BindingStore::open(&db).unwrap(),
        )
        .clock(Arc::new(devicekey_runtime::ManualClock::new(NOW)))
        .build()
    };
    let store = open();
    let [by_public, by_sign, untouched] = [&keys[0], &keys[1], &keys[2]];
    let stored = |store: &DeviceKeyStore, key: &KeyId| {
        store
            .bindings()
            .get_stored(key)
            .unwrap()
            .unwrap()
            .public_key_spki_der
    };
    assert_eq!(stored(&store, by_public), None);
    // The first `public` records the key; the first `sign` does too.
    let public = public_promptly(&store, by_public).unwrap();
    assert_eq!(stored(&store, by_public), Some(public.clone()));
    let proof = sign_promptly(&store, by_sign).unwrap();
    let signer = provider.public_key(by_sign).unwrap();
    verify_der(&signer, &proof.signed_payload(), &proof.signature_der()).unwrap();
    assert_eq!(stored(&store, by_sign), Some(signer));
    assert_eq!(stored(&store, untouched), None);

    // From then on, also after a restart, a swapped key file is refused.
    drop(store);
    let store = open();
    let file = |key: &KeyId| dir.path().join("keys").join(format!("{key}.key"));
    for key in [by_public, by_sign] {
        std::fs::copy(file(untouched), file(key)).unwrap();
        assert_integrity_failure(public_promptly(&store, key), "public");
        assert_integrity_failure(sign_promptly(&store, key), "sign");
    }
}
