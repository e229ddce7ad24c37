//! The TPM provider against a real software TPM (swtpm), one per test: signatures verify with
//! p256 and openssl, keys survive a TPM restart, blobs are mode 0600 and wrapped, a TPM that
//! is gone gives `hardwareUnavailable` quickly, a hung one fails every waiting request at its
//! own deadline with `hardwareTimeout`, objects a dead process left loaded are flushed when the
//! provider connects and its own when it is dropped, more keys than the TPM has slots take
//! turns, a persistent storage key is used when it is the primary, and keys of a cleared or
//! another TPM are `keyLost`. (The TPM commands each operation costs: `tpm_commands.rs`.)

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use devicekey_proof::{verify_der, verify_proof, Expectations, SignedPayload};
use devicekey_protocol::types::{
    DeviceKeyProtectionClass, DeviceKeyProtectionPolicy, DomainErrorKind,
};
use devicekey_runtime::provider::tpm::{TpmOptions, TpmProvider};
use devicekey_runtime::{BindingStore, DeviceKeyStore, KeyProvider, ManualClock, ProviderSet};
use serde_json::json;

use crate::support::*;
use crate::tpm_swtpm::{closed_port, Swtpm};

/// A swtpm and a provider on it, all in one temporary directory. (Fields drop in this order:
/// the provider flushes what it holds while swtpm still runs.)
struct Fixture {
    provider: TpmProvider,
    swtpm: Swtpm,
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture::with_options(TpmOptions::default())
    }

    fn with_options(options: TpmOptions) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let swtpm = Swtpm::start(&dir.path().join("tpm-state"));
        let provider =
            TpmProvider::open_with(&swtpm.tcti(), &dir.path().join("tpm-keys"), options).unwrap();
        Fixture {
            dir,
            swtpm,
            provider,
        }
    }

    fn key_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("tpm-keys")
    }
}

fn payload() -> SignedPayload {
    SignedPayload::from_json(connection_payload()).unwrap()
}

fn openssl_verifies(dir: &Path, spki: &[u8], message: &[u8], signature: &[u8]) -> bool {
    std::fs::write(dir.join("pub.der"), spki).unwrap();
    std::fs::write(dir.join("message"), message).unwrap();
    std::fs::write(dir.join("sig.der"), signature).unwrap();
    let output = Command::new("openssl")
        .args([
            "dgst",
            "-sha256",
            "-verify",
            "pub.der",
            "-keyform",
            "DER",
            "-signature",
            "sig.der",
            "message",
        ])
        .current_dir(dir)
        .output()
        .expect("openssl must be installed (apt-get install openssl)");
    output.status.success() && String::from_utf8_lossy(&output.stdout).trim() == "Verified OK"
}

#[test]
fn keys_are_created_and_sign_verifiably() {
    let fixture = Fixture::new();
    let key = fixture
        .provider
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();
    assert_eq!(
        key.key_id.protection_class(),
        DeviceKeyProtectionClass::HardwareTpm
    );
    assert!(key.key_id.as_str().starts_with("dk_tpm_"));
    assert_eq!(
        fixture.provider.public_key(&key.key_id).unwrap(),
        key.public_key_spki_der
    );
    for _ in 0..3 {
        let payload = payload();
        let signature = fixture.provider.sign(&key.key_id, &payload).unwrap();
        assert_eq!(
            verify_der(&key.public_key_spki_der, payload.as_bytes(), &signature),
            Ok(())
        );
        assert!(openssl_verifies(
            fixture.dir.path(),
            &key.public_key_spki_der,
            payload.as_bytes(),
            &signature
        ));
        // Not a signature over anything else (such as the digest hashed a second time).
        let other = payload.as_bytes()[1..].to_vec();
        assert!(verify_der(&key.public_key_spki_der, &other, &signature).is_err());
        assert!(!openssl_verifies(
            fixture.dir.path(),
            &key.public_key_spki_der,
            &other,
            &signature
        ));
    }
}

#[test]
fn every_policy_gets_a_hardware_tpm_key() {
    // Every policy allows hardware_tpm; the key is always of that class.
    let fixture = Fixture::new();
    for policy in [
        DeviceKeyProtectionPolicy::HardwareOnly,
        DeviceKeyProtectionPolicy::AllowOsProtectedNonextractable,
        DeviceKeyProtectionPolicy::AllowSoftware,
    ] {
        let key = fixture.provider.create(policy).unwrap();
        assert_eq!(
            key.key_id.protection_class(),
            DeviceKeyProtectionClass::HardwareTpm
        );
    }
}

