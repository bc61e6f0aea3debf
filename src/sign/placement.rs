//! Where a new signature goes: the field, its widget, the page's `/Annots`, the AcroForm,
//! and the signature dictionary with its `/ByteRange` and `/Contents` placeholders, all as
//! objects of one incremental update.

use crate::pdf::incremental::IncrementalUpdate;
use crate::pdf::serialize;
use crate::pdf::update::{self, Begun};
use crate::pdf::{acroform, pages, Dict, Document, ObjRef, Object, PdfString, Source};
use crate::refusal::{Expected, Operation, Refusal};
use crate::Error;

use super::appearance::Prepared as VisibleAppearance;
use super::certify;
use super::options::SignOptions;

/// Width of each number in the `/ByteRange` placeholder: ten digits reach 9.3 GiB.
pub(crate) const BYTE_RANGE_DIGITS: usize = 10;

/// The signature dictionary's body with the positions of its placeholders.
pub(crate) struct SigDictBody {
    pub bytes: Vec<u8>,
    /// Offset of `[` of `/ByteRange` within `bytes`, and the length up to `]` inclusive.
    pub byte_range_at: (usize, usize),
    /// Offset of `<` of `/Contents` within `bytes`, and the length up to `>` inclusive.
    pub contents_at: (usize, usize),
}

/// The update with the signature dictionary placed in it.
pub(crate) struct Placed {
    pub update: IncrementalUpdate,
    pub sig_ref: ObjRef,
    pub sig_body: SigDictBody,
}

/// Plans the update that adds the signature described by `opts` to the last revision of
/// `doc`; `sig_entries` are the signature dictionary's entries other than `/ByteRange` and
/// `/Contents`, and `contents_capacity` the number of bytes `/Contents` can hold. `visible`
/// draws the widget's appearance (else the widget is invisible).
pub(crate) fn place_signature<S: Source>(
    doc: &Document<S>,
    opts: &SignOptions,
    sig_entries: &Dict,
    contents_capacity: usize,
    visible: Option<VisibleAppearance>,
) -> Result<Placed, Error> {
    let Begun {
        mut update,
        rev,
        catalog_ref,
        mut catalog,
    } = update::begin(doc, Operation::Sign)?;
    let sig_ref = update.allocate()?;

    let fields = acroform::fields(doc, rev)?;
    let existing = opts
        .field_name
        .as_deref()
        .and_then(|name| fields.iter().find(|f| f.name == name));
    certify::check_allowed(
        doc,
        rev,
        &catalog,
        existing.map(|f| f.name.as_str()),
        opts.certify,
    )?;

    let (mut acroform, acroform_ref) = acroform_of(doc, rev, &catalog)?;
    let mut acroform_changed = false;
    let target = SignatureTarget {
        doc,
        rev,
        sig_ref,
        opts,
    };
    match existing {
        Some(field) => target.sign_existing_field(&mut update, field, visible)?,
        None => {
            let field_ref = target.add_new_field(&mut update, &fields, visible)?;
            acroform_changed |=
                add_to_form_fields(doc, rev, &mut update, &mut acroform, field_ref)?;
        }
    }
    acroform_changed |= mark_signatures_exist(&mut acroform);

    let mut catalog_changed = opts.certify.is_some();
    certify::certify_catalog(&mut catalog, opts.certify, sig_ref);
    if acroform_changed {
        catalog_changed |= put_acroform(&mut update, acroform, acroform_ref, &mut catalog)?;
    }
    if catalog_changed {
        update.put(catalog_ref, &Object::Dict(catalog))?;
    }

    // In an encrypted document the dictionary's strings are encrypted with its key; the
    // /Contents placeholder, added after, stays in the clear (ISO 32000-2 §7.6.2).
    let mut entries = Object::Dict(sig_entries.clone());
    update.encrypt(sig_ref, &mut entries)?;
    let sig_entries = entries.as_dict().unwrap_or(sig_entries);
    let sig_body = signature_dictionary(sig_entries, contents_capacity)?;
    update.put_raw(sig_ref, sig_body.bytes.clone())?;
    Ok(Placed {
        update,
        sig_ref,
        sig_body,
    })
}

/// The catalog's `/AcroForm` (a new empty one when there is none), and its object when it
/// is indirect.
pub(crate) fn acroform_of<S: Source>(
    doc: &Document<S>,
    rev: usize,
    catalog: &Dict,
) -> Result<(Dict, Option<ObjRef>), Error> {
    match catalog.get(b"AcroForm") {
        Some(Object::Reference(r)) => match doc.get(rev, *r)? {
            Some(Object::Dict(d)) => Ok((d, Some(*r))),
            _ => Err(Error::from(Refusal::Malformed {
                entry: "/AcroForm",
                expected: Expected::Dictionary,
            })),
        },
        Some(Object::Dict(d)) => Ok((d.clone(), None)),
        None => Ok((Dict::new(), None)),
        Some(_) => Err(Error::from(Refusal::Malformed {
            entry: "/AcroForm",
            expected: Expected::Dictionary,
        })),
    }
}

