//! RFC 6902 JSON patch.

use crate::status::ApiError;
use serde_json::Value;

/// Applies a JSON patch document to `target`.
pub fn apply(target: &mut Value, patch: &Value) -> Result<(), ApiError> {
    let p: json_patch::Patch = serde_json::from_value(patch.clone())
        .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
    json_patch::patch(target, &p).map_err(|e| {
        ApiError::new(
            422,
            "Invalid",
            format!("the server rejected our request due to an error in our request: {e}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn replace_and_test() {
        let mut v = json!({"a": 1});
        super::apply(&mut v, &json!([{"op":"replace","path":"/a","value":2}])).unwrap();
        assert_eq!(v, json!({"a": 2}));
        assert!(super::apply(&mut v, &json!([{"op":"test","path":"/a","value":3}])).is_err());
    }
}
