//! TPM key attestation end to end, through the real `devicekey serve --provider tpm` over
//! JSON-RPC, against swtpms manufactured with `swtpm_setup --create-ek-cert` (swtpm-tools' local
//! CA, trusted here as a manufacturer's root), checked by the proof crate's verifier
//! (`devicekey_proof::tpm`), as `docs/attestation.md` tells a backend to. Each way the claim
//! `hardware_tpm` can be false is refused for its own reason.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use devicekey_proof::tpm::{
    check_identity, ActivatedAk, EkTrust, TpmCertification, TpmIdentity, TpmRefusal,
};
use devicekey_proof::{decode_base64, encode_base64, encode_base64url};
use devicekey_testkit::swtpm::{provision_with_ek_certificates, EkCertificateAuthority, Swtpm};
use p256::ecdsa::SigningKey;
use p256::pkcs8::EncodePublicKey as _;
use serde_json::{json, Value};

use crate::serve_tpm::TpmServer;
use crate::support::{ACCOUNT, CLIENT};

/// One manufactured TPM, running, with the server on it.
struct Device {
    _dir: tempfile::TempDir,
    server: TpmServer,
    _swtpm: Swtpm,
}

/// A TPM manufactured by the CA in `ca_dir` (created on first use), and `devicekey serve` on it.
fn device(ca_dir: &Path) -> (Device, EkCertificateAuthority) {
    let dir = tempfile::tempdir().unwrap();
    let tpm_state = dir.path().join("tpm-state");
    let authority = provision_with_ek_certificates(&tpm_state, ca_dir);
    let swtpm = Swtpm::start(&tpm_state);
    let server = TpmServer::start(&swtpm.tcti(), &dir.path().join("state"));
    (
        Device {
            _dir: dir,
            server,
            _swtpm: swtpm,
        },
        authority,
    )
}

fn trust(authority: &EkCertificateAuthority) -> EkTrust {
    EkTrust::certificates_pem(&authority.root_pem(), &authority.issuer_pem()).unwrap()
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn bytes(value: &Value) -> Vec<u8> {
    decode_base64(value.as_str().unwrap()).unwrap_or_else(|| panic!("not base64: {value}"))
}

impl Device {
    fn identity(&mut self) -> TpmIdentity {
        let identity = self.server.result("device/tpm/identity", json!({}));
        TpmIdentity {
            ek_certificate: Some(bytes(&identity["ekCertificateDerBase64"])),
            ek_public: bytes(&identity["ekPublicAreaBase64"]),
            ak_public: bytes(&identity["akPublicAreaBase64"]),
        }
    }

    /// Sends the challenge; the answer (`result` or `error`).
    fn activate(&mut self, credential_blob: &[u8], encrypted_secret: &[u8]) -> Value {
        self.server.call(
            "device/tpm/activateCredential",
            json!({
                "credentialBlobBase64": encode_base64(credential_blob),
                "encryptedSecretBase64": encode_base64(encrypted_secret),
            }),
        )
    }

    /// The whole activation, checked: the AK the backend trusts from now on.
    fn activated_ak(&mut self, trust: &EkTrust) -> ActivatedAk {
        let checked = check_identity(&self.identity(), trust, now()).unwrap();
        let (challenge, pending) = checked.challenge().unwrap();
        let answer = self.activate(&challenge.credential_blob, &challenge.encrypted_secret);
        let secret = bytes(&answer["result"]["secretBase64"]);
        pending.finish(&secret).unwrap()
    }

    /// A new TPM key: its id and SPKI DER.
    fn create_key(&mut self) -> (String, Vec<u8>) {
        let created = self.server.result(
            "device/key/create",
            json!({"accountUserId": ACCOUNT, "clientId": CLIENT}),
        );
        assert_eq!(created["protectionClass"], "hardware_tpm", "{created}");
        (
            created["keyId"].as_str().unwrap().to_owned(),
            bytes(&created["publicKeySpkiDerBase64"]),
        )
    }

    fn certify(&mut self, key_id: &str, nonce: &[u8; 32]) -> TpmCertification {
        let certified = self.server.result(
            "device/key/certify",
            json!({"keyId": key_id, "nonce": encode_base64url(nonce)}),
        );
        assert_eq!(certified["keyId"], key_id);
        TpmCertification {
            attest: bytes(&certified["attestBase64"]),
            signature_der: bytes(&certified["signatureDerBase64"]),
            key_public: bytes(&certified["keyPublicAreaBase64"]),
        }
    }
}

fn refusal_kind<T: std::fmt::Debug>(outcome: Result<T, TpmRefusal>) -> &'static str {
    match outcome {
        Ok(value) => panic!("accepted: {value:?}"),
        Err(refusal) => refusal.kind(),
    }
}

