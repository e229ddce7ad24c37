//! One `device/key/sign` request through the real connection code is schema-validated exactly
//! once: by the dispatcher, into the generated params type, and never again by the store.
//!
//! This test is its own binary (one process, one test) because it reads the process-wide count of
//! schema validations, which any other test running at the same time would move.

use std::sync::Arc;

use devicekey_proof::schema_validations;
use devicekey_runtime::provider::SoftwareProvider;
use devicekey_runtime::{BindingStore, DeviceKeyStore, FileSecretStore, ProviderSet};
use devicekey_server::{Server, ServerOptions};
use devicekey_testkit::{connection_payload_expiring_at, ACCOUNT, CLIENT};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};

fn line(id: u64, method: &str, params: Value) -> String {
    json!({"id": id, "method": method, "params": params}).to_string() + "\n"
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_request_is_schema_validated_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let provider = SoftwareProvider::new(Arc::new(
        FileSecretStore::open(dir.path().join("keys")).unwrap(),
    ));
    let bindings = BindingStore::open(dir.path().join("bindings.sqlite3")).unwrap();
    let store =
        DeviceKeyStore::builder(ProviderSet::new(vec![Arc::new(provider)]), bindings).build();
    let server = Server::new(store, ServerOptions::default());
    let (stream, _connection) = server.connect_in_memory();
    let (reader, mut writer) = tokio::io::split(stream);
    let mut lines = BufReader::new(reader).lines();

    let mut exchange = Vec::new();
    for (id, method, params) in [
        (
            1,
            "initialize",
            json!({"clientInfo": {"name": "once", "version": "1"}}),
        ),
        (
            2,
            "device/key/create",
            json!({"protectionPolicy": "allow_software", "accountUserId": ACCOUNT, "clientId": CLIENT}),
        ),
    ] {
        let before = schema_validations();
        writer
            .write_all(line(id, method, params).as_bytes())
            .await
            .unwrap();
        let answer: Value =
            serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap();
        assert!(answer.get("result").is_some(), "{method}: {answer}");
        exchange.push((method, schema_validations() - before, answer));
    }
    let key_id = exchange[1].2["result"]["keyId"]
        .as_str()
        .unwrap()
        .to_owned();

    let before = schema_validations();
    let sign = json!({"keyId": key_id, "payload": connection_payload_expiring_at(now() + 60)});
    writer
        .write_all(line(3, "device/key/sign", sign).as_bytes())
        .await
        .unwrap();
    let answer: Value = serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap();
    let validations = schema_validations() - before;
    assert!(
        answer["result"]["signatureDerBase64"].is_string(),
        "{answer}"
    );
    assert_eq!(
        validations, 1,
        "one sign request ran {validations} schema validations"
    );

    // Each other method is validated once too.
    for (method, count, _) in &exchange {
        assert_eq!(*count, 1, "{method} ran {count} schema validations");
    }
}
