//! The checks and the creation behind [`crate::StateDir`], for every file the runtime keeps in
//! its state directory: an entry is refused when it is a symbolic link, is not owned by the
//! user running this process, or is writable by group or others (OpenSSH's `StrictModes`);
//! what is created here is private whatever the umask (directories 0700, files 0600), and
//! opened without following a symbolic link or blocking on a FIFO.

use std::fmt;
use std::fs::{self, File, Metadata, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use devicekey_proof::DeviceKeyError;
use devicekey_protocol::types::DomainErrorKind;

use crate::files::file_type_name;

/// The binding database's file name in the state directory; SQLite adds `-wal` and `-shm`.
pub const BINDINGS_FILE: &str = "bindings.sqlite3";
/// The software provider's key directory in the state directory.
pub const KEYS_DIR: &str = "keys";
/// The TPM provider's key blob directory in the state directory.
pub const TPM_DIR: &str = "tpm";

/// The kind of file an entry must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A directory.
    Directory,
    /// A regular file.
    RegularFile,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Directory => "a directory",
            Kind::RegularFile => "a regular file",
        }
    }

    fn matches(self, metadata: &Metadata) -> bool {
        match self {
            Kind::Directory => metadata.is_dir(),
            Kind::RegularFile => metadata.is_file(),
        }
    }
}

pub(crate) fn lstat(path: &Path) -> Result<Metadata, StateDirError> {
    fs::symlink_metadata(path).map_err(|error| StateDirError::io(path, error))
}

/// The one check of every entry: not a link, of the expected kind, ours, not group/world
/// writable.
pub(crate) fn check_entry(
    path: &Path,
    metadata: &Metadata,
    expected: Option<Kind>,
) -> Result<(), StateDirError> {
    if metadata.file_type().is_symlink() {
        return Err(StateDirError::new(
            path,
            StateDirProblem::Symlink {
                target: fs::read_link(path).ok(),
            },
        ));
    }
    if let Some(kind) = expected {
        if !kind.matches(metadata) {
            return Err(StateDirError::new(
                path,
                StateDirProblem::WrongType {
                    expected: kind.name(),
                    found: file_type_name(metadata),
                },
            ));
        }
    }
    check_owner_and_mode(path, metadata)
}

#[cfg(unix)]
fn check_owner_and_mode(path: &Path, metadata: &Metadata) -> Result<(), StateDirError> {
    use std::os::unix::fs::MetadataExt as _;
    let user = current_uid();
    if metadata.uid() != user {
        return Err(StateDirError::new(
            path,
            StateDirProblem::NotOwned {
                owner: metadata.uid(),
                user,
            },
        ));
    }
    let mode = metadata.mode() & 0o7777;
    if mode & 0o022 != 0 {
        return Err(StateDirError::new(path, StateDirProblem::Writable { mode }));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_owner_and_mode(_path: &Path, _metadata: &Metadata) -> Result<(), StateDirError> {
    Ok(())
}

/// The effective user id of this process: the owner of what it creates.
#[cfg(unix)]
pub fn current_uid() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// Creates the directory `path` with mode 0700 (and any missing parents, also 0700), whatever
/// the umask; an existing one must pass the check of one entry (not a link, a directory, ours,
/// not group/world writable).
pub(crate) fn create_private_dir(path: &Path) -> Result<(), StateDirError> {
    // Missing parents first, outermost first, each exactly 0700 (a umask such as 0277 would
    // leave a parent the next mkdir cannot write into).
    let missing: Vec<&Path> = path
        .ancestors()
        .skip(1)
        .filter(|ancestor| !ancestor.as_os_str().is_empty())
        .take_while(|ancestor| fs::symlink_metadata(ancestor).is_err())
        .collect();
    for ancestor in missing.into_iter().rev() {
        match make_dir_0700(ancestor) {
            Ok(()) => {}
            // Made meanwhile by someone else: the next mkdir (or the check) says if it matters.
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
            Err(error) => return Err(StateDirError::io(ancestor, error)),
        }
    }
    match make_dir_0700(path) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
            let metadata = lstat(path)?;
            check_entry(path, &metadata, Some(Kind::Directory))
        }
        Err(error) => Err(StateDirError::io(path, error)),
    }
}

/// `mkdir path` (never through a symbolic link at `path`: mkdir does not follow one), then
/// exactly mode 0700 whatever the umask took away.
fn make_dir_0700(path: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(path)?;
    #[cfg(unix)]
    open_no_follow(path, false, libc::O_DIRECTORY).and_then(|dir| set_mode(&dir, 0o700))?;
    Ok(())
}

/// Opens (creating it with mode 0600 if missing) the file `path` for reading and writing,
/// without following a symbolic link or blocking on a FIFO, and checks the opened file: a
/// regular file, ours, not group/world writable. A file more open than 0600 is narrowed to 0600.
pub(crate) fn open_private_file(path: &Path) -> Result<File, StateDirError> {
    #[cfg(unix)]
    let flags = libc::O_NONBLOCK | libc::O_NOCTTY;
    #[cfg(not(unix))]
    let flags = 0;
    let file = open_no_follow(path, true, flags).map_err(|error| {
        #[cfg(unix)]
        if error.raw_os_error() == Some(libc::ELOOP) {
            return StateDirError::new(
                path,
                StateDirProblem::Symlink {
                    target: fs::read_link(path).ok(),
                },
            );
        }
        StateDirError::io(path, error)
    })?;
    let metadata = file
        .metadata()
        .map_err(|error| StateDirError::io(path, error))?;
    if !metadata.is_file() {
        return Err(StateDirError::new(
            path,
            StateDirProblem::WrongType {
                expected: Kind::RegularFile.name(),
                found: file_type_name(&metadata),
            },
        ));
    }
    check_owner_and_mode(path, &metadata)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        if metadata.mode() & 0o7777 != 0o600 {
            set_mode(&file, 0o600).map_err(|error| StateDirError::io(path, error))?;
        }
    }
    Ok(file)
}

