//! ECDSA P-256 over SHA-256, the verifying side: SubjectPublicKeyInfo DER and DER signatures.

use devicekey_protocol::types::DomainErrorKind;
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::pkcs8::{DecodePublicKey as _, EncodePublicKey as _};

use crate::error::DeviceKeyError;

/// The SubjectPublicKeyInfo DER of a P-256 public key.
pub fn public_key_spki_der(key: &VerifyingKey) -> Result<Vec<u8>, DeviceKeyError> {
    key.to_public_key_der()
        .map(|document| document.as_bytes().to_vec())
        .map_err(|_| {
            DeviceKeyError::new(
                DomainErrorKind::CryptoFailure,
                "encoding the public key as SubjectPublicKeyInfo failed",
            )
        })
}

/// The P-256 public key of a SubjectPublicKeyInfo DER, if it is one.
pub fn public_key_from_spki_der(spki_der: &[u8]) -> Option<VerifyingKey> {
    VerifyingKey::from_public_key_der(spki_der).ok()
}

/// Why a signature did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    /// The public key is not a P-256 SubjectPublicKeyInfo DER.
    MalformedPublicKey,
    /// The signature is not a DER-encoded ECDSA signature.
    MalformedSignature,
    /// The signature does not verify with this key over these bytes.
    Mismatch,
}

impl std::fmt::Display for SignatureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SignatureError::MalformedPublicKey => {
                "the public key is not a P-256 SubjectPublicKeyInfo DER"
            }
            SignatureError::MalformedSignature => {
                "the signature is not a DER-encoded ECDSA P-256 signature"
            }
            SignatureError::Mismatch => "the signature does not verify with this public key",
        })
    }
}

impl std::error::Error for SignatureError {}

/// Verifies a DER ECDSA P-256/SHA-256 `signature_der` over `message` with the key `spki_der`.
/// High-S signatures are accepted: the platforms do not normalize S.
pub fn verify_der(
    spki_der: &[u8],
    message: &[u8],
    signature_der: &[u8],
) -> Result<(), SignatureError> {
    let key = public_key_from_spki_der(spki_der).ok_or(SignatureError::MalformedPublicKey)?;
    let signature =
        Signature::from_der(signature_der).map_err(|_| SignatureError::MalformedSignature)?;
    key.verify(message, &signature)
        .map_err(|_| SignatureError::Mismatch)
}
