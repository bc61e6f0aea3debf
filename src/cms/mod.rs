//! CMS (RFC 5652) SignedData: tolerant parsing (BER) that keeps the original bytes, integrity
//! checks of a SignerInfo, and strict (DER) building.
//!
//! ASN.1 is handled with `asn1-rs` (the library under x509-parser) for both directions: its
//! BER reader accepts indefinite lengths with a nesting limit, its DER encoders write every
//! tag and length, and sharing it with x509-parser keeps one ASN.1 stack in the tree.
//!
//! ```text
//! verify: parse_signed_data ──> for each SignerInfo: check_signer ──> SignerCheck
//! sign:   build_signed_attributes ──> Signer::sign(those bytes) ──> build_signed_data
//! files:  dossier::build_cades_detached (.p7s, CAdES B-B) ──> [encapsulate_content (.p7m)]
//! ```

mod archival;
mod attributes;
mod build;
mod check;
mod enveloping;
mod error;
mod parse;

pub use archival::RevocationInfoArchival;
pub use attributes::{
    find_attribute, EssCertId, IssuerSerial, SigningCertificate, SigningCertificateVersion,
};
pub use build::{
    build_signed_attributes, build_signed_data, encode_attribute, max_signed_data_len,
    SignedAttributesSpec, SignedDataSpec, SizeEstimate,
};
pub use check::{check_signer, CheckOutcome, SignerCheck};
pub use enveloping::encapsulate_content;
pub use error::CmsError;
pub use parse::{
    parse_signed_data, Attribute, SignedAttributes, SignedData, SignerIdentifier, SignerInfo,
    Trailing, MAX_ATTRIBUTES, MAX_ATTRIBUTE_VALUES, MAX_CERTIFICATES, MAX_CRLS,
    MAX_DIGEST_ALGORITHMS, MAX_SIGNER_INFOS,
};
