//! The verification report: every verdict kyso reaches about a file, as serde data.
//!
//! One [`VerificationReport`] per file, one [`SignatureReport`] per signature dictionary. Each
//! signature ends in an ETSI EN 319 102-1 style [`Indication`] (TOTAL-PASSED, TOTAL-FAILED,
//! INDETERMINATE) with a [`SubIndication`] when it did not pass, and carries the [`Finding`]s
//! that led there, each with a stable machine-readable [`Code`]. Doubt is never "passed": a
//! signature passes only when every check ran and succeeded.
//!
//! The JSON form is versioned by [`SCHEMA_VERSION`]; fields are added, never renamed.

mod codes;
mod detail;
mod lang;
mod render;
mod revocation;
pub mod text;
mod timestamp;
mod visual;

pub use codes::{Code, Severity};
pub(crate) use detail::revocation_reason_remark;
pub use detail::{code_text, Detail, DetailLabel};
pub use lang::Lang;
pub(crate) use render::{check as check_status_text, finding_line};
pub use render::{render_text, render_text_in};
pub use revocation::RevocationReason;
pub use timestamp::Accuracy;
pub use visual::{RegionCause, VisualGap, VisualRegion, VisualReport, VisualStatus};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Version of the report's JSON schema. Bumped when a field changes meaning or is removed.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything kyso found about one file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct VerificationReport {
    /// [`SCHEMA_VERSION`] of this report.
    pub schema_version: u32,
    /// Version of kyso that produced it.
    pub kyso_version: String,
    /// The file as the caller named it, when it came from a file.
    pub file: Option<String>,
    /// File length in bytes.
    pub file_size: u64,
    /// Number of revisions (the original plus one per incremental update).
    pub revisions: usize,
    /// The time at which certificates were judged.
    #[serde(with = "time::serde::rfc3339")]
    pub validation_time: OffsetDateTime,
    /// Where the validation time came from.
    pub validation_time_source: TimeSource,
    /// One entry per signature dictionary found, in file order.
    pub signatures: Vec<SignatureReport>,
    /// Findings about the document as a whole.
    pub findings: Vec<Finding>,
    /// Counts of the signatures' indications.
    pub summary: Summary,
    /// What was verified: a PDF, or a CMS signature file (added in kyso 0.1, schema 1:
    /// reports without it are PDF reports).
    #[serde(default)]
    pub format: DocumentFormat,
    /// For a detached CMS signature: the signature file (`file` is the signed content).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_file: Option<String>,
    /// The files embedded in the PDF (its last revision), with their digests and the
    /// signatures that cover them (added in kyso 0.1, schema 1: absent means none listed).
    #[serde(default)]
    pub embedded_files: Vec<EmbeddedFileReport>,
}

impl VerificationReport {
    /// A report with no signatures yet.
    pub fn new(
        file: Option<String>,
        file_size: u64,
        validation_time: OffsetDateTime,
        validation_time_source: TimeSource,
    ) -> Self {
        VerificationReport {
            schema_version: SCHEMA_VERSION,
            kyso_version: env!("CARGO_PKG_VERSION").to_string(),
            file,
            file_size,
            revisions: 0,
            validation_time,
            validation_time_source,
            signatures: Vec::new(),
            findings: Vec::new(),
            summary: Summary::default(),
            format: DocumentFormat::Pdf,
            signature_file: None,
            embedded_files: Vec::new(),
        }
    }

    /// Recomputes [`VerificationReport::summary`] from the signatures.
    pub fn update_summary(&mut self) {
        let mut s = Summary {
            total: self.signatures.len(),
            ..Summary::default()
        };
        for sig in &self.signatures {
            match sig.indication {
                Indication::TotalPassed => s.passed += 1,
                Indication::TotalFailed => s.failed += 1,
                Indication::Indeterminate => s.indeterminate += 1,
            }
        }
        self.summary = s;
    }

    /// True when the file has at least one signature and every signature passed.
    pub fn all_passed(&self) -> bool {
        !self.signatures.is_empty()
            && self
                .signatures
                .iter()
                .all(|s| s.indication == Indication::TotalPassed)
    }

    /// The report as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        // Serialising plain data with string keys cannot fail; fall back to an empty object
        // rather than panic if serde_json ever disagrees.
        serde_json::to_string_pretty(self).unwrap_or_else(|_| String::from("{}"))
    }
}

