//! Proves the interop harness (`tests/common/interop.rs`) before our signer exists: its parsers
//! against output captured from the pinned tool versions, and live runs on PDFs signed by
//! pyHanko itself, intact, tampered with, validated against the wrong root, and extended by
//! our incremental writer.

mod common;

use std::path::Path;

use common::interop::{
    self, parse_mutool_verify, parse_pdfinfo, parse_pdfsig, parse_pyhanko_pretty,
    parse_pyhanko_summary, parse_qpdf_show_xref, Mutool, Poppler, Pyhanko, PyhankoCoverage,
    PyhankoTrust, Qpdf, QpdfXrefEntry,
};
use common::lopdf_glue::{begin_update, dict_from_lopdf};
use common::SampleXref;
use kyso::pdf::{ObjRef, Object, PdfString};

// ---------------------------------------------------------------------------------------------
// Parsers on captured output (poppler 22.12, MuPDF 1.21, qpdf 11.3, pyHanko 0.38 / CLI 0.6).

const FP: &str = "fc8a388122411e418ed2f8829e427a3040af4f7e467fb4bf438b9b6c33414bbc";

const PDFSIG_TWO: &str = "Digital Signature Info of: signed2.pdf
Signature #1:
  - Signature Field Name: Sig1
  - Signer Certificate Common Name: Test Signer
  - Signer full Distinguished Name: CN=Test Signer
  - Signing Time: Nov 26 2026 16:57:12
  - Signing Hash Algorithm: SHA-256
  - Signature Type: adbe.pkcs7.detached
  - Signed Ranges: [0 - 2293], [9075 - 9763]
  - Not total document signed
  - Signature Validation: Signature is Valid.
  - Certificate Validation: Certificate issuer isn't Trusted.
Signature #2:
  - Signature Field Name: Sig2
  - Signer Certificate Common Name: Test Signer
  - Signer full Distinguished Name: CN=Test Signer
  - Signing Time: Nov 26 2026 16:57:13
  - Signing Hash Algorithm: SHA-256
  - Signature Type: adbe.pkcs7.detached
  - Signed Ranges: [0 - 10143], [16925 - 17478]
  - Total document signed
  - Signature Validation: Digest Mismatch.
";

#[test]
fn pdfsig_parser() {
    let sigs = parse_pdfsig(PDFSIG_TWO);
    assert_eq!(sigs.len(), 2);
    let (a, b) = (&sigs[0], &sigs[1]);
    assert_eq!((a.index, a.field.as_deref()), (1, Some("Sig1")));
    assert_eq!(a.signer_common_name.as_deref(), Some("Test Signer"));
    assert_eq!(a.signature_type.as_deref(), Some("adbe.pkcs7.detached"));
    assert_eq!(a.signed_ranges, vec![(0, 2293), (9075, 9763)]);
    assert!(!a.total_document_signed);
    assert!(a.valid);
    assert_eq!(
        a.certificate_validation.as_deref(),
        Some("Certificate issuer isn't Trusted.")
    );
    assert!(a.raw.contains("Signing Time"));
    assert_eq!((b.index, b.field.as_deref()), (2, Some("Sig2")));
    assert!(b.total_document_signed);
    assert!(!b.valid);
    assert_eq!(b.validation.as_deref(), Some("Digest Mismatch."));
    assert_eq!(b.certificate_validation, None);
    assert!(parse_pdfsig("File 'x.pdf' does not contain any signatures\n").is_empty());
}

#[test]
fn pyhanko_summary_parser() {
    let out = format!(
        "Sig1:{FP}:INTACT:TRUSTED,EXTENDED_WITH_FORM_FILLING,ACCEPTABLE_MODIFICATIONS\n\
         Sig2:{FP}:INVALID\n\
         odd:name:{FP}:INTACT:UNTRUSTED,TIMESTAMP_TOKEN<INTACT:TRUSTED|UNTOUCHED>,UNTOUCHED\n"
    );
    let lines = parse_pyhanko_summary(&out).unwrap();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0].field, "Sig1");
    assert_eq!(lines[0].fingerprint, FP);
    assert!(lines[0].intact);
    assert_eq!(
        lines[0].flags,
        [
            "TRUSTED",
            "EXTENDED_WITH_FORM_FILLING",
            "ACCEPTABLE_MODIFICATIONS"
        ]
    );
    assert!(!lines[1].intact && lines[1].flags.is_empty());
    assert_eq!(lines[2].field, "odd:name");
    assert_eq!(
        lines[2].flags,
        [
            "UNTRUSTED",
            "TIMESTAMP_TOKEN<INTACT:TRUSTED|UNTOUCHED>",
            "UNTOUCHED"
        ]
    );
    assert!(parse_pyhanko_summary("garbage line\n").is_err());
    assert!(parse_pyhanko_summary(&format!("S:{FP}:MAYBE\n")).is_err());
}

