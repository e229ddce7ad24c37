//! TPM key attestation against a real TPM: a swtpm manufactured by `swtpm_setup` with EK
//! certificates from a private CA, and tpm2-tools (with `tpm2_send` for TPM2_Certify and
//! TPM2_Quote with a nonce, which tpm2-tools 5.4's `tpm2_certify` cannot pass) as the TPM's
//! side, openssl for other keys and certificate authorities. Every refusal reason the TPM side
//! can produce is produced here by the TPM or by a change to what it returned.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use devicekey_proof::tpm::{
    check_identity, object_name, ActivatedAk, CredentialChallenge, EkTrust, EkTrustKind,
    PendingActivation, TpmAttest, TpmCertification, TpmIdentity, TpmPublic, TpmRefusal,
};
use devicekey_testkit::swtpm::{provision_with_ek_certificates, EkCertificateAuthority, Swtpm};

/// The AK template: a restricted ECDSA P-256 signing key, a primary of the endorsement
/// hierarchy.
const AK_ATTRIBUTES: &str = "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign";
/// The device key's attributes, as the device-key server creates them.
const KEY_ATTRIBUTES: &str = "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign";
/// Where swtpm_setup makes the RSA EK persistent, and its certificate's NV index.
const RSA_EK: &str = "0x81010001";
const RSA_EK_CERTIFICATE: &str = "0x01c00002";
/// The ECC P-384 EK swtpm_setup makes, and its certificate.
const P384_EK: &str = "0x81010016";
const P384_EK_CERTIFICATE: &str = "0x01c00016";
/// Where the tests make their AKs and keys persistent, for TPM2_Certify by handle.
const AK_HANDLE: u32 = 0x8100_0100;
const OTHER_AK_HANDLE: u32 = 0x8100_0101;
const KEY_HANDLE: u32 = 0x8100_0110;
/// The time of the checks: now.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or_default()
}

/// A TPM manufactured once per test run: its state (copied for each test) and its CA.
struct Manufactured {
    state: PathBuf,
    ca: EkCertificateAuthority,
}

/// TPM `which` ("a" or "b"), each with a CA of its own (unrelated manufacturers).
fn manufactured(which: &'static str) -> &'static Manufactured {
    static A: OnceLock<Manufactured> = OnceLock::new();
    static B: OnceLock<Manufactured> = OnceLock::new();
    let cell = if which == "a" { &A } else { &B };
    cell.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("tpm-attestation")
            .join(which);
        let _ = std::fs::remove_dir_all(&root);
        let state = root.join("state");
        let ca = provision_with_ek_certificates(&state, &root.join("ca"));
        Manufactured { state, ca }
    })
}

/// A key on the TPM: its context file, marshalled `TPMT_PUBLIC`, name as tpm2-tools computed
/// it, and its SubjectPublicKeyInfo DER (for keys made with `tpm2_create`).
struct Key {
    context: String,
    public: Vec<u8>,
    tool_name: Vec<u8>,
    spki: Vec<u8>,
}

/// A running copy of a manufactured TPM, with a directory for its files.
struct Tpm {
    swtpm: Swtpm,
    dir: tempfile::TempDir,
}

