//! RFC 3161 / RFC 5816 timestamps: requests, responses, tokens, and asking an authority.
//!
//! ```text
//! sign:   TimestampClient::timestamp(digest) ──> Rfc3161Client: TimestampRequest (nonce,
//!         certReq) ──> TsaTransport (HTTP with feature `online`) ──> TimestampResponse
//!         (status) ──> TimestampToken::check_as_requested (imprint, nonce, signature, EKU)
//! verify: TimestampToken::parse ──> check(digest of the data) ──> validate_tsa_path(at)
//! ```
//!
//! A token is a CMS SignedData (parsed by [`crate::cms::parse_signed_data`]) whose content
//! is a [`TstInfo`]. kyso accepts it as proof that the data existed at `genTime` when the
//! message imprint is the digest of the data, the authority's signature verifies over the
//! TSTInfo with the ESS signing-certificate attribute binding its certificate, that
//! certificate carries the critical extended key usage id-kp-timeStamping alone, and the
//! authority's path validates (at the time the caller chooses; the verifier calls path
//! validation for authorities through one adapter, `validate_tsa_path`).

mod client;
mod error;
#[cfg(feature = "online")]
pub mod http;
mod request;
mod response;
mod token;
mod tst_info;

pub use client::{
    token_from_response, Rfc3161Client, TimestampClient, TsaList, TsaTransport, MAX_TOKEN_BYTES,
};
pub use error::TspError;
pub use request::{random_nonce, TimestampRequest, NONCE_LEN};
pub use response::{FailureInfo, PkiStatus, TimestampResponse};
pub use token::{timestamping_usage, TimestampToken, TokenCheck, TokenProblem};
pub use tst_info::{Accuracy, TstInfo};

use time::OffsetDateTime;

use crate::pki::{
    Certificate, PathOutcome, PathValidator, Purpose, RevocationData, ValidationTime,
};
use crate::verify::VerifyOptions;

/// Validates the authority's certificate path at `at` (the token's genTime) with the
/// verifier's anchors and validation policy, for the purpose of timestamping (an anchor
/// limited to document signing does not vouch for an authority), with `revocation` (the
/// caller's data, the token's and the document's) and the verifier's fetcher.
pub(crate) fn validate_tsa_path(
    tsa: &Certificate,
    intermediates: &[Certificate],
    revocation: &RevocationData,
    opts: &VerifyOptions,
    at: OffsetDateTime,
) -> PathOutcome {
    let policy = opts.validation.clone().with_purpose(Purpose::Timestamping);
    let mut validator = PathValidator::new(&opts.trust, &policy).with_cache(&opts.cache);
    if let Some(f) = &opts.fetcher {
        validator = validator.with_fetcher(f.0.as_ref());
    }
    validator.validate(tsa, intermediates, revocation, ValidationTime::at(at))
}
