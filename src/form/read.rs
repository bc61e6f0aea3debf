//! Reading a form: every terminal field of the last revision with its kind, value, options,
//! flags and widgets, as [`FormField`] for callers and [`FieldInfo`] for filling.

use std::collections::HashSet;

use serde::Serialize;

use crate::pdf::acroform::{self, Field};
use crate::pdf::{Dict, Document, Name, ObjRef, Object, PdfError, Source};

use super::perms;
use super::value::FieldValue;

/// Field flag bits (ISO 32000-2 §12.7.4.1 and §12.7.5): the reader's table.
pub(crate) use crate::pdf::acroform::flags as bits;

/// Most options read from one choice field's `/Opt`.
pub const MAX_OPTIONS: usize = 10_000;

/// What kind of field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FieldKind {
    /// A text field (`/FT /Tx`).
    Text,
    /// A check box (`/FT /Btn`, neither radio nor push button).
    CheckBox,
    /// A radio group (`/FT /Btn` with the Radio flag).
    RadioGroup,
    /// A combo box (`/FT /Ch` with the Combo flag).
    ComboBox,
    /// A list box (`/FT /Ch` without the Combo flag).
    ListBox,
    /// A signature field (`/FT /Sig`).
    Signature,
}

impl FieldKind {
    /// The kind in words, for messages and listings.
    pub fn describe(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::CheckBox => "check box",
            FieldKind::RadioGroup => "radio group",
            FieldKind::ComboBox => "combo box",
            FieldKind::ListBox => "list box",
            FieldKind::Signature => "signature",
        }
    }
}

/// The field's flags, decoded (only those that apply to its kind are ever true).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct FieldFlags {
    /// The value may not be changed.
    pub read_only: bool,
    /// A value is required when the form is submitted.
    pub required: bool,
    /// The field is not exported when the form is submitted.
    pub no_export: bool,
    /// Text: several lines.
    pub multiline: bool,
    /// Text: a password (never stored).
    pub password: bool,
    /// Text: one character per cell, `/MaxLen` cells.
    pub comb: bool,
    /// Text: rich text.
    pub rich_text: bool,
    /// Text: a file name to select.
    pub file_select: bool,
    /// Combo box: the user may type a value that is not an option.
    pub editable: bool,
    /// List box: several options may be chosen.
    pub multi_select: bool,
    /// Radio group: one button is always on.
    pub no_toggle_to_off: bool,
    /// Radio group: buttons with the same on-state turn on and off together.
    pub radios_in_unison: bool,
}

/// One option of a choice field, or one export value of a check box or radio group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct FieldOption {
    /// The value stored in `/V` (and given in form data).
    pub export: String,
    /// The text shown (equal to `export` unless `/Opt` gives a pair).
    pub display: String,
}

/// A form field as `kyso form list` shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct FormField {
    /// Fully qualified name (partial names joined with `.`): the key in form data.
    pub name: String,
    /// Kind.
    pub kind: FieldKind,
    /// The current value in the form data's terms: text, the export value of a check box
    /// that is on (`false` when off), the export value of the radio button that is on, the
    /// chosen option or options; `None` when unset (and for signature fields).
    pub value: Option<FieldValue>,
    /// Choice fields: the options; check boxes and radio groups: their export values.
    pub options: Vec<FieldOption>,
    /// Flags.
    pub flags: FieldFlags,
    /// `/MaxLen` of a text field.
    pub max_len: Option<u32>,
    /// Number of widget annotations.
    pub widgets: usize,
    /// Signature fields: signed (has a value).
    pub signed: bool,
    /// The signature field whose FieldMDP lock covers this field, if any.
    pub locked_by: Option<String>,
}

/// The kind including push buttons, which listings skip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Field(FieldKind),
    PushButton,
    /// No or an unknown `/FT`.
    Unknown,
}

/// A widget of a field as read from the document.
#[derive(Debug, Clone)]
pub(crate) struct Widget {
    pub r: ObjRef,
    pub dict: Dict,
    /// The names of `/AP /N` other than `/Off` (buttons' on-states).
    pub on_states: Vec<Name>,
    /// The export value of this widget (buttons): `/Opt` entry, else the on-state's name.
    pub export: Option<String>,
}

