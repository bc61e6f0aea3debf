//! Reports as text for people, in Vietnamese or English.
//!
//! Everything kyso decides is rendered from the report's structured fields (statuses,
//! indications, sizes, digests), so both languages say the same thing. Findings are
//! rendered by [`Finding::text`]: in Vietnamese the code's meaning in Vietnamese and the
//! finding's details. Every string from a document, a certificate, a manifest or a file
//! name goes through [`safe`].

use std::fmt::Write;

use crate::report::text::{rfc3339, safe, safe_or};
use crate::report::{check_status_text, finding_line};
use crate::report::{
    ChainStatus, DocumentFormat, Indication, Severity, SignatureReport, SubIndication, TimeSource,
    VerificationReport,
};

pub use crate::report::Lang;

use super::manifest::Role;
use super::report::{DossierFileReport, DossierReport, FileStatus};

/// An indication in words (the ETSI spelling in English; Vietnamese with the ETSI spelling
/// in brackets).
pub fn indication_text(i: Indication, lang: Lang) -> String {
    match lang {
        Lang::En => i.as_str().to_owned(),
        Lang::Vi => {
            let words = match i {
                Indication::TotalPassed => "HỢP LỆ",
                Indication::TotalFailed => "KHÔNG HỢP LỆ",
                Indication::Indeterminate => "CHƯA XÁC ĐỊNH",
            };
            format!("{words} ({})", i.as_str())
        }
    }
}

fn sub_indication_text(s: SubIndication, lang: Lang) -> String {
    if lang == Lang::En {
        return s.as_str().to_owned();
    }
    let vi = match s {
        SubIndication::FormatFailure => "sai định dạng chữ ký",
        SubIndication::HashFailure => "dữ liệu đã bị thay đổi sau khi ký",
        SubIndication::SigCryptoFailure => "giá trị chữ ký không đúng",
        SubIndication::Revoked => "chứng thư số đã bị thu hồi trước khi ký",
        SubIndication::RevokedNoPoe => {
            "chứng thư số đã bị thu hồi, không có bằng chứng chữ ký tồn tại trước đó"
        }
        SubIndication::RevokedCaNoPoe => {
            "chứng thư số của tổ chức cấp đã bị thu hồi, không có bằng chứng chữ ký tồn tại trước đó"
        }
        SubIndication::NoPoe => "không còn bằng chứng về thời điểm tồn tại của chữ ký",
        SubIndication::NoSigningCertificateFound => "không xác định được chứng thư số của người ký",
        SubIndication::NoCertificateChainFound => {
            "không xây dựng được chuỗi chứng thư số đến tổ chức tin cậy"
        }
        SubIndication::ChainConstraintsFailure => "chuỗi chứng thư số không thỏa các ràng buộc",
        SubIndication::CryptoConstraintsFailure => {
            "thuật toán không được hỗ trợ hoặc không được phép"
        }
        SubIndication::OutOfBoundsNoPoe => "chứng thư số hết hạn hoặc chưa có hiệu lực",
        SubIndication::DisallowedModification => "tài liệu bị sửa đổi không được phép sau khi ký",
        _ => "lý do khác (xem chi tiết)",
    };
    format!("{vi} ({})", s.as_str())
}

fn time_source(s: TimeSource, lang: Lang) -> &'static str {
    match s {
        TimeSource::Caller => lang.pick("given", "do người dùng chỉ định"),
        _ => lang.pick("current time", "thời gian hiện tại"),
    }
}

fn role_text(role: Option<Role>, lang: Lang) -> &'static str {
    match role {
        Some(Role::Application) => lang.pick("application", "đơn"),
        Some(Role::Attachment) => lang.pick("attachment", "tài liệu kèm theo"),
        Some(Role::Decision) => lang.pick("decision", "quyết định"),
        Some(Role::Signature) => lang.pick("signature", "chữ ký số"),
        None => lang.pick("unlisted", "ngoài danh mục"),
    }
}

