//! Decoding: node graph -> Go values (go-yaml's decode.go into interface{})

use super::*;

/// A Go value as go-yaml v2 decodes into `interface{}`.
#[derive(Clone, Debug)]
pub(super) enum G {
    Nil,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
    Seq(Vec<G>),
    Map(GMap),
}

/// `map[interface{}]interface{}` in insertion order, with Go's key equality.
#[derive(Clone, Debug, Default)]
pub(super) struct GMap {
    pub(super) entries: Vec<(G, G)>,
    /// Keys hashed with foldhash: a values file's top level is often past [`SMALL_MAP`], and
    /// the standard hasher's SipHash was most of what indexing it cost.
    pub(super) index: HashMap<KeyId, usize, foldhash::fast::RandomState>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub(super) enum KeyId {
    Nil,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(u64),
    Str(String),
}

/// Maps up to this size are searched; larger ones get an index.
pub(super) const SMALL_MAP: usize = 16;

impl GMap {
    pub(super) fn insert(&mut self, k: G, v: G) {
        if self.entries.len() < SMALL_MAP {
            match self.entries.iter_mut().find(|(e, _)| go_eq(e, &k)) {
                Some(e) => e.1 = v,
                None => self.entries.push((k, v)),
            }
            return;
        }
        if self.index.is_empty() {
            for i in 0..self.entries.len() {
                if let Some(id) = key_id(&self.entries[i].0) {
                    self.index.insert(id, i);
                }
            }
        }
        match key_id(&k) {
            Some(id) => match self.index.get(&id) {
                Some(&i) => self.entries[i].1 = v,
                None => {
                    self.index.insert(id, self.entries.len());
                    self.entries.push((k, v));
                }
            },
            None => self.entries.push((k, v)),
        }
    }
}

/// Go's `==` on two map keys (scalars).
pub(super) fn go_eq(a: &G, b: &G) -> bool {
    match (a, b) {
        (G::Nil, G::Nil) => true,
        (G::Bool(x), G::Bool(y)) => x == y,
        (G::Int(x), G::Int(y)) => x == y,
        (G::Uint(x), G::Uint(y)) => x == y,
        (G::Float(x), G::Float(y)) => x == y,
        (G::Str(x), G::Str(y)) => x == y,
        _ => false,
    }
}

/// A hashable identity for a map key under Go's `==` (none for NaN, which equals nothing).
pub(super) fn key_id(k: &G) -> Option<KeyId> {
    match k {
        G::Nil => Some(KeyId::Nil),
        G::Bool(b) => Some(KeyId::Bool(*b)),
        G::Int(i) => Some(KeyId::Int(*i)),
        G::Uint(u) => Some(KeyId::Uint(*u)),
        G::Float(f) if f.is_nan() => None,
        // -0 == +0.
        G::Float(f) => Some(KeyId::Float(if *f == 0.0 { 0 } else { f.to_bits() })),
        G::Str(s) => Some(KeyId::Str(s.clone())),
        G::Seq(_) | G::Map(_) => None,
    }
}

pub(super) struct Decoder<'a> {
    pub(super) nodes: &'a [Kind<'a>],
    /// Alias nodes being expanded (to detect an anchor that contains itself).
    pub(super) active: HashSet<usize>,
    pub(super) decodes: u64,
    pub(super) aliases: u64,
    pub(super) alias_depth: u32,
}

