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
    dump("undamaged.pdf", &f.updated);
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
        dump(&format!("startxref-{wrong}.pdf"), &pdf);
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
    dump("misplaced-xref.pdf", &pdf);
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
    dump("trailer-without-dict.pdf", &pdf);
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
    dump("truncated-section.pdf", &f.updated[..xref + 30]);
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
    dump("truncated-signed.pdf", &f.signed[..cut]);
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

/// Writes `pdf` as `name` into the folder `KYSO_DAMAGED_DUMP` names, when it is set (to
/// compare with qpdf, pdfsig, mutool and pyHanko by hand).
fn dump(name: &str, pdf: &[u8]) {
    if let Some(dir) = std::env::var_os("KYSO_DAMAGED_DUMP") {
        let _ = std::fs::write(std::path::Path::new(&dir).join(name), pdf);
    }
}

/// `pdf` with the offset of object `num`'s entry in the last table section replaced by
/// `offset` (the dossier's tables write one subsection per object: `num 1`, then the entry).
fn break_entry(pdf: &[u8], num: u32, offset: u64) -> Vec<u8> {
    let xref = common::rfind(pdf, b"\nxref\n");
    let head = format!("\n{num} 1\n");
    let at = xref + common::find(&pdf[xref..], head.as_bytes()) + head.len();
    let mut out = pdf.to_vec();
    out[at..at + 10].copy_from_slice(format!("{offset:010}").as_bytes());
    out
}

/// The offset of the first `num 0 obj` header in `pdf`.
fn header_offset(pdf: &[u8], num: u32) -> u64 {
    let needle = format!("\n{num} 0 obj");
    (common::find(pdf, needle.as_bytes()) + 1) as u64
}

/// ISO 32000-2 §7.5.4: an in-use entry gives the offset of its own object's `n g obj`
/// header. The update's entry for the `/Info` dictionary points at another object's header
/// (the catalog's, in the first revision), at the file header (no object) and past the end
/// of the file: each is corrected from the object headers found by scanning and reported;
/// the signatures stay intact. In an update after a signature such an entry is how a
/// shadow attack shows one reader one object and another reader another (the RUB shadow
/// corpus's hide-form-via-form does this), so the update fails as a structure change (as
/// before the repair existed), with the damage reported.
#[test]
fn an_entry_that_points_at_the_wrong_object_is_repaired() {
    let f = fixture();
    let catalog = header_offset(&f.updated, 1);
    for (name, wrong) in [
        ("entry-other-object.pdf", catalog),
        ("entry-garbage.pdf", 3),
        ("entry-past-eof.pdf", 9_999_999_999),
    ] {
        let pdf = break_entry(&f.updated, 11, wrong);
        dump(name, &pdf);
        let r = verify(&f, &pdf);
        assert_eq!(r.signatures.len(), 2, "{name}");
        for s in &r.signatures {
            assert!(s.integrity.intact(), "{name}: {:?}", s.findings);
            assert_eq!(s.indication, Indication::TotalFailed, "{name}");
            assert!(
                s.findings
                    .iter()
                    .any(|x| x.code == Code::ModificationStructure
                        && x.message.contains("11 0 R")
                        && x.message.contains("rebuilds the table")),
                "{name}: {:?}",
                s.findings
            );
        }
        let damaged = r
            .findings
            .iter()
            .find(|x| x.code == Code::DocDamaged)
            .unwrap();
        assert!(
            damaged.message.contains("11 0 R") && damaged.message.contains("found at"),
            "{name}: {}",
            damaged.message
        );
    }
}

/// The repair never takes a definition from a later revision's bytes: an update whose entry
/// for the page content points at garbage, followed by another update that defines a new
/// page content, keeps (for the first update) the content the signed revision had.
#[test]
fn a_repaired_entry_never_takes_a_later_revisions_object() {
    let f = fixture();
    let content = obj::CONTENT;
    let first = append(
        &f.signed,
        &[(obj::INFO, "<< /Title (a) >>".into())],
        "/Info 11 0 R",
    );
    // The first update lists the content object too, at garbage.
    let first = {
        let xref = common::rfind(&first, b"\nxref\n") + 1;
        let mut out = first[..xref].to_vec();
        let tail = String::from_utf8(first[xref..].to_vec()).unwrap();
        let tail = tail.replacen(
            "65535 f\r\n",
            &format!("65535 f\r\n{content} 1\n0000000003 00000 n\r\n"),
            1,
        );
        // The section is longer now: startxref still points at its start.
        out.extend_from_slice(tail.as_bytes());
        out
    };
    let body = "q 1 0 0 1 0 0 cm BT /F1 40 Tf 72 400 Td (SHADOW) Tj ET Q";
    let second = append(
        &first,
        &[(
            content,
            format!("<< /Length {} >>\nstream\n{body}\nendstream", body.len()),
        )],
        "/Info 11 0 R",
    );
    dump("entry-later-object.pdf", &second);
    let doc = kyso::pdf::Document::open(second.as_slice()).unwrap();
    let revs = doc.revisions();
    let n = revs.len();
    assert!(n >= 5, "{n}");
    let repaired = &revs[n - 2];
    assert!(repaired.repaired.is_some() && !repaired.reconstructed);
    match repaired.entry(content) {
        Some(kyso::pdf::XrefEntry::InFile { offset, .. }) => {
            assert!(offset < repaired.end, "{offset} {}", repaired.end);
            assert_eq!(offset, header_offset(&second, content));
        }
        other => panic!("{other:?}"),
    }
    // The second update changed the page content: no signature passes, and the change is
    // named (the object rules' findings stay).
    let r = verify(&f, &second);
    assert!(doc_codes(&r).contains(&Code::DocDamaged));
    for s in &r.signatures {
        assert_eq!(s.indication, Indication::TotalFailed, "{:?}", s.findings);
        assert!(!s.modifications.allowed);
    }
}

