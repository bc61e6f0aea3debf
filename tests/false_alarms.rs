//! False alarms on honest files (issue 19 §5): a change a viewer cannot see is not a
//! modification. A second signer's tool that drops the obsolete `/Name` of a font in the
//! AcroForm's `/DR` (Adobe Acrobat does) leaves the first signature valid; a change to any
//! key a viewer draws with stays a disallowed modification.
//!
//! The files are real two-signer files: the hand-made dossier of `common::attacks` (its
//! font, object 9, is used by the page and by the AcroForm's `/DR`) is given a `/Name`,
//! signed by kyso, updated the way the second signer's tool does, then signed again.

mod common;

use common::attacks::{append, form_doc, obj, sign};
use common::pki::TestPki;
use kyso::report::{Indication, SubIndication};
use kyso::verify::{verify_bytes, VerifyOptions};
use time::OffsetDateTime;

fn font(extra: &str) -> String {
    format!("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica{extra} >>")
}

/// The dossier with `/Name /F1` on its font, signed by a first signer; then `second_font`
/// written by an incremental update, and a second signature in the prepared field.
fn two_signers(pki: &TestPki, now: OffsetDateTime, second_font: &str) -> Vec<u8> {
    let doc = append(
        &form_doc(),
        &[(obj::FONT, font(" /Name /F1"))],
        "/Info 11 0 R",
    );
    let first = sign(&doc, &pki.rsa2048.signer(), now, |o| o);
    let updated = append(
        &first,
        &[(obj::FONT, second_font.to_string())],
        "/Info 11 0 R",
    );
    sign(&updated, &pki.p256.signer(), now, |o| {
        o.field_name("PheDuyet")
    })
}

fn verdicts(pdf: &[u8], pki: &TestPki, now: OffsetDateTime) -> Vec<kyso::report::SignatureReport> {
    let opts = VerifyOptions::new(pki.trust()).validation_time(now);
    let report = verify_bytes(pdf, &opts).unwrap();
    assert_eq!(report.signatures.len(), 2);
    report.signatures
}

/// ISO 32000-1 §9.6.2 Table 111 (`/Name`: obsolete, should not be used; deprecated in
/// ISO 32000-2): dropping it from a `/DR` font is not a modification of the first
/// signature's document; both signatures pass.
#[test]
fn dropping_an_obsolete_font_name_keeps_the_first_signature_valid() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let pdf = two_signers(&pki, now, &font(""));
    for s in verdicts(&pdf, &pki, now) {
        assert_eq!(s.indication, Indication::TotalPassed, "{:?}", s.findings);
        assert!(s.modifications.allowed);
    }
    // Renaming it is as invisible as dropping it.
    let pdf = two_signers(&pki, now, &font(" /Name /Helv"));
    for s in verdicts(&pdf, &pki, now) {
        assert_eq!(s.indication, Indication::TotalPassed, "{:?}", s.findings);
    }
}

/// Everything else stays as strict as before: another font (`/BaseFont`), a key added beside
/// the dropped `/Name`, or a font turned into another subtype fails the first signature with
/// a disallowed modification.
#[test]
fn other_font_changes_stay_disallowed() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    for second in [
        "<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Name /F1 >>".to_string(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>".to_string(),
        font(" /Encoding /WinAnsiEncoding"),
        "<< /Type /Font /Subtype /TrueType /BaseFont /Helvetica /Name /F1 >>".to_string(),
    ] {
        let pdf = two_signers(&pki, now, &second);
        let reports = verdicts(&pdf, &pki, now);
        let first = &reports[0];
        assert_eq!(
            first.indication,
            Indication::TotalFailed,
            "{second}: {:?}",
            first.findings
        );
        assert_eq!(
            first.sub_indication,
            Some(SubIndication::DisallowedModification),
            "{second}"
        );
        assert_eq!(reports[1].indication, Indication::TotalPassed, "{second}");
    }
}
