//! Prints the check plan as TypeScript validators: the same steps, order, schema paths, keywords
//! and messages as the Rust validators, since both only print the plan.
//!
//! Where the Rust emitter writes one generic function monomorphized for its sinks, this one writes
//! two flavours of each plan function: `fN(v0, out)` reports every violation into a `Collector`
//! (whose path stack holds the instance path, rendered only when a violation is reported), and
//! `cN(v0)` answers yes or no and returns at the first violation. Only the flavours something
//! calls are written, so the module passes `tsc --noUnusedLocals`. `validateFoo` runs the yes/no
//! flavour first and collects only when the value is invalid, so the valid path allocates nothing
//! but the empty result.
//!
//! The collecting flavour reports an object's members in code-point order of their names, the
//! plan's order, which is not JavaScript's property order (integer-like names first, then
//! insertion order). The yes/no flavour reports nothing, so the order of its tests is free, and it
//! takes the cheapest failures first: an object's required properties, then its declared
//! properties looked up, then a pass over the members for undeclared ones. Objects with
//! `patternProperties` take one pass over their members in both flavours (sorted when
//! collecting), each member tried against its declared property and every pattern. The
//! subschemas that are only asked yes or no (`oneOf`, `anyOf`, `not`, `if`, `contains`) call
//! the yes/no flavour.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde_json::Value;

use crate::code::{code, Code, CodeWriter, Float, Ident, Num, Str, Ts};
use crate::formats;
use crate::json::{json_text, JsonType};
use crate::messages;
use crate::model::Pattern;
use crate::plan::{
    Additional, ArrayStep, DependencyKind, FnId, Message, NumberTest, ObjectSteps, OneOfStep, Plan,
    Report, Step, StringTest,
};
use crate::schema_set::SchemaSet;
use crate::ts_syntax::is_inherited_name;

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

type W = CodeWriter<Ts>;

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

/// `prefix` followed by a number, as an identifier (`v3`, `m1`).
fn var(prefix: &str, n: usize) -> Ident {
    Ident::from_name(&format!("{prefix}{n}"))
}

