//! kyso's signatures judged by independent peers: pyHanko (`pyhanko sign validate`, our root
//! as the only trust anchor), poppler (`pdfsig -nocert`), `qpdf --check`, MuPDF
//! (`mutool sign -v`) and lopdf, with kyso's own verifier as a cross-check.
//!
//! # The matrix (a covering set, not the full cross product)
//!
//! Keys: RSA-2048 PKCS#1 v1.5 (key in PKCS#1 PEM), RSA-3072 PSS, ECDSA P-256, ECDSA P-384 (key
//! in SEC1 PEM), Ed25519. Formats: PAdES (`ETSI.CAdES.detached`) and `adbe.pkcs7.detached`.
//! Inputs: classic xref table, xref stream with object streams, hybrid-reference file.
//!
//! - One signature: every key on every input (15 files), the format alternating so that every
//!   key is seen in both formats and every input in both formats (format = PKCS#7 when
//!   key index + input index is odd). Every pair of (key, format, input) values occurs.
//! - Two signatures: six files, two per input, the first in one format and the second in the
//!   other; the pairs of keys rotate so that every key signs first once and second once.
//! - Three signatures: one file on the xref-stream input (P-256 PAdES, RSA-2048 PKCS#7,
//!   P-384 PAdES), so that pyHanko judges two earlier signatures with later updates.
//! - An existing empty field: `Approval` (table input) filled with P-256 PAdES, then an
//!   RSA-PSS PAdES signature in a new field.
//!
//! Every file must be: valid, intact and trusted in pyHanko, the last signature `UNTOUCHED`
//! (ENTIRE_FILE) and earlier ones extended with acceptable form-filling modifications; "Signature
//! is Valid." in pdfsig with "Total document signed" for the last signature only and the right
//! signature type; accepted by `qpdf --check` without warnings; loaded by lopdf with one page
//! and one form field per signature; valid in MuPDF, unchanged since signing for the last
//! signature only; TOTAL-PASSED in kyso, ENTIRE_FILE for the last signature and ENTIRE_REVISION
//! for the others.
//!
//! # What the peers do not support (recorded as `n/s` in the table, not failures)
//!
//! - poppler 22.12 (NSS): Ed25519 signatures ("Document isn't signed or corrupted data.").
//! - MuPDF 1.21 (OpenSSL's PKCS7 API): Ed25519 and RSASSA-PSS ("Digest error: Unknown
//!   error."); a PSS signature made by pyHanko gets the same answer. OpenSSL 3.0 itself
//!   cannot sign or verify Ed25519 CMS at all.
//! - pyHanko 0.38 refuses hybrid-reference files unless `--no-strict-syntax` is given; the
//!   hybrid cases pass it (to `validate` and to `addsig`).
//!
//! Besides the matrix: a kyso signature added after a pyHanko signature, and a pyHanko
//! signature added after a kyso signature, must leave both valid in pyHanko, in kyso and in
//! the other peers. The matrix signs in memory (`sign_bytes`); these sequences sign files
//! (`sign_file`, the streaming path the CLI uses).

mod common;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use common::interop::{self, Mutool, Poppler, Pyhanko, PyhankoCoverage, PyhankoTrust, Qpdf};
use common::pki::{TestPki, TestSigner};
use common::vectors::{base, sign, sign_with, Base};
use kyso::crypto::SignatureAlgorithm;
use kyso::report::{CoverageStatus, Indication};
use kyso::verify::{verify_bytes, VerifyOptions};
use time::OffsetDateTime;

const PADES: &str = "ETSI.CAdES.detached";
const PKCS7: &str = "adbe.pkcs7.detached";

/// The peers found on this machine.
struct Peers {
    pyhanko: Option<Pyhanko>,
    poppler: Option<Poppler>,
    qpdf: Option<Qpdf>,
    mutool: Option<Mutool>,
}

impl Peers {
    fn find() -> Self {
        Peers {
            pyhanko: Pyhanko::find(),
            poppler: Poppler::find(),
            qpdf: Qpdf::find(),
            mutool: Mutool::find(),
        }
    }
}

