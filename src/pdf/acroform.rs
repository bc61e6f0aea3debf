//! Interactive form fields (ISO 32000-2 §12.7) and signature dictionaries (§12.8.1).
//!
//! [`fields`] walks `/Root /AcroForm /Fields` and returns the terminal fields with their
//! fully qualified names and inherited attributes; [`signature_fields`] keeps those of type
//! `/Sig`. [`signature_dictionaries`] finds signature dictionaries by scanning every object of
//! a revision, so that the verifier can notice signatures that no field points to.

use std::collections::HashSet;
use std::sync::Arc;

use super::document::Document;
use super::error::PdfError;
use super::object::{Dict, Name, ObjRef, Object};
use super::source::Source;
use super::xref::XrefEntry;

/// Field flag bits (§12.7.4.1 and §12.7.5, Tables 227, 229, 231, 233), for [`Field::flags`].
pub(crate) mod flags {
    /// The user may not change the field's value.
    pub const READ_ONLY: u32 = 1;
    /// The field must have a value when the form is submitted.
    pub const REQUIRED: u32 = 1 << 1;
    /// The field is not exported.
    pub const NO_EXPORT: u32 = 1 << 2;
    /// A text field of several lines.
    pub const MULTILINE: u32 = 1 << 12;
    /// A text field whose value is not shown.
    pub const PASSWORD: u32 = 1 << 13;
    /// A radio group where one button is always on.
    pub const NO_TOGGLE_TO_OFF: u32 = 1 << 14;
    /// A button field that is a radio group.
    pub const RADIO: u32 = 1 << 15;
    /// A button field that is a push button.
    pub const PUSHBUTTON: u32 = 1 << 16;
    /// A choice field that is a combo box.
    pub const COMBO: u32 = 1 << 17;
    /// A combo box whose text can be edited.
    pub const EDIT: u32 = 1 << 18;
    /// A text field whose value is a file name.
    pub const FILE_SELECT: u32 = 1 << 20;
    /// A list box where several options can be chosen.
    pub const MULTI_SELECT: u32 = 1 << 21;
    /// A text field drawn in equal cells (`/MaxLen` of them).
    pub const COMB: u32 = 1 << 24;
    /// Rich text for text fields; radios in unison for radio groups (same bit).
    pub const RICH_TEXT: u32 = 1 << 25;
    /// Radio buttons with the same on-state turn on and off together (the bit of
    /// [`RICH_TEXT`]).
    pub const RADIOS_IN_UNISON: u32 = 1 << 25;
}

/// A terminal form field: one with no child fields (its kids, if any, are widgets).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Field {
    /// The fully qualified name: the `/T` partial names of the field and its ancestors,
    /// decoded as text strings and joined with `.` (ancestors without `/T` add nothing).
    pub name: String,
    /// The field's own `/T`, if it has one.
    pub partial_name: Option<String>,
    /// `/FT` (`Btn`, `Tx`, `Ch`, `Sig`), inherited from ancestors when absent.
    pub field_type: Option<Name>,
    /// `/V` as written (a reference stays a reference), inherited when absent.
    pub value: Option<Object>,
    /// `/Ff`, inherited when absent; 0 when nowhere given (bits of §12.7.4.1, Table 227).
    pub flags: u32,
    /// The field dictionary's own reference; `None` when the dictionary is written directly
    /// inside its parent's `/Kids` or in `/Fields` (which the standard does not allow).
    pub id: Option<ObjRef>,
    /// Its widget annotations: the field itself when field and widget are merged
    /// (`/Subtype /Widget` in the field dictionary), then its widget kids.
    pub widgets: Vec<ObjRef>,
    /// The field dictionary itself.
    pub dict: Dict,
}

impl Field {
    /// True for signature fields (`/FT /Sig`).
    pub fn is_signature(&self) -> bool {
        self.field_type
            .as_ref()
            .is_some_and(|t| t.as_bytes() == b"Sig")
    }
}

/// Longest fully qualified field name accepted (64 KiB): bounds the memory a deep tree of
/// long partial names can cost.
const MAX_QUALIFIED_NAME: usize = 64 * 1024;

/// What a field inherits from its ancestors.
#[derive(Debug, Default)]
struct Inherited {
    name: String,
    field_type: Option<Name>,
    value: Option<Object>,
    flags: Option<u32>,
}

