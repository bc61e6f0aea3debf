//! The CMS side of a PDF signature: sizing the placeholder and producing the SignedData.

use time::OffsetDateTime;

use crate::cms::{
    build_signed_attributes, build_signed_data, max_signed_data_len, SignedAttributesSpec,
    SignedDataSpec, SizeEstimate,
};
use crate::signer::Signer;
use crate::Error;

/// An upper bound of the CMS length this signer produces, with or without a signing-time
/// attribute.
pub(crate) fn max_len(signer: &dyn Signer, signing_time: bool) -> Result<usize, Error> {
    let estimate = SizeEstimate::new(
        signer.algorithm(),
        signer.max_signature_len(),
        signer.certificate(),
        signer.chain(),
    )
    .with_signing_time(signing_time);
    Ok(max_signed_data_len(&estimate)?)
}

/// Builds the signed attributes for `content_digest`, has `signer` sign them, and assembles
/// the detached SignedData (DER ContentInfo).
pub(crate) fn sign_detached(
    signer: &dyn Signer,
    content_digest: &[u8],
    signing_time: Option<OffsetDateTime>,
) -> Result<Vec<u8>, Error> {
    let mut spec = SignedAttributesSpec::new(content_digest, signer.certificate());
    if let Some(t) = signing_time {
        spec = spec.with_signing_time(t);
    }
    let attributes = build_signed_attributes(&spec)?;
    let signature = signer.sign(&attributes)?;
    let content_info = build_signed_data(&SignedDataSpec::new(
        signer.algorithm(),
        &attributes,
        &signature,
        signer.certificate(),
        signer.chain(),
    ))?;
    Ok(content_info)
}
