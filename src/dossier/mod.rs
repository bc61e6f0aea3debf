//! Dossiers: signatures over any file, and a whole directory sealed by a signed manifest.
//! (Files embedded in PDFs are [`crate::attachments`].)
//!
//! ```text
//! files:    sign_file_detached (.p7s, CAdES B-B, streamed digest) / write_enveloping_signature
//!           (.p7m) ──> verify_detached_file / verify_enveloping_file ──> VerificationReport
//! dossier:  seal_dossier (walk, hash, manifest JSON, detached signature over its bytes)
//!           verify_dossier (manifest signature, every file against the manifest, PDF
//!           signatures, .p7s/.p7m beside files, missing / altered / extra) ──> DossierReport
//! text:     render_dossier / render_file_report (Vietnamese or English)
//! ```

mod cades;
mod check;
mod detached;
mod error;
mod manifest;
mod render;
mod report;
mod seal;
mod walk;

pub use cades::{build_cades_detached, build_cades_enveloping};
pub use check::{verify_dossier, verify_dossier_with};
pub use detached::{
    detached_signature_path, sign_file_detached, sign_file_detached_with, signature_der,
    verify_detached_bytes, verify_detached_file, verify_enveloping_bytes, verify_enveloping_file,
    write_detached_signature, write_detached_signature_with, write_enveloping_signature,
    write_enveloping_signature_with, Enveloped, FileSignOptions, MAX_ENVELOPING_FILE_BYTES,
    MAX_SIGNATURE_FILE_BYTES,
};
pub use error::DossierError;
pub use manifest::{
    check_relative_path, nfc, Manifest, ManifestEntry, Role, MANIFEST_FILE, MANIFEST_FORMAT,
    MANIFEST_SCHEMA_VERSION, MANIFEST_SIGNATURE_FILE,
};
pub use render::{indication_text, render_dossier, render_file_report, Lang};
pub use report::{
    DossierFileReport, DossierReport, DossierSummary, FileSignature, FileStatus, ManifestReport,
    DOSSIER_REPORT_SCHEMA_VERSION,
};
pub use seal::{seal_dossier, SealOptions, Sealed};
pub use walk::DossierBudget;
