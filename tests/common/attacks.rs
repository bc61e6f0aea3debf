//! Crafted attack vectors: one file per attack class and per structural trick, each named
//! after its trick, plus the allowed changes that must stay valid. `tests/attacks.rs`
//! generates them and checks each against `test-vectors/attacks/manifest.tsv`.
//!
//! Every signed file starts from a hand-made dossier page (`form_doc`): a text field with
//! its appearance, a prepared empty signature field, a sticky note, a cover XObject drawn
//! over the text, a content stream whose `/Length` is an indirect object, and `/Info`.
//! Signatures are made by kyso (certification and locks included); what happens after
//! signing is written byte by byte here, so each vector does exactly one thing.

use std::collections::BTreeMap;
use std::io::Write as _;

use kyso::sign::{sign_bytes, DocMdpPermission, FieldLockSpec, SignOptions, SubFilter};
use kyso::signer::Signer;
use time::OffsetDateTime;

use super::pki::{TestPki, TestSigner};
use super::{find, rfind};

/// Object numbers of the dossier.
pub mod obj {
    /// Catalog.
    pub const CATALOG: u32 = 1;
    /// Page tree.
    pub const PAGES: u32 = 2;
    /// The page.
    pub const PAGE: u32 = 3;
    /// Its content stream.
    pub const CONTENT: u32 = 4;
    /// The interactive form.
    pub const ACROFORM: u32 = 5;
    /// Text field `SoHoSo` (merged with its widget).
    pub const TEXT_FIELD: u32 = 6;
    /// Its appearance stream.
    pub const TEXT_AP: u32 = 7;
    /// Empty signature field `PheDuyet`, prepared by the first signer, visible.
    pub const SIG_FIELD: u32 = 8;
    /// Font.
    pub const FONT: u32 = 9;
    /// A white box drawn over part of the text (`/Cover Do`).
    pub const COVER: u32 = 10;
    /// Document information dictionary.
    pub const INFO: u32 = 11;
    /// The content stream's `/Length`.
    pub const LENGTH: u32 = 12;
    /// A sticky note.
    pub const NOTE: u32 = 13;
    /// First number free for updates.
    pub const NEXT: u32 = 14;
}

const CONTENT: &str = "BT /F1 18 Tf 72 720 Td (Ho so so 2026-001: phi 100.000 dong) Tj ET \
                       q 1 0 0 1 300 700 cm /Cover Do Q";

/// A classic single-revision file; `trailer_extra` goes into the trailer.
pub fn hand_pdf(objects: &[(u32, Vec<u8>)], trailer_extra: &str) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets: BTreeMap<u32, usize> = BTreeMap::new();
    for (num, body) in objects {
        offsets.insert(*num, out.len());
        writeln!(out, "{num} 0 obj").unwrap();
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let size = offsets.keys().max().copied().unwrap_or(0) + 1;
    let xref = out.len();
    write!(out, "xref\n0 {size}\n0000000000 65535 f\r\n").unwrap();
    for n in 1..size {
        match offsets.get(&n) {
            Some(off) => write!(out, "{off:010} 00000 n\r\n").unwrap(),
            None => write!(out, "0000000000 00000 f\r\n").unwrap(),
        }
    }
    write!(
        out,
        "trailer\n<< /Size {size} /Root 1 0 R {trailer_extra} >>\nstartxref\n{xref}\n%%EOF\n"
    )
    .unwrap();
    out
}

fn stream(dict_extra: &str, data: &str) -> Vec<u8> {
    format!(
        "<< {dict_extra} /Length {} >>\nstream\n{data}\nendstream",
        data.len()
    )
    .into_bytes()
}

/// The dossier's objects; `extra` objects are added (or replace ones of the same number).
fn dossier_objects(extra: &[(u32, Vec<u8>)]) -> Vec<(u32, Vec<u8>)> {
    let mut objects: BTreeMap<u32, Vec<u8>> = BTreeMap::new();
    let mut put = |n: u32, b: Vec<u8>| {
        objects.insert(n, b);
    };
    put(
        obj::CATALOG,
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm 5 0 R >>".to_vec(),
    );
    put(
        obj::PAGES,
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
    );
    put(
        obj::PAGE,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
          /Resources << /Font << /F1 9 0 R >> /XObject << /Cover 10 0 R >> >> \
          /Annots [6 0 R 8 0 R 13 0 R] >>"
            .to_vec(),
    );
    put(
        obj::CONTENT,
        format!("<< /Length 12 0 R >>\nstream\n{CONTENT}\nendstream").into_bytes(),
    );
    put(obj::LENGTH, CONTENT.len().to_string().into_bytes());
    put(
        obj::ACROFORM,
        b"<< /Fields [6 0 R 8 0 R] /DA (/F1 0 Tf 0 g) /DR << /Font << /F1 9 0 R >> >> >>".to_vec(),
    );
    put(
        obj::TEXT_FIELD,
        b"<< /FT /Tx /T (SoHoSo) /V (2026-001) /Type /Annot /Subtype /Widget \
          /Rect [72 600 272 620] /P 3 0 R /F 4 /DA (/F1 12 Tf 0 g) /AP << /N 7 0 R >> >>"
            .to_vec(),
    );
    put(
        obj::TEXT_AP,
        stream(
            "/Type /XObject /Subtype /Form /BBox [0 0 200 20] /Resources << /Font << /F1 9 0 R >> >>",
            "/Tx BMC BT /F1 12 Tf 2 5 Td (2026-001) Tj ET EMC",
        ),
    );
    put(
        obj::SIG_FIELD,
        b"<< /FT /Sig /T (PheDuyet) /Type /Annot /Subtype /Widget /Rect [350 100 550 160] \
          /P 3 0 R /F 4 >>"
            .to_vec(),
    );
    put(
        obj::FONT,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
    );
    put(
        obj::COVER,
        stream(
            "/Type /XObject /Subtype /Form /BBox [0 0 100 30]",
            "1 g 0 0 100 30 re f",
        ),
    );
    put(
        obj::INFO,
        b"<< /Title (Ho so mau) /Producer (kyso attack vectors) >>".to_vec(),
    );
    put(
        obj::NOTE,
        b"<< /Type /Annot /Subtype /Text /Rect [500 700 520 720] /Contents (Da kiem tra) \
          /P 3 0 R >>"
            .to_vec(),
    );
    for (n, b) in extra {
        objects.insert(*n, b.clone());
    }
    objects.into_iter().collect()
}

/// The unsigned dossier.
pub fn form_doc() -> Vec<u8> {
    hand_pdf(&dossier_objects(&[]), "/Info 11 0 R")
}

/// Signs with kyso.
pub fn sign(
    pdf: &[u8],
    signer: &dyn Signer,
    now: OffsetDateTime,
    tweak: impl FnOnce(SignOptions) -> SignOptions,
) -> Vec<u8> {
    let opts = tweak(
        SignOptions::new()
            .reason("Kiểm thử tấn công (attack vector)")
            .signing_time(now)
            .sub_filter(SubFilter::Pades),
    );
    sign_bytes(pdf, signer, &opts).unwrap_or_else(|e| panic!("signing failed: {e}"))
}

// ---------------------------------------------------------------------------------------
// Writing updates by hand.

/// What the last revision of `pdf` says: (/Size, xref offset).
fn last_section(pdf: &[u8]) -> (u32, u64) {
    let doc = kyso::pdf::Document::open(pdf).unwrap();
    let rev = doc.last_revision();
    let size = doc.trailer(rev).unwrap().get_int(b"Size").unwrap() as u32;
    (size, doc.revisions()[rev].xref_offset)
}

/// Writes `objects` at the end of `out`; returns their offsets.
fn write_objects(out: &mut Vec<u8>, objects: &[(u32, String)]) -> Vec<(u32, usize)> {
    let mut offsets = Vec::new();
    for (num, body) in objects {
        offsets.push((*num, out.len()));
        write!(out, "{num} 0 obj\n{body}\nendobj\n").unwrap();
    }
    offsets
}

