//! Checks the CRDs enforce beyond types: URL schemes, SemVer ranges, duration patterns,
//! one-of rules.

use ferroflux_versions::Constraints;

use super::{FieldError, FluxObject};
use crate::duration::{DURATION_PATTERN, Duration, TIMEOUT_PATTERN};
use crate::revision::Digest;
use crate::source::HelmChartSourceKind;

/// Every problem found in an already-typed object (empty when valid).
pub fn validate(object: &FluxObject) -> Vec<FieldError> {
    let mut v = Checks(Vec::new());
    match object {
        FluxObject::GitRepository(o) => {
            let s = &o.spec;
            v.url("spec.url", &s.url, &["http", "https", "ssh"]);
            v.interval("spec.interval", &s.interval);
            v.timeout("spec.timeout", s.timeout.as_ref());
            if let Some(r) = &s.reference {
                v.semver("spec.ref.semver", r.semver.as_deref());
            }
        }
        FluxObject::HelmRepository(o) => {
            let s = &o.spec;
            v.url("spec.url", &s.url, &["http", "https", "oci"]);
            v.opt_duration("spec.interval", s.interval.as_ref());
            v.timeout("spec.timeout", s.timeout.as_ref());
            if s.type_ == Some(crate::source::HelmRepositoryType::Oci)
                && !s.url.starts_with("oci://")
            {
                v.push(
                    "spec.url",
                    format!("{:?} must start with oci:// when spec.type is oci", s.url),
                );
            }
        }
        FluxObject::HelmChart(o) => {
            let s = &o.spec;
            v.interval("spec.interval", &s.interval);
            if s.source_ref.kind == HelmChartSourceKind::HelmRepository {
                v.semver("spec.version", s.version.as_deref());
            }
        }
        FluxObject::OCIRepository(o) => {
            let s = &o.spec;
            v.url("spec.url", &s.url, &["oci"]);
            v.interval("spec.interval", &s.interval);
            v.timeout("spec.timeout", s.timeout.as_ref());
            if let Some(r) = &s.reference {
                v.semver("spec.ref.semver", r.semver.as_deref());
                if let Some(d) = r.digest.as_deref().filter(|d| !d.is_empty())
                    && let Err(e) = Digest::parse(d)
                {
                    v.push("spec.ref.digest", e.to_string());
                }
                if let Some(f) = r.semver_filter.as_deref() {
                    v.regex("spec.ref.semverFilter", f);
                }
            }
        }
        FluxObject::Bucket(o) => {
            let s = &o.spec;
            v.interval("spec.interval", &s.interval);
            v.timeout("spec.timeout", s.timeout.as_ref());
            if let Some(sts) = &s.sts {
                v.url("spec.sts.endpoint", &sts.endpoint, &["http", "https"]);
            }
        }
        FluxObject::ExternalArtifact(_) => {}
        FluxObject::Kustomization(o) => {
            let s = &o.spec;
            v.interval("spec.interval", &s.interval);
            v.opt_duration("spec.retryInterval", s.retry_interval.as_ref());
            v.opt_duration("spec.timeout", s.timeout.as_ref());
        }
        FluxObject::HelmRelease(o) => {
            let s = &o.spec;
            v.interval("spec.interval", &s.interval);
            v.opt_duration("spec.timeout", s.timeout.as_ref());
            match (&s.chart, &s.chart_ref) {
                (Some(_), Some(_)) => v.push(
                    "spec.chartRef",
                    "spec.chart and spec.chartRef are mutually exclusive",
                ),
                (None, None) => v.push(
                    "spec.chart",
                    "either spec.chart or spec.chartRef must be set",
                ),
                _ => {}
            }
            if let Some(chart) = &s.chart {
                v.opt_duration("spec.chart.spec.interval", chart.spec.interval.as_ref());
                if chart.spec.source_ref.kind == HelmChartSourceKind::HelmRepository {
                    v.semver("spec.chart.spec.version", chart.spec.version.as_deref());
                }
            }
            if let Some(name) = &s.release_name
                && name.len() > 53
            {
                v.push(
                    "spec.releaseName",
                    format!("{name:?} is longer than 53 characters"),
                );
            }
        }
        FluxObject::Provider(o) => {
            v.timeout("spec.timeout", o.spec.timeout.as_ref());
            if let Some(p) = &o.spec.proxy {
                v.url("spec.proxy", p, &["http", "https"]);
            }
        }
        FluxObject::Alert(o) => {
            for (i, r) in o.spec.inclusion_list.iter().flatten().enumerate() {
                v.regex(&format!("spec.inclusionList[{i}]"), r);
            }
            for (i, r) in o.spec.exclusion_list.iter().flatten().enumerate() {
                v.regex(&format!("spec.exclusionList[{i}]"), r);
            }
        }
        FluxObject::Receiver(o) => {
            v.opt_duration("spec.interval", o.spec.interval.as_ref());
            for (i, p) in o.spec.oidc_providers.iter().flatten().enumerate() {
                v.url(
                    &format!("spec.oidcProviders[{i}].issuerURL"),
                    &p.issuer_url,
                    &["http", "https"],
                );
            }
        }
        FluxObject::ImageRepository(o) => {
            v.interval("spec.interval", &o.spec.interval);
            v.timeout("spec.timeout", o.spec.timeout.as_ref());
            if o.spec.exclusion_list.as_ref().is_some_and(|l| l.len() > 25) {
                v.push("spec.exclusionList", "at most 25 entries are allowed");
            }
        }
        FluxObject::ImagePolicy(o) => {
            let p = &o.spec.policy;
            let set = [
                p.semver.is_some(),
                p.alphabetical.is_some(),
                p.numerical.is_some(),
            ];
            if set.iter().filter(|b| **b).count() != 1 {
                v.push(
                    "spec.policy",
                    "exactly one of semver, alphabetical or numerical must be set",
                );
            }
            if let Some(sv) = &p.semver {
                v.semver("spec.policy.semver.range", Some(&sv.range));
            }
            if let Some(f) = o
                .spec
                .filter_tags
                .as_ref()
                .and_then(|f| f.pattern.as_deref())
            {
                v.regex("spec.filterTags.pattern", f);
            }
            v.opt_duration("spec.interval", o.spec.interval.as_ref());
        }
        FluxObject::ImageUpdateAutomation(o) => {
            v.interval("spec.interval", &o.spec.interval);
        }
        FluxObject::FluxConfig(o) => {
            if let Some(g) = &o.spec.git_repository
                && let Some(url) = &g.url
            {
                v.url("spec.gitRepository.url", url, &["http", "https", "ssh"]);
            }
            if let Some(oci) = &o.spec.oci_repository
                && let Some(url) = &oci.url
            {
                v.url("spec.ociRepository.url", url, &["oci"]);
            }
        }
    }
    v.0
}

