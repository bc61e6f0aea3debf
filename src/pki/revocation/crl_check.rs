//! RFC 5280 §6.3: the revocation status of one certificate of a path from CRLs.
//!
//! For each distribution point of the certificate (or the implied one: the certificate's
//! issuer, all reasons), each complete CRL is tried in turn: its scope (issuer, indirect CRL,
//! issuingDistributionPoint name and certificate kinds), its freshness at the validation time,
//! the reasons it adds to those already covered, its extensions, and its signer — which must
//! be on the path or have its own validated path to the same trust anchor with cRLSign
//! (§6.3.3 (f)). A matching delta CRL is consulted first when delta CRLs are in use. The
//! status is established when a CRL lists the certificate, or when the CRLs used cover every
//! reason.

use time::OffsetDateTime;

use super::super::algorithm_policy::AlgorithmVerdict;
use super::super::cert::{Certificate, DistributionPoint, DistributionPointName};
use super::super::name::GeneralName;
use super::super::options::{DeltaCrls, Purpose};
use super::super::path::Engine;
use super::crl::{cmp_unsigned, has_directory_name, Crl, CrlEntry, ALL_REASONS};
use super::{Origin, RevocationReason};
use crate::asn1::name::NormalizedName;
use crate::report::{RevocationReport, RevocationSourceKind, RevocationStatus};

/// What CRLs say about one certificate.
#[derive(Debug, Clone)]
pub(crate) enum CrlVerdict {
    /// Not revoked: the CRLs used cover every reason.
    Good(RevocationReport),
    /// Revoked.
    Revoked(RevocationReport),
    /// Not established, with notes on why the CRLs seen could not be used, and among them
    /// the CRLs refused for their profile or their signer's key usage (RFC 5280 §5.2, §5.2.3,
    /// §6.3.3 (f)): reported with a stable code in every revocation mode.
    Undetermined(Vec<String>, Vec<String>),
}

/// Whether data issued at `this_update` with `next_update` speaks for time `t`: issued after
/// `t`, or issued before and not yet due for replacement (`max_age` when there is no
/// nextUpdate).
pub(crate) fn covers(
    this_update: OffsetDateTime,
    next_update: Option<OffsetDateTime>,
    t: OffsetDateTime,
    skew: time::Duration,
    max_age: time::Duration,
) -> bool {
    if this_update > t {
        return true;
    }
    match next_update {
        Some(next) => next + skew >= t,
        None => t - this_update <= max_age,
    }
}

