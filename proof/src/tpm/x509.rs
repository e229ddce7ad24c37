//! The EK certificate chain: X.509 certificates (RFC 5280) read with `x509-cert`, a path from
//! the EK certificate through the backend's intermediates to one of its trust anchors, each
//! signature checked (RSA PKCS#1 v1.5 with SHA-256/384/512, ECDSA on P-256 or P-384 with
//! SHA-256/384/512), each issuer a CA allowed to sign certificates, every certificate valid at
//! the time of the check, and the key the EK certificate certifies.

use ecdsa::signature::hazmat::PrehashVerifier as _;
use x509_cert::certificate::{CertificateInner, Raw};
use x509_cert::der::asn1::ObjectIdentifier;
use x509_cert::der::Decode as _;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage};
use x509_cert::spki::SubjectPublicKeyInfoOwned;

use super::refusal::TpmRefusal;
use super::structures::NameHash;

/// A certificate as received, read leniently about serial numbers and time encodings (real EK
/// certificates are not always strict about those) but strictly DER otherwise.
type Certificate = CertificateInner<Raw>;

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const RSAES_OAEP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.7");
const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const SHA384_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const SHA512_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const PRIME256V1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_WITH_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const ECDSA_WITH_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");

/// The extensions that may be critical: those whose meaning is checked here or that the TCG EK
/// credential profile specifies (a critical subjectAltName with the TPM manufacturer, model and
/// version when the subject is empty; subjectDirectoryAttributes with the TPM specification;
/// certificatePolicies; extKeyUsage with tcg-kp-EKCertificate).
const KNOWN_CRITICAL: [(&str, ObjectIdentifier); 6] = [
    (
        "basicConstraints",
        ObjectIdentifier::new_unwrap("2.5.29.19"),
    ),
    ("keyUsage", ObjectIdentifier::new_unwrap("2.5.29.15")),
    ("subjectAltName", ObjectIdentifier::new_unwrap("2.5.29.17")),
    ("extKeyUsage", ObjectIdentifier::new_unwrap("2.5.29.37")),
    (
        "certificatePolicies",
        ObjectIdentifier::new_unwrap("2.5.29.32"),
    ),
    (
        "subjectDirectoryAttributes",
        ObjectIdentifier::new_unwrap("2.5.29.9"),
    ),
];

/// The longest path searched: intermediates between the EK certificate and its anchor.
const MAX_INTERMEDIATES: usize = 6;

/// A certificate with the bytes it was read from and the exact bytes its signature covers.
#[derive(Clone)]
pub(crate) struct ParsedCertificate {
    der: Vec<u8>,
    tbs: Vec<u8>,
    certificate: Certificate,
}

impl std::fmt::Debug for ParsedCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Certificate({})", self.describe())
    }
}

impl ParsedCertificate {
    /// Reads one DER certificate (all of `der`).
    pub(crate) fn from_der(der: &[u8]) -> Result<ParsedCertificate, String> {
        let certificate = Certificate::from_der(der).map_err(|error| error.to_string())?;
        // The signed bytes as they were sent: the first element of the outer SEQUENCE.
        let (header, length) = der_header(der).ok_or("not a DER SEQUENCE")?;
        let content = der
            .get(header..header.saturating_add(length))
            .ok_or("truncated")?;
        let (tbs_header, tbs_length) = der_header(content).ok_or("no tbsCertificate")?;
        let tbs = content
            .get(..tbs_header.saturating_add(tbs_length))
            .ok_or("truncated tbsCertificate")?
            .to_vec();
        Ok(ParsedCertificate {
            der: der.to_vec(),
            tbs,
            certificate,
        })
    }

    /// The subject and serial number, for messages.
    pub(crate) fn describe(&self) -> String {
        let tbs = self.certificate.tbs_certificate();
        let subject = tbs.subject().to_string();
        let subject = if subject.is_empty() {
            "an empty subject".to_owned()
        } else {
            format!("subject \"{subject}\"")
        };
        let serial: String = tbs
            .serial_number()
            .as_bytes()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        format!("certificate with {subject}, serial {serial}")
    }

    /// The key this certificate certifies.
    pub(crate) fn subject_key(&self) -> Result<CertifiedKey, String> {
        certified_key(self.certificate.tbs_certificate().subject_public_key_info())
    }
}

/// A public key of a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CertifiedKey {
    /// RSA: modulus and exponent, big-endian without leading zeros.
    Rsa { modulus: Vec<u8>, exponent: Vec<u8> },
    /// ECC: the curve and the uncompressed SEC1 point.
    Ec { curve: EcCurve, point: Vec<u8> },
}

