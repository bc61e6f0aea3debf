//! The visual comparison (`kyso::visual`, issue 23): each signed revision rendered with hayro
//! and compared with the final document (ISO 32000-2 §7.5.6 incremental updates: the signed
//! revision is the file up to its `%%EOF`; §12.5.5 appearance streams draw the annotations).
//!
//! - On the shadow-attack corpus (Mainka, Mladenov, Rohlmann: hide, replace, hide-and-replace):
//!   the honest signed files show no differing region; on every manipulated file, hayro's
//!   regions agree with MuPDF (`mutool draw`) and poppler (`pdftoppm`) on whether a page
//!   changed (the oracle cut at the same revision end), and where both other renderers see a
//!   change hayro sees it too.
//! - On kyso's own signed documents (approval, DocMDP P1/P2/P3 certification, visible
//!   signature, forms with and without appearances) with honest later updates (a field
//!   filled, a `/Square` annotation, a new signature field, a second signature, `/Info`,
//!   `/DSS`; ISO 32000-2 §12.8.2.2 DocMDP): every region of a signature whose later changes
//!   the difference analysis allowed is attributed to that change, and no such signature gets
//!   `visual.content_changed`.
//! - Disagreements between hayro and the other two renderers are printed (and counted), not
//!   hidden.
//!
//! Corpus tests skip with one line without `../shared` unless `KYSO_REQUIRE_CORPUS=1`; the
//! oracle part skips when `mutool` or `pdftoppm` is missing unless `KYSO_REQUIRE_INTEROP=1`.
#![cfg(feature = "visual")]

mod common;

#[allow(dead_code)]
#[path = "render_oracle/bases.rs"]
mod bases;
#[allow(dead_code)]
#[path = "render_oracle/graph.rs"]
mod graph;
#[allow(dead_code)]
#[path = "render_oracle/mutate.rs"]
mod mutate;
#[allow(dead_code)]
#[path = "render_oracle/render.rs"]
mod render;

use std::path::Path;

use common::pki::TestPki;
use kyso::pki::TrustStore;
use kyso::report::{Code, RegionCause, VerificationReport, VisualStatus};
use kyso::verify::{verify_bytes, VerifyOptions};
use kyso::visual::{examine, VisualOptions};
use render::{Image, Renderer, Rendering, Tools, DPI};
use time::OffsetDateTime;

/// Verifies and compares; the report and the pictures' count.
fn visual_report(bytes: &[u8], opts: &VerifyOptions) -> VerificationReport {
    let mut r = verify_bytes(bytes, opts).unwrap();
    let mut v = VisualOptions::default();
    v.pictures = true;
    let pictures = examine(bytes, &mut r, &v);
    // Every picture the report names exists, and is a PNG.
    let named: usize = r
        .signatures
        .iter()
        .filter_map(|s| s.visual.as_ref())
        .map(|v| v.images.len())
        .sum();
    assert_eq!(named, pictures.len());
    for p in &pictures {
        assert!(p.png.starts_with(b"\x89PNG\r\n\x1a\n"), "{}", p.file_name);
    }
    r
}

/// Pages (1-based) where hayro found a differing region for signature `i`.
fn hayro_pages(r: &VerificationReport, i: usize) -> Option<Vec<usize>> {
    let v = r.signatures.get(i)?.visual.as_ref()?;
    if v.status != VisualStatus::Compared {
        return None;
    }
    let mut pages: Vec<usize> = v.regions.iter().map(|g| g.page).collect();
    pages.extend(&v.pages_added);
    pages.extend(&v.pages_removed);
    pages.sort_unstable();
    pages.dedup();
    Some(pages)
}

/// The end of the revision signature `i` signed.
fn revision_end(bytes: &[u8], r: &VerificationReport, i: usize) -> Option<usize> {
    let rev = r.signatures.get(i)?.signed_revision?;
    let doc = kyso::pdf::Document::open(bytes).ok()?;
    doc.revisions().get(rev).map(|x| x.end as usize)
}

/// Pages (1-based) where a renderer's drawing of the two files differs, and the bounding
/// box of the differences on each (points); `None` when the renderer failed on either.
fn oracle_pages(a: &Rendering, b: &Rendering) -> Option<Vec<(usize, [f64; 4])>> {
    let (Ok(pa), Ok(pb)) = (a, b) else {
        return None;
    };
    let mut out = Vec::new();
    for page in 0..pa.len().max(pb.len()) {
        match (pa.get(page), pb.get(page)) {
            (Some(x), Some(y)) => {
                if let Some(b) = diff_box(x, y) {
                    out.push((page + 1, b));
                }
            }
            _ => out.push((page + 1, [0.0, 0.0, f64::MAX, f64::MAX])),
        }
    }
    Some(out)
}

