//! Integration tests of the `devicekey` command, one module per concern.

// A test binary exports nothing: `pub` on its helpers says "shared between modules".
#![allow(unreachable_pub)]

/// Shared fixtures: a store on a temporary directory, payload builders, a recording provider.
use devicekey_testkit as support;

/// The `devicekey verify` command: the proof's parts or the server's answers, every expectation.
mod cli;
/// `kill -9` of `devicekey serve` during bursts of creates: nothing orphaned, nothing lost.
mod crash_create;
/// `devicekey demo`.
mod demo;
/// `devicekey doctor`: every check, and the fix each failure names.
mod doctor;
/// `devicekey identity` against the device identity vectors Python computed.
mod identity;
/// `devicekey keys list|delete` on a state directory, with and without a server.
mod keys;
/// `devicekey serve`'s limits: descriptor exhaustion, `--max-connections`, partial long lines.
#[cfg(target_os = "linux")]
mod limits;
/// What `devicekey serve` logs: no colour codes on a pipe, no warning for a client that leaves.
#[cfg(unix)]
mod logging;
/// `devicekey serve` end to end over stdio and a Unix socket; a slow provider in process.
mod serve;
/// `devicekey serve --provider tpm` against swtpm.
#[cfg(all(target_os = "linux", feature = "tpm"))]
mod serve_tpm;
/// `devicekey serve` and its state directory: what it refuses, the modes it creates, swapped
/// and hostile key files.
mod state_dir;
/// TPM key attestation through the server, checked by the proof crate's verifier, and
/// `devicekey attest`.
#[cfg(all(target_os = "linux", feature = "tpm"))]
mod tpm_attestation;
/// `devicekey serve --provider tpm` killed with SIGKILL while signing, five times in a row.
#[cfg(all(target_os = "linux", feature = "tpm"))]
mod tpm_crash;
