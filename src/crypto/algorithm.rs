//! Digest and signature algorithms: identifiers, names and DER AlgorithmIdentifiers.

use std::fmt;

use asn1_rs::{Oid, Tag};

use crate::asn1::der::{self, Reader};
use crate::asn1::oid;
use crate::asn1::DerError;

/// A digest algorithm kyso can compute: SHA-1 and SHA-2 with ring, SHA-224, SHA-3 and SHAKE256
/// with the RustCrypto `sha2`, `sha3` and `shake` crates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum DigestAlgorithm {
    /// SHA-1 (legacy: verification of old signatures only).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
    /// SHA-224 (FIPS 180-4).
    Sha224,
    /// SHA3-224 (FIPS 202).
    Sha3_224,
    /// SHA3-256 (FIPS 202).
    Sha3_256,
    /// SHA3-384 (FIPS 202).
    Sha3_384,
    /// SHA3-512 (FIPS 202).
    Sha3_512,
    /// SHAKE256 with a 512-bit output: the CMS message digest for Ed448 (RFC 8419 §3.1).
    Shake256,
}

impl DigestAlgorithm {
    /// Every supported digest algorithm.
    pub const ALL: [DigestAlgorithm; 10] = [
        Self::Sha1,
        Self::Sha256,
        Self::Sha384,
        Self::Sha512,
        Self::Sha224,
        Self::Sha3_224,
        Self::Sha3_256,
        Self::Sha3_384,
        Self::Sha3_512,
        Self::Shake256,
    ];

    /// The algorithm's OBJECT IDENTIFIER.
    pub fn oid(self) -> Oid<'static> {
        match self {
            Self::Sha1 => oid::SHA1,
            Self::Sha256 => oid::SHA256,
            Self::Sha384 => oid::SHA384,
            Self::Sha512 => oid::SHA512,
            Self::Sha224 => oid::SHA224,
            Self::Sha3_224 => oid::SHA3_224,
            Self::Sha3_256 => oid::SHA3_256,
            Self::Sha3_384 => oid::SHA3_384,
            Self::Sha3_512 => oid::SHA3_512,
            Self::Shake256 => oid::SHAKE256,
        }
    }

    /// The algorithm for an OBJECT IDENTIFIER, if kyso supports it.
    pub fn from_oid(oid: &Oid<'_>) -> Option<Self> {
        Self::ALL.into_iter().find(|alg| alg.oid() == *oid)
    }

    /// The usual name ("SHA-256").
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA-1",
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
            Self::Sha224 => "SHA-224",
            Self::Sha3_224 => "SHA3-224",
            Self::Sha3_256 => "SHA3-256",
            Self::Sha3_384 => "SHA3-384",
            Self::Sha3_512 => "SHA3-512",
            Self::Shake256 => "SHAKE256",
        }
    }

    /// The digest length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha224 | Self::Sha3_224 => 28,
            Self::Sha256 | Self::Sha3_256 => 32,
            Self::Sha384 | Self::Sha3_384 => 48,
            Self::Sha512 | Self::Sha3_512 | Self::Shake256 => 64,
        }
    }

    /// The DER `AlgorithmIdentifier` (parameters absent, RFC 5754 §2 / RFC 3370 §2.1;
    /// RFC 8702 §2 and RFC 8419 §2.3 for SHA-3 and SHAKE256).
    pub fn algorithm_identifier_der(self) -> Result<Vec<u8>, DerError> {
        der::sequence(&[&der::oid(&self.oid())?])
    }

    /// ring's implementation, for the algorithms ring has (the fast path).
    pub(crate) fn ring(self) -> Option<&'static ring::digest::Algorithm> {
        match self {
            Self::Sha1 => Some(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY),
            Self::Sha256 => Some(&ring::digest::SHA256),
            Self::Sha384 => Some(&ring::digest::SHA384),
            Self::Sha512 => Some(&ring::digest::SHA512),
            Self::Sha224
            | Self::Sha3_224
            | Self::Sha3_256
            | Self::Sha3_384
            | Self::Sha3_512
            | Self::Shake256 => None,
        }
    }
}

