//! Reports as text for people, in Vietnamese or English.
//!
//! Everything kyso decides is rendered from the report's structured fields (statuses,
//! indications, sizes, digests), so both languages say the same thing. Finding messages of
//! the signature checks carry English detail; in Vietnamese the code's meaning is given in
//! Vietnamese when kyso has a translation, and the English detail otherwise.

use std::fmt::Write;

use crate::report::{
    ChainStatus, CheckStatus, Code, DocumentFormat, Finding, Indication, Severity, SignatureReport,
    SubIndication, TimeSource, VerificationReport,
};

use super::manifest::Role;
use super::report::{DossierFileReport, DossierReport, FileStatus};

/// The language of a rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Lang {
    /// Tiếng Việt.
    Vi,
    /// English.
    #[default]
    En,
}

impl Lang {
    fn pick(self, en: &'static str, vi: &'static str) -> &'static str {
        match self {
            Lang::En => en,
            Lang::Vi => vi,
        }
    }
}

/// An indication in words (the ETSI spelling in English; Vietnamese with the ETSI spelling
/// in brackets).
pub fn indication_text(i: Indication, lang: Lang) -> String {
    match lang {
        Lang::En => i.as_str().to_owned(),
        Lang::Vi => {
            let words = match i {
                Indication::TotalPassed => "HỢP LỆ",
                Indication::TotalFailed => "KHÔNG HỢP LỆ",
                _ => "CHƯA XÁC ĐỊNH",
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
        SubIndication::Revoked => "chứng thư số đã bị thu hồi",
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

/// The Vietnamese meaning of a finding code, where kyso has one.
fn code_vi(code: Code) -> Option<&'static str> {
    Some(match code {
        Code::DocEncrypted => "tài liệu được mã hóa",
        Code::DocNoSignatures => "tài liệu không có chữ ký",
        Code::DocUnsignedField => "có trường chữ ký còn trống",
        Code::DocTrailingData => "có dữ liệu sau phần cuối tài liệu, không chữ ký nào bao phủ",
        Code::SigUnreachable => "chữ ký không gắn với trường chữ ký nào",
        Code::CoveragePartial => "chữ ký không bao phủ toàn bộ phiên bản tài liệu",
        Code::CmsMalformed => "cấu trúc CMS của chữ ký bị lỗi",
        Code::IntegrityDigestMismatch => "dữ liệu đã bị thay đổi sau khi ký",
        Code::IntegritySignatureInvalid => "giá trị chữ ký không đúng",
        Code::IntegrityAlgorithmUnsupported => "thuật toán không được hỗ trợ",
        Code::IntegritySignerCertMissing => "thiếu chứng thư số của người ký",
        Code::IntegritySigningCertMismatch => "thuộc tính signing-certificate không khớp",
        Code::IntegritySigningCertMissing => "thiếu thuộc tính signing-certificate-v2",
        Code::IntegrityNoSignedAttributes => "chữ ký không có thuộc tính được ký",
        Code::ChainNoTrustAnchors => "chưa cấu hình chứng thư số gốc tin cậy (--trust)",
        Code::ChainUntrusted => "chuỗi chứng thư số không dẫn đến tổ chức tin cậy",
        Code::ChainCertificateExpired => "chứng thư số đã hết hạn tại thời điểm kiểm tra",
        Code::ChainCertificateNotYetValid => "chứng thư số chưa có hiệu lực tại thời điểm kiểm tra",
        Code::ChainSignatureInvalid => "chữ ký trên chứng thư số không đúng",
        Code::ChainIssuerNotCa => "bên cấp không phải tổ chức cung cấp dịch vụ chứng thực",
        Code::ChainSignerKeyUsage => "mục đích sử dụng khóa không cho phép ký",
        Code::ChainRevocationNotChecked => "chưa kiểm tra tình trạng thu hồi chứng thư số",
        Code::ModificationDisallowed => "tài liệu bị sửa đổi không được phép sau khi ký",
        Code::ModificationUnanalysed => "không phân tích được các thay đổi sau khi ký",
        Code::EmbeddedNotCovered => "tệp đính kèm được thêm hoặc thay đổi sau khi ký",
        Code::EmbeddedChecksumMismatch => "tổng kiểm tra (MD5) của tệp đính kèm không khớp",
        Code::EmbeddedSizeMismatch => "kích thước khai báo của tệp đính kèm không khớp",
        Code::EmbeddedUnreadable => "không đọc được tệp đính kèm",
        Code::DetachedNoContent => "không có nội dung được ký",
        Code::DetachedContentMismatch => "nội dung trong chữ ký khác với tệp đi kèm",
        Code::DossierManifestMissing => "hồ sơ không có danh mục (chưa được niêm phong)",
        Code::DossierManifestMalformed => "danh mục hồ sơ không hợp lệ",
        Code::DossierManifestUnsigned => "danh mục hồ sơ không có chữ ký",
        Code::DossierManifestSignatureNotPassed => "chữ ký của danh mục hồ sơ không hợp lệ",
        Code::DossierFileMissing => "tệp có trong danh mục nhưng bị thiếu",
        Code::DossierFileAltered => "tệp đã bị thay đổi sau khi niêm phong",
        Code::DossierFileExtra => "tệp không có trong danh mục",
        Code::DossierFileUnreadable => "không đọc được tệp",
        Code::DossierFileIntact => "tệp nguyên vẹn",
        Code::DossierFileSignatureNotPassed => "chữ ký của tệp không hợp lệ",
        Code::DossierOrphanSignature => "tệp chữ ký không có tệp được ký đi kèm",
        Code::DossierPathInvalid => "đường dẫn trong danh mục không an toàn",
        Code::DossierBudgetExhausted => "hồ sơ vượt quá giới hạn kiểm tra",
        Code::DossierNameConflict => "hai tệp trùng tên sau khi chuẩn hóa Unicode (NFC)",
        Code::DossierManifestNotCompared => {
            "chữ ký danh mục không hợp lệ nên không đối chiếu các tệp với danh mục"
        }
        Code::BudgetDocumentExhausted => {
            "tài liệu vượt quá giới hạn kiểm tra, chưa được kiểm tra hết"
        }
        _ => return None,
    })
}

fn finding_line(out: &mut String, indent: &str, f: &Finding, lang: Lang) {
    let sev = match (f.severity, lang) {
        (Severity::Error, Lang::En) => "error",
        (Severity::Error, Lang::Vi) => "lỗi",
        (Severity::Warning, Lang::En) => "warning",
        (Severity::Warning, Lang::Vi) => "cảnh báo",
        (_, Lang::En) => "info",
        (_, Lang::Vi) => "thông tin",
    };
    match (lang, code_vi(f.code)) {
        (Lang::Vi, Some(vi)) => {
            let _ = writeln!(
                out,
                "{indent}[{sev}] {vi} ({}): {}",
                f.code.as_str(),
                f.message
            );
        }
        _ => {
            let _ = writeln!(out, "{indent}[{sev}] {}: {}", f.code.as_str(), f.message);
        }
    }
}

fn fmt_time(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
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

fn check_text(c: CheckStatus, lang: Lang) -> &'static str {
    match c {
        CheckStatus::Passed => lang.pick("ok", "đúng"),
        CheckStatus::Failed => lang.pick("FAILED", "SAI"),
        CheckStatus::Unsupported => lang.pick("unsupported", "không hỗ trợ"),
        CheckStatus::NotPresent => lang.pick("absent", "không có"),
        _ => lang.pick("not checked", "chưa kiểm tra"),
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
        _ => lang.pick("not checked", "chưa kiểm tra"),
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
        .map(|f| format!(" \"{f}\""))
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
            signer.subject
        );
        let _ = writeln!(
            out,
            "{pad}{} {}",
            lang.pick("issued by:  ", "cấp bởi:    "),
            signer.issuer
        );
    }
    if let Some(t) = s.claimed_signing_time {
        let _ = writeln!(
            out,
            "{pad}{} {} {}",
            lang.pick("signed at:  ", "thời điểm ký:"),
            fmt_time(t),
            lang.pick("(claimed)", "(do người ký khai)")
        );
    }
    let _ = writeln!(
        out,
        "{pad}{} {} {}, {} {}, {} {}",
        lang.pick("integrity:  ", "toàn vẹn:   "),
        lang.pick("digest", "giá trị băm"),
        check_text(s.integrity.digest, lang),
        lang.pick("signature", "chữ ký"),
        check_text(s.integrity.signature, lang),
        lang.pick("signing certificate", "chứng thư số người ký"),
        check_text(s.integrity.signing_certificate, lang)
    );
    let anchor = s
        .chain
        .anchor
        .as_deref()
        .map(|a| format!(" → {a}"))
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
    let name = report.file.as_deref().unwrap_or("<memory>");
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
            "  {} {sig}",
            lang.pick("signature file:", "tệp chữ ký:")
        );
    }
    let _ = writeln!(
        out,
        "  {} {} ({})",
        lang.pick("validation time:", "thời điểm kiểm tra:"),
        fmt_time(report.validation_time),
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
            e.name,
            e.size.map_or_else(|| "?".to_owned(), |s| s.to_string()),
            lang.pick("bytes", "byte"),
            e.sha256.as_deref().unwrap_or("?"),
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
        f.path,
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
                f.sha256.as_deref().unwrap_or("?"),
                lang.pick("manifest lists", "danh mục ghi"),
                f.expected_sha256.as_deref().unwrap_or("?")
            );
        }
        FileStatus::Intact | FileStatus::Extra | FileStatus::Unverified | FileStatus::Conflict => {
            if let Some(size) = f.size {
                let _ = writeln!(
                    out,
                    "{pad}{size} {}, SHA-256 {}",
                    lang.pick("bytes", "byte"),
                    f.sha256.as_deref().unwrap_or("?")
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
                sig.source
            );
        }
        for e in &sig.report.embedded_files {
            let _ = writeln!(
                out,
                "{pad}{} \"{}\" ({} {}){}",
                lang.pick("embedded file", "tệp đính kèm"),
                e.name,
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
        report.directory,
        indication_text(report.indication, lang)
    );
    let _ = writeln!(
        out,
        "  {} {} ({})",
        lang.pick("validation time:", "thời điểm kiểm tra:"),
        fmt_time(report.validation_time),
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
                fmt_time(t)
            ));
        }
        if let Some(id) = &m.dossier_id {
            details.push(format!("{} {id}", lang.pick("id", "mã hồ sơ")));
        }
        let _ = writeln!(
            out,
            "  {} {} ({})",
            lang.pick("manifest:", "danh mục hồ sơ:"),
            m.file,
            details.join(", ")
        );
    }
    if let Some(sig) = &m.signature {
        let _ = writeln!(
            out,
            "  {} {}",
            lang.pick("manifest signature:", "chữ ký của danh mục:"),
            m.signature_file
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
