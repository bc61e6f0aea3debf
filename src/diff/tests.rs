//! The rules on small hand-written documents: a signed base revision and one update.
//! Compiled only under `#[cfg(test)]` (declared in `mod.rs`).

use super::analyse;
use crate::pdf::testing::build;
use crate::pdf::{Document, XrefEntry};
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

// ---------------------------------------------------------------------------------------
// Form filling, annotations, permissions.

use super::mdp::{Certification, FieldLock, LockAction, Policy};
use super::{analyse_with, RevisionCache};

const TEXT_AP: &str =
    "<< /Type /XObject /Subtype /Form /BBox [0 0 100 20] /Length 3 >>\nstream\n0 g\nendstream";
const TEXT_AP2: &str =
    "<< /Type /XObject /Subtype /Form /BBox [0 0 100 20] /Length 3 >>\nstream\n1 g\nendstream";

/// A signed base with a text field `Name` (30, merged with its widget, appearance 31), a
/// check box `Agree` (32) with widget kid 33, a sticky note 35 and field 5 signed.
fn form_base<'a>() -> Vec<(u32, &'a str)> {
    let mut b = base(&[
        (
            30,
            "<< /FT /Tx /T (Name) /V (Alice) /Type /Annot /Subtype /Widget /Rect [0 0 100 20] \
             /P 3 0 R /AP << /N 31 0 R >> >>",
        ),
        (31, TEXT_AP),
        (32, "<< /FT /Btn /T (Agree) /V /Off /Kids [33 0 R] >>"),
        (
            33,
            "<< /Type /Annot /Subtype /Widget /Parent 32 0 R /Rect [0 30 10 40] /P 3 0 R \
             /AS /Off /AP << /N << /Yes 31 0 R /Off 31 0 R >> >> >>",
        ),
        (
            35,
            "<< /Type /Annot /Subtype /Text /Rect [50 50 60 60] /Contents (note) /P 3 0 R >>",
        ),
    ]);
    b[2] = (
        3,
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 9 0 R \
         /Annots [5 0 R 7 0 R 30 0 R 33 0 R 35 0 R] >>",
    );
    b[3] = (4, "<< /Fields [5 0 R 7 0 R 30 0 R 32 0 R] /SigFlags 3 >>");
    b
}

fn with_policy(bytes: &[u8], policy: &Policy) -> (Modifications, Vec<Code>) {
    let doc = Document::open(bytes).unwrap();
    let (m, findings) = analyse_with(&doc, &RevisionCache::new(), 0, policy);
    (m, findings.iter().map(|f| f.code).collect())
}

fn certified(p: u8) -> Policy {
    let mut policy = Policy::default_policy();
    policy.certification = Some(Certification {
        p,
        signature: None,
        is_self: true,
        note: None,
    });
    policy
}

