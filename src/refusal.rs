//! Why kyso refuses to change a document: the reasons a caller can match on
//! ([`Refusal`], carried by [`crate::Error::Refused`]), each with the message a clerk can act
//! on — in English by `Display`, in Vietnamese by [`Refusal::text`]. Nothing was written
//! when kyso refuses.

use std::path::PathBuf;

use crate::report::Lang;

/// What kyso was asked to do to a document, named in a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Operation {
    /// Signing, or adding a document timestamp.
    Sign,
    /// Adding empty signature fields.
    AddFields,
    /// Attaching files.
    Attach,
    /// Adding validation data (`/DSS`).
    AddValidationData,
    /// Filling a form.
    FillForm,
    /// Flattening a form.
    FlattenForm,
}

impl Operation {
    /// The operation as a verb phrase in `lang` ("signing", "ký").
    pub fn text(self, lang: Lang) -> &'static str {
        match self {
            Operation::Sign => lang.pick("signing", "ký"),
            Operation::AddFields => lang.pick("adding fields", "thêm ô chữ ký"),
            Operation::Attach => lang.pick("attaching files", "đính kèm tệp"),
            Operation::AddValidationData => {
                lang.pick("adding validation data", "thêm dữ liệu xác thực")
            }
            Operation::FillForm => lang.pick("filling a form", "điền biểu mẫu"),
            Operation::FlattenForm => lang.pick("flattening a form", "làm phẳng biểu mẫu"),
        }
    }
}

impl std::fmt::Display for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text(Lang::En))
    }
}

/// The kind of PDF object an entry should have been.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Expected {
    /// A dictionary.
    Dictionary,
    /// An array.
    Array,
}

impl Expected {
    fn text(self, lang: Lang) -> &'static str {
        match self {
            Expected::Dictionary => lang.pick("a dictionary", "một từ điển (dictionary)"),
            Expected::Array => lang.pick("an array", "một mảng (array)"),
        }
    }
}

/// A check of a CMS signature made elsewhere, before kyso embeds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CmsCheck {
    /// Finding the signer's certificate.
    SignerCertificate,
    /// The message-digest attribute against the document.
    MessageDigest,
    /// The signature value.
    Signature,
}

impl CmsCheck {
    fn text(self, lang: Lang) -> &'static str {
        match self {
            CmsCheck::SignerCertificate => lang.pick("signer certificate", "chứng thư người ký"),
            CmsCheck::MessageDigest => lang.pick("message digest", "giá trị băm của tài liệu"),
            CmsCheck::Signature => lang.pick("signature", "chữ ký"),
        }
    }
}

