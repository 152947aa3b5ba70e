//! The JSONPath templates of `helm show values --jsonpath` (Kubernetes' `util/jsonpath`, as
//! kubectl reads them): text with `{…}` actions of fields (`.a`, `['a']`), indexes and
//! slices (`[0]`, `[-1]`, `[1:3]`), wildcards (`[*]`, `.*`), recursive descent (`..a`) and
//! `{range …}…{end}`. Missing keys print nothing; a string prints as itself, anything else
//! as JSON; several results are separated by spaces. Filters (`[?(…)]`) are not supported.

use serde_json::Value as J;

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Field(String),
    AllFields,
    Recursive(String),
    Index(i64),
    Slice(Option<i64>, Option<i64>),
    AllItems,
}

#[derive(Debug)]
enum Node {
    Text(String),
    Path(Vec<Step>),
    Range(Vec<Step>, Vec<Node>),
}

/// Renders `template` over `data`; errors read as kubectl's (`unclosed action`, …).
pub fn render(template: &str, data: &J) -> Result<String, String> {
    let nodes = parse(template)?;
    let mut out = String::new();
    run(&nodes, data, &mut out)?;
    Ok(out)
}

fn parse(template: &str) -> Result<Vec<Node>, String> {
    let mut stack: Vec<(Vec<Step>, Vec<Node>)> = Vec::new();
    let mut nodes = Vec::new();
    let mut rest = template;
    while !rest.is_empty() {
        let Some(open) = rest.find('{') else {
            nodes.push(Node::Text(rest.to_string()));
            break;
        };
        if open > 0 {
            nodes.push(Node::Text(rest[..open].to_string()));
        }
        let Some(close) = rest[open..].find('}') else {
            return Err("unclosed action".into());
        };
        let action = rest[open + 1..open + close].trim();
        rest = &rest[open + close + 1..];
        if let Some(path) = action.strip_prefix("range ") {
            stack.push((steps(path.trim())?, std::mem::take(&mut nodes)));
        } else if action == "end" {
            let (path, outer) = stack.pop().ok_or("not in range, nothing to end")?;
            let body = std::mem::replace(&mut nodes, outer);
            nodes.push(Node::Range(path, body));
        } else if let Some(text) = literal(action) {
            nodes.push(Node::Text(text));
        } else {
            nodes.push(Node::Path(steps(action)?));
        }
    }
    if !stack.is_empty() {
        return Err("unclosed range".into());
    }
    Ok(nodes)
}

/// A quoted text action (`{"\n"}`, `{'x'}`): its text, escapes read as Go reads them.
fn literal(action: &str) -> Option<String> {
    if action.starts_with('"') {
        return ferroflux_gotemplate::parser::unquote(action);
    }
    let inner = action.strip_prefix('\'')?.strip_suffix('\'')?;
    ferroflux_gotemplate::parser::unquote(&format!("\"{inner}\""))
}

fn steps(path: &str) -> Result<Vec<Step>, String> {
    let mut out = Vec::new();
    let b = path.as_bytes();
    let mut i = usize::from(path.starts_with('$') || path.starts_with('@'));
    let name_end = |from: usize| {
        path[from..]
            .find(['.', '['])
            .map_or(path.len(), |n| from + n)
    };
    while i < b.len() {
        match b[i] {
            b'.' if b.get(i + 1) == Some(&b'.') => {
                let end = name_end(i + 2);
                out.push(Step::Recursive(path[i + 2..end].to_string()));
                i = end;
            }
            b'.' => {
                let end = name_end(i + 1);
                match &path[i + 1..end] {
                    "" => {}
                    "*" => out.push(Step::AllFields),
                    name => out.push(Step::Field(name.to_string())),
                }
                i = end;
            }
            b'[' => {
                let close = path[i..]
                    .find(']')
                    .map(|n| i + n)
                    .ok_or_else(|| format!("unterminated array: {}", &path[i..]))?;
                out.push(bracket(path[i + 1..close].trim())?);
                i = close + 1;
            }
            _ => {
                let end = name_end(i);
                out.push(Step::Field(path[i..end].to_string()));
                i = end;
            }
        }
    }
    Ok(out)
}

fn bracket(inner: &str) -> Result<Step, String> {
    let quoted = |q: char| inner.strip_prefix(q).and_then(|s| s.strip_suffix(q));
    if let Some(name) = quoted('\'').or_else(|| quoted('"')) {
        return Ok(Step::Field(name.to_string()));
    }
    if inner == "*" {
        return Ok(Step::AllItems);
    }
    if inner.starts_with('?') {
        return Err(format!("filters are not supported: [{inner}]"));
    }
    let num = |s: &str| -> Result<Option<i64>, String> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        s.parse()
            .map(Some)
            .map_err(|_| format!("invalid array index {s}"))
    };
    match inner.split_once(':') {
        Some((a, b)) => {
            let b = b.split(':').next().unwrap_or("");
            Ok(Step::Slice(num(a)?, num(b)?))
        }
        None => Ok(Step::Index(num(inner)?.ok_or("empty array index")?)),
    }
}

