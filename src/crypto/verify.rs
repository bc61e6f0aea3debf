//! Signature verification from X.509 / CMS algorithm identifiers and a SubjectPublicKeyInfo.
//!
//! ring checks what it has (RSA PKCS#1 v1.5 and PSS with SHA-2, ECDSA P-256/P-384 with
//! SHA-256/384, Ed25519): the hot path. The rest (DSA, ECDSA on P-521 and brainpool curves or
//! with other hashes, Ed448, SHA-224 and SHA-3, PSS with other salts) goes to RustCrypto crates
//! in [`super::extra`] (feature `extra-algorithms`). What neither can check (brainpoolP512r1,
//! PSS with an MGF1 hash other than the message hash, RSA keys outside 1024–8192 bits...) comes
//! out as [`SignatureCheckError::Unsupported`], never as a valid signature.

use std::fmt;

use asn1_rs::Tag;
use ring::signature::{self as rs, VerificationAlgorithm};

use super::algorithm::{AlgorithmIdentifier, DigestAlgorithm, PssParamsError, RsaPssParams};
use super::extra::{self, Check, Curve};
use crate::asn1::der::{self, Element, Reader};
use crate::asn1::oid;

/// Why a signature was not accepted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureCheckError {
    /// The signature does not match the message and key.
    #[error("the signature does not verify")]
    Invalid,
    /// kyso cannot check this combination of algorithm and key: the verdict is unknown.
    #[error("unsupported signature: {reason}")]
    Unsupported {
        /// What is not supported.
        reason: String,
    },
    /// The public key cannot be decoded.
    #[error("malformed public key: {reason}")]
    MalformedKey {
        /// What is wrong with it.
        reason: String,
    },
    /// A signed structure (certificate, CRL) cannot be decoded.
    #[error("malformed signed structure: {reason}")]
    MalformedStructure {
        /// What is wrong.
        reason: String,
    },
    /// The signature algorithm cannot be used with this key, or its parameters are malformed
    /// or contradict the key's restrictions.
    #[error("signature algorithm does not fit: {reason}")]
    AlgorithmMismatch {
        /// What does not fit.
        reason: String,
    },
}

impl SignatureCheckError {
    fn unsupported(reason: impl Into<String>) -> Self {
        Self::Unsupported {
            reason: reason.into(),
        }
    }

    fn malformed_key(reason: impl Into<String>) -> Self {
        Self::MalformedKey {
            reason: reason.into(),
        }
    }

    fn mismatch(reason: impl Into<String>) -> Self {
        Self::AlgorithmMismatch {
            reason: reason.into(),
        }
    }
}

/// The kind and size of a public key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum PublicKeyKind {
    /// RSA with a modulus of `bits` bits.
    Rsa {
        /// Modulus size in bits.
        bits: usize,
    },
    /// ECDSA on P-256.
    EcP256,
    /// ECDSA on P-384.
    EcP384,
    /// Ed25519.
    Ed25519,
    /// ECDSA on P-521.
    EcP521,
    /// ECDSA on brainpoolP256r1 (RFC 5639).
    EcBrainpoolP256r1,
    /// ECDSA on brainpoolP384r1 (RFC 5639).
    EcBrainpoolP384r1,
    /// ECDSA on brainpoolP512r1 (RFC 5639): recognised, not verifiable (no maintained
    /// RustCrypto implementation).
    EcBrainpoolP512r1,
    /// Ed448.
    Ed448,
    /// DSA with a prime `p` of `bits` bits (0 when the key inherits its parameters from its
    /// issuer, RFC 3279 §2.3.2).
    Dsa {
        /// Size of `p` in bits.
        bits: usize,
    },
}

impl fmt::Display for PublicKeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rsa { bits } => write!(f, "RSA-{bits}"),
            Self::EcP256 => f.write_str("EC P-256"),
            Self::EcP384 => f.write_str("EC P-384"),
            Self::Ed25519 => f.write_str("Ed25519"),
            Self::EcP521 => f.write_str("EC P-521"),
            Self::EcBrainpoolP256r1 => f.write_str("EC brainpoolP256r1"),
            Self::EcBrainpoolP384r1 => f.write_str("EC brainpoolP384r1"),
            Self::EcBrainpoolP512r1 => f.write_str("EC brainpoolP512r1"),
            Self::Ed448 => f.write_str("Ed448"),
            Self::Dsa { bits: 0 } => f.write_str("DSA (inherited parameters)"),
            Self::Dsa { bits } => write!(f, "DSA-{bits}"),
        }
    }
}

