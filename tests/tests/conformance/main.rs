//! Conformance of the generator and its output. One test binary; each module is one concern:
//!
//! - `vectors`: the reference validator, the generated Rust validators and the generated
//!   TypeScript validators give the expected verdict on every conformance vector, and the two
//!   generated languages report the same violations;
//! - `formats`: the `base64` format against the `base64` crate, in both languages, over every
//!   short string of a few alphabets;
//! - `suite`: the official JSON-Schema-Test-Suite (draft 7) through the generated validators;
//! - `profile`: schemas outside the profile fail with a located error, never a panic;
//! - `sync`: `write-schema --check` catches changed, missing and extra generated files;
//! - `types`: the generated types' own API (string enums' `ALL` / `as_str`, the `Validate` trait).

mod formats;
mod profile;
mod suite;
mod sync;
mod types;
mod vectors;
