//! The `devicekey verify` command, run as a real process: the proof as its three parts or as
//! the server printed it, the public key in base64, DER, PEM or as the server printed it, the
//! clock, the lenient mode and every expectation.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use devicekey_proof::encode_base64;
use devicekey_proof::public_key_spki_der;
use devicekey_proof::SignedPayload;
use devicekey_runtime::sign_der;
use p256::ecdsa::SigningKey;
use serde_json::json;

use crate::serve::{create_params, payload, ServeProcess};
use crate::support::*;

fn devicekey(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_devicekey"))
        .args(args)
        .output()
        .unwrap()
}

/// `devicekey` on `args` with `stdin` as its input: exit code and stdout + stderr.
pub fn run_with_stdin(args: &[&str], stdin: &[u8]) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_devicekey"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr),
    )
}

struct Proof {
    spki: Vec<u8>,
    bytes: Vec<u8>,
    signature: Vec<u8>,
}

fn proof() -> Proof {
    let key = SigningKey::from_slice(&[0x66; 32]).unwrap();
    let bytes = SignedPayload::from_json(connection_payload().clone())
        .unwrap()
        .into_bytes();
    Proof {
        spki: public_key_spki_der(key.verifying_key()).unwrap(),
        signature: sign_der(&key, &bytes),
        bytes,
    }
}

fn base64_args(proof: &Proof) -> Vec<String> {
    vec![
        "verify".into(),
        "--public-key-spki-base64".into(),
        encode_base64(&proof.spki),
        "--signed-payload-base64".into(),
        encode_base64(&proof.bytes),
        "--signature-der-base64".into(),
        encode_base64(&proof.signature),
    ]
}

fn run(args: &[String]) -> (i32, String) {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = devicekey(&args);
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap() + &String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn a_valid_proof_prints_its_payload_and_exits_zero() {
    let proof = proof();
    let mut args = base64_args(&proof);
    args.extend(
        [
            "--now",
            &NOW.to_string(),
            "--expect-audience",
            "remote_control_client_websocket",
            "--expect-origin",
            "https://chatgpt.com",
        ]
        .map(str::to_owned),
    );
    let (code, output) = run(&args);
    assert_eq!(code, 0, "{output}");
    assert!(output.starts_with("VALID"), "{output}");
    assert!(output.contains("accountUserId: account-user-1"), "{output}");
    assert!(
        output.contains(&format!("within the window at {NOW}")),
        "{output}"
    );
}

#[test]
fn failures_print_the_reason_and_exit_one() {
    let proof = proof();
    let mut tampered = Proof {
        bytes: proof.bytes.clone(),
        ..proof
    };
    tampered.bytes[5] ^= 1;
    let (code, output) = run(&base64_args(&tampered));
    assert_eq!(code, 1, "{output}");
    assert!(output.starts_with("INVALID (badSignature)"), "{output}");

    let proof = self::proof();
    let mut args = base64_args(&proof);
    args.extend(["--now".to_owned(), (NOW + 60).to_string()]);
    let (code, output) = run(&args);
    assert_eq!(code, 1);
    assert!(
        output.contains(
            "INVALID (tokenExpired): invalid device key payload: remote-control token is expired"
        ),
        "{output}"
    );

    // Field expectations are checked before the clock.
    let mut args = base64_args(&proof);
    args.extend([
        "--expect-origin".to_owned(),
        "https://chatgpt-staging.com".to_owned(),
    ]);
    let (code, output) = run(&args);
    assert_eq!(code, 1);
    assert!(output.contains("originMismatch"), "{output}");
}

#[test]
fn inputs_can_come_from_files() {
    let proof = proof();
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let args = vec![
        "verify".to_owned(),
        "--public-key-file".to_owned(),
        file("pub.der", &proof.spki),
        "--signed-payload-file".to_owned(),
        file("data", &proof.bytes),
        "--signature-der-file".to_owned(),
        file("sig.der", &proof.signature),
        "--now".to_owned(),
        NOW.to_string(),
    ];
    let (code, output) = run(&args);
    assert_eq!(code, 0, "{output}");

    // PEM is read as the DER it holds, checked as any DER is: a compressed point is refused.
    let pem = |der: &[u8]| {
        format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            encode_base64(der)
        )
    };
    let mut args = args.clone();
    args[2] = file("pub.pem", pem(&proof.spki).as_bytes());
    let (code, output) = run(&args);
    assert_eq!(code, 0, "{output}");
    let key = SigningKey::from_slice(&[0x66; 32]).unwrap();
    let mut compressed = vec![
        0x30, 0x39, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08,
        0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x22, 0x00,
    ];
    compressed.extend_from_slice(key.verifying_key().to_sec1_point(true).as_bytes());
    args[2] = file("compressed.pem", pem(&compressed).as_bytes());
    let (code, output) = run(&args);
    assert_eq!(code, 1, "{output}");
    assert!(
        output.starts_with("INVALID (malformedPublicKey)"),
        "{output}"
    );
}

