//! Flattening: each widget's appearance drawn into its page's content, the fields removed.
//!
//! A separate operation, only for unsigned documents: flattening rewrites page content and
//! removes fields, changes no signature permits, so a signed (or certified) document is
//! refused with that explanation. Empty signature fields are kept (they are for later
//! signers). The update rewrites each page that held a widget (`/Contents` becomes an array
//! that wraps the old content in `q … Q` and draws the appearances after it, `/Resources`
//! gains the appearances as XObjects, `/Annots` loses the widgets), the AcroForm (`/Fields`
//! without the flattened fields, no `/NeedAppearances`, no `/XFA`) and parent fields whose
//! `/Kids` lose children.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

use crate::draw::font::Font;
use crate::draw::FontSource;
use crate::output::Target;
use crate::pdf::{
    acroform, pages, Dict, Document, IncrementalUpdate, Name, ObjRef, Object, Source, Stream,
    StreamData,
};
use crate::refusal::{Expected, Refusal};
use crate::Error;

use super::draw::Frame;
use super::error::FormError;
use super::fill::{deflate, form_xobject, text_content};
use super::plan::Change;
use super::read::{self, FieldInfo, FieldKind, Kind};
use super::update;
use super::value::FieldValue;

/// What a flattening did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FlattenSummary {
    /// Fields removed from the form.
    pub fields: usize,
    /// Widget appearances drawn into page content.
    pub drawn: usize,
    /// Of those, appearances kyso drew from the value because the widget had none.
    pub generated: usize,
    /// Widgets removed without drawing (hidden, buttons without an appearance, or on no
    /// page).
    pub not_drawn: usize,
}

/// Annotation flags: Hidden (bit 2) and NoView (bit 6).
const HIDDEN: i64 = 2 | 32;

/// Flattens the form of the PDF at `input` into `output` by kyso's write rule
/// ([`crate::output`]; `input` is never modified). Signed documents are refused ([`FormError::Signed`]).
pub fn flatten_file<'a>(
    input: &Path,
    output: impl Into<Target<'a>>,
) -> Result<FlattenSummary, Error> {
    flatten_file_with_password(input, output, None)
}

/// [`flatten_file`] for an input that may be encrypted with a user password: `password`
/// (user or owner) first, then the empty user password. The update is written encrypted
/// with the document's own key (ISO 32000-2 §7.6).
pub fn flatten_file_with_password<'a>(
    input: &Path,
    output: impl Into<Target<'a>>,
    password: Option<&crate::pdf::Password>,
) -> Result<FlattenSummary, Error> {
    update::rewrite_file(input, output, password, flatten_update)
}

/// Flattens the form of a PDF held in memory; returns the flattened file.
pub fn flatten_bytes(input: &[u8]) -> Result<Vec<u8>, Error> {
    let doc = Document::open(input)?;
    let (update, _) = flatten_update(&doc)?;
    Ok(crate::pdf::update::append(input, &update))
}

/// The signatures that forbid flattening: signed signature fields, signature dictionaries
/// anywhere, a certification or usage-rights dictionary.
fn signatures<S: Source>(
    doc: &Document<S>,
    rev: usize,
    catalog: &Dict,
) -> Result<Vec<String>, Error> {
    let mut out: Vec<String> = acroform::signature_fields(doc, rev)?
        .into_iter()
        .filter(|f| f.value.is_some())
        .map(|f| format!("field \"{}\"", f.name))
        .collect();
    if out.is_empty() {
        let dicts = acroform::signature_dictionaries(doc, rev)?;
        if !dicts.is_empty() {
            out.push(format!(
                "{} signature dictionary(ies) outside the form",
                dicts.len()
            ));
        }
    }
    if out.is_empty() && catalog.contains(b"Perms") {
        out.push("a certification (/Perms in the catalog)".to_string());
    }
    Ok(out)
}

