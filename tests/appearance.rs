//! Visible signatures (issue 7): every layout signed on a Vietnamese administrative page,
//! rendered by poppler (`pdftoppm`), its text extracted by `pdftotext` and compared with the
//! expected Vietnamese strings, the signed files validated by kyso, pyHanko and pdfsig, a
//! second signature keeping the first appearance, placement on rotated pages, on a page with
//! a non-zero MediaBox origin and in an existing field (`pdftotext -bbox`), PDF/A
//! friendliness, bad input refused before anything is written, and the CLI flags.
//!
//! With `KYSO_WRITE_APPEARANCE_DOCS=1` the renders and the test images are also written to
//! `docs/appearances/` (the README shows them).

mod common;

use common::interop::run_ok;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::drawing::{seal_png, signature_png};
use common::interop::{Poppler, Pyhanko, PyhankoTrust};
use common::vn_document::{vn_document, DocSpec};
use kyso::crypto::PrivateKey;
use kyso::draw::{FontSource, ImageSource};
use kyso::pki::TrustStore;
use kyso::report::Indication;
use kyso::sign::appearance::{Anchor, Appearance, Layout, Rect, Template};
use kyso::sign::{sign_bytes, sign_file, SignOptions};
use kyso::signer::SoftwareSigner;
use kyso::verify::{verify_bytes, VerifyOptions};
use time::macros::datetime;
use time::OffsetDateTime;

/// 15/03/2024 09:30:00 in Vietnam.
const SIGNING_TIME: OffsetDateTime = datetime!(2024-03-15 02:30:00 UTC);
const TIME_VN: &str = "15/03/2024 09:30:00 +07:00";

const NAME: &str = "Nguyễn Thị Hương";
const ORG: &str = "Ủy ban nhân dân tỉnh Thừa Thiên Huế";

// ---------------------------------------------------------------------------------------------
// Test PKI: a root, an official (CN, O, title in the certificate) and the organisation.

struct Signer {
    signer: SoftwareSigner,
    key: PathBuf,
    cert: PathBuf,
}

struct Pki {
    root_der: Vec<u8>,
    root_pem: PathBuf,
    official: Signer,
    organisation: Signer,
}

impl Pki {
    fn trust(&self) -> TrustStore {
        TrustStore::from_der_certificates([&self.root_der]).unwrap()
    }
}

fn pki(dir: &Path) -> Pki {
    use rcgen::{
        BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType, IsCa,
        KeyPair, KeyUsagePurpose,
    };
    let now = OffsetDateTime::now_utc();
    let mut root_params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "VN");
    dn.push(DnType::CommonName, "kyso test CA (appearance)");
    root_params.distinguished_name = dn;
    root_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    root_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    root_params.not_before = now - time::Duration::days(3650);
    root_params.not_after = now + time::Duration::days(3650);
    let root = CertifiedIssuer::self_signed(root_params, KeyPair::generate().unwrap()).unwrap();
    let leaf = |label: &str, cn: &str, title: Option<&str>| {
        let key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, "VN");
        dn.push(DnType::OrganizationName, ORG);
        if let Some(t) = title {
            dn.push(DnType::CustomDnType(vec![2, 5, 4, 12]), t);
        }
        dn.push(DnType::CommonName, cn);
        p.distinguished_name = dn;
        p.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
        ];
        // Valid at the fixed signing time of these tests and now.
        p.not_before = SIGNING_TIME - time::Duration::days(30);
        p.not_after = now + time::Duration::days(700);
        let cert = p.signed_by(&key, &root).unwrap();
        let key_path = dir.join(format!("{label}.key.pem"));
        let cert_path = dir.join(format!("{label}.pem"));
        std::fs::write(&key_path, key.serialize_pem()).unwrap();
        std::fs::write(&cert_path, cert.pem()).unwrap();
        let signer = SoftwareSigner::new(
            PrivateKey::from_pem(key.serialize_pem().as_bytes()).unwrap(),
            cert.der().to_vec(),
            vec![],
        )
        .unwrap();
        Signer {
            signer,
            key: key_path,
            cert: cert_path,
        }
    };
    let root_pem = dir.join("root.pem");
    std::fs::write(&root_pem, root.pem()).unwrap();
    Pki {
        root_der: root.der().to_vec(),
        root_pem,
        official: leaf("official", NAME, Some("Chủ tịch")),
        organisation: leaf("organisation", ORG, None),
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers: signing, poppler.

fn docs_dir() -> Option<PathBuf> {
    (std::env::var("KYSO_WRITE_APPEARANCE_DOCS").as_deref() == Ok("1")).then(|| {
        let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/appearances");
        std::fs::create_dir_all(&d).unwrap();
        d
    })
}

fn images(dir: &Path) -> (PathBuf, PathBuf) {
    let sig = dir.join("sample-signature.png");
    let seal = dir.join("sample-seal.png");
    std::fs::write(&sig, signature_png()).unwrap();
    std::fs::write(&seal, seal_png()).unwrap();
    if let Some(d) = docs_dir() {
        std::fs::copy(&sig, d.join("sample-signature.png")).unwrap();
        std::fs::copy(&seal, d.join("sample-seal.png")).unwrap();
    }
    (sig, seal)
}

fn opts(appearance: Appearance) -> SignOptions {
    SignOptions::new()
        .signing_time(SIGNING_TIME)
        .appearance(appearance)
}

fn sign(input: &[u8], s: &Signer, opts: &SignOptions) -> Vec<u8> {
    sign_bytes(input, &s.signer, opts).unwrap_or_else(|e| panic!("signing failed: {e}"))
}

/// The poppler tools, or `None` (skip) when they are missing.
fn poppler() -> Option<()> {
    common::tool("pdftotext")?;
    common::tool("pdftoppm")?;
    Some(())
}

/// Text inside `r` (points, page as displayed, from its lower-left corner) of page 1, one
/// entry per non-empty line, trimmed.
fn text_in(pdf: &Path, r: Rect, page_height: f64) -> Vec<String> {
    let n = |v: f64| std::ffi::OsString::from(format!("{}", v.round() as i64));
    let out = run_ok(
        "pdftotext",
        &[
            "-f".as_ref(),
            "1".as_ref(),
            "-l".as_ref(),
            "1".as_ref(),
            "-x".as_ref(),
            &n(r.x - 1.0),
            "-y".as_ref(),
            &n(page_height - r.y - r.height - 1.0),
            "-W".as_ref(),
            &n(r.width + 2.0),
            "-H".as_ref(),
            &n(r.height + 2.0),
            pdf.as_os_str(),
            "-".as_ref(),
        ],
    );
    out.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != "\u{c}")
        .map(str::to_owned)
        .collect()
}

