//! The network side of `helm template --dependency-update`: Helm's repositories file, index
//! downloads into the repository cache, cached index lookups, chart downloads and registry
//! pulls, for `ferroflux_helm::depupdate` (which owns the steps, messages and versions).

use super::ChartPathFlags;
use super::registry;
use super::repo::{self, Fetch, RepoEntry};
use ferroflux_helm::depupdate::{IndexVersion, Remote};
use ferroflux_source::helmrepo::{self, Index};
use ferroflux_versions::Version;
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// [`Remote`] over Helm's configuration and the command line's registry flags.
pub struct DependencyRemote<'a> {
    flags: &'a ChartPathFlags,
    repos: Vec<RepoEntry>,
    cache_dir: PathBuf,
    rt: tokio::runtime::Runtime,
    /// Cached indexes read so far (a large index is parsed once).
    indexes: RefCell<HashMap<String, Rc<Index>>>,
}

impl<'a> DependencyRemote<'a> {
    pub fn new(flags: &'a ChartPathFlags) -> Result<DependencyRemote<'a>, String> {
        let repos = repo::load_repositories(&flags.repository_config())?;
        let cache_dir = flags.repository_cache();
        let rt = super::runtime()?;
        Ok(DependencyRemote {
            flags,
            repos,
            cache_dir,
            rt,
            indexes: RefCell::default(),
        })
    }

    /// As Go's `filepath.Join` makes it (cleaned: a name that is an `oci://` URL, which
    /// Helm can be led to look up, loses a slash).
    fn index_path(&self, cache_name: &str) -> PathBuf {
        let joined = format!("{}/{cache_name}-index.yaml", self.cache_dir.display());
        PathBuf::from(ferroflux_goformat::path_clean(&joined))
    }

    fn load(&self, cache_name: &str) -> Result<Rc<Index>, String> {
        if let Some(i) = self.indexes.borrow().get(cache_name) {
            return Ok(i.clone());
        }
        let path = self.index_path(cache_name);
        if let Err(e) = std::fs::metadata(&path) {
            return Err(format!(
                "open {}: {}",
                path.display(),
                super::go_io_error(&e)
            ));
        }
        let index = Rc::new(Index::load(&path).map_err(|e| e.to_string())?);
        self.indexes
            .borrow_mut()
            .insert(cache_name.to_string(), index.clone());
        Ok(index)
    }

    /// How a chart URL is fetched: with the TLS files and credentials of the configured
    /// repository whose cached index lists it (Helm's `scanReposForURL`), else plainly.
    fn fetch_for(&self, url: &str) -> Result<Fetch, String> {
        match repo::scan_repos_for_url(url, &self.repos, |rc| self.load(&rc.name))? {
            Some(rc) => rc.fetch(),
            None => Ok(Fetch::anonymous(url)),
        }
    }
}

impl Remote for DependencyRemote<'_> {
    fn repositories(&self) -> Vec<(String, String)> {
        self.repos
            .iter()
            .map(|r| (r.name.clone(), r.url.clone()))
            .collect()
    }

    fn update_index(&self, cache_name: &str, url: &str) -> Result<(), String> {
        // Configured repositories bring their credentials; unmanaged URLs have none.
        let fetch = match self.repos.iter().find(|r| r.name == cache_name) {
            Some(rc) => rc.fetch()?,
            None => Fetch::anonymous(url),
        };
        let mut spec = fetch.spec();
        spec.url = url.to_string();
        let scratch = tempfile::tempdir().map_err(|e| format!("creating a scratch dir: {e}"))?;
        let raw = scratch.path().join("index.yaml");
        self.rt
            .block_on(helmrepo::download_index(&spec, &fetch.auth(), &raw))
            .map_err(repo::get_error)?;
        let index = Index::load(&raw).map_err(|e| e.to_string())?;
        std::fs::create_dir_all(&self.cache_dir)
            .map_err(|e| format!("mkdir {}: {e}", self.cache_dir.display()))?;
        // Written whole or not at all: a failed update keeps the last good index.
        let data = std::fs::read(&raw).map_err(|e| format!("{}: {e}", raw.display()))?;
        super::cache::write_atomic(&self.index_path(cache_name), &data)?;
        let names: Vec<&str> = index.charts().collect();
        let charts = self.cache_dir.join(format!("{cache_name}-charts.txt"));
        super::cache::write_atomic(&charts, names.join("\n").as_bytes())?;
        self.indexes
            .borrow_mut()
            .insert(cache_name.to_string(), Rc::new(index));
        Ok(())
    }

    fn cached_versions(
        &self,
        cache_name: &str,
        chart: &str,
    ) -> Result<Option<Vec<IndexVersion>>, String> {
        let index = self.load(cache_name)?;
        Ok(index.versions(chart).map(|vs| {
            vs.iter()
                .map(|cv| IndexVersion {
                    version: cv.version.clone(),
                    urls: cv.urls.clone(),
                })
                .collect()
        }))
    }

    fn oci_tags(&self, reference: &str) -> Result<Vec<String>, String> {
        let registry_host = reference.split('/').next().unwrap_or(reference);
        let src = registry::source(&format!("oci://{reference}"), self.flags, registry_host)?;
        self.rt
            .block_on(ferroflux_source::helmrepo::oci::list_tags(&src))
            .map_err(|e| registry::helm_error(&e, reference))
    }

    fn resolve_url(&self, repo: &str, reference: &str) -> Result<String, String> {
        let base = reqwest::Url::parse(repo).map_err(|e| format!("parse {repo:?}: {e}"))?;
        helmrepo::resolve_chart_url(&base, reference).map(|u| u.to_string())
    }

    fn find_in_repo_url(&self, repo: &str, chart: &str, version: &str) -> Result<String, String> {
        let fetch = Fetch::anonymous(repo);
        self.rt.block_on(repo::find_chart_in_repo_url(
            repo, chart, version, &fetch, self.flags,
        ))
    }

    fn download(&self, url: &str, dest: &Path) -> Result<(), String> {
        // Helm's `ChartDownloader.DownloadTo`.
        self.flags
            .debug_line("set up default downloader cache", &[]);
        let fetch = self.fetch_for(url)?;
        self.rt.block_on(fetch.get(url, dest))
    }

    fn pull(&self, reference: &str, version: &str, dest: &Path) -> Result<(), String> {
        self.flags
            .debug_line("set up default downloader cache", &[]);
        let path = reference.trim_start_matches("oci://");
        let tag = if Version::parse(version).is_ok() {
            version.to_string()
        } else {
            let tags = ferroflux_helm::ocitags::semver_tags(self.oci_tags(path)?);
            ferroflux_helm::ocitags::matching_tag(&tags, version)?
        };
        let pulled = self
            .rt
            .block_on(registry::pull_into(path, &tag, self.flags, dest))?;
        registry::print_pulled(&pulled.0, &pulled.1);
        Ok(())
    }
}
