//! Checking form data against the form: every value is matched with its field and checked
//! (type, options, length, flags, locks, glyphs) before anything is written, and every
//! problem is collected so that one error lists them all.

use std::collections::HashMap;

use crate::draw::font::Font;
use crate::pdf::Name;

use super::error::{Problem, ProblemKind};
use super::read::{FieldInfo, FieldKind, Kind};
use super::value::{Entry, FieldValue, FormValues};

/// The new value of one field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Change {
    /// Text of a text field.
    Text(String),
    /// A button's new state: the on-state's name, or `None` for `/Off`.
    Button { state: Option<Name> },
    /// Chosen options (indices into the field's options) of a choice field, or a value typed
    /// into an editable combo box.
    Choice {
        selected: Vec<usize>,
        custom: Option<String>,
    },
}

/// One field to change.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Planned {
    /// Index into the fields read.
    pub index: usize,
    pub change: Change,
}

/// Unknown names for which a close field name is looked for.
const MAX_SUGGESTIONS: usize = 100;

/// The state a check box without appearance states gets when turned on (the name ISO
/// 32000-2 recommends).
pub(crate) const DEFAULT_ON_STATE: &str = "Yes";

/// Matches every value with its field and checks it; all problems at once.
pub(crate) fn plan(
    fields: &[FieldInfo],
    values: &FormValues,
    font: &Font,
    font_name: &str,
) -> Result<Vec<Planned>, Vec<Problem>> {
    let mut problems = values.reading_problems();
    let mut planned = Vec::new();
    // The first field of each name (names are unique in a well-formed form).
    let mut by_name: HashMap<&str, usize> = HashMap::with_capacity(fields.len());
    for (i, f) in fields.iter().enumerate() {
        by_name.entry(f.public.name.as_str()).or_insert(i);
    }
    let mut suggestions = 0usize;
    for (name, entry) in values.entries() {
        let Some(&index) = by_name.get(name.as_str()) else {
            // Suggestions scan every field: only for the first few unknown names.
            suggestions += 1;
            let similar = if suggestions <= MAX_SUGGESTIONS {
                similar_name(fields, name)
            } else {
                None
            };
            problems.push(Problem::new(
                name.clone(),
                ProblemKind::UnknownField { similar },
            ));
            continue;
        };
        let Some(info) = fields.get(index) else {
            continue;
        };
        match check(info, entry, font, font_name) {
            Ok(change) => planned.push(Planned { index, change }),
            Err(kind) => problems.push(Problem::new(name.clone(), kind)),
        }
    }
    if problems.is_empty() {
        Ok(planned)
    } else {
        Err(problems)
    }
}

/// A field whose name differs only in case, or whose last component is the name given.
fn similar_name(fields: &[FieldInfo], name: &str) -> Option<String> {
    let lower = name.to_lowercase();
    fields
        .iter()
        .map(|f| &f.public.name)
        .find(|n| n.to_lowercase() == lower)
        .or_else(|| {
            fields
                .iter()
                .map(|f| &f.public.name)
                .find(|n| n.rsplit('.').next() == Some(name))
        })
        .cloned()
}

fn check(
    info: &FieldInfo,
    entry: &Entry,
    font: &Font,
    font_name: &str,
) -> Result<Change, ProblemKind> {
    let kind = fillable_kind(info)?;
    let value = match entry {
        Entry::Value(v) => v,
        Entry::BadType(found) => {
            return Err(ProblemKind::WrongType {
                expected: expected(info, kind),
                found,
            })
        }
    };
    let ink = Ink { font, font_name };
    match kind {
        FieldKind::Text => text_change(info, kind, value, &ink),
        FieldKind::CheckBox | FieldKind::RadioGroup => button_change(info, kind, value),
        FieldKind::ComboBox | FieldKind::ListBox => choice_change(info, kind, value, &ink),
        FieldKind::Signature => Err(ProblemKind::SignatureField),
    }
}