/// What one signature of a file should be.
#[derive(Clone)]
struct Expect {
    /// Field name.
    field: String,
    /// `/SubFilter`.
    sub_filter: &'static str,
    /// The algorithm, to know which peers can check it.
    algorithm: SignatureAlgorithm,
    /// Who made it (`kyso`, `pyHanko`), for the table.
    by: &'static str,
}

/// One signed file and what each of its signatures should be.
struct Case {
    name: String,
    path: PathBuf,
    expect: Vec<Expect>,
    /// Extra arguments for `pyhanko sign validate`.
    pyhanko_extra: Vec<&'static str>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Peer {
    Pdfsig,
    Mutool,
}

/// Whether `peer` can check a signature made with `alg` (see the module documentation).
fn peer_supports(peer: Peer, alg: SignatureAlgorithm) -> bool {
    match peer {
        Peer::Pdfsig => alg != SignatureAlgorithm::Ed25519,
        Peer::Mutool => !matches!(
            alg,
            SignatureAlgorithm::Ed25519 | SignatureAlgorithm::RsaPssSha256
        ),
    }
}

/// A peer's overall answer on one file.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cell {
    /// Everything as expected.
    Ok,
    /// As expected, except signatures with algorithms the peer does not support.
    NotSupported,
    /// Something was wrong (the details are in the failures).
    Fail,
    /// The tool is not installed.
    Skipped,
}

impl Cell {
    fn text(self) -> &'static str {
        match self {
            Cell::Ok => "ok",
            Cell::NotSupported => "n/s",
            Cell::Fail => "FAIL",
            Cell::Skipped => "-",
        }
    }
}

/// One line of the results table.
struct Row {
    name: String,
    signatures: String,
    cells: [Cell; 6],
}

const COLUMNS: [&str; 6] = ["pyHanko", "pdfsig", "qpdf", "mutool", "lopdf", "kyso"];

/// Checks one file with every peer; returns its row and the problems found.
fn check_case(
    case: &Case,
    peers: &Peers,
    pki: &TestPki,
    root: &Path,
    now: OffsetDateTime,
) -> (Row, Vec<String>) {
    let bytes = std::fs::read(&case.path).unwrap();
    let mut problems = Vec::new();
    let mut run = |f: &mut dyn FnMut(&mut Vec<String>) -> Cell| {
        let mut p = Vec::new();
        let cell = f(&mut p);
        let cell = if p.is_empty() { cell } else { Cell::Fail };
        problems.extend(p.into_iter().map(|m| format!("{}: {m}", case.name)));
        cell
    };
    let cells = [
        run(&mut |p| match &peers.pyhanko {
            Some(t) => check_pyhanko(t, case, root, p),
            None => Cell::Skipped,
        }),
        run(&mut |p| match &peers.poppler {
            Some(t) => check_pdfsig(t, case, bytes.len() as u64, p),
            None => Cell::Skipped,
        }),
        run(&mut |p| match &peers.qpdf {
            Some(t) => {
                if let Err(e) = t.check(&case.path) {
                    p.push(e);
                }
                Cell::Ok
            }
            None => Cell::Skipped,
        }),
        run(&mut |p| match &peers.mutool {
            Some(t) => check_mutool(t, case, p),
            None => Cell::Skipped,
        }),
        run(&mut |p| check_lopdf(case, p)),
        run(&mut |p| check_kyso(case, &bytes, pki, now, p)),
    ];
    let signatures = case
        .expect
        .iter()
        .map(|e| {
            let format = if e.sub_filter == PADES {
                "PAdES"
            } else {
                "PKCS7"
            };
            format!("{}:{}/{format}", e.by, alg_name(e.algorithm))
        })
        .collect::<Vec<_>>()
        .join(" + ");
    (
        Row {
            name: case.name.clone(),
            signatures,
            cells,
        },
        problems,
    )
}

