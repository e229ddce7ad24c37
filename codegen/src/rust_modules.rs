//! The small Rust modules of the generated crate: the crate root, the formats and the method table.

use crate::formats::{self, FormatRule, FORMATS};
use crate::methods::Method;
use crate::writer::{rust_str, snake_case, Writer};

/// The crate root body.
pub fn lib() -> String {
    let mut w = Writer::new("    ");
    w.line("#![forbid(unsafe_code)]");
    w.line("#![warn(missing_docs)]");
    w.line("#![allow(clippy::all)]");
    w.line("");
    w.doc("//!", "The device-key protocol's types and validators, generated from `schema/`.\n\nValidate first (`validators::validate_*` reports every violation with its instance path, schema\npath and keyword), then deserialize into the typed structs of `types`.");
    w.line("");
    w.line("pub mod formats;");
    w.line("pub mod methods;");
    w.line("pub mod support;");
    w.line("#[allow(missing_docs)]");
    w.line("pub mod types;");
    w.line("pub mod validators;");
    w.line("");
    w.line("pub use support::Violation;");
    w.finish()
}

/// The formats module body: one function per named format.
pub fn formats(support: &str) -> String {
    let mut w = Writer::new("    ");
    for format in FORMATS {
        w.doc(
            "///",
            &format!("Format `{}`: {}.", format.name, format.description),
        );
        let name = formats::snake_name(format);
        match format.rule {
            FormatRule::Base64Url {
                prefixes,
                min_bytes,
                max_bytes,
            } => {
                let prefixes: Vec<String> = prefixes.iter().map(|p| rust_str(p)).collect();
                let max = match max_bytes {
                    Some(n) => format!("Some({n})"),
                    None => "None".to_owned(),
                };
                w.block(
                    format!("pub fn is_{name}(value: &str) -> bool {{"),
                    "}",
                    |w| {
                        w.line(format!(
                            "{support}::is_prefixed_base64url(value, &[{}], {min_bytes}, {max})",
                            prefixes.join(", ")
                        ));
                    },
                );
            }
            FormatRule::Origin => {
                w.block(
                    format!("pub fn is_{name}(value: &str) -> bool {{"),
                    "}",
                    |w| {
                        w.line(format!("{support}::is_origin(value)"));
                    },
                );
            }
            FormatRule::Int64 => {
                w.block(
                    format!("pub fn is_{name}(value: &::serde_json::Number) -> bool {{"),
                    "}",
                    |w| {
                        w.line(format!("{support}::is_int64(value)"));
                    },
                );
            }
        }
        w.line("");
    }
    w.finish()
}

/// The method table module body.
pub fn methods(methods: &[Method]) -> String {
    let mut w = Writer::new("    ");
    w.line("use crate::support::Violation;");
    w.line("use ::serde_json::Value;");
    w.line("");
    w.doc("///", "Who sends a method.");
    w.line("#[derive(Debug, Clone, Copy, PartialEq, Eq)]");
    w.block("pub enum Direction {", "}", |w| {
        w.line("/// A request from the client; the server answers.");
        w.line("ClientToServer,");
        w.line("/// A request from the server; the client answers.");
        w.line("ServerToClient,");
        w.line("/// A client notification: no id, no answer.");
        w.line("Notification,");
    });
    w.line("");
    w.doc("///", "One JSON-RPC method of the protocol.");
    w.line("#[derive(Debug, Clone, Copy)]");
    w.block("pub struct MethodInfo {", "}", |w| {
        w.line("/// The method name.");
        w.line("pub name: &'static str,");
        w.line("/// Who sends it.");
        w.line("pub direction: Direction,");
        w.line("/// The params type, if any.");
        w.line("pub params: Option<&'static str>,");
        w.line("/// The result type, for requests.");
        w.line("pub result: Option<&'static str>,");
        w.line("/// Validates params of this method.");
        w.line("pub validate_params: Option<fn(&Value) -> Result<(), Vec<Violation>>>,");
        w.line("/// Validates a result of this method.");
        w.line("pub validate_result: Option<fn(&Value) -> Result<(), Vec<Violation>>>,");
    });
    w.line("");
    w.doc("///", "Every method, in the table's order.");
    w.block("pub const METHODS: &[MethodInfo] = &[", "];", |w| {
        for method in methods {
            let opt = |ty: &Option<String>| match ty {
                Some(t) => format!("Some({})", rust_str(t)),
                None => "None".to_owned(),
            };
            let validator = |ty: &Option<String>| match ty {
                Some(t) => format!("Some(crate::validators::validate_{})", snake_case(t)),
                None => "None".to_owned(),
            };
            let direction = match method.direction {
                crate::methods::Direction::ClientToServer => "ClientToServer",
                crate::methods::Direction::ServerToClient => "ServerToClient",
                crate::methods::Direction::Notification => "Notification",
            };
            w.doc("//", &method.description);
            w.line(format!(
                "MethodInfo {{ name: {}, direction: Direction::{direction}, params: {}, result: {}, validate_params: {}, validate_result: {} }},",
                rust_str(&method.name),
                opt(&method.params),
                opt(&method.result),
                validator(&method.params),
                validator(&method.result)
            ));
        }
    });
    w.line("");
    w.doc("///", "Looks a method up by name.");
    w.block(
        "pub fn method(name: &str) -> Option<&'static MethodInfo> {",
        "}",
        |w| {
            w.line("METHODS.iter().find(|m| m.name == name)");
        },
    );
    w.finish()
}
