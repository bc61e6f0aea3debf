//! The incremental-update writer against independent readers: lopdf, qpdf, poppler, MuPDF and
//! pyHanko. Base files come from lopdf (classic table; xref stream with object streams) and
//! from qpdf (object streams generated from the classic file).

mod common;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use common::interop::{self, Mutool, Poppler, Pyhanko, PyhankoCoverage, Qpdf, QpdfXrefEntry};
use common::lopdf_glue::{begin_update, dict_from_lopdf, last_startxref, section_style};
use common::SampleXref;
use kyso::pdf::encode_text_string;
use kyso::pdf::{Dict, Name, ObjRef, Object, PdfString, Stream, StreamData};
use kyso::pdf::{WrittenUpdate, XrefStyle};

fn lopdf_ref(o: &lopdf::Object) -> ObjRef {
    let (n, g) = o.as_reference().expect("a reference");
    ObjRef::new(n, g)
}

fn flate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn text_string(s: &str) -> Object {
    Object::String(PdfString::literal(encode_text_string(s)))
}

// ---------------------------------------------------------------------------------------------
// The updates exercised.

/// What the first update wrote, for later checks.
struct FirstUpdate {
    catalog: ObjRef,
    page: ObjRef,
    marker: ObjRef,
    new_content: ObjRef,
    info: ObjRef,
}

/// Replaces the catalog (adds /Lang and a marker), replaces the page (adds a second content
/// stream, Flate-compressed), adds a marker dictionary and a new /Info.
fn first_update(base: &[u8]) -> (Vec<u8>, WrittenUpdate, FirstUpdate) {
    let (mut u, doc) = begin_update(base);
    let catalog = lopdf_ref(doc.trailer.get(b"Root").unwrap());
    let page_id = *doc.get_pages().get(&1).unwrap();
    let page = ObjRef::new(page_id.0, page_id.1);

    let marker = u.allocate().unwrap();
    let new_content = u.allocate().unwrap();
    let info = u.allocate().unwrap();

    let mut cat = dict_from_lopdf(doc.get_dictionary((catalog.num, catalog.gen)).unwrap());
    cat.set("Lang", Object::String(PdfString::literal("vi-VN")));
    cat.set("KysoMarker", marker);
    u.put(catalog, &Object::Dict(cat)).unwrap();

    let mut page_dict = dict_from_lopdf(doc.get_dictionary(page_id).unwrap());
    let old_contents = page_dict.get(b"Contents").cloned().unwrap();
    page_dict.set(
        "Contents",
        Object::Array(vec![old_contents, Object::Reference(new_content)]),
    );
    u.put(page, &Object::Dict(page_dict)).unwrap();

    let mut m = Dict::new();
    m.set("Kind", Object::Name(Name::from("Marker")));
    m.set("Text", text_string("Nguyễn Thị Hương, phường Hàng Bạc"));
    m.set("Odd", Object::Name(Name::new(b"A B#(x)".to_vec())));
    m.set(
        "Bytes",
        Object::String(PdfString::literal(vec![0, 1, 2, 255, 40, 41])),
    );
    m.set("Real", Object::Real(-0.125));
    u.put(marker, &Object::Dict(m)).unwrap();

    let mut sd = Dict::new();
    sd.set("Filter", Object::Name(Name::from("FlateDecode")));
    let content = flate(b"BT /F1 12 Tf 72 650 Td (Update one) Tj ET");
    u.put(
        new_content,
        &Object::Stream(Stream {
            dict: sd,
            data: StreamData::Memory(content),
        }),
    )
    .unwrap();

    let mut i = Dict::new();
    i.set(
        "Title",
        Object::String(PdfString::literal("kyso update one")),
    );
    u.put(info, &Object::Dict(i)).unwrap();
    u.set_trailer_entry("Info", Object::Reference(info))
        .unwrap();

    let written = u.finish().unwrap();
    let mut full = base.to_vec();
    full.extend_from_slice(&written.bytes);
    (
        full,
        written,
        FirstUpdate {
            catalog,
            page,
            marker,
            new_content,
            info,
        },
    )
}

/// Replaces the marker and adds one more object.
fn second_update(base: &[u8], first: &FirstUpdate) -> (Vec<u8>, WrittenUpdate, ObjRef) {
    let (mut u, _) = begin_update(base);
    let extra = u.allocate().unwrap();
    let mut m = Dict::new();
    m.set("Kind", Object::Name(Name::from("Marker")));
    m.set("Text", Object::String(PdfString::literal("second")));
    m.set("Extra", extra);
    u.put(first.marker, &Object::Dict(m)).unwrap();
    u.put(
        extra,
        &Object::Array(vec![Object::Integer(1), Object::Bool(true)]),
    )
    .unwrap();
    let written = u.finish().unwrap();
    let mut full = base.to_vec();
    full.extend_from_slice(&written.bytes);
    (full, written, extra)
}

// ---------------------------------------------------------------------------------------------
// Checks.

fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// The new section is of the expected kind and sits where `startxref` says.
fn check_section_kind(full: &[u8], written: &WrittenUpdate, style: XrefStyle) {
    let at = &full[written.startxref as usize..];
    match style {
        XrefStyle::Table => {
            assert!(at.starts_with(b"xref\n"), "table expected");
            assert!(written.xref_stream.is_none());
        }
        XrefStyle::Stream => {
            let r = written.xref_stream.expect("xref stream object");
            let head = format!("{} {} obj\n<< /Type /XRef ", r.num, r.gen);
            assert!(at.starts_with(head.as_bytes()), "xref stream expected");
        }
    }
    assert_eq!(last_startxref(full), written.startxref);
    assert!(full.ends_with(b"%%EOF\n"));
}

/// Every object we wrote is where qpdf's merged table says, uncompressed at our offset.
fn check_qpdf(qpdf: &Qpdf, path: &Path, written: &WrittenUpdate) {
    qpdf.check(path).unwrap();
    let xref = qpdf.show_xref(path).unwrap();
    for (r, placement) in &written.objects {
        assert_eq!(
            xref.get(&(r.num, r.gen)),
            Some(&QpdfXrefEntry::Uncompressed {
                offset: placement.header_offset
            }),
            "qpdf's entry for {r}"
        );
    }
}

fn lopdf_string(doc: &lopdf::Document, r: ObjRef, key: &[u8]) -> Vec<u8> {
    doc.get_dictionary((r.num, r.gen))
        .unwrap()
        .get(key)
        .unwrap()
        .as_str()
        .unwrap()
        .to_vec()
}

fn exercise(base: Vec<u8>, label: &str) {
    let dir = common::temp_dir();
    let style = section_style(&base, last_startxref(&base));

    // First update.
    let (full1, w1, first) = first_update(&base);
    assert!(full1.starts_with(&base), "{label}: base bytes are a prefix");
    check_section_kind(&full1, &w1, style);
    assert_eq!(
        w1.trailer.get_int(b"Prev"),
        Some(last_startxref(&base) as i64)
    );
    assert!(!String::from_utf8_lossy(&w1.bytes).contains("/XRefStm"));
    for r in [
        first.catalog,
        first.page,
        first.marker,
        first.new_content,
        first.info,
    ] {
        let p = w1.objects[&r];
        let header = format!("{} {} obj\n", r.num, r.gen);
        assert_eq!(
            &full1[p.header_offset as usize..p.body_offset as usize],
            header.as_bytes()
        );
        assert!(full1[(p.body_offset + p.body_len) as usize..].starts_with(b"\nendobj\n"));
    }
    let path1 = write_file(dir.path(), &format!("{label}-1.pdf"), &full1);

    let doc = interop::lopdf_loads(&path1).unwrap();
    let cat = doc
        .get_dictionary((first.catalog.num, first.catalog.gen))
        .unwrap();
    assert_eq!(cat.get(b"Lang").unwrap().as_str().unwrap(), b"vi-VN");
    assert_eq!(
        lopdf_string(&doc, first.marker, b"Text"),
        encode_text_string("Nguyễn Thị Hương, phường Hàng Bạc")
    );
    let marker = doc
        .get_dictionary((first.marker.num, first.marker.gen))
        .unwrap();
    assert_eq!(marker.get(b"Odd").unwrap().as_name().unwrap(), b"A B#(x)");
    assert_eq!(
        marker.get(b"Bytes").unwrap().as_str().unwrap(),
        &[0, 1, 2, 255, 40, 41]
    );
    assert_eq!(marker.get(b"Real").unwrap().as_float().unwrap(), -0.125);
    let content = doc.get_page_content((first.page.num, first.page.gen));
    let content = String::from_utf8_lossy(&content);
    assert!(
        content.contains("Base revision") && content.contains("Update one"),
        "{content}"
    );
    assert_eq!(lopdf_string(&doc, first.info, b"Title"), b"kyso update one");

    if let Some(qpdf) = Qpdf::find() {
        check_qpdf(&qpdf, &path1, &w1);
    }
    if let Some(poppler) = Poppler::find() {
        let info = poppler.pdfinfo(&path1).unwrap();
        assert_eq!(info.pages(), Some(1), "{}", info.raw);
        assert_eq!(
            info.fields.get("Title").map(String::as_str),
            Some("kyso update one")
        );
        assert!(info.diagnostics.is_empty(), "{:?}", info.diagnostics);
    }
    if let Some(mutool) = Mutool::find() {
        let out = mutool.info(&path1).unwrap();
        assert!(!out.stderr.contains("error"), "{}", out.stderr);
    }

    // Second update chains to the first through /Prev.
    let (full2, w2, extra) = second_update(&full1, &first);
    assert!(full2.starts_with(&full1));
    check_section_kind(&full2, &w2, style);
    assert_eq!(w2.trailer.get_int(b"Prev"), Some(w1.startxref as i64));
    assert_eq!(
        w2.trailer.get(b"Info"),
        Some(&Object::Reference(first.info))
    );
    let id1 = w1.trailer.get(b"ID").and_then(Object::as_array).unwrap();
    let id2 = w2.trailer.get(b"ID").and_then(Object::as_array).unwrap();
    assert_eq!(id1[0], id2[0], "permanent identifier kept");
    assert_ne!(id1[1], id2[1], "changing identifier renewed");
    let size1 = w1.trailer.get_int(b"Size").unwrap();
    assert!(w2.trailer.get_int(b"Size").unwrap() > size1);
    let path2 = write_file(dir.path(), &format!("{label}-2.pdf"), &full2);
    let doc2 = interop::lopdf_loads(&path2).unwrap();
    assert_eq!(lopdf_string(&doc2, first.marker, b"Text"), b"second");
    assert!(doc2.get_object((extra.num, extra.gen)).is_ok());
    assert_eq!(
        doc2.get_dictionary((first.catalog.num, first.catalog.gen))
            .unwrap()
            .get(b"Lang")
            .unwrap()
            .as_str()
            .unwrap(),
        b"vi-VN"
    );
    if let Some(qpdf) = Qpdf::find() {
        check_qpdf(&qpdf, &path2, &w2);
    }
    if let Some(poppler) = Poppler::find() {
        let info = poppler.pdfinfo(&path2).unwrap();
        assert_eq!(info.pages(), Some(1));
        assert!(info.diagnostics.is_empty(), "{:?}", info.diagnostics);
    }
}

