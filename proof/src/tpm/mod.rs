//! TPM key attestation, the verifier's side: proof that a device key is an ECDSA P-256 key
//! generated in a TPM 2.0 and unable to leave it (`fixedTPM`, `fixedParent`,
//! `sensitiveDataOrigin`), on a TPM whose endorsement key (EK) a manufacturer certified (or the
//! backend pinned). Behind the `tpm-attestation` feature.
//!
//! The device-key server offers three calls; a backend runs them in this order:
//!
//! 1. **identity** → `{ ekCertificateDer, ekPublic, akPublic }`: put it in a [`TpmIdentity`].
//! 2. [`check_identity`] with the backend's [`EkTrust`] (the TPM manufacturers' root
//!    certificates and intermediates, or a pinned EK public area) and the time: the EK
//!    certificate chains to a trust anchor, is valid, certifies the EK; the EK is an endorsement
//!    key; the AK is a restricted signing key. Nothing yet says the AK is on that TPM.
//! 3. [`CheckedIdentity::challenge`]: a random credential protected with TPM2_MakeCredential
//!    for the EK and the AK's name ([`CredentialChallenge`]), and the [`PendingActivation`]
//!    that knows the credential. Keep the pending activation on the backend, never on the
//!    device ([`PendingActivation::to_bytes`] holds the credential in clear).
//! 4. **activateCredential(credentialBlob, encryptedSecret)** → the secret: only the TPM that
//!    holds the EK's private key, and a key of the AK's name, recovers it.
//! 5. [`PendingActivation::finish`] with the returned secret (compared in constant time): the
//!    [`ActivatedAk`], an AK proven to be on the TPM of the checked EK. Store it with the device
//!    ([`ActivatedAk::to_bytes`]); it stays valid as long as the device keeps its AK.
//! 6. **certify(keyId, nonce)** with a fresh random nonce of 32 bytes for each certification →
//!    `{ attest, signatureDer, keyPublic }`: a [`TpmCertification`].
//! 7. [`ActivatedAk::check_certification`] with the nonce and the key's SubjectPublicKeyInfo
//!    (the one the device-key protocol registered): the AK signed a TPM-generated certification
//!    of that key, for that nonce, and the key is a non-exportable TPM signing key. The
//!    [`ProvenTpmKey`] says what was proven.
//!
//! Every refusal is a [`TpmRefusal`] whose [`kind`](TpmRefusal::kind) names why
//! (`ekCertificateUntrusted`, `credentialSecretMismatch`, `nonceMismatch`, `keyAttributes`, ...).
//!
//! ```no_run
//! use devicekey_proof::tpm::{check_identity, EkTrust, TpmCertification, TpmIdentity};
//! # fn call_identity() -> TpmIdentity { unimplemented!() }
//! # fn call_activate(_: &[u8], _: &[u8]) -> Vec<u8> { unimplemented!() }
//! # fn call_certify(_: &[u8]) -> TpmCertification { unimplemented!() }
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let (roots_pem, intermediates_pem, now, key_spki_der) = ("", "", 0, vec![]);
//! let trust = EkTrust::certificates_pem(roots_pem, intermediates_pem)?;
//! let identity = call_identity();
//! let checked = check_identity(&identity, &trust, now)?;
//! let (challenge, pending) = checked.challenge()?;
//! let stored = pending.to_bytes(); // kept on the backend between the two requests
//! let secret = call_activate(&challenge.credential_blob, &challenge.encrypted_secret);
//! let pending = devicekey_proof::tpm::PendingActivation::from_bytes(&stored)?;
//! let ak = pending.finish(&secret)?;
//! let nonce = [7u8; 32]; // a fresh random nonce in real use
//! let certification = call_certify(&nonce);
//! let proven = ak.check_certification(&nonce, &certification, &key_spki_der)?;
//! assert!(proven.key_attributes.names().contains(&"fixedTPM"));
//! # Ok(())
//! # }
//! ```

mod credential;
mod kdf;
mod keys;
mod marshal;
mod refusal;
mod structures;
mod x509;

use p256::ecdsa::signature::Verifier as _;
use subtle::ConstantTimeEq as _;
use zeroize::Zeroizing;

