//! Emits TypeScript declarations for the schema documents, matching serde's JSON wire format: an
//! object is an interface (optional properties are `name?:`, a nullable one adds `| null`), a string
//! enum is a union of string literal types, a `const` is a literal type, every number is `number`,
//! a discriminated `oneOf` of inline objects is a union of interfaces named by the variants'
//! `title`s, and a `$ref` to another document is that document's type name.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde_json::{Map, Value};

use crate::error::{pointer_push, Error, Result};
use crate::json::{json_equal, JsonType};
use crate::schema_set::{Location, SchemaDoc, SchemaSet};
use crate::ts_syntax::{is_identifier, jsdoc, property_key};
use crate::writer::{ts_str, Writer};

/// How tightly a type expression binds, for parenthesizing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Prec {
    Union,
    Intersection,
    Primary,
}

/// A TypeScript type expression.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ty {
    text: String,
    prec: Prec,
}

impl Ty {
    fn primary(text: impl Into<String>) -> Self {
        Ty {
            text: text.into(),
            prec: Prec::Primary,
        }
    }

    fn unknown() -> Self {
        Ty::primary("unknown")
    }

    fn never() -> Self {
        Ty::primary("never")
    }

    fn is_unknown(&self) -> bool {
        self.text == "unknown"
    }

    /// The text, parenthesized unless it binds at least as tightly as `min`.
    fn at(&self, min: Prec) -> String {
        if self.prec >= min {
            self.text.clone()
        } else {
            format!("({})", self.text)
        }
    }

    fn union(members: Vec<Ty>) -> Ty {
        let mut seen: Vec<Ty> = Vec::new();
        for member in members {
            if member.text == "never" || seen.iter().any(|s| s.text == member.text) {
                continue;
            }
            if member.is_unknown() {
                return Ty::unknown();
            }
            seen.push(member);
        }
        match seen.len() {
            0 => Ty::never(),
            1 => seen.pop().unwrap_or_else(Ty::never),
            _ => Ty {
                text: seen
                    .iter()
                    .map(|m| m.at(Prec::Intersection))
                    .collect::<Vec<_>>()
                    .join(" | "),
                prec: Prec::Union,
            },
        }
    }
}

/// Emits the body of the types module (without the file header): one declaration per document, in
/// name order, each followed by the named declarations it introduced (titled `oneOf` variants and
/// the `definitions` it refers to).
pub(crate) fn emit(set: &SchemaSet) -> Result<String> {
    let mut e = Emitter {
        set,
        names: BTreeMap::new(),
        pending: VecDeque::new(),
    };
    for doc in set.docs.values() {
        e.names.insert(
            doc.name.clone(),
            Location {
                doc: doc.name.clone(),
                pointer: String::new(),
            },
        );
    }
    let mut out = Writer::new("  ");
    for doc in set.docs.values() {
        e.declaration(&mut out, doc, "", &doc.name)?;
        while let Some((name, location)) = e.pending.pop_front() {
            let owner = &set.docs[&location.doc];
            e.declaration(&mut out, owner, &location.pointer, &name)?;
        }
    }
    let mut text = out.finish();
    while text.ends_with("\n\n") {
        text.pop();
    }
    Ok(text)
}

struct Emitter<'a> {
    set: &'a SchemaSet,
    /// Every declared type name and the schema it declares.
    names: BTreeMap<String, Location>,
    /// Named declarations introduced but not written yet.
    pending: VecDeque<(String, Location)>,
}