impl Tpm {
    fn start(which: &'static str) -> Tpm {
        let manufactured = manufactured(which);
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        std::fs::create_dir_all(&state).unwrap();
        for entry in std::fs::read_dir(&manufactured.state).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                std::fs::copy(entry.path(), state.join(entry.file_name())).unwrap();
            }
        }
        Tpm {
            swtpm: Swtpm::start(&state),
            dir,
        }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap()
    }

    /// Runs a tool, then flushes the transient objects it left (swtpm has three slots and no
    /// resource manager); the context files stay usable.
    fn try_run(&self, tool: &str, args: &[&str]) -> Result<String, String> {
        let result = self.swtpm.try_tpm2(tool, args);
        self.swtpm.tpm2("tpm2_flushcontext", &["-t"]);
        result
    }

    fn run(&self, tool: &str, args: &[&str]) -> String {
        self.try_run(tool, args)
            .unwrap_or_else(|error| panic!("{tool} {args:?} failed {error}"))
    }

    /// The `TPMT_PUBLIC` inside a `TPM2B_PUBLIC` file tpm2-tools wrote.
    fn public_area(&self, file: &str) -> Vec<u8> {
        let bytes = self.read(file);
        let size = usize::from(u16::from_be_bytes([bytes[0], bytes[1]]));
        assert_eq!(size + 2, bytes.len(), "{file} is one TPM2B_PUBLIC");
        bytes[2..].to_vec()
    }

    /// The public area of a persistent object.
    fn persistent_public(&self, handle: &str, label: &str) -> Vec<u8> {
        let file = format!("{label}.tss");
        self.run("tpm2_readpublic", &["-c", handle, "-o", &self.path(&file)]);
        self.public_area(&file)
    }

    /// An EK certificate from NV.
    fn nv_certificate(&self, index: &str, label: &str) -> Vec<u8> {
        let file = self.path(label);
        self.run("tpm2_nvread", &[index, "-C", "o", "-o", &file]);
        self.read(label)
    }

    /// A primary of the endorsement hierarchy with `algorithm` (tpm2-tools' `-G`) and
    /// `attributes`.
    fn create_ak(&self, label: &str, algorithm: &str, attributes: &str) -> Key {
        let context = self.path(&format!("{label}.ctx"));
        self.run(
            "tpm2_createprimary",
            &[
                "-C", "e", "-g", "sha256", "-G", algorithm, "-a", attributes, "-c", &context,
            ],
        );
        self.describe(label, context)
    }

    fn describe(&self, label: &str, context: String) -> Key {
        let public = format!("{label}.tss");
        let name = format!("{label}.name");
        self.run(
            "tpm2_readpublic",
            &[
                "-c",
                &context,
                "-o",
                &self.path(&public),
                "-n",
                &self.path(&name),
            ],
        );
        Key {
            context,
            public: self.public_area(&public),
            tool_name: self.read(&name),
            spki: Vec::new(),
        }
    }

    /// A key under an owner storage primary, loaded, with its SPKI from tpm2-tools' PEM through
    /// openssl.
    fn create_key(&self, label: &str, algorithm: &str, attributes: &str) -> Key {
        let srk = self.path("srk.ctx");
        self.run(
            "tpm2_createprimary",
            &[
                "-C",
                "o",
                "-g",
                "sha256",
                "-G",
                "ecc256:null:aes128cfb",
                "-c",
                &srk,
            ],
        );
        let (public, private) = (
            self.path(&format!("{label}.pub")),
            self.path(&format!("{label}.priv")),
        );
        self.run(
            "tpm2_create",
            &[
                "-C", &srk, "-g", "sha256", "-G", algorithm, "-a", attributes, "-u", &public, "-r",
                &private,
            ],
        );
        let context = self.path(&format!("{label}.ctx"));
        self.run(
            "tpm2_load",
            &["-C", &srk, "-u", &public, "-r", &private, "-c", &context],
        );
        let mut key = self.describe(label, context.clone());
        let pem = self.path(&format!("{label}.pem"));
        self.run(
            "tpm2_readpublic",
            &["-c", &context, "-f", "pem", "-o", &pem],
        );
        key.spki = openssl(&["pkey", "-pubin", "-in", &pem, "-outform", "der"]);
        key
    }

    fn persist(&self, key: &Key, handle: u32) {
        let handle = format!("{handle:#010x}");
        self.run(
            "tpm2_evictcontrol",
            &["-C", "o", "-c", &key.context, &handle],
        );
    }

    /// TPM2_ActivateCredential of `challenge` with `ak` and the EK `ek` (a handle or context),
    /// through the EK's PolicySecret(endorsement) session, from a tpm2-tools credential file:
    /// magic 0xBADCC0DE, version 1, TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET.
    fn activate(
        &self,
        ak: &Key,
        ek: &str,
        challenge: &CredentialChallenge,
    ) -> Result<Vec<u8>, String> {
        let mut file = vec![0xba, 0xdc, 0xc0, 0xde, 0, 0, 0, 1];
        for part in [&challenge.credential_blob, &challenge.encrypted_secret] {
            file.extend_from_slice(&(part.len() as u16).to_be_bytes());
            file.extend_from_slice(part);
        }
        let credential = self.path("credential.bin");
        std::fs::write(&credential, &file).unwrap();
        let session = self.path("session.ctx");
        let secret = self.path("secret.out");
        let _ = std::fs::remove_file(&secret);
        self.run(
            "tpm2_startauthsession",
            &["--policy-session", "-S", &session],
        );
        self.run("tpm2_policysecret", &["-S", &session, "-c", "e"]);
        let auth = format!("session:{session}");
        let result = self.try_run(
            "tpm2_activatecredential",
            &[
                "-c",
                &ak.context,
                "-C",
                ek,
                "-i",
                &credential,
                "-o",
                &secret,
                "-P",
                &auth,
            ],
        );
        let _ = self.swtpm.try_tpm2("tpm2_flushcontext", &[&session]);
        result.map(|_| self.read("secret.out"))
    }

    /// Sends a signing command by hand (tpm2_send): `code` with `handles`, a password session
    /// with the empty auth for each, and `parameters`; returns the response's TPM2B_ATTEST
    /// contents and its TPMT_SIGNATURE's ECDSA r and s as DER, as the server returns them.
    fn send_signing_command(
        &self,
        code: u32,
        handles: &[u32],
        parameters: &[u8],
    ) -> (Vec<u8>, Vec<u8>) {
        let mut body = Vec::new();
        for handle in handles {
            body.extend_from_slice(&handle.to_be_bytes());
        }
        let password_session = [0x40, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00];
        body.extend_from_slice(&((password_session.len() * handles.len()) as u32).to_be_bytes());
        for _ in handles {
            body.extend_from_slice(&password_session);
        }
        body.extend_from_slice(parameters);
        let mut command = vec![0x80, 0x02];
        command.extend_from_slice(&((10 + body.len()) as u32).to_be_bytes());
        command.extend_from_slice(&code.to_be_bytes());
        command.extend_from_slice(&body);
        let (command_file, response_file) = (self.path("command.bin"), self.path("response.bin"));
        std::fs::write(&command_file, &command).unwrap();
        self.run("tpm2_send", &["-o", &response_file, &command_file]);
        let response = self.read("response.bin");
        let code = u32::from_be_bytes(response[6..10].try_into().unwrap());
        assert_eq!(
            code, 0,
            "the TPM refused the command: response code {code:#x}"
        );
        // tag, size, code, parameterSize, then TPM2B_ATTEST and TPMT_SIGNATURE.
        let mut at = 14;
        let take_2b = |at: &mut usize| {
            let size = usize::from(u16::from_be_bytes([response[*at], response[*at + 1]]));
            let value = response[*at + 2..*at + 2 + size].to_vec();
            *at += 2 + size;
            value
        };
        let attest = take_2b(&mut at);
        assert_eq!(
            &response[at..at + 4],
            &[0x00, 0x18, 0x00, 0x0b],
            "ECDSA with SHA-256"
        );
        at += 4;
        let r = take_2b(&mut at);
        let s = take_2b(&mut at);
        let pad = |value: Vec<u8>| {
            let mut padded = vec![0u8; 32 - value.len()];
            padded.extend_from_slice(&value);
            <[u8; 32]>::try_from(padded).unwrap()
        };
        let signature = p256::ecdsa::Signature::from_scalars(pad(r), pad(s)).unwrap();
        (attest, signature.to_der().as_bytes().to_vec())
    }

    /// TPM2_Certify(objectHandle = `key_handle`, signHandle = `ak_handle`, qualifyingData =
    /// `nonce`, inScheme = TPM_ALG_NULL), as the server's `certify`.
    fn certify(
        &self,
        key_handle: u32,
        ak_handle: u32,
        nonce: &[u8],
        key: &Key,
    ) -> TpmCertification {
        let mut parameters = (nonce.len() as u16).to_be_bytes().to_vec();
        parameters.extend_from_slice(nonce);
        parameters.extend_from_slice(&[0x00, 0x10]);
        let (attest, signature_der) =
            self.send_signing_command(0x0000_0148, &[key_handle, ak_handle], &parameters);
        TpmCertification {
            attest,
            signature_der,
            key_public: key.public.clone(),
        }
    }

    /// TPM2_Quote of PCR 0 (SHA-256) by `ak_handle` with `nonce`: a TPM-generated attestation
    /// of another type.
    fn quote(&self, ak_handle: u32, nonce: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let mut parameters = (nonce.len() as u16).to_be_bytes().to_vec();
        parameters.extend_from_slice(nonce);
        parameters.extend_from_slice(&[0x00, 0x10]);
        parameters.extend_from_slice(&[0, 0, 0, 1, 0x00, 0x0b, 3, 1, 0, 0]);
        self.send_signing_command(0x0000_0158, &[ak_handle], &parameters)
    }
}

