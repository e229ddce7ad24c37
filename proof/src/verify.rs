//! The proof verifier: checks a signature over signed-payload bytes exactly as a backend would,
//! without re-serializing anything it then trusts.
//!
//! In order, each failure with its own [`VerifyError::kind`]:
//!
//! 1. the public key is a P-256 SubjectPublicKeyInfo DER with an uncompressed point
//!    (`malformedPublicKey`), the signature strict DER with `0 < r, s < n`
//!    (`malformedSignature`), and it verifies over the bytes as received, high S accepted
//!    (`badSignature`);
//! 2. the bytes are one UTF-8 JSON text (`malformedJson`) without a repeated object key
//!    (`duplicateKey`), an object of exactly `domain` and `payload` (`malformedEnvelope`), and
//!    the domain is [`SIGN_PAYLOAD_DOMAIN`] (`wrongDomain`);
//! 3. the spelling: by default ([`Strictness::Canonical`]) the bytes must be the canonical
//!    serialization of their own value, every number an integer within ±(2^53 − 1)
//!    (`nonCanonical`). With [`Strictness::AcceptAnySpelling`] any JSON spelling is accepted
//!    (key order, white space, escapes), but every number must still be an integer written in
//!    plain digits (no fraction, no exponent, not `-0`) within ±(2^53 − 1)
//!    (`malformedNumber`), and the result says whether the bytes were canonical;
//! 4. the payload passes the generated schema validators (`invalidParams`);
//! 5. the caller's expectations, in this order: audience, targetOrigin, nonce, sessionId,
//!    challengeId, accountUserId, clientId, key id (each `…Mismatch`), then the expiry window
//!    `now < expiresAt <= now + 900` at the system clock's time unless told otherwise
//!    ([`Now`]).

use std::time::{SystemTime, UNIX_EPOCH};

use crate::json_pointer::find_number;
use devicekey_protocol::types::DeviceKeySignPayload;
use serde_json::Value;

use crate::canonical::{parse_strict, to_canonical_bytes};
use crate::crypto::{verify_der, SignatureError};
use crate::error::DeviceKeyError;
use crate::identity::identity_of_key;
use crate::key_id::KeyId;
use crate::rules::SignPayloadExt as _;
use crate::signed_payload::SIGN_PAYLOAD_DOMAIN;
use crate::validation::Validated;

/// The largest magnitude of an integer in a proof: 2^53 − 1, the largest a JavaScript number
/// holds exactly, so that every verifier reads the same value.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// At what time the expiry window is checked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Now {
    /// At the system clock's time, read when the proof is verified: the default.
    #[default]
    SystemClock,
    /// At this time, in Unix seconds.
    At(i64),
    /// Not at all: the proof is accepted whatever its expiry. Only for tools that inspect old
    /// proofs; a backend accepting a proof never wants this.
    SkipExpiryCheck,
}

impl Now {
    /// The time to check the expiry window at; `None` for [`Now::SkipExpiryCheck`].
    pub fn resolve(self) -> Option<i64> {
        match self {
            Now::SystemClock => Some(system_now()),
            Now::At(now) => Some(now),
            Now::SkipExpiryCheck => None,
        }
    }
}

/// The system clock in whole Unix seconds.
fn system_now() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(elapsed) => i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX),
        Err(before_epoch) => {
            i64::try_from(before_epoch.duration().as_secs()).map_or(i64::MIN, |secs| -secs)
        }
    }
}

/// Which spellings of the signed bytes are accepted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Strictness {
    /// Only the canonical bytes, as this project's signer writes them: the default.
    #[default]
    Canonical,
    /// Any JSON spelling of a valid payload (key order, white space, escapes such as Go's
    /// `\u003c` or an older Swift's `\/`), knowingly: the bytes must still be strict UTF-8 JSON
    /// without duplicate keys, exactly `domain` and `payload`, and every number an integer in
    /// plain digits within ±(2^53 − 1). [`VerifiedProof::canonical`] says whether they were
    /// canonical.
    AcceptAnySpelling,
}

