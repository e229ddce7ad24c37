//! `StateDir::open` and `check_state_dir`, like OpenSSH's StrictModes: a state directory that is,
//! or holds, a symbolic link, that another user owns, or that group or others may write to is
//! refused with a message naming the path and the fix; what the runtime creates is 0700 / 0600.

use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use devicekey_protocol::types::DeviceKeyProtectionPolicy;
use devicekey_runtime::provider::SoftwareProvider;
use devicekey_runtime::{
    check_state_dir, current_uid, FileSecretStore, KeyProvider as _, StateDir, StateDirProblem,
};

/// A uid that is not ours (the tests run as root, who may give files away).
const OTHER_UID: u32 = 65534;

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn chown(path: &Path, uid: u32) {
    std::os::unix::fs::lchown(path, Some(uid), None).unwrap();
}

fn mode_of(path: &Path) -> u32 {
    std::fs::symlink_metadata(path).unwrap().mode() & 0o7777
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

/// A state directory as a server leaves it: a binding database (with `-wal` and `-shm` while
/// open), a software key under `keys/`, a TPM blob stand-in under `tpm/`.
struct Populated {
    _root: tempfile::TempDir,
    state: PathBuf,
    key_file: PathBuf,
    blob_file: PathBuf,
}

fn populated() -> Populated {
    let root = tempfile::tempdir().unwrap();
    let state = root.path().join("state");
    let opened = StateDir::open(&state).unwrap();
    let bindings = opened.open_bindings().unwrap();
    let provider =
        SoftwareProvider::new(Arc::new(FileSecretStore::open(opened.keys_dir()).unwrap()));
    let key = provider
        .create(DeviceKeyProtectionPolicy::AllowSoftware)
        .unwrap();
    std::mem::forget(bindings); // keep -wal and -shm on disk, as a running server does
    let tpm = FileSecretStore::open(opened.tpm_dir()).unwrap();
    let blob_file = opened.tpm_dir().join("dk_tpm_blob.key");
    std::fs::write(&blob_file, b"blob").unwrap();
    set_mode(&blob_file, 0o600);
    drop(tpm);
    Populated {
        _root: root,
        key_file: opened.keys_dir().join(format!("{}.key", key.key_id)),
        state,
        blob_file,
    }
}

#[test]
fn what_the_runtime_creates_is_0700_and_0600_and_passes_the_check() {
    let populated = populated();
    let state = &populated.state;
    assert_eq!(mode_of(state), 0o700);
    for dir in ["keys", "tpm"] {
        assert_eq!(mode_of(&state.join(dir)), 0o700, "{dir}");
    }
    for file in [
        "bindings.sqlite3",
        "bindings.sqlite3-wal",
        "bindings.sqlite3-shm",
    ] {
        let path = state.join(file);
        assert!(path.exists(), "{file}");
        assert_eq!(mode_of(&path), 0o600, "{file}");
        assert_eq!(
            std::fs::metadata(&path).unwrap().uid(),
            current_uid(),
            "{file}"
        );
    }
    assert_eq!(mode_of(&populated.key_file), 0o600);
    check_state_dir(state).unwrap();
    StateDir::open(state).unwrap();
}

#[test]
fn files_readable_by_others_but_not_writable_pass_and_are_narrowed_when_opened() {
    // A state directory from before this check (0755, files 0644) is not refused.
    let populated = populated();
    let state = &populated.state;
    set_mode(state, 0o755);
    set_mode(&state.join("bindings.sqlite3"), 0o644);
    set_mode(&populated.key_file, 0o644);
    let opened = StateDir::open(state).unwrap();
    drop(opened.open_bindings().unwrap());
    assert_eq!(mode_of(&state.join("bindings.sqlite3")), 0o600);
}

/// Each way to spoil a populated state directory, the path the refusal must name, and the
/// problem it must report.
#[test]
fn every_link_foreign_owner_and_writable_mode_is_refused_naming_the_path_and_the_fix() {
    type Spoil = fn(&Populated) -> PathBuf;
    type Expect = fn(&StateDirProblem) -> bool;
    let cases: Vec<(&str, Spoil, Expect)> = vec![
        (
            "state dir 0777",
            |p| {
                set_mode(&p.state, 0o777);
                p.state.clone()
            },
            |problem| matches!(problem, StateDirProblem::Writable { mode: 0o777 }),
        ),
        (
            "state dir group-writable",
            |p| {
                set_mode(&p.state, 0o770);
                p.state.clone()
            },
            |problem| matches!(problem, StateDirProblem::Writable { .. }),
        ),
        (
            "state dir owned by another user",
            |p| {
                chown(&p.state, OTHER_UID);
                p.state.clone()
            },
            |problem| {
                matches!(
                    problem,
                    StateDirProblem::NotOwned {
                        owner: OTHER_UID,
                        ..
                    }
                )
            },
        ),
        (
            "bindings.sqlite3 a symlink",
            |p| {
                let db = p.state.join("bindings.sqlite3");
                let elsewhere = p.state.parent().unwrap().join("elsewhere.sqlite3");
                std::fs::rename(&db, &elsewhere).unwrap();
                std::os::unix::fs::symlink(&elsewhere, &db).unwrap();
                db
            },
            |problem| matches!(problem, StateDirProblem::Symlink { target: Some(_) }),
        ),
        (
            "bindings.sqlite3-wal owned by another user",
            |p| {
                let wal = p.state.join("bindings.sqlite3-wal");
                chown(&wal, OTHER_UID);
                wal
            },
            |problem| matches!(problem, StateDirProblem::NotOwned { .. }),
        ),
        (
            "bindings.sqlite3-shm world-writable",
            |p| {
                let shm = p.state.join("bindings.sqlite3-shm");
                set_mode(&shm, 0o666);
                shm
            },
            |problem| matches!(problem, StateDirProblem::Writable { .. }),
        ),
        (
            "keys/ world-writable",
            |p| {
                let keys = p.state.join("keys");
                set_mode(&keys, 0o777);
                keys
            },
            |problem| matches!(problem, StateDirProblem::Writable { .. }),
        ),
        (
            "keys/ a symlink",
            |p| {
                let keys = p.state.join("keys");
                let elsewhere = p.state.parent().unwrap().join("keys-elsewhere");
                std::fs::rename(&keys, &elsewhere).unwrap();
                std::os::unix::fs::symlink(&elsewhere, &keys).unwrap();
                keys
            },
            |problem| matches!(problem, StateDirProblem::Symlink { .. }),
        ),
        (
            "a key file a symlink to another file",
            |p| {
                let other = p.state.join("keys").join("other.key");
                std::fs::rename(&p.key_file, &other).unwrap();
                std::os::unix::fs::symlink(&other, &p.key_file).unwrap();
                p.key_file.clone()
            },
            |problem| matches!(problem, StateDirProblem::Symlink { .. }),
        ),
        (
            "a key file owned by another user",
            |p| {
                chown(&p.key_file, OTHER_UID);
                p.key_file.clone()
            },
            |problem| matches!(problem, StateDirProblem::NotOwned { .. }),
        ),
        (
            "a key file a FIFO",
            |p| {
                std::fs::remove_file(&p.key_file).unwrap();
                mkfifo(&p.key_file);
                p.key_file.clone()
            },
            |problem| matches!(problem, StateDirProblem::WrongType { .. }),
        ),
        (
            "a TPM blob owned by another user",
            |p| {
                chown(&p.blob_file, OTHER_UID);
                p.blob_file.clone()
            },
            |problem| matches!(problem, StateDirProblem::NotOwned { .. }),
        ),
        (
            "a TPM blob group-writable",
            |p| {
                set_mode(&p.blob_file, 0o620);
                p.blob_file.clone()
            },
            |problem| matches!(problem, StateDirProblem::Writable { .. }),
        ),
        (
            "bindings.sqlite3 a directory",
            |p| {
                let db = p.state.join("bindings.sqlite3");
                std::fs::remove_file(&db).unwrap();
                std::fs::create_dir(&db).unwrap();
                set_mode(&db, 0o700);
                db
            },
            |problem| matches!(problem, StateDirProblem::WrongType { .. }),
        ),
        (
            "an unknown file owned by another user",
            |p| {
                let stray = p.state.join("notes.txt");
                std::fs::write(&stray, b"x").unwrap();
                chown(&stray, OTHER_UID);
                stray
            },
            |problem| matches!(problem, StateDirProblem::NotOwned { .. }),
        ),
    ];
    for (name, spoil, expected) in cases {
        let populated = populated();
        let refused_path = spoil(&populated);
        let error = StateDir::open(&populated.state)
            .expect_err(name)
            .to_string();
        let checked = check_state_dir(&populated.state).expect_err(name);
        assert!(expected(checked.problem()), "{name}: {checked:?}");
        assert_eq!(checked.path(), refused_path, "{name}");
        assert!(
            error.contains(&refused_path.display().to_string()),
            "{name}: the message names the path: {error}"
        );
        assert!(error.contains("Fix:"), "{name}: {error}");
    }
}

#[test]
fn a_symlinked_state_dir_is_refused_and_not_followed() {
    let root = tempfile::tempdir().unwrap();
    let real = root.path().join("real");
    StateDir::open(&real).unwrap();
    let link = root.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let error = StateDir::open(&link).unwrap_err();
    assert!(
        matches!(error.problem(), StateDirProblem::Symlink { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("symbolic link"), "{error}");
    // Nothing was created through the link.
    assert_eq!(std::fs::read_dir(&real).unwrap().count(), 0);
}

#[test]
fn a_foreign_secret_store_directory_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let keys = root.path().join("keys");
    std::fs::create_dir(&keys).unwrap();
    set_mode(&keys, 0o777);
    let error = FileSecretStore::open(&keys).unwrap_err();
    assert!(error.message().contains("writable"), "{error}");
    set_mode(&keys, 0o700);
    chown(&keys, OTHER_UID);
    let error = FileSecretStore::open(&keys).unwrap_err();
    assert!(error.message().contains("owned by uid 65534"), "{error}");
}
