//! `devicekey serve --provider tpm` end to end over stdio, against a software TPM of its own.

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use devicekey_testkit::swtpm::Swtpm;
use serde_json::{json, Value};

use devicekey_proof::{verify_proof, Expectations};

use crate::support::{connection_payload_expiring_at, ACCOUNT, CLIENT};

/// How long a test waits for one answer.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

/// The real `devicekey serve --provider tpm` over stdio, initialized; killed (SIGKILL) when
/// dropped, whatever the test did.
pub struct TpmServer {
    child: Child,
    /// `None` once [`stop`](Self::stop) closed it.
    stdin: Option<ChildStdin>,
    replies: mpsc::Receiver<String>,
    next_id: i64,
}

impl TpmServer {
    /// Starts the server on the TPM at `tcti` with its state in `state_dir`, and shakes hands.
    pub fn start(tcti: &str, state_dir: &Path) -> TpmServer {
        TpmServer::start_with(tcti, state_dir, &[])
    }

    /// [`start`](Self::start) with more arguments for `devicekey serve`.
    pub fn start_with(tcti: &str, state_dir: &Path, extra: &[&str]) -> TpmServer {
        let mut child = Command::new(env!("CARGO_BIN_EXE_devicekey"))
            .args([
                "serve",
                "--provider",
                "tpm",
                "--tpm-tcti",
                tcti,
                "--state-dir",
            ])
            .arg(state_dir)
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (lines, replies) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = TpmServer {
            child,
            stdin: Some(stdin),
            replies,
            next_id: 1,
        };
        let initialized = server.call(
            "initialize",
            json!({"clientInfo": {"name": "tpm-test", "version": "1"}}),
        );
        assert!(initialized["result"].is_object(), "{initialized}");
        server.send(json!({"jsonrpc": "2.0", "method": "initialized"}));
        server
    }

    fn send(&mut self, message: Value) {
        let stdin = self.stdin.as_mut().expect("the server's input is open");
        writeln!(stdin, "{message}").unwrap();
        stdin.flush().unwrap();
    }

    /// Sends a request without waiting for its answer; returns its id.
    pub fn request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// The next answer, whichever request it answers.
    pub fn answer(&mut self) -> Value {
        let line = self
            .replies
            .recv_timeout(ANSWER_TIMEOUT)
            .unwrap_or_else(|_| panic!("no answer within {ANSWER_TIMEOUT:?}"));
        serde_json::from_str(&line).unwrap()
    }

