//! Decoding a CMS ContentInfo holding a SignedData (RFC 5652 §3, §5), BER-tolerant, keeping
//! the original bytes of everything that is signed or hashed.

use asn1_rs::{Oid, Tag};

use super::error::CmsError;
use crate::asn1::der::{Element, Reader};
use crate::asn1::oid;
use crate::asn1::DerError;
use crate::crypto::{AlgorithmIdentifier, DigestAlgorithm};

/// At most this many SignerInfos.
pub const MAX_SIGNER_INFOS: usize = 16;
/// At most this many certificates (and as many other certificate choices).
pub const MAX_CERTIFICATES: usize = 256;
/// At most this many revocation entries.
pub const MAX_CRLS: usize = 256;
/// At most this many attributes in one signed or unsigned attribute set.
pub const MAX_ATTRIBUTES: usize = 64;
/// At most this many values in one attribute.
pub const MAX_ATTRIBUTE_VALUES: usize = 64;
/// At most this many digest algorithms in `digestAlgorithms`.
pub const MAX_DIGEST_ALGORITHMS: usize = 16;

/// What follows the ContentInfo in the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub enum Trailing {
    /// Nothing.
    None,
    /// Only zero bytes: the padding of a PDF `/Contents` placeholder.
    ZeroPadding {
        /// How many.
        len: usize,
    },
    /// Other bytes: suspicious, to be reported.
    Garbage {
        /// Where they start.
        offset: usize,
        /// How many bytes follow the ContentInfo.
        len: usize,
    },
}

/// A decoded SignedData (RFC 5652 §5.1):
///
/// ```text
/// SignedData ::= SEQUENCE {
///     version CMSVersion,
///     digestAlgorithms DigestAlgorithmIdentifiers,
///     encapContentInfo EncapsulatedContentInfo,
///     certificates [0] IMPLICIT CertificateSet OPTIONAL,
///     crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,
///     signerInfos SignerInfos }
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SignedData<'a> {
    /// CMSVersion.
    pub version: u32,
    /// The digest algorithms announced for the signers.
    pub digest_algorithms: Vec<AlgorithmIdentifier<'a>>,
    /// `eContentType` (id-data for PDF signatures).
    pub encap_content_type: Oid<'a>,
    /// The encapsulated content, if present (segments of a constructed BER OCTET STRING are
    /// concatenated). PDF signatures are detached: `None`.
    pub econtent: Option<Vec<u8>>,
    /// The raw DER of each `Certificate` in `certificates`, in order.
    pub certificates: Vec<&'a [u8]>,
    /// How many other CertificateChoices (attribute certificates, ...) were skipped.
    pub other_certificates: usize,
    /// The raw DER of each `CertificateList` in `crls`, in order.
    pub crls: Vec<&'a [u8]>,
    /// The `other` RevocationInfoChoices (for example OCSP responses, RFC 5940), raw.
    pub other_revocation_info: Vec<&'a [u8]>,
    /// The signers.
    pub signer_infos: Vec<SignerInfo<'a>>,
    /// What follows the ContentInfo.
    pub trailing: Trailing,
    /// The ContentInfo's bytes (without what follows it).
    pub raw: &'a [u8],
}

/// SignerIdentifier (RFC 5652 §5.3).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignerIdentifier<'a> {
    /// `issuerAndSerialNumber`.
    IssuerAndSerial {
        /// The issuer Name, as encoded (whole element).
        issuer_raw: &'a [u8],
        /// The serial number's INTEGER content octets.
        serial: &'a [u8],
    },
    /// `[0] subjectKeyIdentifier`.
    SubjectKeyIdentifier(Vec<u8>),
}

/// One Attribute (RFC 5652 §5.3):
/// `Attribute ::= SEQUENCE { attrType OBJECT IDENTIFIER, attrValues SET OF AttributeValue }`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Attribute<'a> {
    /// `attrType`.
    pub oid: Oid<'a>,
    /// Each value's whole encoding, in order.
    pub values: Vec<&'a [u8]>,
    /// The attribute's whole encoding.
    pub raw: &'a [u8],
    /// Where the attribute starts.
    pub offset: usize,
}

/// The signed attributes of a SignerInfo, with their original bytes.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SignedAttributes<'a> {
    /// The exact `[0] IMPLICIT SET OF Attribute` element from the input.
    pub raw: &'a [u8],
    /// The attributes in input order.
    pub attributes: Vec<Attribute<'a>>,
    /// Whether the element used the (BER) indefinite length form.
    pub indefinite_length: bool,
    /// Where the element starts.
    pub offset: usize,
}