#[test]
fn filling_a_text_field_with_a_new_appearance_is_form_filling() {
    let b = form_base();
    let fill: Vec<(u32, &str)> = vec![
        (
            30,
            "<< /FT /Tx /T (Name) /V (Bob) /Type /Annot /Subtype /Widget /Rect [0 0 100 20] \
             /P 3 0 R /AP << /N 36 0 R >> >>",
        ),
        (36, TEXT_AP2),
    ];
    let bytes = build(&[(&b, ""), (&fill, "")]);
    assert_allowed(&bytes, ModificationLevel::FormFilling);
    let (m, _) = mods(&bytes);
    let field_change = m
        .changes
        .iter()
        .find(|c| c.field.as_deref() == Some("Name") && c.rule == "form field")
        .unwrap();
    // The record carries the old and new value; the appearance stream's record does not.
    assert_eq!(field_change.old_value.as_deref(), Some("Alice"));
    assert_eq!(field_change.new_value.as_deref(), Some("Bob"));
    assert_eq!(
        m.changes.iter().filter(|c| c.new_value.is_some()).count(),
        1,
        "{:?}",
        m.changes
    );
    // Redrawn in place: the appearance stream itself is rewritten.
    let in_place: Vec<(u32, &str)> = vec![
        (
            30,
            "<< /FT /Tx /T (Name) /V (Bob) /Type /Annot /Subtype /Widget /Rect [0 0 100 20] \
             /P 3 0 R /AP << /N 31 0 R >> >>",
        ),
        (31, TEXT_AP2),
    ];
    // 31 is also the check box's appearance, whose value did not change.
    assert_disallowed(&build(&[(&b, ""), (&in_place, "")]), "33 0 R");
    // A field lock on "Name" forbids it; on another field it does not.
    let mut policy = Policy::default_policy();
    policy.lock = Some(FieldLock {
        action: LockAction::Include,
        fields: vec!["Name".into()],
    });
    let (m, codes) = with_policy(&bytes, &policy);
    assert!(!m.allowed && codes.contains(&Code::ModificationFieldLocked));
    policy.lock = Some(FieldLock {
        action: LockAction::Exclude,
        fields: vec!["Name".into()],
    });
    assert!(with_policy(&bytes, &policy).0.allowed);
    // P2 permits form filling; P1 does not.
    assert!(with_policy(&bytes, &certified(2)).0.allowed);
    let (m, codes) = with_policy(&bytes, &certified(1));
    assert!(!m.allowed && codes.contains(&Code::ModificationDocMdpViolation));
}

#[test]
fn form_filling_is_only_value_appearance_and_read_only() {
    let b = form_base();
    let field = |rest: &str| {
        format!(
            "<< /FT /Tx /T (Name) /Type /Annot /Subtype /Widget /P 3 0 R \
             /AP << /N 31 0 R >> {rest} >>"
        )
    };
    let cases: Vec<(String, Option<&str>)> = vec![
        // Appearance redrawn without a value change.
        (
            field("/V (Alice) /Rect [0 0 100 20] /AP << /N 8 0 R >>")
                .replace("/AP << /N 31 0 R >> /V", "/V"),
            Some("appearance changed although its value did not"),
        ),
        // The widget moved.
        (field("/V (Bob) /Rect [0 0 200 20]"), Some("/Rect changed")),
        // Becoming read-only is fine.
        (field("/V (Bob) /Rect [0 0 100 20] /Ff 1"), None),
        // Other flags are not.
        (
            field("/V (Bob) /Rect [0 0 100 20] /Ff 4096"),
            Some("flags changed"),
        ),
    ];
    for (body, expect) in cases {
        let upd: Vec<(u32, &str)> = vec![(30, body.as_str())];
        let bytes = build(&[(&b, ""), (&upd, "")]);
        match expect {
            None => assert_allowed(&bytes, ModificationLevel::FormFilling),
            Some(needle) => assert_disallowed(&bytes, needle),
        }
    }
    // A read-only field's value may not change.
    let mut ro = b.clone();
    ro.push((
        40,
        "<< /FT /Tx /T (Fixed) /Ff 1 /V (42) /Type /Annot /Subtype /Widget /Rect [0 0 1 1] >>",
    ));
    ro[3] = (
        4,
        "<< /Fields [5 0 R 7 0 R 30 0 R 32 0 R 40 0 R] /SigFlags 3 >>",
    );
    let upd: Vec<(u32, &str)> = vec![(
        40,
        "<< /FT /Tx /T (Fixed) /Ff 1 /V (43) /Type /Annot /Subtype /Widget /Rect [0 0 1 1] >>",
    )];
    assert_disallowed(&build(&[(&ro, ""), (&upd, "")]), "read-only");
}

