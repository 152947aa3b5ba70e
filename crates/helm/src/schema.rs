//! `values.schema.json` validation of each chart and enabled subchart, with errors shaped like
//! Helm's (santhosh-tekuri/jsonschema v6): `- at '/path': message` per failure.

use crate::chart::Chart;
use crate::yaml::Values;
use jsonschema::error::{TypeKind, ValidationErrorKind as K};
use serde_json::Value as J;

/// Validates `values` against the chart's schema and each subchart's schema against its
/// section; returns the text Helm puts after "…in the following chart(s):\n".
pub fn validate_chart(chart: &Chart, values: &Values) -> Result<(), String> {
    validate_chart_logged(chart, values, &mut Vec::new())
}

/// [`validate_chart`], appending what Helm logs meanwhile (unresolved `urn:` references).
pub fn validate_chart_logged(
    chart: &Chart,
    values: &Values,
    logs: &mut Vec<String>,
) -> Result<(), String> {
    let mut out = String::new();
    if let Some(schema) = &chart.schema
        && let Err(e) = validate_single_logged(values, schema, logs)
    {
        out.push_str(&format!("{}:\n{e}", chart.name()));
    }
    for sub in &chart.dependencies {
        match values.get(sub.name()) {
            None | Some(J::Null) => continue,
            Some(J::Object(m)) => {
                if let Err(e) = validate_chart_logged(sub, m, logs) {
                    out.push_str(&e);
                }
            }
            Some(other) => out.push_str(&format!(
                "{}:\ninvalid type for values: expected object (map), got {}\n",
                sub.name(),
                go_type(other)
            )),
        }
    }
    if out.is_empty() { Ok(()) } else { Err(out) }
}

fn go_type(v: &J) -> &'static str {
    match v {
        J::Bool(_) => "bool",
        J::Number(n) if n.is_f64() => "float64",
        J::Number(_) => "int64",
        J::String(_) => "string",
        J::Array(_) => "[]interface {}",
        _ => "map[string]interface {}",
    }
}

/// santhosh's `quote`: Go's `%q` with `"` unescaped and `'` escaped, in single quotes.
fn quote(s: &str) -> String {
    let q = ferroflux_gotemplate::fmt::go_quote(s);
    let inner = q[1..q.len() - 1].replace("\\\"", "\"").replace('\'', "\\'");
    format!("'{inner}'")
}

