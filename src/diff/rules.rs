//! The whitelist rules for one redefined object.

use std::collections::BTreeSet;

use crate::pdf::{acroform, Dict, ObjRef, Object, PdfError, Source};
use crate::report::ModificationLevel;

use super::compare::{changed_keys, same, same_entry};
use super::context::{Ctx, FieldFacts, SigKind};
use super::read::{written, Read, View};
use super::refs::{Referrer, Uses};
use super::values::value_text;

/// How one change was judged.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verdict {
    /// The level the change belongs to (`Other` = disallowed).
    pub level: ModificationLevel,
    /// The rule that judged it.
    pub rule: &'static str,
    /// What changed.
    pub description: String,
    /// The form field (existing before the change) that it concerns, for field locks.
    pub field: Option<String>,
    /// The field's value before and after the change, as text, when the change is on a
    /// field dictionary and the revision changed that field's value.
    pub values: Option<(String, String)>,
    /// True when the change adds a signature field whose widget is visible: not allowed
    /// after a certification signature (the "Sneaky Signature" attack).
    pub new_visible_signature_field: bool,
    /// True when such a new visible signature field holds no signature: its appearance
    /// shows content nobody signed (a warning on approval signatures).
    pub unsigned_visible_signature_field: bool,
}

impl Verdict {
    /// A change at `level`.
    pub fn new(
        level: ModificationLevel,
        rule: &'static str,
        description: impl Into<String>,
    ) -> Self {
        Verdict {
            level,
            rule,
            description: description.into(),
            field: None,
            values: None,
            new_visible_signature_field: false,
            unsigned_visible_signature_field: false,
        }
    }

    fn for_field(mut self, field: Option<String>) -> Self {
        self.field = field;
        self
    }

    /// A disallowed change.
    pub fn other(rule: &'static str, description: impl Into<String>) -> Self {
        Verdict::new(ModificationLevel::Other, rule, description)
    }

    fn ltv(rule: &'static str, description: impl Into<String>) -> Self {
        Verdict::new(ModificationLevel::LtvUpdates, rule, description)
    }

    fn is_other(&self) -> bool {
        self.level == ModificationLevel::Other
    }
}

/// Judges object `r` as defined by revision `ctx.rev`, against its version in `ctx.prev`.
/// `None`: nothing to report (a new object nothing old points to, or structure).
pub fn classify_redefinition<S: Source>(
    ctx: &mut Ctx<'_, S>,
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
        // New objects are judged where an allowed change starts pointing at them.
        (None, Some(_)) => return Ok(None),
        (Some(old), Some(new)) => (old, new),
    };
    if is_structure(new) && is_structure(old) {
        return Ok(None);
    }
    if same(ctx.doc, old, new) {
        return Ok(Some(Verdict::new(
            ModificationLevel::None,
            "unchanged",
            "rewritten with the same content",
        )));
    }
    if trailer_ref(ctx, b"Info") == Some(r) {
        return judge_info(ctx, r, new).map(Some);
    }
    let verdict = match (old, new) {
        (Object::Dict(od), Object::Dict(nd)) => judge_dict(ctx, r, od, nd)?,
        (Object::Array(oa), Object::Array(na)) => {
            if is_ltv_object(ctx, r)? {
                judge_ltv_object(ctx, r)?
            } else {
                judge_indirect_array(ctx, r, oa, na)?
            }
        }
        (Object::Stream(os), Object::Stream(ns)) => {
            if is_metadata(ctx.before(), &os.dict) {
                judge_metadata(ctx, r, &ns.dict)?
            } else if is_form_xobject(ctx.before(), &os.dict) {
                judge_appearance(ctx, r, &ns.dict)?
            } else {
                Verdict::other("content", "a stream was changed")
            }
        }
        _ => judge_plain_value(ctx, r, old, new)?,
    };
    Ok(Some(verdict))
}

/// A number, name, string or other plain value, or a change of type. An integer that some
/// stream uses as its `/Length` gets a message of its own: rewriting it moves where that
/// stream's data ends, changing signed content without touching the stream object.
fn judge_plain_value<S: Source>(
    ctx: &mut Ctx<'_, S>,
    r: ObjRef,
    old: &Object,
    new: &Object,
) -> Result<Verdict, PdfError> {
    if let Uses::Known(users) = ctx.uses(r)? {
        if let Some(u) = users
            .iter()
            .find(|u| u.path.last().map(Vec::as_slice) == Some(b"Length"))
        {
            return Ok(Verdict::other(
                "stream length",
                format!(
                    "{r} is the /Length of {}; rewriting it changes which bytes that stream \
                     holds",
                    u.describe()
                ),
            ));
        }
    }
    Ok(Verdict::other(
        "content",
        if old.kind() == new.kind() {
            format!("{} value changed", article(old.kind()))
        } else {
            format!(
                "{} was replaced by {}",
                article(old.kind()),
                article(new.kind())
            )
        },
    ))
}

fn article(kind: &str) -> String {
    match kind.as_bytes().first() {
        Some(b'a' | b'e' | b'i' | b'o' | b'u') => format!("an {kind}"),
        _ => format!("a {kind}"),
    }
}

fn judge_dict<S: Source>(
    ctx: &mut Ctx<'_, S>,
    r: ObjRef,
    od: &Dict,
    nd: &Dict,
) -> Result<Verdict, PdfError> {
    let before = ctx.before();
    // Keys no conforming viewer draws with may change, in any role (issue 19 §5).
    if let Some(v) = drawing_neutral_change(ctx, od, nd) {
        return Ok(v);
    }
    // Whatever role the rules give the dictionary, a viewer that draws from it (as a
    // resource dictionary, an appearance or icon dictionary) reads its keys as names of
    // what to draw: no change to it is harmless.
    if let Some(why) = drawn_use(ctx, r)? {
        return Ok(Verdict::other(
            "content",
            format!("a {} was changed, and {why}", describe(before, od)),
        ));
    }
    if trailer_ref(ctx, b"Root") == Some(r) || before.name_is(od, b"Type", b"Catalog") {
        return judge_catalog(ctx, od, nd);
    }
    if is_acroform(ctx, r) {
        return judge_acroform(ctx, od, nd);
    }
    if before.name_is(od, b"Type", b"Page") {
        return judge_changed_keys(ctx, od, nd, "page", &[b"Annots"]);
    }
    if let Some(field) = ctx.field_of(r)? {
        return if field.is_signature {
            judge_signature_field(ctx, r, od, nd, &field.name)
        } else {
            judge_form_field(ctx, od, nd, &field)
        };
    }
    // A dictionary with /FT /Sig that the form does not reach is not a signature field
    // (ISO 32000-2 §12.7.1: fields are what /Fields reaches): it is judged as what it is.
    if before.name_is(od, b"Subtype", b"Widget") {
        return match ctx.widget_field(r)? {
            Some(field) if !field.is_signature => judge_form_widget(ctx, od, nd, &field),
            field => judge_widget(ctx, r, od, nd, field.map(|f| f.name)),
        };
    }
    if is_markup(before, od) {
        return Ok(judge_markup(ctx, od, nd));
    }
    if is_signature_dict(before, od) {
        return Ok(Verdict::other(
            "signature",
            "an existing signature dictionary was changed",
        ));
    }
    if is_ltv_object(ctx, r)? {
        return judge_ltv_object(ctx, r);
    }
    if catalog_ref_to(ctx, b"Extensions", r) {
        return judge_extensions(ctx, r);
    }
    Ok(Verdict::other(
        "content",
        format!("a {} was changed", describe(before, od)),
    ))
}

