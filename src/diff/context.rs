//! What the rules know about one pair of revisions, computed when first asked for.

use std::collections::{BTreeMap, BTreeSet};

use crate::pdf::{acroform, Dict, Document, ObjRef, Object, PdfError, Source};

use super::compare::deep_same;
use super::known::{Known, ValueKind};
use super::read::{written, Read, View};
use super::refs::{Referrers, Uses};

/// Revision `rev` judged against revision `prev` of `doc`.
pub struct Ctx<'a, S: Source> {
    /// The document.
    pub doc: &'a Document<S>,
    /// The revision before the change.
    pub prev: usize,
    /// The revision that made the change.
    pub rev: usize,
    /// What was learnt about the document while judging other revisions.
    known: &'a Known,
    /// Object numbers that `rev` redefines or frees and that existed in `prev`: the first
    /// scan for referrers looks for all of them at once.
    redefined: BTreeSet<u32>,
    /// Further objects asked about; every new scan looks for all of them.
    asked: BTreeSet<u32>,
    referrers: Option<Referrers>,
    signing: Option<Signing>,
    /// The document security store's objects in `prev` and in `rev`.
    ltv: Option<(BTreeSet<ObjRef>, BTreeSet<ObjRef>)>,
    forms: Option<Forms>,
    /// Every node of the field tree of `prev` (fields, terminal or not, and widget kids).
    field_nodes: Option<BTreeSet<ObjRef>>,
}

/// Which field a field of one revision is in another: its dictionary's object when it has
/// one, else its fully qualified name — and then only when no other field without an object
/// has that name (two fields with one name are never taken for each other).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum FieldKey {
    /// The field dictionary's object.
    Id(ObjRef),
    /// A field written directly in its parent's array, by its unique name.
    Name(String),
    /// A field written directly whose name another such field shares: paired with nothing.
    Ambiguous,
}

/// The keys of the fields of one revision, in the order of `fields`.
fn field_keys(fields: &[acroform::Field]) -> Vec<FieldKey> {
    let mut direct: BTreeMap<&str, usize> = BTreeMap::new();
    for f in fields.iter().filter(|f| f.id.is_none()) {
        *direct.entry(f.name.as_str()).or_default() += 1;
    }
    fields
        .iter()
        .map(|f| match f.id {
            Some(id) => FieldKey::Id(id),
            None if direct.get(f.name.as_str()) == Some(&1) => FieldKey::Name(f.name.clone()),
            None => FieldKey::Ambiguous,
        })
        .collect()
}

/// What the rules need to know about one form field of `prev`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldFacts {
    /// Which field it is in `rev` too.
    pub key: FieldKey,
    /// Fully qualified name.
    pub name: String,
    /// `/FT /Sig` (own or inherited).
    pub is_signature: bool,
    /// `/FT /Btn` (check box, radio button, push button).
    pub is_button: bool,
    /// `/Ff`, inherited.
    pub flags: u32,
}

/// The form fields of `prev`, and which values `rev` changed.
#[derive(Debug, Default)]
struct Forms {
    /// Terminal field dictionaries of `prev`.
    fields: BTreeMap<ObjRef, FieldFacts>,
    /// Widget annotations of `prev` (merged with their field or not) and their field.
    widgets: BTreeMap<ObjRef, FieldFacts>,
    /// Non-signature fields whose value differs between `prev` and `rev`, with their value
    /// before and after (resolved; `Null` when absent). A field of `prev` that `rev` does
    /// not have (or that cannot be told apart) did not change its value.
    value_changes: BTreeMap<FieldKey, (Object, Object)>,
    /// The values of the fields of `rev`: resolved, or as written when resolving is known
    /// to succeed (see [`Known::resolves`]) and is left for when it is asked.
    values_after: BTreeMap<FieldKey, Value>,
    /// The widgets of the fields of `rev`.
    widgets_after: BTreeMap<FieldKey, Vec<ObjRef>>,
}