fn domain_kind(answer: &Value) -> &str {
    answer["error"]["data"]["kind"]
        .as_str()
        .unwrap_or_else(|| panic!("not a domain error: {answer}"))
}

/// The whole flow on one TPM, and every refusal a single device can provoke: a wrong nonce, a
/// tampered attestation, a software key's SPKI presented with a TPM key's certification, a
/// wrong secret, certification of a key of another class or of no key.
#[test]
fn a_tpm_key_is_proven_and_each_false_claim_is_refused() {
    let cas = tempfile::tempdir().unwrap();
    let (mut device, authority) = device(&cas.path().join("manufacturer"));
    let trust = trust(&authority);

    let identity = device.identity();
    assert!(identity.ek_certificate.is_some());
    let ak = device.activated_ak(&trust);
    let (key_id, spki) = device.create_key();
    let nonce: [u8; 32] = rand::random();
    let certification = device.certify(&key_id, &nonce);
    let proven = ak
        .check_certification(&nonce, &certification, &spki)
        .unwrap_or_else(|refusal| panic!("refused ({}): {refusal}", refusal.kind()));
    drop(proven);

    // The same certification for another nonce: a replayed answer.
    let other_nonce: [u8; 32] = rand::random();
    assert_eq!(
        refusal_kind(ak.check_certification(&other_nonce, &certification, &spki)),
        "nonceMismatch"
    );
    // One bit of the attestation changed.
    let mut tampered = certification.clone();
    let last = tampered.attest.len() - 1;
    tampered.attest[last] ^= 1;
    assert_eq!(
        refusal_kind(ak.check_certification(&nonce, &tampered, &spki)),
        "badAttestSignature"
    );
    // A software key's SPKI, presented as the certified TPM key.
    let software = SigningKey::from_slice(&rand::random::<[u8; 32]>()).unwrap();
    let software_spki = software
        .verifying_key()
        .to_public_key_der()
        .unwrap()
        .into_vec();
    assert_eq!(
        refusal_kind(ak.check_certification(&nonce, &certification, &software_spki)),
        "keyMismatch"
    );

    // A client that answers the challenge with anything but the TPM's secret.
    let checked = check_identity(&identity, &trust, now()).unwrap();
    let (_challenge, pending) = checked.challenge().unwrap();
    assert_eq!(
        refusal_kind(pending.finish(&[7u8; 32])),
        "credentialSecretMismatch"
    );

    // The server certifies only TPM keys that exist.
    let software_id = format!("dk_swk_{}", encode_base64url(&[1u8; 32]));
    let answer = device.server.call(
        "device/key/certify",
        json!({"keyId": software_id, "nonce": encode_base64url(&nonce)}),
    );
    assert_eq!(domain_kind(&answer), "attestationUnavailable", "{answer}");
    assert_eq!(answer["error"]["code"], -32020);
    let unknown = format!("dk_tpm_{}", encode_base64url(&[2u8; 32]));
    let answer = device.server.call(
        "device/key/certify",
        json!({"keyId": unknown, "nonce": encode_base64url(&nonce)}),
    );
    assert_eq!(domain_kind(&answer), "keyNotFound", "{answer}");
    // A nonce that is not 32 bytes never reaches the TPM.
    let answer = device.server.call(
        "device/key/certify",
        json!({"keyId": key_id, "nonce": encode_base64url(&[3u8; 33])}),
    );
    assert_eq!(answer["error"]["code"], -32602, "{answer}");

    // Signing still works after attestation, with the same key.
    let signed = device.server.result(
        "device/key/sign",
        json!({"keyId": key_id, "payload": crate::serve_tpm::live_payload()}),
    );
    assert!(signed["signatureDerBase64"].is_string());
    device.server.stop();
}