/// `(/Type, /Subtypes, key, why)` of [`DRAWING_NEUTRAL_KEYS`].
type NeutralKey = (
    &'static [u8],
    &'static [&'static [u8]],
    &'static [u8],
    &'static str,
);

/// Keys that no conforming viewer uses for drawing, by the dictionary type they belong to:
/// `(/Type, /Subtypes, key, why)`. A change that touches only such keys of a dictionary that
/// is that type before and after (same `/Type`, same `/Subtype`) cannot change what a page
/// shows, whatever uses the dictionary; every other key stays as strict as the rules make it.
const DRAWING_NEUTRAL_KEYS: &[NeutralKey] = &[(
    b"Font",
    &[b"Type1", b"MMType1", b"TrueType", b"Type3"],
    b"Name",
    "a simple font's /Name is the name it had in a PDF 1.0 resource dictionary: obsolete \
     (ISO 32000-1 §9.6.2 Table 111: \"should not be used\"), deprecated in ISO 32000-2 \
     (§9.6.2.1, §9.6.4); content streams select fonts by their resource name, so no \
     conforming viewer draws with it (Adobe Acrobat drops it when it rewrites /DR fonts)",
)];

/// A change to `od` → `nd` that only touches [`DRAWING_NEUTRAL_KEYS`]: level none, with
/// the reason. `None` when any other key changed, or the type cannot be read on a side.
fn drawing_neutral_change<S: Source>(ctx: &Ctx<'_, S>, od: &Dict, nd: &Dict) -> Option<Verdict> {
    let (before, after) = (ctx.before(), ctx.after());
    let ty = before.name(od, b"Type").value()?;
    let subtype = before.name(od, b"Subtype").value()?;
    if after.name(nd, b"Type").value()? != ty || after.name(nd, b"Subtype").value()? != subtype {
        return None;
    }
    let changed = changed_keys(ctx.doc, od, nd);
    if changed.is_empty() {
        return None;
    }
    let mut reasons = Vec::new();
    for key in &changed {
        let (_, _, _, why) = DRAWING_NEUTRAL_KEYS.iter().find(|(t, subtypes, k, _)| {
            *t == ty.as_slice() && subtypes.contains(&subtype.as_slice()) && *k == key.as_slice()
        })?;
        reasons.push(format!("/{}: {why}", String::from_utf8_lossy(key)));
    }
    Some(Verdict::new(
        ModificationLevel::None,
        "drawing-neutral keys",
        format!(
            "a {} changed only keys no viewer draws with ({})",
            describe(before, od),
            reasons.join("; ")
        ),
    ))
}

/// Annotation subtypes that comment on the page rather than belong to it (ISO 32000-2
/// §12.5.6.2, markup annotations, and the pop-up windows that show their text). File
/// attachments, sounds and redactions are left out: they add content or remove it.
const MARKUP: &[&[u8]] = &[
    b"Text",
    b"FreeText",
    b"Line",
    b"Square",
    b"Circle",
    b"Polygon",
    b"PolyLine",
    b"Highlight",
    b"Underline",
    b"Squiggly",
    b"StrikeOut",
    b"Caret",
    b"Stamp",
    b"Ink",
    b"Popup",
];

/// A markup annotation (or a pop-up) by its `/Subtype`, read as `view` has it; one whose
/// `/Subtype` or `/Type` cannot be read is not one.
fn is_markup<S: Source>(view: View<'_, S>, d: &Dict) -> bool {
    let subtype = view.name(d, b"Subtype").value();
    let kind_ok = match view.name(d, b"Type") {
        Read::Absent => true,
        Read::Value(t) => t == b"Annot",
        Read::Bad => false,
    };
    subtype.is_some_and(|s| MARKUP.contains(&s.as_slice())) && kind_ok
}

/// Keys that make an annotation do something when it is clicked, shown or hidden
/// (ISO 32000-2 §12.6: `/A` an action, `/AA` additional actions such as JavaScript).
const ACTION_KEYS: &[&[u8]] = &[b"A", b"AA"];

/// Keys a signature field or its widget added after signing may have (ISO 32000-2 Tables
/// 166, 226, 229, 234, 235: what describes the field, places and draws its widget, and
/// holds or locks its signature). Actions (`/A`, `/AA`), optional content and anything
/// else are refused: they would add behaviour or content nobody signed.
const NEW_SIGNATURE_KEYS: &[&[u8]] = &[
    b"Type",
    b"Subtype",
    b"FT",
    b"T",
    b"TU",
    b"TM",
    b"Ff",
    b"V",
    b"Lock",
    b"SV",
    b"Parent",
    b"Kids",
    b"Rect",
    b"P",
    b"F",
    b"AP",
    b"AS",
    b"MK",
    b"DA",
    b"Q",
    b"Border",
    b"BS",
    b"C",
    b"NM",
    b"M",
    b"Contents",
    b"StructParent",
];

/// The first key of `d` that is not in `allowed`.
fn unexpected_key(d: &Dict, allowed: &[&[u8]]) -> Option<String> {
    d.iter()
        .map(|(k, _)| k.as_bytes())
        .find(|k| !allowed.contains(k))
        .map(|k| String::from_utf8_lossy(k).into_owned())
}

/// A markup annotation may change, keeping its subtype: level 3 (annotations).
fn judge_markup<S: Source>(ctx: &Ctx<'_, S>, od: &Dict, nd: &Dict) -> Verdict {
    if let Some(k) = ACTION_KEYS.iter().find(|k| !same_entry(ctx.doc, od, nd, k)) {
        return Verdict::other(
            "annotation",
            format!(
                "a markup annotation's action (/{}) was changed",
                String::from_utf8_lossy(k)
            ),
        );
    }
    let old_subtype = ctx.before().name(od, b"Subtype").value();
    let kept = old_subtype.is_some() && old_subtype == ctx.after().name(nd, b"Subtype").value();
    if !kept || !is_markup(ctx.after(), nd) {
        return Verdict::other(
            "annotation",
            "a markup annotation was turned into another kind of object",
        );
    }
    Verdict::new(
        ModificationLevel::Annotations,
        "annotation",
        format!(
            "a /{} annotation was changed",
            String::from_utf8_lossy(&old_subtype.unwrap_or_default())
        ),
    )
}

/// Keys form filling may change in a field dictionary (merged with its widget or not):
/// the value, the appearance and its state, and the field flags (only to make the field
/// read-only).
const FORM_FILL_KEYS: &[&[u8]] = &[b"V", b"AS", b"AP", b"Ff"];

/// Keys that say how a viewer draws a field from its value (ISO 32000-2 §12.7.4.3 `/DA`,
/// `/Q`, `/DS`, `/RV`; §12.5.6.19 `/MK`): they may change only together with the value, and
/// only when every widget of the field gets a new appearance stream in the same revision —
/// otherwise a viewer that draws the field from its value (no `/AP`, or `/NeedAppearances`)
/// shows the signed value differently (white, huge, moved).
const DRAWING_KEYS: &[&[u8]] = &[b"DA", b"Q", b"DS", b"RV", b"MK"];

