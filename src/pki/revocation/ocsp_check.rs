//! RFC 6960: the status of one certificate of a path from OCSP responses.
//!
//! A response counts when one of its single responses names the certificate (CertID: the
//! issuer's name and key hashes and the serial), it is fresh at the validation time, it has no
//! critical extension kyso does not understand, and it is signed by an authorised responder
//! (§4.2.2.2): the issuing CA itself, or a delegated responder whose certificate the CA issued
//! directly with id-kp-OCSPSigning. A delegated responder's own revocation is checked from
//! CRLs unless its certificate carries id-pkix-ocsp-nocheck.

use super::super::algorithm_policy::AlgorithmVerdict;
use super::super::cert::Certificate;
use super::super::options::{RevocationMode, EKU_OCSP_SIGNING};
use super::super::path::Engine;
use super::crl_check::{covers, CrlVerdict};
use super::ocsp::{subject_public_key_bits, OcspResponse, OcspStatus, ResponderId};
use super::Origin;
use crate::crypto::{digest, verify_signature, AlgorithmIdentifier, DigestAlgorithm};
use crate::report::{RevocationReport, RevocationSourceKind, RevocationStatus};

/// The note of an authorised responder's `unknown` answer (RFC 6960 §2.2: the responder
/// does not know the certificate), which the check before signing looks for.
pub(crate) const OCSP_UNKNOWN: &str = "the responder does not know the certificate";

/// What OCSP responses say about one certificate.
#[derive(Debug, Clone)]
pub(crate) enum OcspVerdict {
    /// good at the validation time.
    Good(RevocationReport),
    /// revoked.
    Revoked(RevocationReport),
    /// No usable response, with notes on why the responses seen could not be used.
    Unknown(Vec<String>),
}

/// Whether `responder` identifies `cert`.
fn responder_is(responder: &ResponderId, cert: &Certificate) -> bool {
    match responder {
        ResponderId::ByName(name, _) => cert.subject_name() == name,
        ResponderId::ByKey(hash) => subject_public_key_bits(cert.spki())
            .is_some_and(|bits| digest(DigestAlgorithm::Sha1, bits) == *hash),
    }
}

