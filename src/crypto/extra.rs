//! Signature verification where ring has no implementation, with maintained RustCrypto crates
//! (feature `extra-algorithms`, on by default): DSA (FIPS 186-4 §4.7), ECDSA on P-521 and
//! brainpoolP256r1/P384r1 and on P-256/P-384 with hashes ring lacks (FIPS 186-4 §6.4,
//! RFC 5639), Ed448 (RFC 8032 §5.2.7), RSASSA-PSS with any salt length and RSASSA-PKCS1-v1_5
//! with SHA-224 or SHA-3 (RFC 8017 §8).
//!
//! ring stays the path for everything it has (RSA PKCS#1 and PSS with SHA-2, P-256/P-384,
//! Ed25519); [`super::verify`] only comes here for the rest. Without the feature every check
//! here answers [`SignatureCheckError::Unsupported`], never valid.

use super::algorithm::DigestAlgorithm;
use super::verify::SignatureCheckError;

/// The curves verified here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Curve {
    P256,
    P384,
    P521,
    BrainpoolP256r1,
    BrainpoolP384r1,
}

/// One check ring cannot make.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Check {
    /// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2.2).
    RsaPkcs1(DigestAlgorithm),
    /// RSASSA-PSS with MGF1 over the same hash (RFC 8017 §8.1.2, RFC 4055 §3.1).
    RsaPss {
        hash: DigestAlgorithm,
        salt_len: usize,
    },
    /// ECDSA with a DER `ECDSA-Sig-Value` (RFC 5480 §2.2 / RFC 5758 §3.2).
    Ecdsa {
        curve: Curve,
        digest: DigestAlgorithm,
    },
    /// DSA with a DER `Dss-Sig-Value` (RFC 3279 §2.2.2); `params` is the whole `Dss-Parms`.
    Dsa { digest: DigestAlgorithm },
    /// Ed448 (pure, empty context: RFC 8410 §3, RFC 8419 §3).
    Ed448,
}

#[cfg(not(feature = "extra-algorithms"))]
impl Check {
    fn describe(&self) -> String {
        match self {
            Check::RsaPkcs1(d) => format!("RSA PKCS#1 v1.5 with {d}"),
            Check::RsaPss { hash, salt_len } => {
                format!("RSASSA-PSS with {hash} and a {salt_len}-byte salt")
            }
            Check::Ecdsa { curve, digest } => format!("ECDSA {curve:?} with {digest}"),
            Check::Dsa { digest } => format!("DSA with {digest}"),
            Check::Ed448 => "Ed448".to_owned(),
        }
    }
}

/// What the check needs from the public key.
#[cfg_attr(not(feature = "extra-algorithms"), allow(dead_code))]
pub(crate) struct KeyMaterial<'a> {
    /// RSAPublicKey DER, the uncompressed EC point, the Ed448 key, or the DSA `INTEGER y`.
    pub(crate) key_bytes: &'a [u8],
    /// The DSA `Dss-Parms` element.
    pub(crate) dsa_params: Option<&'a [u8]>,
}

/// Verifies `signature` over `message` (not a digest).
#[cfg(not(feature = "extra-algorithms"))]
pub(crate) fn verify(
    check: Check,
    _key: &KeyMaterial<'_>,
    _message: &[u8],
    _signature: &[u8],
) -> Result<(), SignatureCheckError> {
    Err(SignatureCheckError::Unsupported {
        reason: format!(
            "{}: this kyso was built without its `extra-algorithms` feature",
            check.describe()
        ),
    })
}

/// Verifies `signature` over `message` (not a digest).
#[cfg(feature = "extra-algorithms")]
pub(crate) fn verify(
    check: Check,
    key: &KeyMaterial<'_>,
    message: &[u8],
    signature: &[u8],
) -> Result<(), SignatureCheckError> {
    imp::verify(check, key, message, signature)
}

#[cfg(feature = "extra-algorithms")]
mod imp {
    use asn1_rs::Tag;
    use ecdsa::signature::hazmat::PrehashVerifier;

    use super::{Check, Curve, KeyMaterial};
    use crate::asn1::der::Reader;
    use crate::crypto::algorithm::DigestAlgorithm;
    use crate::crypto::digest::digest;
    use crate::crypto::verify::{unsigned_bit_len, SignatureCheckError};

