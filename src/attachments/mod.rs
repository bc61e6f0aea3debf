//! Files embedded in PDFs (ISO 32000-2 §7.11): attaching them before signing, listing and
//! reading them (each distinct stream decoded once, within the document's budget), which
//! signatures cover each, and names safe to extract them under.
//!
//! ```text
//! attach:   attach_files ──> embedded file streams + file specifications, /EmbeddedFiles
//!           name tree, catalog /AF ──> one incremental update (before signing)
//! read:     list_embedded_files ──> embedded_contents / read_embedded_content (streamed,
//!           SHA-256, MD5) ──> extract_to_file
//! report:   verify::verify_source ──> embedded_file_reports (size, SHA-256, covering
//!           signatures, findings) ──> VerificationReport::embedded_files
//! ```

mod attach;
mod coverage;
mod embedded;
mod error;
pub(crate) mod hash;
mod names;

pub use attach::{
    attach_bytes, attach_files, AfRelationship, AttachOptions, Attachment, AttachmentContent,
};
pub use coverage::embedded_file_reports;
pub use embedded::{
    embedded_contents, embedded_stream, extract_to_file, list_embedded_files,
    read_embedded_content, ContentFacts, EmbeddedFile, MAX_EMBEDDED_FILE_BYTES,
};
pub use error::AttachmentError;
pub use names::{ascii_fallback, is_safe_file_name, mime_type_for, portable_file_name};
