//! What a signature permits later: certification (DocMDP, ISO 32000-2 §12.8.2.2) and field
//! locks (FieldMDP, §12.8.2.4; the signature field's `/Lock`, §12.7.5.5).
//!
//! A certification signature is the one the catalog's `/Perms /DocMDP` names; its signature
//! reference dictionary with `/TransformMethod /DocMDP` carries `/P`: 1 no change, 2 form
//! filling and signing, 3 also annotations (absent: 2). The certification binds every later
//! revision of the document, whichever signature is being verified. A field lock
//! (`/TransformMethod /FieldMDP`, or the field's `/Lock` when the signature has no such
//! reference) binds the signature that carries it: `/Action /All`, `/Include` or `/Exclude`
//! with `/Fields` (fully qualified names). Locks cover the fields the document had when it
//! was signed; new (signature) fields are not locked.
//!
//! Without a certification, the default applies: form filling and signing (with validation
//! data), never annotations or anything else.

use std::rc::Rc;

use crate::pdf::{acroform, Dict, Document, ObjRef, Object, Source};
use crate::report::ModificationLevel;

use super::read::{written, Read, View};

/// What a lock does with its list of fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LockAction {
    /// Every field is locked.
    All,
    /// Only the listed fields are locked.
    Include,
    /// Every field but the listed ones is locked.
    Exclude,
}

/// A FieldMDP lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldLock {
    /// What the list means.
    pub action: LockAction,
    /// Fully qualified field names.
    pub fields: Vec<String>,
}

impl FieldLock {
    /// True when the field named `name` is locked. A listed name also covers its
    /// descendants (`a` covers `a.b`).
    pub fn locks(&self, name: &str) -> bool {
        let listed = self.fields.iter().any(|f| {
            name == f
                || name
                    .strip_prefix(f.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
        });
        match self.action {
            LockAction::All => true,
            LockAction::Include => listed,
            LockAction::Exclude => !listed,
        }
    }

    /// The lock in words.
    pub fn describe(&self) -> String {
        match self.action {
            LockAction::All => "all fields locked".to_string(),
            LockAction::Include if self.fields.is_empty() => {
                "no field locked (an empty /Include list)".to_string()
            }
            LockAction::Include => format!("fields locked: {}", self.fields.join(", ")),
            LockAction::Exclude => format!("all fields but {} locked", self.fields.join(", ")),
        }
    }
}

/// The document's certification, as it binds one signature's later revisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certification {
    /// The DocMDP permission level (1, 2 or 3).
    pub p: u8,
    /// The certification signature's dictionary.
    pub signature: Option<ObjRef>,
    /// True when the signature being verified is the certification itself.
    pub is_self: bool,
    /// A note when `/P` was not 1, 2 or 3 (then the strictest level is applied).
    pub note: Option<String>,
}

impl Certification {
    /// The highest modification level the permission allows.
    pub fn permitted(&self) -> ModificationLevel {
        match self.p {
            2 => ModificationLevel::FormFilling,
            3 => ModificationLevel::Annotations,
            // P1 still admits validation data and document timestamps (PAdES).
            _ => ModificationLevel::LtvUpdates,
        }
    }
}

/// What the changes after one signature are judged against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// The document's certification, if it applies.
    pub certification: Option<Certification>,
    /// The signature's own field lock.
    pub lock: Option<FieldLock>,
    /// A DocMDP-like limit carried by the lock (PDF 2.0 `/P` in a lock dictionary).
    pub lock_p: Option<u8>,
}

impl Policy {
    /// The default: no certification, no lock.
    pub fn default_policy() -> Self {
        Policy {
            certification: None,
            lock: None,
            lock_p: None,
        }
    }

    /// The highest level allowed.
    pub fn permitted(&self) -> ModificationLevel {
        let base = match &self.certification {
            Some(c) => c.permitted(),
            None => ModificationLevel::FormFilling,
        };
        match self.lock_p {
            Some(p) => base.min(
                Certification {
                    p,
                    signature: None,
                    is_self: false,
                    note: None,
                }
                .permitted(),
            ),
            None => base,
        }
    }

    /// The policy in words, for the report.
    pub fn describe(&self) -> String {
        let mut s = match &self.certification {
            None => "default (no certification): validation data, form filling and new \
                     signatures allowed; annotations and other changes not allowed"
                .to_string(),
            Some(c) => {
                let what = match c.p {
                    1 => "no changes (validation data and document timestamps excepted)",
                    2 => "form filling and signing",
                    _ => "form filling, signing and annotations",
                };
                let whose = if c.is_self {
                    "this certification signature"
                } else {
                    "the document's certification signature"
                };
                let mut s = format!("DocMDP P{} from {whose}: {what}", c.p);
                if let Some(n) = &c.note {
                    s.push_str(&format!(" ({n})"));
                }
                s
            }
        };
        if let Some(lock) = &self.lock {
            s.push_str(&format!("; FieldMDP lock: {}", lock.describe()));
        }
        if let Some(p) = self.lock_p {
            s.push_str(&format!("; the lock also limits changes to DocMDP P{p}"));
        }
        s
    }
}

