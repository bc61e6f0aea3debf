//! Which signed PDFs of a directory need renewal soon (the office's yearly task): every PDF
//! under a directory is verified at a validation time, and those whose proof of existence
//! ends within a window — or that are no archive at all — are listed with until when they
//! stay provable and what they need (EN 319 102-1 §5.6.3; [`SignatureReport::archive`]).
//!
//! The walk is bounded (entries, depth, PDF files, bytes per file) and never follows a
//! symbolic link: a link is named among the skipped entries, so nothing outside the directory
//! is read.

use std::path::{Path, PathBuf};

use serde::Serialize;
use time::{Duration, OffsetDateTime};

use crate::report::text::rfc3339;
use crate::report::{
    ArchiveStatus, Lang, PadesLevel, SignatureKind, SignatureReport, TimestampKind,
    VerificationReport,
};
use crate::verify::{batch::batch, VerifyOptions};
use crate::Error;

/// Limits on one listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DueBudget {
    /// Most directory entries looked at (default 100 000).
    pub max_entries: usize,
    /// Deepest directory nesting (default 32).
    pub max_depth: usize,
    /// Most PDF files verified (default 10 000).
    pub max_files: usize,
    /// Largest PDF verified, in bytes (default 512 MiB); larger ones are skipped, named.
    pub max_file_bytes: u64,
}

impl Default for DueBudget {
    fn default() -> Self {
        DueBudget {
            max_entries: 100_000,
            max_depth: 32,
            max_files: 10_000,
            max_file_bytes: 512 << 20,
        }
    }
}

/// What [`renewals_due`] checks against.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DueOptions {
    /// How each file is verified (trust, revocation data, policy, and
    /// [`VerifyOptions::validation_time`]: "now" when `None`).
    pub verify: VerifyOptions,
    /// The window: a file is due when its proof ends before the validation time plus this.
    pub within: Duration,
    /// The limits of the walk.
    pub budget: DueBudget,
}

impl DueOptions {
    /// Files due within `days` days, verified with `verify`.
    pub fn new(verify: VerifyOptions, days: u32) -> Self {
        DueOptions {
            verify,
            within: Duration::days(i64::from(days)),
            budget: DueBudget::default(),
        }
    }
}

/// Why a file is listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DueKind {
    /// An archive (a document timestamp protects every signature) whose proof ends within
    /// the window: add a document timestamp (`kyso ltv --level b-lta`) before
    /// [`DueItem::provable_until`], from an authority whose certificate outlives it.
    RenewBefore,
    /// A signature no document timestamp protects (B-B, B-T or B-LT only): it is provable
    /// at most as long as its signature timestamp's authority; make it an archive (`kyso ltv
    /// --level b-lta`) while that holds.
    NotAnArchive,
    /// No longer provable at the validation time: the newest timestamp does not hold (its
    /// authority expired without a later timestamp, or it does not validate).
    NotProvable,
    /// The file could not be verified (not a PDF, damaged, unreadable).
    Unreadable,
}

impl DueKind {
    /// The spelling of the JSON output.
    pub fn as_str(&self) -> &'static str {
        match self {
            DueKind::RenewBefore => "renew_before",
            DueKind::NotAnArchive => "not_an_archive",
            DueKind::NotProvable => "not_provable",
            DueKind::Unreadable => "unreadable",
        }
    }
}

/// One listed file.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct DueItem {
    /// The file.
    pub file: PathBuf,
    /// Why it is listed (the most urgent of its signatures).
    pub kind: DueKind,
    /// Its level (the lowest of its signatures), when verified.
    pub level: Option<PadesLevel>,
    /// Until when the file stays provable: the earliest end over its signatures.
    #[serde(with = "time::serde::rfc3339::option")]
    pub provable_until: Option<OffsetDateTime>,
    /// The authority of the newest timestamp whose proof ends first.
    pub authority: Option<String>,
    /// Why it could not be verified ([`DueKind::Unreadable`]).
    pub error: Option<String>,
}

