//! Attestation through the runtime API, with scripted clients on in-memory connections: every
//! envelope status, late answers, and no header without an opted-in connection.

use std::sync::Arc;
use std::time::Duration;

use devicekey_protocol::validators::validate_attestation_envelope;
use devicekey_runtime::provider::UnsupportedProvider;
use devicekey_runtime::{BindingStore, DeviceKeyStore, ProviderSet};
use devicekey_server::{request_attestation, Attestation, AttestationStatus};
use devicekey_server::{Server, ServerOptions};
use serde_json::{json, Value};
use tokio::io::{
    AsyncBufReadExt as _, AsyncWriteExt as _, BufReader, DuplexStream, Lines, ReadHalf, WriteHalf,
};

const PATIENCE: Duration = Duration::from_secs(30);

fn server(timeout: Duration) -> Arc<Server> {
    let providers = ProviderSet::new(vec![Arc::new(UnsupportedProvider)]);
    let store = DeviceKeyStore::builder(providers, BindingStore::open_in_memory().unwrap()).build();
    Server::new(
        store,
        ServerOptions {
            attestation_timeout: timeout,
            ..ServerOptions::default()
        },
    )
}

/// A scripted client on an in-memory connection.
struct Script {
    lines: Lines<BufReader<ReadHalf<DuplexStream>>>,
    writer: WriteHalf<DuplexStream>,
    connection: tokio::task::JoinHandle<()>,
}

impl Script {
    /// Connects and initializes, opting into attestation or not.
    async fn connect(server: &Arc<Server>, request_attestation: Option<bool>) -> Self {
        let (stream, connection) = server.connect_in_memory();
        let (reader, writer) = tokio::io::split(stream);
        let mut script = Script {
            lines: BufReader::new(reader).lines(),
            writer,
            connection,
        };
        let capabilities = match request_attestation {
            Some(flag) => json!({"requestAttestation": flag, "experimentalApi": true}),
            None => Value::Null,
        };
        script
            .send(json!({"id": 1, "method": "initialize", "params": {"clientInfo": {"name": "script", "version": "1"}, "capabilities": capabilities}}))
            .await;
        let answer = script.receive().await;
        assert!(answer.get("result").is_some(), "{answer}");
        script.send(json!({"method": "initialized"})).await;
        script
    }

    async fn send(&mut self, message: Value) {
        self.writer
            .write_all(format!("{message}\n").as_bytes())
            .await
            .unwrap();
    }

    async fn receive(&mut self) -> Value {
        let line = tokio::time::timeout(PATIENCE, self.lines.next_line())
            .await
            .expect("a message in time")
            .unwrap()
            .expect("the connection is open");
        serde_json::from_str(&line).unwrap()
    }

    /// Reads the server's `attestation/generate` request; its id.
    async fn expect_attestation_request(&mut self) -> Value {
        let request = self.receive().await;
        assert_eq!(request["jsonrpc"], "2.0");
        assert_eq!(request["method"], "attestation/generate");
        assert_eq!(request["params"], json!({}));
        assert!(request["id"].is_u64(), "{request}");
        request["id"].clone()
    }

    async fn disconnect(mut self) {
        self.writer.shutdown().await.unwrap();
        drop(self.lines);
        self.connection.await.unwrap();
    }
}

fn assert_header(header: &str, expected: Value) {
    let value: Value = serde_json::from_str(header).unwrap();
    assert_eq!(value, expected);
    assert_eq!(validate_attestation_envelope(&value), Ok(()));
    // Compact JSON.
    assert!(!header.contains(' '), "{header}");
}

/// Runs `attestation_header` while the script answers with `answer(id)`.
async fn header_with_answer(answer: impl FnOnce(Value) -> Option<Value>) -> String {
    let server = server(PATIENCE);
    let mut script = Script::connect(&server, Some(true)).await;
    let header = {
        let server = Arc::clone(&server);
        tokio::spawn(async move { server.attestation_header().await })
    };
    let id = script.expect_attestation_request().await;
    if let Some(answer) = answer(id) {
        script.send(answer).await;
    }
    let header = header
        .await
        .unwrap()
        .expect("a header for an opted-in connection");
    script.disconnect().await;
    header
}

#[tokio::test]
async fn a_token_gives_status_0_with_the_token() {
    let header = header_with_answer(|id| {
        Some(json!({"id": id, "result": {"token": "v1.opaque-client-payload"}}))
    })
    .await;
    assert_header(
        &header,
        json!({"v": 1, "s": 0, "t": "v1.opaque-client-payload"}),
    );
}

#[tokio::test]
async fn an_error_answer_gives_status_2() {
    let header = header_with_answer(|id| {
        Some(json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32000, "message": "no attestation here"}}))
    })
    .await;
    assert_header(&header, json!({"v": 1, "s": 2}));
}