fn pretty_section(n: usize, field: &str, body: &str) -> String {
    let header = format!("Field {n}: {field}");
    let rule = "=".repeat(header.len());
    format!("{rule}\n{header}\n{rule}\n\n\n{body}\n")
}

#[test]
fn pyhanko_pretty_parser() {
    let valid = "Integrity\n---------\nThe signature is cryptographically sound.\n\n\n\
                 Bottom line\n-----------\nThe signature is judged VALID.\n\n";
    let invalid = "Integrity\n---------\nThe signature is cryptographically unsound.\n\n\n\
                   Bottom line\n-----------\nThe signature is judged INVALID.\n\n";
    let error = "An error occurred while validating this signature: bad things\n";
    let out = format!(
        "{}{}{}",
        pretty_section(1, "Sig1", valid),
        pretty_section(2, "Field: with colon", invalid),
        pretty_section(3, "Sig3", error)
    );
    let sections = parse_pyhanko_pretty(&out).unwrap();
    assert_eq!(sections.len(), 3);
    assert!(sections[0].valid && sections[0].error.is_none());
    assert_eq!(sections[1].field, "Field: with colon");
    assert!(!sections[1].valid);
    assert!(!sections[2].valid);
    assert_eq!(sections[2].error.as_deref(), Some("bad things"));
    // A section without a bottom line is an error, not a silent "invalid".
    assert!(parse_pyhanko_pretty(&pretty_section(1, "S", "Integrity\n")).is_err());
    assert!(parse_pyhanko_pretty("").unwrap().is_empty());
}

#[test]
fn mutool_parser() {
    let out = "Verifying signature 6:\n\
               \tDistinguished name: cn=Test Signer, o=, ou=, email=, c=\n\
               \tCertificate error: Self-signed certificate in chain.\n\
               \tThe signature is valid but there have been edits since signing.\n\
               Verifying signature 12:\n\
               \tDistinguished name: cn=Test Signer, o=, ou=, email=, c=\n\
               \tCertificate error: Self-signed certificate in chain.\n\
               \tThe document is unchanged since signing.\n\
               Verifying signature 14:\n\
               \tDigest error: Signature invalidated by change to document.\n";
    let sigs = parse_mutool_verify(out);
    assert_eq!(sigs.len(), 3);
    assert_eq!(sigs[0].object, 6);
    assert!(sigs[0].digest_ok && !sigs[0].unchanged_since_signing);
    assert!(sigs[1].digest_ok && sigs[1].unchanged_since_signing);
    assert!(!sigs[2].digest_ok);
    assert_eq!(
        sigs[2].digest_error.as_deref(),
        Some("Signature invalidated by change to document.")
    );
}

#[test]
fn qpdf_and_pdfinfo_parsers() {
    let x = parse_qpdf_show_xref(
        "1/0: uncompressed; offset = 414\n2/0: compressed; stream = 1, index = 0\n",
    )
    .unwrap();
    assert_eq!(x[&(1, 0)], QpdfXrefEntry::Uncompressed { offset: 414 });
    assert_eq!(
        x[&(2, 0)],
        QpdfXrefEntry::Compressed {
            stream: 1,
            index: 0
        }
    );
    assert!(parse_qpdf_show_xref("1/0: free\n").is_err());
    let info = parse_pdfinfo("Producer:        pyHanko 0.38.0\nPages:           1\nPage size:       612 x 792 pts (letter)\n");
    assert_eq!(info.pages(), Some(1));
    assert_eq!(info.fields["Page size"], "612 x 792 pts (letter)");
}

// ---------------------------------------------------------------------------------------------
// Live runs.

fn sign(pyhanko: &Pyhanko, pki: &common::TestPki, input: &Path, output: &Path, field: &str) {
    let chain = [pki.root_cert.as_path()];
    pyhanko
        .sign_pemder(input, output, field, &pki.pem_signer(&chain), &[])
        .unwrap();
}

/// Flips one byte inside the first signed range: in the page's content stream.
fn tamper(pdf: &[u8]) -> Vec<u8> {
    let needle = b"Base revision";
    let at = pdf
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("content text present");
    let mut out = pdf.to_vec();
    out[at] = b'X';
    out
}