/// The signature scheme a signature was verified with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum SignatureScheme {
    /// RSASSA-PKCS1-v1_5.
    RsaPkcs1v15 {
        /// The hash.
        digest: DigestAlgorithm,
    },
    /// RSASSA-PSS (MGF1 with the same hash).
    RsaPss {
        /// The hash.
        digest: DigestAlgorithm,
        /// The salt length.
        salt_len: u32,
    },
    /// ECDSA with a DER signature.
    Ecdsa {
        /// The hash.
        digest: DigestAlgorithm,
    },
    /// Ed25519.
    Ed25519,
    /// DSA with a DER signature.
    Dsa {
        /// The hash.
        digest: DigestAlgorithm,
    },
    /// Ed448.
    Ed448,
}

impl fmt::Display for SignatureScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RsaPkcs1v15 { digest } => write!(f, "RSA PKCS#1 v1.5 with {digest}"),
            Self::RsaPss { digest, salt_len } => {
                write!(
                    f,
                    "RSASSA-PSS with {digest} (MGF1-{digest}, salt {salt_len})"
                )
            }
            Self::Ecdsa { digest } => write!(f, "ECDSA with {digest}"),
            Self::Ed25519 => f.write_str("Ed25519"),
            Self::Dsa { digest } => write!(f, "DSA with {digest}"),
            Self::Ed448 => f.write_str("Ed448"),
        }
    }
}

/// How a valid signature was verified: for the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct VerifiedWith {
    /// The scheme and hash.
    pub scheme: SignatureScheme,
    /// The key kind and size.
    pub key: PublicKeyKind,
}

impl VerifiedWith {
    /// Whether a legacy primitive was involved (SHA-1, or RSA or DSA below 2048 bits).
    pub fn is_legacy(&self) -> bool {
        let weak_digest = matches!(
            self.scheme,
            SignatureScheme::RsaPkcs1v15 {
                digest: DigestAlgorithm::Sha1
            } | SignatureScheme::Ecdsa {
                digest: DigestAlgorithm::Sha1
            } | SignatureScheme::RsaPss {
                digest: DigestAlgorithm::Sha1,
                ..
            } | SignatureScheme::Dsa {
                digest: DigestAlgorithm::Sha1
            }
        );
        let weak_key = matches!(
            self.key,
            PublicKeyKind::Rsa { bits } | PublicKeyKind::Dsa { bits } if bits < 2048
        );
        weak_digest || weak_key
    }
}

impl fmt::Display for VerifiedWith {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} key)", self.scheme, self.key)
    }
}

/// A decoded SubjectPublicKeyInfo: what ring needs.
pub(crate) struct PublicKey<'a> {
    pub(crate) kind: PublicKeyKind,
    /// RSAPublicKey DER, the uncompressed EC point, the Ed25519 or Ed448 key, or the DER
    /// `INTEGER y` of a DSA key.
    pub(crate) key_bytes: &'a [u8],
    /// For DSA keys: the `Dss-Parms` element, absent when inherited (RFC 3279 §2.3.2).
    pub(crate) dsa_params: Option<&'a [u8]>,
    /// For `id-RSASSA-PSS` keys: the restrictions in the key's parameters (RFC 4055 §3.1).
    pss_restriction: Option<RsaPssParams>,
    /// Whether the key is restricted to PSS (`id-RSASSA-PSS` algorithm).
    pss_only: bool,
}

/// The kind and size of the public key in a DER SubjectPublicKeyInfo.
pub fn public_key_kind(spki_der: &[u8]) -> Result<PublicKeyKind, SignatureCheckError> {
    parse_spki(spki_der).map(|key| key.kind)
}

