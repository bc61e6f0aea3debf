//! Verifying a dossier: the manifest's signature, every file against the manifest, every
//! signature inside or beside a file, and what is missing, altered or unlisted.
//!
//! The manifest is read once; its signature is checked over exactly those bytes and the same
//! bytes are parsed, so the manifest judged is the manifest signed. Files are hashed in one
//! streamed pass each; PDFs are verified through [`crate::verify::verify_file`], `.p7s`
//! files over the file they sit beside and `.p7m` files on their own, all at one validation
//! time.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use time::OffsetDateTime;

use crate::crypto::{digest, DigestAlgorithm};
use crate::report::DetailLabel as L;
use crate::report::{
    CheckStatus, Code, DocumentFormat, Finding, Indication, TimeSource, VerificationReport,
};
use crate::util::hex;
use crate::verify::{verify_file, VerifyOptions};
use crate::Error;

use super::detached::{
    read_capped, verify_detached_bytes, verify_detached_file, verify_enveloping_file,
    MAX_SIGNATURE_FILE_BYTES,
};
use super::manifest::{
    check_relative_path, nfc, Manifest, ManifestEntry, MANIFEST_FILE, MANIFEST_SIGNATURE_FILE,
};
use super::report::{
    DossierFileReport, DossierReport, DossierSummary, FileSignature, FileStatus, ManifestReport,
    DOSSIER_REPORT_SCHEMA_VERSION,
};
use super::walk::{list, DossierBudget, Found};
use crate::attachments::hash::digest_file;

/// The worse of two indications: failed, then indeterminate, then passed.
pub(super) fn worse(a: Indication, b: Indication) -> Indication {
    let rank = |i: Indication| match i {
        Indication::TotalFailed => 0,
        Indication::Indeterminate => 1,
        Indication::TotalPassed => 2,
    };
    if rank(b) < rank(a) {
        b
    } else {
        a
    }
}

/// The verdict of a report's signatures: `None` when it holds none.
fn signatures_verdict(report: &VerificationReport) -> Option<Indication> {
    let mut verdict: Option<Indication> = None;
    for s in &report.signatures {
        verdict = Some(verdict.map_or(s.indication, |v| worse(v, s.indication)));
    }
    // A report that found something wrong without a signature to pin it on (a CMS file
    // that does not parse) did not pass either.
    if verdict.is_none()
        && report.format != DocumentFormat::Pdf
        && report
            .findings
            .iter()
            .any(|f| f.severity == crate::report::Severity::Error)
    {
        verdict = Some(Indication::TotalFailed);
    }
    verdict
}

/// Verifies the dossier in `dir` with the default [`DossierBudget`].
pub fn verify_dossier(dir: &Path, opts: &VerifyOptions) -> Result<DossierReport, Error> {
    verify_dossier_with(dir, opts, &DossierBudget::default())
}

