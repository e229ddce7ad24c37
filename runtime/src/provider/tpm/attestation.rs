//! TPM attestation: who the TPM is (its endorsement key, EK, and the EK certificate its maker
//! put in NV), an attestation key (AK) that lives in the same TPM, the proof that it does
//! (`TPM2_ActivateCredential` of a verifier's challenge), and the AK's certification of a
//! device key (`TPM2_Certify`).
//!
//! # The endorsement key
//!
//! The EK is the primary key the TCG EK Credential Profile's template L-1 (RSA 2048) or L-2
//! (ECC NIST P-256) makes in the endorsement hierarchy: `fixedTPM | fixedParent |
//! sensitiveDataOrigin | adminWithPolicy | restricted | decrypt`, the policy
//! `PolicySecret(TPM_RH_ENDORSEMENT)`, AES-128-CFB, a zero `unique`. Which one: RSA if its
//! certificate index (`0x01c00002`) exists, else ECC P-256 if its index (`0x01c0000a`) does,
//! else RSA without a certificate. The certificate is read in chunks of at most the TPM's
//! `TPM_PT_NV_BUFFER_MAX` (1024 bytes at most), authorized by the index itself (EK certificate
//! indices have `TPMA_NV_AUTHREAD` and an empty auth value), or by the owner hierarchy if the
//! TPM refuses that; at most `MAX_EK_CERTIFICATE` bytes are passed on, and padding after the
//! certificate's DER is cut off. The EK itself is the persistent one at the TCG's handle
//! (`0x81010001` for RSA, `0x81010002` for ECC) when its public area has the template's
//! attributes, policy and parameters, else it is derived (`TPM2_CreatePrimary`) for the
//! operation and flushed after it.
//!
//! # The attestation key
//!
//! The AK is a restricted ECDSA P-256 (SHA-256) signing key, also a primary of the endorsement
//! hierarchy (empty auth, no policy, `fixedTPM | fixedParent | sensitiveDataOrigin |
//! userWithAuth | restricted | sign`), whose template's `unique.x` holds 32 random bytes chosen
//! once per state directory ([`ak_record`](super::ak_record)): each state directory has its own
//! AK, which the TPM derives again, identically, at every use, and which is never stored. Its
//! public area is recorded with the 32 bytes, and each derivation must give exactly the
//! recorded one: a TPM whose endorsement seed changed gives another key, and that is `keyLost`
//! with what to do.
//!
//! # Slots, sessions, deadlines
//!
//! An attestation operation holds the AK (and a derived EK) only while it runs, and flushes
//! them before it answers, whatever the outcome; the room they need is made as for any load,
//! by flushing the least recently used cached device keys (never the key being certified), so
//! the keys still cached sign afterwards with one command as before. The policy session of
//! `TPM2_ActivateCredential` is flushed by the TPM when the command succeeds and by the
//! provider on every other path. The operations run under the same per-request deadline as
//! signatures (`TpmOptions::operation_timeout`, the server's `--tpm-timeout`): deriving an RSA
//! EK can take seconds on a discrete TPM (more on a slow one), which the default of 20 s
//! covers; a TPM that takes longer makes the request fail with `hardwareTimeout` rather than
//! wait for ever.

use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

use super::ak_record::{self, AkRecord};
use super::commands::{
    Certified, NvPublic, Reader, TpmError, ALG_SHA256, RH_ENDORSEMENT, RH_OWNER,
};
use super::endorsement::{
    EK_CERTIFICATE_ECC_P256, EK_CERTIFICATE_RSA_2048, MAX_EK_CERTIFICATE, PERSISTENT_EK_ECC_P256,
    PERSISTENT_EK_RSA_2048,
};
use super::{
    crypto_failure, signature_from_scalars, spki_der, Connected, Failure, KeyBlob, TpmProvider,
};
use crate::provider::{
    KeyAttestation, TpmCertification, TpmIdentity, MAX_CREDENTIAL_BLOB_LEN,
    MAX_ENCRYPTED_SECRET_LEN,
};
use devicekey_proof::{DeviceKeyError, KeyId};
use devicekey_protocol::types::{DeviceKeyProtectionClass, DomainErrorKind};

