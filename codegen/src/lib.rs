//! The schema-first generator: `schema/` (JSON Schema, draft-07 profile) → Rust and TypeScript
//! types and validators under `generated/`.
//!
//! The pipeline ([`generate`]): the schema loader checks every document against the profile
//! (every error names the file and the JSON pointer), the model compiles them into one validation
//! model, and the emitters turn that model (and, for types, the documents) into source files. The
//! `xtask` binary is a thin face on [`generate`] and [`sync`]; the conformance tests run the same
//! validator emitters on arbitrary schemas through [`rust_validators_for`] and
//! [`ts_validators_for`].
//!
//! Code map, each module using only the ones listed before it:
//!
//! - leaves: `error` (the located error), `json` (instance types, JSON equality), `layout` (where
//!   things are), `patterns` (ECMA-262 → `regex`), `writer` (the text builder), `validator_runtime`
//!   (the templates of the module the generated validators build on);
//! - input: `formats` (the named formats, as data), `schema_set` (loading and the profile check),
//!   `methods` (the method table), `model` (the validation model), `messages` (violation texts);
//! - Rust emitters: `rust_crate` (`Cargo.toml`, `lib.rs`), `rust_types` (typify), `rust_formats`,
//!   `rust_methods`, `rust_validators`, and `rustfmt`;
//! - TypeScript emitters: `ts_syntax` (JSDoc, keys), `ts_package` (`package.json`, the `tsconfig`s,
//!   README, license, `index.ts`), `ts_types`, `ts_formats`, `ts_methods`, `ts_validators`;
//! - on top: `pipeline` ([`generate`]) and [`sync`] (writing or checking `generated/`).

#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

mod error;
mod formats;
mod json;
mod layout;
mod messages;
mod methods;
mod model;
mod patterns;
mod pipeline;
mod rust_crate;
mod rust_formats;
mod rust_methods;
mod rust_types;
mod rust_validators;
mod rustfmt;
mod schema_set;
pub mod sync;
mod ts_formats;
mod ts_methods;
mod ts_package;
mod ts_syntax;
mod ts_types;
mod ts_validators;
mod validator_runtime;
mod writer;

pub use error::{Error, Result};
pub use layout::{Files, COMMAND, GENERATED_DIRS, NOT_GENERATED, SCHEMA_DIR};
pub use pipeline::{generate, rust_validators_for, ts_validators_for};
pub use rust_validators::RustPaths;
pub use schema_set::{parse_json_strict, Profile, SchemaDoc, SchemaSet};