/// The terminal fields of revision `rev`'s interactive form, in tree order; empty when the
/// document has no `/AcroForm` or no `/Fields`.
///
/// A kid is a child field when it has `/T` or `/Kids`, a widget otherwise. Objects already
/// visited (cycles, shared kids) are skipped; at most `max_tree_nodes` dictionaries are read,
/// the tree may be at most `max_depth` levels deep and a qualified name at most 64 KiB long.
pub fn fields<S: Source>(doc: &Document<S>, rev: usize) -> Result<Vec<Field>, PdfError> {
    let catalog = doc.catalog(rev)?;
    let Some(acroform) = catalog.get(b"AcroForm") else {
        return Ok(Vec::new());
    };
    let Some(acroform) = doc.resolve_dict(rev, acroform)? else {
        return Ok(Vec::new());
    };
    let top = match acroform.get(b"Fields") {
        Some(f) => doc.resolve(rev, f)?,
        None => return Ok(Vec::new()),
    };
    let Object::Array(top) = top else {
        return Ok(Vec::new());
    };

    let limit = doc.budget().max_tree_nodes;
    let mut walk = Walk {
        doc,
        rev,
        seen: HashSet::new(),
        nodes: 0,
        limit,
    };
    let root = Arc::new(Inherited::default());
    let mut firsts = Vec::new();
    for item in top.iter() {
        if let Some(node) = walk.node(item)? {
            firsts.push(node);
        }
    }
    // Popping from the end must yield tree order, so nodes are pushed in reverse.
    let mut stack: Vec<(Option<ObjRef>, Dict, Arc<Inherited>, usize)> = firsts
        .into_iter()
        .rev()
        .map(|(id, dict)| (id, dict, Arc::clone(&root), 1))
        .collect();
    let max_depth = doc.budget().max_depth;
    let mut out = Vec::new();
    while let Some((id, dict, parent, depth)) = stack.pop() {
        if depth > max_depth {
            return Err(PdfError::budget("form field tree depth", max_depth as u64));
        }
        // Viewers follow references wherever a value may stand (§7.3.10): so does this walk
        // for the entries that decide a field's name, type, flags and widgets.
        let entry = |key: &[u8]| resolved(doc, rev, &dict, key);
        let partial_name = match entry(b"T") {
            Some(Object::String(s)) => Some(s.to_text()),
            _ => None,
        };
        let name = match (&partial_name, parent.name.is_empty()) {
            (Some(t), true) => t.clone(),
            (Some(t), false) => format!("{}.{}", parent.name, t),
            (None, _) => parent.name.clone(),
        };
        if name.len() > MAX_QUALIFIED_NAME {
            return Err(PdfError::budget(
                "qualified field name length in bytes",
                MAX_QUALIFIED_NAME as u64,
            ));
        }
        let field_type = match entry(b"FT") {
            Some(Object::Name(n)) => Some(n),
            _ => parent.field_type.clone(),
        };
        let value = dict.get(b"V").cloned().or_else(|| parent.value.clone());
        let own_flags = match entry(b"Ff") {
            Some(Object::Integer(f)) => Some(u32::try_from(f & 0xFFFF_FFFF).unwrap_or(0)),
            _ => None,
        };
        let flags = own_flags.or(parent.flags);

        let mut child_fields = Vec::new();
        let mut widgets = Vec::new();
        if matches!(entry(b"Subtype"), Some(Object::Name(n)) if n.as_bytes() == b"Widget") {
            if let Some(id) = id {
                widgets.push(id);
            }
        }
        if let Some(kids) = dict.get(b"Kids") {
            if let Object::Array(kids) = doc.resolve(rev, kids)? {
                for kid in &kids {
                    let Some((kid_id, kid_dict)) = walk.node(kid)? else {
                        continue;
                    };
                    if kid_dict.contains(b"T") || kid_dict.contains(b"Kids") {
                        child_fields.push((kid_id, kid_dict));
                    } else if let Some(kid_id) = kid_id {
                        widgets.push(kid_id);
                    }
                }
            }
        }
        if child_fields.is_empty() {
            out.push(Field {
                name,
                partial_name,
                field_type,
                value,
                flags: flags.unwrap_or(0),
                id,
                widgets,
                dict,
            });
        } else {
            let ctx = Arc::new(Inherited {
                name,
                field_type,
                value,
                flags,
            });
            for (kid_id, kid_dict) in child_fields.into_iter().rev() {
                stack.push((kid_id, kid_dict, Arc::clone(&ctx), depth + 1));
            }
        }
    }
    Ok(out)
}

