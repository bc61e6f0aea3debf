//! The whitelist rules for one redefined object.

use crate::pdf::{Dict, Document, ObjRef, Object, PdfError, Source, StreamData};
use crate::report::ModificationLevel;

/// How one change was judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The level the change belongs to (`Other` = disallowed).
    pub level: ModificationLevel,
    /// The rule that judged it.
    pub rule: &'static str,
    /// What changed.
    pub description: String,
}

impl Verdict {
    fn new(level: ModificationLevel, rule: &'static str, description: impl Into<String>) -> Self {
        Verdict {
            level,
            rule,
            description: description.into(),
        }
    }

    /// A disallowed change.
    pub fn other(rule: &'static str, description: impl Into<String>) -> Self {
        Verdict::new(ModificationLevel::Other, rule, description)
    }

    fn signing(rule: &'static str, description: impl Into<String>) -> Self {
        Verdict::new(ModificationLevel::FormFilling, rule, description)
    }
}

/// Judges object `r` as defined by revision `rev`, against its version in `prev`.
/// `None`: nothing to report (a new object nothing old points to, or structure).
pub fn classify_redefinition<S: Source>(
    doc: &Document<S>,
    prev: usize,
    rev: usize,
    r: ObjRef,
    old: Option<&Object>,
    new: Option<&Object>,
) -> Result<Option<Verdict>, PdfError> {
    let (old, new) = match (old, new) {
        (None, None) => return Ok(None),
        (Some(_), None) => {
            return Ok(Some(Verdict::other(
                "deletion",
                "an existing object was freed",
            )));
        }
        (None, Some(new)) => {
            if is_structure(new) {
                return Ok(None);
            }
            // New objects are judged where an allowed change starts pointing at them.
            return Ok(None);
        }
        (Some(old), Some(new)) => (old, new),
    };
    if is_structure(new) && is_structure(old) {
        return Ok(None);
    }
    if same(doc, old, new) {
        return Ok(Some(Verdict::new(
            ModificationLevel::None,
            "unchanged",
            "rewritten with the same content",
        )));
    }
    let (Some(od), Some(nd)) = (plain_dict(old), plain_dict(new)) else {
        return match (old, new) {
            (Object::Array(oa), Object::Array(na)) => {
                judge_array_growth(doc, rev, oa, na).map(Some)
            }
            _ => Ok(Some(Verdict::other(
                "content",
                format!("a {} was changed", old.kind()),
            ))),
        };
    };
    let trailer_ref = |key: &[u8]| {
        doc.trailer(prev)
            .and_then(|t| t.get(key))
            .and_then(Object::as_ref)
    };
    if trailer_ref(b"Info") == Some(r) {
        return Ok(Some(Verdict::new(
            ModificationLevel::LtvUpdates,
            "metadata",
            "the document information dictionary was updated",
        )));
    }
    let catalog = trailer_ref(b"Root");
    if catalog == Some(r) || od.is_type(b"Catalog") {
        return judge_catalog(doc, prev, rev, od, nd).map(Some);
    }
    if is_acroform(doc, prev, r) {
        return judge_acroform(doc, rev, od, nd).map(Some);
    }
    if od.is_type(b"Page") {
        return judge_changed_keys(doc, rev, od, nd, "page", &[b"Annots"]).map(Some);
    }
    if od.get_name(b"FT") == Some(b"Sig") {
        if od.contains(b"V") && !same_opt(doc, od.get(b"V"), nd.get(b"V")) {
            return Ok(Some(Verdict::other(
                "signature field",
                "the value of a signed signature field was replaced",
            )));
        }
        return judge_changed_keys(doc, rev, od, nd, "signature field", &[b"V", b"AP", b"AS"])
            .map(Some);
    }
    if is_signature_dict(od) {
        return Ok(Some(Verdict::other(
            "signature",
            "an existing signature dictionary was changed",
        )));
    }
    Ok(Some(Verdict::other(
        "content",
        format!("a {} was changed", describe(od)),
    )))
}

