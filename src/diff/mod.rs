//! What later revisions changed after a signature, judged by whitelist rules.
//!
//! Each revision after the signed one is judged against the revision before it, in three
//! steps; anything no rule explains is a disallowed change ("other"):
//!
//! 1. **Structure** (`structure`): the bytes the update appended must be what its
//!    cross-reference section says they are — every entry at its object, no object outside
//!    the section, no second definition, catalog or trailer, no repeated dictionary key, no
//!    entry reaching into signed bytes. Otherwise a viewer may show something the object
//!    rules never saw. The revisions the signature covers may not place objects past the
//!    signed bytes, and nothing after the last revision may look like PDF structure.
//! 2. **Objects**: every object the update redefines or frees is compared with its previous
//!    version and must match a rule (below). New objects are harmless until something points
//!    at them, so they are judged where an allowed change adds a reference to them — unless
//!    the previous revision already referred to them: then the update gives meaning to a
//!    reference that was signed as `null`, which is disallowed.
//! 3. **Permissions** ([`Policy`]): each change has a level (none < LTV updates < form filling
//!    < annotations < other); the level the permissions allow is form filling by default,
//!    or what the certification signature grants (P1: LTV updates, P2: form filling and
//!    signing, P3: annotations too). After a certification, a new signature field with a
//!    visible widget is disallowed (its appearance could draw over certified content: the
//!    "Sneaky Signature" attack); after an approval signature, a new visible signature
//!    field that holds no signature is allowed with a warning; and a signature's FieldMDP
//!    lock forbids changes to the fields it locks.
//!
//! Several rules allow rewriting an object only when nothing else uses it: they ask
//! `refs` for every place the previous revision refers to the object from, so that an
//! object shared with page content cannot be changed under the cover of an allowed role.
//!
//! Every value the rules read goes through one resolving reader (`read.rs`): references followed, arrays element
//! by element, and a value that cannot be read as expected counted as visible, changed or
//! not allowed. A signature field is what the form's `/Fields` reach; on a page, only a
//! `/Subtype /Widget` annotation of such a field counts as its widget (an annotation with
//! `/FT /Sig` is judged as the annotation it is).
//!
//! The object rules:
//! - catalog: `/AcroForm` may change (judged as below); `/DSS`, `/Extensions`, `/Version`
//!   (a name) and `/Metadata` (an XML metadata stream) may be added or changed;
//! - AcroForm: `/Fields` may gain signature fields; `/SigFlags` may change; the drawing
//!   defaults `/DR`, `/DA` and `/Q` only when no widget a viewer shows is drawn with them;
//!   `/NeedAppearances` may never be set, and cleared only when every shown field with a
//!   stored appearance was filled in the same revision;
//! - arrays (`/Fields`, `/Annots`, `/Kids`, direct or indirect, used as nothing else): keep
//!   every earlier element in order and gain signature fields or widgets; a page's `/Annots`
//!   may also gain or lose markup annotations (level annotations);
//! - page: `/Annots` may change as above;
//! - form filling (level form filling): a non-signature field may change its value (unless
//!   it was read-only) and become read-only; its appearance (`/AP`, `/AS`, its widgets'
//!   appearances, appearance streams used only by them) may be redrawn only when its value
//!   changed, and a button's state must be `/Off` or its new value; how it is drawn from
//!   its value (`/DA`, `/Q`, `/MK`, `/DS`, `/RV`, on the field or a widget) only when its
//!   value changed and every widget got a new appearance stream;
//! - a signature field without a value may be signed: it gains `/V` (a signature
//!   dictionary) and may change `/AP`, `/AS` and `/F`, as may its separate widgets; a
//!   signed signature field may not change at all;
//! - markup annotations (text, free text, lines, shapes, text markup, carets, stamps, ink,
//!   pop-ups) may change, keeping their subtype (level annotations), and so may appearance
//!   streams only they use;
//! - signature dictionaries may be added, never changed;
//! - the document information dictionary (`/Info`) and XML metadata streams may be
//!   rewritten when used only as such (editors update dates and producer on save; viewers do
//!   not display them as content);
//! - the document security store and an indirect `/Extensions` dictionary may be rewritten
//!   when used only as such;
//! - cross-reference streams and object streams are structure, not content;
//! - everything else redefined or freed — page content, resources, fonts, the page tree, an
//!   integer used as a stream's `/Length`, other catalog entries — is disallowed.

