//! Prints the check plan as Rust validators: one generic function per plan function,
//! monomorphized for the sinks (collect every violation, collect up to a limit, stop at the
//! first), with no allocation on the valid path (instance paths live on the stack until a
//! violation is reported), except that `propertyNames` hands each member's name to its schema as
//! a `Value` string.
//!
//! The plan decides what is checked and in which order; this module decides only how Rust says
//! it. Objects with `additionalProperties` are checked in one pass over their members (a
//! `serde_json` map iterates in code-point order of the names, the plan's order, unless serde_json's
//! `preserve_order` feature is on, which keeps the document's order instead), with a bit per
//! required property; objects without it look each declared property up, in the plan's order.
//! Objects with `patternProperties` are checked in one pass too, each member tried against its
//! declared property and every pattern. The subschemas that are only asked yes or no (`oneOf`,
//! `anyOf`, `not`, `if`, `contains`) run with a `StopAtFirst` sink of their own.

use std::collections::{BTreeSet, HashMap};

use crate::code::{code, Bytes, Code, CodeWriter, Float, Ident, Num, Rust, Str};
use crate::formats::{self, FormatRule};
use crate::json::{json_text, JsonType};
use crate::messages;
use crate::plan::{
    Additional, ArrayStep, DependencyKind, FnId, Function, Message, NumberTest, ObjectSteps,
    OneOfStep, Plan, Report, Step, StringTest,
};
use crate::schema_set::SchemaSet;
use crate::writer::snake_case;

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
    pub(crate) module: &'static str,
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

type W = CodeWriter<Rust>;

/// `prefix` followed by a number, as an identifier (`v0`, `p3`).
fn var(prefix: &str, n: usize) -> Ident {
    Ident::from_name(&format!("{prefix}{n}"))
}