pub use refusal::TpmRefusal;
pub use structures::{
    object_name, CertifyInfo, ClockInfo, ObjectAttributes, PublicKeyArea, Scheme,
    SymmetricDefinition, TpmAttest, TpmPublic, TPM_ALG_AES, TPM_ALG_CFB, TPM_ALG_ECC,
    TPM_ALG_ECDAA, TPM_ALG_ECDSA, TPM_ALG_NULL, TPM_ALG_RSA, TPM_ALG_RSAES, TPM_ALG_RSASSA,
    TPM_ALG_SHA1, TPM_ALG_SHA256, TPM_ALG_SHA384, TPM_ALG_SHA512, TPM_ECC_NIST_P256,
    TPM_ECC_NIST_P384, TPM_GENERATED_VALUE, TPM_RH_ENDORSEMENT, TPM_ST_ATTEST_CERTIFY,
};

use keys::{check_attestation_key, check_endorsement, left_pad, KEY_FORBIDDEN, KEY_REQUIRED};
use marshal::Reader;
use structures::primary_qualified_name;
use x509::{
    certificates_from_pem, certificates_from_pem_or_der, verify_chain, CertifiedKey, EcCurve,
    ParsedCertificate,
};

/// The size of the credential sent in a challenge.
pub const CREDENTIAL_BYTES: usize = 32;
/// The shortest nonce [`ActivatedAk::check_certification`] accepts.
pub const MIN_NONCE_BYTES: usize = 16;
/// The longest nonce (a `TPM2B_DATA`).
pub const MAX_NONCE_BYTES: usize = 64;

/// What the server's `identity` call returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TpmIdentity {
    /// `ekCertificateDer`: the EK certificate from the TPM's NV (`0x01c00002` for the RSA 2048
    /// EK, `0x01c0000a` for the ECC P-256 EK), `None` when the TPM has none.
    pub ek_certificate: Option<Vec<u8>>,
    /// `ekPublic`: the EK's marshalled `TPMT_PUBLIC` (without the `TPM2B_PUBLIC` size).
    pub ek_public: Vec<u8>,
    /// `akPublic`: the AK's marshalled `TPMT_PUBLIC` (without the size).
    pub ak_public: Vec<u8>,
}

/// What the server's `certify` call returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TpmCertification {
    /// `attest`: the marshalled `TPMS_ATTEST` (without the `TPM2B_ATTEST` size).
    pub attest: Vec<u8>,
    /// `signatureDer`: the AK's ECDSA P-256 signature over SHA-256(`attest`), ASN.1 DER.
    pub signature_der: Vec<u8>,
    /// `keyPublic`: the device key's marshalled `TPMT_PUBLIC` (without the size).
    pub key_public: Vec<u8>,
}

/// How a TPM's EK is trusted.
#[derive(Debug, Clone)]
pub enum EkTrust {
    /// EK certificates issued, through intermediates, by trust anchors (the TPM manufacturers'
    /// roots): made with [`certificates_pem`](Self::certificates_pem),
    /// [`certificates`](Self::certificates) or [`from_der`](Self::from_der).
    Certificates(CertificateTrust),
    /// Exactly one EK, by its marshalled `TPMT_PUBLIC` (without a size): for a TPM without an EK
    /// certificate whose EK the backend recorded in a trusted setting. Compared byte for byte.
    PinnedEkPublic(Vec<u8>),
}

/// Trust anchors and intermediates, read (see [`EkTrust::Certificates`]).
#[derive(Debug, Clone)]
pub struct CertificateTrust {
    anchors: Vec<ParsedCertificate>,
    intermediates: Vec<ParsedCertificate>,
}

/// Which kind of [`EkTrust`] accepted an EK.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EkTrustKind {
    /// The EK certificate chains to a trust anchor: a manufacturer certified the TPM.
    Certificate,
    /// The EK is the one the backend pinned.
    Pinned,
}

