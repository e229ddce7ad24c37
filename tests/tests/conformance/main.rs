//! Conformance of the generator and its output. One test binary; each module is one concern:
//!
//! - `vectors`: the reference validator, the generated Rust validators and the generated
//!   TypeScript validators give the expected verdict on every conformance vector, and the two
//!   generated languages report the same violations in the same order;
//! - `differential`: seeded random and mutated instances, thousands per type of `schema/` and of
//!   the codex corpus: the reference, the generated Rust and the generated TypeScript give one
//!   verdict, and the two languages the same violations in order (`cargo xtask differential`
//!   runs it longer);
//! - `golden`: the generator's golden schemas (the plan's constructs, hostile text) compile and
//!   validate in both languages, as the reference says and with the same violations in order;
//!   members are reported in code-point order; `uniqueItems` over many arrays;
//! - `formats`: the `base64` format against the `base64` crate, in both languages, over every
//!   short string of a few alphabets;
//! - `origin`: the `origin` format against the `url` crate and Node's `URL`, in both languages,
//!   over a swept set of ~107,000 strings;
//! - `standard_formats`: the draft-07 standard formats of the general profile (`date-time`,
//!   `email`, `hostname`, `uri`, `regex`...) over the suite's strings and ~300,000 variants: the
//!   generated Rust and TypeScript checks agree, and agree with `std::net`, Node's `RegExp` or the
//!   `jsonschema` crate but for the listed known differences; long hostile strings in linear time;
//! - `nullable`: a nullable `oneOf` reports the other variant's violations (an enum's allowed
//!   values), in Rust on the protocol and in TypeScript against the reference on general schemas;
//! - `suite`: the official JSON-Schema-Test-Suite (draft 7) through the generated validators, with
//!   the same violations in the same order in both languages;
//! - `profile`: schemas outside the profile fail with a located error, never a panic; the
//!   general profile's warnings, the protocol profile's lints all at once;
//! - `ranges`: the general profile's range formats (`uint32`...) in both languages, against the
//!   equivalent `minimum`/`maximum` bounds;
//! - `rust_types`: the typify types of standalone schemas (codex's corpus, one schema per
//!   construct) build with every warning denied and deserialize as the reference judges, with
//!   typify's known differences listed; schemas typify cannot take are generator errors;
//! - `sync`: `write-schema --check` catches changed, missing and extra generated files;
//! - `ts_types`: the generated TypeScript types and ts-rs's for the same types are mutually
//!   assignable under strict tsc (codex's corpus against codex's ts-rs files; `schema/` against
//!   ts-rs derived on the generated Rust types), with negative controls; the method table's
//!   inputs accept `readonly` arrays; the types of one schema per draft-07 construct admit every
//!   instance the reference accepts;
//! - `types`: the generated types' own API (string enums' `ALL` / `as_str`, the `Validate` trait);
//! - `layering`: inside every crate the modules refer to one another without a cycle (per folder,
//!   with each edge's file and path in the report);
//! - `dependencies`: the crates depend on one another down the pipeline only, and the verifier
//!   crate has no async runtime, SQLite, CLI parser or TPM library.

mod dependencies;
mod differential;
mod formats;
mod golden;
mod layering;
mod nullable;
mod origin;
mod profile;
mod ranges;
mod rust_types;
mod standard_formats;
mod suite;
mod sync;
mod ts_types;
mod types;
mod vectors;
