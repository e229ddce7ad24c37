//! The validation model: every checked schema compiled into one tree of checks that both the Rust
//! and the TypeScript validator emitters walk, so the two languages implement the same semantics,
//! report the same schema paths, keywords and messages, and in the same order.

use std::collections::BTreeMap;

use serde_json::{Number, Value};

use crate::error::pointer_push;
use crate::formats::{self, Format};
use crate::json::{as_count, JsonType};
use crate::schema_set::{find_range_format, Bound, Location, SchemaSet};

/// Index of a [`Function`] in [`Model::functions`].
pub(crate) type FnId = usize;

/// The compiled model: one function per schema that something refers to (document roots and
/// `$ref` targets), so recursion through `$ref` is a call.
#[derive(Debug, Clone)]
pub(crate) struct Model {
    /// Every function, in a deterministic order.
    pub(crate) functions: Vec<Function>,
    /// The root function of each requested document, by type name.
    pub(crate) roots: BTreeMap<String, FnId>,
}

/// A function validating one schema location.
#[derive(Debug, Clone)]
pub(crate) struct Function {
    /// Where its schema is: `DeviceKeySignParams.json#/properties/payload`.
    pub(crate) location: String,
    /// The checks.
    pub(crate) node: Node,
}

/// One schema node.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    /// The node's schema path: `DeviceKeySignParams.json#/properties/keyId`.
    pub(crate) schema_path: String,
    /// What it checks.
    pub(crate) kind: NodeKind,
}

/// What a node checks.
#[derive(Debug, Clone)]
pub(crate) enum NodeKind {
    /// `true` or `{}`: everything passes.
    Anything,
    /// `false`: nothing passes.
    Nothing,
    /// `$ref`: the target function decides (draft-07 ignores keywords beside `$ref`).
    Ref(FnId),
    /// Keyword checks.
    Checks(Box<Checks>),
}

/// The keyword checks of one schema object. Every keyword applies only to its instance type, as
/// JSON Schema says; `type` is the only keyword that rejects other types.
#[derive(Debug, Clone, Default)]
pub(crate) struct Checks {
    /// `type`.
    pub(crate) types: Option<Vec<JsonType>>,
    /// `enum`.
    pub(crate) enum_values: Option<Vec<Value>>,
    /// `const`.
    pub(crate) const_value: Option<Value>,
    /// `minLength` (in Unicode code points).
    pub(crate) min_length: Option<u64>,
    /// `maxLength`.
    pub(crate) max_length: Option<u64>,
    /// `pattern`: the ECMA-262 source and its `regex` translation.
    pub(crate) pattern: Option<Pattern>,
    /// `format`, when it is a named format.
    pub(crate) format: Option<&'static Format>,
    /// `format`, when it is a range format of the general profile (`uint32`...), lowered to its
    /// inclusive range.
    pub(crate) format_range: Option<FormatRange>,
    /// `minimum`.
    pub(crate) minimum: Option<Number>,
    /// `maximum`.
    pub(crate) maximum: Option<Number>,
    /// `items`.
    pub(crate) items: Option<Items>,
    /// `minItems`.
    pub(crate) min_items: Option<u64>,
    /// `maxItems`.
    pub(crate) max_items: Option<u64>,
    /// `uniqueItems: true`.
    pub(crate) unique_items: bool,
    /// `required`, in schema order.
    pub(crate) required: Vec<String>,
    /// `properties`, sorted by name.
    pub(crate) properties: Vec<(String, Node)>,
    /// `additionalProperties` (`None`: anything is allowed).
    pub(crate) additional_properties: Option<Box<Node>>,
    /// `oneOf`.
    pub(crate) one_of: Option<OneOf>,
    /// `exclusiveMinimum`.
    pub(crate) exclusive_minimum: Option<Number>,
    /// `exclusiveMaximum`.
    pub(crate) exclusive_maximum: Option<Number>,
    /// `multipleOf` (the profile check makes it greater than 0).
    pub(crate) multiple_of: Option<Number>,
    /// `additionalItems`, when `items` is a tuple (draft-07 ignores it otherwise).
    pub(crate) additional_items: Option<Box<Node>>,
    /// `contains`.
    pub(crate) contains: Option<Box<Node>>,
    /// `minProperties`.
    pub(crate) min_properties: Option<u64>,
    /// `maxProperties`.
    pub(crate) max_properties: Option<u64>,
    /// `propertyNames`.
    pub(crate) property_names: Option<Box<Node>>,
    /// `patternProperties`, in the map's order of the patterns.
    pub(crate) pattern_properties: Vec<(Pattern, Node)>,
    /// `dependencies`, in the map's order of the property names.
    pub(crate) dependencies: Vec<(String, Dependency)>,
    /// `allOf`.
    pub(crate) all_of: Vec<Node>,
    /// `anyOf`.
    pub(crate) any_of: Option<Vec<Node>>,
    /// `not`.
    pub(crate) not: Option<Box<Node>>,
    /// `if`, with `then` and `else` (`None`: the branch accepts everything).
    pub(crate) if_then_else: Option<IfThenElse>,
}

