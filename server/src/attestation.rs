//! Attestation: ask an opted-in client for a token with the server request
//! `attestation/generate`, and turn the outcome into the `x-oai-attestation` header value
//! `{"v":1,"s":S,"t":T}` (an `AttestationEnvelope`).

use std::time::Duration;

use devicekey_proof::Validated;
use devicekey_protocol::types::{AttestationEnvelope, AttestationGenerateResponse};
use devicekey_protocol::validators::validate_attestation_envelope;
use serde_json::{json, Value};

use crate::peer::{ClientAnswer, Connection, RequestOutcome};
use crate::registry::ConnectionRegistry;

/// The header the envelope is sent in.
pub const ATTESTATION_HEADER: &str = "x-oai-attestation";

/// The server request's method name.
pub const ATTESTATION_METHOD: &str = "attestation/generate";

/// How one `attestation/generate` request ended (the envelope's `s`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttestationStatus {
    /// 0: the client answered with a token.
    Ok = 0,
    /// 1: no answer within the timeout.
    Timeout = 1,
    /// 2: the client answered with an error.
    RequestFailed = 2,
    /// 3: the connection went away first.
    Canceled = 3,
    /// 4: the answer is not a valid `AttestationGenerateResponse`.
    MalformedResponse = 4,
}

/// The outcome of one attestation request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attestation {
    /// What happened.
    pub status: AttestationStatus,
    /// The client's token, exactly as received; only with [`AttestationStatus::Ok`].
    pub token: Option<String>,
}

impl Attestation {
    fn failed(status: AttestationStatus) -> Self {
        Attestation {
            status,
            token: None,
        }
    }

    /// The envelope, built with the generated type.
    pub fn envelope(&self) -> AttestationEnvelope {
        let token = match (self.status, &self.token) {
            (AttestationStatus::Ok, Some(token)) => token.as_str().try_into().ok(),
            _ => None,
        };
        AttestationEnvelope {
            v: 1,
            s: self.status as i64,
            t: token,
        }
    }

    /// The header value: the envelope as compact JSON, checked against its schema.
    pub fn header_value(&self) -> String {
        let envelope = serde_json::to_value(self.envelope()).expect("the envelope serializes");
        debug_assert!(
            validate_attestation_envelope(&envelope).is_ok(),
            "{envelope}"
        );
        envelope.to_string()
    }
}

/// Asks `connection` for a token and waits up to `timeout`.
pub async fn request_attestation(connection: &Connection, timeout: Duration) -> Attestation {
    match connection
        .request(ATTESTATION_METHOD, json!({}), timeout)
        .await
    {
        RequestOutcome::Answered(ClientAnswer::Result(result)) => read_token(result),
        RequestOutcome::Answered(ClientAnswer::Error(error)) => {
            tracing::debug!(connection = connection.id(), %error, "the client refused attestation");
            Attestation::failed(AttestationStatus::RequestFailed)
        }
        RequestOutcome::TimedOut => Attestation::failed(AttestationStatus::Timeout),
        RequestOutcome::Gone => Attestation::failed(AttestationStatus::Canceled),
    }
}

fn read_token(result: Value) -> Attestation {
    match Validated::<AttestationGenerateResponse>::from_json(result).map(Validated::into_inner) {
        Ok(response) => Attestation {
            status: AttestationStatus::Ok,
            token: Some(String::from(response.token)),
        },
        Err(_) => Attestation::failed(AttestationStatus::MalformedResponse),
    }
}

/// The header value from the most recent live connection that opted in, or `None` (no header
/// at all) when no connection did.
pub async fn attestation_header(
    registry: &ConnectionRegistry,
    timeout: Duration,
) -> Option<String> {
    let connection = registry.latest_attesting()?;
    Some(
        request_attestation(&connection, timeout)
            .await
            .header_value(),
    )
}
