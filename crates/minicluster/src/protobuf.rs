//! Kubernetes' protobuf request bodies (`application/vnd.kubernetes.protobuf`), decoded to
//! JSON for the kinds typed clients send that way (kubectl's `create` generators and
//! `auth` commands, Helm's release storage). The wire schema of each kind is described
//! below in a compact notation of our own: `field=number:type`, where type is `s` (string),
//! `i` (int), `b` (bool), `y` (bytes, base64 in JSON), `t` (Time), `f` (FieldsV1),
//! `[T]` (repeated), `{T}` (map from string to T) or a message name.

use crate::status::ApiError;
use base64::Engine;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::OnceLock;

const SCHEMA: &str = "
ObjectMeta name=1:s generateName=2:s namespace=3:s selfLink=4:s uid=5:s resourceVersion=6:s generation=7:i creationTimestamp=8:t deletionTimestamp=9:t deletionGracePeriodSeconds=10:i labels=11:{s} annotations=12:{s} ownerReferences=13:[OwnerReference] finalizers=14:[s] managedFields=17:[ManagedFieldsEntry]
OwnerReference kind=1:s name=3:s uid=4:s apiVersion=5:s controller=6:b blockOwnerDeletion=7:b
ManagedFieldsEntry manager=1:s operation=2:s apiVersion=3:s time=4:t fieldsType=6:s fieldsV1=7:f subresource=8:s
LabelSelector matchLabels=1:{s} matchExpressions=2:[LabelSelectorRequirement]
LabelSelectorRequirement key=1:s operator=2:s values=3:[s]
ConfigMap metadata=1:ObjectMeta data=2:{s} binaryData=3:{y} immutable=4:b
Secret metadata=1:ObjectMeta data=2:{y} type=3:s stringData=4:{s} immutable=5:b
ServiceAccount metadata=1:ObjectMeta secrets=2:[ObjectReference] imagePullSecrets=3:[LocalObjectReference] automountServiceAccountToken=4:b
ObjectReference kind=1:s namespace=2:s name=3:s uid=4:s apiVersion=5:s resourceVersion=6:s fieldPath=7:s
LocalObjectReference name=1:s
Namespace metadata=1:ObjectMeta spec=2:NamespaceSpec status=3:NamespaceStatus
NamespaceSpec finalizers=1:[s]
NamespaceStatus phase=1:s
Role metadata=1:ObjectMeta rules=2:[PolicyRule]
ClusterRole metadata=1:ObjectMeta rules=2:[PolicyRule] aggregationRule=3:AggregationRule
RoleBinding metadata=1:ObjectMeta subjects=2:[Subject] roleRef=3:RoleRef
ClusterRoleBinding metadata=1:ObjectMeta subjects=2:[Subject] roleRef=3:RoleRef
PolicyRule verbs=1:[s] apiGroups=2:[s] resources=3:[s] resourceNames=4:[s] nonResourceURLs=5:[s]
Subject kind=1:s apiGroup=2:s name=3:s namespace=4:s
RoleRef apiGroup=1:s kind=2:s name=3:s
AggregationRule clusterRoleSelectors=1:[LabelSelector]
SelfSubjectAccessReview metadata=1:ObjectMeta spec=2:SelfSubjectAccessReviewSpec
SelfSubjectAccessReviewSpec resourceAttributes=1:ResourceAttributes nonResourceAttributes=2:NonResourceAttributes
SubjectAccessReview metadata=1:ObjectMeta spec=2:SubjectAccessReviewSpec
LocalSubjectAccessReview metadata=1:ObjectMeta spec=2:SubjectAccessReviewSpec
SubjectAccessReviewSpec resourceAttributes=1:ResourceAttributes nonResourceAttributes=2:NonResourceAttributes user=3:s groups=4:[s] uid=6:s
ResourceAttributes namespace=1:s verb=2:s group=3:s version=4:s resource=5:s subresource=6:s name=7:s
NonResourceAttributes path=1:s verb=2:s
SelfSubjectRulesReview metadata=1:ObjectMeta spec=2:SelfSubjectRulesReviewSpec
SelfSubjectRulesReviewSpec namespace=1:s
SelfSubjectReview metadata=1:ObjectMeta
DeleteOptions gracePeriodSeconds=1:i preconditions=2:Preconditions orphanDependents=3:b propagationPolicy=4:s dryRun=5:[s]
Preconditions uid=1:s resourceVersion=2:s
";