/// A range format (`schema_set::RANGE_FORMATS`) lowered to its range: the value, when a number,
/// lies within `minimum..=maximum`, compared as `minimum` and `maximum` are (so the two languages
/// give the verdict that they give for those keywords), and a violation is the `format` keyword's.
#[derive(Debug, Clone)]
pub(crate) struct FormatRange {
    /// The format's name: `uint32`.
    pub(crate) name: &'static str,
    /// The smallest value.
    pub(crate) minimum: Number,
    /// The largest value.
    pub(crate) maximum: Number,
    /// Whether it is an integer format (`int8`...`uint64`, `uint`), not a float one.
    pub(crate) integer: bool,
}

/// The range of the range format `name`, as numbers; `None` for a format that is not one, or
/// one that accepts every number (`double`).
pub(crate) fn lower_range_format(name: &str) -> Option<FormatRange> {
    let format = find_range_format(name)?;
    let (low, high) = format.range?;
    Some(FormatRange {
        name: format.name,
        minimum: bound(low)?,
        maximum: bound(high)?,
        integer: !matches!(low, Bound::Float(_)),
    })
}

fn bound(bound: Bound) -> Option<Number> {
    match bound {
        Bound::Signed(n) => Some(Number::from(n)),
        Bound::Unsigned(n) => Some(Number::from(n)),
        Bound::Float(f) => Number::from_f64(f),
    }
}

/// One entry of `dependencies`.
#[derive(Debug, Clone)]
pub(crate) enum Dependency {
    /// The array form: these properties must be present too.
    Properties(Vec<String>),
    /// The schema form: the object must also match this schema.
    Schema(Node),
}

/// `if` with its `then` and `else`.
#[derive(Debug, Clone)]
pub(crate) struct IfThenElse {
    /// `if`.
    pub(crate) test: Box<Node>,
    /// `then`.
    pub(crate) then: Option<Box<Node>>,
    /// `else`.
    pub(crate) otherwise: Option<Box<Node>>,
}

/// A `pattern`.
#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    /// As written in the schema (ECMA-262).
    pub(crate) source: String,
    /// For the `regex` crate.
    pub(crate) rust: String,
}

/// `items`.
#[derive(Debug, Clone)]
pub(crate) enum Items {
    /// One schema for every item.
    All(Box<Node>),
    /// A schema per position; items past the list are not constrained (no `additionalItems`).
    Tuple(Vec<Node>),
}

/// `oneOf`.
#[derive(Debug, Clone)]
pub(crate) struct OneOf {
    /// The variants.
    pub(crate) variants: Vec<Node>,
    /// When every variant is an object that requires property `property` with a distinct string
    /// `const`, at most one variant can match: the validators then pick the variant by that
    /// property and report its violations instead of a bare "matched none".
    pub(crate) discriminator: Option<Discriminator>,
    /// When the `oneOf` is a nullable type (two variants, one of them exactly `{"type": "null"}`),
    /// the index of the other variant: a value other than `null` must match that variant, so the
    /// validators report its violations (an enum's allowed values, an object's missing property)
    /// instead of a bare "matched 0"; `null` fails only when that variant accepts it too.
    pub(crate) nullable: Option<usize>,
}