#[tokio::test]
async fn malformed_answers_give_status_4() {
    for result in [
        json!({}),
        json!({"token": ""}),
        json!({"token": 5}),
        json!({"token": "t", "extra": 1}),
        json!("v1.token"),
        Value::Null,
    ] {
        let header = header_with_answer(|id| Some(json!({"id": id, "result": result}))).await;
        assert_header(&header, json!({"v": 1, "s": 4}));
    }
}

#[tokio::test]
async fn a_disconnect_gives_status_3() {
    let server = server(PATIENCE);
    let mut script = Script::connect(&server, Some(true)).await;
    let header = {
        let server = Arc::clone(&server);
        tokio::spawn(async move { server.attestation_header().await })
    };
    script.expect_attestation_request().await;
    script.disconnect().await;
    assert_header(&header.await.unwrap().unwrap(), json!({"v": 1, "s": 3}));
}

#[tokio::test]
async fn no_answer_gives_status_1_and_a_late_answer_is_discarded() {
    let server = server(Duration::from_millis(50));
    let mut script = Script::connect(&server, Some(true)).await;
    let header = {
        let server = Arc::clone(&server);
        tokio::spawn(async move { server.attestation_header().await })
    };
    let id = script.expect_attestation_request().await;
    assert_header(&header.await.unwrap().unwrap(), json!({"v": 1, "s": 1}));
    // The late answer is dropped without an error, and the connection still works.
    script
        .send(json!({"id": id, "result": {"token": "late"}}))
        .await;
    script
        .send(json!({"id": 2, "method": "device/key/list", "params": {}}))
        .await;
    let answer = script.receive().await;
    assert_eq!(answer["id"], 2);
    assert_eq!(answer["result"], json!({"keys": []}));
    // Each request gets a fresh id from the server's counter.
    let again = {
        let server = Arc::clone(&server);
        tokio::spawn(async move { server.attestation_header().await })
    };
    let second = script.expect_attestation_request().await;
    assert_ne!(second, id);
    script
        .send(json!({"id": second, "result": {"token": "on time"}}))
        .await;
    let header = again.await.unwrap().unwrap();
    let value: Value = serde_json::from_str(&header).unwrap();
    // With a 50 ms budget the answer may still miss it; either outcome is well formed.
    assert!(
        value == json!({"v": 1, "s": 0, "t": "on time"}) || value == json!({"v": 1, "s": 1}),
        "{header}"
    );
    script.disconnect().await;
}

#[tokio::test]
async fn without_an_opted_in_connection_there_is_no_header() {
    let server = server(PATIENCE);
    assert_eq!(server.attestation_header().await, None);
    let declined = Script::connect(&server, Some(false)).await;
    let silent = Script::connect(&server, None).await;
    assert_eq!(server.attestation_header().await, None);
    declined.disconnect().await;
    silent.disconnect().await;
    // An opted-in connection that went away no longer counts.
    let gone = Script::connect(&server, Some(true)).await;
    gone.disconnect().await;
    assert_eq!(server.attestation_header().await, None);
    assert!(server.registry().is_empty());
}

#[tokio::test]
async fn the_most_recent_opted_in_connection_is_asked() {
    let server = server(PATIENCE);
    let first = Script::connect(&server, Some(true)).await;
    let mut second = Script::connect(&server, Some(true)).await;
    let _other = Script::connect(&server, Some(false)).await;
    let header = {
        let server = Arc::clone(&server);
        tokio::spawn(async move { server.attestation_header().await })
    };
    let id = second.expect_attestation_request().await;
    second
        .send(json!({"id": id, "result": {"token": "second"}}))
        .await;
    assert_header(
        &header.await.unwrap().unwrap(),
        json!({"v": 1, "s": 0, "t": "second"}),
    );
    // The runtime API also asks one given connection.
    let connection = server.registry().latest_attesting().unwrap();
    let asked = tokio::spawn(async move { request_attestation(&connection, PATIENCE).await });
    let id = second.expect_attestation_request().await;
    second
        .send(json!({"id": id, "error": {"code": 1, "message": "no"}}))
        .await;
    assert_eq!(
        asked.await.unwrap().status,
        AttestationStatus::RequestFailed
    );
    first.disconnect().await;
    second.disconnect().await;
}

#[test]
fn envelopes_carry_the_token_only_with_status_0() {
    let ok = Attestation {
        status: AttestationStatus::Ok,
        token: Some("v1.x".into()),
    };
    assert_eq!(ok.header_value(), r#"{"s":0,"t":"v1.x","v":1}"#);
    let failed = Attestation {
        status: AttestationStatus::Timeout,
        token: Some("ignored".into()),
    };
    assert_eq!(failed.header_value(), r#"{"s":1,"v":1}"#);
    for status in [
        AttestationStatus::RequestFailed,
        AttestationStatus::Canceled,
        AttestationStatus::MalformedResponse,
    ] {
        let value = serde_json::to_value(
            Attestation {
                status,
                token: None,
            }
            .envelope(),
        )
        .unwrap();
        assert_eq!(validate_attestation_envelope(&value), Ok(()));
        assert_eq!(value["s"], json!(status as i64));
    }
}
