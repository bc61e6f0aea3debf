//! Timestamps at signing time: the signature timestamp of PAdES B-T (an unsigned attribute
//! over the signature value) and the room reserved for tokens in a placeholder.
//!
//! A placeholder is sized once, before the document is hashed, and never resized: the
//! token's size must be known up front. [`TokenReserve::Probe`] (the default) asks the
//! authority for a token over a fixed dummy digest first and reserves its length plus
//! [`PROBE_MARGIN`]; [`TokenReserve::Bytes`] reserves a fixed number of bytes (what
//! two-phase signing uses when the authority is not asked until finish). A token that does
//! not fit is refused before anything is written.

use std::sync::{Arc, OnceLock};

use crate::asn1::oid;
use crate::cms::encode_attribute;
use crate::crypto::{digest, DigestAlgorithm};
use crate::tsp::{TimestampClient, TimestampToken, TspError};
use crate::Error;

/// Bytes added to a probed token's length: serial numbers, nonces, fractions of a second
/// and ECDSA signatures vary in length from one token to the next, and a list of
/// authorities may answer from another one.
pub const PROBE_MARGIN: usize = 1024;
/// A fixed reserve that holds the tokens of common authorities (a token with the
/// authority's certificate and a two-certificate chain, RSA-4096).
pub const DEFAULT_TOKEN_RESERVE: usize = 12 * 1024;

/// The data a probe timestamps (its digest): never a real document.
const PROBE_DATA: &[u8] = b"kyso: timestamp token size probe";

/// How much room a placeholder keeps for a timestamp token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TokenReserve {
    /// Ask the authority for a token over a dummy digest and reserve its length plus
    /// [`PROBE_MARGIN`] (one extra request per [`Timestamping`] value: the result is kept).
    #[default]
    Probe,
    /// Reserve this many bytes.
    Bytes(usize),
}

/// Where timestamps come from and how they are made.
#[derive(Clone)]
pub struct Timestamping {
    client: Arc<dyn TimestampClient>,
    digest: DigestAlgorithm,
    reserve: TokenReserve,
    probed: Arc<OnceLock<usize>>,
}

impl std::fmt::Debug for Timestamping {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Timestamping")
            .field("authority", &self.client.name())
            .field("digest", &self.digest)
            .field("reserve", &self.reserve)
            .finish()
    }
}

impl Timestamping {
    /// Timestamps from `client` (one authority, or a [`crate::tsp::TsaList`]), SHA-256
    /// imprints, the reserve probed.
    pub fn new(client: Arc<dyn TimestampClient>) -> Self {
        Timestamping {
            client,
            digest: DigestAlgorithm::Sha256,
            reserve: TokenReserve::Probe,
            probed: Arc::new(OnceLock::new()),
        }
    }

    /// The digest algorithm of the message imprints.
    pub fn digest(mut self, digest: DigestAlgorithm) -> Self {
        self.digest = digest;
        self
    }

    /// How the room for a token is found.
    pub fn reserve(mut self, reserve: TokenReserve) -> Self {
        self.reserve = reserve;
        self
    }

    /// The imprint algorithm.
    pub fn digest_algorithm(&self) -> DigestAlgorithm {
        self.digest
    }

    /// The authority.
    pub fn client(&self) -> &Arc<dyn TimestampClient> {
        &self.client
    }

    /// The number of bytes to keep for one token (asks the authority once when probing).
    pub fn token_reserve(&self) -> Result<usize, Error> {
        match self.reserve {
            TokenReserve::Bytes(n) => Ok(n),
            TokenReserve::Probe => {
                if let Some(n) = self.probed.get() {
                    return Ok(*n);
                }
                let dummy = digest(self.digest, PROBE_DATA);
                let token = obtain_token(self.client.as_ref(), self.digest, &dummy)?;
                let n = token.len().saturating_add(PROBE_MARGIN);
                Ok(*self.probed.get_or_init(|| n))
            }
        }
    }

    /// A token over `data` (its digest is the imprint), checked: it must timestamp exactly
    /// that digest and carry a valid signature of a timestamping certificate.
    pub fn token_over(&self, data: &[u8]) -> Result<Vec<u8>, Error> {
        let imprint = digest(self.digest, data);
        obtain_token(self.client.as_ref(), self.digest, &imprint)
    }

    /// A token over a digest already made with [`Timestamping::digest_algorithm`].
    pub fn token_over_digest(&self, imprint: &[u8]) -> Result<Vec<u8>, Error> {
        obtain_token(self.client.as_ref(), self.digest, imprint)
    }

    /// The `signature-time-stamp` unsigned attribute (id-aa-signatureTimeStampToken) for a
    /// SignerInfo whose signature value is `signature` (RFC 3161 Appendix A; ETSI EN 319
    /// 122-1 §5.3).
    pub fn signature_timestamp_attribute(&self, signature: &[u8]) -> Result<Vec<u8>, Error> {
        let token = self.token_over(signature)?;
        Ok(encode_attribute(
            &oid::ID_AA_SIGNATURE_TIME_STAMP_TOKEN,
            &[&token],
        )?)
    }
}

/// Asks `client`, then checks the token whatever the client did: it must parse, timestamp
/// `imprint` with `algorithm`, and be soundly signed by a timestamping certificate.
pub(crate) fn obtain_token(
    client: &dyn TimestampClient,
    algorithm: DigestAlgorithm,
    imprint: &[u8],
) -> Result<Vec<u8>, Error> {
    let token = client.timestamp(imprint, algorithm)?;
    let parsed = TimestampToken::parse(&token)?;
    if parsed.signed_data.raw.len() != token.len() {
        return Err(TspError::Malformed {
            what: "TimeStampToken",
            detail: "bytes follow the token".to_owned(),
        }
        .into());
    }
    parsed.check_as_requested(algorithm, imprint, None)?;
    Ok(token)
}
