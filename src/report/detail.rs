//! The specifics of a finding as data, so that a report can be rendered in Vietnamese
//! without losing them.
//!
//! A [`Finding`](super::Finding)'s `message` is English prose with the specifics (a name, an
//! offset, a time) written into it. A Vietnamese rendering says what the finding's
//! [`Code`](super::Code) means in Vietnamese ([`code_text`]) and then lists the finding's
//! [`Detail`]s: values that read the same in every language (names, numbers, times, object
//! numbers, algorithm names), each under a label the rendering names in its own language,
//! and remarks kyso has in Vietnamese. Error text that comes from lower layers (a parser's
//! reason) is kept as a value labelled as technical detail, in English.
//!
//! Details are not part of the JSON report (the message there already says everything, and
//! the JSON stays exactly as it was); a report read back from JSON has none, and its
//! Vietnamese rendering then falls back to the English message.

use super::codes::Code;
use super::lang::Lang;

/// One specific of a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Detail {
    /// A value under a label: a name, a number, a time, a reason given by a lower layer.
    Value(DetailLabel, String),
    /// A remark that refines what the code says, in Vietnamese (the English message says it
    /// in English).
    Remark(&'static str),
}

impl Detail {
    /// The label, for a value.
    pub fn label(&self) -> Option<DetailLabel> {
        match self {
            Detail::Value(l, _) => Some(*l),
            Detail::Remark(_) => None,
        }
    }
}

/// What a [`Detail::Value`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DetailLabel {
    /// A file name or path.
    File,
    /// A form or signature field's name.
    Field,
    /// A PDF object (`12 0 R`).
    Object,
    /// A PDF dictionary key (`/ByteRange`).
    Key,
    /// A certificate (its subject).
    Certificate,
    /// The issuer named by a certificate.
    Issuer,
    /// A trust anchor.
    Anchor,
    /// A timestamp authority.
    Authority,
    /// A name checked against constraints.
    Name,
    /// Byte offsets or ranges.
    Bytes,
    /// A size in bytes.
    Size,
    /// Bytes appended after a signed revision.
    Appended,
    /// A value a document declares.
    Declared,
    /// A value found.
    Found,
    /// A limit that was reached.
    Limit,
    /// A number of items.
    Count,
    /// An algorithm.
    Algorithm,
    /// A certificate extension (name or OID).
    Extension,
    /// A revision of the document (1-based).
    Revision,
    /// A point in time.
    Time,
    /// End of a certificate's validity.
    NotAfter,
    /// Start of a certificate's validity.
    NotBefore,
    /// When a certificate was revoked.
    RevokedAt,
    /// Why a certificate was revoked (RFC 5280 reason name).
    RevocationReason,
    /// Where revocation data came from.
    Source,
    /// A serial number.
    Serial,
    /// Certificate policies.
    Policy,
    /// Key usages or extended key usages.
    Usage,
    /// A purpose (document signing, timestamping).
    Purpose,
    /// A PAdES level.
    Level,
    /// An ETSI indication (`TOTAL-FAILED`, …).
    Indication,
    /// A page of the document (1-based).
    Page,
    /// A region of a page: `[x0 y0 x1 y1]` in points of the page's default user space.
    Region,
    /// A number of pixels (of a rendering).
    Pixels,
    /// A description written by a lower layer or another check, kept in English.
    Technical,
}

impl DetailLabel {
    /// The label in `lang`.
    pub fn text(self, lang: Lang) -> &'static str {
        use DetailLabel as L;
        match self {
            L::File => lang.pick("file", "tệp"),
            L::Field => lang.pick("field", "trường"),
            L::Object => lang.pick("object", "đối tượng"),
            L::Key => lang.pick("key", "khóa từ điển"),
            L::Certificate => lang.pick("certificate", "chứng thư số"),
            L::Issuer => lang.pick("issuer", "bên cấp"),
            L::Anchor => lang.pick("trust anchor", "chứng thư số gốc tin cậy"),
            L::Authority => lang.pick("timestamp authority", "đơn vị cấp dấu thời gian"),
            L::Name => lang.pick("name", "tên"),
            L::Bytes => lang.pick("bytes", "vị trí byte"),
            L::Size => lang.pick("size in bytes", "kích thước (byte)"),
            L::Appended => lang.pick("bytes appended later", "số byte bổ sung sau khi ký"),
            L::Declared => lang.pick("declared", "giá trị khai báo"),
            L::Found => lang.pick("found", "giá trị thực tế"),
            L::Limit => lang.pick("limit", "giới hạn"),
            L::Count => lang.pick("count", "số lượng"),
            L::Algorithm => lang.pick("algorithm", "thuật toán"),
            L::Extension => lang.pick("extension", "phần mở rộng"),
            L::Revision => lang.pick("revision", "phiên bản"),
            L::Time => lang.pick("time", "thời điểm"),
            L::NotAfter => lang.pick("valid until", "hiệu lực đến"),
            L::NotBefore => lang.pick("valid from", "hiệu lực từ"),
            L::RevokedAt => lang.pick("revoked at", "thời điểm thu hồi"),
            L::RevocationReason => lang.pick("reason", "lý do thu hồi"),
            L::Source => lang.pick("source", "nguồn"),
            L::Serial => lang.pick("serial", "số hiệu"),
            L::Policy => lang.pick("policy", "chính sách"),
            L::Usage => lang.pick("usage", "mục đích sử dụng"),
            L::Purpose => lang.pick("purpose", "mục đích"),
            L::Level => lang.pick("level", "mức"),
            L::Indication => lang.pick("indication", "kết quả kiểm tra"),
            L::Page => lang.pick("page", "trang"),
            L::Region => lang.pick(
                "region [x0 y0 x1 y1] in points",
                "vùng [x0 y0 x1 y1] (đơn vị point)",
            ),
            L::Pixels => lang.pick("pixels", "số điểm ảnh"),
            L::Technical => lang.pick("technical detail", "chi tiết kỹ thuật (tiếng Anh)"),
        }
    }
}