#[test]
fn a_check_box_state_must_follow_its_value() {
    let b = form_base();
    let check = |state: &str| {
        format!(
            "<< /Type /Annot /Subtype /Widget /Parent 32 0 R /Rect [0 30 10 40] /P 3 0 R \
             /AS /{state} /AP << /N << /Yes 31 0 R /Off 31 0 R >> >> >>"
        )
    };
    let yes = check("Yes");
    let ok: Vec<(u32, &str)> = vec![
        (32, "<< /FT /Btn /T (Agree) /V /Yes /Kids [33 0 R] >>"),
        (33, yes.as_str()),
    ];
    assert_allowed(
        &build(&[(&b, ""), (&ok, "")]),
        ModificationLevel::FormFilling,
    );
    // The widget shows "Yes" but the value says "Off".
    let lie: Vec<(u32, &str)> = vec![
        (32, "<< /FT /Btn /T (Agree) /V /Maybe /Kids [33 0 R] >>"),
        (33, yes.as_str()),
    ];
    assert_disallowed(&build(&[(&b, ""), (&lie, "")]), "shows state /Yes");
    // The state changes although the value did not.
    let no_value: Vec<(u32, &str)> = vec![(33, yes.as_str())];
    assert_disallowed(
        &build(&[(&b, ""), (&no_value, "")]),
        "the field's value did not",
    );
}

#[test]
fn markup_annotations_are_level_three() {
    let b = form_base();
    let page = |annots: &str| {
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 9 0 R \
             /Annots [{annots}] >>"
        )
    };
    let added = page("5 0 R 7 0 R 30 0 R 33 0 R 35 0 R 41 0 R");
    let add: Vec<(u32, &str)> = vec![
        (3, added.as_str()),
        (
            41,
            "<< /Type /Annot /Subtype /FreeText /Rect [0 0 100 100] /Contents (PAID) \
             /DA (/Helv 40 Tf) >>",
        ),
    ];
    let removed = page("5 0 R 7 0 R 30 0 R 33 0 R");
    let remove: Vec<(u32, &str)> = vec![(3, removed.as_str())];
    let change: Vec<(u32, &str)> = vec![(
        35,
        "<< /Type /Annot /Subtype /Text /Rect [50 50 60 60] /Contents (edited) /P 3 0 R >>",
    )];
    for upd in [&add, &remove, &change] {
        let bytes = build(&[(&b, ""), (upd, "")]);
        // Not allowed by default nor by P2 (the Evil Annotation attack) ...
        let (m, codes) = mods(&bytes);
        assert!(!m.allowed, "{:?}", m.changes);
        assert_eq!(m.level, ModificationLevel::Annotations, "{:?}", m.changes);
        assert!(codes.contains(&Code::ModificationDisallowed));
        let (m, codes) = with_policy(&bytes, &certified(2));
        assert!(!m.allowed && codes.contains(&Code::ModificationDocMdpViolation));
        // ... but by P3, with a warning.
        let (m, codes) = with_policy(&bytes, &certified(3));
        assert!(m.allowed, "{:?}", m.changes);
        assert!(codes.contains(&Code::ModificationAnnotations));
    }
    // A link is not a markup annotation.
    let link = page("5 0 R 7 0 R 30 0 R 33 0 R 35 0 R 42 0 R");
    let add_link: Vec<(u32, &str)> = vec![
        (3, link.as_str()),
        (
            42,
            "<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] /A << /S /URI /URI (x) >> >>",
        ),
    ];
    assert_disallowed(&build(&[(&b, ""), (&add_link, "")]), "42 0 R was added");
    // Removing the signed field's widget is not removing a comment.
    let drop_widget = page("7 0 R 30 0 R 33 0 R 35 0 R");
    let drop: Vec<(u32, &str)> = vec![(3, drop_widget.as_str())];
    assert_disallowed(&build(&[(&b, ""), (&drop, "")]), "removed");
}

