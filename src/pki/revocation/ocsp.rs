//! OCSP (RFC 6960): responses parsed on asn1-rs (BER accepted, the signed bytes kept as
//! they are), and requests built with the crate's DER helpers.
//!
//! ```text
//! OCSPResponse ::= SEQUENCE {
//!    responseStatus  OCSPResponseStatus,                       -- ENUMERATED
//!    responseBytes   [0] EXPLICIT ResponseBytes OPTIONAL }
//! ResponseBytes ::= SEQUENCE { responseType OBJECT IDENTIFIER, response OCTET STRING }
//! BasicOCSPResponse ::= SEQUENCE {
//!    tbsResponseData ResponseData, signatureAlgorithm AlgorithmIdentifier,
//!    signature BIT STRING, certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
//! ResponseData ::= SEQUENCE {
//!    version [0] EXPLICIT Version DEFAULT v1, responderID ResponderID,
//!    producedAt GeneralizedTime, responses SEQUENCE OF SingleResponse,
//!    responseExtensions [1] EXPLICIT Extensions OPTIONAL }
//! ResponderID ::= CHOICE { byName [1] Name, byKey [2] KeyHash }
//! SingleResponse ::= SEQUENCE {
//!    certID CertID, certStatus CertStatus, thisUpdate GeneralizedTime,
//!    nextUpdate [0] EXPLICIT GeneralizedTime OPTIONAL,
//!    singleExtensions [1] EXPLICIT Extensions OPTIONAL }
//! CertID ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, issuerNameHash OCTET STRING,
//!    issuerKeyHash OCTET STRING, serialNumber CertificateSerialNumber }
//! CertStatus ::= CHOICE { good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo,
//!    unknown [2] IMPLICIT UnknownInfo }
//! RevokedInfo ::= SEQUENCE { revocationTime GeneralizedTime,
//!    revocationReason [0] EXPLICIT CRLReason OPTIONAL }
//! ```

use std::sync::Arc;

use asn1_rs::Tag;
use time::OffsetDateTime;
use x509_parser::prelude::FromDer;

use super::super::cert::Certificate;
use super::crl::canonical_serial;
use super::RevocationReason;
use crate::asn1::der::{self, Element, Reader};
use crate::asn1::name::NormalizedName;
use crate::cms::CmsError;
use crate::crypto::{digest, AlgorithmIdentifier, DigestAlgorithm};

/// Largest OCSP response kyso parses.
pub const MAX_OCSP_BYTES: usize = 1 << 20;
/// Most single responses and certificates read from one response.
const MAX_ITEMS: usize = 256;

/// id-pkix-ocsp-basic.
const OID_BASIC: &str = "1.3.6.1.5.5.7.48.1.1";
/// id-pkix-ocsp-nonce.
const OID_NONCE: &str = "1.3.6.1.5.5.7.48.1.2";

/// Why an OCSP response could not be read or used.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum OcspError {
    /// The bytes are not an OCSPResponse.
    #[error("malformed OCSP response: {0}")]
    Malformed(String),
    /// The responder answered with an error status.
    #[error("the OCSP responder answered {0}")]
    Status(String),
    /// A response type other than id-pkix-ocsp-basic.
    #[error("unsupported OCSP response type {0}")]
    UnsupportedType(String),
    /// Larger than [`MAX_OCSP_BYTES`].
    #[error("the OCSP response is {0} bytes, more than kyso reads")]
    TooLarge(usize),
}

impl From<CmsError> for OcspError {
    fn from(e: CmsError) -> Self {
        OcspError::Malformed(e.to_string())
    }
}

impl From<crate::asn1::DerError> for OcspError {
    fn from(e: crate::asn1::DerError) -> Self {
        OcspError::Malformed(e.to_string())
    }
}

/// ResponderID.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponderId {
    /// byName.
    ByName(NormalizedName, String),
    /// byKey: SHA-1 of the responder's subjectPublicKey.
    ByKey(Vec<u8>),
}

/// CertID (RFC 6960 §4.1.1).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CertId {
    /// The hash algorithm, when kyso supports it.
    pub hash: Option<DigestAlgorithm>,
    /// Hash of the issuer's DER Name.
    pub issuer_name_hash: Vec<u8>,
    /// Hash of the issuer's subjectPublicKey bits.
    pub issuer_key_hash: Vec<u8>,
    /// The serial number (INTEGER content octets).
    pub serial: Vec<u8>,
}

