//! Files embedded in PDFs: attached by kyso before signing, listed and extracted, reported by
//! the verifier with their digests and covering signatures, kept intact through two
//! signatures (pyHanko, pdfsig, qpdf, pdfdetach agree), and an attachment added after a
//! signature reported both as uncovered and by the difference analysis.

mod common;

use common::noise;

use std::collections::BTreeSet;
use std::path::Path;

use kyso::crypto::{digest, DigestAlgorithm};

use kyso::attachments::{
    attach_bytes, attach_files, extract_to_file, list_embedded_files, AfRelationship,
    AttachOptions, Attachment, AttachmentError,
};
use kyso::pdf::{Document, ObjRef};
use kyso::report::{Code, EmbeddedLocation, Indication, ModificationLevel, VerificationReport};
use kyso::verify::{verify_bytes, VerifyOptions};
use time::OffsetDateTime;

use common::interop::{run, Poppler, Pyhanko, Qpdf};
use common::pki::TestPki;
use common::vectors::{base, sign, Base};

const VI_NAME: &str = "Giấy khai sinh của Nguyễn Thị Hương.txt";
const VI_SCAN: &str = "Ảnh chụp CCCD mặt trước.jpg";

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn sample_attachments() -> Vec<Attachment> {
    vec![
        Attachment::from_bytes(
            VI_NAME,
            "Họ và tên: Nguyễn Thị Hương\n".repeat(200).into_bytes(),
        )
        .relationship(AfRelationship::Supplement)
        .description("Bản sao giấy khai sinh"),
        Attachment::from_bytes(VI_SCAN, noise(50_000, 7)).mime_type("image/jpeg"),
        Attachment::from_bytes("data.xml", b"<a/>".to_vec()).relationship(AfRelationship::Data),
    ]
}

fn content_of(a: &Attachment) -> &[u8] {
    match &a.content {
        kyso::attachments::AttachmentContent::Bytes(b) => b,
        _ => panic!("bytes expected"),
    }
}

fn opts(pki: &TestPki) -> VerifyOptions {
    VerifyOptions::new(pki.trust())
}

fn verify(pdf: &[u8], pki: &TestPki) -> VerificationReport {
    verify_bytes(pdf, &opts(pki)).expect("verifies")
}

#[test]
fn attached_files_list_extract_and_report_exactly() {
    let dir = common::temp_dir();
    for kind in [Base::Table, Base::Stream] {
        let atts = sample_attachments();
        let out = attach_bytes(&base(kind), &atts, &AttachOptions::new()).unwrap();
        let doc = Document::open(out.as_slice()).unwrap();
        let files = list_embedded_files(&doc, doc.last_revision()).unwrap();
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        // The name tree is in key order: ASCII keys before UTF-16 ones.
        assert_eq!(names, ["data.xml", VI_NAME, VI_SCAN], "{kind:?}");
        for f in &files {
            assert_eq!(f.location, EmbeddedLocation::NameTree);
            let a = atts.iter().find(|a| a.name == f.name).unwrap();
            let data = content_of(a);
            assert_eq!(f.declared_size, Some(data.len() as u64));
            assert_eq!(
                f.declared_checksum.as_ref().map(|c| c.len()),
                Some(16),
                "/CheckSum is an MD5"
            );
            let target = dir.path().join(format!("{kind:?}-{}", f.name));
            let facts = extract_to_file(&doc, doc.last_revision(), f, &target).unwrap();
            assert_eq!(std::fs::read(&target).unwrap(), data);
            assert_eq!(facts.sha256, digest(DigestAlgorithm::Sha256, data));
            // Extraction never replaces a file unless asked.
            assert!(extract_to_file(&doc, doc.last_revision(), f, &target).is_err());
        }
        let by_name = |n: &str| files.iter().find(|f| f.name == n).unwrap();
        assert_eq!(by_name(VI_NAME).relationship.as_deref(), Some("Supplement"));
        assert_eq!(
            by_name(VI_NAME).description.as_deref(),
            Some("Bản sao giấy khai sinh")
        );
        assert_eq!(by_name(VI_NAME).mime_type.as_deref(), Some("text/plain"));
        assert_eq!(by_name(VI_SCAN).mime_type.as_deref(), Some("image/jpeg"));
        assert_eq!(
            by_name("data.xml").mime_type.as_deref(),
            Some("application/xml")
        );

        // The verifier lists them; no signature yet, so nothing covers them and nothing is
        // reported as uncovered.
        let pki = TestPki::generate(now());
        let report = verify(&out, &pki);
        assert_eq!(report.embedded_files.len(), 3);
        for e in &report.embedded_files {
            let a = atts.iter().find(|a| a.name == e.name).unwrap();
            assert_eq!(e.size, Some(content_of(a).len() as u64));
            assert_eq!(
                e.sha256.as_deref(),
                Some(hex(&digest(DigestAlgorithm::Sha256, content_of(a))).as_str())
            );
            assert!(e.covered_by.is_empty());
            assert_eq!(e.added_in_revision, Some(1));
        }
        assert!(!report
            .findings
            .iter()
            .any(|f| f.code.as_str().starts_with("embedded.")));

        // Independent readers.
        let path = dir.path().join(format!("{kind:?}.pdf"));
        std::fs::write(&path, &out).unwrap();
        common::interop::lopdf_loads(&path).unwrap();
        if let Some(q) = Qpdf::find() {
            q.check(&path).unwrap();
        }
    }
}

