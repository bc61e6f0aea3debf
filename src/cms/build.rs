//! Building a detached CMS SignedData in strict DER, in two steps: the signed attributes
//! (the bytes to sign), then the SignedData around the signature. Remote and two-phase
//! signers sit between the two steps.

use asn1_rs::{Class, Oid, Tag, ToDer};
use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;

use super::error::CmsError;
use crate::asn1::der::{self, Reader};
use crate::asn1::oid;
use crate::asn1::DerError;
use crate::crypto::{digest, DigestAlgorithm, SignatureAlgorithm};

/// What goes into the signed attributes.
///
/// Always: content-type (id-data), message-digest, signing-certificate-v2 (SHA-256 of the
/// signer's certificate with issuerSerial). Optionally: signing-time (for
/// `adbe.pkcs7.detached`; PAdES puts the time in the PDF instead) and extra attributes given
/// as DER `Attribute` elements.
#[derive(Clone, Debug)]
pub struct SignedAttributesSpec<'a> {
    message_digest: &'a [u8],
    signer_certificate: &'a [u8],
    signing_time: Option<OffsetDateTime>,
    extra: Vec<Vec<u8>>,
}

impl<'a> SignedAttributesSpec<'a> {
    /// The mandatory parts: the content digest and the signer's DER certificate.
    pub fn new(message_digest: &'a [u8], signer_certificate: &'a [u8]) -> Self {
        SignedAttributesSpec {
            message_digest,
            signer_certificate,
            signing_time: None,
            extra: Vec::new(),
        }
    }

    /// Adds a signing-time attribute.
    pub fn with_signing_time(mut self, time: OffsetDateTime) -> Self {
        self.signing_time = Some(time);
        self
    }

    /// Adds an attribute, given as a DER `Attribute` (see [`encode_attribute`]).
    pub fn with_extra_attribute(mut self, attribute_der: Vec<u8>) -> Self {
        self.extra.push(attribute_der);
        self
    }
}

/// Encodes `Attribute ::= SEQUENCE { attrType, attrValues SET OF AttributeValue }` from DER
/// values.
pub fn encode_attribute(attr_type: &Oid<'_>, values: &[&[u8]]) -> Result<Vec<u8>, CmsError> {
    let values = der::set_of(values.iter().map(|v| v.to_vec()).collect())?;
    Ok(der::sequence(&[&der::oid(attr_type)?, &values])?)
}

/// The issuer Name (whole element) and serial INTEGER content of a DER certificate.
fn issuer_and_serial(cert_der: &[u8]) -> Result<(&[u8], &[u8]), CmsError> {
    let (_, cert) =
        X509Certificate::from_der(cert_der).map_err(|e| CmsError::InvalidBuildInput {
            what: "signer certificate",
            detail: e.to_string(),
        })?;
    Ok((cert.tbs_certificate.issuer.as_raw(), cert.raw_serial()))
}

/// Builds the signed attributes as a DER `SET OF Attribute` (tag 0x31), sorted by encoding
/// (X.690 §11.6). These bytes are what the signer signs.
pub fn build_signed_attributes(spec: &SignedAttributesSpec<'_>) -> Result<Vec<u8>, CmsError> {
    let mut attributes = Vec::new();
    attributes.push(encode_attribute(
        &oid::ID_CONTENT_TYPE,
        &[&der::oid(&oid::ID_DATA)?],
    )?);
    attributes.push(encode_attribute(
        &oid::ID_MESSAGE_DIGEST,
        &[&der::octet_string(spec.message_digest)?],
    )?);
    attributes.push(encode_attribute(
        &oid::ID_AA_SIGNING_CERTIFICATE_V2,
        &[&signing_certificate_v2(spec.signer_certificate)?],
    )?);
    if let Some(time) = spec.signing_time {
        attributes.push(encode_attribute(
            &oid::ID_SIGNING_TIME,
            &[&encode_time(time)?],
        )?);
    }
    for extra in &spec.extra {
        let mut reader = Reader::new(extra, 0);
        let element = reader.read("extra attribute")?;
        reader.finish("extra attribute")?;
        element.expect_universal(Tag::Sequence, "extra attribute", "SEQUENCE")?;
        attributes.push(extra.clone());
    }
    Ok(der::set_of(attributes)?)
}

/// `SigningCertificateV2 { certs { ESSCertIDv2 { certHash (SHA-256), issuerSerial } } }`;
/// hashAlgorithm is omitted because SHA-256 is its DEFAULT (DER, X.690 §11.5).
fn signing_certificate_v2(cert_der: &[u8]) -> Result<Vec<u8>, CmsError> {
    let (issuer, serial) = issuer_and_serial(cert_der)?;
    let hash = digest(DigestAlgorithm::Sha256, cert_der);
    let general_names = der::sequence(&[&der::explicit(4, issuer)?])?;
    let issuer_serial = der::sequence(&[&general_names, &der::integer_from_content(serial)?])?;
    let ess_cert_id = der::sequence(&[&der::octet_string(&hash)?, &issuer_serial])?;
    let certs = der::sequence(&[&ess_cert_id])?;
    Ok(der::sequence(&[&certs])?)
}

