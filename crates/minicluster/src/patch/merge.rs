//! RFC 7386 JSON merge patch.

use serde_json::Value;

/// Applies a merge patch to `target`.
pub fn apply(target: &mut Value, patch: &Value) {
    json_patch::merge(target, patch);
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn nulls_delete() {
        let mut v = json!({"a": 1, "b": {"c": 1, "d": [1]}});
        super::apply(&mut v, &json!({"a": null, "b": {"d": [2]}}));
        assert_eq!(v, json!({"b": {"c": 1, "d": [2]}}));
    }
}
