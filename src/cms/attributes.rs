//! Typed access to the CMS attributes kyso cares about: content-type, message-digest,
//! signing-time (RFC 5652 §11), signing-certificate (RFC 2634 §5.4) and signing-certificate-v2
//! (RFC 5035 §3).

use std::borrow::Cow;

use asn1_rs::{Oid, Tag};
use time::OffsetDateTime;

use super::error::CmsError;
use super::parse::{Attribute, SignedAttributes};
use crate::asn1::der::{Element, Reader};
use crate::asn1::oid;
use crate::asn1::DerError;
use crate::crypto::{AlgorithmIdentifier, DigestAlgorithm};

/// At most this many ESSCertID(v2) entries in a signing-certificate attribute.
const MAX_ESS_CERT_IDS: usize = 64;
/// At most this many GeneralNames in an IssuerSerial.
const MAX_GENERAL_NAMES: usize = 16;

/// Which signing-certificate attribute an ESS structure came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub enum SigningCertificateVersion {
    /// `id-aa-signingCertificate` (ESSCertID, SHA-1 only).
    V1,
    /// `id-aa-signingCertificateV2` (ESSCertIDv2, any hash).
    V2,
}

/// A decoded signing-certificate(-v2) attribute value:
///
/// ```text
/// SigningCertificateV2 ::= SEQUENCE {
///     certs     SEQUENCE OF ESSCertIDv2,
///     policies  SEQUENCE OF PolicyInformation OPTIONAL }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SigningCertificate<'a> {
    /// V1 or V2.
    pub version: SigningCertificateVersion,
    /// The certificate identifiers; the first one identifies the signer's certificate.
    pub certs: Vec<EssCertId<'a>>,
}

/// One ESSCertID / ESSCertIDv2:
///
/// ```text
/// ESSCertIDv2 ::= SEQUENCE {
///     hashAlgorithm  AlgorithmIdentifier DEFAULT {algorithm id-sha256},
///     certHash       Hash,
///     issuerSerial   IssuerSerial OPTIONAL }
/// ESSCertID ::= SEQUENCE { certHash Hash (SHA-1), issuerSerial IssuerSerial OPTIONAL }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EssCertId<'a> {
    /// The hash algorithm (SHA-256 when the field was absent, SHA-1 for V1).
    pub hash_algorithm: AlgorithmIdentifier<'a>,
    /// Whether `hash_algorithm` was absent (the DEFAULT) or implied by V1.
    pub hash_algorithm_implied: bool,
    /// The hash of the whole certificate.
    pub cert_hash: Vec<u8>,
    /// The issuer and serial number of the certificate, if given.
    pub issuer_serial: Option<IssuerSerial<'a>>,
}

/// `IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }`
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct IssuerSerial<'a> {
    /// The `directoryName` entries of `issuer`: each Name's whole encoding.
    pub directory_names: Vec<&'a [u8]>,
    /// How many other kinds of GeneralName were present.
    pub other_names: usize,
    /// The serial number's INTEGER content octets.
    pub serial: &'a [u8],
}

/// The first attribute of type `oid` in `attributes`.
pub fn find_attribute<'x, 'a>(
    attributes: &'x [Attribute<'a>],
    oid: &Oid<'_>,
) -> Option<&'x Attribute<'a>> {
    attributes.iter().find(|a| a.oid == *oid)
}

impl<'a> SignedAttributes<'a> {
    /// The first attribute of type `oid`, raw.
    pub fn get(&self, oid: &Oid<'_>) -> Option<&Attribute<'a>> {
        find_attribute(&self.attributes, oid)
    }

    /// Attribute types that occur more than once (each listed once).
    pub fn duplicate_types(&self) -> Vec<Oid<'a>> {
        let mut duplicates: Vec<Oid<'a>> = Vec::new();
        for (index, attribute) in self.attributes.iter().enumerate() {
            let seen_before = self
                .attributes
                .get(..index)
                .is_some_and(|earlier| earlier.iter().any(|e| e.oid == attribute.oid));
            if seen_before && !duplicates.contains(&attribute.oid) {
                duplicates.push(attribute.oid.clone());
            }
        }
        duplicates
    }

