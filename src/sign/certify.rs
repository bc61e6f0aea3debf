//! Certification signatures (DocMDP) and field locks (FieldMDP) on the signing side, and the
//! refusals that follow from the ones already in a document.
//!
//! A certification signature (ISO 32000-2 §12.8.2.2) carries a signature reference
//! dictionary with `/TransformMethod /DocMDP` and `/TransformParams << /P n >>`, and the
//! catalog's `/Perms /DocMDP` points at it. It must be the document's first signature. A
//! field lock (§12.8.2.4) is a `/FieldMDP` signature reference with `/Action` and
//! `/Fields`, mirrored by the signature field's `/Lock` dictionary (§12.7.5.5).
//!
//! Before signing, kyso refuses what the document's own signatures forbid: any signature
//! after a certification with P=1, and signing a field that an earlier signature locked.

use crate::diff::mdp;
use crate::pdf::{acroform, Dict, Document, Name, ObjRef, Object, PdfString, Source};
use crate::refusal::Refusal;
use crate::Error;

/// What a certification signature permits later (DocMDP `/P`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DocMdpPermission {
    /// P1: no change at all (validation data and document timestamps excepted).
    NoChanges,
    /// P2: filling in forms and signing.
    FormFilling,
    /// P3: filling in forms, signing, and annotations.
    Annotations,
}

impl DocMdpPermission {
    /// The `/P` value.
    pub fn p(self) -> i64 {
        match self {
            DocMdpPermission::NoChanges => 1,
            DocMdpPermission::FormFilling => 2,
            DocMdpPermission::Annotations => 3,
        }
    }

    /// The permission for `/P` 1, 2 or 3.
    pub fn from_p(p: i64) -> Option<Self> {
        match p {
            1 => Some(DocMdpPermission::NoChanges),
            2 => Some(DocMdpPermission::FormFilling),
            3 => Some(DocMdpPermission::Annotations),
            _ => None,
        }
    }
}

/// Which form fields a signature locks (FieldMDP).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldLockSpec {
    /// Every field.
    All,
    /// These fields (fully qualified names).
    Include(Vec<String>),
    /// Every field but these.
    Exclude(Vec<String>),
}

impl FieldLockSpec {
    fn action_and_fields(&self) -> (&'static str, Option<&[String]>) {
        match self {
            FieldLockSpec::All => ("All", None),
            FieldLockSpec::Include(f) => ("Include", Some(f)),
            FieldLockSpec::Exclude(f) => ("Exclude", Some(f)),
        }
    }

    /// `/Action` and `/Fields` entries (shared by `/Lock` and the transform parameters).
    fn write_into(&self, d: &mut Dict) {
        let (action, fields) = self.action_and_fields();
        d.set("Action", Object::Name(Name::from(action)));
        if let Some(fields) = fields {
            d.set(
                "Fields",
                Object::Array(
                    fields
                        .iter()
                        .map(|f| Object::String(PdfString::text(f)))
                        .collect(),
                ),
            );
        }
    }
}

fn name(s: &str) -> Object {
    Object::Name(Name::from(s))
}

/// The signature reference dictionaries (`/Reference`) for a signature with these
/// settings, or `None` when it is a plain approval signature without a lock.
pub(crate) fn signature_references(
    certify: Option<DocMdpPermission>,
    lock: Option<&FieldLockSpec>,
) -> Option<Object> {
    let mut refs = Vec::new();
    if let Some(perm) = certify {
        let mut params = Dict::new();
        params.set("Type", name("TransformParams"));
        params.set("P", perm.p());
        params.set("V", name("1.2"));
        let mut r = Dict::new();
        r.set("Type", name("SigRef"));
        r.set("TransformMethod", name("DocMDP"));
        r.set("TransformParams", Object::Dict(params));
        refs.push(Object::Dict(r));
    }
    if let Some(lock) = lock {
        let mut params = Dict::new();
        params.set("Type", name("TransformParams"));
        lock.write_into(&mut params);
        params.set("V", name("1.2"));
        let mut r = Dict::new();
        r.set("Type", name("SigRef"));
        r.set("TransformMethod", name("FieldMDP"));
        r.set("TransformParams", Object::Dict(params));
        refs.push(Object::Dict(r));
    }
    (!refs.is_empty()).then_some(Object::Array(refs))
}

/// Adds the field's `/Lock` dictionary when the signature locks fields.
pub(crate) fn lock_field(field: &mut Dict, lock: Option<&FieldLockSpec>) {
    if let Some(lock) = lock {
        let mut d = Dict::new();
        d.set("Type", name("SigFieldLock"));
        lock.write_into(&mut d);
        field.set("Lock", Object::Dict(d));
    }
}