/// The widgets of the flattened fields: widget → its field and its index among the field's
/// widgets.
type Widgets<'f> = BTreeMap<ObjRef, (&'f FieldInfo, usize)>;

/// What a widget shows once flattened.
enum Appearance {
    /// Its normal appearance stream, drawn as it is.
    Existing(ObjRef),
    /// Content kyso drew from the field's value (the widget had no appearance).
    Generated(Frame, Vec<u8>),
}

/// One appearance to draw on a page, in the widget's rectangle.
struct Draw {
    appearance: Appearance,
    rect: [f64; 4],
}

/// A page that holds widgets of flattened fields, with what to draw on it.
struct PagePlan {
    page_ref: ObjRef,
    page: Dict,
    draws: Vec<Draw>,
}

/// The update that flattens `doc`'s form, and what it did.
pub(crate) fn flatten_update<S: Source>(
    doc: &Document<S>,
) -> Result<(Vec<u8>, FlattenSummary), Error> {
    let mut begun = update::begin(doc, crate::refusal::Operation::FlattenForm)?;
    let rev = begun.rev;
    refuse_signed(doc, rev, &begun.catalog)?;
    let fields = read::read_fields(doc, rev)?;
    let targets = fields_to_flatten(&fields)?;
    let mut summary = FlattenSummary {
        fields: targets.len(),
        ..FlattenSummary::default()
    };
    let widgets = widgets_of(&targets);

    let mut font = Font::load(&FontSource::DejaVuSerif)?;
    let plans = plan_pages(doc, rev, &widgets, &mut font, &mut summary)?;
    let font_ref = if font.is_used() {
        Some(font.write(&mut begun.update)?)
    } else {
        None
    };
    let page_writer = PageWriter {
        doc,
        rev,
        widgets: &widgets,
        font: font_ref,
    };
    for plan in plans {
        page_writer.rewrite(&mut begun.update, plan, &mut summary)?;
    }

    let flattened: BTreeSet<ObjRef> = targets.iter().filter_map(|f| f.raw.id).collect();
    prune_form(doc, &mut begun, &flattened)?;
    Ok((begun.update.finish()?.bytes, summary))
}

/// Refuses a signed or certified document ([`FormError::Signed`]).
fn refuse_signed<S: Source>(doc: &Document<S>, rev: usize, catalog: &Dict) -> Result<(), Error> {
    let signed = signatures(doc, rev, catalog)?;
    if signed.is_empty() {
        Ok(())
    } else {
        Err(FormError::Signed { signatures: signed }.into())
    }
}

/// The fields to flatten: all but signature fields (kept for later signers).
fn fields_to_flatten(fields: &[FieldInfo]) -> Result<Vec<&FieldInfo>, Error> {
    let targets: Vec<&FieldInfo> = fields
        .iter()
        .filter(|f| f.kind != Kind::Field(FieldKind::Signature))
        .collect();
    if targets.is_empty() {
        return Err(FormError::NothingToFlatten.into());
    }
    Ok(targets)
}

fn widgets_of<'f>(targets: &[&'f FieldInfo]) -> Widgets<'f> {
    let mut widgets = BTreeMap::new();
    for f in targets {
        for (i, w) in f.widgets.iter().enumerate() {
            widgets.insert(w.r, (*f, i));
        }
    }
    widgets
}