#[test]
fn two_keys_do_not_verify_each_other() {
    let fixture = Fixture::new();
    let first = fixture
        .provider
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();
    let second = fixture
        .provider
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();
    assert_ne!(first.key_id, second.key_id);
    assert_ne!(first.public_key_spki_der, second.public_key_spki_der);
    let payload = payload();
    let by_first = fixture.provider.sign(&first.key_id, &payload).unwrap();
    let by_second = fixture.provider.sign(&second.key_id, &payload).unwrap();
    let bytes = payload.as_bytes();
    assert!(verify_der(&first.public_key_spki_der, bytes, &by_first).is_ok());
    assert!(verify_der(&second.public_key_spki_der, bytes, &by_second).is_ok());
    assert!(verify_der(&first.public_key_spki_der, bytes, &by_second).is_err());
    assert!(verify_der(&second.public_key_spki_der, bytes, &by_first).is_err());
}

/// Against the exclusivity rule, a second provider opens the same swtpm: it flushes the first
/// one's objects and loads its own at the same handles. The first one's next sign must still be
/// by its own key (it verifies each signature on a network TPM, and loads its key again when the
/// TPM signed with another), never a signature under the other provider's key.
#[test]
fn a_second_user_of_a_network_tpm_never_makes_a_provider_sign_with_its_key() {
    let fixture = Fixture::new();
    let mine = fixture
        .provider
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();
    let payload = payload();
    let bytes = payload.as_bytes();
    let signature = fixture
        .provider
        .sign_checked(&mine.key_id, &payload, &mine.public_key_spki_der)
        .unwrap();
    assert!(verify_der(&mine.public_key_spki_der, bytes, &signature).is_ok());

    let intruder = TpmProvider::open(
        &fixture.swtpm.tcti(),
        &fixture.dir.path().join("other-keys"),
    )
    .unwrap();
    let theirs = intruder
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();
    let by_them = intruder
        .sign_checked(&theirs.key_id, &payload, &theirs.public_key_spki_der)
        .unwrap();
    assert!(verify_der(&theirs.public_key_spki_der, bytes, &by_them).is_ok());

    for _ in 0..3 {
        let signature = fixture
            .provider
            .sign_checked(&mine.key_id, &payload, &mine.public_key_spki_der)
            .unwrap();
        assert!(verify_der(&mine.public_key_spki_der, bytes, &signature).is_ok());
        assert!(verify_der(&theirs.public_key_spki_der, bytes, &signature).is_err());
    }
}

#[test]
fn delete_removes_the_blob_and_unknown_keys_are_not_found() {
    let fixture = Fixture::new();
    let key = fixture
        .provider
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();
    let blob = fixture.provider.blob_path(&key.key_id);
    assert!(blob.exists());
    assert!(fixture.provider.delete(&key.key_id).unwrap());
    assert!(!blob.exists());
    assert!(!fixture.provider.delete(&key.key_id).unwrap());
    let error = fixture.provider.sign(&key.key_id, &payload()).unwrap_err();
    assert_eq!(error.kind(), Some(DomainErrorKind::KeyNotFound));
    let error = fixture.provider.public_key(&key.key_id).unwrap_err();
    assert_eq!(error.kind(), Some(DomainErrorKind::KeyNotFound));

    let never = devicekey_runtime::generate_key_id(DeviceKeyProtectionClass::HardwareTpm).unwrap();
    assert!(!fixture.provider.delete(&never).unwrap());
    // Key ids of another class never reach the key directory.
    let software = devicekey_runtime::generate_key_id(DeviceKeyProtectionClass::Software).unwrap();
    assert!(!fixture.provider.delete(&software).unwrap());
    assert_eq!(
        fixture.provider.public_key(&software).unwrap_err().kind(),
        Some(DomainErrorKind::KeyNotFound)
    );
    // A damaged blob is a platform failure, not a panic.
    let damaged = fixture
        .provider
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();
    std::fs::write(fixture.provider.blob_path(&damaged.key_id), b"\x00\x05abc").unwrap();
    assert_eq!(
        fixture
            .provider
            .sign(&damaged.key_id, &payload())
            .unwrap_err()
            .kind(),
        Some(DomainErrorKind::PlatformFailure)
    );
}

