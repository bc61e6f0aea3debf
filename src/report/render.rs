//! The report as text for people, in English or Vietnamese.
//!
//! Every string that comes from the document, a certificate or a file name goes through
//! [`safe`] (or [`quoted`]): control, bidirectional and invisible characters are shown
//! escaped, never sent to the terminal.

use std::fmt::Write;

use super::lang::Lang;
use super::text::{quoted, rfc3339, safe, safe_or};
use super::{
    CheckStatus, Finding, ModificationLevel, Severity, SignatureReport, VerificationReport,
};

/// Renders a report as plain text in English, one block per signature.
pub fn render_text(report: &VerificationReport) -> String {
    render_text_in(report, Lang::En)
}

/// Renders a report as plain text in `lang`, one block per signature. In Vietnamese the
/// findings say what their code means in Vietnamese, followed by their details
/// ([`Finding::text`]).
pub fn render_text_in(report: &VerificationReport, lang: Lang) -> String {
    let mut out = String::new();
    let name = safe_or(report.file.as_deref(), "<memory>");
    let _ = match lang {
        Lang::Vi => writeln!(
            out,
            "{name}: {} byte, {} phiên bản, {} chữ ký",
            report.file_size,
            report.revisions,
            report.signatures.len()
        ),
        _ => writeln!(
            out,
            "{name}: {} bytes, {} revision(s), {} signature(s)",
            report.file_size,
            report.revisions,
            report.signatures.len()
        ),
    };
    let _ = writeln!(
        out,
        "  {} {} ({})",
        lang.pick("validation time:", "thời điểm kiểm tra:"),
        rfc3339(report.validation_time),
        match report.validation_time_source {
            super::TimeSource::CurrentTime => lang.pick("current time", "thời gian hiện tại"),
            super::TimeSource::Caller => lang.pick("given", "do người dùng chỉ định"),
        }
    );
    for f in &report.findings {
        finding_line(&mut out, "  ", f, lang);
    }
    for e in &report.embedded_files {
        let covered: Vec<String> = e.covered_by.iter().map(|i| format!("#{}", i + 1)).collect();
        let _ = writeln!(
            out,
            "  {} \"{}\": {} {}, SHA-256 {}, {} {}",
            lang.pick("embedded file", "tệp đính kèm"),
            safe(&e.name),
            e.size.map_or_else(|| "?".to_owned(), |s| s.to_string()),
            lang.pick("bytes", "byte"),
            safe_or(e.sha256.as_deref(), "?"),
            lang.pick("covered by", "được bảo vệ bởi"),
            if covered.is_empty() {
                lang.pick("no signature", "không chữ ký nào").to_owned()
            } else {
                format!(
                    "{} {}",
                    lang.pick("signature", "chữ ký"),
                    covered.join(", ")
                )
            }
        );
    }
    for sig in &report.signatures {
        render_signature(&mut out, sig, lang);
    }
    let s = &report.summary;
    let _ = writeln!(
        out,
        "{} {} {}, {} {}, {} {}",
        lang.pick("summary:", "tổng hợp:"),
        s.passed,
        lang.pick("passed", "hợp lệ"),
        s.failed,
        lang.pick("failed", "không hợp lệ"),
        s.indeterminate,
        lang.pick("indeterminate", "chưa xác định")
    );
    out
}

/// `  [severity] code: text` for one finding.
pub(crate) fn finding_line(out: &mut String, indent: &str, f: &Finding, lang: Lang) {
    let _ = writeln!(out, "{indent}[{}] {}", sev(f.severity, lang), f.text(lang));
}

fn render_signature(out: &mut String, sig: &SignatureReport, lang: Lang) {
    heading(out, sig, lang);
    who_and_when(out, sig, lang);
    level_and_declared(out, sig, lang);
    checks(out, sig, lang);
    chain_lines(out, sig, lang);
    modifications(out, sig, lang);
    visual(out, sig, lang);
    for f in &sig.findings {
        if f.severity > Severity::Info {
            finding_line(out, "  ", f, lang);
        }
    }
}

