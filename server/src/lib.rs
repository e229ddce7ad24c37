//! The device-key JSON-RPC server: newline-delimited JSON-RPC 2.0 over stdio, a Unix socket or
//! any pair of byte streams, serving a [`DeviceKeyStore`](devicekey_runtime::DeviceKeyStore).
//!
//! Per connection: one reader task that frames and classifies lines, a task per request, one
//! writer task. Each request's params are validated once, into the generated params type, by the
//! dispatcher. The [`ConnectionRegistry`] holds the live connections, so the server can send
//! `attestation/generate` to one that opted in ([`attestation_header`]).
//!
//! Modules, in the order they build on each other: `rpc` (messages and codes), `lines`
//! (framing, and the server-wide budget of long lines), `options`, `throttle` (backoff and log
//! throttling), `outbound` (a connection's queue, bounded in bytes), `peer` (a connection's
//! shared side), `registry`, `dispatch` (typed method calls), `shared`, `connection` (the
//! per-connection tasks), `attestation`, `server`, `unix`.
//!
//! Limits (see [`ServerOptions`]): lines of at most 1 MiB; long lines (over 16 KiB) only within a
//! server-wide memory budget; answers waiting for a client only within a per-connection byte
//! budget, a client that stops reading disconnected after the stall timeout; at most 64
//! violations in an `invalidParams` answer; a connection limit on socket listeners, and a
//! backoff on accept failures.

#![forbid(unsafe_code)]

mod attestation;
mod connection;
mod dispatch;
mod lines;
mod options;
mod outbound;
mod peer;
mod registry;
mod rpc;
mod server;
mod shared;
mod throttle;
#[cfg(unix)]
mod unix;

pub use attestation::{
    attestation_header, request_attestation, Attestation, AttestationStatus, ATTESTATION_HEADER,
    ATTESTATION_METHOD,
};
pub use lines::MAX_LINE_BYTES;
pub use options::{
    ServerOptions, LINE_MEMORY_BUDGET, MAX_CONNECTIONS, MAX_OUTBOUND_BYTES, SHORT_LINE_BYTES,
};
pub use peer::{ClientAnswer, Connection, RequestOutcome};
pub use registry::ConnectionRegistry;
pub use rpc::{
    domain_code, RpcError, INVALID_PARAMS, INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR,
};
pub use server::Server;
#[cfg(unix)]
pub use unix::SocketListener;
