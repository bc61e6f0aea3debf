//! The CMS side of a PDF signature: sizing the placeholder, the signed attributes (the bytes
//! to sign) and the SignedData around a signature.

use time::OffsetDateTime;

use crate::cms::{
    build_signed_attributes, build_signed_data, max_signed_data_len, SignedAttributesSpec,
    SignedDataSpec, SizeEstimate,
};
use crate::refusal::Refusal;
use crate::signer::SignerIdentity;
use crate::Error;

/// An upper bound of the CMS length this identity produces, with or without a signing-time
/// attribute, with room for a timestamp token of `token_reserve` bytes, plus the identity's
/// extra reserve.
pub(crate) fn max_len(
    identity: &SignerIdentity,
    signing_time: bool,
    token_reserve: usize,
) -> Result<usize, Error> {
    let estimate = SizeEstimate::new(
        identity.algorithm(),
        identity.max_signature_len(),
        identity.certificate(),
        identity.chain(),
    )
    .with_signing_time(signing_time)
    .with_unsigned_reserve(token_reserve);
    max_signed_data_len(&estimate)?
        .checked_add(identity.cms_reserve())
        .ok_or_else(|| Error::from(Refusal::CmsReserveTooLarge))
}

/// The signed attributes for `content_digest`: the bytes the signer signs.
pub(crate) fn signed_attributes(
    identity: &SignerIdentity,
    content_digest: &[u8],
    signing_time: Option<OffsetDateTime>,
) -> Result<Vec<u8>, Error> {
    let mut spec = SignedAttributesSpec::new(content_digest, identity.certificate());
    if let Some(t) = signing_time {
        spec = spec.with_signing_time(t);
    }
    Ok(build_signed_attributes(&spec)?)
}

/// The detached SignedData (DER ContentInfo) around `signature` over `attributes`, with
/// unsigned attributes (DER `Attribute`s: a signature timestamp).
pub(crate) fn signed_data_with(
    identity: &SignerIdentity,
    attributes: &[u8],
    signature: &[u8],
    unsigned: Vec<Vec<u8>>,
) -> Result<Vec<u8>, Error> {
    let mut spec = SignedDataSpec::new(
        identity.algorithm(),
        attributes,
        signature,
        identity.certificate(),
        identity.chain(),
    );
    for attribute in unsigned {
        spec = spec.with_unsigned_attribute(attribute);
    }
    Ok(build_signed_data(&spec)?)
}
