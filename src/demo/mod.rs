//! The embedded default: a demo PKI, a sample dossier, and the two-official flow.
//!
//! `kyso demo` runs [`run`]: it makes a three-level PKI (root CA → issuing CA → two officials,
//! ECDSA P-256 keys so that nothing beyond Rust is needed), writes a sample dossier PDF, has
//! the ward chairman sign it, then the city department director sign the result, verifies
//! the final file against the demo root with the CAs' CRLs, and returns the report. Tests and benches reuse the
//! PKI and the sample document.

mod pki;
mod sample;

pub use pki::{DemoCertificate, DemoFiles, DemoPki, OfficialFiles};
pub use sample::{sample_dossier, SampleOptions};

use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use crate::crypto::PrivateKey;
use crate::output::{Overwrite, Target};
use crate::pki::{Origin, TrustStore};
use crate::report::VerificationReport;
use crate::sign::{sign_file, SignOptions};
use crate::signer::SoftwareSigner;
use crate::verify::{verify_file, VerifyOptions};
use crate::Error;

/// The demo rewrites its own files.
fn replacing(path: &Path) -> Target<'_> {
    Target::new(path).overwrite(Overwrite::Replace)
}

/// What a demo run produced.
#[derive(Debug)]
#[non_exhaustive]
pub struct DemoOutcome {
    /// Directory holding the PKI, the input and the signed files.
    pub dir: PathBuf,
    /// The PKI's files: certificates, the officials' keys, the chain and the CRLs.
    pub pki: DemoFiles,
    /// The unsigned sample dossier.
    pub unsigned: PathBuf,
    /// After the first official's signature.
    pub signed_once: PathBuf,
    /// After both signatures.
    pub signed_twice: PathBuf,
    /// Verification report of the twice-signed file.
    pub report: VerificationReport,
}

/// How to run the demo.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct DemoOptions {
    /// Replace the files of an earlier demo in the directory, its private keys included
    /// (without it, [`run_with`] refuses a directory that holds any of them).
    pub overwrite: bool,
    /// The time for certificates, signing and validation (default: now).
    pub now: Option<OffsetDateTime>,
}

impl DemoOptions {
    /// Defaults: refuse to replace an earlier demo, the current time.
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces an earlier demo's files (see [`DemoOptions::overwrite`]).
    pub fn overwrite(mut self, overwrite: bool) -> Self {
        self.overwrite = overwrite;
        self
    }
}

/// Runs the demo in `dir` (created if missing) at the current time; refuses a directory that
/// holds an earlier demo's files.
pub fn run(dir: &Path) -> Result<DemoOutcome, Error> {
    run_with(dir, &DemoOptions::new())
}

/// Runs the demo in `dir` with `now` as the time for certificates, signing and validation;
/// refuses a directory that holds an earlier demo's files.
pub fn run_at(dir: &Path, now: OffsetDateTime) -> Result<DemoOutcome, Error> {
    run_with(
        dir,
        &DemoOptions {
            now: Some(now),
            ..DemoOptions::new()
        },
    )
}

/// The names of the PDFs the demo writes.
const UNSIGNED: &str = "ho-so-mau.pdf";
const SIGNED_ONCE: &str = "ho-so-mau.signed-1.pdf";
const SIGNED_TWICE: &str = "ho-so-mau.signed-2.pdf";

/// Runs the demo in `dir` (created if missing). Unless [`DemoOptions::overwrite`], a
/// directory holding any file the demo writes (an earlier demo's keys, say) is refused
/// before anything is written.
pub fn run_with(dir: &Path, opts: &DemoOptions) -> Result<DemoOutcome, Error> {
    let now = opts.now.unwrap_or_else(OffsetDateTime::now_utc);
    if !opts.overwrite {
        refuse_earlier_demo(dir)?;
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let pki = DemoPki::generate(now)?;
    let pki_files = pki.write_pem_files(dir)?;

    let unsigned = dir.join(UNSIGNED);
    crate::util::write_atomically(&unsigned, &sample_dossier(&SampleOptions::default())?)?;

    let first = &pki.officials[0];
    let signer = SoftwareSigner::new(
        PrivateKey::from_der(&first.key_pkcs8)?,
        first.cert_der.clone(),
        pki.chain_der(),
    )?;
    let signed_once = dir.join(SIGNED_ONCE);
    let opts = SignOptions::new()
        .field_name("ChuKy_PhuongBenNghe")
        .reason("Xác nhận hồ sơ hợp lệ (dossier checked and complete)")
        .location("UBND Phường Bến Nghé, TP. Hồ Chí Minh")
        .signing_time(now);
    sign_file(&unsigned, replacing(&signed_once), &signer, &opts)?;

    let second = &pki.officials[1];
    let signer = SoftwareSigner::new(
        PrivateKey::from_der(&second.key_pkcs8)?,
        second.cert_der.clone(),
        pki.chain_der(),
    )?;
    let signed_twice = dir.join(SIGNED_TWICE);
    let opts = SignOptions::new()
        .field_name("ChuKy_SoTuPhap")
        .reason("Phê duyệt (approved)")
        .location("Sở Tư pháp TP. Hồ Chí Minh")
        .signing_time(now);
    sign_file(&signed_once, replacing(&signed_twice), &signer, &opts)?;

    // The verifier trusts the demo root and has the CAs' current CRLs (as a city office
    // would have fetched them), so every certificate's revocation status is known.
    let trust = TrustStore::from_der_certificates([pki.root.cert_der.clone()])?;
    let mut opts = VerifyOptions::new(trust).validation_time(now);
    for crl in [&pki.root_crl_der, &pki.issuing_ca_crl_der] {
        opts.revocation
            .add_crl_der(crl, Origin::Caller)
            .map_err(|e| Error::Demo(format!("demo CRL: {e}")))?;
    }
    let report = verify_file(&signed_twice, &opts)?;
    Ok(DemoOutcome {
        dir: dir.to_path_buf(),
        pki: pki_files,
        unsigned,
        signed_once,
        signed_twice,
        report,
    })
}

/// Refuses a directory that already holds a file the demo writes.
fn refuse_earlier_demo(dir: &Path) -> Result<(), Error> {
    let files = DemoFiles::expected_in(dir);
    let pdfs = [UNSIGNED, SIGNED_ONCE, SIGNED_TWICE].map(|n| dir.join(n));
    let existing: Vec<String> = files
        .all()
        .into_iter()
        .chain(pdfs.iter().map(PathBuf::as_path))
        .filter(|p| std::fs::symlink_metadata(p).is_ok())
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    if existing.is_empty() {
        return Ok(());
    }
    Err(Error::Demo(format!(
        "{dir} already holds a demo ({files}); its keys are not replaced: run \
         `kyso demo --force {dir}` to make a new demo PKI there, or give another directory \
         (`kyso demo DIR`)",
        dir = dir.display(),
        files = existing.join(", ")
    )))
}
