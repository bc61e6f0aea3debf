//! The whitelist rules for one redefined object.

use crate::pdf::{Dict, ObjRef, Object, PdfError, Source, StreamData};
use crate::report::ModificationLevel;

use super::context::{Ctx, SigKind};
use super::refs::{Referrer, Uses};

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
        _ => Verdict::other(
            "content",
            format!("a {} was replaced by a {}", old.kind(), new.kind()),
        ),
    };
    Ok(Some(verdict))
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
    if od.get_name(b"FT") == Some(b"Sig") {
        return judge_signature_field(ctx, r, od, nd);
    }
    if od.get_name(b"Subtype") == Some(b"Widget") {
        return judge_widget(ctx, r, od, nd);
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

/// An appearance stream may be redrawn when its only users are the appearance dictionaries
/// of the signature fields that this revision signs (a signer replacing the placeholder
/// appearance of the field it fills).
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
            "a form XObject that no widget of the revision showed was changed",
        ));
    }
    for u in &users {
        if !is_appearance_of_newly_signed(ctx, u)? {
            return Ok(Verdict::other(
                "appearance",
                format!(
                    "a form XObject was changed, and it is used by {} (not only by the \
                     appearance of a signature field signed in this revision)",
                    u.describe()
                ),
            ));
        }
    }
    Ok(Verdict::signing(
        "appearance",
        "the appearance of the signature field being signed was redrawn",
    ))
}

/// `u` is `/AP /N|/R|/D [/state]` of a widget that this revision signs, or an entry of an
/// appearance dictionary used only as `/AP` of such widgets.
fn is_appearance_of_newly_signed<S: Source>(
    ctx: &mut Ctx<'_, S>,
    u: &Referrer,
) -> Result<bool, PdfError> {
    let Some(holder) = u.holder else {
        return Ok(false);
    };
    let is_state =
        |k: Option<&Vec<u8>>| k.is_some_and(|k| matches!(k.as_slice(), b"N" | b"R" | b"D"));
    if u.first_key() == Some(b"AP") && (2..=3).contains(&u.path.len()) && is_state(u.path.get(1)) {
        return ctx.is_newly_signed(holder);
    }
    if (1..=2).contains(&u.path.len()) && is_state(u.path.first()) {
        // `holder` is an indirect appearance dictionary: who uses it?
        let Uses::Known(users) = ctx.uses(holder)? else {
            return Ok(false);
        };
        if users.is_empty() {
            return Ok(false);
        }
        for w in &users {
            let ok = match w.holder {
                Some(widget) if w.path_is(&[b"AP"]) => ctx.is_newly_signed(widget)?,
                _ => false,
            };
            if !ok {
                return Ok(false);
            }
        }
        return Ok(true);
    }
    Ok(false)
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
) -> Result<Verdict, PdfError> {
    let had_value = od
        .get(b"V")
        .is_some_and(|v| !matches!(ctx.doc.resolve(ctx.prev, v), Ok(Object::Null)));
    if had_value {
        if !same_opt(ctx, od.get(b"V"), nd.get(b"V")) {
            return Ok(Verdict::other(
                "signature field",
                "the value of a signed signature field was replaced",
            ));
        }
        let keys = changed_keys(ctx, od, nd);
        return Ok(Verdict::other(
            "signature field",
            format!("a signed signature field was changed: {}", keys_list(&keys)),
        ));
    }
    if !ctx.is_newly_signed(r)? {
        return Ok(Verdict::other(
            "signature field",
            format!(
                "an empty signature field was changed without being signed: {}",
                keys_list(&changed_keys(ctx, od, nd))
            ),
        ));
    }
    judge_changed_keys(ctx, od, nd, "signature field", &[b"V", b"AP", b"AS", b"F"])
}

/// A widget of a signature field that this revision signs may get its appearance and
/// annotation flags.
fn judge_widget<S: Source>(
    ctx: &mut Ctx<'_, S>,
    r: ObjRef,
    od: &Dict,
    nd: &Dict,
) -> Result<Verdict, PdfError> {
    if !ctx.is_newly_signed(r)? {
        return Ok(Verdict::other(
            "widget",
            format!(
                "a widget annotation was changed: {}",
                keys_list(&changed_keys(ctx, od, nd))
            ),
        ));
    }
    judge_changed_keys(ctx, od, nd, "widget", &[b"AP", b"AS", b"F"])
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
    judge_array_growth(ctx, &[], &fields)
}