/// The curves of certificate keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EcCurve {
    P256,
    P384,
}

/// The header length and content length of the DER element at the start of `bytes`, if its
/// tag is one byte, its length definite and within `bytes`.
fn der_header(bytes: &[u8]) -> Option<(usize, usize)> {
    let tag = *bytes.first()?;
    if tag & 0x1f == 0x1f {
        return None;
    }
    let first = *bytes.get(1)?;
    let (header, length) = if first < 0x80 {
        (2, usize::from(first))
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return None;
        }
        let mut length = 0usize;
        for index in 0..count {
            length = (length << 8) | usize::from(*bytes.get(2 + index)?);
        }
        (2 + count, length)
    };
    if header.checked_add(length)? > bytes.len() {
        return None;
    }
    Some((header, length))
}

/// The contents of the DER INTEGER at the start of `bytes` (as a non-negative number, without
/// leading zeros) and the rest.
fn der_unsigned_integer(bytes: &[u8]) -> Option<(Vec<u8>, &[u8])> {
    if *bytes.first()? != 0x02 {
        return None;
    }
    let (header, length) = der_header(bytes)?;
    let content = bytes.get(header..header + length)?;
    if content.first().is_some_and(|byte| byte & 0x80 != 0) {
        return None;
    }
    let rest = bytes.get(header + length..)?;
    Some((strip_leading_zeros(content).to_vec(), rest))
}

/// `bytes` without its leading zero bytes.
pub(crate) fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes
        .iter()
        .position(|byte| *byte != 0)
        .unwrap_or(bytes.len());
    bytes.get(first..).unwrap_or_default()
}

fn certified_key(spki: &SubjectPublicKeyInfoOwned) -> Result<CertifiedKey, String> {
    let key = spki
        .subject_public_key
        .as_bytes()
        .ok_or("the public key BIT STRING has unused bits")?;
    let oid = spki.algorithm.oid;
    if oid == RSA_ENCRYPTION || oid == RSAES_OAEP {
        // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
        if key.first() != Some(&0x30) {
            return Err("the RSA public key is not a SEQUENCE".into());
        }
        let (header, length) = der_header(key).ok_or("the RSA public key is truncated")?;
        if header + length != key.len() {
            return Err("bytes after the RSA public key".into());
        }
        let content = key.get(header..).unwrap_or_default();
        let (modulus, rest) =
            der_unsigned_integer(content).ok_or("the RSA modulus is not a positive INTEGER")?;
        let (exponent, rest) =
            der_unsigned_integer(rest).ok_or("the RSA exponent is not a positive INTEGER")?;
        if !rest.is_empty() {
            return Err("bytes after the RSA exponent".into());
        }
        return Ok(CertifiedKey::Rsa { modulus, exponent });
    }
    if oid == EC_PUBLIC_KEY {
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|parameters| parameters.decode_as::<ObjectIdentifier>().ok())
            .ok_or("the EC key does not name its curve")?;
        let curve = match curve {
            PRIME256V1 => EcCurve::P256,
            SECP384R1 => EcCurve::P384,
            other => return Err(format!("the EC key's curve {other} is not supported")),
        };
        let size = match curve {
            EcCurve::P256 => 32,
            EcCurve::P384 => 48,
        };
        if key.len() != 1 + 2 * size || key.first() != Some(&0x04) {
            return Err("the EC key is not an uncompressed point".into());
        }
        return Ok(CertifiedKey::Ec {
            curve,
            point: key.to_vec(),
        });
    }
    Err(format!("the key algorithm {oid} is not supported"))
}