/// The pages that list widgets of flattened fields, each with the appearances to draw; a
/// widget listed twice is drawn once, and widgets no page lists count as not drawn.
fn plan_pages<S: Source>(
    doc: &Document<S>,
    rev: usize,
    widgets: &Widgets<'_>,
    font: &mut Font,
    summary: &mut FlattenSummary,
) -> Result<Vec<PagePlan>, Error> {
    let mut plans = Vec::new();
    let mut seen = HashSet::new();
    for page_ref in pages::pages(doc, rev)? {
        let Some(Object::Dict(page)) = doc.get(rev, page_ref)? else {
            continue;
        };
        let Some(annots) = page_annots(doc, rev, &page)? else {
            continue;
        };
        let mut draws = Vec::new();
        let mut touched = false;
        for r in annots.iter().filter_map(Object::as_ref) {
            let Some(&(info, i)) = widgets.get(&r) else {
                continue;
            };
            touched = true;
            if !seen.insert(r) {
                continue;
            }
            let Some(w) = info.widgets.get(i) else {
                continue;
            };
            match plan_widget(doc, rev, info, w, font, summary)? {
                Some(d) => draws.push(d),
                None => summary.not_drawn += 1,
            }
        }
        if touched {
            plans.push(PagePlan {
                page_ref,
                page,
                draws,
            });
        }
    }
    // Widgets that no page lists are removed with their fields.
    summary.not_drawn += widgets.len().saturating_sub(seen.len());
    Ok(plans)
}

/// The page's `/Annots` array, when it has one.
fn page_annots<S: Source>(
    doc: &Document<S>,
    rev: usize,
    page: &Dict,
) -> Result<Option<Vec<Object>>, Error> {
    match page
        .get(b"Annots")
        .map(|a| doc.resolve(rev, a))
        .transpose()?
    {
        Some(Object::Array(a)) => Ok(Some(a)),
        _ => Ok(None),
    }
}

/// What to draw for widget `w` of `info`: its normal appearance, or one drawn from the
/// field's value; `None` when nothing is drawn (hidden, no rectangle, no appearance and no
/// value kyso can draw).
fn plan_widget<S: Source>(
    doc: &Document<S>,
    rev: usize,
    info: &FieldInfo,
    w: &read::Widget,
    font: &mut Font,
    summary: &mut FlattenSummary,
) -> Result<Option<Draw>, Error> {
    let hidden = w.dict.get_int(b"F").unwrap_or(0) & HIDDEN != 0;
    let rect = match rect_of(doc, rev, &w.dict)? {
        Some(r) if !hidden => r,
        _ => return Ok(None),
    };
    if let Some(x) = normal_appearance(doc, rev, &w.dict)? {
        return Ok(Some(Draw {
            appearance: Appearance::Existing(x),
            rect,
        }));
    }
    let Some(change) = current_change(info) else {
        return Ok(None);
    };
    let frame = Frame::of(doc, rev, &w.dict)?;
    let content = text_content(doc, rev, font, info, w, &frame, &change)?;
    summary.generated += 1;
    Ok(Some(Draw {
        appearance: Appearance::Generated(frame, content),
        rect,
    }))
}

/// A form XObject with its `/BBox` and `/Matrix`.
type Placed = (ObjRef, Vec<f64>, Vec<f64>);

/// Rewrites the pages of a flattening.
struct PageWriter<'a, 'f, S: Source> {
    doc: &'a Document<S>,
    rev: usize,
    widgets: &'a Widgets<'f>,
    /// The font generated appearances use, once written.
    font: Option<ObjRef>,
}

impl<S: Source> PageWriter<'_, '_, S> {
    /// Draws the planned appearances after the page's old content (wrapped in `q … Q`), adds
    /// them to its resources, and removes the flattened widgets from its `/Annots`.
    fn rewrite(
        &self,
        update: &mut IncrementalUpdate,
        plan: PagePlan,
        summary: &mut FlattenSummary,
    ) -> Result<(), Error> {
        let PagePlan {
            page_ref,
            mut page,
            draws,
        } = plan;
        let ops = self.draw_appearances(update, &mut page, &draws, summary)?;
        self.wrap_contents(update, &mut page, &ops)?;
        self.remove_widgets(&mut page)?;
        update.put(page_ref, &Object::Dict(page))?;
        Ok(())
    }

