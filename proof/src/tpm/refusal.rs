//! Why a TPM identity, an activation or a certification was refused.

use std::fmt;

/// Why the attestation refused what the device sent; [`kind`](Self::kind) names the reason in
/// lowerCamelCase, `Display` says why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TpmRefusal {
    /// A structure could not be read: truncated, trailing bytes, a size beyond its limit, an
    /// unknown type (`malformed`). `what` names it (`ekPublic`, `akPublic`, `attest`,
    /// `keyPublic`, `ekCertificate`, `signatureDer`, `keySpkiDer`, `nonce`, `pendingActivation`,
    /// `activatedAk`, `credential`).
    Malformed {
        /// The structure (`ekPublic`, `attest`, ...).
        what: &'static str,
        /// What is wrong with it.
        why: String,
    },
    /// The trust asks for an EK certificate and the identity has none (`ekCertificateMissing`).
    EkCertificateMissing,
    /// No chain from the EK certificate to a trust anchor: no issuer found, a signature that
    /// does not verify, an issuer that is not a CA, an unsupported algorithm, an unknown critical
    /// extension (`ekCertificateUntrusted`).
    EkCertificateUntrusted(String),
    /// A certificate of the chain expired before the time of the check (`ekCertificateExpired`).
    EkCertificateExpired(String),
    /// A certificate of the chain is not valid yet at the time of the check
    /// (`ekCertificateNotYetValid`).
    EkCertificateNotYetValid(String),
    /// The EK certificate certifies another key than the EK public area's
    /// (`ekCertificateKeyMismatch`).
    EkCertificateKeyMismatch(String),
    /// The EK public area is not the pinned one (`ekPublicNotPinned`).
    EkPublicNotPinned,
    /// The EK public area is not an endorsement key: not a restricted decryption key that is
    /// fixedTPM and fixedParent (`ekNotAnEndorsementKey`).
    EkNotAnEndorsementKey(String),
    /// The EK is an endorsement key this crate cannot make a credential for: another curve than
    /// P-256, another symmetric algorithm than AES-CFB, an unsupported name algorithm
    /// (`ekUnsupported`).
    EkUnsupported(String),
    /// The AK public area is not a restricted signing key that is fixedTPM, fixedParent and
    /// sensitiveDataOrigin and cannot decrypt (`akNotRestrictedSigning`).
    AkNotRestrictedSigning(String),
    /// The AK is a restricted signing key of another kind than ECDSA P-256 with SHA-256
    /// (`akUnsupported`).
    AkUnsupported(String),
    /// The secret the device returned is not the credential it was sent
    /// (`credentialSecretMismatch`).
    CredentialSecretMismatch,
    /// The certification was not signed by the activated AK: its `qualifiedSigner` names
    /// another key and the signature does not verify under the activated one (`akNotActivated`).
    AkNotActivated,
    /// The signature over the attestation does not verify under the activated AK, which the
    /// attestation names as its signer: the bytes were changed (`badAttestSignature`).
    BadAttestSignature,
    /// The attestation does not start with `TPM_GENERATED_VALUE` (`notTpmGenerated`).
    NotTpmGenerated(u32),
    /// The attestation is of another type than `TPM_ST_ATTEST_CERTIFY` (`notACertification`).
    NotACertification(u16),
    /// The attestation's `extraData` is not the nonce (`nonceMismatch`).
    NonceMismatch,
    /// The certified name is not the name of the key public area sent with it
    /// (`certifiedNameMismatch`).
    CertifiedNameMismatch,
    /// The certified key is not the key of the SubjectPublicKeyInfo (`keyMismatch`).
    KeyMismatch(String),
    /// The certified key's attributes do not make it a non-exportable, TPM-generated signing key
    /// (`keyAttributes`): `missing` of fixedTPM, fixedParent, sensitiveDataOrigin, sign, or
    /// `forbidden` decrypt set.
    KeyAttributes {
        /// Required attributes that are not set.
        missing: Vec<&'static str>,
        /// Forbidden attributes that are set.
        forbidden: Vec<&'static str>,
    },
    /// The operating system's random source failed while making a challenge
    /// (`randomUnavailable`); nothing about the device.
    RandomUnavailable(String),
}

