//! Integration tests of the devicekey runtime, one module per concern.

// A test binary exports nothing: `pub` on its helpers says "shared between modules".
#![allow(unreachable_pub)]

/// Shared fixtures: a store on a temporary directory, payload builders, a recording provider.
use devicekey_testkit as support;

/// Damaged state: foreign or empty databases refused, damaged bindings, interrupted creates,
/// a sign racing a delete.
mod damaged_state;
/// The public key recorded at create, checked on `public` and `sign`; hostile key files.
mod key_integrity;
/// The macOS provider's decisions and the keychain secret store's migration, on a fake keychain.
mod keychain;
/// create / public / sign / list / delete, class routing, rebinding, replay, rollback.
mod lifecycle;
/// `device/key/list` a page at a time: limit, cursor, the 1000-key maximum.
mod list_pages;
/// The macOS provider against the real keychain (macOS only).
#[cfg(target_os = "macos")]
mod macos;
/// Interoperability with openssl, both directions.
mod openssl;
/// Every payload rule and codex message, through `DeviceKeyStore::sign`.
mod payload_rules;
/// The software provider: file modes and redaction of private keys.
mod software_provider;
/// The state directory's StrictModes check, and the modes of what the runtime creates.
mod state_dir;
/// The TPM provider against a software TPM of its own (swtpm): signing, persistence, failures.
#[cfg(all(target_os = "linux", feature = "tpm"))]
mod tpm;
/// Starting and stopping swtpm for the TPM tests.
#[cfg(all(target_os = "linux", feature = "tpm"))]
use devicekey_testkit::swtpm as tpm_swtpm;
/// The verifier on proofs the store signed: what it accepts and every way it refuses.
mod verifier;