#[test]
fn without_now_the_system_clock_decides_and_skipping_is_asked_for_by_name() {
    // The fixture payload expired in 2023.
    let proof = proof();
    let (code, output) = run(&base64_args(&proof));
    assert_eq!(code, 1, "{output}");
    assert!(output.starts_with("INVALID (tokenExpired)"), "{output}");
    let mut args = base64_args(&proof);
    args.push("--skip-expiry".to_owned());
    let (code, output) = run(&args);
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("(not checked: --skip-expiry)"), "{output}");
    args.extend(["--now".to_owned(), NOW.to_string()]);
    let (code, output) = run(&args);
    assert_eq!(code, 2, "--now and --skip-expiry conflict: {output}");
}

#[test]
fn every_expectation_has_a_flag_and_a_kind() {
    let proof = proof();
    let signed: serde_json::Value = serde_json::from_slice(&proof.bytes).unwrap();
    let nonce = signed["payload"]["nonce"].as_str().unwrap().to_owned();
    let key_id = format!("dk_swk_{}", "A".repeat(43));
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (vec!["--expect-nonce", &nonce], 0, "VALID"),
        (
            vec![
                "--expect-nonce",
                "BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            ],
            1,
            "INVALID (nonceMismatch)",
        ),
        // base64url may start with `-`: a value, not a flag.
        (
            vec![
                "--expect-nonce",
                "-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            ],
            1,
            "INVALID (nonceMismatch)",
        ),
        (vec!["--expect-session-id", "wssess_123"], 0, "VALID"),
        (
            vec!["--expect-session-id", "wssess_9"],
            1,
            "INVALID (sessionIdMismatch)",
        ),
        (
            vec!["--expect-challenge-id", "rch_123"],
            1,
            "INVALID (challengeIdMismatch)",
        ),
        (vec!["--expect-account-user-id", ACCOUNT], 0, "VALID"),
        (
            vec!["--expect-account-user-id", "someone"],
            1,
            "INVALID (accountUserIdMismatch)",
        ),
        (vec!["--expect-client-id", CLIENT], 0, "VALID"),
        (
            vec!["--expect-client-id", "cli_9"],
            1,
            "INVALID (clientIdMismatch)",
        ),
        (
            vec!["--expect-key-id", &key_id],
            1,
            "INVALID (keyIdMismatch)",
        ),
        (
            vec!["--expect-key-id", "dk_nope"],
            2,
            "error: --expect-key-id",
        ),
    ];
    for (extra, code, start) in cases {
        let mut args = base64_args(&proof);
        args.extend(["--now".to_owned(), NOW.to_string()]);
        args.extend(extra.iter().map(|arg| (*arg).to_owned()));
        let (exit, output) = run(&args);
        assert_eq!(exit, code, "{extra:?}: {output}");
        assert!(output.starts_with(start), "{extra:?}: {output}");
    }
    let mut args = base64_args(&proof);
    args.extend(
        [
            "--now",
            &NOW.to_string(),
            "--expect-nonce",
            &nonce,
            "--expect-account-user-id",
            ACCOUNT,
        ]
        .map(str::to_owned),
    );
    let (_, output) = run(&args);
    assert!(
        output.contains("as expected:   nonce, accountUserId"),
        "{output}"
    );
}

#[test]
fn another_spelling_is_valid_not_canonical_only_when_asked_for() {
    let key = SigningKey::from_slice(&[0x66; 32]).unwrap();
    let canonical = proof();
    let text = String::from_utf8(canonical.bytes.clone()).unwrap();
    let spelled = text.replace('/', "\\/").into_bytes();
    let proof = Proof {
        signature: sign_der(&key, &spelled),
        bytes: spelled,
        spki: canonical.spki,
    };
    let mut args = base64_args(&proof);
    args.extend(["--now".to_owned(), NOW.to_string()]);
    let (code, output) = run(&args);
    assert_eq!(code, 1, "{output}");
    assert!(output.starts_with("INVALID (nonCanonical)"), "{output}");
    args.push("--accept-any-spelling".to_owned());
    let (code, output) = run(&args);
    assert_eq!(code, 0, "{output}");
    assert!(output.starts_with("VALID, NOT CANONICAL"), "{output}");
    assert!(
        output.contains("targetOrigin:  https://chatgpt.com"),
        "{output}"
    );
}

#[test]
fn the_proof_and_key_as_the_server_printed_them() {
    let (server, mut peer) = ServeProcess::stdio();
    peer.initialize();
    let created = peer.call_ok("device/key/create", create_params());
    let key_id = created["keyId"].as_str().unwrap().to_owned();
    let public = peer.call("device/key/public", json!({"keyId": key_id}));
    let signed = peer.call(
        "device/key/sign",
        json!({"keyId": key_id, "payload": payload()}),
    );
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: String| {
        let path = dir.path().join(name);
        std::fs::write(&path, text + "\n").unwrap();
        path.to_str().unwrap().to_owned()
    };
    // Whole answer lines, and bare results.
    let proof_line = write("sign.json", signed.to_string());
    let proof_result = write("sign-result.json", signed["result"].to_string());
    let key_line = write("public.json", public.to_string());
    let key_result = write("create.json", created.to_string());
    for (proof, key) in [(&proof_line, &key_line), (&proof_result, &key_result)] {
        let (code, output) = run(&[
            "verify".to_owned(),
            "--proof".to_owned(),
            proof.clone(),
            "--key".to_owned(),
            key.clone(),
            "--expect-client-id".to_owned(),
            CLIENT.to_owned(),
        ]);
        assert_eq!(code, 0, "{output}");
        assert!(output.starts_with("VALID"), "{output}");
        assert!(
            output.contains(&format!("key:           {key_id} (as --key names it)")),
            "{output}"
        );
        assert!(output.contains("the system clock's time"), "{output}");
    }
    // stdin for one of them; the other flags still work beside --proof.
    let spki = created["publicKeySpkiDerBase64"].as_str().unwrap();
    let (code, output) = run_with_stdin(
        &["verify", "--proof", "-", "--public-key-spki-base64", spki],
        signed.to_string().as_bytes(),
    );
    assert_eq!(code, 0, "{output}");
    let (code, output) = run_with_stdin(
        &["verify", "--proof", &proof_line, "--key", "-"],
        public.to_string().as_bytes(),
    );
    assert_eq!(code, 0, "{output}");
    let (code, output) = run_with_stdin(&["verify", "--proof", "-", "--key", "-"], b"");
    assert_eq!(code, 2, "{output}");
    assert!(output.contains("only one of --proof and --key"), "{output}");

    // What is not a sign answer says why, by instance path.
    let error_line = write(
        "error.json",
        json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32001, "message": "device key not found"}}).to_string(),
    );
    let not_a_proof = write(
        "not-a-proof.json",
        json!({"signatureDerBase64": "AAAA", "algorithm": "ecdsa_p256_sha256"}).to_string(),
    );
    let not_json = write("not-json.json", "{".to_owned());
    for (file, expected) in [
        (
            &error_line,
            "is a JSON-RPC error answer, not a result: device key not found",
        ),
        (&not_a_proof, "is not a DeviceKeySignResponse"),
        (&not_json, "is not JSON"),
    ] {
        let (code, output) = run(&[
            "verify".to_owned(),
            "--proof".to_owned(),
            file.clone(),
            "--key".to_owned(),
            key_line.clone(),
        ]);
        assert_eq!(code, 2, "{output}");
        assert!(output.contains(expected), "{output}");
    }
    let (code, output) = run(&[
        "verify".to_owned(),
        "--proof".to_owned(),
        proof_line.clone(),
        "--signature-der-base64".to_owned(),
        "AAAA".to_owned(),
        "--key".to_owned(),
        key_line,
    ]);
    assert_eq!(code, 2, "--proof conflicts with the parts: {output}");
    drop(server);
}

