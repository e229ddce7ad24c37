//! The one error type of proofs, the runtime and the server: either the params violate their
//! schema (with every violation), or a domain error of the protocol's `DomainErrorKind`, each with
//! a human message (codex's texts where they exist).

use std::fmt;

use devicekey_protocol::types::DomainErrorKind;
use devicekey_protocol::Violation;

/// The prefix of every payload rule message, as codex writes it.
pub const PAYLOAD_MESSAGE_PREFIX: &str = "invalid device key payload: ";

/// The most violations an `invalidParams` error carries (`InvalidParamsErrorData.violations`
/// has `maxItems` 64): however broken the params, the answer stays small.
pub const MAX_REPORTED_VIOLATIONS: usize = 64;

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
        /// The first violations, in the validator's order: at most
        /// [`MAX_REPORTED_VIOLATIONS`].
        violations: Vec<Violation>,
        /// How many violations were found: at least `violations.len()`.
        violation_count: usize,
        /// Whether `violations` may not be every violation: more than
        /// [`MAX_REPORTED_VIOLATIONS`] were found, or validation stopped early.
        truncated: bool,
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

    /// A schema failure with these violations: every one found, of which the first
    /// [`MAX_REPORTED_VIOLATIONS`] are kept.
    pub fn invalid_params(message: impl Into<String>, violations: Vec<Violation>) -> Self {
        let found = violations.len();
        Self::invalid_params_found(message, violations, found, false)
    }

    /// A schema failure of which `found` violations were found (at least `violations.len()`),
    /// `stopped_early` when validation did not look at everything; the first
    /// [`MAX_REPORTED_VIOLATIONS`] violations are kept.
    pub fn invalid_params_found(
        message: impl Into<String>,
        mut violations: Vec<Violation>,
        found: usize,
        stopped_early: bool,
    ) -> Self {
        let found = found.max(violations.len());
        let truncated = stopped_early || found > MAX_REPORTED_VIOLATIONS;
        violations.truncate(MAX_REPORTED_VIOLATIONS);
        violations.shrink_to_fit();
        DeviceKeyError::InvalidParams {
            message: message.into(),
            violations,
            violation_count: found,
            truncated,
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

    /// The schema violations (empty unless the params were invalid): the first
    /// [`MAX_REPORTED_VIOLATIONS`] found.
    pub fn violations(&self) -> &[Violation] {
        match self {
            DeviceKeyError::InvalidParams { violations, .. } => violations,
            DeviceKeyError::Domain { .. } => &[],
        }
    }

    /// How many schema violations were found (0 unless the params were invalid); more than
    /// [`violations`](Self::violations) holds when the list was cut.
    pub fn violation_count(&self) -> usize {
        match self {
            DeviceKeyError::InvalidParams {
                violation_count, ..
            } => *violation_count,
            DeviceKeyError::Domain { .. } => 0,
        }
    }

    /// Whether [`violations`](Self::violations) may not be every violation of the params.
    pub fn violations_truncated(&self) -> bool {
        match self {
            DeviceKeyError::InvalidParams { truncated, .. } => *truncated,
            DeviceKeyError::Domain { .. } => false,
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
    fn invalid_params_keep_at_most_the_cap_and_count_every_violation() {
        let violation = |n: usize| Violation {
            instance_path: format!("/scopes/{n}"),
            schema_path: "S.json#/items/const".to_owned(),
            keyword: "const".to_owned(),
            message: "must be x".to_owned(),
        };
        let many: Vec<Violation> = (0..MAX_REPORTED_VIOLATIONS + 10).map(violation).collect();
        let error = DeviceKeyError::invalid_params("bad", many.clone());
        assert_eq!(error.violations(), &many[..MAX_REPORTED_VIOLATIONS]);
        assert_eq!(error.violation_count(), MAX_REPORTED_VIOLATIONS + 10);
        assert!(error.violations_truncated());
        let few = DeviceKeyError::invalid_params("bad", many[..3].to_vec());
        assert_eq!(
            (few.violation_count(), few.violations_truncated()),
            (3, false)
        );
        let early = DeviceKeyError::invalid_params_found("bad", many[..3].to_vec(), 2, true);
        assert_eq!(
            (early.violation_count(), early.violations_truncated()),
            (3, true)
        );
    }

    #[test]
    fn invalid_params_have_no_domain_kind() {
        let error = DeviceKeyError::invalid_params("bad", Vec::new());
        assert_eq!(error.kind(), None);
        assert_eq!(error.kind_str(), "invalidParams");
    }
}