/// Why kyso refused to change a document (or to take a signature for it). Nothing was
/// written.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    // The preflight of every update (crate::pdf::update).
    /// The file has no cross-reference section (ISO 32000-2 §7.5.4).
    NoCrossReference,
    /// The document is encrypted (§7.6); kyso reads it but does not write encrypted updates.
    Encrypted {
        /// What was asked.
        operation: Operation,
    },
    /// The encrypted document's permissions (`/P`, ISO 32000-2 §7.6.4.2 Table 22) do not
    /// allow the change to who opened it with the user password (the owner password allows
    /// every change).
    PermissionDenied {
        /// What was asked.
        operation: Operation,
        /// The permission missing ("modify", "annotate or fill forms").
        permission: &'static str,
    },
    /// `startxref` does not point at the last cross-reference section (§7.5.5); an update
    /// would build on a wrong `/Prev`.
    BrokenCrossReference {
        /// What was asked.
        operation: Operation,
        /// The value the file's `startxref` declares; `None` when there is none.
        startxref: Option<u64>,
        /// Where the last section was found; `None` when no section could be read (the
        /// object map was reconstructed by scanning).
        section_at: Option<u64>,
    },
    /// The cross-reference sections were read, but some of their entries point at another
    /// object or at none (ISO 32000-2 §7.5.4) and were corrected by scanning: an update would
    /// build on entries that other readers do not share.
    DamagedFile {
        /// What was asked.
        operation: Operation,
    },
    /// The trailer has no `/Root` reference (§7.5.5).
    NoCatalog,
    /// An entry the update must extend is not of the kind ISO 32000-2 requires.
    Malformed {
        /// The entry, as the message names it ("/AcroForm", "the page's /Annots").
        entry: &'static str,
        /// What it should have been.
        expected: Expected,
    },
    /// The document has no interactive form (`/AcroForm`).
    NoForm,

    // Signatures and signature fields.
    /// The document is certified with DocMDP `level` (1: no change allowed, not even a
    /// signature; ISO 32000-2 §12.8.2.2).
    DocMdpForbids {
        /// The `/P` of the certification.
        level: u8,
    },
    /// The field is locked by an earlier signature's FieldMDP (§12.8.2.4).
    FieldLocked {
        /// The field to sign.
        field: String,
        /// The field of the signature that locks it.
        holder: String,
        /// What that signature locks, as described for the report.
        lock: String,
    },
    /// A certification is asked for, and the document already has one.
    AlreadyCertified,
    /// A certification is asked for, and the document is already signed.
    CertificationNotFirst,
    /// The named field exists and is already signed.
    AlreadySigned {
        /// The field.
        field: String,
    },
    /// The named field exists and is not a signature field.
    NotASignatureField {
        /// The field.
        name: String,
    },
    /// The named field is a direct object and cannot be rewritten by an update.
    FieldNotIndirect {
        /// The field.
        name: String,
    },
    /// A field name is empty or contains a period (§12.7.4.2).
    InvalidFieldName {
        /// The name.
        name: String,
    },
    /// A field of that name already exists.
    FieldExists {
        /// The name.
        name: String,
    },
    /// A field's rectangle has a non-finite number, or no positive width and height.
    BadFieldRectangle {
        /// The field.
        name: String,
    },
    /// The number of fields to add is 0 or above the limit.
    FieldCount {
        /// The most fields one call adds.
        max: usize,
    },
    /// The page does not exist.
    NoSuchPage {
        /// The page asked for (1-based).
        page: usize,
        /// The document's pages.
        pages: usize,
    },
    /// The signature does not fit the `/Contents` placeholder reserved for it.
    PlaceholderTooSmall {
        /// The signature's size in bytes.
        needed: usize,
        /// The room reserved, in bytes.
        available: usize,
    },
    /// The adbe-revocationInfoArchival attribute was asked for a PAdES signature.
    ArchivalAttributeNeedsPkcs7,
    /// The signer's certificate (or a CA certificate of its path) is revoked, according to
    /// the revocation data at hand when signing (given, signed into the signature or
    /// fetched): a signature made with it would never verify.
    SignerRevoked {
        /// The revoked certificate.
        subject: String,
        /// When it was revoked (RFC 3339).
        revoked_at: String,
        /// The reason given, in words.
        reason: String,
        /// Which data says so.
        source: String,
    },
    /// The revocation data at hand when signing speaks about the signer's certificate (or a
    /// CA certificate of its path) and does not establish its status: an OCSP responder
    /// answered "unknown", or the data given does not cover it.
    SignerStatusUnknown {
        /// The certificate.
        subject: String,
        /// Why the data at hand does not establish its status.
        why: String,
    },
    /// The room asked for a timestamp token overflows.
    TokenReserveTooLarge,
    /// The room asked for a CMS signature overflows.
    CmsReserveTooLarge,
    /// The update is larger than memory can address.
    UpdateTooLarge,

    // Batches.
    /// More PDF files in the directory than one batch signs.
    TooManyFilesInDirectory {
        /// The limit.
        max: usize,
    },
    /// More documents than one batch signs.
    TooManyDocuments {
        /// The limit.
        max: usize,
    },
    /// An input path has no file name.
    NotAFileName,
    /// Two inputs have the same file name; their outputs would collide.
    DuplicateOutputName {
        /// The file name.
        name: String,
        /// The output directory.
        output_dir: PathBuf,
    },

    // Two-phase signing (sign::two_phase).
    /// The input is not the file that was prepared (length or SHA-256 differ).
    InputChanged,
    /// The document digest recomputed at finish differs from the prepared one.
    DocumentDigestMismatch,
    /// A CMS made elsewhere has not exactly one signer.
    CmsSignerCount {
        /// Its signers.
        count: usize,
    },
    /// A CMS made elsewhere encapsulates its content.
    CmsNotDetached,
    /// A CMS made elsewhere uses a digest algorithm kyso does not support.
    CmsDigestUnsupported {
        /// The algorithm's name or OID.
        algorithm: String,
    },
    /// A CMS made elsewhere has no signed attributes.
    CmsWithoutSignedAttributes,
    /// A CMS made elsewhere fails a check.
    CmsCheckFailed {
        /// The check.
        check: CmsCheck,
        /// Its outcome.
        outcome: String,
    },
    /// The prepared state asks for a signature timestamp and none can be added (no
    /// authority given).
    TimestampExpected,
    /// A signature timestamp is asked for and the prepared state reserved no room.
    NoTimestampRoom,
    /// The prepared state asks for a signature timestamp and the CMS has none.
    CmsLacksTimestamp,
    /// The text is not a prepared-signature state.
    StateUnreadable {
        /// The reader's reason.
        reason: String,
    },
    /// The prepared state is of another format or version.
    StateVersion {
        /// Its format.
        format: String,
        /// Its version.
        version: u32,
        /// The format this build reads.
        expected_format: &'static str,
        /// The version this build reads.
        expected_version: u32,
    },
    /// The prepared state contradicts itself (damaged or tampered with).
    StateInconsistent {
        /// What disagrees.
        what: &'static str,
    },
    /// A hex-encoded part of the prepared state is not valid hex.
    StateBadHex {
        /// The part ("update", "certificate", "chain certificate").
        field: &'static str,
    },
}

