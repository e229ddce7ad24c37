//! Platform key providers: where device keys are created, held and used.
//!
//! A provider holds opaque keys named by [`KeyId`](devicekey_proof::KeyId); it hands out public
//! keys and signs only [`SignedPayload`](devicekey_proof::SignedPayload)s, which exist only for
//! schema-valid payloads. Calls block (they reach a
//! Secure Enclave, a TPM or the file system) and the store runs them off the async executor.

mod key_provider;
pub mod keychain;
#[cfg(target_os = "macos")]
pub mod macos;
pub mod select;
pub mod software;
#[cfg(all(target_os = "linux", feature = "tpm"))]
pub mod tpm;
pub mod unsupported;

pub use key_provider::{
    check_public_key, not_found, KeyAttestation, KeyProvider, ProviderKey, ProviderSet,
    TpmCertification, TpmIdentity, MAX_CREDENTIAL_BLOB_LEN, MAX_ENCRYPTED_SECRET_LEN,
};
pub use software::SoftwareProvider;
pub use unsupported::UnsupportedProvider;