/// `PolicySecret(TPM_RH_ENDORSEMENT)`, the EK templates' `authPolicy`.
const EK_POLICY: [u8; 32] = [
    0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xB3, 0xF8, 0x1A, 0x90, 0xCC, 0x8D, 0x46, 0xA5, 0xD7, 0x24,
    0xFD, 0x52, 0xD7, 0x6E, 0x06, 0x52, 0x0B, 0x64, 0xF2, 0xA1, 0xDA, 0x1B, 0x33, 0x14, 0x69, 0xAA,
];
/// `fixedTPM | fixedParent | sensitiveDataOrigin | adminWithPolicy | restricted | decrypt`.
const EK_ATTRIBUTES: u32 = 0x0003_00B2;
/// `fixedTPM | fixedParent | sensitiveDataOrigin | userWithAuth | restricted | sign`.
const AK_ATTRIBUTES: u32 = 0x0005_0072;
/// `TPM_ALG_RSA`, `TPM_ALG_ECC`, `TPM_ALG_AES`, `TPM_ALG_CFB`, `TPM_ALG_ECDSA`, `TPM_ALG_NULL`.
const ALG_RSA: u16 = 0x0001;
const ALG_ECC: u16 = 0x0023;
const ALG_AES: u16 = 0x0006;
const ALG_CFB: u16 = 0x0043;
const ALG_ECDSA: u16 = 0x0018;
const ALG_NULL: u16 = 0x0010;
/// `TPM_ECC_NIST_P256`.
const ECC_NIST_P256: u16 = 0x0003;
/// `TPM_RC_FAILURE`.
const RC_FAILURE: u32 = 0x101;
/// `TPM_GENERATED_VALUE`, `TPM_ST_ATTEST_CERTIFY`.
const GENERATED_VALUE: u32 = 0xFF54_4347;
const ST_ATTEST_CERTIFY: u16 = 0x8017;
/// The NV read chunk when the TPM does not say its `TPM_PT_NV_BUFFER_MAX`, and the most asked
/// for in one read whatever it says.
const NV_CHUNK_DEFAULT: u16 = 512;
const NV_CHUNK_MAX: u32 = 1024;

/// Which EK.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EkKind {
    /// Template L-1.
    Rsa2048,
    /// Template L-2.
    EccP256,
}

impl EkKind {
    fn persistent_handle(self) -> u32 {
        match self {
            EkKind::Rsa2048 => PERSISTENT_EK_RSA_2048,
            EkKind::EccP256 => PERSISTENT_EK_ECC_P256,
        }
    }

    /// The template's `TPMT_PUBLIC` up to `unique`: type, nameAlg, attributes, policy and
    /// parameters, which the EK's public area must have exactly.
    fn fixed_part(self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(64);
        let algorithm = match self {
            EkKind::Rsa2048 => ALG_RSA,
            EkKind::EccP256 => ALG_ECC,
        };
        bytes.extend_from_slice(&algorithm.to_be_bytes());
        bytes.extend_from_slice(&ALG_SHA256.to_be_bytes());
        bytes.extend_from_slice(&EK_ATTRIBUTES.to_be_bytes());
        bytes.extend_from_slice(&32u16.to_be_bytes());
        bytes.extend_from_slice(&EK_POLICY);
        for field in [ALG_AES, 128, ALG_CFB, ALG_NULL] {
            bytes.extend_from_slice(&field.to_be_bytes());
        }
        match self {
            // keyBits 2048, exponent 0 (the default, 2^16 + 1).
            EkKind::Rsa2048 => {
                bytes.extend_from_slice(&2048u16.to_be_bytes());
                bytes.extend_from_slice(&0u32.to_be_bytes());
            }
            // curveID, kdf TPM_ALG_NULL.
            EkKind::EccP256 => {
                bytes.extend_from_slice(&ECC_NIST_P256.to_be_bytes());
                bytes.extend_from_slice(&ALG_NULL.to_be_bytes());
            }
        }
        bytes
    }

    /// The sizes of the `unique` fields: the RSA modulus, or the ECC point's `x` and `y`.
    fn unique_sizes(self) -> &'static [u16] {
        match self {
            EkKind::Rsa2048 => &[256],
            EkKind::EccP256 => &[32, 32],
        }
    }

    /// The template as the `TPM2B_PUBLIC` `TPM2_CreatePrimary` takes: the fixed part and a
    /// `unique` of zeros.
    fn template(self) -> Vec<u8> {
        let mut public = self.fixed_part();
        for &size in self.unique_sizes() {
            public.extend_from_slice(&size.to_be_bytes());
            public.resize(public.len() + usize::from(size), 0);
        }
        tpm2b(&public)
    }

    /// Whether `public` (a `TPMT_PUBLIC`) is this template's EK: the fixed part, then a
    /// `unique` of the template's sizes, and nothing more.
    fn is_its_public(self, public: &[u8]) -> bool {
        let Some(mut rest) = public.strip_prefix(self.fixed_part().as_slice()) else {
            return false;
        };
        for &size in self.unique_sizes() {
            match rest.split_first_chunk::<2>() {
                Some((length, tail)) if u16::from_be_bytes(*length) == size => {
                    match tail.get(usize::from(size)..) {
                        Some(after) => rest = after,
                        None => return false,
                    }
                }
                _ => return false,
            }
        }
        rest.is_empty()
    }
}

