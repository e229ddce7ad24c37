//! TPM2_MakeCredential in software (TPM 2.0 Part 1, "Credential Protection"; Part 3,
//! TPM2_MakeCredential): a credential only the TPM holding both the EK and the AK of a given
//! name can recover with TPM2_ActivateCredential.

use p256::elliptic_curve::point::AffineCoordinates as _;
use zeroize::Zeroizing;

use super::kdf::{aes_cfb_encrypt_zero_iv, hmac, kdfa, kdfe};
use super::keys::{EkKey, Endorsement};
use super::marshal::put_tpm2b;
use super::refusal::TpmRefusal;
use super::structures::NameHash;

/// The label of the seed's protection (OAEP label and KDFe "Use"), with its terminating NUL
/// for OAEP.
const IDENTITY_WITH_NUL: &[u8] = b"IDENTITY\0";
/// The label without the NUL that KDFa and KDFe append.
const IDENTITY: &[u8] = b"IDENTITY";
const STORAGE: &[u8] = b"STORAGE";
const INTEGRITY: &[u8] = b"INTEGRITY";

/// `count` bytes from the operating system's random source.
pub(crate) fn random_bytes(count: usize) -> Result<Zeroizing<Vec<u8>>, TpmRefusal> {
    let mut bytes = Zeroizing::new(vec![0; count]);
    getrandom::fill(&mut bytes)
        .map_err(|error| TpmRefusal::RandomUnavailable(error.to_string()))?;
    Ok(bytes)
}

/// The two halves TPM2_ActivateCredential takes: `credentialBlob` (the contents of
/// TPM2B_ID_OBJECT: TPM2B integrityHMAC, then encIdentity) and `secret` (the contents of
/// TPM2B_ENCRYPTED_SECRET).
pub(crate) struct MadeCredential {
    pub(crate) credential_blob: Vec<u8>,
    pub(crate) encrypted_secret: Vec<u8>,
}

/// Protects `credential` for the AK named `ak_name` under the endorsement key `ek`.
pub(crate) fn make_credential(
    ek: &Endorsement,
    ak_name: &[u8],
    credential: &[u8],
) -> Result<MadeCredential, TpmRefusal> {
    let hash = ek.hash;
    let (seed, encrypted_secret) = match &ek.key {
        EkKey::Rsa(key) => {
            let seed = random_bytes(hash.size())?;
            let mut rng = getrandom::SysRng;
            let encrypted = match hash {
                NameHash::Sha256 => key.encrypt(
                    &mut rng,
                    rsa::Oaep::<sha2::Sha256>::new_with_label(IDENTITY_WITH_NUL),
                    &seed,
                ),
                NameHash::Sha384 => key.encrypt(
                    &mut rng,
                    rsa::Oaep::<sha2::Sha384>::new_with_label(IDENTITY_WITH_NUL),
                    &seed,
                ),
                NameHash::Sha512 => key.encrypt(
                    &mut rng,
                    rsa::Oaep::<sha2::Sha512>::new_with_label(IDENTITY_WITH_NUL),
                    &seed,
                ),
            }
            .map_err(|error| {
                TpmRefusal::EkUnsupported(format!("RSA-OAEP of the seed failed: {error}"))
            })?;
            (seed, encrypted)
        }
        EkKey::EccP256 { point, x: ek_x } => {
            let scalar = random_scalar()?;
            let ephemeral = (p256::ProjectivePoint::GENERATOR * **scalar).to_affine();
            let shared = (point.to_projective() * **scalar).to_affine();
            let z = Zeroizing::new(shared.x().to_vec());
            let ephemeral_x = ephemeral.x().to_vec();
            let ephemeral_y = ephemeral.y().to_vec();
            let bits = u32::try_from(hash.size() * 8).unwrap_or(256);
            let seed = kdfe(hash, &z, IDENTITY, &ephemeral_x, ek_x, bits);
            let mut encrypted = Vec::with_capacity(4 + 64);
            put_tpm2b(&mut encrypted, &ephemeral_x).ok_or_else(too_long)?;
            put_tpm2b(&mut encrypted, &ephemeral_y).ok_or_else(too_long)?;
            (seed, encrypted)
        }
    };
    let symmetric_bits = u32::try_from(ek.symmetric_key_bytes * 8).unwrap_or(128);
    let symmetric_key = kdfa(hash, &seed, STORAGE, ak_name, &[], symmetric_bits);
    let mut enc_identity = Vec::with_capacity(2 + credential.len());
    put_tpm2b(&mut enc_identity, credential).ok_or_else(too_long)?;
    aes_cfb_encrypt_zero_iv(&symmetric_key, &mut enc_identity).ok_or_else(|| {
        TpmRefusal::EkUnsupported("the EK's AES key size is not 128 or 256 bits".into())
    })?;
    let hmac_bits = u32::try_from(hash.size() * 8).unwrap_or(256);
    let hmac_key = kdfa(hash, &seed, INTEGRITY, &[], &[], hmac_bits);
    let integrity = hmac(hash, &hmac_key, &[&enc_identity, ak_name]);
    let mut credential_blob = Vec::with_capacity(2 + integrity.len() + enc_identity.len());
    put_tpm2b(&mut credential_blob, &integrity).ok_or_else(too_long)?;
    credential_blob.extend_from_slice(&enc_identity);
    Ok(MadeCredential {
        credential_blob,
        encrypted_secret,
    })
}

/// A P-256 scalar from the OS random source, drawn again in the negligible case that 32 random
/// bytes are zero or not below the group order.
fn random_scalar() -> Result<Zeroizing<p256::NonZeroScalar>, TpmRefusal> {
    for _ in 0..64 {
        let bytes = random_bytes(32)?;
        let mut repr = p256::FieldBytes::default();
        repr.copy_from_slice(&bytes);
        let scalar: Option<p256::NonZeroScalar> = p256::NonZeroScalar::from_repr(repr).into();
        repr.iter_mut().for_each(|byte| *byte = 0);
        if let Some(scalar) = scalar {
            return Ok(Zeroizing::new(scalar));
        }
    }
    Err(TpmRefusal::RandomUnavailable(
        "no P-256 scalar in 64 draws".into(),
    ))
}

fn too_long() -> TpmRefusal {
    TpmRefusal::malformed("credential", "longer than a TPM2B can hold")
}