impl EkTrust {
    /// Trust in EK certificates issued, through `intermediates`, by one of `anchors`, each one
    /// DER certificate. The anchors are trusted as configured (their own signatures are not
    /// checked), but must be CAs and valid at the time of a check, as must every intermediate
    /// used. Refused as `malformed` (`trustAnchor`, `intermediate`) when a certificate cannot be
    /// read or there is no anchor.
    pub fn from_der(
        anchors: Vec<Vec<u8>>,
        intermediates: Vec<Vec<u8>>,
    ) -> Result<EkTrust, TpmRefusal> {
        let read = |ders: Vec<Vec<u8>>, what: &'static str| {
            ders.iter()
                .map(|der| {
                    ParsedCertificate::from_der(der).map_err(|why| TpmRefusal::malformed(what, why))
                })
                .collect::<Result<Vec<_>, _>>()
        };
        let anchors = read(anchors, "trustAnchor")?;
        if anchors.is_empty() {
            return Err(TpmRefusal::malformed("trustAnchor", "no trust anchor"));
        }
        let intermediates = read(intermediates, "intermediate")?;
        Ok(EkTrust::Certificates(CertificateTrust {
            anchors,
            intermediates,
        }))
    }

    /// [`from_der`](Self::from_der) with each entry of `anchors` and `intermediates` either
    /// one DER certificate or PEM text with one or more `CERTIFICATE` blocks.
    pub fn certificates(anchors: &[&[u8]], intermediates: &[&[u8]]) -> Result<EkTrust, TpmRefusal> {
        let read = |inputs: &[&[u8]], what: &'static str| {
            let mut ders = Vec::new();
            for input in inputs {
                ders.extend(
                    certificates_from_pem_or_der(input)
                        .map_err(|why| TpmRefusal::malformed(what, why))?,
                );
            }
            Ok::<_, TpmRefusal>(ders)
        };
        EkTrust::from_der(
            read(anchors, "trustAnchor")?,
            read(intermediates, "intermediate")?,
        )
    }

    /// [`from_der`](Self::from_der) from PEM text: every `CERTIFICATE` block of `anchors_pem`
    /// and of `intermediates_pem` (which may be empty).
    pub fn certificates_pem(
        anchors_pem: &str,
        intermediates_pem: &str,
    ) -> Result<EkTrust, TpmRefusal> {
        let anchors = certificates_from_pem(anchors_pem)
            .map_err(|why| TpmRefusal::malformed("trustAnchor", why))?;
        let intermediates = if intermediates_pem.trim().is_empty() {
            Vec::new()
        } else {
            certificates_from_pem(intermediates_pem)
                .map_err(|why| TpmRefusal::malformed("intermediate", why))?
        };
        EkTrust::from_der(anchors, intermediates)
    }

    /// [`EkTrust::PinnedEkPublic`], once `ek_public` is read as a `TPMT_PUBLIC` (`malformed`,
    /// `pinnedEkPublic`, otherwise).
    pub fn pinned_ek_public(ek_public: &[u8]) -> Result<EkTrust, TpmRefusal> {
        TpmPublic::parse(ek_public, "pinnedEkPublic")?;
        Ok(EkTrust::PinnedEkPublic(ek_public.to_vec()))
    }
}

/// A TPM identity whose EK is trusted and whose AK is a usable attestation key; not yet proof
/// that the AK is on that TPM ([`challenge`](Self::challenge) is the next step).
#[derive(Debug, Clone)]
pub struct CheckedIdentity {
    endorsement: keys::Endorsement,
    ek_public: Vec<u8>,
    ak_public: Vec<u8>,
    ak_name: Vec<u8>,
    trust: EkTrustKind,
}