/// The AK template's `TPMT_PUBLIC` up to `unique`.
fn ak_fixed_part() -> Vec<u8> {
    let mut bytes = Vec::with_capacity(24);
    bytes.extend_from_slice(&ALG_ECC.to_be_bytes());
    bytes.extend_from_slice(&ALG_SHA256.to_be_bytes());
    bytes.extend_from_slice(&AK_ATTRIBUTES.to_be_bytes());
    // authPolicy empty; symmetric NULL; scheme ECDSA with SHA-256; NIST P-256; kdf NULL.
    for field in [0, ALG_NULL, ALG_ECDSA, ALG_SHA256, ECC_NIST_P256, ALG_NULL] {
        bytes.extend_from_slice(&field.to_be_bytes());
    }
    bytes
}

/// The AK template (a `TPM2B_PUBLIC`) of a state directory whose record holds `unique`:
/// `unique.x` the 32 bytes, `unique.y` empty.
fn ak_template(unique: &[u8; 32]) -> Vec<u8> {
    let mut public = ak_fixed_part();
    public.extend_from_slice(&32u16.to_be_bytes());
    public.extend_from_slice(unique);
    public.extend_from_slice(&0u16.to_be_bytes());
    tpm2b(&public)
}

/// The P-256 key of an AK public area (`TPMT_PUBLIC`): the AK template's fixed part, then a
/// point of two 32-byte coordinates on the curve, and nothing more.
fn ak_verifying_key(public: &[u8]) -> Option<p256::ecdsa::VerifyingKey> {
    let rest = public.strip_prefix(ak_fixed_part().as_slice())?;
    let (x_size, rest) = rest.split_first_chunk::<2>()?;
    let (x, rest) = rest.split_first_chunk::<32>()?;
    let (y_size, rest) = rest.split_first_chunk::<2>()?;
    let (y, rest) = rest.split_first_chunk::<32>()?;
    if u16::from_be_bytes(*x_size) != 32 || u16::from_be_bytes(*y_size) != 32 || !rest.is_empty() {
        return None;
    }
    let mut sec1 = [0u8; 65];
    sec1[0] = 4;
    sec1[1..33].copy_from_slice(x);
    sec1[33..].copy_from_slice(y);
    p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).ok()
}

/// Whether `public` is an AK public area this provider would record.
pub(super) fn is_ak_public(public: &[u8]) -> bool {
    ak_verifying_key(public).is_some()
}

/// The name of an object whose nameAlg is SHA-256: `TPM_ALG_SHA256` and the SHA-256 of its
/// `TPMT_PUBLIC`.
pub(super) fn sha256_name(public: &[u8]) -> Vec<u8> {
    let mut name = ALG_SHA256.to_be_bytes().to_vec();
    name.extend_from_slice(&Sha256::digest(public));
    name
}

/// `bytes` with a TPM2B size field in front (callers pass less than 64 KiB).
fn tpm2b(bytes: &[u8]) -> Vec<u8> {
    let mut out = (bytes.len() as u16).to_be_bytes().to_vec();
    out.extend_from_slice(bytes);
    out
}

/// The length of the DER element `bytes` starts with, if it starts with a SEQUENCE of a
/// definite length of at most 64 KiB.
fn der_sequence_length(bytes: &[u8]) -> Option<usize> {
    let (&0x30, rest) = bytes.split_first()? else {
        return None;
    };
    let (&first, rest) = rest.split_first()?;
    if first < 0x80 {
        return Some(2 + usize::from(first));
    }
    let count = usize::from(first & 0x7F);
    if !(1..=2).contains(&count) {
        return None;
    }
    let length = rest
        .get(..count)?
        .iter()
        .fold(0usize, |length, &byte| length << 8 | usize::from(byte));
    Some(2 + count + length)
}

/// 32 bytes from the operating system's random source.
fn random_32() -> Result<[u8; 32], DeviceKeyError> {
    use rand::TryRngCore as _;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|error| {
            DeviceKeyError::new(
                DomainErrorKind::PlatformFailure,
                format!("the operating system random source failed: {error}"),
            )
        })?;
    Ok(bytes)
}

/// Whether `error` says there is nothing at the handle a command named: `TPM_RC_HANDLE` on a
/// handle (an NV index or a persistent object that does not exist).
fn nothing_there(error: TpmError) -> bool {
    const FORMAT_1: u32 = 0x080;
    const PARAMETER: u32 = 0x040;
    const SESSION: u32 = 0x800;
    const HANDLE: u32 = 0x00B;
    error.tpm_code().is_some_and(|code| {
        code & FORMAT_1 != 0
            && code & PARAMETER == 0
            && code & SESSION == 0
            && code & 0x3F == HANDLE
    })
}

