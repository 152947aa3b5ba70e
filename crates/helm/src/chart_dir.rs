//! Reading a chart directory as Helm's loader walks it: entries in byte order, `.helmignore`
//! applied, symbolic links followed, irregular files refused, each file read as it is met
//! (so the first failure in walk order is the error).
//!
//! An umbrella chart is hundreds of small files, and on a `helm template` run the system
//! calls around them cost more than parsing them. On Unix each directory is held open and
//! its entries are opened relative to it (one path component to resolve, not the whole
//! path), directories are listed without the `fstat` that `opendir` adds, and the entry
//! type from the listing saves a `stat` per file.

use crate::chart::{File, LoadError};
use crate::ignore::Rules;
use handle::Entry;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The files under `dir` that `rules` keep, in walk order, `max` bytes in all (Helm v4's
/// budget for a chart's decompressed size: the file that crosses it is named). Helm's log
/// line for each symbolic link followed is appended to `logs`.
pub(crate) fn read_tree(
    dir: &Path,
    rules: &Rules,
    max: u64,
    logs: &mut Vec<String>,
) -> Result<Vec<File>, LoadError> {
    let mut root =
        DirHandle::open(dir).map_err(|e| LoadError(format!("{}: {e}", dir.display())))?;
    let walk = Walk {
        rules,
        max,
        abs_root: go_abs(dir),
    };
    let mut found = Found::default();
    let done = walk.dir(&mut root, "", &mut found);
    logs.append(&mut found.logs);
    done?;
    // Subdirectories are read side by side, so the budget is counted here, in walk order.
    let mut used = 0u64;
    for f in &found.files {
        used += f.data.len() as u64;
        if used > max {
            return Err(over_budget(&f.name, max));
        }
    }
    Ok(found.files)
}

/// Whether loading the chart reads the file at `rel` (its own or a subchart's `Chart.yaml`,
/// values, schema, requirements, templates, or an entry of a `charts/` folder); the rest
/// (READMEs, `crds/`, files for `.Files`) is read when a template or command first uses it.
fn needed_to_load(rel: &str) -> bool {
    let mut rest = rel;
    // A subchart directory's files are named from its own root.
    while let Some(after) = rest.strip_prefix("charts/") {
        match after.split_once('/') {
            Some((_, inner)) => rest = inner,
            None => return true,
        }
    }
    matches!(
        rest,
        "Chart.yaml"
            | "values.yaml"
            | "values.schema.json"
            | "requirements.yaml"
            | "requirements.lock"
            | "Chart.lock"
    ) || rest.starts_with("templates/")
}

fn over_budget(rel: &str, max: u64) -> LoadError {
    LoadError(format!(
        "error reading {rel}: chart exceeds maximum decompressed size of {max} bytes"
    ))
}

/// What a directory entry is, as far as the listing tells.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Dir,
    File,
    /// A symbolic link or an entry the file system did not type: needs a `stat`.
    Unknown,
    /// A device, pipe or socket.
    Other,
}

/// A directory with this many subdirectories (an umbrella chart's `charts/`) has them
/// walked side by side: here two threads open and read files nearly twice as fast as one.
const SIDE_BY_SIDE_DIRS: usize = 8;

/// A directory with this many entries (a big chart's `templates/`) has them read side by
/// side too.
const SIDE_BY_SIDE_ENTRIES: usize = 24;

struct Walk<'a> {
    rules: &'a Rules,
    max: u64,
    /// The chart directory made absolute, as Helm names paths in its messages about links.
    abs_root: PathBuf,
}

/// The files read so far, in walk order, and Helm's log lines about them.
#[derive(Default)]
struct Found {
    files: Vec<File>,
    logs: Vec<String>,
}

