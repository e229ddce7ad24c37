//! Emits the TypeScript method table module from the method table (`schema/methods.json`).

use std::collections::BTreeSet;

use crate::methods::{Direction, Method};
use crate::ts_syntax::{jsdoc, property_key};
use crate::writer::{ts_str, Writer};

/// Emits the body of the methods module (without the file header): `InputOf`, `MethodInfo`,
/// `METHODS`, the `ClientRequestMethods` / `ServerRequestMethods` / `ClientNotificationMethods`
/// type maps, and `METHOD_VALIDATORS`. It imports from `./validator-runtime.js`, `./types.js` and
/// `./validators.js`.
///
/// The types of `./types.js` are the values as they travel, with plain arrays, so that they stay
/// mutually assignable with the TypeScript ts-rs writes for the same Rust types (`Array<T>`). What
/// a TypeScript caller sends (a client request's and a notification's params, the result a client
/// answers a server request with) is `InputOf<T>` in the type maps: the same type with every array
/// `readonly`, so a caller may pass a `readonly` array (or an `as const` literal), and a value of
/// `T` or of a ts-rs type still fits. What a caller receives stays plain `T`.
pub(crate) fn emit(methods: &[Method]) -> String {
    let mut types: BTreeSet<&str> = BTreeSet::new();
    for method in methods {
        types.extend(method.params.as_deref());
        types.extend(method.result.as_deref());
    }
    let mut w = Writer::new("  ");
    w.line("import type { Violation } from \"./validator-runtime.js\";");
    if !types.is_empty() {
        let list: Vec<&str> = types.iter().copied().collect();
        w.line(format!(
            "import type {{ {} }} from \"./types.js\";",
            list.join(", ")
        ));
        let validators: Vec<String> = list.iter().map(|t| format!("validate{t}")).collect();
        w.line(format!(
            "import {{ {} }} from \"./validators.js\";",
            validators.join(", ")
        ));
    }
    w.line("");
    jsdoc(&mut w, "What a caller may send where a value of `T` is expected: `T` with every array (and tuple) `readonly`, at any depth. A value of `T` itself fits; properties keep their optionality and types.");
    w.line("export type InputOf<T> = T extends object ? { readonly [K in keyof T]: InputOf<T[K]> } : T;");
    w.line("");
    jsdoc(&mut w, "One JSON-RPC method of the protocol.");
    w.block("export interface MethodInfo {", "}", |w| {
        jsdoc(w, "The JSON-RPC method name: `device/key/sign`.");
        w.line("readonly name: string;");
        jsdoc(w, "Who sends it: a client request, a server request, or a client notification (no id, no answer).");
        w.line("readonly direction: \"clientToServer\" | \"serverToClient\" | \"notification\";");
        jsdoc(w, "The params type name, or `null` when the method takes no params.");
        w.line("readonly params: string | null;");
        jsdoc(w, "The result type name, or `null` for a notification.");
        w.line("readonly result: string | null;");
        jsdoc(w, "What the method does.");
        w.line("readonly description: string;");
    });
    w.line("");
    jsdoc(&mut w, "Every method, in the method table's order.");
    w.block(
        "export const METHODS = [",
        "] as const satisfies readonly MethodInfo[];",
        |w| {
            for method in methods {
                w.block("{", "},", |w| {
                    let name_or_null =
                        |t: &Option<String>| t.as_deref().map_or_else(|| "null".to_owned(), ts_str);
                    w.line(format!("name: {},", ts_str(&method.name)));
                    w.line(format!("direction: {},", ts_str(method.direction.name())));
                    w.line(format!("params: {},", name_or_null(&method.params)));
                    w.line(format!("result: {},", name_or_null(&method.result)));
                    w.line(format!("description: {},", ts_str(&method.description)));
                });
            }
        },
    );
    w.line("");
    jsdoc(&mut w, "The name of a method of the protocol.");
    w.line("export type MethodName = (typeof METHODS)[number][\"name\"];");
    w.line("");
    let maps = [
        (Direction::ClientToServer, "ClientRequestMethods", "Requests a client sends and the server answers: params and result types by method name."),
        (Direction::ServerToClient, "ServerRequestMethods", "Requests the server sends and a client answers: params and result types by method name."),
        (Direction::Notification, "ClientNotificationMethods", "Notifications a client sends: params types by method name."),
    ];
    for (direction, interface, description) in maps {
        jsdoc(&mut w, description);
        w.block(format!("export interface {interface} {{"), "}", |w| {
            for method in methods.iter().filter(|m| m.direction == direction) {
                jsdoc(w, &method.description);
                let input = |t: &str| format!("InputOf<{t}>");
                let params = match (direction, method.params.as_deref()) {
                    (_, None) => "undefined".to_owned(),
                    (Direction::ServerToClient, Some(params)) => params.to_owned(),
                    (_, Some(params)) => input(params),
                };
                let entry = match (direction, method.result.as_deref()) {
                    (Direction::Notification, _) | (_, None) => format!("{{ params: {params} }}"),
                    (Direction::ServerToClient, Some(result)) => {
                        format!("{{ params: {params}; result: {} }}", input(result))
                    }
                    (_, Some(result)) => format!("{{ params: {params}; result: {result} }}"),
                };
                w.line(format!("{}: {entry};", property_key(&method.name)));
            }
        });
        w.line("");
    }
    jsdoc(
        &mut w,
        "The validators of one method's params and result (absent when it has none).",
    );
    w.block("export interface MethodValidators {", "}", |w| {
        w.line("readonly params?: (value: unknown) => Violation[];");
        w.line("readonly result?: (value: unknown) => Violation[];");
    });
    w.line("");
    jsdoc(
        &mut w,
        "The params and result validators of every method, by method name.",
    );
    w.block(
        "export const METHOD_VALIDATORS: { readonly [name: string]: MethodValidators } = {",
        "};",
        |w| {
            for method in methods {
                let mut fields = Vec::new();
                if let Some(params) = &method.params {
                    fields.push(format!("params: validate{params}"));
                }
                if let Some(result) = &method.result {
                    fields.push(format!("result: validate{result}"));
                }
                let value = if fields.is_empty() {
                    "{}".to_owned()
                } else {
                    format!("{{ {} }}", fields.join(", "))
                };
                w.line(format!("{}: {value},", property_key(&method.name)));
            }
        },
    );
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_module() {
        let methods = vec![
            Method {
                name: "initialize".into(),
                direction: Direction::ClientToServer,
                params: Some("P".into()),
                result: Some("R".into()),
                description: "Start.".into(),
            },
            Method {
                name: "initialized".into(),
                direction: Direction::Notification,
                params: None,
                result: None,
                description: "Done.".into(),
            },
            Method {
                name: "x/y".into(),
                direction: Direction::ServerToClient,
                params: Some("P".into()),
                result: Some("R".into()),
                description: "Ask.".into(),
            },
        ];
        let out = emit(&methods);
        assert!(
            out.contains("import type { P, R } from \"./types.js\";"),
            "{out}"
        );
        assert!(
            out.contains("import { validateP, validateR } from \"./validators.js\";"),
            "{out}"
        );
        assert!(
            out.contains("  initialize: { params: InputOf<P>; result: R };"),
            "{out}"
        );
        assert!(
            out.contains("  initialized: { params: undefined };"),
            "{out}"
        );
        assert!(
            out.contains("  \"x/y\": { params: P; result: InputOf<R> };"),
            "{out}"
        );
        assert!(out.contains("  initialized: {},"), "{out}");
        assert!(
            out.contains("] as const satisfies readonly MethodInfo[];"),
            "{out}"
        );
    }
}