/// A table section listing `entries` (one subsection each, in the given order) and its
/// trailer; `startxref_shift` moves the final `startxref` value.
fn write_section(
    out: &mut Vec<u8>,
    entries: &[(u32, usize)],
    size: u32,
    prev: u64,
    trailer_extra: &str,
    startxref_shift: i64,
) {
    let xref = out.len();
    out.extend_from_slice(b"xref\n0 1\n0000000000 65535 f\r\n");
    for (num, off) in entries {
        write!(out, "{num} 1\n{off:010} 00000 n\r\n").unwrap();
    }
    let pointer = (xref as i64 + startxref_shift) as u64;
    write!(
        out,
        "trailer\n<< /Size {size} /Root 1 0 R /Prev {prev} {trailer_extra} >>\nstartxref\n{pointer}\n%%EOF\n"
    )
    .unwrap();
}

/// An honest incremental update with these objects.
pub fn append(pdf: &[u8], objects: &[(u32, String)], trailer_extra: &str) -> Vec<u8> {
    let (size, prev) = last_section(pdf);
    let mut out = pdf.to_vec();
    let entries = write_objects(&mut out, objects);
    let size = entries
        .iter()
        .map(|(n, _)| n + 1)
        .max()
        .unwrap_or(size)
        .max(size);
    write_section(&mut out, &entries, size, prev, trailer_extra, 0);
    out
}