fn openssl(args: &[&str]) -> Vec<u8> {
    let output = Command::new("openssl")
        .args(args)
        .output()
        .expect("these tests need openssl");
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

fn trust_of(which: &'static str) -> EkTrust {
    let ca = &manufactured(which).ca;
    EkTrust::certificates_pem(&ca.root_pem(), &ca.issuer_pem()).unwrap()
}

fn nonce() -> [u8; 32] {
    rand::random()
}

fn kind<T: std::fmt::Debug>(result: Result<T, TpmRefusal>) -> String {
    match result {
        Ok(value) => panic!("accepted: {value:?}"),
        Err(refusal) => {
            // Every refusal says why.
            assert!(!refusal.to_string().is_empty());
            refusal.kind().to_owned()
        }
    }
}

/// A TPM with its RSA EK and certificate, an activated AK persisted at `AK_HANDLE`, and a
/// device key persisted at `KEY_HANDLE`.
struct Activated {
    tpm: Tpm,
    key: Key,
    activated: ActivatedAk,
    identity: TpmIdentity,
}

fn rsa_identity(tpm: &Tpm, ak: &Key) -> TpmIdentity {
    TpmIdentity {
        ek_certificate: Some(tpm.nv_certificate(RSA_EK_CERTIFICATE, "ek.der")),
        ek_public: tpm.persistent_public(RSA_EK, "ek"),
        ak_public: ak.public.clone(),
    }
}

fn activated() -> Activated {
    let tpm = Tpm::start("a");
    let ak = tpm.create_ak("ak", "ecc256:ecdsa-sha256:null", AK_ATTRIBUTES);
    let identity = rsa_identity(&tpm, &ak);
    let checked = check_identity(&identity, &trust_of("a"), now()).unwrap();
    let (challenge, pending) = checked.challenge().unwrap();
    let secret = tpm.activate(&ak, RSA_EK, &challenge).unwrap();
    let activated = pending.finish(&secret).unwrap();
    let key = tpm.create_key("key", "ecc256:ecdsa-sha256", KEY_ATTRIBUTES);
    tpm.persist(&ak, AK_HANDLE);
    tpm.persist(&key, KEY_HANDLE);
    Activated {
        tpm,
        key,
        activated,
        identity,
    }
}

#[test]
fn an_rsa_ek_with_its_certificate_activates_the_ak_and_a_certified_key_is_proven() {
    let tpm = Tpm::start("a");
    let ak = tpm.create_ak("ak", "ecc256:ecdsa-sha256:null", AK_ATTRIBUTES);
    let identity = rsa_identity(&tpm, &ak);
    let checked = check_identity(&identity, &trust_of("a"), now()).unwrap();
    assert_eq!(checked.ek_trust(), EkTrustKind::Certificate);
    // The AK's name, as the TPM's tools compute it.
    assert_eq!(checked.ak_name(), ak.tool_name.as_slice());

    let (challenge, pending) = checked.challenge().unwrap();
    // The pending activation is kept between the two requests as bytes.
    let stored = pending.to_bytes();
    let pending = PendingActivation::from_bytes(&stored).unwrap();
    let secret = tpm.activate(&ak, RSA_EK, &challenge).unwrap();
    assert_eq!(secret.len(), 32);
    let activated = pending.finish(&secret).unwrap();
    let activated = ActivatedAk::from_bytes(&activated.to_bytes()).unwrap();
    assert_eq!(activated.ak_name(), ak.tool_name.as_slice());
    assert_eq!(activated.ek_trust(), EkTrustKind::Certificate);

    let key = tpm.create_key("key", "ecc256:ecdsa-sha256", KEY_ATTRIBUTES);
    tpm.persist(&ak, AK_HANDLE);
    tpm.persist(&key, KEY_HANDLE);
    let nonce = nonce();
    let certification = tpm.certify(KEY_HANDLE, AK_HANDLE, &nonce, &key);
    let proven = activated
        .check_certification(&nonce, &certification, &key.spki)
        .unwrap();
    assert!(proven.hardware_tpm);
    assert_eq!(proven.key_name, key.tool_name);
    assert_eq!(proven.ak_name, ak.tool_name);
    tpm.run(
        "tpm2_readpublic",
        &["-c", RSA_EK, "-n", &tpm.path("ek.name")],
    );
    assert_eq!(proven.ek_name, tpm.read("ek.name"));
    for attribute in ["fixedTPM", "fixedParent", "sensitiveDataOrigin", "sign"] {
        assert!(proven.key_attributes.names().contains(&attribute));
    }
    assert!(!proven.key_attributes.names().contains(&"decrypt"));
    assert!(proven.clock_info.safe);
    assert!(proven.clock_info.clock > 0);
    // The attestation as parsed: this nonce, the certified key's name.
    let attest = TpmAttest::parse(&certification.attest).unwrap();
    assert_eq!(attest.extra_data, nonce);
    assert_eq!(attest.certify.unwrap().name, key.tool_name);
}

#[test]
fn a_wrong_secret_a_wrong_ak_name_and_a_changed_blob_do_not_activate() {
    let tpm = Tpm::start("a");
    let ak = tpm.create_ak("ak", "ecc256:ecdsa-sha256:null", AK_ATTRIBUTES);
    let other_ak = tpm.create_ak(
        "other",
        "ecc256:ecdsa-sha256:null",
        "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign|noda",
    );
    assert_ne!(ak.tool_name, other_ak.tool_name);
    let identity = rsa_identity(&tpm, &ak);
    let checked = check_identity(&identity, &trust_of("a"), now()).unwrap();

    // The right secret from the TPM, then a wrong one.
    let (challenge, pending) = checked.challenge().unwrap();
    let mut secret = tpm.activate(&ak, RSA_EK, &challenge).unwrap();
    secret[0] ^= 1;
    assert_eq!(kind(pending.finish(&secret)), "credentialSecretMismatch");
    let (_, pending) = checked.challenge().unwrap();
    assert_eq!(kind(pending.finish(&[])), "credentialSecretMismatch");

    // A credential for one AK's name: the TPM refuses to release it to another AK.
    let (challenge, _) = checked.challenge().unwrap();
    let refused = tpm.activate(&other_ak, RSA_EK, &challenge);
    assert!(refused.is_err(), "activated for the wrong AK: {refused:?}");

    // A changed byte of the encrypted identity: the integrity HMAC fails.
    let (mut challenge, _) = checked.challenge().unwrap();
    let last = challenge.credential_blob.len() - 1;
    challenge.credential_blob[last] ^= 0x01;
    assert!(tpm.activate(&ak, RSA_EK, &challenge).is_err());
    // A changed byte of the encrypted seed: OAEP fails.
    let (mut challenge, _) = checked.challenge().unwrap();
    challenge.encrypted_secret[10] ^= 0x01;
    assert!(tpm.activate(&ak, RSA_EK, &challenge).is_err());
}

#[test]
fn a_pinned_ecc_p256_ek_activates_the_ak_through_ecdh() {
    let tpm = Tpm::start("a");
    let ek_context = tpm.path("ekecc.ctx");
    tpm.run(
        "tpm2_createek",
        &["-c", &ek_context, "-G", "ecc", "-u", &tpm.path("ekecc.pub")],
    );
    let ek_public = tpm.public_area("ekecc.pub");
    let ak = tpm.create_ak("ak", "ecc256:ecdsa-sha256:null", AK_ATTRIBUTES);
    let identity = TpmIdentity {
        ek_certificate: None,
        ek_public: ek_public.clone(),
        ak_public: ak.public.clone(),
    };
    let trust = EkTrust::pinned_ek_public(&ek_public).unwrap();
    let checked = check_identity(&identity, &trust, now()).unwrap();
    assert_eq!(checked.ek_trust(), EkTrustKind::Pinned);
    let (challenge, pending) = checked.challenge().unwrap();
    // A marshalled TPMS_ECC_POINT: two 32-byte coordinates with their sizes.
    assert_eq!(challenge.encrypted_secret.len(), 68);
    let secret = tpm.activate(&ak, &ek_context, &challenge).unwrap();
    let activated = pending.finish(&secret).unwrap();
    assert_eq!(activated.ek_trust(), EkTrustKind::Pinned);

    // The proof of a key says the EK was pinned, not certified.
    let key = tpm.create_key("key", "ecc256:ecdsa-sha256", KEY_ATTRIBUTES);
    tpm.persist(&ak, AK_HANDLE);
    tpm.persist(&key, KEY_HANDLE);
    let nonce = nonce();
    let certification = tpm.certify(KEY_HANDLE, AK_HANDLE, &nonce, &key);
    let proven = activated
        .check_certification(&nonce, &certification, &key.spki)
        .unwrap();
    assert!(!proven.hardware_tpm);
    assert_eq!(proven.ek_trust, EkTrustKind::Pinned);

    // Another EK than the pinned one, and a TPM without a certificate under certificate trust.
    let rsa = TpmIdentity {
        ek_public: tpm.persistent_public(RSA_EK, "ek"),
        ..identity.clone()
    };
    assert_eq!(
        kind(check_identity(&rsa, &trust, now())),
        "ekPublicNotPinned"
    );
    assert_eq!(
        kind(check_identity(&identity, &trust_of("a"), now())),
        "ekCertificateMissing"
    );
}

#[test]
fn ek_certificates_are_refused_when_untrusted_expired_not_yet_valid_or_of_another_ek() {
    let tpm = Tpm::start("a");
    let other = Tpm::start("b");
    let ak = tpm.create_ak("ak", "ecc256:ecdsa-sha256:null", AK_ATTRIBUTES);
    let identity = rsa_identity(&tpm, &ak);
    assert!(check_identity(&identity, &trust_of("a"), now()).is_ok());

    // Another manufacturer's CA.
    assert_eq!(
        kind(check_identity(&identity, &trust_of("b"), now())),
        "ekCertificateUntrusted"
    );
    // The root alone: no intermediate issued the EK certificate.
    let ca = &manufactured("a").ca;
    let root_only = EkTrust::certificates_pem(&ca.root_pem(), "").unwrap();
    assert_eq!(
        kind(check_identity(&identity, &root_only, now())),
        "ekCertificateUntrusted"
    );
    // The issuing CA itself as the anchor is enough.
    let issuer_anchor = EkTrust::certificates_pem(&ca.issuer_pem(), "").unwrap();
    assert!(check_identity(&identity, &issuer_anchor, now()).is_ok());
    // The same trust from PEM and DER entries (openssl's DER of the issuer).
    let issuer_der = openssl(&[
        "x509",
        "-in",
        &ca.issuer.display().to_string(),
        "-outform",
        "der",
    ]);
    let root_pem = ca.root_pem();
    let mixed_entries = EkTrust::certificates(&[root_pem.as_bytes()], &[&issuer_der]).unwrap();
    assert!(check_identity(&identity, &mixed_entries, now()).is_ok());
    // A trust without anchors, or with bytes that are no certificate.
    for refused in [
        EkTrust::certificates_pem("", ""),
        EkTrust::certificates(&[b"not a certificate"], &[]),
        EkTrust::from_der(vec![vec![0x30, 0x03, 0x02, 0x01, 0x00]], vec![]),
    ] {
        assert_eq!(refused.unwrap_err().malformed_what(), Some("trustAnchor"));
    }

    // After notAfter (9999-12-31T23:59:59Z for swtpm's certificates), before notBefore.
    assert_eq!(
        kind(check_identity(&identity, &trust_of("a"), 253_402_300_800)),
        "ekCertificateExpired"
    );
    assert_eq!(
        kind(check_identity(&identity, &trust_of("a"), 0)),
        "ekCertificateNotYetValid"
    );

    // TPM A's certificate with TPM B's EK.
    let mixed = TpmIdentity {
        ek_public: other.persistent_public(RSA_EK, "ek"),
        ..identity.clone()
    };
    assert_eq!(
        kind(check_identity(&mixed, &trust_of("a"), now())),
        "ekCertificateKeyMismatch"
    );

    // Bytes that are no certificate.
    let mut garbage = identity.clone();
    garbage.ek_certificate = Some(b"not a certificate".to_vec());
    let refusal = check_identity(&garbage, &trust_of("a"), now()).unwrap_err();
    assert_eq!(
        (refusal.kind(), refusal.malformed_what()),
        ("malformed", Some("ekCertificate"))
    );
}

#[test]
fn an_ek_certificate_from_an_ecdsa_p384_ca_with_an_empty_subject_and_a_critical_san_is_trusted() {
    let tpm = Tpm::start("a");
    let ak = tpm.create_ak("ak", "ecc256:ecdsa-sha256:null", AK_ATTRIBUTES);
    let identity = rsa_identity(&tpm, &ak);
    let ek_pem = tpm.path("ek.pem");
    openssl(&[
        "x509",
        "-inform",
        "der",
        "-in",
        &tpm.path("ek.der"),
        "-out",
        &ek_pem,
    ]);
    let ek_key = tpm.path("ekkey.pem");
    openssl(&["x509", "-in", &ek_pem, "-pubkey", "-noout", "-out", &ek_key]);
    // A CA with a P-384 key, and one that is not a CA.
    let make_ca = |label: &str, curve: &str, constraints: &str| {
        let (key, certificate) = (
            tpm.path(&format!("{label}.key")),
            tpm.path(&format!("{label}.pem")),
        );
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            &format!("ec_paramgen_curve:{curve}"),
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &certificate,
            "-subj",
            "/CN=devicekey test EK CA",
            "-days",
            "30",
            "-sha384",
            "-addext",
            constraints,
        ]);
        (key, certificate)
    };
    let (ca_key, ca_certificate) = make_ca("ca", "secp384r1", "basicConstraints=critical,CA:TRUE");
    let (not_ca_key, not_ca_certificate) =
        make_ca("notca", "prime256v1", "basicConstraints=critical,CA:FALSE");
    let extensions = tpm.path("ek.cnf");
    let issue = |label: &str, extra: &str, ca_key: &str, ca_certificate: &str| {
        std::fs::write(
            &extensions,
            format!(
                "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,keyEncipherment\n\
                 subjectAltName=critical,dirName:tpm_dn\n1.2.3.4=ASN1:UTF8String:unknown\n{extra}\
                 [tpm_dn]\nO=swtpm\n"
            ),
        )
        .unwrap();
        let out = tpm.path(&format!("{label}.pem"));
        openssl(&[
            "x509",
            "-new",
            "-force_pubkey",
            &ek_key,
            "-subj",
            "/",
            "-CA",
            ca_certificate,
            "-CAkey",
            ca_key,
            "-set_serial",
            "7",
            "-sha384",
            "-days",
            "30",
            "-extfile",
            &extensions,
            "-out",
            &out,
        ]);
        openssl(&["x509", "-in", &out, "-outform", "der"])
    };
    let anchor = std::fs::read_to_string(&ca_certificate).unwrap();
    let trust = EkTrust::certificates_pem(&anchor, "").unwrap();
    let reissued = TpmIdentity {
        ek_certificate: Some(issue("ek-p384", "", &ca_key, &ca_certificate)),
        ..identity.clone()
    };
    assert!(check_identity(&reissued, &trust, now()).is_ok());

    // An unknown critical extension in the EK certificate.
    let critical = TpmIdentity {
        ek_certificate: Some(issue(
            "ek-critical",
            "1.2.3.5=critical,ASN1:NULL\n",
            &ca_key,
            &ca_certificate,
        )),
        ..identity.clone()
    };
    let refusal = check_identity(&critical, &trust, now()).unwrap_err();
    assert_eq!(refusal.kind(), "ekCertificateUntrusted");
    assert!(refusal.to_string().contains("1.2.3.5"), "{refusal}");

    // An issuer that is not a CA.
    // As DER, through openssl.
    let not_ca_anchor = openssl(&["x509", "-in", &not_ca_certificate, "-outform", "der"]);
    let not_ca_trust = EkTrust::from_der(vec![not_ca_anchor], vec![]).unwrap();
    let by_not_ca = TpmIdentity {
        ek_certificate: Some(issue("ek-notca", "", &not_ca_key, &not_ca_certificate)),
        ..identity
    };
    let refusal = check_identity(&by_not_ca, &not_ca_trust, now()).unwrap_err();
    assert_eq!(refusal.kind(), "ekCertificateUntrusted");
    assert!(refusal.to_string().contains("not a CA"), "{refusal}");
}

