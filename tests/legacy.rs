//! Legacy signature formats still found in archives (issue 19 §2), built here because no
//! maintained signer produces them any more (pyHanko cannot):
//!
//! - `adbe.pkcs7.sha1` (ISO 32000-1 §12.8.3.3.1): a SignedData made by `openssl cms -sign
//!   -binary -nodetach -md sha1` over the SHA-1 digest of the byte ranges (`openssl dgst`);
//! - `adbe.x509.rsa_sha1` (ISO 32000-1 §12.8.3.2): a PKCS#1 v1.5 signature made by `openssl
//!   dgst -sha1 -sign` over the byte ranges, as a DER OCTET STRING in `/Contents`, with the
//!   certificates in `/Cert`;
//! - a detached signature whose SignedData carries an empty encapsulated content (`openssl
//!   cms -sign -nodetach` over nothing, its message digest replaced by the byte ranges'):
//!   a warning, while a non-empty encapsulated content stays a failure.
//!
//! The PDF skeleton is the hand-made dossier of `common::attacks` with its prepared
//! signature field filled by one incremental update. poppler's `pdfsig` checks the
//! `adbe.pkcs7.sha1` files too (poppler 22.12 does not verify `adbe.x509.rsa_sha1`: it
//! prints "Unable to validate this type of signature"; OpenSSL checks those instead).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::attacks::{append, form_doc, obj};
use common::pki::TestPki;
use kyso::pki::AlgorithmPolicy;
use kyso::report::{CheckStatus, Code, Indication, SignatureReport, SubIndication};
use kyso::verify::{verify_bytes, VerifyOptions};
use time::OffsetDateTime;

/// The object that holds an indirect `/Cert` array.
const CERT_OBJ: u32 = obj::NEXT + 1;

/// Width of the `/Contents` placeholder, in bytes.
const CONTENTS_BYTES: usize = 8192;

fn openssl() -> Option<PathBuf> {
    common::tool("openssl")
}

fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// The dossier with its prepared field `PheDuyet` holding a signature dictionary with this
/// `/SubFilter` and `extra` keys, a `/ByteRange` placeholder and a zero `/Contents`.
fn unsigned_update(sub_filter: &str, extra: &str) -> Vec<u8> {
    unsigned_update_with(sub_filter, extra, &[])
}

/// [`unsigned_update`] with more objects in the same update.
fn unsigned_update_with(sub_filter: &str, extra: &str, more: &[(u32, String)]) -> Vec<u8> {
    let sig = obj::NEXT;
    let field = format!(
        "<< /FT /Sig /T (PheDuyet) /Type /Annot /Subtype /Widget /Rect [350 100 550 160] \
         /P 3 0 R /F 4 /V {sig} 0 R >>"
    );
    let dict = format!(
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /{sub_filter} {extra} \
         /M (D:20261205100000+07'00') /Reason (Legacy format test) \
         /ByteRange [0 ********** ********** **********] \
         /Contents <{}> >>",
        "0".repeat(CONTENTS_BYTES * 2)
    );
    let mut objects = vec![(obj::SIG_FIELD, field), (sig, dict)];
    objects.extend(more.iter().cloned());
    append(&form_doc(), &objects, "/Info 11 0 R")
}

/// Fills the `/ByteRange` placeholder; returns the file and the signed bytes.
fn fix_ranges(mut pdf: Vec<u8>) -> (Vec<u8>, Vec<u8>, (usize, usize)) {
    let start = common::rfind(&pdf, b"/Contents <") + b"/Contents ".len();
    let end = start + CONTENTS_BYTES * 2 + 2;
    assert_eq!(pdf[end - 1], b'>');
    let ranges = format!("{:<10} {:<10} {:<10}", start, end, pdf.len() - end);
    let at = common::rfind(&pdf, b"********** ********** **********");
    pdf[at..at + ranges.len()].copy_from_slice(ranges.as_bytes());
    let mut signed = pdf[..start].to_vec();
    signed.extend_from_slice(&pdf[end..]);
    (pdf, signed, (start, end))
}

/// Writes `value` (DER, at most the placeholder's size) into the `/Contents` gap.
fn fill_contents(pdf: &mut [u8], gap: (usize, usize), value: &[u8]) {
    assert!(value.len() <= CONTENTS_BYTES, "signature too large");
    let h = hex(value);
    pdf[gap.0 + 1..gap.0 + 1 + h.len()].copy_from_slice(h.as_bytes());
}

