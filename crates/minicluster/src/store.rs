//! Objects in memory, keyed by resource then `(namespace, name)`, with one global
//! resourceVersion counter and a bounded history of changes for watches.

use crate::registry::{Registry, ResKey};
use crate::status::ApiError;
use crate::util;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;
use tokio::sync::broadcast;

/// The type of a watch event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One change, as watches see it.
#[derive(Debug)]
pub struct Event {
    pub rv: u64,
    pub key: ResKey,
    pub namespace: String,
    pub type_: EventType,
    pub object: Arc<Value>,
    /// The object before the change (for selector transitions).
    pub prev: Option<Arc<Value>>,
}

/// Past events and the receiver of those to come.
pub type Subscription = (Vec<Arc<Event>>, broadcast::Receiver<Arc<Event>>);

/// `(namespace, name)`; namespace is "" for cluster-scoped objects.
pub type ObjKey = (String, String);

/// The whole state of the cluster.
pub struct State {
    pub registry: Registry,
    rv: u64,
    objects: HashMap<ResKey, BTreeMap<ObjKey, Arc<Value>>>,
    /// uid -> where the object lives.
    uids: HashMap<String, (ResKey, ObjKey)>,
    history: VecDeque<Arc<Event>>,
    history_cap: usize,
    /// Events after this version are all still in `history`.
    oldest_rv: u64,
    tx: broadcast::Sender<Arc<Event>>,
    /// Set when something was deleted or marked for deletion: the collector has work.
    pub gc_pending: bool,
    /// owner uid -> dependents (by `metadata.ownerReferences`).
    owners: HashMap<String, BTreeSet<(ResKey, ObjKey)>>,
    /// Objects with a `deletionTimestamp`.
    deleting: BTreeSet<(ResKey, ObjKey)>,
    /// uids removed since the collector last ran.
    pub removed_uids: Vec<String>,
    /// Set on every write; cleared by whoever persists the state.
    pub dirty: bool,
}

impl State {
    pub fn new(history_cap: usize) -> Self {
        let (tx, _) = broadcast::channel(4096);
        State {
            registry: Registry::builtin(),
            rv: 1,
            objects: HashMap::new(),
            uids: HashMap::new(),
            history: VecDeque::new(),
            history_cap: history_cap.max(16),
            oldest_rv: 1,
            tx,
            gc_pending: false,
            owners: HashMap::new(),
            deleting: BTreeSet::new(),
            removed_uids: Vec::new(),
            dirty: false,
        }
    }

    /// The current resourceVersion of the whole store.
    pub fn resource_version(&self) -> u64 {
        self.rv
    }

    fn next_rv(&mut self) -> u64 {
        self.rv += 1;
        self.dirty = true;
        self.rv
    }

    pub fn get(&self, key: &ResKey, ns: &str, name: &str) -> Option<&Arc<Value>> {
        self.objects
            .get(key)?
            .get(&(ns.to_string(), name.to_string()))
    }

