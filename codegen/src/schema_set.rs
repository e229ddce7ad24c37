//! Loading schema documents, checking them against the project's schema profile, resolving `$ref`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{pointer_push, Error, Result, Warning};
use crate::json::{as_count, json_equal, JsonType};
use crate::layout::METHODS_FILE;
use crate::uri::UriRef;
use crate::{formats, patterns};

/// The draft-07 meta-schema (`resources/SOURCE.md`).
const DRAFT_07_META_SCHEMA_TEXT: &str = include_str!("../resources/json-schema-draft-07.json");

/// How strict the profile check is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Any draft-07 schema (the generator as a tool, the JSON-Schema-Test-Suite, generator tests):
    /// the profile's keywords are validated; annotations (`examples`, `readOnly`, `writeOnly`,
    /// `deprecated`, `contentMediaType`, `contentEncoding`, and `$id` where it changes no `$ref`
    /// resolution) and unknown keywords (`x-...` included) are ignored, and so is a format the
    /// generators do not know (draft-07: it accepts every value); each of them is a
    /// [`Warning`] of [`SchemaSet::warnings`]. The formats schemars writes for Rust's numbers
    /// (`int8`...`int32`, `uint8`...`uint64`, `uint`, `float`, `double`) are their ranges. The
    /// draft-07 standard formats (`date-time`, `email`, `hostname`, `uri`, `regex`...; see
    /// `docs/formats.md`) are validated, besides the protocol's own.
    ///
    /// `$id`: a fragment-only `$id` (`#name`) is a name, never a base, and is accepted. Any other
    /// `$id` is accepted only where it changes no resolution: at the root, when every `$ref` of the
    /// document is a fragment (`#/...`, resolved in the document whatever its base) or when it
    /// names the file itself (`Name.json`, `.../Name.json`); below the root, when no `$ref` is
    /// inside it. It is refused, naming the `$ref` it would redirect, otherwise, and whenever it
    /// names another document of the set (a `$ref` to that file would then mean this schema).
    General,
    /// The protocol's own schemas: only the profile's keywords and named formats, and
    /// additionally every document has a `title` equal to its type name and a `description`,
    /// every property has a `description`, every object schema with `properties` states
    /// `additionalProperties`, and no schema uses a keyword the type emitters do not shape types
    /// after (`VALIDATION_ONLY_KEYWORDS`: `allOf`, `anyOf`, `not`, `if`...). These rules are lints:
    /// every violation of every document is reported at once, each with its `file#pointer`, in one
    /// [`Error`] (the first, the others in [`Error::others`]).
    Protocol,
}

/// The annotations of draft-07 that the general profile takes and the validators ignore.
pub(crate) const ANNOTATION_KEYWORDS: &[&str] = &[
    "$id",
    "examples",
    "readOnly",
    "writeOnly",
    "deprecated",
    "contentMediaType",
    "contentEncoding",
];

/// A bound of a [`RangeFormat`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Bound {
    /// A signed integer.
    Signed(i64),
    /// An unsigned integer.
    Unsigned(u64),
    /// A float.
    Float(f64),
}

/// A numeric format of the general profile that is nothing but a range: the formats schemars
/// writes for Rust's integer and float types. The model lowers each into range checks reported
/// as the `format` keyword.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RangeFormat {
    /// The name schemas use in `"format"`.
    pub(crate) name: &'static str,
    /// The inclusive range; `None`: every number (`double`: a JSON number is a binary64 double
    /// to both validators).
    pub(crate) range: Option<(Bound, Bound)>,
}