struct Keys {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    key: PathBuf,
    cert: PathBuf,
    chain: PathBuf,
}

fn keys(pki: &TestPki) -> Keys {
    let dir = common::temp_dir();
    let path = dir.path().to_path_buf();
    let (key, cert, chain) = pki.rsa2048.write_pem(&path);
    Keys {
        _dir: dir,
        dir: path,
        key,
        cert,
        chain,
    }
}

/// `openssl dgst -sha1 -binary` of `bytes`.
fn openssl_sha1(openssl: &Path, k: &Keys, bytes: &[u8]) -> Vec<u8> {
    let input = k.dir.join("signed.bin");
    std::fs::write(&input, bytes).unwrap();
    run(Command::new(openssl)
        .args(["dgst", "-sha1", "-binary"])
        .arg(&input))
}

/// `openssl cms -sign -binary -nodetach -md sha1` over `content`, DER; `extra` arguments
/// (`-noattr`, …).
fn openssl_cms_sha1(openssl: &Path, k: &Keys, content: &[u8], extra: &[&str]) -> Vec<u8> {
    let input = k.dir.join("content.bin");
    std::fs::write(&input, content).unwrap();
    let out = k.dir.join("cms.der");
    run(Command::new(openssl)
        .args([
            "cms",
            "-sign",
            "-binary",
            "-nodetach",
            "-md",
            "sha1",
            "-outform",
            "DER",
        ])
        .args(extra)
        .arg("-in")
        .arg(&input)
        .arg("-signer")
        .arg(&k.cert)
        .arg("-inkey")
        .arg(&k.key)
        .arg("-certfile")
        .arg(&k.chain)
        .arg("-out")
        .arg(&out));
    std::fs::read(&out).unwrap()
}

/// An `adbe.pkcs7.sha1` file signed by OpenSSL; `tamper` changes the digest it
/// encapsulates.
fn pkcs7_sha1_file(openssl: &Path, k: &Keys, extra: &[&str], tamper: bool) -> Vec<u8> {
    let (mut pdf, signed, gap) = fix_ranges(unsigned_update("adbe.pkcs7.sha1", ""));
    let mut digest = openssl_sha1(openssl, k, &signed);
    assert_eq!(digest.len(), 20);
    if tamper {
        digest[0] ^= 1;
    }
    let cms = openssl_cms_sha1(openssl, k, &digest, extra);
    fill_contents(&mut pdf, gap, &cms);
    pdf
}

/// The DER OCTET STRING holding `value`.
fn octet_string(value: &[u8]) -> Vec<u8> {
    let mut out = vec![0x04];
    match value.len() {
        n if n < 0x80 => out.push(n as u8),
        n if n < 0x100 => out.extend([0x81, n as u8]),
        n => out.extend([0x82, (n >> 8) as u8, n as u8]),
    }
    out.extend_from_slice(value);
    out
}

/// An `adbe.x509.rsa_sha1` file signed by OpenSSL with `digest` (`-sha1`, `-sha256`); `/Cert`
/// is an array (signer, issuing CA) or, with `single_cert`, the signer's string alone.
fn x509_file(openssl: &Path, k: &Keys, pki: &TestPki, digest: &str, single_cert: bool) -> Vec<u8> {
    x509_file_with(openssl, k, pki, digest, single_cert, false)
}