struct Field {
    name: String,
    ty: String,
}

type Messages = HashMap<String, HashMap<u64, Field>>;

fn schema() -> &'static Messages {
    static S: OnceLock<Messages> = OnceLock::new();
    S.get_or_init(|| {
        let mut m = HashMap::new();
        for line in SCHEMA.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let mut parts = line.split_whitespace();
            let Some(name) = parts.next() else { continue };
            let mut fields = HashMap::new();
            for p in parts {
                let Some((fname, rest)) = p.split_once('=') else {
                    continue;
                };
                let Some((num, ty)) = rest.split_once(':') else {
                    continue;
                };
                if let Ok(n) = num.parse() {
                    fields.insert(
                        n,
                        Field {
                            name: fname.to_string(),
                            ty: ty.to_string(),
                        },
                    );
                }
            }
            m.insert(name.to_string(), fields);
        }
        m
    })
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

fn bad(msg: &str) -> ApiError {
    ApiError::bad_request(format!("error decoding protobuf body: {msg}"))
}

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Result<u64, ApiError> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = *self
                .b
                .get(self.pos)
                .ok_or_else(|| bad("truncated varint"))?;
            self.pos += 1;
            v |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(bad("varint too long"))
    }

    fn bytes(&mut self) -> Result<&'a [u8], ApiError> {
        let n = self.varint()? as usize;
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.b.len())
            .ok_or_else(|| bad("truncated field"))?;
        let s = &self.b[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn skip(&mut self, wire: u64) -> Result<(), ApiError> {
        match wire {
            0 => {
                self.varint()?;
            }
            1 => self.pos += 8,
            2 => {
                self.bytes()?;
            }
            5 => self.pos += 4,
            _ => return Err(bad("unsupported wire type")),
        }
        if self.pos > self.b.len() {
            return Err(bad("truncated field"));
        }
        Ok(())
    }

    /// Every (field number, wire type, payload) of a message.
    fn fields(mut self) -> Result<Vec<(u64, u64, Payload<'a>)>, ApiError> {
        let mut out = Vec::new();
        while self.pos < self.b.len() {
            let tag = self.varint()?;
            let (num, wire) = (tag >> 3, tag & 7);
            let p = match wire {
                0 => Payload::Varint(self.varint()?),
                2 => Payload::Bytes(self.bytes()?),
                _ => {
                    self.skip(wire)?;
                    continue;
                }
            };
            out.push((num, wire, p));
        }
        Ok(out)
    }
}

enum Payload<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
}

fn scalar(ty: &str, p: &Payload) -> Result<Value, ApiError> {
    Ok(match (ty, p) {
        ("s", Payload::Bytes(b)) => json!(String::from_utf8_lossy(b)),
        ("y", Payload::Bytes(b)) => json!(base64::engine::general_purpose::STANDARD.encode(b)),
        ("i", Payload::Varint(v)) => json!(*v as i64),
        ("b", Payload::Varint(v)) => json!(*v != 0),
        ("t", Payload::Bytes(b)) => {
            let mut secs = 0i64;
            for (n, _, p) in (Reader { b, pos: 0 }).fields()? {
                if let (1, Payload::Varint(v)) = (n, p) {
                    secs = v as i64;
                }
            }
            json!(
                jiff::Timestamp::from_second(secs)
                    .map(|t| t.to_string())
                    .unwrap_or_default()
            )
        }
        ("f", Payload::Bytes(b)) => {
            let mut raw = Value::Null;
            for (n, _, p) in (Reader { b, pos: 0 }).fields()? {
                if let (1, Payload::Bytes(r)) = (n, p) {
                    raw = serde_json::from_slice(r).unwrap_or(Value::Null);
                }
            }
            raw
        }
        (msg, Payload::Bytes(b)) => message(msg, b)?,
        _ => return Err(bad("field of an unexpected wire type")),
    })
}

