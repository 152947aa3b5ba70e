//! Legacy `vars`: `$(NAME)` in known fields is replaced by a field of another object.

use crate::error::{ErrorKind, Result, err};
use crate::fieldpath::{self, scalar_string};
use crate::fieldspec::{self, FieldSpec};
use crate::kustfile::Var;
use crate::resource::{Gvk, ResMap};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// A declared var.
#[derive(Clone, Debug)]
pub struct VarDecl {
    /// The declaration.
    pub var: Var,
}

/// The built-in places `$(VAR)` is substituted (kustomize's varReference table).
pub fn var_reference_specs() -> Vec<FieldSpec> {
    let mut v = Vec::new();
    let containers = |prefix: &str| -> Vec<String> {
        let mut out = Vec::new();
        for c in ["containers", "initContainers"] {
            for f in ["args", "command", "env/value", "volumeMounts/mountPath"] {
                out.push(format!("{prefix}/{c}/{f}"));
            }
        }
        out
    };
    let mut add = |kind: &str, paths: Vec<String>| {
        for p in paths {
            v.push(FieldSpec::new("", "", kind, &p, false));
        }
    };
    let mut cron = containers("spec/jobTemplate/spec/template/spec");
    cron.push("spec/jobTemplate/spec/template/volumes/nfs/server".into());
    add("CronJob", cron);
    for kind in ["DaemonSet", "Deployment", "Job", "ReplicaSet"] {
        let mut p = containers("spec/template/spec");
        p.push("spec/template/spec/volumes/nfs/server".into());
        if kind == "Deployment" {
            p.push("spec/template/metadata/annotations".into());
        }
        add(kind, p);
    }
    let mut pod = containers("spec");
    pod.push("spec/volumes/nfs/server".into());
    add("Pod", pod);
    let mut sts = containers("spec/template/spec");
    sts.push("spec/volumeClaimTemplates/spec/nfs/server".into());
    add("StatefulSet", sts);
    add(
        "Ingress",
        vec![
            "spec/rules/host".into(),
            "spec/tls/hosts".into(),
            "spec/tls/secretName".into(),
        ],
    );
    add(
        "Service",
        vec!["spec/ports/port".into(), "spec/ports/targetPort".into()],
    );
    add("PersistentVolume", vec!["spec/nfs/server".into()]);
    add(
        "",
        vec!["metadata/labels".into(), "metadata/annotations".into()],
    );
    v
}

/// kustomize's `$(VAR)` expansion: `$$` escapes, unknown vars stay as they are, and a
/// value that is exactly `$(VAR)` takes the var's value with its type.
fn expand(input: &str, values: &HashMap<String, Value>, used: &mut HashSet<String>) -> Value {
    if let Some(name) = input.strip_prefix("$(").and_then(|r| r.strip_suffix(')'))
        && !name.contains(')')
        && let Some(v) = values.get(name)
    {
        used.insert(name.to_string());
        return v.clone();
    }
    let b = input.as_bytes();
    let mut out = String::new();
    let mut checkpoint = 0;
    let mut cursor = 0;
    while cursor < b.len() {
        if b[cursor] == b'$' && cursor + 1 < b.len() {
            out.push_str(&input[checkpoint..cursor]);
            let rest = &input[cursor + 1..];
            let advance = match rest.as_bytes()[0] {
                b'$' => {
                    out.push('$');
                    1
                }
                b'(' => match rest[1..].find(')') {
                    Some(i) => {
                        let name = &rest[1..=i];
                        match values.get(name) {
                            Some(v) => {
                                used.insert(name.to_string());
                                out.push_str(&scalar_string(v));
                            }
                            None => out.push_str(&format!("$({name})")),
                        }
                        i + 2
                    }
                    None => {
                        out.push_str("$(");
                        1
                    }
                },
                _ => {
                    let c = rest.chars().next().unwrap_or('$');
                    out.push('$');
                    out.push(c);
                    c.len_utf8()
                }
            };
            cursor += advance;
            checkpoint = cursor + 1;
        }
        cursor += 1;
    }
    if checkpoint <= input.len() {
        out.push_str(&input[checkpoint.min(input.len())..]);
    }
    Value::String(out)
}

/// Expands `$(VAR)` in the value a field spec reaches, as kustomize's refvar filter does: a
/// string; in a map, its string values (other values, nested maps and lists included, are
/// left alone); in a list, every item, which must be a string.
fn replace_in(
    v: &mut Value,
    values: &HashMap<String, Value>,
    stringify: bool,
    used: &mut HashSet<String>,
) -> std::result::Result<(), String> {
    let mut expand_one = |v: &mut Value| {
        if let Value::String(s) = v {
            let n = expand(s, values, used);
            *v = if stringify {
                Value::String(scalar_string(&n))
            } else {
                n
            };
        }
    };
    match v {
        Value::Array(a) => {
            if a.iter().any(|e| !e.is_string()) {
                return Err("invalid value type expect a string".into());
            }
            a.iter_mut().for_each(&mut expand_one);
        }
        Value::Object(m) => m.values_mut().for_each(&mut expand_one),
        v => expand_one(v),
    }
    Ok(())
}