/// [`x509_file`]; with `indirect`, `/Cert` is a reference to an array object of the same
/// update (object [`CERT_OBJ`]).
fn x509_file_with(
    openssl: &Path,
    k: &Keys,
    pki: &TestPki,
    digest: &str,
    single_cert: bool,
    indirect: bool,
) -> Vec<u8> {
    let cert = if indirect {
        format!("/Cert {CERT_OBJ} 0 R")
    } else if single_cert {
        format!("/Cert <{}>", hex(&pki.rsa2048.cert_der))
    } else {
        format!(
            "/Cert [<{}> <{}>]",
            hex(&pki.rsa2048.cert_der),
            hex(&pki.issuing_der)
        )
    };
    let more = if indirect {
        vec![(
            CERT_OBJ,
            format!(
                "[<{}> <{}>]",
                hex(&pki.rsa2048.cert_der),
                hex(&pki.issuing_der)
            ),
        )]
    } else {
        Vec::new()
    };
    let (mut pdf, signed, gap) =
        fix_ranges(unsigned_update_with("adbe.x509.rsa_sha1", &cert, &more));
    let input = k.dir.join("signed.bin");
    std::fs::write(&input, &signed).unwrap();
    let signature = run(Command::new(openssl)
        .args(["dgst", digest, "-sign"])
        .arg(&k.key)
        .arg(&input));
    // OpenSSL agrees the signature is over these bytes.
    let sig_file = k.dir.join("sig.bin");
    std::fs::write(&sig_file, &signature).unwrap();
    let pubkey = k.dir.join("pub.pem");
    run(Command::new(openssl)
        .args(["x509", "-pubkey", "-noout", "-in"])
        .arg(&k.cert)
        .arg("-out")
        .arg(&pubkey));
    run(Command::new(openssl)
        .args(["dgst", digest, "-verify"])
        .arg(&pubkey)
        .arg("-signature")
        .arg(&sig_file)
        .arg(&input));
    fill_contents(&mut pdf, gap, &octet_string(&signature));
    pdf
}

/// A detached (`adbe.pkcs7.detached`) signature whose SignedData carries an encapsulated
/// content: OpenSSL signs `econtent` with signed attributes, and the message digest is made
/// the SHA-256 of the byte ranges by signing the byte ranges' digest attribute directly
/// (`openssl cms -sign` over the byte ranges, then the content replaced). Returns the file.
fn econtent_file(openssl: &Path, k: &Keys, econtent: &[u8]) -> Vec<u8> {
    let (mut pdf, signed, gap) = fix_ranges(unsigned_update("adbe.pkcs7.detached", ""));
    // `openssl cms -sign -nodetach` over the byte ranges: the message digest is theirs. The
    // encapsulated content (the byte ranges) is then cut down to `econtent`: an e-office
    // system writes the detached signature with an empty eContent in just this way.
    let cms = openssl_cms(openssl, k, &signed);
    let cms = replace_econtent(&cms, &signed, econtent);
    fill_contents(&mut pdf, gap, &cms);
    pdf
}

fn openssl_cms(openssl: &Path, k: &Keys, content: &[u8]) -> Vec<u8> {
    let input = k.dir.join("content.bin");
    std::fs::write(&input, content).unwrap();
    let out = k.dir.join("cms.der");
    run(Command::new(openssl)
        .args([
            "cms",
            "-sign",
            "-binary",
            "-nodetach",
            "-md",
            "sha256",
            "-outform",
            "DER",
        ])
        .arg("-in")
        .arg(&input)
        .arg("-signer")
        .arg(&k.cert)
        .arg("-inkey")
        .arg(&k.key)
        .arg("-certfile")
        .arg(&k.chain)
        .arg("-out")
        .arg(&out));
    std::fs::read(&out).unwrap()
}

/// DER length octets.
fn der_len(n: usize) -> Vec<u8> {
    match n {
        n if n < 0x80 => vec![n as u8],
        n if n < 0x100 => vec![0x81, n as u8],
        n if n < 0x10000 => vec![0x82, (n >> 8) as u8, n as u8],
        n => vec![0x83, (n >> 16) as u8, (n >> 8) as u8, n as u8],
    }
}

/// A DER element's header length and content length at `at`.
fn header(der: &[u8], at: usize) -> (usize, usize) {
    let first = der[at + 1];
    if first < 0x80 {
        return (2, first as usize);
    }
    let n = (first & 0x7f) as usize;
    let len = der[at + 2..at + 2 + n]
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | *b as usize);
    (2 + n, len)
}

/// Rebuilds the CMS with the OCTET STRING holding `old` (the encapsulated content)
/// replaced by one holding `new`; every enclosing length is re-encoded.
fn replace_econtent(cms: &[u8], old: &[u8], new: &[u8]) -> Vec<u8> {
    let os_at = common::find(cms, old) - (octet_string(old).len() - old.len());
    rebuild(cms, 0, os_at, &octet_string(new))
}