/// Everything filling needs to know about one field.
#[derive(Debug, Clone)]
pub(crate) struct FieldInfo {
    pub public: FormField,
    pub kind: Kind,
    pub raw: Field,
    pub widgets: Vec<Widget>,
    /// `/DA`, from the field or its ancestors, else the AcroForm's.
    pub da: Option<Vec<u8>>,
    /// `/Q`, from the field or its ancestors, else the AcroForm's; 0 when nowhere given.
    pub quadding: i64,
    /// `/TI` of a list box.
    pub top_index: usize,
}

/// The form fields of the last revision, in the order of the field tree; push buttons and
/// fields without a type are left out.
pub fn list_fields<S: Source>(doc: &Document<S>) -> Result<Vec<FormField>, PdfError> {
    Ok(read_fields(doc, doc.last_revision())?
        .into_iter()
        .filter(|f| matches!(f.kind, Kind::Field(_)))
        .map(|f| f.public)
        .collect())
}

/// Every terminal field of revision `rev`, with what filling needs.
pub(crate) fn read_fields<S: Source>(
    doc: &Document<S>,
    rev: usize,
) -> Result<Vec<FieldInfo>, PdfError> {
    let fields = acroform::fields(doc, rev)?;
    if fields.is_empty() {
        return Ok(Vec::new());
    }
    let acroform = doc
        .catalog(rev)?
        .get(b"AcroForm")
        .map(|a| doc.resolve_dict(rev, a))
        .transpose()?
        .flatten()
        .unwrap_or_default();
    let locks = perms::field_locks(doc, rev, &fields)?;
    let mut out = Vec::with_capacity(fields.len());
    for field in fields {
        let locked_by = locks
            .iter()
            .find(|(locked, _)| locked == &field.name)
            .map(|(_, by)| by.clone());
        out.push(read_field(doc, rev, field, &acroform, locked_by)?);
    }
    Ok(out)
}