/// Two TPMs of the same manufacturer and one of another: a key certified by another TPM's AK,
/// an AK that lives in another TPM than the EK it claims, and an EK certificate from a CA the
/// backend does not trust.
#[test]
fn another_tpms_attestation_key_and_an_untrusted_manufacturer_are_refused() {
    let cas = tempfile::tempdir().unwrap();
    let manufacturer = cas.path().join("manufacturer");
    let (mut first, authority) = device(&manufacturer);
    let (mut second, _) = device(&manufacturer);
    let trust = trust(&authority);

    let first_ak = first.activated_ak(&trust);
    // The second TPM is trusted too (same manufacturer), and its AK activates for itself.
    let second_ak = second.activated_ak(&trust);
    assert_ne!(first_ak.ak_name(), second_ak.ak_name());

    // A key of the second TPM, presented as certified by the first TPM's (activated) AK.
    let (key_id, spki) = second.create_key();
    let nonce: [u8; 32] = rand::random();
    let certification = second.certify(&key_id, &nonce);
    assert_eq!(
        refusal_kind(first_ak.check_certification(&nonce, &certification, &spki)),
        "akNotActivated"
    );
    second_ak
        .check_certification(&nonce, &certification, &spki)
        .unwrap();

    // An identity that pairs the first TPM's (trusted) EK with the second TPM's AK: the
    // challenge for it cannot be answered by either TPM, so that AK is never activated.
    let mixed = TpmIdentity {
        ak_public: second.identity().ak_public,
        ..first.identity()
    };
    let checked = check_identity(&mixed, &trust, now()).unwrap();
    let (challenge, _pending) = checked.challenge().unwrap();
    for device in [&mut first, &mut second] {
        let answer = device.activate(&challenge.credential_blob, &challenge.encrypted_secret);
        assert!(answer["error"].is_object(), "a TPM answered: {answer}");
    }

    // A TPM of an unrelated manufacturer.
    let (mut stranger, stranger_authority) = device(&cas.path().join("stranger"));
    assert_eq!(
        refusal_kind(check_identity(&stranger.identity(), &trust, now())),
        "ekCertificateUntrusted"
    );
    check_identity(
        &stranger.identity(),
        &self::trust(&stranger_authority),
        now(),
    )
    .unwrap();
    // The first TPM's certificate with the stranger's EK.
    let swapped = TpmIdentity {
        ek_certificate: first.identity().ek_certificate,
        ..stranger.identity()
    };
    assert_eq!(
        refusal_kind(check_identity(&swapped, &trust, now())),
        "ekCertificateKeyMismatch"
    );
}

/// A server without a TPM answers every attestation method with `attestationUnavailable`.
#[test]
fn a_server_without_a_tpm_has_no_attestation() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_devicekey"))
        .args(["serve", "--provider", "software", "--state-dir"])
        .arg(dir.path().join("state"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    use std::io::{BufRead as _, Write as _};
    let requests = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"clientInfo": {"name": "t", "version": "1"}}}),
        json!({"jsonrpc": "2.0", "method": "initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "device/tpm/identity", "params": {}}),
        json!({"jsonrpc": "2.0", "id": 3, "method": "device/tpm/activateCredential", "params": {"credentialBlobBase64": "AAAA", "encryptedSecretBase64": "AAAA"}}),
        json!({"jsonrpc": "2.0", "id": 4, "method": "device/key/certify", "params": {"keyId": format!("dk_tpm_{}", encode_base64url(&[2u8; 32])), "nonce": encode_base64url(&[5u8; 32])}}),
    ];
    for request in &requests {
        writeln!(stdin, "{request}").unwrap();
    }
    drop(stdin);
    let answers: Vec<Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(&line.unwrap()).unwrap())
        .collect();
    assert_eq!(answers.len(), 4, "{answers:?}");
    for answer in &answers[1..] {
        assert_eq!(domain_kind(answer), "attestationUnavailable", "{answer}");
    }
    assert!(child.wait().unwrap().success());
}