pub(crate) fn parse_spki(spki_der: &[u8]) -> Result<PublicKey<'_>, SignatureCheckError> {
    let bad = |e: crate::asn1::DerError| SignatureCheckError::malformed_key(e.to_string());
    const WHAT: &str = "SubjectPublicKeyInfo";
    let mut reader = Reader::new(spki_der, 0);
    let spki = reader.read(WHAT).map_err(bad)?;
    reader.finish(WHAT).map_err(bad)?;
    spki.expect_universal(Tag::Sequence, WHAT, "SEQUENCE")
        .map_err(bad)?;
    let mut fields = spki.children();
    let alg = AlgorithmIdentifier::from_element(&fields.read(WHAT).map_err(bad)?).map_err(bad)?;
    let bits = fields.read(WHAT).map_err(bad)?;
    fields.finish(WHAT).map_err(bad)?;
    let key_bytes = bit_string_bytes(&bits).map_err(bad)?;

    if alg.oid == oid::RSA_ENCRYPTION || alg.oid == oid::RSASSA_PSS {
        let pss_only = alg.oid == oid::RSASSA_PSS;
        if !pss_only && !alg.params_absent_or_null() {
            return Err(SignatureCheckError::malformed_key(
                "rsaEncryption key with parameters",
            ));
        }
        let pss_restriction = if pss_only && alg.params.is_some() {
            Some(RsaPssParams::from_der(alg.params).map_err(pss_error)?)
        } else {
            None
        };
        let bits = rsa_modulus_bits(key_bytes)?;
        return Ok(PublicKey {
            kind: PublicKeyKind::Rsa { bits },
            key_bytes,
            pss_restriction,
            pss_only,
            dsa_params: None,
        });
    }
    if alg.oid == oid::EC_PUBLIC_KEY {
        let curve = alg
            .params
            .ok_or_else(|| SignatureCheckError::malformed_key("EC key without a curve"))?;
        let mut curve_reader = Reader::new(curve, 0);
        let curve_element = curve_reader.read("EC curve").map_err(bad)?;
        if !curve_element.is_universal(Tag::Oid) {
            return Err(SignatureCheckError::unsupported(
                "EC key with explicit curve parameters",
            ));
        }
        let curve_oid = curve_element.oid("EC curve").map_err(bad)?;
        let kind = if curve_oid == oid::SECP256R1 {
            PublicKeyKind::EcP256
        } else if curve_oid == oid::SECP384R1 {
            PublicKeyKind::EcP384
        } else if curve_oid == oid::SECP521R1 {
            PublicKeyKind::EcP521
        } else if curve_oid == oid::BRAINPOOL_P256R1 {
            PublicKeyKind::EcBrainpoolP256r1
        } else if curve_oid == oid::BRAINPOOL_P384R1 {
            PublicKeyKind::EcBrainpoolP384r1
        } else if curve_oid == oid::BRAINPOOL_P512R1 {
            PublicKeyKind::EcBrainpoolP512r1
        } else {
            return Err(SignatureCheckError::unsupported(format!(
                "EC curve {}",
                oid::name(&curve_oid)
            )));
        };
        if key_bytes.first() != Some(&0x04) {
            return Err(SignatureCheckError::unsupported(
                "EC public key not in uncompressed form",
            ));
        }
        return Ok(PublicKey {
            kind,
            key_bytes,
            pss_restriction: None,
            pss_only: false,
            dsa_params: None,
        });
    }
    if alg.oid == oid::ED25519 {
        if alg.params.is_some() {
            return Err(SignatureCheckError::malformed_key(
                "Ed25519 key with parameters",
            ));
        }
        if key_bytes.len() != 32 {
            return Err(SignatureCheckError::malformed_key(
                "Ed25519 key is not 32 bytes",
            ));
        }
        return Ok(PublicKey {
            kind: PublicKeyKind::Ed25519,
            key_bytes,
            pss_restriction: None,
            pss_only: false,
            dsa_params: None,
        });
    }
    if alg.oid == oid::ED448 {
        if alg.params.is_some() {
            return Err(SignatureCheckError::malformed_key(
                "Ed448 key with parameters",
            ));
        }
        if key_bytes.len() != 57 {
            return Err(SignatureCheckError::malformed_key(
                "Ed448 key is not 57 bytes",
            ));
        }
        return Ok(PublicKey {
            kind: PublicKeyKind::Ed448,
            key_bytes,
            pss_restriction: None,
            pss_only: false,
            dsa_params: None,
        });
    }
    if alg.oid == oid::DSA {
        // RFC 3279 §2.3.2: Dss-Parms, or absent when inherited from the issuer's key.
        let params = match alg.params {
            None => None,
            Some(raw) => {
                let mut params_reader = Reader::new(raw, 0);
                let element = params_reader.read("Dss-Parms").map_err(bad)?;
                if element.is_universal(Tag::Null) {
                    None
                } else {
                    element
                        .expect_universal(Tag::Sequence, "Dss-Parms", "SEQUENCE")
                        .map_err(bad)?;
                    Some(raw)
                }
            }
        };
        let bits = match params {
            Some(raw) => dsa_prime_bits(raw)?,
            None => 0,
        };
        return Ok(PublicKey {
            kind: PublicKeyKind::Dsa { bits },
            key_bytes,
            pss_restriction: None,
            pss_only: false,
            dsa_params: params,
        });
    }
    Err(SignatureCheckError::unsupported(format!(
        "public key algorithm {}",
        alg.name()
    )))
}

fn pss_error(e: PssParamsError) -> SignatureCheckError {
    match e {
        PssParamsError::UnsupportedAlgorithm { .. } => {
            SignatureCheckError::unsupported(e.to_string())
        }
        PssParamsError::Malformed(_) => SignatureCheckError::mismatch(e.to_string()),
    }
}

