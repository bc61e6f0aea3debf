//! # kyso — sign and verify PDF dossiers
//!
//! kyso ("ký số", to sign digitally) signs PDF documents with PAdES and
//! `adbe.pkcs7.detached` signatures by incremental update, and verifies every signature in a
//! PDF: byte-range coverage, digest, CMS signature, certificate chain to configured trust
//! anchors, and what changed after signing. Verdicts go into a serde
//! [`report::VerificationReport`]; operational failures are [`Error`]s.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod cms;
pub mod crypto;
pub mod error;
pub mod pdf;
pub mod signer;

pub use error::Error;