#[test]
fn harness_reads_pyhanko_signatures() {
    let Some(pyhanko) = Pyhanko::find() else {
        return;
    };
    let dir = common::temp_dir();
    let d = dir.path();
    let pki = common::write_test_pki(d, "good");
    let other = common::write_test_pki(d, "other");
    let base = d.join("base.pdf");
    std::fs::write(&base, common::sample_pdf(SampleXref::Table)).unwrap();
    let one = d.join("one.pdf");
    let two = d.join("two.pdf");
    sign(&pyhanko, &pki, &base, &one, "1/50,50,250,120/Sig1");
    sign(&pyhanko, &pki, &one, &two, "1/300,50,500,120/Sig2");
    let two_bytes = std::fs::read(&two).unwrap();

    let fields = pyhanko.list_fields(&two).unwrap();
    assert_eq!(
        fields,
        vec![
            ("Sig1".to_owned(), "FILLED".to_owned()),
            ("Sig2".to_owned(), "FILLED".to_owned())
        ]
    );

    // pyHanko on its own signatures.
    let report = pyhanko.validate(&two, &pki.root_cert, &[]).unwrap();
    assert_eq!(report.len(), 2, "{report:?}");
    let (s1, s2) = (&report[0], &report[1]);
    assert_eq!((s1.field.as_str(), s2.field.as_str()), ("Sig1", "Sig2"));
    for s in [s1, s2] {
        assert!(s.valid && s.intact, "{}", s.raw);
        assert_eq!(s.trust, Some(PyhankoTrust::Trusted));
        assert_eq!(s.fingerprint.len(), 64);
        assert!(s.error.is_none());
    }
    assert_eq!(
        s1.coverage,
        Some(PyhankoCoverage::EntireRevision),
        "{}",
        s1.raw
    );
    assert_eq!(s1.modification_level.as_deref(), Some("FORM_FILLING"));
    assert_eq!(s1.modifications_acceptable, Some(true));
    assert_eq!(s2.coverage, Some(PyhankoCoverage::EntireFile), "{}", s2.raw);
    assert_eq!(s2.modification_level, None);

    // Wrong trust root: intact but untrusted, not valid.
    let report = pyhanko.validate(&two, &other.root_cert, &[]).unwrap();
    assert!(report.iter().all(|s| s.intact && !s.valid), "{report:?}");
    assert!(report
        .iter()
        .all(|s| s.trust == Some(PyhankoTrust::Untrusted)));

    // Tampered: neither intact nor valid.
    let tampered = d.join("tampered.pdf");
    std::fs::write(&tampered, tamper(&two_bytes)).unwrap();
    let report = pyhanko.validate(&tampered, &pki.root_cert, &[]).unwrap();
    assert_eq!(report.len(), 2);
    assert!(report.iter().all(|s| !s.intact && !s.valid), "{report:?}");

    // A file without signatures.
    assert!(pyhanko
        .validate(&base, &pki.root_cert, &[])
        .unwrap()
        .is_empty());

    if let Some(poppler) = Poppler::find() {
        let sigs = poppler.pdfsig(&two, false).unwrap();
        assert_eq!(sigs.len(), 2);
        assert_eq!(sigs[0].field.as_deref(), Some("Sig1"));
        assert!(
            sigs[0].valid && !sigs[0].total_document_signed,
            "{}",
            sigs[0].raw
        );
        assert!(
            sigs[1].valid && sigs[1].total_document_signed,
            "{}",
            sigs[1].raw
        );
        assert_eq!(
            sigs[1].signed_ranges.last().map(|r| r.1),
            Some(two_bytes.len() as u64)
        );
        assert!(sigs[1].certificate_validation.is_some());
        let nocert = poppler.pdfsig(&two, true).unwrap();
        assert!(nocert
            .iter()
            .all(|s| s.valid && s.certificate_validation.is_none()));
        let bad = poppler.pdfsig(&tampered, true).unwrap();
        assert!(bad.iter().all(|s| !s.valid), "{bad:?}");
        assert!(poppler.pdfsig(&base, true).unwrap().is_empty());
        assert!(poppler.pdfinfo(&two).unwrap().pages() == Some(1));
    }
    if let Some(mutool) = Mutool::find() {
        let sigs = mutool.verify(&two).unwrap();
        assert_eq!(sigs.len(), 2);
        assert!(
            sigs[0].digest_ok && !sigs[0].unchanged_since_signing,
            "{}",
            sigs[0].raw
        );
        assert!(
            sigs[1].digest_ok && sigs[1].unchanged_since_signing,
            "{}",
            sigs[1].raw
        );
        let bad = mutool.verify(&tampered).unwrap();
        assert!(bad.iter().all(|s| !s.digest_ok), "{bad:?}");
    }
    if let Some(qpdf) = Qpdf::find() {
        qpdf.check(&two).unwrap();
    }
    let doc = interop::lopdf_loads(&two).unwrap();
    assert_eq!(doc.get_pages().len(), 1);
}