/// UTCTime for 1950–2049, GeneralizedTime otherwise (RFC 5652 §11.3), in UTC, whole seconds.
fn encode_time(time: OffsetDateTime) -> Result<Vec<u8>, CmsError> {
    let time = time.to_offset(time::UtcOffset::UTC);
    let year = time.year();
    let invalid = |detail: &str| CmsError::InvalidBuildInput {
        what: "signing time",
        detail: detail.to_owned(),
    };
    let encode_error = |e: asn1_rs::SerializeError| {
        CmsError::from(DerError::Encode {
            what: "signing time",
            detail: e.to_string(),
        })
    };
    if (1950..2050).contains(&year) {
        let two_digits = u32::try_from(year.rem_euclid(100)).map_err(|_| invalid("year"))?;
        let dt = asn1_rs::ASN1DateTime::new(
            two_digits,
            u8::from(time.month()),
            time.day(),
            time.hour(),
            time.minute(),
            time.second(),
            None,
            asn1_rs::ASN1TimeZone::Z,
        );
        asn1_rs::UtcTime::new(dt).to_der_vec().map_err(encode_error)
    } else {
        let year = u32::try_from(year)
            .ok()
            .filter(|y| *y <= 9999)
            .ok_or_else(|| invalid("year outside 0..=9999"))?;
        let dt = asn1_rs::ASN1DateTime::new(
            year,
            u8::from(time.month()),
            time.day(),
            time.hour(),
            time.minute(),
            time.second(),
            None,
            asn1_rs::ASN1TimeZone::Z,
        );
        asn1_rs::GeneralizedTime::new(dt)
            .to_der_vec()
            .map_err(encode_error)
    }
}

/// The parts of a detached SignedData with one signer.
#[derive(Clone, Debug)]
pub struct SignedDataSpec<'a> {
    algorithm: SignatureAlgorithm,
    signed_attributes: &'a [u8],
    signature: &'a [u8],
    signer_certificate: &'a [u8],
    chain: &'a [Vec<u8>],
    unsigned_attributes: Vec<Vec<u8>>,
}

impl<'a> SignedDataSpec<'a> {
    /// `signed_attributes` is the output of [`build_signed_attributes`] (tag 0x31), and
    /// `signature` the signer's signature over exactly those bytes.
    pub fn new(
        algorithm: SignatureAlgorithm,
        signed_attributes: &'a [u8],
        signature: &'a [u8],
        signer_certificate: &'a [u8],
        chain: &'a [Vec<u8>],
    ) -> Self {
        SignedDataSpec {
            algorithm,
            signed_attributes,
            signature,
            signer_certificate,
            chain,
            unsigned_attributes: Vec::new(),
        }
    }

    /// Adds an unsigned attribute (DER `Attribute`, for example a signature timestamp).
    pub fn with_unsigned_attribute(mut self, attribute_der: Vec<u8>) -> Self {
        self.unsigned_attributes.push(attribute_der);
        self
    }
}

/// Builds `ContentInfo { id-signedData, SignedData }` in DER: version 1, the signer's digest
/// algorithm, detached id-data content, the certificates (signer and chain), and one
/// SignerInfo (version 1, issuerAndSerialNumber).
pub fn build_signed_data(spec: &SignedDataSpec<'_>) -> Result<Vec<u8>, CmsError> {
    let digest_alg = spec.algorithm.digest().algorithm_identifier_der()?;
    let signed_attrs = implicit_signed_attributes(spec.signed_attributes)?;

    let (issuer, serial) = issuer_and_serial(spec.signer_certificate)?;
    let sid = der::sequence(&[issuer, &der::integer_from_content(serial)?])?;
    let version = der::small_integer(1)?;
    let signature_alg = spec.algorithm.algorithm_identifier_der()?;
    let signature = der::octet_string(spec.signature)?;
    let mut signer_parts: Vec<&[u8]> = vec![
        &version,
        &sid,
        &digest_alg,
        &signed_attrs,
        &signature_alg,
        &signature,
    ];
    let unsigned;
    if !spec.unsigned_attributes.is_empty() {
        for attribute in &spec.unsigned_attributes {
            let mut reader = Reader::new(attribute, 0);
            let element = reader.read("unsigned attribute")?;
            reader.finish("unsigned attribute")?;
            element.expect_universal(Tag::Sequence, "unsigned attribute", "SEQUENCE")?;
        }
        let mut sorted = spec.unsigned_attributes.clone();
        sorted.sort();
        unsigned = der::tlv(Class::ContextSpecific, true, 1, &sorted.concat())?;
        signer_parts.push(&unsigned);
    }
    let signer_info = der::sequence(&signer_parts)?;

    let mut certificates = vec![spec.signer_certificate.to_vec()];
    for cert in spec.chain {
        if !certificates.contains(cert) {
            certificates.push(cert.clone());
        }
    }
    for (index, cert) in certificates.iter().enumerate() {
        X509Certificate::from_der(cert).map_err(|e| CmsError::InvalidBuildInput {
            what: if index == 0 {
                "signer certificate"
            } else {
                "chain certificate"
            },
            detail: e.to_string(),
        })?;
    }
    certificates.sort(); // CertificateSet is a SET OF: DER order.
    let certificates = der::tlv(Class::ContextSpecific, true, 0, &certificates.concat())?;

    let encap = der::sequence(&[&der::oid(&oid::ID_DATA)?])?;
    let signed_data = der::sequence(&[
        &version,
        &der::set_of(vec![digest_alg.clone()])?,
        &encap,
        &certificates,
        &der::set_of(vec![signer_info])?,
    ])?;
    Ok(der::sequence(&[
        &der::oid(&oid::ID_SIGNED_DATA)?,
        &der::explicit(0, &signed_data)?,
    ])?)
}

