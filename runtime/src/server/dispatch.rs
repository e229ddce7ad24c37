//! The device-key methods: params already validated against the method table, each call goes to
//! the [`DeviceKeyStore`] and its outcome becomes a result or a structured error.

use devicekey_protocol::methods::MethodInfo;
use devicekey_protocol::Violation;
use serde_json::{json, Value};

use crate::binding_store::BindingFilter;
use crate::key_id::{KeyId, KEY_ID_MESSAGE};
use crate::server::rpc::RpcError;
use crate::store::DeviceKeyStore;
use crate::validation::{validate, Schema};

/// Runs the client request `method` (a client-to-server method of the table) with `params`.
pub async fn call(store: &DeviceKeyStore, method: &str, params: Value) -> Result<Value, RpcError> {
    let key_id = params
        .get("keyId")
        .and_then(Value::as_str)
        .and_then(|text| KeyId::parse(text).ok());
    let params_type = devicekey_protocol::methods::method(method)
        .and_then(|info| info.params)
        .unwrap_or("params");
    let fail = |error| RpcError::from_store(&error, key_id.as_ref(), params_type);
    match method {
        "device/key/create" => store.create(&params).await.map(to_json).map_err(fail),
        "device/key/public" => store
            .public(text_field(&params, "keyId"))
            .await
            .map(to_json)
            .map_err(fail),
        "device/key/sign" => store.sign(&params).await.map(to_json).map_err(fail),
        "device/key/list" => {
            let filter = BindingFilter {
                account_user_id: optional_text(&params, "accountUserId"),
                client_id: optional_text(&params, "clientId"),
            };
            store
                .list(filter)
                .await
                .map(|keys| json!({ "keys": keys }))
                .map_err(fail)
        }
        "device/key/delete" => store
            .delete(text_field(&params, "keyId"))
            .await
            .map(|deleted| json!({ "deleted": deleted }))
            .map_err(fail),
        other => Err(RpcError::method_not_found(other)),
    }
}

/// The -32602 error of params that failed the method's validator, with codex's message for the
/// first violation where codex has one (the runtime's schema layer knows those texts).
pub fn invalid_params_error(
    info: &MethodInfo,
    params: &Value,
    violations: Vec<Violation>,
) -> RpcError {
    let schema = match info.name {
        "device/key/create" => Some(Schema::CreateParams),
        "device/key/sign" => Some(Schema::SignParams),
        _ => None,
    };
    let message = match (
        schema.map(|schema| validate(schema, params)),
        violations.first(),
    ) {
        (Some(Err(error)), _) => error.message().to_owned(),
        (_, Some(first)) if first.instance_path == "/keyId" => KEY_ID_MESSAGE.to_owned(),
        (_, Some(first)) if first.instance_path.is_empty() => {
            format!("invalid params: {}", first.message)
        }
        (_, Some(first)) => format!("invalid params: {}: {}", first.instance_path, first.message),
        (_, None) => "invalid params".to_owned(),
    };
    RpcError::invalid_params(message, violations, info.params)
}

fn to_json<T: serde::Serialize>(value: T) -> Value {
    serde_json::to_value(value).expect("results serialize")
}

fn text_field<'a>(params: &'a Value, field: &str) -> &'a str {
    params
        .get(field)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn optional_text(params: &Value, field: &str) -> Option<String> {
    params.get(field).and_then(Value::as_str).map(str::to_owned)
}
