//! `TimeStampReq` (RFC 3161 §2.4.1), written in DER through the CMS layer's encoders.
//!
//! ```text
//! TimeStampReq ::= SEQUENCE {
//!     version        INTEGER { v1(1) },
//!     messageImprint MessageImprint,
//!     reqPolicy      TSAPolicyId OPTIONAL,
//!     nonce          INTEGER OPTIONAL,
//!     certReq        BOOLEAN DEFAULT FALSE,
//!     extensions     [0] IMPLICIT Extensions OPTIONAL }
//! MessageImprint ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, hashedMessage OCTET STRING }
//! ```

use asn1_rs::{Oid, ToDer};
use ring::rand::SecureRandom;

use super::error::TspError;
use crate::asn1::der;
use crate::crypto::DigestAlgorithm;

/// Length of the random nonces kyso sends, in bytes (64 bits, as most TSAs expect).
pub const NONCE_LEN: usize = 8;

/// A request for a timestamp over a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TimestampRequest {
    /// The digest algorithm of [`TimestampRequest::digest`].
    pub algorithm: DigestAlgorithm,
    /// The digest of the data to timestamp (the message imprint).
    pub digest: Vec<u8>,
    /// The nonce, as the content octets of a positive DER INTEGER, when one is sent.
    pub nonce: Option<Vec<u8>>,
    /// Ask the authority to include its certificate in the token (kyso always does: the
    /// token must be verifiable offline).
    pub cert_req: bool,
    /// A policy the authority must use, in dotted form.
    pub policy: Option<String>,
}

impl TimestampRequest {
    /// A request for `digest` (made with `algorithm`) with a fresh random nonce and
    /// `certReq` true.
    pub fn new(algorithm: DigestAlgorithm, digest: &[u8]) -> Result<Self, TspError> {
        if digest.len() != algorithm.output_len() {
            return Err(TspError::Malformed {
                what: "message imprint",
                detail: format!(
                    "{} bytes given, {} needs {}",
                    digest.len(),
                    algorithm.name(),
                    algorithm.output_len()
                ),
            });
        }
        Ok(TimestampRequest {
            algorithm,
            digest: digest.to_vec(),
            nonce: Some(random_nonce()?),
            cert_req: true,
            policy: None,
        })
    }

    /// Asks for this policy (dotted OID).
    pub fn with_policy(mut self, policy: impl Into<String>) -> Self {
        self.policy = Some(policy.into());
        self
    }

    /// The DER encoding.
    pub fn to_der(&self) -> Result<Vec<u8>, TspError> {
        let version = der::small_integer(1)?;
        let imprint = der::sequence(&[
            &self.algorithm.algorithm_identifier_der()?,
            &der::octet_string(&self.digest)?,
        ])?;
        let mut parts: Vec<Vec<u8>> = vec![version, imprint];
        if let Some(policy) = &self.policy {
            let oid = parse_dotted_oid(policy)?;
            parts.push(der::oid(&oid)?);
        }
        if let Some(nonce) = &self.nonce {
            parts.push(der::integer_from_content(nonce)?);
        }
        if self.cert_req {
            // DEFAULT FALSE: written only when true (X.690 §11.5).
            parts.push(asn1_rs::Boolean::TRUE.to_der_vec().map_err(|e| {
                crate::asn1::DerError::Encode {
                    what: "BOOLEAN",
                    detail: e.to_string(),
                }
            })?);
        }
        let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
        Ok(der::sequence(&refs)?)
    }
}

/// Parses a dotted object identifier.
pub(crate) fn parse_dotted_oid(text: &str) -> Result<Oid<'static>, TspError> {
    text.parse::<Oid<'static>>()
        .ok()
        .filter(|_| !text.is_empty() && text.split('.').all(|a| !a.is_empty()))
        .ok_or_else(|| TspError::Malformed {
            what: "policy",
            detail: format!("{text} is not a dotted object identifier"),
        })
}

/// A random 64-bit nonce as the content octets of a positive, minimally encoded INTEGER.
pub fn random_nonce() -> Result<Vec<u8>, TspError> {
    let mut bytes = [0u8; NONCE_LEN];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| TspError::Transport {
            authority: "local".into(),
            reason: "the system random number generator failed".into(),
        })?;
    Ok(positive_integer_content(&bytes))
}

/// The content octets of the DER INTEGER whose value is the unsigned big-endian `bytes`.
pub(crate) fn positive_integer_content(bytes: &[u8]) -> Vec<u8> {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    let significant = bytes.get(first..).unwrap_or_default();
    let mut out = Vec::with_capacity(significant.len() + 1);
    if significant.first().is_none_or(|b| b & 0x80 != 0) {
        out.push(0);
    }
    out.extend_from_slice(significant);
    out
}

/// Integer contents compared by value (redundant leading zero octets ignored).
pub(crate) fn same_integer(a: &[u8], b: &[u8]) -> bool {
    fn strip(x: &[u8]) -> &[u8] {
        let first = x.iter().position(|b| *b != 0).unwrap_or(x.len());
        x.get(first..).unwrap_or_default()
    }
    strip(a) == strip(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_encodes_like_openssl_writes_it() {
        let digest = [0x11u8; 32];
        let mut req = TimestampRequest::new(DigestAlgorithm::Sha256, &digest).unwrap();
        req.nonce = Some(vec![0x00, 0x90, 0x01]);
        let der = req.to_der().unwrap();
        let expected_imprint = [
            &[0x30u8, 0x2f, 0x30, 0x0b, 0x06, 0x09][..],
            &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01],
            &[0x04, 0x20],
            &digest,
        ]
        .concat();
        let expected = [
            &[0x30u8, 0x3c, 0x02, 0x01, 0x01][..],
            &expected_imprint,
            &[0x02, 0x03, 0x00, 0x90, 0x01],
            &[0x01, 0x01, 0xff],
        ]
        .concat();
        assert_eq!(der, expected);
    }

    #[test]
    fn nonces_are_positive_minimal_and_differ() {
        assert_eq!(positive_integer_content(&[0, 0, 0x7f]), vec![0x7f]);
        assert_eq!(positive_integer_content(&[0x80]), vec![0, 0x80]);
        assert_eq!(positive_integer_content(&[0, 0]), vec![0]);
        let a = random_nonce().unwrap();
        let b = random_nonce().unwrap();
        assert_ne!(a, b);
        assert!(a.len() <= NONCE_LEN + 1);
        assert!(same_integer(&[0, 1], &[1]));
        assert!(!same_integer(&[2], &[1]));
    }

    #[test]
    fn wrong_digest_length_and_bad_policy_are_refused() {
        assert!(TimestampRequest::new(DigestAlgorithm::Sha256, &[0; 20]).is_err());
        let req = TimestampRequest::new(DigestAlgorithm::Sha256, &[0; 32])
            .unwrap()
            .with_policy("1.2.x");
        assert!(req.to_der().is_err());
        let req = TimestampRequest::new(DigestAlgorithm::Sha256, &[0; 32])
            .unwrap()
            .with_policy("1.3.6.1.4.1.13762.3");
        assert!(req.to_der().is_ok());
    }
}
