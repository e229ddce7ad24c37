//! TPM attestation through the store, against swtpm "manufactured" with EK certificates
//! (`swtpm_setup --create-ek-cert`), with independent oracles: tpm2-tools reads the EK
//! certificate and the EK (`tpm2_nvread`, `tpm2_readpublic`, `tpm2_createek`), derives the AK
//! from the state directory's template (`tpm2_createprimary`) and makes credential challenges
//! (`tpm2_makecredential -T none`); openssl reads the certificate and verifies the AK's
//! signatures; the attestation structure is parsed here by hand. The TPM commands each
//! operation costs are read off libtss2's pcap TCTI, as `tpm_commands.rs` does, and a
//! pseudo-terminal stands in for a TPM device that stops answering.
//!
//! A test binary without libtest's harness: the pcap TCTI reads `TCTI_PCAP_FILE` when it is
//! opened, which is set here before any other thread exists. The checks run one after another.

fn main() {
    #[cfg(target_os = "linux")]
    linux::main();
    #[cfg(not(target_os = "linux"))]
    println!("TPM attestation is checked on Linux only");
}

#[cfg(target_os = "linux")]
mod linux {
    use std::io::{Read as _, Write as _};
    use std::os::unix::fs::PermissionsExt as _;
    use std::panic::{self, AssertUnwindSafe};
    use std::path::{Path, PathBuf};
    use std::process::Command;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    use devicekey_proof::{decode_base64, encode_base64, encode_base64url, DeviceKeyError};
    use devicekey_proof::{KeyId, Validated};
    use devicekey_protocol::types::{
        DeviceKeyCertifyResponse, DeviceKeyProtectionClass, DeviceKeyProtectionPolicy,
        DeviceTpmIdentityResponse, DomainErrorKind,
    };
    use devicekey_runtime::provider::tpm::{TpmOptions, TpmProvider};
    use devicekey_runtime::{
        BindingStore, DeviceKeyStore, KeyProvider, ManualClock, ProviderSet, StateDir,
    };
    use devicekey_testkit::pcap::PcapLog;
    use devicekey_testkit::swtpm::{provision_with_ek_certificates, Swtpm};
    use devicekey_testkit::{connection_payload, Harness, ACCOUNT, CLIENT, NOW};
    use p256::pkcs8::DecodePublicKey as _;
    use serde_json::json;
    use sha2::{Digest as _, Sha256};

    type Check = fn(&Path);

    const CHECKS: [(&str, Check); 10] = [
        (
            "the_identity_is_the_tpms_ek_certificate_and_ek_and_the_state_directorys_ak",
            identity,
        ),
        (
            "without_a_persistent_ek_the_tcg_templates_are_derived_and_certificates_read_in_chunks",
            derived_eks,
        ),
        (
            "a_challenge_for_the_ek_and_the_ak_is_answered_and_any_other_refused",
            activation,
        ),
        (
            "a_certification_verifies_with_openssl_and_names_the_key_and_the_nonce",
            certification,
        ),
        (
            "attestation_with_the_object_slots_full_leaves_the_steady_sign_path_alone",
            object_slots,
        ),
        (
            "without_a_tpm_every_attestation_method_is_unavailable",
            no_tpm,
        ),
        (
            "a_record_not_to_be_trusted_and_a_changed_endorsement_seed_are_refused",
            record_refusals,
        ),
        (
            "the_start_up_reconciliation_leaves_the_attestation_key_alone",
            reconciliation,
        ),
        (
            "a_key_created_after_the_persistent_parent_was_replaced_still_loads",
            replaced_parent,
        ),
        (
            "a_device_that_stops_answering_frees_the_worker_at_the_deadline",
            silent_device,
        ),
    ];

    pub(super) fn main() {
        let dir = tempfile::tempdir().unwrap();
        let capture = dir.path().join("tpm.pcapng");
        // Before any thread but this one exists (see the module docs).
        std::env::set_var("TCTI_PCAP_FILE", &capture);
        // `TPM_ATTESTATION_CHECK=<part of a name>` runs only the checks whose name has it.
        let only = std::env::var("TPM_ATTESTATION_CHECK").unwrap_or_default();
        let checks: Vec<(&str, Check)> = CHECKS
            .into_iter()
            .filter(|(name, _)| name.contains(only.as_str()))
            .collect();
        let mut failed = Vec::new();
        for &(name, check) in &checks {
            println!("tpm_attestation::{name} ...");
            let work = dir.path().join(name);
            std::fs::create_dir_all(&work).unwrap();
            match panic::catch_unwind(AssertUnwindSafe(|| check(&work))) {
                Ok(()) => println!("tpm_attestation::{name} ... ok"),
                Err(_) => {
                    println!("tpm_attestation::{name} ... FAILED");
                    failed.push(name);
                }
            }
        }
        if !failed.is_empty() {
            eprintln!("failed: {failed:?}");
            std::process::exit(1);
        }
        println!("test result: ok. {} passed", checks.len());
    }

    // ---------------------------------------------------------------------------------------
    // Fixtures

    /// A swtpm manufactured with an RSA 2048 EK certificate (and an ECC P-384 one), its
    /// persistent EKs made, started.
    fn manufactured_swtpm(work: &Path) -> Swtpm {
        let state = work.join("tpm-state");
        provision_with_ek_certificates(&state, &work.join("ca"));
        Swtpm::start(&state)
    }

    /// A provider on `swtpm` (through the pcap TCTI) with its blobs in `state`'s `tpm/`.
    fn provider(swtpm: &Swtpm, state: &Path) -> Arc<TpmProvider> {
        Arc::new(TpmProvider::open(&swtpm.pcap_tcti(), &state.join("tpm")).unwrap())
    }

    /// A store over `state` (its binding database opened first, then the provider).
    fn store(swtpm: &Swtpm, state: &Path) -> (DeviceKeyStore, Arc<TpmProvider>) {
        let state_dir = StateDir::open(state).unwrap();
        let bindings = BindingStore::open(state_dir.bindings_path()).unwrap();
        let provider = provider(swtpm, state);
        let providers: Vec<Arc<dyn KeyProvider>> = vec![provider.clone()];
        let store = DeviceKeyStore::builder(ProviderSet::new(providers), bindings)
            .clock(Arc::new(ManualClock::new(NOW)))
            .build();
        (store, provider)
    }

    fn identity_of(store: &DeviceKeyStore) -> Result<Identity, DeviceKeyError> {
        store
            .tpm_identity_blocking(Validated::from_json(json!({}))?)
            .map(Identity::of)
    }

