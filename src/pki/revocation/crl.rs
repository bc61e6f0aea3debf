//! Certificate revocation lists (RFC 5280 §5), parsed once into owned facts.
//!
//! x509-parser reads the structure; kyso keeps what §6.3 needs: issuer, times, CRL number,
//! delta indicator, issuing distribution point, the entries (serial, date, reason, and for
//! indirect CRLs the certificate issuer each entry applies to) and the extensions kyso does
//! not understand. A CRL with an unknown critical extension, or an entry with one, is kept
//! but cannot be used (§5.2, §5.3).

use std::collections::HashMap;
use std::sync::Arc;

use time::OffsetDateTime;
use x509_parser::extensions::{
    DistributionPointName as X509DpName, IssuerAlternativeName, ParsedExtension,
};
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;

use super::super::cert::{format_name, DistributionPoint, DistributionPointName};
use super::super::name::GeneralName;
use super::RevocationReason;
use crate::asn1::der::Reader;
use crate::asn1::name::NormalizedName;
use crate::util::hex;

/// Largest CRL kyso parses.
pub const MAX_CRL_BYTES: usize = 64 << 20;

/// Every reason flag (bits 1 to 8 of ReasonFlags, RFC 5280 §4.2.1.13).
pub const ALL_REASONS: u16 = 0x1FE;

/// Why a CRL could not be read.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum CrlError {
    /// Not a DER CertificateList.
    #[error("not a DER CRL: {0}")]
    Malformed(String),
    /// Bytes follow the CRL.
    #[error("{0} bytes follow the CRL")]
    TrailingData(usize),
    /// Larger than [`MAX_CRL_BYTES`].
    #[error("the CRL is {0} bytes, more than kyso reads")]
    TooLarge(usize),
}

/// The issuing distribution point extension (RFC 5280 §5.2.5).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct IssuingDistributionPoint {
    /// `distributionPoint`.
    pub name: Option<DistributionPointName>,
    /// onlyContainsUserCerts.
    pub only_user: bool,
    /// onlyContainsCACerts.
    pub only_ca: bool,
    /// onlyContainsAttributeCerts.
    pub only_attribute: bool,
    /// onlySomeReasons (reason bits), when present.
    pub only_some_reasons: Option<u16>,
    /// indirectCRL.
    pub indirect: bool,
}

/// One revoked certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CrlEntry {
    /// Serial number (INTEGER content octets).
    pub serial: Vec<u8>,
    /// revocationDate.
    pub revoked_at: OffsetDateTime,
    /// reasonCode, when present.
    pub reason: Option<RevocationReason>,
    /// For indirect CRLs: the certificate issuer this entry applies to (the certificateIssuer
    /// extension of this or an earlier entry); `None` = the CRL issuer.
    pub certificate_issuer: Option<Arc<Vec<GeneralName>>>,
    /// Critical entry extensions kyso does not understand.
    pub unknown_critical: Vec<String>,
}

/// A parsed CRL, cheap to clone.
#[derive(Debug, Clone)]
pub struct Crl {
    inner: Arc<Facts>,
}

#[derive(Debug)]
struct Facts {
    der: Vec<u8>,
    issuer: NormalizedName,
    issuer_text: String,
    aki: Option<Vec<u8>>,
    this_update: OffsetDateTime,
    next_update: Option<OffsetDateTime>,
    number: Option<Vec<u8>>,
    number_critical: bool,
    delta_base: Option<Vec<u8>>,
    idp: Option<IssuingDistributionPoint>,
    freshest: Vec<DistributionPoint>,
    unknown_critical: Vec<String>,
    malformed: Vec<String>,
    entries: Vec<CrlEntry>,
    by_serial: HashMap<Vec<u8>, Vec<usize>>,
}

