//! The revision-aware PDF reader against files built here: classic tables, incremental
//! updates, xref streams with predictors, object streams, hybrid files, forms, and broken
//! variants of all of them (truncated and corrupted at many points: errors, never panics).

use std::io::Write;

use flate2::write::ZlibEncoder;
use flate2::Compression;
use kyso::pdf::{
    self, Budget, Document, FileSource, ObjRef, Object, PdfError, Source, StreamData, XrefEntry,
    XrefKind,
};

// ---------------------------------------------------------------------------------------
// A small hand-written PDF builder
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum Entry {
    File(u64),
    InStream(u32, u32),
    Free,
}

struct Builder {
    buf: Vec<u8>,
    section: Vec<(u32, Entry)>,
    max_num: u32,
    last_xref: Option<u64>,
    /// The file length after each `%%EOF` written (the expected revision ends).
    ends: Vec<u64>,
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

impl Builder {
    fn new() -> Self {
        Builder {
            buf: b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec(),
            section: Vec::new(),
            max_num: 0,
            last_xref: None,
            ends: Vec::new(),
        }
    }

    fn pos(&self) -> u64 {
        self.buf.len() as u64
    }

    fn note(&mut self, num: u32, e: Entry) {
        self.max_num = self.max_num.max(num);
        self.section.push((num, e));
    }

    fn obj(&mut self, num: u32, body: &str) -> &mut Self {
        let at = self.pos();
        self.note(num, Entry::File(at));
        self.buf
            .extend_from_slice(format!("{num} 0 obj\n{body}\nendobj\n").as_bytes());
        self
    }

    fn stream(&mut self, num: u32, extra: &str, data: &[u8]) -> &mut Self {
        let at = self.pos();
        self.note(num, Entry::File(at));
        self.buf.extend_from_slice(
            format!(
                "{num} 0 obj\n<< /Length {} {extra} >>\nstream\n",
                data.len()
            )
            .as_bytes(),
        );
        self.buf.extend_from_slice(data);
        self.buf.extend_from_slice(b"\nendstream\nendobj\n");
        self
    }

    /// An object stream `num` holding `objs`, Flate-compressed.
    fn objstm(&mut self, num: u32, objs: &[(u32, &str)]) -> &mut Self {
        let mut header = String::new();
        let mut body = String::new();
        for (num, text) in objs {
            header.push_str(&format!("{num} {} ", body.len()));
            body.push_str(text);
            body.push('\n');
        }
        let data = format!("{header}{body}");
        let z = zlib(data.as_bytes());
        let extra = format!(
            "/Type /ObjStm /N {} /First {} /Filter /FlateDecode",
            objs.len(),
            header.len()
        );
        self.stream(num, &extra, &z);
        for (i, (n, _)) in objs.iter().enumerate() {
            self.note(*n, Entry::InStream(num, i as u32));
        }
        self
    }

    fn free(&mut self, num: u32) -> &mut Self {
        self.note(num, Entry::Free);
        self
    }

    fn take_section(&mut self) -> Vec<(u32, Entry)> {
        let mut s = std::mem::take(&mut self.section);
        if self.last_xref.is_none() {
            s.push((0, Entry::Free));
        }
        s.sort_by_key(|e| e.0);
        s
    }

    fn groups(entries: &[(u32, Entry)]) -> Vec<(u32, Vec<Entry>)> {
        let mut out: Vec<(u32, Vec<Entry>)> = Vec::new();
        for &(n, e) in entries {
            match out.last_mut() {
                Some((start, v)) if *start + v.len() as u32 == n => v.push(e),
                _ => out.push((n, vec![e])),
            }
        }
        out
    }

    fn prev(&self) -> String {
        self.last_xref
            .map(|p| format!("/Prev {p}"))
            .unwrap_or_default()
    }

    fn end_revision(&mut self, xref_at: u64) {
        self.buf
            .extend_from_slice(format!("startxref\n{xref_at}\n%%EOF\n").as_bytes());
        self.last_xref = Some(xref_at);
        self.ends.push(self.pos());
    }

    fn table_body(&mut self, entries: &[(u32, Entry)]) {
        self.buf.extend_from_slice(b"xref\n");
        for (start, v) in Self::groups(entries) {
            self.buf
                .extend_from_slice(format!("{start} {}\n", v.len()).as_bytes());
            for e in v {
                let line = match e {
                    Entry::File(o) => format!("{o:010} 00000 n\r\n"),
                    Entry::Free => "0000000000 65535 f\r\n".to_string(),
                    Entry::InStream(..) => panic!("object-stream entry in a table"),
                };
                self.buf.extend_from_slice(line.as_bytes());
            }
        }
    }

    /// A classic table section for everything written since the last section.
    fn table(&mut self, trailer_extra: &str) -> &mut Self {
        let entries = self.take_section();
        let at = self.pos();
        self.table_body(&entries);
        let t = format!(
            "trailer\n<< /Size {} /Root 1 0 R {} {trailer_extra} >>\n",
            self.max_num + 1,
            self.prev()
        );
        self.buf.extend_from_slice(t.as_bytes());
        self.end_revision(at);
        self
    }

    /// Rows `[type, field2 (4 bytes), field3 (2 bytes)]` and the /Index array.
    fn xref_rows(entries: &[(u32, Entry)]) -> (Vec<Vec<u8>>, String) {
        let mut rows = Vec::new();
        let mut index = String::new();
        for (start, v) in Self::groups(entries) {
            index.push_str(&format!("{start} {} ", v.len()));
            for e in v {
                let (t, a, b) = match e {
                    Entry::Free => (0u8, 0u32, 0xFFFFu16),
                    Entry::File(o) => (1, o as u32, 0),
                    Entry::InStream(s, i) => (2, s, i as u16),
                };
                let mut row = vec![t];
                row.extend_from_slice(&a.to_be_bytes());
                row.extend_from_slice(&b.to_be_bytes());
                rows.push(row);
            }
        }
        (rows, index)
    }

    fn encode_rows(rows: &[Vec<u8>], predictor: bool) -> (Vec<u8>, &'static str) {
        if !predictor {
            return (zlib(&rows.concat()), "");
        }
        // PNG "Up" on every row.
        let mut data = Vec::new();
        let mut prev = vec![0u8; 7];
        for r in rows {
            data.push(2);
            data.extend(r.iter().zip(&prev).map(|(c, p)| c.wrapping_sub(*p)));
            prev = r.clone();
        }
        (zlib(&data), "/DecodeParms << /Predictor 12 /Columns 7 >>")
    }