/// What kind of input a [`VerificationReport`] is about.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DocumentFormat {
    /// A PDF with signatures inside.
    #[default]
    Pdf,
    /// A detached CMS signature (`.p7s`) over a separate file.
    CmsDetached,
    /// An enveloping CMS signature (`.p7m`) that holds the signed content.
    CmsEnveloping,
}

/// Where a PDF refers to an embedded file from.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EmbeddedLocation {
    /// The document's `/Names /EmbeddedFiles` name tree (what viewers list as attachments).
    NameTree,
    /// Only the catalog's `/AF` (associated files) array.
    AssociatedFile,
    /// A file attachment annotation on a page.
    Annotation {
        /// The page (1-based).
        page: usize,
    },
}

/// One file embedded in a PDF, as the verification report lists it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct EmbeddedFileReport {
    /// The file's name: `/UF`, else `/F`, else the name-tree key.
    pub name: String,
    /// Where the document refers to it from.
    pub location: EmbeddedLocation,
    /// The MIME type declared by `/Subtype`, if any.
    pub mime_type: Option<String>,
    /// `/AFRelationship`, if any (`Data`, `Source`, `Supplement`, …).
    pub relationship: Option<String>,
    /// Length of the decoded content, when it could be read.
    pub size: Option<u64>,
    /// SHA-256 of the decoded content in hexadecimal, when it could be read.
    pub sha256: Option<String>,
    /// The revision (0-based) that last wrote the file specification or the embedded
    /// stream.
    pub added_in_revision: Option<usize>,
    /// Indices of the signatures whose signed revision already holds this file exactly as
    /// it is now (same entry, same objects, unchanged since).
    pub covered_by: Vec<usize>,
}

/// Counts of indications.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct Summary {
    /// Signatures found.
    pub total: usize,
    /// TOTAL-PASSED.
    pub passed: usize,
    /// TOTAL-FAILED.
    pub failed: usize,
    /// INDETERMINATE.
    pub indeterminate: usize,
}

/// Where the validation time came from.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TimeSource {
    /// The clock, read once when verification started.
    CurrentTime,
    /// Given by the caller (`--at`).
    Caller,
}

/// The overall verdict on one signature (ETSI EN 319 102-1 §5.1.3).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING-KEBAB-CASE")]
#[non_exhaustive]
pub enum Indication {
    /// Every check ran and passed.
    TotalPassed,
    /// A check failed in a way that no further information can cure.
    TotalFailed,
    /// A check could not be completed, or its result leaves doubt.
    Indeterminate,
}

impl Indication {
    /// The ETSI spelling, e.g. `TOTAL-PASSED`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Indication::TotalPassed => "TOTAL-PASSED",
            Indication::TotalFailed => "TOTAL-FAILED",
            Indication::Indeterminate => "INDETERMINATE",
        }
    }
}

/// Why a signature did not pass (ETSI EN 319 102-1 §5.1.3, table 5).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum SubIndication {
    /// The signature is not conformant to the format (ByteRange, CMS structure).
    FormatFailure,
    /// The signed data's digest does not match.
    HashFailure,
    /// The cryptographic signature does not verify.
    SigCryptoFailure,
    /// The signer's certificate was revoked and the signature is proven to have been made
    /// after the revocation (TOTAL-FAILED only; EN 319 102-1 §5.2.6, Table 5).
    Revoked,
    /// The signer's certificate is revoked and no proof of existence of the signature before
    /// the revocation time exists (INDETERMINATE; EN 319 102-1 §5.2.6, §5.6.2.4).
    RevokedNoPoe,
    /// A CA certificate of the signer's path is revoked and no proof of existence of the
    /// signature before the revocation time exists (INDETERMINATE; EN 319 102-1 §5.6.2.4).
    RevokedCaNoPoe,
    /// The signer's certificate could not be identified.
    NoSigningCertificateFound,
    /// No chain to a trust anchor could be built.
    NoCertificateChainFound,
    /// The chain does not satisfy the validation constraints.
    ChainConstraintsFailure,
    /// An algorithm is not supported or not allowed.
    CryptoConstraintsFailure,
    /// A certificate was outside its validity period and no proof of existence helps.
    OutOfBoundsNoPoe,
    /// Changes made after signing are not allowed, or could not be judged. Not a value of
    /// EN 319 102-1 Table 5: kyso's PDF refinement of format checking (§5.2.2), which the
    /// standard leaves to the signature format (see [`TABLE_5`]).
    DisallowedModification,
    /// No proof of existence is available for the signature at the time the validation
    /// needs one (INDETERMINATE; EN 319 102-1 §5.6.3).
    NoPoe,
    /// Revocation status was required and could not be established (no usable CRL or OCSP
    /// response): trying again with fresh revocation data may help.
    TryLater,
    /// A content timestamp is later than a proof of existence of the signature (a
    /// signature or document timestamp): the timestamps contradict each other
    /// (INDETERMINATE; EN 319 102-1 §5.5, Table 5).
    TimestampOrderFailure,
    /// Some other reason given in the findings.
    Generic,
}

