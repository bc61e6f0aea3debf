//! Verification of one signature dictionary.

use time::OffsetDateTime;

use crate::cms::{self, SignedData, SignerInfo};
use crate::crypto::DigestAlgorithm;
use crate::pdf::date::parse_pdf_date;
use crate::pdf::{Dict, Document, Object, Source};
use crate::pki::{
    add_other_revocation_info, add_revocation_info_archival, Certificate, Origin, PathValidator,
    RevocationData, ValidationTime,
};
use crate::report::noted;
use crate::report::DetailLabel as L;
use crate::report::{
    ChainReport, CheckStatus, Code, Coverage, CoverageStatus, Finding, Integrity, Modifications,
    SignatureKind, SignatureReport,
};

use super::coverage::{check_coverage, CoverageCheck};
use super::discover::Candidate;
use super::legacy;
use super::timestamps::{self, DocumentPoe};
use super::{digest, verdict, VerifyOptions};

/// What every signature's verification shares.
pub struct Context<'a, S: Source> {
    pub doc: &'a Document<S>,
    pub opts: &'a VerifyOptions,
    pub time: OffsetDateTime,
    /// Judgements of later revisions, shared by the signatures.
    pub revisions: &'a crate::diff::RevisionCache,
    /// Digests of the signed ranges hashed ahead in one shared pass.
    pub digests: &'a super::hashing::SharedDigests,
}

/// SubFilters whose `/Contents` is a detached CMS SignedData over the byte ranges.
const DETACHED_CMS: [&[u8]; 2] = [b"adbe.pkcs7.detached", b"ETSI.CAdES.detached"];
/// The SubFilter of document timestamps: `/Contents` is an RFC 3161 token over the ranges.
const DOCUMENT_TIMESTAMP: &str = "ETSI.RFC3161";

/// Verifies one signature dictionary; `poe` holds the proofs of existence of the document
/// timestamps that follow it (verified before it).
pub fn verify_one<S: Source>(
    ctx: &Context<'_, S>,
    index: usize,
    c: &Candidate,
    poe: &DocumentPoe,
) -> SignatureReport {
    let dict = &c.dict;
    let sub_filter = dict.get_name(b"SubFilter").map(<[u8]>::to_vec);
    let kind = if dict.get_name(b"Type") == Some(b"DocTimeStamp")
        || sub_filter.as_deref() == Some(b"ETSI.RFC3161")
    {
        SignatureKind::DocumentTimestamp
    } else if is_certification(ctx, c) {
        SignatureKind::Certification
    } else {
        SignatureKind::Approval
    };
    let mut r = SignatureReport {
        index,
        field_name: c.field_names.first().cloned(),
        object: c.object.map(|o| o.to_string()),
        kind,
        filter: dict.get_name(b"Filter").map(lossy),
        sub_filter: sub_filter.as_deref().map(lossy),
        signed_revision: None,
        signer: None,
        claimed_signing_time: None,
        reason: text(ctx, dict, b"Reason"),
        location: text(ctx, dict, b"Location"),
        contact_info: text(ctx, dict, b"ContactInfo"),
        name: text(ctx, dict, b"Name"),
        digest_algorithm: None,
        signature_algorithm: None,
        coverage: Coverage {
            byte_range: Vec::new(),
            status: CoverageStatus::Unknown,
            covered_bytes: 0,
            file_size: ctx.doc.len(),
        },
        integrity: Integrity::not_checked(),
        chain: ChainReport::not_checked(),
        modifications: Modifications::none(),
        indication: crate::report::Indication::Indeterminate,
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
    };
    match c.field_names.len() {
        0 => r.findings.push(
            Finding::new(
                Code::SigUnreachable,
                "no signature field points to this signature dictionary; viewers do not show it",
            )
            .plain(),
        ),
        1 => {}
        _ => r.findings.push(
            Finding::new(
                Code::SigSharedByFields,
                format!(
                    "the signature dictionary is the value of several fields: {}",
                    c.field_names.join(", ")
                ),
            )
            .detail(L::Field, c.field_names.join(", ")),
        ),
    }
    // Past the document's budget (the deadline, most likely) nothing more is checked; the
    // verification's end reports why, on every signature.
    if ctx.doc.meter().check().is_err() {
        verdict::decide(&mut r);
        return r;
    }
    check_signature(ctx, c, poe, &mut r);
    super::modifications::judge_signature(ctx.doc, ctx.revisions, c, index, &mut r);
    verdict::decide(&mut r);
    r
}

