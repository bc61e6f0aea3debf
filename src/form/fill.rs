//! Filling a form: one incremental update that sets each field's `/V`, gives every widget of
//! a filled text or choice field a new appearance stream drawn with an embedded font, sets
//! buttons' `/AS`, and clears `/NeedAppearances` when no signature is in the document yet.
//!
//! What the update rewrites, and nothing else: the dictionaries of the filled fields (`/V`,
//! and `/AP`/`/AS` when field and widget are merged), their separate widgets (`/AP`, `/AS`;
//! a widget whose state does not change is not rewritten), and the AcroForm (or the
//! catalog, when the AcroForm is written inside it) only when it had `/NeedAppearances`.
//! New objects: the appearance streams and one embedded font subset.

use std::collections::BTreeMap;
use std::path::Path;

use crate::draw::font::Font;
use crate::draw::{DrawError, FontSource};
use crate::output::Target;
use crate::pdf::incremental::IncrementalUpdate;
use crate::pdf::{Dict, Document, Name, ObjRef, Object, PdfString, Source, Stream, StreamData};
use crate::Error;

use super::da::{self, DefaultAppearance};
use super::draw::{self, Content, Frame, FONT_RESOURCE};
use super::error::FormError;
use super::perms;
use super::plan::{self, Change, DEFAULT_ON_STATE};
use super::read::{self, FieldInfo, FieldKind, Kind, Widget};
use super::update;
use super::value::FormValues;

/// How to fill a form.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FillOptions {
    /// The font the values are drawn with (an embedded subset). Default: DejaVu Serif,
    /// built in, which has every Vietnamese letter.
    pub font: FontSource,
    /// The password of an encrypted input (user or owner; then the empty user password is
    /// tried). The update is written encrypted with the document's own key.
    pub document_password: Option<crate::pdf::Password>,
}

impl Default for FillOptions {
    fn default() -> Self {
        FillOptions {
            font: FontSource::DejaVuSerif,
            document_password: None,
        }
    }
}

impl FillOptions {
    /// The defaults.
    pub fn new() -> Self {
        FillOptions::default()
    }

    /// Draws the values with this font.
    pub fn font(mut self, font: FontSource) -> Self {
        self.font = font;
        self
    }
}

/// What a fill changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FillSummary {
    /// The fields filled, in the order of the data.
    pub fields: Vec<String>,
    /// Text and choice fields that already held the value given and showed it: not
    /// rewritten.
    pub unchanged: Vec<String>,
    /// Appearance streams written.
    pub appearances: usize,
}

/// Fills the form of the PDF at `input` with `values` and writes the result to `output`
/// by kyso's write rule ([`crate::output`]; `input` is never modified). Every problem with the values is reported at
/// once ([`FormError::Rejected`]) before anything is written.
pub fn fill_file<'a>(
    input: &Path,
    output: impl Into<Target<'a>>,
    values: &FormValues,
    opts: &FillOptions,
) -> Result<FillSummary, Error> {
    update::rewrite_file(input, output, opts.document_password.as_ref(), |doc| {
        fill_update(doc, values, opts)
    })
}

/// Fills the form of a PDF held in memory; returns the filled file (the input followed by
/// one incremental update).
pub fn fill_bytes(input: &[u8], values: &FormValues, opts: &FillOptions) -> Result<Vec<u8>, Error> {
    let doc = crate::pdf::update::open_bytes(input, opts.document_password.as_ref())?;
    let (update, _) = fill_update(&doc, values, opts)?;
    let mut out = Vec::with_capacity(input.len() + update.len());
    out.extend_from_slice(input);
    out.extend_from_slice(&update);
    Ok(out)
}