impl Engine<'_> {
    /// The CRL status of `path[index]` (issuer `path[index + 1]`).
    pub(crate) fn crl_status(
        &self,
        path: &[Certificate],
        index: usize,
        depth: usize,
    ) -> CrlVerdict {
        let (Some(cert), Some(_issuer)) = (path.get(index), path.get(index + 1)) else {
            return CrlVerdict::Undetermined(vec!["no issuer".into()], Vec::new());
        };
        let default_dp = DistributionPoint {
            name: None,
            reasons: None,
            crl_issuer: None,
        };
        let dps: Vec<DistributionPoint> = if cert.crl_distribution_points().is_empty() {
            vec![default_dp]
        } else {
            cert.crl_distribution_points().to_vec()
        };
        self.fetch_crls(cert);
        let crls: Vec<(Crl, Origin)> = self.data.borrow().crls().to_vec();
        let t = self.time.at;
        let rev = &self.policy.revocation;
        let mut notes: Vec<String> = Vec::new();
        let mut refused: Vec<String> = Vec::new();
        let mut reasons_mask = 0u16;
        let mut used: Option<(Crl, Origin, bool)> = None;

        for dp in &dps {
            for (crl, origin) in crls.iter().filter(|(c, _)| !c.is_delta()) {
                if reasons_mask == ALL_REASONS {
                    break;
                }
                let interim = match scope(cert, dp, crl) {
                    Ok(mask) => mask,
                    Err(Scope::Unrelated) => continue,
                    Err(Scope::Mismatch(why)) => {
                        notes.push(format!("{}: {why}", crl.describe()));
                        continue;
                    }
                };
                if !covers(
                    crl.this_update(),
                    crl.next_update(),
                    t,
                    rev.clock_skew,
                    rev.max_ocsp_age,
                ) {
                    notes.push(format!(
                        "{}: not recent enough (next update {})",
                        crl.describe(),
                        crl.next_update()
                            .map(|n| n.to_string())
                            .unwrap_or_else(|| "not given".into())
                    ));
                    continue;
                }
                if let Err(why) = self.fresh_enough(index, crl.this_update()) {
                    notes.push(format!("{}: not fresh enough: {why}", crl.describe()));
                    continue;
                }
                if interim & !reasons_mask == 0 {
                    continue;
                }
                if let Some(why) = unusable(crl) {
                    let why = format!("{}: {why}", crl.describe());
                    refused.push(why.clone());
                    notes.push(why);
                    continue;
                }
                if let Err(refusal) = self.crl_signer(crl, path, index, depth) {
                    let why = format!("{}: {}", crl.describe(), refusal.why);
                    if refusal.key_usage {
                        refused.push(why.clone());
                    }
                    notes.push(why);
                    continue;
                }
                // (h) the delta CRL, when used.
                let delta = match rev.delta_crls {
                    DeltaCrls::Use => self.find_delta(crl, &crls, path, index, depth, &mut notes),
                    _ => None,
                };
                // (i)–(k): the delta first, then the complete CRL.
                let mut listed: Option<(&CrlEntry, &Crl, Origin)> = None;
                let mut removed = false;
                if let Some((d, o)) = &delta {
                    if let Some(entry) = find_entry(d, cert) {
                        match entry {
                            Err(why) => {
                                notes.push(format!("{}: {why}", d.describe()));
                                continue;
                            }
                            Ok(e) if e.reason == Some(RevocationReason::RemoveFromCrl) => {
                                removed = true
                            }
                            Ok(e) => listed = Some((e, d, *o)),
                        }
                    }
                }
                if listed.is_none() && !removed {
                    match find_entry(crl, cert) {
                        Some(Err(why)) => {
                            notes.push(format!("{}: {why}", crl.describe()));
                            continue;
                        }
                        Some(Ok(e)) if e.reason != Some(RevocationReason::RemoveFromCrl) => {
                            listed = Some((e, crl, *origin))
                        }
                        _ => {}
                    }
                }
                if let Some((entry, source, source_origin)) = listed {
                    if entry.revoked_at <= t {
                        let mut r = report(source, source_origin, delta.is_some());
                        r.status = RevocationStatus::Revoked;
                        r.revoked_at = Some(entry.revoked_at);
                        r.reason = entry.reason;
                        r.notes = notes;
                        return CrlVerdict::Revoked(r);
                    }
                    notes.push(format!(
                        "{}: revoked on {}, after the validation time",
                        source.describe(),
                        entry.revoked_at
                    ));
                }
                reasons_mask |= interim;
                if used.is_none() {
                    used = Some((crl.clone(), *origin, delta.is_some()));
                }
            }
            if reasons_mask == ALL_REASONS {
                break;
            }
        }
        match used {
            Some((crl, origin, delta)) if reasons_mask == ALL_REASONS => {
                let mut r = report(&crl, origin, delta);
                r.status = RevocationStatus::Good;
                r.notes = notes;
                CrlVerdict::Good(r)
            }
            Some(_) => {
                notes.push("the available CRLs do not cover every revocation reason".into());
                CrlVerdict::Undetermined(notes, refused)
            }
            None => CrlVerdict::Undetermined(notes, refused),
        }
    }

    /// Finds and validates the signer of `crl` (§6.3.3 (f), (g)).
    fn crl_signer(
        &self,
        crl: &Crl,
        path: &[Certificate],
        index: usize,
        depth: usize,
    ) -> Result<(), SignerRefusal> {
        let above = path.get(index + 1..).unwrap_or_default();
        let mut candidates: Vec<(Certificate, bool)> = Vec::new();
        for c in above
            .iter()
            .filter(|c| c.subject_name() == crl.issuer_name())
        {
            candidates.push((c.clone(), true));
        }
        for c in self.pool.borrow().iter() {
            if c.subject_name() == crl.issuer_name() && !candidates.iter().any(|(x, _)| x == c) {
                candidates.push((c.clone(), false));
            }
        }
        candidates.sort_by_key(|(c, on_path)| {
            let key_match = match (crl.aki(), c.ski()) {
                (Some(a), Some(s)) if a == s => 0,
                (Some(_), Some(_)) => 2,
                _ => 1,
            };
            (key_match, !*on_path)
        });
        if candidates.is_empty() {
            return Err(SignerRefusal {
                why: format!(
                    "no certificate of its issuer \"{}\" is available",
                    crl.issuer()
                ),
                key_usage: false,
            });
        }
        let mut why = Vec::new();
        let mut key_usage = false;
        for (cand, on_path) in candidates {
            if !self.spend_signature_check() {
                why.push("the signature-check budget ran out".to_string());
                break;
            }
            // A CRL issuer on the path whose DSA key inherits its parameters (RFC 3279
            // §2.3.2) is checked with its working key (RFC 5280 §6.1.4 (f)).
            let key = match path.iter().position(|c| *c == cand) {
                Some(at) if on_path => super::super::path::working_spki(path, at),
                _ => cand.spki().to_vec(),
            };
            let with = match self.cache.verify_signed_der(&key, crl.der()) {
                Ok(w) => w,
                Err(e) => {
                    why.push(format!(
                        "signature does not verify with the key of \"{}\": {e}",
                        cand.label()
                    ));
                    continue;
                }
            };
            if let AlgorithmVerdict::Refused(r) =
                self.policy.algorithms.judge(&with, crl.this_update())
            {
                why.push(r);
                continue;
            }
            if let Some(ku) = cand.key_usage() {
                if !ku.crl_sign() {
                    why.push(format!(
                        "the CRL issuer \"{}\" is not authorized to sign CRLs (keyUsage lacks \
                         cRLSign, RFC 5280 §6.3.3 (f))",
                        cand.label()
                    ));
                    key_usage = true;
                    continue;
                }
            }
            if on_path {
                return Ok(());
            }
            match self.validate_signer(&cand, path, Purpose::CrlSigning, depth) {
                Ok(()) => return Ok(()),
                Err(e) => why.push(format!(
                    "the CRL issuer certificate path could not be validated: {e}"
                )),
            }
        }
        Err(SignerRefusal {
            why: why.join("; "),
            key_usage,
        })
    }

    /// The newest usable delta CRL for the complete CRL `complete` (§5.2.4, §6.3.3 (h)).
    fn find_delta(
        &self,
        complete: &Crl,
        crls: &[(Crl, Origin)],
        path: &[Certificate],
        index: usize,
        depth: usize,
        notes: &mut Vec<String>,
    ) -> Option<(Crl, Origin)> {
        let number = complete.number()?;
        let rev = &self.policy.revocation;
        let mut best: Option<(Crl, Origin)> = None;
        for (d, o) in crls.iter().filter(|(c, _)| c.is_delta()) {
            if d.issuer_name() != complete.issuer_name()
                || d.issuing_distribution_point() != complete.issuing_distribution_point()
            {
                continue;
            }
            let base = d.delta_base().unwrap_or_default();
            if cmp_unsigned(base, number) == std::cmp::Ordering::Greater {
                notes.push(format!(
                    "{}: its base CRL is newer than the complete CRL",
                    d.describe()
                ));
                continue;
            }
            if !covers(
                d.this_update(),
                d.next_update(),
                self.time.at,
                rev.clock_skew,
                rev.max_ocsp_age,
            ) {
                notes.push(format!("{}: not recent enough", d.describe()));
                continue;
            }
            if let Some(why) = unusable(d) {
                notes.push(format!("{}: {why}", d.describe()));
                continue;
            }
            if let Err(refusal) = self.crl_signer(d, path, index, depth) {
                notes.push(format!("{}: {}", d.describe(), refusal.why));
                continue;
            }
            let newer = match (&best, d.number()) {
                (None, _) => true,
                (Some((b, _)), Some(n)) => {
                    cmp_unsigned(n, b.number().unwrap_or_default()) == std::cmp::Ordering::Greater
                }
                (Some(_), None) => false,
            };
            if newer {
                best = Some((d.clone(), *o));
            }
        }
        best
    }
}

