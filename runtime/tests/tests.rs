//! Integration tests of the `devicekey` runtime, one module per concern.

/// Shared fixtures: a store on a temporary directory, payload builders, a recording provider.
mod support;

/// The `devicekey verify` command.
mod cli;
/// create / public / sign / list / delete, class routing, rebinding, replay, rollback.
mod lifecycle;
/// Interoperability with openssl, both directions.
mod openssl;
/// Every payload rule and codex message, through `DeviceKeyStore::sign`.
mod payload_rules;
/// The signed bytes: codex's vectors byte for byte, and escaping.
mod signed_bytes;
/// The software provider: file modes and redaction of private keys.
mod software_provider;
/// The proof vectors the TypeScript verifier tests read.
mod ts_fixtures;
/// The verifier: what it accepts and every way it refuses.
mod verifier;