fn rebuild(der: &[u8], at: usize, target: usize, replacement: &[u8]) -> Vec<u8> {
    if at == target {
        return replacement.to_vec();
    }
    let (h, len) = header(der, at);
    let mut content = Vec::new();
    let mut child = at + h;
    while child < at + h + len {
        let (ch, clen) = header(der, child);
        if target >= child && target < child + ch + clen {
            content.extend(rebuild(der, child, target, replacement));
        } else {
            content.extend_from_slice(&der[child..child + ch + clen]);
        }
        child += ch + clen;
    }
    let mut out = vec![der[at]];
    out.extend(der_len(content.len()));
    out.extend(content);
    out
}

fn verify(
    pdf: &[u8],
    pki: &TestPki,
    now: OffsetDateTime,
    policy: Option<AlgorithmPolicy>,
) -> SignatureReport {
    let mut opts = VerifyOptions::new(pki.trust()).validation_time(now);
    if let Some(p) = policy {
        opts.validation.algorithms = p;
    }
    let report = verify_bytes(pdf, &opts).unwrap();
    assert_eq!(report.signatures.len(), 1);
    report.signatures.into_iter().next().unwrap()
}

fn codes(s: &SignatureReport) -> Vec<Code> {
    s.findings.iter().map(|f| f.code).collect()
}

/// A policy under which SHA-1 is still acceptable at `now` (a cut-off a year later): what an
/// archive's policy for documents signed before the cut-off looks like from the inside.
fn sha1_tolerant(now: OffsetDateTime) -> AlgorithmPolicy {
    let mut p = AlgorithmPolicy::default();
    p.digest_cutoffs = vec![(
        kyso::crypto::DigestAlgorithm::Sha1,
        now + time::Duration::days(365),
    )];
    p
}

fn pdfsig_says_valid(pdf: &[u8], dir: &Path, name: &str) -> Option<bool> {
    let poppler = common::interop::Poppler::find()?;
    let path = dir.join(name);
    std::fs::write(&path, pdf).unwrap();
    let sigs = poppler.pdfsig(&path, true).unwrap();
    assert_eq!(sigs.len(), 1, "{sigs:?}");
    Some(sigs[0].valid)
}

/// ISO 32000-1 §12.8.3.3.1: adbe.pkcs7.sha1 encapsulates the SHA-1 digest of the byte
/// ranges. Integrity is checked (encapsulated digest = SHA-1 of the ranges, CMS signature),
/// and the algorithm policy decides: SHA-1 made now is refused by the default policy
/// (INDETERMINATE / CRYPTO_CONSTRAINTS_FAILURE), accepted as legacy under a policy whose
/// cut-off is later. pdfsig agrees on integrity.
#[test]
fn adbe_pkcs7_sha1_is_verified_and_judged_by_the_algorithm_policy() {
    let Some(openssl) = openssl() else { return };
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let k = keys(&pki);
    for extra in [&[][..], &["-noattr"][..]] {
        let pdf = pkcs7_sha1_file(&openssl, &k, extra, false);
        let s = verify(&pdf, &pki, now, None);
        assert_eq!(s.sub_filter.as_deref(), Some("adbe.pkcs7.sha1"));
        assert_eq!(
            s.integrity.digest,
            CheckStatus::Passed,
            "{extra:?}: {:?}",
            s.findings
        );
        assert_eq!(
            s.integrity.signature,
            CheckStatus::Passed,
            "{:?}",
            s.findings
        );
        assert_eq!(s.indication, Indication::Indeterminate, "{:?}", s.findings);
        assert_eq!(
            s.sub_indication,
            Some(SubIndication::CryptoConstraintsFailure)
        );
        assert!(codes(&s).contains(&Code::IntegrityAlgorithmRefused));
        assert!(!codes(&s).contains(&Code::CmsEncapsulatedContent));

        let s = verify(&pdf, &pki, now, Some(sha1_tolerant(now)));
        assert_eq!(
            s.indication,
            Indication::TotalPassed,
            "{extra:?}: {:?}",
            s.findings
        );
        assert!(codes(&s).contains(&Code::IntegrityAlgorithmLegacy));

        if let Some(valid) = pdfsig_says_valid(&pdf, &k.dir, "pkcs7-sha1.pdf") {
            assert!(
                valid,
                "pdfsig does not verify the adbe.pkcs7.sha1 file {extra:?}"
            );
        }
    }
}

