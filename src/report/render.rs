//! The report as text for people.

use std::fmt::Write;

use super::{CheckStatus, ModificationLevel, Severity, SignatureReport, VerificationReport};

/// Renders a report as plain text, one block per signature.
pub fn render_text(report: &VerificationReport) -> String {
    let mut out = String::new();
    let name = report.file.as_deref().unwrap_or("<memory>");
    let _ = writeln!(
        out,
        "{name}: {} bytes, {} revision(s), {} signature(s)",
        report.file_size,
        report.revisions,
        report.signatures.len()
    );
    let _ = writeln!(
        out,
        "  validation time: {} ({})",
        fmt_time(report.validation_time),
        match report.validation_time_source {
            super::TimeSource::CurrentTime => "current time",
            super::TimeSource::Caller => "given",
        }
    );
    for f in &report.findings {
        let _ = writeln!(
            out,
            "  [{}] {}: {}",
            sev(f.severity),
            f.code.as_str(),
            f.message
        );
    }
    for e in &report.embedded_files {
        let covered: Vec<String> = e.covered_by.iter().map(|i| format!("#{}", i + 1)).collect();
        let _ = writeln!(
            out,
            "  embedded file \"{}\": {} bytes, SHA-256 {}, covered by {}",
            e.name,
            e.size.map_or_else(|| "?".to_owned(), |s| s.to_string()),
            e.sha256.as_deref().unwrap_or("?"),
            if covered.is_empty() {
                "no signature".to_owned()
            } else {
                format!("signature {}", covered.join(", "))
            }
        );
    }
    for sig in &report.signatures {
        render_signature(&mut out, sig);
    }
    let s = &report.summary;
    let _ = writeln!(
        out,
        "summary: {} passed, {} failed, {} indeterminate",
        s.passed, s.failed, s.indeterminate
    );
    out
}

