//! The payload rules a schema cannot express: the expiry window (needs the clock), the origin
//! allowlist (needs configuration) and the binding match (needs the store).

use serde_json::Value;

use crate::error::{DeviceKeyError, ErrorKind};
use crate::origin::OriginAllowlist;

/// The longest a proof may stay valid: its expiry is at most this many seconds after now.
pub const MAX_PROOF_LIFETIME_SECONDS: i64 = 900;

/// The two payload variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayloadType {
    /// `remoteControlClientConnection` (expiry in `tokenExpiresAt`).
    Connection,
    /// `remoteControlClientEnrollment` (expiry in `challengeExpiresAt`).
    Enrollment,
}

impl PayloadType {
    /// The `type` tag.
    pub const fn tag(self) -> &'static str {
        match self {
            PayloadType::Connection => "remoteControlClientConnection",
            PayloadType::Enrollment => "remoteControlClientEnrollment",
        }
    }

    const fn expiry_field(self) -> &'static str {
        match self {
            PayloadType::Connection => "tokenExpiresAt",
            PayloadType::Enrollment => "challengeExpiresAt",
        }
    }
}

/// The fields of a schema-valid sign payload that the runtime's rules read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadFacts {
    /// Which variant.
    pub payload_type: PayloadType,
    /// The backend's nonce.
    pub nonce: String,
    /// The audience string.
    pub audience: String,
    /// The backend origin.
    pub target_origin: String,
    /// The endpoint path.
    pub target_path: String,
    /// The account user the proof is for.
    pub account_user_id: String,
    /// The client the proof is for.
    pub client_id: String,
    /// `tokenExpiresAt` or `challengeExpiresAt`, Unix seconds.
    pub expires_at: i64,
}

