//! Answers that must be right, not merely refusals: integers written with a fraction or an
//! exponent over the wire, and Unix socket paths right up to the platform's limit (one byte over
//! is refused, with the length and the limit, before anything is created).

use std::os::unix::fs::{FileTypeExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use devicekey_proof::decode_base64;
use devicekey_runtime::provider::UnsupportedProvider;
use devicekey_runtime::{BindingStore, DeviceKeyStore, ProviderSet};
use devicekey_server::{Server, ServerOptions, SocketListener};
use devicekey_testkit::{connection_payload, with, Harness, ACCOUNT, CLIENT, NOW};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt as _, AsyncRead, AsyncWrite, AsyncWriteExt as _, BufReader};

/// How long any one step may take before the test fails.
const PATIENCE: Duration = Duration::from_secs(8);

async fn send<W: AsyncWrite + Unpin>(writer: &mut W, text: &str) {
    let mut line = text.as_bytes().to_vec();
    line.push(b'\n');
    tokio::time::timeout(PATIENCE, writer.write_all(&line))
        .await
        .expect("the server reads in time")
        .unwrap();
}

async fn next_message<R: AsyncRead + Unpin>(lines: &mut BufReader<R>) -> Value {
    let mut line = Vec::new();
    tokio::time::timeout(PATIENCE, lines.read_until(b'\n', &mut line))
        .await
        .expect("an answer in time")
        .unwrap();
    assert!(line.ends_with(b"\n"), "the connection ended");
    serde_json::from_slice(&line).unwrap()
}

fn initialize() -> String {
    json!({"id": 0, "method": "initialize", "params": {"clientInfo": {"name": "answers", "version": "1"}}})
        .to_string()
}

/// A sign request for `key_id` as the text a client sends, its `tokenExpiresAt` written as
/// `literal`.
fn sign_request(id: u64, key_id: &str, literal: &str) -> String {
    let payload = with(
        &connection_payload(),
        "tokenExpiresAt",
        Some(json!("LITERAL")),
    );
    json!({"id": id, "method": "device/key/sign", "params": {"keyId": key_id, "payload": payload}})
        .to_string()
        .replace("\"LITERAL\"", literal)
}

/// Draft-07 integers written as `1.0`, `1e3` or `-0` are integers (the schema and ajv say so):
/// the server signs them as the integers they are, and the expiry rules see that value. Out of
/// range, the answer names the field and what is wrong with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn integers_written_with_a_fraction_or_an_exponent_are_answered_as_integers() {
    let Harness {
        dir: _dir, store, ..
    } = Harness::new();
    let server = Server::new(store, ServerOptions::default());
    let (stream, _connection) = server.connect_in_memory();
    let (reader, mut writer) = tokio::io::split(stream);
    let mut reader = BufReader::new(reader);
    send(&mut writer, &initialize()).await;
    assert!(next_message(&mut reader).await.get("result").is_some());
    let create = json!({"id": 1, "method": "device/key/create", "params": {
        "protectionPolicy": "allow_software", "accountUserId": ACCOUNT, "clientId": CLIENT}});
    send(&mut writer, &create.to_string()).await;
    let created = next_message(&mut reader).await;
    let key_id = created["result"]["keyId"].as_str().unwrap().to_owned();

    for (id, literal) in [
        (2, "1700000060.0"),
        (3, "1.70000006e9"),
        (4, "17000000600e-1"),
    ] {
        send(&mut writer, &sign_request(id, &key_id, literal)).await;
        let answer = next_message(&mut reader).await;
        let signed = answer["result"]["signedPayloadBase64"]
            .as_str()
            .unwrap_or_else(|| panic!("{literal}: {answer}"));
        let signed = String::from_utf8(decode_base64(signed).unwrap()).unwrap();
        assert!(
            signed.contains(&format!("\"tokenExpiresAt\":{},", NOW + 60)),
            "{literal}: {signed}"
        );
    }

    send(&mut writer, &sign_request(5, &key_id, "-0")).await;
    let answer = next_message(&mut reader).await;
    assert_eq!(
        answer["error"]["data"]["kind"], "tokenExpired",
        "-0 is long past: {answer}"
    );

    send(&mut writer, &sign_request(6, &key_id, "1e300")).await;
    let answer = next_message(&mut reader).await;
    let error = &answer["error"];
    assert_eq!(error["code"], -32602, "{answer}");
    assert_eq!(
        error["message"],
        "invalid params: /payload/tokenExpiresAt: must be less than or equal to 9007199254740991"
    );
    let first = &error["data"]["violations"][0];
    assert_eq!(first["instancePath"], "/payload/tokenExpiresAt", "{answer}");
    assert_eq!(first["keyword"], "maximum", "{answer}");

    // Every integer field, not only the expiries.
    send(
        &mut writer,
        r#"{"id": 7, "method": "device/key/list", "params": {"limit": 1e1}}"#,
    )
    .await;
    let answer = next_message(&mut reader).await;
    assert_eq!(
        answer["result"]["keys"].as_array().map(Vec::len),
        Some(1),
        "{answer}"
    );
}

