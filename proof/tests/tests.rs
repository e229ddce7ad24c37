//! Integration tests of the proof crate, one module per concern.

// A test binary exports nothing: `pub` on its helpers says "shared between modules".
#![allow(unreachable_pub)]

/// Integers written as `1.0`, `1e3` or `-0`: read, checked and signed as integers.
mod integers;
/// The signed bytes: codex's vectors byte for byte, and escaping.
mod signed_bytes;
/// The proof vectors the TypeScript verifier tests read.
mod ts_fixtures;
