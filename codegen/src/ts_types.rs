//! Emits TypeScript declarations for the schema documents, matching serde's JSON wire format and
//! shaped like the TypeScript ts-rs writes for the same Rust types: every declaration is a `type`
//! alias (an object type alias, unlike an interface, is assignable to `Record<string, unknown>`),
//! an object's properties come in the order of the schema's `properties` (optional ones are
//! `name?:`, a nullable one adds `| null`), a string enum is a union of string literal types, a
//! `const` is a literal type, every number is `number`, an array is `T[]` (ts-rs writes the same
//! type as `Array<T>`), and a `$ref` to another document is that document's type name.
//!
//! The other draft-07 constructs of the general profile: `oneOf` and `anyOf` are unions (an inline
//! object variant with a `title` becomes its own alias of that name), `allOf` is an intersection
//! (sound: an instance satisfies every branch, so it has every branch's type), `enum` and `const`
//! of any JSON value are literal unions, a `type` array is a union, a tuple `items` array is a
//! tuple type (with a rest element unless `maxItems` or `additionalItems: false` closes it), and
//! so is an array of a fixed length (`minItems` = `maxItems`, at most 16; ts-rs writes the Rust
//! array typify makes of it as a tuple too), an
//! object without declared properties has an index signature (`unknown`, or the
//! `additionalProperties` schema's type; none for `false`), one with declared properties has none
//! (an object type admits other properties anyway, as JSON Schema's open objects do) unless it
//! says `additionalProperties: true` explicitly (then `[key: string]: unknown`, so an object
//! literal may carry other members), and a `$ref` to
//! `#/definitions/<Name>` names that definition's own alias: `<Name>` itself when it is a PascalCase
//! type name that no other schema claims (two documents may share one when their definitions are
//! the same JSON without a `$ref`, as schemars writes a shared enum into each document), else
//! `<Document><Name>`. Keywords without a TypeScript counterpart (`not`, `if`, `pattern`, bounds)
//! leave the type as wide as the rest says; where nothing is known the type is `unknown`.
//!
//! The types describe values as they travel, so they stay mutually assignable with ts-rs's; the
//! method table wraps what a TypeScript caller sends in `InputOf<T>` (see `ts_methods`), which also
//! accepts `readonly` arrays.

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

    /// The intersection of `members`: `unknown` members add nothing, a `never` one makes it all
    /// `never`.
    fn intersection(members: Vec<Ty>) -> Ty {
        let mut seen: Vec<Ty> = Vec::new();
        for member in members {
            if member.is_unknown() || seen.iter().any(|s| s.text == member.text) {
                continue;
            }
            if member.text == "never" {
                return Ty::never();
            }
            seen.push(member);
        }
        match seen.len() {
            0 => Ty::unknown(),
            1 => seen.pop().unwrap_or_else(Ty::unknown),
            _ => Ty {
                text: seen
                    .iter()
                    .map(|m| m.at(Prec::Primary))
                    .collect::<Vec<_>>()
                    .join(" & "),
                prec: Prec::Intersection,
            },
        }
    }
}

/// The order of the keys of every object in the source text of the documents, by document name
/// and JSON pointer: a parsed `serde_json::Value` keeps its keys sorted, and the declarations list
/// properties in the order the schema gives them.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyOrder {
    keys: BTreeMap<(String, String), Vec<String>>,
}

impl KeyOrder {
    /// Records the key order of document `doc` from its source `text`; text that does not parse
    /// records nothing (the loader reports it).
    pub(crate) fn add(&mut self, doc: &str, text: &str) {
        if let Ok(found) = crate::json::object_key_orders(text) {
            for (pointer, keys) in found {
                self.keys.insert((doc.to_owned(), pointer), keys);
            }
        }
    }

    /// The keys of `object` (at `pointer` in `doc`) in source order when the text was recorded and
    /// names the same keys, else in name order.
    fn of(&self, doc: &str, pointer: &str, object: &Map<String, Value>) -> Vec<String> {
        match self.keys.get(&(doc.to_owned(), pointer.to_owned())) {
            Some(keys)
                if keys.len() == object.len() && keys.iter().all(|k| object.contains_key(k)) =>
            {
                keys.clone()
            }
            _ => object.keys().cloned().collect(),
        }
    }
}

