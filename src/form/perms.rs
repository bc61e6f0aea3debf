//! What signatures already in the document allow filling to change: the certification's
//! DocMDP permission level (catalog `/Perms /DocMDP`, ISO 32000-2 §12.8.2.2) and FieldMDP
//! locks of signed signature fields (§12.8.2.4, the field's `/Lock` and the signature's
//! `/Reference`). A small, local reading: the verifier's difference analysis is what judges
//! a filled document; this only keeps kyso from writing an update the signatures forbid.

use crate::pdf::acroform::Field;
use crate::pdf::{Dict, Document, Object, PdfError, Source};

/// The DocMDP permission level of the certification signature, if the document is
/// certified: 1 (no changes), 2 (form filling and signing) or 3 (also annotations).
pub(crate) fn docmdp_level<S: Source>(
    doc: &Document<S>,
    rev: usize,
    catalog: &Dict,
) -> Result<Option<i64>, PdfError> {
    let Some(perms) = resolve_dict(doc, rev, catalog.get(b"Perms"))? else {
        return Ok(None);
    };
    let Some(sig) = resolve_dict(doc, rev, perms.get(b"DocMDP"))? else {
        return Ok(None);
    };
    for reference in transforms(doc, rev, &sig)? {
        if reference.get_name(b"TransformMethod") != Some(b"DocMDP") {
            continue;
        }
        let p = resolve_dict(doc, rev, reference.get(b"TransformParams"))?
            .and_then(|t| t.get_int(b"P"))
            .unwrap_or(2);
        return Ok(Some(p));
    }
    // Certified, but without a readable transform: the default level is 2.
    Ok(Some(2))
}

/// `(locked field, signature field)` for every field that a signed signature field's
/// FieldMDP lock covers.
pub(crate) fn field_locks<S: Source>(
    doc: &Document<S>,
    rev: usize,
    fields: &[Field],
) -> Result<Vec<(String, String)>, PdfError> {
    let mut out = Vec::new();
    for sig_field in fields.iter().filter(|f| f.is_signature()) {
        let Some(sig) = resolve_dict(doc, rev, sig_field.value.as_ref())? else {
            continue; // not signed: its /Lock does not apply yet
        };
        let mut locks = Vec::new();
        if let Some(lock) = resolve_dict(doc, rev, sig_field.dict.get(b"Lock"))? {
            locks.push(lock);
        }
        for reference in transforms(doc, rev, &sig)? {
            if reference.get_name(b"TransformMethod") == Some(b"FieldMDP") {
                if let Some(params) = resolve_dict(doc, rev, reference.get(b"TransformParams"))? {
                    locks.push(params);
                }
            }
        }
        for lock in locks {
            let listed = field_names(doc, rev, &lock)?;
            for f in fields {
                if f.name == sig_field.name {
                    continue;
                }
                let covered = match lock.get_name(b"Action") {
                    Some(b"All") => true,
                    Some(b"Include") => listed.contains(&f.name),
                    Some(b"Exclude") => !listed.contains(&f.name),
                    _ => false,
                };
                if covered && !out.iter().any(|(n, _): &(String, String)| *n == f.name) {
                    out.push((f.name.clone(), sig_field.name.clone()));
                }
            }
        }
    }
    Ok(out)
}

fn resolve_dict<S: Source>(
    doc: &Document<S>,
    rev: usize,
    obj: Option<&Object>,
) -> Result<Option<Dict>, PdfError> {
    match obj {
        Some(o) => doc.resolve_dict(rev, o),
        None => Ok(None),
    }
}

/// The signature reference dictionaries of a signature dictionary's `/Reference`.
fn transforms<S: Source>(doc: &Document<S>, rev: usize, sig: &Dict) -> Result<Vec<Dict>, PdfError> {
    let items = match sig
        .get(b"Reference")
        .map(|r| doc.resolve(rev, r))
        .transpose()?
    {
        Some(Object::Array(a)) => a,
        _ => return Ok(Vec::new()),
    };
    let mut out = Vec::new();
    for item in items.iter().take(64) {
        if let Some(d) = doc.resolve_dict(rev, item)? {
            out.push(d);
        }
    }
    Ok(out)
}

fn field_names<S: Source>(
    doc: &Document<S>,
    rev: usize,
    lock: &Dict,
) -> Result<Vec<String>, PdfError> {
    let items = match lock
        .get(b"Fields")
        .map(|f| doc.resolve(rev, f))
        .transpose()?
    {
        Some(Object::Array(a)) => a,
        _ => return Ok(Vec::new()),
    };
    let mut out = Vec::new();
    for item in &items {
        if let Object::String(s) = doc.resolve(rev, item)? {
            out.push(s.to_text());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::testing::classic;

    fn level(perms: &str) -> Option<i64> {
        let pdf = classic(
            &[
                &format!("<< /Type /Catalog /Pages 2 0 R {perms} >>"),
                "<< /Type /Pages /Kids [] /Count 0 >>",
                "<< /Type /Sig /Reference [<< /TransformMethod /DocMDP /TransformParams << /P 1 >> >>] >>",
                "<< /Type /Sig /Reference [<< /TransformMethod /DocMDP /TransformParams 5 0 R >>] >>",
                "<< /Type /TransformParams /P 3 /V /1.2 >>",
            ],
            "",
        );
        let doc = Document::open(pdf.as_slice()).unwrap();
        let catalog = doc.catalog(0).unwrap();
        docmdp_level(&doc, 0, &catalog).unwrap()
    }

    #[test]
    fn docmdp_levels() {
        assert_eq!(level(""), None);
        assert_eq!(level("/Perms << /DocMDP 3 0 R >>"), Some(1));
        assert_eq!(level("/Perms << /DocMDP 4 0 R >>"), Some(3));
        assert_eq!(level("/Perms << /UR3 3 0 R >>"), None);
    }
}
