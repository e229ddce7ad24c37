//! What hostile clients send, for the limit tests and the hostile-client benchmark.

use std::io::{ErrorKind, Write as _};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;

/// The key id the amplification requests name (any well-formed one: they are refused first).
pub const AMPLIFICATION_KEY_ID: &str = "dk_swk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// A `device/key/sign` line (with its newline) whose `payload.scopes` is `zeros` zeros: two
/// violations per zero.
pub fn amplification_request(id: u64, zeros: usize) -> Vec<u8> {
    let message = json!({"id": id, "method": "device/key/sign", "params": {
    "keyId": AMPLIFICATION_KEY_ID,
    "payload": {
        "type": "remoteControlClientConnection",
        "nonce": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "audience": "remote_control_client_websocket",
        "sessionId": "wssess_123",
        "targetOrigin": "https://chatgpt.com",
        "targetPath": "/api/codex/remote/control/client",
        "accountUserId": "account-user-1",
        "clientId": "cli_123",
        "tokenSha256Base64url": "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
        "tokenExpiresAt": 1_700_000_000,
        "scopes": vec![0; zeros],
    }}});
    let mut line = message.to_string().into_bytes();
    line.push(b'\n');
    line
}

/// Opens up to `connections` connections to the socket at `socket` and, for `duration`, writes
/// on each up to `line_bytes` of one line without its end, as fast as the server reads. The
/// connections, to keep open while the server holds what they sent (a refused one is among them,
/// closed by the server).
pub fn hold_partial_lines(
    socket: &Path,
    connections: usize,
    line_bytes: usize,
    duration: Duration,
) -> Vec<UnixStream> {
    let mut streams: Vec<(UnixStream, usize)> = (0..connections)
        .filter_map(|_| UnixStream::connect(socket).ok())
        .map(|stream| {
            stream.set_nonblocking(true).unwrap();
            (stream, 0)
        })
        .collect();
    let chunk = vec![b'x'; 64 * 1024];
    let deadline = Instant::now() + duration;
    while Instant::now() < deadline {
        let mut progress = false;
        for (stream, written) in &mut streams {
            while *written < line_bytes {
                let room = chunk.len().min(line_bytes - *written);
                match stream.write(&chunk[..room]) {
                    Ok(n) => {
                        *written += n;
                        progress = true;
                    }
                    Err(error) if error.kind() == ErrorKind::WouldBlock => break,
                    // A refused connection (beyond the limit) is closed.
                    Err(_) => {
                        *written = usize::MAX;
                        break;
                    }
                }
            }
        }
        if !progress {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    streams.into_iter().map(|(stream, _)| stream).collect()
}
