//! Which signatures cover each embedded file, for the PDF verification report.
//!
//! A signature covers an embedded file when the revision it signed already held the file
//! exactly as the last revision holds it: the same entry (place, name-tree key, file
//! specification, embedded stream) is listed there, and neither the file specification (or
//! the object holding it) nor the stream was written again later. Anything else — a file
//! added after the signature, or replaced, or re-pointed — is covered by no signature that
//! precedes the change, and the report says so. Whether such a change is *allowed* is the
//! difference analysis' call ([`crate::diff`]).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::pdf::{Document, ObjRef, Source};
use crate::report::DetailLabel as L;
use crate::report::{Code, EmbeddedFileReport, EmbeddedLocation, Finding, SignatureReport};
use crate::util::hex;

use super::embedded::{embedded_contents, list_embedded_files, EmbeddedFile};

/// What identifies an embedded file across revisions (annotation page numbers are left out:
/// they shift when pages are added).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Identity {
    place: u8,
    key: Option<Vec<u8>>,
    filespec: Option<ObjRef>,
    holder: Option<ObjRef>,
    stream: Option<ObjRef>,
}

impl Identity {
    fn of(f: &EmbeddedFile) -> Self {
        Identity {
            place: match f.location {
                EmbeddedLocation::NameTree => 0,
                EmbeddedLocation::AssociatedFile => 1,
                EmbeddedLocation::Annotation { .. } => 2,
            },
            key: f.key.clone(),
            filespec: f.filespec,
            holder: f.holder,
            stream: f.stream,
        }
    }
}

/// The embedded files of the last revision of `doc` with their size, SHA-256 and covering
/// signatures (indices into `signatures`), and document-level findings: files no signature
/// covers, declared sizes and checksums that do not match, files that cannot be read.
///
/// Never fails: what cannot be read becomes a finding.
pub fn embedded_file_reports<S: Source>(
    doc: &Document<S>,
    signatures: &[SignatureReport],
) -> (Vec<EmbeddedFileReport>, Vec<Finding>) {
    let last = doc.last_revision();
    let mut findings = Vec::new();
    let files = match list_embedded_files(doc, last) {
        Ok(files) => files,
        Err(e) => {
            findings.push(
                Finding::new(
                    Code::EmbeddedUnreadable,
                    format!("the embedded files could not be listed: {e}"),
                )
                .remark("không liệt kê được các tệp đính kèm")
                .detail(L::Technical, e),
            );
            return (Vec::new(), findings);
        }
    };
    if files.is_empty() {
        return (Vec::new(), findings);
    }

    let signed: BTreeSet<usize> = signatures
        .iter()
        .filter_map(|s| s.signed_revision)
        .collect();
    let mut then: BTreeMap<usize, HashSet<Identity>> = BTreeMap::new();
    for rev in signed {
        // A revision whose files cannot be listed covers none of them.
        let ids = list_embedded_files(doc, rev)
            .map(|fs| fs.iter().map(Identity::of).collect())
            .unwrap_or_default();
        then.insert(rev, ids);
    }

    // Each distinct stream is decoded once, however many specifications share it.
    let contents = embedded_contents(doc, last, &files);
    let mut reports = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let written = [file.filespec.or(file.holder), file.stream]
            .into_iter()
            .flatten()
            .filter_map(|r| doc.defining_revision(last, r))
            .max();
        let id = Identity::of(file);
        let covered_by: Vec<usize> = signatures
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                s.signed_revision.is_some_and(|rev| {
                    written.is_some_and(|w| w <= rev)
                        && then.get(&rev).is_some_and(|ids| ids.contains(&id))
                })
            })
            .map(|(i, _)| i)
            .collect();

        let mut size = None;
        let mut sha256 = None;
        if let Some(facts) = contents.get(i) {
            match facts {
                Ok(facts) => {
                    if let Some(declared) = file.declared_size.filter(|d| *d != facts.size) {
                        findings.push(
                            Finding::new(
                                Code::EmbeddedSizeMismatch,
                                format!(
                                "embedded file \"{}\" declares /Size {declared} but holds {} bytes",
                                file.name, facts.size
                            ),
                            )
                            .detail(L::File, &file.name)
                            .detail(L::Declared, declared)
                            .detail(L::Found, facts.size),
                        );
                    }
                    if let Some(declared) = file
                        .declared_checksum
                        .as_ref()
                        .filter(|c| Some(&c[..]) != facts.md5.as_deref())
                    {
                        findings.push(
                            Finding::new(
                                Code::EmbeddedChecksumMismatch,
                                format!(
                                    "embedded file \"{}\" declares /CheckSum {} but its MD5 is {}",
                                    file.name,
                                    hex(declared),
                                    facts.md5.as_deref().map(hex).unwrap_or_default()
                                ),
                            )
                            .detail(L::File, &file.name)
                            .detail(L::Declared, hex(declared))
                            .detail(L::Found, facts.md5.as_deref().map(hex).unwrap_or_default()),
                        );
                    }
                    size = Some(facts.size);
                    sha256 = Some(hex(&facts.sha256));
                }
                Err(reason) => findings.push(
                    Finding::new(
                        Code::EmbeddedUnreadable,
                        format!(
                            "embedded file \"{}\" could not be read: {reason}",
                            file.name
                        ),
                    )
                    .detail(L::File, &file.name)
                    .detail(L::Technical, reason),
                ),
            }
        }

        if covered_by.is_empty() && !signatures.is_empty() {
            let mut finding = Finding::new(
                Code::EmbeddedNotCovered,
                format!(
                    "embedded file \"{}\"{} is not covered by any signature: it was added or \
                     changed after the signatures",
                    file.name,
                    written
                        .map(|w| format!(" (written in revision {})", w + 1))
                        .unwrap_or_default()
                ),
            )
            .detail(L::File, &file.name);
            if let Some(w) = written {
                finding = finding.detail(L::Revision, w + 1);
            }
            findings.push(finding);
        }
        reports.push(EmbeddedFileReport {
            name: file.name.clone(),
            location: file.location,
            mime_type: file.mime_type.clone(),
            relationship: file.relationship.clone(),
            size,
            sha256,
            added_in_revision: written,
            covered_by,
        });
    }
    (reports, findings)
}
