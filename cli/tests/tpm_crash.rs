//! `devicekey serve --provider tpm` killed with SIGKILL in the middle of signing, again and
//! again, on a TPM without a resource manager (swtpm): each start flushes what the killed server
//! left loaded, so the TPM never fills up.

use devicekey_proof::{decode_base64, verify_proof, Expectations};
use devicekey_testkit::swtpm::Swtpm;
use serde_json::{json, Value};

use crate::serve_tpm::{live_payload, TpmServer};
use crate::support::{ACCOUNT, CLIENT};

/// How many times the server is killed, at least.
const KILLS: usize = 5;
/// How many times at most: a kill can fall between two operations (while the binding store
/// commits), and the test goes on until one has hit an operation.
const MAX_KILLS: usize = 20;
/// How many signs are in flight when it is.
const SIGNS_IN_FLIGHT: usize = 32;

/// The signature of a successful `device/key/sign` answer verifies under `spki`.
fn assert_signed(answer: &Value, spki: &[u8]) {
    let signed = &answer["result"];
    assert!(signed.is_object(), "a sign failed: {answer}");
    let signature = decode_base64(signed["signatureDerBase64"].as_str().unwrap()).unwrap();
    let bytes = decode_base64(signed["signedPayloadBase64"].as_str().unwrap()).unwrap();
    verify_proof(spki, &bytes, &signature, &Expectations::default()).unwrap();
}

fn create(server: &mut TpmServer) -> (String, Vec<u8>) {
    let created = server.result(
        "device/key/create",
        json!({"accountUserId": ACCOUNT, "clientId": CLIENT}),
    );
    let key_id = created["keyId"].as_str().unwrap().to_owned();
    let spki = decode_base64(created["publicKeySpkiDerBase64"].as_str().unwrap()).unwrap();
    (key_id, spki)
}

fn sign(server: &mut TpmServer, key_id: &str) -> Value {
    server.call(
        "device/key/sign",
        json!({"keyId": key_id, "payload": live_payload()}),
    )
}

#[test]
fn five_kill_9_during_signs_in_a_row_leave_a_tpm_that_creates_and_signs() {
    let dir = tempfile::tempdir().unwrap();
    let swtpm = Swtpm::start(&dir.path().join("tpm-state"));
    let state = dir.path().join("state");

    let mut key = None;
    let mut left_behind = Vec::new();
    for kill in 0..MAX_KILLS {
        if kill >= KILLS && left_behind.iter().any(|&count| count > 0) {
            break;
        }
        let mut server = TpmServer::start(&swtpm.tcti(), &state);
        let (key_id, spki) = key.get_or_insert_with(|| create(&mut server)).clone();
        for _ in 0..SIGNS_IN_FLIGHT {
            server.request(
                "device/key/sign",
                json!({"keyId": key_id, "payload": live_payload()}),
            );
        }
        // Some are answered (and each start found a TPM it could sign with), the others are
        // on their way when the server dies.
        for _ in 0..=kill % KILLS {
            assert_signed(&server.answer(), &spki);
        }
        server.kill();
        left_behind.push(swtpm.transient_handles().len());
    }
    eprintln!("transient objects left in the TPM after each kill -9: {left_behind:?}");
    assert!(
        left_behind.iter().any(|&count| count > 0),
        "no kill left an object in the TPM: {left_behind:?}"
    );

    let mut server = TpmServer::start(&swtpm.tcti(), &state);
    let (new_key, new_spki) = create(&mut server);
    assert_signed(&sign(&mut server, &new_key), &new_spki);
    let (old_key, old_spki) = key.unwrap();
    assert_signed(&sign(&mut server, &old_key), &old_spki);
    // Killed while idle it leaves what it keeps loaded (its primary and the keys it signed
    // with, at most three objects); the next start flushes them and signs with the old key, and
    // a clean stop leaves nothing.
    server.kill();
    let kept = swtpm.transient_handles().len();
    assert!(
        (1..=3).contains(&kept),
        "{kept} objects left by an idle kill"
    );
    let mut server = TpmServer::start(&swtpm.tcti(), &state);
    assert_signed(&sign(&mut server, &old_key), &old_spki);
    server.stop();
    assert_eq!(swtpm.transient_handles(), Vec::<String>::new());
}