/// A constant discriminator of a `oneOf`.
#[derive(Debug, Clone)]
pub(crate) struct Discriminator {
    /// The tag property (`type`).
    pub(crate) property: String,
    /// The tag value of each variant, in variant order.
    pub(crate) values: Vec<String>,
}

/// Compiles the documents named in `roots` and everything they reach.
pub(crate) fn compile(set: &SchemaSet, roots: &[String]) -> Model {
    let mut compiler = Compiler {
        set,
        ids: BTreeMap::new(),
        functions: Vec::new(),
        queue: Vec::new(),
    };
    let mut root_ids = BTreeMap::new();
    for root in roots {
        let id = compiler.function_for(Location {
            doc: root.clone(),
            pointer: String::new(),
        });
        root_ids.insert(root.clone(), id);
    }
    while let Some((id, location)) = compiler.queue.pop() {
        let schema = set.node(&location).cloned().unwrap_or(Value::Bool(true));
        let path = set.schema_path_of(&location.doc, &location.pointer);
        let node = compiler.node(&schema, &location.doc, &location.pointer, path.clone());
        compiler.functions[id] = Function {
            location: path,
            node,
        };
    }
    Model {
        functions: compiler.functions,
        roots: root_ids,
    }
}

struct Compiler<'a> {
    set: &'a SchemaSet,
    ids: BTreeMap<Location, FnId>,
    functions: Vec<Function>,
    queue: Vec<(FnId, Location)>,
}

