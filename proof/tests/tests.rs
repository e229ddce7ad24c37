//! Integration tests of the proof crate, one module per concern.

// A test binary exports nothing: `pub` on its helpers says "shared between modules".
#![allow(unreachable_pub)]

/// `Strictness::AcceptAnySpelling`: other peers' spellings accepted knowingly.
mod any_spelling;
/// `deviceIdentitySha256Base64url` against vectors computed with Python.
mod device_identity;
/// Integers written as `1.0`, `1e3` or `-0`: read, checked and signed as integers.
mod integers;
/// The shared proof vectors (`tests/fixtures/proofs.json`) every verifier must agree on.
mod shared_fixtures;
/// The signed bytes: codex's vectors byte for byte, and escaping.
mod signed_bytes;