impl fmt::Display for DigestAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A signature algorithm kyso can sign with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum SignatureAlgorithm {
    /// RSA PKCS#1 v1.5 with SHA-256 (sha256WithRSAEncryption).
    RsaPkcs1Sha256,
    /// RSA PKCS#1 v1.5 with SHA-384 (sha384WithRSAEncryption).
    RsaPkcs1Sha384,
    /// RSA PKCS#1 v1.5 with SHA-512 (sha512WithRSAEncryption).
    RsaPkcs1Sha512,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt.
    RsaPssSha256,
    /// ECDSA on P-256 with SHA-256.
    EcdsaP256Sha256,
    /// ECDSA on P-384 with SHA-384.
    EcdsaP384Sha384,
    /// Ed25519 (pure EdDSA).
    Ed25519,
}

/// The family of public key an algorithm works with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum KeyFamily {
    /// RSA, any size.
    Rsa,
    /// ECDSA on NIST P-256.
    EcP256,
    /// ECDSA on NIST P-384.
    EcP384,
    /// Ed25519.
    Ed25519,
}

impl SignatureAlgorithm {
    /// Every algorithm kyso can sign with.
    pub const ALL: [SignatureAlgorithm; 7] = [
        Self::RsaPkcs1Sha256,
        Self::RsaPkcs1Sha384,
        Self::RsaPkcs1Sha512,
        Self::RsaPssSha256,
        Self::EcdsaP256Sha256,
        Self::EcdsaP384Sha384,
        Self::Ed25519,
    ];

    /// The digest used for the message digest (and, except for Ed25519, inside the signature).
    ///
    /// For Ed25519 this is SHA-512, the digest RFC 8419 §3 asks CMS signers to use.
    pub fn digest(self) -> DigestAlgorithm {
        match self {
            Self::RsaPkcs1Sha256 | Self::RsaPssSha256 | Self::EcdsaP256Sha256 => {
                DigestAlgorithm::Sha256
            }
            Self::RsaPkcs1Sha384 | Self::EcdsaP384Sha384 => DigestAlgorithm::Sha384,
            Self::RsaPkcs1Sha512 | Self::Ed25519 => DigestAlgorithm::Sha512,
        }
    }

    /// The key family this algorithm needs.
    pub fn key_family(self) -> KeyFamily {
        match self {
            Self::RsaPkcs1Sha256
            | Self::RsaPkcs1Sha384
            | Self::RsaPkcs1Sha512
            | Self::RsaPssSha256 => KeyFamily::Rsa,
            Self::EcdsaP256Sha256 => KeyFamily::EcP256,
            Self::EcdsaP384Sha384 => KeyFamily::EcP384,
            Self::Ed25519 => KeyFamily::Ed25519,
        }
    }

    /// The signature algorithm OBJECT IDENTIFIER.
    pub fn oid(self) -> Oid<'static> {
        match self {
            Self::RsaPkcs1Sha256 => oid::SHA256_WITH_RSA,
            Self::RsaPkcs1Sha384 => oid::SHA384_WITH_RSA,
            Self::RsaPkcs1Sha512 => oid::SHA512_WITH_RSA,
            Self::RsaPssSha256 => oid::RSASSA_PSS,
            Self::EcdsaP256Sha256 => oid::ECDSA_WITH_SHA256,
            Self::EcdsaP384Sha384 => oid::ECDSA_WITH_SHA384,
            Self::Ed25519 => oid::ED25519,
        }
    }

    /// A readable name ("RSA PKCS#1 v1.5 with SHA-256").
    pub fn name(self) -> &'static str {
        match self {
            Self::RsaPkcs1Sha256 => "RSA PKCS#1 v1.5 with SHA-256",
            Self::RsaPkcs1Sha384 => "RSA PKCS#1 v1.5 with SHA-384",
            Self::RsaPkcs1Sha512 => "RSA PKCS#1 v1.5 with SHA-512",
            Self::RsaPssSha256 => "RSASSA-PSS with SHA-256",
            Self::EcdsaP256Sha256 => "ECDSA P-256 with SHA-256",
            Self::EcdsaP384Sha384 => "ECDSA P-384 with SHA-384",
            Self::Ed25519 => "Ed25519",
        }
    }

    /// The DER `AlgorithmIdentifier` for the CMS `signatureAlgorithm` field.
    ///
    /// RSA PKCS#1 v1.5: `shaXWithRSAEncryption` with NULL parameters (RFC 4055 §5);
    /// RSA-PSS: `id-RSASSA-PSS` with full parameters (RFC 4055 §3.1); ECDSA: no parameters
    /// (RFC 5758 §3.2); Ed25519: no parameters (RFC 8410 §3).
    pub fn algorithm_identifier_der(self) -> Result<Vec<u8>, DerError> {
        let oid = der::oid(&self.oid())?;
        match self {
            Self::RsaPkcs1Sha256 | Self::RsaPkcs1Sha384 | Self::RsaPkcs1Sha512 => {
                der::sequence(&[&oid, &der::null()?])
            }
            Self::RsaPssSha256 => {
                let params = RsaPssParams {
                    hash: DigestAlgorithm::Sha256,
                    mgf1_hash: DigestAlgorithm::Sha256,
                    salt_len: 32,
                    trailer_field: 1,
                }
                .to_der()?;
                der::sequence(&[&oid, &params])
            }
            Self::EcdsaP256Sha256 | Self::EcdsaP384Sha384 | Self::Ed25519 => der::sequence(&[&oid]),
        }
    }
}