fn s(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The dossier's object `n` as written originally.
fn original(n: u32) -> String {
    let objects = dossier_objects(&[]);
    s(&objects.iter().find(|(m, _)| *m == n).unwrap().1)
}

fn page_with_annots(annots: &str) -> String {
    original(obj::PAGE).replace(
        "/Annots [6 0 R 8 0 R 13 0 R]",
        &format!("/Annots [{annots}]"),
    )
}

fn text_field(value: &str, ap: u32, extra: &str) -> String {
    format!(
        "<< /FT /Tx /T (SoHoSo) /V ({value}) /Type /Annot /Subtype /Widget \
         /Rect [72 600 272 620] /P 3 0 R /F 4 /DA (/F1 12 Tf 0 g) /AP << /N {ap} 0 R >> {extra} >>"
    )
}

fn text_appearance(value: &str) -> String {
    s(&stream(
        "/Type /XObject /Subtype /Form /BBox [0 0 200 20] /Resources << /Font << /F1 9 0 R >> >>",
        &format!("/Tx BMC BT /F1 12 Tf 2 5 Td ({value}) Tj ET EMC"),
    ))
}

/// Fills the text field: new value and a new appearance stream.
fn fill_text_field(pdf: &[u8], value: &str) -> Vec<u8> {
    let (size, _) = last_section(pdf);
    append(
        pdf,
        &[
            (obj::TEXT_FIELD, text_field(value, size, "")),
            (size, text_appearance(value)),
        ],
        "",
    )
}

// ---------------------------------------------------------------------------------------
// Signatures with a hand-made layout.

/// Signs a single-revision file whose signature dictionary holds a zero-filled `/Contents`
/// placeholder at `hex` (inclusive of `<` and `>`), over `ranges`.
fn sign_layout(
    mut pdf: Vec<u8>,
    hex: (usize, usize),
    ranges: [(usize, usize); 2],
    signer: &TestSigner,
) -> Vec<u8> {
    let s = signer.signer();
    let mut h = kyso::crypto::Hasher::new(s.algorithm().digest());
    for (start, len) in ranges {
        h.update(&pdf[start..start + len]);
    }
    let digest = h.finish();
    let attrs = kyso::cms::build_signed_attributes(&kyso::cms::SignedAttributesSpec::new(
        &digest,
        s.certificate(),
    ))
    .unwrap();
    let value = s.sign(&attrs).unwrap();
    let cms = kyso::cms::build_signed_data(&kyso::cms::SignedDataSpec::new(
        s.algorithm(),
        &attrs,
        &value,
        s.certificate(),
        s.chain(),
    ))
    .unwrap();
    let text: String = cms.iter().map(|b| format!("{b:02x}")).collect();
    assert!(text.len() <= hex.1 - hex.0 - 2, "placeholder too small");
    pdf[hex.0 + 1..hex.0 + 1 + text.len()].copy_from_slice(text.as_bytes());
    pdf
}

const PLACEHOLDER_HEX: usize = 16384;

/// The dossier with field `PheDuyet` signed in its only revision, the signature dictionary
/// written with `/Contents` first and `/ByteRange` after it (as some signers do), and the
/// gap starting `gap_lead` bytes before the `<` of `/Contents`.
fn dossier_signed_by_hand(
    signer: &TestSigner,
    gap_lead: usize,
    extra: &str,
) -> (Vec<u8>, [usize; 4]) {
    dossier_signed_by_hand_with(signer, gap_lead, extra, None, |pdf| pdf)
}

/// [`dossier_signed_by_hand`] with another catalog, and `tweak` applied to the unsigned
/// file (it must not change the placeholder's place) before the byte ranges are set.
fn dossier_signed_by_hand_with(
    signer: &TestSigner,
    gap_lead: usize,
    extra: &str,
    catalog: Option<String>,
    tweak: impl FnOnce(Vec<u8>) -> Vec<u8>,
) -> (Vec<u8>, [usize; 4]) {
    let sig_num = obj::NEXT;
    let zeros = "0".repeat(PLACEHOLDER_HEX);
    let br_placeholder = format!("[{:<43}]", "0 0 0 0");
    let sig = format!(
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached \
         /M (D:20261126000000Z) {extra} /Contents <{zeros}> /ByteRange {br_placeholder} >>"
    );
    let field = original(obj::SIG_FIELD).replace(">>", &format!("/V {sig_num} 0 R >>"));
    let mut objects = vec![
        (obj::SIG_FIELD, field.into_bytes()),
        (sig_num, sig.into_bytes()),
    ];
    if let Some(c) = catalog {
        objects.push((obj::CATALOG, c.into_bytes()));
    }
    let mut pdf = tweak(hand_pdf(&dossier_objects(&objects), "/Info 11 0 R"));
    let lt = find(&pdf, format!("/Contents <{}", &zeros[..8]).as_bytes()) + "/Contents ".len();
    let gt = lt + 1 + PLACEHOLDER_HEX;
    let gap_start = lt - gap_lead;
    let gap_end = gt + 1;
    let br = [0, gap_start, gap_end, pdf.len() - gap_end];
    let at = find(&pdf, br_placeholder.as_bytes());
    let text = format!(
        "[{:<43}]",
        format!("{} {} {} {}", br[0], br[1], br[2], br[3])
    );
    pdf[at..at + text.len()].copy_from_slice(text.as_bytes());
    let signed = sign_layout(pdf, (lt, gt + 1), [(0, br[1]), (br[2], br[3])], signer);
    (signed, br)
}

/// Replaces the last signature's `/ByteRange` array text (kyso's fixed-width form) with
/// `text`, padded with spaces.
fn rewrite_byte_range(pdf: &[u8], text: impl FnOnce([i64; 4]) -> String) -> Vec<u8> {
    let at = rfind(pdf, b"/ByteRange [") + b"/ByteRange ".len();
    let end = at + find(&pdf[at..], b"]") + 1;
    let nums: Vec<i64> = s(&pdf[at + 1..end - 1])
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    let mut t = text([nums[0], nums[1], nums[2], nums[3]]);
    assert!(t.len() <= end - at, "{t} does not fit");
    while t.len() < end - at {
        t.insert(t.len() - 1, ' ');
    }
    let mut out = pdf.to_vec();
    out[at..end].copy_from_slice(t.as_bytes());
    out
}

// ---------------------------------------------------------------------------------------
// The vectors.

/// Every attack vector, by name.
pub fn generate(pki: &TestPki, now: OffsetDateTime) -> BTreeMap<&'static str, Vec<u8>> {
    let mut v: BTreeMap<&'static str, Vec<u8>> = BTreeMap::new();
    let doc = form_doc();
    let a = pki.rsa2048.signer();
    let b = pki.p256.signer();
    let approved = sign(&doc, &a, now, |o| o);
    let certified = |p: DocMdpPermission| sign(&doc, &a, now, |o| o.certify(p));
    let p1 = certified(DocMdpPermission::NoChanges);
    let p2 = certified(DocMdpPermission::FormFilling);
    let p3 = certified(DocMdpPermission::Annotations);
    let (size, _) = last_section(&approved);

    // --- Allowed changes: they must stay valid.
    v.insert(
        "allowed-second-approval-signature",
        sign(&approved, &b, now, |o| o),
    );
    v.insert(
        "allowed-approval-in-prepared-field-after-p2",
        sign(&p2, &b, now, |o| o.field_name("PheDuyet")),
    );
    v.insert(
        "allowed-form-fill-after-p2",
        fill_text_field(&p2, "2026-001-A"),
    );
    v.insert(
        "allowed-form-fill-after-approval",
        fill_text_field(&approved, "2026-001-A"),
    );
    v.insert("allowed-ltv-dss-update", dss_update(&approved));
    v.insert("allowed-info-update", info_update(&approved));
    v.insert(
        "allowed-sticky-note-after-p3",
        add_annotation(&p3, "Text", "[400 400 420 420]"),
    );

    // --- Incremental Saving Attack: content changed by a later update.
    v.insert(
        "isa-page-content-replaced",
        append(
            &approved,
            &[(
                obj::CONTENT,
                s(&stream(
                    "",
                    "BT /F1 18 Tf 72 720 Td (Ho so: phi 0 dong) Tj ET",
                )),
            )],
            "",
        ),
    );
    v.insert("isa-objects-appended-without-xref", {
        let mut out = approved.clone();
        write_objects(
            &mut out,
            &[(
                obj::CONTENT,
                s(&stream("", "BT /F1 18 Tf 72 720 Td (phi 0 dong) Tj ET")),
            )],
        );
        out
    });
    // Shadow attacks, done after signing in one update each.
    v.insert(
        "shadow-hide-cover-xobject-emptied",
        append(
            &approved,
            &[(
                obj::COVER,
                s(&stream(
                    "/Type /XObject /Subtype /Form /BBox [0 0 100 30]",
                    "",
                )),
            )],
            "",
        ),
    );
    v.insert(
        "shadow-replace-font-redefined",
        append(
            &approved,
            &[(
                obj::FONT,
                "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica \
                 /Encoding << /Differences [49 /zero] >> >>"
                    .to_string(),
            )],
            "",
        ),
    );
    v.insert(
        "shadow-hide-and-replace-content-reference",
        append(
            &approved,
            &[
                (
                    obj::PAGE,
                    original(obj::PAGE)
                        .replace("/Contents 4 0 R", &format!("/Contents {size} 0 R")),
                ),
                (
                    size,
                    s(&stream("", "BT /F1 18 Tf 72 720 Td (phi 0 dong) Tj ET")),
                ),
            ],
            "",
        ),
    );
    v.insert("form-field-value-changed-in-read-only-field", {
        let ro = sign(
            &hand_pdf(
                &dossier_objects(&[(
                    obj::TEXT_FIELD,
                    text_field("2026-001", obj::TEXT_AP, "/Ff 1").into_bytes(),
                )]),
                "/Info 11 0 R",
            ),
            &a,
            now,
            |o| o,
        );
        let (size, _) = last_section(&ro);
        append(
            &ro,
            &[
                (obj::TEXT_FIELD, text_field("9999", size, "/Ff 1")),
                (size, text_appearance("9999")),
            ],
            "",
        )
    });
    v.insert(
        "form-field-appearance-changed-without-value",
        append(
            &approved,
            &[
                (obj::TEXT_FIELD, text_field("2026-001", size, "")),
                (size, text_appearance("2026-999")),
            ],
            "",
        ),
    );
    v.insert("need-appearances-turned-into-a-number", {
        let with_flag = signed_variant(
            &[(
                obj::ACROFORM,
                "<< /Fields [6 0 R 8 0 R] /DA (/F1 0 Tf 0 g) /DR << /Font << /F1 9 0 R >> >> \
                 /NeedAppearances true >>",
            )],
            &a,
            now,
            |o| o,
        );
        let doc = kyso::pdf::Document::open(with_flag.as_slice()).unwrap();
        let form = doc
            .get(
                doc.last_revision(),
                kyso::pdf::ObjRef::new(obj::ACROFORM, 0),
            )
            .unwrap()
            .unwrap();
        let mut form = form.as_dict().unwrap().clone();
        form.set("NeedAppearances", kyso::pdf::Object::Integer(1));
        let body = kyso::pdf::serialize::to_bytes(&kyso::pdf::Object::Dict(form)).unwrap();
        append(&with_flag, &[(obj::ACROFORM, s(&body))], "")
    });
    v.insert(
        "need-appearances-set-after-signing",
        append(
            &approved,
            &[(
                obj::ACROFORM,
                original(obj::ACROFORM).replace(">> >>", ">> /NeedAppearances true >>"),
            )],
            "",
        ),
    );

    // --- Certification attacks.
    v.insert(
        "evil-annotation-after-p2",
        add_annotation(&p2, "FreeText", "[60 700 560 740]"),
    );
    v.insert("sneaky-signature-after-p2", sneaky_signature(&p2, &b, now));
    v.insert("form-fill-after-p1", fill_text_field(&p1, "2026-001-A"));
    v.insert("locked-field-filled-after-approval", {
        let locked = sign(&doc, &a, now, |o| {
            o.lock_fields(FieldLockSpec::Include(vec!["SoHoSo".into()]))
        });
        fill_text_field(&locked, "2026-001-A")
    });
    // Sneaky Signature with a /Rect that is not four direct numbers: viewers resolve the
    // reference (ISO 32000-2 §7.3.10) or read the first four numbers, and draw it.
    v.insert(
        "sneaky-field-indirect-rect-after-p2",
        new_signature_field(&p2, "{N} 0 R", "", &["[60 700 600 760]"]),
    );
    v.insert(
        "sneaky-field-rect-with-indirect-element-after-p2",
        new_signature_field(&p2, "[60 {N} 0 R 600 760]", "", &["700"]),
    );
    v.insert(
        "sneaky-field-rect-of-five-numbers-after-p2",
        new_signature_field(&p2, "[60 700 600 760 0]", "", &[]),
    );
    v.insert(
        "sneaky-field-indirect-flags-after-p2",
        new_signature_field(&p2, "[60 700 600 760]", "/F {N} 0 R", &["4"]),
    );
    // Annotations disguised as signature fields (/FT /Sig on another /Subtype).
    v.insert(
        "free-text-with-ft-sig-after-approval",
        add_to_annots(
            &approved,
            "<< /Type /Annot /Subtype /FreeText /FT /Sig /T (Disguised) /Rect [60 700 600 760] \
             /P 3 0 R /Contents (DA THANH TOAN) /DA (/Helv 28 Tf) /AP << /N {AP} >> >>",
            true,
        ),
    );
    v.insert(
        "link-with-ft-sig-and-javascript-after-p2",
        add_to_annots(
            &p2,
            "<< /Type /Annot /Subtype /Link /FT /Sig /T (Disguised) /Rect [60 700 600 760] \
             /P 3 0 R /A << /S /JavaScript /JS (app.alert\\(1\\)) >> /AP << /N {AP} >> >>",
            true,
        ),
    );
    // A field's drawing parameters changed while its value stays: a viewer that draws the
    // field from its value (no /AP, or /NeedAppearances) shows it white, huge or moved.
    v.insert(
        "form-field-da-changed-without-value",
        append(
            &approved,
            &[(
                obj::TEXT_FIELD,
                original(obj::TEXT_FIELD).replace("/DA (/F1 12 Tf 0 g)", "/DA (/F1 40 Tf 1 g)"),
            )],
            "",
        ),
    );
    v.insert(
        "form-field-quadding-added-without-value",
        append(
            &approved,
            &[(
                obj::TEXT_FIELD,
                original(obj::TEXT_FIELD).replace(">>", "/Q 2 >>"),
            )],
            "",
        ),
    );
    v.insert(
        "acroform-default-font-changed-without-value",
        append(
            &approved,
            &[
                (
                    obj::ACROFORM,
                    original(obj::ACROFORM).replace("/F1 9 0 R", &format!("/F1 {size} 0 R")),
                ),
                (
                    size,
                    "<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>".to_string(),
                ),
            ],
            "",
        ),
    );
    v.insert("allowed-form-fill-with-new-da-and-appearance", {
        let (sz, _) = last_section(&approved);
        append(
            &approved,
            &[
                (
                    obj::TEXT_FIELD,
                    text_field("2026-001-A", sz, "").replace("/F1 12 Tf", "/F1 10 Tf"),
                ),
                (sz, text_appearance("2026-001-A")),
            ],
            "",
        )
    });
    v.insert(
        "form-fill-with-new-da-without-appearance",
        append(
            &approved,
            &[(
                obj::TEXT_FIELD,
                original(obj::TEXT_FIELD)
                    .replace("(2026-001)", "(2026-001-A)")
                    .replace("/F1 12 Tf", "/F1 40 Tf"),
            )],
            "",
        ),
    );
    // After an approval signature a new empty visible signature field is allowed, with a
    // warning: the page shows an appearance nobody signed.
    v.insert(
        "allowed-unsigned-visible-signature-field-after-approval",
        sneaky_field_update(&approved, "[60 700 600 760]"),
    );
    red_team_vectors(&mut v, &a, now, &p2);
    v.insert(
        "signature-field-added-after-p1",
        // kyso refuses to sign after P1; this is what another tool could do.
        sneaky_field_update(&p1, "[0 0 0 0]"),
    );

    // --- Universal Signature Forgery: signature dictionaries without a usable value.
    for (name, sig) in [
        (
            "usf-contents-missing",
            "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 1 2 3] >>",
        ),
        (
            "usf-contents-empty",
            "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 1 2 3] /Contents <> >>",
        ),
        (
            "usf-byte-range-null",
            "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange null /Contents <3082> >>",
        ),
    ] {
        let field = original(obj::SIG_FIELD).replace(">>", &format!("/V {} 0 R >>", obj::NEXT));
        v.insert(
            name,
            hand_pdf(
                &dossier_objects(&[(obj::SIG_FIELD, field.into_bytes()), (obj::NEXT, sig.as_bytes().to_vec())]),
                "/Info 11 0 R",
            ),
        );
    }

    // --- Signature Wrapping: the signed bytes moved to the end, the gap widened over new
    // objects (the /ByteRange follows /Contents in this layout, outside the signed bytes).
    let (by_hand, br) = dossier_signed_by_hand(&pki.rsa2048, 0, "");
    v.insert(
        "signature-layout-contents-before-byte-range",
        by_hand.clone(),
    );
    v.insert(
        "swa-signed-bytes-moved-to-the-end",
        wrap_signature(&by_hand, br),
    );
    let (prefix, _) = dossier_signed_by_hand(&pki.rsa2048, "/Contents ".len(), "");
    v.insert("contents-prefix-outside-hex-string", prefix);
    let (twice, _) = dossier_signed_by_hand(&pki.rsa2048, 0, "/ByteRange [0 10 20 30]");
    v.insert("signature-dictionary-repeats-byte-range", twice);

    // --- /ByteRange tricks (in place, same width).
    v.insert(
        "byte-range-reals",
        rewrite_byte_range(&approved, |b| format!("[0 {}.0 {} {}]", b[1], b[2], b[3])),
    );
    v.insert(
        "byte-range-six-entries",
        rewrite_byte_range(&approved, |b| format!("[0 {} {} {} 0 0]", b[1], b[2], b[3])),
    );
    v.insert(
        "byte-range-overlap",
        rewrite_byte_range(&approved, |b| {
            format!("[0 {} {} {}]", b[2] + 10, b[2], b[3])
        }),
    );
    v.insert(
        "byte-range-bytes-outside-file",
        rewrite_byte_range(&approved, |b| {
            format!("[0 {} {} {}]", b[1], b[2], b[3] + 100)
        }),
    );
    v.insert(
        "byte-range-not-from-start",
        rewrite_byte_range(&approved, |b| format!("[1 {} {} {}]", b[1] - 1, b[2], b[3])),
    );
    v.insert(
        "byte-range-tail-uncovered",
        rewrite_byte_range(&approved, |b| format!("[0 {} {} {}]", b[1], b[2], b[3] - 5)),
    );

    // --- Structural tricks in the update after the signature.
    v.insert(
        "xref-entry-points-into-signed-bytes",
        entry_into_signed_bytes(&pki.rsa2048, now),
    );
    v.insert(
        "xref-entry-points-at-another-object",
        misdirected_entry(&approved),
    );
    v.insert("object-defined-twice-in-update", defined_twice(&approved));
    v.insert("object-outside-any-xref", outside_xref(&approved));
    v.insert(
        "xref-table-lists-object-twice",
        table_lists_twice(&approved),
    );
    v.insert("trailer-repeats-root-key", {
        append(
            &approved,
            &[(size, "<< /Type /Catalog /Pages 2 0 R >>".to_string())],
            &format!("/Root {size} 0 R"),
        )
    });
    v.insert(
        "trailer-root-points-to-new-catalog",
        {
            let (sz, prev) = last_section(&approved);
            let mut out = approved.clone();
            let entries = write_objects(
                &mut out,
                &[(sz, "<< /Type /Catalog /Pages 2 0 R /AcroForm 5 0 R /OpenAction << /S /JavaScript /JS (1) >> >>".to_string())],
            );
            let xref = out.len();
            out.extend_from_slice(b"xref\n0 1\n0000000000 65535 f\r\n");
            write!(out, "{sz} 1\n{:010} 00000 n\r\n", entries[0].1).unwrap();
            write!(out, "trailer\n<< /Size {} /Root {sz} 0 R /Prev {prev} >>\nstartxref\n{xref}\n%%EOF\n", sz + 1).unwrap();
            out
        },
    );
    v.insert(
        "second-catalog-object",
        append(
            &approved,
            &[(size, "<< /Type /Catalog /Pages 2 0 R >>".to_string())],
            "",
        ),
    );
    v.insert("startxref-misses-section", {
        let (sz, prev) = last_section(&approved);
        let mut out = approved.clone();
        let entries = write_objects(&mut out, &[(obj::INFO, "<< /Title (x) >>".to_string())]);
        write_section(&mut out, &entries, sz, prev, "/Info 11 0 R", -3);
        out
    });
    v.insert("orphan-xref-section-in-update", {
        let (sz, prev) = last_section(&approved);
        let mut out = approved.clone();
        let entries = write_objects(&mut out, &[(obj::INFO, "<< /Title (x) >>".to_string())]);
        let shadow = out.len();
        write!(out, "xref\n0 1\n0000000000 65535 f\r\n{} 1\n{:010} 00000 n\r\ntrailer\n<< /Size {sz} /Root 1 0 R /Prev {prev} >>\n", obj::CONTENT, shadow).unwrap();
        write_section(&mut out, &entries, sz, prev, "/Info 11 0 R", 0);
        out
    });
    v.insert(
        "stream-length-object-rewritten",
        append(
            &approved,
            &[(obj::LENGTH, (CONTENT.len() - 20).to_string())],
            "",
        ),
    );
    v.insert("size-below-defined-objects", {
        let (_, prev) = last_section(&approved);
        let mut out = approved.clone();
        let entries = write_objects(
            &mut out,
            &[
                (
                    obj::INFO,
                    format!("<< /Title (x) /Extra {} 0 R >>", size + 5),
                ),
                (size + 5, "(hidden)".to_string()),
            ],
        );
        write_section(&mut out, &entries, size, prev, "/Info 11 0 R", 0);
        out
    });
    v.insert("dangling-reference-filled-in", {
        let dangling = sign(
            &hand_pdf(
                &dossier_objects(&[(
                    obj::CATALOG,
                    format!(
                        "<< /Type /Catalog /Pages 2 0 R /AcroForm 5 0 R /OpenAction {} 0 R >>",
                        40
                    )
                    .into_bytes(),
                )]),
                "/Info 11 0 R",
            ),
            &a,
            now,
            |o| o,
        );
        append(
            &dangling,
            &[(
                40,
                "<< /S /URI /URI (https://example.invalid/pay) >>".to_string(),
            )],
            "",
        )
    });
    v.insert(
        "object-stream-holds-unlisted-object",
        objstm_unlisted(&approved),
    );
    v.insert(
        "signed-entry-points-past-signed-bytes",
        entry_past_signed_bytes(&pki.rsa2048),
    );
    v.insert(
        "signature-dictionary-shown-by-two-fields",
        second_field_same_signature(&approved),
    );
    v
}