/// The size of `p` in DER `Dss-Parms`.
fn dsa_prime_bits(params: &[u8]) -> Result<usize, SignatureCheckError> {
    let bad = |e: crate::asn1::DerError| SignatureCheckError::malformed_key(e.to_string());
    const WHAT: &str = "Dss-Parms";
    let mut reader = Reader::new(params, 0);
    let seq = reader.read(WHAT).map_err(bad)?;
    let mut fields = seq.children();
    let p = fields.read(WHAT).map_err(bad)?;
    Ok(unsigned_bit_len(p.integer_bytes(WHAT).map_err(bad)?))
}

/// The content of a BIT STRING with no unused bits.
pub(crate) fn bit_string_bytes<'a>(
    element: &Element<'a>,
) -> Result<&'a [u8], crate::asn1::DerError> {
    const WHAT: &str = "BIT STRING";
    element.expect_universal(Tag::BitString, WHAT, "BIT STRING")?;
    if element.constructed {
        return Err(element.malformed(WHAT, "constructed BIT STRING"));
    }
    match element.content.split_first() {
        Some((0, rest)) => Ok(rest),
        _ => Err(element.malformed(WHAT, "BIT STRING with unused bits")),
    }
}

/// The modulus size of a DER RSAPublicKey.
fn rsa_modulus_bits(key: &[u8]) -> Result<usize, SignatureCheckError> {
    let bad = |e: crate::asn1::DerError| SignatureCheckError::malformed_key(e.to_string());
    const WHAT: &str = "RSAPublicKey";
    let mut reader = Reader::new(key, 0);
    let seq = reader.read(WHAT).map_err(bad)?;
    reader.finish(WHAT).map_err(bad)?;
    seq.expect_universal(Tag::Sequence, WHAT, "SEQUENCE")
        .map_err(bad)?;
    let mut fields = seq.children();
    let modulus = fields.read(WHAT).map_err(bad)?;
    let modulus = modulus.integer_bytes(WHAT).map_err(bad)?;
    let exponent = fields.read(WHAT).map_err(bad)?;
    exponent.integer_bytes(WHAT).map_err(bad)?;
    fields.finish(WHAT).map_err(bad)?;
    Ok(unsigned_bit_len(modulus))
}

/// The bit length of a big-endian unsigned integer (leading zero bytes ignored).
pub(crate) fn unsigned_bit_len(bytes: &[u8]) -> usize {
    let Some(first) = bytes.iter().position(|b| *b != 0) else {
        return 0;
    };
    let significant = bytes.len().saturating_sub(first);
    let leading = bytes.get(first).map_or(0, |b| b.leading_zeros() as usize);
    significant.saturating_mul(8).saturating_sub(leading)
}

/// The scheme an AlgorithmIdentifier asks for, before looking at the key.
enum Requested {
    Pkcs1(Option<DigestAlgorithm>),
    Pss(RsaPssParams),
    Ecdsa(Option<DigestAlgorithm>),
    Ed25519,
    Ed448,
    Dsa(Option<DigestAlgorithm>),
}