impl fmt::Display for SignatureAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An X.509 / CMS `AlgorithmIdentifier`:
///
/// ```text
/// AlgorithmIdentifier ::= SEQUENCE {
///     algorithm   OBJECT IDENTIFIER,
///     parameters  ANY DEFINED BY algorithm OPTIONAL }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AlgorithmIdentifier<'a> {
    /// The algorithm.
    pub oid: Oid<'a>,
    /// The parameters element (its whole encoding, tag included), when present.
    pub params: Option<&'a [u8]>,
}

impl<'a> AlgorithmIdentifier<'a> {
    /// An identifier from its parts; `params` is the whole encoded parameters element.
    pub fn new(oid: Oid<'a>, params: Option<&'a [u8]>) -> Self {
        AlgorithmIdentifier { oid, params }
    }

    /// Decodes a whole `AlgorithmIdentifier` element (BER accepted); nothing may follow it.
    pub fn from_der(input: &'a [u8]) -> Result<Self, DerError> {
        let mut reader = Reader::new(input, 0);
        let element = reader.read("AlgorithmIdentifier")?;
        reader.finish("AlgorithmIdentifier")?;
        Self::from_element(&element)
    }

    pub(crate) fn from_element(element: &der::Element<'a>) -> Result<Self, DerError> {
        const WHAT: &str = "AlgorithmIdentifier";
        element.expect_universal(Tag::Sequence, WHAT, "SEQUENCE")?;
        let mut fields = element.children();
        let oid = fields.read(WHAT)?.oid(WHAT)?;
        let params = if fields.is_empty() {
            None
        } else {
            Some(fields.read(WHAT)?.raw)
        };
        fields.finish(WHAT)?;
        Ok(AlgorithmIdentifier { oid, params })
    }

    /// Whether the parameters are absent or NULL (what most algorithms require).
    pub fn params_absent_or_null(&self) -> bool {
        matches!(self.params, None | Some([0x05, 0x00]))
    }

    /// A readable name of the algorithm (or its dotted OID).
    pub fn name(&self) -> String {
        oid::name(&self.oid)
    }

    /// The digest algorithm this identifies, if it is one kyso supports.
    ///
    /// `id-shake256-len` with a length of 512 bits (RFC 8702 §2, `INTEGER 512`) is the same
    /// digest as `id-shake256` (RFC 8419 §2.3): [`DigestAlgorithm::Shake256`].
    pub fn digest_algorithm(&self) -> Option<DigestAlgorithm> {
        if self.oid == oid::SHAKE256_LEN {
            // ShakeOutputLen ::= INTEGER, in bits.
            return (self.params == Some(&[0x02, 0x02, 0x02, 0x00][..]))
                .then_some(DigestAlgorithm::Shake256);
        }
        DigestAlgorithm::from_oid(&self.oid)
    }

    /// An owned copy of the OID (the parameters stay borrowed).
    pub fn oid_owned(&self) -> Oid<'static> {
        self.oid.to_owned()
    }
}

/// Parameters of RSASSA-PSS (RFC 4055 §3.1):
///
/// ```text
/// RSASSA-PSS-params ::= SEQUENCE {
///     hashAlgorithm      [0] HashAlgorithm DEFAULT sha1Identifier,
///     maskGenAlgorithm   [1] MaskGenAlgorithm DEFAULT mgf1SHA1Identifier,
///     saltLength         [2] INTEGER DEFAULT 20,
///     trailerField       [3] INTEGER DEFAULT 1 }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RsaPssParams {
    /// The message hash.
    pub hash: DigestAlgorithm,
    /// The hash inside MGF1.
    pub mgf1_hash: DigestAlgorithm,
    /// The salt length in bytes.
    pub salt_len: u32,
    /// The trailer field (must be 1).
    pub trailer_field: u32,
}

