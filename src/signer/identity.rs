//! What a signature will be made with, without the key: the certificate, chain, algorithm and
//! signature size. The signing pipeline needs only this to place and size a signature, so a
//! remote service's key (two-phase signing) is described the same way as a local one.

use asn1_rs::Tag;

use super::{Signer, SignerError};
use crate::asn1::der::{self, Reader};
use crate::crypto::{
    public_key_kind, verify_signature, AlgorithmIdentifier, KeyError, KeyFamily, PublicKeyKind,
    SignatureAlgorithm,
};

/// The public side of a signer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignerIdentity {
    certificate: Vec<u8>,
    chain: Vec<Vec<u8>>,
    algorithm: SignatureAlgorithm,
    max_signature_len: usize,
    cms_reserve: usize,
}

impl SignerIdentity {
    /// The identity of a [`Signer`].
    pub fn of(signer: &dyn Signer) -> Self {
        SignerIdentity {
            certificate: signer.certificate().to_vec(),
            chain: signer.chain().to_vec(),
            algorithm: signer.algorithm(),
            max_signature_len: signer.max_signature_len(),
            cms_reserve: 0,
        }
    }

    /// An identity from a certificate (DER) and chain (DER, nearest first). The algorithm
    /// follows the key: RSA → PKCS#1 v1.5 with SHA-256, P-256 → ECDSA SHA-256, P-384 →
    /// ECDSA SHA-384, Ed25519 → Ed25519.
    pub fn from_certificate(
        certificate: Vec<u8>,
        chain: Vec<Vec<u8>>,
    ) -> Result<Self, SignerError> {
        let kind = certificate_key_kind(&certificate)?;
        let algorithm = match kind {
            PublicKeyKind::Rsa { .. } => SignatureAlgorithm::RsaPkcs1Sha256,
            PublicKeyKind::EcP256 => SignatureAlgorithm::EcdsaP256Sha256,
            PublicKeyKind::EcP384 => SignatureAlgorithm::EcdsaP384Sha384,
            PublicKeyKind::Ed25519 => SignatureAlgorithm::Ed25519,
            other => return Err(cannot_sign_with(other)),
        };
        Ok(SignerIdentity {
            certificate,
            chain,
            algorithm,
            max_signature_len: max_signature_len(kind),
            cms_reserve: 0,
        })
    }

    /// Chooses another algorithm; refuses one that does not fit the certificate's key.
    pub fn with_algorithm(mut self, algorithm: SignatureAlgorithm) -> Result<Self, SignerError> {
        let kind = certificate_key_kind(&self.certificate)?;
        if !family_fits(algorithm.key_family(), kind) {
            return Err(SignerError::IncompatibleAlgorithm {
                algorithm,
                key: kind,
            });
        }
        self.algorithm = algorithm;
        Ok(self)
    }

    /// Keeps `bytes` more room in `/Contents` than kyso's own CMS needs: for a CMS built
    /// elsewhere (with more attributes or certificates) and embedded with
    /// [`crate::sign::two_phase::embed_cms_file`].
    pub fn with_cms_reserve(mut self, bytes: usize) -> Self {
        self.cms_reserve = bytes;
        self
    }

    /// The signer's certificate (DER).
    pub fn certificate(&self) -> &[u8] {
        &self.certificate
    }

    /// The chain (DER, nearest first).
    pub fn chain(&self) -> &[Vec<u8>] {
        &self.chain
    }

    /// The signature algorithm.
    pub fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    /// An upper bound of the signature value's length.
    pub fn max_signature_len(&self) -> usize {
        self.max_signature_len
    }

    /// Extra room kept in `/Contents`.
    pub fn cms_reserve(&self) -> usize {
        self.cms_reserve
    }

    /// Checks that `signature` is this identity's signature over `bytes_to_sign`, and
    /// returns it in the form CMS carries (an ECDSA signature given as raw `r ‖ s` is
    /// converted to DER).
    pub fn check_signature(
        &self,
        bytes_to_sign: &[u8],
        signature: &[u8],
    ) -> Result<Vec<u8>, SignerError> {
        let spki = certificate_spki(&self.certificate)?;
        let alg_der =
            self.algorithm
                .algorithm_identifier_der()
                .map_err(|_| SignerError::SigningFailed {
                    reason: "cannot encode the algorithm identifier",
                })?;
        let alg =
            AlgorithmIdentifier::from_der(&alg_der).map_err(|_| SignerError::SigningFailed {
                reason: "cannot decode the algorithm identifier",
            })?;
        let digest = Some(self.algorithm.digest());
        let mut candidates = vec![signature.to_vec()];
        if let Some(der) = ecdsa_raw_to_der(self.algorithm, signature) {
            candidates.push(der);
        }
        for candidate in candidates {
            if verify_signature(spki, &alg, digest, bytes_to_sign, &candidate).is_ok() {
                return Ok(candidate);
            }
        }
        Err(SignerError::SignatureMismatch)
    }
}

/// The raw SubjectPublicKeyInfo of a DER certificate.
fn certificate_spki(certificate: &[u8]) -> Result<&[u8], SignerError> {
    use x509_parser::prelude::FromDer;
    x509_parser::certificate::X509Certificate::from_der(certificate)
        .map(|(_, c)| c.tbs_certificate.subject_pki.raw)
        .map_err(|e| {
            SignerError::Key(KeyError::Certificate {
                index: 0,
                detail: e.to_string(),
            })
        })
}