fn requested_scheme(
    sig_alg: &AlgorithmIdentifier<'_>,
    digest_hint: Option<DigestAlgorithm>,
) -> Result<Requested, SignatureCheckError> {
    let o = &sig_alg.oid;
    let pkcs1 = [
        (oid::SHA1_WITH_RSA, DigestAlgorithm::Sha1),
        (oid::SHA256_WITH_RSA, DigestAlgorithm::Sha256),
        (oid::SHA384_WITH_RSA, DigestAlgorithm::Sha384),
        (oid::SHA512_WITH_RSA, DigestAlgorithm::Sha512),
        (oid::SHA224_WITH_RSA, DigestAlgorithm::Sha224),
        (oid::SHA3_224_WITH_RSA, DigestAlgorithm::Sha3_224),
        (oid::SHA3_256_WITH_RSA, DigestAlgorithm::Sha3_256),
        (oid::SHA3_384_WITH_RSA, DigestAlgorithm::Sha3_384),
        (oid::SHA3_512_WITH_RSA, DigestAlgorithm::Sha3_512),
    ];
    let ecdsa = [
        (oid::ECDSA_WITH_SHA1, DigestAlgorithm::Sha1),
        (oid::ECDSA_WITH_SHA224, DigestAlgorithm::Sha224),
        (oid::ECDSA_WITH_SHA256, DigestAlgorithm::Sha256),
        (oid::ECDSA_WITH_SHA384, DigestAlgorithm::Sha384),
        (oid::ECDSA_WITH_SHA512, DigestAlgorithm::Sha512),
        (oid::ECDSA_WITH_SHA3_224, DigestAlgorithm::Sha3_224),
        (oid::ECDSA_WITH_SHA3_256, DigestAlgorithm::Sha3_256),
        (oid::ECDSA_WITH_SHA3_384, DigestAlgorithm::Sha3_384),
        (oid::ECDSA_WITH_SHA3_512, DigestAlgorithm::Sha3_512),
    ];
    let dsa = [
        (oid::DSA_WITH_SHA1, DigestAlgorithm::Sha1),
        (oid::DSA_WITH_SHA224, DigestAlgorithm::Sha224),
        (oid::DSA_WITH_SHA256, DigestAlgorithm::Sha256),
        (oid::DSA_WITH_SHA384, DigestAlgorithm::Sha384),
        (oid::DSA_WITH_SHA512, DigestAlgorithm::Sha512),
    ];
    if let Some((_, digest)) = pkcs1.iter().find(|(known, _)| known == o) {
        if !sig_alg.params_absent_or_null() {
            return Err(SignatureCheckError::mismatch(format!(
                "{} with parameters",
                sig_alg.name()
            )));
        }
        return Ok(Requested::Pkcs1(Some(*digest)));
    }
    if *o == oid::RSA_ENCRYPTION {
        // CMS (RFC 3370 §3.2): the digest comes from the SignerInfo's digestAlgorithm.
        if !sig_alg.params_absent_or_null() {
            return Err(SignatureCheckError::mismatch(
                "rsaEncryption with parameters",
            ));
        }
        return Ok(Requested::Pkcs1(digest_hint));
    }
    if *o == oid::RSASSA_PSS {
        let params = RsaPssParams::from_der(sig_alg.params).map_err(pss_error)?;
        return Ok(Requested::Pss(params));
    }
    if let Some((_, digest)) = ecdsa.iter().find(|(known, _)| known == o) {
        if !sig_alg.params_absent_or_null() {
            return Err(SignatureCheckError::mismatch(format!(
                "{} with parameters",
                sig_alg.name()
            )));
        }
        return Ok(Requested::Ecdsa(Some(*digest)));
    }
    if *o == oid::EC_PUBLIC_KEY {
        // Some CMS producers put the key algorithm here; the digest comes from the SignerInfo.
        return Ok(Requested::Ecdsa(digest_hint));
    }
    if *o == oid::ED25519 {
        if sig_alg.params.is_some() {
            return Err(SignatureCheckError::mismatch("Ed25519 with parameters"));
        }
        return Ok(Requested::Ed25519);
    }
    if *o == oid::ED448 {
        // RFC 8410 §6: parameters absent.
        if sig_alg.params.is_some() {
            return Err(SignatureCheckError::mismatch("Ed448 with parameters"));
        }
        return Ok(Requested::Ed448);
    }
    if let Some((_, digest)) = dsa.iter().find(|(known, _)| known == o) {
        // RFC 3279 §2.2.2, RFC 5758 §3.1: parameters absent.
        if sig_alg.params.is_some() {
            return Err(SignatureCheckError::mismatch(format!(
                "{} with parameters",
                sig_alg.name()
            )));
        }
        return Ok(Requested::Dsa(Some(*digest)));
    }
    if *o == oid::DSA {
        // CMS producers that put the key algorithm here: the digest comes from the SignerInfo.
        return Ok(Requested::Dsa(digest_hint));
    }
    Err(SignatureCheckError::unsupported(format!(
        "signature algorithm {}",
        sig_alg.name()
    )))
}

/// Verifies `signature` over `message` with the key in `spki_der`.
///
/// `sig_alg` is the signature AlgorithmIdentifier (certificate, CRL or CMS SignerInfo);
/// `digest_hint` is the CMS SignerInfo's digest algorithm, used when `sig_alg` is plain
/// `rsaEncryption` or `id-ecPublicKey`. `message` is the signed bytes, not a digest: ring
/// hashes them itself.
pub fn verify_signature(
    spki_der: &[u8],
    sig_alg: &AlgorithmIdentifier<'_>,
    digest_hint: Option<DigestAlgorithm>,
    message: &[u8],
    signature: &[u8],
) -> Result<VerifiedWith, SignatureCheckError> {
    let key = parse_spki(spki_der)?;
    let requested = requested_scheme(sig_alg, digest_hint)?;
    let (backend, scheme) = select(&key, requested)?;
    match backend {
        Backend::Ring(ring_alg) => rs::UnparsedPublicKey::new(ring_alg, key.key_bytes)
            .verify(message, signature)
            .map_err(|_| SignatureCheckError::Invalid)?,
        Backend::Extra(check) => {
            let material = extra::KeyMaterial {
                key_bytes: key.key_bytes,
                dsa_params: key.dsa_params,
            };
            extra::verify(check, &material, message, signature)?
        }
    }
    Ok(VerifiedWith {
        scheme,
        key: key.kind,
    })
}