    /// The single value of a single-valued attribute, decoded as an element.
    fn single_value(
        &self,
        oid: &Oid<'_>,
        name: &'static str,
    ) -> Result<Option<Element<'a>>, CmsError> {
        let mut matching = self.attributes.iter().filter(|a| a.oid == *oid);
        let Some(attribute) = matching.next() else {
            return Ok(None);
        };
        if matching.next().is_some() {
            return Err(CmsError::AttributeCardinality {
                attribute: name,
                offset: attribute.offset,
                detail: "occurs more than once",
            });
        }
        let [value] = attribute.values.as_slice() else {
            return Err(CmsError::AttributeCardinality {
                attribute: name,
                offset: attribute.offset,
                detail: "must have exactly one value",
            });
        };
        let offset = attribute
            .offset
            .saturating_add(offset_within(attribute.raw, value));
        let mut reader = Reader::new(value, offset);
        Ok(reader.read(name).map(Some)?)
    }

    /// The content-type attribute (RFC 5652 §11.1).
    pub fn content_type(&self) -> Result<Option<Oid<'a>>, CmsError> {
        Ok(self
            .single_value(&oid::ID_CONTENT_TYPE, "content-type")?
            .map(|value| value.oid("content-type"))
            .transpose()?)
    }

    /// The message-digest attribute (RFC 5652 §11.2).
    pub fn message_digest(&self) -> Result<Option<Cow<'a, [u8]>>, CmsError> {
        Ok(self
            .single_value(&oid::ID_MESSAGE_DIGEST, "message-digest")?
            .map(|value| value.octet_string("message-digest"))
            .transpose()?)
    }

    /// The signing-time attribute (RFC 5652 §11.3), in UTC.
    pub fn signing_time(&self) -> Result<Option<OffsetDateTime>, CmsError> {
        self.single_value(&oid::ID_SIGNING_TIME, "signing-time")?
            .map(|value| decode_time(&value, "signing-time"))
            .transpose()
    }

    /// The signing-certificate-v2 attribute (RFC 5035).
    pub fn signing_certificate_v2(&self) -> Result<Option<SigningCertificate<'a>>, CmsError> {
        self.single_value(&oid::ID_AA_SIGNING_CERTIFICATE_V2, "signing-certificate-v2")?
            .map(|value| decode_signing_certificate(&value, SigningCertificateVersion::V2))
            .transpose()
    }

    /// The signing-certificate attribute (ESS, RFC 2634 §5.4; SHA-1 hashes).
    pub fn signing_certificate_v1(&self) -> Result<Option<SigningCertificate<'a>>, CmsError> {
        self.single_value(&oid::ID_AA_SIGNING_CERTIFICATE, "signing-certificate")?
            .map(|value| decode_signing_certificate(&value, SigningCertificateVersion::V1))
            .transpose()
    }
}

/// Where `inner` starts within `outer` (both borrowed from the same input).
fn offset_within(outer: &[u8], inner: &[u8]) -> usize {
    (inner.as_ptr() as usize).saturating_sub(outer.as_ptr() as usize)
}

/// Decodes a UTCTime or GeneralizedTime element, in UTC.
pub(crate) fn decode_time(
    value: &Element<'_>,
    what: &'static str,
) -> Result<OffsetDateTime, CmsError> {
    let parsed = if value.is_universal(Tag::UtcTime) && !value.constructed {
        asn1_rs::UtcTime::from_bytes(value.content).and_then(|t| t.utc_adjusted_datetime())
    } else if value.is_universal(Tag::GeneralizedTime) && !value.constructed {
        asn1_rs::GeneralizedTime::from_bytes(value.content).and_then(|t| t.utc_datetime())
    } else {
        return Err(value.unexpected(what, "UTCTime or GeneralizedTime").into());
    };
    parsed
        .map(|t| t.to_offset(time::UtcOffset::UTC))
        .map_err(|e| value.malformed(what, e.to_string()).into())
}