fn check_signature<S: Source>(
    ctx: &Context<'_, S>,
    c: &Candidate,
    poe: &DocumentPoe,
    r: &mut SignatureReport,
) {
    let doc = ctx.doc;
    let rev = doc.last_revision();
    let dict = &c.dict;

    // /Contents and /ByteRange, resolved if indirect.
    let contents = match dict.get(b"Contents").map(|o| doc.resolve(rev, o)) {
        Some(Ok(Object::String(s))) => Some(s),
        _ => None,
    };
    let byte_range = dict
        .get(b"ByteRange")
        .and_then(|o| doc.resolve(rev, o).ok());
    let ends: Vec<u64> = doc.revisions().iter().map(|rv| rv.end).collect();
    let cov: CoverageCheck = check_coverage(
        byte_range.as_ref(),
        contents.as_ref().and_then(|s| s.span),
        doc.len(),
        &ends,
    );
    r.coverage = cov.coverage.clone();
    r.signed_revision = cov.signed_revision;
    r.findings.extend(cov.findings.iter().cloned());

    let Some(contents) = contents else {
        r.findings.push(
            Finding::new(
                Code::SigContentsMissing,
                "/Contents is missing or is not a string",
            )
            .plain(),
        );
        return;
    };
    if !contents.hex {
        r.findings.push(
            Finding::new(
                Code::SigContentsNotHex,
                "/Contents is a literal string; PDF signatures store it in hexadecimal",
            )
            .plain(),
        );
    }

    if r.kind == SignatureKind::DocumentTimestamp
        && r.sub_filter.as_deref() == Some(DOCUMENT_TIMESTAMP)
    {
        timestamps::check_document_timestamp(ctx, &contents.bytes, cov.ranges.as_ref(), poe, r);
        return;
    }
    let sub_filter = r.sub_filter.as_deref().unwrap_or_default();
    let detached = DETACHED_CMS.iter().any(|d| d == &sub_filter.as_bytes());
    let sha1_content = sub_filter == legacy::PKCS7_SHA1;
    if sub_filter == legacy::X509_RSA_SHA1 {
        legacy::check_x509_rsa_sha1(ctx, c.object, dict, &contents.bytes, &cov, poe, r);
        return;
    }
    if !detached && !sha1_content {
        r.findings.push(
            Finding::new(
                Code::SigSubFilterUnsupported,
                format!(
                    "SubFilter {} is not verified by this version of kyso",
                    r.sub_filter.as_deref().unwrap_or("(missing)")
                ),
            )
            .detail(
                L::Key,
                format_args!("/SubFilter {}", r.sub_filter.as_deref().unwrap_or("-")),
            ),
        );
        return;
    }

    let sd = match cms::parse_signed_data(&contents.bytes) {
        Ok(sd) => sd,
        Err(e) => {
            r.findings.push(
                Finding::new(
                    Code::CmsMalformed,
                    format!("/Contents is not a CMS SignedData: {e}"),
                )
                .detail(L::Technical, e),
            );
            return;
        }
    };
    note_structure(&sd, sha1_content, r);
    let si = match sd.signer_infos.as_slice() {
        [si] => si,
        other => {
            r.findings.push(
                Finding::new(
                    Code::CmsSignerCount,
                    format!(
                        "the SignedData has {} signer infos; a PDF signature has exactly one",
                        other.len()
                    ),
                )
                .detail(L::Count, other.len()),
            );
            return;
        }
    };
    if let Some(t) = si
        .signed_attrs
        .as_ref()
        .and_then(|a| a.signing_time().ok().flatten())
    {
        r.claimed_signing_time = Some(t);
    } else if let Some(m) = dict.get(b"M").and_then(Object::as_string) {
        r.claimed_signing_time = parse_pdf_date(&m.bytes);
    }
    if r.claimed_signing_time.is_some() {
        r.time_source = Some(crate::report::SigningTimeSource::Claimed);
        r.findings.push(
            Finding::new(
                Code::TimeClaimedOnly,
                "the signing time is the signer's claim; no timestamp proves it",
            )
            .plain(),
        );
    }

    // Integrity: digest over the ranges, then the CMS checks.
    let Some(alg) = si.digest_algorithm.digest_algorithm() else {
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
        return;
    };
    r.digest_algorithm = Some(alg.name().to_string());
    let Some(ranges) = cov.ranges else {
        return;
    };
    // What the CMS signs: the byte ranges, or for adbe.pkcs7.sha1 the SHA-1 digest of them
    // that the SignedData encapsulates.
    let range_alg = if sha1_content {
        DigestAlgorithm::Sha1
    } else {
        alg
    };
    let computed = match ctx.digests.digest(doc.source(), &ranges, range_alg) {
        Ok(d) => d,
        Err(e) => {
            r.findings.push(
                Finding::new(
                    Code::ByteRangeOutsideFile,
                    format!("could not read the signed bytes: {e}"),
                )
                .remark("không đọc được dữ liệu được ký")
                .detail(L::Technical, e),
            );
            return;
        }
    };
    let (computed, full_content, ranges_match) = if sha1_content {
        let Some(econtent) = legacy::encapsulated_sha1(sd.econtent.as_deref(), &computed, r) else {
            return;
        };
        (
            crate::crypto::digest(alg, econtent),
            Some(econtent.to_vec()),
            econtent == computed.as_slice(),
        )
    } else {
        let full_content = if si.signed_attrs.is_none() {
            digest::read_ranges(doc.source(), &ranges, ctx.opts.max_unsigned_attrs_content)
                .unwrap_or_default()
        } else {
            None
        };
        (computed, full_content, true)
    };
    let check = cms::check_signer(&sd, si, &computed, full_content.as_deref());
    apply_signer_check(&check, si, is_pades(r), r);
    if !ranges_match {
        // The CMS may verify over its encapsulated digest, but that digest is not the one
        // of the signed bytes (reported by `encapsulated_sha1`).
        r.integrity.digest = CheckStatus::Failed;
        r.findings.retain(|f| f.code != Code::IntegrityDigestOk);
    }
    let signer = check
        .signer_certificate
        .and_then(|i| sd.certificates.get(i))
        .and_then(|der| ctx.opts.cache.certificate(der).ok());
    let Some(signer) = signer else {
        return;
    };
    r.signer = Some(signer.info());

    // Timestamps first: a proven time decides when the path must be valid, and when the
    // signature's algorithms are judged.
    let proof = timestamps::check_signature_timestamps(ctx, si, poe, r);
    let not_before = timestamps::check_content_timestamps(
        ctx,
        si,
        &|alg| ctx.digests.digest(doc.source(), &ranges, alg).ok(),
        proof.as_ref(),
        r,
    );
    let mut digests = vec![alg];
    if sha1_content {
        digests.push(DigestAlgorithm::Sha1);
    }
    legacy::judge_algorithms(
        ctx,
        check.verified_with.as_ref(),
        &digests,
        proof.as_ref().map_or(ctx.time, |p| p.time),
        proof.is_some(),
        r,
    );
    claimed_after_validation(ctx.time, r);
    let path_time = timestamps::path_time(ctx.time, &signer, proof.as_ref(), r);
    let mut at = ValidationTime::at(path_time);
    if let Some(p) = &proof {
        at = at.with_proven_signing_time(p.time);
    }

    // The certificate path, with the document's /DSS material added to the caller's.
    let mut inputs = ChainInputs::from_options(ctx.opts);
    dss_material(ctx, &mut inputs);
    check_chain(&sd, si, &signer, ctx.opts, at, inputs, r);
    timestamps::revoked_before_content(not_before, r);
    timestamps::conclude(r, proof);
    timestamps::conclude_ltv(ctx, &sd, si, &signer, at, poe, r);
}