#[test]
fn eks_and_aks_that_are_not_what_they_claim_are_refused() {
    let tpm = Tpm::start("a");
    let ak = tpm.create_ak("ak", "ecc256:ecdsa-sha256:null", AK_ATTRIBUTES);
    let identity = rsa_identity(&tpm, &ak);
    let trust = trust_of("a");

    // The P-384 EK swtpm_setup made, with its certificate: an EK this crate cannot challenge.
    let p384 = TpmIdentity {
        ek_certificate: Some(tpm.nv_certificate(P384_EK_CERTIFICATE, "ek384.der")),
        ek_public: tpm.persistent_public(P384_EK, "ek384"),
        ak_public: ak.public.clone(),
    };
    assert_eq!(kind(check_identity(&p384, &trust, now())), "ekUnsupported");

    // The AK's public area as the EK: not a decryption key.
    let ak_as_ek = TpmIdentity {
        ek_public: ak.public.clone(),
        ..identity.clone()
    };
    let refusal = check_identity(&ak_as_ek, &trust, now()).unwrap_err();
    assert_eq!(refusal.kind(), "ekNotAnEndorsementKey");
    assert!(refusal.to_string().contains("decrypt"), "{refusal}");

    // A device key (not restricted) as the AK.
    let key = tpm.create_key("key", "ecc256:ecdsa-sha256", KEY_ATTRIBUTES);
    let key_as_ak = TpmIdentity {
        ak_public: key.public.clone(),
        ..identity.clone()
    };
    let refusal = check_identity(&key_as_ak, &trust, now()).unwrap_err();
    assert_eq!(refusal.kind(), "akNotRestrictedSigning");
    assert!(refusal.to_string().contains("restricted"), "{refusal}");

    // A restricted RSA signing key as the AK.
    let rsa_ak = tpm.create_ak("rsaak", "rsa2048:rsassa-sha256:null", AK_ATTRIBUTES);
    let rsa = TpmIdentity {
        ak_public: rsa_ak.public,
        ..identity.clone()
    };
    assert_eq!(kind(check_identity(&rsa, &trust, now())), "akUnsupported");

    // A public area with a byte more.
    let mut longer = identity.clone();
    longer.ak_public.push(0);
    let refusal = check_identity(&longer, &trust, now()).unwrap_err();
    assert_eq!(
        (refusal.kind(), refusal.malformed_what()),
        ("malformed", Some("akPublic"))
    );
}

