//! The `devicekey` command line: its arguments, and the `serve` and `demo` subcommands (the
//! others live in modules of their own).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use devicekey_proof::OriginAllowlist;
use devicekey_runtime::provider::select::{self, ProviderChoice};

use crate::attest::AttestArgs;
use crate::doctor::DoctorArgs;
use crate::identity::IdentityArgs;
use crate::input::state_dir_or_default;
use crate::keys::KeysArgs;
use crate::verify::VerifyArgs;

/// Device-bound signing keys.
#[derive(Debug, Parser)]
#[command(name = "devicekey", version, about)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Verify a device-key proof: signature, domain, canonical bytes, payload schema, the
    /// expiry window (at the system clock's time unless --now or --skip-expiry), and the given
    /// expectations. Exits 0 when the proof is valid, 1 when it is not, 2 when the inputs
    /// cannot be read.
    Verify(Box<VerifyArgs>),
    /// Prove, not believe, that a `dk_tpm_` key lives in a TPM: play the backend of TPM key
    /// attestation against a running server (`docs/attestation.md`). Checks the TPM's EK
    /// certificate against the given anchors, activates its attestation key with a credential
    /// challenge, has the key certified over a fresh nonce and checks the certification. Prints
    /// the verdict as JSON; exits 0 when proven, 1 when refused (with the reason's `kind`), 2
    /// when the inputs or the server cannot be used.
    Attest(Box<AttestArgs>),
    /// Print a key's `deviceIdentitySha256Base64url` (what an enrollment payload carries): the
    /// unpadded base64url SHA-256 of the compact JSON of its algorithm, keyId, protectionClass
    /// and publicKeySpkiDerBase64. Exits 0, or 2 when the key cannot be read.
    Identity(IdentityArgs),
    /// List or delete the keys of a state directory, without a running server.
    Keys(KeysArgs),
    /// Check the state directory, the binding database, the provider and the keys `devicekey
    /// serve` would use; each line says what is wrong and how to fix it. Exits 1 when a check
    /// fails.
    Doctor(DoctorArgs),
    /// Serve the device-key JSON-RPC protocol (newline-delimited JSON-RPC 2.0) on stdio or a
    /// Unix socket. Logs go to stderr (`RUST_LOG`), never to stdout.
    Serve(ServeArgs),
    /// Run the whole protocol once against an in-process server with the software provider on
    /// a temporary state directory, printing every message and the verified proof. Exits 0
    /// when every step succeeds.
    Demo,
}

/// A count or size of at least 1 (`--max-connections`, the byte budgets).
fn parse_positive(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1".to_owned()),
        Ok(value) => Ok(value.min(u32::MAX as usize)),
        Err(error) => Err(error.to_string()),
    }
}

/// `--provider`: the runtime's own names (`auto`, `software`, `tpm`, `macos`).
fn parse_provider(text: &str) -> Result<ProviderChoice, String> {
    text.parse()
}

/// Arguments of `devicekey serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Where to listen: `stdio://` or `unix:///path/to.sock` (created with mode 0600, removed
    /// on exit).
    #[arg(long, value_name = "URL", default_value = "stdio://")]
    pub listen: String,
    /// The state directory (binding database, software keys); created with mode 0700. The
    /// server refuses to start when it or anything in it is a symbolic link, is owned by another
    /// user, or is writable by group or others. Default: `$XDG_DATA_HOME/devicekey`, else
    /// `~/.local/share/devicekey`.
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// The key provider: `auto` is the platform's hardware provider (TPM on Linux, Secure
    /// Enclave on macOS) or none; `software` must be asked for by name.
    #[arg(long, default_value_t = ProviderChoice::Auto, value_parser = parse_provider)]
    pub provider: ProviderChoice,
    /// A backend origin payloads may target, repeatable: `https://example.com`,
    /// `https://*.example.com`, `http://localhost:*`. Default: codex's origins.
    #[arg(long = "allowed-origin", value_name = "ORIGIN")]
    pub allowed_origins: Vec<String>,
    /// How long `attestation/generate` waits for the client, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 100)]
    pub attestation_timeout_ms: u64,
    /// The TPM's TCTI (TPM provider only).
    #[arg(long, value_name = "TCTI", default_value = select::DEFAULT_TPM_TCTI)]
    pub tpm_tcti: String,
    /// How long one TPM operation may take, its wait behind earlier ones included, before it
    /// fails with `hardwareTimeout` (TPM provider only).
    #[arg(long, value_name = "SECONDS", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub tpm_timeout: u64,
    /// The keychain access group (macOS provider only).
    #[arg(long, value_name = "GROUP")]
    pub keychain_access_group: Option<String>,
    /// Ask for user presence on every signature (macOS provider only).
    #[arg(long)]
    pub user_presence: bool,
    /// How many connections a Unix socket serves at once; one more is sent a
    /// `tooManyConnections` error and closed.
    #[arg(long, value_name = "N", default_value_t = devicekey_server::MAX_CONNECTIONS,
          value_parser = parse_positive)]
    pub max_connections: usize,
    /// Per connection, how many bytes of answers may wait for the client to read them; a client
    /// that reads nothing for 5 s while they wait is disconnected. Default: 4 MiB.
    #[arg(long, value_name = "BYTES", default_value_t = devicekey_server::MAX_OUTBOUND_BYTES,
          value_parser = parse_positive)]
    pub max_outbound_bytes: usize,
    /// For all connections together, how many bytes of long lines (over 16 KiB) may be read and
    /// parsed at once; each long line reserves the longest line (1 MiB), and waits up to 5 s for
    /// room before it is skipped with `serverBusy`. Default: 8 MiB.
    #[arg(long, value_name = "BYTES", default_value_t = devicekey_server::LINE_MEMORY_BUDGET,
          value_parser = parse_positive)]
    pub line_memory_budget: usize,
}

