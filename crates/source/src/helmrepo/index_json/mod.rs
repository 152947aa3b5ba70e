//! The HelmRepository artifact: the index as source-controller stores it.
//!
//! Flux loads the downloaded `index.yaml` with `IndexFromBytes` (JSON when the bytes are valid
//! JSON, else `sigs.k8s.io/yaml.UnmarshalStrict` into Helm's `repo.IndexFile`; an empty file or
//! a missing `apiVersion` is an error; each chart version gets `apiVersion: v1` when it has
//! none and is dropped when Helm's metadata validation refuses it; `SortEntries`), then stores
//! `json.MarshalIndent(index, "", "  ")` as `index-<hex>.yaml`. The artifact's revision is
//! `sha256:` of the downloaded bytes, its digest `sha256:` of the JSON.
//!
//! [`write_index_json`] produces those JSON bytes without a tree of the document: the input is
//! streamed, each chart version is decoded, validated and written to a scratch file beside the
//! index as soon as it is read, and the artifact is assembled from that file in Go's order
//! (charts by name, versions by Go's unstable `sort.Sort`). Memory holds one chart version at
//! a time plus a sort key and an offset per version.

mod gosort;
mod json_in;
mod model;
mod yaml;

/// Go's `sort.Sort`, for the compact index to order versions as the artifact does.
pub(super) use gosort::sort as go_sort;

use super::index::IndexError;
use model::{Decoder, Head, ROOT_FIELDS, Ty, V, field_index};
use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

/// What [`write_index_json`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexJson {
    /// `sha256:<hex>` of the JSON bytes: the HelmRepository artifact's digest.
    pub digest: String,
    /// Size of the JSON in bytes.
    pub size: u64,
    /// Charts in the artifact.
    pub charts: usize,
    /// Chart versions kept (validation drops some).
    pub versions: usize,
}

/// Reads the index file at `index` (YAML or JSON, as downloaded) and writes Flux's JSON
/// artifact for it to `out`. A scratch file is created (and removed) beside `index`.
///
/// Errors are Flux's: an empty file, no `apiVersion`, YAML or JSON that does not decode into
/// Helm's types (an unknown field in YAML, a list where a string belongs, a `created` that is
/// not RFC 3339, a repeated YAML key…), and a chart list with a null entry among others
/// (which makes Helm's sort panic in source-controller).
pub fn write_index_json(index: &Path, out: impl Write) -> Result<IndexJson, IndexError> {
    let read_err = |source| IndexError::Read {
        path: index.to_path_buf(),
        source,
    };
    let mut file = File::open(index).map_err(read_err)?;
    let dir = match index.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => Path::new(".").to_path_buf(),
    };
    convert(&mut file, &dir, out).map_err(|e| match e {
        Fail::Index(e) => e,
        Fail::Read(source) => read_err(source),
    })
}

/// Writes the artifact for `index` to `dest` through a temporary file beside it, renamed into
/// place when complete.
pub fn write_index_artifact(index: &Path, dest: &Path) -> Result<IndexJson, IndexError> {
    let parent = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let tmp = tempfile::NamedTempFile::new_in(parent).map_err(IndexError::Write)?;
    let info = write_index_json(index, BufWriter::new(tmp.as_file()))?;
    tmp.as_file().sync_all().map_err(IndexError::Write)?;
    tmp.persist(dest).map_err(|e| IndexError::Write(e.error))?;
    Ok(info)
}

/// Flux's artifact file name for a revision (`sha256:<hex>` → `index-<hex>.yaml`).
pub fn artifact_file_name(revision: &str) -> String {
    let hex = revision.split_once(':').map_or(revision, |(_, h)| h);
    format!("index-{hex}.yaml")
}

enum Fail {
    Index(IndexError),
    Read(std::io::Error),
}

impl From<IndexError> for Fail {
    fn from(e: IndexError) -> Fail {
        Fail::Index(e)
    }
}

fn convert<F: Read + Seek>(input: &mut F, dir: &Path, out: impl Write) -> Result<IndexJson, Fail> {
    // Go's json.Valid decides the decoder; only an object can be an index, so only input that
    // starts like one is tried as JSON, and when that fails on syntax YAML gets its turn.
    let first = first_byte(input).map_err(Fail::Read)?;
    let Some(first) = first else {
        return Err(IndexError::Empty.into());
    };
    if first == b'{' {
        input.seek(SeekFrom::Start(0)).map_err(Fail::Read)?;
        let mut b = Builder::new(false, dir)?;
        match json_in::read(BufReader::with_capacity(64 * 1024, &mut *input), &mut b) {
            Ok(()) => return b.finish(out),
            Err(json_in::Failure::Semantic(msg)) => {
                input.seek(SeekFrom::Start(0)).map_err(Fail::Read)?;
                if json_in::valid(BufReader::with_capacity(64 * 1024, &mut *input)) {
                    return Err(IndexError::Parse(msg).into());
                }
            }
            Err(json_in::Failure::Syntax) => {}
        }
    }
    input.seek(SeekFrom::Start(0)).map_err(Fail::Read)?;
    let mut b = Builder::new(true, dir)?;
    yaml::read(&mut *input, &mut b).map_err(IndexError::Parse)?;
    b.finish(out)
}

