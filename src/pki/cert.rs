//! A certificate parsed once into the owned facts that path validation and the report need.

use std::sync::Arc;

use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{
    CRLDistributionPoint, CRLDistributionPoints, DistributionPointName as X509DpName,
    ExtendedKeyUsage, GeneralName as X509GeneralName, GeneralSubtree, ParsedExtension,
};
use x509_parser::prelude::FromDer;
use x509_parser::x509::X509Name;

use super::name::GeneralName;
use crate::asn1::name::NormalizedName;
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

/// A distribution point (RFC 5280 §4.2.1.13), owned.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DistributionPoint {
    /// `distributionPoint`.
    pub name: Option<DistributionPointName>,
    /// `reasons` (bit 1 keyCompromise … bit 8 aACompromise), when present.
    pub reasons: Option<u16>,
    /// `cRLIssuer`, when present.
    pub crl_issuer: Option<Vec<GeneralName>>,
}

/// A distribution point name.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DistributionPointName {
    /// `fullName`.
    Full(Vec<GeneralName>),
    /// `nameRelativeToCRLIssuer`: one RDN to append to the CRL issuer's name.
    RelativeToIssuer(NormalizedName),
}

/// Name constraints (RFC 5280 §4.2.1.10), owned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NameConstraints {
    /// Permitted subtrees (empty when the field is absent).
    pub permitted: Vec<GeneralName>,
    /// Excluded subtrees.
    pub excluded: Vec<GeneralName>,
}

/// How kyso read one extension.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExtensionState {
    /// Decoded.
    Decoded,
    /// kyso does not know this extension.
    Unknown,
    /// Known, but its value could not be decoded.
    Malformed(String),
}

/// One extension of the certificate: its OID, criticality and how it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExtensionEntry {
    /// Dotted OID.
    pub oid: String,
    /// The critical flag.
    pub critical: bool,
    /// Decoded, unknown or malformed.
    pub state: ExtensionState,
}

#[derive(Debug)]
struct Facts {
    der: Vec<u8>,
    version: u32,
    subject_raw: Vec<u8>,
    issuer_raw: Vec<u8>,
    subject_name: NormalizedName,
    issuer_name: NormalizedName,
    subject: String,
    issuer: String,
    common_name: Option<String>,
    emails_in_subject: Vec<String>,
    serial: Vec<u8>,
    spki: Vec<u8>,
    ski: Option<Vec<u8>>,
    aki: Option<Vec<u8>>,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    basic_constraints: Option<(bool, Option<u32>)>,
    key_usage: Option<KeyUsageBits>,
    extended_key_usage: Option<Vec<String>>,
    policies: Option<Vec<String>>,
    policy_mappings: Vec<(String, String)>,
    require_explicit_policy: Option<u32>,
    inhibit_policy_mapping: Option<u32>,
    inhibit_any_policy: Option<u32>,
    name_constraints: Option<NameConstraints>,
    subject_alt_names: Option<Vec<GeneralName>>,
    crl_distribution_points: Vec<DistributionPoint>,
    freshest_crl: Vec<DistributionPoint>,
    ocsp_urls: Vec<String>,
    ca_issuer_urls: Vec<String>,
    ocsp_nocheck: bool,
    extensions: Vec<ExtensionEntry>,
    self_issued: bool,
}

