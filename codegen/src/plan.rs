//! The check plan: the validation model lowered once into an ordered, language-neutral list of
//! steps per function, which the Rust and TypeScript validator emitters only print. What is
//! checked, in which order, with which schema path, keyword and message, is decided here and
//! nowhere else, so the two languages report identical violation lists in identical order.
//!
//! # The order
//!
//! The steps of one schema object come in this fixed order, whatever the order of its keywords
//! in the document (draft-07 gives them none):
//!
//! 1. `type`, then `enum`, then `const`;
//! 2. for a string: `minLength`, `maxLength`, `pattern`, `format`;
//! 3. for a number: for an integer-typed schema (`type` allows integers but not every number, or
//!    an integer format) not bounded within ±(2^53 − 1) by its own `minimum`/`maximum` (or their
//!    exclusive forms, or its range format), first that the number lies within ±(2^53 − 1), reported as `type` or
//!    `format` (beyond, JavaScript cannot hold every integer; when it fails, nothing else of this
//!    step runs); then `minimum`, `exclusiveMinimum`,
//!    `maximum`, `exclusiveMaximum`, `multipleOf`, `format` (a range format of the general
//!    profile, `uint32`..., is its range: a `minimum` and a `maximum` test, reported as `format`);
//! 4. for an array: `minItems`, `maxItems`, `uniqueItems`, then the items (`items`) in index order,
//!    then the items past a tuple (`additionalItems`: `false` reports like `maxItems`, a schema
//!    runs on each in index order), then `contains`;
//! 5. for an object: `minProperties`, `maxProperties`, then `propertyNames` on each member's name
//!    (reported at the member's path); then the members, in the code-point order of their names
//!    (how Rust orders a `String`, and so how a `serde_json` map iterates, unless something
//!    enables serde_json's `preserve_order` feature, which nothing in this workspace does), each
//!    checked against its declared property's schema, then against every `patternProperties`
//!    schema whose pattern its name matches (in the code-point order of the patterns), and
//!    against `additionalProperties` if neither applied; then each missing `required` property,
//!    in the order of the `required` array; then `dependencies`, in the code-point order of
//!    their property names, each applying when its property is present (the array form reports
//!    each missing property in array order, the schema form runs the schema on the object);
//! 6. `oneOf`;
//! 7. `allOf`: each subschema in array order, its violations reported as its own (no `allOf`
//!    violation of its own);
//! 8. `anyOf` (one violation when no subschema matches), then `not` (one violation when its
//!    subschema matches);
//! 9. `if`: `then`'s violations when the value matches `if`, `else`'s when it does not (no
//!    violation of `if`'s own; an `if` without `then` or `else` checks nothing).
//!
//! The subschemas of `oneOf`, `anyOf`, `not`, `if` and `contains` are only asked yes or no, so
//! their own violations are not reported; `allOf`, `then`, `else`, `propertyNames` and the schema
//! form of `dependencies` report theirs.
//!
//! A step that fails reports its violation and the next step runs (collecting every violation),
//! unless the sink has what it wants (stop at the first, or at a limit); a nested schema's
//! violations come where its step is.
//!
//! Missing required properties come after the members because a closed object
//! (`additionalProperties` given) is checked in one pass over its members, at the end of which the
//! missing ones are known; the server's message for an invalid request is codex's text for the
//! first violation's field, so a present field that is wrong is named before a missing one, as
//! the protocol has always answered. Open objects follow the same rule, so that there is one.
//!
//! Steps that cannot fail are left out: `minLength: 0`, `minItems: 0`, an item or property
//! schema that accepts everything.
//!
//! The order is the order of the reports. A validator that only answers yes or no reports
//! nothing, so the order of its tests is its own (TypeScript's tests an object's required
//! properties first, the cheapest failure); its answer is the same.
//!
//! # Functions
//!
//! Every model function (a document root or a `$ref` target) is a plan function with the same
//! index, named by it (`12`); every `oneOf` variant that something calls is a function too, named
//! after its parent, the `oneOf`'s position among the parent's groups and the variant's index
//! (`12_0_1`). The subschemas of the other applicators are functions named the same way, one
//! group per keyword in the order above: `contains` (`_0`), `propertyNames` (`_0`), the schema
//! dependencies (their index among the `dependencies`), `allOf`, `anyOf` (their array index),
//! `not` (`_0`), `if`/`then`/`else` (`_0`, `_1`, `_2`). Emitters prefix the names (`f12_0_1`).

use std::collections::BTreeMap;

use serde_json::{Number, Value};

use crate::formats::Format;
use crate::json::JsonType;
use crate::messages;
use crate::model::{self, Checks, Dependency, Items, Model, Node, NodeKind, Pattern};

/// Index of a [`Function`] in [`Plan::functions`].
pub(crate) type FnId = usize;

