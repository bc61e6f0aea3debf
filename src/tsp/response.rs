//! `TimeStampResp` (RFC 3161 §2.4.2): the status and, when granted, the token.
//!
//! ```text
//! TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken TimeStampToken OPTIONAL }
//! PKIStatusInfo ::= SEQUENCE {
//!     status       PKIStatus,                   -- INTEGER
//!     statusString PKIFreeText OPTIONAL,        -- SEQUENCE OF UTF8String
//!     failInfo     PKIFailureInfo OPTIONAL }    -- BIT STRING
//! ```

use asn1_rs::Tag;

use super::error::TspError;
use crate::asn1::der::Reader;

/// Most statusString entries read.
const MAX_STATUS_TEXTS: usize = 16;

/// `PKIStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PkiStatus {
    /// granted (0): a token follows.
    Granted,
    /// grantedWithMods (1): a token follows; the authority changed something.
    GrantedWithMods,
    /// rejection (2).
    Rejection,
    /// waiting (3): not supported by RFC 3161 clients (no polling).
    Waiting,
    /// revocationWarning (4).
    RevocationWarning,
    /// revocationNotification (5).
    RevocationNotification,
    /// Any other value.
    Other(u32),
}

impl PkiStatus {
    fn from_value(v: u32) -> Self {
        match v {
            0 => Self::Granted,
            1 => Self::GrantedWithMods,
            2 => Self::Rejection,
            3 => Self::Waiting,
            4 => Self::RevocationWarning,
            5 => Self::RevocationNotification,
            other => Self::Other(other),
        }
    }

    /// Whether a token comes with this status.
    pub fn is_granted(self) -> bool {
        matches!(self, Self::Granted | Self::GrantedWithMods)
    }
}

impl std::fmt::Display for PkiStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Granted => f.write_str("granted"),
            Self::GrantedWithMods => f.write_str("grantedWithMods"),
            Self::Rejection => f.write_str("rejection"),
            Self::Waiting => f.write_str("waiting"),
            Self::RevocationWarning => f.write_str("revocationWarning"),
            Self::RevocationNotification => f.write_str("revocationNotification"),
            Self::Other(v) => write!(f, "{v}"),
        }
    }
}

/// A `PKIFailureInfo` bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub enum FailureInfo {
    /// badAlg (0): unrecognized or unsupported algorithm.
    BadAlg,
    /// badRequest (2): transaction not permitted or supported.
    BadRequest,
    /// badDataFormat (5): the data submitted has the wrong format.
    BadDataFormat,
    /// timeNotAvailable (14): the TSA's time source is not available.
    TimeNotAvailable,
    /// unacceptedPolicy (15): the requested policy is not supported.
    UnacceptedPolicy,
    /// unacceptedExtension (16): the requested extension is not supported.
    UnacceptedExtension,
    /// addInfoNotAvailable (17): the additional information requested is not available.
    AddInfoNotAvailable,
    /// systemFailure (25): the request cannot be handled due to a system failure.
    SystemFailure,
    /// Another bit.
    Other(u32),
}

impl FailureInfo {
    fn from_bit(bit: u32) -> Self {
        match bit {
            0 => Self::BadAlg,
            2 => Self::BadRequest,
            5 => Self::BadDataFormat,
            14 => Self::TimeNotAvailable,
            15 => Self::UnacceptedPolicy,
            16 => Self::UnacceptedExtension,
            17 => Self::AddInfoNotAvailable,
            25 => Self::SystemFailure,
            other => Self::Other(other),
        }
    }

    /// The RFC's name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::BadAlg => "badAlg",
            Self::BadRequest => "badRequest",
            Self::BadDataFormat => "badDataFormat",
            Self::TimeNotAvailable => "timeNotAvailable",
            Self::UnacceptedPolicy => "unacceptedPolicy",
            Self::UnacceptedExtension => "unacceptedExtension",
            Self::AddInfoNotAvailable => "addInfoNotAvailable",
            Self::SystemFailure => "systemFailure",
            Self::Other(_) => "other failure",
        }
    }
}

/// A decoded `TimeStampResp`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TimestampResponse<'a> {
    /// The status.
    pub status: PkiStatus,
    /// The statusString texts.
    pub status_text: Vec<String>,
    /// The failInfo bits set.
    pub failure_info: Vec<FailureInfo>,
    /// The token (a CMS ContentInfo), as encoded.
    pub token: Option<&'a [u8]>,
}

