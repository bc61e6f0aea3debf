//! Why a form could not be filled or flattened, and the problems a data file can have.

use std::fmt;

/// Why kyso could not fill or flatten a form. Nothing was written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FormError {
    /// The data is not JSON.
    #[error("the form data is not valid JSON: {message} (line {line}, column {column})")]
    InvalidJson {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// What the JSON parser said.
        message: String,
    },
    /// The data is JSON but not an object of field names to values.
    #[error(
        "the form data must be a JSON object mapping field names to values, not {found} \
         (for example {{\"ho_ten\": \"Nguyễn Văn An\", \"dong_y\": true}})"
    )]
    NotAnObject {
        /// What was found (`an array`, `a string`, …).
        found: &'static str,
    },
    /// The data is larger than kyso reads.
    #[error("the form data is {len} bytes, more than the limit of {limit} bytes")]
    DataTooLarge {
        /// Its length.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// No value was given.
    #[error("the form data gives no value")]
    NoValues,
    /// Every problem found with the values, at once.
    #[error("{}", rejected_message(problems))]
    Rejected {
        /// The problems, in the order of the data.
        problems: Vec<Problem>,
    },
    /// The document is certified with DocMDP P=1: no change at all is allowed.
    #[error(
        "the document is certified with DocMDP P=1: no change is allowed, not even filling in \
         its form (the certification would no longer hold)"
    )]
    CertifiedNoChanges,
    /// Flattening was asked for a signed document.
    #[error(
        "the document is signed ({}); flattening draws the fields into the page content and \
         removes them, a change no signature allows, so every signature would become invalid. \
         Flatten before signing, or keep the signed file as it is",
        signatures.join(", ")
    )]
    Signed {
        /// The signed signature fields (or a description of the signature found).
        signatures: Vec<String>,
    },
    /// Flattening was asked for a document without fields to flatten.
    #[error("the document has no form fields to flatten")]
    NothingToFlatten,
}

fn rejected_message(problems: &[Problem]) -> String {
    let mut s = match problems.len() {
        1 => "the form data has 1 problem, nothing was written: ".to_string(),
        n => format!("the form data has {n} problems, nothing was written: "),
    };
    for (i, p) in problems.iter().take(MAX_PROBLEMS_SHOWN).enumerate() {
        if i > 0 {
            s.push_str("; ");
        }
        s.push_str(&format!("({}) {p}", i + 1));
    }
    if let Some(more) = problems
        .len()
        .checked_sub(MAX_PROBLEMS_SHOWN)
        .filter(|&m| m > 0)
    {
        s.push_str(&format!("; and {more} more"));
    }
    s
}

/// Problems written out in the error message (all of them stay in
/// [`FormError::Rejected`]).
pub const MAX_PROBLEMS_SHOWN: usize = 50;

/// One problem with one value of the form data.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Problem {
    /// The field name as the data gives it.
    pub field: String,
    /// What is wrong.
    pub kind: ProblemKind,
}

impl Problem {
    pub(crate) fn new(field: impl Into<String>, kind: ProblemKind) -> Self {
        Problem {
            field: field.into(),
            kind,
        }
    }
}