impl Walk<'_> {
    /// Walks `dir` into `found`. Entries are taken in byte order and whatever fails first in
    /// that order is the error, as in Helm's sequential walk, even when the entries were read
    /// side by side (the files met before the failure are in `found`, the rest not).
    fn dir(&self, dir: &mut DirHandle, prefix: &str, found: &mut Found) -> Result<(), LoadError> {
        let mut entries = dir
            .entries()
            .map_err(|e| LoadError(format!("{}: {e}", dir.path.display())))?;
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        let dirs = entries.iter().filter(|e| e.kind == Kind::Dir).count();
        if dirs < SIDE_BY_SIDE_DIRS && entries.len() < SIDE_BY_SIDE_ENTRIES {
            for entry in &entries {
                self.entry(dir, entry, prefix, found)?;
            }
            return Ok(());
        }
        ferroflux_par::warm_up();
        let dir = &*dir;
        let parts = ferroflux_par::map(&entries, 2, |entry| {
            let mut part = Found::default();
            let done = self.entry(dir, entry, prefix, &mut part);
            (part, done)
        });
        for (mut part, done) in parts {
            found.files.append(&mut part.files);
            found.logs.append(&mut part.logs);
            done?;
        }
        Ok(())
    }

    /// One entry of `dir`: a file read, a directory walked, or what Helm refuses.
    fn entry(
        &self,
        dir: &DirHandle,
        entry: &Entry,
        prefix: &str,
        found: &mut Found,
    ) -> Result<(), LoadError> {
        let name = entry.display_name();
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let kind = match entry.kind {
            Kind::Unknown => self.follow(dir, entry, &rel, &mut found.logs)?,
            k => k,
        };
        if kind == Kind::Dir {
            if self.rules.ignore(&rel, true) {
                return Ok(());
            }
            let mut sub = dir
                .open_dir(entry)
                .map_err(|e| LoadError(format!("{}: {e}", dir.child_path(entry).display())))?;
            return self.dir(&mut sub, &rel, found);
        }
        if self.rules.ignore(&rel, false) {
            return Ok(());
        }
        if kind != Kind::File {
            // Helm walks the chart's absolute path, so it names the file by it.
            return Err(LoadError(format!(
                "cannot load irregular file {} as it has file mode type bits set",
                self.abs_root.join(&rel).display()
            )));
        }
        let max = self.max;
        if !needed_to_load(&rel) {
            // Opened and sized as Helm reads it (the same failures), read when first used.
            let size = dir
                .size(entry)
                .map_err(|e| LoadError(format!("error reading {rel}: {e}")))?;
            if size > max {
                return Err(over_budget(&rel, max));
            }
            let path = dir.child_path(entry);
            found.files.push(File {
                name: rel,
                data: crate::file_data::FileData::deferred(path, size),
            });
            return Ok(());
        }
        let data = dir
            .read(entry, max)
            .map_err(|e| LoadError(format!("error reading {rel}: {e}")))?
            .ok_or_else(|| over_budget(&rel, max))?;
        found.files.push(File {
            name: rel,
            data: strip_bom(data).into(),
        });
        Ok(())
    }

    /// Types an entry the listing did not: a symbolic link is followed (Helm logs it, and
    /// fails as `filepath.EvalSymlinks` does when it leads nowhere); anything else is
    /// `stat`ed.
    fn follow(
        &self,
        dir: &DirHandle,
        entry: &Entry,
        rel: &str,
        logs: &mut Vec<String>,
    ) -> Result<Kind, LoadError> {
        let abs = self.abs_root.join(rel);
        match std::fs::symlink_metadata(&abs) {
            Ok(m) if m.file_type().is_symlink() => {}
            _ => {
                return dir
                    .stat(entry)
                    .map_err(|e| LoadError(format!("error reading {rel}: {e}")));
            }
        }
        let resolved = std::fs::canonicalize(&abs).map_err(|e| {
            let (missing, e) = eval_symlinks_failure(&abs).unwrap_or((abs.clone(), e));
            LoadError(format!(
                "error evaluating symlink {}: lstat {}: {}",
                abs.display(),
                missing.display(),
                go_error_text(&e)
            ))
        })?;
        logs.push(format!(
            "level=INFO msg=\"found symbolic link in path. Contents of linked file included and used\" path={} resolved={}",
            crate::manifests::slog_text_value(&abs.display().to_string()),
            crate::manifests::slog_text_value(&resolved.display().to_string())
        ));
        dir.stat(entry)
            .map_err(|e| LoadError(format!("error reading {rel}: {e}")))
    }
}