/// Whether `error` is the TPM's refusal of parameter 1 or 2 of a command (a format-one code
/// with the parameter flag): for `TPM2_ActivateCredential`, the credential blob or the secret.
fn refuses_parameter_1_or_2(error: TpmError) -> bool {
    const FORMAT_1: u32 = 0x080;
    const PARAMETER: u32 = 0x040;
    error.tpm_code().is_some_and(|code| {
        code & FORMAT_1 != 0 && code & PARAMETER != 0 && matches!((code >> 8) & 0xF, 1 | 2)
    })
}

/// The EK an operation uses.
struct Ek {
    handle: u32,
    /// Its `TPMT_PUBLIC`.
    public: Vec<u8>,
}

impl Connected {
    /// Runs `operation`, then flushes the attestation objects it loaded (the AK, a derived EK),
    /// whatever it returned.
    fn attesting<T>(
        &mut self,
        operation: impl FnOnce(&mut Connected) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let outcome = operation(self);
        for handle in std::mem::take(&mut self.attestation) {
            self.flush(handle);
        }
        outcome
    }

    /// Derives the AK of `unique` (`TPM2_CreatePrimary` in the endorsement hierarchy), making
    /// room as a load does (never evicting `keep`), and holds it for the operation; its handle
    /// and `TPMT_PUBLIC`. With `recorded`, the public area must be that one.
    fn derive_ak(
        &mut self,
        unique: &[u8; 32],
        recorded: Option<(&[u8], &str)>,
        keep: Option<&KeyId>,
    ) -> Result<(u32, Vec<u8>), Failure> {
        let template = ak_template(unique);
        let created = self
            .with_room(keep, |tpm| tpm.create_primary(RH_ENDORSEMENT, &template))
            .map_err(|error| self.settle(error))?;
        self.forget_if_reused(created.handle);
        self.attestation.push(created.handle);
        let public = created.public.get(2..).unwrap_or_default().to_vec();
        if !is_ak_public(&public) {
            return Err(Failure::Command(TpmError::Malformed {
                command: super::commands::cc::CREATE_PRIMARY,
            }));
        }
        if let Some((recorded, path)) = recorded {
            if public != recorded {
                return Err(Failure::Final(DeviceKeyError::new(
                    DomainErrorKind::KeyLost,
                    format!(
                        "the TPM's attestation key is not the one recorded in {path}: the TPM \
                         derives another key from the same template, so its endorsement seed \
                         changed (TPM2_ChangeEPS, or the TPM was cleared or replaced); the \
                         recorded attestation key can never be used again, and verifiers that \
                         enrolled it must enroll this TPM again: move the record away to have a \
                         new attestation key made"
                    ),
                )));
            }
        }
        Ok((created.handle, public))
    }

    /// Flushes an attestation object before the operation ends.
    fn release(&mut self, handle: u32) {
        self.attestation.retain(|&held| held != handle);
        self.flush(handle);
    }

    /// A new AK for a state directory without one: derived, flushed, its `TPMT_PUBLIC`.
    pub(super) fn new_attestation_key(&mut self, unique: &[u8; 32]) -> Result<Vec<u8>, Failure> {
        self.attesting(|connected| Ok(connected.derive_ak(unique, None, None)?.1))
    }

    /// Which EK, and the public area of its certificate's NV index if there is one.
    fn choose_ek(&mut self) -> Result<(EkKind, Option<(u32, NvPublic)>), Failure> {
        for (kind, index) in [
            (EkKind::Rsa2048, EK_CERTIFICATE_RSA_2048),
            (EkKind::EccP256, EK_CERTIFICATE_ECC_P256),
        ] {
            match self.tpm.nv_read_public(index) {
                Ok(public) => return Ok((kind, Some((index, public)))),
                Err(error) if nothing_there(error) => {}
                Err(error) => return Err(error.into()),
            }
        }
        Ok((EkKind::Rsa2048, None))
    }

    /// The certificate in the NV index `index` (see the module docs).
    fn ek_certificate(&mut self, index: u32, public: NvPublic) -> Result<Vec<u8>, Failure> {
        let size = usize::from(public.data_size);
        if size == 0 || size > MAX_EK_CERTIFICATE {
            return Err(Failure::Final(DeviceKeyError::new(
                DomainErrorKind::PlatformFailure,
                format!(
                    "the EK certificate's NV index {index:#010x} holds {size} bytes; an EK \
                     certificate of 1 to {MAX_EK_CERTIFICATE} bytes is expected"
                ),
            )));
        }
        let chunk = match self.tpm.nv_buffer_max() {
            Ok(Some(max)) => max.clamp(1, NV_CHUNK_MAX) as u16,
            Ok(None) => NV_CHUNK_DEFAULT,
            Err(error) if error.tpm_code().is_some() => NV_CHUNK_DEFAULT,
            Err(error) => return Err(error.into()),
        };
        let mut data = match self.nv_read_all(index, index, public.data_size, chunk) {
            Ok(data) => data,
            Err(error) if error.tpm_code().is_some() => {
                tracing::debug!(
                    tcti = self.tcti.as_str(),
                    %error,
                    "the TPM refused to read the EK certificate with the index's own \
                     authorization; reading it with the owner hierarchy's"
                );
                self.nv_read_all(RH_OWNER, index, public.data_size, chunk)?
            }
            Err(error) => return Err(error.into()),
        };
        // An index larger than its certificate holds padding after the DER.
        if let Some(length) = der_sequence_length(&data).filter(|&length| length <= data.len()) {
            data.truncate(length);
        }
        Ok(data)
    }