/// The first byte that is not JSON white space; `None` for an empty file (Flux's
/// `ErrEmptyIndexYaml` is for zero bytes only, but white space alone has no `apiVersion`).
fn first_byte(input: &mut impl Read) -> std::io::Result<Option<u8>> {
    let mut buf = [0u8; 4096];
    let mut any = false;
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            return Ok(if any { Some(b' ') } else { None });
        }
        any = true;
        if let Some(&b) = buf[..n]
            .iter()
            .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            return Ok(Some(b));
        }
    }
}

/// A chart version in the scratch file: its place and what the sort compares.
struct Rec {
    /// `None` for a null entry (a nil `*ChartVersion`).
    key: Option<ferroflux_versions::Version>,
    off: u64,
    len: u32,
}

/// Serialised chart versions, appended to an anonymous file.
struct Spill {
    w: BufWriter<File>,
    pos: u64,
}

/// The index as it is read: the top-level fields, and per chart the records of its versions.
struct Builder {
    dec: Decoder,
    head: Head,
    /// YAML top-level fields wait to be applied in sorted key order, as sigs.k8s.io/yaml's
    /// JSON presents them.
    pending: Vec<(String, V)>,
    /// `None` is a nil map (`"entries": null`).
    entries: Option<BTreeMap<String, Option<Vec<Rec>>>>,
    current: Option<(String, Vec<Rec>)>,
    spill: Spill,
    scratch: Vec<u8>,
    /// The first JSON decoding error (the JSON path reports it only if the input is valid).
    json_error: Option<String>,
}

impl Builder {
    fn new(yaml: bool, dir: &Path) -> Result<Builder, IndexError> {
        let file = tempfile::tempfile_in(dir).map_err(IndexError::Write)?;
        Ok(Builder {
            dec: Decoder { yaml },
            head: Head::default(),
            pending: Vec::new(),
            entries: None,
            current: None,
            spill: Spill {
                w: BufWriter::with_capacity(256 * 1024, file),
                pos: 0,
            },
            scratch: Vec::with_capacity(4096),
            json_error: None,
        })
    }

    fn root_field(&mut self, key: String, v: V) -> Result<(), String> {
        match field_index(&key, ROOT_FIELDS) {
            Some(3) => self.entries_value(v),
            Some(_) if self.dec.yaml => {
                self.pending.push((key, v));
                Ok(())
            }
            Some(i) => self.dec.head_field(&mut self.head, i, v),
            None if self.dec.yaml => Err(format!("unknown field {key:?} in repo.IndexFile")),
            None => Ok(()),
        }
    }

    fn entries_value(&mut self, v: V) -> Result<(), String> {
        match v {
            V::Null => {
                self.entries_null();
                Ok(())
            }
            V::Map(pairs) => {
                self.entries_begin_map();
                for (name, chart) in pairs {
                    self.chart(name, chart)?;
                }
                Ok(())
            }
            other => Err(format!(
                "cannot unmarshal {other:?} into Go struct field IndexFile.entries"
            )),
        }
    }

    fn entries_null(&mut self) {
        self.entries = None;
    }

    /// A JSON object for `entries`: decoded into the map there is (a repeated `entries` adds
    /// to it, as Go's decoder does).
    fn entries_begin_map(&mut self) {
        self.entries.get_or_insert_with(BTreeMap::new);
    }

    fn chart(&mut self, name: String, v: V) -> Result<(), String> {
        match v {
            V::Null => {
                self.entries
                    .get_or_insert_with(BTreeMap::new)
                    .insert(name, None);
                Ok(())
            }
            V::Seq(items) => {
                self.chart_begin(name)?;
                for item in items {
                    self.chart_version(item)?;
                }
                self.chart_end()
            }
            other => Err(format!(
                "chart {name:?}: cannot unmarshal {} into Go value of type repo.ChartVersions",
                match other {
                    V::Map(_) => "object",
                    V::Str(_) => "string",
                    V::Bool(_) => "bool",
                    _ => "number",
                }
            )),
        }
    }