    /// Objects of one resource, in `(namespace, name)` order; `ns` None lists every namespace.
    pub fn list<'a>(
        &'a self,
        key: &ResKey,
        ns: Option<&'a str>,
    ) -> impl Iterator<Item = (&'a ObjKey, &'a Arc<Value>)> + 'a {
        self.objects.get(key).into_iter().flat_map(move |m| {
            let range: Box<dyn Iterator<Item = (&ObjKey, &Arc<Value>)>> = match ns {
                Some(n) => Box::new(
                    m.range((n.to_string(), String::new())..)
                        .take_while(move |((ons, _), _)| ons == n),
                ),
                None => Box::new(m.iter()),
            };
            range
        })
    }

    /// Every stored object with its resource.
    pub fn all(&self) -> impl Iterator<Item = (&ResKey, &ObjKey, &Arc<Value>)> {
        self.objects
            .iter()
            .flat_map(|(k, m)| m.iter().map(move |(ok, v)| (k, ok, v)))
    }

    pub fn count(&self) -> usize {
        self.objects.values().map(BTreeMap::len).sum()
    }

    /// Where the object with this uid lives.
    pub fn by_uid(&self, uid: &str) -> Option<&(ResKey, ObjKey)> {
        self.uids.get(uid)
    }

    pub fn uid_exists(&self, uid: &str) -> bool {
        self.uids.contains_key(uid)
    }

    fn index(&mut self, key: &ResKey, obj: &Value, add: bool) {
        let ok = (
            util::namespace_of(obj).to_string(),
            util::name_of(obj).to_string(),
        );
        let entry = (key.clone(), ok);
        if let Some(refs) = obj
            .get("metadata")
            .and_then(|m| m.get("ownerReferences"))
            .and_then(Value::as_array)
        {
            for r in refs {
                if let Some(uid) = r.get("uid").and_then(Value::as_str) {
                    if add {
                        self.owners
                            .entry(uid.to_string())
                            .or_default()
                            .insert(entry.clone());
                    } else if let Some(set) = self.owners.get_mut(uid) {
                        set.remove(&entry);
                        if set.is_empty() {
                            self.owners.remove(uid);
                        }
                    }
                }
            }
        }
        if obj
            .get("metadata")
            .and_then(|m| m.get("deletionTimestamp"))
            .is_some()
        {
            if add {
                self.deleting.insert(entry);
                self.gc_pending = true;
            } else {
                self.deleting.remove(&entry);
            }
        }
    }

    /// Dependents of an owner uid.
    pub fn dependents(&self, uid: &str) -> Vec<(ResKey, ObjKey)> {
        self.owners
            .get(uid)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Objects with a `deletionTimestamp`.
    pub fn deleting(&self) -> Vec<(ResKey, ObjKey)> {
        self.deleting.iter().cloned().collect()
    }

    fn record(&mut self, ev: Event) {
        let ev = Arc::new(ev);
        self.history.push_back(ev.clone());
        while self.history.len() > self.history_cap {
            if let Some(old) = self.history.pop_front() {
                self.oldest_rv = old.rv;
            }
        }
        let _ = self.tx.send(ev);
    }

    /// Stores a new object: sets resourceVersion (the caller set uid and the rest).
    pub fn insert(&mut self, key: &ResKey, mut obj: Value) -> Arc<Value> {
        let rv = self.next_rv();
        util::meta_mut(&mut obj).insert("resourceVersion".into(), Value::String(rv.to_string()));
        let ns = util::namespace_of(&obj).to_string();
        let name = util::name_of(&obj).to_string();
        let uid = util::meta_str(&obj, "uid").unwrap_or("").to_string();
        self.index(key, &obj, true);
        let obj = Arc::new(obj);
        self.objects
            .entry(key.clone())
            .or_default()
            .insert((ns.clone(), name.clone()), obj.clone());
        if !uid.is_empty() {
            self.uids.insert(uid, (key.clone(), (ns.clone(), name)));
        }
        self.record(Event {
            rv,
            key: key.clone(),
            namespace: ns,
            type_: EventType::Added,
            object: obj.clone(),
            prev: None,
        });
        obj
    }

    /// Replaces a stored object (same namespace and name) with a new resourceVersion.
    pub fn replace(&mut self, key: &ResKey, mut obj: Value) -> Arc<Value> {
        let rv = self.next_rv();
        util::meta_mut(&mut obj).insert("resourceVersion".into(), Value::String(rv.to_string()));
        let ns = util::namespace_of(&obj).to_string();
        let name = util::name_of(&obj).to_string();
        let obj = Arc::new(obj);
        let prev = self
            .objects
            .entry(key.clone())
            .or_default()
            .insert((ns.clone(), name), obj.clone());
        if let Some(p) = &prev {
            let p = p.clone();
            self.index(key, &p, false);
        }
        self.index(key, &obj, true);
        self.record(Event {
            rv,
            key: key.clone(),
            namespace: ns,
            type_: EventType::Modified,
            object: obj.clone(),
            prev,
        });
        obj
    }

    /// Removes an object; the DELETED event carries it with a new resourceVersion.
    pub fn remove(&mut self, key: &ResKey, ns: &str, name: &str) -> Option<Arc<Value>> {
        let prev = self
            .objects
            .get_mut(key)?
            .remove(&(ns.to_string(), name.to_string()))?;
        let rv = self.next_rv();
        self.index(key, &prev, false);
        let mut last = (*prev).clone();
        util::meta_mut(&mut last).insert("resourceVersion".into(), Value::String(rv.to_string()));
        if let Some(uid) = util::meta_str(&last, "uid") {
            self.uids.remove(uid);
            self.removed_uids.push(uid.to_string());
        }
        let last = Arc::new(last);
        self.record(Event {
            rv,
            key: key.clone(),
            namespace: ns.to_string(),
            type_: EventType::Deleted,
            object: last.clone(),
            prev: Some(prev),
        });
        self.gc_pending = true;
        Some(last)
    }

    /// Drops every object of a resource (its CRD is gone), with DELETED events.
    pub fn remove_all(&mut self, key: &ResKey) {
        let keys: Vec<ObjKey> = self
            .objects
            .get(key)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        for (ns, name) in keys {
            self.remove(key, &ns, &name);
        }
        self.objects.remove(key);
    }

    /// Events after `rv` (exclusive) and a receiver for those that follow, taken atomically.
    pub fn subscribe(&self, rv: u64) -> Result<Subscription, ApiError> {
        if rv < self.oldest_rv {
            return Err(ApiError::expired(format!(
                "too old resource version: {rv} ({})",
                self.oldest_rv
            )));
        }
        let start = self.history.partition_point(|e| e.rv <= rv);
        let past: Vec<Arc<Event>> = self.history.iter().skip(start).cloned().collect();
        Ok((past, self.tx.subscribe()))
    }

    /// The oldest resourceVersion a watch may start from.
    pub fn oldest_watchable(&self) -> u64 {
        self.oldest_rv
    }

    /// Restores a persisted object as it was (keeps its resourceVersion if higher than ours).
    pub fn restore(&mut self, key: &ResKey, obj: Value) {
        let rv: u64 = util::meta_str(&obj, "resourceVersion")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        if rv > self.rv {
            self.rv = rv;
        }
        let ns = util::namespace_of(&obj).to_string();
        let name = util::name_of(&obj).to_string();
        if let Some(uid) = util::meta_str(&obj, "uid") {
            self.uids
                .insert(uid.to_string(), (key.clone(), (ns.clone(), name.clone())));
        }
        self.index(key, &obj, true);
        self.objects
            .entry(key.clone())
            .or_default()
            .insert((ns, name), Arc::new(obj));
        self.oldest_rv = self.rv;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key() -> ResKey {
        ResKey {
            group: String::new(),
            plural: "configmaps".into(),
        }
    }

    #[test]
    fn history_window() {
        let mut s = State::new(16);
        for i in 0..40 {
            s.insert(
                &key(),
                json!({"metadata": {"name": format!("c{i}"), "namespace": "d"}}),
            );
        }
        assert!(s.subscribe(2).is_err());
        let (past, _) = s.subscribe(s.resource_version() - 3).unwrap();
        assert_eq!(past.len(), 3);
        assert_eq!(s.list(&key(), Some("d")).count(), 40);
        assert_eq!(s.list(&key(), Some("e")).count(), 0);
    }
}
