//! `kill -9` of `devicekey serve` in the middle of a burst of creates, again and again: after a
//! restart no key file is without a binding, no temporary file is left, no create is pending,
//! and every create that was acknowledged is still listed and signs.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::Path;
use std::process::Stdio;
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

use devicekey_runtime::BindingStore;
use serde_json::{json, Value};

use crate::serve::{create_params, line_channel, payload, Peer, ServeProcess};

/// Creates sent in one burst before each kill.
const BURST: usize = 150;

/// How many answers each round waits for before it kills the server (0: right after the burst
/// is written).
const KILL_AFTER: [usize; 6] = [0, 1, 5, 20, 60, 100];

/// How long a round waits for an answer before it fails.
const PATIENCE: Duration = Duration::from_secs(30);

/// The names in `keys/`: key files by key id, and everything else.
fn key_dir(state: &Path) -> (BTreeSet<String>, Vec<String>) {
    let mut keys = BTreeSet::new();
    let mut other = Vec::new();
    let Ok(entries) = std::fs::read_dir(state.join("keys")) else {
        return (keys, other);
    };
    for entry in entries {
        let name = entry.unwrap().file_name().into_string().unwrap();
        match name.strip_suffix(".key") {
            Some(key) if !name.starts_with('.') => {
                keys.insert(key.to_owned());
            }
            _ => other.push(name),
        }
    }
    (keys, other)
}

/// One round: start the server, send a burst of creates, kill -9 it once `kill_after` answers
/// came; the key ids it acknowledged (also those it wrote before it died).
fn killed_round(state: &Path, kill_after: usize) -> Vec<String> {
    let mut child = ServeProcess::command(state, &[])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lines = line_channel(child.stdout.take().unwrap());
    let mut stdin = child.stdin.take().unwrap();
    let mut send = |message: Value| {
        stdin.write_all(format!("{message}\n").as_bytes()).unwrap();
    };
    send(
        json!({"id": 0, "method": "initialize", "params": {"clientInfo": {"name": "crash", "version": "1"}}}),
    );
    send(json!({"method": "initialized"}));
    let initialized: Value = serde_json::from_str(&lines.recv_timeout(PATIENCE).unwrap()).unwrap();
    assert_eq!(initialized["id"], 0, "{initialized}");
    let burst: String = (1..=BURST)
        .map(|id| {
            format!(
                "{}\n",
                json!({"id": id, "method": "device/key/create", "params": create_params()})
            )
        })
        .collect();
    stdin.write_all(burst.as_bytes()).unwrap();
    stdin.flush().unwrap();
    let mut acknowledged = Vec::new();
    let mut acknowledge = |line: String| {
        let answer: Value = serde_json::from_str(&line).unwrap();
        match answer["result"]["keyId"].as_str() {
            Some(key) => acknowledged.push(key.to_owned()),
            None => panic!("a create failed: {answer}"),
        }
    };
    for _ in 0..kill_after {
        acknowledge(lines.recv_timeout(PATIENCE).expect("an answer"));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    // Answers written before the kill are acknowledged too: read to the end of the pipe.
    let deadline = Instant::now() + PATIENCE;
    loop {
        match lines.recv_timeout(Duration::from_millis(100)) {
            Ok(line) => acknowledge(line),
            Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => {
                assert!(Instant::now() < deadline, "the pipe never closed")
            }
        }
    }
    drop(stdin);
    acknowledged
}

/// Every key the server lists, a page at a time.
fn list_all(peer: &mut Peer) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    let mut after: Option<Value> = None;
    loop {
        let params = match &after {
            None => json!({}),
            Some(after) => json!({"after": after}),
        };
        let page = peer.call_ok("device/key/list", params);
        for key in page["keys"].as_array().unwrap() {
            keys.insert(key["keyId"].as_str().unwrap().to_owned());
        }
        match page.get("nextCursor") {
            Some(cursor) if !cursor.is_null() => after = Some(cursor.clone()),
            _ => return keys,
        }
    }
}

#[test]
fn kill_9_during_creates_leaves_no_orphan_key_or_temporary_file_and_loses_no_acknowledged_key() {
    let root = tempfile::tempdir().unwrap();
    let state = root.path().join("state");
    let mut acknowledged = BTreeSet::new();
    let (mut unbound_left, mut temporary_left, mut pending_left) = (0, 0, 0);
    for kill_after in KILL_AFTER {
        acknowledged.extend(killed_round(&state, kill_after));
        // What the kill left, looked at without starting a server (which would clean it up).
        let bindings = BindingStore::open(state.join("bindings.sqlite3")).unwrap();
        let bound: BTreeSet<String> = bindings
            .list(&Default::default())
            .unwrap()
            .iter()
            .map(|binding| binding.key_id.to_string())
            .collect();
        pending_left += bindings.pending_create_count().unwrap();
        drop(bindings);
        let (files, other) = key_dir(&state);
        unbound_left += files.difference(&bound).count();
        temporary_left += other.iter().filter(|name| name.ends_with(".tmp")).count();
        assert!(
            acknowledged.is_subset(&bound),
            "an acknowledged create has no binding"
        );
    }
    eprintln!(
        "{} acknowledged creates; the kills left {pending_left} pending creates, \
         {unbound_left} key files without a binding, {temporary_left} temporary files",
        acknowledged.len()
    );

    // A restart reconciles.
    let mut child = ServeProcess::command(&state, &[])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = line_channel(child.stderr.take().unwrap());
    let lines = line_channel(child.stdout.take().unwrap());
    let mut peer = Peer::new(Box::new(child.stdin.take().unwrap()), lines);
    peer.initialize();
    let listed = list_all(&mut peer);
    let missing: Vec<&String> = acknowledged.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "acknowledged but not listed: {missing:?}"
    );
    let (files, other) = key_dir(&state);
    assert_eq!(
        files, listed,
        "every key file has a binding, every binding its key file"
    );
    assert!(other.is_empty(), "nothing else is left in keys/: {other:?}");
    for key in &acknowledged {
        peer.call_ok(
            "device/key/sign",
            json!({"keyId": key, "payload": payload()}),
        );
    }
    peer.close();
    assert!(child.wait().unwrap().success());
    let mut logged = Vec::new();
    while let Ok(line) = stderr.recv_timeout(PATIENCE) {
        logged.push(line);
    }
    if pending_left + unbound_left as i64 + temporary_left as i64 > 0 {
        assert!(
            logged.iter().any(|line| line.contains("reconciled")),
            "the clean-up is logged: {logged:?}"
        );
    }
    let bindings = BindingStore::open(state.join("bindings.sqlite3")).unwrap();
    assert_eq!(bindings.pending_create_count().unwrap(), 0);
}