/// The field's kind when kyso may fill it: not a signature field or push button, not
/// read-only, locked, a password or rich-text field, and held in an object of its own.
fn fillable_kind(info: &FieldInfo) -> Result<FieldKind, ProblemKind> {
    let kind = match info.kind {
        Kind::Field(FieldKind::Signature) => return Err(ProblemKind::SignatureField),
        Kind::PushButton => return Err(ProblemKind::PushButton),
        Kind::Unknown => return Err(ProblemKind::NoFieldType),
        Kind::Field(k) => k,
    };
    let flags = &info.public.flags;
    if flags.read_only {
        return Err(ProblemKind::ReadOnly);
    }
    if let Some(by) = &info.public.locked_by {
        return Err(ProblemKind::Locked { by: by.clone() });
    }
    if flags.password {
        return Err(ProblemKind::Password);
    }
    if flags.rich_text {
        return Err(ProblemKind::RichText);
    }
    if info.raw.id.is_none() {
        return Err(ProblemKind::NotUpdatable);
    }
    Ok(kind)
}

/// A value of the wrong JSON type for the field.
fn wrong_type(info: &FieldInfo, kind: FieldKind, v: &FieldValue) -> ProblemKind {
    ProblemKind::WrongType {
        expected: expected(info, kind),
        found: match v {
            FieldValue::Text(_) => "a string",
            FieldValue::Bool(_) => "a boolean",
            FieldValue::List(_) => "an array",
        },
    }
}

/// The font the appearance will be drawn with: every character must have a glyph.
struct Ink<'a> {
    font: &'a Font,
    font_name: &'a str,
}

impl Ink<'_> {
    fn check(&self, text: &str) -> Result<(), ProblemKind> {
        for ch in text.chars().filter(|&c| c != '\n') {
            if self.font.width(&ch.to_string(), 1.0).is_err() {
                return Err(ProblemKind::MissingGlyph {
                    ch,
                    font: self.font_name.to_string(),
                });
            }
        }
        Ok(())
    }
}

/// A text field's value: line breaks only in multi-line fields, at most `/MaxLen`
/// characters, every character drawable.
fn text_change(
    info: &FieldInfo,
    kind: FieldKind,
    value: &FieldValue,
    ink: &Ink,
) -> Result<Change, ProblemKind> {
    let flags = &info.public.flags;
    let FieldValue::Text(text) = value else {
        return Err(wrong_type(info, kind, value));
    };
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    if text.contains('\n') && !flags.multiline {
        return Err(ProblemKind::LineBreak);
    }
    if let Some(max) = info.public.max_len {
        let length = text.chars().count();
        if length > max as usize {
            return Err(ProblemKind::TooLong { length, max });
        }
    }
    ink.check(&text)?;
    Ok(Change::Text(text))
}

/// A check box or radio group's state: `false`/"Off" turns it off (unless a radio group must
/// keep one on), `true` the check box's one on-state, text an export value or state name.
fn button_change(
    info: &FieldInfo,
    kind: FieldKind,
    value: &FieldValue,
) -> Result<Change, ProblemKind> {
    let flags = &info.public.flags;
    let radio = kind == FieldKind::RadioGroup;
    let states = distinct_states(info);
    let options: Vec<String> = info
        .public
        .options
        .iter()
        .map(|o| o.export.clone())
        .collect();
    match value {
        FieldValue::Bool(false) => {
            if radio && flags.no_toggle_to_off {
                return Err(ProblemKind::CannotTurnOff);
            }
            Ok(Change::Button { state: None })
        }
        FieldValue::Bool(true) if !radio => match states.as_slice() {
            [] => Ok(Change::Button {
                state: Some(Name::from(DEFAULT_ON_STATE)),
            }),
            [one] => Ok(Change::Button {
                state: Some(one.clone()),
            }),
            _ => Err(ProblemKind::AmbiguousCheckBox { options }),
        },
        FieldValue::Text(s) => {
            if s == "Off" && !(radio && flags.no_toggle_to_off) {
                return Ok(Change::Button { state: None });
            }
            let by_export = info
                .widgets
                .iter()
                .find(|w| w.export.as_deref() == Some(s.as_str()))
                .and_then(|w| w.on_states.first().cloned());
            let by_state = || {
                states
                    .iter()
                    .find(|n| super::read::name_text(n) == *s)
                    .cloned()
            };
            match by_export.or_else(by_state) {
                Some(state) => Ok(Change::Button { state: Some(state) }),
                None if !radio && states.is_empty() && s == DEFAULT_ON_STATE => {
                    Ok(Change::Button {
                        state: Some(Name::from(DEFAULT_ON_STATE)),
                    })
                }
                None => Err(ProblemKind::NotAnOption {
                    value: s.clone(),
                    options: if !radio && states.is_empty() {
                        vec![DEFAULT_ON_STATE.to_string()]
                    } else {
                        options
                    },
                }),
            }
        }
        other => Err(wrong_type(info, kind, other)),
    }
}