/// Emits the body of the validators module for `plan` (without the file header).
pub(crate) fn emit(plan: &Plan, set: &SchemaSet, paths: TsPaths) -> String {
    let mut e = Emitter {
        plan,
        requested: BTreeSet::new(),
        queue: VecDeque::new(),
        consts: Vec::new(),
        const_names: BTreeMap::new(),
        runtime_imports: BTreeSet::new(),
        uses_formats: false,
    };

    let mut api = W::new();
    let names = Code::join(plan.roots.keys().map(|n| code!("{}", Str(n))), ", ");
    api.doc("The name of every type that has a validator, sorted.");
    api.line(code!("export const TYPE_NAMES = [{}] as const;", names));
    api.blank();
    match paths.types {
        Some(_) if !plan.roots.is_empty() => typed_lookups(&mut api, &mut e),
        _ => untyped_lookups(&mut api, &mut e),
    }
    api.blank();
    for (name, id) in &plan.roots {
        let collect = e.request(*id, Mode::Collect);
        let check = e.request(*id, Mode::Check);
        let ty = Ident::from_name(name);
        let description = set
            .doc(name)
            .and_then(|d| d.value.get("description"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        api.doc(&format!(
            "Validates a `{name}`, reporting every violation (`[]` when valid).\n\n{description}"
        ));
        api.braces(
            code!(
                "export function {}(value: unknown): Violation[] {{",
                Ident::from_name(&format!("validate{name}"))
            ),
            |w| {
                w.braces(code!("if ({}(value)) {{", check), |w| {
                    w.line(code!("return [];"))
                });
                w.line(code!("const out = new Collector();"));
                w.line(code!("{}(value, out);", collect));
                w.line(code!("return out.violations;"));
            },
        );
        api.blank();
        api.doc(&format!(
            "Whether `value` is a valid `{name}` (stops at the first violation)."
        ));
        let returns = match paths.types {
            Some(_) => code!("value is types.{}", ty),
            None => code!("boolean"),
        };
        api.braces(
            code!(
                "export function {}(value: unknown): {} {{",
                Ident::from_name(&format!("is{name}")),
                returns
            ),
            |w| w.line(code!("return {}(value);", check)),
        );
        api.blank();
        if paths.types.is_some() {
            api.doc(&format!(
                "Parses a `{name}`: `{{ ok: true, value }}` with the value as its type when it is valid, else `{{ ok: false, violations }}` with every violation."
            ));
            api.braces(
                code!(
                    "export function {}(value: unknown): ParseResult<types.{}> {{",
                    Ident::from_name(&format!("parse{name}")),
                    ty
                ),
                |w| {
                    w.braces(code!("if ({}(value)) {{", check), |w| {
                        w.line(code!(
                            "return {{ ok: true, value: value as types.{} }};",
                            ty
                        ));
                    });
                    w.line(code!("const out = new Collector();"));
                    w.line(code!("{}(value, out);", collect));
                    w.line(code!("return {{ ok: false, violations: out.violations }};"));
                },
            );
            api.blank();
        }
    }
    if !plan.roots.is_empty() {
        e.runtime_imports.insert("Collector");
    }

    let position: BTreeMap<FnId, usize> = plan
        .printing_order()
        .into_iter()
        .enumerate()
        .map(|(i, id)| (id, i))
        .collect();
    let mut functions: BTreeMap<(usize, Mode), String> = BTreeMap::new();
    while let Some((id, mode)) = e.queue.pop_front() {
        let text = e.function(id, mode);
        functions.insert(
            (position.get(&id).copied().unwrap_or(usize::MAX), mode),
            text,
        );
    }

    let mut out = W::new();
    out.line(code!(
        "import type {{ Violation }} from {};",
        Str(paths.validator_runtime)
    ));
    if !e.runtime_imports.is_empty() {
        let names = Code::join(
            e.runtime_imports
                .iter()
                .map(|name| code!("{}", Ident::from_name(name))),
            ", ",
        );
        out.line(code!(
            "import {{ {} }} from {};",
            names,
            Str(paths.validator_runtime)
        ));
    }
    if e.uses_formats {
        out.line(code!("import * as formats from {};", Str(paths.formats)));
    }
    if let Some(types) = paths.types {
        if !plan.roots.is_empty() {
            out.line(code!("import type * as types from {};", Str(types)));
        }
    }
    out.blank();
    let has_consts = !e.consts.is_empty();
    for line in std::mem::take(&mut e.consts) {
        out.line(line);
    }
    if has_consts {
        out.blank();
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
fn typed_lookups(api: &mut W, e: &mut Emitter<'_>) {
    api.doc(
        "The name of a type that has a validator: what `validate`, `isValid` and `parse` accept.",
    );
    api.line(code!("export type TypeName = (typeof TYPE_NAMES)[number];"));
    api.blank();
    api.doc(
        "Each type by its name: `TypesByName[\"DeviceKeySignParams\"]` is `DeviceKeySignParams`.",
    );
    api.braces(code!("export interface TypesByName {{"), |w| {
        for name in e.plan.roots.keys() {
            let ty = Ident::from_name(name);
            w.line(code!("{}: types.{};", ty, ty));
        }
    });
    api.blank();
    api.doc("What a `parse` function returns: the value as its type when it is valid, else every violation (at least one).");
    api.line(code!("export type ParseResult<T> = {{ readonly ok: true; readonly value: T }} | {{ readonly ok: false; readonly violations: Violation[] }};"));
    api.blank();
    api.doc("Validates `value` as the type named `typeName`, reporting every violation (`[]` when valid). A name that is not a `TypeName` (possible only from untyped code) throws a `TypeError`.");
    api.braces(
        code!("export function validate(typeName: TypeName, value: unknown): Violation[] {{"),
        |w| {
            switch_by_name(
                w,
                e,
                code!("typeName"),
                |_, name| code!("{}(value)", Ident::from_name(&format!("validate{name}"))),
                code!("throw unknownTypeName(typeName);"),
            );
        },
    );
    api.blank();
    api.doc("Whether `value` is a valid instance of the type named `typeName` (stops at the first violation); narrows `value` to that type. A name that is not a `TypeName` throws a `TypeError`.");
    api.braces(
        code!("export function isValid<N extends TypeName>(typeName: N, value: unknown): value is TypesByName[N] {{"),
        |w| {
            switch_by_name(
                w,
                e,
                code!("typeName as TypeName"),
                |check, _| code!("{}(value)", check),
                code!("throw unknownTypeName(typeName);"),
            );
        },
    );
    api.blank();
    api.doc("Parses `value` as the type named `typeName`: `{ ok: true, value }` when it is valid, else `{ ok: false, violations }`. A name that is not a `TypeName` throws a `TypeError`.");
    api.braces(
        code!("export function parse<N extends TypeName>(typeName: N, value: unknown): ParseResult<TypesByName[N]> {{"),
        |w| {
            w.line(code!("const violations = validate(typeName, value);"));
            w.line(code!("return violations.length === 0 ? {{ ok: true, value: value as TypesByName[N] }} : {{ ok: false, violations }};"));
        },
    );
    api.blank();
    api.braces(
        code!("function unknownTypeName(typeName: unknown): TypeError {{"),
        |w| {
            w.line(code!("return new TypeError(`unknown type name ${{JSON.stringify(typeName)}}: expected one of ${{TYPE_NAMES.join(\", \")}}`);"));
        },
    );
}

/// `validate` and `isValid` by any string name, `undefined` for an unknown one: the standalone
/// validators (the JSON-Schema-Test-Suite's), whose names are not known to a type system.
fn untyped_lookups(api: &mut W, e: &mut Emitter<'_>) {
    api.doc("Validates `value` as the type named `typeName`, reporting every violation (`[]` when valid); `undefined` when no such type exists.");
    if e.plan.roots.is_empty() {
        api.braces(
            code!("export function validate(_typeName: string, _value: unknown): Violation[] | undefined {{"),
            |w| w.line(code!("return undefined;")),
        );
    } else {
        api.braces(
            code!("export function validate(typeName: string, value: unknown): Violation[] | undefined {{"),
            |w| {
                switch_by_name(
                    w,
                    e,
                    code!("typeName"),
                    |_, name| code!("{}(value)", Ident::from_name(&format!("validate{name}"))),
                    code!("return undefined;"),
                );
            },
        );
    }
    api.blank();
    api.doc("Whether `value` is a valid instance of the type named `typeName` (stops at the first violation); `undefined` when no such type exists.");
    if e.plan.roots.is_empty() {
        api.braces(
            code!("export function isValid(_typeName: string, _value: unknown): boolean | undefined {{"),
            |w| w.line(code!("return undefined;")),
        );
    } else {
        api.braces(
            code!(
                "export function isValid(typeName: string, value: unknown): boolean | undefined {{"
            ),
            |w| {
                switch_by_name(
                    w,
                    e,
                    code!("typeName"),
                    |check, _| code!("{}(value)", check),
                    code!("return undefined;"),
                );
            },
        );
    }
}

/// `switch (<scrutinee>) { case "<Name>": return <call>; … default: <otherwise> }`, one case per
/// root type, `call` given its yes/no function and its name.
fn switch_by_name(
    w: &mut W,
    e: &mut Emitter<'_>,
    scrutinee: Code<Ts>,
    call: impl Fn(&Ident, &str) -> Code<Ts>,
    otherwise: Code<Ts>,
) {
    let roots: Vec<(String, FnId)> = e
        .plan
        .roots
        .iter()
        .map(|(n, id)| (n.clone(), *id))
        .collect();
    w.braces(code!("switch ({}) {{", scrutinee), |w| {
        for (name, id) in &roots {
            let check = e.request(*id, Mode::Check);
            w.line(code!("case {}:", Str(name)));
            w.line(code!("  return {};", call(&check, name)));
        }
        w.line(code!("default:"));
        w.line(code!("  {}", otherwise));
    });
}

/// Per-function state while writing one flavour of one function.
struct Ctx {
    /// Local variable counter.
    locals: usize,
    /// Whether the collect flavour touched `out`.
    uses_out: bool,
}

impl Ctx {
    fn fresh(&mut self, prefix: &str) -> Ident {
        self.locals += 1;
        var(prefix, self.locals)
    }
}

struct Emitter<'p> {
    plan: &'p Plan,
    requested: BTreeSet<(FnId, Mode)>,
    queue: VecDeque<(FnId, Mode)>,
    /// Module-level constants (regular expressions, literals, sets), in creation order.
    consts: Vec<Code<Ts>>,
    /// Dedupe key → constant name.
    const_names: BTreeMap<String, Ident>,
    /// Names imported from the validator runtime module.
    runtime_imports: BTreeSet<&'static str>,
    uses_formats: bool,
}

/// What a list of steps may assume about the value: the types its own `type` step allows.
#[derive(Clone, Copy)]
struct Facts<'s> {
    types: Option<&'s [JsonType]>,
}

impl<'s> Facts<'s> {
    fn of(steps: &'s [Step]) -> Self {
        let types = steps.iter().find_map(|step| match step {
            Step::Type(types, _) => Some(types.as_slice()),
            _ => None,
        });
        Facts { types }
    }

    /// Whether a literal of `value`'s type is excluded by `type` (it is then compared through
    /// `unknown`, or TypeScript rejects the comparison of a narrowed value).
    fn widen(&self, value: &Value) -> bool {
        self.types
            .is_some_and(|t| !t.iter().any(|t| json_type_matches(*t, value)))
    }
}

impl<'p> Emitter<'p> {
    /// The name of `id`'s `mode` flavour, which will be written.
    fn request(&mut self, id: FnId, mode: Mode) -> Ident {
        if self.requested.insert((id, mode)) {
            self.queue.push_back((id, mode));
        }
        self.name(id, mode)
    }

    fn name(&self, id: FnId, mode: Mode) -> Ident {
        let base = self
            .plan
            .functions
            .get(id)
            .map_or("missing", |f| f.name.as_str());
        Ident::from_name(&format!("{}{base}", mode.prefix()))
    }

    fn constant(
        &mut self,
        kind: &str,
        key: String,
        declaration: impl FnOnce(&Ident) -> Code<Ts>,
    ) -> Ident {
        let dedupe = format!("{kind}\u{0}{key}");
        if let Some(name) = self.const_names.get(&dedupe) {
            return name.clone();
        }
        let name = Ident::from_name(&format!("{kind}_{}", self.const_names.len()));
        self.consts.push(declaration(&name));
        self.const_names.insert(dedupe, name.clone());
        name
    }

    fn function(&mut self, id: FnId, mode: Mode) -> String {
        let plan = self.plan;
        let Some(function) = plan.functions.get(id) else {
            return String::new();
        };
        let mut ctx = Ctx {
            locals: 0,
            uses_out: false,
        };
        let mut body = W::new();
        let v0 = var("v", 0);
        self.steps(&mut body, &function.steps, &v0, mode, &mut ctx);
        let fails_always = matches!(function.steps.as_slice(), [Step::Fail(_)]);
        let value = if body.is_empty() || fails_always {
            code!("_v0")
        } else {
            code!("v0")
        };
        let mut w = W::new();
        w.doc(&format!("`{}`", function.location));
        let name = self.name(id, mode);
        match mode {
            Mode::Collect => {
                let out = if ctx.uses_out {
                    code!("out")
                } else {
                    code!("_out")
                };
                w.braces(
                    code!(
                        "function {}({}: unknown, {}: Collector): void {{",
                        name,
                        value,
                        out
                    ),
                    |w| w.append(body),
                );
            }
            Mode::Check => {
                w.braces(
                    code!("function {}({}: unknown): boolean {{", name, value),
                    |w| {
                        w.append(body);
                        if !fails_always {
                            w.line(code!("return true;"));
                        }
                    },
                );
            }
        }
        w.blank();
        w.finish()
    }

    /// Writes a violation: a report (collect) or `return false` (check); a message that needs the
    /// instance takes it from `arg` (the member's name, the match count).
    fn report(
        &mut self,
        w: &mut W,
        mode: Mode,
        ctx: &mut Ctx,
        report: &Report,
        arg: Option<&Ident>,
    ) {
        match mode {
            Mode::Collect => {
                ctx.uses_out = true;
                let message = match (&report.message, arg) {
                    (Message::Text(text), _) => code!("{}", Str(text)),
                    (Message::UnknownProperty, Some(key)) => {
                        self.runtime_imports.insert("jsonString");
                        code!(
                            "{} + jsonString({})",
                            Str(messages::UNKNOWN_PROPERTY_PREFIX),
                            key
                        )
                    }
                    (Message::MatchedCount, Some(count)) => {
                        code!("{} + String({})", Str(messages::ONE_OF_PREFIX), count)
                    }
                    (Message::UnknownProperty, None) => {
                        code!("{}", Str(messages::UNKNOWN_PROPERTY_PREFIX))
                    }
                    (Message::MatchedCount, None) => code!("{}", Str(messages::ONE_OF_PREFIX)),
                };
                w.line(code!(
                    "out.report({}, {}, {});",
                    Str(&report.schema_path),
                    Str(report.keyword),
                    message
                ));
            }
            Mode::Check => w.line(code!("return false;")),
        }
    }

    /// Writes `steps` for the value in variable `v`.
    fn steps(&mut self, w: &mut W, steps: &[Step], v: &Ident, mode: Mode, ctx: &mut Ctx) {
        let facts = Facts::of(steps);
        for step in steps {
            self.step(w, step, facts, v, mode, ctx);
        }
    }

    /// Writes `steps` for a value reached through path segment `segment`.
    fn descend(
        &mut self,
        w: &mut W,
        steps: &[Step],
        v: &Ident,
        segment: Code<Ts>,
        mode: Mode,
        ctx: &mut Ctx,
    ) {
        match mode {
            Mode::Collect => {
                ctx.uses_out = true;
                w.line(code!("out.path.push({});", segment));
                self.steps(w, steps, v, mode, ctx);
                w.line(code!("out.path.pop();"));
            }
            Mode::Check => self.steps(w, steps, v, mode, ctx),
        }
    }

    /// Whether a group of steps for a value of one of `group`'s types can run: in the yes/no
    /// flavour the `type` step returns, so a group for another type never runs after it (and
    /// TypeScript has narrowed the value, so it would not type-check).
    fn reachable(facts: Facts<'_>, mode: Mode, group: &[JsonType]) -> bool {
        mode == Mode::Collect
            || facts
                .types
                .is_none_or(|t| t.iter().any(|t| group.contains(t)))
    }

    fn step(
        &mut self,
        w: &mut W,
        step: &Step,
        facts: Facts<'_>,
        v: &Ident,
        mode: Mode,
        ctx: &mut Ctx,
    ) {
        match step {
            Step::Fail(report) => self.report(w, mode, ctx, report, None),
            Step::Call(id) => {
                let callee = self.request(*id, mode);
                match mode {
                    Mode::Collect => {
                        ctx.uses_out = true;
                        w.line(code!("{}({}, out);", callee, v));
                    }
                    Mode::Check => w.line(code!("if (!{}({})) return false;", callee, v)),
                }
            }
            Step::Type(types, report) => {
                let test = match types.as_slice() {
                    [] => code!("true"),
                    [single] => type_test(*single, v, true),
                    many => code!(
                        "!({})",
                        Code::join(many.iter().map(|t| type_test(*t, v, false)), " || ")
                    ),
                };
                w.braces(code!("if ({}) {{", test), |w| {
                    self.report(w, mode, ctx, report, None)
                });
            }
            Step::Enum(values, report) => {
                let test = self.enum_test(values, v, facts);
                w.braces(code!("if ({}) {{", test), |w| {
                    self.report(w, mode, ctx, report, None)
                });
            }
            Step::Const(value, report) => {
                let test = match value {
                    Value::String(s) if !facts.widen(value) => code!("{} !== {}", v, Str(s)),
                    _ => code!("!({})", self.equal_test(value, v, facts.widen(value))),
                };
                w.braces(code!("if ({}) {{", test), |w| {
                    self.report(w, mode, ctx, report, None)
                });
            }
            Step::String(tests) if Self::reachable(facts, mode, &[JsonType::String]) => {
                w.braces(code!("if (typeof {} === \"string\") {{", v), |w| {
                    for (test, report) in tests {
                        let test = self.string_test(test, v);
                        w.braces(code!("if ({}) {{", test), |w| {
                            self.report(w, mode, ctx, report, None)
                        });
                    }
                });
            }
            Step::Number(tests)
                if Self::reachable(facts, mode, &[JsonType::Integer, JsonType::Number]) =>
            {
                w.braces(code!("if (typeof {} === \"number\") {{", v), |w| {
                    let exact = code!("Math.abs({}) <= 9007199254740991", v);
                    let (tests, exact_report) = match tests.split_first() {
                        Some(((NumberTest::Exact, report), rest)) => (rest, Some(report)),
                        _ => (tests.as_slice(), None),
                    };
                    if let Some(report) = exact_report {
                        w.braces(code!("if (!({})) {{", exact), |w| {
                            self.report(w, mode, ctx, report, None)
                        });
                    }
                    let mut rest = |w: &mut W| {
                        for (test, report) in tests {
                            let test = match test {
                                NumberTest::Exact => code!("!({})", exact.clone()),
                                NumberTest::Minimum(limit) => code!("{} < {}", v, Num(limit)),
                                NumberTest::Maximum(limit) => code!("{} > {}", v, Num(limit)),
                                NumberTest::ExclusiveMinimum(limit) => {
                                    code!("{} <= {}", v, Num(limit))
                                }
                                NumberTest::ExclusiveMaximum(limit) => {
                                    code!("{} >= {}", v, Num(limit))
                                }
                                NumberTest::MultipleOf(factor) => {
                                    // The quotient in binary64, as the Rust validators compute it.
                                    let f = self.constant("MULTIPLE", String::new(), |name| {
                                        code!("function {}(n: number, f: number): boolean {{ const q = n / f; return Number.isFinite(q) && Math.abs(q - Math.round(q)) <= Number.EPSILON * Math.max(1, Math.abs(q)); }}", name)
                                    });
                                    code!("!{}({}, {})", f, v, Float(*factor))
                                }
                                NumberTest::Format(format) => {
                                    self.uses_formats = true;
                                    code!("!formats.{}({})", format_function(format), v)
                                }
                            };
                            w.braces(code!("if ({}) {{", test), |w| {
                                self.report(w, mode, ctx, report, None)
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
            Step::Array(steps) if Self::reachable(facts, mode, &[JsonType::Array]) => {
                w.braces(code!("if (Array.isArray({})) {{", v), |w| {
                    for step in steps {
                        self.array_step(w, step, v, mode, ctx);
                    }
                });
            }
            Step::Object(object) if Self::reachable(facts, mode, &[JsonType::Object]) => {
                w.braces(
                    code!(
                        "if (typeof {} === \"object\" && {} !== null && !Array.isArray({})) {{",
                        v,
                        v,
                        v
                    ),
                    |w| self.object(w, object, v, mode, ctx),
                );
            }
            Step::String(_) | Step::Number(_) | Step::Array(_) | Step::Object(_) => {}
            Step::OneOf(one_of) => self.one_of(w, one_of, v, mode, ctx),
            Step::AnyOf(variants, report) => {
                let tests: Vec<Code<Ts>> = variants
                    .iter()
                    .map(|id| {
                        let check = self.request(*id, Mode::Check);
                        code!("{}({})", check, v)
                    })
                    .collect();
                w.braces(code!("if (!({})) {{", Code::join(tests, " || ")), |w| {
                    self.report(w, mode, ctx, report, None)
                });
            }
            Step::Not(id, report) => {
                let check = self.request(*id, Mode::Check);
                w.braces(code!("if ({}({})) {{", check, v), |w| {
                    self.report(w, mode, ctx, report, None)
                });
            }
            Step::IfThenElse {
                test,
                then,
                otherwise,
            } => {
                let check = self.request(*test, Mode::Check);
                let mut call = |id: FnId| {
                    let callee = self.request(id, mode);
                    match mode {
                        Mode::Collect => {
                            ctx.uses_out = true;
                            code!("{}({}, out);", callee, v)
                        }
                        Mode::Check => code!("if (!{}({})) return false;", callee, v),
                    }
                };
                let then = then.map(&mut call);
                let otherwise = otherwise.map(&mut call);
                match (then, otherwise) {
                    (Some(then), Some(otherwise)) => w.if_else(
                        code!("if ({}({})) {{", check, v),
                        |w| w.line(then),
                        |w| w.line(otherwise),
                    ),
                    (Some(then), None) => {
                        w.braces(code!("if ({}({})) {{", check, v), |w| w.line(then))
                    }
                    (None, Some(otherwise)) => {
                        w.braces(code!("if (!{}({})) {{", check, v), |w| w.line(otherwise))
                    }
                    (None, None) => {}
                }
            }
        }
    }

    /// A TS expression that is true when the string `v` fails `test`.
    fn string_test(&mut self, test: &StringTest, v: &Ident) -> Code<Ts> {
        match test {
            StringTest::MinLength(1) => code!("{}.length === 0", v),
            StringTest::MinLength(n) => {
                self.runtime_imports.insert("hasMinChars");
                code!("!hasMinChars({}, {})", v, *n)
            }
            StringTest::MaxLength(n) => {
                self.runtime_imports.insert("hasMaxChars");
                code!("!hasMaxChars({}, {})", v, *n)
            }
            StringTest::Pattern(pattern) => {
                let re = self.regex(pattern);
                code!("!{}.test({})", re, v)
            }
            StringTest::Format(format) => {
                self.uses_formats = true;
                code!("!formats.{}({})", format_function(format), v)
            }
        }
    }

    /// The module-level constant holding `pattern` as a `RegExp`.
    fn regex(&mut self, pattern: &Pattern) -> Ident {
        self.constant("RE", pattern.source.clone(), |name| {
            code!(
                "const {} = new RegExp({}, \"u\");",
                name,
                Str(&pattern.source)
            )
        })
    }

    /// Declares the variable for a value read by `read`, unless `steps` never read it.
    fn value_of(&mut self, w: &mut W, steps: &[Step], read: Code<Ts>, ctx: &mut Ctx) -> Ident {
        if matches!(steps, [Step::Fail(_)]) {
            return Ident::from_name("_");
        }
        let item = ctx.fresh("v");
        w.line(code!("const {}: unknown = {};", item, read));
        item
    }

    fn array_step(&mut self, w: &mut W, step: &ArrayStep, v: &Ident, mode: Mode, ctx: &mut Ctx) {
        match step {
            ArrayStep::MinItems(n, report) => {
                w.braces(code!("if ({}.length < {}) {{", v, *n), |w| {
                    self.report(w, mode, ctx, report, None)
                });
            }
            ArrayStep::MaxItems(n, report) => {
                w.braces(code!("if ({}.length > {}) {{", v, *n), |w| {
                    self.report(w, mode, ctx, report, None)
                });
            }
            ArrayStep::UniqueItems(report) => {
                self.runtime_imports.insert("allUnique");
                w.braces(code!("if (!allUnique({})) {{", v), |w| {
                    self.report(w, mode, ctx, report, None)
                });
            }
            ArrayStep::EachItem(steps) => {
                if matches!(steps.as_slice(), [Step::Fail(_)]) && mode == Mode::Check {
                    w.line(code!("if ({}.length > 0) return false;", v));
                    return;
                }
                let i = ctx.fresh("i");
                w.braces(
                    code!("for (let {} = 0; {} < {}.length; {}++) {{", i, i, v, i),
                    |w| {
                        let item = self.value_of(w, steps, code!("{}[{}]", v, i), ctx);
                        self.descend(w, steps, &item, code!("{}", i), mode, ctx);
                    },
                );
            }
            ArrayStep::Item(index, steps) => {
                w.braces(code!("if ({}.length > {}) {{", v, *index), |w| {
                    let item = self.value_of(w, steps, code!("{}[{}]", v, *index), ctx);
                    self.descend(w, steps, &item, code!("{}", *index), mode, ctx);
                });
            }
            ArrayStep::ItemsFrom(start, steps) => {
                let i = ctx.fresh("i");
                w.braces(
                    code!(
                        "for (let {} = {}; {} < {}.length; {}++) {{",
                        i,
                        *start,
                        i,
                        v,
                        i
                    ),
                    |w| {
                        let item = self.value_of(w, steps, code!("{}[{}]", v, i), ctx);
                        self.descend(w, steps, &item, code!("{}", i), mode, ctx);
                    },
                );
            }
            ArrayStep::Contains(id, report) => {
                let check = self.request(*id, Mode::Check);
                let item = ctx.fresh("x");
                w.braces(
                    code!(
                        "if (!{}.some(({}: unknown) => {}({}))) {{",
                        v,
                        item,
                        check,
                        item
                    ),
                    |w| self.report(w, mode, ctx, report, None),
                );
            }
        }
    }

    /// The members of the object `v` (known to be a plain object), then the required properties.
    /// The members of the object `v` (known to be a plain object), then the required properties.
    /// The yes/no flavour, which reports nothing, tests the required properties first: a missing
    /// one is the cheapest failure to find.
    fn object(&mut self, w: &mut W, object: &ObjectSteps, v: &Ident, mode: Mode, ctx: &mut Ctx) {
        let m = ctx.fresh("m");
        w.line(code!("const {} = {} as Record<string, unknown>;", m, v));
        self.object_counts(w, object, &m, mode, ctx);
        if mode == Mode::Check {
            self.required(w, object, &m, mode, ctx);
        }
        match (&object.additional, mode) {
            _ if !object.patterns.is_empty() => self.object_patterns(w, object, &m, mode, ctx),
            (None, _) => self.object_lookups(w, object, &m, mode, ctx),
            (Some(additional), Mode::Collect) => {
                self.object_single_pass(w, object, additional, &m, ctx)
            }
            (Some(additional), Mode::Check) => {
                self.object_lookups_then_others(w, object, additional, &m, ctx)
            }
        }
        if mode == Mode::Collect {
            self.required(w, object, &m, mode, ctx);
        }
        self.object_dependencies(w, object, v, &m, mode, ctx);
    }

    /// `minProperties`, `maxProperties`, then `propertyNames` on each member's name (in
    /// code-point order when collecting).
    fn object_counts(
        &mut self,
        w: &mut W,
        object: &ObjectSteps,
        m: &Ident,
        mode: Mode,
        ctx: &mut Ctx,
    ) {
        if object.min_properties.is_some() || object.max_properties.is_some() {
            let count = ctx.fresh("n");
            w.line(code!("const {} = Object.keys({}).length;", count, m));
            if let Some((n, report)) = &object.min_properties {
                w.braces(code!("if ({} < {}) {{", count, *n), |w| {
                    self.report(w, mode, ctx, report, None)
                });
            }
            if let Some((n, report)) = &object.max_properties {
                w.braces(code!("if ({} > {}) {{", count, *n), |w| {
                    self.report(w, mode, ctx, report, None)
                });
            }
        }
        if let Some(id) = object.property_names {
            let key = ctx.fresh("k");
            let callee = self.request(id, mode);
            match mode {
                Mode::Collect => {
                    ctx.uses_out = true;
                    self.runtime_imports.insert("sortedKeys");
                    w.braces(code!("for (const {} of sortedKeys({})) {{", key, m), |w| {
                        w.line(code!("out.path.push({});", key));
                        w.line(code!("{}({}, out);", callee, key));
                        w.line(code!("out.path.pop();"));
                    });
                }
                Mode::Check => {
                    w.braces(code!("for (const {} in {}) {{", key, m), |w| {
                        w.line(code!("if (!{}({})) return false;", callee, key));
                    });
                }
            }
        }
    }

    /// With `patternProperties`: one pass over the members (in code-point order when collecting),
    /// each checked against its declared property, then every pattern it matches, then
    /// `additionalProperties` if neither applied.
    fn object_patterns(
        &mut self,
        w: &mut W,
        object: &ObjectSteps,
        m: &Ident,
        mode: Mode,
        ctx: &mut Ctx,
    ) {
        let key = ctx.fresh("k");
        let head = match mode {
            Mode::Collect => {
                self.runtime_imports.insert("sortedKeys");
                code!("for (const {} of sortedKeys({})) {{", key, m)
            }
            Mode::Check => code!("for (const {} in {}) {{", key, m),
        };
        let tracks = object.additional.is_some();
        // The member's value is read only where a step looks at it.
        // (`false` fails whatever the value is.)
        let reads = |steps: &[Step]| steps.iter().any(|s| !matches!(s, Step::Fail(_)));
        let reads_item = object.properties.iter().any(|p| reads(&p.steps))
            || object.patterns.iter().any(|p| reads(&p.steps))
            || matches!(&object.additional, Some(Additional::Checked(steps)) if reads(steps));
        w.braces(head, |w| {
            let item = ctx.fresh("v");
            if reads_item {
                w.line(code!("const {}: unknown = {}[{}];", item, m, key));
            }
            let matched = ctx.fresh("matched");
            if tracks {
                w.line(code!("let {} = false;", matched));
            }
            for property in &object.properties {
                if property.steps.is_empty() && !tracks {
                    continue;
                }
                w.braces(code!("if ({} === {}) {{", key, Str(&property.name)), |w| {
                    if tracks {
                        w.line(code!("{} = true;", matched));
                    }
                    self.descend(w, &property.steps, &item, code!("{}", key), mode, ctx);
                });
            }
            for pattern in &object.patterns {
                if pattern.steps.is_empty() && !tracks {
                    continue;
                }
                let re = self.regex(&pattern.pattern);
                w.braces(code!("if ({}.test({})) {{", re, key), |w| {
                    if tracks {
                        w.line(code!("{} = true;", matched));
                    }
                    self.descend(w, &pattern.steps, &item, code!("{}", key), mode, ctx);
                });
            }
            if let Some(additional) = &object.additional {
                w.braces(code!("if (!{}) {{", matched), |w| {
                    self.additional(w, additional, &item, &key, mode, ctx)
                });
            }
        });
    }

    /// `dependencies`, in the plan's order.
    fn object_dependencies(
        &mut self,
        w: &mut W,
        object: &ObjectSteps,
        v: &Ident,
        m: &Ident,
        mode: Mode,
        ctx: &mut Ctx,
    ) {
        for dependency in &object.dependencies {
            let name = Str(&dependency.name);
            let present = if is_inherited_name(&dependency.name) {
                self.runtime_imports.insert("hasOwn");
                code!("hasOwn({}, {}) && {}[{}] !== undefined", m, name, m, name)
            } else {
                code!("{}[{}] !== undefined", m, name)
            };
            w.braces(code!("if ({}) {{", present), |w| match &dependency.kind {
                DependencyKind::Properties(needed) => {
                    for required in needed {
                        let test = self.missing_test(m, &required.name);
                        w.braces(code!("if ({}) {{", test), |w| {
                            self.report(w, mode, ctx, &required.report, None)
                        });
                    }
                }
                DependencyKind::Schema(id) => {
                    let callee = self.request(*id, mode);
                    match mode {
                        Mode::Collect => {
                            ctx.uses_out = true;
                            w.line(code!("{}({}, out);", callee, v));
                        }
                        Mode::Check => w.line(code!("if (!{}({})) return false;", callee, v)),
                    }
                }
            });
        }
    }

    /// A TS expression that is true when the object `m` has no member `name`.
    fn missing_test(&mut self, m: &Ident, name: &str) -> Code<Ts> {
        if is_inherited_name(name) {
            self.runtime_imports.insert("hasOwn");
            code!(
                "!hasOwn({}, {}) || {}[{}] === undefined",
                m,
                Str(name),
                m,
                Str(name)
            )
        } else {
            code!("{}[{}] === undefined", m, Str(name))
        }
    }

    fn required(&mut self, w: &mut W, object: &ObjectSteps, m: &Ident, mode: Mode, ctx: &mut Ctx) {
        for required in &object.required {
            let test = self.missing_test(m, &required.name);
            w.braces(code!("if ({}) {{", test), |w| {
                self.report(w, mode, ctx, &required.report, None)
            });
        }
    }

    /// Without `additionalProperties`: each declared property looked up, in the plan's order.
    fn object_lookups(
        &mut self,
        w: &mut W,
        object: &ObjectSteps,
        m: &Ident,
        mode: Mode,
        ctx: &mut Ctx,
    ) {
        self.object_lookups_among(w, object, m, mode, ctx, None);
    }

    /// [`Self::object_lookups`], with the unknown members `others` (sorted, or `undefined`)
    /// reported where they come in code-point order: before each declared property, those that
    /// sort before it, and the rest at the end.
    fn object_lookups_among(
        &mut self,
        w: &mut W,
        object: &ObjectSteps,
        m: &Ident,
        mode: Mode,
        ctx: &mut Ctx,
        unknown: Option<(&Ident, &Ident, &Report)>,
    ) {
        let flush = |w: &mut W, before: Code<Ts>| {
            if let Some((others, at, report)) = unknown {
                w.line(code!(
                    "if ({} !== undefined) {} = out.reportMembers({}, {}, {}, {}, {}, {});",
                    others,
                    at,
                    others,
                    at,
                    before,
                    Str(&report.schema_path),
                    Str(report.keyword),
                    Str(messages::UNKNOWN_PROPERTY_PREFIX)
                ));
            }
        };
        for property in object.properties.iter().filter(|p| !p.steps.is_empty()) {
            let name = Str(&property.name);
            flush(w, code!("{}", name));
            let read = if is_inherited_name(&property.name) {
                self.runtime_imports.insert("hasOwn");
                code!("(hasOwn({}, {}) ? {}[{}] : undefined)", m, name, m, name)
            } else {
                code!("{}[{}]", m, name)
            };
            if matches!(property.steps.as_slice(), [Step::Fail(_)]) {
                w.braces(code!("if ({} !== undefined) {{", read), |w| {
                    let unused = Ident::from_name("_");
                    self.descend(w, &property.steps, &unused, code!("{}", name), mode, ctx);
                });
            } else {
                let item = ctx.fresh("v");
                w.line(code!("const {} = {};", item, read));
                w.braces(code!("if ({} !== undefined) {{", item), |w| {
                    self.descend(w, &property.steps, &item, code!("{}", name), mode, ctx);
                });
            }
        }
        if let Some((others, at, report)) = unknown {
            w.line(code!(
                "if ({} !== undefined) out.reportMembers({}, {}, undefined, {}, {}, {});",
                others,
                others,
                at,
                Str(&report.schema_path),
                Str(report.keyword),
                Str(messages::UNKNOWN_PROPERTY_PREFIX)
            ));
        }
    }

    /// With `additionalProperties`, in the yes/no flavour: the declared properties looked up, then
    /// one pass over the members for the undeclared ones.
    fn object_lookups_then_others(
        &mut self,
        w: &mut W,
        object: &ObjectSteps,
        additional: &Additional,
        m: &Ident,
        ctx: &mut Ctx,
    ) {
        let mode = Mode::Check;
        self.object_lookups(w, object, m, mode, ctx);
        let key = ctx.fresh("k");
        w.braces(code!("for (const {} in {}) {{", key, m), |w| {
            let known: Vec<Code<Ts>> = object
                .properties
                .iter()
                .map(|p| code!("{}", Str(&p.name)))
                .collect();
            if known.len() > 3 {
                w.braces(code!("switch ({}) {{", key), |w| {
                    for name in known {
                        w.line(code!("case {}:", name));
                    }
                    w.line(code!("  continue;"));
                });
            } else if !known.is_empty() {
                let tests = Code::join(known.iter().map(|n| code!("{} === {}", key, n)), " || ");
                w.line(code!("if ({}) continue;", tests));
            }
            match additional {
                Additional::Forbidden(_) => {
                    w.line(code!("if ({}[{}] === undefined) continue;", m, key));
                    w.line(code!("return false;"));
                }
                Additional::Checked(steps) => {
                    let item = ctx.fresh("v");
                    w.line(code!("const {} = {}[{}];", item, m, key));
                    w.line(code!("if ({} === undefined) continue;", item));
                    self.descend(w, steps, &item, code!("{}", key), mode, ctx);
                }
            }
        });
    }

    /// With `additionalProperties`, in the collecting flavour: the members in code-point order of
    /// their names. One pass over the members finds those that are not declared (usually none).
    /// With `additionalProperties: false`, the declared properties are then looked up in the
    /// plan's order, and each unknown member is reported just before the first declared property
    /// whose name sorts after its own (`reportMembers`). With a schema, the members are visited in
    /// the order of the declared names (sorted when generating), merged with the others'
    /// (`withOthers`), and dispatched on their names.
    fn object_single_pass(
        &mut self,
        w: &mut W,
        object: &ObjectSteps,
        additional: &Additional,
        m: &Ident,
        ctx: &mut Ctx,
    ) {
        let mode = Mode::Collect;
        let key = ctx.fresh("k");
        let head = if object.properties.is_empty() {
            self.runtime_imports.insert("sortedKeys");
            code!("for (const {} of sortedKeys({})) {{", key, m)
        } else {
            let others = ctx.fresh("others");
            let scan = ctx.fresh("k");
            w.line(code!("let {}: string[] | undefined;", others));
            w.braces(code!("for (const {} in {}) {{", scan, m), |w| {
                w.braces(code!("switch ({}) {{", scan), |w| {
                    for property in &object.properties {
                        w.line(code!("case {}:", Str(&property.name)));
                    }
                    w.line(code!("  continue;"));
                });
                w.braces(code!("if ({}[{}] !== undefined) {{", m, scan), |w| {
                    w.line(code!("({} ??= []).push({});", others, scan));
                });
            });
            if let Additional::Forbidden(report) = additional {
                // Unknown members need no dispatch: the declared properties are looked up in the
                // plan's order, each unknown member reported where its name comes in that order.
                self.runtime_imports.insert("sortByCodePoints");
                ctx.uses_out = true;
                let at = ctx.fresh("at");
                w.line(code!("let {} = 0;", at));
                w.line(code!(
                    "if ({} !== undefined) sortByCodePoints({});",
                    others,
                    others
                ));
                self.object_lookups_among(w, object, m, mode, ctx, Some((&others, &at, report)));
                return;
            }
            self.runtime_imports.insert("withOthers");
            let declared: Code<Ts> = Code::join(
                object.properties.iter().map(|p| code!("{}", Str(&p.name))),
                ", ",
            );
            let names = self.constant("NAMES", declared.as_str().to_owned(), |name| {
                code!("const {}: readonly string[] = [{}];", name, declared)
            });
            code!(
                "for (const {} of {} === undefined ? {} : withOthers({}, {})) {{",
                key,
                others,
                names,
                names,
                others
            )
        };
        // A declared name read from the list may be one that every object inherits.
        let read = if object.properties.iter().any(|p| is_inherited_name(&p.name)) {
            self.runtime_imports.insert("hasOwn");
            code!("hasOwn({}, {}) ? {}[{}] : undefined", m, key, m, key)
        } else {
            code!("{}[{}]", m, key)
        };
        let uses_value = object
            .properties
            .iter()
            .map(|p| p.steps.as_slice())
            .chain(match additional {
                Additional::Checked(steps) => Some(steps.as_slice()),
                Additional::Forbidden(_) => None,
            })
            .any(|steps| !steps.is_empty() && !matches!(steps, [Step::Fail(_)]));
        w.braces(head, |w| {
            let item = if uses_value {
                let item = ctx.fresh("v");
                w.line(code!("const {} = {};", item, read));
                w.line(code!("if ({} === undefined) continue;", item));
                item
            } else {
                w.line(code!("if (({}) === undefined) continue;", read));
                Ident::from_name("_")
            };
            if object.properties.is_empty() {
                self.additional(w, additional, &item, &key, mode, ctx);
                return;
            }
            w.braces(code!("switch ({}) {{", key), |w| {
                let (checked, unchecked): (Vec<_>, Vec<_>) =
                    object.properties.iter().partition(|p| !p.steps.is_empty());
                for property in checked {
                    w.braces(code!("case {}: {{", Str(&property.name)), |w| {
                        self.descend(w, &property.steps, &item, code!("{}", key), mode, ctx);
                        w.line(code!("break;"));
                    });
                }
                for property in &unchecked {
                    w.line(code!("case {}:", Str(&property.name)));
                }
                if !unchecked.is_empty() {
                    w.line(code!("  break;"));
                }
                w.braces(code!("default: {{"), |w| {
                    self.additional(w, additional, &item, &key, mode, ctx);
                });
            });
        });
    }

    fn additional(
        &mut self,
        w: &mut W,
        additional: &Additional,
        item: &Ident,
        key: &Ident,
        mode: Mode,
        ctx: &mut Ctx,
    ) {
        match additional {
            Additional::Forbidden(report) => match mode {
                Mode::Collect => {
                    ctx.uses_out = true;
                    w.line(code!("out.path.push({});", key));
                    self.report(w, mode, ctx, report, Some(key));
                    w.line(code!("out.path.pop();"));
                }
                Mode::Check => w.line(code!("return false;")),
            },
            Additional::Checked(steps) => {
                self.descend(w, steps, item, code!("{}", key), mode, ctx);
            }
        }
    }

    fn one_of(&mut self, w: &mut W, one_of: &OneOfStep, v: &Ident, mode: Mode, ctx: &mut Ctx) {
        match one_of {
            OneOfStep::Tagged {
                property,
                cases,
                report,
            } => {
                let tag = ctx.fresh("t");
                let name = Str(property);
                let read = if is_inherited_name(property) {
                    self.runtime_imports.insert("hasOwn");
                    code!(
                        "(hasOwn({}, {}) ? ({} as Record<string, unknown>)[{}] : undefined)",
                        v,
                        name,
                        v,
                        name
                    )
                } else {
                    code!("({} as Record<string, unknown>)[{}]", v, name)
                };
                w.line(code!(
                    "const {} = typeof {} === \"object\" && {} !== null && !Array.isArray({}) ? {} : undefined;",
                    tag,
                    v,
                    v,
                    v,
                    read
                ));
                w.braces(code!("switch ({}) {{", tag), |w| {
                    for (value, id) in cases {
                        let callee = self.request(*id, mode);
                        w.line(code!("case {}:", Str(value)));
                        match mode {
                            Mode::Collect => {
                                ctx.uses_out = true;
                                w.line(code!("  {}({}, out);", callee, v));
                            }
                            Mode::Check => w.line(code!("  if (!{}({})) return false;", callee, v)),
                        }
                        w.line(code!("  break;"));
                    }
                    w.braces(code!("default: {{"), |w| {
                        self.report(w, mode, ctx, report, None)
                    });
                });
            }
            OneOfStep::Nullable { other, report } => {
                let check = self.request(*other, Mode::Check);
                let callee = self.request(*other, mode);
                // Anything but `null` must match the other variant, and its violations say why not.
                let otherwise = match mode {
                    Mode::Collect => {
                        ctx.uses_out = true;
                        code!("{}({}, out);", callee, v)
                    }
                    Mode::Check => code!("if (!{}({})) return false;", callee, v),
                };
                w.if_else(
                    code!("if ({} === null) {{", v),
                    // `null` matches the null variant: it fails only if the other one accepts it too.
                    |w| {
                        w.braces(code!("if ({}({})) {{", check, v), |w| {
                            self.report(w, mode, ctx, report, None)
                        })
                    },
                    |w| w.line(otherwise),
                );
            }
            OneOfStep::Counted { variants, report } => {
                let count = ctx.fresh("n");
                w.braces(code!("{{"), |w| {
                    w.line(code!("let {} = 0;", count));
                    for id in variants {
                        let callee = self.request(*id, Mode::Check);
                        w.line(code!("if ({}({})) {}++;", callee, v, count));
                    }
                    w.braces(code!("if ({} !== 1) {{", count), |w| {
                        self.report(w, mode, ctx, report, Some(&count))
                    });
                });
            }
        }
    }

    /// A TS expression that is true when `v` is none of `values`.
    fn enum_test(&mut self, values: &[Value], v: &Ident, facts: Facts<'_>) -> Code<Ts> {
        if values
            .iter()
            .all(|value| value.is_string() && !facts.widen(value))
        {
            let strings: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
            if strings.len() <= ENUM_CHAIN_MAX {
                return Code::join(
                    strings.iter().map(|s| code!("{} !== {}", v, Str(s))),
                    " && ",
                );
            }
            let literals = Code::join(strings.iter().map(|s| code!("{}", Str(s))), ", ");
            let set = self.constant("SET", literals.as_str().to_owned(), |name| {
                code!(
                    "const {}: ReadonlySet<unknown> = new Set<unknown>([{}]);",
                    name,
                    literals
                )
            });
            return code!("!{}.has({})", set, v);
        }
        let tests: Vec<Code<Ts>> = values
            .iter()
            .map(|value| self.equal_test(value, v, facts.widen(value)))
            .collect();
        code!("!({})", Code::join(tests, " || "))
    }

    /// A TS expression that is true when `v` equals `value` as JSON.
    fn equal_test(&mut self, value: &Value, v: &Ident, widen: bool) -> Code<Ts> {
        let v = if widen {
            code!("({} as unknown)", v)
        } else {
            code!("{}", v)
        };
        match value {
            Value::Null => code!("{} === null", v),
            Value::Bool(true) => code!("{} === true", v),
            Value::Bool(false) => code!("{} === false", v),
            Value::Number(n) => code!("{} === {}", v, Num(n)),
            Value::String(s) => code!("{} === {}", v, Str(s)),
            Value::Array(_) | Value::Object(_) => {
                self.runtime_imports.insert("jsonEqual");
                let text = json_text(value);
                let literal = self.constant("LIT", text.clone(), |name| {
                    code!("const {}: unknown = JSON.parse({});", name, Str(&text))
                });
                code!("jsonEqual({}, {})", v, literal)
            }
        }
    }
}

/// The name of a format's check in the formats module (`isDeviceKeyId`).
fn format_function(format: &formats::Format) -> Ident {
    Ident::from_name(&format!("is{}", formats::pascal_name(format)))
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
fn type_test(t: JsonType, v: &Ident, negated: bool) -> Code<Ts> {
    match (t, negated) {
        (JsonType::Null, false) => code!("{} === null", v),
        (JsonType::Null, true) => code!("{} !== null", v),
        (JsonType::Boolean, false) => code!("typeof {} === \"boolean\"", v),
        (JsonType::Boolean, true) => code!("typeof {} !== \"boolean\"", v),
        (JsonType::Integer, false) => code!("Number.isInteger({})", v),
        (JsonType::Integer, true) => code!("!Number.isInteger({})", v),
        (JsonType::Number, false) => code!("typeof {} === \"number\"", v),
        (JsonType::Number, true) => code!("typeof {} !== \"number\"", v),
        (JsonType::String, false) => code!("typeof {} === \"string\"", v),
        (JsonType::String, true) => code!("typeof {} !== \"string\"", v),
        (JsonType::Array, false) => code!("Array.isArray({})", v),
        (JsonType::Array, true) => code!("!Array.isArray({})", v),
        (JsonType::Object, false) => code!(
            "typeof {} === \"object\" && {} !== null && !Array.isArray({})",
            v,
            v,
            v
        ),
        (JsonType::Object, true) => code!(
            "typeof {} !== \"object\" || {} === null || Array.isArray({})",
            v,
            v,
            v
        ),
    }
}

#[cfg(test)]
mod tests {

    use serde_json::json;

    use super::*;

    use crate::schema_set::general_set as set;

    fn emit_all(set: &SchemaSet) -> String {
        let names: Vec<String> = set.docs.keys().cloned().collect();
        let plan = crate::plan::lower(&crate::model::compile(set, &names));
        emit(
            &plan,
            set,
            TsPaths {
                validator_runtime: "./validator-runtime.js",
                formats: "./formats.js",
                types: Some("./types.js"),
            },
        )
    }

    #[test]
    fn object_checks_follow_the_plan_order_and_paths() {
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
        // Both flavours look the declared properties up; the collecting one reports an unknown
        // member where its name comes among theirs, the yes/no one as it comes.
        assert!(out.contains("(others3 ??= []).push(k4);"), "{out}");
        assert!(
            out.contains("if (others3 !== undefined) at5 = out.reportMembers(others3, at5, \"id\", \"Thing.json#/additionalProperties\", \"additionalProperties\", \"unknown property \");"),
            "{out}"
        );
        assert!(out.contains("for (const k4 in m1) {"), "{out}");
        assert!(
            out.contains("import * as formats from \"./formats.js\";"),
            "{out}"
        );
        assert!(
            out.contains("import type * as types from \"./types.js\";"),
            "{out}"
        );
        // Type, then the members (unknown ones where their names come), then required, as in
        // Rust.
        let collect = &out[out.find("function f0(").expect("f0")..];
        let collect = &collect[..collect.find("\n}\n").expect("end of f0")];
        let at = |s: &str| collect.find(s).unwrap_or_else(|| panic!("{s} missing"));
        let last = |s: &str| collect.rfind(s).unwrap_or_else(|| panic!("{s} missing"));
        let unknown = "Thing.json#/additionalProperties\"";
        assert!(at("Thing.json#/type") < at(unknown));
        assert!(at(unknown) < at("Thing.json#/properties/id/format"));
        assert!(at("Thing.json#/properties/id/format") < at("Thing.json#/properties/n/maximum"));
        assert!(at("Thing.json#/properties/n/maximum") < last(unknown));
        assert!(last(unknown) < at("Thing.json#/required"));
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
        // `Wrap`'s variants are reached only through a general oneOf, which calls only their
        // yes/no flavour.
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