/// A field value of `rev`.
#[derive(Debug)]
enum Value {
    /// Resolved.
    Resolved(Object),
    /// As written; resolving it succeeds.
    Written(Object),
}

/// What a signature field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigKind {
    /// A signature, or nothing yet.
    Signature,
    /// A document timestamp (validation material).
    Timestamp,
}

impl SigKind {
    /// The kind of a signature dictionary.
    pub fn of(sig: &Dict) -> Self {
        if sig.is_type(b"DocTimeStamp") || sig.get_name(b"SubFilter") == Some(b"ETSI.RFC3161") {
            SigKind::Timestamp
        } else {
            SigKind::Signature
        }
    }
}

/// Signature fields as revision `rev` has them.
#[derive(Debug, Default)]
struct Signing {
    /// Signature fields (and their widgets) whose value is absent or a signature dictionary,
    /// with what they hold.
    signature_objects: BTreeMap<ObjRef, SigKind>,
    /// Signature fields that received their value in `rev`, and their widgets.
    newly_signed: BTreeSet<ObjRef>,
    /// Signature fields of `prev` (signed or not) and their widgets.
    before: BTreeSet<ObjRef>,
    /// Signature fields of `rev` without a value, and their widgets.
    unsigned: BTreeSet<ObjRef>,
}

impl<'a, S: Source> Ctx<'a, S> {
    /// A context for judging `rev` against `prev`; `redefined` lists the object numbers
    /// `rev` rewrites; `known` holds (and receives) what is learnt about the document.
    pub fn new(
        doc: &'a Document<S>,
        known: &'a Known,
        prev: usize,
        rev: usize,
        redefined: BTreeSet<u32>,
    ) -> Self {
        Ctx {
            doc,
            prev,
            rev,
            known,
            redefined,
            asked: BTreeSet::new(),
            referrers: None,
            signing: None,
            ltv: None,
            forms: None,
            field_nodes: None,
        }
    }

    fn forms(&mut self) -> Result<&Forms, PdfError> {
        if self.forms.is_none() {
            self.forms = Some(self.compute_forms()?);
        }
        // Set just above when it was missing.
        Ok(self.forms.get_or_insert_with(Forms::default))
    }

    fn compute_forms(&self) -> Result<Forms, PdfError> {
        let (doc, prev, rev) = (self.doc, self.prev, self.rev);
        let mut forms = Forms::default();
        let before = self.known.fields(doc, prev)?;
        let after = self.known.fields(doc, rev)?;
        let after_keys = field_keys(&after);
        let mut after_by_key: BTreeMap<&FieldKey, &acroform::Field> = BTreeMap::new();
        for (f, key) in after.iter().zip(&after_keys) {
            if *key == FieldKey::Ambiguous {
                continue;
            }
            after_by_key.insert(key, f);
            forms.widgets_after.insert(key.clone(), f.widgets.clone());
            if let Some(v) = &f.value {
                // A value known to resolve (typically a signature dictionary, with its large
                // /Contents) is resolved only when asked for.
                let value = match self.known.resolves(doc, rev, v) {
                    true => Value::Written(v.clone()),
                    false => Value::Resolved(doc.resolve(rev, v)?),
                };
                forms.values_after.insert(key.clone(), value);
            }
        }
        for (f, key) in before.iter().zip(field_keys(&before)) {
            let ft = f.field_type.as_ref().map(|t| t.as_bytes());
            let facts = FieldFacts {
                key: key.clone(),
                name: f.name.clone(),
                is_signature: ft == Some(b"Sig"),
                is_button: ft == Some(b"Btn"),
                flags: f.flags,
            };
            if let Some(id) = f.id {
                forms.fields.insert(id, facts.clone());
            }
            for w in &f.widgets {
                forms.widgets.insert(*w, facts.clone());
            }
            if facts.is_signature || key == FieldKey::Ambiguous {
                continue;
            }
            // The same field in `rev`, of the same kind (a signature field that took over
            // the object or the name is not this field with a new value).
            let Some(g) = after_by_key
                .get(&key)
                .filter(|g| g.field_type == f.field_type)
            else {
                continue;
            };
            let old_value = match &f.value {
                Some(v) => doc.resolve(prev, v)?,
                None => Object::Null,
            };
            let new_value = match &g.value {
                Some(v) => doc.resolve(rev, v)?,
                None => Object::Null,
            };
            if !super::compare::same(doc, &old_value, &new_value) {
                forms.value_changes.insert(key, (old_value, new_value));
            }
        }
        Ok(forms)
    }