/// Verifies `signature` by `issuer_key` over `message` with the certificate signature
/// algorithm `algorithm`.
fn verify_signature(
    issuer_key: &CertifiedKey,
    algorithm: ObjectIdentifier,
    message: &[u8],
    signature: &[u8],
) -> Result<(), String> {
    let rsa_hash = match algorithm {
        SHA256_WITH_RSA => Some(NameHash::Sha256),
        SHA384_WITH_RSA => Some(NameHash::Sha384),
        SHA512_WITH_RSA => Some(NameHash::Sha512),
        _ => None,
    };
    let ecdsa_hash = match algorithm {
        ECDSA_WITH_SHA256 => Some(NameHash::Sha256),
        ECDSA_WITH_SHA384 => Some(NameHash::Sha384),
        ECDSA_WITH_SHA512 => Some(NameHash::Sha512),
        _ => None,
    };
    match (issuer_key, rsa_hash, ecdsa_hash) {
        (CertifiedKey::Rsa { modulus, exponent }, Some(hash), None) => {
            let key = rsa::PublicKey::new(
                rsa::BoxedUint::from_be_slice_vartime(modulus),
                rsa::BoxedUint::from_be_slice_vartime(exponent),
            )
            .map_err(|error| format!("the issuer's RSA key is not usable: {error}"))?;
            let digest = hash.digest(&[message]);
            let scheme = match hash {
                NameHash::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                NameHash::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                NameHash::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
            };
            key.verify(scheme, &digest, signature)
                .map_err(|_| "the RSA signature does not verify".to_owned())
        }
        (CertifiedKey::Ec { curve, point }, None, Some(hash)) => {
            let digest = hash.digest(&[message]);
            let verified = match curve {
                EcCurve::P256 => {
                    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(point)
                        .map_err(|_| "the issuer's P-256 key is not a point on the curve")?;
                    let signature = p256::ecdsa::Signature::from_der(signature)
                        .map_err(|_| "the ECDSA signature is not DER")?;
                    key.verify_prehash(&digest, &signature).is_ok()
                }
                EcCurve::P384 => {
                    let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(point)
                        .map_err(|_| "the issuer's P-384 key is not a point on the curve")?;
                    let signature = p384::ecdsa::Signature::from_der(signature)
                        .map_err(|_| "the ECDSA signature is not DER")?;
                    key.verify_prehash(&digest, &signature).is_ok()
                }
            };
            if verified {
                Ok(())
            } else {
                Err("the ECDSA signature does not verify".to_owned())
            }
        }
        (_, None, None) => Err(format!(
            "the signature algorithm {algorithm} is not supported"
        )),
        _ => Err(format!(
            "the signature algorithm {algorithm} does not fit the issuer's key"
        )),
    }
}

/// Refuses a critical extension this module does not know.
fn check_critical_extensions(certificate: &ParsedCertificate) -> Result<(), String> {
    let Some(extensions) = certificate.certificate.tbs_certificate().extensions() else {
        return Ok(());
    };
    for extension in extensions {
        if extension.critical
            && !KNOWN_CRITICAL
                .iter()
                .any(|(_, oid)| *oid == extension.extn_id)
        {
            return Err(format!(
                "the {} has the unknown critical extension {}",
                certificate.describe(),
                extension.extn_id
            ));
        }
    }
    Ok(())
}

/// Whether `issuer` may issue `subject` with `below` intermediates between it and the EK
/// certificate: the names chain, it is a CA (basicConstraints cA, a path length that allows
/// it, keyCertSign when it has a keyUsage), has no unknown critical extension, and its
/// signature over `subject` verifies.
fn may_issue(
    issuer: &ParsedCertificate,
    subject: &ParsedCertificate,
    below: usize,
) -> Result<(), String> {
    let tbs = issuer.certificate.tbs_certificate();
    let constraints = tbs
        .get_extension::<BasicConstraints>()
        .map_err(|error| format!("the {}'s basicConstraints: {error}", issuer.describe()))?;
    match constraints {
        Some((
            _,
            BasicConstraints {
                ca: true,
                path_len_constraint,
            },
        )) => {
            if let Some(limit) = path_len_constraint {
                if below > usize::from(limit) {
                    return Err(format!(
                        "the {} allows {limit} intermediates below it, the path has {below}",
                        issuer.describe()
                    ));
                }
            }
        }
        _ => {
            return Err(format!(
                "the {} is not a CA (basicConstraints)",
                issuer.describe()
            ))
        }
    }
    if let Some((_, usage)) = tbs
        .get_extension::<KeyUsage>()
        .map_err(|error| format!("the {}'s keyUsage: {error}", issuer.describe()))?
    {
        if !usage.key_cert_sign() {
            return Err(format!(
                "the {} may not sign certificates (keyUsage)",
                issuer.describe()
            ));
        }
    }
    check_critical_extensions(issuer)?;
    let key = issuer.subject_key()?;
    let algorithm = subject.certificate.signature_algorithm().oid;
    if subject.certificate.tbs_certificate().signature().oid != algorithm {
        return Err(format!(
            "the {} names two different signature algorithms",
            subject.describe()
        ));
    }
    let signature = subject
        .certificate
        .signature()
        .as_bytes()
        .ok_or("the signature BIT STRING has unused bits")?;
    verify_signature(&key, algorithm, &subject.tbs, signature).map_err(|why| {
        format!(
            "{why} ({} issued by {})",
            subject.describe(),
            issuer.describe()
        )
    })
}