    /// Sends a request and returns its answer (`result` or `error`), with nothing else in flight.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.request(method, params);
        let reply = self.answer();
        assert_eq!(reply["id"], id, "{reply}");
        reply
    }

    /// `call`, and its `result`, which it must have.
    pub fn result(&mut self, method: &str, params: Value) -> Value {
        let reply = self.call(method, params);
        assert!(reply["result"].is_object(), "{method}: {reply}");
        reply["result"].clone()
    }

    /// Ends the server's input (a clean stop) and waits, at most the answer timeout, for it to
    /// exit with success.
    pub fn stop(mut self) {
        drop(self.stdin.take());
        let deadline = std::time::Instant::now() + ANSWER_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "devicekey serve exited with {status}");
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the server did not stop at the end of its input"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the server with SIGKILL, wherever it is, and waits for it to be gone.
    pub fn kill(mut self) {
        self.reap();
    }

    fn reap(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for TpmServer {
    fn drop(&mut self) {
        self.reap();
    }
}

/// A connection payload for the fixtures' binding that the server's real clock accepts.
pub fn live_payload() -> Value {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    connection_payload_expiring_at(now + 300)
}

/// The real `devicekey serve --provider tpm` over stdio: initialize → create → sign, and the
/// proof verifies.
#[test]
fn the_server_binary_serves_tpm_keys_over_stdio() {
    let dir = tempfile::tempdir().unwrap();
    let swtpm = Swtpm::start(&dir.path().join("tpm-state"));
    let mut server = TpmServer::start(&swtpm.tcti(), &dir.path().join("state"));

    let created = server.result(
        "device/key/create",
        json!({"accountUserId": ACCOUNT, "clientId": CLIENT}),
    );
    assert_eq!(created["protectionClass"], "hardware_tpm", "{created}");
    let key_id = created["keyId"].as_str().unwrap().to_owned();
    assert!(key_id.starts_with("dk_tpm_"));
    let spki = devicekey_proof::decode_base64(created["publicKeySpkiDerBase64"].as_str().unwrap())
        .unwrap();

    let payload = live_payload();
    let signed = server.result(
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

/// After `TPM2_Clear` the server answers a sign with a key of before with `keyLost`, which says
/// what to do, and the TPM still creates and signs with new keys.
#[test]
fn a_key_of_a_cleared_tpm_is_answered_as_lost() {
    let dir = tempfile::tempdir().unwrap();
    let swtpm = Swtpm::start(&dir.path().join("tpm-state"));
    let state = dir.path().join("state");
    let mut server = TpmServer::start(&swtpm.tcti(), &state);
    let created = server.result(
        "device/key/create",
        json!({"accountUserId": ACCOUNT, "clientId": CLIENT}),
    );
    let key_id = created["keyId"].as_str().unwrap().to_owned();
    drop(server);
    swtpm.clear();

    let mut server = TpmServer::start(&swtpm.tcti(), &state);
    let answer = server.call(
        "device/key/sign",
        json!({"keyId": key_id, "payload": live_payload()}),
    );
    let error = &answer["error"];
    assert_eq!(error["data"]["kind"], "keyLost", "{answer}");
    assert_eq!(error["data"]["keyId"], key_id.as_str(), "{answer}");
    let code = error["code"].as_i64().unwrap();
    assert!((-32099..=-32001).contains(&code), "{answer}");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("no longer exists in this TPM"),
        "{message}"
    );
    assert!(message.contains("delete its binding"), "{message}");

    let created = server.result(
        "device/key/create",
        json!({"accountUserId": ACCOUNT, "clientId": CLIENT}),
    );
    let signed = server.call(
        "device/key/sign",
        json!({"keyId": created["keyId"], "payload": live_payload()}),
    );
    assert!(signed["result"].is_object(), "{signed}");
}

/// `--tpm-timeout 2` with the TPM stopped (SIGSTOP): six signs sent at once all fail at about
/// two seconds with `hardwareTimeout`, each deadline counting its wait behind the others (they
/// used to be answered one timeout after another: 2, 4, ... 12 s); once the TPM runs again the
/// server signs again.
#[test]
fn signs_waiting_on_a_stuck_tpm_all_fail_at_their_own_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let mut swtpm = Swtpm::start(&dir.path().join("tpm-state"));
    let state = dir.path().join("state");
    let mut server = TpmServer::start_with(&swtpm.tcti(), &state, &["--tpm-timeout", "2"]);
    let created = server.result(
        "device/key/create",
        json!({"accountUserId": ACCOUNT, "clientId": CLIENT}),
    );
    let sign = |n: usize| {
        let mut payload = live_payload();
        // A nonce of its own for each sign (43 base64url characters, the last one's low bits
        // zero), so that none is a replay of another.
        payload["nonce"] = json!(format!("{n:0>42}A"));
        json!({"keyId": created["keyId"], "payload": payload})
    };
    swtpm.pause();
    let started = Instant::now();
    for n in 0..6 {
        server.request("device/key/sign", sign(n));
    }
    let mut answered = Vec::new();
    for _ in 0..6 {
        let answer = server.answer();
        answered.push(started.elapsed());
        assert_eq!(
            answer["error"]["data"]["kind"], "hardwareTimeout",
            "{answer}"
        );
        assert_eq!(answer["error"]["code"], -32018, "{answer}");
    }
    eprintln!("six signs on a stopped TPM failed after {answered:?}");
    let timeout = Duration::from_secs(2);
    assert!(answered[0] >= timeout, "{answered:?}");
    // Serialised, the last would fail at six timeouts; each at its own deadline, all at about
    // one (the margin is for a loaded machine).
    assert!(answered[5] < timeout * 3, "{answered:?}");
    swtpm.resume();
    let signed = server.call("device/key/sign", sign(6));
    assert!(signed["result"].is_object(), "{signed}");
}
