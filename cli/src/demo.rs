//! `devicekey demo`: the whole protocol on a throwaway state directory. A server runs in
//! process with the software provider; the demo plays the client over the real
//! newline-delimited JSON-RPC framing, prints every message, verifies the proof, and shows one
//! refused request.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use tokio::io::{
    AsyncBufReadExt as _, AsyncWriteExt as _, BufReader, DuplexStream, Lines, ReadHalf, WriteHalf,
};

use devicekey_proof::{
    decode_base64, encode_base64url, verify_proof, Expectations, SignPayloadExt as _,
};
use devicekey_runtime::provider::select::{select, ProviderChoice, ProviderConfig};
use devicekey_runtime::{Clock as _, DeviceKeyStore, StateDir, SystemClock};
use devicekey_server::{Server, ServerOptions};

/// Why the demo failed.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct DemoError(String);

impl From<io::Error> for DemoError {
    fn from(error: io::Error) -> Self {
        DemoError(format!("I/O error: {error}"))
    }
}

const ACCOUNT: &str = "demo-account-user";
const CLIENT: &str = "cli_demo";
const ORIGIN: &str = "https://chatgpt.com";
const AUDIENCE: &str = "remote_control_client_websocket";

/// Runs the demo, writing the exchange to `out`.
pub(crate) async fn run(out: &mut dyn Write) -> Result<(), DemoError> {
    let state = TempDir::create()?;
    writeln!(
        out,
        "devicekey demo: a server with the software provider on {}",
        state.path().display()
    )?;
    let state_dir = StateDir::open(state.path()).map_err(|error| DemoError(error.to_string()))?;
    let providers = select(
        ProviderChoice::Software,
        &ProviderConfig::new(state_dir.path()),
    )
    .map_err(|error| DemoError(format!("cannot set up the software provider: {error}")))?;
    let bindings = state_dir
        .open_bindings()
        .map_err(|error| DemoError(format!("cannot open the binding store: {error}")))?;
    let server = Server::new(
        DeviceKeyStore::builder(providers, bindings).build(),
        ServerOptions::default(),
    );
    let (stream, connection) = server.connect_in_memory();
    let mut client = DemoClient::new(stream, out);

    client.section("1. handshake")?;
    let initialized = client
        .call("initialize", json!({"clientInfo": {"name": "devicekey_demo", "title": "devicekey demo", "version": env!("CARGO_PKG_VERSION")}}))
        .await?;
    expect_result(&initialized, "initialize")?;
    client.notify("initialized").await?;

    client.section("2. create a key (software, so the policy must say allow_software)")?;
    let created = client
        .call("device/key/create", json!({"protectionPolicy": "allow_software", "accountUserId": ACCOUNT, "clientId": CLIENT}))
        .await?;
    let created = expect_result(&created, "device/key/create")?;
    let key_id = text(created, "keyId")?;

    client.section("3. read its public key back")?;
    let public = client
        .call("device/key/public", json!({"keyId": key_id}))
        .await?;
    let public = expect_result(&public, "device/key/public")?;
    let spki_base64 = text(public, "publicKeySpkiDerBase64")?;
    if spki_base64 != text(created, "publicKeySpkiDerBase64")? {
        return Err(DemoError(
            "device/key/public returned another public key than device/key/create".to_owned(),
        ));
    }

    client
        .section("4. sign a remote-control connection payload (fresh nonce, expires in 300 s)")?;
    let now = SystemClock.now_unix_seconds();
    let nonce = fresh_nonce();
    let payload = json!({
        "type": "remoteControlClientConnection",
        "nonce": nonce,
        "audience": AUDIENCE,
        "sessionId": "wssess_demo",
        "targetOrigin": ORIGIN,
        "targetPath": "/api/codex/remote/control/client",
        "accountUserId": ACCOUNT,
        "clientId": CLIENT,
        "tokenSha256Base64url": "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
        "tokenExpiresAt": now + 300,
        "scopes": ["remote_control_controller_websocket"],
    });
    let sign_params = json!({"keyId": key_id, "payload": payload});
    let signed = client.call("device/key/sign", sign_params.clone()).await?;
    let signed = expect_result(&signed, "device/key/sign")?;

    client.section("5. verify the proof as a backend would")?;
    let decode = |field: &str| {
        text(signed, field).and_then(|value| {
            decode_base64(&value).ok_or_else(|| DemoError(format!("{field} is not base64")))
        })
    };
    let spki = decode_base64(&spki_base64)
        .ok_or_else(|| DemoError("the public key is not base64".to_owned()))?;
    let signed_payload = decode("signedPayloadBase64")?;
    let signature = decode("signatureDerBase64")?;
    let expectations = Expectations {
        audience: Some(AUDIENCE.to_owned()),
        origin: Some(ORIGIN.to_owned()),
        nonce: Some(nonce.clone()),
        account_user_id: Some(ACCOUNT.to_owned()),
        client_id: Some(CLIENT.to_owned()),
        ..Expectations::at(now)
    };
    let verified =
        verify_proof(&spki, &signed_payload, &signature, &expectations).map_err(|error| {
            DemoError(format!(
                "the proof does not verify ({}): {error}",
                error.kind()
            ))
        })?;
    let out = &mut *client.out;
    writeln!(
        out,
        "  signed bytes:  {}",
        String::from_utf8_lossy(&signed_payload)
    )?;
    writeln!(
        out,
        "  VALID: the ECDSA P-256/SHA-256 signature verifies, the bytes are canonical,"
    )?;
    writeln!(
        out,
        "         the payload passes the schema, its audience, origin, nonce, account and client"
    )?;
    writeln!(out, "         are the ones expected, and it is unexpired")?;
    writeln!(
        out,
        "  key:           {key_id} (protection class {})",
        text(public, "protectionClass")?
    )?;
    writeln!(
        out,
        "  binding:       accountUserId {}, clientId {}",
        verified.payload.account_user_id().as_str(),
        verified.payload.client_id().as_str()
    )?;
    writeln!(
        out,
        "  expires at:    {} (in {} s)",
        verified.payload.expires_at(),
        verified.payload.expires_at() - now
    )?;

    client.section("6. a refused request: the same nonce again is a replay")?;
    let replayed = client.call("device/key/sign", sign_params).await?;
    let kind = replayed.pointer("/error/data/kind").and_then(Value::as_str);
    if kind != Some("replay") {
        return Err(DemoError(format!(
            "expected a replay error, got {replayed}"
        )));
    }
    writeln!(
        client.out,
        "  refused as expected: code {}, kind {}",
        replayed.pointer("/error/code").unwrap_or(&Value::Null),
        kind.unwrap_or_default()
    )?;

    client.close().await?;
    connection
        .await
        .map_err(|error| DemoError(format!("the server connection failed: {error}")))?;
    writeln!(client.out, "\ndemo complete: every step succeeded")?;
    Ok(())
}