    /// An xref stream section (object `num`) for everything written since the last section.
    fn xref_stream(&mut self, num: u32, trailer_extra: &str, predictor: bool) -> &mut Self {
        let at = self.pos();
        self.note(num, Entry::File(at));
        let entries = self.take_section();
        let (rows, index) = Self::xref_rows(&entries);
        let (data, parms) = Self::encode_rows(&rows, predictor);
        let extra = format!(
            "/Type /XRef /Size {} /W [1 4 2] /Index [{index}] /Filter /FlateDecode {parms} /Root 1 0 R {} {trailer_extra}",
            self.max_num + 1,
            self.prev()
        );
        self.section.clear();
        self.stream(num, &extra, &data);
        self.section.clear();
        self.end_revision(at);
        self
    }

    /// A hybrid section: the object-stream entries go into an xref stream `stm_num` named by
    /// `/XRefStm`; the others into the table.
    fn hybrid(&mut self, stm_num: u32, trailer_extra: &str) -> &mut Self {
        let entries = self.take_section();
        let (in_stream, in_table): (Vec<_>, Vec<_>) = entries
            .into_iter()
            .partition(|(_, e)| matches!(e, Entry::InStream(..)));
        let (rows, index) = Self::xref_rows(&in_stream);
        let (data, parms) = Self::encode_rows(&rows, true);
        let stm_at = self.pos();
        self.max_num = self.max_num.max(stm_num);
        let extra = format!(
            "/Type /XRef /Size {} /W [1 4 2] /Index [{index}] /Filter /FlateDecode {parms}",
            self.max_num + 1
        );
        self.stream(stm_num, &extra, &data);
        let mut in_table = in_table;
        in_table.append(&mut self.section);
        in_table.sort_by_key(|e| e.0);
        let at = self.pos();
        self.table_body(&in_table);
        let t = format!(
            "trailer\n<< /Size {} /Root 1 0 R /XRefStm {stm_at} {} {trailer_extra} >>\n",
            self.max_num + 1,
            self.prev()
        );
        self.buf.extend_from_slice(t.as_bytes());
        self.end_revision(at);
        self
    }

    fn bytes(&self) -> Vec<u8> {
        self.buf.clone()
    }
}

/// Catalog, page tree with two pages, and a form with one signature field (unsigned).
fn base_objects(b: &mut Builder) {
    b.obj(
        1,
        "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [5 0 R] >> >>",
    )
    .obj(2, "<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>")
    .obj(3, "<< /Type /Page /Parent 2 0 R /Annots [5 0 R] >>")
    .obj(4, "<< /Type /Page /Parent 2 0 R >>")
    .obj(
        5,
        "<< /FT /Sig /T (Signature1) /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R >>",
    );
}

/// Walks everything a verifier would: revisions, every object, every stream, pages, fields,
/// signature dictionaries. Returns how many objects were read; errors are fine, panics not.
fn exercise(bytes: &[u8]) -> usize {
    let budget = Budget::default();
    let Ok(doc) = Document::open_with(bytes, budget) else {
        return 0;
    };
    let mut n = 0;
    for rev in 0..doc.revisions().len() {
        let _ = doc.catalog(rev);
        for r in doc.object_numbers(rev).collect::<Vec<_>>() {
            if let Ok(Some(o)) = doc.get(rev, r) {
                n += 1;
                if let Object::Stream(s) = &o {
                    let _ = doc.decode_stream(rev, s);
                }
                let _ = doc.resolve(rev, &o);
            }
        }
        let _ = pdf::pages(&doc, rev);
        let _ = pdf::fields(&doc, rev);
        let _ = pdf::signature_dictionaries(&doc, rev);
    }
    n
}

/// `hay` with the first `from` replaced by `to` (byte-exact: the files are not UTF-8).
fn replace(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let i = hay
        .windows(from.len())
        .position(|w| w == from)
        .expect("pattern present");
    [&hay[..i], to, &hay[i + from.len()..]].concat()
}

fn open(bytes: &[u8]) -> Document<&[u8]> {
    Document::open(bytes).unwrap()
}

// ---------------------------------------------------------------------------------------
// Classic files and incremental updates
// ---------------------------------------------------------------------------------------

#[test]
fn classic_file_pages_fields_and_spans() {
    let mut b = Builder::new();
    base_objects(&mut b);
    b.table("");
    let bytes = b.bytes();
    let doc = open(&bytes);
    assert_eq!(doc.revisions().len(), 1);
    let rev = &doc.revisions()[0];
    assert_eq!(rev.kind, XrefKind::Table);
    assert_eq!(rev.end, bytes.len() as u64);
    assert_eq!(rev.startxref_value, Some(rev.xref_offset));
    assert_eq!(rev.pointer, rev.xref_offset);
    assert_eq!(
        pdf::pages(&doc, 0).unwrap(),
        vec![ObjRef::new(3, 0), ObjRef::new(4, 0)]
    );
    let f = pdf::signature_fields(&doc, 0).unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].name, "Signature1");
    assert_eq!(f[0].id, Some(ObjRef::new(5, 0)));
    assert_eq!(f[0].widgets, vec![ObjRef::new(5, 0)]);
    assert_eq!(f[0].value, None);
    let t = f[0].dict.get(b"T").unwrap().as_string().unwrap();
    let span = t.span.unwrap();
    assert_eq!(
        &bytes[span.start as usize..span.end as usize],
        b"(Signature1)"
    );
}