    /// Adds each appearance to the page's `/XObject` resources under a new name and returns
    /// the operators that draw them in their rectangles.
    fn draw_appearances(
        &self,
        update: &mut IncrementalUpdate,
        page: &mut Dict,
        draws: &[Draw],
        summary: &mut FlattenSummary,
    ) -> Result<String, Error> {
        let (doc, rev) = (self.doc, self.rev);
        let mut resources = inherited_resources(doc, rev, page)?;
        let mut xobjects = resources
            .get(b"XObject")
            .map(|x| doc.resolve_dict(rev, x))
            .transpose()?
            .flatten()
            .unwrap_or_default();
        let mut ops = String::from("Q\n");
        let mut n = 0usize;
        for d in draws {
            let Some((xref, bbox, matrix)) = self.xobject(update, &d.appearance)? else {
                summary.not_drawn += 1;
                continue;
            };
            let Some(cm) = placement(&bbox, &matrix, &d.rect) else {
                summary.not_drawn += 1;
                continue;
            };
            let name = free_name(&xobjects, &mut n);
            xobjects.set(name.as_str(), xref);
            let nums: Vec<String> = cm.iter().map(|v| super::da::num(*v)).collect();
            ops.push_str(&format!("q {} cm /{name} Do Q\n", nums.join(" ")));
            summary.drawn += 1;
        }
        resources.set("XObject", Object::Dict(xobjects));
        page.set("Resources", Object::Dict(resources));
        Ok(ops)
    }

    /// The form XObject of an appearance with its `/BBox` and `/Matrix` (a generated one is
    /// written to the update); `None` when an existing appearance is not a stream.
    fn xobject(
        &self,
        update: &mut IncrementalUpdate,
        appearance: &Appearance,
    ) -> Result<Option<Placed>, Error> {
        let (doc, rev) = (self.doc, self.rev);
        match appearance {
            Appearance::Existing(x) => {
                let Some(Object::Stream(s)) = doc.get(rev, *x)? else {
                    return Ok(None);
                };
                Ok(Some((
                    *x,
                    numbers(doc, rev, s.dict.get(b"BBox"))?,
                    numbers(doc, rev, s.dict.get(b"Matrix"))?,
                )))
            }
            Appearance::Generated(frame, content) => {
                let r = update.allocate()?;
                update.put(r, &form_xobject(frame, content, self.font)?)?;
                let m = frame.matrix().map(|m| m.to_vec()).unwrap_or_default();
                Ok(Some((r, frame.bbox().to_vec(), m)))
            }
        }
    }

    /// `/Contents` becomes `[q, old content…, ops]`: the old content cannot change the
    /// graphics state the appearances are drawn in.
    fn wrap_contents(
        &self,
        update: &mut IncrementalUpdate,
        page: &mut Dict,
        ops: &str,
    ) -> Result<(), Error> {
        let before = stream_object(update, b"q\n")?;
        let after = stream_object(update, ops.as_bytes())?;
        let mut contents = vec![Object::Reference(before)];
        match page
            .get(b"Contents")
            .map(|c| (c.clone(), self.doc.resolve(self.rev, c)))
        {
            Some((_, Ok(Object::Array(items)))) => contents.extend(items),
            Some((c @ Object::Reference(_), _)) => contents.push(c),
            _ => {}
        }
        contents.push(Object::Reference(after));
        page.set("Contents", Object::Array(contents));
        Ok(())
    }

    /// The page's `/Annots` without the flattened widgets (removed when none is left).
    fn remove_widgets(&self, page: &mut Dict) -> Result<(), Error> {
        let annots = page_annots(self.doc, self.rev, page)?.unwrap_or_default();
        let kept: Vec<Object> = annots
            .into_iter()
            .filter(|a| a.as_ref().is_none_or(|r| !self.widgets.contains_key(&r)))
            .collect();
        if kept.is_empty() {
            page.remove(b"Annots");
        } else {
            page.set("Annots", Object::Array(kept));
        }
        Ok(())
    }
}

