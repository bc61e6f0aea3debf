//! The embedded default: a demo PKI, a sample dossier, and the two-official flow.
//!
//! `kyso demo` runs [`run`]: it makes a three-level PKI (root CA → issuing CA → two officials,
//! ECDSA P-256 keys so that nothing beyond Rust is needed), writes a sample dossier PDF, has
//! the ward chairman sign it, then the city department director sign the result, verifies
//! the final file against the demo root with the CAs' CRLs, and returns the report. Tests and benches reuse the
//! PKI and the sample document.

mod pki;
mod sample;

pub use pki::{DemoCertificate, DemoPki};
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
    /// The unsigned sample dossier.
    pub unsigned: PathBuf,
    /// After the first official's signature.
    pub signed_once: PathBuf,
    /// After both signatures.
    pub signed_twice: PathBuf,
    /// Verification report of the twice-signed file.
    pub report: VerificationReport,
}

/// Runs the demo in `dir` (created if missing) at the current time.
pub fn run(dir: &Path) -> Result<DemoOutcome, Error> {
    run_at(dir, OffsetDateTime::now_utc())
}

/// Runs the demo in `dir` with `now` as the time for certificates, signing and validation.
pub fn run_at(dir: &Path, now: OffsetDateTime) -> Result<DemoOutcome, Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let pki = DemoPki::generate(now)?;
    pki.write_pem_files(dir)?;

    let unsigned = dir.join("ho-so-mau.pdf");
    crate::util::write_atomically(&unsigned, &sample_dossier(&SampleOptions::default())?)?;

    let first = &pki.officials[0];
    let signer = SoftwareSigner::new(
        PrivateKey::from_der(&first.key_pkcs8)?,
        first.cert_der.clone(),
        pki.chain_der(),
    )?;
    let signed_once = dir.join("ho-so-mau.signed-1.pdf");
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
    let signed_twice = dir.join("ho-so-mau.signed-2.pdf");
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
        unsigned,
        signed_once,
        signed_twice,
        report,
    })
}
