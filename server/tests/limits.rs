//! The server's limits, on in-process servers: small answers to huge invalid requests, the
//! outbound byte budget and the disconnection of a client that does not read, the server-wide
//! budget of long lines, and the connection limit of a socket listener.

use std::sync::Arc;
use std::time::{Duration, Instant};

use devicekey_protocol::validators::{
    validate_invalid_params_error_data, validate_request_error_data,
};
use devicekey_runtime::provider::UnsupportedProvider;
use devicekey_runtime::{BindingStore, DeviceKeyStore, ProviderSet};
use devicekey_server::{Server, ServerOptions, SocketListener};
use devicekey_testkit::hostile::amplification_request;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt as _, AsyncRead, AsyncWrite, AsyncWriteExt as _, BufReader};

/// How long any one step may take before the test fails (every test stays well under 10 s).
const PATIENCE: Duration = Duration::from_secs(8);

fn server(options: ServerOptions) -> Arc<Server> {
    let providers = ProviderSet::new(vec![Arc::new(UnsupportedProvider)]);
    let store = DeviceKeyStore::builder(providers, BindingStore::open_in_memory().unwrap()).build();
    Server::new(store, options)
}

fn line(message: &Value) -> Vec<u8> {
    let mut line = message.to_string().into_bytes();
    line.push(b'\n');
    line
}

fn initialize() -> Vec<u8> {
    line(
        &json!({"id": 0, "method": "initialize", "params": {"clientInfo": {"name": "limits", "version": "1"}}}),
    )
}

/// Reads one line within the patience, as raw bytes.
async fn next_line<R: AsyncRead + Unpin>(lines: &mut BufReader<R>) -> Vec<u8> {
    let mut line = Vec::new();
    tokio::time::timeout(PATIENCE, lines.read_until(b'\n', &mut line))
        .await
        .expect("an answer in time")
        .unwrap();
    assert!(line.ends_with(b"\n"), "the connection ended");
    line
}

async fn next_message<R: AsyncRead + Unpin>(lines: &mut BufReader<R>) -> Value {
    serde_json::from_slice(&next_line(lines).await).unwrap()
}

async fn send<W: AsyncWrite + Unpin>(writer: &mut W, bytes: &[u8]) {
    tokio::time::timeout(PATIENCE, writer.write_all(bytes))
        .await
        .expect("the server reads in time")
        .unwrap();
}

/// The 1 MB request (1,040,538 bytes, 2N+1 = about a million violations) once gave a
/// 190 MB answer. Measured here: the answer's size and the time to it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_megabyte_amplification_request_gets_a_small_answer() {
    let server = server(ServerOptions::default());
    let (stream, _connection) = server.connect_in_memory();
    let (reader, mut writer) = tokio::io::split(stream);
    let mut reader = BufReader::new(reader);
    send(&mut writer, &initialize()).await;
    next_message(&mut reader).await;

    let zeros = (1_040_538 - amplification_request(1, 0).len()) / 2;
    let request = amplification_request(1, zeros);
    assert!(
        request.len() <= devicekey_server::MAX_LINE_BYTES,
        "{}",
        request.len()
    );
    let started = Instant::now();
    let writing = tokio::spawn(async move {
        send(&mut writer, &request).await;
        writer
    });
    let answer = next_line(&mut reader).await;
    let elapsed = started.elapsed();
    let _writer = writing.await.unwrap();
    eprintln!(
        "a {}-byte sign request with {zeros} zeros in payload.scopes: a {}-byte answer in {elapsed:?}",
        1_040_538,
        answer.len()
    );
    assert!(answer.len() <= 64 * 1024, "a {}-byte answer", answer.len());
    let answer: Value = serde_json::from_slice(&answer).unwrap();
    assert_eq!(answer["error"]["code"], -32602, "{answer}");
    let data = &answer["error"]["data"];
    assert_eq!(validate_invalid_params_error_data(data), Ok(()), "{data}");
    assert_eq!(data["violations"].as_array().unwrap().len(), 64);
    assert_eq!(data["truncated"], true);
    assert!(data["violationCount"].as_u64().unwrap() >= 64, "{data}");
    assert_eq!(data["violations"][0]["instancePath"], "/payload/scopes");
    assert_eq!(data["violations"][1]["instancePath"], "/payload/scopes/0");
    assert_eq!(
        answer["error"]["message"],
        "invalid device key payload: scopes must contain exactly remote_control_controller_websocket"
    );
}

