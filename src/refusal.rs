//! Why kyso refuses to change a document: the reasons a caller can match on, each with the
//! message a clerk can act on (in English by `Display`, in Vietnamese by
//! [`Operation::text`]).

use crate::report::Lang;

/// What kyso was asked to do to a document, named in a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Operation {
    /// Signing, or adding a document timestamp.
    Sign,
    /// Adding empty signature fields.
    AddFields,
    /// Attaching files.
    Attach,
    /// Adding validation data (`/DSS`).
    AddValidationData,
    /// Filling a form.
    FillForm,
    /// Flattening a form.
    FlattenForm,
}

impl Operation {
    /// The operation as a verb phrase in `lang` ("signing", "ký").
    pub fn text(self, lang: Lang) -> &'static str {
        match self {
            Operation::Sign => lang.pick("signing", "ký"),
            Operation::AddFields => lang.pick("adding fields", "thêm ô chữ ký"),
            Operation::Attach => lang.pick("attaching files", "đính kèm tệp"),
            Operation::AddValidationData => {
                lang.pick("adding validation data", "thêm dữ liệu xác thực")
            }
            Operation::FillForm => lang.pick("filling a form", "điền biểu mẫu"),
            Operation::FlattenForm => lang.pick("flattening a form", "làm phẳng biểu mẫu"),
        }
    }
}

impl std::fmt::Display for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text(Lang::En))
    }
}