#[test]
fn a_new_visible_signature_field_after_certification_is_a_sneaky_signature() {
    let b = base(&[]);
    let new_field = |rect: &str| {
        vec![
            (
                3,
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 9 0 R \
                 /Annots [5 0 R 7 0 R 43 0 R] >>"
                    .to_string(),
            ),
            (
                4,
                "<< /Fields [5 0 R 7 0 R 43 0 R] /SigFlags 3 >>".to_string(),
            ),
            (
                43,
                format!(
                    "<< /FT /Sig /T (Sneaky) /Type /Annot /Subtype /Widget /Rect {rect} \
                     /P 3 0 R /V 44 0 R >>"
                ),
            ),
            (44, SIG.to_string()),
        ]
    };
    let visible = new_field("[0 0 100 100]");
    let visible: Vec<(u32, &str)> = visible.iter().map(|(n, s)| (*n, s.as_str())).collect();
    let bytes = build(&[(&b, ""), (&visible, "")]);
    // Without certification: an ordinary approval signature.
    assert_allowed(&bytes, ModificationLevel::FormFilling);
    let (m, codes) = with_policy(&bytes, &certified(2));
    assert!(!m.allowed);
    assert!(codes.contains(&Code::ModificationNewVisibleSignatureField));
    // An invisible one is fine after certification, and so is signing the field the
    // certifier prepared (field 7, visible).
    let invisible = new_field("[0 0 0 0]");
    let invisible: Vec<(u32, &str)> = invisible.iter().map(|(n, s)| (*n, s.as_str())).collect();
    assert!(
        with_policy(&build(&[(&b, ""), (&invisible, "")]), &certified(2))
            .0
            .allowed
    );
    let prepared = build(&[(&b, ""), (&sign_field_7(&[]), "")]);
    assert!(with_policy(&prepared, &certified(2)).0.allowed);
    // P1 allows no signature at all.
    assert!(!with_policy(&prepared, &certified(1)).0.allowed);
    // A prepared field that was hidden, shown when signed: the same trick.
    let mut hidden = b.clone();
    hidden[6] = (
        7,
        "<< /FT /Sig /T (Sig2) /Type /Annot /Subtype /Widget /Rect [0 0 10 10] /P 3 0 R \
         /AP << /N 8 0 R >> /F 2 >>",
    );
    let shown = build(&[(&hidden, ""), (&sign_field_7(&[]), "")]);
    assert_allowed(&shown, ModificationLevel::FormFilling);
    let (m, codes) = with_policy(&shown, &certified(2));
    assert!(!m.allowed && codes.contains(&Code::ModificationNewVisibleSignatureField));
}

#[test]
fn a_new_object_the_signed_revision_already_referred_to_is_not_new() {
    let mut b = base(&[]);
    b[0] = (
        1,
        "<< /Type /Catalog /Pages 2 0 R /AcroForm 4 0 R /OpenAction 45 0 R >>",
    );
    let upd: Vec<(u32, &str)> = vec![(45, "<< /S /JavaScript /JS (app.alert(1)) >>")];
    assert_disallowed(&build(&[(&b, ""), (&upd, "")]), "signed as null");
}

#[test]
fn rewriting_an_indirect_stream_length_is_named() {
    let b = base(&[
        (46, "<< /Length 47 0 R >>\nstream\n0 g\nendstream"),
        (47, "3"),
    ]);
    let upd: Vec<(u32, &str)> = vec![(47, "2")];
    assert_disallowed(&build(&[(&b, ""), (&upd, "")]), "/Length");
}

// ---------------------------------------------------------------------------------------
// Structure.

