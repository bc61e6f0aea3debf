//! Timestamps in verification: signature timestamps (the signature-time-stamp unsigned
//! attribute), document timestamps (`/SubFilter /ETSI.RFC3161`), the times they prove, the
//! time a signer's path is validated at, and the PAdES level a signature reaches.
//!
//! ```text
//! verify_source: signatures newest first ──> each document timestamp that validates adds a
//!     proof of existence (DocumentPoe) for every byte before its /Contents
//! signature: signature timestamps (imprint = digest of the signature value) ──> Proof
//!     ──> path_time (the proven time when the signer's certificate has expired since)
//!     ──> conclude: time source, proven time, PAdES level, what the next level needs
//! document timestamp: imprint = digest of the byte ranges, the authority's signature,
//!     certificate and path ──> the report's integrity and chain
//! ```
//!
//! An authority's path is validated at the token's own `genTime`: its certificate must have
//! been valid when it signed (RFC 3161 tokens outlive their authority's certificate; what
//! happened to the authority's key later is the revocation data's business, B-LT).

use time::OffsetDateTime;

use crate::asn1::oid;
use crate::cms::{CheckOutcome, SignerInfo};
use crate::crypto::{digest, DigestAlgorithm};
use crate::pdf::{ObjRef, Object, Source};
use crate::pki::{
    add_other_revocation_info, add_revocation_info_archival, Certificate, Origin, PathOutcome,
    PathValidator, Purpose, RevocationData, RevocationMode, ValidationTime,
};
use crate::report::noted;
use crate::report::DetailLabel as L;
use crate::report::{
    ArchiveStatus, ChainReport, ChainStatus, CheckStatus, Code, Finding, PadesLevel, SignatureKind,
    SignatureReport, SigningTimeSource, TimestampKind, TimestampReport, TimestampStatus,
};
use crate::tsp::{TimestampToken, TokenCheck, TokenProblem};

use super::policy::NewestAuthorityStatus;

use super::coverage::Ranges;
use super::signature::{chain_report, dss_material, ChainInputs, Context};

/// Most signature-time-stamp tokens checked on one signature.
const MAX_SIGNATURE_TIMESTAMPS: usize = 8;

/// Proofs of existence given by the document timestamps verified so far: each covers every
/// byte before its `/Contents`.
#[derive(Debug, Default)]
pub(crate) struct DocumentPoe {
    /// (where the timestamp's `/Contents` starts, the time it proves).
    proofs: Vec<(u64, OffsetDateTime)>,
}

impl DocumentPoe {
    /// Records `r` if it is a document timestamp whose token is valid.
    pub(crate) fn record(&mut self, r: &SignatureReport) {
        if r.kind != SignatureKind::DocumentTimestamp {
            return;
        }
        let valid = r
            .timestamps
            .first()
            .is_some_and(|t| t.status == TimestampStatus::Valid);
        if let (true, Some(time), Some(gap)) = (valid, r.proven_time, gap_start(r)) {
            self.proofs.push((gap, time));
        }
    }

    /// The earliest proven time of a valid document timestamp covering everything up to
    /// `end` (exclusive).
    fn covering(&self, end: Option<u64>) -> Option<OffsetDateTime> {
        let end = end?;
        self.proofs
            .iter()
            .filter(|(gap, _)| *gap >= end)
            .map(|(_, t)| *t)
            .min()
    }
}

/// Where the signed bytes of `r` end (the end of its second range).
fn signed_end(r: &SignatureReport) -> Option<u64> {
    match r.coverage.byte_range.as_slice() {
        [_, _, c, d] => u64::try_from(c.checked_add(*d)?).ok(),
        _ => None,
    }
}

/// The earliest later document timestamp that proves the existence of `r`'s signed bytes,
/// for signatures that carry no signature timestamp of their own (`adbe.x509.rsa_sha1`).
pub(crate) fn document_proof(poe: &DocumentPoe, r: &SignatureReport) -> Option<Proof> {
    poe.covering(signed_end(r)).map(|time| Proof {
        time,
        source: SigningTimeSource::DocumentTimestamp,
    })
}

/// Where the `/Contents` gap of `r` starts.
fn gap_start(r: &SignatureReport) -> Option<u64> {
    match r.coverage.byte_range.as_slice() {
        [0, b, _, _] => u64::try_from(*b).ok(),
        _ => None,
    }
}

/// A time at which the signature is proven to have existed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Proof {
    pub(crate) time: OffsetDateTime,
    source: SigningTimeSource,
}

/// The time to validate `cert`'s path at: `now`, or the proven time when the certificate
/// has expired by `now` and a proof exists.
fn choose_time(
    now: OffsetDateTime,
    cert: &Certificate,
    proof: Option<OffsetDateTime>,
) -> OffsetDateTime {
    match proof {
        Some(t) if cert.not_after() < now => t,
        _ => now,
    }
}

/// One token judged.
struct Judged {
    report: TimestampReport,
    check: Option<TokenCheck>,
    /// (code, message) for each problem of the token itself.
    problems: Vec<(Code, String)>,
    /// The path's findings.
    chain_findings: Vec<Finding>,
    /// genTime plus accuracy, when the token parsed.
    latest: Option<OffsetDateTime>,
    /// Findings about the token's place in the archive (warnings), for the signature.
    notes: Vec<Finding>,
}

fn empty_report(kind: TimestampKind) -> TimestampReport {
    TimestampReport {
        kind,
        status: TimestampStatus::Invalid,
        gen_time: None,
        gen_time_text: None,
        accuracy: None,
        ordering: false,
        policy: None,
        serial: None,
        tsa_name: None,
        imprint_algorithm: None,
        tsa: None,
        chain: ChainReport::not_checked(),
        path_validation_time: None,
        problems: Vec::new(),
    }
}

