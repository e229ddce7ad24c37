//! Emits Rust validators from the validation model: one generic function per model function,
//! monomorphized for the two sinks (collect every violation / stop at the first), with no
//! allocation on the valid path (instance paths live on the stack until a violation is reported).

use std::collections::{BTreeSet, HashMap};

use crate::formats::{self, FormatRule};
use crate::json::{json_text, JsonType};
use crate::messages;
use crate::model::{Checks, Items, Model, Node, NodeKind, OneOf};
use crate::schema_set::SchemaSet;
use crate::writer::{rust_str, snake_case, Writer};

/// Paths the emitted validators use to reach the generated crate's modules.
///
/// The validators name two crates directly: `serde_json` always, and `regex` (as `::regex`) when a
/// schema has a `pattern`, so the crate that includes them depends on those.
#[derive(Debug, Clone, Copy)]
pub struct RustPaths {
    /// The validator runtime module (`crate::validator_runtime`).
    pub validator_runtime: &'static str,
    /// The formats module (`crate::formats`).
    pub formats: &'static str,
}

/// The typed side of a validators module: the types module and the schema types it defines, each
/// of which gets an `impl Validate`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TypedRoots<'a> {
    /// The types module (`crate::types`).
    pub(crate) module: &'a str,
    /// The type names the types module defines as a struct or an enum.
    pub(crate) names: &'a BTreeSet<String>,
}

/// An emitted validators module.
#[derive(Debug)]
pub(crate) struct RustValidators {
    /// The module body (no header).
    pub(crate) code: String,
    /// Whether the code uses the `regex` crate (a `pattern` check).
    pub(crate) uses_regex: bool,
}