#[test]
fn attach_refuses_duplicates_bad_names_signed_documents_and_its_own_input() {
    let pki = TestPki::generate(now());
    let once = attach_bytes(
        &base(Base::Table),
        &[Attachment::from_bytes("a.txt", b"1".to_vec())],
        &AttachOptions::new(),
    )
    .unwrap();
    let err = attach_bytes(
        &once,
        &[Attachment::from_bytes("a.txt", b"2".to_vec())],
        &AttachOptions::new(),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            kyso::Error::Attachment(AttachmentError::DuplicateAttachment { .. })
        ),
        "{err}"
    );
    let err = attach_bytes(
        &base(Base::Table),
        &[
            Attachment::from_bytes("b", b"1".to_vec()),
            Attachment::from_bytes("b", b"2".to_vec()),
        ],
        &AttachOptions::new(),
    )
    .unwrap_err();
    assert!(matches!(
        err,
        kyso::Error::Attachment(AttachmentError::DuplicateAttachment { .. })
    ));
    let err = attach_bytes(
        &base(Base::Table),
        &[Attachment::from_bytes("", b"1".to_vec())],
        &AttachOptions::new(),
    )
    .unwrap_err();
    assert!(matches!(
        err,
        kyso::Error::Attachment(AttachmentError::BadAttachmentName { .. })
    ));

    let signed = sign(&base(Base::Table), &pki.p256, false, now());
    let err = attach_bytes(
        &signed,
        &[Attachment::from_bytes("late.txt", b"1".to_vec())],
        &AttachOptions::new(),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            kyso::Error::Attachment(AttachmentError::AlreadySigned { signatures: 1 })
        ),
        "{err}"
    );

    let dir = common::temp_dir();
    let p = dir.path().join("in.pdf");
    std::fs::write(&p, base(Base::Table)).unwrap();
    let err = attach_files(
        &p,
        &p,
        &[Attachment::from_bytes("x", b"1".to_vec())],
        &AttachOptions::new(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("input"), "{err}");
    assert_eq!(std::fs::read(&p).unwrap(), base(Base::Table));
}

#[test]
fn a_second_attach_keeps_the_first_files() {
    let first = attach_bytes(
        &base(Base::Stream),
        &[Attachment::from_bytes("một.txt", b"1".to_vec())],
        &AttachOptions::new(),
    )
    .unwrap();
    let second = attach_bytes(
        &first,
        &[Attachment::from_bytes("hai.txt", b"2".to_vec())],
        &AttachOptions::new(),
    )
    .unwrap();
    let doc = Document::open(second.as_slice()).unwrap();
    let names: BTreeSet<String> = list_embedded_files(&doc, doc.last_revision())
        .unwrap()
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert_eq!(
        names,
        BTreeSet::from(["một.txt".to_owned(), "hai.txt".to_owned()])
    );
}

/// Names listed by `qpdf --list-attachments` (`NAME -> N,G` lines).
fn qpdf_names(q: &Qpdf, pdf: &Path) -> BTreeSet<String> {
    let out = q
        .run(&[std::ffi::OsStr::new("--list-attachments"), pdf.as_os_str()])
        .unwrap();
    out.stdout
        .lines()
        .filter_map(|l| l.rsplit_once(" -> ").map(|(n, _)| n.to_owned()))
        .collect()
}

/// Names listed by `pdfdetach -list` (`N: NAME` lines after the count).
fn pdfdetach_names(pdf: &Path) -> Option<BTreeSet<String>> {
    let tool = common::tool("pdfdetach")?;
    let out = run(&tool, &[std::ffi::OsStr::new("-list"), pdf.as_os_str()]).unwrap();
    assert!(out.status.success(), "{}", out.describe());
    Some(
        out.stdout
            .lines()
            .filter_map(|l| l.split_once(": ").map(|(_, n)| n.to_owned()))
            .collect(),
    )
}

