//! The rules on small hand-written documents: a signed base revision and one update.
//! Compiled only under `#[cfg(test)]` (declared in `mod.rs`).

use super::analyse;
use crate::pdf::testing::build;
use crate::pdf::Document;
use crate::report::{Code, ModificationLevel, Modifications};

const SIG: &str = "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached \
                   /ByteRange [0 1 2 3] /Contents <00> >>";
const TIMESTAMP: &str = "<< /Type /DocTimeStamp /Filter /Adobe.PPKLite \
                         /SubFilter /ETSI.RFC3161 /ByteRange [0 1 2 3] /Contents <00> >>";
const FORM: &str =
    "<< /Type /XObject /Subtype /Form /BBox [0 0 10 10] /Length 3 >>\nstream\n0 g\nendstream";
const FORM2: &str =
    "<< /Type /XObject /Subtype /Form /BBox [0 0 10 10] /Length 3 >>\nstream\n1 g\nendstream";
const XMP: &str = "<< /Type /Metadata /Subtype /XML /Length 3 >>\nstream\n<a>\nendstream";
const XMP2: &str = "<< /Type /Metadata /Subtype /XML /Length 3 >>\nstream\n<b>\nendstream";

/// A signed base: page 3 with field 5 (signed, value 6) and empty field 7 whose widget
/// shows appearance 8; `extra` objects and trailer entries are added to it.
fn base<'a>(extra: &[(u32, &'a str)]) -> Vec<(u32, &'a str)> {
    let mut v: Vec<(u32, &str)> = vec![
        (1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 4 0 R >>"),
        (2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
        (
            3,
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 9 0 R \
             /Annots [5 0 R 7 0 R] >>",
        ),
        (4, "<< /Fields [5 0 R 7 0 R] /SigFlags 3 >>"),
        (
            5,
            "<< /FT /Sig /T (Sig1) /Type /Annot /Subtype /Widget /Rect [0 0 1 1] /P 3 0 R \
             /V 6 0 R >>",
        ),
        (6, SIG),
        (
            7,
            "<< /FT /Sig /T (Sig2) /Type /Annot /Subtype /Widget /Rect [0 0 10 10] /P 3 0 R \
             /AP << /N 8 0 R >> >>",
        ),
        (8, FORM),
        (9, "<< /Length 3 >>\nstream\n0 g\nendstream"),
    ];
    v.extend_from_slice(extra);
    v
}

/// Signing field 7 in the update, with `more` objects.
fn sign_field_7<'a>(more: &[(u32, &'a str)]) -> Vec<(u32, &'a str)> {
    let mut v: Vec<(u32, &str)> = vec![
        (
            7,
            "<< /FT /Sig /T (Sig2) /Type /Annot /Subtype /Widget /Rect [0 0 10 10] /P 3 0 R \
             /AP << /N 8 0 R >> /V 20 0 R /F 132 >>",
        ),
        (20, SIG),
    ];
    v.extend_from_slice(more);
    v
}

fn mods(bytes: &[u8]) -> (Modifications, Vec<Code>) {
    let doc = Document::open(bytes).unwrap();
    let (m, findings) = analyse(&doc, 0);
    (m, findings.iter().map(|f| f.code).collect())
}

fn assert_allowed(bytes: &[u8], level: ModificationLevel) {
    let (m, codes) = mods(bytes);
    assert!(m.allowed, "expected allowed: {:?} {codes:?}", m.changes);
    assert_eq!(m.level, level, "{:?}", m.changes);
}

fn assert_disallowed(bytes: &[u8], needle: &str) {
    let (m, codes) = mods(bytes);
    assert!(!m.allowed, "expected disallowed: {:?}", m.changes);
    assert!(codes.contains(&Code::ModificationDisallowed));
    assert!(
        m.changes
            .iter()
            .any(|c| c.level == ModificationLevel::Other && c.description.contains(needle)),
        "no disallowed change mentions {needle:?}: {:?}",
        m.changes
    );
}

#[test]
fn signing_an_empty_field_and_redrawing_its_own_appearance_is_form_filling() {
    let b = base(&[]);
    assert_allowed(
        &build(&[(&b, ""), (&sign_field_7(&[]), "")]),
        ModificationLevel::FormFilling,
    );
    let with_ap = sign_field_7(&[(8, FORM2)]);
    assert_allowed(
        &build(&[(&b, ""), (&with_ap, "")]),
        ModificationLevel::FormFilling,
    );
}