#[test]
fn incremental_updates_keep_revisions_apart() {
    let mut b = Builder::new();
    base_objects(&mut b);
    b.obj(6, "(old six)").obj(7, "(seven)").table("");
    // Revision 1: sign the field (V -> 8), change 6, delete 7.
    b.obj(
        5,
        "<< /FT /Sig /T (Signature1) /V 8 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R >>",
    )
    .obj(6, "(new six)")
    .free(7)
    .obj(
        8,
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [0 10 20 30] /Contents <0011> >>",
    )
    .table("");
    // Revision 2: an unrelated change.
    b.obj(9, "(nine)").table("");
    let bytes = b.bytes();
    let doc = open(&bytes);
    let revs = doc.revisions();
    assert_eq!(revs.len(), 3);
    let ends: Vec<u64> = revs.iter().map(|r| r.end).collect();
    assert_eq!(ends, b.ends);
    for r in revs {
        assert!(r.has_eof_marker);
        assert_eq!(r.startxref_value, Some(r.xref_offset));
    }
    assert_eq!(
        revs[1].trailer.get_int(b"Prev"),
        Some(revs[0].xref_offset as i64)
    );

    let six = ObjRef::new(6, 0);
    let text = |rev| {
        doc.get(rev, six)
            .unwrap()
            .unwrap()
            .as_string()
            .unwrap()
            .bytes
            .clone()
    };
    assert_eq!(text(0), b"old six");
    assert_eq!(text(1), b"new six");
    assert_eq!(text(2), b"new six");
    assert_eq!(doc.defining_revision(2, six), Some(1));
    assert_eq!(doc.defining_revision(0, six), Some(0));
    let seven = ObjRef::new(7, 0);
    assert!(doc.get(0, seven).unwrap().is_some());
    assert!(doc.get(1, seven).unwrap().is_none());
    assert!(matches!(doc.lookup(1, seven), Some(XrefEntry::Free { .. })));
    assert!(doc.get(0, ObjRef::new(9, 0)).unwrap().is_none());
    assert_eq!(doc.object_numbers(0).count(), 7);
    assert_eq!(doc.object_numbers(1).count(), 7); // 8 added, 7 deleted
    assert_eq!(doc.object_numbers(2).count(), 8);

    // Signature field seen only from revision 1 on; the signature dictionary too.
    assert_eq!(pdf::signature_fields(&doc, 0).unwrap()[0].value, None);
    let f = &pdf::signature_fields(&doc, 1).unwrap()[0];
    assert_eq!(f.value, Some(Object::Reference(ObjRef::new(8, 0))));
    assert!(pdf::signature_dictionaries(&doc, 0).unwrap().is_empty());
    let sigs = pdf::signature_dictionaries(&doc, 2).unwrap();
    assert_eq!(sigs.len(), 1);
    assert_eq!(sigs[0].0, ObjRef::new(8, 0));
    let contents = sigs[0].1.get(b"Contents").unwrap().as_string().unwrap();
    let span = contents.span.unwrap();
    assert_eq!(&bytes[span.start as usize..span.end as usize], b"<0011>");
}

#[test]
fn junk_after_the_last_eof_is_kept_apart() {
    let mut b = Builder::new();
    base_objects(&mut b);
    b.table("");
    let mut bytes = b.bytes();
    let end = bytes.len() as u64;
    bytes.extend_from_slice(b"\n\n  trailing junk that is not PDF\n");
    let doc = open(&bytes);
    assert_eq!(doc.revisions()[0].end, end);
    assert_eq!(doc.len(), bytes.len() as u64);
}

#[test]
fn off_by_one_startxref_is_found_and_recorded() {
    let mut b = Builder::new();
    base_objects(&mut b);
    b.table("");
    let bytes = b.bytes();
    let xref = open(&bytes).revisions()[0].xref_offset;
    let wrong = replace(
        &bytes,
        format!("startxref\n{xref}\n").as_bytes(),
        format!("startxref\n{}\n", xref + 1).as_bytes(),
    );
    let doc = Document::open(wrong.as_slice()).unwrap();
    let rev = &doc.revisions()[0];
    assert_eq!(rev.xref_offset, xref);
    assert_eq!(rev.pointer, xref + 1);
    assert_eq!(rev.startxref_value, Some(xref + 1));
}

#[test]
fn prev_loops_and_bad_prev_offsets_are_errors() {
    let mut b = Builder::new();
    base_objects(&mut b);
    b.table("");
    let first = b.last_xref.unwrap();
    b.obj(6, "(x)");
    // A second section whose /Prev is itself.
    let at = b.pos();
    b.last_xref = Some(at);
    b.table("");
    // Issue 19 §4: a broken chain is not the end: the object map is reconstructed by
    // scanning, and every revision says so.
    assert_repaired(&b.bytes());

    let mut b = Builder::new();
    base_objects(&mut b);
    b.table("");
    b.last_xref = Some(10_000_000);
    b.obj(6, "(x)").table("");
    assert_repaired(&b.bytes());
    let _ = first;
}

/// The document opens with every revision marked as reconstructed, and object 1 (the
/// catalog) is found.
fn assert_repaired(bytes: &[u8]) {
    let doc = Document::open(bytes).unwrap();
    assert!(doc.revisions().iter().all(|r| r
        .repaired
        .as_deref()
        .is_some_and(|w| w.contains("reconstructed"))));
    let last = doc.last_revision();
    assert!(doc.get(last, ObjRef::new(1, 0)).unwrap().is_some());
}

#[test]
fn revision_count_is_budgeted() {
    let mut b = Builder::new();
    base_objects(&mut b);
    b.table("");
    for i in 0..10 {
        b.obj(6, &format!("({i})")).table("");
    }
    let bytes = b.bytes();
    assert_eq!(open(&bytes).revisions().len(), 11);
    let mut budget = Budget::default();
    budget.max_revisions = 5;
    let e = Document::open_with(bytes.as_slice(), budget).unwrap_err();
    assert!(matches!(e, PdfError::BudgetExceeded { .. }), "{e}");
}

#[test]
fn encrypted_files_open_and_say_so() {
    // ISO 32000-2 §7.6.4: RC4 40-bit with an empty user password (qpdf's values for this
    // first /ID string) opens without a password.
    let mut b = Builder::new();
    base_objects(&mut b);
    b.obj(6, "<< /Filter /Standard /V 1 /R 2 /Length 40 /P -4 /O <c92422687facee686e373f10b5c7d04738053152f7e2ee30e11c69ec442576ab> /U <c96896754370fe2b9ae9ca422630c265ccf2cc99671f1fdfc6f9f81cdc9e2f26> >>")
        .table("/Encrypt 6 0 R /ID [(kyso-demo-dossier) <01>]");
    let bytes = b.bytes();
    let doc = open(&bytes);
    assert!(doc.is_encrypted());
    let enc = doc.encryption().unwrap();
    assert_eq!((enc.revision, enc.key_bits), (2, 40));
    assert_eq!(pdf::pages(&doc, 0).unwrap().len(), 2);
}