/// Verifies the dossier in `dir`. `Err` only when the directory cannot be listed; every
/// verdict is in the report.
pub fn verify_dossier_with(
    dir: &Path,
    opts: &VerifyOptions,
    budget: &DossierBudget,
) -> Result<DossierReport, Error> {
    let (time, time_source) = match opts.validation_time {
        Some(t) => (t, TimeSource::Caller),
        None => (OffsetDateTime::now_utc(), TimeSource::CurrentTime),
    };
    // One validation time for every signature of the dossier.
    let opts = opts.clone().validation_time(time);
    let mut report = DossierReport {
        schema_version: DOSSIER_REPORT_SCHEMA_VERSION,
        kyso_version: env!("CARGO_PKG_VERSION").to_string(),
        directory: dir.display().to_string(),
        validation_time: time,
        validation_time_source: time_source,
        indication: Indication::TotalPassed,
        manifest: ManifestReport {
            file: MANIFEST_FILE.to_owned(),
            present: false,
            sha256: None,
            schema_version: None,
            created: None,
            dossier_id: None,
            signature_file: MANIFEST_SIGNATURE_FILE.to_owned(),
            signature: None,
        },
        files: Vec::new(),
        findings: Vec::new(),
        summary: DossierSummary::default(),
    };
    let mut overall = Indication::TotalPassed;

    let listing = list(dir, budget)?;
    if let Some((what, limit)) = listing.stopped {
        report.findings.push(
            Finding::new(
                Code::DossierBudgetExhausted,
                format!("the dossier has more than {limit} {what}; the rest was not looked at"),
            )
            .detail(L::Limit, format_args!("{limit} {what}")),
        );
        overall = worse(overall, Indication::Indeterminate);
    }

    let manifest = check_manifest(dir, &opts, budget, &mut report, &mut overall);

    // Files on disk by their name in NFC (the manifest's own files excluded); names that are
    // equal once normalised are a conflict.
    let mut on_disk: BTreeMap<String, Vec<&Found>> = BTreeMap::new();
    let mut undecodable = Vec::new();
    for found in &listing.entries {
        match &found.rel {
            Ok(rel) if rel == MANIFEST_FILE || rel == MANIFEST_SIGNATURE_FILE => {}
            Ok(rel) => on_disk
                .entry(nfc(rel).into_owned())
                .or_default()
                .push(found),
            Err(lossy) => undecodable.push(lossy.clone()),
        }
    }

    let mut files: Vec<DossierFileReport> = Vec::new();
    // The files whose own signatures are checked (one regular file per name): the name in
    // NFC → the path its report has, and the file.
    let mut signable: BTreeMap<String, (String, &Found)> = BTreeMap::new();
    match &manifest {
        ManifestState::Intact(m) => {
            // One map by name: linear in files + entries.
            let listed: HashMap<Cow<'_, str>, &ManifestEntry> =
                m.files.iter().map(|e| (nfc(&e.path), e)).collect();
            for entry in &m.files {
                let key = nfc(&entry.path);
                match on_disk.get(key.as_ref()).map(Vec::as_slice) {
                    Some([found]) => {
                        let f = check_listed(entry, Some(found));
                        keep(&mut files, &mut signable, &key, found, f);
                    }
                    Some(several) => files.extend(conflicts(several, Some(entry))),
                    None => files.push(check_listed(entry, None)),
                }
            }
            for (key, found) in &on_disk {
                if listed.contains_key(key.as_str()) {
                    continue;
                }
                match found.as_slice() {
                    [one] => keep(
                        &mut files,
                        &mut signable,
                        key,
                        one,
                        unlisted(one, FileStatus::Extra),
                    ),
                    several => files.extend(conflicts(several, None)),
                }
            }
        }
        // The manifest's entries are not trusted, so not compared: what is on disk is listed.
        ManifestState::NotTrusted | ManifestState::Absent => {
            let status = match manifest {
                ManifestState::NotTrusted => FileStatus::Unverified,
                _ => FileStatus::Extra,
            };
            for (key, found) in &on_disk {
                match found.as_slice() {
                    [one] => keep(&mut files, &mut signable, key, one, unlisted(one, status)),
                    several => files.extend(conflicts(several, None)),
                }
            }
        }
    }
    for lossy in undecodable {
        let mut f = new_file_report(&lossy);
        f.status = FileStatus::Extra;
        f.findings.push(
            Finding::new(
                Code::DossierFileExtra,
                "present in the dossier, not listed, and its name is not valid UTF-8",
            )
            .remark("tên tệp không phải UTF-8 hợp lệ"),
        );
        files.push(f);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));

    let started = std::time::Instant::now();
    if let Some(left) = check_file_signatures(&opts, &signable, &mut files, budget, started) {
        let limit = budget.deadline.map_or(0, |d| d.as_secs());
        report.findings.push(
            Finding::new(
                Code::DossierBudgetExhausted,
                format!(
                    "the signatures of the dossier's files took longer than {limit} s; \
                     {left} file(s) were not verified"
                ),
            )
            .detail(L::Limit, format_args!("{limit} s")),
        );
        overall = worse(overall, Indication::Indeterminate);
    }

    if let Some(sig) = report.manifest.signature.as_mut() {
        sig.validation_time_source = time_source;
    }
    for f in &mut files {
        for s in &mut f.signatures {
            s.report.validation_time_source = time_source;
        }
        let status_verdict = match f.status {
            FileStatus::Intact => Indication::TotalPassed,
            // Not compared: the manifest's own finding decides.
            FileStatus::Unreadable | FileStatus::Unverified => Indication::Indeterminate,
            _ => Indication::TotalFailed,
        };
        overall = worse(overall, status_verdict);
        if let Some(v) = f.signature_indication {
            overall = worse(overall, v);
        }
        let s = &mut report.summary;
        if f.role.is_some() {
            s.listed += 1;
        }
        match f.status {
            FileStatus::Intact => s.intact += 1,
            FileStatus::Altered => s.altered += 1,
            FileStatus::Missing => s.missing += 1,
            FileStatus::Extra => s.extra += 1,
            FileStatus::Unreadable | FileStatus::InvalidPath | FileStatus::Conflict => {
                s.unreadable += 1
            }
            FileStatus::Unverified => s.unverified += 1,
        }
        for sig in &f.signatures {
            for r in &sig.report.signatures {
                match r.indication {
                    Indication::TotalPassed => s.signatures_passed += 1,
                    Indication::TotalFailed => s.signatures_failed += 1,
                    _ => s.signatures_indeterminate += 1,
                }
            }
        }
    }
    report.files = files;
    report.indication = overall;
    Ok(report)
}

