//! The device-key methods: each call's params are validated once, here, into the generated params
//! type ([`Validated`]), the [`DeviceKeyStore`] runs it, and its generated response type (or its
//! error) becomes the JSON-RPC answer.

use devicekey_proof::{DeviceKeyError, KeyId, Validated};
use devicekey_protocol::types::{
    DeviceKeyCreateParams, DeviceKeyDeleteParams, DeviceKeyListParams, DeviceKeyPublicParams,
    DeviceKeySignParams,
};
use devicekey_protocol::Validate;
use devicekey_runtime::DeviceKeyStore;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::rpc::RpcError;

/// Runs the client request `method` (a client-to-server method of the table) with `params` as
/// received. Blocks: the connection runs it on tokio's blocking pool, validation included, so a
/// request costs one hand-off from the reader and one to the writer.
pub(crate) fn call(store: &DeviceKeyStore, method: &str, params: Value) -> Result<Value, RpcError> {
    // The key id an error concerns, read before the params move into validation.
    let key_id = params
        .get("keyId")
        .and_then(Value::as_str)
        .and_then(|text| KeyId::parse(text).ok());
    let fail = |error: DeviceKeyError| RpcError::from_store(&error, key_id.as_ref());
    match method {
        "device/key/create" => {
            answer(store.create_blocking(valid::<DeviceKeyCreateParams>(params)?)).map_err(fail)
        }
        "device/key/public" => {
            answer(store.public_blocking(valid::<DeviceKeyPublicParams>(params)?)).map_err(fail)
        }
        "device/key/sign" => {
            answer(store.sign_blocking(valid::<DeviceKeySignParams>(params)?)).map_err(fail)
        }
        "device/key/list" => {
            answer(store.list_blocking(valid::<DeviceKeyListParams>(params)?)).map_err(fail)
        }
        "device/key/delete" => {
            answer(store.delete_blocking(valid::<DeviceKeyDeleteParams>(params)?)).map_err(fail)
        }
        other => Err(RpcError::method_not_found(other)),
    }
}

/// Validates `params` as `T`: the one schema validation of a request.
fn valid<T: Validate + DeserializeOwned>(params: Value) -> Result<Validated<T>, RpcError> {
    Validated::from_json(params).map_err(|error| RpcError::from_store(&error, None))
}

/// A response as JSON.
fn answer<T: Serialize>(outcome: Result<T, DeviceKeyError>) -> Result<Value, DeviceKeyError> {
    outcome.map(|response| serde_json::to_value(response).expect("responses serialize"))
}