    fn invalid<E>(_: E) -> SignatureCheckError {
        SignatureCheckError::Invalid
    }

    fn malformed_key(reason: impl Into<String>) -> SignatureCheckError {
        SignatureCheckError::MalformedKey {
            reason: reason.into(),
        }
    }

    fn unsupported(reason: impl Into<String>) -> SignatureCheckError {
        SignatureCheckError::Unsupported {
            reason: reason.into(),
        }
    }

    pub(super) fn verify(
        check: Check,
        key: &KeyMaterial<'_>,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureCheckError> {
        match check {
            Check::RsaPkcs1(d) => rsa_pkcs1(key.key_bytes, d, message, signature),
            Check::RsaPss { hash, salt_len } => {
                rsa_pss(key.key_bytes, hash, salt_len, message, signature)
            }
            Check::Ecdsa { curve, digest: d } => {
                let prehash = digest(d, message);
                ecdsa_prehash(curve, key.key_bytes, &prehash, signature)
            }
            Check::Dsa { digest: d } => {
                let params = key.dsa_params.ok_or_else(|| {
                    unsupported(
                        "DSA key without parameters (inherited from the issuer, RFC 3279 §2.3.2)",
                    )
                })?;
                dsa_verify(params, key.key_bytes, d, message, signature)
            }
            Check::Ed448 => ed448(key.key_bytes, message, signature),
        }
    }

    /// A non-negative big-endian INTEGER as a `BoxedUint` of `precision` bits (rounded up to
    /// whole limbs by the crate), leading zero bytes dropped.
    fn uint(bytes: &[u8], precision: u32) -> Option<rsa::BoxedUint> {
        let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
        let significant = bytes.get(first..)?;
        rsa::BoxedUint::from_be_slice(significant, precision).ok()
    }

    /// The precision, in bits, of a number of `bits` bits: whole 64-bit limbs, at least one.
    fn aligned(bits: usize) -> Option<u32> {
        let limbs = bits.div_ceil(64).max(1);
        u32::try_from(limbs.checked_mul(64)?).ok()
    }