fn alg_name(a: SignatureAlgorithm) -> &'static str {
    match a {
        SignatureAlgorithm::RsaPkcs1Sha256 => "RSA",
        SignatureAlgorithm::RsaPkcs1Sha384 => "RSA-384",
        SignatureAlgorithm::RsaPkcs1Sha512 => "RSA-512",
        SignatureAlgorithm::RsaPssSha256 => "PSS",
        SignatureAlgorithm::EcdsaP256Sha256 => "P256",
        SignatureAlgorithm::EcdsaP384Sha384 => "P384",
        SignatureAlgorithm::Ed25519 => "Ed25519",
        _ => "other",
    }
}

fn check_pyhanko(t: &Pyhanko, case: &Case, root: &Path, problems: &mut Vec<String>) -> Cell {
    let report = match t.validate(&case.path, root, &case.pyhanko_extra) {
        Ok(r) => r,
        Err(e) => {
            problems.push(e);
            return Cell::Fail;
        }
    };
    if report.len() != case.expect.len() {
        problems.push(format!(
            "pyHanko sees {} signature(s), expected {}: {report:?}",
            report.len(),
            case.expect.len()
        ));
        return Cell::Fail;
    }
    let last = report.len() - 1;
    for (i, (s, e)) in report.iter().zip(&case.expect).enumerate() {
        let mut bad = Vec::new();
        if s.field != e.field {
            bad.push(format!("field {:?}, expected {:?}", s.field, e.field));
        }
        if !s.intact || !s.valid || s.trust != Some(PyhankoTrust::Trusted) || s.error.is_some() {
            bad.push("not intact, valid and trusted".to_string());
        }
        if i == last {
            if s.coverage != Some(PyhankoCoverage::EntireFile) {
                bad.push(format!("coverage {:?}, expected ENTIRE_FILE", s.coverage));
            }
        } else {
            if s.coverage != Some(PyhankoCoverage::EntireRevision) {
                bad.push(format!(
                    "coverage {:?}, expected ENTIRE_REVISION",
                    s.coverage
                ));
            }
            if s.modifications_acceptable != Some(true)
                || s.modification_level.as_deref() != Some("FORM_FILLING")
            {
                bad.push(format!(
                    "modifications {:?} / {:?}, expected acceptable form filling",
                    s.modification_level, s.modifications_acceptable
                ));
            }
        }
        if !bad.is_empty() {
            problems.push(format!(
                "pyHanko, signature {} ({}): {}\n{}",
                i + 1,
                e.field,
                bad.join("; "),
                s.raw
            ));
        }
    }
    Cell::Ok
}

fn check_pdfsig(t: &Poppler, case: &Case, file_len: u64, problems: &mut Vec<String>) -> Cell {
    let sigs = match t.pdfsig(&case.path, true) {
        Ok(s) => s,
        Err(e) => {
            problems.push(e);
            return Cell::Fail;
        }
    };
    if sigs.len() != case.expect.len() {
        problems.push(format!(
            "pdfsig sees {} signature(s), expected {}: {sigs:?}",
            sigs.len(),
            case.expect.len()
        ));
        return Cell::Fail;
    }
    let last = sigs.len() - 1;
    let mut cell = Cell::Ok;
    for (i, (s, e)) in sigs.iter().zip(&case.expect).enumerate() {
        let mut bad = Vec::new();
        if s.field.as_deref() != Some(e.field.as_str()) {
            bad.push(format!("field {:?}", s.field));
        }
        if s.signature_type.as_deref() != Some(e.sub_filter) {
            bad.push(format!("signature type {:?}", s.signature_type));
        }
        let reaches_end = s.signed_ranges.last().map(|r| r.1) == Some(file_len);
        if i == last && !(s.total_document_signed && reaches_end) {
            bad.push("last signature: not \"Total document signed\"".to_string());
        }
        if i != last && (s.total_document_signed || reaches_end) {
            bad.push("earlier signature claims to cover the whole file".to_string());
        }
        if !s.valid {
            if peer_supports(Peer::Pdfsig, e.algorithm) {
                bad.push(format!("not valid: {:?}", s.validation));
            } else {
                cell = Cell::NotSupported;
            }
        }
        if !bad.is_empty() {
            problems.push(format!(
                "pdfsig, signature {} ({}): {}\n{}",
                i + 1,
                e.field,
                bad.join("; "),
                s.raw
            ));
        }
    }
    cell
}