/// The catalog's `/Perms` for a certification signature `sig`.
pub(crate) fn certify_catalog(catalog: &mut Dict, certify: Option<DocMdpPermission>, sig: ObjRef) {
    if certify.is_some() {
        let mut perms = Dict::new();
        perms.set("DocMDP", sig);
        catalog.set("Perms", Object::Dict(perms));
    }
}

/// Refuses a signature that the document's signatures forbid, or a certification the
/// document cannot take: after DocMDP P=1 nothing may be signed; a field locked by an
/// earlier signature may not be signed (`field` is the existing field kyso would sign); a
/// certification must be the document's first signature.
pub(crate) fn check_allowed<S: Source>(
    doc: &Document<S>,
    rev: usize,
    catalog: &Dict,
    field: Option<&str>,
    certify: Option<DocMdpPermission>,
) -> Result<(), Error> {
    if let Some(p) = certification_p(doc, rev, catalog)? {
        if p == 1 {
            return Err(Error::from(Refusal::DocMdpForbids { level: 1 }));
        }
    }
    if let Some(field) = field {
        for (holder, lock) in mdp::signature_locks(doc, rev)? {
            if lock.locks(field) {
                return Err(Error::from(Refusal::FieldLocked {
                    field: field.to_owned(),
                    holder: holder.clone(),
                    lock: lock.describe(),
                }));
            }
        }
    }
    if certify.is_some() {
        if catalog.contains(b"Perms") && certification_p(doc, rev, catalog)?.is_some() {
            return Err(Error::from(Refusal::AlreadyCertified));
        }
        let signed = acroform::signature_fields(doc, rev)?
            .into_iter()
            .filter(|f| f.value.is_some())
            .count();
        if signed > 0 || !acroform::signature_dictionaries(doc, rev)?.is_empty() {
            return Err(Error::from(Refusal::CertificationNotFirst));
        }
    }
    Ok(())
}

/// `/P` of the certification signature that the catalog's `/Perms /DocMDP` names (2 when
/// its reference has no `/P`); `None` without a certification.
fn certification_p<S: Source>(
    doc: &Document<S>,
    rev: usize,
    catalog: &Dict,
) -> Result<Option<i64>, Error> {
    let Some(perms) = catalog
        .get(b"Perms")
        .map(|p| doc.resolve_dict(rev, p))
        .transpose()?
        .flatten()
    else {
        return Ok(None);
    };
    let Some(sig) = perms
        .get(b"DocMDP")
        .map(|p| doc.resolve_dict(rev, p))
        .transpose()?
        .flatten()
    else {
        return Ok(None);
    };
    Ok(Some(mdp::docmdp_p(doc, rev, &sig).unwrap_or(2)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_carry_the_permission_and_the_lock() {
        assert_eq!(signature_references(None, None), None);
        let Some(Object::Array(refs)) = signature_references(
            Some(DocMdpPermission::FormFilling),
            Some(&FieldLockSpec::Include(vec!["Số hồ sơ".into()])),
        ) else {
            panic!("expected references");
        };
        assert_eq!(refs.len(), 2);
        let docmdp = refs[0].as_dict().unwrap();
        assert_eq!(docmdp.get_name(b"TransformMethod"), Some(&b"DocMDP"[..]));
        let params = docmdp.get(b"TransformParams").unwrap().as_dict().unwrap();
        assert_eq!(params.get_int(b"P"), Some(2));
        let fieldmdp = refs[1].as_dict().unwrap();
        let params = fieldmdp.get(b"TransformParams").unwrap().as_dict().unwrap();
        assert_eq!(params.get_name(b"Action"), Some(&b"Include"[..]));
        let fields = params.get(b"Fields").unwrap().as_array().unwrap();
        assert_eq!(fields[0].as_string().unwrap().to_text(), "Số hồ sơ");

        let mut field = Dict::new();
        lock_field(&mut field, Some(&FieldLockSpec::All));
        let lock = field.get(b"Lock").unwrap().as_dict().unwrap();
        assert_eq!(lock.get_name(b"Action"), Some(&b"All"[..]));
        assert!(!lock.contains(b"Fields"));
        assert_eq!(
            DocMdpPermission::from_p(3),
            Some(DocMdpPermission::Annotations)
        );
        assert_eq!(DocMdpPermission::from_p(4), None);
    }
}