impl Compiler<'_> {
    fn function_for(&mut self, location: Location) -> FnId {
        if let Some(id) = self.ids.get(&location) {
            return *id;
        }
        let id = self.functions.len();
        self.functions.push(Function {
            location: String::new(),
            node: Node {
                schema_path: String::new(),
                kind: NodeKind::Anything,
            },
        });
        self.ids.insert(location.clone(), id);
        self.queue.push((id, location));
        id
    }

    fn node(&mut self, schema: &Value, doc: &str, pointer: &str, schema_path: String) -> Node {
        let kind = match schema {
            Value::Bool(true) => NodeKind::Anything,
            Value::Bool(false) => NodeKind::Nothing,
            Value::Object(object) => {
                if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
                    // The profile check resolved every `$ref` already.
                    match self.set.resolve_at(doc, pointer, reference) {
                        Ok(location) => NodeKind::Ref(self.function_for(location)),
                        Err(_) => NodeKind::Nothing,
                    }
                } else {
                    let checks = self.checks(object, doc, pointer);
                    if checks.is_empty() {
                        NodeKind::Anything
                    } else {
                        NodeKind::Checks(Box::new(checks))
                    }
                }
            }
            _ => NodeKind::Nothing,
        };
        Node { schema_path, kind }
    }

    fn child(&mut self, schema: &Value, doc: &str, pointer: &str) -> Node {
        let path = self.set.schema_path_of(doc, pointer);
        self.node(schema, doc, pointer, path)
    }

    fn checks(
        &mut self,
        object: &serde_json::Map<String, Value>,
        doc: &str,
        pointer: &str,
    ) -> Checks {
        let mut checks = Checks::default();
        let at = |key: &str| pointer_push(pointer, key);
        for (key, value) in object {
            match key.as_str() {
                "type" => {
                    let names: Vec<&str> = match value {
                        Value::String(s) => vec![s.as_str()],
                        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                        _ => Vec::new(),
                    };
                    checks.types = Some(names.into_iter().filter_map(JsonType::parse).collect());
                }
                "enum" => checks.enum_values = value.as_array().cloned(),
                "const" => checks.const_value = Some(value.clone()),
                "minLength" => checks.min_length = as_count(value),
                "maxLength" => checks.max_length = as_count(value),
                "pattern" => {
                    if let Some(source) = value.as_str() {
                        let rust =
                            crate::patterns::to_rust(source).unwrap_or_else(|_| source.to_owned());
                        checks.pattern = Some(Pattern {
                            source: source.to_owned(),
                            rust,
                        });
                    }
                }
                "format" => {
                    checks.format = value.as_str().and_then(formats::find);
                    if checks.format.is_none() {
                        checks.format_range = value.as_str().and_then(lower_range_format);
                    }
                }
                "minimum" => checks.minimum = value.as_number().cloned(),
                "maximum" => checks.maximum = value.as_number().cloned(),
                "items" => {
                    checks.items = Some(match value {
                        Value::Array(schemas) => Items::Tuple(
                            schemas
                                .iter()
                                .enumerate()
                                .map(|(i, s)| {
                                    self.child(s, doc, &pointer_push(&at("items"), &i.to_string()))
                                })
                                .collect(),
                        ),
                        schema => Items::All(Box::new(self.child(schema, doc, &at("items")))),
                    })
                }
                "minItems" => checks.min_items = as_count(value),
                "maxItems" => checks.max_items = as_count(value),
                "uniqueItems" => checks.unique_items = value.as_bool() == Some(true),
                "required" => {
                    checks.required = value
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                }
                "properties" => {
                    for (name, schema) in value.as_object().into_iter().flatten() {
                        let node = self.child(schema, doc, &pointer_push(&at("properties"), name));
                        checks.properties.push((name.clone(), node));
                    }
                }
                "additionalProperties" => {
                    let node = self.child(value, doc, &at("additionalProperties"));
                    if !matches!(node.kind, NodeKind::Anything) {
                        checks.additional_properties = Some(Box::new(node));
                    }
                }
                "oneOf" => {
                    let schemas = value.as_array().cloned().unwrap_or_default();
                    let variants: Vec<Node> = schemas
                        .iter()
                        .enumerate()
                        .map(|(i, s)| {
                            self.child(s, doc, &pointer_push(&at("oneOf"), &i.to_string()))
                        })
                        .collect();
                    let discriminator = find_discriminator(&schemas);
                    let nullable = if discriminator.is_none() {
                        find_nullable(&variants)
                    } else {
                        None
                    };
                    checks.one_of = Some(OneOf {
                        variants,
                        discriminator,
                        nullable,
                    });
                }
                "exclusiveMinimum" => checks.exclusive_minimum = value.as_number().cloned(),
                "exclusiveMaximum" => checks.exclusive_maximum = value.as_number().cloned(),
                "multipleOf" => checks.multiple_of = value.as_number().cloned(),
                "additionalItems" if object.get("items").is_some_and(Value::is_array) => {
                    let node = self.child(value, doc, &at("additionalItems"));
                    if !matches!(node.kind, NodeKind::Anything) {
                        checks.additional_items = Some(Box::new(node));
                    }
                }
                "contains" => {
                    checks.contains = Some(Box::new(self.child(value, doc, &at("contains"))))
                }
                "minProperties" => checks.min_properties = as_count(value),
                "maxProperties" => checks.max_properties = as_count(value),
                "propertyNames" => {
                    let node = self.child(value, doc, &at("propertyNames"));
                    if !matches!(node.kind, NodeKind::Anything) {
                        checks.property_names = Some(Box::new(node));
                    }
                }
                "patternProperties" => {
                    for (source, schema) in value.as_object().into_iter().flatten() {
                        let rust =
                            crate::patterns::to_rust(source).unwrap_or_else(|_| source.to_owned());
                        let node = self.child(
                            schema,
                            doc,
                            &pointer_push(&at("patternProperties"), source),
                        );
                        let pattern = Pattern {
                            source: source.clone(),
                            rust,
                        };
                        checks.pattern_properties.push((pattern, node));
                    }
                }
                "dependencies" => {
                    for (name, dependency) in value.as_object().into_iter().flatten() {
                        let dependency = match dependency {
                            Value::Array(names) => Dependency::Properties(
                                names
                                    .iter()
                                    .filter_map(Value::as_str)
                                    .map(str::to_owned)
                                    .collect(),
                            ),
                            schema => Dependency::Schema(self.child(
                                schema,
                                doc,
                                &pointer_push(&at("dependencies"), name),
                            )),
                        };
                        checks.dependencies.push((name.clone(), dependency));
                    }
                }
                "allOf" => {
                    for (i, schema) in value.as_array().into_iter().flatten().enumerate() {
                        let node =
                            self.child(schema, doc, &pointer_push(&at("allOf"), &i.to_string()));
                        checks.all_of.push(node);
                    }
                }
                "anyOf" => {
                    let mut variants = Vec::new();
                    for (i, schema) in value.as_array().into_iter().flatten().enumerate() {
                        variants.push(self.child(
                            schema,
                            doc,
                            &pointer_push(&at("anyOf"), &i.to_string()),
                        ));
                    }
                    checks.any_of = Some(variants);
                }
                "not" => checks.not = Some(Box::new(self.child(value, doc, &at("not")))),
                "if" => {
                    let branch = |compiler: &mut Self, key: &str| {
                        object
                            .get(key)
                            .map(|schema| compiler.child(schema, doc, &at(key)))
                            .filter(|node| !matches!(node.kind, NodeKind::Anything))
                            .map(Box::new)
                    };
                    let then = branch(self, "then");
                    let otherwise = branch(self, "else");
                    if then.is_some() || otherwise.is_some() {
                        checks.if_then_else = Some(IfThenElse {
                            test: Box::new(self.child(value, doc, &at("if"))),
                            then,
                            otherwise,
                        });
                    }
                }
                _ => {}
            }
        }
        checks
    }
}

