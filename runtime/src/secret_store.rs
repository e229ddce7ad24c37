//! Where the software provider keeps private keys: a [`SecretStore`] holds named secrets.
//! [`FileSecretStore`] (one file per secret, mode 0600, written crash-safely) serves Linux;
//! a keychain backend can serve macOS behind the same trait.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use zeroize::Zeroizing;

use devicekey_proof::DeviceKeyError;
use devicekey_proof::KeyId;
use devicekey_protocol::types::DomainErrorKind;

#[cfg(unix)]
use crate::files::{read_regular_file, ReadFileError, Symlinks, MAX_KEY_FILE_LEN};

/// Secret bytes, wiped from memory when dropped and never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretBytes(Zeroizing<Vec<u8>>);

impl SecretBytes {
    /// Takes ownership of `bytes`.
    pub fn new(bytes: Zeroizing<Vec<u8>>) -> Self {
        SecretBytes(bytes)
    }

    /// The secret itself; handle with care.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes(<redacted {} bytes>)", self.0.len())
    }
}

/// A store of secrets named by key id. Implementations must be safe to call from several
/// threads; the calls block.
pub trait SecretStore: Send + Sync + fmt::Debug {
    /// Stores a new secret under `key_id`.
    fn put(&self, key_id: &KeyId, secret: &SecretBytes) -> Result<(), DeviceKeyError>;
    /// The secret stored under `key_id`, if any.
    fn get(&self, key_id: &KeyId) -> Result<Option<SecretBytes>, DeviceKeyError>;
    /// Removes the secret under `key_id`; whether there was one.
    fn delete(&self, key_id: &KeyId) -> Result<bool, DeviceKeyError>;

    /// The key ids of every secret stored, for the start-up reconciliation; `None`, the
    /// default, when the store cannot list them.
    fn list(&self) -> Result<Option<Vec<KeyId>>, DeviceKeyError> {
        Ok(None)
    }

    /// Removes what interrupted writes left behind (temporary files); how many. The default has
    /// nothing to remove.
    fn remove_leftovers(&self) -> Result<usize, DeviceKeyError> {
        Ok(0)
    }
}

fn platform_error(action: &str, key_id: &KeyId, error: io::Error) -> DeviceKeyError {
    DeviceKeyError::new(
        DomainErrorKind::PlatformFailure,
        format!("secret store failed to {action} the secret of {key_id}: {error}"),
    )
}

/// Secrets as files `<key id>.key` in one directory (mode 0700), each file mode 0600.
///
/// A write creates a temporary file in the same directory with mode 0600, writes and fsyncs it,
/// renames it into place and fsyncs the directory, so a crash leaves either no file or the
/// complete one. A read follows no symbolic link, never blocks (a FIFO fails at once) and takes
/// only a regular file of at most [`MAX_KEY_FILE_LEN`](crate::files::MAX_KEY_FILE_LEN) bytes.
#[cfg(unix)]
#[derive(Debug)]
pub struct FileSecretStore {
    dir: PathBuf,
}

#[cfg(unix)]
impl FileSecretStore {
    /// Opens (creating if needed, mode 0700 whatever the umask) the directory `dir`. An existing
    /// directory must not be a symbolic link, must be owned by this process's user and must not
    /// be writable by group or others (see [`crate::StateDir`]).
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, DeviceKeyError> {
        let dir = dir.into();
        crate::private_fs::create_private_dir(&dir).map_err(|error| {
            DeviceKeyError::new(
                DomainErrorKind::PlatformFailure,
                format!("secret store cannot use {}: {error}", dir.display()),
            )
        })?;
        Ok(FileSecretStore { dir })
    }

    /// The directory holding the secrets.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of `key_id`'s secret. Key ids hold only `[A-Za-z0-9_-]`, so the name is safe.
    pub fn path_of(&self, key_id: &KeyId) -> PathBuf {
        self.dir.join(format!("{key_id}.key"))
    }