impl TpmRefusal {
    /// The reason, in lowerCamelCase (`ekCertificateUntrusted`, `nonceMismatch`, `malformed`,
    /// ...).
    pub fn kind(&self) -> &'static str {
        match self {
            TpmRefusal::Malformed { .. } => "malformed",
            TpmRefusal::EkCertificateMissing => "ekCertificateMissing",
            TpmRefusal::EkCertificateUntrusted(_) => "ekCertificateUntrusted",
            TpmRefusal::EkCertificateExpired(_) => "ekCertificateExpired",
            TpmRefusal::EkCertificateNotYetValid(_) => "ekCertificateNotYetValid",
            TpmRefusal::EkCertificateKeyMismatch(_) => "ekCertificateKeyMismatch",
            TpmRefusal::EkPublicNotPinned => "ekPublicNotPinned",
            TpmRefusal::EkNotAnEndorsementKey(_) => "ekNotAnEndorsementKey",
            TpmRefusal::EkUnsupported(_) => "ekUnsupported",
            TpmRefusal::AkNotRestrictedSigning(_) => "akNotRestrictedSigning",
            TpmRefusal::AkUnsupported(_) => "akUnsupported",
            TpmRefusal::CredentialSecretMismatch => "credentialSecretMismatch",
            TpmRefusal::AkNotActivated => "akNotActivated",
            TpmRefusal::BadAttestSignature => "badAttestSignature",
            TpmRefusal::NotTpmGenerated(_) => "notTpmGenerated",
            TpmRefusal::NotACertification(_) => "notACertification",
            TpmRefusal::NonceMismatch => "nonceMismatch",
            TpmRefusal::CertifiedNameMismatch => "certifiedNameMismatch",
            TpmRefusal::KeyMismatch(_) => "keyMismatch",
            TpmRefusal::KeyAttributes { .. } => "keyAttributes",
            TpmRefusal::RandomUnavailable(_) => "randomUnavailable",
        }
    }

    /// For [`Malformed`](Self::Malformed), the structure that could not be read.
    pub fn malformed_what(&self) -> Option<&'static str> {
        match self {
            TpmRefusal::Malformed { what, .. } => Some(what),
            _ => None,
        }
    }

    pub(crate) fn malformed(what: &'static str, why: impl Into<String>) -> TpmRefusal {
        TpmRefusal::Malformed {
            what,
            why: why.into(),
        }
    }
}

impl fmt::Display for TpmRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TpmRefusal::Malformed { what, why } => write!(f, "{what} is malformed: {why}"),
            TpmRefusal::EkCertificateMissing => f.write_str(
                "the TPM sent no EK certificate and the trust needs one (pin the EK public area \
                 for a TPM without a certificate)",
            ),
            TpmRefusal::EkCertificateUntrusted(why) => {
                write!(f, "the EK certificate is not trusted: {why}")
            }
            TpmRefusal::EkCertificateExpired(why) => {
                write!(f, "the EK certificate chain has expired: {why}")
            }
            TpmRefusal::EkCertificateNotYetValid(why) => {
                write!(f, "the EK certificate chain is not valid yet: {why}")
            }
            TpmRefusal::EkCertificateKeyMismatch(why) => write!(
                f,
                "the EK certificate certifies another key than the TPM's EK: {why}"
            ),
            TpmRefusal::EkPublicNotPinned => {
                f.write_str("the TPM's EK public area is not the pinned one")
            }
            TpmRefusal::EkNotAnEndorsementKey(why) => {
                write!(f, "the EK public area is not an endorsement key: {why}")
            }
            TpmRefusal::EkUnsupported(why) => {
                write!(f, "the endorsement key is not supported: {why}")
            }
            TpmRefusal::AkNotRestrictedSigning(why) => write!(
                f,
                "the attestation key is not a restricted, non-duplicable signing key: {why}"
            ),
            TpmRefusal::AkUnsupported(why) => {
                write!(f, "the attestation key is not supported: {why}")
            }
            TpmRefusal::CredentialSecretMismatch => f.write_str(
                "the secret the TPM returned is not the credential: the AK is not on the TPM of \
                 the EK, or the EK cannot decrypt the challenge",
            ),
            TpmRefusal::AkNotActivated => f.write_str(
                "the certification was signed by another key than the activated attestation key",
            ),
            TpmRefusal::BadAttestSignature => f.write_str(
                "the signature over the attestation does not verify under the attestation key",
            ),
            TpmRefusal::NotTpmGenerated(magic) => write!(
                f,
                "the attestation's magic is {magic:#010x}, not TPM_GENERATED_VALUE (0xff544347)"
            ),
            TpmRefusal::NotACertification(attest_type) => write!(
                f,
                "the attestation's type is {attest_type:#06x}, not TPM_ST_ATTEST_CERTIFY (0x8017)"
            ),
            TpmRefusal::NonceMismatch => {
                f.write_str("the attestation's extraData is not the nonce issued for it")
            }
            TpmRefusal::CertifiedNameMismatch => f.write_str(
                "the certified name is not the name of the key public area sent with it",
            ),
            TpmRefusal::KeyMismatch(why) => {
                write!(f, "the certified key is not the device key: {why}")
            }
            TpmRefusal::KeyAttributes { missing, forbidden } => {
                f.write_str("the certified key is not a non-exportable TPM signing key:")?;
                if !missing.is_empty() {
                    write!(f, " missing {}", missing.join(", "))?;
                }
                if !forbidden.is_empty() {
                    if !missing.is_empty() {
                        f.write_str(";")?;
                    }
                    write!(f, " forbidden {} set", forbidden.join(", "))?;
                }
                Ok(())
            }
            TpmRefusal::RandomUnavailable(why) => {
                write!(f, "the operating system's random source failed: {why}")
            }
        }
    }
}

impl std::error::Error for TpmRefusal {}
