//! Schemas outside the profile fail with an error that names the file and the JSON pointer.

use std::path::PathBuf;

use devicekey_codegen::{parse_json_strict, Profile, SchemaDoc, SchemaSet};
use serde_json::{json, Value};

fn check(value: Value, profile: Profile) -> Result<(), devicekey_codegen::Error> {
    let doc = SchemaDoc {
        name: "Example".into(),
        file: PathBuf::from("schema/Example.json"),
        value,
    };
    SchemaSet::new(vec![doc], profile).map(|_| ())
}

fn located(value: Value) -> String {
    let error = check(value, Profile::General).expect_err("outside the profile");
    error.to_string()
}

#[test]
fn unknown_keywords_are_located() {
    let message =
        located(json!({"type": "object", "properties": {"a": {"anyOf": [{"$id": "#a"}]}}}));
    assert!(
        message.starts_with(
            "schema/Example.json#/properties/a/anyOf/0/$id: keyword `$id` is not in the schema profile"
        ),
        "{message}"
    );
    let message = located(json!({"items": [{"type": "string"}, {"contentMediaType": "a/b"}]}));
    assert!(
        message.starts_with("schema/Example.json#/items/1/contentMediaType: "),
        "{message}"
    );
    let message =
        located(json!({"definitions": {"a~b/c": {"patternProperties": {"x": {"$id": "#x"}}}}}));
    assert!(
        message.starts_with("schema/Example.json#/definitions/a~0b~1c/patternProperties/x/$id: "),
        "{message}"
    );
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
            json!({"format": "email"}),
            "/format",
            "not one of the profile's named formats",
        ),
        (
            json!({"$ref": "#/definitions/missing"}),
            "/$ref",
            "points at nothing",
        ),
        (
            json!({"$ref": "http://example.com/x.json"}),
            "/$ref",
            "must be a local pointer",
        ),
        (json!({"$ref": "Other.json"}), "/$ref", "does not exist"),
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
