//! Integration tests of the devicekey server, one module per concern.

// A test binary exports nothing: `pub` on its helpers says "shared between modules".
#![allow(unreachable_pub)]

/// Attestation requests and their header envelopes, with scripted clients.
mod attestation;
/// The limits: bounded answers, the outbound byte budget, the line budget, the connection limit.
mod limits;
