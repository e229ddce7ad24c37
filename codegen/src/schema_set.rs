//! Loading schema documents, checking them against the project's schema profile, resolving `$ref`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{pointer_push, Error, Result};
use crate::json::{as_count, json_equal, JsonType};
use crate::layout::METHODS_FILE;
use crate::{formats, patterns};

/// How strict the profile check is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Any schema built from the profile's keywords (the JSON-Schema-Test-Suite, generator tests).
    General,
    /// The protocol's own schemas: additionally every document has a `title` equal to its type name
    /// and a `description`, every property has a `description`, every object schema with
    /// `properties` states `additionalProperties`, and no schema uses a keyword the type emitters
    /// do not shape types after (`VALIDATION_ONLY_KEYWORDS`: `allOf`, `anyOf`, `not`, `if`...).
    Protocol,
}

/// Keywords the generators understand. `definitions` and `$schema` are containers/markers.
pub(crate) const PROFILE_KEYWORDS: &[&str] = &[
    "$schema",
    "$ref",
    "definitions",
    "title",
    "description",
    "$comment",
    "default",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "enum",
    "const",
    "pattern",
    "minLength",
    "maxLength",
    "format",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minimum",
    "maximum",
    "oneOf",
    "allOf",
    "anyOf",
    "not",
    "if",
    "then",
    "else",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "additionalItems",
    "contains",
    "minProperties",
    "maxProperties",
    "propertyNames",
    "patternProperties",
    "dependencies",
];

/// Keywords of the general profile that the protocol profile leaves out: the validators handle
/// them, but the type emitters (typify's Rust types, the TypeScript types) do not shape types
/// after them, so a protocol schema may not use them.
pub(crate) const VALIDATION_ONLY_KEYWORDS: &[&str] = &[
    "allOf",
    "anyOf",
    "not",
    "if",
    "then",
    "else",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "additionalItems",
    "contains",
    "minProperties",
    "maxProperties",
    "propertyNames",
    "patternProperties",
    "dependencies",
];

/// One schema document: a protocol type, or a standalone schema.
#[derive(Debug, Clone)]
pub struct SchemaDoc {
    /// The type name (the file stem): `DeviceKeySignParams`.
    pub name: String,
    /// The path used in messages and schema paths, relative to the repository where possible.
    pub file: PathBuf,
    /// The document.
    pub value: Value,
}

/// A set of schema documents that may refer to one another by file name.
#[derive(Debug, Clone, Default)]
pub struct SchemaSet {
    /// Documents keyed by type name.
    pub(crate) docs: BTreeMap<String, SchemaDoc>,
}

/// Where a `$ref` points: a document and a JSON pointer inside it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Location {
    /// The type name of the document.
    pub(crate) doc: String,
    /// JSON pointer into the document (`""` for its root).
    pub(crate) pointer: String,
}

impl SchemaSet {
    /// Builds a set from in-memory documents and checks each against `profile`.
    pub fn new(docs: Vec<SchemaDoc>, profile: Profile) -> Result<Self> {
        let mut set = SchemaSet::default();
        for doc in docs {
            if !is_type_name(&doc.name) {
                return Err(Error::file(
                    &doc.file,
                    "a schema file name must be a type name in PascalCase followed by .json",
                ));
            }
            if set.docs.contains_key(&doc.name) {
                return Err(Error::file(
                    &doc.file,
                    "two schema documents have the same name",
                ));
            }
            set.docs.insert(doc.name.clone(), doc);
        }
        for doc in set.docs.values() {
            set.check_doc(doc, profile)?;
        }
        Ok(set)
    }