fn check_mutool(t: &Mutool, case: &Case, problems: &mut Vec<String>) -> Cell {
    let sigs = match t.verify(&case.path) {
        Ok(s) => s,
        Err(e) => {
            problems.push(e);
            return Cell::Fail;
        }
    };
    if sigs.len() != case.expect.len() {
        problems.push(format!(
            "mutool sees {} signature(s), expected {}: {sigs:?}",
            sigs.len(),
            case.expect.len()
        ));
        return Cell::Fail;
    }
    let last = sigs.len() - 1;
    let mut cell = Cell::Ok;
    for (i, (s, e)) in sigs.iter().zip(&case.expect).enumerate() {
        if !peer_supports(Peer::Mutool, e.algorithm) {
            if !s.digest_ok {
                cell = Cell::NotSupported;
            }
            continue;
        }
        let ok = s.digest_ok && s.unchanged_since_signing == (i == last);
        if !ok {
            problems.push(format!(
                "mutool, signature {} ({}): expected valid{}\n{}",
                i + 1,
                e.field,
                if i == last {
                    " and unchanged since signing"
                } else {
                    " with edits since signing"
                },
                s.raw
            ));
        }
    }
    cell
}

fn check_lopdf(case: &Case, problems: &mut Vec<String>) -> Cell {
    let doc = match interop::lopdf_loads(&case.path) {
        Ok(d) => d,
        Err(e) => {
            problems.push(e);
            return Cell::Fail;
        }
    };
    if doc.get_pages().len() != 1 {
        problems.push(format!("lopdf sees {} pages", doc.get_pages().len()));
    }
    let fields = lopdf_field_names(&doc);
    let expected: Vec<&str> = case.expect.iter().map(|e| e.field.as_str()).collect();
    if fields != expected {
        problems.push(format!(
            "lopdf sees the fields {fields:?}, expected {expected:?}"
        ));
    }
    Cell::Ok
}

/// The `/T` of each entry of `/AcroForm /Fields`, as lopdf reads the merged document.
fn lopdf_field_names(doc: &lopdf::Document) -> Vec<String> {
    let deref = |o: &lopdf::Object| -> Option<lopdf::Object> {
        match o {
            lopdf::Object::Reference(r) => doc.get_object(*r).ok().cloned(),
            other => Some(other.clone()),
        }
    };
    let Some(acroform) = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"AcroForm").ok())
        .and_then(deref)
    else {
        return Vec::new();
    };
    let Some(fields) = acroform
        .as_dict()
        .ok()
        .and_then(|d| d.get(b"Fields").ok())
        .and_then(deref)
    else {
        return Vec::new();
    };
    let Ok(fields) = fields.as_array() else {
        return Vec::new();
    };
    fields
        .iter()
        .filter_map(deref)
        .filter_map(|f| {
            let d = f.as_dict().ok()?;
            let t = d.get(b"T").ok()?;
            let bytes = t.as_str().ok()?;
            Some(decode_text(bytes))
        })
        .collect()
}

