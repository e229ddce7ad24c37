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
    /// The further errors found together with this one: the protocol profile's lints are all
    /// reported at once, the first one here and every other one in this list, in document order;
    /// empty otherwise.
    pub others: Vec<Error>,
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
            others: Vec::new(),
        }
    }

    /// An error about `file` as a whole (I/O, encoding).
    pub(crate) fn file(file: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error {
            file: file.into(),
            pointer: None,
            reason: reason.into(),
            others: Vec::new(),
        }
    }

    /// One error listing every error of `errors` (the first one, the others in
    /// [`Error::others`]); `None` when there is none.
    pub(crate) fn all(mut errors: Vec<Error>) -> Option<Self> {
        if errors.is_empty() {
            return None;
        }
        let mut first = errors.remove(0);
        first.others.extend(errors);
        Some(first)
    }

    /// This error and every one of [`Error::others`], in order.
    pub fn each(&self) -> impl Iterator<Item = &Error> {
        std::iter::once(self).chain(self.others.iter())
    }
}

/// `file#pointer: reason`, or `file: reason` without a pointer.
fn located(f: &mut fmt::Formatter<'_>, error: &Error) -> fmt::Result {
    match &error.pointer {
        Some(pointer) => write!(f, "{}#{}: {}", error.file.display(), pointer, error.reason),
        None => write!(f, "{}: {}", error.file.display(), error.reason),
    }
}

/// One line per error: this one first, then each of [`Error::others`].
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        located(f, self)?;
        for other in &self.others {
            f.write_str("\n")?;
            located(f, other)?;
        }
        Ok(())
    }
}

/// Something the general profile accepted but the validators ignore: an annotation, a keyword it
/// does not know, a format it does not know (draft-07: such a format accepts every value).
/// Collected by [`crate::SchemaSet::warnings`]; the library prints nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The schema file.
    pub file: PathBuf,
    /// JSON pointer of the keyword inside `file`.
    pub pointer: String,
    /// The keyword (`examples`, `x-internal`, `format`...).
    pub keyword: String,
    /// What is ignored, in one sentence.
    pub reason: String,
}

/// `file#pointer: reason`.
impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}#{}: {}",
            self.file.display(),
            self.pointer,
            self.reason
        )
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
