//! The signer's revocation status, checked before anything is signed when revocation data is
//! at hand: given by the caller, signed into the signature (adbe-revocationInfoArchival), or
//! fetched (the caller's fetcher, `--online`). A certificate the data shows revoked at the
//! signing time — the signer's or a CA's of its path — is refused
//! ([`Refusal::SignerRevoked`]) before any output exists: a signature made with it would be
//! INDETERMINATE/REVOKED_NO_POE for every verifier with the same data (EN 319 102-1 §5.2.6).
//!
//! A certificate of *unknown status* is refused too ([`Refusal::SignerStatusUnknown`]),
//! when the data at hand speaks about it and does not establish its status:
//!
//! - an authorised OCSP responder answered `unknown` for the signer or a CA of its path
//!   (RFC 6960 §2.2: the CA's responder does not know the certificate — given, signed in or
//!   fetched alike);
//! - revocation data was given (by the caller or in the adbe-revocationInfoArchival
//!   attribute) and none of it establishes the signer's status: a CRL of another issuer, a
//!   response for another certificate, data too old or not signed by the CA.
//!
//! With no data at hand — nothing given, and a fetch under `--online` that failed — signing
//! goes on: no data is neither "revoked" nor "unknown" (the verifier will say
//! INDETERMINATE/TRY_LATER until data is found).

use time::OffsetDateTime;

use crate::cms::RevocationInfoArchival;
use crate::pki::{
    Certificate, Origin, PathValidator, RevocationData, RevocationMode, RevocationPolicy,
    SharedFetcher, TrustStore, ValidationPolicy, ValidationTime, OCSP_UNKNOWN,
};
use crate::report::{RevocationReport, RevocationStatus};
use crate::signer::SignerIdentity;
use crate::{Error, Refusal};

/// What the signer's certificate is checked against before signing
/// ([`super::SignOptions::revocation_check`]).
#[derive(Clone)]
#[non_exhaustive]
pub struct RevocationCheck {
    /// The anchors the signer's path must reach (a revocation status means something only
    /// for a path to a trusted CA).
    pub trust: TrustStore,
    /// Intermediate certificates and responders besides the signer's chain.
    pub intermediates: Vec<Certificate>,
    /// CRLs and OCSP responses at hand.
    pub data: RevocationData,
    /// Fetches the OCSP responses and CRLs the certificates name, when set.
    pub fetcher: Option<SharedFetcher>,
}

impl std::fmt::Debug for RevocationCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RevocationCheck")
            .field("anchors", &self.trust.anchors().len())
            .field("intermediates", &self.intermediates.len())
            .field("fetcher", &self.fetcher.is_some())
            .finish()
    }
}

impl RevocationCheck {
    /// A check against `trust`'s anchors with no data yet.
    pub fn new(trust: TrustStore) -> Self {
        RevocationCheck {
            trust,
            intermediates: Vec::new(),
            data: RevocationData::new(),
            fetcher: None,
        }
    }
}

/// Refuses a signer whose certificate (or a CA of its path) the data at hand shows revoked
/// at `signing_time`, or whose status that data leaves unknown (see the module
/// documentation).
pub(crate) fn refuse_revoked(
    identity: &SignerIdentity,
    signing_time: OffsetDateTime,
    check: &RevocationCheck,
    archival: Option<&RevocationInfoArchival>,
) -> Result<(), Error> {
    let Ok(signer) = Certificate::from_der(identity.certificate()) else {
        // An unreadable certificate is refused by the certificate check itself.
        return Ok(());
    };
    let mut pool = check.intermediates.clone();
    pool.extend(
        identity
            .chain()
            .iter()
            .filter_map(|d| Certificate::from_der(d).ok()),
    );
    let mut data = check.data.clone();
    let given = !data.is_empty() || archival.is_some_and(|a| !a.is_empty());
    if let Some(a) = archival {
        for der in &a.crls {
            let _ = data.add_crl_der(der, Origin::SignedAttribute);
        }
        for der in &a.ocsp {
            let _ = data.add_ocsp_der(der, Origin::SignedAttribute);
        }
    }
    let mut policy = ValidationPolicy::document_signing();
    policy.revocation = RevocationPolicy::all(RevocationMode::IfAvailable);
    policy.revocation.online = check.fetcher.is_some();
    let mut validator = PathValidator::new(&check.trust, &policy);
    if let Some(f) = &check.fetcher {
        validator = validator.with_fetcher(f.0.as_ref());
    }
    let outcome = validator.validate(&signer, &pool, &data, ValidationTime::at(signing_time));
    let reports = || {
        outcome
            .revocation
            .iter()
            .chain(outcome.candidates.iter().flat_map(|c| c.revocation.iter()))
    };
    if let Some(r) = reports().find(|r| r.status == RevocationStatus::Revoked) {
        return Err(Error::from(refusal(r)));
    }
    let unknown = |r: &&RevocationReport| r.status == RevocationStatus::Unknown;
    // An OCSP responder that does not know a certificate of the path.
    if let Some(r) = reports()
        .filter(unknown)
        .find(|r| r.notes.iter().any(|n| n.ends_with(OCSP_UNKNOWN)))
    {
        return Err(Error::from(unknown_refusal(r, &data)));
    }
    // Data given that does not establish the signer's status.
    if given {
        if let Some(r) = reports().filter(unknown).find(|r| r.certificate == 0) {
            return Err(Error::from(unknown_refusal(r, &data)));
        }
    }
    Ok(())
}

fn unknown_refusal(r: &RevocationReport, data: &RevocationData) -> Refusal {
    let why = if r.notes.is_empty() {
        format!(
            "none of the revocation data at hand ({} CRL(s), {} OCSP response(s)) is about it",
            data.crls().len(),
            data.ocsp_responses().len()
        )
    } else {
        r.notes.join("; ")
    };
    Refusal::SignerStatusUnknown {
        subject: r.subject.clone(),
        why,
    }
}

fn refusal(r: &RevocationReport) -> Refusal {
    Refusal::SignerRevoked {
        subject: r.subject.clone(),
        revoked_at: r
            .revoked_at
            .map(crate::report::text::rfc3339)
            .unwrap_or_else(|| "an unknown date".into()),
        reason: r
            .reason
            .map(|x| x.describe())
            .unwrap_or_else(|| "no reason given".into()),
        source: r.describe_source(),
    }
}
