//! Integration tests of the `devicekey` command, one module per concern.

// A test binary exports nothing: `pub` on its helpers says "shared between modules".
#![allow(unreachable_pub)]

/// Shared fixtures: a store on a temporary directory, payload builders, a recording provider.
use devicekey_testkit as support;

/// The `devicekey verify` command.
mod cli;
/// `devicekey demo`.
mod demo;
/// `devicekey serve` end to end over stdio and a Unix socket; a slow provider in process.
mod serve;
/// `devicekey serve --provider tpm` against swtpm.
#[cfg(all(target_os = "linux", feature = "tpm"))]
mod serve_tpm;