/// Where Go's `filepath.EvalSymlinks` stops on `path` (absolute): the first name, links
/// followed and `..` taken by name, that `lstat` cannot find, with its error.
fn eval_symlinks_failure(path: &Path) -> Option<(PathBuf, std::io::Error)> {
    use std::path::Component;
    // Names still to walk, first at the end; `None` is `..`.
    fn names(p: &Path) -> impl DoubleEndedIterator<Item = Option<std::ffi::OsString>> + '_ {
        p.components().filter_map(|c| match c {
            Component::Normal(n) => Some(Some(n.to_os_string())),
            Component::ParentDir => Some(None),
            _ => None,
        })
    }
    let mut pending: Vec<Option<std::ffi::OsString>> = names(path).rev().collect();
    let mut dest = PathBuf::from("/");
    let mut links = 0;
    while let Some(name) = pending.pop() {
        let Some(name) = name else {
            dest.pop();
            continue;
        };
        let next = dest.join(&name);
        match std::fs::symlink_metadata(&next) {
            Err(e) => return Some((next, e)),
            Ok(m) if m.file_type().is_symlink() => {
                // Go gives up after 255 links; so does this, without a name to blame.
                links += 1;
                if links > 255 {
                    return None;
                }
                let target = std::fs::read_link(&next).ok()?;
                if target.is_absolute() {
                    dest = PathBuf::from("/");
                }
                pending.extend(names(&target).rev());
            }
            Ok(_) => dest = next,
        }
    }
    None
}

