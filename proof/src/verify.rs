//! The proof verifier: checks a signature over signed-payload bytes exactly as a backend would,
//! without re-serializing anything it then trusts.
//!
//! In order: the ECDSA P-256/SHA-256 signature over the bytes as received (high S accepted),
//! the bytes are UTF-8 JSON without duplicate keys holding exactly `domain` and `payload`, the
//! domain, the bytes are canonical (re-serializing the parsed value gives the same bytes), the
//! payload passes the generated schema validators, and the caller's optional expectations:
//! audience, origin and, given `now`, the expiry window.

use devicekey_protocol::types::DeviceKeySignPayload;

use crate::canonical::{parse_strict, to_canonical_bytes};
use crate::crypto::{verify_der, SignatureError};
use crate::error::DeviceKeyError;
use crate::rules::SignPayloadExt as _;
use crate::signed_payload::SIGN_PAYLOAD_DOMAIN;
use crate::validation::Validated;

/// What the caller expects of the payload; `None` checks nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expectations {
    /// The payload's `audience` must equal this.
    pub audience: Option<String>,
    /// The payload's `targetOrigin` must equal this.
    pub origin: Option<String>,
    /// Check `now < expiresAt <= now + 900` at this time (Unix seconds).
    pub now: Option<i64>,
}

/// A proof that passed every check.
#[derive(Debug, Clone)]
pub struct VerifiedProof {
    /// The signed payload, as the protocol's type.
    pub payload: DeviceKeySignPayload,
}

/// Why a proof was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// The public key or signature is malformed, or the signature does not verify.
    Signature(SignatureError),
    /// The signed bytes are not UTF-8 JSON.
    MalformedJson(String),
    /// The signed bytes repeat a key in some object.
    DuplicateKey(String),
    /// The signed bytes are not an object of exactly `domain` and `payload`.
    MalformedEnvelope,
    /// The domain is not the device-key sign payload domain.
    WrongDomain {
        /// The domain found.
        found: String,
    },
    /// The bytes are not the canonical serialization of their own value.
    NonCanonical,
    /// The payload violates the schema, or is expired or too far in the future.
    Payload(DeviceKeyError),
    /// The audience is not the expected one.
    AudienceMismatch {
        /// Expected.
        expected: String,
        /// Found.
        found: String,
    },
    /// The target origin is not the expected one.
    OriginMismatch {
        /// Expected.
        expected: String,
        /// Found.
        found: String,
    },
}

impl From<SignatureError> for VerifyError {
    fn from(error: SignatureError) -> Self {
        VerifyError::Signature(error)
    }
}

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VerifyError::Signature(error) => error.fmt(f),
            VerifyError::MalformedJson(detail) => write!(f, "the signed bytes are not JSON: {detail}"),
            VerifyError::DuplicateKey(detail) => {
                write!(f, "the signed bytes repeat an object key: {detail}")
            }
            VerifyError::MalformedEnvelope => f.write_str(
                "the signed bytes must be an object holding exactly \"domain\" and \"payload\"",
            ),
            VerifyError::WrongDomain { found } => {
                write!(f, "the signed domain is {found:?}, expected {SIGN_PAYLOAD_DOMAIN:?}")
            }
            VerifyError::NonCanonical => f.write_str(
                "the signed bytes are not canonical JSON (sorted keys, compact, canonical escapes and integers)",
            ),
            VerifyError::Payload(error) => error.fmt(f),
            VerifyError::AudienceMismatch { expected, found } => {
                write!(f, "the payload audience is {found:?}, expected {expected:?}")
            }
            VerifyError::OriginMismatch { expected, found } => {
                write!(f, "the payload targetOrigin is {found:?}, expected {expected:?}")
            }
        }
    }
}

impl std::error::Error for VerifyError {}

impl VerifyError {
    /// A stable camelCase name of the failure.
    pub fn kind(&self) -> &'static str {
        match self {
            VerifyError::Signature(SignatureError::MalformedPublicKey) => "malformedPublicKey",
            VerifyError::Signature(SignatureError::MalformedSignature) => "malformedSignature",
            VerifyError::Signature(SignatureError::Mismatch) => "badSignature",
            VerifyError::MalformedJson(_) => "malformedJson",
            VerifyError::DuplicateKey(_) => "duplicateKey",
            VerifyError::MalformedEnvelope => "malformedEnvelope",
            VerifyError::WrongDomain { .. } => "wrongDomain",
            VerifyError::NonCanonical => "nonCanonical",
            VerifyError::Payload(error) => error.kind_str(),
            VerifyError::AudienceMismatch { .. } => "audienceMismatch",
            VerifyError::OriginMismatch { .. } => "originMismatch",
        }
    }
}

/// Verifies a proof: `signature_der` by the key `public_key_spki_der` over `signed_payload`.
pub fn verify_proof(
    public_key_spki_der: &[u8],
    signed_payload: &[u8],
    signature_der: &[u8],
    expectations: &Expectations,
) -> Result<VerifiedProof, VerifyError> {
    verify_der(public_key_spki_der, signed_payload, signature_der)?;
    let envelope = parse_strict(signed_payload).map_err(|error| {
        if error.is_duplicate_key() {
            VerifyError::DuplicateKey(error.to_string())
        } else {
            VerifyError::MalformedJson(error.to_string())
        }
    })?;
    let Some(object) = envelope.as_object().filter(|object| object.len() == 2) else {
        return Err(VerifyError::MalformedEnvelope);
    };
    let (Some(domain), Some(payload)) = (object.get("domain"), object.get("payload")) else {
        return Err(VerifyError::MalformedEnvelope);
    };
    if domain.as_str() != Some(SIGN_PAYLOAD_DOMAIN) {
        return Err(VerifyError::WrongDomain {
            found: domain
                .as_str()
                .map_or_else(|| domain.to_string(), str::to_owned),
        });
    }
    if to_canonical_bytes(&envelope).ok().as_deref() != Some(signed_payload) {
        return Err(VerifyError::NonCanonical);
    }
    let payload = Validated::<DeviceKeySignPayload>::from_json(payload.clone())
        .map_err(VerifyError::Payload)?
        .into_inner();
    if let Some(expected) = &expectations.audience {
        let found = payload.audience();
        if found != *expected {
            return Err(VerifyError::AudienceMismatch {
                expected: expected.clone(),
                found,
            });
        }
    }
    if let Some(expected) = &expectations.origin {
        let found = &payload.target_origin().0;
        if found != expected {
            return Err(VerifyError::OriginMismatch {
                expected: expected.clone(),
                found: found.clone(),
            });
        }
    }
    if let Some(now) = expectations.now {
        payload.check_expiry(now).map_err(VerifyError::Payload)?;
    }
    Ok(VerifiedProof { payload })
}
