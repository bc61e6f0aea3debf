//! A certificate parsed once into the owned facts that path validation and the report need.

use std::sync::Arc;

use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::FromDer;
use x509_parser::x509::X509Name;

use crate::report::CertificateInfo;
use crate::util::hex;

/// Why a certificate could not be read.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertError {
    /// The bytes are not a DER X.509 certificate.
    #[error("not a DER X.509 certificate: {0}")]
    Malformed(String),
    /// Bytes follow the certificate.
    #[error("{0} bytes follow the certificate")]
    TrailingData(usize),
}

/// Key usage bits (RFC 5280 §4.2.1.3), as x509-parser numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyUsageBits(pub u16);

impl KeyUsageBits {
    /// digitalSignature.
    pub fn digital_signature(self) -> bool {
        self.0 & 1 != 0
    }
    /// nonRepudiation / contentCommitment.
    pub fn non_repudiation(self) -> bool {
        self.0 & (1 << 1) != 0
    }
    /// keyCertSign.
    pub fn key_cert_sign(self) -> bool {
        self.0 & (1 << 5) != 0
    }
    /// cRLSign.
    pub fn crl_sign(self) -> bool {
        self.0 & (1 << 6) != 0
    }
}

/// The facts of one certificate, owned, cheap to clone.
#[derive(Debug, Clone)]
pub struct Certificate {
    inner: Arc<Facts>,
}

#[derive(Debug)]
struct Facts {
    der: Vec<u8>,
    subject_raw: Vec<u8>,
    issuer_raw: Vec<u8>,
    subject: String,
    issuer: String,
    common_name: Option<String>,
    serial: Vec<u8>,
    spki: Vec<u8>,
    ski: Option<Vec<u8>>,
    aki: Option<Vec<u8>>,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    basic_constraints: Option<(bool, Option<u32>)>,
    key_usage: Option<KeyUsageBits>,
    unknown_critical: Vec<String>,
    self_issued: bool,
}

impl Certificate {
    /// Parses a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, CertError> {
        let (rest, cert) =
            X509Certificate::from_der(der).map_err(|e| CertError::Malformed(e.to_string()))?;
        if !rest.is_empty() {
            return Err(CertError::TrailingData(rest.len()));
        }
        let der = der.to_vec();

        let mut ski = None;
        let mut aki = None;
        let mut basic_constraints = None;
        let mut key_usage = None;
        let mut unknown_critical = Vec::new();
        for ext in cert.extensions() {
            match ext.parsed_extension() {
                ParsedExtension::SubjectKeyIdentifier(k) => ski = Some(k.0.to_vec()),
                ParsedExtension::AuthorityKeyIdentifier(a) => {
                    aki = a.key_identifier.as_ref().map(|k| k.0.to_vec())
                }
                ParsedExtension::BasicConstraints(bc) => {
                    basic_constraints = Some((bc.ca, bc.path_len_constraint))
                }
                ParsedExtension::KeyUsage(ku) => key_usage = Some(KeyUsageBits(ku.flags)),
                ParsedExtension::UnsupportedExtension { oid } if ext.critical => {
                    unknown_critical.push(oid.to_id_string())
                }
                ParsedExtension::ParseError { .. } if ext.critical => {
                    unknown_critical.push(ext.oid.to_id_string())
                }
                _ => {}
            }
        }
        let subject_raw = cert.subject().as_raw().to_vec();
        let issuer_raw = cert.issuer().as_raw().to_vec();
        let self_issued = subject_raw == issuer_raw;
        Ok(Certificate {
            inner: Arc::new(Facts {
                subject: format_name(cert.subject()),
                issuer: format_name(cert.issuer()),
                common_name: common_name(cert.subject()),
                subject_raw,
                issuer_raw,
                serial: cert.raw_serial().to_vec(),
                spki: cert.public_key().raw.to_vec(),
                ski,
                aki,
                not_before: cert.validity().not_before.to_datetime(),
                not_after: cert.validity().not_after.to_datetime(),
                basic_constraints,
                key_usage,
                unknown_critical,
                self_issued,
                der,
            }),
        })
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.inner.der
    }
    /// The subject name's DER encoding.
    pub fn subject_raw(&self) -> &[u8] {
        &self.inner.subject_raw
    }
    /// The issuer name's DER encoding.
    pub fn issuer_raw(&self) -> &[u8] {
        &self.inner.issuer_raw
    }
    /// Subject as text (RFC 4514 order).
    pub fn subject(&self) -> &str {
        &self.inner.subject
    }
    /// Issuer as text.
    pub fn issuer(&self) -> &str {
        &self.inner.issuer
    }
    /// Serial number bytes (DER INTEGER content).
    pub fn serial(&self) -> &[u8] {
        &self.inner.serial
    }
    /// SubjectPublicKeyInfo DER.
    pub fn spki(&self) -> &[u8] {
        &self.inner.spki
    }
    /// Subject key identifier.
    pub fn ski(&self) -> Option<&[u8]> {
        self.inner.ski.as_deref()
    }
    /// Authority key identifier (keyIdentifier field).
    pub fn aki(&self) -> Option<&[u8]> {
        self.inner.aki.as_deref()
    }
    /// Start of validity.
    pub fn not_before(&self) -> OffsetDateTime {
        self.inner.not_before
    }
    /// End of validity.
    pub fn not_after(&self) -> OffsetDateTime {
        self.inner.not_after
    }
    /// basicConstraints (cA, pathLenConstraint), when present.
    pub fn basic_constraints(&self) -> Option<(bool, Option<u32>)> {
        self.inner.basic_constraints
    }
    /// keyUsage, when present.
    pub fn key_usage(&self) -> Option<KeyUsageBits> {
        self.inner.key_usage
    }
    /// OIDs of critical extensions kyso does not understand.
    pub fn unknown_critical_extensions(&self) -> &[String] {
        &self.inner.unknown_critical
    }
    /// Subject and issuer names are the same.
    pub fn is_self_issued(&self) -> bool {
        self.inner.self_issued
    }

    /// True when `self` names `issuer` as its issuer (exact DER comparison of the names).
    pub fn issued_by_name(&self, issuer: &Certificate) -> bool {
        self.issuer_raw() == issuer.subject_raw()
    }

    /// How well `candidate`'s key identifier matches this certificate's authority key
    /// identifier: 2 = match, 1 = cannot tell, 0 = mismatch.
    pub fn key_id_match(&self, candidate: &Certificate) -> u8 {
        match (self.aki(), candidate.ski()) {
            (Some(a), Some(s)) if a == s => 2,
            (Some(_), Some(_)) => 0,
            _ => 1,
        }
    }

    /// The certificate as the report shows it.
    pub fn info(&self) -> CertificateInfo {
        CertificateInfo {
            subject: self.inner.subject.clone(),
            common_name: self.inner.common_name.clone(),
            issuer: self.inner.issuer.clone(),
            serial: hex(&self.inner.serial),
            not_before: self.inner.not_before,
            not_after: self.inner.not_after,
            sha256: hex(ring::digest::digest(&ring::digest::SHA256, &self.inner.der).as_ref()),
        }
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.inner.der == other.inner.der
    }
}

