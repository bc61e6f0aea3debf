//! Enveloping CMS signatures (`.p7m`): the SignedData carries the signed content in
//! `encapContentInfo.eContent` (RFC 5652 §5.2).
//!
//! Parsing needs nothing new ([`parse_signed_data`](super::parse_signed_data) returns the
//! content in `econtent`); building starts from a detached SignedData and puts the content
//! into its `encapContentInfo`, so that one builder writes every SignedData kyso makes.

use time::OffsetDateTime;

use super::der::{self, Reader};
use super::detached::build_cades_detached;
use super::error::CmsError;
use crate::crypto::digest;
use crate::signer::Signer;
use crate::Error;

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
        return Err(explicit.malformed("ContentInfo content", "expected DER [0] EXPLICIT"));
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
                return Err(field.malformed("encapContentInfo", "already holds content"));
            }
            let e_content = der::explicit(0, &der::octet_string(content)?)?;
            parts.push(der::sequence(&[e_content_type.raw, &e_content])?);
        } else {
            parts.push(field.raw.to_vec());
        }
        index = index.saturating_add(1);
    }
    if index < 4 {
        return Err(signed_data.malformed("SignedData", "too few fields"));
    }
    let part_refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    let signed_data = der::sequence(&part_refs)?;
    der::sequence(&[content_type.raw, &der::explicit(0, &signed_data)?])
}

/// Builds an enveloping CAdES B-B SignedData over `content` (held in memory): the detached
/// signature of [`build_cades_detached`] with the content encapsulated.
pub fn build_cades_enveloping(
    signer: &dyn Signer,
    content: &[u8],
    signing_time: OffsetDateTime,
) -> Result<Vec<u8>, Error> {
    let content_digest = digest(signer.algorithm().digest(), content);
    let detached = build_cades_detached(signer, &content_digest, signing_time)?;
    Ok(encapsulate_content(&detached, content)?)
}