    fn chart_begin(&mut self, name: String) -> Result<(), String> {
        self.current = Some((name, Vec::new()));
        Ok(())
    }

    fn chart_version(&mut self, v: V) -> Result<(), String> {
        let Some((name, recs)) = self.current.as_mut() else {
            return Err("a chart version outside a chart".into());
        };
        let at = recs.len();
        let cv = self
            .dec
            .chart_version(v)
            .map_err(|e| format!("chart {name:?} version #{}: {e}", at + 1))?;
        let Some(mut cv) = cv else {
            recs.push(Rec {
                key: None,
                off: 0,
                len: 0,
            });
            return Ok(());
        };
        if model::validate(&mut cv).is_err() {
            // Helm drops (and logs) what its validation refuses.
            return Ok(());
        }
        let key = ferroflux_versions::Version::parse(&cv.version).ok();
        self.scratch.clear();
        cv.write(&mut self.scratch, 3);
        let (off, len) = self.spill.push(&self.scratch)?;
        recs.push(Rec { key, off, len });
        Ok(())
    }

    fn chart_end(&mut self) -> Result<(), String> {
        if let Some((name, recs)) = self.current.take() {
            self.entries
                .get_or_insert_with(BTreeMap::new)
                .insert(name, Some(recs));
        }
        Ok(())
    }

    /// Flux's checks after decoding, the sort, and the JSON.
    fn finish(mut self, out: impl Write) -> Result<IndexJson, Fail> {
        let mut pending = std::mem::take(&mut self.pending);
        pending.sort_by(|a, b| a.0.cmp(&b.0));
        for (key, v) in pending {
            if let Some(i) = field_index(&key, ROOT_FIELDS) {
                self.dec
                    .head_field(&mut self.head, i, v)
                    .map_err(IndexError::Parse)?;
            }
        }
        if self.head.api_version.is_empty() {
            return Err(IndexError::NoApiVersion.into());
        }
        let mut entries = self.entries.take();
        for (name, recs) in entries.iter_mut().flatten() {
            let Some(recs) = recs else { continue };
            if recs.len() > 1 && recs.iter().any(|r| r.key.is_none()) {
                return Err(IndexError::Parse(format!(
                    "chart {name:?} has a null entry among its versions: Helm's SortEntries \
                     dereferences it (source-controller panics on this index)"
                ))
                .into());
            }
            // SortEntries: sort.Sort(sort.Reverse(versions)), Less = semver LessThan.
            gosort::sort(recs, &|a: &Rec, b: &Rec| match (&b.key, &a.key) {
                (Some(x), Some(y)) => x < y,
                _ => false,
            });
        }
        let file = self
            .spill
            .w
            .into_inner()
            .map_err(|e| IndexError::Write(e.into_error()))?;
        let mut spill = SpillReader {
            file,
            buf: Vec::new(),
        };
        let mut w = BufWriter::with_capacity(256 * 1024, HashWriter::new(out));
        let counts = write_all(&mut w, &self.head, entries.as_ref(), &mut spill)
            .map_err(IndexError::Write)?;
        let hw = w
            .into_inner()
            .map_err(|e| IndexError::Write(e.into_error()))?;
        let (digest, size) = hw.finish().map_err(IndexError::Write)?;
        Ok(IndexJson {
            digest,
            size,
            charts: counts.0,
            versions: counts.1,
        })
    }
}

/// The YAML path: every value goes through sigs.k8s.io/yaml's coercion first.
impl yaml::Sink for Builder {
    fn root_field(&mut self, key: String, mut v: V) -> Result<(), String> {
        model::coerce(&mut v, model::field_ty(Ty::IndexFile, &key));
        Builder::root_field(self, key, v)
    }
    fn entries_begin(&mut self) -> Result<(), String> {
        self.entries_begin_map();
        Ok(())
    }
    fn chart(&mut self, name: String, mut v: V) -> Result<(), String> {
        model::coerce(&mut v, Ty::ChartVersions);
        Builder::chart(self, name, v)
    }
    fn chart_begin(&mut self, name: String) -> Result<(), String> {
        Builder::chart_begin(self, name)
    }
    fn chart_version(&mut self, mut v: V) -> Result<(), String> {
        model::coerce(&mut v, Ty::ChartVersion);
        Builder::chart_version(self, v)
    }
    fn chart_end(&mut self) -> Result<(), String> {
        Builder::chart_end(self)
    }
}