fn render_signature(out: &mut String, sig: &SignatureReport) {
    let _ = writeln!(out);
    let field = sig.field_name.as_deref().unwrap_or("<no field>");
    let verdict = match sig.sub_indication {
        Some(sub) => format!("{} / {}", sig.indication.as_str(), sub.as_str()),
        None => sig.indication.as_str().to_string(),
    };
    let _ = writeln!(out, "signature #{} \"{field}\": {verdict}", sig.index + 1);
    match sig.kind {
        super::SignatureKind::Certification => {
            let _ = writeln!(out, "  kind:        certification");
        }
        super::SignatureKind::DocumentTimestamp => {
            let _ = writeln!(out, "  kind:        document timestamp");
        }
        _ => {}
    }
    if let Some(signer) = &sig.signer {
        let _ = writeln!(out, "  signer:      {}", signer.subject);
        let _ = writeln!(out, "  issued by:   {}", signer.issuer);
    }
    if let Some(t) = sig.claimed_signing_time {
        let _ = writeln!(out, "  signed at:   {} (claimed)", fmt_time(t));
    }
    if let Some(t) = sig.proven_time {
        let by = match sig.time_source {
            Some(super::SigningTimeSource::SignatureTimestamp) => "its signature timestamp",
            Some(super::SigningTimeSource::DocumentTimestamp)
                if sig.kind == super::SignatureKind::DocumentTimestamp =>
            {
                "this document timestamp"
            }
            Some(super::SigningTimeSource::DocumentTimestamp) => "a later document timestamp",
            _ => "a timestamp",
        };
        let _ = writeln!(out, "  existed by:  {} (proven by {by})", fmt_time(t));
    }
    for ts in &sig.timestamps {
        let _ = writeln!(
            out,
            "  timestamp:   {} {} by {}: {}",
            match ts.kind {
                super::TimestampKind::Signature => "signature timestamp",
                super::TimestampKind::Document => "document timestamp",
            },
            ts.gen_time_text.as_deref().unwrap_or("?"),
            ts.tsa.as_ref().map_or("?", |c| c.subject.as_str()),
            match ts.status {
                super::TimestampStatus::Valid => "valid",
                super::TimestampStatus::Invalid => "INVALID",
                super::TimestampStatus::Indeterminate => "indeterminate",
            }
        );
    }
    if let Some(l) = sig.pades_level {
        let _ = writeln!(out, "  PAdES level: {}", l.as_str());
        for m in &sig.missing_for_next_level {
            let _ = writeln!(out, "               next: {m}");
        }
    }
    if let Some(t) = sig.path_validation_time {
        let why = if sig.kind == super::SignatureKind::DocumentTimestamp {
            "the token's time"
        } else {
            "proven time"
        };
        let _ = writeln!(out, "  path at:     {} ({why})", fmt_time(t));
    }
    for (label, value) in [
        ("reason", &sig.reason),
        ("location", &sig.location),
        ("contact", &sig.contact_info),
    ] {
        if let Some(v) = value {
            let _ = writeln!(out, "  {label:<12} {v}");
        }
    }
    let _ = writeln!(
        out,
        "  format:      {} {}",
        sig.sub_filter.as_deref().unwrap_or("?"),
        match (&sig.digest_algorithm, &sig.signature_algorithm) {
            (Some(d), Some(s)) => format!("({d}, {s})"),
            _ => String::new(),
        }
    );
    let _ = writeln!(
        out,
        "  coverage:    {:?} ({} of {} bytes)",
        sig.coverage.status, sig.coverage.covered_bytes, sig.coverage.file_size
    );
    let _ = writeln!(
        out,
        "  integrity:   digest {}, signature {}, signing certificate {}",
        check(sig.integrity.digest),
        check(sig.integrity.signature),
        check(sig.integrity.signing_certificate)
    );
    let _ = writeln!(out, "  chain:       {:?}", sig.chain.status);
    for (i, cert) in sig.chain.certificates.iter().enumerate() {
        let revocation = sig
            .chain
            .revocation
            .iter()
            .find(|r| r.certificate == i)
            .map(|r| {
                let status = match r.status {
                    super::RevocationStatus::Good => "not revoked",
                    super::RevocationStatus::Revoked => "REVOKED",
                    super::RevocationStatus::Unknown => "revocation unknown",
                    _ => "revocation not checked",
                };
                match r.source {
                    Some(_) => format!(" [{status}: {}]", r.describe_source()),
                    None => format!(" [{status}]"),
                }
            })
            .unwrap_or_default();
        let _ = writeln!(out, "               - {}{revocation}", cert.subject);
    }
    let m = &sig.modifications;
    let _ = writeln!(
        out,
        "  changes:     {} later revision(s), level {}, {}",
        m.later_revisions,
        level(m.level),
        if m.allowed { "allowed" } else { "NOT allowed" }
    );
    if !m.policy.is_empty() {
        let _ = writeln!(out, "  permitted:   {}", m.policy);
    }
    const SHOWN: usize = 20;
    let notable: Vec<_> = m
        .changes
        .iter()
        .filter(|c| c.level > ModificationLevel::None)
        .collect();
    for c in notable.iter().take(SHOWN) {
        let _ = writeln!(
            out,
            "               - revision {}{} [{}, {}]: {}",
            c.revision + 1,
            c.object
                .as_deref()
                .map(|o| format!(", {o}"))
                .unwrap_or_default(),
            c.rule,
            level(c.level),
            c.description
        );
    }
    if notable.len() > SHOWN {
        let _ = writeln!(out, "               - and {} more", notable.len() - SHOWN);
    }
    render_field_values(out, m);
    for f in &sig.findings {
        if f.severity > Severity::Info {
            let _ = writeln!(
                out,
                "  [{}] {}: {}",
                sev(f.severity),
                f.code.as_str(),
                f.message
            );
        }
    }
}

/// The fields later revisions filled in, with their old and new values, and whether
/// anything else changed.
fn render_field_values(out: &mut String, m: &super::Modifications) {
    const SHOWN: usize = 100;
    let filled: Vec<_> = m
        .changes
        .iter()
        .filter(|c| c.old_value.is_some() || c.new_value.is_some())
        .collect();
    if filled.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "  fields:      {} value change(s) after this signature",
        filled.len()
    );
    for c in filled.iter().take(SHOWN) {
        let _ = writeln!(
            out,
            "               - {} (revision {}): {} -> {}{}",
            quoted(c.field.as_deref().unwrap_or("?")),
            c.revision + 1,
            quoted(c.old_value.as_deref().unwrap_or_default()),
            quoted(c.new_value.as_deref().unwrap_or_default()),
            if c.level == ModificationLevel::Other {
                " (NOT allowed)"
            } else {
                ""
            }
        );
    }
    if filled.len() > SHOWN {
        let _ = writeln!(out, "               - and {} more", filled.len() - SHOWN);
    }
    if m.allowed && m.level <= ModificationLevel::FormFilling {
        let _ = writeln!(
            out,
            "               nothing else changed: every other change signs, redraws these \
             fields or adds validation data"
        );
    }
}

