//! The TPM commands each operation of the TPM provider costs, counted independently of the
//! provider: it runs on libtss2's `pcap` TCTI (`pcap:swtpm:...`), which records every command
//! and every answer in a pcapng file, and the testkit's reader decodes the commands from the
//! file. The counts are exact: a steady-state signature is one `TPM2_Sign`.
//!
//! A test binary of its own, without libtest's harness: the pcap TCTI reads its file name from
//! the `TCTI_PCAP_FILE` environment variable, which is set here before any other thread exists
//! (libtest runs tests on threads of its own, and changing the environment while another thread
//! may read it is not safe). The checks run one after another and each prints what it saw.

fn main() {
    #[cfg(target_os = "linux")]
    linux::main();
    #[cfg(not(target_os = "linux"))]
    println!("the TPM command counts are checked on Linux only");
}

#[cfg(target_os = "linux")]
mod linux {
    use std::panic::{self, AssertUnwindSafe};
    use std::path::Path;

    use devicekey_proof::{verify_der, SignedPayload};
    use devicekey_protocol::types::{DeviceKeyProtectionPolicy, DomainErrorKind};
    use devicekey_runtime::provider::tpm::TpmProvider;
    use devicekey_runtime::{KeyProvider, ProviderKey};
    use devicekey_testkit::connection_payload;
    use devicekey_testkit::pcap::PcapLog;
    use devicekey_testkit::swtpm::Swtpm;

    /// What the provider sends when it connects to a TPM without a resource manager and
    /// without a persistent storage key: the transient objects (none here), the persistent
    /// handle (nothing there: `TPM_RC_HANDLE` on handle 1), the primary.
    const OPEN: [&str; 3] = [
        "GetCapability",
        "ReadPublic (answered 0x18b)",
        "CreatePrimary",
    ];

    type Check = fn(&Path);

    const CHECKS: [(&str, Check); 6] = [
        (
            "steady_state_signing_is_one_command",
            steady_state_signing_is_one_command,
        ),
        (
            "a_replaced_blob_is_loaded_afresh",
            a_replaced_blob_is_loaded_afresh,
        ),
        (
            "three_object_slots_are_shared_least_recently_used_first",
            three_slots,
        ),
        (
            "a_persistent_storage_key_is_the_parent_when_it_is_the_primary",
            persistent_key,
        ),
        (
            "a_restarted_tpm_is_recovered_from_in_the_same_operation",
            restarted_tpm,
        ),
        (
            "objects_an_unclean_exit_left_are_flushed_at_the_next_start",
            unclean_exit,
        ),
    ];

