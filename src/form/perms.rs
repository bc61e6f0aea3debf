//! What signatures already in the document allow filling to change: the certification's
//! DocMDP permission level (catalog `/Perms /DocMDP`, ISO 32000-2 §12.8.2.2) and FieldMDP
//! locks of signed signature fields (§12.8.2.4, the signature's `/Reference`, else the
//! field's `/Lock`). Both are read by the verifier's own code ([`crate::diff::mdp`]),
//! so that kyso never writes a fill its verifier would call a violation: a `/P` other than
//! 2 or 3 counts as 1, and a lock on a field also locks its descendants.

use crate::diff::mdp;
use crate::pdf::acroform::Field;
use crate::pdf::{Dict, Document, PdfError, Source};

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
    // Certified without a readable DocMDP transform: the default level is 2. Any other
    // value than 1, 2 or 3 gets the strictest reading, as the verifier gives it.
    Ok(Some(match mdp::docmdp_p(doc, rev, &sig).unwrap_or(2) {
        p @ (2 | 3) => p,
        _ => 1,
    }))
}

/// `(locked field, signature field)` for every field of `fields` that a signed signature
/// field's FieldMDP lock covers.
pub(crate) fn field_locks<S: Source>(
    doc: &Document<S>,
    rev: usize,
    fields: &[Field],
) -> Result<Vec<(String, String)>, PdfError> {
    let locks = mdp::signature_locks(doc, rev)?;
    let mut out = Vec::new();
    for f in fields {
        let holder = locks
            .iter()
            .find(|(holder, lock)| *holder != f.name && lock.locks(&f.name));
        if let Some((holder, _)) = holder {
            out.push((f.name.clone(), holder.clone()));
        }
    }
    Ok(out)
}

fn resolve_dict<S: Source>(
    doc: &Document<S>,
    rev: usize,
    obj: Option<&crate::pdf::Object>,
) -> Result<Option<Dict>, PdfError> {
    match obj {
        Some(o) => doc.resolve_dict(rev, o),
        None => Ok(None),
    }
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
                "<< /Type /Sig /Reference [<< /TransformMethod /DocMDP /TransformParams << /P 7 >> >>] >>",
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
        // A certification without a DocMDP reference: the default, 2.
        assert_eq!(level("/Perms << /DocMDP 2 0 R >>"), Some(2));
        // An unknown level is the strictest, as the verifier reads it.
        assert_eq!(level("/Perms << /DocMDP 6 0 R >>"), Some(1));
    }
}