/// Emits the body of a validators module for `model` (without the file header); with `typed`,
/// also an `impl Validate` for every root that the types module defines.
pub(crate) fn emit(
    model: &Model,
    set: &SchemaSet,
    paths: RustPaths,
    typed: Option<TypedRoots<'_>>,
) -> RustValidators {
    let mut emitter = Emitter {
        paths,
        uses_regex: false,
        statics: Writer::new("    "),
        statics_count: 0,
        statics_by_init: HashMap::new(),
        aux: Vec::new(),
        aux_count: 0,
    };
    let mut body = Writer::new("    ");
    let validator_runtime = paths.validator_runtime;

    body.line(format!(
        "use {validator_runtime}::{{CollectAll, CollectUpTo, Path, Sink, StopAtFirst, Violation}};"
    ));
    body.line("use ::serde_json::Value;");
    body.line("");
    body.doc(
        "///",
        "The name of every type that has a validator, sorted.",
    );
    let names: Vec<String> = model.roots.keys().map(|n| rust_str(n)).collect();
    body.line(format!(
        "pub const TYPE_NAMES: &[&str] = &[{}];",
        names.join(", ")
    ));
    body.line("");
    body.doc("///", "A type's two validators.");
    body.line("#[derive(Debug, Clone, Copy)]");
    body.block("pub struct Validator {", "}", |w| {
        w.line("/// The type name.");
        w.line("pub type_name: &'static str,");
        w.line("/// Reports every violation.");
        w.line("pub validate: fn(&Value) -> Result<(), Vec<Violation>>,");
        w.line("/// Answers yes or no, stopping at the first violation.");
        w.line("pub is_valid: fn(&Value) -> bool,");
    });
    body.line("");
    body.doc("///", "Every type's validators, sorted by type name.");
    body.block("pub const VALIDATORS: &[Validator] = &[", "];", |w| {
        for name in model.roots.keys() {
            let snake = snake_case(name);
            w.line(format!("Validator {{ type_name: {}, validate: validate_{snake}, is_valid: is_valid_{snake} }},", rust_str(name)));
        }
    });
    body.line("");
    body.doc("///", "The validators of the type named `type_name`.");
    body.block("pub fn validator(type_name: &str) -> Option<&'static Validator> {", "}", |w| {
        w.line("VALIDATORS.binary_search_by(|v| v.type_name.cmp(type_name)).ok().map(|i| &VALIDATORS[i])");
    });
    body.line("");
    body.doc(
        "///",
        "Validates `value` as the type named `type_name`; `None` when no such type exists.",
    );
    body.block(
        "pub fn validate_by_name(type_name: &str, value: &Value) -> Option<Result<(), Vec<Violation>>> {",
        "}",
        |w| {
            w.line("validator(type_name).map(|v| (v.validate)(value))");
        },
    );
    body.line("");
    body.doc("///", "Whether `value` is a valid instance of the type named `type_name`; `None` when no such type exists.");
    body.block(
        "pub fn is_valid_by_name(type_name: &str, value: &Value) -> Option<bool> {",
        "}",
        |w| {
            w.line("validator(type_name).map(|v| (v.is_valid)(value))");
        },
    );
    body.line("");
    for (name, id) in &model.roots {
        let snake = snake_case(name);
        let summary = set
            .doc(name)
            .and_then(|d| d.value.get("description"))
            .and_then(|d| d.as_str())
            .map(|d| d.lines().next().unwrap_or_default().to_owned())
            .unwrap_or_default();
        body.doc(
            "///",
            &format!("Validates a `{name}`, reporting every violation.\n\n{summary}"),
        );
        body.block(
            format!("pub fn validate_{snake}(value: &Value) -> Result<(), Vec<Violation>> {{"),
            "}",
            |w| {
                w.line("let mut out = CollectAll::default();");
                w.line(format!("f{id}(value, &Path::Root, &mut out);"));
                w.line("out.into_result()");
            },
        );
        body.line("");
        body.doc(
            "///",
            &format!("Whether `value` is a valid `{name}` (stops at the first violation)."),
        );
        body.block(
            format!("pub fn is_valid_{snake}(value: &Value) -> bool {{"),
            "}",
            |w| {
                w.line("let mut out = StopAtFirst::default();");
                w.line(format!("f{id}(value, &Path::Root, &mut out);"));
                w.line("!out.failed()");
            },
        );
        body.line("");
        body.doc(
            "///",
            &format!("The first `limit` violations of a `{name}` (empty when valid); validation stops once it has them."),
        );
        body.block(
            format!(
                "pub fn validate_{snake}_at_most(value: &Value, limit: usize) -> Vec<Violation> {{"
            ),
            "}",
            |w| {
                w.line("let mut out = CollectUpTo::new(limit);");
                w.line(format!("f{id}(value, &Path::Root, &mut out);"));
                w.line("out.into_violations()");
            },
        );
        body.line("");
    }
    if let Some(typed) = typed {
        for name in model.roots.keys().filter(|n| typed.names.contains(*n)) {
            let snake = snake_case(name);
            body.block(
                format!(
                    "impl {validator_runtime}::Validate for {}::{name} {{",
                    typed.module
                ),
                "}",
                |w| {
                    w.line(format!(
                        "const TYPE_NAME: &'static str = {};",
                        rust_str(name)
                    ));
                    w.line("");
                    w.block(
                        "fn validate(value: &Value) -> Result<(), Vec<Violation>> {",
                        "}",
                        |w| w.line(format!("validate_{snake}(value)")),
                    );
                    w.line("");
                    w.block("fn is_valid(value: &Value) -> bool {", "}", |w| {
                        w.line(format!("is_valid_{snake}(value)"))
                    });
                    w.line("");
                    w.block(
                        "fn validate_at_most(value: &Value, limit: usize) -> Vec<Violation> {",
                        "}",
                        |w| w.line(format!("validate_{snake}_at_most(value, limit)")),
                    );
                },
            );
            body.line("");
        }
    }
    for (id, function) in model.functions.iter().enumerate() {
        emitter.function(
            &mut body,
            &format!("f{id}"),
            &function.location,
            &function.node,
        );
    }
    while let Some((name, location, node)) = emitter.aux.pop() {
        emitter.function(&mut body, &name, &location, &node);
    }
    let mut code = body.finish();
    if emitter.statics_count > 0 {
        code.push('\n');
        code.push_str(&emitter.statics.finish());
    }
    RustValidators {
        code,
        uses_regex: emitter.uses_regex,
    }
}