impl Emitter<'_> {
    fn err(&self, doc: &SchemaDoc, pointer: &str, reason: impl Into<String>) -> Error {
        Error::at(&doc.file, pointer, reason)
    }

    /// Reserves `name` for `location`; an error when another schema already has it.
    fn claim(&mut self, doc: &SchemaDoc, pointer: &str, name: &str) -> Result<()> {
        let location = Location {
            doc: doc.name.clone(),
            pointer: pointer.to_owned(),
        };
        match self.names.get(name) {
            Some(existing) if *existing == location => Ok(()),
            Some(existing) => Err(self.err(
                doc,
                pointer,
                format!(
                    "the TypeScript type name `{name}` is already taken by {}.json#{}",
                    existing.doc, existing.pointer
                ),
            )),
            None => {
                self.names.insert(name.to_owned(), location.clone());
                self.pending.push_back((name.to_owned(), location));
                Ok(())
            }
        }
    }

    /// Writes `export interface Name {...}` or `export type Name = ...;` for the schema at `pointer`.
    fn declaration(
        &mut self,
        w: &mut Writer,
        doc: &SchemaDoc,
        pointer: &str,
        name: &str,
    ) -> Result<()> {
        let schema = doc
            .value
            .pointer(pointer)
            .ok_or_else(|| self.err(doc, pointer, "the schema is missing"))?;
        if let Some(description) = schema.get("description").and_then(Value::as_str) {
            jsdoc(w, description);
        }
        match schema.as_object().filter(|o| is_object_shape(o)) {
            Some(object) => {
                let members = self.members(object, doc, pointer, 1)?;
                if members.is_empty() {
                    w.line(format!("export type {name} = Record<string, never>;"));
                } else {
                    w.line(format!("export interface {name} {{"));
                    for line in members {
                        w.line(line);
                    }
                    w.line("}");
                }
            }
            None => {
                let ty = self.ty(schema, doc, pointer, 0)?;
                w.line(format!("export type {name} = {};", ty.text));
            }
        }
        w.line("");
        Ok(())
    }

    /// The member lines of an object type (properties in name order, then the index signature),
    /// indented for nesting depth `depth`. Empty for an object that admits no property at all.
    fn members(
        &mut self,
        object: &Map<String, Value>,
        doc: &SchemaDoc,
        pointer: &str,
        depth: usize,
    ) -> Result<Vec<String>> {
        let indent = "  ".repeat(depth);
        let properties = match object.get("properties") {
            None => Map::new(),
            Some(Value::Object(p)) => p.clone(),
            Some(_) => {
                return Err(self.err(
                    doc,
                    &pointer_push(pointer, "properties"),
                    "`properties` must be an object of schemas",
                ))
            }
        };
        let required: BTreeSet<String> = object
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        let mut names: BTreeSet<String> = properties.keys().cloned().collect();
        names.extend(required.iter().cloned());
        let mut lines = Vec::new();
        for name in &names {
            let (ty, description) = match properties.get(name) {
                Some(schema) => {
                    let at = pointer_push(&pointer_push(pointer, "properties"), name);
                    let ty = self.ty(schema, doc, &at, depth)?;
                    (
                        ty,
                        schema
                            .get("description")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                    )
                }
                None => (Ty::unknown(), String::new()),
            };
            let mut doc_writer = Writer::new("  ");
            jsdoc(&mut doc_writer, &description);
            for line in doc_writer.finish().lines() {
                lines.push(format!("{indent}{line}"));
            }
            let optional = if required.contains(name) { "" } else { "?" };
            lines.push(format!(
                "{indent}{}{optional}: {};",
                property_key(name),
                ty.text
            ));
        }
        match object.get("additionalProperties") {
            Some(Value::Bool(false)) => {}
            None | Some(Value::Bool(true)) => {
                lines.push(format!("{indent}[key: string]: unknown;"))
            }
            Some(schema) => {
                let at = pointer_push(pointer, "additionalProperties");
                let ty = self.ty(schema, doc, &at, depth)?;
                // An index signature must admit every declared property's type as well.
                let ty = if names.is_empty() { ty } else { Ty::unknown() };
                lines.push(format!("{indent}[key: string]: {};", ty.text));
            }
        }
        Ok(lines)
    }

    /// The type of the schema at `pointer` (which is `schema`), for an expression that starts at
    /// nesting depth `depth`.
    fn ty(&mut self, schema: &Value, doc: &SchemaDoc, pointer: &str, depth: usize) -> Result<Ty> {
        let object = match schema {
            Value::Bool(true) => return Ok(Ty::unknown()),
            Value::Bool(false) => return Ok(Ty::never()),
            Value::Object(object) => object,
            _ => return Err(self.err(doc, pointer, "a schema must be an object or a boolean")),
        };
        if let Some(reference) = object.get("$ref") {
            let reference = reference
                .as_str()
                .ok_or_else(|| self.err(doc, pointer, "`$ref` must be a string"))?;
            return self.reference(reference, doc, &pointer_push(pointer, "$ref"));
        }
        let base = self.base(object, doc, pointer, depth)?;
        let Some(one_of) = object.get("oneOf") else {
            return Ok(base.unwrap_or_else(Ty::unknown));
        };
        let variants = one_of.as_array().ok_or_else(|| {
            self.err(
                doc,
                &pointer_push(pointer, "oneOf"),
                "`oneOf` must be an array",
            )
        })?;
        let mut members = Vec::new();
        for (i, variant) in variants.iter().enumerate() {
            let at = pointer_push(&pointer_push(pointer, "oneOf"), &i.to_string());
            members.push(self.variant(variant, doc, &at, depth)?);
        }
        let union = Ty::union(members);
        let Some(base) = base else { return Ok(union) };
        // `type` beside `oneOf`: when every variant already has one of the outer types, the union
        // says all there is; otherwise both constraints hold.
        let outer = base_types(object);
        let inner: Option<BTreeSet<JsonType>> =
            variants
                .iter()
                .try_fold(BTreeSet::new(), |mut acc, variant| {
                    acc.extend(self.json_types(variant, &doc.name, 0)?);
                    Some(acc)
                });
        match (outer, inner) {
            (Some(outer), Some(inner)) if inner.is_subset(&outer) => Ok(union),
            _ => Ok(Ty {
                text: format!(
                    "{} & {}",
                    base.at(Prec::Intersection),
                    union.at(Prec::Primary)
                ),
                prec: Prec::Intersection,
            }),
        }
    }

    /// A `oneOf` variant: an inline object with a `title` becomes its own named interface.
    fn variant(
        &mut self,
        variant: &Value,
        doc: &SchemaDoc,
        pointer: &str,
        depth: usize,
    ) -> Result<Ty> {
        if let Some(object) = variant.as_object().filter(|o| is_object_shape(o)) {
            if let Some(title) = object.get("title").and_then(Value::as_str) {
                if !is_type_name(title) {
                    return Err(self.err(
                        doc,
                        &pointer_push(pointer, "title"),
                        format!("the title `{title}` of a oneOf variant names its TypeScript interface: it must be a PascalCase identifier"),
                    ));
                }
                self.claim(doc, pointer, title)?;
                return Ok(Ty::primary(title));
            }
        }
        self.ty(variant, doc, pointer, depth)
    }

    /// The type a `$ref` names: another document's type, or a `definitions` entry's own type.
    fn reference(&mut self, reference: &str, doc: &SchemaDoc, pointer: &str) -> Result<Ty> {
        let location = self
            .set
            .resolve(&doc.name, reference)
            .map_err(|reason| self.err(doc, pointer, reason))?;
        if location.pointer.is_empty() {
            return Ok(Ty::primary(location.doc));
        }
        let definition = location
            .pointer
            .strip_prefix("/definitions/")
            .filter(|rest| !rest.contains('/'));
        let Some(definition) = definition else {
            return Err(self.err(
                doc,
                pointer,
                format!("`$ref` `{reference}` points inside a schema: the TypeScript types can name only documents and `#/definitions/<name>` entries"),
            ));
        };
        let token = definition.replace("~1", "/").replace("~0", "~");
        let stem = pascal_words(&token);
        if stem.is_empty() {
            return Err(self.err(doc, pointer, format!("the definition `{token}` has no letters or digits to name its TypeScript type with")));
        }
        let name = format!("{}{stem}", location.doc);
        let set = self.set;
        let owner = set
            .docs
            .get(&location.doc)
            .ok_or_else(|| self.err(doc, pointer, "the referenced document is missing"))?;
        self.claim(owner, &location.pointer, &name)?;
        Ok(Ty::primary(name))
    }

    /// The type of a schema object's keywords other than `$ref` and `oneOf`; `None` when they do not
    /// constrain the type at all.
    fn base(
        &mut self,
        object: &Map<String, Value>,
        doc: &SchemaDoc,
        pointer: &str,
        depth: usize,
    ) -> Result<Option<Ty>> {
        let types = base_types_list(object);
        let literals: Option<Vec<Value>> = match (
            object.get("const"),
            object.get("enum").and_then(Value::as_array),
        ) {
            (Some(c), Some(values)) => Some(
                values
                    .iter()
                    .filter(|v| json_equal(v, c))
                    .cloned()
                    .collect(),
            ),
            (Some(c), None) => Some(vec![c.clone()]),
            (None, Some(values)) => Some(values.clone()),
            (None, None) => None,
        };
        if let Some(values) = literals {
            let members: Vec<Ty> = values
                .iter()
                .filter(|v| {
                    types
                        .as_ref()
                        .is_none_or(|t| t.iter().any(|t| value_has_type(v, *t)))
                })
                .map(literal)
                .collect();
            return Ok(Some(Ty::union(members)));
        }
        let Some(types) = types else { return Ok(None) };
        let mut members = Vec::new();
        for t in types {
            members.push(match t {
                JsonType::Null => Ty::primary("null"),
                JsonType::Boolean => Ty::primary("boolean"),
                JsonType::Integer | JsonType::Number => Ty::primary("number"),
                JsonType::String => Ty::primary("string"),
                JsonType::Array => self.array(object, doc, pointer, depth)?,
                JsonType::Object => {
                    let lines = self.members(object, doc, pointer, depth + 1)?;
                    if lines.is_empty() {
                        Ty::primary("Record<string, never>")
                    } else {
                        let indent = "  ".repeat(depth);
                        Ty::primary(format!("{{\n{}\n{indent}}}", lines.join("\n")))
                    }
                }
            });
        }
        Ok(Some(Ty::union(members)))
    }

    fn array(
        &mut self,
        object: &Map<String, Value>,
        doc: &SchemaDoc,
        pointer: &str,
        depth: usize,
    ) -> Result<Ty> {
        let at = pointer_push(pointer, "items");
        match object.get("items") {
            None => Ok(Ty::primary("unknown[]")),
            Some(Value::Array(schemas)) => {
                let min = object.get("minItems").and_then(Value::as_u64).unwrap_or(0);
                let max = object.get("maxItems").and_then(Value::as_u64);
                let mut elements = Vec::new();
                for (i, schema) in schemas.iter().enumerate() {
                    if max.is_some_and(|max| i as u64 >= max) {
                        break;
                    }
                    let ty = self.ty(schema, doc, &pointer_push(&at, &i.to_string()), depth)?;
                    let optional = if (i as u64) < min { "" } else { "?" };
                    elements.push(format!("{}{optional}", ty.at(Prec::Primary)));
                }
                if max.is_none_or(|max| max > schemas.len() as u64) {
                    elements.push("...unknown[]".to_owned());
                }
                Ok(Ty::primary(format!("[{}]", elements.join(", "))))
            }
            Some(schema) => {
                let item = self.ty(schema, doc, &at, depth)?;
                Ok(Ty::primary(format!("{}[]", item.at(Prec::Primary))))
            }
        }
    }

    /// The JSON types a schema admits, when its keywords say (`None`: any type, or not known).
    /// `integer` counts as `number`.
    fn json_types(&self, schema: &Value, doc: &str, hops: usize) -> Option<BTreeSet<JsonType>> {
        let object = schema.as_object()?;
        if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
            if hops > 32 {
                return None;
            }
            let location = self.set.resolve(doc, reference).ok()?;
            let target = self.set.node(&location)?;
            return self.json_types(target, &location.doc, hops + 1);
        }
        if let Some(types) = base_types(object) {
            return Some(types);
        }
        let values: Vec<&Value> = match (
            object.get("const"),
            object.get("enum").and_then(Value::as_array),
        ) {
            (Some(c), _) => vec![c],
            (None, Some(values)) => values.iter().collect(),
            (None, None) => {
                let variants = object.get("oneOf")?.as_array()?;
                return variants.iter().try_fold(BTreeSet::new(), |mut acc, v| {
                    acc.extend(self.json_types(v, doc, hops + 1)?);
                    Some(acc)
                });
            }
        };
        Some(values.iter().map(|v| value_type(v)).collect())
    }
}

