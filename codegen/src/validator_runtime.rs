//! The generated validators' runtime: the hand-written module each language's generated validators
//! build on (instance paths, violations, the sinks, JSON equality, the format primitives), kept in
//! `templates/` and emitted verbatim as `generated/rust/src/validator_runtime.rs` and
//! `generated/ts/src/validator-runtime.ts`. (Not the `devicekey-runtime` crate of `runtime/`,
//! which serves the protocol; this module only supports the validators.)

/// The Rust validator runtime module (`templates/validator_runtime.rs`).
pub(crate) const RUST: &str = include_str!("../templates/validator_runtime.rs");

/// The TypeScript validator runtime module (`templates/validator-runtime.ts`).
pub(crate) const TS: &str = include_str!("../templates/validator-runtime.ts");