fn decode_signing_certificate<'a>(
    value: &Element<'a>,
    version: SigningCertificateVersion,
) -> Result<SigningCertificate<'a>, CmsError> {
    const WHAT: &str = "signing-certificate";
    value.expect_universal(Tag::Sequence, WHAT, "SEQUENCE")?;
    let mut fields = value.children();
    let list = fields.read(WHAT)?;
    list.expect_universal(Tag::Sequence, WHAT, "SEQUENCE OF ESSCertID")?;
    // `policies` may follow; kyso does not interpret them.
    let mut certs = Vec::new();
    let mut reader = list.children();
    while !reader.is_empty() {
        if certs.len() >= MAX_ESS_CERT_IDS {
            return Err(DerError::TooMany {
                what: WHAT,
                offset: list.offset,
                limit: MAX_ESS_CERT_IDS,
            }
            .into());
        }
        certs.push(decode_ess_cert_id(&reader.read("ESSCertID")?, version)?);
    }
    Ok(SigningCertificate { version, certs })
}

fn decode_ess_cert_id<'a>(
    element: &Element<'a>,
    version: SigningCertificateVersion,
) -> Result<EssCertId<'a>, CmsError> {
    const WHAT: &str = "ESSCertID";
    element.expect_universal(Tag::Sequence, WHAT, "SEQUENCE")?;
    let mut fields = element.children();
    let mut first = fields.read(WHAT)?;
    let (hash_algorithm, hash_algorithm_implied) = match version {
        SigningCertificateVersion::V2 if first.is_universal(Tag::Sequence) => {
            let alg = AlgorithmIdentifier::from_element(&first)?;
            first = fields.read(WHAT)?;
            (alg, false)
        }
        SigningCertificateVersion::V2 => (
            AlgorithmIdentifier::new(DigestAlgorithm::Sha256.oid(), None),
            true,
        ),
        SigningCertificateVersion::V1 => (
            AlgorithmIdentifier::new(DigestAlgorithm::Sha1.oid(), None),
            true,
        ),
    };
    let cert_hash = first.octet_string("certHash")?.into_owned();
    let issuer_serial = if fields.is_empty() {
        None
    } else {
        Some(decode_issuer_serial(&fields.read("issuerSerial")?)?)
    };
    fields.finish(WHAT)?;
    Ok(EssCertId {
        hash_algorithm,
        hash_algorithm_implied,
        cert_hash,
        issuer_serial,
    })
}

fn decode_issuer_serial<'a>(element: &Element<'a>) -> Result<IssuerSerial<'a>, CmsError> {
    const WHAT: &str = "issuerSerial";
    element.expect_universal(Tag::Sequence, WHAT, "SEQUENCE")?;
    let mut fields = element.children();
    let names = fields.read(WHAT)?;
    names.expect_universal(Tag::Sequence, WHAT, "GeneralNames")?;
    let serial = fields.read(WHAT)?.integer_bytes("serialNumber")?;
    fields.finish(WHAT)?;
    let mut directory_names = Vec::new();
    let mut other_names = 0usize;
    let mut reader = names.children();
    while !reader.is_empty() {
        if directory_names.len().saturating_add(other_names) >= MAX_GENERAL_NAMES {
            return Err(DerError::TooMany {
                what: "GeneralNames",
                offset: names.offset,
                limit: MAX_GENERAL_NAMES,
            }
            .into());
        }
        let name = reader.read("GeneralName")?;
        if name.is_context(4) && name.constructed {
            // directoryName [4] EXPLICIT Name
            let mut inner = name.children();
            let dn = inner.read("directoryName")?;
            dn.expect_universal(Tag::Sequence, "directoryName", "Name (SEQUENCE)")?;
            inner.finish("directoryName")?;
            directory_names.push(dn.raw);
        } else {
            other_names = other_names.saturating_add(1);
        }
    }
    Ok(IssuerSerial {
        directory_names,
        other_names,
        serial,
    })
}
