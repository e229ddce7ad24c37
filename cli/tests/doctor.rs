//! `devicekey doctor`: one line per check, what is wrong and how to fix it, exit 1 on a failure.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use crate::keys::devicekey;
use crate::serve::{create_params, ServeProcess};

fn doctor(state: &Path, extra: &[&str]) -> (i32, String) {
    let mut args = vec![
        "doctor",
        "--state-dir",
        state.to_str().unwrap(),
        "--provider",
        "software",
    ];
    args.extend_from_slice(extra);
    let (code, out, err) = devicekey(&args);
    assert!(err.is_empty() || code != 0, "stderr: {err}");
    (code, out)
}

/// A state directory a server made, with `keys` software keys.
fn used_state(keys: usize) -> (tempfile::TempDir, Vec<String>) {
    let (mut server, mut peer) = ServeProcess::stdio();
    peer.initialize();
    let ids = (0..keys)
        .map(|_| {
            peer.call_ok("device/key/create", create_params())["keyId"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    peer.close();
    let state = server.keep_state();
    assert_eq!(server.wait(), 0);
    // `serve` creates a state directory 0700; this one was made by the test's tempdir.
    std::fs::set_permissions(state.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    (state, ids)
}

fn line<'a>(out: &'a str, start: &str) -> &'a str {
    out.lines()
        .find(|line| line.starts_with(start))
        .unwrap_or_else(|| panic!("no line starting {start:?} in:\n{out}"))
}

#[test]
fn a_healthy_state_directory_is_all_ok() {
    let (state, _) = used_state(2);
    let (code, out) = doctor(state.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.lines().all(|line| line.starts_with("ok   ")), "{out}");
    assert!(
        line(&out, "ok   state directory").contains("owned by you (uid")
            && out.contains("mode 0700"),
        "{out}"
    );
    assert!(line(&out, "ok   database").contains("2 keys"), "{out}");
    assert!(
        line(&out, "ok   provider software").contains("keys"),
        "{out}"
    );
    assert!(
        line(&out, "ok   keys of the software provider")
            .contains("2 keys bound, each with its platform key"),
        "{out}"
    );
}

#[test]
fn a_state_directory_not_made_yet_is_not_a_failure() {
    let root = tempfile::tempdir().unwrap();
    let state = root.path().join("state");
    let (code, out) = doctor(&state, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(
        line(&out, "ok   state directory").contains("not created yet"),
        "{out}"
    );
    assert!(!state.exists(), "doctor creates nothing");
}

#[test]
fn each_problem_is_a_failure_with_its_fix() {
    // Writable by others.
    let (state, keys) = used_state(3);
    std::fs::set_permissions(state.path(), std::fs::Permissions::from_mode(0o775)).unwrap();
    let (code, out) = doctor(state.path(), &[]);
    assert_eq!(code, 1, "{out}");
    let failed = line(&out, "FAIL state directory");
    assert!(
        failed.contains("writable by its group or others") && failed.contains("Fix: `chmod go-w"),
        "{out}"
    );
    std::fs::set_permissions(state.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let (code, out) = doctor(state.path(), &[]);
    assert_eq!(code, 0, "readable by others is a warning: {out}");
    assert!(
        line(&out, "warn state directory").contains("Fix: `chmod 700"),
        "{out}"
    );
    std::fs::set_permissions(state.path(), std::fs::Permissions::from_mode(0o700)).unwrap();

    // A key file gone, another replaced by a different key, a stray key without a binding.
    let key_file = |key: &str| state.path().join("keys").join(format!("{key}.key"));
    std::fs::remove_file(key_file(&keys[0])).unwrap();
    std::fs::copy(key_file(&keys[2]), key_file(&keys[1])).unwrap();
    let stray = format!("dk_swk_{}", "A".repeat(43));
    std::fs::copy(key_file(&keys[2]), key_file(&stray)).unwrap();
    let (code, out) = doctor(state.path(), &[]);
    assert_eq!(code, 1, "{out}");
    let missing = line(&out, &format!("FAIL key {}", keys[0]));
    assert!(
        missing.contains("keyNotFound")
            && missing.contains("Fix:")
            && missing.contains("devicekey keys delete"),
        "{out}"
    );
    let replaced = line(&out, &format!("FAIL key {}", keys[1]));
    assert!(replaced.contains("keyIntegrityFailure"), "{out}");
    let unbound = line(&out, "warn keys of the software provider");
    assert!(
        unbound.contains("1 key without a binding") && unbound.contains(&stray),
        "{out}"
    );

    // A database that is not SQLite.
    std::fs::write(
        state.path().join("bindings.sqlite3"),
        b"not a database at all, at all",
    )
    .unwrap();
    let (code, out) = doctor(state.path(), &[]);
    assert_eq!(code, 1, "{out}");
    let failed = line(&out, "FAIL database");
    assert!(failed.contains("bindings.sqlite3"), "{out}");
}

#[test]
fn a_provider_that_does_not_open_says_how_to_fix_it() {
    let root = tempfile::tempdir().unwrap();
    let (code, out, _) = devicekey(&[
        "doctor",
        "--state-dir",
        root.path().join("state").to_str().unwrap(),
        "--provider",
        "tpm",
        "--tpm-tcti",
        "device:/nonexistent/tpmrm0",
        "--tpm-timeout",
        "2",
    ]);
    assert_eq!(code, 1, "{out}");
    let failed = line(&out, "FAIL provider tpm");
    assert!(
        failed.contains("/nonexistent/tpmrm0")
            && failed.contains("Fix: /nonexistent/tpmrm0 does not exist"),
        "{out}"
    );
}

#[test]
fn a_running_server_is_noticed() {
    let (server, mut peer) = ServeProcess::stdio();
    peer.initialize();
    peer.call_ok("device/key/create", create_params());
    std::fs::set_permissions(server.state(), std::fs::Permissions::from_mode(0o700)).unwrap();
    let (code, out) = doctor(server.state(), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(
        line(&out, "ok   database").contains("1 key; open in another process (a running server)"),
        "{out}"
    );
}
