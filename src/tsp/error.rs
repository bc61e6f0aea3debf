//! Why a timestamp could not be obtained or accepted.

use crate::cms::CmsError;

use super::response::{FailureInfo, PkiStatus};

/// Why a timestamp request failed or a token was refused at signing time.
///
/// Verification of tokens found in files never returns these as `Err`: the verifier turns
/// the same checks into report findings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TspError {
    /// No timestamp authority was configured.
    #[error("no timestamp authority was configured")]
    NoAuthority,
    /// The authority could not be reached, or the exchange broke off.
    #[error("{authority}: {reason}")]
    Transport {
        /// The authority (its URL).
        authority: String,
        /// What happened.
        reason: String,
    },
    /// The authority did not answer in time.
    #[error("{authority}: no answer within {seconds} s")]
    Timeout {
        /// The authority (its URL).
        authority: String,
        /// The time allowed, in seconds.
        seconds: u64,
    },
    /// The authority answered with an HTTP error status.
    #[error("{authority}: HTTP status {status}")]
    HttpStatus {
        /// The authority (its URL).
        authority: String,
        /// The status code.
        status: u16,
    },
    /// The answer is larger than kyso accepts.
    #[error("{authority}: the answer is larger than {limit} bytes")]
    TooLarge {
        /// The authority.
        authority: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// A TimeStampResp, TimeStampToken or TSTInfo is not well formed.
    #[error("malformed {what}: {detail}")]
    Malformed {
        /// The structure.
        what: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// The CMS layer failed (decoding the token, or encoding the request).
    #[error("timestamp token: {0}")]
    Cms(#[from] CmsError),
    /// An element of the request or response could not be read or written.
    #[error("timestamp: {0}")]
    Der(#[from] crate::asn1::DerError),
    /// The authority refused the request (PKIStatus rejection, waiting, revocation…).
    #[error(
        "the timestamp authority refused the request: status {status}{}{}",
        failures_text(failure_info),
        status_text_suffix(text)
    )]
    Rejected {
        /// The PKIStatus.
        status: PkiStatus,
        /// The PKIFailureInfo bits set.
        failure_info: Vec<FailureInfo>,
        /// The statusString texts.
        text: Vec<String>,
    },
    /// The status says granted but no token came with it.
    #[error("the timestamp authority granted the request but sent no token")]
    NoToken,
    /// The token timestamps other data than was asked.
    #[error("the token's message imprint ({found}) is not the one requested ({expected})")]
    ImprintMismatch {
        /// What was requested (algorithm and hex digest).
        expected: String,
        /// What the token holds.
        found: String,
    },
    /// The token does not echo the request's nonce.
    #[error("the token's nonce ({found}) is not the request's ({expected})")]
    NonceMismatch {
        /// The nonce sent (hex).
        expected: String,
        /// The nonce received (hex), or "none".
        found: String,
    },
    /// The token's CMS signature or its signed attributes do not verify.
    #[error("the token's signature does not verify: {reason}")]
    TokenInvalid {
        /// Which check failed and why.
        reason: String,
    },
    /// The authority's certificate is missing or not a timestamping certificate.
    #[error("the timestamp authority's certificate: {reason}")]
    TsaCertificate {
        /// What is wrong.
        reason: String,
    },
    /// An algorithm of the token is one kyso does not support.
    #[error("unsupported algorithm in the token: {0}")]
    UnsupportedAlgorithm(String),
    /// Every authority of a list failed.
    #[error("no timestamp authority gave a usable token: {}", attempts_text(.0))]
    AllFailed(Vec<(String, TspError)>),
    /// The token does not fit the room reserved for it in the signature placeholder.
    #[error(
        "with its timestamp token the signature needs {needed} bytes, more than the room \
         reserved for it ({reserved} bytes); reserve more (a larger fixed reserve, or probe \
         the authority)"
    )]
    DoesNotFit {
        /// The bytes needed (the CMS with the token, or the token alone).
        needed: usize,
        /// The room reserved.
        reserved: usize,
    },
}

fn failures_text(f: &[FailureInfo]) -> String {
    if f.is_empty() {
        String::new()
    } else {
        let names: Vec<&str> = f.iter().map(|x| x.as_str()).collect();
        format!(" ({})", names.join(", "))
    }
}

fn status_text_suffix(t: &[String]) -> String {
    if t.is_empty() {
        String::new()
    } else {
        format!(": {}", t.join("; "))
    }
}

fn attempts_text(attempts: &[(String, TspError)]) -> String {
    attempts
        .iter()
        .map(|(name, e)| format!("[{name}] {e}"))
        .collect::<Vec<_>>()
        .join("; ")
}
