//! A JSON index as `json.Unmarshal` reads it, streamed: the top level, `entries` and each
//! chart's list are visited as they are parsed; one chart version at a time becomes a [`V`].
//! Unknown fields are ignored (this path is not strict), repeated keys decode again.

use super::Builder;
use super::model::{ROOT_FIELDS, V, field_index};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::io::Read;

/// Why the JSON path gave up.
pub(super) enum Failure {
    /// Not JSON after all (or not JSON this parser takes): try YAML, as Go does when
    /// `json.Valid` says no.
    Syntax,
    /// Valid JSON whose values do not fit Helm's types (if the whole input proves valid).
    Semantic(String),
}

pub(super) fn read(input: impl Read, b: &mut Builder) -> Result<(), Failure> {
    let mut de = serde_json::Deserializer::from_reader(input);
    let result = Root { b: &mut *b }
        .deserialize(&mut de)
        .and_then(|()| de.end());
    match result {
        Ok(()) => Ok(()),
        Err(_) => match b.json_error.take() {
            Some(msg) => Err(Failure::Semantic(msg)),
            None => Err(Failure::Syntax),
        },
    }
}

/// Whether the whole input is one JSON value (Go's `json.Valid`).
pub(super) fn valid(input: impl Read) -> bool {
    let mut de = serde_json::Deserializer::from_reader(input);
    <IgnoredAny as serde::Deserialize>::deserialize(&mut de).is_ok() && de.end().is_ok()
}

fn fail<E: de::Error>(b: &mut Builder, msg: String) -> E {
    let e = E::custom(&msg);
    b.json_error.get_or_insert(msg);
    e
}

struct Root<'a> {
    b: &'a mut Builder,
}

impl<'de> DeserializeSeed<'de> for Root<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Root<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an index object")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match field_index(&key, ROOT_FIELDS) {
                Some(3) => map.next_value_seed(Entries { b: &mut *self.b })?,
                Some(_) => {
                    let v: V = map.next_value()?;
                    if let Err(msg) = self.b.root_field(key, v) {
                        return Err(fail(self.b, msg));
                    }
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(fail(self.b, not_an_index("bool")))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(fail(self.b, not_an_index("number")))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(fail(self.b, not_an_index("number")))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(fail(self.b, not_an_index("number")))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(fail(self.b, not_an_index("string")))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(fail(self.b, not_an_index("array")))
    }
}

fn not_an_index(kind: &str) -> String {
    format!("cannot unmarshal {kind} into Go value of type repo.IndexFile")
}

struct Entries<'a> {
    b: &'a mut Builder,
}

impl<'de> DeserializeSeed<'de> for Entries<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

fn bad_entries(kind: &str) -> String {
    format!(
        "cannot unmarshal {kind} into Go struct field IndexFile.entries of type map[string]repo.ChartVersions"
    )
}

impl<'de> Visitor<'de> for Entries<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("the entries object")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.b.entries_null();
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.b.entries_begin_map();
        while let Some(name) = map.next_key::<String>()? {
            map.next_value_seed(Chart {
                b: &mut *self.b,
                name,
            })?;
        }
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(fail(self.b, bad_entries("bool")))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(fail(self.b, bad_entries("number")))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(fail(self.b, bad_entries("number")))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(fail(self.b, bad_entries("number")))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(fail(self.b, bad_entries("string")))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(fail(self.b, bad_entries("array")))
    }
}

struct Chart<'a> {
    b: &'a mut Builder,
    name: String,
}

impl<'de> DeserializeSeed<'de> for Chart<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

fn bad_chart(kind: &str) -> String {
    format!("cannot unmarshal {kind} into Go value of type repo.ChartVersions")
}

impl<'de> Visitor<'de> for Chart<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of chart versions")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        match self.b.chart(self.name, V::Null) {
            Ok(()) => Ok(()),
            Err(msg) => Err(fail(self.b, msg)),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if let Err(msg) = self.b.chart_begin(self.name) {
            return Err(fail(self.b, msg));
        }
        while let Some(v) = seq.next_element::<V>()? {
            if let Err(msg) = self.b.chart_version(v) {
                return Err(fail(self.b, msg));
            }
        }
        match self.b.chart_end() {
            Ok(()) => Ok(()),
            Err(msg) => Err(fail(self.b, msg)),
        }
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(fail(self.b, bad_chart("bool")))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(fail(self.b, bad_chart("number")))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(fail(self.b, bad_chart("number")))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(fail(self.b, bad_chart("number")))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(fail(self.b, bad_chart("string")))
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(fail(self.b, bad_chart("object")))
    }
}

impl<'de> serde::Deserialize<'de> for V {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<V, D::Error> {
        d.deserialize_any(VVisitor)
    }
}

struct VVisitor;

impl<'de> Visitor<'de> for VVisitor {
    type Value = V;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<V, E> {
        Ok(V::Null)
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<V, E> {
        Ok(V::Bool(b))
    }
    fn visit_i64<E: de::Error>(self, i: i64) -> Result<V, E> {
        Ok(V::Int(i))
    }
    fn visit_u64<E: de::Error>(self, u: u64) -> Result<V, E> {
        Ok(V::Uint(u))
    }
    fn visit_f64<E: de::Error>(self, f: f64) -> Result<V, E> {
        Ok(V::Float(f))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<V, E> {
        Ok(V::Str(s.to_string()))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<V, E> {
        Ok(V::Str(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<V, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element::<V>()? {
            items.push(v);
        }
        Ok(V::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<V, A::Error> {
        let mut pairs = Vec::new();
        while let Some(k) = map.next_key::<String>()? {
            let v: V = map.next_value()?;
            pairs.push((k, v));
        }
        Ok(V::Map(pairs))
    }
}