/// An adbe.pkcs7.sha1 signature whose encapsulated digest is not the SHA-1 of the byte
/// ranges (the CMS itself verifies over it): the signed bytes were changed, TOTAL-FAILED /
/// HASH_FAILURE; pdfsig says invalid as well.
#[test]
fn adbe_pkcs7_sha1_with_another_digest_fails() {
    let Some(openssl) = openssl() else { return };
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let k = keys(&pki);
    let pdf = pkcs7_sha1_file(&openssl, &k, &[], true);
    let s = verify(&pdf, &pki, now, Some(sha1_tolerant(now)));
    assert_eq!(s.integrity.digest, CheckStatus::Failed, "{:?}", s.findings);
    assert_eq!(s.integrity.signature, CheckStatus::Passed);
    assert_eq!(s.indication, Indication::TotalFailed);
    assert_eq!(s.sub_indication, Some(SubIndication::HashFailure));
    if let Some(valid) = pdfsig_says_valid(&pdf, &k.dir, "pkcs7-sha1-bad.pdf") {
        assert!(!valid, "pdfsig accepts a wrong encapsulated digest");
    }
    // A changed byte in the signed range: the same failure.
    let mut pdf = pkcs7_sha1_file(&openssl, &k, &[], false);
    let at = common::find(&pdf, b"Legacy format test");
    pdf[at] = b'l';
    let s = verify(&pdf, &pki, now, Some(sha1_tolerant(now)));
    assert_eq!(
        s.sub_indication,
        Some(SubIndication::HashFailure),
        "{:?}",
        s.findings
    );
}

/// ISO 32000-1 §12.8.3.2: adbe.x509.rsa_sha1 holds a PKCS#1 signature in a DER OCTET
/// STRING, certificates in /Cert (array or single string, signer first). Made by OpenSSL
/// (and checked by it); kyso verifies the signature and the path, and the default policy
/// refuses SHA-1 made now. A DigestInfo with SHA-256 verifies and passes.
#[test]
fn adbe_x509_rsa_sha1_is_verified() {
    let Some(openssl) = openssl() else { return };
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let k = keys(&pki);
    for single in [false, true] {
        let pdf = x509_file(&openssl, &k, &pki, "-sha1", single);
        let s = verify(&pdf, &pki, now, None);
        assert_eq!(s.sub_filter.as_deref(), Some("adbe.x509.rsa_sha1"));
        assert_eq!(
            s.integrity.signature,
            CheckStatus::Passed,
            "{:?}",
            s.findings
        );
        assert_eq!(s.integrity.digest, CheckStatus::Passed);
        assert_eq!(s.digest_algorithm.as_deref(), Some("SHA-1"));
        assert_eq!(
            s.sub_indication,
            Some(SubIndication::CryptoConstraintsFailure),
            "{:?}",
            s.findings
        );
        assert!(s.signer.is_some());

        let s = verify(&pdf, &pki, now, Some(sha1_tolerant(now)));
        if single {
            // Without the issuing CA in /Cert (nor given by the caller) there is no path.
            assert_eq!(
                s.chain.status,
                kyso::report::ChainStatus::Untrusted,
                "{:?}",
                s.findings
            );
            assert_eq!(s.indication, Indication::Indeterminate);
        } else {
            assert_eq!(s.indication, Indication::TotalPassed, "{:?}", s.findings);
            assert_eq!(s.chain.status, kyso::report::ChainStatus::Trusted);
        }
    }
    let pdf = x509_file(&openssl, &k, &pki, "-sha256", false);
    let s = verify(&pdf, &pki, now, None);
    assert_eq!(s.digest_algorithm.as_deref(), Some("SHA-256"));
    assert_eq!(s.indication, Indication::TotalPassed, "{:?}", s.findings);

    // A changed signed byte: the signature no longer verifies.
    let mut pdf = x509_file(&openssl, &k, &pki, "-sha1", false);
    let at = common::find(&pdf, b"Legacy format test");
    pdf[at] = b'l';
    let s = verify(&pdf, &pki, now, Some(sha1_tolerant(now)));
    assert_eq!(s.integrity.signature, CheckStatus::Failed);
    assert_eq!(s.indication, Indication::TotalFailed);
    assert_eq!(s.sub_indication, Some(SubIndication::SigCryptoFailure));

    // No /Cert: the signer cannot be found.
    let (mut pdf, _, gap) = fix_ranges(unsigned_update("adbe.x509.rsa_sha1", ""));
    fill_contents(&mut pdf, gap, &octet_string(&[1; 256]));
    let s = verify(&pdf, &pki, now, None);
    assert!(
        codes(&s).contains(&Code::IntegritySignerCertMissing),
        "{:?}",
        s.findings
    );
    assert_ne!(s.indication, Indication::TotalPassed);
}