impl DueItem {
    /// What the file needs, in `lang`.
    pub fn needs(&self, lang: Lang) -> String {
        let until = self
            .provable_until
            .map(rfc3339)
            .unwrap_or_else(|| lang.pick("(unknown)", "(không rõ)").to_owned());
        match (self.kind, lang) {
            (DueKind::RenewBefore, Lang::En) => format!(
                "renew before {until}: add a document timestamp (kyso ltv --level b-lta) from an \
                 authority whose certificate outlives that date"
            ),
            (DueKind::RenewBefore, Lang::Vi) => format!(
                "cần gia hạn trước {until}: thêm dấu thời gian tài liệu (kyso ltv --level b-lta) \
                 của tổ chức cấp dấu thời gian có chứng thư số còn hạn sau ngày đó"
            ),
            (DueKind::NotAnArchive, Lang::En) => match self.provable_until {
                Some(_) => format!(
                    "not an archive ({}: no document timestamp): provable until {until} by its \
                     signature timestamp; make it B-LTA (kyso ltv --level b-lta) before then",
                    self.level_text()
                ),
                None => format!(
                    "not an archive ({}: no timestamp at all): its signing time is not proven; \
                     add a document timestamp (kyso ltv --level b-lta) while the signer's \
                     certificate is valid",
                    self.level_text()
                ),
            },
            (DueKind::NotAnArchive, Lang::Vi) => match self.provable_until {
                Some(_) => format!(
                    "chưa phải hồ sơ lưu trữ dài hạn ({}: không có dấu thời gian tài liệu): \
                     chứng minh được đến {until} nhờ dấu thời gian của chữ ký; hãy nâng lên \
                     B-LTA (kyso ltv --level b-lta) trước ngày đó",
                    self.level_text()
                ),
                None => format!(
                    "chưa phải hồ sơ lưu trữ dài hạn ({}: không có dấu thời gian nào): thời \
                     điểm ký chưa được chứng minh; hãy thêm dấu thời gian tài liệu (kyso ltv \
                     --level b-lta) khi chứng thư số của người ký còn hiệu lực",
                    self.level_text()
                ),
            },
            (DueKind::NotProvable, Lang::En) => format!(
                "no longer provable (the newest timestamp does not hold at the validation time; \
                 its authority's path ends {until}): renewal is too late, see kyso verify"
            ),
            (DueKind::NotProvable, Lang::Vi) => format!(
                "không còn chứng minh được (dấu thời gian mới nhất không còn hiệu lực tại thời \
                 điểm kiểm tra; chứng thư số của tổ chức cấp hết hạn {until}): đã quá hạn gia \
                 hạn, xem kyso verify"
            ),
            (DueKind::Unreadable, Lang::En) => format!(
                "could not be verified: {}",
                self.error.as_deref().unwrap_or("")
            ),
            (DueKind::Unreadable, Lang::Vi) => format!(
                "không kiểm tra được: {}",
                self.error.as_deref().unwrap_or("")
            ),
        }
    }

    fn level_text(&self) -> &'static str {
        self.level.map(|l| l.as_str()).unwrap_or("?")
    }
}

/// An entry the walk did not look into.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Skipped {
    /// The entry.
    pub path: PathBuf,
    /// Why, in words.
    pub why: String,
}

/// What [`renewals_due`] found.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct DueReport {
    /// The validation time.
    #[serde(with = "time::serde::rfc3339")]
    pub validation_time: OffsetDateTime,
    /// The end of the window.
    #[serde(with = "time::serde::rfc3339")]
    pub due_before: OffsetDateTime,
    /// The files that need something, sorted by urgency then path.
    pub items: Vec<DueItem>,
    /// PDF files verified.
    pub files: usize,
    /// Signed files provable past the window (not listed).
    pub not_due: usize,
    /// PDF files without a signature (not listed).
    pub unsigned: usize,
    /// Entries not looked into: symbolic links, files too large.
    pub skipped: Vec<Skipped>,
    /// The limit that stopped the walk early, in words.
    pub stopped: Option<String>,
}

impl DueReport {
    /// Whether some file needs something (exit code 1 of `kyso ltv due`).
    pub fn any_due(&self) -> bool {
        !self.items.is_empty()
    }

    /// Whether every file could be looked at: no unreadable file, nothing skipped, no
    /// limit reached.
    pub fn complete(&self) -> bool {
        self.stopped.is_none()
            && self.skipped.is_empty()
            && self.items.iter().all(|i| i.kind != DueKind::Unreadable)
    }
}