/// Parses and checks one token: `digest_of` hashes the timestamped data with the token's
/// imprint algorithm.
///
/// EN 319 102-1 §5.6.3: `later_proof` is the time a later valid document timestamp proves
/// the token existed. Without one the token is the newest proof of existence and its
/// authority's path is validated at the validation time (or at `genTime` when that is
/// later); with one, at `genTime`, and the authority's path must still have been within its
/// validity when the later timestamp was made (renewed in time).
fn judge<S: Source>(
    ctx: &Context<'_, S>,
    kind: TimestampKind,
    der: &[u8],
    digest_of: &dyn Fn(DigestAlgorithm) -> Option<Vec<u8>>,
    later_proof: Option<OffsetDateTime>,
) -> Judged {
    let mut report = empty_report(kind);
    let token = match TimestampToken::parse(der) {
        Ok(t) => t,
        Err(e) => {
            let message = format!("not an RFC 3161 timestamp token: {e}");
            report.problems.push(message.clone());
            return Judged {
                report,
                check: None,
                problems: vec![(Code::TspMalformed, message)],
                chain_findings: Vec::new(),
                latest: None,
                notes: Vec::new(),
            };
        }
    };
    let info = &token.info;
    report.gen_time = Some(info.gen_time);
    report.gen_time_text = Some(info.gen_time_text.clone());
    report.accuracy = info.accuracy;
    report.ordering = info.ordering;
    report.policy = Some(info.policy.clone());
    report.serial = Some(info.serial_hex());
    report.tsa_name = info.tsa.clone();
    report.imprint_algorithm = Some(info.imprint_algorithm_name.clone());

    let data_digest = info.imprint_algorithm.and_then(digest_of);
    let check = token.check(data_digest.as_deref());
    let mut problems: Vec<(Code, String)> = check
        .problems()
        .into_iter()
        .map(|(kind, message)| {
            let code = match kind {
                TokenProblem::Imprint => Code::TspImprintMismatch,
                TokenProblem::Signature => Code::TspSignatureInvalid,
                TokenProblem::TsaCertificate => Code::TspCertificateUnusable,
                _ => Code::TspAlgorithmUnsupported,
            };
            (code, message)
        })
        .collect();

    let mut chain_findings = Vec::new();
    let mut notes = Vec::new();
    if let Some(tsa) = &check.tsa_certificate {
        report.tsa = Some(tsa.info());
        let newest = later_proof.is_none();
        let at = match later_proof {
            None => ctx.time.max(info.gen_time),
            Some(_) => info.gen_time,
        };
        // The token's certificates, the caller's and the document's /DSS (where B-LT keeps
        // the authority's certificates and revocation data).
        let mut inputs = ChainInputs::from_options(ctx.opts);
        dss_material(ctx, &mut inputs);
        let (mut intermediates, data) = inputs.into_parts();
        intermediates.extend(check.other_certificates.iter().cloned());
        let mut outcome = validate_tsa_path(tsa, &intermediates, &data, ctx.opts, at);
        let mut path_at = at;
        let expired = outcome.findings.iter().any(|f| {
            matches!(
                f.code,
                Code::ChainCertificateExpired | Code::ChainCertificateNotYetValid
            )
        });
        if newest && expired {
            let until = outcome.path.iter().map(Certificate::not_after).min();
            problems.push((
                Code::TspAuthorityExpired,
                format!(
                    "this is the newest timestamp and its authority's certificate path expired{}                      before the validation time {}; no later timestamp protects it, so it no                      longer proves when the signed data existed (EN 319 102-1 §5.6.3). An                      archive must be renewed (kyso ltv --level b-lta) before its newest                      authority's certificate expires",
                    until
                        .map(|u| format!(" on {}", rfc3339(u)))
                        .unwrap_or_default(),
                    rfc3339(at)
                ),
            ));
        } else if newest
            && !expired
            && ctx.opts.policy.newest_authority_status == NewestAuthorityStatus::EmbeddedAllowed
            && tsa_status_unknown(&outcome)
        {
            // The policy's deviation: the status the embedded data gave at genTime.
            let past = validate_tsa_path(tsa, &intermediates, &data, ctx.opts, info.gen_time);
            if past.is_trusted() && !tsa_status_unknown(&past) {
                notes.push(
                    Finding::new(
                        Code::TspAuthorityStatusFromEmbeddedData,
                        format!(
                            "no revocation data fresh at {} establishes the status of the newest                              timestamp authority \"{}\"; the policy \"{}\" accepts the status the                              embedded data gave at the timestamp's time ({})",
                            rfc3339(at),
                            tsa.label(),
                            ctx.opts.policy.name,
                            rfc3339(info.gen_time)
                        ),
                    )
                    .detail(L::Authority, tsa.label())
                    .detail(L::Time, rfc3339(info.gen_time)),
                );
                outcome = past;
                path_at = info.gen_time;
            }
        }
        if let (Some(proof), true) = (later_proof, outcome.is_trusted()) {
            if let Some(until) = outcome.path.iter().map(Certificate::not_after).min() {
                if proof > until {
                    problems.push((
                        Code::TspRenewedTooLate,
                        format!(
                            "its authority's certificate path expired on {}, before the later                              timestamp of {} that protects it: the archive was renewed too late                              (EN 319 102-1 §5.6.3)",
                            rfc3339(until),
                            rfc3339(proof)
                        ),
                    ));
                }
            }
        }
        report.chain = chain_report(&outcome, &ctx.opts.trust);
        report.path_validation_time = Some(path_at);
        chain_findings = outcome.findings;
    }
    report.problems = problems.iter().map(|(_, m)| m.clone()).collect();
    if report.chain.status != ChainStatus::Trusted && check.tsa_certificate.is_some() {
        report.problems.push(format!(
            "the authority's certificate path did not validate at {}: {}",
            report.path_validation_time.map(rfc3339).unwrap_or_default(),
            summary(&chain_findings)
        ));
    }
    let broken = problems.iter().any(|(c, _)| {
        matches!(
            c,
            Code::TspImprintMismatch | Code::TspSignatureInvalid | Code::TspMalformed
        )
    });
    report.status = if broken {
        TimestampStatus::Invalid
    } else if problems.is_empty() && report.chain.status == ChainStatus::Trusted {
        TimestampStatus::Valid
    } else {
        TimestampStatus::Indeterminate
    };
    let latest = Some(info.latest_time());
    Judged {
        report,
        check: Some(check),
        problems,
        chain_findings,
        latest,
        notes,
    }
}

/// Whether the status of the path's first certificate (the authority) stayed unknown.
fn tsa_status_unknown(outcome: &PathOutcome) -> bool {
    outcome
        .revocation
        .iter()
        .any(|rv| rv.certificate == 0 && rv.status == crate::report::RevocationStatus::Unknown)
}

/// A time in RFC 3339.
fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