#[test]
fn encryption_that_cannot_be_used_is_an_error_never_ciphertext_read_as_text() {
    // §7.6: /O and /U one byte long cannot be the standard handler's; another /Filter is
    // another handler (public-key, §7.6.5).
    for dict in [
        "<< /Filter /Standard /V 2 /R 3 /O <00> /U <00> /P -4 >>",
        "<< /Filter /Adobe.PubSec /V 4 /R 4 /SubFilter /adbe.pkcs7.s5 >>",
        "<< /Filter /Standard /V 1 /R 2 /O 7 0 R /U <00> /P -4 >>",
    ] {
        let mut b = Builder::new();
        base_objects(&mut b);
        b.obj(6, dict).table("/Encrypt 6 0 R /ID [<01><01>]");
        let e = Document::open(b.bytes().as_slice()).unwrap_err();
        assert!(matches!(e, PdfError::Encryption(_)), "{dict}: {e}");
    }
}

#[test]
fn wrong_stream_length_is_an_error_not_a_rescan() {
    let mut b = Builder::new();
    base_objects(&mut b);
    let at = b.pos();
    b.note(6, Entry::File(at));
    b.buf
        .extend_from_slice(b"6 0 obj\n<< /Length 3 >>\nstream\nHELLO\nendstream\nendobj\n");
    b.table("");
    let bytes = b.bytes();
    let doc = open(&bytes);
    let e = doc.get(0, ObjRef::new(6, 0)).unwrap_err();
    assert!(
        matches!(e, PdfError::BadStreamLength { length: 3, .. }),
        "{e}"
    );
}

#[test]
fn object_header_must_match_the_xref_entry() {
    let mut b = Builder::new();
    base_objects(&mut b);
    let at = b.pos();
    b.note(6, Entry::File(at));
    b.buf.extend_from_slice(b"7 0 obj\n(imposter)\nendobj\n");
    b.table("");
    let bytes = b.bytes();
    let doc = open(&bytes);
    // ISO 32000-2 §7.5.4 (issue 19 §4): the entry holds another object. It is corrected by
    // scanning, as qpdf, poppler and MuPDF do: no `6 0 obj` header exists, so object 6
    // reads as null (the imposter is never taken for it), and the revision says so.
    assert_eq!(doc.get(0, ObjRef::new(6, 0)).unwrap(), None);
    let what = doc.revisions()[0].repaired.clone().unwrap();
    assert!(
        what.contains("6 0 R") && what.contains("not found"),
        "{what}"
    );
    // With a `6 0 obj` header further on, the entry is corrected to it.
    let mut b = Builder::new();
    base_objects(&mut b);
    let at = b.pos();
    b.note(6, Entry::File(at));
    b.buf
        .extend_from_slice(b"7 0 obj\n(imposter)\nendobj\n6 0 obj\n(real)\nendobj\n");
    b.table("");
    let bytes = b.bytes();
    let doc = open(&bytes);
    let six = doc.get(0, ObjRef::new(6, 0)).unwrap().unwrap();
    assert_eq!(six.as_string().unwrap().bytes, b"real");
}

#[test]
fn a_flate_bomb_in_a_stream_stops_at_the_budget() {
    let zeros = vec![0u8; 8 * 1024 * 1024];
    let mut b = Builder::new();
    base_objects(&mut b);
    b.stream(6, "/Filter /FlateDecode", &zlib(&zeros)).table("");
    let bytes = b.bytes();
    let mut budget = Budget::default();
    budget.max_decoded_bytes = 1024 * 1024;
    let doc = Document::open_with(bytes.as_slice(), budget).unwrap();
    let s = doc.get(0, ObjRef::new(6, 0)).unwrap().unwrap();
    let e = doc.stream_data(s.as_stream().unwrap()).unwrap_err();
    assert!(
        matches!(
            e,
            PdfError::BudgetExceeded {
                limit: 1_048_576,
                ..
            }
        ),
        "{e}"
    );
    // Within the default budget it decodes.
    let doc = open(&bytes);
    let s = doc.get(0, ObjRef::new(6, 0)).unwrap().unwrap();
    assert_eq!(
        doc.stream_data(s.as_stream().unwrap()).unwrap().len(),
        zeros.len()
    );
}

// ---------------------------------------------------------------------------------------
// Xref streams, object streams, hybrid files
// ---------------------------------------------------------------------------------------

fn xref_stream_file(predictor: bool) -> Builder {
    let mut b = Builder::new();
    b.obj(1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 10 0 R >>")
        .obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
        .obj(3, "<< /Type /Page /Parent 2 0 R >>")
        .objstm(
            20,
            &[
                (10, "<< /Fields [11 0 R] >>"),
                (11, "<< /FT /Sig /T (Approval) /V 12 0 R /Kids [13 0 R] >>"),
                (
                    12,
                    "<< /Type /Sig /Filter /Adobe.PPKLite /ByteRange [0 1 2 3] /Contents <abcd> >>",
                ),
                (13, "<< /Type /Annot /Subtype /Widget /Parent 11 0 R >>"),
            ],
        )
        .xref_stream(30, "", predictor);
    b
}

#[test]
fn xref_stream_with_object_stream_and_png_predictor() {
    for predictor in [false, true] {
        let b = xref_stream_file(predictor);
        let bytes = b.bytes();
        let doc = open(&bytes);
        assert_eq!(doc.revisions().len(), 1);
        let rev = &doc.revisions()[0];
        assert_eq!(rev.kind, XrefKind::Stream);
        assert_eq!(rev.xref_stream, Some(ObjRef::new(30, 0)));
        assert_eq!(rev.end, bytes.len() as u64);
        assert!(matches!(
            doc.lookup(0, ObjRef::new(12, 0)),
            Some(XrefEntry::InStream {
                stream_num: 20,
                index: 2
            })
        ));
        let f = pdf::signature_fields(&doc, 0).unwrap();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].name, "Approval");
        assert_eq!(f[0].widgets, vec![ObjRef::new(13, 0)]);
        let sig = doc
            .resolve_dict(0, f[0].value.as_ref().unwrap())
            .unwrap()
            .unwrap();
        let contents = sig.get(b"Contents").unwrap().as_string().unwrap();
        assert_eq!(contents.bytes, vec![0xab, 0xcd]);
        assert_eq!(
            contents.span, None,
            "objects in object streams have no span"
        );
        let sigs = pdf::signature_dictionaries(&doc, 0).unwrap();
        assert_eq!(sigs.len(), 1);
        let ind = doc.get_indirect(0, ObjRef::new(12, 0)).unwrap().unwrap();
        assert_eq!(ind.in_object_stream, Some(ObjRef::new(20, 0)));
        assert_eq!(ind.span, None);
        let ind = doc.get_indirect(0, ObjRef::new(3, 0)).unwrap().unwrap();
        assert!(ind.span.is_some());
        // The xref stream object itself reads as a stream whose data decodes.
        let x = doc.get(0, ObjRef::new(30, 0)).unwrap().unwrap();
        let data = doc.stream_data(x.as_stream().unwrap()).unwrap();
        assert_eq!(data.len() % 7, 0);
        assert_eq!(pdf::pages(&doc, 0).unwrap(), vec![ObjRef::new(3, 0)]);
    }
}