/// Clock skew allowed between a signer's claimed signing time and the validation time.
const CLAIMED_TIME_SKEW: time::Duration = time::Duration::minutes(5);

/// A claimed signing time later than the validation time (`kyso verify --at` before the
/// signature was made, or a signer's clock far ahead): the verdict is about a time before
/// the signature says it existed, which the clerk must know. A warning, kyso's own: the
/// claim is the signer's statement and proves nothing, so no EN 319 102-1 indication
/// changes.
fn claimed_after_validation(validation: time::OffsetDateTime, r: &mut SignatureReport) {
    let Some(claimed) = r.claimed_signing_time else {
        return;
    };
    if claimed > validation + CLAIMED_TIME_SKEW {
        let fmt = |t: time::OffsetDateTime| {
            t.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_else(|_| t.to_string())
        };
        r.findings.push(
            Finding::new(
                Code::TimeClaimedAfterValidation,
                format!(
                    "the signature claims to have been made at {}, after the validation time {}: \
                     the verdict is about a time before the signature says it existed",
                    fmt(claimed),
                    fmt(validation)
                ),
            )
            .detail(L::Declared, fmt(claimed))
            .detail(L::Time, fmt(validation)),
        );
    }
}

/// What path validation starts from before the CMS adds its own: the caller's intermediates
/// and revocation data, plus (for a PDF) the document's `/DSS`, and the items that could not
/// be used.
pub(crate) struct ChainInputs {
    intermediates: Vec<Certificate>,
    data: RevocationData,
    unusable: Vec<String>,
}