impl SubIndication {
    /// The ETSI spelling, e.g. `HASH_FAILURE`.
    pub fn as_str(&self) -> &'static str {
        match self {
            SubIndication::FormatFailure => "FORMAT_FAILURE",
            SubIndication::HashFailure => "HASH_FAILURE",
            SubIndication::SigCryptoFailure => "SIG_CRYPTO_FAILURE",
            SubIndication::Revoked => "REVOKED",
            SubIndication::RevokedNoPoe => "REVOKED_NO_POE",
            SubIndication::RevokedCaNoPoe => "REVOKED_CA_NO_POE",
            SubIndication::NoPoe => "NO_POE",
            SubIndication::NoSigningCertificateFound => "NO_SIGNING_CERTIFICATE_FOUND",
            SubIndication::NoCertificateChainFound => "NO_CERTIFICATE_CHAIN_FOUND",
            SubIndication::ChainConstraintsFailure => "CHAIN_CONSTRAINTS_FAILURE",
            SubIndication::CryptoConstraintsFailure => "CRYPTO_CONSTRAINTS_FAILURE",
            SubIndication::OutOfBoundsNoPoe => "OUT_OF_BOUNDS_NO_POE",
            SubIndication::DisallowedModification => "DISALLOWED_MODIFICATION",
            SubIndication::TryLater => "TRY_LATER",
            SubIndication::TimestampOrderFailure => "TIMESTAMP_ORDER_FAILURE",
            SubIndication::Generic => "GENERIC",
        }
    }
}

/// The (indication, sub-indication) pairs of ETSI EN 319 102-1 (V1.3.1) §5.1.3, Table 5,
/// that kyso's [`SubIndication`] can spell, plus the one PDF-specific refinement kyso adds
/// (`TOTAL-FAILED`/`INDETERMINATE` with `DISALLOWED_MODIFICATION`: the difference analysis
/// of later revisions, a part of format checking, §5.2.2, that the standard leaves to the
/// signature format). A sub-indication is only ever reported with an indication it is
/// paired with here.
pub const TABLE_5: &[(Indication, SubIndication)] = &[
    (Indication::TotalFailed, SubIndication::FormatFailure),
    (Indication::TotalFailed, SubIndication::HashFailure),
    (Indication::TotalFailed, SubIndication::SigCryptoFailure),
    (Indication::TotalFailed, SubIndication::Revoked),
    (
        Indication::Indeterminate,
        SubIndication::ChainConstraintsFailure,
    ),
    (
        Indication::Indeterminate,
        SubIndication::CryptoConstraintsFailure,
    ),
    (
        Indication::Indeterminate,
        SubIndication::NoSigningCertificateFound,
    ),
    (
        Indication::Indeterminate,
        SubIndication::NoCertificateChainFound,
    ),
    (Indication::Indeterminate, SubIndication::RevokedNoPoe),
    (Indication::Indeterminate, SubIndication::RevokedCaNoPoe),
    (Indication::Indeterminate, SubIndication::OutOfBoundsNoPoe),
    (Indication::Indeterminate, SubIndication::NoPoe),
    (Indication::Indeterminate, SubIndication::TryLater),
    (
        Indication::Indeterminate,
        SubIndication::TimestampOrderFailure,
    ),
    (Indication::Indeterminate, SubIndication::Generic),
    // kyso's PDF refinement of format checking (not in Table 5).
    (
        Indication::TotalFailed,
        SubIndication::DisallowedModification,
    ),
    (
        Indication::Indeterminate,
        SubIndication::DisallowedModification,
    ),
];