/// A combo or list box's choice: options by export value or display text, several only in a
/// multi-select list, free text only in an editable combo box; what will be drawn drawable.
fn choice_change(
    info: &FieldInfo,
    kind: FieldKind,
    value: &FieldValue,
    ink: &Ink,
) -> Result<Change, ProblemKind> {
    let flags = &info.public.flags;
    let options = &info.public.options;
    let find = |s: &str| {
        options
            .iter()
            .position(|o| o.export == s)
            .or_else(|| options.iter().position(|o| o.display == s))
    };
    let not_an_option = |s: &str| ProblemKind::NotAnOption {
        value: s.to_string(),
        options: options.iter().map(|o| o.export.clone()).collect(),
    };
    let texts: Vec<&String> = match value {
        FieldValue::Text(s) => vec![s],
        FieldValue::List(list) if kind == FieldKind::ListBox => list.iter().collect(),
        other => return Err(wrong_type(info, kind, other)),
    };
    if kind == FieldKind::ListBox && !flags.multi_select && texts.len() > 1 {
        return Err(ProblemKind::SeveralChoices { count: texts.len() });
    }
    let mut selected = Vec::new();
    let mut custom = None;
    for s in texts {
        match find(s) {
            Some(i) => {
                if !selected.contains(&i) {
                    selected.push(i);
                }
            }
            None if kind == FieldKind::ComboBox && flags.editable => {
                if s.contains('\n') || s.contains('\r') {
                    return Err(ProblemKind::LineBreak);
                }
                custom = Some(s.clone());
            }
            None => return Err(not_an_option(s)),
        }
    }
    selected.sort_unstable();
    // What the appearance draws must be drawable.
    match kind {
        FieldKind::ComboBox => {
            if let Some(c) = &custom {
                ink.check(c)?;
            }
            for &i in &selected {
                if let Some(o) = options.get(i) {
                    ink.check(&o.display)?;
                }
            }
        }
        _ => {
            for o in options.iter().skip(info.top_index) {
                ink.check(&o.display)?;
            }
        }
    }
    Ok(Change::Choice { selected, custom })
}

/// The on-state names of the field's widgets, each once, in widget order.
fn distinct_states(info: &FieldInfo) -> Vec<Name> {
    let mut out: Vec<Name> = Vec::new();
    for w in &info.widgets {
        for s in &w.on_states {
            if !out.contains(s) {
                out.push(s.clone());
            }
        }
    }
    out
}

fn expected(info: &FieldInfo, kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Text => "a string",
        FieldKind::CheckBox => "true, false or an export value (a string)",
        FieldKind::RadioGroup => "an export value (a string), or false",
        FieldKind::ComboBox => "a string (one of its options)",
        FieldKind::ListBox if info.public.flags.multi_select => {
            "a string or an array of strings (its options)"
        }
        FieldKind::ListBox => "a string (one of its options)",
        FieldKind::Signature => "nothing (signature fields are filled by signing)",
    }
}
