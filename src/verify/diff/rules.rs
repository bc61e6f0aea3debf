//! The whitelist rules for one redefined object.

use std::collections::BTreeSet;

use crate::pdf::{acroform, Dict, ObjRef, Object, PdfError, Source, StreamData};
use crate::report::ModificationLevel;

use super::context::{Ctx, FieldFacts, SigKind};
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
    if same(ctx, old, new) {
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
            if is_metadata(&os.dict) {
                judge_metadata(ctx, r, &ns.dict)?
            } else if is_form_xobject(&os.dict) {
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
    if trailer_ref(ctx, b"Root") == Some(r) || od.is_type(b"Catalog") {
        return judge_catalog(ctx, od, nd);
    }
    if is_acroform(ctx, r) {
        return judge_acroform(ctx, od, nd);
    }
    if od.is_type(b"Page") {
        return judge_changed_keys(ctx, od, nd, "page", &[b"Annots"]);
    }
    if let Some(field) = ctx.field_of(r)? {
        return if field.is_signature {
            judge_signature_field(ctx, r, od, nd, &field.name)
        } else {
            judge_form_field(ctx, od, nd, &field)
        };
    }
    if od.get_name(b"FT") == Some(b"Sig") {
        return judge_signature_field(ctx, r, od, nd, "(not in the form)");
    }
    if od.get_name(b"Subtype") == Some(b"Widget") {
        return match ctx.widget_field(r)? {
            Some(field) if !field.is_signature => judge_form_widget(ctx, od, nd, &field),
            field => judge_widget(ctx, r, od, nd, field.map(|f| f.name)),
        };
    }
    if is_markup(od) {
        return Ok(judge_markup(od, nd));
    }
    if is_signature_dict(od) {
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
        format!("a {} was changed", describe(od)),
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

/// A markup annotation (or a pop-up) by its `/Subtype`.
pub fn is_markup(d: &Dict) -> bool {
    d.get_name(b"Subtype").is_some_and(|s| MARKUP.contains(&s))
        && d.get_name(b"Type").is_none_or(|t| t == b"Annot")
}

/// A markup annotation may change, keeping its subtype: level 3 (annotations).
fn judge_markup(od: &Dict, nd: &Dict) -> Verdict {
    if od.get_name(b"Subtype") != nd.get_name(b"Subtype") || !is_markup(nd) {
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
            String::from_utf8_lossy(od.get_name(b"Subtype").unwrap_or_default())
        ),
    )
}

/// Keys form filling may change in a field dictionary (merged with its widget or not):
/// the value, the appearance and its state, the default appearance and quadding used to
/// draw it, and the field flags (only to make the field read-only).
const FORM_FILL_KEYS: &[&[u8]] = &[b"V", b"AS", b"AP", b"DA", b"Q", b"Ff"];

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
        .value_change(&field.name)?
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
    let value_changed = ctx.value_changed(name)?;
    for key in changed_keys(ctx, od, nd) {
        let k = key.as_slice();
        if !FORM_FILL_KEYS.contains(&k) {
            return Ok(Verdict::other(
                "form field",
                format!(
                    "field \"{name}\": /{} changed, which filling in a form does not change",
                    String::from_utf8_lossy(k)
                ),
            )
            .for_field(Some(name.clone())));
        }
        match k {
            b"V" if field.flags & acroform::flags::READ_ONLY != 0 => {
                return Ok(Verdict::other(
                    "form field",
                    format!("field \"{name}\" is read-only, and its value was changed"),
                )
                .for_field(Some(name.clone())));
            }
            b"Ff" => {
                let before = od.get_int(b"Ff").unwrap_or(0);
                let after = nd.get_int(b"Ff").unwrap_or(0);
                let added = after & !before;
                let removed = before & !after;
                if removed != 0 || added & !i64::from(acroform::flags::READ_ONLY) != 0 {
                    return Ok(Verdict::other(
                        "form field",
                        format!(
                            "field \"{name}\": flags changed from {before} to {after} (only \
                             making a field read-only is form filling)"
                        ),
                    )
                    .for_field(Some(name.clone())));
                }
            }
            b"AP" | b"AS" if !value_changed => {
                return Ok(Verdict::other(
                    "form field",
                    format!("field \"{name}\": its appearance changed although its value did not"),
                )
                .for_field(Some(name.clone())));
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

/// A widget of a non-signature field: only its appearance and state, and only when the
/// field's value changed in this revision.
fn judge_form_widget<S: Source>(
    ctx: &mut Ctx<'_, S>,
    od: &Dict,
    nd: &Dict,
    field: &FieldFacts,
) -> Result<Verdict, PdfError> {
    let name = &field.name;
    let value_changed = ctx.value_changed(name)?;
    for key in changed_keys(ctx, od, nd) {
        let ok = matches!(key.as_slice(), b"AP" | b"AS") && value_changed;
        if !ok {
            return Ok(Verdict::other(
                "form field",
                format!(
                    "a widget of field \"{name}\": /{} changed{}",
                    String::from_utf8_lossy(&key),
                    if value_changed {
                        ""
                    } else {
                        " although the field's value did not"
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
    let Some(state) = widget.get_name(b"AS") else {
        return Ok(None);
    };
    if state == b"Off" {
        return Ok(None);
    }
    let value = ctx.value_after(&field.name)?;
    if value.as_ref().and_then(Object::as_name) == Some(state) {
        return Ok(None);
    }
    Ok(Some(format!(
        "field \"{}\": the widget shows state /{} but the field's value is {}",
        field.name,
        String::from_utf8_lossy(state),
        match value.as_ref().and_then(Object::as_name) {
            Some(v) => format!("/{}", String::from_utf8_lossy(v)),
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
    for key in changed_keys(ctx, old, new) {
        match key.as_slice() {
            b"AcroForm" => {
                // A direct AcroForm is judged here; an indirect one on its own object.
                let v = match (old.get(b"AcroForm"), new.get(b"AcroForm")) {
                    (Some(Object::Dict(o)), Some(Object::Dict(n))) => judge_acroform(ctx, o, n)?,
                    (None, n) => judge_new_acroform(ctx, n)?,
                    (Some(o), Some(n)) => {
                        // Now another object (or switched between direct and indirect):
                        // judge the new form against the old one.
                        let o = ctx.doc.resolve_dict(ctx.prev, o)?;
                        let n = ctx.doc.resolve_dict(ctx.rev, n)?;
                        match (o, n) {
                            (Some(o), Some(n)) => judge_acroform(ctx, &o, &n)?,
                            (None, _) => judge_new_acroform(ctx, new.get(b"AcroForm"))?,
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
                if !matches!(new.get(b"Version"), Some(Object::Name(_))) {
                    return Ok(Verdict::other("catalog", "/Version is not a name"));
                }
                level = level.max(ModificationLevel::LtvUpdates);
            }
            b"Metadata" => {
                let target = new
                    .get(b"Metadata")
                    .map(|m| ctx.doc.resolve(ctx.rev, m))
                    .transpose()?;
                let ok = target
                    .as_ref()
                    .and_then(Object::as_stream)
                    .is_some_and(|s| is_metadata(&s.dict));
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
    if !is_metadata(new) {
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
    if !is_form_xobject(new) {
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
        if !f.is_signature && ctx.value_changed(&f.name)? {
            return Ok(Some(Owner {
                level: ModificationLevel::FormFilling,
                field: Some(f.name),
            }));
        }
        return Ok(None);
    }
    let markup = ctx
        .doc
        .get(ctx.prev, holder)?
        .as_ref()
        .and_then(plain_dict)
        .is_some_and(is_markup);
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
    let had_value = od
        .get(b"V")
        .is_some_and(|v| !matches!(ctx.doc.resolve(ctx.prev, v), Ok(Object::Null)));
    if had_value {
        if !same_opt(ctx, od.get(b"V"), nd.get(b"V")) {
            return Ok(Verdict::other(
                "signature field",
                format!("the value of the signed signature field \"{name}\" was replaced"),
            )
            .for_field(field));
        }
        let keys = changed_keys(ctx, od, nd);
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
                keys_list(&changed_keys(ctx, od, nd))
            ),
        )
        .for_field(field));
    }
    let v = judge_changed_keys(ctx, od, nd, "signature field", &[b"V", b"AP", b"AS", b"F"])?;
    Ok(became_visible(od, nd, v).for_field(field))
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
                keys_list(&changed_keys(ctx, od, nd))
            ),
        )
        .for_field(field));
    }
    let v = judge_changed_keys(ctx, od, nd, "widget", &[b"AP", b"AS", b"F"])?;
    Ok(became_visible(od, nd, v).for_field(field))
}

/// A first AcroForm added after signing may list only signature fields.
fn judge_new_acroform<S: Source>(
    ctx: &mut Ctx<'_, S>,
    value: Option<&Object>,
) -> Result<Verdict, PdfError> {
    let (doc, rev) = (ctx.doc, ctx.rev);
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
    judge_array_change(ctx, ArrayRole::Fields, &[], &fields)
}

/// The interactive form dictionary: `/Fields` may gain signature fields; `/SigFlags`,
/// `/DR`, `/DA` and `/Q` may change; `/NeedAppearances` may only be cleared (set, it makes
/// viewers redraw every field from its value, showing what the signer did not see).
fn judge_acroform<S: Source>(
    ctx: &mut Ctx<'_, S>,
    old: &Dict,
    new: &Dict,
) -> Result<Verdict, PdfError> {
    let need = |d: &Dict| matches!(d.get(b"NeedAppearances"), Some(Object::Bool(true)));
    if need(new) && !need(old) {
        return Ok(Verdict::other(
            "acroform",
            "/NeedAppearances was set: viewers would redraw every field from its value",
        ));
    }
    let mut old = old.clone();
    let mut new = new.clone();
    old.remove(b"NeedAppearances");
    new.remove(b"NeedAppearances");
    judge_changed_keys(
        ctx,
        &old,
        &new,
        "acroform",
        &[b"Fields", b"SigFlags", b"DR", b"DA", b"Q"],
    )
}

/// What an array of references is used as, which decides what may be added or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    let uses = ctx.uses(r)?;
    let last_key = |u: &Referrer| u.path.last().map(Vec::as_slice).and_then(ArrayRole::of_key);
    let roles: BTreeSet<_> = match &uses {
        Uses::Known(users) => users
            .iter()
            .filter_map(|u| last_key(u).map(|k| k as u8))
            .collect(),
        Uses::Unknown(_) => BTreeSet::new(),
    };
    if let Some(why) = unexpected_use(&uses, |u| u.holder.is_some() && last_key(u).is_some()) {
        return Ok(Verdict::other(
            "array",
            format!("an array was changed, and {why}"),
        ));
    }
    let role = match &uses {
        Uses::Known(users) => users.iter().find_map(last_key),
        Uses::Unknown(_) => None,
    };
    let Some(role) = role.filter(|_| roles.len() == 1) else {
        return Ok(Verdict::other(
            "array",
            "an array that serves several purposes (or none) was changed",
        ));
    };
    judge_array_change(ctx, role, old, new)
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
    let (doc, rev) = (ctx.doc, ctx.rev);
    let mut level = ModificationLevel::None;
    let mut sneaky = false;
    let mut description = None;
    for key in changed_keys(ctx, old, new) {
        if !allowed.contains(&key.as_slice()) {
            return Ok(Verdict::other(
                rule,
                format!("/{} changed", String::from_utf8_lossy(&key)),
            ));
        }
        if key.as_slice() == b"V" {
            let is_sig = new
                .get(b"V")
                .and_then(|v| doc.resolve_dict(rev, v).ok().flatten())
                .is_some_and(|d| is_signature_dict(&d));
            if !is_sig {
                return Ok(Verdict::other(
                    rule,
                    "the new value of a signature field is not a signature dictionary",
                ));
            }
        }
        let role = ArrayRole::of_key(&key);
        let v = match (old.get(&key), new.get(&key), role) {
            (Some(Object::Array(oa)), Some(Object::Array(na)), Some(role)) => {
                Some(judge_array_change(ctx, role, oa, na)?)
            }
            (o, n, Some(role)) => {
                // Switching between a direct array and a reference: judge the new array
                // whole against the old one.
                let old_items = match o.map(|o| doc.resolve(ctx.prev, o)).transpose()? {
                    Some(Object::Array(a)) => a,
                    _ => Vec::new(),
                };
                let new_items = match n.map(|o| doc.resolve(rev, o)).transpose()? {
                    Some(Object::Array(a)) => a,
                    _ => {
                        return Ok(Verdict::other(
                            rule,
                            format!("/{} is not an array", String::from_utf8_lossy(&key)),
                        ))
                    }
                };
                Some(judge_array_change(ctx, role, &old_items, &new_items)?)
            }
            _ => None,
        };
        match v {
            Some(v) => {
                if v.is_other() {
                    return Ok(v);
                }
                level = level.max(v.level);
                sneaky |= v.new_visible_signature_field;
                description = Some(v.description);
            }
            None => level = level.max(ModificationLevel::FormFilling),
        }
    }
    let mut v = Verdict::new(
        level,
        rule,
        description.unwrap_or_else(|| {
            if level <= ModificationLevel::LtvUpdates {
                "updated to add a document timestamp".to_string()
            } else {
                "updated to add a signature".to_string()
            }
        }),
    );
    v.new_visible_signature_field = sneaky;
    Ok(v)
}

/// An array of references compared with its previous version: every earlier element stays,
/// in order, except markup annotations removed from `/Annots`; added elements must be
/// signature fields or widgets (any role) or markup annotations (`/Annots`).
fn judge_array_change<S: Source>(
    ctx: &mut Ctx<'_, S>,
    role: ArrayRole,
    old: &[Object],
    new: &[Object],
) -> Result<Verdict, PdfError> {
    let mut added: Vec<&Object> = Vec::new();
    let mut removed: Vec<&Object> = Vec::new();
    let mut next = 0usize;
    for o in old {
        let rest = new.get(next..).unwrap_or_default();
        match rest.iter().position(|n| same(ctx, o, n)) {
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
            (ArrayRole::Annots, Some(r)) => ctx
                .doc
                .get(ctx.prev, r)?
                .as_ref()
                .and_then(plain_dict)
                .is_some_and(is_markup),
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
    for a in added {
        let Some(r) = a.as_ref() else {
            return Ok(Verdict::other("array", "a direct element was added"));
        };
        let target = ctx.doc.get(ctx.rev, r)?;
        let target_dict = target.as_ref().and_then(plain_dict);
        let by_parent = target_dict.and_then(|d| signature_field_or_widget(ctx, d));
        let kind = match by_parent {
            Some(kind) => Some(kind),
            None => ctx.signature_object(r)?,
        };
        match kind {
            Some(kind) => {
                level = level.max(match kind {
                    SigKind::Timestamp => ModificationLevel::LtvUpdates,
                    SigKind::Signature => ModificationLevel::FormFilling,
                });
                let new_field = !ctx.existed_as_signature_object(r)?;
                if new_field {
                    if let Some(v) = target_dict
                        .and_then(|d| d.get(b"V"))
                        .and_then(Object::as_ref)
                    {
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
                if new_field && target_dict.is_some_and(|d| is_visible(ctx, d)) {
                    sneaky = true;
                    what.push(format!("visible signature field {r} added"));
                } else {
                    what.push("signature field or widget added".to_string());
                }
            }
            None if role == ArrayRole::Annots && target_dict.is_some_and(is_markup) => {
                level = level.max(ModificationLevel::Annotations);
                what.push(format!(
                    "/{} annotation {r} added",
                    String::from_utf8_lossy(
                        target_dict
                            .and_then(|d| d.get_name(b"Subtype"))
                            .unwrap_or_default()
                    )
                ));
            }
            None => {
                return Ok(Verdict::other(
                    "array",
                    format!(
                        "{r} was added, and it is not a signature field or widget{}",
                        if role == ArrayRole::Annots {
                            " or a markup annotation"
                        } else {
                            ""
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
    Ok(v)
}

/// A widget (or a field with widget kids) that a viewer shows: a `/Rect` with an area, not
/// hidden (`/F` bits Hidden 2 and NoView 32 clear).
fn is_visible<S: Source>(ctx: &Ctx<'_, S>, d: &Dict) -> bool {
    if shown(d) {
        return true;
    }
    let kids = match d.get(b"Kids").map(|k| ctx.doc.resolve(ctx.rev, k)) {
        Some(Ok(Object::Array(a))) => a,
        _ => return false,
    };
    kids.iter()
        .take(ctx.doc.budget().max_tree_nodes)
        .filter_map(|k| ctx.doc.resolve_dict(ctx.rev, k).ok().flatten())
        .any(|k| shown(&k))
}

/// One annotation dictionary a viewer draws: a `/Rect` with an area, without the Hidden (2)
/// and NoView (32) flags.
fn shown(w: &Dict) -> bool {
    let area = match w.get(b"Rect").and_then(Object::as_array) {
        Some([a, b, c, e]) => match (a.as_number(), b.as_number(), c.as_number(), e.as_number()) {
            (Some(x1), Some(y1), Some(x2), Some(y2)) => ((x2 - x1) * (y2 - y1)).abs(),
            _ => 0.0,
        },
        _ => 0.0,
    };
    let flags = w.get_int(b"F").unwrap_or(0);
    area > 0.0 && flags & (2 | 32) == 0
}

/// A signature widget that the previous revision did not draw and this one does: the signer
/// of a prepared invisible field made it visible, which after a certification is the same
/// trick as adding a visible field.
fn became_visible(old: &Dict, new: &Dict, mut v: Verdict) -> Verdict {
    if !v.is_other() && !shown(old) && shown(new) {
        v.new_visible_signature_field = true;
        v.description = format!("{}; its widget was hidden and is now shown", v.description);
    }
    v
}

/// A signature field (possibly merged with its widget) whose value, if any, is a signature
/// dictionary; or a widget whose parent is a signature field. `None` for anything else.
fn signature_field_or_widget<S: Source>(ctx: &Ctx<'_, S>, d: &Dict) -> Option<SigKind> {
    let (doc, rev) = (ctx.doc, ctx.rev);
    let field = if d.get_name(b"FT") == Some(b"Sig") {
        Some(d.clone())
    } else if d.get_name(b"Subtype") == Some(b"Widget") {
        d.get(b"Parent")
            .and_then(|p| doc.resolve_dict(rev, p).ok().flatten())
            .filter(|p| p.get_name(b"FT") == Some(b"Sig"))
    } else {
        None
    };
    let field = field?;
    match field.get(b"V") {
        None => Some(SigKind::Signature),
        Some(v) => doc
            .resolve_dict(rev, v)
            .ok()
            .flatten()
            .filter(is_signature_dict)
            .map(|sig| SigKind::of(&sig)),
    }
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
        .and_then(|t| t.get(key))
        .and_then(Object::as_ref)
}

/// True when the catalog of `prev` or of `rev` points to `r` with `key`.
fn catalog_ref_to<S: Source>(ctx: &Ctx<'_, S>, key: &[u8], r: ObjRef) -> bool {
    [ctx.prev, ctx.rev].iter().any(|&rev| {
        ctx.doc
            .catalog(rev)
            .ok()
            .and_then(|c| c.get(key).and_then(Object::as_ref))
            == Some(r)
    })
}

fn is_signature_dict(d: &Dict) -> bool {
    d.is_type(b"Sig")
        || d.is_type(b"DocTimeStamp")
        || (d.contains(b"ByteRange") && d.contains(b"Contents"))
}

fn is_metadata(d: &Dict) -> bool {
    d.is_type(b"Metadata") && d.get_name(b"Subtype") == Some(b"XML")
}

fn is_form_xobject(d: &Dict) -> bool {
    d.get_name(b"Subtype") == Some(b"Form") && d.get_name(b"Type").is_none_or(|t| t == b"XObject")
}

fn is_acroform<S: Source>(ctx: &Ctx<'_, S>, r: ObjRef) -> bool {
    ctx.doc
        .catalog(ctx.prev)
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

/// Keys whose values differ between `old` and `new` (added, removed or changed).
fn changed_keys<S: Source>(ctx: &Ctx<'_, S>, old: &Dict, new: &Dict) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (k, v) in old.iter() {
        if !new.get(k.as_bytes()).is_some_and(|n| same(ctx, v, n)) {
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

fn same_opt<S: Source>(ctx: &Ctx<'_, S>, a: Option<&Object>, b: Option<&Object>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => same(ctx, a, b),
        _ => false,
    }
}

/// Equality of content, ignoring where strings stood in the file; stream data is compared
/// byte for byte.
pub(super) fn same<S: Source>(ctx: &Ctx<'_, S>, a: &Object, b: &Object) -> bool {
    match (a, b) {
        (Object::String(x), Object::String(y)) => x.bytes == y.bytes,
        (Object::Array(x), Object::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(ctx, p, q))
        }
        (Object::Dict(x), Object::Dict(y)) => same_dict(ctx, x, y),
        (Object::Stream(x), Object::Stream(y)) => {
            if !same_dict(ctx, &x.dict, &y.dict) {
                return false;
            }
            match (&x.data, &y.data) {
                (StreamData::File(p), StreamData::File(q)) if p == q => true,
                _ => match (ctx.doc.raw_stream_data(x), ctx.doc.raw_stream_data(y)) {
                    (Ok(p), Ok(q)) => p == q,
                    _ => false,
                },
            }
        }
        // Numbers are compared by value: a writer may rewrite `318.0` as `318` (PDF makes no
        // difference between them), which changes nothing.
        (Object::Real(_) | Object::Integer(_), Object::Real(_) | Object::Integer(_)) => {
            a.as_number() == b.as_number()
        }
        _ => a == b,
    }
}

fn same_dict<S: Source>(ctx: &Ctx<'_, S>, x: &Dict, y: &Dict) -> bool {
    x.len() == y.len()
        && x.iter()
            .all(|(k, v)| y.get(k.as_bytes()).is_some_and(|w| same(ctx, v, w)))
}
