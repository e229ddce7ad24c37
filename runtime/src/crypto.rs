//! ECDSA P-256 keys held in software: generation, PKCS#8 storage form and DER signatures (the
//! verifying side, SubjectPublicKeyInfo included, is the proof crate's).

use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{DerSignature, SigningKey};
use p256::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _};
use rand::rngs::OsRng;
use rand::TryRngCore as _;
use zeroize::Zeroizing;

use devicekey_proof::{DeviceKeyError, KeyId, KEY_ID_RANDOM_BYTES};
use devicekey_protocol::types::{DeviceKeyProtectionClass, DomainErrorKind};

fn crypto_error(what: &str) -> DeviceKeyError {
    DeviceKeyError::new(DomainErrorKind::CryptoFailure, format!("{what} failed"))
}

/// A fresh P-256 signing key from the operating system's random source.
pub fn generate_signing_key() -> Result<SigningKey, DeviceKeyError> {
    // A uniformly random 32-byte string is a valid scalar unless it is zero or at least the
    // group order (probability about 2^-32); draw again in that case.
    for _ in 0..16 {
        let mut candidate = Zeroizing::new([0u8; 32]);
        OsRng.try_fill_bytes(candidate.as_mut()).map_err(|error| {
            DeviceKeyError::new(
                DomainErrorKind::PlatformFailure,
                format!("the operating system random source failed: {error}"),
            )
        })?;
        if let Ok(key) = SigningKey::from_slice(candidate.as_ref()) {
            return Ok(key);
        }
    }
    Err(crypto_error("P-256 key generation"))
}

/// A fresh key id of `class` with 32 bytes from the operating system's random source.
pub fn generate_key_id(class: DeviceKeyProtectionClass) -> Result<KeyId, DeviceKeyError> {
    let mut random = [0u8; KEY_ID_RANDOM_BYTES];
    OsRng.try_fill_bytes(&mut random).map_err(|error| {
        DeviceKeyError::new(
            DomainErrorKind::PlatformFailure,
            format!("the operating system random source failed: {error}"),
        )
    })?;
    Ok(KeyId::from_parts(class, &random))
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

#[cfg(test)]
mod tests {
    use super::*;
    use devicekey_proof::{public_key_spki_der, verify_der, SignatureError};
    use p256::ecdsa::Signature;

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