/// Whether a schema object is an object type with nothing else that changes its TypeScript type:
/// `type: "object"` and no `enum`, `const` or `oneOf`.
fn is_object_shape(object: &Map<String, Value>) -> bool {
    base_types_list(object).is_some_and(|t| t == [JsonType::Object])
        && !object.contains_key("enum")
        && !object.contains_key("const")
        && !object.contains_key("oneOf")
        && !object.contains_key("$ref")
}

/// The `type` keyword's types, in order.
fn base_types_list(object: &Map<String, Value>) -> Option<Vec<JsonType>> {
    let names: Vec<&str> = match object.get("type")? {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => return None,
    };
    Some(names.into_iter().filter_map(JsonType::parse).collect())
}

/// The `type` keyword's types as a set, `integer` counted as `number`.
fn base_types(object: &Map<String, Value>) -> Option<BTreeSet<JsonType>> {
    Some(
        base_types_list(object)?
            .into_iter()
            .map(|t| {
                if t == JsonType::Integer {
                    JsonType::Number
                } else {
                    t
                }
            })
            .collect(),
    )
}

/// The JSON type of a value (`number` for every number).
fn value_type(value: &Value) -> JsonType {
    match value {
        Value::Null => JsonType::Null,
        Value::Bool(_) => JsonType::Boolean,
        Value::Number(_) => JsonType::Number,
        Value::String(_) => JsonType::String,
        Value::Array(_) => JsonType::Array,
        Value::Object(_) => JsonType::Object,
    }
}

