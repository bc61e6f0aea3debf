//! Cryptography: digest and signature algorithms, digests, signature verification and private
//! key loading.
//!
//! ring does what it has (the hot path); SHA-224, SHA-3 and SHAKE256 come from RustCrypto hash
//! crates, and the signatures ring cannot check from RustCrypto verifiers (feature
//! `extra-algorithms`). Anything neither can check is reported as unsupported, never as valid
//! (design decision 4).

mod algorithm;
mod digest;
mod extra;
mod keys;
mod verify;

pub use algorithm::{
    AlgorithmIdentifier, DigestAlgorithm, KeyFamily, PssParamsError, RsaPssParams,
    SignatureAlgorithm,
};
pub use digest::{digest, Hasher};
pub(crate) use keys::SigningKey;
pub use keys::{load_certificates, KeyError, PrivateKey};
pub use verify::{
    inherit_dsa_parameters, needs_inherited_parameters, public_key_kind,
    verify_certificate_signature, verify_signature, verify_signed_der, PublicKeyKind,
    SignatureCheckError, SignatureScheme, VerifiedWith,
};