/// The plan of a whole model.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// Every function; the model's functions first, at their model index.
    pub(crate) functions: Vec<Function>,
    /// The root function of each requested document, by type name.
    pub(crate) roots: BTreeMap<String, FnId>,
}

/// One function: the steps that validate one schema location.
#[derive(Debug, Clone)]
pub(crate) struct Function {
    /// The name, without a language's prefix: `12`, `12_0_1` (digits and `_`).
    pub(crate) name: String,
    /// Where its schema is: `DeviceKeySignParams.json#/properties/payload`.
    pub(crate) location: String,
    /// The steps, in order.
    pub(crate) steps: Vec<Step>,
}

/// One step of a plan.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    /// The `false` schema: every value fails.
    Fail(Report),
    /// `$ref`: the target function's steps, for the same value.
    Call(FnId),
    /// `type`: the value has one of these types (none: it always fails).
    Type(Vec<JsonType>, Report),
    /// `enum`: the value equals one of these (as JSON).
    Enum(Vec<Value>, Report),
    /// `const`: the value equals this one (as JSON).
    Const(Value, Report),
    /// Checks that apply when the value is a string.
    String(Vec<(StringTest, Report)>),
    /// Checks that apply when the value is a number.
    Number(Vec<(NumberTest, Report)>),
    /// Steps that apply when the value is an array.
    Array(Vec<ArrayStep>),
    /// Steps that apply when the value is an object.
    Object(Box<ObjectSteps>),
    /// `oneOf`.
    OneOf(OneOfStep),
    /// `anyOf`: at least one of these functions passes.
    AnyOf(Vec<FnId>, Report),
    /// `not`: the function fails.
    Not(FnId, Report),
    /// `if`: when `test` passes, `then`'s steps run on the value, otherwise `otherwise`'s (a
    /// branch that is `None` accepts everything; at least one is `Some`).
    IfThenElse {
        /// `if`.
        test: FnId,
        /// `then`.
        then: Option<FnId>,
        /// `else`.
        otherwise: Option<FnId>,
    },
}