fn join_quoted<S: AsRef<str>>(v: &[S]) -> String {
    v.iter()
        .map(|s| quote(s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A number as Go's `%v` prints it (integers as integers, else float64).
fn go_number(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    ferroflux_gotemplate::fmt::format_float(n.as_f64().unwrap_or(0.0), 'g', -1)
}

/// santhosh's `display`: strings quoted, collections as "value", others with `%v`.
fn display(v: &J) -> String {
    match v {
        J::String(s) => quote(s),
        J::Array(_) | J::Object(_) => "value".into(),
        J::Null => "<nil>".into(),
        J::Bool(b) => b.to_string(),
        J::Number(n) => go_number(n),
    }
}

fn is_primitive(v: &J) -> bool {
    !matches!(v, J::Array(_) | J::Object(_))
}

/// Thousands separators, as golang.org/x/text/message prints integers in English.
fn group_digits(int: &str) -> String {
    let (sign, digits) = match int.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", int),
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

/// An integer as x/text's `%d` prints it in English.
fn xtext_int(n: impl std::fmt::Display) -> String {
    group_digits(&n.to_string())
}

/// A float64 as x/text's `%v` prints it in English: Go's choice between plain and
/// scientific notation, digits grouped, exponents as `×10` with superscripts.
fn xtext_float(f: f64) -> String {
    let g = ferroflux_gotemplate::fmt::format_float(f, 'g', -1);
    if let Some((mant, exp)) = g.split_once('e') {
        let sup: String = exp
            .chars()
            .filter_map(|c| match c {
                '+' => None,
                '-' => Some('⁻'),
                d => "⁰¹²³⁴⁵⁶⁷⁸⁹".chars().nth(d.to_digit(10)? as usize),
            })
            .collect();
        return format!("{mant}×10{sup}");
    }
    match g.split_once('.') {
        Some((i, frac)) => format!("{}.{frac}", group_digits(i)),
        None => group_digits(&g),
    }
}

fn num(v: &J) -> String {
    xtext_float(v.as_f64().unwrap_or(0.0))
}

/// santhosh's type name of a value (every number is "number").
fn json_type(v: &J) -> &'static str {
    match v {
        J::Null => "null",
        J::Bool(_) => "boolean",
        J::Number(_) => "number",
        J::String(_) => "string",
        J::Array(_) => "array",
        J::Object(_) => "object",
    }
}

/// The wanted types in santhosh's fixed order.
fn want_types(kind: &TypeKind) -> String {
    let names: Vec<String> = match kind {
        TypeKind::Single(t) => vec![t.to_string()],
        TypeKind::Multiple(ts) => ts.iter().map(|t| t.to_string()).collect(),
    };
    [
        "null", "boolean", "number", "integer", "string", "array", "object",
    ]
    .iter()
    .filter(|t| names.iter().any(|n| n == *t))
    .copied()
    .collect::<Vec<_>>()
    .join(" or ")
}

/// santhosh's `duplicates`: the first pair (j < i) of equal items, scanning i upwards.
fn first_duplicates(items: &[J]) -> (usize, usize) {
    for i in 1..items.len() {
        for j in 0..i {
            if json_equal(&items[i], &items[j]) {
                return (j, i);
            }
        }
    }
    (0, 0)
}

fn json_equal(a: &J, b: &J) -> bool {
    match (a, b) {
        (J::Number(x), J::Number(y)) => x.as_f64() == y.as_f64(),
        (J::Array(x), J::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_equal(p, q))
        }
        (J::Object(x), J::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

#[derive(Debug, PartialEq)]
enum NodeKind {
    Leaf,
    /// A `$ref` that failed: shown only when it has several causes.
    Reference,
}

/// One node of santhosh's error tree.
#[derive(Debug)]
struct Node {
    loc: String,
    msg: String,
    causes: Vec<Node>,
    kind: NodeKind,
}

impl Node {
    fn leaf(loc: &str, msg: String) -> Node {
        Node {
            loc: loc.to_string(),
            msg,
            causes: Vec::new(),
            kind: NodeKind::Leaf,
        }
    }

    fn display(&self, out: &mut Vec<String>, indent: usize) {
        let skip = self.kind == NodeKind::Reference && self.causes.len() == 1;
        let mut indent = indent;
        if !skip {
            out.push(format!(
                "{}- at {}: {}",
                "  ".repeat(indent),
                quote(&self.loc),
                self.msg
            ));
            indent += 1;
        }
        for c in &self.causes {
            c.display(out, indent);
        }
    }
}

/// A crate error with the evaluation steps still to walk.
struct Pending<'e> {
    steps: Vec<String>,
    err: &'e jsonschema::ValidationError<'static>,
}

/// Keywords that evaluate a subschema against a child of the instance, with the number of
/// path segments they take.
fn child_applicator(seg: &str, next: Option<&str>) -> Option<usize> {
    match seg {
        "properties" | "patternProperties" | "prefixItems" => Some(2),
        "items" if next.is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit())) => Some(2),
        "items"
        | "additionalProperties"
        | "additionalItems"
        | "unevaluatedProperties"
        | "unevaluatedItems" => Some(1),
        _ => None,
    }
}

/// santhosh's keyword order within one schema, for ordering a frame's errors.
fn keyword_rank(kw: &str) -> usize {
    const ORDER: &[&str] = &[
        "type",
        "const",
        "enum",
        "format",
        "$ref",
        "minProperties",
        "maxProperties",
        "required",
        "dependencies",
        "properties",
        "patternProperties",
        "additionalProperties",
        "propertyNames",
        "dependentSchemas",
        "dependentRequired",
        "minItems",
        "maxItems",
        "uniqueItems",
        "items",
        "additionalItems",
        "prefixItems",
        "contains",
        "minLength",
        "maxLength",
        "pattern",
        "contentEncoding",
        "contentMediaType",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "$dynamicRef",
        "$recursiveRef",
        "not",
        "allOf",
        "anyOf",
        "oneOf",
        "if",
        "then",
        "else",
        "unevaluatedProperties",
        "unevaluatedItems",
    ];
    ORDER.iter().position(|k| *k == kw).unwrap_or(ORDER.len())
}

fn segments(path: &str) -> Vec<String> {
    path.split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

fn child_loc(loc: &str, err: &jsonschema::ValidationError<'_>, depth: usize) -> String {
    // The child's location is the error's location cut one segment below `loc`.
    let full = err.instance_path().to_string();
    let mut parts = full.split('/').skip(1);
    let mut out = String::new();
    for _ in 0..=depth {
        match parts.next() {
            Some(p) => {
                out.push('/');
                out.push_str(p);
            }
            None => break,
        }
    }
    debug_assert!(out.starts_with(loc));
    out
}

fn depth_of(loc: &str) -> usize {
    loc.matches('/').count()
}

/// The errors one schema produced at `loc`, as santhosh builds and Helm prints them (several
/// errors of one subschema appear side by side, not under a node of their own).
fn frame_errors(root: &J, pending: Vec<Pending<'_>>, loc: &str) -> Vec<Node> {
    // (rank, node) in evaluation order.
    let mut out: Vec<(usize, Node)> = Vec::new();
    let mut direct: Vec<&jsonschema::ValidationError<'static>> = Vec::new();
    let mut children: Vec<(String, String, usize, Vec<Pending<'_>>)> = Vec::new();
    let mut all_of: std::collections::BTreeMap<usize, Vec<Pending<'_>>> = Default::default();
    for p in pending {
        let Some(first) = p.steps.first().cloned() else {
            direct.push(p.err);
            continue;
        };
        let next = p.steps.get(1).map(String::as_str);
        let (take, child_depth, kw) = if let Some(n) = child_applicator(&first, next) {
            (n, depth_of(loc), first.clone())
        } else {
            match first.as_str() {
                "allOf" => {
                    let idx = next.and_then(|n| n.parse().ok()).unwrap_or(0);
                    all_of.entry(idx).or_default().push(Pending {
                        steps: p.steps[2.min(p.steps.len())..].to_vec(),
                        err: p.err,
                    });
                    continue;
                }
                "dependentSchemas" | "dependencies" if p.steps.len() > 2 => {
                    (2, usize::MAX, first.clone())
                }
                "$ref" | "$dynamicRef" | "$recursiveRef" | "then" | "else" => {
                    (1, usize::MAX, first.clone())
                }
                // The last step is the failing keyword itself.
                _ => {
                    direct.push(p.err);
                    continue;
                }
            }
        };
        let cloc = if child_depth == usize::MAX {
            loc.to_string()
        } else {
            child_loc(loc, p.err, child_depth)
        };
        let key = format!("{}|{cloc}", p.steps[..take].join("/"));
        let rest = Pending {
            steps: p.steps[take..].to_vec(),
            err: p.err,
        };
        match children.iter_mut().find(|c| c.0 == key) {
            Some(c) => c.3.push(rest),
            None => children.push((key, cloc, keyword_rank(&kw), vec![rest])),
        }
    }
    // Type, const, enum and format failures end the schema's evaluation.
    for kw in ["type", "const", "enum", "format"] {
        if let Some(e) = direct.iter().find(|e| e.kind().keyword() == kw) {
            return vec![direct_node(root, e, loc)];
        }
    }
    // Missing required properties form one error (per dependency for the dependent forms).
    let mut required: Vec<String> = Vec::new();
    let mut dependent: Vec<(String, Vec<String>)> = Vec::new();
    for e in &direct {
        match e.kind() {
            K::Required { property } => {
                let name = property.as_str().unwrap_or_default().to_string();
                let eval = segments(e.evaluation_path().as_str());
                let dep_kw = eval
                    .last()
                    .is_some_and(|k| matches!(k.as_str(), "dependentRequired" | "dependencies"));
                match dependent_owner(root, e, &name).filter(|_| dep_kw) {
                    Some(prop) => match dependent.iter_mut().find(|d| d.0 == prop) {
                        Some(d) => d.1.push(name),
                        None => dependent.push((prop, vec![name])),
                    },
                    None => required.push(name),
                }
            }
            _ => out.push((keyword_rank(e.kind().keyword()), direct_node(root, e, loc))),
        }
    }
    if !required.is_empty() {
        let msg = if required.len() == 1 {
            format!("missing property {}", quote(&required[0]))
        } else {
            format!("missing properties {}", join_quoted(&required))
        };
        out.push((keyword_rank("required"), Node::leaf(loc, msg)));
    }
    for (prop, missing) in dependent {
        out.push((
            keyword_rank("dependentRequired"),
            Node::leaf(
                loc,
                format!(
                    "properties {} required, if {} exists",
                    join_quoted(&missing),
                    quote(&prop)
                ),
            ),
        ));
    }
    for (key, cloc, rank, pend) in children {
        let nodes = frame_errors(root, pend, &cloc);
        if nodes.is_empty() {
            continue;
        }
        if key.starts_with('$') {
            out.push((
                rank,
                Node {
                    loc: loc.to_string(),
                    msg: "validation failed".into(),
                    causes: nodes,
                    kind: NodeKind::Reference,
                },
            ));
        } else {
            // A subschema's several errors are not grouped under a node of their own.
            out.extend(nodes.into_iter().map(|n| (rank, n)));
        }
    }
    if !all_of.is_empty() {
        let causes = all_of
            .into_values()
            .flat_map(|p| frame_errors(root, p, loc))
            .collect();
        out.push((
            keyword_rank("allOf"),
            Node {
                loc: loc.to_string(),
                msg: "'allOf' failed".into(),
                causes,
                kind: NodeKind::Leaf,
            },
        ));
    }
    out.sort_by_key(|(r, _)| *r);
    out.into_iter().map(|(_, n)| n).collect()
}

/// santhosh's `contains`/`minContains`/`maxContains` message, with the non-matching items'
/// errors as causes (computed when the `contains` schema has no references).
fn contains_failure(
    root: &J,
    e: &jsonschema::ValidationError<'_>,
    loc: &str,
) -> (String, Vec<Node>) {
    let none = ("no items match contains schema".to_string(), Vec::new());
    let path = e.schema_path().as_str();
    let parent_path = path.rsplit_once('/').map_or("", |(p, _)| p);
    let (Some(parent), Some(items)) = (root.pointer(parent_path), e.instance().as_array()) else {
        return none;
    };
    let Some(sub) = parent.get("contains") else {
        return none;
    };
    if serde_json::to_string(sub).is_ok_and(|t| t.contains("\"$ref\"")) {
        return none;
    }
    let mut matched = Vec::new();
    let mut causes = Vec::new();
    for (i, item) in items.iter().enumerate() {
        // The item under the same location, so that error locations come out whole.
        let item_loc = format!("{loc}/{i}");
        let segs = segments(&item_loc);
        let mut inst = item.clone();
        let mut schema = sub.clone();
        for seg in segs.iter().rev() {
            inst = serde_json::json!({ seg.as_str(): inst });
            schema = serde_json::json!({ "properties": { seg.as_str(): schema } });
        }
        if let Some(d) = root.get("$schema") {
            schema["$schema"] = d.clone();
        }
        let Ok(v) = schema_options(&Default::default()).build(&schema) else {
            return none;
        };
        let errs: Vec<jsonschema::ValidationError<'static>> =
            v.iter_errors(&inst).map(|e| e.to_owned()).collect();
        if errs.is_empty() {
            matched.push(i);
            continue;
        }
        let skip = 2 * segs.len();
        let pending = errs
            .iter()
            .map(|e| Pending {
                steps: segments(e.evaluation_path().as_str())
                    .into_iter()
                    .skip(skip)
                    .collect(),
                err: e,
            })
            .collect();
        causes.extend(frame_errors(&schema, pending, &item_loc));
    }
    let at = |m: &[usize]| m.iter().map(xtext_int).collect::<Vec<_>>().join(" ");
    let count = |k: &str| parent.get(k).and_then(J::as_u64);
    if let Some(min) = count("minContains") {
        if (matched.len() as u64) < min {
            let msg = if matched.is_empty() {
                format!(
                    "min {} items required to match contains schema, but none matched",
                    xtext_int(min)
                )
            } else {
                format!(
                    "min {} items required to match contains schema, but matched {} items at {}",
                    xtext_int(min),
                    xtext_int(matched.len()),
                    at(&matched)
                )
            };
            return (msg, causes);
        }
    } else if matched.is_empty() {
        return ("no items match contains schema".into(), causes);
    }
    if let Some(max) = count("maxContains")
        && matched.len() as u64 > max
    {
        return (
            format!(
                "max {} items required to match contains schema, but matched {} items at {}",
                xtext_int(max),
                xtext_int(matched.len()),
                at(&matched)
            ),
            Vec::new(),
        );
    }
    none
}

/// The property whose `dependentRequired`/`dependencies` entry lists `missing`.
fn dependent_owner(root: &J, e: &jsonschema::ValidationError<'_>, missing: &str) -> Option<String> {
    let deps = root.pointer(e.schema_path().as_str())?.as_object()?;
    let inst = e.instance().as_object()?;
    deps.iter()
        .find(|(prop, list)| {
            inst.contains_key(*prop)
                && list
                    .as_array()
                    .is_some_and(|l| l.iter().any(|m| m.as_str() == Some(missing)))
        })
        .map(|(prop, _)| prop.clone())
}

/// The subschema results of a combinator, from the crate's per-branch errors.
fn branch_results(
    root: &J,
    parent: &jsonschema::ValidationError<'_>,
    context: &[Vec<jsonschema::ValidationError<'static>>],
    loc: &str,
) -> Vec<Node> {
    let base = parent.evaluation_path().as_str().to_string();
    context
        .iter()
        .enumerate()
        .flat_map(|(i, branch)| {
            let prefix = format!("{base}/{i}");
            let pending = branch
                .iter()
                .map(|e| Pending {
                    steps: segments(
                        e.evaluation_path()
                            .as_str()
                            .strip_prefix(&prefix)
                            .unwrap_or(""),
                    ),
                    err: e,
                })
                .collect();
            // A branch failing in several ways is one "validation failed" with causes.
            let nodes = frame_errors(root, pending, loc);
            if nodes.len() > 1 {
                vec![Node {
                    loc: loc.to_string(),
                    msg: "validation failed".into(),
                    causes: nodes,
                    kind: NodeKind::Reference,
                }]
            } else {
                nodes
            }
        })
        .collect()
}

fn direct_node(root: &J, e: &jsonschema::ValidationError<'static>, loc: &str) -> Node {
    let instance = e.instance();
    let mut node = Node::leaf(loc, String::new());
    node.msg = match e.kind() {
        K::Type { kind } => format!("got {}, want {}", json_type(instance), want_types(kind)),
        K::Enum { options } => {
            let opts = options.as_array().cloned().unwrap_or_default();
            if !opts.iter().all(is_primitive) {
                "'enum' failed".into()
            } else if opts.len() == 1 {
                format!("value must be {}", display(&opts[0]))
            } else {
                format!(
                    "value must be one of {}",
                    opts.iter().map(display).collect::<Vec<_>>().join(", ")
                )
            }
        }
        K::Constant { expected_value } => {
            if is_primitive(expected_value) {
                format!("value must be {}", display(expected_value))
            } else {
                "'const' failed".into()
            }
        }
        K::Format { format } => {
            let s = instance.as_str().unwrap_or_default();
            let reason = crate::schema_formats::check(format, s)
                .err()
                .unwrap_or_default();
            format!("{} is not valid {format}: {reason}", display(instance))
        }
        K::Minimum { limit } => format!("minimum: got {}, want {}", num(instance), num(limit)),
        K::Maximum { limit } => format!("maximum: got {}, want {}", num(instance), num(limit)),
        K::ExclusiveMinimum { limit } => {
            format!(
                "exclusiveMinimum: got {}, want {}",
                num(instance),
                num(limit)
            )
        }
        K::ExclusiveMaximum { limit } => {
            format!(
                "exclusiveMaximum: got {}, want {}",
                num(instance),
                num(limit)
            )
        }
        K::MultipleOf { multiple_of } => format!(
            "multipleOf: got {}, want {}",
            num(instance),
            xtext_float(*multiple_of)
        ),
        K::MinLength { limit } => format!(
            "minLength: got {}, want {}",
            xtext_int(instance.as_str().map_or(0, |s| s.chars().count())),
            xtext_int(limit)
        ),
        K::MaxLength { limit } => format!(
            "maxLength: got {}, want {}",
            xtext_int(instance.as_str().map_or(0, |s| s.chars().count())),
            xtext_int(limit)
        ),
        K::MinItems { limit } => format!(
            "minItems: got {}, want {}",
            xtext_int(instance.as_array().map_or(0, Vec::len)),
            xtext_int(limit)
        ),
        K::MaxItems { limit } => format!(
            "maxItems: got {}, want {}",
            xtext_int(instance.as_array().map_or(0, Vec::len)),
            xtext_int(limit)
        ),
        K::MinProperties { limit } => format!(
            "minProperties: got {}, want {}",
            xtext_int(instance.as_object().map_or(0, |o| o.len())),
            xtext_int(limit)
        ),
        K::MaxProperties { limit } => format!(
            "maxProperties: got {}, want {}",
            xtext_int(instance.as_object().map_or(0, |o| o.len())),
            xtext_int(limit)
        ),
        K::Pattern { pattern } => format!(
            "{} does not match pattern {}",
            quote(instance.as_str().unwrap_or_default()),
            quote(
                &FOLDED
                    .with(|f| f.borrow().get(pattern.as_str()).cloned())
                    .unwrap_or_else(|| pattern.to_string())
            )
        ),
        K::AdditionalProperties { unexpected } => {
            format!(
                "additional properties {} not allowed",
                join_quoted(unexpected)
            )
        }
        K::AdditionalItems { limit } => format!(
            "last {} additionalItem(s) not allowed",
            xtext_int(
                instance
                    .as_array()
                    .map_or(0, Vec::len)
                    .saturating_sub(*limit)
            )
        ),
        K::UniqueItems => {
            let (j, i) = first_duplicates(instance.as_array().map_or(&[][..], Vec::as_slice));
            format!("items at {} and {} are equal", xtext_int(j), xtext_int(i))
        }
        K::FalseSchema => "false schema".into(),
        K::Not { .. } => "'not' failed".into(),
        K::Contains => {
            let (msg, causes) = contains_failure(root, e, loc);
            node.causes = causes;
            msg
        }
        K::AnyOf { context } => {
            node.causes = branch_results(root, e, context, loc);
            "'anyOf' failed".into()
        }
        K::OneOfNotValid { context } => {
            node.causes = branch_results(root, e, context, loc);
            "'oneOf' failed, none matched".into()
        }
        K::OneOfMultipleValid { context } => {
            let valid: Vec<usize> = context
                .iter()
                .enumerate()
                .filter(|(_, b)| b.is_empty())
                .map(|(i, _)| i)
                .take(2)
                .collect();
            format!(
                "'oneOf' failed, subschemas {}, {} matched",
                xtext_int(valid.first().copied().unwrap_or(0)),
                xtext_int(valid.get(1).copied().unwrap_or(1))
            )
        }
        K::PropertyNames { error } => {
            let name = error.instance().as_str().unwrap_or_default().to_string();
            let pending = vec![Pending {
                steps: Vec::new(),
                err: error.as_ref(),
            }];
            node.causes = frame_errors(root, pending, "");
            format!("invalid propertyName {}", quote(&name))
        }
        K::Required { property } => format!(
            "missing property {}",
            quote(property.as_str().unwrap_or_default())
        ),
        other => format!("'{}' failed", other.keyword()),
    };
    node
}

/// The draft a schema declares with `$schema` (santhosh's default is 2020-12).
fn draft_of(schema: &J) -> u32 {
    let url = schema
        .get("$schema")
        .and_then(J::as_str)
        .unwrap_or_default();
    let url = url.trim_end_matches('#');
    let url = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    match url {
        "json-schema.org/draft-04/schema" => 4,
        "json-schema.org/draft-06/schema" => 6,
        "json-schema.org/draft-07/schema" => 7,
        "json-schema.org/draft/2019-09/schema" => 2019,
        _ => 2020,
    }
}

/// Values hold numbers as Go's float64, and santhosh takes any number with an integral value
/// for an `integer`, in every draft; the validator here follows draft 4's letter, where only
/// numbers written without a fraction are, so whole numbers are handed to it as integers.
fn whole_numbers_as_integers(v: &mut J) {
    match v {
        J::Number(n) => {
            if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && n.is_f64()) {
                // Exact below 2^63 and 2^64; larger whole numbers stay floats.
                if f >= -(2f64.powi(63)) && f < 2f64.powi(63) {
                    *n = (f as i64).into();
                } else if f >= 0.0 && f < 2f64.powi(64) {
                    *n = (f as u64).into();
                }
            }
        }
        J::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        J::Object(m) => m.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

fn escape_pointer(p: &str) -> String {
    p.replace('~', "~0").replace('/', "~1")
}

/// What loading `$ref`s came to, shared with the loader the validator owns.
#[derive(Default, Clone)]
struct RefLoads(std::sync::Arc<std::sync::Mutex<RefOutcome>>);

#[derive(Default)]
struct RefOutcome {
    /// The first reference that could not be loaded, worded as Helm's compiler words it.
    failure: Option<String>,
    /// The lines Helm logs for `urn:` references.
    warnings: Vec<String>,
}

impl RefLoads {
    fn lock(&self) -> std::sync::MutexGuard<'_, RefOutcome> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

struct RefLoader(RefLoads);

impl jsonschema::Retrieve for RefLoader {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<J, Box<dyn std::error::Error + Send + Sync>> {
        let fail = |why: String| {
            let text = format!(
                "failing loading {}: {why}",
                ferroflux_gotemplate::fmt::go_quote(uri.as_str())
            );
            self.0.lock().failure.get_or_insert_with(|| text.clone());
            Err(text.into())
        };
        match uri.scheme().as_str() {
            "file" => {
                let path = uri.path().as_str();
                match std::fs::read(path) {
                    Ok(data) => serde_json::from_slice(&data).or_else(|e| {
                        fail(ferroflux_gotemplate::funcs::encoding::go_json_decode_error(
                            &String::from_utf8_lossy(&data),
                            &e,
                        ))
                    }),
                    Err(e) => fail(format!(
                        "open {path}: {}",
                        crate::chart_dir::go_error_text(&e)
                    )),
                }
            }
            "urn" => {
                self.0.lock().warnings.push(format!(
                    "level=WARN msg=\"unresolved URN reference ignored; using permissive schema\" urn={}",
                    crate::manifests::slog_text_value(uri.as_str())
                ));
                Ok(J::Bool(true))
            }
            _ => fail(NOT_FETCHED.into()),
        }
    }
}

const NOT_FETCHED: &str = "references over the network are not fetched";

/// The first `$ref` to an http(s) address, breadth first, without its fragment.
fn first_network_ref(schema: &J) -> Option<String> {
    let mut queue = std::collections::VecDeque::from([schema]);
    while let Some(v) = queue.pop_front() {
        match v {
            J::Object(m) => {
                if let Some(J::String(r)) = m.get("$ref")
                    && (r.starts_with("http://") || r.starts_with("https://"))
                {
                    return Some(r.split('#').next().unwrap_or(r).to_string());
                }
                queue.extend(m.values());
            }
            J::Array(items) => queue.extend(items),
            _ => {}
        }
    }
    None
}

/// Helm's validator compiles `pattern` and `patternProperties` as Go regular expressions;
/// ours takes ECMA ones, which have no inline flags. A leading `(?i)` (common in charts) is
/// spelled out: each letter matches both cases.
fn case_fold_patterns(v: &mut J) {
    match v {
        J::Object(m) => {
            if let Some(J::String(p)) = m.get_mut("pattern")
                && let Some(folded) = fold_case_flag(p)
            {
                *p = folded;
            }
            if let Some(J::Object(props)) = m.get_mut("patternProperties")
                && props.keys().any(|k| k.starts_with("(?i)"))
            {
                let old = std::mem::take(props);
                for (k, x) in old {
                    props.insert(fold_case_flag(&k).unwrap_or(k), x);
                }
            }
            m.values_mut().for_each(case_fold_patterns);
        }
        J::Array(items) => items.iter_mut().for_each(case_fold_patterns),
        _ => {}
    }
}

thread_local! {
    /// Patterns spelled out by [`fold_case_flag`] on this thread, to the text the schema
    /// wrote (what messages quote).
    static FOLDED: std::cell::RefCell<std::collections::HashMap<String, String>> =
        Default::default();
}

/// `(?i)rest` as a pattern without the flag, or `None` when it has none.
fn fold_case_flag(p: &str) -> Option<String> {
    let folded = fold(p.strip_prefix("(?i)")?);
    FOLDED.with(|f| f.borrow_mut().insert(folded.clone(), p.to_string()));
    Some(folded)
}

fn fold(rest: &str) -> String {
    let mut out = String::with_capacity(rest.len() * 2);
    let mut chars = rest.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            c if in_class && c.is_ascii_alphabetic() => {
                // A letter range gains its other case; a single letter its other case.
                if chars.peek() == Some(&'-') {
                    let mut ahead = chars.clone();
                    ahead.next();
                    if let Some(end) = ahead.next().filter(char::is_ascii_alphabetic) {
                        chars = ahead;
                        out.push_str(&format!("{c}-{end}"));
                        let (a, b) = (swap_case(c), swap_case(end));
                        out.push_str(&format!("{a}-{b}"));
                        continue;
                    }
                }
                out.push(c);
                out.push(swap_case(c));
            }
            c if !in_class && c.is_ascii_alphabetic() => {
                out.push('[');
                out.push(c);
                out.push(swap_case(c));
                out.push(']');
            }
            c => out.push(c),
        }
    }
    out
}

fn swap_case(c: char) -> char {
    if c.is_ascii_lowercase() {
        c.to_ascii_uppercase()
    } else {
        c.to_ascii_lowercase()
    }
}

fn schema_options(loads: &RefLoads) -> jsonschema::ValidationOptions<'static> {
    jsonschema::options()
        .with_base_uri("file:///values.schema.json")
        .with_retriever(RefLoader(loads.clone()))
}

/// One schema against one values map; the error lists every failure as Helm prints it.
/// Helm's validator parses a `$ref` as Go's `url.Parse` does, which takes characters RFC
/// 3986 refuses in a fragment (`#/$defs/revisions[0]`, a space, `{}|^"<>` and a backquote);
/// they are percent-encoded for ours, which reads the pointer decoded, as Helm does. A
/// backslash is left for the validator to refuse, as Helm's refuses it.
fn percent_encode_ref_fragments(v: &mut J) {
    match v {
        J::Object(m) => {
            for (k, x) in m.iter_mut() {
                match x {
                    J::String(r) if k == "$ref" || k == "$dynamicRef" => {
                        if let Some(i) = r.find('#') {
                            let mut out = r[..=i].to_string();
                            for c in r[i + 1..].chars() {
                                let allowed = c.is_ascii_alphanumeric()
                                    || "-._~!$&'()*+,;=:@/?%\\".contains(c);
                                if allowed {
                                    out.push(c);
                                } else {
                                    let mut buf = [0u8; 4];
                                    for b in c.encode_utf8(&mut buf).bytes() {
                                        out.push_str(&format!("%{b:02X}"));
                                    }
                                }
                            }
                            *r = out;
                        }
                    }
                    _ => percent_encode_ref_fragments(x),
                }
            }
        }
        J::Array(items) => items.iter_mut().for_each(percent_encode_ref_fragments),
        _ => {}
    }
}

pub fn validate_single(values: &Values, schema: &[u8]) -> Result<(), String> {
    validate_single_logged(values, schema, &mut Vec::new())
}

fn validate_single_logged(
    values: &Values,
    schema: &[u8],
    logs: &mut Vec<String>,
) -> Result<(), String> {
    let mut schema: J = serde_json::from_slice(schema).map_err(|e| e.to_string())?;
    // santhosh asserts `format` for draft-07 and older, with its own checks; formats it does
    // not know are ignored.
    let draft = draft_of(&schema);
    // santhosh knows draft 4, 6 and 7 by their https addresses too; the validator here only
    // by the http ones they were published under, and would try to fetch the others.
    if draft <= 7
        && let Some(J::String(url)) = schema.get_mut("$schema")
        && url.starts_with("https://json-schema.org/")
    {
        url.replace_range(.."https".len(), "http");
    }
    percent_encode_ref_fragments(&mut schema);
    case_fold_patterns(&mut schema);
    let assert_formats = draft <= 7;
    let loads = RefLoads::default();
    let mut opts = schema_options(&loads).should_validate_formats(assert_formats);
    if assert_formats {
        for name in crate::schema_formats::FORMATS {
            opts = opts.with_format(*name, move |s: &str| {
                crate::schema_formats::check(name, s).is_ok()
            });
        }
        for name in ["idn-email", "idn-hostname"] {
            opts = opts.with_format(name, |_: &str| true);
        }
    }
    let built = opts.build(&schema);
    logs.append(&mut loads.lock().warnings);
    let validator = built.map_err(|e| match loads.lock().failure.take() {
        // Helm's compiler meets references breadth first: the shallowest one over the
        // network is the one it fails on (ours meets them in no fixed order).
        Some(load) if load.ends_with(NOT_FETCHED) => match first_network_ref(&schema) {
            Some(url) => format!(
                "failing loading {}: {NOT_FETCHED}",
                ferroflux_gotemplate::fmt::go_quote(&url)
            ),
            None => load,
        },
        Some(load) => load,
        None => metaschema_error(&schema, draft)
            .unwrap_or_else(|| format!("jsonschema: invalid schema: {e}")),
    })?;
    let mut instance = J::Object(values.clone());
    if draft == 4 {
        whole_numbers_as_integers(&mut instance);
    }
    let errors: Vec<jsonschema::ValidationError<'static>> = validator
        .iter_errors(&instance)
        .map(|e| e.to_owned())
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    Err(error_tree(&schema, &errors).join("\n") + "\n")
}

/// santhosh's error tree for `errors` (from a validator built on `root`), one line per node.
fn error_tree(root: &J, errors: &[jsonschema::ValidationError<'static>]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut pending = Vec::new();
    for e in errors {
        match e.kind() {
            // santhosh applies the `false` subschema to each property.
            K::UnevaluatedProperties { unexpected } | K::UnevaluatedItems { unexpected } => {
                let path = e.instance_path().to_string();
                for p in unexpected {
                    lines.push(format!("- at '{path}/{}': false schema", escape_pointer(p)));
                }
            }
            _ => pending.push(Pending {
                steps: segments(e.evaluation_path().as_str()),
                err: e,
            }),
        }
    }
    for node in frame_errors(root, pending, "") {
        node.display(&mut lines, 0);
    }
    lines
}

/// A schema its draft's metaschema refuses, as Helm's compiler reports it: the metaschema's
/// verdict on the schema document, as an error tree.
fn metaschema_error(schema: &J, draft: u32) -> Option<String> {
    let (validator, url) = match draft {
        4 => (
            jsonschema::draft4::meta::validator(),
            "http://json-schema.org/draft-04/schema#",
        ),
        6 => (
            jsonschema::draft6::meta::validator(),
            "http://json-schema.org/draft-06/schema#",
        ),
        7 => (
            jsonschema::draft7::meta::validator(),
            "http://json-schema.org/draft-07/schema#",
        ),
        2019 => (
            jsonschema::draft201909::meta::validator(),
            "https://json-schema.org/draft/2019-09/schema#",
        ),
        _ => (
            jsonschema::draft202012::meta::validator(),
            "https://json-schema.org/draft/2020-12/schema#",
        ),
    };
    let errors: Vec<jsonschema::ValidationError<'static>> = validator
        .iter_errors(schema)
        .map(|e| e.to_owned())
        .collect();
    if errors.is_empty() {
        return None;
    }
    let tree = error_tree(&J::Null, &errors);
    Some(format!(
        "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation failed with '{url}'\n{}",
        tree.join("\n")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Draft 4, 6 and 7 named by their https addresses are known drafts, not schemas to
    /// fetch: only the network reference fails, every time.
    #[test]
    fn the_shallowest_network_reference_is_the_one_reported() {
        let schema = br#"{"properties": {
            "a": {"properties": {"x": {"$ref": "https://example.invalid/deep.json"}}},
            "b": {"$ref": "https://example.invalid/shallow.json#/x"}
        }}"#;
        for _ in 0..8 {
            assert_eq!(
                validate_single(&Values::new(), schema).unwrap_err(),
                "failing loading \"https://example.invalid/shallow.json\": references over the network are not fetched"
            );
        }
    }

    #[test]
    fn case_insensitive_patterns_are_spelled_out() {
        assert_eq!(
            fold_case_flag("(?i)^(debug|info)$").unwrap(),
            "^([dD][eE][bB][uU][gG]|[iI][nN][fF][oO])$"
        );
        assert_eq!(fold_case_flag("(?i)[a-c_]\\d").unwrap(), "[a-cA-C_]\\d");
        assert_eq!(fold_case_flag("^x$"), None);
        let schema =
            br#"{"properties":{"level":{"type":"string","pattern":"(?i)^(debug|info)$"}}}"#;
        let ok: Values = serde_json::from_str(r#"{"level":"INFO"}"#).unwrap();
        assert!(validate_single(&ok, schema).is_ok());
        let bad: Values = serde_json::from_str(r#"{"level":"trace"}"#).unwrap();
        assert_eq!(
            validate_single(&bad, schema).unwrap_err(),
            "- at '/level': 'trace' does not match pattern '(?i)^(debug|info)$'\n"
        );
    }

    #[test]
    fn https_addresses_of_old_drafts_are_not_fetched() {
        for draft in ["draft-04", "draft-06", "draft-07"] {
            let schema = format!(
                r#"{{"$schema":"https://json-schema.org/{draft}/schema#","type":"object","properties":{{"a":{{"type":"integer"}},"b":{{"$ref":"https://example.com/defs.json"}}}}}}"#
            );
            let v: Values = serde_json::from_str(r#"{"a":1}"#).unwrap();
            let plain = schema.replace(r#","b":{"$ref":"https://example.com/defs.json"}"#, "");
            assert_eq!(validate_single(&v, plain.as_bytes()), Ok(()), "{draft}");
            let bad: Values = serde_json::from_str(r#"{"a":"x"}"#).unwrap();
            assert_eq!(
                validate_single(&bad, plain.as_bytes()),
                Err("- at '/a': got string, want integer\n".into()),
                "{draft}"
            );
            for _ in 0..4 {
                assert_eq!(
                    validate_single(&v, schema.as_bytes()),
                    Err("failing loading \"https://example.com/defs.json\": references over the network are not fetched".into()),
                    "{draft}"
                );
            }
        }
    }

    /// Texts of helm v4.3.1 for the same schemas.
    #[test]
    fn references_to_files_load_from_disk_and_urns_pass() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().canonicalize().expect("canonical");
        std::fs::write(
            dir.join("defs.json"),
            r#"{"definitions":{"port":{"type":"integer","maximum":1000}}}"#,
        )
        .expect("write");
        std::fs::write(dir.join("bad.json"), "{bad\n").expect("write");
        let d = dir.display();
        let check = |reference: &str, port: i64| {
            let schema =
                format!(r#"{{"type":"object","properties":{{"port":{{"$ref":"{reference}"}}}}}}"#);
            let v: Values = serde_json::from_str(&format!(r#"{{"port":{port}}}"#)).unwrap();
            let mut logs = Vec::new();
            let r = validate_single_logged(&v, schema.as_bytes(), &mut logs);
            (r, logs)
        };
        let absolute = format!("file://{d}/defs.json#/definitions/port");
        assert_eq!(check(&absolute, 80).0, Ok(()));
        assert_eq!(
            check(&absolute, 5000).0,
            Err("- at '/port': maximum: got 5,000, want 1,000\n".into())
        );
        // Relative to `file:///values.schema.json`: from the root of the file system.
        let relative = format!("..{d}/defs.json#/definitions/port");
        assert_eq!(check(&relative, 80).0, Ok(()));
        assert_eq!(
            check("nodefs.json#/definitions/port", 80).0,
            Err(
                "failing loading \"file:///nodefs.json\": open /nodefs.json: no such file or directory"
                    .into()
            )
        );
        assert_eq!(
            check(&format!("file://{d}/bad.json"), 80).0,
            Err(format!(
                "failing loading \"file://{d}/bad.json\": invalid character 'b' looking for beginning of object key string"
            ))
        );
        assert_eq!(
            check("urn:x:y", 5000),
            (
                Ok(()),
                vec![
                    "level=WARN msg=\"unresolved URN reference ignored; using permissive schema\" urn=urn:x:y"
                        .to_string()
                ]
            )
        );
    }

    #[test]
    fn reports_path_and_reason() {
        let schema = br#"{"type":"object","required":["image"],"properties":{"replicas":{"type":"integer"}}}"#;
        let v: Values = serde_json::from_str(r#"{"replicas":"two"}"#).unwrap();
        let e = validate_single(&v, schema).unwrap_err();
        assert!(
            e.contains("- at '/replicas': got string, want integer"),
            "{e}"
        );
        assert!(e.contains("missing property 'image'"), "{e}");
        let ok: Values = serde_json::from_str(r#"{"replicas":2.0,"image":"x"}"#).unwrap();
        assert!(validate_single(&ok, schema).is_ok());
    }
}

#[cfg(test)]
mod santhosh_tests {
    use super::*;

    fn errors(schema: serde_json::Value, values: serde_json::Value) -> String {
        let v: Values = serde_json::from_value(values).unwrap();
        validate_single(&v, schema.to_string().as_bytes()).unwrap_err()
    }

    /// Messages and nesting as helm v4.3.1 prints them (santhosh-tekuri/jsonschema v6).
    #[test]
    fn messages_and_tree_as_helm() {
        use serde_json::json;
        let cases = [
            (
                json!({"properties": {"a": {"uniqueItems": true}}}),
                json!({"a": [1, 2, 1]}),
                "- at '/a': items at 0 and 2 are equal\n",
            ),
            (
                json!({"properties": {"a": {"oneOf": [{"type": "string"}, {"type": "integer"}]}}}),
                json!({"a": true}),
                "- at '/a': 'oneOf' failed, none matched\n  - at '/a': got boolean, want string\n  - at '/a': got boolean, want integer\n",
            ),
            (
                json!({"properties": {"a": {"oneOf": [{"type": "number"}, {"type": "integer"}]}}}),
                json!({"a": 3}),
                "- at '/a': 'oneOf' failed, subschemas 0, 1 matched\n",
            ),
            (
                json!({"properties": {"a": {"allOf": [{"type": "string"}, {"minLength": 3}]}}}),
                json!({"a": "ab"}),
                "- at '/a': 'allOf' failed\n  - at '/a': minLength: got 2, want 3\n",
            ),
            (
                json!({"required": ["a", "b", "c"]}),
                json!({"x": 1}),
                "- at '': missing properties 'a', 'b', 'c'\n",
            ),
            (
                json!({"dependentRequired": {"a": ["b", "c"]}}),
                json!({"a": 1}),
                "- at '': properties 'b', 'c' required, if 'a' exists\n",
            ),
            (
                json!({"properties": {"a": {"enum": [1, "two", null]}}}),
                json!({"a": 3}),
                "- at '/a': value must be one of 1, 'two', <nil>\n",
            ),
            (
                json!({"properties": {"a": {"enum": ["x"], "minLength": 5}}}),
                json!({"a": "y"}),
                "- at '/a': value must be 'x'\n",
            ),
            (
                json!({"properties": {"a": {"const": {"k": 1}}}}),
                json!({"a": 1}),
                "- at '/a': 'const' failed\n",
            ),
            (
                json!({"properties": {"a": {"type": "string"}}}),
                json!({"a": 12}),
                "- at '/a': got number, want string\n",
            ),
            (
                json!({"properties": {"n": {"minimum": 1000001}}}),
                json!({"n": 1000000}),
                "- at '/n': minimum: got 1×10⁰⁶, want 1.000001×10⁰⁶\n",
            ),
            (
                json!({"properties": {"n": {"minimum": 123457}}}),
                json!({"n": 123456}),
                "- at '/n': minimum: got 123,456, want 123,457\n",
            ),
            (
                json!({"properties": {"n": {"multipleOf": 0.5}}}),
                json!({"n": 1.25}),
                "- at '/n': multipleOf: got 1.25, want 0.5\n",
            ),
            (
                json!({"properties": {"a": {"pattern": "^a'b\"c\\d$"}}}),
                json!({"a": "x'y\"z"}),
                "- at '/a': 'x\\'y\"z' does not match pattern '^a\\'b\"c\\\\d$'\n",
            ),
            (
                json!({"properties": {"a": {"minLength": 5, "pattern": "^x"}}}),
                json!({"a": "abc"}),
                "- at '/a': minLength: got 3, want 5\n- at '/a': 'abc' does not match pattern '^x'\n",
            ),
            (
                json!({"definitions": {"d": {"minLength": 5, "pattern": "^x"}}, "properties": {"a": {"$ref": "#/definitions/d"}}}),
                json!({"a": "abc"}),
                "- at '/a': validation failed\n  - at '/a': minLength: got 3, want 5\n  - at '/a': 'abc' does not match pattern '^x'\n",
            ),
            (
                json!({"properties": {"a": {"minContains": 2, "contains": {"type": "string"}}}}),
                json!({"a": ["x", 1]}),
                "- at '/a': min 2 items required to match contains schema, but matched 1 items at 0\n  - at '/a/1': got number, want string\n",
            ),
            (
                json!({"properties": {"a": {"propertyNames": {"pattern": "^[a-z]+$"}}}}),
                json!({"a": {"Bad": 1}}),
                "- at '/a': invalid propertyName 'Bad'\n  - at '': 'Bad' does not match pattern '^[a-z]+$'\n",
            ),
            (
                json!({"$schema": "http://json-schema.org/draft-07/schema#", "properties": {"h": {"format": "hostname"}}}),
                json!({"h": "bad_host!"}),
                "- at '/h': 'bad_host!' is not valid hostname: invalid character '_'\n",
            ),
            (
                json!({"$schema": "http://json-schema.org/draft-07/schema#", "properties": {"a": {"items": [{"type": "string"}], "additionalItems": false}}}),
                json!({"a": ["x", "y", 3]}),
                "- at '/a': last 2 additionalItem(s) not allowed\n",
            ),
        ];
        for (schema, values, want) in cases {
            assert_eq!(errors(schema.clone(), values), want, "{schema}");
        }
        // Formats are not asserted from draft 2019-09 on.
        let v: Values = serde_json::from_value(json!({"h": "bad_host!"})).unwrap();
        let s = json!({"properties": {"h": {"format": "hostname"}}}).to_string();
        assert!(validate_single(&v, s.as_bytes()).is_ok());
    }
}
