//! Interoperability with openssl: the runtime's signatures verify with `openssl dgst`, and
//! signatures openssl makes with its own P-256 keys verify with the runtime's verifier.

use std::path::Path;
use std::process::{Command, Output};

use devicekey_proof::{verify_proof, Expectations, SignedPayload};
use serde_json::json;

use crate::support::*;

fn openssl(dir: &Path, args: &[&str]) -> Output {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect(
            "openssl must be installed to run the interoperability tests (apt-get install openssl)",
        );
    output
}

fn openssl_ok(dir: &Path, args: &[&str]) -> Output {
    let output = openssl(dir, args);
    assert!(
        output.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[tokio::test]
async fn runtime_signatures_verify_with_openssl() {
    let harness = Harness::new();
    let created = harness.store.create_json(json!({"protectionPolicy": "allow_software", "accountUserId": ACCOUNT, "clientId": CLIENT})).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    std::fs::write(path.join("pub.der"), created.spki_der()).unwrap();
    openssl_ok(
        path,
        &[
            "pkey", "-pubin", "-inform", "DER", "-in", "pub.der", "-out", "pub.pem",
        ],
    );
    for payload in [connection_payload(), enrollment_payload()] {
        let proof = harness.sign(&created.key(), &payload).await.unwrap();
        std::fs::write(path.join("data"), proof.signed_payload()).unwrap();
        std::fs::write(path.join("sig.der"), proof.signature_der()).unwrap();
        let output = openssl_ok(
            path,
            &[
                "dgst",
                "-sha256",
                "-verify",
                "pub.pem",
                "-signature",
                "sig.der",
                "data",
            ],
        );
        assert_eq!(
            String::from_utf8_lossy(&output.stdout).trim(),
            "Verified OK"
        );

        // openssl also refuses a changed byte.
        let mut changed = proof.signed_payload();
        changed[10] ^= 0x20;
        std::fs::write(path.join("data"), &changed).unwrap();
        let output = openssl(
            path,
            &[
                "dgst",
                "-sha256",
                "-verify",
                "pub.pem",
                "-signature",
                "sig.der",
                "data",
            ],
        );
        assert!(!output.status.success());
        assert!(String::from_utf8_lossy(&output.stdout).contains("Verification failure"));
    }
}

#[test]
fn openssl_signatures_verify_with_the_runtime_verifier() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    openssl_ok(
        path,
        &[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "key.pem",
        ],
    );
    openssl_ok(
        path,
        &[
            "pkey", "-in", "key.pem", "-pubout", "-outform", "DER", "-out", "pub.der",
        ],
    );
    let spki = std::fs::read(path.join("pub.der")).unwrap();
    // openssl does not normalize S, so these rounds include high-S signatures.
    for round in 0..6 {
        let payload = if round % 2 == 0 {
            connection_payload()
        } else {
            enrollment_payload()
        };
        let bytes = SignedPayload::from_json(payload.clone())
            .unwrap()
            .into_bytes();
        std::fs::write(path.join("data"), &bytes).unwrap();
        openssl_ok(
            path,
            &[
                "dgst", "-sha256", "-sign", "key.pem", "-out", "sig.der", "data",
            ],
        );
        let signature = std::fs::read(path.join("sig.der")).unwrap();
        let expect = Expectations::at(NOW);
        let verified = verify_proof(&spki, &bytes, &signature, &expect).unwrap();
        assert_eq!(serde_json::to_value(&verified.payload).unwrap(), payload);
        // The same signature over other bytes is refused.
        let other = SignedPayload::from_json(connection_payload())
            .unwrap()
            .into_bytes();
        assert_eq!(
            verify_proof(&spki, &other, &signature, &expect)
                .unwrap_err()
                .kind(),
            "badSignature"
        );
    }
}
