//! User-supplied values: `-f` files and the `--set` family, merged in Helm's fixed order
//! (files, then `--set-json`, `--set`, `--set-string`, `--set-file`, `--set-literal`).

use crate::strvals::{Mode, parse_into};
use crate::yaml::{self, Values};
use serde_json::Value as J;
use std::path::{Path, PathBuf};

/// The value flags of `helm template`/`install`.
#[derive(Debug, Clone, Default)]
pub struct ValueOptions {
    pub value_files: Vec<PathBuf>,
    pub json_values: Vec<String>,
    pub values: Vec<String>,
    pub string_values: Vec<String>,
    pub file_values: Vec<String>,
    pub literal_values: Vec<String>,
}

/// Fetches a values file named by an `http(s)` URL (the CLI passes one; a library build that
/// gives none refuses URLs).
pub type UrlFetch<'a> = &'a dyn Fn(&str) -> Result<Vec<u8>, String>;

/// Helm's `readFile`: `-` is standard input (read to its end: a second `-` gets nothing), an
/// `http`/`https` URL is fetched, anything else is a file relative to `base`.
fn read_file(base: &Path, p: &str, fetch: UrlFetch<'_>) -> Result<Vec<u8>, String> {
    if p.trim() == "-" {
        use std::io::Read;
        let mut b = Vec::new();
        std::io::stdin()
            .read_to_end(&mut b)
            .map_err(|e| go_io_error(&e))?;
        return Ok(b);
    }
    if is_http_url(p) {
        return fetch(p);
    }
    let path = base.join(p);
    std::fs::read(&path).map_err(|e| {
        // `os.ReadFile` opens a directory and fails on the read.
        let op = if e.kind() == std::io::ErrorKind::IsADirectory {
            "read"
        } else {
            "open"
        };
        format!("{op} {p}: {}", go_io_error(&e))
    })
}

/// Whether Helm's getters take the name (`url.Parse` lower-cases the scheme).
fn is_http_url(p: &str) -> bool {
    p.split_once("://")
        .is_some_and(|(scheme, _)| matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https"))
}

/// Go's wording of common I/O errors.
pub fn go_io_error(e: &std::io::Error) -> String {
    ferroflux_goformat::go_io_error(e)
}

impl ValueOptions {
    /// Merges every source into one map; relative paths are resolved against `base`; URLs
    /// are refused.
    pub fn merge(&self, base: &Path) -> Result<Values, String> {
        self.merge_fetching(base, &|url| {
            Err(format!("{url}: values from URLs are not fetched here"))
        })
    }

    /// [`ValueOptions::merge`], with `fetch` reading the files named by `http(s)` URLs.
    pub fn merge_fetching(&self, base: &Path, fetch: UrlFetch<'_>) -> Result<Values, String> {
        let mut out = Values::new();
        for f in &self.value_files {
            let shown = f.display().to_string();
            let data = read_file(base, &shown, fetch)?;
            let m = yaml::load_values_bytes(&data)
                .map_err(|e| format!("failed to parse {shown}: {e}"))?;
            out = yaml::merge_maps(out, m);
        }
        for v in &self.json_values {
            let t = v.trim();
            if t.starts_with('{') {
                let m: Values = serde_json::from_str(t)
                    .map_err(|_| format!("failed parsing --set-json data JSON: {v}"))?;
                let m = match yaml::floats(J::Object(m)) {
                    J::Object(m) => m,
                    _ => Values::new(),
                };
                out = yaml::merge_maps(out, m);
            } else {
                parse_into(v, &mut out, Mode::Json)
                    .map_err(|_| format!("failed parsing --set-json data {v}"))?;
            }
        }
        for v in &self.values {
            parse_into(v, &mut out, Mode::Typed)
                .map_err(|e| format!("failed parsing --set data: {e}"))?;
        }
        for v in &self.string_values {
            parse_into(v, &mut out, Mode::String)
                .map_err(|e| format!("failed parsing --set-string data: {e}"))?;
        }
        // A file's bytes as a Go string (bytes that are not UTF-8 kept, see `gobytes`).
        let reader = |p: &str| {
            read_file(base, p, fetch).map(|b| ferroflux_goformat::gobytes::string_from_go_bytes(&b))
        };
        for v in &self.file_values {
            parse_into(v, &mut out, Mode::File(&reader))
                .map_err(|e| format!("failed parsing --set-file data: {e}"))?;
        }
        for v in &self.literal_values {
            parse_into(v, &mut out, Mode::Literal)
                .map_err(|e| format!("failed parsing --set-literal data: {e}"))?;
        }
        Ok(out)
    }
}

/// Go's `%v` of a value.
pub fn go_print(v: &J) -> String {
    ferroflux_gotemplate::fmt::sprint_value(&ferroflux_gotemplate::Value::from_json_ints(v))
}

/// `Values.PathValue`: the non-table value at a dotted path.
pub fn path_value<'a>(v: &'a Values, path: &str) -> Option<&'a J> {
    let parts: Vec<&str> = path.split('.').collect();
    let (last, tables) = parts.split_last()?;
    let mut cur = v;
    for t in tables {
        match cur.get(*t) {
            Some(J::Object(m)) => cur = m,
            _ => return None,
        }
    }
    match cur.get(*last) {
        Some(J::Object(_)) | None => None,
        Some(x) => Some(x),
    }
}

/// `Values.Table`: the table at a dotted path.
pub fn table<'a>(v: &'a Values, path: &str) -> Option<&'a Values> {
    table_at(v, path).ok()
}

/// [`table`], or Helm's error naming the first name that is missing or not a table.
pub fn table_at<'a>(v: &'a Values, path: &str) -> Result<&'a Values, String> {
    let mut cur = v;
    for name in path.split('.') {
        match cur.get(name) {
            Some(J::Object(m)) => cur = m,
            _ => {
                return Err(format!(
                    "{} is not a table",
                    ferroflux_gotemplate::fmt::go_quote(name)
                ));
            }
        }
    }
    Ok(cur)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_fails_on_the_read_as_os_readfile_does() {
        let dir = std::env::temp_dir().join(format!("ff-values-dir-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        let opts = ValueOptions {
            file_values: vec!["a=sub".into()],
            ..Default::default()
        };
        assert_eq!(
            opts.merge(&dir).unwrap_err(),
            "failed parsing --set-file data: read sub: is a directory"
        );
        let opts = ValueOptions {
            file_values: vec!["a=missing".into()],
            ..Default::default()
        };
        assert_eq!(
            opts.merge(&dir).unwrap_err(),
            "failed parsing --set-file data: open missing: no such file or directory"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
