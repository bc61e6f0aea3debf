//! Adobe's adbe-revocationInfoArchival signed attribute (OID 1.2.840.113583.1.1.8): the
//! revocation data of the signer's path, signed with the signature, for
//! `adbe.pkcs7.detached` signatures and the verifiers that read it (`ltv` gathers it).
//!
//! ```text
//! RevocationInfoArchival ::= SEQUENCE {
//!     crl [0] EXPLICIT SEQUENCE of CRLs OPTIONAL,
//!     ocsp [1] EXPLICIT SEQUENCE of OCSP Responses OPTIONAL,
//!     otherRevInfo [2] EXPLICIT SEQUENCE of OtherRevInfo OPTIONAL }
//! ```

use super::build::encode_attribute;
use super::error::CmsError;
use crate::asn1::{der, oid};

/// The revocation data to sign into an adbe-revocationInfoArchival attribute.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RevocationInfoArchival {
    /// DER CertificateLists.
    pub crls: Vec<Vec<u8>>,
    /// DER OCSPResponses.
    pub ocsp: Vec<Vec<u8>>,
}

impl RevocationInfoArchival {
    /// The DER `Attribute` (type and a single value) for the signed attributes.
    pub fn attribute_der(&self) -> Result<Vec<u8>, CmsError> {
        let mut fields: Vec<Vec<u8>> = Vec::new();
        if !self.crls.is_empty() {
            let list: Vec<&[u8]> = self.crls.iter().map(Vec::as_slice).collect();
            fields.push(der::explicit(0, &der::sequence(&list)?)?);
        }
        if !self.ocsp.is_empty() {
            let list: Vec<&[u8]> = self.ocsp.iter().map(Vec::as_slice).collect();
            fields.push(der::explicit(1, &der::sequence(&list)?)?);
        }
        let parts: Vec<&[u8]> = fields.iter().map(Vec::as_slice).collect();
        let value = der::sequence(&parts)?;
        encode_attribute(&oid::ADBE_REVOCATION_INFO_ARCHIVAL, &[&value])
    }

    /// True when it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.crls.is_empty() && self.ocsp.is_empty()
    }
}
