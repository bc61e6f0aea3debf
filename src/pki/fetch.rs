//! Fetching revocation data and issuer certificates: the [`Fetcher`] trait, and what path
//! validation fetches when the policy allows it (`revocation.online`) and a fetcher is given.
//!
//! Without the `online` feature kyso has no fetcher of its own and opens no connection; a
//! caller may still plug one in. With it, [`crate::net::HttpFetcher`] fetches over plain HTTP
//! (CRL distribution points, OCSP responders and caIssuers URLs are `http:` by convention,
//! RFC 5280 §4.2.1.13, RFC 6960 Appendix A), with timeouts and size limits.

use super::cert::Certificate;
use super::options::NoncePolicy;
use super::path::Engine;
use super::revocation::{build_request, Crl, OcspResponse, Origin};
use super::trust::certificates_from_pem_or_der;

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
}

/// Something that can GET and POST over HTTP. Implementations must bound time and size.
pub trait Fetcher: Send + Sync {
    /// GETs `url`, returning the body.
    fn get(&self, url: &str) -> Result<Vec<u8>, FetchError>;
    /// POSTs `body` with `content_type` to `url`, returning the answer's body.
    fn post(&self, url: &str, content_type: &str, body: &[u8]) -> Result<Vec<u8>, FetchError>;
}

/// A fetcher shared between verifications (cloned with the options).
#[derive(Clone)]
pub struct SharedFetcher(pub std::sync::Arc<dyn Fetcher>);

impl std::fmt::Debug for SharedFetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedFetcher")
    }
}

/// Most distinct URLs of one kind tried for one certificate.
const MAX_URLS: usize = 4;

impl Engine<'_> {
    /// Fetches the issuers named in `cert`'s caIssuers URLs into the pool; true when
    /// something new arrived.
    pub(crate) fn fetch_issuers(&self, cert: &Certificate) -> bool {
        let Some(fetcher) = self.fetcher else {
            return false;
        };
        let mut added = false;
        for url in cert.ca_issuer_urls().iter().take(MAX_URLS) {
            if !self.spend_fetch() {
                break;
            }
            let Ok(body) = fetcher.get(url) else {
                continue;
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
            if !self.spend_fetch() {
                break;
            }
            if let Ok(body) = fetcher.get(&url) {
                if let Ok(crl) = Crl::from_der(&body) {
                    self.data.borrow_mut().add_crl(crl, Origin::Fetched);
                }
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
        for url in cert.ocsp_urls().iter().take(MAX_URLS) {
            if !self.spend_fetch() {
                break;
            }
            let nonce = match nonce_policy {
                NoncePolicy::Off => None,
                _ => new_nonce(),
            };
            let Ok(request) = build_request(cert, issuer, nonce.as_deref()) else {
                return;
            };
            let Ok(body) = fetcher.post(url, "application/ocsp-request", &request) else {
                continue;
            };
            let Ok(response) = OcspResponse::from_der(&body) else {
                continue;
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