/// Catalog: only `/AcroForm`, `/DSS` and metadata (`/Version`, `/Extensions`, `/Metadata`)
/// may differ.
fn judge_catalog<S: Source>(
    doc: &Document<S>,
    prev: usize,
    rev: usize,
    old: &Dict,
    new: &Dict,
) -> Result<Verdict, PdfError> {
    let mut level = ModificationLevel::None;
    for key in changed_keys(doc, old, new) {
        match key.as_slice() {
            b"AcroForm" => {
                // A direct AcroForm is judged here; an indirect one on its own object.
                if let (Some(Object::Dict(o)), Some(Object::Dict(n))) =
                    (old.get(b"AcroForm"), new.get(b"AcroForm"))
                {
                    let v = judge_acroform(doc, rev, o, n)?;
                    if v.level == ModificationLevel::Other {
                        return Ok(v);
                    }
                }
                if old.get(b"AcroForm").is_none() {
                    let v = judge_new_acroform(doc, prev, rev, new.get(b"AcroForm"))?;
                    if v.level == ModificationLevel::Other {
                        return Ok(v);
                    }
                }
                level = level.max(ModificationLevel::FormFilling);
            }
            b"DSS" => level = level.max(ModificationLevel::LtvUpdates),
            // Bookkeeping other signers write with their signature (pyHanko, iText): the
            // version raised, developer extensions declared (ESIC for PAdES), XMP metadata
            // pointed to. None of them changes what the document shows; like /Info updates
            // they count as metadata.
            b"Version" if matches!(new.get(b"Version"), Some(Object::Name(_))) => {
                level = level.max(ModificationLevel::LtvUpdates);
            }
            b"Extensions" | b"Metadata" => level = level.max(ModificationLevel::LtvUpdates),
            other => {
                return Ok(Verdict::other(
                    "catalog",
                    format!("catalog entry /{} changed", String::from_utf8_lossy(other)),
                ))
            }
        }
    }
    Ok(Verdict::new(
        level,
        "catalog",
        "catalog updated for signatures or validation data",
    ))
}

/// A first AcroForm added after signing may list only signature fields.
fn judge_new_acroform<S: Source>(
    doc: &Document<S>,
    _prev: usize,
    rev: usize,
    value: Option<&Object>,
) -> Result<Verdict, PdfError> {
    let Some(form) = value
        .map(|v| doc.resolve_dict(rev, v))
        .transpose()?
        .flatten()
    else {
        return Ok(Verdict::other(
            "acroform",
            "the new /AcroForm is not a dictionary",
        ));
    };
    let fields = match form
        .get(b"Fields")
        .map(|f| doc.resolve(rev, f))
        .transpose()?
    {
        Some(Object::Array(a)) => a,
        None => Vec::new(),
        Some(_) => return Ok(Verdict::other("acroform", "/Fields is not an array")),
    };
    judge_array_growth(doc, rev, &[], &fields)
}

fn judge_acroform<S: Source>(
    doc: &Document<S>,
    rev: usize,
    old: &Dict,
    new: &Dict,
) -> Result<Verdict, PdfError> {
    judge_changed_keys(
        doc,
        rev,
        old,
        new,
        "acroform",
        &[b"Fields", b"SigFlags", b"DR", b"DA"],
    )
}

/// Only `allowed` keys may differ; direct arrays among them may only grow by signature
/// fields or widgets.
fn judge_changed_keys<S: Source>(
    doc: &Document<S>,
    rev: usize,
    old: &Dict,
    new: &Dict,
    rule: &'static str,
    allowed: &[&[u8]],
) -> Result<Verdict, PdfError> {
    for key in changed_keys(doc, old, new) {
        if !allowed.contains(&key.as_slice()) {
            return Ok(Verdict::other(
                rule,
                format!("/{} changed", String::from_utf8_lossy(&key)),
            ));
        }
        if let (Some(Object::Array(oa)), Some(Object::Array(na))) = (old.get(&key), new.get(&key)) {
            let v = judge_array_growth(doc, rev, oa, na)?;
            if v.level == ModificationLevel::Other {
                return Ok(v);
            }
        } else if key.as_slice() == b"Fields" || key.as_slice() == b"Annots" {
            // Switching between a direct array and a reference: judge the new array whole.
            let old_items = match old.get(&key).map(|o| doc.resolve(rev, o)).transpose()? {
                Some(Object::Array(a)) => a,
                _ => Vec::new(),
            };
            let new_items = match new.get(&key).map(|o| doc.resolve(rev, o)).transpose()? {
                Some(Object::Array(a)) => a,
                _ => {
                    return Ok(Verdict::other(
                        rule,
                        format!("/{} is not an array", String::from_utf8_lossy(&key)),
                    ))
                }
            };
            let v = judge_array_growth(doc, rev, &old_items, &new_items)?;
            if v.level == ModificationLevel::Other {
                return Ok(v);
            }
        }
    }
    Ok(Verdict::signing(rule, "updated to add a signature"))
}