/// Emits the body of a validators module for `plan` (without the file header); with `typed`,
/// also an `impl Validate` for every root that the types module defines.
pub(crate) fn emit(
    plan: &Plan,
    set: &SchemaSet,
    paths: RustPaths,
    typed: Option<TypedRoots<'_>>,
) -> RustValidators {
    let runtime: Code<Rust> = Code::raw(paths.validator_runtime);
    let mut emitter = Emitter {
        plan,
        runtime: runtime.clone(),
        formats: Code::raw(paths.formats),
        uses_regex: false,
        statics: W::new(),
        statics_by_init: HashMap::new(),
    };
    let mut body = W::new();

    if plan.roots.is_empty() {
        // No validator: the lookups by name (which always answer `None`) use only `Violation`.
        body.line(code!("use {}::Violation;", runtime));
    } else {
        body.line(code!(
            "use {}::{{CollectAll, CollectUpTo, Path, Sink, StopAtFirst, Violation}};",
            runtime
        ));
    }
    body.line(code!("use ::serde_json::Value;"));
    body.blank();
    body.doc("The name of every type that has a validator, sorted.");
    let names = Code::join(plan.roots.keys().map(|n| code!("{}", Str(n))), ", ");
    body.line(code!("pub const TYPE_NAMES: &[&str] = &[{}];", names));
    body.blank();
    body.doc("A type's two validators.");
    body.line(code!("#[derive(Debug, Clone, Copy)]"));
    body.braces(code!("pub struct Validator {{"), |w| {
        w.line(code!("/// The type name."));
        w.line(code!("pub type_name: &'static str,"));
        w.line(code!("/// Reports every violation."));
        w.line(code!(
            "pub validate: fn(&Value) -> Result<(), Vec<Violation>>,"
        ));
        w.line(code!(
            "/// Answers yes or no, stopping at the first violation."
        ));
        w.line(code!("pub is_valid: fn(&Value) -> bool,"));
    });
    body.blank();
    body.doc("Every type's validators, sorted by type name.");
    body.block(
        code!("pub const VALIDATORS: &[Validator] = &["),
        code!("];"),
        |w| {
            for name in plan.roots.keys() {
                let snake = snake_case(name);
                w.line(code!(
                    "Validator {{ type_name: {}, validate: {}, is_valid: {} }},",
                    Str(name),
                    Ident::from_name(&format!("validate_{snake}")),
                    Ident::from_name(&format!("is_valid_{snake}"))
                ));
            }
        },
    );
    body.blank();
    body.doc("The validators of the type named `type_name`.");
    body.braces(
        code!("pub fn validator(type_name: &str) -> Option<&'static Validator> {{"),
        |w| {
            w.line(code!("VALIDATORS.binary_search_by(|v| v.type_name.cmp(type_name)).ok().map(|i| &VALIDATORS[i])"));
        },
    );
    body.blank();
    body.doc("Validates `value` as the type named `type_name`; `None` when no such type exists.");
    body.braces(
        code!("pub fn validate_by_name(type_name: &str, value: &Value) -> Option<Result<(), Vec<Violation>>> {{"),
        |w| w.line(code!("validator(type_name).map(|v| (v.validate)(value))")),
    );
    body.blank();
    body.doc("Whether `value` is a valid instance of the type named `type_name`; `None` when no such type exists.");
    body.braces(
        code!("pub fn is_valid_by_name(type_name: &str, value: &Value) -> Option<bool> {{"),
        |w| w.line(code!("validator(type_name).map(|v| (v.is_valid)(value))")),
    );
    body.blank();
    for (name, id) in &plan.roots {
        let snake = snake_case(name);
        let root = Ident::from_name(&format!("f{}", plan.functions[*id].name));
        let summary = set
            .doc(name)
            .and_then(|d| d.value.get("description"))
            .and_then(|d| d.as_str())
            .map(|d| d.lines().next().unwrap_or_default().to_owned())
            .unwrap_or_default();
        body.doc(&format!(
            "Validates a `{name}`, reporting every violation.\n\n{summary}"
        ));
        body.braces(
            code!(
                "pub fn {}(value: &Value) -> Result<(), Vec<Violation>> {{",
                Ident::from_name(&format!("validate_{snake}"))
            ),
            |w| {
                w.line(code!("let mut out = CollectAll::default();"));
                w.line(code!("{}(value, &Path::Root, &mut out);", root));
                w.line(code!("out.into_result()"));
            },
        );
        body.blank();
        body.doc(&format!(
            "Whether `value` is a valid `{name}` (stops at the first violation)."
        ));
        body.braces(
            code!(
                "pub fn {}(value: &Value) -> bool {{",
                Ident::from_name(&format!("is_valid_{snake}"))
            ),
            |w| {
                w.line(code!("let mut out = StopAtFirst::default();"));
                w.line(code!("{}(value, &Path::Root, &mut out);", root));
                w.line(code!("!out.failed()"));
            },
        );
        body.blank();
        body.doc(&format!(
            "The first `limit` violations of a `{name}` (empty when valid); validation stops once it has them."
        ));
        body.braces(
            code!(
                "pub fn {}(value: &Value, limit: usize) -> Vec<Violation> {{",
                Ident::from_name(&format!("validate_{snake}_at_most"))
            ),
            |w| {
                w.line(code!("let mut out = CollectUpTo::new(limit);"));
                w.line(code!("{}(value, &Path::Root, &mut out);", root));
                w.line(code!("out.into_violations()"));
            },
        );
        body.blank();
    }
    if let Some(typed) = typed {
        for name in plan.roots.keys().filter(|n| typed.names.contains(*n)) {
            let snake = snake_case(name);
            body.braces(
                code!(
                    "impl {}::Validate for {}::{} {{",
                    runtime,
                    Code::<Rust>::raw(typed.module),
                    Ident::from_name(name)
                ),
                |w| {
                    w.line(code!("const TYPE_NAME: &'static str = {};", Str(name)));
                    w.blank();
                    w.braces(
                        code!("fn validate(value: &Value) -> Result<(), Vec<Violation>> {{"),
                        |w| {
                            w.line(code!(
                                "{}(value)",
                                Ident::from_name(&format!("validate_{snake}"))
                            ))
                        },
                    );
                    w.blank();
                    w.braces(code!("fn is_valid(value: &Value) -> bool {{"), |w| {
                        w.line(code!(
                            "{}(value)",
                            Ident::from_name(&format!("is_valid_{snake}"))
                        ))
                    });
                    w.blank();
                    w.braces(
                        code!(
                            "fn validate_at_most(value: &Value, limit: usize) -> Vec<Violation> {{"
                        ),
                        |w| {
                            w.line(code!(
                                "{}(value, limit)",
                                Ident::from_name(&format!("validate_{snake}_at_most"))
                            ))
                        },
                    );
                },
            );
            body.blank();
        }
    }
    for id in plan.printing_order() {
        emitter.function(&mut body, &plan.functions[id]);
    }
    let mut code = body.finish();
    if !emitter.statics.is_empty() {
        code.push('\n');
        code.push_str(&emitter.statics.finish());
    }
    RustValidators {
        code,
        uses_regex: emitter.uses_regex,
    }
}

