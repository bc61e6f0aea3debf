//! Fetching revocation data and issuer certificates: the [`Fetcher`] trait, and what path
//! validation fetches when the policy allows it (`revocation.online`) and a fetcher is given.
//!
//! Without the `online` feature kyso has no fetcher of its own and opens no connection; a
//! caller may still plug one in. With it, [`crate::net::HttpFetcher`] fetches over plain HTTP
//! (CRL distribution points, OCSP responders and caIssuers URLs are `http:` by convention,
//! RFC 5280 §4.2.1.13, RFC 6960 Appendix A), with timeouts, size limits and a network policy
//! (no loopback, private or other non-public addresses unless allowed).
//!
//! What is fetched, and when ([`super::FetchScope`]): while a path is being built, only the
//! issuer certificates named by caIssuers URLs of a certificate whose issuer is missing; CRLs
//! and OCSP responses only for the certificates of a candidate path that reached a trust
//! anchor and passed the RFC 5280 §6.1 checks. A certificate that chains to no anchor never
//! makes kyso ask its CRL or OCSP URLs. Every failed fetch is recorded, and the revocation
//! check of the certificate it was for reports why (`network.refused`,
//! `network.budget_exhausted`, `revocation.fetch_failed`).

use std::time::Instant;

use super::cert::Certificate;
use super::options::{FetchScope, NoncePolicy};
use super::path::Engine;
use super::revocation::{build_request, Crl, OcspResponse, Origin};
use super::trust::certificates_from_pem_or_der;
use crate::report::Code;

/// Why a fetch failed.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum FetchError {
    /// Only `http:` URLs are fetched.
    #[error("unsupported URL {0} (only http: is fetched)")]
    UnsupportedUrl(String),
    /// Connecting, sending or receiving failed (timeouts included).
    #[error("{url}: {reason}")]
    Transport {
        /// The URL.
        url: String,
        /// What happened.
        reason: String,
    },
    /// The server answered with an HTTP error status.
    #[error("{url}: HTTP status {status}")]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
    },
    /// The answer was larger than allowed.
    #[error("{url}: the answer is larger than {limit} bytes")]
    TooLarge {
        /// The URL.
        url: String,
        /// The limit.
        limit: usize,
    },
    /// The network policy refuses the URL or an address it leads to (scheme, user
    /// information, a loopback, private or other non-public address, a redirect there).
    #[error("{url} was not fetched: {reason}")]
    Refused {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The verification's network budget is spent.
    #[error("{url} was not fetched: {reason}")]
    BudgetExhausted {
        /// The URL.
        url: String,
        /// Which limit ran out.
        reason: String,
    },
    /// A redirect that is not followed: too many, or a POST answered with 301, 302 or 303
    /// (it is never repeated as a GET).
    #[error("{url}: {reason}")]
    Redirect {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
}

impl FetchError {
    /// The URL the fetch was for.
    pub fn url(&self) -> &str {
        match self {
            FetchError::UnsupportedUrl(url)
            | FetchError::Transport { url, .. }
            | FetchError::Status { url, .. }
            | FetchError::TooLarge { url, .. }
            | FetchError::Refused { url, .. }
            | FetchError::BudgetExhausted { url, .. }
            | FetchError::Redirect { url, .. } => url,
        }
    }

    /// The finding code a fetch that failed this way is reported with.
    pub fn code(&self) -> Code {
        match self {
            FetchError::UnsupportedUrl(_) | FetchError::Refused { .. } => Code::NetworkRefused,
            FetchError::BudgetExhausted { .. } => Code::NetworkBudgetExhausted,
            _ => Code::RevocationFetchFailed,
        }
    }
}

/// What one fetch may spend, as the verification's [`super::NetworkMeter`] sets it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FetchLimits {
    /// The fetch (redirects, name lookups and the whole answer included) must end by then.
    pub deadline: Option<Instant>,
    /// Most bytes of the answer.
    pub max_bytes: Option<u64>,
}

impl FetchLimits {
    /// Limits with this deadline and size cap.
    pub fn new(deadline: Option<Instant>, max_bytes: Option<u64>) -> Self {
        FetchLimits {
            deadline,
            max_bytes,
        }
    }
}