fn status_text(s: FileStatus, lang: Lang) -> &'static str {
    match s {
        FileStatus::Intact => lang.pick("intact", "nguyên vẹn"),
        FileStatus::Altered => lang.pick("ALTERED", "BỊ THAY ĐỔI"),
        FileStatus::Missing => lang.pick("MISSING", "BỊ THIẾU"),
        FileStatus::Extra => lang.pick("EXTRA", "NGOÀI DANH MỤC"),
        FileStatus::Unreadable => lang.pick("UNREADABLE", "KHÔNG ĐỌC ĐƯỢC"),
        FileStatus::Unverified => lang.pick("NOT COMPARED", "CHƯA ĐỐI CHIẾU"),
        FileStatus::Conflict => lang.pick("NAME CONFLICT", "TRÙNG TÊN"),
        _ => lang.pick("INVALID PATH", "ĐƯỜNG DẪN KHÔNG HỢP LỆ"),
    }
}

fn chain_text(c: ChainStatus, lang: Lang) -> &'static str {
    match c {
        ChainStatus::Trusted => lang.pick("trusted", "tin cậy"),
        ChainStatus::Untrusted => lang.pick("NOT trusted", "KHÔNG tin cậy"),
        ChainStatus::Invalid => lang.pick("invalid", "không hợp lệ"),
        ChainStatus::NoTrustAnchors => {
            lang.pick("no trust anchors given", "chưa có chứng thư số gốc tin cậy")
        }
        ChainStatus::Revoked => lang.pick("REVOKED", "ĐÃ BỊ THU HỒI"),
        ChainStatus::NotChecked => lang.pick("not checked", "chưa kiểm tra"),
    }
}

fn verdict_text(s: &SignatureReport, lang: Lang) -> String {
    match s.sub_indication {
        Some(sub) => format!(
            "{} — {}",
            indication_text(s.indication, lang),
            sub_indication_text(sub, lang)
        ),
        None => indication_text(s.indication, lang),
    }
}

