//! Integration tests of the `devicekey` command, one module per concern.

/// Shared fixtures: a store on a temporary directory, payload builders, a recording provider.
use devicekey_testkit as support;

/// The `devicekey verify` command.
mod cli;
/// `devicekey demo`.
mod demo;
/// `devicekey serve` end to end over stdio and a Unix socket; a slow provider in process.
mod serve;
