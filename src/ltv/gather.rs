//! Gathering what one certificate's path needs offline: the path to an anchor, and for each
//! non-anchor certificate an OCSP response (preferred) or a CRL, with the responder's or CRL
//! issuer's certificates (and their own revocation data when they need it). What is at hand
//! is used first; a fetcher asks the certificate's OCSP responders, CRL distribution points
//! and caIssuers URLs for the rest. A final offline validation, revocation required, with
//! only the gathered items says whether they suffice.
//!
//! OCSP responders and CRL distribution points are asked only for the certificates of a
//! path that reached a trust anchor (revocation off, caIssuers fetched while building): a
//! certificate that chains to no anchor makes kyso fetch nothing but its missing issuers.
//! Fetches that fail are named in the `missing` lines.

use time::OffsetDateTime;

use crate::pki::{
    build_request, Certificate, Crl, DistributionPointName, FetchError, FetchScope, Fetcher,
    OcspResponse, Origin, PathValidator, Purpose, RevocationData, RevocationMode, RevocationPolicy,
    TrustStore, ValidationPolicy, ValidationTime,
};
use crate::report::{RevocationStatus, Severity};

/// How deep responder and CRL-issuer certificates are followed.
const MAX_NESTING: usize = 2;
/// Most URLs of one kind tried per certificate.
const MAX_URLS: usize = 4;
/// Most certificates handled for one target (its path, responders, CRL issuers).
const MAX_CERTIFICATES: usize = 32;

/// Gathers with these anchors and this fetcher.
pub(crate) struct Gatherer<'a> {
    pub trust: &'a TrustStore,
    pub fetcher: Option<&'a dyn Fetcher>,
    pub fetch_scope: FetchScope,
    pub now: OffsetDateTime,
}

/// What one path (and its responders) needs.
#[derive(Debug, Default, Clone)]
pub(crate) struct Found {
    pub certificates: Vec<Certificate>,
    pub ocsp: Vec<OcspResponse>,
    pub crls: Vec<Crl>,
    pub missing: Vec<String>,
}

impl Found {
    /// Adds `other`'s items (no duplicates).
    pub(crate) fn merge(&mut self, other: Found) {
        for c in other.certificates {
            push_cert(&mut self.certificates, c);
        }
        for r in other.ocsp {
            if !self.ocsp.iter().any(|x| x.der() == r.der()) {
                self.ocsp.push(r);
            }
        }
        for c in other.crls {
            if !self.crls.iter().any(|x| x.der() == c.der()) {
                self.crls.push(c);
            }
        }
        for m in other.missing {
            if !self.missing.contains(&m) {
                self.missing.push(m);
            }
        }
    }

    fn data(&self) -> RevocationData {
        let mut d = RevocationData::new();
        for r in &self.ocsp {
            d.add_ocsp(r.clone(), Origin::Dss);
        }
        for c in &self.crls {
            d.add_crl(c.clone(), Origin::Dss);
        }
        d
    }
}

fn push_cert(list: &mut Vec<Certificate>, c: Certificate) {
    if !list.contains(&c) {
        list.push(c);
    }
}