impl Checks {
    fn is_empty(&self) -> bool {
        self.types.is_none()
            && self.enum_values.is_none()
            && self.const_value.is_none()
            && self.min_length.is_none()
            && self.max_length.is_none()
            && self.pattern.is_none()
            && self.format.is_none()
            && self.format_range.is_none()
            && self.minimum.is_none()
            && self.maximum.is_none()
            && self.items.is_none()
            && self.min_items.is_none()
            && self.max_items.is_none()
            && !self.unique_items
            && self.required.is_empty()
            && self.properties.is_empty()
            && self.additional_properties.is_none()
            && self.one_of.is_none()
            && self.exclusive_minimum.is_none()
            && self.exclusive_maximum.is_none()
            && self.multiple_of.is_none()
            && self.additional_items.is_none()
            && self.contains.is_none()
            && self.min_properties.is_none()
            && self.max_properties.is_none()
            && self.property_names.is_none()
            && self.pattern_properties.is_empty()
            && self.dependencies.is_empty()
            && self.all_of.is_empty()
            && self.any_of.is_none()
            && self.not.is_none()
            && self.if_then_else.is_none()
    }
}

/// For a `oneOf` of two variants of which exactly one accepts only `null` (`{"type": "null"}`,
/// annotations aside), the index of the other one.
pub(crate) fn find_nullable(variants: &[Node]) -> Option<usize> {
    match variants {
        [first, second] => match (only_null(first), only_null(second)) {
            (true, false) => Some(1),
            (false, true) => Some(0),
            _ => None,
        },
        _ => None,
    }
}

/// Whether `node` is `{"type": "null"}` and nothing else.
fn only_null(node: &Node) -> bool {
    match &node.kind {
        NodeKind::Checks(checks) => {
            checks.types.as_deref() == Some(&[JsonType::Null][..])
                && Checks {
                    types: None,
                    ..(**checks).clone()
                }
                .is_empty()
        }
        _ => false,
    }
}

/// A property that every variant requires with a distinct string `const`, and whose variant
/// schemas are inline objects (`type: object`), so that at most one variant can match.
pub(crate) fn find_discriminator(variants: &[Value]) -> Option<Discriminator> {
    if variants.len() < 2 {
        return None;
    }
    let first = variants[0].as_object()?;
    let candidates = first.get("required")?.as_array()?;
    'candidate: for candidate in candidates.iter().filter_map(Value::as_str) {
        let mut values = Vec::new();
        for variant in variants {
            let object = match variant.as_object() {
                Some(o)
                    if o.get("type").and_then(Value::as_str) == Some("object")
                        && !o.contains_key("$ref") =>
                {
                    o
                }
                _ => return None,
            };
            let required = object.get("required").and_then(Value::as_array);
            if !required.is_some_and(|r| r.iter().any(|n| n.as_str() == Some(candidate))) {
                continue 'candidate;
            }
            let tag = object
                .get("properties")
                .and_then(|p| p.get(candidate))
                .and_then(|p| p.get("const"))
                .and_then(Value::as_str);
            match tag {
                Some(tag) if !values.iter().any(|v: &String| v == tag) => {
                    values.push(tag.to_owned())
                }
                _ => continue 'candidate,
            }
        }
        return Some(Discriminator {
            property: candidate.to_owned(),
            values,
        });
    }
    None
}

