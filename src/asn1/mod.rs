//! ASN.1 at the bottom of the crate: a BER reader that keeps every element's original bytes
//! and position, DER writing helpers over `asn1-rs`, the object identifiers kyso knows, and
//! the error both report; the text forms of binary values, `hex` and `pem` (RFC 7468).
//! Everything above it that reads or writes ASN.1 — CMS, keys, certificates' extensions,
//! CRLs, OCSP, timestamps, PKCS#12 — goes through here. It imports nothing of kyso's.

pub(crate) mod der;
mod error;
pub mod hex;
pub(crate) mod name;
pub mod oid;
pub mod pem;

pub use error::DerError;