impl PayloadFacts {
    /// Reads the facts of a payload that passed the `DeviceKeySignPayload` schema.
    pub fn read(payload: &Value) -> Result<Self, DeviceKeyError> {
        let missing = |field: &str| {
            DeviceKeyError::invalid_params(
                format!("invalid params: payload field {field} is missing"),
                Vec::new(),
            )
        };
        let text = |field: &str| -> Result<String, DeviceKeyError> {
            payload
                .get(field)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| missing(field))
        };
        let payload_type = match payload.get("type").and_then(Value::as_str) {
            Some(tag) if tag == PayloadType::Connection.tag() => PayloadType::Connection,
            Some(tag) if tag == PayloadType::Enrollment.tag() => PayloadType::Enrollment,
            _ => return Err(missing("type")),
        };
        let expiry_field = payload_type.expiry_field();
        let expires_at = payload
            .get(expiry_field)
            .and_then(Value::as_i64)
            .ok_or_else(|| missing(expiry_field))?;
        Ok(PayloadFacts {
            payload_type,
            nonce: text("nonce")?,
            audience: text("audience")?,
            target_origin: text("targetOrigin")?,
            target_path: text("targetPath")?,
            account_user_id: text("accountUserId")?,
            client_id: text("clientId")?,
            expires_at,
        })
    }

    /// `now < expires_at <= now + 900`, with codex's messages and kinds.
    pub fn check_expiry(&self, now: i64) -> Result<(), DeviceKeyError> {
        use ErrorKind::*;
        let (expired, too_far) = match self.payload_type {
            PayloadType::Connection => (
                (TokenExpired, "remote-control token is expired"),
                (
                    TokenExpiresTooFarInFuture,
                    "remote-control token expires too far in the future",
                ),
            ),
            PayloadType::Enrollment => (
                (ChallengeExpired, "enrollment challenge is expired"),
                (
                    ChallengeExpiresTooFarInFuture,
                    "enrollment challenge expires too far in the future",
                ),
            ),
        };
        if self.expires_at <= now {
            Err(DeviceKeyError::payload(expired.0, expired.1))
        } else if i128::from(self.expires_at)
            > i128::from(now) + i128::from(MAX_PROOF_LIFETIME_SECONDS)
        {
            Err(DeviceKeyError::payload(too_far.0, too_far.1))
        } else {
            Ok(())
        }
    }

    /// The target origin is on the allowlist.
    pub fn check_origin(&self, allowlist: &OriginAllowlist) -> Result<(), DeviceKeyError> {
        if allowlist.allows(&self.target_origin) {
            Ok(())
        } else {
            Err(DeviceKeyError::payload(
                ErrorKind::OriginNotAllowed,
                "targetOrigin must be an allowed remote-control backend origin",
            ))
        }
    }

    /// The payload's accountUserId and clientId equal the key's binding.
    pub fn check_binding(
        &self,
        account_user_id: &str,
        client_id: &str,
    ) -> Result<(), DeviceKeyError> {
        if self.account_user_id == account_user_id && self.client_id == client_id {
            Ok(())
        } else {
            Err(DeviceKeyError::payload(
                ErrorKind::BindingMismatch,
                "payload accountUserId/clientId does not match device key binding",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn facts(payload_type: PayloadType, expires_at: i64) -> PayloadFacts {
        PayloadFacts {
            payload_type,
            nonce: String::new(),
            audience: String::new(),
            target_origin: "https://chatgpt.com".to_owned(),
            target_path: String::new(),
            account_user_id: "account".to_owned(),
            client_id: "client".to_owned(),
            expires_at,
        }
    }

    #[test]
    fn expiry_window_boundaries() {
        let now = 1_700_000_000;
        let cases = [
            (
                PayloadType::Connection,
                now - 1,
                Some((ErrorKind::TokenExpired, "remote-control token is expired")),
            ),
            (
                PayloadType::Connection,
                now,
                Some((ErrorKind::TokenExpired, "remote-control token is expired")),
            ),
            (PayloadType::Connection, now + 1, None),
            (PayloadType::Connection, now + 900, None),
            (
                PayloadType::Connection,
                now + 901,
                Some((
                    ErrorKind::TokenExpiresTooFarInFuture,
                    "remote-control token expires too far in the future",
                )),
            ),
            (
                PayloadType::Enrollment,
                now,
                Some((
                    ErrorKind::ChallengeExpired,
                    "enrollment challenge is expired",
                )),
            ),
            (PayloadType::Enrollment, now + 900, None),
            (
                PayloadType::Enrollment,
                now + 901,
                Some((
                    ErrorKind::ChallengeExpiresTooFarInFuture,
                    "enrollment challenge expires too far in the future",
                )),
            ),
            (
                PayloadType::Enrollment,
                i64::MAX,
                Some((
                    ErrorKind::ChallengeExpiresTooFarInFuture,
                    "enrollment challenge expires too far in the future",
                )),
            ),
        ];
        for (payload_type, expires_at, expected) in cases {
            let outcome = facts(payload_type, expires_at).check_expiry(now);
            match expected {
                None => assert_eq!(outcome, Ok(()), "{payload_type:?} {expires_at}"),
                Some((kind, message)) => {
                    let error = outcome.unwrap_err();
                    assert_eq!(error.kind(), kind);
                    assert_eq!(
                        error.message(),
                        format!("invalid device key payload: {message}")
                    );
                }
            }
        }
        // The window is computed without overflow at the top of the range.
        assert_eq!(
            facts(PayloadType::Connection, i64::MAX).check_expiry(i64::MAX - 1),
            Ok(())
        );
    }

    #[test]
    fn binding_must_match_exactly() {
        let facts = facts(PayloadType::Connection, 0);
        assert_eq!(facts.check_binding("account", "client"), Ok(()));
        for (account, client) in [
            ("account", "other"),
            ("other", "client"),
            ("Account", "client"),
        ] {
            let error = facts.check_binding(account, client).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::BindingMismatch);
            assert_eq!(
                error.message(),
                "invalid device key payload: payload accountUserId/clientId does not match device key binding"
            );
        }
    }

    #[test]
    fn origin_outside_the_allowlist_is_rejected_with_codex_text() {
        let mut facts = facts(PayloadType::Enrollment, 0);
        assert_eq!(
            facts.check_origin(&OriginAllowlist::codex_defaults()),
            Ok(())
        );
        facts.target_origin = "https://evilchatgpt.com".to_owned();
        let error = facts
            .check_origin(&OriginAllowlist::codex_defaults())
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::OriginNotAllowed);
        assert_eq!(error.message(), "invalid device key payload: targetOrigin must be an allowed remote-control backend origin");
    }

    #[test]
    fn facts_are_read_from_both_variants() {
        let connection = json!({"type": "remoteControlClientConnection", "nonce": "n", "audience": "a",
            "sessionId": "s", "targetOrigin": "o", "targetPath": "p", "accountUserId": "u", "clientId": "c",
            "tokenSha256Base64url": "t", "tokenExpiresAt": 5, "scopes": []});
        let facts = PayloadFacts::read(&connection).unwrap();
        assert_eq!(
            (
                facts.payload_type,
                facts.expires_at,
                facts.client_id.as_str()
            ),
            (PayloadType::Connection, 5, "c")
        );
        let enrollment = json!({"type": "remoteControlClientEnrollment", "nonce": "n", "audience": "a",
            "challengeId": "s", "targetOrigin": "o", "targetPath": "p", "accountUserId": "u", "clientId": "c",
            "deviceIdentitySha256Base64url": "t", "challengeExpiresAt": 7});
        assert_eq!(PayloadFacts::read(&enrollment).unwrap().expires_at, 7);
        assert!(PayloadFacts::read(&json!({"type": "other"})).is_err());
    }
}