/// Adds a file's report, and the file to those whose own signatures are checked.
fn keep<'a>(
    files: &mut Vec<DossierFileReport>,
    signable: &mut BTreeMap<String, (String, &'a Found)>,
    key: &str,
    found: &'a Found,
    f: DossierFileReport,
) {
    if found.regular {
        signable.insert(key.to_owned(), (f.path.clone(), found));
    }
    files.push(f);
}

/// What the manifest's signature allows the verification to do with its entries.
enum ManifestState {
    /// The signature's value verified over the manifest's bytes (whether its signer is
    /// trusted is the signature's own verdict): the entries are compared with the files.
    Intact(Manifest),
    /// No signature, or one that does not verify over these bytes: the entries are neither
    /// parsed nor compared (the dossier does not pass anyway).
    NotTrusted,
    /// No readable manifest: every file is unlisted.
    Absent,
}

/// Whether every signer of the manifest's signature verified over its bytes: the digest
/// matches and the signature value is right.
fn integrity_verified(sig: &VerificationReport) -> bool {
    !sig.signatures.is_empty()
        && sig.signatures.iter().all(|s| {
            s.integrity.digest == CheckStatus::Passed
                && s.integrity.signature == CheckStatus::Passed
        })
}

/// Reads the manifest once, verifies its signature over those bytes, and parses them only
/// when the signature verified over them.
fn check_manifest(
    dir: &Path,
    opts: &VerifyOptions,
    budget: &DossierBudget,
    report: &mut DossierReport,
    overall: &mut Indication,
) -> ManifestState {
    let manifest_path = dir.join(MANIFEST_FILE);
    let bytes = match std::fs::symlink_metadata(&manifest_path) {
        Err(_) => {
            report.findings.push(
                Finding::new(
                    Code::DossierManifestMissing,
                    format!("the dossier has no {MANIFEST_FILE}: it was never sealed"),
                )
                .detail(L::File, MANIFEST_FILE),
            );
            *overall = Indication::TotalFailed;
            return ManifestState::Absent;
        }
        Ok(meta) if !meta.is_file() => {
            report.findings.push(
                Finding::new(
                    Code::DossierManifestMalformed,
                    format!("{MANIFEST_FILE} is not a regular file"),
                )
                .remark("không phải tệp thông thường")
                .detail(L::File, MANIFEST_FILE),
            );
            *overall = Indication::TotalFailed;
            return ManifestState::Absent;
        }
        Ok(_) => match read_capped(&manifest_path, budget.max_manifest_bytes) {
            Ok(b) => b,
            Err(e) => {
                report.findings.push(
                    Finding::new(
                        Code::DossierManifestMalformed,
                        format!("{MANIFEST_FILE} could not be read: {e}"),
                    )
                    .remark("không đọc được")
                    .detail(L::File, MANIFEST_FILE)
                    .detail(L::Technical, e),
                );
                *overall = Indication::TotalFailed;
                return ManifestState::Absent;
            }
        },
    };
    report.manifest.present = true;
    report.manifest.sha256 = Some(hex(&digest(DigestAlgorithm::Sha256, &bytes)));

    let signature_path = dir.join(MANIFEST_SIGNATURE_FILE);
    let signature = if std::fs::symlink_metadata(&signature_path).is_ok_and(|m| m.is_file()) {
        read_capped(&signature_path, MAX_SIGNATURE_FILE_BYTES)
            .and_then(|sig| verify_detached_bytes(&bytes, &sig, opts))
            .map_err(|e| e.to_string())
    } else {
        Err(String::new())
    };
    let mut intact = false;
    match signature {
        Ok(mut sig_report) => {
            intact = integrity_verified(&sig_report);
            sig_report.file = Some(MANIFEST_FILE.to_owned());
            sig_report.signature_file = Some(MANIFEST_SIGNATURE_FILE.to_owned());
            let verdict = signatures_verdict(&sig_report).unwrap_or(Indication::TotalFailed);
            if verdict != Indication::TotalPassed {
                let why: Vec<String> = sig_report
                    .signatures
                    .iter()
                    .map(|s| match s.sub_indication {
                        Some(sub) => format!("{} / {}", s.indication.as_str(), sub.as_str()),
                        None => s.indication.as_str().to_owned(),
                    })
                    .collect();
                let finding = Finding::new(
                    Code::DossierManifestSignatureNotPassed,
                    format!(
                        "the manifest's signature did not pass: {}",
                        if why.is_empty() {
                            "no signer".to_owned()
                        } else {
                            why.join(", ")
                        }
                    ),
                );
                report.findings.push(if why.is_empty() {
                    finding.remark("chữ ký không có người ký nào")
                } else {
                    finding.detail(L::Indication, why.join(", "))
                });
                *overall = worse(*overall, verdict);
            }
            report.manifest.signature = Some(sig_report);
        }
        Err(reason) => {
            report.findings.push(
                Finding::new(
                    Code::DossierManifestUnsigned,
                    if reason.is_empty() {
                        format!("{MANIFEST_SIGNATURE_FILE} is missing: the manifest is not signed")
                    } else {
                        format!("{MANIFEST_SIGNATURE_FILE} could not be read: {reason}")
                    },
                )
                .detail(L::File, MANIFEST_SIGNATURE_FILE),
            );
            *overall = Indication::TotalFailed;
        }
    }

    if !intact {
        report.findings.push(Finding::new(
            Code::DossierManifestNotCompared,
            "the manifest's signature does not verify over its bytes: its entries are not \
             trusted, so the files were not compared with them (each is listed as found)",
        ));
        return ManifestState::NotTrusted;
    }
    match Manifest::parse(&bytes) {
        Ok(m) => {
            report.manifest.schema_version = Some(m.schema_version);
            report.manifest.created = Some(m.created);
            report.manifest.dossier_id = m.dossier_id.clone();
            ManifestState::Intact(m)
        }
        Err(reason) => {
            report.findings.push(
                Finding::new(
                    Code::DossierManifestMalformed,
                    format!("{MANIFEST_FILE}: {reason}"),
                )
                .detail(L::File, MANIFEST_FILE)
                .detail(L::Technical, reason),
            );
            *overall = Indication::TotalFailed;
            ManifestState::Absent
        }
    }
}