/// PDF text string (UTF-16BE with BOM, or PDFDocEncoding read as Latin-1 for the ASCII names
/// used here).
fn decode_text(b: &[u8]) -> String {
    match b.strip_prefix(&[0xFE, 0xFF]) {
        Some(u) => {
            let units: Vec<u16> = u
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        None => b.iter().map(|&c| char::from(c)).collect(),
    }
}

fn check_kyso(
    case: &Case,
    bytes: &[u8],
    pki: &TestPki,
    now: OffsetDateTime,
    problems: &mut Vec<String>,
) -> Cell {
    let opts = VerifyOptions::new(pki.trust()).validation_time(now);
    let report = match verify_bytes(bytes, &opts) {
        Ok(r) => r,
        Err(e) => {
            problems.push(format!("kyso cannot verify: {e}"));
            return Cell::Fail;
        }
    };
    if report.signatures.len() != case.expect.len() {
        problems.push(format!(
            "kyso sees {} signature(s), expected {}",
            report.signatures.len(),
            case.expect.len()
        ));
        return Cell::Fail;
    }
    let last = report.signatures.len() - 1;
    for (i, (s, e)) in report.signatures.iter().zip(&case.expect).enumerate() {
        let coverage = if i == last {
            CoverageStatus::EntireFile
        } else {
            CoverageStatus::EntireRevision
        };
        let ok = s.indication == Indication::TotalPassed
            && s.field_name.as_deref() == Some(e.field.as_str())
            && s.sub_filter.as_deref() == Some(e.sub_filter)
            && s.coverage.status == coverage
            && s.modifications.allowed;
        if !ok {
            problems.push(format!(
                "kyso, signature {} ({}): {} {:?}, field {:?}, {:?}, coverage {:?} (expected \
                 {coverage:?}); findings: {:?}",
                i + 1,
                e.field,
                s.indication.as_str(),
                s.sub_indication,
                s.field_name,
                s.sub_filter,
                s.coverage.status,
                s.findings
                    .iter()
                    .map(|f| format!("{}: {}", f.code.as_str(), f.message))
                    .collect::<Vec<_>>()
            ));
        }
    }
    Cell::Ok
}

/// Checks every case on two worker threads (the peers are separate processes).
fn check_all(
    cases: &[Case],
    peers: &Peers,
    pki: &TestPki,
    root: &Path,
    now: OffsetDateTime,
) -> (Vec<Row>, Vec<String>) {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Row, Vec<String>)>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(case) = cases.get(i) else { break };
                let (row, problems) = check_case(case, peers, pki, root, now);
                results.lock().unwrap().push((i, row, problems));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|r| r.0);
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (_, row, p) in results {
        rows.push(row);
        problems.extend(p);
    }
    (rows, problems)
}

/// Prints the table straight to stderr (visible without `--nocapture`).
fn print_table(title: &str, rows: &[Row]) {
    let name_w = rows.iter().map(|r| r.name.len()).max().unwrap_or(4).max(4);
    let sig_w = rows
        .iter()
        .map(|r| r.signatures.len())
        .max()
        .unwrap_or(10)
        .max(10);
    let mut out = format!("\n{title}\n{:<name_w$}  {:<sig_w$}", "file", "signatures");
    for c in COLUMNS {
        let _ = write!(out, "  {c:<7}");
    }
    out.push('\n');
    for r in rows {
        let _ = write!(out, "{:<name_w$}  {:<sig_w$}", r.name, r.signatures);
        for c in r.cells {
            let _ = write!(out, "  {:<7}", c.text());
        }
        out.push('\n');
    }
    let _ = std::io::stderr().write_all(out.as_bytes());
}

fn base_name(b: Base) -> &'static str {
    match b {
        Base::Table => "table",
        Base::Stream => "stream",
        Base::Hybrid => "hybrid",
        Base::EmptyField => "empty-field",
    }
}

fn pyhanko_extra(b: Base) -> Vec<&'static str> {
    if b == Base::Hybrid {
        vec!["--no-strict-syntax"]
    } else {
        Vec::new()
    }
}

fn expect_kyso(index: usize, signer: &TestSigner, pkcs7: bool) -> Expect {
    Expect {
        field: format!("Signature{}", index + 1),
        sub_filter: if pkcs7 { PKCS7 } else { PADES },
        algorithm: signer.algorithm,
        by: "kyso",
    }
}