    /// Reads every `*.json` file of `dir` except `methods.json` as one document.
    pub(crate) fn load_dir(dir: &Path, shown_dir: &Path, profile: Profile) -> Result<Self> {
        let mut docs = Vec::new();
        let entries = std::fs::read_dir(dir)
            .map_err(|e| Error::file(shown_dir, format!("cannot read the schema folder: {e}")))?;
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| {
                Error::file(shown_dir, format!("cannot read the schema folder: {e}"))
            })?;
            names.push(entry.file_name());
        }
        names.sort();
        for name in names {
            let name = name.to_string_lossy().into_owned();
            if !name.ends_with(".json") || name == METHODS_FILE {
                continue;
            }
            let shown = shown_dir.join(&name);
            let value = read_json(&dir.join(&name), &shown)?;
            docs.push(SchemaDoc {
                name: name.trim_end_matches(".json").to_owned(),
                file: shown,
                value,
            });
        }
        if docs.is_empty() {
            return Err(Error::file(
                shown_dir,
                "the schema folder holds no schema files",
            ));
        }
        Self::new(docs, profile)
    }

    /// The document named `name`.
    pub fn doc(&self, name: &str) -> Option<&SchemaDoc> {
        self.docs.get(name)
    }

    /// The schema node at `location`.
    pub(crate) fn node(&self, location: &Location) -> Option<&Value> {
        self.docs
            .get(&location.doc)?
            .value
            .pointer(&location.pointer)
    }

    /// Resolves a `$ref` found in document `from`.
    pub(crate) fn resolve(
        &self,
        from: &str,
        reference: &str,
    ) -> std::result::Result<Location, String> {
        let (doc_part, fragment) = match reference.split_once('#') {
            Some((doc, fragment)) => (doc, fragment),
            None => (reference, ""),
        };
        let doc = if doc_part.is_empty() {
            from.to_owned()
        } else {
            let stem = doc_part.strip_suffix(".json").filter(|s| is_type_name(s)).ok_or_else(|| {
                format!("$ref `{reference}` must be a local pointer (`#/definitions/...`) or another schema file of this folder (`TypeName.json`)")
            })?;
            if !self.docs.contains_key(stem) {
                return Err(format!(
                    "$ref `{reference}` names a schema file that does not exist"
                ));
            }
            stem.to_owned()
        };
        let pointer = percent_decode(fragment)
            .ok_or_else(|| format!("$ref `{reference}` has a malformed percent-encoding"))?;
        if !pointer.is_empty() && !pointer.starts_with('/') {
            return Err(format!("$ref `{reference}` must use a JSON pointer fragment (`#/...`); named anchors are not in the profile"));
        }
        let location = Location { doc, pointer };
        if self.node(&location).is_none() {
            return Err(format!("$ref `{reference}` points at nothing"));
        }
        Ok(location)
    }

    fn check_doc(&self, doc: &SchemaDoc, profile: Profile) -> Result<()> {
        if profile == Profile::Protocol {
            let Some(object) = doc.value.as_object() else {
                return Err(Error::at(
                    &doc.file,
                    "",
                    "a protocol schema must be an object",
                ));
            };
            match object.get("title").and_then(Value::as_str) {
                Some(title) if title == doc.name => {}
                _ => {
                    return Err(Error::at(
                        &doc.file,
                        "",
                        format!(
                            "a protocol schema needs \"title\": \"{}\" (its file name)",
                            doc.name
                        ),
                    ))
                }
            }
        }
        Checker {
            set: self,
            doc,
            profile,
        }
        .check(&doc.value, "")
    }
}

struct Checker<'a> {
    set: &'a SchemaSet,
    doc: &'a SchemaDoc,
    profile: Profile,
}