/// The range formats. `uint` is `uint64` (the width of `usize` on the 64-bit targets the
/// generator is used for); `float` is the range of a binary32 float, ±3.4028235e38; `double`
/// accepts every number. `int64` is a named format of its own (`formats`), with the same verdict.
pub(crate) const RANGE_FORMATS: &[RangeFormat] = &[
    RangeFormat {
        name: "int8",
        range: Some((Bound::Signed(i8::MIN as i64), Bound::Signed(i8::MAX as i64))),
    },
    RangeFormat {
        name: "int16",
        range: Some((
            Bound::Signed(i16::MIN as i64),
            Bound::Signed(i16::MAX as i64),
        )),
    },
    RangeFormat {
        name: "int32",
        range: Some((
            Bound::Signed(i32::MIN as i64),
            Bound::Signed(i32::MAX as i64),
        )),
    },
    RangeFormat {
        name: "uint8",
        range: Some((Bound::Unsigned(0), Bound::Unsigned(u8::MAX as u64))),
    },
    RangeFormat {
        name: "uint16",
        range: Some((Bound::Unsigned(0), Bound::Unsigned(u16::MAX as u64))),
    },
    RangeFormat {
        name: "uint32",
        range: Some((Bound::Unsigned(0), Bound::Unsigned(u32::MAX as u64))),
    },
    RangeFormat {
        name: "uint64",
        range: Some((Bound::Unsigned(0), Bound::Unsigned(u64::MAX))),
    },
    RangeFormat {
        name: "uint",
        range: Some((Bound::Unsigned(0), Bound::Unsigned(u64::MAX))),
    },
    RangeFormat {
        name: "float",
        range: Some((Bound::Float(-3.4028235e38), Bound::Float(3.4028235e38))),
    },
    RangeFormat {
        name: "double",
        range: None,
    },
];

/// Looks a range format up by name.
pub(crate) fn find_range_format(name: &str) -> Option<&'static RangeFormat> {
    RANGE_FORMATS.iter().find(|f| f.name == name)
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

/// For unit tests: the documents `docs` (a type name and its schema each, in the file
/// `Name.json`) checked against the general profile.
#[cfg(test)]
pub(crate) fn general_set(docs: Vec<(&str, Value)>) -> SchemaSet {
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

/// A schema that documents may refer to by URI but that is not a type of its own: a document
/// another schema `$ref`s by an absolute URI (as the JSON-Schema-Test-Suite's remotes are), known
/// by that URI. The generator never fetches a schema; what a `$ref` names must be among the
/// documents, these resources, or the draft-07 meta-schema, which the general profile knows by
/// its URI.
#[derive(Debug, Clone)]
pub struct SchemaResource {
    /// The absolute URI the resource is known by (its retrieval URI); a root `$id` of its own,
    /// when it has one, names it too.
    pub uri: String,
    /// The document.
    pub value: Value,
}

/// A set of schema documents that may refer to one another by file name or by `$id`.
#[derive(Debug, Clone, Default)]
pub struct SchemaSet {
    /// Documents keyed by type name.
    pub(crate) docs: BTreeMap<String, SchemaDoc>,
    /// Resources keyed by their URI (a [`Location::doc`] of a resource is this URI).
    pub(crate) resources: BTreeMap<String, SchemaDoc>,
    /// Every schema's identifiers (absolute URIs without fragment, and `URI#name` for
    /// location-independent names), each with the places that declare it.
    pub(crate) ids: BTreeMap<String, Vec<Location>>,
    /// What the general profile accepted and the validators ignore, in document order.
    pub(crate) warnings: Vec<Warning>,
    /// The profile the documents were checked against.
    pub(crate) profile: Option<Profile>,
    /// Documents split out of one bundle file, by type name: the bundle's file name and the
    /// pointer of the document's definition in it (see [`SchemaSet::bundled_from`]).
    pub(crate) bundled: BTreeMap<String, (String, String)>,
}

/// The URI scheme of the base URI each input document has before any `$id`: a document
/// `Name.json` is `devicekey-input:///Name.json`, so `Other.json` beside it resolves to the
/// document `Other`.
const INPUT_SCHEME: &str = "devicekey-input";

/// The URI of the draft-07 meta-schema, which the general profile knows without fetching it.
const DRAFT_07_META_SCHEMA: &str = "http://json-schema.org/draft-07/schema";

/// Where a `$ref` points: a document and a JSON pointer inside it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Location {
    /// The type name of the document.
    pub(crate) doc: String,
    /// JSON pointer into the document (`""` for its root).
    pub(crate) pointer: String,
}

impl SchemaSet {
    /// Builds a set from in-memory documents and checks each against `profile`. A malformed
    /// schema fails with the first error found; the protocol profile's lints fail all at once
    /// (see [`Profile::Protocol`]).
    pub fn new(docs: Vec<SchemaDoc>, profile: Profile) -> Result<Self> {
        Self::with_resources(docs, Vec::new(), profile)
    }

