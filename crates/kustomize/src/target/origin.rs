//! Origins (`config.kubernetes.io/origin`): where each object and each generated or transformed object was configured.

use super::*;

/// Where objects come from, for `config.kubernetes.io/origin`: a path relative to the top
/// kustomization, or to the root of a remote repository (then with its URL and ref).
#[derive(Clone, Debug, Default)]
pub struct Origin {
    /// The directory (or file) path.
    pub path: String,
    /// The remote repository's clone URL, empty for local files.
    pub repo: String,
    /// The remote repository's ref, if any.
    pub git_ref: String,
}

impl Origin {
    /// `rel` below this origin; as in kustomize, an entry that parses as a repository URL
    /// (even an http(s) file) is recorded as that repository and its path.
    pub(super) fn join(&self, rel: &str) -> Origin {
        if let Ok(spec) = RepoSpec::parse(rel) {
            return Origin::remote(&spec);
        }
        Origin {
            path: origin_join(&self.path, rel),
            ..self.clone()
        }
    }

    /// The root of a remote base.
    pub(super) fn remote(spec: &RepoSpec) -> Origin {
        Origin {
            path: spec.origin_path(),
            repo: spec.clone_url(),
            git_ref: spec.git_ref.clone(),
        }
    }

    /// `repo:` and `ref:` lines (kyaml's field order: path, repo, ref, configuredIn, …).
    pub(super) fn repo_lines(&self) -> String {
        let mut out = String::new();
        if !self.repo.is_empty() {
            out.push_str(&format!("repo: {}\n", origin_scalar(&self.repo)));
        }
        if !self.git_ref.is_empty() {
            out.push_str(&format!("ref: {}\n", origin_scalar(&self.git_ref)));
        }
        out
    }

    /// The annotation of an object read from `rel`.
    pub(super) fn path_text(&self, rel: &str) -> String {
        let o = self.join(rel);
        format!("path: {}\n{}", origin_scalar(&o.path), o.repo_lines())
    }

    /// The first lines of the annotation of an object a generator or transformer configured
    /// in `file` made or changed (`configuredBy` follows).
    pub(super) fn configured_in(&self, file: &str) -> String {
        format!(
            "{}configuredIn: {}\n",
            self.repo_lines(),
            origin_scalar(&origin_join(&self.path, file))
        )
    }
}

/// The annotation recording where an object came from.
pub const ORIGIN_ANNOTATION: &str = "config.kubernetes.io/origin";

pub(super) fn origin_join(base: &str, rel: &str) -> String {
    let joined = crate::loader::normalize(&Path::new(base).join(rel));
    joined.to_string_lossy().into_owned()
}

/// Removes the origin annotation from a plugin config and returns its path.
pub(super) fn take_origin_path(obj: &mut Value) -> Option<String> {
    let annotations = obj
        .get_mut("metadata")?
        .get_mut("annotations")?
        .as_object_mut()?;
    let text = annotations.remove(ORIGIN_ANNOTATION)?;
    if annotations.is_empty()
        && let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut)
    {
        m.remove("annotations");
    }
    let origin = crate::yaml::parse_one(text.as_str()?).ok()?;
    origin.get("path")?.as_str().map(str::to_string)
}

pub(super) fn origin_scalar(s: &str) -> String {
    crate::yaml::emit::to_yaml_document(&Value::String(s.to_string()))
        .trim_end()
        .to_string()
}

pub(super) fn annotate_origin(r: &mut Resource, text: String) {
    crate::resource::set_path(
        &mut r.obj,
        &["metadata", "annotations", ORIGIN_ANNOTATION],
        Value::String(text),
    );
}