/// An invalid request with a few violations still gets every one of them, and the count.
#[tokio::test]
async fn a_small_invalid_request_gets_every_violation_and_its_count() {
    let server = server(ServerOptions::default());
    let (stream, _connection) = server.connect_in_memory();
    let (reader, mut writer) = tokio::io::split(stream);
    let mut reader = BufReader::new(reader);
    send(&mut writer, &initialize()).await;
    next_message(&mut reader).await;
    send(&mut writer, &amplification_request(1, 3)).await;
    let answer = next_message(&mut reader).await;
    let data = &answer["error"]["data"];
    assert_eq!(validate_invalid_params_error_data(data), Ok(()), "{data}");
    assert_eq!(data["violations"].as_array().unwrap().len(), 7, "{data}");
    assert_eq!(data["violationCount"], 7);
    assert_eq!(data["truncated"], false);
}

/// A client that sends requests but never reads is disconnected once its answers have filled
/// its outbound budget for the stall timeout; the server keeps serving others.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_does_not_read_is_disconnected() {
    let server = server(ServerOptions {
        max_outbound_bytes: 64 * 1024,
        outbound_stall_timeout: Duration::from_millis(300),
        ..ServerOptions::default()
    });
    let (stream, connection) = server.connect_in_memory();
    let (reader, mut writer) = tokio::io::split(stream);
    // Each answer lists 64 violations (about 10 KB); 400 of them are 4 MB, far beyond the
    // in-memory pipe (256 KiB), the writer's buffer and the 64 KiB budget.
    let flood = tokio::spawn(async move {
        let _ = writer.write_all(&initialize()).await;
        for id in 1..=400 {
            if writer
                .write_all(&amplification_request(id, 100))
                .await
                .is_err()
            {
                break;
            }
        }
        writer
    });
    let started = Instant::now();
    tokio::time::timeout(PATIENCE, connection)
        .await
        .expect("the server disconnects a client that does not read")
        .unwrap();
    eprintln!(
        "a client that does not read was disconnected after {:?}",
        started.elapsed()
    );
    // The client then reads what had been written to it, and the end of the stream.
    let mut reader = BufReader::new(reader);
    let mut received = Vec::new();
    tokio::time::timeout(
        PATIENCE,
        tokio::io::AsyncReadExt::read_to_end(&mut reader, &mut received),
    )
    .await
    .expect("the stream ends")
    .unwrap();
    assert!(received.len() < 1024 * 1024, "{} bytes", received.len());
    drop(flood);

    // Another client is served as usual.
    let (stream, _connection) = server.connect_in_memory();
    let (reader, mut writer) = tokio::io::split(stream);
    let mut reader = BufReader::new(reader);
    send(&mut writer, &initialize()).await;
    assert!(next_message(&mut reader).await.get("result").is_some());
}

