//! Emits the Rust types with typify: the protocol documents are bundled into one root schema whose
//! `definitions` are the types, with cross-file `$ref`s rewritten to point into it (standalone
//! schemas of the general profile bring their own `definitions` into it too). After typify's
//! output come `ALL` and `as_str` for every string enum, spelled from the enum typify wrote. Every
//! protocol type also derives `ts_rs::TS` when the generated crate's optional `ts-rs` feature is
//! on.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use quote::quote;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::model::find_discriminator;
use crate::schema_set::{SchemaDoc, SchemaSet};

/// The Rust types module of the generated crate.
#[derive(Debug)]
pub(crate) struct RustTypes {
    /// The module body (no header).
    pub(crate) code: String,
    /// Whether the code uses the `regress` crate (typify checks `pattern`s with it).
    pub(crate) uses_regress: bool,
    /// The schema documents the module defines a struct or an enum for, by type name.
    pub(crate) names: BTreeSet<String>,
}

/// Emits the types module for every document of `set` (the protocol profile: one type per file,
/// no `definitions`).
pub(crate) fn emit(set: &SchemaSet) -> Result<RustTypes> {
    let mut definitions = Map::new();
    for doc in set.docs.values() {
        if doc.value.get("definitions").is_some() {
            return Err(Error::at(&doc.file, "/definitions", "protocol types are one per file: move this definition into its own schema file and `$ref` it by file name"));
        }
        let mut value = doc.value.clone();
        if let Value::Object(object) = &mut value {
            object.remove("$schema");
        }
        rewrite_refs(&mut value);
        steer_tags(&mut value);
        definitions.insert(doc.name.clone(), value);
    }
    emit_bundle(set, definitions, true)
}

/// Emits the types module for standalone schemas (the general profile): every document is a type
/// named by the document, and so is every entry of its `definitions`, named by its key (or, when
/// another document's definition of that name differs, by the document and the key: `DocKey`),
/// the way the TypeScript types name them. One definition serves documents whose definitions of a
/// name are the same JSON without a `$ref` (schemars writes a shared type into each document).
pub(crate) fn emit_general(set: &SchemaSet) -> Result<RustTypes> {
    // Each document's definition keys → bundled names, documents' own names first.
    let mut taken: BTreeMap<String, Value> = BTreeMap::new();
    let mut renames: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for doc in set.docs.values() {
        taken.insert(doc.name.clone(), Value::Null);
    }
    for doc in set.docs.values() {
        let mut own = BTreeMap::new();
        if let Some(Value::Object(entries)) = doc.value.get("definitions") {
            for (key, schema) in entries {
                let shared = taken
                    .get(key)
                    .is_some_and(|existing| existing == schema && !has_ref(schema));
                let plain = key.starts_with(|c: char| c.is_ascii_uppercase())
                    && key.chars().all(|c| c.is_ascii_alphanumeric());
                let name = if plain && (!taken.contains_key(key) || shared) {
                    key.clone()
                } else {
                    format!("{}{}", doc.name, pascal_words(key))
                };
                if taken.get(&name).is_some_and(|existing| existing != schema) {
                    return Err(Error::at(
                        &doc.file,
                        crate::error::pointer_push("/definitions", key),
                        format!("the Rust type name `{name}` of this definition is taken by another schema"),
                    ));
                }
                taken.insert(name.clone(), schema.clone());
                own.insert(key.clone(), name);
            }
        }
        renames.insert(doc.name.clone(), own);
    }
    let mut definitions = Map::new();
    for doc in set.docs.values() {
        let mut value = doc.value.clone();
        let mut entries = Map::new();
        if let Value::Object(object) = &mut value {
            object.remove("$schema");
            if let Some(Value::Object(own)) = object.remove("definitions") {
                entries = own;
            }
        }
        rewrite_general_refs(&mut value, &doc.name, &renames);
        steer_tags(&mut value);
        definitions.insert(doc.name.clone(), value);
        for (key, mut schema) in entries {
            let name = renames[&doc.name][&key].clone();
            rewrite_general_refs(&mut schema, &doc.name, &renames);
            steer_tags(&mut schema);
            definitions.insert(name, schema);
        }
    }
    emit_bundle(set, definitions, false)
}