/// A path from `leaf` to one of `anchors` through `intermediates`, found depth first: the
/// issuers from the leaf's up to the anchor. The last reason a candidate issuer was refused
/// is kept for the message when there is none.
fn find_path<'a>(
    current: &'a ParsedCertificate,
    intermediates: &'a [ParsedCertificate],
    anchors: &'a [ParsedCertificate],
    path: &mut Vec<&'a ParsedCertificate>,
    problem: &mut Option<String>,
) -> bool {
    let below = path.len();
    let wanted = current.certificate.tbs_certificate().issuer();
    for anchor in anchors {
        if anchor.certificate.tbs_certificate().subject() != wanted {
            continue;
        }
        match may_issue(anchor, current, below) {
            Ok(()) => {
                path.push(anchor);
                return true;
            }
            Err(why) => *problem = Some(why),
        }
    }
    if below >= MAX_INTERMEDIATES {
        return false;
    }
    for intermediate in intermediates {
        if intermediate.certificate.tbs_certificate().subject() != wanted
            || path.iter().any(|seen| seen.der == intermediate.der)
            || intermediate.der == current.der
        {
            continue;
        }
        match may_issue(intermediate, current, below) {
            Ok(()) => {
                path.push(intermediate);
                if find_path(intermediate, intermediates, anchors, path, problem) {
                    return true;
                }
                path.pop();
            }
            Err(why) => *problem = Some(why),
        }
    }
    false
}

/// Checks that `leaf` chains to one of `anchors` (through `intermediates`) and that every
/// certificate of the chain is valid at `now` (Unix seconds).
pub(crate) fn verify_chain(
    leaf: &ParsedCertificate,
    intermediates: &[ParsedCertificate],
    anchors: &[ParsedCertificate],
    now: i64,
) -> Result<(), TpmRefusal> {
    check_critical_extensions(leaf).map_err(TpmRefusal::EkCertificateUntrusted)?;
    let mut path = Vec::new();
    let mut problem = None;
    if !find_path(leaf, intermediates, anchors, &mut path, &mut problem) {
        return Err(TpmRefusal::EkCertificateUntrusted(problem.unwrap_or_else(
            || {
                format!(
                    "no trust anchor or intermediate is the issuer \"{}\" of the EK certificate",
                    leaf.certificate.tbs_certificate().issuer()
                )
            },
        )));
    }
    for certificate in std::iter::once(leaf).chain(path) {
        let validity = certificate.certificate.tbs_certificate().validity();
        let not_before = validity.not_before.to_unix_duration().as_secs();
        let not_after = validity.not_after.to_unix_duration().as_secs();
        let now = i128::from(now);
        if now < i128::from(not_before) {
            return Err(TpmRefusal::EkCertificateNotYetValid(format!(
                "the {} is valid from {} on",
                certificate.describe(),
                validity.not_before
            )));
        }
        if now > i128::from(not_after) {
            return Err(TpmRefusal::EkCertificateExpired(format!(
                "the {} expired at {}",
                certificate.describe(),
                validity.not_after
            )));
        }
    }
    Ok(())
}

/// The DER certificates of `input`: one DER certificate, or PEM text with one or more
/// `CERTIFICATE` blocks.
pub(crate) fn certificates_from_pem_or_der(input: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    if input.first() == Some(&0x30) {
        return Ok(vec![input.to_vec()]);
    }
    let text = std::str::from_utf8(input).map_err(|_| "neither DER nor PEM text")?;
    certificates_from_pem(text)
}

/// The DER certificates of the `CERTIFICATE` blocks of PEM `text`.
pub(crate) fn certificates_from_pem(text: &str) -> Result<Vec<Vec<u8>>, String> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let mut certificates = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let after = rest.get(start + BEGIN.len()..).unwrap_or_default();
        let end = after
            .find(END)
            .ok_or("a PEM CERTIFICATE block without its END line")?;
        let body: String = after
            .get(..end)
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let der = crate::decode_base64(&body).ok_or("a PEM block that is not base64")?;
        certificates.push(der);
        rest = after.get(end + END.len()..).unwrap_or_default();
    }
    if certificates.is_empty() {
        return Err("no PEM CERTIFICATE block".into());
    }
    Ok(certificates)
}