/// The dossier with objects replaced by `extra`, signed (or certified, by `tweak`).
fn signed_variant(
    extra: &[(u32, &str)],
    signer: &dyn Signer,
    now: OffsetDateTime,
    tweak: impl FnOnce(SignOptions) -> SignOptions,
) -> Vec<u8> {
    let extra: Vec<(u32, Vec<u8>)> = extra
        .iter()
        .map(|(n, b)| (*n, b.as_bytes().to_vec()))
        .collect();
    sign(
        &hand_pdf(&dossier_objects(&extra), "/Info 11 0 R"),
        signer,
        now,
        tweak,
    )
}

/// What a red team found after the first hardening (issue 15): objects judged only by
/// their role while a viewer also draws from them, arrays judged by their key without
/// their holder, fields told apart by name, flags beyond 32 bits, integers rewritten as
/// reals, and actions on new signature widgets. Each must fail.
fn red_team_vectors(
    v: &mut BTreeMap<&'static str, Vec<u8>>,
    a: &dyn Signer,
    now: OffsetDateTime,
    p2: &[u8],
) {
    let forged = s(&stream(
        "/Type /XObject /Subtype /Form /BBox [0 0 540 60] /Resources << /Font << /F1 9 0 R >> >>",
        "1 g 0 0 540 60 re f 0 g BT /F1 18 Tf 4 20 Td (Ho so so 2026-001: phi 0 dong) Tj ET",
    ));
    // The catalog doubles as the page's /XObject resources, and the content draws /DSS:
    // adding a "document security store" draws a new XObject on the page.
    let content = format!("{CONTENT} q 1 0 0 1 60 690 cm /DSS Do Q");
    let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
                /Resources << /Font << /F1 9 0 R >> /XObject 1 0 R >> \
                /Annots [6 0 R 8 0 R 13 0 R] >>";
    let catalog_as_resources = signed_variant(
        &[
            (obj::PAGE, page),
            (
                obj::CONTENT,
                &format!("<< /Length 12 0 R >>\nstream\n{content}\nendstream"),
            ),
            (obj::LENGTH, &content.len().to_string()),
            (
                obj::CATALOG,
                "<< /Type /Catalog /Pages 2 0 R /AcroForm 5 0 R /Cover 10 0 R >>",
            ),
        ],
        a,
        now,
        |o| o,
    );
    let (free, _) = last_section(&catalog_as_resources);
    v.insert(
        "catalog-used-as-xobject-resources-gains-dss",
        append(
            &catalog_as_resources,
            &[
                (
                    obj::CATALOG,
                    format!(
                        "<< /Type /Catalog /Pages 2 0 R /AcroForm 5 0 R /Cover 10 0 R /DSS {free} 0 R >>"
                    ),
                ),
                (free, forged.clone()),
            ],
            "",
        ),
    );
    // The page tree's /Kids is an indirect array: a new page that is also a signature
    // field, added there and to /Fields, is not "a signature field added to /Kids".
    let kids_indirect = signed_variant(
        &[
            (obj::PAGES, "<< /Type /Pages /Kids 20 0 R /Count 1 >>"),
            (20, "[3 0 R]"),
        ],
        a,
        now,
        |o| o,
    );
    let (free, _) = last_section(&kids_indirect);
    v.insert(
        "page-tree-kids-gains-a-page-that-is-a-signature-field",
        append(
            &kids_indirect,
            &[
                (20, format!("[{free} 0 R 3 0 R]")),
                (
                    free,
                    format!(
                        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {} 0 R \
                         /Resources << /Font << /F1 9 0 R >> >> /FT /Sig /T (PheDuyet2) >>",
                        free + 1
                    ),
                ),
                (
                    free + 1,
                    s(&stream(
                        "",
                        "BT /F1 18 Tf 72 720 Td (Ho so so 2026-001: phi 0 dong) Tj ET",
                    )),
                ),
                (obj::ACROFORM, fields_with(&kids_indirect, free)),
            ],
            "",
        ),
    );
    // A new signature field takes the name of a read-only text field, whose appearance is
    // then replaced: the text field's value did not change.
    let read_only = signed_variant(
        &[(
            obj::TEXT_FIELD,
            "<< /FT /Tx /T (SoHoSo) /V (2026-001) /Ff 1 /Type /Annot /Subtype /Widget \
             /Rect [72 600 272 620] /P 3 0 R /F 4 /DA (/F1 12 Tf 0 g) /AP << /N 7 0 R >> >>",
        )],
        a,
        now,
        |o| o,
    );
    let (free, _) = last_section(&read_only);
    v.insert(
        "signature-field-named-like-a-read-only-field-redraws-it",
        append(
            &read_only,
            &[
                (
                    obj::TEXT_FIELD,
                    format!(
                        "<< /FT /Tx /T (SoHoSo) /V (2026-001) /Ff 1 /Type /Annot /Subtype /Widget \
                         /Rect [72 600 272 620] /P 3 0 R /F 4 /DA (/F1 12 Tf 0 g) \
                         /AP << /N {} 0 R >> >>",
                        free + 1
                    ),
                ),
                (free, "<< /FT /Sig /T (SoHoSo) >>".to_string()),
                (free + 1, text_appearance("2026-999")),
                (obj::ACROFORM, fields_with(&read_only, free)),
            ],
            "",
        ),
    );
    // Flags beyond 32 bits: poppler takes none and draws the widget.
    v.insert(
        "sneaky-field-flags-beyond-32-bits-after-p2",
        new_signature_field(p2, "[60 700 600 760]", "/F 4294967298", &[]),
    );
    // An invisible new signature widget with a JavaScript action.
    v.insert(
        "new-signature-widget-with-javascript-after-p2",
        new_signature_field(
            p2,
            "[0 0 0 0]",
            "/AA << /PO << /S /JavaScript /JS (this.getField\\('SoHoSo'\\).value = '0') >> >>",
            &[],
        ),
    );
    // Integers rewritten as reals: poppler honours /F and /Rotate only as integers.
    let hidden_note = signed_variant(
        &[
            (
                obj::NOTE,
                "<< /Type /Annot /Subtype /Square /Rect [60 700 560 740] /F 6 /P 3 0 R \
                 /AP << /N 15 0 R >> >>",
            ),
            (15, &forged),
        ],
        a,
        now,
        |o| o.certify(DocMdpPermission::NoChanges),
    );
    v.insert(
        "hidden-annotation-flags-rewritten-as-real-after-p1",
        append(
            &hidden_note,
            &[(
                obj::NOTE,
                "<< /Type /Annot /Subtype /Square /Rect [60 700 560 740] /F 6.0 /P 3 0 R \
                 /AP << /N 15 0 R >> >>"
                    .to_string(),
            )],
            "",
        ),
    );
    let rotated = signed_variant(
        &[(
            obj::PAGE,
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Rotate 90 \
             /Resources << /Font << /F1 9 0 R >> /XObject << /Cover 10 0 R >> >> \
             /Annots [6 0 R 8 0 R 13 0 R] >>",
        )],
        a,
        now,
        |o| o.certify(DocMdpPermission::NoChanges),
    );
    v.insert(
        "page-rotate-rewritten-as-real-after-p1",
        append(
            &rotated,
            &[(
                obj::PAGE,
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
                 /Rotate 90.0 /Resources << /Font << /F1 9 0 R >> /XObject << /Cover 10 0 R >> >> \
                 /Annots [6 0 R 8 0 R 13 0 R] >>"
                    .to_string(),
            )],
            "",
        ),
    );
}

