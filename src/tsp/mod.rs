//! RFC 3161 / RFC 5816 timestamps: requests, responses, tokens, and asking an authority.
//!
//! ```text
//! sign:   TimestampClient::timestamp(digest) ──> Rfc3161Client: TimestampRequest (nonce,
//!         certReq) ──> TsaTransport (HTTP with feature `online`) ──> TimestampResponse
//!         (status) ──> TimestampToken::check_as_requested (imprint, nonce, signature, EKU)
//! verify: TimestampToken::parse ──> check(digest of the data) ──> (verify::timestamps: the authority's path at `at`)
//! ```
//!
//! A token is a CMS SignedData (parsed by [`crate::cms::parse_signed_data`]) whose content
//! is a [`TstInfo`]. kyso accepts it as proof that the data existed at `genTime` when the
//! message imprint is the digest of the data, the authority's signature verifies over the
//! TSTInfo with the ESS signing-certificate attribute binding its certificate, that
//! certificate carries the critical extended key usage id-kp-timeStamping alone, and the
//! authority's path validates (at the time the caller chooses; the verifier calls path
//! validation for authorities through one adapter in `verify::timestamps`).

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
pub use tst_info::TstInfo;