impl<'a> SignedAttributes<'a> {
    /// The bytes the signature covers (RFC 5652 §5.4): the original encoding with its
    /// `[0] IMPLICIT` tag byte replaced by the universal SET tag (0x31). Never a re-encoding.
    ///
    /// If the signer used an indefinite length (BER), the bytes are still taken as they are
    /// (with the end-of-contents octets): a conforming signer signed the DER encoding, which
    /// then differs from what it wrote, and the signature will not verify. kyso reports that
    /// rather than re-encoding foreign data; [`Self::indefinite_length`] tells why.
    pub fn to_be_verified(&self) -> Vec<u8> {
        let mut bytes = self.raw.to_vec();
        if let Some(first) = bytes.first_mut() {
            *first = 0x31;
        }
        bytes
    }
}

/// A decoded SignerInfo (RFC 5652 §5.3):
///
/// ```text
/// SignerInfo ::= SEQUENCE {
///     version CMSVersion,
///     sid SignerIdentifier,
///     digestAlgorithm DigestAlgorithmIdentifier,
///     signedAttrs [0] IMPLICIT SignedAttributes OPTIONAL,
///     signatureAlgorithm SignatureAlgorithmIdentifier,
///     signature SignatureValue,
///     unsignedAttrs [1] IMPLICIT UnsignedAttributes OPTIONAL }
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SignerInfo<'a> {
    /// CMSVersion (1 with issuerAndSerialNumber, 3 with subjectKeyIdentifier).
    pub version: u32,
    /// Which certificate signed.
    pub sid: SignerIdentifier<'a>,
    /// The digest algorithm of the content (and of the signed attributes).
    pub digest_algorithm: AlgorithmIdentifier<'a>,
    /// The signed attributes, if any.
    pub signed_attrs: Option<SignedAttributes<'a>>,
    /// The signature algorithm.
    pub signature_algorithm: AlgorithmIdentifier<'a>,
    /// The signature value.
    pub signature: Vec<u8>,
    /// The unsigned attributes (timestamp tokens, ...).
    pub unsigned_attrs: Vec<Attribute<'a>>,
    /// The SignerInfo's whole encoding.
    pub raw: &'a [u8],
    /// Where it starts.
    pub offset: usize,
}

impl<'a> SignerInfo<'a> {
    /// The digest algorithm, if kyso supports it.
    pub fn digest(&self) -> Option<DigestAlgorithm> {
        self.digest_algorithm.digest_algorithm()
    }

    /// The first unsigned attribute of type `oid`.
    pub fn unsigned_attribute(&self, oid: &Oid<'_>) -> Option<&Attribute<'a>> {
        self.unsigned_attrs.iter().find(|a| a.oid == *oid)
    }
}

/// Decodes `ContentInfo { id-signedData, [0] EXPLICIT SignedData }`.
///
/// BER is accepted (indefinite lengths, constructed OCTET STRINGs). Bytes after the
/// ContentInfo are accepted and reported in [`SignedData::trailing`]: zero padding (as in a PDF
/// `/Contents` string) or anything else.
pub fn parse_signed_data(input: &[u8]) -> Result<SignedData<'_>, CmsError> {
    let mut top = Reader::new(input, 0);
    let content_info = top.read("ContentInfo")?;
    content_info.expect_universal(Tag::Sequence, "ContentInfo", "SEQUENCE")?;
    let trailing_bytes = top.remaining();
    let trailing = if trailing_bytes.is_empty() {
        Trailing::None
    } else if trailing_bytes.iter().all(|b| *b == 0) {
        Trailing::ZeroPadding {
            len: trailing_bytes.len(),
        }
    } else {
        Trailing::Garbage {
            offset: content_info.raw.len(),
            len: trailing_bytes.len(),
        }
    };

    let mut fields = content_info.children();
    let content_type_element = fields.read("ContentInfo contentType")?;
    let content_type = content_type_element.oid("ContentInfo contentType")?;
    if content_type != oid::ID_SIGNED_DATA {
        return Err(CmsError::NotSignedData {
            oid: oid::name(&content_type),
            offset: content_type_element.offset,
        });
    }
    let explicit = fields.read("ContentInfo content")?;
    if !explicit.is_context(0) || !explicit.constructed {
        return Err(explicit
            .unexpected("ContentInfo content", "[0] EXPLICIT")
            .into());
    }
    fields.finish("ContentInfo")?;
    let mut inner = explicit.children();
    let signed_data = inner.read("SignedData")?;
    inner.finish("ContentInfo content")?;
    let mut sd = parse_signed_data_body(&signed_data)?;
    sd.trailing = trailing;
    sd.raw = content_info.raw;
    Ok(sd)
}