/// The form dictionary of `pdf`'s last revision with `extra` added to its `/Fields`.
fn fields_with(pdf: &[u8], extra: u32) -> String {
    let doc = kyso::pdf::Document::open(pdf).unwrap();
    let form = doc
        .get(
            doc.last_revision(),
            kyso::pdf::ObjRef::new(obj::ACROFORM, 0),
        )
        .unwrap()
        .unwrap();
    let mut fields: Vec<String> = form
        .as_dict()
        .unwrap()
        .get(b"Fields")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let r = a.as_ref().unwrap();
            format!("{} {} R", r.num, r.gen)
        })
        .collect();
    fields.push(format!("{extra} 0 R"));
    let flags = form.as_dict().unwrap().get_int(b"SigFlags").unwrap_or(0);
    format!(
        "<< /Fields [{}] /DA (/F1 0 Tf 0 g) /DR << /Font << /F1 9 0 R >> >> /SigFlags {flags} >>",
        fields.join(" ")
    )
}

/// A document security store with one certificate stream.
fn dss_update(pdf: &[u8]) -> Vec<u8> {
    let (size, _) = last_section(pdf);
    let catalog = original(obj::CATALOG).replace(">>", &format!("/DSS {size} 0 R >>"));
    append(
        pdf,
        &[
            (obj::CATALOG, catalog),
            (size, format!("<< /Certs [{} 0 R] >>", size + 1)),
            (size + 1, s(&stream("", "0000"))),
        ],
        "",
    )
}