/// The error findings' messages, joined.
fn summary(findings: &[Finding]) -> String {
    let errors: Vec<&str> = findings
        .iter()
        .filter(|f| f.severity == crate::report::Severity::Error)
        .map(|f| f.message.as_str())
        .collect();
    if errors.is_empty() {
        "no path".to_owned()
    } else {
        errors.join("; ")
    }
}

/// Verifies the signature timestamps of `si` into `r` and returns the earliest time one of
/// them, or a later document timestamp, proves.
pub(crate) fn check_signature_timestamps<S: Source>(
    ctx: &Context<'_, S>,
    si: &SignerInfo<'_>,
    poe: &DocumentPoe,
    r: &mut SignatureReport,
) -> Option<Proof> {
    let doc_proof = poe.covering(signed_end(r));
    let tokens: Vec<&[u8]> = si
        .unsigned_attrs
        .iter()
        .filter(|a| a.oid == oid::ID_AA_SIGNATURE_TIME_STAMP_TOKEN)
        .flat_map(|a| a.values.iter().copied())
        .collect();
    let mut best: Option<OffsetDateTime> = None;
    for (i, der) in tokens.iter().enumerate() {
        if i >= MAX_SIGNATURE_TIMESTAMPS {
            r.findings.push(
                Finding::new(
                    Code::TspMalformed,
                    format!(
                        "the signature has {} signature timestamps; only the first \
                     {MAX_SIGNATURE_TIMESTAMPS} were checked",
                        tokens.len()
                    ),
                )
                .detail(L::Count, tokens.len())
                .detail(L::Limit, MAX_SIGNATURE_TIMESTAMPS),
            );
            break;
        }
        let signature = si.signature.clone();
        let judged = judge(
            ctx,
            TimestampKind::Signature,
            der,
            &move |alg| Some(digest(alg, &signature)),
            doc_proof,
        );
        r.findings.extend(judged.notes.iter().cloned());
        for (code, message) in &judged.problems {
            r.findings.push(
                Finding::new(*code, format!("signature timestamp: {message}"))
                    .remark("ở dấu thời gian của chữ ký")
                    .detail(L::Technical, message),
            );
        }
        let trusted = judged.report.chain.status == ChainStatus::Trusted;
        let out_of_bounds = judged
            .problems
            .iter()
            .any(|(c, _)| *c == Code::TspAuthorityExpired);
        if judged.check.is_some() && judged.report.tsa.is_some() && !trusted && !out_of_bounds {
            r.findings.push(
                Finding::new(
                    Code::TspUntrusted,
                    format!(
                        "signature timestamp: the authority \"{}\" is not trusted: {}; add its \
                     root as a trust anchor",
                        judged
                            .report
                            .tsa
                            .as_ref()
                            .map(|c| c.subject.as_str())
                            .unwrap_or_default(),
                        summary(&judged.chain_findings)
                    ),
                )
                .remark("hãy thêm chứng thư số gốc của đơn vị này làm chứng thư số gốc tin cậy")
                .detail(
                    L::Authority,
                    judged
                        .report
                        .tsa
                        .as_ref()
                        .map(|c| c.subject.as_str())
                        .unwrap_or_default(),
                )
                .detail(L::Technical, summary(&judged.chain_findings)),
            );
        }
        if judged.report.status == TimestampStatus::Valid {
            if let Some(latest) = judged.latest {
                r.findings.push(
                    Finding::new(
                        Code::TspValid,
                        format!(
                            "signature timestamp by \"{}\" at {} (serial {}): the signature \
                         existed by {}",
                            judged
                                .report
                                .tsa
                                .as_ref()
                                .map(|c| c.subject.as_str())
                                .unwrap_or_default(),
                            judged.report.gen_time_text.as_deref().unwrap_or_default(),
                            judged.report.serial.as_deref().unwrap_or_default(),
                            rfc3339(latest),
                        ),
                    )
                    .detail(
                        L::Authority,
                        judged
                            .report
                            .tsa
                            .as_ref()
                            .map(|c| c.subject.as_str())
                            .unwrap_or_default(),
                    )
                    .detail(
                        L::Time,
                        judged.report.gen_time_text.as_deref().unwrap_or_default(),
                    )
                    .detail(
                        L::Serial,
                        judged.report.serial.as_deref().unwrap_or_default(),
                    ),
                );
                best = Some(best.map_or(latest, |b| b.min(latest)));
            }
        }
        r.timestamps.push(judged.report);
    }
    if let (Some(t), Some(claimed)) = (best, r.claimed_signing_time) {
        if claimed > t {
            r.findings.push(
                Finding::new(
                    Code::TspBeforeClaimedTime,
                    format!(
                        "the signer claims to have signed at {}, after the time the signature \
                     timestamp proves ({})",
                        rfc3339(claimed),
                        rfc3339(t)
                    ),
                )
                .detail(
                    L::Time,
                    format_args!("{} > {}", rfc3339(claimed), rfc3339(t)),
                ),
            );
        }
    }
    match (best, doc_proof) {
        (Some(time), _) => Some(Proof {
            time,
            source: SigningTimeSource::SignatureTimestamp,
        }),
        (None, Some(time)) => Some(Proof {
            time,
            source: SigningTimeSource::DocumentTimestamp,
        }),
        (None, None) => None,
    }
}

/// Most content timestamps checked per signature.
const MAX_CONTENT_TIMESTAMPS: usize = 4;

