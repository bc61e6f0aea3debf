//! Asking a timestamp authority for a token.
//!
//! [`TimestampClient`] is what the signing pipeline uses: a digest in, a checked token out.
//! [`Rfc3161Client`] implements it over any [`TsaTransport`] (the HTTP one is
//! `tsp::http::HttpTransport`, feature `online`; tests plug in their own): it builds the
//! request with a fresh nonce and `certReq`, sends it, reads the status, and accepts the
//! token only if it answers this request (imprint, nonce) and is signed by a timestamping
//! certificate. [`TsaList`] tries several authorities in order.

use std::sync::Arc;

use super::error::TspError;
use super::request::TimestampRequest;
use super::response::TimestampResponse;
use super::token::TimestampToken;
use crate::crypto::DigestAlgorithm;

/// Largest token kyso accepts from an authority, in bytes.
pub const MAX_TOKEN_BYTES: usize = 64 * 1024;

/// Something that returns RFC 3161 timestamp tokens.
///
/// Implementations return the token (a DER CMS ContentInfo) only after checking that it
/// answers the request. The signing pipeline checks the imprint and the authority's
/// signature again, whatever the implementation did.
pub trait TimestampClient: Send + Sync {
    /// A token over `imprint`, the digest of the data made with `algorithm`.
    fn timestamp(&self, imprint: &[u8], algorithm: DigestAlgorithm) -> Result<Vec<u8>, TspError>;

    /// A name for messages (the authority's URL).
    fn name(&self) -> String {
        "timestamp authority".to_owned()
    }
}

impl<T: TimestampClient + ?Sized> TimestampClient for Arc<T> {
    fn timestamp(&self, imprint: &[u8], algorithm: DigestAlgorithm) -> Result<Vec<u8>, TspError> {
        (**self).timestamp(imprint, algorithm)
    }

    fn name(&self) -> String {
        (**self).name()
    }
}

impl<T: TimestampClient + ?Sized> TimestampClient for Box<T> {
    fn timestamp(&self, imprint: &[u8], algorithm: DigestAlgorithm) -> Result<Vec<u8>, TspError> {
        (**self).timestamp(imprint, algorithm)
    }

    fn name(&self) -> String {
        (**self).name()
    }
}

/// Carries one DER `TimeStampReq` to an authority and brings back its DER `TimeStampResp`.
pub trait TsaTransport: Send + Sync {
    /// Sends `request`, returns the response body.
    fn exchange(&self, request: &[u8]) -> Result<Vec<u8>, TspError>;

    /// The authority's name for messages (its URL).
    fn name(&self) -> String;
}

/// An RFC 3161 client over a transport.
#[derive(Debug, Clone)]
pub struct Rfc3161Client<T> {
    transport: T,
    policy: Option<String>,
}

impl<T: TsaTransport> Rfc3161Client<T> {
    /// A client that sends its requests through `transport`.
    pub fn new(transport: T) -> Self {
        Rfc3161Client {
            transport,
            policy: None,
        }
    }

    /// Asks the authority for tokens under this policy (dotted OID).
    pub fn policy(mut self, policy: impl Into<String>) -> Self {
        self.policy = Some(policy.into());
        self
    }
}

impl<T: TsaTransport> TimestampClient for Rfc3161Client<T> {
    fn timestamp(&self, imprint: &[u8], algorithm: DigestAlgorithm) -> Result<Vec<u8>, TspError> {
        let mut request = TimestampRequest::new(algorithm, imprint)?;
        if let Some(p) = &self.policy {
            request = request.with_policy(p.clone());
        }
        let answer = self.transport.exchange(&request.to_der()?)?;
        let token = token_from_response(&answer)?;
        let parsed = TimestampToken::parse(&token)?;
        parsed.check_as_requested(algorithm, imprint, request.nonce.as_deref())?;
        if let Some(p) = &self.policy {
            if parsed.info.policy != *p {
                return Err(TspError::Malformed {
                    what: "TSTInfo",
                    detail: format!(
                        "the token's policy is {}, not the one requested ({p})",
                        parsed.info.policy
                    ),
                });
            }
        }
        Ok(token)
    }

    fn name(&self) -> String {
        self.transport.name()
    }
}

/// The token of a granted response, as an owned DER ContentInfo.
pub fn token_from_response(response: &[u8]) -> Result<Vec<u8>, TspError> {
    let resp = TimestampResponse::parse(response)?;
    if !resp.status.is_granted() {
        return Err(TspError::Rejected {
            status: resp.status,
            failure_info: resp.failure_info,
            text: resp.status_text,
        });
    }
    let token = resp.token.ok_or(TspError::NoToken)?;
    if token.len() > MAX_TOKEN_BYTES {
        return Err(TspError::Malformed {
            what: "TimeStampToken",
            detail: format!("{} bytes, more than {MAX_TOKEN_BYTES}", token.len()),
        });
    }
    Ok(token.to_vec())
}