fn diff_box(a: &Image, b: &Image) -> Option<[f64; 4]> {
    if (a.width, a.height, a.channels) != (b.width, b.height, b.channels) {
        return Some([0.0, 0.0, f64::MAX, f64::MAX]);
    }
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
    for y in 0..a.height {
        for x in 0..a.width {
            let i = (y * a.width + x) * a.channels;
            if a.data[i..i + a.channels] != b.data[i..i + a.channels] {
                x0 = x0.min(x);
                y0 = y0.min(y);
                x1 = x1.max(x + 1);
                y1 = y1.max(y + 1);
            }
        }
    }
    if x0 == usize::MAX {
        return None;
    }
    let s = 72.0 / f64::from(DPI);
    let h = a.height as f64;
    Some([
        x0 as f64 * s,
        (h - y1 as f64) * s,
        x1 as f64 * s,
        (h - y0 as f64) * s,
    ])
}

fn overlaps(a: [f64; 4], b: [f64; 4], margin: f64) -> bool {
    a[0] - margin <= b[2] && b[0] - margin <= a[2] && a[1] - margin <= b[3] && b[1] - margin <= a[3]
}

/// Compares hayro's regions of signature `i` with the two other renderers' differences;
/// returns the disagreements, one line each, and whether both others saw a change hayro did
/// not.
fn against_oracle(
    name: &str,
    bytes: &[u8],
    r: &VerificationReport,
    i: usize,
    tools: &Tools,
    work: &Path,
) -> (Vec<String>, bool) {
    let mut lines = Vec::new();
    let (Some(hayro), Some(end)) = (hayro_pages(r, i), revision_end(bytes, r, i)) else {
        return (lines, false);
    };
    let regions: Vec<(usize, [f64; 4])> = r.signatures[i]
        .visual
        .as_ref()
        .map(|v| v.regions.iter().map(|g| (g.page, g.rect)).collect())
        .unwrap_or_default();
    let mut both_missed = true;
    let mut any_oracle = false;
    for renderer in Renderer::ALL {
        let signed = tools.render(renderer, &bytes[..end], work);
        let now = tools.render(renderer, bytes, work);
        let Some(pages) = oracle_pages(&signed, &now) else {
            lines.push(format!(
                "{name} sig {}: {} failed on one of the two revisions",
                i + 1,
                renderer.name()
            ));
            both_missed = false;
            continue;
        };
        let theirs: Vec<usize> = pages.iter().map(|(p, _)| *p).collect();
        if !theirs.is_empty() {
            any_oracle = true;
        }
        if theirs.iter().all(|p| hayro.contains(p)) {
            both_missed = false;
        }
        if theirs != hayro {
            lines.push(format!(
                "{name} sig {}: changed pages: hayro {hayro:?}, {} {theirs:?}",
                i + 1,
                renderer.name()
            ));
        }
        // Where both see a change on a page, the places should meet.
        for (page, b) in &pages {
            let here: Vec<[f64; 4]> = regions
                .iter()
                .filter(|(p, _)| p == page)
                .map(|(_, r)| *r)
                .collect();
            if !here.is_empty() && !here.iter().any(|r| overlaps(*r, *b, 4.0)) {
                lines.push(format!(
                    "{name} sig {} page {page}: {} differs in {b:?}, hayro in {here:?}",
                    i + 1,
                    renderer.name()
                ));
            }
        }
    }
    (lines, any_oracle && both_missed && hayro.is_empty())
}

fn oracle_tools() -> Option<Tools> {
    let (Some(mutool), Some(pdftoppm)) = (common::tool("mutool"), common::tool("pdftoppm")) else {
        return None;
    };
    Some(Tools { mutool, pdftoppm })
}