fn new_file_report(path: &str) -> DossierFileReport {
    DossierFileReport {
        path: path.to_owned(),
        role: None,
        status: FileStatus::Missing,
        expected_size: None,
        size: None,
        expected_sha256: None,
        sha256: None,
        signatures: Vec::new(),
        signature_indication: None,
        findings: Vec::new(),
    }
}

/// Compares one listed file with the file of its name on disk, if there is one.
fn check_listed(entry: &ManifestEntry, found: Option<&Found>) -> DossierFileReport {
    let mut f = new_file_report(&entry.path);
    f.role = Some(entry.role);
    f.expected_size = Some(entry.size);
    f.expected_sha256 = Some(entry.sha256.clone());
    if let Err(reason) = check_relative_path(&entry.path) {
        f.status = FileStatus::InvalidPath;
        f.findings.push(
            Finding::new(
                Code::DossierPathInvalid,
                format!("the manifest lists an unsafe path ({reason})"),
            )
            .detail(L::Technical, reason),
        );
        return f;
    }
    let Some(found) = found else {
        f.status = FileStatus::Missing;
        f.findings.push(
            Finding::new(
                Code::DossierFileMissing,
                format!(
                    "listed in the manifest ({} bytes) but not in the dossier",
                    entry.size
                ),
            )
            .detail(L::Size, entry.size),
        );
        return f;
    };
    if !found.regular {
        f.status = FileStatus::Unreadable;
        f.findings.push(Finding::new(
            Code::DossierFileUnreadable,
            "not a regular file (a symbolic link or special file); not followed",
        )
            .remark("không phải tệp thông thường (liên kết tượng trưng hoặc tệp đặc biệt); không được đọc theo"));
        return f;
    }
    match digest_file(&found.path, &[]) {
        Err(e) => {
            f.status = FileStatus::Unreadable;
            f.findings.push(
                Finding::new(
                    Code::DossierFileUnreadable,
                    format!("could not be read: {e}"),
                )
                .detail(L::Technical, e),
            );
        }
        Ok(d) => {
            let sha = hex(&d.sha256);
            if d.size == entry.size && sha == entry.sha256 {
                f.status = FileStatus::Intact;
                f.findings.push(
                    Finding::new(
                        Code::DossierFileIntact,
                        "same size and SHA-256 as the manifest lists",
                    )
                    .plain(),
                );
            } else {
                f.status = FileStatus::Altered;
                let what = if d.size != entry.size {
                    format!(
                        "its size is {} bytes, the manifest lists {}",
                        d.size, entry.size
                    )
                } else {
                    format!("its SHA-256 is {sha}, the manifest lists {}", entry.sha256)
                };
                f.findings.push(
                    Finding::new(
                        Code::DossierFileAltered,
                        format!("the content changed after sealing: {what}"),
                    )
                    .detail(
                        L::Declared,
                        if d.size != entry.size {
                            entry.size.to_string()
                        } else {
                            entry.sha256.clone()
                        },
                    )
                    .detail(
                        L::Found,
                        if d.size != entry.size {
                            d.size.to_string()
                        } else {
                            sha.clone()
                        },
                    ),
                );
            }
            f.size = Some(d.size);
            f.sha256 = Some(sha);
        }
    }
    f
}

