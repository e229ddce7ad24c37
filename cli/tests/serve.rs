//! The `devicekey serve` binary end to end, over stdio and a Unix socket: the happy path, every
//! error class with its schema-typed `data`, concurrency, line limits, notifications, the
//! handshake, the socket's mode and its removal; and, in process, a slow provider that must not
//! hold other requests up.

use std::io::{BufRead as _, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use devicekey_proof::decode_base64;
use devicekey_proof::{verify_proof, Expectations, SignPayloadExt as _};
use devicekey_proof::{DeviceKeyError, KeyId, SignedPayload};
use devicekey_protocol::methods;
use devicekey_protocol::types::{DeviceKeyProtectionClass, DeviceKeyProtectionPolicy};
use devicekey_protocol::validators::{
    validate_domain_error_data, validate_invalid_params_error_data, validate_request_error_data,
};
use devicekey_runtime::provider::{SoftwareProvider, UnsupportedProvider};
use devicekey_runtime::FileSecretStore;
use devicekey_runtime::{BindingStore, DeviceKeyStore, KeyProvider, ProviderKey, ProviderSet};
use devicekey_server::{Server, ServerOptions};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _};

use crate::support::{connection_payload_expiring_at, ACCOUNT, CLIENT};

/// How long a test waits for any one line before it fails.
const PATIENCE: Duration = Duration::from_secs(30);

/// Reads lines from a stream on a thread, so a test can wait with a limit.
pub fn line_channel(reader: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(reader).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

/// A client of a server over some byte stream.
pub struct Peer {
    writer: Option<Box<dyn Write + Send>>,
    lines: mpsc::Receiver<String>,
    next_id: i64,
}

impl Peer {
    pub fn new(writer: Box<dyn Write + Send>, lines: mpsc::Receiver<String>) -> Self {
        Peer {
            writer: Some(writer),
            lines,
            next_id: 1000,
        }
    }

    /// Writes raw bytes followed by a newline.
    pub fn send_raw(&mut self, bytes: &[u8]) {
        let writer = self.writer.as_mut().expect("the connection is open");
        writer.write_all(bytes).unwrap();
        writer.write_all(b"\n").unwrap();
        writer.flush().unwrap();
    }

    pub fn send(&mut self, message: &Value) {
        self.send_raw(message.to_string().as_bytes());
    }

    /// The next message the server sent, checked to carry `"jsonrpc":"2.0"`.
    pub fn receive(&mut self) -> Value {
        let line = self
            .lines
            .recv_timeout(PATIENCE)
            .expect("the server answers in time");
        let message: Value = serde_json::from_str(&line).expect("the server writes JSON lines");
        assert_eq!(message["jsonrpc"], "2.0", "{message}");
        message
    }

    /// Whether the server sends nothing more within `wait`.
    pub fn is_silent_for(&mut self, wait: Duration) -> bool {
        match self.lines.recv_timeout(wait) {
            Ok(line) => panic!("unexpected message: {line}"),
            Err(_) => true,
        }
    }

    /// Sends a request with the next integer id and returns the answer (checked to carry it).
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"id": id, "method": method, "params": params}));
        let answer = self.receive();
        assert_eq!(answer["id"], json!(id), "{answer}");
        answer
    }

    /// `call`, expecting a result that passes the method's generated result validator.
    pub fn call_ok(&mut self, method: &str, params: Value) -> Value {
        let answer = self.call(method, params);
        let result = answer
            .get("result")
            .unwrap_or_else(|| panic!("{method} failed: {answer}"))
            .clone();
        let validate = methods::method(method).unwrap().validate_result.unwrap();
        assert_eq!(validate(&result), Ok(()), "{method} result {result}");
        result
    }

    pub fn initialize(&mut self) {
        self.call_ok(
            "initialize",
            json!({"clientInfo": {"name": "server_tests", "version": "1"}}),
        );
        self.send(&json!({"method": "initialized"}));
    }

    /// Closes the writing side: the server sees the end of its input.
    pub fn close(&mut self) {
        self.writer.take();
    }
}

