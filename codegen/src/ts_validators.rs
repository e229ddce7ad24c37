//! Emits TypeScript validators from the validation model, mirroring the Rust emitter check for check:
//! the same order, schema paths, keywords and messages.
//!
//! Where the Rust emitter writes one generic function monomorphized for two sinks, this one writes
//! the two flavours out: `fN(v0, out)` reports every violation into a `Collector` (whose path stack
//! holds the instance path, rendered only when a violation is reported), and `cN(v0)` answers yes or
//! no and returns at the first violation. Only the flavours something calls are written, so the
//! module passes `tsc --noUnusedLocals`. `validateFoo` runs the yes/no flavour first and collects
//! only when the value is invalid, so the valid path allocates nothing but the empty result.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde_json::Value;

use crate::formats;
use crate::json::{json_text, JsonType};
use crate::messages;
use crate::model::{Checks, FnId, Items, Model, Node, NodeKind, OneOf};
use crate::schema_set::SchemaSet;
use crate::ts_syntax::{is_inherited_name, jsdoc};
use crate::writer::{ts_str, Writer};

/// Module specifiers the emitted code imports from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TsPaths {
    /// The validator runtime module (`"./validator-runtime.js"`).
    pub(crate) validator_runtime: &'static str,
    /// The formats module (`"./formats.js"`).
    pub(crate) formats: &'static str,
    /// The types module (`"./types.js"`), when there is one: the `isFoo` functions are then type
    /// guards (`value is Foo`); without it they return `boolean`.
    pub(crate) types: Option<&'static str>,
}

/// Up to this many string values, `enum` is a chain of `!==`; above it, a hoisted `Set`.
const ENUM_CHAIN_MAX: usize = 8;

/// Which flavour of a function is being written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Mode {
    /// `fN(v0, out)`: reports every violation.
    Collect,
    /// `cN(v0)`: `false` at the first violation.
    Check,
}

impl Mode {
    fn prefix(self) -> &'static str {
        match self {
            Mode::Collect => "f",
            Mode::Check => "c",
        }
    }
}