#[test]
fn keys_survive_a_tpm_restart_and_the_provider_reconnects() {
    let mut fixture = Fixture::new();
    let key = fixture
        .provider
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();
    fixture.swtpm.restart();

    // The same provider notices the lost connection, then connects again.
    let payload = payload();
    let signature = match fixture.provider.sign(&key.key_id, &payload) {
        Ok(signature) => signature,
        Err(error) => {
            assert_eq!(
                error.kind(),
                Some(DomainErrorKind::HardwareUnavailable),
                "{error}"
            );
            fixture.provider.sign(&key.key_id, &payload).unwrap()
        }
    };
    assert!(verify_der(&key.public_key_spki_der, payload.as_bytes(), &signature).is_ok());

    // So does a new provider (a new process) over the same key directory. One provider at a
    // time on a TPM without a resource manager, so the first goes first.
    let key_dir = fixture.key_dir();
    let Fixture {
        dir: _dir,
        swtpm,
        provider,
    } = fixture;
    drop(provider);
    let reopened = TpmProvider::open(&swtpm.tcti(), &key_dir).unwrap();
    let signature = reopened.sign(&key.key_id, &payload).unwrap();
    assert!(verify_der(&key.public_key_spki_der, payload.as_bytes(), &signature).is_ok());
    assert_eq!(
        reopened.public_key(&key.key_id).unwrap(),
        key.public_key_spki_der
    );
}

#[test]
fn a_stopped_tpm_is_hardware_unavailable_without_hanging() {
    let mut fixture = Fixture::new();
    let key = fixture
        .provider
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();
    fixture.swtpm.stop();
    let started = Instant::now();
    for _ in 0..2 {
        let error = fixture.provider.sign(&key.key_id, &payload()).unwrap_err();
        assert_eq!(
            error.kind(),
            Some(DomainErrorKind::HardwareUnavailable),
            "{error}"
        );
        let error = fixture
            .provider
            .create(DeviceKeyProtectionPolicy::HardwareOnly)
            .unwrap_err();
        assert_eq!(
            error.kind(),
            Some(DomainErrorKind::HardwareUnavailable),
            "{error}"
        );
    }
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    // Reading the public key needs no TPM.
    assert_eq!(
        fixture.provider.public_key(&key.key_id).unwrap(),
        key.public_key_spki_der
    );
}

#[test]
fn open_fails_quickly_when_nothing_listens() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let tcti = crate::tpm_swtpm::tcti(closed_port());
    let error = TpmProvider::open(&tcti, &dir.path().join("keys")).unwrap_err();
    assert_eq!(error.kind(), Some(DomainErrorKind::HardwareUnavailable));
    assert!(error.message().contains(&tcti), "{error}");
    // A refused connection must not wait out the provider's 5 s connect limit (this is a hang
    // check with room for a loaded machine, not a speed target).
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "took {:?}",
        started.elapsed()
    );
    // Probing leaves nothing behind.
    assert!(!dir.path().join("keys").exists());

    for tcti in [
        "device:/nonexistent/tpmrm0",
        "nonsense",
        "swtpm:host=127.0.0.1,port=x",
    ] {
        let error = TpmProvider::open(tcti, dir.path()).unwrap_err();
        assert_eq!(
            error.kind(),
            Some(DomainErrorKind::HardwareUnavailable),
            "{tcti}: {error}"
        );
    }
}

