//! RFC 3161 over HTTP (RFC 3161 §3.4): `POST` of the DER request with content type
//! `application/timestamp-query`, the DER response back. Feature `online`.
//!
//! Plain `http:` only (ureq without TLS, the same HTTP stack the certificate fetcher uses).
//! Tokens are signed, so a plain channel cannot forge one; but HTTP basic credentials travel
//! in clear, so use them only with authorities on a trusted network.
//!
//! The authority's URL is the operator's configuration (`--tsa`), never read from a document,
//! so the network policy that guards URLs from certificates ([`crate::net::NetworkPolicy`])
//! does not apply: an authority on the operator's own network is normal. No redirect is
//! followed.

use std::time::Duration;

use base64::Engine as _;

use super::client::{Rfc3161Client, TsaTransport, MAX_TOKEN_BYTES};
use super::error::TspError;

/// Default time allowed for the whole exchange.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default time allowed to connect.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest response read, in bytes.
pub const MAX_RESPONSE_BYTES: u64 = MAX_TOKEN_BYTES as u64 + 4096;

/// An RFC 3161 client over HTTP.
pub type HttpTimestampClient = Rfc3161Client<HttpTransport>;

/// HTTP basic credentials.
#[derive(Clone)]
struct BasicAuth {
    header: String,
}

/// Posts requests to one authority's URL.
#[derive(Clone)]
pub struct HttpTransport {
    url: String,
    auth: Option<BasicAuth>,
    timeout: Duration,
    connect_timeout: Duration,
}

impl std::fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The credentials are never printed.
        f.debug_struct("HttpTransport")
            .field("url", &self.url)
            .field("basic_auth", &self.auth.is_some())
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl HttpTransport {
    /// A transport to `url`, which must be an `http:` URL.
    pub fn new(url: impl Into<String>) -> Result<Self, TspError> {
        let url = url.into();
        let lower = url.to_ascii_lowercase();
        if !lower.starts_with("http://") {
            let reason = if lower.starts_with("https://") {
                "https: needs TLS, which kyso's online feature does not include; use the \
                 authority's http: address (tokens are signed, so plain HTTP cannot forge one)"
            } else {
                "not an http: URL"
            };
            return Err(TspError::Transport {
                authority: url,
                reason: reason.to_owned(),
            });
        }
        Ok(HttpTransport {
            url,
            auth: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
        })
    }

    /// Sends HTTP basic credentials with each request.
    pub fn basic_auth(mut self, user: &str, password: &str) -> Self {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        self.auth = Some(BasicAuth {
            header: format!("Basic {token}"),
        });
        self
    }

    /// The time allowed for the whole exchange (default 30 s); connecting is allowed at
    /// most the same.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self.connect_timeout = self.connect_timeout.min(timeout);
        self
    }

    /// The client over this transport.
    pub fn client(self) -> HttpTimestampClient {
        Rfc3161Client::new(self)
    }

    fn error(&self, e: ureq::Error) -> TspError {
        match e {
            ureq::Error::Timeout(_) => TspError::Timeout {
                authority: self.url.clone(),
                seconds: self.timeout.as_secs().max(1),
            },
            ureq::Error::BodyExceedsLimit(limit) => TspError::TooLarge {
                authority: self.url.clone(),
                limit,
            },
            ureq::Error::StatusCode(status) => TspError::HttpStatus {
                authority: self.url.clone(),
                status,
            },
            other => TspError::Transport {
                authority: self.url.clone(),
                reason: other.to_string(),
            },
        }
    }
}

impl TsaTransport for HttpTransport {
    fn exchange(&self, request: &[u8]) -> Result<Vec<u8>, TspError> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(self.timeout))
            .timeout_connect(Some(self.connect_timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        let mut req = agent
            .post(&self.url)
            .header("Content-Type", "application/timestamp-query")
            .header("Accept", "application/timestamp-reply");
        if let Some(auth) = &self.auth {
            req = req.header("Authorization", &auth.header);
        }
        let mut response = req.send(request).map_err(|e| self.error(e))?;
        let status = response.status().as_u16();
        if status != 200 {
            return Err(TspError::HttpStatus {
                authority: self.url.clone(),
                status,
            });
        }
        response
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE_BYTES)
            .read_to_vec()
            .map_err(|e| self.error(e))
    }

    fn name(&self) -> String {
        self.url.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_urls_and_credentials_stay_hidden() {
        assert!(HttpTransport::new("https://tsa.example/").is_err());
        assert!(HttpTransport::new("ftp://tsa.example/").is_err());
        let t = HttpTransport::new("http://127.0.0.1:9/tsa")
            .unwrap()
            .basic_auth("user", "s3cret");
        let shown = format!("{t:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("basic_auth: true"), "{shown}");
    }
}