mod compare;
mod context;
mod known;
pub(crate) mod mdp;
mod read;
pub(crate) mod refs;
mod rules;
pub(crate) mod structure;
mod values;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use crate::pdf::{Document, ObjRef, PdfError, Source};
use crate::report::{Change, Code, Finding, ModificationLevel, Modifications};

pub use mdp::{docmdp_p, Policy};
pub use rules::Verdict;

/// A change judged by the rules, with what the permission checks need.
#[derive(Debug, Clone)]
struct Judged {
    change: Change,
    new_visible_signature_field: bool,
    unsigned_visible_signature_field: bool,
}

/// Why a revision could not be judged.
#[derive(Debug, Clone)]
enum Failure {
    /// A safety budget ran out.
    Budget(String),
    /// The revision could not be read.
    Unreadable(String),
}

/// What one revision changed, as judged against the revision before it.
type Outcome = Result<Vec<Judged>, Failure>;

/// Judgements of revisions, computed once per document and shared by all its signatures
/// (a revision's changes do not depend on which signature asks).
#[derive(Debug, Default)]
pub struct RevisionCache {
    revisions: RefCell<BTreeMap<usize, Rc<Outcome>>>,
    trailing: RefCell<Option<Rc<Outcome>>>,
    /// What judging one revision learnt about the document that judging another can reuse.
    known: known::Known,
}

impl RevisionCache {
    /// An empty cache.
    pub fn new() -> Self {
        RevisionCache::default()
    }

    fn revision<S: Source>(&self, doc: &Document<S>, rev: usize) -> Rc<Outcome> {
        if let Some(hit) = self.revisions.borrow().get(&rev) {
            return Rc::clone(hit);
        }
        let outcome = Rc::new(revision_changes(doc, &self.known, rev).map_err(failure));
        self.revisions.borrow_mut().insert(rev, Rc::clone(&outcome));
        outcome
    }

    fn trailing<S: Source>(&self, doc: &Document<S>) -> Rc<Outcome> {
        if let Some(hit) = self.trailing.borrow().as_ref() {
            return Rc::clone(hit);
        }
        let outcome = Rc::new(
            structure::check_trailing(doc)
                .map(|anomalies| {
                    anomalies
                        .into_iter()
                        .map(|a| structure_change(doc.last_revision(), a))
                        .collect()
                })
                .map_err(failure),
        );
        *self.trailing.borrow_mut() = Some(Rc::clone(&outcome));
        outcome
    }
}

fn failure(e: PdfError) -> Failure {
    match e {
        PdfError::BudgetExceeded { what, limit } => {
            Failure::Budget(format!("{what} (limit {limit})"))
        }
        other => Failure::Unreadable(other.to_string()),
    }
}

/// Analyses the revisions after `signed` (0-based) up to the last one, with a fresh cache
/// and the default policy.
pub fn analyse<S: Source>(doc: &Document<S>, signed: usize) -> (Modifications, Vec<Finding>) {
    analyse_with(
        doc,
        &RevisionCache::new(),
        signed,
        &Policy::default_policy(),
    )
}

/// Analyses the revisions after `signed` up to the last one and judges their changes
/// against `policy`; revision judgements come from (and go to) `cache`.
pub fn analyse_with<S: Source>(
    doc: &Document<S>,
    cache: &RevisionCache,
    signed: usize,
    policy: &Policy,
) -> (Modifications, Vec<Finding>) {
    let last = doc.last_revision();
    let signed = signed_chain_head(doc, signed);
    let mut mods = Modifications::none();
    mods.later_revisions = last.saturating_sub(signed);
    mods.permitted = policy.permitted();
    mods.policy = policy.describe();
    let mut findings = Distinct::default();
    if mods.later_revisions > 0 || policy.certification.is_some() || policy.lock.is_some() {
        findings.push(
            Code::ModificationPolicy,
            format!("later changes are judged against: {}", mods.policy),
        );
    }
    let judged = gather(doc, cache, signed, last, &mut mods, &mut findings);
    let mut seen = Seen {
        annotations: false,
        only_signing: true,
    };
    for j in judged {
        judge_change(j, policy, &mut mods, &mut findings, &mut seen);
    }
    summarise(&mods, &seen, &mut findings);
    (mods, findings.list)
}