impl CertId {
    /// The CertID of `cert` issued by `issuer`, with `hash`.
    pub fn for_certificate(
        cert: &Certificate,
        issuer: &Certificate,
        hash: DigestAlgorithm,
    ) -> Option<CertId> {
        Some(CertId {
            hash: Some(hash),
            issuer_name_hash: digest(hash, issuer.subject_raw()),
            issuer_key_hash: digest(hash, subject_public_key_bits(issuer.spki())?),
            serial: cert.serial().to_vec(),
        })
    }

    /// Whether this CertID names `cert` issued by `issuer`.
    pub fn matches(&self, cert: &Certificate, issuer: &Certificate) -> bool {
        let Some(hash) = self.hash else {
            return false;
        };
        CertId::for_certificate(cert, issuer, hash).is_some_and(|mine| {
            mine.issuer_name_hash == self.issuer_name_hash
                && mine.issuer_key_hash == self.issuer_key_hash
                && canonical_serial(&mine.serial) == canonical_serial(&self.serial)
        })
    }
}

/// CertStatus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OcspStatus {
    /// good.
    Good,
    /// revoked.
    Revoked {
        /// revocationTime.
        at: OffsetDateTime,
        /// revocationReason.
        reason: Option<RevocationReason>,
    },
    /// unknown.
    Unknown,
}

/// One SingleResponse.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SingleResponse {
    /// Which certificate.
    pub cert_id: CertId,
    /// Its status.
    pub status: OcspStatus,
    /// thisUpdate.
    pub this_update: OffsetDateTime,
    /// nextUpdate.
    pub next_update: Option<OffsetDateTime>,
    /// Critical single extensions kyso does not understand.
    pub unknown_critical: Vec<String>,
}

/// A successful basic OCSP response, parsed, cheap to clone.
#[derive(Debug, Clone)]
pub struct OcspResponse {
    inner: Arc<Facts>,
}

#[derive(Debug)]
struct Facts {
    der: Vec<u8>,
    tbs: Vec<u8>,
    signature_algorithm_der: Vec<u8>,
    signature: Vec<u8>,
    responder: ResponderId,
    produced_at: OffsetDateTime,
    responses: Vec<SingleResponse>,
    nonce: Option<Vec<u8>>,
    unknown_critical: Vec<String>,
    certificates: Vec<Certificate>,
}

impl OcspResponse {
    /// Parses a DER (or BER) OCSPResponse. Responses whose status is not `successful` are
    /// errors ([`OcspError::Status`]).
    pub fn from_der(input: &[u8]) -> Result<OcspResponse, OcspError> {
        if input.len() > MAX_OCSP_BYTES {
            return Err(OcspError::TooLarge(input.len()));
        }
        const WHAT: &str = "OCSPResponse";
        let mut top = Reader::new(input, 0);
        let outer = top.read(WHAT)?;
        top.finish(WHAT)?;
        outer.expect_universal(Tag::Sequence, WHAT, "SEQUENCE")?;
        let mut fields = outer.children();
        let status_el = fields.read(WHAT)?;
        status_el.expect_universal(Tag::Enumerated, WHAT, "ENUMERATED")?;
        let status = match status_el.content {
            [s] => *s,
            _ => return Err(OcspError::Malformed("responseStatus".into())),
        };
        if status != 0 {
            let name = match status {
                1 => "malformedRequest",
                2 => "internalError",
                3 => "tryLater",
                5 => "sigRequired",
                6 => "unauthorized",
                _ => "an unknown status",
            };
            return Err(OcspError::Status(name.into()));
        }
        let bytes = fields.read_optional_context(0, WHAT)?.ok_or_else(|| {
            OcspError::Malformed("successful response without responseBytes".into())
        })?;
        fields.finish(WHAT)?;
        let mut rb_reader = bytes.children();
        let rb = rb_reader.read("ResponseBytes")?;
        rb_reader.finish("ResponseBytes")?;
        rb.expect_universal(Tag::Sequence, "ResponseBytes", "SEQUENCE")?;
        let mut rb_fields = rb.children();
        let rtype = rb_fields.read("ResponseBytes")?.oid("responseType")?;
        if rtype.to_id_string() != OID_BASIC {
            return Err(OcspError::UnsupportedType(rtype.to_id_string()));
        }
        let response = rb_fields.read("ResponseBytes")?.octet_string("response")?;
        rb_fields.finish("ResponseBytes")?;
        let mut facts = parse_basic(&response)?;
        facts.der = input.to_vec();
        Ok(OcspResponse {
            inner: Arc::new(facts),
        })
    }