/// The title line (field, indication) and the kind when it is not an approval signature.
fn heading(out: &mut String, sig: &SignatureReport, lang: Lang) {
    let _ = writeln!(out);
    let field = safe_or(
        sig.field_name.as_deref(),
        lang.pick("<no field>", "<không có trường>"),
    );
    let verdict = match sig.sub_indication {
        Some(sub) => format!("{} / {}", sig.indication.as_str(), sub.as_str()),
        None => sig.indication.as_str().to_string(),
    };
    let _ = writeln!(
        out,
        "{} #{} \"{field}\": {verdict}",
        lang.pick("signature", "chữ ký"),
        sig.index + 1
    );
    match sig.kind {
        super::SignatureKind::Certification => {
            let _ = writeln!(
                out,
                "  {} {}",
                lang.pick("kind:       ", "loại:       "),
                lang.pick("certification", "chữ ký chứng nhận")
            );
        }
        super::SignatureKind::DocumentTimestamp => {
            let _ = writeln!(
                out,
                "  {} {}",
                lang.pick("kind:       ", "loại:       "),
                lang.pick("document timestamp", "dấu thời gian tài liệu")
            );
        }
        _ => {}
    }
}

/// Who signed, when they say they did, what proves the time, and the timestamps.
fn who_and_when(out: &mut String, sig: &SignatureReport, lang: Lang) {
    if let Some(signer) = &sig.signer {
        let _ = writeln!(
            out,
            "  {} {}",
            lang.pick("signer:     ", "người ký:   "),
            safe(&signer.subject)
        );
        let _ = writeln!(
            out,
            "  {} {}",
            lang.pick("issued by:  ", "cấp bởi:    "),
            safe(&signer.issuer)
        );
    }
    if let Some(t) = sig.claimed_signing_time {
        let _ = writeln!(
            out,
            "  {} {} {}",
            lang.pick("signed at:  ", "ký lúc:     "),
            rfc3339(t),
            lang.pick("(claimed)", "(do người ký khai)")
        );
    }
    if let Some(t) = sig.proven_time {
        let by = match sig.time_source {
            Some(super::SigningTimeSource::SignatureTimestamp) => {
                lang.pick("its signature timestamp", "dấu thời gian của chữ ký")
            }
            Some(super::SigningTimeSource::DocumentTimestamp)
                if sig.kind == super::SignatureKind::DocumentTimestamp =>
            {
                lang.pick(
                    "this document timestamp",
                    "chính dấu thời gian tài liệu này",
                )
            }
            Some(super::SigningTimeSource::DocumentTimestamp) => lang.pick(
                "a later document timestamp",
                "một dấu thời gian tài liệu sau đó",
            ),
            _ => lang.pick("a timestamp", "một dấu thời gian"),
        };
        let _ = writeln!(
            out,
            "  {} {} ({} {by})",
            lang.pick("existed by: ", "đã tồn tại lúc:"),
            rfc3339(t),
            lang.pick("proven by", "chứng minh bởi")
        );
    }
    for ts in &sig.timestamps {
        let _ = writeln!(
            out,
            "  {} {} {} {} {}: {}",
            lang.pick("timestamp:  ", "dấu thời gian:"),
            match ts.kind {
                super::TimestampKind::Signature => {
                    lang.pick("signature timestamp", "dấu thời gian chữ ký")
                }
                super::TimestampKind::Document => {
                    lang.pick("document timestamp", "dấu thời gian tài liệu")
                }
                super::TimestampKind::Content => {
                    lang.pick("content timestamp", "dấu thời gian nội dung")
                }
            },
            safe_or(ts.gen_time_text.as_deref(), "?"),
            lang.pick("by", "cấp bởi"),
            ts.tsa.as_ref().map_or("?".into(), |c| safe(&c.subject)),
            match ts.status {
                super::TimestampStatus::Valid => lang.pick("valid", "hợp lệ"),
                super::TimestampStatus::Invalid => lang.pick("INVALID", "KHÔNG HỢP LỆ"),
                super::TimestampStatus::Indeterminate => {
                    lang.pick("indeterminate", "chưa xác định")
                }
            }
        );
    }
}