/// A file on disk with no manifest entry to compare it with: `Extra` (not listed) or
/// `Unverified` (the manifest is not trusted), with its size and SHA-256.
fn unlisted(found: &Found, status: FileStatus) -> DossierFileReport {
    let rel = match &found.rel {
        Ok(s) | Err(s) => s,
    };
    let mut f = new_file_report(rel);
    f.status = status;
    if found.regular {
        match digest_file(&found.path, &[]) {
            Ok(d) => {
                f.size = Some(d.size);
                f.sha256 = Some(hex(&d.sha256));
            }
            Err(e) => f.findings.push(Finding::new(
                Code::DossierFileUnreadable,
                format!("could not be read: {e}"),
            )),
        }
    }
    if status == FileStatus::Extra {
        f.findings.push(Finding::new(
            Code::DossierFileExtra,
            if found.regular {
                "present in the dossier but not listed in the manifest"
            } else {
                "not listed in the manifest (and not a regular file)"
            },
        ));
    }
    f
}

/// Files whose names are equal once normalised (Unicode NFC): which one the manifest (if
/// it lists the name) means cannot be told, so none is taken for it.
fn conflicts(several: &[&Found], entry: Option<&ManifestEntry>) -> Vec<DossierFileReport> {
    let names: Vec<&str> = several
        .iter()
        .map(|f| match &f.rel {
            Ok(s) | Err(s) => s.as_str(),
        })
        .collect();
    several
        .iter()
        .zip(&names)
        .map(|(found, name)| {
            let mut f = unlisted(found, FileStatus::Conflict);
            if let Some(e) = entry {
                f.role = Some(e.role);
                f.expected_size = Some(e.size);
                f.expected_sha256 = Some(e.sha256.clone());
            }
            let others: Vec<String> = names
                .iter()
                .filter(|n| *n != name)
                .map(|n| format!("{n:?}"))
                .collect();
            f.findings.push(Finding::new(
                Code::DossierNameConflict,
                format!(
                    "{name:?} and {} are the same name once normalised (Unicode NFC); {}",
                    others.join(", "),
                    if entry.is_some() {
                        "which one the manifest lists cannot be told"
                    } else {
                        "the manifest cannot tell them apart"
                    }
                ),
            ));
            f
        })
        .collect()
}

/// Whether the file starts like a PDF (`%PDF-` in its first 1024 bytes).
fn looks_like_pdf(path: &Path) -> bool {
    use std::io::Read;
    let mut head = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(1024).read_to_end(&mut head))
        .is_ok()
        && head.windows(5).any(|w| w == b"%PDF-")
}