impl Gatherer<'_> {
    /// The time a path is checked at: now, or just before the target expired (augmenting
    /// a file whose signer's certificate has expired since).
    fn time_for(&self, target: &Certificate) -> OffsetDateTime {
        if target.not_after() < self.now {
            target.not_after() - time::Duration::seconds(1)
        } else {
            self.now
        }
    }

    fn policy(&self, mode: RevocationMode) -> ValidationPolicy {
        let mut policy = ValidationPolicy::document_signing().with_purpose(Purpose::Any);
        policy.revocation = RevocationPolicy::all(mode);
        policy.revocation.online = self.fetcher.is_some() && mode == RevocationMode::Off;
        policy.revocation.fetch_scope = self.fetch_scope;
        policy
    }

    /// Gathers for `target`, using and growing `pool` and `data`.
    pub(crate) fn gather(
        &self,
        target: &Certificate,
        pool: &mut Vec<Certificate>,
        data: &mut RevocationData,
    ) -> Found {
        let at = self.time_for(target);
        let mut found = Found::default();
        let mut queue = vec![(target.clone(), 0usize)];
        let mut done: Vec<Certificate> = Vec::new();
        while let Some((cert, depth)) = queue.pop() {
            if done.contains(&cert) || done.len() >= MAX_CERTIFICATES {
                continue;
            }
            done.push(cert.clone());
            self.cover(&cert, depth, at, pool, data, &mut found, &mut queue);
        }
        // Does it suffice? Offline, revocation required, with only the gathered items.
        let policy = self.policy(RevocationMode::Require);
        let validator = PathValidator::new(self.trust, &policy);
        let outcome = validator.validate(
            target,
            &found.certificates,
            &found.data(),
            ValidationTime::at(at),
        );
        if !outcome.is_trusted() {
            let mut lines: Vec<String> = outcome
                .revocation
                .iter()
                .filter(|r| r.status == RevocationStatus::Unknown)
                .map(|r| {
                    let why = if r.notes.is_empty() {
                        "no OCSP response or CRL was found".to_owned()
                    } else {
                        r.notes.join("; ")
                    };
                    format!("no usable revocation data for \"{}\": {why}", r.subject)
                })
                .collect();
            if lines.is_empty() {
                lines = outcome
                    .findings
                    .iter()
                    .filter(|f| f.severity == Severity::Error)
                    .map(|f| f.message.clone())
                    .collect();
            }
            for l in lines {
                if !found.missing.contains(&l) {
                    found.missing.push(l);
                }
            }
        }
        found
    }

    /// Covers `cert`: its path, and revocation data for each non-anchor certificate of it;
    /// responders and CRL issuers that need their own data are queued.
    #[allow(clippy::too_many_arguments)]
    fn cover(
        &self,
        cert: &Certificate,
        depth: usize,
        at: OffsetDateTime,
        pool: &mut Vec<Certificate>,
        data: &mut RevocationData,
        found: &mut Found,
        queue: &mut Vec<(Certificate, usize)>,
    ) {
        let policy = self.policy(RevocationMode::Off);
        let mut validator = PathValidator::new(self.trust, &policy);
        if let Some(f) = self.fetcher {
            validator = validator.with_fetcher(f);
        }
        let outcome = validator.validate(cert, pool, data, ValidationTime::at(at));
        for c in &outcome.path {
            push_cert(&mut found.certificates, c.clone());
            push_cert(pool, c.clone());
        }
        if !outcome.is_trusted() {
            let why: Vec<String> = outcome
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .map(|f| f.message.clone())
                .collect();
            found.missing.push(format!(
                "no path from \"{}\" to a trust anchor: {}",
                cert.label(),
                why.join("; ")
            ));
            return;
        }
        let path = outcome.path;
        for pair in path.windows(2) {
            let [subject, issuer] = pair else { continue };
            let mut failed = Vec::new();
            if let Some(resp) = self.ocsp_for(subject, issuer, data, &mut failed) {
                for c in resp.certificates() {
                    push_cert(&mut found.certificates, c.clone());
                    push_cert(pool, c.clone());
                    // A delegated responder needs its own status unless it says otherwise.
                    if c != issuer
                        && c.issued_by_name(issuer)
                        && !c.has_ocsp_nocheck()
                        && depth < MAX_NESTING
                    {
                        queue.push((c.clone(), depth + 1));
                    }
                }
                if !found.ocsp.iter().any(|r| r.der() == resp.der()) {
                    found.ocsp.push(resp);
                }
                continue;
            }
            if let Some(crl) = self.crl_for(subject, data, &mut failed) {
                if crl.issuer_name() != issuer.subject_name() && depth < MAX_NESTING {
                    // An indirect CRL: its issuer's path needs covering too.
                    if let Some(c) = pool
                        .iter()
                        .find(|c| c.subject_name() == crl.issuer_name())
                        .cloned()
                    {
                        queue.push((c, depth + 1));
                    }
                }
                if !found.crls.iter().any(|c| c.der() == crl.der()) {
                    found.crls.push(crl);
                }
                continue;
            }
            let fetches = if failed.is_empty() {
                String::new()
            } else {
                format!(
                    "; {}",
                    failed
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            };
            found.missing.push(format!(
                "no OCSP response or CRL for \"{}\" (OCSP responders: {}; CRL distribution \
                 points: {}){fetches}",
                subject.label(),
                list_or_none(subject.ocsp_urls()),
                list_or_none(&crl_urls(subject)),
            ));
        }
    }

    /// An OCSP response about `cert` at hand, or fetched from its responders.
    fn ocsp_for(
        &self,
        cert: &Certificate,
        issuer: &Certificate,
        data: &mut RevocationData,
        failed: &mut Vec<FetchError>,
    ) -> Option<OcspResponse> {
        let about = |r: &OcspResponse| {
            r.responses()
                .iter()
                .any(|s| s.cert_id.matches(cert, issuer))
        };
        // The newest response at hand.
        let at_hand = data
            .ocsp_responses()
            .iter()
            .filter(|(r, _)| about(r))
            .max_by_key(|(r, _)| r.produced_at())
            .map(|(r, _)| r.clone());
        if at_hand.is_some() {
            return at_hand;
        }
        let fetcher = self.fetcher?;
        for url in cert.ocsp_urls().iter().take(MAX_URLS) {
            let nonce = crate::tsp::random_nonce().ok();
            let Ok(request) = build_request(cert, issuer, nonce.as_deref()) else {
                return None;
            };
            let body = match fetcher.post(url, "application/ocsp-request", &request) {
                Ok(body) => body,
                Err(e) => {
                    failed.push(e);
                    continue;
                }
            };
            let Ok(resp) = OcspResponse::from_der(&body) else {
                continue;
            };
            // A nonce that comes back must be ours.
            if let (Some(sent), Some(got)) = (&nonce, resp.nonce()) {
                if sent.as_slice() != got {
                    continue;
                }
            }
            if about(&resp) {
                data.add_ocsp(resp.clone(), Origin::Fetched);
                return Some(resp);
            }
        }
        None
    }

    /// A complete CRL of `cert`'s issuer at hand, or fetched from its distribution points.
    fn crl_for(
        &self,
        cert: &Certificate,
        data: &mut RevocationData,
        failed: &mut Vec<FetchError>,
    ) -> Option<Crl> {
        let at_hand = data
            .crls()
            .iter()
            .filter(|(c, _)| !c.is_delta() && c.issuer_name() == cert.issuer_name())
            .max_by_key(|(c, _)| c.this_update())
            .map(|(c, _)| c.clone());
        if at_hand.is_some() {
            return at_hand;
        }
        let fetcher = self.fetcher?;
        for url in crl_urls(cert).iter().take(MAX_URLS) {
            let body = match fetcher.get(url) {
                Ok(body) => body,
                Err(e) => {
                    failed.push(e);
                    continue;
                }
            };
            let Ok(crl) = Crl::from_der(&body) else {
                continue;
            };
            data.add_crl(crl.clone(), Origin::Fetched);
            if !crl.is_delta() {
                return Some(crl);
            }
        }
        None
    }
}

/// The http URLs of `cert`'s CRL distribution points.
fn crl_urls(cert: &Certificate) -> Vec<String> {
    cert.crl_distribution_points()
        .iter()
        .filter_map(|dp| match &dp.name {
            Some(DistributionPointName::Full(names)) => {
                names.iter().find_map(|n| n.http_uri().map(str::to_string))
            }
            _ => None,
        })
        .collect()
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}
