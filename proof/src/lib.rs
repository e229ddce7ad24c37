//! Everything a verifier of device-key proofs needs, and nothing that signs: key ids, the
//! canonical JSON that is signed, the signed bytes, the payload rules, the origin allowlist, the
//! schema layer over the generated protocol types, the proof verifier ([`verify_proof`], with
//! [`Expectations`] of the clock, the payload's fields and the spelling of the bytes), and a
//! key's device identity ([`device_identity_sha256_base64url`]).
//!
//! This crate has no async runtime, no database, no CLI parser and no platform key library: a
//! backend that only checks proofs depends on it alone.
//!
//! ```
//! use devicekey_proof::{verify_proof, Expectations};
//! # let (spki, signed, signature) = (vec![], vec![], vec![]);
//! // The default checks the expiry window against the system clock.
//! match verify_proof(&spki, &signed, &signature, &Expectations::default()) {
//!     Ok(proof) => println!("signed by the device: {:?}", proof.payload),
//!     Err(error) => println!("refused ({}): {error}", error.kind()),
//! }
//! ```
//!
//! The crate's README (a backend's verification, step by step) and `examples/verify_proof.rs`
//! say more.
//!
//! With the `tpm-attestation` feature (off by default), `devicekey_proof::tpm` verifies that a
//! device key is a non-exportable key of a TPM 2.0 whose endorsement key a manufacturer
//! certified: the EK certificate chain, TPM2_MakeCredential for the attestation key, and
//! TPM2_Certify of the device key by it, step by step in that module's documentation.

#![forbid(unsafe_code)]

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

mod canonical;
mod crypto;
mod encoding;
mod error;
mod identity;
mod json_pointer;
mod key_id;
mod origin;
mod protection;
mod rules;
mod signed_payload;
mod validation;
mod verify;

// TPM key attestation; documented in the module itself (its links resolve there).
#[cfg(feature = "tpm-attestation")]
pub mod tpm;

pub use canonical::{parse_strict, to_canonical_bytes, CanonicalError, StrictParseError};
pub use crypto::{public_key_from_spki_der, public_key_spki_der, verify_der, SignatureError};
pub use encoding::{decode_base64, decode_base64url, encode_base64, encode_base64url};
pub use error::{DeviceKeyError, MAX_REPORTED_VIOLATIONS, PAYLOAD_MESSAGE_PREFIX};
pub use identity::{device_identity_sha256_base64url, DeviceIdentity};
pub use key_id::{KeyId, MalformedKeyId, KEY_ID_MESSAGE, KEY_ID_RANDOM_BYTES};
pub use origin::{
    HostMatch, InvalidOriginRule, Origin, OriginAllowlist, OriginRule, PortMatch, Scheme,
    CODEX_DEFAULT_ORIGIN_RULES,
};
pub use protection::{effective_policy, ProtectionClassExt, ProtectionPolicyExt};
pub use rules::{SignPayloadExt, MAX_PROOF_LIFETIME_SECONDS};
pub use signed_payload::{envelope, SignedPayload, SIGN_PAYLOAD_DOMAIN};
pub use validation::{
    bounded_violations, invalid_params, schema_validations, FoundViolations, Validated,
};
pub use verify::{
    verify_proof, Expectations, Now, Strictness, VerifiedProof, VerifyError, MAX_SAFE_INTEGER,
};

/// The generated protocol crate this one is built on, re-exported so that a backend names one
/// dependency.
pub use devicekey_protocol as protocol;