/// A test on a string.
#[derive(Debug, Clone)]
pub(crate) enum StringTest {
    /// At least this many code points (more than 0).
    MinLength(u64),
    /// At most this many code points.
    MaxLength(u64),
    /// Matches the pattern.
    Pattern(Pattern),
    /// Is in the format.
    Format(&'static Format),
}

/// A test on a number.
#[derive(Debug, Clone)]
pub(crate) enum NumberTest {
    /// Within ±(2^53 − 1), where every integer is exactly one binary64 double, so JavaScript holds
    /// the integer the text says (`9007199254740993` reads as 2^53). Tested first, for an
    /// integer-typed schema only (`type` allows integers but not every number, or an integer
    /// format) whose own bounds do not already keep within that range, and when it fails no
    /// other test of the step runs. Both languages compare every
    /// number as the double its text reads as, so they agree everywhere; this test is there so
    /// that an integer neither can hold exactly is refused rather than silently rounded.
    Exact,
    /// Greater than or equal to this.
    Minimum(Number),
    /// Less than or equal to this.
    Maximum(Number),
    /// Greater than this.
    ExclusiveMinimum(Number),
    /// Less than this.
    ExclusiveMaximum(Number),
    /// A whole multiple of this (greater than 0): the quotient, in binary64 floating point, is
    /// finite and within a relative `EPSILON` of a whole number, in both languages.
    MultipleOf(f64),
    /// Is in the (numeric) format.
    Format(&'static Format),
}

/// A step on an array.
#[derive(Debug, Clone)]
pub(crate) enum ArrayStep {
    /// At least this many items (more than 0).
    MinItems(u64, Report),
    /// At most this many items.
    MaxItems(u64, Report),
    /// No two items are equal.
    UniqueItems(Report),
    /// These steps for every item, in index order (never empty).
    EachItem(Vec<Step>),
    /// These steps for the item at this index, when there is one (never empty).
    Item(usize, Vec<Step>),
    /// These steps for every item from this index on, in index order (`additionalItems`; never
    /// empty).
    ItemsFrom(usize, Vec<Step>),
    /// `contains`: at least one item passes the function.
    Contains(FnId, Report),
}

/// The steps on an object: its members in code-point order of their names, then the missing
/// required properties.
#[derive(Debug, Clone)]
pub(crate) struct ObjectSteps {
    /// `minProperties` (more than 0).
    pub(crate) min_properties: Option<(u64, Report)>,
    /// `maxProperties`.
    pub(crate) max_properties: Option<(u64, Report)>,
    /// `propertyNames`: the function, run on every member's name (as a string value) at the
    /// member's instance path, in code-point order of the names.
    pub(crate) property_names: Option<FnId>,
    /// `patternProperties`: each member whose name matches a pattern also runs its steps (after
    /// the declared property's), in this order, and is not additional.
    pub(crate) patterns: Vec<PatternProperty>,
    /// `dependencies`, in code-point order of their property names, each applying when its
    /// property is present.
    pub(crate) dependencies: Vec<DependencyStep>,
    /// Every declared property, sorted by name (code points); those that accept everything have
    /// no steps, but are still not additional.
    pub(crate) properties: Vec<Property>,
    /// What a member that is not declared must satisfy (`None`: anything).
    pub(crate) additional: Option<Additional>,
    /// The required properties, in `required` order.
    pub(crate) required: Vec<Required>,
}

/// A declared property.
#[derive(Debug, Clone)]
pub(crate) struct Property {
    /// Its name.
    pub(crate) name: String,
    /// The steps for its value (empty: anything).
    pub(crate) steps: Vec<Step>,
}

/// A `patternProperties` entry.
#[derive(Debug, Clone)]
pub(crate) struct PatternProperty {
    /// The pattern.
    pub(crate) pattern: Pattern,
    /// The steps for the value of a member whose name matches (empty: anything).
    pub(crate) steps: Vec<Step>,
}

/// A `dependencies` entry.
#[derive(Debug, Clone)]
pub(crate) struct DependencyStep {
    /// The property whose presence makes it apply.
    pub(crate) name: String,
    /// What then applies.
    pub(crate) kind: DependencyKind,
}

/// What a `dependencies` entry requires.
#[derive(Debug, Clone)]
pub(crate) enum DependencyKind {
    /// These properties must be present too (each reported when missing, in array order).
    Properties(Vec<Required>),
    /// The object must pass this function too.
    Schema(FnId),
}

/// `additionalProperties`, when it does not accept everything.
#[derive(Debug, Clone)]
pub(crate) enum Additional {
    /// `false`: a member that is not declared is reported as unknown ([`Message::UnknownProperty`]).
    Forbidden(Report),
    /// A schema: these steps (never empty) for the value of every member that is not declared.
    Checked(Vec<Step>),
}

/// A required property.
#[derive(Debug, Clone)]
pub(crate) struct Required {
    /// Its name.
    pub(crate) name: String,
    /// The violation when it is missing.
    pub(crate) report: Report,
}

/// `oneOf`.
#[derive(Debug, Clone)]
pub(crate) enum OneOfStep {
    /// A discriminated `oneOf`: the variant whose tag the value's `property` holds runs on the
    /// value; a value that is not an object, or whose tag is missing or none of them, fails.
    Tagged {
        /// The tag property.
        property: String,
        /// Each tag value and its variant's function.
        cases: Vec<(String, FnId)>,
        /// The violation when no case applies.
        report: Report,
    },
    /// A nullable `oneOf`: a value other than `null` must pass `other` (which reports why not);
    /// `null` fails only when `other` accepts it too (it then matched both variants).
    Nullable {
        /// The variant that is not `{"type": "null"}`.
        other: FnId,
        /// The violation when `null` matched both.
        report: Report,
    },
    /// Any other `oneOf`: exactly one variant must pass ([`Message::MatchedCount`] otherwise).
    Counted {
        /// The variants.
        variants: Vec<FnId>,
        /// The violation when zero or several passed.
        report: Report,
    },
}

/// A violation to report.
#[derive(Debug, Clone)]
pub(crate) struct Report {
    /// The violated keyword's schema path: `DeviceKeySignParams.json#/properties/keyId/format`.
    pub(crate) schema_path: String,
    /// The keyword: `format`, `required`, `false`, `additionalProperties`...
    pub(crate) keyword: &'static str,
    /// What is wrong.
    pub(crate) message: Message,
}

/// A violation's message.
#[derive(Debug, Clone)]
pub(crate) enum Message {
    /// A text known when generating.
    Text(String),
    /// [`messages::UNKNOWN_PROPERTY_PREFIX`], then the member's name as a JSON string.
    UnknownProperty,
    /// [`messages::ONE_OF_PREFIX`], then how many variants matched, in decimal.
    MatchedCount,
}

impl Plan {
    /// The functions in the order they are printed: by name, its numbers compared as numbers
    /// (`2` before `10`, `3` before `3_0_0`).
    pub(crate) fn printing_order(&self) -> Vec<FnId> {
        let mut ids: Vec<FnId> = (0..self.functions.len()).collect();
        ids.sort_by_cached_key(|&id| {
            self.functions[id]
                .name
                .split('_')
                .map(|part| part.parse::<usize>().unwrap_or(usize::MAX))
                .collect::<Vec<_>>()
        });
        ids
    }
}

/// Lowers `model` into its plan.
pub(crate) fn lower(model: &Model) -> Plan {
    let mut lowering = Lowering {
        functions: Vec::with_capacity(model.functions.len()),
    };
    for (id, function) in model.functions.iter().enumerate() {
        lowering.functions.push(Function {
            name: id.to_string(),
            location: function.location.clone(),
            steps: Vec::new(),
        });
    }
    for (id, function) in model.functions.iter().enumerate() {
        let mut scope = Scope {
            name: id.to_string(),
            groups: 0,
        };
        let steps = lowering.node(&function.node, &mut scope);
        lowering.functions[id].steps = steps;
    }
    Plan {
        functions: lowering.functions,
        roots: model.roots.clone(),
    }
}

struct Lowering {
    functions: Vec<Function>,
}

/// The function being lowered: its name and how many `oneOf`s it has so far.
struct Scope {
    name: String,
    groups: usize,
}

fn report(schema_path: String, keyword: &'static str, message: String) -> Report {
    Report {
        schema_path,
        keyword,
        message: Message::Text(message),
    }
}

impl Lowering {
    fn node(&mut self, node: &Node, scope: &mut Scope) -> Vec<Step> {
        match &node.kind {
            NodeKind::Anything => Vec::new(),
            NodeKind::Nothing => vec![Step::Fail(report(
                node.schema_path.clone(),
                "false",
                messages::nothing_allowed(),
            ))],
            NodeKind::Ref(id) => vec![Step::Call(*id)],
            NodeKind::Checks(checks) => self.checks(checks, &node.schema_path, scope),
        }
    }