type RingAlg = &'static dyn VerificationAlgorithm;

/// Who checks the signature: ring (the hot path) or a RustCrypto crate.
enum Backend {
    Ring(RingAlg),
    Extra(Check),
}

fn select(
    key: &PublicKey<'_>,
    requested: Requested,
) -> Result<(Backend, SignatureScheme), SignatureCheckError> {
    let missing_digest =
        || SignatureCheckError::unsupported("no digest algorithm given for the signature");
    match (key.kind, requested) {
        (PublicKeyKind::Rsa { bits }, Requested::Pkcs1(digest)) => {
            if key.pss_only {
                return Err(SignatureCheckError::mismatch(
                    "PKCS#1 v1.5 signature with an RSASSA-PSS-only key",
                ));
            }
            let digest = digest.ok_or_else(missing_digest)?;
            Ok((
                rsa_pkcs1(bits, digest)?,
                SignatureScheme::RsaPkcs1v15 { digest },
            ))
        }
        (PublicKeyKind::Rsa { bits }, Requested::Pss(params)) => {
            if let Some(restriction) = key.pss_restriction {
                if restriction.hash != params.hash
                    || restriction.mgf1_hash != params.mgf1_hash
                    || params.salt_len < restriction.salt_len
                {
                    return Err(SignatureCheckError::mismatch(
                        "RSASSA-PSS parameters contradict the key's restrictions",
                    ));
                }
            }
            Ok((
                rsa_pss(bits, params)?,
                SignatureScheme::RsaPss {
                    digest: params.hash,
                    salt_len: params.salt_len,
                },
            ))
        }
        (
            curve @ (PublicKeyKind::EcP256
            | PublicKeyKind::EcP384
            | PublicKeyKind::EcP521
            | PublicKeyKind::EcBrainpoolP256r1
            | PublicKeyKind::EcBrainpoolP384r1
            | PublicKeyKind::EcBrainpoolP512r1),
            Requested::Ecdsa(digest),
        ) => {
            let digest = digest.ok_or_else(missing_digest)?;
            let ring_alg: Option<RingAlg> = match (curve, digest) {
                (PublicKeyKind::EcP256, DigestAlgorithm::Sha256) => {
                    Some(&rs::ECDSA_P256_SHA256_ASN1)
                }
                (PublicKeyKind::EcP256, DigestAlgorithm::Sha384) => {
                    Some(&rs::ECDSA_P256_SHA384_ASN1)
                }
                (PublicKeyKind::EcP384, DigestAlgorithm::Sha256) => {
                    Some(&rs::ECDSA_P384_SHA256_ASN1)
                }
                (PublicKeyKind::EcP384, DigestAlgorithm::Sha384) => {
                    Some(&rs::ECDSA_P384_SHA384_ASN1)
                }
                _ => None,
            };
            let backend = match ring_alg {
                Some(alg) => Backend::Ring(alg),
                None => {
                    let curve = match curve {
                        PublicKeyKind::EcP256 => Curve::P256,
                        PublicKeyKind::EcP384 => Curve::P384,
                        PublicKeyKind::EcP521 => Curve::P521,
                        PublicKeyKind::EcBrainpoolP256r1 => Curve::BrainpoolP256r1,
                        PublicKeyKind::EcBrainpoolP384r1 => Curve::BrainpoolP384r1,
                        _ => {
                            return Err(SignatureCheckError::unsupported(format!(
                                "ECDSA on {curve}: no maintained implementation of this curve \
                                 is available to kyso (RustCrypto has brainpoolP256r1 and \
                                 brainpoolP384r1 only)"
                            )))
                        }
                    };
                    Backend::Extra(Check::Ecdsa { curve, digest })
                }
            };
            Ok((backend, SignatureScheme::Ecdsa { digest }))
        }
        (PublicKeyKind::Ed25519, Requested::Ed25519) => {
            Ok((Backend::Ring(&rs::ED25519), SignatureScheme::Ed25519))
        }
        (PublicKeyKind::Ed448, Requested::Ed448) => {
            Ok((Backend::Extra(Check::Ed448), SignatureScheme::Ed448))
        }
        (PublicKeyKind::Dsa { .. }, Requested::Dsa(digest)) => {
            let digest = digest.ok_or_else(missing_digest)?;
            if key.dsa_params.is_none() {
                return Err(SignatureCheckError::unsupported(
                    "DSA key without parameters: they are inherited from the issuer's key \
                     (RFC 3279 §2.3.2), which this check was not given",
                ));
            }
            Ok((
                Backend::Extra(Check::Dsa { digest }),
                SignatureScheme::Dsa { digest },
            ))
        }
        (kind, requested) => Err(SignatureCheckError::mismatch(format!(
            "a {} signature cannot be made with a {kind} key",
            match requested {
                Requested::Pkcs1(_) => "RSA PKCS#1 v1.5",
                Requested::Pss(_) => "RSASSA-PSS",
                Requested::Ecdsa(_) => "ECDSA",
                Requested::Ed25519 => "Ed25519",
                Requested::Ed448 => "Ed448",
                Requested::Dsa(_) => "DSA",
            }
        ))),
    }
}