/// `KysoFlatN`, the first `N` from `*n` on that `xobjects` does not use.
fn free_name(xobjects: &Dict, n: &mut usize) -> String {
    loop {
        let candidate = format!("KysoFlat{n}");
        *n += 1;
        if !xobjects.contains(candidate.as_bytes()) {
            return candidate;
        }
    }
}

/// The form after flattening: `/Fields` without the flattened fields (parents pruned), no
/// `/NeedAppearances`, no `/XFA`.
fn prune_form<S: Source>(
    doc: &Document<S>,
    begun: &mut update::Begun,
    flattened: &BTreeSet<ObjRef>,
) -> Result<(), Error> {
    let rev = begun.rev;
    let (mut form, form_ref) = match begun.catalog.get(b"AcroForm") {
        Some(Object::Reference(r)) => match doc.get(rev, *r)? {
            Some(Object::Dict(d)) => (d, Some(*r)),
            _ => {
                return Err(Error::from(Refusal::Malformed {
                    entry: "/AcroForm",
                    expected: Expected::Dictionary,
                }))
            }
        },
        Some(Object::Dict(d)) => (d.clone(), None),
        _ => return Err(Error::from(Refusal::NoForm)),
    };
    let top = match form
        .get(b"Fields")
        .map(|f| doc.resolve(rev, f))
        .transpose()?
    {
        Some(Object::Array(a)) => a,
        _ => Vec::new(),
    };
    let mut budget = doc.budget().max_tree_nodes;
    let mut kept = Vec::new();
    for item in top {
        if keep_field(
            doc,
            rev,
            &mut begun.update,
            &item,
            flattened,
            0,
            &mut budget,
        )? {
            kept.push(item);
        }
    }
    form.set("Fields", Object::Array(kept));
    form.remove(b"NeedAppearances");
    form.remove(b"XFA");
    match form_ref {
        Some(r) => begun.update.put(r, &Object::Dict(form))?,
        None => {
            let mut catalog = begun.catalog.clone();
            catalog.set("AcroForm", Object::Dict(form));
            begun
                .update
                .put(begun.catalog_ref, &Object::Dict(catalog))?;
        }
    }
    Ok(())
}

/// The current value of a text or choice field as a change to draw, for widgets without an
/// appearance (an empty field draws its frame, a list box its options); `None` for other
/// kinds.
fn current_change(info: &FieldInfo) -> Option<Change> {
    let Some(value) = info.public.value.as_ref() else {
        return match info.kind {
            Kind::Field(FieldKind::Text) => Some(Change::Text(String::new())),
            Kind::Field(FieldKind::ComboBox | FieldKind::ListBox) => Some(Change::Choice {
                selected: Vec::new(),
                custom: None,
            }),
            _ => None,
        };
    };
    match (info.kind, value) {
        (Kind::Field(FieldKind::Text), FieldValue::Text(t)) => Some(Change::Text(t.clone())),
        (Kind::Field(FieldKind::ComboBox | FieldKind::ListBox), v) => {
            let texts: Vec<&String> = match v {
                FieldValue::Text(t) => vec![t],
                FieldValue::List(l) => l.iter().collect(),
                FieldValue::Bool(_) => return None,
            };
            let mut selected = Vec::new();
            let mut custom = None;
            for t in texts {
                match info.public.options.iter().position(|o| o.export == *t) {
                    Some(i) => selected.push(i),
                    None => custom = Some(t.clone()),
                }
            }
            selected.sort_unstable();
            Some(Change::Choice { selected, custom })
        }
        _ => None,
    }
}