/// Go's `filepath.Abs`: absolute, with `.` and `..` resolved by name.
pub fn go_abs(dir: &Path) -> PathBuf {
    use std::path::Component;
    let abs = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if out.parent().is_some() {
                    out.pop();
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// How Go's `syscall.Errno` reads for the errors a link can lead to.
pub(crate) fn go_error_text(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => match e.raw_os_error() {
            Some(40) => "too many levels of symbolic links".into(),
            Some(20) => "not a directory".into(),
            _ => e.to_string(),
        },
    }
}

/// Reads to the end, or returns `None` once more than `max` bytes are seen. The buffer
/// starts large enough for a typical chart file, so one read fills it and a second finds
/// the end, where growing from empty costs a read per doubling.
fn read_limited(file: impl Read, max: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut data = Vec::with_capacity(16 * 1024);
    file.take(max + 1).read_to_end(&mut data)?;
    Ok((data.len() as u64 <= max).then_some(data))
}

pub(crate) fn strip_bom(mut data: Vec<u8>) -> Arc<[u8]> {
    drop_bom(&mut data);
    Arc::from(data)
}

/// Removes a leading UTF-8 byte order mark, as Helm's loader trims it from every file.
pub(crate) fn drop_bom(data: &mut Vec<u8>) {
    if data.starts_with(&[0xEF, 0xBB, 0xBF]) {
        data.drain(..3);
    }
}

#[cfg(unix)]
mod handle {
    use super::{Kind, read_limited};
    use rustix::fs::{AtFlags, Dir, FileType, Mode, OFlags, openat, statat};
    use std::ffi::{CString, OsStr};
    use std::os::fd::BorrowedFd;
    use std::os::unix::ffi::OsStrExt;
    use std::path::{Path, PathBuf};

    /// An open directory and its path (for messages). Its descriptor serves both the
    /// listing and the `openat`s of its entries, which do not depend on the listing's offset.
    pub(super) struct DirHandle {
        dir: Dir,
        pub(super) path: PathBuf,
        /// Whether a read that returns less than asked means the end of the file.
        short_read_is_end: bool,
    }

    pub(super) struct Entry {
        pub(super) name: CString,
        pub(super) kind: Kind,
    }

    impl Entry {
        pub(super) fn display_name(&self) -> String {
            String::from_utf8_lossy(self.name.as_bytes()).into_owned()
        }
    }

    fn io(e: rustix::io::Errno) -> std::io::Error {
        e.into()
    }

    fn kind_of(t: FileType) -> Kind {
        match t {
            FileType::Directory => Kind::Dir,
            FileType::RegularFile => Kind::File,
            FileType::Symlink | FileType::Unknown => Kind::Unknown,
            _ => Kind::Other,
        }
    }

    const DIR_FLAGS: OFlags = OFlags::RDONLY
        .union(OFlags::DIRECTORY)
        .union(OFlags::CLOEXEC);

    impl DirHandle {
        pub(super) fn open(path: &Path) -> std::io::Result<Self> {
            let fd = openat(rustix::fs::CWD, path, DIR_FLAGS, Mode::empty()).map_err(io)?;
            let short_read_is_end = local_file_system(&fd);
            Ok(DirHandle {
                dir: Dir::new(fd).map_err(io)?,
                path: path.to_path_buf(),
                short_read_is_end,
            })
        }

        fn fd(&self) -> std::io::Result<BorrowedFd<'_>> {
            self.dir.fd().map_err(io)
        }

        pub(super) fn child_path(&self, e: &Entry) -> PathBuf {
            self.path.join(OsStr::from_bytes(e.name.as_bytes()))
        }

        pub(super) fn entries(&mut self) -> std::io::Result<Vec<Entry>> {
            let mut out = Vec::new();
            while let Some(e) = self.dir.read() {
                let e = e.map_err(io)?;
                let name = e.file_name();
                if matches!(name.to_bytes(), b"." | b"..") {
                    continue;
                }
                out.push(Entry {
                    name: name.to_owned(),
                    kind: kind_of(e.file_type()),
                });
            }
            Ok(out)
        }

        /// Follows a symbolic link (as Helm's walk does) or types an untyped entry.
        pub(super) fn stat(&self, e: &Entry) -> std::io::Result<Kind> {
            let st = statat(self.fd()?, e.name.as_c_str(), AtFlags::empty()).map_err(io)?;
            Ok(kind_of(FileType::from_raw_mode(st.st_mode)))
        }

        pub(super) fn open_dir(&self, e: &Entry) -> std::io::Result<DirHandle> {
            let fd = openat(self.fd()?, e.name.as_c_str(), DIR_FLAGS, Mode::empty()).map_err(io)?;
            Ok(DirHandle {
                dir: Dir::new(fd).map_err(io)?,
                path: self.child_path(e),
                short_read_is_end: self.short_read_is_end,
            })
        }

        fn open_file(&self, e: &Entry) -> std::io::Result<std::os::fd::OwnedFd> {
            openat(
                self.fd()?,
                e.name.as_c_str(),
                OFlags::RDONLY | OFlags::CLOEXEC,
                Mode::empty(),
            )
            .map_err(io)
        }

        /// Opens the entry as a read would and returns its size.
        pub(super) fn size(&self, e: &Entry) -> std::io::Result<u64> {
            let st = rustix::fs::fstat(self.open_file(e)?).map_err(io)?;
            Ok(u64::try_from(st.st_size).unwrap_or(0))
        }

        pub(super) fn read(&self, e: &Entry, max: u64) -> std::io::Result<Option<Vec<u8>>> {
            let fd = self.open_file(e)?;
            if !self.short_read_is_end {
                return read_limited(std::fs::File::from(fd), max);
            }
            // Without the read that finds nothing left: a read of a regular file on a
            // local file system returns less than asked only at the end.
            let mut data = Vec::with_capacity(16 * 1024);
            loop {
                if data.len() == data.capacity() {
                    data.reserve(data.len());
                }
                let room = data.capacity() - data.len();
                let n =
                    rustix::io::read(&fd, rustix::buffer::spare_capacity(&mut data)).map_err(io)?;
                if data.len() as u64 > max {
                    return Ok(None);
                }
                if n < room {
                    return Ok(Some(data));
                }
            }
        }
    }

    /// Whether `dir` is on a file system whose reads of regular files are never short
    /// before the end (ext2/3/4, XFS, Btrfs, tmpfs, overlayfs), so the read that would
    /// confirm the end can be skipped. Network and FUSE file systems are not trusted.
    #[cfg(target_os = "linux")]
    fn local_file_system(dir: &std::os::fd::OwnedFd) -> bool {
        const LOCAL: [u64; 5] = [0xEF53, 0x5846_5342, 0x9123_683E, 0x0102_1994, 0x794C_7630];
        rustix::fs::fstatfs(dir).is_ok_and(|st| LOCAL.contains(&(st.f_type as u64)))
    }

    #[cfg(not(target_os = "linux"))]
    fn local_file_system(_: &std::os::fd::OwnedFd) -> bool {
        false
    }
}