    /// The terminal form field whose dictionary is `r` in `prev`.
    pub fn field_of(&mut self, r: ObjRef) -> Result<Option<FieldFacts>, PdfError> {
        Ok(self.forms()?.fields.get(&r).cloned())
    }

    /// The form field that the widget annotation `r` of `prev` belongs to.
    pub fn widget_field(&mut self, r: ObjRef) -> Result<Option<FieldFacts>, PdfError> {
        Ok(self.forms()?.widgets.get(&r).cloned())
    }

    /// The value of `field` in `rev`, resolved.
    pub fn value_after(&mut self, field: &FieldFacts) -> Result<Option<Object>, PdfError> {
        let (doc, rev) = (self.doc, self.rev);
        match self.forms()?.values_after.get(&field.key) {
            None => Ok(None),
            Some(Value::Resolved(o)) => Ok(Some(o.clone())),
            Some(Value::Written(v)) => doc.resolve(rev, v).map(Some),
        }
    }

    /// True when `rev` changed the value of the (non-signature) `field`.
    pub fn value_changed(&mut self, field: &FieldFacts) -> Result<bool, PdfError> {
        Ok(self.forms()?.value_changes.contains_key(&field.key))
    }

    /// The value of the (non-signature) `field` before and after `rev`, when `rev` changed
    /// it (`Null` for an absent value).
    pub fn value_change(
        &mut self,
        field: &FieldFacts,
    ) -> Result<Option<(Object, Object)>, PdfError> {
        Ok(self.forms()?.value_changes.get(&field.key).cloned())
    }

    /// True when `r` is a node of the field tree of `prev`: a field (terminal or not) or a
    /// widget that `/Fields` reaches through `/Kids`.
    pub fn is_field_node(&mut self, r: ObjRef) -> Result<bool, PdfError> {
        if self.field_nodes.is_none() {
            self.field_nodes = Some(self.compute_field_nodes()?);
        }
        Ok(self.field_nodes.as_ref().is_some_and(|n| n.contains(&r)))
    }

    fn compute_field_nodes(&self) -> Result<BTreeSet<ObjRef>, PdfError> {
        let before = self.before();
        let mut nodes = BTreeSet::new();
        let Ok(catalog) = self.doc.catalog(self.prev) else {
            return Ok(nodes);
        };
        let Read::Value(form) = before.dict(&catalog, b"AcroForm") else {
            return Ok(nodes);
        };
        let mut todo: Vec<Object> = before
            .elements(&form, b"Fields")
            .value()
            .unwrap_or_default();
        let limit = self.doc.budget().max_tree_nodes;
        while let Some(item) = todo.pop() {
            let Object::Reference(r) = item else {
                continue;
            };
            if !nodes.insert(r) {
                continue;
            }
            if nodes.len() > limit {
                return Err(PdfError::budget("form field tree nodes", limit as u64));
            }
            if let Some(Object::Dict(d)) = self.doc.get(self.prev, r)? {
                todo.extend(before.elements(&d, b"Kids").value().unwrap_or_default());
            }
        }
        Ok(nodes)
    }