/// A non-signature form field of the previous revision: its value may change unless it was
/// read-only; its appearance only together with its value, consistently (a button's state
/// is its value or `/Off`).
fn judge_form_field<S: Source>(
    ctx: &mut Ctx<'_, S>,
    od: &Dict,
    nd: &Dict,
    field: &FieldFacts,
) -> Result<Verdict, PdfError> {
    let mut verdict = judge_form_field_keys(ctx, od, nd, field)?;
    verdict.values = ctx
        .value_change(field)?
        .map(|(old, new)| (value_text(&old), value_text(&new)));
    Ok(verdict)
}

/// [`judge_form_field`] without the values.
fn judge_form_field_keys<S: Source>(
    ctx: &mut Ctx<'_, S>,
    od: &Dict,
    nd: &Dict,
    field: &FieldFacts,
) -> Result<Verdict, PdfError> {
    let name = &field.name;
    let value_changed = ctx.value_changed(field)?;
    for key in changed_keys(ctx.doc, od, nd) {
        let k = key.as_slice();
        let refused =
            |why: String| Ok(Verdict::other("form field", why).for_field(Some(name.clone())));
        if DRAWING_KEYS.contains(&k) {
            if let Some(why) = drawing_change_refused(ctx, field, value_changed)? {
                return refused(format!(
                    "field \"{name}\": /{} changed {why}",
                    String::from_utf8_lossy(k)
                ));
            }
            continue;
        }
        if !FORM_FILL_KEYS.contains(&k) {
            return refused(format!(
                "field \"{name}\": /{} changed, which filling in a form does not change",
                String::from_utf8_lossy(k)
            ));
        }
        match k {
            b"V" if field.flags & acroform::flags::READ_ONLY != 0 => {
                return refused(format!(
                    "field \"{name}\" is read-only, and its value was changed"
                ));
            }
            b"Ff" => {
                let (before, after) = (ctx.before().int(od, b"Ff"), ctx.after().int(nd, b"Ff"));
                let (Some(before), Some(after)) = (flag_bits(before), flag_bits(after)) else {
                    return refused(format!("field \"{name}\": /Ff is not an integer"));
                };
                let added = after & !before;
                let removed = before & !after;
                if removed != 0 || added & !i64::from(acroform::flags::READ_ONLY) != 0 {
                    return refused(format!(
                        "field \"{name}\": flags changed from {before} to {after} (only \
                         making a field read-only is form filling)"
                    ));
                }
            }
            b"AP" | b"AS" if !value_changed => {
                return refused(format!(
                    "field \"{name}\": its appearance changed although its value did not"
                ));
            }
            _ => {}
        }
    }
    if let Some(why) = inconsistent_state(ctx, field, nd)? {
        return Ok(Verdict::other("form field", why).for_field(Some(name.clone())));
    }
    Ok(Verdict::new(
        ModificationLevel::FormFilling,
        "form field",
        format!("field \"{name}\" was filled in"),
    )
    .for_field(Some(name.clone())))
}

/// Field flags as an integer: absent is 0, anything but an integer cannot be judged.
fn flag_bits(r: Read<i64>) -> Option<i64> {
    match r {
        Read::Absent => Some(0),
        Read::Value(v) => Some(v),
        Read::Bad => None,
    }
}

/// `None` when a drawing parameter of `field` (or of one of its widgets) may change in
/// this revision: its value changed, and every widget of the field got a new appearance
/// stream. Otherwise why not (completing "…/DA changed …").
fn drawing_change_refused<S: Source>(
    ctx: &mut Ctx<'_, S>,
    field: &FieldFacts,
    value_changed: bool,
) -> Result<Option<String>, PdfError> {
    if !value_changed {
        return Ok(Some(
            "although the field's value did not: a viewer that draws the field from its \
             value would show the signed value differently"
                .to_string(),
        ));
    }
    for w in ctx.widgets_of(field)? {
        if !ctx.appearance_renewed(w)? {
            return Ok(Some(format!(
                "without a new appearance for its widget {w}: a viewer would draw the new \
                 value with the changed parameters"
            )));
        }
    }
    Ok(None)
}

/// A widget of a non-signature field: its appearance and state only when the field's value
/// changed in this revision; its drawing parameters as [`drawing_change_refused`] allows.
fn judge_form_widget<S: Source>(
    ctx: &mut Ctx<'_, S>,
    od: &Dict,
    nd: &Dict,
    field: &FieldFacts,
) -> Result<Verdict, PdfError> {
    let name = &field.name;
    let value_changed = ctx.value_changed(field)?;
    for key in changed_keys(ctx.doc, od, nd) {
        let k = key.as_slice();
        let why = if DRAWING_KEYS.contains(&k) {
            drawing_change_refused(ctx, field, value_changed)?
        } else if matches!(k, b"AP" | b"AS") {
            (!value_changed).then(|| "although the field's value did not".to_string())
        } else {
            Some(String::new())
        };
        if let Some(why) = why {
            return Ok(Verdict::other(
                "form field",
                format!(
                    "a widget of field \"{name}\": /{} changed{}",
                    String::from_utf8_lossy(k),
                    if why.is_empty() {
                        String::new()
                    } else {
                        format!(" {why}")
                    }
                ),
            )
            .for_field(Some(name.clone())));
        }
    }
    if let Some(why) = inconsistent_state(ctx, field, nd)? {
        return Ok(Verdict::other("form field", why).for_field(Some(name.clone())));
    }
    Ok(Verdict::new(
        ModificationLevel::FormFilling,
        "form field",
        format!("the appearance of field \"{name}\" was redrawn for its new value"),
    )
    .for_field(Some(name.clone())))
}

/// For a button's widget: its appearance state must be `/Off` or the field's new value.
fn inconsistent_state<S: Source>(
    ctx: &mut Ctx<'_, S>,
    field: &FieldFacts,
    widget: &Dict,
) -> Result<Option<String>, PdfError> {
    if !field.is_button {
        return Ok(None);
    }
    let state = match ctx.after().name(widget, b"AS") {
        Read::Absent => return Ok(None),
        Read::Value(s) => s,
        Read::Bad => {
            return Ok(Some(format!(
                "field \"{}\": the widget's appearance state /AS is not a name",
                field.name
            )))
        }
    };
    if state == b"Off" {
        return Ok(None);
    }
    let value = match ctx.value_after(field)? {
        Some(Object::Name(n)) => Some(n),
        _ => None,
    };
    if value.as_ref().map(|n| n.as_bytes()) == Some(state.as_slice()) {
        return Ok(None);
    }
    Ok(Some(format!(
        "field \"{}\": the widget shows state /{} but the field's value is {}",
        field.name,
        String::from_utf8_lossy(&state),
        match value {
            Some(v) => format!("/{}", String::from_utf8_lossy(v.as_bytes())),
            None => "not that state".to_string(),
        }
    )))
}

