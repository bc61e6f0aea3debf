//! Electronic forms (`kyso::form`, `kyso form`): the registration form of
//! `common::forms` listed, filled with Vietnamese values, rendered by poppler (`pdftotext`
//! extracts every value from its field's rectangle; `pdftoppm` renders the page), signed
//! after filling (pyHanko and kyso validate), filled after a signature (form filling,
//! allowed, for kyso; pyHanko agrees except for the radio group), the issue's proof (the
//! office certifies the template with DocMDP P2, the portal fills it, the citizen signs;
//! kyso lists every filled field with its old and new value; library and command line),
//! altered outside the fields after filling (disallowed, a DocMDP violation, for both
//! tools), field locks (refused by the filler, reported when forced), bad data (one error
//! listing every problem, no output), and flattening.
//!
//! With `KYSO_FORMS_OUTPUT_DIR=DIR` the filled, signed and rendered files are kept there.

mod common;

use common::interop::run_ok;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::forms::{
    names, registration_form, FormSpec, GIAY_TO_OPTIONS, MA_HO_SO_VALUE, TINH_THANH_OPTIONS,
};
use common::interop::{Pyhanko, Qpdf};
use common::pki::TestPki;
use common::vectors::sign_with;
use kyso::form::{
    fill_bytes, flatten_bytes, list_fields, FieldKind, FieldValue, FillOptions, FormError,
    FormValues, ProblemKind,
};
use kyso::pdf::IncrementalUpdate;
use kyso::pdf::{Dict, Document, Name, ObjRef, Object, Stream, StreamData};
use kyso::report::{Indication, ModificationLevel};
use kyso::sign::{sign_bytes, DocMdpPermission, SignOptions, SubFilter};
use kyso::verify::{verify_bytes, VerifyOptions};
use time::OffsetDateTime;

/// Page height of the form (A4, 842 pt).
const PAGE_HEIGHT: f64 = 842.0;

const HO_TEN: &str = "Nguyễn Thị Hương";
const SO_CCCD: &str = "079201001234";
const DIA_CHI: &str = "Số 12 đường Lê Lợi, phường Phú Hội, thành phố Huế, tỉnh Thừa Thiên Huế";
const GHI_CHU: &str = "Nộp trực tuyến";

fn vietnamese_values() -> FormValues {
    FormValues::new()
        .with(names::HO_TEN, HO_TEN)
        .with(names::SO_CCCD, SO_CCCD)
        .with(names::DIA_CHI, DIA_CHI)
        .with(names::GHI_CHU, GHI_CHU)
        .with(names::DONG_Y, true)
        .with(names::BUU_DIEN, "Có")
        .with(names::GIOI_TINH, "Nu")
        .with(names::TINH_THANH, "HUE")
        .with(names::GIAY_TO, vec![GIAY_TO_OPTIONS[0], GIAY_TO_OPTIONS[2]])
}

fn blank() -> Vec<u8> {
    registration_form(&FormSpec::default())
}

fn fill(pdf: &[u8], values: &FormValues) -> Vec<u8> {
    fill_bytes(pdf, values, &FillOptions::new()).unwrap_or_else(|e| panic!("fill: {e}"))
}

/// Keeps a file in `KYSO_FORMS_OUTPUT_DIR` when it is set.
fn keep(name: &str, bytes: &[u8]) {
    if let Some(dir) = std::env::var_os("KYSO_FORMS_OUTPUT_DIR") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    keep(name, bytes);
    p
}

/// The text `pdftotext -layout` finds inside rectangle `r` (x1, y1, x2, y2 in points from
/// the page's lower-left corner) of page 1.
fn text_in(pdf: &Path, r: [f64; 4]) -> String {
    let n = |v: f64| std::ffi::OsString::from(format!("{}", v.round() as i64));
    let out = run_ok(
        "pdftotext",
        &[
            "-layout".as_ref(),
            "-f".as_ref(),
            "1".as_ref(),
            "-l".as_ref(),
            "1".as_ref(),
            "-x".as_ref(),
            &n(r[0] + 1.0),
            "-y".as_ref(),
            &n(PAGE_HEIGHT - r[3] + 1.0),
            "-W".as_ref(),
            &n(r[2] - r[0] - 2.0),
            "-H".as_ref(),
            &n(r[3] - r[1] - 2.0),
            pdf.as_os_str(),
            "-".as_ref(),
        ],
    );
    out
}

/// Non-empty lines, trimmed.
fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// A widget's rectangle as lopdf reads it, by the field's partial name.
fn rect_of(pdf: &[u8], partial: &str) -> [f64; 4] {
    let doc = Document::open(pdf).unwrap();
    let rev = doc.last_revision();
    let field = kyso::pdf::fields(&doc, rev)
        .unwrap()
        .into_iter()
        .find(|f| f.partial_name.as_deref() == Some(partial))
        .unwrap_or_else(|| panic!("no field {partial}"));
    let r = field.dict.get(b"Rect").and_then(Object::as_array).unwrap();
    let v: Vec<f64> = r.iter().map(|o| o.as_number().unwrap()).collect();
    [v[0], v[1], v[2], v[3]]
}

fn field_value(pdf: &[u8], name: &str) -> Option<FieldValue> {
    let doc = Document::open(pdf).unwrap();
    list_fields(&doc)
        .unwrap()
        .into_iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no field {name}"))
        .value
}

#[test]
fn lists_every_field_with_kind_options_and_flags() {
    let doc_bytes = blank();
    let doc = Document::open(doc_bytes.as_slice()).unwrap();
    let fields = list_fields(&doc).unwrap();
    let summary: Vec<(&str, FieldKind)> =
        fields.iter().map(|f| (f.name.as_str(), f.kind)).collect();
    assert_eq!(
        summary,
        vec![
            (names::HO_TEN, FieldKind::Text),
            (names::SO_CCCD, FieldKind::Text),
            (names::DIA_CHI, FieldKind::Text),
            (names::MA_HO_SO, FieldKind::Text),
            (names::GHI_CHU, FieldKind::Text),
            (names::DONG_Y, FieldKind::CheckBox),
            (names::BUU_DIEN, FieldKind::CheckBox),
            (names::GIOI_TINH, FieldKind::RadioGroup),
            (names::TINH_THANH, FieldKind::ComboBox),
            (names::GIAY_TO, FieldKind::ListBox),
            (names::CHU_KY, FieldKind::Signature),
        ]
    );
    let get = |n: &str| fields.iter().find(|f| f.name == n).unwrap();
    assert!(get(names::HO_TEN).flags.required);
    assert!(get(names::SO_CCCD).flags.comb);
    assert_eq!(get(names::SO_CCCD).max_len, Some(12));
    assert!(get(names::DIA_CHI).flags.multiline);
    assert!(get(names::MA_HO_SO).flags.read_only);
    assert_eq!(
        get(names::MA_HO_SO).value,
        Some(FieldValue::Text(MA_HO_SO_VALUE.into()))
    );
    assert_eq!(get(names::DONG_Y).value, Some(FieldValue::Bool(false)));
    let exports =
        |n: &str| -> Vec<String> { get(n).options.iter().map(|o| o.export.clone()).collect() };
    assert_eq!(exports(names::DONG_Y), ["Co"]);
    // The export value comes from /Opt, not from the state name (/0).
    assert_eq!(exports(names::BUU_DIEN), ["Có"]);
    assert_eq!(exports(names::GIOI_TINH), ["Nam", "Nu"]);
    assert!(get(names::GIOI_TINH).flags.no_toggle_to_off);
    assert_eq!(get(names::GIOI_TINH).widgets, 2);
    let combo: Vec<(String, String)> = get(names::TINH_THANH)
        .options
        .iter()
        .map(|o| (o.export.clone(), o.display.clone()))
        .collect();
    let expected: Vec<(String, String)> = TINH_THANH_OPTIONS
        .iter()
        .map(|(e, d)| (e.to_string(), d.to_string()))
        .collect();
    assert_eq!(combo, expected);
    assert!(get(names::GIAY_TO).flags.multi_select);
    assert_eq!(exports(names::GIAY_TO), GIAY_TO_OPTIONS);
    assert!(!get(names::CHU_KY).signed);
}