fn message(name: &str, b: &[u8]) -> Result<Value, ApiError> {
    let fields = schema()
        .get(name)
        .ok_or_else(|| bad(&format!("no schema for {name}")))?;
    let mut out = Map::new();
    for (num, _, p) in (Reader { b, pos: 0 }).fields()? {
        let Some(f) = fields.get(&num) else { continue };
        if let Some(inner) = f.ty.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            let v = scalar(inner, &p)?;
            if let Some(a) = out
                .entry(f.name.clone())
                .or_insert_with(|| Value::Array(Vec::new()))
                .as_array_mut()
            {
                a.push(v);
            }
        } else if let Some(inner) = f.ty.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
            let Payload::Bytes(entry) = p else { continue };
            let mut key = String::new();
            let mut val = match inner {
                "s" | "y" => json!(""),
                _ => json!({}),
            };
            for (n, _, ep) in (Reader { b: entry, pos: 0 }).fields()? {
                match (n, &ep) {
                    (1, Payload::Bytes(k)) => key = String::from_utf8_lossy(k).into_owned(),
                    (2, _) => val = scalar(inner, &ep)?,
                    _ => {}
                }
            }
            if let Some(m) = out
                .entry(f.name.clone())
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
            {
                m.insert(key, val);
            }
        } else {
            let v = scalar(&f.ty, &p)?;
            // Go writes every non-pointer field; JSON omits the empty ones.
            if v != json!("") && !(f.ty == "t" && v == json!("1970-01-01T00:00:00Z")) {
                out.insert(f.name.clone(), v);
            }
        }
    }
    Ok(Value::Object(out))
}

/// Decodes a `k8s\0` + runtime.Unknown envelope into the object's JSON form.
pub fn decode(body: &[u8]) -> Result<Value, ApiError> {
    let rest = body
        .strip_prefix(b"k8s\x00")
        .ok_or_else(|| bad("missing the k8s protobuf magic prefix"))?;
    let mut api_version = String::new();
    let mut kind = String::new();
    let mut raw: &[u8] = &[];
    for (n, _, p) in (Reader { b: rest, pos: 0 }).fields()? {
        match (n, p) {
            (1, Payload::Bytes(tm)) => {
                for (tn, _, tp) in (Reader { b: tm, pos: 0 }).fields()? {
                    if let Payload::Bytes(s) = tp {
                        match tn {
                            1 => api_version = String::from_utf8_lossy(s).into_owned(),
                            2 => kind = String::from_utf8_lossy(s).into_owned(),
                            _ => {}
                        }
                    }
                }
            }
            (2, Payload::Bytes(r)) => raw = r,
            _ => {}
        }
    }
    if !schema().contains_key(&kind) || kind == "ObjectMeta" {
        return Err(ApiError::new(
            415,
            "UnsupportedMediaType",
            format!(
                "minicluster decodes protobuf bodies of a few kinds only, not {api_version}/{kind}; send JSON"
            ),
        ));
    }
    let mut obj = message(&kind, raw)?;
    if let Some(m) = obj.as_object_mut() {
        let rest = std::mem::take(m);
        if !api_version.is_empty() {
            m.insert("apiVersion".into(), json!(api_version));
        }
        if !kind.is_empty() {
            m.insert("kind".into(), json!(kind));
        }
        m.extend(rest);
    }
    Ok(obj)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(num: u64, payload: &[u8]) -> Vec<u8> {
        let mut v = vec![((num << 3) | 2) as u8, payload.len() as u8];
        v.extend_from_slice(payload);
        v
    }

    #[test]
    fn configmap() {
        let meta = [field(1, b"x"), field(3, b"ns")].concat();
        let entry = [field(1, b"k"), field(2, b"v")].concat();
        let cm = [field(1, &meta), field(2, &entry)].concat();
        let tm = [field(1, b"v1"), field(2, b"ConfigMap")].concat();
        let body = [b"k8s\x00".to_vec(), field(1, &tm), field(2, &cm)].concat();
        assert_eq!(
            decode(&body).unwrap(),
            json!({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"ns"},"data":{"k":"v"}})
        );
    }
}
