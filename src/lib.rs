//! # kyso — sign and verify PDF dossiers
//!
//! kyso ("ký số", to sign digitally) signs PDF documents with PAdES and
//! `adbe.pkcs7.detached` signatures by incremental update, and verifies every signature in a
//! PDF: byte-range coverage, digest, CMS signature, certificate chain to configured trust
//! anchors, and what changed after signing. Verdicts go into a serde
//! [`report::VerificationReport`]; operational failures are [`Error`]s (every error type of
//! the crate converts into it with `?`).
//!
//! ## A short tour
//!
//! **Verify** a PDF against the trust anchors you accept, and read the verdict. A signature
//! is valid only when its indication is TOTAL-PASSED; anything in doubt is INDETERMINATE,
//! with findings that say why ([`verify::verify_file`], [`verify::verify_bytes`]):
//!
//! ```no_run
//! use std::path::Path;
//! use kyso::pki::TrustStore;
//! use kyso::verify::{verify_file, VerifyOptions};
//!
//! fn main() -> Result<(), kyso::Error> {
//!     let mut trust = TrustStore::empty();
//!     trust.add_file(Path::new("roots/ca-goc.pem"))?; // or TrustStore::from_pem_or_der(bytes)
//!     let report = verify_file(Path::new("ho-so.pdf"), &VerifyOptions::new(trust))?;
//!     for sig in &report.signatures {
//!         let signer = sig.signer.as_ref().and_then(|s| s.common_name.clone());
//!         println!("{:?} by {:?}: {}", sig.field_name, signer, sig.indication.as_str());
//!         for finding in &sig.findings {
//!             println!("  {}: {}", finding.code.as_str(), finding.message);
//!         }
//!     }
//!     // At least one signature, and every one TOTAL-PASSED.
//!     if report.all_passed() {
//!         println!("accepted");
//!     }
//!     Ok(())
//! }
//! ```
//!
//! The same in memory, end to end: the demo PKI ([`demo`]) stands in for a real CA, the
//! root's PEM text for the anchors a service keeps in its configuration.
//!
//! ```
//! use kyso::crypto::PrivateKey;
//! use kyso::demo::{sample_dossier, DemoPki, SampleOptions};
//! use kyso::pki::TrustStore;
//! use kyso::report::Indication;
//! use kyso::sign::{sign_bytes, SignOptions};
//! use kyso::signer::SoftwareSigner;
//! use kyso::verify::{verify_bytes, VerifyOptions};
//!
//! fn main() -> Result<(), kyso::Error> {
//!     let now = time::OffsetDateTime::now_utc();
//!     let pki = DemoPki::generate(now)?;
//!     let official = &pki.officials[0];
//!     let signer = SoftwareSigner::new(
//!         PrivateKey::from_der(&official.key_pkcs8)?,
//!         official.cert_der.clone(),
//!         pki.chain_der(), // the issuing CA, sent with the signature
//!     )?;
//!     let signed = sign_bytes(
//!         &sample_dossier(&SampleOptions::default())?,
//!         &signer,
//!         &SignOptions::new().reason("Phê duyệt"),
//!     )?;
//!
//!     let trust = TrustStore::from_pem_or_der(pki.root.cert_pem().as_bytes())?;
//!     let report = verify_bytes(&signed, &VerifyOptions::new(trust).validation_time(now))?;
//!     assert_eq!(report.signatures[0].indication, Indication::TotalPassed);
//!     Ok(())
//! }
//! ```
//!
//! **Sign** with a PKCS#12 file (the key, the certificate and the chain the CA issued
//! together). A certificate that is expired, not yet valid or not meant for signing is
//! refused before anything is written ([`sign::check_signer`] tells in advance):
//!
//! ```no_run
//! use std::path::Path;
//! use kyso::sign::{sign_file, SignOptions};
//! use kyso::signer::SoftwareSigner;
//!
//! fn main() -> Result<(), kyso::Error> {
//!     let password = std::env::var("P12_PASSWORD").unwrap_or_default();
//!     let signer = SoftwareSigner::from_pkcs12_file(Path::new("can-bo.p12"), &password)?;
//!     let opts = SignOptions::new()
//!         .field_name("ChuKy_TruongPhong")
//!         .reason("Phê duyệt")
//!         .location("Hà Nội");
//!     sign_file(Path::new("don.pdf"), Path::new("don.da-ky.pdf"), &signer, &opts)?;
//!     Ok(())
//! }
//! ```
//!
//! Keys on tokens (`signer::pkcs11`, feature `pkcs11`), remote signing in two phases
//! ([`sign::two_phase`]), visible signatures ([`sign::appearance`]), timestamps and
//! long-term validation ([`sign::Timestamping`], [`ltv`]) build on the same calls.
//!
//! **Fill a form** from data (one incremental update; a certified form's signature stays
//! valid):
//!
//! ```no_run
//! use std::path::Path;
//! use kyso::form::{fill_file, FillOptions, FormValues};
//!
//! fn main() -> Result<(), kyso::Error> {
//!     let values = FormValues::new()
//!         .with("nguoi_nop.ho_ten", "Nguyễn Thị Hương")
//!         .with("dong_y", true);
//!     let summary = fill_file(
//!         Path::new("to-khai.pdf"),
//!         Path::new("to-khai.da-dien.pdf"),
//!         &values,
//!         &FillOptions::new(),
//!     )?;
//!     println!("{} field(s) filled", summary.fields.len());
//!     Ok(())
//! }
//! ```
//!
//! **Seal a dossier** (a directory: every file hashed into a signed manifest), then verify
//! it as a unit:
//!
//! ```no_run
//! use std::path::Path;
//! use kyso::dossier::{seal_dossier, verify_dossier, SealOptions};
//! use kyso::pki::TrustStore;
//! use kyso::signer::SoftwareSigner;
//! use kyso::verify::VerifyOptions;
//!
//! fn main() -> Result<(), kyso::Error> {
//!     let signer = SoftwareSigner::from_pem_files(
//!         Path::new("can-bo.key.pem"),
//!         Path::new("can-bo.pem"),
//!         Some(Path::new("chain.pem")),
//!     )?;
//!     let dir = Path::new("ho-so-2024-0001");
//!     let sealed = seal_dossier(dir, &signer, &SealOptions::new())?;
//!     println!("manifest: {}", sealed.manifest.display());
//!
//!     let mut trust = TrustStore::empty();
//!     trust.add_file(Path::new("roots/ca-goc.pem"))?;
//!     let report = verify_dossier(dir, &VerifyOptions::new(trust))?;
//!     println!("dossier {}", if report.passed() { "valid" } else { "NOT valid" });
//!     Ok(())
//! }
//! ```
//!
//! Where to go next: [`verify::VerifyOptions`] (validation time, revocation data, policy),
//! [`report`] (the report and its stable codes), [`pki`] (paths, CRLs, OCSP, trust
//! profiles), [`dossier`] (attachments, `.p7s`/`.p7m`, dossiers), and the `kyso` command line
//! built on all of them (README).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod asn1;
pub mod attachments;
pub mod budget;
pub mod cms;
pub mod crypto;
#[cfg(feature = "demo")]
pub mod demo;
pub mod diff;
pub mod dossier;
pub mod draw;
mod error;
pub mod form;
pub mod ltv;
#[cfg(feature = "online")]
pub mod net;
pub mod output;
pub mod pdf;
pub mod pki;
pub mod refusal;
pub mod report;
#[cfg(feature = "serve")]
pub mod serve;
pub mod sign;
pub mod signer;
pub mod tsp;
mod util;
pub mod verify;
#[cfg(feature = "visual")]
pub mod visual;

pub use error::Error;
pub use refusal::Refusal;

/// The README's examples, compiled as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
