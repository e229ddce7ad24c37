//! The attestation key's record in the key directory (`tpm/attestation-key`): the 32 random
//! bytes the AK template's `unique.x` takes, which make this state directory's AK its own, and
//! the AK's public area as the TPM first derived it, against which every later derivation is
//! checked (a TPM whose endorsement seed changed derives another key from the same template).
//!
//! The file is `DKTPMAK1`, the 32 bytes, a big-endian u16 length and that many bytes of
//! `TPMT_PUBLIC`; nothing else, at most [`MAX_RECORD_LEN`] bytes. It is written once, mode
//! 0600, through a temporary file (`.attestation-key.<pid>.tmp`) that is fsynced and then
//! linked into place only if no record exists (two processes making the first record at once
//! agree on one). It is read without following a symbolic link or blocking on a FIFO, and only
//! if it is a regular file owned by this process's user that its group and others cannot
//! write, like the state directory's other files. The name is not a key id's, so the start-up
//! reconciliation, which lists `<key id>.key` files and removes `.<key id>.<pid>.tmp` ones,
//! leaves it alone; the provider removes its own temporary files.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};

use devicekey_proof::DeviceKeyError;
use devicekey_protocol::types::DomainErrorKind;

use crate::private_fs::{check_entry, open_no_follow, set_mode, Kind, StateDirProblem};

/// The record's file name in the key directory.
pub(super) const AK_RECORD_FILE: &str = "attestation-key";
/// The format's first bytes (its version is the last one).
const MAGIC: &[u8; 8] = b"DKTPMAK1";
/// The longest AK public area a record holds (an ECC P-256 `TPMT_PUBLIC` is 88 bytes).
const MAX_PUBLIC_LEN: usize = 512;
/// The largest record file read.
pub(super) const MAX_RECORD_LEN: usize = MAGIC.len() + 32 + 2 + MAX_PUBLIC_LEN;

/// The attestation key of a state directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct AkRecord {
    /// The AK template's `unique.x`.
    pub(super) unique: [u8; 32],
    /// The AK's `TPMT_PUBLIC`, without a size field.
    pub(super) public: Vec<u8>,
}

impl AkRecord {
    /// The file's bytes.
    pub(super) fn encode(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(MAGIC.len() + 34 + self.public.len());
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&self.unique);
        // Never longer than MAX_PUBLIC_LEN: `decode` and the provider check it.
        bytes.extend_from_slice(&(self.public.len() as u16).to_be_bytes());
        bytes.extend_from_slice(&self.public);
        bytes
    }

    /// Reads the file's bytes: exactly the format, and a public area that `valid_public` takes.
    pub(super) fn decode(bytes: &[u8], valid_public: impl Fn(&[u8]) -> bool) -> Option<AkRecord> {
        let rest = bytes.strip_prefix(MAGIC.as_slice())?;
        let (unique, rest) = rest.split_first_chunk::<32>()?;
        let (length, public) = rest.split_first_chunk::<2>()?;
        let length = usize::from(u16::from_be_bytes(*length));
        if length != public.len() || length > MAX_PUBLIC_LEN || !valid_public(public) {
            return None;
        }
        Some(AkRecord {
            unique: *unique,
            public: public.to_vec(),
        })
    }
}

/// The record's path in `dir`.
pub(super) fn path_in(dir: &Path) -> PathBuf {
    dir.join(AK_RECORD_FILE)
}

/// Reads the record in `dir`: `None` when there is none. A file that is not to be trusted (a
/// symbolic link, not a regular file, another user's, writable by group or others, too large)
/// is `keyIntegrityFailure`; one that is not in the format is `platformFailure`.
pub(super) fn read(
    dir: &Path,
    valid_public: impl Fn(&[u8]) -> bool,
) -> Result<Option<AkRecord>, DeviceKeyError> {
    let path = path_in(dir);
    let untrusted = |reason: String| {
        DeviceKeyError::new(
            DomainErrorKind::KeyIntegrityFailure,
            format!(
                "the TPM attestation key record {} is not to be trusted: {reason}; refusing to \
                 use it",
                path.display()
            ),
        )
    };
    let file = match open_no_follow(&path, false, libc::O_NONBLOCK | libc::O_NOCTTY) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) if error.raw_os_error() == Some(libc::ELOOP) => {
            return Err(untrusted(
                "it is a symbolic link, which is not followed here".to_owned(),
            ))
        }
        Err(error) => return Err(io_error(&path, "read", &error)),
    };
    let metadata = file
        .metadata()
        .map_err(|error| io_error(&path, "read", &error))?;
    check_entry(&path, &metadata, Some(Kind::RegularFile))
        .map_err(|error| untrusted(problem_text(error.problem())))?;
    if metadata.len() > MAX_RECORD_LEN as u64 {
        return Err(untrusted(format!(
            "it holds {} bytes, more than the {MAX_RECORD_LEN} a record may hold",
            metadata.len()
        )));
    }
    let mut bytes = Vec::with_capacity(MAX_RECORD_LEN);
    file.take(MAX_RECORD_LEN as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| io_error(&path, "read", &error))?;
    if bytes.len() > MAX_RECORD_LEN {
        return Err(untrusted(format!(
            "it holds more than the {MAX_RECORD_LEN} bytes a record may hold"
        )));
    }
    AkRecord::decode(&bytes, valid_public)
        .map(Some)
        .ok_or_else(|| {
            DeviceKeyError::new(
                DomainErrorKind::PlatformFailure,
                format!(
                    "the TPM attestation key record {} is damaged (it is not in the record \
                     format); move it away to have a new attestation key made, which verifiers \
                     must then enroll again",
                    path.display()
                ),
            )
        })
}

