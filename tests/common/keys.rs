//! Helpers for the key-source tests (PKCS#12, PKCS#11, two-phase, batch): checking a signed
//! file with kyso and the peers, and making PKCS#12 files with OpenSSL.

use std::path::{Path, PathBuf};

use kyso::report::Indication;
use kyso::verify::{verify_file, VerifyOptions};
use time::OffsetDateTime;

use super::interop::{self, Poppler, Pyhanko, PyhankoTrust};
use super::pki::TestPki;

/// Asserts that kyso judges every one of the `count` signatures of `pdf` TOTAL-PASSED.
pub fn assert_kyso_valid(pdf: &Path, pki: &TestPki, now: OffsetDateTime, count: usize) {
    let opts = VerifyOptions::new(pki.trust()).validation_time(now);
    let report = verify_file(pdf, &opts).unwrap_or_else(|e| panic!("{}: {e}", pdf.display()));
    assert_eq!(report.signatures.len(), count, "{}", pdf.display());
    for s in &report.signatures {
        assert_eq!(
            s.indication,
            Indication::TotalPassed,
            "{}: {:?}",
            pdf.display(),
            s.findings
        );
    }
}

/// Asserts that pyHanko (if installed) judges every one of the `count` signatures valid,
/// intact and trusted under `root` (PEM). Returns whether pyHanko ran.
pub fn assert_pyhanko_valid(pdf: &Path, root: &Path, count: usize) -> bool {
    let Some(pyhanko) = Pyhanko::find() else {
        return false;
    };
    let report = pyhanko
        .validate(pdf, root, &[])
        .unwrap_or_else(|e| panic!("{}: {e}", pdf.display()));
    assert_eq!(report.len(), count, "{}: {report:?}", pdf.display());
    for s in &report {
        assert!(
            s.valid && s.intact && s.trust == Some(PyhankoTrust::Trusted),
            "pyHanko on {}: {}",
            pdf.display(),
            s.raw
        );
    }
    true
}

/// Asserts that poppler's `pdfsig -nocert` (if installed) says "Signature is Valid." for every
/// one of the `count` signatures. Returns whether pdfsig ran.
pub fn assert_pdfsig_valid(pdf: &Path, count: usize) -> bool {
    let Some(poppler) = Poppler::find() else {
        return false;
    };
    let sigs = poppler
        .pdfsig(pdf, true)
        .unwrap_or_else(|e| panic!("{}: {e}", pdf.display()));
    assert_eq!(sigs.len(), count, "{}: {sigs:?}", pdf.display());
    for s in &sigs {
        assert!(s.valid, "pdfsig on {}: {}", pdf.display(), s.raw);
    }
    true
}

/// `openssl pkcs12 -export` of a key, certificate and chain (PEM files) into `out`, with
/// `password` and extra arguments (`-legacy`, `-keypbe …`, …). Panics if OpenSSL fails.
pub fn openssl_pkcs12(
    openssl: &Path,
    key: &Path,
    cert: &Path,
    chain: Option<&Path>,
    out: &Path,
    password: &str,
    extra: &[&str],
) {
    let pass = format!("pass:{password}");
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "pkcs12".as_ref(),
        "-export".as_ref(),
        "-inkey".as_ref(),
        key.as_os_str(),
        "-in".as_ref(),
        cert.as_os_str(),
        "-out".as_ref(),
        out.as_os_str(),
        "-passout".as_ref(),
        pass.as_ref(),
    ];
    if let Some(chain) = chain {
        args.push("-certfile".as_ref());
        args.push(chain.as_os_str());
    }
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    let result = interop::run(openssl, &args).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        result.status.success(),
        "openssl pkcs12 failed: {}",
        result.describe()
    );
}

/// The kyso binary built for the integration tests.
pub fn kyso_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kyso"))
}