/// Where `devicekey serve` listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Listen {
    /// stdin and stdout.
    Stdio,
    /// A Unix domain socket at this path.
    Unix(PathBuf),
}

impl Listen {
    /// Parses `stdio://` or `unix:///path`.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        if text == "stdio://" || text == "stdio" {
            return Ok(Listen::Stdio);
        }
        match text.strip_prefix("unix://") {
            // Checked here too, so that a path too long is refused before anything is created.
            Some(path) if path.len() > devicekey_server::SocketListener::MAX_PATH_BYTES => {
                Err(format!(
                    "cannot listen on {text:?}: the path is {} bytes, longer than the {} bytes a \
                     Unix socket path can have on this platform; choose a shorter path",
                    path.len(),
                    devicekey_server::SocketListener::MAX_PATH_BYTES
                ))
            }
            Some(path) if !path.is_empty() => Ok(Listen::Unix(PathBuf::from(path))),
            _ => Err(format!(
                "cannot listen on {text:?}: expected stdio:// or unix:///path/to.sock"
            )),
        }
    }
}

/// Runs `devicekey serve` until its input ends (stdio) or SIGINT / SIGTERM.
pub(crate) fn run_serve(args: &ServeArgs) -> ExitCode {
    match serve(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("devicekey serve: {message}");
            ExitCode::FAILURE
        }
    }
}

fn serve(args: &ServeArgs) -> Result<(), String> {
    use devicekey_runtime::provider::select::{select, ProviderConfig};
    use devicekey_server::{Server, ServerOptions};

    let listen = Listen::parse(&args.listen)?;
    let state_dir = state_dir_or_default(args.state_dir.as_deref())?;
    // Refuses a state directory that is, or holds, a symbolic link, or that someone else owns
    // or may write to (the message names the path and the fix).
    let state = devicekey_runtime::StateDir::open(&state_dir).map_err(|error| error.to_string())?;
    let origins = if args.allowed_origins.is_empty() {
        OriginAllowlist::codex_defaults()
    } else {
        OriginAllowlist::from_rules(&args.allowed_origins).map_err(|error| error.to_string())?
    };
    let config = ProviderConfig {
        state_dir: state.path().to_owned(),
        tpm_tcti: args.tpm_tcti.clone(),
        tpm_operation_timeout: std::time::Duration::from_secs(args.tpm_timeout),
        keychain_access_group: args.keychain_access_group.clone(),
        user_presence: args.user_presence,
    };
    let providers = select(args.provider, &config).map_err(|error| error.to_string())?;
    let bindings = state.open_bindings().map_err(|error| error.to_string())?;
    let store = devicekey_runtime::DeviceKeyStore::builder(providers, bindings)
        .origins(origins)
        .build();
    let options = ServerOptions {
        attestation_timeout: std::time::Duration::from_millis(args.attestation_timeout_ms),
        max_connections: args.max_connections,
        max_outbound_bytes: args.max_outbound_bytes,
        line_memory_budget: args.line_memory_budget,
        ..ServerOptions::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| format!("cannot start the async runtime: {error}"))?;
    let outcome = runtime.block_on(async move {
        let server = Server::new(store, options);
        match listen {
            Listen::Stdio => {
                let serving = server.serve_stdio();
                tokio::pin!(serving);
                tokio::select! {
                    () = &mut serving => {}
                    () = shutdown_signal() => {
                        tracing::info!("stopping on a signal");
                        server.shutdown();
                        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), serving).await;
                    }
                }
                Ok(())
            }
            #[cfg(unix)]
            Listen::Unix(path) => {
                let listener = devicekey_server::SocketListener::bind(&path)
                    .map_err(|error| format!("cannot listen on {}: {error}", path.display()))?;
                tracing::info!(path = %path.display(), "listening");
                listener
                    .serve(server, shutdown_signal(), std::time::Duration::from_secs(5))
                    .await
                    .map_err(|error| error.to_string())
            }
            #[cfg(not(unix))]
            Listen::Unix(_) => Err("Unix sockets are not available on this platform".to_owned()),
        }
    });
    // A read of stdin blocked in the runtime's thread pool must not hold the exit up.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    outcome
}

/// Resolves on SIGINT or SIGTERM (on Ctrl-C elsewhere).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            (Ok(mut interrupt), Ok(mut terminate)) => {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
            }
            _ => std::future::pending().await,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Runs `devicekey demo`, printing to `out`.
pub(crate) fn run_demo(out: &mut dyn Write) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("devicekey demo: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(crate::demo::run(out)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let _ = out.flush();
            eprintln!("devicekey demo: FAILED: {error}");
            ExitCode::FAILURE
        }
    }
}
