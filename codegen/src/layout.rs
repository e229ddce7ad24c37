//! Where the generator reads and writes, relative to the repository root, and the command that
//! does it. A leaf: the loaders, the emitters and [`crate::sync`] all refer to it.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// The command that writes `generated/`, named in every generated file's header.
pub const COMMAND: &str = "cargo xtask write-schema";

/// The schema folder, relative to the repository root.
pub const SCHEMA_DIR: &str = "schema";

/// The method table's file name inside the schema folder: the one JSON file there that is not a
/// schema document.
pub(crate) const METHODS_FILE: &str = "methods.json";

/// Folders the generator owns, relative to the repository root: every file in them is generated,
/// except the paths of [`NOT_GENERATED`].
pub const GENERATED_DIRS: &[&str] = &["generated/rust", "generated/ts"];

/// Paths under [`GENERATED_DIRS`] that belong to tools rather than to the generator: npm's install
/// folder and the TypeScript build output. (The npm lock file is the workspace's, at the root.)
pub const NOT_GENERATED: &[&str] = &["generated/ts/node_modules", "generated/ts/dist"];

/// Every generated file: repository-relative path → contents.
pub type Files = BTreeMap<PathBuf, String>;

/// The command that writes a standalone crate and package (the generator's command line).
pub(crate) const STANDALONE_COMMAND: &str = "devicekey-codegen generate";
