//! Revocation data embedded in signatures: the CMS `crls` field (CRLs and RFC 5940 OCSP
//! responses) and Adobe's adbe-revocationInfoArchival signed attribute.
//!
//! ```text
//! RevocationInfoArchival ::= SEQUENCE {
//!     crl [0] EXPLICIT SEQUENCE of CRLs OPTIONAL,
//!     ocsp [1] EXPLICIT SEQUENCE of OCSP Responses OPTIONAL,
//!     otherRevInfo [2] EXPLICIT SEQUENCE of OtherRevInfo OPTIONAL }
//! OtherRevocationInfoFormat ::= SEQUENCE {          -- RFC 5652 §10.2.1, RFC 5940 §2.1
//!     otherRevInfoFormat OBJECT IDENTIFIER, otherRevInfo ANY }
//! ```

use asn1_rs::Tag;

use super::{Origin, RevocationData};
use crate::asn1::der::Reader;

/// id-ri-ocsp-response (RFC 5940).
const OID_RI_OCSP_RESPONSE: &str = "1.3.6.1.5.5.7.16.2";

/// Adds the CRLs and OCSP responses of an adbe-revocationInfoArchival attribute value to
/// `data`; returns one line per item that could not be read.
pub fn add_revocation_info_archival(
    value: &[u8],
    origin: Origin,
    data: &mut RevocationData,
) -> Vec<String> {
    let mut problems = Vec::new();
    let mut reader = Reader::new(value, 0);
    let Ok(seq) = reader.read("RevocationInfoArchival") else {
        return vec!["adbe-revocationInfoArchival: not a SEQUENCE".into()];
    };
    if !seq.is_universal(Tag::Sequence) {
        return vec!["adbe-revocationInfoArchival: not a SEQUENCE".into()];
    }
    let mut fields = seq.children();
    while !fields.is_empty() {
        let Ok(field) = fields.read("RevocationInfoArchival") else {
            problems.push("adbe-revocationInfoArchival: malformed".into());
            break;
        };
        let mut inner = field.children();
        let Ok(list) = inner.read("RevocationInfoArchival") else {
            problems.push("adbe-revocationInfoArchival: malformed field".into());
            continue;
        };
        let mut items = list.children();
        while !items.is_empty() {
            let Ok(item) = items.read("RevocationInfoArchival") else {
                problems.push("adbe-revocationInfoArchival: malformed item".into());
                break;
            };
            if field.is_context(0) {
                if let Err(e) = data.add_crl_der(item.raw, origin) {
                    problems.push(format!("a CRL in adbe-revocationInfoArchival: {e}"));
                }
            } else if field.is_context(1) {
                if let Err(e) = data.add_ocsp_der(item.raw, origin) {
                    problems.push(format!(
                        "an OCSP response in adbe-revocationInfoArchival: {e}"
                    ));
                }
            }
        }
    }
    problems
}

/// Adds a CMS `crls` entry that is an OtherRevocationInfoFormat (RFC 5940 OCSP responses);
/// returns what could not be used.
pub fn add_other_revocation_info(
    raw: &[u8],
    origin: Origin,
    data: &mut RevocationData,
) -> Option<String> {
    let mut reader = Reader::new(raw, 0);
    let el = reader.read("OtherRevocationInfoFormat").ok()?;
    let mut fields = el.children();
    let oid = fields
        .read("OtherRevocationInfoFormat")
        .ok()?
        .oid("format")
        .ok()?;
    let value = fields.read("OtherRevocationInfoFormat").ok()?;
    if oid.to_id_string() != OID_RI_OCSP_RESPONSE {
        return Some(format!(
            "revocation information of format {} is not used",
            oid.to_id_string()
        ));
    }
    data.add_ocsp_der(value.raw, origin)
        .err()
        .map(|e| format!("an OCSP response in the CMS: {e}"))
}
