//! Reading files that someone else may have put in the way: a key file, a TPM blob, or an input
//! of `devicekey verify`. A read here never hangs and never exhausts memory: the file is opened
//! non-blocking (a FIFO with no writer opens at once), checked on the opened descriptor to be a
//! regular file (never a FIFO, a device such as `/dev/zero`, a socket or a directory), and read
//! only up to a size bound. Key files are also opened without following a symbolic link.

use std::fmt;
use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Read as _};
use std::path::Path;

/// The most a key file (a software key's PKCS#8, a TPM key blob) may hold. Both are a few
/// hundred bytes; anything larger is not a key file this program wrote.
pub const MAX_KEY_FILE_LEN: u64 = 64 * 1024;

/// Whether a symbolic link at the path's last component is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Symlinks {
    /// Follow it (an input named on a command line).
    Follow,
    /// Refuse it (`O_NOFOLLOW`): files in the state directory.
    Refuse,
}

/// Why a file could not be read.
#[derive(Debug)]
pub enum ReadFileError {
    /// Nothing exists at the path.
    NotFound,
    /// The path is a symbolic link, and links are not followed here.
    Symlink,
    /// The path is not a regular file; what it is instead (`a FIFO`, `a character device`, ...).
    NotRegular(&'static str),
    /// The file holds more than the bound.
    TooLarge {
        /// Its size (at least; it may still be growing).
        len: u64,
        /// The bound.
        max: u64,
    },
    /// Opening or reading it failed.
    Io(io::Error),
}

impl fmt::Display for ReadFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadFileError::NotFound => f.write_str("no such file"),
            ReadFileError::Symlink => {
                f.write_str("it is a symbolic link, which is not followed here")
            }
            ReadFileError::NotRegular(what) => write!(f, "it is {what}, not a regular file"),
            ReadFileError::TooLarge { len, max } => {
                write!(f, "it holds {len} bytes, more than the limit of {max}")
            }
            ReadFileError::Io(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for ReadFileError {}

/// Reads the regular file at `path`, of at most `max_len` bytes, without blocking on a FIFO or
/// a device; a symbolic link is followed or refused as `symlinks` says.
pub fn read_regular_file(
    path: &Path,
    max_len: u64,
    symlinks: Symlinks,
) -> Result<Vec<u8>, ReadFileError> {
    let file = open_for_reading(path, symlinks)?;
    let metadata = file.metadata().map_err(ReadFileError::Io)?;
    if !metadata.is_file() {
        return Err(ReadFileError::NotRegular(file_type_name(&metadata)));
    }
    if metadata.len() > max_len {
        return Err(ReadFileError::TooLarge {
            len: metadata.len(),
            max: max_len,
        });
    }
    // The size was read before the bytes: a file that grows meanwhile is still cut at the bound.
    let capacity = usize::try_from(metadata.len())
        .unwrap_or(0)
        .saturating_add(1);
    let mut bytes = Vec::with_capacity(capacity);
    file.take(max_len.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadFileError::Io)?;
    if bytes.len() as u64 > max_len {
        return Err(ReadFileError::TooLarge {
            len: bytes.len() as u64,
            max: max_len,
        });
    }
    Ok(bytes)
}

#[cfg(unix)]
fn open_for_reading(path: &Path, symlinks: Symlinks) -> Result<File, ReadFileError> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut flags = libc::O_NONBLOCK | libc::O_NOCTTY;
    if symlinks == Symlinks::Refuse {
        flags |= libc::O_NOFOLLOW;
    }
    OpenOptions::new()
        .read(true)
        .custom_flags(flags)
        .open(path)
        .map_err(|error| open_error(error, symlinks))
}

#[cfg(not(unix))]
fn open_for_reading(path: &Path, symlinks: Symlinks) -> Result<File, ReadFileError> {
    if symlinks == Symlinks::Refuse
        && std::fs::symlink_metadata(path).is_ok_and(|metadata| metadata.file_type().is_symlink())
    {
        return Err(ReadFileError::Symlink);
    }
    OpenOptions::new()
        .read(true)
        .open(path)
        .map_err(|error| open_error(error, symlinks))
}

fn open_error(error: io::Error, symlinks: Symlinks) -> ReadFileError {
    if error.kind() == io::ErrorKind::NotFound {
        return ReadFileError::NotFound;
    }
    #[cfg(unix)]
    if symlinks == Symlinks::Refuse && error.raw_os_error() == Some(libc::ELOOP) {
        return ReadFileError::Symlink;
    }
    let _ = symlinks;
    ReadFileError::Io(error)
}

/// What a file that is not a regular file is, for messages.
pub(crate) fn file_type_name(metadata: &Metadata) -> &'static str {
    let file_type = metadata.file_type();
    if file_type.is_dir() {
        return "a directory";
    }
    if file_type.is_symlink() {
        return "a symbolic link";
    }
    if file_type.is_file() {
        return "a regular file";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    "a special file"
}