/// The PAdES level reached, the time the path was checked at, and what the signer declared.
fn level_and_declared(out: &mut String, sig: &SignatureReport, lang: Lang) {
    if let Some(l) = sig.pades_level {
        let _ = writeln!(
            out,
            "  {} {}",
            lang.pick("PAdES level:", "mức PAdES:  "),
            l.as_str()
        );
        for m in &sig.missing_for_next_level {
            let _ = writeln!(
                out,
                "               {} {}",
                lang.pick("next:", "mức tiếp theo cần:"),
                safe(m)
            );
        }
    }
    if let Some(a) = &sig.archive {
        let until = a
            .provable_until
            .map(super::text::rfc3339)
            .unwrap_or_else(|| "?".into());
        let _ = match a.holds {
            true => writeln!(
                out,
                "  {} {until} ({} {})",
                lang.pick("provable until:", "chứng minh được đến:"),
                lang.pick("renew before then:", "cần gia hạn trước ngày đó:"),
                lang.pick(
                    "kyso ltv --level b-lta",
                    "kyso ltv --level b-lta (thêm dấu thời gian tài liệu mới)"
                )
            ),
            false => writeln!(
                out,
                "  {} {until}",
                lang.pick(
                    "not provable at the validation time; the newest timestamp's authority is \
                     valid until",
                    "không chứng minh được tại thời điểm kiểm tra; đơn vị cấp dấu thời gian mới \
                     nhất có hiệu lực đến"
                )
            ),
        };
    }
    if let Some(t) = sig.path_validation_time {
        let why = if sig.kind == super::SignatureKind::DocumentTimestamp {
            lang.pick("the token's time", "thời điểm của dấu thời gian")
        } else {
            lang.pick("proven time", "thời điểm đã được chứng minh")
        };
        let _ = writeln!(
            out,
            "  {} {} ({why})",
            lang.pick("path at:    ", "kiểm tra chuỗi lúc:"),
            rfc3339(t)
        );
    }
    for (label, value) in [
        (lang.pick("reason", "lý do"), &sig.reason),
        (lang.pick("location", "địa điểm"), &sig.location),
        (lang.pick("contact", "liên hệ"), &sig.contact_info),
    ] {
        if let Some(v) = value {
            let _ = writeln!(out, "  {label:<12} {}", safe(v));
        }
    }
    if let Some(n) = &sig.name {
        let _ = writeln!(
            out,
            "  {:<12} {}",
            lang.pick("name", "tên người ký"),
            safe(n)
        );
    }
}

/// Format, byte-range coverage, integrity and the chain status.
fn checks(out: &mut String, sig: &SignatureReport, lang: Lang) {
    let _ = writeln!(
        out,
        "  {} {} {}",
        lang.pick("format:     ", "định dạng:  "),
        safe_or(sig.sub_filter.as_deref(), "?"),
        match (&sig.digest_algorithm, &sig.signature_algorithm) {
            (Some(d), Some(s)) => format!("({}, {})", safe(d), safe(s)),
            _ => String::new(),
        }
    );
    let _ = writeln!(
        out,
        "  {} {} ({} {} {} {})",
        lang.pick("coverage:   ", "phạm vi ký: "),
        coverage(sig.coverage.status, lang),
        sig.coverage.covered_bytes,
        lang.pick("of", "trên"),
        sig.coverage.file_size,
        lang.pick("bytes", "byte")
    );
    let _ = writeln!(
        out,
        "  {} {} {}, {} {}, {} {}",
        lang.pick("integrity:  ", "toàn vẹn:   "),
        lang.pick("digest", "giá trị băm"),
        check(sig.integrity.digest, lang),
        lang.pick("signature", "chữ ký"),
        check(sig.integrity.signature, lang),
        lang.pick("signing certificate", "chứng thư số người ký"),
        check(sig.integrity.signing_certificate, lang)
    );
    let profile = sig
        .chain
        .anchor_profile
        .as_deref()
        .map(|p| {
            let role = match sig.chain.anchor_role.as_deref() {
                Some("archival") => lang.pick(", archival anchor", ", gốc lưu trữ"),
                Some("timestamping-only") => {
                    lang.pick(", timestamping-only anchor", ", gốc chỉ cho dấu thời gian")
                }
                _ => "",
            };
            format!(
                " ({} {}{role})",
                lang.pick("trust profile", "hồ sơ tin cậy"),
                safe(p)
            )
        })
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "  {} {}{profile}",
        lang.pick("chain:      ", "chuỗi:      "),
        chain(sig.chain.status, lang)
    );
}