/// Whether `value` is an instance of JSON type `t`.
fn value_has_type(value: &Value, t: JsonType) -> bool {
    match (t, value) {
        (JsonType::Integer, Value::Number(n)) => {
            n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        (t, v) => value_type(v) == t,
    }
}

/// The literal type of a JSON value.
fn literal(value: &Value) -> Ty {
    match value {
        Value::Null => Ty::primary("null"),
        Value::Bool(b) => Ty::primary(b.to_string()),
        Value::Number(n) => Ty::primary(n.to_string()),
        Value::String(s) => Ty::primary(ts_str(s)),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(|v| literal(v).text).collect();
            Ty::primary(format!("[{}]", items.join(", ")))
        }
        Value::Object(map) if map.is_empty() => Ty::primary("Record<string, never>"),
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let members: Vec<String> = keys
                .iter()
                .map(|k| format!("{}: {}", property_key(k), literal(&map[*k]).text))
                .collect();
            Ty::primary(format!("{{ {} }}", members.join("; ")))
        }
    }
}

/// Whether `name` is a PascalCase type name: an identifier starting with an ASCII capital letter.
fn is_type_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase()) && is_identifier(name) && !name.contains('$')
}

/// `remote-control_client` → `RemoteControlClient`; only ASCII letters and digits survive.
fn pascal_words(text: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if upper {
                out.push(c.to_ascii_uppercase());
            } else {
                out.push(c);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'T');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use serde_json::json;

    use super::*;
    use crate::schema_set::Profile;

    fn set(docs: Vec<(&str, Value)>) -> SchemaSet {
        let docs = docs
            .into_iter()
            .map(|(name, value)| SchemaDoc {
                name: name.to_owned(),
                file: PathBuf::from(format!("schema/{name}.json")),
                value,
            })
            .collect();
        SchemaSet::new(docs, Profile::General).expect("valid test schemas")
    }

    #[test]
    fn objects_enums_refs_and_nullable_optionals() {
        let set = set(vec![
            (
                "Policy",
                json!({"description": "A policy.", "type": "string", "enum": ["a", "b"]}),
            ),
            (
                "Params",
                json!({
                    "description": "Params.",
                    "type": "object",
                    "properties": {
                        "policy": {"description": "Maybe a policy.", "oneOf": [{"$ref": "Policy.json"}, {"type": "null"}]},
                        "count": {"description": "How many.", "type": "integer", "format": "int64"},
                        "tags": {"type": "array", "items": {"type": "string", "const": "x"}, "minItems": 1, "maxItems": 1},
                        "odd-name": {"type": "boolean"}
                    },
                    "required": ["count", "tags"],
                    "additionalProperties": false
                }),
            ),
            (
                "Open",
                json!({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"], "additionalProperties": true}),
            ),
            (
                "Empty",
                json!({"type": "object", "properties": {}, "additionalProperties": false}),
            ),
        ]);
        let out = emit(&set).unwrap();
        assert!(
            out.contains("/**\n * A policy.\n */\nexport type Policy = \"a\" | \"b\";"),
            "{out}"
        );
        assert!(out.contains("export interface Params {"), "{out}");
        assert!(
            out.contains("  /**\n   * How many.\n   */\n  count: number;"),
            "{out}"
        );
        assert!(out.contains("  \"odd-name\"?: boolean;"), "{out}");
        assert!(out.contains("  policy?: Policy | null;"), "{out}");
        assert!(out.contains("  tags: \"x\"[];"), "{out}");
        assert!(
            out.contains("export interface Open {\n  a: string;\n  [key: string]: unknown;\n}"),
            "{out}"
        );
        assert!(
            out.contains("export type Empty = Record<string, never>;"),
            "{out}"
        );
        // Documents in name order, properties in name order.
        assert!(
            out.find("export type Empty").unwrap() < out.find("export interface Open").unwrap()
        );
        assert!(out.find("count: number").unwrap() < out.find("\"odd-name\"?").unwrap());
    }

    #[test]
    fn tagged_one_of_becomes_a_union_of_named_interfaces() {
        let set = set(vec![(
            "Payload",
            json!({
                "description": "Tagged.",
                "type": "object",
                "oneOf": [
                    {"title": "First", "description": "One.", "type": "object", "properties": {"type": {"const": "first"}, "n": {"type": "number"}}, "required": ["type", "n"], "additionalProperties": false},
                    {"title": "Second", "type": "object", "properties": {"type": {"type": "string", "const": "second"}}, "required": ["type"], "additionalProperties": false}
                ]
            }),
        )]);
        let out = emit(&set).unwrap();
        assert!(
            out.contains("export type Payload = First | Second;"),
            "{out}"
        );
        assert!(
            out.contains(
                "/**\n * One.\n */\nexport interface First {\n  n: number;\n  type: \"first\";\n}"
            ),
            "{out}"
        );
        assert!(
            out.contains("export interface Second {\n  type: \"second\";\n}"),
            "{out}"
        );
    }

    #[test]
    fn definitions_tuples_and_inline_objects() {
        let set = set(vec![(
            "Tree",
            json!({
                "type": "object",
                "properties": {
                    "children": {"type": "array", "items": {"$ref": "#"}},
                    "pair": {"type": "array", "items": [{"type": "string"}, {"$ref": "#/definitions/leaf-node"}], "minItems": 1},
                    "meta": {"type": "object", "properties": {"k": {"type": ["string", "null"]}}, "additionalProperties": false},
                    "mixed": {"type": ["integer", "string"], "enum": [1, "a", true]}
                },
                "additionalProperties": false,
                "definitions": {"leaf-node": {"type": "integer"}}
            }),
        )]);
        let out = emit(&set).unwrap();
        assert!(out.contains("  children?: Tree[];"), "{out}");
        assert!(
            out.contains("  pair?: [string, TreeLeafNode?, ...unknown[]];"),
            "{out}"
        );
        assert!(out.contains("export type TreeLeafNode = number;"), "{out}");
        assert!(
            out.contains("  meta?: {\n    k?: string | null;\n  };"),
            "{out}"
        );
        assert!(out.contains("  mixed?: 1 | \"a\";"), "{out}");
    }

    #[test]
    fn unmappable_schemas_are_located_errors() {
        let set = set(vec![(
            "Deep",
            json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"$ref": "#/properties/a"}}}),
        )]);
        let error = emit(&set).unwrap_err();
        assert_eq!(error.pointer.as_deref(), Some("/properties/b/$ref"));
        assert_eq!(error.file, PathBuf::from("schema/Deep.json"));

        let set = self::set(vec![
            ("First", json!({"type": "string"})),
            (
                "Clash",
                json!({"oneOf": [{"title": "First", "type": "object"}, {"type": "null"}]}),
            ),
        ]);
        let error = emit(&set).unwrap_err();
        assert_eq!(error.pointer.as_deref(), Some("/oneOf/0"));
        assert!(error.reason.contains("already taken"), "{error}");
    }
}
