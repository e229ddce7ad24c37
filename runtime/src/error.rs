//! The runtime's one error type: a machine-readable kind, a human message (codex's texts where
//! they exist) and, for schema violations, the full violation list.

use std::fmt;

use serde::Serialize;

use crate::validation::Violation;

/// The prefix of every payload rule message, as codex writes it.
pub const PAYLOAD_MESSAGE_PREFIX: &str = "invalid device key payload: ";

/// What went wrong, as a stable camelCase string on the wire (`error.data.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ErrorKind {
    /// The params violate the schema (or the key id is malformed).
    InvalidParams,
    /// No such key, or no binding for it.
    KeyNotFound,
    /// A binding for this key id already exists; bindings are never rebound.
    KeyAlreadyBound,
    /// The only protection available is weaker than the policy allows.
    DegradedProtectionNotAllowed,
    /// No provider for the requested protection exists on this platform.
    HardwareUnavailable,
    /// The platform refuses to persist keys without an entitlement (macOS keychain).
    EntitlementRequired,
    /// The payload's accountUserId/clientId differ from the key's binding.
    BindingMismatch,
    /// `tokenExpiresAt` is not after now.
    TokenExpired,
    /// `tokenExpiresAt` is more than 900 seconds after now.
    TokenExpiresTooFarInFuture,
    /// `challengeExpiresAt` is not after now.
    ChallengeExpired,
    /// `challengeExpiresAt` is more than 900 seconds after now.
    ChallengeExpiresTooFarInFuture,
    /// `targetOrigin` is not an allowed backend origin.
    OriginNotAllowed,
    /// This key already signed this nonce and that proof may still be valid.
    Replay,
    /// Device-key methods are not served on this transport.
    TransportNotAllowed,
    /// The platform's key service failed.
    PlatformFailure,
    /// A cryptographic operation failed.
    CryptoFailure,
    /// The binding store failed.
    StoreFailure,
}

impl ErrorKind {
    /// The wire string (`keyNotFound`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidParams => "invalidParams",
            ErrorKind::KeyNotFound => "keyNotFound",
            ErrorKind::KeyAlreadyBound => "keyAlreadyBound",
            ErrorKind::DegradedProtectionNotAllowed => "degradedProtectionNotAllowed",
            ErrorKind::HardwareUnavailable => "hardwareUnavailable",
            ErrorKind::EntitlementRequired => "entitlementRequired",
            ErrorKind::BindingMismatch => "bindingMismatch",
            ErrorKind::TokenExpired => "tokenExpired",
            ErrorKind::TokenExpiresTooFarInFuture => "tokenExpiresTooFarInFuture",
            ErrorKind::ChallengeExpired => "challengeExpired",
            ErrorKind::ChallengeExpiresTooFarInFuture => "challengeExpiresTooFarInFuture",
            ErrorKind::OriginNotAllowed => "originNotAllowed",
            ErrorKind::Replay => "replay",
            ErrorKind::TransportNotAllowed => "transportNotAllowed",
            ErrorKind::PlatformFailure => "platformFailure",
            ErrorKind::CryptoFailure => "cryptoFailure",
            ErrorKind::StoreFailure => "storeFailure",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error of the device-key runtime.
///
/// Messages never carry key material: providers build them from key ids, status codes and
/// fixed texts only.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DeviceKeyError {
    kind: ErrorKind,
    message: String,
    violations: Vec<Violation>,
}

impl DeviceKeyError {
    /// An error of `kind` with a human message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        DeviceKeyError {
            kind,
            message: message.into(),
            violations: Vec::new(),
        }
    }

    /// A payload rule failure: `message` (codex's text) behind [`PAYLOAD_MESSAGE_PREFIX`].
    pub fn payload(kind: ErrorKind, message: &str) -> Self {
        Self::new(kind, format!("{PAYLOAD_MESSAGE_PREFIX}{message}"))
    }

    /// A schema failure carrying the full violation list.
    pub fn invalid_params(message: impl Into<String>, violations: Vec<Violation>) -> Self {
        DeviceKeyError {
            kind: ErrorKind::InvalidParams,
            message: message.into(),
            violations,
        }
    }

    /// A binding store failure; `context` says what the store was doing.
    pub fn store(context: &str, error: impl fmt::Display) -> Self {
        Self::new(
            ErrorKind::StoreFailure,
            format!("device key store failed to {context}: {error}"),
        )
    }

    /// The machine-readable kind.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The human message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The schema violations (empty unless the kind is [`ErrorKind::InvalidParams`]).
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }
}

/// Result of the runtime's operations.
pub type Result<T, E = DeviceKeyError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_serialize_as_their_camel_case_wire_strings() {
        let kinds = [
            ErrorKind::InvalidParams,
            ErrorKind::KeyNotFound,
            ErrorKind::KeyAlreadyBound,
            ErrorKind::DegradedProtectionNotAllowed,
            ErrorKind::HardwareUnavailable,
            ErrorKind::EntitlementRequired,
            ErrorKind::BindingMismatch,
            ErrorKind::TokenExpired,
            ErrorKind::TokenExpiresTooFarInFuture,
            ErrorKind::ChallengeExpired,
            ErrorKind::ChallengeExpiresTooFarInFuture,
            ErrorKind::OriginNotAllowed,
            ErrorKind::Replay,
            ErrorKind::TransportNotAllowed,
            ErrorKind::PlatformFailure,
            ErrorKind::CryptoFailure,
            ErrorKind::StoreFailure,
        ];
        for kind in kinds {
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::json!(kind.as_str())
            );
        }
    }

    #[test]
    fn payload_errors_carry_the_codex_prefix() {
        let error = DeviceKeyError::payload(ErrorKind::BindingMismatch, "x");
        assert_eq!(error.to_string(), "invalid device key payload: x");
        assert_eq!(error.kind(), ErrorKind::BindingMismatch);
    }
}