    /// A function for `node` (a `oneOf` variant), named `name`.
    fn function(&mut self, name: String, node: &Node) -> FnId {
        let id = self.functions.len();
        self.functions.push(Function {
            name: name.clone(),
            location: node.schema_path.clone(),
            steps: Vec::new(),
        });
        let mut scope = Scope { name, groups: 0 };
        let steps = self.node(node, &mut scope);
        self.functions[id].steps = steps;
        id
    }

    fn checks(&mut self, c: &Checks, at: &str, scope: &mut Scope) -> Vec<Step> {
        let path = |keyword: &str| format!("{at}/{keyword}");
        let mut steps = Vec::new();
        if let Some(types) = &c.types {
            let message = messages::type_mismatch(types);
            steps.push(Step::Type(
                types.clone(),
                report(path("type"), "type", message),
            ));
        }
        if let Some(values) = &c.enum_values {
            let message = messages::enum_mismatch(values);
            steps.push(Step::Enum(
                values.clone(),
                report(path("enum"), "enum", message),
            ));
        }
        if let Some(value) = &c.const_value {
            let message = messages::const_mismatch(value);
            steps.push(Step::Const(
                value.clone(),
                report(path("const"), "const", message),
            ));
        }

        let mut strings = Vec::new();
        if let Some(n) = c.min_length.filter(|n| *n > 0) {
            let r = report(path("minLength"), "minLength", messages::min_length(n));
            strings.push((StringTest::MinLength(n), r));
        }
        if let Some(n) = c.max_length {
            let r = report(path("maxLength"), "maxLength", messages::max_length(n));
            strings.push((StringTest::MaxLength(n), r));
        }
        if let Some(pattern) = &c.pattern {
            let r = report(
                path("pattern"),
                "pattern",
                messages::pattern(&pattern.source),
            );
            strings.push((StringTest::Pattern(pattern.clone()), r));
        }
        let format = c
            .format
            .map(|f| (f, report(path("format"), "format", messages::format(f))));
        if let Some((f, r)) = format
            .clone()
            .filter(|(f, _)| f.applies_to == JsonType::String)
        {
            strings.push((StringTest::Format(f), r));
        }
        if !strings.is_empty() {
            steps.push(Step::String(strings));
        }

        let mut numbers = Vec::new();
        if let Some(limit) = &c.minimum {
            let r = report(path("minimum"), "minimum", messages::minimum(limit));
            numbers.push((NumberTest::Minimum(limit.clone()), r));
        }
        if let Some(limit) = &c.exclusive_minimum {
            let r = report(
                path("exclusiveMinimum"),
                "exclusiveMinimum",
                messages::exclusive_minimum(limit),
            );
            numbers.push((NumberTest::ExclusiveMinimum(limit.clone()), r));
        }
        if let Some(limit) = &c.maximum {
            let r = report(path("maximum"), "maximum", messages::maximum(limit));
            numbers.push((NumberTest::Maximum(limit.clone()), r));
        }
        if let Some(limit) = &c.exclusive_maximum {
            let r = report(
                path("exclusiveMaximum"),
                "exclusiveMaximum",
                messages::exclusive_maximum(limit),
            );
            numbers.push((NumberTest::ExclusiveMaximum(limit.clone()), r));
        }
        if let Some(factor) = &c.multiple_of {
            let r = report(
                path("multipleOf"),
                "multipleOf",
                messages::multiple_of(factor),
            );
            let factor = factor
                .as_f64()
                .filter(|f| f.is_finite() && *f > 0.0)
                .unwrap_or(1.0);
            numbers.push((NumberTest::MultipleOf(factor), r));
        }
        if let Some((f, r)) = format.filter(|(f, _)| f.applies_to != JsonType::String) {
            numbers.push((NumberTest::Format(f), r));
        }
        if let Some(range) = &c.format_range {
            // Both ends in one report: a value is outside at most one of them.
            let message = messages::format_range(range.name, &range.minimum, &range.maximum);
            let r = report(path("format"), "format", message);
            numbers.push((NumberTest::Minimum(range.minimum.clone()), r.clone()));
            numbers.push((NumberTest::Maximum(range.maximum.clone()), r));
        }
        // An integer-typed schema: `type` allows integers and not all numbers, or an integer
        // format (`int64`, `uint32`...).
        let integer_type = c.types.as_ref().is_some_and(|types| {
            types.contains(&JsonType::Integer) && !types.contains(&JsonType::Number)
        });
        let integer_format = c.format.is_some_and(|f| f.applies_to == JsonType::Integer)
            || c.format_range.as_ref().is_some_and(|r| r.integer);
        // Bounds of the schema's own within ±(2^53 − 1) refuse every larger number already, in
        // both languages (which compare as doubles).
        const EXACT: f64 = 9_007_199_254_740_991.0;
        let lows = [&c.minimum, &c.exclusive_minimum]
            .into_iter()
            .flatten()
            .chain(c.format_range.as_ref().map(|r| &r.minimum));
        let highs = [&c.maximum, &c.exclusive_maximum]
            .into_iter()
            .flatten()
            .chain(c.format_range.as_ref().map(|r| &r.maximum));
        let bounded = lows.filter_map(Number::as_f64).any(|low| low >= -EXACT)
            && highs.filter_map(Number::as_f64).any(|high| high <= EXACT);
        if (integer_type || integer_format) && !bounded {
            let keyword = if integer_type { "type" } else { "format" };
            let exact = report(path(keyword), keyword, messages::not_exact());
            numbers.insert(0, (NumberTest::Exact, exact));
        }
        if !numbers.is_empty() {
            steps.push(Step::Number(numbers));
        }

        let mut arrays = Vec::new();
        if let Some(n) = c.min_items.filter(|n| *n > 0) {
            let r = report(path("minItems"), "minItems", messages::min_items(n));
            arrays.push(ArrayStep::MinItems(n, r));
        }
        if let Some(n) = c.max_items {
            let r = report(path("maxItems"), "maxItems", messages::max_items(n));
            arrays.push(ArrayStep::MaxItems(n, r));
        }
        if c.unique_items {
            let r = report(path("uniqueItems"), "uniqueItems", messages::unique_items());
            arrays.push(ArrayStep::UniqueItems(r));
        }
        match &c.items {
            None => {}
            Some(Items::All(node)) => {
                let item = self.node(node, scope);
                if !item.is_empty() {
                    arrays.push(ArrayStep::EachItem(item));
                }
            }
            Some(Items::Tuple(nodes)) => {
                for (i, node) in nodes.iter().enumerate() {
                    let item = self.node(node, scope);
                    if !item.is_empty() {
                        arrays.push(ArrayStep::Item(i, item));
                    }
                }
                if let Some(node) = &c.additional_items {
                    let n = nodes.len() as u64;
                    match node.kind {
                        NodeKind::Nothing => arrays.push(ArrayStep::MaxItems(
                            n,
                            report(
                                node.schema_path.clone(),
                                "additionalItems",
                                messages::max_items(n),
                            ),
                        )),
                        _ => {
                            let rest = self.node(node, scope);
                            if !rest.is_empty() {
                                arrays.push(ArrayStep::ItemsFrom(nodes.len(), rest));
                            }
                        }
                    }
                }
            }
        }
        if let Some(node) = &c.contains {
            let id = self.sub(node, scope, 0);
            scope.groups += 1;
            let r = report(path("contains"), "contains", messages::contains());
            arrays.push(ArrayStep::Contains(id, r));
        }
        if !arrays.is_empty() {
            steps.push(Step::Array(arrays));
        }

        let mut properties: Vec<Property> = Vec::with_capacity(c.properties.len());
        for (name, node) in &c.properties {
            let steps = self.node(node, scope);
            properties.push(Property {
                name: name.clone(),
                steps,
            });
        }
        properties.sort_by(|a, b| a.name.cmp(&b.name));
        let additional = c
            .additional_properties
            .as_deref()
            .and_then(|node| match node.kind {
                NodeKind::Nothing => Some(Additional::Forbidden(Report {
                    schema_path: node.schema_path.clone(),
                    keyword: "additionalProperties",
                    message: Message::UnknownProperty,
                })),
                _ => {
                    let steps = self.node(node, scope);
                    (!steps.is_empty()).then_some(Additional::Checked(steps))
                }
            });
        let mut required: Vec<Required> = Vec::with_capacity(c.required.len());
        for name in &c.required {
            if !required.iter().any(|r| &r.name == name) {
                required.push(Required {
                    name: name.clone(),
                    report: report(path("required"), "required", messages::required(name)),
                });
            }
        }
        let min_properties = c.min_properties.filter(|n| *n > 0).map(|n| {
            let r = report(
                path("minProperties"),
                "minProperties",
                messages::min_properties(n),
            );
            (n, r)
        });
        let max_properties = c.max_properties.map(|n| {
            let r = report(
                path("maxProperties"),
                "maxProperties",
                messages::max_properties(n),
            );
            (n, r)
        });
        let property_names = c.property_names.as_deref().map(|node| {
            let id = self.sub(node, scope, 0);
            scope.groups += 1;
            id
        });
        let mut patterns = Vec::with_capacity(c.pattern_properties.len());
        for (pattern, node) in &c.pattern_properties {
            let steps = self.node(node, scope);
            patterns.push(PatternProperty {
                pattern: pattern.clone(),
                steps,
            });
        }
        let mut dependencies = Vec::with_capacity(c.dependencies.len());
        if !c.dependencies.is_empty() {
            for (i, (name, dependency)) in c.dependencies.iter().enumerate() {
                let at = crate::error::pointer_push(&path("dependencies"), name);
                let kind = match dependency {
                    Dependency::Properties(names) => {
                        let mut needed: Vec<Required> = Vec::new();
                        for needed_name in names {
                            if !needed.iter().any(|r| &r.name == needed_name) {
                                needed.push(Required {
                                    name: needed_name.clone(),
                                    report: report(
                                        at.clone(),
                                        "dependencies",
                                        messages::dependency(needed_name, name),
                                    ),
                                });
                            }
                        }
                        if needed.is_empty() {
                            continue;
                        }
                        DependencyKind::Properties(needed)
                    }
                    Dependency::Schema(node) => {
                        if matches!(node.kind, NodeKind::Anything) {
                            continue;
                        }
                        DependencyKind::Schema(self.sub(node, scope, i))
                    }
                };
                dependencies.push(DependencyStep {
                    name: name.clone(),
                    kind,
                });
            }
            scope.groups += 1;
        }
        dependencies.sort_by(|a, b| a.name.cmp(&b.name));
        if !required.is_empty()
            || additional.is_some()
            || properties.iter().any(|p| !p.steps.is_empty())
            || min_properties.is_some()
            || max_properties.is_some()
            || property_names.is_some()
            || patterns.iter().any(|p| !p.steps.is_empty())
            || !dependencies.is_empty()
        {
            steps.push(Step::Object(Box::new(ObjectSteps {
                min_properties,
                max_properties,
                property_names,
                patterns,
                dependencies,
                properties,
                additional,
                required,
            })));
        }

        if let Some(one_of) = &c.one_of {
            steps.push(Step::OneOf(self.one_of(one_of, &path("oneOf"), scope)));
        }

        if !c.all_of.is_empty() {
            let mut calls = Vec::new();
            for (i, node) in c.all_of.iter().enumerate() {
                if !matches!(node.kind, NodeKind::Anything) {
                    calls.push(Step::Call(self.sub(node, scope, i)));
                }
            }
            scope.groups += 1;
            steps.extend(calls);
        }
        if let Some(variants) = &c.any_of {
            let ids = variants
                .iter()
                .enumerate()
                .map(|(i, node)| self.sub(node, scope, i))
                .collect();
            scope.groups += 1;
            let r = report(path("anyOf"), "anyOf", messages::any_of());
            steps.push(Step::AnyOf(ids, r));
        }
        if let Some(node) = &c.not {
            let id = self.sub(node, scope, 0);
            scope.groups += 1;
            steps.push(Step::Not(id, report(path("not"), "not", messages::not())));
        }
        if let Some(branches) = &c.if_then_else {
            let test = self.sub(&branches.test, scope, 0);
            let then = branches.then.as_deref().map(|n| self.sub(n, scope, 1));
            let otherwise = branches.otherwise.as_deref().map(|n| self.sub(n, scope, 2));
            scope.groups += 1;
            steps.push(Step::IfThenElse {
                test,
                then,
                otherwise,
            });
        }
        steps
    }

