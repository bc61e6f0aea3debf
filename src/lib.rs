//! # kyso — sign and verify PDF dossiers
//!
//! kyso ("ký số", to sign digitally) signs PDF documents with PAdES and
//! `adbe.pkcs7.detached` signatures by incremental update, and verifies every signature in a
//! PDF: byte-range coverage, digest, CMS signature, certificate chain to configured trust
//! anchors, and what changed after signing. Verdicts go into a serde
//! [`report::VerificationReport`]; operational failures are [`Error`]s.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod budget;
pub mod cms;
pub mod crypto;
#[cfg(feature = "demo")]
pub mod demo;
pub mod dossier;
pub mod error;
pub mod form;
pub mod ltv;
#[cfg(feature = "online")]
pub mod net;
pub mod pdf;
pub mod pki;
pub mod report;
pub mod sign;
pub mod signer;
pub mod tsp;
mod util;
pub mod verify;

pub use error::Error;

/// The README's examples, compiled as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