fn rsa_pkcs1(bits: usize, digest: DigestAlgorithm) -> Result<Backend, SignatureCheckError> {
    if !(1024..=8192).contains(&bits) {
        return Err(SignatureCheckError::unsupported(format!(
            "RSA key of {bits} bits (1024 to 8192 supported)"
        )));
    }
    let legacy_size = bits < 2048;
    let ring_alg: RingAlg = match (digest, legacy_size) {
        (DigestAlgorithm::Sha1, true) => &rs::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
        (DigestAlgorithm::Sha1, false) => &rs::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
        (DigestAlgorithm::Sha256, true) => &rs::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
        (DigestAlgorithm::Sha256, false) => &rs::RSA_PKCS1_2048_8192_SHA256,
        (DigestAlgorithm::Sha384, false) => &rs::RSA_PKCS1_2048_8192_SHA384,
        (DigestAlgorithm::Sha512, true) => &rs::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
        (DigestAlgorithm::Sha512, false) => &rs::RSA_PKCS1_2048_8192_SHA512,
        // SHA-384 under 2048 bits, SHA-224, SHA-3: RustCrypto `rsa`.
        _ => return Ok(Backend::Extra(Check::RsaPkcs1(digest))),
    };
    Ok(Backend::Ring(ring_alg))
}

/// RSASSA-PSS (RFC 4055 §3.1, RFC 8017 §9.1): ring when the parameters are the usual ones
/// (SHA-2, MGF1 with the same hash, salt as long as the hash, 2048 to 8192 bits), RustCrypto
/// `rsa` for other salts, SHA-1, SHA-224, SHA-3 and 1024-bit keys. The salt length of the
/// parameters is required exactly (RFC 4055 §3.1: it is the length used to sign).
fn rsa_pss(bits: usize, params: RsaPssParams) -> Result<Backend, SignatureCheckError> {
    if params.trailer_field != 1 {
        return Err(SignatureCheckError::mismatch(
            "RSASSA-PSS trailer field other than 1",
        ));
    }
    if params.mgf1_hash != params.hash {
        return Err(SignatureCheckError::unsupported(format!(
            "RSASSA-PSS with {} and MGF1-{} (only MGF1 with the message hash is supported)",
            params.hash, params.mgf1_hash
        )));
    }
    if !(1024..=8192).contains(&bits) {
        return Err(SignatureCheckError::unsupported(format!(
            "RSASSA-PSS with a {bits}-bit key (1024 to 8192 supported)"
        )));
    }
    let salt_len = usize::try_from(params.salt_len)
        .map_err(|_| SignatureCheckError::mismatch("RSASSA-PSS salt length out of range"))?;
    let ring_alg: Option<RingAlg> = match params.hash {
        _ if salt_len != params.hash.output_len() || bits < 2048 => None,
        DigestAlgorithm::Sha256 => Some(&rs::RSA_PSS_2048_8192_SHA256),
        DigestAlgorithm::Sha384 => Some(&rs::RSA_PSS_2048_8192_SHA384),
        DigestAlgorithm::Sha512 => Some(&rs::RSA_PSS_2048_8192_SHA512),
        _ => None,
    };
    Ok(match ring_alg {
        Some(alg) => Backend::Ring(alg),
        None => Backend::Extra(Check::RsaPss {
            hash: params.hash,
            salt_len,
        }),
    })
}

/// Whether `spki_der` is a DSA key whose domain parameters are absent: they are inherited from
/// the issuer's key (RFC 3279 §2.3.2; RFC 5280 §6.1.4 (d)–(f), `working_public_key_parameters`).
pub fn needs_inherited_parameters(spki_der: &[u8]) -> bool {
    matches!(
        parse_spki(spki_der),
        Ok(PublicKey {
            kind: PublicKeyKind::Dsa { .. },
            dsa_params: None,
            ..
        })
    )
}