#[cfg(not(unix))]
mod handle {
    use super::{Kind, read_limited};
    use std::ffi::OsString;
    use std::path::{Path, PathBuf};

    pub(super) struct DirHandle {
        pub(super) path: PathBuf,
    }

    pub(super) struct Entry {
        pub(super) name: OsString,
        pub(super) kind: Kind,
    }

    impl Entry {
        pub(super) fn display_name(&self) -> String {
            self.name.to_string_lossy().into_owned()
        }
    }

    fn kind_of(t: std::fs::FileType) -> Kind {
        if t.is_symlink() {
            Kind::Unknown
        } else if t.is_dir() {
            Kind::Dir
        } else if t.is_file() {
            Kind::File
        } else {
            Kind::Other
        }
    }

    impl DirHandle {
        pub(super) fn open(path: &Path) -> std::io::Result<Self> {
            Ok(DirHandle {
                path: path.to_path_buf(),
            })
        }

        pub(super) fn child_path(&self, e: &Entry) -> PathBuf {
            self.path.join(&e.name)
        }

        pub(super) fn entries(&mut self) -> std::io::Result<Vec<Entry>> {
            let mut out = Vec::new();
            for e in std::fs::read_dir(&self.path)? {
                let e = e?;
                let kind = e.file_type().map_or(Kind::Unknown, kind_of);
                out.push(Entry {
                    name: e.file_name(),
                    kind,
                });
            }
            Ok(out)
        }

        pub(super) fn stat(&self, e: &Entry) -> std::io::Result<Kind> {
            Ok(kind_of(std::fs::metadata(self.child_path(e))?.file_type()))
        }

        pub(super) fn open_dir(&self, e: &Entry) -> std::io::Result<DirHandle> {
            Ok(DirHandle {
                path: self.child_path(e),
            })
        }

        pub(super) fn size(&self, e: &Entry) -> std::io::Result<u64> {
            Ok(std::fs::File::open(self.child_path(e))?.metadata()?.len())
        }

        pub(super) fn read(&self, e: &Entry, max: u64) -> std::io::Result<Option<Vec<u8>>> {
            read_limited(std::fs::File::open(self.child_path(e))?, max)
        }
    }
}

use handle::DirHandle;

#[cfg(test)]
mod tests {
    #[cfg(unix)]
    #[test]
    fn absolute_paths_are_cleaned_as_go_cleans_them() {
        let abs = |p: &str| super::go_abs(std::path::Path::new(p)).display().to_string();
        assert_eq!(abs("/a/b/../c/./d/"), "/a/c/d");
        assert_eq!(abs("/../x"), "/x");
        assert!(abs("rel/../x").ends_with("/x") && abs("rel/../x").starts_with('/'));
    }