/// Catalog: only `/AcroForm`, `/DSS`, `/Extensions`, `/Metadata` and `/Version` may differ.
fn judge_catalog<S: Source>(
    ctx: &mut Ctx<'_, S>,
    old: &Dict,
    new: &Dict,
) -> Result<Verdict, PdfError> {
    let mut level = ModificationLevel::None;
    for key in changed_keys(ctx.doc, old, new) {
        match key.as_slice() {
            b"AcroForm" => {
                // A direct AcroForm is judged here; an indirect one on its own object.
                let v = match (written(old, b"AcroForm"), written(new, b"AcroForm")) {
                    (Some(Object::Dict(o)), Some(Object::Dict(n))) => judge_acroform(ctx, o, n)?,
                    (None, n) => judge_new_acroform(ctx, n)?,
                    (Some(o), Some(n)) => {
                        // Now another object (or switched between direct and indirect):
                        // judge the new form against the old one.
                        let o = ctx.doc.resolve_dict(ctx.prev, o)?;
                        let n = ctx.doc.resolve_dict(ctx.rev, n)?;
                        match (o, n) {
                            (Some(o), Some(n)) => judge_acroform(ctx, &o, &n)?,
                            (None, _) => judge_new_acroform(ctx, written(new, b"AcroForm"))?,
                            (Some(_), None) => {
                                Verdict::other("catalog", "/AcroForm is not a dictionary")
                            }
                        }
                    }
                    (Some(_), None) => Verdict::other("catalog", "/AcroForm was removed"),
                };
                if v.is_other() {
                    return Ok(v);
                }
                level = level.max(v.level);
            }
            // Validation material, the declaration of extensions and the version: none of
            // them is displayed. The objects they point to are judged where they change.
            b"DSS" | b"Extensions" => level = level.max(ModificationLevel::LtvUpdates),
            b"Version" => {
                if ctx.after().name(new, b"Version").value().is_none() {
                    return Ok(Verdict::other("catalog", "/Version is not a name"));
                }
                level = level.max(ModificationLevel::LtvUpdates);
            }
            b"Metadata" => {
                let ok = match ctx.after().value(new, b"Metadata") {
                    Read::Value(Object::Stream(m)) => is_metadata(ctx.after(), &m.dict),
                    _ => false,
                };
                if !ok {
                    return Ok(Verdict::other(
                        "catalog",
                        "/Metadata does not point to an XML metadata stream",
                    ));
                }
                level = level.max(ModificationLevel::LtvUpdates);
            }
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
        "catalog updated for signatures, validation data or metadata",
    ))
}

/// The document information dictionary may be rewritten (editors update `/ModDate` and
/// `/Producer`; viewers do not display it as content), provided only the trailer uses it.
fn judge_info<S: Source>(
    ctx: &mut Ctx<'_, S>,
    r: ObjRef,
    new: &Object,
) -> Result<Verdict, PdfError> {
    if !matches!(new, Object::Dict(_)) {
        return Ok(Verdict::other(
            "metadata",
            "the document information dictionary was replaced by something else",
        ));
    }
    let uses = ctx.uses(r)?;
    if let Some(why) = unexpected_use(&uses, |u| u.holder.is_none() && u.path_is(&[b"Info"])) {
        return Ok(Verdict::other(
            "metadata",
            format!("the document information dictionary was changed, and {why}"),
        ));
    }
    Ok(Verdict::ltv(
        "metadata",
        "the document information dictionary was updated",
    ))
}

/// An XML metadata stream may be rewritten when it is used only as `/Metadata`.
fn judge_metadata<S: Source>(
    ctx: &mut Ctx<'_, S>,
    r: ObjRef,
    new: &Dict,
) -> Result<Verdict, PdfError> {
    if !is_metadata(ctx.after(), new) {
        return Ok(Verdict::other(
            "metadata",
            "a metadata stream was replaced by another kind of stream",
        ));
    }
    let uses = ctx.uses(r)?;
    if let Some(why) = unexpected_use(&uses, |u| u.path_is(&[b"Metadata"])) {
        return Ok(Verdict::other(
            "metadata",
            format!("a metadata stream was changed, and {why}"),
        ));
    }
    Ok(Verdict::ltv("metadata", "the XML metadata was updated"))
}

/// An appearance stream may be redrawn in place when every user is the appearance of: a
/// signature field this revision signs (form filling), a field whose value this revision
/// changed (form filling), or a markup annotation (annotations).
fn judge_appearance<S: Source>(
    ctx: &mut Ctx<'_, S>,
    r: ObjRef,
    new: &Dict,
) -> Result<Verdict, PdfError> {
    if !is_form_xobject(ctx.after(), new) {
        return Ok(Verdict::other(
            "appearance",
            "a form XObject was replaced by another kind of stream",
        ));
    }
    let Uses::Known(users) = ctx.uses(r)? else {
        return Ok(Verdict::other(
            "appearance",
            "a form XObject was changed, and an unreadable object may also use it",
        ));
    };
    if users.is_empty() {
        return Ok(Verdict::other(
            "appearance",
            "a form XObject that no annotation of the revision showed was changed",
        ));
    }
    let mut level = ModificationLevel::None;
    let mut field = None;
    for u in &users {
        match appearance_owner(ctx, u)? {
            Some(owner) => {
                level = level.max(owner.level);
                field = field.or(owner.field);
            }
            None => {
                return Ok(Verdict::other(
                    "appearance",
                    format!(
                        "a form XObject was changed, and it is used by {} (not only as the \
                         appearance of a field signed or filled in this revision, or of a \
                         markup annotation)",
                        u.describe()
                    ),
                ))
            }
        }
    }
    Ok(Verdict::new(
        level,
        "appearance",
        match level {
            ModificationLevel::Annotations => "the appearance of a markup annotation was redrawn",
            _ => "the appearance of a field signed or filled in this revision was redrawn",
        },
    )
    .for_field(field))
}

/// Whose appearance a use is, when it is one the rules allow to be redrawn.
struct Owner {
    level: ModificationLevel,
    field: Option<String>,
}

/// The annotation `holder` shows appearances (`/AP /N|/R|/D [/state]`): may they change?
fn annotation_owner<S: Source>(
    ctx: &mut Ctx<'_, S>,
    holder: ObjRef,
) -> Result<Option<Owner>, PdfError> {
    if ctx.is_newly_signed(holder)? {
        return Ok(Some(Owner {
            level: ModificationLevel::FormFilling,
            field: None,
        }));
    }
    if let Some(f) = ctx.widget_field(holder)? {
        if !f.is_signature && ctx.value_changed(&f)? {
            return Ok(Some(Owner {
                level: ModificationLevel::FormFilling,
                field: Some(f.name),
            }));
        }
        return Ok(None);
    }
    let markup = match ctx.doc.get(ctx.prev, holder)? {
        Some(Object::Dict(d)) => is_markup(ctx.before(), &d),
        _ => false,
    };
    Ok(markup.then_some(Owner {
        level: ModificationLevel::Annotations,
        field: None,
    }))
}