fn unsupported_server() -> Arc<Server> {
    let providers = ProviderSet::new(vec![Arc::new(UnsupportedProvider)]);
    let store = DeviceKeyStore::builder(providers, BindingStore::open_in_memory().unwrap()).build();
    Server::new(store, ServerOptions::default())
}

/// Binds `path`, serves it, and has a real client connect and initialize; checks the socket's
/// mode and that nothing else was left in its directory.
async fn serve_and_connect(path: &Path) {
    let listener = SocketListener::bind(path)
        .unwrap_or_else(|error| panic!("{} ({} bytes): {error}", path.display(), len(path)));
    let metadata = std::fs::symlink_metadata(path).unwrap();
    assert!(metadata.file_type().is_socket());
    assert_eq!(metadata.permissions().mode() & 0o777, 0o600);
    let parent = path.parent().unwrap();
    let entries: Vec<PathBuf> = std::fs::read_dir(parent)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into())
        .collect();
    assert_eq!(
        entries,
        [PathBuf::from(path.file_name().unwrap())],
        "no staging directory is left"
    );

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(listener.serve(
        unsupported_server(),
        async move {
            let _ = stopped.await;
        },
        Duration::from_secs(1),
    ));
    let stream = tokio::net::UnixStream::connect(path).await.unwrap();
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    send(&mut writer, &initialize()).await;
    let answer = next_message(&mut reader).await;
    assert!(answer.get("result").is_some(), "{answer}");
    drop((reader, writer));
    stop.send(()).unwrap();
    serving.await.unwrap().unwrap();
    assert!(!path.exists(), "the socket file is removed");
}

fn len(path: &Path) -> usize {
    path.as_os_str().len()
}

/// `dir/<name>` with `name` of `name_bytes` bytes, inside directories that bring the whole path
/// to exactly `total` bytes (created).
fn path_of_length(dir: &Path, total: usize, name_bytes: usize) -> PathBuf {
    let fill = total - len(dir) - name_bytes - 2;
    let parent = dir.join("d".repeat(fill));
    std::fs::create_dir(&parent).unwrap();
    let path = parent.join("s".repeat(name_bytes));
    assert_eq!(len(&path), total);
    path
}

/// Every path of at most `MAX_PATH_BYTES` binds and serves, whatever the length of its file
/// name: a private staging directory beside the socket costs no length of the caller's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn socket_paths_of_the_maximum_length_bind_and_serve() {
    let max = SocketListener::MAX_PATH_BYTES;
    assert_eq!(max, if cfg!(target_os = "linux") { 107 } else { 103 });
    let dir = tempfile::tempdir().unwrap();
    // A file name of 1 byte, of 8 (shorter than a staging directory's name) and of 40.
    for name_bytes in [1, 8, 40] {
        let case = dir.path().join(format!("n{name_bytes}"));
        std::fs::create_dir(&case).unwrap();
        let path = path_of_length(&case, max, name_bytes);
        serve_and_connect(&path).await;
    }
    // The path in the issue's range (85 to 107 bytes) that a staging directory used to push
    // over the limit.
    let case = dir.path().join("issue");
    std::fs::create_dir(&case).unwrap();
    serve_and_connect(&path_of_length(&case, 90, 14)).await;
}

/// A relative path counts as written: one of exactly the maximum length binds, wherever the
/// working directory is.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relative_socket_path_of_the_maximum_length_binds_and_serves() {
    let max = SocketListener::MAX_PATH_BYTES;
    let dir = tempfile::tempdir().unwrap();
    let cwd = std::env::current_dir().unwrap();
    // `../` up to the root, then the temporary directory without its leading `/`.
    let up = PathBuf::from("../".repeat(cwd.components().count() - 1));
    let relative = up.join(dir.path().strip_prefix("/").unwrap());
    assert!(len(&relative) + 4 <= max, "{}", relative.display());
    let fill = max - len(&relative) - 3;
    std::fs::create_dir(dir.path().join("d".repeat(fill))).unwrap();
    let path = relative.join("d".repeat(fill)).join("s");
    assert_eq!(len(&path), max);
    serve_and_connect(&path).await;
}

/// One byte over the limit: a clear error naming the length and the limit, and nothing created.
#[test]
fn a_socket_path_one_byte_over_the_limit_is_refused_before_anything_is_created() {
    let max = SocketListener::MAX_PATH_BYTES;
    let dir = tempfile::tempdir().unwrap();
    for name_bytes in [1, 40] {
        let case = dir.path().join(format!("n{name_bytes}"));
        std::fs::create_dir(&case).unwrap();
        let path = path_of_length(&case, max + 1, name_bytes);
        let error = SocketListener::bind(&path).unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
        assert_eq!(
            error.to_string(),
            format!(
                "the path is {} bytes, longer than the {max} bytes a Unix socket path can have on \
                 this platform ({} with the terminating NUL); choose a shorter path (a relative \
                 path counts as written)",
                max + 1,
                max + 1
            )
        );
        let parent = path.parent().unwrap();
        assert_eq!(
            std::fs::read_dir(parent).unwrap().count(),
            0,
            "nothing created"
        );
    }
}