/// ISO 32000-1 §12.8.3.2 with §7.5.6: the certificates of an adbe.x509.rsa_sha1
/// signature are those of the revision it signs. A later update that redefines the indirect
/// `/Cert` array with another certificate (a swap) changes neither the key the signature is
/// checked with nor the signer the report names: the signature verifies with the signed
/// certificate, the report names its holder, and the update is judged as a change.
#[test]
fn adbe_x509_rsa_sha1_takes_its_certificate_from_its_own_revision() {
    let Some(openssl) = openssl() else { return };
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let k = keys(&pki);
    let pdf = x509_file_with(&openssl, &k, &pki, "-sha1", false, true);
    let honest = verify(&pdf, &pki, now, Some(sha1_tolerant(now)));
    assert_eq!(
        honest.indication,
        Indication::TotalPassed,
        "{:?}",
        honest.findings
    );
    let signer = honest.signer.clone().unwrap();
    let swapped = append(
        &pdf,
        &[(
            CERT_OBJ,
            format!(
                "[<{}> <{}>]",
                hex(&pki.untrusted.cert_der),
                hex(&pki.issuing_der)
            ),
        )],
        "/Info 11 0 R",
    );
    let s = verify(&swapped, &pki, now, Some(sha1_tolerant(now)));
    let named = s.signer.clone().unwrap();
    assert_eq!(named.subject, signer.subject, "{:?}", s.findings);
    assert_eq!(named.serial, signer.serial);
    assert_eq!(
        s.integrity.signature,
        CheckStatus::Passed,
        "{:?}",
        s.findings
    );
    assert_ne!(s.indication, Indication::TotalPassed, "{:?}", s.findings);
    assert!(!s.modifications.allowed, "{:?}", s.findings);
}

/// The real Adobe file of the corpus (endesive's adbe.x509.rsa_sha1 sample, 2009, RSA-1024
/// self-signed): integrity verifies; the default policy refuses its 1024-bit key used now,
/// and accepts it as legacy judged in 2009.
#[test]
fn corpus_adbe_x509_rsa_sha1_verifies_its_integrity() {
    let Some(path) =
        common::corpus::corpus("04-signed-pdfs/endesive/pdf-adobe-webcapture-x509.rsa_sha1.pdf")
    else {
        return;
    };
    let opts = VerifyOptions::new(kyso::pki::TrustStore::empty());
    let report = kyso::verify::verify_file(&path, &opts).unwrap();
    let s = &report.signatures[0];
    assert_eq!(
        s.integrity.signature,
        CheckStatus::Passed,
        "{:?}",
        s.findings
    );
    assert_eq!(s.integrity.digest, CheckStatus::Passed);
    assert_eq!(s.indication, Indication::Indeterminate);
    assert!(
        codes(s).contains(&Code::IntegrityAlgorithmRefused),
        "{:?}",
        s.findings
    );
    // Judged in 2009, when it was made, the 1024-bit key and SHA-1 are legacy, not refused.
    let opts = VerifyOptions::new(kyso::pki::TrustStore::empty())
        .validation_time(time::macros::datetime!(2009-10-05 0:00 UTC));
    let report = kyso::verify::verify_file(&path, &opts).unwrap();
    let s = &report.signatures[0];
    assert!(
        !codes(s).contains(&Code::IntegrityAlgorithmRefused),
        "{:?}",
        s.findings
    );
    assert!(
        codes(s).contains(&Code::IntegrityAlgorithmLegacy),
        "{:?}",
        s.findings
    );
}

