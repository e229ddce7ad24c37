//! Schemas outside the profile fail with an error that names the file and the JSON pointer; the
//! general profile's warnings name them too; the protocol profile reports all its lints at once.

use std::path::PathBuf;

use devicekey_codegen::{parse_json_strict, Error, Profile, SchemaDoc, SchemaSet, Warning};
use serde_json::{json, Value};

fn doc(name: &str, value: Value) -> SchemaDoc {
    SchemaDoc {
        name: name.into(),
        file: PathBuf::from(format!("schema/{name}.json")),
        value,
    }
}

fn check(value: Value, profile: Profile) -> Result<(), devicekey_codegen::Error> {
    SchemaSet::new(vec![doc("Example", value)], profile).map(|_| ())
}

/// The general profile's warnings for `value`, as `(pointer, keyword)`, sorted.
fn warnings(value: Value) -> Vec<(String, String)> {
    let set = SchemaSet::new(vec![doc("Example", value)], Profile::General)
        .unwrap_or_else(|e| panic!("accepted by the general profile: {e}"));
    let mut out: Vec<(String, String)> = set
        .warnings()
        .iter()
        .map(|w: &Warning| {
            assert_eq!(w.file, PathBuf::from("schema/Example.json"));
            assert_eq!(
                w.to_string(),
                format!("schema/Example.json#{}: {}", w.pointer, w.reason)
            );
            (w.pointer.clone(), w.keyword.clone())
        })
        .collect();
    out.sort();
    out
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = list
        .iter()
        .map(|(p, k)| ((*p).to_owned(), (*k).to_owned()))
        .collect();
    out.sort();
    out
}

/// Every located error of `error` (it and its others), as `file#pointer`.
fn places(error: &Error) -> Vec<String> {
    error
        .each()
        .map(|e| {
            format!(
                "{}#{}",
                e.file.display(),
                e.pointer.as_deref().expect("a pointer")
            )
        })
        .collect()
}

fn located(value: Value) -> String {
    let error = check(value, Profile::General).expect_err("outside the profile");
    error.to_string()
}

#[test]
fn unknown_keywords_are_warnings_in_general_and_located_lints_in_protocol() {
    let schema =
        json!({"type": "object", "properties": {"a": {"anyOf": [{"$id": "#a", "x-note": 1}]}}});
    assert_eq!(
        warnings(schema.clone()),
        pairs(&[("/properties/a/anyOf/0/x-note", "x-note")])
    );
    let schema = json!({"items": [{"type": "string"}, {"contentMediaType": "a/b"}]});
    assert_eq!(
        warnings(schema),
        pairs(&[("/items/1/contentMediaType", "contentMediaType")])
    );
    let schema = json!({"definitions": {"a~b/c": {"patternProperties": {"x": {"$comment": "c", "x-y": {}}}}}});
    assert_eq!(
        warnings(schema),
        pairs(&[("/definitions/a~0b~1c/patternProperties/x/x-y", "x-y")])
    );

    let protocol = json!({"title": "Example", "description": "An example.", "type": "object",
        "additionalProperties": false,
        "properties": {"a": {"description": "A.", "$id": "#a", "x-note": 1}}});
    let error = check(protocol, Profile::Protocol).expect_err("unknown keywords");
    assert_eq!(
        places(&error),
        [
            "schema/Example.json#/properties/a/$id",
            "schema/Example.json#/properties/a/x-note"
        ]
    );
    for e in error.each() {
        assert!(
            e.reason.contains("is not in the schema profile"),
            "{}",
            e.reason
        );
    }
}