/// `u` is `/AP /N|/R|/D [/state]` of an annotation whose appearance may change, or an entry
/// of an appearance dictionary used only as `/AP` of such annotations.
fn appearance_owner<S: Source>(
    ctx: &mut Ctx<'_, S>,
    u: &Referrer,
) -> Result<Option<Owner>, PdfError> {
    let Some(holder) = u.holder else {
        return Ok(None);
    };
    let is_state =
        |k: Option<&Vec<u8>>| k.is_some_and(|k| matches!(k.as_slice(), b"N" | b"R" | b"D"));
    if u.first_key() == Some(b"AP") && (2..=3).contains(&u.path.len()) && is_state(u.path.get(1)) {
        return annotation_owner(ctx, holder);
    }
    if (1..=2).contains(&u.path.len()) && is_state(u.path.first()) {
        // `holder` is an indirect appearance dictionary: who uses it?
        let Uses::Known(users) = ctx.uses(holder)? else {
            return Ok(None);
        };
        if users.is_empty() {
            return Ok(None);
        }
        let mut out: Option<Owner> = None;
        for w in &users {
            let owner = match w.holder {
                Some(annot) if w.path_is(&[b"AP"]) => annotation_owner(ctx, annot)?,
                _ => None,
            };
            let Some(owner) = owner else {
                return Ok(None);
            };
            out = Some(match out {
                None => owner,
                Some(o) => Owner {
                    level: o.level.max(owner.level),
                    field: o.field.or(owner.field),
                },
            });
        }
        return Ok(out);
    }
    Ok(None)
}

fn is_ltv_object<S: Source>(ctx: &mut Ctx<'_, S>, r: ObjRef) -> Result<bool, PdfError> {
    let (before, after) = ctx.ltv_membership(r)?;
    Ok(before || after)
}

/// How many store objects may stand between a changed store object and the catalog.
const LTV_USER_DEPTH: usize = 4;

/// Objects of the document security store may be rewritten when they serve only the store:
/// every user, in the previous revision, is the catalog's `/DSS` or a store object that
/// itself serves only the store.
fn judge_ltv_object<S: Source>(ctx: &mut Ctx<'_, S>, r: ObjRef) -> Result<Verdict, PdfError> {
    match only_ltv_uses(ctx, r, 0)? {
        None => Ok(Verdict::ltv(
            "dss",
            "the document security store was updated",
        )),
        Some(why) => Ok(Verdict::other(
            "dss",
            format!("an object of the document security store was changed, and {why}"),
        )),
    }
}

/// `None` when every use of `r` in `prev` belongs to the document security store.
fn only_ltv_uses<S: Source>(
    ctx: &mut Ctx<'_, S>,
    r: ObjRef,
    depth: usize,
) -> Result<Option<String>, PdfError> {
    let catalog = trailer_ref(ctx, b"Root");
    let users = match ctx.uses(r)? {
        Uses::Known(users) => users,
        Uses::Unknown(o) => {
            return Ok(Some(format!(
                "object {o} could not be read to exclude other uses"
            )))
        }
    };
    for u in &users {
        let Some(h) = u.holder else {
            return Ok(Some(format!("it is also used by {}", u.describe())));
        };
        if h == r || (Some(h) == catalog && u.path_is(&[b"DSS"])) {
            continue;
        }
        let (in_store, _) = ctx.ltv_membership(h)?;
        if !in_store || depth >= LTV_USER_DEPTH {
            return Ok(Some(format!("it is also used by {}", u.describe())));
        }
        if let Some(why) = only_ltv_uses(ctx, h, depth + 1)? {
            return Ok(Some(why));
        }
    }
    Ok(None)
}

/// An indirect `/Extensions` dictionary may be rewritten when only the catalog uses it.
fn judge_extensions<S: Source>(ctx: &mut Ctx<'_, S>, r: ObjRef) -> Result<Verdict, PdfError> {
    let catalog = trailer_ref(ctx, b"Root");
    let uses = ctx.uses(r)?;
    if let Some(why) = unexpected_use(&uses, |u| {
        u.holder.is_some() && u.holder == catalog && u.path_is(&[b"Extensions"])
    }) {
        return Ok(Verdict::other(
            "extensions",
            format!("the extensions dictionary was changed, and {why}"),
        ));
    }
    Ok(Verdict::ltv(
        "extensions",
        "the declaration of developer extensions was updated",
    ))
}

/// A signature field: one without a value may receive its signature in this revision
/// (value, appearance, annotation flags); a signed one may not change at all.
fn judge_signature_field<S: Source>(
    ctx: &mut Ctx<'_, S>,
    r: ObjRef,
    od: &Dict,
    nd: &Dict,
    name: &str,
) -> Result<Verdict, PdfError> {
    let field = Some(name.to_string());
    // A value that cannot be read counts as a value: the field may then not change.
    let had_value = !matches!(ctx.before().value(od, b"V"), Read::Absent);
    if had_value {
        if !same_entry(ctx.doc, od, nd, b"V") {
            return Ok(Verdict::other(
                "signature field",
                format!("the value of the signed signature field \"{name}\" was replaced"),
            )
            .for_field(field));
        }
        let keys = changed_keys(ctx.doc, od, nd);
        return Ok(Verdict::other(
            "signature field",
            format!(
                "the signed signature field \"{name}\" was changed: {}",
                keys_list(&keys)
            ),
        )
        .for_field(field));
    }
    if !ctx.is_newly_signed(r)? {
        return Ok(Verdict::other(
            "signature field",
            format!(
                "the empty signature field \"{name}\" was changed without being signed: {}",
                keys_list(&changed_keys(ctx.doc, od, nd))
            ),
        )
        .for_field(field));
    }
    let v = judge_changed_keys(ctx, od, nd, "signature field", &[b"V", b"AP", b"AS", b"F"])?;
    Ok(became_visible(ctx, od, nd, v).for_field(field))
}

/// A widget of a signature field that this revision signs may get its appearance and
/// annotation flags.
fn judge_widget<S: Source>(
    ctx: &mut Ctx<'_, S>,
    r: ObjRef,
    od: &Dict,
    nd: &Dict,
    field: Option<String>,
) -> Result<Verdict, PdfError> {
    if !ctx.is_newly_signed(r)? {
        return Ok(Verdict::other(
            "widget",
            format!(
                "a widget annotation was changed: {}",
                keys_list(&changed_keys(ctx.doc, od, nd))
            ),
        )
        .for_field(field));
    }
    let v = judge_changed_keys(ctx, od, nd, "widget", &[b"AP", b"AS", b"F"])?;
    Ok(became_visible(ctx, od, nd, v).for_field(field))
}

/// Keys a first AcroForm added after signing may have. Anything else (`/XFA` above all,
/// which some viewers draw instead of the pages) is not allowed.
const NEW_ACROFORM_KEYS: &[&[u8]] = &[b"Fields", b"SigFlags", b"DA", b"DR", b"Q"];

/// A first AcroForm added after signing may list only signature fields.
fn judge_new_acroform<S: Source>(
    ctx: &mut Ctx<'_, S>,
    value: Option<&Object>,
) -> Result<Verdict, PdfError> {
    let after = ctx.after();
    let Some(form) = value.and_then(|v| after.dict_of(v)) else {
        return Ok(Verdict::other(
            "acroform",
            "the new /AcroForm is not a dictionary",
        ));
    };
    if let Some((k, _)) = form
        .iter()
        .find(|(k, _)| !NEW_ACROFORM_KEYS.contains(&k.as_bytes()))
    {
        return Ok(Verdict::other(
            "acroform",
            format!(
                "the new /AcroForm has /{}, which adding signature fields does not need",
                String::from_utf8_lossy(k.as_bytes())
            ),
        ));
    }
    let fields = match after.elements(&form, b"Fields") {
        Read::Value(a) => a,
        Read::Absent => Vec::new(),
        Read::Bad => return Ok(Verdict::other("acroform", "/Fields is not an array")),
    };
    judge_array_change(ctx, ArrayRole::Fields, &[], &fields)
}

