//! `deviceIdentitySha256Base64url` against the vectors of `tests/fixtures/device-identity.json`,
//! which `tests/fixtures/device_identity.py` computed with Python's hashlib and json, and against
//! the enrollment of the shared proof fixtures that names its key.

use std::path::PathBuf;

use devicekey_proof::protocol::types::{DeviceKeyCreateResponse, DeviceKeyPublicResponse};
use devicekey_proof::{
    decode_base64, device_identity_sha256_base64url, verify_proof, DeviceIdentity, Expectations,
    KeyId, Validated,
};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

fn vectors() -> Vec<Value> {
    let vectors = fixture("device-identity.json")["vectors"]
        .as_array()
        .unwrap()
        .clone();
    assert!(vectors.len() >= 5);
    vectors
}

#[test]
fn the_digest_of_every_vector_is_pythons() {
    for vector in vectors() {
        let key = Validated::<DeviceKeyPublicResponse>::from_json(vector["key"].clone())
            .unwrap()
            .into_inner();
        let identity = DeviceIdentity::from(&key);
        assert_eq!(identity.json(), vector["json"], "{}", vector["description"]);
        let digest = device_identity_sha256_base64url(&key);
        assert_eq!(
            digest, vector["deviceIdentitySha256Base64url"],
            "{}",
            vector["description"]
        );
        // A create response has the same four fields and the same identity.
        let created: DeviceKeyCreateResponse =
            serde_json::from_value(vector["key"].clone()).unwrap();
        assert_eq!(device_identity_sha256_base64url(&created), digest);
        if let Some(wrong) = vector.get("notThisSlashEscapedSha256Base64url") {
            assert_ne!(&Value::String(digest), wrong);
        }
    }
}

#[test]
fn the_enrollment_that_names_its_key_carries_pythons_digest() {
    let vector = vectors()
        .into_iter()
        .find(|vector| vector["description"] == "the key of the shared proof fixtures")
        .unwrap();
    let proofs = fixture("proofs.json");
    let case = proofs["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|case| case["name"] == "enrollment naming the expected key")
        .unwrap();
    assert_eq!(
        case["publicKeySpkiDerBase64"],
        vector["key"]["publicKeySpkiDerBase64"]
    );
    let decode = |field: &str| decode_base64(case[field].as_str().unwrap()).unwrap();
    let key_id = KeyId::parse(vector["key"]["keyId"].as_str().unwrap()).unwrap();
    let proof = verify_proof(
        &decode("publicKeySpkiDerBase64"),
        &decode("signedPayloadBase64"),
        &decode("signatureDerBase64"),
        &Expectations {
            key_id: Some(key_id),
            ..Expectations::skipping_expiry()
        },
    )
    .unwrap();
    let payload = serde_json::to_value(&proof.payload).unwrap();
    assert_eq!(
        payload["deviceIdentitySha256Base64url"],
        vector["deviceIdentitySha256Base64url"]
    );
}