    /// [`SchemaSet::new`], with `resources` that the documents may `$ref` by URI (checked
    /// against `profile` like the documents; they generate no type of their own). The general
    /// profile adds the draft-07 meta-schema as one more resource.
    pub fn with_resources(
        docs: Vec<SchemaDoc>,
        resources: Vec<SchemaResource>,
        profile: Profile,
    ) -> Result<Self> {
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
        for resource in resources {
            let uri = UriRef::parse(&resource.uri);
            if !uri.is_absolute() || uri.fragment.as_deref().is_some_and(|f| !f.is_empty()) {
                return Err(Error::file(
                    Path::new(&resource.uri),
                    "a resource's URI must be absolute, with no fragment",
                ));
            }
            let key = uri.without_fragment().to_string();
            if set.resources.contains_key(&key) {
                return Err(Error::file(
                    Path::new(&key),
                    "two resources have the same URI",
                ));
            }
            set.resources.insert(
                key.clone(),
                SchemaDoc {
                    name: key.clone(),
                    file: PathBuf::from(&key),
                    value: resource.value,
                },
            );
        }
        let built_in =
            profile == Profile::General && !set.resources.contains_key(DRAFT_07_META_SCHEMA);
        if built_in {
            let value = parse_json_strict(DRAFT_07_META_SCHEMA_TEXT)
                .map_err(|e| Error::file(Path::new(DRAFT_07_META_SCHEMA), e))?;
            set.resources.insert(
                DRAFT_07_META_SCHEMA.to_owned(),
                SchemaDoc {
                    name: DRAFT_07_META_SCHEMA.to_owned(),
                    file: PathBuf::from(DRAFT_07_META_SCHEMA),
                    value,
                },
            );
        }
        set.index_ids();
        let (mut lints, mut warnings) = (Vec::new(), Vec::new());
        let documents: Vec<&SchemaDoc> = set.docs.values().chain(set.resources.values()).collect();
        for doc in documents {
            let is_built_in = built_in && doc.name == DRAFT_07_META_SCHEMA;
            let mut checker = Checker {
                set: &set,
                doc,
                profile,
                lints: Vec::new(),
                warnings: Vec::new(),
            };
            checker.check_doc()?;
            lints.append(&mut checker.lints);
            if !is_built_in {
                warnings.append(&mut checker.warnings);
            }
        }
        if let Some(error) = Error::all(lints) {
            return Err(error);
        }
        set.refuse_endless_references()?;
        set.warnings = warnings;
        set.profile = Some(profile);
        Ok(set)
    }