/// `pdftotext` finds each value of [`vietnamese_values`] in its own field's rectangle of
/// `pdf` (saved at `path`): the text fields', the combo box's display text and the list
/// box's options. The check boxes and radio buttons are marks, checked on the render.
fn poppler_extracts_the_values(path: &Path, filled: &[u8]) {
    // Each value, from its own field's rectangle.
    assert_eq!(lines(&text_in(path, rect_of(filled, "ho_ten"))), [HO_TEN]);
    assert_eq!(lines(&text_in(path, rect_of(filled, "ghi_chu"))), [GHI_CHU]);
    assert_eq!(
        lines(&text_in(path, rect_of(filled, names::TINH_THANH))),
        [TINH_THANH_OPTIONS[1].1]
    );
    // Multi-line: wrapped at spaces, so the lines joined by spaces are the value.
    let address = lines(&text_in(path, rect_of(filled, names::DIA_CHI)));
    assert!(address.len() >= 2, "{address:?}");
    assert_eq!(address.join(" "), DIA_CHI);
    // Comb: one digit per cell; poppler sees the cells' gaps as spaces.
    let comb = text_in(path, rect_of(filled, "so_cccd"));
    let digits: String = comb.chars().filter(|c| !c.is_whitespace()).collect();
    assert_eq!(digits, SO_CCCD, "{comb:?}");
    assert!(comb.trim().contains(' '), "cells are spread: {comb:?}");
    // The list box shows every option (the chosen ones highlighted, checked on the render).
    assert_eq!(
        lines(&text_in(path, rect_of(filled, names::GIAY_TO))),
        GIAY_TO_OPTIONS
    );
}

