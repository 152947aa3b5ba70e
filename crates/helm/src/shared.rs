//! Go's maps are references, and `processImportValues` leans on it: `pathToMap` puts the
//! child's table itself (not a copy) into the import accumulator, so two imports of one
//! child table share it, and a later import merged into one of them shows up in the others
//! and in the child's own section of the parent's values. This module runs that step over
//! shared tables and turns the result back into plain values.

use crate::yaml::Values;
use indexmap::IndexMap;
use serde_json::Value as J;
use std::cell::RefCell;
use std::rc::Rc;

/// A shared Go `map[string]interface{}`.
pub type Table = Rc<RefCell<IndexMap<String, Node>>>;

/// A value whose tables are shared; everything else is held as plain JSON.
#[derive(Clone)]
pub enum Node {
    Leaf(J),
    Table(Table),
}

impl Node {
    fn is_null(&self) -> bool {
        matches!(self, Node::Leaf(J::Null))
    }
}

/// A fresh (unshared) table holding `v`.
pub fn table_of(v: &Values) -> Table {
    let m = v
        .iter()
        .map(|(k, v)| {
            let n = match v {
                J::Object(o) => Node::Table(table_of(o)),
                other => Node::Leaf(other.clone()),
            };
            (k.clone(), n)
        })
        .collect();
    Rc::new(RefCell::new(m))
}

/// A plain copy of what `t` holds now.
pub fn values_of(t: &Table) -> Values {
    t.borrow()
        .iter()
        .map(|(k, n)| {
            let v = match n {
                Node::Leaf(j) => j.clone(),
                Node::Table(t) => J::Object(values_of(t)),
            };
            (k.clone(), v)
        })
        .collect()
}

/// `Values.Table`: the table itself (shared) at a dotted path.
pub fn table_at(t: &Table, path: &str) -> Result<Table, String> {
    let mut cur = t.clone();
    for name in path.split('.') {
        let next = match cur.borrow().get(name) {
            Some(Node::Table(m)) => m.clone(),
            _ => {
                return Err(format!(
                    "{} is not a table",
                    ferroflux_gotemplate::fmt::go_quote(name)
                ));
            }
        };
        cur = next;
    }
    Ok(cur)
}

/// `pathToMap`: `data` (shared) under fresh tables named by the dotted `path`.
pub fn path_to_map(path: &str, data: Table) -> Table {
    if path == "." {
        return data;
    }
    let mut cur = data;
    for part in path.split('.').rev() {
        let mut m = IndexMap::new();
        m.insert(part.to_string(), Node::Table(cur));
        cur = Rc::new(RefCell::new(m));
    }
    cur
}

/// `coalesceTablesFullKey` over shared tables: `dst` wins; `src` is changed too (a null in
/// `dst` is copied into `src` first), as Go changes it.
pub fn coalesce_tables(dst: &Table, src: &Table, prefix: &str, merge: bool, log: &mut Vec<String>) {
    if Rc::ptr_eq(dst, src) {
        // Merging a table into itself changes nothing.
        return;
    }
    let src_non_nil: Vec<String> = src
        .borrow()
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, _)| k.clone())
        .collect();
    let dst_nils: Vec<String> = dst
        .borrow()
        .iter()
        .filter(|(_, v)| v.is_null())
        .map(|(k, _)| k.clone())
        .collect();
    for k in dst_nils {
        src.borrow_mut().insert(k, Node::Leaf(J::Null));
    }
    let entries: Vec<(String, Node)> = src
        .borrow()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (key, val) in entries {
        let full = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        let dv = dst.borrow().get(&key).cloned();
        match (dv, val) {
            (Some(dv), _) if !merge && dv.is_null() && src_non_nil.contains(&key) => {
                dst.borrow_mut().shift_remove(&key);
            }
            (None, val) => {
                dst.borrow_mut().insert(key, val);
            }
            (Some(Node::Table(dm)), Node::Table(sm)) => {
                coalesce_tables(&dm, &sm, &full, merge, log)
            }
            (Some(_), Node::Table(sm)) => crate::coalesce::warn(
                log,
                format!(
                    "warning: cannot overwrite table with non table for {full} ({})",
                    crate::values::go_print(&J::Object(values_of(&sm)))
                ),
            ),
            (Some(Node::Table(_)), Node::Leaf(v)) if !v.is_null() => crate::coalesce::warn(
                log,
                format!(
                    "warning: destination for {full} is a table. Ignoring non-table value ({})",
                    crate::values::go_print(&v)
                ),
            ),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: J) -> Values {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn an_imported_table_is_shared_with_its_source_and_other_imports() {
        let cvals = table_of(&obj(
            json!({"a": {"data": {"x": 1}}, "b": {"data": {"y": 2}}}),
        ));
        let acc = table_of(&Values::new());
        let mut warn = Vec::new();
        let a = table_at(&cvals, "a.data").unwrap();
        coalesce_tables(&acc, &path_to_map("one", a.clone()), "", true, &mut warn);
        coalesce_tables(&acc, &path_to_map("two", a), "", true, &mut warn);
        let b = table_at(&cvals, "b.data").unwrap();
        coalesce_tables(&acc, &path_to_map("two", b), "", true, &mut warn);
        // "two" was a's table: b's keys land in a's table, so in "one" and in cvals too.
        assert_eq!(
            J::Object(values_of(&acc)),
            json!({"one": {"x": 1, "y": 2}, "two": {"x": 1, "y": 2}})
        );
        assert_eq!(
            J::Object(values_of(&cvals)),
            json!({"a": {"data": {"x": 1, "y": 2}}, "b": {"data": {"y": 2}}})
        );
    }

    #[test]
    fn nulls_in_dst_are_copied_into_src() {
        let dst = table_of(&obj(json!({"k": null, "t": {"u": 1}})));
        let src = table_of(&obj(json!({"t": 5, "v": 2})));
        let mut warnings = Vec::new();
        coalesce_tables(&dst, &src, "p", true, &mut warnings);
        assert_eq!(
            J::Object(values_of(&src)),
            json!({"t": 5, "v": 2, "k": null})
        );
        assert_eq!(
            J::Object(values_of(&dst)),
            json!({"k": null, "t": {"u": 1}, "v": 2})
        );
        assert_eq!(
            warnings,
            [
                "level=INFO msg=\"warning: destination for p.t is a table. Ignoring non-table value (5)\""
            ]
        );
    }
}
