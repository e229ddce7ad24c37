//! JSON-RPC 2.0 messages as the server writes them: responses, errors with their codes and
//! schema-typed `data`, and server-to-client requests. Every message carries `"jsonrpc":"2.0"`.

use devicekey_protocol::types::{DomainErrorData, DomainErrorKind, RequestErrorDataKind};
use devicekey_protocol::Violation;
use serde_json::{json, Value};

use crate::error::{DeviceKeyError, ErrorKind};
use crate::key_id::KeyId;

/// The line is not JSON, or repeats an object key.
pub const PARSE_ERROR: i64 = -32700;
/// Not a request object; not initialized; already initialized; line too long.
pub const INVALID_REQUEST: i64 = -32600;
/// No such method.
pub const METHOD_NOT_FOUND: i64 = -32601;
/// The params violate their schema.
pub const INVALID_PARAMS: i64 = -32602;

/// A request id: a string or an integer, echoed exactly as received.
pub type RequestId = Value;

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

    /// -32602 with `data: {kind: "invalidParams", violations}` (an `InvalidParamsErrorData`).
    /// The schema requires at least one violation: an empty list becomes one describing
    /// `message` at the params themselves.
    pub fn invalid_params(
        message: impl Into<String>,
        mut violations: Vec<Violation>,
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
        RpcError {
            code: INVALID_PARAMS,
            message,
            data: Some(json!({ "kind": "invalidParams", "violations": violations })),
        }
    }

    /// The error of a failed store call: -32602 for invalid params, else the domain code of the
    /// kind with `data: {kind, keyId?}` (a `DomainErrorData`).
    pub fn from_store(error: &DeviceKeyError, key_id: Option<&KeyId>, params_type: &str) -> Self {
        let Some(kind) = domain_kind(error.kind()) else {
            return Self::invalid_params(
                error.message(),
                error.violations().to_vec(),
                Some(params_type),
            );
        };
        let data = DomainErrorData {
            kind,
            key_id: key_id.map(|key_id| key_id.as_str().to_owned()),
        };
        RpcError {
            code: domain_code(error.kind()),
            message: error.message().to_owned(),
            data: Some(serde_json::to_value(data).expect("error data serializes")),
        }
    }
}

/// The code of each domain error kind: one per kind, stable, in -32001..=-32016.
pub const fn domain_code(kind: ErrorKind) -> i64 {
    match kind {
        ErrorKind::InvalidParams => INVALID_PARAMS,
        ErrorKind::KeyNotFound => -32001,
        ErrorKind::KeyAlreadyBound => -32002,
        ErrorKind::DegradedProtectionNotAllowed => -32003,
        ErrorKind::HardwareUnavailable => -32004,
        ErrorKind::EntitlementRequired => -32005,
        ErrorKind::BindingMismatch => -32006,
        ErrorKind::TokenExpired => -32007,
        ErrorKind::TokenExpiresTooFarInFuture => -32008,
        ErrorKind::ChallengeExpired => -32009,
        ErrorKind::ChallengeExpiresTooFarInFuture => -32010,
        ErrorKind::OriginNotAllowed => -32011,
        ErrorKind::Replay => -32012,
        ErrorKind::TransportNotAllowed => -32013,
        ErrorKind::PlatformFailure => -32014,
        ErrorKind::CryptoFailure => -32015,
        ErrorKind::StoreFailure => -32016,
    }
}

/// The generated `DomainErrorKind` of a runtime kind; `None` for `invalidParams`, which is not
/// a domain error.
fn domain_kind(kind: ErrorKind) -> Option<DomainErrorKind> {
    Some(match kind {
        ErrorKind::InvalidParams => return None,
        ErrorKind::KeyNotFound => DomainErrorKind::KeyNotFound,
        ErrorKind::KeyAlreadyBound => DomainErrorKind::KeyAlreadyBound,
        ErrorKind::DegradedProtectionNotAllowed => DomainErrorKind::DegradedProtectionNotAllowed,
        ErrorKind::HardwareUnavailable => DomainErrorKind::HardwareUnavailable,
        ErrorKind::EntitlementRequired => DomainErrorKind::EntitlementRequired,
        ErrorKind::BindingMismatch => DomainErrorKind::BindingMismatch,
        ErrorKind::TokenExpired => DomainErrorKind::TokenExpired,
        ErrorKind::TokenExpiresTooFarInFuture => DomainErrorKind::TokenExpiresTooFarInFuture,
        ErrorKind::ChallengeExpired => DomainErrorKind::ChallengeExpired,
        ErrorKind::ChallengeExpiresTooFarInFuture => {
            DomainErrorKind::ChallengeExpiresTooFarInFuture
        }
        ErrorKind::OriginNotAllowed => DomainErrorKind::OriginNotAllowed,
        ErrorKind::Replay => DomainErrorKind::Replay,
        ErrorKind::TransportNotAllowed => DomainErrorKind::TransportNotAllowed,
        ErrorKind::PlatformFailure => DomainErrorKind::PlatformFailure,
        ErrorKind::CryptoFailure => DomainErrorKind::CryptoFailure,
        ErrorKind::StoreFailure => DomainErrorKind::StoreFailure,
    })
}

/// A success response.
pub fn response(id: &RequestId, result: Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "result": result })
}

/// An error response; `id` is `null` when the request's id could not be read.
pub fn error_response(id: &RequestId, error: &RpcError) -> Value {
    let mut body = json!({ "code": error.code, "message": error.message });
    if let Some(data) = &error.data {
        body["data"] = data.clone();
    }
    json!({ "jsonrpc": "2.0", "id": id, "error": body })
}

/// A server-to-client request.
pub fn request(id: u64, method: &str, params: Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })
}

/// Whether `id` is a valid request id: a string or an integer.
pub fn is_valid_id(id: &Value) -> bool {
    match id {
        Value::String(_) => true,
        Value::Number(number) => number.is_i64() || number.is_u64(),
        _ => false,
    }
}