#[test]
fn classic_base_with_an_xref_stream_update() {
    let mut b = Builder::new();
    base_objects(&mut b);
    b.table("");
    b.objstm(
        21,
        &[(
            5,
            "<< /FT /Sig /T (Signature1) /V 22 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R >>",
        )],
    )
    .obj(
        22,
        "<< /Type /Sig /Filter /Adobe.PPKLite /ByteRange [0 1 2 3] /Contents <00> >>",
    )
    .xref_stream(23, "", true);
    let bytes = b.bytes();
    let doc = open(&bytes);
    let kinds: Vec<XrefKind> = doc.revisions().iter().map(|r| r.kind).collect();
    assert_eq!(kinds, vec![XrefKind::Table, XrefKind::Stream]);
    assert_eq!(
        doc.revisions().iter().map(|r| r.end).collect::<Vec<_>>(),
        b.ends
    );
    assert_eq!(pdf::signature_fields(&doc, 0).unwrap()[0].value, None);
    assert_eq!(
        pdf::signature_fields(&doc, 1).unwrap()[0].value,
        Some(Object::Reference(ObjRef::new(22, 0)))
    );
    assert_eq!(doc.defining_revision(1, ObjRef::new(5, 0)), Some(1));
}

#[test]
fn hybrid_file_looks_in_the_table_then_its_xref_stream() {
    let mut b = Builder::new();
    b.obj(
        1,
        "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [5 0 R] >> >>",
    )
    .obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    .obj(3, "<< /Type /Page /Parent 2 0 R >>")
    .objstm(
        9,
        &[
            (5, "<< /FT /Sig /T (Hidden) /V 6 0 R >>"),
            (6, "<< /Type /Sig /ByteRange [0 1 2 3] /Contents <00> >>"),
        ],
    )
    .hybrid(10, "");
    let bytes = b.bytes();
    let doc = open(&bytes);
    let rev = &doc.revisions()[0];
    assert_eq!(rev.kind, XrefKind::Hybrid);
    assert!(rev.xref_stream_offset.is_some());
    assert_eq!(rev.xref_stream, Some(ObjRef::new(10, 0)));
    assert_eq!(rev.end, bytes.len() as u64);
    let f = pdf::signature_fields(&doc, 0).unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].name, "Hidden");
    assert_eq!(pdf::signature_dictionaries(&doc, 0).unwrap().len(), 1);
}

#[test]
fn object_stream_self_reference_and_nesting_are_errors() {
    // Object 7 claims to live in object stream 7.
    let mut b = Builder::new();
    base_objects(&mut b);
    b.note(7, Entry::InStream(7, 0));
    // Object 8 lives in stream 9, which itself claims to live in stream 20.
    b.note(8, Entry::InStream(9, 0));
    b.note(9, Entry::InStream(20, 0));
    b.objstm(20, &[(9, "<< /N 1 /First 4 >>")]);
    b.xref_stream(30, "", false);
    let bytes = b.bytes();
    let doc = open(&bytes);
    let e = doc.get(0, ObjRef::new(7, 0)).unwrap_err();
    assert!(matches!(e, PdfError::BadObjectStream { .. }), "{e}");
    let e = doc.get(0, ObjRef::new(8, 0)).unwrap_err();
    assert!(matches!(e, PdfError::BadObjectStream { .. }), "{e}");
    // The walkers skip the broken objects and still work.
    assert_eq!(pdf::signature_dictionaries(&doc, 0).unwrap().len(), 0);
}

#[test]
fn xref_stream_with_bad_w_is_an_error() {
    let b = xref_stream_file(false);
    let wrong = replace(&b.bytes(), b"/W [1 4 2]", b"/W [1 9 2]");
    // The xref stream cannot be read: the file is reconstructed by scanning (issue 19 §4).
    let doc = Document::open(wrong.as_slice()).unwrap();
    assert!(doc.revisions().iter().all(|r| r.repaired.is_some()));
}

// ---------------------------------------------------------------------------------------
// Forms
// ---------------------------------------------------------------------------------------

#[test]
fn form_tree_names_inheritance_widgets_and_cycles() {
    let mut b = Builder::new();
    b.obj(
        1,
        "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [5 0 R 9 0 R 12 0 R] >> >>",
    )
    .obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    .obj(3, "<< /Type /Page /Parent 2 0 R >>")
    // A parent carrying /FT /Sig and /Ff, with two named children.
    .obj(
        5,
        "<< /T (officials) /FT /Sig /Ff 1 /Kids [6 0 R 7 0 R 5 0 R] >>",
    )
    .obj(6, "<< /T (mayor) /Parent 5 0 R /V 20 0 R /Kids [8 0 R] >>")
    .obj(
        7,
        "<< /T <FEFF004E0067007500791EC5006E> /Parent 5 0 R /FT /Tx /Ff 0 >>",
    )
    .obj(8, "<< /Type /Annot /Subtype /Widget /Parent 6 0 R >>")
    // A field whose kid has no /T but has kids (an unnamed intermediate).
    .obj(9, "<< /T (top) /Kids [10 0 R] >>")
    .obj(10, "<< /Kids [11 0 R] /FT /Btn >>")
    .obj(11, "<< /T (leaf) >>")
    // A field listed twice: seen once.
    .obj(12, "<< /T (again) /Kids [12 0 R] >>")
    .obj(
        20,
        "<< /Type /Sig /Filter /Adobe.PPKLite /ByteRange [0 1 2 3] /Contents <00> >>",
    )
    // An orphan signature dictionary: no field points at it.
    .obj(
        21,
        "<< /Filter /Adobe.PPKLite /ByteRange [0 1 2 3] /Contents <00> >>",
    )
    .obj(
        22,
        "<< /Type /DocTimeStamp /ByteRange [0 1 2 3] /Contents <00> >>",
    )
    .table("");
    let bytes = b.bytes();
    let doc = open(&bytes);
    let fields = pdf::fields(&doc, 0).unwrap();
    let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        vec!["officials.mayor", "officials.Nguyễn", "top.leaf", "again"]
    );
    let mayor = &fields[0];
    assert!(mayor.is_signature());
    assert_eq!(mayor.flags, 1);
    assert_eq!(mayor.widgets, vec![ObjRef::new(8, 0)]);
    assert_eq!(mayor.value, Some(Object::Reference(ObjRef::new(20, 0))));
    assert_eq!(mayor.partial_name.as_deref(), Some("mayor"));
    let text = &fields[1];
    assert_eq!(text.field_type.as_ref().unwrap().as_bytes(), b"Tx");
    assert_eq!(text.flags, 0);
    assert_eq!(fields[2].field_type.as_ref().unwrap().as_bytes(), b"Btn");
    assert_eq!(pdf::signature_fields(&doc, 0).unwrap().len(), 1);
    let sigs: Vec<ObjRef> = pdf::signature_dictionaries(&doc, 0)
        .unwrap()
        .into_iter()
        .map(|(r, _)| r)
        .collect();
    assert_eq!(
        sigs,
        vec![ObjRef::new(20, 0), ObjRef::new(21, 0), ObjRef::new(22, 0)]
    );
}

