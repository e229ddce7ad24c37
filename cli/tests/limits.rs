//! `devicekey serve`'s limits against the binary: descriptor exhaustion (under `ulimit -n 64`)
//! neither spins nor floods the log, `--max-connections` refuses one connection too many, and
//! partial long lines on 300 connections stay within the line budget.

use std::io::{Read as _, Write as _};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use devicekey_testkit::hostile::hold_partial_lines;

use crate::serve::{assert_error, unix_peer};

/// How long any one step may wait before the test fails.
const PATIENCE: Duration = Duration::from_secs(8);

/// A `devicekey serve` on a Unix socket, started through `sh` so that `ulimit` can apply, with
/// its stderr in a file.
struct Served {
    child: Child,
    socket: PathBuf,
    stderr: PathBuf,
    _dir: tempfile::TempDir,
}

impl Served {
    fn start(ulimit: Option<u32>, extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("devicekey.sock");
        let stderr = dir.path().join("stderr");
        let limit = ulimit.map_or_else(String::new, |n| format!("ulimit -n {n}; "));
        let child = Command::new("sh")
            .arg("-c")
            .arg(format!("{limit}exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_devicekey"))
            .arg("serve")
            .arg("--provider")
            .arg("software")
            .arg("--state-dir")
            .arg(dir.path().join("state"))
            .arg("--listen")
            .arg(format!("unix://{}", socket.display()))
            .args(extra)
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + PATIENCE;
        while !socket.exists() {
            assert!(Instant::now() < deadline, "the socket never appeared");
            std::thread::sleep(Duration::from_millis(20));
        }
        Served {
            child,
            socket,
            stderr,
            _dir: dir,
        }
    }

    /// CPU time the server has used (user and system).
    fn cpu_time(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap();
        // The fields after the command name, which is in parentheses.
        let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
        let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
        Duration::from_millis(ticks * 1000 / clock_ticks_per_second())
    }