    /// The whole response as given.
    pub fn der(&self) -> &[u8] {
        &self.inner.der
    }
    /// The signed ResponseData bytes.
    pub fn tbs(&self) -> &[u8] {
        &self.inner.tbs
    }
    /// The signature algorithm (DER AlgorithmIdentifier).
    pub fn signature_algorithm_der(&self) -> &[u8] {
        &self.inner.signature_algorithm_der
    }
    /// The signature value.
    pub fn signature(&self) -> &[u8] {
        &self.inner.signature
    }
    /// responderID.
    pub fn responder(&self) -> &ResponderId {
        &self.inner.responder
    }
    /// producedAt.
    pub fn produced_at(&self) -> OffsetDateTime {
        self.inner.produced_at
    }
    /// The single responses.
    pub fn responses(&self) -> &[SingleResponse] {
        &self.inner.responses
    }
    /// The nonce extension's value, when present.
    pub fn nonce(&self) -> Option<&[u8]> {
        self.inner.nonce.as_deref()
    }
    /// Critical response extensions kyso does not understand.
    pub fn unknown_critical_extensions(&self) -> &[String] {
        &self.inner.unknown_critical
    }
    /// The certificates sent with the response (a delegated responder's, usually).
    pub fn certificates(&self) -> &[Certificate] {
        &self.inner.certificates
    }
    /// The responder as text, for messages.
    pub fn responder_text(&self) -> String {
        match self.responder() {
            ResponderId::ByName(_, text) => text.clone(),
            ResponderId::ByKey(k) => format!("key {}", crate::util::hex(k)),
        }
    }
}

fn malformed(what: &str) -> OcspError {
    OcspError::Malformed(what.to_string())
}

fn parse_basic(input: &[u8]) -> Result<Facts, OcspError> {
    const WHAT: &str = "BasicOCSPResponse";
    let mut top = Reader::new(input, 0);
    let basic = top.read(WHAT)?;
    top.finish(WHAT)?;
    basic.expect_universal(Tag::Sequence, WHAT, "SEQUENCE")?;
    let mut fields = basic.children();
    let tbs = fields.read(WHAT)?;
    tbs.expect_universal(Tag::Sequence, "ResponseData", "SEQUENCE")?;
    let alg = fields.read(WHAT)?;
    AlgorithmIdentifier::from_element(&alg)?;
    let sig = fields.read(WHAT)?;
    let signature = bit_string(&sig)?.to_vec();
    let mut certificates = Vec::new();
    if let Some(certs) = fields.read_optional_context(0, WHAT)? {
        let mut r = certs.children();
        let seq = r.read("certs")?;
        r.finish("certs")?;
        let mut items = seq.children();
        while !items.is_empty() {
            let c = items.read("certs")?;
            if certificates.len() >= MAX_ITEMS {
                return Err(malformed("too many certificates"));
            }
            // A certificate kyso cannot read is left out; the response may still be signed
            // by the CA itself.
            if let Ok(cert) = Certificate::from_der(c.raw) {
                certificates.push(cert);
            }
        }
    }
    fields.finish(WHAT)?;

    let mut data = tbs.children();
    let mut next = data.read("ResponseData")?;
    if next.is_context(0) {
        next = data.read("ResponseData")?;
    }
    let responder = if next.is_context(1) {
        let mut r = next.children();
        let name = r.read("responderID")?;
        r.finish("responderID")?;
        let normalized =
            NormalizedName::from_der(name.raw).ok_or_else(|| malformed("responderID byName"))?;
        let text = x509_parser::x509::X509Name::from_der(name.raw)
            .map(|(_, n)| super::super::cert::format_name(&n))
            .unwrap_or_default();
        ResponderId::ByName(normalized, text)
    } else if next.is_context(2) {
        let mut r = next.children();
        let key = r.read("responderID")?.octet_string("byKey")?;
        r.finish("responderID")?;
        ResponderId::ByKey(key.to_vec())
    } else {
        return Err(malformed("responderID"));
    };
    let produced_at = time_of(&data.read("producedAt")?)?;
    let list = data.read("responses")?;
    list.expect_universal(Tag::Sequence, "responses", "SEQUENCE")?;
    let mut responses = Vec::new();
    let mut items = list.children();
    while !items.is_empty() {
        if responses.len() >= MAX_ITEMS {
            return Err(malformed("too many single responses"));
        }
        responses.push(parse_single(&items.read("SingleResponse")?)?);
    }
    let mut nonce = None;
    let mut unknown_critical = Vec::new();
    if let Some(exts) = data.read_optional_context(1, "responseExtensions")? {
        for (oid, critical, value) in extensions(&exts)? {
            if oid == OID_NONCE {
                // RFC 8954: the value is an OCTET STRING holding the nonce; older responders
                // put the raw bytes. Keep the inner octets when they parse.
                let inner = Reader::new(value, 0)
                    .read("nonce")
                    .ok()
                    .and_then(|e| e.octet_string("nonce").ok().map(|c| c.to_vec()));
                nonce = Some(inner.unwrap_or_else(|| value.to_vec()));
            } else if critical {
                unknown_critical.push(oid);
            }
        }
    }
    data.finish("ResponseData")?;
    Ok(Facts {
        der: Vec::new(),
        tbs: tbs.raw.to_vec(),
        signature_algorithm_der: alg.raw.to_vec(),
        signature,
        responder,
        produced_at,
        responses,
        nonce,
        unknown_critical,
        certificates,
    })
}