/// Writes `record` as the record in `dir` unless one exists; the record in force afterwards
/// (`record`, or the one another process wrote first).
pub(super) fn write_new(
    dir: &Path,
    record: &AkRecord,
    valid_public: impl Fn(&[u8]) -> bool + Copy,
) -> Result<AkRecord, DeviceKeyError> {
    let path = path_in(dir);
    let temp = dir.join(format!(".{AK_RECORD_FILE}.{}.tmp", std::process::id()));
    let written = (|| {
        use std::os::unix::fs::OpenOptionsExt as _;
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&temp)?;
        set_mode(&file, 0o600)?;
        file.write_all(&record.encode())?;
        file.sync_all()?;
        drop(file);
        // Linked, not renamed: a record already there stays.
        match fs::hard_link(&temp, &path) {
            Ok(()) => {}
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
            // A file system without hard links: a rename, if nothing is there.
            Err(_) if fs::symlink_metadata(&path).is_err() => fs::rename(&temp, &path)?,
            Err(error) => return Err(error),
        }
        File::open(dir)?.sync_all()
    })();
    let _ = fs::remove_file(&temp);
    written.map_err(|error| io_error(&path, "write", &error))?;
    read(dir, valid_public)?.ok_or_else(|| {
        io_error(
            &path,
            "write",
            &io::Error::new(io::ErrorKind::NotFound, "it is gone after the write"),
        )
    })
}

/// Whether `name` is the name of a temporary file of [`write_new`]: `.attestation-key.<pid>.tmp`.
pub(super) fn is_temp_name(name: &str) -> bool {
    name.strip_prefix(".")
        .and_then(|rest| rest.strip_prefix(AK_RECORD_FILE))
        .and_then(|rest| rest.strip_prefix('.'))
        .and_then(|rest| rest.strip_suffix(".tmp"))
        .is_some_and(|pid| {
            !pid.is_empty() && pid.len() <= 10 && pid.bytes().all(|byte| byte.is_ascii_digit())
        })
}

/// Removes the temporary files of interrupted record writes in `dir` (regular files only); how
/// many.
pub(super) fn remove_leftovers(dir: &Path) -> Result<usize, DeviceKeyError> {
    let entries = fs::read_dir(dir).map_err(|error| io_error(dir, "list", &error))?;
    let mut removed = 0;
    for entry in entries.flatten() {
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        let is_file = entry.file_type().is_ok_and(|file_type| file_type.is_file());
        if is_file && is_temp_name(&name) && fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    Ok(removed)
}

/// Why the file checks refused the record, in words.
fn problem_text(problem: &StateDirProblem) -> String {
    match problem {
        StateDirProblem::Symlink { .. } => "it is a symbolic link".to_owned(),
        StateDirProblem::NotOwned { owner, user } => {
            format!("it is owned by uid {owner}, not by uid {user}, who runs the server")
        }
        StateDirProblem::Writable { mode } => {
            format!("its group or others may write to it (mode {mode:04o})")
        }
        StateDirProblem::WrongType { expected, found } => format!("it is {found}, not {expected}"),
        StateDirProblem::Io(error) => error.to_string(),
    }
}

fn io_error(path: &Path, action: &str, error: &io::Error) -> DeviceKeyError {
    DeviceKeyError::new(
        DomainErrorKind::PlatformFailure,
        format!(
            "could not {action} the TPM attestation key record {}: {error}",
            path.display()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    fn record() -> AkRecord {
        AkRecord {
            unique: [9; 32],
            public: vec![1, 2, 3, 4],
        }
    }

    #[test]
    fn records_round_trip_and_nothing_else_decodes() {
        let bytes = record().encode();
        assert_eq!(AkRecord::decode(&bytes, |_| true), Some(record()));
        assert_eq!(AkRecord::decode(&bytes, |_| false), None);
        for cut in 0..bytes.len() {
            assert_eq!(AkRecord::decode(&bytes[..cut], |_| true), None, "{cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(AkRecord::decode(&longer, |_| true), None);
        let mut other_version = bytes;
        other_version[7] = b'2';
        assert_eq!(AkRecord::decode(&other_version, |_| true), None);
    }

    #[test]
    fn a_record_is_written_once_privately_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(dir.path(), |_| true).unwrap(), None);
        assert_eq!(
            write_new(dir.path(), &record(), |_| true).unwrap(),
            record()
        );
        let mode = fs::metadata(path_in(dir.path()))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        // A second record does not replace the first.
        let other = AkRecord {
            unique: [1; 32],
            public: vec![5],
        };
        assert_eq!(write_new(dir.path(), &other, |_| true).unwrap(), record());
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, [AK_RECORD_FILE]);
    }

    #[test]
    fn only_the_writes_own_temporary_files_are_leftovers() {
        assert!(is_temp_name(".attestation-key.123.tmp"));
        for other in [
            "attestation-key",
            ".attestation-key..tmp",
            ".attestation-key.12a.tmp",
            ".attestation-key.12345678901.tmp",
            ".other.123.tmp",
        ] {
            assert!(!is_temp_name(other), "{other}");
        }
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(".attestation-key.77.tmp"), b"x").unwrap();
        fs::write(dir.path().join("attestation-key"), b"x").unwrap();
        assert_eq!(remove_leftovers(dir.path()).unwrap(), 1);
        assert!(dir.path().join("attestation-key").exists());
    }
}