    fn integers<'a>(
        der: &'a [u8],
        what: &'static str,
    ) -> Result<Vec<&'a [u8]>, SignatureCheckError> {
        let bad = |e: crate::asn1::DerError| malformed_key(e.to_string());
        let mut reader = Reader::new(der, 0);
        let seq = reader.read(what).map_err(bad)?;
        reader.finish(what).map_err(bad)?;
        seq.expect_universal(Tag::Sequence, what, "SEQUENCE")
            .map_err(bad)?;
        let mut fields = seq.children();
        let mut out = Vec::new();
        while !fields.is_empty() {
            if out.len() >= 3 {
                return Err(malformed_key(format!("{what} with too many fields")));
            }
            let field = fields.read(what).map_err(bad)?;
            out.push(field.integer_bytes(what).map_err(bad)?);
        }
        Ok(out)
    }

    fn rsa_key(key_bytes: &[u8]) -> Result<rsa::PublicKey, SignatureCheckError> {
        let parts = integers(key_bytes, "RSAPublicKey")?;
        let [n, e] = parts.as_slice() else {
            return Err(malformed_key("RSAPublicKey is not (modulus, exponent)"));
        };
        let bits = unsigned_bit_len(n);
        let precision = aligned(bits).ok_or_else(|| malformed_key("RSA modulus too large"))?;
        let e_precision =
            aligned(unsigned_bit_len(e)).ok_or_else(|| malformed_key("RSA exponent too large"))?;
        let n = uint(n, precision).ok_or_else(|| malformed_key("RSA modulus"))?;
        let e = uint(e, e_precision).ok_or_else(|| malformed_key("RSA exponent"))?;
        rsa::PublicKey::new(n, e).map_err(|e| match e {
            rsa::Error::ModulusTooSmall | rsa::Error::ModulusTooLarge => {
                unsupported(format!("RSA key of {bits} bits (1024 to 8192 supported)"))
            }
            other => malformed_key(format!("RSA public key: {other}")),
        })
    }

    fn rsa_pkcs1(
        key_bytes: &[u8],
        d: DigestAlgorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureCheckError> {
        use rsa::Pkcs1v15Sign;
        let key = rsa_key(key_bytes)?;
        let scheme = match d {
            DigestAlgorithm::Sha1 => Pkcs1v15Sign::new::<sha1::Sha1>(),
            DigestAlgorithm::Sha224 => Pkcs1v15Sign::new::<sha2::Sha224>(),
            DigestAlgorithm::Sha256 => Pkcs1v15Sign::new::<sha2::Sha256>(),
            DigestAlgorithm::Sha384 => Pkcs1v15Sign::new::<sha2::Sha384>(),
            DigestAlgorithm::Sha512 => Pkcs1v15Sign::new::<sha2::Sha512>(),
            DigestAlgorithm::Sha3_224 => Pkcs1v15Sign::new::<sha3::Sha3_224>(),
            DigestAlgorithm::Sha3_256 => Pkcs1v15Sign::new::<sha3::Sha3_256>(),
            DigestAlgorithm::Sha3_384 => Pkcs1v15Sign::new::<sha3::Sha3_384>(),
            DigestAlgorithm::Sha3_512 => Pkcs1v15Sign::new::<sha3::Sha3_512>(),
            DigestAlgorithm::Shake256 => return Err(unsupported("RSA PKCS#1 v1.5 with SHAKE256")),
        };
        key.verify(scheme, &digest(d, message), signature)
            .map_err(invalid)
    }

    fn rsa_pss(
        key_bytes: &[u8],
        hash: DigestAlgorithm,
        salt_len: usize,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureCheckError> {
        use rsa::pss::Pss;
        let key = rsa_key(key_bytes)?;
        let hashed = digest(hash, message);
        let result = match hash {
            DigestAlgorithm::Sha1 => key.verify(
                Pss::<sha1::Sha1>::new_with_salt(salt_len),
                &hashed,
                signature,
            ),
            DigestAlgorithm::Sha224 => key.verify(
                Pss::<sha2::Sha224>::new_with_salt(salt_len),
                &hashed,
                signature,
            ),
            DigestAlgorithm::Sha256 => key.verify(
                Pss::<sha2::Sha256>::new_with_salt(salt_len),
                &hashed,
                signature,
            ),
            DigestAlgorithm::Sha384 => key.verify(
                Pss::<sha2::Sha384>::new_with_salt(salt_len),
                &hashed,
                signature,
            ),
            DigestAlgorithm::Sha512 => key.verify(
                Pss::<sha2::Sha512>::new_with_salt(salt_len),
                &hashed,
                signature,
            ),
            DigestAlgorithm::Sha3_224 => key.verify(
                Pss::<sha3::Sha3_224>::new_with_salt(salt_len),
                &hashed,
                signature,
            ),
            DigestAlgorithm::Sha3_256 => key.verify(
                Pss::<sha3::Sha3_256>::new_with_salt(salt_len),
                &hashed,
                signature,
            ),
            DigestAlgorithm::Sha3_384 => key.verify(
                Pss::<sha3::Sha3_384>::new_with_salt(salt_len),
                &hashed,
                signature,
            ),
            DigestAlgorithm::Sha3_512 => key.verify(
                Pss::<sha3::Sha3_512>::new_with_salt(salt_len),
                &hashed,
                signature,
            ),
            DigestAlgorithm::Shake256 => return Err(unsupported("RSASSA-PSS with SHAKE256")),
        };
        result.map_err(invalid)
    }

    /// ECDSA verification of a prehash (FIPS 186-4 §6.4.2: the hash is truncated to the bit
    /// length of the order, or used whole when shorter). Both `s` and `n - s` are accepted, as
    /// X9.62 and FIPS 186-4 define (no low-S rule outside Bitcoin).
    macro_rules! ecdsa_with {
        ($curve:ty, $point:expr, $prehash:expr, $sig:expr) => {{
            let key = ecdsa::VerifyingKey::<$curve>::from_sec1_bytes($point)
                .map_err(|_| malformed_key("the EC public key is not a point of its curve"))?;
            let sig = ecdsa::Signature::<$curve>::from_der($sig).map_err(invalid)?;
            key.verify_prehash($prehash, &sig).map_err(invalid)
        }};
    }

    pub(crate) fn ecdsa_prehash(
        curve: Curve,
        point: &[u8],
        prehash: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureCheckError> {
        match curve {
            Curve::P256 => ecdsa_with!(p256::NistP256, point, prehash, signature),
            Curve::P384 => ecdsa_with!(p384::NistP384, point, prehash, signature),
            Curve::P521 => ecdsa_with!(p521::NistP521, point, prehash, signature),
            Curve::BrainpoolP256r1 => {
                ecdsa_with!(bp256::BrainpoolP256r1, point, prehash, signature)
            }
            Curve::BrainpoolP384r1 => {
                ecdsa_with!(bp384::BrainpoolP384r1, point, prehash, signature)
            }
        }
    }

    /// DSA (FIPS 186-4 §4.7) with the domain parameters of FIPS 186-4 §4.2 (L, N) =
    /// (1024, 160), (2048, 224), (2048, 256), (3072, 256).
    fn dsa_verify(
        params: &[u8],
        key_bytes: &[u8],
        d: DigestAlgorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureCheckError> {
        use dsa::{Components, Signature, VerifyingKey};
        let parts = integers(params, "Dss-Parms")?;
        let [p, q, g] = parts.as_slice() else {
            return Err(malformed_key("Dss-Parms is not (p, q, g)"));
        };
        let mut y_reader = Reader::new(key_bytes, 0);
        let y = y_reader
            .read("DSAPublicKey")
            .and_then(|e| e.integer_bytes("DSAPublicKey"))
            .map_err(|e| malformed_key(e.to_string()))?;
        y_reader
            .finish("DSAPublicKey")
            .map_err(|e| malformed_key(e.to_string()))?;
        let (l, n) = (unsigned_bit_len(p), unsigned_bit_len(q));
        let sizes = || {
            unsupported(format!(
                "DSA with L = {l}, N = {n} (FIPS 186-4 §4.2 sizes supported)"
            ))
        };
        let p_precision = aligned(l).ok_or_else(sizes)?;
        let q_precision = aligned(n).ok_or_else(sizes)?;
        let too_big = || malformed_key("a DSA value is longer than p");
        let components = Components::from_components(
            uint(p, p_precision).ok_or_else(too_big)?,
            uint(q, q_precision).ok_or_else(too_big)?,
            uint(g, p_precision).ok_or_else(too_big)?,
        )
        .map_err(|_| sizes())?;
        let key =
            VerifyingKey::from_components(components, uint(y, p_precision).ok_or_else(too_big)?)
                .map_err(|_| {
                    malformed_key("the DSA public value y is not in the subgroup of order q")
                })?;
        let sig = Signature::try_from(signature).map_err(invalid)?;
        key.verify_prehash(&digest(d, message), &sig)
            .map_err(invalid)
    }

    /// Ed448 (RFC 8032 §5.2.7) with an empty context, as RFC 8410 §6 and RFC 8419 §3 use it.
    fn ed448(
        key_bytes: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureCheckError> {
        let bytes: &[u8; 57] = key_bytes
            .try_into()
            .map_err(|_| malformed_key("Ed448 key is not 57 bytes"))?;
        // RFC 8032 §5.2.3: bits 448 to 454 of an encoded point are zero (else y >= p and the
        // decoding fails). ed448-goldilocks ignores them, which would let a signature be
        // altered and still verify (Wycheproof ed448 tcId 63-65): checked here, for R and A.
        if bytes.get(56).is_some_and(|b| b & 0x7f != 0) {
            return Err(malformed_key("Ed448 key with non-zero unused bits"));
        }
        if signature.get(56).is_some_and(|b| b & 0x7f != 0) {
            return Err(SignatureCheckError::Invalid);
        }
        let key = ed448_goldilocks::VerifyingKey::from_bytes(bytes)
            .map_err(|_| malformed_key("Ed448 key is not a curve point"))?;
        let sig = ed448_goldilocks::Signature::from_slice(signature).map_err(invalid)?;
        key.verify_raw(&sig, message).map_err(invalid)
    }
}
