//! `spec.recurseSubmodules`: each gitlink in the tree is fetched from the URL `.gitmodules`
//! gives it (relative URLs resolve against the parent's) with the parent's credentials, and
//! checked out in place, recursively.

use std::collections::BTreeMap;

/// `.gitmodules`: submodule path → URL.
pub fn parse_gitmodules(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let (mut path, mut url): (Option<String>, Option<String>) = (None, None);
    let mut flush = |path: &mut Option<String>, url: &mut Option<String>| {
        if let (Some(p), Some(u)) = (path.take(), url.take()) {
            out.insert(p.trim_end_matches('/').to_string(), u);
        }
    };
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if line.starts_with('[') {
            flush(&mut path, &mut url);
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim().trim_matches('"').to_string();
        match key.trim().to_ascii_lowercase().as_str() {
            "path" => path = Some(value),
            "url" => url = Some(value),
            _ => {}
        }
    }
    flush(&mut path, &mut url);
    out
}

/// A submodule URL as Git resolves it: `./x` and `../x` are relative to the parent's URL.
pub fn resolve_url(parent: &str, url: &str) -> String {
    if !url.starts_with("./") && !url.starts_with("../") {
        return url.to_string();
    }
    let mut base: Vec<&str> = parent.trim_end_matches('/').split('/').collect();
    let mut rest = url;
    loop {
        if let Some(r) = rest.strip_prefix("./") {
            rest = r;
        } else if let Some(r) = rest.strip_prefix("../") {
            // Never climb past the scheme and host.
            if base.len() > 3 {
                base.pop();
            }
            rest = r;
        } else {
            break;
        }
    }
    format!("{}/{}", base.join("/"), rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_paths_and_urls() {
        let text = "[submodule \"lib\"]\n\tpath = libs/lib\n\turl = ../lib.git\n[submodule \"x\"]\n  url = https://h/x.git\n  path = x/\n";
        let m = parse_gitmodules(text);
        assert_eq!(m["libs/lib"], "../lib.git");
        assert_eq!(m["x"], "https://h/x.git");
    }

    #[test]
    fn relative_urls_follow_the_parent() {
        assert_eq!(
            resolve_url("http://h/git/app.git", "../lib.git"),
            "http://h/git/lib.git"
        );
        assert_eq!(
            resolve_url("http://h/git/app.git/", "./lib.git"),
            "http://h/git/app.git/lib.git"
        );
        assert_eq!(
            resolve_url("ssh://git@h:22/a/b.git", "../../c.git"),
            "ssh://git@h:22/c.git"
        );
        assert_eq!(
            resolve_url("http://h/a.git", "../../../x.git"),
            "http://h/x.git"
        );
        assert_eq!(
            resolve_url("http://h/a.git", "https://o/x.git"),
            "https://o/x.git"
        );
    }
}