/// What the caller expects of a proof. The default checks the expiry window at the system
/// clock's time, accepts only canonical bytes, and expects nothing of the payload's fields;
/// each `Some` field must equal the payload's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expectations {
    /// When to check `now < expiresAt <= now + 900`: the system clock unless told otherwise.
    pub now: Now,
    /// Which spellings of the signed bytes are accepted.
    pub strictness: Strictness,
    /// The payload's `audience` must equal this.
    pub audience: Option<String>,
    /// The payload's `targetOrigin` must equal this.
    pub origin: Option<String>,
    /// The payload's `nonce` must equal this (the one the backend issued).
    pub nonce: Option<String>,
    /// The payload must be a connection whose `sessionId` equals this.
    pub session_id: Option<String>,
    /// The payload must be an enrollment whose `challengeId` equals this.
    pub challenge_id: Option<String>,
    /// The payload's `accountUserId` must equal this.
    pub account_user_id: Option<String>,
    /// The payload's `clientId` must equal this.
    pub client_id: Option<String>,
    /// The proof must name the key of this id. Only an enrollment names its key in the signed
    /// bytes: its `deviceIdentitySha256Base64url` must be the device identity of this key id,
    /// its class and the verifying public key
    /// ([`device_identity_sha256_base64url`](crate::device_identity_sha256_base64url)). A
    /// connection payload does not name its key, so expecting a key id of one is always
    /// `keyIdMismatch`: a backend finds a connection's public key by its key id instead.
    pub key_id: Option<KeyId>,
}

impl Expectations {
    /// Expectations checking the expiry window at `now` (Unix seconds) and nothing else.
    pub fn at(now: i64) -> Self {
        Expectations {
            now: Now::At(now),
            ..Expectations::default()
        }
    }

    /// Expectations that skip the expiry check, and check nothing else.
    pub fn skipping_expiry() -> Self {
        Expectations {
            now: Now::SkipExpiryCheck,
            ..Expectations::default()
        }
    }
}

/// A proof that passed every check.
#[derive(Debug, Clone)]
pub struct VerifiedProof {
    /// The signed payload, as the protocol's type.
    pub payload: DeviceKeySignPayload,
    /// Whether the signed bytes are the canonical serialization. Always `true` under
    /// [`Strictness::Canonical`]; under [`Strictness::AcceptAnySpelling`], `false` means
    /// "valid, not canonical".
    pub canonical: bool,
    /// The time the expiry window was checked at; `None` when the check was skipped.
    pub expiry_checked_at: Option<i64>,
}

