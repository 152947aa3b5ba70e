//! The error tree: jsonschema's failures regrouped into santhosh's causes, in its order.

use super::*;

#[derive(Debug, PartialEq)]
pub(super) enum NodeKind {
    Leaf,
    /// A `$ref` that failed: shown only when it has several causes.
    Reference,
    /// The several errors of a subschema applied to a child of the instance.
    Group,
}

/// One node of santhosh's error tree.
#[derive(Debug)]
pub(super) struct Node {
    pub(super) loc: String,
    pub(super) msg: String,
    pub(super) causes: Vec<Node>,
    pub(super) kind: NodeKind,
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

    pub(super) fn display(&self, out: &mut Vec<String>, indent: usize) {
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
pub(super) struct Pending<'e> {
    pub(super) steps: Vec<String>,
    pub(super) err: &'e jsonschema::ValidationError<'static>,
}

/// Keywords that evaluate a subschema against a child of the instance, with the number of
/// path segments they take.
pub(super) fn child_applicator(seg: &str, next: Option<&str>) -> Option<usize> {
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
pub(super) fn keyword_rank(kw: &str) -> usize {
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

pub(super) fn segments(path: &str) -> Vec<String> {
    path.split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

pub(super) fn child_loc(loc: &str, err: &jsonschema::ValidationError<'_>, depth: usize) -> String {
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

pub(super) fn depth_of(loc: &str) -> usize {
    loc.matches('/').count()
}

/// The errors one schema produced at `loc`, as santhosh builds and Helm prints them (several
/// errors of one subschema appear side by side, not under a node of their own).
pub(super) fn frame_errors(root: &J, pending: Vec<Pending<'_>>, loc: &str) -> Vec<Node> {
    // (rank, node) in evaluation order.
    let mut out: Vec<(usize, Node)> = Vec::new();
    let mut direct: Vec<&jsonschema::ValidationError<'static>> = Vec::new();
    let mut children: Vec<(String, String, usize, Vec<Pending<'_>>)> = Vec::new();
    let mut all_of: std::collections::BTreeMap<usize, Vec<Pending<'_>>> = Default::default();
    for p in pending {
        if let Some(nodes) = false_keyword_nodes(&p, loc) {
            out.extend(nodes);
            continue;
        }
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
                    causes: ungroup(nodes),
                    kind: NodeKind::Reference,
                },
            ));
        } else if cloc != loc && nodes.len() > 1 {
            // A subschema's several errors at a child of the instance form one node there.
            out.push((
                rank,
                Node {
                    loc: cloc,
                    msg: "validation failed".into(),
                    causes: nodes,
                    kind: NodeKind::Group,
                },
            ));
        } else {
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

/// The causes of a lone group, which the node above takes as its own (santhosh's reference
/// errors and top error take their only group's causes), or `nodes` as they are.
pub(super) fn ungroup(mut nodes: Vec<Node>) -> Vec<Node> {
    match nodes.as_mut_slice() {
        [only] if only.kind == NodeKind::Group => std::mem::take(&mut only.causes),
        _ => nodes,
    }
}

thread_local! {
    /// The values being validated while their error tree is built.
    pub(super) static FAILING: std::cell::RefCell<J> = const { std::cell::RefCell::new(J::Null) };
}

/// The indices in the failing values' array at `path` of the items written as `items` (each
/// item's JSON), in order, or the texts themselves where no item matches. Equal items are
/// taken from the end: the items left unevaluated are the trailing ones.
pub(super) fn item_indices(path: &str, items: &[String]) -> Vec<String> {
    FAILING.with(|f| {
        let values = f.borrow();
        let array = values.pointer(path).and_then(J::as_array);
        let texts: Vec<String> = array
            .map(|a| a.iter().map(|v| v.to_string()).collect())
            .unwrap_or_default();
        let mut used = vec![false; texts.len()];
        let mut found: Vec<usize> = Vec::new();
        let mut unknown: Vec<String> = Vec::new();
        for item in items {
            match (0..texts.len()).rfind(|&j| !used[j] && texts[j] == *item) {
                Some(j) => {
                    used[j] = true;
                    found.push(j);
                }
                None => unknown.push(item.clone()),
            }
        }
        found.sort_unstable();
        found.iter().map(usize::to_string).chain(unknown).collect()
    })
}

/// `additionalProperties: false` with no `properties` or `patternProperties` beside it, and
/// `propertyNames: false`: ours fails the whole object with one `false schema`, santhosh
/// names the properties (one node per name for `propertyNames`).
fn false_keyword_nodes(p: &Pending<'_>, loc: &str) -> Option<Vec<(usize, Node)>> {
    let [kw] = p.steps.as_slice() else {
        return None;
    };
    if !matches!(p.err.kind(), K::FalseSchema) {
        return None;
    }
    // Ours gives the first offending property's value as the instance: the object is
    // looked up in the values being validated.
    let names: Vec<String> = FAILING.with(|f| {
        let values = f.borrow();
        let object = values
            .pointer(p.err.instance_path().as_str())?
            .as_object()?;
        Some(object.keys().cloned().collect())
    })?;
    let rank = keyword_rank(kw);
    match kw.as_str() {
        "additionalProperties" => Some(vec![(
            rank,
            Node::leaf(
                loc,
                format!("additional properties {} not allowed", join_quoted(&names)),
            ),
        )]),
        "propertyNames" => Some(
            names
                .iter()
                .map(|n| {
                    let mut node = Node::leaf(loc, format!("invalid propertyName {}", quote(n)));
                    node.causes = vec![Node::leaf("", "false schema".into())];
                    (rank, node)
                })
                .collect(),
        ),
        _ => None,
    }
}

/// santhosh's `contains`/`minContains`/`maxContains` message, with the non-matching items'
/// errors as causes (computed when the `contains` schema has no references).
pub(super) fn contains_failure(
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
pub(super) fn dependent_owner(
    root: &J,
    e: &jsonschema::ValidationError<'_>,
    missing: &str,
) -> Option<String> {
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
pub(super) fn branch_results(
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

pub(super) fn direct_node(root: &J, e: &jsonschema::ValidationError<'static>, loc: &str) -> Node {
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
