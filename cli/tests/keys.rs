//! `devicekey keys list|delete` on a state directory a real server made, with and without the
//! server running.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

use crate::serve::{assert_error, create_params, payload, Peer, ServeProcess};
use crate::support::{ACCOUNT, CLIENT};

/// `devicekey` on `args`: exit code, stdout, stderr.
pub fn devicekey(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_devicekey"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn create(peer: &mut Peer, account: &str) -> String {
    let params =
        json!({"protectionPolicy": "allow_software", "accountUserId": account, "clientId": CLIENT});
    peer.call_ok("device/key/create", params)["keyId"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn key_file(state: &Path, key: &str) -> std::path::PathBuf {
    state.join("keys").join(format!("{key}.key"))
}

#[test]
fn keys_are_listed_and_deleted_without_a_server() {
    let (mut server, mut peer) = ServeProcess::stdio();
    peer.initialize();
    let first = create(&mut peer, ACCOUNT);
    let second = create(&mut peer, "account-user-2");
    peer.close();
    let state = server.keep_state();
    assert_eq!(server.wait(), 0);
    let dir = state.path().to_str().unwrap();

    let (code, out, err) = devicekey(&["keys", "list", "--state-dir", dir]);
    assert_eq!(code, 0, "{out}{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].starts_with("KEY ID"), "{out}");
    // Oldest first, then by key id: both were made within the same second or two.
    let row = |key: &str| *lines.iter().find(|line| line.starts_with(key)).unwrap();
    assert!(
        row(&first).contains("software") && row(&first).contains(ACCOUNT),
        "{out}"
    );
    assert!(row(&second).contains("account-user-2"), "{out}");
    assert!(row(&first).ends_with('Z'), "{out}");

    let (code, out, _) = devicekey(&["keys", "list", "--state-dir", dir, "--json"]);
    assert_eq!(code, 0);
    let listed: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(listed["keys"].as_array().unwrap().len(), 2, "{out}");
    let (_, out, _) = devicekey(&[
        "keys",
        "list",
        "--state-dir",
        dir,
        "--json",
        "--account-user-id",
        "account-user-2",
    ]);
    let listed: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(listed["keys"][0]["keyId"], json!(second), "{out}");
    let (code, _, err) = devicekey(&["keys", "list", "--state-dir", dir, "--client-id", ""]);
    assert_eq!(
        code, 2,
        "an empty client id is refused by the schema: {err}"
    );
    assert!(err.contains("clientId must not be empty"), "{err}");

    // Delete: the platform key and the binding, as the server's delete does.
    assert!(key_file(state.path(), &first).exists());
    let (code, out, err) = devicekey(&["keys", "delete", &first, "--state-dir", dir]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        out,
        format!("deleted {first}: its platform key and its binding\n")
    );
    assert!(!key_file(state.path(), &first).exists());
    let (_, out, _) = devicekey(&["keys", "list", "--state-dir", dir]);
    assert!(!out.contains(&first) && out.contains(&second), "{out}");
    let (code, out, _) = devicekey(&["keys", "delete", &first, "--state-dir", dir]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("nothing deleted"), "{out}");

    // A binding whose key file is gone is still deleted.
    std::fs::remove_file(key_file(state.path(), &second)).unwrap();
    let (code, out, _) = devicekey(&["keys", "delete", &second, "--state-dir", dir]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out,
        format!("deleted {second}: its platform key and its binding\n")
    );
    let (code, out, _) = devicekey(&["keys", "list", "--state-dir", dir]);
    assert_eq!((code, out), (0, format!("no keys in {dir}\n")));

    let (code, _, err) = devicekey(&["keys", "delete", "dk_swk_nope", "--state-dir", dir]);
    assert_eq!(code, 2);
    assert!(err.contains("is not a key id"), "{err}");
}

#[test]
fn a_state_directory_is_checked_as_serve_checks_it_and_never_created() {
    let root = tempfile::tempdir().unwrap();
    let missing = root.path().join("missing");
    let (code, _, err) = devicekey(&["keys", "list", "--state-dir", missing.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("there is no state directory at"), "{err}");
    assert!(!missing.exists(), "nothing is created");

    // An empty state directory has no keys, and gets no database.
    let empty = root.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    std::fs::set_permissions(&empty, std::fs::Permissions::from_mode(0o700)).unwrap();
    let (code, out, _) = devicekey(&["keys", "list", "--state-dir", empty.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("no keys in"), "{out}");
    assert!(!empty.join("bindings.sqlite3").exists());

    std::fs::set_permissions(&empty, std::fs::Permissions::from_mode(0o777)).unwrap();
    let (code, _, err) = devicekey(&["keys", "list", "--state-dir", empty.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("writable by its group or others") && err.contains("Fix: `chmod go-w"),
        "{err}"
    );

    // Keys without their database: the bindings are lost, and said so.
    let lost = root.path().join("lost");
    std::fs::create_dir_all(lost.join("keys")).unwrap();
    for dir in [&lost, &lost.join("keys")] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let stray = lost
        .join("keys")
        .join(format!("dk_swk_{}.key", "A".repeat(43)));
    std::fs::write(&stray, b"x").unwrap();
    std::fs::set_permissions(&stray, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (code, _, err) = devicekey(&["keys", "list", "--state-dir", lost.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("bindings.sqlite3"), "{err}");
    assert!(!lost.join("bindings.sqlite3").exists());
}

#[test]
fn a_key_deleted_beside_a_running_server_is_gone_for_it_too() {
    let (server, mut peer) = ServeProcess::stdio();
    peer.initialize();
    let key = create(&mut peer, ACCOUNT);
    let kept = create(&mut peer, ACCOUNT);
    peer.call_ok(
        "device/key/sign",
        json!({"keyId": key, "payload": payload()}),
    );
    let dir = server.state().to_str().unwrap().to_owned();

    let (code, out, err) = devicekey(&["keys", "delete", &key, "--state-dir", &dir]);
    assert_eq!(code, 0, "{out}{err}");
    let answer = peer.call(
        "device/key/sign",
        json!({"keyId": key, "payload": payload()}),
    );
    let error = assert_error(&answer, -32001);
    assert_eq!(error["data"]["kind"], "keyNotFound", "{answer}");
    let listed = peer.call_ok("device/key/list", json!({}));
    assert_eq!(listed["keys"].as_array().unwrap().len(), 1, "{listed}");
    // The server's other key and its database are unharmed.
    peer.call_ok(
        "device/key/sign",
        json!({"keyId": kept, "payload": payload()}),
    );
    peer.call_ok("device/key/create", create_params());
    let (code, out, _) = devicekey(&["keys", "list", "--state-dir", &dir]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 3, "{out}");
}