    /// The temporary file a write of `key_id`'s secret by process `pid` goes through:
    /// `.<key id>.<pid>.tmp`, renamed to `<key id>.key` once complete.
    fn temp_path_of(&self, key_id: &KeyId, pid: u32) -> PathBuf {
        self.dir.join(format!(".{key_id}.{pid}.tmp"))
    }

    fn write_new(&self, key_id: &KeyId, secret: &[u8]) -> io::Result<()> {
        use std::os::unix::fs::OpenOptionsExt as _;
        let target = self.path_of(key_id);
        let temp = self.temp_path_of(key_id, std::process::id());
        let result = (|| {
            let mut file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .custom_flags(libc::O_NOFOLLOW)
                .open(&temp)?;
            // Exactly 0600, whatever the umask took away.
            crate::private_fs::set_mode(&file, 0o600)?;
            file.write_all(secret)?;
            file.sync_all()?;
            drop(file);
            if fs::symlink_metadata(&target).is_ok() {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    "a secret with this key id exists",
                ));
            }
            fs::rename(&temp, &target)?;
            File::open(&self.dir)?.sync_all()
        })();
        if result.is_err() {
            let _ = fs::remove_file(&temp);
        }
        result
    }
}

#[cfg(unix)]
impl SecretStore for FileSecretStore {
    fn put(&self, key_id: &KeyId, secret: &SecretBytes) -> Result<(), DeviceKeyError> {
        self.write_new(key_id, secret.expose())
            .map_err(|error| platform_error("write", key_id, error))
    }

    /// Reads `<key id>.key` without following a symbolic link, without blocking on a FIFO, and
    /// only if it is a regular file of at most [`MAX_KEY_FILE_LEN`] bytes: anything else is
    /// `keyIntegrityFailure` (the file is not the one this store wrote).
    fn get(&self, key_id: &KeyId) -> Result<Option<SecretBytes>, DeviceKeyError> {
        let path = self.path_of(key_id);
        match read_regular_file(&path, MAX_KEY_FILE_LEN, Symlinks::Refuse) {
            Ok(bytes) => Ok(Some(SecretBytes::new(Zeroizing::new(bytes)))),
            Err(ReadFileError::NotFound) => Ok(None),
            Err(ReadFileError::Io(error)) => Err(platform_error("read", key_id, error)),
            // A link, not a regular file, or too large: not a file this store wrote.
            Err(error) => Err(DeviceKeyError::new(
                DomainErrorKind::KeyIntegrityFailure,
                format!(
                    "the key file of {key_id} is not to be trusted: {}: {error}; refusing to use it",
                    path.display()
                ),
            )),
        }
    }

    fn delete(&self, key_id: &KeyId) -> Result<bool, DeviceKeyError> {
        match fs::remove_file(self.path_of(key_id)) {
            Ok(()) => {
                File::open(&self.dir)
                    .and_then(|dir| dir.sync_all())
                    .map_err(|error| platform_error("delete", key_id, error))?;
                Ok(true)
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(error) => Err(platform_error("delete", key_id, error)),
        }
    }

    /// The key ids of the regular files `<key id>.key` in the directory (a symbolic link, a
    /// directory or any other name is not a secret this store wrote, and is left out).
    fn list(&self) -> Result<Option<Vec<KeyId>>, DeviceKeyError> {
        let mut key_ids = Vec::new();
        for (name, file_type) in self.entries()? {
            let Some(key_id) = name
                .strip_suffix(".key")
                .and_then(|id| KeyId::parse(id).ok())
            else {
                continue;
            };
            if file_type.is_file() {
                key_ids.push(key_id);
            }
        }
        key_ids.sort();
        Ok(Some(key_ids))
    }

    /// Removes the temporary files of interrupted writes: regular files named
    /// `.<key id>.<pid>.tmp` (only that naming; links and anything else are left alone), of
    /// any process. Called at start-up: a write under way in another process on the same
    /// directory at that moment fails (its rename finds no file) and reports the error; nothing
    /// it acknowledged is lost.
    fn remove_leftovers(&self) -> Result<usize, DeviceKeyError> {
        let mut removed = 0;
        for (name, file_type) in self.entries()? {
            if !file_type.is_file() || !is_temp_name(&name) {
                continue;
            }
            let path = self.dir.join(&name);
            match fs::remove_file(&path) {
                Ok(()) => removed += 1,
                Err(error) if error.kind() == io::ErrorKind::NotFound => {}
                Err(error) => {
                    tracing::warn!(path = %path.display(), %error, "could not remove the temporary file of an interrupted key write");
                }
            }
        }
        if removed > 0 {
            File::open(&self.dir)
                .and_then(|dir| dir.sync_all())
                .map_err(|error| self.dir_error(error))?;
        }
        Ok(removed)
    }
}

#[cfg(unix)]
impl FileSecretStore {
    /// The names (UTF-8 only: every name this store writes is) and types (of the entry itself,
    /// never of a link's target) of the directory's entries.
    fn entries(&self) -> Result<Vec<(String, fs::FileType)>, DeviceKeyError> {
        let entries = fs::read_dir(&self.dir).map_err(|error| self.dir_error(error))?;
        let mut found = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|error| self.dir_error(error))?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            let file_type = entry.file_type().map_err(|error| self.dir_error(error))?;
            found.push((name, file_type));
        }
        Ok(found)
    }

    fn dir_error(&self, error: io::Error) -> DeviceKeyError {
        DeviceKeyError::new(
            DomainErrorKind::PlatformFailure,
            format!("secret store cannot read {}: {error}", self.dir.display()),
        )
    }
}