/// One observation, with a stable code.
///
/// Two findings are equal when their code, severity and message are: the
/// [`details`](Finding::details) repeat the message as data and are not part of the JSON
/// form, so a finding read back from JSON equals the one written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Finding {
    /// Stable machine-readable code.
    pub code: Code,
    /// How much it matters.
    pub severity: Severity,
    /// Human explanation, with the specifics (offsets, names, values).
    pub message: String,
    /// The message's specifics as data, for renderings in other languages than English
    /// ([`Detail`]): `None` when the finding was made without them (or read from JSON), and
    /// a rendering in another language then shows the English message; `Some` (possibly
    /// empty) when the code's sentence and these details say everything the message says.
    #[serde(skip)]
    pub details: Option<Vec<Detail>>,
}

impl PartialEq for Finding {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code && self.severity == other.severity && self.message == other.message
    }
}

impl Eq for Finding {}

/// Adds `finding` to `findings` and gives back `status`: one arm of a mapping from a check's
/// outcome to a report status, where the status comes with the finding that explains it.
pub(crate) fn noted<T>(findings: &mut Vec<Finding>, status: T, finding: Finding) -> T {
    findings.push(finding);
    status
}

impl Finding {
    /// A finding with the code's default severity.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Finding {
            code,
            severity: code.severity(),
            message: message.into(),
            details: None,
        }
    }

    /// Adds a specific of the message as a labelled value.
    pub fn detail(mut self, label: DetailLabel, value: impl std::fmt::Display) -> Self {
        self.details
            .get_or_insert_with(Vec::new)
            .push(Detail::Value(label, value.to_string()));
        self
    }

    /// Adds a remark, in Vietnamese, that refines the code's sentence as the English
    /// message does.
    pub fn remark(mut self, vi: &'static str) -> Self {
        self.details
            .get_or_insert_with(Vec::new)
            .push(Detail::Remark(vi));
        self
    }

    /// Marks the finding as saying nothing beyond its code's meaning, so that renderings in
    /// other languages need no English message.
    pub fn plain(mut self) -> Self {
        self.details.get_or_insert_with(Vec::new);
        self
    }

    /// The finding as one line of text in `lang`, without its severity: in English
    /// `code: message`; in Vietnamese `code: sentence` followed by the details (or, for a
    /// finding without details, the English message). Every document-derived value is
    /// escaped ([`text::safe`]).
    pub fn text(&self, lang: Lang) -> String {
        match (lang, &self.details) {
            (Lang::En, _) => format!("{}: {}", self.code.as_str(), text::safe(&self.message)),
            (_, None) => format!(
                "{}: {} ({}: {})",
                self.code.as_str(),
                code_text(self.code, lang),
                DetailLabel::Technical.text(lang),
                text::safe(&self.message)
            ),
            (_, Some(details)) => {
                let mut line = format!("{}: {}", self.code.as_str(), code_text(self.code, lang));
                let mut values = Vec::new();
                for d in details {
                    match d {
                        Detail::Remark(r) => {
                            line.push_str("; ");
                            line.push_str(r);
                        }
                        Detail::Value(l, v) => {
                            values.push(format!("{}: {}", l.text(lang), text::safe(v)))
                        }
                    }
                }
                if !values.is_empty() {
                    line.push_str(" — ");
                    line.push_str(&values.join("; "));
                }
                line
            }
        }
    }
}

/// What kind of signature a dictionary holds.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SignatureKind {
    /// An ordinary (approval) signature.
    Approval,
    /// A certification signature (DocMDP, referenced from `/Perms`).
    Certification,
    /// A document timestamp (`/Type /DocTimeStamp`).
    DocumentTimestamp,
}

