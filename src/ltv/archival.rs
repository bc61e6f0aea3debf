//! Adobe's adbe-revocationInfoArchival signed attribute (OID 1.2.840.113583.1.1.8): the
//! revocation data of the signer's path gathered before signing and signed with the
//! signature, for `adbe.pkcs7.detached` signatures and the verifiers that read it.
//!
//! ```text
//! RevocationInfoArchival ::= SEQUENCE {
//!     crl [0] EXPLICIT SEQUENCE of CRLs OPTIONAL,
//!     ocsp [1] EXPLICIT SEQUENCE of OCSP Responses OPTIONAL,
//!     otherRevInfo [2] EXPLICIT SEQUENCE of OtherRevInfo OPTIONAL }
//! ```

use crate::cms::{der, encode_attribute, oid};
use crate::pki::Certificate;
use crate::Error;

use super::gather::{Found, Gatherer};
use super::LtvOptions;

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
    pub fn attribute_der(&self) -> Result<Vec<u8>, Error> {
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
        Ok(encode_attribute(
            &oid::ADBE_REVOCATION_INFO_ARCHIVAL,
            &[&value],
        )?)
    }

    /// True when it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.crls.is_empty() && self.ocsp.is_empty()
    }
}

/// Gathers the revocation data of `signer`'s path (through `chain` and `opts`'s
/// certificates to `opts`'s anchors; OCSP preferred, CRL otherwise; fetched when `opts` has
/// a fetcher) for an adbe-revocationInfoArchival attribute. Returns the data and what could
/// not be found, one line per certificate.
pub fn revocation_info_for_signer(
    signer: &Certificate,
    chain: &[Certificate],
    opts: &LtvOptions,
) -> (RevocationInfoArchival, Vec<String>) {
    let metered = opts.metered_fetcher();
    let gatherer = Gatherer {
        trust: &opts.trust,
        fetcher: metered.as_ref().map(|f| f as &dyn crate::pki::Fetcher),
        fetch_scope: opts.fetch_scope,
        now: opts.time.unwrap_or_else(time::OffsetDateTime::now_utc),
    };
    let mut pool = opts.certificates.clone();
    pool.extend(chain.iter().cloned());
    let mut data = opts.revocation.clone();
    let found: Found = gatherer.gather(signer, &mut pool, &mut data);
    let archival = RevocationInfoArchival {
        crls: found.crls.iter().map(|c| c.der().to_vec()).collect(),
        ocsp: found.ocsp.iter().map(|r| r.der().to_vec()).collect(),
    };
    (archival, found.missing)
}
