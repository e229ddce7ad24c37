//! ECDSA P-256 over SHA-256: key generation, SubjectPublicKeyInfo DER, DER signatures.

use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::ecdsa::{DerSignature, Signature, SigningKey, VerifyingKey};
use p256::pkcs8::{
    DecodePrivateKey as _, DecodePublicKey as _, EncodePrivateKey as _, EncodePublicKey as _,
};
use rand::rngs::OsRng;
use rand::TryRngCore as _;
use zeroize::Zeroizing;

use crate::error::{DeviceKeyError, ErrorKind};

fn crypto_error(what: &str) -> DeviceKeyError {
    DeviceKeyError::new(ErrorKind::CryptoFailure, format!("{what} failed"))
}

/// A fresh P-256 signing key from the operating system's random source.
pub fn generate_signing_key() -> Result<SigningKey, DeviceKeyError> {
    // A uniformly random 32-byte string is a valid scalar unless it is zero or at least the
    // group order (probability about 2^-32); draw again in that case.
    for _ in 0..16 {
        let mut candidate = Zeroizing::new([0u8; 32]);
        OsRng.try_fill_bytes(candidate.as_mut()).map_err(|error| {
            DeviceKeyError::new(
                ErrorKind::PlatformFailure,
                format!("the operating system random source failed: {error}"),
            )
        })?;
        if let Ok(key) = SigningKey::from_slice(candidate.as_ref()) {
            return Ok(key);
        }
    }
    Err(crypto_error("P-256 key generation"))
}

/// The SubjectPublicKeyInfo DER of a public key.
pub fn public_key_spki_der(key: &VerifyingKey) -> Result<Vec<u8>, DeviceKeyError> {
    key.to_public_key_der()
        .map(|document| document.as_bytes().to_vec())
        .map_err(|_| crypto_error("encoding the public key as SubjectPublicKeyInfo"))
}

/// Reads a P-256 public key from SubjectPublicKeyInfo DER.
pub fn public_key_from_spki_der(spki_der: &[u8]) -> Option<VerifyingKey> {
    VerifyingKey::from_public_key_der(spki_der).ok()
}

/// The PKCS#8 DER of a private key, in memory that is wiped when dropped.
pub fn private_key_pkcs8_der(key: &SigningKey) -> Result<Zeroizing<Vec<u8>>, DeviceKeyError> {
    key.to_pkcs8_der()
        .map(|document| Zeroizing::new(document.as_bytes().to_vec()))
        .map_err(|_| crypto_error("encoding the private key"))
}

/// Reads a P-256 private key from PKCS#8 DER.
pub fn private_key_from_pkcs8_der(der: &[u8]) -> Result<SigningKey, DeviceKeyError> {
    SigningKey::from_pkcs8_der(der).map_err(|_| crypto_error("decoding the stored private key"))
}

/// Signs `message` (hashed with SHA-256) and returns the DER signature.
pub fn sign_der(key: &SigningKey, message: &[u8]) -> Vec<u8> {
    let signature: DerSignature = key.sign(message);
    signature.as_bytes().to_vec()
}

/// Why [`verify_der`] refused a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The public key is not a P-256 SubjectPublicKeyInfo DER.
    #[error("the public key is not a P-256 SubjectPublicKeyInfo DER")]
    MalformedPublicKey,
    /// The signature is not a DER ECDSA signature with scalars in range.
    #[error("the signature is not a DER-encoded ECDSA P-256 signature")]
    MalformedSignature,
    /// The signature does not verify.
    #[error("the signature does not verify with this public key")]
    Mismatch,
}

/// Verifies a DER ECDSA P-256/SHA-256 signature over `message`. High-S signatures are accepted:
/// platform signers do not normalize S.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_and_tampering_is_detected() {
        let key = generate_signing_key().unwrap();
        let spki = public_key_spki_der(key.verifying_key()).unwrap();
        let signature = sign_der(&key, b"message");
        assert_eq!(verify_der(&spki, b"message", &signature), Ok(()));
        assert_eq!(
            verify_der(&spki, b"messagE", &signature),
            Err(SignatureError::Mismatch)
        );
        let other = public_key_spki_der(generate_signing_key().unwrap().verifying_key()).unwrap();
        assert_eq!(
            verify_der(&other, b"message", &signature),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_der(&spki[1..], b"message", &signature),
            Err(SignatureError::MalformedPublicKey)
        );
        assert_eq!(
            verify_der(&spki, b"message", &signature[..signature.len() - 1]),
            Err(SignatureError::MalformedSignature)
        );
    }

    #[test]
    fn high_s_signatures_are_accepted() {
        let key = generate_signing_key().unwrap();
        let spki = public_key_spki_der(key.verifying_key()).unwrap();
        let signature = Signature::from_der(&sign_der(&key, b"m")).unwrap();
        let (r, s) = signature.split_scalars();
        let flipped = Signature::from_scalars(r.to_bytes(), (-*s).to_bytes()).unwrap();
        for candidate in [signature, flipped] {
            assert_eq!(
                verify_der(&spki, b"m", candidate.to_der().as_bytes()),
                Ok(())
            );
        }
    }

    #[test]
    fn pkcs8_round_trips() {
        let key = generate_signing_key().unwrap();
        let der = private_key_pkcs8_der(&key).unwrap();
        assert_eq!(private_key_from_pkcs8_der(&der).unwrap(), key);
        assert!(private_key_from_pkcs8_der(&der[..10]).is_err());
    }
}