/// Keeps a `/Fields` or `/Kids` entry unless it is a flattened field or a parent left with
/// no children; a parent that loses some children is rewritten.
fn keep_field<S: Source>(
    doc: &Document<S>,
    rev: usize,
    update: &mut IncrementalUpdate,
    item: &Object,
    flattened: &BTreeSet<ObjRef>,
    depth: usize,
    budget: &mut usize,
) -> Result<bool, Error> {
    let Some(r) = item.as_ref() else {
        return Ok(true);
    };
    if flattened.contains(&r) {
        return Ok(false);
    }
    *budget = budget.checked_sub(1).ok_or_else(|| {
        Error::from(crate::pdf::PdfError::budget(
            "form field tree nodes",
            doc.budget().max_tree_nodes as u64,
        ))
    })?;
    if depth >= doc.budget().max_depth {
        return Ok(true);
    }
    let Some(Object::Dict(mut d)) = doc.get(rev, r)? else {
        return Ok(true);
    };
    let kids = match d.get(b"Kids").map(|k| doc.resolve(rev, k)).transpose()? {
        Some(Object::Array(k)) => k,
        _ => return Ok(true),
    };
    let mut kept = Vec::new();
    let mut field_kids = 0usize;
    for kid in &kids {
        let is_field = match kid {
            Object::Reference(k) => match doc.get(rev, *k)? {
                Some(Object::Dict(kd)) => kd.contains(b"T") || kd.contains(b"Kids"),
                _ => false,
            },
            _ => false,
        };
        if !is_field {
            kept.push(kid.clone());
            continue;
        }
        field_kids += 1;
        if keep_field(doc, rev, update, kid, flattened, depth + 1, budget)? {
            kept.push(kid.clone());
        }
    }
    if field_kids == 0 || kept.len() == kids.len() {
        return Ok(true);
    }
    if kept.is_empty() {
        return Ok(false);
    }
    d.set("Kids", Object::Array(kept));
    update.put(r, &Object::Dict(d))?;
    Ok(true)
}

/// The widget's normal appearance stream: `/AP /N` itself, or its `/AS` state.
fn normal_appearance<S: Source>(
    doc: &Document<S>,
    rev: usize,
    widget: &Dict,
) -> Result<Option<ObjRef>, Error> {
    let Some(ap) = widget
        .get(b"AP")
        .map(|a| doc.resolve_dict(rev, a))
        .transpose()?
        .flatten()
    else {
        return Ok(None);
    };
    let n = match ap.get(b"N") {
        Some(n) => n.clone(),
        None => return Ok(None),
    };
    let target = match &n {
        Object::Reference(r) => match doc.get(rev, *r)? {
            Some(Object::Stream(_)) => return Ok(Some(*r)),
            Some(Object::Dict(states)) => states,
            _ => return Ok(None),
        },
        Object::Dict(states) => states.clone(),
        _ => return Ok(None),
    };
    let Some(state) = widget.get_name(b"AS") else {
        return Ok(None);
    };
    Ok(target.get(state).and_then(Object::as_ref))
}

fn rect_of<S: Source>(
    doc: &Document<S>,
    rev: usize,
    widget: &Dict,
) -> Result<Option<[f64; 4]>, Error> {
    let n = numbers(doc, rev, widget.get(b"Rect"))?;
    Ok(match n.as_slice() {
        [x1, y1, x2, y2] if [x1, y1, x2, y2].iter().all(|v| v.is_finite()) => {
            let r = [x1.min(*x2), y1.min(*y2), x1.max(*x2), y1.max(*y2)];
            (r[2] > r[0] && r[3] > r[1]).then_some(r)
        }
        _ => None,
    })
}

fn numbers<S: Source>(
    doc: &Document<S>,
    rev: usize,
    o: Option<&Object>,
) -> Result<Vec<f64>, Error> {
    Ok(match o.map(|o| doc.resolve(rev, o)).transpose()? {
        Some(Object::Array(a)) => {
            let mut out = Vec::with_capacity(a.len());
            for v in a.iter().take(16) {
                if let Some(n) = doc.resolve(rev, v)?.as_number() {
                    out.push(n);
                }
            }
            out
        }
        _ => Vec::new(),
    })
}