/// The `[0] IMPLICIT` form of the signed attributes: the same bytes with the tag 0xA0.
fn implicit_signed_attributes(set: &[u8]) -> Result<Vec<u8>, CmsError> {
    let mut reader = Reader::new(set, 0);
    let element = reader.read("signed attributes")?;
    reader.finish("signed attributes")?;
    if set.first() != Some(&0x31) || element.indefinite {
        return Err(CmsError::InvalidBuildInput {
            what: "signed attributes",
            detail: "expected a DER SET (tag 0x31)".into(),
        });
    }
    let mut bytes = set.to_vec();
    if let Some(first) = bytes.first_mut() {
        *first = 0xa0;
    }
    Ok(bytes)
}

/// What the size of the final CMS depends on, to size a PDF placeholder once.
#[derive(Clone, Debug)]
pub struct SizeEstimate<'a> {
    algorithm: SignatureAlgorithm,
    max_signature_len: usize,
    signer_certificate: &'a [u8],
    chain: &'a [Vec<u8>],
    signing_time: bool,
    extra_signed_attributes: &'a [Vec<u8>],
    unsigned_reserve: usize,
}

impl<'a> SizeEstimate<'a> {
    /// The signer's algorithm, its maximum signature length, certificate and chain.
    pub fn new(
        algorithm: SignatureAlgorithm,
        max_signature_len: usize,
        signer_certificate: &'a [u8],
        chain: &'a [Vec<u8>],
    ) -> Self {
        SizeEstimate {
            algorithm,
            max_signature_len,
            signer_certificate,
            chain,
            signing_time: false,
            extra_signed_attributes: &[],
            unsigned_reserve: 0,
        }
    }

    /// Whether a signing-time attribute will be included.
    pub fn with_signing_time(mut self, signing_time: bool) -> Self {
        self.signing_time = signing_time;
        self
    }

    /// The extra signed attributes that will be included.
    pub fn with_extra_signed_attributes(mut self, extra: &'a [Vec<u8>]) -> Self {
        self.extra_signed_attributes = extra;
        self
    }

    /// Room for unsigned attributes added later (a timestamp token, ...): the total length
    /// of their DER `Attribute` encodings.
    pub fn with_unsigned_reserve(mut self, bytes: usize) -> Self {
        self.unsigned_reserve = bytes;
        self
    }
}

/// An upper bound of the length of the ContentInfo [`build_signed_data`] will produce.
///
/// It builds a stand-in with the longest possible values (a signature of
/// `max_signature_len` bytes, a GeneralizedTime signing time, an unsigned attribute larger
/// than the reserve); DER lengths only grow with content, so the real one is never longer.
pub fn max_signed_data_len(estimate: &SizeEstimate<'_>) -> Result<usize, CmsError> {
    let digest_len = estimate.algorithm.digest().output_len();
    let dummy_digest = vec![0u8; digest_len];
    let mut attrs = SignedAttributesSpec::new(&dummy_digest, estimate.signer_certificate);
    if estimate.signing_time {
        // Year 2050 and later encode as GeneralizedTime, the longer form.
        let latest = OffsetDateTime::from_unix_timestamp(4_102_444_800) // 2100-01-01
            .map_err(|e| DerError::Encode {
                what: "signing time",
                detail: e.to_string(),
            })?;
        attrs = attrs.with_signing_time(latest);
    }
    for extra in estimate.extra_signed_attributes {
        attrs = attrs.with_extra_attribute(extra.clone());
    }
    let signed_attributes = build_signed_attributes(&attrs)?;
    let signature = vec![0xffu8; estimate.max_signature_len];
    let mut spec = SignedDataSpec::new(
        estimate.algorithm,
        &signed_attributes,
        &signature,
        estimate.signer_certificate,
        estimate.chain,
    );
    if estimate.unsigned_reserve > 0 {
        let filler = der::octet_string(&vec![0u8; estimate.unsigned_reserve])?;
        spec = spec.with_unsigned_attribute(encode_attribute(
            &oid::ID_AA_SIGNATURE_TIME_STAMP_TOKEN,
            &[&filler],
        )?);
    }
    Ok(build_signed_data(&spec)?.len())
}
