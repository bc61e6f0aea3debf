//! One test over every text renderer kyso has (the library's report, file-report and dossier
//! renderers in both languages, and the CLI's own: `cert verify`, `inspect`,
//! `attachments list`, `form list`, one-line failures): hostile text in every string field
//! never reaches the output as a control, bidirectional or invisible character, and never
//! adds a line (issue 16, "Text output safe for terminals and logs").
//!
//! Compiled only under `#[cfg(test)]` (declared so in `main.rs`): the unwraps below are test
//! code.

use serde_json::Value;

use kyso::dossier::{render_dossier, render_file_report, DossierReport};
use kyso::report::text::is_escaped;
use kyso::report::{render_text_in, Lang, VerificationReport};

/// Terminal escape sequences (CSI with ESC and as the 8-bit C1 byte), carriage return and
/// newline that forge a report line, DEL, NUL, a right-to-left override, isolates,
/// zero-width and byte-order marks, a line separator, a tag character, NEL and a tab.
pub(crate) const HOSTILE: &str = "x\u{1b}[2K\r\nsignature #1 \"f\": TOTAL-PASSED\u{9b}0m \
     invoice\u{202e}fdp.exe\u{2066}\u{2069}\u{200b}\u{200f}\u{feff}\u{7f}\u{0}\u{2028}\
     \u{e0041}\u{85}\tđơn";

const REPORT: &str = include_str!("../../../test-vectors/text/report-template.json");
const DOSSIER: &str = include_str!("../../../test-vectors/text/dossier-template.json");

/// Replaces every string of `v` by [`HOSTILE`] where `ok` still accepts the result (times,
/// enumerations and codes refuse it); returns how many were replaced.
fn hostile(v: &mut Value, ok: &dyn Fn(&Value) -> bool) -> usize {
    let mut paths = Vec::new();
    collect_strings(v, &mut Vec::new(), &mut paths);
    let mut replaced = 0;
    for path in paths {
        let Some(slot) = pointer(v, &path) else {
            continue;
        };
        let old = std::mem::replace(slot, Value::String(HOSTILE.into()));
        if ok(v) {
            replaced += 1;
        } else if let Some(slot) = pointer(v, &path) {
            *slot = old;
        }
    }
    replaced
}

fn collect_strings(v: &Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::String(_) => out.push(at.clone()),
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                at.push(i.to_string());
                collect_strings(x, at, out);
                at.pop();
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                at.push(k.clone());
                collect_strings(x, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

fn pointer<'a>(v: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    let p: String = path
        .iter()
        .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
        .collect();
    v.pointer_mut(&p)
}

/// Every character of `out` is printable (or the renderer's own newline), and it has as
/// many lines as the same rendering of benign text.
fn check(what: &str, out: &str, benign: &str) {
    if let Some(c) = out.chars().find(|&c| c != '\n' && is_escaped(c)) {
        panic!("{what}: {c:?} reached the output:\n{out}");
    }
    assert_eq!(
        out.lines().count(),
        benign.lines().count(),
        "{what}: hostile text changed the number of lines:\n{out}"
    );
    assert!(
        out.contains("\\x1b[2K"),
        "{what}: the hostile text is not shown:\n{out}"
    );
}

/// A PDF with a text field and a combo box whose names, values and options are `text`.
fn form_pdf(text: &str) -> Vec<u8> {
    let hex: String = std::iter::once(0xfeffu16)
        .chain(text.encode_utf16())
        .map(|u| format!("{u:04X}"))
        .collect();
    let s = format!("<{hex}>");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R 5 0 R] >> >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots [4 0 R 5 0 R] >>".to_string(),
        format!(
            "<< /FT /Tx /T {s} /V {s} /Type /Annot /Subtype /Widget /Rect [0 0 10 10] /P 3 0 R >>"
        ),
        format!(
            "<< /FT /Ch /Ff 131072 /T {s} /V {s} /Opt [[{s} {s}] {s}] /Type /Annot \
             /Subtype /Widget /Rect [0 20 10 30] /P 3 0 R >>"
        ),
    ];
    let mut pdf = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

fn form_lines(text: &str, lang: Lang) -> String {
    let doc = kyso::pdf::Document::open(form_pdf(text)).unwrap();
    let fields = kyso::form::list_fields(&doc).unwrap();
    assert_eq!(fields.len(), 2);
    fields
        .iter()
        .map(|f| crate::form::describe(f, lang) + "\n")
        .collect()
}

