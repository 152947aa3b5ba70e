//! The builtin `ValueAddTransformer`: writes one value into a field of selected objects,
//! either as the whole field or as an extra part of a slash-separated path held there.
//! A target whose field is `metadata/namespace` sets the namespace the way the
//! namespace transformer does without field specs.

use crate::error::{ErrorKind, Result, err};
use crate::kustfile::Selector;
use crate::resource::ResMap;
use crate::transformers::namespace;
use serde::Deserialize;
use serde_json::{Map, Value};

/// One place to write the value.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    /// Which objects (all when absent).
    #[serde(default)]
    pub selector: Option<Selector>,
    /// Slash-separated field path (`\/` is a slash inside a field name).
    #[serde(default)]
    pub field_path: String,
    /// 1-based position at which the value becomes a new part of the path the field
    /// holds; 0 replaces the field.
    #[serde(default)]
    pub file_path_position: i64,
}

fn invalid(msg: String) -> crate::error::Error {
    err(ErrorKind::Invalid(msg))
}

/// Checks the targets as kustomize's plugin configuration does.
pub fn validate(targets: &[Target]) -> Result<()> {
    if targets.is_empty() {
        return Err(invalid("must specify at least one target".into()));
    }
    for t in targets {
        if t.field_path.is_empty() {
            return Err(invalid("fieldPath cannot be empty".into()));
        }
        if t.file_path_position < 0 {
            return Err(invalid(format!(
                "value of FilePathPosition ({}) cannot be negative",
                t.file_path_position
            )));
        }
    }
    Ok(())
}

/// Splits a field path on `/`, a field ending in `\` absorbing the next part.
fn split_fields(path: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in path.split('/') {
        match out.last_mut() {
            Some(last) if last.ends_with('\\') => {
                last.pop();
                last.push('/');
                last.push_str(part);
            }
            _ => out.push(part.to_string()),
        }
    }
    out
}

/// Splits a file path into parts the way Go's `filepath.Split` recursion does: an
/// absolute path starts with an empty part.
fn path_split(p: &str) -> Vec<String> {
    if p.is_empty() {
        return Vec::new();
    }
    let (dir, file) = match p.rfind('/') {
        Some(i) => (&p[..=i], &p[i + 1..]),
        None => ("", p),
    };
    if dir == "/" {
        return if file.is_empty() {
            vec![String::new()]
        } else {
            vec![String::new(), file.to_string()]
        };
    }
    let dir = dir.strip_suffix('/').unwrap_or(dir);
    if dir.is_empty() {
        return vec![file.to_string()];
    }
    let mut out = path_split(dir);
    out.push(file.to_string());
    out
}

/// Go's `filepath.Clean` for the joined parts (no `.`/`..` handling needed beyond
/// dropping empty parts, which is what joining does here).
fn clean_join(parts: &[String]) -> String {
    let mut stack: Vec<&str> = Vec::new();
    for p in parts {
        match p.as_str() {
            "" | "." => {}
            ".." => {
                if stack.last().is_some_and(|l| *l != "..") {
                    stack.pop();
                } else {
                    stack.push("..");
                }
            }
            other => stack.push(other),
        }
    }
    stack.join("/")
}

/// kyaml's `InsertPathPart`: `part` becomes the `pos`-th part of `path` (counted the
/// same way for relative and absolute paths).
fn insert_path_part(path: &str, pos: usize, part: &str) -> String {
    if part.is_empty() {
        return path.to_string();
    }
    let parts = path_split(path);
    let mut pos = pos.min(parts.len());
    if parts.first().is_some_and(String::is_empty) && pos < parts.len() {
        pos += 1;
    }
    let mut result: Vec<String> = parts[..pos].to_vec();
    result.push(part.to_string());
    result.extend_from_slice(&parts[pos..]);
    if result.first().is_some_and(String::is_empty) {
        format!("/{}", clean_join(&result[1..]))
    } else {
        let joined = clean_join(&result);
        if joined.is_empty() {
            ".".to_string()
        } else {
            joined
        }
    }
}

/// Writes `value` at `fields` (created as maps on the way, the last as a scalar).
fn set_field(obj: &mut Value, fields: &[String], value: &str, position: i64) -> Result<()> {
    let mut cur = obj;
    for f in fields {
        if cur.is_null() {
            *cur = Value::Object(Map::new());
        }
        let Value::Object(m) = cur else {
            return Err(invalid(format!(
                "wrong node kind: expected MappingNode at field {f:?}"
            )));
        };
        cur = m.entry(f.clone()).or_insert(Value::Null);
    }
    if cur.is_object() || cur.is_array() {
        return Err(invalid(
            "wrong node kind: expected ScalarNode but got a map or list".into(),
        ));
    }
    let new = if position > 0 {
        let current = crate::fieldpath::scalar_string(cur);
        insert_path_part(&current, (position - 1) as usize, value)
    } else {
        value.to_string()
    };
    *cur = Value::String(new);
    Ok(())
}

/// Applies the transformer.
pub fn apply(m: &mut ResMap, value: &str, targets: &[Target]) -> Result<()> {
    for t in targets {
        let mut picked = Vec::new();
        for (i, r) in m.items.iter().enumerate() {
            let hit = match &t.selector {
                None => true,
                Some(sel) => crate::selector::selects(sel, r)?,
            };
            if hit {
                picked.push(i);
            }
        }
        if t.field_path == "metadata/namespace" {
            // The namespace transformer on the selected objects alone.
            let mut sub = ResMap::default();
            let mut rest = Vec::new();
            for (i, r) in std::mem::take(&mut m.items).into_iter().enumerate() {
                if picked.contains(&i) {
                    sub.items.push(r);
                } else {
                    rest.push((i, r));
                }
            }
            let result =
                namespace::apply_with(&mut sub, value, &[], &namespace::Options::default());
            let mut sub_items = sub.items.into_iter();
            let mut rest = rest.into_iter().peekable();
            let total = picked.len() + rest.len();
            for i in 0..total {
                if rest.peek().is_some_and(|(j, _)| *j == i) {
                    if let Some((_, r)) = rest.next() {
                        m.items.push(r);
                    }
                } else if let Some(r) = sub_items.next() {
                    m.items.push(r);
                }
            }
            result?;
            continue;
        }
        let fields = split_fields(&t.field_path);
        for i in picked {
            let r = &mut m.items[i];
            set_field(&mut r.obj, &fields, value, t.file_path_position)?;
            r.sync_aliases();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_path_parts_like_kyaml() {
        assert_eq!(
            insert_path_part("projects/data", 1, "prod"),
            "projects/prod/data"
        );
        assert_eq!(insert_path_part("a/b/c", 0, "x"), "x/a/b/c");
        assert_eq!(insert_path_part("/a/b/c", 0, "x"), "/x/a/b/c");
        assert_eq!(insert_path_part("a/b", 9, "x"), "a/b/x");
        assert_eq!(insert_path_part("", 0, "x"), "x");
        assert_eq!(insert_path_part("a", 0, ""), "a");
    }

    #[test]
    fn splits_escaped_slashes() {
        assert_eq!(
            split_fields(r"metadata/annotations/a\/b"),
            vec!["metadata", "annotations", "a/b"]
        );
    }
}
