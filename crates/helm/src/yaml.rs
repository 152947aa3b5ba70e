//! YAML as Helm reads it: sigs.k8s.io/yaml (YAML 1.1 booleans, `0644` octal) into JSON, where
//! every number decoded into an untyped value becomes a float64.

use serde_json::{Map, Value as J};

/// A values tree (`map[string]interface{}`).
pub type Values = Map<String, J>;

/// Parses one YAML document into JSON, numbers as float64 (Helm's untyped decoding); see
/// [`crate::yaml11::parse`].
pub fn parse_untyped(text: &str) -> Result<J, String> {
    crate::yaml11::parse(text)
}

/// Parses one YAML document into JSON keeping integers (for typed targets such as Chart.yaml);
/// see [`crate::yaml11::parse_typed`].
pub fn parse_typed(text: &str) -> Result<J, String> {
    crate::yaml11::parse_typed(text)
}

/// Turns every number into a float64, as `json.Unmarshal` into `interface{}` does.
pub fn floats(v: J) -> J {
    match v {
        J::Number(n) => match n.as_f64().and_then(serde_json::Number::from_f64) {
            Some(f) => J::Number(f),
            None => J::Number(n),
        },
        J::Array(a) => J::Array(a.into_iter().map(floats).collect()),
        J::Object(o) => J::Object(o.into_iter().map(|(k, v)| (k, floats(v))).collect()),
        other => other,
    }
}

/// Splits a YAML stream at document markers (`---` at the start of a line), as
/// k8s.io/apimachinery's YAMLReader does: a marker ends the document before it, but one with
/// nothing before it stays in the next document as its first line (go-yaml then counts it
/// in the line numbers of its errors).
pub fn split_documents(text: &str) -> Vec<String> {
    let mut docs = Vec::new();
    let mut cur = String::new();
    for line in text.split_inclusive('\n') {
        if separator(line).is_some_and(|rest| rest.is_empty() || rest.starts_with('#'))
            && !cur.is_empty()
        {
            docs.push(std::mem::take(&mut cur));
            continue;
        }
        cur.push_str(line);
    }
    docs.push(cur);
    docs
}

/// What follows a `---` that starts `line`, trimmed (`None` when the line starts otherwise).
fn separator(line: &str) -> Option<&str> {
    line.strip_prefix("---").map(str::trim)
}

/// [`load_values`] of a file's bytes: go-yaml's reader refuses what is not UTF-8 first.
pub fn load_values_bytes(data: &[u8]) -> Result<Values, String> {
    match std::str::from_utf8(data) {
        Ok(text) => load_values(text),
        Err(_) => {
            let why = go_yaml_utf8_error(data).unwrap_or("invalid leading UTF-8 octet");
            Err(format!(
                "cannot unmarshal yaml document: error converting YAML to JSON: yaml: {why}"
            ))
        }
    }
}

/// go-yaml's reader on UTF-8 input: what it says of the first bad sequence (each document
/// it reads ends with a line break, so a sequence cut at the end meets a trailing `\n`).
fn go_yaml_utf8_error(b: &[u8]) -> Option<&'static str> {
    let mut i = 0;
    while i < b.len() {
        let o = b[i];
        let (w, mut value) = match o {
            _ if o & 0x80 == 0 => (1, u32::from(o)),
            _ if o & 0xE0 == 0xC0 => (2, u32::from(o & 0x1F)),
            _ if o & 0xF0 == 0xE0 => (3, u32::from(o & 0x0F)),
            _ if o & 0xF8 == 0xF0 => (4, u32::from(o & 0x07)),
            _ => return Some("invalid leading UTF-8 octet"),
        };
        for k in 1..w {
            match b.get(i + k) {
                Some(&t) if t & 0xC0 == 0x80 => value = (value << 6) | u32::from(t & 0x3F),
                _ => return Some("invalid trailing UTF-8 octet"),
            }
        }
        let shortest = match w {
            1 => true,
            2 => value >= 0x80,
            3 => value >= 0x800,
            _ => value >= 0x10000,
        };
        if !shortest {
            return Some("invalid length of a UTF-8 sequence");
        }
        if (0xD800..=0xDFFF).contains(&value) || value > 0x10FFFF {
            return Some("invalid Unicode character");
        }
        i += w;
    }
    None
}