/// Asserts that `answer` is an error with `code` whose `data` (if the code has one) passes the
/// generated validator of its schema; returns the error object.
pub fn assert_error(answer: &Value, code: i64) -> Value {
    let error = answer
        .get("error")
        .unwrap_or_else(|| panic!("expected error {code}, got {answer}"))
        .clone();
    assert_eq!(error["code"], json!(code), "{answer}");
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{answer}"
    );
    let data = error.get("data");
    match code {
        -32700 | -32601 => assert!(data.is_none(), "{answer}"),
        -32600 => assert_eq!(
            validate_request_error_data(data.unwrap()),
            Ok(()),
            "{answer}"
        ),
        -32602 => assert_eq!(
            validate_invalid_params_error_data(data.unwrap()),
            Ok(()),
            "{answer}"
        ),
        -32099..=-32000 => assert_eq!(
            validate_domain_error_data(data.unwrap()),
            Ok(()),
            "{answer}"
        ),
        other => panic!("unexpected code {other}"),
    }
    error
}

/// The `devicekey serve` process.
pub struct ServeProcess {
    child: Child,
    state: Option<tempfile::TempDir>,
}

impl ServeProcess {
    pub fn command(state: &Path, extra: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_devicekey"));
        command
            .arg("serve")
            .arg("--provider")
            .arg("software")
            .arg("--state-dir")
            .arg(state)
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        command
    }

    /// A server on stdio, and its client.
    pub fn stdio() -> (ServeProcess, Peer) {
        let state = tempfile::tempdir().unwrap();
        Self::stdio_in(state)
    }

    pub fn stdio_in(state: tempfile::TempDir) -> (ServeProcess, Peer) {
        let mut child = Self::command(state.path(), &[]).spawn().unwrap();
        let stdin: ChildStdin = child.stdin.take().unwrap();
        let lines = line_channel(child.stdout.take().unwrap());
        (
            ServeProcess {
                child,
                state: Some(state),
            },
            Peer::new(Box::new(stdin), lines),
        )
    }