/// `s` in double quotes for a terminal: Unicode text as is; control characters,
/// bidirectional formatting characters (which reorder what a terminal shows), quotes and
/// backslashes escaped.
fn quoted(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for ch in s.chars() {
        match ch {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            c if c.is_control()
                || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') =>
            {
                let _ = write!(q, "\\u{{{:x}}}", u32::from(c));
            }
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

fn fmt_time(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

fn sev(s: Severity) -> &'static str {
    match s {
        Severity::Info => "info",
        Severity::Warning => "warning",
        Severity::Error => "error",
    }
}

fn check(c: CheckStatus) -> &'static str {
    match c {
        CheckStatus::Passed => "ok",
        CheckStatus::Failed => "FAILED",
        CheckStatus::NotChecked => "not checked",
        CheckStatus::Unsupported => "unsupported",
        CheckStatus::NotPresent => "absent",
    }
}

fn level(l: ModificationLevel) -> &'static str {
    match l {
        ModificationLevel::None => "none",
        ModificationLevel::LtvUpdates => "LTV updates",
        ModificationLevel::FormFilling => "form filling / signing",
        ModificationLevel::Annotations => "annotations",
        ModificationLevel::Other => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Change, Modifications};

    fn fill(field: &str, old: &str, new: &str, level: ModificationLevel) -> Change {
        Change {
            revision: 1,
            object: Some("12 0 R".into()),
            level,
            rule: "form field".into(),
            description: format!("field \"{field}\" was filled in"),
            field: Some(field.into()),
            old_value: Some(old.into()),
            new_value: Some(new.into()),
        }
    }

    #[test]
    fn filled_fields_show_old_and_new_values() {
        let mut m = Modifications::none();
        m.level = ModificationLevel::FormFilling;
        m.changes = vec![
            fill(
                "ho_ten",
                "",
                "Nguyễn Thị Hương",
                ModificationLevel::FormFilling,
            ),
            fill("gioi_tinh", "/Off", "/Nu", ModificationLevel::FormFilling),
        ];
        let mut out = String::new();
        render_field_values(&mut out, &m);
        assert!(out.contains("2 value change(s)"), "{out}");
        assert!(
            out.contains("- \"ho_ten\" (revision 2): \"\" -> \"Nguyễn Thị Hương\"\n"),
            "{out}"
        );
        assert!(out.contains("\"/Off\" -> \"/Nu\""), "{out}");
        assert!(out.contains("nothing else changed"), "{out}");

        // Disallowed: marked, and no claim that nothing else changed.
        m.allowed = false;
        m.changes[1].level = ModificationLevel::Other;
        let mut out = String::new();
        render_field_values(&mut out, &m);
        assert!(out.contains("\"/Nu\" (NOT allowed)"), "{out}");
        assert!(!out.contains("nothing else changed"), "{out}");

        // No value changes: nothing printed.
        let mut out = String::new();
        render_field_values(&mut out, &Modifications::none());
        assert_eq!(out, "");
    }

    #[test]
    fn values_cannot_break_lines_or_reorder_the_terminal() {
        assert_eq!(quoted("Dòng một\nDòng hai"), "\"Dòng một\\nDòng hai\"");
        assert_eq!(quoted("a\u{202e}b\u{1b}[2J"), "\"a\\u{202e}b\\u{1b}[2J\"");
        assert_eq!(quoted("say \"hi\" \\"), "\"say \\\"hi\\\" \\\\\"");
        // Combining marks (decomposed Vietnamese) stay as they are.
        assert_eq!(
            quoted("Hu\u{0065}\u{0302}\u{0301}"),
            "\"Hu\u{0065}\u{0302}\u{0301}\""
        );
    }
}