/// `/NeedAppearances` as a viewer takes it: true, or a value that cannot be read (which
/// some viewer may take as true).
fn needs_appearances<S: Source>(view: View<'_, S>, form: &Dict) -> bool {
    !matches!(
        view.boolean(form, b"NeedAppearances"),
        Read::Absent | Read::Value(false)
    )
}

/// Keys of the interactive form dictionary that say how fields are drawn from their values
/// (ISO 32000-2 §12.7.3: `/DA`, `/DR`, `/Q` are defaults every field without its own
/// inherits).
const FORM_DRAWING_KEYS: &[&[u8]] = &[b"DA", b"DR", b"Q"];

/// The interactive form dictionary: `/Fields` may gain signature fields; `/SigFlags` may
/// change; the form's drawing defaults (`/DA`, `/DR`, `/Q`) only as
/// [`Ctx::form_drawing_refused`] allows; `/NeedAppearances` may not be set (it makes viewers
/// redraw every field from its value, showing what the signer did not see) and may be
/// cleared only as [`Ctx::clearing_need_appearances_refused`] allows.
fn judge_acroform<S: Source>(
    ctx: &mut Ctx<'_, S>,
    old: &Dict,
    new: &Dict,
) -> Result<Verdict, PdfError> {
    let need_before = needs_appearances(ctx.before(), old);
    let need_after = needs_appearances(ctx.after(), new);
    if !same_entry(ctx.doc, old, new, b"NeedAppearances") {
        let bad =
            |view: View<'_, S>, d: &Dict| matches!(view.boolean(d, b"NeedAppearances"), Read::Bad);
        if bad(ctx.before(), old) || bad(ctx.after(), new) {
            return Ok(Verdict::other(
                "acroform",
                "/NeedAppearances was changed to or from a value that is not a boolean: \
                 viewers disagree on whether it tells them to redraw the fields",
            ));
        }
    }
    if need_after && !need_before {
        return Ok(Verdict::other(
            "acroform",
            "/NeedAppearances was set: viewers would redraw every field from its value",
        ));
    }
    if need_before && !need_after {
        if let Some(why) = ctx.clearing_need_appearances_refused()? {
            return Ok(Verdict::other(
                "acroform",
                format!("/NeedAppearances was cleared, and {why}"),
            ));
        }
    }
    let mut old = old.clone();
    let mut new = new.clone();
    let mut drawing_changed = false;
    for key in FORM_DRAWING_KEYS {
        if !same_entry(ctx.doc, &old, &new, key) {
            drawing_changed = true;
            if let Some(why) = ctx.form_drawing_refused(need_after)? {
                return Ok(Verdict::other(
                    "acroform",
                    format!(
                        "the form's default /{} changed, and {why}",
                        String::from_utf8_lossy(key)
                    ),
                ));
            }
        }
        old.remove(key);
        new.remove(key);
    }
    old.remove(b"NeedAppearances");
    new.remove(b"NeedAppearances");
    let mut v = judge_changed_keys(ctx, &old, &new, "acroform", &[b"Fields", b"SigFlags"])?;
    if drawing_changed && !v.is_other() {
        // Not drawn, but a change to the form all the same: P1 does not allow it.
        v.level = v.level.max(ModificationLevel::FormFilling);
        v.description = format!(
            "{}; the form's drawing defaults changed (no widget is drawn with them)",
            v.description
        );
    }
    Ok(v)
}

/// What an array of references is used as, which decides what may be added or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum ArrayRole {
    /// `/Fields` of the form: signature fields may be added.
    Fields,
    /// A field's `/Kids`: signature fields and their widgets may be added.
    Kids,
    /// A page's `/Annots`: signature widgets may be added, markup annotations added or
    /// removed.
    Annots,
}

impl ArrayRole {
    fn of_key(key: &[u8]) -> Option<Self> {
        match key {
            b"Fields" => Some(ArrayRole::Fields),
            b"Kids" => Some(ArrayRole::Kids),
            b"Annots" => Some(ArrayRole::Annots),
            _ => None,
        }
    }
}

/// An indirect array used as `/Annots`, `/Fields` or `/Kids` (and as nothing else) may
/// change as [`judge_array_change`] allows for that use.
fn judge_indirect_array<S: Source>(
    ctx: &mut Ctx<'_, S>,
    r: ObjRef,
    old: &[Object],
    new: &[Object],
) -> Result<Verdict, PdfError> {
    let users = match ctx.uses(r)? {
        Uses::Known(users) => users,
        Uses::Unknown(o) => {
            return Ok(Verdict::other(
                "array",
                format!(
                    "an array was changed, and object {o} could not be read to exclude other uses"
                ),
            ))
        }
    };
    let mut roles = BTreeSet::new();
    for u in &users {
        match array_role_of_use(ctx, u)? {
            Some(role) => {
                roles.insert(role);
            }
            None => {
                return Ok(Verdict::other(
                    "array",
                    format!(
                        "an array was changed, and it is also used by {}",
                        u.describe()
                    ),
                ))
            }
        }
    }
    let mut roles = roles.into_iter();
    let (Some(role), None) = (roles.next(), roles.next()) else {
        return Ok(Verdict::other(
            "array",
            "an array that serves several purposes (or none) was changed",
        ));
    };
    judge_array_change(ctx, role, old, new)
}

/// The role of an array in the place `u` refers to it from, when that place is one of the
/// three the rules know, held by what it must be held by: `/Annots` of a page, `/Fields` of
/// the interactive form, `/Kids` of a form field. (`/Kids` of the page tree or of a name
/// tree is something else entirely: a page added there is page content.)
fn array_role_of_use<S: Source>(
    ctx: &mut Ctx<'_, S>,
    u: &Referrer,
) -> Result<Option<ArrayRole>, PdfError> {
    let Some(holder) = u.holder else {
        return Ok(None);
    };
    let held = |keys: &[&[u8]]| u.path_is(keys);
    let role = if held(&[b"Annots"]) {
        let page = match ctx.doc.get(ctx.prev, holder)? {
            Some(Object::Dict(d)) => ctx.before().name_is(&d, b"Type", b"Page"),
            _ => false,
        };
        page.then_some(ArrayRole::Annots)
    } else if held(&[b"Fields"]) {
        is_acroform(ctx, holder).then_some(ArrayRole::Fields)
    } else if held(&[b"AcroForm", b"Fields"]) {
        (trailer_ref(ctx, b"Root") == Some(holder)).then_some(ArrayRole::Fields)
    } else if held(&[b"Kids"]) {
        ctx.is_field_node(holder)?.then_some(ArrayRole::Kids)
    } else {
        None
    };
    Ok(role)
}