/// Rewrites the `$ref`s of document `doc` to point into the bundle: `#/definitions/K` and
/// `Other.json#/definitions/K` to the definition's bundled name, `#` and `Other.json` to the
/// documents, any other pointer to the same place below the document's bundled entry.
fn rewrite_general_refs(
    value: &mut Value,
    doc: &str,
    renames: &BTreeMap<String, BTreeMap<String, String>>,
) {
    match value {
        Value::Object(object) => {
            for (key, child) in object.iter_mut() {
                if key == "$ref" {
                    if let Value::String(reference) = child {
                        let (file, fragment) = reference
                            .split_once('#')
                            .unwrap_or((reference.as_str(), ""));
                        let target = match file.strip_suffix(".json") {
                            Some(stem) => stem.to_owned(),
                            None if file.is_empty() => doc.to_owned(),
                            None => continue,
                        };
                        let definition = fragment.strip_prefix("/definitions/").and_then(|rest| {
                            let (key, below) = rest.split_once('/').unwrap_or((rest, ""));
                            let key = key.replace("~1", "/").replace("~0", "~");
                            let name = renames.get(&target)?.get(&key)?;
                            Some(if below.is_empty() {
                                format!("#/definitions/{name}")
                            } else {
                                format!("#/definitions/{name}/{below}")
                            })
                        });
                        *reference = definition
                            .unwrap_or_else(|| format!("#/definitions/{target}{fragment}"));
                    }
                } else {
                    rewrite_general_refs(child, doc, renames);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| rewrite_general_refs(item, doc, renames)),
        _ => {}
    }
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

/// Runs typify on the bundled `definitions` and finishes the module; `ts_rs`: with the optional
/// `ts-rs` derive of the generated crate (see [`derive_ts_rs`]).
fn emit_bundle(set: &SchemaSet, definitions: Map<String, Value>, ts_rs: bool) -> Result<RustTypes> {
    // typify reports on the bundle, not on a document: errors name the schema folder, or the one
    // document of a standalone set.
    let shown = match (ts_rs, set.docs.len()) {
        (false, 1) => set
            .docs
            .values()
            .next()
            .map_or_else(|| PathBuf::from("schema/"), |doc| doc.file.clone()),
        _ => PathBuf::from("schema/"),
    };
    let root = serde_json::json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "definitions": Value::Object(definitions),
    });
    let root: schemars08::schema::RootSchema = serde_json::from_value(root).map_err(|e| {
        Error::file(
            &shown,
            format!("the bundled schemas are not a valid JSON Schema for the type generator: {e}"),
        )
    })?;
    let mut settings = typify::TypeSpaceSettings::default();
    settings.with_struct_builder(false);
    // Values compare, so tests and callers can assert on whole results.
    settings.with_derive("PartialEq".to_owned());
    // typify may panic on a schema it does not expect (the general profile admits any draft-07
    // schema): that is reported as an error like its own refusals.
    let generated = crate::panics::catch(|| {
        let mut space = typify::TypeSpace::new(&settings);
        space
            .add_ref_types(root.definitions)
            .map(|()| (space.to_stream(), space.uses_regress()))
            .map_err(|e| format!("the type generator (typify) rejected the schemas: {e}"))
    })
    .unwrap_or_else(|message| {
        Err(format!(
            "the type generator (typify) cannot handle these schemas (it panicked: {message})"
        ))
    });
    let (tokens, uses_regress) = generated.map_err(|reason| Error::file(&shown, reason))?;
    let mut file: syn::File = syn::parse2(tokens).map_err(|e| {
        Error::file(
            &shown,
            format!("the type generator produced code that does not parse: {e}"),
        )
    })?;
    syn::visit_mut::VisitMut::visit_file_mut(&mut OneDocLinePerAttribute, &mut file);
    if ts_rs {
        derive_ts_rs(&mut file, set);
    }
    let names: BTreeSet<String> = file
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(item) => Some(item.ident.to_string()),
            syn::Item::Enum(item) => Some(item.ident.to_string()),
            _ => None,
        })
        .filter(|name| set.doc(name).is_some())
        .collect();
    let mut string_enums = Vec::new();
    for doc in set.docs.values() {
        if let Some(values) = string_enum_values(&doc.value) {
            string_enums.push(string_enum_impl(doc, &values, &file)?);
        }
    }
    file.items.extend(string_enums);
    Ok(RustTypes {
        code: prettyplease::unparse(&file),
        uses_regress,
        names,
    })
}