#[test]
fn key_blobs_are_private_files_that_hold_no_usable_private_key() {
    use std::os::unix::fs::PermissionsExt as _;
    let fixture = Fixture::new();
    let key = fixture
        .provider
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();
    let path = fixture.provider.blob_path(&key.key_id);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let dir_mode = std::fs::metadata(fixture.key_dir())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(dir_mode & 0o777, 0o700);
    let names: Vec<_> = std::fs::read_dir(fixture.key_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");

    let blob = std::fs::read(&path).unwrap();
    assert!(devicekey_runtime::private_key_from_pkcs8_der(&blob).is_err());
    // No 32-byte window of the file is the private scalar of this key.
    let public = devicekey_proof::public_key_from_spki_der(&key.public_key_spki_der).unwrap();
    for window in blob.windows(32) {
        if let Ok(candidate) = p256::ecdsa::SigningKey::from_slice(window) {
            assert_ne!(
                candidate.verifying_key(),
                &public,
                "the blob holds the private key"
            );
        }
    }
}

#[tokio::test]
async fn the_store_creates_signs_and_proves_with_tpm_keys() {
    let fixture = Fixture::new();
    // One provider per TPM without a resource manager: the store gets the fixture's.
    let Fixture {
        dir,
        swtpm: _swtpm,
        provider,
    } = fixture;
    let bindings = BindingStore::open(dir.path().join("bindings.sqlite3")).unwrap();
    let providers: Vec<Arc<dyn KeyProvider>> = vec![Arc::new(provider)];
    let store = DeviceKeyStore::builder(ProviderSet::new(providers), bindings)
        .clock(Arc::new(ManualClock::new(NOW)))
        .build();
    let created = store.create_json(json!({"protectionPolicy": "hardware_only", "accountUserId": ACCOUNT, "clientId": CLIENT}))
        .await
        .unwrap();
    assert_eq!(
        created.protection_class,
        DeviceKeyProtectionClass::HardwareTpm
    );
    for payload in [connection_payload(), enrollment_payload()] {
        let proof = store
            .sign_json(json!({"keyId": created.key_id.as_str(), "payload": payload}))
            .await
            .unwrap();
        let expect = Expectations::at(NOW);
        let verified = verify_proof(
            &created.spki_der(),
            &proof.signed_payload(),
            &proof.signature_der(),
            &expect,
        )
        .unwrap();
        assert_eq!(serde_json::to_value(&verified.payload).unwrap(), payload);
    }
    // The default policy (omitted) is hardware_only too.
    let created = store
        .create_json(json!({"accountUserId": ACCOUNT, "clientId": CLIENT}))
        .await
        .unwrap();
    assert!(created.key_id.as_str().starts_with("dk_tpm_"));
}

#[tokio::test]
async fn a_copied_or_linked_tpm_blob_is_an_integrity_failure_never_a_signature_under_another_key() {
    let Fixture {
        dir,
        swtpm: _swtpm,
        provider,
    } = Fixture::new();
    let victim_blob = |key: &str| dir.path().join("tpm-keys").join(format!("{key}.key"));
    let bindings = BindingStore::open(dir.path().join("bindings.sqlite3")).unwrap();
    let providers: Vec<Arc<dyn KeyProvider>> = vec![Arc::new(provider)];
    let store = DeviceKeyStore::builder(ProviderSet::new(providers), bindings)
        .clock(Arc::new(ManualClock::new(NOW)))
        .build();
    let create = || store.create_json(json!({"accountUserId": ACCOUNT, "clientId": CLIENT}));
    let victim = create().await.unwrap();
    let other = create().await.unwrap();
    let (victim_file, other_file) = (
        victim_blob(victim.key_id.as_str()),
        victim_blob(other.key_id.as_str()),
    );
    let original = std::fs::read(&victim_file).unwrap();
    // The other key's blob loads and signs in this TPM: only the recorded public key tells the
    // two apart.
    for how in ["copy", "link"] {
        std::fs::remove_file(&victim_file).unwrap();
        match how {
            "copy" => drop(std::fs::copy(&other_file, &victim_file).unwrap()),
            _ => std::os::unix::fs::symlink(&other_file, &victim_file).unwrap(),
        }
        let error = store
            .public_json(json!({"keyId": victim.key_id.as_str()}))
            .await
            .unwrap_err();
        assert_eq!(
            error.kind(),
            Some(DomainErrorKind::KeyIntegrityFailure),
            "{how}: {error}"
        );
        let error = store
            .sign_json(json!({"keyId": victim.key_id.as_str(), "payload": connection_payload()}))
            .await
            .unwrap_err();
        assert_eq!(
            error.kind(),
            Some(DomainErrorKind::KeyIntegrityFailure),
            "{how}: {error}"
        );
    }
    std::fs::remove_file(&victim_file).unwrap();
    std::fs::write(&victim_file, original).unwrap();
    let proof = store
        .sign_json(json!({"keyId": victim.key_id.as_str(), "payload": connection_payload()}))
        .await
        .unwrap();
    verify_der(
        &victim.spki_der(),
        &proof.signed_payload(),
        &proof.signature_der(),
    )
    .unwrap();
}

/// Signs once with `key` and checks the signature.
fn signs(provider: &TpmProvider, key: &devicekey_runtime::ProviderKey) {
    let payload = payload();
    let signature = provider.sign(&key.key_id, &payload).unwrap();
    verify_der(&key.public_key_spki_der, payload.as_bytes(), &signature).unwrap();
}

#[test]
fn objects_a_dead_process_left_in_the_tpm_are_flushed_when_the_provider_connects() {
    let dir = tempfile::tempdir().unwrap();
    let mut swtpm = Swtpm::start(&dir.path().join("tpm-state"));
    let key_dir = dir.path().join("tpm-keys");
    // What `kill -9` in the middle of operations leaves on a TPM without a resource manager:
    // swtpm has three object slots, all taken.
    swtpm.leave_transient_objects(3);
    assert_eq!(swtpm.transient_handles().len(), 3);

    // Opening alone flushes them.
    drop(TpmProvider::open(&swtpm.tcti(), &key_dir).unwrap());
    assert_eq!(swtpm.transient_handles(), Vec::<String>::new());
    swtpm.leave_transient_objects(3);
    let provider = TpmProvider::open(&swtpm.tcti(), &key_dir).unwrap();
    let key = provider
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();
    signs(&provider, &key);
    drop(provider);
    assert_eq!(swtpm.transient_handles(), Vec::<String>::new());

    // The same when the provider connects again: the TPM went away under it, and before it
    // came back a dead process filled its slots.
    let provider = TpmProvider::open(&swtpm.tcti(), &key_dir).unwrap();
    swtpm.stop();
    let error = provider.sign(&key.key_id, &payload()).unwrap_err();
    assert_eq!(
        error.kind(),
        Some(DomainErrorKind::HardwareUnavailable),
        "{error}"
    );
    swtpm.start_again();
    swtpm.leave_transient_objects(3);
    signs(&provider, &key);

    // And while it is connected: swtpm's TCTI connects for every command, so another client
    // (which a TPM without a resource manager must not have) can leave objects between two
    // operations. The provider holds its primary and the key it signed with; the other client
    // fills the rest. Signing with the loaded key needs no slot; loading another key does: the
    // provider flushes what is not its own and loads it.
    let other = provider
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();
    signs(&provider, &key);
    assert_eq!(swtpm.transient_handles().len(), 2);
    assert_eq!(swtpm.fill_transient_slots(), 1);
    signs(&provider, &key);
    signs(&provider, &other);
    assert_eq!(swtpm.transient_handles().len(), 3);
    assert_eq!(swtpm.fill_transient_slots(), 0);
    // A create needs a free slot too (for the key it makes): one of its own goes.
    provider
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();
    signs(&provider, &key);
    // Dropped (a clean exit), it flushes everything it held.
    drop(provider);
    assert_eq!(swtpm.transient_handles(), Vec::<String>::new());
}

#[test]
fn a_hung_tpm_fails_every_waiting_request_at_its_own_deadline() {
    const SIGNS: usize = 6;
    let timeout = Duration::from_secs(3);
    let Fixture {
        dir: _dir,
        mut swtpm,
        provider,
    } = Fixture::with_options(TpmOptions {
        operation_timeout: timeout,
        ..TpmOptions::default()
    });
    let provider = Arc::new(provider);
    let key = provider
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();

    swtpm.pause();
    let started = Instant::now();
    let signers: Vec<_> = (0..SIGNS)
        .map(|_| {
            let provider = Arc::clone(&provider);
            let key_id = key.key_id.clone();
            std::thread::spawn(move || {
                let called = Instant::now();
                let outcome = provider.sign(&key_id, &payload());
                (outcome, called.elapsed(), started.elapsed())
            })
        })
        .collect();
    let answers: Vec<_> = signers.into_iter().map(|t| t.join().unwrap()).collect();
    let mut finished = Vec::new();
    for (outcome, waited, at) in answers {
        let error = outcome.unwrap_err();
        assert_eq!(
            error.kind(),
            Some(DomainErrorKind::HardwareTimeout),
            "{error}"
        );
        assert!(
            error.message().contains("did not answer within 3 s"),
            "{error}"
        );
        // No request gives up before its deadline, and none waits out the ones before it
        // (one after another they would end at 3, 6, 9 ... s).
        assert!(waited >= timeout, "gave up after {waited:?}");
        assert!(at < 2 * timeout, "answered after {at:?}");
        finished.push(at);
    }
    finished.sort();
    eprintln!("{SIGNS} signs on a hung TPM, timeout {timeout:?}, failed at {finished:?}");

    // A TPM that answers again serves the next request at once: the requests that were given
    // up are skipped, not run.
    swtpm.resume();
    let resumed = Instant::now();
    signs(&provider, &key);
    assert!(resumed.elapsed() < timeout, "took {:?}", resumed.elapsed());
}

#[test]
fn keys_of_a_cleared_tpm_are_lost_and_new_keys_work() {
    let Fixture {
        dir,
        swtpm,
        provider,
    } = Fixture::new();
    let key_dir = dir.path().join("tpm-keys");
    let key = provider
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();
    signs(&provider, &key);
    // A provider counts itself the only user of a TPM without a resource manager: tpm2_clear
    // goes between two providers.
    drop(provider);
    swtpm.clear();

    let provider = TpmProvider::open(&swtpm.tcti(), &key_dir).unwrap();
    for _ in 0..2 {
        let error = provider.sign(&key.key_id, &payload()).unwrap_err();
        assert_lost(&error, &key.key_id);
    }
    // The TPM itself is fine: new keys are created and sign.
    let new_key = provider
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();
    signs(&provider, &new_key);
    // The lost key can still be deleted.
    assert!(provider.delete(&key.key_id).unwrap());
}

#[test]
fn a_key_blob_from_another_tpm_is_a_lost_key() {
    let dir = tempfile::tempdir().unwrap();
    let here = Swtpm::start(&dir.path().join("here"));
    let elsewhere = Swtpm::start(&dir.path().join("elsewhere"));
    let other = TpmProvider::open(&elsewhere.tcti(), &dir.path().join("elsewhere-keys")).unwrap();
    let foreign = other
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();
    signs(&other, &foreign);

    let provider = TpmProvider::open(&here.tcti(), &dir.path().join("keys")).unwrap();
    let own = provider
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();
    // The state directory moved to another machine: the blob is where this provider looks.
    std::fs::copy(
        other.blob_path(&foreign.key_id),
        provider.blob_path(&foreign.key_id),
    )
    .unwrap();
    let error = provider.sign(&foreign.key_id, &payload()).unwrap_err();
    assert_lost(&error, &foreign.key_id);
    signs(&provider, &own);
}

/// `error` says `key_id` is lost for good, and what to do.
fn assert_lost(error: &devicekey_proof::DeviceKeyError, key_id: &devicekey_proof::KeyId) {
    assert_eq!(error.kind(), Some(DomainErrorKind::KeyLost), "{error}");
    let message = error.message();
    assert!(message.contains(key_id.as_str()), "{message}");
    assert!(
        message.contains("no longer exists in this TPM"),
        "{message}"
    );
    assert!(message.contains("delete its binding"), "{message}");
}

#[test]
fn more_keys_than_object_slots_sign_from_many_threads_with_their_own_keys() {
    // swtpm has three object slots; the provider keeps its primary and two keys loaded, and
    // six keys signing in turn from four threads keep evicting each other. Every signature is
    // by the key asked for, and the provider never holds more than the three slots.
    const KEYS: usize = 6;
    const THREADS: usize = 4;
    const SIGNS: usize = 6;
    let Fixture {
        provider,
        swtpm,
        dir: _dir,
    } = Fixture::new();
    let provider = Arc::new(provider);
    let keys: Arc<Vec<_>> = Arc::new(
        (0..KEYS)
            .map(|_| {
                provider
                    .create(DeviceKeyProtectionPolicy::HardwareOnly)
                    .unwrap()
            })
            .collect(),
    );
    let signers: Vec<_> = (0..THREADS)
        .map(|thread| {
            let provider = Arc::clone(&provider);
            let keys = Arc::clone(&keys);
            std::thread::spawn(move || {
                for round in 0..SIGNS {
                    let key = &keys[(thread + round * 5) % KEYS];
                    let payload = payload();
                    let signature = provider
                        .sign_checked(&key.key_id, &payload, &key.public_key_spki_der)
                        .unwrap();
                    verify_der(&key.public_key_spki_der, payload.as_bytes(), &signature).unwrap();
                    for other in keys.iter().filter(|other| other.key_id != key.key_id) {
                        assert!(verify_der(
                            &other.public_key_spki_der,
                            payload.as_bytes(),
                            &signature
                        )
                        .is_err());
                    }
                }
            })
        })
        .collect();
    for signer in signers {
        signer.join().unwrap();
    }
    assert!(swtpm.transient_handles().len() <= 3);
    // A clean exit flushes all of it.
    drop(Arc::into_inner(provider).unwrap());
    assert_eq!(swtpm.transient_handles(), Vec::<String>::new());
}

#[test]
fn a_persistent_storage_key_that_is_the_primary_is_the_parent_and_keys_move_between_them() {
    // Keys made under the derived primary sign under the persistent one and the other way
    // around, since the two are the same key; a key of another template at the handle is not
    // used.
    let Fixture {
        provider,
        swtpm,
        dir,
    } = Fixture::new();
    let key_dir = dir.path().join("tpm-keys");
    let before = provider
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();
    drop(provider);
    swtpm.persist_storage_key("ecc256:null:aes128cfb");
    let provider = TpmProvider::open(&swtpm.tcti(), &key_dir).unwrap();
    signs(&provider, &before);
    // The key alone is loaded: the parent is persistent.
    assert_eq!(swtpm.transient_handles().len(), 1);
    let during = provider
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();
    signs(&provider, &during);
    drop(provider);

    // Without it, and with another key at the handle.
    swtpm.remove_persistent_storage_key();
    for other_key in [false, true] {
        if other_key {
            swtpm.persist_storage_key("ecc256:null:aes256cfb");
        }
        let provider = TpmProvider::open(&swtpm.tcti(), &key_dir).unwrap();
        signs(&provider, &before);
        signs(&provider, &during);
        // The derived primary and the two keys.
        assert_eq!(
            swtpm.transient_handles().len(),
            3,
            "another key: {other_key}"
        );
    }
}

/// Under a persistent parent a restarted TPM fails no command of the provider's (the parent is
/// still there), and hands out the handles of the keys it lost to the next keys loaded: a key
/// signs as itself after that, never with the key now at its old handle.
#[test]
fn after_a_restart_under_a_persistent_parent_every_key_still_signs_as_itself() {
    let Fixture {
        provider,
        mut swtpm,
        dir,
    } = Fixture::new();
    let key_dir = dir.path().join("tpm-keys");
    drop(provider);
    swtpm.persist_storage_key("ecc256:null:aes128cfb");
    let provider = TpmProvider::open(&swtpm.tcti(), &key_dir).unwrap();
    let keys: Vec<_> = (0..3)
        .map(|_| {
            provider
                .create(DeviceKeyProtectionPolicy::HardwareOnly)
                .unwrap()
        })
        .collect();
    let [a, b, c] = [&keys[0], &keys[1], &keys[2]];
    for key in [a, b, a] {
        signs(&provider, key);
    }
    swtpm.restart();
    for key in [c, a, b, c, a] {
        signs(&provider, key);
    }
    drop(provider);
    swtpm.remove_persistent_storage_key();
}

/// The persistent key at `0x81000001` replaced by another while the provider runs: a key made
/// under the provider's primary does not load under the new one, and is not lost for that (the
/// provider sets its parent up again, and the key loads under the primary derived again); a key
/// made afterwards signs too.
#[test]
fn a_persistent_parent_replaced_while_running_loses_no_key() {
    let Fixture {
        provider,
        swtpm,
        dir,
    } = Fixture::new();
    let key_dir = dir.path().join("tpm-keys");
    drop(provider);
    swtpm.persist_storage_key("ecc256:null:aes128cfb");
    let provider = TpmProvider::open(&swtpm.tcti(), &key_dir).unwrap();
    let before = provider
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();
    swtpm.remove_persistent_storage_key();
    swtpm.persist_storage_key("rsa2048:null:aes128cfb");
    signs(&provider, &before);
    let after = provider
        .create(DeviceKeyProtectionPolicy::HardwareOnly)
        .unwrap();
    signs(&provider, &after);
    signs(&provider, &before);
    drop(provider);
    swtpm.remove_persistent_storage_key();
}
