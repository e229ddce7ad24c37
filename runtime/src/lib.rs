//! Device-bound signing keys: the key store, the binding store, the secret stores and the
//! platform providers behind them, implementing the device-key protocol of `PROTOCOL.md`.
//!
//! The pipeline of a signature, in the order [`DeviceKeyStore::sign`] runs it, on params that
//! were schema-validated once where they came in ([`devicekey_proof::Validated`]): expiry window
//! and origin allowlist → binding lookup and match ([`BindingStore`]) → replay record → canonical
//! bytes ([`SignedPayload`](devicekey_proof::SignedPayload)) → the provider signs
//! ([`KeyProvider`]).

// `unsafe` lives only at the platform boundaries: the Security.framework binding
// (`provider::macos::system_keychain`) and, in Linux builds with the TPM provider, libtss2's TCTI
// loader (`provider::tpm::tcti`: tss-esapi cannot open a TCTI its own parser does not know, such
// as `pcap:`). Those builds only deny it (the workspace lint), so that the one module can allow
// it; everywhere else it stays forbidden.
#![cfg_attr(
    not(any(target_os = "macos", all(target_os = "linux", feature = "tpm"))),
    forbid(unsafe_code)
)]

mod binding_store;
mod clock;
mod crypto;
pub mod files;
mod private_fs;
pub mod provider;
mod secret_store;
mod state_dir;
mod store;

pub use binding_store::{BindingStore, APPLICATION_ID, CACHED_BINDINGS, SCHEMA_VERSION};
pub use clock::{Clock, ManualClock, SystemClock};
pub use crypto::{
    generate_key_id, generate_signing_key, private_key_from_pkcs8_der, private_key_pkcs8_der,
    sign_der,
};
#[cfg(unix)]
pub use private_fs::current_uid;
pub use private_fs::{StateDirError, StateDirProblem};
pub use provider::keychain::{KeychainSecretStore, DEFAULT_SECRET_SERVICE};
pub use provider::{
    KeyAttestation, KeyProvider, ProviderKey, ProviderSet, TpmCertification, TpmIdentity,
};
pub use secret_store::{FileSecretStore, MemorySecretStore, SecretBytes, SecretStore};
pub use state_dir::{check_state_dir, StateDir, BINDINGS_FILE, KEYS_DIR, TPM_DIR};
pub use store::{DeviceKeyStore, DeviceKeyStoreBuilder, MAX_LIST_KEYS};
