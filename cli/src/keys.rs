//! `devicekey keys list|delete`: the keys of a state directory, without a running server.
//!
//! Both open the state directory with `serve`'s checks and never create it or a database. They
//! may run beside a server on the same directory: SQLite (WAL) serializes the writes, and
//! `delete` is the server's own `device/key/delete` (`DeviceKeyStore::delete_blocking`: the
//! platform key, then the binding). Its store cleans up after an interrupted run first, as
//! `serve` does at start-up, only when no server has the database open.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand};
use serde_json::json;

use devicekey_proof::protocol::types::{
    DeviceKeyDeleteParams, DeviceKeyInfo, DeviceKeyListParams, DeviceKeyListResponse,
    DeviceKeyProtectionClass,
};
use devicekey_proof::{KeyId, Validated};
use devicekey_runtime::provider::select::{self, ProviderChoice, ProviderConfig};
use devicekey_runtime::DeviceKeyStore;

use crate::input::state_dir_or_default;
use crate::state::{open_bindings, open_existing};

/// Arguments of `devicekey keys`.
#[derive(Debug, Args)]
pub(crate) struct KeysArgs {
    /// What to do with the keys.
    #[command(subcommand)]
    pub command: KeysCommand,
}

/// The `keys` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum KeysCommand {
    /// List the bound keys, oldest first: key id, protection class, account user, client,
    /// creation time. Exits 0, or 2 when the state directory or its database is refused.
    List(ListArgs),
    /// Delete a key: its platform key (through the provider of its class) and its binding, as
    /// `device/key/delete` does. When no server has the database open, it first cleans up what
    /// an interrupted run left, as `serve` does at start-up. Exits 0 when something was
    /// deleted, 1 when there was no such key, 2 on an error.
    Delete(DeleteArgs),
}

/// Arguments of `devicekey keys list`.
#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// The state directory `devicekey serve` uses. Default: `$XDG_DATA_HOME/devicekey`, else
    /// `~/.local/share/devicekey`.
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Only the keys bound to this account user.
    #[arg(long, value_name = "ID")]
    pub account_user_id: Option<String>,
    /// Only the keys bound to this client.
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// Print the list as `device/key/list` answers it (`{"keys": [...]}`), one JSON document.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `devicekey keys delete`.
#[derive(Debug, Args)]
pub(crate) struct DeleteArgs {
    /// The key to delete (`dk_swk_…`, `dk_tpm_…`, `dk_hse_…` or `dk_osn_…`); its prefix picks
    /// the provider.
    #[arg(value_name = "KEY_ID")]
    pub key_id: String,
    /// The state directory `devicekey serve` uses. Default: `$XDG_DATA_HOME/devicekey`, else
    /// `~/.local/share/devicekey`.
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// The TPM's TCTI, for a `dk_tpm_` key. On a TCTI without a resource manager (`swtpm:`,
    /// `mssim:`, `device:/dev/tpm0`) connecting flushes the TPM's transient objects, which a
    /// server using the same TPM is relying on: stop it first, or use `device:/dev/tpmrm0`.
    #[arg(long, value_name = "TCTI", default_value = select::DEFAULT_TPM_TCTI)]
    pub tpm_tcti: String,
    /// How long one TPM operation may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub tpm_timeout: u64,
    /// The keychain access group (macOS keys, and software keys of signed macOS builds).
    #[arg(long, value_name = "GROUP")]
    pub keychain_access_group: Option<String>,
}

/// Runs `devicekey keys`.
pub(crate) fn run_keys(args: &KeysArgs, out: &mut dyn Write) -> io::Result<ExitCode> {
    let outcome = match &args.command {
        KeysCommand::List(args) => list(args, out),
        KeysCommand::Delete(args) => delete(args, out),
    };
    match outcome {
        Ok(code) => Ok(code),
        Err(Failure::Io(error)) => Err(error),
        Err(Failure::Message(message)) => {
            let command = match args.command {
                KeysCommand::List(_) => "list",
                KeysCommand::Delete(_) => "delete",
            };
            eprintln!("devicekey keys {command}: {message}");
            Ok(ExitCode::from(2))
        }
    }
}

/// Why a `keys` command stopped.
enum Failure {
    /// Writing the output failed.
    Io(io::Error),
    /// What went wrong, for people.
    Message(String),
}

impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Self {
        Failure::Io(error)
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::Message(message)
    }
}