fn report(crl: &Crl, origin: Origin, delta: bool) -> RevocationReport {
    let mut r = RevocationReport::not_checked(0, "");
    r.source = Some(RevocationSourceKind::Crl);
    r.origin = Some(origin.as_str().to_string());
    r.issuer = Some(crl.issuer().to_string());
    r.this_update = Some(crl.this_update());
    r.next_update = crl.next_update();
    r.delta_crl = delta;
    r
}

/// Why no candidate signer of a CRL could be used.
struct SignerRefusal {
    /// Every candidate's reason.
    why: String,
    /// A candidate whose key verifies the CRL was refused for its key usage (no cRLSign).
    key_usage: bool,
}

/// Why a CRL cannot be used at all, if it cannot: an unknown critical extension or a
/// malformed one (RFC 5280 §5.2), no cRLNumber or a critical one (§5.2.3: conforming CRL
/// issuers MUST include it, and mark it non-critical; §5.2.4 asks the same of delta CRLs).
fn unusable(crl: &Crl) -> Option<String> {
    if crl.number().is_none() {
        return Some(
            "it has no cRLNumber extension, which RFC 5280 §5.2.3 requires of every CRL".into(),
        );
    }
    if crl.number_is_critical() {
        return Some(
            "its cRLNumber extension is marked critical; RFC 5280 §5.2.3 makes it non-critical"
                .into(),
        );
    }
    if let Some(oid) = crl.unknown_critical_extensions().first() {
        return Some(format!(
            "it has an unrecognized critical extension {oid} (RFC 5280 §5.2)"
        ));
    }
    crl.malformed_extensions()
        .first()
        .map(|m| format!("it has a malformed extension {m}"))
}