/// Signs `b` with each `(signer, pkcs7)` in turn and writes the result.
fn make_case(dir: &Path, b: Base, signatures: &[(&TestSigner, bool)], now: OffsetDateTime) -> Case {
    let mut pdf = base(b);
    let mut expect = Vec::new();
    let mut name = base_name(b).to_string();
    for (i, (signer, pkcs7)) in signatures.iter().enumerate() {
        pdf = sign(&pdf, signer, *pkcs7, now);
        expect.push(expect_kyso(i, signer, *pkcs7));
        let _ = write!(
            name,
            "-{}-{}",
            signer.id,
            if *pkcs7 { "pkcs7" } else { "pades" }
        );
    }
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, &pdf).unwrap();
    Case {
        name,
        path,
        expect,
        pyhanko_extra: pyhanko_extra(b),
    }
}

fn finish(title: &str, rows: &[Row], problems: &[String]) {
    print_table(title, rows);
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}

#[test]
fn peers_accept_kyso_signatures() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let peers = Peers::find();
    let dir = common::temp_dir();
    let root = pki.write_root(dir.path());

    let keys = [
        &pki.rsa2048,
        &pki.rsa3072_pss,
        &pki.p256,
        &pki.p384,
        &pki.ed25519,
    ];
    let bases = [Base::Table, Base::Stream, Base::Hybrid];
    let mut cases = Vec::new();
    for (k, key) in keys.iter().enumerate() {
        for (b, &base_kind) in bases.iter().enumerate() {
            let pkcs7 = (k + b) % 2 == 1;
            cases.push(make_case(dir.path(), base_kind, &[(key, pkcs7)], now));
        }
    }
    for t in 0..6 {
        let first = keys[t % keys.len()];
        let second = keys[(t + 2) % keys.len()];
        let first_pkcs7 = t % 2 == 1;
        cases.push(make_case(
            dir.path(),
            bases[t / 2],
            &[(first, first_pkcs7), (second, !first_pkcs7)],
            now,
        ));
    }
    cases.push(make_case(
        dir.path(),
        Base::Stream,
        &[(&pki.p256, false), (&pki.rsa2048, true), (&pki.p384, false)],
        now,
    ));
    // An existing empty signature field (with its own widget) filled by kyso, then a second
    // signature in a new field.
    let name = "empty-field-approval-p256-pades-rsa3072-pss-pades".to_string();
    let once = sign_with(
        &base(Base::EmptyField),
        &pki.p256.signer(),
        false,
        Some("Approval"),
        now,
    );
    let twice = sign(&once, &pki.rsa3072_pss, false, now);
    let path = dir.path().join(format!("{name}.pdf"));
    std::fs::write(&path, twice).unwrap();
    let mut first = expect_kyso(0, &pki.p256, false);
    first.field = "Approval".to_string();
    cases.push(Case {
        name,
        path,
        expect: vec![first, expect_kyso(0, &pki.rsa3072_pss, false)],
        pyhanko_extra: Vec::new(),
    });
    assert_eq!(cases.len(), 23);

    let (rows, problems) = check_all(&cases, &peers, &pki, &root, now);
    finish("kyso signatures judged by peers", &rows, &problems);
}

/// Signs with the streaming file path ([`kyso::sign::sign_file`]) rather than in memory, so
/// that both code paths meet the peers.
fn sign_file(input: &Path, output: &Path, signer: &TestSigner, pkcs7: bool, now: OffsetDateTime) {
    let opts = kyso::sign::SignOptions::new()
        .reason("Kiểm thử liên thông (interop)")
        .location("Đà Nẵng")
        .signing_time(now)
        .sub_filter(if pkcs7 {
            kyso::sign::SubFilter::Pkcs7Detached
        } else {
            kyso::sign::SubFilter::Pades
        });
    kyso::sign::sign_file(input, output, &signer.signer(), &opts)
        .unwrap_or_else(|e| panic!("kyso could not sign {}: {e}", input.display()));
}

/// The PEM files pyHanko signs with: key, certificate, chain.
struct PemFiles {
    key: PathBuf,
    cert: PathBuf,
    chain: PathBuf,
}

fn pem_files(signer: &TestSigner, dir: &Path) -> PemFiles {
    let (key, cert, chain) = signer.write_pem(dir);
    PemFiles { key, cert, chain }
}