#[test]
fn attachments_survive_two_signatures_and_peers_agree() {
    let pki = TestPki::generate(now());
    let dir = common::temp_dir();
    let root = pki.write_root(dir.path());
    let atts = sample_attachments();
    let expected: BTreeSet<String> = atts.iter().map(|a| a.name.clone()).collect();
    for kind in [Base::Table, Base::Stream] {
        let attached = attach_bytes(&base(kind), &atts, &AttachOptions::new()).unwrap();
        let once = sign(&attached, &pki.p256, false, now());
        let twice = sign(&once, &pki.rsa2048, false, now());

        let report = verify(&twice, &pki);
        assert_eq!(report.summary.passed, 2, "{}", report.to_json());
        assert_eq!(report.embedded_files.len(), 3);
        for e in &report.embedded_files {
            assert_eq!(e.covered_by, [0, 1], "{}", e.name);
            let a = atts.iter().find(|a| a.name == e.name).unwrap();
            assert_eq!(
                e.sha256.as_deref(),
                Some(hex(&digest(DigestAlgorithm::Sha256, content_of(a))).as_str())
            );
        }

        let path = dir.path().join(format!("twice-{kind:?}.pdf"));
        std::fs::write(&path, &twice).unwrap();
        if let Some(q) = Qpdf::find() {
            q.check(&path).unwrap();
            assert_eq!(qpdf_names(&q, &path), expected, "qpdf --list-attachments");
        }
        if let Some(names) = pdfdetach_names(&path) {
            assert_eq!(names, expected, "pdfdetach -list");
        }
        if let Some(p) = Pyhanko::find() {
            let sigs = p.validate(&path, &root, &[]).unwrap();
            assert_eq!(sigs.len(), 2);
            for s in &sigs {
                assert!(s.valid && s.intact, "pyHanko: {}", s.raw);
            }
        }
        if let Some(p) = Poppler::find() {
            let sigs = p.pdfsig(&path, true).unwrap();
            assert_eq!(sigs.len(), 2);
            for s in &sigs {
                assert!(s.valid, "pdfsig: {}", s.raw);
            }
        }
    }
}

/// Asserts that the signature at `index` judges the later changes disallowed ("other") and
/// that the embedded file `name` is reported as covered by no signature.
fn assert_late_attachment_flagged(report: &VerificationReport, name: &str) {
    let sig = &report.signatures[0];
    assert_eq!(
        sig.indication,
        Indication::TotalFailed,
        "{}",
        report.to_json()
    );
    assert!(!sig.modifications.allowed, "{:?}", sig.modifications);
    assert_eq!(sig.modifications.level, ModificationLevel::Other);
    assert!(sig
        .findings
        .iter()
        .any(|f| f.code == Code::ModificationDisallowed));
    let late = report
        .embedded_files
        .iter()
        .find(|e| e.name == name)
        .expect("late file listed");
    assert!(late.covered_by.is_empty());
    assert!(report
        .findings
        .iter()
        .any(|f| f.code == Code::EmbeddedNotCovered && f.message.contains(name)));
}

#[test]
fn an_attachment_added_after_signing_is_reported() {
    let pki = TestPki::generate(now());
    // The usual case: /Names and /AF live in the catalog, which the late update rewrites.
    let early = attach_bytes(
        &base(Base::Table),
        &[Attachment::from_bytes("early.txt", b"early".to_vec())],
        &AttachOptions::new(),
    )
    .unwrap();
    let signed = sign(&early, &pki.p256, false, now());
    let late = attach_bytes(
        &signed,
        &[Attachment::from_bytes("muộn.txt", b"late".to_vec())],
        &AttachOptions::new().allow_signed(true),
    )
    .unwrap();
    let report = verify(&late, &pki);
    assert_late_attachment_flagged(&report, "muộn.txt");
    let early_file = report
        .embedded_files
        .iter()
        .find(|e| e.name == "early.txt")
        .unwrap();
    assert_eq!(early_file.covered_by, [0], "the early file stays covered");
}