/// "lý do thu hồi: …": a revocation reason (RFC 5280 §5.3.1) as a Vietnamese remark.
pub(crate) fn revocation_reason_remark(reason: Option<super::RevocationReason>) -> &'static str {
    use super::RevocationReason as R;
    match reason {
        None | Some(R::Unspecified) => "lý do thu hồi: không nêu lý do",
        Some(R::KeyCompromise) => "lý do thu hồi: khóa bí mật bị lộ",
        Some(R::CaCompromise) => "lý do thu hồi: khóa của tổ chức cấp (CA) bị lộ",
        Some(R::AffiliationChanged) => "lý do thu hồi: thông tin của thuê bao thay đổi",
        Some(R::Superseded) => "lý do thu hồi: đã được thay thế bằng chứng thư số khác",
        Some(R::CessationOfOperation) => "lý do thu hồi: ngừng hoạt động",
        Some(R::CertificateHold) => "lý do thu hồi: tạm dừng hiệu lực",
        Some(R::RemoveFromCrl) => "lý do thu hồi: gỡ khỏi danh sách thu hồi",
        Some(R::PrivilegeWithdrawn) => "lý do thu hồi: bị rút quyền",
        Some(R::AaCompromise) => "lý do thu hồi: khóa của tổ chức cấp thuộc tính bị lộ",
        Some(_) => "lý do thu hồi: lý do khác",
    }
}

/// What `code` means, as one sentence in `lang` (English: the code's documentation in
/// short; Vietnamese: the sentence a clerk reads).
pub fn code_text(code: Code, lang: Lang) -> &'static str {
    match lang {
        Lang::En => code_en(code),
        Lang::Vi => code_vi(code),
    }
}

