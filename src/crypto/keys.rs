//! Loading private keys and certificates from PEM or DER files.
//!
//! Private keys: PKCS#8 (`PRIVATE KEY`, v1 and v2, RSA / RSASSA-PSS / EC / Ed25519), PKCS#1
//! (`RSA PRIVATE KEY`) and SEC1 (`EC PRIVATE KEY`, P-256 and P-384). Encrypted keys are
//! refused with a clear message. Certificates: one DER certificate, or any number of PEM
//! `CERTIFICATE` blocks.

use asn1_rs::Tag;
use ring::signature::{EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};

use super::verify::{parse_spki, PublicKeyKind};
use crate::asn1::der::{Element, Reader};
use crate::asn1::oid;
use crate::asn1::pem::looks_like_pem;
use crate::asn1::DerError;

/// Why a key or certificate could not be loaded, or does not fit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The PEM armour is broken.
    #[error("invalid PEM: {detail}")]
    Pem {
        /// What the PEM reader said.
        detail: String,
    },
    /// The input has no private key block or structure.
    #[error("no private key found (expected PEM 'PRIVATE KEY', 'RSA PRIVATE KEY' or 'EC PRIVATE KEY', or DER PKCS#8/PKCS#1/SEC1)")]
    NoPrivateKey,
    /// The key is encrypted.
    #[error("encrypted keys are not supported yet (use PKCS#12 when available)")]
    Encrypted,
    /// The key structure is not valid.
    #[error("malformed {format} private key: {detail}")]
    Malformed {
        /// PKCS#8, PKCS#1 or SEC1.
        format: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// A PKCS#8 key of an algorithm kyso cannot sign with.
    #[error("unsupported private key algorithm {algorithm}")]
    UnsupportedAlgorithm {
        /// Name or dotted OID.
        algorithm: String,
    },
    /// An EC key on a curve kyso cannot sign with.
    #[error("unsupported elliptic curve {curve} (P-256 and P-384 are supported)")]
    UnsupportedCurve {
        /// Name or dotted OID.
        curve: String,
    },
    /// ring refused the key (inconsistent components, unsupported size...).
    #[error("the {format} key was rejected: {reason}")]
    Rejected {
        /// The key format or type.
        format: &'static str,
        /// ring's reason.
        reason: String,
    },
    /// An EC private key without its public key, and no certificate to take it from.
    #[error(
        "the EC private key does not contain its public key; load it together with its certificate"
    )]
    MissingEcPublicKey,
    /// The private key is not the one certified.
    #[error("the private key does not match the certificate's public key")]
    KeyMismatch,
    /// No certificate in the input.
    #[error("no certificate found")]
    NoCertificate,
    /// A certificate cannot be decoded.
    #[error("invalid certificate #{index}: {detail}")]
    Certificate {
        /// Position in the input (0-based).
        index: usize,
        /// What the X.509 parser said.
        detail: String,
    },
}

/// The elliptic curves kyso signs with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Curve {
    P256,
    P384,
}

impl Curve {
    fn kind(self) -> PublicKeyKind {
        match self {
            Curve::P256 => PublicKeyKind::EcP256,
            Curve::P384 => PublicKeyKind::EcP384,
        }
    }

    fn scalar_len(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
        }
    }

    pub(crate) fn signing_algorithm(self) -> &'static ring::signature::EcdsaSigningAlgorithm {
        match self {
            Curve::P256 => &ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
            Curve::P384 => &ring::signature::ECDSA_P384_SHA384_ASN1_SIGNING,
        }
    }

    fn from_oid(curve: &asn1_rs::Oid<'_>) -> Result<Self, KeyError> {
        if *curve == oid::SECP256R1 {
            Ok(Curve::P256)
        } else if *curve == oid::SECP384R1 {
            Ok(Curve::P384)
        } else {
            Err(KeyError::UnsupportedCurve {
                curve: oid::name(curve),
            })
        }
    }
}

enum Material {
    Rsa {
        pair: RsaKeyPair,
        pss_only: bool,
    },
    Ec {
        curve: Curve,
        scalar: Vec<u8>,
        public_point: Option<Vec<u8>>,
    },
    Ed25519(Ed25519KeyPair),
}

/// A private key loaded for signing.
pub struct PrivateKey {
    material: Material,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivateKey")
            .field("kind", &self.kind())
            .finish_non_exhaustive()
    }
}