#[test]
fn filled_values_read_back_and_poppler_extracts_them() {
    let dir = common::temp_dir();
    let form = blank();
    let filled = fill(&form, &vietnamese_values());
    assert!(
        filled.starts_with(&form),
        "an incremental update keeps every byte"
    );
    let path = write(dir.path(), "filled.pdf", &filled);

    // kyso reads back what it wrote.
    assert_eq!(
        field_value(&filled, names::HO_TEN),
        Some(FieldValue::Text(HO_TEN.into()))
    );
    assert_eq!(
        field_value(&filled, names::DIA_CHI),
        Some(FieldValue::Text(DIA_CHI.into()))
    );
    assert_eq!(
        field_value(&filled, names::DONG_Y),
        Some(FieldValue::Text("Co".into()))
    );
    assert_eq!(
        field_value(&filled, names::BUU_DIEN),
        Some(FieldValue::Text("Có".into()))
    );
    assert_eq!(
        field_value(&filled, names::GIOI_TINH),
        Some(FieldValue::Text("Nu".into()))
    );
    assert_eq!(
        field_value(&filled, names::TINH_THANH),
        Some(FieldValue::Text("HUE".into()))
    );
    assert_eq!(
        field_value(&filled, names::GIAY_TO),
        Some(FieldValue::List(vec![
            GIAY_TO_OPTIONS[0].into(),
            GIAY_TO_OPTIONS[2].into()
        ]))
    );
    // The radio buttons' states follow the value.
    let doc = Document::open(filled.as_slice()).unwrap();
    let rev = doc.last_revision();
    let radio = kyso::pdf::fields(&doc, rev)
        .unwrap()
        .into_iter()
        .find(|f| f.name == names::GIOI_TINH)
        .unwrap();
    let states: Vec<Vec<u8>> = radio
        .widgets
        .iter()
        .map(|w| match doc.get(rev, *w).unwrap() {
            Some(Object::Dict(d)) => d.get_name(b"AS").unwrap().to_vec(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(states, vec![b"Off".to_vec(), b"Nu".to_vec()]);

    // lopdf and qpdf read the file.
    common::interop::lopdf_loads(&path).unwrap();
    if let Some(q) = Qpdf::find() {
        q.check(&path).unwrap();
    }

    if common::tool("pdftotext").is_none() || common::tool("pdftoppm").is_none() {
        return;
    }
    poppler_extracts_the_values(&path, &filled);

    // The render: the highlighted list rows and the check marks differ from the blank form.
    let blank_path = write(dir.path(), "blank.pdf", &form);
    let png = |pdf: &Path, stem: &str| -> Vec<u8> {
        let prefix = dir.path().join(stem);
        run_ok(
            "pdftoppm",
            &[
                "-r".as_ref(),
                "72".as_ref(),
                "-gray".as_ref(),
                "-f".as_ref(),
                "1".as_ref(),
                "-l".as_ref(),
                "1".as_ref(),
                pdf.as_os_str(),
                prefix.as_os_str(),
            ],
        );
        let pgm = dir.path().join(format!("{stem}-1.pgm"));
        let bytes = std::fs::read(&pgm).unwrap();
        keep(&format!("{stem}.pgm"), &bytes);
        bytes
    };
    let before = png(&blank_path, "blank");
    let after = png(&path, "filled");
    assert_eq!(before.len(), after.len());
    // pdftoppm -gray at 72 dpi: one byte per point, rows from the top; the header is the
    // same for both, so pixels compare at equal offsets from the end.
    let width = 595usize;
    let dark_in = |img: &[u8], r: [f64; 4]| -> usize {
        let body = &img[img.len() - width * PAGE_HEIGHT as usize..];
        let mut n = 0;
        for y in (PAGE_HEIGHT - r[3]) as usize + 3..(PAGE_HEIGHT - r[1]) as usize - 3 {
            for x in r[0] as usize + 3..r[2] as usize - 3 {
                if body[y * width + x] < 128 {
                    n += 1;
                }
            }
        }
        n
    };
    let check = rect_of(&filled, names::DONG_Y);
    assert!(
        dark_in(&after, check) > dark_in(&before, check) + 5,
        "the check mark is drawn"
    );
}

#[test]
fn signature_after_filling_is_valid_in_pyhanko_and_kyso() {
    let dir = common::temp_dir();
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let filled = fill(&blank(), &vietnamese_values());
    let signed = sign_with(&filled, &pki.p256.signer(), false, Some(names::CHU_KY), now);
    let path = write(dir.path(), "filled-signed.pdf", &signed);

    let report = verify_bytes(&signed, &VerifyOptions::new(pki.trust())).unwrap();
    assert_eq!(report.signatures.len(), 1);
    assert_eq!(
        report.signatures[0].indication,
        Indication::TotalPassed,
        "{report:?}"
    );
    assert_eq!(
        report.signatures[0].field_name.as_deref(),
        Some(names::CHU_KY)
    );
    // The values are still there.
    assert_eq!(
        field_value(&signed, names::HO_TEN),
        Some(FieldValue::Text(HO_TEN.into()))
    );

    let Some(py) = Pyhanko::find() else { return };
    let root = pki.write_root(dir.path());
    let sums = py.validate(&path, &root, &[]).unwrap();
    assert_eq!(sums.len(), 1);
    assert!(sums[0].valid && sums[0].intact, "{}", sums[0].raw);
    assert_eq!(
        sums[0].coverage,
        Some(common::interop::PyhankoCoverage::EntireFile)
    );
}

/// What the fill rewrites in a document signed before it: field dictionaries (merged with
/// their widgets, or the radio group's parent), the radio group's widgets, and nothing
/// else (the AcroForm only when it had /NeedAppearances, which this form has not).
fn fill_objects(pdf: &[u8], only: &[&str]) -> BTreeSet<String> {
    let doc = Document::open(pdf).unwrap();
    let rev = doc.last_revision();
    let mut out = BTreeSet::new();
    for f in kyso::pdf::fields(&doc, rev).unwrap() {
        if f.is_signature() || f.name == names::MA_HO_SO {
            continue;
        }
        if !only.is_empty() && !only.contains(&f.name.as_str()) {
            continue;
        }
        out.extend(f.id.map(|r| r.to_string()));
        out.extend(f.widgets.iter().map(ObjRef::to_string));
    }
    out
}

#[test]
fn filling_after_a_signature_is_form_filling() {
    let dir = common::temp_dir();
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    // The office signs the blank form (a new, invisible field), the citizen's data is filled
    // in, the citizen signs the empty signature field.
    let office = sign_with(&blank(), &pki.rsa2048.signer(), false, Some("CoQuan"), now);
    // Every field but the radio group (see `a_radio_group_filled_after_a_signature`).
    let values: FormValues = vietnamese_values()
        .iter()
        .filter(|(n, _)| *n != names::GIOI_TINH)
        .map(|(n, v)| (n.to_string(), v.clone()))
        .collect();
    let filled = fill(&office, &values);
    let both = sign_with(&filled, &pki.p256.signer(), false, Some(names::CHU_KY), now);
    let path = write(dir.path(), "signed-filled-signed.pdf", &both);

    let report = verify_bytes(&both, &VerifyOptions::new(pki.trust())).unwrap();
    assert_eq!(report.signatures.len(), 2);
    let first = &report.signatures[0];
    let second = &report.signatures[1];
    assert_eq!(first.field_name.as_deref(), Some("CoQuan"));
    assert_eq!(second.indication, Indication::TotalPassed, "{second:?}");
    check_kyso_judges_only_the_fill(first, &office, &[]);

    let Some(py) = Pyhanko::find() else { return };
    let root = pki.write_root(dir.path());
    let sums = py.validate(&path, &root, &[]).unwrap();
    assert_eq!(sums.len(), 2);
    assert!(sums[0].intact, "{}", sums[0].raw);
    assert_eq!(
        sums[0].modification_level.as_deref(),
        Some("FORM_FILLING"),
        "{}",
        sums[0].raw
    );
    assert_eq!(
        sums[0].modifications_acceptable,
        Some(true),
        "{}",
        sums[0].raw
    );
    assert!(sums[0].valid, "{}", sums[0].raw);
    assert!(sums[1].valid, "{}", sums[1].raw);
    assert_eq!(
        sums[1].coverage,
        Some(common::interop::PyhankoCoverage::EntireFile)
    );
}

/// Every change kyso's rules report for the fill's revision (the one after the signed
/// revision) is on an object the fill is documented to rewrite: the dictionaries of the
/// filled fields and their widgets (`only`: of these fields; empty: of any field); the
/// changes are allowed, at level form filling, and the signature passes.
fn check_kyso_judges_only_the_fill(
    sig: &kyso::report::SignatureReport,
    signed_pdf: &[u8],
    only: &[&str],
) {
    let expected = fill_objects(signed_pdf, only);
    let fill_rev = sig.signed_revision.unwrap() + 1;
    let mut seen = 0;
    for c in &sig.modifications.changes {
        if c.revision == fill_rev && c.level > ModificationLevel::None {
            let obj = c.object.clone().unwrap_or_default();
            assert!(
                expected.contains(&obj),
                "the fill changed {obj}, which is not a filled field or its widget: {c:?}"
            );
            assert_eq!(c.level, ModificationLevel::FormFilling, "{c:?}");
            assert_eq!(c.rule, "form field", "{c:?}");
            seen += 1;
        }
    }
    assert!(
        seen > 0,
        "the fill's changes are reported: {:?}",
        sig.modifications
    );
    assert!(sig.modifications.allowed, "{:#?}", sig.modifications);
    assert_eq!(sig.modifications.level, ModificationLevel::FormFilling);
    assert_eq!(
        sig.indication,
        Indication::TotalPassed,
        "{:?}",
        sig.findings
    );
}

/// Filling a signed form that has `/NeedAppearances` keeps the flag: clearing it would make
/// viewers show the stored appearances of the fields not filled (check boxes appear),
/// which the verifier rightly refuses as a change of what the signer saw.
#[test]
fn need_appearances_is_kept_when_filling_a_signed_form() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let form = registration_form(&FormSpec {
        need_appearances: true,
        ..FormSpec::default()
    });
    let office = sign_with(&form, &pki.rsa2048.signer(), false, Some("CoQuan"), now);
    let filled = fill(&office, &FormValues::new().with(names::DONG_Y, "Co"));
    let doc = Document::open(filled.as_slice()).unwrap();
    let rev = doc.last_revision();
    let catalog = doc.catalog(rev).unwrap();
    let acroform = doc
        .resolve_dict(rev, catalog.get(b"AcroForm").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(acroform.get(b"NeedAppearances"), Some(&Object::Bool(true)));
    let report = verify_bytes(&filled, &VerifyOptions::new(pki.trust())).unwrap();
    let sig = &report.signatures[0];
    assert!(sig.modifications.allowed, "{:?}", sig.findings);
    check_kyso_judges_only_the_fill(sig, &office, &[names::DONG_Y]);
}

#[test]
fn a_radio_group_filled_after_a_signature() {
    let dir = common::temp_dir();
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let office = sign_with(&blank(), &pki.rsa2048.signer(), false, Some("CoQuan"), now);
    let filled = fill(&office, &FormValues::new().with(names::GIOI_TINH, "Nam"));
    let path = write(dir.path(), "signed-radio-filled.pdf", &filled);
    assert_eq!(
        field_value(&filled, names::GIOI_TINH),
        Some(FieldValue::Text("Nam".into()))
    );

    // The group's /V and the /AS of the button turned on: two objects (the other button
    // stays /Off and is not rewritten).
    let report = verify_bytes(&filled, &VerifyOptions::new(pki.trust())).unwrap();
    let sig = &report.signatures[0];
    assert_eq!(sig.integrity.digest, kyso::report::CheckStatus::Passed);
    check_kyso_judges_only_the_fill(sig, &office, &[names::GIOI_TINH]);
    let changed: BTreeSet<&str> = sig
        .modifications
        .changes
        .iter()
        .filter(|c| c.level > ModificationLevel::None)
        .filter_map(|c| c.object.as_deref())
        .collect();
    assert_eq!(changed.len(), 2, "{changed:?}");

    // pyHanko 0.38 whitelists changes to a form field's own dictionary, not to widget
    // annotations that are separate objects (its field walk skips kids without /T), so it
    // calls the radio widget's new /AS "unexplained" (level OTHER). A radio group's buttons
    // are always separate widgets, so every radio fill after a signature meets this (see
    // `check_certified_flow` and the README). A pyHanko release that accepts it fails here:
    // then update the README.
    let Some(py) = Pyhanko::find() else { return };
    let root = pki.write_root(dir.path());
    let sums = py.validate(&path, &root, &[]).unwrap();
    assert!(sums[0].intact, "{}", sums[0].raw);
    assert_eq!(
        sums[0].modification_level.as_deref(),
        Some("OTHER"),
        "{}",
        sums[0].raw
    );
    assert_eq!(
        sums[0].modifications_acceptable,
        Some(false),
        "{}",
        sums[0].raw
    );
}

/// Appends an update that replaces page 1's content stream with `content`.
fn alter_page_content(pdf: &[u8], content: &[u8]) -> Vec<u8> {
    let doc = Document::open(pdf).unwrap();
    let rev = doc.last_revision();
    let page = kyso::pdf::pages(&doc, rev).unwrap()[0];
    let Some(Object::Dict(page_dict)) = doc.get(rev, page).unwrap() else {
        panic!("page")
    };
    let contents = page_dict.get(b"Contents").and_then(Object::as_ref).unwrap();
    let last = &doc.revisions()[rev];
    let trailer = doc.trailer(rev).unwrap().clone();
    let mut update = IncrementalUpdate::new(
        doc.len(),
        last.xref_offset,
        kyso::pdf::XrefStyle::Table,
        &trailer,
        pdf.ends_with(b"\n"),
    )
    .unwrap();
    update
        .put(
            contents,
            &Object::Stream(Stream {
                dict: Dict::new(),
                data: StreamData::Memory(content.to_vec()),
            }),
        )
        .unwrap();
    let mut out = pdf.to_vec();
    out.extend_from_slice(&update.finish().unwrap().bytes);
    out
}

#[test]
fn a_page_change_after_filling_is_disallowed() {
    let dir = common::temp_dir();
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let office = sign_with(&blank(), &pki.rsa2048.signer(), false, Some("CoQuan"), now);
    let filled = fill(&office, &vietnamese_values());
    let altered = alter_page_content(
        &filled,
        b"BT /F1 16 Tf 72 790 Td (TO KHAI DA SUA - altered) Tj ET\n",
    );
    let path = write(dir.path(), "filled-altered.pdf", &altered);

    let report = verify_bytes(&altered, &VerifyOptions::new(pki.trust())).unwrap();
    let first = &report.signatures[0];
    assert!(!first.modifications.allowed);
    assert_eq!(first.modifications.level, ModificationLevel::Other);
    assert_ne!(first.indication, Indication::TotalPassed);
    let alter_rev = doc_last_revision(&altered);
    let content_change = first
        .modifications
        .changes
        .iter()
        .find(|c| c.revision == alter_rev)
        .expect("the page content change is reported");
    assert_eq!(
        content_change.level,
        ModificationLevel::Other,
        "{content_change:?}"
    );
    assert!(
        first
            .findings
            .iter()
            .any(|f| f.code == kyso::report::Code::ModificationDisallowed),
        "{:?}",
        first.findings
    );

    let Some(py) = Pyhanko::find() else { return };
    let root = pki.write_root(dir.path());
    let sums = py.validate(&path, &root, &[]).unwrap();
    assert!(!sums[0].valid, "{}", sums[0].raw);
    assert_eq!(
        sums[0].modifications_acceptable,
        Some(false),
        "{}",
        sums[0].raw
    );
}

fn doc_last_revision(pdf: &[u8]) -> usize {
    Document::open(pdf).unwrap().last_revision()
}

#[test]
fn every_problem_is_listed_at_once() {
    let form = blank();
    let data = format!(
        r#"{{
            "nguoi_nop.ho_ten": 42,
            "ho_ten_sai": "x",
            "Dia_Chi": "y",
            "ma_ho_so": "HS-9",
            "ghi_chu": "{long}",
            "nguoi_nop.so_cccd": "0792010012345",
            "dong_y": ["x"],
            "gioi_tinh": "Khac",
            "tinh_thanh": "Đà Nẵng",
            "giay_to": ["Sổ hộ khẩu", "Hộ chiếu"],
            "chu_ky_cong_dan": "ký",
            "nhan_qua_buu_dien": null,
            "dia_chi": "ok",
            "dia_chi": "twice"
        }}"#,
        long = "Nội dung ghi chú quá dài cho ô này"
    );
    let values = FormValues::from_json(data.as_bytes()).unwrap();
    let err = fill_bytes(&form, &values, &FillOptions::new()).unwrap_err();
    let kyso::Error::Form(FormError::Rejected { problems }) = &err else {
        panic!("{err}")
    };
    let got: Vec<(&str, &ProblemKind)> = problems
        .iter()
        .map(|p| (p.field.as_str(), &p.kind))
        .collect();
    let kinds: Vec<String> = got.iter().map(|(f, k)| format!("{f}: {k:?}")).collect();
    assert_eq!(problems.len(), 13, "{kinds:#?}");
    let has = |field: &str, pred: &dyn Fn(&ProblemKind) -> bool| {
        assert!(
            got.iter().any(|(f, k)| *f == field && pred(k)),
            "{field}: {kinds:#?}"
        )
    };
    has("dia_chi", &|k| matches!(k, ProblemKind::GivenTwice));
    has(names::HO_TEN, &|k| {
        matches!(
            k,
            ProblemKind::WrongType {
                found: "a number",
                ..
            }
        )
    });
    has("ho_ten_sai", &|k| {
        matches!(k, ProblemKind::UnknownField { similar: None })
    });
    has(
        "Dia_Chi",
        &|k| matches!(k, ProblemKind::UnknownField { similar: Some(s) } if s == "dia_chi"),
    );
    has(names::MA_HO_SO, &|k| matches!(k, ProblemKind::ReadOnly));
    has(names::GHI_CHU, &|k| {
        matches!(k, ProblemKind::TooLong { max: 20, .. })
    });
    has(names::SO_CCCD, &|k| {
        matches!(
            k,
            ProblemKind::TooLong {
                length: 13,
                max: 12
            }
        )
    });
    has(names::DONG_Y, &|k| {
        matches!(
            k,
            ProblemKind::WrongType {
                found: "an array",
                ..
            }
        )
    });
    has(
        names::GIOI_TINH,
        &|k| matches!(k, ProblemKind::NotAnOption { value, options } if value == "Khac" && options.len() == 2),
    );
    has(names::TINH_THANH, &|k| {
        matches!(k, ProblemKind::NotAnOption { .. })
    });
    has(
        names::GIAY_TO,
        &|k| matches!(k, ProblemKind::NotAnOption { value, .. } if value == "Hộ chiếu"),
    );
    has(names::CHU_KY, &|k| matches!(k, ProblemKind::SignatureField));
    has(names::BUU_DIEN, &|k| {
        matches!(k, ProblemKind::WrongType { found: "null", .. })
    });
    let message = err.to_string();
    assert!(!message.contains('\n'));
    assert!(message.contains("13 problems"), "{message}");
    assert!(message.contains("did you mean \"dia_chi\""), "{message}");
}

#[test]
fn more_refusals_line_breaks_glyphs_and_ambiguity() {
    let form = blank();
    let values = FormValues::new()
        .with(names::HO_TEN, "Dòng một\nDòng hai")
        .with(names::GHI_CHU, "漢字")
        .with(names::GIOI_TINH, false)
        .with(names::TINH_THANH, vec!["HN"]);
    let err = fill_bytes(&form, &values, &FillOptions::new()).unwrap_err();
    let kyso::Error::Form(FormError::Rejected { problems }) = err else {
        panic!("{err}")
    };
    let kinds: Vec<&ProblemKind> = problems.iter().map(|p| &p.kind).collect();
    assert!(matches!(kinds[0], ProblemKind::LineBreak), "{kinds:?}");
    assert!(
        matches!(kinds[1], ProblemKind::MissingGlyph { ch: '漢', .. }),
        "{kinds:?}"
    );
    assert!(matches!(kinds[2], ProblemKind::CannotTurnOff), "{kinds:?}");
    assert!(
        matches!(
            kinds[3],
            ProblemKind::WrongType {
                found: "an array",
                ..
            }
        ),
        "{kinds:?}"
    );
}

#[test]
fn certification_p1_refuses_p2_and_p3_allow() {
    let values = FormValues::new().with(names::HO_TEN, HO_TEN);
    for p in [2, 3] {
        let form = registration_form(&FormSpec {
            certified: Some(p),
            ..FormSpec::default()
        });
        let filled = fill(&form, &values);
        assert_eq!(
            field_value(&filled, names::HO_TEN),
            Some(FieldValue::Text(HO_TEN.into()))
        );
        let doc = Document::open(filled.as_slice()).unwrap();
        assert_eq!(kyso::form::certification_level(&doc).unwrap(), Some(p));
    }
    let form = registration_form(&FormSpec {
        certified: Some(1),
        ..FormSpec::default()
    });
    let err = fill_bytes(&form, &values, &FillOptions::new()).unwrap_err();
    assert!(
        matches!(err, kyso::Error::Form(FormError::CertifiedNoChanges)),
        "{err}"
    );
}

#[test]
fn a_field_lock_is_refused() {
    let form = registration_form(&FormSpec {
        lock: Some(vec![names::DIA_CHI.to_string()]),
        ..FormSpec::default()
    });
    let doc = Document::open(form.as_slice()).unwrap();
    let fields = list_fields(&doc).unwrap();
    let dia_chi = fields.iter().find(|f| f.name == names::DIA_CHI).unwrap();
    assert_eq!(dia_chi.locked_by.as_deref(), Some("khoa"));
    let values = FormValues::new()
        .with(names::DIA_CHI, "Huế")
        .with(names::HO_TEN, HO_TEN);
    let err = fill_bytes(&form, &values, &FillOptions::new()).unwrap_err();
    let kyso::Error::Form(FormError::Rejected { problems }) = err else {
        panic!("{err}")
    };
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].field, names::DIA_CHI);
    assert!(matches!(&problems[0].kind, ProblemKind::Locked { by } if by == "khoa"));

    // A lock on a parent locks its descendants, as the verifier reads locks.
    let form = registration_form(&FormSpec {
        lock: Some(vec!["nguoi_nop".to_string()]),
        ..FormSpec::default()
    });
    let values = FormValues::new()
        .with(names::SO_CCCD, SO_CCCD)
        .with(names::GHI_CHU, GHI_CHU);
    let err = fill_bytes(&form, &values, &FillOptions::new()).unwrap_err();
    let kyso::Error::Form(FormError::Rejected { problems }) = err else {
        panic!("{err}")
    };
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].field, names::SO_CCCD);
    assert!(matches!(&problems[0].kind, ProblemKind::Locked { .. }));
}