/// Words of page 1 with their boxes (points, top-left origin, page as displayed).
fn words(pdf: &Path) -> Vec<(String, [f64; 4])> {
    let out = run_ok(
        "pdftotext",
        &[
            "-bbox".as_ref(),
            "-f".as_ref(),
            "1".as_ref(),
            "-l".as_ref(),
            "1".as_ref(),
            pdf.as_os_str(),
            "-".as_ref(),
        ],
    );
    let attr = |line: &str, key: &str| -> f64 {
        let i = line.find(&format!("{key}=\"")).unwrap() + key.len() + 2;
        let rest = &line[i..];
        rest[..rest.find('"').unwrap()].parse().unwrap()
    };
    out.lines()
        .filter(|l| l.trim_start().starts_with("<word"))
        .map(|l| {
            let text = &l[l.find('>').unwrap() + 1..l.rfind("</word>").unwrap()];
            let text = text
                .replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"");
            (
                text,
                [
                    attr(l, "xMin"),
                    attr(l, "yMin"),
                    attr(l, "xMax"),
                    attr(l, "yMax"),
                ],
            )
        })
        .collect()
}

/// Renders page 1 to `out` (PNG) at `dpi`, cropped to `crop` (points as displayed) if given.
fn render(pdf: &Path, out: &Path, dpi: u32, crop: Option<(Rect, f64)>) {
    let mut args: Vec<std::ffi::OsString> = vec![
        "-png".into(),
        "-r".into(),
        dpi.to_string().into(),
        "-f".into(),
        "1".into(),
        "-l".into(),
        "1".into(),
        "-singlefile".into(),
    ];
    if let Some((r, page_h)) = crop {
        let px = |v: f64| ((v * f64::from(dpi) / 72.0).round() as i64).to_string();
        args.extend([
            "-x".into(),
            px(r.x).into(),
            "-y".into(),
            px(page_h - r.y - r.height).into(),
            "-W".into(),
            px(r.width).into(),
            "-H".into(),
            px(r.height).into(),
        ]);
    }
    args.push(pdf.as_os_str().into());
    let stem = out.with_extension("");
    args.push(stem.as_os_str().into());
    let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    run_ok("pdftoppm", &refs);
    assert!(out.is_file(), "{} was not rendered", out.display());
}

/// Counts pixels of page 1 inside `r` (as displayed) rendered at 72 dpi that are clearly
/// blue (ink) and clearly red (seal).
fn ink_and_seal_pixels(pdf: &Path, dir: &Path, r: Rect, page_h: f64) -> (usize, usize) {
    let stem = dir.join("pixels");
    let n = |v: f64| ((v).round() as i64).to_string();
    run_ok(
        "pdftoppm",
        &[
            "-r".as_ref(),
            "72".as_ref(),
            "-f".as_ref(),
            "1".as_ref(),
            "-l".as_ref(),
            "1".as_ref(),
            "-singlefile".as_ref(),
            "-x".as_ref(),
            n(r.x).as_ref(),
            "-y".as_ref(),
            n(page_h - r.y - r.height).as_ref(),
            "-W".as_ref(),
            n(r.width).as_ref(),
            "-H".as_ref(),
            n(r.height).as_ref(),
            pdf.as_os_str(),
            stem.as_os_str(),
        ],
    );
    let ppm = std::fs::read(stem.with_extension("ppm")).unwrap();
    // P6 <w> <h> 255 <data>
    let mut fields = 0;
    let mut i = 0;
    while fields < 4 {
        while ppm[i].is_ascii_whitespace() {
            i += 1;
        }
        while !ppm[i].is_ascii_whitespace() {
            i += 1;
        }
        fields += 1;
    }
    let data = &ppm[i + 1..];
    let (mut blue, mut red) = (0, 0);
    for px in data.chunks(3) {
        let (r, g, b) = (i32::from(px[0]), i32::from(px[1]), i32::from(px[2]));
        if b > 120 && b > r + 60 && b > g + 40 {
            blue += 1;
        }
        if r > 150 && r > g + 80 && r > b + 80 {
            red += 1;
        }
    }
    (blue, red)
}

/// Every signature TOTAL-PASSED in kyso; valid, intact and trusted in pyHanko; valid in
/// pdfsig.
fn validate_everywhere(pdf: &Path, pki: &Pki, expected: usize) {
    validate(pdf, pki, expected, true)
}

/// [`validate_everywhere`], with or without pdfsig.
fn validate(pdf: &Path, pki: &Pki, expected: usize, with_pdfsig: bool) {
    let bytes = std::fs::read(pdf).unwrap();
    let report = verify_bytes(&bytes, &VerifyOptions::new(pki.trust())).unwrap();
    assert_eq!(report.signatures.len(), expected);
    for s in &report.signatures {
        assert_eq!(
            s.indication,
            Indication::TotalPassed,
            "{}: kyso: {:?}",
            pdf.display(),
            s.findings
        );
    }
    if let Some(py) = Pyhanko::find() {
        let sums = py.validate(pdf, &pki.root_pem, &[]).unwrap();
        assert_eq!(sums.len(), expected);
        for s in sums {
            assert!(
                s.intact && s.valid && s.trust == Some(PyhankoTrust::Trusted),
                "{}: pyHanko: {}",
                pdf.display(),
                s.raw
            );
        }
    }
    if let (Some(pop), true) = (Poppler::find(), with_pdfsig) {
        let sigs = pop.pdfsig(pdf, true).unwrap();
        assert_eq!(sigs.len(), expected);
        for s in sigs {
            assert!(s.valid, "{}: pdfsig: {}", pdf.display(), s.raw);
        }
    }
}

const A4_H: f64 = 841.89;

#[test]
fn test_images_are_transparent_pngs() {
    let dir = common::temp_dir();
    let (sig, seal) = images(dir.path());
    for p in [sig, seal] {
        let b = std::fs::read(&p).unwrap();
        // IHDR: 8-bit RGBA.
        assert_eq!(&b[12..16], b"IHDR");
        assert_eq!((b[24], b[25]), (8, 6), "{}", p.display());
    }
}