#[test]
fn field_tree_budget() {
    let mut b = Builder::new();
    let kids: Vec<String> = (100..400).map(|n| format!("{n} 0 R")).collect();
    b.obj(
        1,
        &format!(
            "<< /Type /Catalog /AcroForm << /Fields [{}] >> >>",
            kids.join(" ")
        ),
    );
    for n in 100..400 {
        b.obj(n, &format!("<< /T (f{n}) >>"));
    }
    b.table("");
    let bytes = b.bytes();
    assert_eq!(pdf::fields(&open(&bytes), 0).unwrap().len(), 300);
    let mut budget = Budget::default();
    budget.max_tree_nodes = 100;
    let doc = Document::open_with(bytes.as_slice(), budget).unwrap();
    assert!(matches!(
        pdf::fields(&doc, 0),
        Err(PdfError::BudgetExceeded { .. })
    ));
}

#[test]
fn page_tree_cycles_are_cut() {
    let mut b = Builder::new();
    b.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
        .obj(2, "<< /Type /Pages /Kids [3 0 R 2 0 R 4 0 R] >>")
        .obj(3, "<< /Type /Page >>")
        .obj(4, "<< /Type /Pages /Kids [2 0 R 5 0 R] >>")
        .obj(5, "<< /Type /Page >>")
        .table("");
    let bytes = b.bytes();
    let doc = open(&bytes);
    assert_eq!(
        pdf::pages(&doc, 0).unwrap(),
        vec![ObjRef::new(3, 0), ObjRef::new(5, 0)]
    );
}

// ---------------------------------------------------------------------------------------
// Larger files made by lopdf, and the windowed (file) path
// ---------------------------------------------------------------------------------------

fn lopdf_document(pages: usize) -> lopdf::Document {
    use lopdf::{dictionary, Object as L, Stream as LS};
    let mut doc = lopdf::Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let mut kids = Vec::new();
    for i in 0..pages {
        let content = doc.add_object(LS::new(
            dictionary! {},
            format!("BT /F1 12 Tf 72 720 Td (Page {i}) Tj ET").into_bytes(),
        ));
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        });
        kids.push(L::Reference(page));
    }
    doc.objects.insert(
        pages_id,
        L::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => pages as i64,
        }),
    );
    let field = doc.add_object(dictionary! {
        "FT" => "Sig",
        "T" => L::string_literal("Approval"),
        "Type" => "Annot",
        "Subtype" => "Widget",
        "Rect" => vec![0.into(), 0.into(), 0.into(), 0.into()],
    });
    let catalog = doc.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => pages_id,
        "AcroForm" => dictionary! { "Fields" => vec![L::Reference(field)] },
    });
    doc.trailer.set("Root", catalog);
    doc
}

#[test]
fn lopdf_files_classic_and_with_object_streams() {
    let mut classic = Vec::new();
    let mut d = lopdf_document(300);
    d.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceTable;
    d.save_to(&mut classic).unwrap();
    let mut modern = Vec::new();
    let opts = lopdf::SaveOptions::builder()
        .use_object_streams(true)
        .use_xref_streams(true)
        .build();
    lopdf_document(300)
        .save_with_options(&mut modern, opts)
        .unwrap();
    for (bytes, kind) in [(&classic, XrefKind::Table), (&modern, XrefKind::Stream)] {
        let doc = open(bytes);
        assert_eq!(doc.revisions()[0].kind, kind);
        assert_eq!(pdf::pages(&doc, 0).unwrap().len(), 300);
        let f = pdf::signature_fields(&doc, 0).unwrap();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].name, "Approval");
        // Every object reads; every stream decodes.
        let mut n = 0;
        for r in doc.object_numbers(0).collect::<Vec<_>>() {
            let o = doc.get(0, r).unwrap().unwrap();
            if let Object::Stream(s) = &o {
                doc.stream_data(s).unwrap();
            }
            n += 1;
        }
        assert!(n >= 602, "{n}");
    }
}

#[test]
fn file_source_reads_windows_and_agrees_with_memory() {
    // A large signature dictionary forces the window to grow.
    let mut b = Builder::new();
    base_objects(&mut b);
    let big = "ab".repeat(40_000);
    b.obj(
        6,
        &format!("<< /Type /Sig /ByteRange [0 1 2 3] /Contents <{big}> >>"),
    )
    .table("");
    let xb = xref_stream_file(true);
    for bytes in [b.bytes(), xb.bytes()] {
        let mut tmp = tempfile::NamedTempFile::new().unwrap();
        tmp.write_all(&bytes).unwrap();
        tmp.flush().unwrap();
        let file_doc = Document::open(FileSource::open_streaming(tmp.path()).unwrap()).unwrap();
        let mem_doc = open(&bytes);
        assert_eq!(file_doc.revisions(), mem_doc.revisions());
        for r in mem_doc.object_numbers(0).collect::<Vec<_>>() {
            assert_eq!(
                file_doc.get_indirect(0, r).unwrap(),
                mem_doc.get_indirect(0, r).unwrap()
            );
        }
        assert_eq!(
            pdf::signature_dictionaries(&file_doc, 0).unwrap(),
            pdf::signature_dictionaries(&mem_doc, 0).unwrap()
        );
    }
}