/// Shadow attacks (hide, replace, hide-and-replace; 2019/2020 variants): honest signed files
/// show nothing; manipulated ones agree with MuPDF and poppler on which pages changed, and a
/// change both other renderers show is never missed by hayro.
#[test]
fn shadow_attacks_show_their_changed_regions_and_honest_files_none() {
    let Some(root) = common::corpus("03-pdf-attacks/rub-nds-pdf-attacker-shadow") else {
        return;
    };
    let tools = oracle_tools();
    let work = common::temp_dir();
    let opts = VerifyOptions::new(TrustStore::empty());
    let (mut manipulated, mut shown, mut disagreements) = (0, 0, Vec::new());
    let mut missed = Vec::new();
    for path in common::corpus::pdfs_under(&root) {
        let name = path.strip_prefix(&root).unwrap().display().to_string();
        let bytes = std::fs::read(&path).unwrap();
        let r = visual_report(&bytes, &opts);
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let is_manipulated = file.contains("manipulated");
        let is_signed = file.contains("signed");
        for i in 0..r.signatures.len() {
            let pages = hayro_pages(&r, i).unwrap_or_default();
            if is_signed && !is_manipulated {
                assert!(
                    pages.is_empty(),
                    "{name}: honest file with regions {pages:?}"
                );
                assert!(
                    !r.signatures[i].findings.iter().any(|f| matches!(
                        f.code,
                        Code::VisualContentChanged | Code::VisualUnexplained | Code::VisualOverlap
                    )),
                    "{name}"
                );
            }
            if !is_manipulated || r.signatures[i].visual.is_none() {
                continue;
            }
            manipulated += 1;
            if !pages.is_empty() {
                shown += 1;
            }
            if let Some(tools) = &tools {
                let (lines, miss) = against_oracle(&name, &bytes, &r, i, tools, work.path());
                disagreements.extend(lines);
                if miss {
                    missed.push(name.clone());
                }
            }
        }
    }
    eprintln!(
        "shadow corpus: {manipulated} manipulated signature(s) compared, {shown} with changed \
         regions; {} disagreement(s) with MuPDF/poppler:",
        disagreements.len()
    );
    for d in &disagreements {
        eprintln!("  {d}");
    }
    assert!(manipulated > 0, "no manipulated file compared");
    assert!(shown > 0, "no manipulated file shows a changed region");
    assert!(
        missed.is_empty(),
        "MuPDF and poppler both show a change hayro does not: {missed:?}"
    );
}

/// kyso's own signed documents with honest later updates: every region of a signature whose
/// later changes were allowed is attributed to the change that made it; the oracle agrees on
/// the pages (disagreements printed).
#[test]
fn permitted_changes_explain_every_difference_on_kyso_vectors() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let opts = VerifyOptions::new(pki.trust()).validation_time(now);
    let bases = bases::bases(&pki, now);
    let variants = bases::variants(&bases, &pki, now);
    let tools = oracle_tools();
    let work = common::temp_dir();
    let (mut compared, mut attributed, mut disagreements) = (0, 0, Vec::new());
    let mut overlaps = 0;
    for v in &variants {
        let name = format!("{}/{}", bases[v.base].name, v.seed);
        let r = visual_report(&v.bytes, &opts);
        for (i, s) in r.signatures.iter().enumerate() {
            let Some(vis) = &s.visual else {
                continue;
            };
            assert_eq!(
                vis.status,
                VisualStatus::Compared,
                "{name}: {:?}",
                vis.reason
            );
            compared += 1;
            if s.modifications.allowed {
                for g in &vis.regions {
                    assert_ne!(
                        g.cause,
                        RegionCause::Unexplained,
                        "{name} sig {}: unexplained region {g:?}",
                        i + 1
                    );
                    assert!(g.permitted, "{name}: {g:?}");
                    attributed += 1;
                }
                assert!(
                    !s.findings.iter().any(|f| matches!(
                        f.code,
                        Code::VisualContentChanged
                            | Code::VisualUnexplained
                            | Code::VisualNotComparable
                    )),
                    "{name} sig {}: {:?}",
                    i + 1,
                    s.findings
                );
                // A field filled under /NeedAppearances is drawn by each viewer from its
                // value: said (a warning), never "exactly as signed".
                if name.contains("needapp") && name.ends_with("seed:fill") && i == 0 {
                    assert!(
                        s.findings
                            .iter()
                            .any(|f| f.code == Code::VisualViewerRebuilds),
                        "{name}: {:?}",
                        s.findings
                    );
                }
                for f in s.findings.iter().filter(|f| f.code == Code::VisualOverlap) {
                    overlaps += 1;
                    eprintln!("  overlap: {name} sig {}: {}", i + 1, f.message);
                }
            }
            if let Some(tools) = &tools {
                let (lines, miss) = against_oracle(&name, &v.bytes, &r, i, tools, work.path());
                disagreements.extend(lines);
                assert!(
                    !miss,
                    "{name}: MuPDF and poppler show a change hayro does not"
                );
            }
        }
    }
    eprintln!(
        "kyso vectors: {} variant(s), {compared} signature comparison(s), {attributed} \
         attributed region(s), {overlaps} overlap warning(s); {} disagreement(s) with \
         MuPDF/poppler:",
        variants.len(),
        disagreements.len()
    );
    for d in &disagreements {
        eprintln!("  {d}");
    }
    assert!(compared > 0);
    assert!(attributed > 0, "no seed drew anything");
}

