//! The PDF layer: a revision-aware reader and an incremental writer.
//!
//! Verification must see every revision of a file separately and know where each object's
//! bytes are, so this reader keeps the `/Prev` chain as a list of revisions and reads objects
//! lazily from a [`Source`], never merging revisions into one table.

pub(crate) mod incremental;
pub(crate) mod object;
pub mod serialize;
pub(crate) mod source;
#[cfg(test)]
pub(crate) mod testing;
pub(crate) mod update;

pub use incremental::{
    IncrementalUpdate, ObjectPlacement, WriteError, WrittenUpdate, XrefStyle, MAX_TABLE_OFFSET,
};
pub use object::{
    decode_text_string, encode_text_string, Dict, Name, ObjRef, Object, PdfString, Span, Stream,
    StreamData,
};
pub use source::{FileSource, Source, WHOLE_FILE_LIMIT};

pub(crate) mod acroform;
pub(crate) mod budget;
pub(crate) mod crypt;
pub(crate) mod date;
mod decoded;
pub(crate) mod document;
pub(crate) mod error;
pub(crate) mod filter;
pub(crate) mod lexer;
pub(crate) mod names;
mod objstm;
pub(crate) mod pages;
mod parsed;
pub(crate) mod parser;
pub(crate) mod xref;

pub use acroform::{fields, signature_dictionaries, signature_fields, Field};
pub use budget::Budget;
pub use crypt::{Access, CryptMethod, Encryption, EncryptionError, Password, Permissions};
pub use document::Document;
pub use error::PdfError;
pub use pages::pages;
pub use parser::IndirectObject;
pub use xref::{Revision, XrefEntry, XrefKind};