fn code_en(code: Code) -> &'static str {
    use Code as C;
    match code {
        C::DocEncrypted => "The document is encrypted; kyso decrypted it to check it",
        C::DocNoSignatures => "The document holds no signature",
        C::DocUnsignedField => "A signature field is empty",
        C::DocTrailingData => "Data follows the end of the document; no signature covers it",
        C::DocTruncated => "The file is damaged or truncated",
        C::SigUnreachable => "No signature field points to this signature",
        C::SigSharedByFields => "One signature is the value of several fields",
        C::SigDictMalformed => "The signature dictionary is malformed",
        C::SigSubFilterUnsupported => "kyso does not verify this kind of signature (SubFilter)",
        C::SigContentsMissing => "The signature value (/Contents) is missing",
        C::SigContentsNotHex => "The signature value (/Contents) is not hexadecimal",
        C::ByteRangeMalformed => "The signed byte range (/ByteRange) is malformed",
        C::ByteRangeNotFromStart => "The signed byte range does not start at the file's start",
        C::ByteRangeOutsideFile => "The signed byte range reaches outside the file",
        C::ByteRangeOverlap => "The signed byte ranges overlap or are out of order",
        C::ByteRangeGapMismatch => "The unsigned gap is not exactly the signature value",
        C::CoverageEntireFile => "The signature covers the whole file",
        C::CoverageEntireRevision => "The signature covers a whole revision",
        C::CoveragePartial => "The signature covers less than a whole revision",
        C::CmsMalformed => "The CMS structure of the signature is malformed",
        C::CmsTrailingData => "Bytes follow the CMS structure",
        C::CmsSignerCount => "The CMS does not have exactly one signer",
        C::CmsEncapsulatedContent => "The CMS encapsulates content",
        C::CmsBerEncoding => "The CMS uses BER encoding (accepted)",
        C::IntegrityDigestOk => "The signed bytes match the signed digest",
        C::IntegrityDigestMismatch => "The signed bytes were changed after signing",
        C::IntegrityDigestMissing => "The signed message-digest is missing",
        C::IntegritySignatureInvalid => "The signature value does not verify",
        C::IntegritySignatureOk => "The signature value verifies",
        C::IntegrityAlgorithmUnsupported => "An algorithm is not supported",
        C::IntegritySignerCertMissing => "The signer's certificate is not in the signature",
        C::IntegritySigningCertMismatch => {
            "The signing-certificate attribute names another certificate"
        }
        C::IntegritySigningCertMissing => "The signing-certificate-v2 attribute is missing",
        C::IntegrityContentTypeMismatch => "The content-type attribute is wrong or missing",
        C::IntegrityNoSignedAttributes => "The signature has no signed attributes",
        C::PadesSigningTimeAttribute => "A PAdES signature carries a signing-time attribute",
        C::ChainTrusted => "The certificate path reaches a trust anchor",
        C::ChainNoTrustAnchors => "No trust anchors were configured",
        C::ChainUntrusted => "No path leads to a trust anchor",
        C::ChainCertificateExpired => "A certificate had expired at the validation time",
        C::ChainCertificateNotYetValid => "A certificate was not yet valid at the validation time",
        C::ChainSignatureInvalid => "A certificate's signature does not verify",
        C::ChainIssuerNotCa => "An issuer is not a CA or may not sign certificates",
        C::ChainSignerKeyUsage => "The signer's key usage does not allow signatures",
        C::ChainCertificateMalformed => "A certificate could not be read",
        C::ChainPathLength => "A path-length limit is exceeded",
        C::ChainUnknownCriticalExtension => "A critical extension is not understood",
        C::ChainBudgetExhausted => "Path building stopped at its budget",
        C::ChainRevocationNotChecked => "Revocation was not checked",
        C::ModificationNone => "Nothing changed after signing",
        C::ModificationSignatureAdded => "Later revisions only add signatures",
        C::ModificationDisallowed => "A change after signing is not allowed",
        C::ModificationUnanalysed => "The changes after signing could not be analysed",
        C::TimeClaimedOnly => "The signing time is the signer's claim",
        C::TimeClaimedAfterValidation => {
            "The signature claims to have been made after the validation time"
        }
        C::EmbeddedNotCovered => "An embedded file is not covered by any signature",
        C::EmbeddedChecksumMismatch => "An embedded file's checksum does not match",
        C::EmbeddedSizeMismatch => "An embedded file's size does not match",
        C::EmbeddedUnreadable => "An embedded file could not be read",
        C::DetachedNoContent => "There is no signed content",
        C::DetachedContentMismatch => "The signed content differs from the file given",
        C::DossierManifestMissing => "The dossier has no manifest",
        C::DossierManifestMalformed => "The manifest is malformed",
        C::DossierManifestUnsigned => "The manifest is not signed",
        C::DossierManifestSignatureNotPassed => "The manifest's signature did not pass",
        C::DossierFileMissing => "A listed file is missing",
        C::DossierFileAltered => "A file changed after sealing",
        C::DossierFileExtra => "A file is not listed in the manifest",
        C::DossierFileUnreadable => "A file could not be read",
        C::DossierFileIntact => "The file is as the manifest lists it",
        C::DossierFileSignatureNotPassed => "A file's signature did not pass",
        C::DossierOrphanSignature => "A signature file has no content file",
        C::DossierPathInvalid => "The manifest lists an unsafe path",
        C::DossierBudgetExhausted => "The dossier exceeds the verification budget",
        C::DossierNameConflict => "Two files have the same name once normalised (NFC)",
        C::DossierManifestNotCompared => {
            "The manifest's signature did not verify, so its entries were not compared"
        }
        C::BudgetDocumentExhausted => {
            "The document exceeds the verification budget; it was not examined in full"
        }
        C::ChainCandidateFailed => "A candidate certificate path failed",
        C::ChainNameConstraints => "A name violates an issuing CA's name constraints",
        C::ChainPolicy => "No valid certificate policy for the path",
        C::ChainExtensionMalformed => "A certificate extension is malformed",
        C::ChainExtendedKeyUsage => "The extended key usage does not allow the purpose",
        C::ChainAnchorPurpose => "The trust anchor is not trusted for the purpose",
        C::ChainAnchorArchival => {
            "The trust anchor is kept for archival signatures proven before its cut-off"
        }
        C::ChainAnchorExpired => "The trust anchor is outside its validity period",
        C::ChainProfileKeyCertSignNotCa => "keyCertSign in a certificate that is not a CA",
        C::ChainProfileCaWithoutSki => "A CA certificate has no subject key identifier",
        C::ChainProfileMissingAki => "A certificate has no authority key identifier",
        C::ChainProfileEmptySubject => {
            "An empty subject without a critical subject alternative name"
        }
        C::ChainProfileSanSyntax => "A DNS name in the subject alternative name is malformed",
        C::ChainProfileSerialNumber => "A serial number breaks RFC 5280",
        C::ChainProfilePathLenNotCa => "A path length constraint in a certificate that is not a CA",
        C::ChainProfilePolicyConstraintsNotCritical => "Policy constraints are not marked critical",
        C::ChainAlgorithmRefused => "An algorithm or key size is refused",
        C::ChainAlgorithmLegacy => "A legacy algorithm was accepted",
        C::RevocationGood => "The certificate is not revoked",
        C::RevocationRevoked => "The certificate is revoked",
        C::RevocationRevokedAfterSigning => "A certificate was revoked after the proven time",
        C::RevocationUnknown => "The revocation status could not be established",
        C::RevocationNotAvailable => "The revocation status is not available",
        C::RevocationSignerNotAuthorized => "A CRL or OCSP signer is not authorised",
        C::RevocationDataUnusable => "Revocation data could not be used",
        C::RevocationFetchFailed => "Fetching revocation data failed",
        C::RevocationCrlUnusable => "A CRL was not used: its profile or its signer is refused",
        C::RevocationCaRevoked => "A certificate authority of the path is revoked",
        C::ModificationStructure => "A later revision's structure is inconsistent",
        C::ModificationDocMdpViolation => "A change exceeds the certification's permissions",
        C::ModificationFieldLocked => "A change touches a locked field",
        C::ModificationNewVisibleSignatureField => {
            "A visible signature field was added after certification"
        }
        C::ModificationUnsignedVisibleSignatureField => {
            "A visible signature field that holds no signature was added after signing"
        }
        C::NetworkRefused => "A URL from the document was not fetched (network policy)",
        C::NetworkBudgetExhausted => "The network budget for this document ran out",
        C::ModificationPolicy => "The permissions the changes were judged against",
        C::ModificationAllowed => "Later revisions made only allowed changes",
        C::ModificationAnnotations => "Annotations changed after signing",
        C::BudgetExceeded => "A safety budget was exhausted",
        C::SigCertificationNotFirst => "The certification signature is not the first",
        C::TspValid => "The signature timestamp is valid",
        C::TspMalformed => "A timestamp token is malformed",
        C::TspImprintMismatch => "A timestamp is not over the signature value",
        C::TspSignatureInvalid => "The timestamp authority's signature does not verify",
        C::TspCertificateUnusable => "The timestamp authority's certificate is unusable",
        C::TspUntrusted => "The timestamp authority is not trusted",
        C::TspAlgorithmUnsupported => "A timestamp algorithm is not supported",
        C::TspBeforeClaimedTime => "The claimed signing time is after the timestamp",
        C::TimeProvenBySignatureTimestamp => "A signature timestamp proves the time",
        C::TimeProvenByDocumentTimestamp => "A document timestamp proves the time",
        C::TimePathAtProvenTime => "The path was validated at the proven time",
        C::PadesLevel => "The PAdES level reached",
        C::CmsEmptyEncapsulatedContent => {
            "The signature carries an empty encapsulated content; it was checked as detached"
        }
        C::IntegrityAlgorithmRefused => {
            "The algorithm policy refuses an algorithm or key size of the signature"
        }
        C::IntegrityAlgorithmLegacy => {
            "A legacy algorithm accepted: the signature predates the policy's cut-off"
        }
        C::DocDamaged => "The file is damaged; its structure was reconstructed by scanning",
        C::TspAuthorityExpired => {
            "The newest timestamp's authority has expired and nothing later protects the \
             signature: the archive was not renewed in time"
        }
        C::TspRenewedTooLate => {
            "A timestamp's authority expired before a later timestamp protected it: the \
             archive was renewed too late"
        }
        C::TspAuthorityStatusFromEmbeddedData => {
            "The newest authority's current status was taken from embedded data (policy)"
        }
        C::ArchiveProvableUntil => "Until when the signature stays provable",
        C::TspContentValid => "A content timestamp shows the signature was made after its time",
        C::RevocationRevokedBeforeContentTimestamp => {
            "The signer's certificate was revoked before a content timestamp: the signature was \
             made after the revocation"
        }
        C::TspContentNotValid => "A content timestamp does not validate and proves nothing",
        C::TspContentAfterProof => {
            "A content timestamp is later than the proof that the signature existed: the \
             timestamps contradict each other"
        }
        C::VisualExplained => {
            "The pages look as signed, except where an allowed later change draws"
        }
        C::VisualUnexplained => {
            "A part of a page looks different than when signed, and no allowed change explains it"
        }
        C::VisualContentChanged => {
            "Signed page content looks different now, and no allowed change explains it"
        }
        C::VisualOverlap => "A later appearance covers content of the signed page",
        C::VisualSkipped => "The visual comparison with the signed revision was not done",
        C::VisualNotComparable => {
            "Part of a page changed after signing cannot be drawn by kyso's renderer, so what a \
             viewer shows there was not compared"
        }
        C::VisualViewerRebuilds => {
            "A field changed after signing is drawn by each viewer from its value; see the \
             field values"
        }
    }
}

