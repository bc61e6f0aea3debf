//! Errors raised while decoding or encoding CMS structures.

/// Why a CMS structure could not be decoded or encoded.
///
/// Offsets are byte positions from the start of the buffer handed to the parser.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CmsError {
    /// An element could not be read or written as DER/BER.
    #[error(transparent)]
    Der(#[from] crate::asn1::DerError),
    /// The ContentInfo does not hold a SignedData.
    #[error("content type {oid} at byte {offset} is not id-signedData")]
    NotSignedData {
        /// The content type found (dotted form).
        oid: String,
        /// Where the content type starts.
        offset: usize,
    },
    /// A single-valued attribute occurs more than once, or has more or fewer than one value.
    #[error("{attribute} attribute at byte {offset}: {detail}")]
    AttributeCardinality {
        /// The attribute's name.
        attribute: &'static str,
        /// Where the (first) attribute starts.
        offset: usize,
        /// What is wrong.
        detail: &'static str,
    },
    /// An input to the CMS builder is unusable (for example a certificate that is not DER).
    #[error("cannot build CMS: {what}: {detail}")]
    InvalidBuildInput {
        /// The input.
        what: &'static str,
        /// What is wrong with it.
        detail: String,
    },
}