impl<'a> TimestampResponse<'a> {
    /// Decodes a response (BER accepted). Nothing may follow it.
    pub fn parse(input: &'a [u8]) -> Result<Self, TspError> {
        let bad = |detail: &str| TspError::Malformed {
            what: "TimeStampResp",
            detail: detail.to_owned(),
        };
        let mut top = Reader::new(input, 0);
        let resp = top.read("TimeStampResp")?;
        top.finish("TimeStampResp")?;
        resp.expect_universal(Tag::Sequence, "TimeStampResp", "SEQUENCE")?;
        let mut fields = resp.children();
        let info = fields.read("PKIStatusInfo")?;
        info.expect_universal(Tag::Sequence, "PKIStatusInfo", "SEQUENCE")?;
        let token = if fields.is_empty() {
            None
        } else {
            let t = fields.read("timeStampToken")?;
            t.expect_universal(Tag::Sequence, "timeStampToken", "SEQUENCE (ContentInfo)")?;
            Some(t.raw)
        };
        fields.finish("TimeStampResp")?;

        let mut parts = info.children();
        let status = PkiStatus::from_value(parts.read("PKIStatus")?.small_uint("PKIStatus")?);
        let mut status_text = Vec::new();
        let mut failure_info = Vec::new();
        while !parts.is_empty() {
            let part = parts.read("PKIStatusInfo field")?;
            if part.is_universal(Tag::Sequence) && status_text.is_empty() && failure_info.is_empty()
            {
                let mut texts = part.children();
                while !texts.is_empty() {
                    let t = texts.read("PKIFreeText")?;
                    if status_text.len() < MAX_STATUS_TEXTS {
                        status_text.push(String::from_utf8_lossy(t.content).into_owned());
                    }
                }
            } else if part.is_universal(Tag::BitString) && failure_info.is_empty() {
                failure_info = bits(part.content).ok_or_else(|| bad("invalid failInfo"))?;
            } else {
                return Err(part
                    .unexpected("PKIStatusInfo", "statusString or failInfo")
                    .into());
            }
        }
        Ok(TimestampResponse {
            status,
            status_text,
            failure_info,
            token,
        })
    }
}

/// The failure bits set in a BIT STRING's content (first octet: unused bits).
fn bits(content: &[u8]) -> Option<Vec<FailureInfo>> {
    let (unused, bytes) = content.split_first()?;
    if *unused > 7 || (bytes.is_empty() && *unused != 0) {
        return None;
    }
    let mut out = Vec::new();
    for (i, byte) in bytes.iter().enumerate().take(8) {
        for j in 0..8u32 {
            if byte & (0x80 >> j) != 0 {
                let bit = u32::try_from(i).ok()?.checked_mul(8)?.checked_add(j)?;
                out.push(FailureInfo::from_bit(bit));
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejection_with_text_and_failure_bits() {
        // SEQUENCE { SEQUENCE { INTEGER 2, SEQUENCE { UTF8String "no" }, BIT STRING badAlg } }
        let der = [
            0x30, 0x0f, 0x30, 0x0d, 0x02, 0x01, 0x02, 0x30, 0x04, 0x0c, 0x02, b'n', b'o', 0x03,
            0x02, 0x07, 0x80,
        ];
        let r = TimestampResponse::parse(&der).unwrap();
        assert_eq!(r.status, PkiStatus::Rejection);
        assert_eq!(r.status_text, vec!["no".to_string()]);
        assert_eq!(r.failure_info, vec![FailureInfo::BadAlg]);
        assert!(r.token.is_none());
        assert!(!r.status.is_granted());
    }

    #[test]
    fn failure_bit_positions() {
        // systemFailure is bit 25: fourth octet, second bit.
        assert_eq!(
            bits(&[0x06, 0x00, 0x00, 0x00, 0x40]).unwrap(),
            vec![FailureInfo::SystemFailure]
        );
        assert_eq!(
            bits(&[0x00, 0x00, 0x03]).unwrap(),
            vec![FailureInfo::TimeNotAvailable, FailureInfo::UnacceptedPolicy]
        );
        assert!(bits(&[]).is_none());
        assert!(bits(&[0x08, 0x00]).is_none());
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(TimestampResponse::parse(b"<html>").is_err());
        assert!(TimestampResponse::parse(&[0x30, 0x03, 0x30, 0x01, 0x02]).is_err());
        // Trailing bytes after the response.
        assert!(
            TimestampResponse::parse(&[0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x00, 0x00]).is_err()
        );
    }
}
