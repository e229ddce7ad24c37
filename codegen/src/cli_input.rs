//! The command line's inputs: a folder of schema files (one type per file, named by its file stem)
//! or one bundle file (one type per entry of its `definitions`), read into the documents of one
//! [`SchemaSet`]. File stems and definition names that are not type names are made ones
//! (`device-key` → `DeviceKey`), and the `$ref`s that name them are rewritten to match; a bundle's
//! `#/definitions/<name>` references become references between its types. Errors about a bundle's
//! types name the bundle and the pointer inside it (`types.json#/definitions/foo/...`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{pointer_push, Error, Warning};
use crate::layout::METHODS_FILE;
use crate::methods::{self, Method};
use crate::schema_set::{parse_json_strict, Profile, SchemaDoc, SchemaSet};

/// Why an input could not be read: a one-line message (the command exits with 2), or the schemas'
/// located errors (exit 1).
#[derive(Debug)]
pub(crate) enum InputError {
    /// The input is missing, unreadable, not JSON, or holds no types.
    Unreadable(String),
    /// The schemas are refused: every error with its `file#pointer`.
    Refused(Error),
}

impl From<Error> for InputError {
    fn from(error: Error) -> Self {
        InputError::Refused(error)
    }
}

/// A loaded input.
#[derive(Debug)]
pub(crate) struct Input {
    /// The checked documents.
    pub(crate) set: SchemaSet,
    /// The method table (`methods.json` of a folder, protocol profile only).
    pub(crate) methods: Option<Vec<Method>>,
    /// The warnings of the profile check, located in the input as the user wrote it.
    pub(crate) warnings: Vec<Warning>,
    /// Maps the documents' message paths back to the input (see [`Locations`]).
    pub(crate) locations: Locations,
}

/// The draft the generator reads (`$schema`).
const DRAFT_07: &str = "http://json-schema.org/draft-07/schema#";

/// The keywords a bundle's root may have besides `definitions`: none of them validates.
const BUNDLE_ROOT_KEYWORDS: &[&str] = &["$schema", "$id", "title", "description", "$comment"];

/// Reads `input` (a folder or a bundle file) and checks its documents against `profile`.
pub(crate) fn load(input: &Path, profile: Profile) -> Result<Input, InputError> {
    let metadata = std::fs::metadata(input).map_err(|e| {
        InputError::Unreadable(format!("cannot read the input `{}`: {e}", input.display()))
    })?;
    if metadata.is_dir() {
        load_folder(input, profile)
    } else {
        load_bundle(input, profile)
    }
}

/// The input's own name, where the default package name comes from: its last path component
/// without `.json` (`.` and `..` are resolved first).
pub(crate) fn input_stem(input: &Path) -> Option<String> {
    let named = match input.file_name() {
        Some(_) => input.to_path_buf(),
        None => std::fs::canonicalize(input).ok()?,
    };
    let name = named.file_name()?.to_str()?;
    Some(name.strip_suffix(".json").unwrap_or(name).to_owned())
}

/// Reads and parses one JSON file (duplicate keys refused, as everywhere in the generator).
fn read_json(path: &Path) -> Result<Value, InputError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| InputError::Unreadable(format!("{}: cannot read: {e}", path.display())))?;
    parse_json_strict(&text)
        .map_err(|reason| InputError::Unreadable(format!("{}: {reason}", path.display())))
}

