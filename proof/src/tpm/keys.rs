//! What makes an EK an endorsement key this crate can challenge, an AK an attestation key whose
//! certifications it can verify, and a certified key a non-exportable TPM signing key.

use super::refusal::TpmRefusal;
use super::structures::{
    alg_name, NameHash, ObjectAttributes, PublicKeyArea, TpmPublic, TPM_ALG_AES, TPM_ALG_CFB,
    TPM_ALG_ECDSA, TPM_ALG_SHA256, TPM_ECC_NIST_P256,
};
use super::x509::strip_leading_zeros;

/// The attributes of every endorsement key (TCG EK templates): restricted decryption,
/// non-duplicable.
const EK_REQUIRED: u32 = ObjectAttributes::FIXED_TPM
    | ObjectAttributes::FIXED_PARENT
    | ObjectAttributes::RESTRICTED
    | ObjectAttributes::DECRYPT;

/// The attributes of an attestation key: a restricted signing key generated in and bound to
/// its TPM.
const AK_REQUIRED: u32 = ObjectAttributes::FIXED_TPM
    | ObjectAttributes::FIXED_PARENT
    | ObjectAttributes::SENSITIVE_DATA_ORIGIN
    | ObjectAttributes::RESTRICTED
    | ObjectAttributes::SIGN;

/// The attributes of a device key that cannot leave its TPM and was generated there.
pub(crate) const KEY_REQUIRED: u32 = ObjectAttributes::FIXED_TPM
    | ObjectAttributes::FIXED_PARENT
    | ObjectAttributes::SENSITIVE_DATA_ORIGIN
    | ObjectAttributes::SIGN;

/// The attributes a device key must not have.
pub(crate) const KEY_FORBIDDEN: u32 = ObjectAttributes::DECRYPT;

/// An EK's key, as MakeCredential uses it.
#[derive(Clone, Debug)]
pub(crate) enum EkKey {
    /// An RSA EK: the seed is OAEP-encrypted.
    Rsa(rsa::PublicKey),
    /// An ECC P-256 EK: the seed comes from an ephemeral ECDH; `x` is `unique.x` as the public
    /// area holds it (the TPM's partyVInfo).
    EccP256 { point: p256::PublicKey, x: Vec<u8> },
}

/// An endorsement key that can be challenged.
#[derive(Clone, Debug)]
pub(crate) struct Endorsement {
    /// Its nameAlg: the hash of OAEP, KDFe, KDFa and the HMAC.
    pub(crate) hash: NameHash,
    /// Its AES key size in bytes (16 or 32).
    pub(crate) symmetric_key_bytes: usize,
    pub(crate) key: EkKey,
}

/// `value` left-padded with zeros to `size` bytes, if it fits.
pub(crate) fn left_pad(value: &[u8], size: usize) -> Option<Vec<u8>> {
    let value = strip_leading_zeros(value);
    if value.len() > size {
        return None;
    }
    let mut out = vec![0; size - value.len()];
    out.extend_from_slice(value);
    Some(out)
}

/// The SEC1 uncompressed point `04 || x || y` of P-256 coordinates.
pub(crate) fn p256_point(x: &[u8], y: &[u8]) -> Option<p256::PublicKey> {
    let mut sec1 = vec![0x04];
    sec1.extend_from_slice(&left_pad(x, 32)?);
    sec1.extend_from_slice(&left_pad(y, 32)?);
    p256::PublicKey::from_sec1_bytes(&sec1).ok()
}

