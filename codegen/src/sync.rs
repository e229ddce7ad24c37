//! Bringing `generated/` in line with `schema/`, or checking that it is: the one place that reads
//! and writes generated files (the `xtask` only prints what this returns).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::layout::{Files, GENERATED_DIRS, NOT_GENERATED};

/// How one generated file differs from what the schemas give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// The file's content differs: a unified diff from the file on disk to the expected content.
    Changed {
        /// The file, relative to the repository root.
        path: PathBuf,
        /// A unified diff from the file on disk to the expected content.
        diff: String,
    },
    /// The file should exist and does not.
    Missing {
        /// The file, relative to the repository root.
        path: PathBuf,
    },
    /// A file in a generated folder that the schemas do not produce.
    Extra {
        /// The file, relative to the repository root.
        path: PathBuf,
    },
    /// The file could not be read.
    Unreadable {
        /// The file, relative to the repository root.
        path: PathBuf,
        /// The I/O error.
        error: String,
    },
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Difference::Changed { path, diff } => {
                write!(f, "{} is out of date:\n{diff}", path.display())
            }
            Difference::Missing { path } => write!(f, "{} is missing", path.display()),
            Difference::Extra { path } => write!(
                f,
                "{} is not produced by schema/ and must not be in a generated folder",
                path.display()
            ),
            Difference::Unreadable { path, error } => {
                write!(f, "{} cannot be read: {error}", path.display())
            }
        }
    }
}

/// Compares `files` with the generated folders under `root`, writing nothing.
pub fn check(root: &Path, files: &Files) -> std::io::Result<Vec<Difference>> {
    let mut differences = Vec::new();
    for (path, contents) in files {
        match std::fs::read(root.join(path)) {
            Ok(current) if current == contents.as_bytes() => {}
            Ok(current) => {
                let current = String::from_utf8_lossy(&current);
                let shown = path.display().to_string();
                let diff = similar::TextDiff::from_lines(current.as_ref(), contents.as_str())
                    .unified_diff()
                    .context_radius(3)
                    .header(&format!("a/{shown}"), &format!("b/{shown}"))
                    .to_string();
                differences.push(Difference::Changed {
                    path: path.clone(),
                    diff,
                });
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                differences.push(Difference::Missing { path: path.clone() })
            }
            Err(error) => differences.push(Difference::Unreadable {
                path: path.clone(),
                error: error.to_string(),
            }),
        }
    }
    for path in existing_files(root)? {
        if !files.contains_key(&path) {
            differences.push(Difference::Extra { path });
        }
    }
    Ok(differences)
}

/// What [`write()`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Written {
    /// Files created or rewritten.
    pub written: Vec<PathBuf>,
    /// Extra files removed.
    pub removed: Vec<PathBuf>,
}

/// Writes every file whose content differs and removes extra files from the generated folders.
pub fn write(root: &Path, files: &Files) -> std::io::Result<Written> {
    let mut done = Written::default();
    for (path, contents) in files {
        let full = root.join(path);
        if std::fs::read(&full).is_ok_and(|current| current == contents.as_bytes()) {
            continue;
        }
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&full, contents)?;
        done.written.push(path.clone());
    }
    for path in existing_files(root)? {
        if !files.contains_key(&path) {
            std::fs::remove_file(root.join(&path))?;
            done.removed.push(path);
        }
    }
    Ok(done)
}

/// Every file under the generated folders, minus the tool-owned paths.
fn existing_files(root: &Path) -> std::io::Result<BTreeSet<PathBuf>> {
    let mut out = BTreeSet::new();
    for dir in GENERATED_DIRS {
        walk(root, Path::new(dir), &mut out)?;
    }
    Ok(out)
}

fn walk(root: &Path, relative: &Path, out: &mut BTreeSet<PathBuf>) -> std::io::Result<()> {
    if NOT_GENERATED.iter().any(|skip| relative == Path::new(skip)) {
        return Ok(());
    }
    let metadata = match std::fs::symlink_metadata(root.join(relative)) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(error),
    };
    if metadata.is_dir() {
        let mut entries: Vec<_> =
            std::fs::read_dir(root.join(relative))?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            walk(root, &relative.join(entry.file_name()), out)?;
        }
    } else {
        out.insert(relative.to_path_buf());
    }
    Ok(())
}