fn code_vi(code: Code) -> &'static str {
    use Code as C;
    match code {
        C::DocEncrypted => "Tài liệu được mã hóa; kyso đã giải mã để kiểm tra",
        C::DocNoSignatures => "Tài liệu không có chữ ký số nào",
        C::DocUnsignedField => "Có trường chữ ký còn trống (chưa được ký)",
        C::DocTrailingData => {
            "Có dữ liệu nằm sau phần kết thúc của tài liệu; dữ liệu này không thuộc tài liệu và \
             không được chữ ký nào bảo vệ"
        }
        C::DocTruncated => {
            "Tệp bị hỏng hoặc bị cắt cụt: phần cuối tệp là một lần cập nhật chưa hoàn chỉnh, \
             nội dung của phần này (có thể là một chữ ký) không kiểm tra được"
        }
        C::SigUnreachable => {
            "Chữ ký không gắn với trường chữ ký nào; phần mềm xem tài liệu sẽ không hiển thị \
             chữ ký này"
        }
        C::SigSharedByFields => "Cùng một chữ ký được gắn vào nhiều trường chữ ký",
        C::SigDictMalformed => "Từ điển chữ ký bị lỗi",
        C::SigSubFilterUnsupported => {
            "Định dạng chữ ký (SubFilter) không thuộc các định dạng kyso kiểm tra được"
        }
        C::SigContentsMissing => "Thiếu giá trị chữ ký (/Contents)",
        C::SigContentsNotHex => {
            "Giá trị chữ ký (/Contents) không được lưu ở dạng thập lục phân như quy định"
        }
        C::ByteRangeMalformed => "Vùng dữ liệu được ký (/ByteRange) bị lỗi",
        C::ByteRangeNotFromStart => "Vùng dữ liệu được ký không bắt đầu từ đầu tệp",
        C::ByteRangeOutsideFile => {
            "Vùng dữ liệu được ký vượt ra ngoài tệp; tệp có thể bị hỏng hoặc bị cắt cụt"
        }
        C::ByteRangeOverlap => "Các vùng dữ liệu được ký chồng lấn nhau hoặc sai thứ tự",
        C::ByteRangeGapMismatch => {
            "Khoảng không được ký giữa các vùng dữ liệu không trùng khớp với giá trị chữ ký"
        }
        C::CoverageEntireFile => "Chữ ký bao phủ toàn bộ tệp",
        C::CoverageEntireRevision => {
            "Chữ ký bao phủ trọn một phiên bản của tài liệu; các phiên bản sau được bổ sung \
             sau khi ký"
        }
        C::CoveragePartial => "Chữ ký không bao phủ trọn một phiên bản của tài liệu",
        C::CmsMalformed => "Cấu trúc CMS của chữ ký bị lỗi",
        C::CmsTrailingData => "Có dữ liệu thừa sau cấu trúc CMS của chữ ký",
        C::CmsSignerCount => "Cấu trúc CMS không có đúng một người ký như chữ ký PDF yêu cầu",
        C::CmsEncapsulatedContent => {
            "Cấu trúc CMS chứa nội dung bên trong, điều chữ ký PDF dạng tách rời không được phép"
        }
        C::CmsBerEncoding => "Cấu trúc CMS được mã hóa theo BER (được chấp nhận)",
        C::IntegrityDigestOk => "Giá trị băm của dữ liệu được ký khớp với giá trị đã ký",
        C::IntegrityDigestMismatch => "Dữ liệu đã bị thay đổi sau khi ký (giá trị băm không khớp)",
        C::IntegrityDigestMissing => {
            "Thiếu giá trị băm (message-digest) trong các thuộc tính được ký"
        }
        C::IntegritySignatureInvalid => "Giá trị chữ ký không đúng với khóa công khai của người ký",
        C::IntegritySignatureOk => "Giá trị chữ ký đúng với khóa công khai của người ký",
        C::IntegrityAlgorithmUnsupported => {
            "Thuật toán không được hỗ trợ nên không kiểm tra được chữ ký"
        }
        C::IntegritySignerCertMissing => "Không tìm thấy chứng thư số của người ký trong chữ ký",
        C::IntegritySigningCertMismatch => {
            "Thuộc tính signing-certificate không khớp với chứng thư số của người ký"
        }
        C::IntegritySigningCertMissing => "Chữ ký PAdES thiếu thuộc tính signing-certificate-v2",
        C::IntegrityContentTypeMismatch => {
            "Thuộc tính loại nội dung (content-type) bị thiếu hoặc không khớp"
        }
        C::IntegrityNoSignedAttributes => {
            "Chữ ký không có thuộc tính được ký; chữ ký được tạo trực tiếp trên nội dung"
        }
        C::PadesSigningTimeAttribute => {
            "Chữ ký PAdES chứa thuộc tính thời điểm ký (signing-time), điều ETSI EN 319 142-1 \
             không cho phép"
        }
        C::ChainTrusted => "Chuỗi chứng thư số hợp lệ và dẫn đến chứng thư số gốc tin cậy",
        C::ChainNoTrustAnchors => {
            "Chưa cấu hình chứng thư số gốc tin cậy (--trust) nên không xác định được độ tin cậy \
             của chứng thư số"
        }
        C::ChainUntrusted => "Không xây dựng được chuỗi chứng thư số đến chứng thư số gốc tin cậy",
        C::ChainCertificateExpired => "Chứng thư số đã hết hiệu lực tại thời điểm kiểm tra",
        C::ChainCertificateNotYetValid => "Chứng thư số chưa có hiệu lực tại thời điểm kiểm tra",
        C::ChainSignatureInvalid => "Chữ ký trên chứng thư số không đúng với khóa của bên cấp",
        C::ChainIssuerNotCa => {
            "Bên cấp không phải tổ chức cung cấp dịch vụ chứng thực chữ ký số hoặc không được \
             phép cấp chứng thư số"
        }
        C::ChainSignerKeyUsage => "Mục đích sử dụng khóa của chứng thư số không cho phép ký số",
        C::ChainCertificateMalformed => "Chứng thư số bị lỗi, không đọc được",
        C::ChainPathLength => "Chuỗi chứng thư số vượt quá độ dài cho phép",
        C::ChainUnknownCriticalExtension => {
            "Chứng thư số có phần mở rộng bắt buộc (critical) mà kyso không xử lý được"
        }
        C::ChainBudgetExhausted => {
            "Việc xây dựng chuỗi chứng thư số dừng lại do vượt quá giới hạn kiểm tra"
        }
        C::ChainRevocationNotChecked => "Chưa kiểm tra tình trạng thu hồi của chứng thư số",
        C::ModificationNone => "Không có thay đổi nào sau khi ký",
        C::ModificationSignatureAdded => "Các phiên bản sau chỉ bổ sung chữ ký",
        C::ModificationDisallowed => "Tài liệu có thay đổi không được phép sau khi ký",
        C::ModificationUnanalysed => "Không phân tích được các thay đổi sau khi ký",
        C::TimeClaimedOnly => "Thời điểm ký do người ký tự khai, không có dấu thời gian chứng minh",
        C::TimeClaimedAfterValidation => {
            "Chữ ký tự khai được tạo sau thời điểm kiểm tra: kết quả là tại thời điểm trước khi \
             ký"
        }
        C::EmbeddedNotCovered => {
            "Tệp đính kèm không được chữ ký nào bảo vệ: tệp được thêm hoặc thay đổi sau khi ký"
        }
        C::EmbeddedChecksumMismatch => {
            "Tổng kiểm tra (MD5) của tệp đính kèm không khớp với giá trị khai báo"
        }
        C::EmbeddedSizeMismatch => "Kích thước tệp đính kèm không khớp với kích thước khai báo",
        C::EmbeddedUnreadable => "Không đọc được tệp đính kèm",
        C::DetachedNoContent => "Chữ ký không chứa nội dung và không có tệp nội dung đi kèm",
        C::DetachedContentMismatch => "Nội dung trong chữ ký khác với tệp đi kèm",
        C::DossierManifestMissing => "Hồ sơ không có danh mục (chưa được niêm phong)",
        C::DossierManifestMalformed => "Danh mục hồ sơ không hợp lệ",
        C::DossierManifestUnsigned => "Danh mục hồ sơ không có chữ ký",
        C::DossierManifestSignatureNotPassed => "Chữ ký của danh mục hồ sơ không hợp lệ",
        C::DossierFileMissing => "Tệp có trong danh mục nhưng không có trong hồ sơ",
        C::DossierFileAltered => "Tệp đã bị thay đổi sau khi niêm phong",
        C::DossierFileExtra => "Tệp có trong hồ sơ nhưng không có trong danh mục",
        C::DossierFileUnreadable => "Không đọc được tệp",
        C::DossierFileIntact => {
            "Tệp nguyên vẹn: kích thước và giá trị băm SHA-256 đúng như danh mục ghi"
        }
        C::DossierFileSignatureNotPassed => "Chữ ký của tệp không hợp lệ",
        C::DossierOrphanSignature => "Tệp chữ ký không có tệp được ký đi kèm",
        C::DossierPathInvalid => "Danh mục ghi một đường dẫn không an toàn",
        C::DossierBudgetExhausted => {
            "Hồ sơ vượt quá giới hạn kiểm tra; phần còn lại chưa được xem xét"
        }
        C::DossierNameConflict => {
            "Hai tệp trùng tên sau khi chuẩn hóa Unicode (NFC); không xác định được tệp nào \
             được danh mục ghi nhận"
        }
        C::DossierManifestNotCompared => {
            "Chữ ký của danh mục không hợp lệ nên các tệp không được đối chiếu với danh mục"
        }
        C::BudgetDocumentExhausted => "Tài liệu vượt quá giới hạn kiểm tra, chưa được kiểm tra hết",
        C::ChainCandidateFailed => "Một chuỗi chứng thư số được thử nhưng không hợp lệ",
        C::ChainNameConstraints => {
            "Tên trong chứng thư số vi phạm ràng buộc về tên của tổ chức cấp"
        }
        C::ChainPolicy => "Không có chính sách chứng thư hợp lệ cho chuỗi chứng thư số",
        C::ChainExtensionMalformed => {
            "Phần mở rộng của chứng thư số bị lỗi, bị lặp hoặc bị đánh dấu bắt buộc trái quy định"
        }
        C::ChainExtendedKeyUsage => {
            "Mục đích sử dụng mở rộng của chứng thư số không cho phép mục đích này"
        }
        C::ChainAnchorPurpose => "Chứng thư số gốc không được tin cậy cho mục đích này",
        C::ChainAnchorArchival => {
            "Chứng thư số gốc chỉ dùng cho chữ ký lưu trữ có dấu thời gian trước thời điểm giới hạn"
        }
        C::ChainAnchorExpired => "Chứng thư số gốc nằm ngoài thời hạn hiệu lực",
        C::ChainProfileKeyCertSignNotCa => "keyCertSign trong chứng thư số không phải CA",
        C::ChainProfileCaWithoutSki => "Chứng thư số CA thiếu định danh khóa chủ thể",
        C::ChainProfileMissingAki => "Chứng thư số thiếu định danh khóa của tổ chức cấp",
        C::ChainProfileEmptySubject => "Chủ thể rỗng mà tên thay thế không được đánh dấu bắt buộc",
        C::ChainProfileSanSyntax => "Tên DNS trong tên thay thế của chủ thể sai cú pháp",
        C::ChainProfileSerialNumber => "Số hiệu chứng thư số không đúng RFC 5280",
        C::ChainProfilePathLenNotCa => "Ràng buộc độ dài chuỗi trong chứng thư số không phải CA",
        C::ChainProfilePolicyConstraintsNotCritical => {
            "Ràng buộc chính sách không được đánh dấu bắt buộc"
        }
        C::ChainAlgorithmRefused => "Thuật toán hoặc độ dài khóa không được chấp nhận",
        C::ChainAlgorithmLegacy => {
            "Thuật toán cũ được chấp nhận vì được sử dụng trước thời hạn ngừng sử dụng"
        }
        C::RevocationGood => "Chứng thư số không bị thu hồi",
        C::RevocationRevoked => "Chứng thư số đã bị thu hồi",
        C::RevocationRevokedAfterSigning => {
            "Chứng thư số bị thu hồi sau thời điểm chữ ký đã được chứng minh là tồn tại; chữ ký \
             vẫn giữ giá trị"
        }
        C::RevocationUnknown => {
            "Không xác định được tình trạng thu hồi của chứng thư số, trong khi chính sách kiểm \
             tra yêu cầu"
        }
        C::RevocationNotAvailable => {
            "Không xác định được tình trạng thu hồi của chứng thư số (chính sách kiểm tra không \
             bắt buộc)"
        }
        C::RevocationSignerNotAuthorized => {
            "Bên ký danh sách thu hồi (CRL) hoặc phản hồi OCSP không có thẩm quyền"
        }
        C::RevocationDataUnusable => {
            "Dữ liệu thu hồi có trong tệp hoặc được cung cấp không dùng được"
        }
        C::RevocationFetchFailed => "Không tải được dữ liệu thu hồi hoặc chứng thư số của bên cấp",
        C::RevocationCrlUnusable => {
            "Danh sách thu hồi (CRL) không được sử dụng: thiếu số hiệu CRL (cRLNumber) hoặc số \
             hiệu bị đánh dấu bắt buộc, có phần mở rộng không hợp lệ, hoặc bên ký không có quyền \
             ký CRL (cRLSign)"
        }
        C::RevocationCaRevoked => "Chứng thư số của một tổ chức cấp trong chuỗi đã bị thu hồi",
        C::ModificationStructure => {
            "Cấu trúc của một phiên bản sau khi ký không nhất quán; phần mềm xem có thể hiển thị \
             khác với nội dung đã được phân tích"
        }
        C::ModificationDocMdpViolation => {
            "Thay đổi sau khi ký vượt quá quyền mà chữ ký chứng nhận (DocMDP) cho phép"
        }
        C::ModificationFieldLocked => {
            "Thay đổi sau khi ký tác động đến trường biểu mẫu đã bị chữ ký này khóa (FieldMDP)"
        }
        C::ModificationNewVisibleSignatureField => {
            "Một trường chữ ký hiển thị được thêm sau chữ ký chứng nhận; hình hiển thị của nó \
             có thể che nội dung đã được chứng nhận"
        }
        C::ModificationUnsignedVisibleSignatureField => {
            "Một trường chữ ký hiển thị chưa được ký đã được thêm sau khi ký; trang tài liệu \
             hiển thị hình của nó, phần này không do ai ký"
        }
        C::NetworkRefused => {
            "Không truy cập địa chỉ do tài liệu cung cấp (chính sách mạng không cho phép)"
        }
        C::NetworkBudgetExhausted => {
            "Đã dùng hết giới hạn truy cập mạng cho tài liệu này; trạng thái thu hồi có thể \
             chưa được kiểm tra đầy đủ"
        }
        C::ModificationPolicy => "Các thay đổi sau khi ký được đánh giá theo quyền được cấp",
        C::ModificationAllowed => "Các phiên bản sau chỉ có những thay đổi được phép",
        C::ModificationAnnotations => {
            "Chú thích được thêm, sửa hoặc xóa sau khi ký (DocMDP P3 cho phép); nội dung hiển \
             thị của chúng không được ký"
        }
        C::BudgetExceeded => {
            "Vượt quá giới hạn an toàn khi xử lý; phần kiểm tra liên quan không hoàn tất được"
        }
        C::SigCertificationNotFirst => {
            "Chữ ký chứng nhận không phải là chữ ký đầu tiên của tài liệu; quyền của nó vẫn \
             được áp dụng cho các thay đổi sau đó"
        }
        C::TspValid => "Dấu thời gian của chữ ký hợp lệ",
        C::TspMalformed => "Dấu thời gian không đúng định dạng RFC 3161",
        C::TspImprintMismatch => "Dấu thời gian không khớp với giá trị chữ ký",
        C::TspSignatureInvalid => "Chữ ký của đơn vị cấp dấu thời gian không đúng",
        C::TspCertificateUnusable => {
            "Chứng thư số của đơn vị cấp dấu thời gian bị thiếu hoặc không dùng để cấp dấu thời \
             gian"
        }
        C::TspUntrusted => "Đơn vị cấp dấu thời gian không được tin cậy",
        C::TspAlgorithmUnsupported => "Dấu thời gian dùng thuật toán không được hỗ trợ",
        C::TspBeforeClaimedTime => {
            "Thời điểm ký do người ký khai muộn hơn thời điểm mà dấu thời gian chứng minh"
        }
        C::TimeProvenBySignatureTimestamp => {
            "Thời điểm tồn tại của chữ ký được chứng minh bằng dấu thời gian của chữ ký"
        }
        C::TimeProvenByDocumentTimestamp => {
            "Thời điểm tồn tại của chữ ký được chứng minh bằng một dấu thời gian tài liệu sau đó"
        }
        C::TimePathAtProvenTime => {
            "Chuỗi chứng thư số được kiểm tra tại thời điểm đã được chứng minh, vì chứng thư số \
             đã hết hiệu lực trước thời điểm kiểm tra"
        }
        C::PadesLevel => "Mức PAdES đạt được",
        C::CmsEmptyEncapsulatedContent => {
            "Chữ ký chứa một nội dung đóng gói rỗng; chữ ký đã được kiểm tra như chữ ký tách \
             rời trên vùng dữ liệu được ký"
        }
        C::IntegrityAlgorithmRefused => {
            "Thuật toán hoặc độ dài khóa của chữ ký không còn được chấp nhận tại thời điểm \
             đánh giá (chính sách thuật toán)"
        }
        C::IntegrityAlgorithmLegacy => {
            "Thuật toán cũ được chấp nhận vì chữ ký được lập trước thời hạn ngừng sử dụng \
             thuật toán đó"
        }
        C::DocDamaged => {
            "Tệp bị hỏng; cấu trúc của tệp đã được dựng lại bằng cách quét toàn bộ tệp, các \
             thay đổi sau khi ký không thể được xác nhận là hợp lệ"
        }
        C::TspAuthorityExpired => {
            "Chứng thư số của đơn vị cấp dấu thời gian mới nhất đã hết hạn và không có dấu thời \
             gian nào sau đó bảo vệ chữ ký: hồ sơ lưu trữ đã không được gia hạn kịp thời"
        }
        C::TspRenewedTooLate => {
            "Chứng thư số của đơn vị cấp dấu thời gian đã hết hạn trước khi một dấu thời gian sau \
             bảo vệ nó: hồ sơ lưu trữ được gia hạn quá muộn"
        }
        C::TspAuthorityStatusFromEmbeddedData => {
            "Tình trạng hiện tại của đơn vị cấp dấu thời gian mới nhất được lấy từ dữ liệu có sẵn \
             trong tệp (theo chính sách kiểm tra)"
        }
        C::ArchiveProvableUntil => "Thời hạn chữ ký còn chứng minh được",
        C::TspContentValid => {
            "Dấu thời gian nội dung cho thấy chữ ký được tạo sau thời điểm của nó"
        }
        C::RevocationRevokedBeforeContentTimestamp => {
            "Chứng thư số của người ký đã bị thu hồi trước thời điểm của dấu thời gian nội dung: \
             chữ ký được tạo sau khi chứng thư số bị thu hồi"
        }
        C::TspContentNotValid => "Dấu thời gian nội dung không hợp lệ và không chứng minh được gì",
        C::TspContentAfterProof => {
            "Dấu thời gian nội dung muộn hơn bằng chứng chữ ký đã tồn tại: các dấu thời gian \
             mâu thuẫn nhau"
        }
        C::VisualExplained => {
            "Các trang hiển thị như lúc ký, trừ những chỗ có thay đổi hợp lệ về sau"
        }
        C::VisualUnexplained => {
            "Một phần của trang hiển thị khác so với lúc ký mà không có thay đổi hợp lệ nào \
             giải thích"
        }
        C::VisualContentChanged => {
            "Nội dung trang đã ký nay hiển thị khác đi mà không có thay đổi hợp lệ nào giải thích"
        }
        C::VisualOverlap => "Hình thể hiện được thêm về sau che lên nội dung của trang đã ký",
        C::VisualSkipped => "Chưa so sánh hình ảnh các trang với phiên bản đã ký",
        C::VisualNotComparable => {
            "Một phần trang thay đổi sau khi ký mà kyso không vẽ được, nên chưa so sánh được \
             nội dung hiển thị ở đó"
        }
        C::VisualViewerRebuilds => {
            "Trường được điền sau khi ký do từng phần mềm xem tự vẽ từ giá trị; xem giá trị các \
             trường"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Letters only Vietnamese uses (or that it uses with these marks): a sentence with none
    /// of them is not Vietnamese.
    fn looks_vietnamese(s: &str) -> bool {
        s.chars().any(|c| {
            "ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
                .contains(c.to_lowercase().next().unwrap_or(c))
        })
    }

    #[test]
    fn every_code_has_a_vietnamese_and_an_english_sentence() {
        let mut seen = std::collections::HashMap::new();
        for &code in Code::ALL {
            let vi = code_text(code, Lang::Vi);
            let en = code_text(code, Lang::En);
            assert!(!vi.trim().is_empty() && !en.trim().is_empty(), "{code:?}");
            assert_ne!(vi, en, "{code:?}");
            assert!(looks_vietnamese(vi), "{code:?}: {vi}");
            assert!(!looks_vietnamese(en), "{code:?}: {en}");
            // Precomposed (NFC) letters: no combining diacritics in kyso's own text.
            assert!(
                !vi.chars().any(|c| ('\u{300}'..='\u{36f}').contains(&c)),
                "{code:?}: decomposed text"
            );
            assert!(!vi.ends_with('.') && !en.ends_with('.'), "{code:?}");
            // Two codes may not read the same: the reader could not tell them apart.
            if let Some(other) = seen.insert(vi, code) {
                panic!("{code:?} and {other:?} have the same Vietnamese sentence");
            }
        }
    }

    const ALL_LABELS: &[DetailLabel] = {
        use DetailLabel as L;
        &[
            L::File,
            L::Field,
            L::Object,
            L::Key,
            L::Certificate,
            L::Issuer,
            L::Anchor,
            L::Authority,
            L::Name,
            L::Bytes,
            L::Size,
            L::Appended,
            L::Declared,
            L::Found,
            L::Limit,
            L::Count,
            L::Algorithm,
            L::Extension,
            L::Revision,
            L::Time,
            L::NotAfter,
            L::NotBefore,
            L::RevokedAt,
            L::RevocationReason,
            L::Source,
            L::Serial,
            L::Policy,
            L::Usage,
            L::Purpose,
            L::Level,
            L::Indication,
            L::Page,
            L::Region,
            L::Pixels,
            L::Technical,
        ]
    };

    #[test]
    fn every_label_has_both_languages() {
        for l in ALL_LABELS {
            assert_ne!(l.text(Lang::En), l.text(Lang::Vi), "{l:?}");
        }
    }

    #[test]
    fn vietnamese_findings_keep_their_details_escaped() {
        use crate::report::text::is_escaped;
        use crate::report::Finding;
        let hostile = "a\u{1b}[2K\nb\u{202e}c\u{9b}";
        let mut f = Finding::new(Code::RevocationRevoked, format!("{hostile} was revoked"))
            .remark("một ghi chú");
        for l in ALL_LABELS {
            f = f.detail(*l, hostile);
        }
        let vi = f.text(Lang::Vi);
        assert!(vi.starts_with("revocation.revoked: Chứng thư số đã bị thu hồi; một ghi chú — "));
        for l in ALL_LABELS {
            assert!(
                vi.contains(&format!(
                    "{}: a\\x1b[2K\\nb\\u{{202e}}c\\u{{9b}}",
                    l.text(Lang::Vi)
                )),
                "{l:?}: {vi}"
            );
        }
        assert!(!vi.chars().any(is_escaped), "{vi}");
        // English: the message, escaped.
        let en = f.text(Lang::En);
        assert_eq!(
            en,
            "revocation.revoked: a\\x1b[2K\\nb\\u{202e}c\\u{9b} was revoked"
        );
        // Without details (a finding read from JSON): the sentence, then the English message.
        let plain = Finding::new(Code::DocNoSignatures, hostile);
        let vi = plain.text(Lang::Vi);
        assert!(
            vi.starts_with("document.no_signatures: Tài liệu không có chữ ký số nào ("),
            "{vi}"
        );
        assert!(vi.contains("a\\x1b[2K"), "{vi}");
        assert!(!vi.chars().any(is_escaped), "{vi}");
        // Marked plain: the sentence alone.
        let plain = Finding::new(Code::DocNoSignatures, "the document holds no signature").plain();
        assert_eq!(
            plain.text(Lang::Vi),
            "document.no_signatures: Tài liệu không có chữ ký số nào"
        );
    }
}
