//! The payload rules a schema cannot express: the expiry window (needs the clock), the origin
//! allowlist (needs configuration) and the binding match (needs the store), read from the
//! generated `DeviceKeySignPayload` enum.

use devicekey_protocol::types::{
    AccountUserId, ClientId, DeviceKeySignPayload, DomainErrorKind, Nonce, Origin,
};

use crate::error::DeviceKeyError;
use crate::origin::OriginAllowlist;

/// The longest a proof may stay valid: its expiry is at most this many seconds after now.
pub const MAX_PROOF_LIFETIME_SECONDS: i64 = 900;

/// What the runtime's rules read from a sign payload, whichever its variant.
pub trait SignPayloadExt {
    /// The `type` tag of the variant, as its wire string.
    fn type_tag(&self) -> String;
    /// The backend's nonce.
    fn nonce(&self) -> &Nonce;
    /// The audience, as its wire string.
    fn audience(&self) -> String;
    /// The backend origin.
    fn target_origin(&self) -> &Origin;
    /// The endpoint path, as its wire string.
    fn target_path(&self) -> String;
    /// The account user the proof is for.
    fn account_user_id(&self) -> &AccountUserId;
    /// The client the proof is for.
    fn client_id(&self) -> &ClientId;
    /// `tokenExpiresAt` or `challengeExpiresAt`, Unix seconds.
    fn expires_at(&self) -> i64;
    /// `now < expires_at <= now + 900`, with codex's messages and kinds.
    fn check_expiry(&self, now: i64) -> Result<(), DeviceKeyError>;
    /// The target origin is on the allowlist.
    fn check_origin(&self, allowlist: &OriginAllowlist) -> Result<(), DeviceKeyError>;
    /// The payload's accountUserId and clientId equal the key's binding.
    fn check_binding(
        &self,
        account_user_id: &AccountUserId,
        client_id: &ClientId,
    ) -> Result<(), DeviceKeyError>;
}

