//! Emits the Rust types with typify: the protocol documents are bundled into one root schema whose
//! `definitions` are the types, with cross-file `$ref`s rewritten to point into it. After typify's
//! output come `ALL` and `as_str` for every string enum, spelled from the enum typify wrote.

use std::collections::BTreeSet;

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

/// Emits the types module for every document of `set`.
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
    let root = serde_json::json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "definitions": Value::Object(definitions),
    });
    let root: schemars08::schema::RootSchema = serde_json::from_value(root).map_err(|e| {
        Error::file(
            "schema/",
            format!("the bundled schemas are not a valid JSON Schema for the type generator: {e}"),
        )
    })?;
    let mut settings = typify::TypeSpaceSettings::default();
    settings.with_struct_builder(false);
    // Values compare, so tests and callers can assert on whole results.
    settings.with_derive("PartialEq".to_owned());
    let mut space = typify::TypeSpace::new(&settings);
    space.add_ref_types(root.definitions).map_err(|e| {
        Error::file(
            "schema/",
            format!("the type generator (typify) rejected the schemas: {e}"),
        )
    })?;
    let tokens = space.to_stream();
    let mut file: syn::File = syn::parse2(tokens).map_err(|e| {
        Error::file(
            "schema/",
            format!("the type generator produced code that does not parse: {e}"),
        )
    })?;
    syn::visit_mut::VisitMut::visit_file_mut(&mut OneDocLinePerAttribute, &mut file);
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
        uses_regress: space.uses_regress(),
        names,
    })
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