/// `/key` of `d`, references followed; `None` when absent or when a reference cannot be
/// followed (the entry then counts as absent, as for a value of the wrong type).
fn resolved<S: Source>(doc: &Document<S>, rev: usize, d: &Dict, key: &[u8]) -> Option<Object> {
    match d.get(key) {
        None => None,
        Some(o @ Object::Reference(_)) => doc.resolve(rev, o).ok(),
        Some(o) => Some(o.clone()),
    }
}

struct Walk<'d, S: Source> {
    doc: &'d Document<S>,
    rev: usize,
    seen: HashSet<ObjRef>,
    nodes: usize,
    limit: usize,
}

impl<S: Source> Walk<'_, S> {
    /// Resolves a field-tree entry to its dictionary, once per object; counts it against the
    /// node budget.
    fn node(&mut self, item: &Object) -> Result<Option<(Option<ObjRef>, Dict)>, PdfError> {
        let id = match item {
            Object::Reference(r) => {
                if !self.seen.insert(*r) {
                    return Ok(None);
                }
                Some(*r)
            }
            Object::Dict(_) => None,
            _ => return Ok(None),
        };
        self.nodes += 1;
        if self.nodes > self.limit {
            return Err(PdfError::budget("form field tree nodes", self.limit as u64));
        }
        Ok(self.doc.resolve_dict(self.rev, item)?.map(|d| (id, d)))
    }
}

/// The terminal fields of type `/Sig` in revision `rev` (signed or not: see
/// [`Field::value`]).
pub fn signature_fields<S: Source>(doc: &Document<S>, rev: usize) -> Result<Vec<Field>, PdfError> {
    Ok(fields(doc, rev)?
        .into_iter()
        .filter(Field::is_signature)
        .collect())
}

/// True for a dictionary that looks like a signature dictionary: `/Type /Sig` or
/// `/Type /DocTimeStamp`, or no `/Type` but `/ByteRange`, `/Contents` and `/Filter`.
pub fn is_signature_dictionary(d: &Dict) -> bool {
    match d.get_name(b"Type") {
        Some(b"Sig" | b"DocTimeStamp") => true,
        Some(_) => false,
        None => d.contains(b"ByteRange") && d.contains(b"Contents") && d.contains(b"Filter"),
    }
}

/// Every object in use in revision `rev` (objects in object streams included) that is a
/// signature dictionary (`/Type /Sig` or `/DocTimeStamp`; without `/Type`, one with
/// `/ByteRange`, `/Contents` and `/Filter`), in object-number order.
///
/// Streams are skipped without reading their data. Objects that cannot be parsed are
/// skipped too (a reader cannot use them either); exhausted budgets and I/O errors are
/// returned.
pub fn signature_dictionaries<S: Source>(
    doc: &Document<S>,
    rev: usize,
) -> Result<Vec<(ObjRef, Dict)>, PdfError> {
    if doc.trailer(rev).is_none() {
        return Err(PdfError::NoSuchRevision(rev));
    }
    // Visit objects in file order, and objects of one object stream together, so that each
    // object stream is decoded once and the file is read front to back.
    let mut order: Vec<(u8, u64, u32, ObjRef)> = doc
        .object_numbers(rev)
        .map(|r| match doc.lookup(rev, r) {
            Some(XrefEntry::InStream { stream_num, index }) => (1, u64::from(stream_num), index, r),
            Some(XrefEntry::InFile { offset, .. }) => (0, offset, 0, r),
            _ => (2, 0, 0, r),
        })
        .collect();
    order.sort_unstable();
    let mut out = Vec::new();
    for (_, _, _, r) in order {
        match doc.get(rev, r) {
            Ok(Some(Object::Dict(d))) if is_signature_dictionary(&d) => out.push((r, d)),
            Ok(_) => {}
            Err(e @ (PdfError::BudgetExceeded { .. } | PdfError::Io(_))) => return Err(e),
            Err(_) => {}
        }
    }
    out.sort_by_key(|(r, _)| *r);
    Ok(out)
}
