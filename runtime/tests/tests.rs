//! Integration tests of the `devicekey` runtime, one module per concern.

/// Shared fixtures: a store on a temporary directory, payload builders, a recording provider.
mod support;

/// Attestation requests and their header envelopes, with scripted clients.
mod attestation;
/// The `devicekey verify` command.
mod cli;
/// `devicekey demo`.
mod demo;
/// The macOS provider's decisions and the keychain secret store's migration, on a fake keychain.
mod keychain;
/// create / public / sign / list / delete, class routing, rebinding, replay, rollback.
mod lifecycle;
/// The macOS provider against the real keychain (macOS only).
#[cfg(target_os = "macos")]
mod macos;
/// Interoperability with openssl, both directions.
mod openssl;
/// Every payload rule and codex message, through `DeviceKeyStore::sign`.
mod payload_rules;
/// `devicekey serve` end to end over stdio and a Unix socket; a slow provider in process.
mod server;
/// The signed bytes: codex's vectors byte for byte, and escaping.
mod signed_bytes;
/// The software provider: file modes and redaction of private keys.
mod software_provider;
/// The TPM provider against a software TPM of its own (swtpm): signing, persistence, failures.
#[cfg(all(target_os = "linux", feature = "tpm"))]
mod tpm;
/// Starting and stopping swtpm for the TPM tests (and the TPM benchmark).
#[cfg(all(target_os = "linux", feature = "tpm"))]
mod tpm_swtpm;
/// The proof vectors the TypeScript verifier tests read.
mod ts_fixtures;
/// The verifier: what it accepts and every way it refuses.
mod verifier;