fn judge_acroform<S: Source>(
    ctx: &mut Ctx<'_, S>,
    old: &Dict,
    new: &Dict,
) -> Result<Verdict, PdfError> {
    judge_changed_keys(
        ctx,
        old,
        new,
        "acroform",
        &[b"Fields", b"SigFlags", b"DR", b"DA"],
    )
}

/// An indirect array used as `/Annots`, `/Fields` or `/Kids` may grow by signature fields
/// and widgets.
fn judge_indirect_array<S: Source>(
    ctx: &mut Ctx<'_, S>,
    r: ObjRef,
    old: &[Object],
    new: &[Object],
) -> Result<Verdict, PdfError> {
    let uses = ctx.uses(r)?;
    if let Some(why) = unexpected_use(&uses, |u| {
        u.holder.is_some()
            && matches!(
                u.path.last().map(Vec::as_slice),
                Some(b"Annots" | b"Fields" | b"Kids")
            )
    }) {
        return Ok(Verdict::other(
            "array",
            format!("an array was changed, and {why}"),
        ));
    }
    judge_array_growth(ctx, old, new)
}

/// Only `allowed` keys may differ; direct arrays among them may only grow by signature
/// fields or widgets.
fn judge_changed_keys<S: Source>(
    ctx: &mut Ctx<'_, S>,
    old: &Dict,
    new: &Dict,
    rule: &'static str,
    allowed: &[&[u8]],
) -> Result<Verdict, PdfError> {
    let (doc, rev) = (ctx.doc, ctx.rev);
    let mut level = ModificationLevel::None;
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
        if let (Some(Object::Array(oa)), Some(Object::Array(na))) = (old.get(&key), new.get(&key)) {
            let v = judge_array_growth(ctx, oa, na)?;
            if v.is_other() {
                return Ok(v);
            }
            level = level.max(v.level);
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
            let v = judge_array_growth(ctx, &old_items, &new_items)?;
            if v.is_other() {
                return Ok(v);
            }
            level = level.max(v.level);
        } else {
            level = level.max(ModificationLevel::FormFilling);
        }
    }
    Ok(Verdict::new(
        level,
        rule,
        if level <= ModificationLevel::LtvUpdates {
            "updated to add a document timestamp"
        } else {
            "updated to add a signature"
        },
    ))
}

/// The array keeps every earlier element in order and adds only references to signature
/// fields or widgets (as defined in revision `rev`).
fn judge_array_growth<S: Source>(
    ctx: &mut Ctx<'_, S>,
    old: &[Object],
    new: &[Object],
) -> Result<Verdict, PdfError> {
    let mut it = new.iter();
    let mut added = Vec::new();
    for o in old {
        loop {
            match it.next() {
                Some(n) if same(ctx, o, n) => break,
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
    // Document timestamps are validation material; any other signature is form filling.
    let mut level = ModificationLevel::None;
    for a in added {
        let Some(r) = a.as_ref() else {
            return Ok(Verdict::other("array", "a direct element was added"));
        };
        let target = ctx.doc.get(ctx.rev, r)?;
        let by_parent = target
            .as_ref()
            .and_then(plain_dict)
            .and_then(|d| signature_field_or_widget(ctx, d));
        let kind = match by_parent {
            Some(kind) => Some(kind),
            None => ctx.signature_object(r)?,
        };
        match kind {
            Some(SigKind::Timestamp) => level = level.max(ModificationLevel::LtvUpdates),
            Some(SigKind::Signature) => level = level.max(ModificationLevel::FormFilling),
            None => {
                return Ok(Verdict::other(
                    "array",
                    format!("{r} was added, and it is not a signature field or widget"),
                ))
            }
        }
    }
    Ok(Verdict::new(
        level,
        "array",
        "signature field or widget added",
    ))
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
fn same<S: Source>(ctx: &Ctx<'_, S>, a: &Object, b: &Object) -> bool {
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