/// Checks that `public` is an endorsement key (restricted decrypt, fixedTPM, fixedParent, not
/// sign) that this crate can make a credential for (RSA 2048 to 4096 or ECC P-256, AES-CFB,
/// nameAlg SHA-256/384/512).
pub(crate) fn check_endorsement(public: &TpmPublic) -> Result<Endorsement, TpmRefusal> {
    let attributes = public.attributes;
    let missing = attributes.missing(EK_REQUIRED);
    if !missing.is_empty() {
        return Err(TpmRefusal::EkNotAnEndorsementKey(format!(
            "missing {}",
            missing.join(", ")
        )));
    }
    if attributes.has(ObjectAttributes::SIGN) {
        return Err(TpmRefusal::EkNotAnEndorsementKey(
            "a signing key (sign is set)".into(),
        ));
    }
    let hash = NameHash::from_alg(public.name_alg).ok_or_else(|| {
        TpmRefusal::EkUnsupported(format!("nameAlg {}", alg_name(public.name_alg)))
    })?;
    let symmetric = match &public.key {
        PublicKeyArea::Rsa { symmetric, .. } | PublicKeyArea::Ecc { symmetric, .. } => *symmetric,
    };
    let symmetric = symmetric.ok_or_else(|| {
        TpmRefusal::EkNotAnEndorsementKey("a storage key without a symmetric algorithm".into())
    })?;
    if symmetric.algorithm != TPM_ALG_AES
        || symmetric.mode != TPM_ALG_CFB
        || !matches!(symmetric.key_bits, 128 | 256)
    {
        return Err(TpmRefusal::EkUnsupported(format!(
            "symmetric {} {} bits in {}, not AES-128 or AES-256 in CFB mode",
            alg_name(symmetric.algorithm),
            symmetric.key_bits,
            alg_name(symmetric.mode)
        )));
    }
    let key = match &public.key {
        PublicKeyArea::Rsa {
            key_bits,
            exponent,
            modulus,
            ..
        } => {
            if !matches!(key_bits, 2048 | 3072 | 4096)
                || modulus.len() != usize::from(*key_bits / 8)
            {
                return Err(TpmRefusal::EkUnsupported(format!(
                    "an RSA key of {key_bits} bits with a {}-byte modulus",
                    modulus.len()
                )));
            }
            let exponent = if *exponent == 0 { 65537 } else { *exponent };
            let key = rsa::PublicKey::new(
                rsa::BoxedUint::from_be_slice_vartime(modulus),
                rsa::BoxedUint::from(u64::from(exponent)),
            )
            .map_err(|error| {
                TpmRefusal::EkUnsupported(format!("the RSA key is not usable: {error}"))
            })?;
            EkKey::Rsa(key)
        }
        PublicKeyArea::Ecc { curve, x, y, .. } => {
            if *curve != TPM_ECC_NIST_P256 {
                return Err(TpmRefusal::EkUnsupported(format!(
                    "ECC curve {curve:#06x}; only NIST P-256 EKs are supported"
                )));
            }
            let point = p256_point(x, y).ok_or_else(|| {
                TpmRefusal::malformed("ekPublic", "unique is not a point on P-256")
            })?;
            EkKey::EccP256 {
                point,
                x: x.clone(),
            }
        }
    };
    Ok(Endorsement {
        hash,
        symmetric_key_bytes: usize::from(symmetric.key_bits / 8),
        key,
    })
}

/// Checks that `public` is an attestation key whose certifications this crate verifies: a
/// restricted signing key that is fixedTPM, fixedParent and sensitiveDataOrigin and cannot
/// decrypt, ECC P-256 with ECDSA over SHA-256, nameAlg SHA-256/384/512.
pub(crate) fn check_attestation_key(
    public: &TpmPublic,
) -> Result<p256::ecdsa::VerifyingKey, TpmRefusal> {
    let attributes = public.attributes;
    let missing = attributes.missing(AK_REQUIRED);
    if !missing.is_empty() {
        return Err(TpmRefusal::AkNotRestrictedSigning(format!(
            "missing {}",
            missing.join(", ")
        )));
    }
    if attributes.has(ObjectAttributes::DECRYPT) {
        return Err(TpmRefusal::AkNotRestrictedSigning(
            "it can decrypt (decrypt is set)".into(),
        ));
    }
    if NameHash::from_alg(public.name_alg).is_none() {
        return Err(TpmRefusal::AkUnsupported(format!(
            "nameAlg {}",
            alg_name(public.name_alg)
        )));
    }
    match &public.key {
        PublicKeyArea::Ecc {
            scheme,
            curve,
            x,
            y,
            ..
        } => {
            if *curve != TPM_ECC_NIST_P256 {
                return Err(TpmRefusal::AkUnsupported(format!(
                    "ECC curve {curve:#06x}; only NIST P-256 AKs are supported"
                )));
            }
            match scheme {
                Some(scheme)
                    if scheme.scheme == TPM_ALG_ECDSA && scheme.hash_alg == TPM_ALG_SHA256 => {}
                Some(scheme) => {
                    return Err(TpmRefusal::AkUnsupported(format!(
                        "scheme {} with {}, not ECDSA with SHA-256",
                        alg_name(scheme.scheme),
                        alg_name(scheme.hash_alg)
                    )))
                }
                None => {
                    return Err(TpmRefusal::AkUnsupported(
                        "no signing scheme (a restricted signing key needs one)".into(),
                    ))
                }
            }
            let point = p256_point(x, y).ok_or_else(|| {
                TpmRefusal::malformed("akPublic", "unique is not a point on P-256")
            })?;
            Ok(p256::ecdsa::VerifyingKey::from(point))
        }
        PublicKeyArea::Rsa { .. } => Err(TpmRefusal::AkUnsupported(
            "an RSA attestation key; only ECDSA P-256 AKs are supported".into(),
        )),
    }
}
