//! What hostile clients cost a `devicekey serve`, measured against the release binary in one run:
//!
//! 1. the size of the answer to the 1,040,538-byte amplification request (`payload.scopes` of
//!    zeros: two violations per element);
//! 2. four clients that never read, each sending such requests back to back (reconnecting when
//!    the server drops them) for `--seconds` (default 60): the server's peak RSS, and the latency
//!    of a fifth client's `device/key/list` meanwhile (p50, p99, max);
//! 3. the RSS once the flood is over;
//! 4. 300 connections each holding a partial 1 MiB line: the RSS while they hold it.
//!
//! `cargo bench -p devicekey --bench hostile [-- --seconds N]`. The suite checks the same limits
//! with short, bounded runs (`cli/tests/limits.rs`, `server/tests/limits.rs`); this prints the
//! figures the README quotes.

use std::io::{BufRead as _, BufReader, ErrorKind, Write as _};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use devicekey_testkit::hostile::{amplification_request, hold_partial_lines};
use serde_json::{json, Value};

/// The size of the request the hardening issue measured.
const REQUEST_BYTES: usize = 1_040_538;
const FLOODERS: usize = 4;

fn main() {
    let seconds = seconds_argument().unwrap_or(60);
    let served = Served::start();
    let idle = served.memory_kib().1;

    let answer = answer_size(&served.socket);

    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicU64::new(0));
    let dropped = Arc::new(AtomicU64::new(0));
    let flooders: Vec<_> = (0..FLOODERS)
        .map(|_| {
            let (socket, stop, sent, dropped) = (
                served.socket.clone(),
                stop.clone(),
                sent.clone(),
                dropped.clone(),
            );
            thread::spawn(move || flood(&socket, &stop, &sent, &dropped))
        })
        .collect();
    let sampler = {
        let (pid, stop) = (served.child.id(), stop.clone());
        thread::spawn(move || {
            let mut peak = 0;
            while !stop.load(Ordering::Relaxed) {
                peak = peak.max(memory_kib(pid).1);
                thread::sleep(Duration::from_millis(20));
            }
            peak
        })
    };
    let mut latencies = list_latencies(&served.socket, Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    for flooder in flooders {
        flooder.join().unwrap();
    }
    let sampled_peak = sampler.join().unwrap();
    let (peak, _) = served.memory_kib();
    thread::sleep(Duration::from_secs(2));
    let after = served.memory_kib().1;

    let partial = partial_lines(&served);

    latencies.sort();
    let percentile = |p: usize| latencies[(latencies.len() * p / 100).min(latencies.len() - 1)];
    println!("devicekey serve (software provider, durable store) against hostile clients");
    println!(
        "  idle RSS                                   {:>8} KiB",
        idle
    );
    println!(
        "  answer to the {REQUEST_BYTES}-byte request      {:>8} bytes (target <= 65536)",
        answer
    );
    println!(
        "  {FLOODERS} non-reading clients for {seconds} s:          {} requests sent, {} connections dropped by the server",
        sent.load(Ordering::Relaxed),
        dropped.load(Ordering::Relaxed)
    );
    println!(
        "    server peak RSS                          {:>8} KiB (VmHWM; sampled {} KiB; target <= {} KiB)",
        peak,
        sampled_peak,
        100 * 1024
    );
    println!(
        "    fifth client's device/key/list           p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms over {} calls (target p99 <= 100 ms)",
        millis(percentile(50)),
        millis(percentile(99)),
        millis(*latencies.last().unwrap()),
        latencies.len()
    );
    println!(
        "  RSS 2 s after the flood                    {:>8} KiB",
        after
    );
    println!(
        "  300 connections with partial 1 MiB lines   {:>8} KiB (peak so far {} KiB)",
        partial.1, partial.0
    );
}