    /// Values as the previous revision has them.
    pub fn before(&self) -> View<'a, S> {
        View::new(self.doc, self.prev)
    }

    /// Values as the revision being judged has them.
    pub fn after(&self) -> View<'a, S> {
        View::new(self.doc, self.rev)
    }

    /// The widget annotations of `field` in `rev` (none when `rev` does not have it).
    pub fn widgets_of(&mut self, field: &FieldFacts) -> Result<Vec<ObjRef>, PdfError> {
        Ok(self
            .forms()?
            .widgets_after
            .get(&field.key)
            .cloned()
            .unwrap_or_default())
    }

    /// True when the widget `w` has an appearance stream in `rev` (`/AP` with `/N`) that
    /// differs from the one it had in `prev` (or it had none, or is new). An appearance
    /// that cannot be read, or a comparison that cannot be finished, is not renewed.
    pub fn appearance_renewed(&self, w: ObjRef) -> Result<bool, PdfError> {
        let after = self.after();
        let Some(Object::Dict(nd)) = self.doc.get(self.rev, w)? else {
            return Ok(false);
        };
        if !has_appearance(after, &nd) {
            return Ok(false);
        }
        let new_ap = written(&nd, b"AP").cloned().unwrap_or(Object::Null);
        let old_ap = match self.doc.get(self.prev, w)? {
            Some(Object::Dict(od)) => written(&od, b"AP").cloned().unwrap_or(Object::Null),
            _ => Object::Null,
        };
        Ok(deep_same(self.doc, self.prev, &old_ap, self.rev, &new_ap) == Some(false))
    }

    /// The annotations of the form of `rev` that a viewer may draw, with their field: every
    /// widget of every terminal field, and a terminal field without widget kids itself,
    /// whatever its `/Subtype` says.
    fn shown_form_widgets(&self) -> Result<Vec<ShownWidget>, PdfError> {
        let after = self.after();
        let fields = self.known.fields(self.doc, self.rev)?;
        let mut out = Vec::new();
        for (f, key) in fields.iter().zip(field_keys(&fields)) {
            let mut members: BTreeSet<ObjRef> = f.widgets.iter().copied().collect();
            // A field without widget kids is its own widget if anything is, whatever its
            // /Subtype says.
            if let Some(id) = f.id.filter(|_| f.widgets.is_empty()) {
                members.insert(id);
            }
            for w in members {
                let Some(Object::Dict(d)) = self.doc.get(self.rev, w)? else {
                    continue;
                };
                if after.shown(&d) {
                    out.push(ShownWidget {
                        widget: w,
                        key: key.clone(),
                        field: f.name.clone(),
                        is_signature: f.is_signature(),
                        has_appearance: has_appearance(after, &d),
                    });
                }
            }
        }
        Ok(out)
    }

    /// `None` when the form's drawing defaults (`/DA`, `/DR`, `/Q` of the AcroForm) may
    /// change in `rev` because no viewer draws anything with them: viewers are not told to
    /// redraw fields from their values (`need_after`, `/NeedAppearances`), and every widget
    /// a viewer shows has an appearance stream. (Signing tools add fonts to `/DR` when they
    /// draw a visible signature; that changes nothing on the page.) Otherwise why not.
    pub fn form_drawing_refused(&self, need_after: bool) -> Result<Option<String>, PdfError> {
        if need_after {
            return Ok(Some(
                "/NeedAppearances makes viewers draw every field from its value with them"
                    .to_string(),
            ));
        }
        Ok(self
            .shown_form_widgets()?
            .into_iter()
            .find(|w| !w.has_appearance)
            .map(|w| {
                format!(
                    "widget {} of field \"{}\" has no appearance stream: viewers draw it \
                     from the form's defaults",
                    w.widget, w.field
                )
            }))
    }

    /// `None` when `/NeedAppearances` may be cleared in `rev`: every widget of a
    /// non-signature field that a viewer shows and that has an appearance stream belongs to
    /// a field whose value changed in `rev`. Before, viewers drew those fields from their
    /// values; after, they show the stored appearance, which may differ (widgets without
    /// one are drawn from their values either way).
    pub fn clearing_need_appearances_refused(&mut self) -> Result<Option<String>, PdfError> {
        let widgets = self.shown_form_widgets()?;
        let changed = &self.forms()?.value_changes;
        Ok(widgets
            .into_iter()
            .find(|w| !w.is_signature && w.has_appearance && !changed.contains_key(&w.key))
            .map(|w| {
                format!(
                    "field \"{}\" was not filled in, so viewers now show its stored \
                     appearance instead of drawing its value",
                    w.field
                )
            }))
    }

    /// The places in `prev` that refer to `target`.
    pub fn uses(&mut self, target: ObjRef) -> Result<Uses, PdfError> {
        if let Some(u) = self.referrers.as_ref().and_then(|r| r.of(target)) {
            return Ok(u);
        }
        self.asked.insert(target.num);
        let targets = self.redefined.union(&self.asked).copied().collect();
        let scanned = Referrers::scan_with(self.doc, self.known, self.prev, targets)?;
        let uses = scanned.of(target);
        self.referrers = Some(scanned);
        // The scan just covered `target`; `Known(empty)` would be wrong only if it had not.
        Ok(uses.unwrap_or(Uses::Unknown(target)))
    }

    fn signing(&mut self) -> Result<&Signing, PdfError> {
        if self.signing.is_none() {
            self.signing = Some(self.compute_signing()?);
        }
        // Set just above when it was missing.
        Ok(self.signing.get_or_insert_with(Signing::default))
    }

    fn compute_signing(&self) -> Result<Signing, PdfError> {
        let (doc, prev, rev, known) = (self.doc, self.prev, self.rev, self.known);
        let fields_before = known.fields(doc, prev)?;
        let fields_before = fields_before.iter().filter(|f| f.is_signature());
        // A value that cannot be read counts as a value: the field is then not "newly
        // signed".
        let has_value = |v: Option<&Object>| {
            v.is_some_and(|v| known.value_kind(doc, prev, v) != ValueKind::Null)
        };
        let signed_before: BTreeSet<ObjRef> = fields_before
            .clone()
            .filter(|f| has_value(f.value.as_ref()))
            .filter_map(|f| f.id)
            .collect();
        let mut s = Signing::default();
        for f in fields_before {
            s.before.extend(f.id);
            s.before.extend(f.widgets.iter().copied());
        }
        let fields_after = known.fields(doc, rev)?;
        for f in fields_after.iter().filter(|f| f.is_signature()) {
            let kind = match f.value.as_ref() {
                None => SigKind::Signature,
                Some(v) => match known.value_kind(doc, rev, v) {
                    ValueKind::Signature(kind) => kind,
                    _ => continue,
                },
            };
            let members = f.id.into_iter().chain(f.widgets.iter().copied());
            s.signature_objects
                .extend(members.clone().map(|m| (m, kind)));
            if f.value.is_none() {
                s.unsigned.extend(members.clone());
            }
            let signed_now =
                f.value.is_some() && f.id.is_some_and(|id| !signed_before.contains(&id));
            if signed_now {
                s.newly_signed.extend(members);
            }
        }
        Ok(s)
    }

    /// What `r` holds when it is a signature field of `rev` (or one of its widgets) whose
    /// value is absent or a signature dictionary; `None` otherwise.
    pub fn signature_object(&mut self, r: ObjRef) -> Result<Option<SigKind>, PdfError> {
        Ok(self.signing()?.signature_objects.get(&r).copied())
    }

    /// True when `r` is a signature field of `rev` without a value, or one of its widgets.
    pub fn is_unsigned_signature_object(&mut self, r: ObjRef) -> Result<bool, PdfError> {
        Ok(self.signing()?.unsigned.contains(&r))
    }

    /// True when `r` was a signature field (signed or not) of `prev`, or one of its widgets.
    pub fn existed_as_signature_object(&mut self, r: ObjRef) -> Result<bool, PdfError> {
        Ok(self.signing()?.before.contains(&r))
    }

    /// True when `r` is a signature field that `rev` signs (it had no value in `prev`), or
    /// one of its widgets.
    pub fn is_newly_signed(&mut self, r: ObjRef) -> Result<bool, PdfError> {
        Ok(self.signing()?.newly_signed.contains(&r))
    }

    /// Where `r` belongs to the document security store (DSS): the DSS dictionary, its
    /// `/Certs`, `/OCSPs` and `/CRLs` arrays, its `/VRI` dictionary, the VRI entries and
    /// their `/Cert`, `/OCSP` and `/CRL` arrays (never the streams holding certificates,
    /// CRLs and OCSP responses). Returns (in `prev`, in `rev`).
    pub fn ltv_membership(&mut self, r: ObjRef) -> Result<(bool, bool), PdfError> {
        if self.ltv.is_none() {
            let before = dss_objects(self.doc, self.prev)?;
            let after = dss_objects(self.doc, self.rev)?;
            self.ltv = Some((before, after));
        }
        Ok(self
            .ltv
            .as_ref()
            .map_or((false, false), |(b, a)| (b.contains(&r), a.contains(&r))))
    }
}