/// A key ready for ring's signing functions (crate-internal).
pub(crate) enum SigningKey {
    Rsa(RsaKeyPair),
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
}

impl PrivateKey {
    /// Loads the first private key of a PEM file, or a DER key (detected by the absence of a
    /// `-----BEGIN` line).
    pub fn from_pem_or_der(bytes: &[u8]) -> Result<Self, KeyError> {
        if looks_like_pem(bytes) {
            Self::from_pem(bytes)
        } else {
            Self::from_der(bytes)
        }
    }

    /// Loads the first private key block of a PEM file.
    pub fn from_pem(pem: &[u8]) -> Result<Self, KeyError> {
        if contains(pem, b"Proc-Type: 4,ENCRYPTED") {
            return Err(KeyError::Encrypted);
        }
        for block in x509_parser::pem::Pem::iter_from_buffer(pem) {
            let block = block.map_err(|e| KeyError::Pem {
                detail: e.to_string(),
            })?;
            match block.label.as_str() {
                "PRIVATE KEY" => return Self::from_pkcs8(&block.contents),
                "RSA PRIVATE KEY" => return Self::from_pkcs1(&block.contents),
                "EC PRIVATE KEY" => return Self::from_sec1(&block.contents, None),
                "ENCRYPTED PRIVATE KEY" => return Err(KeyError::Encrypted),
                _ => {} // certificates, EC PARAMETERS...: skip
            }
        }
        Err(KeyError::NoPrivateKey)
    }

