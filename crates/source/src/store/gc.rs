//! Retention, as source-controller's flags set it: keep at least the newest `records` artifacts
//! of an object (`--artifact-retention-records`, 2), and delete older ones once they are older
//! than `ttl` (`--artifact-retention-ttl`, 1m). The file the link names is never deleted.

use super::{LATEST, ObjectKey, Store, StoreError, io_at};
use std::time::{Duration, SystemTime};

#[derive(Clone, Copy, Debug)]
pub struct Retention {
    pub records: usize,
    pub ttl: Duration,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            records: 2,
            ttl: Duration::from_secs(60),
        }
    }
}

impl Store {
    /// Deletes an object's expired artifacts; returns the names deleted, oldest first.
    /// The caller holds the object's lock.
    pub fn collect_garbage(
        &self,
        key: &ObjectKey,
        retention: Retention,
        now: SystemTime,
    ) -> Result<Vec<String>, StoreError> {
        let dir = self.root.join(key.dir());
        let current = std::fs::read_link(dir.join(LATEST)).ok();
        let mut files: Vec<(SystemTime, String)> = Vec::new();
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_at(&dir)(e)),
        };
        for entry in entries {
            let entry = entry.map_err(io_at(&dir))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let meta = entry.metadata().map_err(io_at(&entry.path()))?;
            // Links, the lock and unfinished writes are not artifacts.
            if !meta.is_file() || name == ".lock" || name.starts_with(".tmp-") {
                continue;
            }
            files.push((meta.modified().map_err(io_at(&entry.path()))?, name));
        }
        // Newest first; equal times by name so the order is stable.
        files.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let mut deleted = Vec::new();
        for (modified, name) in files.into_iter().skip(retention.records) {
            let expired = now
                .duration_since(modified)
                .map(|age| age > retention.ttl)
                .unwrap_or(false);
            if !expired || current.as_deref() == Some(std::path::Path::new(&name)) {
                continue;
            }
            let path = dir.join(&name);
            std::fs::remove_file(&path).map_err(io_at(&path))?;
            deleted.push(name);
        }
        deleted.reverse();
        Ok(deleted)
    }
}