/// The entry of `crl` for `cert`, if listed: `Err` when the entry cannot be interpreted.
fn find_entry<'c>(crl: &'c Crl, cert: &Certificate) -> Option<Result<&'c CrlEntry, String>> {
    let entry = crl
        .entries_for(cert.serial())
        .find(|e| match &e.certificate_issuer {
            Some(names) => has_directory_name(names, cert.issuer_name()),
            None => crl.issuer_name() == cert.issuer_name(),
        })?;
    if let Some(oid) = entry.unknown_critical.first() {
        return Some(Err(format!(
            "the entry for the certificate has an unrecognized critical extension {oid}"
        )));
    }
    Some(Ok(entry))
}

/// Why a CRL does not serve a distribution point.
enum Scope {
    /// Issued by someone else entirely: not worth a note.
    Unrelated,
    /// Related (same issuer) but out of scope, with the reason.
    Mismatch(String),
}

/// §6.3.3 (b) and (c): whether `crl` serves `dp` of `cert`, and the reasons it covers.
fn scope(cert: &Certificate, dp: &DistributionPoint, crl: &Crl) -> Result<u16, Scope> {
    let idp = crl
        .issuing_distribution_point()
        .cloned()
        .unwrap_or_default();
    // (b)(1) the issuer.
    match &dp.crl_issuer {
        Some(names) => {
            if !has_directory_name(names, crl.issuer_name()) {
                return Err(Scope::Unrelated);
            }
            if !idp.indirect {
                return Err(Scope::Mismatch(
                    "it is issued by the distribution point's cRLIssuer but is not an indirect CRL"
                        .into(),
                ));
            }
        }
        None => {
            if crl.issuer_name() != cert.issuer_name() {
                return Err(Scope::Unrelated);
            }
        }
    }
    // (b)(2)(i) the distribution point names.
    if let Some(idp_name) = &idp.name {
        let idp_names = resolve(idp_name, crl.issuer_name());
        let matched = match &dp.name {
            Some(dp_name) => {
                let base = dp
                    .crl_issuer
                    .as_ref()
                    .and_then(|n| first_directory_name(n))
                    .unwrap_or_else(|| cert.issuer_name().clone());
                let dp_names = resolve(dp_name, &base);
                idp_names
                    .iter()
                    .any(|a| dp_names.iter().any(|b| a.same_as(b)))
            }
            None => match &dp.crl_issuer {
                Some(names) => idp_names.iter().any(|a| names.iter().any(|b| a.same_as(b))),
                None => false,
            },
        };
        if !matched {
            return Err(Scope::Mismatch(
                "its issuing distribution point does not match the certificate's CRL distribution \
                 point"
                    .into(),
            ));
        }
    }
    // (b)(2)(ii)–(iv) kinds of certificates.
    if idp.only_user && cert.is_ca() {
        return Err(Scope::Mismatch(
            "it only contains end-entity certificates and the certificate is a CA certificate"
                .into(),
        ));
    }
    if idp.only_ca && !cert.is_ca() {
        return Err(Scope::Mismatch(
            "it only contains CA certificates and the certificate is an end-entity certificate"
                .into(),
        ));
    }
    if idp.only_attribute {
        return Err(Scope::Mismatch(
            "it only contains attribute certificates".into(),
        ));
    }
    // (c) the reasons.
    let mask = idp.only_some_reasons.unwrap_or(ALL_REASONS)
        & dp.reasons.unwrap_or(ALL_REASONS)
        & ALL_REASONS;
    Ok(mask)
}

fn first_directory_name(names: &[GeneralName]) -> Option<NormalizedName> {
    names.iter().find_map(|n| match n {
        GeneralName::Directory(d, _) => Some(d.clone()),
        _ => None,
    })
}

/// A distribution point name as general names (a relative name appended to `base`).
fn resolve(name: &DistributionPointName, base: &NormalizedName) -> Vec<GeneralName> {
    match name {
        DistributionPointName::Full(names) => names.clone(),
        DistributionPointName::RelativeToIssuer(rdn) => {
            vec![GeneralName::Directory(base.joined(rdn), String::new())]
        }
    }
}