/// `--seconds N` among the arguments (cargo passes `--bench` too, which is ignored).
fn seconds_argument() -> Option<u64> {
    let arguments: Vec<String> = std::env::args().collect();
    let at = arguments.iter().position(|a| a == "--seconds")?;
    let value = arguments.get(at + 1)?;
    Some(
        value
            .parse()
            .unwrap_or_else(|_| panic!("--seconds takes a number, not {value}")),
    )
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// A `devicekey serve` on a Unix socket with the durable store and the software provider.
struct Served {
    child: Child,
    socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl Served {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("devicekey.sock");
        let child = Command::new(env!("CARGO_BIN_EXE_devicekey"))
            .arg("serve")
            .arg("--provider")
            .arg("software")
            .arg("--state-dir")
            .arg(dir.path().join("state"))
            .arg("--listen")
            .arg(format!("unix://{}", socket.display()))
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while !socket.exists() {
            assert!(Instant::now() < deadline, "the socket never appeared");
            thread::sleep(Duration::from_millis(20));
        }
        Served {
            child,
            socket,
            _dir: dir,
        }
    }

    fn memory_kib(&self) -> (u64, u64) {
        memory_kib(self.child.id())
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The peak and current resident set sizes of process `pid`, in KiB.
fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|number| number.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

fn line(message: &Value) -> Vec<u8> {
    let mut line = message.to_string().into_bytes();
    line.push(b'\n');
    line
}

fn initialize() -> Vec<u8> {
    line(
        &json!({"id": 0, "method": "initialize", "params": {"clientInfo": {"name": "hostile", "version": "1"}}}),
    )
}

/// The request of [`REQUEST_BYTES`] bytes (a byte less when the rest has odd length).
fn the_request(id: u64) -> Vec<u8> {
    let request = amplification_request(
        id,
        (REQUEST_BYTES + 1 - amplification_request(id, 0).len()) / 2,
    );
    assert!(
        REQUEST_BYTES - request.len() <= 1,
        "{} bytes",
        request.len()
    );
    request
}

fn answer_size(socket: &Path) -> usize {
    let mut stream = UnixStream::connect(socket).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream.write_all(&initialize()).unwrap();
    stream.write_all(&the_request(1)).unwrap();
    let mut reader = BufReader::new(stream);
    let mut answer = Vec::new();
    reader.read_until(b'\n', &mut answer).unwrap();
    answer.clear();
    reader.read_until(b'\n', &mut answer).unwrap();
    let message: Value = serde_json::from_slice(&answer).expect("a JSON answer");
    assert_eq!(message["error"]["code"], -32602, "{}", &message["error"]);
    answer.len()
}

/// Sends amplification requests and never reads, reconnecting whenever the server drops it.
fn flood(socket: &Path, stop: &AtomicBool, sent: &AtomicU64, dropped: &AtomicU64) {
    let request = the_request(7);
    while !stop.load(Ordering::Relaxed) {
        let Ok(mut stream) = UnixStream::connect(socket) else {
            thread::sleep(Duration::from_millis(10));
            continue;
        };
        stream
            .set_write_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        if stream.write_all(&initialize()).is_err() {
            continue;
        }
        while !stop.load(Ordering::Relaxed) {
            match stream.write_all(&request) {
                Ok(()) => {
                    sent.fetch_add(1, Ordering::Relaxed);
                }
                // The server pushes back by not reading: keep the connection and try again.
                Err(error)
                    if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(_) => {
                    dropped.fetch_add(1, Ordering::Relaxed);
                    break;
                }
            }
        }
    }
}

/// A well-behaved client calling `device/key/list` every 20 ms for `duration`: each call's time.
fn list_latencies(socket: &Path, duration: Duration) -> Vec<Duration> {
    let mut stream = UnixStream::connect(socket).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut answer = Vec::new();
    stream.write_all(&initialize()).unwrap();
    reader.read_until(b'\n', &mut answer).unwrap();
    let end = Instant::now() + duration;
    let mut latencies = Vec::new();
    let mut id = 1;
    while Instant::now() < end {
        let request = line(&json!({"id": id, "method": "device/key/list", "params": {}}));
        let started = Instant::now();
        stream.write_all(&request).unwrap();
        answer.clear();
        reader.read_until(b'\n', &mut answer).unwrap();
        latencies.push(started.elapsed());
        let message: Value = serde_json::from_slice(&answer).expect("a JSON answer");
        assert!(message.get("result").is_some(), "{message}");
        id += 1;
        thread::sleep(Duration::from_millis(20));
    }
    latencies
}

/// 300 connections each writing up to 1 MiB of one line without its end, for 3 s; the peak and
/// current RSS while they hold it.
fn partial_lines(served: &Served) -> (u64, u64) {
    let _held = hold_partial_lines(&served.socket, 300, 1024 * 1024, Duration::from_secs(3));
    served.memory_kib()
}