/// One line per certificate of the chain, with its revocation status.
fn chain_lines(out: &mut String, sig: &SignatureReport, lang: Lang) {
    for (i, cert) in sig.chain.certificates.iter().enumerate() {
        let revocation = sig
            .chain
            .revocation
            .iter()
            .find(|r| r.certificate == i)
            .map(|r| {
                let status = match r.status {
                    super::RevocationStatus::Good => lang.pick("not revoked", "không bị thu hồi"),
                    super::RevocationStatus::Revoked => lang.pick("REVOKED", "ĐÃ BỊ THU HỒI"),
                    super::RevocationStatus::Unknown => lang.pick(
                        "revocation unknown",
                        "không xác định được tình trạng thu hồi",
                    ),
                    _ => lang.pick("revocation not checked", "chưa kiểm tra thu hồi"),
                };
                match r.source {
                    Some(_) => format!(" [{status}: {}]", describe_source(r, lang)),
                    None => format!(" [{status}]"),
                }
            })
            .unwrap_or_default();
        let _ = writeln!(out, "               - {}{revocation}", safe(&cert.subject));
    }
}

/// What changed after signing: the level, the permissions, the notable changes and filled fields.
fn modifications(out: &mut String, sig: &SignatureReport, lang: Lang) {
    let m = &sig.modifications;
    let _ = writeln!(
        out,
        "  {} {} {}, {} {}, {}",
        lang.pick("changes:    ", "thay đổi:   "),
        m.later_revisions,
        lang.pick("later revision(s)", "phiên bản sau"),
        lang.pick("level", "mức"),
        level(m.level, lang),
        if m.allowed {
            lang.pick("allowed", "được phép")
        } else {
            lang.pick("NOT allowed", "KHÔNG được phép")
        }
    );
    if !m.policy.is_empty() {
        let _ = writeln!(
            out,
            "  {} {}",
            lang.pick("permitted:  ", "quyền:      "),
            safe(&m.policy)
        );
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
            "               - {} {}{} [{}, {}]: {}",
            lang.pick("revision", "phiên bản"),
            c.revision + 1,
            c.object
                .as_deref()
                .map(|o| format!(", {}", safe(o)))
                .unwrap_or_default(),
            safe(&c.rule),
            level(c.level, lang),
            safe(&c.description)
        );
    }
    if notable.len() > SHOWN {
        let _ = writeln!(
            out,
            "               - {} {} {}",
            lang.pick("and", "và"),
            notable.len() - SHOWN,
            lang.pick("more", "thay đổi khác")
        );
    }
    render_field_values(out, m, lang);
}

