//! Signers: whatever holds the private key and produces signature values.
//!
//! [`Signer`] is object-safe and `Send + Sync`; software keys ([`SoftwareSigner`]), PKCS#11
//! tokens and remote services implement it.

mod identity;
mod pbe;
#[cfg(feature = "pkcs11")]
pub mod pkcs11;
pub(crate) mod pkcs12;
mod software;

use std::path::PathBuf;

use crate::crypto::{KeyError, PublicKeyKind, SignatureAlgorithm};

pub use identity::{ecdsa_raw_to_der, SignerIdentity};
pub use pkcs12::{Pkcs12Budget, Pkcs12Error, Pkcs12Identity, Pkcs12Options, Pkcs12Warning};
pub use software::SoftwareSigner;

/// Produces signatures with one certified key.
pub trait Signer: Send + Sync {
    /// The signer's certificate (DER).
    fn certificate(&self) -> &[u8];
    /// The intermediate certificates (and optionally the root), DER, nearest first.
    fn chain(&self) -> &[Vec<u8>];
    /// The signature algorithm [`Signer::sign`] uses.
    fn algorithm(&self) -> SignatureAlgorithm;
    /// An upper bound of the length of [`Signer::sign`]'s output.
    fn max_signature_len(&self) -> usize;
    /// Signs `bytes_to_sign` (the message itself, not a digest: the signer hashes it).
    fn sign(&self, bytes_to_sign: &[u8]) -> Result<Vec<u8>, SignerError>;
}

/// Why a signer could not be set up or could not sign.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignerError {
    /// Loading the key or certificates failed, or the key does not match the certificate.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// A PKCS#12 file could not be opened.
    #[error("PKCS#12: {0}")]
    Pkcs12(#[from] Pkcs12Error),
    /// A PKCS#11 token could not be used.
    #[cfg(feature = "pkcs11")]
    #[error("PKCS#11: {0}")]
    Pkcs11(#[source] pkcs11::Pkcs11Error),
    /// The requested algorithm cannot be used with the key.
    #[error("{algorithm} cannot be used with a {key} key")]
    IncompatibleAlgorithm {
        /// The algorithm asked for.
        algorithm: SignatureAlgorithm,
        /// The key.
        key: PublicKeyKind,
    },
    /// The cryptographic library failed to sign.
    #[error("signing failed: {reason}")]
    SigningFailed {
        /// What failed.
        reason: &'static str,
    },
    /// A signature does not verify with the signer's certificate (a signature from another
    /// key, or over other bytes).
    #[error("the signature does not verify with the signer's certificate")]
    SignatureMismatch,
    /// A key or certificate file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}