/// A change of signed page content (a content stream replaced in a later update) is an
/// unexplained region over signed content: `visual.content_changed`, never TOTAL-PASSED; the
/// same file without `--visual` has no visual part.
#[test]
fn replaced_page_content_is_an_error_over_signed_content() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let opts = VerifyOptions::new(pki.trust()).validation_time(now);
    let bases = bases::bases(&pki, now);
    let base = &bases[0];
    let snap = graph::Snapshot::read(&base.bytes);
    let page = snap.first_page();
    let page_dict = snap.dict(&snap.objects[&page.num]).unwrap().clone();
    let contents = match page_dict.get(b"Contents") {
        Some(kyso::pdf::Object::Reference(r)) => *r,
        other => panic!("/Contents is not one reference: {other:?}"),
    };
    // The signed text painted over: a black box across the page.
    let replacement = graph::new_stream(kyso::pdf::Dict::new(), b"0 0 0 rg 40 40 500 740 re f");
    let tampered = snap.append(&[(contents.num, replacement)], None);
    let plain = verify_bytes(&tampered, &opts).unwrap();
    assert!(plain.signatures.iter().all(|s| s.visual.is_none()));
    let r = visual_report(&tampered, &opts);
    let s = &r.signatures[0];
    let vis = s.visual.as_ref().unwrap();
    assert!(
        vis.regions
            .iter()
            .any(|g| g.cause == RegionCause::Unexplained && g.over_signed_content > 0),
        "{vis:?}"
    );
    assert!(s
        .findings
        .iter()
        .any(|f| f.code == Code::VisualContentChanged));
    assert_ne!(s.indication, kyso::report::Indication::TotalPassed);
    // In Vietnamese the finding says where in Vietnamese, not in an English message.
    let vi = kyso::report::render_text_in(&r, kyso::report::Lang::Vi);
    let line = vi
        .lines()
        .find(|l| l.contains("visual.content_changed"))
        .unwrap_or_else(|| panic!("{vi}"));
    assert!(
        line.contains("Nội dung trang đã ký nay hiển thị khác")
            && line.contains("trang: 1")
            && line.contains("vùng [x0 y0 x1 y1] (đơn vị point): [")
            && !line.contains("tiếng Anh"),
        "{line}"
    );
}

