//! The schema-first generator: `schema/` (JSON Schema, draft-07 profile) → Rust and TypeScript
//! types and validators under `generated/`.
//!
//! The pipeline ([`generate`]): the schema loader checks every document against the profile
//! (every error names the file and the JSON pointer), the model compiles them into one validation
//! model, and the emitters turn that model (and, for types, the documents) into source files. The
//! `xtask` binary is a thin face on [`generate`] and [`sync`], the `devicekey-codegen` binary on
//! [`cli::run`] (the generator as a tool: any folder or bundle of schemas → a standalone Rust crate
//! and npm package); the conformance tests run the same
//! validator emitters on arbitrary schemas through [`rust_validators_for`] and
//! [`ts_validators_for`], and the type emitters through [`rust_types_for`] and [`ts_types_for`].
//!
//! Code map, each module using only the ones listed before it:
//!
//! - leaves: `error` (the located error), `json` (instance types, JSON equality), `layout` (where
//!   things are), `validator_runtime` (the templates of the module the generated validators build
//!   on), `patterns` (ECMA-262 → `regex`, with the runtime's property names), `code` (the code
//!   builder that escapes every interpolated value by construction), `writer` (the plain text
//!   builder), `uri` (RFC 3986 references, for `$id` and `$ref`);
//! - input: `formats` (the named formats, as data), `schema_set` (loading and the profile check:
//!   the general profile's warnings, the protocol profile's lints, the range formats, and `$ref`
//!   resolution by base URI, `$id` and resource),
//!   `methods` (the method table), `model` (the validation model), `messages` (violation texts),
//!   `plan` (the model lowered into the one ordered check plan that both validator emitters print;
//!   its module doc gives the order);
//! - Rust emitters: `rust_crate` (`Cargo.toml`, `lib.rs`), `rust_types` (typify), `rust_formats`,
//!   `rust_methods`, `rust_validators`, and `rustfmt`;
//! - TypeScript emitters: `ts_syntax` (JSDoc, keys), `ts_package` (`package.json`, the `tsconfig`s,
//!   README, license, `index.ts`), `ts_types`, `ts_formats`, `ts_methods`, `ts_validators`;
//! - on top: `pipeline` ([`generate`], and the standalone packages), [`sync`] (writing or checking
//!   `generated/`), and the command line: [`cli`] (arguments, help, exit codes), `cli_input`
//!   (a folder of schema files or a bundle file read into one schema set) and `cli_output`
//!   (writing the output folder safely, with its marker file).
//!
//! The validators' semantics and order live in one place, the check plan (`plan`): what each
//! schema checks, in which order, and with which schema path, keyword and message. The two
//! validator emitters print it and decide only how their language says it, through the code
//! builder (`code`), where schema text can enter the output only as an escaped string literal or
//! a sanitized comment.
//!
//! Golden files pin the emitted validators for a few representative schemas:
//! `tests/golden/<name>/` holds the schema documents, `expected.rs` and `expected.ts` (and the
//! instances the conformance tests run them on). `cargo test -p devicekey-codegen --test golden`
//! compares; with `DEVICEKEY_BLESS=1` set it rewrites the expected files instead, for a change to
//! the output that is meant (review their diff).

#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

pub mod cli;
mod cli_input;
mod cli_output;
mod code;
mod error;
mod formats;
mod json;
mod layout;
mod messages;
mod methods;
mod model;
mod panics;
mod patterns;
mod pipeline;
mod plan;
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
mod uri;
mod validator_runtime;
mod writer;

pub use error::{Error, Result, Warning};
pub use layout::{Files, COMMAND, GENERATED_DIRS, NOT_GENERATED, SCHEMA_DIR};
pub use pipeline::{
    generate, rust_types_for, rust_validators_for, rust_validators_with, ts_types_for,
    ts_validators_for, ts_validators_with,
};
pub use rust_validators::RustPaths;
pub use schema_set::{parse_json_strict, Profile, SchemaDoc, SchemaResource, SchemaSet};