/// CRL extension OIDs kyso understands.
const OID_AKI: &str = "2.5.29.35";
const OID_CRL_NUMBER: &str = "2.5.29.20";
const OID_DELTA_INDICATOR: &str = "2.5.29.27";
const OID_IDP: &str = "2.5.29.28";
const OID_FRESHEST: &str = "2.5.29.46";
const OID_AIA: &str = "1.3.6.1.5.5.7.1.1";
const OID_ISSUER_ALT_NAME: &str = "2.5.29.18";
/// Entry extensions.
const OID_REASON: &str = "2.5.29.21";
const OID_INVALIDITY_DATE: &str = "2.5.29.24";
const OID_CERTIFICATE_ISSUER: &str = "2.5.29.29";
const OID_HOLD_INSTRUCTION: &str = "2.5.29.23";

impl Crl {
    /// Parses a DER CRL.
    pub fn from_der(der: &[u8]) -> Result<Crl, CrlError> {
        if der.len() > MAX_CRL_BYTES {
            return Err(CrlError::TooLarge(der.len()));
        }
        let (rest, crl) = CertificateRevocationList::from_der(der)
            .map_err(|e| CrlError::Malformed(e.to_string()))?;
        if !rest.is_empty() {
            return Err(CrlError::TrailingData(rest.len()));
        }
        let mut aki = None;
        let mut number = None;
        let mut number_critical = false;
        let mut delta_base = None;
        let mut idp = None;
        let mut freshest = Vec::new();
        let mut unknown_critical = Vec::new();
        let mut malformed = Vec::new();
        for ext in crl.extensions() {
            let oid = ext.oid.to_id_string();
            match (oid.as_str(), ext.parsed_extension()) {
                (_, ParsedExtension::ParseError { error }) => {
                    malformed.push(format!("{oid}: {error}"));
                }
                (OID_AKI, ParsedExtension::AuthorityKeyIdentifier(a)) => {
                    aki = a.key_identifier.as_ref().map(|k| k.0.to_vec());
                }
                (OID_CRL_NUMBER, ParsedExtension::CRLNumber(n)) => {
                    number = Some(n.to_bytes_be());
                    number_critical = ext.critical;
                }
                (OID_DELTA_INDICATOR, _) => match unsigned_integer(ext.value) {
                    Some(n) => delta_base = Some(n),
                    None => malformed.push(format!("{oid}: not an INTEGER")),
                },
                (OID_IDP, ParsedExtension::IssuingDistributionPoint(p)) => {
                    let name = crate::pki::name::read_idp_name(ext.value);
                    let (only_user, only_ca, only_some_reasons, indirect, only_attribute) =
                        crate::pki::name::read_idp_flags(ext.value).unwrap_or((
                            p.only_contains_user_certs,
                            p.only_contains_ca_certs,
                            p.only_some_reasons.as_ref().map(|r| r.flags),
                            p.indirect_crl,
                            p.only_contains_attribute_certs,
                        ));
                    idp = Some(IssuingDistributionPoint {
                        name,
                        only_user,
                        only_ca,
                        only_attribute,
                        only_some_reasons,
                        indirect,
                    });
                }
                (OID_FRESHEST, _) => {
                    match x509_parser::extensions::CRLDistributionPoints::from_der(ext.value) {
                        Ok((_, dps)) => {
                            freshest =
                                dps.points
                                    .iter()
                                    .map(|dp| DistributionPoint {
                                        name: dp.distribution_point.as_ref().map(dp_name),
                                        reasons: dp.reasons.as_ref().map(|r| r.flags),
                                        crl_issuer: dp.crl_issuer.as_ref().map(|n| {
                                            n.iter().map(GeneralName::from_x509).collect()
                                        }),
                                    })
                                    .collect();
                            crate::pki::cert::fix_relative_names(&mut freshest, ext.value);
                        }
                        Err(e) => malformed.push(format!("{oid}: {e}")),
                    }
                }
                (OID_AIA | OID_ISSUER_ALT_NAME, _) => {}
                _ if ext.critical => unknown_critical.push(oid),
                _ => {}
            }
        }

        let mut entries = Vec::new();
        let mut by_serial: HashMap<Vec<u8>, Vec<usize>> = HashMap::new();
        let mut current_issuer: Option<Arc<Vec<GeneralName>>> = None;
        for (i, rc) in crl.iter_revoked_certificates().enumerate() {
            let mut reason = None;
            let mut entry_unknown = Vec::new();
            for ext in rc.extensions() {
                let oid = ext.oid.to_id_string();
                match (oid.as_str(), ext.parsed_extension()) {
                    (OID_REASON, ParsedExtension::ReasonCode(code)) => {
                        reason = Some(RevocationReason::from_code(code.0));
                    }
                    (OID_CERTIFICATE_ISSUER, _) => {
                        match IssuerAlternativeName::from_der(ext.value) {
                            Ok((_, names)) => {
                                current_issuer = Some(Arc::new(
                                    names
                                        .general_names
                                        .iter()
                                        .map(GeneralName::from_x509)
                                        .collect(),
                                ));
                            }
                            Err(_) => entry_unknown.push(format!("{oid} (malformed)")),
                        }
                    }
                    (OID_INVALIDITY_DATE | OID_HOLD_INSTRUCTION, _) => {}
                    (OID_REASON, _) if ext.critical => {
                        entry_unknown.push(format!("{oid} (malformed)"))
                    }
                    _ if ext.critical => entry_unknown.push(oid),
                    _ => {}
                }
            }
            let serial = canonical_serial(rc.raw_serial());
            by_serial.entry(serial.clone()).or_default().push(i);
            entries.push(CrlEntry {
                serial,
                revoked_at: rc.revocation_date.to_datetime(),
                reason,
                certificate_issuer: current_issuer.clone(),
                unknown_critical: entry_unknown,
            });
        }

        Ok(Crl {
            inner: Arc::new(Facts {
                der: der.to_vec(),
                issuer: NormalizedName::from_x509(crl.issuer()),
                issuer_text: format_name(crl.issuer()),
                aki,
                this_update: crl.last_update().to_datetime(),
                next_update: crl.next_update().map(|t| t.to_datetime()),
                number,
                number_critical,
                delta_base,
                idp,
                freshest,
                unknown_critical,
                malformed,
                entries,
                by_serial,
            }),
        })
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.inner.der
    }
    /// The issuer, prepared for comparison.
    pub fn issuer_name(&self) -> &NormalizedName {
        &self.inner.issuer
    }
    /// The issuer as text.
    pub fn issuer(&self) -> &str {
        &self.inner.issuer_text
    }
    /// authorityKeyIdentifier keyIdentifier.
    pub fn aki(&self) -> Option<&[u8]> {
        self.inner.aki.as_deref()
    }
    /// thisUpdate.
    pub fn this_update(&self) -> OffsetDateTime {
        self.inner.this_update
    }
    /// nextUpdate.
    pub fn next_update(&self) -> Option<OffsetDateTime> {
        self.inner.next_update
    }
    /// cRLNumber (unsigned big-endian, no leading zeros).
    pub fn number(&self) -> Option<&[u8]> {
        self.inner.number.as_deref()
    }
    /// True when the cRLNumber extension is marked critical (RFC 5280 §5.2.3 makes it
    /// non-critical; such a CRL is not used).
    pub fn number_is_critical(&self) -> bool {
        self.inner.number_critical
    }
    /// The base CRL number of a delta CRL; `None` for a complete CRL.
    pub fn delta_base(&self) -> Option<&[u8]> {
        self.inner.delta_base.as_deref()
    }
    /// True for a delta CRL.
    pub fn is_delta(&self) -> bool {
        self.inner.delta_base.is_some()
    }
    /// issuingDistributionPoint.
    pub fn issuing_distribution_point(&self) -> Option<&IssuingDistributionPoint> {
        self.inner.idp.as_ref()
    }
    /// freshestCRL (where the delta CRLs for this CRL are).
    pub fn freshest(&self) -> &[DistributionPoint] {
        &self.inner.freshest
    }
    /// Critical CRL extensions kyso does not understand (the CRL cannot be used).
    pub fn unknown_critical_extensions(&self) -> &[String] {
        &self.inner.unknown_critical
    }
    /// Extensions kyso knows but could not decode (the CRL cannot be used).
    pub fn malformed_extensions(&self) -> &[String] {
        &self.inner.malformed
    }
    /// Every entry.
    pub fn entries(&self) -> &[CrlEntry] {
        &self.inner.entries
    }
    /// The entries for one serial number (INTEGER content octets).
    pub fn entries_for(&self, serial: &[u8]) -> impl Iterator<Item = &CrlEntry> {
        let key = canonical_serial(serial);
        self.inner
            .by_serial
            .get(&key)
            .into_iter()
            .flatten()
            .filter_map(|i| self.inner.entries.get(*i))
    }
    /// A short description for messages.
    pub fn describe(&self) -> String {
        format!(
            "{}CRL of \"{}\"{} issued {}",
            if self.is_delta() { "delta " } else { "" },
            self.issuer(),
            self.number()
                .map(|n| format!(" number {}", hex(n)))
                .unwrap_or_default(),
            self.this_update()
        )
    }
}