/// Inserts `extra` just before the last `xref` keyword and shifts the final `startxref`.
fn insert_before_last_xref(bytes: &[u8], extra: &[u8]) -> Vec<u8> {
    let at = bytes.windows(5).rposition(|w| w == b"xref\n").unwrap();
    let at = if bytes[at - 1] == b't' {
        // "startxref": find the section before it.
        bytes[..at]
            .windows(5)
            .rposition(|w| w == b"\nxref")
            .unwrap()
            + 1
    } else {
        at
    };
    let mut out = bytes[..at].to_vec();
    out.extend_from_slice(extra);
    out.extend_from_slice(&bytes[at..]);
    let sx = out.windows(10).rposition(|w| w == b"startxref\n").unwrap() + 10;
    let end = sx + out[sx..].iter().position(|&b| b == b'\n').unwrap();
    let value: usize = std::str::from_utf8(&out[sx..end]).unwrap().parse().unwrap();
    let mut fixed = out[..sx].to_vec();
    fixed.extend_from_slice((value + extra.len()).to_string().as_bytes());
    fixed.extend_from_slice(&out[end..]);
    fixed
}

fn assert_structure(bytes: &[u8], needle: &str) {
    let (m, codes) = mods(bytes);
    assert!(!m.allowed, "expected disallowed: {:?}", m.changes);
    assert!(codes.contains(&Code::ModificationStructure), "{codes:?}");
    assert!(
        m.changes
            .iter()
            .any(|c| c.rule == "structure" && c.description.contains(needle)),
        "no structural change mentions {needle:?}: {:?}",
        m.changes
    );
}

#[test]
fn objects_outside_the_section_and_second_definitions_are_structure() {
    let b = base(&[]);
    let upd: Vec<(u32, &str)> = vec![(11, "<< /Producer (x) >>")];
    let honest = build(&[(&b, ""), (&upd, "/Info 11 0 R")]);
    assert!(mods(&honest).0.allowed);
    let stray = insert_before_last_xref(
        &honest,
        b"9 0 obj\n<< /Length 3 >>\nstream\n1 g\nendstream\nendobj\n",
    );
    assert_structure(&stray, "second definition of 9 0 R");
    let unlisted = insert_before_last_xref(&honest, b"60 0 obj\n(hidden)\nendobj\n");
    assert_structure(&unlisted, "no cross-reference section lists it");
    let orphan_section =
        insert_before_last_xref(&honest, b"xref\n0 1\n0000000000 65535 f \ntrailer\n<< >>\n");
    assert_structure(&orphan_section, "outside the cross-reference section");
}

/// Red-team finding: object headers every PDF lexer reads but a plain `num gen obj` scan
/// does not — a comment before `obj` or between the numbers, more than ten digits, a padded
/// generation — still count as objects outside the section (fail closed).
#[test]
fn second_definitions_with_unusual_headers_are_structure() {
    let b = base(&[]);
    let upd: Vec<(u32, &str)> = vec![(11, "<< /Producer (x) >>")];
    let honest = build(&[(&b, ""), (&upd, "/Info 11 0 R")]);
    let body = b"<< /Length 3 >>\nstream\n1 g\nendstream\nendobj\n";
    for (header, needle) in [
        (&b"9 0 %x\nobj\n"[..], "'obj' keyword"),
        (&b"9 %x\n0 obj\n"[..], "'obj' keyword"),
        (&b"00000000009 0 obj\n"[..], "second definition of 9 0 R"),
        (&b"9 000000000000 obj\n"[..], "second definition of 9 0 R"),
    ] {
        let stray = insert_before_last_xref(&honest, &[header, &body[..]].concat());
        assert_structure(&stray, needle);
    }
}

