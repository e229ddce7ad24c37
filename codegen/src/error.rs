//! The generator's one error type: every failure names a file and, where it has one, a JSON pointer.

use std::fmt;
use std::path::PathBuf;

/// A located generator error: `schema/Foo.json#/properties/bar: reason`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The file the error is about (a schema file, the method table, or a generated file).
    pub file: PathBuf,
    /// JSON pointer inside `file` (`""` is the whole document); `None` when the error is not about a
    /// place in a JSON document (for example a file that cannot be read).
    pub pointer: Option<String>,
    /// What is wrong, in one sentence.
    pub reason: String,
}

impl Error {
    /// An error at `pointer` inside `file`.
    pub(crate) fn at(
        file: impl Into<PathBuf>,
        pointer: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Error {
            file: file.into(),
            pointer: Some(pointer.into()),
            reason: reason.into(),
        }
    }

    /// An error about `file` as a whole (I/O, encoding).
    pub(crate) fn file(file: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error {
            file: file.into(),
            pointer: None,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.pointer {
            Some(pointer) => write!(f, "{}#{}: {}", self.file.display(), pointer, self.reason),
            None => write!(f, "{}: {}", self.file.display(), self.reason),
        }
    }
}

impl std::error::Error for Error {}

/// The generator's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Appends one reference token to a JSON pointer, escaping `~` and `/` as RFC 6901 says.
pub(crate) fn pointer_push(pointer: &str, token: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + token.len() + 1);
    out.push_str(pointer);
    out.push('/');
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}