/// Issue 19 §2: a detached signature whose SignedData carries an empty encapsulated content
/// (output of a Vietnamese e-office system) is checked over the byte ranges and passes with
/// the warning `cms.empty_encapsulated_content`; a non-empty encapsulated content stays
/// TOTAL-FAILED / FORMAT_FAILURE (`cms.encapsulated_content`), as pyHanko judges it.
#[test]
fn empty_encapsulated_content_is_a_warning_non_empty_a_failure() {
    let Some(openssl) = openssl() else { return };
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let k = keys(&pki);
    let pdf = econtent_file(&openssl, &k, b"");
    let s = verify(&pdf, &pki, now, None);
    assert!(
        codes(&s).contains(&Code::CmsEmptyEncapsulatedContent),
        "{:?}",
        s.findings
    );
    assert!(!codes(&s).contains(&Code::CmsEncapsulatedContent));
    assert_eq!(s.integrity.digest, CheckStatus::Passed, "{:?}", s.findings);
    assert_eq!(s.indication, Indication::TotalPassed, "{:?}", s.findings);

    let pdf = econtent_file(&openssl, &k, b"x");
    let s = verify(&pdf, &pki, now, None);
    assert!(
        codes(&s).contains(&Code::CmsEncapsulatedContent),
        "{:?}",
        s.findings
    );
    assert_eq!(s.indication, Indication::TotalFailed);
    assert_eq!(s.sub_indication, Some(SubIndication::FormatFailure));
}

/// ETSI TS 119 312 spirit (issue 19 §2): the algorithm policy judges a signature at the time
/// it was used. The same adbe.pkcs7.sha1 file, signed with a PKI of mid-2015, passes (with
/// `integrity.algorithm_legacy`) when judged in July 2015, before the default SHA-1 cut-off
/// of 2016-01-01, and is INDETERMINATE / CRYPTO_CONSTRAINTS_FAILURE judged in June 2016,
/// its certificates still valid.
#[test]
fn sha1_is_judged_at_the_time_of_use() {
    let Some(openssl) = openssl() else { return };
    let then = time::macros::datetime!(2015-06-01 0:00 UTC);
    let pki = TestPki::generate(then);
    let k = keys(&pki);
    let pdf = pkcs7_sha1_file(&openssl, &k, &[], false);
    let s = verify(
        &pdf,
        &pki,
        time::macros::datetime!(2015-07-01 0:00 UTC),
        None,
    );
    assert_eq!(s.indication, Indication::TotalPassed, "{:?}", s.findings);
    assert!(codes(&s).contains(&Code::IntegrityAlgorithmLegacy));
    let s = verify(
        &pdf,
        &pki,
        time::macros::datetime!(2016-06-01 0:00 UTC),
        None,
    );
    assert_eq!(s.indication, Indication::Indeterminate, "{:?}", s.findings);
    assert_eq!(
        s.sub_indication,
        Some(SubIndication::CryptoConstraintsFailure)
    );
    assert!(codes(&s).contains(&Code::IntegrityAlgorithmRefused));
}

/// MD5 is never accepted: an adbe.pkcs7.sha1 SignedData whose signer uses MD5 (OpenSSL
/// `-md md5`) does not pass under any date.
#[test]
fn md5_never_passes() {
    let Some(openssl) = openssl() else { return };
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let k = keys(&pki);
    let (mut pdf, signed, gap) = fix_ranges(unsigned_update("adbe.pkcs7.detached", ""));
    let input = k.dir.join("signed.bin");
    std::fs::write(&input, &signed).unwrap();
    let out = k.dir.join("md5.der");
    run(Command::new(&openssl)
        .args([
            "cms", "-sign", "-binary", "-md", "md5", "-outform", "DER", "-in",
        ])
        .arg(&input)
        .arg("-signer")
        .arg(&k.cert)
        .arg("-inkey")
        .arg(&k.key)
        .arg("-certfile")
        .arg(&k.chain)
        .arg("-out")
        .arg(&out));
    fill_contents(&mut pdf, gap, &std::fs::read(&out).unwrap());
    let s = verify(&pdf, &pki, now, Some(AlgorithmPolicy::permissive()));
    assert_eq!(s.indication, Indication::Indeterminate, "{:?}", s.findings);
    assert_eq!(
        s.sub_indication,
        Some(SubIndication::CryptoConstraintsFailure)
    );
}
