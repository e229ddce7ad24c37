//! `devicekey doctor`: checks what `devicekey serve` needs — the state directory, the binding
//! database, the provider and the keys — and prints one line per check, saying what is wrong and
//! how to fix it. Exits 1 when any check fails.
//!
//! It reads; the only things it may create are the software provider's `keys/` directory in an
//! existing state directory, and the files beside the database that opening it makes (SQLite's
//! `-wal` and `-shm`, the store's `-lock`). It never runs the start-up cleanup.

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use devicekey_proof::protocol::types::{
    DeviceKeyListParams, DeviceKeyProtectionClass, DomainErrorKind,
};
use devicekey_proof::{DeviceKeyError, KeyId};
use devicekey_runtime::provider::select::{self, ProviderChoice, ProviderConfig};
use devicekey_runtime::{BindingStore, KeyProvider, StateDir};

use crate::input::state_dir_or_default;
use crate::state::{has_database, open_existing};

/// Arguments of `devicekey doctor`.
#[derive(Debug, Args)]
pub(crate) struct DoctorArgs {
    /// The state directory to check. Default: `$XDG_DATA_HOME/devicekey`, else
    /// `~/.local/share/devicekey`.
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// The provider `devicekey serve` would use: `auto` (the platform's hardware), `software`,
    /// `tpm` or `macos`.
    #[arg(long, default_value_t = ProviderChoice::Auto, value_parser = parse_provider)]
    pub provider: ProviderChoice,
    /// The TPM's TCTI (TPM provider only). On a TCTI without a resource manager (`swtpm:`,
    /// `mssim:`, `device:/dev/tpm0`) connecting flushes the TPM's transient objects, which a
    /// server using the same TPM is relying on: check such a TPM while no server runs.
    #[arg(long, value_name = "TCTI", default_value = select::DEFAULT_TPM_TCTI)]
    pub tpm_tcti: String,
    /// How long one TPM operation may take (TPM provider only).
    #[arg(long, value_name = "SECONDS", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub tpm_timeout: u64,
    /// The keychain access group (macOS provider only).
    #[arg(long, value_name = "GROUP")]
    pub keychain_access_group: Option<String>,
}

fn parse_provider(text: &str) -> Result<ProviderChoice, String> {
    text.parse()
}

/// The verdict of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Ok,
    Warn,
    Fail,
}

/// The lines printed, and whether any failed.
struct Report<'a> {
    out: &'a mut dyn Write,
    failed: bool,
}

impl Report<'_> {
    fn line(&mut self, status: Status, subject: &str, text: &str) -> io::Result<()> {
        let label = match status {
            Status::Ok => "ok  ",
            Status::Warn => "warn",
            Status::Fail => {
                self.failed = true;
                "FAIL"
            }
        };
        writeln!(self.out, "{label} {subject}: {text}")
    }
}

/// At most this many keys are named one by one in each kind of problem.
const MAX_NAMED_KEYS: usize = 10;

