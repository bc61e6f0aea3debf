//! What later revisions changed after a signature, judged by whitelist rules.
//!
//! Every object that a later revision redefines or frees is compared with its previous
//! version and must match a rule; anything no rule explains is a disallowed change
//! ("other"). New objects are harmless until something points at them, so they are judged
//! where an allowed change adds a reference to them: a new page annotation must be a
//! signature widget, a new form field must be a signature field, a field's new `/V` must be
//! a signature dictionary.
//!
//! Several rules allow rewriting an object only when nothing else uses it: they ask
//! [`refs`] for every place the previous revision refers to the object from, so that an
//! object shared with page content cannot be changed under the cover of an allowed role.
//!
//! Rules of this version (the difference-analysis work extends them):
//! - catalog: `/AcroForm` may change (judged as below); `/DSS`, `/Extensions`, `/Version`
//!   (a name) and `/Metadata` (an XML metadata stream) may be added or changed;
//! - AcroForm: `/Fields` may gain signature fields, `/SigFlags`, `/DR` and `/DA` may change;
//! - arrays (`/Fields`, `/Annots`, `/Kids`, direct or indirect): may gain references to
//!   signature fields or widgets, keeping every earlier element in order;
//! - page: `/Annots` may gain signature widgets;
//! - a signature field without a value may be signed: it gains `/V` (a signature
//!   dictionary) and may change `/AP`, `/AS` and `/F`, as may its separate widgets; a
//!   signed signature field may not change at all;
//! - an appearance stream may be redrawn when only the widgets of fields signed in that
//!   revision use it (directly or through an appearance dictionary);
//! - signature dictionaries may be added, never changed;
//! - the document information dictionary (`/Info`) and XML metadata streams may be
//!   rewritten when used only as such (editors update dates and producer on save; viewers do
//!   not display them as content);
//! - the document security store and an indirect `/Extensions` dictionary may be rewritten
//!   when used only as such;
//! - cross-reference streams and object streams are structure, not content;
//! - everything else redefined or freed: disallowed.

mod context;
pub mod refs;
mod rules;

use std::collections::BTreeSet;

use crate::pdf::{Document, ObjRef, Source};
use crate::report::{Change, Code, Finding, ModificationLevel, Modifications};

pub use rules::Verdict;

/// Analyses the revisions after `signed` (0-based) up to the last one.
pub fn analyse<S: Source>(doc: &Document<S>, signed: usize) -> (Modifications, Vec<Finding>) {
    let last = doc.last_revision();
    let mut mods = Modifications {
        later_revisions: last.saturating_sub(signed),
        level: ModificationLevel::None,
        allowed: true,
        changes: Vec::new(),
    };
    let mut findings = Vec::new();
    for rev in signed + 1..=last {
        match revision_changes(doc, rev) {
            Ok(changes) => {
                for c in changes {
                    mods.level = mods.level.max(c.level);
                    if c.level == ModificationLevel::Other {
                        mods.allowed = false;
                        findings.push(Finding::new(
                            Code::ModificationDisallowed,
                            format!(
                                "revision {}: {}{}",
                                rev + 1,
                                c.object
                                    .as_deref()
                                    .map(|o| format!("object {o}: "))
                                    .unwrap_or_default(),
                                c.description
                            ),
                        ));
                    }
                    mods.changes.push(c);
                }
            }
            Err(e) => {
                mods.allowed = false;
                mods.level = ModificationLevel::Other;
                findings.push(Finding::new(
                    Code::ModificationUnanalysed,
                    format!("revision {} could not be analysed: {e}", rev + 1),
                ));
            }
        }
    }
    if mods.allowed && mods.later_revisions > 0 {
        findings.push(Finding::new(
            Code::ModificationSignatureAdded,
            format!(
                "{} later revision(s) only add signatures or validation data",
                mods.later_revisions
            ),
        ));
    }
    (mods, findings)
}

/// The classified changes of revision `rev` against revision `rev - 1`.
fn revision_changes<S: Source>(
    doc: &Document<S>,
    rev: usize,
) -> Result<Vec<Change>, crate::pdf::PdfError> {
    let prev = rev.saturating_sub(1);
    let mut out = Vec::new();
    let entries = doc
        .revisions()
        .get(rev)
        .map(|rv| rv.entries.as_slice())
        .unwrap_or_default();
    let redefined: BTreeSet<u32> = entries
        .iter()
        .map(|&(num, _)| num)
        .filter(|&num| {
            num != 0
                && doc
                    .lookup(prev, ObjRef::new(num, 0))
                    .is_some_and(|e| e.is_in_use())
        })
        .collect();
    let mut ctx = context::Ctx::new(doc, prev, rev, redefined);
    for &(num, entry) in entries {
        if num == 0 {
            continue;
        }
        let old_entry = doc
            .lookup(prev, ObjRef::new(num, 0))
            .filter(|e| e.is_in_use());
        let new_ref = ObjRef::new(num, entry.gen());
        if let Some(oe) = old_entry {
            if entry.is_in_use() && oe.gen() != entry.gen() {
                out.push(change(
                    rev,
                    Some(new_ref),
                    Verdict::other(
                        "deletion",
                        "an existing object number was reused with a new generation",
                    ),
                ));
                continue;
            }
        }
        let old = match old_entry {
            Some(oe) => doc.get(prev, ObjRef::new(num, oe.gen()))?,
            None => None,
        };
        let new = if entry.is_in_use() {
            doc.get(rev, new_ref)?
        } else {
            None
        };
        let verdict = rules::classify_redefinition(&mut ctx, new_ref, old.as_ref(), new.as_ref())?;
        if let Some(v) = verdict {
            out.push(change(rev, Some(new_ref), v));
        }
    }
    // The trailer's /Root must keep pointing at the same catalog.
    let root =
        |t: Option<&crate::pdf::Dict>| t.and_then(|t| t.get(b"Root")).and_then(|o| o.as_ref());
    if root(doc.trailer(prev)) != root(doc.trailer(rev)) {
        out.push(change(
            rev,
            None,
            Verdict::other(
                "trailer",
                "the trailer's /Root points to a different catalog",
            ),
        ));
    }
    Ok(out)
}

fn change(rev: usize, obj: Option<ObjRef>, v: Verdict) -> Change {
    Change {
        revision: rev,
        object: obj.map(|o| o.to_string()),
        level: v.level,
        rule: v.rule.to_string(),
        description: v.description,
    }
}

#[cfg(test)]
mod tests;
