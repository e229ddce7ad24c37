//! Integration tests of the devicekey server, one module per concern.

// A test binary exports nothing: `pub` on its helpers says "shared between modules".
#![allow(unreachable_pub)]

/// Answers that must be right: integers written as `1.0` or `1e3`, socket paths up to the limit.
#[cfg(unix)]
mod answers;
/// Attestation requests and their header envelopes, with scripted clients.
mod attestation;
/// The limits: bounded answers, the outbound byte budget, the line budget, the connection limit.
mod limits;
