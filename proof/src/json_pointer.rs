//! Finding a number in a JSON value, by its JSON pointer (RFC 6901).

use serde_json::{Number, Value};

/// The JSON pointer and the number of the first number in `value` (depth first, in document
/// order) for which `wanted` holds.
pub(crate) fn find_number<'a>(
    value: &'a Value,
    wanted: &impl Fn(&Number) -> bool,
) -> Option<(String, &'a Number)> {
    find(value, wanted, &mut String::new())
}

fn find<'a>(
    value: &'a Value,
    wanted: &impl Fn(&Number) -> bool,
    path: &mut String,
) -> Option<(String, &'a Number)> {
    let mut under = |step: &str, item: &'a Value| {
        let length = path.len();
        path.push('/');
        path.push_str(step);
        let found = find(item, wanted, path);
        path.truncate(length);
        found
    };
    match value {
        Value::Number(number) => wanted(number).then(|| (path.clone(), number)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(index, item)| under(&index.to_string(), item)),
        Value::Object(map) => map
            .iter()
            .find_map(|(key, item)| under(&key.replace('~', "~0").replace('/', "~1"), item)),
        Value::Null | Value::Bool(_) | Value::String(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_first_wanted_number_is_named_by_its_pointer() {
        let value = json!({"a": [1, {"b/c~": 2.5}], "z": 3.5});
        let float = |number: &Number| number.is_f64();
        let (path, number) = find_number(&value, &float).unwrap();
        assert_eq!((path.as_str(), number.as_f64()), ("/a/1/b~1c~0", Some(2.5)));
        assert_eq!(find_number(&json!([1, "2", null]), &float), None);
        assert_eq!(find_number(&json!(0.5), &float).unwrap().0, "");
    }
}