/// Emits the body of the types module (without the file header): one declaration per document, in
/// name order, each followed by the named declarations it introduced (titled `oneOf` / `anyOf`
/// variants and the `definitions` it refers to). `order` gives the properties' source order.
pub(crate) fn emit(set: &SchemaSet, order: &KeyOrder) -> Result<String> {
    emit_with(set, order, false)
}

/// [`emit`] for standalone schemas (the general profile): a `oneOf` / `anyOf` variant whose
/// `title` is free text rather than a type name is written out where it is used, instead of
/// being an error (the protocol's titles name types).
pub(crate) fn emit_general(set: &SchemaSet, order: &KeyOrder) -> Result<String> {
    emit_with(set, order, true)
}

fn emit_with(set: &SchemaSet, order: &KeyOrder, free_titles: bool) -> Result<String> {
    let mut e = Emitter {
        set,
        order,
        free_titles,
        names: BTreeMap::new(),
        pending: VecDeque::new(),
        expanding: BTreeSet::new(),
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
    /// The key order of the documents' source text.
    order: &'a KeyOrder,
    /// Whether a variant title that is no type name is only text (else an error).
    free_titles: bool,
    /// Every declared type name and the schema it declares.
    names: BTreeMap<String, Location>,
    /// Named declarations introduced but not written yet.
    pending: VecDeque<(String, Location)>,
    /// The `$ref` targets inside schemas whose type is being written out, against a cycle.
    expanding: BTreeSet<Location>,
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
            Some(existing) if self.same_definition(existing, &location) => Ok(()),
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

    /// Whether two `definitions` entries are the same JSON without a `$ref` (whose meaning would
    /// depend on the document), so that one declaration serves both.
    fn same_definition(&self, a: &Location, b: &Location) -> bool {
        if a.pointer.is_empty() || b.pointer.is_empty() {
            return false;
        }
        match (self.set.node(a), self.set.node(b)) {
            (Some(x), Some(y)) => json_equal(x, y) && !has_ref(x),
            _ => false,
        }
    }

    /// Writes `export type Name = ...;` for the schema at `pointer`.
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
                    w.line(format!("export type {name} = {{"));
                    for line in members {
                        w.line(line);
                    }
                    w.line("};");
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

    /// The member lines of an object type (properties in schema order, then the names `required`
    /// lists without a property schema, in its order; or the index signature of an object without
    /// declared properties),
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
        let required_list: Vec<String> = object
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        let required: BTreeSet<String> = required_list.iter().cloned().collect();
        let mut names = self
            .order
            .of(&doc.name, &pointer_push(pointer, "properties"), &properties);
        for name in required_list {
            if !names.contains(&name) {
                names.push(name);
            }
        }
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
        // An object type admits other properties anyway, so declared properties need no index
        // signature (ts-rs writes none either), and one beside them would have to admit every
        // declared property's type as well: only an object without declared properties gets one,
        // and one whose schema says `additionalProperties: true` in so many words gets
        // `[key: string]: unknown`, so that an object literal may carry other members too.
        if !names.is_empty() {
            if object.get("additionalProperties") == Some(&Value::Bool(true)) {
                lines.push(format!("{indent}[key: string]: unknown;"));
            }
        } else {
            match object.get("additionalProperties") {
                Some(Value::Bool(false)) => {}
                None | Some(Value::Bool(true)) => {
                    lines.push(format!("{indent}[key: string]: unknown;"))
                }
                Some(schema) => {
                    let at = pointer_push(pointer, "additionalProperties");
                    let ty = self.ty(schema, doc, &at, depth)?;
                    lines.push(format!("{indent}[key: string]: {};", ty.text));
                }
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
        let mut base = self.base(object, doc, pointer, depth)?;
        let mut parts = Vec::new();
        for keyword in ["oneOf", "anyOf"] {
            let Some(list) = object.get(keyword) else {
                continue;
            };
            let at = pointer_push(pointer, keyword);
            let variants = list
                .as_array()
                .ok_or_else(|| self.err(doc, &at, format!("`{keyword}` must be an array")))?;
            let mut members = Vec::new();
            for (i, variant) in variants.iter().enumerate() {
                members.push(self.variant(
                    variant,
                    doc,
                    &pointer_push(&at, &i.to_string()),
                    depth,
                )?);
            }
            // `type` beside the union, and nothing else that shapes the type: when every variant
            // already has one of the outer types, the union says all there is.
            if base.is_some() && !shapes_beyond_type(object) {
                let outer = base_types(object);
                let inner: Option<BTreeSet<JsonType>> = variants.iter().enumerate().try_fold(
                    BTreeSet::new(),
                    |mut acc, (i, variant)| {
                        let at = pointer_push(&at, &i.to_string());
                        acc.extend(self.json_types(variant, &doc.name, &at, 0)?);
                        Some(acc)
                    },
                );
                if let (Some(outer), Some(inner)) = (outer, inner) {
                    if inner.is_subset(&outer) {
                        base = None;
                    }
                }
            }
            parts.push(Ty::union(members));
        }
        if let Some(list) = object.get("allOf") {
            let at = pointer_push(pointer, "allOf");
            let branches = list
                .as_array()
                .ok_or_else(|| self.err(doc, &at, "`allOf` must be an array"))?;
            for (i, branch) in branches.iter().enumerate() {
                parts.push(self.ty(branch, doc, &pointer_push(&at, &i.to_string()), depth)?);
            }
        }
        if parts.is_empty() {
            return Ok(base.unwrap_or_else(Ty::unknown));
        }
        let mut all: Vec<Ty> = base.into_iter().collect();
        all.extend(parts);
        Ok(Ty::intersection(all))
    }

    /// A `oneOf` / `anyOf` variant: an inline object with a `title` becomes its own named alias.
    fn variant(
        &mut self,
        variant: &Value,
        doc: &SchemaDoc,
        pointer: &str,
        depth: usize,
    ) -> Result<Ty> {
        if let Some(object) = variant.as_object().filter(|o| is_object_shape(o)) {
            let title = object
                .get("title")
                .and_then(Value::as_str)
                .filter(|title| !self.free_titles || is_type_name(title));
            if let Some(title) = title {
                if !is_type_name(title) {
                    return Err(self.err(
                        doc,
                        &pointer_push(pointer, "title"),
                        format!("the title `{title}` of a oneOf/anyOf variant names its TypeScript type: it must be a PascalCase identifier"),
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
            .resolve_at(
                &doc.name,
                pointer.strip_suffix("/$ref").unwrap_or(pointer),
                reference,
            )
            .map_err(|reason| self.err(doc, pointer, reason))?;
        if location.pointer.is_empty() {
            return Ok(Ty::primary(location.doc));
        }
        let definition = location
            .pointer
            .strip_prefix("/definitions/")
            .filter(|rest| !rest.contains('/'));
        let set = self.set;
        let Some(definition) = definition else {
            // A pointer inside a schema names no type of its own: its type is written out where it
            // is used (`unknown` for one that comes back to itself).
            if self.expanding.contains(&location) {
                return Ok(Ty::unknown());
            }
            let owner = set
                .docs
                .get(&location.doc)
                .ok_or_else(|| self.err(doc, pointer, "the referenced document is missing"))?;
            let target = set.node(&location).ok_or_else(|| {
                self.err(
                    doc,
                    pointer,
                    format!("`$ref` `{reference}` points at nothing"),
                )
            })?;
            self.expanding.insert(location.clone());
            let ty = self.ty(target, owner, &location.pointer, 0);
            self.expanding.remove(&location);
            return ty;
        };
        let token = definition.replace("~1", "/").replace("~0", "~");
        let own = is_plain_type_name(&token)
            .then(|| token.clone())
            .filter(|name| {
                self.names.get(name).is_none_or(|existing| {
                    *existing == location || self.same_definition(existing, &location)
                })
            });
        let name = match own {
            Some(name) => name,
            None => {
                let stem = pascal_words(&token);
                if stem.is_empty() {
                    return Err(self.err(doc, pointer, format!("the definition `{token}` has no letters or digits to name its TypeScript type with")));
                }
                format!("{}{stem}", location.doc)
            }
        };
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
                    let rest_at = pointer_push(pointer, "additionalItems");
                    match object.get("additionalItems") {
                        Some(Value::Bool(false)) => {}
                        None | Some(Value::Bool(true)) => elements.push("...unknown[]".to_owned()),
                        Some(rest) => {
                            let rest = self.ty(rest, doc, &rest_at, depth)?;
                            elements.push(format!("...{}[]", rest.at(Prec::Primary)));
                        }
                    }
                }
                Ok(Ty::primary(format!("[{}]", elements.join(", "))))
            }
            Some(schema) => {
                let item = self.ty(schema, doc, &at, depth)?;
                let min = object.get("minItems").and_then(Value::as_u64);
                let max = object.get("maxItems").and_then(Value::as_u64);
                match (min, max) {
                    // A fixed length is a tuple, as ts-rs writes the array typify makes of it.
                    (Some(min), Some(max)) if min == max && max <= MAX_TUPLE => {
                        let items = vec![item.at(Prec::Primary); max as usize];
                        Ok(Ty::primary(format!("[{}]", items.join(", "))))
                    }
                    _ => Ok(Ty::primary(format!("{}[]", item.at(Prec::Primary)))),
                }
            }
        }
    }

    /// The JSON types a schema admits, when its keywords say (`None`: any type, or not known).
    /// `integer` counts as `number`.
    /// `schema` is at `pointer` of `doc` (its `$ref`s resolve against the base URI there).
    fn json_types(
        &self,
        schema: &Value,
        doc: &str,
        pointer: &str,
        hops: usize,
    ) -> Option<BTreeSet<JsonType>> {
        let object = schema.as_object()?;
        if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
            if hops > 32 {
                return None;
            }
            let location = self.set.resolve_at(doc, pointer, reference).ok()?;
            let target = self.set.node(&location)?;
            return self.json_types(target, &location.doc, &location.pointer, hops + 1);
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
                let keyword = if object.contains_key("oneOf") {
                    "oneOf"
                } else {
                    "anyOf"
                };
                let variants = object.get(keyword)?.as_array()?;
                let at = pointer_push(pointer, keyword);
                return variants
                    .iter()
                    .enumerate()
                    .try_fold(BTreeSet::new(), |mut acc, (i, v)| {
                        let at = pointer_push(&at, &i.to_string());
                        acc.extend(self.json_types(v, doc, &at, hops + 1)?);
                        Some(acc)
                    });
            }
        };
        Some(values.iter().map(|v| value_type(v)).collect())
    }
}

/// The longest fixed-length array (`minItems` = `maxItems`) written as a tuple type.
const MAX_TUPLE: u64 = 16;

/// Whether a schema object is an object type with nothing else that changes its TypeScript type:
/// `type: "object"` and no `enum`, `const`, `oneOf`, `anyOf`, `allOf` or `$ref`.
fn is_object_shape(object: &Map<String, Value>) -> bool {
    base_types_list(object).is_some_and(|t| t == [JsonType::Object])
        && !["enum", "const", "oneOf", "anyOf", "allOf", "$ref"]
            .iter()
            .any(|k| object.contains_key(*k))
}

/// Whether a schema object's own keywords say more about its type than `type` does.
fn shapes_beyond_type(object: &Map<String, Value>) -> bool {
    [
        "enum",
        "const",
        "properties",
        "required",
        "additionalProperties",
        "items",
    ]
    .iter()
    .any(|k| object.contains_key(*k))
}

/// Whether a schema holds a `$ref` anywhere.
fn has_ref(value: &Value) -> bool {
    match value {
        Value::Object(object) => object
            .iter()
            .any(|(key, child)| key == "$ref" || has_ref(child)),
        Value::Array(items) => items.iter().any(has_ref),
        _ => false,
    }
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

/// Whether a definition key can name its type as it is, in TypeScript and in Rust alike: an ASCII
/// capital letter, then ASCII letters and digits.
fn is_plain_type_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
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

    /// The types of documents given as text, with their key order.
    fn emit_texts(docs: &[(&str, &str)]) -> String {
        let mut order = KeyOrder::default();
        let mut values = Vec::new();
        for (name, text) in docs {
            order.add(name, text);
            values.push((*name, serde_json::from_str(text).expect("test JSON")));
        }
        emit(&set(values), &order).unwrap()
    }

    fn emit_plain(docs: Vec<(&str, Value)>) -> String {
        emit(&set(docs), &KeyOrder::default()).unwrap()
    }

    #[test]
    fn objects_enums_refs_and_nullable_optionals() {
        let out = emit_plain(vec![
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
        assert!(
            out.contains("/**\n * A policy.\n */\nexport type Policy = \"a\" | \"b\";"),
            "{out}"
        );
        assert!(out.contains("export type Params = {"), "{out}");
        assert!(!out.contains("interface"), "{out}");
        assert!(
            out.contains("  /**\n   * How many.\n   */\n  count: number;"),
            "{out}"
        );
        assert!(out.contains("  \"odd-name\"?: boolean;"), "{out}");
        assert!(out.contains("  policy?: Policy | null;"), "{out}");
        assert!(out.contains("  tags: [\"x\"];"), "{out}");
        assert!(
            out.contains("export type Open = {\n  a: string;\n  [key: string]: unknown;\n};"),
            "{out}"
        );
        assert!(
            out.contains("export type Empty = Record<string, never>;"),
            "{out}"
        );
        // Documents in name order; without source text, properties in name order.
        assert!(out.find("export type Empty").unwrap() < out.find("export type Open").unwrap());
        assert!(out.find("count: number").unwrap() < out.find("\"odd-name\"?").unwrap());
    }

    #[test]
    fn properties_follow_the_source_order_then_required_only_names() {
        let out = emit_texts(&[(
            "Ordered",
            r#"{"type": "object", "properties": {"zeta": {"type": "string"}, "alpha": {"type": "object", "properties": {"y": {"type": "null"}, "b": {"type": "boolean"}}, "additionalProperties": false}, "mid": {"type": "integer"}}, "required": ["zeta", "omega", "beta"], "additionalProperties": false}"#,
        )]);
        assert!(
            out.contains("export type Ordered = {\n  zeta: string;\n  alpha?: {\n    y?: null;\n    b?: boolean;\n  };\n  mid?: number;\n  omega: unknown;\n  beta: unknown;\n};"),
            "{out}"
        );
    }

    #[test]
    fn tagged_one_of_becomes_a_union_of_named_aliases() {
        let out = emit_plain(vec![(
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
        assert!(
            out.contains("export type Payload = First | Second;"),
            "{out}"
        );
        assert!(
            out.contains(
                "/**\n * One.\n */\nexport type First = {\n  n: number;\n  type: \"first\";\n};"
            ),
            "{out}"
        );
        assert!(
            out.contains("export type Second = {\n  type: \"second\";\n};"),
            "{out}"
        );
    }

    #[test]
    fn definitions_tuples_and_inline_objects() {
        let out = emit_plain(vec![(
            "Tree",
            json!({
                "type": "object",
                "properties": {
                    "children": {"type": "array", "items": {"$ref": "#"}},
                    "pair": {"type": "array", "items": [{"type": "string"}, {"$ref": "#/definitions/leaf-node"}], "minItems": 1},
                    "closed": {"type": "array", "items": [{"type": "string"}], "additionalItems": false},
                    "rest": {"type": "array", "items": [{"type": "string"}], "minItems": 1, "additionalItems": {"type": "integer"}},
                    "meta": {"type": "object", "properties": {"k": {"type": ["string", "null"]}}, "additionalProperties": false},
                    "mixed": {"type": ["integer", "string"], "enum": [1, "a", true]},
                    "same": {"$ref": "#/definitions/Leaf"}
                },
                "additionalProperties": false,
                "definitions": {"leaf-node": {"type": "integer"}, "Leaf": {"type": "boolean"}}
            }),
        )]);
        assert!(out.contains("  children?: Tree[];"), "{out}");
        assert!(
            out.contains("  pair?: [string, TreeLeafNode?, ...unknown[]];"),
            "{out}"
        );
        assert!(out.contains("  closed?: [string?];"), "{out}");
        assert!(out.contains("  rest?: [string, ...number[]];"), "{out}");
        // A definition that is a type name keeps its name; another is prefixed by the document.
        assert!(out.contains("export type TreeLeafNode = number;"), "{out}");
        assert!(out.contains("  same?: Leaf;"), "{out}");
        assert!(out.contains("export type Leaf = boolean;"), "{out}");
        assert!(
            out.contains("  meta?: {\n    k?: string | null;\n  };"),
            "{out}"
        );
        assert!(out.contains("  mixed?: 1 | \"a\";"), "{out}");
    }

    #[test]
    fn shared_definitions_are_declared_once_and_different_ones_apart() {
        let shared = json!({"description": "Shared.", "type": "string", "enum": ["x"]});
        let out = emit_plain(vec![
            (
                "A",
                json!({"type": "object", "properties": {"s": {"$ref": "#/definitions/S"}, "t": {"$ref": "#/definitions/T"}}, "definitions": {"S": shared, "T": {"type": "string"}}}),
            ),
            (
                "B",
                json!({"type": "object", "properties": {"s": {"$ref": "#/definitions/S"}, "t": {"$ref": "#/definitions/T"}}, "definitions": {"S": shared, "T": {"type": "number"}}}),
            ),
        ]);
        assert_eq!(out.matches("export type S = \"x\";").count(), 1, "{out}");
        assert!(out.contains("export type T = string;"), "{out}");
        assert!(out.contains("export type BT = number;"), "{out}");
        assert!(
            out.contains("export type B = {\n  s?: S;\n  t?: BT;"),
            "{out}"
        );
    }

    #[test]
    fn any_of_all_of_consts_and_inner_refs() {
        let out = emit_plain(vec![(
            "Mix",
            json!({
                "type": "object",
                "properties": {
                    "either": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                    "both": {"allOf": [
                        {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
                        {"type": "object", "properties": {"b": {"type": "integer"}}}
                    ]},
                    "never": {"allOf": [{"type": "string"}, false]},
                    "values": {"enum": [null, [1, "x"], {"k": false}, -2.5]},
                    "map": {"type": "object", "additionalProperties": {"type": "integer"}},
                    "object": {"type": "object"},
                    "open": {"type": "object", "properties": {"o": {"type": "null"}}},
                    "inner": {"$ref": "#/properties/either"},
                    "anything": {"not": {"type": "string"}}
                },
                "additionalProperties": false
            }),
        )]);
        assert!(out.contains("  either?: string | null;"), "{out}");
        assert!(
            out.contains("  both?: {\n    a: string;\n  } & {\n    b?: number;\n  };"),
            "{out}"
        );
        assert!(out.contains("  never?: never;"), "{out}");
        assert!(
            out.contains("  values?: null | [1, \"x\"] | { k: false } | -2.5;"),
            "{out}"
        );
        assert!(
            out.contains("  map?: {\n    [key: string]: number;\n  };"),
            "{out}"
        );
        assert!(
            out.contains("  object?: {\n    [key: string]: unknown;\n  };"),
            "{out}"
        );
        assert!(out.contains("  open?: {\n    o?: null;\n  };"), "{out}");
        assert!(out.contains("  inner?: string | null;"), "{out}");
        assert!(out.contains("  anything?: unknown;"), "{out}");
    }

    #[test]
    fn unmappable_schemas_are_located_errors() {
        let set = self::set(vec![
            ("First", json!({"type": "string"})),
            (
                "Clash",
                json!({"oneOf": [{"title": "First", "type": "object"}, {"type": "null"}]}),
            ),
        ]);
        let error = emit(&set, &KeyOrder::default()).unwrap_err();
        assert_eq!(error.pointer.as_deref(), Some("/oneOf/0"));
        assert_eq!(error.file, PathBuf::from("schema/Clash.json"));
        assert!(error.reason.contains("already taken"), "{error}");

        let set = self::set(vec![(
            "Titled",
            json!({"anyOf": [{"title": "not a name", "type": "object"}, {"type": "null"}]}),
        )]);
        let error = emit(&set, &KeyOrder::default()).unwrap_err();
        assert_eq!(error.pointer.as_deref(), Some("/anyOf/0/title"));
        assert!(error.reason.contains("PascalCase"), "{error}");
        // Standalone schemas' titles may be free text: the variant is written out instead.
        let out = emit_general(&set, &KeyOrder::default()).unwrap();
        assert!(
            out.contains("export type Titled = {\n  [key: string]: unknown;\n} | null;"),
            "{out}"
        );
    }
}
