//! The one error type of proofs, the runtime and the server: either the params violate their
//! schema (with every violation), or a domain error of the protocol's `DomainErrorKind`, each with
//! a human message (codex's texts where they exist).

use std::fmt;

use devicekey_protocol::types::DomainErrorKind;
use devicekey_protocol::Violation;

/// The prefix of every payload rule message, as codex writes it.
pub const PAYLOAD_MESSAGE_PREFIX: &str = "invalid device key payload: ";

/// An error of the device-key protocol.
///
/// Messages never carry key material: providers build them from key ids, status codes and
/// fixed texts only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceKeyError {
    /// The params violate their schema (or could not be read as their type).
    InvalidParams {
        /// The human message: codex's text for the first violation where codex has one.
        message: String,
        /// Every violation, in the validator's order.
        violations: Vec<Violation>,
    },
    /// A domain error (JSON-RPC codes -32001 and below).
    Domain {
        /// What went wrong, as the protocol names it.
        kind: DomainErrorKind,
        /// The human message.
        message: String,
    },
}

impl DeviceKeyError {
    /// A domain error of `kind` with a human message.
    pub fn new(kind: DomainErrorKind, message: impl Into<String>) -> Self {
        DeviceKeyError::Domain {
            kind,
            message: message.into(),
        }
    }

    /// A payload rule failure: `message` (codex's text) behind [`PAYLOAD_MESSAGE_PREFIX`].
    pub fn payload(kind: DomainErrorKind, message: &str) -> Self {
        Self::new(kind, format!("{PAYLOAD_MESSAGE_PREFIX}{message}"))
    }

    /// A schema failure carrying the full violation list.
    pub fn invalid_params(message: impl Into<String>, violations: Vec<Violation>) -> Self {
        DeviceKeyError::InvalidParams {
            message: message.into(),
            violations,
        }
    }

    /// A binding store failure; `context` says what the store was doing.
    pub fn store(context: &str, error: impl fmt::Display) -> Self {
        Self::new(
            DomainErrorKind::StoreFailure,
            format!("device key store failed to {context}: {error}"),
        )
    }

    /// The domain kind; `None` for invalid params.
    pub fn kind(&self) -> Option<DomainErrorKind> {
        match self {
            DeviceKeyError::InvalidParams { .. } => None,
            DeviceKeyError::Domain { kind, .. } => Some(*kind),
        }
    }

    /// The kind as its wire string: `invalidParams`, or the domain kind (`keyNotFound`, ...).
    pub fn kind_str(&self) -> &'static str {
        match self {
            DeviceKeyError::InvalidParams { .. } => "invalidParams",
            DeviceKeyError::Domain { kind, .. } => kind.as_str(),
        }
    }

    /// The human message.
    pub fn message(&self) -> &str {
        match self {
            DeviceKeyError::InvalidParams { message, .. }
            | DeviceKeyError::Domain { message, .. } => message,
        }
    }

    /// The schema violations (empty unless the params were invalid).
    pub fn violations(&self) -> &[Violation] {
        match self {
            DeviceKeyError::InvalidParams { violations, .. } => violations,
            DeviceKeyError::Domain { .. } => &[],
        }
    }
}

impl fmt::Display for DeviceKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for DeviceKeyError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_errors_carry_the_codex_prefix() {
        let error = DeviceKeyError::payload(DomainErrorKind::BindingMismatch, "x");
        assert_eq!(error.to_string(), "invalid device key payload: x");
        assert_eq!(error.kind(), Some(DomainErrorKind::BindingMismatch));
        assert_eq!(error.kind_str(), "bindingMismatch");
    }

    #[test]
    fn invalid_params_have_no_domain_kind() {
        let error = DeviceKeyError::invalid_params("bad", Vec::new());
        assert_eq!(error.kind(), None);
        assert_eq!(error.kind_str(), "invalidParams");
    }
}