    /// Refuses a `$ref` that leads back to itself while staying on the same instance (through
    /// `$ref`, `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else` or a schema dependency), as
    /// `{"$ref": "#"}` does: validating would never end. A cycle through a keyword that descends
    /// into the instance (`properties`, `items`...) ends with the instance and is fine.
    fn refuse_endless_references(&self) -> Result<()> {
        // 0: not seen, 1: on the current path, 2: done.
        let mut state: BTreeMap<Location, u8> = BTreeMap::new();
        let mut starts = Vec::new();
        for key in self.docs.keys().chain(self.resources.keys()) {
            if let Some(doc) = self.document(key) {
                collect_refs(&doc.value, key, "", &mut starts);
            }
        }
        for start in starts {
            if state.get(&start).copied().unwrap_or(0) != 0 {
                continue;
            }
            // Iterative depth-first search: (location, its successors, next successor).
            let mut stack: Vec<(Location, Vec<Location>, usize)> = Vec::new();
            state.insert(start.clone(), 1);
            let next = self.same_instance(&start);
            stack.push((start, next, 0));
            while let Some((location, successors, index)) = stack.last_mut() {
                let Some(successor) = successors.get(*index).cloned() else {
                    state.insert(location.clone(), 2);
                    stack.pop();
                    continue;
                };
                *index += 1;
                match state.get(&successor).copied().unwrap_or(0) {
                    0 => {
                        state.insert(successor.clone(), 1);
                        let next = self.same_instance(&successor);
                        stack.push((successor, next, 0));
                    }
                    1 => {
                        let first = stack
                            .iter()
                            .position(|(l, _, _)| *l == successor)
                            .unwrap_or(0);
                        let cycle: Vec<String> = stack[first..]
                            .iter()
                            .map(|(l, _, _)| format!("{}#{}", self.display(&l.doc), l.pointer))
                            .chain(std::iter::once(format!(
                                "{}#{}",
                                self.display(&successor.doc),
                                successor.pointer
                            )))
                            .collect();
                        let file = self
                            .document(&successor.doc)
                            .map(|d| d.file.clone())
                            .unwrap_or_default();
                        return Err(Error::at(
                            &file,
                            &successor.pointer,
                            format!(
                                "this schema applies itself to the same instance again ({}), so validating would never end",
                                cycle.join(" → ")
                            ),
                        ));
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// The schemas that the schema at `location` applies to its own instance (not to a member or
    /// an item of it).
    fn same_instance(&self, location: &Location) -> Vec<Location> {
        let Some(object) = self.node(location).and_then(Value::as_object) else {
            return Vec::new();
        };
        if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
            return self
                .resolve_at(&location.doc, &location.pointer, reference)
                .into_iter()
                .collect();
        }
        let mut out = Vec::new();
        for (tokens, _) in subschemas(object) {
            let applies_here = matches!(
                tokens.first().map(String::as_str),
                Some("allOf" | "anyOf" | "oneOf" | "not" | "if" | "then" | "else" | "dependencies")
            );
            if applies_here {
                let pointer = tokens
                    .iter()
                    .fold(location.pointer.clone(), |p, t| pointer_push(&p, t));
                out.push(Location {
                    doc: location.doc.clone(),
                    pointer,
                });
            }
        }
        out
    }

    /// What the general profile accepted and the validators ignore (annotations, unknown
    /// keywords, unknown formats, an `$id` that changes no resolution), each with its file and
    /// pointer, in document order. Empty for the protocol profile, which refuses all of them.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
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

    /// The document or resource a [`Location::doc`] names.
    fn document(&self, key: &str) -> Option<&SchemaDoc> {
        self.docs.get(key).or_else(|| self.resources.get(key))
    }

    /// The schema node at `location`.
    pub(crate) fn node(&self, location: &Location) -> Option<&Value> {
        self.document(&location.doc)?
            .value
            .pointer(&location.pointer)
    }

    /// Records that the document `name` is the definition at `pointer` of the bundle file
    /// `file_name`, so that schema paths into it name the bundle
    /// (`types.json#/definitions/pet/properties/age/minimum`) rather than a `Pet.json` that does
    /// not exist. A name that is not a document of the set is left alone.
    pub(crate) fn bundled_from(&mut self, name: &str, file_name: &str, pointer: &str) {
        if self.docs.contains_key(name) {
            self.bundled
                .insert(name.to_owned(), (file_name.to_owned(), pointer.to_owned()));
        }
    }

    /// The schema path of `pointer` in the document or resource `key`: `Name.json#/properties/a`
    /// (or the bundle's file and the definition's pointer, see [`SchemaSet::bundled_from`]).
    pub(crate) fn schema_path_of(&self, key: &str, pointer: &str) -> String {
        match self.bundled.get(key) {
            Some((file, prefix)) => format!("{file}#{prefix}{pointer}"),
            None => format!("{}#{pointer}", self.display(key)),
        }
    }

    /// How schema paths name the document or resource `key`: `Name.json` for a document, the URI
    /// for a resource.
    pub(crate) fn display(&self, key: &str) -> String {
        if self.docs.contains_key(key) {
            format!("{key}.json")
        } else {
            key.to_owned()
        }
    }

    /// The base URI a document or resource has before any `$id` inside it.
    fn document_base(&self, key: &str) -> UriRef {
        if self.docs.contains_key(key) {
            UriRef::parse(&format!("{INPUT_SCHEME}:///{key}.json"))
        } else {
            UriRef::parse(key)
        }
    }

    /// Records every identifier of every document and resource: its base URI, the `$id`s of its
    /// schemas (an `$id` beside a `$ref` is ignored, as draft-07 ignores every keyword there), and
    /// the location-independent names (`"$id": "#name"`). Only schema positions count: an `$id`
    /// inside `enum`, `const`, `default`, `examples` or an unknown keyword is data.
    fn index_ids(&mut self) {
        let mut ids: BTreeMap<String, Vec<Location>> = BTreeMap::new();
        let keys: Vec<String> = self
            .docs
            .keys()
            .chain(self.resources.keys())
            .cloned()
            .collect();
        for key in keys {
            let base = self.document_base(&key);
            let root = Location {
                doc: key.clone(),
                pointer: String::new(),
            };
            ids.entry(base.to_string()).or_default().push(root);
            if let Some(doc) = self.document(&key) {
                index_schema(&doc.value, &key, "", &base, &mut ids);
            }
        }
        for locations in ids.values_mut() {
            locations.dedup();
        }
        self.ids = ids;
    }

    /// The base URI in force for the schema object at `pointer` of document `key`: the
    /// document's, changed by each `$id` of the schemas on the way down (lexical scope, RFC 3986
    /// resolution), not counting an `$id` beside a `$ref` or the object's own `$id` (the `$ref`
    /// there ignores it); below a keyword that holds no schema, no `$id` counts.
    fn base_at(&self, key: &str, pointer: &str) -> UriRef {
        let mut base = self.document_base(key);
        let Some(root) = self.document(key).map(|d| &d.value) else {
            return base;
        };
        let (mut nodes, outside) = schema_path(root, pointer);
        if outside.is_none() {
            nodes.pop();
        }
        for object in nodes.into_iter().filter_map(Value::as_object) {
            if object.contains_key("$ref") {
                continue;
            }
            if let Some(id) = object.get("$id").and_then(Value::as_str) {
                if !id.starts_with('#') {
                    base = UriRef::parse(id).resolve_against(&base).without_fragment();
                }
            }
        }
        base
    }

    /// Resolves the `$ref` of the schema object at `pointer` of document `from`: against the base
    /// URI in force there, to a document, resource or schema of either that declares the URI,
    /// then by the fragment (a JSON pointer from that schema, or a location-independent name).
    /// Where the URI names no schema of the input, a last path segment `Name.json` naming a
    /// document of the input means that document (the input folder is where its files are found).
    pub(crate) fn resolve_at(
        &self,
        from: &str,
        pointer: &str,
        reference: &str,
    ) -> std::result::Result<Location, String> {
        let base = self.base_at(from, pointer);
        let target = UriRef::parse(reference).resolve_against(&base);
        let fragment = target.fragment.clone().unwrap_or_default();
        let resource = target.without_fragment().to_string();
        let shown = |uri: &str| {
            if uri.starts_with(INPUT_SCHEME) {
                String::new()
            } else {
                format!(" (`{uri}`)")
            }
        };
        let root = match self.lookup(from, &resource)? {
            Some(location) => location,
            None => {
                let last = target.path.rsplit('/').next().unwrap_or_default();
                match last.strip_suffix(".json").filter(|stem| self.docs.contains_key(*stem)) {
                    Some(stem) => Location {
                        doc: stem.to_owned(),
                        pointer: String::new(),
                    },
                    None => {
                        return Err(format!(
                            "$ref `{reference}` names a schema{} that is not in the input: no document declares it and none is its file (the generators never fetch a schema)",
                            shown(&resource)
                        ))
                    }
                }
            }
        };
        let decoded = percent_decode(&fragment)
            .ok_or_else(|| format!("$ref `{reference}` has a malformed percent-encoding"))?;
        let location = if decoded.is_empty() {
            root
        } else if decoded.starts_with('/') {
            Location {
                pointer: format!("{}{decoded}", root.pointer),
                doc: root.doc,
            }
        } else {
            let named = format!("{resource}#{decoded}");
            self.lookup(from, &named)?.ok_or_else(|| {
                format!(
                    "$ref `{reference}` names `#{decoded}`, which no schema{} declares as its `$id`",
                    shown(&resource)
                )
            })?
        };
        if self.node(&location).is_none() {
            return Err(format!("$ref `{reference}` points at nothing"));
        }
        Ok(location)
    }

    /// The schema declaring identifier `uri`: the one in document `from` when it declares it,
    /// otherwise the only one of the input; two elsewhere are an ambiguity.
    fn lookup(&self, from: &str, uri: &str) -> std::result::Result<Option<Location>, String> {
        let Some(locations) = self.ids.get(uri) else {
            return Ok(None);
        };
        if let Some(own) = locations.iter().find(|l| l.doc == from) {
            return Ok(Some(own.clone()));
        }
        match locations.as_slice() {
            [one] => Ok(Some(one.clone())),
            [] => Ok(None),
            [first, second, ..] => Err(format!(
                "`{uri}` is declared by two schemas of the input ({}#{} and {}#{}): a `$ref` to it from {} is ambiguous",
                self.display(&first.doc),
                first.pointer,
                self.display(&second.doc),
                second.pointer,
                self.display(from)
            )),
        }
    }
}

/// Collects the location of every schema object with a `$ref` in `schema` (at `pointer` of
/// document `key`) and its subschemas.
fn collect_refs(schema: &Value, key: &str, pointer: &str, out: &mut Vec<Location>) {
    let Some(object) = schema.as_object() else {
        return;
    };
    if object.contains_key("$ref") {
        out.push(Location {
            doc: key.to_owned(),
            pointer: pointer.to_owned(),
        });
    }
    for (tokens, sub) in subschemas(object) {
        let at = tokens
            .iter()
            .fold(pointer.to_owned(), |p, t| pointer_push(&p, t));
        collect_refs(sub, key, &at, out);
    }
}

/// Records the identifiers of `schema` (at `pointer` of document `key`, base URI `base`) and of
/// its subschemas into `ids` (see [`SchemaSet::index_ids`]).
fn index_schema(
    schema: &Value,
    key: &str,
    pointer: &str,
    base: &UriRef,
    ids: &mut BTreeMap<String, Vec<Location>>,
) {
    let Some(object) = schema.as_object() else {
        return;
    };
    let here = Location {
        doc: key.to_owned(),
        pointer: pointer.to_owned(),
    };
    let mut base = base.clone();
    let id = object
        .get("$id")
        .and_then(Value::as_str)
        .filter(|_| !object.contains_key("$ref"));
    if let Some(id) = id {
        let resolved = UriRef::parse(id).resolve_against(&base);
        let fragment = resolved.fragment.clone().unwrap_or_default();
        if !id.starts_with('#') {
            base = resolved.without_fragment();
            ids.entry(base.to_string()).or_default().push(here.clone());
        }
        if !fragment.is_empty() && !fragment.starts_with('/') {
            ids.entry(format!("{base}#{fragment}"))
                .or_default()
                .push(here);
        }
    }
    for (tokens, sub) in subschemas(object) {
        let at = tokens
            .iter()
            .fold(pointer.to_owned(), |p, t| pointer_push(&p, t));
        index_schema(sub, key, &at, &base, ids);
    }
}

struct Checker<'a> {
    set: &'a SchemaSet,
    doc: &'a SchemaDoc,
    profile: Profile,
    /// The protocol profile's lints found so far.
    lints: Vec<Error>,
    /// The general profile's warnings found so far.
    warnings: Vec<Warning>,
}

impl Checker<'_> {
    fn err(&self, pointer: &str, reason: impl Into<String>) -> Error {
        Error::at(&self.doc.file, pointer, reason)
    }

    /// A protocol rule broken: reported with the others once the whole set is checked.
    fn lint(&mut self, pointer: &str, reason: impl Into<String>) {
        let error = self.err(pointer, reason);
        self.lints.push(error);
    }

    fn warn(&mut self, pointer: &str, keyword: &str, reason: impl Into<String>) {
        self.warnings.push(Warning {
            file: self.doc.file.clone(),
            pointer: pointer.to_owned(),
            keyword: keyword.to_owned(),
            reason: reason.into(),
        });
    }

    fn check_doc(&mut self) -> Result<()> {
        let doc = self.doc;
        let is_resource = !self.set.docs.contains_key(&doc.name);
        if self.profile == Profile::Protocol && !is_resource {
            let Some(object) = doc.value.as_object() else {
                return Err(Error::at(
                    &doc.file,
                    "",
                    "a protocol schema must be an object",
                ));
            };
            match object.get("title").and_then(Value::as_str) {
                Some(title) if title == doc.name => {}
                _ => self.lint(
                    "",
                    format!(
                        "a protocol schema needs \"title\": \"{}\" (its file name)",
                        doc.name
                    ),
                ),
            }
        }
        self.check(&doc.value, "")
    }

    fn check(&mut self, schema: &Value, pointer: &str) -> Result<()> {
        let object = match schema {
            Value::Bool(_) => return Ok(()),
            Value::Object(object) => object,
            _ => return Err(self.err(pointer, "a schema must be an object or a boolean")),
        };
        if self.profile == Profile::Protocol {
            for key in object
                .keys()
                .filter(|k| VALIDATION_ONLY_KEYWORDS.contains(&k.as_str()))
            {
                self.lint(
                    &pointer_push(pointer, key),
                    format!("keyword `{key}` is not in the protocol profile (the type emitters do not support it)"),
                );
            }
            self.check_protocol_rules(object, pointer);
        }
        for (key, value) in object {
            let at = pointer_push(pointer, key);
            if PROFILE_KEYWORDS.contains(&key.as_str()) {
                self.check_keyword(object, key, value, &at)?;
            } else if self.profile == Profile::Protocol {
                self.lint(
                    &at,
                    format!("keyword `{key}` is not in the schema profile (the generators understand: {})", PROFILE_KEYWORDS.join(", ")),
                );
            } else if key == "$id" {
                self.check_id(value, &at)?;
            } else if ANNOTATION_KEYWORDS.contains(&key.as_str()) {
                self.warn(
                    &at,
                    key,
                    format!("annotation `{key}` is ignored by the validators"),
                );
            } else {
                self.warn(
                    &at,
                    key,
                    format!("keyword `{key}` is not a keyword the generators know; the validators ignore it"),
                );
            }
        }
        Ok(())
    }

    /// `$id` in the general profile: an identifier, and the base URI of the `$ref`s inside it
    /// (see [`SchemaSet::resolve_at`]).
    fn check_id(&mut self, id: &Value, at: &str) -> Result<()> {
        let id = id
            .as_str()
            .ok_or_else(|| self.err(at, "`$id` must be a string"))?;
        let fragment = UriRef::parse(id).fragment.unwrap_or_default();
        if fragment.starts_with('/') {
            return Err(self.err(
                at,
                format!("`$id` \"{id}\" has a JSON-pointer fragment; an `$id` fragment is a plain name (`#name`) or empty"),
            ));
        }
        Ok(())
    }

    fn check_protocol_rules(&mut self, object: &Map<String, Value>, pointer: &str) {
        if object.contains_key("$ref") {
            for key in object
                .keys()
                .filter(|k| *k != "$ref" && *k != "description")
            {
                self.lint(&pointer_push(pointer, key), "a `$ref` may only have a `description` beside it (draft-07 ignores its siblings)");
            }
        }
        if pointer.is_empty() && !object.contains_key("description") {
            self.lint(pointer, "a protocol schema needs a `description`");
        }
        if object.contains_key("properties") && !object.contains_key("additionalProperties") {
            self.lint(
                pointer,
                "an object schema with `properties` must state `additionalProperties`",
            );
        }
        if let Some(Value::Object(properties)) = object.get("properties") {
            for (name, property) in properties {
                if property
                    .as_object()
                    .is_some_and(|p| !p.contains_key("description"))
                {
                    let at = pointer_push(&pointer_push(pointer, "properties"), name);
                    self.lint(
                        &at,
                        "every property of a protocol schema needs a `description`",
                    );
                }
            }
        }
    }

    fn check_keyword(
        &mut self,
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
                let object_at = at.strip_suffix("/$ref").unwrap_or_default();
                let location = self
                    .set
                    .resolve_at(&self.doc.name, object_at, reference)
                    .map_err(|reason| self.err(at, reason))?;
                let target = self.set.document(&location.doc).map(|d| &d.value);
                if let Some(outside) = target.and_then(|t| outside_schemas(t, &location.pointer)) {
                    return Err(self.err(
                        at,
                        format!("$ref `{reference}` points inside `{outside}`, which holds no schema the generators check"),
                    ));
                }
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
                // The standard formats are the general profile's: the protocol profile keeps to
                // its own named formats.
                let known = formats::find(name)
                    .filter(|f| self.profile == Profile::General || !f.general_only);
                match known {
                    Some(format) if self.profile == Profile::Protocol => {
                        let declared = object
                            .get("type")
                            .and_then(Value::as_str)
                            .and_then(JsonType::parse);
                        if declared != Some(format.applies_to) {
                            self.lint(
                                at,
                                format!(
                                    "format `{name}` needs `\"type\": \"{}\"` beside it",
                                    format.applies_to.name()
                                ),
                            );
                        }
                    }
                    Some(_) => {}
                    None if self.profile == Profile::General => {
                        if find_range_format(name).is_none() {
                            self.warn(
                                at,
                                "format",
                                format!("format `{name}` is not one the generators know; ignored (draft-07: an unknown format accepts every value)"),
                            );
                        }
                    }
                    None => {
                        let known: Vec<&str> = formats::FORMATS
                            .iter()
                            .filter(|f| !f.general_only)
                            .map(|f| f.name)
                            .collect();
                        self.lint(
                            at,
                            format!(
                                "format `{name}` is not one of the profile's named formats ({})",
                                known.join(", ")
                            ),
                        );
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
    crate::json::object_key_orders(text)?;
    Ok(value)
}

/// The subschemas of a schema object, each with its reference tokens below the object: the
/// schema positions of the profile's keywords (unknown keywords hold no schema).
fn subschemas(object: &Map<String, Value>) -> Vec<(Vec<String>, &Value)> {
    let mut out = Vec::new();
    for (key, value) in object {
        let token = |rest: &str| vec![key.clone(), rest.to_owned()];
        match key.as_str() {
            "definitions" | "properties" | "patternProperties" => {
                for (name, schema) in value.as_object().into_iter().flatten() {
                    out.push((token(name), schema));
                }
            }
            "dependencies" => {
                for (name, schema) in value.as_object().into_iter().flatten() {
                    if !schema.is_array() {
                        out.push((token(name), schema));
                    }
                }
            }
            "items" | "allOf" | "anyOf" | "oneOf" if value.is_array() => {
                for (i, schema) in value.as_array().into_iter().flatten().enumerate() {
                    out.push((token(&i.to_string()), schema));
                }
            }
            "items"
            | "additionalProperties"
            | "not"
            | "if"
            | "then"
            | "else"
            | "additionalItems"
            | "contains"
            | "propertyNames" => {
                out.push((vec![key.clone()], value));
            }
            _ => {}
        }
    }
    out
}

/// When the JSON pointer `pointer` into `root` does not lead to a schema position (it passes
/// through a keyword that holds no schema, such as `enum`, `examples` or `x-...`, or ends at a
/// container such as `properties`), that keyword; `None` when it does.
fn outside_schemas(root: &Value, pointer: &str) -> Option<String> {
    schema_path(root, pointer).1
}

/// The schemas `pointer` passes through in `root`, from `root` down, each reached through the
/// schema positions of its parent ([`subschemas`]); and, when the pointer leaves those positions
/// before its end, the token where it does (the schemas then end at the last one reached).
fn schema_path<'a>(root: &'a Value, pointer: &str) -> (Vec<&'a Value>, Option<String>) {
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let mut nodes = vec![root];
    let mut schema = root;
    let mut i = 0;
    while i < tokens.len() {
        let found = schema.as_object().and_then(|object| {
            subschemas(object).into_iter().find(|(path, _)| {
                path.len() <= tokens.len() - i && path.iter().zip(&tokens[i..]).all(|(a, b)| a == b)
            })
        });
        match found {
            Some((path, sub)) => {
                i += path.len();
                schema = sub;
                nodes.push(sub);
            }
            None => return (nodes, Some(tokens[i].clone())),
        }
    }
    (nodes, None)
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