    fn activate(
        store: &DeviceKeyStore,
        blob: &[u8],
        secret: &[u8],
    ) -> Result<Vec<u8>, DeviceKeyError> {
        let params = Validated::from_json(json!({
            "credentialBlobBase64": encode_base64(blob),
            "encryptedSecretBase64": encode_base64(secret),
        }))?;
        let answer = store.activate_credential_blocking(params)?;
        Ok(decode_base64(&answer.secret_base64).unwrap())
    }

    fn certify(
        store: &DeviceKeyStore,
        key_id: &str,
        nonce: &[u8; 32],
    ) -> Result<DeviceKeyCertifyResponse, DeviceKeyError> {
        let params =
            Validated::from_json(json!({"keyId": key_id, "nonce": encode_base64url(nonce)}))?;
        store.certify_blocking(params)
    }

    /// A `dk_tpm_` key bound to the fixtures' account and client: its id and SPKI.
    fn create_key(store: &DeviceKeyStore) -> (String, Vec<u8>) {
        let created = store
            .create_blocking(
                Validated::from_json(json!({
                    "protectionPolicy": "hardware_only",
                    "accountUserId": ACCOUNT,
                    "clientId": CLIENT,
                }))
                .unwrap(),
            )
            .unwrap();
        assert!(created.key_id.as_str().starts_with("dk_tpm_"));
        (
            created.key_id.as_str().to_owned(),
            decode_base64(&created.public_key_spki_der_base64).unwrap(),
        )
    }

    /// A signature through the store, checked with the key's SPKI.
    fn sign(store: &DeviceKeyStore, key: &(String, Vec<u8>)) {
        let signed = store
            .sign_blocking(
                Validated::from_json(json!({"keyId": key.0, "payload": connection_payload()}))
                    .unwrap(),
            )
            .unwrap();
        devicekey_proof::verify_der(
            &key.1,
            &decode_base64(&signed.signed_payload_base64).unwrap(),
            &decode_base64(&signed.signature_der_base64).unwrap(),
        )
        .unwrap();
    }