/// Whether a key family fits a public key.
pub(crate) fn family_fits(family: KeyFamily, kind: PublicKeyKind) -> bool {
    matches!(
        (family, kind),
        (KeyFamily::Rsa, PublicKeyKind::Rsa { .. })
            | (KeyFamily::EcP256, PublicKeyKind::EcP256)
            | (KeyFamily::EcP384, PublicKeyKind::EcP384)
            | (KeyFamily::Ed25519, PublicKeyKind::Ed25519)
    )
}

/// The key kind in a DER certificate.
pub(crate) fn certificate_key_kind(certificate: &[u8]) -> Result<PublicKeyKind, SignerError> {
    let spki = certificate_spki(certificate)?;
    public_key_kind(spki).map_err(|e| {
        SignerError::Key(KeyError::Certificate {
            index: 0,
            detail: e.to_string(),
        })
    })
}

/// The longest signature a key of this kind makes: the modulus length for RSA; for ECDSA a
/// DER `SEQUENCE { INTEGER r, INTEGER s }` with a sign octet each, 2 + 2 × (2 + n + 1).
pub(crate) fn max_signature_len(kind: PublicKeyKind) -> usize {
    match kind {
        PublicKeyKind::Rsa { bits } => bits.div_ceil(8),
        PublicKeyKind::EcP256 => 72,
        PublicKeyKind::EcP384 => 104,
        PublicKeyKind::Ed25519 => 64,
        // Verification-only kinds (kyso does not sign with them): their longest signatures.
        PublicKeyKind::EcBrainpoolP256r1 => 72,
        PublicKeyKind::EcBrainpoolP384r1 => 104,
        PublicKeyKind::EcBrainpoolP512r1 => 137,
        PublicKeyKind::EcP521 => 141,
        PublicKeyKind::Ed448 => 114,
        PublicKeyKind::Dsa { .. } => 72,
    }
}

/// The refusal for a certificate key kyso can verify but not sign with.
pub(crate) fn cannot_sign_with(kind: PublicKeyKind) -> SignerError {
    SignerError::Key(KeyError::UnsupportedAlgorithm {
        algorithm: format!("{kind} (kyso signs with RSA, EC P-256, EC P-384 and Ed25519 keys)"),
    })
}

/// An ECDSA signature given as raw `r ‖ s` (PKCS#11, many HSM and cloud APIs) as the DER
/// `ECDSA-Sig-Value` CMS carries; `None` if the algorithm is not ECDSA or the length is not
/// twice the curve's scalar size.
pub fn ecdsa_raw_to_der(algorithm: SignatureAlgorithm, raw: &[u8]) -> Option<Vec<u8>> {
    let scalar = match algorithm {
        SignatureAlgorithm::EcdsaP256Sha256 => 32,
        SignatureAlgorithm::EcdsaP384Sha384 => 48,
        _ => return None,
    };
    if raw.len() != 2 * scalar {
        return None;
    }
    let (r, s) = raw.split_at(scalar);
    let integer = |v: &[u8]| -> Option<Vec<u8>> {
        let first = v
            .iter()
            .position(|b| *b != 0)
            .unwrap_or(v.len().saturating_sub(1));
        let trimmed = v.get(first..)?;
        let mut content = Vec::with_capacity(trimmed.len() + 1);
        if trimmed.first().is_some_and(|b| b & 0x80 != 0) {
            content.push(0);
        }
        content.extend_from_slice(trimmed);
        der::integer_from_content(&content).ok()
    };
    let der = der::sequence(&[&integer(r)?, &integer(s)?]).ok()?;
    // Sanity: what was built reads back as one SEQUENCE.
    let mut reader = Reader::new(&der, 0);
    let element = reader.read("ECDSA-Sig-Value").ok()?;
    (reader.is_empty() && element.is_universal(Tag::Sequence)).then_some(der)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_ecdsa_becomes_der() {
        let mut raw = vec![0u8; 64];
        raw[0] = 0x80; // r needs a sign octet
        raw[63] = 0x05; // s = 5
        let der = ecdsa_raw_to_der(SignatureAlgorithm::EcdsaP256Sha256, &raw).unwrap();
        assert_eq!(der[0], 0x30);
        assert_eq!(&der[2..5], &[0x02, 33, 0x00]);
        assert!(der.ends_with(&[0x02, 0x01, 0x05]));
        assert!(ecdsa_raw_to_der(SignatureAlgorithm::EcdsaP256Sha256, &raw[..63]).is_none());
        assert!(ecdsa_raw_to_der(SignatureAlgorithm::RsaPkcs1Sha256, &raw).is_none());
        let zero = vec![0u8; 96];
        let der = ecdsa_raw_to_der(SignatureAlgorithm::EcdsaP384Sha384, &zero).unwrap();
        assert_eq!(der, vec![0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00]);
    }

    #[test]
    fn sizes() {
        assert_eq!(max_signature_len(PublicKeyKind::Rsa { bits: 2048 }), 256);
        assert_eq!(max_signature_len(PublicKeyKind::Rsa { bits: 2049 }), 257);
    }
}