/// Puts `#[cfg_attr(feature = "ts-rs", derive(::ts_rs::TS))]` on every struct and enum at the top
/// of the module (not on typify's `error` module's own types): with the generated crate's `ts-rs`
/// feature, ts-rs can write TypeScript for every type, reading the serde attributes typify wrote.
///
/// ts-rs cannot tell from serde's attributes that an `Option` field with `skip_serializing_if` may
/// be absent, so such a field also gets `#[ts(optional)]` (`name?: T`), or
/// `#[ts(optional = nullable)]` (`name?: T | null`) when the schema's property admits `null`
/// (typify writes both as one `Option`).
fn derive_ts_rs(file: &mut syn::File, set: &SchemaSet) {
    for item in &mut file.items {
        let attrs = match item {
            syn::Item::Struct(item) => {
                let properties = set
                    .doc(&item.ident.to_string())
                    .and_then(|doc| doc.value.get("properties"))
                    .and_then(Value::as_object);
                if let syn::Fields::Named(fields) = &mut item.fields {
                    for field in &mut fields.named {
                        mark_optional(field, properties);
                    }
                }
                &mut item.attrs
            }
            syn::Item::Enum(item) => {
                for variant in &mut item.variants {
                    if let syn::Fields::Named(fields) = &mut variant.fields {
                        for field in &mut fields.named {
                            mark_optional(field, None);
                        }
                    }
                }
                &mut item.attrs
            }
            _ => continue,
        };
        let at = attrs
            .iter()
            .position(|a| a.path().is_ident("derive"))
            .map_or(attrs.len(), |i| i + 1);
        attrs.insert(
            at,
            syn::parse_quote!(#[cfg_attr(feature = "ts-rs", derive(::ts_rs::TS))]),
        );
    }
}

/// `#[ts(optional)]` or `#[ts(optional = nullable)]` (behind the feature) on an `Option` field
/// that serde skips when `None`; `properties` are the schema's, when the struct is a document.
fn mark_optional(field: &mut syn::Field, properties: Option<&Map<String, Value>>) {
    let is_option = matches!(&field.ty, syn::Type::Path(path)
        if path.path.segments.last().is_some_and(|s| s.ident == "Option"));
    let mut skipped = false;
    let mut rename = None;
    for attribute in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attribute.parse_nested_meta(|meta| {
            if meta.path.is_ident("skip_serializing_if") {
                skipped = true;
            }
            if meta.path.is_ident("rename") {
                let text: syn::LitStr = meta.value()?.parse()?;
                rename = Some(text.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    if !is_option || !skipped {
        return;
    }
    let name = rename.or_else(|| field.ident.as_ref().map(ToString::to_string));
    let nullable = name
        .and_then(|name| properties?.get(&name))
        .is_some_and(admits_null);
    field.attrs.push(if nullable {
        syn::parse_quote!(#[cfg_attr(feature = "ts-rs", ts(optional = nullable))])
    } else {
        syn::parse_quote!(#[cfg_attr(feature = "ts-rs", ts(optional))])
    });
}

/// Whether a schema admits `null`, as far as its own `type`, `enum`, `const`, `oneOf` and `anyOf`
/// say (a `$ref` is not followed: the protocol's documents are not nullable).
fn admits_null(schema: &Value) -> bool {
    let Some(object) = schema.as_object() else {
        return schema == &Value::Bool(true);
    };
    let typed = match object.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(types)) => types.iter().any(|t| t == "null"),
        _ => false,
    };
    let listed = object
        .get("enum")
        .and_then(Value::as_array)
        .is_some_and(|values| values.iter().any(Value::is_null))
        || object.get("const").is_some_and(Value::is_null);
    let variant = ["oneOf", "anyOf"].iter().any(|k| {
        object
            .get(*k)
            .and_then(Value::as_array)
            .is_some_and(|variants| variants.iter().any(admits_null))
    });
    typed || listed || variant
}

/// The values of a document that is a string enum (`"type": "string"` and an `enum` of strings).
fn string_enum_values(schema: &Value) -> Option<Vec<String>> {
    if schema.get("type").and_then(Value::as_str) != Some("string") {
        return None;
    }
    schema
        .get("enum")?
        .as_array()?
        .iter()
        .map(|value| value.as_str().map(str::to_owned))
        .collect()
}

/// `impl Foo { ALL, as_str }` for the string enum document `doc`, naming the variants typify gave
/// each value: a variant's wire string is its `#[serde(rename = "...")]`, or its name without one.
fn string_enum_impl(doc: &SchemaDoc, values: &[String], file: &syn::File) -> Result<syn::Item> {
    let err = |reason: String| Error::at(&doc.file, "/enum", reason);
    let item = file
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Enum(item) if item.ident == doc.name => Some(item),
            _ => None,
        })
        .ok_or_else(|| {
            err(format!(
                "typify made no Rust enum `{}` of this string enum",
                doc.name
            ))
        })?;
    if item.attrs.iter().any(|a| a.path().is_ident("serde")) {
        return Err(err(format!(
            "typify's enum `{}` has a container `#[serde]` attribute, so its wire strings cannot be read from its variants",
            doc.name
        )));
    }
    let mut wire: Vec<(&syn::Ident, String)> = Vec::new();
    for variant in &item.variants {
        if !matches!(variant.fields, syn::Fields::Unit) {
            return Err(err(format!(
                "typify's variant `{}::{}` carries data, which a string enum cannot",
                doc.name, variant.ident
            )));
        }
        let name = serde_rename(&variant.attrs)
            .map_err(|e| {
                err(format!(
                    "cannot read the `#[serde]` attribute of `{}::{}`: {e}",
                    doc.name, variant.ident
                ))
            })?
            .unwrap_or_else(|| variant.ident.to_string());
        wire.push((&variant.ident, name));
    }
    if wire.len() != values.len() {
        return Err(err(format!(
            "typify's enum `{}` has {} variants for {} values",
            doc.name,
            wire.len(),
            values.len()
        )));
    }
    let mut variants = Vec::with_capacity(values.len());
    for value in values {
        let variant = wire
            .iter()
            .find(|(_, name)| name == value)
            .map(|(ident, _)| *ident)
            .ok_or_else(|| {
                err(format!(
                    "no variant of typify's enum `{}` is written as {value:?}",
                    doc.name
                ))
            })?;
        variants.push(variant);
    }
    let ty = &item.ident;
    let count = proc_macro2::Literal::usize_unsuffixed(values.len());
    let tokens = quote! {
        impl #ty {
            /// Every value, in schema order.
            pub const ALL: [#ty; #count] = [#(#ty::#variants),*];

            /// The wire string.
            pub const fn as_str(self) -> &'static str {
                match self {
                    #(#ty::#variants => #values,)*
                }
            }
        }
    };
    syn::parse2(tokens).map_err(|e| err(format!("the string enum methods do not parse: {e}")))
}

/// The `rename` of a `#[serde(...)]` attribute among `attributes`, if there is one.
fn serde_rename(attributes: &[syn::Attribute]) -> syn::Result<Option<String>> {
    let mut rename = None;
    for attribute in attributes.iter().filter(|a| a.path().is_ident("serde")) {
        attribute.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let text: syn::LitStr = meta.value()?.parse()?;
                rename = Some(text.value());
                Ok(())
            } else {
                Err(meta.error("only `rename` is understood on a string enum variant"))
            }
        })?;
    }
    Ok(rename)
}

