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
    /// Whether it existed in the signed revision (its old appearance is then among what the
    /// signer saw, inside its own box).
    pub existed: bool,
    /// Why what viewers show of it may differ from what the renderer draws, when they may:
    /// optional content (which renderers evaluate differently), NoRotate on a rotated page
    /// (viewers turn it about its corner, outside its `/Rect`), a field whose appearance
    /// viewers rebuild (`/NeedAppearances`).
    pub viewer_dependent: Option<&'static str>,
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
    let need_appearances = doc
        .catalog(last)
        .ok()
        .and_then(|c| c.get(b"AcroForm").cloned())
        .and_then(|f| doc.resolve_dict(last, &f).ok().flatten())
        .and_then(|f| f.get(b"NeedAppearances").cloned())
        .and_then(|n| doc.resolve(last, &n).ok())
        .is_some_and(|n| matches!(n, Object::Bool(true)));
    for (index, page) in pages(doc, last)?.into_iter().enumerate() {
        let Ok(Some(page)) = doc.resolve_dict(last, &Object::Reference(page)) else {
            continue;
        };
        let page_rotated = rotation(doc, last, &page) % 360 != 0;
        let Some(annots) = page.get(b"Annots") else {
            continue;
        };
        let Ok(annots) = doc.resolve(last, annots) else {
            continue;
        };
        let Some(items) = annots.as_array() else {
            continue;
        };
        // Any annotation of the page (changed or not) that viewers may show otherwise makes
        // what a change on this page draws over or under it viewer-dependent too (a white
        // box under optional content, hidden by viewers and drawn by the renderer).
        let mut page_dependent = false;
        for item in items.iter().take(MAX_ANNOTATIONS_PER_PAGE) {
            let Ok(Some(dict)) = doc.resolve_dict(last, item) else {
                continue;
            };
            let odd = dict
                .get(b"F")
                .and_then(|f| doc.resolve(last, f).ok())
                .and_then(|f| f.as_number())
                .is_some_and(|f| f.fract() != 0.0 || !(0.0..=u32::MAX as f64).contains(&f));
            page_dependent |= dict.get(b"OC").is_some() || odd;
        }
        let first_on_page = out.get(&index).map_or(0, Vec::len);
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
            // Flags that are no 32-bit integer: viewers disagree on them (fail closed: none
            // hidden, and not comparable below).
            let raw_flags = dict
                .get(b"F")
                .and_then(|f| doc.resolve(last, f).ok())
                .and_then(|f| f.as_number())
                .unwrap_or(0.0);
            let odd_flags =
                raw_flags.fract() != 0.0 || !(0.0..=u32::MAX as f64).contains(&raw_flags);
            let flags = if odd_flags { 0 } else { raw_flags as i64 };
            let visible =
                rect[2] - rect[0] > 0.0 && rect[3] - rect[1] > 0.0 && flags & (2 | 32) == 0;
            let normal = normal_appearance(doc, last, &dict);
            let has_appearance = normal.is_some();
            let viewer_dependent = if dict.get(b"OC").is_some()
                || normal
                    .as_ref()
                    .is_some_and(|n| uses_optional_content(doc, last, n, 0, &mut 0))
            {
                Some("its appearance uses optional content or a /None colorant, which viewers evaluate differently")
            } else if flags & 16 != 0 && page_rotated {
                Some("it does not rotate with the page (NoRotate), so viewers draw it outside its rectangle")
            } else if odd_flags {
                Some("its flags are not a 32-bit number, which viewers read differently")
            } else if need_appearances && is_widget && field.is_some_and(|f| !f.1) {
                Some(NEED_APPEARANCES)
            } else {
                None
            };
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
                existed: doc.get(signed, *a).ok().flatten().is_some(),
                viewer_dependent,
            });
        }
        if page_dependent {
            for c in out
                .get_mut(&index)
                .into_iter()
                .flatten()
                .skip(first_on_page)
            {
                c.viewer_dependent.get_or_insert(
                    "an annotation of this page uses optional content or odd flags, which \
                     viewers evaluate differently",
                );
            }
        }
    }
    Ok(out)
}

impl ChangedAnnotation {
    /// Whether viewers build its appearance from its value: no appearance of its own, or
    /// the form's `/NeedAppearances` (and nothing else makes it viewer-dependent).
    pub fn viewer_dependent_is_rebuild(&self) -> bool {
        match self.viewer_dependent {
            None => !self.has_appearance,
            Some(why) => why == NEED_APPEARANCES,
        }
    }
}