    /// Enough subdirectories to be walked side by side: files come out in walk order, and
    /// of two failures the one met first in that order is the error.
    #[test]
    fn subdirectories_side_by_side_keep_walk_order_and_the_first_failure() {
        let tmp = tempfile::tempdir().expect("tmp");
        let mut want = Vec::new();
        for i in 0..2 * super::SIDE_BY_SIDE_DIRS {
            let d = tmp.path().join(format!("charts/c{i:02}/templates"));
            std::fs::create_dir_all(&d).expect("mkdir");
            for f in ["b.yaml", "a.yaml"] {
                std::fs::write(d.join(f), format!("{i}{f}")).expect("write");
            }
            want.push(format!("charts/c{i:02}/templates/a.yaml"));
            want.push(format!("charts/c{i:02}/templates/b.yaml"));
        }
        std::fs::write(tmp.path().join("charts/z.yaml"), "z").expect("write");
        want.push("charts/z.yaml".into());
        let rules = crate::ignore::Rules::default();
        let files = super::read_tree(tmp.path(), &rules, 1000, &mut Vec::new()).expect("read");
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, want);
        assert_eq!(&*files[2].data, b"1a.yaml");
        for (i, name) in [(9, "late.yaml"), (3, "early.yaml")] {
            let p = tmp.path().join(format!("charts/c{i:02}/{name}"));
            std::fs::write(p, vec![b'x'; 1200]).expect("write");
        }
        let e = super::read_tree(tmp.path(), &rules, 1000, &mut Vec::new()).expect_err("too big");
        assert!(
            e.0.contains("error reading charts/c03/early.yaml: chart exceeds"),
            "{}",
            e.0
        );
    }

    /// A directory with enough entries has them read side by side: the same order, and of
    /// two failures the first in that order.
    #[test]
    fn entries_of_a_big_directory_side_by_side_keep_walk_order_and_the_first_failure() {
        let tmp = tempfile::tempdir().expect("tmp");
        let d = tmp.path().join("templates");
        std::fs::create_dir_all(&d).expect("mkdir");
        let n = 2 * super::SIDE_BY_SIDE_ENTRIES;
        for i in (0..n).rev() {
            std::fs::write(d.join(format!("t{i:02}.yaml")), format!("{i}")).expect("write");
        }
        let rules = crate::ignore::Rules::default();
        let files = super::read_tree(tmp.path(), &rules, 1000, &mut Vec::new()).expect("read");
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        let want: Vec<String> = (0..n).map(|i| format!("templates/t{i:02}.yaml")).collect();
        assert_eq!(names, want);
        assert_eq!(&*files[n - 1].data, format!("{}", n - 1).as_bytes());
        for i in [n - 2, 5] {
            std::fs::write(d.join(format!("t{i:02}.yaml")), vec![b'x'; 1200]).expect("write");
        }
        let e = super::read_tree(tmp.path(), &rules, 1000, &mut Vec::new()).expect_err("too big");
        assert!(
            e.0.contains("error reading templates/t05.yaml: chart exceeds"),
            "{}",
            e.0
        );
    }

    #[test]
    fn files_a_load_reads_and_files_left_for_first_use() {
        for rel in [
            "Chart.yaml",
            "values.yaml",
            "values.schema.json",
            "requirements.yaml",
            "templates/a/b.yaml",
            "charts/db-1.0.0.tgz",
            "charts/db/Chart.yaml",
            "charts/db/charts/common/templates/_x.tpl",
            "charts/db/charts/x.tgz",
        ] {
            assert!(super::needed_to_load(rel), "{rel}");
        }
        for rel in [
            "README.md",
            "crds/a.yaml",
            "files/templates/x",
            "ci/values.yaml",
            "charts/db/README.md",
            "charts/db/charts/common/values.yaml.bak",
            "x/values.yaml",
        ] {
            assert!(!super::needed_to_load(rel), "{rel}");
        }
    }

    /// Sizes around the first read's buffer, and empty: every byte read, nothing more.
    #[test]
    fn files_of_every_size_are_read_whole() {
        let tmp = tempfile::tempdir().expect("tmp");
        let sizes = [0usize, 1, 16383, 16384, 16385, 32768, 40000];
        for (i, n) in sizes.iter().enumerate() {
            let data: Vec<u8> = (0..*n).map(|j| (j % 251) as u8).collect();
            std::fs::write(tmp.path().join(format!("f{i}")), data).expect("write");
        }
        let rules = crate::ignore::Rules::default();
        let files = super::read_tree(tmp.path(), &rules, 1 << 20, &mut Vec::new()).expect("read");
        assert_eq!(files.len(), sizes.len());
        for (f, n) in files.iter().zip(sizes) {
            assert_eq!(f.data.len(), n, "{}", f.name);
            assert!(
                f.data
                    .iter()
                    .enumerate()
                    .all(|(j, b)| *b == (j % 251) as u8)
            );
        }
        // The budget is for the whole tree: here f5 takes it past 50000 bytes.
        let e = super::read_tree(tmp.path(), &rules, 50000, &mut Vec::new())
            .expect_err("over the budget");
        assert!(e.0.contains("error reading f5: chart exceeds"), "{}", e.0);
        let e = super::read_tree(tmp.path(), &rules, 16384, &mut Vec::new())
            .expect_err("over the limit");
        assert!(
            e.0.contains(
                "error reading f4: chart exceeds maximum decompressed size of 16384 bytes"
            ),
            "{}",
            e.0
        );
    }
}