impl<'a> Decoder<'a> {
    pub(super) fn new(nodes: &'a [Kind<'a>]) -> Self {
        Decoder {
            nodes,
            active: HashSet::new(),
            decodes: 0,
            aliases: 0,
            alias_depth: 0,
        }
    }

    pub(super) fn count(&mut self) -> Result<(), String> {
        self.decodes += 1;
        if self.alias_depth > 0 {
            self.aliases += 1;
        }
        if self.aliases > 100
            && self.decodes > 1000
            && self.aliases as f64 / self.decodes as f64 > allowed_alias_ratio(self.decodes)
        {
            return Err("document contains excessive aliasing".into());
        }
        Ok(())
    }

    pub(super) fn enter_alias(&mut self, n: usize, name: &str) -> Result<(), String> {
        if !self.active.insert(n) {
            return Err(format!("anchor '{name}' value contains itself"));
        }
        self.alias_depth += 1;
        Ok(())
    }

    pub(super) fn leave_alias(&mut self, n: usize) {
        self.alias_depth -= 1;
        self.active.remove(&n);
    }

    pub(super) fn value(&mut self, n: usize) -> Result<G, String> {
        ferroflux_gotemplate::stack::deep(|| self.value_here(n))
    }

    fn value_here(&mut self, n: usize) -> Result<G, String> {
        self.count()?;
        match &self.nodes[n] {
            Kind::Alias { target, name } => {
                self.enter_alias(n, name)?;
                let r = self.value(*target);
                self.leave_alias(n);
                r
            }
            Kind::Scalar { value, tag, plain } => scalar(value, tag, *plain),
            Kind::Seq(children) => {
                let mut out = Vec::with_capacity(children.len());
                for &c in children {
                    out.push(self.value(c)?);
                }
                Ok(G::Seq(out))
            }
            Kind::Map(children) => {
                let mut m = GMap::default();
                self.fill(children, &mut m)?;
                Ok(G::Map(m))
            }
        }
    }

    /// Decodes a mapping (or an alias to one) into an existing map, as a merge does.
    pub(super) fn merge_into(&mut self, n: usize, m: &mut GMap) -> Result<(), String> {
        self.count()?;
        match &self.nodes[n] {
            Kind::Alias { target, name } => {
                self.enter_alias(n, name)?;
                let r = self.merge_into(*target, m);
                self.leave_alias(n);
                r
            }
            Kind::Map(children) => self.fill(children, m),
            _ => Err(WANT_MAP.into()),
        }
    }

    pub(super) fn fill(&mut self, children: &[usize], m: &mut GMap) -> Result<(), String> {
        for pair in children.chunks(2) {
            let (k, v) = (pair[0], pair.get(1).copied());
            let Some(v) = v else { break };
            if self.is_merge(k) {
                self.merge(v, m)?;
                continue;
            }
            let key = self.value(k)?;
            if matches!(key, G::Seq(_) | G::Map(_)) {
                return Err(format!("invalid map key: {}", go_sharp(&key, true)));
            }
            let val = self.value(v)?;
            m.insert(key, val);
        }
        Ok(())
    }

    pub(super) fn is_merge(&self, n: usize) -> bool {
        match &self.nodes[n] {
            Kind::Scalar { value, tag, plain } => {
                value == "<<" && ((*plain && tag.is_empty()) || tag == "!" || tag == MERGE)
            }
            _ => false,
        }
    }

    pub(super) fn is_map(&self, n: usize) -> bool {
        matches!(self.nodes[n], Kind::Map(_))
    }

    pub(super) fn merge(&mut self, n: usize, m: &mut GMap) -> Result<(), String> {
        match &self.nodes[n] {
            Kind::Map(_) => self.merge_into(n, m),
            Kind::Alias { target, .. } => {
                if !self.is_map(*target) {
                    return Err(WANT_MAP.into());
                }
                self.merge_into(n, m)
            }
            Kind::Seq(children) => {
                // Earlier maps take precedence: apply them last.
                for &c in children.iter().rev() {
                    let ok = match &self.nodes[c] {
                        Kind::Alias { target, .. } => self.is_map(*target),
                        Kind::Map(_) => true,
                        _ => false,
                    };
                    if !ok {
                        return Err(WANT_MAP.into());
                    }
                    self.merge_into(c, m)?;
                }
                Ok(())
            }
            Kind::Scalar { .. } => Err(WANT_MAP.into()),
        }
    }
}

pub(super) const WANT_MAP: &str = "map merge requires map or sequence of maps as the value";

/// One scalar into `interface{}`.
pub(super) fn scalar(value: &str, tag: &str, plain: bool) -> Result<G, String> {
    resolve::scalar(value, tag, plain).map(G::from)
}

impl From<Scalar> for G {
    fn from(s: Scalar) -> G {
        match s {
            Scalar::Null => G::Nil,
            Scalar::Bool(b) => G::Bool(b),
            Scalar::Int(i) => G::Int(i),
            Scalar::Uint(u) => G::Uint(u),
            Scalar::Float(f) => G::Float(f),
            Scalar::Str(s) => G::Str(s),
        }
    }
}
