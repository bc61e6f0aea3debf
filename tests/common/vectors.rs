//! The test-vector generator: input PDFs of every cross-reference flavour, signed files made
//! by kyso, and files broken in one precise way each. `tests/vectors.rs` generates them all
//! and checks each against `test-vectors/manifest.tsv`; setting `KYSO_VECTORS_DIR` keeps a
//! copy for inspection (`KYSO_VECTORS_DIR=/tmp/v cargo test --test vectors`).
//!
//! Every vector is made from a recipe name; the manifest lists the expected verdict of each
//! signature. Certificates and P-256/Ed25519 keys are fresh on every run, so the bytes differ
//! between runs; the verdicts must not.

use std::collections::BTreeMap;
use std::io::Write as _;

use kyso::sign::{sign_bytes, SignOptions, SubFilter};
use kyso::signer::Signer;
use time::OffsetDateTime;

use super::pki::{TestPki, TestSigner};
use super::{find, rfind};
use super::{sample_pdf, SampleXref};

/// Which unsigned input a recipe starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// Classic cross-reference table (lopdf).
    Table,
    /// Cross-reference stream with object streams (lopdf).
    Stream,
    /// Hybrid-reference file: a table whose trailer names an xref stream (hand-made).
    Hybrid,
    /// Classic table with an empty signature field named `Approval`.
    EmptyField,
}

/// The unsigned base documents.
pub fn base(kind: Base) -> Vec<u8> {
    match kind {
        Base::Table => sample_pdf(SampleXref::Table),
        Base::Stream => sample_pdf(SampleXref::StreamWithObjectStreams),
        Base::Hybrid => hybrid_pdf(),
        Base::EmptyField => empty_field_pdf(),
    }
}

/// Signs `input` with `signer` (PAdES unless `pkcs7`), at `now`.
pub fn sign(input: &[u8], signer: &TestSigner, pkcs7: bool, now: OffsetDateTime) -> Vec<u8> {
    sign_with(input, &signer.signer(), pkcs7, None, now)
}

/// Signs `input` with any signer, optionally into the named field.
pub fn sign_with(
    input: &[u8],
    signer: &dyn Signer,
    pkcs7: bool,
    field: Option<&str>,
    now: OffsetDateTime,
) -> Vec<u8> {
    let mut opts = SignOptions::new()
        .reason("Kiểm thử (test vector)")
        .location("Hà Nội")
        .signing_time(now)
        .sub_filter(if pkcs7 {
            SubFilter::Pkcs7Detached
        } else {
            SubFilter::Pades
        });
    if let Some(f) = field {
        opts = opts.field_name(f);
    }
    sign_bytes(input, signer, &opts).unwrap_or_else(|e| panic!("signing failed: {e}"))
}

/// Signs `input` with a signer whose certificate kyso refuses by default (expired, a key
/// usage that forbids signing), with the explicit override: a file that must not verify.
pub fn sign_unfit(input: &[u8], signer: &TestSigner, now: OffsetDateTime) -> Vec<u8> {
    let opts = SignOptions::new()
        .reason("Kiểm thử (test vector)")
        .location("Hà Nội")
        .signing_time(now)
        .allow_invalid_certificate(true);
    sign_bytes(input, &signer.signer(), &opts).unwrap_or_else(|e| panic!("signing failed: {e}"))
}

