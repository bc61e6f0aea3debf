//! What later revisions changed after one signature: the difference analysis
//! ([`crate::diff`]) applied with the signature's coverage and permissions, into its report.

use crate::diff::{analyse_with, repeated_key_of, Policy, RevisionCache};
use crate::pdf::{Document, Source};
use crate::report::{
    Change, Code, CoverageStatus, Finding, ModificationLevel, SignatureKind, SignatureReport,
};

/// Fills in what later revisions changed for the signature `c` (the `index`-th in signing
/// order), once its coverage is known: the modification analysis when it covers a whole
/// revision, "nothing appended" when it covers the whole file, and "other" when its bytes
/// do not form a revision (the uncovered bytes could hold anything).
pub(crate) fn judge_signature<S: Source>(
    doc: &Document<S>,
    cache: &RevisionCache,
    c: &super::discover::Candidate,
    index: usize,
    r: &mut SignatureReport,
) {
    if r.kind == SignatureKind::Certification && index > 0 {
        r.findings.push(Finding::new(
            Code::SigCertificationNotFirst,
            "the certification signature is not the first signature of the document; its              permissions are still applied to the changes made after it",
        ));
    }
    if let Some(key) = c.object.and_then(|o| repeated_key_of(doc, o)) {
        r.findings.push(Finding::new(
            Code::SigDictMalformed,
            format!(
                "the signature dictionary repeats the key /{}: readers disagree on which value \
                 counts",
                String::from_utf8_lossy(&key)
            ),
        ));
    }
    let signed = r.signed_revision;
    match (signed, r.coverage.status) {
        (Some(signed), CoverageStatus::EntireRevision) => {
            let policy = policy_for(doc, cache, signed, c);
            let (mods, findings) = analyse_with(doc, cache, signed, &policy);
            r.modifications = mods;
            r.findings.extend(findings);
        }
        (Some(signed), CoverageStatus::EntireFile) => {
            let policy = policy_for(doc, cache, signed, c);
            r.modifications.permitted = policy.permitted();
            r.modifications.policy = policy.describe();
            r.findings.push(Finding::new(
                Code::ModificationNone,
                "nothing was appended after the signature",
            ));
        }
        _ => {
            r.modifications.level = ModificationLevel::Other;
            r.modifications.allowed = false;
            r.modifications.changes.push(Change {
                revision: doc.last_revision(),
                object: None,
                level: ModificationLevel::Other,
                rule: "coverage".to_string(),
                description: "the signed bytes do not form a whole revision: bytes the \
                              signature does not cover may hold anything"
                    .to_string(),
                field: None,
                old_value: None,
                new_value: None,
            });
        }
    }
}

/// The modification policy of the signature `c`, whose signed revision is `signed`.
fn policy_for<S: Source>(
    doc: &Document<S>,
    cache: &RevisionCache,
    signed: usize,
    c: &super::discover::Candidate,
) -> Policy {
    cache.signature_policy(doc, signed, c.object, &c.dict, &c.field_names)
}
