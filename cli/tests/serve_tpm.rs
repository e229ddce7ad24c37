//! `devicekey serve --provider tpm` end to end over stdio, against a software TPM of its own.

use std::process::Command;
use std::time::Duration;

use devicekey_testkit::swtpm::Swtpm;
use serde_json::json;

use devicekey_proof::{verify_proof, Expectations};

use crate::support::{connection_payload, with, ACCOUNT, CLIENT};

/// The real `devicekey serve --provider tpm` over stdio: initialize → create → sign, and the
/// proof verifies.
#[test]
fn the_server_binary_serves_tpm_keys_over_stdio() {
    use std::io::{BufRead as _, BufReader, Write as _};
    use std::process::Stdio;

    let dir = tempfile::tempdir().unwrap();
    let swtpm = Swtpm::start(&dir.path().join("tpm-state"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_devicekey"))
        .args([
            "serve",
            "--provider",
            "tpm",
            "--tpm-tcti",
            &swtpm.tcti(),
            "--state-dir",
        ])
        .arg(dir.path().join("state"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    // Kill the server whatever happens below.
    struct Reap(std::process::Child);
    impl Drop for Reap {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let _server = Reap(child);
    let (lines, replies) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    struct Client {
        stdin: std::process::ChildStdin,
        replies: std::sync::mpsc::Receiver<String>,
    }
    impl Client {
        fn send(&mut self, message: serde_json::Value) {
            writeln!(self.stdin, "{message}").unwrap();
            self.stdin.flush().unwrap();
        }
        fn call(&mut self, id: i64, method: &str, params: serde_json::Value) -> serde_json::Value {
            self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
            let line = self
                .replies
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|_| panic!("no answer to {method}"));
            let reply: serde_json::Value = serde_json::from_str(&line).unwrap();
            assert_eq!(reply["id"], id, "{reply}");
            reply["result"].clone()
        }
    }
    let mut client = Client { stdin, replies };

    let initialized = client.call(
        1,
        "initialize",
        json!({"clientInfo": {"name": "tpm-test", "version": "1"}}),
    );
    assert!(initialized.is_object(), "{initialized}");
    client.send(json!({"jsonrpc": "2.0", "method": "initialized"}));

    let created = client.call(
        2,
        "device/key/create",
        json!({"accountUserId": ACCOUNT, "clientId": CLIENT}),
    );
    assert_eq!(created["protectionClass"], "hardware_tpm", "{created}");
    let key_id = created["keyId"].as_str().unwrap().to_owned();
    assert!(key_id.starts_with("dk_tpm_"));
    let spki = devicekey_proof::decode_base64(created["publicKeySpkiDerBase64"].as_str().unwrap())
        .unwrap();

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let payload = with(
        &connection_payload(),
        "tokenExpiresAt",
        Some(json!(now + 300)),
    );
    let signed = client.call(
        3,
        "device/key/sign",
        json!({"keyId": key_id, "payload": payload}),
    );
    let signature =
        devicekey_proof::decode_base64(signed["signatureDerBase64"].as_str().unwrap()).unwrap();
    let bytes =
        devicekey_proof::decode_base64(signed["signedPayloadBase64"].as_str().unwrap()).unwrap();
    let verified = verify_proof(&spki, &bytes, &signature, &Expectations::default()).unwrap();
    assert_eq!(serde_json::to_value(&verified.payload).unwrap(), payload);
}
