//! Empty signature fields for later signers: a dossier is prepared with one visible field
//! per official in the workflow, and each official later signs their own field
//! ([`crate::sign::SignOptions::field_name`]).
//!
//! Each field is a signature field merged with its widget (`/FT /Sig`, `/Subtype /Widget`,
//! no `/V`) on the chosen page, added to the page's `/Annots` and the AcroForm's `/Fields`,
//! all in one incremental update; the input is never modified.

use std::path::Path;

use crate::output::Target;
use crate::pdf::incremental::IncrementalUpdate;
use crate::pdf::update::{self, Begun};
use crate::pdf::{acroform, pages, Dict, Document, Object, PdfString, Source};
use crate::refusal::{Expected, Operation, Refusal};
use crate::Error;

use super::certify;

/// The most fields one call adds.
pub const MAX_FIELDS: usize = 1000;

/// One empty signature field to add.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct FieldSpec {
    /// The field's name (`/T`): unique, without a period.
    pub name: String,
    /// The page (1-based).
    pub page: usize,
    /// The widget's rectangle in default user space: x, y (lower-left corner), width,
    /// height, in points.
    pub rect: [f64; 4],
}

impl FieldSpec {
    /// A field named `name` on `page` (1-based) at `rect` = `[x, y, width, height]`.
    pub fn new(name: impl Into<String>, page: usize, rect: [f64; 4]) -> Self {
        FieldSpec {
            name: name.into(),
            page,
            rect,
        }
    }
}

/// Adds empty signature fields to the PDF at `input` and writes the result to `output` by
/// kyso's write rule ([`crate::output`]).
pub fn add_fields_file<'a>(
    input: &Path,
    output: impl Into<Target<'a>>,
    fields: &[FieldSpec],
) -> Result<(), Error> {
    add_fields_file_with_password(input, output, fields, None)
}

/// [`add_fields_file`] for an input that may be encrypted with a user password: `password`
/// (user or owner) first, then the empty user password. The update is written encrypted
/// with the document's own key (ISO 32000-2 §7.6).
pub fn add_fields_file_with_password<'a>(
    input: &Path,
    output: impl Into<Target<'a>>,
    fields: &[FieldSpec],
    password: Option<&crate::pdf::Password>,
) -> Result<(), Error> {
    let opened = update::open_with_password(input, output, &[], password)?;
    let bytes = field_update(opened.doc(), fields).map_err(|e| e.with_path(input))?;
    opened.commit(&bytes)
}

/// Adds empty signature fields to a PDF held in memory.
pub fn add_fields_bytes(input: &[u8], fields: &[FieldSpec]) -> Result<Vec<u8>, Error> {
    let doc = Document::open(input)?;
    let bytes = field_update(&doc, fields)?;
    Ok(update::append(input, &bytes))
}