/// The content timestamps of a signature (the signed id-aa-ets-contentTimestamp attribute,
/// RFC 5126 §5.11.4): each token is checked against the signed content (`digest_of` hashes
/// the signed bytes with the token's imprint algorithm) and its authority's path at its
/// `genTime`, and reported with [`TimestampKind::Content`]. A valid one shows the signature
/// was made after its time; it is never a proof of existence of the signature. When a
/// valid one is later than `proof` (the signature's proof of existence), the timestamps
/// contradict each other: INDETERMINATE/TIMESTAMP_ORDER_FAILURE (EN 319 102-1 §5.5,
/// validation with time: content time-stamps precede the signature time-stamps). One that
/// does not validate is a warning: the verdict does not rest on it.
///
/// Returns the earliest time the signature can have been made by the valid content
/// timestamps (the latest `genTime` minus its accuracy), for [`revoked_before_content`].
pub(crate) fn check_content_timestamps<S: Source>(
    ctx: &Context<'_, S>,
    si: &SignerInfo<'_>,
    digest_of: &dyn Fn(DigestAlgorithm) -> Option<Vec<u8>>,
    proof: Option<&Proof>,
    r: &mut SignatureReport,
) -> Option<OffsetDateTime> {
    let Some(signed) = &si.signed_attrs else {
        return None;
    };
    let mut not_before: Option<OffsetDateTime> = None;
    let tokens: Vec<&[u8]> = signed
        .attributes
        .iter()
        .filter(|a| a.oid == oid::ID_AA_ETS_CONTENT_TIMESTAMP)
        .flat_map(|a| a.values.iter().copied())
        .take(MAX_CONTENT_TIMESTAMPS)
        .collect();
    for der in tokens {
        // Validated at its own time: it is not the newest proof of existence of anything.
        let judged = judge(ctx, TimestampKind::Content, der, digest_of, Some(ctx.time));
        let authority = judged
            .report
            .tsa
            .as_ref()
            .map(|c| c.subject.clone())
            .unwrap_or_default();
        let gen_time = judged.report.gen_time;
        match (judged.report.status, gen_time) {
            (TimestampStatus::Valid, Some(t)) => {
                let earliest = t - judged
                    .report
                    .accuracy
                    .map(|a| a.duration())
                    .unwrap_or_default();
                not_before = Some(not_before.map_or(earliest, |n| n.max(earliest)));
                r.findings.push(
                    Finding::new(
                        Code::TspContentValid,
                        format!(
                            "content timestamp by \"{authority}\" at {}: the signature was made \
                             after that time",
                            judged.report.gen_time_text.as_deref().unwrap_or_default()
                        ),
                    )
                    .detail(L::Authority, &authority)
                    .detail(L::Time, rfc3339(t)),
                );
                if let Some(p) = proof.filter(|p| t > p.time) {
                    r.findings.push(
                        Finding::new(
                            Code::TspContentAfterProof,
                            format!(
                                "the content timestamp of {} is later than the proof that the \
                                 signature existed ({}, by its {}): the timestamps contradict \
                                 each other (EN 319 102-1: content timestamps precede the \
                                 signature's proofs of existence)",
                                rfc3339(t),
                                rfc3339(p.time),
                                match p.source {
                                    SigningTimeSource::DocumentTimestamp => "document timestamp",
                                    _ => "signature timestamp",
                                }
                            ),
                        )
                        .detail(
                            L::Time,
                            format_args!("{} > {}", rfc3339(t), rfc3339(p.time)),
                        ),
                    );
                }
            }
            _ => {
                let why = if judged.report.problems.is_empty() {
                    "it does not validate".to_owned()
                } else {
                    judged.report.problems.join("; ")
                };
                r.findings.push(
                    Finding::new(
                        Code::TspContentNotValid,
                        format!("content timestamp: {why}; it proves nothing"),
                    )
                    .remark("dấu thời gian nội dung không hợp lệ")
                    .detail(L::Technical, &why),
                );
            }
        }
        r.timestamps.push(judged.report);
    }
    not_before
}

/// EN 319 102-1 §5.2.6 and Table 5: when the signer's certificate was revoked before
/// `not_before` (the earliest time a valid content timestamp allows for the signature),
/// the signature was provably made after the revocation: TOTAL-FAILED/REVOKED
/// (`revocation.revoked_before_content_timestamp`), beside the INDETERMINATE/REVOKED_NO_POE
/// the revocation alone gives.
pub(crate) fn revoked_before_content(not_before: Option<OffsetDateTime>, r: &mut SignatureReport) {
    let Some(not_before) = not_before else {
        return;
    };
    let revoked = r
        .chain
        .revocation
        .iter()
        .find(|x| x.certificate == 0 && x.status == crate::report::RevocationStatus::Revoked);
    let Some((subject, at)) = revoked.and_then(|x| Some((x.subject.clone(), x.revoked_at?))) else {
        return;
    };
    if at < not_before {
        r.findings.push(
            Finding::new(
                Code::RevocationRevokedBeforeContentTimestamp,
                format!(
                    "the signer's certificate \"{subject}\" was revoked on {}, and a content \
                     timestamp shows the signature was made after {}: it was made with a \
                     revoked certificate",
                    rfc3339(at),
                    rfc3339(not_before)
                ),
            )
            .detail(L::Certificate, &subject)
            .detail(L::RevokedAt, rfc3339(at))
            .detail(L::Time, rfc3339(not_before)),
        );
    }
}

/// The time to validate the signer's path at (recorded in `r` when it is not the
/// validation time).
pub(crate) fn path_time(
    now: OffsetDateTime,
    signer: &Certificate,
    proof: Option<&Proof>,
    r: &mut SignatureReport,
) -> OffsetDateTime {
    let at = choose_time(now, signer, proof.map(|p| p.time));
    if at != now {
        r.path_validation_time = Some(at);
        r.findings.push(
            Finding::new(
                Code::TimePathAtProvenTime,
                format!(
                    "the signer's certificate expired on {}, before the validation time; its path \
                 is validated at {}, when the signature is proven to have existed",
                    rfc3339(signer.not_after()),
                    rfc3339(at)
                ),
            )
            .detail(L::NotAfter, rfc3339(signer.not_after()))
            .detail(L::Time, rfc3339(at)),
        );
    }
    at
}

/// Records the time source, the proven time and the PAdES level of a signature.
pub(crate) fn conclude(r: &mut SignatureReport, proof: Option<Proof>) {
    match proof {
        Some(p) => {
            r.findings.retain(|f| f.code != Code::TimeClaimedOnly);
            r.time_source = Some(p.source);
            r.proven_time = Some(p.time);
            let (code, by) = match p.source {
                SigningTimeSource::DocumentTimestamp => (
                    Code::TimeProvenByDocumentTimestamp,
                    "a later document timestamp",
                ),
                _ => (
                    Code::TimeProvenBySignatureTimestamp,
                    "its signature timestamp",
                ),
            };
            r.findings.push(
                Finding::new(
                    code,
                    format!("the signature existed by {} ({by})", rfc3339(p.time)),
                )
                .detail(L::Time, rfc3339(p.time)),
            );
        }
        None if r.claimed_signing_time.is_some() => {
            r.time_source = Some(SigningTimeSource::Claimed);
        }
        None => {}
    }
    let pades = r.sub_filter.as_deref() == Some("ETSI.CAdES.detached")
        && r.kind != SignatureKind::DocumentTimestamp;
    let basic = r.integrity.intact() && r.integrity.signing_certificate == CheckStatus::Passed;
    if !pades || !basic {
        return;
    }
    let (level, missing) = if proof.is_some() {
        (
            PadesLevel::BT,
            "B-LT: the certificates and revocation data (CRLs or OCSP responses) of the signer \
             and of the timestamp authority in the document security store (/DSS); kyso does \
             not assess B-LT yet",
        )
    } else {
        (
            PadesLevel::BB,
            "B-T: a signature timestamp, or a later document timestamp, from a trusted \
             timestamp authority",
        )
    };
    r.pades_level = Some(level);
    r.missing_for_next_level = vec![missing.to_owned()];
    r.findings.push(
        Finding::new(
            Code::PadesLevel,
            format!("PAdES {}; for the next level: {missing}", level.as_str()),
        )
        .detail(L::Level, level.as_str())
        .detail(L::Technical, missing),
    );
}