/// Why RSASSA-PSS parameters could not be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PssParamsError {
    /// The parameters are not valid DER/BER for RSASSA-PSS-params.
    #[error("malformed RSASSA-PSS parameters: {0}")]
    Malformed(String),
    /// A hash or mask generation function kyso does not know.
    #[error("RSASSA-PSS with unsupported {what} {oid}")]
    UnsupportedAlgorithm {
        /// "hash", "mask generation function" or "MGF1 hash".
        what: &'static str,
        /// The OID found (name or dotted form).
        oid: String,
    },
}

impl RsaPssParams {
    /// PSS parameters with the usual choices: MGF1 with the same hash, salt as long as the hash.
    pub fn new(hash: DigestAlgorithm) -> Self {
        let salt_len = u32::try_from(hash.output_len()).unwrap_or(u32::MAX);
        RsaPssParams {
            hash,
            mgf1_hash: hash,
            salt_len,
            trailer_field: 1,
        }
    }

    /// Parameters from their parts.
    pub fn with_parts(
        hash: DigestAlgorithm,
        mgf1_hash: DigestAlgorithm,
        salt_len: u32,
        trailer_field: u32,
    ) -> Self {
        RsaPssParams {
            hash,
            mgf1_hash,
            salt_len,
            trailer_field,
        }
    }

    /// Decodes the parameters element (the whole `SEQUENCE`); `None` means all defaults.
    pub fn from_der(params: Option<&[u8]>) -> Result<Self, PssParamsError> {
        let mut result = RsaPssParams {
            hash: DigestAlgorithm::Sha1,
            mgf1_hash: DigestAlgorithm::Sha1,
            salt_len: 20,
            trailer_field: 1,
        };
        let Some(params) = params else {
            return Ok(result);
        };
        let malformed = |e: DerError| PssParamsError::Malformed(e.to_string());
        const WHAT: &str = "RSASSA-PSS-params";
        let mut outer = Reader::new(params, 0);
        let seq = outer.read(WHAT).map_err(malformed)?;
        outer.finish(WHAT).map_err(malformed)?;
        seq.expect_universal(Tag::Sequence, WHAT, "SEQUENCE")
            .map_err(malformed)?;
        let mut fields = seq.children();
        if let Some(hash) = fields.read_optional_context(0, WHAT).map_err(malformed)? {
            let alg = explicit_algorithm(&hash).map_err(malformed)?;
            result.hash = known_digest(&alg, "hash")?;
        }
        if let Some(mgf) = fields.read_optional_context(1, WHAT).map_err(malformed)? {
            let alg = explicit_algorithm(&mgf).map_err(malformed)?;
            if alg.oid != oid::MGF1 {
                return Err(PssParamsError::UnsupportedAlgorithm {
                    what: "mask generation function",
                    oid: alg.name(),
                });
            }
            let inner = alg
                .params
                .ok_or_else(|| PssParamsError::Malformed("MGF1 without a hash".into()))?;
            let inner = AlgorithmIdentifier::from_der(inner).map_err(malformed)?;
            result.mgf1_hash = known_digest(&inner, "MGF1 hash")?;
        }
        if let Some(salt) = fields.read_optional_context(2, WHAT).map_err(malformed)? {
            result.salt_len = explicit_uint(&salt).map_err(malformed)?;
        }
        if let Some(trailer) = fields.read_optional_context(3, WHAT).map_err(malformed)? {
            result.trailer_field = explicit_uint(&trailer).map_err(malformed)?;
        }
        fields.finish(WHAT).map_err(malformed)?;
        Ok(result)
    }

    /// The DER encoding: fields equal to their DEFAULT are omitted (X.690 §11.5), hash
    /// identifiers carry no parameters (RFC 5754).
    pub fn to_der(&self) -> Result<Vec<u8>, DerError> {
        let mut fields: Vec<Vec<u8>> = Vec::new();
        if self.hash != DigestAlgorithm::Sha1 {
            fields.push(der::explicit(0, &self.hash.algorithm_identifier_der()?)?);
        }
        if self.mgf1_hash != DigestAlgorithm::Sha1 {
            let mgf = der::sequence(&[
                &der::oid(&oid::MGF1)?,
                &self.mgf1_hash.algorithm_identifier_der()?,
            ])?;
            fields.push(der::explicit(1, &mgf)?);
        }
        if self.salt_len != 20 {
            fields.push(der::explicit(2, &der::small_integer(self.salt_len)?)?);
        }
        if self.trailer_field != 1 {
            fields.push(der::explicit(3, &der::small_integer(self.trailer_field)?)?);
        }
        let parts: Vec<&[u8]> = fields.iter().map(Vec::as_slice).collect();
        der::sequence(&parts)
    }
}