/// Lists the PDFs under `dir` that need renewal before the validation time plus
/// `opts.within`, and those that are no archive (see the module documentation).
pub fn renewals_due(dir: &Path, opts: &DueOptions) -> Result<DueReport, Error> {
    let at = opts.verify.validation_time.unwrap_or_else(|| {
        // Now, to the second (as the listing prints it).
        let now = OffsetDateTime::now_utc();
        now.replace_nanosecond(0).unwrap_or(now)
    });
    let mut verify = opts.verify.clone();
    verify.validation_time = Some(at);
    let due_before = at.checked_add(opts.within).unwrap_or(at);
    let walk = walk(dir, &opts.budget)?;
    let mut report = DueReport {
        validation_time: at,
        due_before,
        items: Vec::new(),
        files: walk.pdfs.len(),
        not_due: 0,
        unsigned: 0,
        skipped: walk.skipped,
        stopped: walk.stopped,
    };
    let result = batch(&walk.pdfs, &verify);
    for item in result.items {
        match item.result {
            Err(e) => report.items.push(DueItem {
                file: item.path,
                kind: DueKind::Unreadable,
                level: None,
                provable_until: None,
                authority: None,
                error: Some(e.to_string()),
            }),
            Ok(r) => match classify(&r, due_before) {
                Class::Unsigned => report.unsigned += 1,
                Class::NotDue => report.not_due += 1,
                Class::Listed(mut i) => {
                    i.file = item.path;
                    report.items.push(i);
                }
            },
        }
    }
    report.items.sort_by(|a, b| {
        (b.kind, a.provable_until, &a.file).cmp(&(a.kind, b.provable_until, &b.file))
    });
    Ok(report)
}

enum Class {
    Unsigned,
    NotDue,
    Listed(DueItem),
}

/// One signature's standing: (kind when listed, until, authority).
fn standing(
    s: &SignatureReport,
    due_before: OffsetDateTime,
) -> (Option<DueKind>, Option<OffsetDateTime>, Option<String>) {
    let Some(ArchiveStatus {
        newest_timestamp,
        provable_until,
        holds,
        authority,
        ..
    }) = &s.archive
    else {
        return (Some(DueKind::NotAnArchive), None, None);
    };
    let authority = Some(authority.clone()).filter(|a| !a.is_empty());
    let kind = if !holds {
        Some(DueKind::NotProvable)
    } else if *newest_timestamp != TimestampKind::Document {
        Some(DueKind::NotAnArchive)
    } else if provable_until.is_none_or(|u| u <= due_before) {
        Some(DueKind::RenewBefore)
    } else {
        None
    };
    (kind, *provable_until, authority)
}

fn classify(r: &VerificationReport, due_before: OffsetDateTime) -> Class {
    let signatures: Vec<&SignatureReport> = r
        .signatures
        .iter()
        .filter(|s| s.kind != SignatureKind::DocumentTimestamp)
        .collect();
    if signatures.is_empty() {
        return Class::Unsigned;
    }
    let mut kind: Option<DueKind> = None;
    let mut until: Option<OffsetDateTime> = None;
    let mut authority = None;
    for s in &signatures {
        let (k, u, a) = standing(s, due_before);
        if k > kind {
            kind = k;
        }
        if let Some(u) = u {
            if until.is_none_or(|x| u < x) {
                until = Some(u);
                authority = a;
            }
        }
    }
    let level = signatures.iter().filter_map(|s| s.pades_level).min();
    match kind {
        None => Class::NotDue,
        Some(kind) => Class::Listed(DueItem {
            file: PathBuf::new(),
            kind,
            level,
            provable_until: until,
            authority,
            error: None,
        }),
    }
}

struct Walk {
    pdfs: Vec<PathBuf>,
    skipped: Vec<Skipped>,
    stopped: Option<String>,
}