/// Everything kyso found about one signature.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct SignatureReport {
    /// Position among the file's signatures (0-based, file order).
    pub index: usize,
    /// Fully qualified name of the field holding the signature, if any field does.
    pub field_name: Option<String>,
    /// The signature dictionary's object, as `num gen R`.
    pub object: Option<String>,
    /// Kind of signature.
    pub kind: SignatureKind,
    /// `/Filter` of the signature dictionary.
    pub filter: Option<String>,
    /// `/SubFilter` of the signature dictionary.
    pub sub_filter: Option<String>,
    /// The revision (0-based) whose end the signature's byte range reaches, if any.
    pub signed_revision: Option<usize>,
    /// The signer's certificate, when found.
    pub signer: Option<CertificateInfo>,
    /// The signing time claimed by the signer (signing-time attribute, else `/M`); not proven.
    #[serde(with = "time::serde::rfc3339::option")]
    pub claimed_signing_time: Option<OffsetDateTime>,
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// `/ContactInfo`.
    pub contact_info: Option<String>,
    /// `/Name`.
    pub name: Option<String>,
    /// Digest algorithm of the signer info (e.g. `sha256`).
    pub digest_algorithm: Option<String>,
    /// Signature algorithm (e.g. `rsa-pkcs1v15-sha256`).
    pub signature_algorithm: Option<String>,
    /// Which bytes the signature covers.
    pub coverage: Coverage,
    /// The cryptographic checks.
    pub integrity: Integrity,
    /// The certificate path.
    pub chain: ChainReport,
    /// What changed after signing.
    pub modifications: Modifications,
    /// The verdict.
    pub indication: Indication,
    /// Why it did not pass.
    pub sub_indication: Option<SubIndication>,
    /// Every observation, in the order made.
    pub findings: Vec<Finding>,
    /// The PAdES baseline level reached (`ETSI.CAdES.detached` signatures whose integrity
    /// checks passed; absent otherwise). Added in kyso 0.1, schema 1.
    #[serde(default)]
    pub pades_level: Option<PadesLevel>,
    /// Where the signing time comes from: the signer's claim, or a time proven by a
    /// timestamp. Added in kyso 0.1, schema 1.
    #[serde(default)]
    pub time_source: Option<SigningTimeSource>,
    /// The time by which the signature is proven to have existed (a valid timestamp's
    /// `genTime` plus its accuracy), when a timestamp proves it.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub proven_time: Option<OffsetDateTime>,
    /// When the signer's path was validated at another time than the report's validation
    /// time (the proven time, because a certificate had expired since), that time.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub path_validation_time: Option<OffsetDateTime>,
    /// The timestamp tokens of this signature (signature timestamps) or, for a document
    /// timestamp, its own token.
    #[serde(default)]
    pub timestamps: Vec<TimestampReport>,
    /// What the signature lacks for the next PAdES level, one item per line.
    #[serde(default)]
    pub missing_for_next_level: Vec<String>,
    /// For a signature whose proof of existence rests on timestamps: which timestamp carries
    /// it now, until when, and what it needs next (EN 319 102-1 §5.6.3). Absent without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive: Option<ArchiveStatus>,
    /// The signed revision rendered and compared with the final document (`kyso verify
    /// --visual`, feature `visual`). Absent when not asked for, and for a signature that
    /// covers the whole file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visual: Option<VisualReport>,
}

/// A PAdES baseline level (ETSI EN 319 142-1 §6).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum PadesLevel {
    /// B-B: the basic signature.
    #[serde(rename = "B-B")]
    BB,
    /// B-T: with a trusted time (a signature timestamp or a later document timestamp).
    #[serde(rename = "B-T")]
    BT,
    /// B-LT: with the validation data in the document security store.
    #[serde(rename = "B-LT")]
    BLt,
    /// B-LTA: with document timestamps over the validation data.
    #[serde(rename = "B-LTA")]
    BLta,
}

impl PadesLevel {
    /// The ETSI spelling, e.g. `B-T`.
    pub fn as_str(&self) -> &'static str {
        match self {
            PadesLevel::BB => "B-B",
            PadesLevel::BT => "B-T",
            PadesLevel::BLt => "B-LT",
            PadesLevel::BLta => "B-LTA",
        }
    }
}

/// Where a signature's time comes from.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SigningTimeSource {
    /// The signer's claim (signing-time attribute or `/M`): not proven.
    Claimed,
    /// Proven by the signature's own timestamp (signature-time-stamp attribute).
    SignatureTimestamp,
    /// Proven by a later document timestamp that covers the signature.
    DocumentTimestamp,
}

/// What a timestamp token is for.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TimestampKind {
    /// A signature timestamp: over one signature's value.
    Signature,
    /// A document timestamp: over the document's byte ranges.
    Document,
    /// A content timestamp (a signed attribute, RFC 5126 §5.11.4): over the signed content
    /// before it was signed. It proves the signature was made *after* its time, never that
    /// the signature existed: it is no proof of existence of the signature.
    Content,
}