impl Checker<'_> {
    fn err(&self, pointer: &str, reason: impl Into<String>) -> Error {
        Error::at(&self.doc.file, pointer, reason)
    }

    fn check(&self, schema: &Value, pointer: &str) -> Result<()> {
        let object = match schema {
            Value::Bool(_) => return Ok(()),
            Value::Object(object) => object,
            _ => return Err(self.err(pointer, "a schema must be an object or a boolean")),
        };
        for key in object.keys() {
            if !PROFILE_KEYWORDS.contains(&key.as_str()) {
                return Err(self.err(
                    &pointer_push(pointer, key),
                    format!("keyword `{key}` is not in the schema profile (the generators understand: {})", PROFILE_KEYWORDS.join(", ")),
                ));
            }
        }
        if self.profile == Profile::Protocol {
            if let Some(key) = object
                .keys()
                .find(|k| VALIDATION_ONLY_KEYWORDS.contains(&k.as_str()))
            {
                return Err(self.err(
                    &pointer_push(pointer, key),
                    format!("keyword `{key}` is not in the protocol profile (the type emitters do not support it)"),
                ));
            }
            self.check_protocol_rules(object, pointer)?;
        }
        for (key, value) in object {
            let at = pointer_push(pointer, key);
            self.check_keyword(object, key, value, &at)?;
        }
        Ok(())
    }

    fn check_protocol_rules(&self, object: &Map<String, Value>, pointer: &str) -> Result<()> {
        if object.contains_key("$ref") {
            if let Some(key) = object.keys().find(|k| *k != "$ref" && *k != "description") {
                return Err(self.err(&pointer_push(pointer, key), "a `$ref` may only have a `description` beside it (draft-07 ignores its siblings)"));
            }
        }
        if pointer.is_empty() && !object.contains_key("description") {
            return Err(self.err(pointer, "a protocol schema needs a `description`"));
        }
        if object.contains_key("properties") && !object.contains_key("additionalProperties") {
            return Err(self.err(
                pointer,
                "an object schema with `properties` must state `additionalProperties`",
            ));
        }
        if let Some(Value::Object(properties)) = object.get("properties") {
            for (name, property) in properties {
                if property
                    .as_object()
                    .is_some_and(|p| !p.contains_key("description"))
                {
                    let at = pointer_push(&pointer_push(pointer, "properties"), name);
                    return Err(self.err(
                        &at,
                        "every property of a protocol schema needs a `description`",
                    ));
                }
            }
        }
        Ok(())
    }

    fn check_keyword(
        &self,
        object: &Map<String, Value>,
        key: &str,
        value: &Value,
        at: &str,
    ) -> Result<()> {
        match key {
            "$schema" => {
                if value.as_str() != Some("http://json-schema.org/draft-07/schema#")
                    || !at.ends_with("/$schema")
                    || at.matches('/').count() != 1
                {
                    return Err(self.err(at, "`$schema` must be \"http://json-schema.org/draft-07/schema#\" at the document root"));
                }
            }
            "$ref" => {
                let reference = value
                    .as_str()
                    .ok_or_else(|| self.err(at, "`$ref` must be a string"))?;
                self.set
                    .resolve(&self.doc.name, reference)
                    .map_err(|reason| self.err(at, reason))?;
            }
            "title" | "description" | "$comment" => {
                if !value.is_string() {
                    return Err(self.err(at, format!("`{key}` must be a string")));
                }
            }
            "default" => {}
            "definitions" | "properties" => {
                let map = value
                    .as_object()
                    .ok_or_else(|| self.err(at, format!("`{key}` must be an object of schemas")))?;
                for (name, schema) in map {
                    self.check(schema, &pointer_push(at, name))?;
                }
            }
            "additionalProperties" | "items" if value.is_array() && key == "items" => {
                for (i, schema) in value.as_array().into_iter().flatten().enumerate() {
                    self.check(schema, &pointer_push(at, &i.to_string()))?;
                }
            }
            "additionalProperties"
            | "items"
            | "not"
            | "if"
            | "then"
            | "else"
            | "additionalItems"
            | "contains"
            | "propertyNames" => self.check(value, at)?,
            "patternProperties" => {
                let map = value.as_object().ok_or_else(|| {
                    self.err(at, "`patternProperties` must be an object of schemas")
                })?;
                for (source, schema) in map {
                    let here = pointer_push(at, source);
                    patterns::to_rust(source).map_err(|reason| self.err(&here, reason))?;
                    self.check(schema, &here)?;
                }
            }
            "dependencies" => {
                let map = value.as_object().ok_or_else(|| {
                    self.err(
                        at,
                        "`dependencies` must be an object of schemas or arrays of strings",
                    )
                })?;
                for (name, dependency) in map {
                    let here = pointer_push(at, name);
                    match dependency {
                        Value::Array(names) => {
                            let mut seen = Vec::new();
                            for item in names {
                                let name = item.as_str().ok_or_else(|| {
                                    self.err(
                                        &here,
                                        "a property dependency must be an array of strings",
                                    )
                                })?;
                                if seen.contains(&name) {
                                    return Err(self.err(
                                        &here,
                                        format!("a property dependency lists \"{name}\" twice"),
                                    ));
                                }
                                seen.push(name);
                            }
                        }
                        schema => self.check(schema, &here)?,
                    }
                }
            }
            "oneOf" | "allOf" | "anyOf" => {
                let variants = value.as_array().filter(|v| !v.is_empty()).ok_or_else(|| {
                    self.err(at, format!("`{key}` must be a non-empty array of schemas"))
                })?;
                for (i, schema) in variants.iter().enumerate() {
                    self.check(schema, &pointer_push(at, &i.to_string()))?;
                }
            }
            "type" => {
                let names: Vec<&Value> = match value {
                    Value::Array(items) if !items.is_empty() => items.iter().collect(),
                    Value::String(_) => vec![value],
                    _ => {
                        return Err(self.err(
                            at,
                            "`type` must be a type name or a non-empty array of them",
                        ))
                    }
                };
                let mut seen = Vec::new();
                for name in names {
                    let parsed = name.as_str().and_then(JsonType::parse).ok_or_else(|| {
                        self.err(at, "`type` names must be null, boolean, integer, number, string, array or object")
                    })?;
                    if seen.contains(&parsed) {
                        return Err(self.err(at, "`type` lists a type twice"));
                    }
                    seen.push(parsed);
                }
            }
            "required" => {
                let items = value
                    .as_array()
                    .ok_or_else(|| self.err(at, "`required` must be an array of strings"))?;
                let mut seen = Vec::new();
                for item in items {
                    let name = item
                        .as_str()
                        .ok_or_else(|| self.err(at, "`required` must be an array of strings"))?;
                    if seen.contains(&name) {
                        return Err(self.err(at, format!("`required` lists \"{name}\" twice")));
                    }
                    seen.push(name);
                }
            }
            "enum" => {
                let items = value
                    .as_array()
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| self.err(at, "`enum` must be a non-empty array"))?;
                for (i, item) in items.iter().enumerate() {
                    if items[..i].iter().any(|earlier| json_equal(earlier, item)) {
                        return Err(self.err(at, "`enum` lists a value twice"));
                    }
                }
            }
            "const" => {}
            "pattern" => {
                let source = value
                    .as_str()
                    .ok_or_else(|| self.err(at, "`pattern` must be a string"))?;
                patterns::to_rust(source).map_err(|reason| self.err(at, reason))?;
            }
            "minLength" | "maxLength" | "minItems" | "maxItems" | "minProperties"
            | "maxProperties" => {
                if as_count(value).is_none() {
                    return Err(self.err(at, format!("`{key}` must be a non-negative integer")));
                }
            }
            "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" => {
                if !value.is_number() {
                    return Err(self.err(at, format!("`{key}` must be a number")));
                }
            }
            "multipleOf" => {
                if !value.as_f64().is_some_and(|f| f.is_finite() && f > 0.0) {
                    return Err(self.err(at, "`multipleOf` must be a number greater than 0"));
                }
            }
            "uniqueItems" => {
                if !value.is_boolean() {
                    return Err(self.err(at, "`uniqueItems` must be a boolean"));
                }
            }
            "format" => {
                let name = value
                    .as_str()
                    .ok_or_else(|| self.err(at, "`format` must be a string"))?;
                let format = formats::find(name).ok_or_else(|| {
                    let known: Vec<&str> = formats::FORMATS.iter().map(|f| f.name).collect();
                    self.err(
                        at,
                        format!(
                            "format `{name}` is not one of the profile's named formats ({})",
                            known.join(", ")
                        ),
                    )
                })?;
                if self.profile == Profile::Protocol {
                    let declared = object
                        .get("type")
                        .and_then(Value::as_str)
                        .and_then(JsonType::parse);
                    if declared != Some(format.applies_to) {
                        return Err(self.err(
                            at,
                            format!(
                                "format `{name}` needs `\"type\": \"{}\"` beside it",
                                format.applies_to.name()
                            ),
                        ));
                    }
                }
            }
            _ => unreachable!("keywords were checked against PROFILE_KEYWORDS"),
        }
        Ok(())
    }
}