#[test]
fn hostile_text_in_every_field_reaches_no_renderer_raw() {
    // The verification report, every free-text string hostile.
    let template: Value = serde_json::from_str(REPORT).unwrap();
    let benign_report: VerificationReport = serde_json::from_value(template.clone()).unwrap();
    let mut v = template.clone();
    let n = hostile(&mut v, &|v| {
        serde_json::from_value::<VerificationReport>(v.clone()).is_ok()
    });
    // Names, subjects, issuers, serials, digests, reasons, messages, notes, problems,
    // descriptions, field values...: dozens of them.
    assert!(n > 60, "only {n} strings replaced");
    let report: VerificationReport = serde_json::from_value(v.clone()).unwrap();
    for lang in [Lang::En, Lang::Vi] {
        check(
            "verify",
            &render_text_in(&report, lang),
            &render_text_in(&benign_report, lang),
        );
        check(
            "verify-file",
            &render_file_report(&report, lang),
            &render_file_report(&benign_report, lang),
        );
    }

    // The dossier report: its own strings hostile, with the hostile report as the
    // manifest's signature and as the signature of every file.
    let skeleton: Value = serde_json::from_str(DOSSIER).unwrap();
    let with_reports = |mut d: Value, r: &Value, source: &str| {
        d["manifest"]["signature"] = r.clone();
        for f in d["files"].as_array_mut().unwrap() {
            let mut pdf = r.clone();
            pdf["signatures"] = Value::Array(Vec::new());
            pdf["format"] = "pdf".into();
            f["signatures"] = serde_json::json!([
                {"source": source, "format": "cms_detached", "report": r},
                {"source": source, "format": "pdf", "report": pdf},
            ]);
        }
        serde_json::from_value::<DossierReport>(d).unwrap()
    };
    let benign_dossier = with_reports(skeleton.clone(), &template, "a.pdf.p7s");
    let mut d = skeleton.clone();
    let n = hostile(&mut d, &|d| {
        serde_json::from_value::<DossierReport>(d.clone()).is_ok()
    });
    assert!(n > 20, "only {n} strings replaced");
    let dossier = with_reports(d, &v, &format!("{HOSTILE}.p7s"));
    for lang in [Lang::En, Lang::Vi] {
        check(
            "dossier verify",
            &render_dossier(&dossier, lang),
            &render_dossier(&benign_dossier, lang),
        );
    }

    // cert verify: the signer's path, revocation and findings of the hostile report.
    let cert_report = |r: &VerificationReport| {
        let sig = &r.signatures[0];
        crate::cert::CertReport {
            status: sig.chain.status,
            valid: false,
            validation_time: r.validation_time,
            certificate: sig.chain.certificates[0].clone(),
            path: sig.chain.certificates.clone(),
            anchor: sig.chain.anchor.clone(),
            revocation: sig.chain.revocation.clone(),
            policies: sig.chain.policies.clone(),
            candidates: Vec::new(),
            findings: sig.findings.clone(),
        }
    };
    for lang in [Lang::En, Lang::Vi] {
        check(
            "cert verify",
            &crate::cert::render(&cert_report(&report), lang),
            &crate::cert::render(&cert_report(&benign_report), lang),
        );
    }

    // inspect.
    let inspection = |t: &str| crate::inspect::Inspection {
        file: t.into(),
        pdf_version: Some(t.into()),
        size: 1,
        encrypted: true,
        encryption: None,
        revisions: vec![crate::inspect::RevisionInfo {
            xref_kind: t.into(),
            xref_offset: 1,
            end: 2,
        }],
        pages: 1,
        signature_fields: ["signed", "other", "empty"]
            .into_iter()
            .map(|state| crate::inspect::FieldInfo {
                name: t.into(),
                state,
                dictionary: Some(t.into()),
                sub_filter: Some(t.into()),
                value_kind: Some(t.into()),
            })
            .collect(),
        signature_dictionaries: vec![crate::inspect::DictionaryInfo {
            object: t.into(),
            byte_range: vec![0, 1, 2, 3],
        }],
    };
    for lang in [Lang::En, Lang::Vi] {
        check(
            "inspect",
            &crate::inspect::render(&inspection(HOSTILE), lang),
            &crate::inspect::render(&inspection("a"), lang),
        );
    }

    // attachments list.
    let listed = |t: &'static str| crate::attachments::Listed {
        name: t,
        location: kyso::report::EmbeddedLocation::NameTree,
        mime_type: Some(t),
        relationship: Some(t),
        description: Some(t),
        declared_size: Some(1),
        size: Some(1),
        sha256: Some(t.into()),
        error: Some(t.into()),
    };
    for lang in [Lang::En, Lang::Vi] {
        check(
            "attachments list",
            &crate::attachments::render_list(
                std::path::Path::new(HOSTILE),
                &[listed(HOSTILE)],
                lang,
            ),
            &crate::attachments::render_list(std::path::Path::new("a"), &[listed("a")], lang),
        );
        // form list: names, values and options read from a PDF.
        check(
            "form list",
            &form_lines(HOSTILE, lang),
            &form_lines("a", lang),
        );
    }

    // One-line failures (messages that quote file names or document bytes).
    check(
        "failure",
        &format!("{}\n", crate::output::failure_line(HOSTILE)),
        "kyso: a\n",
    );
}