struct Emitter {
    paths: RustPaths,
    /// Whether a `pattern` check was emitted (it names the `regex` crate).
    uses_regex: bool,
    statics: Writer,
    statics_count: usize,
    /// Identical literals and patterns share one static.
    statics_by_init: HashMap<String, String>,
    aux: Vec<(String, String, Node)>,
    aux_count: usize,
}

impl Emitter {
    fn function(&mut self, w: &mut Writer, name: &str, location: &str, node: &Node) {
        w.doc("///", &format!("`{location}`"));
        w.line("#[allow(unused_variables, clippy::all)]");
        w.block(
            format!("fn {name}<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {{"),
            "}",
            |w| {
                self.node(w, node, 0, name);
            },
        );
        w.line("");
    }

    fn new_static(&mut self, ty: &str, init: String) -> String {
        let key = format!("{ty}={init}");
        if let Some(name) = self.statics_by_init.get(&key) {
            return name.clone();
        }
        let name = format!("STATIC_{}", self.statics_count);
        self.statics_by_init.insert(key, name.clone());
        self.statics_count += 1;
        self.statics.line(format!(
            "static {name}: ::std::sync::LazyLock<{ty}> = ::std::sync::LazyLock::new(|| {init});"
        ));
        name
    }

    /// Emits a report and, under fail-fast, the return.
    fn report(&self, w: &mut Writer, path: &str, schema_path: &str, keyword: &str, message: &str) {
        w.line(format!(
            "out.report({path}, {}, {}, || {message});",
            rust_str(schema_path),
            rust_str(keyword)
        ));
        w.line("if out.stop() { return; }");
    }

    fn static_message(text: &str) -> String {
        format!("{}.to_owned()", rust_str(text))
    }

    fn node(&mut self, w: &mut Writer, node: &Node, d: usize, fn_name: &str) {
        let (v, p) = (format!("v{d}"), format!("p{d}"));
        match &node.kind {
            NodeKind::Anything => {}
            NodeKind::Nothing => {
                self.report(
                    w,
                    &p,
                    &node.schema_path,
                    "false",
                    &Self::static_message(&messages::nothing_allowed()),
                );
            }
            NodeKind::Ref(id) => {
                w.line(format!("f{id}({v}, {p}, out);"));
                w.line("if out.stop() { return; }");
            }
            NodeKind::Checks(checks) => self.checks(w, checks, &node.schema_path, d, fn_name),
        }
    }