/// Red-team cases: an annotation a DocMDP P3 certification permits (ISO 32000-2 §12.8.2.2)
/// is "explained" only where it alters nothing the signer saw. On the certified form (its
/// visible text "Ho so so 2026-001: phi 1…" starts at x = 72, baseline 720, 18 pt):
/// "000" drawn in blank space is explained (TOTAL-PASSED); the same drawn two points before
/// the signed text, where it would change what it says, is `visual.overlap`; the same in a
/// font whose program the renderer cannot draw from (MuPDF and poppler substitute one and
/// show the digits) is `visual.not_comparable`, never "exactly as signed": INDETERMINATE; so
/// are appearances viewers may draw otherwise (optional content, no appearance at all).
#[test]
fn permitted_appearances_that_alter_what_the_signer_saw_are_never_explained() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let opts = VerifyOptions::new(pki.trust()).validation_time(now);
    let bases = bases::bases(&pki, now);
    let p3 = bases.iter().find(|b| b.name == "p3").expect("the p3 base");
    let codes = |bytes: &[u8]| {
        let r = visual_report(bytes, &opts);
        let s = &r.signatures[0];
        assert!(s.visual.is_some(), "{:?}", s.findings);
        let codes: Vec<Code> = s
            .findings
            .iter()
            .map(|f| f.code)
            .filter(|c| c.as_str().starts_with("visual."))
            .collect();
        (
            codes,
            s.indication,
            s.visual.clone().unwrap_or_else(|| unreachable!()),
        )
    };
    let digits = "BT /FH 18 Tf 1 6 Td (000) Tj ET";
    let far = bases::annotation_drawing(&p3.bytes, [100.0, 300.0, 160.0, 330.0], digits, false);
    let (c, indication, _) = codes(&far);
    assert_eq!(c, vec![Code::VisualExplained]);
    assert_eq!(indication, kyso::report::Indication::TotalPassed);

    let before_text = "BT /FH 18 Tf 12 6 Td (000) Tj ET";
    let beside =
        bases::annotation_drawing(&p3.bytes, [30.0, 714.0, 72.0, 740.0], before_text, false);
    let (c, indication, vis) = codes(&beside);
    assert!(c.contains(&Code::VisualOverlap), "{c:?}");
    // Beside, not over: nothing the signer saw is painted over; it is the nearness.
    assert!(
        vis.regions
            .iter()
            .all(|r| r.over_signed_content == 0 && r.near_signed_content > 0),
        "{vis:?}"
    );
    assert_eq!(indication, kyso::report::Indication::TotalPassed);

    let broken = "BT /F9 18 Tf 1 6 Td (000) Tj ET";
    let unseen = bases::annotation_drawing(&p3.bytes, [100.0, 300.0, 160.0, 330.0], broken, true);
    let (c, indication, _) = codes(&unseen);
    assert!(c.contains(&Code::VisualNotComparable), "{c:?}");
    assert!(!c.contains(&Code::VisualExplained), "{c:?}");
    assert_eq!(indication, kyso::report::Indication::Indeterminate);

    // Second red-team pass: what viewers draw otherwise than the renderer is not comparable
    // either — optional content in the appearance (§8.11.3.2, renderers evaluate OCMDs
    // differently), an annotation without an appearance (§12.5.5: a viewer makes one: a
    // white /Square here, which erases what it covers), optional content on the annotation
    // itself (§12.5.2 /OC).
    let area = [100.0, 300.0, 160.0, 330.0];
    let oc = "/OC /L0 BDC BT /FH 18 Tf 1 6 Td (000) Tj ET EMC";
    for (what, bytes) in [
        (
            "optional content in the appearance",
            bases::annotation_with(&p3.bytes, area, Some(oc), false, Vec::new()),
        ),
        (
            "no appearance",
            bases::annotation_with(
                &p3.bytes,
                [72.0, 714.0, 200.0, 740.0],
                None,
                false,
                Vec::new(),
            ),
        ),
        (
            "optional content on the annotation",
            bases::annotation_with(
                &p3.bytes,
                area,
                Some(digits),
                false,
                vec![("OC", kyso::pdf::Object::Dict(kyso::pdf::Dict::new()))],
            ),
        ),
    ] {
        let (c, indication, _) = codes(&bytes);
        assert!(c.contains(&Code::VisualNotComparable), "{what}: {c:?}");
        assert_eq!(
            indication,
            kyso::report::Indication::Indeterminate,
            "{what}"
        );
    }
}