/// Checks a TPM's identity against `trust` at `now_unix_seconds`: the EK public area is an
/// endorsement key this crate supports, trusted by certificate (the chain to an anchor, each
/// signature, validity, CA constraints, and the certified key equal to the EK's) or by pin;
/// the AK public area is a restricted ECDSA P-256 signing key, non-duplicable and generated in
/// the TPM.
pub fn check_identity(
    identity: &TpmIdentity,
    trust: &EkTrust,
    now_unix_seconds: i64,
) -> Result<CheckedIdentity, TpmRefusal> {
    let ek = TpmPublic::parse(&identity.ek_public, "ekPublic")?;
    let endorsement = check_endorsement(&ek)?;
    let trust_kind = match trust {
        EkTrust::PinnedEkPublic(pinned) => {
            if !bool::from(pinned.as_slice().ct_eq(identity.ek_public.as_slice())) {
                return Err(TpmRefusal::EkPublicNotPinned);
            }
            EkTrustKind::Pinned
        }
        EkTrust::Certificates(CertificateTrust {
            anchors,
            intermediates,
        }) => {
            let der = identity
                .ek_certificate
                .as_deref()
                .ok_or(TpmRefusal::EkCertificateMissing)?;
            let leaf = ParsedCertificate::from_der(der)
                .map_err(|why| TpmRefusal::malformed("ekCertificate", why))?;
            verify_chain(&leaf, intermediates, anchors, now_unix_seconds)?;
            let certified = leaf
                .subject_key()
                .map_err(TpmRefusal::EkCertificateKeyMismatch)?;
            check_certified_ek(&certified, &ek)?;
            EkTrustKind::Certificate
        }
    };
    let ak = TpmPublic::parse(&identity.ak_public, "akPublic")?;
    check_attestation_key(&ak)?;
    let ak_name = object_name(&identity.ak_public)
        .ok_or_else(|| TpmRefusal::AkUnsupported("its name cannot be computed".into()))?;
    Ok(CheckedIdentity {
        endorsement,
        ek_public: identity.ek_public.clone(),
        ak_public: identity.ak_public.clone(),
        ak_name,
        trust: trust_kind,
    })
}

/// Whether the EK certificate's key is the EK public area's.
fn check_certified_ek(certified: &CertifiedKey, ek: &TpmPublic) -> Result<(), TpmRefusal> {
    let mismatch = |why: &str| Err(TpmRefusal::EkCertificateKeyMismatch(why.to_owned()));
    match (certified, &ek.key) {
        (
            CertifiedKey::Rsa { modulus, exponent },
            PublicKeyArea::Rsa {
                modulus: ek_modulus,
                exponent: ek_exponent,
                ..
            },
        ) => {
            let ek_exponent = if *ek_exponent == 0 {
                65537
            } else {
                *ek_exponent
            };
            let ek_exponent = ek_exponent.to_be_bytes();
            if modulus.as_slice() != x509::strip_leading_zeros(ek_modulus) {
                return mismatch("the RSA moduli differ");
            }
            if exponent.as_slice() != x509::strip_leading_zeros(&ek_exponent) {
                return mismatch("the RSA exponents differ");
            }
            Ok(())
        }
        (
            CertifiedKey::Ec { curve, point },
            PublicKeyArea::Ecc {
                curve: ek_curve,
                x,
                y,
                ..
            },
        ) => {
            if *curve != EcCurve::P256 || *ek_curve != TPM_ECC_NIST_P256 {
                return mismatch("the curves differ");
            }
            let (Some(x), Some(y)) = (left_pad(x, 32), left_pad(y, 32)) else {
                return mismatch("the EK's coordinates are longer than P-256's");
            };
            let mut ek_point = vec![0x04];
            ek_point.extend_from_slice(&x);
            ek_point.extend_from_slice(&y);
            if *point != ek_point {
                return mismatch("the EC points differ");
            }
            Ok(())
        }
        (CertifiedKey::Rsa { .. }, PublicKeyArea::Ecc { .. }) => {
            mismatch("the certificate has an RSA key, the EK is ECC")
        }
        (CertifiedKey::Ec { .. }, PublicKeyArea::Rsa { .. }) => {
            mismatch("the certificate has an EC key, the EK is RSA")
        }
    }
}

impl CheckedIdentity {
    /// The AK's name (`nameAlg || H(akPublic)`).
    pub fn ak_name(&self) -> &[u8] {
        &self.ak_name
    }

    /// How the EK was trusted.
    pub fn ek_trust(&self) -> EkTrustKind {
        self.trust
    }

    /// A fresh activation challenge: a random credential of [`CREDENTIAL_BYTES`] protected
    /// (TPM2_MakeCredential) for this EK and this AK's name, to send to the server's
    /// `activateCredential`, and the pending activation that will check the answer.
    pub fn challenge(&self) -> Result<(CredentialChallenge, PendingActivation), TpmRefusal> {
        let credential = credential::random_bytes(CREDENTIAL_BYTES)?;
        let made = credential::make_credential(&self.endorsement, &self.ak_name, &credential)?;
        let mut expected = Zeroizing::new([0u8; CREDENTIAL_BYTES]);
        expected.copy_from_slice(&credential);
        Ok((
            CredentialChallenge {
                credential_blob: made.credential_blob,
                encrypted_secret: made.encrypted_secret,
            },
            PendingActivation {
                credential: expected,
                ak: AkRecord {
                    ak_public: self.ak_public.clone(),
                    ek_public: self.ek_public.clone(),
                    trust: self.trust,
                },
            },
        ))
    }
}