    fn checks(&mut self, w: &mut Writer, c: &Checks, at: &str, d: usize, fn_name: &str) {
        let (v, p) = (format!("v{d}"), format!("p{d}"));
        let sp = |keyword: &str| format!("{at}/{keyword}");
        let validator_runtime = self.paths.validator_runtime;
        if let Some(types) = &c.types {
            let tests: Vec<String> = types
                .iter()
                .map(|t| match t {
                    JsonType::Null => format!("{v}.is_null()"),
                    JsonType::Boolean => format!("{v}.is_boolean()"),
                    JsonType::Integer => {
                        format!("{v}.as_number().is_some_and({validator_runtime}::is_integer)")
                    }
                    JsonType::Number => format!("{v}.is_number()"),
                    JsonType::String => format!("{v}.is_string()"),
                    JsonType::Array => format!("{v}.is_array()"),
                    JsonType::Object => format!("{v}.is_object()"),
                })
                .collect();
            w.block(format!("if !({}) {{", tests.join(" || ")), "}", |w| {
                self.report(
                    w,
                    &p,
                    &sp("type"),
                    "type",
                    &Self::static_message(&messages::type_mismatch(types)),
                );
            });
        }
        if let Some(values) = &c.enum_values {
            let message = Self::static_message(&messages::enum_mismatch(values));
            let test = if values.iter().all(|x| x.is_string()) {
                let alts: Vec<String> = values
                    .iter()
                    .filter_map(|x| x.as_str())
                    .map(rust_str)
                    .collect();
                format!("!matches!({v}.as_str(), Some({}))", alts.join(" | "))
            } else {
                let statics: Vec<String> = values
                    .iter()
                    .map(|x| self.new_static("Value", format!("::serde_json::from_str({}).expect(\"literal checked by the generator\")", rust_str(&json_text(x)))))
                    .collect();
                let alts: Vec<String> = statics
                    .iter()
                    .map(|s| format!("{validator_runtime}::json_equal({v}, &{s})"))
                    .collect();
                format!("!({})", alts.join(" || "))
            };
            w.block(format!("if {test} {{"), "}", |w| {
                self.report(w, &p, &sp("enum"), "enum", &message)
            });
        }
        if let Some(value) = &c.const_value {
            let message = Self::static_message(&messages::const_mismatch(value));
            let test = match value.as_str() {
                Some(s) => format!("{v}.as_str() != Some({})", rust_str(s)),
                None => {
                    let s = self.new_static("Value", format!("::serde_json::from_str({}).expect(\"literal checked by the generator\")", rust_str(&json_text(value))));
                    format!("!{validator_runtime}::json_equal({v}, &{s})")
                }
            };
            w.block(format!("if {test} {{"), "}", |w| {
                self.report(w, &p, &sp("const"), "const", &message)
            });
        }
        if c.min_length.is_some()
            || c.max_length.is_some()
            || c.pattern.is_some()
            || matches!(c.format, Some(f) if f.applies_to == JsonType::String)
        {
            w.block(format!("if let Some(s) = {v}.as_str() {{"), "}", |w| {
                if let Some(n) = c.min_length {
                    w.block(
                        format!("if !{validator_runtime}::has_min_chars(s, {n}) {{"),
                        "}",
                        |w| {
                            self.report(
                                w,
                                &p,
                                &sp("minLength"),
                                "minLength",
                                &Self::static_message(&messages::min_length(n)),
                            );
                        },
                    );
                }
                if let Some(n) = c.max_length {
                    w.block(
                        format!("if !{validator_runtime}::has_max_chars(s, {n}) {{"),
                        "}",
                        |w| {
                            self.report(
                                w,
                                &p,
                                &sp("maxLength"),
                                "maxLength",
                                &Self::static_message(&messages::max_length(n)),
                            );
                        },
                    );
                }
                if let Some(pattern) = &c.pattern {
                    self.uses_regex = true;
                    let re = self.new_static(
                        "::regex::Regex",
                        format!(
                            "::regex::Regex::new({}).expect(\"pattern checked by the generator\")",
                            rust_str(&pattern.rust)
                        ),
                    );
                    w.block(format!("if !{re}.is_match(s) {{"), "}", |w| {
                        self.report(
                            w,
                            &p,
                            &sp("pattern"),
                            "pattern",
                            &Self::static_message(&messages::pattern(&pattern.source)),
                        );
                    });
                }
                if let Some(format) = c.format.filter(|f| f.applies_to == JsonType::String) {
                    w.block(
                        format!(
                            "if !{}::is_{}(s) {{",
                            self.paths.formats,
                            formats::snake_name(format)
                        ),
                        "}",
                        |w| {
                            self.report(
                                w,
                                &p,
                                &sp("format"),
                                "format",
                                &Self::static_message(&messages::format(format)),
                            );
                        },
                    );
                }
            });
        }
        if c.minimum.is_some()
            || c.maximum.is_some()
            || matches!(c.format, Some(f) if f.applies_to != JsonType::String)
        {
            w.block(format!("if let Some(n) = {v}.as_number() {{"), "}", |w| {
                for (limit, keyword, bad) in [(&c.minimum, "minimum", "Less"), (&c.maximum, "maximum", "Greater")] {
                    let Some(limit) = limit else { continue };
                    let literal = match (limit.as_i64(), limit.as_u64()) {
                        (Some(i), _) => format!("::serde_json::Number::from({i}i64)"),
                        (_, Some(u)) => format!("::serde_json::Number::from({u}u64)"),
                        _ => format!("::serde_json::Number::from_f64({:?}f64).expect(\"finite\")", limit.as_f64().unwrap_or(0.0)),
                    };
                    let message = if keyword == "minimum" { messages::minimum(limit) } else { messages::maximum(limit) };
                    w.block(format!("if {validator_runtime}::compare_numbers(n, &{literal}) == Some(::std::cmp::Ordering::{bad}) {{"), "}", |w| {
                        self.report(w, &p, &sp(keyword), keyword, &Self::static_message(&message));
                    });
                }
                if let Some(format) = c.format.filter(|f| f.applies_to != JsonType::String) {
                    debug_assert_eq!(format.rule, FormatRule::Int64);
                    w.block(format!("if !{}::is_{}(n) {{", self.paths.formats, formats::snake_name(format)), "}", |w| {
                        self.report(w, &p, &sp("format"), "format", &Self::static_message(&messages::format(format)));
                    });
                }
            });
        }
        if c.items.is_some() || c.min_items.is_some() || c.max_items.is_some() || c.unique_items {
            w.block(
                format!("if let Some(items) = {v}.as_array() {{"),
                "}",
                |w| {
                    if let Some(n) = c.min_items {
                        w.block(format!("if items.len() < {n} {{"), "}", |w| {
                            self.report(
                                w,
                                &p,
                                &sp("minItems"),
                                "minItems",
                                &Self::static_message(&messages::min_items(n)),
                            );
                        });
                    }
                    if let Some(n) = c.max_items {
                        w.block(format!("if items.len() > {n} {{"), "}", |w| {
                            self.report(
                                w,
                                &p,
                                &sp("maxItems"),
                                "maxItems",
                                &Self::static_message(&messages::max_items(n)),
                            );
                        });
                    }
                    if c.unique_items {
                        w.block(
                            format!("if !{validator_runtime}::all_unique(items) {{"),
                            "}",
                            |w| {
                                self.report(
                                    w,
                                    &p,
                                    &sp("uniqueItems"),
                                    "uniqueItems",
                                    &Self::static_message(&messages::unique_items()),
                                );
                            },
                        );
                    }
                    let next = d + 1;
                    match &c.items {
                        None => {}
                        Some(Items::All(node)) if matches!(node.kind, NodeKind::Anything) => {}
                        Some(Items::All(node)) => {
                            w.block(
                                format!("for (i, v{next}) in items.iter().enumerate() {{"),
                                "}",
                                |w| {
                                    w.line(format!("let p{next} = &Path::Index({p}, i);"));
                                    self.node(w, node, next, fn_name);
                                },
                            );
                        }
                        Some(Items::Tuple(nodes)) => {
                            for (i, node) in nodes.iter().enumerate() {
                                if matches!(node.kind, NodeKind::Anything) {
                                    continue;
                                }
                                w.block(
                                    format!("if let Some(v{next}) = items.get({i}) {{"),
                                    "}",
                                    |w| {
                                        w.line(format!("let p{next} = &Path::Index({p}, {i});"));
                                        self.node(w, node, next, fn_name);
                                    },
                                );
                            }
                        }
                    }
                },
            );
        }
        if !c.required.is_empty() || !c.properties.is_empty() || c.additional_properties.is_some() {
            w.block(
                format!("if let Some(map) = {v}.as_object() {{"),
                "}",
                |w| match &c.additional_properties {
                    Some(additional) => self.object_single_pass(w, c, additional, d, fn_name, at),
                    None => self.object_lookups(w, c, d, fn_name, at),
                },
            );
        }
        if let Some(one_of) = &c.one_of {
            self.one_of(w, one_of, &sp("oneOf"), d, fn_name);
        }
    }