/// A widget a viewer shows, as [`Ctx::shown_form_widgets`] finds it.
struct ShownWidget {
    widget: ObjRef,
    key: FieldKey,
    field: String,
    is_signature: bool,
    has_appearance: bool,
}

/// True when the annotation `d` has a normal appearance (`/AP` with `/N`, a stream or a
/// dictionary of states) that `view` can read.
fn has_appearance<S: Source>(view: View<'_, S>, d: &Dict) -> bool {
    match view.dict(d, b"AP") {
        Read::Value(ap) => matches!(
            view.value(&ap, b"N"),
            Read::Value(Object::Stream(_) | Object::Dict(_))
        ),
        _ => false,
    }
}

/// The objects of the document security store of `rev` (see [`Ctx::ltv_membership`]),
/// following only the keys the store defines.
fn dss_objects<S: Source>(doc: &Document<S>, rev: usize) -> Result<BTreeSet<ObjRef>, PdfError> {
    let mut out = BTreeSet::new();
    let Ok(catalog) = doc.catalog(rev) else {
        return Ok(out);
    };
    let Some(dss) = catalog.get(b"DSS") else {
        return Ok(out);
    };
    let Some(dss) = member(doc, rev, dss, &mut out)?.and_then(|o| o.as_dict().cloned()) else {
        return Ok(out);
    };
    for key in [&b"Certs"[..], b"OCSPs", b"CRLs"] {
        if let Some(v) = dss.get(key) {
            member(doc, rev, v, &mut out)?;
        }
    }
    let Some(vri) = dss.get(b"VRI") else {
        return Ok(out);
    };
    let Some(vri) = member(doc, rev, vri, &mut out)?.and_then(|o| o.as_dict().cloned()) else {
        return Ok(out);
    };
    let limit = doc.budget().max_tree_nodes;
    if vri.len() > limit {
        return Err(PdfError::budget(
            "entries of the /VRI dictionary",
            limit as u64,
        ));
    }
    for (_, entry) in vri.iter() {
        let Some(entry) = member(doc, rev, entry, &mut out)?.and_then(|o| o.as_dict().cloned())
        else {
            continue;
        };
        for key in [&b"Cert"[..], b"OCSP", b"CRL"] {
            if let Some(v) = entry.get(key) {
                member(doc, rev, v, &mut out)?;
            }
        }
    }
    Ok(out)
}

/// Resolves `v`; when it is a reference to a dictionary or an array, records it in `out`.
fn member<S: Source>(
    doc: &Document<S>,
    rev: usize,
    v: &Object,
    out: &mut BTreeSet<ObjRef>,
) -> Result<Option<Object>, PdfError> {
    match v {
        Object::Reference(r) => match doc.get(rev, *r)? {
            Some(o @ (Object::Dict(_) | Object::Array(_))) => {
                out.insert(*r);
                Ok(Some(o))
            }
            other => Ok(other),
        },
        direct => Ok(Some(direct.clone())),
    }
}