/// Our writer appends updates after a pyHanko signature; pyHanko's difference analysis sees
/// them (the signature no longer covers the file) and judges them.
#[test]
fn harness_reports_updates_after_signing() {
    let Some(pyhanko) = Pyhanko::find() else {
        return;
    };
    let dir = common::temp_dir();
    let d = dir.path();
    let pki = common::write_test_pki(d, "upd");
    for kind in [SampleXref::Table, SampleXref::StreamWithObjectStreams] {
        let base = d.join(format!("{kind:?}-base.pdf"));
        std::fs::write(&base, common::sample_pdf(kind)).unwrap();
        let signed = d.join(format!("{kind:?}-signed.pdf"));
        sign(&pyhanko, &pki, &base, &signed, "1/50,50,250,120/Sig1");
        let signed_bytes = std::fs::read(&signed).unwrap();

        // An illegal change: the page's content replaced.
        let (mut u, doc) = begin_update(&signed_bytes);
        let page_id = *doc.get_pages().get(&1).unwrap();
        let mut page = dict_from_lopdf(doc.get_dictionary(page_id).unwrap());
        let content = u.allocate().unwrap();
        page.set("Contents", Object::Reference(content));
        u.put(ObjRef::new(page_id.0, page_id.1), &Object::Dict(page))
            .unwrap();
        u.put(
            content,
            &Object::Stream(kyso::pdf::Stream {
                dict: kyso::pdf::Dict::new(),
                data: kyso::pdf::StreamData::Memory(
                    b"BT /F1 24 Tf 72 700 Td (Forged) Tj ET".to_vec(),
                ),
            }),
        )
        .unwrap();
        let mut forged = signed_bytes.clone();
        forged.extend_from_slice(&u.finish().unwrap().bytes);
        let forged_path = d.join(format!("{kind:?}-forged.pdf"));
        std::fs::write(&forged_path, &forged).unwrap();
        let report = pyhanko.validate(&forged_path, &pki.root_cert, &[]).unwrap();
        assert_eq!(report.len(), 1);
        let s = &report[0];
        assert!(s.intact && !s.valid, "{}", s.raw);
        assert_eq!(
            s.coverage,
            Some(PyhankoCoverage::EntireRevision),
            "{}",
            s.raw
        );
        assert_eq!(s.modifications_acceptable, Some(false), "{}", s.raw);
        assert_eq!(s.modification_level.as_deref(), Some("OTHER"), "{}", s.raw);

        if let Some(poppler) = Poppler::find() {
            let sigs = poppler.pdfsig(&forged_path, true).unwrap();
            assert!(
                sigs[0].valid && !sigs[0].total_document_signed,
                "{}",
                sigs[0].raw
            );
        }

        // A harmless change: only a new /Info. pyHanko's diff policy counts it with
        // signature maintenance (LTA_UPDATES), so the signature stays valid.
        let (mut u, _) = begin_update(&signed_bytes);
        let info = u.allocate().unwrap();
        let mut d_info = kyso::pdf::Dict::new();
        d_info.set("Title", Object::String(PdfString::literal("after signing")));
        u.put(info, &Object::Dict(d_info)).unwrap();
        u.set_trailer_entry("Info", Object::Reference(info))
            .unwrap();
        let mut benign = signed_bytes.clone();
        benign.extend_from_slice(&u.finish().unwrap().bytes);
        let benign_path = d.join(format!("{kind:?}-benign.pdf"));
        std::fs::write(&benign_path, &benign).unwrap();
        let report = pyhanko.validate(&benign_path, &pki.root_cert, &[]).unwrap();
        assert_eq!(report.len(), 1);
        let s = &report[0];
        assert!(s.intact && s.valid, "{}", s.raw);
        assert_eq!(
            s.coverage,
            Some(PyhankoCoverage::EntireRevision),
            "{}",
            s.raw
        );
        assert_eq!(
            s.modification_level.as_deref(),
            Some("LTA_UPDATES"),
            "{}",
            s.raw
        );
        assert_eq!(s.modifications_acceptable, Some(true), "{}", s.raw);
    }
}
