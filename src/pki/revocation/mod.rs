//! Revocation: CRLs (RFC 5280 §5, §6.3) and OCSP responses (RFC 6960), where they come from,
//! and what they say about one certificate of a path.
//!
//! [`RevocationData`] holds the CRLs and OCSP responses a validation may use, each tagged with
//! its [`Origin`] (the CMS, a signed attribute, the document's `/DSS`, the caller, or a
//! network fetch). The checks themselves run inside path validation
//! ([`crate::pki::PathValidator`]), because a CRL or OCSP signer needs its own validated path
//! to the same trust anchor.

mod crl;
mod crl_check;
mod ocsp;
mod ocsp_check;
mod sources;

use serde::{Deserialize, Serialize};

pub use crl::{Crl, CrlEntry, CrlError, IssuingDistributionPoint, ALL_REASONS, MAX_CRL_BYTES};
pub use ocsp::{
    build_request, CertId, OcspError, OcspResponse, OcspStatus, ResponderId, SingleResponse,
    MAX_OCSP_BYTES,
};

pub use sources::{add_other_revocation_info, add_revocation_info_archival};

pub(crate) use crl_check::CrlVerdict;
pub(crate) use ocsp_check::{OcspVerdict, OCSP_UNKNOWN};

/// Where a piece of revocation data came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Origin {
    /// The CMS SignedData `crls` field.
    Cms,
    /// The signed attribute adbe-revocationInfoArchival.
    SignedAttribute,
    /// The document's `/DSS` dictionary.
    Dss,
    /// Given by the caller (`--crl`, `--ocsp`).
    Caller,
    /// Fetched over the network.
    Fetched,
}

impl Origin {
    /// The spelling used in the report.
    pub fn as_str(&self) -> &'static str {
        match self {
            Origin::Cms => "cms",
            Origin::SignedAttribute => "signed_attribute",
            Origin::Dss => "dss",
            Origin::Caller => "caller",
            Origin::Fetched => "fetched",
        }
    }
}

pub(crate) use crate::report::RevocationReason;

/// The CRLs and OCSP responses available to a validation.
#[derive(Debug, Clone, Default)]
pub struct RevocationData {
    crls: Vec<(Crl, Origin)>,
    ocsp: Vec<(OcspResponse, Origin)>,
}

/// Most CRLs and OCSP responses one [`RevocationData`] holds.
pub const MAX_REVOCATION_ITEMS: usize = 1024;

impl RevocationData {
    /// Nothing.
    pub fn new() -> Self {
        RevocationData::default()
    }

    /// Adds a CRL (a copy already present is not added twice).
    pub fn add_crl(&mut self, crl: Crl, origin: Origin) {
        if self.len() < MAX_REVOCATION_ITEMS && !self.crls.iter().any(|(c, _)| *c == crl) {
            self.crls.push((crl, origin));
        }
    }

    /// Parses and adds a DER CRL.
    pub fn add_crl_der(&mut self, der: &[u8], origin: Origin) -> Result<(), CrlError> {
        self.add_crl(Crl::from_der(der)?, origin);
        Ok(())
    }

    /// Adds an OCSP response.
    pub fn add_ocsp(&mut self, response: OcspResponse, origin: Origin) {
        if self.len() < MAX_REVOCATION_ITEMS
            && !self.ocsp.iter().any(|(r, _)| r.der() == response.der())
        {
            self.ocsp.push((response, origin));
        }
    }

    /// Parses and adds a DER OCSPResponse.
    pub fn add_ocsp_der(&mut self, der: &[u8], origin: Origin) -> Result<(), OcspError> {
        self.add_ocsp(OcspResponse::from_der(der)?, origin);
        Ok(())
    }

    /// Adds everything `other` holds.
    pub fn extend(&mut self, other: &RevocationData) {
        for (c, o) in &other.crls {
            self.add_crl(c.clone(), *o);
        }
        for (r, o) in &other.ocsp {
            self.add_ocsp(r.clone(), *o);
        }
    }

    /// The CRLs.
    pub fn crls(&self) -> &[(Crl, Origin)] {
        &self.crls
    }

    /// The OCSP responses.
    pub fn ocsp_responses(&self) -> &[(OcspResponse, Origin)] {
        &self.ocsp
    }

    /// How many items.
    pub fn len(&self) -> usize {
        self.crls.len().saturating_add(self.ocsp.len())
    }

    /// True when there is nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