/// Reads a values file (several documents are merged, later ones winning), as Helm's
/// `loader.LoadValues` does. An empty file is an empty map.
pub fn load_values(text: &str) -> Result<Values, String> {
    // Nearly every values file is one document: read in place, not copied line by line.
    let single = !(text.starts_with("---") || text.contains("\n---"));
    // The reader refuses a marker followed by anything but a comment.
    if !single
        && let Some(rest) = text
            .split_inclusive('\n')
            .filter_map(separator)
            .find(|rest| !rest.is_empty() && !rest.starts_with('#'))
    {
        return Err(format!(
            "error reading yaml document: invalid Yaml document separator: {rest}"
        ));
    }
    let docs = if single {
        vec![std::borrow::Cow::Borrowed(text)]
    } else {
        split_documents(text)
            .into_iter()
            .map(std::borrow::Cow::Owned)
            .collect()
    };
    let mut out = Values::new();
    for mut doc in docs {
        if doc.trim().is_empty() {
            continue;
        }
        // The reader Helm splits documents with ends every line it reads with a line break,
        // the last one included (a block scalar at the very end keeps its final break).
        if !doc.ends_with('\n') {
            doc.to_mut().push('\n');
        }
        let v = parse_untyped(&doc).map_err(|e| {
            format!("cannot unmarshal yaml document: error converting YAML to JSON: {e}")
        })?;
        match v {
            J::Null => {}
            J::Object(m) => out = merge_maps(out, m),
            other => {
                return Err(format!(
                    "cannot unmarshal yaml document: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                    json_kind(&other)
                ));
            }
        }
    }
    Ok(out)
}

/// `encoding/json`'s name for a value's kind in "cannot unmarshal X" messages.
pub fn json_kind(v: &J) -> &'static str {
    match v {
        J::Null => "null",
        J::Bool(_) => "bool",
        J::Number(_) => "number",
        J::String(_) => "string",
        J::Array(_) => "array",
        J::Object(_) => "object",
    }
}

/// Helm's `MergeMaps`: maps merge recursively, anything else in `b` replaces `a`.
pub fn merge_maps(mut a: Values, b: Values) -> Values {
    // Merging into nothing is the map itself (a values file's first document).
    if a.is_empty() {
        return b;
    }
    for (k, v) in b {
        match (a.get_mut(&k), v) {
            (Some(J::Object(av)), J::Object(bv)) => {
                let merged = merge_maps(std::mem::take(av), bv);
                *av = merged;
            }
            (_, v) => {
                a.insert(k, v);
            }
        }
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_floats_and_documents_merge() {
        let v = load_values("a: 1\nb: {c: 2}\n---\nb: {d: yes}\nmode: 0644\n").unwrap();
        assert!(v["a"].is_f64());
        assert_eq!(v["b"]["c"], serde_json::json!(2.0));
        assert_eq!(v["b"]["d"], J::Bool(true));
        assert_eq!(v["mode"], serde_json::json!(420.0));
    }

    /// The one-document shortcut reads as the split does, markers and all.
    #[test]
    fn one_document_and_split_readings_agree() {
        for text in [
            "a: 1\nb:\n  c: x\n",
            "",
            "# only a comment\n",
            "---\na: 1\n",
            "a: 1\n---\nb: 2\n---\na: 3\n",
            "a: '---'\nb: |\n  ---x\n",
            "a: 1\n--- \n",
        ] {
            let mut split = Values::new();
            for doc in split_documents(text) {
                if let Ok(J::Object(m)) = parse_untyped(&doc) {
                    split = merge_maps(split, m);
                }
            }
            assert_eq!(load_values(text).unwrap(), split, "{text:?}");
        }
    }

    #[test]
    fn non_map_document_is_an_error() {
        let e = load_values("- a\n- b\n").unwrap_err();
        assert!(e.contains("cannot unmarshal array"), "{e}");
    }

    #[test]
    fn markers_need_their_own_line() {
        assert_eq!(split_documents("a: 1\n--- \nb: 2\n").len(), 2);
        assert_eq!(
            split_documents("---\na: 1\n---\n---\nb: 2\n--- # c\nc: 3\n"),
            ["---\na: 1\n", "---\nb: 2\n", "c: 3\n"]
        );
        assert_eq!(
            load_values("a: 1\n--- x\n").unwrap_err(),
            "error reading yaml document: invalid Yaml document separator: x"
        );
        // Any line starting `---` is a marker to the reader, so this one is refused.
        assert_eq!(
            load_values("x: 1\n---not-a-marker: 2\n").unwrap_err(),
            "error reading yaml document: invalid Yaml document separator: not-a-marker: 2"
        );
        assert_eq!(split_documents("a: '---'\n").len(), 1);
    }

    #[test]
    fn bytes_that_are_not_utf8_are_refused_in_go_yamls_words() {
        let e = |b: &[u8]| load_values_bytes(b).unwrap_err();
        assert!(e(b"k: \"\xff\"\n").ends_with("yaml: invalid leading UTF-8 octet"));
        assert!(e(b"k: \"a\xc3\"\n").ends_with("yaml: invalid trailing UTF-8 octet"));
        assert!(e(b"k: \"\xc0\x80\"\n").ends_with("yaml: invalid length of a UTF-8 sequence"));
        assert!(e(b"k: \"\xed\xa0\x80\"\n").ends_with("yaml: invalid Unicode character"));
        assert!(e(b"k: \"a\xe2\x98").ends_with("yaml: invalid trailing UTF-8 octet"));
    }
}