impl VerifiedProof {
    /// `valid`, or `validNotCanonical` for a valid proof whose bytes are not canonical.
    pub fn verdict(&self) -> &'static str {
        if self.canonical {
            "valid"
        } else {
            "validNotCanonical"
        }
    }
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
    /// The bytes are not the canonical serialization of their own value (or hold an integer
    /// beyond ±(2^53 − 1), which has none).
    NonCanonical,
    /// Under [`Strictness::AcceptAnySpelling`]: a number that is not an integer written in
    /// plain digits within ±(2^53 − 1).
    MalformedNumber {
        /// Its JSON pointer in the signed bytes.
        path: String,
    },
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
    /// The nonce is not the expected one.
    NonceMismatch {
        /// Expected.
        expected: String,
        /// Found.
        found: String,
    },
    /// The session id is not the expected one, or the payload is an enrollment (`None`).
    SessionIdMismatch {
        /// Expected.
        expected: String,
        /// Found; `None` when the payload has no `sessionId`.
        found: Option<String>,
    },
    /// The challenge id is not the expected one, or the payload is a connection (`None`).
    ChallengeIdMismatch {
        /// Expected.
        expected: String,
        /// Found; `None` when the payload has no `challengeId`.
        found: Option<String>,
    },
    /// The account user is not the expected one.
    AccountUserIdMismatch {
        /// Expected.
        expected: String,
        /// Found.
        found: String,
    },
    /// The client is not the expected one.
    ClientIdMismatch {
        /// Expected.
        expected: String,
        /// Found.
        found: String,
    },
    /// The proof does not name the expected key: an enrollment whose
    /// `deviceIdentitySha256Base64url` is not the identity of the expected key id with the
    /// verifying public key, or a connection (`found_identity: None`), which names no key.
    KeyIdMismatch {
        /// The key id expected.
        expected: String,
        /// The device identity of that key id with the verifying public key.
        expected_identity: String,
        /// The enrollment's `deviceIdentitySha256Base64url`; `None` for a connection.
        found_identity: Option<String>,
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
                "the signed bytes are not canonical JSON (sorted keys, compact, canonical escapes, \
                 integers in plain digits within ±(2^53 - 1))",
            ),
            VerifyError::MalformedNumber { path } => write!(
                f,
                "the number at {} in the signed bytes is not an integer in plain digits within \
                 ±(2^53 - 1)",
                if path.is_empty() { "/" } else { path }
            ),
            VerifyError::Payload(error) => error.fmt(f),
            VerifyError::AudienceMismatch { expected, found } => {
                write!(f, "the payload audience is {found:?}, expected {expected:?}")
            }
            VerifyError::OriginMismatch { expected, found } => {
                write!(f, "the payload targetOrigin is {found:?}, expected {expected:?}")
            }
            VerifyError::NonceMismatch { expected, found } => {
                write!(f, "the payload nonce is {found:?}, expected {expected:?}")
            }
            VerifyError::SessionIdMismatch { expected, found } => match found {
                Some(found) => {
                    write!(f, "the payload sessionId is {found:?}, expected {expected:?}")
                }
                None => write!(
                    f,
                    "the payload is an enrollment, which has no sessionId; expected sessionId \
                     {expected:?}"
                ),
            },
            VerifyError::ChallengeIdMismatch { expected, found } => match found {
                Some(found) => {
                    write!(f, "the payload challengeId is {found:?}, expected {expected:?}")
                }
                None => write!(
                    f,
                    "the payload is a connection, which has no challengeId; expected challengeId \
                     {expected:?}"
                ),
            },
            VerifyError::AccountUserIdMismatch { expected, found } => {
                write!(f, "the payload accountUserId is {found:?}, expected {expected:?}")
            }
            VerifyError::ClientIdMismatch { expected, found } => {
                write!(f, "the payload clientId is {found:?}, expected {expected:?}")
            }
            VerifyError::KeyIdMismatch {
                expected,
                expected_identity,
                found_identity,
            } => match found_identity {
                Some(found) => write!(
                    f,
                    "the enrollment's deviceIdentitySha256Base64url is {found:?}, not \
                     {expected_identity:?}, the identity of key {expected} with this public key"
                ),
                None => write!(
                    f,
                    "a connection payload does not name its key, so it cannot show it is by key \
                     {expected}; look the public key up by key id instead of expecting one"
                ),
            },
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
            VerifyError::MalformedNumber { .. } => "malformedNumber",
            VerifyError::Payload(error) => error.kind_str(),
            VerifyError::AudienceMismatch { .. } => "audienceMismatch",
            VerifyError::OriginMismatch { .. } => "originMismatch",
            VerifyError::NonceMismatch { .. } => "nonceMismatch",
            VerifyError::SessionIdMismatch { .. } => "sessionIdMismatch",
            VerifyError::ChallengeIdMismatch { .. } => "challengeIdMismatch",
            VerifyError::AccountUserIdMismatch { .. } => "accountUserIdMismatch",
            VerifyError::ClientIdMismatch { .. } => "clientIdMismatch",
            VerifyError::KeyIdMismatch { .. } => "keyIdMismatch",
        }
    }
}

/// Verifies a proof: `signature_der` by the key `public_key_spki_der` over `signed_payload`,
/// then the bytes, the payload and `expectations` (see the module documentation for the order).
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
    let canonical = to_canonical_bytes(&envelope).ok().as_deref() == Some(signed_payload);
    let unsafe_number = first_unsafe_number(&envelope);
    match expectations.strictness {
        Strictness::Canonical => {
            if !canonical || unsafe_number.is_some() {
                return Err(VerifyError::NonCanonical);
            }
        }
        Strictness::AcceptAnySpelling => {
            if let Some(path) = unsafe_number {
                return Err(VerifyError::MalformedNumber { path });
            }
        }
    }
    let payload = Validated::<DeviceKeySignPayload>::from_json(payload.clone())
        .map_err(VerifyError::Payload)?
        .into_inner();
    check_fields(&payload, expectations, public_key_spki_der)?;
    let expiry_checked_at = expectations.now.resolve();
    if let Some(now) = expiry_checked_at {
        payload.check_expiry(now).map_err(VerifyError::Payload)?;
    }
    Ok(VerifiedProof {
        payload,
        canonical,
        expiry_checked_at,
    })
}