fn field_update<S: Source>(doc: &Document<S>, fields: &[FieldSpec]) -> Result<Vec<u8>, Error> {
    if fields.is_empty() || fields.len() > MAX_FIELDS {
        return Err(Error::from(Refusal::FieldCount { max: MAX_FIELDS }));
    }
    let Begun {
        mut update,
        rev,
        catalog_ref,
        mut catalog,
    } = update::begin(doc, Operation::AddFields)?;
    certify::check_allowed(doc, rev, &catalog, None, None)?;

    let existing = acroform::fields(doc, rev)?;
    let page_refs = pages::pages(doc, rev)?;
    let (mut acroform, acroform_ref) = super::placement::acroform_of(doc, rev, &catalog)?;
    let (mut field_array, fields_ref) = match acroform.get(b"Fields") {
        Some(Object::Reference(r)) => match doc.get(rev, *r)? {
            Some(Object::Array(a)) => (a, Some(*r)),
            _ => {
                return Err(Error::from(Refusal::Malformed {
                    entry: "/AcroForm /Fields",
                    expected: Expected::Array,
                }))
            }
        },
        Some(Object::Array(a)) => (a.clone(), None),
        None => (Vec::new(), None),
        Some(_) => {
            return Err(Error::from(Refusal::Malformed {
                entry: "/AcroForm /Fields",
                expected: Expected::Array,
            }))
        }
    };

    let mut names: Vec<&str> = existing.iter().map(|f| f.name.as_str()).collect();
    // Pages whose /Annots this update rewrites: a second field on the same page must extend
    // the rewritten array, so widgets are grouped per page and added once.
    let mut per_page: Vec<(crate::pdf::ObjRef, Vec<crate::pdf::ObjRef>)> = Vec::new();
    for spec in fields {
        if spec.name.is_empty() || spec.name.contains('.') {
            return Err(Error::from(Refusal::InvalidFieldName {
                name: spec.name.clone(),
            }));
        }
        if names.contains(&spec.name.as_str()) {
            return Err(Error::from(Refusal::FieldExists {
                name: spec.name.clone(),
            }));
        }
        names.push(&spec.name);
        let [x, y, w, h] = spec.rect;
        if !(x.is_finite() && y.is_finite() && w.is_finite() && h.is_finite())
            || w <= 0.0
            || h <= 0.0
        {
            return Err(Error::from(Refusal::BadFieldRectangle {
                name: spec.name.clone(),
            }));
        }
        let page_ref = spec
            .page
            .checked_sub(1)
            .and_then(|i| page_refs.get(i))
            .copied()
            .ok_or_else(|| {
                Error::from(Refusal::NoSuchPage {
                    page: spec.page,
                    pages: page_refs.len(),
                })
            })?;
        let field_ref = update.allocate()?;
        let mut widget = Dict::new();
        widget.set("Type", Object::Name("Annot".into()));
        widget.set("Subtype", Object::Name("Widget".into()));
        widget.set("FT", Object::Name("Sig".into()));
        widget.set("T", Object::String(PdfString::text(&spec.name)));
        widget.set("F", 4i64); // Print
        widget.set(
            "Rect",
            Object::Array(vec![
                Object::Real(x),
                Object::Real(y),
                Object::Real(x + w),
                Object::Real(y + h),
            ]),
        );
        widget.set("P", page_ref);
        update.put(field_ref, &Object::Dict(widget))?;
        field_array.push(Object::Reference(field_ref));
        match per_page.iter_mut().find(|(p, _)| *p == page_ref) {
            Some((_, widgets)) => widgets.push(field_ref),
            None => per_page.push((page_ref, vec![field_ref])),
        }
    }
    for (page_ref, widgets) in per_page {
        add_widgets(doc, rev, &mut update, page_ref, &widgets)?;
    }

    match fields_ref {
        Some(r) => update.put(r, &Object::Array(field_array))?,
        None => acroform.set("Fields", Object::Array(field_array)),
    }
    if fields_ref.is_none() {
        match acroform_ref {
            Some(r) => update.put(r, &Object::Dict(acroform))?,
            None => {
                let r = update.allocate()?;
                update.put(r, &Object::Dict(acroform))?;
                catalog.set("AcroForm", r);
                update.put(catalog_ref, &Object::Dict(catalog))?;
            }
        }
    }
    Ok(update.finish()?.bytes)
}

/// Appends widgets to one page's `/Annots` (wherever that array lives) in one rewrite.
fn add_widgets<S: Source>(
    doc: &Document<S>,
    rev: usize,
    update: &mut IncrementalUpdate,
    page_ref: crate::pdf::ObjRef,
    widgets: &[crate::pdf::ObjRef],
) -> Result<(), Error> {
    let new = widgets.iter().map(|w| Object::Reference(*w));
    let mut page = match doc.get(rev, page_ref)? {
        Some(Object::Dict(d)) => d,
        _ => {
            return Err(Error::from(Refusal::Malformed {
                entry: "the page object",
                expected: Expected::Dictionary,
            }))
        }
    };
    let mut annots = match page.get(b"Annots") {
        Some(Object::Reference(r)) => {
            let r = *r;
            let mut array = match doc.get(rev, r)? {
                Some(Object::Array(a)) => a,
                _ => {
                    return Err(Error::from(Refusal::Malformed {
                        entry: "the page's /Annots",
                        expected: Expected::Array,
                    }))
                }
            };
            array.extend(new);
            update.put(r, &Object::Array(array))?;
            return Ok(());
        }
        Some(Object::Array(a)) => a.clone(),
        None => Vec::new(),
        Some(_) => {
            return Err(Error::from(Refusal::Malformed {
                entry: "the page's /Annots",
                expected: Expected::Array,
            }))
        }
    };
    annots.extend(new);
    page.set("Annots", Object::Array(annots));
    update.put(page_ref, &Object::Dict(page))?;
    Ok(())
}