impl ChainInputs {
    /// The caller's intermediates and revocation data.
    pub(crate) fn from_options(opts: &VerifyOptions) -> Self {
        ChainInputs {
            intermediates: opts.intermediates.clone(),
            data: opts.revocation.clone(),
            unusable: Vec::new(),
        }
    }

    /// The intermediates and revocation data (the unusable items are dropped: the signer's
    /// own check reports them).
    pub(crate) fn into_parts(self) -> (Vec<Certificate>, RevocationData) {
        (self.intermediates, self.data)
    }
}

/// Builds and validates the signer's path with the certificates and revocation data of the
/// CMS, its signed attributes and `inputs` (the caller's, and a PDF's `/DSS`), at `time`, and
/// reports it. Shared by PDF signatures and detached CMS signatures over files.
pub(crate) fn check_chain(
    sd: &SignedData<'_>,
    si: &SignerInfo<'_>,
    signer: &Certificate,
    opts: &VerifyOptions,
    time: ValidationTime,
    inputs: ChainInputs,
    r: &mut SignatureReport,
) {
    let ChainInputs {
        mut intermediates,
        mut data,
        mut unusable,
    } = inputs;
    for der in &sd.certificates {
        match opts.cache.certificate(der) {
            Ok(cert) if cert != *signer => intermediates.push(cert),
            Ok(_) => {}
            Err(e) => r.findings.push(
                Finding::new(
                    Code::ChainCertificateMalformed,
                    format!("a certificate in the CMS could not be read: {e}"),
                )
                .detail(L::Technical, e),
            ),
        }
    }
    for der in &sd.crls {
        if let Err(e) = data.add_crl_der(der, Origin::Cms) {
            unusable.push(format!("a CRL in the CMS: {e}"));
        }
    }
    for raw in &sd.other_revocation_info {
        unusable.extend(add_other_revocation_info(raw, Origin::Cms, &mut data));
    }
    if let Some(attr) = si
        .signed_attrs
        .as_ref()
        .and_then(|a| a.get(&crate::asn1::oid::ADBE_REVOCATION_INFO_ARCHIVAL))
    {
        for value in &attr.values {
            unusable.extend(add_revocation_info_archival(
                value,
                Origin::SignedAttribute,
                &mut data,
            ));
        }
    }
    for u in unusable {
        r.findings
            .push(Finding::new(Code::RevocationDataUnusable, u.clone()).detail(L::Technical, u));
    }

    let mut validator = PathValidator::new(&opts.trust, &opts.validation).with_cache(&opts.cache);
    if let Some(f) = &opts.fetcher {
        validator = validator.with_fetcher(f.0.as_ref());
    }
    let outcome = validator.validate(signer, &intermediates, &data, time);
    r.chain = chain_report(&outcome, &opts.trust);
    r.findings.extend(outcome.findings);
}