#[test]
fn stream_data_is_not_read_when_parsing() {
    /// Counts bytes read.
    struct Counting {
        data: Vec<u8>,
        read: std::sync::atomic::AtomicU64,
    }
    impl Source for Counting {
        fn len(&self) -> u64 {
            self.data.len() as u64
        }
        fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = Source::read_at(self.data.as_slice(), offset, buf)?;
            self.read
                .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
            Ok(n)
        }
    }
    let mut b = Builder::new();
    base_objects(&mut b);
    let image = vec![0x55u8; 5_000_000];
    b.stream(6, "/Subtype /Image", &image).table("");
    let src = Counting {
        data: b.bytes(),
        read: Default::default(),
    };
    let doc = Document::open(src).unwrap();
    let o = doc.get(0, ObjRef::new(6, 0)).unwrap().unwrap();
    let s = o.as_stream().unwrap();
    assert!(matches!(s.data, StreamData::File(span) if span.len() == 5_000_000));
    let read = doc.source().read.load(std::sync::atomic::Ordering::Relaxed);
    assert!(read < 160 * 1024, "read {read} bytes to open and parse");
}

// ---------------------------------------------------------------------------------------
// Robustness: truncation and corruption never panic
// ---------------------------------------------------------------------------------------

fn sample_files() -> Vec<Vec<u8>> {
    let mut files = Vec::new();
    let mut b = Builder::new();
    base_objects(&mut b);
    b.obj(6, "(six)").table("");
    b.obj(
        5,
        "<< /FT /Sig /T (Signature1) /V 7 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R >>",
    )
    .obj(
        7,
        "<< /Type /Sig /ByteRange [0 1 2 3] /Contents <00> /M (D:20240101) >>",
    )
    .stream(8, "/Filter /FlateDecode", &zlib(b"q 1 0 0 1 0 0 cm Q"))
    .table("");
    files.push(b.bytes());
    files.push(xref_stream_file(true).bytes());
    let mut h = Builder::new();
    h.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
        .obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
        .obj(3, "<< /Type /Page /Parent 2 0 R >>")
        .objstm(9, &[(5, "(in stream)"), (6, "[1 2 3 0 R]")])
        .hybrid(10, "");
    files.push(h.bytes());
    files
}

#[test]
fn truncation_at_every_byte_never_panics() {
    for bytes in sample_files() {
        let full = exercise(&bytes);
        assert!(full > 0);
        for cut in 0..bytes.len() {
            exercise(&bytes[..cut]);
        }
    }
}

#[test]
fn corrupted_bytes_never_panic() {
    let mut seed = 0x9E37_79B9u32;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed
    };
    for bytes in sample_files() {
        for _ in 0..1500 {
            let mut v = bytes.clone();
            for _ in 0..(1 + next() % 4) {
                let i = next() as usize % v.len();
                v[i] = match next() % 6 {
                    0 => b'0' + (next() % 10) as u8,
                    1 => b' ',
                    2 => b'(',
                    3 => b'<',
                    4 => b'[',
                    _ => next() as u8,
                };
            }
            exercise(&v);
        }
    }
}

/// Writes the sample files as the fuzz seed corpus (`fuzz/seeds/pdf_reader/`). Run with
/// `cargo test --test pdf_reader write_fuzz_seeds -- --ignored` after changing the builders.
#[test]
#[ignore = "writes into the source tree"]
fn write_fuzz_seeds() {
    let dir = std::path::Path::new("fuzz/seeds/pdf_reader");
    std::fs::create_dir_all(dir).unwrap();
    let mut files = sample_files();
    files.push(xref_stream_file(false).bytes());
    let mut modern = Vec::new();
    let opts = lopdf::SaveOptions::builder()
        .use_object_streams(true)
        .use_xref_streams(true)
        .build();
    lopdf_document(3)
        .save_with_options(&mut modern, opts)
        .unwrap();
    files.push(modern);
    for (i, f) in files.iter().enumerate() {
        std::fs::write(dir.join(format!("seed-{i}.pdf")), f).unwrap();
    }
}

#[test]
fn deep_field_trees_are_bounded() {
    let mut b = Builder::new();
    b.obj(1, "<< /Type /Catalog /AcroForm << /Fields [100 0 R] >> >>");
    for n in 100..400 {
        b.obj(n, &format!("<< /T (level{n}) /Kids [{} 0 R] >>", n + 1));
    }
    b.obj(400, "<< /T (leaf) /FT /Sig >>").table("");
    let bytes = b.bytes();
    let e = pdf::fields(&open(&bytes), 0).unwrap_err();
    assert!(matches!(e, PdfError::BudgetExceeded { .. }), "{e}");
    let mut budget = Budget::default();
    budget.max_depth = 1000;
    let doc = Document::open_with(bytes.as_slice(), budget).unwrap();
    let f = pdf::fields(&doc, 0).unwrap();
    assert_eq!(f.len(), 1);
    assert!(f[0].name.starts_with("level100.level101."));
    assert!(f[0].name.ends_with(".level399.leaf"));
}

#[test]
fn an_object_stream_whose_length_lives_in_itself_is_an_error_not_a_stack_overflow() {
    // Object stream 20's /Length is object 21, which the xref places inside stream 20.
    let mut b = Builder::new();
    base_objects(&mut b);
    let data = zlib(b"21 0 5\n");
    let at = b.pos();
    b.note(20, Entry::File(at));
    b.buf.extend_from_slice(
        b"20 0 obj\n<< /Type /ObjStm /N 1 /First 5 /Filter /FlateDecode /Length 21 0 R >>\nstream\n",
    );
    b.buf.extend_from_slice(&data);
    b.buf.extend_from_slice(b"\nendstream\nendobj\n");
    b.note(21, Entry::InStream(20, 0));
    // Object 22 lives in stream 23 whose /Filter is object 24, inside stream 23.
    let at = b.pos();
    b.note(23, Entry::File(at));
    let data = zlib(b"22 0 24 5 (x) /FlateDecode");
    b.buf.extend_from_slice(
        format!(
            "23 0 obj\n<< /Type /ObjStm /N 2 /First 10 /Filter 24 0 R /Length {} >>\nstream\n",
            data.len()
        )
        .as_bytes(),
    );
    b.buf.extend_from_slice(&data);
    b.buf.extend_from_slice(b"\nendstream\nendobj\n");
    b.note(22, Entry::InStream(23, 0));
    b.note(24, Entry::InStream(23, 1));
    b.xref_stream(30, "", false);
    let bytes = b.bytes();
    let doc = open(&bytes);
    assert!(doc.get(0, ObjRef::new(21, 0)).is_err());
    assert!(doc.get(0, ObjRef::new(22, 0)).is_err());
    exercise(&bytes);
}