/// A document whose catalog points to an indirect `/Names` dictionary and an indirect `/AF`
/// array, so that a late attachment changes only those two objects and leaves the catalog
/// alone.
fn indirect_names_pdf() -> Vec<u8> {
    use lopdf::{dictionary, Document, Object};
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1,
        }),
    );
    let tree_id = doc.add_object(dictionary! { "Names" => Vec::<Object>::new() });
    let names_id = doc.add_object(dictionary! { "EmbeddedFiles" => tree_id });
    let af_id = doc.add_object(Object::Array(Vec::new()));
    let catalog_id = doc.add_object(dictionary! {
        "Type" => "Catalog", "Pages" => pages_id, "Names" => names_id, "AF" => af_id,
    });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn an_attachment_added_after_signing_without_touching_the_catalog_is_reported() {
    let pki = TestPki::generate(now());
    let signed = sign(&indirect_names_pdf(), &pki.p256, false, now());
    let late = attach_bytes(
        &signed,
        &[Attachment::from_bytes(
            "sneaky.pdf",
            b"%PDF-1.7 hidden".to_vec(),
        )],
        &AttachOptions::new().allow_signed(true),
    )
    .unwrap();
    // The late update really leaves the catalog alone.
    let doc = Document::open(late.as_slice()).unwrap();
    let root = doc
        .trailer(doc.last_revision())
        .and_then(|t| t.get(b"Root"))
        .and_then(|r| r.as_ref())
        .unwrap();
    assert!(
        doc.defining_revision(doc.last_revision(), root) < Some(doc.last_revision()),
        "the late update leaves the catalog unchanged"
    );
    let report = verify(&late, &pki);
    assert_late_attachment_flagged(&report, "sneaky.pdf");
}

/// A document with one file only in the catalog's `/AF` and one in a file attachment
/// annotation: places a name-tree-only reader would miss.
fn hidden_places_pdf() -> Vec<u8> {
    use lopdf::{dictionary, Document, Object, Stream};
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let ef1 = doc.add_object(Stream::new(
        dictionary! { "Type" => "EmbeddedFile" },
        b"in AF only".to_vec(),
    ));
    let fs1 = doc.add_object(dictionary! {
        "Type" => "Filespec",
        "F" => Object::string_literal("af-only.txt"),
        "EF" => dictionary! { "F" => ef1 },
    });
    let ef2 = doc.add_object(Stream::new(
        dictionary! { "Type" => "EmbeddedFile" },
        b"in an annotation".to_vec(),
    ));
    let fs2 = doc.add_object(dictionary! {
        "Type" => "Filespec",
        "F" => Object::string_literal("annot.txt"),
        "EF" => dictionary! { "F" => ef2 },
    });
    let annot = doc.add_object(dictionary! {
        "Type" => "Annot", "Subtype" => "FileAttachment",
        "Rect" => vec![0.into(), 0.into(), 10.into(), 10.into()], "FS" => fs2,
    });
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        "Annots" => vec![annot.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1,
        }),
    );
    let catalog_id = doc.add_object(dictionary! {
        "Type" => "Catalog", "Pages" => pages_id, "AF" => vec![fs1.into()],
    });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn files_outside_the_name_tree_are_listed_too() {
    let pki = TestPki::generate(now());
    let pdf = hidden_places_pdf();
    let doc = Document::open(pdf.as_slice()).unwrap();
    let files = list_embedded_files(&doc, 0).unwrap();
    let places: Vec<(&str, EmbeddedLocation)> = files
        .iter()
        .map(|f| (f.name.as_str(), f.location))
        .collect();
    assert_eq!(
        places,
        [
            ("af-only.txt", EmbeddedLocation::AssociatedFile),
            ("annot.txt", EmbeddedLocation::Annotation { page: 1 })
        ]
    );
    let signed = sign(&pdf, &pki.p256, false, now());
    let report = verify(&signed, &pki);
    assert_eq!(report.embedded_files.len(), 2);
    assert!(report.embedded_files.iter().all(|e| e.covered_by == [0]));
    assert_eq!(report.embedded_files[1].size, Some(16));
}

/// Replaces the first occurrence of `from` by `to` (same length).
fn patch(bytes: &mut [u8], from: &[u8], to: &[u8]) {
    assert_eq!(from.len(), to.len());
    let at = bytes
        .windows(from.len())
        .position(|w| w == from)
        .expect("pattern present");
    bytes[at..at + to.len()].copy_from_slice(to);
}