impl Refusal {
    /// The message in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let vi = lang == Lang::Vi;
        let en_vi = |en: String, vi_text: String| if vi { vi_text } else { en };
        match self {
            Refusal::NoCrossReference => en_vi(
                "the file has no cross-reference section".into(),
                "tệp không có bảng tham chiếu chéo (cross-reference)".into(),
            ),
            Refusal::PermissionDenied {
                operation,
                permission,
            } => en_vi(
                format!(
                    "the document is encrypted and its permissions (/P) do not allow \
                     {operation} (missing: {permission}); give the owner password with \
                     --password-file or --password-env"
                ),
                format!(
                    "tài liệu được mã hóa và quyền của tài liệu (/P) không cho phép {} \
                     (thiếu quyền: {permission}); hãy cung cấp mật khẩu chủ sở hữu bằng \
                     --password-file hoặc --password-env",
                    operation.text(Lang::Vi)
                ),
            ),
            Refusal::Encrypted { operation } => en_vi(
                format!(
                    "the document is encrypted; {operation} is not supported for encrypted \
                     documents"
                ),
                format!(
                    "tài liệu được mã hóa; kyso không hỗ trợ {} trên tài liệu mã hóa",
                    operation.text(Lang::Vi)
                ),
            ),
            Refusal::BrokenCrossReference {
                operation,
                startxref,
                section_at,
            } => {
                let (en, vi) = match (startxref, section_at) {
                    (Some(s), Some(at)) => (
                        format!("startxref points to {s}, the section is at {at}"),
                        format!("startxref trỏ tới {s}, bảng nằm ở {at}"),
                    ),
                    (None, Some(at)) => (
                        format!("no startxref gives the offset of the section at {at}"),
                        format!("không có startxref trỏ tới bảng ở {at}"),
                    ),
                    (Some(s), None) => (
                        format!(
                            "startxref points to {s}, where no cross-reference section can be \
                             read"
                        ),
                        format!("startxref trỏ tới {s}, nơi không đọc được bảng tham chiếu chéo"),
                    ),
                    (None, None) => (
                        "there is neither a startxref nor a readable cross-reference section"
                            .to_string(),
                        "không có startxref cũng không đọc được bảng tham chiếu chéo".to_string(),
                    ),
                };
                en_vi(
                    format!(
                        "the cross-reference offset is wrong ({en}); repair the file (for \
                         example with qpdf) before {operation}"
                    ),
                    format!(
                        "vị trí bảng tham chiếu chéo bị sai ({vi}); hãy sửa tệp (ví dụ bằng \
                         qpdf) trước khi {}",
                        operation.text(Lang::Vi)
                    ),
                )
            }
            Refusal::DamagedFile { operation } => en_vi(
                format!(
                    "the file is damaged: some cross-reference entries point at the wrong \
                     object or at none; repair the file (for example with qpdf) before \
                     {operation}"
                ),
                format!(
                    "tệp bị hỏng: một số mục của bảng tham chiếu chéo trỏ sai đối tượng hoặc \
                     không trỏ tới đối tượng nào; hãy sửa tệp (ví dụ bằng qpdf) trước khi {}",
                    operation.text(Lang::Vi)
                ),
            ),
            Refusal::NoCatalog => en_vi(
                "the trailer has no /Root reference".into(),
                "phần trailer không có tham chiếu /Root (tài liệu không có danh mục gốc)".into(),
            ),
            Refusal::Malformed { entry, expected } => en_vi(
                format!("{entry} is not {}", expected.text(Lang::En)),
                format!(
                    "{entry} không phải là {} như chuẩn PDF yêu cầu",
                    expected.text(Lang::Vi)
                ),
            ),
            Refusal::NoForm => en_vi(
                "the document has no /AcroForm".into(),
                "tài liệu không có biểu mẫu (/AcroForm)".into(),
            ),
            Refusal::DocMdpForbids { level } => en_vi(
                format!(
                    "the document is certified with DocMDP P={level}: no change, not even a \
                     signature, is allowed"
                ),
                format!(
                    "tài liệu đã được chứng nhận với DocMDP P={level}: không được phép thay đổi \
                     gì, kể cả thêm chữ ký"
                ),
            ),
            Refusal::FieldLocked {
                field,
                holder,
                lock,
            } => en_vi(
                format!(
                    "field \"{field}\" is locked by the signature in field \"{holder}\" \
                     ({lock}); signing it would invalidate that signature"
                ),
                format!(
                    "ô \"{field}\" đã bị khóa bởi chữ ký trong ô \"{holder}\" ({lock}); ký vào ô \
                     này sẽ làm chữ ký đó mất hiệu lực"
                ),
            ),
            Refusal::AlreadyCertified => en_vi(
                "the document already has a certification signature; there can be only one".into(),
                "tài liệu đã có chữ ký chứng nhận; mỗi tài liệu chỉ có một".into(),
            ),
            Refusal::CertificationNotFirst => en_vi(
                "a certification signature must be the document's first signature, and this \
                 document is already signed"
                    .into(),
                "chữ ký chứng nhận phải là chữ ký đầu tiên của tài liệu, mà tài liệu này đã \
                 được ký"
                    .into(),
            ),
            Refusal::AlreadySigned { field } => en_vi(
                format!("field \"{field}\" is already signed"),
                format!("ô \"{field}\" đã được ký"),
            ),
            Refusal::NotASignatureField { name } => en_vi(
                format!("field \"{name}\" exists and is not a signature field"),
                format!("ô \"{name}\" đã có và không phải là ô chữ ký"),
            ),
            Refusal::FieldNotIndirect { name } => en_vi(
                format!("field \"{name}\" is not an indirect object and cannot be updated"),
                format!("ô \"{name}\" không phải là đối tượng gián tiếp nên không cập nhật được"),
            ),
            Refusal::InvalidFieldName { name } => en_vi(
                format!("\"{name}\" is not a valid field name (empty, or contains a period)"),
                format!("\"{name}\" không phải là tên ô hợp lệ (để trống, hoặc có dấu chấm)"),
            ),
            Refusal::FieldExists { name } => en_vi(
                format!("a field named \"{name}\" already exists"),
                format!("đã có ô tên \"{name}\""),
            ),
            Refusal::BadFieldRectangle { name } => en_vi(
                format!(
                    "field \"{name}\": the rectangle needs finite numbers and a positive width \
                     and height"
                ),
                format!(
                    "ô \"{name}\": khung cần các số hữu hạn, chiều rộng và chiều cao lớn hơn 0"
                ),
            ),
            Refusal::FieldCount { max } => en_vi(
                format!("give between 1 and {max} fields"),
                format!("hãy cho từ 1 đến {max} ô"),
            ),
            Refusal::NoSuchPage { page, pages } => en_vi(
                format!("page {page} does not exist; the document has {pages} page(s)"),
                format!("không có trang {page}; tài liệu có {pages} trang"),
            ),
            Refusal::PlaceholderTooSmall { needed, available } => en_vi(
                format!(
                    "the signature ({needed} bytes) is larger than the room reserved for it \
                     ({available} bytes)"
                ),
                format!("chữ ký ({needed} byte) lớn hơn chỗ đã dành cho nó ({available} byte)"),
            ),
            Refusal::SignerRevoked {
                subject,
                revoked_at,
                reason,
                source,
            } => en_vi(
                format!(
                    "the certificate \"{subject}\" was revoked on {revoked_at} ({reason}), \
                     according to {source}: a signature made with it would never verify; nothing \
                     was signed. Sign with a valid certificate (ask your CA)"
                ),
                format!(
                    "chứng thư số \"{subject}\" đã bị thu hồi từ {revoked_at} (lý do: {reason}), \
                     theo {source}: chữ ký tạo bằng chứng thư số này sẽ không bao giờ hợp lệ; \
                     chưa ký gì cả. Hãy ký bằng chứng thư số còn hiệu lực (liên hệ tổ chức cấp)"
                ),
            ),
            Refusal::SignerStatusUnknown { subject, why } => en_vi(
                format!(
                    "the revocation status of the certificate \"{subject}\" is unknown: {why}; \
                     nothing was signed. Ask your CA whether the certificate is valid, or give \
                     the CA's current revocation data (--ocsp, --crl, --online)"
                ),
                format!(
                    "không xác định được tình trạng thu hồi của chứng thư số \"{subject}\" \
                     (chi tiết kỹ thuật: {why}); chưa ký gì cả. Hãy hỏi tổ chức cấp xem chứng \
                     thư số còn hiệu lực không, hoặc cung cấp dữ liệu thu hồi mới nhất của tổ \
                     chức cấp (--ocsp, --crl, --online)"
                ),
            ),
            Refusal::ArchivalAttributeNeedsPkcs7 => en_vi(
                "the adbe-revocationInfoArchival attribute is for adbe.pkcs7.detached \
                 signatures; PAdES keeps validation data in the /DSS (kyso ltv)"
                    .into(),
                "thuộc tính adbe-revocationInfoArchival chỉ dành cho chữ ký \
                 adbe.pkcs7.detached; PAdES lưu dữ liệu xác thực trong /DSS (kyso ltv)"
                    .into(),
            ),
            Refusal::TokenReserveTooLarge => en_vi(
                "the token reserve is too large".into(),
                "chỗ dành cho dấu thời gian quá lớn".into(),
            ),
            Refusal::CmsReserveTooLarge => en_vi(
                "the CMS reserve is too large".into(),
                "chỗ dành cho chữ ký CMS quá lớn".into(),
            ),
            Refusal::UpdateTooLarge => {
                en_vi("update too large".into(), "phần cập nhật quá lớn".into())
            }
            Refusal::TooManyFilesInDirectory { max } => en_vi(
                format!("more than {max} PDF files in the directory"),
                format!("thư mục có hơn {max} tệp PDF"),
            ),
            Refusal::TooManyDocuments { max } => en_vi(
                format!("more than {max} documents in one batch"),
                format!("một lô có hơn {max} tài liệu"),
            ),
            Refusal::NotAFileName => {
                en_vi("not a file name".into(), "không phải là tên tệp".into())
            }
            Refusal::DuplicateOutputName { name, output_dir } => en_vi(
                format!(
                    "two inputs are named {name}; their signed copies would overwrite each \
                     other in {}",
                    output_dir.display()
                ),
                format!(
                    "hai tệp đầu vào cùng tên {name}; bản đã ký của chúng sẽ ghi đè nhau trong {}",
                    output_dir.display()
                ),
            ),
            Refusal::InputChanged => en_vi(
                "the input is not the file that was prepared (its length or SHA-256 differs)"
                    .into(),
                "tệp đầu vào không phải là tệp đã chuẩn bị (độ dài hoặc SHA-256 khác)".into(),
            ),
            Refusal::DocumentDigestMismatch => en_vi(
                "the document digest recomputed from the input and the update differs from the \
                 prepared one"
                    .into(),
                "giá trị băm tính lại từ tệp đầu vào và phần cập nhật khác với giá trị đã chuẩn \
                 bị"
                .into(),
            ),
            Refusal::CmsSignerCount { count } => en_vi(
                format!("the CMS has {count} signers; a PDF signature has exactly one"),
                format!("CMS có {count} người ký; chữ ký PDF phải có đúng một"),
            ),
            Refusal::CmsNotDetached => en_vi(
                "the CMS encapsulates its content; a PDF signature must be detached".into(),
                "CMS chứa cả nội dung; chữ ký PDF phải là chữ ký tách rời".into(),
            ),
            Refusal::CmsDigestUnsupported { algorithm } => en_vi(
                format!(
                    "the CMS uses the digest algorithm {algorithm}, which kyso does not support"
                ),
                format!("CMS dùng thuật toán băm {algorithm}, kyso không hỗ trợ"),
            ),
            Refusal::CmsWithoutSignedAttributes => en_vi(
                "the CMS has no signed attributes; kyso embeds only CMS signatures over signed \
                 attributes"
                    .into(),
                "CMS không có thuộc tính được ký; kyso chỉ nhúng chữ ký CMS trên thuộc tính \
                 được ký"
                    .into(),
            ),
            Refusal::CmsCheckFailed { check, outcome } => en_vi(
                format!(
                    "the CMS fails the {} check: {outcome}",
                    check.text(Lang::En)
                ),
                format!(
                    "CMS không qua bước kiểm tra {}: {outcome}",
                    check.text(Lang::Vi)
                ),
            ),
            Refusal::TimestampExpected => en_vi(
                "the prepared state asks for a signature timestamp (B-T): finish with a \
                 timestamp authority"
                    .into(),
                "trạng thái đã chuẩn bị yêu cầu dấu thời gian cho chữ ký (B-T): hãy hoàn tất \
                 với một máy chủ cấp dấu thời gian"
                    .into(),
            ),
            Refusal::NoTimestampRoom => en_vi(
                "the prepared state reserved no room for a signature timestamp; prepare again \
                 with a timestamp authority (B-T)"
                    .into(),
                "trạng thái đã chuẩn bị không dành chỗ cho dấu thời gian; hãy chuẩn bị lại với \
                 một máy chủ cấp dấu thời gian (B-T)"
                    .into(),
            ),
            Refusal::CmsLacksTimestamp => en_vi(
                "the prepared state asks for a signature timestamp (B-T) but the CMS has none"
                    .into(),
                "trạng thái đã chuẩn bị yêu cầu dấu thời gian (B-T) nhưng CMS không có".into(),
            ),
            Refusal::StateUnreadable { reason } => en_vi(
                format!("not a prepared-signature state: {reason}"),
                format!("không phải là trạng thái chữ ký đã chuẩn bị: {reason}"),
            ),
            Refusal::StateVersion {
                format,
                version,
                expected_format,
                expected_version,
            } => en_vi(
                format!(
                    "prepared-signature state {format} version {version} is not \
                     {expected_format} version {expected_version}"
                ),
                format!(
                    "trạng thái chữ ký {format} phiên bản {version} không phải là \
                     {expected_format} phiên bản {expected_version}"
                ),
            ),
            Refusal::StateInconsistent { what } => en_vi(
                format!("the prepared state is inconsistent: {what}"),
                format!("trạng thái đã chuẩn bị không nhất quán (bị hỏng hoặc bị sửa): {what}"),
            ),
            Refusal::StateBadHex { field } => en_vi(
                format!("the prepared state is inconsistent: {field}: invalid hex"),
                format!(
                    "trạng thái đã chuẩn bị không nhất quán (bị hỏng hoặc bị sửa): {field} không \
                     phải là chuỗi hex hợp lệ"
                ),
            ),
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

impl std::error::Error for Refusal {}

#[cfg(test)]
mod tests {
    use super::*;

    /// One value of every variant (a new variant fails to compile in `every_variant_is_here`
    /// until it is listed).
    fn samples() -> Vec<Refusal> {
        let s = || "Ô1".to_string();
        vec![
            Refusal::NoCrossReference,
            Refusal::Encrypted {
                operation: Operation::Attach,
            },
            Refusal::PermissionDenied {
                operation: Operation::Sign,
                permission: "annotate",
            },
            Refusal::BrokenCrossReference {
                operation: Operation::FillForm,
                startxref: Some(10),
                section_at: Some(13),
            },
            Refusal::BrokenCrossReference {
                operation: Operation::Sign,
                startxref: Some(10),
                section_at: None,
            },
            Refusal::DamagedFile {
                operation: Operation::Attach,
            },
            Refusal::NoCatalog,
            Refusal::Malformed {
                entry: "/AcroForm",
                expected: Expected::Dictionary,
            },
            Refusal::NoForm,
            Refusal::DocMdpForbids { level: 1 },
            Refusal::FieldLocked {
                field: s(),
                holder: s(),
                lock: "all fields locked".into(),
            },
            Refusal::AlreadyCertified,
            Refusal::CertificationNotFirst,
            Refusal::AlreadySigned { field: s() },
            Refusal::NotASignatureField { name: s() },
            Refusal::FieldNotIndirect { name: s() },
            Refusal::InvalidFieldName { name: s() },
            Refusal::FieldExists { name: s() },
            Refusal::BadFieldRectangle { name: s() },
            Refusal::FieldCount { max: 1000 },
            Refusal::NoSuchPage { page: 2, pages: 1 },
            Refusal::PlaceholderTooSmall {
                needed: 9000,
                available: 8000,
            },
            Refusal::ArchivalAttributeNeedsPkcs7,
            Refusal::SignerRevoked {
                subject: s(),
                revoked_at: s(),
                reason: s(),
                source: s(),
            },
            Refusal::SignerStatusUnknown {
                subject: s(),
                why: s(),
            },
            Refusal::TokenReserveTooLarge,
            Refusal::CmsReserveTooLarge,
            Refusal::UpdateTooLarge,
            Refusal::TooManyFilesInDirectory { max: 10 },
            Refusal::TooManyDocuments { max: 10 },
            Refusal::NotAFileName,
            Refusal::DuplicateOutputName {
                name: "a.pdf".into(),
                output_dir: PathBuf::from("ra"),
            },
            Refusal::InputChanged,
            Refusal::DocumentDigestMismatch,
            Refusal::CmsSignerCount { count: 2 },
            Refusal::CmsNotDetached,
            Refusal::CmsDigestUnsupported {
                algorithm: "MD5".into(),
            },
            Refusal::CmsWithoutSignedAttributes,
            Refusal::CmsCheckFailed {
                check: CmsCheck::MessageDigest,
                outcome: "Mismatch".into(),
            },
            Refusal::TimestampExpected,
            Refusal::NoTimestampRoom,
            Refusal::CmsLacksTimestamp,
            Refusal::StateUnreadable {
                reason: "EOF".into(),
            },
            Refusal::StateVersion {
                format: "x".into(),
                version: 9,
                expected_format: "kyso-prepared-signature",
                expected_version: 1,
            },
            Refusal::StateInconsistent {
                what: "unknown /SubFilter",
            },
            Refusal::StateBadHex { field: "update" },
        ]
    }

    #[test]
    fn every_variant_is_here() {
        for r in samples() {
            // Exhaustive: a new variant must be added to `samples`.
            match r {
                Refusal::NoCrossReference
                | Refusal::Encrypted { .. }
                | Refusal::PermissionDenied { .. }
                | Refusal::BrokenCrossReference { .. }
                | Refusal::DamagedFile { .. }
                | Refusal::NoCatalog
                | Refusal::Malformed { .. }
                | Refusal::NoForm
                | Refusal::DocMdpForbids { .. }
                | Refusal::FieldLocked { .. }
                | Refusal::AlreadyCertified
                | Refusal::CertificationNotFirst
                | Refusal::AlreadySigned { .. }
                | Refusal::NotASignatureField { .. }
                | Refusal::FieldNotIndirect { .. }
                | Refusal::InvalidFieldName { .. }
                | Refusal::FieldExists { .. }
                | Refusal::BadFieldRectangle { .. }
                | Refusal::FieldCount { .. }
                | Refusal::NoSuchPage { .. }
                | Refusal::PlaceholderTooSmall { .. }
                | Refusal::ArchivalAttributeNeedsPkcs7
                | Refusal::SignerRevoked { .. }
                | Refusal::SignerStatusUnknown { .. }
                | Refusal::TokenReserveTooLarge
                | Refusal::CmsReserveTooLarge
                | Refusal::UpdateTooLarge
                | Refusal::TooManyFilesInDirectory { .. }
                | Refusal::TooManyDocuments { .. }
                | Refusal::NotAFileName
                | Refusal::DuplicateOutputName { .. }
                | Refusal::InputChanged
                | Refusal::DocumentDigestMismatch
                | Refusal::CmsSignerCount { .. }
                | Refusal::CmsNotDetached
                | Refusal::CmsDigestUnsupported { .. }
                | Refusal::CmsWithoutSignedAttributes
                | Refusal::CmsCheckFailed { .. }
                | Refusal::TimestampExpected
                | Refusal::NoTimestampRoom
                | Refusal::CmsLacksTimestamp
                | Refusal::StateUnreadable { .. }
                | Refusal::StateVersion { .. }
                | Refusal::StateInconsistent { .. }
                | Refusal::StateBadHex { .. } => {}
            }
        }
        assert_eq!(samples().len(), 46);
    }

    #[test]
    fn each_refusal_reads_in_english_and_vietnamese_on_one_line() {
        for r in samples() {
            let en = r.to_string();
            let vi = r.text(Lang::Vi);
            assert_eq!(en, r.text(Lang::En));
            assert!(!en.is_empty() && !vi.is_empty(), "{r:?}");
            assert_ne!(en, vi, "{r:?} has no Vietnamese sentence");
            assert!(!en.contains('\n') && !vi.contains('\n'), "{r:?}");
            // The values a clerk needs to act on are in both.
            for value in ["Ô1", "1000", "9000", "MD5", "a.pdf"] {
                assert_eq!(en.contains(value), vi.contains(value), "{r:?}: {value}");
            }
        }
    }

    #[test]
    fn operations_are_named_in_both_languages() {
        let e = Refusal::Encrypted {
            operation: Operation::Sign,
        };
        assert_eq!(
            e.to_string(),
            "the document is encrypted; signing is not supported for encrypted documents"
        );
        assert_eq!(
            e.text(Lang::Vi),
            "tài liệu được mã hóa; kyso không hỗ trợ ký trên tài liệu mã hóa"
        );
    }
}