#[test]
fn certifications_are_refused_for_each_reason() {
    let Activated {
        tpm,
        key,
        activated,
        identity,
    } = activated();
    let nonce = nonce();
    let certification = tpm.certify(KEY_HANDLE, AK_HANDLE, &nonce, &key);
    assert!(activated
        .check_certification(&nonce, &certification, &key.spki)
        .is_ok());

    // Another nonce than the one the TPM certified with.
    let other_nonce = self::nonce();
    assert_eq!(
        kind(activated.check_certification(&other_nonce, &certification, &key.spki)),
        "nonceMismatch"
    );
    // A nonce too short to prevent replays.
    let refusal = activated
        .check_certification(&[], &certification, &key.spki)
        .unwrap_err();
    assert_eq!(refusal.malformed_what(), Some("nonce"));

    // A changed byte of the clock: the signature no longer verifies, the signer is still the AK.
    let mut changed = certification.clone();
    let clock_at = 6 + 2 + 34 + 2 + 32;
    changed.attest[clock_at + 7] ^= 0x01;
    assert_eq!(
        kind(activated.check_certification(&nonce, &changed, &key.spki)),
        "badAttestSignature"
    );
    // Not TPM-generated.
    let mut changed = certification.clone();
    changed.attest[0] ^= 0x01;
    assert_eq!(
        kind(activated.check_certification(&nonce, &changed, &key.spki)),
        "notTpmGenerated"
    );
    // A TPM2_Quote by the same AK: TPM-generated, signed, of another type.
    let (attest, signature_der) = tpm.quote(AK_HANDLE, &nonce);
    let quote = TpmCertification {
        attest,
        signature_der,
        key_public: key.public.clone(),
    };
    assert_eq!(
        kind(activated.check_certification(&nonce, &quote, &key.spki)),
        "notACertification"
    );

    // Another key's SPKI (a software key from openssl).
    let software = tpm.path("software.pem");
    openssl(&[
        "ecparam",
        "-name",
        "prime256v1",
        "-genkey",
        "-noout",
        "-out",
        &software,
    ]);
    let software_spki = openssl(&["pkey", "-in", &software, "-pubout", "-outform", "der"]);
    assert_eq!(
        kind(activated.check_certification(&nonce, &certification, &software_spki)),
        "keyMismatch"
    );
    // Another key's public area than the certified one.
    let second = tpm.create_key("second", "ecc256:ecdsa-sha256", KEY_ATTRIBUTES);
    let swapped = TpmCertification {
        key_public: second.public.clone(),
        ..certification.clone()
    };
    assert_eq!(
        kind(activated.check_certification(&nonce, &swapped, &second.spki)),
        "certifiedNameMismatch"
    );

    // A certification by a second AK that was never activated.
    let other_ak = tpm.create_ak(
        "otherak",
        "ecc256:ecdsa-sha256:null",
        "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign|noda",
    );
    tpm.persist(&other_ak, OTHER_AK_HANDLE);
    let by_other = tpm.certify(KEY_HANDLE, OTHER_AK_HANDLE, &nonce, &key);
    assert_eq!(
        kind(activated.check_certification(&nonce, &by_other, &key.spki)),
        "akNotActivated"
    );
    // The second AK's identity is fine, it was only never activated.
    let other_identity = TpmIdentity {
        ak_public: other_ak.public,
        ..identity
    };
    assert!(check_identity(&other_identity, &trust_of("a"), now()).is_ok());

    // A signature that is not DER.
    let mut bad_der = certification.clone();
    bad_der.signature_der = vec![0x30, 0x00];
    assert_eq!(
        activated
            .check_certification(&nonce, &bad_der, &key.spki)
            .unwrap_err()
            .malformed_what(),
        Some("signatureDer")
    );
}