/// The update that fills `doc`'s form, and what it changed.
pub(crate) fn fill_update<S: Source>(
    doc: &Document<S>,
    values: &FormValues,
    opts: &FillOptions,
) -> Result<(Vec<u8>, FillSummary), Error> {
    if values.is_empty() && values.reading_problems().is_empty() {
        return Err(FormError::NoValues.into());
    }
    let mut begun = update::begin(doc, crate::refusal::Operation::FillForm)?;
    let rev = begun.rev;
    if perms::docmdp_level(doc, rev, &begun.catalog)? == Some(1) {
        return Err(FormError::CertifiedNoChanges.into());
    }
    let fields = read::read_fields(doc, rev)?;
    let mut font = Font::load(&opts.font)?;
    let font_name = font_label(&opts.font);
    let planned = plan::plan(&fields, values, &font, &font_name)
        .map_err(|problems| FormError::Rejected { problems })?;

    let mut dicts = Dicts::default();
    let mut pending: Vec<PendingAppearance> = Vec::new();
    let mut summary = FillSummary::default();
    for p in &planned {
        let Some(info) = fields.get(p.index) else {
            continue;
        };
        let Some(field_ref) = info.raw.id else {
            continue; // refused by the plan
        };
        // A text or choice field that already shows this value is left alone: redrawing
        // its appearance without a change of value is not form filling.
        let mut probe = info.raw.dict.clone();
        set_value(&mut probe, info, &p.change);
        let drawn = info.widgets.iter().all(|w| w.dict.contains(b"AP"));
        if !matches!(p.change, Change::Button { .. })
            && drawn
            && same_value(doc, rev, info.raw.value.as_ref(), probe.get(b"V"))?
        {
            summary.unchanged.push(info.public.name.clone());
            continue;
        }
        summary.fields.push(info.public.name.clone());
        let field_dict = dicts.entry(field_ref, &info.raw.dict);
        set_value(field_dict, info, &p.change);
        for w in &info.widgets {
            let frame = Frame::of(doc, rev, &w.dict)?;
            match &p.change {
                Change::Button { state } => {
                    pending.extend(button(
                        &mut dicts,
                        info,
                        w,
                        state.as_ref(),
                        &frame,
                        rev,
                        doc,
                    )?);
                }
                change => {
                    let content = text_content(doc, rev, &mut font, info, w, &frame, change)?;
                    pending.push(PendingAppearance {
                        widget: w.r,
                        states: vec![(None, frame.clone(), content)],
                    });
                }
            }
        }
    }

    let font_ref = if font.is_used() {
        Some(font.write(&mut begun.update)?)
    } else {
        None
    };
    for ap in pending {
        let ap_dict = write_appearance(&mut begun.update, &ap, font_ref)?;
        let widget_dict = dicts.existing(ap.widget).ok_or(Error::Internal {
            what: "a widget was drawn but not read",
        })?;
        widget_dict.set("AP", Object::Dict(ap_dict));
        summary.appearances += ap.states.len();
    }

    if !holds_a_signature(doc, begun.rev)? {
        clear_need_appearances(doc, &mut begun)?;
    }
    for (r, d) in dicts.changed() {
        begun.update.put(r, &Object::Dict(d))?;
    }
    Ok((begun.update.finish()?.bytes, summary))
}

/// How the font is named in problems.
fn font_label(source: &FontSource) -> String {
    match source {
        FontSource::DejaVuSerif => "built-in DejaVu Serif".to_string(),
        FontSource::DejaVuSerifBold => "built-in DejaVu Serif Bold".to_string(),
        FontSource::File(p) => p.display().to_string(),
        _ => "the font given".to_string(),
    }
}

/// Dictionaries to rewrite, by object (a merged field and widget is one entry), with their
/// original content: one that ends up unchanged is not written.
#[derive(Default)]
struct Dicts(BTreeMap<ObjRef, (Dict, Dict)>);

impl Dicts {
    fn entry(&mut self, r: ObjRef, original: &Dict) -> &mut Dict {
        &mut self
            .0
            .entry(r)
            .or_insert_with(|| (original.clone(), original.clone()))
            .1
    }

    fn existing(&mut self, r: ObjRef) -> Option<&mut Dict> {
        self.0.get_mut(&r).map(|(_, d)| d)
    }

    /// The dictionaries that differ from their original.
    fn changed(self) -> impl Iterator<Item = (ObjRef, Dict)> {
        self.0
            .into_iter()
            .filter(|(_, (old, new))| old != new)
            .map(|(r, (_, new))| (r, new))
    }
}

/// Sets the field's `/V` for its change.
fn set_value(field: &mut Dict, info: &FieldInfo, change: &Change) {
    match change {
        Change::Text(text) => field.set("V", Object::String(PdfString::text(text))),
        Change::Button { state } => field.set(
            "V",
            Object::Name(state.clone().unwrap_or_else(|| Name::from("Off"))),
        ),
        Change::Choice { selected, custom } => {
            let export = |i: &usize| {
                info.public
                    .options
                    .get(*i)
                    .map(|o| Object::String(PdfString::text(&o.export)))
            };
            match (custom, selected.as_slice()) {
                (Some(c), _) => field.set("V", Object::String(PdfString::text(c))),
                (None, []) => {
                    field.remove(b"V");
                }
                (None, [one]) => {
                    if let Some(v) = export(one) {
                        field.set("V", v);
                    }
                }
                (None, many) => {
                    field.set("V", Object::Array(many.iter().filter_map(export).collect()))
                }
            }
        }
    }
}

