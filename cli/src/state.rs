//! A state directory opened by a tool (`keys`, `doctor`) rather than by `serve`: with the same
//! checks (`devicekey_runtime::StateDir::open`), but without creating anything that is not
//! there. A missing state directory is an error, and a missing database in a state directory
//! without keys is no database (not a new empty one).

use std::path::{Path, PathBuf};

use devicekey_runtime::{BindingStore, StateDir};

/// Opens the existing state directory `dir`, checked as `serve` checks it.
pub(crate) fn open_existing(dir: &Path) -> Result<StateDir, String> {
    if std::fs::symlink_metadata(dir).is_err() {
        return Err(format!(
            "there is no state directory at {}. Fix: give the --state-dir `devicekey serve` uses \
             (default $XDG_DATA_HOME/devicekey, else ~/.local/share/devicekey)",
            dir.display()
        ));
    }
    StateDir::open(dir).map_err(|error| error.to_string())
}

/// Whether the state directory has a binding database to open: `bindings.sqlite3` with
/// content, or (so that the open refuses, naming the lost bindings) keys or a `-wal` beside a
/// missing or empty one.
pub(crate) fn has_database(state: &StateDir) -> bool {
    let has_content = |path: PathBuf| {
        std::fs::symlink_metadata(path)
            .is_ok_and(|metadata| !metadata.is_file() || metadata.len() > 0)
    };
    let has_entries =
        |path: PathBuf| std::fs::read_dir(path).is_ok_and(|mut entries| entries.next().is_some());
    let wal = {
        let mut name = state.bindings_path().into_os_string();
        name.push("-wal");
        PathBuf::from(name)
    };
    has_content(state.bindings_path())
        || has_content(wal)
        || has_entries(state.keys_dir())
        || has_entries(state.tpm_dir())
}

/// The binding store of the state directory, if it has one ([`has_database`]); opening it runs
/// every check `serve` runs (a foreign, newer or damaged database, lost bindings).
pub(crate) fn open_bindings(state: &StateDir) -> Result<Option<BindingStore>, String> {
    if !has_database(state) {
        return Ok(None);
    }
    state
        .open_bindings()
        .map(Some)
        .map_err(|error| error.message().to_owned())
}
