//! What `devicekey serve` writes to stderr: plain text without colour codes when stderr is not a
//! terminal or `NO_COLOR` is set, and no warning for a client that leaves with answers unread.

use std::io::{Read as _, Write as _};
use std::os::unix::net::UnixStream;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::serve::{line_channel, ServeProcess};

/// How long a test waits for the server before it fails.
const PATIENCE: Duration = Duration::from_secs(30);

const ESC: char = '\u{1b}';

fn initialize_line() -> String {
    let mut line =
        json!({"id": 0, "method": "initialize", "params": {"clientInfo": {"name": "logging", "version": "1"}}})
            .to_string();
    line.push('\n');
    line
}

/// Every stderr line until one contains `needle` (which is included), within the patience.
fn lines_until(lines: &mpsc::Receiver<String>, needle: &str) -> Vec<String> {
    let deadline = Instant::now() + PATIENCE;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => {
                let found = line.contains(needle);
                seen.push(line);
                if found {
                    return seen;
                }
            }
            Err(_) => panic!("no stderr line with {needle:?}; saw {seen:#?}"),
        }
    }
}

/// With stderr a pipe (as under systemd, Docker or a log file) and `NO_COLOR` unset, the log
/// lines are plain text: no ANSI escape sequences.
#[test]
fn logs_to_a_pipe_carry_no_colour_codes() {
    let state = tempfile::tempdir().unwrap();
    let mut child = ServeProcess::command(&state.path().join("state"), &[])
        .env("RUST_LOG", "debug")
        .env_remove("NO_COLOR")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(initialize_line().as_bytes()).unwrap();
    drop(stdin);
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(child.wait().unwrap().success(), "{stderr}");
    assert!(stdout.contains("\"result\""), "{stdout}");
    // Something was logged, at levels that are coloured on a terminal.
    assert!(stderr.contains("DEBUG"), "{stderr}");
    assert!(stderr.contains("connection opened"), "{stderr}");
    assert!(
        !stderr.contains(ESC),
        "colour codes in piped logs: {:?}",
        stderr.lines().find(|line| line.contains(ESC))
    );
}

/// `devicekey serve` on stdio with stdin at its end, its stderr a terminal (a pseudo-terminal of
/// util-linux `script`) and `NO_COLOR` as given; what the terminal showed.
#[cfg(target_os = "linux")]
fn serve_on_a_terminal(no_color: Option<&str>) -> String {
    let state = tempfile::tempdir().unwrap();
    let shell = format!(
        "'{}' serve --provider software --state-dir '{}' < /dev/null",
        env!("CARGO_BIN_EXE_devicekey"),
        state.path().join("state").display()
    );
    let mut command = std::process::Command::new("script");
    command
        .args(["-qec", &shell, "/dev/null"])
        .env("RUST_LOG", "info")
        .stdin(Stdio::null());
    match no_color {
        Some(value) => command.env("NO_COLOR", value),
        None => command.env_remove("NO_COLOR"),
    };
    let output = command
        .output()
        .expect("util-linux `script` runs (Debian: package bsdutils)");
    let shown = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{shown}");
    assert!(shown.contains("INFO"), "{shown}");
    shown
}

/// On a terminal, logs are coloured, unless `NO_COLOR` is set to anything but the empty string
/// (<https://no-color.org>).
#[cfg(target_os = "linux")]
#[test]
fn logs_on_a_terminal_are_coloured_unless_no_color_is_set() {
    assert!(serve_on_a_terminal(None).contains(ESC));
    assert!(serve_on_a_terminal(Some("")).contains(ESC));
    let plain = serve_on_a_terminal(Some("1"));
    assert!(!plain.contains(ESC), "{plain}");
}

/// A client that sends requests and closes its socket without reading the answers resets the
/// connection (Linux reports ECONNRESET to the server's read). That is the client's doing: it
/// is logged at debug level, and a server run at `warn` logs nothing for it.
#[test]
fn a_client_leaving_with_answers_unread_is_no_warning() {
    let state = tempfile::tempdir().unwrap();
    let socket = state.path().join("devicekey.sock");
    let listen = format!("unix://{}", socket.display());
    let mut child = ServeProcess::command(&state.path().join("state"), &["--listen", &listen])
        .env("RUST_LOG", "warn,devicekey_server::connection=debug")
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = line_channel(child.stderr.take().unwrap());
    let deadline = Instant::now() + PATIENCE;
    while !socket.exists() {
        assert!(Instant::now() < deadline, "the socket never appeared");
        std::thread::sleep(Duration::from_millis(20));
    }

    let mut client = UnixStream::connect(&socket).unwrap();
    let mut requests = initialize_line();
    for id in 1..=50 {
        requests
            .push_str(&json!({"id": id, "method": "device/key/list", "params": {}}).to_string());
        requests.push('\n');
    }
    client.write_all(requests.as_bytes()).unwrap();
    // One byte of the first answer: the answers have started, and the rest stays unread.
    let mut first = [0u8; 1];
    client.read_exact(&mut first).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    drop(client);

    let mut seen = lines_until(&lines, "connection closed");
    let _ = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let exited = child.wait().unwrap();
    seen.extend(lines.try_iter());
    assert!(exited.success(), "{seen:#?}");
    let warnings: Vec<&String> = seen.iter().filter(|line| line.contains("WARN")).collect();
    assert!(warnings.is_empty(), "warnings: {warnings:#?}");
    #[cfg(target_os = "linux")]
    assert!(
        seen.iter()
            .any(|line| line.contains("DEBUG") && line.contains("the client went away")),
        "the reset is logged at debug level: {seen:#?}"
    );
}