    /// `size` bytes of the NV index `index`, read in chunks of `chunk` bytes authorized by
    /// `auth`.
    fn nv_read_all(
        &mut self,
        auth: u32,
        index: u32,
        size: u16,
        chunk: u16,
    ) -> Result<Vec<u8>, TpmError> {
        let mut data = Vec::with_capacity(usize::from(size));
        let mut offset: u16 = 0;
        while offset < size {
            let count = chunk.min(size - offset);
            data.extend_from_slice(&self.tpm.nv_read(auth, index, count, offset)?);
            offset += count;
        }
        Ok(data)
    }

    /// The EK of `kind`: the persistent one if it is the template's, else derived and held for
    /// the operation.
    fn endorsement_key(&mut self, kind: EkKind, keep: Option<&KeyId>) -> Result<Ek, Failure> {
        let handle = kind.persistent_handle();
        // A persistent object takes a slot while a command uses it, this one too.
        match self.with_room(keep, |tpm| tpm.read_public(handle)) {
            Ok((public, _)) => {
                let public = public.get(2..).unwrap_or_default();
                if kind.is_its_public(public) {
                    return Ok(Ek {
                        handle,
                        public: public.to_vec(),
                    });
                }
                tracing::info!(
                    tcti = self.tcti.as_str(),
                    "the persistent key at {handle:#x} is not the TCG template's EK; deriving \
                     the EK"
                );
            }
            Err(error) if error.tpm_code().is_some() => {}
            Err(error) => return Err(error.into()),
        }
        let template = kind.template();
        let created = self
            .with_room(keep, |tpm| tpm.create_primary(RH_ENDORSEMENT, &template))
            .map_err(|error| self.settle(error))?;
        self.forget_if_reused(created.handle);
        self.attestation.push(created.handle);
        let public = created.public.get(2..).unwrap_or_default();
        if !kind.is_its_public(public) {
            return Err(Failure::Command(TpmError::Malformed {
                command: super::commands::cc::CREATE_PRIMARY,
            }));
        }
        Ok(Ek {
            handle: created.handle,
            public: public.to_vec(),
        })
    }

    /// `device/tpm/identity`: the EK certificate, the EK's and the recorded AK's public areas.
    pub(super) fn identity(
        &mut self,
        record: &AkRecord,
        record_path: &str,
    ) -> Result<TpmIdentity, Failure> {
        self.attesting(|connected| {
            let (ak, ak_public) =
                connected.derive_ak(&record.unique, Some((&record.public, record_path)), None)?;
            connected.release(ak);
            let (kind, index) = connected.choose_ek()?;
            let ek_certificate = match index {
                Some((index, public)) => Some(connected.ek_certificate(index, public)?),
                None => None,
            };
            let ek = connected.endorsement_key(kind, None)?;
            Ok(TpmIdentity {
                ek_certificate,
                ek_public: ek.public,
                ak_public,
            })
        })
    }