    /// Loads a DER key: PKCS#8, PKCS#1 RSAPrivateKey or SEC1 ECPrivateKey (detected from the
    /// structure).
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        let malformed = |e: DerError| KeyError::Malformed {
            format: "DER",
            detail: e.to_string(),
        };
        let mut reader = Reader::new(der, 0);
        let outer = reader.read("private key").map_err(malformed)?;
        if !outer.is_universal(Tag::Sequence) {
            return Err(KeyError::NoPrivateKey);
        }
        let mut fields = outer.children();
        let first = fields.read("private key").map_err(malformed)?;
        if first.is_universal(Tag::Sequence) {
            // EncryptedPrivateKeyInfo ::= SEQUENCE { AlgorithmIdentifier, OCTET STRING }
            return Err(KeyError::Encrypted);
        }
        let version = first.small_uint("version").map_err(malformed)?;
        let second = fields.read("private key").map_err(malformed)?;
        if second.is_universal(Tag::Sequence) {
            Self::from_pkcs8(der)
        } else if second.is_universal(Tag::Integer) && version == 0 {
            Self::from_pkcs1(der)
        } else if second.is_universal(Tag::OctetString) && version == 1 {
            Self::from_sec1(der, None)
        } else {
            Err(KeyError::NoPrivateKey)
        }
    }

    /// Loads a PKCS#8 PrivateKeyInfo / OneAsymmetricKey (RFC 5958), v1 or v2.
    pub fn from_pkcs8(der: &[u8]) -> Result<Self, KeyError> {
        const FORMAT: &str = "PKCS#8";
        let malformed = |e: DerError| KeyError::Malformed {
            format: FORMAT,
            detail: e.to_string(),
        };
        let mut reader = Reader::new(der, 0);
        let outer = reader.read(FORMAT).map_err(malformed)?;
        outer
            .expect_universal(Tag::Sequence, FORMAT, "SEQUENCE")
            .map_err(malformed)?;
        let mut fields = outer.children();
        let first = fields.read(FORMAT).map_err(malformed)?;
        if first.is_universal(Tag::Sequence) {
            return Err(KeyError::Encrypted);
        }
        let version = first.small_uint("version").map_err(malformed)?;
        if version > 1 {
            return Err(KeyError::Malformed {
                format: FORMAT,
                detail: format!("version {version}"),
            });
        }
        let alg = super::algorithm::AlgorithmIdentifier::from_element(
            &fields.read(FORMAT).map_err(malformed)?,
        )
        .map_err(malformed)?;
        let private_key = fields
            .read(FORMAT)
            .map_err(malformed)?
            .octet_string(FORMAT)
            .map_err(malformed)?;
        // [0] attributes and [1] publicKey (v2) may follow.
        let _attributes = fields.read_optional_context(0, FORMAT).map_err(malformed)?;
        let public_key = fields.read_optional_context(1, FORMAT).map_err(malformed)?;

        if alg.oid == oid::RSA_ENCRYPTION || alg.oid == oid::RSASSA_PSS {
            let mut key = Self::from_pkcs1(&private_key)?;
            if let Material::Rsa { pss_only, .. } = &mut key.material {
                *pss_only = alg.oid == oid::RSASSA_PSS;
            }
            return Ok(key);
        }
        if alg.oid == oid::EC_PUBLIC_KEY {
            let curve_der = alg.params.ok_or_else(|| KeyError::Malformed {
                format: FORMAT,
                detail: "EC key without a curve".into(),
            })?;
            let mut curve_reader = Reader::new(curve_der, 0);
            let curve_oid = curve_reader
                .read("curve")
                .and_then(|e| e.oid("curve").map(|o| o.to_owned()))
                .map_err(malformed)?;
            let curve = Curve::from_oid(&curve_oid)?;
            let mut key = Self::from_sec1(&private_key, Some(curve))?;
            if let (Material::Ec { public_point, .. }, Some(bits)) = (&mut key.material, public_key)
            {
                if public_point.is_none() {
                    *public_point = Some(implicit_bit_string(&bits).map_err(malformed)?.to_vec());
                }
            }
            return Ok(key);
        }
        if alg.oid == oid::ED25519 {
            let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der).map_err(|e| {
                KeyError::Rejected {
                    format: "Ed25519",
                    reason: e.to_string(),
                }
            })?;
            return Ok(PrivateKey {
                material: Material::Ed25519(pair),
            });
        }
        Err(KeyError::UnsupportedAlgorithm {
            algorithm: alg.name(),
        })
    }

    /// Loads a PKCS#1 RSAPrivateKey.
    pub fn from_pkcs1(der: &[u8]) -> Result<Self, KeyError> {
        let pair = RsaKeyPair::from_der(der).map_err(|e| KeyError::Rejected {
            format: "RSA",
            reason: e.to_string(),
        })?;
        Ok(PrivateKey {
            material: Material::Rsa {
                pair,
                pss_only: false,
            },
        })
    }

    /// Loads a SEC1 ECPrivateKey (RFC 5915). `curve` comes from the PKCS#8 wrapper, if any.
    fn from_sec1(der: &[u8], outer_curve: Option<Curve>) -> Result<Self, KeyError> {
        const FORMAT: &str = "SEC1 EC";
        let malformed = |e: DerError| KeyError::Malformed {
            format: FORMAT,
            detail: e.to_string(),
        };
        let mut reader = Reader::new(der, 0);
        let outer = reader.read(FORMAT).map_err(malformed)?;
        outer
            .expect_universal(Tag::Sequence, FORMAT, "SEQUENCE")
            .map_err(malformed)?;
        let mut fields = outer.children();
        let version = fields
            .read(FORMAT)
            .and_then(|e| e.small_uint("version"))
            .map_err(malformed)?;
        if version != 1 {
            return Err(KeyError::Malformed {
                format: FORMAT,
                detail: format!("version {version}"),
            });
        }
        let scalar = fields
            .read(FORMAT)
            .and_then(|e| e.octet_string(FORMAT).map(|c| c.into_owned()))
            .map_err(malformed)?;
        let inner_curve = match fields.read_optional_context(0, FORMAT).map_err(malformed)? {
            Some(params) => {
                let mut inner = params.children();
                let curve = inner
                    .read("curve")
                    .and_then(|e| e.oid("curve").map(|o| o.to_owned()))
                    .map_err(malformed)?;
                Some(Curve::from_oid(&curve)?)
            }
            None => None,
        };
        let public_point = match fields.read_optional_context(1, FORMAT).map_err(malformed)? {
            Some(public) => {
                let mut inner = public.children();
                let bits = inner.read(FORMAT).map_err(malformed)?;
                Some(
                    super::verify::bit_string_bytes(&bits)
                        .map_err(malformed)?
                        .to_vec(),
                )
            }
            None => None,
        };
        let curve = match (outer_curve, inner_curve) {
            (Some(a), Some(b)) if a != b => {
                return Err(KeyError::Malformed {
                    format: FORMAT,
                    detail: "the curve in the key differs from the PKCS#8 algorithm".into(),
                })
            }
            (Some(c), _) | (None, Some(c)) => c,
            (None, None) => {
                return Err(KeyError::Malformed {
                    format: FORMAT,
                    detail: "no curve given".into(),
                })
            }
        };
        let scalar = left_pad(&scalar, curve.scalar_len()).ok_or(KeyError::Malformed {
            format: FORMAT,
            detail: "private scalar longer than the curve order".into(),
        })?;
        let key = PrivateKey {
            material: Material::Ec {
                curve,
                scalar,
                public_point,
            },
        };
        // Check the pair now when possible, so that errors show at load time.
        if let Material::Ec {
            public_point: Some(point),
            ..
        } = &key.material
        {
            key.ecdsa_pair(point)?;
        }
        Ok(key)
    }

    /// The kind and size of the key.
    pub fn kind(&self) -> PublicKeyKind {
        match &self.material {
            Material::Rsa { pair, .. } => PublicKeyKind::Rsa {
                bits: pair.public().modulus_len().saturating_mul(8),
            },
            Material::Ec { curve, .. } => curve.kind(),
            Material::Ed25519(_) => PublicKeyKind::Ed25519,
        }
    }

    /// Whether the key is an RSA key restricted to RSASSA-PSS (PKCS#8 `id-RSASSA-PSS`).
    pub fn is_pss_only(&self) -> bool {
        matches!(self.material, Material::Rsa { pss_only: true, .. })
    }

    /// Checks that `cert_der` certifies this key.
    pub fn check_matches_certificate(&self, cert_der: &[u8]) -> Result<(), KeyError> {
        let spki = certificate_spki(cert_der)?;
        let public = parse_spki(spki).map_err(|e| KeyError::Certificate {
            index: 0,
            detail: e.to_string(),
        })?;
        let matches = match &self.material {
            Material::Rsa { pair, .. } => {
                matches!(public.kind, PublicKeyKind::Rsa { .. })
                    && rsa_public_values(pair.public().as_ref())
                        == rsa_public_values(public.key_bytes)
                    && rsa_public_values(public.key_bytes).is_some()
            }
            Material::Ec {
                curve,
                public_point,
                ..
            } => {
                public.kind == curve.kind()
                    && match public_point {
                        Some(point) => point.as_slice() == public.key_bytes,
                        None => self.ecdsa_pair(public.key_bytes).is_ok(),
                    }
            }
            Material::Ed25519(pair) => {
                public.kind == PublicKeyKind::Ed25519
                    && pair.public_key().as_ref() == public.key_bytes
            }
        };
        if matches {
            Ok(())
        } else {
            Err(KeyError::KeyMismatch)
        }
    }

    fn ecdsa_pair(&self, point: &[u8]) -> Result<EcdsaKeyPair, KeyError> {
        let Material::Ec { curve, scalar, .. } = &self.material else {
            return Err(KeyError::KeyMismatch);
        };
        EcdsaKeyPair::from_private_key_and_public_key(
            curve.signing_algorithm(),
            scalar,
            point,
            &ring::rand::SystemRandom::new(),
        )
        .map_err(|e| KeyError::Rejected {
            format: "EC",
            reason: e.to_string(),
        })
    }

    /// Turns the key into a ring signing key, taking a missing EC public key from the
    /// certificate (ring checks that it belongs to the private key).
    pub(crate) fn into_signing_key(self, cert_der: &[u8]) -> Result<SigningKey, KeyError> {
        self.check_matches_certificate(cert_der)?;
        match self.material {
            Material::Rsa { pair, .. } => Ok(SigningKey::Rsa(pair)),
            Material::Ed25519(pair) => Ok(SigningKey::Ed25519(pair)),
            Material::Ec {
                curve,
                ref scalar,
                ref public_point,
            } => {
                let point = match public_point {
                    Some(point) => point.clone(),
                    None => {
                        let spki = certificate_spki(cert_der)?;
                        parse_spki(spki)
                            .map_err(|_| KeyError::MissingEcPublicKey)?
                            .key_bytes
                            .to_vec()
                    }
                };
                EcdsaKeyPair::from_private_key_and_public_key(
                    curve.signing_algorithm(),
                    scalar,
                    &point,
                    &ring::rand::SystemRandom::new(),
                )
                .map(SigningKey::Ecdsa)
                .map_err(|_| KeyError::KeyMismatch)
            }
        }
    }
}