fn run(nodes: &[Node], dot: &J, out: &mut String) -> Result<(), String> {
    for n in nodes {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::Path(p) => {
                let found = eval(p, dot);
                for (i, v) in found.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    out.push_str(&text(v)?);
                }
            }
            Node::Range(p, body) => {
                for v in eval(p, dot) {
                    match v {
                        J::Array(items) => {
                            for item in items {
                                run(body, item, out)?;
                            }
                        }
                        other => run(body, other, out)?,
                    }
                }
            }
        }
    }
    Ok(())
}

fn eval<'a>(path: &[Step], dot: &'a J) -> Vec<&'a J> {
    let mut cur = vec![dot];
    for step in path {
        let mut next = Vec::new();
        for v in cur {
            match (step, v) {
                (Step::Field(k), J::Object(m)) => next.extend(m.get(k)),
                (Step::AllFields, J::Object(m)) => next.extend(m.values()),
                (Step::AllFields | Step::AllItems, J::Array(a)) => next.extend(a.iter()),
                (Step::Index(i), J::Array(a)) => {
                    let at = if *i < 0 { a.len() as i64 + i } else { *i };
                    next.extend(usize::try_from(at).ok().and_then(|at| a.get(at)));
                }
                (Step::Slice(from, to), J::Array(a)) => {
                    let len = a.len() as i64;
                    let clamp = |x: i64| (if x < 0 { len + x } else { x }).clamp(0, len) as usize;
                    let (f, t) = (clamp(from.unwrap_or(0)), clamp(to.unwrap_or(len)));
                    if f < t {
                        next.extend(a[f..t].iter());
                    }
                }
                (Step::Recursive(k), v) => descend(v, k, &mut next),
                _ => {}
            }
        }
        cur = next;
    }
    cur
}

/// Every value named `key` at or below `v` (`*`: every value below it).
fn descend<'a>(v: &'a J, key: &str, out: &mut Vec<&'a J>) {
    match v {
        J::Object(m) => {
            for (k, x) in m {
                if key == "*" || k == key {
                    out.push(x);
                }
            }
            for x in m.values() {
                descend(x, key, out);
            }
        }
        J::Array(a) => a.iter().for_each(|x| descend(x, key, out)),
        _ => {}
    }
}

fn text(v: &J) -> Result<String, String> {
    match v {
        J::String(s) => Ok(s.clone()),
        other => ferroflux_gotemplate::funcs::encoding::to_json(
            &ferroflux_gotemplate::Value::from_json(other),
            false,
            None,
        ),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn quoted_text_actions_print_their_text() {
        let data = serde_json::json!({"list": [1, "a"], "name": "x"});
        assert_eq!(
            render(r#"{range .list[*]}{@}{"\n"}{end}"#, &data).unwrap(),
            "1\na\n"
        );
        assert_eq!(render("{.name}{'-'}{.name}", &data).unwrap(), "x-x");
    }

    use super::render;

    /// Outputs of `helm show values --jsonpath` (v4.3.1) for the same values.
    #[test]
    fn templates_print_as_kubectl_prints_them() {
        let v: serde_json::Value = serde_json::json!({
            "nested": {"key": "v", "f": 1.5, "b": true, "nul": null},
            "list": [{"name": "a", "port": 80.0}, {"name": "b", "port": 443.0}],
            "map": {"x": 1.0, "true": [1.0, 2.0]}
        });
        let cases = [
            ("{.nested.key}", "v"),
            ("{.nested}", r#"{"b":true,"f":1.5,"key":"v","nul":null}"#),
            ("{.list[0].name}", "a"),
            ("{.list[*].name}", "a b"),
            (
                "{.list}",
                r#"[{"name":"a","port":80},{"name":"b","port":443}]"#,
            ),
            ("{.map}", r#"{"true":[1,2],"x":1}"#),
            ("{.nested.f}", "1.5"),
            ("{.nested.nul}", "null"),
            ("x{.nested.key}y", "xvy"),
            ("{.missing}", ""),
            ("{.list[5]}", ""),
            ("{range .list[*]}{.name}:{.port} {end}", "a:80 b:443 "),
            ("{..port}", "80 443"),
            ("{$.nested.key}", "v"),
            ("{.list[-1].name}", "b"),
            ("{.list[0:1].name}", "a"),
            ("{.map['x']}", "1"),
        ];
        for (t, want) in cases {
            assert_eq!(render(t, &v).as_deref(), Ok(want), "{t}");
        }
        assert_eq!(render("{.nested.key", &v), Err("unclosed action".into()));
    }
}