/// `devicekey attest` against `devicekey serve --listen unix://…`: proven with the
/// manufacturer's root, refused (exit 1, `ekCertificateUntrusted`) with another CA's.
#[test]
fn the_attest_command_proves_a_key_and_names_the_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let tpm_state = dir.path().join("tpm-state");
    let authority = provision_with_ek_certificates(&tpm_state, &dir.path().join("ca"));
    let other = tempfile::tempdir().unwrap();
    let other_authority =
        provision_with_ek_certificates(&other.path().join("tpm"), &other.path().join("ca"));
    let swtpm = Swtpm::start(&tpm_state);
    let socket = dir.path().join("s.sock");
    let server = SocketServer::start(&swtpm.tcti(), &dir.path().join("state"), &socket);

    // A key to certify, made through the socket.
    let key_id = {
        use std::io::{BufRead as _, Write as _};
        let mut stream = std::os::unix::net::UnixStream::connect(&socket).unwrap();
        let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
        for request in [
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"clientInfo": {"name": "t", "version": "1"}}}),
            json!({"jsonrpc": "2.0", "method": "initialized"}),
            json!({"jsonrpc": "2.0", "id": 2, "method": "device/key/create", "params": {"accountUserId": ACCOUNT, "clientId": CLIENT}}),
        ] {
            writeln!(stream, "{request}").unwrap();
        }
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        line.clear();
        reader.read_line(&mut line).unwrap();
        let created: Value = serde_json::from_str(&line).unwrap();
        created["result"]["keyId"].as_str().unwrap().to_owned()
    };

    let attest = |root: &PathBuf, issuer: &PathBuf| {
        let output = Command::new(env!("CARGO_BIN_EXE_devicekey"))
            .arg("attest")
            .arg("--connect")
            .arg(format!("unix://{}", socket.display()))
            .args(["--key-id", &key_id, "--ca"])
            .arg(root)
            .arg("--intermediate")
            .arg(issuer)
            .output()
            .unwrap();
        let verdict: Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&output.stdout)));
        (output.status.code(), verdict)
    };
    let (code, verdict) = attest(&authority.root, &authority.issuer);
    assert_eq!(code, Some(0), "{verdict}");
    assert_eq!(verdict["proven"], true);
    assert_eq!(verdict["keyId"], key_id.as_str());
    let (code, verdict) = attest(&other_authority.root, &other_authority.issuer);
    assert_eq!(code, Some(1), "{verdict}");
    assert_eq!(verdict["kind"], "ekCertificateUntrusted");
    drop(server);
}

/// `devicekey serve --provider tpm --listen unix://…`, killed when dropped.
struct SocketServer(Child);

impl SocketServer {
    fn start(tcti: &str, state_dir: &Path, socket: &Path) -> SocketServer {
        let child = Command::new(env!("CARGO_BIN_EXE_devicekey"))
            .args([
                "serve",
                "--provider",
                "tpm",
                "--tpm-tcti",
                tcti,
                "--state-dir",
            ])
            .arg(state_dir)
            .arg("--listen")
            .arg(format!("unix://{}", socket.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while !socket.exists() {
            assert!(Instant::now() < deadline, "the server did not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
        SocketServer(child)
    }
}

impl Drop for SocketServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