/// Something that can GET and POST over HTTP. Implementations must bound time and size.
pub trait Fetcher: Send + Sync {
    /// GETs `url`, returning the body.
    fn get(&self, url: &str) -> Result<Vec<u8>, FetchError>;
    /// POSTs `body` with `content_type` to `url`, returning the answer's body.
    fn post(&self, url: &str, content_type: &str, body: &[u8]) -> Result<Vec<u8>, FetchError>;
    /// [`Fetcher::get`] within `limits` (the verification's remaining network budget). The
    /// default ignores them: the budget then still bounds the number of fetches and refuses
    /// new ones once the time is spent, but cannot cut a fetch short.
    fn get_within(&self, url: &str, limits: FetchLimits) -> Result<Vec<u8>, FetchError> {
        let _ = limits;
        self.get(url)
    }
    /// [`Fetcher::post`] within `limits`; the default ignores them.
    fn post_within(
        &self,
        url: &str,
        content_type: &str,
        body: &[u8],
        limits: FetchLimits,
    ) -> Result<Vec<u8>, FetchError> {
        let _ = limits;
        self.post(url, content_type, body)
    }
}

/// A fetcher shared between verifications (cloned with the options).
#[derive(Clone)]
pub struct SharedFetcher(pub std::sync::Arc<dyn Fetcher>);

impl std::fmt::Debug for SharedFetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedFetcher")
    }
}

/// Whether kyso hands `url` to a fetcher: `http:` (and `https:`, which the fetcher refuses
/// with a reason); `ldap:` and other schemes are left alone.
fn fetchable(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// What a fetch was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FetchFor {
    /// The certificate's missing issuer (caIssuers).
    Issuer,
    /// The certificate's revocation status (CRL, OCSP).
    Revocation,
}

/// Most fetch failures kept for the report of one validation.
const MAX_FAILURES: usize = 64;

/// Most distinct URLs of one kind tried for one certificate.
const MAX_URLS: usize = 4;