/// The verdict on one timestamp token.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TimestampStatus {
    /// Every check passed: the token proves its time.
    Valid,
    /// A check failed: the token proves nothing.
    Invalid,
    /// A check could not be completed (trust, algorithm): the token proves nothing.
    Indeterminate,
}

/// How long a signature stays provable (EN 319 102-1 §5.6.3): the newest timestamp that
/// protects it is validated at the validation time; once its authority's certificate (or a
/// certificate of its path) expires and no later timestamp protects it, the proof of
/// existence is gone. Renewing (a new document timestamp before that date, `kyso ltv --level
/// b-lta`) carries the proof forward.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct ArchiveStatus {
    /// The kind of the newest timestamp that protects the signature.
    pub newest_timestamp: TimestampKind,
    /// Its `genTime`.
    #[serde(with = "time::serde::rfc3339")]
    pub newest_time: OffsetDateTime,
    /// Its authority (subject of the certificate).
    pub authority: String,
    /// Until when the proof holds: the earliest expiry of the authority's certificate path.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub provable_until: Option<OffsetDateTime>,
    /// Whether the proof holds at the validation time.
    pub holds: bool,
    /// What the archive needs next, in words.
    pub next: String,
}

/// One RFC 3161 timestamp token as the report shows it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct TimestampReport {
    /// Signature or document timestamp.
    pub kind: TimestampKind,
    /// The verdict.
    pub status: TimestampStatus,
    /// `genTime`.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub gen_time: Option<OffsetDateTime>,
    /// `genTime` as encoded (with its fraction of a second).
    #[serde(default)]
    pub gen_time_text: Option<String>,
    /// The accuracy of `genTime`, when given.
    #[serde(default)]
    pub accuracy: Option<Accuracy>,
    /// The `ordering` flag.
    #[serde(default)]
    pub ordering: bool,
    /// The authority's policy (dotted OID).
    #[serde(default)]
    pub policy: Option<String>,
    /// The serial number (hexadecimal).
    #[serde(default)]
    pub serial: Option<String>,
    /// The `tsa` name in the token, when given.
    #[serde(default)]
    pub tsa_name: Option<String>,
    /// The message imprint's algorithm.
    #[serde(default)]
    pub imprint_algorithm: Option<String>,
    /// The authority's certificate.
    #[serde(default)]
    pub tsa: Option<CertificateInfo>,
    /// The authority's certificate path.
    pub chain: ChainReport,
    /// When the authority's path was validated.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub path_validation_time: Option<OffsetDateTime>,
    /// Why the token is not valid, one line each (empty when valid).
    #[serde(default)]
    pub problems: Vec<String>,
}

/// A certificate as the report shows it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct CertificateInfo {
    /// Subject distinguished name (RFC 4514 order and escaping, UTF-8 kept).
    pub subject: String,
    /// The subject's common name, if any.
    pub common_name: Option<String>,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Serial number in hexadecimal.
    pub serial: String,
    /// Start of validity.
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    /// End of validity.
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    /// SHA-256 of the DER encoding, hexadecimal.
    pub sha256: String,
}

/// How much of the file a signature covers.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CoverageStatus {
    /// Every byte but the signature value: the signature is the last thing in the file.
    EntireFile,
    /// A whole revision: incremental updates were appended later (see modifications).
    EntireRevision,
    /// Some bytes of the revision are not covered, or the ranges are malformed.
    Partial,
    /// The byte range could not be read at all.
    Unknown,
}

/// The byte range and what it covers.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct Coverage {
    /// `/ByteRange` as written (empty when missing or unreadable).
    pub byte_range: Vec<i64>,
    /// Classification.
    pub status: CoverageStatus,
    /// Bytes hashed.
    pub covered_bytes: u64,
    /// File length.
    pub file_size: u64,
}

/// Result of one check.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CheckStatus {
    /// Ran and succeeded.
    Passed,
    /// Ran and failed.
    Failed,
    /// Could not run (missing input, earlier failure).
    NotChecked,
    /// Not possible with the algorithms kyso supports.
    Unsupported,
    /// Not applicable (e.g. an optional attribute absent).
    NotPresent,
}

/// The cryptographic checks of a signature.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct Integrity {
    /// The byte ranges hash to the message-digest the signer signed.
    pub digest: CheckStatus,
    /// The signature value verifies with the signer's public key.
    pub signature: CheckStatus,
    /// The signing-certificate(-v2) attribute names the certificate used.
    pub signing_certificate: CheckStatus,
}