/// Verifies a document timestamp (`/Contents` = `contents`, an RFC 3161 token over the
/// byte ranges) into `r`.
pub(crate) fn check_document_timestamp<S: Source>(
    ctx: &Context<'_, S>,
    contents: &[u8],
    ranges: Option<&Ranges>,
    poe: &DocumentPoe,
    r: &mut SignatureReport,
) {
    let Some(ranges) = ranges else {
        return;
    };
    let doc = ctx.doc;
    let read_error = std::cell::RefCell::new(None);
    let later_proof = poe.covering(signed_end(r));
    let judged = judge(
        ctx,
        TimestampKind::Document,
        contents,
        &|alg| match super::digest::digest_ranges(doc.source(), ranges, alg) {
            Ok(d) => Some(d),
            Err(e) => {
                *read_error.borrow_mut() = Some(e.to_string());
                None
            }
        },
        later_proof,
    );
    r.findings.extend(judged.notes.iter().cloned());
    if let Some(e) = read_error.into_inner() {
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
    let Some(check) = &judged.check else {
        for (_, message) in &judged.problems {
            r.findings.push(
                Finding::new(Code::CmsMalformed, message.clone()).detail(L::Technical, message),
            );
        }
        r.timestamps.push(judged.report);
        return;
    };
    token_integrity(check, &judged, r);
    token_authority(ctx.time, check, &judged, r);
    r.timestamps.push(judged.report);
}

/// A document timestamp's integrity (RFC 3161 §2.4.2): the message imprint over the byte
/// ranges, the authority's certificate in the token, its signature over the TSTInfo and the
/// ESS signing-certificate attribute (RFC 3161 §2.4.1).
fn token_integrity(check: &TokenCheck, judged: &Judged, r: &mut SignatureReport) {
    r.digest_algorithm = judged.report.imprint_algorithm.clone();
    r.signature_algorithm = Some(check.signer.signature_algorithm.clone());
    r.integrity.digest = match &check.imprint {
        CheckOutcome::Ok => noted(
            &mut r.findings,
            CheckStatus::Passed,
            Finding::new(
                Code::IntegrityDigestOk,
                "the signed bytes hash to the token's message imprint",
            )
            .plain(),
        ),
        CheckOutcome::Unsupported { reason } => noted(
            &mut r.findings,
            CheckStatus::Unsupported,
            Finding::new(
                Code::IntegrityAlgorithmUnsupported,
                format!("the document timestamp cannot be checked: {reason}"),
            )
            .detail(L::Technical, reason),
        ),
        _ => noted(
            &mut r.findings,
            CheckStatus::Failed,
            Finding::new(
                Code::IntegrityDigestMismatch,
                "the signed bytes were changed: they do not hash to the token's message \
                 imprint",
            )
            .plain(),
        ),
    };
    if !check.signer.certificate_lookup.is_ok() {
        r.findings.push(
            Finding::new(
                Code::IntegritySignerCertMissing,
                "the timestamp authority's certificate is not in the token",
            )
            .remark("chứng thư số của đơn vị cấp dấu thời gian không có trong dấu thời gian"),
        );
    }
    let token_parts = [
        &check.signer.signed_attributes,
        &check.signer.content_type,
        &check.signer.message_digest,
        &check.signer.signature,
    ];
    r.integrity.signature = if token_parts.iter().all(|o| o.is_ok()) {
        r.findings.push(
            Finding::new(
                Code::IntegritySignatureOk,
                "the timestamp authority's signature over the TSTInfo verifies",
            )
            .remark("chữ ký của đơn vị cấp dấu thời gian đúng"),
        );
        CheckStatus::Passed
    } else if token_parts
        .iter()
        .any(|o| matches!(o, CheckOutcome::Unsupported { .. }))
    {
        r.findings.push(
            Finding::new(
                Code::IntegrityAlgorithmUnsupported,
                "the timestamp authority's signature cannot be checked: unsupported algorithm",
            )
            .remark("không kiểm tra được chữ ký của đơn vị cấp dấu thời gian"),
        );
        CheckStatus::Unsupported
    } else if matches!(check.signer.signature, CheckOutcome::Skipped { .. }) {
        CheckStatus::NotChecked
    } else {
        let reasons: Vec<String> = judged
            .problems
            .iter()
            .filter(|(c, _)| *c == Code::TspSignatureInvalid)
            .map(|(_, m)| m.clone())
            .collect();
        r.findings.push(
            Finding::new(
                Code::IntegritySignatureInvalid,
                format!(
                    "the timestamp authority's signature does not verify: {}",
                    reasons.join("; ")
                ),
            )
            .remark("chữ ký của đơn vị cấp dấu thời gian không đúng")
            .detail(L::Technical, reasons.join("; ")),
        );
        CheckStatus::Failed
    };
    r.integrity.signing_certificate = match (
        &check.signer.signing_certificate,
        check.signing_certificate_present,
    ) {
        (CheckOutcome::Ok, _) => CheckStatus::Passed,
        (_, false) => noted(
            &mut r.findings,
            CheckStatus::Failed,
            Finding::new(
                Code::IntegritySigningCertMissing,
                "the token lacks the ESS signing-certificate attribute RFC 3161 §2.4.1 requires",
            )
            .remark(
                "dấu thời gian thiếu thuộc tính ESS signing-certificate mà RFC 3161 §2.4.1 yêu cầu",
            ),
        ),
        (CheckOutcome::Failed { reason }, _) => noted(
            &mut r.findings,
            CheckStatus::Failed,
            Finding::new(
                Code::IntegritySigningCertMismatch,
                format!("the token's signing-certificate attribute: {reason}"),
            )
            .remark("ở dấu thời gian")
            .detail(L::Technical, reason),
        ),
        _ => CheckStatus::NotChecked,
    };
}

/// The authority of a document timestamp: its certificate and path (validated at
/// `validation_time` or at a later proven time), and what the token proves when valid.
fn token_authority(
    validation_time: OffsetDateTime,
    check: &TokenCheck,
    judged: &Judged,
    r: &mut SignatureReport,
) {
    for (code, message) in &judged.problems {
        let archival = matches!(code, Code::TspAuthorityExpired | Code::TspRenewedTooLate);
        if archival || (*code == Code::TspCertificateUnusable && check.tsa_certificate.is_some()) {
            r.findings
                .push(Finding::new(*code, message.clone()).detail(L::Technical, message));
        }
    }
    if let Some(tsa) = &check.tsa_certificate {
        r.signer = Some(tsa.info());
    }
    r.chain = judged.report.chain.clone();
    r.findings.extend(judged.chain_findings.iter().cloned());
    if r.chain.status == ChainStatus::Trusted {
        r.findings.push(
            Finding::new(
                Code::ChainRevocationNotChecked,
                "revocation status was not checked",
            )
            .plain(),
        );
    }
    if let Some(at) = judged
        .report
        .path_validation_time
        .filter(|t| *t != validation_time)
    {
        r.path_validation_time = Some(at);
        r.findings.push(
            Finding::new(
                Code::TimePathAtProvenTime,
                format!(
                    "the authority's certificate has expired by the validation time; its path is \
                 validated at {}, when a later document timestamp proves the token existed",
                    rfc3339(at)
                ),
            )
            .remark("chứng thư số của đơn vị cấp dấu thời gian")
            .detail(L::Time, rfc3339(at)),
        );
    }
    if judged.report.status == TimestampStatus::Valid {
        r.proven_time = judged.latest;
        r.time_source = Some(SigningTimeSource::DocumentTimestamp);
        r.findings.push(
            Finding::new(
                Code::TspValid,
                format!(
                    "document timestamp by \"{}\" at {} (serial {})",
                    r.signer
                        .as_ref()
                        .map(|c| c.subject.as_str())
                        .unwrap_or_default(),
                    judged.report.gen_time_text.as_deref().unwrap_or_default(),
                    judged.report.serial.as_deref().unwrap_or_default(),
                ),
            )
            .remark("dấu thời gian tài liệu hợp lệ")
            .detail(
                L::Authority,
                r.signer
                    .as_ref()
                    .map(|c| c.subject.as_str())
                    .unwrap_or_default(),
            )
            .detail(
                L::Time,
                judged.report.gen_time_text.as_deref().unwrap_or_default(),
            )
            .detail(
                L::Serial,
                judged.report.serial.as_deref().unwrap_or_default(),
            ),
        );
    }
}

// ---------------------------------------------------------------------------------------
// B-LT and B-LTA.

/// Raises a B-T signature to B-LT when the document alone (the CMS, its signature
/// timestamps and the `/DSS`; not the caller's data, not the network) validates the signer's
/// path at the proven time and each valid signature timestamp's authority path at its `genTime`, with
/// revocation data required for every certificate but the anchors; to B-LTA when, besides,
/// a valid document timestamp covers that material: the CMS and the `/DSS` as it was in the
/// revision before the timestamp validate the paths too. Otherwise records what is missing.
pub(crate) fn conclude_ltv<S: Source>(
    ctx: &Context<'_, S>,
    sd: &crate::cms::SignedData<'_>,
    si: &SignerInfo<'_>,
    signer: &Certificate,
    at: ValidationTime,
    poe: &DocumentPoe,
    r: &mut SignatureReport,
) {
    if r.pades_level != Some(PadesLevel::BT) {
        return;
    }
    let check = LtvCheck::new(ctx, si, signer, at, r);
    let last = ctx.doc.last_revision();
    let missing = check.missing(ctx, &embedded_material(ctx, last, None, sd, si));
    if !missing.is_empty() {
        set_level(r, PadesLevel::BT, missing);
        return;
    }
    // The document timestamps after the signature, earliest first.
    let signed = signed_end(r).unwrap_or(u64::MAX);
    let mut proofs: Vec<(u64, OffsetDateTime)> = poe
        .proofs
        .iter()
        .copied()
        .filter(|(gap, _)| *gap >= signed)
        .collect();
    proofs.sort();
    let revisions = ctx.doc.revisions();
    let covered = proofs
        .iter()
        .take(MAX_SIGNATURE_TIMESTAMPS)
        .find(|(gap, _)| {
            // The /DSS of the revision holding the timestamp, as far as the timestamp covers it
            // (pyHanko writes the store and the timestamp in one update).
            let Some(k) = revisions.iter().position(|rv| rv.end > *gap) else {
                return false;
            };
            check
                .missing(ctx, &embedded_material(ctx, k, Some(*gap), sd, si))
                .is_empty()
        });
    match covered {
        Some((_, t)) => {
            set_level(r, PadesLevel::BLta, Vec::new());
            r.findings.push(
                Finding::new(
                    Code::PadesLevel,
                    format!(
                        "the validation data in the document is covered by a document timestamp \
                     of {}",
                        rfc3339(*t)
                    ),
                )
                .remark("dữ liệu kiểm tra trong tài liệu được một dấu thời gian tài liệu bảo vệ")
                .detail(L::Level, PadesLevel::BLta.as_str())
                .detail(L::Time, rfc3339(*t)),
            );
        }
        None => set_level(
            r,
            PadesLevel::BLt,
            vec![
                "B-LTA: a document timestamp, from a trusted authority, added after the \
                 validation data (/DSS)"
                    .to_owned(),
            ],
        ),
    }
}

/// The paths B-LT needs: the signer's at the proven time (B-LT only ever applies to B-T
/// signatures, which have one), and each valid signature timestamp's authority at its
/// `genTime`; revocation required, offline.
struct LtvCheck {
    policy: crate::pki::ValidationPolicy,
    signer: Certificate,
    at: ValidationTime,
    /// (authority, the token's certificates, genTime).
    authorities: Vec<(Certificate, Vec<Certificate>, OffsetDateTime)>,
}

impl LtvCheck {
    fn new<S: Source>(
        ctx: &Context<'_, S>,
        si: &SignerInfo<'_>,
        signer: &Certificate,
        at: ValidationTime,
        r: &SignatureReport,
    ) -> LtvCheck {
        let mut policy = ctx.opts.validation.clone();
        policy.revocation.end_entity = RevocationMode::Require;
        policy.revocation.intermediates = RevocationMode::Require;
        policy.revocation.online = false;
        let tokens = si
            .unsigned_attrs
            .iter()
            .filter(|a| a.oid == oid::ID_AA_SIGNATURE_TIME_STAMP_TOKEN)
            .flat_map(|a| a.values.iter().copied())
            .take(MAX_SIGNATURE_TIMESTAMPS);
        let mut authorities = Vec::new();
        let signature_reports = r
            .timestamps
            .iter()
            .filter(|t| t.kind == TimestampKind::Signature);
        for (der, report) in tokens.zip(signature_reports) {
            if report.status != TimestampStatus::Valid {
                continue;
            }
            let Ok(token) = TimestampToken::parse(der) else {
                continue;
            };
            let check = token.check(None);
            if let Some(tsa) = check.tsa_certificate {
                authorities.push((tsa, check.other_certificates, token.info.gen_time));
            }
        }
        // The data must establish the status when the signature is proven to exist, not at
        // the validation time: embedded OCSP responses go stale within days.
        let at = match at.proven_signing_time {
            Some(t) => ValidationTime::at(t).with_proven_signing_time(t),
            None => at,
        };
        LtvCheck {
            policy,
            signer: signer.clone(),
            at,
            authorities,
        }
    }

    /// What `material` lacks for every path to validate (empty: nothing).
    fn missing<S: Source>(
        &self,
        ctx: &Context<'_, S>,
        material: &(Vec<Certificate>, RevocationData),
    ) -> Vec<String> {
        let (intermediates, data) = material;
        let mut missing = Vec::new();
        let outcome = PathValidator::new(&ctx.opts.trust, &self.policy)
            .with_cache(&ctx.opts.cache)
            .validate(&self.signer, intermediates, data, self.at);
        lacking("the signer", &outcome, &mut missing);
        let tsa_policy = self.policy.clone().with_purpose(Purpose::Timestamping);
        for (tsa, token_certs, gen_time) in &self.authorities {
            let mut pool = intermediates.clone();
            pool.extend(token_certs.iter().cloned());
            let outcome = PathValidator::new(&ctx.opts.trust, &tsa_policy)
                .with_cache(&ctx.opts.cache)
                .validate(tsa, &pool, data, ValidationTime::at(*gen_time));
            lacking(
                "the signature timestamp's authority",
                &outcome,
                &mut missing,
            );
        }
        missing
    }
}

/// Replaces the level finding written by [`conclude`].
fn set_level(r: &mut SignatureReport, level: PadesLevel, missing: Vec<String>) {
    r.findings.retain(|f| f.code != Code::PadesLevel);
    r.pades_level = Some(level);
    let text = if missing.is_empty() {
        format!("PAdES {}", level.as_str())
    } else {
        format!(
            "PAdES {}; for the next level: {}",
            level.as_str(),
            missing.join("; ")
        )
    };
    r.missing_for_next_level = missing;
    let mut finding = Finding::new(Code::PadesLevel, text).detail(L::Level, level.as_str());
    if !r.missing_for_next_level.is_empty() {
        finding = finding.detail(L::Technical, r.missing_for_next_level.join("; "));
    }
    r.findings.push(finding);
}

/// What the document lacks for `outcome` (a validation with only its own material) to pass.
fn lacking(whose: &str, outcome: &PathOutcome, missing: &mut Vec<String>) {
    if outcome.is_trusted() {
        return;
    }
    let before = missing.len();
    for rv in &outcome.revocation {
        if rv.status == crate::report::RevocationStatus::Unknown {
            missing.push(format!(
                "B-LT: revocation data (an OCSP response or a CRL) for \"{}\" (path of \
                 {whose}) in the /DSS",
                rv.subject
            ));
        }
    }
    if missing.len() == before {
        missing.push(format!(
            "B-LT: the certificates and revocation data of the path of {whose} in the /DSS \
             (with only the document's material: {})",
            summary(&outcome.findings)
        ));
    }
}

/// The certificates and revocation data the document itself holds for a signature: its
/// CMS (certificates, crls, adbe-revocationInfoArchival) and the `/DSS` of revision `rev`
/// (only its objects that lie before `limit`, when given).
fn embedded_material<S: Source>(
    ctx: &Context<'_, S>,
    rev: usize,
    limit: Option<u64>,
    sd: &crate::cms::SignedData<'_>,
    si: &SignerInfo<'_>,
) -> (Vec<Certificate>, RevocationData) {
    let (mut certs, mut data) = dss_at(ctx, rev, limit);
    certs.extend(
        sd.certificates
            .iter()
            .filter_map(|d| ctx.opts.cache.certificate(d).ok()),
    );
    for der in &sd.crls {
        let _ = data.add_crl_der(der, Origin::Cms);
    }
    for raw in &sd.other_revocation_info {
        let _ = add_other_revocation_info(raw, Origin::Cms, &mut data);
    }
    if let Some(attr) = si
        .signed_attrs
        .as_ref()
        .and_then(|a| a.get(&oid::ADBE_REVOCATION_INFO_ARCHIVAL))
    {
        for value in &attr.values {
            let _ = add_revocation_info_archival(value, Origin::SignedAttribute, &mut data);
        }
    }
    (certs, data)
}

/// Most items of one kind read from a `/DSS` for the level.
const MAX_DSS_ITEMS: usize = 256;

/// The certificates, CRLs and OCSP responses of the `/DSS` as revision `rev` has it, only
/// the objects that lie before `limit` when given (unreadable items are skipped: the
/// signature's own check reports them).
fn dss_at<S: Source>(
    ctx: &Context<'_, S>,
    rev: usize,
    limit: Option<u64>,
) -> (Vec<Certificate>, RevocationData) {
    let doc = ctx.doc;
    let mut certs = Vec::new();
    let mut data = RevocationData::new();
    let before = |o: &Object| match (o, limit) {
        (Object::Reference(r), Some(limit)) => located_before(ctx, rev, *r, limit),
        _ => true,
    };
    let Some(entry) = doc.catalog(rev).ok().and_then(|c| c.get(b"DSS").cloned()) else {
        return (certs, data);
    };
    let Some(dss) = doc
        .resolve_dict(rev, &entry)
        .ok()
        .flatten()
        .filter(|_| before(&entry))
    else {
        return (certs, data);
    };
    for (key, kind) in [(&b"Certs"[..], 0u8), (b"CRLs", 1), (b"OCSPs", 2)] {
        let Some(list) = dss
            .get(key)
            .filter(|o| before(o))
            .and_then(|o| doc.resolve(rev, o).ok())
        else {
            continue;
        };
        for item in list
            .as_array()
            .unwrap_or_default()
            .iter()
            .take(MAX_DSS_ITEMS)
            .filter(|o| before(o))
        {
            let Ok(bytes) = (match doc.resolve(rev, item) {
                Ok(Object::Stream(s)) => doc.decode_stream(rev, &s),
                _ => continue,
            }) else {
                continue;
            };
            match kind {
                0 => {
                    if let Ok(c) = ctx.opts.cache.certificate(&bytes) {
                        certs.push(c);
                    }
                }
                1 => {
                    let _ = data.add_crl_der(&bytes, Origin::Dss);
                }
                _ => {
                    let _ = data.add_ocsp_der(&bytes, Origin::Dss);
                }
            }
        }
    }
    (certs, data)
}

/// True when object `r` (as revision `rev` defines it) lies in the file before `limit`:
/// its header, or its object stream's header.
fn located_before<S: Source>(ctx: &Context<'_, S>, rev: usize, r: ObjRef, limit: u64) -> bool {
    use crate::pdf::XrefEntry;
    match ctx.doc.lookup(rev, r) {
        Some(XrefEntry::InFile { offset, .. }) => offset < limit,
        Some(XrefEntry::InStream { stream_num, .. }) => matches!(
            ctx.doc.lookup(rev, ObjRef::new(stream_num, 0)),
            Some(XrefEntry::InFile { offset, .. }) if offset < limit
        ),
        _ => false,
    }
}

/// Validates the authority's certificate path at `at` (the token's genTime) with the
/// verifier's anchors and validation policy, for the purpose of timestamping (an anchor
/// limited to document signing does not vouch for an authority), with `revocation` (the
/// caller's data, the token's and the document's) and the verifier's fetcher.
fn validate_tsa_path(
    tsa: &Certificate,
    intermediates: &[Certificate],
    revocation: &RevocationData,
    opts: &super::VerifyOptions,
    at: OffsetDateTime,
) -> PathOutcome {
    let policy = opts.validation.clone().with_purpose(Purpose::Timestamping);
    let mut validator = PathValidator::new(&opts.trust, &policy).with_cache(&opts.cache);
    if let Some(f) = &opts.fetcher {
        validator = validator.with_fetcher(f.0.as_ref());
    }
    validator.validate(tsa, intermediates, revocation, ValidationTime::at(at))
}

// ---------------------------------------------------------------------------------------
// How long each signature stays provable.

/// Sets [`SignatureReport::archive`] on every signature whose time a timestamp proves (or
/// would prove): the newest timestamp protecting it — the last document timestamp covering
/// it, else its own newest signature timestamp — until when that timestamp's authority path
/// stays valid, and what the archive needs next (EN 319 102-1 §5.6.3).
pub(crate) fn archive_status(signatures: &mut [SignatureReport]) {
    // (where the /Contents gap starts, the token's report) of every document timestamp.
    let documents: Vec<(u64, TimestampReport)> = signatures
        .iter()
        .filter(|s| s.kind == SignatureKind::DocumentTimestamp)
        .filter_map(|s| Some((gap_start(s)?, s.timestamps.first()?.clone())))
        .collect();
    for s in signatures
        .iter_mut()
        .filter(|s| s.kind != SignatureKind::DocumentTimestamp)
    {
        let Some(end) = signed_end(s) else { continue };
        let newest = documents
            .iter()
            .filter(|(gap, t)| *gap >= end && t.gen_time.is_some())
            .max_by_key(|(gap, _)| *gap)
            .map(|(_, t)| t.clone())
            .or_else(|| {
                s.timestamps
                    .iter()
                    .filter(|t| t.kind == TimestampKind::Signature && t.gen_time.is_some())
                    .max_by_key(|t| t.gen_time)
                    .cloned()
            });
        let Some(t) = newest else { continue };
        let Some(newest_time) = t.gen_time else {
            continue;
        };
        let until = t
            .chain
            .certificates
            .iter()
            .map(|c| c.not_after)
            .chain(t.tsa.as_ref().map(|c| c.not_after))
            .min();
        let holds = t.status == TimestampStatus::Valid;
        let authority = t
            .tsa
            .as_ref()
            .map(|c| c.subject.clone())
            .unwrap_or_default();
        let until_text = until.map(rfc3339).unwrap_or_else(|| "(unknown)".into());
        let next = if holds {
            format!(
                "renew before {until_text}: add a document timestamp (kyso ltv --level b-lta) \
                 from an authority whose certificate outlives that date"
            )
        } else if t
            .problems
            .iter()
            .any(|p| p.contains("newest timestamp") || p.contains("renewed too late"))
        {
            format!(
                "none possible: the proof of existence ended on {until_text}, when the newest \
                 timestamp's authority expired without a later timestamp"
            )
        } else {
            "a valid timestamp: the newest one does not validate (see its findings)".to_owned()
        };
        let kind = t.kind;
        s.findings.push(
            Finding::new(
                Code::ArchiveProvableUntil,
                match holds {
                    true => format!(
                        "provable until {until_text} (the {} of {} by \"{authority}\"); next: \
                         {next}",
                        kind_text(kind),
                        rfc3339(newest_time)
                    ),
                    false => format!(
                        "no longer provable: the {} of {} by \"{authority}\" does not hold at the \
                         validation time; next: {next}",
                        kind_text(kind),
                        rfc3339(newest_time)
                    ),
                },
            )
            .detail(L::Authority, &authority)
            .detail(L::Time, &until_text),
        );
        s.archive = Some(ArchiveStatus {
            newest_timestamp: kind,
            newest_time,
            authority,
            provable_until: until,
            holds,
            next,
        });
    }
}

fn kind_text(kind: TimestampKind) -> &'static str {
    match kind {
        TimestampKind::Document => "document timestamp",
        _ => "signature timestamp",
    }
}