impl Engine<'_> {
    /// Fetches the issuers named in `cert`'s caIssuers URLs into the pool; true when
    /// something new arrived.
    pub(crate) fn fetch_issuers(&self, cert: &Certificate) -> bool {
        let Some(fetcher) = self.fetcher else {
            return false;
        };
        if self.policy.revocation.fetch_scope == FetchScope::RevocationOnly {
            return false;
        }
        let mut added = false;
        for url in cert
            .ca_issuer_urls()
            .iter()
            .filter(|u| fetchable(u))
            .take(MAX_URLS)
        {
            if !self.spend_fetch(cert, FetchFor::Issuer, url) {
                break;
            }
            let body = match fetcher.get(url) {
                Ok(body) => body,
                Err(e) => {
                    self.record_failure(cert, FetchFor::Issuer, e);
                    continue;
                }
            };
            for c in certificates_in(&body) {
                let mut pool = self.pool.borrow_mut();
                if !pool.contains(&c) {
                    pool.push(c);
                    added = true;
                }
            }
        }
        added
    }

    /// Records a fetch that failed for `cert` (its revocation check or its issuer).
    pub(crate) fn record_failure(&self, cert: &Certificate, what: FetchFor, error: FetchError) {
        if matches!(error, FetchError::BudgetExhausted { .. }) {
            self.budget_cut.set(true);
        }
        let mut failures = self.fetch_failures.borrow_mut();
        let known = failures
            .iter()
            .any(|(c, w, e)| c == cert && *w == what && *e == error);
        if !known && failures.len() < MAX_FAILURES {
            failures.push((cert.clone(), what, error));
        }
    }

    /// The fetches for `what` that failed for `cert`.
    pub(crate) fn failures_for(&self, cert: &Certificate, what: FetchFor) -> Vec<FetchError> {
        self.fetch_failures
            .borrow()
            .iter()
            .filter(|(c, w, _)| c == cert && *w == what)
            .map(|(_, _, e)| e.clone())
            .collect()
    }

    /// Fetches CRLs from `cert`'s http distribution points (and the delta CRLs their
    /// freshestCRL points to) unless a CRL of the certificate's issuer is already at hand.
    pub(crate) fn fetch_crls(&self, cert: &Certificate) {
        let Some(fetcher) = self.fetcher else {
            return;
        };
        let have = self
            .data
            .borrow()
            .crls()
            .iter()
            .any(|(c, _)| c.issuer_name() == cert.issuer_name() && !c.is_delta());
        if have {
            return;
        }
        let urls: Vec<String> = cert
            .crl_distribution_points()
            .iter()
            .chain(cert.freshest_crl().iter())
            .filter_map(|dp| match &dp.name {
                Some(super::cert::DistributionPointName::Full(names)) => {
                    names.iter().find_map(|n| n.http_uri().map(str::to_string))
                }
                _ => None,
            })
            .take(MAX_URLS)
            .collect();
        for url in urls {
            if !self.spend_fetch(cert, FetchFor::Revocation, &url) {
                break;
            }
            match fetcher.get(&url) {
                Ok(body) => match Crl::from_der(&body) {
                    Ok(crl) => self.data.borrow_mut().add_crl(crl, Origin::Fetched),
                    Err(e) => self.record_failure(
                        cert,
                        FetchFor::Revocation,
                        FetchError::Transport {
                            url: url.clone(),
                            reason: format!("the answer is not a CRL: {e}"),
                        },
                    ),
                },
                Err(e) => self.record_failure(cert, FetchFor::Revocation, e),
            }
        }
    }

    /// Asks `cert`'s OCSP responders (authorityInfoAccess) about it, unless a response about
    /// it is already at hand.
    pub(crate) fn fetch_ocsp(&self, cert: &Certificate, issuer: &Certificate) {
        let Some(fetcher) = self.fetcher else {
            return;
        };
        let have = self.data.borrow().ocsp_responses().iter().any(|(r, _)| {
            r.responses()
                .iter()
                .any(|s| s.cert_id.matches(cert, issuer))
        });
        if have {
            return;
        }
        let nonce_policy = self.policy.revocation.nonce;
        for url in cert
            .ocsp_urls()
            .iter()
            .filter(|u| fetchable(u))
            .take(MAX_URLS)
        {
            if !self.spend_fetch(cert, FetchFor::Revocation, url) {
                break;
            }
            let nonce = match nonce_policy {
                NoncePolicy::Off => None,
                _ => new_nonce(),
            };
            let Ok(request) = build_request(cert, issuer, nonce.as_deref()) else {
                return;
            };
            let body = match fetcher.post(url, "application/ocsp-request", &request) {
                Ok(body) => body,
                Err(e) => {
                    self.record_failure(cert, FetchFor::Revocation, e);
                    continue;
                }
            };
            let response = match OcspResponse::from_der(&body) {
                Ok(r) => r,
                Err(e) => {
                    self.record_failure(
                        cert,
                        FetchFor::Revocation,
                        FetchError::Transport {
                            url: url.clone(),
                            reason: format!("the answer is not an OCSP response: {e}"),
                        },
                    );
                    continue;
                }
            };
            let nonce_ok = match (nonce_policy, &nonce, response.nonce()) {
                (NoncePolicy::Require, Some(sent), got) => got == Some(sent.as_slice()),
                // A nonce that comes back must be ours.
                (_, Some(sent), Some(got)) => got == sent.as_slice(),
                _ => true,
            };
            if nonce_ok {
                self.data.borrow_mut().add_ocsp(response, Origin::Fetched);
                return;
            }
            self.record_failure(
                cert,
                FetchFor::Revocation,
                FetchError::Transport {
                    url: url.clone(),
                    reason: "the OCSP response does not carry the nonce kyso sent".into(),
                },
            );
        }
    }
}

/// 16 random bytes, or `None` if the system has no randomness to give.
fn new_nonce() -> Option<Vec<u8>> {
    use ring::rand::SecureRandom;
    let mut n = vec![0u8; 16];
    ring::rand::SystemRandom::new().fill(&mut n).ok()?;
    Some(n)
}

/// The certificates in a caIssuers answer: one DER certificate, PEM, or a certs-only CMS
/// (PKCS#7) bundle.
fn certificates_in(body: &[u8]) -> Vec<Certificate> {
    if let Ok(sd) = crate::cms::parse_signed_data(body) {
        return sd
            .certificates
            .iter()
            .filter_map(|d| Certificate::from_der(d).ok())
            .collect();
    }
    certificates_from_pem_or_der(body)
        .unwrap_or_default()
        .iter()
        .filter_map(|d| Certificate::from_der(d).ok())
        .collect()
}
