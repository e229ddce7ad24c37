//! What the commands read: input files or stdin (bounded, never blocking on a FIFO or a device),
//! JSON inputs as the server prints them, and the default state directory.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use devicekey_proof::{parse_strict, Validated};
use devicekey_runtime::files::{read_regular_file, Symlinks};
use serde_json::Value;

/// The most an input file (or stdin) may hold: a signed payload is at most a few KiB (its fields
/// have maximum lengths), a public key or a signature a few hundred bytes.
pub(crate) const MAX_INPUT_LEN: u64 = 1024 * 1024;

/// The bytes of `path`, or of stdin when `path` is `-`, at most [`MAX_INPUT_LEN`]. A file must be
/// a regular file, opened without blocking: `/dev/zero`, a FIFO or a huge file fails at once
/// instead of hanging or filling memory.
pub(crate) fn read_file_or_stdin(what: &str, path: &Path) -> Result<Vec<u8>, String> {
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take(MAX_INPUT_LEN + 1)
            .read_to_end(&mut bytes)
            .map_err(|error| format!("cannot read the {what} from stdin: {error}"))?;
        if bytes.len() as u64 > MAX_INPUT_LEN {
            return Err(format!(
                "cannot read the {what} from stdin: more than the limit of {MAX_INPUT_LEN} bytes"
            ));
        }
        return Ok(bytes);
    }
    read_regular_file(path, MAX_INPUT_LEN, Symlinks::Follow)
        .map_err(|error| format!("cannot read the {what} from {}: {error}", path.display()))
}

/// Where an input came from, for messages.
pub(crate) fn source_name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "stdin".to_owned()
    } else {
        path.display().to_string()
    }
}

/// A JSON input: a method's result as `devicekey serve` answers it, either the result object
/// itself or the whole JSON-RPC answer line (`{"jsonrpc":"2.0","id":…,"result":{…}}`), whose
/// `result` is taken. An error answer is refused with its message.
pub(crate) fn read_result_json(what: &str, path: &Path) -> Result<Value, String> {
    let bytes = read_file_or_stdin(what, path)?;
    let value = parse_strict(&bytes)
        .map_err(|error| format!("the {what} in {} is not JSON: {error}", source_name(path)))?;
    let is_answer = value
        .as_object()
        .is_some_and(|object| object.contains_key("jsonrpc") || object.contains_key("id"));
    if !is_answer {
        return Ok(value);
    }
    if let Some(result) = value.get("result") {
        return Ok(result.clone());
    }
    match value.get("error") {
        Some(error) => Err(format!(
            "the {what} in {} is a JSON-RPC error answer, not a result: {}",
            source_name(path),
            error
                .get("message")
                .and_then(Value::as_str)
                .map_or_else(|| error.to_string(), str::to_owned)
        )),
        None => Err(format!(
            "the {what} in {} is a JSON-RPC message without a result",
            source_name(path)
        )),
    }
}

/// The default state directory: `$XDG_DATA_HOME/devicekey`, else `~/.local/share/devicekey`.
pub(crate) fn default_state_dir() -> Option<PathBuf> {
    let non_empty = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
    non_empty("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| non_empty("HOME").map(|home| PathBuf::from(home).join(".local/share")))
        .map(|data| data.join("devicekey"))
}

/// `--state-dir`, else the default.
pub(crate) fn state_dir_or_default(given: Option<&Path>) -> Result<PathBuf, String> {
    given
        .map(Path::to_owned)
        .or_else(default_state_dir)
        .ok_or_else(|| {
            "no state directory: give --state-dir, or set XDG_DATA_HOME or HOME".to_owned()
        })
}

/// A JSON input validated as `T` (its schema says what is wrong, by instance path).
pub(crate) fn read_validated<T>(what: &str, path: &Path) -> Result<T, String>
where
    T: devicekey_proof::protocol::Validate + serde::de::DeserializeOwned,
{
    let value = read_result_json(what, path)?;
    Validated::<T>::from_json(value)
        .map(Validated::into_inner)
        .map_err(|error| {
            let mut message = format!(
                "the {what} in {} is not a {}: {}",
                source_name(path),
                T::TYPE_NAME,
                error.message()
            );
            for violation in error.violations() {
                message.push_str(&format!(
                    "\n  {} ({}): {}",
                    display_path(&violation.instance_path),
                    violation.keyword,
                    violation.message
                ));
            }
            message
        })
}

/// An instance path for people: `/` for the root.
pub(crate) fn display_path(path: &str) -> &str {
    if path.is_empty() {
        "/"
    } else {
        path
    }
}