/// The key of `spki_der` with the DSA parameters it inherits from `issuer_spki_der` (RFC 3279
/// §2.3.2, RFC 5280 §6.1.4 (f)): `Some` only when `spki_der` is a DSA key without parameters
/// and the issuer's key is a DSA key with them.
///
/// ```
/// # use kyso::crypto::inherit_dsa_parameters;
/// // An RSA key never inherits anything.
/// assert_eq!(inherit_dsa_parameters(b"not a key", b"not a key either"), None);
/// ```
pub fn inherit_dsa_parameters(spki_der: &[u8], issuer_spki_der: &[u8]) -> Option<Vec<u8>> {
    let subject = parse_spki(spki_der).ok()?;
    let issuer = parse_spki(issuer_spki_der).ok()?;
    if !matches!(subject.kind, PublicKeyKind::Dsa { .. }) || subject.dsa_params.is_some() {
        return None;
    }
    let params = issuer
        .dsa_params
        .filter(|_| matches!(issuer.kind, PublicKeyKind::Dsa { .. }))?;
    let alg = der::sequence(&[&der::oid(&oid::DSA).ok()?, params]).ok()?;
    let mut bits = Vec::with_capacity(subject.key_bytes.len().saturating_add(1));
    bits.push(0u8);
    bits.extend_from_slice(subject.key_bytes);
    let bit_string = der::tlv(asn1_rs::Class::Universal, false, Tag::BitString.0, &bits).ok()?;
    der::sequence(&[&alg, &bit_string]).ok()
}

/// Verifies a `SIGNED{}` structure (RFC 5280 §4.1.1, §5.1.1: certificate or CRL):
/// `SEQUENCE { tbs, signatureAlgorithm, signatureValue BIT STRING }`, the signature being over
/// the original bytes of `tbs`.
pub fn verify_signed_der(
    issuer_spki: &[u8],
    signed_der: &[u8],
) -> Result<VerifiedWith, SignatureCheckError> {
    let parts = split_signed(signed_der)?;
    verify_signature(issuer_spki, &parts.1, None, parts.0.raw, parts.2)
}

/// Verifies a certificate's signature with its issuer's public key (DER SubjectPublicKeyInfo).
///
/// Also requires the certificate's outer `signatureAlgorithm` to equal the `signature` field
/// inside the TBSCertificate (RFC 5280 §4.1.1.2).
pub fn verify_certificate_signature(
    issuer_spki: &[u8],
    cert_der: &[u8],
) -> Result<VerifiedWith, SignatureCheckError> {
    let (tbs, sig_alg, signature) = split_signed(cert_der)?;
    let bad = |e: crate::asn1::DerError| SignatureCheckError::MalformedStructure {
        reason: e.to_string(),
    };
    let mut fields = tbs.children();
    let first = fields.read("TBSCertificate").map_err(bad)?;
    if first.is_context(0) {
        // That was the version; the serial number follows.
        fields.read("TBSCertificate").map_err(bad)?;
    }
    let inner_alg = fields.read("TBSCertificate").map_err(bad)?;
    let inner = AlgorithmIdentifier::from_element(&inner_alg).map_err(bad)?;
    if inner != sig_alg {
        return Err(SignatureCheckError::mismatch(
            "certificate signatureAlgorithm differs from the TBSCertificate signature field",
        ));
    }
    verify_signature(issuer_spki, &sig_alg, None, tbs.raw, signature)
}

fn split_signed(
    der: &[u8],
) -> Result<(Element<'_>, AlgorithmIdentifier<'_>, &[u8]), SignatureCheckError> {
    let bad = |e: crate::asn1::DerError| SignatureCheckError::MalformedStructure {
        reason: e.to_string(),
    };
    const WHAT: &str = "signed structure";
    let mut reader = Reader::new(der, 0);
    let outer = reader.read(WHAT).map_err(bad)?;
    reader.finish(WHAT).map_err(bad)?;
    outer
        .expect_universal(Tag::Sequence, WHAT, "SEQUENCE")
        .map_err(bad)?;
    let mut fields = outer.children();
    let tbs = fields.read(WHAT).map_err(bad)?;
    tbs.expect_universal(Tag::Sequence, WHAT, "SEQUENCE")
        .map_err(bad)?;
    let alg = AlgorithmIdentifier::from_element(&fields.read(WHAT).map_err(bad)?).map_err(bad)?;
    let signature = bit_string_bytes(&fields.read(WHAT).map_err(bad)?).map_err(bad)?;
    fields.finish(WHAT).map_err(bad)?;
    Ok((tbs, alg, signature))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_lengths() {
        assert_eq!(unsigned_bit_len(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(unsigned_bit_len(&[0x01, 0xff]), 9);
        assert_eq!(unsigned_bit_len(&[0x00]), 0);
    }

    #[test]
    fn garbage_key_is_malformed_not_valid() {
        let alg = AlgorithmIdentifier::new(oid::SHA256_WITH_RSA, None);
        let result = verify_signature(&[0x30, 0x00], &alg, None, b"m", b"s");
        assert!(matches!(
            result,
            Err(SignatureCheckError::MalformedKey { .. })
        ));
    }
}