/// Long lines are buffered only within the server-wide line budget: with room for two, a third
/// connection's long line waits, is skipped with `serverBusy`, and the connection stays usable;
/// once a line completes, its room is free again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_lines_wait_for_room_in_the_shared_line_budget() {
    let max_line = 64 * 1024;
    let server = server(ServerOptions {
        max_line_bytes: max_line,
        line_memory_budget: 2 * max_line,
        line_budget_timeout: Duration::from_millis(300),
        ..ServerOptions::default()
    });
    let mut clients = Vec::new();
    for _ in 0..3 {
        let (stream, connection) = server.connect_in_memory();
        let (reader, mut writer) = tokio::io::split(stream);
        let mut reader = BufReader::new(reader);
        send(&mut writer, &initialize()).await;
        next_message(&mut reader).await;
        clients.push((reader, writer, connection));
    }
    // 40 KiB of a line without its end, beyond the 16 KiB of a short line.
    let partial = vec![b'x'; 40 * 1024];
    for (_, writer, _) in &mut clients[..2] {
        send(writer, &partial).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (reader, writer, _) = &mut clients[2];
    send(writer, &partial).await;
    let busy = next_message(reader).await;
    assert_eq!(busy["id"], Value::Null, "{busy}");
    assert_eq!(busy["error"]["code"], -32600, "{busy}");
    assert_eq!(busy["error"]["data"]["kind"], "serverBusy", "{busy}");
    assert_eq!(validate_request_error_data(&busy["error"]["data"]), Ok(()));
    // The rest of the skipped line is ignored; the connection still answers.
    send(writer, b"yyyy\n").await;
    send(
        writer,
        &line(&json!({"id": 5, "method": "device/key/list"})),
    )
    .await;
    let listed = next_message(reader).await;
    assert_eq!(listed["id"], 5, "{listed}");

    // The first line ends (and fails to parse): its room goes to the next long line.
    let (reader, writer, _) = &mut clients[0];
    send(writer, b"\n").await;
    assert_eq!(next_message(reader).await["error"]["code"], -32700);
    let (reader, writer, _) = &mut clients[2];
    send(writer, &partial).await;
    send(writer, b"\n").await;
    assert_eq!(next_message(reader).await["error"]["code"], -32700);
}

/// A socket listener serves at most `max_connections` at once: one more gets a
/// `tooManyConnections` error and is closed; a slot that frees up is usable again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_listener_refuses_connections_beyond_its_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("limits.sock");
    let listener = SocketListener::bind(&path).unwrap();
    let server = server(ServerOptions {
        max_connections: 2,
        ..ServerOptions::default()
    });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(listener.serve(
        Arc::clone(&server),
        async move {
            let _ = stopped.await;
        },
        Duration::from_secs(1),
    ));

    async fn open(
        path: &std::path::Path,
    ) -> (
        BufReader<tokio::net::unix::OwnedReadHalf>,
        tokio::net::unix::OwnedWriteHalf,
    ) {
        let stream = tokio::net::UnixStream::connect(path).await.unwrap();
        let (reader, writer) = stream.into_split();
        (BufReader::new(reader), writer)
    }
    let mut served = Vec::new();
    for _ in 0..2 {
        let (mut reader, mut writer) = open(&path).await;
        send(&mut writer, &initialize()).await;
        assert!(next_message(&mut reader).await.get("result").is_some());
        served.push((reader, writer));
    }
    let (mut reader, _writer) = open(&path).await;
    let refused = next_message(&mut reader).await;
    assert_eq!(refused["id"], Value::Null, "{refused}");
    assert_eq!(
        refused["error"]["data"]["kind"], "tooManyConnections",
        "{refused}"
    );
    assert_eq!(
        validate_request_error_data(&refused["error"]["data"]),
        Ok(())
    );
    let mut rest = Vec::new();
    tokio::time::timeout(
        PATIENCE,
        tokio::io::AsyncReadExt::read_to_end(&mut reader, &mut rest),
    )
    .await
    .expect("a refused connection is closed")
    .unwrap();
    assert!(rest.is_empty());

    // One served client leaves; a new one is served once its slot is free.
    drop(served.pop());
    let deadline = Instant::now() + PATIENCE;
    loop {
        let (mut reader, mut writer) = open(&path).await;
        let _ = writer.write_all(&initialize()).await;
        let answer = next_message(&mut reader).await;
        if answer.get("result").is_some() {
            break;
        }
        assert_eq!(
            answer["error"]["data"]["kind"], "tooManyConnections",
            "{answer}"
        );
        assert!(Instant::now() < deadline, "the slot never came free");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = stop.send(());
    tokio::time::timeout(PATIENCE, serving)
        .await
        .expect("the listener stops")
        .unwrap()
        .unwrap();
}