/// An attacker's update that changes the page content and points its own entry for it at
/// garbage: the repair finds the update's definition, and the forbidden change fails the
/// signatures (the damage does not soften it to INDETERMINATE).
#[test]
fn a_forbidden_change_behind_a_broken_entry_still_fails() {
    let f = fixture();
    let body = "q BT /F1 40 Tf 72 400 Td (SHADOW) Tj ET Q";
    let changed = append(
        &f.signed,
        &[(
            obj::CONTENT,
            format!("<< /Length {} >>\nstream\n{body}\nendstream", body.len()),
        )],
        "/Info 11 0 R",
    );
    let honest = verify(&f, &changed);
    assert!(honest
        .signatures
        .iter()
        .all(|s| s.indication == Indication::TotalFailed));
    let pdf = break_entry(&changed, obj::CONTENT, 3);
    dump("entry-forbidden-change.pdf", &pdf);
    let r = verify(&f, &pdf);
    assert!(
        doc_codes(&r).contains(&Code::DocDamaged),
        "{:?}",
        r.findings
    );
    for s in &r.signatures {
        assert_eq!(s.integrity.digest, CheckStatus::Passed);
        assert_eq!(s.indication, Indication::TotalFailed, "{:?}", s.findings);
    }
}

/// An incremental update whose cross-reference stream places the `/Info` dictionary
/// (object 11) in a new object stream with this `/N`, header and objects.
fn append_object_stream(pdf: &[u8], n: u32, header: &str, objects: &str) -> Vec<u8> {
    use std::io::Write;
    let doc = kyso::pdf::Document::open(pdf).unwrap();
    let rev = doc.last_revision();
    let size = doc.trailer(rev).unwrap().get_int(b"Size").unwrap() as u32;
    let prev = doc.revisions()[rev].xref_offset;
    let mut out = pdf.to_vec();
    let data = format!("{header}{objects}");
    let stm = out.len();
    write!(
        out,
        "{size} 0 obj\n<< /Type /ObjStm /N {n} /First {} /Length {} >>\nstream\n{data}\nendstream\nendobj\n",
        header.len(),
        data.len()
    )
    .unwrap();
    let xref = out.len();
    let mut rows = Vec::new();
    for (kind, a, b) in [(2u8, size, 0u16), (1, stm as u32, 0), (1, xref as u32, 0)] {
        rows.push(kind);
        rows.extend_from_slice(&a.to_be_bytes());
        rows.extend_from_slice(&b.to_be_bytes());
    }
    write!(
        out,
        "{} 0 obj\n<< /Type /XRef /Size {} /W [1 4 2] /Index [11 1 {size} 2] /Root 1 0 R \
         /Info 11 0 R /Prev {prev} /Length {} >>\nstream\n",
        size + 1,
        size + 2,
        rows.len()
    )
    .unwrap();
    out.extend_from_slice(&rows);
    write!(out, "\nendstream\nendobj\nstartxref\n{xref}\n%%EOF\n").unwrap();
    out
}

/// ISO 32000-2 §7.5.7: an object stream's header holds `/N` pairs before `/First`. An
/// honest one (the control) is judged normally; one whose header is shorter than `/N` is
/// read as far as it goes and reported, and the update's analysis is INDETERMINATE at best
/// (two objects at one offset: see the unit tests of `pdf::objstm`). One that places the update's object outside the data
/// leaves that object unreadable: a structure failure of the update (FAILED, as before).
#[test]
fn a_damaged_object_stream_header_is_reported() {
    let f = fixture();
    let info = "<< /Title (Ho so mau, da ky) /Producer (kyso) >>";
    let honest = append_object_stream(&f.signed, 1, "11 0 ", info);
    dump("objstm-honest.pdf", &honest);
    let r = verify(&f, &honest);
    assert!(
        !doc_codes(&r).contains(&Code::DocDamaged),
        "{:?}",
        r.findings
    );
    assert!(
        r.signatures
            .iter()
            .all(|s| s.indication == Indication::TotalPassed),
        "{:?}",
        r.signatures.iter().map(|s| &s.findings).collect::<Vec<_>>()
    );
    for (name, n, header) in [
        ("objstm-short-header.pdf", 3, "11 0 "),
        ("objstm-offset-outside.pdf", 1, "11 900 "),
    ] {
        let pdf = append_object_stream(&f.signed, n, header, info);
        dump(name, &pdf);
        let r = verify(&f, &pdf);
        let damaged: Vec<_> = r
            .findings
            .iter()
            .filter(|x| x.code == Code::DocDamaged)
            .collect();
        assert!(
            damaged.iter().any(|d| d.message.contains("object stream")),
            "{name}: {:?}",
            r.findings
        );
        assert_eq!(r.signatures.len(), 2, "{name}");
        for s in &r.signatures {
            assert_eq!(s.integrity.digest, CheckStatus::Passed, "{name}");
            let expected = if name.contains("outside") {
                Indication::TotalFailed
            } else {
                Indication::Indeterminate
            };
            assert_eq!(s.indication, expected, "{name}: {:?}", s.findings);
            assert!(!s.modifications.allowed, "{name}");
        }
    }
}
