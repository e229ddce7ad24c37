//! Emits the Rust method table module from the method table (`schema/methods.json`).

use crate::methods::{Direction, Method};
use crate::writer::{rust_str, snake_case, Writer};

/// `generated/rust/src/methods.rs` body (without the file header): `Direction`, `MethodInfo`,
/// `METHODS` and `method`, each method's validators referring to `crate::validators`.
pub(crate) fn emit(methods: &[Method]) -> String {
    let mut w = Writer::new("    ");
    w.line("use crate::validator_runtime::Violation;");
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
                Direction::ClientToServer => "ClientToServer",
                Direction::ServerToClient => "ServerToClient",
                Direction::Notification => "Notification",
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