#[test]
fn general_profile_collects_every_annotation_and_unknown_keyword_as_a_warning() {
    let schema = json!({
        "$id": "Example.json",
        "examples": [{"a": 1}],
        "deprecated": true,
        "x-internal": {"anything": [1, 2]},
        "type": "object",
        "properties": {
            "a": {"type": "integer", "readOnly": true, "writeOnly": false},
            "b": {"type": "string", "contentMediaType": "image/png", "contentEncoding": "base64",
                  "format": "color"},
            "c": {"type": "string", "format": "phone", "unevaluatedProperties": false},
        },
    });
    assert_eq!(
        warnings(schema.clone()),
        pairs(&[
            ("/examples", "examples"),
            ("/deprecated", "deprecated"),
            ("/x-internal", "x-internal"),
            ("/properties/a/readOnly", "readOnly"),
            ("/properties/a/writeOnly", "writeOnly"),
            ("/properties/b/contentMediaType", "contentMediaType"),
            ("/properties/b/contentEncoding", "contentEncoding"),
            ("/properties/b/format", "format"),
            ("/properties/c/format", "format"),
            (
                "/properties/c/unevaluatedProperties",
                "unevaluatedProperties"
            ),
        ])
    );
    let set = SchemaSet::new(vec![doc("Example", schema)], Profile::General).expect("general");
    let formats: Vec<&str> = set
        .warnings()
        .iter()
        .filter(|w| w.keyword == "format")
        .map(|w| w.reason.as_str())
        .collect();
    assert_eq!(formats.len(), 2);
    assert!(
        formats
            .iter()
            .any(|r| r.starts_with("format `color` is not one the generators know; ignored")),
        "{formats:?}"
    );
    assert!(
        formats
            .iter()
            .any(|r| r.starts_with("format `phone` is not one the generators know; ignored")),
        "{formats:?}"
    );
    // The profile's own formats and the range formats are known: no warning.
    for format in [
        "int64", "uint32", "int8", "uint", "float", "double", "origin",
    ] {
        assert_eq!(warnings(json!({"format": format})), pairs(&[]), "{format}");
    }
    // The protocol profile refuses an unknown format, a range format and every annotation.
    let mut protocol = json!({"title": "Example", "description": "An example.", "type": "object",
        "additionalProperties": false, "examples": [],
        "properties": {"a": {"description": "A.", "type": "string", "format": "email"},
                       "b": {"description": "B.", "type": "integer", "format": "uint32"}}});
    let error =
        check(protocol.clone(), Profile::Protocol).expect_err("outside the protocol profile");
    assert_eq!(
        places(&error),
        [
            "schema/Example.json#/examples",
            "schema/Example.json#/properties/a/format",
            "schema/Example.json#/properties/b/format",
        ]
    );
    assert!(
        error.others[0]
            .reason
            .starts_with("format `email` is not one of the profile's named formats"),
        "{error}"
    );
    assert!(
        error.others[1]
            .reason
            .starts_with("format `uint32` is not one of the profile's named formats"),
        "{error}"
    );
    protocol["properties"]["a"]["format"] = json!("origin");
    protocol["properties"]["b"]["format"] = json!("int64");
    protocol.as_object_mut().expect("object").remove("examples");
    check(protocol, Profile::Protocol).expect("named formats are in the protocol profile");
}

#[test]
fn an_id_is_an_identifier_and_a_base_uri() {
    let general = |docs: Vec<SchemaDoc>| SchemaSet::new(docs, Profile::General);
    let other = || doc("Other", json!({"type": "string"}));
    // Resolved: names anywhere; `$ref`s against the base in force (an `$id` of the input, or a
    // file of the folder named by the last segment); an `$id` is no warning, it is used.
    for value in [
        json!({"definitions": {"a": {"$id": "#a", "type": "string"}}, "items": {"$ref": "#a"}}),
        json!({"$id": "http://example.com/x/", "definitions": {"a": true}, "items": {"$ref": "#/definitions/a"}}),
        json!({"$id": "https://example.com/s/Example.json", "items": {"$ref": "Other.json"}}),
        json!({"$id": "http://example.com/x/", "items": {"$ref": "Other.json"}}),
        json!({"definitions": {"b": {"$id": "http://example.com/b.json"}}, "items": {"$ref": "http://example.com/b.json"}}),
        json!({"$id": "http://example.com/root/", "definitions": {"b": {"$id": "sub/b.json", "definitions": {"c": {"$id": "#c"}}}}, "items": {"$ref": "sub/b.json#c"}}),
        json!({"items": {"$ref": "http://json-schema.org/draft-07/schema#"}}),
    ] {
        let set = general(vec![doc("Example", value.clone()), other()])
            .unwrap_or_else(|e| panic!("{value}: {e}"));
        assert!(set.warnings().iter().all(|w| w.keyword != "$id"), "{value}");
    }
    // Refused, naming the `$ref` and why.
    for (value, at, words) in [
        (json!({"$id": 3}), "/$id", "`$id` must be a string"),
        (
            json!({"$id": "http://example.com/x/", "items": {"$ref": "y.json"}}),
            "/items/$ref",
            "names a schema (`http://example.com/x/y.json`) that is not in the input",
        ),
        (
            // An `$id` beside a `$ref` is ignored, so `#c` is looked for in the document's base.
            json!({"definitions": {"a": {"$id": "http://example.com/a", "$ref": "#c"}, "c": {"$id": "http://example.com/a#c"}}}),
            "/definitions/a/$ref",
            "names `#c`, which no schema declares as its `$id`",
        ),
    ] {
        let error = general(vec![doc("Example", value.clone()), other()]).expect_err("refused");
        assert_eq!(error.pointer.as_deref(), Some(at), "{value}: {error}");
        assert!(error.reason.contains(words), "{value}: {error}");
        assert!(error.others.is_empty());
    }
    // A `$ref` that comes back to the same instance would never end; through `properties` it ends.
    for (value, words) in [
        (json!({"$ref": "#"}), "Example.json# → Example.json#"),
        (
            json!({"definitions": {"a": {"allOf": [{"$ref": "#/definitions/b"}]}, "b": {"not": {"$ref": "#/definitions/a"}}}}),
            "Example.json#/definitions/a/allOf/0 → Example.json#/definitions/b → Example.json#/definitions/b/not → Example.json#/definitions/a → Example.json#/definitions/a/allOf/0",
        ),
    ] {
        let error = general(vec![doc("Example", value.clone())]).expect_err("endless");
        assert!(
            error.reason.contains("validating would never end") && error.reason.contains(words),
            "{value}: {error}"
        );
    }
    general(vec![doc(
        "Example",
        json!({"properties": {"next": {"$ref": "#"}}, "anyOf": [{"$ref": "#/definitions/x"}], "definitions": {"x": {"items": {"$ref": "#"}}}}),
    )])
    .expect("recursion through the instance ends");

    // Two documents declaring the same URI: a `$ref` to it from a third is ambiguous.
    let twin = |name: &str| doc(name, json!({"$id": "http://example.com/same.json"}));
    let error = general(vec![
        twin("A"),
        twin("B"),
        doc("Example", json!({"$ref": "http://example.com/same.json"})),
    ])
    .expect_err("ambiguous");
    assert!(
        error
            .reason
            .contains("is declared by two schemas of the input (A.json# and B.json#)"),
        "{error}"
    );
}