fn read_field<S: Source>(
    doc: &Document<S>,
    rev: usize,
    field: Field,
    acroform: &Dict,
    locked_by: Option<String>,
) -> Result<FieldInfo, PdfError> {
    let ff = field.flags;
    let has = |bit: u32| ff & bit != 0;
    let kind = match field.field_type.as_ref().map(Name::as_bytes) {
        Some(b"Tx") => Kind::Field(FieldKind::Text),
        Some(b"Btn") if has(bits::PUSHBUTTON) => Kind::PushButton,
        Some(b"Btn") if has(bits::RADIO) => Kind::Field(FieldKind::RadioGroup),
        Some(b"Btn") => Kind::Field(FieldKind::CheckBox),
        Some(b"Ch") if has(bits::COMBO) => Kind::Field(FieldKind::ComboBox),
        Some(b"Ch") => Kind::Field(FieldKind::ListBox),
        Some(b"Sig") => Kind::Field(FieldKind::Signature),
        _ => Kind::Unknown,
    };
    let public_kind = match kind {
        Kind::Field(k) => k,
        // Never listed (see `list_fields`); filling refuses them.
        Kind::PushButton | Kind::Unknown => FieldKind::Text,
    };
    let is = |k: FieldKind| kind == Kind::Field(k);
    let flags = FieldFlags {
        read_only: has(bits::READ_ONLY),
        required: has(bits::REQUIRED),
        no_export: has(bits::NO_EXPORT),
        multiline: is(FieldKind::Text) && has(bits::MULTILINE),
        password: is(FieldKind::Text) && has(bits::PASSWORD),
        comb: is(FieldKind::Text) && has(bits::COMB),
        rich_text: is(FieldKind::Text) && has(bits::RICH_TEXT),
        file_select: is(FieldKind::Text) && has(bits::FILE_SELECT),
        editable: is(FieldKind::ComboBox) && has(bits::EDIT),
        multi_select: is(FieldKind::ListBox) && has(bits::MULTI_SELECT),
        no_toggle_to_off: is(FieldKind::RadioGroup) && has(bits::NO_TOGGLE_TO_OFF),
        radios_in_unison: is(FieldKind::RadioGroup) && has(bits::RADIOS_IN_UNISON),
    };

    let inherited = |key: &[u8]| inherited(doc, rev, &field.dict, key);
    let max_len = match inherited(b"MaxLen")? {
        Some(Object::Integer(n)) => u32::try_from(n).ok(),
        _ => None,
    };
    let da = match inherited(b"DA")? {
        Some(Object::String(s)) => Some(s.bytes),
        _ => match acroform
            .get(b"DA")
            .map(|d| doc.resolve(rev, d))
            .transpose()?
        {
            Some(Object::String(s)) => Some(s.bytes),
            _ => None,
        },
    };
    let quadding = match inherited(b"Q")? {
        Some(Object::Integer(q)) => q,
        _ => acroform.get_int(b"Q").unwrap_or(0),
    };
    let top_index = field
        .dict
        .get_int(b"TI")
        .and_then(|t| usize::try_from(t).ok())
        .unwrap_or(0);

    // Button /Opt: one export value per widget, in widget order.
    let opt = match field
        .dict
        .get(b"Opt")
        .map(|o| doc.resolve(rev, o))
        .transpose()?
    {
        Some(Object::Array(items)) => items,
        _ => Vec::new(),
    };

    let mut widgets = Vec::with_capacity(field.widgets.len());
    for (i, &w) in field.widgets.iter().enumerate() {
        let dict = if Some(w) == field.id {
            field.dict.clone()
        } else {
            match doc.get(rev, w)? {
                Some(Object::Dict(d)) => d,
                _ => continue,
            }
        };
        let on_states = on_states(doc, rev, &dict)?;
        let export = match kind {
            Kind::Field(FieldKind::CheckBox | FieldKind::RadioGroup) => {
                let from_opt = match opt.get(i) {
                    Some(o) => match doc.resolve(rev, o)? {
                        Object::String(s) => Some(s.to_text()),
                        _ => None,
                    },
                    None => None,
                };
                from_opt.or_else(|| on_states.first().map(name_text))
            }
            _ => None,
        };
        widgets.push(Widget {
            r: w,
            dict,
            on_states,
            export,
        });
    }

    let options = match kind {
        Kind::Field(FieldKind::ComboBox | FieldKind::ListBox) => choice_options(doc, rev, &opt)?,
        Kind::Field(FieldKind::CheckBox | FieldKind::RadioGroup) => {
            let mut seen = HashSet::new();
            widgets
                .iter()
                .filter_map(|w| w.export.clone())
                .filter(|e| seen.insert(e.clone()))
                .map(|e| FieldOption {
                    export: e.clone(),
                    display: e,
                })
                .collect()
        }
        _ => Vec::new(),
    };

    let value = current_value(doc, rev, kind, &field, &widgets)?;
    let public = FormField {
        name: field.name.clone(),
        kind: public_kind,
        value,
        options,
        flags,
        max_len: if is(FieldKind::Text) { max_len } else { None },
        widgets: widgets.len(),
        signed: is(FieldKind::Signature) && has_value(doc, rev, &field)?,
        locked_by,
    };
    Ok(FieldInfo {
        public,
        kind,
        raw: field,
        widgets,
        da,
        quadding,
        top_index,
    })
}

/// `key` from the field dictionary or the nearest ancestor that has it (following
/// `/Parent`, at most `max_depth` levels, each object once).
fn inherited<S: Source>(
    doc: &Document<S>,
    rev: usize,
    dict: &Dict,
    key: &[u8],
) -> Result<Option<Object>, PdfError> {
    if let Some(v) = dict.get(key) {
        return Ok(Some(doc.resolve(rev, v)?));
    }
    let mut seen = HashSet::new();
    let mut parent = dict.get(b"Parent").and_then(Object::as_ref);
    let mut depth = 0usize;
    while let Some(p) = parent {
        depth += 1;
        if depth > doc.budget().max_depth || !seen.insert(p) {
            return Ok(None);
        }
        let Some(d) = doc.resolve_dict(rev, &Object::Reference(p))? else {
            return Ok(None);
        };
        if let Some(v) = d.get(key) {
            return Ok(Some(doc.resolve(rev, v)?));
        }
        parent = d.get(b"Parent").and_then(Object::as_ref);
    }
    Ok(None)
}