fn pyhanko_sign(
    pyhanko: &Pyhanko,
    input: &Path,
    output: &Path,
    field: &str,
    files: &PemFiles,
    extra: &[&str],
) {
    let chain = [files.chain.as_path()];
    let signer = interop::PemSigner {
        key: &files.key,
        cert: &files.cert,
        chain: &chain,
    };
    pyhanko
        .sign_pemder(input, output, field, &signer, extra)
        .unwrap_or_else(|e| panic!("pyHanko could not sign {}: {e}", input.display()));
}

/// A pyHanko signature first (visible widget, PAdES or PKCS#7), then kyso's: pyHanko and kyso
/// must both keep the pyHanko signature valid.
#[test]
fn kyso_signs_after_pyhanko() {
    let Some(pyhanko) = Pyhanko::find() else {
        return;
    };
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let peers = Peers::find();
    let dir = common::temp_dir();
    let d = dir.path();
    let root = pki.write_root(d);
    let py_key = pem_files(&pki.p256, d);

    // (input, pyHanko uses PAdES, kyso's signer, kyso uses PKCS#7)
    let plan = [
        (Base::Table, true, &pki.rsa2048, false),
        (Base::Stream, false, &pki.p384, true),
        (Base::Hybrid, true, &pki.rsa3072_pss, false),
    ];
    let mut cases = Vec::new();
    for (b, py_pades, signer, pkcs7) in plan {
        let name = format!("pyhanko-then-kyso-{}", base_name(b));
        let input = d.join(format!("{name}.in.pdf"));
        std::fs::write(&input, base(b)).unwrap();
        let py_out = d.join(format!("{name}.py.pdf"));
        let mut extra = pyhanko_extra(b);
        if py_pades {
            extra.push("--use-pades");
        }
        pyhanko_sign(
            &pyhanko,
            &input,
            &py_out,
            "1/50,50,250,120/PyHanko",
            &py_key,
            &extra,
        );
        let path = d.join(format!("{name}.pdf"));
        sign_file(&py_out, &path, signer, pkcs7, now);
        cases.push(Case {
            name,
            path,
            expect: vec![
                Expect {
                    field: "PyHanko".to_string(),
                    sub_filter: if py_pades { PADES } else { PKCS7 },
                    algorithm: pki.p256.algorithm,
                    by: "pyHanko",
                },
                expect_kyso(0, signer, pkcs7),
            ],
            pyhanko_extra: pyhanko_extra(b),
        });
    }
    let (rows, problems) = check_all(&cases, &peers, &pki, &root, now);
    finish(
        "a kyso signature after a pyHanko signature",
        &rows,
        &problems,
    );
}

/// kyso signs first, pyHanko adds a visible signature: both stay valid in both tools.
#[test]
fn pyhanko_signs_after_kyso() {
    let Some(pyhanko) = Pyhanko::find() else {
        return;
    };
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let peers = Peers::find();
    let dir = common::temp_dir();
    let d = dir.path();
    let root = pki.write_root(d);
    // The RSA key is in PKCS#1 PEM form: pyHanko reads that too.
    let py_key = pem_files(&pki.rsa2048, d);

    // (input, kyso's signer, kyso uses PKCS#7, pyHanko uses PAdES)
    let plan = [
        (Base::Table, &pki.p384, true, true),
        (Base::Stream, &pki.rsa3072_pss, false, false),
        (Base::Hybrid, &pki.ed25519, false, true),
    ];
    let mut cases = Vec::new();
    for (b, signer, pkcs7, py_pades) in plan {
        let name = format!("kyso-then-pyhanko-{}", base_name(b));
        let kyso_out = d.join(format!("{name}.kyso.pdf"));
        let input = d.join(format!("{name}.in.pdf"));
        std::fs::write(&input, base(b)).unwrap();
        sign_file(&input, &kyso_out, signer, pkcs7, now);
        let path = d.join(format!("{name}.pdf"));
        let mut extra = pyhanko_extra(b);
        if py_pades {
            extra.push("--use-pades");
        }
        pyhanko_sign(
            &pyhanko,
            &kyso_out,
            &path,
            "1/300,50,500,120/PyHanko",
            &py_key,
            &extra,
        );
        cases.push(Case {
            name,
            path,
            expect: vec![
                expect_kyso(0, signer, pkcs7),
                Expect {
                    field: "PyHanko".to_string(),
                    sub_filter: if py_pades { PADES } else { PKCS7 },
                    algorithm: pki.rsa2048.algorithm,
                    by: "pyHanko",
                },
            ],
            pyhanko_extra: pyhanko_extra(b),
        });
    }
    let (rows, problems) = check_all(&cases, &peers, &pki, &root, now);
    finish(
        "a pyHanko signature after a kyso signature",
        &rows,
        &problems,
    );
}