/// The policy for the signature `sig` (its dictionary, object and field names as discovery
/// found them) whose signed revision is `signed`.
#[cfg(test)]
pub fn policy_for<S: Source>(
    doc: &Document<S>,
    signed: usize,
    sig_object: Option<ObjRef>,
    sig: &Dict,
    field_names: &[String],
) -> Policy {
    policy_with_fields(doc, signed, sig_object, sig, field_names, || {
        acroform::fields(doc, signed).map(Rc::new)
    })
}

/// The policy for the signature `sig` (its dictionary, object and field names as discovery
/// found them) whose signed revision is `signed`, reading the fields of that revision (when
/// needed) with `fields`.
pub(super) fn policy_with_fields<S: Source>(
    doc: &Document<S>,
    signed: usize,
    sig_object: Option<ObjRef>,
    sig: &Dict,
    field_names: &[String],
    fields: impl FnOnce() -> Result<Rc<Vec<acroform::Field>>, crate::pdf::PdfError>,
) -> Policy {
    let mut policy = Policy::default_policy();
    policy.certification = certification(doc, signed, sig_object);
    let mut lock = field_lock_of_sig(doc, signed, sig);
    if lock.is_none() {
        // The field's /Lock, as the signed revision has it.
        if let Some(name) = field_names.first() {
            let fields = fields().ok();
            let found = fields
                .as_deref()
                .and_then(|f| f.iter().find(|f| &f.name == name));
            if let Some(f) = found {
                let view = View::new(doc, signed);
                if let Read::Value(l) = view.dict(&f.dict, b"Lock") {
                    policy.lock_p = match view.int(&l, b"P") {
                        Read::Absent => None,
                        Read::Value(p) => Some(clamp_p(p)),
                        Read::Bad => Some(1),
                    };
                    lock = parse_lock(doc, signed, &l);
                }
            }
        }
    }
    policy.lock = lock;
    policy
}

/// The field locks that the signatures of revision `rev` carry, with the name of the field
/// holding each signature: from the signature's FieldMDP reference, else its field's
/// `/Lock`.
pub fn signature_locks<S: Source>(
    doc: &Document<S>,
    rev: usize,
) -> Result<Vec<(String, FieldLock)>, crate::pdf::PdfError> {
    let mut out = Vec::new();
    for f in acroform::signature_fields(doc, rev)? {
        let Some(sig) = f
            .value
            .as_ref()
            .map(|v| doc.resolve_dict(rev, v))
            .transpose()?
            .flatten()
        else {
            continue;
        };
        let lock = field_lock_of_sig(doc, rev, &sig).or_else(|| {
            View::new(doc, rev)
                .dict(&f.dict, b"Lock")
                .value()
                .and_then(|l| parse_lock(doc, rev, &l))
        });
        if let Some(lock) = lock {
            out.push((f.name.clone(), lock));
        }
    }
    Ok(out)
}

/// `/P` values other than 1, 2 and 3 count as 1, the strictest.
fn clamp_p(p: i64) -> u8 {
    match p {
        2 => 2,
        3 => 3,
        _ => 1,
    }
}

/// The certification binding revision `signed`: the signature named by `/Perms /DocMDP` in
/// the catalog of `signed`, if it was itself signed at or before `signed`.
fn certification<S: Source>(
    doc: &Document<S>,
    signed: usize,
    sig_object: Option<ObjRef>,
) -> Option<Certification> {
    let catalog = doc.catalog(signed).ok()?;
    let view = View::new(doc, signed);
    // A permissions dictionary or certification that cannot be read gets the strictest
    // reading: the document says it is certified, and how is unknown.
    let unreadable = |what: &str| Certification {
        p: 1,
        signature: None,
        is_self: false,
        note: Some(format!(
            "{what} cannot be read; the strictest level applies"
        )),
    };
    let perms = match view.dict(&catalog, b"Perms") {
        Read::Absent => return None,
        Read::Value(p) => p,
        Read::Bad => return Some(unreadable("/Perms")),
    };
    let cert_obj = written(&perms, b"DocMDP").and_then(Object::as_ref);
    let cert = match view.dict(&perms, b"DocMDP") {
        Read::Absent => return None,
        Read::Value(c) => c,
        Read::Bad => return Some(unreadable("/Perms /DocMDP")),
    };
    let (p, note) = match docmdp_p(doc, signed, &cert) {
        Some(p) if (1..=3).contains(&p) => (p as u8, None),
        Some(p) => (
            1,
            Some(format!(
                "/P {p} is not 1, 2 or 3; the strictest level applies"
            )),
        ),
        None => (2, None),
    };
    Some(Certification {
        p,
        signature: cert_obj,
        is_self: cert_obj.is_some() && cert_obj == sig_object,
        note,
    })
}