/// Every vector, by name. Recipes that break a file do it in one precise way each.
pub fn generate(pki: &TestPki, now: OffsetDateTime) -> BTreeMap<&'static str, Vec<u8>> {
    let table = base(Base::Table);
    let stream = base(Base::Stream);
    let hybrid = base(Base::Hybrid);
    let mut v: BTreeMap<&'static str, Vec<u8>> = BTreeMap::new();

    v.insert("unsigned-table", table.clone());
    v.insert("unsigned-stream", stream.clone());
    v.insert("unsigned-hybrid", hybrid.clone());

    // Good signatures: every algorithm, both formats, every xref flavour.
    let good = sign(&table, &pki.rsa2048, false, now);
    v.insert("pades-rsa2048-table", good.clone());
    v.insert(
        "pades-rsa3072-pss-stream",
        sign(&stream, &pki.rsa3072_pss, false, now),
    );
    v.insert(
        "pades-rsa2048-sha512-hybrid",
        sign(&hybrid, &pki.rsa2048_sha512, false, now),
    );
    v.insert("pades-p256-stream", sign(&stream, &pki.p256, false, now));
    v.insert("pades-p384-hybrid", sign(&hybrid, &pki.p384, false, now));
    v.insert(
        "pades-ed25519-table",
        sign(&table, &pki.ed25519, false, now),
    );
    v.insert("pkcs7-rsa2048-table", sign(&table, &pki.rsa2048, true, now));
    v.insert("pkcs7-p256-stream", sign(&stream, &pki.p256, true, now));
    v.insert(
        "existing-empty-field",
        sign_with(
            &base(Base::EmptyField),
            &pki.p256.signer(),
            false,
            Some("Approval"),
            now,
        ),
    );

    // Sequential signatures.
    let once = sign(&table, &pki.rsa2048, false, now);
    v.insert("two-signatures-table", sign(&once, &pki.p256, false, now));
    let once = sign(&stream, &pki.p384, true, now);
    v.insert(
        "two-signatures-stream-mixed-formats",
        sign(&once, &pki.rsa3072_pss, false, now),
    );
    let once = sign(&hybrid, &pki.ed25519, false, now);
    let twice = sign(&once, &pki.rsa2048, false, now);
    v.insert(
        "three-signatures-hybrid",
        sign(&twice, &pki.p256, true, now),
    );

    // Certificates that do not validate.
    v.insert("untrusted-signer", sign(&table, &pki.untrusted, false, now));
    // (kyso refuses to make these without its explicit override.)
    v.insert("expired-signer", sign_unfit(&table, &pki.expired, now));
    v.insert(
        "signer-key-usage-encipherment-only",
        sign_unfit(&table, &pki.wrong_key_usage, now),
    );

    // Broken after signing, one way each.
    v.insert("tampered-signed-content", tamper_content(&good));
    v.insert("tampered-signature-value", tamper_signature(&good));
    v.insert("byte-range-gap-shifted", shift_gap(&good));
    v.insert("byte-range-tail-uncovered", shorten_last_range(&good));
    v.insert("contents-garbage", garbage_contents(&good));
    v.insert("contents-truncated-cms", truncate_cms(&good));
    v.insert("truncated-file", good[..table.len() / 2].to_vec());
    v.insert(
        "truncated-in-signed-update",
        good[..(table.len() + good.len()) / 2].to_vec(),
    );
    v.insert("not-a-pdf", b"<html>not a PDF</html>".to_vec());
    v.insert("appended-page-content-change", append_content_change(&good));
    v.insert("appended-info-update", append_info_update(&good));
    v.insert(
        "orphan-signature-dictionary",
        append_orphan_signature(&good),
    );
    v
}

/// The last signature's `/ByteRange` numbers and where its text is.
fn last_byte_range(pdf: &[u8]) -> (usize, usize, [u64; 4]) {
    let at = rfind(pdf, b"/ByteRange [") + b"/ByteRange [".len();
    let end = at + find(&pdf[at..], b"]");
    let text = std::str::from_utf8(&pdf[at..end]).unwrap();
    let nums: Vec<u64> = text
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    (at, end, [nums[0], nums[1], nums[2], nums[3]])
}

/// Writes new `/ByteRange` numbers in place, padded to the old width.
fn rewrite_byte_range(pdf: &[u8], br: [u64; 4]) -> Vec<u8> {
    let (at, end, _) = last_byte_range(pdf);
    let width = end - at;
    let mut text = format!("{} {} {} {}", br[0], br[1], br[2], br[3]);
    assert!(text.len() <= width);
    while text.len() < width {
        text.push(' ');
    }
    let mut out = pdf.to_vec();
    out[at..end].copy_from_slice(text.as_bytes());
    out
}

/// Changes one letter of the page text, inside the signed bytes.
fn tamper_content(pdf: &[u8]) -> Vec<u8> {
    let mut out = pdf.to_vec();
    let i = find(pdf, b"Base revision");
    out[i] = b'b';
    out
}

/// Flips the last byte of the CMS (the end of the signature value).
fn tamper_signature(pdf: &[u8]) -> Vec<u8> {
    let (_, _, br) = last_byte_range(pdf);
    let hex_start = br[1] as usize + 1;
    let hex = &pdf[hex_start..br[2] as usize - 1];
    let bytes: Vec<u8> = hex
        .chunks(2)
        .map(|c| u8::from_str_radix(std::str::from_utf8(c).unwrap(), 16).unwrap())
        .collect();
    let parsed = kyso::cms::parse_signed_data(&bytes).unwrap();
    let last = parsed.raw.len() - 1;
    let mut out = pdf.to_vec();
    let pos = hex_start + 2 * last + 1;
    out[pos] = if out[pos] == b'0' { b'1' } else { b'0' };
    out
}

/// Moves the gap one byte right: the `<` of `/Contents` is then signed and one byte of the
/// hex string is not.
fn shift_gap(pdf: &[u8]) -> Vec<u8> {
    let (_, _, br) = last_byte_range(pdf);
    rewrite_byte_range(pdf, [br[0], br[1] + 1, br[2] + 1, br[3] - 1])
}

/// The second range stops ten bytes before the end of the file.
fn shorten_last_range(pdf: &[u8]) -> Vec<u8> {
    let (_, _, br) = last_byte_range(pdf);
    rewrite_byte_range(pdf, [br[0], br[1], br[2], br[3] - 10])
}

