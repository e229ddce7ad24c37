//! `devicekey identity` against the vectors Python computed
//! (`proof/tests/fixtures/device-identity.json`), the key given every way it can be.

use std::path::PathBuf;

use serde_json::{json, Value};

use crate::cli::run_with_stdin;

fn vectors() -> Vec<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../proof/tests/fixtures/device-identity.json");
    let file: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    file["vectors"].as_array().unwrap().clone()
}

fn identity(args: &[&str], stdin: &str) -> (i32, String) {
    let mut all = vec!["identity"];
    all.extend_from_slice(args);
    run_with_stdin(&all, stdin.as_bytes())
}

#[test]
fn the_command_prints_pythons_digest_for_every_vector() {
    let dir = tempfile::tempdir().unwrap();
    for (index, vector) in vectors().iter().enumerate() {
        let key = &vector["key"];
        let expected = format!(
            "{}\n",
            vector["deviceIdentitySha256Base64url"].as_str().unwrap()
        );
        let file = dir.path().join(format!("key{index}.json"));
        std::fs::write(&file, key.to_string()).unwrap();
        // A create/public result in a file, on stdin, as a whole JSON-RPC answer line, and as
        // flags.
        let answer = json!({"jsonrpc": "2.0", "id": 7, "result": key}).to_string();
        let key_id = key["keyId"].as_str().unwrap();
        let spki = key["publicKeySpkiDerBase64"].as_str().unwrap();
        for (args, stdin) in [
            (vec!["--key", file.to_str().unwrap()], ""),
            (vec!["--key", "-"], key.to_string().as_str()),
            (vec!["--key", "-"], answer.as_str()),
            (
                vec!["--key-id", key_id, "--public-key-spki-base64", spki],
                "",
            ),
        ] {
            let (code, output) = identity(&args, stdin);
            assert_eq!(code, 0, "{args:?}: {output}");
            assert_eq!(output, expected, "{}: {args:?}", vector["description"]);
        }
        let (code, output) = identity(&["--key", "-", "--show-json"], &key.to_string());
        assert_eq!(code, 0, "{output}");
        assert_eq!(
            output,
            format!("{}\n{expected}", vector["json"].as_str().unwrap())
        );
    }
}

#[test]
fn a_key_that_is_not_one_is_refused_with_the_reason() {
    let vector = &vectors()[1];
    let key = &vector["key"];
    let with = |field: &str, value: Value| {
        let mut key = key.clone();
        key[field] = value;
        key.to_string()
    };
    let compressed_spki = {
        // The same key's point, compressed: the identity of a key is over its one encoding.
        "MDkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDIgACps/zaTCt4fCoWj3apMUrH2EOuAJLEBbiRhGXqKkyq40="
    };
    for (stdin, reason) in [
        (
            with("protectionClass", json!("software")),
            "does not agree with its key id",
        ),
        (
            with("keyId", json!("dk_tpm_short")),
            "keyId must be dk_hse_",
        ),
        (
            with("publicKeySpkiDerBase64", json!(compressed_spki)),
            "uncompressed point",
        ),
        (
            with("algorithm", json!("rsa")),
            "is not a DeviceKeyPublicResponse",
        ),
        ("{".to_owned(), "is not JSON"),
    ] {
        let (code, output) = identity(&["--key", "-"], &stdin);
        assert_eq!(code, 2, "{stdin}: {output}");
        assert!(output.contains(reason), "{stdin}: {output}");
    }
    let (code, output) = identity(
        &["--key-id", "dk_swk_x", "--public-key-spki-base64", "AAAA"],
        "",
    );
    assert_eq!(code, 2, "{output}");
    assert!(output.contains("--key-id"), "{output}");
    let (code, output) = identity(&[], "");
    assert_eq!(code, 2, "{output}");
}