    /// `device/tpm/activateCredential`: the AK (`ADMIN` role, its empty password) and the EK
    /// (its policy, `PolicySecret(TPM_RH_ENDORSEMENT)`, in a policy session of its own) recover
    /// the challenge's credential.
    pub(super) fn activate(
        &mut self,
        record: &AkRecord,
        record_path: &str,
        credential_blob: &[u8],
        secret: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Failure> {
        let nonces = (
            random_32().map_err(Failure::Final)?,
            random_32().map_err(Failure::Final)?,
        );
        self.attesting(|connected| {
            let (ak, _) =
                connected.derive_ak(&record.unique, Some((&record.public, record_path)), None)?;
            let (kind, _) = connected.choose_ek()?;
            let ek = connected.endorsement_key(kind, None)?;
            let session = connected.tpm.start_policy_session(&nonces.0)?;
            let activated = connected
                .tpm
                .policy_secret(RH_ENDORSEMENT, session)
                .and_then(|()| {
                    // A persistent EK takes a slot while the command runs.
                    connected.with_room(None, |tpm| {
                        tpm.activate_credential(
                            ak,
                            ek.handle,
                            session,
                            &nonces.1,
                            credential_blob,
                            secret,
                        )
                    })
                });
            match activated {
                Ok(credential) => Ok(credential),
                Err(error) => {
                    // Left open by a failed command (a successful one closed it).
                    if let Err(flush) = connected.tpm.flush_context(session) {
                        tracing::debug!(%flush, "the policy session was flushed already");
                    }
                    // libtpms (swtpm) answers a secret its RSA-OAEP decryption rejects with
                    // TPM_RC_FAILURE, which otherwise means a TPM in failure mode: one that
                    // still answers is not.
                    let failure_not_failure_mode =
                        error.tpm_code() == Some(RC_FAILURE) && connected.tpm.get_random(1).is_ok();
                    if refuses_parameter_1_or_2(error) || failure_not_failure_mode {
                        return Err(Failure::Final(DeviceKeyError::new(
                            DomainErrorKind::CryptoFailure,
                            format!(
                                "the TPM refused the credential challenge ({error}): it does \
                                 not match this TPM's endorsement key and attestation key (it \
                                 was made for another EK or another key's name, or its blob or \
                                 secret was altered); nothing was recovered"
                            ),
                        )));
                    }
                    Err(error.into())
                }
            }
        })
    }

    /// `device/key/certify`: `key_id`, loaded from `blob` as for a signature (never evicted to
    /// make room for the AK), certified by the AK over `nonce`.
    pub(super) fn certify_key(
        &mut self,
        record: &AkRecord,
        record_path: &str,
        key_id: &KeyId,
        blob: &KeyBlob,
        nonce: &[u8; 32],
    ) -> Result<Certified, Failure> {
        self.attesting(|connected| {
            let key = connected.load(key_id, blob)?;
            let (ak, _) = connected.derive_ak(
                &record.unique,
                Some((&record.public, record_path)),
                Some(key_id),
            )?;
            Ok(connected.tpm.certify(key, ak, nonce)?)
        })
    }
}

/// Checks a `TPMS_ATTEST` of `TPM2_Certify`: made by the TPM, of type certify, over `nonce`,
/// and naming the object `name`.
fn attests(attest: &[u8], nonce: &[u8; 32], name: &[u8]) -> bool {
    let mut reader = Reader {
        bytes: attest,
        command: super::commands::cc::CERTIFY,
    };
    let read = (|| {
        let magic = reader.u32()?;
        let kind = reader.u16()?;
        reader.tpm2b()?; // qualifiedSigner
        let extra_data = reader.tpm2b()?;
        reader.take(8 + 4 + 4 + 1)?; // clockInfo
        reader.take(8)?; // firmwareVersion
        let certified = reader.tpm2b()?;
        reader.tpm2b()?; // qualifiedName
        Ok::<_, TpmError>((magic, kind, extra_data.to_vec(), certified.to_vec()))
    })();
    let Ok((magic, kind, extra_data, certified)) = read else {
        return false;
    };
    magic == GENERATED_VALUE
        && kind == ST_ATTEST_CERTIFY
        && extra_data.get(2..) == Some(&nonce[..])
        && certified.get(2..) == Some(name)
        && reader.bytes.is_empty()
}

impl TpmProvider {
    /// This state directory's AK record, made (a new AK derived and recorded) when there is
    /// none.
    fn attestation_key(&self) -> Result<AkRecord, DeviceKeyError> {
        let dir = self.blobs.dir();
        if let Some(record) = ak_record::read(dir, is_ak_public)? {
            return Ok(record);
        }
        let unique = random_32()?;
        let public = self.run("derive an attestation key", move |connected| {
            connected.new_attestation_key(&unique)
        })?;
        let record = ak_record::write_new(dir, &AkRecord { unique, public }, is_ak_public)?;
        tracing::info!(
            tcti = self.tcti.as_str(),
            record = %ak_record::path_in(dir).display(),
            "made this state directory's TPM attestation key"
        );
        Ok(record)
    }

    fn record_path(&self) -> String {
        ak_record::path_in(self.blobs.dir()).display().to_string()
    }
}

impl KeyAttestation for TpmProvider {
    fn identity(&self) -> Result<TpmIdentity, DeviceKeyError> {
        let record = self.attestation_key()?;
        let path = self.record_path();
        self.run("read the TPM's attestation identity", move |connected| {
            connected.identity(&record, &path)
        })
    }