fn explicit_algorithm<'a>(element: &der::Element<'a>) -> Result<AlgorithmIdentifier<'a>, DerError> {
    let mut inner = element.children();
    let alg = inner.read("AlgorithmIdentifier")?;
    inner.finish("AlgorithmIdentifier")?;
    AlgorithmIdentifier::from_element(&alg)
}

fn explicit_uint(element: &der::Element<'_>) -> Result<u32, DerError> {
    let mut inner = element.children();
    let value = inner.read("INTEGER")?;
    inner.finish("INTEGER")?;
    value.small_uint("INTEGER")
}

fn known_digest(
    alg: &AlgorithmIdentifier<'_>,
    what: &'static str,
) -> Result<DigestAlgorithm, PssParamsError> {
    if !alg.params_absent_or_null() {
        return Err(PssParamsError::Malformed(format!(
            "{what} {} has unexpected parameters",
            alg.name()
        )));
    }
    DigestAlgorithm::from_oid(&alg.oid).ok_or_else(|| PssParamsError::UnsupportedAlgorithm {
        what,
        oid: alg.name(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_algorithms_round_trip_through_oids() {
        for alg in DigestAlgorithm::ALL {
            assert_eq!(DigestAlgorithm::from_oid(&alg.oid()), Some(alg));
        }
        assert_eq!(DigestAlgorithm::Sha384.output_len(), 48);
        assert_eq!(
            DigestAlgorithm::from_oid(&oid::SHA224),
            Some(DigestAlgorithm::Sha224)
        );
        assert_eq!(DigestAlgorithm::from_oid(&oid::MD5), None);
    }

    #[test]
    fn algorithm_identifiers_have_expected_encodings() {
        let rsa = SignatureAlgorithm::RsaPkcs1Sha256
            .algorithm_identifier_der()
            .unwrap();
        let parsed = AlgorithmIdentifier::from_der(&rsa).unwrap();
        assert_eq!(parsed.oid, oid::SHA256_WITH_RSA);
        assert_eq!(parsed.params, Some(&[0x05, 0x00][..]));
        let ec = SignatureAlgorithm::EcdsaP384Sha384
            .algorithm_identifier_der()
            .unwrap();
        assert_eq!(AlgorithmIdentifier::from_der(&ec).unwrap().params, None);
        let pss = SignatureAlgorithm::RsaPssSha256
            .algorithm_identifier_der()
            .unwrap();
        let parsed = AlgorithmIdentifier::from_der(&pss).unwrap();
        assert_eq!(parsed.oid, oid::RSASSA_PSS);
        let params = RsaPssParams::from_der(parsed.params).unwrap();
        assert_eq!(params, RsaPssParams::new(DigestAlgorithm::Sha256));
    }

    /// RFC 8702 §2: id-shake256-len carries the output length; only 512 bits is SHAKE256 as
    /// RFC 8419 §3.1 uses it with Ed448.
    #[test]
    fn shake256_len_512_is_shake256() {
        let p512 = [0x02, 0x02, 0x02, 0x00];
        let p256 = [0x02, 0x02, 0x01, 0x00];
        let alg = AlgorithmIdentifier::new(oid::SHAKE256_LEN, Some(&p512));
        assert_eq!(alg.digest_algorithm(), Some(DigestAlgorithm::Shake256));
        let alg = AlgorithmIdentifier::new(oid::SHAKE256_LEN, Some(&p256));
        assert_eq!(alg.digest_algorithm(), None);
        let alg = AlgorithmIdentifier::new(oid::SHAKE256_LEN, None);
        assert_eq!(alg.digest_algorithm(), None);
        let alg = AlgorithmIdentifier::new(oid::SHAKE256, None);
        assert_eq!(alg.digest_algorithm(), Some(DigestAlgorithm::Shake256));
    }

    #[test]
    fn pss_defaults_are_sha1_and_salt_20() {
        let params = RsaPssParams::from_der(Some(&[0x30, 0x00])).unwrap();
        assert_eq!(params.hash, DigestAlgorithm::Sha1);
        assert_eq!(params.salt_len, 20);
        assert_eq!(params.to_der().unwrap(), vec![0x30, 0x00]);
    }
}