/// The arguments of the server's `activateCredential`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialChallenge {
    /// `credentialBlob`: the contents of `TPM2B_ID_OBJECT` (`TPM2B_DIGEST` integrityHMAC, then
    /// encIdentity), without its size.
    pub credential_blob: Vec<u8>,
    /// `encryptedSecret`: the contents of `TPM2B_ENCRYPTED_SECRET`, without its size (an RSA
    /// EK's OAEP ciphertext, or an ECC EK's marshalled ephemeral `TPMS_ECC_POINT`).
    pub encrypted_secret: Vec<u8>,
}

/// What an activation is about: the AK, the EK, how the EK was trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AkRecord {
    ak_public: Vec<u8>,
    ek_public: Vec<u8>,
    trust: EkTrustKind,
}

impl AkRecord {
    fn write(&self, out: &mut Vec<u8>) {
        for bytes in [&self.ak_public, &self.ek_public] {
            // Public areas are a few hundred bytes; a length beyond u32 cannot be read back.
            let length = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
            out.extend_from_slice(&length.to_be_bytes());
            out.extend_from_slice(bytes);
        }
        out.push(match self.trust {
            EkTrustKind::Certificate => 0,
            EkTrustKind::Pinned => 1,
        });
    }

    fn read(reader: &mut Reader<'_>) -> Result<AkRecord, TpmRefusal> {
        let mut fields = Vec::with_capacity(2);
        for field in ["akPublic", "ekPublic"] {
            let length = usize::try_from(reader.u32(field)?)
                .map_err(|_| reader.malformed("a length beyond memory"))?;
            fields.push(reader.take(length, field)?.to_vec());
        }
        let trust = match reader.u8("trust")? {
            0 => EkTrustKind::Certificate,
            1 => EkTrustKind::Pinned,
            other => return Err(reader.malformed(format!("trust kind {other}"))),
        };
        let ek_public = fields.pop().unwrap_or_default();
        let ak_public = fields.pop().unwrap_or_default();
        let record = AkRecord {
            ak_public,
            ek_public,
            trust,
        };
        record.ak_key()?;
        TpmPublic::parse(&record.ek_public, "ekPublic")?;
        Ok(record)
    }

    fn ak_key(&self) -> Result<p256::ecdsa::VerifyingKey, TpmRefusal> {
        check_attestation_key(&TpmPublic::parse(&self.ak_public, "akPublic")?)
    }

    fn ak_name(&self) -> Vec<u8> {
        object_name(&self.ak_public).unwrap_or_default()
    }

    fn ek_name(&self) -> Vec<u8> {
        object_name(&self.ek_public).unwrap_or_default()
    }
}

const PENDING_MAGIC: &[u8; 8] = b"DKTPMPA\x01";
const ACTIVATED_MAGIC: &[u8; 8] = b"DKTPMAK\x01";

/// A challenge sent and not yet answered: the credential it protects, and the AK it is for.
/// The credential is zeroized on drop.
#[derive(Clone)]
pub struct PendingActivation {
    credential: Zeroizing<[u8; CREDENTIAL_BYTES]>,
    ak: AkRecord,
}

impl std::fmt::Debug for PendingActivation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingActivation")
            .field("credential", &"<secret>")
            .field("ak", &self.ak)
            .finish()
    }
}

impl PendingActivation {
    /// Checks the secret the server's `activateCredential` returned (in constant time): equal to
    /// the credential, the AK is on the TPM of the checked EK.
    pub fn finish(self, returned_secret: &[u8]) -> Result<ActivatedAk, TpmRefusal> {
        if !bool::from(returned_secret.ct_eq(self.credential.as_slice())) {
            return Err(TpmRefusal::CredentialSecretMismatch);
        }
        Ok(ActivatedAk {
            ak_key: self.ak.ak_key()?,
            ak_name: self.ak.ak_name(),
            ak: self.ak.clone(),
        })
    }

