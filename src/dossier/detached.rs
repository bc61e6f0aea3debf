//! Signatures over any file: detached CAdES B-B (`.p7s` beside the file) and enveloping CMS
//! (`.p7m`, the content inside), signed and verified.
//!
//! Verification produces the same [`VerificationReport`] as a PDF, one [`SignatureReport`]
//! per SignerInfo, through the same steps: [`cms::check_signer`] for integrity, the PDF
//! verifier's mapping of its outcome to findings, the same certificate-path check
//! ([`crate::pki::validate_path`] with the CMS certificates) and the same verdict rules. The
//! content is hashed in one streamed pass for every digest algorithm the signers use, so a
//! file of any size costs a fixed amount of memory (a signature without signed attributes,
//! whose signature is over the content itself, needs the content in memory: up to
//! [`VerifyOptions::max_unsigned_attrs_content`]).

use std::path::Path;

use time::OffsetDateTime;

use crate::cms::{self, SignedData};
use crate::crypto::DigestAlgorithm;
use crate::output::{Output, Target};
use crate::pki::ValidationTime;
use crate::report::DetailLabel as L;
use crate::report::{
    ChainReport, CheckStatus, Code, Coverage, CoverageStatus, DocumentFormat, Finding, Indication,
    Integrity, Modifications, SignatureKind, SignatureReport, TimeSource, VerificationReport,
};
use crate::signer::{Signer, SignerIdentity};
use crate::verify::{apply_signer_check, check_chain, verdict, ChainInputs, VerifyOptions};
use crate::Error;

use super::error::DossierError;
use crate::attachments::hash::{digest_file, digest_reader, ContentDigests};

/// Largest signature file (`.p7s`) read (64 MiB: certificates and revocation data, never
/// content).
pub const MAX_SIGNATURE_FILE_BYTES: u64 = 64 << 20;
/// Largest enveloping CMS (`.p7m`) read into memory, content included (512 MiB).
pub const MAX_ENVELOPING_FILE_BYTES: u64 = 512 << 20;

/// The path of the detached signature kyso writes for `content`: the same name with `.p7s`
/// appended.
pub fn detached_signature_path(content: &Path) -> std::path::PathBuf {
    let mut name = content.as_os_str().to_owned();
    name.push(".p7s");
    std::path::PathBuf::from(name)
}

/// How to sign a file (a detached `.p7s` or an enveloping `.p7m`).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct FileSignOptions {
    /// The signing time (signing-time attribute); `None`: now.
    pub signing_time: Option<OffsetDateTime>,
    /// Sign even with a certificate that is expired or not yet valid at the signing time,
    /// or whose key usage forbids signing: the result will not verify (for test files only;
    /// see [`crate::sign::check_signer`]). Default `false`: such a certificate is refused
    /// before anything is written.
    pub allow_invalid_certificate: bool,
}

impl FileSignOptions {
    /// Defaults: now, and a certificate that cannot make a valid signature is refused.
    pub fn new() -> Self {
        Self::default()
    }

    /// Fixes the signing time.
    pub fn signing_time(mut self, t: OffsetDateTime) -> Self {
        self.signing_time = Some(t);
        self
    }

    /// Signs even with an unfit certificate (see
    /// [`FileSignOptions::allow_invalid_certificate`]).
    pub fn allow_invalid_certificate(mut self, allow: bool) -> Self {
        self.allow_invalid_certificate = allow;
        self
    }

    fn at(signing_time: Option<OffsetDateTime>) -> Self {
        FileSignOptions {
            signing_time,
            ..FileSignOptions::default()
        }
    }

    /// The signing time, after refusing a signer whose certificate cannot make a signature
    /// that verifies.
    fn checked_time(&self, signer: &dyn Signer) -> Result<OffsetDateTime, Error> {
        let time = self.signing_time.unwrap_or_else(OffsetDateTime::now_utc);
        crate::sign::check::refuse_unfit(
            &SignerIdentity::of(signer),
            time,
            self.allow_invalid_certificate,
        )?;
        Ok(time)
    }
}

/// A detached CAdES B-B signature (DER) over the file at `content`, hashed in one streamed
/// pass. `signing_time` defaults to now. A certificate that cannot make a signature that
/// verifies is refused (see [`sign_file_detached_with`]).
pub fn sign_file_detached(
    content: &Path,
    signer: &dyn Signer,
    signing_time: Option<OffsetDateTime>,
) -> Result<Vec<u8>, Error> {
    sign_file_detached_with(content, signer, &FileSignOptions::at(signing_time))
}

