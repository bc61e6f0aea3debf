//! The annotations a later revision added or changed on a page, from kyso's own reader: where
//! a permitted change may draw (a signature's widget, a filled field's widget, an added
//! annotation — ISO 32000-2 §12.5, §12.7), so that a differing region inside one is
//! attributed to it.

use std::collections::HashMap;

use crate::pdf::{fields, pages, Document, ObjRef, Object, PdfError, Source};
use crate::report::RegionCause;

/// An annotation of the final document that is new or different since the signed revision.
#[derive(Debug, Clone)]
pub(crate) struct ChangedAnnotation {
    /// `/Rect` in default user space, normalised `[x0, y0, x1, y1]`.
    pub rect: [f64; 4],
    pub cause: RegionCause,
    pub object: String,
    pub field: Option<String>,
    /// Whether it has a normal appearance (`/AP /N`) the renderer can draw; without one a
    /// viewer may draw the value itself (a field's `/V` under `/NeedAppearances`), so what
    /// it shows cannot be compared.
    pub has_appearance: bool,
    /// Whether a viewer shows it at all: an area, and neither the Hidden nor the NoView flag
    /// (ISO 32000-2 §12.5.3, Table 167). An invisible signature's widget is not.
    pub visible: bool,
}

/// Annotations on the pages of the final revision, by page index (0-based).
pub(crate) type ChangedByPage = HashMap<usize, Vec<ChangedAnnotation>>;

/// At most this many annotations are looked at on one page.
const MAX_ANNOTATIONS_PER_PAGE: usize = 4096;

/// What changed on each page of revision `last` since revision `signed`.
pub(crate) fn changed_annotations<S: Source>(
    doc: &Document<S>,
    signed: usize,
    last: usize,
) -> Result<ChangedByPage, PdfError> {
    // Widgets of fields: their field's name and type, and the field's own object (a filled
    // value changes the field, the widget gets a new appearance).
    let mut widget_field: HashMap<ObjRef, (String, bool, Option<ObjRef>)> = HashMap::new();
    for f in fields(doc, last).unwrap_or_default() {
        let is_sig = f.field_type.as_ref().is_some_and(|t| t.0 == b"Sig");
        for w in &f.widgets {
            widget_field.insert(*w, (f.name.clone(), is_sig, f.id));
        }
    }
    let differs = |r: ObjRef| -> Result<bool, PdfError> {
        if doc.defining_revision(last, r) <= Some(signed) {
            return Ok(false);
        }
        Ok(doc.get(last, r)? != doc.get(signed, r)?)
    };
    let mut out = ChangedByPage::new();
    // An object kyso cannot read (a damaged file) attributes nothing: the pixels it drew
    // stay unexplained, which errs on the side of showing them.
    for (index, page) in pages(doc, last)?.into_iter().enumerate() {
        let Ok(Some(page)) = doc.resolve_dict(last, &Object::Reference(page)) else {
            continue;
        };
        let Some(annots) = page.get(b"Annots") else {
            continue;
        };
        let Ok(annots) = doc.resolve(last, annots) else {
            continue;
        };
        let Some(items) = annots.as_array() else {
            continue;
        };
        for item in items.iter().take(MAX_ANNOTATIONS_PER_PAGE) {
            let Object::Reference(a) = item else {
                continue;
            };
            let Ok(Some(dict)) = doc.resolve_dict(last, item) else {
                continue;
            };
            let Ok(Some(rect)) = rect_of(doc, last, dict.get(b"Rect")) else {
                continue;
            };
            let field = widget_field.get(a);
            // An object that cannot be read explains nothing (fail closed: its pixels stay
            // unexplained).
            let differs = |r: ObjRef| differs(r).unwrap_or(false);
            let mut changed = differs(*a);
            if !changed {
                if let Some((_, _, Some(id))) = field {
                    changed = differs(*id);
                }
            }
            if !changed {
                changed = appearance_refs(doc, last, dict.get(b"AP"))
                    .unwrap_or_default()
                    .into_iter()
                    .any(differs);
            }
            if !changed {
                continue;
            }
            let is_widget = dict.get_name(b"Subtype") == Some(b"Widget");
            let flags = dict
                .get(b"F")
                .and_then(|f| doc.resolve(last, f).ok())
                .and_then(|f| f.as_number())
                .unwrap_or(0.0) as i64;
            let visible =
                rect[2] - rect[0] > 0.0 && rect[3] - rect[1] > 0.0 && flags & (2 | 32) == 0;
            let has_appearance = dict
                .get(b"AP")
                .and_then(|ap| doc.resolve_dict(last, ap).ok().flatten())
                .and_then(|ap| ap.get(b"N").cloned())
                .is_some_and(|n| {
                    matches!(
                        doc.resolve(last, &n),
                        Ok(Object::Stream(_)) | Ok(Object::Dict(_))
                    )
                });
            let cause = match field {
                Some((_, true, _)) => RegionCause::SignatureAppearance,
                Some(_) => RegionCause::FormField,
                None if is_widget => RegionCause::FormField,
                None => RegionCause::Annotation,
            };
            out.entry(index).or_default().push(ChangedAnnotation {
                rect,
                cause,
                object: a.to_string(),
                field: field.map(|(name, _, _)| name.clone()),
                has_appearance,
                visible,
            });
        }
    }
    Ok(out)
}

/// A `/Rect`: four numbers, normalised so that x0 ≤ x1 and y0 ≤ y1.
fn rect_of<S: Source>(
    doc: &Document<S>,
    rev: usize,
    rect: Option<&Object>,
) -> Result<Option<[f64; 4]>, PdfError> {
    let Some(rect) = rect else {
        return Ok(None);
    };
    let rect = doc.resolve(rev, rect)?;
    let Some(items) = rect.as_array() else {
        return Ok(None);
    };
    let mut n = [0.0f64; 4];
    if items.len() != 4 {
        return Ok(None);
    }
    for (slot, item) in n.iter_mut().zip(items) {
        match doc.resolve(rev, item)?.as_number() {
            Some(v) if v.is_finite() => *slot = v,
            _ => return Ok(None),
        }
    }
    Ok(Some([
        n[0].min(n[2]),
        n[1].min(n[3]),
        n[0].max(n[2]),
        n[1].max(n[3]),
    ]))
}

/// The appearance streams an `/AP` dictionary names (`/N`, `/R`, `/D`, and their states).
fn appearance_refs<S: Source>(
    doc: &Document<S>,
    rev: usize,
    ap: Option<&Object>,
) -> Result<Vec<ObjRef>, PdfError> {
    let mut out = Vec::new();
    let Some(ap) = ap else {
        return Ok(out);
    };
    if let Object::Reference(r) = ap {
        out.push(*r);
    }
    let Some(ap) = doc.resolve_dict(rev, ap)? else {
        return Ok(out);
    };
    for (_, v) in ap.iter() {
        match v {
            Object::Reference(r) => {
                out.push(*r);
                // A stream is one appearance; a dictionary holds one per state.
                if let Object::Dict(states) = doc.resolve(rev, v)? {
                    out.extend(states.iter().filter_map(|(_, s)| match s {
                        Object::Reference(r) => Some(*r),
                        _ => None,
                    }));
                }
            }
            Object::Dict(states) => out.extend(states.iter().filter_map(|(_, s)| match s {
                Object::Reference(r) => Some(*r),
                _ => None,
            })),
            _ => {}
        }
    }
    Ok(out)
}
