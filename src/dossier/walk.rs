//! Listing the files of a dossier directory, with limits, without following symbolic links.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::Error;

use super::error::DossierError;

/// Limits on what one dossier may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DossierBudget {
    /// Most entries (files and directories) listed (default 100 000).
    pub max_entries: usize,
    /// Deepest directory nesting (default 32).
    pub max_depth: usize,
    /// Largest manifest read (default 64 MiB).
    pub max_manifest_bytes: u64,
    /// Time for verifying the signatures of every file together (default: none; each
    /// document keeps its own deadline). Files not reached in time are not verified, and the
    /// dossier is INDETERMINATE.
    pub deadline: Option<std::time::Duration>,
}

impl Default for DossierBudget {
    fn default() -> Self {
        DossierBudget {
            max_entries: 100_000,
            max_depth: 32,
            max_manifest_bytes: 64 << 20,
            deadline: None,
        }
    }
}

/// One entry found in the dossier directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    /// The `/`-separated relative path; `Err` with a lossy rendering when a component is not
    /// UTF-8.
    pub rel: Result<String, String>,
    /// The path on disk.
    pub path: PathBuf,
    /// A regular file (anything else: symbolic link, device, socket).
    pub regular: bool,
}

/// What the walk found, and whether it stopped at a limit.
#[derive(Debug, Default)]
pub(crate) struct Listing {
    /// Files and other non-directory entries, sorted by relative path.
    pub entries: Vec<Found>,
    /// The limit that stopped the walk, if any.
    pub stopped: Option<(&'static str, u64)>,
}

/// Lists everything under `dir` that is not a directory. Symbolic links are listed as
/// non-regular entries and never followed.
pub(crate) fn list(dir: &Path, budget: &DossierBudget) -> Result<Listing, Error> {
    let mut listing = Listing::default();
    let mut seen = 0usize;
    let mut stack: Vec<(PathBuf, Vec<OsString>, usize)> = vec![(dir.to_path_buf(), Vec::new(), 0)];
    'walk: while let Some((current, prefix, depth)) = stack.pop() {
        let reader = std::fs::read_dir(&current).map_err(|e| Error::io(&current, e))?;
        let mut children = Vec::new();
        for item in reader {
            let item = item.map_err(|e| Error::io(&current, e))?;
            seen += 1;
            if seen > budget.max_entries {
                listing.stopped = Some(("directory entries", budget.max_entries as u64));
                break 'walk;
            }
            children.push(item);
        }
        for item in children {
            let path = item.path();
            let meta = std::fs::symlink_metadata(&path).map_err(|e| Error::io(&path, e))?;
            let mut parts = prefix.clone();
            parts.push(item.file_name());
            if meta.is_dir() {
                if depth + 1 > budget.max_depth {
                    listing.stopped = Some(("directory depth", budget.max_depth as u64));
                    continue;
                }
                stack.push((path, parts, depth + 1));
                continue;
            }
            listing.entries.push(Found {
                rel: relative(&parts),
                path,
                regular: meta.is_file(),
            });
        }
    }
    listing
        .entries
        .sort_by(|a, b| sort_key(&a.rel).cmp(sort_key(&b.rel)));
    Ok(listing)
}

fn sort_key(rel: &Result<String, String>) -> &str {
    match rel {
        Ok(s) | Err(s) => s,
    }
}

fn relative(parts: &[OsString]) -> Result<String, String> {
    let mut out = Vec::new();
    let mut lossy = Vec::new();
    let mut ok = true;
    for p in parts {
        lossy.push(p.to_string_lossy().into_owned());
        match p.to_str() {
            Some(s) => out.push(s.to_owned()),
            None => ok = false,
        }
    }
    if ok {
        Ok(out.join("/"))
    } else {
        Err(lossy.join("/"))
    }
}

/// Fails with [`DossierError::Budget`] when the walk stopped at a limit.
pub(crate) fn complete(listing: &Listing) -> Result<(), Error> {
    match listing.stopped {
        Some((what, limit)) => Err(DossierError::Budget { what, limit }.into()),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_nested_files_sorted_and_stops_at_limits() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("b/c")).unwrap();
        std::fs::write(dir.path().join("b/c/x.txt"), b"x").unwrap();
        std::fs::write(dir.path().join("a.txt"), b"a").unwrap();
        std::fs::write(dir.path().join("Đơn.pdf"), b"d").unwrap();
        let listing = list(dir.path(), &DossierBudget::default()).unwrap();
        let rels: Vec<String> = listing
            .entries
            .iter()
            .map(|f| f.rel.clone().unwrap())
            .collect();
        assert_eq!(rels, ["a.txt", "b/c/x.txt", "Đơn.pdf"]);
        assert!(listing.entries.iter().all(|f| f.regular));
        assert!(complete(&listing).is_ok());

        let shallow = DossierBudget {
            max_depth: 1,
            ..DossierBudget::default()
        };
        let listing = list(dir.path(), &shallow).unwrap();
        assert!(complete(&listing).is_err());
        let few = DossierBudget {
            max_entries: 2,
            ..DossierBudget::default()
        };
        assert!(list(dir.path(), &few).unwrap().stopped.is_some());
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("real"), b"r").unwrap();
        std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
        let listing = list(dir.path(), &DossierBudget::default()).unwrap();
        let link = listing
            .entries
            .iter()
            .find(|f| f.rel.as_deref() == Ok("loop"))
            .unwrap();
        assert!(!link.regular);
    }
}