#[test]
fn an_object_stream_decodes_per_revision_when_its_length_is_indirect() {
    // Revision 0: object stream 20 with /Length 21 0 R holds object 5 = (first).
    // Revision 1 changes object 21 so that the same stream bytes read differently:
    // the (tampered) length now cuts the data, and decoding must follow revision 1's view.
    let mut b = Builder::new();
    b.obj(1, "<< /Type /Catalog >>");
    let data = b"5 0 (first)".to_vec();
    let at = b.pos();
    b.note(20, Entry::File(at));
    b.buf
        .extend_from_slice(b"20 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Length 21 0 R >>\nstream\n");
    b.buf.extend_from_slice(&data);
    b.buf.extend_from_slice(b"\nendstream\nendobj\n");
    b.note(5, Entry::InStream(20, 0));
    b.obj(21, &data.len().to_string());
    b.xref_stream(30, "", false);
    b.obj(21, "3").xref_stream(31, "", false);
    let bytes = b.bytes();
    let doc = open(&bytes);
    let five = ObjRef::new(5, 0);
    assert_eq!(
        doc.get(0, five)
            .unwrap()
            .unwrap()
            .as_string()
            .unwrap()
            .bytes,
        b"first"
    );
    // In revision 1 the /Length (3) no longer reaches endstream: an error, not the cached
    // object from revision 0.
    assert!(doc.get(1, five).is_err());
    assert!(doc.get(0, five).is_ok());
}

#[test]
fn a_large_xref_table_reads_in_one_pass_from_a_file() {
    let mut b = Builder::new();
    b.obj(1, "<< /Type /Catalog >>");
    let n = 300_000u32;
    for i in 2..n {
        b.note(i, Entry::Free);
    }
    b.table("");
    let bytes = b.bytes();
    let mut tmp = tempfile::NamedTempFile::new().unwrap();
    tmp.write_all(&bytes).unwrap();
    tmp.flush().unwrap();
    let start = std::time::Instant::now();
    let doc = Document::open(FileSource::open_streaming(tmp.path()).unwrap()).unwrap();
    let took = start.elapsed();
    assert_eq!(doc.revisions()[0].entries.len(), n as usize);
    assert_eq!(doc.object_numbers(0).count(), 1);
    assert!(took.as_secs() < 20, "{took:?}");
}

/// qpdf (when installed) rewrites a classic file with object streams and an xref stream
/// using PNG predictors: an independent writer for those paths.
#[test]
fn qpdf_object_stream_output_reads_the_same() {
    let Ok(out) = std::process::Command::new("qpdf").arg("--version").output() else {
        eprintln!("qpdf not installed; skipping");
        return;
    };
    assert!(out.status.success());
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.pdf");
    let output = dir.path().join("out.pdf");
    let mut classic = Vec::new();
    let mut d = lopdf_document(50);
    d.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceTable;
    d.save_to(&mut classic).unwrap();
    std::fs::write(&input, &classic).unwrap();
    let status = std::process::Command::new("qpdf")
        .arg("--object-streams=generate")
        .arg(&input)
        .arg(&output)
        .status()
        .unwrap();
    assert!(status.success());
    let doc = Document::open(FileSource::open(&output).unwrap()).unwrap();
    assert_eq!(doc.revisions()[0].kind, XrefKind::Stream);
    let in_streams = doc.revisions()[0]
        .entries
        .iter()
        .filter(|(_, e)| matches!(e, XrefEntry::InStream { .. }))
        .count();
    assert!(in_streams > 50, "{in_streams}");
    assert_eq!(pdf::pages(&doc, 0).unwrap().len(), 50);
    assert_eq!(pdf::signature_fields(&doc, 0).unwrap()[0].name, "Approval");
    for r in doc.object_numbers(0).collect::<Vec<_>>() {
        let o = doc.get(0, r).unwrap().unwrap();
        if let Object::Stream(s) = &o {
            doc.stream_data(s).unwrap();
        }
    }
}

#[test]
fn an_xref_stream_that_inflates_past_its_table_is_refused() {
    let b = xref_stream_file(false);
    let good = b.bytes();
    let doc = open(&good);
    let rev = doc.revisions()[0].clone();
    let x = doc.get(0, rev.xref_stream.unwrap()).unwrap().unwrap();
    let mut rows = doc.stream_data(x.as_stream().unwrap()).unwrap();
    // Same rows followed by 20 MB of zeros: the table needs only the rows.
    rows.extend(std::iter::repeat_n(0u8, 20 * 1024 * 1024));
    let z = zlib(&rows);
    let mut b2 = Builder::new();
    b2.buf = good[..rev.xref_offset as usize].to_vec();
    let dict = format!(
        "{} 0 obj\n<< /Type /XRef /Size {} /W [1 4 2] /Index [{}] /Filter /FlateDecode /Root 1 0 R /Length {} >>\nstream\n",
        rev.xref_stream.unwrap().num,
        rev.trailer.get_int(b"Size").unwrap(),
        rev.trailer
            .get(b"Index")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o.as_int().unwrap().to_string())
            .collect::<Vec<_>>()
            .join(" "),
        z.len()
    );
    b2.buf.extend_from_slice(dict.as_bytes());
    b2.buf.extend_from_slice(&z);
    b2.buf.extend_from_slice(
        format!(
            "\nendstream\nendobj\nstartxref\n{}\n%%EOF\n",
            rev.xref_offset
        )
        .as_bytes(),
    );
    let e = Document::open(b2.bytes()).unwrap_err();
    assert!(matches!(e, PdfError::BudgetExceeded { .. }), "{e}");
}

#[test]
fn object_stream_decoding_has_a_document_wide_budget() {
    let mut b = Builder::new();
    b.obj(1, "<< /Type /Catalog >>");
    let filler = format!("({})", "x".repeat(100_000));
    b.objstm(20, &[(5, &filler)])
        .objstm(21, &[(6, &filler)])
        .xref_stream(30, "", false);
    let bytes = b.bytes();
    let mut budget = Budget::default();
    budget.max_total_decoded_bytes = 150_000;
    let doc = Document::open_with(bytes.as_slice(), budget).unwrap();
    assert!(doc.get(0, ObjRef::new(5, 0)).unwrap().is_some());
    let e = doc.get(0, ObjRef::new(6, 0)).unwrap_err();
    assert!(matches!(e, PdfError::BudgetExceeded { .. }), "{e}");
    // With the default budget both read.
    let doc = open(&bytes);
    assert!(doc.get(0, ObjRef::new(6, 0)).unwrap().is_some());
}