#[test]
fn updates_a_classic_table_file() {
    let base = common::sample_pdf(SampleXref::Table);
    assert_eq!(
        section_style(&base, last_startxref(&base)),
        XrefStyle::Table
    );
    exercise(base, "table");
}

#[test]
fn updates_an_xref_stream_file_with_object_streams() {
    let base = common::sample_pdf(SampleXref::StreamWithObjectStreams);
    assert_eq!(
        section_style(&base, last_startxref(&base)),
        XrefStyle::Stream
    );
    assert!(
        base.windows(6).any(|w| w == b"ObjStm"),
        "lopdf wrote object streams"
    );
    exercise(base, "xrefstream");
}

#[test]
fn updates_a_qpdf_generated_xref_stream_file() {
    let Some(qpdf) = Qpdf::find() else { return };
    let dir = common::temp_dir();
    let classic = write_file(
        dir.path(),
        "classic.pdf",
        &common::sample_pdf(SampleXref::Table),
    );
    let generated = dir.path().join("generated.pdf");
    qpdf.run(&[
        "--object-streams=generate".as_ref(),
        classic.as_os_str(),
        generated.as_os_str(),
    ])
    .unwrap();
    let base = std::fs::read(&generated).unwrap();
    assert_eq!(
        section_style(&base, last_startxref(&base)),
        XrefStyle::Stream
    );
    exercise(base, "qpdf");
}

#[test]
fn base_without_final_end_of_line() {
    for kind in [SampleXref::Table, SampleXref::StreamWithObjectStreams] {
        let mut base = common::sample_pdf(kind);
        while matches!(base.last(), Some(b'\n' | b'\r')) {
            base.pop();
        }
        assert!(base.ends_with(b"%%EOF"));
        let (full, w, _) = first_update(&base);
        assert_eq!(w.bytes.first(), Some(&b'\n'));
        assert!(full.starts_with(&base));
        let dir = common::temp_dir();
        let path = write_file(dir.path(), "noeol.pdf", &full);
        interop::lopdf_loads(&path).unwrap();
        if let Some(qpdf) = Qpdf::find() {
            check_qpdf(&qpdf, &path, &w);
        }
    }
}

/// pyHanko's strict reader accepts our updates: it signs the updated file, and its validator
/// finds the signature intact and covering the whole file.
#[test]
fn pyhanko_signs_and_validates_after_our_updates() {
    let Some(pyhanko) = Pyhanko::find() else {
        return;
    };
    let dir = common::temp_dir();
    let pki = common::write_test_pki(dir.path(), "writer");
    for kind in [SampleXref::Table, SampleXref::StreamWithObjectStreams] {
        let base = common::sample_pdf(kind);
        let (full1, _, first) = first_update(&base);
        let (full2, _, _) = second_update(&full1, &first);
        let input = write_file(dir.path(), &format!("{kind:?}-in.pdf"), &full2);
        let signed = dir.path().join(format!("{kind:?}-signed.pdf"));
        pyhanko
            .sign_pemder(
                &input,
                &signed,
                "1/50,50,250,120/Sig1",
                &pki.pem_signer(&[pki.root_cert.as_path()]),
                &[],
            )
            .unwrap();
        let signed_bytes = std::fs::read(&signed).unwrap();
        assert!(
            signed_bytes.starts_with(&full2),
            "pyHanko appended an update"
        );
        let report = pyhanko.validate(&signed, &pki.root_cert, &[]).unwrap();
        assert_eq!(report.len(), 1, "{report:?}");
        let sig = &report[0];
        assert!(sig.valid && sig.intact, "{}", sig.raw);
        assert_eq!(
            sig.coverage,
            Some(PyhankoCoverage::EntireFile),
            "{}",
            sig.raw
        );
    }
}
