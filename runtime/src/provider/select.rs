//! Which providers a server uses: `auto` picks the platform's hardware provider (the TPM on
//! Linux when built in and reachable, the Secure Enclave / keychain provider on macOS) or
//! `unsupported`; `software` is used only when asked for by name.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::provider::{KeyProvider, ProviderSet, SoftwareProvider, UnsupportedProvider};
use devicekey_proof::DeviceKeyError;
use devicekey_protocol::types::DomainErrorKind;

/// The `--provider` choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProviderChoice {
    /// The platform's hardware provider, else `unsupported`.
    #[default]
    Auto,
    /// Keys in software under the state directory (development and tests; needs the
    /// `allow_software` policy).
    Software,
    /// The Linux TPM 2.0 provider.
    Tpm,
    /// The macOS Secure Enclave / keychain provider.
    Macos,
}

impl ProviderChoice {
    /// Every choice, with its name on a command line.
    pub const NAMES: [(ProviderChoice, &'static str); 4] = [
        (ProviderChoice::Auto, "auto"),
        (ProviderChoice::Software, "software"),
        (ProviderChoice::Tpm, "tpm"),
        (ProviderChoice::Macos, "macos"),
    ];
}

impl std::str::FromStr for ProviderChoice {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::NAMES
            .iter()
            .find(|(_, name)| *name == text)
            .map(|(choice, _)| *choice)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::NAMES.iter().map(|(_, name)| *name).collect();
                format!("unknown provider {text:?}; one of: {}", names.join(", "))
            })
    }
}

impl std::fmt::Display for ProviderChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = Self::NAMES
            .iter()
            .find(|(choice, _)| choice == self)
            .map_or("auto", |(_, name)| name);
        f.write_str(name)
    }
}

/// What the providers need to know.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    /// The state directory (software keys live in `<state_dir>/keys`, TPM key blobs in
    /// `<state_dir>/tpm`).
    pub state_dir: PathBuf,
    /// The TPM's TCTI (`device:/dev/tpmrm0`, `swtpm:host=127.0.0.1,port=2321`, ...).
    pub tpm_tcti: String,
    /// Each TPM operation's deadline, its wait behind earlier ones included (default
    /// [`DEFAULT_TPM_OPERATION_TIMEOUT`]); beyond it the request fails with `hardwareTimeout`.
    pub tpm_operation_timeout: Duration,
    /// The macOS keychain access group, if any.
    pub keychain_access_group: Option<String>,
    /// Whether macOS asks for user presence on every signature.
    pub user_presence: bool,
}

impl ProviderConfig {
    /// A configuration with the defaults for everything but the state directory.
    pub fn new(state_dir: impl Into<PathBuf>) -> Self {
        ProviderConfig {
            state_dir: state_dir.into(),
            tpm_tcti: DEFAULT_TPM_TCTI.to_owned(),
            tpm_operation_timeout: DEFAULT_TPM_OPERATION_TIMEOUT,
            keychain_access_group: None,
            user_presence: false,
        }
    }
}

/// The default TCTI: the kernel's TPM resource manager.
pub const DEFAULT_TPM_TCTI: &str = "device:/dev/tpmrm0";

/// The default deadline of one TPM operation: 20 s (key creation on a slow hardware TPM takes
/// well under a second).
pub const DEFAULT_TPM_OPERATION_TIMEOUT: Duration = Duration::from_secs(20);

/// The providers for `choice`.
pub fn select(
    choice: ProviderChoice,
    config: &ProviderConfig,
) -> Result<ProviderSet, DeviceKeyError> {
    let provider: Arc<dyn KeyProvider> = match choice {
        ProviderChoice::Software => software(config)?,
        ProviderChoice::Tpm => tpm(config)?,
        ProviderChoice::Macos => macos(config)?,
        ProviderChoice::Auto => auto(config),
    };
    tracing::info!(
        provider = provider.name(),
        "selected the device key provider"
    );
    Ok(ProviderSet::new(vec![provider]))
}

fn software(config: &ProviderConfig) -> Result<Arc<dyn KeyProvider>, DeviceKeyError> {
    // macOS: with a keychain access group (a signed build), secrets live in the keychain, shared
    // between builds through that group; unsigned builds keep the file store.
    #[cfg(target_os = "macos")]
    {
        if let Some(group) = &config.keychain_access_group {
            let secrets = crate::provider::macos::keychain_secret_store(Some(group.clone()));
            return Ok(Arc::new(SoftwareProvider::new(Arc::new(secrets))));
        }
    }
    #[cfg(unix)]
    {
        let secrets = crate::secret_store::FileSecretStore::open(config.state_dir.join("keys"))?;
        Ok(Arc::new(SoftwareProvider::new(Arc::new(secrets))))
    }
    #[cfg(not(unix))]
    {
        let _ = config;
        Err(DeviceKeyError::new(
            DomainErrorKind::HardwareUnavailable,
            "the software provider needs a file secret store, which this platform lacks",
        ))
    }
}

#[cfg(target_os = "linux")]
fn auto(config: &ProviderConfig) -> Arc<dyn KeyProvider> {
    match tpm(config) {
        Ok(provider) => provider,
        Err(error) => {
            tracing::warn!(%error, "no TPM provider; device keys are unavailable (use --provider software for development)");
            Arc::new(UnsupportedProvider)
        }
    }
}

#[cfg(target_os = "macos")]
fn auto(config: &ProviderConfig) -> Arc<dyn KeyProvider> {
    match macos(config) {
        Ok(provider) => provider,
        Err(error) => {
            tracing::warn!(%error, "no macOS provider; device keys are unavailable");
            Arc::new(UnsupportedProvider)
        }
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos")))]
fn auto(_config: &ProviderConfig) -> Arc<dyn KeyProvider> {
    Arc::new(UnsupportedProvider)
}

#[cfg(all(target_os = "linux", feature = "tpm"))]
fn tpm(config: &ProviderConfig) -> Result<Arc<dyn KeyProvider>, DeviceKeyError> {
    use crate::provider::tpm::{TpmOptions, TpmProvider};
    let options = TpmOptions {
        operation_timeout: config.tpm_operation_timeout,
        ..TpmOptions::default()
    };
    let provider =
        TpmProvider::open_with(&config.tpm_tcti, &config.state_dir.join("tpm"), options)?;
    Ok(Arc::new(provider))
}

#[cfg(not(all(target_os = "linux", feature = "tpm")))]
fn tpm(_config: &ProviderConfig) -> Result<Arc<dyn KeyProvider>, DeviceKeyError> {
    Err(DeviceKeyError::new(
        DomainErrorKind::HardwareUnavailable,
        "this build has no TPM provider: build with --features tpm on Linux",
    ))
}

#[cfg(target_os = "macos")]
fn macos(config: &ProviderConfig) -> Result<Arc<dyn KeyProvider>, DeviceKeyError> {
    use crate::provider::macos::{MacosOptions, MacosProvider};
    Ok(Arc::new(MacosProvider::new(MacosOptions {
        access_group: config.keychain_access_group.clone(),
        user_presence: config.user_presence,
    })))
}

#[cfg(not(target_os = "macos"))]
fn macos(_config: &ProviderConfig) -> Result<Arc<dyn KeyProvider>, DeviceKeyError> {
    Err(DeviceKeyError::new(
        DomainErrorKind::HardwareUnavailable,
        "this build has no macOS provider: it exists only in builds for macOS",
    ))
}
