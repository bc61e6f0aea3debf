//! The depth-first search for a path, and the judgement of each complete candidate.

use super::super::algorithm_policy::AlgorithmVerdict;
use super::super::cert::Certificate;
use super::super::fetch::FetchFor;
use super::super::options::{KeyCompromiseRule, Purpose, RevocationMode};
use super::super::revocation::{CrlVerdict, OcspVerdict, RevocationReason};
use super::check::{check_anchor, check_archival, check_purpose, position, process};
use super::{CandidateReport, Edge, Engine, Goal, SearchResult, Validated};
use crate::crypto::{
    inherit_dsa_parameters, needs_inherited_parameters, public_key_kind, DigestAlgorithm,
    PublicKeyKind, SignatureCheckError, SignatureScheme, VerifiedWith,
};
use crate::report::revocation_reason_remark;
use crate::report::text::rfc3339;
use crate::report::DetailLabel as L;
use crate::report::{Code, Finding, RevocationReport, RevocationStatus, Severity};

impl Engine<'_> {
    /// Searches for a path from `target` that satisfies `goal`.
    pub(crate) fn search(&self, target: &Certificate, goal: &Goal<'_>) -> SearchResult {
        let mut result = SearchResult::default();
        let mut path = vec![target.clone()];
        let mut edges = Vec::new();
        if let Some(v) = self.extend(&mut path, &mut edges, goal, &mut result) {
            result.found = Some(v);
        }
        result
    }

    fn extend(
        &self,
        path: &mut Vec<Certificate>,
        edges: &mut Vec<Edge>,
        goal: &Goal<'_>,
        acc: &mut SearchResult,
    ) -> Option<Validated> {
        if self.exhausted.get() {
            return None;
        }
        let current = path.last()?.clone();
        // A target that is itself an anchor (a directly trusted certificate).
        if path.len() == 1 && self.anchor_for(&current).is_some() && self.anchor_ok(&current, goal)
        {
            return self.judge(path, edges, goal, acc);
        }
        if path.len() >= self.budget().max_depth {
            acc.dead_ends.push(
                Finding::new(
                    Code::ChainPathLength,
                    format!(
                        "path building gave up at depth {} below \"{}\"",
                        path.len(),
                        current.label()
                    ),
                )
                .detail(L::Count, path.len())
                .detail(L::Certificate, current.label()),
            );
            return None;
        }
        let mut candidates = self.issuer_candidates(&current, path, goal);
        if candidates.is_empty() && self.fetch_issuers(&current) {
            candidates = self.issuer_candidates(&current, path, goal);
        }
        if candidates.is_empty() {
            acc.dead_ends.push(
                Finding::new(
                    Code::ChainUntrusted,
                    format!(
                        "no certificate named \"{}\" (the issuer of \"{}\") is available",
                        current.issuer(),
                        current.label()
                    ),
                )
                .remark("không có chứng thư số của bên cấp")
                .detail(L::Issuer, current.issuer())
                .detail(L::Certificate, current.label()),
            );
            for e in self.failures_for(&current, FetchFor::Issuer) {
                let finding = Finding::new(
                    e.code(),
                    format!(
                        "the issuer of \"{}\" could not be fetched: {e}",
                        current.label()
                    ),
                );
                if !acc.dead_ends.contains(&finding) {
                    acc.dead_ends.push(finding);
                }
            }
            return None;
        }
        for (candidate, is_anchor) in candidates {
            if !self.spend_signature_check() {
                return None;
            }
            if needs_inherited_parameters(candidate.spki()) {
                // A DSA key without parameters takes them from further up the path (RFC 5280
                // §6.1.4 (f)): the signature is checked once the path is complete (`judge`).
                edges.push(pending_edge());
                path.push(candidate);
                let found = if is_anchor {
                    self.judge(path, edges, goal, acc)
                } else {
                    self.extend(path, edges, goal, acc)
                };
                if found.is_some() {
                    return found;
                }
                path.pop();
                edges.pop();
                if self.exhausted.get() {
                    return None;
                }
                continue;
            }
            match self
                .cache
                .verify_certificate_signature(candidate.spki(), current.der())
            {
                Ok(with) => edges.push(with),
                Err(e) => {
                    let code = match e {
                        SignatureCheckError::Invalid
                        | SignatureCheckError::MalformedStructure { .. }
                        | SignatureCheckError::AlgorithmMismatch { .. } => {
                            Code::ChainSignatureInvalid
                        }
                        SignatureCheckError::MalformedKey { .. } => Code::ChainCertificateMalformed,
                        _ => Code::IntegrityAlgorithmUnsupported,
                    };
                    acc.dead_ends.push(
                        Finding::new(
                            code,
                            format!(
                            "the signature of \"{}\" does not verify with the key of \"{}\": {e}",
                            current.label(),
                            candidate.label()
                        ),
                        )
                        .detail(L::Certificate, current.label())
                        .detail(L::Issuer, candidate.label())
                        .detail(L::Technical, &e),
                    );
                    continue;
                }
            }
            path.push(candidate);
            let found = if is_anchor {
                self.judge(path, edges, goal, acc)
            } else {
                self.extend(path, edges, goal, acc)
            };
            if found.is_some() {
                return found;
            }
            path.pop();
            edges.pop();
            if self.exhausted.get() {
                return None;
            }
        }
        None
    }

    fn anchor_ok(&self, cert: &Certificate, goal: &Goal<'_>) -> bool {
        goal.anchor.is_none_or(|a| a == cert)
    }

    /// Issuer candidates for `cert`: anchors first, then intermediates; key-identifier
    /// matches before unknowns; mismatching key identifiers and loops (a name and key already
    /// on the path) left out.
    fn issuer_candidates(
        &self,
        cert: &Certificate,
        path: &[Certificate],
        goal: &Goal<'_>,
    ) -> Vec<(Certificate, bool)> {
        let mut out: Vec<(Certificate, bool, u8)> = Vec::new();
        let on_path = |c: &Certificate| {
            path.iter()
                .any(|p| p == c || (p.subject_name() == c.subject_name() && p.spki() == c.spki()))
        };
        for anchor in self.trust.by_subject(cert.issuer_name()) {
            let c = &anchor.certificate;
            if !self.anchor_ok(c, goal) || on_path(c) {
                continue;
            }
            let rank = cert.key_id_match(c);
            if rank > 0 {
                out.push((c.clone(), true, rank));
            }
        }
        for c in self.pool.borrow().iter() {
            if c.subject_name() != cert.issuer_name()
                || on_path(c)
                || out.iter().any(|(o, _, _)| o == c)
            {
                continue;
            }
            let rank = cert.key_id_match(c);
            if rank > 0 {
                out.push((c.clone(), false, rank));
            }
        }
        out.sort_by_key(|(_, is_anchor, rank)| (!*is_anchor, std::cmp::Reverse(*rank)));
        out.into_iter().map(|(c, a, _)| (c, a)).collect()
    }

    /// Judges a complete candidate (`path` ends at an anchor).
    fn judge(
        &self,
        path: &[Certificate],
        edges: &[Edge],
        goal: &Goal<'_>,
        acc: &mut SearchResult,
    ) -> Option<Validated> {
        let judged = self.candidates_judged.get();
        if judged >= self.budget().max_candidates {
            self.exhausted.set(true);
            return None;
        }
        self.candidates_judged.set(judged + 1);
        let target = path.first()?;
        let anchor_cert = path.last()?;
        let anchor = self.anchor_for(anchor_cert)?;

        let (mut findings, processed) = process(path, goal.settings, self.time.at);
        let (edges, mut deferred) = self.check_deferred_edges(path, edges);
        let edges = edges.as_slice();
        findings.append(&mut deferred);
        findings.extend(check_purpose(
            target,
            anchor,
            goal.purpose,
            &self.policy.eku,
        ));
        findings.extend(check_archival(anchor, &self.time));
        findings.extend(check_anchor(
            anchor,
            path.len(),
            self.time.at,
            self.policy.anchor_validity,
        ));
        findings.extend(super::profile::check_path(
            path,
            self.policy.certificate_profile,
        ));
        findings.extend(self.check_algorithms(path, edges));

        let mut revocation = Vec::new();
        if !has_error(&findings) {
            // Revocation, from the anchor side down to the target.
            let n = path.len().saturating_sub(1);
            for index in (0..n).rev() {
                let mode = if index == 0 {
                    goal.end_entity_mode
                } else {
                    goal.ca_mode
                };
                let (report, mut problems) = self.revocation_of(path, index, mode, goal.depth);
                revocation.push(report);
                let stop = has_error(&problems);
                findings.append(&mut problems);
                if stop {
                    break;
                }
            }
        }

        if has_error(&findings) {
            if acc.first_failed.is_none() {
                acc.first_failed = Some(path.to_vec());
            }
            acc.candidates.push(CandidateReport {
                path: path.iter().map(Certificate::label).collect(),
                problems: findings,
                revocation,
            });
            return None;
        }
        Some(Validated {
            path: path.to_vec(),
            findings,
            revocation,
            policies: processed.policies.into_iter().collect(),
        })
    }

    /// The algorithm policy over every edge and key of the path.
    /// The signatures left for the complete path: those made with a DSA key that inherits its
    /// parameters (RFC 3279 §2.3.2), checked with the working key of RFC 5280 §6.1.4 (f).
    fn check_deferred_edges(
        &self,
        path: &[Certificate],
        edges: &[Edge],
    ) -> (Vec<Edge>, Vec<Finding>) {
        let mut out = edges.to_vec();
        let mut findings = Vec::new();
        for (index, edge) in out.iter_mut().enumerate() {
            let (Some(cert), Some(issuer)) = (path.get(index), path.get(index + 1)) else {
                continue;
            };
            if !needs_inherited_parameters(issuer.spki()) {
                continue;
            }
            let key = working_spki(path, index + 1);
            let problem = match self.cache.verify_certificate_signature(&key, cert.der()) {
                Ok(with) => {
                    *edge = with;
                    continue;
                }
                Err(e) => e,
            };
            let code = match problem {
                SignatureCheckError::Unsupported { .. } => Code::IntegrityAlgorithmUnsupported,
                _ => Code::ChainSignatureInvalid,
            };
            findings.push(
                Finding::new(
                    code,
                    format!(
                        "the signature of \"{}\" does not verify with the key of \"{}\" \
                         (DSA parameters inherited from its issuer): {problem}",
                        cert.label(),
                        issuer.label()
                    ),
                )
                .detail(L::Certificate, cert.label())
                .detail(L::Issuer, issuer.label())
                .detail(L::Technical, &problem),
            );
        }
        (out, findings)
    }

    fn check_algorithms(&self, path: &[Certificate], edges: &[Edge]) -> Vec<Finding> {
        let policy = &self.policy.algorithms;
        let mut out = Vec::new();
        for (cert, with) in path.iter().zip(edges.iter()) {
            match policy.judge(with, cert.not_before()) {
                AlgorithmVerdict::Accepted => {}
                AlgorithmVerdict::Legacy(why) => out.push(
                    Finding::new(
                        Code::ChainAlgorithmLegacy,
                        format!("\"{}\": {why}", cert.label()),
                    )
                    .detail(L::Certificate, cert.label())
                    .detail(L::Technical, &why),
                ),
                AlgorithmVerdict::Refused(why) => out.push(
                    Finding::new(
                        Code::ChainAlgorithmRefused,
                        format!("\"{}\": {why}", cert.label()),
                    )
                    .detail(L::Certificate, cert.label())
                    .detail(L::Technical, &why),
                ),
            }
        }
        // Subject keys the edges do not cover: the target's.
        if let Some(target) = path.first() {
            if let Ok(kind) = public_key_kind(target.spki()) {
                // Judged when the key was used: the proven signing time, else the
                // validation time.
                let used = self.time.proven_signing_time.unwrap_or(self.time.at);
                if let AlgorithmVerdict::Refused(why) = policy.judge_key_at(kind, used) {
                    out.push(
                        Finding::new(
                            Code::ChainAlgorithmRefused,
                            format!("the key of \"{}\": {why}", target.label()),
                        )
                        .detail(L::Certificate, target.label())
                        .detail(L::Technical, &why),
                    );
                }
            }
        }
        out
    }

    /// The revocation status of `path[index]`, whose issuer is `path[index + 1]`.
    fn revocation_of(
        &self,
        path: &[Certificate],
        index: usize,
        mode: RevocationMode,
        depth: usize,
    ) -> (RevocationReport, Vec<Finding>) {
        let n = path.len().saturating_sub(1);
        let Some(cert) = path.get(index) else {
            return (RevocationReport::not_checked(index, ""), Vec::new());
        };
        let who = format!("{} (\"{}\")", position(n - index, n), cert.label());
        let mut report = RevocationReport::not_checked(index, &cert.label());
        report.mode = Some(mode.as_str().to_string());
        if mode == RevocationMode::Off {
            return (
                report,
                vec![Finding::new(
                    Code::ChainRevocationNotChecked,
                    format!("revocation of {who} was not checked (revocation checking is off)"),
                )
                .remark("việc kiểm tra thu hồi đã bị tắt")
                .detail(L::Certificate, cert.label())],
            );
        }
        if cert.has_ocsp_nocheck() && index > 0 {
            // Only meaningful for OCSP responders; a CA with it is still checked.
        }
        let mut notes = Vec::new();
        let mut refused_crls: Vec<String> = Vec::new();
        let ocsp = self.ocsp_status(path, index, depth);
        let crl = self.crl_status(path, index, depth);
        let mut revoked: Option<RevocationReport> = None;
        let mut good: Option<RevocationReport> = None;
        match ocsp {
            OcspVerdict::Good(r) => good = Some(r),
            OcspVerdict::Revoked(r) => revoked = Some(r),
            OcspVerdict::Unknown(mut n) => notes.append(&mut n),
        }
        match crl {
            CrlVerdict::Good(r) => {
                if good.is_none() {
                    good = Some(r)
                }
            }
            CrlVerdict::Revoked(r) => {
                if revoked.is_none() {
                    revoked = Some(r)
                }
            }
            CrlVerdict::Undetermined(mut n, refused) => {
                notes.append(&mut n);
                refused_crls = refused;
            }
        }
        if let Some(mut r) = revoked {
            let mut findings = Vec::new();
            r.certificate = index;
            r.subject = cert.label();
            r.mode = report.mode.clone();
            r.notes = notes;
            let at = r.revoked_at;
            let reason = r
                .reason
                .map(|x| x.describe())
                .unwrap_or_else(|| "no reason given".into());
            // EN 319 102-1 §5.6.2.4: a revocation after the best-signature-time does not
            // affect the signature; the key-compromise rule of the policy may say otherwise.
            let compromise = matches!(
                r.reason,
                Some(RevocationReason::KeyCompromise | RevocationReason::CaCompromise)
            );
            let strict = compromise
                && self.policy.revocation.key_compromise
                    == KeyCompromiseRule::InvalidatesEarlierSignatures;
            let after_proven = match (self.time.proven_signing_time, at) {
                (Some(signed), Some(at)) => at > signed && !strict,
                _ => false,
            };
            if after_proven {
                findings.push(
                    Finding::new(
                        Code::RevocationRevokedAfterSigning,
                        format!(
                            "{who} was revoked on {} ({reason}), after the proven signing time",
                            at.map(rfc3339).unwrap_or_default()
                        ),
                    )
                    .detail(L::Certificate, cert.label())
                    .detail(L::RevokedAt, at.map(rfc3339).unwrap_or_default())
                    .remark(revocation_reason_remark(r.reason)),
                );
            } else {
                let rule = if strict {
                    " (the policy's key-compromise rule: a compromised key invalidates signatures \
                     made before its revocation too)"
                } else {
                    ""
                };
                let code = match index {
                    0 => Code::RevocationRevoked,
                    _ => Code::RevocationCaRevoked,
                };
                findings.push(
                    Finding::new(
                        code,
                        format!(
                            "{who} was revoked on {} ({reason}), according to {}{rule}",
                            at.map(rfc3339).unwrap_or_default(),
                            r.describe_source()
                        ),
                    )
                    .detail(L::Certificate, cert.label())
                    .detail(L::RevokedAt, at.map(rfc3339).unwrap_or_default())
                    .remark(revocation_reason_remark(r.reason))
                    .detail(L::Source, r.source_summary()),
                );
            }
            return (r, findings);
        }
        if let Some(mut r) = good {
            let mut findings = Vec::new();
            r.certificate = index;
            r.subject = cert.label();
            r.mode = report.mode.clone();
            findings.push(
                Finding::new(
                    Code::RevocationGood,
                    format!("{who} is not revoked, according to {}", r.describe_source()),
                )
                .detail(L::Certificate, cert.label())
                .detail(L::Source, r.source_summary()),
            );
            r.notes = notes;
            return (r, findings);
        }
        report.status = RevocationStatus::Unknown;
        let mut findings = Vec::new();
        // A CRL refused for its profile or its signer (RFC 5280 §5.2.3, §6.3.3 (f)) is named
        // with its own code in every mode, so that "if-available" does not pass over it in a
        // general warning.
        for why in &refused_crls {
            findings.push(
                Finding::new(
                    Code::RevocationCrlUnusable,
                    format!("a CRL for {who} was not used: {why}"),
                )
                .detail(L::Certificate, cert.label())
                .detail(L::Technical, why),
            );
        }
        let failures = self.failures_for(cert, FetchFor::Revocation);
        for e in &failures {
            notes.push(e.to_string());
            findings.push(Finding::new(
                e.code(),
                format!("revocation data for {who} could not be fetched: {e}"),
            ));
        }
        if self.budget_cut.get()
            && !findings
                .iter()
                .any(|f| f.code == Code::NetworkBudgetExhausted)
        {
            // The status may rest on data a spent budget kept from being fetched (a CRL
            // signer's own status, another URL): unknown for that reason is never a pass.
            findings.push(Finding::new(
                Code::NetworkBudgetExhausted,
                format!(
                    "the revocation status of {who} is unknown and the network budget ran out \
                     during this validation"
                ),
            ));
        }
        let why = if notes.is_empty() {
            "no CRL or OCSP response covers it".to_string()
        } else {
            notes.join("; ")
        };
        report.notes = notes;
        match mode {
            RevocationMode::Require => findings.push(
                Finding::new(
                    Code::RevocationUnknown,
                    format!("the revocation status of {who} could not be established: {why}"),
                )
                .detail(L::Certificate, cert.label())
                .detail(L::Technical, &why),
            ),
            _ => findings.push(
                Finding::new(
                    Code::RevocationNotAvailable,
                    format!("the revocation status of {who} could not be established: {why}"),
                )
                .detail(L::Certificate, cert.label())
                .detail(L::Technical, &why),
            ),
        }
        (report, findings)
    }

    /// Validates `signer` (a CRL issuer or OCSP responder certificate that is not on the
    /// path) to the anchor of `path`. `Err` says why not.
    pub(crate) fn validate_signer(
        &self,
        signer: &Certificate,
        path: &[Certificate],
        purpose: Purpose,
        depth: usize,
    ) -> Result<(), String> {
        if depth >= self.budget().max_revocation_depth {
            return Err(format!(
                "the path of \"{}\" would nest revocation checks deeper than {}",
                signer.label(),
                self.budget().max_revocation_depth
            ));
        }
        let key = signer.der().to_vec();
        if self.in_progress.borrow().contains(&key) {
            // The signer's own status comes from data it signed itself (an indirect CRL that
            // covers its issuer, PKITS 4.14.30): its path is being validated one level up,
            // where a failure still fails.
            return Ok(());
        }
        let anchor = path.last().ok_or("empty path")?;
        self.in_progress.borrow_mut().push(key.clone());
        let settings = Default::default();
        let goal = Goal {
            purpose,
            settings: &settings,
            anchor: Some(anchor),
            end_entity_mode: self.policy.revocation.intermediates,
            ca_mode: self.policy.revocation.intermediates,
            depth: depth + 1,
        };
        let result = self.search(signer, &goal);
        self.in_progress.borrow_mut().retain(|k| k != &key);
        match result.found {
            Some(_) => Ok(()),
            None => Err(format!(
                "the path of \"{}\" does not validate: {}",
                signer.label(),
                result.summary()
            )),
        }
    }
}

fn has_error(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}

/// The placeholder for a signature checked once the path is complete.
fn pending_edge() -> Edge {
    VerifiedWith {
        scheme: SignatureScheme::Dsa {
            digest: DigestAlgorithm::Sha1,
        },
        key: PublicKeyKind::Dsa { bits: 0 },
    }
}

/// The working public key of `path[index]` (RFC 5280 §6.1.4 (d)–(f)): its own, or, for a DSA
/// key without parameters, the key with the parameters of the nearest key above it that has
/// them (RFC 3279 §2.3.2).
pub(crate) fn working_spki(path: &[Certificate], index: usize) -> Vec<u8> {
    let Some(cert) = path.get(index) else {
        return Vec::new();
    };
    let key = cert.spki();
    if !needs_inherited_parameters(key) {
        return key.to_vec();
    }
    // Through further parameterless DSA keys up to the first key that is not one: its
    // parameters if it is a DSA key, none otherwise (another algorithm resets them).
    path.iter()
        .skip(index + 1)
        .find(|above| !needs_inherited_parameters(above.spki()))
        .and_then(|above| inherit_dsa_parameters(key, above.spki()))
        .unwrap_or_else(|| key.to_vec())
}