    pub(super) fn main() {
        let dir = tempfile::tempdir().unwrap();
        let capture = dir.path().join("tpm.pcapng");
        // Before any thread but this one exists (see the module docs).
        std::env::set_var("TCTI_PCAP_FILE", &capture);
        let mut failed = Vec::new();
        for (name, check) in CHECKS {
            println!("tpm_commands::{name} ...");
            let work = dir.path().join(name);
            std::fs::create_dir_all(&work).unwrap();
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| check(&work)));
            match outcome {
                Ok(()) => println!("tpm_commands::{name} ... ok"),
                Err(_) => {
                    println!("tpm_commands::{name} ... FAILED");
                    failed.push(name);
                }
            }
        }
        if !failed.is_empty() {
            eprintln!("failed: {failed:?}");
            std::process::exit(1);
        }
        println!("test result: ok. {} passed", CHECKS.len());
    }

    /// The capture of this process (every check appends to it), from now on.
    fn capture() -> PcapLog {
        PcapLog::from_now(std::env::var_os("TCTI_PCAP_FILE").unwrap())
    }

    fn payload() -> SignedPayload {
        SignedPayload::from_json(connection_payload()).unwrap()
    }

    fn open(swtpm: &Swtpm, work: &Path) -> TpmProvider {
        TpmProvider::open(&swtpm.pcap_tcti(), &work.join("keys")).unwrap()
    }

    fn create(provider: &TpmProvider) -> ProviderKey {
        provider
            .create(DeviceKeyProtectionPolicy::HardwareOnly)
            .unwrap()
    }

    /// Signs as the store does (the blob's public key checked against the recorded one) and
    /// checks the signature.
    fn signs(provider: &TpmProvider, key: &ProviderKey) {
        let payload = payload();
        let signature = provider
            .sign_checked(&key.key_id, &payload, &key.public_key_spki_der)
            .unwrap();
        verify_der(&key.public_key_spki_der, payload.as_bytes(), &signature).unwrap();
    }

    /// Checks that the commands recorded since the last look are `expected`, and prints them.
    fn expect(log: &mut PcapLog, what: &str, expected: &[&str]) {
        let seen = log.take_text();
        println!("  {what}: {} commands {seen:?}", seen.len());
        assert_eq!(seen, expected, "{what}");
    }

    /// [`expect`], leaving out commands the TPM answered with "try again" (`TPM_RC_RETRY`,
    /// `TPM_RC_YIELDED`, `TPM_RC_TESTING`: the provider sends them again, as the TSS does),
    /// which a TPM that just started answers when it has yet to test an algorithm.
    fn expect_but_retries(log: &mut PcapLog, what: &str, expected: &[&str]) {
        let exchanges = log.take();
        let all: Vec<String> = exchanges.iter().map(ToString::to_string).collect();
        println!("  {what}: {} commands {all:?}", all.len());
        let seen: Vec<String> = exchanges
            .iter()
            .filter(|exchange| !matches!(exchange.response, Some(0x922 | 0x908 | 0x90A)))
            .map(ToString::to_string)
            .collect();
        assert_eq!(seen, expected, "{what}");
    }

    /// A swtpm that has run every algorithm the provider uses once: a TPM tests an algorithm
    /// the first time it is used, and may answer `TPM_RC_TESTING` then (the command is sent
    /// again), which is a cost of the TPM's first minutes, not of the provider.
    fn warm_swtpm(work: &Path) -> Swtpm {
        let swtpm = Swtpm::start(&work.join("tpm-state"));
        let provider = TpmProvider::open(&swtpm.tcti(), &work.join("warm-up-keys")).unwrap();
        signs(&provider, &create(&provider));
        drop(provider);
        swtpm
    }

    fn steady_state_signing_is_one_command(work: &Path) {
        let swtpm = warm_swtpm(work);
        let mut log = capture();
        let provider = open(&swtpm, work);
        expect(&mut log, "open", &OPEN);
        let key = create(&provider);
        expect(&mut log, "create", &["Create"]);
        assert_eq!(
            provider.public_key(&key.key_id).unwrap(),
            key.public_key_spki_der
        );
        expect(&mut log, "public", &[]);
        signs(&provider, &key);
        expect(&mut log, "first sign after the create", &["Load", "Sign"]);
        for _ in 0..100 {
            signs(&provider, &key);
            assert_eq!(log.take_text(), ["Sign"], "a steady-state sign");
        }
        println!("  100 steady-state signs: 1 command each [\"Sign\"]");
        // A clean exit flushes the key and the primary.
        drop(provider);
        expect(&mut log, "drop", &["FlushContext", "FlushContext"]);
        assert_eq!(swtpm.transient_handles(), Vec::<String>::new());

        let provider = open(&swtpm, work);
        expect(&mut log, "open again", &OPEN);
        signs(&provider, &key);
        expect(&mut log, "first sign after start", &["Load", "Sign"]);
        signs(&provider, &key);
        expect(&mut log, "steady-state sign", &["Sign"]);
        // A delete flushes the loaded key (before the next operation's commands).
        let other = create(&provider);
        assert!(provider.delete(&key.key_id).unwrap());
        signs(&provider, &other);
        expect(
            &mut log,
            "create, delete of the loaded key, sign with the new one",
            &["Create", "FlushContext", "Load", "Sign"],
        );
        let error = provider.sign(&key.key_id, &payload()).unwrap_err();
        assert_eq!(error.kind(), Some(DomainErrorKind::KeyNotFound));
        expect(&mut log, "sign with the deleted key", &[]);
    }

    fn a_replaced_blob_is_loaded_afresh(work: &Path) {
        let swtpm = warm_swtpm(work);
        let provider = open(&swtpm, work);
        let first = create(&provider);
        let second = create(&provider);
        signs(&provider, &first);
        let mut log = capture();
        // The second key's blob under the first key's id: the handle loaded from the first blob
        // is flushed, never used; what signs is the blob on disk now.
        std::fs::copy(
            provider.blob_path(&second.key_id),
            provider.blob_path(&first.key_id),
        )
        .unwrap();
        let payload = payload();
        let signature = provider.sign(&first.key_id, &payload).unwrap();
        verify_der(&second.public_key_spki_der, payload.as_bytes(), &signature).unwrap();
        assert!(verify_der(&first.public_key_spki_der, payload.as_bytes(), &signature).is_err());
        expect(
            &mut log,
            "unchecked sign after the blob was replaced",
            &["FlushContext", "Load", "Sign"],
        );
        // As the store signs: the blob's public key is not the recorded one, nothing is sent.
        let error = provider
            .sign_checked(&first.key_id, &payload, &first.public_key_spki_der)
            .unwrap_err();
        assert_eq!(error.kind(), Some(DomainErrorKind::KeyIntegrityFailure));
        expect(&mut log, "checked sign after the blob was replaced", &[]);
    }

    fn three_slots(work: &Path) {
        let swtpm = warm_swtpm(work);
        let provider = open(&swtpm, work);
        let keys: Vec<ProviderKey> = (0..4).map(|_| create(&provider)).collect();
        let mut log = capture();
        // The primary and two keys fill swtpm's three slots; a third key takes the place of
        // the least recently used one, without a failed command.
        signs(&provider, &keys[0]);
        signs(&provider, &keys[1]);
        expect(&mut log, "two keys", &["Load", "Sign", "Load", "Sign"]);
        signs(&provider, &keys[2]);
        expect(&mut log, "a third", &["FlushContext", "Load", "Sign"]);
        signs(&provider, &keys[1]);
        expect(&mut log, "the second again", &["Sign"]);
        signs(&provider, &keys[0]);
        expect(
            &mut log,
            "the first again",
            &["FlushContext", "Load", "Sign"],
        );
        assert_eq!(swtpm.transient_handles().len(), 3);

        signs(&provider, &keys[3]);
        expect(&mut log, "a fourth", &["FlushContext", "Load", "Sign"]);
        assert!(provider.delete(&keys[3].key_id).unwrap());
        signs(&provider, &keys[0]);
        expect(
            &mut log,
            "delete of a loaded key",
            &["FlushContext", "Sign"],
        );

        // Another process took a slot (a TPM without a resource manager must have no other
        // user, but swtpm's TCTI lets one in between two commands): the provider flushes what
        // is not its own, and keeps its keys.
        assert_eq!(swtpm.fill_transient_slots(), 1);
        signs(&provider, &keys[2]);
        expect(
            &mut log,
            "a key loaded while another process holds a slot",
            &[
                "Load (answered 0x902)",
                "GetCapability",
                "FlushContext",
                "Load",
                "Sign",
            ],
        );
        // A create with every slot the provider's: its least recently used key makes room.
        let created = create(&provider);
        expect(
            &mut log,
            "a create with the slots full",
            &["FlushContext", "Create"],
        );
        // A create with a slot taken by another process.
        assert_eq!(swtpm.fill_transient_slots(), 1);
        create(&provider);
        expect(
            &mut log,
            "a create while another process holds a slot",
            &[
                "Create (answered 0x902)",
                "GetCapability",
                "FlushContext",
                "Create",
            ],
        );
        signs(&provider, &created);
        drop(provider);
        assert_eq!(swtpm.transient_handles(), Vec::<String>::new());
    }

    fn persistent_key(work: &Path) {
        let swtpm = warm_swtpm(work);
        let provider = open(&swtpm, work);
        let old = create(&provider);
        drop(provider);

        // An administrator makes the provider's primary persistent at 0x81000001.
        swtpm.persist_storage_key("ecc256:null:aes128cfb");
        let mut log = capture();
        let provider = open(&swtpm, work);
        expect(
            &mut log,
            "open with the storage key persistent",
            &[
                "GetCapability",
                "ReadPublic",
                "CreatePrimary",
                "FlushContext",
            ],
        );
        // The key made under the derived primary loads under the persistent one (it is the same
        // key). The TPM copies a persistent parent into an object slot while it loads a key,
        // so two keys stay loaded, as with the derived primary.
        let keys = [old, create(&provider), create(&provider)];
        expect(&mut log, "two creates", &["Create", "Create"]);
        signs(&provider, &keys[0]);
        signs(&provider, &keys[1]);
        signs(&provider, &keys[0]);
        expect(
            &mut log,
            "two keys signing",
            &["Load", "Sign", "Load", "Sign", "Sign"],
        );
        signs(&provider, &keys[2]);
        expect(&mut log, "a third key", &["FlushContext", "Load", "Sign"]);
        // Only the keys are transient objects: nothing to flush at start-up after a crash, and
        // nothing for the kernel's resource manager to swap in and out around each command.
        assert_eq!(swtpm.transient_handles().len(), 2);
        drop(provider);
        expect(
            &mut log,
            "drop (the persistent key stays)",
            &["FlushContext", "FlushContext"],
        );

        // Another key at that handle (another template) is left alone.
        swtpm.remove_persistent_storage_key();
        swtpm.persist_storage_key("ecc256:null:aes256cfb");
        let provider = open(&swtpm, work);
        expect(
            &mut log,
            "open with another key at 0x81000001",
            &["GetCapability", "ReadPublic", "CreatePrimary"],
        );
        signs(&provider, &keys[0]);
        expect(&mut log, "first sign", &["Load", "Sign"]);
    }

    fn restarted_tpm(work: &Path) {
        let mut swtpm = warm_swtpm(work);
        let provider = open(&swtpm, work);
        let key = create(&provider);
        signs(&provider, &key);
        let mut log = capture();
        // swtpm's TCTI connects for every command, so the restart goes unnoticed until a
        // command names an object the TPM no longer has.
        swtpm.restart();
        signs(&provider, &key);
        expect_but_retries(
            &mut log,
            "sign after a restart",
            &[
                "Sign (answered 0x910)",
                "GetCapability",
                "ReadPublic (answered 0x18b)",
                "CreatePrimary",
                "Load",
                "Sign",
            ],
        );
        signs(&provider, &key);
        expect(&mut log, "and then", &["Sign"]);
    }

    fn unclean_exit(work: &Path) {
        let swtpm = warm_swtpm(work);
        let provider = open(&swtpm, work);
        let key = create(&provider);
        signs(&provider, &key);
        // A process that ends without dropping its provider, as after `kill -9`, leaves its
        // primary and its key loaded (its worker thread stays behind here, idle).
        std::mem::forget(provider);
        assert_eq!(swtpm.transient_handles().len(), 2);
        let mut log = capture();
        let provider = open(&swtpm, work);
        expect(
            &mut log,
            "open after an unclean exit",
            &[
                "GetCapability",
                "FlushContext",
                "FlushContext",
                "ReadPublic (answered 0x18b)",
                "CreatePrimary",
            ],
        );
        signs(&provider, &key);
        expect(&mut log, "first sign", &["Load", "Sign"]);
    }
}