/// Where the signature goes: the document's last revision, and the signature dictionary's
/// object that the field's `/V` points to.
struct SignatureTarget<'a, S: Source> {
    doc: &'a Document<S>,
    rev: usize,
    sig_ref: ObjRef,
    opts: &'a SignOptions,
}

impl<S: Source> SignatureTarget<'_, S> {
    /// Points the existing empty signature field `field` at the signature (and locks the
    /// fields `opts` asks to lock, draws its widget when visible).
    fn sign_existing_field(
        &self,
        update: &mut IncrementalUpdate,
        field: &acroform::Field,
        visible: Option<VisibleAppearance>,
    ) -> Result<(), Error> {
        if !field.is_signature() {
            return Err(Error::from(Refusal::NotASignatureField {
                name: field.name.clone(),
            }));
        }
        if field.value.is_some() {
            return Err(Error::from(Refusal::AlreadySigned {
                field: field.name.clone(),
            }));
        }
        let Some(field_ref) = field.id else {
            return Err(Error::from(Refusal::FieldNotIndirect {
                name: field.name.clone(),
            }));
        };
        let mut field_dict = field.dict.clone();
        field_dict.set("V", self.sig_ref);
        certify::lock_field(&mut field_dict, self.opts.lock_fields.as_ref());
        if let Some(v) = visible {
            v.attach_to_field(self.doc, self.rev, update, field, &mut field_dict)?;
        }
        update.put(field_ref, &Object::Dict(field_dict))?;
        Ok(())
    }

    /// Adds a new signature field whose single widget is merged into it, on the chosen page
    /// (invisible unless `visible`), and returns it; the page's `/Annots` lists it.
    fn add_new_field(
        &self,
        update: &mut IncrementalUpdate,
        fields: &[acroform::Field],
        visible: Option<VisibleAppearance>,
    ) -> Result<ObjRef, Error> {
        let name = self.new_field_name(fields)?;
        let page = self.opts.page;
        let page_ref = self.page(page)?;
        let field_ref = update.allocate()?;
        let mut widget = Dict::new();
        widget.set("Type", Object::Name("Annot".into()));
        widget.set("Subtype", Object::Name("Widget".into()));
        widget.set("FT", Object::Name("Sig".into()));
        widget.set("T", Object::String(PdfString::text(&name)));
        widget.set("V", self.sig_ref);
        // Print (4) + Locked (128): shown when printed, not movable.
        widget.set("F", 132i64);
        widget.set("Rect", Object::Array(vec![Object::Integer(0); 4]));
        widget.set("P", page_ref);
        certify::lock_field(&mut widget, self.opts.lock_fields.as_ref());
        if let Some(v) = visible {
            v.attach_to_new_widget(self.doc, self.rev, update, page_ref, page, &mut widget)?;
        }
        update.put(field_ref, &Object::Dict(widget))?;
        add_to_page_annots(self.doc, self.rev, update, page_ref, field_ref)?;
        Ok(field_ref)
    }

    /// The name `opts` gives the new field, or the first free `SignatureN`.
    fn new_field_name(&self, fields: &[acroform::Field]) -> Result<String, Error> {
        match &self.opts.field_name {
            Some(n) if n.is_empty() || n.contains('.') => {
                Err(Error::from(Refusal::InvalidFieldName { name: n.clone() }))
            }
            Some(n) => Ok(n.clone()),
            None => Ok(unique_field_name(fields)),
        }
    }

    /// The page object of 1-based page `page`.
    fn page(&self, page: usize) -> Result<ObjRef, Error> {
        let page_refs = pages::pages(self.doc, self.rev)?;
        page.checked_sub(1)
            .and_then(|i| page_refs.get(i))
            .copied()
            .ok_or_else(|| {
                Error::from(Refusal::NoSuchPage {
                    page,
                    pages: page_refs.len(),
                })
            })
    }
}

/// Appends a reference to `item` to the array `holder[key]`, wherever that array lives: in
/// an object of its own (replaced by the update), directly in `holder` (changed here), or
/// absent (created). True when `holder` itself changed. Anything else is malformed (`entry`
/// names it in the refusal).
fn append_reference<S: Source>(
    doc: &Document<S>,
    rev: usize,
    update: &mut IncrementalUpdate,
    holder: &mut Dict,
    key: &'static str,
    item: ObjRef,
    entry: &'static str,
) -> Result<bool, Error> {
    let malformed = || {
        Error::from(Refusal::Malformed {
            entry,
            expected: Expected::Array,
        })
    };
    match holder.get(key.as_bytes()) {
        Some(Object::Reference(r)) => {
            let r = *r;
            let Some(Object::Array(mut arr)) = doc.get(rev, r)? else {
                return Err(malformed());
            };
            arr.push(Object::Reference(item));
            update.put(r, &Object::Array(arr))?;
            Ok(false)
        }
        Some(Object::Array(a)) => {
            let mut arr = a.clone();
            arr.push(Object::Reference(item));
            holder.set(key, Object::Array(arr));
            Ok(true)
        }
        None => {
            holder.set(key, Object::Array(vec![Object::Reference(item)]));
            Ok(true)
        }
        Some(_) => Err(malformed()),
    }
}