/// [`sign_file_detached`] with options.
pub fn sign_file_detached_with(
    content: &Path,
    signer: &dyn Signer,
    opts: &FileSignOptions,
) -> Result<Vec<u8>, Error> {
    let time = opts.checked_time(signer)?;
    let alg = signer.algorithm().digest();
    let digests = digest_file(content, &[alg])?;
    let digest = digests.get(alg).ok_or(Error::Internal {
        what: "the digest was not computed",
    })?;
    super::build_cades_detached(signer, digest, time)
}

/// Signs the file at `content` and writes the detached signature to `signature` by kyso's
/// write rule ([`crate::output`]: atomic, never over `content`).
pub fn write_detached_signature<'a>(
    content: &Path,
    signature: impl Into<Target<'a>>,
    signer: &dyn Signer,
    signing_time: Option<OffsetDateTime>,
) -> Result<(), Error> {
    write_detached_signature_with(
        content,
        signature,
        signer,
        &FileSignOptions::at(signing_time),
    )
}

/// [`write_detached_signature`] with options.
pub fn write_detached_signature_with<'a>(
    content: &Path,
    signature: impl Into<Target<'a>>,
    signer: &dyn Signer,
    opts: &FileSignOptions,
) -> Result<(), Error> {
    let out = Output::check(signature, &[content])?;
    let cms = sign_file_detached_with(content, signer, opts)?;
    out.write_bytes(&cms)
}

/// Signs the file at `content` into an enveloping CMS (the content inside) written to
/// `output` by kyso's write rule ([`crate::output`]: atomic, never over `content`). The
/// content is held in memory: at most [`MAX_ENVELOPING_FILE_BYTES`].
pub fn write_enveloping_signature<'a>(
    content: &Path,
    output: impl Into<Target<'a>>,
    signer: &dyn Signer,
    signing_time: Option<OffsetDateTime>,
) -> Result<(), Error> {
    write_enveloping_signature_with(content, output, signer, &FileSignOptions::at(signing_time))
}

/// [`write_enveloping_signature`] with options.
pub fn write_enveloping_signature_with<'a>(
    content: &Path,
    output: impl Into<Target<'a>>,
    signer: &dyn Signer,
    opts: &FileSignOptions,
) -> Result<(), Error> {
    let out = Output::check(output, &[content])?;
    let time = opts.checked_time(signer)?;
    let data = read_capped(content, MAX_ENVELOPING_FILE_BYTES)?;
    let cms = super::build_cades_enveloping(signer, &data, time)?;
    out.write_bytes(&cms)
}

/// Reads a whole file, refusing one larger than `limit`.
pub(crate) fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut out = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| Error::io(path, e))?;
    if out.len() as u64 > limit {
        return Err(DossierError::TooLarge {
            path: path.to_path_buf(),
            size: out.len() as u64,
            limit,
        }
        .into());
    }
    Ok(out)
}

/// A CMS signature file as DER: PEM armour (`PKCS7`, `CMS`) is removed, anything else is
/// taken as DER.
pub fn signature_der(bytes: &[u8]) -> Vec<u8> {
    if crate::asn1::pem::looks_like_pem(bytes) {
        for pem in x509_parser::pem::Pem::iter_from_buffer(bytes).flatten() {
            if matches!(pem.label.as_str(), "PKCS7" | "CMS" | "PKCS #7 SIGNED DATA") {
                return pem.contents;
            }
        }
    }
    bytes.to_vec()
}

/// Verifies the detached signature in the file `signature` over the file `content`.
pub fn verify_detached_file(
    content: &Path,
    signature: &Path,
    opts: &VerifyOptions,
) -> Result<VerificationReport, Error> {
    let cms = signature_der(&read_capped(signature, MAX_SIGNATURE_FILE_BYTES)?);
    let mut report = verify_cms(
        &cms,
        Content::File(content),
        Some(content.display().to_string()),
        DocumentFormat::CmsDetached,
        opts,
    )?;
    report.signature_file = Some(signature.display().to_string());
    Ok(report)
}

/// Verifies a detached signature over content held in memory.
pub fn verify_detached_bytes(
    content: &[u8],
    signature: &[u8],
    opts: &VerifyOptions,
) -> Result<VerificationReport, Error> {
    verify_cms(
        &signature_der(signature),
        Content::Bytes(content),
        None,
        DocumentFormat::CmsDetached,
        opts,
    )
}

