//! Damaged files (issue 19 §4): when the cross-reference data is broken, the object map is
//! reconstructed by scanning (as qpdf, poppler and MuPDF do), every signature whose
//! dictionary, byte range and CMS are found is verified, the report carries
//! `document.damaged`, and the difference analysis over the repaired document never
//! concludes "allowed". A file that is not a PDF stays an error; a truncated signed file
//! says it is damaged, not "no signatures".
//!
//! The files: the hand-made dossier of `common::attacks`, signed twice by kyso, then an
//! honest unsigned update (the `/Info` dictionary rewritten) whose cross-reference data is
//! broken in one way per test.

mod common;

use common::attacks::{append, form_doc, obj, sign};
use common::pki::TestPki;
use kyso::report::{CheckStatus, Code, Indication, VerificationReport};
use kyso::verify::{verify_bytes, VerifyOptions};
use time::OffsetDateTime;

struct Fixture {
    pki: TestPki,
    now: OffsetDateTime,
    /// Signed twice.
    signed: Vec<u8>,
    /// `signed` plus an unsigned update.
    updated: Vec<u8>,
}

fn fixture() -> Fixture {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let first = sign(&form_doc(), &pki.rsa2048.signer(), now, |o| o);
    let signed = sign(&first, &pki.p256.signer(), now, |o| {
        o.field_name("PheDuyet")
    });
    // An allowed change: the document information dictionary.
    let info = "<< /Title (Ho so mau, da ky) /Producer (kyso damaged-file tests) >>".to_string();
    let updated = append(&signed, &[(obj::INFO, info)], "/Info 11 0 R");
    Fixture {
        pki,
        now,
        signed,
        updated,
    }
}

fn verify(f: &Fixture, pdf: &[u8]) -> VerificationReport {
    let opts = VerifyOptions::new(f.pki.trust()).validation_time(f.now);
    verify_bytes(pdf, &opts).unwrap_or_else(|e| panic!("not verified: {e}"))
}

fn doc_codes(r: &VerificationReport) -> Vec<Code> {
    r.findings.iter().map(|f| f.code).collect()
}

/// Both signatures verified intact; the repaired document is reported; neither passes,
/// neither fails: what the broken update changed cannot be judged.
fn assert_repaired_and_indeterminate(r: &VerificationReport, what: &str) {
    assert!(
        doc_codes(r).contains(&Code::DocDamaged),
        "{what}: {:?}",
        r.findings
    );
    assert!(!doc_codes(r).contains(&Code::DocNoSignatures), "{what}");
    assert_eq!(r.signatures.len(), 2, "{what}: {:?}", r.findings);
    for s in &r.signatures {
        assert_eq!(
            s.integrity.digest,
            CheckStatus::Passed,
            "{what}: {:?}",
            s.findings
        );
        assert_eq!(s.integrity.signature, CheckStatus::Passed, "{what}");
        assert_eq!(
            s.indication,
            Indication::Indeterminate,
            "{what}: {:?}",
            s.findings
        );
        assert!(!s.modifications.allowed, "{what}");
        assert!(
            s.findings
                .iter()
                .any(|f| f.code == Code::ModificationUnanalysed),
            "{what}: {:?}",
            s.findings
        );
    }
}

/// The undamaged file: the update (a sticky note changed) is judged normally, and nothing
/// is reported as damaged.
#[test]
fn the_undamaged_file_is_not_reported_as_repaired() {
    let f = fixture();
    let r = verify(&f, &f.updated);
    assert!(
        !doc_codes(&r).contains(&Code::DocDamaged),
        "{:?}",
        r.findings
    );
    let r = verify(&f, &f.signed);
    assert!(!doc_codes(&r).contains(&Code::DocDamaged));
    assert!(r
        .signatures
        .iter()
        .all(|s| s.indication == Indication::TotalPassed));
}