fn load_folder(dir: &Path, profile: Profile) -> Result<Input, InputError> {
    let unreadable = |e: std::io::Error| {
        InputError::Unreadable(format!("cannot read the folder `{}`: {e}", dir.display()))
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(unreadable)? {
        let entry = entry.map_err(unreadable)?;
        let path = entry.path();
        let is_json = path.extension().is_some_and(|e| e == "json");
        let hidden = entry.file_name().as_encoded_bytes().starts_with(b".");
        if is_json && !hidden && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    let mut method_table = None;
    if profile == Profile::Protocol {
        if let Some(i) = files
            .iter()
            .position(|p| p.file_name().is_some_and(|n| n == METHODS_FILE))
        {
            method_table = Some(files.remove(i));
        }
    }
    if files.is_empty() {
        return Err(InputError::Unreadable(format!(
            "the folder `{}` holds no schema files (`*.json`)",
            dir.display()
        )));
    }
    let mut values = Vec::new();
    for path in &files {
        values.push((path.clone(), read_json(path)?));
    }

    // Type names from file stems; a renamed file's `$ref`s are rewritten to the new name.
    let mut errors = Vec::new();
    let mut by_name: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut renamed: BTreeMap<String, String> = BTreeMap::new();
    let mut named = Vec::new();
    for (path, value) in values {
        let file_name = path.file_name().and_then(|n| n.to_str()).map(str::to_owned);
        let Some(file_name) = file_name else {
            errors.push(Error::file(
                &path,
                "the file name is not UTF-8, so it names no type",
            ));
            continue;
        };
        let stem = file_name.trim_end_matches(".json");
        let name = match type_name_of(stem) {
            Ok(name) => name,
            Err(reason) => {
                errors.push(Error::file(&path, format!("the file name {reason}")));
                continue;
            }
        };
        if let Some(first) = by_name.get(&name) {
            errors.push(Error::file(
                &path,
                format!(
                    "gives the type name `{name}`, as `{}` does: two files cannot define one type",
                    first.display()
                ),
            ));
            continue;
        }
        by_name.insert(name.clone(), path.clone());
        if name != stem {
            renamed.insert(file_name.clone(), format!("{name}.json"));
        }
        named.push((name, path, value));
    }
    let mut docs = Vec::new();
    for (name, path, mut value) in named {
        if !renamed.is_empty() {
            let mut rename = |reference: &str, _: &str| -> Result<Option<String>, String> {
                let (file, fragment) = match reference.split_once('#') {
                    Some((file, fragment)) => (file, Some(fragment)),
                    None => (reference, None),
                };
                let file = file.strip_prefix("./").unwrap_or(file);
                Ok(renamed.get(file).map(|new| match fragment {
                    Some(fragment) => format!("{new}#{fragment}"),
                    None => new.clone(),
                }))
            };
            let mut ignored = Vec::new();
            rewrite_refs(&mut value, "", &mut rename, &mut ignored);
        }
        docs.push(SchemaDoc {
            name,
            file: path,
            value,
        });
    }
    if let Some(error) = Error::all(errors) {
        return Err(InputError::Refused(error));
    }
    let (set, warnings) = checked(docs, profile)?;
    let methods = match method_table {
        Some(path) => Some(methods::load(&path, &path, &set)?),
        None => None,
    };
    Ok(Input {
        warnings,
        set,
        methods,
        locations: Locations::default(),
    })
}

fn load_bundle(file: &Path, profile: Profile) -> Result<Input, InputError> {
    let root = read_json(file)?;
    let no_bundle = || {
        InputError::Unreadable(format!(
            "{}: not a bundle: a bundle file is a JSON object whose `definitions` are the types",
            file.display()
        ))
    };
    let object = root.as_object().ok_or_else(no_bundle)?;
    let definitions = object
        .get("definitions")
        .and_then(Value::as_object)
        .ok_or_else(no_bundle)?;
    if definitions.is_empty() {
        return Err(InputError::Unreadable(format!(
            "{}: the bundle's `definitions` is empty: there is no type to generate",
            file.display()
        )));
    }
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for (key, value) in object {
        match key.as_str() {
            "definitions" => {}
            "$schema" if value.as_str() == Some(DRAFT_07) => {}
            "$schema" => errors.push(Error::at(
                file,
                "/$schema",
                format!("`$schema` must be \"{DRAFT_07}\": the generator reads draft-07"),
            )),
            "$id" => warnings.push(Warning {
                file: file.to_path_buf(),
                pointer: "/$id".to_owned(),
                keyword: "$id".to_owned(),
                reason: "`$id` ignored: a bundle's `$ref`s point into the bundle itself".to_owned(),
            }),
            key if BUNDLE_ROOT_KEYWORDS.contains(&key) => {}
            key => errors.push(Error::at(
                file,
                pointer_push("", key),
                format!("a bundle's root holds its types in `definitions` and nothing that validates: `{key}` would make the root a schema of its own, which no type is generated for; move it into a definition"),
            )),
        }
    }

    // Type names from definition names, each definition its own document.
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut first_of: BTreeMap<String, String> = BTreeMap::new();
    for key in definitions.keys() {
        let at = pointer_push("/definitions", key);
        match type_name_of(key) {
            Ok(name) => {
                if let Some(first) = first_of.get(&name) {
                    errors.push(Error::at(
                        file,
                        at,
                        format!("gives the type name `{name}`, as the definition `{first}` does: two definitions cannot define one type"),
                    ));
                } else {
                    first_of.insert(name.clone(), key.clone());
                    names.insert(key.clone(), name);
                }
            }
            Err(reason) => {
                errors.push(Error::at(file, at, format!("the definition name {reason}")))
            }
        }
    }
    let mut docs = Vec::new();
    let mut locations = Locations::default();
    for (key, definition) in definitions {
        let Some(name) = names.get(key) else {
            continue;
        };
        let prefix = pointer_push("/definitions", key);
        let mut value = definition.clone();
        let mut point = |reference: &str, _: &str| -> Result<Option<String>, String> {
            bundle_ref(reference, definitions, &names).map(Some)
        };
        let mut ref_errors = Vec::new();
        rewrite_refs(&mut value, "", &mut point, &mut ref_errors);
        for (pointer, reason) in ref_errors {
            errors.push(Error::at(file, format!("{prefix}{pointer}"), reason));
        }
        let shown = PathBuf::from(format!("{}#{prefix}", file.display()));
        locations
            .bundled
            .insert(shown.clone(), (file.to_path_buf(), prefix));
        docs.push(SchemaDoc {
            name: name.clone(),
            file: shown,
            value,
        });
    }
    if let Some(error) = Error::all(errors) {
        return Err(InputError::Refused(error));
    }
    let (mut set, ignored) = checked(docs, profile).map_err(|e| match e {
        InputError::Refused(error) => InputError::Refused(locations.error(error)),
        other => other,
    })?;
    // Violations' schema paths name the bundle by its file name and the definition's pointer, as
    // those into a folder's document name its file.
    let file_name = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    for (key, name) in &names {
        set.bundled_from(name, &file_name, &pointer_push("/definitions", key));
    }
    warnings.extend(ignored.iter().map(|w| locations.warning(w)));
    Ok(Input {
        set,
        methods: None,
        warnings,
        locations,
    })
}

/// Checks `docs` against `profile` and returns the set with its warnings. What a warning names the
/// validators ignore (annotations, unknown keywords, unknown formats, an `$id` that changes no
/// resolution), so it is taken out of the documents the emitters see: the type generator would
/// otherwise give an unknown format a type of a crate the package does not depend on (`date-time`
/// as `chrono::DateTime`) and refuse values the validators accept.
fn checked(
    docs: Vec<SchemaDoc>,
    profile: Profile,
) -> Result<(SchemaSet, Vec<Warning>), InputError> {
    let set = SchemaSet::new(docs, profile)?;
    let warnings = set.warnings().to_vec();
    if warnings.is_empty() {
        return Ok((set, warnings));
    }
    let mut docs: Vec<SchemaDoc> = set.docs.into_values().collect();
    for warning in &warnings {
        let Some((parent, token)) = warning.pointer.rsplit_once('/') else {
            continue;
        };
        let key = token.replace("~1", "/").replace("~0", "~");
        let doc = docs.iter_mut().find(|d| d.file == warning.file);
        if let Some(Value::Object(object)) = doc.and_then(|d| d.value.pointer_mut(parent)) {
            object.remove(&key);
        }
    }
    Ok((SchemaSet::new(docs, profile)?, warnings))
}

/// A `$ref` of a bundle rewritten for its split documents: `#/definitions/foo/rest` is
/// `Foo.json#/rest`; anything else is refused.
fn bundle_ref(
    reference: &str,
    definitions: &serde_json::Map<String, Value>,
    names: &BTreeMap<String, String>,
) -> Result<String, String> {
    let Some(fragment) = reference.strip_prefix('#') else {
        return Err(format!("`$ref` `{reference}` leaves the bundle: a bundle's types refer to one another as `#/definitions/<name>`"));
    };
    let malformed = || format!("`$ref` `{reference}` has a malformed percent-encoding");
    let fragment = percent_decode(fragment).ok_or_else(malformed)?;
    let Some(inside) = fragment.strip_prefix("/definitions/") else {
        return Err(format!("`$ref` `{reference}` points outside the bundle's `definitions`: only `#/definitions/<name>` names a type"));
    };
    let (token, rest) = match inside.find('/') {
        Some(i) => (&inside[..i], &inside[i..]),
        None => (inside, ""),
    };
    let key = token.replace("~1", "/").replace("~0", "~");
    let (Some(definition), Some(name)) = (definitions.get(&key), names.get(&key)) else {
        return Err(format!(
            "`$ref` `{reference}` names no definition of the bundle"
        ));
    };
    if rest.is_empty() {
        return Ok(format!("{name}.json"));
    }
    if definition.pointer(rest).is_none() {
        return Err(format!("`$ref` `{reference}` points at nothing"));
    }
    // The decoded pointer, with `%` encoded again for the resolver, which decodes it.
    Ok(format!("{name}.json#{}", rest.replace('%', "%25")))
}

/// Decodes `%XX` escapes (a URI fragment); `None` when one is malformed or the result is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        if byte == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(byte);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Where the documents' message paths are in the input: a bundle's types are documents whose
/// message path is `bundle.json#/definitions/foo`, which errors and warnings name as the bundle
/// and a pointer inside it.
#[derive(Debug, Default)]
pub(crate) struct Locations {
    /// Message path of a bundled document → the bundle file and the document's pointer in it.
    bundled: BTreeMap<PathBuf, (PathBuf, String)>,
}

impl Locations {
    /// `error` (and every one of its others) located in the input.
    pub(crate) fn error(&self, error: Error) -> Error {
        let Error {
            file,
            pointer,
            reason,
            others,
        } = error;
        let (file, pointer) = match self.bundled.get(&file) {
            Some((bundle, prefix)) => (
                bundle.clone(),
                Some(format!("{prefix}{}", pointer.unwrap_or_default())),
            ),
            None => (file, pointer),
        };
        Error {
            file,
            pointer,
            reason,
            others: others.into_iter().map(|e| self.error(e)).collect(),
        }
    }

    /// `warning` located in the input.
    fn warning(&self, warning: &Warning) -> Warning {
        let mut warning = warning.clone();
        if let Some((bundle, prefix)) = self.bundled.get(&warning.file) {
            warning.file = bundle.clone();
            warning.pointer = format!("{prefix}{}", warning.pointer);
        }
        warning
    }
}

/// Type names the generated TypeScript package exports for itself beside the types (the lookups
/// by name, the violation type), which a schema type of the same name would clash with.
const TAKEN_TYPE_NAMES: &[&str] = &["ParseResult", "TypeName", "TypesByName", "Violation"];

/// A file stem or definition name as a type name (PascalCase ASCII letters and digits): itself
/// when it is one, else its words (split at every character that is not an ASCII letter or
/// digit) each with a capital first letter. `Err` says why there is none: a suffix to "the file
/// name" / "the definition name".
pub(crate) fn type_name_of(stem: &str) -> Result<String, String> {
    if !stem.is_ascii() {
        return Err(format!("`{stem}` is not a type name and cannot be made one: type names are ASCII letters and digits"));
    }
    let mut name = String::with_capacity(stem.len());
    for word in stem
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            name.push(first.to_ascii_uppercase());
            name.push_str(chars.as_str());
        }
    }
    match name.chars().next() {
        Some(_) if TAKEN_TYPE_NAMES.contains(&name.as_str()) => Err(format!(
            "`{stem}` gives the type name `{name}`, which the TypeScript package exports for itself ({}): rename it",
            TAKEN_TYPE_NAMES.join(", ")
        )),
        Some(first) if first.is_ascii_alphabetic() => Ok(name),
        Some(_) => Err(format!(
            "`{stem}` is not a type name and cannot be made one: a type name starts with a letter"
        )),
        None => Err(format!(
            "`{stem}` is not a type name and cannot be made one: it has no letters or digits"
        )),
    }
}