    /// An identity answer's bytes.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Identity {
        ek_certificate: Option<Vec<u8>>,
        ek_public: Vec<u8>,
        ak_public: Vec<u8>,
    }

    impl Identity {
        fn of(answer: DeviceTpmIdentityResponse) -> Identity {
            Identity {
                ek_certificate: answer
                    .ek_certificate_der_base64
                    .map(|field| decode_base64(&field).unwrap()),
                ek_public: decode_base64(&answer.ek_public_area_base64).unwrap(),
                ak_public: decode_base64(&answer.ak_public_area_base64).unwrap(),
            }
        }

        /// The AK's name: SHA-256's algorithm id and the SHA-256 of its public area.
        fn ak_name(&self) -> Vec<u8> {
            name_of(&self.ak_public)
        }
    }

    fn name_of(public: &[u8]) -> Vec<u8> {
        let mut name = vec![0x00, 0x0B];
        name.extend_from_slice(&Sha256::digest(public));
        name
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    fn tpm2b(bytes: &[u8]) -> Vec<u8> {
        let mut out = (bytes.len() as u16).to_be_bytes().to_vec();
        out.extend_from_slice(bytes);
        out
    }

    fn random_32() -> [u8; 32] {
        let mut bytes = [0u8; 32];
        rand::fill(&mut bytes);
        bytes
    }

    /// Runs `program` in `dir`; its standard output, or a panic with its standard error.
    fn run(dir: &Path, program: &str, args: &[&str]) -> String {
        let output = Command::new(program)
            .args(args)
            .current_dir(dir)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap_or_else(|error| panic!("could not run {program}: {error}"));
        assert!(
            output.status.success(),
            "{program} {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// `tpm2` tool `tool` against `swtpm`, run in `dir`.
    fn tpm2_in(swtpm: &Swtpm, dir: &Path, tool: &str, args: &[&str]) -> String {
        let output = Command::new(tool)
            .args(args)
            .current_dir(dir)
            .env("TPM2TOOLS_TCTI", swtpm.tcti())
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap_or_else(|error| panic!("could not run {tool}: {error}"));
        assert!(
            output.status.success(),
            "{tool} {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// The AK's public area, checked field by field against the AK template (TPM 2.0 Part 2
    /// offsets of an ECC `TPMT_PUBLIC`), and its point: the P-256 key.
    fn ak_key(public: &[u8]) -> p256::PublicKey {
        assert_eq!(public.len(), 88, "{}", hex(public));
        assert_eq!(&public[0..4], &[0x00, 0x23, 0x00, 0x0B], "ECC, SHA-256");
        // fixedTPM | fixedParent | sensitiveDataOrigin | userWithAuth | restricted | sign.
        assert_eq!(
            u32::from_be_bytes(public[4..8].try_into().unwrap()),
            0x0005_0072
        );
        assert_eq!(&public[8..10], &[0, 0], "no authPolicy");
        assert_eq!(
            &public[10..22],
            &[0x00, 0x10, 0x00, 0x18, 0x00, 0x0B, 0x00, 0x03, 0x00, 0x10, 0x00, 0x20],
            "symmetric NULL, ECDSA-SHA256, NIST P-256, kdf NULL, a 32-byte x"
        );
        assert_eq!(&public[54..56], &[0x00, 0x20], "a 32-byte y");
        point_key(&public[22..54], &public[56..88])
    }

    fn point_key(x: &[u8], y: &[u8]) -> p256::PublicKey {
        let mut sec1 = vec![0x04];
        sec1.extend_from_slice(x);
        sec1.extend_from_slice(y);
        p256::PublicKey::from_sec1_bytes(&sec1).expect("a point on P-256")
    }

    /// The SubjectPublicKeyInfo DER of a P-256 point, written out by hand (RFC 5480).
    fn spki_of_point(x: &[u8], y: &[u8]) -> Vec<u8> {
        let mut der = vec![
            0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01, 0x06,
            0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04,
        ];
        der.extend_from_slice(x);
        der.extend_from_slice(y);
        der
    }

    fn assert_kind(
        outcome: Result<impl std::fmt::Debug, DeviceKeyError>,
        kind: DomainErrorKind,
    ) -> String {
        let error = outcome.unwrap_err();
        assert_eq!(error.kind(), Some(kind), "{error}");
        error.message().to_owned()
    }

    fn capture() -> PcapLog {
        PcapLog::from_now(std::env::var_os("TCTI_PCAP_FILE").unwrap())
    }

    /// The commands recorded since the last look, leaving out those the TPM answered with
    /// "try again" (`TPM_RC_RETRY`, `TPM_RC_YIELDED`, `TPM_RC_TESTING`: the provider sends them
    /// again), which a TPM that just started answers while it tests an algorithm the first time
    /// it is used; printed, all of them.
    fn commands(log: &mut PcapLog, what: &str) -> Vec<String> {
        let exchanges = log.take();
        let all: Vec<String> = exchanges.iter().map(ToString::to_string).collect();
        println!("  {what}: {} commands {all:?}", all.len());
        exchanges
            .iter()
            .filter(|exchange| !matches!(exchange.response, Some(0x922 | 0x908 | 0x90A)))
            .map(ToString::to_string)
            .collect()
    }

    /// Checks that the commands recorded since the last look are `expected` (see
    /// [`commands`]).
    fn expect(log: &mut PcapLog, what: &str, expected: &[&str]) {
        assert_eq!(commands(log, what), expected, "{what}");
    }

    /// The AK `tpm2_createprimary` derives from the record's template in the endorsement
    /// hierarchy (the record holds `unique.x` after its 8-byte magic): its `TPMT_PUBLIC`. Run
    /// while no provider is connected.
    fn ak_by_the_tools(swtpm: &Swtpm, state: &Path, dir: &Path) -> Vec<u8> {
        let record = std::fs::read(state.join("tpm/attestation-key")).unwrap();
        let unique = &record[8..40];
        // tpm2-tools takes TPMU_PUBLIC_ID as the C structure: TPMS_ECC_POINT of two
        // TPM2B_ECC_PARAMETERs, each a little-endian size and a 128-byte buffer.
        let mut unique_file = 32u16.to_le_bytes().to_vec();
        unique_file.extend_from_slice(unique);
        unique_file.resize(2 + 128, 0);
        unique_file.extend_from_slice(&[0; 2 + 128]);
        std::fs::write(dir.join("unique.dat"), unique_file).unwrap();
        tpm2_in(
            swtpm,
            dir,
            "tpm2_createprimary",
            &[
                "-C",
                "e",
                "-g",
                "sha256",
                "-G",
                "ecc256:ecdsa-sha256:null",
                "-a",
                "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign",
                "-u",
                "unique.dat",
                "-c",
                "ak.ctx",
            ],
        );
        tpm2_in(
            swtpm,
            dir,
            "tpm2_readpublic",
            &["-c", "ak.ctx", "-o", "ak.pub"],
        );
        tpm2_in(swtpm, dir, "tpm2_flushcontext", &["-t"]);
        std::fs::read(dir.join("ak.pub")).unwrap()[2..].to_vec()
    }

    // ---------------------------------------------------------------------------------------
    // Checks

    fn identity(work: &Path) {
        let swtpm = manufactured_swtpm(work);
        // The tools first (a provider counts itself the TPM's only user).
        tpm2_in(
            &swtpm,
            work,
            "tpm2_nvread",
            &["-C", "o", "0x01c00002", "-o", "ek-cert.der"],
        );
        tpm2_in(
            &swtpm,
            work,
            "tpm2_readpublic",
            &["-c", "0x81010001", "-o", "ek.pub"],
        );
        let certificate = std::fs::read(work.join("ek-cert.der")).unwrap();
        let ek_tpm2b = std::fs::read(work.join("ek.pub")).unwrap();
        let modulus = run(
            work,
            "openssl",
            &[
                "x509",
                "-inform",
                "DER",
                "-in",
                "ek-cert.der",
                "-noout",
                "-modulus",
            ],
        );
        let modulus = modulus
            .trim()
            .strip_prefix("Modulus=")
            .unwrap()
            .to_lowercase();

        let state = work.join("state-a");
        let (store, provider) = store(&swtpm, &state);
        let first = identity_of(&store).unwrap();
        assert_eq!(first.ek_certificate.as_deref(), Some(&certificate[..]));
        // The persistent EK, as tpm2-tools reads it: RSA 2048, template L-1's attributes and
        // policy, and the certificate's key.
        assert_eq!(first.ek_public, ek_tpm2b[2..]);
        let ek = &first.ek_public;
        assert_eq!(ek.len(), 314);
        assert_eq!(&ek[0..8], &[0x00, 0x01, 0x00, 0x0B, 0x00, 0x03, 0x00, 0xB2]);
        assert_eq!(
            hex(&ek[10..42]),
            "837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa"
        );
        assert_eq!(&ek[56..58], &[0x01, 0x00]);
        assert_eq!(hex(&ek[58..]), modulus, "the certificate certifies this EK");

        // The AK: the template's attributes, a point on the curve that openssl reads.
        let ak = ak_key(&first.ak_public);
        let ak_spki = spki_of_point(&first.ak_public[22..54], &first.ak_public[56..88]);
        assert_eq!(
            p256::PublicKey::from_public_key_der(&ak_spki).ok(),
            Some(ak)
        );
        std::fs::write(work.join("ak.der"), &ak_spki).unwrap();
        let text = run(
            work,
            "openssl",
            &[
                "pkey", "-pubin", "-inform", "DER", "-in", "ak.der", "-noout", "-text",
            ],
        );
        assert!(
            text.contains("prime256v1") || text.contains("P-256"),
            "{text}"
        );
        // The record: private, and the same AK at every call and every connection.
        let record = state.join("tpm/attestation-key");
        let mode = std::fs::metadata(&record).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(identity_of(&store).unwrap(), first);
        drop(store);
        drop(provider);
        // Derived again by tpm2-tools from the recorded template: the same key.
        assert_eq!(ak_by_the_tools(&swtpm, &state, work), first.ak_public);
        let (store, provider) = self::store(&swtpm, &state);
        assert_eq!(identity_of(&store).unwrap(), first);
        // The async entry point answers the same.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let answer = runtime
            .block_on(store.tpm_identity(Validated::from_json(json!({})).unwrap()))
            .unwrap();
        assert_eq!(Identity::of(answer), first);
        drop(store);
        drop(provider);

        // Another state directory on the same TPM: the same EK, another AK.
        let (other_store, _other) = self::store(&swtpm, &work.join("state-b"));
        let other = identity_of(&other_store).unwrap();
        assert_eq!(other.ek_certificate, first.ek_certificate);
        assert_eq!(other.ek_public, first.ek_public);
        ak_key(&other.ak_public);
        assert_ne!(other.ak_public, first.ak_public);
        println!(
            "  EK certificate {} bytes, AK {}",
            certificate.len(),
            hex(&first.ak_name())
        );
    }

    fn derived_eks(work: &Path) {
        // A TPM with no EK certificate and no persistent EK.
        let swtpm = Swtpm::start(&work.join("tpm-state"));
        let state = work.join("state");
        let (store, provider) = store(&swtpm, &state);
        let rsa = identity_of(&store).unwrap();
        assert_eq!(rsa.ek_certificate, None);
        drop(store);
        drop(provider);
        tpm2_in(
            &swtpm,
            work,
            "tpm2_createek",
            &["-G", "rsa", "-c", "rsa.ctx", "-u", "rsa.pub"],
        );
        tpm2_in(&swtpm, work, "tpm2_flushcontext", &["-t"]);
        assert_eq!(
            rsa.ek_public,
            std::fs::read(work.join("rsa.pub")).unwrap()[2..],
            "template L-1, as tpm2_createek makes it"
        );

        // An ECC P-256 EK certificate index (defined here by the owner, readable by the owner
        // only, holding the certificate and padding, more than one NV read long).
        run(
            work,
            "openssl",
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:4096",
                "-nodes",
                "-keyout",
                "ca.key",
                "-subj",
                "/CN=devicekey test EK",
                "-days",
                "2",
                "-outform",
                "DER",
                "-out",
                "ek-ecc.der",
            ],
        );
        let certificate = std::fs::read(work.join("ek-ecc.der")).unwrap();
        assert!(certificate.len() > 1024, "{}", certificate.len());
        let mut padded = certificate.clone();
        padded.resize(certificate.len() + 200, 0);
        std::fs::write(work.join("padded.der"), &padded).unwrap();
        let size = padded.len().to_string();
        tpm2_in(
            &swtpm,
            work,
            "tpm2_nvdefine",
            &[
                "0x01c0000a",
                "-C",
                "o",
                "-s",
                &size,
                "-a",
                "ownerread|ownerwrite",
            ],
        );
        tpm2_in(
            &swtpm,
            work,
            "tpm2_nvwrite",
            &["0x01c0000a", "-C", "o", "-i", "padded.der"],
        );
        let (store, provider) = self::store(&swtpm, &state);
        let mut log = capture();
        let ecc = identity_of(&store).unwrap();
        let seen = commands(&mut log, "identity with an ECC certificate");
        assert_eq!(ecc.ek_certificate.as_deref(), Some(&certificate[..]));
        assert_eq!(ecc.ak_public, rsa.ak_public);
        assert_eq!(ecc.ek_public.len(), 122);
        // The AK; no RSA index, the ECC one; its buffer size; the index's own authorization
        // refused, the owner's in two reads; no persistent ECC EK, so one derived and flushed.
        assert_eq!(
            seen[..3],
            [
                "CreatePrimary",
                "FlushContext",
                "NV_ReadPublic (answered 0x18b)"
            ]
        );
        assert_eq!(seen[3..5], ["NV_ReadPublic", "GetCapability"]);
        assert!(seen[5].starts_with("NV_Read (answered 0x"), "{}", seen[5]);
        assert_eq!(
            seen[6..],
            [
                "NV_Read",
                "NV_Read",
                "ReadPublic (answered 0x18b)",
                "CreatePrimary",
                "FlushContext"
            ]
        );
        // A challenge for the ECC EK (its secret a point) is answered too.
        let secret = random_32();
        let (blob, encrypted) = make_credential(work, &ecc.ek_public, &ecc.ak_name(), &secret);
        assert_eq!(activate(&store, &blob, &encrypted).unwrap(), secret);
        drop(store);
        drop(provider);
        tpm2_in(
            &swtpm,
            work,
            "tpm2_createek",
            &["-G", "ecc", "-c", "ecc.ctx", "-u", "ecc.pub"],
        );
        tpm2_in(&swtpm, work, "tpm2_flushcontext", &["-t"]);
        assert_eq!(
            ecc.ek_public,
            std::fs::read(work.join("ecc.pub")).unwrap()[2..],
            "template L-2, as tpm2_createek makes it"
        );
        assert!(swtpm.transient_handles().is_empty());
    }

    /// A credential challenge by tpm2-tools (in software, `-T none`) for the EK `ek_public`
    /// and the name `name`: the `TPM2B_ID_OBJECT`'s and the `TPM2B_ENCRYPTED_SECRET`'s
    /// contents, read off its output (`0xBADCC0DE`, version 1, then the two TPM2Bs).
    fn make_credential(
        dir: &Path,
        ek_public: &[u8],
        name: &[u8],
        secret: &[u8],
    ) -> (Vec<u8>, Vec<u8>) {
        std::fs::write(dir.join("ek-for-challenge.pub"), tpm2b(ek_public)).unwrap();
        std::fs::write(dir.join("secret.bin"), secret).unwrap();
        run(
            dir,
            "tpm2_makecredential",
            &[
                "-T",
                "none",
                "-u",
                "ek-for-challenge.pub",
                "-s",
                "secret.bin",
                "-n",
                &hex(name),
                "-o",
                "cred.out",
            ],
        );
        let out = std::fs::read(dir.join("cred.out")).unwrap();
        assert_eq!(&out[..8], &[0xBA, 0xDC, 0xC0, 0xDE, 0, 0, 0, 1]);
        let blob_size = usize::from(u16::from_be_bytes([out[8], out[9]]));
        let blob = out[10..10 + blob_size].to_vec();
        let rest = &out[10 + blob_size..];
        let secret_size = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
        assert_eq!(rest.len(), 2 + secret_size);
        (blob, rest[2..].to_vec())
    }

    fn activation(work: &Path) {
        let swtpm = manufactured_swtpm(work);
        let (store, provider) = store(&swtpm, &work.join("state"));
        let identity = identity_of(&store).unwrap();
        let secret = random_32();
        let (blob, encrypted) =
            make_credential(work, &identity.ek_public, &identity.ak_name(), &secret);
        assert_eq!(activate(&store, &blob, &encrypted).unwrap(), secret);
        // Again, with another secret (the policy session of the first was closed by the TPM).
        let secret = random_32();
        let (blob, encrypted) =
            make_credential(work, &identity.ek_public, &identity.ak_name(), &secret);
        assert_eq!(activate(&store, &blob, &encrypted).unwrap(), secret);

        let refused = "does not match this TPM's endorsement key and attestation key";
        let mut log = capture();
        // For another key's name.
        let (other_blob, other_encrypted) =
            make_credential(work, &identity.ek_public, &name_of(b"another key"), &secret);
        let outcome = activate(&store, &other_blob, &other_encrypted);
        commands(&mut log, "a challenge for another name");
        let message = assert_kind(outcome, DomainErrorKind::CryptoFailure);
        assert!(message.contains(refused), "{message}");
        // A blob or a secret altered.
        let mut tampered = blob.clone();
        tampered[5] ^= 0x01;
        let outcome = activate(&store, &tampered, &encrypted);
        commands(&mut log, "a tampered blob");
        let message = assert_kind(outcome, DomainErrorKind::CryptoFailure);
        assert!(message.contains(refused), "{message}");
        let mut tampered = encrypted.clone();
        tampered[100] ^= 0x01;
        let message = assert_kind(
            activate(&store, &blob, &tampered),
            DomainErrorKind::CryptoFailure,
        );
        assert!(message.contains(refused), "{message}");
        commands(&mut log, "tampered challenges");
        // Larger than any TPM's: refused before anything is sent.
        let error = activate(&store, &[1; 133], &encrypted).unwrap_err();
        assert_eq!(error.kind_str(), "invalidParams");
        assert_eq!(
            error.message(),
            "credentialBlobBase64 must hold 1 to 132 bytes (it holds 133): no TPM challenge is \
             larger"
        );
        let error = activate(&store, &blob, &[1; 513]).unwrap_err();
        assert_eq!(error.kind_str(), "invalidParams");
        assert!(error
            .message()
            .starts_with("encryptedSecretBase64 must hold 1 to 512 bytes"));
        // Empty ones (which the schema does not let through) are refused by the provider too.
        let attestation = provider.attestation().unwrap();
        let error = attestation
            .activate_credential(&[], &encrypted)
            .unwrap_err();
        assert_eq!(error.kind_str(), "invalidParams");
        assert!(
            error
                .message()
                .starts_with("credentialBlobBase64 must hold 1 to 132 bytes (it holds 0)"),
            "{error}"
        );
        let error = attestation.activate_credential(&blob, &[]).unwrap_err();
        assert_eq!(error.kind_str(), "invalidParams");
        expect(&mut log, "oversized challenges", &[]);
        // Nothing left behind: the primary only, and no session.
        assert_eq!(swtpm.transient_handles().len(), 1);
        let sessions = swtpm.tpm2("tpm2_getcap", &["handles-loaded-session"]);
        assert!(sessions.trim().is_empty(), "{sessions}");
        // The async entry point.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let params = Validated::from_json(json!({
            "credentialBlobBase64": encode_base64(&blob),
            "encryptedSecretBase64": encode_base64(&encrypted),
        }))
        .unwrap();
        let answer = runtime.block_on(store.activate_credential(params)).unwrap();
        assert_eq!(decode_base64(&answer.secret_base64).unwrap(), secret);
    }

    /// Reads a `TPMS_ATTEST` of `TPM2_Certify` field by field (TPM 2.0 Part 2, 10.12.12):
    /// magic, type, qualifiedSigner, extraData, clockInfo, firmwareVersion, then the certified
    /// name and qualified name; the extraData and the name.
    fn read_attest(attest: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let mut at = 0;
        let mut take = |count: usize| {
            let bytes = attest[at..at + count].to_vec();
            at += count;
            bytes
        };
        assert_eq!(take(4), [0xFF, 0x54, 0x43, 0x47], "TPM_GENERATED_VALUE");
        assert_eq!(take(2), [0x80, 0x17], "TPM_ST_ATTEST_CERTIFY");
        let tpm2b = |take: &mut dyn FnMut(usize) -> Vec<u8>| {
            let size = take(2);
            take(usize::from(u16::from_be_bytes([size[0], size[1]])))
        };
        let signer = tpm2b(&mut take);
        assert_eq!(signer.len(), 34);
        let extra_data = tpm2b(&mut take);
        take(17 + 8);
        let name = tpm2b(&mut take);
        let qualified = tpm2b(&mut take);
        assert_eq!(qualified.len(), 34);
        assert_eq!(at, attest.len(), "nothing after TPMS_CERTIFY_INFO");
        (extra_data, name)
    }

    fn certification(work: &Path) {
        let swtpm = manufactured_swtpm(work);
        let (store, provider) = store(&swtpm, &work.join("state"));
        let identity = identity_of(&store).unwrap();
        let key = create_key(&store);
        let nonce = random_32();
        let certified = certify(&store, &key.0, &nonce).unwrap();
        assert_eq!(certified.key_id.as_str(), key.0);
        let attest = decode_base64(&certified.attest_base64).unwrap();
        let signature = decode_base64(&certified.signature_der_base64).unwrap();
        let key_public = decode_base64(&certified.key_public_area_base64).unwrap();
        // openssl verifies the AK's signature with the AK's point.
        std::fs::write(
            work.join("ak.der"),
            spki_of_point(&identity.ak_public[22..54], &identity.ak_public[56..88]),
        )
        .unwrap();
        run(
            work,
            "openssl",
            &[
                "pkey", "-pubin", "-inform", "DER", "-in", "ak.der", "-out", "ak.pem",
            ],
        );
        std::fs::write(work.join("attest.bin"), &attest).unwrap();
        std::fs::write(work.join("sig.der"), &signature).unwrap();
        let verified = run(
            work,
            "openssl",
            &[
                "dgst",
                "-sha256",
                "-verify",
                "ak.pem",
                "-signature",
                "sig.der",
                "attest.bin",
            ],
        );
        assert_eq!(verified.trim(), "Verified OK");
        // The attestation is over the nonce and names the key's public area, whose point is the
        // key's and whose attributes keep it in the TPM.
        let (extra_data, name) = read_attest(&attest);
        assert_eq!(extra_data, nonce);
        assert_eq!(name, name_of(&key_public));
        assert_eq!(key_public.len(), 88);
        assert_eq!(&key_public[0..4], &[0x00, 0x23, 0x00, 0x0B]);
        // fixedTPM | fixedParent | sensitiveDataOrigin | userWithAuth | sign; no decrypt.
        assert_eq!(
            u32::from_be_bytes(key_public[4..8].try_into().unwrap()),
            0x0004_0072
        );
        assert_eq!(
            spki_of_point(&key_public[22..54], &key_public[56..88]),
            key.1,
            "the certified point is the key's"
        );
        // Another nonce, another attestation; the async entry point.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let other_nonce = random_32();
        let params =
            Validated::from_json(json!({"keyId": key.0, "nonce": encode_base64url(&other_nonce)}))
                .unwrap();
        let again = runtime.block_on(store.certify(params)).unwrap();
        let (extra_data, _) = read_attest(&decode_base64(&again.attest_base64).unwrap());
        assert_eq!(extra_data, other_nonce);

        // Keys in no TPM, unknown keys, keys whose blob went or was replaced.
        let software = KeyId::from_parts(DeviceKeyProtectionClass::Software, &[1; 32]);
        let message = assert_kind(
            certify(&store, software.as_str(), &nonce),
            DomainErrorKind::AttestationUnavailable,
        );
        assert_eq!(
            message,
            "only dk_tpm_ keys can be certified: software keys are not in a TPM"
        );
        let unknown = KeyId::from_parts(DeviceKeyProtectionClass::HardwareTpm, &[2; 32]);
        assert_kind(
            certify(&store, unknown.as_str(), &nonce),
            DomainErrorKind::KeyNotFound,
        );
        let second = create_key(&store);
        let first_id = KeyId::parse(&key.0).unwrap();
        let second_id = KeyId::parse(&second.0).unwrap();
        std::fs::copy(
            provider.blob_path(&second_id),
            provider.blob_path(&first_id),
        )
        .unwrap();
        assert_kind(
            certify(&store, &key.0, &nonce),
            DomainErrorKind::KeyIntegrityFailure,
        );
        std::fs::remove_file(provider.blob_path(&first_id)).unwrap();
        assert_kind(
            certify(&store, &key.0, &nonce),
            DomainErrorKind::KeyNotFound,
        );
        // The AK and the EK are gone after each: the primary and the cached keys remain. (A
        // signature first: the flush of the key whose blob went is queued, not waited for, and
        // the tools must not run while the provider's commands do.)
        sign(&store, &second);
        assert!(swtpm.transient_handles().len() <= 3);
        drop(store);
        drop(provider);
        assert!(swtpm.transient_handles().is_empty());
    }

    fn object_slots(work: &Path) {
        let swtpm = manufactured_swtpm(work);
        let (store, provider) = store(&swtpm, &work.join("state"));
        let identity = identity_of(&store).unwrap();
        let keys = [create_key(&store), create_key(&store)];
        // The primary and two keys: swtpm's three slots, all the provider's.
        sign(&store, &keys[0]);
        sign(&store, &keys[1]);
        assert_eq!(swtpm.transient_handles().len(), 3);
        let mut log = capture();
        sign(&store, &keys[1]);
        expect(&mut log, "a steady sign", &["Sign"]);

        // The AK takes the slot of the least recently used key, and is flushed.
        assert_eq!(identity_of(&store).unwrap(), identity);
        expect(
            &mut log,
            "identity with the slots full",
            &[
                "FlushContext",
                "CreatePrimary",
                "FlushContext",
                "NV_ReadPublic",
                "GetCapability",
                "NV_Read",
                "ReadPublic",
            ],
        );
        sign(&store, &keys[1]);
        expect(&mut log, "the cached key signs as before", &["Sign"]);

        // The persistent EK takes a slot whenever a command names it: the cached key makes
        // room.
        let secret = random_32();
        let (blob, encrypted) =
            make_credential(work, &identity.ek_public, &identity.ak_name(), &secret);
        assert_eq!(activate(&store, &blob, &encrypted).unwrap(), secret);
        expect(
            &mut log,
            "activation",
            &[
                "CreatePrimary",
                "NV_ReadPublic",
                "FlushContext",
                "ReadPublic",
                "StartAuthSession",
                "PolicySecret",
                "ActivateCredential",
                "FlushContext",
            ],
        );
        sign(&store, &keys[1]);
        sign(&store, &keys[1]);
        expect(
            &mut log,
            "a key evicted for it loads once",
            &["Load", "Sign", "Sign"],
        );

        // The key being certified stays; the other makes room for the AK.
        let nonce = random_32();
        certify(&store, &keys[0].0, &nonce).unwrap();
        expect(
            &mut log,
            "certification",
            &[
                "Load",
                "FlushContext",
                "CreatePrimary",
                "Certify",
                "FlushContext",
            ],
        );
        sign(&store, &keys[0]);
        expect(
            &mut log,
            "the certified key signs with one command",
            &["Sign"],
        );
        for _ in 0..10 {
            sign(&store, &keys[0]);
            assert_eq!(log.take_text(), ["Sign"], "a steady-state sign");
        }
        // Only the provider's own objects are left: the primary and the certified key.
        assert_eq!(swtpm.transient_handles().len(), 2);
        sign(&store, &keys[1]);
        assert_eq!(swtpm.transient_handles().len(), 3);
        expect(&mut log, "both keys cached again", &["Load", "Sign"]);

        // Another process took the last slot: its object is flushed, as for a load.
        drop(store);
        drop(provider);
        let (store, _provider) = self::store(&swtpm, &work.join("state"));
        sign(&store, &keys[0]);
        assert_eq!(swtpm.fill_transient_slots(), 1);
        log.take();
        certify(&store, &keys[0].0, &nonce).unwrap();
        expect(
            &mut log,
            "certification while another process holds a slot",
            &[
                "CreatePrimary (answered 0x902)",
                "GetCapability",
                "FlushContext",
                "CreatePrimary",
                "Certify",
                "FlushContext",
            ],
        );
    }

    fn no_tpm(_work: &Path) {
        // The fixtures' store: the software provider, and the unsupported one for the platform
        // classes; then a store of the software provider alone.
        let harness = Harness::new();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let key = runtime.block_on(harness.create_key());
        let alone = {
            let dir = tempfile::tempdir().unwrap();
            let software = Arc::new(devicekey_testkit::software_provider(&dir));
            let providers: Vec<Arc<dyn KeyProvider>> = vec![software];
            let bindings = BindingStore::open(dir.path().join("bindings.sqlite3")).unwrap();
            (
                DeviceKeyStore::builder(ProviderSet::new(providers), bindings).build(),
                dir,
            )
        };
        let unavailable = "this server has no TPM: attestation needs the TPM provider";
        for store in [&harness.store, &alone.0] {
            let message = assert_kind(identity_of(store), DomainErrorKind::AttestationUnavailable);
            assert_eq!(message, unavailable);
            let message = assert_kind(
                activate(store, &[1; 68], &[2; 256]),
                DomainErrorKind::AttestationUnavailable,
            );
            assert_eq!(message, unavailable);
            for key_id in [
                key.as_str().to_owned(),
                KeyId::from_parts(DeviceKeyProtectionClass::HardwareTpm, &[3; 32])
                    .as_str()
                    .to_owned(),
            ] {
                let message = assert_kind(
                    certify(store, &key_id, &[4; 32]),
                    DomainErrorKind::AttestationUnavailable,
                );
                assert_eq!(message, unavailable);
            }
            let params = Validated::from_json(json!({})).unwrap();
            let error = runtime.block_on(store.tpm_identity(params)).unwrap_err();
            assert_eq!(error.kind(), Some(DomainErrorKind::AttestationUnavailable));
        }
    }

    fn record_refusals(work: &Path) {
        let swtpm = manufactured_swtpm(work);
        let state = work.join("state");
        let (store, provider) = store(&swtpm, &state);
        let before = identity_of(&store).unwrap();
        let key = create_key(&store);
        let record = state.join("tpm/attestation-key");
        let good = std::fs::read(&record).unwrap();
        let restore = || {
            let _ = std::fs::remove_dir(&record);
            let _ = std::fs::remove_file(&record);
            std::fs::write(&record, &good).unwrap();
            std::fs::set_permissions(&record, std::fs::Permissions::from_mode(0o600)).unwrap();
        };
        let untrusted = |outcome: Result<Identity, DeviceKeyError>, reason: &str| {
            let message = assert_kind(outcome, DomainErrorKind::KeyIntegrityFailure);
            assert!(message.contains("is not to be trusted"), "{message}");
            assert!(message.contains(reason), "{reason}: {message}");
            restore();
            assert_eq!(identity_of(&store).unwrap(), before);
        };
        // A symbolic link to a good copy.
        std::fs::write(work.join("copy"), &good).unwrap();
        std::fs::remove_file(&record).unwrap();
        std::os::unix::fs::symlink(work.join("copy"), &record).unwrap();
        untrusted(identity_of(&store), "symbolic link");
        // Writable by the group.
        std::fs::set_permissions(&record, std::fs::Permissions::from_mode(0o620)).unwrap();
        untrusted(
            identity_of(&store),
            "its group or others may write to it (mode 0620)",
        );
        // Another user's (root can hand it to one).
        if devicekey_runtime::current_uid() == 0 {
            std::os::unix::fs::chown(&record, Some(4242), None).unwrap();
            untrusted(identity_of(&store), "owned by uid 4242");
        } else {
            println!("  (not root: the record of another user is not made)");
        }
        // A directory; too large.
        std::fs::remove_file(&record).unwrap();
        std::fs::create_dir(&record).unwrap();
        untrusted(identity_of(&store), "it is a directory, not a regular file");
        let mut large = good.clone();
        large.resize(600, 0);
        std::fs::write(&record, &large).unwrap();
        untrusted(identity_of(&store), "more than the");
        // Damaged: another magic, cut short, an AK that is no point.
        for damaged in [
            [&b"DKTPMAK2"[..], &good[8..]].concat(),
            good[..good.len() - 1].to_vec(),
            [&good[..good.len() - 1], &[good[good.len() - 1] ^ 1]].concat(),
        ] {
            std::fs::write(&record, &damaged).unwrap();
            let message = assert_kind(identity_of(&store), DomainErrorKind::PlatformFailure);
            assert!(message.contains("is damaged"), "{message}");
            // Used for nothing else either.
            assert_kind(
                certify(&store, &key.0, &random_32()),
                DomainErrorKind::PlatformFailure,
            );
            restore();
        }
        assert_eq!(identity_of(&store).unwrap(), before);

        // The endorsement seed changes (TPM2_ChangeEPS, between providers): the recorded AK
        // is gone for good, and every attestation says so.
        drop(store);
        drop(provider);
        swtpm.tpm2("tpm2_changeeps", &[]);
        let (store, provider) = self::store(&swtpm, &state);
        let lost = |message: String| {
            assert!(message.contains("endorsement seed"), "{message}");
            assert!(message.contains("attestation-key"), "{message}");
        };
        lost(assert_kind(identity_of(&store), DomainErrorKind::KeyLost));
        lost(assert_kind(
            certify(&store, &key.0, &random_32()),
            DomainErrorKind::KeyLost,
        ));
        lost(assert_kind(
            activate(&store, &[1; 68], &[2; 256]),
            DomainErrorKind::KeyLost,
        ));
        // Nothing left loaded by the refusals: the primary and the key certify loaded.
        assert!(swtpm.transient_handles().len() <= 2);
        // The record moved away: a new AK, and a new EK (the persistent one went with the
        // seed, so it is derived).
        std::fs::rename(&record, work.join("old-record")).unwrap();
        let after = identity_of(&store).unwrap();
        ak_key(&after.ak_public);
        assert_ne!(after.ak_public, before.ak_public);
        assert_ne!(after.ek_public, before.ek_public);
        certify(&store, &key.0, &random_32()).unwrap();
        drop(store);
        drop(provider);
    }

    fn reconciliation(work: &Path) {
        let swtpm = manufactured_swtpm(work);
        let state = work.join("state");
        let (store, provider) = store(&swtpm, &state);
        let before = identity_of(&store).unwrap();
        let bound = create_key(&store);
        // A key without a binding (a create that was never recorded) and a record write that
        // was interrupted.
        let unbound = provider
            .create(DeviceKeyProtectionPolicy::HardwareOnly)
            .unwrap();
        let leftover = state.join("tpm/.attestation-key.4242.tmp");
        std::fs::write(&leftover, b"half a record").unwrap();
        drop(store);
        drop(provider);
        // The next start: the unbound key and the temporary file go, the record stays, and
        // the state directory's checks take it.
        let (store, provider) = self::store(&swtpm, &state);
        assert!(!provider.blob_path(&unbound.key_id).exists());
        assert!(!leftover.exists());
        assert!(state.join("tpm/attestation-key").is_file());
        assert_eq!(identity_of(&store).unwrap(), before);
        assert_eq!(
            provider.key_ids().unwrap().unwrap(),
            vec![KeyId::parse(&bound.0).unwrap()]
        );
        devicekey_runtime::check_state_dir(&state).unwrap();
        sign(&store, &bound);
    }

    fn replaced_parent(work: &Path) {
        let swtpm = Swtpm::start(&work.join("tpm-state"));
        swtpm.persist_storage_key("ecc256:null:aes128cfb");
        let key_dir = work.join("keys");
        let provider = TpmProvider::open(&swtpm.pcap_tcti(), &key_dir).unwrap();
        let before = provider
            .create(DeviceKeyProtectionPolicy::HardwareOnly)
            .unwrap();
        // Another key at 0x81000001 while the provider runs, and a create before any sign.
        swtpm.remove_persistent_storage_key();
        swtpm.persist_storage_key("rsa2048:null:aes128cfb");
        let mut log = capture();
        let after = provider
            .create(DeviceKeyProtectionPolicy::HardwareOnly)
            .unwrap();
        expect(
            &mut log,
            "a create under a replaced parent",
            &["Create", "ReadPublic", "CreatePrimary", "Create"],
        );
        drop(provider);
        // Both keys load, with the other key at the handle and without it.
        for other_key in [true, false] {
            if !other_key {
                swtpm.remove_persistent_storage_key();
            }
            let provider = TpmProvider::open(&swtpm.tcti(), &key_dir).unwrap();
            for key in [&before, &after] {
                let payload =
                    devicekey_proof::SignedPayload::from_json(connection_payload()).unwrap();
                let signature = provider
                    .sign_checked(&key.key_id, &payload, &key.public_key_spki_der)
                    .unwrap_or_else(|error| panic!("other key {other_key}: {error}"));
                devicekey_proof::verify_der(
                    &key.public_key_spki_der,
                    payload.as_bytes(),
                    &signature,
                )
                .unwrap();
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // A TPM device that stops answering: a pseudo-terminal in raw mode, whose other end a
    // thread here answers as a TPM would (enough of one for the provider to connect), until it
    // is told to leave one command unanswered.

    struct SilentDevice {
        path: PathBuf,
        /// Leave the next command unanswered.
        silent: Arc<AtomicBool>,
        /// The command codes received, in order.
        received: Arc<Mutex<Vec<u32>>>,
        /// Kept open so that the terminal stays configured and the other end sees no hang-up.
        _device: std::fs::File,
    }

    impl SilentDevice {
        fn start() -> SilentDevice {
            use rustix::pty::{grantpt, openpt, ptsname, unlockpt, OpenptFlags};
            use rustix::termios::{tcgetattr, tcsetattr, OptionalActions};
            let controller = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).unwrap();
            grantpt(&controller).unwrap();
            unlockpt(&controller).unwrap();
            let path = PathBuf::from(
                ptsname(&controller, Vec::new())
                    .unwrap()
                    .into_string()
                    .unwrap(),
            );
            let device = rustix::fs::open(
                &path,
                rustix::fs::OFlags::RDWR | rustix::fs::OFlags::NOCTTY,
                rustix::fs::Mode::empty(),
            )
            .unwrap();
            let mut termios = tcgetattr(&device).unwrap();
            termios.make_raw();
            tcsetattr(&device, OptionalActions::Now, &termios).unwrap();
            let silent = Arc::new(AtomicBool::new(false));
            let received = Arc::new(Mutex::new(Vec::new()));
            let (silent_flag, log) = (Arc::clone(&silent), Arc::clone(&received));
            let mut controller = std::fs::File::from(controller);
            std::thread::spawn(move || {
                let mut header = [0u8; 10];
                while controller.read_exact(&mut header).is_ok() {
                    let size = u32::from_be_bytes(header[2..6].try_into().unwrap()) as usize;
                    let mut body = vec![0u8; size.saturating_sub(10)];
                    if controller.read_exact(&mut body).is_err() {
                        return;
                    }
                    let code = u32::from_be_bytes(header[6..10].try_into().unwrap());
                    log.lock().unwrap().push(code);
                    if silent_flag.swap(false, Ordering::SeqCst) {
                        continue;
                    }
                    let answer = match code {
                        // TPM2_GetRandom: that many bytes.
                        0x17B => {
                            let count = u16::from_be_bytes([body[0], body[1]]);
                            let mut answer = count.to_be_bytes().to_vec();
                            answer.resize(2 + usize::from(count), 0x5A);
                            (0, answer)
                        }
                        // TPM2_GetCapability: none of what was asked for.
                        0x17A => (0, [&[0][..], &body[0..4], &[0, 0, 0, 0]].concat()),
                        // TPM2_ReadPublic: nothing at the handle.
                        0x173 => (0x18B, Vec::new()),
                        // Anything else: TPM_RC_FAILURE.
                        _ => (0x101, Vec::new()),
                    };
                    let mut message = 0x8001u16.to_be_bytes().to_vec();
                    message.extend_from_slice(&(10 + answer.1.len() as u32).to_be_bytes());
                    message.extend_from_slice(&(answer.0 as u32).to_be_bytes());
                    message.extend_from_slice(&answer.1);
                    if controller.write_all(&message).is_err() {
                        return;
                    }
                }
            });
            SilentDevice {
                path,
                silent,
                received,
                _device: std::fs::File::from(device),
            }
        }
    }

    fn silent_device(work: &Path) {
        let device = SilentDevice::start();
        let timeout = Duration::from_millis(1500);
        let tcti = format!("device:{}", device.path.display());
        let provider = TpmProvider::open_with(
            &tcti,
            &work.join("keys"),
            TpmOptions {
                connect_timeout: Duration::from_secs(5),
                operation_timeout: timeout,
            },
        )
        .unwrap();
        let opened = device.received.lock().unwrap().clone();
        println!("  opening: {opened:x?}");
        // The device TCTI's probe, the transient handles, the persistent handle, the primary
        // (refused: the provider opens all the same).
        assert_eq!(opened, [0x17B, 0x17A, 0x173, 0x131]);

        // The primary is derived again for a create; the device leaves it unanswered.
        device.silent.store(true, Ordering::SeqCst);
        let started = Instant::now();
        let error = provider
            .create(DeviceKeyProtectionPolicy::HardwareOnly)
            .unwrap_err();
        let waited = started.elapsed();
        assert_eq!(
            error.kind(),
            Some(DomainErrorKind::HardwareTimeout),
            "{error}"
        );
        assert!(waited >= timeout && waited < timeout * 2, "{waited:?}");
        // The worker gave up waiting at the deadline: the next request is served at once (it
        // connects again, and the device answers the create with a failure), not queued
        // behind a wait that never ends.
        let started = Instant::now();
        let error = provider
            .create(DeviceKeyProtectionPolicy::HardwareOnly)
            .unwrap_err();
        assert!(started.elapsed() < timeout, "{:?}", started.elapsed());
        assert_eq!(
            error.kind(),
            Some(DomainErrorKind::PlatformFailure),
            "{error}"
        );
        assert!(
            error.message().contains("the TPM failed to create a key"),
            "{error}"
        );
        let received = device.received.lock().unwrap().clone();
        println!("  then: {:x?}", &received[opened.len()..]);
        // The unanswered ReadPublic; the reconnection (probe, handles, persistent handle,
        // primary); the create's primary again, refused; the liveness probe.
        assert_eq!(
            received[opened.len()..],
            [0x173, 0x17B, 0x17A, 0x173, 0x131, 0x173, 0x131, 0x17B]
        );
    }
}