fn parse_single(el: &Element<'_>) -> Result<SingleResponse, OcspError> {
    const WHAT: &str = "SingleResponse";
    el.expect_universal(Tag::Sequence, WHAT, "SEQUENCE")?;
    let mut f = el.children();
    let cid = f.read(WHAT)?;
    cid.expect_universal(Tag::Sequence, "CertID", "SEQUENCE")?;
    let mut c = cid.children();
    let alg = AlgorithmIdentifier::from_element(&c.read("CertID")?)?;
    let issuer_name_hash = c.read("CertID")?.octet_string("issuerNameHash")?.to_vec();
    let issuer_key_hash = c.read("CertID")?.octet_string("issuerKeyHash")?.to_vec();
    let serial = c.read("CertID")?.integer_bytes("serialNumber")?.to_vec();
    c.finish("CertID")?;
    let status_el = f.read(WHAT)?;
    let status = if status_el.is_context(0) {
        OcspStatus::Good
    } else if status_el.is_context(1) {
        let mut r = status_el.children();
        let at = time_of(&r.read("RevokedInfo")?)?;
        let mut reason = None;
        if let Some(rr) = r.read_optional_context(0, "revocationReason")? {
            let mut inner = rr.children();
            let e = inner.read("revocationReason")?;
            e.expect_universal(Tag::Enumerated, "revocationReason", "ENUMERATED")?;
            if let [code] = e.content {
                reason = Some(RevocationReason::from_code(*code));
            }
        }
        OcspStatus::Revoked { at, reason }
    } else if status_el.is_context(2) {
        OcspStatus::Unknown
    } else {
        return Err(malformed("certStatus"));
    };
    let this_update = time_of(&f.read(WHAT)?)?;
    let mut next_update = None;
    if let Some(n) = f.read_optional_context(0, "nextUpdate")? {
        let mut r = n.children();
        next_update = Some(time_of(&r.read("nextUpdate")?)?);
    }
    let mut unknown_critical = Vec::new();
    if let Some(exts) = f.read_optional_context(1, "singleExtensions")? {
        for (oid, critical, _) in extensions(&exts)? {
            if critical {
                unknown_critical.push(oid);
            }
        }
    }
    f.finish(WHAT)?;
    Ok(SingleResponse {
        cert_id: CertId {
            hash: DigestAlgorithm::from_oid(&alg.oid),
            issuer_name_hash,
            issuer_key_hash,
            serial,
        },
        status,
        this_update,
        next_update,
        unknown_critical,
    })
}

/// One extension: (OID, critical, value octets).
type Extension<'a> = (String, bool, &'a [u8]);