/// Why a field under `/NeedAppearances` is viewer-dependent.
const NEED_APPEARANCES: &str =
    "the form asks viewers to rebuild field appearances (NeedAppearances)";

/// The page's `/Rotate`, inherited from its ancestors (ISO 32000-2 §7.7.3.4); a value that
/// is no integer counts as rotated (viewers disagree).
fn rotation<S: Source>(doc: &Document<S>, rev: usize, page: &crate::pdf::Dict) -> i64 {
    let mut node = page.clone();
    for _ in 0..32 {
        if let Some(r) = node.get(b"Rotate") {
            return match doc.resolve(rev, r).ok().and_then(|r| r.as_number()) {
                Some(v) if v.fract() == 0.0 && v.abs() < 1e9 => v as i64,
                _ => 90,
            };
        }
        match node
            .get(b"Parent")
            .and_then(|p| doc.resolve_dict(rev, p).ok().flatten())
        {
            Some(parent) => node = parent,
            None => return 0,
        }
    }
    90
}

/// The normal appearance a viewer draws: `/AP /N` as a stream, or the state `/AS` names in
/// an `/N` dictionary (none when `/AS` is missing or names no state: a renderer then draws
/// nothing or the Off state, viewers may differ).
fn normal_appearance<S: Source>(
    doc: &Document<S>,
    rev: usize,
    annot: &crate::pdf::Dict,
) -> Option<crate::pdf::Stream> {
    let ap = doc.resolve_dict(rev, annot.get(b"AP")?).ok().flatten()?;
    match doc.resolve(rev, ap.get(b"N")?).ok()? {
        Object::Stream(s) => Some(s),
        Object::Dict(states) => {
            let state = doc.resolve(rev, annot.get(b"AS")?).ok()?;
            let name = state.as_name()?;
            match doc.resolve(rev, states.get(name)?).ok()? {
                Object::Stream(s) => Some(s),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Most streams looked at for optional content below one appearance.
const MAX_OC_STREAMS: usize = 256;

/// Whether a form XObject (an appearance) or what it draws uses what viewers evaluate
/// differently: optional content (an `/OC` entry, marked content tagged `/OC`,
/// `/Properties` in its resources; ISO 32000-2 §8.11) or a colorant named `/None`. Bounded: beyond the depth or the stream count it answers yes (fail closed).
fn uses_optional_content<S: Source>(
    doc: &Document<S>,
    rev: usize,
    xobject: &crate::pdf::Stream,
    depth: usize,
    seen: &mut usize,
) -> bool {
    *seen += 1;
    if depth > 8 || *seen > MAX_OC_STREAMS {
        return true;
    }
    if xobject.dict.get(b"OC").is_some() {
        return true;
    }
    match doc.decode_stream(rev, xobject) {
        Ok(content) if content.windows(3).any(|w| w == b"/OC") => return true,
        Ok(_) => {}
        Err(_) => return true,
    }
    let Some(resources) = xobject
        .dict
        .get(b"Resources")
        .and_then(|r| doc.resolve_dict(rev, r).ok().flatten())
    else {
        return false;
    };
    if resources.get(b"Properties").is_some() {
        return true;
    }
    // A colorant named /None never marks the page (ISO 32000-2 §8.6.6.4); viewers disagree.
    let none_colorant = resources
        .get(b"ColorSpace")
        .and_then(|c| doc.resolve_dict(rev, c).ok().flatten())
        .is_some_and(|spaces| {
            spaces.iter().any(|(_, cs)| match doc.resolve(rev, cs) {
                Ok(Object::Array(items)) => {
                    items
                        .iter()
                        .skip(1)
                        .take(1)
                        .any(|n| match doc.resolve(rev, n) {
                            Ok(Object::Name(n)) => n.as_bytes() == b"None",
                            Ok(Object::Array(names)) => names
                                .iter()
                                .any(|n| matches!(n, Object::Name(n) if n.as_bytes() == b"None")),
                            _ => false,
                        })
                }
                _ => false,
            })
        });
    if none_colorant {
        return true;
    }
    let Some(xobjects) = resources
        .get(b"XObject")
        .and_then(|x| doc.resolve_dict(rev, x).ok().flatten())
    else {
        return false;
    };
    // Bound to a name: the iterator borrows `xobjects`, which must outlive it.
    #[allow(clippy::let_and_return)]
    let found = xobjects.iter().any(|(_, x)| match doc.resolve(rev, x) {
        Ok(Object::Stream(inner)) => uses_optional_content(doc, rev, &inner, depth + 1, seen),
        _ => false,
    });
    found
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