fn info_update(pdf: &[u8]) -> Vec<u8> {
    append(
        pdf,
        &[(
            obj::INFO,
            "<< /Title (Ho so mau) /Producer (an editor) /ModDate (D:20261126120000Z) >>"
                .to_string(),
        )],
        "/Info 11 0 R",
    )
}

/// A new markup annotation of `subtype` on the page.
fn add_annotation(pdf: &[u8], subtype: &str, rect: &str) -> Vec<u8> {
    let (size, _) = last_section(pdf);
    let doc = kyso::pdf::Document::open(pdf).unwrap();
    let rev = doc.last_revision();
    let page = doc
        .get(rev, kyso::pdf::ObjRef::new(obj::PAGE, 0))
        .unwrap()
        .unwrap();
    let annots = page
        .as_dict()
        .unwrap()
        .get(b"Annots")
        .unwrap()
        .as_array()
        .unwrap()
        .to_vec();
    let mut list: Vec<String> = annots
        .iter()
        .map(|a| {
            let r = a.as_ref().unwrap();
            format!("{} {} R", r.num, r.gen)
        })
        .collect();
    list.push(format!("{size} 0 R"));
    append(
        pdf,
        &[
            (obj::PAGE, page_with_annots(&list.join(" "))),
            (
                size,
                format!(
                    "<< /Type /Annot /Subtype /{subtype} /Rect {rect} /Contents (DA THANH TOAN) \
                     /DA (/Helv 28 Tf 1 0 0 rg) /AP << /N {} 0 R >> >>",
                    size + 1
                ),
            ),
            (
                size + 1,
                s(&stream(
                    "/Type /XObject /Subtype /Form /BBox [0 0 500 40]",
                    "1 g 0 0 500 40 re f 1 0 0 rg BT /Helv 28 Tf 5 10 Td (DA THANH TOAN) Tj ET",
                )),
            ),
        ],
        "",
    )
}

/// An update adding a new, empty signature field with the given `/Rect` and an appearance
/// that draws over the page.
fn sneaky_field_update(pdf: &[u8], rect: &str) -> Vec<u8> {
    new_signature_field(pdf, rect, "", &[])
}

/// An update adding a signature field `Sneaky` with `/Rect rect`, an appearance that
/// draws over the certified text, `extra` entries, and `more` objects numbered from the
/// update's first free number + 2 (written `{N}`, `{N+1}`, … in `rect`, `extra` and
/// `more`).
fn new_signature_field(pdf: &[u8], rect: &str, extra: &str, more: &[&str]) -> Vec<u8> {
    let (size, _) = last_section(pdf);
    let doc = kyso::pdf::Document::open(pdf).unwrap();
    let rev = doc.last_revision();
    let refs = |o: &kyso::pdf::Object| -> Vec<String> {
        o.as_array()
            .unwrap()
            .iter()
            .map(|a| {
                let r = a.as_ref().unwrap();
                format!("{} {} R", r.num, r.gen)
            })
            .collect()
    };
    let page = doc
        .get(rev, kyso::pdf::ObjRef::new(obj::PAGE, 0))
        .unwrap()
        .unwrap();
    let mut annots = refs(page.as_dict().unwrap().get(b"Annots").unwrap());
    annots.push(format!("{size} 0 R"));
    let form = doc
        .get(rev, kyso::pdf::ObjRef::new(obj::ACROFORM, 0))
        .unwrap()
        .unwrap();
    let form = form.as_dict().unwrap();
    let mut fields = refs(form.get(b"Fields").unwrap());
    fields.push(format!("{size} 0 R"));
    let flags = form.get_int(b"SigFlags").unwrap_or(0);
    let numbered = |t: &str| {
        (0..more.len().max(1)).fold(t.to_string(), |t, i| {
            let key = if i == 0 {
                "{N}".to_string()
            } else {
                format!("{{N+{i}}}")
            };
            t.replace(&key, &(size + 2 + i as u32).to_string())
        })
    };
    let (rect, extra) = (numbered(rect), numbered(extra));
    let mut objects = vec![
            (obj::PAGE, page_with_annots(&annots.join(" "))),
            (
                obj::ACROFORM,
                format!(
                    "<< /Fields [{}] /DA (/F1 0 Tf 0 g) /DR << /Font << /F1 9 0 R >> >> /SigFlags {flags} >>",
                    fields.join(" ")
                ),
            ),
            (
                size,
                format!(
                    "<< /FT /Sig /T (Sneaky) /Type /Annot /Subtype /Widget /Rect {rect} /P 3 0 R \
                     {}/AP << /N {} 0 R >> {extra} >>",
                    if extra.contains("/F ") { "" } else { "/F 4 " },
                    size + 1
                ),
            ),
            (
                size + 1,
                s(&stream(
                    "/Type /XObject /Subtype /Form /BBox [0 0 540 60] /Resources << /Font << /F1 9 0 R >> >>",
                    "1 g 0 0 540 60 re f 0 g BT /F1 18 Tf 4 20 Td (Ho so so 2026-001: phi 0 dong) Tj ET",
                )),
            ),
        ];
    for (i, body) in more.iter().enumerate() {
        objects.push((size + 2 + i as u32, numbered(body)));
    }
    append(pdf, &objects, "")
}

