//! Dossiers: files embedded in PDFs, signatures over any file, and a whole directory sealed
//! by a signed manifest.
//!
//! ```text
//! attach:   attach_files ──> embedded file streams + file specifications, /EmbeddedFiles
//!           name tree, catalog /AF ──> one incremental update (before signing)
//! read:     list_embedded_files ──> read_embedded_content (streamed, SHA-256, MD5)
//! report:   verify::verify_source ──> embedded_file_reports (size, SHA-256, covering
//!           signatures, findings) ──> VerificationReport::embedded_files
//! files:    sign_file_detached (.p7s, CAdES B-B, streamed digest) / write_enveloping_signature
//!           (.p7m) ──> verify_detached_file / verify_enveloping_file ──> VerificationReport
//! dossier:  seal_dossier (walk, hash, manifest JSON, detached signature over its bytes)
//!           verify_dossier (manifest signature, every file against the manifest, PDF
//!           signatures, .p7s/.p7m beside files, missing / altered / extra) ──> DossierReport
//! text:     render_dossier / render_file_report (Vietnamese or English)
//! ```

mod attach;
mod check;
mod coverage;
mod detached;
mod embedded;
mod error;
mod hash;
mod manifest;
mod names;
mod render;
mod report;
mod seal;
mod walk;

pub use attach::{
    attach_bytes, attach_files, AfRelationship, AttachOptions, Attachment, AttachmentContent,
};
pub use check::{verify_dossier, verify_dossier_with};
pub use coverage::embedded_file_reports;
pub use detached::{
    detached_signature_path, sign_file_detached, sign_file_detached_with, signature_der,
    verify_detached_bytes, verify_detached_file, verify_enveloping_bytes, verify_enveloping_file,
    write_detached_signature, write_detached_signature_with, write_enveloping_signature,
    write_enveloping_signature_with, Enveloped, FileSignOptions, MAX_ENVELOPING_FILE_BYTES,
    MAX_SIGNATURE_FILE_BYTES,
};
pub use embedded::{
    embedded_contents, embedded_stream, extract_to_file, list_embedded_files,
    read_embedded_content, ContentFacts, EmbeddedFile, MAX_EMBEDDED_FILE_BYTES,
};
pub use error::DossierError;
pub use manifest::{
    check_relative_path, nfc, Manifest, ManifestEntry, Role, MANIFEST_FILE, MANIFEST_FORMAT,
    MANIFEST_SCHEMA_VERSION, MANIFEST_SIGNATURE_FILE,
};
pub use names::{ascii_fallback, is_safe_file_name, mime_type_for, portable_file_name};
pub use render::{indication_text, render_dossier, render_file_report, Lang};
pub use report::{
    DossierFileReport, DossierReport, DossierSummary, FileSignature, FileStatus, ManifestReport,
    DOSSIER_REPORT_SCHEMA_VERSION,
};
pub use seal::{seal_dossier, SealOptions, Sealed};
pub use walk::DossierBudget;