    /// The bytes to keep until the answer comes: they hold the credential in clear, so keep them
    /// on the backend only (never send them to the device) and drop them when the activation
    /// finishes or expires. Zeroized on drop.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::new());
        out.extend_from_slice(PENDING_MAGIC);
        out.extend_from_slice(self.credential.as_slice());
        self.ak.write(&mut out);
        out
    }

    /// Reads [`to_bytes`](Self::to_bytes) again (`malformed`, `pendingActivation`, when they are
    /// not such bytes).
    pub fn from_bytes(bytes: &[u8]) -> Result<PendingActivation, TpmRefusal> {
        let mut reader = Reader::new(bytes, "pendingActivation");
        if reader.take(8, "magic")? != PENDING_MAGIC {
            return Err(reader.malformed("not a pending activation of this version"));
        }
        let mut credential = Zeroizing::new([0u8; CREDENTIAL_BYTES]);
        credential.copy_from_slice(reader.take(CREDENTIAL_BYTES, "credential")?);
        let ak = AkRecord::read(&mut reader)?;
        reader.finish()?;
        Ok(PendingActivation { credential, ak })
    }
}

/// An attestation key proven to be on the TPM of a trusted EK; keep it with the device and
/// check its certifications with [`check_certification`](Self::check_certification).
#[derive(Debug, Clone)]
pub struct ActivatedAk {
    ak: AkRecord,
    ak_key: p256::ecdsa::VerifyingKey,
    ak_name: Vec<u8>,
}

impl PartialEq for ActivatedAk {
    fn eq(&self, other: &Self) -> bool {
        self.ak == other.ak
    }
}

impl Eq for ActivatedAk {}

/// What a certification proved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvenTpmKey {
    /// A TPM manufacturer certified the TPM: its EK certificate chains to the trust anchors.
    /// `false` when the EK was pinned, which says only that it is the pinned TPM.
    pub hardware_tpm: bool,
    /// How the EK was trusted.
    pub ek_trust: EkTrustKind,
    /// The certified key's attributes (fixedTPM, fixedParent, sensitiveDataOrigin and sign set;
    /// decrypt clear).
    pub key_attributes: ObjectAttributes,
    /// The certified key's name (`nameAlg || H(keyPublic)`).
    pub key_name: Vec<u8>,
    /// The certified key's qualified name, as the TPM reported it.
    pub key_qualified_name: Vec<u8>,
    /// The activated AK's name.
    pub ak_name: Vec<u8>,
    /// The EK's name.
    pub ek_name: Vec<u8>,
    /// The TPM's clock when it certified.
    pub clock_info: ClockInfo,
    /// The TPM's firmware version (vendor-specific).
    pub firmware_version: u64,
}

impl ActivatedAk {
    /// The AK's name (`nameAlg || H(akPublic)`).
    pub fn ak_name(&self) -> &[u8] {
        &self.ak_name
    }

    /// The AK's marshalled `TPMT_PUBLIC`.
    pub fn ak_public(&self) -> &[u8] {
        &self.ak.ak_public
    }

    /// The EK's name.
    pub fn ek_name(&self) -> Vec<u8> {
        self.ak.ek_name()
    }

    /// How the EK was trusted.
    pub fn ek_trust(&self) -> EkTrustKind {
        self.ak.trust
    }

