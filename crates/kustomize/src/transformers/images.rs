//! `images:` — rewrites container image names, tags and digests.

use crate::error::{ErrorKind, Result, err};
use crate::fieldspec::{self, FieldSpec};
use crate::kustfile::Image;
use crate::resource::ResMap;
use serde_json::Value;

/// The pattern matching references to image `name` (a regular expression, as in
/// kustomize v5.8.1), with optional tag and digest.
pub fn pattern(name: &str) -> Result<regex::Regex> {
    let pattern = format!("^{name}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$");
    regex::Regex::new(&pattern).map_err(|e| {
        err(ErrorKind::Invalid(format!(
            "images: name {name:?} is not a valid regular expression: {e}"
        )))
    })
}

/// Splits an image reference into name, tag and digest.
pub fn split(image: &str) -> (String, String, String) {
    let slash = image.find('/').filter(|i| *i > 0).unwrap_or(0);
    let search = &image[slash..];
    let id = search.find('@');
    let ic = search.find(':');
    match (id, ic) {
        (None, None) => (image.to_string(), String::new(), String::new()),
        (Some(d), c) if c.is_none() || Some(d) < c => {
            let d = d + slash;
            (
                image[..d].to_string(),
                String::new(),
                image[d + 1..].to_string(),
            )
        }
        (Some(d), Some(c)) => {
            let (d, c) = (d + slash, c + slash);
            (
                image[..c].to_string(),
                image[c + 1..d].to_string(),
                image[d + 1..].to_string(),
            )
        }
        (None, Some(c)) => {
            let c = c + slash;
            (
                image[..c].to_string(),
                image[c + 1..].to_string(),
                String::new(),
            )
        }
        _ => (image.to_string(), String::new(), String::new()),
    }
}

fn update(value: &mut Value, img: &Image, re: &regex::Regex) {
    let Value::String(s) = value else { return };
    if !re.is_match(s) {
        return;
    }
    let (mut name, mut tag, mut digest) = split(s);
    if !img.new_name.is_empty() {
        name = img.new_name.clone();
    }
    if !img.new_tag.is_empty() && !img.digest.is_empty() {
        tag = img.new_tag.clone();
        digest = img.digest.clone();
    } else if !img.new_tag.is_empty() {
        tag = img.new_tag.clone();
        digest.clear();
    } else if !img.digest.is_empty() {
        tag.clear();
        digest = img.digest.clone();
    } else if !img.tag_suffix.is_empty() {
        tag.push_str(&img.tag_suffix);
        digest.clear();
    }
    if !tag.is_empty() {
        name = format!("{name}:{tag}");
    }
    if !digest.is_empty() {
        name = format!("{name}@{digest}");
    }
    *s = name;
}

fn legacy_walk(v: &mut Value, img: &Image, re: &regex::Regex) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                legacy_walk(child, img, re);
                if (k == "containers" || k == "initContainers")
                    && let Value::Array(items) = child
                {
                    for it in items {
                        if let Some(image) = it.get_mut("image") {
                            update(image, img, re);
                        }
                    }
                }
            }
        }
        Value::Array(items) => {
            for it in items {
                legacy_walk(it, img, re);
            }
        }
        _ => {}
    }
}

/// Applies one `images` entry.
pub fn apply(m: &mut ResMap, img: &Image, specs: &[FieldSpec]) -> Result<()> {
    let re = pattern(&img.name)?;
    for r in &mut m.items {
        if r.kind() == "CustomResourceDefinition" {
            continue;
        }
        legacy_walk(&mut r.obj, img, &re);
        let gvk = r.gvk();
        let specs: Vec<FieldSpec> = specs
            .iter()
            .map(|f| FieldSpec {
                create: false,
                ..f.clone()
            })
            .collect();
        fieldspec::apply_specs(&mut r.obj, &gvk, &specs, &mut |v| {
            update(v, img, &re);
            Ok(())
        })?;
    }
    Ok(())
}