/// The array keeps every earlier element in order and adds only references to signature
/// fields or widgets (as defined in revision `rev`).
fn judge_array_growth<S: Source>(
    doc: &Document<S>,
    rev: usize,
    old: &[Object],
    new: &[Object],
) -> Result<Verdict, PdfError> {
    let mut it = new.iter();
    let mut added = Vec::new();
    for o in old {
        loop {
            match it.next() {
                Some(n) if same(doc, o, n) => break,
                Some(n) => added.push(n),
                None => {
                    return Ok(Verdict::other(
                        "array",
                        "an element present before was removed or reordered",
                    ))
                }
            }
        }
    }
    added.extend(it);
    for a in added {
        let Some(r) = a.as_ref() else {
            return Ok(Verdict::other("array", "a direct element was added"));
        };
        let target = doc.get(rev, r)?;
        let ok = target
            .as_ref()
            .and_then(plain_dict)
            .is_some_and(|d| is_signature_field_or_widget(doc, rev, d));
        if !ok {
            return Ok(Verdict::other(
                "array",
                format!("{r} was added, and it is not a signature field or widget"),
            ));
        }
    }
    Ok(Verdict::signing("array", "signature field or widget added"))
}

/// A signature field (possibly merged with its widget) whose value, if any, is a signature
/// dictionary; or a widget whose parent is a signature field.
fn is_signature_field_or_widget<S: Source>(doc: &Document<S>, rev: usize, d: &Dict) -> bool {
    let field = if d.get_name(b"FT") == Some(b"Sig") {
        Some(d.clone())
    } else if d.get_name(b"Subtype") == Some(b"Widget") {
        d.get(b"Parent")
            .and_then(|p| doc.resolve_dict(rev, p).ok().flatten())
            .filter(|p| p.get_name(b"FT") == Some(b"Sig"))
    } else {
        None
    };
    let Some(field) = field else {
        return false;
    };
    match field.get(b"V") {
        None => true,
        Some(v) => doc
            .resolve_dict(rev, v)
            .ok()
            .flatten()
            .is_some_and(|sig| is_signature_dict(&sig)),
    }
}

fn is_signature_dict(d: &Dict) -> bool {
    d.is_type(b"Sig")
        || d.is_type(b"DocTimeStamp")
        || (d.contains(b"ByteRange") && d.contains(b"Contents"))
}

fn is_acroform<S: Source>(doc: &Document<S>, rev: usize, r: ObjRef) -> bool {
    doc.catalog(rev)
        .ok()
        .and_then(|c| c.get(b"AcroForm").and_then(Object::as_ref))
        == Some(r)
}

fn is_structure(o: &Object) -> bool {
    o.as_stream()
        .is_some_and(|s| s.dict.is_type(b"XRef") || s.dict.is_type(b"ObjStm"))
}

fn plain_dict(o: &Object) -> Option<&Dict> {
    match o {
        Object::Dict(d) => Some(d),
        _ => None,
    }
}

fn describe(d: &Dict) -> String {
    match (d.get_name(b"Type"), d.get_name(b"Subtype")) {
        (Some(t), Some(s)) => format!(
            "/{} /{} dictionary",
            String::from_utf8_lossy(t),
            String::from_utf8_lossy(s)
        ),
        (Some(t), None) => format!("/{} dictionary", String::from_utf8_lossy(t)),
        _ => "dictionary".to_string(),
    }
}

/// Keys whose values differ between `old` and `new` (added, removed or changed).
fn changed_keys<S: Source>(doc: &Document<S>, old: &Dict, new: &Dict) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (k, v) in old.iter() {
        if !new.get(k.as_bytes()).is_some_and(|n| same(doc, v, n)) {
            out.push(k.as_bytes().to_vec());
        }
    }
    for (k, _) in new.iter() {
        if !old.contains(k.as_bytes()) {
            out.push(k.as_bytes().to_vec());
        }
    }
    out
}

fn same_opt<S: Source>(doc: &Document<S>, a: Option<&Object>, b: Option<&Object>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => same(doc, a, b),
        _ => false,
    }
}

/// Equality of content, ignoring where strings stood in the file; stream data is compared
/// byte for byte.
fn same<S: Source>(doc: &Document<S>, a: &Object, b: &Object) -> bool {
    match (a, b) {
        (Object::String(x), Object::String(y)) => x.bytes == y.bytes,
        (Object::Array(x), Object::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(doc, p, q))
        }
        (Object::Dict(x), Object::Dict(y)) => same_dict(doc, x, y),
        (Object::Stream(x), Object::Stream(y)) => {
            if !same_dict(doc, &x.dict, &y.dict) {
                return false;
            }
            match (&x.data, &y.data) {
                (StreamData::File(p), StreamData::File(q)) if p == q => true,
                _ => match (doc.raw_stream_data(x), doc.raw_stream_data(y)) {
                    (Ok(p), Ok(q)) => p == q,
                    _ => false,
                },
            }
        }
        (Object::Real(x), Object::Real(y)) => x.to_bits() == y.to_bits(),
        _ => a == b,
    }
}

fn same_dict<S: Source>(doc: &Document<S>, x: &Dict, y: &Dict) -> bool {
    x.len() == y.len()
        && x.iter()
            .all(|(k, v)| y.get(k.as_bytes()).is_some_and(|w| same(doc, v, w)))
}
