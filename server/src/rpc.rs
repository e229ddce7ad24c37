//! JSON-RPC 2.0 messages as the server writes them: responses, errors with their codes and
//! schema-typed `data`, and server-to-client requests. Every message carries `"jsonrpc":"2.0"`.

use devicekey_proof::{DeviceKeyError, KeyId, MAX_REPORTED_VIOLATIONS};
use devicekey_protocol::types::{DomainErrorData, DomainErrorKind, RequestErrorDataKind};
use devicekey_protocol::Violation;
use serde_json::{json, Value};

/// The line is not JSON, or repeats an object key.
pub const PARSE_ERROR: i64 = -32700;
/// Not a request object; not initialized; already initialized; line too long.
pub const INVALID_REQUEST: i64 = -32600;
/// No such method.
pub const METHOD_NOT_FOUND: i64 = -32601;
/// The params violate their schema.
pub const INVALID_PARAMS: i64 = -32602;

/// A request id: a string or an integer, echoed exactly as received.
pub(crate) type RequestId = Value;

/// An error the server answers with.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcError {
    /// The JSON-RPC code.
    pub code: i64,
    /// The human message.
    pub message: String,
    /// The schema-typed `data`, if any.
    pub data: Option<Value>,
}

impl RpcError {
    /// -32700 (no `data`).
    pub fn parse_error(detail: impl std::fmt::Display) -> Self {
        RpcError {
            code: PARSE_ERROR,
            message: format!("Parse error: {detail}"),
            data: None,
        }
    }

    /// -32600 with `data: {kind}` (a `RequestErrorData`).
    pub fn request(kind: RequestErrorDataKind, message: impl Into<String>) -> Self {
        RpcError {
            code: INVALID_REQUEST,
            message: message.into(),
            data: Some(json!({ "kind": kind })),
        }
    }

    /// -32601 (no `data`).
    pub fn method_not_found(method: &str) -> Self {
        RpcError {
            code: METHOD_NOT_FOUND,
            message: format!("Method not found: {method}"),
            data: None,
        }
    }

    /// -32602 with `data: {kind: "invalidParams", violations, violationCount, truncated}` (an
    /// `InvalidParamsErrorData`) listing these violations: at most
    /// [`MAX_REPORTED_VIOLATIONS`] of them, and how many there were.
    pub fn invalid_params(
        message: impl Into<String>,
        violations: Vec<Violation>,
        params_type: Option<&str>,
    ) -> Self {
        let found = violations.len();
        Self::invalid_params_found(message, violations, found, false, params_type)
    }

    /// -32602 listing the first [`MAX_REPORTED_VIOLATIONS`] of `violations`, of which `found`
    /// were found in all (`truncated` when validation may have missed some). The schema requires
    /// at least one violation: an empty list becomes one describing `message` at the params
    /// themselves.
    pub fn invalid_params_found(
        message: impl Into<String>,
        mut violations: Vec<Violation>,
        found: usize,
        truncated: bool,
        params_type: Option<&str>,
    ) -> Self {
        let message = message.into();
        if violations.is_empty() {
            violations.push(Violation {
                instance_path: String::new(),
                schema_path: format!("{}.json#", params_type.unwrap_or("params")),
                keyword: "format".to_owned(),
                message: message.clone(),
            });
        }
        let found = found.max(violations.len());
        let truncated = truncated || found > MAX_REPORTED_VIOLATIONS;
        violations.truncate(MAX_REPORTED_VIOLATIONS);
        RpcError {
            code: INVALID_PARAMS,
            message,
            data: Some(json!({
                "kind": "invalidParams",
                "violations": violations,
                "violationCount": found,
                "truncated": truncated,
            })),
        }
    }

    /// The error of a failed call: -32602 for invalid params, else the domain code of the kind
    /// with `data: {kind, keyId?}` (a `DomainErrorData`).
    pub fn from_store(error: &DeviceKeyError, key_id: Option<&KeyId>) -> Self {
        let Some(kind) = error.kind() else {
            return Self::invalid_params_found(
                error.message(),
                error.violations().to_vec(),
                error.violation_count(),
                error.violations_truncated(),
                None,
            );
        };
        let data = DomainErrorData {
            kind,
            key_id: key_id.map(|key_id| key_id.as_wire().clone()),
        };
        RpcError {
            code: domain_code(kind),
            message: error.message().to_owned(),
            data: Some(serde_json::to_value(data).expect("error data serializes")),
        }
    }
}

/// The code of each domain error kind: one per kind, stable, in -32001..=-32020.
pub const fn domain_code(kind: DomainErrorKind) -> i64 {
    match kind {
        DomainErrorKind::KeyNotFound => -32001,
        DomainErrorKind::KeyAlreadyBound => -32002,
        DomainErrorKind::DegradedProtectionNotAllowed => -32003,
        DomainErrorKind::HardwareUnavailable => -32004,
        DomainErrorKind::EntitlementRequired => -32005,
        DomainErrorKind::BindingMismatch => -32006,
        DomainErrorKind::TokenExpired => -32007,
        DomainErrorKind::TokenExpiresTooFarInFuture => -32008,
        DomainErrorKind::ChallengeExpired => -32009,
        DomainErrorKind::ChallengeExpiresTooFarInFuture => -32010,
        DomainErrorKind::OriginNotAllowed => -32011,
        DomainErrorKind::Replay => -32012,
        DomainErrorKind::TransportNotAllowed => -32013,
        DomainErrorKind::PlatformFailure => -32014,
        DomainErrorKind::CryptoFailure => -32015,
        DomainErrorKind::StoreFailure => -32016,
        DomainErrorKind::KeyIntegrityFailure => -32017,
        DomainErrorKind::HardwareTimeout => -32018,
        DomainErrorKind::KeyLost => -32019,
        DomainErrorKind::AttestationUnavailable => -32020,
    }
}

/// A success response.
pub(crate) fn response(id: &RequestId, result: Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "result": result })
}

/// An error response; `id` is `null` when the request's id could not be read.
pub(crate) fn error_response(id: &RequestId, error: &RpcError) -> Value {
    let mut body = json!({ "code": error.code, "message": error.message });
    if let Some(data) = &error.data {
        body["data"] = data.clone();
    }
    json!({ "jsonrpc": "2.0", "id": id, "error": body })
}

/// A server-to-client request.
pub(crate) fn request(id: u64, method: &str, params: Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })
}

/// Whether `id` is a valid request id: a string or an integer.
pub(crate) fn is_valid_id(id: &Value) -> bool {
    match id {
        Value::String(_) => true,
        Value::Number(number) => number.is_i64() || number.is_u64(),
        _ => false,
    }
}