/// `/P` of the DocMDP signature reference of `sig` (absent: `None`). No `/P` means 2
/// (ISO 32000-2 Table 257); a `/P` that is not an integer counts as 0, which the caller
/// turns into the strictest level.
pub fn docmdp_p<S: Source>(doc: &Document<S>, rev: usize, sig: &Dict) -> Option<i64> {
    let params = transform_params(doc, rev, sig, b"DocMDP")?;
    Some(match params {
        Read::Absent => 2,
        Read::Value(p) => match View::new(doc, rev).int(&p, b"P") {
            Read::Absent => 2,
            Read::Value(p) => p,
            Read::Bad => 0,
        },
        Read::Bad => 0,
    })
}

/// The transform parameters of the signature reference of `sig` with `method`: `None` when
/// there is no such reference, `Absent` when it has no parameters, `Bad` when the
/// references or the parameters cannot be read (such a reference cannot be ruled out).
fn transform_params<S: Source>(
    doc: &Document<S>,
    rev: usize,
    sig: &Dict,
    method: &[u8],
) -> Option<Read<Dict>> {
    let view = View::new(doc, rev);
    let refs = match view.array(sig, b"Reference") {
        Read::Value(refs) => refs,
        Read::Absent => return None,
        Read::Bad => return Some(Read::Bad),
    };
    for r in &refs {
        let Object::Dict(sigref) = r else {
            continue;
        };
        match view.name(sigref, b"TransformMethod") {
            Read::Value(m) if m == method => return Some(view.dict(sigref, b"TransformParams")),
            Read::Bad => return Some(Read::Bad),
            _ => {}
        }
    }
    None
}

fn field_lock_of_sig<S: Source>(doc: &Document<S>, rev: usize, sig: &Dict) -> Option<FieldLock> {
    match transform_params(doc, rev, sig, b"FieldMDP")? {
        Read::Value(params) => parse_lock(doc, rev, &params),
        Read::Absent => None,
        Read::Bad => Some(FieldLock {
            action: LockAction::All,
            fields: Vec::new(),
        }),
    }
}

/// A lock from FieldMDP transform parameters or a `/Lock` dictionary. An unknown or
/// unreadable action locks every field, and so does a list of fields that cannot be read
/// whole (a lock never covers fewer fields than its signer may have meant).
fn parse_lock<S: Source>(doc: &Document<S>, rev: usize, d: &Dict) -> Option<FieldLock> {
    let view = View::new(doc, rev);
    let action = match view.name(d, b"Action") {
        Read::Value(a) if a == b"Include" => LockAction::Include,
        Read::Value(a) if a == b"Exclude" => LockAction::Exclude,
        Read::Value(_) | Read::Bad => LockAction::All,
        Read::Absent => return None,
    };
    let fields = match view.array(d, b"Fields") {
        Read::Value(a) => a
            .into_iter()
            .map(|o| match o {
                Object::String(s) => Some(s.to_text()),
                _ => None,
            })
            .collect::<Option<Vec<String>>>(),
        Read::Absent => Some(Vec::new()),
        Read::Bad => None,
    };
    match fields {
        Some(fields) => Some(FieldLock { action, fields }),
        None => Some(FieldLock {
            action: LockAction::All,
            fields: Vec::new(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_cover_fields_and_their_descendants() {
        let inc = FieldLock {
            action: LockAction::Include,
            fields: vec!["a".into(), "b.c".into()],
        };
        assert!(inc.locks("a"));
        assert!(inc.locks("a.x"));
        assert!(!inc.locks("ab"));
        assert!(inc.locks("b.c"));
        assert!(!inc.locks("b"));
        let exc = FieldLock {
            action: LockAction::Exclude,
            fields: vec!["a".into()],
        };
        assert!(!exc.locks("a.x"));
        assert!(exc.locks("z"));
        let all = FieldLock {
            action: LockAction::All,
            fields: vec![],
        };
        assert!(all.locks("anything"));
    }

    #[test]
    fn permissions_by_level() {
        let mut p = Policy::default_policy();
        assert_eq!(p.permitted(), ModificationLevel::FormFilling);
        for (level, want) in [
            (1, ModificationLevel::LtvUpdates),
            (2, ModificationLevel::FormFilling),
            (3, ModificationLevel::Annotations),
        ] {
            p.certification = Some(Certification {
                p: level,
                signature: None,
                is_self: true,
                note: None,
            });
            assert_eq!(p.permitted(), want);
        }
        p.lock_p = Some(1);
        assert_eq!(p.permitted(), ModificationLevel::LtvUpdates);
        assert_eq!(clamp_p(7), 1);
    }
}
