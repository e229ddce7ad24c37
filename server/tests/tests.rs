//! Integration tests of the devicekey server, one module per concern.

/// Shared fixtures: a store on a temporary directory, payload builders, a recording provider.
use devicekey_testkit as support;

/// Attestation requests and their header envelopes, with scripted clients.
mod attestation;