#[test]
fn keys_that_can_leave_the_tpm_or_decrypt_are_refused_naming_the_attribute() {
    let Activated { tpm, activated, .. } = activated();
    // A duplicable key: neither fixedTPM nor fixedParent (it needs a policy to be duplicated,
    // but any key without them can be).
    let duplicable = tpm.create_key(
        "duplicable",
        "ecc256:ecdsa-sha256",
        "sensitivedataorigin|userwithauth|sign",
    );
    tpm.persist(&duplicable, KEY_HANDLE + 1);
    let nonce = nonce();
    let certification = tpm.certify(KEY_HANDLE + 1, AK_HANDLE, &nonce, &duplicable);
    let refusal = activated
        .check_certification(&nonce, &certification, &duplicable.spki)
        .unwrap_err();
    assert_eq!(
        refusal,
        TpmRefusal::KeyAttributes {
            missing: vec!["fixedTPM", "fixedParent"],
            forbidden: vec![],
        }
    );
    assert!(refusal.to_string().contains("fixedTPM"), "{refusal}");

    // A key that also decrypts.
    let decrypting = tpm.create_key(
        "decrypting",
        "ecc256:null",
        "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign|decrypt",
    );
    tpm.persist(&decrypting, KEY_HANDLE + 2);
    let certification = tpm.certify(KEY_HANDLE + 2, AK_HANDLE, &nonce, &decrypting);
    let refusal = activated
        .check_certification(&nonce, &certification, &decrypting.spki)
        .unwrap_err();
    assert_eq!(refusal.kind(), "keyAttributes");
    assert_eq!(
        refusal,
        TpmRefusal::KeyAttributes {
            missing: vec![],
            forbidden: vec!["decrypt"],
        }
    );
}