/// An update adding `annot` (a dictionary with `{N}` standing for its own number and
/// `{AP}` for an appearance stream drawn over the text) to the page's `/Annots` and, when
/// `in_fields`, to the form's `/Fields` too.
fn add_to_annots(pdf: &[u8], annot: &str, in_fields: bool) -> Vec<u8> {
    let (size, _) = last_section(pdf);
    let doc = kyso::pdf::Document::open(pdf).unwrap();
    let rev = doc.last_revision();
    let list = |o: &kyso::pdf::Object| -> Vec<String> {
        o.as_array()
            .unwrap()
            .iter()
            .map(|a| {
                let r = a.as_ref().unwrap();
                format!("{} {} R", r.num, r.gen)
            })
            .collect()
    };
    let page = doc
        .get(rev, kyso::pdf::ObjRef::new(obj::PAGE, 0))
        .unwrap()
        .unwrap();
    let mut annots = list(page.as_dict().unwrap().get(b"Annots").unwrap());
    annots.push(format!("{size} 0 R"));
    let mut objects = vec![
        (obj::PAGE, page_with_annots(&annots.join(" "))),
        (
            size,
            annot
                .replace("{N}", &size.to_string())
                .replace("{AP}", &format!("{} 0 R", size + 1)),
        ),
        (
            size + 1,
            s(&stream(
                "/Type /XObject /Subtype /Form /BBox [0 0 540 60] /Resources << /Font << /F1 9 0 R >> >>",
                "1 g 0 0 540 60 re f 0 g BT /F1 18 Tf 4 20 Td (Ho so so 2026-001: phi 0 dong) Tj ET",
            )),
        ),
    ];
    if in_fields {
        let form = doc
            .get(rev, kyso::pdf::ObjRef::new(obj::ACROFORM, 0))
            .unwrap()
            .unwrap();
        let mut fields = list(form.as_dict().unwrap().get(b"Fields").unwrap());
        fields.push(format!("{size} 0 R"));
        objects.push((
            obj::ACROFORM,
            original(obj::ACROFORM).replace("[6 0 R 8 0 R]", &format!("[{}]", fields.join(" "))),
        ));
    }
    append(pdf, &objects, "")
}

/// Sneaky Signature: after certification, a new visible signature field whose appearance
/// covers the certified text, then signed.
fn sneaky_signature(pdf: &[u8], signer: &dyn Signer, now: OffsetDateTime) -> Vec<u8> {
    let with_field = sneaky_field_update(pdf, "[60 700 600 760]");
    sign(&with_field, signer, now, |o| o.field_name("Sneaky"))
}

/// Signature Wrapping: the second signed range is moved to the end of the file, the
/// `/ByteRange` (outside the signed bytes in this layout) rewritten to point at it, and the
/// widened gap holds a new content stream and a cross-reference section that use it.
fn wrap_signature(pdf: &[u8], br: [usize; 4]) -> Vec<u8> {
    let second = pdf[br[2]..].to_vec();
    let gap_end_text = br[2];
    // Keep everything up to the end of the hex string, then the attacker's bytes.
    let mut out = pdf[..gap_end_text].to_vec();
    // The signature dictionary must still close; its /ByteRange is written anew below.
    let br_at = out.len();
    out.extend_from_slice(format!(" /ByteRange [{:<43}] >>\nendobj\n", "").as_bytes());
    let content_at = out.len();
    let evil = "BT /F1 18 Tf 72 720 Td (Ho so so 2026-001: phi 0 dong) Tj ET";
    write!(
        out,
        "{} 0 obj\n<< /Length {} >>\nstream\n{evil}\nendstream\nendobj\n",
        obj::CONTENT,
        evil.len()
    )
    .unwrap();
    // A section that redefines the content, chained to the signed section (which moves
    // with the second range, to `moved`).
    let doc = kyso::pdf::Document::open(pdf).unwrap();
    let signed_xref = doc.revisions()[0].xref_offset as usize;
    let xref_at = out.len();
    let section_len = format!(
        "xref\n0 1\n0000000000 65535 f\r\n{} 1\n{content_at:010} 00000 n\r\ntrailer\n<< /Size {} /Root 1 0 R /Prev {:010} >>\n",
        obj::CONTENT,
        obj::NEXT + 1,
        0
    )
    .len();
    let moved = xref_at + section_len;
    write!(
        out,
        "xref\n0 1\n0000000000 65535 f\r\n{} 1\n{content_at:010} 00000 n\r\ntrailer\n<< /Size {} /Root 1 0 R /Prev {:010} >>\n",
        obj::CONTENT,
        obj::NEXT + 1,
        moved + (signed_xref - br[2])
    )
    .unwrap();
    // The original second range, moved here.
    assert_eq!(out.len(), moved);
    out.extend_from_slice(&second);
    // The new /ByteRange: gap from the old gap start to the moved bytes.
    let text = format!("{} {} {} {}", 0, br[1], moved, second.len());
    out[br_at + 13..br_at + 13 + text.len()].copy_from_slice(text.as_bytes());
    // startxref of the moved tail still points at the signed section; make the file end
    // point at the attacker's section instead.
    write!(out, "\nstartxref\n{xref_at}\n%%EOF\n").unwrap();
    out
}

/// The signed revision carries a dormant second definition of the page (not in its
/// table); the update's entry for the page points at it.
fn entry_into_signed_bytes(signer: &TestSigner, now: OffsetDateTime) -> Vec<u8> {
    let base = form_doc();
    // Insert the dormant page before the table and shift the table's offset.
    let xref_at = rfind(&base, b"\nxref\n") + 1;
    let dormant = format!(
        "{} 0 obj\n{}\nendobj\n",
        obj::PAGE,
        original(obj::PAGE).replace("/Contents 4 0 R", "/Contents 10 0 R")
    );
    let mut with = base[..xref_at].to_vec();
    let dormant_at = with.len();
    with.extend_from_slice(dormant.as_bytes());
    with.extend_from_slice(&base[xref_at..]);
    let sx = rfind(&with, b"startxref\n") + 10;
    let end = sx + with[sx..].iter().position(|&c| c == b'\n').unwrap();
    let fixed = format!("{}", xref_at + dormant.len());
    let mut base2 = with[..sx].to_vec();
    base2.extend_from_slice(fixed.as_bytes());
    base2.extend_from_slice(&with[end..]);
    let signed = sign(&base2, &signer.signer(), now, |o| o);
    let (size, prev) = last_section(&signed);
    let mut out = signed.clone();
    write_section(&mut out, &[(obj::PAGE, dormant_at)], size, prev, "", 0);
    out
}

/// The update defines the /Info and the content; the content's entry points at /Info's
/// header.
fn misdirected_entry(pdf: &[u8]) -> Vec<u8> {
    let (size, prev) = last_section(pdf);
    let mut out = pdf.to_vec();
    let entries = write_objects(
        &mut out,
        &[
            (obj::INFO, "<< /Title (x) >>".to_string()),
            (
                obj::CONTENT,
                s(&stream("", "BT /F1 18 Tf 72 720 Td (phi 0 dong) Tj ET")),
            ),
        ],
    );
    let info_at = entries[0].1;
    write_section(
        &mut out,
        &[(obj::INFO, info_at), (obj::CONTENT, info_at)],
        size,
        prev,
        "/Info 11 0 R",
        0,
    );
    out
}

/// The update defines the content twice: the entry points at an unchanged copy, a viewer
/// that rebuilds the table takes the later one.
fn defined_twice(pdf: &[u8]) -> Vec<u8> {
    let (size, prev) = last_section(pdf);
    let mut out = pdf.to_vec();
    let same = original(obj::CONTENT);
    let entries = write_objects(
        &mut out,
        &[
            (obj::CONTENT, same),
            (
                obj::CONTENT,
                s(&stream("", "BT /F1 18 Tf 72 720 Td (phi 0 dong) Tj ET")),
            ),
        ],
    );
    write_section(&mut out, &entries[..1], size, prev, "", 0);
    out
}

/// The update adds a page content object that no section lists, next to an allowed
/// /Info change.
fn outside_xref(pdf: &[u8]) -> Vec<u8> {
    let (size, prev) = last_section(pdf);
    let mut out = pdf.to_vec();
    let entries = write_objects(&mut out, &[(obj::INFO, "<< /Title (x) >>".to_string())]);
    write_objects(
        &mut out,
        &[(size + 3, s(&stream("", "BT (phi 0 dong) Tj ET")))],
    );
    write_section(&mut out, &entries, size, prev, "/Info 11 0 R", 0);
    out
}