/// id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1).
const OID_OCSP_NOCHECK: &str = "1.3.6.1.5.5.7.48.1.5";
/// id-ce-freshestCRL (RFC 5280 §4.2.1.15).
const OID_FRESHEST_CRL: &str = "2.5.29.46";
/// id-ad-ocsp.
const OID_AD_OCSP: &str = "1.3.6.1.5.5.7.48.1";
/// id-ad-caIssuers.
const OID_AD_CA_ISSUERS: &str = "1.3.6.1.5.5.7.48.2";

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
        let mut extended_key_usage = None;
        let mut policies = None;
        let mut policy_mappings = Vec::new();
        let mut require_explicit_policy = None;
        let mut inhibit_policy_mapping = None;
        let mut inhibit_any_policy = None;
        let mut name_constraints = None;
        let mut subject_alt_names = None;
        let mut crl_distribution_points = Vec::new();
        let mut freshest_crl = Vec::new();
        let mut ocsp_urls = Vec::new();
        let mut ca_issuer_urls = Vec::new();
        let mut ocsp_nocheck = false;
        let mut extensions = Vec::new();
        for ext in cert.extensions() {
            let oid = ext.oid.to_id_string();
            let mut state = ExtensionState::Decoded;
            match ext.parsed_extension() {
                ParsedExtension::SubjectKeyIdentifier(k) => ski = Some(k.0.to_vec()),
                ParsedExtension::AuthorityKeyIdentifier(a) => {
                    aki = a.key_identifier.as_ref().map(|k| k.0.to_vec())
                }
                ParsedExtension::BasicConstraints(bc) => {
                    basic_constraints = Some((bc.ca, bc.path_len_constraint))
                }
                ParsedExtension::KeyUsage(ku) => key_usage = Some(KeyUsageBits(ku.flags)),
                ParsedExtension::ExtendedKeyUsage(eku) => {
                    let oids = eku_oids(eku);
                    if oids.is_empty() {
                        // RFC 5280 §4.2.1.12: SEQUENCE SIZE (1..MAX) OF KeyPurposeId.
                        state = ExtensionState::Malformed(
                            "extendedKeyUsage lists no purpose (RFC 5280 §4.2.1.12 requires \
                             at least one)"
                                .into(),
                        );
                    }
                    extended_key_usage = Some(oids)
                }
                ParsedExtension::CertificatePolicies(p) => {
                    policies = Some(p.iter().map(|i| i.policy_id.to_id_string()).collect())
                }
                ParsedExtension::PolicyMappings(m) => {
                    policy_mappings = m
                        .mappings
                        .iter()
                        .map(|m| {
                            (
                                m.issuer_domain_policy.to_id_string(),
                                m.subject_domain_policy.to_id_string(),
                            )
                        })
                        .collect()
                }
                ParsedExtension::PolicyConstraints(pc) => {
                    require_explicit_policy = pc.require_explicit_policy;
                    inhibit_policy_mapping = pc.inhibit_policy_mapping;
                }
                ParsedExtension::InhibitAnyPolicy(i) => inhibit_any_policy = Some(i.skip_certs),
                ParsedExtension::NameConstraints(nc) => {
                    let subtrees = |t: &Option<Vec<GeneralSubtree<'_>>>| -> Vec<GeneralName> {
                        t.iter()
                            .flatten()
                            .map(|s| GeneralName::from_x509(&s.base))
                            .collect()
                    };
                    name_constraints = Some(NameConstraints {
                        permitted: subtrees(&nc.permitted_subtrees),
                        excluded: subtrees(&nc.excluded_subtrees),
                    })
                }
                ParsedExtension::SubjectAlternativeName(san) => {
                    subject_alt_names = Some(
                        san.general_names
                            .iter()
                            .map(GeneralName::from_x509)
                            .collect(),
                    )
                }
                ParsedExtension::CRLDistributionPoints(dps) => {
                    crl_distribution_points = dps.points.iter().map(distribution_point).collect();
                    fix_relative_names(&mut crl_distribution_points, ext.value);
                }
                ParsedExtension::AuthorityInfoAccess(aia) => {
                    for ad in aia.iter() {
                        let method = ad.access_method.to_id_string();
                        if let X509GeneralName::URI(u) = &ad.access_location {
                            if method == OID_AD_OCSP {
                                ocsp_urls.push((*u).to_string());
                            } else if method == OID_AD_CA_ISSUERS {
                                ca_issuer_urls.push((*u).to_string());
                            }
                        }
                    }
                }
                ParsedExtension::ParseError { error } => {
                    state = ExtensionState::Malformed(error.to_string())
                }
                ParsedExtension::UnsupportedExtension { .. } => {
                    if oid == OID_OCSP_NOCHECK {
                        ocsp_nocheck = true;
                    } else if oid == OID_FRESHEST_CRL {
                        match CRLDistributionPoints::from_der(ext.value) {
                            Ok(([], dps)) => {
                                freshest_crl = dps.points.iter().map(distribution_point).collect();
                                fix_relative_names(&mut freshest_crl, ext.value);
                            }
                            Ok(_) => state = ExtensionState::Malformed("trailing data".into()),
                            Err(e) => state = ExtensionState::Malformed(e.to_string()),
                        }
                    } else {
                        state = ExtensionState::Unknown;
                    }
                }
                _ => {}
            }
            extensions.push(ExtensionEntry {
                oid,
                critical: ext.critical,
                state,
            });
        }
        let subject_raw = cert.subject().as_raw().to_vec();
        let issuer_raw = cert.issuer().as_raw().to_vec();
        let subject_name = NormalizedName::from_x509(cert.subject());
        let issuer_name = NormalizedName::from_x509(cert.issuer());
        let self_issued = subject_name == issuer_name;
        let emails_in_subject = cert
            .subject()
            .iter_email()
            .map(|a| attribute_text(a.attr_value()))
            .collect();
        Ok(Certificate {
            inner: Arc::new(Facts {
                version: cert.version().0,
                subject: format_name(cert.subject()),
                issuer: format_name(cert.issuer()),
                common_name: common_name(cert.subject()),
                emails_in_subject,
                subject_raw,
                issuer_raw,
                subject_name,
                issuer_name,
                serial: cert.raw_serial().to_vec(),
                spki: cert.public_key().raw.to_vec(),
                ski,
                aki,
                not_before: cert.validity().not_before.to_datetime(),
                not_after: cert.validity().not_after.to_datetime(),
                basic_constraints,
                key_usage,
                extended_key_usage,
                policies,
                policy_mappings,
                require_explicit_policy,
                inhibit_policy_mapping,
                inhibit_any_policy,
                name_constraints,
                subject_alt_names,
                crl_distribution_points,
                freshest_crl,
                ocsp_urls,
                ca_issuer_urls,
                ocsp_nocheck,
                extensions,
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
    pub fn unknown_critical_extensions(&self) -> Vec<&str> {
        self.inner
            .extensions
            .iter()
            .filter(|e| e.critical && e.state == ExtensionState::Unknown)
            .map(|e| e.oid.as_str())
            .collect()
    }
    /// Subject and issuer names are the same.
    pub fn is_self_issued(&self) -> bool {
        self.inner.self_issued
    }

    /// X.509 version as encoded (0 = v1, 2 = v3).
    pub fn version(&self) -> u32 {
        self.inner.version
    }
    /// The subject, prepared for comparison.
    pub fn subject_name(&self) -> &NormalizedName {
        &self.inner.subject_name
    }
    /// The issuer, prepared for comparison.
    pub fn issuer_name(&self) -> &NormalizedName {
        &self.inner.issuer_name
    }
    /// emailAddress attributes of the subject.
    pub fn emails_in_subject(&self) -> &[String] {
        &self.inner.emails_in_subject
    }
    /// True when basicConstraints says cA.
    pub fn is_ca(&self) -> bool {
        matches!(self.inner.basic_constraints, Some((true, _)))
    }
    /// extendedKeyUsage OIDs, when the extension is present.
    pub fn extended_key_usage(&self) -> Option<&[String]> {
        self.inner.extended_key_usage.as_deref()
    }
    /// certificatePolicies OIDs, when the extension is present.
    pub fn policies(&self) -> Option<&[String]> {
        self.inner.policies.as_deref()
    }
    /// policyMappings (issuerDomainPolicy, subjectDomainPolicy).
    pub fn policy_mappings(&self) -> &[(String, String)] {
        &self.inner.policy_mappings
    }
    /// policyConstraints requireExplicitPolicy.
    pub fn require_explicit_policy(&self) -> Option<u32> {
        self.inner.require_explicit_policy
    }
    /// policyConstraints inhibitPolicyMapping.
    pub fn inhibit_policy_mapping(&self) -> Option<u32> {
        self.inner.inhibit_policy_mapping
    }
    /// inhibitAnyPolicy.
    pub fn inhibit_any_policy(&self) -> Option<u32> {
        self.inner.inhibit_any_policy
    }
    /// nameConstraints, when present.
    pub fn name_constraints(&self) -> Option<&NameConstraints> {
        self.inner.name_constraints.as_ref()
    }
    /// subjectAltName entries, when the extension is present.
    pub fn subject_alt_names(&self) -> Option<&[GeneralName]> {
        self.inner.subject_alt_names.as_deref()
    }
    /// cRLDistributionPoints.
    pub fn crl_distribution_points(&self) -> &[DistributionPoint] {
        &self.inner.crl_distribution_points
    }
    /// freshestCRL distribution points (where delta CRLs are).
    pub fn freshest_crl(&self) -> &[DistributionPoint] {
        &self.inner.freshest_crl
    }
    /// OCSP responder URLs from authorityInfoAccess.
    pub fn ocsp_urls(&self) -> &[String] {
        &self.inner.ocsp_urls
    }
    /// caIssuers URLs from authorityInfoAccess.
    pub fn ca_issuer_urls(&self) -> &[String] {
        &self.inner.ca_issuer_urls
    }
    /// The id-pkix-ocsp-nocheck extension is present.
    pub fn has_ocsp_nocheck(&self) -> bool {
        self.inner.ocsp_nocheck
    }
    /// Every extension, in certificate order.
    pub fn extensions(&self) -> &[ExtensionEntry] {
        &self.inner.extensions
    }

    /// True when `self` names `issuer` as its issuer (RFC 5280 §7.1 comparison).
    pub fn issued_by_name(&self, issuer: &Certificate) -> bool {
        self.issuer_name() == issuer.subject_name()
    }

    /// A short identity for messages: the subject, or the serial when the subject is empty.
    pub fn label(&self) -> String {
        if self.inner.subject.is_empty() {
            format!("serial {}", hex(&self.inner.serial))
        } else {
            self.inner.subject.clone()
        }
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

fn distribution_point(dp: &CRLDistributionPoint<'_>) -> DistributionPoint {
    DistributionPoint {
        name: dp.distribution_point.as_ref().map(|n| match n {
            X509DpName::FullName(names) => {
                DistributionPointName::Full(names.iter().map(GeneralName::from_x509).collect())
            }
            X509DpName::NameRelativeToCRLIssuer(rdn) => {
                DistributionPointName::RelativeToIssuer(NormalizedName::from_rdn(rdn))
            }
        }),
        reasons: dp.reasons.as_ref().map(|r| r.flags),
        crl_issuer: dp
            .crl_issuer
            .as_ref()
            .map(|names| names.iter().map(GeneralName::from_x509).collect()),
    }
}

/// Replaces the distribution points x509-parser read with kyso's reading (x509-parser
/// drops relative names and misreads what follows them).
pub(crate) fn fix_relative_names(points: &mut Vec<DistributionPoint>, ext_value: &[u8]) {
    let own = super::name::read_distribution_points(ext_value);
    if own.len() == points.len() {
        *points = own;
    }
}

/// The extendedKeyUsage OIDs, in dotted form.
fn eku_oids(eku: &ExtendedKeyUsage<'_>) -> Vec<String> {
    let known = [
        (eku.any, "2.5.29.37.0"),
        (eku.server_auth, "1.3.6.1.5.5.7.3.1"),
        (eku.client_auth, "1.3.6.1.5.5.7.3.2"),
        (eku.code_signing, "1.3.6.1.5.5.7.3.3"),
        (eku.email_protection, "1.3.6.1.5.5.7.3.4"),
        (eku.time_stamping, "1.3.6.1.5.5.7.3.8"),
        (eku.ocsp_signing, "1.3.6.1.5.5.7.3.9"),
    ];
    known
        .iter()
        .filter(|(set, _)| *set)
        .map(|(_, oid)| (*oid).to_string())
        .chain(eku.other.iter().map(|o| o.to_id_string()))
        .collect()
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
pub(crate) fn attribute_text(any: &asn1_rs::Any<'_>) -> String {
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