#[test]
fn entries_that_miss_their_objects_are_corrected_and_structure() {
    // ISO 32000-2 §7.5.4. An entry whose offset holds another object is corrected when the
    // file is read (issue 19 §4: the revision says so and the verifier reports the damage);
    // the analysis then sees the revision's own definition.
    let b = base(&[]);
    let upd: Vec<(u32, &str)> = vec![(11, "<< /Producer (x) >>"), (12, "<< /Producer (y) >>")];
    let honest = build(&[(&b, ""), (&upd, "/Info 11 0 R")]);
    // Point 12's entry at 11's definition.
    let text = String::from_utf8_lossy(&honest).into_owned();
    let off11 = text.rfind("11 0 obj").unwrap();
    let off12 = text.rfind("12 0 obj").unwrap();
    let wrong = text.replace(
        &format!("12 1\n{off12:010} 00000 n"),
        &format!("12 1\n{off11:010} 00000 n"),
    );
    let doc = Document::open(wrong.as_bytes()).unwrap();
    let last = doc.revisions().last().unwrap();
    assert!(
        last.repaired
            .as_deref()
            .is_some_and(|w| w.contains("12 0 R")),
        "{:?}",
        last.repaired
    );
    assert!(!last.reconstructed);
    assert_eq!(
        last.corrected,
        vec![(
            12,
            XrefEntry::InFile {
                offset: off11 as u64,
                gen: 0
            }
        )]
    );
    assert_eq!(
        last.entry(12),
        Some(XrefEntry::InFile {
            offset: off12 as u64,
            gen: 0
        })
    );
    // In an update, such an entry stays a structure change: a viewer that trusts the entry
    // and one that rebuilds the table read different objects.
    assert_structure(wrong.as_bytes(), "where another object or none is defined");
}

#[test]
fn repeated_keys_and_second_catalogs_are_structure() {
    let b = base(&[]);
    let dup: Vec<(u32, &str)> = vec![(
        1,
        "<< /Type /Catalog /Pages 2 0 R /AcroForm 4 0 R /Pages 2 0 R >>",
    )];
    assert_structure(&build(&[(&b, ""), (&dup, "")]), "repeats the key /Pages");
    let second: Vec<(u32, &str)> = vec![(48, "<< /Type /Catalog /Pages 2 0 R >>")];
    assert_structure(
        &build(&[(&b, ""), (&second, "")]),
        "second document catalog",
    );
    let trailer = build(&[(&b, ""), (&second, "/Root 1 0 R")]);
    assert_structure(&trailer, "trailer repeats the key /Root");
}

#[test]
fn a_startxref_on_the_white_space_before_the_section_is_fine_and_elsewhere_is_not() {
    let b = base(&[]);
    let upd: Vec<(u32, &str)> = vec![(11, "<< /Producer (x) >>")];
    let honest = build(&[(&b, ""), (&upd, "/Info 11 0 R")]);
    let shift = |by: i64| {
        let sx = honest
            .windows(10)
            .rposition(|w| w == b"startxref\n")
            .unwrap()
            + 10;
        let end = sx + honest[sx..].iter().position(|&c| c == b'\n').unwrap();
        let v: i64 = std::str::from_utf8(&honest[sx..end])
            .unwrap()
            .parse()
            .unwrap();
        let mut out = honest[..sx].to_vec();
        out.extend_from_slice((v + by).to_string().as_bytes());
        out.extend_from_slice(&honest[end..]);
        out
    };
    // One byte early: the newline after "endobj".
    assert!(mods(&shift(-1)).0.allowed);
    // Four bytes early: inside "endobj".
    assert_structure(&shift(-4), "not where the section is");
}

#[test]
fn a_repeated_startxref_to_the_same_section_is_harmless() {
    let b = base(&[]);
    let upd: Vec<(u32, &str)> = vec![(11, "<< /Producer (x) >>")];
    let mut bytes = build(&[(&b, ""), (&upd, "/Info 11 0 R")]);
    let sx = bytes
        .windows(10)
        .rposition(|w| w == b"startxref\n")
        .unwrap();
    let tail = bytes[sx..].to_vec();
    let mut repeated = bytes.clone();
    repeated.extend_from_slice(&tail);
    assert!(mods(&repeated).0.allowed, "{:?}", mods(&repeated).0.changes);
    // One that leads elsewhere is a second trailer.
    bytes.extend_from_slice(b"startxref\n9\n%%EOF\n");
    bytes.extend_from_slice(&tail);
    assert_structure(&bytes, "'startxref'");
}