#[test]
fn need_appearances_is_removed_and_check_boxes_turn_off() {
    let form = registration_form(&FormSpec {
        need_appearances: true,
        ..FormSpec::default()
    });
    let on = fill(&form, &FormValues::new().with(names::DONG_Y, "Co"));
    let acroform = |pdf: &[u8]| -> Dict {
        let doc = Document::open(pdf).unwrap();
        let rev = doc.last_revision();
        let c = doc.catalog(rev).unwrap();
        doc.resolve_dict(rev, c.get(b"AcroForm").unwrap())
            .unwrap()
            .unwrap()
    };
    assert_eq!(
        acroform(&form).get(b"NeedAppearances"),
        Some(&Object::Bool(true))
    );
    assert_eq!(acroform(&on).get(b"NeedAppearances"), None);
    assert_eq!(
        field_value(&on, names::DONG_Y),
        Some(FieldValue::Text("Co".into()))
    );
    let off = fill(&on, &FormValues::new().with(names::DONG_Y, false));
    assert_eq!(
        field_value(&off, names::DONG_Y),
        Some(FieldValue::Bool(false))
    );
    let doc = Document::open(off.as_slice()).unwrap();
    let rev = doc.last_revision();
    let f = kyso::pdf::fields(&doc, rev)
        .unwrap()
        .into_iter()
        .find(|f| f.name == names::DONG_Y)
        .unwrap();
    assert_eq!(f.dict.get_name(b"AS"), Some(&b"Off"[..]));
    assert_eq!(f.dict.get(b"V"), Some(&Object::Name(Name::from("Off"))));
}

