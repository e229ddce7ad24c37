//! The state directory, trusted only when nobody else could have changed it: like OpenSSH's
//! `StrictModes`, [`StateDir::open`] refuses a state directory when it, or anything in it, is a
//! symbolic link, is not owned by the user running the server, or is writable by its group or by
//! others. Whoever could write there could swap the binding database (and sign for their own
//! account with the owner's keys) or a key file (and have `public` and `sign` answer with
//! another key); a link could point the server at any file at all.
//!
//! What the runtime creates there is private whatever the umask: directories 0700, files 0600.
//! Files in the state directory are opened without following symbolic links
//! ([`crate::files`]).

use std::fs;
use std::path::{Path, PathBuf};

use devicekey_proof::DeviceKeyError;

use crate::binding_store::BindingStore;
use crate::private_fs::{check_entry, create_private_dir, lstat, Kind, StateDirError};

// The layout's names live with the file checks, below the binding store (which looks for keys
// beside a database it would create).
pub use crate::private_fs::{BINDINGS_FILE, KEYS_DIR, TPM_DIR};

/// A state directory that passed [`check_state_dir`] when it was opened.
///
/// The check holds afterwards as long as nobody but the owner (and root) can write there, which
/// is what it checked: files are still opened by path later, without following links.
#[derive(Debug, Clone)]
pub struct StateDir {
    path: PathBuf,
}

impl StateDir {
    /// Opens the state directory at `path`: creates it (mode 0700, and any missing parents
    /// 0700) if it does not exist, then checks it and everything in it
    /// ([`check_state_dir`]).
    pub fn open(path: impl Into<PathBuf>) -> Result<StateDir, StateDirError> {
        let path = path.into();
        create_private_dir(&path)?;
        check_state_dir(&path)?;
        Ok(StateDir { path })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `bindings.sqlite3` in it.
    pub fn bindings_path(&self) -> PathBuf {
        self.path.join(BINDINGS_FILE)
    }

    /// `keys/` in it (software keys).
    pub fn keys_dir(&self) -> PathBuf {
        self.path.join(KEYS_DIR)
    }

    /// `tpm/` in it (TPM key blobs).
    pub fn tpm_dir(&self) -> PathBuf {
        self.path.join(TPM_DIR)
    }

    /// Opens the binding store in it ([`BindingStore::open`]).
    ///
    /// A new database is created only in a state directory without keys: where
    /// `bindings.sqlite3` is missing or empty (0 bytes) but `keys/` or `tpm/` holds anything
    /// (or a `-wal` has content), the bindings of those keys are gone, and the open is refused
    /// rather than starting over silently. So is a `bindings.sqlite3` that is not SQLite, is
    /// another application's database, has a newer schema, or has tables that are not this
    /// program's. Nothing is written to a refused file; the message names it and says what to
    /// do (restore it from a backup, or move it, or the whole state directory, away).
    pub fn open_bindings(&self) -> Result<BindingStore, DeviceKeyError> {
        BindingStore::open(self.bindings_path())
    }
}

/// Checks the state directory at `path` and everything in it: none may be a symbolic link, be
/// owned by anyone but the user running this process, or be writable by group or others.
/// `bindings.sqlite3`, its `-wal` and `-shm`, and the files under `keys/` and `tpm/` must be
/// regular files; `keys/` and `tpm/` directories. A missing entry is fine (it is created
/// private when needed).
pub fn check_state_dir(path: &Path) -> Result<(), StateDirError> {
    let metadata = lstat(path)?;
    check_entry(path, &metadata, Some(Kind::Directory))?;
    check_contents(path, 0)
}

/// How deep [`check_state_dir`] looks (the state directory has two levels; this only stops a
/// pathological tree).
const MAX_DEPTH: usize = 16;

fn check_contents(dir: &Path, depth: usize) -> Result<(), StateDirError> {
    let entries = fs::read_dir(dir).map_err(|error| StateDirError::io(dir, error))?;
    for entry in entries {
        let entry = entry.map_err(|error| StateDirError::io(dir, error))?;
        let path = entry.path();
        // `DirEntry::metadata` does not follow a symbolic link.
        let metadata = entry
            .metadata()
            .map_err(|error| StateDirError::io(&path, error))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let expected = if depth == 0 {
            match &*name {
                KEYS_DIR | TPM_DIR => Some(Kind::Directory),
                _ if is_database_file(&name) => Some(Kind::RegularFile),
                _ => None,
            }
        } else if depth == 1
            && matches!(
                dir.file_name().and_then(|name| name.to_str()),
                Some(KEYS_DIR | TPM_DIR)
            )
        {
            Some(Kind::RegularFile)
        } else {
            None
        };
        check_entry(&path, &metadata, expected)?;
        if metadata.is_dir() && depth < MAX_DEPTH {
            check_contents(&path, depth + 1)?;
        }
    }
    Ok(())
}

fn is_database_file(name: &str) -> bool {
    name.strip_prefix(BINDINGS_FILE)
        .is_some_and(|suffix| matches!(suffix, "" | "-wal" | "-shm" | "-journal"))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    fn mode(path: &Path) -> u32 {
        fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn a_new_state_dir_is_0700_whatever_its_parents() {
        let temp = tempfile::tempdir().unwrap();
        let path = temp.path().join("a/b/state");
        let state = StateDir::open(&path).unwrap();
        assert_eq!(mode(state.path()), 0o700);
        assert_eq!(mode(&temp.path().join("a/b")), 0o700);
        assert_eq!(state.bindings_path(), path.join("bindings.sqlite3"));
    }
}