/// The regular `.pdf` files under `dir`, sorted; symbolic links are skipped (never
/// followed), as are files over the size limit.
fn walk(dir: &Path, budget: &DueBudget) -> Result<Walk, Error> {
    let mut out = Walk {
        pdfs: Vec::new(),
        skipped: Vec::new(),
        stopped: None,
    };
    let top = std::fs::symlink_metadata(dir).map_err(|e| Error::io(dir, e))?;
    if !top.is_dir() {
        return Err(Error::io(
            dir,
            std::io::Error::other("not a directory (a symbolic link is not followed)"),
        ));
    }
    let mut seen = 0usize;
    let mut stack = vec![(dir.to_path_buf(), 0usize)];
    'walk: while let Some((d, depth)) = stack.pop() {
        let mut entries = Vec::new();
        for entry in std::fs::read_dir(&d).map_err(|e| Error::io(&d, e))? {
            let entry = entry.map_err(|e| Error::io(&d, e))?;
            seen += 1;
            if seen > budget.max_entries {
                out.stopped = Some(format!(
                    "more than {} directory entries",
                    budget.max_entries
                ));
                break 'walk;
            }
            entries.push(entry.path());
        }
        for path in entries {
            let meta = std::fs::symlink_metadata(&path).map_err(|e| Error::io(&path, e))?;
            let kind = meta.file_type();
            if kind.is_symlink() {
                if is_pdf_name(&path) || path_is_dir_link(&path) {
                    out.skipped.push(Skipped {
                        path,
                        why: "a symbolic link (not followed)".into(),
                    });
                }
            } else if kind.is_dir() {
                if depth + 1 > budget.max_depth {
                    out.stopped = Some(format!(
                        "directories nested more than {} deep",
                        budget.max_depth
                    ));
                    continue;
                }
                stack.push((path, depth + 1));
            } else if kind.is_file() && is_pdf_name(&path) {
                if meta.len() > budget.max_file_bytes {
                    out.skipped.push(Skipped {
                        path,
                        why: format!("larger than {} bytes", budget.max_file_bytes),
                    });
                } else if out.pdfs.len() >= budget.max_files {
                    out.stopped = Some(format!("more than {} PDF files", budget.max_files));
                    break 'walk;
                } else {
                    out.pdfs.push(path);
                }
            }
        }
    }
    out.pdfs.sort();
    out.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Whether a symbolic link points at a directory (looked up, not followed into).
fn path_is_dir_link(p: &Path) -> bool {
    std::fs::metadata(p).is_ok_and(|m| m.is_dir())
}

fn is_pdf_name(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The walk skips symbolic links (to files and directories, inside or outside the tree)
    /// and stops at its limits.
    #[cfg(unix)]
    #[test]
    fn the_walk_never_follows_links_and_stops_at_limits() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.pdf"), b"%PDF-1.7").unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        std::fs::write(dir.path().join("a/b/x.PDF"), b"%PDF-1.7").unwrap();
        std::fs::write(dir.path().join("y.pdf"), b"%PDF-1.7").unwrap();
        std::fs::write(dir.path().join("notes.txt"), b"x").unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("out")).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret.pdf"),
            dir.path().join("link.pdf"),
        )
        .unwrap();
        let w = walk(dir.path(), &DueBudget::default()).unwrap();
        assert_eq!(
            w.pdfs,
            vec![dir.path().join("a/b/x.PDF"), dir.path().join("y.pdf")]
        );
        let skipped: Vec<_> = w.skipped.iter().map(|s| s.path.clone()).collect();
        assert_eq!(
            skipped,
            vec![dir.path().join("link.pdf"), dir.path().join("out")]
        );
        assert!(w.stopped.is_none());
        let shallow = DueBudget {
            max_depth: 1,
            ..DueBudget::default()
        };
        let w = walk(dir.path(), &shallow).unwrap();
        assert_eq!(w.pdfs, vec![dir.path().join("y.pdf")]);
        assert!(w.stopped.unwrap().contains("nested"));
        let few = DueBudget {
            max_files: 1,
            ..DueBudget::default()
        };
        assert!(walk(dir.path(), &few).unwrap().stopped.is_some());
        let small = DueBudget {
            max_file_bytes: 3,
            ..DueBudget::default()
        };
        let w = walk(dir.path(), &small).unwrap();
        assert!(w.pdfs.is_empty());
        assert_eq!(w.skipped.len(), 4);
        // The directory itself as a link is refused.
        std::os::unix::fs::symlink(dir.path(), outside.path().join("dir-link")).unwrap();
        assert!(walk(&outside.path().join("dir-link"), &DueBudget::default()).is_err());
    }
}