/// An enveloping CMS, verified, with the content it holds.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Enveloped {
    /// The verification report.
    pub report: VerificationReport,
    /// The encapsulated content, when the CMS holds one.
    pub content: Option<Vec<u8>>,
}

/// Verifies the enveloping CMS (`.p7m`) at `path` and returns its content.
pub fn verify_enveloping_file(path: &Path, opts: &VerifyOptions) -> Result<Enveloped, Error> {
    let cms = signature_der(&read_capped(path, MAX_ENVELOPING_FILE_BYTES)?);
    let mut out = verify_enveloping_bytes(&cms, opts)?;
    out.report.file = Some(path.display().to_string());
    Ok(out)
}

/// Verifies an enveloping CMS held in memory and returns its content.
pub fn verify_enveloping_bytes(cms: &[u8], opts: &VerifyOptions) -> Result<Enveloped, Error> {
    let cms = signature_der(cms);
    let report = verify_cms(
        &cms,
        Content::None,
        None,
        DocumentFormat::CmsEnveloping,
        opts,
    )?;
    let content = cms::parse_signed_data(&cms).ok().and_then(|sd| sd.econtent);
    Ok(Enveloped { report, content })
}

/// Where the signed content is, besides the CMS itself.
enum Content<'a> {
    File(&'a Path),
    Bytes(&'a [u8]),
    None,
}

/// Verifies every SignerInfo of `cms_bytes` over `content` (or the CMS's own eContent).
fn verify_cms(
    cms_bytes: &[u8],
    content: Content<'_>,
    name: Option<String>,
    format: DocumentFormat,
    opts: &VerifyOptions,
) -> Result<VerificationReport, Error> {
    let (opts, meter) = opts.for_one_verification();
    let opts = opts.as_ref();
    let (time, time_source) = match opts.validation_time {
        Some(t) => (t, TimeSource::Caller),
        None => (OffsetDateTime::now_utc(), TimeSource::CurrentTime),
    };
    let mut report = VerificationReport::new(name, 0, time, time_source);
    report.format = format;

    let sd = match cms::parse_signed_data(cms_bytes) {
        Ok(sd) => sd,
        Err(e) => {
            if let Content::File(p) = content {
                report.file_size = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
            }
            report.findings.push(
                Finding::new(
                    Code::CmsMalformed,
                    format!("the signature is not a CMS SignedData: {e}"),
                )
                .detail(L::Technical, e),
            );
            report.update_summary();
            return Ok(report);
        }
    };

    let algorithms: Vec<DigestAlgorithm> = sd
        .signer_infos
        .iter()
        .filter_map(|si| si.digest())
        .collect();
    let external: Option<ContentDigests> = match content {
        Content::File(p) => Some(digest_file(p, &algorithms)?),
        Content::Bytes(b) => Some(
            digest_reader(&mut &b[..], &algorithms, u64::MAX, &mut |_| Ok(())).map_err(|_| {
                Error::Internal {
                    what: "digesting content held in memory",
                }
            })?,
        ),
        Content::None => None,
    };
    let inside: Option<ContentDigests> = match &sd.econtent {
        Some(c) => Some(
            digest_reader(&mut c.as_slice(), &algorithms, u64::MAX, &mut |_| Ok(())).map_err(
                |_| Error::Internal {
                    what: "digesting content held in memory",
                },
            )?,
        ),
        None => None,
    };
    // What the signers signed: the encapsulated content when there is one.
    let signed = inside.as_ref().or(external.as_ref());
    report.file_size = external.as_ref().or(signed).map_or(0, |d| d.size);
    let mismatch = matches!((&inside, &external), (Some(i), Some(e)) if i.sha256 != e.sha256);

    for (index, si) in sd.signer_infos.iter().enumerate() {
        let mut r = new_signature_report(index, report.file_size);
        verify_signer(&sd, si, signed, &content, mismatch, opts, time, &mut r)?;
        verdict::decide(&mut r);
        report.signatures.push(r);
    }
    if matches!(sd.trailing, cms::Trailing::Garbage { .. }) {
        report.findings.push(
            Finding::new(
                Code::CmsTrailingData,
                "bytes follow the CMS structure in the signature file",
            )
            .plain(),
        );
    }
    if report.signatures.is_empty() {
        report.findings.push(
            Finding::new(Code::DocNoSignatures, "the SignedData has no signer")
                .remark("cấu trúc SignedData không có người ký nào"),
        );
    }
    report
        .findings
        .extend(crate::verify::network_budget_finding(meter.as_ref()));
    report.update_summary();
    Ok(report)
}

fn new_signature_report(index: usize, size: u64) -> SignatureReport {
    SignatureReport {
        index,
        field_name: None,
        object: None,
        kind: SignatureKind::Approval,
        filter: None,
        sub_filter: None,
        signed_revision: None,
        signer: None,
        claimed_signing_time: None,
        reason: None,
        location: None,
        contact_info: None,
        name: None,
        digest_algorithm: None,
        signature_algorithm: None,
        coverage: Coverage {
            byte_range: Vec::new(),
            status: CoverageStatus::Unknown,
            covered_bytes: 0,
            file_size: size,
        },
        integrity: Integrity::not_checked(),
        chain: ChainReport::not_checked(),
        modifications: Modifications::none(),
        indication: Indication::Indeterminate,
        sub_indication: None,
        findings: Vec::new(),
        pades_level: None,
        time_source: None,
        proven_time: None,
        path_validation_time: None,
        timestamps: Vec::new(),
        missing_for_next_level: Vec::new(),
        archive: None,
        visual: None,
    }
}

#[allow(clippy::too_many_arguments)]
fn verify_signer(
    sd: &SignedData<'_>,
    si: &cms::SignerInfo<'_>,
    signed: Option<&ContentDigests>,
    content: &Content<'_>,
    mismatch: bool,
    opts: &VerifyOptions,
    time: OffsetDateTime,
    r: &mut SignatureReport,
) -> Result<(), Error> {
    if let Some(t) = si
        .signed_attrs
        .as_ref()
        .and_then(|a| a.signing_time().ok().flatten())
    {
        r.claimed_signing_time = Some(t);
        r.findings.push(
            Finding::new(
                Code::TimeClaimedOnly,
                "the signing time is the signer's claim; no timestamp proves it",
            )
            .plain(),
        );
    }
    let Some(signed) = signed else {
        r.findings.push(
            Finding::new(
                Code::DetachedNoContent,
                "the CMS holds no content and no content file was given",
            )
            .plain(),
        );
        return Ok(());
    };
    if mismatch {
        r.findings.push(
            Finding::new(
                Code::DetachedContentMismatch,
                "the CMS encapsulates content that differs from the file given with it",
            )
            .plain(),
        );
    }
    r.coverage.status = CoverageStatus::EntireFile;
    r.coverage.covered_bytes = signed.size;
    r.coverage.file_size = signed.size;
    r.findings.push(
        Finding::new(
            Code::CoverageEntireFile,
            "the signature covers the whole content",
        )
        .plain(),
    );

    let Some(alg) = si.digest() else {
        r.findings.push(
            Finding::new(
                Code::IntegrityAlgorithmUnsupported,
                format!(
                    "digest algorithm {} is not supported",
                    si.digest_algorithm.name()
                ),
            )
            .detail(L::Algorithm, si.digest_algorithm.name()),
        );
        r.integrity.digest = CheckStatus::Unsupported;
        return Ok(());
    };
    r.digest_algorithm = Some(alg.name().to_string());
    let Some(computed) = signed.get(alg) else {
        return Err(Error::Internal {
            what: "the digest was not computed",
        });
    };
    let full_content =
        if si.signed_attrs.is_none() && signed.size <= opts.max_unsigned_attrs_content {
            match (&sd.econtent, content) {
                (Some(c), _) => Some(c.clone()),
                (None, Content::Bytes(b)) => Some(b.to_vec()),
                (None, Content::File(p)) => Some(read_capped(p, opts.max_unsigned_attrs_content)?),
                (None, Content::None) => None,
            }
        } else {
            None
        };
    let check = cms::check_signer(sd, si, computed, full_content.as_deref());
    apply_signer_check(&check, si, false, r);
    let signer = check
        .signer_certificate
        .and_then(|i| sd.certificates.get(i))
        .and_then(|der| opts.cache.certificate(der).ok());
    if let Some(signer) = signer {
        r.signer = Some(signer.info());
        check_chain(
            sd,
            si,
            &signer,
            opts,
            ValidationTime::at(time),
            ChainInputs::from_options(opts),
            r,
        );
    }
    Ok(())
}