/// Verifies the signatures inside PDFs and `.p7m` files and the `.p7s` files beside
/// content, and records them on the files they sign. `signable` maps each regular file's
/// name (NFC) to the path of its report and the file. Stops when the budget's deadline has
/// passed: then the number of files not looked at.
fn check_file_signatures(
    opts: &VerifyOptions,
    signable: &BTreeMap<String, (String, &Found)>,
    files: &mut [DossierFileReport],
    budget: &DossierBudget,
    started: std::time::Instant,
) -> Option<usize> {
    let index: HashMap<String, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.clone(), i))
        .collect();
    let index_of = |key: &str| {
        signable
            .get(key)
            .and_then(|(path, _)| index.get(path.as_str()).copied())
    };
    let mut opts = opts.clone();
    for (done, (key, (rel, found))) in signable.iter().enumerate() {
        if let Some(deadline) = budget.deadline {
            let Some(left) = deadline.checked_sub(started.elapsed()) else {
                return Some(signable.len() - done);
            };
            // No one document may take longer than what is left of the dossier's time.
            let own = opts.document_budget.deadline.map_or(left, |d| d.min(left));
            opts.document_budget.deadline = Some(own);
        }
        let opts = &opts;
        let Some(own) = index_of(key) else {
            continue;
        };
        let lower = key.to_ascii_lowercase();
        let (target, outcome) = if lower.ends_with(".p7s") {
            let content_key = key.get(..key.len().saturating_sub(4)).unwrap_or_default();
            let content = signable
                .get(content_key)
                .and_then(|(_, c)| Some((index_of(content_key)?, *c)));
            let Some((target, content)) = content else {
                if let Some(f) = files.get_mut(own) {
                    let content_rel = rel.get(..rel.len().saturating_sub(4)).unwrap_or_default();
                    f.findings.push(
                        Finding::new(
                            Code::DossierOrphanSignature,
                            format!(
                                "a detached signature, but \"{content_rel}\" is not in the dossier"
                            ),
                        )
                        .detail(L::File, content_rel),
                    );
                }
                continue;
            };
            (
                target,
                verify_detached_file(&content.path, &found.path, opts)
                    .map(|r| (DocumentFormat::CmsDetached, r)),
            )
        } else if lower.ends_with(".p7m") {
            (
                own,
                verify_enveloping_file(&found.path, opts)
                    .map(|e| (DocumentFormat::CmsEnveloping, e.report)),
            )
        } else if looks_like_pdf(&found.path) {
            (
                own,
                verify_file(&found.path, opts).map(|r| (DocumentFormat::Pdf, r)),
            )
        } else {
            continue;
        };
        let Some(f) = files.get_mut(target) else {
            continue;
        };
        match outcome {
            Ok((format, mut report)) => {
                report.file = Some(f.path.clone());
                if format == DocumentFormat::CmsDetached {
                    report.signature_file = Some(rel.clone());
                }
                if let Some(v) = signatures_verdict(&report) {
                    f.signature_indication =
                        Some(f.signature_indication.map_or(v, |old| worse(old, v)));
                    if v != Indication::TotalPassed {
                        f.findings.push(
                            Finding::new(
                                Code::DossierFileSignatureNotPassed,
                                format!(
                                    "the signature{} in {} did not pass: {}",
                                    if report.signatures.len() > 1 { "s" } else { "" },
                                    rel,
                                    v.as_str()
                                ),
                            )
                            .detail(L::File, rel)
                            .detail(L::Indication, v.as_str()),
                        );
                    }
                }
                f.signatures.push(FileSignature {
                    source: rel.clone(),
                    format,
                    report,
                });
            }
            Err(e) => {
                f.findings.push(
                    Finding::new(
                        Code::DossierFileUnreadable,
                        format!("the signature in {rel} could not be verified: {e}"),
                    )
                    .remark("không kiểm tra được chữ ký")
                    .detail(L::File, rel)
                    .detail(L::Technical, e),
                );
                f.signature_indication = Some(
                    f.signature_indication
                        .map_or(Indication::Indeterminate, |old| {
                            worse(old, Indication::Indeterminate)
                        }),
                );
            }
        }
    }
    None
}