#[test]
fn bad_arguments_exit_two() {
    let (code, output) = run(&["verify".to_owned()]);
    assert_eq!(code, 2, "{output}");
    let proof = proof();
    let mut args = base64_args(&proof);
    args[2] = "not base64!".to_owned();
    let (code, output) = run(&args);
    assert_eq!(code, 2, "{output}");
    assert!(
        output.contains("public key is not standard padded base64"),
        "{output}"
    );
}

/// `devicekey verify` on `args` within `limit`: its exit code and output, or `None` if it was
/// still running (then it is killed).
fn run_within(args: &[String], limit: std::time::Duration) -> Option<(i32, String)> {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_devicekey"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let output = child.wait_with_output().unwrap();
    Some((
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr),
    ))
}

#[test]
fn hostile_input_files_fail_at_once_with_a_clear_error() {
    let proof = proof();
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let status = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    let huge = dir.path().join("huge");
    std::fs::write(&huge, vec![b'A'; 2 * 1024 * 1024]).unwrap();
    let linked_zero = dir.path().join("zero-link");
    std::os::unix::fs::symlink("/dev/zero", &linked_zero).unwrap();
    let inputs = [
        ("/dev/zero".into(), "a character device, not a regular file"),
        (linked_zero, "a character device, not a regular file"),
        (fifo, "a FIFO, not a regular file"),
        (dir.path().to_owned(), "a directory, not a regular file"),
        (huge, "more than the limit"),
    ];
    let flags = [
        ("--public-key-file", "public key", 1),
        ("--signed-payload-file", "signed payload", 3),
        ("--signature-der-file", "signature", 5),
    ];
    for (input, reason) in &inputs {
        for (flag, what, position) in flags {
            // The base64 form of the other two inputs, the hostile file for this one.
            let mut args = base64_args(&proof);
            args[position] = flag.to_owned();
            args[position + 1] = input.display().to_string();
            let (code, output) = run_within(&args, std::time::Duration::from_secs(10))
                .unwrap_or_else(|| panic!("verify {flag} {} hangs", input.display()));
            assert_eq!(code, 2, "{flag} {}: {output}", input.display());
            let expected = format!("cannot read the {what} from {}: ", input.display());
            assert!(
                output.contains(&expected) && output.contains(reason),
                "{flag} {}: {output}",
                input.display()
            );
        }
    }
}