/// Builds and validates the signer's path with `certs` (DER, besides the signer's own) and
/// `inputs`, at `time`, and reports it: for signatures without a CMS (`adbe.x509.rsa_sha1`,
/// whose certificates are in `/Cert`).
pub(crate) fn check_chain_of_certificates(
    certs: &[&[u8]],
    signer: &Certificate,
    opts: &VerifyOptions,
    time: ValidationTime,
    inputs: ChainInputs,
    r: &mut SignatureReport,
) {
    let ChainInputs {
        mut intermediates,
        data,
        unusable,
    } = inputs;
    for der in certs {
        match opts.cache.certificate(der) {
            Ok(cert) if cert != *signer => intermediates.push(cert),
            Ok(_) => {}
            Err(e) => r.findings.push(
                Finding::new(
                    Code::ChainCertificateMalformed,
                    format!("a certificate in /Cert could not be read: {e}"),
                )
                .detail(L::Technical, e),
            ),
        }
    }
    for u in unusable {
        r.findings
            .push(Finding::new(Code::RevocationDataUnusable, u.clone()).detail(L::Technical, u));
    }
    let mut validator = PathValidator::new(&opts.trust, &opts.validation).with_cache(&opts.cache);
    if let Some(f) = &opts.fetcher {
        validator = validator.with_fetcher(f.0.as_ref());
    }
    let outcome = validator.validate(signer, &intermediates, &data, time);
    r.chain = chain_report(&outcome, &opts.trust);
    r.findings.extend(outcome.findings);
}

/// Most certificates, CRLs and OCSP responses read from the `/DSS` dictionary.
const MAX_DSS_ITEMS: usize = 256;

/// Certificates, CRLs and OCSP responses of the document's `/DSS` dictionary (ISO 32000-2
/// §12.8.4.3), read from the last revision; returns what could not be read.
pub(crate) fn dss_material<S: Source>(ctx: &Context<'_, S>, inputs: &mut ChainInputs) {
    let ChainInputs {
        intermediates,
        data,
        unusable: problems,
    } = inputs;
    let doc = ctx.doc;
    let rev = doc.last_revision();
    let Some(dss) = doc
        .catalog(rev)
        .ok()
        .and_then(|c| c.get(b"DSS").cloned())
        .and_then(|d| doc.resolve_dict(rev, &d).ok().flatten())
    else {
        return;
    };
    for (key, kind) in [(&b"Certs"[..], 0u8), (b"CRLs", 1), (b"OCSPs", 2)] {
        let Some(list) = dss.get(key).and_then(|o| doc.resolve(rev, o).ok()) else {
            continue;
        };
        for item in list
            .as_array()
            .unwrap_or_default()
            .iter()
            .take(MAX_DSS_ITEMS)
        {
            let bytes = match doc.resolve(rev, item) {
                Ok(Object::Stream(s)) => doc.decode_stream(rev, &s),
                _ => continue,
            };
            let Ok(bytes) = bytes else {
                problems.push(format!("a /DSS {} stream could not be decoded", lossy(key)));
                continue;
            };
            let result = match kind {
                0 => ctx
                    .opts
                    .cache
                    .certificate(&bytes)
                    .map(|c| intermediates.push(c))
                    .map_err(|e| e.to_string()),
                1 => data
                    .add_crl_der(&bytes, Origin::Dss)
                    .map_err(|e| e.to_string()),
                _ => data
                    .add_ocsp_der(&bytes, Origin::Dss)
                    .map_err(|e| e.to_string()),
            };
            if let Err(e) = result {
                problems.push(format!("an item of /DSS /{}: {e}", lossy(key)));
            }
        }
    }
}