// ---------------------------------------------------------------------------------------
// Permissions read as a viewer reads them (ISO 32000-2 §7.3.10: any value may be
// indirect): a certification or lock that cannot be read is the strictest one.

/// The certification policy of signature 6 when its DocMDP reference is `reference` and
/// `extra` objects are added.
fn docmdp_policy(reference: &str, extra: &[(u32, &str)]) -> Policy {
    let sig = format!(
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached \
         /ByteRange [0 1 2 3] /Contents <00> /Reference [{reference}] >>"
    );
    let mut b = base(extra);
    b[0] = (
        1,
        "<< /Type /Catalog /Pages 2 0 R /AcroForm 4 0 R /Perms << /DocMDP 6 0 R >> >>",
    );
    b[5] = (6, &sig);
    let bytes = build(&[(&b, "")]);
    let doc = Document::open(bytes.as_slice()).unwrap();
    let dict = doc
        .get(0, crate::pdf::ObjRef::new(6, 0))
        .unwrap()
        .unwrap()
        .as_dict()
        .unwrap()
        .clone();
    super::mdp::policy_for(
        &doc,
        0,
        Some(crate::pdf::ObjRef::new(6, 0)),
        &dict,
        &["Sig1".to_string()],
    )
}

fn docmdp_level(policy: &Policy) -> u8 {
    policy.certification.as_ref().map(|c| c.p).unwrap_or(0)
}

#[test]
fn an_indirect_docmdp_permission_is_followed() {
    let p = docmdp_policy(
        "<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /P 40 0 R >> >>",
        &[(40, "1")],
    );
    assert_eq!(docmdp_level(&p), 1);
    let p = docmdp_policy(
        "40 0 R",
        &[
            (40, "<< /TransformMethod 41 0 R /TransformParams 42 0 R >>"),
            (41, "/DocMDP"),
            (42, "<< /P 3 >>"),
        ],
    );
    assert_eq!(docmdp_level(&p), 3);
}

#[test]
fn an_unreadable_docmdp_permission_is_the_strictest() {
    for params in ["<< /P (2) >>", "<< /P 2.0 >>", "<< /P [2] >>"] {
        let reference = format!("<< /TransformMethod /DocMDP /TransformParams {params} >>");
        assert_eq!(docmdp_level(&docmdp_policy(&reference, &[])), 1, "{params}");
    }
    // A reference array that is not an array: a DocMDP reference cannot be ruled out.
    let p = docmdp_policy("<< /TransformMethod (DocMDP) >>", &[]);
    assert_eq!(docmdp_level(&p), 1);
    // No /P at all is P2 (Table 257).
    let p = docmdp_policy("<< /TransformMethod /DocMDP /TransformParams << >> >>", &[]);
    assert_eq!(docmdp_level(&p), 2);
}

#[test]
fn a_lock_whose_fields_cannot_be_read_locks_every_field() {
    let lock = |params: &str, extra: &[(u32, &str)]| {
        docmdp_policy(
            &format!("<< /TransformMethod /FieldMDP /TransformParams {params} >>"),
            extra,
        )
        .lock
        .unwrap()
    };
    // Readable: the listed field only.
    let l = lock("<< /Action /Include /Fields [(Name)] >>", &[]);
    assert!(l.locks("Name") && !l.locks("Other"));
    // Indirect action and field name: followed.
    let l = lock(
        "<< /Action 40 0 R /Fields [41 0 R] >>",
        &[(40, "/Include"), (41, "(Name)")],
    );
    assert!(l.locks("Name") && !l.locks("Other"));
    // A field list with a name that is not a string, or that is not an array: all locked.
    for params in [
        "<< /Action /Include /Fields [(Name) /Other] >>",
        "<< /Action /Include /Fields (Name) >>",
        "<< /Action 7 /Fields [(Name)] >>",
    ] {
        let l = lock(params, &[]);
        assert!(l.locks("Other"), "{params} must lock every field");
    }
}