    /// A function for `node`, the `i`th schema of the scope's current group (`{scope}_{group}_{i}`);
    /// the caller moves the scope to its next group when the group is done.
    fn sub(&mut self, node: &Node, scope: &Scope, i: usize) -> FnId {
        self.function(format!("{}_{}_{i}", scope.name, scope.groups), node)
    }

    fn one_of(&mut self, one_of: &model::OneOf, at: &str, scope: &mut Scope) -> OneOfStep {
        let group = scope.groups;
        scope.groups += 1;
        let name = |i: usize| format!("{}_{group}_{i}", scope.name);
        let nullable = one_of
            .nullable
            .and_then(|i| one_of.variants.get(i).map(|variant| (i, variant)));
        match (&one_of.discriminator, nullable) {
            (Some(disc), _) => {
                let mut cases = Vec::with_capacity(disc.values.len());
                for (i, (value, variant)) in disc.values.iter().zip(&one_of.variants).enumerate() {
                    cases.push((value.clone(), self.function(name(i), variant)));
                }
                OneOfStep::Tagged {
                    property: disc.property.clone(),
                    cases,
                    report: report(
                        at.to_owned(),
                        "oneOf",
                        messages::discriminator(&disc.property, &disc.values),
                    ),
                }
            }
            (None, Some((other, variant))) => OneOfStep::Nullable {
                other: self.function(name(other), variant),
                report: report(
                    at.to_owned(),
                    "oneOf",
                    format!("{}2", messages::ONE_OF_PREFIX),
                ),
            },
            (None, None) => {
                let mut variants = Vec::with_capacity(one_of.variants.len());
                for (i, variant) in one_of.variants.iter().enumerate() {
                    variants.push(self.function(name(i), variant));
                }
                OneOfStep::Counted {
                    variants,
                    report: Report {
                        schema_path: at.to_owned(),
                        keyword: "oneOf",
                        message: Message::MatchedCount,
                    },
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {

    use serde_json::json;

    use super::*;

    fn plan_of(schema: Value) -> Plan {
        let set = crate::schema_set::general_set(vec![("T", schema)]);
        lower(&model::compile(&set, &["T".to_owned()]))
    }

    /// The schema paths of the reports of `steps`, in plan order (not descending into calls).
    fn paths(steps: &[Step], out: &mut Vec<String>) {
        let push = |r: &Report, out: &mut Vec<String>| out.push(r.schema_path.clone());
        for step in steps {
            match step {
                Step::Fail(r) | Step::Type(_, r) | Step::Enum(_, r) | Step::Const(_, r) => {
                    push(r, out)
                }
                Step::Call(_) => {}
                Step::String(tests) => tests.iter().for_each(|(_, r)| push(r, out)),
                Step::Number(tests) => tests.iter().for_each(|(_, r)| push(r, out)),
                Step::Array(items) => {
                    for item in items {
                        match item {
                            ArrayStep::MinItems(_, r)
                            | ArrayStep::MaxItems(_, r)
                            | ArrayStep::UniqueItems(r)
                            | ArrayStep::Contains(_, r) => push(r, out),
                            ArrayStep::EachItem(steps)
                            | ArrayStep::Item(_, steps)
                            | ArrayStep::ItemsFrom(_, steps) => paths(steps, out),
                        }
                    }
                }
                Step::Object(object) => {
                    if let Some((_, r)) = &object.min_properties {
                        push(r, out);
                    }
                    if let Some((_, r)) = &object.max_properties {
                        push(r, out);
                    }
                    for property in &object.properties {
                        paths(&property.steps, out);
                    }
                    for pattern in &object.patterns {
                        paths(&pattern.steps, out);
                    }
                    match &object.additional {
                        Some(Additional::Forbidden(r)) => push(r, out),
                        Some(Additional::Checked(steps)) => paths(steps, out),
                        None => {}
                    }
                    object.required.iter().for_each(|r| push(&r.report, out));
                    for dependency in &object.dependencies {
                        if let DependencyKind::Properties(needed) = &dependency.kind {
                            needed.iter().for_each(|r| push(&r.report, out));
                        }
                    }
                }
                Step::OneOf(
                    OneOfStep::Tagged { report, .. }
                    | OneOfStep::Nullable { report, .. }
                    | OneOfStep::Counted { report, .. },
                )
                | Step::AnyOf(_, report)
                | Step::Not(_, report) => push(report, out),
                Step::IfThenElse { .. } => {}
            }
        }
    }

    #[test]
    fn keywords_come_in_the_fixed_order_whatever_the_document_order() {
        let plan = plan_of(json!({
            "oneOf": [{"type": "string"}, {"type": "integer"}],
            "required": ["b"],
            "additionalProperties": false,
            "properties": {"b": {"maxLength": 2}, "a": {"minimum": 1}},
            "uniqueItems": true,
            "items": {"const": 1},
            "maxItems": 3,
            "minItems": 1,
            "maximum": 9,
            "minimum": 0,
            "format": "int64",
            "pattern": "x",
            "maxLength": 5,
            "minLength": 1,
            "const": 3,
            "enum": [3],
            "type": ["integer", "string", "array", "object"]
        }));
        let mut out = Vec::new();
        paths(&plan.functions[plan.roots["T"]].steps, &mut out);
        let keywords: Vec<&str> = out
            .iter()
            .map(|p| p.strip_prefix("T.json#").expect("path"))
            .collect();
        assert_eq!(
            keywords,
            [
                "/type",
                "/enum",
                "/const",
                "/minLength",
                "/maxLength",
                "/pattern",
                "/minimum",
                "/maximum",
                "/format",
                "/minItems",
                "/maxItems",
                "/uniqueItems",
                "/items/const",
                "/properties/a/minimum",
                "/properties/b/maxLength",
                "/additionalProperties",
                "/required",
                "/oneOf"
            ]
        );
        // The oneOf's variants are functions named after the root.
        let names: Vec<&str> = plan.functions.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["0", "0_0_0", "0_0_1"]);
    }

    #[test]
    fn the_validation_only_keywords_have_their_places_in_the_order() {
        let plan = plan_of(json!({
            "if": {"type": "string"},
            "then": {"minLength": 2},
            "not": {"type": "null"},
            "anyOf": [{"type": "string"}, {"type": "array"}],
            "allOf": [{"maxLength": 4}, true, {"minItems": 2}],
            "oneOf": [{"type": "string"}, {"type": "integer"}],
            "dependencies": {"b": ["a"], "a": {"required": ["c"]}},
            "required": ["r"],
            "additionalProperties": false,
            "patternProperties": {"^p": {"minimum": 1}},
            "properties": {"q": {"maximum": 2}},
            "propertyNames": {"maxLength": 3},
            "maxProperties": 5,
            "minProperties": 1,
            "contains": {"const": 1},
            "additionalItems": false,
            "items": [{"const": 0}],
            "multipleOf": 2,
            "exclusiveMaximum": 9,
            "exclusiveMinimum": 0,
            "maximum": 10,
            "minimum": -1
        }));
        let mut out = Vec::new();
        paths(&plan.functions[plan.roots["T"]].steps, &mut out);
        let keywords: Vec<&str> = out
            .iter()
            .map(|p| p.strip_prefix("T.json#").expect("path"))
            .collect();
        assert_eq!(
            keywords,
            [
                "/minimum",
                "/exclusiveMinimum",
                "/maximum",
                "/exclusiveMaximum",
                "/multipleOf",
                "/items/0/const",
                "/additionalItems",
                "/contains",
                "/minProperties",
                "/maxProperties",
                "/properties/q/maximum",
                "/patternProperties/^p/minimum",
                "/additionalProperties",
                "/required",
                "/dependencies/b",
                "/oneOf",
                "/anyOf",
                "/not"
            ]
        );
        let root = &plan.functions[plan.roots["T"]].steps;
        let calls: Vec<&str> = root
            .iter()
            .filter_map(|step| match step {
                Step::Call(id) => Some(plan.functions[*id].location.as_str()),
                _ => None,
            })
            .collect();
        // `allOf`'s `true` needs no call; the subschemas run where `allOf` comes (after `oneOf`).
        assert_eq!(calls, ["T.json#/allOf/0", "T.json#/allOf/2"]);
        assert!(matches!(
            root.last(),
            Some(Step::IfThenElse {
                then: Some(_),
                otherwise: None,
                ..
            })
        ));
        // Functions are named after their parent, group and index, one group per keyword.
        let mut names: Vec<&str> = plan.functions.iter().map(|f| f.name.as_str()).collect();
        names.sort();
        assert_eq!(
            names,
            [
                // contains, propertyNames, the schema dependency of "a", oneOf, allOf (not its
                // `true`), anyOf, not, if/then.
                "0", "0_0_0", "0_1_0", "0_2_0", "0_3_0", "0_3_1", "0_4_0", "0_4_2", "0_5_0",
                "0_5_1", "0_6_0", "0_7_0", "0_7_1"
            ]
        );
    }

    #[test]
    fn steps_that_cannot_fail_are_left_out() {
        let plan = plan_of(json!({
            "minLength": 0,
            "minItems": 0,
            "items": [{}, true, {"type": "null"}],
            "properties": {"a": {}, "b": true}
        }));
        let steps = &plan.functions[0].steps;
        assert_eq!(steps.len(), 1, "{steps:?}");
        match &steps[0] {
            Step::Array(items) => {
                assert!(
                    matches!(items.as_slice(), [ArrayStep::Item(2, _)]),
                    "{items:?}"
                )
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_nullable_one_of_has_no_function_for_its_null_variant() {
        let plan = plan_of(json!({"oneOf": [{"type": "null"}, {"enum": ["a"]}]}));
        let names: Vec<&str> = plan.functions.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["0", "0_0_1"]);
        assert!(matches!(
            plan.functions[0].steps.as_slice(),
            [Step::OneOf(OneOfStep::Nullable { other: 1, .. })]
        ));
    }

    #[test]
    fn functions_print_in_numeric_name_order() {
        let plan = Plan {
            functions: ["10", "2", "2_0_1", "2_0_0", "2_1_0"]
                .iter()
                .map(|name| Function {
                    name: (*name).to_owned(),
                    location: String::new(),
                    steps: Vec::new(),
                })
                .collect(),
            roots: BTreeMap::new(),
        };
        let order: Vec<&str> = plan
            .printing_order()
            .into_iter()
            .map(|id| plan.functions[id].name.as_str())
            .collect();
        assert_eq!(order, ["2", "2_0_0", "2_0_1", "2_1_0", "10"]);
    }
}
