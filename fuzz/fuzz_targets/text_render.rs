//! The text renderers with arbitrary text in every free-text field of a report (names,
//! subjects, reasons, messages, notes, file names, finding details): no control,
//! bidirectional or invisible character may reach the output (`report::text::is_escaped`,
//! the renderer's own newlines aside), no line may be added (compared with the same text
//! whose forbidden characters are letters), and `safe`/`quoted` never let one through
//! either.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use serde_json::Value;

use kyso::dossier::{render_dossier, render_file_report, DossierReport};
use kyso::report::text::{is_escaped, quoted, safe};
use kyso::report::{render_text_in, Code, DetailLabel, Finding, Lang, VerificationReport};

const REPORT: &str = include_str!("../../test-vectors/text/report-template.json");
const DOSSIER: &str = include_str!("../../test-vectors/text/dossier-template.json");

/// A report template and the JSON pointers of its free-text strings (those a marker can
/// replace and still deserialise).
struct Template {
    value: Value,
    texts: Vec<String>,
}

fn strings(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::String(_) => out.push(at),
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                strings(x, format!("{at}/{i}"), out);
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                strings(x, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        _ => {}
    }
}

fn template(json: &str, ok: fn(&Value) -> bool) -> Template {
    let value: Value = serde_json::from_str(json).expect("template");
    let mut all = Vec::new();
    strings(&value, String::new(), &mut all);
    let texts = all
        .into_iter()
        .filter(|p| {
            let mut v = value.clone();
            if let Some(s) = v.pointer_mut(p) {
                *s = Value::String("\u{1b}marker".into());
            }
            ok(&v)
        })
        .collect();
    Template { value, texts }
}

fn with_text(t: &Template, text: &str) -> Value {
    let mut v = t.value.clone();
    for p in &t.texts {
        if let Some(s) = v.pointer_mut(p) {
            *s = Value::String(text.to_owned());
        }
    }
    v
}

fn templates() -> &'static (Template, Template) {
    static T: OnceLock<(Template, Template)> = OnceLock::new();
    T.get_or_init(|| {
        (
            template(REPORT, |v| {
                serde_json::from_value::<VerificationReport>(v.clone()).is_ok()
            }),
            template(DOSSIER, |v| {
                serde_json::from_value::<DossierReport>(v.clone()).is_ok()
            }),
        )
    })
}

fn report(text: &str) -> (Value, VerificationReport) {
    let v = with_text(&templates().0, text);
    let mut r: VerificationReport = serde_json::from_value(v.clone()).expect("report");
    // Findings with details (not part of the JSON).
    r.findings.push(
        Finding::new(Code::RevocationRevoked, text)
            .remark("ghi chú")
            .detail(DetailLabel::Certificate, text)
            .detail(DetailLabel::Technical, text),
    );
    (v, r)
}

fn dossier(text: &str, report: &Value) -> DossierReport {
    let mut d = with_text(&templates().1, text);
    d["manifest"]["signature"] = report.clone();
    if let Some(files) = d["files"].as_array_mut() {
        // Two files (intact, altered) keep every line kind and the run fast.
        files.truncate(2);
        for f in files {
            f["signatures"] = serde_json::json!([
                {"source": format!("{text}.p7s"), "format": "cms_detached", "report": report},
            ]);
        }
    }
    serde_json::from_value(d).expect("dossier")
}

fn check(out: &str, benign: &str) {
    assert!(
        !out.chars().any(|c| c != '\n' && is_escaped(c)),
        "a forbidden character reached the output: {out:?}"
    );
    assert_eq!(out.lines().count(), benign.lines().count(), "{out:?}");
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    assert!(!safe(&text).chars().any(is_escaped));
    assert!(!quoted(&text).chars().any(is_escaped));

    // The same text with every forbidden character replaced by a letter: the same empty or
    // non-empty fields, the same equalities between fields, so the same lines.
    let benign: String = text
        .chars()
        .map(|c| if is_escaped(c) { 'x' } else { c })
        .collect();
    let (v, r) = report(&text);
    let (bv, b) = report(&benign);
    let d = dossier(&text, &v);
    let bd = dossier(&benign, &bv);
    for lang in [Lang::En, Lang::Vi] {
        check(&render_text_in(&r, lang), &render_text_in(&b, lang));
        check(&render_file_report(&r, lang), &render_file_report(&b, lang));
        check(&render_dossier(&d, lang), &render_dossier(&bd, lang));
    }
});