    /// The server's peak and current resident set sizes, in KiB.
    fn memory_kib(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let field = |name: &str| -> u64 {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .unwrap()
                .parse()
                .unwrap()
        };
        (field("VmHWM:"), field("VmRSS:"))
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn clock_ticks_per_second() -> u64 {
    let output = Command::new("getconf").arg("CLK_TCK").output().unwrap();
    String::from_utf8(output.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

fn initialize_line() -> Vec<u8> {
    let mut line = json!({"id": 1, "method": "initialize", "params": {"clientInfo": {"name": "limits", "version": "1"}}})
        .to_string()
        .into_bytes();
    line.push(b'\n');
    line
}

/// Reads one line from `stream` within the patience.
fn read_line(stream: &mut UnixStream) -> Option<Value> {
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        match stream.read(&mut byte) {
            Ok(0) => return None,
            Ok(_) if byte[0] == b'\n' => return Some(serde_json::from_slice(&line).unwrap()),
            Ok(_) => line.push(byte[0]),
            Err(error) => panic!("no line in time: {error}"),
        }
    }
}

/// A fresh connection is served: `initialize` is answered.
fn is_served(socket: &Path) -> bool {
    let Ok(mut stream) = UnixStream::connect(socket) else {
        return false;
    };
    if stream.write_all(&initialize_line()).is_err() {
        return false;
    }
    read_line(&mut stream).is_some_and(|answer| answer.get("result").is_some())
}

/// Under `ulimit -n 64`, 80 connections exhaust the server's descriptors. It used to retry
/// `accept` in a busy loop (2.8 s of CPU per 3 s) and write 143 MB of warnings in 3 s; it now
/// backs off and writes one warning per 10 s, and serves again once descriptors are free.
#[test]
fn descriptor_exhaustion_neither_spins_nor_floods_the_log() {
    let served = Served::start(Some(64), &[]);
    let connections: Vec<UnixStream> = (0..80)
        .filter_map(|_| UnixStream::connect(&served.socket).ok())
        .collect();
    assert!(connections.len() >= 70, "{} connections", connections.len());
    // Let the server run into the limit, then measure three seconds of it.
    std::thread::sleep(Duration::from_millis(300));
    let cpu_before = served.cpu_time();
    std::thread::sleep(Duration::from_secs(3));
    let cpu = served.cpu_time() - cpu_before;
    let log = served.log();
    eprintln!(
        "80 connections under ulimit -n 64: {cpu:?} of CPU in 3 s, {} bytes of log:\n{log}",
        log.len()
    );
    assert!(cpu < Duration::from_millis(1000), "{cpu:?} of CPU in 3 s");
    assert!(
        log.lines().count() <= 5,
        "{} log lines",
        log.lines().count()
    );
    assert!(log.contains("cannot accept a connection"), "{log}");

    drop(connections);
    let deadline = Instant::now() + PATIENCE;
    while !is_served(&served.socket) {
        assert!(Instant::now() < deadline, "the server never served again");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `--max-connections 1`: a second connection gets one `tooManyConnections` error and is closed.
#[test]
fn max_connections_refuses_one_connection_too_many() {
    let served = Served::start(None, &["--max-connections", "1"]);
    let mut first = unix_peer(&served.socket);
    first.initialize();
    let mut second = UnixStream::connect(&served.socket).unwrap();
    let refused = read_line(&mut second).expect("an error before the close");
    let error = assert_error(&refused, -32600);
    assert_eq!(error["data"]["kind"], "tooManyConnections", "{refused}");
    assert_eq!(refused["id"], Value::Null);
    assert_eq!(read_line(&mut second), None, "the connection is closed");
    assert!(
        served.log().contains("connection limit"),
        "{}",
        served.log()
    );
    // The first connection is unaffected.
    first.call_ok("device/key/list", json!({}));
}

/// 300 connections each holding a partial 1 MiB line (once 342 MB of RSS): the server keeps at
/// most 256 connections, 16 KiB of a line each, and 8 MiB of long lines in all.
#[test]
fn partial_long_lines_on_300_connections_stay_within_the_budget() {
    let served = Served::start(None, &[]);
    assert!(is_served(&served.socket));
    let (_, baseline) = served.memory_kib();
    let streams = hold_partial_lines(&served.socket, 300, 1024 * 1024, Duration::from_secs(3));
    let (peak, now) = served.memory_kib();
    eprintln!(
        "300 connections with partial 1 MiB lines: RSS {} MiB (peak {} MiB, {} MiB before)",
        now / 1024,
        peak / 1024,
        baseline / 1024
    );
    assert!(peak < 100 * 1024, "peak RSS {} MiB", peak / 1024);
    // The connections that wait for room in the line budget notice their client left when the
    // wait ends (5 s); then their slots are free again.
    drop(streams);
    let deadline = Instant::now() + PATIENCE;
    while !is_served(&served.socket) {
        assert!(Instant::now() < deadline, "the server never served again");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A socket path one byte longer than the platform allows is refused with its length and the
/// limit, before the state directory is created.
#[test]
fn a_socket_path_too_long_is_refused_before_anything_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let limit = devicekey_server::SocketListener::MAX_PATH_BYTES;
    let prefix = format!("{}/", dir.path().display());
    let socket = format!("{prefix}{}", "s".repeat(limit + 1 - prefix.len()));
    assert_eq!(socket.len(), limit + 1);
    let state = dir.path().join("state");
    let output = Command::new(env!("CARGO_BIN_EXE_devicekey"))
        .arg("serve")
        .arg("--provider")
        .arg("software")
        .arg("--state-dir")
        .arg(&state)
        .arg("--listen")
        .arg(format!("unix://{socket}"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "the path is {} bytes, longer than the {limit} bytes",
            limit + 1
        )),
        "{stderr}"
    );
    assert!(!state.exists(), "the state directory was created");
}