/// One signature: verdict, signer, time, checks, and the findings that matter.
fn render_signature(out: &mut String, indent: &str, s: &SignatureReport, lang: Lang) {
    let label = lang.pick("signature", "chữ ký");
    let field = s
        .field_name
        .as_deref()
        .map(|f| format!(" \"{}\"", safe(f)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{indent}{label} #{}{field}: {}",
        s.index + 1,
        verdict_text(s, lang)
    );
    let pad = format!("{indent}  ");
    if let Some(signer) = &s.signer {
        let _ = writeln!(
            out,
            "{pad}{} {}",
            lang.pick("signer:     ", "người ký:   "),
            safe(&signer.subject)
        );
        let _ = writeln!(
            out,
            "{pad}{} {}",
            lang.pick("issued by:  ", "cấp bởi:    "),
            safe(&signer.issuer)
        );
    }
    if let Some(t) = s.claimed_signing_time {
        let _ = writeln!(
            out,
            "{pad}{} {} {}",
            lang.pick("signed at:  ", "thời điểm ký:"),
            rfc3339(t),
            lang.pick("(claimed)", "(do người ký khai)")
        );
    }
    let _ = writeln!(
        out,
        "{pad}{} {} {}, {} {}, {} {}",
        lang.pick("integrity:  ", "toàn vẹn:   "),
        lang.pick("digest", "giá trị băm"),
        check_status_text(s.integrity.digest, lang),
        lang.pick("signature", "chữ ký"),
        check_status_text(s.integrity.signature, lang),
        lang.pick("signing certificate", "chứng thư số người ký"),
        check_status_text(s.integrity.signing_certificate, lang)
    );
    let anchor = s
        .chain
        .anchor
        .as_deref()
        .map(|a| format!(" → {}", safe(a)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{pad}{} {}{anchor}",
        lang.pick("chain:      ", "chuỗi chứng thư:"),
        chain_text(s.chain.status, lang)
    );
    for f in &s.findings {
        if f.severity > Severity::Info {
            finding_line(out, &pad, f, lang);
        }
    }
}

/// Renders the report of a PDF, `.p7s` or `.p7m` verification.
pub fn render_file_report(report: &VerificationReport, lang: Lang) -> String {
    let mut out = String::new();
    let name = safe_or(report.file.as_deref(), "<memory>");
    let format = match report.format {
        DocumentFormat::CmsDetached => lang.pick("detached CMS signature", "chữ ký CMS tách rời"),
        DocumentFormat::CmsEnveloping => {
            lang.pick("enveloping CMS signature", "chữ ký CMS đóng gói")
        }
        _ => "PDF",
    };
    let _ = writeln!(
        out,
        "{name}: {format}, {} {}",
        report.file_size,
        lang.pick("bytes", "byte")
    );
    if let Some(sig) = &report.signature_file {
        let _ = writeln!(
            out,
            "  {} {}",
            lang.pick("signature file:", "tệp chữ ký:"),
            safe(sig)
        );
    }
    let _ = writeln!(
        out,
        "  {} {} ({})",
        lang.pick("validation time:", "thời điểm kiểm tra:"),
        rfc3339(report.validation_time),
        time_source(report.validation_time_source, lang)
    );
    for f in &report.findings {
        finding_line(&mut out, "  ", f, lang);
    }
    for e in &report.embedded_files {
        let covered: Vec<String> = e.covered_by.iter().map(|i| format!("#{}", i + 1)).collect();
        let _ = writeln!(
            out,
            "  {} \"{}\": {} {}, SHA-256 {}; {} {}",
            lang.pick("embedded file", "tệp đính kèm"),
            safe(&e.name),
            e.size.map_or_else(|| "?".to_owned(), |s| s.to_string()),
            lang.pick("bytes", "byte"),
            safe_or(e.sha256.as_deref(), "?"),
            lang.pick("covered by", "được ký bởi chữ ký"),
            if covered.is_empty() {
                lang.pick("no signature", "(không chữ ký nào)").to_owned()
            } else {
                covered.join(", ")
            }
        );
    }
    for s in &report.signatures {
        render_signature(&mut out, "  ", s, lang);
    }
    let sum = &report.summary;
    let _ = writeln!(
        out,
        "{} {} {}, {} {}, {} {}",
        lang.pick("summary:", "tổng hợp:"),
        sum.passed,
        lang.pick("passed", "hợp lệ"),
        sum.failed,
        lang.pick("failed", "không hợp lệ"),
        sum.indeterminate,
        lang.pick("indeterminate", "chưa xác định")
    );
    out
}

fn render_file(out: &mut String, f: &DossierFileReport, lang: Lang) {
    let _ = writeln!(
        out,
        "  [{}] {} ({})",
        status_text(f.status, lang),
        safe(&f.path),
        role_text(f.role, lang)
    );
    let pad = "      ";
    match f.status {
        FileStatus::Altered => {
            if f.size != f.expected_size {
                let _ = writeln!(
                    out,
                    "{pad}{} {} {}, {} {}",
                    lang.pick("size", "kích thước"),
                    f.size.map_or_else(|| "?".to_owned(), |s| s.to_string()),
                    lang.pick("bytes", "byte"),
                    lang.pick("manifest lists", "danh mục ghi"),
                    f.expected_size.unwrap_or(0)
                );
            }
            let _ = writeln!(
                out,
                "{pad}SHA-256 {}, {} {}",
                safe_or(f.sha256.as_deref(), "?"),
                lang.pick("manifest lists", "danh mục ghi"),
                safe_or(f.expected_sha256.as_deref(), "?")
            );
        }
        FileStatus::Intact | FileStatus::Extra | FileStatus::Unverified | FileStatus::Conflict => {
            if let Some(size) = f.size {
                let _ = writeln!(
                    out,
                    "{pad}{size} {}, SHA-256 {}",
                    lang.pick("bytes", "byte"),
                    safe_or(f.sha256.as_deref(), "?")
                );
            }
        }
        _ => {}
    }
    for finding in &f.findings {
        if finding.severity > Severity::Info {
            finding_line(out, pad, finding, lang);
        }
    }
    for sig in &f.signatures {
        if sig.report.signatures.is_empty() && sig.report.format == DocumentFormat::Pdf {
            let _ = writeln!(
                out,
                "{pad}{}",
                lang.pick("PDF without signatures", "PDF không có chữ ký")
            );
            continue;
        }
        if sig.source != f.path {
            let _ = writeln!(
                out,
                "{pad}{} {}:",
                lang.pick("signed by", "ký bởi tệp"),
                safe(&sig.source)
            );
        }
        for e in &sig.report.embedded_files {
            let _ = writeln!(
                out,
                "{pad}{} \"{}\" ({} {}){}",
                lang.pick("embedded file", "tệp đính kèm"),
                safe(&e.name),
                e.size.map_or_else(|| "?".to_owned(), |s| s.to_string()),
                lang.pick("bytes", "byte"),
                if e.covered_by.is_empty() && !sig.report.signatures.is_empty() {
                    lang.pick(", NOT covered by a signature", ", KHÔNG được ký")
                } else {
                    ""
                }
            );
        }
        for s in &sig.report.signatures {
            render_signature(out, pad, s, lang);
        }
    }
}

/// Renders a dossier report.
pub fn render_dossier(report: &DossierReport, lang: Lang) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {}: {}",
        lang.pick("Dossier", "Hồ sơ"),
        safe(&report.directory),
        indication_text(report.indication, lang)
    );
    let _ = writeln!(
        out,
        "  {} {} ({})",
        lang.pick("validation time:", "thời điểm kiểm tra:"),
        rfc3339(report.validation_time),
        time_source(report.validation_time_source, lang)
    );
    let m = &report.manifest;
    if m.present {
        let mut details = Vec::new();
        if let Some(v) = m.schema_version {
            details.push(format!("{} {v}", lang.pick("schema", "phiên bản")));
        }
        if let Some(t) = m.created {
            details.push(format!(
                "{} {}",
                lang.pick("created", "lập lúc"),
                rfc3339(t)
            ));
        }
        if let Some(id) = &m.dossier_id {
            details.push(format!("{} {}", lang.pick("id", "mã hồ sơ"), safe(id)));
        }
        let _ = writeln!(
            out,
            "  {} {} ({})",
            lang.pick("manifest:", "danh mục hồ sơ:"),
            safe(&m.file),
            details.join(", ")
        );
    }
    if let Some(sig) = &m.signature {
        let _ = writeln!(
            out,
            "  {} {}",
            lang.pick("manifest signature:", "chữ ký của danh mục:"),
            safe(&m.signature_file)
        );
        for f in &sig.findings {
            finding_line(&mut out, "    ", f, lang);
        }
        for s in &sig.signatures {
            render_signature(&mut out, "    ", s, lang);
        }
    }
    for f in &report.findings {
        finding_line(&mut out, "  ", f, lang);
    }
    let s = &report.summary;
    let _ = writeln!(out);
    let _ = match lang {
        Lang::En => writeln!(
            out,
            "files: {} listed, {} intact, {} altered, {} missing, {} unlisted, {} unreadable",
            s.listed, s.intact, s.altered, s.missing, s.extra, s.unreadable
        ),
        Lang::Vi => writeln!(
            out,
            "tệp: {} trong danh mục, {} nguyên vẹn, {} bị thay đổi, {} bị thiếu, {} ngoài danh \
             mục, {} không đọc được",
            s.listed, s.intact, s.altered, s.missing, s.extra, s.unreadable
        ),
    };
    for f in &report.files {
        render_file(&mut out, f, lang);
    }
    let _ = writeln!(
        out,
        "{} {} {}, {} {}, {} {}",
        lang.pick("signatures in files:", "chữ ký trong các tệp:"),
        s.signatures_passed,
        lang.pick("passed", "hợp lệ"),
        s.signatures_failed,
        lang.pick("failed", "không hợp lệ"),
        s.signatures_indeterminate,
        lang.pick("indeterminate", "chưa xác định")
    );
    let _ = writeln!(
        out,
        "{} {}",
        lang.pick("verdict:", "kết luận:"),
        indication_text(report.indication, lang)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revoked_chain_is_not_shown_as_unchecked() {
        // The dossier listing once mapped every chain status it did not name to "not
        // checked", a revoked signer's chain among them (RFC 5280 §6.3: revoked is a result).
        assert_eq!(chain_text(ChainStatus::Revoked, Lang::En), "REVOKED");
        assert_eq!(chain_text(ChainStatus::Revoked, Lang::Vi), "ĐÃ BỊ THU HỒI");
        assert_eq!(chain_text(ChainStatus::NotChecked, Lang::En), "not checked");
    }
}