/// The `cm` matrix that draws a form XObject (box `bbox`, `/Matrix` `matrix`) into `rect`,
/// as viewers draw an annotation's appearance (ISO 32000-2 §12.5.5).
fn placement(bbox: &[f64], matrix: &[f64], rect: &[f64; 4]) -> Option<[f64; 6]> {
    let [bx1, by1, bx2, by2] = <[f64; 4]>::try_from(bbox).ok()?;
    let m = match matrix {
        [a, b, c, d, e, f] => [*a, *b, *c, *d, *e, *f],
        _ => [1.0, 0.0, 0.0, 1.0, 0.0, 0.0],
    };
    let corners = [(bx1, by1), (bx2, by1), (bx1, by2), (bx2, by2)]
        .map(|(x, y)| (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]));
    let min_x = corners.iter().map(|c| c.0).fold(f64::INFINITY, f64::min);
    let max_x = corners
        .iter()
        .map(|c| c.0)
        .fold(f64::NEG_INFINITY, f64::max);
    let min_y = corners.iter().map(|c| c.1).fold(f64::INFINITY, f64::min);
    let max_y = corners
        .iter()
        .map(|c| c.1)
        .fold(f64::NEG_INFINITY, f64::max);
    let (w, h) = (max_x - min_x, max_y - min_y);
    if !(w.is_finite() && h.is_finite()) || w <= 0.0 || h <= 0.0 {
        return None;
    }
    let sx = (rect[2] - rect[0]) / w;
    let sy = (rect[3] - rect[1]) / h;
    // A = scale/translate of the transformed box onto the rectangle; the XObject's own
    // /Matrix is applied by Do, so cm is A alone.
    Some([sx, 0.0, 0.0, sy, rect[0] - min_x * sx, rect[1] - min_y * sy])
}

/// The page's `/Resources`, inherited through `/Parent` when the page has none, as a direct
/// dictionary.
fn inherited_resources<S: Source>(
    doc: &Document<S>,
    rev: usize,
    page: &Dict,
) -> Result<Dict, Error> {
    let mut node = page.clone();
    let mut seen = HashSet::new();
    for _ in 0..doc.budget().max_depth {
        if let Some(r) = node.get(b"Resources") {
            return Ok(doc.resolve_dict(rev, r)?.unwrap_or_default());
        }
        let Some(parent) = node.get(b"Parent").and_then(Object::as_ref) else {
            break;
        };
        if !seen.insert(parent) {
            break;
        }
        match doc.resolve_dict(rev, &Object::Reference(parent))? {
            Some(d) => node = d,
            None => break,
        }
    }
    Ok(Dict::new())
}

fn stream_object(
    update: &mut crate::pdf::IncrementalUpdate,
    content: &[u8],
) -> Result<ObjRef, Error> {
    let r = update.allocate()?;
    let mut d = Dict::new();
    d.set("Filter", Object::Name(Name::from("FlateDecode")));
    update.put(
        r,
        &Object::Stream(Stream {
            dict: d,
            data: StreamData::Memory(deflate(content)?),
        }),
    )?;
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::placement;

    #[test]
    fn placement_maps_the_box_onto_the_rectangle() {
        let cm = placement(&[0.0, 0.0, 100.0, 20.0], &[], &[50.0, 700.0, 150.0, 720.0]).unwrap();
        assert_eq!(cm, [1.0, 0.0, 0.0, 1.0, 50.0, 700.0]);
        // A quarter turn: the turned box is 20 wide and 100 high.
        let cm = placement(
            &[0.0, 0.0, 100.0, 20.0],
            &[0.0, 1.0, -1.0, 0.0, 0.0, 0.0],
            &[10.0, 10.0, 30.0, 110.0],
        )
        .unwrap();
        assert_eq!(cm, [1.0, 0.0, 0.0, 1.0, 30.0, 10.0]);
        assert!(placement(&[0.0, 0.0, 0.0, 20.0], &[], &[0.0, 0.0, 1.0, 1.0]).is_none());
    }
}
