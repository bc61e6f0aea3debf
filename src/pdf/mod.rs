//! The PDF layer: a revision-aware reader and an incremental writer.
//!
//! Verification must see every revision of a file separately and know where each object's
//! bytes are, so this reader keeps the `/Prev` chain as a list of revisions and reads objects
//! lazily from a [`Source`], never merging revisions into one table.

pub mod incremental;
pub mod object;
pub mod serialize;
pub mod source;
#[cfg(test)]
pub(crate) mod testing;
pub(crate) mod update;

pub use incremental::{IncrementalUpdate, WriteError, WrittenUpdate, XrefStyle};
pub use object::{Dict, Name, ObjRef, Object, PdfString, Span, Stream, StreamData};
pub use source::{FileSource, Source, WHOLE_FILE_LIMIT};

pub mod acroform;
pub mod budget;
pub mod date;
mod decoded;
pub mod document;
pub mod error;
pub mod filter;
pub mod lexer;
pub mod names;
mod objstm;
pub mod pages;
mod parsed;
pub mod parser;
pub mod xref;

pub use acroform::{fields, signature_dictionaries, signature_fields, Field};
pub use budget::Budget;
pub use document::Document;
pub use error::PdfError;
pub use pages::pages;
pub use parser::IndirectObject;
pub use xref::{Revision, XrefEntry, XrefKind};