#[test]
fn a_ref_into_a_keyword_that_holds_no_schema_is_refused() {
    for (value, words) in [
        (
            json!({"x-defs": {"a": {"type": "string"}}, "$ref": "#/x-defs/a"}),
            "points inside `x-defs`",
        ),
        (
            json!({"enum": [{"type": "string"}], "items": {"$ref": "#/enum/0"}}),
            "points inside `enum`",
        ),
        (
            json!({"properties": {"a": true}, "items": {"$ref": "#/properties"}}),
            "points inside `properties`",
        ),
    ] {
        let error = check(value.clone(), Profile::General).expect_err("refused");
        assert!(error.reason.contains(words), "{value}: {error}");
        assert!(
            error
                .pointer
                .as_deref()
                .is_some_and(|p| p.ends_with("/$ref")),
            "{error}"
        );
    }
    for value in [
        json!({"definitions": {"a~b/c": {"type": "string"}}, "$ref": "#/definitions/a~0b~1c"}),
        json!({"items": [true, {"type": "string"}], "additionalItems": {"$ref": "#/items/1"}}),
        json!({"dependencies": {"a": {"type": "object"}}, "not": {"$ref": "#/dependencies/a"}}),
        json!({"allOf": [{"properties": {"p": {"type": "integer"}}}], "items": {"$ref": "#/allOf/0/properties/p"}}),
    ] {
        check(value.clone(), Profile::General).unwrap_or_else(|e| panic!("{value}: {e}"));
    }
}