/// ISO 32000-2 §7.5.5: `startxref` gives the offset of the last section. A value far from
/// any section (the `xref` keyword misplaced), and one past the end of the file.
#[test]
fn a_startxref_that_misses_its_section_is_repaired() {
    let f = fixture();
    let at = common::rfind(&f.updated, b"startxref\n") + b"startxref\n".len();
    let end = at + f.updated[at..].iter().position(|b| *b == b'\n').unwrap();
    let value: u64 = std::str::from_utf8(&f.updated[at..end])
        .unwrap()
        .parse()
        .unwrap();
    for wrong in [5, value + 100_000] {
        let mut pdf = f.updated[..at].to_vec();
        pdf.extend_from_slice(wrong.to_string().as_bytes());
        pdf.extend_from_slice(&f.updated[end..]);
        assert_repaired_and_indeterminate(&verify(&f, &pdf), &format!("startxref {wrong}"));
    }
}

/// The `xref` keyword misplaced: 100 bytes of comment stand where `startxref` points, so
/// the section is further than the reader looks around a wrong offset.
#[test]
fn a_misplaced_xref_keyword_is_repaired() {
    let f = fixture();
    let at = common::rfind(&f.updated, b"\nxref\n") + 1;
    let mut pdf = f.updated[..at].to_vec();
    pdf.extend_from_slice(b"%");
    pdf.extend_from_slice(&[b'x'; 99]);
    pdf.extend_from_slice(b"\n");
    pdf.extend_from_slice(&f.updated[at..]);
    assert_repaired_and_indeterminate(&verify(&f, &pdf), "misplaced xref");
}

/// ISO 32000-2 §7.5.5: the trailer is `trailer` followed by a dictionary. Without its `<<`
/// it cannot be read.
#[test]
fn a_trailer_without_its_dictionary_opening_is_repaired() {
    let f = fixture();
    let mut pdf = f.updated.clone();
    let at = common::rfind(&pdf, b"trailer\n<<") + b"trailer\n".len();
    pdf[at..at + 2].copy_from_slice(b"  ");
    assert_repaired_and_indeterminate(&verify(&f, &pdf), "trailer without <<");
}

/// A cross-reference section cut short (the file ends inside the last table): the reader
/// falls back to the last complete revision's `startxref`, and the cut update is reported
/// as `document.damaged_or_truncated` (an error of the document); both signatures are
/// found and verified intact.
#[test]
fn a_truncated_section_is_reported() {
    let f = fixture();
    let xref = common::rfind(&f.updated, b"\nxref\n") + 1;
    let r = verify(&f, &f.updated[..xref + 30]);
    assert!(
        doc_codes(&r).contains(&Code::DocTruncated),
        "{:?}",
        r.findings
    );
    assert_eq!(r.signatures.len(), 2);
    for s in &r.signatures {
        assert_eq!(s.integrity.digest, CheckStatus::Passed, "{:?}", s.findings);
    }
}

/// A signed file cut inside its last signature's revision: the report says the file is
/// damaged (not "no signatures"), the first signature is verified intact, the cut one does
/// not pass.
#[test]
fn a_truncated_signed_file_says_damaged() {
    let f = fixture();
    let cut = common::rfind(&f.signed, b"\nxref\n");
    let r = verify(&f, &f.signed[..cut]);
    let codes = doc_codes(&r);
    assert!(
        codes.contains(&Code::DocTruncated) || codes.contains(&Code::DocDamaged),
        "{:?}",
        r.findings
    );
    assert!(!codes.contains(&Code::DocNoSignatures));
    let first = &r.signatures[0];
    assert_eq!(
        first.integrity.digest,
        CheckStatus::Passed,
        "{:?}",
        first.findings
    );
    assert!(r
        .signatures
        .iter()
        .skip(1)
        .all(|s| s.indication != Indication::TotalPassed));
}

/// A file that is not a PDF stays an error (exit 2 in the CLI); so does a PDF header over
/// bytes that hold no object.
#[test]
fn not_a_pdf_stays_an_error() {
    let f = fixture();
    assert!(verify_bytes(
        b"hello, this is not a PDF",
        &VerifyOptions::new(f.pki.trust())
    )
    .is_err());
    let mut junk = b"%PDF-1.7\n".to_vec();
    junk.extend(common::noise(4096, 7));
    assert!(verify_bytes(&junk, &VerifyOptions::new(f.pki.trust())).is_err());
}
