//! Which signature algorithms and key sizes a path may use.
//!
//! ring already refuses what it cannot check (reported as unsupported). On top of that, the
//! policy refuses RSA keys below a minimum size and digests past their cut-off date: a
//! signature made with SHA-1 after the SHA-1 cut-off is refused, one made before it is
//! accepted with a warning. "Made" is the date the signed object carries: a certificate's
//! notBefore, a CRL's thisUpdate, an OCSP response's producedAt.

use time::macros::datetime;
use time::OffsetDateTime;

use crate::crypto::{DigestAlgorithm, PublicKeyKind, SignatureScheme, VerifiedWith};

/// The algorithm policy.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AlgorithmPolicy {
    /// Smallest RSA modulus accepted, in bits, for every key of a path (the anchor's too) and
    /// for revocation data signers.
    pub min_rsa_bits: usize,
    /// Digests with a cut-off: a signature using the digest and made after the date is
    /// refused.
    pub digest_cutoffs: Vec<(DigestAlgorithm, OffsetDateTime)>,
}

impl Default for AlgorithmPolicy {
    /// RSA at least 2048 bits; SHA-1 refused for signatures made from 2016-01-01 (the date
    /// after which the CA/Browser Forum baseline requirements forbid SHA-1 certificates and
    /// well after ETSI TS 119 312 retired it for new signatures).
    fn default() -> Self {
        AlgorithmPolicy {
            min_rsa_bits: 2048,
            digest_cutoffs: vec![(DigestAlgorithm::Sha1, datetime!(2016-01-01 0:00 UTC))],
        }
    }
}

/// What the policy says about one verified signature.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AlgorithmVerdict {
    /// Accepted.
    Accepted,
    /// Accepted, but worth a warning (a legacy digest used before its cut-off).
    Legacy(String),
    /// Refused, with the reason.
    Refused(String),
}

impl AlgorithmPolicy {
    /// A permissive policy for test suites such as NIST PKITS: RSA from 1024 bits, no digest
    /// cut-off.
    pub fn permissive() -> Self {
        AlgorithmPolicy {
            min_rsa_bits: 1024,
            digest_cutoffs: Vec::new(),
        }
    }

    /// Judges a key on its own (anchor keys, subject keys).
    pub fn judge_key(&self, key: PublicKeyKind) -> AlgorithmVerdict {
        match key {
            PublicKeyKind::Rsa { bits } if bits < self.min_rsa_bits => {
                AlgorithmVerdict::Refused(format!(
                    "RSA key of {bits} bits (the policy requires {})",
                    self.min_rsa_bits
                ))
            }
            _ => AlgorithmVerdict::Accepted,
        }
    }

    /// Judges a signature verified with `with`, made at `made`.
    pub fn judge(&self, with: &VerifiedWith, made: OffsetDateTime) -> AlgorithmVerdict {
        if let AlgorithmVerdict::Refused(why) = self.judge_key(with.key) {
            return AlgorithmVerdict::Refused(why);
        }
        let digest = match with.scheme {
            SignatureScheme::RsaPkcs1v15 { digest }
            | SignatureScheme::RsaPss { digest, .. }
            | SignatureScheme::Ecdsa { digest }
            | SignatureScheme::Dsa { digest } => Some(digest),
            _ => None,
        };
        if let Some(digest) = digest {
            if let Some((_, cutoff)) = self.digest_cutoffs.iter().find(|(d, _)| *d == digest) {
                if made >= *cutoff {
                    return AlgorithmVerdict::Refused(format!(
                        "{digest} signature made {made} (the policy refuses {digest} from {cutoff})"
                    ));
                }
                return AlgorithmVerdict::Legacy(format!(
                    "{digest} signature made {made}, before the policy's cut-off {cutoff}"
                ));
            }
        }
        AlgorithmVerdict::Accepted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha1_after_cutoff_is_refused_before_is_legacy() {
        let p = AlgorithmPolicy::default();
        let with = VerifiedWith {
            scheme: SignatureScheme::RsaPkcs1v15 {
                digest: DigestAlgorithm::Sha1,
            },
            key: PublicKeyKind::Rsa { bits: 2048 },
        };
        assert!(matches!(
            p.judge(&with, datetime!(2020-01-01 0:00 UTC)),
            AlgorithmVerdict::Refused(_)
        ));
        assert!(matches!(
            p.judge(&with, datetime!(2010-01-01 0:00 UTC)),
            AlgorithmVerdict::Legacy(_)
        ));
        let small = VerifiedWith {
            scheme: SignatureScheme::RsaPkcs1v15 {
                digest: DigestAlgorithm::Sha256,
            },
            key: PublicKeyKind::Rsa { bits: 1024 },
        };
        assert!(matches!(
            p.judge(&small, datetime!(2010-01-01 0:00 UTC)),
            AlgorithmVerdict::Refused(_)
        ));
        assert_eq!(
            AlgorithmPolicy::permissive().judge(&small, datetime!(2010-01-01 0:00 UTC)),
            AlgorithmVerdict::Accepted
        );
    }
}