/// Appends `field` to the AcroForm's `/Fields`, wherever that array lives; true when the
/// AcroForm dictionary itself changed.
fn add_to_form_fields<S: Source>(
    doc: &Document<S>,
    rev: usize,
    update: &mut IncrementalUpdate,
    acroform: &mut Dict,
    field: ObjRef,
) -> Result<bool, Error> {
    append_reference(
        doc,
        rev,
        update,
        acroform,
        "Fields",
        field,
        "/AcroForm /Fields",
    )
}

/// Sets `/SigFlags` SignaturesExist (1) and AppendOnly (2) (ISO 32000-2 §12.7.3, Table 225);
/// true when they were not both set.
fn mark_signatures_exist(acroform: &mut Dict) -> bool {
    let flags = acroform.get_int(b"SigFlags").unwrap_or(0);
    if flags & 3 == 3 {
        return false;
    }
    acroform.set("SigFlags", flags | 3);
    true
}

/// Writes the changed AcroForm: back to its object, or to a new one the catalog then points
/// to (true: the catalog changed).
fn put_acroform(
    update: &mut IncrementalUpdate,
    acroform: Dict,
    acroform_ref: Option<ObjRef>,
    catalog: &mut Dict,
) -> Result<bool, Error> {
    match acroform_ref {
        Some(r) => {
            update.put(r, &Object::Dict(acroform))?;
            Ok(false)
        }
        None => {
            let r = update.allocate()?;
            update.put(r, &Object::Dict(acroform))?;
            catalog.set("AcroForm", r);
            Ok(true)
        }
    }
}

/// Appends `widget` to the page's `/Annots`, wherever that array lives.
fn add_to_page_annots<S: Source>(
    doc: &Document<S>,
    rev: usize,
    update: &mut IncrementalUpdate,
    page_ref: ObjRef,
    widget: ObjRef,
) -> Result<(), Error> {
    let mut page = match doc.get(rev, page_ref)? {
        Some(Object::Dict(d)) => d,
        _ => {
            return Err(Error::from(Refusal::Malformed {
                entry: "the page object",
                expected: Expected::Dictionary,
            }))
        }
    };
    if append_reference(
        doc,
        rev,
        update,
        &mut page,
        "Annots",
        widget,
        "the page's /Annots",
    )? {
        update.put(page_ref, &Object::Dict(page))?;
    }
    Ok(())
}

/// `Signature1`, `Signature2`, …: the first not yet used.
fn unique_field_name(fields: &[acroform::Field]) -> String {
    (1..)
        .map(|i| format!("Signature{i}"))
        .find(|n| !fields.iter().any(|f| &f.name == n))
        .unwrap_or_else(|| "Signature".to_string())
}

/// Serialises the signature dictionary with fixed-width placeholders for `/ByteRange` and
/// `/Contents` placed last, and records where they are.
fn signature_dictionary(entries: &Dict, contents_capacity: usize) -> Result<SigDictBody, Error> {
    let mut out = Vec::with_capacity(512 + 2 * contents_capacity);
    out.extend_from_slice(b"<<");
    for (k, v) in entries.iter() {
        if k.as_bytes() == b"ByteRange" || k.as_bytes() == b"Contents" {
            continue;
        }
        serialize::write_name(&mut out, k)?;
        out.push(b' ');
        serialize::write_object(&mut out, v)?;
        out.push(b'\n');
    }
    out.extend_from_slice(b"/ByteRange ");
    let br_start = out.len();
    out.push(b'[');
    out.extend_from_slice(&byte_range_text(&[0, 0, 0, 0]));
    out.push(b']');
    let br_len = out.len() - br_start;
    out.extend_from_slice(b"\n/Contents ");
    let contents_start = out.len();
    out.push(b'<');
    out.resize(out.len() + 2 * contents_capacity, b'0');
    out.push(b'>');
    let contents_len = out.len() - contents_start;
    out.extend_from_slice(b">>");
    Ok(SigDictBody {
        bytes: out,
        byte_range_at: (br_start, br_len),
        contents_at: (contents_start, contents_len),
    })
}

/// The four numbers, each left-aligned in a fixed-width field, so that the final values
/// replace the placeholder without moving any byte.
pub(crate) fn byte_range_text(v: &[u64; 4]) -> Vec<u8> {
    let mut s = String::new();
    for (i, n) in v.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(&format!("{n:<width$}", width = BYTE_RANGE_DIGITS));
    }
    s.into_bytes()
}