/// Whether a field's current `/V` (as written, possibly inherited or a reference) and a new
/// one hold the same value: equal text (whatever the string encoding), names or lists.
fn same_value<S: Source>(
    doc: &Document<S>,
    rev: usize,
    old: Option<&Object>,
    new: Option<&Object>,
) -> Result<bool, Error> {
    let old = old.map(|o| doc.resolve(rev, o)).transpose()?;
    let old = old.filter(|o| !matches!(o, Object::Null));
    fn texts(o: &Object) -> Option<Vec<String>> {
        match o {
            Object::String(s) => Some(vec![s.to_text()]),
            Object::Array(items) => items
                .iter()
                .map(|i| i.as_string().map(PdfString::to_text))
                .collect(),
            _ => None,
        }
    }
    Ok(match (old.as_ref(), new) {
        (None, None) => true,
        (Some(Object::Name(a)), Some(Object::Name(b))) => a == b,
        (Some(a), Some(b)) => match (texts(a), texts(b)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
        _ => false,
    })
}

/// Appearance streams to write for one widget: `(state, frame, content)`; `None` as the
/// state means the widget's `/AP` is `<< /N stream >>`, otherwise `<< /N << /state … >> >>`.
struct PendingAppearance {
    widget: ObjRef,
    states: Vec<(Option<Name>, Frame, Vec<u8>)>,
}

/// Sets a button widget's `/AS`; draws its states when it has none.
fn button<S: Source>(
    dicts: &mut Dicts,
    info: &FieldInfo,
    w: &Widget,
    state: Option<&Name>,
    frame: &Frame,
    rev: usize,
    doc: &Document<S>,
) -> Result<Option<PendingAppearance>, Error> {
    let d = dicts.entry(w.r, &w.dict);
    let off = Name::from("Off");
    if !w.on_states.is_empty() {
        let shown = match state {
            Some(s) if w.on_states.contains(s) => s.clone(),
            _ => off,
        };
        d.set("AS", Object::Name(shown));
        return Ok(None);
    }
    // No appearance states: only check boxes get drawn ones (a radio button without states
    // cannot be told apart from its siblings, and the plan refuses it).
    let on = Name::from(DEFAULT_ON_STATE);
    let shown = if state == Some(&on) {
        on.clone()
    } else {
        off.clone()
    };
    d.set("AS", Object::Name(shown));
    let da = widget_da(doc, rev, info, &w.dict)?;
    let radio = info.kind == Kind::Field(FieldKind::RadioGroup);
    Ok(Some(PendingAppearance {
        widget: w.r,
        states: vec![
            (Some(on), frame.clone(), draw::button_on(frame, &da, radio)),
            (Some(off), frame.clone(), draw::button_off(frame)),
        ],
    }))
}

/// The widget's `/DA` if it has one, else the field's (inherited or the AcroForm's).
fn widget_da<S: Source>(
    doc: &Document<S>,
    rev: usize,
    info: &FieldInfo,
    widget: &Dict,
) -> Result<DefaultAppearance, Error> {
    if let Some(d) = widget.get(b"DA") {
        if let Object::String(s) = doc.resolve(rev, d)? {
            return Ok(da::parse(&s.bytes));
        }
    }
    Ok(info.da.as_deref().map(da::parse).unwrap_or_default())
}

/// The content stream showing a text or choice field's new value in one widget.
pub(crate) fn text_content<S: Source>(
    doc: &Document<S>,
    rev: usize,
    font: &mut Font,
    info: &FieldInfo,
    w: &Widget,
    frame: &Frame,
    change: &Change,
) -> Result<Vec<u8>, Error> {
    let da = widget_da(doc, rev, info, &w.dict)?;
    let q = info.quadding;
    let flags = &info.public.flags;
    let displays: Vec<String>;
    let content = match change {
        Change::Text(text) => {
            if flags.multiline {
                Content::Lines(text)
            } else if let (true, Some(max)) = (flags.comb, info.public.max_len) {
                Content::Comb(text, max)
            } else {
                Content::Line(text)
            }
        }
        Change::Choice { selected, custom } => match (info.kind, custom) {
            (_, Some(c)) => Content::Line(c),
            (Kind::Field(FieldKind::ListBox), None) => {
                displays = info
                    .public
                    .options
                    .iter()
                    .map(|o| o.display.clone())
                    .collect();
                Content::List {
                    options: &displays,
                    selected,
                    top: info.top_index,
                }
            }
            (_, None) => Content::Line(
                selected
                    .first()
                    .and_then(|i| info.public.options.get(*i))
                    .map_or("", |o| o.display.as_str()),
            ),
        },
        Change::Button { .. } => return Ok(Vec::new()),
    };
    draw::text_appearance(font, frame, &da, q, content).map_err(|e: DrawError| Error::from(e))
}

/// Writes a widget's appearance streams; returns its new `/AP` dictionary.
fn write_appearance(
    update: &mut IncrementalUpdate,
    ap: &PendingAppearance,
    font: Option<ObjRef>,
) -> Result<Dict, Error> {
    let mut states = Dict::new();
    let mut single = None;
    for (state, frame, content) in &ap.states {
        let r = update.allocate()?;
        update.put(r, &form_xobject(frame, content, font)?)?;
        match state {
            Some(s) => states.set(s.clone(), r),
            None => single = Some(r),
        }
    }
    let mut out = Dict::new();
    match single {
        Some(r) => out.set("N", r),
        None => out.set("N", Object::Dict(states)),
    }
    Ok(out)
}

/// A form XObject with the frame's box and turn, the font as its only resource.
pub(crate) fn form_xobject(
    frame: &Frame,
    content: &[u8],
    font: Option<ObjRef>,
) -> Result<Object, Error> {
    let mut d = Dict::new();
    d.set("Type", Object::Name(Name::from("XObject")));
    d.set("Subtype", Object::Name(Name::from("Form")));
    d.set(
        "BBox",
        Object::Array(frame.bbox().iter().map(|v| Object::Real(*v)).collect()),
    );
    if let Some(m) = frame.matrix() {
        d.set(
            "Matrix",
            Object::Array(m.iter().map(|v| Object::Real(*v)).collect()),
        );
    }
    let mut resources = Dict::new();
    if let Some(f) = font {
        let mut fonts = Dict::new();
        fonts.set(FONT_RESOURCE, f);
        resources.set("Font", Object::Dict(fonts));
    }
    d.set("Resources", Object::Dict(resources));
    d.set("Filter", Object::Name(Name::from("FlateDecode")));
    Ok(Object::Stream(Stream {
        dict: d,
        data: StreamData::Memory(deflate(content)?),
    }))
}

pub(crate) fn deflate(data: &[u8]) -> Result<Vec<u8>, Error> {
    Ok(crate::pdf::incremental::deflate(
        data,
        flate2::Compression::default(),
    )?)
}

/// True when a signature field of revision `rev` holds a value (a signature).
fn holds_a_signature<S: Source>(doc: &Document<S>, rev: usize) -> Result<bool, Error> {
    Ok(crate::pdf::acroform::signature_fields(doc, rev)?
        .iter()
        .any(|f| f.value.is_some()))
}

/// Removes `/NeedAppearances` from the AcroForm when it is there: every filled field has its
/// appearance, and a viewer told to regenerate appearances would draw the values with the
/// form's default font, which seldom has Vietnamese letters. Only for a document nobody has
/// signed yet: once signed, clearing it would make viewers show the stored appearances of
/// the fields not filled now instead of drawing their values — a change of what the signer
/// saw, which the verifier refuses (`verify::diff`); so a signed form keeps the flag.
fn clear_need_appearances<S: Source>(
    doc: &Document<S>,
    begun: &mut update::Begun,
) -> Result<(), Error> {
    match begun.catalog.get(b"AcroForm") {
        Some(Object::Reference(r)) => {
            let r = *r;
            if let Some(Object::Dict(mut form)) = doc.get(begun.rev, r)? {
                if form.remove(b"NeedAppearances").is_some() {
                    begun.update.put(r, &Object::Dict(form))?;
                }
            }
        }
        Some(Object::Dict(form)) => {
            let mut form = form.clone();
            if form.remove(b"NeedAppearances").is_some() {
                let mut catalog = begun.catalog.clone();
                catalog.set("AcroForm", Object::Dict(form));
                begun
                    .update
                    .put(begun.catalog_ref, &Object::Dict(catalog))?;
            }
        }
        _ => {}
    }
    Ok(())
}