/// Structural remarks on the SignedData; `sha1_content` for `adbe.pkcs7.sha1`, whose
/// SignedData encapsulates the digest (checked by `legacy::encapsulated_sha1`).
fn note_structure(sd: &SignedData<'_>, sha1_content: bool, r: &mut SignatureReport) {
    if matches!(sd.trailing, cms::Trailing::Garbage { .. }) {
        r.findings.push(
            Finding::new(
                Code::CmsTrailingData,
                "non-zero bytes follow the CMS structure in /Contents",
            )
            .plain(),
        );
    }
    match sd.econtent.as_deref() {
        _ if sha1_content => {}
        None => {}
        // Written by some e-office systems: nothing is encapsulated in effect, and the
        // signature is checked over the byte ranges like a detached one.
        Some([]) => r.findings.push(
            Finding::new(
                Code::CmsEmptyEncapsulatedContent,
                "the SignedData carries an encapsulated content of length zero; a detached PDF \
                 signature should leave it out (ISO 32000-2 §12.8.3.3.1). The signature was \
                 checked over the signed byte ranges as a detached one",
            )
            .plain(),
        ),
        Some(_) => r.findings.push(
            Finding::new(
                Code::CmsEncapsulatedContent,
                "the SignedData encapsulates content; a detached PDF signature must not",
            )
            .plain(),
        ),
    }
}

fn is_pades(r: &SignatureReport) -> bool {
    r.sub_filter.as_deref() == Some("ETSI.CAdES.detached")
}