/// Several authorities, tried in order until one gives a usable token.
#[derive(Clone, Default)]
pub struct TsaList {
    authorities: Vec<Arc<dyn TimestampClient>>,
}

impl std::fmt::Debug for TsaList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.authorities.iter().map(|a| a.name()))
            .finish()
    }
}

impl TsaList {
    /// An empty list (every request fails with [`TspError::NoAuthority`]).
    pub fn new() -> Self {
        TsaList::default()
    }

    /// Adds an authority, tried after those already in the list.
    pub fn push(&mut self, client: Arc<dyn TimestampClient>) {
        self.authorities.push(client);
    }

    /// Adds an authority (builder form).
    pub fn with(mut self, client: Arc<dyn TimestampClient>) -> Self {
        self.push(client);
        self
    }

    /// How many authorities the list holds.
    pub fn len(&self) -> usize {
        self.authorities.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.authorities.is_empty()
    }
}

impl TimestampClient for TsaList {
    fn timestamp(&self, imprint: &[u8], algorithm: DigestAlgorithm) -> Result<Vec<u8>, TspError> {
        let mut attempts = Vec::new();
        for authority in &self.authorities {
            match authority.timestamp(imprint, algorithm) {
                Ok(token) => return Ok(token),
                Err(e) => attempts.push((authority.name(), e)),
            }
        }
        match attempts.len() {
            0 => Err(TspError::NoAuthority),
            1 => Err(attempts
                .pop()
                .map(|(_, e)| e)
                .unwrap_or(TspError::NoAuthority)),
            _ => Err(TspError::AllFailed(attempts)),
        }
    }

    fn name(&self) -> String {
        let names: Vec<String> = self.authorities.iter().map(|a| a.name()).collect();
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Fails(&'static str, AtomicUsize);

    impl TimestampClient for Fails {
        fn timestamp(&self, _: &[u8], _: DigestAlgorithm) -> Result<Vec<u8>, TspError> {
            self.1.fetch_add(1, Ordering::SeqCst);
            Err(TspError::Transport {
                authority: self.0.to_owned(),
                reason: "down".to_owned(),
            })
        }
        fn name(&self) -> String {
            self.0.to_owned()
        }
    }

    struct Answers;

    impl TimestampClient for Answers {
        fn timestamp(&self, _: &[u8], _: DigestAlgorithm) -> Result<Vec<u8>, TspError> {
            Ok(vec![1, 2, 3])
        }
    }

    #[test]
    fn lists_try_authorities_in_order() {
        let first = Arc::new(Fails("http://a", AtomicUsize::new(0)));
        let list = TsaList::new().with(first.clone()).with(Arc::new(Answers));
        assert_eq!(
            list.timestamp(&[0; 32], DigestAlgorithm::Sha256).unwrap(),
            vec![1, 2, 3]
        );
        assert_eq!(first.1.load(Ordering::SeqCst), 1);

        let both = TsaList::new()
            .with(Arc::new(Fails("http://a", AtomicUsize::new(0))))
            .with(Arc::new(Fails("http://b", AtomicUsize::new(0))));
        let err = both
            .timestamp(&[0; 32], DigestAlgorithm::Sha256)
            .unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(err, TspError::AllFailed(ref v) if v.len() == 2),
            "{text}"
        );
        assert!(
            text.contains("http://a") && text.contains("http://b"),
            "{text}"
        );

        let one = TsaList::new().with(Arc::new(Fails("http://a", AtomicUsize::new(0))));
        assert!(matches!(
            one.timestamp(&[0; 32], DigestAlgorithm::Sha256),
            Err(TspError::Transport { .. })
        ));
        assert!(matches!(
            TsaList::new().timestamp(&[0; 32], DigestAlgorithm::Sha256),
            Err(TspError::NoAuthority)
        ));
    }

    #[test]
    fn rejections_and_empty_grants_are_errors() {
        // granted, no token
        let granted = [0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x00];
        assert!(matches!(
            token_from_response(&granted),
            Err(TspError::NoToken)
        ));
        // waiting (3): not supported, refused with its status
        let waiting = [0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x03];
        let err = token_from_response(&waiting).unwrap_err();
        assert!(err.to_string().contains("waiting"), "{err}");
    }
}
