//! Which signature algorithms and key sizes a signature may use, judged at the time it was
//! used.
//!
//! ring already refuses what it cannot check (reported as unsupported: MD5, for one, is
//! never accepted). On top of that, in the spirit of ETSI TS 119 312 and the EU DSS
//! cryptographic constraints, each algorithm or key size has a date from which it is no
//! longer accepted: a signature made before the date is accepted with a warning (legacy),
//! one made from it is refused. "Made" is the best time known for the signed object: for a
//! PDF signature its proven time (a signature timestamp or a later document timestamp),
//! else the validation time; for a certificate its notBefore, a CRL's thisUpdate, an OCSP
//! response's producedAt.
//!
//! The policy is a setting of [`crate::pki::ValidationPolicy::algorithms`] (and so of
//! `VerifyOptions::validation`); [`AlgorithmPolicy::default`] documents the dates kyso uses.

use time::macros::datetime;
use time::OffsetDateTime;

use crate::crypto::{DigestAlgorithm, PublicKeyKind, SignatureScheme, VerifiedWith};

/// The algorithm policy.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AlgorithmPolicy {
    /// Smallest RSA modulus accepted without a date, in bits, for every key of a path (the
    /// anchor's too) and for revocation data signers. Smaller moduli are accepted only
    /// through [`AlgorithmPolicy::rsa_legacy`], for uses before its dates.
    pub min_rsa_bits: usize,
    /// Digests with a cut-off: a signature using the digest and made after the date is
    /// refused, one made before it is legacy (a warning).
    pub digest_cutoffs: Vec<(DigestAlgorithm, OffsetDateTime)>,
    /// RSA moduli below [`AlgorithmPolicy::min_rsa_bits`] still accepted (as legacy) for
    /// signatures made before a date: `(smallest modulus in bits, cut-off)`. A modulus
    /// smaller than every entry is always refused. Keys judged without a time (trust
    /// anchors) are held to `min_rsa_bits`.
    pub rsa_legacy: Vec<(usize, OffsetDateTime)>,
}

