//! `images:` — rewrites container image names, tags and digests.

use crate::error::{ErrorKind, Result, err};
use crate::fieldspec::{self, FieldSpec};
use crate::kustfile::Image;
use crate::resource::ResMap;
use serde_json::Value;

/// The pattern matching references to image `name` (a regular expression, as in
/// kustomize v5.8.1, in Go's syntax), with optional tag and digest.
pub fn pattern(name: &str) -> Result<regex::Regex> {
    let go = ferroflux_gotemplate::funcs::regex::go_syntax(name);
    let pattern = format!("^{go}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$");
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

/// [`pattern`], without compiling a regular expression for the usual names: those whose
/// only regular expression syntax is `.` (any character but a newline).
enum Matcher {
    Simple(Vec<char>),
    Regex(regex::Regex),
}

impl Matcher {
    fn new(name: &str) -> Result<Matcher> {
        if !name.contains(|c| "\\+*?()|[]{}^$".contains(c)) {
            return Ok(Matcher::Simple(name.chars().collect()));
        }
        pattern(name).map(Matcher::Regex)
    }

    fn is_match(&self, s: &str) -> bool {
        match self {
            Matcher::Regex(re) => re.is_match(s),
            Matcher::Simple(name) => {
                // `^name(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$`: neither `:` nor
                // `@` is in the class, so each group is taken whole when present.
                let mut chars = s.chars();
                for &n in name {
                    match chars.next() {
                        Some(c) if c == n || (n == '.' && c != '\n') => {}
                        _ => return false,
                    }
                }
                let tag_char = |c: char| c.is_ascii_alphanumeric() || "_.{}-".contains(c);
                let mut rest = chars.as_str();
                if let Some(r) = rest.strip_prefix(':') {
                    rest = r.trim_start_matches(tag_char);
                }
                if let Some(r) = rest.strip_prefix("@sha256:") {
                    rest = r.trim_start_matches(tag_char);
                }
                rest.is_empty()
            }
        }
    }
}

fn update(value: &mut Value, img: &Image, re: &Matcher) {
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

fn legacy_walk(v: &mut Value, img: &Image, re: &Matcher) {
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
    let re = Matcher::new(&img.name)?;
    let specs: Vec<FieldSpec> = specs
        .iter()
        .map(|f| FieldSpec {
            create: false,
            ..f.clone()
        })
        .collect();
    let specs = fieldspec::SpecSet::new(&specs);
    for r in &mut m.items {
        if r.kind() == "CustomResourceDefinition" {
            continue;
        }
        legacy_walk(&mut r.obj, img, &re);
        specs.apply(&mut r.obj, &mut |v| {
            update(v, img, &re);
            Ok(())
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_names_match_as_the_regular_expression_does() {
        let names = [
            "nginx",
            "ghcr.io/example/api",
            "a.b",
            "",
            "x-y_z",
            "reg:5000/app",
            "é.t",
        ];
        let images = [
            "nginx",
            "nginx:1.25",
            "nginx@sha256:abc",
            "nginx:1.2@sha256:abc",
            "nginx:1.2@sha256:",
            "nginx:",
            "nginxx",
            "nginx:1/2",
            "nginx@sha1:abc",
            "ghcr.io/example/api:v1",
            "ghcrXio/example/api",
            "ghcr.io/example/api2",
            "a.b",
            "aXb:{x}-y_z.1",
            "a\nb",
            "",
            ":tag",
            "@sha256:x",
            "x-y_z:t",
            "reg:5000/app:1",
            "é.t",
            "éxt:1",
        ];
        for n in names {
            let simple = Matcher::new(n).expect("matcher");
            assert!(matches!(simple, Matcher::Simple(_)));
            let re = pattern(n).expect("pattern");
            for i in images {
                assert_eq!(simple.is_match(i), re.is_match(i), "{n:?} on {i:?}");
            }
        }
    }
}