/// The names of a widget's normal appearance states other than `/Off`.
fn on_states<S: Source>(
    doc: &Document<S>,
    rev: usize,
    widget: &Dict,
) -> Result<Vec<Name>, PdfError> {
    let Some(ap) = widget
        .get(b"AP")
        .map(|a| doc.resolve_dict(rev, a))
        .transpose()?
        .flatten()
    else {
        return Ok(Vec::new());
    };
    let Some(n) = ap.get(b"N") else {
        return Ok(Vec::new());
    };
    let Some(states) = doc.resolve_dict(rev, n)? else {
        return Ok(Vec::new());
    };
    Ok(states
        .iter()
        .map(|(k, _)| k.clone())
        .filter(|k| k.as_bytes() != b"Off")
        .collect())
}

/// A name as text: UTF-8 when it is, else each byte as Latin-1.
pub(crate) fn name_text(n: &Name) -> String {
    match std::str::from_utf8(n.as_bytes()) {
        Ok(s) => s.to_string(),
        Err(_) => n.as_bytes().iter().map(|&b| char::from(b)).collect(),
    }
}

/// `/Opt` of a choice field: text strings, or `[export display]` pairs.
fn choice_options<S: Source>(
    doc: &Document<S>,
    rev: usize,
    opt: &[Object],
) -> Result<Vec<FieldOption>, PdfError> {
    if opt.len() > MAX_OPTIONS {
        return Err(PdfError::budget("choice field options", MAX_OPTIONS as u64));
    }
    let mut out = Vec::with_capacity(opt.len());
    for item in opt {
        match doc.resolve(rev, item)? {
            Object::String(s) => {
                let t = s.to_text();
                out.push(FieldOption {
                    export: t.clone(),
                    display: t,
                });
            }
            Object::Array(pair) => {
                let text = |o: Option<&Object>| -> Result<Option<String>, PdfError> {
                    Ok(match o.map(|o| doc.resolve(rev, o)).transpose()? {
                        Some(Object::String(s)) => Some(s.to_text()),
                        _ => None,
                    })
                };
                let export = text(pair.first())?;
                let display = text(pair.get(1))?;
                if let (Some(export), Some(display)) = (export, display) {
                    out.push(FieldOption { export, display });
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

fn has_value<S: Source>(doc: &Document<S>, rev: usize, field: &Field) -> Result<bool, PdfError> {
    Ok(match &field.value {
        None => false,
        Some(v) => !matches!(doc.resolve(rev, v)?, Object::Null),
    })
}

/// The field's value in form-data terms.
fn current_value<S: Source>(
    doc: &Document<S>,
    rev: usize,
    kind: Kind,
    field: &Field,
    widgets: &[Widget],
) -> Result<Option<FieldValue>, PdfError> {
    let Some(v) = &field.value else {
        return Ok(match kind {
            Kind::Field(FieldKind::CheckBox) => Some(FieldValue::Bool(false)),
            _ => None,
        });
    };
    let v = doc.resolve(rev, v)?;
    Ok(match kind {
        Kind::Field(FieldKind::Text | FieldKind::ComboBox | FieldKind::ListBox) => match v {
            Object::String(s) => Some(FieldValue::Text(s.to_text())),
            Object::Stream(s) => {
                let bytes = doc.decode_stream(rev, &s)?;
                Some(FieldValue::Text(crate::pdf::object::decode_text_string(
                    &bytes,
                )))
            }
            Object::Array(items) => {
                let mut list = Vec::new();
                for i in items {
                    if let Object::String(s) = doc.resolve(rev, &i)? {
                        list.push(s.to_text());
                    }
                }
                Some(FieldValue::List(list))
            }
            _ => None,
        },
        Kind::Field(kind @ (FieldKind::CheckBox | FieldKind::RadioGroup)) => match v {
            Object::Name(n) if n.as_bytes() != b"Off" => {
                let export = widgets
                    .iter()
                    .find(|w| w.on_states.contains(&n))
                    .and_then(|w| w.export.clone())
                    .unwrap_or_else(|| name_text(&n));
                Some(FieldValue::Text(export))
            }
            _ if kind == FieldKind::CheckBox => Some(FieldValue::Bool(false)),
            _ => None,
        },
        _ => None,
    })
}