#[test]
fn redrawing_an_appearance_used_elsewhere_is_not_allowed() {
    let b = base(&[]);
    let mut b2 = b.clone();
    b2[0] = (
        1,
        "<< /Type /Catalog /Pages 2 0 R /AcroForm 4 0 R /FooBar 8 0 R >>",
    );
    let upd = sign_field_7(&[(8, FORM2)]);
    assert_disallowed(&build(&[(&b2, ""), (&upd, "")]), "/FooBar");
    // Used from the trailer.
    assert_disallowed(&build(&[(&b, "/FooBar 8 0 R"), (&upd, "")]), "trailer");
    // Redrawn without signing the field it belongs to.
    let no_sign: Vec<(u32, &str)> = vec![(8, FORM2)];
    assert_disallowed(&build(&[(&b, ""), (&no_sign, "")]), "form XObject");
}

#[test]
fn a_signed_field_may_not_change_its_appearance() {
    let b = base(&[(10, FORM)]);
    let upd: Vec<(u32, &str)> = vec![(
        5,
        "<< /FT /Sig /T (Sig1) /Type /Annot /Subtype /Widget /Rect [0 0 1 1] /P 3 0 R \
         /V 6 0 R /AP << /N 10 0 R >> >>",
    )];
    assert_disallowed(&build(&[(&b, ""), (&upd, "")]), "signed signature field");
}

#[test]
fn info_may_change_only_when_nothing_else_uses_it() {
    let b = base(&[(11, "<< /Producer (a) >>")]);
    let upd: Vec<(u32, &str)> = vec![(11, "<< /Producer (b) >>")];
    assert_allowed(
        &build(&[(&b, "/Info 11 0 R"), (&upd, "/Info 11 0 R")]),
        ModificationLevel::LtvUpdates,
    );
    // The same dictionary also serves as the page's resources.
    let mut shared = b.clone();
    shared[2] = (
        3,
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 9 0 R \
         /Resources 11 0 R /Annots [5 0 R 7 0 R] >>",
    );
    assert_disallowed(
        &build(&[(&shared, "/Info 11 0 R"), (&upd, "/Info 11 0 R")]),
        "/Resources",
    );
}

#[test]
fn xml_metadata_may_change_only_when_used_as_metadata() {
    let mut b = base(&[(12, XMP)]);
    b[0] = (
        1,
        "<< /Type /Catalog /Pages 2 0 R /AcroForm 4 0 R /Metadata 12 0 R >>",
    );
    let upd: Vec<(u32, &str)> = vec![(12, XMP2)];
    assert_allowed(
        &build(&[(&b, ""), (&upd, "")]),
        ModificationLevel::LtvUpdates,
    );
    let mut shared = b.clone();
    shared[2] = (
        3,
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 12 0 R \
         /Annots [5 0 R 7 0 R] >>",
    );
    assert_disallowed(&build(&[(&shared, ""), (&upd, "")]), "/Contents");
}

#[test]
fn catalog_version_extensions_and_metadata_may_be_added() {
    let b = base(&[]);
    let upd: Vec<(u32, &str)> = vec![
        (
            1,
            "<< /Type /Catalog /Pages 2 0 R /AcroForm 4 0 R /Version /2.0 \
             /Extensions << /ISO_ [<< /Type /DeveloperExtensions /BaseVersion /2.0 \
             /ExtensionLevel 32002 >>] >> /Metadata 13 0 R >>",
        ),
        (13, XMP),
    ];
    assert_allowed(
        &build(&[(&b, ""), (&upd, "")]),
        ModificationLevel::LtvUpdates,
    );
    // Anything else in the catalog is not.
    let open: Vec<(u32, &str)> = vec![(
        1,
        "<< /Type /Catalog /Pages 2 0 R /AcroForm 4 0 R /OpenAction 3 0 R >>",
    )];
    assert_disallowed(&build(&[(&b, ""), (&open, "")]), "/OpenAction");
}

#[test]
fn the_extensions_dictionary_may_change_unless_shared() {
    let mut b = base(&[(14, "<< >>")]);
    b[0] = (
        1,
        "<< /Type /Catalog /Pages 2 0 R /AcroForm 4 0 R /Extensions 14 0 R >>",
    );
    let upd: Vec<(u32, &str)> = vec![(
        14,
        "<< /ESIC << /Type /DeveloperExtensions /BaseVersion /1.7 /ExtensionLevel 1 >> >>",
    )];
    assert_allowed(
        &build(&[(&b, ""), (&upd, "")]),
        ModificationLevel::LtvUpdates,
    );
    let mut shared = b.clone();
    shared[0] = (
        1,
        "<< /Type /Catalog /Pages 2 0 R /AcroForm 4 0 R /Extensions 14 0 R \
         /DontOverrideMe 14 0 R >>",
    );
    assert_disallowed(&build(&[(&shared, ""), (&upd, "")]), "/DontOverrideMe");
}