impl Spill {
    fn push(&mut self, bytes: &[u8]) -> Result<(u64, u32), String> {
        let len = u32::try_from(bytes.len())
            .map_err(|_| "a chart version larger than 4 GiB".to_string())?;
        self.w
            .write_all(bytes)
            .map_err(|e| format!("writing the scratch file: {e}"))?;
        let off = self.pos;
        self.pos += u64::from(len);
        Ok((off, len))
    }
}

struct SpillReader {
    file: File,
    buf: Vec<u8>,
}

impl SpillReader {
    /// Copies one record to `out`: one positioned read each, as the sort may have reversed or
    /// shuffled the order they were written in (a buffered reader would refill on every seek).
    fn copy(&mut self, rec: &Rec, out: &mut impl Write) -> std::io::Result<()> {
        self.buf.resize(rec.len as usize, 0);
        read_at(&self.file, &mut self.buf, rec.off)?;
        out.write_all(&self.buf)
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], off: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, off)
}

#[cfg(not(unix))]
fn read_at(mut file: &File, buf: &mut [u8], off: u64) -> std::io::Result<()> {
    file.seek(SeekFrom::Start(off))?;
    file.read_exact(buf)
}

/// Writes the whole artifact; returns (charts, versions).
fn write_all(
    w: &mut impl Write,
    head: &Head,
    entries: Option<&BTreeMap<String, Option<Vec<Rec>>>>,
    spill: &mut SpillReader,
) -> std::io::Result<(usize, usize)> {
    let mut buf = Vec::with_capacity(4096);
    buf.push(b'{');
    let field = |buf: &mut Vec<u8>, first: bool, key: &str| {
        if !first {
            buf.push(b',');
        }
        model::newline(buf, 1);
        model::write_str(buf, key);
        buf.extend_from_slice(b": ");
    };
    let mut first = true;
    if let Some(si) = head.server_info.as_ref().filter(|m| !m.is_empty()) {
        field(&mut buf, first, "serverInfo");
        model::write_any_map(&mut buf, si, 1);
        first = false;
    }
    field(&mut buf, first, "apiVersion");
    model::write_str(&mut buf, &head.api_version);
    field(&mut buf, false, "generated");
    head.write_generated(&mut buf);
    field(&mut buf, false, "entries");
    let mut counts = (0, 0);
    match entries {
        None => buf.extend_from_slice(b"null"),
        Some(m) if m.is_empty() => buf.extend_from_slice(b"{}"),
        Some(m) => {
            buf.push(b'{');
            for (i, (name, recs)) in m.iter().enumerate() {
                counts.0 += 1;
                if i > 0 {
                    buf.push(b',');
                }
                model::newline(&mut buf, 2);
                model::write_str(&mut buf, name);
                buf.extend_from_slice(b": ");
                match recs {
                    None => buf.extend_from_slice(b"null"),
                    Some(recs) if recs.is_empty() => buf.extend_from_slice(b"[]"),
                    Some(recs) => {
                        buf.push(b'[');
                        for (j, rec) in recs.iter().enumerate() {
                            counts.1 += 1;
                            if j > 0 {
                                buf.push(b',');
                            }
                            model::newline(&mut buf, 3);
                            if rec.key.is_none() {
                                buf.extend_from_slice(b"null");
                            } else {
                                w.write_all(&buf)?;
                                buf.clear();
                                spill.copy(rec, w)?;
                            }
                        }
                        model::newline(&mut buf, 2);
                        buf.push(b']');
                    }
                }
                if buf.len() > 64 * 1024 {
                    w.write_all(&buf)?;
                    buf.clear();
                }
            }
            model::newline(&mut buf, 1);
            buf.push(b'}');
        }
    }
    if let Some(keys) = head.public_keys.as_ref().filter(|k| !k.is_empty()) {
        field(&mut buf, false, "publicKeys");
        model::write_strings(&mut buf, keys, 1);
    }
    if let Some(a) = head.annotations.as_ref().filter(|a| !a.is_empty()) {
        field(&mut buf, false, "annotations");
        model::write_string_map(&mut buf, a, 1);
    }
    buf.extend_from_slice(b"\n}");
    w.write_all(&buf)?;
    w.flush()?;
    Ok(counts)
}

/// Counts and hashes what goes through.
struct HashWriter<W> {
    inner: W,
    hasher: Sha256,
    size: u64,
}

impl<W: Write> HashWriter<W> {
    fn new(inner: W) -> Self {
        HashWriter {
            inner,
            hasher: Sha256::new(),
            size: 0,
        }
    }

    fn finish(mut self) -> std::io::Result<(String, u64)> {
        self.inner.flush()?;
        Ok((
            format!("sha256:{}", hex::encode(self.hasher.finalize())),
            self.size,
        ))
    }
}

impl<W: Write> Write for HashWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests;