/// Reads a JSON file, rejecting duplicate object keys (a silent "last one wins" would drop a
/// constraint) with the pointer of the object that repeats a key.
pub(crate) fn read_json(path: &Path, shown: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::file(shown, format!("cannot read: {e}")))?;
    parse_json_strict(&text).map_err(|reason| Error::file(shown, reason))
}

/// Parses JSON text, rejecting duplicate object keys.
pub fn parse_json_strict(text: &str) -> std::result::Result<Value, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    serde::de::Deserializer::deserialize_any(
        &mut deserializer,
        strict::NoDuplicates(String::new()),
    )
    .map_err(|e| e.to_string())?;
    Ok(value)
}

mod strict {
    //! A visitor that walks JSON text only to find duplicate object keys.
    use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
    use std::fmt;

    pub(crate) struct NoDuplicates(pub String);

    impl<'de> DeserializeSeed<'de> for NoDuplicates {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for NoDuplicates {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("JSON")
        }
        fn visit_bool<E>(self, _: bool) -> Result<(), E> {
            Ok(())
        }
        fn visit_i64<E>(self, _: i64) -> Result<(), E> {
            Ok(())
        }
        fn visit_u64<E>(self, _: u64) -> Result<(), E> {
            Ok(())
        }
        fn visit_f64<E>(self, _: f64) -> Result<(), E> {
            Ok(())
        }
        fn visit_str<E>(self, _: &str) -> Result<(), E> {
            Ok(())
        }
        fn visit_unit<E>(self) -> Result<(), E> {
            Ok(())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            let mut i = 0usize;
            while seq
                .next_element_seed(NoDuplicates(format!("{}/{i}", self.0)))?
                .is_some()
            {
                i += 1;
            }
            Ok(())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let mut keys: Vec<String> = Vec::new();
            while let Some(key) = map.next_key::<String>()? {
                if keys.contains(&key) {
                    return Err(A::Error::custom(format!(
                        "duplicate key \"{key}\" in the object at #{}",
                        self.0
                    )));
                }
                let child = crate::error::pointer_push(&self.0, &key);
                map.next_value_seed(NoDuplicates(child))?;
                keys.push(key);
            }
            Ok(())
        }
    }
}

fn is_type_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

fn percent_decode(fragment: &str) -> Option<String> {
    let bytes = fragment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}
