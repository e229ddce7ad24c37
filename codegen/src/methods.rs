//! The method table (`schema/methods.json`): each JSON-RPC method, its direction, and the schema
//! types of its params and result.

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::schema_set::{read_json, SchemaSet};

/// Who sends a method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// A request from the client; the server answers.
    ClientToServer,
    /// A request from the server; the client answers.
    ServerToClient,
    /// A client notification: no id, no answer.
    Notification,
}

impl Direction {
    /// The table's spelling.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Direction::ClientToServer => "clientToServer",
            Direction::ServerToClient => "serverToClient",
            Direction::Notification => "notification",
        }
    }
}

/// One method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Method {
    /// The JSON-RPC method name: `device/key/sign`.
    pub(crate) name: String,
    /// Who sends it.
    pub(crate) direction: Direction,
    /// The params type (a schema document name), if the method takes params.
    pub(crate) params: Option<String>,
    /// The result type, for requests.
    pub(crate) result: Option<String>,
    /// One or two sentences for documentation.
    pub(crate) description: String,
}

/// Reads and checks the method table against the schema set.
pub(crate) fn load(path: &Path, shown: &Path, set: &SchemaSet) -> Result<Vec<Method>> {
    let value = read_json(path, shown)?;
    parse(&value, shown, set)
}

/// Checks a method table value.
pub(crate) fn parse(value: &Value, shown: &Path, set: &SchemaSet) -> Result<Vec<Method>> {
    let err = |pointer: String, reason: &str| Error::at(shown, pointer, reason);
    let object = value.as_object().ok_or_else(|| {
        err(
            String::new(),
            "the method table must be an object with a `methods` array",
        )
    })?;
    if let Some(key) = object
        .keys()
        .find(|k| *k != "methods" && *k != "description")
    {
        return Err(err(format!("/{key}"), "unknown key in the method table"));
    }
    let entries = object
        .get("methods")
        .and_then(Value::as_array)
        .ok_or_else(|| err("/methods".into(), "`methods` must be an array"))?;
    let mut methods: Vec<Method> = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let at = |key: &str| format!("/methods/{i}{key}");
        let entry = entry
            .as_object()
            .ok_or_else(|| err(at(""), "a method must be an object"))?;
        if let Some(key) = entry.keys().find(|k| {
            !["name", "direction", "params", "result", "description"].contains(&k.as_str())
        }) {
            return Err(err(at(&format!("/{key}")), "unknown key in a method entry"));
        }
        let name = entry
            .get("name")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| err(at("/name"), "`name` must be a non-empty string"))?;
        if methods.iter().any(|m| m.name == name) {
            return Err(err(at("/name"), "a method is listed twice"));
        }
        let direction = match entry.get("direction").and_then(Value::as_str) {
            Some("clientToServer") => Direction::ClientToServer,
            Some("serverToClient") => Direction::ServerToClient,
            Some("notification") => Direction::Notification,
            _ => {
                return Err(err(
                    at("/direction"),
                    "`direction` must be clientToServer, serverToClient or notification",
                ))
            }
        };
        let type_ref = |key: &str| -> Result<Option<String>> {
            match entry.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(name)) if set.doc(name).is_some() => Ok(Some(name.clone())),
                Some(_) => Err(err(
                    at(&format!("/{key}")),
                    "must be null or the name of a schema file in this folder",
                )),
            }
        };
        let params = type_ref("params")?;
        let result = type_ref("result")?;
        if direction == Direction::Notification && result.is_some() {
            return Err(err(at("/result"), "a notification has no result"));
        }
        if direction != Direction::Notification && result.is_none() {
            return Err(err(at("/result"), "a request needs a result type"));
        }
        let description = entry
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        methods.push(Method {
            name: name.to_owned(),
            direction,
            params,
            result,
            description,
        });
    }
    Ok(methods)
}