/// A `$ref` rewriter: the reference and its pointer → the new reference (`None`: unchanged), or
/// why it is refused.
type Rewrite<'a> = dyn FnMut(&str, &str) -> Result<Option<String>, String> + 'a;

/// Rewrites every `$ref` at a schema position of `schema` (at `pointer`): the keywords that hold
/// schemas, not values (`enum`, `const`, `default`, `examples` and unknown keywords are left as
/// they are). Refusals are collected as (pointer of the `$ref`, reason).
fn rewrite_refs(
    schema: &mut Value,
    pointer: &str,
    rewrite: &mut Rewrite<'_>,
    errors: &mut Vec<(String, String)>,
) {
    let Value::Object(object) = schema else {
        return;
    };
    for (key, value) in object.iter_mut() {
        let at = pointer_push(pointer, key);
        match key.as_str() {
            "$ref" => {
                if let Value::String(reference) = value {
                    match rewrite(reference, &at) {
                        Ok(Some(new)) => *reference = new,
                        Ok(None) => {}
                        Err(reason) => errors.push((at, reason)),
                    }
                }
            }
            "definitions" | "properties" | "patternProperties" | "dependencies" => {
                if let Value::Object(map) = value {
                    for (name, sub) in map.iter_mut() {
                        rewrite_refs(sub, &pointer_push(&at, name), rewrite, errors);
                    }
                }
            }
            "items" | "allOf" | "anyOf" | "oneOf" if value.is_array() => {
                if let Value::Array(items) = value {
                    for (i, sub) in items.iter_mut().enumerate() {
                        rewrite_refs(sub, &pointer_push(&at, &i.to_string()), rewrite, errors);
                    }
                }
            }
            "items"
            | "additionalItems"
            | "additionalProperties"
            | "contains"
            | "propertyNames"
            | "not"
            | "if"
            | "then"
            | "else" => rewrite_refs(value, &at, rewrite, errors),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{percent_decode, type_name_of};

    #[test]
    fn fragments_are_percent_decoded() {
        assert_eq!(
            percent_decode("/definitions/a%20b").as_deref(),
            Some("/definitions/a b")
        );
        assert_eq!(percent_decode("/x%25").as_deref(), Some("/x%"));
        assert_eq!(percent_decode("/x%2"), None);
        assert_eq!(percent_decode("/x%zz"), None);
        assert_eq!(percent_decode("/x%ff"), None);
    }

    #[test]
    fn stems_become_type_names_or_say_why_not() {
        assert_eq!(type_name_of("DeviceKey").as_deref(), Ok("DeviceKey"));
        assert_eq!(type_name_of("device-key").as_deref(), Ok("DeviceKey"));
        assert_eq!(type_name_of("device_key.v2").as_deref(), Ok("DeviceKeyV2"));
        assert_eq!(type_name_of("fooBar").as_deref(), Ok("FooBar"));
        assert!(type_name_of("2fa")
            .unwrap_err()
            .contains("starts with a letter"));
        assert!(type_name_of("--")
            .unwrap_err()
            .contains("no letters or digits"));
        assert!(type_name_of("clé").unwrap_err().contains("ASCII"));
        assert!(type_name_of("type-name")
            .unwrap_err()
            .contains("which the TypeScript package exports for itself"));
    }
}