/// Whether `name` is the name of a [`FileSecretStore`] temporary file: `.<key id>.<pid>.tmp`.
#[cfg(unix)]
fn is_temp_name(name: &str) -> bool {
    name.strip_prefix('.')
        .and_then(|rest| rest.strip_suffix(".tmp"))
        .and_then(|rest| rest.rsplit_once('.'))
        .is_some_and(|(key_id, pid)| {
            KeyId::parse(key_id).is_ok()
                && !pid.is_empty()
                && pid.len() <= 10
                && pid.bytes().all(|byte| byte.is_ascii_digit())
        })
}

/// Secrets in memory only, lost when dropped: for tests and ephemeral servers.
#[derive(Default)]
pub struct MemorySecretStore {
    secrets: Mutex<BTreeMap<KeyId, SecretBytes>>,
}

impl MemorySecretStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn secrets(&self) -> std::sync::MutexGuard<'_, BTreeMap<KeyId, SecretBytes>> {
        self.secrets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl fmt::Debug for MemorySecretStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemorySecretStore")
            .field("secrets", &self.secrets().len())
            .finish()
    }
}

impl SecretStore for MemorySecretStore {
    fn put(&self, key_id: &KeyId, secret: &SecretBytes) -> Result<(), DeviceKeyError> {
        let mut secrets = self.secrets();
        if secrets.contains_key(key_id) {
            return Err(DeviceKeyError::new(
                DomainErrorKind::PlatformFailure,
                format!("secret store already holds a secret for {key_id}"),
            ));
        }
        secrets.insert(key_id.clone(), secret.clone());
        Ok(())
    }

    fn get(&self, key_id: &KeyId) -> Result<Option<SecretBytes>, DeviceKeyError> {
        Ok(self.secrets().get(key_id).cloned())
    }

    fn delete(&self, key_id: &KeyId) -> Result<bool, DeviceKeyError> {
        Ok(self.secrets().remove(key_id).is_some())
    }

    fn list(&self) -> Result<Option<Vec<KeyId>>, DeviceKeyError> {
        Ok(Some(self.secrets().keys().cloned().collect()))
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use devicekey_protocol::types::DeviceKeyProtectionClass;
    use std::os::unix::fs::PermissionsExt as _;

    fn secret(bytes: &[u8]) -> SecretBytes {
        SecretBytes::new(Zeroizing::new(bytes.to_vec()))
    }

    #[test]
    fn file_store_writes_mode_0600_files_in_a_0700_directory() {
        let temp = tempfile::tempdir().unwrap();
        let store = FileSecretStore::open(temp.path().join("keys")).unwrap();
        let id = crate::crypto::generate_key_id(DeviceKeyProtectionClass::Software).unwrap();
        store.put(&id, &secret(b"top secret")).unwrap();
        let mode = fs::metadata(store.path_of(&id))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let dir_mode = fs::metadata(store.dir()).unwrap().permissions().mode();
        assert_eq!(dir_mode & 0o777, 0o700);
        assert_eq!(store.get(&id).unwrap().unwrap().expose(), b"top secret");
        // Only the secret file remains: no temporary file is left behind.
        let names: Vec<_> = fs::read_dir(store.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from(format!("{id}.key"))]);
    }

