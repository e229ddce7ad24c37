//! Integration tests of the proof crate, one module per concern.

/// The signed bytes: codex's vectors byte for byte, and escaping.
mod signed_bytes;
/// The proof vectors the TypeScript verifier tests read.
mod ts_fixtures;