/// Findings without repeats (the same code and message once).
#[derive(Default)]
struct Distinct {
    list: Vec<Finding>,
    seen: BTreeSet<(&'static str, String)>,
}

impl Distinct {
    fn push(&mut self, code: Code, message: String) {
        if self.seen.insert((code.as_str(), message.clone())) {
            self.list.push(Finding::new(code, message));
        }
    }
}

/// What the judged changes were, for the summary.
struct Seen {
    /// Markup annotations were added, changed or removed.
    annotations: bool,
    /// Nothing but signatures and validation data was added.
    only_signing: bool,
}

/// The changes of every revision after `signed` (and of bytes after the last one), the
/// signed revision's own entries checked first. A revision that could not be analysed fails
/// the analysis (`mods` not allowed, level Other) with a finding saying why.
fn gather<S: Source>(
    doc: &Document<S>,
    cache: &RevisionCache,
    signed: usize,
    last: usize,
    mods: &mut Modifications,
    findings: &mut Distinct,
) -> Vec<Judged> {
    let mut judged: Vec<Judged> = structure::check_signed_entries(doc, signed)
        .into_iter()
        .map(|a| structure_change(signed, a))
        .collect();
    let mut outcomes: Vec<(Option<usize>, Rc<Outcome>)> = (signed + 1..=last)
        .map(|rev| (Some(rev), cache.revision(doc, rev)))
        .collect();
    outcomes.push((None, cache.trailing(doc)));
    for (rev, outcome) in outcomes {
        match outcome.as_ref() {
            Ok(list) => judged.extend(list.iter().cloned()),
            Err(f) => {
                mods.allowed = false;
                mods.level = ModificationLevel::Other;
                let (code, what) = match f {
                    Failure::Budget(b) => (Code::BudgetExceeded, format!("a budget ran out: {b}")),
                    Failure::Unreadable(e) => (Code::ModificationUnanalysed, e.clone()),
                };
                let place = match rev {
                    Some(rev) => format!("revision {}", rev + 1),
                    None => "the bytes after the last revision".to_string(),
                };
                findings.push(code, format!("{place} could not be analysed: {what}"));
            }
        }
    }
    judged
}

/// Judges one change against `policy`: its level against the permitted one, signature
/// fields that draw over certified content, locked fields; records it in `mods`.
fn judge_change(
    j: Judged,
    policy: &Policy,
    mods: &mut Modifications,
    findings: &mut Distinct,
    seen: &mut Seen,
) {
    let c = &j.change;
    mods.level = mods.level.max(c.level);
    let at = format!(
        "revision {}: {}",
        c.revision + 1,
        c.object
            .as_deref()
            .map(|o| format!("object {o}: "))
            .unwrap_or_default()
    );
    if c.level == ModificationLevel::Other {
        mods.allowed = false;
        let code = if c.rule == "structure" {
            Code::ModificationStructure
        } else {
            Code::ModificationDisallowed
        };
        findings.push(code, format!("{at}{}", c.description));
        // No DocMDP permission allows it: a document under a certification names the
        // violation too (the certification no longer vouches for the document).
        if let (Some(cert), false) = (&policy.certification, c.rule == "structure") {
            findings.push(
                Code::ModificationDocMdpViolation,
                format!(
                    "{at}{}; no DocMDP permission allows this change (the document is \
                     certified with P{})",
                    c.description, cert.p
                ),
            );
        }
    } else if c.level > mods.permitted {
        mods.allowed = false;
        let code = if policy.certification.is_some() || policy.lock_p.is_some() {
            Code::ModificationDocMdpViolation
        } else {
            Code::ModificationDisallowed
        };
        findings.push(
            code,
            format!(
                "{at}{}; the permissions ({}) do not allow {}",
                c.description,
                mods.policy,
                level_name(c.level)
            ),
        );
    }
    if j.new_visible_signature_field && policy.certification.is_some() {
        mods.allowed = false;
        findings.push(
            Code::ModificationNewVisibleSignatureField,
            format!(
                "{at}{}: a new signature field with a visible widget after a \
                 certification signature may draw over certified content",
                c.description
            ),
        );
    } else if j.unsigned_visible_signature_field && c.level != ModificationLevel::Other {
        findings.push(
            Code::ModificationUnsignedVisibleSignatureField,
            format!(
                "{at}{}: the page now shows the appearance of a signature field that \
                 holds no signature; nobody signed what it draws",
                c.description
            ),
        );
    }
    if let (Some(lock), Some(field)) = (&policy.lock, &c.field) {
        if lock.locks(field) && c.level > ModificationLevel::None {
            mods.allowed = false;
            findings.push(
                Code::ModificationFieldLocked,
                format!(
                    "{at}{} — field \"{field}\" is locked by this signature ({})",
                    c.description,
                    lock.describe()
                ),
            );
        }
    }
    if c.level == ModificationLevel::Annotations {
        seen.annotations = true;
    }
    if c.rule == "form field" || c.level == ModificationLevel::Annotations {
        seen.only_signing = false;
    }
    mods.changes.push(j.change);
}

/// The summary findings of an allowed analysis: annotations changed, only signatures added,
/// or only permitted changes.
fn summarise(mods: &Modifications, seen: &Seen, findings: &mut Distinct) {
    if mods.allowed && seen.annotations {
        findings.push(
            Code::ModificationAnnotations,
            "markup annotations were added, changed or removed after signing; what they show \
             is not signed content"
                .to_string(),
        );
    }
    if mods.allowed && mods.later_revisions > 0 {
        if seen.only_signing {
            findings.push(
                Code::ModificationSignatureAdded,
                format!(
                    "{} later revision(s) only add signatures or validation data",
                    mods.later_revisions
                ),
            );
        } else {
            findings.push(
                Code::ModificationAllowed,
                format!(
                    "{} later revision(s) make only permitted changes (highest level: {})",
                    mods.later_revisions,
                    level_name(mods.level)
                ),
            );
        }
    }
}

impl RevisionCache {
    /// The modification policy of a signature whose signed revision is `signed`: its
    /// dictionary `sig` (object `sig_object`) and the names of the fields holding it, with
    /// the fields of `signed` read through this cache.
    pub(crate) fn signature_policy<S: Source>(
        &self,
        doc: &Document<S>,
        signed: usize,
        sig_object: Option<ObjRef>,
        sig: &crate::pdf::Dict,
        field_names: &[String],
    ) -> Policy {
        mdp::policy_with_fields(doc, signed, sig_object, sig, field_names, || {
            self.known.fields(doc, signed)
        })
    }
}

/// The newest revision of the document as signed. The byte range ends with revision
/// `signed`, but the `startxref` there may lead to a section that comes later in `/Prev`
/// order: a linearized file's first-page section, near the start of the file. That section
/// belongs to the signed document when the signed `startxref` points at it and it lies
/// within the signed bytes; a section inside the signed bytes that the signed `startxref`
/// did not reach is a later revision like any other.
fn signed_chain_head<S: Source>(doc: &Document<S>, signed: usize) -> usize {
    let revs = doc.revisions();
    let Some(r) = revs.get(signed) else {
        return signed;
    };
    let (end, Some(head)) = (r.end, r.startxref_value) else {
        return signed;
    };
    match revs.iter().position(|x| x.xref_offset == head) {
        Some(j)
            if j > signed
                && revs
                    .get(signed + 1..=j)
                    .is_some_and(|between| between.iter().all(|x| x.end <= end)) =>
        {
            j
        }
        _ => signed,
    }
}

/// A key repeated in the dictionary of object `o` as the last revision has it (read back
/// from the file, since the parser keeps only the later value).
pub(crate) fn repeated_key_of<S: Source>(doc: &Document<S>, o: ObjRef) -> Option<Vec<u8>> {
    let obj = doc.get_indirect(doc.last_revision(), o).ok()??;
    let span = obj.span?;
    let len = usize::try_from(span.end.checked_sub(span.start)?).ok()?;
    // A signature dictionary with a large /Contents is still far below the object budget.
    if len as u64 > doc.budget().max_object_bytes {
        return None;
    }
    let bytes = doc.source().read_vec(span.start, len).ok()?;
    structure::repeated_key_in(&bytes)
}

fn level_name(l: ModificationLevel) -> &'static str {
    match l {
        ModificationLevel::None => "no change",
        ModificationLevel::LtvUpdates => "LTV updates",
        ModificationLevel::FormFilling => "form filling and signing",
        ModificationLevel::Annotations => "annotations",
        ModificationLevel::Other => "other changes",
    }
}

