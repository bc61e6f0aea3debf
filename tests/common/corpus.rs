//! The shared test corpus, `../shared/corpus` beside the repository: signed PDFs made by other
//! tools, the PDF attack files, NIST PKITS and the Wycheproof vectors. It is read in place and
//! never copied into the repository; a fresh clone does not have it.
//!
//! Every test that reads it asks [`corpus`] for the path and returns early on `None`: without
//! the corpus the test is skipped with one line on stderr, unless `KYSO_REQUIRE_CORPUS=1`
//! (which `.ci/run` sets), in which case a missing corpus fails the test.
//!
//! Test crates that do not use the rest of `common` include this file alone
//! (`#[path = "common/corpus.rs"] mod corpus;`), so that they stay small to build.
#![allow(dead_code)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Once;

/// Name of the environment variable that turns a missing corpus into a failure.
pub const REQUIRE_CORPUS_ENV: &str = "KYSO_REQUIRE_CORPUS";

/// The line printed (once per test binary) when the corpus is missing.
pub const SKIP_LINE: &str = "SKIP: ../shared/corpus not found (tests that read the shared corpus \
                             are skipped; KYSO_REQUIRE_CORPUS=1 makes this a failure)";

/// True when `KYSO_REQUIRE_CORPUS=1`.
pub fn corpus_required() -> bool {
    std::env::var(REQUIRE_CORPUS_ENV).is_ok_and(|v| v == "1")
}

/// Where the corpus is expected: `../shared/corpus` from the crate root.
pub fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared")
        .join("corpus")
}

/// The path of `relative` (a file or directory) inside the shared corpus.
///
/// - The corpus is present: the path, which must exist (a corpus without it is incomplete,
///   and the test fails with a clear panic).
/// - The corpus is missing: `None`, after printing [`SKIP_LINE`] to stderr once per test
///   binary; or a panic when [`corpus_required`].
pub fn corpus(relative: &str) -> Option<PathBuf> {
    let found = corpus_at(&corpus_root(), relative, corpus_required());
    if found.is_none() {
        static NOTICE: Once = Once::new();
        // Written to the process's stderr directly, not through `eprintln!`, so that the
        // notice shows in test logs although libtest captures the output of passing tests.
        NOTICE.call_once(|| {
            let _ = writeln!(std::io::stderr(), "{SKIP_LINE}");
        });
    }
    found
}

/// Every `.pdf` file (any case) under `dir`, recursively; each directory's entries in name
/// order. An unreadable directory gives nothing.
pub fn pdfs_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk_pdfs(dir, &mut out);
    out
}

fn walk_pdfs(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk_pdfs(&p, out);
        } else if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")) {
            out.push(p);
        }
    }
}

/// [`corpus`] with the root and the policy given, and without the notice (for the helper's
/// own tests).
pub fn corpus_at(root: &Path, relative: &str, required: bool) -> Option<PathBuf> {
    if !root.is_dir() {
        if required {
            panic!(
                "the shared corpus is required ({REQUIRE_CORPUS_ENV}=1) but {} does not exist",
                root.display()
            );
        }
        return None;
    }
    let path = root.join(relative);
    if !path.exists() {
        panic!(
            "the shared corpus at {} has no {relative}: it is incomplete (refresh it)",
            root.display()
        );
    }
    Some(path)
}

/// The line printed (once per test binary) when `../shared/trust/vn` is missing.
pub const SKIP_LINE_TRUST_VN: &str = "SKIP: ../shared/trust/vn not found (tests that read the \
                                      Vietnamese national certificates are skipped; \
                                      KYSO_REQUIRE_CORPUS=1 makes this a failure)";

/// The public copies of Vietnam's national trust anchors, `../shared/trust/vn` beside the
/// repository (read in place, never copied into the repository). `None` (after printing
/// [`SKIP_LINE_TRUST_VN`] once) when it is absent, or a panic when [`corpus_required`].
pub fn trust_vn() -> Option<PathBuf> {
    // Not `corpus_root()/..`: that path does not resolve when the corpus alone is absent.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared")
        .join("trust")
        .join("vn");
    if root.is_dir() {
        return Some(root);
    }
    if corpus_required() {
        panic!(
            "../shared/trust/vn is required ({REQUIRE_CORPUS_ENV}=1) but {} does not exist",
            root.display()
        );
    }
    static NOTICE: Once = Once::new();
    NOTICE.call_once(|| {
        let _ = writeln!(std::io::stderr(), "{SKIP_LINE_TRUST_VN}");
    });
    None
}