/// Opens `path` without following a symbolic link at its last component; `create` creates a
/// missing file (read-write, mode 0600 before the umask), else it opens read-only.
#[cfg(unix)]
pub(crate) fn open_no_follow(path: &Path, create: bool, flags: i32) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut options = OpenOptions::new();
    options.read(true);
    if create {
        options.write(true).create(true).mode(0o600);
    }
    options.custom_flags(libc::O_NOFOLLOW | flags).open(path)
}

#[cfg(not(unix))]
pub(crate) fn open_no_follow(path: &Path, create: bool, _flags: i32) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    if create {
        options.write(true).create(true);
    }
    options.open(path)
}

/// Sets the mode of an open file (`fchmod`: no path, so no link to follow, and no umask).
#[cfg(unix)]
pub(crate) fn set_mode(file: &File, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    file.set_permissions(fs::Permissions::from_mode(mode))
}

/// A state directory (or something in it) this program refuses, and how to fix it.
#[derive(Debug)]
pub struct StateDirError {
    path: PathBuf,
    problem: StateDirProblem,
}

/// What is wrong with a path in the state directory.
#[derive(Debug)]
#[non_exhaustive]
pub enum StateDirProblem {
    /// It is a symbolic link (to `target`).
    Symlink {
        /// Where it points, if it could be read.
        target: Option<PathBuf>,
    },
    /// It is owned by `owner`, not by `user`, who runs this process.
    NotOwned {
        /// Its owner's uid.
        owner: u32,
        /// This process's effective uid.
        user: u32,
    },
    /// Its group or others may write to it.
    Writable {
        /// Its mode bits.
        mode: u32,
    },
    /// It is not the kind of file it must be.
    WrongType {
        /// What it must be.
        expected: &'static str,
        /// What it is.
        found: &'static str,
    },
    /// It could not be examined or created.
    Io(io::Error),
}

impl StateDirError {
    pub(crate) fn new(path: &Path, problem: StateDirProblem) -> Self {
        StateDirError {
            path: path.to_owned(),
            problem,
        }
    }

    pub(crate) fn io(path: &Path, error: io::Error) -> Self {
        Self::new(path, StateDirProblem::Io(error))
    }

    /// The path refused.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What is wrong with it.
    pub fn problem(&self) -> &StateDirProblem {
        &self.problem
    }
}

impl fmt::Display for StateDirError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        match &self.problem {
            StateDirProblem::Symlink { target } => {
                write!(f, "refusing the state directory: {path} is a symbolic link")?;
                if let Some(target) = target {
                    write!(f, " to {}", target.display())?;
                }
                write!(
                    f,
                    "; no link is followed in the state directory, where one could point the \
                     server at another key or database. Fix: replace the link with the real \
                     directory or file (or use the directory it points to as the state directory)"
                )
            }
            StateDirProblem::NotOwned { owner, user } => write!(
                f,
                "refusing the state directory: {path} is owned by uid {owner}, not by uid {user} \
                 that runs the server, so someone else may have put it there or may change it. \
                 Fix: if you trust its contents, `chown {user} {path}`; otherwise remove it (the \
                 server creates what it needs)"
            ),
            StateDirProblem::Writable { mode } => write!(
                f,
                "refusing the state directory: {path} is writable by its group or others (mode \
                 {mode:04o}), who could replace keys or bindings. Fix: `chmod go-w {path}` (the \
                 server creates directories 0700 and files 0600), after checking that nobody \
                 changed what is in it"
            ),
            StateDirProblem::WrongType { expected, found } => write!(
                f,
                "refusing the state directory: {path} is {found}, not {expected}. Fix: move it \
                 out of the state directory"
            ),
            StateDirProblem::Io(error) => write!(
                f,
                "cannot check the state directory: {path}: {error}. Fix: make it readable by \
                 the user that runs the server, or choose another state directory"
            ),
        }
    }
}

impl std::error::Error for StateDirError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.problem {
            StateDirProblem::Io(error) => Some(error),
            _ => None,
        }
    }
}

impl From<StateDirError> for DeviceKeyError {
    fn from(error: StateDirError) -> Self {
        DeviceKeyError::new(DomainErrorKind::PlatformFailure, error.to_string())
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    fn mode(path: &Path) -> u32 {
        fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn private_files_are_0600_and_links_are_refused() {
        let temp = tempfile::tempdir().unwrap();
        let file = temp.path().join("f");
        drop(open_private_file(&file).unwrap());
        assert_eq!(mode(&file), 0o600);
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
        drop(open_private_file(&file).unwrap());
        assert_eq!(mode(&file), 0o600, "narrowed");
        let link = temp.path().join("link");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        let error = open_private_file(&link).unwrap_err();
        assert!(
            matches!(error.problem(), StateDirProblem::Symlink { .. }),
            "{error}"
        );
        fs::set_permissions(&file, fs::Permissions::from_mode(0o666)).unwrap();
        let error = open_private_file(&file).unwrap_err();
        assert!(
            matches!(error.problem(), StateDirProblem::Writable { mode: 0o666 }),
            "{error}"
        );
    }
}