#[test]
fn flattening_draws_the_values_and_refuses_signed_documents() {
    let dir = common::temp_dir();
    let filled = fill(&blank(), &vietnamese_values());
    let flat = flatten_bytes(&filled).unwrap();
    let path = write(dir.path(), "flattened.pdf", &flat);
    let doc = Document::open(flat.as_slice()).unwrap();
    let left: Vec<String> = list_fields(&doc)
        .unwrap()
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert_eq!(
        left,
        [names::CHU_KY],
        "only the empty signature field stays"
    );
    let rev = doc.last_revision();
    let page = kyso::pdf::pages(&doc, rev).unwrap()[0];
    let Some(Object::Dict(page)) = doc.get(rev, page).unwrap() else {
        panic!("page")
    };
    let annots = doc.resolve(rev, page.get(b"Annots").unwrap()).unwrap();
    assert_eq!(annots.as_array().map(<[Object]>::len), Some(1));
    common::interop::lopdf_loads(&path).unwrap();
    if let Some(q) = Qpdf::find() {
        q.check(&path).unwrap();
    }
    if common::tool("pdftotext").is_some() {
        // The values are page content now, the read-only value (which had no appearance)
        // included.
        assert_eq!(lines(&text_in(&path, rect_of(&filled, "ho_ten"))), [HO_TEN]);
        let address = lines(&text_in(&path, rect_of(&filled, names::DIA_CHI)));
        assert_eq!(address.join(" "), DIA_CHI);
        assert_eq!(
            lines(&text_in(&path, rect_of(&filled, names::MA_HO_SO))),
            [MA_HO_SO_VALUE]
        );
    }

    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let signed = sign_with(&filled, &pki.p256.signer(), false, Some(names::CHU_KY), now);
    let err = flatten_bytes(&signed).unwrap_err();
    assert!(
        matches!(&err, kyso::Error::Form(FormError::Signed { signatures }) if signatures.len() == 1),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("every signature would become invalid"),
        "{err}"
    );
}