/// The modulus and exponent of a DER RSAPublicKey, without leading zeros.
fn rsa_public_values(der: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut reader = Reader::new(der, 0);
    let seq = reader.read("RSAPublicKey").ok()?;
    let mut fields = seq.children();
    let n = fields.read("n").ok()?.integer_bytes("n").ok()?;
    let e = fields.read("e").ok()?.integer_bytes("e").ok()?;
    let strip = |b: &[u8]| {
        let first = b.iter().position(|x| *x != 0).unwrap_or(b.len());
        b.get(first..).unwrap_or_default().to_vec()
    };
    Some((strip(n), strip(e)))
}

/// The content of an IMPLICIT BIT STRING (`[1] IMPLICIT BIT STRING` in OneAsymmetricKey).
fn implicit_bit_string<'a>(element: &Element<'a>) -> Result<&'a [u8], DerError> {
    match element.content.split_first() {
        Some((0, rest)) if !element.constructed => Ok(rest),
        _ => Err(element.malformed("publicKey", "invalid BIT STRING")),
    }
}

fn left_pad(bytes: &[u8], len: usize) -> Option<Vec<u8>> {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    let significant = bytes.get(first..)?;
    let padding = len.checked_sub(significant.len())?;
    let mut out = vec![0u8; padding];
    out.extend_from_slice(significant);
    Some(out)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The raw SubjectPublicKeyInfo of a DER certificate.
pub(crate) fn certificate_spki(cert_der: &[u8]) -> Result<&[u8], KeyError> {
    use x509_parser::prelude::FromDer;
    let (_, cert) = x509_parser::certificate::X509Certificate::from_der(cert_der).map_err(|e| {
        KeyError::Certificate {
            index: 0,
            detail: e.to_string(),
        }
    })?;
    Ok(cert.tbs_certificate.subject_pki.raw)
}

/// Loads certificates: every `CERTIFICATE` block of a PEM file, or one DER certificate.
///
/// Each certificate is checked to be decodable (x509-parser); the DER bytes are returned.
pub fn load_certificates(bytes: &[u8]) -> Result<Vec<Vec<u8>>, KeyError> {
    use x509_parser::prelude::FromDer;
    let mut out = Vec::new();
    if looks_like_pem(bytes) {
        for block in x509_parser::pem::Pem::iter_from_buffer(bytes) {
            let block = block.map_err(|e| KeyError::Pem {
                detail: e.to_string(),
            })?;
            if block.label == "CERTIFICATE" || block.label == "X509 CERTIFICATE" {
                out.push(block.contents);
            }
        }
    } else {
        out.push(bytes.to_vec());
    }
    if out.is_empty() {
        return Err(KeyError::NoCertificate);
    }
    for (index, der) in out.iter().enumerate() {
        let (rest, _) = x509_parser::certificate::X509Certificate::from_der(der).map_err(|e| {
            KeyError::Certificate {
                index,
                detail: e.to_string(),
            }
        })?;
        if !rest.is_empty() {
            return Err(KeyError::Certificate {
                index,
                detail: "data after the certificate".into(),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypted_and_empty_inputs_are_refused_clearly() {
        let pem =
            b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----\n";
        assert_eq!(PrivateKey::from_pem(pem).unwrap_err(), KeyError::Encrypted);
        assert_eq!(
            PrivateKey::from_pem(b"nothing here").unwrap_err(),
            KeyError::NoPrivateKey
        );
        // EncryptedPrivateKeyInfo in DER: SEQUENCE { SEQUENCE { OID }, OCTET STRING }
        let der = [
            0x30, 0x0a, 0x30, 0x04, 0x06, 0x02, 0x2a, 0x03, 0x04, 0x02, 0x01, 0x02,
        ];
        assert_eq!(PrivateKey::from_der(&der).unwrap_err(), KeyError::Encrypted);
        assert!(PrivateKey::from_der(&[0xff, 0x00]).is_err());
    }

    #[test]
    fn left_pad_keeps_value() {
        assert_eq!(left_pad(&[0, 1, 2], 4), Some(vec![0, 0, 1, 2]));
        assert_eq!(left_pad(&[1, 2, 3], 2), None);
    }
}