/// The visual comparison, when it ran: one line, then one per region and picture.
fn visual(out: &mut String, sig: &SignatureReport, lang: Lang) {
    let Some(v) = &sig.visual else {
        return;
    };
    let label = lang.pick("visual:     ", "hình ảnh:   ");
    if v.status == super::VisualStatus::Skipped {
        let _ = writeln!(
            out,
            "  {label} {} ({})",
            lang.pick("not compared", "chưa so sánh"),
            safe(v.reason.as_deref().unwrap_or("?"))
        );
        return;
    }
    let _ = writeln!(
        out,
        "  {label} {} {} {}, {} {} ({} dpi, {} ms)",
        v.pages_now,
        lang.pick("page(s) compared with revision", "trang so với phiên bản"),
        v.signed_revision + 1,
        v.regions.len(),
        lang.pick("region(s) differ", "vùng khác biệt"),
        v.dpi,
        v.millis
    );
    const SHOWN: usize = 20;
    for r in v.regions.iter().take(SHOWN) {
        let cause = match r.cause {
            super::RegionCause::SignatureAppearance => lang.pick("signature", "chữ ký"),
            super::RegionCause::FormField => lang.pick("form field", "trường biểu mẫu"),
            super::RegionCause::Annotation => lang.pick("annotation", "chú thích"),
            _ => lang.pick("UNEXPLAINED", "KHÔNG RÕ NGUYÊN NHÂN"),
        };
        let _ = writeln!(
            out,
            "               - {} {} [{} {} {} {}]: {cause}{}{}",
            lang.pick("page", "trang"),
            r.page,
            r.rect[0],
            r.rect[1],
            r.rect[2],
            r.rect[3],
            r.object
                .as_deref()
                .map(|o| format!(" {}", safe(o)))
                .unwrap_or_default(),
            r.field
                .as_deref()
                .map(|f| format!(" \"{}\"", safe(f)))
                .unwrap_or_default(),
        );
    }
    for g in v.not_comparable.iter().take(SHOWN) {
        let _ = writeln!(
            out,
            "               - {} {}: {}{}",
            lang.pick("page", "trang"),
            g.page,
            lang.pick("NOT COMPARABLE", "KHÔNG SO SÁNH ĐƯỢC"),
            g.object
                .as_deref()
                .map(|o| format!(" {}", safe(o)))
                .unwrap_or_default(),
        );
    }
    for name in &v.images {
        let _ = writeln!(
            out,
            "               {} {}",
            lang.pick("picture:", "hình:"),
            safe(name)
        );
    }
    if v.pictures_left_out > 0 {
        let _ = writeln!(
            out,
            "               {} {}",
            v.pictures_left_out,
            lang.pick(
                "picture(s) not made: the document's pictures reached their size limit",
                "hình không được tạo: tổng dung lượng hình của tài liệu đã đạt giới hạn"
            )
        );
    }
}

/// "a CRL of X (origin)" / "an OCSP response signed by X (origin)".
fn describe_source(r: &super::RevocationReport, lang: Lang) -> String {
    if lang == Lang::En {
        return safe(&r.describe_source()).into_owned();
    }
    let issuer = safe_or(r.issuer.as_deref(), "?");
    let origin = r
        .origin
        .as_deref()
        .map(|o| format!(" ({})", safe(o)))
        .unwrap_or_default();
    match r.source {
        Some(super::RevocationSourceKind::Crl) => format!(
            "{} \"{issuer}\"{origin}",
            if r.delta_crl {
                "CRL đầy đủ và CRL bổ sung của"
            } else {
                "CRL của"
            }
        ),
        Some(super::RevocationSourceKind::Ocsp) => {
            format!("phản hồi OCSP do \"{issuer}\" ký{origin}")
        }
        _ => "không có nguồn".to_owned(),
    }
}

/// The fields later revisions filled in, with their old and new values, and whether
/// anything else changed.
fn render_field_values(out: &mut String, m: &super::Modifications, lang: Lang) {
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
        "  {} {} {}",
        lang.pick("fields:     ", "trường:     "),
        filled.len(),
        lang.pick(
            "value change(s) after this signature",
            "giá trị được thay đổi sau chữ ký này"
        )
    );
    for c in filled.iter().take(SHOWN) {
        let _ = writeln!(
            out,
            "               - {} ({} {}): {} -> {}{}",
            quoted(c.field.as_deref().unwrap_or("?")),
            lang.pick("revision", "phiên bản"),
            c.revision + 1,
            quoted(c.old_value.as_deref().unwrap_or_default()),
            quoted(c.new_value.as_deref().unwrap_or_default()),
            if c.level == ModificationLevel::Other {
                lang.pick(" (NOT allowed)", " (KHÔNG được phép)")
            } else {
                ""
            }
        );
    }
    if filled.len() > SHOWN {
        let _ = writeln!(
            out,
            "               - {} {} {}",
            lang.pick("and", "và"),
            filled.len() - SHOWN,
            lang.pick("more", "thay đổi khác")
        );
    }
    if m.allowed && m.level <= ModificationLevel::FormFilling {
        let _ = writeln!(
            out,
            "               {}",
            lang.pick(
                "nothing else changed: every other change signs, redraws these fields or adds \
                 validation data",
                "không có thay đổi nào khác: mọi thay đổi còn lại chỉ ký, vẽ lại các trường này \
                 hoặc bổ sung dữ liệu kiểm tra"
            )
        );
    }
}