#[test]
fn protocol_lints_are_all_reported_at_once() {
    let first = json!({"title": "Wrong", "type": "object",
        "properties": {"a": {"type": "string", "format": "email"},
                       "b": {"description": "B.", "anyOf": [{"type": "string"}], "x-y": 1}},
        "examples": []});
    let second = json!({"title": "Second", "description": "Second.", "type": "object",
        "additionalProperties": false,
        "properties": {"c": {"description": "C.", "type": "string", "format": "int64"},
                       "d": {"description": "D.", "$ref": "Second.json", "type": "string"}}});
    let error = SchemaSet::new(
        vec![doc("First", first), doc("Second", second)],
        Profile::Protocol,
    )
    .expect_err("lints");
    let got: Vec<String> = error
        .each()
        .map(|e| {
            format!(
                "{}#{}: {}",
                e.file.display(),
                e.pointer.as_deref().unwrap_or("?"),
                e.reason
            )
        })
        .collect();
    let expected = [
        "schema/First.json#: a protocol schema needs \"title\": \"First\" (its file name)",
        "schema/First.json#: a protocol schema needs a `description`",
        "schema/First.json#: an object schema with `properties` must state `additionalProperties`",
        "schema/First.json#/properties/a: every property of a protocol schema needs a `description`",
        "schema/First.json#/examples: keyword `examples` is not in the schema profile",
        "schema/First.json#/properties/a/format: format `email` is not one of the profile's named formats",
        "schema/First.json#/properties/b/anyOf: keyword `anyOf` is not in the protocol profile (the type emitters do not support it)",
        "schema/First.json#/properties/b/x-y: keyword `x-y` is not in the schema profile",
        "schema/Second.json#/properties/c/format: format `int64` needs `\"type\": \"integer\"` beside it",
        "schema/Second.json#/properties/d/type: a `$ref` may only have a `description` beside it (draft-07 ignores its siblings)",
    ];
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    for (got, expected) in got.iter().zip(expected) {
        assert!(got.starts_with(expected), "{got}\n  expected {expected}");
    }
    // Display: one line per lint, each `file#pointer: reason`.
    let text = error.to_string();
    assert_eq!(text.lines().count(), expected.len(), "{text}");
    for (line, got) in text.lines().zip(&got) {
        assert_eq!(line, got);
    }
    // A malformed schema is still an error of its own, found first.
    let broken = json!({"title": "Example", "type": "strin", "x-y": 1});
    let error = check(broken, Profile::Protocol).expect_err("malformed");
    assert_eq!(error.pointer.as_deref(), Some("/type"), "{error}");
    assert!(error.others.is_empty(), "{error}");
}

#[test]
fn validation_only_keywords_are_general_but_not_protocol() {
    for keyword in [
        json!({"allOf": [true]}),
        json!({"anyOf": [true]}),
        json!({"not": false}),
        json!({"if": true, "then": true, "else": true}),
        json!({"exclusiveMinimum": 1, "exclusiveMaximum": 2, "multipleOf": 0.5}),
        json!({"items": [true], "additionalItems": false, "contains": true}),
        json!({"minProperties": 1, "maxProperties": 2, "propertyNames": {"maxLength": 3}}),
        json!({"patternProperties": {"^a": true}, "dependencies": {"a": ["b"], "b": {}}}),
    ] {
        check(keyword.clone(), Profile::General)
            .unwrap_or_else(|e| panic!("{keyword} is in the general profile: {e}"));
        let first = keyword
            .as_object()
            .and_then(|o| o.keys().next().cloned())
            .expect("a keyword");
        let mut protocol = json!({"title": "Example", "description": "An example."});
        for (key, value) in keyword.as_object().into_iter().flatten() {
            protocol[key] = value.clone();
        }
        let error = check(protocol, Profile::Protocol)
            .expect_err("outside the protocol profile")
            .to_string();
        assert!(
            error.contains("is not in the protocol profile (the type emitters do not support it)"),
            "{error}"
        );
        assert!(
            error.starts_with("schema/Example.json#/"),
            "{keyword} {first}: {error}"
        );
    }
}

#[test]
fn malformed_keyword_values_are_located() {
    for (schema, pointer, words) in [
        (json!({"type": "strin"}), "/type", "names must be"),
        (
            json!({"minLength": -1}),
            "/minLength",
            "non-negative integer",
        ),
        (json!({"required": ["a", "a"]}), "/required", "twice"),
        (json!({"enum": []}), "/enum", "non-empty"),
        (json!({"allOf": []}), "/allOf", "non-empty array"),
        (json!({"anyOf": {}}), "/anyOf", "non-empty array"),
        (json!({"not": 3}), "/not", "object or a boolean"),
        (json!({"multipleOf": 0}), "/multipleOf", "greater than 0"),
        (
            json!({"exclusiveMinimum": "1"}),
            "/exclusiveMinimum",
            "a number",
        ),
        (
            json!({"minProperties": 1.5}),
            "/minProperties",
            "non-negative integer",
        ),
        (
            json!({"patternProperties": {"(a": true}}),
            "/patternProperties/(a",
            "not a supported regular expression",
        ),
        (
            json!({"dependencies": {"a": ["b", "b"]}}),
            "/dependencies/a",
            "twice",
        ),
        (
            json!({"dependencies": {"a": [1]}}),
            "/dependencies/a",
            "array of strings",
        ),
        (json!({"dependencies": []}), "/dependencies", "an object"),
        (
            json!({"pattern": "(a"}),
            "/pattern",
            "not a supported regular expression",
        ),
        (json!({"pattern": "(?=a)"}), "/pattern", "look-around"),
        (
            json!({"$ref": "#/definitions/missing"}),
            "/$ref",
            "points at nothing",
        ),
        (
            json!({"$ref": "http://example.com/x.json"}),
            "/$ref",
            "names a schema (`http://example.com/x.json`) that is not in the input",
        ),
        (
            json!({"$ref": "Other.json"}),
            "/$ref",
            "names a schema that is not in the input",
        ),
        (
            json!({"$ref": "#nowhere"}),
            "/$ref",
            "names `#nowhere`, which no schema declares as its `$id`",
        ),
        (
            json!({"$id": "#/definitions/a"}),
            "/$id",
            "has a JSON-pointer fragment",
        ),
        (json!({"oneOf": []}), "/oneOf", "non-empty array"),
        (
            json!({"properties": {"a": 3}}),
            "/properties/a",
            "object or a boolean",
        ),
    ] {
        let message = located(schema.clone());
        let expected = format!("schema/Example.json#{pointer}: ");
        assert!(
            message.starts_with(&expected) && message.contains(words),
            "{schema}: {message}"
        );
    }
}

