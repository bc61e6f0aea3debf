//! Cryptography on ring: digest and signature algorithms, digests, signature verification and
//! private key loading.
//!
//! Everything ring cannot check is reported as unsupported, never as valid (design decision 4).

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
