//! Finding the signatures of a document, as a viewer of its last revision sees them, plus
//! signature dictionaries that no field points to.

use std::collections::BTreeMap;

use crate::pdf::{acroform, Dict, Document, ObjRef, Object, PdfError, Source};
use crate::report::DetailLabel as L;
use crate::report::{Code, Finding};

/// A signature dictionary to verify.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The dictionary's object, when it is indirect.
    pub object: Option<ObjRef>,
    /// The dictionary as the last revision has it.
    pub dict: Dict,
    /// Names of the fields whose value it is (none: unreachable; several: shared).
    pub field_names: Vec<String>,
}

/// What discovery found.
#[derive(Debug, Default)]
pub struct Found {
    /// Signatures, ordered by where their signed bytes end (signing order).
    pub signatures: Vec<Candidate>,
    /// Names of signature fields without a value.
    pub unsigned_fields: Vec<String>,
    /// Problems that limited the search (a budget that ran out while scanning for signature
    /// dictionaries no field points to).
    pub findings: Vec<Finding>,
}

pub fn signatures<S: Source>(doc: &Document<S>) -> Result<Found, PdfError> {
    let rev = doc.last_revision();
    let mut found = Found::default();
    let mut by_ref: BTreeMap<ObjRef, usize> = BTreeMap::new();
    for field in acroform::signature_fields(doc, rev)? {
        let Some(value) = field.value.as_ref() else {
            found.unsigned_fields.push(field.name.clone());
            continue;
        };
        match value {
            Object::Reference(r) => {
                if let Some(&i) = by_ref.get(r) {
                    if let Some(c) = found.signatures.get_mut(i) {
                        c.field_names.push(field.name.clone());
                    }
                    continue;
                }
                match doc.get(rev, *r)? {
                    Some(Object::Dict(dict)) => {
                        by_ref.insert(*r, found.signatures.len());
                        found.signatures.push(Candidate {
                            object: Some(*r),
                            dict,
                            field_names: vec![field.name.clone()],
                        });
                    }
                    _ => found.unsigned_fields.push(field.name.clone()),
                }
            }
            Object::Dict(dict) => found.signatures.push(Candidate {
                object: None,
                dict: dict.clone(),
                field_names: vec![field.name.clone()],
            }),
            _ => found.unsigned_fields.push(field.name.clone()),
        }
    }
    let orphans = match acroform::signature_dictionaries(doc, rev) {
        Ok(list) => list,
        // The form's signatures were found; only the scan of every other object stopped.
        Err(PdfError::BudgetExceeded { what, limit }) => {
            found.findings.push(Finding::new(
                Code::BudgetExceeded,
                format!(
                    "the scan for signature dictionaries that no field points to stopped at a \
                     budget ({what}, limit {limit}); such signatures may be missing from this \
                     report"
                ),
            )
            .remark("việc tìm các từ điển chữ ký không gắn với trường nào đã dừng lại; báo cáo có thể thiếu những chữ ký như vậy")
            .detail(L::Limit, format_args!("{what} {limit}")));
            Vec::new()
        }
        Err(e) => return Err(e),
    };
    for (r, dict) in orphans {
        if let std::collections::btree_map::Entry::Vacant(slot) = by_ref.entry(r) {
            slot.insert(found.signatures.len());
            found.signatures.push(Candidate {
                object: Some(r),
                dict,
                field_names: Vec::new(),
            });
        }
    }
    found.signatures.sort_by_key(signed_end);
    Ok(found)
}

/// Where the signed bytes end according to `/ByteRange`, for ordering (unknown last).
fn signed_end(c: &Candidate) -> u64 {
    let v: Vec<i64> = c
        .dict
        .get(b"ByteRange")
        .and_then(Object::as_array)
        .map(|a| a.iter().filter_map(Object::as_int).collect())
        .unwrap_or_default();
    match v.as_slice() {
        [_, _, start, len] => u64::try_from(start.saturating_add(*len)).unwrap_or(u64::MAX),
        _ => u64::MAX,
    }
}