/// Maps the CMS layer's step results onto the report.
pub(crate) fn apply_signer_check(
    check: &cms::SignerCheck,
    si: &SignerInfo<'_>,
    pades: bool,
    r: &mut SignatureReport,
) {
    use cms::CheckOutcome as O;
    let reason = |o: &O| match o {
        O::Failed { reason } | O::Unsupported { reason } | O::Skipped { reason } => reason.clone(),
        _ => String::new(),
    };
    r.signature_algorithm = Some(check.signature_algorithm.clone());

    if !check.certificate_lookup.is_ok() {
        r.findings.push(
            Finding::new(
                Code::IntegritySignerCertMissing,
                format!(
                    "the signer's certificate is not in the CMS: {}",
                    reason(&check.certificate_lookup)
                ),
            )
            .detail(L::Technical, reason(&check.certificate_lookup)),
        );
    }
    let has_signed_attrs = si.signed_attrs.is_some();
    if has_signed_attrs {
        if let O::Failed { reason } = &check.signed_attributes {
            r.findings.push(
                Finding::new(Code::CmsMalformed, format!("signed attributes: {reason}"))
                    .remark("các thuộc tính được ký bị lỗi")
                    .detail(L::Technical, reason),
            );
        }
        if !check.content_type.is_ok() {
            r.findings.push(
                Finding::new(
                    Code::IntegrityContentTypeMismatch,
                    format!(
                        "content-type attribute: {}",
                        match &check.content_type {
                            O::NotPresent => "missing".to_string(),
                            other => reason(other),
                        }
                    ),
                )
                .detail(
                    L::Technical,
                    match &check.content_type {
                        O::NotPresent => "missing".to_string(),
                        other => reason(other),
                    },
                ),
            );
        }
    } else if pades {
        r.findings.push(
            Finding::new(
                Code::IntegrityDigestMissing,
                "a PAdES signature must have signed attributes",
            )
            .remark("chữ ký PAdES bắt buộc phải có các thuộc tính được ký"),
        );
    } else {
        r.findings.push(
            Finding::new(
                Code::IntegrityNoSignedAttributes,
                "the signature has no signed attributes; it signs the content directly",
            )
            .plain(),
        );
    }

    r.integrity.signature = match &check.signature {
        O::Ok => noted(
            &mut r.findings,
            CheckStatus::Passed,
            Finding::new(
                Code::IntegritySignatureOk,
                "the signature value verifies with the signer's key",
            )
            .plain(),
        ),
        O::Failed { reason } => noted(
            &mut r.findings,
            CheckStatus::Failed,
            Finding::new(
                Code::IntegritySignatureInvalid,
                format!("the signature value does not verify: {reason}"),
            )
            .detail(L::Technical, reason),
        ),
        O::Unsupported { reason } => noted(
            &mut r.findings,
            CheckStatus::Unsupported,
            Finding::new(
                Code::IntegrityAlgorithmUnsupported,
                format!("the signature cannot be checked: {reason}"),
            )
            .detail(L::Technical, reason),
        ),
        _ => CheckStatus::NotChecked,
    };

    r.integrity.digest = match &check.message_digest {
        O::Ok => noted(
            &mut r.findings,
            CheckStatus::Passed,
            Finding::new(
                Code::IntegrityDigestOk,
                "the signed bytes hash to the signed message-digest",
            )
            .plain(),
        ),
        O::Failed { reason } => noted(
            &mut r.findings,
            CheckStatus::Failed,
            Finding::new(
                Code::IntegrityDigestMismatch,
                format!("the signed bytes were changed: {reason}"),
            )
            .detail(L::Technical, reason),
        ),
        O::NotPresent if has_signed_attrs => noted(
            &mut r.findings,
            CheckStatus::Failed,
            Finding::new(
                Code::IntegrityDigestMissing,
                "the signed attributes have no message-digest",
            )
            .plain(),
        ),
        O::Unsupported { .. } => CheckStatus::Unsupported,
        // Without signed attributes the signature itself covers the content.
        _ if !has_signed_attrs => r.integrity.signature,
        _ => CheckStatus::NotChecked,
    };

    r.integrity.signing_certificate = match &check.signing_certificate {
        O::Ok => CheckStatus::Passed,
        O::Failed { reason } => noted(
            &mut r.findings,
            CheckStatus::Failed,
            Finding::new(
                Code::IntegritySigningCertMismatch,
                format!("the signing-certificate attribute names another certificate: {reason}"),
            )
            .detail(L::Technical, reason),
        ),
        O::NotPresent => {
            if pades {
                r.findings.push(
                    Finding::new(
                        Code::IntegritySigningCertMissing,
                        "PAdES requires the signing-certificate-v2 attribute",
                    )
                    .plain(),
                );
            }
            CheckStatus::NotPresent
        }
        O::Unsupported { reason } => noted(
            &mut r.findings,
            CheckStatus::Unsupported,
            Finding::new(
                Code::IntegrityAlgorithmUnsupported,
                format!("the signing-certificate attribute cannot be checked: {reason}"),
            )
            .remark("không kiểm tra được thuộc tính signing-certificate")
            .detail(L::Technical, reason),
        ),
        _ => CheckStatus::NotChecked,
    };

    if pades {
        let has_time = si
            .signed_attrs
            .as_ref()
            .and_then(|a| a.signing_time().ok().flatten())
            .is_some();
        if has_time {
            r.findings.push(Finding::new(
                Code::PadesSigningTimeAttribute,
                "a PAdES signature carries a signing-time attribute (ETSI EN 319 142-1 forbids it)",
            ).plain());
        }
    }
}

/// True when `c` is the signature referenced by the catalog's `/Perms /DocMDP`.
fn is_certification<S: Source>(ctx: &Context<'_, S>, c: &Candidate) -> bool {
    let Some(obj) = c.object else {
        return false;
    };
    let rev = ctx.doc.last_revision();
    let Ok(catalog) = ctx.doc.catalog(rev) else {
        return false;
    };
    let perms = catalog
        .get(b"Perms")
        .and_then(|p| ctx.doc.resolve_dict(rev, p).ok().flatten());
    perms
        .and_then(|p| p.get(b"DocMDP").and_then(Object::as_ref))
        .is_some_and(|r| r == obj)
}