fn kyso_cmd(args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn cli_lists_fills_and_refuses_bad_data_without_output() {
    let dir = common::temp_dir();
    let form = write(dir.path(), "form.pdf", &blank());
    let out = kyso_cmd(&[
        "form".as_ref(),
        "list".as_ref(),
        "--json".as_ref(),
        form.as_os_str(),
    ]);
    assert!(out.status.success());
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed.as_array().map(Vec::len), Some(11));
    assert_eq!(listed[9]["kind"], "list_box");
    assert_eq!(listed[9]["flags"]["multi_select"], true);

    let data = dir.path().join("data.json");
    std::fs::write(
        &data,
        serde_json::json!({
            names::HO_TEN: HO_TEN,
            names::DIA_CHI: DIA_CHI,
            names::DONG_Y: true,
            names::GIAY_TO: [GIAY_TO_OPTIONS[1]],
        })
        .to_string(),
    )
    .unwrap();
    let output = dir.path().join("filled.pdf");
    let out = kyso_cmd(&[
        "form".as_ref(),
        "fill".as_ref(),
        form.as_os_str(),
        data.as_os_str(),
        "-o".as_ref(),
        output.as_os_str(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let filled = std::fs::read(&output).unwrap();
    assert_eq!(
        field_value(&filled, names::HO_TEN),
        Some(FieldValue::Text(HO_TEN.into()))
    );
    let out = kyso_cmd(&["form".as_ref(), "list".as_ref(), output.as_os_str()]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&format!("{} (text; required): \"{HO_TEN}\"", names::HO_TEN)),
        "{text}"
    );

    // Bad data: every problem on one line, exit 2, no output file.
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"khong_co": "x", "ghi_chu": true, "tinh_thanh": "HP"}"#,
    )
    .unwrap();
    let refused = dir.path().join("refused.pdf");
    let out = kyso_cmd(&[
        "form".as_ref(),
        "fill".as_ref(),
        form.as_os_str(),
        bad.as_os_str(),
        "-o".as_ref(),
        refused.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("bad.json"), "{err}");
    assert!(err.contains("3 problems"), "{err}");
    assert!(err.contains("\"khong_co\": no such field"), "{err}");
    assert!(
        err.contains("\"ghi_chu\": expected a string, found a boolean"),
        "{err}"
    );
    assert!(
        err.contains("\"HP\" is not one of its options (\"HN\", \"HUE\", \"HCM\")"),
        "{err}"
    );
    assert!(!refused.exists());

    // Invalid JSON: the position, no output.
    std::fs::write(&bad, "{\n  \"ho_ten\": \"x\",\n  oops\n}").unwrap();
    let out = kyso_cmd(&[
        "form".as_ref(),
        "fill".as_ref(),
        form.as_os_str(),
        bad.as_os_str(),
        "-o".as_ref(),
        refused.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("not valid JSON") && err.contains("line 3"),
        "{err}"
    );
    assert!(!refused.exists());

    // Flattening a signed file: refused with the reason, no output.
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let signed = write(
        dir.path(),
        "signed.pdf",
        &sign_with(&filled, &pki.p256.signer(), false, None, now),
    );
    let out = kyso_cmd(&[
        "form".as_ref(),
        "flatten".as_ref(),
        signed.as_os_str(),
        "-o".as_ref(),
        refused.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("flattening draws the fields into the page content"),
        "{err}"
    );
    assert!(!refused.exists());
}

#[test]
fn mutated_forms_give_errors_never_panics() {
    let form = fill(&blank(), &vietnamese_values());
    let values = vietnamese_values();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut filled = 0;
    for _ in 0..300 {
        let mut bytes = form.clone();
        for _ in 0..(1 + next() % 8) {
            let at = (next() as usize) % bytes.len();
            bytes[at] = next() as u8;
        }
        if let Ok(doc) = Document::open(bytes.as_slice()) {
            let _ = list_fields(&doc);
        }
        if fill_bytes(&bytes, &values, &FillOptions::new()).is_ok() {
            filled += 1;
        }
        let _ = flatten_bytes(&bytes);
    }
    // Most single-byte changes leave a usable form; the point is that none panics.
    assert!(filled > 0);
}

/// Seeds for the `form_fill` fuzz target: `cargo test --test forms write_fuzz_seeds --
/// --ignored`.
#[test]
#[ignore = "writes fuzz/seeds/form_fill"]
fn write_fuzz_seeds() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/form_fill");
    std::fs::create_dir_all(&dir).unwrap();
    let blank = blank();
    let seeds = [
        ("blank.pdf", blank.clone()),
        ("filled.pdf", fill(&blank, &vietnamese_values())),
        (
            "need-appearances.pdf",
            registration_form(&FormSpec {
                need_appearances: true,
                ..FormSpec::default()
            }),
        ),
        (
            "certified-p2-locked.pdf",
            registration_form(&FormSpec {
                certified: Some(2),
                lock: Some(vec![names::DIA_CHI.to_string()]),
                ..FormSpec::default()
            }),
        ),
    ];
    for (name, bytes) in seeds {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

#[test]
fn refilling_the_same_values_rewrites_nothing() {
    let dir = common::temp_dir();
    let first = write(
        dir.path(),
        "first.pdf",
        &fill(&blank(), &vietnamese_values()),
    );
    let second = dir.path().join("second.pdf");
    let summary =
        kyso::form::fill_file(&first, &second, &vietnamese_values(), &FillOptions::new()).unwrap();
    // Text and choice fields already show these values; buttons already have these states
    // (their dictionaries come out unchanged and are not written either).
    assert_eq!(summary.unchanged.len(), 6, "{summary:?}");
    assert_eq!(summary.appearances, 0);
    let bytes = std::fs::read(&second).unwrap();
    let doc = Document::open(bytes.as_slice()).unwrap();
    let last = doc.revisions().last().unwrap();
    assert!(
        last.entries.iter().all(|(num, _)| *num == 0),
        "{:?}",
        last.entries
    );
    // A changed value is written.
    let third = dir.path().join("third.pdf");
    let summary = kyso::form::fill_file(
        &second,
        &third,
        &FormValues::new().with(names::HO_TEN, "Trần Văn Bình"),
        &FillOptions::new(),
    )
    .unwrap();
    assert_eq!(summary.fields, [names::HO_TEN]);
    assert_eq!(summary.appearances, 1);
}

// ---------------------------------------------------------------------------------------
// The issue's proof: the office certifies the blank form (DocMDP P2), the portal fills it,
// the citizen signs it; then the same filled form altered outside the fields. Field locks
// (FieldMDP): refused by the filler, reported by the verifier when bypassed.

/// The field the office's certification signature is put in (a new, invisible field).
const OFFICE_FIELD: &str = "co_quan_chung_thuc";

/// What the certification signature's change records must say about each filled field:
/// the value before (the blank form's) and after, as the report writes them.
fn expected_value_changes() -> Vec<(&'static str, String, String)> {
    vec![
        (names::HO_TEN, String::new(), HO_TEN.to_string()),
        (names::SO_CCCD, String::new(), SO_CCCD.to_string()),
        (names::DIA_CHI, String::new(), DIA_CHI.to_string()),
        (names::GHI_CHU, String::new(), GHI_CHU.to_string()),
        // The check box had /V /Off; the one with /Opt had no value, and its on-state is
        // /0 (the export value "Có" is /Opt's first element).
        (names::DONG_Y, "/Off".into(), "/Co".into()),
        (names::BUU_DIEN, String::new(), "/0".into()),
        (names::GIOI_TINH, String::new(), "/Nu".into()),
        (names::TINH_THANH, String::new(), "HUE".into()),
        (
            names::GIAY_TO,
            String::new(),
            format!("[\"{}\", \"{}\"]", GIAY_TO_OPTIONS[0], GIAY_TO_OPTIONS[2]),
        ),
    ]
}

fn certify_options(now: OffsetDateTime) -> SignOptions {
    SignOptions::new()
        .certify(DocMdpPermission::FormFilling)
        .field_name(OFFICE_FIELD)
        .reason("Mẫu tờ khai do cơ quan ban hành")
        .signing_time(now)
        .sub_filter(SubFilter::Pades)
}

/// [`vietnamese_values`], without the radio group's unless `with_radio`.
fn values_for(with_radio: bool) -> FormValues {
    vietnamese_values()
        .iter()
        .filter(|(n, _)| with_radio || *n != names::GIOI_TINH)
        .map(|(n, v)| (n.to_string(), v.clone()))
        .collect()
}

/// kyso, pyHanko and poppler on a form certified P2 (`certified`), filled with
/// [`values_for`]`(with_radio)` and signed by the citizen (`signed`).
fn check_certified_flow(
    pki: &TestPki,
    dir: &Path,
    stem: &str,
    certified: &[u8],
    signed: &[u8],
    with_radio: bool,
) {
    let path = write(dir, &format!("{stem}-certified-filled-signed.pdf"), signed);
    let report = verify_bytes(signed, &VerifyOptions::new(pki.trust())).unwrap();
    assert_eq!(report.signatures.len(), 2);
    let (cert, citizen) = (&report.signatures[0], &report.signatures[1]);
    assert_eq!(cert.field_name.as_deref(), Some(OFFICE_FIELD));
    assert_eq!(cert.kind, kyso::report::SignatureKind::Certification);
    assert_eq!(citizen.field_name.as_deref(), Some(names::CHU_KY));
    for s in [cert, citizen] {
        assert_eq!(s.indication, Indication::TotalPassed, "{:#?}", s.findings);
        assert!(
            s.modifications.policy.contains("DocMDP P2"),
            "{}",
            s.modifications.policy
        );
    }

    // The certification: form filling, allowed; the fill's revision touches only filled
    // fields (their dictionaries and widgets), and every filled field is listed with its
    // old and new value.
    let m = &cert.modifications;
    assert!(m.allowed, "{m:#?}");
    assert_eq!(m.level, ModificationLevel::FormFilling);
    assert_eq!(m.later_revisions, 2);
    let fill_rev = cert.signed_revision.unwrap() + 1;
    let fill_objects = fill_objects(certified, &[]);
    for c in m
        .changes
        .iter()
        .filter(|c| c.level > ModificationLevel::None)
    {
        assert!(c.level <= ModificationLevel::FormFilling, "{c:?}");
        if c.revision == fill_rev {
            assert_eq!(c.rule, "form field", "{c:?}");
            assert!(fill_objects.contains(c.object.as_deref().unwrap()), "{c:?}");
        }
    }
    let mut listed: Vec<(&str, String, String)> = m
        .changes
        .iter()
        .filter(|c| c.new_value.is_some())
        .map(|c| {
            assert_eq!(c.revision, fill_rev, "{c:?}");
            (
                c.field.as_deref().unwrap(),
                c.old_value.clone().unwrap(),
                c.new_value.clone().unwrap(),
            )
        })
        .collect();
    listed.sort();
    let mut expected = expected_value_changes();
    expected.retain(|(n, _, _)| with_radio || *n != names::GIOI_TINH);
    expected.sort();
    assert_eq!(listed, expected);
    assert!(cert
        .findings
        .iter()
        .any(|f| f.code == kyso::report::Code::ModificationAllowed));
    // The citizen's signature covers the whole file.
    assert_eq!(citizen.modifications.later_revisions, 0);

    // The text report lists the fields with old and new values, and says nothing else
    // changed.
    let text = kyso::report::render_text(&report);
    keep(&format!("{stem}-report.txt"), text.as_bytes());
    let rev_text = fill_rev + 1;
    assert!(
        text.contains(&format!(
            "- \"{}\" (revision {rev_text}): \"\" -> \"{HO_TEN}\"",
            names::HO_TEN
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "- \"{}\" (revision {rev_text}): \"/Off\" -> \"/Co\"",
            names::DONG_Y
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "{} value change(s) after this signature",
            expected.len()
        )),
        "{text}"
    );
    assert_eq!(text.matches("nothing else changed").count(), 1, "{text}");

    // poppler shows the values.
    if common::tool("pdftotext").is_some() {
        poppler_extracts_the_values(&path, signed);
    }

    let Some(py) = Pyhanko::find() else { return };
    let root = pki.write_root(dir);
    let sums = py.validate(&path, &root, &[]).unwrap();
    assert_eq!(sums.len(), 2);
    eprintln!(
        "RESULT {stem}: pyHanko on the certification: valid {}, intact {}, level {:?}, \
         acceptable {:?}; on the citizen's signature: valid {}, coverage {:?}",
        sums[0].valid,
        sums[0].intact,
        sums[0].modification_level,
        sums[0].modifications_acceptable,
        sums[1].valid,
        sums[1].coverage
    );
    assert_eq!(sums[0].field, OFFICE_FIELD);
    assert!(sums[0].intact, "{}", sums[0].raw);
    assert!(sums[1].valid, "{}", sums[1].raw);
    assert_eq!(
        sums[1].coverage,
        Some(common::interop::PyhankoCoverage::EntireFile)
    );
    if with_radio {
        // pyHanko (0.38) whitelists a filled field's own dictionary and its appearance
        // streams, not widget annotations that are separate objects: its field walk skips
        // kids without /T. A radio group's buttons are such widgets, and filling the group
        // must turn one button's /AS on, so pyHanko calls that object "unexplained" and the
        // revision OTHER, and judges the certification INVALID. kyso judges the widget's new
        // state against the group's new value (form filling). See the README, Forms.
        assert_eq!(
            sums[0].modification_level.as_deref(),
            Some("OTHER"),
            "{}",
            sums[0].raw
        );
        assert_eq!(
            sums[0].modifications_acceptable,
            Some(false),
            "{}",
            sums[0].raw
        );
        assert!(!sums[0].valid, "{}", sums[0].raw);
    } else {
        assert_eq!(
            sums[0].modification_level.as_deref(),
            Some("FORM_FILLING"),
            "{}",
            sums[0].raw
        );
        assert_eq!(
            sums[0].modifications_acceptable,
            Some(true),
            "{}",
            sums[0].raw
        );
        assert!(sums[0].valid, "{}", sums[0].raw);
    }
}

#[test]
fn certified_p2_form_filled_and_signed_library() {
    let dir = common::temp_dir();
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let certified = sign_bytes(&blank(), &pki.rsa2048.signer(), &certify_options(now)).unwrap();
    for (with_radio, stem) in [(true, "library"), (false, "library-no-radio")] {
        let filled = fill(&certified, &values_for(with_radio));
        assert!(filled.starts_with(&certified));
        let signed = sign_with(&filled, &pki.p256.signer(), false, Some(names::CHU_KY), now);
        check_certified_flow(&pki, dir.path(), stem, &certified, &signed, with_radio);
    }
}

fn kyso_ok(args: &[&std::ffi::OsStr]) -> std::process::Output {
    let out = kyso_cmd(args);
    assert!(
        out.status.success(),
        "kyso {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn certified_p2_form_filled_and_signed_cli() {
    let dir = common::temp_dir();
    let d = dir.path();
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let (office_key, office_cert, office_chain) = pki.rsa2048.write_pem(d);
    let (citizen_key, citizen_cert, citizen_chain) = pki.p256.write_pem(d);
    let root = pki.write_root(d);
    let template = write(d, "template.pdf", &blank());
    let certified = d.join("certified.pdf");
    let filled = d.join("filled.pdf");
    let signed = d.join("signed.pdf");

    // The office: kyso sign --certify P2.
    kyso_ok(&[
        "sign".as_ref(),
        "--key".as_ref(),
        office_key.as_os_str(),
        "--cert".as_ref(),
        office_cert.as_os_str(),
        "--chain".as_ref(),
        office_chain.as_os_str(),
        "--certify".as_ref(),
        "P2".as_ref(),
        "--field".as_ref(),
        OFFICE_FIELD.as_ref(),
        template.as_os_str(),
        "-o".as_ref(),
        certified.as_os_str(),
    ]);
    // The portal: kyso form fill, from JSON.
    let data = d.join("data.json");
    std::fs::write(
        &data,
        serde_json::json!({
            names::HO_TEN: HO_TEN,
            names::SO_CCCD: SO_CCCD,
            names::DIA_CHI: DIA_CHI,
            names::GHI_CHU: GHI_CHU,
            names::DONG_Y: true,
            names::BUU_DIEN: "Có",
            names::GIOI_TINH: "Nu",
            names::TINH_THANH: "HUE",
            names::GIAY_TO: [GIAY_TO_OPTIONS[0], GIAY_TO_OPTIONS[2]],
        })
        .to_string(),
    )
    .unwrap();
    kyso_ok(&[
        "form".as_ref(),
        "fill".as_ref(),
        certified.as_os_str(),
        data.as_os_str(),
        "-o".as_ref(),
        filled.as_os_str(),
    ]);
    // The citizen: kyso sign in the prepared field.
    kyso_ok(&[
        "sign".as_ref(),
        "--key".as_ref(),
        citizen_key.as_os_str(),
        "--cert".as_ref(),
        citizen_cert.as_os_str(),
        "--chain".as_ref(),
        citizen_chain.as_os_str(),
        "--field".as_ref(),
        names::CHU_KY.as_ref(),
        filled.as_os_str(),
        "-o".as_ref(),
        signed.as_os_str(),
    ]);
    // The receiving office: kyso verify.
    let out = kyso_ok(&[
        "verify".as_ref(),
        "--trust".as_ref(),
        root.as_os_str(),
        signed.as_os_str(),
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("kind:        certification"), "{text}");
    assert!(
        text.contains(&format!(
            "- \"{}\" (revision 3): \"\" -> \"{DIA_CHI}\"",
            names::DIA_CHI
        )),
        "{text}"
    );
    assert!(text.contains("nothing else changed"), "{text}");
    let out = kyso_ok(&[
        "verify".as_ref(),
        "--json".as_ref(),
        "--trust".as_ref(),
        root.as_os_str(),
        signed.as_os_str(),
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let change = json["signatures"][0]["modifications"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == names::GIOI_TINH && c.get("new_value").is_some())
        .cloned()
        .unwrap();
    assert_eq!(change["old_value"], "");
    assert_eq!(change["new_value"], "/Nu");

    let certified = std::fs::read(&certified).unwrap();
    let signed = std::fs::read(&signed).unwrap();
    check_certified_flow(&pki, d, "cli", &certified, &signed, true);
}

#[test]
fn a_certified_form_altered_outside_the_fields_is_disallowed() {
    let dir = common::temp_dir();
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let certified = sign_bytes(&blank(), &pki.rsa2048.signer(), &certify_options(now)).unwrap();
    let filled = fill(&certified, &vietnamese_values());
    let signed = sign_with(&filled, &pki.p256.signer(), false, Some(names::CHU_KY), now);
    let altered = alter_page_content(
        &signed,
        b"BT /F1 16 Tf 72 790 Td (TO KHAI DA SUA - altered) Tj ET\n",
    );
    let path = write(dir.path(), "certified-filled-signed-altered.pdf", &altered);

    let report = verify_bytes(&altered, &VerifyOptions::new(pki.trust())).unwrap();
    let alter_rev = doc_last_revision(&altered);
    for (i, s) in report.signatures.iter().enumerate() {
        assert_eq!(
            s.indication,
            Indication::TotalFailed,
            "#{i}: {:?}",
            s.findings
        );
        assert!(!s.modifications.allowed);
        assert_eq!(s.modifications.level, ModificationLevel::Other);
        let content = s
            .modifications
            .changes
            .iter()
            .find(|c| c.revision == alter_rev && c.level == ModificationLevel::Other)
            .expect("the page content change is reported");
        assert_eq!(content.rule, "content", "{content:?}");
        for code in [
            kyso::report::Code::ModificationDisallowed,
            kyso::report::Code::ModificationDocMdpViolation,
        ] {
            assert!(
                s.findings.iter().any(|f| f.code == code),
                "#{i} {code:?}: {:?}",
                s.findings
            );
        }
    }
    let text = kyso::report::render_text(&report);
    // The fields are still listed; nothing claims that nothing else changed.
    assert!(text.contains("9 value change(s)"), "{text}");
    assert!(!text.contains("nothing else changed"), "{text}");

    let Some(py) = Pyhanko::find() else { return };
    let root = pki.write_root(dir.path());
    let sums = py.validate(&path, &root, &[]).unwrap();
    eprintln!(
        "RESULT altered: pyHanko on the certification: valid {}, level {:?}, acceptable {:?}; \
         on the citizen's: valid {}, level {:?}, acceptable {:?}",
        sums[0].valid,
        sums[0].modification_level,
        sums[0].modifications_acceptable,
        sums[1].valid,
        sums[1].modification_level,
        sums[1].modifications_acceptable
    );
    for s in &sums {
        assert!(s.intact, "{}", s.raw);
        assert!(!s.valid, "{}", s.raw);
        assert_eq!(s.modifications_acceptable, Some(false), "{}", s.raw);
    }
}

/// Appends an update that rewrites the field `name`'s dictionary with `/V (value)` and
/// nothing else: what a tool that ignores field locks would write.
fn force_value(pdf: &[u8], name: &str, value: &str) -> Vec<u8> {
    let doc = Document::open(pdf).unwrap();
    let rev = doc.last_revision();
    let field = kyso::pdf::fields(&doc, rev)
        .unwrap()
        .into_iter()
        .find(|f| f.name == name)
        .unwrap();
    let mut dict = field.dict.clone();
    dict.set("V", Object::String(kyso::pdf::PdfString::text(value)));
    let last = &doc.revisions()[rev];
    let trailer = doc.trailer(rev).unwrap().clone();
    let mut update = IncrementalUpdate::new(
        doc.len(),
        last.xref_offset,
        kyso::pdf::XrefStyle::Table,
        &trailer,
        pdf.ends_with(b"\n"),
    )
    .unwrap();
    update.put(field.id.unwrap(), &Object::Dict(dict)).unwrap();
    let mut out = pdf.to_vec();
    out.extend_from_slice(&update.finish().unwrap().bytes);
    out
}

#[test]
fn a_field_locked_by_the_certification_is_refused_and_reported_when_forced() {
    let dir = common::temp_dir();
    let d = dir.path();
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    // The office certifies P2 and locks the address (kyso sign --lock-fields dia_chi).
    let (key, cert, chain) = pki.rsa2048.write_pem(d);
    let template = write(d, "template.pdf", &blank());
    let locked = d.join("certified-locked.pdf");
    kyso_ok(&[
        "sign".as_ref(),
        "--key".as_ref(),
        key.as_os_str(),
        "--cert".as_ref(),
        cert.as_os_str(),
        "--chain".as_ref(),
        chain.as_os_str(),
        "--certify".as_ref(),
        "P2".as_ref(),
        "--lock-fields".as_ref(),
        names::DIA_CHI.as_ref(),
        "--field".as_ref(),
        OFFICE_FIELD.as_ref(),
        template.as_os_str(),
        "-o".as_ref(),
        locked.as_os_str(),
    ]);
    let locked_bytes = std::fs::read(&locked).unwrap();
    let doc = Document::open(locked_bytes.as_slice()).unwrap();
    let listed = list_fields(&doc).unwrap();
    let locked_by = |n: &str| {
        listed
            .iter()
            .find(|f| f.name == n)
            .unwrap()
            .locked_by
            .clone()
    };
    assert_eq!(locked_by(names::DIA_CHI).as_deref(), Some(OFFICE_FIELD));
    assert_eq!(locked_by(names::HO_TEN), None);

    // kyso form fill refuses the locked field: exit 2, one line naming it, no output.
    let data = d.join("data.json");
    std::fs::write(
        &data,
        serde_json::json!({ names::HO_TEN: HO_TEN, names::DIA_CHI: DIA_CHI }).to_string(),
    )
    .unwrap();
    let refused = d.join("refused.pdf");
    let out = kyso_cmd(&[
        "form".as_ref(),
        "fill".as_ref(),
        locked.as_os_str(),
        data.as_os_str(),
        "-o".as_ref(),
        refused.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!(
            "the form data has 1 problem, nothing was written: (1) field \"{}\": the field is \
             locked by the signature in \"{OFFICE_FIELD}\" \
             (FieldMDP); changing it would invalidate that signature",
            names::DIA_CHI
        )),
        "{err}"
    );
    assert!(err.contains("1 problem"), "{err}");
    assert!(!refused.exists());

    // The unlocked fields fill, and the certification passes.
    let filled = fill(
        &locked_bytes,
        &FormValues::new().with(names::HO_TEN, HO_TEN),
    );
    let report = verify_bytes(&filled, &VerifyOptions::new(pki.trust())).unwrap();
    let s = &report.signatures[0];
    assert_eq!(s.indication, Indication::TotalPassed, "{:?}", s.findings);
    assert!(
        s.modifications.policy.contains("FieldMDP lock"),
        "{}",
        s.modifications.policy
    );

    // Forced anyway: the locking signature reports the locked field, with its values.
    let forced = force_value(&filled, names::DIA_CHI, "Số 1 đường Hùng Vương");
    let path = write(d, "certified-locked-forced.pdf", &forced);
    let report = verify_bytes(&forced, &VerifyOptions::new(pki.trust())).unwrap();
    let s = &report.signatures[0];
    assert_eq!(s.indication, Indication::TotalFailed, "{:?}", s.findings);
    assert!(!s.modifications.allowed);
    let finding = s
        .findings
        .iter()
        .find(|f| f.code == kyso::report::Code::ModificationFieldLocked)
        .unwrap_or_else(|| panic!("{:#?}", s.findings));
    assert!(
        finding
            .message
            .contains(&format!("field \"{}\" is locked", names::DIA_CHI)),
        "{}",
        finding.message
    );
    let change = s
        .modifications
        .changes
        .iter()
        .find(|c| c.field.as_deref() == Some(names::DIA_CHI))
        .unwrap();
    assert_eq!(change.old_value.as_deref(), Some(""));
    assert_eq!(change.new_value.as_deref(), Some("Số 1 đường Hùng Vương"));
    // The filled (unlocked) field is not blamed.
    assert!(!s
        .findings
        .iter()
        .any(|f| f.code == kyso::report::Code::ModificationFieldLocked
            && f.message.contains(names::HO_TEN)));

    let Some(py) = Pyhanko::find() else { return };
    let root = pki.write_root(d);
    let sums = py.validate(&path, &root, &[]).unwrap();
    eprintln!(
        "RESULT locked field forced: pyHanko valid {}, intact {}, level {:?}, acceptable {:?}",
        sums[0].valid, sums[0].intact, sums[0].modification_level, sums[0].modifications_acceptable
    );
    assert!(sums[0].intact, "{}", sums[0].raw);
    assert!(!sums[0].valid, "{}", sums[0].raw);
    assert_eq!(
        sums[0].modifications_acceptable,
        Some(false),
        "{}",
        sums[0].raw
    );
    assert_eq!(
        sums[0].modification_level.as_deref(),
        Some("OTHER"),
        "{}",
        sums[0].raw
    );
}