fn parse_signed_data_body<'a>(element: &Element<'a>) -> Result<SignedData<'a>, CmsError> {
    const WHAT: &str = "SignedData";
    element.expect_universal(Tag::Sequence, WHAT, "SEQUENCE")?;
    let mut fields = element.children();
    let version = fields
        .read("SignedData version")?
        .small_uint("SignedData version")?;

    let digest_set = fields.read("SignedData digestAlgorithms")?;
    digest_set.expect_universal(Tag::Set, "SignedData digestAlgorithms", "SET")?;
    let mut digest_algorithms = Vec::new();
    let mut digests = digest_set.children();
    while !digests.is_empty() {
        if digest_algorithms.len() >= MAX_DIGEST_ALGORITHMS {
            return Err(too_many(
                "digestAlgorithms",
                &digest_set,
                MAX_DIGEST_ALGORITHMS,
            ));
        }
        let alg = digests.read("digestAlgorithm")?;
        digest_algorithms.push(AlgorithmIdentifier::from_element(&alg)?);
    }

    let (encap_content_type, econtent) = parse_encap(&fields.read("encapContentInfo")?)?;

    let mut certificates = Vec::new();
    let mut other_certificates = 0usize;
    if let Some(certs) = fields.read_optional_context(0, "certificates")? {
        let mut reader = certs.children();
        while !reader.is_empty() {
            let cert = reader.read("certificate")?;
            if certificates.len().saturating_add(other_certificates) >= MAX_CERTIFICATES {
                return Err(too_many("certificates", &certs, MAX_CERTIFICATES));
            }
            if cert.is_universal(Tag::Sequence) {
                certificates.push(cert.raw);
            } else {
                other_certificates = other_certificates.saturating_add(1);
            }
        }
    }

    let mut crls = Vec::new();
    let mut other_revocation_info = Vec::new();
    if let Some(revocation) = fields.read_optional_context(1, "crls")? {
        let mut reader = revocation.children();
        while !reader.is_empty() {
            let entry = reader.read("crl")?;
            if crls.len().saturating_add(other_revocation_info.len()) >= MAX_CRLS {
                return Err(too_many("crls", &revocation, MAX_CRLS));
            }
            if entry.is_universal(Tag::Sequence) {
                crls.push(entry.raw);
            } else {
                other_revocation_info.push(entry.raw);
            }
        }
    }

    let signer_set = fields.read("signerInfos")?;
    signer_set.expect_universal(Tag::Set, "signerInfos", "SET")?;
    let mut signer_infos = Vec::new();
    let mut signers = signer_set.children();
    while !signers.is_empty() {
        if signer_infos.len() >= MAX_SIGNER_INFOS {
            return Err(too_many("signerInfos", &signer_set, MAX_SIGNER_INFOS));
        }
        signer_infos.push(parse_signer_info(&signers.read("SignerInfo")?)?);
    }
    fields.finish(WHAT)?;

    Ok(SignedData {
        version,
        digest_algorithms,
        encap_content_type,
        econtent,
        certificates,
        other_certificates,
        crls,
        other_revocation_info,
        signer_infos,
        trailing: Trailing::None,
        raw: element.raw,
    })
}

/// `EncapsulatedContentInfo ::= SEQUENCE { eContentType, eContent [0] EXPLICIT OCTET STRING OPTIONAL }`
fn parse_encap<'a>(element: &Element<'a>) -> Result<(Oid<'a>, Option<Vec<u8>>), CmsError> {
    const WHAT: &str = "encapContentInfo";
    element.expect_universal(Tag::Sequence, WHAT, "SEQUENCE")?;
    let mut fields = element.children();
    let content_type = fields.read(WHAT)?.oid("eContentType")?;
    let econtent = match fields.read_optional_context(0, "eContent")? {
        Some(explicit) => {
            let mut inner = explicit.children();
            let octets = inner.read("eContent")?;
            inner.finish("eContent")?;
            Some(octets.octet_string("eContent")?.into_owned())
        }
        None => None,
    };
    fields.finish(WHAT)?;
    Ok((content_type, econtent))
}

