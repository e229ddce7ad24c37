//! The keychain seam: the handful of Security.framework operations the macOS provider and the
//! keychain secret store use, as a trait over plain Rust data.
//!
//! Every decision — which attributes each class's key gets, when the OS-protected fallback runs,
//! how each OSStatus maps to an error, that a lookup never yields an extractable key, how keychain
//! secrets migrate to a shared access group — lives in generic code over [`Keychain`]
//! ([`KeychainProvider`], [`KeychainSecretStore`]), so it is compiled
//! and tested on every platform against [`fake::FakeKeychain`]. Only the implementation that calls
//! Security.framework (`provider::macos`) is macOS-specific.

pub mod fake;
mod presence;
mod provider;
mod seam;
mod secret_store;
mod status;

pub use presence::{PresenceContexts, PRESENCE_REUSE_SECONDS};
pub use provider::{key_tag, KeychainProvider, KeychainProviderOptions, DEFAULT_TAG_PREFIX};
pub use seam::{
    AccessFlag, Accessibility, FoundKey, KeyAttribute, KeyAttributes, Keychain, PasswordItem,
};
pub use secret_store::{KeychainSecretStore, DEFAULT_SECRET_SERVICE};
pub use status::{
    keychain_error, secure_enclave_unavailable, KeychainOperation, OsStatus, ENTITLEMENT_MESSAGE,
};