/// The update's table lists the content twice: first its unchanged offset, then a new one.
fn table_lists_twice(pdf: &[u8]) -> Vec<u8> {
    let doc = kyso::pdf::Document::open(pdf).unwrap();
    let old = match doc.lookup(doc.last_revision(), kyso::pdf::ObjRef::new(obj::CONTENT, 0)) {
        Some(kyso::pdf::XrefEntry::InFile { offset, .. }) => offset as usize,
        other => panic!("content entry {other:?}"),
    };
    let (size, prev) = last_section(pdf);
    let mut out = pdf.to_vec();
    let entries = write_objects(
        &mut out,
        &[(
            obj::CONTENT,
            s(&stream("", "BT /F1 18 Tf 72 720 Td (phi 0 dong) Tj ET")),
        )],
    );
    write_section(
        &mut out,
        &[(obj::CONTENT, old), (obj::CONTENT, entries[0].1)],
        size,
        prev,
        "",
        0,
    );
    out
}

/// An update with an xref stream whose object stream holds, besides the new /Info, a page
/// content object the stream does not list.
fn objstm_unlisted(pdf: &[u8]) -> Vec<u8> {
    let (size, prev) = last_section(pdf);
    let stm = size;
    let xref_num = size + 1;
    let hidden = size + 2;
    let info = b"<< /Title (x) >>";
    let other = b"(phi 0 dong)";
    let header = format!("{} 0 {} {} ", obj::INFO, hidden, info.len() + 1);
    let mut data = header.clone().into_bytes();
    data.extend_from_slice(info);
    data.push(b' ');
    data.extend_from_slice(other);
    let mut out = pdf.to_vec();
    let stm_at = out.len();
    write!(
        out,
        "{stm} 0 obj\n<< /Type /ObjStm /N 2 /First {} /Length {} >>\nstream\n",
        header.len(),
        data.len()
    )
    .unwrap();
    out.extend_from_slice(&data);
    out.extend_from_slice(b"\nendstream\nendobj\n");
    let xref_at = out.len();
    // Rows for /Index [11 1 stm 2]: 11 in stream, stm and xref stream in the file.
    let row = |t: u8, a: u32, b: u16| {
        let a = a.to_be_bytes();
        let b = b.to_be_bytes();
        vec![t, a[0], a[1], a[2], a[3], b[0], b[1]]
    };
    let mut rows = row(2, stm, 0);
    rows.extend(row(1, stm_at as u32, 0));
    rows.extend(row(1, xref_at as u32, 0));
    write!(
        out,
        "{xref_num} 0 obj\n<< /Type /XRef /Size {} /W [1 4 2] /Index [{} 1 {stm} 2] /Root 1 0 R /Info {} 0 R /Prev {prev} /Length {} >>\nstream\n",
        hidden + 1,
        obj::INFO,
        obj::INFO,
        rows.len()
    )
    .unwrap();
    out.extend_from_slice(&rows);
    write!(out, "\nendstream\nendobj\nstartxref\n{xref_at}\n%%EOF\n").unwrap();
    out
}

/// A new signature field whose value is the existing signature dictionary.
fn second_field_same_signature(pdf: &[u8]) -> Vec<u8> {
    let doc = kyso::pdf::Document::open(pdf).unwrap();
    let rev = doc.last_revision();
    let field = kyso::pdf::signature_fields(&doc, rev)
        .unwrap()
        .into_iter()
        .find(|f| f.value.is_some())
        .unwrap();
    let sig = field.value.unwrap().as_ref().unwrap();
    new_signature_field(
        pdf,
        "[0 0 0 0]",
        &format!("/V {} {} R", sig.num, sig.gen),
        &[],
    )
}

/// An update whose object stream (holding a new `/Info`) inflates to `inflated` bytes: a
/// Flate bomb for the budget to stop.
pub fn flate_bomb_update(pdf: &[u8], inflated: usize) -> Vec<u8> {
    use flate2::write::ZlibEncoder;
    let (size, prev) = last_section(pdf);
    let stm = size;
    let xref_num = size + 1;
    let header = format!("{} 0 ", obj::INFO);
    let mut plain = header.clone().into_bytes();
    plain.extend_from_slice(b"<< /Title (bomb) >>");
    plain.resize(inflated, b' ');
    let mut z = ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&plain).unwrap();
    let data = z.finish().unwrap();
    let mut out = pdf.to_vec();
    let stm_at = out.len();
    write!(
        out,
        "{stm} 0 obj\n<< /Type /ObjStm /N 1 /First {} /Filter /FlateDecode /Length {} >>\nstream\n",
        header.len(),
        data.len()
    )
    .unwrap();
    out.extend_from_slice(&data);
    out.extend_from_slice(b"\nendstream\nendobj\n");
    let xref_at = out.len();
    let row = |t: u8, a: u32| {
        let a = a.to_be_bytes();
        vec![t, a[0], a[1], a[2], a[3], 0, 0]
    };
    let mut rows = row(2, stm);
    rows.extend(row(1, stm_at as u32));
    rows.extend(row(1, xref_at as u32));
    write!(
        out,
        "{xref_num} 0 obj\n<< /Type /XRef /Size {} /W [1 4 2] /Index [{} 1 {stm} 2] /Root 1 0 R /Info {} 0 R /Prev {prev} /Length {} >>\nstream\n",
        xref_num + 1,
        obj::INFO,
        obj::INFO,
        rows.len()
    )
    .unwrap();
    out.extend_from_slice(&rows);
    write!(out, "\nendstream\nendobj\nstartxref\n{xref_at}\n%%EOF\n").unwrap();
    out
}

/// The signed revision's table already places object 40 (the catalog's `/OpenAction`) at
/// an offset past the end of the file; after signing, an update puts a JavaScript action
/// exactly there, listing only an `/Info` change itself. (kyso refuses to sign a file whose
/// entry points at no object, so the signed file is made by hand, in one revision.)
fn entry_past_signed_bytes(signer: &TestSigner) -> Vec<u8> {
    let planted = 40u32;
    let catalog =
        format!("<< /Type /Catalog /Pages 2 0 R /AcroForm 5 0 R /OpenAction {planted} 0 R >>");
    let plant = |at: usize| {
        move |base: Vec<u8>| -> Vec<u8> {
            // Byte-wise: the header comment is binary.
            let trailer = rfind(&base, b"trailer\n");
            let size = obj::NEXT + 1;
            let mut fixed = base[..trailer].to_vec();
            write!(fixed, "{planted} 1\n{at:010} 00000 n\r\n").unwrap();
            let rest = s(&base[trailer..]).replace(
                &format!("/Size {size} "),
                &format!("/Size {} ", planted + 1),
            );
            assert_ne!(rest, s(&base[trailer..]), "/Size {size} not found");
            fixed.extend_from_slice(rest.as_bytes());
            fixed
        }
    };
    let (probe, _) = dossier_signed_by_hand_with(signer, 0, "", Some(catalog.clone()), plant(0));
    let at = probe.len();
    let (signed, _) = dossier_signed_by_hand_with(signer, 0, "", Some(catalog), plant(at));
    assert_eq!(
        signed.len(),
        at,
        "the signed length must not depend on the planted offset"
    );
    let (size, prev) = last_section(&signed);
    let mut out = signed.clone();
    write!(
        out,
        "{planted} 0 obj\n<< /S /JavaScript /JS (app.alert('paid')) >>\nendobj\n"
    )
    .unwrap();
    let entries = write_objects(&mut out, &[(obj::INFO, "<< /Title (x) >>".to_string())]);
    write_section(&mut out, &entries, size, prev, "/Info 11 0 R", 0);
    out
}
