//! The dossier report: one overall verdict, the manifest and its signature, and one entry per
//! file (listed in the manifest, found on disk, or both), as serde data.
//!
//! Its JSON is versioned by [`DOSSIER_REPORT_SCHEMA_VERSION`]; fields are added, never
//! renamed. The reports of signatures inside or beside files are the ordinary
//! [`VerificationReport`]s.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::report::{DocumentFormat, Finding, Indication, TimeSource, VerificationReport};

use super::manifest::Role;

/// Version of the dossier report's JSON schema.
pub const DOSSIER_REPORT_SCHEMA_VERSION: u32 = 1;

/// Everything kyso found about a dossier.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct DossierReport {
    /// [`DOSSIER_REPORT_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Version of kyso that produced it.
    pub kyso_version: String,
    /// The dossier directory as the caller named it.
    pub directory: String,
    /// The time at which every certificate was judged (one time for the whole dossier).
    #[serde(with = "time::serde::rfc3339")]
    pub validation_time: OffsetDateTime,
    /// Where the validation time came from.
    pub validation_time_source: TimeSource,
    /// The overall verdict: TOTAL-PASSED only when the manifest's signature passed, every
    /// listed file is present and intact, no file is unlisted, and every signature inside or
    /// beside a file passed.
    pub indication: Indication,
    /// The manifest and its signature.
    pub manifest: ManifestReport,
    /// One entry per file, sorted by path.
    pub files: Vec<DossierFileReport>,
    /// Findings about the dossier as a whole (the manifest, limits).
    pub findings: Vec<Finding>,
    /// Counts.
    pub summary: DossierSummary,
}

impl DossierReport {
    /// The report as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        // Plain data with string keys: serialising cannot fail; never panic if it does.
        serde_json::to_string_pretty(self).unwrap_or_else(|_| String::from("{}"))
    }

    /// True when the overall verdict is TOTAL-PASSED.
    pub fn passed(&self) -> bool {
        self.indication == Indication::TotalPassed
    }

    /// Takes into account signature reports changed after the dossier was checked by a
    /// further check that can only make verdicts worse (the visual comparison of a PDF's
    /// signed revisions, `kyso::visual::examine`, under a policy that asks for it): each
    /// file's signature verdict (with `dossier.file_signature_not_passed` when it no longer
    /// passes), the overall verdict and the signature counts.
    pub fn signatures_changed(&mut self) {
        use super::check::worse;
        let (mut passed, mut failed, mut indeterminate) = (0, 0, 0);
        for f in &mut self.files {
            for sig in &f.signatures {
                for r in &sig.report.signatures {
                    match r.indication {
                        Indication::TotalPassed => passed += 1,
                        Indication::TotalFailed => failed += 1,
                        _ => indeterminate += 1,
                    }
                }
                let Some(v) = sig
                    .report
                    .signatures
                    .iter()
                    .map(|s| s.indication)
                    .reduce(worse)
                else {
                    continue;
                };
                let before = f.signature_indication;
                let after = before.map_or(v, |b| worse(b, v));
                f.signature_indication = Some(after);
                self.indication = worse(self.indication, after);
                if after != Indication::TotalPassed
                    && before.is_none_or(|b| b == Indication::TotalPassed)
                {
                    f.findings.push(
                        Finding::new(
                            crate::report::Code::DossierFileSignatureNotPassed,
                            format!(
                                "the signature(s) in {} did not pass: {}",
                                sig.source,
                                after.as_str()
                            ),
                        )
                        .detail(crate::report::DetailLabel::File, &sig.source)
                        .detail(crate::report::DetailLabel::Indication, after.as_str()),
                    );
                }
            }
        }
        self.summary.signatures_passed = passed;
        self.summary.signatures_failed = failed;
        self.summary.signatures_indeterminate = indeterminate;
    }
}

/// The manifest as found.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct ManifestReport {
    /// The manifest's file name.
    pub file: String,
    /// Whether it exists.
    pub present: bool,
    /// SHA-256 of its bytes (what the signature covers), hexadecimal.
    pub sha256: Option<String>,
    /// Its schema version, when it parsed.
    pub schema_version: Option<u32>,
    /// When it says it was created.
    #[serde(with = "time::serde::rfc3339::option")]
    pub created: Option<OffsetDateTime>,
    /// The dossier identifier it gives.
    pub dossier_id: Option<String>,
    /// The signature file's name.
    pub signature_file: String,
    /// The verification of the manifest's signature, when the signature file exists.
    pub signature: Option<VerificationReport>,
}

/// What became of one file.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FileStatus {
    /// Listed, present, same size and SHA-256.
    Intact,
    /// Listed and present, but the size or SHA-256 differs.
    Altered,
    /// Listed but absent.
    Missing,
    /// Present but not listed in the manifest.
    Extra,
    /// Present but not readable, or not a regular file (a symbolic link, …).
    Unreadable,
    /// Listed under a path that is not a safe relative path; not looked up.
    InvalidPath,
    /// Present; not compared with the manifest, whose signature does not verify over its
    /// bytes (its entries are not trusted).
    Unverified,
    /// Present under a name that another file of the dossier has too once normalised
    /// (Unicode NFC): which one the manifest means cannot be told.
    Conflict,
}

/// A signature inside or beside a file, verified.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct FileSignature {
    /// Where the signature is: the file itself (a PDF, a `.p7m`) or the relative path of a
    /// `.p7s` beside it.
    pub source: String,
    /// PDF, detached or enveloping CMS.
    pub format: DocumentFormat,
    /// The verification report.
    pub report: VerificationReport,
}

/// One file of the dossier.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct DossierFileReport {
    /// Path relative to the dossier directory, `/`-separated.
    pub path: String,
    /// The role the manifest gives (none for unlisted files).
    pub role: Option<Role>,
    /// What became of it.
    pub status: FileStatus,
    /// Size the manifest lists.
    pub expected_size: Option<u64>,
    /// Size found.
    pub size: Option<u64>,
    /// SHA-256 the manifest lists.
    pub expected_sha256: Option<String>,
    /// SHA-256 found.
    pub sha256: Option<String>,
    /// Signatures inside the file (PDF, `.p7m`) or beside it (`FILE.p7s`).
    pub signatures: Vec<FileSignature>,
    /// The verdict of those signatures, worst first: `None` when the file carries none.
    pub signature_indication: Option<Indication>,
    /// Findings about this file.
    pub findings: Vec<Finding>,
}

/// Counts over the files.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct DossierSummary {
    /// Files the manifest lists.
    pub listed: usize,
    /// Listed files found intact.
    pub intact: usize,
    /// Listed files whose content changed.
    pub altered: usize,
    /// Listed files not found.
    pub missing: usize,
    /// Files found but not listed.
    pub extra: usize,
    /// Files that could not be read or looked up (name conflicts included).
    pub unreadable: usize,
    /// Files not compared because the manifest is not trusted.
    #[serde(default)]
    pub unverified: usize,
    /// Signatures (PDF, `.p7s`, `.p7m`) that passed.
    pub signatures_passed: usize,
    /// Signatures that failed.
    pub signatures_failed: usize,
    /// Signatures whose verdict is indeterminate.
    pub signatures_indeterminate: usize,
}