// ---------------------------------------------------------------------------------------------
// The layouts.

/// One rendered layout: what to sign, where, and the text expected inside.
struct LayoutCase {
    name: &'static str,
    appearance: Appearance,
    signer: fn(&Pki) -> &Signer,
    /// The rectangle to read text from and to crop the close-up to (as displayed).
    area: Rect,
    expected: Vec<&'static str>,
    /// Expect blue ink / red seal pixels in the area (`None`: coloured text, not checked).
    ink: Option<bool>,
    seal: Option<bool>,
}

fn official_signer(p: &Pki) -> &Signer {
    &p.official
}

fn organisation_signer(p: &Pki) -> &Signer {
    &p.organisation
}

fn layout_cases(sig: &Path, seal: &Path, template: Template) -> Vec<LayoutCase> {
    let official_rect = Rect::new(318.0, 120.0, 230.0, 150.0);
    vec![
        LayoutCase {
            name: "official",
            appearance: Appearance::new(Layout::Official)
                .image(ImageSource::file(sig))
                .title("TM. Ủy ban nhân dân\nChủ tịch")
                .rect(official_rect),
            signer: official_signer,
            area: official_rect,
            expected: vec!["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", NAME],
            ink: Some(true),
            seal: Some(false),
        },
        LayoutCase {
            name: "seal",
            appearance: Appearance::new(Layout::Seal)
                .image(ImageSource::file(sig))
                .seal_image(ImageSource::file(seal))
                .title("TM. Ủy ban nhân dân\nChủ tịch")
                .rect(Rect::new(300.0, 110.0, 260.0, 170.0)),
            signer: official_signer,
            area: Rect::new(300.0, 110.0, 260.0, 170.0),
            expected: vec!["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", NAME],
            ink: Some(true),
            seal: Some(true),
        },
        LayoutCase {
            name: "copy-stamp",
            appearance: Appearance::new(Layout::CopyStamp)
                .copy_form("SAO Y")
                .position(Anchor::TopRight)
                .margin(12.0),
            signer: organisation_signer,
            area: Rect::new(595.28 - 12.0 - 230.0, A4_H - 12.0 - 58.0, 230.0, 58.0),
            expected: vec!["SAO Y", ORG, TIME_VN],
            ink: Some(false),
            seal: Some(false),
        },
        LayoutCase {
            name: "portal",
            appearance: Appearance::new(Layout::Portal)
                .image(ImageSource::file(sig))
                .rect(Rect::new(255.0, 140.0, 310.0, 70.0)),
            signer: official_signer,
            area: Rect::new(255.0, 140.0, 310.0, 70.0),
            expected: vec![
                "Người ký: Nguyễn Thị Hương",
                "Cơ quan: Ủy ban nhân dân tỉnh Thừa Thiên Huế",
                "Thời gian ký: 15/03/2024 09:30:00 +07:00",
            ],
            ink: Some(true),
            seal: None,
        },
        LayoutCase {
            name: "custom",
            appearance: Appearance::new(Layout::Custom(Box::new(template)))
                .seal_image(ImageSource::file(seal))
                .rect(Rect::new(275.0, 130.0, 290.0, 92.0)),
            signer: official_signer,
            area: Rect::new(275.0, 130.0, 290.0, 92.0),
            expected: vec![
                "Ký bởi: Nguyễn Thị Hương",
                "Chức vụ: Chủ tịch",
                "Lý do: Phê duyệt đề nghị cấp phép",
                "Ngày ký: 2024-03-15T09:30:00+07:00",
            ],
            ink: None,
            seal: Some(true),
        },
    ]
}

/// The custom template of the README, read from JSON.
const CUSTOM_TEMPLATE: &str = r##"{
    "font_size": 10.5,
    "align": "left",
    "padding": 5,
    "color": "#0B2E8A",
    "border": {"width": 0.8, "color": "#0B2E8A"},
    "side_image": {"image": "seal", "side": "right", "width": 0.3},
    "rows": [
        {"text": "Ký bởi: {signer}", "bold": true},
        {"text": "Chức vụ: {title}"},
        {"text": "Lý do: {reason}"},
        {"text": "Ngày ký: {time_iso}", "size": 9.5}
    ]
}"##;