/// What is wrong with a value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProblemKind {
    /// The form has no field with this full name.
    UnknownField {
        /// A field whose name is close (same letters in another case, or the same last
        /// component).
        similar: Option<String>,
    },
    /// The data names the field more than once.
    GivenTwice,
    /// The JSON value has the wrong type for the field.
    WrongType {
        /// What the field takes.
        expected: &'static str,
        /// What was given.
        found: &'static str,
    },
    /// The value is not among the field's options (export values of a check box or radio
    /// group, options of a choice field).
    NotAnOption {
        /// The value given.
        value: String,
        /// The values the field accepts.
        options: Vec<String>,
    },
    /// The text is longer than the field's `/MaxLen`.
    TooLong {
        /// Its length in characters.
        length: usize,
        /// The limit.
        max: u32,
    },
    /// A single-line field was given a line break.
    LineBreak,
    /// The field is read-only.
    ReadOnly,
    /// A signature field: signing fills it, not form data.
    SignatureField,
    /// A push button has no value.
    PushButton,
    /// The field has no `/FT` (or an unknown one): kyso does not know how to fill it.
    NoFieldType,
    /// A password field: its value must never be stored in the document (ISO 32000-2
    /// §12.7.5.3).
    Password,
    /// A rich-text field: kyso writes plain text values only.
    RichText,
    /// A signature's FieldMDP lock covers the field.
    Locked {
        /// The signature field whose lock covers it.
        by: String,
    },
    /// `true` for a check box whose widgets have several different on-states.
    AmbiguousCheckBox {
        /// The export values.
        options: Vec<String>,
    },
    /// A radio group with "no toggle to off" cannot be cleared.
    CannotTurnOff,
    /// A list that allows one choice was given several.
    SeveralChoices {
        /// How many were given.
        count: usize,
    },
    /// The font has no glyph for a character of the value.
    MissingGlyph {
        /// The character.
        ch: char,
        /// The font.
        font: String,
    },
    /// The field dictionary is not an indirect object, so an update cannot replace it.
    NotUpdatable,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "field \"{}\": ", self.field)?;
        match &self.kind {
            ProblemKind::UnknownField { similar: Some(s) } => {
                write!(f, "no such field (did you mean \"{s}\"?)")
            }
            ProblemKind::UnknownField { similar: None } => f.write_str("no such field"),
            ProblemKind::GivenTwice => f.write_str("given more than once"),
            ProblemKind::WrongType { expected, found } => {
                write!(f, "expected {expected}, found {found}")
            }
            ProblemKind::NotAnOption { value, options } => write!(
                f,
                "\"{value}\" is not one of its options ({})",
                quoted_list(options)
            ),
            ProblemKind::TooLong { length, max } => write!(
                f,
                "{length} characters is more than its maximum length of {max}"
            ),
            ProblemKind::LineBreak => f.write_str("a single-line field cannot hold a line break"),
            ProblemKind::ReadOnly => f.write_str("the field is read-only"),
            ProblemKind::SignatureField => f.write_str(
                "a signature field is filled by signing (kyso sign --field), not by form data",
            ),
            ProblemKind::PushButton => f.write_str("a push button has no value"),
            ProblemKind::NoFieldType => {
                f.write_str("the field has no known type (/FT), kyso cannot fill it")
            }
            ProblemKind::Password => {
                f.write_str("a password field's value must never be stored in the document")
            }
            ProblemKind::RichText => {
                f.write_str("rich-text fields are not supported (kyso writes plain text)")
            }
            ProblemKind::Locked { by } => {
                write!(
                    f,
                    "the field is locked by the signature in \"{by}\" (FieldMDP); changing it \
                     would invalidate that signature"
                )
            }
            ProblemKind::AmbiguousCheckBox { options } => write!(
                f,
                "true is ambiguous, the check box has several on-states; give one of {}",
                quoted_list(options)
            ),
            ProblemKind::CannotTurnOff => {
                f.write_str("the radio group does not allow turning every button off")
            }
            ProblemKind::SeveralChoices { count } => {
                write!(f, "{count} choices given, the list allows one")
            }
            ProblemKind::MissingGlyph { ch, font } => write!(
                f,
                "the font ({font}) has no glyph for {ch:?} (U+{:04X}); give a font that has it \
                 (--font)",
                u32::from(*ch)
            ),
            ProblemKind::NotUpdatable => {
                f.write_str("the field dictionary is not an indirect object and cannot be updated")
            }
        }
    }
}

fn quoted_list(items: &[String]) -> String {
    if items.is_empty() {
        return "none".to_string();
    }
    items
        .iter()
        .map(|o| format!("\"{o}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_in_one_line() {
        let e = FormError::Rejected {
            problems: vec![
                Problem::new("a", ProblemKind::UnknownField { similar: None }),
                Problem::new(
                    "b",
                    ProblemKind::NotAnOption {
                        value: "x".into(),
                        options: vec!["Hà Nội".into(), "Huế".into()],
                    },
                ),
            ],
        };
        let s = e.to_string();
        assert!(!s.contains('\n'));
        assert!(s.contains("2 problems"), "{s}");
        assert!(s.contains("(1) field \"a\": no such field"), "{s}");
        assert!(
            s.contains("(2) field \"b\": \"x\" is not one of its options (\"Hà Nội\", \"Huế\")"),
            "{s}"
        );
    }

    #[test]
    fn long_lists_are_cut_in_the_message_only() {
        let problems: Vec<Problem> = (0..60)
            .map(|i| Problem::new(format!("f{i}"), ProblemKind::ReadOnly))
            .collect();
        let s = FormError::Rejected { problems }.to_string();
        assert!(s.starts_with("the form data has 60 problems"), "{s}");
        assert!(s.contains("(50) field \"f49\""), "{s}");
        assert!(!s.contains("f50"), "{s}");
        assert!(s.ends_with("; and 10 more"), "{s}");
    }
}
