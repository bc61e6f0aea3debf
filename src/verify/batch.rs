//! Verifying many files: every core (with the `parallel` feature), results in input order,
//! and counts of valid, invalid, indeterminate and unprocessed files.
//!
//! Each file is verified exactly as [`verify_file`] does it, with the same options; the
//! batch only spreads the files over rayon's global thread pool (run it inside
//! `rayon::ThreadPool::install` to use another pool). Memory is one verification per worker
//! thread plus the reports kept for the result.

use std::path::{Path, PathBuf};

use crate::report::{Indication, VerificationReport};
use crate::Error;

use super::{verify_file, VerifyOptions};

/// How one file came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FileOutcome {
    /// Every signature is TOTAL-PASSED (and there is at least one).
    Valid,
    /// Some signature is TOTAL-FAILED.
    Invalid,
    /// No signature failed, but not every one passed, or the file holds no signature.
    Indeterminate,
    /// The file could not be processed (not readable, not a PDF).
    Error,
}

impl FileOutcome {
    /// The outcome of one verification.
    pub fn of(result: &Result<VerificationReport, Error>) -> Self {
        match result {
            Err(_) => FileOutcome::Error,
            Ok(r) if r.all_passed() => FileOutcome::Valid,
            Ok(r)
                if r.signatures
                    .iter()
                    .any(|s| s.indication == Indication::TotalFailed) =>
            {
                FileOutcome::Invalid
            }
            Ok(_) => FileOutcome::Indeterminate,
        }
    }
}

/// One file of a batch.
#[derive(Debug)]
#[non_exhaustive]
pub struct BatchItem {
    /// The file as given.
    pub path: PathBuf,
    /// Its report, or why it could not be processed.
    pub result: Result<VerificationReport, Error>,
}

impl BatchItem {
    /// How the file came out.
    pub fn outcome(&self) -> FileOutcome {
        FileOutcome::of(&self.result)
    }
}

/// Counts over a batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct BatchSummary {
    /// Files verified or attempted.
    pub files: usize,
    /// Files whose signatures all passed.
    pub valid: usize,
    /// Files with a failed signature.
    pub invalid: usize,
    /// Files with doubt and no failure (or no signature).
    pub indeterminate: usize,
    /// Files that could not be processed.
    pub errors: usize,
}

impl BatchSummary {
    /// Counts `outcome`.
    pub fn add(&mut self, outcome: FileOutcome) {
        self.files += 1;
        match outcome {
            FileOutcome::Valid => self.valid += 1,
            FileOutcome::Invalid => self.invalid += 1,
            FileOutcome::Indeterminate => self.indeterminate += 1,
            FileOutcome::Error => self.errors += 1,
        }
    }

    /// True when every file is valid (and there was at least one).
    pub fn all_valid(&self) -> bool {
        self.files > 0 && self.valid == self.files
    }
}

impl std::fmt::Display for BatchSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} file(s): {} valid, {} invalid, {} indeterminate, {} error(s)",
            self.files, self.valid, self.invalid, self.indeterminate, self.errors
        )
    }
}

/// What a batch found: one item per input path, in input order, and the counts.
#[derive(Debug)]
#[non_exhaustive]
pub struct BatchResult {
    /// Per file, in the order of the input.
    pub items: Vec<BatchItem>,
    /// Counts over `items`.
    pub summary: BatchSummary,
}

/// Verifies every file of `paths` with `opts`, in parallel.
pub fn batch(paths: &[PathBuf], opts: &VerifyOptions) -> BatchResult {
    batch_with_progress(paths, opts, &|_| {})
}

/// [`batch`], calling `done` once per file as soon as it is verified (from a worker thread,
/// in completion order): for a progress display.
pub fn batch_with_progress(
    paths: &[PathBuf],
    opts: &VerifyOptions,
    done: &(dyn Fn(&BatchItem) + Sync),
) -> BatchResult {
    let one = |path: &PathBuf| {
        let item = BatchItem {
            path: path.clone(),
            result: verify_file(path, opts),
        };
        done(&item);
        item
    };
    // One file runs on the calling thread: no pool is started (a pool costs about 2 MB of
    // memory and a millisecond of start-up, more than a small file's verification).
    #[cfg(feature = "parallel")]
    let items: Vec<BatchItem> = if paths.len() < 2 {
        paths.iter().map(one).collect()
    } else {
        use rayon::prelude::*;
        // One file per task: files differ in size by orders of magnitude.
        paths.par_iter().with_max_len(1).map(one).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let items: Vec<BatchItem> = paths.iter().map(one).collect();
    let mut summary = BatchSummary::default();
    for item in &items {
        summary.add(item.outcome());
    }
    BatchResult { items, summary }
}

/// Deepest directory nesting [`pdf_files_in`] descends into.
pub const MAX_DEPTH: usize = 32;

/// Most entries [`pdf_files_in`] looks at.
pub const MAX_ENTRIES: usize = 1_000_000;

/// The PDF files (by the `.pdf` extension, in any case) under `dir` and its subdirectories,
/// sorted by path. Symbolic links to directories are not followed (no cycles); links to
/// files are listed. Stops with an error past [`MAX_DEPTH`] levels or [`MAX_ENTRIES`]
/// entries.
pub fn pdf_files_in(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    let mut seen = 0usize;
    let mut stack = vec![(dir.to_path_buf(), 0usize)];
    while let Some((d, depth)) = stack.pop() {
        for entry in std::fs::read_dir(&d).map_err(|e| Error::io(&d, e))? {
            let entry = entry.map_err(|e| Error::io(&d, e))?;
            seen += 1;
            if seen > MAX_ENTRIES {
                return Err(Error::io(
                    dir,
                    std::io::Error::other(format!("more than {MAX_ENTRIES} entries")),
                ));
            }
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| Error::io(&path, e))?;
            if kind.is_dir() {
                if depth + 1 > MAX_DEPTH {
                    return Err(Error::io(
                        &path,
                        std::io::Error::other(format!(
                            "directories nested more than {MAX_DEPTH} deep"
                        )),
                    ));
                }
                stack.push((path, depth + 1));
            } else if is_pdf_name(&path) && (kind.is_file() || path.is_file()) {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn is_pdf_name(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
}
