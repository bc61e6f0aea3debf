//! A signer holding its private key in memory.

use std::path::Path;

use ring::rand::SystemRandom;
use ring::signature::RsaEncoding;

use super::{Signer, SignerError};
use crate::crypto::{
    load_certificates, KeyError, KeyFamily, PrivateKey, PublicKeyKind, SignatureAlgorithm,
    SigningKey,
};

/// A signer with a software key in memory (loaded from PEM/DER files or a PKCS#12 file).
pub struct SoftwareSigner {
    key: SigningKey,
    kind: PublicKeyKind,
    pss_only: bool,
    certificate: Vec<u8>,
    chain: Vec<Vec<u8>>,
    algorithm: SignatureAlgorithm,
    rng: SystemRandom,
}

impl std::fmt::Debug for SoftwareSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoftwareSigner")
            .field("kind", &self.kind)
            .field("algorithm", &self.algorithm)
            .field("chain_len", &self.chain.len())
            .finish_non_exhaustive()
    }
}

impl SoftwareSigner {
    /// A signer from a key, its certificate (DER) and the chain (DER, nearest first).
    ///
    /// Fails if the key does not match the certificate. The algorithm defaults by key type:
    /// RSA → PKCS#1 v1.5 with SHA-256 (RSASSA-PSS for PSS-only keys), P-256 → ECDSA SHA-256,
    /// P-384 → ECDSA SHA-384, Ed25519 → Ed25519.
    pub fn new(
        key: PrivateKey,
        certificate: Vec<u8>,
        chain: Vec<Vec<u8>>,
    ) -> Result<Self, SignerError> {
        let kind = key.kind();
        let pss_only = key.is_pss_only();
        let algorithm = match kind {
            PublicKeyKind::Rsa { .. } if pss_only => SignatureAlgorithm::RsaPssSha256,
            PublicKeyKind::Rsa { .. } => SignatureAlgorithm::RsaPkcs1Sha256,
            PublicKeyKind::EcP256 => SignatureAlgorithm::EcdsaP256Sha256,
            PublicKeyKind::EcP384 => SignatureAlgorithm::EcdsaP384Sha384,
            PublicKeyKind::Ed25519 => SignatureAlgorithm::Ed25519,
            other => return Err(super::identity::cannot_sign_with(other)),
        };
        let key = key.into_signing_key(&certificate)?;
        Ok(SoftwareSigner {
            key,
            kind,
            pss_only,
            certificate,
            chain,
            algorithm,
            rng: SystemRandom::new(),
        })
    }

    /// Loads the key and certificates from PEM (or DER) files.
    ///
    /// `cert` holds the signer's certificate first; further certificates in it are taken as
    /// the chain, followed by those of `chain`.
    pub fn from_pem_files(
        key: &Path,
        cert: &Path,
        chain: Option<&Path>,
    ) -> Result<Self, SignerError> {
        let read = |path: &Path| {
            std::fs::read(path).map_err(|source| SignerError::Io {
                path: path.to_path_buf(),
                source,
            })
        };
        let private_key = PrivateKey::from_pem_or_der(&read(key)?)?;
        let mut certs = load_certificates(&read(cert)?)?.into_iter();
        let certificate = certs.next().ok_or(KeyError::NoCertificate)?;
        let mut all_chain: Vec<Vec<u8>> = certs.collect();
        if let Some(chain) = chain {
            all_chain.extend(load_certificates(&read(chain)?)?);
        }
        Self::new(private_key, certificate, all_chain)
    }

    /// Opens a PKCS#12 (`.p12`, `.pfx`) file's bytes with `password`: the key, its
    /// certificate and the other certificates as the chain. The file must hold one key; see
    /// [`SoftwareSigner::from_pkcs12_with`] to choose among several, add to the chain or
    /// change the limits, and [`super::Pkcs12Identity::from_der_with`] for the file's
    /// warnings.
    pub fn from_pkcs12(der: &[u8], password: &str) -> Result<Self, SignerError> {
        Self::from_pkcs12_with(der, password, &super::Pkcs12Options::default())
    }

    /// Opens a PKCS#12 file's bytes with `opts`: the key that matches `opts.certificate`
    /// (refused when none does), the file's chain plus `opts.extra_chain`.
    pub fn from_pkcs12_with(
        der: &[u8],
        password: &str,
        opts: &super::Pkcs12Options,
    ) -> Result<Self, SignerError> {
        let identity = super::Pkcs12Identity::from_der_with(der, password, opts)?;
        Self::from_pkcs12_identity(identity)
    }