/// The client side of the in-memory connection.
struct DemoClient<'a> {
    lines: Lines<BufReader<ReadHalf<DuplexStream>>>,
    writer: Option<WriteHalf<DuplexStream>>,
    next_id: i64,
    out: &'a mut dyn Write,
}

impl<'a> DemoClient<'a> {
    fn new(stream: DuplexStream, out: &'a mut dyn Write) -> Self {
        let (reader, writer) = tokio::io::split(stream);
        DemoClient {
            lines: BufReader::new(reader).lines(),
            writer: Some(writer),
            next_id: 1,
            out,
        }
    }

    fn section(&mut self, title: &str) -> io::Result<()> {
        writeln!(self.out, "\n{title}")
    }

    async fn send(&mut self, message: &Value) -> Result<(), DemoError> {
        writeln!(self.out, "{}", show("→", message))?;
        let mut line = message.to_string();
        line.push('\n');
        let writer = self
            .writer
            .as_mut()
            .ok_or_else(|| DemoError("the connection is closed".to_owned()))?;
        writer.write_all(line.as_bytes()).await?;
        Ok(())
    }

    async fn call(&mut self, method: &str, params: Value) -> Result<Value, DemoError> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await?;
        let line = self.lines.next_line().await?.ok_or_else(|| {
            DemoError(format!(
                "the server closed the connection before answering {method}"
            ))
        })?;
        let response: Value = serde_json::from_str(&line)
            .map_err(|error| DemoError(format!("the server's answer is not JSON: {error}")))?;
        writeln!(self.out, "{}", show("←", &response))?;
        if response.get("id") != Some(&json!(id)) {
            return Err(DemoError(format!(
                "expected the answer to request {id}, got {response}"
            )));
        }
        Ok(response)
    }

    async fn notify(&mut self, method: &str) -> Result<(), DemoError> {
        self.send(&json!({"jsonrpc": "2.0", "method": method}))
            .await
    }

    async fn close(&mut self) -> Result<(), DemoError> {
        if let Some(mut writer) = self.writer.take() {
            writer.shutdown().await?;
        }
        Ok(())
    }
}

fn expect_result<'v>(response: &'v Value, method: &str) -> Result<&'v Value, DemoError> {
    response.get("result").ok_or_else(|| {
        DemoError(format!(
            "{method} failed: {}",
            response.get("error").unwrap_or(response)
        ))
    })
}

fn text(object: &Value, field: &str) -> Result<String, DemoError> {
    object
        .get(field)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| DemoError(format!("the result has no {field}")))
}

fn fresh_nonce() -> String {
    encode_base64url(&rand::random::<[u8; 32]>())
}

/// A message as the demo prints it: pretty JSON behind an arrow, long strings elided in the
/// middle.
fn show(arrow: &str, message: &Value) -> String {
    let pretty = serde_json::to_string_pretty(&elide(message)).unwrap_or_default();
    let mut shown = String::new();
    for (index, line) in pretty.lines().enumerate() {
        if index > 0 {
            shown.push('\n');
        }
        shown.push_str(if index == 0 { arrow } else { " " });
        shown.push(' ');
        shown.push_str(line);
    }
    shown
}

fn elide(value: &Value) -> Value {
    const KEEP: usize = 20;
    match value {
        // Long tokens (base64) only; human messages stay whole.
        Value::String(text)
            if text.chars().count() > 3 * KEEP && !text.contains(char::is_whitespace) =>
        {
            let chars: Vec<char> = text.chars().collect();
            let head: String = chars[..KEEP].iter().collect();
            let tail: String = chars[chars.len() - KEEP / 2..].iter().collect();
            Value::String(format!("{head}…{tail} ({} chars)", chars.len()))
        }
        Value::Array(items) => Value::Array(items.iter().map(elide).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, item)| (key.clone(), elide(item)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A private temporary directory (mode 0700), removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn create() -> io::Result<Self> {
        let path = std::env::temp_dir().join(format!(
            "devicekey-demo-{}-{:08x}",
            std::process::id(),
            rand::random::<u32>()
        ));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&path)?;
        Ok(TempDir(path))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
