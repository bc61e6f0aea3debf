//! CAdES baseline B-B signatures (ETSI EN 319 122-1 §6) over any content, made with a
//! [`Signer`]: detached (the `.p7s` written beside a file) and enveloping (the `.p7m` that
//! carries its content).
//!
//! The signed attributes are those of [`crate::cms::build_signed_attributes`] (content-type id-data,
//! message-digest, signing-certificate-v2) plus signing-time, which CAdES B-B requires
//! (unlike PAdES, where the time lives in the PDF). For a detached signature the content
//! never enters the CMS: the caller hashes it (streamed, for large files) with the signer's
//! digest algorithm. The CMS layer builds the structures; the signer is asked here, once.

use time::OffsetDateTime;

use crate::cms::{
    build_signed_attributes, build_signed_data, encapsulate_content, CmsError,
    SignedAttributesSpec, SignedDataSpec,
};
use crate::crypto::digest;
use crate::signer::Signer;
use crate::Error;

/// Builds a detached CAdES B-B SignedData (DER ContentInfo) over content whose digest,
/// computed with `signer.algorithm().digest()`, is `content_digest`.
///
/// `signer` signs the DER signed attributes once; nothing else is asked of it.
pub fn build_cades_detached(
    signer: &dyn Signer,
    content_digest: &[u8],
    signing_time: OffsetDateTime,
) -> Result<Vec<u8>, Error> {
    let expected = signer.algorithm().digest().output_len();
    if content_digest.len() != expected {
        return Err(CmsError::InvalidBuildInput {
            what: "content digest",
            detail: format!(
                "{} bytes given, {} needs {expected}",
                content_digest.len(),
                signer.algorithm().digest()
            ),
        }
        .into());
    }
    let spec = SignedAttributesSpec::new(content_digest, signer.certificate())
        .with_signing_time(signing_time);
    let attributes = build_signed_attributes(&spec)?;
    let identity = crate::signer::SignerIdentity::of(signer);
    let signature =
        crate::sign::check::own_signature(&identity, &attributes, signer.sign(&attributes))?;
    Ok(build_signed_data(&SignedDataSpec::new(
        signer.algorithm(),
        &attributes,
        &signature,
        signer.certificate(),
        signer.chain(),
    ))?)
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