#[test]
fn every_layout_renders_and_extracts_the_expected_vietnamese_text() {
    let Some(()) = poppler() else { return };
    let dir = common::temp_dir();
    let pki = pki(dir.path());
    let (sig, seal) = images(dir.path());
    let template_path = dir.path().join("template.json");
    std::fs::write(&template_path, CUSTOM_TEMPLATE).unwrap();
    if let Some(d) = docs_dir() {
        std::fs::write(d.join("template.json"), CUSTOM_TEMPLATE).unwrap();
    }
    let template = Template::from_file(&template_path).unwrap();
    let base = vn_document(&DocSpec::default());
    for case in layout_cases(&sig, &seal, template) {
        let mut o = opts(case.appearance.clone());
        if case.name == "custom" {
            o = o.reason("Phê duyệt đề nghị cấp phép");
        }
        let signed = sign(&base, (case.signer)(&pki), &o);
        let pdf = dir.path().join(format!("{}.pdf", case.name));
        std::fs::write(&pdf, &signed).unwrap();

        let text = text_in(&pdf, case.area, A4_H);
        assert_eq!(text, case.expected, "{}: extracted text", case.name);

        let (blue, red) = ink_and_seal_pixels(&pdf, dir.path(), case.area, A4_H);
        if let Some(ink) = case.ink {
            assert_eq!(blue > 40, ink, "{}: {blue} blue pixels", case.name);
        }
        if let Some(seal) = case.seal {
            assert_eq!(red > 100, seal, "{}: {red} red pixels", case.name);
        }

        validate_everywhere(&pdf, &pki, 1);

        let page = dir.path().join(format!("{}-page.png", case.name));
        render(&pdf, &page, 60, None);
        let close = dir.path().join(format!("{}.png", case.name));
        let margin = 14.0;
        let crop = Rect::new(
            (case.area.x - margin).max(0.0),
            (case.area.y - margin).max(0.0),
            (case.area.width + 2.0 * margin).min(595.0 - (case.area.x - margin).max(0.0)),
            (case.area.height + 2.0 * margin).min(A4_H - (case.area.y - margin).max(0.0)),
        );
        render(&pdf, &close, 150, Some((crop, A4_H)));
        if let Some(d) = docs_dir() {
            std::fs::copy(&page, d.join(format!("{}-page.png", case.name))).unwrap();
            std::fs::copy(&close, d.join(format!("{}.png", case.name))).unwrap();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A second signature: the organisation's seal over the official's signature.

/// Where the official layout puts the signature image inside `r` (title of two 12 pt lines,
/// name of one, 3 pt padding, a 2:1 image): the centre and the width of the image.
fn official_image_box(r: Rect) -> (f64, f64, f64) {
    let band_bottom = r.y + 3.0 + 15.0;
    let band_top = r.y + r.height - 3.0 - 30.0;
    let h = band_top - band_bottom;
    let w = (h * 2.0).min(r.width - 6.0);
    (r.x + r.width / 2.0, (band_top + band_bottom) / 2.0, w)
}

#[test]
fn a_second_signature_keeps_the_first_appearance() {
    let Some(()) = poppler() else { return };
    let dir = common::temp_dir();
    let pki = pki(dir.path());
    let (sig, seal) = images(dir.path());
    let official_rect = Rect::new(318.0, 120.0, 230.0, 150.0);
    let base = vn_document(&DocSpec::default());
    let first = sign(
        &base,
        &pki.official,
        &opts(
            Appearance::new(Layout::Official)
                .image(ImageSource::file(&sig))
                .title("TM. Ủy ban nhân dân\nChủ tịch")
                .rect(official_rect),
        )
        .field_name("ChuKyLanhDao"),
    );
    // The organisation signs with the seal alone, at its real size (36 mm), over the left
    // third of the official's signature image.
    let d = 36.0 * 72.0 / 25.4;
    let (cx, cy, w) = official_image_box(official_rect);
    let seal_rect = Rect::new(cx - w / 2.0 + w / 3.0 - d, cy - d / 2.0, d, d);
    let second = sign(
        &first,
        &pki.organisation,
        &opts(
            Appearance::new(Layout::Seal)
                .seal_image(ImageSource::file(&seal))
                .rect(seal_rect),
        )
        .field_name("ChuKyCoQuan"),
    );
    let pdf = dir.path().join("two-signatures.pdf");
    std::fs::write(&pdf, &second).unwrap();
    assert_eq!(
        text_in(&pdf, official_rect, A4_H),
        vec!["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", NAME]
    );
    let (blue, _) = ink_and_seal_pixels(&pdf, dir.path(), official_rect, A4_H);
    let (_, red) = ink_and_seal_pixels(&pdf, dir.path(), seal_rect, A4_H);
    assert!(blue > 40 && red > 400, "{blue} blue, {red} red pixels");
    validate_everywhere(&pdf, &pki, 2);
    // The first signature's view: only allowed changes (a new signature with its widget and
    // appearance objects).
    let report = verify_bytes(&second, &VerifyOptions::new(pki.trust())).unwrap();
    assert!(report.signatures[0].modifications.allowed);
    if let Some(d) = docs_dir() {
        let union = Rect::new(
            seal_rect.x.min(official_rect.x) - 14.0,
            official_rect.y - 14.0,
            official_rect.x + official_rect.width - seal_rect.x.min(official_rect.x) + 28.0,
            official_rect.height + 28.0,
        );
        render(
            &pdf,
            &d.join("two-signatures.png"),
            150,
            Some((union, A4_H)),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Placement: rotated pages, a shifted MediaBox, an existing field.

/// The words of `expected` lines, found in order on page 1, each inside `r` (as displayed)
/// and written left to right (wider than tall for words of three letters or more).
fn assert_upright_inside(pdf: &Path, r: Rect, page_h: f64, expected: &[&str], what: &str) {
    let found = words(pdf);
    let want: Vec<&str> = expected.iter().flat_map(|l| l.split(' ')).collect();
    let inside: Vec<&(String, [f64; 4])> = found
        .iter()
        .filter(|(_, b)| {
            b[0] >= r.x - 1.0
                && b[2] <= r.x + r.width + 1.0
                && b[1] >= page_h - r.y - r.height - 1.0
                && b[3] <= page_h - r.y + 1.0
        })
        .collect();
    let texts: Vec<&str> = inside.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(texts, want, "{what}: words inside {r}: {found:?}");
    for (t, b) in inside {
        if t.chars().count() >= 3 {
            assert!(
                b[2] - b[0] > b[3] - b[1],
                "{what}: {t} is not upright: {b:?}"
            );
        }
    }
}

#[test]
fn rotated_pages_and_shifted_origins_show_the_appearance_upright_where_asked() {
    let Some(()) = poppler() else { return };
    let dir = common::temp_dir();
    let pki = pki(dir.path());
    let rect = Rect::new(300.0, 100.0, 260.0, 56.0);
    let expected = [
        "Người ký: Nguyễn Thị Hương",
        "Cơ quan: Ủy ban nhân dân tỉnh Thừa Thiên Huế",
        "Thời gian ký: 15/03/2024 09:30:00 +07:00",
    ];
    for (rotate, origin) in [
        (0, (0.0, 0.0)),
        (90, (0.0, 0.0)),
        (180, (0.0, 0.0)),
        (270, (0.0, 0.0)),
        (0, (100.0, 200.0)),
        (90, (-50.0, 30.0)),
        (270, (12.5, -700.0)),
    ] {
        let what = format!("/Rotate {rotate}, MediaBox origin {origin:?}");
        let base = vn_document(&DocSpec {
            rotate,
            origin,
            ..DocSpec::default()
        });
        let signed = sign(
            &base,
            &pki.official,
            &opts(Appearance::new(Layout::Portal).rect(rect)),
        );
        let pdf = dir
            .path()
            .join(format!("rot{rotate}-{}-{}.pdf", origin.0, origin.1));
        std::fs::write(&pdf, &signed).unwrap();
        assert_upright_inside(&pdf, rect, A4_H, &expected, &what);
        assert_eq!(text_in(&pdf, rect, A4_H), expected, "{what}");
        if rotate == 90 && origin.0 == 0.0 {
            validate_everywhere(&pdf, &pki, 1);
            if let Some(d) = docs_dir() {
                render(&pdf, &d.join("rotated-90-page.png"), 60, None);
            }
        }
    }
}

#[test]
fn an_existing_field_is_signed_in_place_by_name() {
    let Some(()) = poppler() else { return };
    let dir = common::temp_dir();
    let pki = pki(dir.path());
    let (sig, _) = images(dir.path());
    let field = [318.0, 120.0, 230.0, 150.0];
    let field_rect = Rect::new(field[0], field[1], field[2], field[3]);
    for (rotate, separate_widget) in [(0, false), (90, false), (0, true), (270, true)] {
        let base = vn_document(&DocSpec {
            rotate,
            empty_field: Some(("ChuKyLanhDao".into(), field)),
            separate_widget,
            ..DocSpec::default()
        });
        let appearance = Appearance::new(Layout::Official)
            .image(ImageSource::file(&sig))
            .title("TM. Ủy ban nhân dân\nChủ tịch");
        let signed = sign(
            &base,
            &pki.official,
            &opts(appearance.clone()).field_name("ChuKyLanhDao"),
        );
        let pdf = dir
            .path()
            .join(format!("field-{rotate}-{separate_widget}.pdf"));
        std::fs::write(&pdf, &signed).unwrap();
        let expected = ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", NAME];
        assert_upright_inside(&pdf, field_rect, A4_H, &expected, "existing field");
        assert_eq!(text_in(&pdf, field_rect, A4_H), expected);
        // poppler 22.12's pdfsig reports a signature field whose widget is a separate kid as
        // "not signed", for pyHanko's signatures as much as kyso's (the same structure: /V on
        // the field); kyso and pyHanko judge it.
        validate(&pdf, &pki, 1, !separate_widget);
        // Signed after another signature: the field's widget gains /V, /AP and /F in a later
        // revision, which the earlier signature's view allows.
        let first = sign(
            &base,
            &pki.organisation,
            &opts(Appearance::new(Layout::CopyStamp).copy_form("SAO Y")),
        );
        let second = sign(
            &first,
            &pki.official,
            &opts(appearance.clone()).field_name("ChuKyLanhDao"),
        );
        let pdf2 = dir
            .path()
            .join(format!("field-second-{rotate}-{separate_widget}.pdf"));
        std::fs::write(&pdf2, &second).unwrap();
        assert_eq!(text_in(&pdf2, field_rect, A4_H), expected);
        if separate_widget {
            // pyHanko's modification policy does not explain a separate widget gaining /AP in
            // a later revision and calls the earlier signature's view illegal — for pyHanko's
            // own signatures into such a field as much as for kyso's. kyso allows it (the
            // widget of a field signed in that revision may change /AP, /AS and /F); pyHanko
            // must still find both signatures intact and trusted, and the last one valid.
            let report = verify_bytes(&second, &VerifyOptions::new(pki.trust())).unwrap();
            for s in &report.signatures {
                assert_eq!(s.indication, Indication::TotalPassed, "{:?}", s.findings);
            }
            if let Some(py) = Pyhanko::find() {
                let sums = py.validate(&pdf2, &pki.root_pem, &[]).unwrap();
                assert_eq!(sums.len(), 2);
                for s in &sums {
                    assert!(
                        s.intact && s.trust == Some(PyhankoTrust::Trusted),
                        "{}",
                        s.raw
                    );
                }
                assert!(sums[1].valid, "{}", sums[1].raw);
            }
        } else {
            validate_everywhere(&pdf2, &pki, 2);
        }
        // The field keeps its place: a rectangle cannot move it.
        let e = sign_bytes(
            &base,
            &pki.official.signer,
            &opts(appearance.rect(Rect::new(10.0, 10.0, 200.0, 100.0))).field_name("ChuKyLanhDao"),
        )
        .unwrap_err();
        assert!(e.to_string().contains("ChuKyLanhDao"), "{e}");
    }
}

// ---------------------------------------------------------------------------------------------
// Bad input: refused before anything is written.

#[test]
fn bad_input_is_refused_before_anything_is_written() {
    let dir = common::temp_dir();
    let pki = pki(dir.path());
    let (sig, seal) = images(dir.path());
    let input = dir.path().join("in.pdf");
    std::fs::write(&input, vn_document(&DocSpec::default())).unwrap();
    let junk = dir.path().join("junk.bin");
    std::fs::write(&junk, b"this is not a font, nor an image").unwrap();
    let truncated_png = dir.path().join("truncated.png");
    let png = std::fs::read(&sig).unwrap();
    std::fs::write(&truncated_png, &png[..png.len() / 2]).unwrap();
    let cut_font = dir.path().join("cut.ttf");
    std::fs::write(&cut_font, &dejavu::serif::regular()[..5000]).unwrap();
    let missing = dir.path().join("missing.ttf");
    let official = || {
        Appearance::new(Layout::Official)
            .image(ImageSource::file(&sig))
            .rect(Rect::new(318.0, 120.0, 230.0, 150.0))
    };
    let cases: Vec<(&str, Appearance, &str)> = vec![
        (
            "missing font",
            official().font(FontSource::file(&missing)),
            "missing.ttf",
        ),
        (
            "not a font",
            official().font(FontSource::file(&junk)),
            "not a usable TrueType/OpenType font",
        ),
        (
            "truncated font",
            official().font(FontSource::file(&cut_font)),
            "cut.ttf",
        ),
        (
            "missing image",
            Appearance::new(Layout::Official).image(ImageSource::file(dir.path().join("no.png"))),
            "no.png",
        ),
        (
            "not an image",
            Appearance::new(Layout::Official).image(ImageSource::file(&junk)),
            "not a PNG or JPEG image",
        ),
        (
            "truncated PNG",
            Appearance::new(Layout::Official).image(ImageSource::file(&truncated_png)),
            "PNG",
        ),
        (
            "outside the page",
            official().rect(Rect::new(500.0, 700.0, 230.0, 150.0)),
            "outside page 1",
        ),
        (
            "negative size",
            official().rect(Rect::new(100.0, 100.0, -20.0, 50.0)),
            "invalid rectangle",
        ),
        (
            "text too large for the box",
            official().rect(Rect::new(100.0, 100.0, 40.0, 20.0)),
            "does not fit",
        ),
        (
            "official without a signature image",
            Appearance::new(Layout::Official),
            "--image",
        ),
        (
            "seal without a seal image",
            Appearance::new(Layout::Seal).image(ImageSource::file(&sig)),
            "--seal-image",
        ),
        (
            "seal too large for the box",
            Appearance::new(Layout::Seal)
                .image(ImageSource::file(&sig))
                .seal_image(ImageSource::file(&seal))
                .rect(Rect::new(300.0, 100.0, 200.0, 80.0)),
            "does not fit",
        ),
        (
            "unknown placeholder",
            Appearance::new(Layout::Custom(Box::new(
                Template::from_json(
                    br#"{"rows": [{"text": "{signer} {nickname}"}]}"#,
                    kyso::draw::Origin::Bytes,
                )
                .unwrap(),
            ))),
            "{nickname}",
        ),
    ];
    for (what, appearance, needle) in cases {
        let output = dir.path().join("out.pdf");
        let e =
            sign_file(&input, &output, &pki.official.signer, &opts(appearance)).expect_err(what);
        let msg = e.to_string();
        assert!(msg.contains(needle), "{what}: {msg}");
        assert!(!output.exists(), "{what}: an output file was written");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with(".kyso-"))
            .collect();
        assert!(leftovers.is_empty(), "{what}: temporary files left");
    }
}

// ---------------------------------------------------------------------------------------------
// PDF/A friendliness.

/// The objects of the last incremental update, parsed by lopdf.
fn update_objects(signed: &[u8], base_len: usize) -> Vec<(u32, lopdf::Object)> {
    let doc = lopdf::Document::load_mem(signed).unwrap();
    let tail = &signed[base_len..];
    let mut out = Vec::new();
    for (id, obj) in &doc.objects {
        let header = format!("\n{} {} obj", id.0, id.1);
        if tail.windows(header.len()).any(|w| w == header.as_bytes())
            || tail.starts_with(&header.as_bytes()[1..])
        {
            out.push((id.0, obj.clone()));
        }
    }
    out
}

fn dict_of(o: &lopdf::Object) -> Option<&lopdf::Dictionary> {
    match o {
        lopdf::Object::Dictionary(d) => Some(d),
        lopdf::Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

fn is_name(d: &lopdf::Dictionary, key: &[u8], value: &[u8]) -> bool {
    d.get(key).ok().and_then(|o| o.as_name().ok()) == Some(value)
}

#[test]
fn pdfa_claims_are_kept_and_respected() {
    let dir = common::temp_dir();
    let pki = pki(dir.path());
    let (sig, _) = images(dir.path());
    let appearance = Appearance::new(Layout::Official)
        .image(ImageSource::file(&sig))
        .title("Chủ tịch")
        .rect(Rect::new(318.0, 120.0, 230.0, 150.0));
    for (claim, mask_key, space, fill_op) in [
        (None, "SMask", "DeviceRGB", " rg"),
        (Some((1u8, 3u8)), "Mask", "DeviceRGB", " rg"),
        (Some((2, 3)), "SMask", "DeviceRGB", " rg"),
        (Some((1, 4)), "Mask", "DeviceCMYK", " k"),
    ] {
        let what = format!("claim {claim:?}");
        let base = vn_document(&DocSpec {
            pdfa: claim,
            ..DocSpec::default()
        });
        let signed = sign(&base, &pki.official, &opts(appearance.clone()));
        let objs = update_objects(&signed, base.len());
        // The claim stays as it was: the metadata stream is not rewritten and the catalog
        // (which gains /AcroForm) still points at it and at the same output intents.
        let before = lopdf::Document::load_mem(&base).unwrap();
        let after = lopdf::Document::load_mem(&signed).unwrap();
        let catalog = |d: &lopdf::Document| d.catalog().unwrap().clone();
        for key in [&b"Metadata"[..], b"OutputIntents"] {
            assert_eq!(
                catalog(&before).get(key).ok(),
                catalog(&after).get(key).ok(),
                "{what}: /{}",
                String::from_utf8_lossy(key)
            );
        }
        if let Ok(m) = catalog(&before).get(b"Metadata") {
            let m = m.as_reference().unwrap();
            assert!(
                objs.iter().all(|(n, _)| *n != m.0),
                "{what}: metadata rewritten"
            );
        }
        let mut images = 0;
        for (_, o) in &objs {
            let Some(d) = dict_of(o) else { continue };
            assert!(!d.has(b"Group"), "{what}: a transparency group");
            let masked = d.has(b"SMask") || d.has(b"Mask");
            if is_name(d, b"Subtype", b"Image") && masked {
                images += 1;
                assert!(d.has(mask_key.as_bytes()), "{what}: {d:?}");
                assert!(is_name(d, b"ColorSpace", space.as_bytes()), "{what}: {d:?}");
                if mask_key == "Mask" {
                    assert!(!d.has(b"SMask"), "{what}");
                }
            }
            if is_name(d, b"Type", b"FontDescriptor") {
                assert!(d.has(b"CIDSet") && d.has(b"FontFile2"), "{what}: {d:?}");
            }
            if is_name(d, b"Subtype", b"CIDFontType2") {
                assert!(is_name(d, b"CIDToGIDMap", b"Identity"), "{what}");
            }
            if is_name(d, b"Subtype", b"Type0") {
                assert!(d.has(b"ToUnicode"), "{what}");
            }
            if is_name(d, b"Subtype", b"Form") {
                let lopdf::Object::Stream(s) = o else {
                    unreachable!()
                };
                let content =
                    String::from_utf8_lossy(&s.decompressed_content().unwrap()).into_owned();
                assert!(content.contains(fill_op), "{what}: {content}");
            }
        }
        assert_eq!(images, 1, "{what}: one signature image");
        // PDF/A-1's 1-bit mask still shows the ink on a white page.
        if let (Some(()), Some(_)) = (poppler(), claim) {
            let pdf = dir.path().join("pdfa.pdf");
            std::fs::write(&pdf, &signed).unwrap();
            let (blue, _) = ink_and_seal_pixels(
                &pdf,
                dir.path(),
                Rect::new(318.0, 120.0, 230.0, 150.0),
                A4_H,
            );
            assert!(blue > 20, "{what}: {blue} blue pixels");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// JPEG pass-through and caller fonts.

#[test]
fn jpeg_images_pass_through_and_caller_fonts_are_embedded() {
    let Some(()) = poppler() else { return };
    let dir = common::temp_dir();
    let pki = pki(dir.path());
    let (sig, _) = images(dir.path());
    // A JPEG made by poppler from a page showing the signature.
    let with_png = sign(
        &vn_document(&DocSpec {
            body: false,
            ..DocSpec::default()
        }),
        &pki.official,
        &opts(
            Appearance::new(Layout::Official)
                .image(ImageSource::file(&sig))
                .rect(Rect::new(100.0, 500.0, 300.0, 200.0)),
        ),
    );
    let png_pdf = dir.path().join("for-jpeg.pdf");
    std::fs::write(&png_pdf, &with_png).unwrap();
    let jpeg_stem = dir.path().join("signature-scan");
    run_ok(
        "pdftoppm",
        &[
            "-jpeg".as_ref(),
            "-r".as_ref(),
            "100".as_ref(),
            "-singlefile".as_ref(),
            "-x".as_ref(),
            "170".as_ref(),
            "-y".as_ref(),
            "250".as_ref(),
            "-W".as_ref(),
            "280".as_ref(),
            "-H".as_ref(),
            "130".as_ref(),
            png_pdf.as_os_str(),
            jpeg_stem.as_os_str(),
        ],
    );
    let jpeg = jpeg_stem.with_extension("jpg");
    let jpeg_bytes = std::fs::read(&jpeg).unwrap();

    // Caller fonts: DejaVu Sans from a file, and fonts installed on this machine when present
    // (Liberation Serif is metric-compatible with Times New Roman, the decree's font; Nimbus
    // Roman is an OpenType font with CFF outlines).
    let sans = dir.path().join("DejaVuSans.ttf");
    std::fs::write(&sans, dejavu::sans::regular()).unwrap();
    let mut fonts = vec![(sans, "DejaVuSans", "CIDFontType2")];
    for (path, name, kind) in [(
        "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
        "LiberationSerif",
        "CIDFontType2",
    )] {
        if Path::new(path).is_file() {
            fonts.push((PathBuf::from(path), name, kind));
        }
    }
    let rect = Rect::new(255.0, 140.0, 310.0, 70.0);
    for (font, base_font, kind) in fonts {
        let what = font.display().to_string();
        let base = vn_document(&DocSpec::default());
        let signed = sign(
            &base,
            &pki.official,
            &opts(
                Appearance::new(Layout::Portal)
                    .image(ImageSource::bytes(jpeg_bytes.clone()))
                    .font(FontSource::file(&font))
                    .rect(rect),
            ),
        );
        let objs = update_objects(&signed, base.len());
        let dicts: Vec<&lopdf::Dictionary> = objs.iter().filter_map(|(_, o)| dict_of(o)).collect();
        assert!(
            dicts
                .iter()
                .any(|d| is_name(d, b"Filter", b"DCTDecode")
                    && is_name(d, b"ColorSpace", b"DeviceRGB")),
            "{what}: no DCTDecode image"
        );
        let cid = dicts
            .iter()
            .find(|d| is_name(d, b"Subtype", kind.as_bytes()))
            .unwrap_or_else(|| panic!("{what}: no {kind}"));
        let name = cid.get(b"BaseFont").unwrap().as_name().unwrap();
        let name = String::from_utf8_lossy(name);
        assert!(name.ends_with(&format!("+{base_font}")), "{what}: {name}");
        assert_eq!(name.find('+'), Some(6), "{what}: subset tag in {name}");
        let pdf = dir.path().join("font.pdf");
        std::fs::write(&pdf, &signed).unwrap();
        assert_eq!(
            text_in(&pdf, rect, A4_H),
            vec![
                "Người ký: Nguyễn Thị Hương",
                "Cơ quan: Ủy ban nhân dân tỉnh Thừa Thiên Huế",
                "Thời gian ký: 15/03/2024 09:30:00 +07:00",
            ],
            "{what}"
        );
        let (blue, _) = ink_and_seal_pixels(&pdf, dir.path(), rect, A4_H);
        assert!(blue > 20, "{what}: {blue} blue pixels from the JPEG");
        validate_everywhere(&pdf, &pki, 1);
    }
}

/// An OpenType font with CFF outlines embeds as CIDFontType0 (`/FontFile3 /CIDFontType0C`);
/// a font without Vietnamese letters is refused with the character it lacks.
#[test]
fn cff_fonts_embed_and_fonts_without_vietnamese_are_refused() {
    let nimbus = Path::new("/usr/share/fonts/opentype/urw-base35/NimbusRoman-Regular.otf");
    if !nimbus.is_file() {
        let _ = writeln!(std::io::stderr(), "SKIP: fonts-urw-base35 not installed");
        return;
    }
    let dir = common::temp_dir();
    let pki = pki(dir.path());
    let base = vn_document(&DocSpec::default());
    let e = sign_bytes(
        &base,
        &pki.official.signer,
        &opts(Appearance::new(Layout::Portal).font(FontSource::file(nimbus))),
    )
    .unwrap_err();
    assert!(e.to_string().contains("no glyph for 'ư' (U+01B0)"), "{e}");
    let template = Template::from_json(
        br#"{"align": "left", "rows": [{"text": "Signed by {signer}"}, {"text": "{time}"}]}"#,
        kyso::draw::Origin::Bytes,
    )
    .unwrap();
    let rect = Rect::new(300.0, 100.0, 250.0, 40.0);
    let signed = sign(
        &base,
        &pki.official,
        &opts(
            Appearance::new(Layout::Custom(Box::new(template)))
                .font(FontSource::file(nimbus))
                .signer_name("Nguyen Thi Huong")
                .rect(rect),
        ),
    );
    let objs = update_objects(&signed, base.len());
    let dicts: Vec<&lopdf::Dictionary> = objs.iter().filter_map(|(_, o)| dict_of(o)).collect();
    assert!(dicts
        .iter()
        .any(|d| is_name(d, b"Subtype", b"CIDFontType0")));
    assert!(dicts
        .iter()
        .any(|d| is_name(d, b"Subtype", b"CIDFontType0C")));
    assert!(dicts
        .iter()
        .any(|d| is_name(d, b"Type", b"FontDescriptor") && d.has(b"FontFile3")));
    if poppler().is_some() {
        let pdf = dir.path().join("cff.pdf");
        std::fs::write(&pdf, &signed).unwrap();
        assert_eq!(
            text_in(&pdf, rect, A4_H),
            vec!["Signed by Nguyen Thi Huong", TIME_VN]
        );
        validate_everywhere(&pdf, &pki, 1);
    }
}

// ---------------------------------------------------------------------------------------------
// The command line.

fn kyso() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kyso"))
}

#[test]
fn cli_signs_with_each_appearance_flag() {
    let dir = common::temp_dir();
    let pki = pki(dir.path());
    let (sig, seal) = images(dir.path());
    let input = dir.path().join("in.pdf");
    std::fs::write(&input, vn_document(&DocSpec::default())).unwrap();
    let template = dir.path().join("mau.json");
    std::fs::write(&template, CUSTOM_TEMPLATE).unwrap();
    let key = pki.official.key.to_str().unwrap().to_string();
    let cert = pki.official.cert.to_str().unwrap().to_string();
    type CliRun<'a> = (&'a str, Vec<String>, Option<(Rect, Vec<&'a str>)>);
    let runs: Vec<CliRun> = vec![
        (
            "official",
            vec![
                "--appearance",
                "official",
                "--image",
                sig.to_str().unwrap(),
                "--title",
                "TM. Ủy ban nhân dân\\nChủ tịch",
                "--rect",
                "318,120,230,150",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            Some((
                Rect::new(318.0, 120.0, 230.0, 150.0),
                vec!["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", NAME],
            )),
        ),
        (
            "seal",
            vec![
                "--appearance",
                "seal",
                "--image",
                sig.to_str().unwrap(),
                "--seal-image",
                seal.to_str().unwrap(),
                "--rect",
                "300,110,260,170",
                "--seal-size",
                "34",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            Some((
                Rect::new(300.0, 110.0, 260.0, 170.0),
                vec!["CHỦ TỊCH", NAME],
            )),
        ),
        (
            "copy-stamp",
            vec![
                "--appearance",
                "copy-stamp",
                "--copy-form",
                "SAO LỤC",
                "--document-number",
                "Số: 45/SL-VP",
                "--position",
                "top-right",
                "--margin",
                "12",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            Some((
                Rect::new(595.28 - 12.0 - 230.0, A4_H - 12.0 - 58.0, 230.0, 58.0),
                vec!["SAO LỤC", "Số: 45/SL-VP", ORG, TIME_VN],
            )),
        ),
        (
            "portal",
            vec![
                "--appearance",
                "portal",
                "--time-style",
                "iso",
                "--signer-name",
                "Trần Văn Đức",
                "--position",
                "bottom-left",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            Some((
                Rect::new(20.0, 20.0, 250.0, 60.0),
                vec![
                    "Người ký: Trần Văn Đức",
                    "Cơ quan: Ủy ban nhân dân tỉnh Thừa Thiên Huế",
                    "Thời gian ký: 2024-03-15T09:30:00+07:00",
                ],
            )),
        ),
        (
            "template",
            vec![
                "--appearance",
                template.to_str().unwrap(),
                "--seal-image",
                seal.to_str().unwrap(),
                "--rect",
                "275,130,290,92",
                "--reason",
                "Phê duyệt đề nghị cấp phép",
                "--preview",
            ]
            .into_iter()
            .map(String::from)
            .chain([dir.path().join("xem.png").to_str().unwrap().to_string()])
            .collect(),
            Some((
                Rect::new(275.0, 130.0, 290.0, 92.0),
                vec![
                    "Ký bởi: Nguyễn Thị Hương",
                    "Chức vụ: Chủ tịch",
                    "Lý do: Phê duyệt đề nghị cấp phép",
                    "Ngày ký: 2024-03-15T09:30:00+07:00",
                ],
            )),
        ),
    ];
    for (what, flags, check) in runs {
        let output = dir.path().join(format!("{what}.pdf"));
        let out = kyso()
            .args([
                "sign",
                "--key",
                &key,
                "--cert",
                &cert,
                "--time",
                "2024-03-15T02:30:00Z",
            ])
            .args(&flags)
            .arg(&input)
            .arg("-o")
            .arg(&output)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{what}: {stderr}");
        if what == "template" {
            assert!(stderr.contains("pdftoppm -png"), "{what}: {stderr}");
        }
        let bytes = std::fs::read(&output).unwrap();
        let report = verify_bytes(&bytes, &VerifyOptions::new(pki.trust())).unwrap();
        assert_eq!(
            report.signatures[0].indication,
            Indication::TotalPassed,
            "{what}"
        );
        if let (Some((rect, lines)), Some(())) = (check, poppler()) {
            let got = text_in(&output, rect, A4_H);
            // The seal case reads the title's last line and the name (the title's first line
            // may be cut by the box edge); compare the tail.
            assert!(
                got.ends_with(&lines.iter().map(|s| s.to_string()).collect::<Vec<_>>()),
                "{what}: {got:?}"
            );
        }
    }

    // Refusals: exit 2, one line naming the problem, no output.
    for (flags, needle) in [
        (
            vec![
                "--appearance",
                "official",
                "--image",
                sig.to_str().unwrap(),
                "--rect",
                "500,700,230,150",
            ],
            "outside page 1",
        ),
        (
            vec!["--image", sig.to_str().unwrap()],
            "--image needs --appearance",
        ),
        (vec!["--appearance", "nonsense"], "no such template file"),
        (
            vec![
                "--appearance",
                "official",
                "--image",
                "/nonexistent/chu-ky.png",
            ],
            "chu-ky.png",
        ),
        (vec!["--appearance", "portal", "--rect", "1,2,3"], "x,y,w,h"),
    ] {
        let output = dir.path().join("refused.pdf");
        let out = kyso()
            .args(["sign", "--key", &key, "--cert", &cert])
            .args(&flags)
            .arg(&input)
            .arg("-o")
            .arg(&output)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {stderr}");
        assert!(stderr.contains(needle), "{flags:?}: {stderr}");
        assert!(!output.exists());
    }
}

/// The template shown in the README parses, with every key it documents.
#[test]
fn the_readme_template_parses() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme
        .find("```json\n")
        .expect("a JSON block in the README")
        + 8;
    let end = start + readme[start..].find("```").unwrap();
    let t = Template::from_json(&readme.as_bytes()[start..end], kyso::draw::Origin::Bytes).unwrap();
    assert_eq!(t.rows.len(), 6);
    assert_eq!(t.position, Some(Anchor::BottomRight));
    let from_docs =
        Template::from_json(CUSTOM_TEMPLATE.as_bytes(), kyso::draw::Origin::Bytes).unwrap();
    assert!(from_docs.side_image.is_some());
}
