//! ECDSA P-256 over SHA-256, the verifying side: SubjectPublicKeyInfo DER and DER signatures.
//!
//! A P-256 SubjectPublicKeyInfo with an uncompressed point has exactly one DER encoding, so it is
//! read and written here byte for byte rather than through a general ASN.1 parser: the 26 bytes
//! `30 59 30 13 06 07 2a 86 48 ce 3d 02 01 06 08 2a 86 48 ce 3d 03 01 07 03 42 00` and then
//! `04 || X || Y`, a point on the curve, 91 bytes in all.
//! Anything else is refused: explicit curve parameters, trailing bytes, another curve or
//! algorithm, a long-form length, the point at infinity, hybrid points, and compressed points.
//!
//! Compressed points (`02`/`03 || X`) are refused although they name a valid key: every platform
//! writes the uncompressed form (the Secure Enclave's X9.63 `04 || X || Y`, the TPM's and the
//! software provider's points are written here), the schema says "uncompressed point", Go's
//! `crypto/x509` refuses them, and one encoding per key keeps the key's `publicKeySpkiDerBase64`
//! (and so its device identity digest) unique. The TypeScript verifier applies the same rule
//! before it hands the key to WebCrypto, which would accept more.

use devicekey_protocol::types::DomainErrorKind;
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, VerifyingKey};

use crate::error::DeviceKeyError;

/// `SEQUENCE { SEQUENCE { OID id-ecPublicKey, OID prime256v1 }, BIT STRING` for an uncompressed
/// point: the 26 bytes before the 65-byte SEC1 point.
const SPKI_UNCOMPRESSED_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// The SubjectPublicKeyInfo DER of a P-256 public key (uncompressed point, as the platforms
/// write it).
pub fn public_key_spki_der(key: &VerifyingKey) -> Result<Vec<u8>, DeviceKeyError> {
    let point = key.to_sec1_point(false);
    let point = point.as_bytes();
    if point.len() != 65 {
        return Err(DeviceKeyError::new(
            DomainErrorKind::CryptoFailure,
            "encoding the public key as SubjectPublicKeyInfo failed",
        ));
    }
    let mut der = Vec::with_capacity(SPKI_UNCOMPRESSED_PREFIX.len() + point.len());
    der.extend_from_slice(&SPKI_UNCOMPRESSED_PREFIX);
    der.extend_from_slice(point);
    Ok(der)
}

/// The P-256 public key of a SubjectPublicKeyInfo DER, if it is exactly one: the 26 bytes
/// `30 59 30 13 06 07 2a 86 48 ce 3d 02 01 06 08 2a 86 48 ce 3d 03 01 07 03 42 00`
/// (`SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING`), then an uncompressed
/// point `04 || X || Y` (coordinates below the field prime) on the curve, and nothing else.
///
/// Compressed points are refused although they name a valid key: the platforms write the
/// uncompressed form, Go's verifier refuses the compressed one, and one encoding per key keeps
/// its `publicKeySpkiDerBase64`, and so its device identity, unique.
pub fn public_key_from_spki_der(spki_der: &[u8]) -> Option<VerifyingKey> {
    let point = spki_der
        .strip_prefix(&SPKI_UNCOMPRESSED_PREFIX)
        .filter(|point| point.len() == 65 && point[0] == 0x04)?;
    VerifyingKey::from_sec1_bytes(point).ok()
}

/// Why a signature did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    /// The public key is not a P-256 SubjectPublicKeyInfo DER with an uncompressed point on the
    /// curve.
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
                "the public key is not a P-256 SubjectPublicKeyInfo DER with an uncompressed point \
                 on the curve"
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

#[cfg(test)]
mod tests {
    use super::*;
    use p256::pkcs8::{DecodePublicKey as _, EncodePublicKey as _};

    #[test]
    fn the_spki_written_here_is_the_pkcs8_crates_and_reads_back() {
        let key = p256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap();
        let ours = public_key_spki_der(key.verifying_key()).unwrap();
        let theirs = key.verifying_key().to_public_key_der().unwrap();
        assert_eq!(ours, theirs.as_bytes());
        assert_eq!(ours.len(), 91);
        assert_eq!(
            public_key_from_spki_der(&ours).as_ref(),
            Some(key.verifying_key())
        );
    }

    #[test]
    fn a_compressed_point_is_refused_though_the_pkcs8_crate_reads_it() {
        let key = p256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap();
        let compressed = key.verifying_key().to_sec1_point(true);
        let mut der = vec![
            0x30, 0x39, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
            0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x22, 0x00,
        ];
        der.extend_from_slice(compressed.as_bytes());
        assert_eq!(
            VerifyingKey::from_public_key_der(&der).ok().as_ref(),
            Some(key.verifying_key())
        );
        assert_eq!(public_key_from_spki_der(&der), None);
    }

    #[test]
    fn anything_but_the_one_encoding_is_refused() {
        let key = p256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap();
        let good = public_key_spki_der(key.verifying_key()).unwrap();
        let mut trailing = good.clone();
        trailing.push(0);
        let mut off_curve = good.clone();
        off_curve[90] ^= 1;
        let mut hybrid = good.clone();
        hybrid[26] = 0x06;
        for bad in [
            &good[..90],
            &trailing[..],
            &off_curve[..],
            &hybrid[..],
            &[][..],
        ] {
            assert!(public_key_from_spki_der(bad).is_none(), "{bad:02x?}");
        }
    }
}