fn parse_signer_info<'a>(element: &Element<'a>) -> Result<SignerInfo<'a>, CmsError> {
    const WHAT: &str = "SignerInfo";
    element.expect_universal(Tag::Sequence, WHAT, "SEQUENCE")?;
    let mut fields = element.children();
    let version = fields
        .read("SignerInfo version")?
        .small_uint("SignerInfo version")?;

    let sid_element = fields.read("SignerInfo sid")?;
    let sid = if sid_element.is_universal(Tag::Sequence) {
        let mut parts = sid_element.children();
        let issuer = parts.read("issuer")?;
        issuer.expect_universal(Tag::Sequence, "issuer", "Name (SEQUENCE)")?;
        let serial = parts.read("serialNumber")?.integer_bytes("serialNumber")?;
        parts.finish("issuerAndSerialNumber")?;
        SignerIdentifier::IssuerAndSerial {
            issuer_raw: issuer.raw,
            serial,
        }
    } else if sid_element.is_context(0) {
        // [0] IMPLICIT SubjectKeyIdentifier (OCTET STRING, possibly constructed in BER).
        let ski = sid_element
            .implicit_octet_string("subjectKeyIdentifier")?
            .into_owned();
        SignerIdentifier::SubjectKeyIdentifier(ski)
    } else {
        return Err(sid_element
            .unexpected("SignerInfo sid", "issuerAndSerialNumber or [0]")
            .into());
    };

    let digest_algorithm = AlgorithmIdentifier::from_element(&fields.read("digestAlgorithm")?)?;

    let signed_attrs = match fields.read_optional_context(0, "signedAttrs")? {
        Some(attrs) => {
            if attrs.raw.first() != Some(&0xa0) || !attrs.constructed {
                return Err(attrs
                    .malformed("signedAttrs", "tag must be encoded as 0xA0")
                    .into());
            }
            Some(SignedAttributes {
                raw: attrs.raw,
                attributes: parse_attributes(&attrs, "signedAttrs")?,
                indefinite_length: attrs.indefinite,
                offset: attrs.offset,
            })
        }
        None => None,
    };

    let signature_algorithm =
        AlgorithmIdentifier::from_element(&fields.read("signatureAlgorithm")?)?;
    let signature = fields
        .read("signature")?
        .octet_string("signature")?
        .into_owned();
    let unsigned_attrs = match fields.read_optional_context(1, "unsignedAttrs")? {
        Some(attrs) => parse_attributes(&attrs, "unsignedAttrs")?,
        None => Vec::new(),
    };
    fields.finish(WHAT)?;
    Ok(SignerInfo {
        version,
        sid,
        digest_algorithm,
        signed_attrs,
        signature_algorithm,
        signature,
        unsigned_attrs,
        raw: element.raw,
        offset: element.offset,
    })
}

fn parse_attributes<'a>(
    set: &Element<'a>,
    what: &'static str,
) -> Result<Vec<Attribute<'a>>, CmsError> {
    let mut attributes = Vec::new();
    let mut reader = set.children();
    while !reader.is_empty() {
        if attributes.len() >= MAX_ATTRIBUTES {
            return Err(too_many(what, set, MAX_ATTRIBUTES));
        }
        let attribute = reader.read("Attribute")?;
        attribute.expect_universal(Tag::Sequence, "Attribute", "SEQUENCE")?;
        let mut parts = attribute.children();
        let oid = parts.read("attrType")?.oid("attrType")?;
        let values_set = parts.read("attrValues")?;
        values_set.expect_universal(Tag::Set, "attrValues", "SET")?;
        parts.finish("Attribute")?;
        let mut values = Vec::new();
        let mut value_reader = values_set.children();
        while !value_reader.is_empty() {
            if values.len() >= MAX_ATTRIBUTE_VALUES {
                return Err(too_many("attrValues", &values_set, MAX_ATTRIBUTE_VALUES));
            }
            values.push(value_reader.read("AttributeValue")?.raw);
        }
        attributes.push(Attribute {
            oid,
            values,
            raw: attribute.raw,
            offset: attribute.offset,
        });
    }
    Ok(attributes)
}

fn too_many(what: &'static str, element: &Element<'_>, limit: usize) -> CmsError {
    DerError::TooMany {
        what,
        offset: element.offset,
        limit,
    }
    .into()
}
