//! Why a certificate was revoked: the CRLReason vocabulary (RFC 5280 §5.3.1) that CRLs and
//! OCSP responses carry and the report states.

use serde::{Deserialize, Serialize};

/// CRLReason (RFC 5280 §5.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RevocationReason {
    /// unspecified (0).
    Unspecified,
    /// keyCompromise (1).
    KeyCompromise,
    /// cACompromise (2).
    CaCompromise,
    /// affiliationChanged (3).
    AffiliationChanged,
    /// superseded (4).
    Superseded,
    /// cessationOfOperation (5).
    CessationOfOperation,
    /// certificateHold (6).
    CertificateHold,
    /// removeFromCRL (8), only in delta CRLs.
    RemoveFromCrl,
    /// privilegeWithdrawn (9).
    PrivilegeWithdrawn,
    /// aACompromise (10).
    AaCompromise,
    /// A value RFC 5280 does not define.
    Other(u8),
}

impl RevocationReason {
    /// From the ENUMERATED value.
    pub fn from_code(code: u8) -> Self {
        match code {
            0 => Self::Unspecified,
            1 => Self::KeyCompromise,
            2 => Self::CaCompromise,
            3 => Self::AffiliationChanged,
            4 => Self::Superseded,
            5 => Self::CessationOfOperation,
            6 => Self::CertificateHold,
            8 => Self::RemoveFromCrl,
            9 => Self::PrivilegeWithdrawn,
            10 => Self::AaCompromise,
            other => Self::Other(other),
        }
    }

    /// A human name.
    pub fn describe(&self) -> String {
        match self {
            Self::Unspecified => "unspecified".into(),
            Self::KeyCompromise => "key compromise".into(),
            Self::CaCompromise => "CA compromise".into(),
            Self::AffiliationChanged => "affiliation changed".into(),
            Self::Superseded => "superseded".into(),
            Self::CessationOfOperation => "cessation of operation".into(),
            Self::CertificateHold => "certificate hold".into(),
            Self::RemoveFromCrl => "remove from CRL".into(),
            Self::PrivilegeWithdrawn => "privilege withdrawn".into(),
            Self::AaCompromise => "AA compromise".into(),
            Self::Other(n) => format!("reason code {n}"),
        }
    }
}