impl Integrity {
    /// All checks not yet run.
    pub fn not_checked() -> Self {
        Integrity {
            digest: CheckStatus::NotChecked,
            signature: CheckStatus::NotChecked,
            signing_certificate: CheckStatus::NotChecked,
        }
    }

    /// The signed bytes are as the signer signed them and the signature is cryptographically
    /// correct (pyHanko's "intact" and "valid" together).
    pub fn intact(&self) -> bool {
        self.digest == CheckStatus::Passed && self.signature == CheckStatus::Passed
    }
}

/// Outcome of the certificate path check.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChainStatus {
    /// A path to a trust anchor validated at the validation time.
    Trusted,
    /// No path to any configured trust anchor.
    Untrusted,
    /// A path exists but fails a constraint (expiry, CA flag, key usage, signature).
    Invalid,
    /// No trust anchors were configured, so no path could be judged.
    NoTrustAnchors,
    /// Not checked (the signer certificate was not found).
    NotChecked,
    /// A path exists but a certificate of it is revoked.
    Revoked,
}

/// The certificate path behind a signature.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChainReport {
    /// Outcome.
    pub status: ChainStatus,
    /// The path from the signer to the anchor, signer first (empty when none was found).
    pub certificates: Vec<CertificateInfo>,
    /// Subject of the trust anchor reached.
    pub anchor: Option<String>,
    /// The trust profile the anchor was loaded from (`vn-gov`, `vn-public`, … or a profile
    /// file's name), when it came from one; absent for anchors given one by one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor_profile: Option<String>,
    /// The role under which that profile's anchor ended the path: `signer`,
    /// `timestamping-only` or `archival` (an anchor kept for signatures proven before a
    /// cut-off); absent when `anchor_profile` is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor_role: Option<String>,
    /// The revocation status of each certificate checked (anchors are never checked).
    #[serde(default)]
    pub revocation: Vec<RevocationReport>,
    /// The certificate policies valid for the path (RFC 5280 §6.1.6), when any.
    #[serde(default)]
    pub policies: Vec<String>,
}

impl ChainReport {
    /// A chain that was not checked.
    pub fn not_checked() -> Self {
        ChainReport {
            status: ChainStatus::NotChecked,
            certificates: Vec::new(),
            anchor: None,
            anchor_profile: None,
            anchor_role: None,
            revocation: Vec::new(),
            policies: Vec::new(),
        }
    }
}

/// The revocation status of a certificate.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RevocationStatus {
    /// A CRL or OCSP response says it is not revoked at the validation time.
    Good,
    /// Revoked.
    Revoked,
    /// No usable CRL or OCSP response covers it.
    Unknown,
    /// Not checked (revocation checking off for this role).
    NotChecked,
}

/// Which kind of revocation data gave the status.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RevocationSourceKind {
    /// A CRL (with a delta CRL when [`RevocationReport::delta_crl`] is set).
    Crl,
    /// An OCSP response.
    Ocsp,
}

/// What revocation checking found for one certificate of a path.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct RevocationReport {
    /// Index of the certificate in the path (0 = the signer).
    pub certificate: usize,
    /// Its subject.
    pub subject: String,
    /// The status.
    pub status: RevocationStatus,
    /// The revocation mode that applied (`require`, `if-available`, `off`).
    pub mode: Option<String>,
    /// CRL or OCSP.
    pub source: Option<RevocationSourceKind>,
    /// Where the data came from (`cms`, `signed_attribute`, `dss`, `caller`, `fetched`).
    pub origin: Option<String>,
    /// The CRL issuer or OCSP responder.
    pub issuer: Option<String>,
    /// thisUpdate of the CRL or OCSP single response.
    #[serde(with = "time::serde::rfc3339::option")]
    pub this_update: Option<OffsetDateTime>,
    /// nextUpdate, when given.
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_update: Option<OffsetDateTime>,
    /// producedAt of an OCSP response.
    #[serde(with = "time::serde::rfc3339::option")]
    pub produced_at: Option<OffsetDateTime>,
    /// Whether a delta CRL was used with the complete CRL.
    pub delta_crl: bool,
    /// When it was revoked.
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
    /// Why it was revoked.
    pub reason: Option<RevocationReason>,
    /// Why data that was available could not be used, one line each.
    pub notes: Vec<String>,
}