#[test]
fn declared_size_and_checksum_are_checked() {
    let pki = TestPki::generate(now());
    let data = b"checked content".to_vec();
    let mut pdf = attach_bytes(
        &base(Base::Table),
        &[Attachment::from_bytes("c.txt", data.clone())],
        &AttachOptions::new(),
    )
    .unwrap();
    // MD5 hex as the serializer writes it (the shorter of hex and literal: hex for binary).
    let md5 = {
        let doc = Document::open(pdf.as_slice()).unwrap();
        list_embedded_files(&doc, doc.last_revision()).unwrap()[0]
            .declared_checksum
            .clone()
            .unwrap()
    };
    let md5_hex = hex(&md5).to_uppercase();
    let mut wrong = md5_hex.clone().into_bytes();
    wrong[0] = if wrong[0] == b'0' { b'1' } else { b'0' };
    let found_upper = pdf
        .windows(md5_hex.len())
        .any(|w| w.eq_ignore_ascii_case(md5_hex.as_bytes()));
    assert!(found_upper, "the checksum is written in hexadecimal");
    let at = pdf
        .windows(md5_hex.len())
        .position(|w| w.eq_ignore_ascii_case(md5_hex.as_bytes()))
        .unwrap();
    pdf[at..at + wrong.len()].copy_from_slice(&wrong);
    patch(
        &mut pdf,
        format!("/Size {}", data.len()).as_bytes(),
        format!("/Size {}", data.len() + 1).as_bytes(),
    );
    let report = verify(&pdf, &pki);
    let codes: Vec<Code> = report.findings.iter().map(|f| f.code).collect();
    assert!(codes.contains(&Code::EmbeddedChecksumMismatch), "{codes:?}");
    assert!(codes.contains(&Code::EmbeddedSizeMismatch), "{codes:?}");
    assert_eq!(report.embedded_files[0].size, Some(data.len() as u64));
}

#[test]
fn cli_attach_list_and_extract_keep_names_and_stay_in_the_directory() {
    let dir = common::temp_dir();
    let input = dir.path().join("in.pdf");
    std::fs::write(&input, base(Base::Table)).unwrap();
    let scan = dir.path().join(VI_SCAN);
    std::fs::write(&scan, noise(3000, 3)).unwrap();
    let out = dir.path().join("out.pdf");
    let kyso = env!("CARGO_BIN_EXE_kyso");
    let o = std::process::Command::new(kyso)
        .arg("attach")
        .arg(&input)
        .arg(&scan)
        .arg("-o")
        .arg(&out)
        .args(["--relationship", "supplement"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let o = std::process::Command::new(kyso)
        .args(["attachments", "list", "--json"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success());
    let listed: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(listed[0]["name"], VI_SCAN);
    assert_eq!(listed[0]["size"], 3000);
    assert_eq!(listed[0]["relationship"], "Supplement");
    assert_eq!(
        listed[0]["sha256"],
        hex(&digest(DigestAlgorithm::Sha256, &noise(3000, 3)))
    );

    let target = dir.path().join("extracted");
    std::fs::create_dir(&target).unwrap();
    let o = std::process::Command::new(kyso)
        .args(["attachments", "extract"])
        .arg(&out)
        .arg("-o")
        .arg(&target)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read(target.join(VI_SCAN)).unwrap(), noise(3000, 3));
    // Twice without --force: refused, file untouched.
    let o = std::process::Command::new(kyso)
        .args(["attachments", "extract"])
        .arg(&out)
        .arg("-o")
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));

    // A hostile name cannot leave the directory.
    let hostile = attach_bytes(
        &base(Base::Table),
        &[Attachment::from_bytes("../../evil.txt", b"evil".to_vec())],
        &AttachOptions::new(),
    )
    .unwrap();
    let hostile_pdf = dir.path().join("hostile.pdf");
    std::fs::write(&hostile_pdf, hostile).unwrap();
    let jail = dir.path().join("jail");
    std::fs::create_dir(&jail).unwrap();
    let o = std::process::Command::new(kyso)
        .args(["attachments", "extract"])
        .arg(&hostile_pdf)
        .arg("-o")
        .arg(&jail)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read(jail.join("evil.txt")).unwrap(), b"evil");
    assert!(!dir.path().join("evil.txt").exists());
}

#[test]
fn late_attachment_refs_are_new_objects() {
    // The late update writes the attachment as new objects (numbers above the old /Size),
    // so the earlier revision's objects stay as they were.
    let pki = TestPki::generate(now());
    let signed = sign(&base(Base::Table), &pki.p256, false, now());
    let before = Document::open(signed.as_slice()).unwrap();
    let size = before
        .trailer(before.last_revision())
        .and_then(|t| t.get_int(b"Size"))
        .unwrap() as u32;
    let late = attach_bytes(
        &signed,
        &[Attachment::from_bytes("x.txt", b"x".to_vec())],
        &AttachOptions::new().allow_signed(true),
    )
    .unwrap();
    let doc = Document::open(late.as_slice()).unwrap();
    let f = &list_embedded_files(&doc, doc.last_revision()).unwrap()[0];
    let spec: ObjRef = f.filespec.unwrap();
    assert!(spec.num >= size);
    assert!(f.stream.unwrap().num >= size);
}