    /// A server on a Unix socket at `<state>/sock/devicekey.sock`, once the socket exists.
    pub fn unix() -> (ServeProcess, PathBuf) {
        let state = tempfile::tempdir().unwrap();
        let socket_dir = state.path().join("sock");
        std::fs::create_dir(&socket_dir).unwrap();
        let socket = socket_dir.join("devicekey.sock");
        let listen = format!("unix://{}", socket.display());
        let child = Self::command(&state.path().join("state"), &["--listen", &listen])
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        let process = ServeProcess {
            child,
            state: Some(state),
        };
        let deadline = std::time::Instant::now() + PATIENCE;
        while !socket.exists() {
            assert!(
                std::time::Instant::now() < deadline,
                "the socket never appeared"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        (process, socket)
    }

    /// The state directory.
    pub fn state(&self) -> &Path {
        self.state.as_ref().unwrap().path()
    }

    /// Takes the state directory, so it outlives the process.
    pub fn keep_state(&mut self) -> tempfile::TempDir {
        self.state.take().unwrap()
    }

    /// Sends `signal` (`TERM`, `INT`) to the server.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the process to exit; its exit code.
    pub fn wait(mut self) -> i32 {
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the server did not exit"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client on a Unix socket.
pub fn unix_peer(socket: &Path) -> Peer {
    let stream = std::os::unix::net::UnixStream::connect(socket).unwrap();
    let lines = line_channel(stream.try_clone().unwrap());
    Peer::new(Box::new(SocketWriter(stream)), lines)
}

/// The writing side of a socket; dropping it shuts the direction down (the reading thread
/// holds a clone of the socket, so closing one descriptor would not).
struct SocketWriter(std::os::unix::net::UnixStream);

impl Write for SocketWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.write(bytes)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

impl Drop for SocketWriter {
    fn drop(&mut self) {
        let _ = self.0.shutdown(std::net::Shutdown::Write);
    }
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A valid connection payload for ACCOUNT / CLIENT with a fresh nonce, expiring in 300 s.
pub fn payload() -> Value {
    connection_payload_expiring_at(now() + 300)
}

pub fn create_params() -> Value {
    json!({"protectionPolicy": "allow_software", "accountUserId": ACCOUNT, "clientId": CLIENT})
}

/// create → public → sign → verify → list → delete on an initialized connection.
fn happy_path(peer: &mut Peer) {
    let created = peer.call_ok("device/key/create", create_params());
    let key_id = created["keyId"].as_str().unwrap().to_owned();
    assert!(key_id.starts_with("dk_swk_"));
    assert_eq!(created["protectionClass"], "software");
    let public = peer.call_ok("device/key/public", json!({"keyId": key_id}));
    assert_eq!(public, created);

    let signed = peer.call_ok(
        "device/key/sign",
        json!({"keyId": key_id, "payload": payload()}),
    );
    let bytes = |value: &Value| decode_base64(value.as_str().unwrap()).unwrap();
    let proof = verify_proof(
        &bytes(&public["publicKeySpkiDerBase64"]),
        &bytes(&signed["signedPayloadBase64"]),
        &bytes(&signed["signatureDerBase64"]),
        &Expectations {
            audience: Some("remote_control_client_websocket".into()),
            origin: Some("https://chatgpt.com".into()),
            ..Expectations::at(now())
        },
    )
    .unwrap();
    assert_eq!(proof.payload.account_user_id().as_str(), ACCOUNT);

    let listed = peer.call_ok("device/key/list", json!({"clientId": CLIENT}));
    assert_eq!(listed["keys"].as_array().unwrap().len(), 1);
    assert_eq!(listed["keys"][0]["keyId"], json!(key_id));
    assert_eq!(
        peer.call_ok("device/key/delete", json!({"keyId": key_id})),
        json!({"deleted": true})
    );
    let gone = peer.call("device/key/public", json!({"keyId": key_id}));
    let error = assert_error(&gone, -32001);
    assert_eq!(
        error["data"],
        json!({"kind": "keyNotFound", "keyId": key_id})
    );
}

#[test]
fn stdio_serves_the_whole_lifecycle() {
    let (process, mut peer) = ServeProcess::stdio();
    peer.initialize();
    happy_path(&mut peer);
    peer.close();
    assert_eq!(process.wait(), 0);
}

#[test]
fn unix_socket_serves_many_connections_with_mode_0600_and_is_removed_on_sigterm() {
    use std::os::unix::fs::{FileTypeExt as _, PermissionsExt as _};
    let (process, socket) = ServeProcess::unix();
    let metadata = std::fs::metadata(&socket).unwrap();
    assert!(metadata.file_type().is_socket());
    assert_eq!(metadata.permissions().mode() & 0o777, 0o600);
    // Nothing but the socket is left next to it: the private directory it was bound in is
    // removed right after the socket is renamed into place (wait for that, bounded).
    let entries = |dir: &std::path::Path| std::fs::read_dir(dir).unwrap().count();
    let deadline = std::time::Instant::now() + PATIENCE;
    while entries(socket.parent().unwrap()) != 1 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(entries(socket.parent().unwrap()), 1);

    let mut first = unix_peer(&socket);
    let mut second = unix_peer(&socket);
    first.initialize();
    // Each connection has its own handshake.
    let early = second.call("device/key/list", json!({}));
    assert_eq!(
        assert_error(&early, -32600)["data"],
        json!({"kind": "notInitialized"})
    );
    second.initialize();
    happy_path(&mut second);
    happy_path(&mut first);
    first.close();
    second.close();

    process.signal("TERM");
    assert_eq!(process.wait(), 0);
    assert!(!socket.exists(), "the socket file is removed on exit");
}

#[test]
fn unix_socket_is_removed_on_sigint() {
    let (process, socket) = ServeProcess::unix();
    let mut peer = unix_peer(&socket);
    peer.initialize();
    process.signal("INT");
    assert_eq!(process.wait(), 0);
    assert!(!socket.exists());
}

#[test]
fn serve_refuses_a_socket_path_that_is_in_use_or_not_a_socket() {
    let (_process, socket) = ServeProcess::unix();
    let state = tempfile::tempdir().unwrap();
    let output = ServeProcess::command(
        state.path(),
        &["--listen", &format!("unix://{}", socket.display())],
    )
    .stdin(Stdio::null())
    .stderr(Stdio::piped())
    .output()
    .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("already listening"));
    let file = state.path().join("plain");
    std::fs::write(&file, b"x").unwrap();
    let output = ServeProcess::command(
        state.path(),
        &["--listen", &format!("unix://{}", file.display())],
    )
    .stdin(Stdio::null())
    .output()
    .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
}

/// Runs `check` on a fresh stdio server and on a fresh Unix socket server.
fn over_both_transports(check: fn(&mut Peer)) {
    let (_process, mut peer) = ServeProcess::stdio();
    check(&mut peer);
    let (_server, socket) = ServeProcess::unix();
    check(&mut unix_peer(&socket));
}

#[test]
fn the_handshake_is_enforced() {
    over_both_transports(the_handshake_is_enforced_on);
}

fn the_handshake_is_enforced_on(peer: &mut Peer) {
    let early = peer.call("device/key/create", create_params());
    let error = assert_error(&early, -32600);
    assert_eq!(error["message"], "Not initialized");
    assert_eq!(error["data"], json!({"kind": "notInitialized"}));
    // Invalid initialize params do not initialize.
    let bad = peer.call("initialize", json!({"clientInfo": {"name": "x"}}));
    assert_error(&bad, -32602);
    peer.initialize();
    let again = peer.call(
        "initialize",
        json!({"clientInfo": {"name": "x", "version": "1"}}),
    );
    let error = assert_error(&again, -32600);
    assert_eq!(error["message"], "Already initialized");
    assert_eq!(error["data"], json!({"kind": "alreadyInitialized"}));
}

#[test]
fn every_error_class_has_its_code_and_schema_typed_data() {
    over_both_transports(every_error_class_has_its_code_and_schema_typed_data_on);
}

fn every_error_class_has_its_code_and_schema_typed_data_on(peer: &mut Peer) {
    peer.initialize();

    // -32700: not JSON, and a duplicate key at any depth; the id is null.
    for line in [
        &b"{not json"[..],
        br#"{"id":1,"method":"device/key/list","params":{"clientId":"a","clientId":"b"}}"#,
        br#"{"id":1,"id":2,"method":"device/key/list"}"#,
    ] {
        peer.send_raw(line);
        let answer = peer.receive();
        assert_error(&answer, -32700);
        assert_eq!(answer["id"], Value::Null);
    }
    // Bytes that are not UTF-8.
    peer.send_raw(b"{\"id\":1,\"method\":\"\xff\"}");
    assert_error(&peer.receive(), -32700);

    // -32600: not a request object.
    for (line, id) in [
        (json!([1, 2]), Value::Null),
        (json!("initialize"), Value::Null),
        (json!({"id": 7}), json!(7)),
        (json!({"id": 8, "method": 3}), json!(8)),
        (json!({"id": 1.5, "method": "device/key/list"}), Value::Null),
        (
            json!({"id": {"a": 1}, "method": "device/key/list"}),
            Value::Null,
        ),
        (
            json!({"jsonrpc": "1.0", "id": 9, "method": "device/key/list"}),
            json!(9),
        ),
    ] {
        peer.send(&line);
        let answer = peer.receive();
        let error = assert_error(&answer, -32600);
        assert_eq!(error["data"], json!({"kind": "invalidRequest"}), "{line}");
        assert_eq!(answer["id"], id, "{line}");
    }

    // -32601: unknown methods, and the server-to-client method sent the wrong way.
    for method in ["device/key/rotate", "attestation/generate", "initialized"] {
        let answer = peer.call(method, json!({}));
        assert_error(&answer, -32601);
    }

    // -32602: the generated validators' violations, with codex's message where it has one.
    let answer = peer.call(
        "device/key/create",
        json!({"accountUserId": "", "clientId": CLIENT, "extra": 1}),
    );
    let error = assert_error(&answer, -32602);
    assert_eq!(error["data"]["kind"], "invalidParams");
    let keywords: Vec<&str> = error["data"]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["keyword"].as_str().unwrap())
        .collect();
    assert!(
        keywords.contains(&"minLength") && keywords.contains(&"additionalProperties"),
        "{keywords:?}"
    );
    let answer = peer.call("device/key/public", json!({"keyId": "dk_swk_short"}));
    let error = assert_error(&answer, -32602);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .starts_with("keyId must be dk_hse_"),
        "{error}"
    );
    assert_eq!(error["data"]["violations"][0]["instancePath"], "/keyId");
    let answer = peer.call(
        "device/key/sign",
        json!({"keyId": "dk_swk_short", "payload": payload()}),
    );
    assert_error(&answer, -32602);
    let answer = peer.call("device/key/list", json!({"clientId": ""}));
    assert_error(&answer, -32602);
    let answer = peer.call("device/key/create", Value::Null);
    assert_error(&answer, -32602);
    let mut bad_nonce = payload();
    bad_nonce["nonce"] = json!("short");
    let key_id = peer.call_ok("device/key/create", create_params())["keyId"].clone();
    let answer = peer.call(
        "device/key/sign",
        json!({"keyId": key_id, "payload": bad_nonce}),
    );
    let error = assert_error(&answer, -32602);
    assert_eq!(
        error["message"],
        "invalid device key payload: nonce must be at least 32 random bytes encoded as unpadded base64url"
    );

    // Domain errors: codes in -32000..-32099, data {kind, keyId?}, codex's texts.
    let unknown = KeyId::from_parts(DeviceKeyProtectionClass::Software, &[7; 32]);
    let answer = peer.call(
        "device/key/sign",
        json!({"keyId": unknown.as_str(), "payload": payload()}),
    );
    assert_eq!(
        assert_error(&answer, -32001)["data"],
        json!({"kind": "keyNotFound", "keyId": unknown.as_str()})
    );
    let mut wrong_origin = payload();
    wrong_origin["targetOrigin"] = json!("https://evilchatgpt.com");
    let answer = peer.call(
        "device/key/sign",
        json!({"keyId": key_id, "payload": wrong_origin}),
    );
    let error = assert_error(&answer, -32011);
    assert_eq!(
        error["message"],
        "invalid device key payload: targetOrigin must be an allowed remote-control backend origin"
    );
    assert_eq!(error["data"]["kind"], "originNotAllowed");
    let mut other_binding = payload();
    other_binding["clientId"] = json!("cli_other");
    let answer = peer.call(
        "device/key/sign",
        json!({"keyId": key_id, "payload": other_binding}),
    );
    let error = assert_error(&answer, -32006);
    assert_eq!(error["message"], "invalid device key payload: payload accountUserId/clientId does not match device key binding");
    let mut expired = payload();
    expired["tokenExpiresAt"] = json!(now() - 10);
    let answer = peer.call(
        "device/key/sign",
        json!({"keyId": key_id, "payload": expired}),
    );
    assert_eq!(
        assert_error(&answer, -32007)["message"],
        "invalid device key payload: remote-control token is expired"
    );
    let fresh = payload();
    peer.call_ok(
        "device/key/sign",
        json!({"keyId": key_id, "payload": fresh}),
    );
    let answer = peer.call(
        "device/key/sign",
        json!({"keyId": key_id, "payload": fresh}),
    );
    assert_eq!(
        assert_error(&answer, -32012)["data"],
        json!({"kind": "replay", "keyId": key_id})
    );
    let answer = peer.call(
        "device/key/create",
        json!({"accountUserId": ACCOUNT, "clientId": CLIENT}),
    );
    let error = assert_error(&answer, -32003);
    assert_eq!(
        error["data"],
        json!({"kind": "degradedProtectionNotAllowed"})
    );
    let tpm_key = KeyId::from_parts(DeviceKeyProtectionClass::HardwareTpm, &[1; 32]);
    let answer = peer.call("device/key/public", json!({"keyId": tpm_key.as_str()}));
    assert_error(&answer, -32001);
}

#[test]
fn ids_are_echoed_exactly_and_jsonrpc_is_optional_on_input() {
    let (_process, mut peer) = ServeProcess::stdio();
    peer.send(&json!({"id": "init-1", "method": "initialize", "params": {"clientInfo": {"name": "n", "version": "1"}}}));
    let answer = peer.receive();
    assert_eq!(answer["id"], "init-1");
    assert!(answer["result"]["userAgent"]
        .as_str()
        .unwrap()
        .starts_with("devicekey/"));
    for id in [
        json!(0),
        json!(-5),
        json!(9007199254740993_i64),
        json!(u64::MAX),
        json!(""),
        json!("ü-7"),
    ] {
        peer.send(&json!({"jsonrpc": "2.0", "id": id, "method": "device/key/list", "params": {}}));
        let answer = peer.receive();
        assert_eq!(answer["id"], id);
        assert_eq!(answer["result"], json!({"keys": []}));
    }
    // Params may be omitted where every field is optional.
    peer.send(&json!({"id": 1, "method": "device/key/list"}));
    assert_eq!(peer.receive()["result"], json!({"keys": []}));
}

#[test]
fn notifications_get_no_reply() {
    over_both_transports(notifications_get_no_reply_on);
}

fn notifications_get_no_reply_on(peer: &mut Peer) {
    // Before and after initialize, known or not, valid params or not.
    peer.send(&json!({"method": "initialized"}));
    peer.send(&json!({"method": "device/key/create", "params": create_params()}));
    peer.initialize();
    peer.send(&json!({"method": "no/such/method"}));
    peer.send(&json!({"jsonrpc": "2.0", "method": "device/key/list", "params": 5}));
    // Blank lines are ignored too.
    peer.send_raw(b"   ");
    assert!(peer.is_silent_for(Duration::from_millis(300)));
    let answer = peer.call("device/key/list", json!({}));
    assert_eq!(
        answer["result"],
        json!({"keys": []}),
        "the notification created no key"
    );
}

#[test]
fn an_oversized_line_is_refused_and_the_connection_stays_usable() {
    over_both_transports(an_oversized_line_is_refused_and_the_connection_stays_usable_on);
}

fn an_oversized_line_is_refused_and_the_connection_stays_usable_on(peer: &mut Peer) {
    peer.initialize();
    let mut line = br#"{"id":1,"method":"device/key/list","params":{"clientId":""#.to_vec();
    line.resize(line.len() + 1024 * 1024 + 10, b'a');
    line.extend_from_slice(br#""}}"#);
    peer.send_raw(&line);
    let answer = peer.receive();
    let error = assert_error(&answer, -32600);
    assert_eq!(error["data"], json!({"kind": "lineTooLong"}));
    assert_eq!(answer["id"], Value::Null);
    // Exactly one answer for the long line, then business as usual.
    let answer = peer.call("device/key/list", json!({}));
    assert_eq!(answer["result"], json!({"keys": []}));
    // A line just under the limit is read whole (and its 1 MiB client id refused by the
    // schema's maxLength).
    let mut line = br#"{"id":"big","method":"device/key/list","params":{"clientId":""#.to_vec();
    let end = br#""}}"#;
    line.resize(1024 * 1024 - end.len(), b'b');
    line.extend_from_slice(end);
    peer.send_raw(&line);
    let answer = peer.receive();
    assert_eq!(answer["id"], "big");
    let error = assert_error(&answer, -32602);
    assert_eq!(error["data"]["violations"][0]["instancePath"], "/clientId");
    assert_eq!(error["data"]["violations"][0]["keyword"], "maxLength");
}

#[test]
fn concurrent_requests_are_all_answered_matched_by_id() {
    over_both_transports(concurrent_requests_are_all_answered_matched_by_id_on);
}

fn concurrent_requests_are_all_answered_matched_by_id_on(peer: &mut Peer) {
    peer.initialize();
    let key_id = peer.call_ok("device/key/create", create_params())["keyId"].clone();
    let mut batch = Vec::new();
    for index in 0..40 {
        let message = match index % 4 {
            0 => {
                json!({"id": format!("s{index}"), "method": "device/key/sign", "params": {"keyId": key_id, "payload": payload()}})
            }
            1 => json!({"id": index, "method": "device/key/public", "params": {"keyId": key_id}}),
            2 => json!({"id": index, "method": "device/key/list", "params": {}}),
            _ => json!({"id": index, "method": "device/key/public", "params": {"keyId": 5}}),
        };
        batch.extend_from_slice(message.to_string().as_bytes());
        batch.push(b'\n');
    }
    batch.pop();
    peer.send_raw(&batch);
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..40 {
        let answer = peer.receive();
        let id = answer["id"].clone();
        let expect_ok = !matches!(id.as_i64(), Some(n) if n % 4 == 3);
        assert_eq!(answer.get("result").is_some(), expect_ok, "{answer}");
        assert!(seen.insert(id.to_string()), "answered twice: {answer}");
    }
    assert!(peer.is_silent_for(Duration::from_millis(200)));
}

#[test]
fn end_of_input_lets_requests_in_flight_finish_and_keeps_bindings() {
    let (process, mut peer) = ServeProcess::stdio();
    peer.initialize();
    let mut batch = String::new();
    for index in 0..10 {
        batch += &json!({"id": index, "method": "device/key/create", "params": create_params()})
            .to_string();
        batch.push('\n');
    }
    batch.pop();
    peer.send_raw(batch.as_bytes());
    peer.close();
    let mut created = Vec::new();
    for _ in 0..10 {
        created.push(
            peer.receive()["result"]["keyId"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let mut process = process;
    let state = process.keep_state();
    assert_eq!(process.wait(), 0);
    // The bindings are all in the database the server left behind.
    let bindings = BindingStore::open(state.path().join("bindings.sqlite3")).unwrap();
    let listed = bindings.list(&Default::default()).unwrap();
    let mut listed: Vec<String> = listed.iter().map(|b| b.key_id.to_string()).collect();
    listed.sort();
    created.sort();
    assert_eq!(listed, created);
}

#[test]
fn serve_rejects_a_bad_listen_url_and_bad_origins() {
    let state = tempfile::tempdir().unwrap();
    for extra in [
        &["--listen", "tcp://127.0.0.1:1"][..],
        &["--allowed-origin", "ftp://x"][..],
    ] {
        let output = ServeProcess::command(state.path(), extra)
            .stdin(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{extra:?}");
        assert!(output.stdout.is_empty(), "nothing but protocol on stdout");
    }
}

#[test]
fn allowed_origins_replace_the_defaults() {
    let state = tempfile::tempdir().unwrap();
    let mut child =
        ServeProcess::command(state.path(), &["--allowed-origin", "https://*.example.com"])
            .spawn()
            .unwrap();
    let lines = line_channel(child.stdout.take().unwrap());
    let mut peer = Peer::new(Box::new(child.stdin.take().unwrap()), lines);
    let _process = ServeProcess {
        child,
        state: Some(state),
    };
    peer.initialize();
    let key_id = peer.call_ok("device/key/create", create_params())["keyId"].clone();
    let answer = peer.call(
        "device/key/sign",
        json!({"keyId": key_id, "payload": payload()}),
    );
    assert_error(&answer, -32011);
    let mut allowed = payload();
    allowed["targetOrigin"] = json!("https://api.example.com");
    peer.call_ok(
        "device/key/sign",
        json!({"keyId": key_id, "payload": allowed}),
    );
}

#[test]
fn provider_choices_without_their_platform_fail_clearly() {
    let state = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_devicekey"))
        .args(["serve", "--provider", "macos", "--state-dir"])
        .arg(state.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    if cfg!(not(target_os = "macos")) {
        assert_eq!(output.status.code(), Some(1));
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("this build has no macOS provider")
        );
    }
    assert!(output.stdout.is_empty());
}

#[test]
fn every_command_has_help() {
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["demo", "--help"],
        &["verify", "--help"],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_devicekey"))
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("Usage"),
            "{args:?}"
        );
    }
    let output = Command::new(env!("CARGO_BIN_EXE_devicekey"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    for flag in [
        "--listen",
        "--state-dir",
        "--provider",
        "--allowed-origin",
        "--attestation-timeout-ms",
        "--tpm-tcti",
        "--keychain-access-group",
        "--user-presence",
    ] {
        assert!(help.contains(flag), "{flag}");
    }
}

/// A provider whose signatures wait until released, to show that a slow sign holds nothing up.
#[derive(Debug)]
struct GatedProvider {
    inner: SoftwareProvider,
    gate: Arc<(Mutex<bool>, Condvar)>,
}

impl KeyProvider for GatedProvider {
    fn name(&self) -> &'static str {
        "gated"
    }
    fn protection_classes(&self) -> &[DeviceKeyProtectionClass] {
        self.inner.protection_classes()
    }
    fn create(&self, policy: DeviceKeyProtectionPolicy) -> Result<ProviderKey, DeviceKeyError> {
        self.inner.create(policy)
    }
    fn public_key(&self, key_id: &KeyId) -> Result<Vec<u8>, DeviceKeyError> {
        self.inner.public_key(key_id)
    }
    fn sign(&self, key_id: &KeyId, payload: &SignedPayload) -> Result<Vec<u8>, DeviceKeyError> {
        let (open, opened) = &*self.gate;
        let mut open = open.lock().unwrap();
        while !*open {
            open = opened.wait(open).unwrap();
        }
        drop(open);
        self.inner.sign(key_id, payload)
    }
    fn delete(&self, key_id: &KeyId) -> Result<bool, DeviceKeyError> {
        self.inner.delete(key_id)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_sign_does_not_hold_up_other_requests() {
    let dir = tempfile::tempdir().unwrap();
    let gate = Arc::new((Mutex::new(false), Condvar::new()));
    // Opens the gate when dropped, also when the test fails, so the blocked sign can end.
    struct Release(Arc<(Mutex<bool>, Condvar)>);
    impl Drop for Release {
        fn drop(&mut self) {
            *self
                .0
                 .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = true;
            self.0 .1.notify_all();
        }
    }
    let release = Release(Arc::clone(&gate));
    let provider = GatedProvider {
        inner: SoftwareProvider::new(Arc::new(
            FileSecretStore::open(dir.path().join("keys")).unwrap(),
        )),
        gate: Arc::clone(&gate),
    };
    let providers = ProviderSet::new(vec![Arc::new(UnsupportedProvider), Arc::new(provider)]);
    let store = DeviceKeyStore::builder(providers, BindingStore::open_in_memory().unwrap()).build();
    let server = Server::new(store, ServerOptions::default());
    let (stream, connection) = server.connect_in_memory();
    let (reader, mut writer) = tokio::io::split(stream);
    let mut lines = tokio::io::BufReader::new(reader).lines();
    async fn send(writer: &mut (impl tokio::io::AsyncWrite + Unpin), message: Value) {
        writer
            .write_all(format!("{message}\n").as_bytes())
            .await
            .unwrap();
    }
    async fn next(lines: &mut tokio::io::Lines<impl tokio::io::AsyncBufRead + Unpin>) -> Value {
        let line = tokio::time::timeout(PATIENCE, lines.next_line())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        serde_json::from_str(&line).unwrap()
    }
    send(&mut writer, json!({"id": 1, "method": "initialize", "params": {"clientInfo": {"name": "t", "version": "1"}}})).await;
    send(
        &mut writer,
        json!({"id": 2, "method": "device/key/create", "params": create_params()}),
    )
    .await;
    assert_eq!(next(&mut lines).await["id"], 1);
    let created = next(&mut lines).await;
    let key_id = created["result"]["keyId"].clone();

    send(&mut writer, json!({"id": "slow", "method": "device/key/sign", "params": {"keyId": key_id, "payload": payload()}})).await;
    for id in 10..15 {
        send(
            &mut writer,
            json!({"id": id, "method": "device/key/public", "params": {"keyId": key_id}}),
        )
        .await;
    }
    // Every later request is answered while the sign still waits for its provider.
    let mut answered = std::collections::BTreeSet::new();
    for _ in 10..15 {
        let answer = next(&mut lines).await;
        assert!(answer.get("result").is_some(), "{answer}");
        answered.insert(answer["id"].as_i64().unwrap());
    }
    assert_eq!(answered, (10..15).collect());
    drop(release);
    let answer = next(&mut lines).await;
    assert_eq!(answer["id"], "slow");
    assert!(answer["result"]["signatureDerBase64"].is_string());
    writer.shutdown().await.unwrap();
    connection.await.unwrap();
    assert!(server.registry().is_empty());
}

#[test]
fn the_software_provider_keeps_keys_under_the_state_dir() {
    let (process, mut peer) = ServeProcess::stdio();
    peer.initialize();
    let key_id = peer.call_ok("device/key/create", create_params())["keyId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(process
        .state()
        .join("keys")
        .join(format!("{key_id}.key"))
        .exists());
    assert!(process.state().join("bindings.sqlite3").exists());
}

#[test]
fn the_state_dir_is_created_private_and_defaults_to_xdg_data_home() {
    use std::os::unix::fs::PermissionsExt as _;
    let root = tempfile::tempdir().unwrap();
    let xdg = root.path().join("xdg");
    let mut child = Command::new(env!("CARGO_BIN_EXE_devicekey"))
        .args(["serve", "--provider", "software"])
        .env("XDG_DATA_HOME", &xdg)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = line_channel(child.stdout.take().unwrap());
    let mut peer = Peer::new(Box::new(child.stdin.take().unwrap()), lines);
    peer.initialize();
    peer.call_ok("device/key/create", create_params());
    peer.close();
    assert!(child.wait().unwrap().success());
    let state = xdg.join("devicekey");
    let mode = std::fs::metadata(&state).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
    assert!(state.join("bindings.sqlite3").exists());
    assert_eq!(std::fs::read_dir(state.join("keys")).unwrap().count(), 1);
}

#[test]
fn auto_without_hardware_is_unsupported_never_software() {
    let state = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_devicekey"))
        .args([
            "serve",
            "--provider",
            "auto",
            "--tpm-tcti",
            "device:/nonexistent/tpm",
            "--state-dir",
        ])
        .arg(state.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lines = line_channel(child.stdout.take().unwrap());
    let mut peer = Peer::new(Box::new(child.stdin.take().unwrap()), lines);
    peer.initialize();
    // Even a policy that allows software gets no software key from `auto`.
    for policy in [json!("hardware_only"), json!("allow_software")] {
        let answer = peer.call(
            "device/key/create",
            json!({"protectionPolicy": policy, "accountUserId": ACCOUNT, "clientId": CLIENT}),
        );
        let error = assert_error(&answer, -32004);
        assert_eq!(
            error["data"],
            json!({"kind": "hardwareUnavailable"}),
            "{policy}"
        );
    }
    peer.close();
    assert!(child.wait().unwrap().success());
}

#[test]
fn stdio_stops_cleanly_on_sigterm() {
    let (process, mut peer) = ServeProcess::stdio();
    peer.initialize();
    process.signal("TERM");
    assert_eq!(process.wait(), 0);
}