    #[test]
    fn file_store_never_overwrites_and_deletes_once() {
        let temp = tempfile::tempdir().unwrap();
        let store = FileSecretStore::open(temp.path()).unwrap();
        let id = crate::crypto::generate_key_id(DeviceKeyProtectionClass::Software).unwrap();
        store.put(&id, &secret(b"first")).unwrap();
        let error = store.put(&id, &secret(b"second")).unwrap_err();
        assert_eq!(error.kind(), Some(DomainErrorKind::PlatformFailure));
        assert_eq!(store.get(&id).unwrap().unwrap().expose(), b"first");
        assert!(store.delete(&id).unwrap());
        assert!(!store.delete(&id).unwrap());
        assert_eq!(store.get(&id).unwrap(), None);
    }

    #[test]
    fn memory_store_behaves_like_the_file_store() {
        let store = MemorySecretStore::new();
        let id = crate::crypto::generate_key_id(DeviceKeyProtectionClass::Software).unwrap();
        assert_eq!(store.get(&id).unwrap(), None);
        store.put(&id, &secret(b"s")).unwrap();
        assert!(store.put(&id, &secret(b"t")).is_err());
        assert_eq!(store.get(&id).unwrap().unwrap().expose(), b"s");
        assert!(store.delete(&id).unwrap());
        assert!(!store.delete(&id).unwrap());
    }

    #[test]
    fn secrets_never_print() {
        let bytes = secret(b"hunter2-hunter2");
        assert_eq!(format!("{bytes:?}"), "SecretBytes(<redacted 15 bytes>)");
        let store = MemorySecretStore::new();
        store
            .put(
                &crate::crypto::generate_key_id(DeviceKeyProtectionClass::Software).unwrap(),
                &bytes,
            )
            .unwrap();
        assert!(!format!("{store:?}").contains("hunter2"));
    }

    #[test]
    fn the_file_store_lists_its_keys_and_removes_only_its_own_temporary_files() {
        let temp = tempfile::tempdir().unwrap();
        let store = FileSecretStore::open(temp.path().join("keys")).unwrap();
        let id = crate::crypto::generate_key_id(DeviceKeyProtectionClass::Software).unwrap();
        store.put(&id, &secret(b"s")).unwrap();
        let leftover = store.temp_path_of(&id, 4242);
        fs::write(&leftover, b"partial").unwrap();
        let kept = [
            format!(".{id}.tmp"),
            format!(".{id}.42x.tmp"),
            format!("{id}.4242.tmp"),
            ".dk_swk_short.1.tmp".to_owned(),
            "notes".to_owned(),
        ];
        for name in &kept {
            fs::write(store.dir().join(name), b"x").unwrap();
        }
        let link = store.temp_path_of(&id, 7);
        std::os::unix::fs::symlink(store.path_of(&id), &link).unwrap();
        assert_eq!(store.list().unwrap(), Some(vec![id.clone()]));
        assert_eq!(store.remove_leftovers().unwrap(), 1);
        assert!(!leftover.exists());
        assert!(
            fs::symlink_metadata(&link).is_ok(),
            "a link is never removed"
        );
        for name in &kept {
            assert!(store.dir().join(name).exists(), "{name}");
        }
        assert_eq!(store.get(&id).unwrap().unwrap().expose(), b"s");
        assert!(is_temp_name(&format!(".{id}.1.tmp")));
        assert!(!is_temp_name(&format!(".{id}..tmp")));
    }
}