/// `kyso dossier verify` under a policy that enables the comparison (`etsi-visual`): each
/// PDF of the dossier is compared, and a signature the comparison cannot pass (digits in a
/// font the renderer cannot draw, added under DocMDP P3) makes the file and the dossier
/// INDETERMINATE; without the policy the same dossier passes.
#[test]
fn a_dossier_under_a_visual_policy_compares_its_pdfs() {
    use common::cli::{code, kyso, show};
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let bases = bases::bases(&pki, now);
    let p3 = bases.iter().find(|b| b.name == "p3").expect("the p3 base");
    let broken = "BT /F9 18 Tf 1 6 Td (000) Tj ET";
    let pdf = bases::annotation_drawing(&p3.bytes, [100.0, 300.0, 160.0, 330.0], broken, true);
    let dir = common::temp_dir();
    let root = pki.write_root(dir.path());
    let dossier = dir.path().join("ho-so");
    std::fs::create_dir_all(&dossier).unwrap();
    std::fs::write(dossier.join("quyet-dinh.pdf"), &pdf).unwrap();
    kyso::dossier::seal_dossier(
        &dossier,
        &pki.rsa2048.signer(),
        &kyso::dossier::SealOptions::new(),
    )
    .unwrap();
    let verify = |extra: &[&str]| {
        let mut a: Vec<std::ffi::OsString> =
            vec!["dossier".into(), "verify".into(), "--json".into()];
        a.push("--trust".into());
        a.push(root.clone().into());
        a.extend(extra.iter().map(std::ffi::OsString::from));
        a.push(dossier.clone().into());
        kyso(a)
    };
    let plain = verify(&[]);
    assert_eq!(code(&plain), 0, "{}", show(&plain));
    let out = verify(&["--validation-policy", "etsi-visual"]);
    assert_eq!(code(&out), 1, "{}", show(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["indication"], "INDETERMINATE", "{}", show(&out));
    let file = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "quyet-dinh.pdf")
        .unwrap();
    assert_eq!(file["signature_indication"], "INDETERMINATE");
    let sig = &file["signatures"][0]["report"]["signatures"][0];
    assert_eq!(sig["visual"]["status"], "compared", "{sig}");
    assert!(file["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "dossier.file_signature_not_passed"));
    assert_eq!(report["summary"]["signatures_indeterminate"], 1);
}

/// `kyso verify --visual-diff DIR`: one picture per changed page, named in the JSON report and
/// present in DIR; a second run refuses to replace them (kyso's write rule, exit code 2) and
/// `--force` replaces them; without `--visual` the report has no visual part, with a
/// policy that enables it (`etsi-visual`, `"visual": true`) it has. The changes are
/// a `/Square` annotation after a DocMDP P3 certification (ISO 32000-2 §12.8.2.2: annotations
/// permitted), so the region is attributed to it.
#[test]
fn cli_visual_diff_writes_the_pictures_the_report_names() {
    use common::cli::{code, kyso, show};
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let bases = bases::bases(&pki, now);
    let variants = bases::variants(&bases, &pki, now);
    let v = variants
        .iter()
        .find(|v| bases[v.base].name == "p3" && v.seed == "seed:annot")
        .expect("the p3 base with an annotation");
    let dir = common::temp_dir();
    let root = pki.write_root(dir.path());
    let file = dir.path().join("ho-so.pdf");
    std::fs::write(&file, &v.bytes).unwrap();
    let pictures = dir.path().join("hinh");
    let args = |extra: &[&str]| {
        let mut a: Vec<std::ffi::OsString> = vec!["verify".into(), "--json".into()];
        a.push("--trust".into());
        a.push(root.clone().into());
        a.extend(extra.iter().map(std::ffi::OsString::from));
        a.push(file.clone().into());
        a
    };

    let plain = kyso(args(&[]));
    let report: serde_json::Value = serde_json::from_slice(&plain.stdout).unwrap();
    assert!(
        report["signatures"][0].get("visual").is_none(),
        "{}",
        show(&plain)
    );

    let diff = ["--visual-diff", pictures.to_str().unwrap(), "--lang", "vi"];
    let out = kyso(args(&diff));
    assert_eq!(code(&out), 0, "{}", show(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let visual = &report["signatures"][0]["visual"];
    assert_eq!(visual["status"], "compared", "{visual}");
    let regions = visual["regions"].as_array().unwrap();
    assert!(!regions.is_empty(), "{visual}");
    assert!(
        regions.iter().all(|r| r["cause"] == "annotation"),
        "{visual}"
    );
    let images: Vec<String> = visual["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_str().unwrap().to_string())
        .collect();
    assert_eq!(images, vec!["ho-so-sig1-page1.png".to_string()]);
    let png = std::fs::read(pictures.join(&images[0])).unwrap();
    assert!(png.starts_with(b"\x89PNG"));

    let again = kyso(args(&diff));
    assert_eq!(code(&again), 2, "{}", show(&again));
    assert_eq!(std::fs::read(pictures.join(&images[0])).unwrap(), png);
    let forced = kyso(args(&[&diff[..], &["--force"]].concat()));
    assert_eq!(code(&forced), 0, "{}", show(&forced));

    // Under a policy that enables it (the shipped `etsi-visual`, or a file with
    // "visual": true) the comparison runs without --visual, and the policy's deviation is
    // announced on standard error.
    let policy = dir.path().join("policy.json");
    std::fs::write(&policy, br#"{"name": "so-tiep-nhan", "visual": true}"#).unwrap();
    for p in ["etsi-visual", policy.to_str().unwrap()] {
        let out = kyso(args(&["--validation-policy", p]));
        assert_eq!(code(&out), 0, "{}", show(&out));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            report["signatures"][0]["visual"]["status"],
            "compared",
            "{}",
            show(&out)
        );
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("visual comparison: on"),
            "{}",
            show(&out)
        );
    }
}
