//! Network access (feature `online`): an HTTP [`Fetcher`] for CRL distribution points, OCSP
//! responders and caIssuers URLs.
//!
//! Plain `http:` only: revocation data and issuer certificates are signed objects, published
//! over HTTP by convention (RFC 5280 §4.2.1.13, RFC 6960 Appendix A), so TLS adds no security
//! here and kyso carries no TLS stack for it. Every request has a connect timeout, an overall
//! timeout and a size limit on the answer; redirects are followed (to `http:` only) a few
//! times. Nothing in kyso fetches unless the caller asks for it (`revocation.online` in the
//! validation policy and a fetcher in the options).

use std::time::Duration;

use crate::pki::{FetchError, Fetcher};

/// An HTTP fetcher with timeouts and size limits.
#[derive(Debug, Clone)]
pub struct HttpFetcher {
    agent: ureq::Agent,
    max_bytes: u64,
}

/// Defaults: 5 s to connect, 15 s per request, 16 MiB per answer, 3 redirects.
impl Default for HttpFetcher {
    fn default() -> Self {
        HttpFetcher::new(Duration::from_secs(5), Duration::from_secs(15), 16 << 20)
    }
}

impl HttpFetcher {
    /// A fetcher with these limits. The proxy, if any, comes from the usual environment
    /// variables (`http_proxy`, `no_proxy`).
    pub fn new(connect_timeout: Duration, timeout: Duration, max_bytes: u64) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_connect(Some(connect_timeout))
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .max_redirects(3)
            .user_agent(concat!("kyso/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        HttpFetcher { agent, max_bytes }
    }

    fn check_url(url: &str) -> Result<(), FetchError> {
        if url
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
        {
            Ok(())
        } else {
            Err(FetchError::UnsupportedUrl(url.to_string()))
        }
    }

    fn finish(
        &self,
        url: &str,
        result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Vec<u8>, FetchError> {
        let mut response = result.map_err(|e| FetchError::Transport {
            url: url.to_string(),
            reason: e.to_string(),
        })?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(FetchError::Status {
                url: url.to_string(),
                status,
            });
        }
        response
            .body_mut()
            .with_config()
            .limit(self.max_bytes)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => FetchError::TooLarge {
                    url: url.to_string(),
                    limit: usize::try_from(self.max_bytes).unwrap_or(usize::MAX),
                },
                other => FetchError::Transport {
                    url: url.to_string(),
                    reason: other.to_string(),
                },
            })
    }
}

impl Fetcher for HttpFetcher {
    fn get(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        Self::check_url(url)?;
        self.finish(url, self.agent.get(url).call())
    }

    fn post(&self, url: &str, content_type: &str, body: &[u8]) -> Result<Vec<u8>, FetchError> {
        Self::check_url(url)?;
        self.finish(
            url,
            self.agent
                .post(url)
                .header("Content-Type", content_type)
                .send(body),
        )
    }
}