/// The severity in `lang`.
pub(crate) fn sev(s: Severity, lang: Lang) -> &'static str {
    match s {
        Severity::Info => lang.pick("info", "thông tin"),
        Severity::Warning => lang.pick("warning", "cảnh báo"),
        Severity::Error => lang.pick("error", "lỗi"),
    }
}

/// A check's status in `lang` (`ok`, `FAILED`, …).
pub(crate) fn check(c: CheckStatus, lang: Lang) -> &'static str {
    match c {
        CheckStatus::Passed => lang.pick("ok", "đúng"),
        CheckStatus::Failed => lang.pick("FAILED", "SAI"),
        CheckStatus::NotChecked => lang.pick("not checked", "chưa kiểm tra"),
        CheckStatus::Unsupported => lang.pick("unsupported", "không hỗ trợ"),
        CheckStatus::NotPresent => lang.pick("absent", "không có"),
    }
}

fn coverage(c: super::CoverageStatus, lang: Lang) -> &'static str {
    use super::CoverageStatus as C;
    match c {
        C::EntireFile => lang.pick("EntireFile", "toàn bộ tệp"),
        C::EntireRevision => lang.pick("EntireRevision", "trọn một phiên bản"),
        C::Partial => lang.pick("Partial", "MỘT PHẦN"),
        C::Unknown => lang.pick("Unknown", "không xác định"),
    }
}

fn chain(c: super::ChainStatus, lang: Lang) -> &'static str {
    use super::ChainStatus as C;
    match c {
        C::Trusted => lang.pick("Trusted", "tin cậy"),
        C::Untrusted => lang.pick("Untrusted", "KHÔNG tin cậy"),
        C::Invalid => lang.pick("Invalid", "không hợp lệ"),
        C::NoTrustAnchors => lang.pick("NoTrustAnchors", "chưa có chứng thư số gốc tin cậy"),
        C::NotChecked => lang.pick("NotChecked", "chưa kiểm tra"),
        C::Revoked => lang.pick("Revoked", "ĐÃ BỊ THU HỒI"),
    }
}

fn level(l: ModificationLevel, lang: Lang) -> &'static str {
    match l {
        ModificationLevel::None => lang.pick("none", "không có"),
        ModificationLevel::LtvUpdates => {
            lang.pick("LTV updates", "bổ sung dữ liệu kiểm tra dài hạn (LTV)")
        }
        ModificationLevel::FormFilling => lang.pick("form filling / signing", "điền biểu mẫu / ký"),
        ModificationLevel::Annotations => lang.pick("annotations", "chú thích"),
        ModificationLevel::Other => lang.pick("other", "khác"),
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
        render_field_values(&mut out, &m, Lang::En);
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
        render_field_values(&mut out, &m, Lang::En);
        assert!(out.contains("\"/Nu\" (NOT allowed)"), "{out}");
        assert!(!out.contains("nothing else changed"), "{out}");

        // No value changes: nothing printed.
        let mut out = String::new();
        render_field_values(&mut out, &Modifications::none(), Lang::En);
        assert_eq!(out, "");
    }

    #[test]
    fn values_cannot_break_lines_or_reorder_the_terminal() {
        assert_eq!(quoted("Dòng một\nDòng hai"), "\"Dòng một\\nDòng hai\"");
        assert_eq!(quoted("a\u{202e}b\u{1b}[2J"), "\"a\\u{202e}b\\x1b[2J\"");
        assert_eq!(quoted("say \"hi\" \\"), "\"say \\\"hi\\\" \\\\\"");
        // Combining marks (decomposed Vietnamese) stay as they are.
        assert_eq!(
            quoted("Hu\u{0065}\u{0302}\u{0301}"),
            "\"Hu\u{0065}\u{0302}\u{0301}\""
        );
    }
}
