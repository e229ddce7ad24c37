//! Writing the command line's output folder safely: into a new or empty folder, or over a folder
//! a previous run wrote (it lists its files in a marker file). Files the generator did not write
//! are never replaced or removed, and nothing is written or removed through a symbolic link or
//! outside the folder.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use serde_json::{json, Value};

use crate::layout::Files;

/// The marker file in the output folder: the files the generator wrote there.
pub(crate) const MARKER: &str = ".devicekey-codegen.json";

/// What [`write`] did.
#[derive(Debug, Default)]
pub(crate) struct Written {
    /// Files created or rewritten (unchanged files are left alone).
    pub(crate) written: usize,
    /// Files of a previous run that this one does not produce, removed.
    pub(crate) removed: usize,
}

/// Writes `files` (paths relative to `out`) into `out`, refusing a folder that holds files the
/// generator did not write. The error is one line.
pub(crate) fn write(out: &Path, files: &Files) -> Result<Written, String> {
    let shown = out.display();
    let previous = match std::fs::metadata(out) {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(out)
                .map_err(|e| format!("cannot create the output folder `{shown}`: {e}"))?;
            BTreeSet::new()
        }
        Err(error) => return Err(format!("cannot read the output folder `{shown}`: {error}")),
        Ok(metadata) if !metadata.is_dir() => {
            return Err(format!("the output `{shown}` exists and is not a folder"))
        }
        Ok(_) => previous_files(out)?,
    };
    let new: BTreeSet<PathBuf> = files.keys().cloned().collect();
    for path in &new {
        check_inside(out, path)?;
    }
    let stale: Vec<&PathBuf> = previous.difference(&new).collect();

    // The marker lists every file this run may leave behind before any is written, so that an
    // interrupted run can be repeated.
    let all: BTreeSet<PathBuf> = previous.union(&new).cloned().collect();
    write_marker(out, &all)?;
    let mut done = Written::default();
    for (path, contents) in files {
        let full = out.join(path);
        if std::fs::read(&full).is_ok_and(|current| current == contents.as_bytes()) {
            continue;
        }
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
        }
        std::fs::write(&full, contents)
            .map_err(|e| format!("cannot write `{}`: {e}", full.display()))?;
        done.written += 1;
    }
    for path in stale {
        check_inside(out, path)?;
        let full = out.join(path);
        match std::fs::symlink_metadata(&full) {
            Ok(metadata) if metadata.is_dir() => continue,
            Ok(_) => {
                std::fs::remove_file(&full)
                    .map_err(|e| format!("cannot remove `{}`: {e}", full.display()))?;
                done.removed += 1;
                // Folders the removal emptied go too; `remove_dir` fails on any other.
                let mut parent = path.parent();
                while let Some(folder) = parent.filter(|p| !p.as_os_str().is_empty()) {
                    if std::fs::remove_dir(out.join(folder)).is_err() {
                        break;
                    }
                    parent = folder.parent();
                }
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(format!("cannot read `{}`: {error}", full.display())),
        }
    }
    write_marker(out, &new)?;
    Ok(done)
}

/// The files a previous run wrote into the existing folder `out`: empty for an empty folder; an
/// error for a folder that has files and no marker, or a marker this generator did not write.
fn previous_files(out: &Path) -> Result<BTreeSet<PathBuf>, String> {
    let shown = out.display();
    let marker = out.join(MARKER);
    let text = match std::fs::read_to_string(&marker) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let mut entries = std::fs::read_dir(out)
                .map_err(|e| format!("cannot read the output folder `{shown}`: {e}"))?;
            return match entries.next() {
                None => Ok(BTreeSet::new()),
                Some(entry) => {
                    let name = entry
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .unwrap_or_default();
                    Err(format!("the output folder `{shown}` holds files the generator did not write (`{name}`, and no {MARKER}): give a new or empty folder"))
                }
            };
        }
        Err(error) => return Err(format!("cannot read `{}`: {error}", marker.display())),
    };
    let refused = || {
        format!(
            "`{}` is not a marker the generator wrote: remove the output folder or give another",
            marker.display()
        )
    };
    let value: Value = serde_json::from_str(&text).map_err(|_| refused())?;
    let mut files = BTreeSet::new();
    for entry in value
        .get("files")
        .and_then(Value::as_array)
        .ok_or_else(refused)?
    {
        let path = entry.as_str().map(PathBuf::from).ok_or_else(refused)?;
        if !is_plain_relative(&path) {
            return Err(refused());
        }
        files.insert(path);
    }
    Ok(files)
}

/// Whether `path` is relative and made only of names (no `..`, `.`, root or prefix).
fn is_plain_relative(path: &Path) -> bool {
    path.components().count() > 0 && path.components().all(|c| matches!(c, Component::Normal(_)))
}

/// Refuses to write `path` (relative to `out`) through a symbolic link: none of the folders
/// between `out` and the file, nor the file itself, may be one.
fn check_inside(out: &Path, path: &Path) -> Result<(), String> {
    if !is_plain_relative(path) {
        return Err(format!(
            "`{}` is not a path inside the output folder",
            path.display()
        ));
    }
    let mut at = out.to_path_buf();
    for component in path.components() {
        at.push(component);
        match std::fs::symlink_metadata(&at) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                return Err(format!(
                    "`{}` is a symbolic link: the generator writes only inside the output folder",
                    at.display()
                ))
            }
            Ok(_) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(error) => return Err(format!("cannot read `{}`: {error}", at.display())),
        }
    }
    Ok(())
}

fn write_marker(out: &Path, files: &BTreeSet<PathBuf>) -> Result<(), String> {
    let list: Vec<String> = files
        .iter()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect();
    let marker = json!({
        "//": "Written by `devicekey-codegen generate`: the files it wrote into this folder, which a later run may replace or remove. It leaves every other file alone.",
        "files": list,
    });
    let text = serde_json::to_string_pretty(&marker).unwrap_or_default() + "\n";
    let path = out.join(MARKER);
    check_inside(out, Path::new(MARKER))?;
    std::fs::write(&path, text).map_err(|e| format!("cannot write `{}`: {e}", path.display()))
}