fn common_name(name: &X509Name<'_>) -> Option<String> {
    name.iter_common_name()
        .next()
        .map(|a| attribute_text(a.attr_value()))
}

/// A distinguished name as text, most specific RDN first (RFC 4514 order), with UTF-8,
/// BMPString and UniversalString values decoded so Vietnamese names read correctly.
pub fn format_name(name: &X509Name<'_>) -> String {
    let rdns: Vec<String> = name
        .iter_rdn()
        .map(|rdn| {
            rdn.iter()
                .map(|atv| {
                    format!(
                        "{}={}",
                        attribute_short_name(&atv.attr_type().to_id_string()),
                        escape_rdn_value(&attribute_text(atv.attr_value()))
                    )
                })
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect();
    rdns.into_iter().rev().collect::<Vec<_>>().join(", ")
}

fn attribute_short_name(oid: &str) -> String {
    match oid {
        "2.5.4.3" => "CN",
        "2.5.4.4" => "SN",
        "2.5.4.5" => "serialNumber",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "street",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.12" => "title",
        "2.5.4.42" => "GN",
        "0.9.2342.19200300.100.1.1" => "UID",
        "0.9.2342.19200300.100.1.25" => "DC",
        "1.2.840.113549.1.9.1" => "emailAddress",
        other => other,
    }
    .to_string()
}

fn escape_rdn_value(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for (i, c) in v.chars().enumerate() {
        let needs = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';')
            || (i == 0 && (c == '#' || c == ' '));
        if needs {
            out.push('\\');
        }
        out.push(c);
    }
    if out.ends_with(' ') {
        out.pop();
        out.push_str("\\ ");
    }
    out
}

/// Decodes a directory string value of any of the string types certificates use.
fn attribute_text(any: &asn1_rs::Any<'_>) -> String {
    use asn1_rs::Tag;
    let data = any.data;
    match any.tag() {
        Tag::Utf8String
        | Tag::PrintableString
        | Tag::Ia5String
        | Tag::NumericString
        | Tag::VisibleString => String::from_utf8_lossy(data).into_owned(),
        Tag::BmpString => {
            let units: Vec<u16> = data
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        Tag::UniversalString => data
            .chunks_exact(4)
            .map(|c| {
                char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
                    .unwrap_or(char::REPLACEMENT_CHARACTER)
            })
            .collect(),
        // T.61 in practice holds Latin-1 text.
        Tag::TeletexString => data.iter().map(|&b| char::from(b)).collect(),
        _ => format!("#{}", hex(data)),
    }
}