fn objref_gvk(o: &crate::kustfile::VarTarget) -> Gvk {
    if o.api_version.is_empty() {
        return Gvk {
            group: o.group.clone(),
            version: o.version.clone(),
            kind: o.kind.clone(),
        };
    }
    let mut g = Gvk {
        group: o.group.clone(),
        version: o.version.clone(),
        kind: o.kind.clone(),
    };
    match o.api_version.split_once('/') {
        Some((grp, ver)) if !ver.contains('/') => {
            g.group = grp.to_string();
            g.version = ver.to_string();
        }
        None => g.version = o.api_version.clone(),
        _ => {}
    }
    g
}

/// Binds a var to the one object it names, where it is declared (kustomize's MergeVars).
pub fn bind(m: &mut ResMap, v: &crate::kustfile::Var) -> Result<()> {
    let o = &v.objref;
    let target = crate::resource::ResId {
        gvk: objref_gvk(o),
        name: o.name.clone(),
        namespace: o.namespace.clone(),
    };
    let with_ns = !o.namespace.is_empty() || target.gvk.is_cluster_scoped();
    let matched: Vec<usize> = m
        .items
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            r.any_id(|id| {
                id.gvk_is(&target.gvk)
                    && id.name == target.name
                    && (!with_ns || id.effective_namespace() == target.effective_namespace())
            })
        })
        .map(|(i, _)| i)
        .collect();
    match matched.as_slice() {
        [i] => {
            m.items[*i].ref_vars.push(v.name.clone());
            Ok(())
        }
        [] => Ok(()),
        _ => Err(err(ErrorKind::Invalid(format!(
            "found {} resId matches for var {} (unable to disambiguate)",
            matched.len(),
            v.name
        )))),
    }
}

/// A var as Go's `%s` prints kustomize's `types.Var`: `{NAME Kind.version.group {path}}`
/// (the object reference prints as its Gvk, `apiVersion` taking over group and version).
fn go_var(v: &crate::kustfile::Var, path: &str) -> String {
    let o = &v.objref;
    let (mut group, mut version) = (o.group.as_str(), o.version.as_str());
    if !o.api_version.is_empty() {
        match o.api_version.split('/').collect::<Vec<_>>().as_slice() {
            [g, ver] => (group, version) = (g, ver),
            [ver] => version = ver,
            _ => {}
        }
    }
    let or = |s: &'static str, x: &str| {
        if x.is_empty() {
            s.to_string()
        } else {
            x.to_string()
        }
    };
    format!(
        "{{{} {}.{}.{} {{{path}}}}}",
        v.name,
        or("[noKind]", &o.kind),
        or("[noVer]", version),
        or("[noGrp]", group)
    )
}

/// Resolves every declared var and substitutes it; returns the names of the vars no field
/// used, in declaration order (kustomize logs them).
pub fn resolve(m: &mut ResMap, decls: &[VarDecl], specs: &[FieldSpec]) -> Result<Vec<String>> {
    if decls.is_empty() {
        return Ok(Vec::new());
    }
    let mut values = HashMap::new();
    // kustomize's var set hands its vars out sorted by name.
    let mut sorted: Vec<&VarDecl> = decls.iter().collect();
    sorted.sort_by(|a, b| a.var.name.cmp(&b.var.name));
    for d in sorted {
        let path = d
            .var
            .fieldref
            .as_ref()
            .map(|f| f.field_path.as_str())
            .filter(|p| !p.is_empty())
            .unwrap_or("metadata.name");
        let Some(r) = m.items.iter().find(|r| r.ref_vars.contains(&d.var.name)) else {
            return Err(err(ErrorKind::Invalid(format!(
                "var '{}' cannot be mapped to a field in the set of known resources",
                go_var(&d.var, path)
            ))));
        };
        let v = fieldpath::lookup(&r.obj, &fieldpath::parse(path)).ok_or_else(|| {
            err(ErrorKind::Invalid(format!(
                "field specified in var '{}' not found in corresponding resource",
                go_var(&d.var, path)
            )))
        })?;
        values.insert(d.var.name.clone(), v.clone());
    }
    let mut used = HashSet::new();
    for r in &mut m.items {
        let gvk = r.gvk();
        for fs in specs {
            let stringify = fs.path.starts_with("metadata/labels")
                || fs.path.starts_with("metadata/annotations");
            let id = r.describe();
            fieldspec::apply_specs(&mut r.obj, &gvk, std::slice::from_ref(fs), &mut |v| {
                replace_in(v, &values, stringify, &mut used).map_err(|e| {
                    err(ErrorKind::Invalid(format!(
                        "considering field '{}' of object {id}: {e}",
                        fs.path
                    )))
                })
            })?;
        }
        // Vars are expanded in place in kustomize.
        r.sync_aliases();
    }
    Ok(decls
        .iter()
        .map(|d| d.var.name.clone())
        .filter(|n| !used.contains(n))
        .collect())
}
