//! Maps that templates executing side by side must leave alone.
//!
//! Helm executes a chart's templates one after another, and a template that changes a map
//! the next one can reach (`set .Values …`, `merge $ …`, `unset` on a subchart's values)
//! changes what that one renders. Most charts only change maps they made themselves (`dict`,
//! `fromYaml`, `deepCopy`: bitnami's common library merges into fresh dicts everywhere), and
//! those templates can run on several threads. [`run_frozen`] runs one template's execution
//! with every map reachable from the shared values refused to `set`, `unset` and `merge`: a
//! refused change leaves the map as it was and makes the call fail, so the caller can start
//! again in order with nothing changed.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::sync::{Arc, RwLock};

use crate::value::{MAX_DEPTH, Map, Object, Value, read};

/// The addresses of the maps reachable from some values, when they were added.
#[derive(Default)]
pub struct Frozen {
    maps: HashSet<usize, foldhash::fast::FixedState>,
}

impl Frozen {
    /// Adds `v` and every map and list element reachable from it.
    pub fn add(&mut self, v: &Value) {
        let mut todo = vec![(v.clone(), 0usize)];
        while let Some((v, depth)) = todo.pop() {
            if depth > MAX_DEPTH {
                continue;
            }
            match &v {
                Value::Map(m) if self.maps.insert(Arc::as_ptr(m) as usize) => {
                    todo.extend(read(m).values().map(|c| (c.clone(), depth + 1)));
                }
                Value::List(l) => todo.extend(l.iter().map(|c| (c.clone(), depth + 1))),
                _ => {}
            }
        }
    }

    fn holds(&self, m: &Arc<RwLock<Map>>) -> bool {
        self.maps.contains(&(Arc::as_ptr(m) as usize))
    }
}

thread_local! {
    /// The frozen maps of the execution running on this thread, and one more map (the
    /// template's own top-level object, which Helm shares between a chart's templates).
    static FROZEN: RefCell<Option<(Arc<Frozen>, usize)>> = const { RefCell::new(None) };
    static REFUSED: Cell<bool> = const { Cell::new(false) };
}

/// What a refused `set`, `unset` or `merge` fails with (never shown: the caller starts again).
pub(crate) const REFUSED_MESSAGE: &str = "a map shared between templates cannot change here";

/// Runs `f` with the maps of `frozen` and the map `top` refused to change, and says whether
/// a change was refused (whatever `f` returned: a refusal may have been caught on the way).
pub fn run_frozen<R>(frozen: &Arc<Frozen>, top: &Value, f: impl FnOnce() -> R) -> (R, bool) {
    let top = match top {
        Value::Map(m) => Arc::as_ptr(m) as usize,
        _ => 0,
    };
    /// Puts the thread's state back however `f` ends: a panic caught further up must not
    /// leave this run's maps frozen for whatever the thread executes next.
    struct Restore {
        frozen: Option<(Arc<Frozen>, usize)>,
        refused: bool,
    }
    impl Drop for Restore {
        fn drop(&mut self) {
            FROZEN.with(|c| *c.borrow_mut() = self.frozen.take());
            REFUSED.with(|r| r.set(self.refused));
        }
    }
    let _restore = Restore {
        frozen: FROZEN.with(|c| c.replace(Some((frozen.clone(), top)))),
        refused: REFUSED.with(|r| r.replace(false)),
    };
    let out = f();
    (out, REFUSED.with(Cell::get))
}

/// Whether `m` may change now; a refusal is recorded for [`run_frozen`].
pub(crate) fn may_change(m: &Arc<RwLock<Map>>) -> bool {
    let frozen = FROZEN.with(|c| {
        c.borrow()
            .as_ref()
            .is_some_and(|(f, top)| Arc::as_ptr(m) as usize == *top || f.holds(m))
    });
    if frozen {
        refuse();
    }
    !frozen
}

fn refuse() {
    REFUSED.with(|r| r.set(true));
}

/// A value a template running side by side may hold but not look at: Helm's `.Subcharts`,
/// whose objects carry the `.Template` of the last template each subchart ran, which only a
/// run in order has. A look at it, whichever way (a field, `index`, `range`, `toJson`,
/// printing, `typeOf`), is refused as a change to a frozen map is, and the run it happened in
/// is [`run_frozen`]'s to start again; what the look returns meanwhile is never used.
pub struct Unseen;

impl std::fmt::Debug for Unseen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        refuse();
        f.write_str("map[]")
    }
}

impl Object for Unseen {
    fn type_name(&self) -> &str {
        refuse();
        "chartutil.Values"
    }
    fn field(&self, _: &str) -> Option<Value> {
        refuse();
        Some(Value::Missing)
    }
    fn call_method(&self, _: &str, _: &[Value]) -> Option<Result<Value, String>> {
        refuse();
        Some(Ok(Value::Missing))
    }
    fn kind(&self) -> &str {
        refuse();
        "map"
    }
    fn marshal_json(&self) -> Option<String> {
        refuse();
        Some("{}".into())
    }
    fn as_value(&self) -> Option<Value> {
        refuse();
        Some(Value::empty_map())
    }
    fn map_index(&self, _: &str) -> Option<Value> {
        refuse();
        Some(Value::Missing)
    }
    fn is_empty_collection(&self) -> Option<bool> {
        refuse();
        Some(true)
    }
    fn fmt_value(&self) -> Option<String> {
        refuse();
        Some("map[]".into())
    }
    fn as_complex(&self) -> Option<(f64, f64)> {
        refuse();
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: Vec<(&str, Value)>) -> Value {
        Value::map(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }

    #[test]
    fn reachable_maps_and_the_top_are_frozen_fresh_ones_are_not() {
        let inner = map(vec![("a", Value::Int(1))]);
        let in_list = map(vec![]);
        let values = map(vec![
            ("inner", inner.clone()),
            ("list", Value::list(vec![in_list.clone()])),
        ]);
        let top = map(vec![("Values", values.clone())]);
        let mut frozen = Frozen::default();
        frozen.add(&values);
        let frozen = Arc::new(frozen);
        let fresh = map(vec![]);
        let Value::Map(f) = &fresh else { panic!() };
        let ((), refused) = run_frozen(&frozen, &top, || assert!(may_change(f)));
        assert!(!refused);
        for v in [&inner, &in_list, &values, &top] {
            let Value::Map(m) = v else { panic!() };
            let ((), refused) = run_frozen(&frozen, &top, || assert!(!may_change(m)));
            assert!(refused);
            // Outside a frozen run everything may change.
            assert!(may_change(m));
        }
        // Nor does a run that panicked leave anything frozen behind.
        let Value::Map(m) = &values else { panic!() };
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run_frozen(&frozen, &top, || panic!("in the run"))
        }));
        assert!(caught.is_err());
        assert!(may_change(m));
    }
}
