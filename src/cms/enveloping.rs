//! Enveloping CMS signatures (`.p7m`): the SignedData carries the signed content in
//! `encapContentInfo.eContent` (RFC 5652 §5.2).
//!
//! Parsing needs nothing new ([`parse_signed_data`](super::parse_signed_data) returns the
//! content in `econtent`); building starts from a detached SignedData and puts the content
//! into its `encapContentInfo`, so that one builder writes every SignedData kyso makes (the
//! signer-driven CAdES builders are `dossier::build_cades_detached` and
//! `dossier::build_cades_enveloping`).

use super::error::CmsError;
use crate::asn1::der::{self, Reader};

/// Returns `detached` (a DER ContentInfo holding a SignedData without eContent, as
/// [`build_signed_data`](super::build_signed_data) makes) with `content` placed in its
/// `encapContentInfo` as `eContent [0] EXPLICIT OCTET STRING`. The signed attributes are
/// untouched: their message-digest must already be the digest of `content`.
pub fn encapsulate_content(detached: &[u8], content: &[u8]) -> Result<Vec<u8>, CmsError> {
    let mut top = Reader::new(detached, 0);
    let content_info = top.read("ContentInfo")?;
    top.finish("ContentInfo")?;
    let mut ci = content_info.children();
    let content_type = ci.read("ContentInfo contentType")?;
    let explicit = ci.read("ContentInfo content")?;
    ci.finish("ContentInfo")?;
    if content_info.indefinite || explicit.indefinite || !explicit.is_context(0) {
        return Err(explicit
            .malformed("ContentInfo content", "expected DER [0] EXPLICIT")
            .into());
    }
    let mut inner = explicit.children();
    let signed_data = inner.read("SignedData")?;
    inner.finish("ContentInfo content")?;

    let mut fields = signed_data.children();
    let mut parts: Vec<Vec<u8>> = Vec::new();
    let mut index = 0usize;
    while !fields.is_empty() {
        let field = fields.read("SignedData field")?;
        if index == 2 {
            // encapContentInfo ::= SEQUENCE { eContentType, eContent [0] EXPLICIT OPTIONAL }
            let mut encap = field.children();
            let e_content_type = encap.read("eContentType")?;
            if !encap.is_empty() {
                return Err(field
                    .malformed("encapContentInfo", "already holds content")
                    .into());
            }
            let e_content = der::explicit(0, &der::octet_string(content)?)?;
            parts.push(der::sequence(&[e_content_type.raw, &e_content])?);
        } else {
            parts.push(field.raw.to_vec());
        }
        index = index.saturating_add(1);
    }
    if index < 4 {
        return Err(signed_data.malformed("SignedData", "too few fields").into());
    }
    let part_refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    let signed_data = der::sequence(&part_refs)?;
    Ok(der::sequence(&[
        content_type.raw,
        &der::explicit(0, &signed_data)?,
    ])?)
}