fn text<S: Source>(ctx: &Context<'_, S>, dict: &Dict, key: &[u8]) -> Option<String> {
    let obj = dict.get(key)?;
    match ctx.doc.resolve(ctx.doc.last_revision(), obj).ok()? {
        Object::String(s) => Some(s.to_text()),
        _ => None,
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The report of a validated path: its status and certificates, and for a trusted path the
/// anchor it ends at with the trust profile that anchor came from.
pub(crate) fn chain_report(
    outcome: &crate::pki::PathOutcome,
    trust: &crate::pki::TrustStore,
) -> ChainReport {
    let anchor = match outcome.status {
        crate::report::ChainStatus::Trusted => outcome.path.last(),
        _ => None,
    };
    let entry = anchor
        .and_then(|c| trust.find_exact(c.der()))
        .filter(|a| a.profile.is_some());
    ChainReport {
        status: outcome.status,
        certificates: outcome.path.iter().map(Certificate::info).collect(),
        anchor: anchor.map(Certificate::label),
        anchor_profile: entry.and_then(|a| a.profile.clone()),
        anchor_role: entry.map(|a| a.role().to_string()),
        revocation: outcome.revocation.clone(),
        policies: outcome.policies.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A trusted path names the trust profile its anchor came from, so that a clerk sees under
    /// which profile (`vn-gov`, `vn-public`, …) a signature was accepted; an anchor given one
    /// by one names none, and an untrusted path names no anchor at all.
    #[cfg(feature = "demo")]
    #[test]
    fn a_trusted_chain_names_its_anchors_profile() {
        use crate::pki::{
            PathValidator, RevocationData, RevocationMode, RevocationPolicy, TrustAnchor,
            TrustStore, ValidationPolicy, ValidationTime,
        };
        let now = OffsetDateTime::now_utc();
        let pki = crate::demo::DemoPki::generate(now).unwrap();
        let target = Certificate::from_der(&pki.officials[0].cert_der).unwrap();
        let ca = Certificate::from_der(&pki.issuing_ca.cert_der).unwrap();
        let mut policy = ValidationPolicy::document_signing();
        policy.revocation = RevocationPolicy::all(RevocationMode::Off);
        let report = |profile: Option<&str>, root_der: &[u8]| {
            let mut trust = TrustStore::empty();
            trust
                .add_anchor({
                    let anchor = TrustAnchor::new(Certificate::from_der(root_der).unwrap());
                    match profile {
                        Some(p) => anchor.with_profile(p),
                        None => anchor,
                    }
                })
                .unwrap();
            let outcome = PathValidator::new(&trust, &policy).validate(
                &target,
                std::slice::from_ref(&ca),
                &RevocationData::new(),
                ValidationTime::at(now),
            );
            chain_report(&outcome, &trust)
        };
        let named = report(Some("vn-gov"), &pki.root.cert_der);
        assert_eq!(named.status, crate::report::ChainStatus::Trusted);
        assert_eq!(named.anchor_profile.as_deref(), Some("vn-gov"));
        assert_eq!(named.anchor_role.as_deref(), Some("signer"));
        let loose = report(None, &pki.root.cert_der);
        assert_eq!(loose.status, crate::report::ChainStatus::Trusted);
        assert_eq!(loose.anchor_profile, None);
        assert_eq!(loose.anchor_role, None);
        // Another root: no path, no anchor, no profile.
        let other = crate::demo::DemoPki::generate(now).unwrap();
        let untrusted = report(Some("vn-gov"), &other.root.cert_der);
        assert_ne!(untrusted.status, crate::report::ChainStatus::Trusted);
        assert_eq!(untrusted.anchor_profile, None);
    }
}