impl Default for AlgorithmPolicy {
    /// The default dates, chosen with the reasoning of ETSI TS 119 312 (cryptographic suites)
    /// and the SOG-IS Agreed Cryptographic Mechanisms, and close to the EU DSS default
    /// constraints:
    ///
    /// - SHA-1 refused for signatures made from 2016-01-01: SHA-1 collisions were
    ///   practical enough by then that TS 119 312 and SOG-IS no longer admit it for new
    ///   signatures, and the CA/Browser Forum stopped SHA-1 certificates on that date;
    ///   earlier SHA-1 signatures are legacy.
    /// - RSA from 2048 bits without a date (TS 119 312 and SOG-IS: 2048 bits and more for
    ///   signatures made now).
    /// - RSA moduli from 1900 bits (below 2048) accepted as legacy for signatures made
    ///   before 2026-01-01: SOG-IS keeps moduli of 1900 bits and more as legacy until the end
    ///   of 2025.
    /// - RSA moduli from 1024 bits accepted as legacy for signatures made before 2014-01-01:
    ///   1024-bit RSA was retired for signature generation by the end of 2013 (NIST SP
    ///   800-131A's transition, ETSI's suites of the time), so a 2009 signature with such a
    ///   key is judged as what it was then.
    /// - Smaller RSA moduli, MD5 and every algorithm kyso cannot compute: never.
    fn default() -> Self {
        AlgorithmPolicy {
            min_rsa_bits: 2048,
            digest_cutoffs: vec![(DigestAlgorithm::Sha1, datetime!(2016-01-01 0:00 UTC))],
            rsa_legacy: vec![
                (1900, datetime!(2026-01-01 0:00 UTC)),
                (1024, datetime!(2014-01-01 0:00 UTC)),
            ],
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
            rsa_legacy: Vec::new(),
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

    /// Judges a key used at `made`: an RSA modulus below `min_rsa_bits` is legacy before
    /// the cut-off of the largest [`AlgorithmPolicy::rsa_legacy`] entry it reaches, refused
    /// from it.
    pub fn judge_key_at(&self, key: PublicKeyKind, made: OffsetDateTime) -> AlgorithmVerdict {
        let PublicKeyKind::Rsa { bits } = key else {
            return AlgorithmVerdict::Accepted;
        };
        if bits >= self.min_rsa_bits {
            return AlgorithmVerdict::Accepted;
        }
        let tier = self
            .rsa_legacy
            .iter()
            .filter(|(from, _)| bits >= *from)
            .max_by_key(|(from, _)| *from);
        match tier {
            Some((_, until)) if made < *until => AlgorithmVerdict::Legacy(format!(
                "RSA key of {bits} bits used {}, before the policy's cut-off {} for keys of \
                 that size",
                day(made),
                day(*until)
            )),
            Some((_, until)) => AlgorithmVerdict::Refused(format!(
                "RSA key of {bits} bits used {} (the policy refuses keys of that size from {}, \
                 and requires {} bits)",
                day(made),
                day(*until),
                self.min_rsa_bits
            )),
            None => self.judge_key(key),
        }
    }

    /// Judges a signature verified with `with`, made at `made` as the signed object claims
    /// it (a certificate's notBefore, a CRL's thisUpdate, an OCSP response's producedAt):
    /// digests by their cut-off, keys held to `min_rsa_bits` (a claimed date does not
    /// admit a legacy key: whoever broke the key could claim any date).
    pub fn judge(&self, with: &VerifiedWith, made: OffsetDateTime) -> AlgorithmVerdict {
        self.judge_with(with, made, false)
    }

    /// Judges a document signature verified with `with`, used at `made`: its proven time,
    /// else the validation time (never a time the signer only claims). Keys below
    /// `min_rsa_bits` are judged by [`AlgorithmPolicy::rsa_legacy`].
    pub fn judge_signature(&self, with: &VerifiedWith, made: OffsetDateTime) -> AlgorithmVerdict {
        self.judge_with(with, made, true)
    }

    fn judge_with(
        &self,
        with: &VerifiedWith,
        made: OffsetDateTime,
        dated_keys: bool,
    ) -> AlgorithmVerdict {
        let key = if dated_keys {
            self.judge_key_at(with.key, made)
        } else {
            self.judge_key(with.key)
        };
        if let AlgorithmVerdict::Refused(why) = key {
            return AlgorithmVerdict::Refused(why);
        }
        let digest = match with.scheme {
            SignatureScheme::RsaPkcs1v15 { digest }
            | SignatureScheme::RsaPss { digest, .. }
            | SignatureScheme::Ecdsa { digest }
            | SignatureScheme::Dsa { digest } => Some(digest),
            _ => None,
        };
        let digest = match digest {
            Some(digest) => self.judge_digest(digest, made),
            None => AlgorithmVerdict::Accepted,
        };
        match (key, digest) {
            (_, AlgorithmVerdict::Refused(why)) => AlgorithmVerdict::Refused(why),
            (AlgorithmVerdict::Legacy(k), AlgorithmVerdict::Legacy(d)) => {
                AlgorithmVerdict::Legacy(format!("{k}; {d}"))
            }
            (AlgorithmVerdict::Legacy(why), _) | (_, AlgorithmVerdict::Legacy(why)) => {
                AlgorithmVerdict::Legacy(why)
            }
            _ => AlgorithmVerdict::Accepted,
        }
    }

    /// Judges a digest used at `made` on its own (the message digest of a CMS signature, the
    /// SHA-1 digest an `adbe.pkcs7.sha1` signature encapsulates).
    pub fn judge_digest(&self, digest: DigestAlgorithm, made: OffsetDateTime) -> AlgorithmVerdict {
        if let Some((_, cutoff)) = self.digest_cutoffs.iter().find(|(d, _)| *d == digest) {
            if made >= *cutoff {
                return AlgorithmVerdict::Refused(format!(
                    "{digest} signature made {} (the policy refuses {digest} from {})",
                    day(made),
                    day(*cutoff)
                ));
            }
            return AlgorithmVerdict::Legacy(format!(
                "{digest} signature made {}, before the policy's cut-off {}",
                day(made),
                day(*cutoff)
            ));
        }
        AlgorithmVerdict::Accepted
    }
}

/// A time as RFC 3339 (to the second) for messages.
fn day(t: OffsetDateTime) -> String {
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
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
        // A document signature proven (or validated) in 2010: the key is legacy then.
        assert!(matches!(
            p.judge_signature(&small, datetime!(2010-01-01 0:00 UTC)),
            AlgorithmVerdict::Legacy(_)
        ));
        assert!(matches!(
            p.judge_signature(&small, datetime!(2014-01-01 0:00 UTC)),
            AlgorithmVerdict::Refused(_)
        ));
        assert_eq!(
            AlgorithmPolicy::permissive().judge(&small, datetime!(2010-01-01 0:00 UTC)),
            AlgorithmVerdict::Accepted
        );
    }

    /// ETSI TS 119 312 spirit: a key size is judged at the time it was used. The default's
    /// tiers: 1024..1899 bits legacy before 2014, 1900..2047 before 2026, below 1024 never.
    #[test]
    fn rsa_key_sizes_are_judged_at_the_time_of_use() {
        let p = AlgorithmPolicy::default();
        let rsa = |bits| PublicKeyKind::Rsa { bits };
        let at = |y: i32| {
            time::Date::from_calendar_date(y, time::Month::June, 1)
                .unwrap()
                .midnight()
                .assume_utc()
        };
        assert!(matches!(
            p.judge_key_at(rsa(1024), at(2009)),
            AlgorithmVerdict::Legacy(_)
        ));
        assert!(matches!(
            p.judge_key_at(rsa(1024), at(2015)),
            AlgorithmVerdict::Refused(_)
        ));
        assert!(matches!(
            p.judge_key_at(rsa(1984), at(2020)),
            AlgorithmVerdict::Legacy(_)
        ));
        assert!(matches!(
            p.judge_key_at(rsa(1984), at(2026)),
            AlgorithmVerdict::Refused(_)
        ));
        assert!(matches!(
            p.judge_key_at(rsa(512), at(1999)),
            AlgorithmVerdict::Refused(_)
        ));
        assert_eq!(
            p.judge_key_at(rsa(2048), at(2030)),
            AlgorithmVerdict::Accepted
        );
        assert_eq!(
            p.judge_key_at(PublicKeyKind::EcP256, at(2030)),
            AlgorithmVerdict::Accepted
        );
        // A key without a time (a trust anchor) is held to the minimum.
        assert!(matches!(
            p.judge_key(rsa(1024)),
            AlgorithmVerdict::Refused(_)
        ));
        // Both legacy: one verdict naming both.
        let with = VerifiedWith {
            scheme: SignatureScheme::RsaPkcs1v15 {
                digest: DigestAlgorithm::Sha1,
            },
            key: rsa(1024),
        };
        match p.judge_signature(&with, at(2009)) {
            AlgorithmVerdict::Legacy(why) => {
                assert!(why.contains("RSA") && why.contains("SHA-1"), "{why}")
            }
            other => panic!("{other:?}"),
        }
    }
}