fn rewrite_refs(value: &mut Value) {
    match value {
        Value::Object(object) => {
            for (key, child) in object.iter_mut() {
                if key == "$ref" {
                    if let Value::String(reference) = child {
                        if let Some(stem) = reference.strip_suffix(".json") {
                            *reference = format!("#/definitions/{stem}");
                        }
                    }
                } else {
                    rewrite_refs(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

/// typify tags an internally tagged enum by the alphabetically first property that is a constant
/// string in every variant. The protocol's tag is the discriminator the validation model finds
/// (`type`); other constant properties (`audience`) get a `maxLength` beside their single-value
/// `enum` in typify's copy only, which keeps them a one-value enum type but not a tag candidate.
fn steer_tags(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if let Some(Value::Array(variants)) = object.get_mut("oneOf") {
                if let Some(discriminator) = find_discriminator(variants) {
                    for variant in variants.iter_mut() {
                        let variant_title = variant
                            .get("title")
                            .and_then(Value::as_str)
                            .map(str::to_owned);
                        let Some(Value::Object(properties)) = variant.get_mut("properties") else {
                            continue;
                        };
                        for (name, property) in properties.iter_mut() {
                            if *name == discriminator.property {
                                continue;
                            }
                            // typify names an inline property type after the enum and the property,
                            // not the variant, and keeps the first of two same-named types: a title
                            // per variant keeps `audience` and `targetPath` of each variant apart.
                            if let (Some(title), Value::Object(property)) =
                                (&variant_title, &mut *property)
                            {
                                if !property.contains_key("title") && !property.contains_key("$ref")
                                {
                                    property.insert(
                                        "title".into(),
                                        Value::String(format!("{title}{}", pascal_case(name))),
                                    );
                                }
                            }
                            if let Value::Object(property) = property {
                                if let Some(Value::String(constant)) =
                                    property.get("const").cloned()
                                {
                                    property.remove("const");
                                    property.insert(
                                        "enum".into(),
                                        Value::Array(vec![Value::String(constant.clone())]),
                                    );
                                    property.insert(
                                        "maxLength".into(),
                                        Value::from(constant.chars().count()),
                                    );
                                }
                            }
                        }
                    }
                }
            }
            object.values_mut().for_each(steer_tags);
        }
        Value::Array(items) => items.iter_mut().for_each(steer_tags),
        _ => {}
    }
}

/// `leaf-node_x` → `LeafNodeX`: only ASCII letters and digits survive (as the TypeScript types
/// spell a definition's name).
fn pascal_words(text: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(if upper { c.to_ascii_uppercase() } else { c });
            upper = false;
        } else {
            upper = true;
        }
    }
    out
}

fn pascal_case(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// Splits every multi-line doc attribute into one attribute per line, so the code prints as `///`
/// lines: a `/** */` block that rustfmt indents would turn its text into a doctest.
struct OneDocLinePerAttribute;

macro_rules! split_docs_of {
    ($($method:ident($node:ty) => $default:path;)*) => {
        impl syn::visit_mut::VisitMut for OneDocLinePerAttribute {
            $(fn $method(&mut self, node: &mut $node) {
                split_doc_attributes(&mut node.attrs);
                $default(self, node);
            })*
        }
    };
}

split_docs_of! {
    visit_item_struct_mut(syn::ItemStruct) => syn::visit_mut::visit_item_struct_mut;
    visit_item_enum_mut(syn::ItemEnum) => syn::visit_mut::visit_item_enum_mut;
    visit_item_type_mut(syn::ItemType) => syn::visit_mut::visit_item_type_mut;
    visit_item_impl_mut(syn::ItemImpl) => syn::visit_mut::visit_item_impl_mut;
    visit_item_fn_mut(syn::ItemFn) => syn::visit_mut::visit_item_fn_mut;
    visit_item_mod_mut(syn::ItemMod) => syn::visit_mut::visit_item_mod_mut;
    visit_impl_item_fn_mut(syn::ImplItemFn) => syn::visit_mut::visit_impl_item_fn_mut;
    visit_field_mut(syn::Field) => syn::visit_mut::visit_field_mut;
    visit_variant_mut(syn::Variant) => syn::visit_mut::visit_variant_mut;
}

fn split_doc_attributes(attributes: &mut Vec<syn::Attribute>) {
    let mut split = Vec::with_capacity(attributes.len());
    for attribute in attributes.drain(..) {
        let text = match &attribute.meta {
            syn::Meta::NameValue(syn::MetaNameValue {
                path,
                value:
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(text),
                        ..
                    }),
                ..
            }) if path.is_ident("doc") && text.value().contains('\n') => text.value(),
            _ => {
                split.push(attribute);
                continue;
            }
        };
        for line in text.lines() {
            split.push(syn::parse_quote!(#[doc = #line]));
        }
    }
    *attributes = split;
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use serde_json::json;

    use super::*;

    fn general(docs: Vec<(&str, Value)>) -> Result<RustTypes> {
        emit_general(&crate::schema_set::general_set(docs))
    }

    #[test]
    fn general_definitions_are_named_as_the_typescript_types_name_them() {
        let shared = json!({"type": "string", "enum": ["x", "y"]});
        let types = general(vec![
            (
                "A",
                json!({"type": "object", "properties": {"s": {"$ref": "#/definitions/Shared"}, "t": {"$ref": "#/definitions/T"}, "l": {"$ref": "#/definitions/leaf-node"}}, "definitions": {"Shared": shared, "T": {"type": "string"}, "leaf-node": {"type": "boolean"}}}),
            ),
            (
                "B",
                json!({"type": "object", "properties": {"s": {"$ref": "#/definitions/Shared"}, "t": {"$ref": "#/definitions/T"}, "a": {"$ref": "A.json"}}, "definitions": {"Shared": shared, "T": {"type": "integer"}}}),
            ),
        ])
        .unwrap();
        let code = &types.code;
        assert_eq!(code.matches("pub enum Shared {").count(), 1, "{code}");
        assert!(
            code.contains("pub struct T(pub ::std::string::String);"),
            "{code}"
        );
        assert!(code.contains("pub struct Bt(pub i64);"), "{code}");
        assert!(code.contains("pub struct ALeafNode(pub bool);"), "{code}");
        assert!(code.contains("pub a: ::std::option::Option<A>,"), "{code}");
        // No ts-rs derive outside the protocol crate.
        assert!(!code.contains("ts-rs"), "{code}");
    }

    #[test]
    fn typify_panics_become_errors() {
        let error = general(vec![("Not", json!({"not": {"type": "string"}}))]).unwrap_err();
        assert!(error.reason.contains("typify"), "{error}");
        assert_eq!(error.file, PathBuf::from("Not.json"));
    }
}