    /// The bytes to store with the device. They are not authenticated: keep them where only
    /// the backend writes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(ACTIVATED_MAGIC);
        self.ak.write(&mut out);
        out
    }

    /// Reads [`to_bytes`](Self::to_bytes) again (`malformed`, `activatedAk`, when they are not
    /// such bytes).
    pub fn from_bytes(bytes: &[u8]) -> Result<ActivatedAk, TpmRefusal> {
        let mut reader = Reader::new(bytes, "activatedAk");
        if reader.take(8, "magic")? != ACTIVATED_MAGIC {
            return Err(reader.malformed("not an activated AK of this version"));
        }
        let ak = AkRecord::read(&mut reader)?;
        reader.finish()?;
        Ok(ActivatedAk {
            ak_key: ak.ak_key()?,
            ak_name: ak.ak_name(),
            ak,
        })
    }

    /// Checks a `certify` answer for `nonce` (the fresh random bytes sent with it, 16 to 64)
    /// against the device key's SubjectPublicKeyInfo DER, in this order: the attestation is a
    /// TPM-generated (`notTpmGenerated`) certification (`notACertification`), signed by this AK
    /// (`akNotActivated` when its qualifiedSigner names another key, `badAttestSignature` when
    /// it names this one), for the nonce (`nonceMismatch`), of the key public area sent with it
    /// (`certifiedNameMismatch`), which is the SPKI's key (`keyMismatch`) and a non-exportable,
    /// TPM-generated signing key (`keyAttributes`).
    pub fn check_certification(
        &self,
        nonce: &[u8],
        certification: &TpmCertification,
        key_spki_der: &[u8],
    ) -> Result<ProvenTpmKey, TpmRefusal> {
        if !(MIN_NONCE_BYTES..=MAX_NONCE_BYTES).contains(&nonce.len()) {
            return Err(TpmRefusal::malformed(
                "nonce",
                format!(
                    "{} bytes, not {MIN_NONCE_BYTES} to {MAX_NONCE_BYTES}",
                    nonce.len()
                ),
            ));
        }
        let attest = TpmAttest::parse(&certification.attest)?;
        if attest.magic != TPM_GENERATED_VALUE {
            return Err(TpmRefusal::NotTpmGenerated(attest.magic));
        }
        let certified = match (&attest.certify, attest.attest_type) {
            (Some(certified), TPM_ST_ATTEST_CERTIFY) => certified,
            (_, other) => return Err(TpmRefusal::NotACertification(other)),
        };
        let signature =
            p256::ecdsa::Signature::from_der(&certification.signature_der).map_err(|_| {
                TpmRefusal::malformed("signatureDer", "not a DER ECDSA P-256 signature")
            })?;
        if self
            .ak_key
            .verify(&certification.attest, &signature)
            .is_err()
        {
            let names_this_ak = primary_qualified_name(&self.ak_name, TPM_RH_ENDORSEMENT)
                .is_some_and(|qualified| qualified == attest.qualified_signer);
            return Err(if names_this_ak {
                TpmRefusal::BadAttestSignature
            } else {
                TpmRefusal::AkNotActivated
            });
        }
        if attest.extra_data != nonce {
            return Err(TpmRefusal::NonceMismatch);
        }
        let key = TpmPublic::parse(&certification.key_public, "keyPublic")?;
        let key_name = object_name(&certification.key_public);
        if key_name.as_deref() != Some(certified.name.as_slice()) {
            return Err(TpmRefusal::CertifiedNameMismatch);
        }
        let spki_key = crate::public_key_from_spki_der(key_spki_der).ok_or_else(|| {
            TpmRefusal::malformed(
                "keySpkiDer",
                "not a P-256 SubjectPublicKeyInfo DER with an uncompressed point",
            )
        })?;
        match &key.key {
            PublicKeyArea::Ecc { curve, x, y, .. } if *curve == TPM_ECC_NIST_P256 => {
                let point = keys::p256_point(x, y).ok_or_else(|| {
                    TpmRefusal::KeyMismatch("the certified key is not a point on P-256".into())
                })?;
                if p256::ecdsa::VerifyingKey::from(point) != spki_key {
                    return Err(TpmRefusal::KeyMismatch(
                        "the certified key's point is not the SubjectPublicKeyInfo's".into(),
                    ));
                }
            }
            _ => {
                return Err(TpmRefusal::KeyMismatch(
                    "the certified key is not an ECC P-256 key".into(),
                ))
            }
        }
        let missing = key.attributes.missing(KEY_REQUIRED);
        let forbidden = key.attributes.present(KEY_FORBIDDEN);
        if !missing.is_empty() || !forbidden.is_empty() {
            return Err(TpmRefusal::KeyAttributes { missing, forbidden });
        }
        Ok(ProvenTpmKey {
            hardware_tpm: self.ak.trust == EkTrustKind::Certificate,
            ek_trust: self.ak.trust,
            key_attributes: key.attributes,
            key_name: certified.name.clone(),
            key_qualified_name: certified.qualified_name.clone(),
            ak_name: self.ak_name.clone(),
            ek_name: self.ak.ek_name(),
            clock_info: attest.clock_info,
            firmware_version: attest.firmware_version,
        })
    }
}
