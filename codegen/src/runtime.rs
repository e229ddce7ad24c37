//! The generated code's runtime: the hand-written module each language's generated validators
//! build on (instance paths, violations, the sinks, JSON equality, the format primitives), kept in
//! `templates/` and emitted verbatim as `generated/rust/src/runtime.rs` and
//! `generated/ts/src/runtime.ts`.

/// The Rust runtime module (`templates/runtime.rs`).
pub(crate) const RUST: &str = include_str!("../templates/runtime.rs");

/// The TypeScript runtime module (`templates/runtime.ts`).
pub(crate) const TS: &str = include_str!("../templates/runtime.ts");