#[test]
fn the_security_store_may_grow_and_a_timestamp_is_ltv() {
    let mut b = base(&[
        (15, "<< /Certs 16 0 R >>"),
        (16, "[17 0 R]"),
        (17, "<< /Length 1 >>\nstream\nx\nendstream"),
    ]);
    b[0] = (
        1,
        "<< /Type /Catalog /Pages 2 0 R /AcroForm 4 0 R /DSS 15 0 R >>",
    );
    let upd: Vec<(u32, &str)> = vec![
        (15, "<< /Certs 16 0 R /OCSPs [18 0 R] >>"),
        (16, "[17 0 R 18 0 R]"),
        (18, "<< /Length 1 >>\nstream\ny\nendstream"),
        (4, "<< /Fields [5 0 R 7 0 R 19 0 R] /SigFlags 3 >>"),
        (
            3,
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 9 0 R \
             /Annots [5 0 R 7 0 R 19 0 R] >>",
        ),
        (
            19,
            "<< /FT /Sig /T (TS) /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R \
             /V 21 0 R >>",
        ),
        (21, TIMESTAMP),
    ];
    assert_allowed(
        &build(&[(&b, ""), (&upd, "")]),
        ModificationLevel::LtvUpdates,
    );
    // A store array that the page also uses is not the store's to change.
    let mut shared = b.clone();
    shared[2] = (
        3,
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 9 0 R \
         /Annots [5 0 R 7 0 R] /Foo 16 0 R >>",
    );
    let grow: Vec<(u32, &str)> = vec![
        (16, "[17 0 R 18 0 R]"),
        (18, "<< /Length 1 >>\nstream\ny\nendstream"),
    ];
    assert_disallowed(&build(&[(&shared, ""), (&grow, "")]), "/Foo");
}

#[test]
fn a_new_acroform_object_is_judged_against_the_old_one() {
    let b = base(&[]);
    let upd: Vec<(u32, &str)> = vec![
        (1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 22 0 R >>"),
        (22, "<< /Fields [5 0 R 7 0 R 23 0 R] /SigFlags 3 >>"),
        (23, "<< /FT /Tx /T (Text) /V (changed) >>"),
    ];
    assert_disallowed(&build(&[(&b, ""), (&upd, "")]), "23 0 R");
}

#[test]
fn a_widget_listed_only_in_kids_of_a_new_signature_field_is_accepted() {
    let b = base(&[]);
    let upd: Vec<(u32, &str)> = vec![
        (4, "<< /Fields [5 0 R 7 0 R 24 0 R] /SigFlags 3 >>"),
        (
            3,
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 9 0 R \
             /Annots [5 0 R 7 0 R 25 0 R] >>",
        ),
        (24, "<< /FT /Sig /T (Sig3) /Kids 26 0 R /V 27 0 R >>"),
        (
            25,
            "<< /Type /Annot /Subtype /Widget /Rect [0 0 1 1] /P 3 0 R >>",
        ),
        (26, "[25 0 R]"),
        (27, SIG),
    ];
    assert_allowed(
        &build(&[(&b, ""), (&upd, "")]),
        ModificationLevel::FormFilling,
    );
    // A widget that belongs to no signature field is content.
    let stray: Vec<(u32, &str)> = vec![
        (
            3,
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 9 0 R \
             /Annots [5 0 R 7 0 R 25 0 R] >>",
        ),
        (
            25,
            "<< /Type /Annot /Subtype /Widget /Rect [0 0 1 1] /P 3 0 R >>",
        ),
    ];
    assert_disallowed(&build(&[(&b, ""), (&stray, "")]), "25 0 R");
}

#[test]
fn store_objects_shared_with_page_content_stay_content() {
    // The signed revision already lists the page's resources (28) as a VRI entry: the
    // font they name (29) is not a store object, and the resources are not only the store's.
    let mut b = base(&[
        (15, "<< /VRI << /ABC 28 0 R >> >>"),
        (28, "<< /Font << /F1 29 0 R >> /Cert 30 0 R >>"),
        (29, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"),
        (30, "[]"),
    ]);
    b[0] = (
        1,
        "<< /Type /Catalog /Pages 2 0 R /AcroForm 4 0 R /DSS 15 0 R >>",
    );
    b[2] = (
        3,
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 9 0 R \
         /Resources 28 0 R /Annots [5 0 R 7 0 R] >>",
    );
    let font: Vec<(u32, &str)> = vec![(29, "<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>")];
    assert_disallowed(&build(&[(&b, ""), (&font, "")]), "/Font");
    let resources: Vec<(u32, &str)> = vec![(28, "<< /Font << /F1 29 0 R >> >>")];
    assert_disallowed(&build(&[(&b, ""), (&resources, "")]), "/Resources");
    // The /Cert array of the shared entry: its only user is used by the page too.
    let cert: Vec<(u32, &str)> = vec![(30, "[9 0 R]")];
    assert_disallowed(&build(&[(&b, ""), (&cert, "")]), "/Resources");
}