/// Emits the body of the validators module for `model` (without the file header).
pub(crate) fn emit(model: &Model, set: &SchemaSet, paths: TsPaths) -> String {
    let mut e = Emitter {
        model,
        aux: BTreeMap::new(),
        requested: BTreeSet::new(),
        queue: VecDeque::new(),
        consts: Vec::new(),
        const_names: BTreeMap::new(),
        validator_runtime_imports: BTreeSet::new(),
        uses_formats: false,
    };

    let mut api = Writer::new("  ");
    let names: Vec<String> = model.roots.keys().map(|n| ts_str(n)).collect();
    jsdoc(
        &mut api,
        "The name of every type that has a validator, sorted.",
    );
    api.line(format!(
        "export const TYPE_NAMES = [{}] as const;",
        names.join(", ")
    ));
    api.line("");
    match paths.types {
        Some(_) if !model.roots.is_empty() => typed_lookups(&mut api, model),
        _ => untyped_lookups(&mut api, model),
    }
    api.line("");
    for (name, id) in &model.roots {
        e.request(&id.to_string(), Mode::Collect);
        e.request(&id.to_string(), Mode::Check);
        let description = set
            .doc(name)
            .and_then(|d| d.value.get("description"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        jsdoc(&mut api, &format!("Validates a `{name}`, reporting every violation (`[]` when valid).\n\n{description}"));
        api.block(
            format!("export function validate{name}(value: unknown): Violation[] {{"),
            "}",
            |w| {
                w.block(format!("if (c{id}(value)) {{"), "}", |w| {
                    w.line("return [];")
                });
                w.line("const out = new Collector();");
                w.line(format!("f{id}(value, out);"));
                w.line("return out.violations;");
            },
        );
        api.line("");
        jsdoc(
            &mut api,
            &format!("Whether `value` is a valid `{name}` (stops at the first violation)."),
        );
        let returns = match paths.types {
            Some(_) => format!("value is types.{name}"),
            None => "boolean".to_owned(),
        };
        api.block(
            format!("export function is{name}(value: unknown): {returns} {{"),
            "}",
            |w| {
                w.line(format!("return c{id}(value);"));
            },
        );
        api.line("");
        if paths.types.is_some() {
            jsdoc(
                &mut api,
                &format!("Parses a `{name}`: `{{ ok: true, value }}` with the value as its type when it is valid, else `{{ ok: false, violations }}` with every violation."),
            );
            api.block(
                format!(
                    "export function parse{name}(value: unknown): ParseResult<types.{name}> {{"
                ),
                "}",
                |w| {
                    w.block(format!("if (c{id}(value)) {{"), "}", |w| {
                        w.line(format!(
                            "return {{ ok: true, value: value as types.{name} }};"
                        ));
                    });
                    w.line("const out = new Collector();");
                    w.line(format!("f{id}(value, out);"));
                    w.line("return { ok: false, violations: out.violations };");
                },
            );
            api.line("");
        }
    }
    if !model.roots.is_empty() {
        e.validator_runtime_imports.insert("Collector");
    }

    let mut functions: BTreeMap<(Vec<usize>, Mode), String> = BTreeMap::new();
    while let Some((base, mode)) = e.queue.pop_front() {
        let text = e.function(&base, mode);
        let key: Vec<usize> = base.split('_').filter_map(|p| p.parse().ok()).collect();
        functions.insert((key, mode), text);
    }

    let mut out = Writer::new("  ");
    out.line(format!(
        "import type {{ Violation }} from {};",
        ts_str(paths.validator_runtime)
    ));
    if !e.validator_runtime_imports.is_empty() {
        let names: Vec<&str> = e.validator_runtime_imports.iter().copied().collect();
        out.line(format!(
            "import {{ {} }} from {};",
            names.join(", "),
            ts_str(paths.validator_runtime)
        ));
    }
    if e.uses_formats {
        out.line(format!(
            "import * as formats from {};",
            ts_str(paths.formats)
        ));
    }
    if let Some(types) = paths.types {
        if !model.roots.is_empty() {
            out.line(format!("import type * as types from {};", ts_str(types)));
        }
    }
    out.line("");
    for line in &e.consts {
        out.line(line);
    }
    if !e.consts.is_empty() {
        out.line("");
    }
    let mut text = out.finish();
    text.push_str(&api.finish());
    for function in functions.values() {
        text.push_str(function);
    }
    while text.ends_with("\n\n") {
        text.pop();
    }
    text
}

/// `validate`, `isValid` and `parse` by type name, typed by the `TypeName` union: a misspelt
/// name does not compile, `isValid` narrows to the named type and `parse` returns it.
fn typed_lookups(api: &mut Writer, model: &Model) {
    jsdoc(
        api,
        "The name of a type that has a validator: what `validate`, `isValid` and `parse` accept.",
    );
    api.line("export type TypeName = (typeof TYPE_NAMES)[number];");
    api.line("");
    jsdoc(
        api,
        "Each type by its name: `TypesByName[\"DeviceKeySignParams\"]` is `DeviceKeySignParams`.",
    );
    api.block("export interface TypesByName {", "}", |w| {
        for name in model.roots.keys() {
            w.line(format!("{name}: types.{name};"));
        }
    });
    api.line("");
    jsdoc(
        api,
        "What a `parse` function returns: the value as its type when it is valid, else every violation (at least one).",
    );
    api.line("export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly violations: Violation[] };");
    api.line("");
    jsdoc(api, "Validates `value` as the type named `typeName`, reporting every violation (`[]` when valid). A name that is not a `TypeName` (possible only from untyped code) throws a `TypeError`.");
    api.block(
        "export function validate(typeName: TypeName, value: unknown): Violation[] {",
        "}",
        |w| {
            switch_by_name(
                w,
                model,
                "typeName",
                |name, _| format!("validate{name}(value)"),
                "throw unknownTypeName(typeName);",
            );
        },
    );
    api.line("");
    jsdoc(api, "Whether `value` is a valid instance of the type named `typeName` (stops at the first violation); narrows `value` to that type. A name that is not a `TypeName` throws a `TypeError`.");
    api.block(
        "export function isValid<N extends TypeName>(typeName: N, value: unknown): value is TypesByName[N] {",
        "}",
        |w| {
            switch_by_name(w, model, "typeName as TypeName", |_, id| format!("c{id}(value)"), "throw unknownTypeName(typeName);");
        },
    );
    api.line("");
    jsdoc(api, "Parses `value` as the type named `typeName`: `{ ok: true, value }` when it is valid, else `{ ok: false, violations }`. A name that is not a `TypeName` throws a `TypeError`.");
    api.block(
        "export function parse<N extends TypeName>(typeName: N, value: unknown): ParseResult<TypesByName[N]> {",
        "}",
        |w| {
            w.line("const violations = validate(typeName, value);");
            w.line("return violations.length === 0 ? { ok: true, value: value as TypesByName[N] } : { ok: false, violations };");
        },
    );
    api.line("");
    api.block(
        "function unknownTypeName(typeName: unknown): TypeError {",
        "}",
        |w| {
            w.line("return new TypeError(`unknown type name ${JSON.stringify(typeName)}: expected one of ${TYPE_NAMES.join(\", \")}`);");
        },
    );
}

/// `validate` and `isValid` by any string name, `undefined` for an unknown one: the standalone
/// validators (the JSON-Schema-Test-Suite's), whose names are not known to a type system.
fn untyped_lookups(api: &mut Writer, model: &Model) {
    jsdoc(api, "Validates `value` as the type named `typeName`, reporting every violation (`[]` when valid); `undefined` when no such type exists.");
    if model.roots.is_empty() {
        api.block("export function validate(_typeName: string, _value: unknown): Violation[] | undefined {", "}", |w| {
            w.line("return undefined;");
        });
    } else {
        api.block(
            "export function validate(typeName: string, value: unknown): Violation[] | undefined {",
            "}",
            |w| {
                switch_by_name(
                    w,
                    model,
                    "typeName",
                    |name, _| format!("validate{name}(value)"),
                    "return undefined;",
                );
            },
        );
    }
    api.line("");
    jsdoc(api, "Whether `value` is a valid instance of the type named `typeName` (stops at the first violation); `undefined` when no such type exists.");
    if model.roots.is_empty() {
        api.block(
            "export function isValid(_typeName: string, _value: unknown): boolean | undefined {",
            "}",
            |w| {
                w.line("return undefined;");
            },
        );
    } else {
        api.block(
            "export function isValid(typeName: string, value: unknown): boolean | undefined {",
            "}",
            |w| {
                switch_by_name(
                    w,
                    model,
                    "typeName",
                    |_, id| format!("c{id}(value)"),
                    "return undefined;",
                );
            },
        );
    }
}

/// `switch (<scrutinee>) { case "<Name>": return <call>; … default: <otherwise> }`, one case per
/// root type, `call` given its name and validator id.
fn switch_by_name(
    w: &mut Writer,
    model: &Model,
    scrutinee: &str,
    call: impl Fn(&str, &FnId) -> String,
    otherwise: &str,
) {
    w.block(format!("switch ({scrutinee}) {{"), "}", |w| {
        for (name, id) in &model.roots {
            w.line(format!("case {}:", ts_str(name)));
            w.line(format!("  return {};", call(name, id)));
        }
        w.line("default:");
        w.line(format!("  {otherwise}"));
    });
}

/// Per-function state while writing one flavour of one function.
struct Ctx {
    /// The function's base name (`3`, `3_0_1`): its oneOf variants are named `{base}_{group}_{i}`.
    base: String,
    /// oneOf groups seen so far in this function.
    groups: usize,
    /// Local variable counter.
    locals: usize,
    /// Whether the collect flavour touched `out`.
    uses_out: bool,
}

impl Ctx {
    fn fresh(&mut self) -> usize {
        self.locals += 1;
        self.locals
    }
}

struct Emitter<'m> {
    model: &'m Model,
    /// oneOf variant nodes, by base name (their schema path names their location).
    aux: BTreeMap<String, &'m Node>,
    requested: BTreeSet<(String, Mode)>,
    queue: VecDeque<(String, Mode)>,
    /// Module-level constants (regular expressions, literals, sets), in creation order.
    consts: Vec<String>,
    /// Dedupe key → constant name.
    const_names: BTreeMap<String, String>,
    /// Names imported from the validator runtime module.
    validator_runtime_imports: BTreeSet<&'static str>,
    uses_formats: bool,
}

impl<'m> Emitter<'m> {
    fn request(&mut self, base: &str, mode: Mode) -> String {
        if self.requested.insert((base.to_owned(), mode)) {
            self.queue.push_back((base.to_owned(), mode));
        }
        format!("{}{base}", mode.prefix())
    }

    fn constant(
        &mut self,
        kind: &str,
        key: String,
        declaration: impl FnOnce(&str) -> String,
    ) -> String {
        let dedupe = format!("{kind}\u{0}{key}");
        if let Some(name) = self.const_names.get(&dedupe) {
            return name.clone();
        }
        let name = format!("{kind}_{}", self.const_names.len());
        self.consts.push(declaration(&name));
        self.const_names.insert(dedupe, name.clone());
        name
    }

    fn function(&mut self, base: &str, mode: Mode) -> String {
        let (location, node): (String, &'m Node) = match base.parse::<usize>() {
            Ok(id) => {
                let function = &self.model.functions[id];
                (function.location.clone(), &function.node)
            }
            Err(_) => {
                let node = self.aux[base];
                (node.schema_path.clone(), node)
            }
        };
        let mut ctx = Ctx {
            base: base.to_owned(),
            groups: 0,
            locals: 0,
            uses_out: false,
        };
        let mut body = Writer::new("  ");
        self.node(&mut body, node, "v0", mode, &mut ctx);
        let body = body.finish();
        let uses_value = !body.is_empty() && !matches!(node.kind, NodeKind::Nothing);
        let value = if uses_value { "v0" } else { "_v0" };
        let mut w = Writer::new("  ");
        jsdoc(&mut w, &format!("`{location}`"));
        let name = format!("{}{base}", mode.prefix());
        match mode {
            Mode::Collect => {
                let out = if ctx.uses_out { "out" } else { "_out" };
                w.block(
                    format!("function {name}({value}: unknown, {out}: Collector): void {{"),
                    "}",
                    |w| {
                        push_raw(w, &body);
                    },
                );
            }
            Mode::Check => {
                w.block(
                    format!("function {name}({value}: unknown): boolean {{"),
                    "}",
                    |w| {
                        push_raw(w, &body);
                        if !matches!(node.kind, NodeKind::Nothing) {
                            w.line("return true;");
                        }
                    },
                );
            }
        }
        w.line("");
        w.finish()
    }

    /// Writes a violation: a report (collect) or `return false` (check).
    fn report(
        &self,
        w: &mut Writer,
        mode: Mode,
        ctx: &mut Ctx,
        schema_path: &str,
        keyword: &str,
        message: &str,
    ) {
        match mode {
            Mode::Collect => {
                ctx.uses_out = true;
                w.line(format!(
                    "out.report({}, {}, {message});",
                    ts_str(schema_path),
                    ts_str(keyword)
                ));
            }
            Mode::Check => w.line("return false;"),
        }
    }

    /// Writes the checks of `node` against the value in variable `v`.
    fn node(&mut self, w: &mut Writer, node: &'m Node, v: &str, mode: Mode, ctx: &mut Ctx) {
        match &node.kind {
            NodeKind::Anything => {}
            NodeKind::Nothing => {
                self.report(
                    w,
                    mode,
                    ctx,
                    &node.schema_path,
                    "false",
                    &ts_str(&messages::nothing_allowed()),
                );
            }
            NodeKind::Ref(id) => {
                let callee = self.request(&id.to_string(), mode);
                match mode {
                    Mode::Collect => {
                        ctx.uses_out = true;
                        w.line(format!("{callee}({v}, out);"));
                    }
                    Mode::Check => w.line(format!("if (!{callee}({v})) return false;")),
                }
            }
            NodeKind::Checks(checks) => self.checks(w, checks, &node.schema_path, v, mode, ctx),
        }
    }

    /// Writes `node` for a value reached through path segment `segment` (a TS expression).
    fn descend(
        &mut self,
        w: &mut Writer,
        node: &'m Node,
        v: &str,
        segment: &str,
        mode: Mode,
        ctx: &mut Ctx,
    ) {
        match mode {
            Mode::Collect => {
                ctx.uses_out = true;
                w.line(format!("out.path.push({segment});"));
                self.node(w, node, v, mode, ctx);
                w.line("out.path.pop();");
            }
            Mode::Check => self.node(w, node, v, mode, ctx),
        }
    }

    fn checks(
        &mut self,
        w: &mut Writer,
        c: &'m Checks,
        at: &str,
        v: &str,
        mode: Mode,
        ctx: &mut Ctx,
    ) {
        let sp = |keyword: &str| format!("{at}/{keyword}");
        // In the yes/no flavour the `type` check returns, so a keyword group for another type can
        // never run after it (and TypeScript has narrowed the value, so it would not type-check).
        let reachable = |group: &[JsonType]| {
            mode == Mode::Collect
                || c.types
                    .as_ref()
                    .is_none_or(|t| t.iter().any(|t| group.contains(t)))
        };
        // Literals of a type the `type` keyword excludes are compared through `unknown`.
        let widen = |value: &Value| {
            c.types
                .as_ref()
                .is_some_and(|t| !t.iter().any(|t| json_type_matches(*t, value)))
        };
        if let Some(types) = &c.types {
            let test = match types.as_slice() {
                [] => "true".to_owned(),
                [single] => type_test(*single, v, true),
                many => format!(
                    "!({})",
                    many.iter()
                        .map(|t| type_test(*t, v, false))
                        .collect::<Vec<_>>()
                        .join(" || ")
                ),
            };
            w.block(format!("if ({test}) {{"), "}", |w| {
                self.report(
                    w,
                    mode,
                    ctx,
                    &sp("type"),
                    "type",
                    &ts_str(&messages::type_mismatch(types)),
                );
            });
        }
        if let Some(values) = &c.enum_values {
            let test = self.enum_test(values, v, widen);
            w.block(format!("if ({test}) {{"), "}", |w| {
                self.report(
                    w,
                    mode,
                    ctx,
                    &sp("enum"),
                    "enum",
                    &ts_str(&messages::enum_mismatch(values)),
                );
            });
        }
        if let Some(value) = &c.const_value {
            let test = match value {
                Value::String(s) if !widen(value) => format!("{v} !== {}", ts_str(s)),
                _ => format!("!({})", self.equal_test(value, v, widen(value))),
            };
            w.block(format!("if ({test}) {{"), "}", |w| {
                self.report(
                    w,
                    mode,
                    ctx,
                    &sp("const"),
                    "const",
                    &ts_str(&messages::const_mismatch(value)),
                );
            });
        }
        let string_format = c.format.filter(|f| f.applies_to == JsonType::String);
        let string_group = c.min_length.is_some()
            || c.max_length.is_some()
            || c.pattern.is_some()
            || string_format.is_some();
        if string_group && reachable(&[JsonType::String]) {
            w.block(format!("if (typeof {v} === \"string\") {{"), "}", |w| {
                if let Some(n) = c.min_length {
                    let test = match n {
                        0 => None,
                        1 => Some(format!("{v}.length === 0")),
                        n => {
                            self.validator_runtime_imports.insert("hasMinChars");
                            Some(format!("!hasMinChars({v}, {n})"))
                        }
                    };
                    if let Some(test) = test {
                        w.block(format!("if ({test}) {{"), "}", |w| {
                            self.report(
                                w,
                                mode,
                                ctx,
                                &sp("minLength"),
                                "minLength",
                                &ts_str(&messages::min_length(n)),
                            );
                        });
                    }
                }
                if let Some(n) = c.max_length {
                    self.validator_runtime_imports.insert("hasMaxChars");
                    w.block(format!("if (!hasMaxChars({v}, {n})) {{"), "}", |w| {
                        self.report(
                            w,
                            mode,
                            ctx,
                            &sp("maxLength"),
                            "maxLength",
                            &ts_str(&messages::max_length(n)),
                        );
                    });
                }
                if let Some(pattern) = &c.pattern {
                    let re = self.constant("RE", pattern.source.clone(), |name| {
                        format!(
                            "const {name} = new RegExp({}, \"u\");",
                            ts_str(&pattern.source)
                        )
                    });
                    w.block(format!("if (!{re}.test({v})) {{"), "}", |w| {
                        self.report(
                            w,
                            mode,
                            ctx,
                            &sp("pattern"),
                            "pattern",
                            &ts_str(&messages::pattern(&pattern.source)),
                        );
                    });
                }
                if let Some(format) = string_format {
                    self.uses_formats = true;
                    w.block(
                        format!("if (!formats.is{}({v})) {{", formats::pascal_name(format)),
                        "}",
                        |w| {
                            self.report(
                                w,
                                mode,
                                ctx,
                                &sp("format"),
                                "format",
                                &ts_str(&messages::format(format)),
                            );
                        },
                    );
                }
            });
        }
        let number_format = c.format.filter(|f| f.applies_to != JsonType::String);
        let number_group = c.minimum.is_some() || c.maximum.is_some() || number_format.is_some();
        if number_group && reachable(&[JsonType::Integer, JsonType::Number]) {
            w.block(format!("if (typeof {v} === \"number\") {{"), "}", |w| {
                for (limit, keyword, op) in
                    [(&c.minimum, "minimum", "<"), (&c.maximum, "maximum", ">")]
                {
                    let Some(limit) = limit else { continue };
                    let message = if keyword == "minimum" {
                        messages::minimum(limit)
                    } else {
                        messages::maximum(limit)
                    };
                    let literal = number_literal(limit);
                    w.block(format!("if ({v} {op} {literal}) {{"), "}", |w| {
                        self.report(w, mode, ctx, &sp(keyword), keyword, &ts_str(&message));
                    });
                }
                if let Some(format) = number_format {
                    self.uses_formats = true;
                    w.block(
                        format!("if (!formats.is{}({v})) {{", formats::pascal_name(format)),
                        "}",
                        |w| {
                            self.report(
                                w,
                                mode,
                                ctx,
                                &sp("format"),
                                "format",
                                &ts_str(&messages::format(format)),
                            );
                        },
                    );
                }
            });
        }
        let array_group =
            c.items.is_some() || c.min_items.is_some() || c.max_items.is_some() || c.unique_items;
        if array_group && reachable(&[JsonType::Array]) {
            w.block(format!("if (Array.isArray({v})) {{"), "}", |w| {
                if let Some(n) = c.min_items {
                    w.block(format!("if ({v}.length < {n}) {{"), "}", |w| {
                        self.report(
                            w,
                            mode,
                            ctx,
                            &sp("minItems"),
                            "minItems",
                            &ts_str(&messages::min_items(n)),
                        );
                    });
                }
                if let Some(n) = c.max_items {
                    w.block(format!("if ({v}.length > {n}) {{"), "}", |w| {
                        self.report(
                            w,
                            mode,
                            ctx,
                            &sp("maxItems"),
                            "maxItems",
                            &ts_str(&messages::max_items(n)),
                        );
                    });
                }
                if c.unique_items {
                    self.validator_runtime_imports.insert("allUnique");
                    w.block(format!("if (!allUnique({v})) {{"), "}", |w| {
                        self.report(
                            w,
                            mode,
                            ctx,
                            &sp("uniqueItems"),
                            "uniqueItems",
                            &ts_str(&messages::unique_items()),
                        );
                    });
                }
                match &c.items {
                    None => {}
                    Some(Items::All(node)) => self.all_items(w, node, v, mode, ctx),
                    Some(Items::Tuple(nodes)) => {
                        for (i, node) in nodes.iter().enumerate() {
                            if matches!(node.kind, NodeKind::Anything) {
                                continue;
                            }
                            w.block(format!("if ({v}.length > {i}) {{"), "}", |w| {
                                let item = self.item_value(w, node, &format!("{v}[{i}]"), ctx);
                                self.descend(w, node, &item, &i.to_string(), mode, ctx);
                            });
                        }
                    }
                }
            });
        }
        let object_checks = !c.required.is_empty()
            || c.properties
                .iter()
                .any(|(_, node)| !matches!(node.kind, NodeKind::Anything))
            || c.additional_properties.is_some();
        if object_checks && reachable(&[JsonType::Object]) {
            w.block(
                format!("if (typeof {v} === \"object\" && {v} !== null && !Array.isArray({v})) {{"),
                "}",
                |w| {
                    let m = format!("m{}", ctx.fresh());
                    w.line(format!("const {m} = {v} as Record<string, unknown>;"));
                    for name in &c.required {
                        let test = if is_inherited_name(name) {
                            self.validator_runtime_imports.insert("hasOwn");
                            format!("!hasOwn({m}, {0}) || {m}[{0}] === undefined", ts_str(name))
                        } else {
                            format!("{m}[{}] === undefined", ts_str(name))
                        };
                        w.block(format!("if ({test}) {{"), "}", |w| {
                            self.report(
                                w,
                                mode,
                                ctx,
                                &sp("required"),
                                "required",
                                &ts_str(&messages::required(name)),
                            );
                        });
                    }
                    for (name, node) in &c.properties {
                        if matches!(node.kind, NodeKind::Anything) {
                            continue;
                        }
                        let read = if is_inherited_name(name) {
                            self.validator_runtime_imports.insert("hasOwn");
                            format!("(hasOwn({m}, {0}) ? {m}[{0}] : undefined)", ts_str(name))
                        } else {
                            format!("{m}[{}]", ts_str(name))
                        };
                        if matches!(node.kind, NodeKind::Nothing) {
                            w.block(format!("if ({read} !== undefined) {{"), "}", |w| {
                                self.descend(w, node, "", &ts_str(name), mode, ctx);
                            });
                        } else {
                            let item = format!("v{}", ctx.fresh());
                            w.line(format!("const {item} = {read};"));
                            w.block(format!("if ({item} !== undefined) {{"), "}", |w| {
                                self.descend(w, node, &item, &ts_str(name), mode, ctx);
                            });
                        }
                    }
                    if let Some(additional) = &c.additional_properties {
                        let key = format!("k{}", ctx.fresh());
                        w.block(format!("for (const {key} in {m}) {{"), "}", |w| {
                            let known: Vec<String> =
                                c.properties.iter().map(|(n, _)| ts_str(n)).collect();
                            if known.len() > 3 {
                                w.block(format!("switch ({key}) {{"), "}", |w| {
                                    for name in &known {
                                        w.line(format!("case {name}:"));
                                    }
                                    w.line("  continue;");
                                });
                            } else if !known.is_empty() {
                                let tests: Vec<String> =
                                    known.iter().map(|n| format!("{key} === {n}")).collect();
                                w.line(format!("if ({}) continue;", tests.join(" || ")));
                            }
                            if matches!(additional.kind, NodeKind::Nothing) {
                                w.line(format!("if ({m}[{key}] === undefined) continue;"));
                                match mode {
                                    Mode::Collect => {
                                        self.validator_runtime_imports.insert("jsonString");
                                        ctx.uses_out = true;
                                        w.line(format!("out.path.push({key});"));
                                        let message = format!(
                                            "{} + jsonString({key})",
                                            ts_str(messages::UNKNOWN_PROPERTY_PREFIX)
                                        );
                                        w.line(format!(
                                            "out.report({}, \"additionalProperties\", {message});",
                                            ts_str(&additional.schema_path)
                                        ));
                                        w.line("out.path.pop();");
                                    }
                                    Mode::Check => w.line("return false;"),
                                }
                            } else {
                                let item = format!("v{}", ctx.fresh());
                                w.line(format!("const {item} = {m}[{key}];"));
                                w.line(format!("if ({item} === undefined) continue;"));
                                self.descend(w, additional, &item, &key, mode, ctx);
                            }
                        });
                    }
                },
            );
        }
        if let Some(one_of) = &c.one_of {
            self.one_of(w, one_of, &sp("oneOf"), v, mode, ctx);
        }
    }

    /// Declares the variable for an array item unless `node` never reads it.
    fn item_value(&mut self, w: &mut Writer, node: &Node, read: &str, ctx: &mut Ctx) -> String {
        if matches!(node.kind, NodeKind::Nothing) {
            return String::new();
        }
        let item = format!("v{}", ctx.fresh());
        w.line(format!("const {item}: unknown = {read};"));
        item
    }

    fn all_items(&mut self, w: &mut Writer, node: &'m Node, v: &str, mode: Mode, ctx: &mut Ctx) {
        if matches!(node.kind, NodeKind::Anything) {
            return;
        }
        if matches!(node.kind, NodeKind::Nothing) && mode == Mode::Check {
            w.line(format!("if ({v}.length > 0) return false;"));
            return;
        }
        let i = format!("i{}", ctx.fresh());
        w.block(
            format!("for (let {i} = 0; {i} < {v}.length; {i}++) {{"),
            "}",
            |w| {
                let item = self.item_value(w, node, &format!("{v}[{i}]"), ctx);
                self.descend(w, node, &item, &i, mode, ctx);
            },
        );
    }

    fn one_of(
        &mut self,
        w: &mut Writer,
        one_of: &'m OneOf,
        at: &str,
        v: &str,
        mode: Mode,
        ctx: &mut Ctx,
    ) {
        let group = ctx.groups;
        ctx.groups += 1;
        let bases: Vec<String> = (0..one_of.variants.len())
            .map(|i| format!("{}_{group}_{i}", ctx.base))
            .collect();
        for (base, variant) in bases.iter().zip(&one_of.variants) {
            self.aux.insert(base.clone(), variant);
        }
        match &one_of.discriminator {
            Some(disc) => {
                let tag = format!("t{}", ctx.fresh());
                let read = if is_inherited_name(&disc.property) {
                    self.validator_runtime_imports.insert("hasOwn");
                    format!(
                        "(hasOwn({v}, {0}) ? ({v} as Record<string, unknown>)[{0}] : undefined)",
                        ts_str(&disc.property)
                    )
                } else {
                    format!(
                        "({v} as Record<string, unknown>)[{}]",
                        ts_str(&disc.property)
                    )
                };
                w.line(format!(
                    "const {tag} = typeof {v} === \"object\" && {v} !== null && !Array.isArray({v}) ? {read} : undefined;"
                ));
                let message = ts_str(&messages::discriminator(&disc.property, &disc.values));
                w.block(format!("switch ({tag}) {{"), "}", |w| {
                    for (value, base) in disc.values.iter().zip(&bases) {
                        let callee = self.request(base, mode);
                        w.line(format!("case {}:", ts_str(value)));
                        match mode {
                            Mode::Collect => {
                                ctx.uses_out = true;
                                w.line(format!("  {callee}({v}, out);"));
                            }
                            Mode::Check => w.line(format!("  if (!{callee}({v})) return false;")),
                        }
                        w.line("  break;");
                    }
                    w.line("default:");
                    match mode {
                        Mode::Collect => {
                            ctx.uses_out = true;
                            w.line(format!(
                                "  out.report({}, \"oneOf\", {message});",
                                ts_str(at)
                            ));
                        }
                        Mode::Check => w.line("  return false;"),
                    }
                });
            }
            None if one_of.nullable.is_some() => {
                let base = &bases[one_of.nullable.unwrap_or_default()];
                let check = self.request(base, Mode::Check);
                let callee = self.request(base, mode);
                let message = ts_str(&format!("{}2", messages::ONE_OF_PREFIX));
                let (matched_both, other) = match mode {
                    Mode::Collect => {
                        ctx.uses_out = true;
                        (
                            format!("out.report({}, \"oneOf\", {message});", ts_str(at)),
                            format!("{callee}({v}, out);"),
                        )
                    }
                    Mode::Check => (
                        "return false;".to_owned(),
                        format!("if (!{callee}({v})) return false;"),
                    ),
                };
                w.if_else(
                    format!("if ({v} === null) {{"),
                    // `null` matches the null variant: it fails only if the other one accepts it too.
                    |w| {
                        w.block(format!("if ({check}({v})) {{"), "}", |w| {
                            w.line(&matched_both)
                        })
                    },
                    // Anything else must match the other variant, and its violations say why not.
                    |w| w.line(&other),
                );
            }
            None => {
                let count = format!("n{}", ctx.fresh());
                w.block("{", "}", |w| {
                    w.line(format!("let {count} = 0;"));
                    for base in &bases {
                        let callee = self.request(base, Mode::Check);
                        w.line(format!("if ({callee}({v})) {count}++;"));
                    }
                    w.block(format!("if ({count} !== 1) {{"), "}", |w| {
                        let message =
                            format!("{} + String({count})", ts_str(messages::ONE_OF_PREFIX));
                        self.report(w, mode, ctx, at, "oneOf", &message);
                    });
                });
            }
        }
    }

    /// A TS expression that is true when `v` is none of `values`.
    fn enum_test(&mut self, values: &[Value], v: &str, widen: impl Fn(&Value) -> bool) -> String {
        if values
            .iter()
            .all(|value| value.is_string() && !widen(value))
        {
            let literals: Vec<String> = values
                .iter()
                .filter_map(Value::as_str)
                .map(ts_str)
                .collect();
            if literals.len() <= ENUM_CHAIN_MAX {
                return literals
                    .iter()
                    .map(|l| format!("{v} !== {l}"))
                    .collect::<Vec<_>>()
                    .join(" && ");
            }
            let set = self.constant("SET", literals.join(","), |name| {
                format!(
                    "const {name}: ReadonlySet<unknown> = new Set<unknown>([{}]);",
                    literals.join(", ")
                )
            });
            return format!("!{set}.has({v})");
        }
        let tests: Vec<String> = values
            .iter()
            .map(|value| self.equal_test(value, v, widen(value)))
            .collect();
        format!("!({})", tests.join(" || "))
    }

    /// A TS expression that is true when `v` equals `value` as JSON.
    fn equal_test(&mut self, value: &Value, v: &str, widen: bool) -> String {
        let widened = format!("({v} as unknown)");
        let v = if widen { widened.as_str() } else { v };
        match value {
            Value::Null => format!("{v} === null"),
            Value::Bool(b) => format!("{v} === {b}"),
            Value::Number(n) => format!("{v} === {}", number_literal(n)),
            Value::String(s) => format!("{v} === {}", ts_str(s)),
            Value::Array(_) | Value::Object(_) => {
                self.validator_runtime_imports.insert("jsonEqual");
                let text = json_text(value);
                let literal = self.constant("LIT", text.clone(), |name| {
                    format!("const {name}: unknown = JSON.parse({});", ts_str(&text))
                });
                format!("jsonEqual({v}, {literal})")
            }
        }
    }
}

/// A number as a TS literal (serde_json's spelling is valid TS; a negative one is parenthesized).
fn number_literal(n: &serde_json::Number) -> String {
    let text = n.to_string();
    if text.starts_with('-') {
        format!("({text})")
    } else {
        text
    }
}

/// Whether a JSON value of JSON type `t` can be `value`.
fn json_type_matches(t: JsonType, value: &Value) -> bool {
    match (t, value) {
        (JsonType::Null, Value::Null)
        | (JsonType::Boolean, Value::Bool(_))
        | (JsonType::Number, Value::Number(_)) => true,
        (JsonType::Integer, Value::Number(n)) => {
            n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        (JsonType::String, Value::String(_))
        | (JsonType::Array, Value::Array(_))
        | (JsonType::Object, Value::Object(_)) => true,
        _ => false,
    }
}

/// Whether `v` has JSON type `t` (or, `negated`, does not).
fn type_test(t: JsonType, v: &str, negated: bool) -> String {
    match (t, negated) {
        (JsonType::Null, false) => format!("{v} === null"),
        (JsonType::Null, true) => format!("{v} !== null"),
        (JsonType::Boolean, false) => format!("typeof {v} === \"boolean\""),
        (JsonType::Boolean, true) => format!("typeof {v} !== \"boolean\""),
        (JsonType::Integer, false) => format!("Number.isInteger({v})"),
        (JsonType::Integer, true) => format!("!Number.isInteger({v})"),
        (JsonType::Number, false) => format!("typeof {v} === \"number\""),
        (JsonType::Number, true) => format!("typeof {v} !== \"number\""),
        (JsonType::String, false) => format!("typeof {v} === \"string\""),
        (JsonType::String, true) => format!("typeof {v} !== \"string\""),
        (JsonType::Array, false) => format!("Array.isArray({v})"),
        (JsonType::Array, true) => format!("!Array.isArray({v})"),
        (JsonType::Object, false) => {
            format!("typeof {v} === \"object\" && {v} !== null && !Array.isArray({v})")
        }
        (JsonType::Object, true) => {
            format!("typeof {v} !== \"object\" || {v} === null || Array.isArray({v})")
        }
    }
}

/// Appends text written at depth 0 to `w`, each line indented to `w`'s current depth.
fn push_raw(w: &mut Writer, text: &str) {
    for line in text.lines() {
        w.line(line);
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use serde_json::json;

    use super::*;
    use crate::schema_set::{Profile, SchemaDoc};

    fn set(docs: Vec<(&str, Value)>) -> SchemaSet {
        let docs = docs
            .into_iter()
            .map(|(name, value)| SchemaDoc {
                name: name.to_owned(),
                file: PathBuf::from(format!("{name}.json")),
                value,
            })
            .collect();
        SchemaSet::new(docs, Profile::General).expect("valid test schemas")
    }

    fn emit_all(set: &SchemaSet) -> String {
        let names: Vec<String> = set.docs.keys().cloned().collect();
        let model = crate::model::compile(set, &names);
        emit(
            &model,
            set,
            TsPaths {
                validator_runtime: "./validator-runtime.js",
                formats: "./formats.js",
                types: Some("./types.js"),
            },
        )
    }

    #[test]
    fn object_checks_mirror_the_rust_order_and_paths() {
        let set = set(vec![(
            "Thing",
            json!({
                "description": "A thing.",
                "type": "object",
                "properties": {
                    "id": {"type": "string", "format": "device-key-id"},
                    "n": {"type": "integer", "minimum": 0, "maximum": 10}
                },
                "required": ["id"],
                "additionalProperties": false
            }),
        )]);
        let out = emit_all(&set);
        assert!(
            out.contains("export const TYPE_NAMES = [\"Thing\"] as const;"),
            "{out}"
        );
        assert!(
            out.contains("export function validateThing(value: unknown): Violation[] {"),
            "{out}"
        );
        assert!(
            out.contains("export function isThing(value: unknown): value is types.Thing {"),
            "{out}"
        );
        assert!(
            out.contains("out.report(\"Thing.json#/type\", \"type\", \"must be object\");"),
            "{out}"
        );
        assert!(out.contains("out.report(\"Thing.json#/required\", \"required\", \"missing required property \\\"id\\\"\");"), "{out}");
        assert!(out.contains("if (!formats.isDeviceKeyId(v"), "{out}");
        assert!(
            out.contains("\"Thing.json#/properties/n/minimum\""),
            "{out}"
        );
        assert!(out.contains("out.report(\"Thing.json#/additionalProperties\", \"additionalProperties\", \"unknown property \" + jsonString(k"), "{out}");
        assert!(
            out.contains("import * as formats from \"./formats.js\";"),
            "{out}"
        );
        assert!(
            out.contains("import type * as types from \"./types.js\";"),
            "{out}"
        );
        // Type before required before properties before additionalProperties, as in Rust.
        let at = |s: &str| out.find(s).unwrap_or_else(|| panic!("{s} missing"));
        assert!(at("Thing.json#/type") < at("Thing.json#/required"));
        assert!(at("Thing.json#/required") < at("Thing.json#/properties/id/format"));
        assert!(at("Thing.json#/properties/n/maximum") < at("Thing.json#/additionalProperties\""));
    }

    #[test]
    fn one_of_is_dispatched_or_counted() {
        let set = set(vec![
            (
                "Tagged",
                json!({
                    "type": "object",
                    "oneOf": [
                        {"type": "object", "properties": {"kind": {"const": "a"}}, "required": ["kind"]},
                        {"type": "object", "properties": {"kind": {"const": "b"}}, "required": ["kind"]}
                    ]
                }),
            ),
            (
                "Nullable",
                json!({"oneOf": [{"$ref": "Tagged.json"}, {"type": "null", "description": "none"}]}),
            ),
            (
                "Counted",
                json!({"oneOf": [{"type": "string"}, {"type": "integer"}]}),
            ),
        ]);
        let out = emit_all(&set);
        assert!(out.contains("switch (t"), "{out}");
        assert!(out.contains("case \"a\":"), "{out}");
        assert!(
            out.contains("must be an object whose \\\"kind\\\" is one of \\\"a\\\", \\\"b\\\""),
            "{out}"
        );
        // A general oneOf counts its matches.
        assert!(
            out.contains("\"must match exactly one schema in oneOf, but matched \" + String(n"),
            "{out}"
        );
        // A nullable one tests for null, and reports the other variant's own violations otherwise.
        let nullable = &out[out.find("`Nullable.json#`").expect("Nullable")..];
        let nullable = &nullable[..nullable.find("\n}\n").expect("end")];
        assert!(nullable.contains("if (v0 === null) {"), "{nullable}");
        assert!(
            nullable.contains("out.report(\"Nullable.json#/oneOf\", \"oneOf\", \"must match exactly one schema in oneOf, but matched 2\");"),
            "{nullable}"
        );
        assert!(nullable.contains("} else {\n    f"), "{nullable}");
        assert!(!nullable.contains("String(n"), "{nullable}");
    }

    #[test]
    fn literals_and_patterns_are_hoisted_once() {
        let set = set(vec![(
            "Lits",
            json!({
                "type": ["string", "array"],
                "pattern": "^a+$",
                "items": {"pattern": "^a+$", "enum": [1, [1, 2], null, "x"]},
                "const": {"a": 1}
            }),
        )]);
        let out = emit_all(&set);
        assert_eq!(
            out.matches("new RegExp(\"^a+$\", \"u\")").count(),
            1,
            "{out}"
        );
        assert!(out.contains("const LIT_"), "{out}");
        assert!(out.contains("JSON.parse(\"{\\\"a\\\":1}\")"), "{out}");
        assert!(out.contains("=== 1 ||"), "{out}");
        assert!(
            out.contains("if (!(typeof v0 === \"string\" || Array.isArray(v0))) {"),
            "{out}"
        );
    }

    #[test]
    fn unused_flavours_are_not_written() {
        // `Leaf` is reached only through a general oneOf: only its yes/no flavour is called from
        // there, but it is a root too, so both exist; `Wrap`'s variant exists only as `c`.
        let set = set(vec![(
            "Wrap",
            json!({"oneOf": [{"type": "string"}, {"type": "integer"}]}),
        )]);
        let out = emit_all(&set);
        assert!(
            out.contains("function c0_0_0(v0: unknown): boolean {"),
            "{out}"
        );
        assert!(!out.contains("function f0_0_0("), "{out}");
    }

    #[test]
    fn empty_schemas_mark_unused_parameters() {
        let set = set(vec![("Any", json!({})), ("No", json!(false))]);
        let out = emit_all(&set);
        assert!(
            out.contains("function f0(_v0: unknown, _out: Collector): void {"),
            "{out}"
        );
        assert!(
            out.contains("function f1(_v0: unknown, out: Collector): void {"),
            "{out}"
        );
        assert!(
            out.contains("function c1(_v0: unknown): boolean {\n  return false;\n}"),
            "{out}"
        );
    }
}
