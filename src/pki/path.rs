//! Path building and basic validation from a signer's certificate to a trust anchor.
//!
//! This is the foundation's check: name chaining (DER-equal names, with a case-insensitive
//! text fallback), issuer candidates ranked by key identifier, certificate signatures,
//! validity at the validation time, basicConstraints cA and pathLenConstraint, keyUsage for
//! issuers and the signer, and unknown critical extensions. Full RFC 5280 §6 processing
//! (policies, name constraints) and revocation are the certificate-path module's next step;
//! they slot in as further checks on each candidate path in [`check_path`].
//!
//! The search tries every candidate issuer, depth-first, within a [`PathBudget`], and keeps
//! the reason each candidate path failed, so a report can say why no path validated.

use time::OffsetDateTime;

use super::cert::Certificate;
use super::trust::TrustStore;
use crate::crypto::{verify_certificate_signature, SignatureCheckError};
use crate::report::{ChainStatus, Code, Finding};

/// Limits on path building.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct PathBudget {
    /// Longest path, anchor included.
    pub max_depth: usize,
    /// Most certificate-signature checks in one search.
    pub max_signature_checks: usize,
}

impl Default for PathBudget {
    fn default() -> Self {
        PathBudget {
            max_depth: 10,
            max_signature_checks: 100,
        }
    }
}

/// The result of path validation.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PathOutcome {
    /// Overall status.
    pub status: ChainStatus,
    /// The validated path (or the best failed one), signer first, anchor last.
    pub path: Vec<Certificate>,
    /// Why, in detail: one finding per failed candidate, or the success.
    pub findings: Vec<Finding>,
}

/// Builds and validates a path from `signer` through `intermediates` to an anchor of
/// `trust`, at `time`.
pub fn validate_path(
    signer: &Certificate,
    intermediates: &[Certificate],
    trust: &TrustStore,
    time: OffsetDateTime,
    budget: PathBudget,
) -> PathOutcome {
    if trust.is_empty() {
        return PathOutcome {
            status: ChainStatus::NoTrustAnchors,
            path: vec![signer.clone()],
            findings: vec![Finding::new(
                Code::ChainNoTrustAnchors,
                "no trust anchors were configured, so the signer's certificate cannot be trusted",
            )],
        };
    }
    let mut search = Search {
        intermediates,
        trust,
        time,
        budget,
        checks: 0,
        exhausted: false,
        failures: Vec::new(),
        best_failed_path: None,
    };
    let mut path = vec![signer.clone()];
    if let Some(found) = search.extend(&mut path) {
        let findings = vec![Finding::new(
            Code::ChainTrusted,
            format!(
                "path of {} certificate(s) to trust anchor \"{}\"",
                found.len(),
                found.last().map(|c| c.subject()).unwrap_or_default()
            ),
        )];
        return PathOutcome {
            status: ChainStatus::Trusted,
            path: found,
            findings,
        };
    }
    let mut findings = search.failures;
    if search.exhausted {
        findings.push(Finding::new(
            Code::ChainBudgetExhausted,
            format!(
                "path building stopped after {} signature checks",
                budget.max_signature_checks
            ),
        ));
    }
    match search.best_failed_path {
        Some(path) => PathOutcome {
            status: ChainStatus::Invalid,
            path,
            findings,
        },
        None => {
            findings.push(Finding::new(
                Code::ChainUntrusted,
                format!(
                    "no path from \"{}\" to a configured trust anchor",
                    signer.subject()
                ),
            ));
            PathOutcome {
                status: ChainStatus::Untrusted,
                path: vec![signer.clone()],
                findings,
            }
        }
    }
}

struct Search<'a> {
    intermediates: &'a [Certificate],
    trust: &'a TrustStore,
    time: OffsetDateTime,
    budget: PathBudget,
    checks: usize,
    exhausted: bool,
    failures: Vec<Finding>,
    best_failed_path: Option<Vec<Certificate>>,
}