/// Runs `devicekey doctor`.
pub(crate) fn run_doctor(args: &DoctorArgs, out: &mut dyn Write) -> io::Result<ExitCode> {
    let mut report = Report { out, failed: false };
    let dir = match state_dir_or_default(args.state_dir.as_deref()) {
        Ok(dir) => dir,
        Err(message) => {
            report.line(Status::Fail, "state directory", &message)?;
            return Ok(ExitCode::FAILURE);
        }
    };
    let state = check_state_dir(&dir, &mut report)?;
    let bindings = match &state {
        Some(state) => check_database(state, &mut report)?,
        None => None,
    };
    let provider = check_provider(args, &dir, state.is_some(), &mut report)?;
    if let (Some(bindings), Some(provider)) = (&bindings, &provider) {
        check_keys(&dir, bindings, provider, &mut report)?;
    }
    Ok(if report.failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn check_state_dir(dir: &Path, report: &mut Report<'_>) -> io::Result<Option<StateDir>> {
    let subject = format!("state directory {}", dir.display());
    if std::fs::symlink_metadata(dir).is_err() {
        report.line(
            Status::Ok,
            &subject,
            "not created yet; `devicekey serve` creates it (mode 0700)",
        )?;
        return Ok(None);
    }
    match open_existing(dir) {
        Ok(state) => {
            let mode = mode_of(dir);
            let owner = owner_text();
            if mode.is_some_and(|mode| mode & 0o077 != 0) {
                let mode = mode.unwrap_or_default();
                report.line(
                    Status::Warn,
                    &subject,
                    &format!(
                        "{owner}, mode {mode:04o}: nothing in it is a link, another user's or \
                         writable by others, but others may read the directory. Fix: `chmod 700 \
                         {}`",
                        dir.display()
                    ),
                )?;
            } else {
                let mode = mode.map_or_else(String::new, |mode| format!(", mode {mode:04o}"));
                report.line(
                    Status::Ok,
                    &subject,
                    &format!(
                        "{owner}{mode}; nothing in it is a link, another user's or writable by \
                         others"
                    ),
                )?;
            }
            Ok(Some(state))
        }
        // The message names the path, what is wrong and the fix.
        Err(message) => {
            report.line(Status::Fail, &subject, &message)?;
            Ok(None)
        }
    }
}

#[cfg(unix)]
fn mode_of(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::symlink_metadata(path)
        .ok()
        .map(|metadata| metadata.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn mode_of(_path: &Path) -> Option<u32> {
    None
}

#[cfg(unix)]
fn owner_text() -> String {
    format!("owned by you (uid {})", devicekey_runtime::current_uid())
}

#[cfg(not(unix))]
fn owner_text() -> String {
    "yours".to_owned()
}

fn check_database(state: &StateDir, report: &mut Report<'_>) -> io::Result<Option<BindingStore>> {
    let subject = format!("database {}", state.bindings_path().display());
    if !has_database(state) {
        report.line(
            Status::Ok,
            &subject,
            "none yet, and no keys; `devicekey serve` creates it",
        )?;
        return Ok(None);
    }
    let bindings = match state.open_bindings() {
        Ok(bindings) => bindings,
        Err(error) => {
            // The message names the file, what is wrong and what to do.
            report.line(Status::Fail, &subject, error.message())?;
            return Ok(None);
        }
    };
    let bound = bindings.list(&DeviceKeyListParams::default());
    let pending = bindings.pending_create_count();
    let in_use = if bindings.if_sole_user(|| ()).is_none() {
        "; open in another process (a running server)"
    } else {
        ""
    };
    match (bound, pending) {
        (Ok(bound), Ok(0)) => report.line(
            Status::Ok,
            &subject,
            &format!(
                "devicekey's own, readable; {}{in_use}",
                count(bound.len(), "key", "keys")
            ),
        )?,
        (Ok(bound), Ok(pending)) => report.line(
            Status::Warn,
            &subject,
            &format!(
                "{}{in_use}; {} never completed (a server stopped during a create, or one is \
                 under way): `devicekey serve` deletes their keys when it next starts alone",
                count(bound.len(), "key", "keys"),
                count(
                    usize::try_from(pending).unwrap_or(usize::MAX),
                    "create",
                    "creates"
                )
            ),
        )?,
        (Err(error), _) | (_, Err(error)) => {
            report.line(Status::Fail, &subject, error.message())?;
            return Ok(None);
        }
    }
    Ok(Some(bindings))
}

fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The provider `auto` stands for on this platform, if any.
fn platform_choice() -> Option<ProviderChoice> {
    if cfg!(target_os = "linux") {
        Some(ProviderChoice::Tpm)
    } else if cfg!(target_os = "macos") {
        Some(ProviderChoice::Macos)
    } else {
        None
    }
}

fn check_provider(
    args: &DoctorArgs,
    dir: &Path,
    state_exists: bool,
    report: &mut Report<'_>,
) -> io::Result<Option<Arc<dyn KeyProvider>>> {
    let choice = match args.provider {
        ProviderChoice::Auto => platform_choice(),
        choice => Some(choice),
    };
    let subject = match (args.provider, choice) {
        (ProviderChoice::Auto, Some(choice)) => format!("provider auto ({choice})"),
        (given, _) => format!("provider {given}"),
    };
    let Some(choice) = choice else {
        report.line(
            Status::Fail,
            &subject,
            "this platform has no hardware provider: `devicekey serve` would start, but every \
             create would fail with hardwareUnavailable. Fix: use --provider software for \
             development",
        )?;
        return Ok(None);
    };
    if choice == ProviderChoice::Software && !state_exists {
        report.line(
            Status::Ok,
            &subject,
            &format!(
                "available; keys are kept as 0600 files under {} (development only: they are \
                 not hardware-bound)",
                dir.join(devicekey_runtime::KEYS_DIR).display()
            ),
        )?;
        return Ok(None);
    }
    let config = ProviderConfig {
        tpm_tcti: args.tpm_tcti.clone(),
        tpm_operation_timeout: Duration::from_secs(args.tpm_timeout),
        keychain_access_group: args.keychain_access_group.clone(),
        ..ProviderConfig::new(dir)
    };
    match select::select(choice, &config) {
        Ok(providers) => {
            let Some(provider) = providers.providers().first().cloned() else {
                return Ok(None);
            };
            let text = match choice {
                ProviderChoice::Software => format!(
                    "keys are kept as 0600 files under {} (development only: they are not \
                     hardware-bound)",
                    dir.join(devicekey_runtime::KEYS_DIR).display()
                ),
                ProviderChoice::Tpm => format!("a TPM 2.0 answers at {}", args.tpm_tcti),
                _ => format!("the {} provider is available", provider.name()),
            };
            report.line(Status::Ok, &subject, &text)?;
            Ok(Some(provider))
        }
        Err(error) => {
            let consequence = if args.provider == ProviderChoice::Auto {
                " `devicekey serve` would start, but every create and sign would fail with \
                 hardwareUnavailable."
            } else {
                " `devicekey serve` would not start."
            };
            let fix = provider_fix(choice, &args.tpm_tcti);
            report.line(
                Status::Fail,
                &subject,
                &format!(
                    "{}.{consequence} Fix: {fix}",
                    error.message().trim_end_matches('.')
                ),
            )?;
            Ok(None)
        }
    }
}

/// How to fix a provider that does not open.
fn provider_fix(choice: ProviderChoice, tcti: &str) -> String {
    match choice {
        ProviderChoice::Tpm => {
            let device = tcti.strip_prefix("device:").map(|path| {
                if path.is_empty() {
                    "/dev/tpmrm0"
                } else {
                    path
                }
            });
            match device.map(|path| (path, std::fs::metadata(path))) {
                Some((path, Err(error))) if error.kind() == io::ErrorKind::NotFound => format!(
                    "{path} does not exist: this machine has no TPM 2.0 the kernel knows of \
                     (enable it in the firmware; the tpm_crb or tpm_tis module drives it), or \
                     give --tpm-tcti for another one; for development use --provider software"
                ),
                Some((path, Err(error))) if error.kind() == io::ErrorKind::PermissionDenied => {
                    format!(
                        "give your user access to {path}: `sudo usermod -aG tss $USER`, then \
                         log in again"
                    )
                }
                Some((path, Ok(_))) => format!(
                    "{path} exists: check that your user may open it (`ls -l {path}`; the \
                     `tss` group usually may) and that no other program holds it"
                ),
                _ => "check --tpm-tcti (for swtpm: `swtpm:host=127.0.0.1,port=2321`, with \
                      swtpm running), or use --provider software for development"
                    .to_owned(),
            }
        }
        ProviderChoice::Macos => {
            "on macOS, run a signed build with the keychain entitlements (docs/macos.md); \
             elsewhere use --provider tpm or software"
                .to_owned()
        }
        ProviderChoice::Software | ProviderChoice::Auto => {
            "make the state directory's keys/ a private directory of yours (`chmod 700`), or \
             move it away if it is not devicekey's"
                .to_owned()
        }
    }
}

/// Every binding of the provider's classes has its platform key, with the public key recorded
/// at create; every key the provider holds has a binding.
fn check_keys(
    dir: &Path,
    bindings: &BindingStore,
    provider: &Arc<dyn KeyProvider>,
    report: &mut Report<'_>,
) -> io::Result<()> {
    let classes = provider.protection_classes();
    let subject = format!("keys of the {} provider", provider.name());
    let bound = match bindings.list(&DeviceKeyListParams::default()) {
        Ok(bound) => bound,
        Err(error) => return report.line(Status::Fail, &subject, error.message()),
    };
    let mut others: BTreeSet<DeviceKeyProtectionClass> = BTreeSet::new();
    let mut checked = 0usize;
    let mut problems: Vec<(KeyId, String)> = Vec::new();
    let mut bound_ids: BTreeSet<String> = BTreeSet::new();
    for info in &bound {
        bound_ids.insert(info.key_id.to_string());
        if !classes.contains(&info.protection_class) {
            others.insert(info.protection_class);
            continue;
        }
        let Ok(key_id) = KeyId::try_from(&info.key_id) else {
            continue;
        };
        checked += 1;
        if let Some(problem) = check_key(bindings, provider, &key_id) {
            problems.push((key_id, problem));
        }
    }
    let delete = |key_id: &KeyId| {
        format!(
            "`devicekey keys delete {key_id} --state-dir {}` removes it",
            dir.display()
        )
    };
    for (key_id, problem) in problems.iter().take(MAX_NAMED_KEYS) {
        report.line(
            Status::Fail,
            &format!("key {key_id}"),
            &format!(
                "{problem}. Fix: if the key is not coming back, {}",
                delete(key_id)
            ),
        )?;
    }
    if problems.len() > MAX_NAMED_KEYS {
        report.line(
            Status::Fail,
            &subject,
            &format!(
                "{} more keys like those above",
                problems.len() - MAX_NAMED_KEYS
            ),
        )?;
    }
    let unbound: Vec<KeyId> = match provider.key_ids() {
        Ok(Some(listed)) => listed
            .into_iter()
            .filter(|key_id| !bound_ids.contains(key_id.as_str()))
            .collect(),
        Ok(None) => Vec::new(),
        Err(error) => {
            report.line(
                Status::Fail,
                &subject,
                &format!("cannot list them: {}", error.message()),
            )?;
            Vec::new()
        }
    };
    // A key left out of the list may have a damaged binding rather than none.
    let mut damaged = Vec::new();
    let mut without_binding = Vec::new();
    for key_id in unbound {
        match bindings.get_stored(&key_id) {
            Err(error) => damaged.push((key_id, error.message().to_owned())),
            Ok(Some(_)) => {}
            Ok(None) => without_binding.push(key_id),
        }
    }
    for (key_id, message) in damaged.iter().take(MAX_NAMED_KEYS) {
        report.line(
            Status::Fail,
            &format!("key {key_id}"),
            &format!(
                "{message}. Fix: restore bindings.sqlite3 from a backup, or {}",
                delete(key_id)
            ),
        )?;
    }
    if !without_binding.is_empty() {
        let names: Vec<&str> = without_binding
            .iter()
            .take(MAX_NAMED_KEYS)
            .map(KeyId::as_str)
            .collect();
        let more = if without_binding.len() > names.len() {
            format!(" and {} more", without_binding.len() - names.len())
        } else {
            String::new()
        };
        report.line(
            Status::Warn,
            &subject,
            &format!(
                "{} without a binding ({}{more}), left by an interrupted create or a create under \
                 way: `devicekey serve` deletes them when it next starts",
                count(without_binding.len(), "key", "keys"),
                names.join(" ")
            ),
        )?;
    }
    if problems.is_empty() && damaged.is_empty() {
        report.line(
            Status::Ok,
            &subject,
            &format!(
                "{} bound, each with its platform key and the public key recorded at create",
                count(checked, "key", "keys")
            ),
        )?;
    }
    if !others.is_empty() {
        let names: Vec<String> = others.iter().map(ToString::to_string).collect();
        report.line(
            Status::Warn,
            "keys of other classes",
            &format!(
                "bindings of class {} are not checked with this provider; run doctor with the \
                 --provider that holds them",
                names.join(", ")
            ),
        )?;
    }
    Ok(())
}

/// What is wrong with one bound key, if anything: its platform key is missing or lost, or is
/// not the key created under its id.
fn check_key(
    bindings: &BindingStore,
    provider: &Arc<dyn KeyProvider>,
    key_id: &KeyId,
) -> Option<String> {
    let recorded = match bindings.get_stored(key_id) {
        Ok(Some(stored)) => stored.public_key_spki_der,
        Ok(None) => return None,
        Err(error) => return Some(error.message().to_owned()),
    };
    match provider.public_key(key_id) {
        Ok(spki) => match recorded {
            Some(recorded) if recorded != spki => Some(
                "its platform key is not the one created under its id (keyIntegrityFailure): \
                 the key file or blob was replaced or copied from elsewhere; `devicekey serve` \
                 refuses to sign with it"
                    .to_owned(),
            ),
            _ => None,
        },
        Err(error) => Some(describe_key_error(&error)),
    }
}

fn describe_key_error(error: &DeviceKeyError) -> String {
    match error.kind() {
        Some(DomainErrorKind::KeyNotFound) => {
            "it has a binding, but its provider has no such key (keyNotFound): its key file or \
             blob is gone"
                .to_owned()
        }
        Some(DomainErrorKind::KeyLost) => format!(
            "its platform key can no longer be used (keyLost): {}",
            error.message()
        ),
        _ => format!(
            "its platform key cannot be read ({}): {}",
            error.kind_str(),
            error.message()
        ),
    }
}
