//! Why the PDF reader could not read something.
//!
//! Every variant says where in the file the problem was when that is known, so that a report
//! can point at the exact bytes. Verdicts about signatures are not errors; these are only the
//! cases where the bytes could not be read as PDF at all.

use super::object::ObjRef;

/// Why the PDF reader could not read something.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PdfError {
    /// Reading from the source failed.
    #[error("I/O error while reading the PDF: {0}")]
    Io(#[from] std::io::Error),

    /// No `%PDF-` header in the first 1024 bytes.
    #[error("not a PDF: no %PDF- header in the first 1024 bytes")]
    NotPdf,

    /// No `startxref` keyword with an offset near the end of the file.
    #[error("no startxref found near the end of the file")]
    NoStartXref,

    /// A cross-reference section could not be read.
    #[error("bad cross-reference section at offset {offset}: {reason}")]
    BadXref {
        /// Where the section (or the faulty part of it) starts.
        offset: u64,
        /// What is wrong.
        reason: &'static str,
    },

    /// The bytes do not follow PDF syntax.
    #[error("syntax error at offset {offset}: expected {expected}")]
    Syntax {
        /// Where the unexpected bytes start.
        offset: u64,
        /// What was expected (or what is wrong).
        expected: &'static str,
    },

    /// The data ended in the middle of a token or object.
    #[error("unexpected end of data at offset {offset}")]
    UnexpectedEof {
        /// Where more bytes were needed.
        offset: u64,
    },

    /// The object found at an offset is not the one the cross-reference section promised.
    #[error(
        "object at offset {offset} is {found}, but the cross-reference section promised {expected}"
    )]
    ObjectMismatch {
        /// Where the object header (or the object stream) is.
        offset: u64,
        /// The object the cross-reference section named.
        expected: ObjRef,
        /// The object actually found there.
        found: ObjRef,
    },

    /// A stream's `/Length` does not lead to its `endstream` keyword.
    #[error("stream at offset {offset}: /Length {length} does not end at endstream")]
    BadStreamLength {
        /// Where the stream data starts.
        offset: u64,
        /// The declared length.
        length: u64,
    },

    /// A safety budget was exhausted (see [`super::Budget`]).
    #[error("budget exceeded: {what} (limit {limit})")]
    BudgetExceeded {
        /// Which budget.
        what: &'static str,
        /// Its limit.
        limit: u64,
    },

    /// A stream uses a filter this reader does not decode.
    #[error("unsupported stream filter /{0}")]
    UnsupportedFilter(String),

    /// A stream's data could not be decoded.
    #[error("cannot decode {filter} data: {reason}")]
    Decode {
        /// The filter (or predictor) that failed.
        filter: &'static str,
        /// Why.
        reason: String,
    },

    /// The `/Prev` chain of cross-reference sections loops.
    #[error("/Prev chain loops back to the cross-reference section at offset {offset}")]
    PrevLoop {
        /// The offset that was visited twice.
        offset: u64,
    },

    /// An object stream is malformed or used in a way the standard forbids.
    #[error("object stream {stream}: {reason}")]
    BadObjectStream {
        /// The object stream.
        stream: ObjRef,
        /// What is wrong.
        reason: &'static str,
    },

    /// An object has the wrong type for where it is used.
    #[error("{what} is a {found}, expected a {expected}")]
    WrongType {
        /// What was being read (for example "document catalog").
        what: &'static str,
        /// The type wanted.
        expected: &'static str,
        /// The type found.
        found: &'static str,
    },

    /// A required entry or object is missing.
    #[error("missing {0}")]
    Missing(&'static str),

    /// The document is encrypted and cannot be decrypted: a password is needed or wrong,
    /// or the encryption is malformed or of a kind kyso does not support (ISO 32000-2 §7.6).
    #[error("{0}")]
    Encryption(#[from] super::crypt::EncryptionError),

    /// A revision index beyond the document's revisions.
    #[error("no revision {0} in this document")]
    NoSuchRevision(usize),
}

/// A document budget that ran out stops reading like any other exhausted budget (the
/// budget sits below the PDF layer and knows nothing of it).
impl From<crate::budget::BudgetExhausted> for PdfError {
    fn from(e: crate::budget::BudgetExhausted) -> Self {
        PdfError::BudgetExceeded {
            what: e.what(),
            limit: e.limit(),
        }
    }
}

impl PdfError {
    pub(crate) fn syntax(offset: u64, expected: &'static str) -> Self {
        PdfError::Syntax { offset, expected }
    }

    pub(crate) fn bad_xref(offset: u64, reason: &'static str) -> Self {
        PdfError::BadXref { offset, reason }
    }

    pub(crate) fn budget(what: &'static str, limit: u64) -> Self {
        PdfError::BudgetExceeded { what, limit }
    }
}