/// `[n] EXPLICIT Extensions`.
fn extensions<'a>(wrapper: &Element<'a>) -> Result<Vec<Extension<'a>>, OcspError> {
    let mut r = wrapper.children();
    let seq = r.read("Extensions")?;
    r.finish("Extensions")?;
    let mut out = Vec::new();
    let mut items = seq.children();
    while !items.is_empty() {
        if out.len() >= MAX_ITEMS {
            return Err(malformed("too many extensions"));
        }
        let ext = items.read("Extension")?;
        let mut f = ext.children();
        let oid = f.read("Extension")?.oid("extnID")?.to_id_string();
        let mut v = f.read("Extension")?;
        let mut critical = false;
        if v.is_universal(Tag::Boolean) {
            critical = v.content.first().is_some_and(|b| *b != 0);
            v = f.read("Extension")?;
        }
        f.finish("Extension")?;
        if !v.is_universal(Tag::OctetString) || v.constructed {
            return Err(malformed("extnValue"));
        }
        out.push((oid, critical, v.content));
    }
    Ok(out)
}

fn time_of(el: &Element<'_>) -> Result<OffsetDateTime, OcspError> {
    if el.constructed {
        return Err(malformed("time"));
    }
    let parsed = if el.is_universal(Tag::GeneralizedTime) {
        asn1_rs::GeneralizedTime::from_bytes(el.content).and_then(|t| t.utc_datetime())
    } else if el.is_universal(Tag::UtcTime) {
        asn1_rs::UtcTime::from_bytes(el.content).and_then(|t| t.utc_adjusted_datetime())
    } else {
        return Err(malformed("time"));
    };
    parsed
        .map(|t| t.to_offset(time::UtcOffset::UTC))
        .map_err(|e| OcspError::Malformed(format!("time: {e}")))
}

fn bit_string<'a>(el: &Element<'a>) -> Result<&'a [u8], OcspError> {
    if !el.is_universal(Tag::BitString) || el.constructed {
        return Err(malformed("BIT STRING"));
    }
    match el.content.split_first() {
        Some((0, rest)) => Ok(rest),
        _ => Err(malformed("BIT STRING with unused bits")),
    }
}

/// The subjectPublicKey bits of a DER SubjectPublicKeyInfo (what CertID and byKey hash).
pub(crate) fn subject_public_key_bits(spki: &[u8]) -> Option<&[u8]> {
    let mut r = Reader::new(spki, 0);
    let seq = r.read("SubjectPublicKeyInfo").ok()?;
    let mut f = seq.children();
    f.read("SubjectPublicKeyInfo").ok()?;
    let bits = f.read("SubjectPublicKeyInfo").ok()?;
    bit_string(&bits).ok()
}

/// Builds a DER OCSPRequest for `cert` issued by `issuer` (CertID with SHA-1, as responders
/// expect), with a nonce extension when `nonce` is given.
pub fn build_request(
    cert: &Certificate,
    issuer: &Certificate,
    nonce: Option<&[u8]>,
) -> Result<Vec<u8>, CmsError> {
    let bad = || {
        CmsError::from(crate::asn1::DerError::Malformed {
            what: "OCSP request",
            offset: 0,
            detail: "the issuer's public key cannot be read".into(),
        })
    };
    let id = CertId::for_certificate(cert, issuer, DigestAlgorithm::Sha1).ok_or_else(bad)?;
    let cert_id = der::sequence(&[
        &DigestAlgorithm::Sha1.algorithm_identifier_der()?,
        &der::octet_string(&id.issuer_name_hash)?,
        &der::octet_string(&id.issuer_key_hash)?,
        &der::integer_from_content(&id.serial)?,
    ])?;
    let request = der::sequence(&[&cert_id])?;
    let request_list = der::sequence(&[&request])?;
    let tbs = match nonce {
        Some(n) => {
            let oid = asn1_rs::Oid::from(&[1, 3, 6, 1, 5, 5, 7, 48, 1, 2]).map_err(|_| bad())?;
            let value = der::octet_string(&der::octet_string(n)?)?;
            let ext = der::sequence(&[&der::oid(&oid)?, &value])?;
            let exts = der::sequence(&[&ext])?;
            der::sequence(&[&request_list, &der::explicit(2, &exts)?])?
        }
        None => der::sequence(&[&request_list])?,
    };
    Ok(der::sequence(&[&tbs])?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(OcspResponse::from_der(b"").is_err());
        assert!(OcspResponse::from_der(&[0x30, 0x03, 0x0a, 0x01, 0x01]).is_err());
        assert!(matches!(
            OcspResponse::from_der(&[0x30, 0x03, 0x0a, 0x01, 0x03]),
            Err(OcspError::Status(_))
        ));
    }
}