impl Search<'_> {
    /// Tries to complete `path` (whose last element is the certificate needing an issuer).
    fn extend(&mut self, path: &mut Vec<Certificate>) -> Option<Vec<Certificate>> {
        let current = path.last()?.clone();
        // The certificate itself may be an anchor (a directly trusted signer or CA).
        if self.trust.find_exact(current.der()).is_some() {
            return self.finish(path);
        }
        if path.len() >= self.budget.max_depth {
            self.failures.push(Finding::new(
                Code::ChainPathLength,
                format!(
                    "path building gave up at depth {} below \"{}\"",
                    path.len(),
                    current.subject()
                ),
            ));
            return None;
        }
        let candidates = self.candidates(&current, path);
        if candidates.is_empty() {
            self.failures.push(Finding::new(
                Code::ChainUntrusted,
                format!(
                    "no certificate named \"{}\" (the issuer of \"{}\") is available",
                    current.issuer(),
                    current.subject()
                ),
            ));
            return None;
        }
        for (candidate, is_anchor) in candidates {
            if self.checks >= self.budget.max_signature_checks {
                self.exhausted = true;
                return None;
            }
            self.checks += 1;
            match verify_certificate_signature(candidate.spki(), current.der()) {
                Ok(_) => {}
                Err(e) => {
                    let code = match e {
                        SignatureCheckError::Invalid => Code::ChainSignatureInvalid,
                        _ => Code::IntegrityAlgorithmUnsupported,
                    };
                    self.failures.push(Finding::new(
                        code,
                        format!(
                            "signature of \"{}\" does not verify with the key of \"{}\": {e}",
                            current.subject(),
                            candidate.subject()
                        ),
                    ));
                    continue;
                }
            }
            path.push(candidate.clone());
            let found = if is_anchor {
                self.finish(path)
            } else {
                self.extend(path)
            };
            if found.is_some() {
                return found;
            }
            path.pop();
        }
        None
    }

    /// Candidate issuers of `cert`: anchors first, then intermediates; within each, key
    /// identifier matches first. Certificates already on the path are skipped (loops).
    fn candidates(&self, cert: &Certificate, path: &[Certificate]) -> Vec<(Certificate, bool)> {
        let mut out: Vec<(Certificate, bool, u8)> = Vec::new();
        let pools = [(self.trust.anchors(), true), (self.intermediates, false)];
        for (pool, is_anchor) in pools {
            for c in pool {
                if path.contains(c) || out.iter().any(|(o, _, _)| o == c) {
                    continue;
                }
                if !names_match(
                    cert.issuer_raw(),
                    c.subject_raw(),
                    cert.issuer(),
                    c.subject(),
                ) {
                    continue;
                }
                let rank = cert.key_id_match(c);
                if rank == 0 {
                    continue;
                }
                out.push((c.clone(), is_anchor, rank));
            }
        }
        out.sort_by_key(|(_, is_anchor, rank)| (!*is_anchor, std::cmp::Reverse(*rank)));
        out.into_iter().map(|(c, a, _)| (c, a)).collect()
    }

    /// `path` ends at an anchor: check it; keep it as the best failure if it fails.
    fn finish(&mut self, path: &[Certificate]) -> Option<Vec<Certificate>> {
        let problems = check_path(path, self.time);
        if problems.is_empty() {
            return Some(path.to_vec());
        }
        if self.best_failed_path.is_none() {
            self.best_failed_path = Some(path.to_vec());
        }
        self.failures.extend(problems);
        None
    }
}

fn names_match(raw_a: &[u8], raw_b: &[u8], text_a: &str, text_b: &str) -> bool {
    raw_a == raw_b || (!text_a.is_empty() && text_a.to_lowercase() == text_b.to_lowercase())
}

/// Checks a complete path (signer first, anchor last) at `time`; returns the problems.
pub fn check_path(path: &[Certificate], time: OffsetDateTime) -> Vec<Finding> {
    let mut problems = Vec::new();
    let n = path.len();
    for (i, cert) in path.iter().enumerate() {
        let is_anchor = i + 1 == n;
        let is_signer = i == 0;
        if !is_anchor {
            if time < cert.not_before() {
                problems.push(Finding::new(
                    Code::ChainCertificateNotYetValid,
                    format!(
                        "\"{}\" is not valid before {}",
                        cert.subject(),
                        cert.not_before()
                    ),
                ));
            }
            if time > cert.not_after() {
                problems.push(Finding::new(
                    Code::ChainCertificateExpired,
                    format!("\"{}\" expired on {}", cert.subject(), cert.not_after()),
                ));
            }
            for oid in cert.unknown_critical_extensions() {
                problems.push(Finding::new(
                    Code::ChainUnknownCriticalExtension,
                    format!(
                        "\"{}\" has a critical extension kyso does not process: {oid}",
                        cert.subject()
                    ),
                ));
            }
        }
        if is_signer {
            if let Some(ku) = cert.key_usage() {
                if !ku.digital_signature() && !ku.non_repudiation() {
                    problems.push(Finding::new(
                        Code::ChainSignerKeyUsage,
                        format!(
                            "the key usage of \"{}\" allows neither digitalSignature nor \
                             nonRepudiation",
                            cert.subject()
                        ),
                    ));
                }
            }
        } else {
            // An issuer. Intermediates must say they are CAs; anchors may be v1 roots.
            let bc = cert.basic_constraints();
            let ca_ok = match bc {
                Some((ca, _)) => ca,
                None => is_anchor,
            };
            if !ca_ok {
                problems.push(Finding::new(
                    Code::ChainIssuerNotCa,
                    format!(
                        "\"{}\" issues certificates but is not a CA (basicConstraints)",
                        cert.subject()
                    ),
                ));
            }
            if let Some(ku) = cert.key_usage() {
                if !ku.key_cert_sign() {
                    problems.push(Finding::new(
                        Code::ChainIssuerNotCa,
                        format!(
                            "\"{}\" issues certificates but its key usage lacks keyCertSign",
                            cert.subject()
                        ),
                    ));
                }
            }
            if let Some((_, Some(max))) = bc {
                // Intermediate CAs below this one, self-issued ones not counted (§6.1.4 (l)).
                let below = path
                    .get(1..i)
                    .unwrap_or_default()
                    .iter()
                    .filter(|c| !c.is_self_issued())
                    .count();
                if below > max as usize {
                    problems.push(Finding::new(
                        Code::ChainPathLength,
                        format!(
                            "\"{}\" allows {max} intermediate CA(s) below it, the path has {below}",
                            cert.subject()
                        ),
                    ));
                }
            }
        }
    }
    problems
}