impl PartialEq for Crl {
    fn eq(&self, other: &Self) -> bool {
        self.inner.der == other.inner.der
    }
}

fn dp_name(n: &X509DpName<'_>) -> DistributionPointName {
    match n {
        X509DpName::FullName(names) => {
            DistributionPointName::Full(names.iter().map(GeneralName::from_x509).collect())
        }
        X509DpName::NameRelativeToCRLIssuer(rdn) => {
            DistributionPointName::RelativeToIssuer(NormalizedName::from_rdn(rdn))
        }
    }
}

/// An INTEGER's value as unsigned big-endian bytes without leading zeros; `None` for other
/// values or negative numbers.
fn unsigned_integer(der: &[u8]) -> Option<Vec<u8>> {
    let mut reader = Reader::new(der, 0);
    let el = reader.read("INTEGER").ok()?;
    reader.finish("INTEGER").ok()?;
    let bytes = el.integer_bytes("INTEGER").ok()?;
    if bytes.first().is_some_and(|b| b & 0x80 != 0) {
        return None;
    }
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    Some(bytes.get(first..).unwrap_or_default().to_vec())
}

/// A serial number's content octets with redundant leading zero octets removed (some
/// producers leave them; the value is the same).
pub(crate) fn canonical_serial(raw: &[u8]) -> Vec<u8> {
    let mut s = raw;
    while let [0, next, ..] = s {
        if next & 0x80 != 0 {
            break;
        }
        s = s.get(1..).unwrap_or_default();
    }
    s.to_vec()
}

/// Compares two unsigned big-endian numbers.
pub(crate) fn cmp_unsigned(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let trim = |x: &[u8]| -> Vec<u8> {
        let first = x.iter().position(|b| *b != 0).unwrap_or(x.len());
        x.get(first..).unwrap_or_default().to_vec()
    };
    let (a, b) = (trim(a), trim(b));
    a.len().cmp(&b.len()).then_with(|| a.cmp(&b))
}

/// Whether `names` (from a distribution point or an entry) contain a directoryName equal to
/// `name`.
pub(crate) fn has_directory_name(names: &[GeneralName], name: &NormalizedName) -> bool {
    names
        .iter()
        .any(|n| matches!(n, GeneralName::Directory(d, _) if d == name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_and_numbers() {
        assert_eq!(canonical_serial(&[0, 0x10]), vec![0x10]);
        assert_eq!(canonical_serial(&[0, 0x80]), vec![0, 0x80]);
        assert_eq!(cmp_unsigned(&[1, 0], &[0xff]), std::cmp::Ordering::Greater);
        assert_eq!(cmp_unsigned(&[0, 5], &[5]), std::cmp::Ordering::Equal);
        assert!(Crl::from_der(b"garbage").is_err());
    }
}