/// Only `allowed` keys may differ; arrays among them (`/Fields`, `/Annots`, `/Kids`) may
/// change as their role allows.
fn judge_changed_keys<S: Source>(
    ctx: &mut Ctx<'_, S>,
    old: &Dict,
    new: &Dict,
    rule: &'static str,
    allowed: &[&[u8]],
) -> Result<Verdict, PdfError> {
    let (before, after) = (ctx.before(), ctx.after());
    let mut level = ModificationLevel::None;
    let mut sneaky = false;
    let mut unsigned = false;
    let mut description = None;
    for key in changed_keys(ctx.doc, old, new) {
        if !allowed.contains(&key.as_slice()) {
            return Ok(Verdict::other(
                rule,
                format!("/{} changed", String::from_utf8_lossy(&key)),
            ));
        }
        if key.as_slice() == b"V" {
            let is_sig = match after.value(new, b"V") {
                Read::Value(Object::Dict(d)) => is_signature_dict(after, &d),
                _ => false,
            };
            if !is_sig {
                return Ok(Verdict::other(
                    rule,
                    "the new value of a signature field is not a signature dictionary",
                ));
            }
        }
        let v = match ArrayRole::of_key(&key) {
            Some(role) => {
                // Direct or indirect, switched between them or not: the new array is
                // judged whole against the old one. An old value that is not an array
                // counts as empty (every element is then judged as added).
                let old_items = before.elements(old, &key).value().unwrap_or_default();
                let new_items = match after.elements(new, &key) {
                    Read::Value(items) => items,
                    Read::Absent => Vec::new(),
                    Read::Bad => {
                        return Ok(Verdict::other(
                            rule,
                            format!("/{} is not an array", String::from_utf8_lossy(&key)),
                        ))
                    }
                };
                Some(judge_array_change(ctx, role, &old_items, &new_items)?)
            }
            None => None,
        };
        match v {
            Some(v) => {
                if v.is_other() {
                    return Ok(v);
                }
                level = level.max(v.level);
                sneaky |= v.new_visible_signature_field;
                unsigned |= v.unsigned_visible_signature_field;
                description = Some(v.description);
            }
            None => level = level.max(ModificationLevel::FormFilling),
        }
    }
    let mut v = Verdict::new(
        level,
        rule,
        description.unwrap_or_else(|| match level {
            ModificationLevel::None => "updated; no change that a viewer shows".to_string(),
            ModificationLevel::LtvUpdates => "updated for validation data".to_string(),
            _ => "updated for a signature".to_string(),
        }),
    );
    v.new_visible_signature_field = sneaky;
    v.unsigned_visible_signature_field = unsigned;
    Ok(v)
}

/// An array of references compared with its previous version: every earlier element stays,
/// in order, except markup annotations removed from `/Annots`. Added elements must be, for
/// `/Fields` and `/Kids`, signature fields (or their widgets) that the form of this revision
/// reaches; for `/Annots`, widget annotations (`/Subtype /Widget`) of such fields, or
/// markup annotations. A dictionary that merely carries `/FT /Sig` is none of these.
fn judge_array_change<S: Source>(
    ctx: &mut Ctx<'_, S>,
    role: ArrayRole,
    old: &[Object],
    new: &[Object],
) -> Result<Verdict, PdfError> {
    let (before, after) = (ctx.before(), ctx.after());
    // An object listed twice is drawn (or counted) twice: not something signing does.
    let mut listed = BTreeSet::new();
    if let Some(r) = new
        .iter()
        .filter_map(Object::as_ref)
        .find(|r| !listed.insert(*r))
    {
        if old.iter().filter(|o| o.as_ref() == Some(r)).count() < 2 {
            return Ok(Verdict::other(
                "array",
                format!("{r} is now listed twice in the same array"),
            ));
        }
    }
    let mut added: Vec<&Object> = Vec::new();
    let mut removed: Vec<&Object> = Vec::new();
    let mut next = 0usize;
    for o in old {
        let rest = new.get(next..).unwrap_or_default();
        match rest.iter().position(|n| same(ctx.doc, o, n)) {
            Some(k) => {
                added.extend(rest.iter().take(k));
                next += k + 1;
            }
            None => removed.push(o),
        }
    }
    added.extend(new.get(next..).unwrap_or_default());

    let mut level = ModificationLevel::None;
    let mut what: Vec<String> = Vec::new();
    for o in removed {
        let markup = match (role, o.as_ref()) {
            (ArrayRole::Annots, Some(r)) => match ctx.doc.get(ctx.prev, r)? {
                Some(Object::Dict(d)) => is_markup(before, &d),
                _ => false,
            },
            _ => false,
        };
        if !markup {
            return Ok(Verdict::other(
                "array",
                "an element present before was removed or reordered",
            ));
        }
        level = level.max(ModificationLevel::Annotations);
        what.push("markup annotation removed".to_string());
    }
    // Document timestamps are validation material; any other signature is form filling.
    let mut sneaky = false;
    let mut unsigned = false;
    for a in added {
        let Some(r) = a.as_ref() else {
            return Ok(Verdict::other("array", "a direct element was added"));
        };
        let target = match ctx.doc.get(ctx.rev, r)? {
            Some(Object::Dict(d)) => Some(d),
            _ => None,
        };
        let widget = target
            .as_ref()
            .is_some_and(|d| after.name_is(d, b"Subtype", b"Widget"));
        let kind = match ctx.signature_object(r)? {
            Some(_) if role == ArrayRole::Annots && !widget => None,
            kind => kind,
        };
        match (kind, &target) {
            (Some(kind), Some(d)) => {
                if let Some(k) = unexpected_key(d, NEW_SIGNATURE_KEYS) {
                    return Ok(Verdict::other(
                        "signature field",
                        format!(
                            "the new signature field or widget {r} has /{k}, which a signature \
                             field does not need (actions and other behaviour are not signed \
                             by anyone)"
                        ),
                    ));
                }
                level = level.max(match kind {
                    SigKind::Timestamp => ModificationLevel::LtvUpdates,
                    SigKind::Signature => ModificationLevel::FormFilling,
                });
                let new_field = !ctx.existed_as_signature_object(r)?;
                if new_field {
                    if let Some(v) = written(d, b"V").and_then(Object::as_ref) {
                        if ctx.doc.lookup(ctx.prev, v).is_some_and(|e| e.is_in_use()) {
                            return Ok(Verdict::other(
                                "signature field",
                                format!(
                                    "the new signature field {r} takes the existing signature \
                                     dictionary {v} as its value: one signature shown by two fields"
                                ),
                            ));
                        }
                    }
                }
                let visible = match role {
                    ArrayRole::Annots => after.shown(d),
                    ArrayRole::Fields | ArrayRole::Kids => is_visible(after, d),
                };
                if new_field && visible {
                    sneaky = true;
                    if ctx.is_unsigned_signature_object(r)? {
                        unsigned = true;
                        what.push(format!("visible signature field {r} added, not signed"));
                    } else {
                        what.push(format!("visible signature field {r} added"));
                    }
                } else {
                    what.push("signature field or widget added".to_string());
                }
            }
            (None, Some(d)) if role == ArrayRole::Annots && is_markup(after, d) => {
                if let Some(k) = ACTION_KEYS.iter().find(|k| written(d, k).is_some()) {
                    return Ok(Verdict::other(
                        "annotation",
                        format!(
                            "the new annotation {r} has an action (/{})",
                            String::from_utf8_lossy(k)
                        ),
                    ));
                }
                level = level.max(ModificationLevel::Annotations);
                what.push(format!(
                    "/{} annotation {r} added",
                    String::from_utf8_lossy(&after.name(d, b"Subtype").value().unwrap_or_default())
                ));
            }
            _ => {
                return Ok(Verdict::other(
                    "array",
                    format!(
                        "{r} was added, and it is not {}",
                        match role {
                            ArrayRole::Annots =>
                                "the widget of a signature field in the form, or a markup \
                                 annotation",
                            ArrayRole::Fields | ArrayRole::Kids =>
                                "a signature field in the form (or its widget)",
                        }
                    ),
                ))
            }
        }
    }
    what.dedup();
    let mut v = Verdict::new(
        level,
        if level == ModificationLevel::Annotations {
            "annotation"
        } else {
            "array"
        },
        if what.is_empty() {
            "unchanged elements".to_string()
        } else {
            what.join("; ")
        },
    );
    v.new_visible_signature_field = sneaky;
    v.unsigned_visible_signature_field = unsigned;
    Ok(v)
}