struct Emitter<'p> {
    plan: &'p Plan,
    runtime: Code<Rust>,
    formats: Code<Rust>,
    /// Whether a `pattern` check was emitted (it names the `regex` crate).
    uses_regex: bool,
    statics: W,
    /// Identical literals and patterns share one static.
    statics_by_init: HashMap<Code<Rust>, Ident>,
}

/// The value a nested step checks: its variable and its instance path's variable, at a depth.
#[derive(Clone)]
struct At {
    v: Ident,
    p: Ident,
    depth: usize,
}

impl At {
    fn root() -> Self {
        At::depth(0)
    }

    fn depth(depth: usize) -> Self {
        At {
            v: var("v", depth),
            p: var("p", depth),
            depth,
        }
    }

    fn next(&self) -> Self {
        At::depth(self.depth + 1)
    }
}

impl Emitter<'_> {
    fn function(&mut self, w: &mut W, function: &Function) {
        w.doc(&format!("`{}`", function.location));
        w.line(code!("#[allow(unused_variables, clippy::all)]"));
        w.braces(
            code!(
                "fn {}<S: Sink>(v0: &Value, p0: &Path<'_>, out: &mut S) {{",
                self.fn_name(function)
            ),
            |w| self.steps(w, &function.steps, &At::root()),
        );
        w.blank();
    }

    fn fn_name(&self, function: &Function) -> Ident {
        Ident::from_name(&format!("f{}", function.name))
    }

    fn callee(&self, id: usize) -> Ident {
        self.fn_name(&self.plan.functions[id])
    }

    fn new_static(&mut self, ty: Code<Rust>, init: Code<Rust>) -> Ident {
        let key = code!("{}={}", ty, init);
        if let Some(name) = self.statics_by_init.get(&key) {
            return name.clone();
        }
        let name = var("STATIC_", self.statics_by_init.len());
        self.statics_by_init.insert(key, name.clone());
        self.statics.line(code!(
            "static {}: ::std::sync::LazyLock<{}> = ::std::sync::LazyLock::new(|| {});",
            name,
            ty,
            init
        ));
        name
    }

    fn json_static(&mut self, value: &serde_json::Value) -> Ident {
        let init = code!(
            "::serde_json::from_str({}).expect(\"literal checked by the generator\")",
            Str(&json_text(value))
        );
        self.new_static(code!("Value"), init)
    }

    /// Writes a report of `report` at instance path `p` and, under fail-fast, the return; a
    /// message that needs the instance takes it from `arg` (the member's name, the match count).
    fn report(&self, w: &mut W, p: &Ident, report: &Report, arg: Option<&Ident>) {
        let message: Code<Rust> = match (&report.message, arg) {
            (Message::Text(text), _) => code!("{}.to_owned()", Str(text)),
            (Message::UnknownProperty, Some(key)) => code!(
                "format!(\"{{}}{{}}\", {}, {}::json_string({}))",
                Str(messages::UNKNOWN_PROPERTY_PREFIX),
                self.runtime,
                key
            ),
            (Message::MatchedCount, Some(count)) => code!(
                "format!(\"{{}}{{}}\", {}, {})",
                Str(messages::ONE_OF_PREFIX),
                count
            ),
            (Message::UnknownProperty, None) => {
                code!("{}.to_owned()", Str(messages::UNKNOWN_PROPERTY_PREFIX))
            }
            (Message::MatchedCount, None) => code!("{}.to_owned()", Str(messages::ONE_OF_PREFIX)),
        };
        w.line(code!(
            "out.report({}, {}, {}, || {});",
            p,
            Str(&report.schema_path),
            Str(report.keyword),
            message
        ));
        w.line(code!("if out.stop() {{ return; }}"));
    }

    fn steps(&mut self, w: &mut W, steps: &[Step], at: &At) {
        for step in steps {
            self.step(w, step, at);
        }
    }

    fn step(&mut self, w: &mut W, step: &Step, at: &At) {
        let (v, p) = (&at.v, &at.p);
        let runtime = self.runtime.clone();
        match step {
            Step::Fail(report) => self.report(w, p, report, None),
            Step::Call(id) => {
                w.line(code!("{}({}, {}, out);", self.callee(*id), v, p));
                w.line(code!("if out.stop() {{ return; }}"));
            }
            Step::Type(types, report) if types.is_empty() => self.report(w, p, report, None),
            Step::Type(types, report) => {
                let tests = Code::join(
                    types.iter().map(|t| match t {
                        JsonType::Null => code!("{}.is_null()", v),
                        JsonType::Boolean => code!("{}.is_boolean()", v),
                        JsonType::Integer => {
                            code!("{}.as_number().is_some_and({}::is_integer)", v, runtime)
                        }
                        JsonType::Number => code!("{}.is_number()", v),
                        JsonType::String => code!("{}.is_string()", v),
                        JsonType::Array => code!("{}.is_array()", v),
                        JsonType::Object => code!("{}.is_object()", v),
                    }),
                    " || ",
                );
                w.braces(code!("if !({}) {{", tests), |w| {
                    self.report(w, p, report, None)
                });
            }
            Step::Enum(values, report) => {
                let test = if values.iter().all(|x| x.is_string()) {
                    let alternatives = Code::join(
                        values
                            .iter()
                            .filter_map(|x| x.as_str())
                            .map(|s| code!("{}", Str(s))),
                        " | ",
                    );
                    code!("!matches!({}.as_str(), Some({}))", v, alternatives)
                } else {
                    let tests: Vec<Code<Rust>> = values
                        .iter()
                        .map(|x| {
                            let literal = self.json_static(x);
                            code!("{}::json_equal({}, &{})", runtime, v, literal)
                        })
                        .collect();
                    code!("!({})", Code::join(tests, " || "))
                };
                w.braces(code!("if {} {{", test), |w| self.report(w, p, report, None));
            }
            Step::Const(value, report) => {
                let test = match value.as_str() {
                    Some(s) => code!("{}.as_str() != Some({})", v, Str(s)),
                    None => {
                        let literal = self.json_static(value);
                        code!("!{}::json_equal({}, &{})", runtime, v, literal)
                    }
                };
                w.braces(code!("if {} {{", test), |w| self.report(w, p, report, None));
            }
            Step::String(tests) => {
                w.braces(code!("if let Some(s) = {}.as_str() {{", v), |w| {
                    for (test, report) in tests {
                        let test = self.string_test(test);
                        w.braces(code!("if !{} {{", test), |w| {
                            self.report(w, p, report, None)
                        });
                    }
                });
            }
            Step::Number(tests) => {
                w.braces(code!("if let Some(n) = {}.as_number() {{", v), |w| {
                    let exact = code!("{}::is_exact(n)", runtime);
                    let (tests, exact_report) = match tests.split_first() {
                        Some(((NumberTest::Exact, report), rest)) => (rest, Some(report)),
                        _ => (tests.as_slice(), None),
                    };
                    if let Some(report) = exact_report {
                        w.braces(code!("if !{} {{", exact), |w| {
                            self.report(w, p, report, None)
                        });
                    }
                    let rest = |w: &mut W| {
                        for (test, report) in tests {
                            let test = match test {
                                NumberTest::Exact => code!("!{}", exact.clone()),
                                NumberTest::Minimum(limit) => code!(
                                    "{}::compare_numbers(n, &{}) == Some(::std::cmp::Ordering::Less)",
                                    runtime,
                                    Num(limit)
                                ),
                                NumberTest::Maximum(limit) => code!(
                                    "{}::compare_numbers(n, &{}) == Some(::std::cmp::Ordering::Greater)",
                                    runtime,
                                    Num(limit)
                                ),
                                NumberTest::ExclusiveMinimum(limit) => code!(
                                    "{}::compare_numbers(n, &{}) != Some(::std::cmp::Ordering::Greater)",
                                    runtime,
                                    Num(limit)
                                ),
                                NumberTest::ExclusiveMaximum(limit) => code!(
                                    "{}::compare_numbers(n, &{}) != Some(::std::cmp::Ordering::Less)",
                                    runtime,
                                    Num(limit)
                                ),
                                // The quotient in binary64, as the TypeScript validators compute it.
                                NumberTest::MultipleOf(factor) => code!(
                                    "{{ let q = n.as_f64().unwrap_or(f64::NAN) / {}; !(q.is_finite() && (q - q.round()).abs() <= f64::EPSILON * q.abs().max(1.0)) }}",
                                    Float(*factor)
                                ),
                                NumberTest::Format(format) => {
                                    debug_assert_eq!(format.rule, FormatRule::Int64);
                                    code!("!{}", self.format_call(format, "n"))
                                }
                            };
                            w.braces(code!("if {} {{", test), |w| {
                                self.report(w, p, report, None)
                            });
                        }
                    };
                    match (tests.is_empty(), exact_report.is_some()) {
                        (true, _) => {}
                        (false, true) => w.braces(code!("else {{"), rest),
                        (false, false) => rest(w),
                    }
                });
            }
            Step::Array(steps) => {
                w.braces(code!("if let Some(items) = {}.as_array() {{", v), |w| {
                    for step in steps {
                        self.array_step(w, step, at);
                    }
                });
            }
            Step::Object(object) => {
                w.braces(code!("if let Some(map) = {}.as_object() {{", v), |w| {
                    self.object_counts(w, object, at);
                    match &object.additional {
                        _ if !object.patterns.is_empty() => self.object_patterns(w, object, at),
                        Some(additional) => self.object_single_pass(w, object, additional, at),
                        None => self.object_lookups(w, object, at),
                    }
                    self.object_dependencies(w, object, at);
                });
            }
            Step::OneOf(one_of) => self.one_of(w, one_of, at),
            Step::AnyOf(variants, report) => {
                w.braces(code!("{{"), |w| {
                    w.line(code!("let mut any = false;"));
                    for id in variants {
                        w.braces(code!("if !any {{"), |w| {
                            w.line(code!(
                                "let mut sub = StopAtFirst::default(); {}({}, {}, &mut sub); any = !sub.failed();",
                                self.callee(*id),
                                v,
                                p
                            ));
                        });
                    }
                    w.braces(code!("if !any {{"), |w| {
                        self.report(w, p, report, None)
                    });
                });
            }
            Step::Not(id, report) => {
                w.braces(code!("{{"), |w| {
                    w.line(code!(
                        "let mut sub = StopAtFirst::default(); {}({}, {}, &mut sub);",
                        self.callee(*id),
                        v,
                        p
                    ));
                    w.braces(code!("if !sub.failed() {{"), |w| {
                        self.report(w, p, report, None)
                    });
                });
            }
            Step::IfThenElse {
                test,
                then,
                otherwise,
            } => {
                w.braces(code!("{{"), |w| {
                    w.line(code!(
                        "let mut sub = StopAtFirst::default(); {}({}, {}, &mut sub);",
                        self.callee(*test),
                        v,
                        p
                    ));
                    let call = |e: &Self, w: &mut W, id: FnId| {
                        w.line(code!("{}({}, {}, out);", e.callee(id), v, p));
                        w.line(code!("if out.stop() {{ return; }}"));
                    };
                    match (then, otherwise) {
                        (Some(then), Some(otherwise)) => w.if_else(
                            code!("if !sub.failed() {{"),
                            |w| call(self, w, *then),
                            |w| call(self, w, *otherwise),
                        ),
                        (Some(then), None) => {
                            w.braces(code!("if !sub.failed() {{"), |w| call(self, w, *then))
                        }
                        (None, Some(otherwise)) => {
                            w.braces(code!("if sub.failed() {{"), |w| call(self, w, *otherwise))
                        }
                        (None, None) => {}
                    }
                });
            }
        }
    }

    /// A call of the format's check on the variable `arg` (`s`, `n`).
    fn format_call(&self, format: &formats::Format, arg: &str) -> Code<Rust> {
        code!(
            "{}::{}({})",
            self.formats,
            Ident::from_name(&format!("is_{}", formats::snake_name(format))),
            Ident::from_name(arg)
        )
    }

    /// A Rust expression that is true when the string `s` passes `test`.
    fn string_test(&mut self, test: &StringTest) -> Code<Rust> {
        let runtime = self.runtime.clone();
        match test {
            StringTest::MinLength(n) => code!("{}::has_min_chars(s, {})", runtime, *n),
            StringTest::MaxLength(n) => code!("{}::has_max_chars(s, {})", runtime, *n),
            StringTest::Pattern(pattern) => {
                self.uses_regex = true;
                let re = self.new_static(
                    code!("::regex::Regex"),
                    code!(
                        "::regex::Regex::new({}).expect(\"pattern checked by the generator\")",
                        Str(&pattern.rust)
                    ),
                );
                code!("{}.is_match(s)", re)
            }
            StringTest::Format(format) => self.format_call(format, "s"),
        }
    }

    fn array_step(&mut self, w: &mut W, step: &ArrayStep, at: &At) {
        let p = &at.p;
        let next = at.next();
        match step {
            ArrayStep::MinItems(n, report) => {
                w.braces(code!("if items.len() < {} {{", *n), |w| {
                    self.report(w, p, report, None)
                });
            }
            ArrayStep::MaxItems(n, report) => {
                w.braces(code!("if items.len() > {} {{", *n), |w| {
                    self.report(w, p, report, None)
                });
            }
            ArrayStep::UniqueItems(report) => {
                w.braces(code!("if !{}::all_unique(items) {{", self.runtime), |w| {
                    self.report(w, p, report, None)
                });
            }
            ArrayStep::EachItem(steps) => {
                w.braces(
                    code!("for (i, {}) in items.iter().enumerate() {{", next.v),
                    |w| {
                        w.line(code!("let {} = &Path::Index({}, i);", next.p, p));
                        self.steps(w, steps, &next);
                    },
                );
            }
            ArrayStep::Item(i, steps) => {
                w.braces(
                    code!("if let Some({}) = items.get({}) {{", next.v, *i),
                    |w| {
                        w.line(code!("let {} = &Path::Index({}, {});", next.p, p, *i));
                        self.steps(w, steps, &next);
                    },
                );
            }
            ArrayStep::ItemsFrom(start, steps) => {
                w.braces(
                    code!(
                        "for (i, {}) in items.iter().enumerate().skip({}) {{",
                        next.v,
                        *start
                    ),
                    |w| {
                        w.line(code!("let {} = &Path::Index({}, i);", next.p, p));
                        self.steps(w, steps, &next);
                    },
                );
            }
            ArrayStep::Contains(id, report) => {
                let callee = self.callee(*id);
                w.braces(
                    code!(
                        "if !items.iter().enumerate().any(|(i, item)| {{ let mut sub = StopAtFirst::default(); {}(item, &Path::Index({}, i), &mut sub); !sub.failed() }}) {{",
                        callee,
                        p
                    ),
                    |w| self.report(w, p, report, None),
                );
            }
        }
    }

    /// Objects without `additionalProperties`: each declared property looked up, in the plan's
    /// order, then the required ones.
    fn object_lookups(&mut self, w: &mut W, object: &ObjectSteps, at: &At) {
        let next = at.next();
        for property in object.properties.iter().filter(|p| !p.steps.is_empty()) {
            w.braces(
                code!(
                    "if let Some({}) = map.get({}) {{",
                    next.v,
                    Str(&property.name)
                ),
                |w| {
                    w.line(code!(
                        "let {} = &Path::Key({}, {});",
                        next.p,
                        at.p,
                        Str(&property.name)
                    ));
                    self.steps(w, &property.steps, &next);
                },
            );
        }
        for required in &object.required {
            w.braces(
                code!("if !map.contains_key({}) {{", Str(&required.name)),
                |w| self.report(w, &at.p, &required.report, None),
            );
        }
    }

    /// Objects with `additionalProperties`: one pass over the members (in the map's order, the
    /// plan's), dispatching each on its name, with a bit per required property (up to 64; more
    /// are looked up after the pass).
    fn object_single_pass(
        &mut self,
        w: &mut W,
        object: &ObjectSteps,
        additional: &Additional,
        at: &At,
    ) {
        let next = at.next();
        let tracked = if object.required.len() <= 64 {
            object.required.as_slice()
        } else {
            &[]
        };
        if !tracked.is_empty() {
            w.line(code!("let mut seen = 0u64;"));
        }
        let bit = |name: &str| tracked.iter().position(|r| r.name == name);
        let mut arms: Vec<(&str, Option<&[Step]>)> = object
            .properties
            .iter()
            .map(|p| (p.name.as_str(), Some(p.steps.as_slice())))
            .collect();
        for required in tracked {
            if !arms.iter().any(|(n, _)| *n == required.name) {
                arms.push((&required.name, None));
            }
        }
        let key = Ident::from_name("key");
        w.braces(code!("for (key, {}) in map {{", next.v), |w| {
            w.line(code!("let {} = &Path::Key({}, key);", next.p, at.p));
            w.braces(code!("match key.as_str() {{"), |w| {
                for (name, steps) in &arms {
                    w.braces(code!("{} => {{", Str(name)), |w| {
                        if let Some(i) = bit(name) {
                            w.line(code!("seen |= 1 << {};", i));
                        }
                        match steps {
                            Some(steps) => self.steps(w, steps, &next),
                            // Required but not declared: still an additional property.
                            None => self.additional(w, additional, &next, &key),
                        }
                    });
                }
                w.braces(code!("_ => {{"), |w| {
                    self.additional(w, additional, &next, &key)
                });
            });
        });
        if !tracked.is_empty() {
            let full = if tracked.len() == 64 {
                code!("u64::MAX")
            } else {
                code!("{}u64", (1u64 << tracked.len()) - 1)
            };
            w.braces(code!("if seen != {} {{", full), |w| {
                for (i, required) in tracked.iter().enumerate() {
                    w.braces(code!("if seen & (1 << {}) == 0 {{", i), |w| {
                        self.report(w, &at.p, &required.report, None)
                    });
                }
            });
        } else {
            for required in &object.required {
                w.braces(
                    code!("if !map.contains_key({}) {{", Str(&required.name)),
                    |w| self.report(w, &at.p, &required.report, None),
                );
            }
        }
    }

    /// `minProperties`, `maxProperties`, then `propertyNames` on each member's name.
    fn object_counts(&mut self, w: &mut W, object: &ObjectSteps, at: &At) {
        let p = &at.p;
        if let Some((n, report)) = &object.min_properties {
            w.braces(code!("if map.len() < {} {{", *n), |w| {
                self.report(w, p, report, None)
            });
        }
        if let Some((n, report)) = &object.max_properties {
            w.braces(code!("if map.len() > {} {{", *n), |w| {
                self.report(w, p, report, None)
            });
        }
        if let Some(id) = object.property_names {
            let next = at.next();
            w.braces(code!("for key in map.keys() {{"), |w| {
                w.line(code!("let {} = &Path::Key({}, key);", next.p, p));
                w.line(code!("let name = Value::String(key.clone());"));
                w.line(code!("{}(&name, {}, out);", self.callee(id), next.p));
                w.line(code!("if out.stop() {{ return; }}"));
            });
        }
    }

    /// With `patternProperties`: one pass over the members (in the map's order, the plan's),
    /// each checked against its declared property, then every pattern it matches, then
    /// `additionalProperties` if neither applied; then the missing required properties.
    fn object_patterns(&mut self, w: &mut W, object: &ObjectSteps, at: &At) {
        let next = at.next();
        let key = Ident::from_name("key");
        let tracks = object.additional.is_some();
        w.braces(code!("for (key, {}) in map {{", next.v), |w| {
            w.line(code!("let {} = &Path::Key({}, key);", next.p, at.p));
            if tracks {
                w.line(code!("let mut matched = false;"));
            }
            if !object.properties.is_empty() {
                w.braces(code!("match key.as_str() {{"), |w| {
                    for property in &object.properties {
                        w.braces(code!("{} => {{", Str(&property.name)), |w| {
                            if tracks {
                                w.line(code!("matched = true;"));
                            }
                            self.steps(w, &property.steps, &next);
                        });
                    }
                    w.line(code!("_ => {{}}"));
                });
            }
            for pattern in &object.patterns {
                if pattern.steps.is_empty() && !tracks {
                    continue;
                }
                let test = self.string_test(&StringTest::Pattern(pattern.pattern.clone()));
                w.line(code!("let s = key.as_str();"));
                w.braces(code!("if {} {{", test), |w| {
                    if tracks {
                        w.line(code!("matched = true;"));
                    }
                    self.steps(w, &pattern.steps, &next);
                });
            }
            if let Some(additional) = &object.additional {
                w.braces(code!("if !matched {{"), |w| {
                    self.additional(w, additional, &next, &key)
                });
            }
        });
        for required in &object.required {
            w.braces(
                code!("if !map.contains_key({}) {{", Str(&required.name)),
                |w| self.report(w, &at.p, &required.report, None),
            );
        }
    }

    /// `dependencies`, in the plan's order.
    fn object_dependencies(&mut self, w: &mut W, object: &ObjectSteps, at: &At) {
        let (v, p) = (&at.v, &at.p);
        for dependency in &object.dependencies {
            w.braces(
                code!("if map.contains_key({}) {{", Str(&dependency.name)),
                |w| match &dependency.kind {
                    DependencyKind::Properties(needed) => {
                        for required in needed {
                            w.braces(
                                code!("if !map.contains_key({}) {{", Str(&required.name)),
                                |w| self.report(w, p, &required.report, None),
                            );
                        }
                    }
                    DependencyKind::Schema(id) => {
                        w.line(code!("{}({}, {}, out);", self.callee(*id), v, p));
                        w.line(code!("if out.stop() {{ return; }}"));
                    }
                },
            );
        }
    }

    fn additional(&mut self, w: &mut W, additional: &Additional, next: &At, key: &Ident) {
        match additional {
            Additional::Forbidden(report) => self.report(w, &next.p, report, Some(key)),
            Additional::Checked(steps) => self.steps(w, steps, next),
        }
    }

    fn one_of(&mut self, w: &mut W, one_of: &OneOfStep, at: &At) {
        let (v, p) = (&at.v, &at.p);
        match one_of {
            OneOfStep::Tagged {
                property,
                cases,
                report,
            } => {
                w.braces(
                    code!(
                        "match {}.as_object().and_then(|m| {}::member(m, {})).and_then(Value::as_str) {{",
                        v,
                        self.runtime.clone(),
                        Bytes(property)
                    ),
                    |w| {
                        for (tag, id) in cases {
                            w.braces(code!("Some({}) => {{", Str(tag)), |w| {
                                w.line(code!("{}({}, {}, out);", self.callee(*id), v, p));
                                w.line(code!("if out.stop() {{ return; }}"));
                            });
                        }
                        w.braces(code!("_ => {{"), |w| self.report(w, p, report, None));
                    },
                );
            }
            OneOfStep::Nullable { other, report } => {
                let other = self.callee(*other);
                w.if_else(
                    code!("if {}.is_null() {{", v),
                    // `null` matches the null variant: it fails only if the other one accepts it too.
                    |w| {
                        w.line(code!(
                            "let mut sub = StopAtFirst::default(); {}({}, {}, &mut sub);",
                            other,
                            v,
                            p
                        ));
                        w.braces(code!("if !sub.failed() {{"), |w| {
                            self.report(w, p, report, None)
                        });
                    },
                    // Anything else must match the other variant, and its violations say why not.
                    |w| {
                        w.line(code!("{}({}, {}, out);", other, v, p));
                        w.line(code!("if out.stop() {{ return; }}"));
                    },
                );
            }
            OneOfStep::Counted { variants, report } => {
                let matched = Ident::from_name("matched");
                w.braces(code!("{{"), |w| {
                    w.line(code!("let mut matched = 0usize;"));
                    for id in variants {
                        w.line(code!(
                            "let mut sub = StopAtFirst::default(); {}({}, {}, &mut sub); if !sub.failed() {{ matched += 1; }}",
                            self.callee(*id),
                            v,
                            p
                        ));
                    }
                    w.braces(code!("if matched != 1 {{"), |w| {
                        self.report(w, p, report, Some(&matched))
                    });
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {

    use serde_json::json;

    #[test]
    fn a_nullable_one_of_tests_for_null_and_reports_the_other_variant() {
        let set = crate::schema_set::general_set(vec![(
            "Nullable",
            json!({"oneOf": [{"type": "null"}, {"enum": ["a", "b"]}]}),
        )]);
        let model = crate::model::compile(&set, &["Nullable".to_owned()]);
        let plan = crate::plan::lower(&model);
        let paths = super::RustPaths {
            validator_runtime: "crate::validator_runtime",
            formats: "crate::formats",
        };
        let code = super::emit(&plan, &set, paths, None).code;
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

    #[test]
    fn required_properties_are_reported_after_the_members() {
        for additional in [json!(false), json!(true)] {
            let set = crate::schema_set::general_set(vec![(
                "T",
                json!({
                    "properties": {"a": {"type": "string"}},
                    "required": ["a", "b"],
                    "additionalProperties": additional
                }),
            )]);
            let plan = crate::plan::lower(&crate::model::compile(&set, &["T".to_owned()]));
            let paths = super::RustPaths {
                validator_runtime: "crate::validator_runtime",
                formats: "crate::formats",
            };
            let code = super::emit(&plan, &set, paths, None).code;
            let at = |s: &str| {
                code.find(s)
                    .unwrap_or_else(|| panic!("{s} missing:\n{code}"))
            };
            assert!(
                at("T.json#/properties/a/type") < at("T.json#/required"),
                "{code}"
            );
        }
    }
}