    /// A signer from an opened PKCS#12 file.
    pub fn from_pkcs12_identity(identity: super::Pkcs12Identity) -> Result<Self, SignerError> {
        Self::new(identity.key, identity.certificate, identity.chain)
    }

    /// Reads and opens a PKCS#12 file (see [`SoftwareSigner::from_pkcs12`]).
    pub fn from_pkcs12_file(path: &Path, password: &str) -> Result<Self, SignerError> {
        let der = std::fs::read(path).map_err(|source| SignerError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_pkcs12(&der, password)
    }

    /// Chooses another signature algorithm; refuses one that does not fit the key.
    pub fn set_algorithm(&mut self, algorithm: SignatureAlgorithm) -> Result<(), SignerError> {
        let family_fits = matches!(
            (algorithm.key_family(), self.kind),
            (KeyFamily::Rsa, PublicKeyKind::Rsa { .. })
                | (KeyFamily::EcP256, PublicKeyKind::EcP256)
                | (KeyFamily::EcP384, PublicKeyKind::EcP384)
                | (KeyFamily::Ed25519, PublicKeyKind::Ed25519)
        );
        let pss_fits = !self.pss_only || algorithm == SignatureAlgorithm::RsaPssSha256;
        if family_fits && pss_fits {
            self.algorithm = algorithm;
            Ok(())
        } else {
            Err(SignerError::IncompatibleAlgorithm {
                algorithm,
                key: self.kind,
            })
        }
    }

    /// The key's kind and size.
    pub fn key_kind(&self) -> PublicKeyKind {
        self.kind
    }
}

impl Signer for SoftwareSigner {
    fn certificate(&self) -> &[u8] {
        &self.certificate
    }

    fn chain(&self) -> &[Vec<u8>] {
        &self.chain
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    fn max_signature_len(&self) -> usize {
        match &self.key {
            SigningKey::Rsa(pair) => pair.public().modulus_len(),
            // SEQUENCE { INTEGER r, INTEGER s } with a sign octet each: 2 + 2 × (2 + n + 1).
            SigningKey::Ecdsa(_) if self.kind == PublicKeyKind::EcP384 => 104,
            SigningKey::Ecdsa(_) => 72,
            SigningKey::Ed25519(_) => 64,
        }
    }

    fn sign(&self, bytes_to_sign: &[u8]) -> Result<Vec<u8>, SignerError> {
        match &self.key {
            SigningKey::Rsa(pair) => {
                let padding: &'static dyn RsaEncoding = match self.algorithm {
                    SignatureAlgorithm::RsaPkcs1Sha256 => &ring::signature::RSA_PKCS1_SHA256,
                    SignatureAlgorithm::RsaPkcs1Sha384 => &ring::signature::RSA_PKCS1_SHA384,
                    SignatureAlgorithm::RsaPkcs1Sha512 => &ring::signature::RSA_PKCS1_SHA512,
                    SignatureAlgorithm::RsaPssSha256 => &ring::signature::RSA_PSS_SHA256,
                    _ => {
                        return Err(SignerError::SigningFailed {
                            reason: "algorithm does not fit the RSA key",
                        })
                    }
                };
                let mut signature = vec![0u8; pair.public().modulus_len()];
                pair.sign(padding, &self.rng, bytes_to_sign, &mut signature)
                    .map_err(|_| SignerError::SigningFailed {
                        reason: "RSA signing failed",
                    })?;
                Ok(signature)
            }
            SigningKey::Ecdsa(pair) => pair
                .sign(&self.rng, bytes_to_sign)
                .map(|sig| sig.as_ref().to_vec())
                .map_err(|_| SignerError::SigningFailed {
                    reason: "ECDSA signing failed",
                }),
            SigningKey::Ed25519(pair) => Ok(pair.sign(bytes_to_sign).as_ref().to_vec()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_signer_traits<T: Send + Sync>() {}

    #[test]
    fn signer_is_object_safe_and_thread_safe() {
        assert_signer_traits::<SoftwareSigner>();
        fn takes(_: &dyn Signer) {}
        let _ = takes;
    }
}