/// Every truncation and many byte changes of real structures are refused or read, never a
/// panic; the truncations are always refused.
#[test]
fn truncated_and_changed_tpm_structures_never_panic() {
    let Activated {
        tpm,
        key,
        activated,
        identity,
        ..
    } = activated();
    let nonce = nonce();
    let certification = tpm.certify(KEY_HANDLE, AK_HANDLE, &nonce, &key);
    let structures: [(&str, &[u8]); 3] = [
        ("ekPublic", &identity.ek_public),
        ("akPublic", &identity.ak_public),
        ("keyPublic", &key.public),
    ];
    for (what, bytes) in structures {
        assert!(TpmPublic::parse(bytes, "test").is_ok(), "{what}");
        for end in 0..bytes.len() {
            assert!(
                TpmPublic::parse(&bytes[..end], "test").is_err(),
                "{what} cut at {end}"
            );
        }
        for index in 0..bytes.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut changed = bytes.to_vec();
                changed[index] ^= flip;
                let _ = TpmPublic::parse(&changed, "test");
                let _ = object_name(&changed);
            }
        }
    }
    let attest = &certification.attest;
    for end in 0..attest.len() {
        assert!(TpmAttest::parse(&attest[..end]).is_err());
        let cut = TpmCertification {
            attest: attest[..end].to_vec(),
            ..certification.clone()
        };
        assert!(activated
            .check_certification(&nonce, &cut, &key.spki)
            .is_err());
    }
    for index in 0..attest.len() {
        let mut changed = certification.clone();
        changed.attest[index] ^= 0x01;
        assert!(activated
            .check_certification(&nonce, &changed, &key.spki)
            .is_err());
    }
    // Identities cut anywhere.
    let trust = trust_of("a");
    let certificate = identity.ek_certificate.clone().unwrap();
    for end in (0..certificate.len()).step_by(7) {
        let cut = TpmIdentity {
            ek_certificate: Some(certificate[..end].to_vec()),
            ..identity.clone()
        };
        assert_eq!(
            check_identity(&cut, &trust, now()).unwrap_err().kind(),
            "malformed"
        );
    }
    for index in (0..certificate.len()).step_by(3) {
        let mut changed = identity.clone();
        changed.ek_certificate.as_mut().unwrap()[index] ^= 0x01;
        // A changed certificate is never trusted.
        assert!(
            check_identity(&changed, &trust, now()).is_err(),
            "byte {index}"
        );
    }
    // Stored states cut or changed.
    let stored = activated.to_bytes();
    assert!(ActivatedAk::from_bytes(&stored).is_ok());
    for end in 0..stored.len() {
        assert!(
            ActivatedAk::from_bytes(&stored[..end]).is_err(),
            "cut at {end}"
        );
    }
    assert_eq!(
        PendingActivation::from_bytes(&stored)
            .unwrap_err()
            .malformed_what(),
        Some("pendingActivation")
    );
    assert_eq!(
        ActivatedAk::from_bytes(b"garbage")
            .unwrap_err()
            .malformed_what(),
        Some("activatedAk")
    );
}