fn structure_change(rev: usize, a: structure::Anomaly) -> Judged {
    Judged {
        change: Change {
            revision: rev,
            object: a.object.map(|o| o.to_string()),
            level: ModificationLevel::Other,
            rule: "structure".to_string(),
            description: a.description,
            field: None,
            old_value: None,
            new_value: None,
        },
        new_visible_signature_field: false,
        unsigned_visible_signature_field: false,
    }
}

/// The classified changes of revision `rev` against revision `rev - 1`.
fn revision_changes<S: Source>(
    doc: &Document<S>,
    known: &known::Known,
    rev: usize,
) -> Result<Vec<Judged>, PdfError> {
    let prev = rev.saturating_sub(1);
    let mut out: Vec<Judged> = structure::check_revision(doc, rev)?
        .into_iter()
        .map(|a| structure_change(rev, a))
        .collect();
    let flagged: BTreeSet<u32> = out
        .iter()
        .filter_map(|j| j.change.object.as_deref())
        .filter_map(|o| o.split(' ').next()?.parse().ok())
        .collect();
    let entries = doc
        .revisions()
        .get(rev)
        .map(|rv| rv.entries.as_slice())
        .unwrap_or_default();
    let existed = |num: u32| {
        doc.lookup(prev, ObjRef::new(num, 0))
            .is_some_and(|e| e.is_in_use())
    };
    let redefined: BTreeSet<u32> = entries
        .iter()
        .map(|&(num, _)| num)
        .filter(|&num| num != 0 && existed(num))
        .collect();
    let fresh: BTreeSet<u32> = entries
        .iter()
        .filter(|&&(num, e)| num != 0 && e.is_in_use() && !existed(num))
        .map(|&(num, _)| num)
        .collect();
    let targets = redefined.union(&fresh).copied().collect();
    let mut ctx = context::Ctx::new(doc, known, prev, rev, targets);
    for &(num, entry) in entries {
        if num == 0 || flagged.contains(&num) {
            continue;
        }
        let old_entry = doc
            .lookup(prev, ObjRef::new(num, 0))
            .filter(|e| e.is_in_use());
        let new_ref = ObjRef::new(num, entry.gen());
        if let Some(oe) = old_entry {
            if entry.is_in_use() && oe.gen() != entry.gen() {
                out.push(judged(
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
            Some(oe) => match read(doc, prev, ObjRef::new(num, oe.gen()))? {
                Ok(o) => o,
                Err(e) => {
                    out.push(judged(
                        rev,
                        Some(new_ref),
                        Verdict::other(
                            "unreadable",
                            format!(
                                "the object was redefined, and its previous version cannot be \
                                 read to compare: {e}"
                            ),
                        ),
                    ));
                    continue;
                }
            },
            None => None,
        };
        let new = if entry.is_in_use() {
            match read(doc, rev, new_ref)? {
                Ok(o) => o,
                Err(e) => {
                    out.push(judged(
                        rev,
                        Some(new_ref),
                        Verdict::other(
                            "unreadable",
                            format!("the new version cannot be read: {e}"),
                        ),
                    ));
                    continue;
                }
            }
        } else {
            None
        };
        if old.is_none() && new.is_some() && fresh.contains(&num) {
            if let refs::Uses::Known(users) = ctx.uses(new_ref)? {
                if let Some(u) = users.first() {
                    out.push(judged(
                        rev,
                        Some(new_ref),
                        Verdict::other(
                            "dangling reference",
                            format!(
                                "the object is new, but the previous revision already referred \
                                 to it from {}: the update gives meaning to a reference that was \
                                 signed as null",
                                u.describe()
                            ),
                        ),
                    ));
                    continue;
                }
            }
        }
        let verdict = rules::classify_redefinition(&mut ctx, new_ref, old.as_ref(), new.as_ref())?;
        if let Some(v) = verdict {
            out.push(judged(rev, Some(new_ref), v));
        }
    }
    // The trailer's /Root must keep pointing at the same catalog.
    let root =
        |t: Option<&crate::pdf::Dict>| t.and_then(|t| t.get(b"Root")).and_then(|o| o.as_ref());
    if root(doc.trailer(prev)) != root(doc.trailer(rev)) {
        out.push(judged(
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

/// Reads an object: budget and I/O errors are returned as errors (the analysis stops),
/// anything else the bytes do wrong as the inner `Err` (the rules judge it).
fn read<S: Source>(
    doc: &Document<S>,
    rev: usize,
    r: ObjRef,
) -> Result<Result<Option<crate::pdf::Object>, PdfError>, PdfError> {
    match doc.get(rev, r) {
        Ok(o) => Ok(Ok(o)),
        Err(e @ (PdfError::BudgetExceeded { .. } | PdfError::Io(_))) => Err(e),
        Err(e) => Ok(Err(e)),
    }
}

fn judged(rev: usize, obj: Option<ObjRef>, v: Verdict) -> Judged {
    Judged {
        change: Change {
            revision: rev,
            object: obj.map(|o| o.to_string()),
            level: v.level,
            rule: v.rule.to_string(),
            description: v.description,
            field: v.field,
            old_value: v.values.as_ref().map(|(old, _)| old.clone()),
            new_value: v.values.map(|(_, new)| new),
        },
        new_visible_signature_field: v.new_visible_signature_field,
        unsigned_visible_signature_field: v.unsigned_visible_signature_field,
    }
}

#[cfg(test)]
mod tests;