    fn report_required(&self, w: &mut Writer, p: &str, at: &str, name: &str) {
        self.report(
            w,
            p,
            &format!("{at}/required"),
            "required",
            &Self::static_message(&messages::required(name)),
        );
    }

    /// Objects without `additionalProperties`: look each declared property up.
    fn object_lookups(&mut self, w: &mut Writer, c: &Checks, d: usize, fn_name: &str, at: &str) {
        let p = format!("p{d}");
        for name in &c.required {
            w.block(
                format!("if !map.contains_key({}) {{", rust_str(name)),
                "}",
                |w| self.report_required(w, &p, at, name),
            );
        }
        let next = d + 1;
        for (name, node) in &c.properties {
            if matches!(node.kind, NodeKind::Anything) {
                continue;
            }
            w.block(
                format!("if let Some(v{next}) = map.get({}) {{", rust_str(name)),
                "}",
                |w| {
                    w.line(format!(
                        "let p{next} = &Path::Key({p}, {});",
                        rust_str(name)
                    ));
                    self.node(w, node, next, fn_name);
                },
            );
        }
    }

    /// Objects with `additionalProperties`: one pass over the members, dispatching each on its
    /// name, with a bit per required property (up to 64; more are looked up first).
    fn object_single_pass(
        &mut self,
        w: &mut Writer,
        c: &Checks,
        additional: &Node,
        d: usize,
        fn_name: &str,
        at: &str,
    ) {
        let validator_runtime = self.paths.validator_runtime;
        let p = format!("p{d}");
        let next = d + 1;
        let tracked: Vec<&String> = if c.required.len() <= 64 {
            c.required.iter().collect()
        } else {
            Vec::new()
        };
        if tracked.is_empty() {
            for name in &c.required {
                w.block(
                    format!("if !map.contains_key({}) {{", rust_str(name)),
                    "}",
                    |w| self.report_required(w, &p, at, name),
                );
            }
        } else {
            w.line("let mut seen = 0u64;");
        }
        let bit = |name: &str| tracked.iter().position(|r| r.as_str() == name);
        let mut arms: Vec<(String, Option<&Node>)> = c
            .properties
            .iter()
            .map(|(n, node)| (n.clone(), Some(node)))
            .collect();
        for name in &tracked {
            if !arms.iter().any(|(n, _)| n == *name) {
                arms.push(((*name).clone(), None));
            }
        }
        w.block(format!("for (key, v{next}) in map {{"), "}", |w| {
            w.line(format!("let p{next} = &Path::Key({p}, key);"));
            w.block("match key.as_str() {", "}", |w| {
                for (name, node) in &arms {
                    w.block(format!("{} => {{", rust_str(name)), "}", |w| {
                        if let Some(i) = bit(name) {
                            w.line(format!("seen |= 1 << {i};"));
                        }
                        match node {
                            Some(node) => self.node(w, node, next, fn_name),
                            // Required but not declared: still an additional property.
                            None => {
                                self.additional(w, additional, next, fn_name, validator_runtime)
                            }
                        }
                    });
                }
                w.block("_ => {", "}", |w| {
                    self.additional(w, additional, next, fn_name, validator_runtime)
                });
            });
        });
        if !tracked.is_empty() {
            let full = if tracked.len() == 64 {
                "u64::MAX".to_owned()
            } else {
                format!("{}u64", (1u64 << tracked.len()) - 1)
            };
            w.block(format!("if seen != {full} {{"), "}", |w| {
                for (i, name) in tracked.iter().enumerate() {
                    w.block(format!("if seen & (1 << {i}) == 0 {{"), "}", |w| {
                        self.report_required(w, &p, at, name)
                    });
                }
            });
        }
    }