fn fill_contents(pdf: &[u8], hex: &[u8]) -> Vec<u8> {
    let (_, _, br) = last_byte_range(pdf);
    let start = br[1] as usize + 1;
    let len = br[2] as usize - 1 - start;
    let mut body = hex.to_vec();
    body.resize(len, b'0');
    let mut out = pdf.to_vec();
    out[start..start + len].copy_from_slice(&body);
    out
}

/// `/Contents` holds bytes that are not CMS.
fn garbage_contents(pdf: &[u8]) -> Vec<u8> {
    let hex: Vec<u8> = (0..512u32)
        .flat_map(|i| format!("{:02x}", (i * 7919 % 251) as u8).into_bytes())
        .collect();
    fill_contents(pdf, &hex)
}

/// Only the first half of the CMS fits: what a too-small placeholder would leave.
fn truncate_cms(pdf: &[u8]) -> Vec<u8> {
    let (_, _, br) = last_byte_range(pdf);
    let start = br[1] as usize + 1;
    let hex = &pdf[start..br[2] as usize - 1];
    let used = hex.len() - hex.iter().rev().take_while(|&&b| b == b'0').count();
    fill_contents(pdf, &hex[..used / 2 / 2 * 2])
}

/// Appends an incremental update with raw objects and a classic table section.
fn append_update(pdf: &[u8], objects: &[(u32, String)], trailer_extra: &str) -> Vec<u8> {
    let doc = kyso::pdf::Document::open(pdf).unwrap();
    let last = doc.revisions().last().unwrap();
    let trailer = doc.trailer(doc.last_revision()).unwrap();
    let size = trailer.get_int(b"Size").unwrap() as u32;
    let root = trailer.get(b"Root").unwrap().as_ref().unwrap();
    let mut out = pdf.to_vec();
    let mut offsets = Vec::new();
    let mut max = size - 1;
    for (num, body) in objects {
        offsets.push((*num, out.len()));
        write!(out, "{num} 0 obj\n{body}\nendobj\n").unwrap();
        max = max.max(*num);
    }
    let xref = out.len();
    out.extend_from_slice(b"xref\n");
    offsets.sort();
    for (num, off) in &offsets {
        write!(out, "{num} 1\n{off:010} 00000 n\r\n").unwrap();
    }
    write!(
        out,
        "trailer\n<< /Size {} /Root {} {} R /Prev {} {trailer_extra} >>\nstartxref\n{xref}\n%%EOF\n",
        max + 1,
        root.num,
        root.gen,
        last.xref_offset
    )
    .unwrap();
    out
}

/// The page's content stream is replaced after signing.
fn append_content_change(pdf: &[u8]) -> Vec<u8> {
    let doc = kyso::pdf::Document::open(pdf).unwrap();
    let rev = doc.last_revision();
    let page = kyso::pdf::pages(&doc, rev).unwrap()[0];
    let page_dict = doc.get(rev, page).unwrap().unwrap();
    let content = page_dict
        .as_dict()
        .unwrap()
        .get(b"Contents")
        .unwrap()
        .as_ref()
        .unwrap();
    let text = "BT /F1 24 Tf 72 700 Td (Altered after signing) Tj ET";
    append_update(
        pdf,
        &[(
            content.num,
            format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
        )],
        "",
    )
}

/// The /Info dictionary is rewritten after signing (what many editors do on save).
fn append_info_update(pdf: &[u8]) -> Vec<u8> {
    let doc = kyso::pdf::Document::open(pdf).unwrap();
    let info = doc
        .trailer(doc.last_revision())
        .unwrap()
        .get(b"Info")
        .unwrap()
        .as_ref()
        .unwrap();
    append_update(
        pdf,
        &[(
            info.num,
            "<< /Title (kyso sample) /Producer (an editor) /ModDate (D:20261126120000Z) >>"
                .to_string(),
        )],
        &format!("/Info {} {} R", info.num, info.gen),
    )
}

/// A new signature dictionary that no field points to, copying the last one's entries.
fn append_orphan_signature(pdf: &[u8]) -> Vec<u8> {
    let doc = kyso::pdf::Document::open(pdf).unwrap();
    let size = doc
        .trailer(doc.last_revision())
        .unwrap()
        .get_int(b"Size")
        .unwrap() as u32;
    let (_, _, br) = last_byte_range(pdf);
    let contents = String::from_utf8(pdf[br[1] as usize..br[2] as usize].to_vec()).unwrap();
    append_update(
        pdf,
        &[(
            size,
            format!(
                "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [{} {} {} {}] /Contents {contents} >>",
                br[0], br[1], br[2], br[3]
            ),
        )],
        "",
    )
}

