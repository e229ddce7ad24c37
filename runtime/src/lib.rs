//! Device-bound signing keys: the key store, the platform providers behind it, and the proof
//! verifier, implementing the device-key protocol described in `PROTOCOL.md`.
//!
//! The pipeline of a signature, in the order [`DeviceKeyStore::sign`] runs it:
//! [`KeyId`] parse → schema validation ([`validation`]) → semantic rules ([`rules`]) →
//! binding lookup and match ([`BindingStore`]) → replay bookkeeping → canonical bytes
//! ([`SignedPayload`]) → the provider signs ([`KeyProvider`]).
//!
//! Proofs are checked by [`verify::verify_proof`] (and the `devicekey verify` command).

// `unsafe` lives only in the Security.framework binding (`provider::macos::system_keychain`).
#![cfg_attr(not(target_os = "macos"), forbid(unsafe_code))]
#![cfg_attr(target_os = "macos", deny(unsafe_code))]
#![warn(missing_docs)]

pub mod attestation;
pub mod binding_store;
pub mod canonical;
pub mod cli;
pub mod clock;
pub mod crypto;
pub mod demo;
pub mod encoding;
pub mod error;
pub mod key_id;
pub mod keychain_secret_store;
pub mod origin;
pub mod protection;
pub mod provider;
pub mod rules;
pub mod secret_store;
pub mod server;
pub mod signed_payload;
pub mod store;
pub mod validation;
pub mod verify;

pub use binding_store::{Binding, BindingFilter, BindingStore};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{DeviceKeyError, ErrorKind};
pub use key_id::KeyId;
pub use origin::OriginAllowlist;
pub use protection::{Algorithm, ProtectionClass, ProtectionPolicy};
pub use provider::{KeyProvider, ProviderKey, ProviderSet};
pub use signed_payload::SignedPayload;
pub use store::{DeviceKeyStore, KeyInfo, SignedProof};
