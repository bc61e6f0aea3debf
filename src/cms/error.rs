//! Errors raised while decoding or encoding CMS structures.

/// Why a CMS structure could not be decoded or encoded.
///
/// Offsets are byte positions from the start of the buffer handed to the parser.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CmsError {
    /// The input ends in the middle of an element.
    #[error("{what} at byte {offset} is truncated")]
    Truncated {
        /// The element being read.
        what: &'static str,
        /// Where it starts.
        offset: usize,
    },
    /// An element is not valid BER, or its content does not fit its ASN.1 type.
    #[error("{what} at byte {offset} is malformed: {detail}")]
    Malformed {
        /// The element being read.
        what: &'static str,
        /// Where it starts.
        offset: usize,
        /// What is wrong with it.
        detail: String,
    },
    /// An element has another tag than the ASN.1 definition allows there.
    #[error("{what} at byte {offset}: expected {expected}, found {found}")]
    UnexpectedTag {
        /// The element being read.
        what: &'static str,
        /// Where it starts.
        offset: usize,
        /// The tag the definition asks for.
        expected: &'static str,
        /// The tag found, as class/number.
        found: String,
    },
    /// The ContentInfo does not hold a SignedData.
    #[error("content type {oid} at byte {offset} is not id-signedData")]
    NotSignedData {
        /// The content type found (dotted form).
        oid: String,
        /// Where the content type starts.
        offset: usize,
    },
    /// A list has more entries than kyso accepts.
    #[error("{what} at byte {offset} has more than {limit} entries")]
    TooMany {
        /// The list.
        what: &'static str,
        /// Where it starts.
        offset: usize,
        /// The limit.
        limit: usize,
    },
    /// Elements are nested deeper than kyso accepts.
    #[error("{what} at byte {offset} is nested too deeply")]
    TooDeep {
        /// The element being read.
        what: &'static str,
        /// Where it starts.
        offset: usize,
    },
    /// A structure has elements after its last defined field.
    #[error("unexpected data inside {what} at byte {offset}")]
    UnexpectedData {
        /// The enclosing structure.
        what: &'static str,
        /// Where the unexpected data starts.
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
    /// The ASN.1 encoder failed (lengths beyond 4 GiB).
    #[error("cannot encode {what}: {detail}")]
    Encode {
        /// The element being encoded.
        what: &'static str,
        /// The encoder's message.
        detail: String,
    },
}