struct Checks(Vec<FieldError>);

impl Checks {
    fn push(&mut self, path: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(path, message));
    }

    fn url(&mut self, path: &str, url: &str, schemes: &[&str]) {
        let ok = url
            .split_once("://")
            .is_some_and(|(scheme, _)| schemes.contains(&scheme));
        if !ok {
            let allowed: Vec<String> = schemes.iter().map(|s| format!("{s}://")).collect();
            self.push(
                path,
                format!(
                    "invalid URL {url:?}: scheme must be one of {}",
                    allowed.join(", ")
                ),
            );
        }
    }

    fn interval(&mut self, path: &str, d: &Duration) {
        if !d.matches_crd_pattern() {
            self.push(
                path,
                format!(
                    "invalid duration {:?}: must match {DURATION_PATTERN}",
                    d.as_text()
                ),
            );
        }
    }

    fn timeout(&mut self, path: &str, d: Option<&Duration>) {
        if let Some(d) = d
            && !d.matches_timeout_pattern()
        {
            self.push(
                path,
                format!(
                    "invalid duration {:?}: must match {TIMEOUT_PATTERN}",
                    d.as_text()
                ),
            );
        }
    }

    fn opt_duration(&mut self, path: &str, d: Option<&Duration>) {
        if let Some(d) = d {
            self.interval(path, d);
        }
    }

    fn semver(&mut self, path: &str, range: Option<&str>) {
        if let Some(r) = range.filter(|r| !r.is_empty())
            && let Err(e) = Constraints::parse(r)
        {
            self.push(path, format!("invalid semver range {r:?}: {e}"));
        }
    }

    fn regex(&mut self, path: &str, pattern: &str) {
        if let Err(e) = regex::Regex::new(pattern) {
            self.push(path, format!("invalid regular expression {pattern:?}: {e}"));
        }
    }
}