/// What pyHanko writes into the catalog with its signature (seen above): `/Version /2.0`,
/// `/Extensions` (ESIC, ISO_) and a new XMP `/Metadata` stream. kyso must accept that after
/// its own signature, and still refuse other catalog changes. No peer needed.
#[test]
fn catalog_bookkeeping_of_later_signers_is_allowed() {
    use common::lopdf_glue::{begin_update, dict_from_lopdf};
    use kyso::pdf::{Dict, Name, Object, Stream, StreamData};

    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let opts = VerifyOptions::new(pki.trust()).validation_time(now);
    for b in [Base::Table, Base::Stream] {
        let signed = sign(&base(b), &pki.p256, false, now);
        let update_catalog = |edit: &dyn Fn(&mut Dict, &mut kyso::pdf::IncrementalUpdate)| {
            let (mut u, doc) = begin_update(&signed);
            let root = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
            let mut catalog = dict_from_lopdf(doc.get_dictionary(root).unwrap());
            edit(&mut catalog, &mut u);
            u.put(
                kyso::pdf::ObjRef::new(root.0, root.1),
                &Object::Dict(catalog),
            )
            .unwrap();
            let mut out = signed.clone();
            out.extend_from_slice(&u.finish().unwrap().bytes);
            out
        };

        let bookkeeping = update_catalog(&|catalog, u| {
            let mut esic = Dict::new();
            esic.set("Type", Object::Name(Name::from("DeveloperExtensions")));
            esic.set("BaseVersion", Object::Name(Name::from("1.7")));
            esic.set("ExtensionLevel", 1i64);
            let mut ext = Dict::new();
            ext.set("ESIC", Object::Dict(esic));
            catalog.set("Extensions", Object::Dict(ext));
            catalog.set("Version", Object::Name(Name::from("2.0")));
            let xmp = u.allocate().unwrap();
            let mut d = Dict::new();
            d.set("Type", Object::Name(Name::from("Metadata")));
            d.set("Subtype", Object::Name(Name::from("XML")));
            u.put(
                xmp,
                &Object::Stream(Stream {
                    dict: d,
                    data: StreamData::Memory(b"<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"/>".to_vec()),
                }),
            )
            .unwrap();
            catalog.set("Metadata", Object::Reference(xmp));
        });
        let report = verify_bytes(&bookkeeping, &opts).unwrap();
        let s = &report.signatures[0];
        assert_eq!(
            s.indication,
            Indication::TotalPassed,
            "{b:?}: {:?}",
            s.findings
        );
        assert_eq!(s.coverage.status, CoverageStatus::EntireRevision);

        // The version must stay a name; other catalog entries stay forbidden.
        for (key, value) in [
            ("Version", Object::Integer(2)),
            ("OpenAction", Object::Array(vec![Object::Integer(0)])),
            ("Names", Object::Dict(Dict::new())),
        ] {
            let changed = update_catalog(&|catalog, _| catalog.set(key, value.clone()));
            let report = verify_bytes(&changed, &opts).unwrap();
            let s = &report.signatures[0];
            assert_eq!(
                (s.indication, s.sub_indication),
                (
                    Indication::TotalFailed,
                    Some(kyso::report::SubIndication::DisallowedModification)
                ),
                "{b:?}, /{key}: {:?}",
                s.findings
            );
        }
    }
}
