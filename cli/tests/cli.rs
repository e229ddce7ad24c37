//! The `devicekey verify` command, run as a real process.

use std::process::{Command, Output};

use devicekey_proof::encode_base64;
use devicekey_proof::public_key_spki_der;
use devicekey_proof::SignedPayload;
use devicekey_runtime::sign_der;
use p256::ecdsa::SigningKey;

use crate::support::*;

fn devicekey(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_devicekey"))
        .args(args)
        .output()
        .unwrap()
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
    ];
    let (code, output) = run(&args);
    assert_eq!(code, 0, "{output}");
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