/// A field (or a field merged with its widget) that a viewer shows: one of its `/Kids`, or
/// the dictionary itself when it has none, is an annotation a viewer may draw
/// ([`View::shown`]). Kids that cannot be read count as shown.
fn is_visible<S: Source>(view: View<'_, S>, d: &Dict) -> bool {
    match view.array(d, b"Kids") {
        // Merged with its widget (or no widget at all, which draws nothing only if it is on
        // no page: counted as shown all the same).
        Read::Absent => view.shown(d),
        Read::Bad => true,
        Read::Value(kids) => kids.iter().any(|k| match k {
            Object::Dict(k) => view.shown(k),
            _ => true,
        }),
    }
}

/// A signature widget that the previous revision did not draw and this one does: the signer
/// of a prepared invisible field made it visible, which after a certification is the same
/// trick as adding a visible field.
fn became_visible<S: Source>(ctx: &Ctx<'_, S>, old: &Dict, new: &Dict, mut v: Verdict) -> Verdict {
    if !v.is_other() && !ctx.before().shown(old) && ctx.after().shown(new) {
        v.new_visible_signature_field = true;
        v.description = format!("{}; its widget was hidden and is now shown", v.description);
    }
    v
}

/// Keys under which a dictionary is drawn from rather than described: resource
/// dictionaries (whose keys name what content streams draw, ISO 32000-2 §7.8.3), the form's
/// default resources, appearance and appearance-characteristics dictionaries, optional
/// content, page contents.
const DRAWN_VIA: &[&[u8]] = &[
    b"Resources",
    b"XObject",
    b"Font",
    b"ExtGState",
    b"ColorSpace",
    b"Pattern",
    b"Shading",
    b"Properties",
    b"DR",
    b"AP",
    b"MK",
    b"OC",
    b"OCProperties",
    b"Contents",
];

/// Why object `r` is (or may be) drawn from in the previous revision: a use whose path
/// passes through one of [`DRAWN_VIA`], or a referrer that cannot be read. `None` when it
/// is not.
fn drawn_use<S: Source>(ctx: &mut Ctx<'_, S>, r: ObjRef) -> Result<Option<String>, PdfError> {
    Ok(match ctx.uses(r)? {
        Uses::Unknown(o) => Some(format!(
            "object {o} could not be read to exclude that it draws from it"
        )),
        Uses::Known(users) => users
            .iter()
            .find(|u| u.path.iter().any(|k| DRAWN_VIA.contains(&k.as_slice())))
            .map(|u| format!("{} draws from it", u.describe())),
    })
}

/// `None` when every use satisfies `expected`; otherwise why not, for a message.
fn unexpected_use(uses: &Uses, expected: impl Fn(&Referrer) -> bool) -> Option<String> {
    match uses {
        Uses::Unknown(r) => Some(format!(
            "object {r} could not be read to exclude other uses"
        )),
        Uses::Known(users) => users
            .iter()
            .find(|u| !expected(u))
            .map(|u| format!("it is also used by {}", u.describe())),
    }
}

fn trailer_ref<S: Source>(ctx: &Ctx<'_, S>, key: &[u8]) -> Option<ObjRef> {
    ctx.doc
        .trailer(ctx.prev)
        .and_then(|t| written(t, key))
        .and_then(Object::as_ref)
}

/// True when the catalog of `prev` or of `rev` points to `r` with `key`.
fn catalog_ref_to<S: Source>(ctx: &Ctx<'_, S>, key: &[u8], r: ObjRef) -> bool {
    [ctx.prev, ctx.rev].iter().any(|&rev| {
        ctx.doc
            .catalog(rev)
            .ok()
            .and_then(|c| written(&c, key).and_then(Object::as_ref))
            == Some(r)
    })
}

/// A signature dictionary (ISO 32000-2 §12.8.1): `/Type /Sig` or `/DocTimeStamp`, or the
/// two keys every signature has.
fn is_signature_dict<S: Source>(view: View<'_, S>, d: &Dict) -> bool {
    view.name_is(d, b"Type", b"Sig")
        || view.name_is(d, b"Type", b"DocTimeStamp")
        || (written(d, b"ByteRange").is_some() && written(d, b"Contents").is_some())
}

fn is_metadata<S: Source>(view: View<'_, S>, d: &Dict) -> bool {
    view.name_is(d, b"Type", b"Metadata") && view.name_is(d, b"Subtype", b"XML")
}

fn is_form_xobject<S: Source>(view: View<'_, S>, d: &Dict) -> bool {
    view.name_is(d, b"Subtype", b"Form")
        && match view.name(d, b"Type") {
            Read::Absent => true,
            Read::Value(t) => t == b"XObject",
            Read::Bad => false,
        }
}

fn is_acroform<S: Source>(ctx: &Ctx<'_, S>, r: ObjRef) -> bool {
    ctx.doc
        .catalog(ctx.prev)
        .ok()
        .and_then(|c| written(&c, b"AcroForm").and_then(Object::as_ref))
        == Some(r)
}

/// Cross-reference and object streams: structure, not content (their dictionaries are
/// checked against the bytes by the structure checks).
fn is_structure(o: &Object) -> bool {
    match o {
        Object::Stream(s) => matches!(
            written(&s.dict, b"Type"),
            Some(Object::Name(n)) if matches!(n.as_bytes(), b"XRef" | b"ObjStm")
        ),
        _ => false,
    }
}

fn describe<S: Source>(view: View<'_, S>, d: &Dict) -> String {
    let name = |k: &[u8]| view.name(d, k).value();
    match (name(b"Type"), name(b"Subtype")) {
        (Some(t), Some(s)) => format!(
            "/{} /{} dictionary",
            String::from_utf8_lossy(&t),
            String::from_utf8_lossy(&s)
        ),
        (Some(t), None) => format!("/{} dictionary", String::from_utf8_lossy(&t)),
        _ => "dictionary".to_string(),
    }
}

fn keys_list(keys: &[Vec<u8>]) -> String {
    let names: Vec<String> = keys
        .iter()
        .map(|k| format!("/{}", String::from_utf8_lossy(k)))
        .collect();
    if names.is_empty() {
        "no key differs".to_string()
    } else {
        names.join(", ")
    }
}