#[test]
fn protocol_profile_requires_documentation_and_closed_objects() {
    let base = json!({"$schema": "http://json-schema.org/draft-07/schema#", "title": "Example", "description": "An example.", "type": "object"});
    let with = |extra: Value| {
        let mut value = base.clone();
        for (k, v) in extra.as_object().expect("object") {
            value[k] = v.clone();
        }
        value
    };
    assert!(check(
        with(json!({"properties": {}, "additionalProperties": false})),
        Profile::Protocol
    )
    .is_ok());
    let open = check(
        with(json!({"properties": {"a": {"type": "string", "description": "A."}}})),
        Profile::Protocol,
    )
    .expect_err("open object");
    assert!(
        open.to_string()
            .contains("must state `additionalProperties`"),
        "{open}"
    );
    let undocumented = check(
        with(json!({"properties": {"a": {"type": "string"}}, "additionalProperties": false})),
        Profile::Protocol,
    )
    .expect_err("undocumented");
    assert_eq!(undocumented.pointer.as_deref(), Some("/properties/a"));
    let untitled = check(json!({"description": "x"}), Profile::Protocol).expect_err("untitled");
    assert!(
        untitled.to_string().contains("\"title\": \"Example\""),
        "{untitled}"
    );
    let wrong_type = check(with(json!({"properties": {"a": {"type": "string", "format": "int64", "description": "A."}}, "additionalProperties": false})), Profile::Protocol)
        .expect_err("int64 on a string");
    assert_eq!(wrong_type.pointer.as_deref(), Some("/properties/a/format"));
}

#[test]
fn duplicate_keys_in_schema_text_are_rejected() {
    let error =
        parse_json_strict(r#"{"properties": {"a": {"type": "string", "type": "integer"}}}"#)
            .expect_err("duplicate");
    assert!(
        error.contains("duplicate key \"type\" in the object at #/properties/a"),
        "{error}"
    );
    assert!(parse_json_strict("{\"a\": [1, {\"b\": 2}]}").is_ok());
    assert!(parse_json_strict("{")
        .expect_err("truncated")
        .contains("not valid JSON"));
}

#[test]
fn the_generator_rejects_a_broken_schema_folder_with_a_location() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("schema")).expect("schema dir");
    std::fs::write(
        dir.path().join("schema/Thing.json"),
        r#"{"$schema": "http://json-schema.org/draft-07/schema#", "title": "Thing", "description": "A thing.", "type": "object",
            "properties": {"a": {"description": "A.", "type": "string", "not": {"const": "x"}}}, "additionalProperties": false}"#,
    )
    .expect("write schema");
    std::fs::write(dir.path().join("schema/methods.json"), r#"{"methods": []}"#)
        .expect("write methods");
    let error = devicekey_codegen::generate(dir.path()).expect_err("`not` is outside the profile");
    assert_eq!(
        error.to_string().split(": ").next(),
        Some("schema/Thing.json#/properties/a/not")
    );

    std::fs::write(dir.path().join("schema/Thing.json"), "{\"title\": ").expect("truncate");
    let error = devicekey_codegen::generate(dir.path()).expect_err("truncated file");
    assert!(
        error
            .to_string()
            .starts_with("schema/Thing.json: not valid JSON"),
        "{error}"
    );
}