impl RevocationReport {
    /// A certificate not (yet) checked.
    pub fn not_checked(certificate: usize, subject: &str) -> Self {
        RevocationReport {
            certificate,
            subject: subject.to_string(),
            status: RevocationStatus::NotChecked,
            mode: None,
            source: None,
            origin: None,
            issuer: None,
            this_update: None,
            next_update: None,
            produced_at: None,
            delta_crl: false,
            revoked_at: None,
            reason: None,
            notes: Vec::new(),
        }
    }

    /// `CRL "X" (origin)` / `OCSP "X" (origin)`: the source as data, the same in every
    /// language.
    pub fn source_summary(&self) -> String {
        let issuer = self.issuer.as_deref().unwrap_or("?");
        let origin = self
            .origin
            .as_deref()
            .map(|o| format!(" ({o})"))
            .unwrap_or_default();
        match self.source {
            Some(RevocationSourceKind::Crl) if self.delta_crl => {
                format!("CRL + delta CRL \"{issuer}\"{origin}")
            }
            Some(RevocationSourceKind::Crl) => format!("CRL \"{issuer}\"{origin}"),
            Some(RevocationSourceKind::Ocsp) => format!("OCSP \"{issuer}\"{origin}"),
            None => "-".to_string(),
        }
    }

    /// "a CRL of X (origin)" / "an OCSP response from X (origin)", for messages.
    pub fn describe_source(&self) -> String {
        let issuer = self.issuer.as_deref().unwrap_or("an unknown issuer");
        let origin = self
            .origin
            .as_deref()
            .map(|o| format!(" ({o})"))
            .unwrap_or_default();
        match self.source {
            Some(RevocationSourceKind::Crl) => format!(
                "a {}CRL of \"{issuer}\"{origin}",
                if self.delta_crl {
                    "complete and delta "
                } else {
                    ""
                }
            ),
            Some(RevocationSourceKind::Ocsp) => {
                format!("an OCSP response signed by \"{issuer}\"{origin}")
            }
            None => "no source".to_string(),
        }
    }
}

/// How far the changes made after a signature go (pyHanko's modification levels).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ModificationLevel {
    /// Nothing was appended after the signature.
    None,
    /// Only long-term validation material (DSS, document timestamps).
    LtvUpdates,
    /// Form filling and further signatures.
    FormFilling,
    /// Annotations added, changed or removed.
    Annotations,
    /// Anything else: never allowed.
    Other,
}

/// What changed after a signature, and whether that was allowed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct Modifications {
    /// Number of revisions appended after the signed one.
    pub later_revisions: usize,
    /// The highest level of change found.
    pub level: ModificationLevel,
    /// Whether every change is allowed.
    pub allowed: bool,
    /// The changes, one line each.
    pub changes: Vec<Change>,
    /// The highest level the applicable permissions allow: form filling by default, or what
    /// the certification signature's DocMDP permissions grant (P1: LTV updates only, P2: form
    /// filling and signing, P3: annotations too).
    #[serde(default = "default_permitted")]
    pub permitted: ModificationLevel,
    /// The permissions the changes were judged against, in words.
    #[serde(default)]
    pub policy: String,
}

fn default_permitted() -> ModificationLevel {
    ModificationLevel::FormFilling
}

impl Modifications {
    /// No later revision.
    pub fn none() -> Self {
        Modifications {
            later_revisions: 0,
            level: ModificationLevel::None,
            allowed: true,
            changes: Vec::new(),
            permitted: default_permitted(),
            policy: String::new(),
        }
    }
}

/// One change in a revision after the signature.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct Change {
    /// Revision (0-based) that made the change.
    pub revision: usize,
    /// The object changed, as `num gen R`, when the change is about one object.
    pub object: Option<String>,
    /// Level this change belongs to.
    pub level: ModificationLevel,
    /// The rule that classified it.
    pub rule: String,
    /// What changed.
    pub description: String,
    /// The fully qualified name of the form field the change belongs to, if any (what
    /// FieldMDP locks are judged on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For a change that filled in a form field: the field's value before the change, as
    /// text (empty when it had none; a name as `/Name`, a list's choices in brackets; cut
    /// with a marker past 200 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_value: Option<String>,
    /// For a change that filled in a form field: the field's new value, as text (as
    /// [`Change::old_value`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_value: Option<String>,
}