#[cfg(test)]
mod tests {

    use serde_json::json;

    use super::*;

    /// The `oneOf` of the single document `schema`.
    fn one_of(schema: Value) -> OneOf {
        let set = crate::schema_set::general_set(vec![("T", schema)]);
        let model = compile(&set, &["T".to_owned()]);
        match &model.functions[model.roots["T"]].node.kind {
            NodeKind::Checks(checks) => checks.one_of.clone().expect("a oneOf"),
            other => panic!("not checks: {other:?}"),
        }
    }

    /// The checks of the root of the single document `schema`.
    fn root_checks(schema: Value) -> Checks {
        let set = crate::schema_set::general_set(vec![("T", schema)]);
        let model = compile(&set, &["T".to_owned()]);
        match &model.functions[model.roots["T"]].node.kind {
            NodeKind::Checks(checks) => (**checks).clone(),
            other => panic!("not checks: {other:?}"),
        }
    }

    #[test]
    fn range_formats_are_lowered_to_their_ranges() {
        for (format, minimum, maximum) in [
            ("int8", json!(-128), json!(127)),
            ("int16", json!(-32768), json!(32767)),
            ("int32", json!(-2147483648i64), json!(2147483647)),
            ("uint8", json!(0), json!(255)),
            ("uint16", json!(0), json!(65535)),
            ("uint32", json!(0), json!(4294967295u64)),
            ("uint64", json!(0), json!(u64::MAX)),
            ("uint", json!(0), json!(u64::MAX)),
            ("float", json!(-3.4028235e38), json!(3.4028235e38)),
        ] {
            let checks = root_checks(json!({"type": "integer", "format": format}));
            let range = checks.format_range.expect("a range");
            assert_eq!(range.name, format);
            assert_eq!(Value::Number(range.minimum), minimum, "{format}");
            assert_eq!(Value::Number(range.maximum), maximum, "{format}");
            assert!(checks.format.is_none());
        }
        // `double` accepts every number: nothing to check.
        assert!(matches!(
            compile_one(json!({"format": "double"})),
            NodeKind::Anything
        ));
        // `int64` stays the named format; an unknown format checks nothing.
        let checks = root_checks(json!({"type": "integer", "format": "int64"}));
        assert!(checks.format.is_some() && checks.format_range.is_none());
        assert!(matches!(
            compile_one(json!({"format": "color"})),
            NodeKind::Anything
        ));
    }

    fn compile_one(schema: Value) -> NodeKind {
        let set = crate::schema_set::general_set(vec![("T", schema)]);
        let model = compile(&set, &["T".to_owned()]);
        model.functions[model.roots["T"]].node.kind.clone()
    }

    #[test]
    fn a_one_of_with_exactly_one_null_variant_is_nullable() {
        let none = json!({"type": "null", "description": "none", "$comment": "annotations aside"});
        let other = json!({"enum": ["a", "b"]});
        assert_eq!(
            one_of(json!({"oneOf": [other.clone(), none.clone()]})).nullable,
            Some(0)
        );
        assert_eq!(one_of(json!({"oneOf": [none, other]})).nullable, Some(1));
        assert_eq!(
            one_of(json!({"oneOf": [{"type": ["null"]}, {"type": "string"}]})).nullable,
            Some(1)
        );
    }

    #[test]
    fn other_one_ofs_are_not_nullable() {
        let cases = [
            json!({"oneOf": [{"type": "null"}, {"type": "null"}]}),
            json!({"oneOf": [{"type": "null"}]}),
            json!({"oneOf": [{"type": "null"}, {"type": "string"}, {"type": "integer"}]}),
            json!({"oneOf": [{"type": ["null", "string"]}, {"type": "integer"}]}),
            json!({"oneOf": [{"type": "null", "enum": [null]}, {"type": "string"}]}),
            json!({"oneOf": [{"const": null}, {"type": "string"}]}),
        ];
        for schema in cases {
            assert_eq!(one_of(schema.clone()).nullable, None, "{schema}");
        }
    }
}