fn list(args: &ListArgs, out: &mut dyn Write) -> Result<ExitCode, Failure> {
    let dir = state_dir_or_default(args.state_dir.as_deref())?;
    let state = open_existing(&dir)?;
    let mut filter = json!({});
    if let Some(id) = &args.account_user_id {
        filter["accountUserId"] = json!(id);
    }
    if let Some(id) = &args.client_id {
        filter["clientId"] = json!(id);
    }
    let filter = Validated::<DeviceKeyListParams>::from_json(filter)
        .map_err(|error| error.message().to_owned())?;
    let keys = match open_bindings(&state)? {
        Some(bindings) => bindings
            .list(filter.get())
            .map_err(|error| error.message().to_owned())?,
        None => Vec::new(),
    };
    if args.json {
        let answer = DeviceKeyListResponse {
            keys,
            next_cursor: None,
        };
        let text = serde_json::to_string_pretty(&answer).map_err(|error| error.to_string())?;
        writeln!(out, "{text}")?;
    } else if keys.is_empty() {
        writeln!(out, "no keys in {}", dir.display())?;
    } else {
        print_table(&keys, out)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_table(keys: &[DeviceKeyInfo], out: &mut dyn Write) -> io::Result<()> {
    let rows: Vec<[String; 5]> = keys
        .iter()
        .map(|key| {
            [
                key.key_id.to_string(),
                key.protection_class.to_string(),
                key.account_user_id.to_string(),
                key.client_id.to_string(),
                utc_time(key.created_at),
            ]
        })
        .collect();
    let header = ["KEY ID", "CLASS", "ACCOUNT USER", "CLIENT", "CREATED (UTC)"];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 5]| {
        let mut text = String::new();
        for (index, (cell, width)) in cells.iter().zip(widths).enumerate() {
            if index + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(&format!("{cell:<width$}  "));
            }
        }
        text
    };
    writeln!(out, "{}", line(header))?;
    for row in &rows {
        writeln!(out, "{}", line(row.each_ref().map(String::as_str)))?;
    }
    Ok(())
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ` (proleptic Gregorian calendar, UTC).
pub(crate) fn utc_time(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let second_of_day = seconds.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    )
}

/// The provider that holds keys of `class`.
pub(crate) fn provider_for_class(class: DeviceKeyProtectionClass) -> ProviderChoice {
    match class {
        DeviceKeyProtectionClass::Software => ProviderChoice::Software,
        DeviceKeyProtectionClass::HardwareTpm => ProviderChoice::Tpm,
        DeviceKeyProtectionClass::HardwareSecureEnclave
        | DeviceKeyProtectionClass::OsProtectedNonextractable => ProviderChoice::Macos,
    }
}

fn delete(args: &DeleteArgs, out: &mut dyn Write) -> Result<ExitCode, Failure> {
    let key_id = KeyId::parse(&args.key_id)
        .map_err(|error| format!("{:?} is not a key id: {error}", args.key_id))?;
    let dir = state_dir_or_default(args.state_dir.as_deref())?;
    let state = open_existing(&dir)?;
    let Some(bindings) = open_bindings(&state)? else {
        writeln!(
            out,
            "no key {key_id} in {}: it has no binding database; nothing deleted",
            dir.display()
        )?;
        return Ok(ExitCode::FAILURE);
    };
    let choice = provider_for_class(key_id.protection_class());
    let config = ProviderConfig {
        tpm_tcti: args.tpm_tcti.clone(),
        tpm_operation_timeout: Duration::from_secs(args.tpm_timeout),
        keychain_access_group: args.keychain_access_group.clone(),
        ..ProviderConfig::new(state.path())
    };
    let providers = select::select(choice, &config).map_err(|error| {
        format!(
            "cannot open the {choice} provider, which holds {key_id}'s platform key: {}; nothing \
             deleted",
            error.message()
        )
    })?;
    let had_binding = bindings
        .get(&key_id)
        .map_err(|error| error.message().to_owned())?
        .is_some();
    // The server's own `device/key/delete`: the platform key, then the binding. Building the
    // store cleans up after an interrupted run first, as `serve` does at start-up, unless a
    // server has the database open.
    let store = DeviceKeyStore::builder(providers, bindings).build();
    let params = Validated::<DeviceKeyDeleteParams>::from_json(json!({"keyId": key_id.as_str()}))
        .map_err(|error| error.message().to_owned())?;
    let deleted = store
        .delete_blocking(params)
        .map_err(|error| format!("cannot delete {key_id}: {}", error.message()))?
        .deleted;
    match (deleted, had_binding) {
        (true, true) => writeln!(out, "deleted {key_id}: its platform key and its binding")?,
        (true, false) => writeln!(out, "deleted {key_id}: a platform key without a binding")?,
        (false, _) => {
            writeln!(out, "no key {key_id} in {}: nothing deleted", dir.display())?;
            return Ok(ExitCode::FAILURE);
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_times_are_civil_dates() {
        assert_eq!(utc_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_time(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(utc_time(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc_time(-1), "1969-12-31T23:59:59Z");
        assert_eq!(utc_time(4_102_444_800), "2100-01-01T00:00:00Z");
    }
}