    fn additional(
        &mut self,
        w: &mut Writer,
        additional: &Node,
        next: usize,
        fn_name: &str,
        validator_runtime: &str,
    ) {
        if matches!(additional.kind, NodeKind::Nothing) {
            let message = format!(
                "format!(\"{{}}{{}}\", {}, {validator_runtime}::json_string(key))",
                rust_str(messages::UNKNOWN_PROPERTY_PREFIX)
            );
            self.report(
                w,
                &format!("p{next}"),
                &additional.schema_path,
                "additionalProperties",
                &message,
            );
        } else {
            self.node(w, additional, next, fn_name);
        }
    }

    fn one_of(&mut self, w: &mut Writer, one_of: &OneOf, at: &str, d: usize, fn_name: &str) {
        let (v, p) = (format!("v{d}"), format!("p{d}"));
        let group = self.aux_count;
        self.aux_count += 1;
        let names: Vec<String> = (0..one_of.variants.len())
            .map(|i| format!("{fn_name}_{group}_{i}"))
            .collect();
        for (i, (name, variant)) in names.iter().zip(&one_of.variants).enumerate() {
            // A nullable oneOf never calls its null variant's function (the value is tested for
            // `null` directly): leave it out, or it would be dead code.
            if one_of.discriminator.is_none() && one_of.nullable.is_some_and(|other| other != i) {
                continue;
            }
            self.aux
                .push((name.clone(), variant.schema_path.clone(), variant.clone()));
        }
        match &one_of.discriminator {
            Some(disc) => {
                let message =
                    Self::static_message(&messages::discriminator(&disc.property, &disc.values));
                w.block(
                    format!(
                        "match {v}.as_object().and_then(|m| m.get({})).and_then(Value::as_str) {{",
                        rust_str(&disc.property)
                    ),
                    "}",
                    |w| {
                        for (value, name) in disc.values.iter().zip(&names) {
                            w.block(format!("Some({}) => {{", rust_str(value)), "}", |w| {
                                w.line(format!("{name}({v}, {p}, out);"));
                                w.line("if out.stop() { return; }");
                            });
                        }
                        w.block("_ => {", "}", |w| self.report(w, &p, at, "oneOf", &message));
                    },
                );
            }
            None if one_of.nullable.is_some() => {
                let other = &names[one_of.nullable.unwrap_or_default()];
                let message = Self::static_message(&format!("{}2", messages::ONE_OF_PREFIX));
                w.if_else(
                    format!("if {v}.is_null() {{"),
                    // `null` matches the null variant: it fails only if the other one accepts it too.
                    |w| {
                        w.line(format!(
                            "let mut sub = StopAtFirst::default(); {other}({v}, {p}, &mut sub);"
                        ));
                        w.block("if !sub.failed() {", "}", |w| {
                            self.report(w, &p, at, "oneOf", &message)
                        });
                    },
                    // Anything else must match the other variant, and its violations say why not.
                    |w| {
                        w.line(format!("{other}({v}, {p}, out);"));
                        w.line("if out.stop() { return; }");
                    },
                );
            }
            None => {
                w.block("{", "}", |w| {
                    w.line("let mut matched = 0usize;");
                    for name in &names {
                        w.line(format!("let mut sub = StopAtFirst::default(); {name}({v}, {p}, &mut sub); if !sub.failed() {{ matched += 1; }}"));
                    }
                    w.block("if matched != 1 {", "}", |w| {
                        let message = format!("format!(\"{{}}{{}}\", {}, matched)", rust_str(messages::ONE_OF_PREFIX));
                        self.report(w, &p, at, "oneOf", &message);
                    });
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use serde_json::json;

    use crate::schema_set::{Profile, SchemaDoc, SchemaSet};

    #[test]
    fn a_nullable_one_of_tests_for_null_and_reports_the_other_variant() {
        let doc = SchemaDoc {
            name: "Nullable".to_owned(),
            file: PathBuf::from("Nullable.json"),
            value: json!({"oneOf": [{"type": "null"}, {"enum": ["a", "b"]}]}),
        };
        let set = SchemaSet::new(vec![doc], Profile::General).expect("valid test schema");
        let model = crate::model::compile(&set, &["Nullable".to_owned()]);
        let paths = super::RustPaths {
            validator_runtime: "crate::validator_runtime",
            formats: "crate::formats",
        };
        let code = super::emit(&model, &set, paths, None).code;
        assert!(code.contains("if v0.is_null() {"), "{code}");
        assert!(code.contains("f0_0_1(v0, p0, &mut sub);"), "{code}");
        assert!(
            code.contains("\"must match exactly one schema in oneOf, but matched 2\".to_owned()"),
            "{code}"
        );
        assert!(
            code.contains("} else {\n        f0_0_1(v0, p0, out);"),
            "{code}"
        );
        // The null variant's own function is never called, so it is not emitted.
        assert!(!code.contains("fn f0_0_0"), "{code}");
        assert!(code.contains("fn f0_0_1"), "{code}");
    }
}