    fn activate_credential(
        &self,
        credential_blob: &[u8],
        encrypted_secret: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, DeviceKeyError> {
        for (field, bytes, max) in [
            (
                "credentialBlobBase64",
                credential_blob,
                MAX_CREDENTIAL_BLOB_LEN,
            ),
            (
                "encryptedSecretBase64",
                encrypted_secret,
                MAX_ENCRYPTED_SECRET_LEN,
            ),
        ] {
            if bytes.is_empty() || bytes.len() > max {
                return Err(DeviceKeyError::invalid_params(
                    format!(
                        "{field} must hold 1 to {max} bytes (it holds {}): no TPM challenge is \
                         larger",
                        bytes.len()
                    ),
                    Vec::new(),
                ));
            }
        }
        let record = self.attestation_key()?;
        let path = self.record_path();
        let blob = credential_blob.to_vec();
        let secret = encrypted_secret.to_vec();
        self.run("activate a credential", move |connected| {
            connected.activate(&record, &path, &blob, &secret)
        })
    }

    /// The device key's blob is read once: it is what the TPM loads and certifies, and its
    /// public area is what is answered. The AK's signature is checked in software against the
    /// recorded AK, and the attestation's contents against the nonce and the key's name, before
    /// anything is answered.
    fn certify(
        &self,
        key_id: &KeyId,
        nonce: &[u8; 32],
    ) -> Result<TpmCertification, DeviceKeyError> {
        if key_id.protection_class() != DeviceKeyProtectionClass::HardwareTpm {
            return Err(crate::provider::not_found(key_id));
        }
        let blob = self.read_blob(key_id)?;
        let record = self.attestation_key()?;
        let ak = ak_verifying_key(&record.public)
            .ok_or_else(|| crypto_failure("reading the recorded attestation key"))?;
        let path = self.record_path();
        let job = (record, key_id.clone(), blob.clone(), *nonce);
        let Certified { attest, r, s } = self.run("certify a key", move |connected| {
            let (record, key_id, blob, nonce) = &job;
            connected.certify_key(record, &path, key_id, blob, nonce)
        })?;
        let signature_der = signature_from_scalars(&r, &s)?.to_der().as_bytes().to_vec();
        let ak_spki = devicekey_proof::public_key_spki_der(&ak)?;
        let key_public = blob.public_area.get(2..).unwrap_or_default().to_vec();
        if devicekey_proof::verify_der(&ak_spki, &attest, &signature_der).is_err()
            || !attests(&attest, nonce, &sha256_name(&key_public))
        {
            return Err(DeviceKeyError::new(
                DomainErrorKind::CryptoFailure,
                format!(
                    "the TPM at {} answered a certification of {key_id} that is not this \
                     state directory's attestation key's over this key and nonce (another \
                     program is using this TPM?); nothing is answered",
                    self.tcti
                ),
            ));
        }
        Ok(TpmCertification {
            attest,
            signature_der,
            key_spki_der: spki_der(&blob.public)?,
            key_public,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ek_templates_are_the_tcg_profiles_l1_and_l2() {
        let rsa = EkKind::Rsa2048.template();
        assert_eq!(rsa.len(), 2 + 314);
        assert_eq!(
            &rsa[..12],
            &[1, 0x3A, 0, 1, 0, 0x0B, 0, 3, 0, 0xB2, 0, 0x20]
        );
        assert_eq!(&rsa[12..44], &EK_POLICY);
        assert_eq!(
            &rsa[44..60],
            &[0, 6, 0, 0x80, 0, 0x43, 0, 0x10, 8, 0, 0, 0, 0, 0, 1, 0]
        );
        assert!(rsa[60..].iter().all(|&byte| byte == 0));
        let ecc = EkKind::EccP256.template();
        assert_eq!(ecc.len(), 2 + 122);
        assert_eq!(&ecc[2..4], &[0, 0x23]);
        assert_eq!(
            &ecc[44..58],
            &[0, 6, 0, 0x80, 0, 0x43, 0, 0x10, 0, 3, 0, 0x10, 0, 0x20]
        );
        // A derived EK (a modulus in `unique`) is the template's; another size or attribute
        // is not.
        let mut derived = rsa[2..].to_vec();
        derived[60..].fill(0xA5);
        assert!(EkKind::Rsa2048.is_its_public(&derived));
        assert!(!EkKind::EccP256.is_its_public(&derived));
        let mut longer = derived.clone();
        longer.push(0);
        assert!(!EkKind::Rsa2048.is_its_public(&longer));
        let mut other = derived;
        other[7] |= 0x40; // userWithAuth
        assert!(!EkKind::Rsa2048.is_its_public(&other));
        assert!(EkKind::EccP256.is_its_public(&ecc[2..]));
        assert!(!EkKind::EccP256.is_its_public(&ecc[2..ecc.len() - 1]));
    }

    #[test]
    fn the_ak_template_takes_the_state_directorys_unique_and_its_public_area_is_checked() {
        let template = ak_template(&[7; 32]);
        assert_eq!(
            &template[..26],
            &[
                0, 0x38, 0, 0x23, 0, 0x0B, 0, 5, 0, 0x72, 0, 0, 0, 0x10, 0, 0x18, 0, 0x0B, 0, 3, 0,
                0x10, 0, 0x20, 7, 7
            ]
        );
        assert_eq!(&template[56..], &[0, 0]);
        let key = p256::ecdsa::SigningKey::from_slice(&[3; 32]).unwrap();
        let point = key.verifying_key().to_sec1_point(false);
        let point = point.as_bytes();
        let mut public = ak_fixed_part();
        public.extend_from_slice(&[0, 32]);
        public.extend_from_slice(&point[1..33]);
        public.extend_from_slice(&[0, 32]);
        public.extend_from_slice(&point[33..]);
        assert_eq!(
            ak_verifying_key(&public).as_ref(),
            Some(key.verifying_key())
        );
        // Not on the curve; cut short; another attribute.
        let mut off_curve = public.clone();
        off_curve[public.len() - 1] ^= 1;
        assert!(!is_ak_public(&off_curve));
        assert!(!is_ak_public(&public[..public.len() - 1]));
        let mut decrypting = public;
        decrypting[5] |= 0x02;
        assert!(!is_ak_public(&decrypting));
        assert_eq!(sha256_name(b"abc")[..2], [0, 0x0B]);
    }

    #[test]
    fn padding_after_a_certificate_is_cut_and_other_bytes_are_left_alone() {
        assert_eq!(der_sequence_length(&[0x30, 3, 1, 2, 3, 0, 0]), Some(5));
        assert_eq!(der_sequence_length(&[0x30, 0x82, 1, 0]), Some(4 + 256));
        assert_eq!(der_sequence_length(&[0x30, 0x81]), None);
        assert_eq!(der_sequence_length(&[0x30, 0x80]), None);
        assert_eq!(der_sequence_length(&[0x30, 0x83, 1, 0, 0]), None);
        assert_eq!(der_sequence_length(&[0x31, 1, 0]), None);
        assert_eq!(der_sequence_length(&[]), None);
    }

    #[test]
    fn refusals_are_told_apart_by_their_codes() {
        let code = TpmError::Code;
        // TPM_RC_HANDLE on handle 1: nothing at the index or the persistent handle.
        assert!(nothing_there(code(0x18B)));
        assert!(!nothing_there(code(0x1CB)) && !nothing_there(code(0x98B)));
        assert!(!nothing_there(code(0xA018B)));
        // TPM_RC_INTEGRITY on parameter 1, TPM_RC_VALUE on parameter 2.
        assert!(refuses_parameter_1_or_2(code(0x1DF)));
        assert!(refuses_parameter_1_or_2(code(0x2C4)));
        assert!(!refuses_parameter_1_or_2(code(0x3C4)));
        assert!(!refuses_parameter_1_or_2(code(0x18B)));
        assert!(!refuses_parameter_1_or_2(code(0x902)));
    }

    #[test]
    fn an_ek_certificate_index_of_no_size_or_too_large_is_refused_before_reading() {
        for size in [0u16, 3073, u16::MAX] {
            let (tpm, mut connected) = super::super::tests::scripted_connection();
            let sent = tpm.sent().len();
            let public = NvPublic {
                attributes: 0,
                data_size: size,
            };
            let Err(Failure::Final(error)) =
                connected.ek_certificate(EK_CERTIFICATE_RSA_2048, public)
            else {
                panic!("{size}: read");
            };
            assert_eq!(error.kind(), Some(DomainErrorKind::PlatformFailure));
            assert!(
                error.message().contains(&format!(
                    "holds {size} bytes; an EK certificate of 1 to 3072"
                )),
                "{error}"
            );
            assert_eq!(tpm.sent().len(), sent, "nothing sent");
        }
    }

    #[test]
    fn an_attestation_is_read_field_by_field() {
        let nonce = [5u8; 32];
        let name = sha256_name(b"key");
        let mut attest = GENERATED_VALUE.to_be_bytes().to_vec();
        attest.extend_from_slice(&ST_ATTEST_CERTIFY.to_be_bytes());
        attest.extend_from_slice(&tpm2b(&sha256_name(b"signer")));
        attest.extend_from_slice(&tpm2b(&nonce));
        attest.extend_from_slice(&[0; 17 + 8]);
        attest.extend_from_slice(&tpm2b(&name));
        attest.extend_from_slice(&tpm2b(&sha256_name(b"qualified")));
        assert!(attests(&attest, &nonce, &name));
        assert!(!attests(&attest, &[6; 32], &name));
        assert!(!attests(&attest, &nonce, &sha256_name(b"other")));
        assert!(!attests(&attest[..attest.len() - 1], &nonce, &name));
        let mut quote = attest.clone();
        quote[5] = 0x18;
        assert!(!attests(&quote, &nonce, &name));
        let mut longer = attest;
        longer.push(0);
        assert!(!attests(&longer, &nonce, &name));
    }
}