impl Engine<'_> {
    /// The OCSP status of `path[index]` (issuer `path[index + 1]`).
    pub(crate) fn ocsp_status(
        &self,
        path: &[Certificate],
        index: usize,
        depth: usize,
    ) -> OcspVerdict {
        let (Some(cert), Some(issuer)) = (path.get(index), path.get(index + 1)) else {
            return OcspVerdict::Unknown(Vec::new());
        };
        self.fetch_ocsp(cert, issuer);
        let responses: Vec<(OcspResponse, Origin)> = self.data.borrow().ocsp_responses().to_vec();
        let rev = &self.policy.revocation;
        let t = self.time.at;
        let mut notes = Vec::new();
        for (resp, origin) in &responses {
            let singles: Vec<_> = resp
                .responses()
                .iter()
                .filter(|s| s.cert_id.matches(cert, issuer))
                .collect();
            if singles.is_empty() {
                continue;
            }
            let what = format!(
                "the OCSP response from \"{}\" produced {}",
                resp.responder_text(),
                resp.produced_at()
            );
            if let Some(oid) = resp.unknown_critical_extensions().first() {
                notes.push(format!("{what}: unrecognized critical extension {oid}"));
                continue;
            }
            let signer = match self.ocsp_signer(resp, path, index, depth) {
                Ok(s) => s,
                Err(why) => {
                    notes.push(format!("{what}: {why}"));
                    continue;
                }
            };
            for single in singles {
                if let Some(oid) = single.unknown_critical.first() {
                    notes.push(format!("{what}: unrecognized critical extension {oid}"));
                    continue;
                }
                if !covers(
                    single.this_update,
                    single.next_update,
                    t,
                    rev.clock_skew,
                    rev.max_ocsp_age,
                ) {
                    notes.push(format!(
                        "{what}: not recent enough (this update {}, next update {})",
                        single.this_update,
                        single
                            .next_update
                            .map(|n| n.to_string())
                            .unwrap_or_else(|| "not given".into())
                    ));
                    continue;
                }
                if let Err(why) = self.fresh_enough(index, single.this_update) {
                    notes.push(format!("{what}: not fresh enough: {why}"));
                    continue;
                }
                let mut r = RevocationReport::not_checked(index, &cert.label());
                r.source = Some(RevocationSourceKind::Ocsp);
                r.origin = Some(origin.as_str().to_string());
                r.issuer = Some(signer.clone());
                r.this_update = Some(single.this_update);
                r.next_update = single.next_update;
                r.produced_at = Some(resp.produced_at());
                match single.status {
                    OcspStatus::Good => {
                        r.status = RevocationStatus::Good;
                        return OcspVerdict::Good(r);
                    }
                    OcspStatus::Revoked { at, reason } if at <= t => {
                        r.status = RevocationStatus::Revoked;
                        r.revoked_at = Some(at);
                        r.reason = reason;
                        return OcspVerdict::Revoked(r);
                    }
                    OcspStatus::Revoked { at, .. } => {
                        notes.push(format!(
                            "{what}: revoked on {at}, after the validation time"
                        ));
                        r.status = RevocationStatus::Good;
                        return OcspVerdict::Good(r);
                    }
                    OcspStatus::Unknown => notes.push(format!("{what}: {OCSP_UNKNOWN}")),
                }
            }
        }
        OcspVerdict::Unknown(notes)
    }

    /// Checks that `resp` is signed by an authorised responder for the issuer of
    /// `path[index]`; returns the responder's name.
    fn ocsp_signer(
        &self,
        resp: &OcspResponse,
        path: &[Certificate],
        index: usize,
        depth: usize,
    ) -> Result<String, String> {
        let issuer = path.get(index + 1).ok_or("no issuer")?;
        let alg = AlgorithmIdentifier::from_der(resp.signature_algorithm_der())
            .map_err(|e| format!("unreadable signature algorithm: {e}"))?;
        let mut why = Vec::new();
        let check_sig = |key_owner: &Certificate, why: &mut Vec<String>| -> bool {
            if !self.spend_signature_check() {
                why.push("the signature-check budget ran out".into());
                return false;
            }
            match verify_signature(key_owner.spki(), &alg, None, resp.tbs(), resp.signature()) {
                Ok(with) => match self.policy.algorithms.judge(&with, resp.produced_at()) {
                    AlgorithmVerdict::Refused(r) => {
                        why.push(r);
                        false
                    }
                    _ => true,
                },
                Err(e) => {
                    why.push(format!(
                        "the signature does not verify with the key of \"{}\": {e}",
                        key_owner.label()
                    ));
                    false
                }
            }
        };
        // The CA itself (when the signature does not verify with its key, a delegated
        // responder of the same name may still have signed).
        if responder_is(resp.responder(), issuer) && check_sig(issuer, &mut why) {
            return Ok(issuer.label());
        }
        // A delegated responder.
        let mut candidates: Vec<Certificate> = resp
            .certificates()
            .iter()
            .filter(|c| responder_is(resp.responder(), c))
            .cloned()
            .collect();
        for c in self.pool.borrow().iter() {
            if responder_is(resp.responder(), c) && !candidates.contains(c) {
                candidates.push(c.clone());
            }
        }
        candidates.retain(|c| c != issuer);
        if candidates.is_empty() && !why.is_empty() {
            return Err(why.join("; "));
        }
        if candidates.is_empty() {
            return Err(format!(
                "it is signed by \"{}\", neither the issuing CA nor a responder certificate kyso \
                 has",
                resp.responder_text()
            ));
        }
        for c in candidates {
            if c.issuer_name() != issuer.subject_name() {
                why.push(format!(
                    "the responder \"{}\" is not authorized: its certificate was not issued by \
                     the CA \"{}\"",
                    c.label(),
                    issuer.label()
                ));
                continue;
            }
            if !self.spend_signature_check() {
                why.push("the signature-check budget ran out".into());
                break;
            }
            if self
                .cache
                .verify_certificate_signature(issuer.spki(), c.der())
                .is_err()
            {
                why.push(format!(
                    "the responder \"{}\" is not authorized: its certificate does not verify \
                     with the key of the CA",
                    c.label()
                ));
                continue;
            }
            if !c
                .extended_key_usage()
                .is_some_and(|e| e.iter().any(|o| o == EKU_OCSP_SIGNING))
            {
                why.push(format!(
                    "the responder \"{}\" is not authorized: its certificate lacks \
                     id-kp-OCSPSigning",
                    c.label()
                ));
                continue;
            }
            let produced = resp.produced_at();
            if produced < c.not_before() || produced > c.not_after() {
                why.push(format!(
                    "the responder certificate \"{}\" was not valid when the response was produced",
                    c.label()
                ));
                continue;
            }
            if !check_sig(&c, &mut why) {
                continue;
            }
            if !c.has_ocsp_nocheck() {
                let mut responder_path = vec![c.clone()];
                responder_path.extend(path.get(index + 1..).unwrap_or_default().iter().cloned());
                match self.crl_status(&responder_path, 0, depth + 1) {
                    CrlVerdict::Good(_) => {}
                    CrlVerdict::Revoked(_) => {
                        why.push(format!(
                            "the responder certificate \"{}\" is revoked",
                            c.label()
                        ));
                        continue;
                    }
                    CrlVerdict::Undetermined(..) => {
                        if self.policy.revocation.intermediates == RevocationMode::Require {
                            why.push(format!(
                                "the revocation status of the responder certificate \"{}\" \
                                 (no ocsp-nocheck) could not be established",
                                c.label()
                            ));
                            continue;
                        }
                    }
                }
            }
            return Ok(c.label());
        }
        Err(why.join("; "))
    }
}