impl SignPayloadExt for DeviceKeySignPayload {
    fn type_tag(&self) -> String {
        // The tag is serde's (the generated enum's `rename`), read back rather than restated.
        serde_json::to_value(self)
            .ok()
            .and_then(|value| value.get("type")?.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    fn target_path(&self) -> String {
        match self {
            DeviceKeySignPayload::RemoteControlClientConnection { target_path, .. } => {
                target_path.to_string()
            }
            DeviceKeySignPayload::RemoteControlClientEnrollment { target_path, .. } => {
                target_path.to_string()
            }
        }
    }

    fn nonce(&self) -> &Nonce {
        match self {
            DeviceKeySignPayload::RemoteControlClientConnection { nonce, .. }
            | DeviceKeySignPayload::RemoteControlClientEnrollment { nonce, .. } => nonce,
        }
    }

    fn audience(&self) -> String {
        match self {
            DeviceKeySignPayload::RemoteControlClientConnection { audience, .. } => {
                audience.to_string()
            }
            DeviceKeySignPayload::RemoteControlClientEnrollment { audience, .. } => {
                audience.to_string()
            }
        }
    }

    fn target_origin(&self) -> &Origin {
        match self {
            DeviceKeySignPayload::RemoteControlClientConnection { target_origin, .. }
            | DeviceKeySignPayload::RemoteControlClientEnrollment { target_origin, .. } => {
                target_origin
            }
        }
    }

    fn account_user_id(&self) -> &AccountUserId {
        match self {
            DeviceKeySignPayload::RemoteControlClientConnection {
                account_user_id, ..
            }
            | DeviceKeySignPayload::RemoteControlClientEnrollment {
                account_user_id, ..
            } => account_user_id,
        }
    }

    fn client_id(&self) -> &ClientId {
        match self {
            DeviceKeySignPayload::RemoteControlClientConnection { client_id, .. }
            | DeviceKeySignPayload::RemoteControlClientEnrollment { client_id, .. } => client_id,
        }
    }

    fn expires_at(&self) -> i64 {
        match self {
            DeviceKeySignPayload::RemoteControlClientConnection {
                token_expires_at, ..
            } => *token_expires_at,
            DeviceKeySignPayload::RemoteControlClientEnrollment {
                challenge_expires_at,
                ..
            } => *challenge_expires_at,
        }
    }

    fn check_expiry(&self, now: i64) -> Result<(), DeviceKeyError> {
        use DomainErrorKind::*;
        let (expired, too_far) = match self {
            DeviceKeySignPayload::RemoteControlClientConnection { .. } => (
                (TokenExpired, "remote-control token is expired"),
                (
                    TokenExpiresTooFarInFuture,
                    "remote-control token expires too far in the future",
                ),
            ),
            DeviceKeySignPayload::RemoteControlClientEnrollment { .. } => (
                (ChallengeExpired, "enrollment challenge is expired"),
                (
                    ChallengeExpiresTooFarInFuture,
                    "enrollment challenge expires too far in the future",
                ),
            ),
        };
        let expires_at = self.expires_at();
        if expires_at <= now {
            Err(DeviceKeyError::payload(expired.0, expired.1))
        } else if i128::from(expires_at) > i128::from(now) + i128::from(MAX_PROOF_LIFETIME_SECONDS)
        {
            Err(DeviceKeyError::payload(too_far.0, too_far.1))
        } else {
            Ok(())
        }
    }

    fn check_origin(&self, allowlist: &OriginAllowlist) -> Result<(), DeviceKeyError> {
        if allowlist.allows(&self.target_origin().0) {
            Ok(())
        } else {
            Err(DeviceKeyError::payload(
                DomainErrorKind::OriginNotAllowed,
                "targetOrigin must be an allowed remote-control backend origin",
            ))
        }
    }

    fn check_binding(
        &self,
        account_user_id: &AccountUserId,
        client_id: &ClientId,
    ) -> Result<(), DeviceKeyError> {
        if self.account_user_id() == account_user_id && self.client_id() == client_id {
            Ok(())
        } else {
            Err(DeviceKeyError::payload(
                DomainErrorKind::BindingMismatch,
                "payload accountUserId/clientId does not match device key binding",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NONCE: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    const DIGEST: &str = "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU";

    fn connection(expires_at: i64) -> DeviceKeySignPayload {
        serde_json::from_value(
            json!({"type": "remoteControlClientConnection", "nonce": NONCE,
            "audience": "remote_control_client_websocket", "sessionId": "s",
            "targetOrigin": "https://chatgpt.com", "targetPath": "/api/codex/remote/control/client",
            "accountUserId": "account", "clientId": "client", "tokenSha256Base64url": DIGEST,
            "tokenExpiresAt": expires_at, "scopes": ["remote_control_controller_websocket"]}),
        )
        .unwrap()
    }

    fn enrollment(expires_at: i64, origin: &str) -> DeviceKeySignPayload {
        serde_json::from_value(
            json!({"type": "remoteControlClientEnrollment", "nonce": NONCE,
            "audience": "remote_control_client_enrollment", "challengeId": "c",
            "targetOrigin": origin, "targetPath": "/wham/remote/control/client/enroll",
            "accountUserId": "account", "clientId": "client",
            "deviceIdentitySha256Base64url": DIGEST, "challengeExpiresAt": expires_at}),
        )
        .unwrap()
    }

    fn text(value: &str) -> serde_json::Value {
        json!(value)
    }

    #[test]
    fn expiry_window_boundaries() {
        use DomainErrorKind::*;
        let now = 1_700_000_000;
        let expired = Some((TokenExpired, "remote-control token is expired"));
        let too_far = Some((
            TokenExpiresTooFarInFuture,
            "remote-control token expires too far in the future",
        ));
        let challenge_expired = Some((ChallengeExpired, "enrollment challenge is expired"));
        let challenge_too_far = Some((
            ChallengeExpiresTooFarInFuture,
            "enrollment challenge expires too far in the future",
        ));
        let origin = "https://chatgpt.com";
        let cases = [
            (connection(now - 1), expired),
            (connection(now), expired),
            (connection(now + 1), None),
            (connection(now + 900), None),
            (connection(now + 901), too_far),
            (enrollment(now, origin), challenge_expired),
            (enrollment(now + 900, origin), None),
            (enrollment(now + 901, origin), challenge_too_far),
            (enrollment(i64::MAX, origin), challenge_too_far),
        ];
        for (payload, expected) in cases {
            let outcome = payload.check_expiry(now);
            match expected {
                None => assert_eq!(outcome, Ok(()), "{payload:?}"),
                Some((kind, message)) => {
                    let error = outcome.unwrap_err();
                    assert_eq!(error.kind(), Some(kind));
                    assert_eq!(
                        error.message(),
                        format!("invalid device key payload: {message}")
                    );
                }
            }
        }
        // The window is computed without overflow at the top of the range.
        assert_eq!(connection(i64::MAX).check_expiry(i64::MAX - 1), Ok(()));
    }

    #[test]
    fn binding_must_match_exactly() {
        let payload = connection(0);
        let id = |value: &str| -> (AccountUserId, ClientId) {
            (
                serde_json::from_value(text(value)).unwrap(),
                serde_json::from_value(text(value)).unwrap(),
            )
        };
        let (account, _) = id("account");
        let (_, client) = id("client");
        assert_eq!(payload.check_binding(&account, &client), Ok(()));
        for (a, c) in [
            ("account", "other"),
            ("other", "client"),
            ("Account", "client"),
        ] {
            let (account, _) = id(a);
            let (_, client) = id(c);
            let error = payload.check_binding(&account, &client).unwrap_err();
            assert_eq!(error.kind(), Some(DomainErrorKind::BindingMismatch));
            assert_eq!(
                error.message(),
                "invalid device key payload: payload accountUserId/clientId does not match device key binding"
            );
        }
    }

    #[test]
    fn origin_outside_the_allowlist_is_rejected_with_codex_text() {
        let defaults = OriginAllowlist::codex_defaults();
        assert_eq!(
            enrollment(0, "https://chatgpt.com").check_origin(&defaults),
            Ok(())
        );
        let error = enrollment(0, "https://evilchatgpt.com")
            .check_origin(&defaults)
            .unwrap_err();
        assert_eq!(error.kind(), Some(DomainErrorKind::OriginNotAllowed));
        assert_eq!(
            error.message(),
            "invalid device key payload: targetOrigin must be an allowed remote-control backend origin"
        );
    }

    #[test]
    fn facts_are_read_from_both_variants() {
        let payload = connection(5);
        assert_eq!(payload.expires_at(), 5);
        assert_eq!(payload.client_id().as_str(), "client");
        assert_eq!(payload.audience(), "remote_control_client_websocket");
        assert_eq!(payload.type_tag(), "remoteControlClientConnection");
        assert_eq!(payload.target_path(), "/api/codex/remote/control/client");
        let payload = enrollment(7, "https://chatgpt.com");
        assert_eq!(payload.type_tag(), "remoteControlClientEnrollment");
        assert_eq!(payload.expires_at(), 7);
        assert_eq!(payload.audience(), "remote_control_client_enrollment");
        assert_eq!(payload.nonce().as_str(), NONCE);
    }
}
