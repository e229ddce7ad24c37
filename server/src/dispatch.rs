//! The device-key methods: each call's params are validated once, here, into the generated params
//! type ([`Validated`]), the [`DeviceKeyStore`] runs it, and its generated response type (or its
//! error) becomes the JSON-RPC answer.

use devicekey_proof::{DeviceKeyError, KeyId, Validated};
use devicekey_protocol::types::{
    DeviceKeyCertifyParams, DeviceKeyDeleteParams, DeviceKeyPublicParams, DeviceKeySignParams,
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
    match method {
        "device/key/create" => run(params, |_| None, |p| store.create_blocking(p)),
        "device/key/public" => run(
            params,
            |p: &DeviceKeyPublicParams| KeyId::try_from(&p.key_id).ok(),
            |p| store.public_blocking(p),
        ),
        "device/key/sign" => run(
            params,
            |p: &DeviceKeySignParams| KeyId::try_from(&p.key_id).ok(),
            |p| store.sign_blocking(p),
        ),
        "device/key/list" => run(params, |_| None, |p| store.list_blocking(p)),
        "device/key/delete" => run(
            params,
            |p: &DeviceKeyDeleteParams| KeyId::try_from(&p.key_id).ok(),
            |p| store.delete_blocking(p),
        ),
        "device/tpm/identity" => run(params, |_| None, |p| store.tpm_identity_blocking(p)),
        "device/tpm/activateCredential" => {
            run(params, |_| None, |p| store.activate_credential_blocking(p))
        }
        "device/key/certify" => run(
            params,
            |p: &DeviceKeyCertifyParams| KeyId::try_from(&p.key_id).ok(),
            |p| store.certify_blocking(p),
        ),
        other => Err(RpcError::method_not_found(other)),
    }
}

/// Validates `params` as `P` (the one schema validation of a request), runs `operation`, and
/// turns its response or error into the answer; a domain error names the key `key_of` reads from
/// the validated params.
fn run<P, R>(
    params: Value,
    key_of: impl FnOnce(&P) -> Option<KeyId>,
    operation: impl FnOnce(Validated<P>) -> Result<R, DeviceKeyError>,
) -> Result<Value, RpcError>
where
    P: Validate + DeserializeOwned,
    R: Serialize,
{
    let params = Validated::<P>::from_json(params).map_err(|e| RpcError::from_store(&e, None))?;
    let key_id = key_of(params.get());
    operation(params)
        .map(|response| serde_json::to_value(response).expect("responses serialize"))
        .map_err(|error| RpcError::from_store(&error, key_id.as_ref()))
}
