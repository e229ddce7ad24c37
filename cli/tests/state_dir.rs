//! `devicekey serve` and its state directory: it refuses to start on a state directory that is,
//! or holds, a symbolic link, that another user owns, or that others may write to; what it
//! creates is 0700 / 0600 whatever the umask; a key file swapped while it runs is an integrity
//! error, never a signature under another key; a FIFO or `/dev/zero` as a key file answers an
//! error at once.

use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::serve::{assert_error, create_params, line_channel, payload, Peer, ServeProcess};

/// A uid that is not ours (the tests run as root, who may give files away).
const OTHER_UID: u32 = 65534;

/// How long an answer about a hostile key file may take.
const PROMPTLY: Duration = Duration::from_secs(5);

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn mode_of(path: &Path) -> u32 {
    std::fs::symlink_metadata(path).unwrap().mode() & 0o7777
}

/// Runs `devicekey serve` on `state` with nothing on stdin; its exit code and stderr, within
/// 30 s.
fn serve_once(state: &Path) -> (i32, String) {
    let mut child = ServeProcess::command(state, &[])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("devicekey serve did not exit");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let output = child.wait_with_output().unwrap();
    assert!(output.stdout.is_empty(), "nothing but protocol on stdout");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A state directory a server has used: a binding database and two software keys.
fn used_state_dir() -> (tempfile::TempDir, PathBuf, Vec<String>) {
    let root = tempfile::tempdir().unwrap();
    let state = root.path().join("state");
    let mut child = ServeProcess::command(&state, &[]).spawn().unwrap();
    let lines = line_channel(child.stdout.take().unwrap());
    let mut peer = Peer::new(Box::new(child.stdin.take().unwrap()), lines);
    peer.initialize();
    let keys = (0..2)
        .map(|_| {
            peer.call_ok("device/key/create", create_params())["keyId"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    peer.close();
    assert!(child.wait().unwrap().success());
    (root, state, keys)
}

fn key_file(state: &Path, key: &str) -> PathBuf {
    state.join("keys").join(format!("{key}.key"))
}

#[test]
fn serve_refuses_an_unsafe_state_dir_naming_the_path_and_the_fix() {
    type Spoil = fn(&Path, &[String]) -> PathBuf;
    let cases: Vec<(&str, Spoil, &str)> = vec![
        (
            "a 0777 state directory",
            |state, _| {
                set_mode(state, 0o777);
                state.to_owned()
            },
            "chmod go-w",
        ),
        (
            "a state directory another user made, 0777",
            |state, _| {
                std::os::unix::fs::lchown(state, Some(OTHER_UID), Some(OTHER_UID)).unwrap();
                set_mode(state, 0o777);
                state.to_owned()
            },
            "owned by uid 65534",
        ),
        (
            "a symlinked state directory",
            |state, _| {
                let real = state.with_file_name("real-state");
                std::fs::rename(state, &real).unwrap();
                std::os::unix::fs::symlink(&real, state).unwrap();
                state.to_owned()
            },
            "symbolic link",
        ),
        (
            "a symlinked bindings.sqlite3",
            |state, _| {
                let db = state.join("bindings.sqlite3");
                let elsewhere = state.with_file_name("elsewhere.sqlite3");
                std::fs::rename(&db, &elsewhere).unwrap();
                std::os::unix::fs::symlink(&elsewhere, &db).unwrap();
                db
            },
            "symbolic link",
        ),
        (
            "a key file linked to another key's file",
            |state, keys| {
                let victim = key_file(state, &keys[0]);
                std::fs::remove_file(&victim).unwrap();
                std::os::unix::fs::symlink(key_file(state, &keys[1]), &victim).unwrap();
                victim
            },
            "symbolic link",
        ),
        (
            "a key file owned by another user",
            |state, keys| {
                let victim = key_file(state, &keys[0]);
                std::os::unix::fs::lchown(&victim, Some(OTHER_UID), None).unwrap();
                victim
            },
            "chown",
        ),
        (
            "a world-writable keys directory",
            |state, _| {
                set_mode(&state.join("keys"), 0o777);
                state.join("keys")
            },
            "chmod go-w",
        ),
    ];
    for (what, spoil, fix) in cases {
        let (_root, state, keys) = used_state_dir();
        let refused = spoil(&state, &keys);
        let (code, stderr) = serve_once(&state);
        assert_eq!(code, 1, "{what}: {stderr}");
        assert!(
            stderr.contains(&format!("{} ", refused.display())),
            "{what}: the message names {}: {stderr}",
            refused.display()
        );
        assert!(
            stderr.contains("Fix:") && stderr.contains(fix),
            "{what}: {stderr}"
        );
    }
}

#[test]
fn serve_follows_no_symlinked_state_dir_even_a_new_one() {
    let root = tempfile::tempdir().unwrap();
    let target = root.path().join("target");
    std::fs::create_dir(&target).unwrap();
    set_mode(&target, 0o700);
    let link = root.path().join("state");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let (code, stderr) = serve_once(&link);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("symbolic link"), "{stderr}");
    assert_eq!(
        std::fs::read_dir(&target).unwrap().count(),
        0,
        "nothing was created through the link"
    );
}

#[test]
fn what_serve_creates_is_0700_and_0600_whatever_the_umask() {
    for umask in ["000", "277"] {
        let root = tempfile::tempdir().unwrap();
        let state = root.path().join("parent").join("state");
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(format!("umask {umask}; exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_devicekey"))
            .args(["serve", "--provider", "software", "--state-dir"])
            .arg(&state)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = line_channel(child.stdout.take().unwrap());
        let mut peer = Peer::new(Box::new(child.stdin.take().unwrap()), lines);
        peer.initialize();
        let key = peer.call_ok("device/key/create", create_params())["keyId"]
            .as_str()
            .unwrap()
            .to_owned();
        peer.call_ok(
            "device/key/sign",
            json!({"keyId": key, "payload": payload()}),
        );
        // While the server runs, the database has its -wal and -shm.
        for dir in [
            root.path().join("parent"),
            state.clone(),
            state.join("keys"),
        ] {
            assert_eq!(mode_of(&dir), 0o700, "umask {umask}: {}", dir.display());
        }
        for file in [
            state.join("bindings.sqlite3"),
            state.join("bindings.sqlite3-wal"),
            state.join("bindings.sqlite3-shm"),
            key_file(&state, &key),
        ] {
            assert_eq!(mode_of(&file), 0o600, "umask {umask}: {}", file.display());
        }
        peer.close();
        assert!(child.wait().unwrap().success(), "umask {umask}");
        // The server starts again on what it left.
        let (code, stderr) = serve_once(&state);
        assert_eq!(code, 0, "umask {umask}: {stderr}");
    }
}

/// The error of an answer, checked to be `keyIntegrityFailure` (-32017) for `key`.
fn assert_integrity_error(answer: &Value, key: &str) {
    let error = assert_error(answer, -32017);
    assert_eq!(
        error["data"],
        json!({"kind": "keyIntegrityFailure", "keyId": key}),
        "{answer}"
    );
    assert!(answer.get("result").is_none(), "{answer}");
}

#[test]
fn a_key_file_swapped_while_serving_is_an_integrity_error_and_signs_nothing() {
    let (process, mut peer) = ServeProcess::stdio();
    peer.initialize();
    let create = |peer: &mut Peer| {
        peer.call_ok("device/key/create", create_params())["keyId"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (victim, other) = (create(&mut peer), create(&mut peer));
    let (victim_file, other_file) = (
        key_file(process.state(), &victim),
        key_file(process.state(), &other),
    );
    let original = std::fs::read(&victim_file).unwrap();

    // A link to the other key's file, then a copy of it.
    std::fs::remove_file(&victim_file).unwrap();
    std::os::unix::fs::symlink(&other_file, &victim_file).unwrap();
    for round in ["link", "copy"] {
        let public = peer.call("device/key/public", json!({"keyId": victim}));
        assert_integrity_error(&public, &victim);
        let signed = peer.call(
            "device/key/sign",
            json!({"keyId": victim, "payload": payload()}),
        );
        assert_integrity_error(&signed, &victim);
        assert!(
            signed["error"]["message"]
                .as_str()
                .unwrap()
                .contains(&victim),
            "{round}: {signed}"
        );
        std::fs::remove_file(&victim_file).unwrap();
        std::fs::copy(&other_file, &victim_file).unwrap();
    }
    std::fs::write(&victim_file, original).unwrap();
    peer.call_ok(
        "device/key/sign",
        json!({"keyId": victim, "payload": payload()}),
    );
}

#[test]
fn a_fifo_or_dev_zero_as_a_key_file_answers_an_error_at_once_and_eof_still_stops_the_server() {
    let (process, mut peer) = ServeProcess::stdio();
    peer.initialize();
    let key = peer.call_ok("device/key/create", create_params())["keyId"]
        .as_str()
        .unwrap()
        .to_owned();
    let file = key_file(process.state(), &key);
    let fifo = |path: &Path| {
        std::fs::remove_file(path).unwrap();
        let status = Command::new("mkfifo").arg(path).status().unwrap();
        assert!(status.success());
    };
    let dev_zero = |path: &Path| {
        std::fs::remove_file(path).unwrap();
        std::os::unix::fs::symlink("/dev/zero", path).unwrap();
    };
    type Spoil = fn(&Path);
    let spoilers: [(&str, Spoil); 2] = [("a FIFO", fifo), ("/dev/zero", dev_zero)];
    for (what, spoil) in spoilers {
        spoil(&file);
        for (method, params) in [
            ("device/key/public", json!({"keyId": key})),
            (
                "device/key/sign",
                json!({"keyId": key, "payload": payload()}),
            ),
        ] {
            let started = Instant::now();
            let answer = peer.call(method, params);
            assert!(
                started.elapsed() < PROMPTLY,
                "{what}: {method} took {:?}",
                started.elapsed()
            );
            assert_integrity_error(&answer, &key);
        }
        // Something for the next case to replace.
        std::fs::remove_file(&file).unwrap();
        std::fs::write(&file, b"placeholder").unwrap();
    }
    // The end of input still stops the server: nothing is stuck reading a key file.
    peer.close();
    assert_eq!(process.wait(), 0);
}

#[test]
fn serve_refuses_a_binding_database_that_is_empty_or_not_sqlite_beside_keys_and_changes_nothing() {
    type Spoil = fn(&Path);
    let cases: [(&str, Spoil, &str); 3] = [
        (
            "a 0-byte bindings.sqlite3",
            |db| std::fs::write(db, b"").unwrap(),
            "empty (0-byte)",
        ),
        (
            "no bindings.sqlite3",
            |db| std::fs::remove_file(db).unwrap(),
            "there is no binding database",
        ),
        (
            "a bindings.sqlite3 that is not SQLite",
            |db| std::fs::write(db, b"key_id,account_user_id\n").unwrap(),
            "not a SQLite database",
        ),
    ];
    for (what, spoil, expected) in cases {
        let (_root, state, keys) = used_state_dir();
        let db = state.join("bindings.sqlite3");
        spoil(&db);
        let before = std::fs::read(&db).ok();
        let (code, stderr) = serve_once(&state);
        assert_eq!(code, 1, "{what}: {stderr}");
        assert!(
            stderr.contains(&format!("refusing the binding database {}:", db.display())),
            "{what}: the message names the database: {stderr}"
        );
        assert!(stderr.contains(expected), "{what}: {stderr}");
        assert!(
            stderr.contains("Fix:") && stderr.contains("backup"),
            "{what}: {stderr}"
        );
        assert!(!stderr.contains("CREATE "), "{what}: no SQL text: {stderr}");
        assert_eq!(
            std::fs::read(&db).ok(),
            before,
            "{what}: the database is as it was"
        );
        for key in &keys {
            assert!(key_file(&state, key).exists(), "{what}: {key} kept");
        }
    }
}

#[test]
fn serve_starts_on_an_empty_binding_database_in_a_state_dir_without_keys() {
    let root = tempfile::tempdir().unwrap();
    let state = root.path().join("state");
    std::fs::create_dir(&state).unwrap();
    set_mode(&state, 0o700);
    let db = state.join("bindings.sqlite3");
    std::fs::write(&db, b"").unwrap();
    set_mode(&db, 0o600);
    let (code, stderr) = serve_once(&state);
    assert_eq!(code, 0, "{stderr}");
    assert!(std::fs::read(&db)
        .unwrap()
        .starts_with(b"SQLite format 3\0"));
}