/// The expectations on the payload's fields, in the documented order.
fn check_fields(
    payload: &DeviceKeySignPayload,
    expectations: &Expectations,
    spki_der: &[u8],
) -> Result<(), VerifyError> {
    let differs = |expected: &Option<String>, found: &str| {
        expected
            .as_ref()
            .filter(|expected| expected.as_str() != found)
            .cloned()
    };
    if let Some(expected) = differs(&expectations.audience, &payload.audience()) {
        return Err(VerifyError::AudienceMismatch {
            expected,
            found: payload.audience(),
        });
    }
    let origin = payload.target_origin().0.as_str();
    if let Some(expected) = differs(&expectations.origin, origin) {
        return Err(VerifyError::OriginMismatch {
            expected,
            found: origin.to_owned(),
        });
    }
    let nonce = payload.nonce().as_str();
    if let Some(expected) = differs(&expectations.nonce, nonce) {
        return Err(VerifyError::NonceMismatch {
            expected,
            found: nonce.to_owned(),
        });
    }
    let (session_id, challenge_id, device_identity) = match payload {
        DeviceKeySignPayload::RemoteControlClientConnection { session_id, .. } => {
            (Some(session_id.as_str()), None, None)
        }
        DeviceKeySignPayload::RemoteControlClientEnrollment {
            challenge_id,
            device_identity_sha256_base64url,
            ..
        } => (
            None,
            Some(challenge_id.as_str()),
            Some(device_identity_sha256_base64url.as_str()),
        ),
    };
    if let Some(expected) = &expectations.session_id {
        if session_id != Some(expected.as_str()) {
            return Err(VerifyError::SessionIdMismatch {
                expected: expected.clone(),
                found: session_id.map(str::to_owned),
            });
        }
    }
    if let Some(expected) = &expectations.challenge_id {
        if challenge_id != Some(expected.as_str()) {
            return Err(VerifyError::ChallengeIdMismatch {
                expected: expected.clone(),
                found: challenge_id.map(str::to_owned),
            });
        }
    }
    let account_user_id = payload.account_user_id().as_str();
    if let Some(expected) = differs(&expectations.account_user_id, account_user_id) {
        return Err(VerifyError::AccountUserIdMismatch {
            expected,
            found: account_user_id.to_owned(),
        });
    }
    let client_id = payload.client_id().as_str();
    if let Some(expected) = differs(&expectations.client_id, client_id) {
        return Err(VerifyError::ClientIdMismatch {
            expected,
            found: client_id.to_owned(),
        });
    }
    if let Some(key_id) = &expectations.key_id {
        let expected_identity = identity_of_key(key_id, spki_der);
        if device_identity != Some(expected_identity.as_str()) {
            return Err(VerifyError::KeyIdMismatch {
                expected: key_id.as_str().to_owned(),
                expected_identity,
                found_identity: device_identity.map(str::to_owned),
            });
        }
    }
    Ok(())
}

/// The JSON pointer of the first number in `value` that is not an integer within
/// ±[`MAX_SAFE_INTEGER`] as the strict parser read it. The parser reads a number as an integer
/// only when it is written in plain digits (`-?(0|[1-9][0-9]*)`) and fits 64 bits; `-0`, a
/// fraction or an exponent make it a float, so this also finds every number not written in
/// plain digits.
fn first_unsafe_number(value: &Value) -> Option<String> {
    let unsafe_number = |number: &serde_json::Number| {
        let safe = number
            .as_u64()
            .map(|n| n <= MAX_SAFE_INTEGER)
            .or_else(|| {
                number
                    .as_i64()
                    .map(|n| n.unsigned_abs() <= MAX_SAFE_INTEGER)
            })
            .unwrap_or(false);
        !safe
    };
    find_number(value, &unsafe_number).map(|(path, _)| path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_integers_within_the_safe_range_pass() {
        for (text, bad) in [
            ("0", None),
            ("-9007199254740991", None),
            ("9007199254740991", None),
            ("9007199254740992", Some("")),
            ("-9007199254740992", Some("")),
            ("18446744073709551616", Some("")),
            ("1.0", Some("")),
            ("1e3", Some("")),
            ("-0", Some("")),
            (r#"{"a":[1,{"b/c~":2.5}]}"#, Some("/a/1/b~1c~0")),
        ] {
            let value = parse_strict(text.as_bytes()).unwrap();
            assert_eq!(first_unsafe_number(&value).as_deref(), bad, "{text}");
        }
    }

    #[test]
    fn the_system_clock_is_the_default_and_skipping_is_asked_for_by_name() {
        assert_eq!(Expectations::default().now, Now::SystemClock);
        let now = Now::SystemClock.resolve().unwrap();
        assert!(now > 1_700_000_000, "{now}");
        assert_eq!(Expectations::at(5).now.resolve(), Some(5));
        assert_eq!(Expectations::skipping_expiry().now.resolve(), None);
        assert_eq!(Expectations::default().strictness, Strictness::Canonical);
    }
}