/// A hybrid-reference file: catalog, pages, page, font and content in a classic table; the
/// `/Info` dictionary in an object stream listed only by the `/XRefStm` stream.
pub fn hybrid_pdf() -> Vec<u8> {
    let mut out: Vec<u8> = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets: BTreeMap<u32, usize> = BTreeMap::new();
    let content = b"BT /F1 24 Tf 72 700 Td (Base revision) Tj ET";
    let objects: Vec<(u32, Vec<u8>)> = vec![
        (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
        (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
        (
            3,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
                .to_vec(),
        ),
        (
            4,
            [
                format!("<< /Length {} >>\nstream\n", content.len()).as_bytes(),
                content,
                b"\nendstream",
            ]
            .concat(),
        ),
        (
            5,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
        ),
    ];
    for (num, body) in &objects {
        offsets.insert(*num, out.len());
        writeln!(out, "{num} 0 obj").unwrap();
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    // Object stream 7 holds object 6 (/Info).
    let info = b"<< /Title (kyso hybrid sample) /Producer (kyso test vectors) >>";
    let header = b"6 0 ";
    let objstm_at = out.len();
    write!(
        out,
        "7 0 obj\n<< /Type /ObjStm /N 1 /First {} /Length {} >>\nstream\n",
        header.len(),
        header.len() + info.len()
    )
    .unwrap();
    out.extend_from_slice(header);
    out.extend_from_slice(info);
    out.extend_from_slice(b"\nendstream\nendobj\n");
    offsets.insert(7, objstm_at);
    // The xref stream (object 8) lists 6 (in stream 7) and 7, 8 (in the file).
    let xrefstm_at = out.len();
    let rows: Vec<u8> = [
        [2u8, 0, 0, 0, 7, 0, 0],
        {
            let o = (objstm_at as u32).to_be_bytes();
            [1, o[0], o[1], o[2], o[3], 0, 0]
        },
        {
            let o = (xrefstm_at as u32).to_be_bytes();
            [1, o[0], o[1], o[2], o[3], 0, 0]
        },
    ]
    .concat();
    write!(
        out,
        "8 0 obj\n<< /Type /XRef /Size 9 /W [1 4 2] /Index [6 3] /Length {} >>\nstream\n",
        rows.len()
    )
    .unwrap();
    out.extend_from_slice(&rows);
    out.extend_from_slice(b"\nendstream\nendobj\n");
    let xref_at = out.len();
    out.extend_from_slice(b"xref\n0 6\n0000000000 65535 f\r\n");
    for num in 1..=5 {
        write!(out, "{:010} 00000 n\r\n", offsets[&num]).unwrap();
    }
    write!(
        out,
        "trailer\n<< /Size 9 /Root 1 0 R /Info 6 0 R /XRefStm {xrefstm_at} /ID [<6b79736f68796272696431> <6b79736f68796272696431>] >>\nstartxref\n{xref_at}\n%%EOF\n"
    )
    .unwrap();
    out
}

/// A classic file with an empty signature field `Approval` (merged with its widget).
pub fn empty_field_pdf() -> Vec<u8> {
    let table = base(Base::Table);
    let doc = kyso::pdf::Document::open(&table[..]).unwrap();
    let rev = doc.last_revision();
    let trailer = doc.trailer(rev).unwrap();
    let root = trailer.get(b"Root").unwrap().as_ref().unwrap();
    let size = trailer.get_int(b"Size").unwrap() as u32;
    let page = kyso::pdf::pages(&doc, rev).unwrap()[0];
    let mut catalog = doc
        .get(rev, root)
        .unwrap()
        .unwrap()
        .as_dict()
        .unwrap()
        .clone();
    let mut page_dict = doc
        .get(rev, page)
        .unwrap()
        .unwrap()
        .as_dict()
        .unwrap()
        .clone();
    let field = kyso::pdf::ObjRef::new(size, 0);
    catalog.set(
        "AcroForm",
        kyso::pdf::Object::Dict({
            let mut f = kyso::pdf::Dict::new();
            f.set("Fields", vec![kyso::pdf::Object::Reference(field)]);
            f
        }),
    );
    page_dict.set("Annots", vec![kyso::pdf::Object::Reference(field)]);
    let ser = |o: &kyso::pdf::Dict| {
        String::from_utf8(
            kyso::pdf::serialize::to_bytes(&kyso::pdf::Object::Dict(o.clone())).unwrap(),
        )
        .unwrap()
    };
    append_update(
        &table,
        &[
            (root.num, ser(&catalog)),
            (page.num, ser(&page_dict)),
            (
                field.num,
                format!(
                    "<< /FT /Sig /T (Approval) /Type /Annot /Subtype /Widget /F 4 /Rect [72 72 272 122] /P {} {} R >>",
                    page.num, page.gen
                ),
            ),
        ],
        "",
    )
}
