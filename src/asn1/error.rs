//! Why DER/BER could not be read or written.

/// Why an ASN.1 element could not be decoded or encoded.
///
/// Offsets are byte positions from the start of the buffer handed to the reader.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DerError {
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
    /// The ASN.1 encoder failed (lengths beyond 4 GiB).
    #[error("cannot encode {what}: {detail}")]
    Encode {
        /// The element being encoded.
        what: &'static str,
        /// The encoder's message.
        detail: String,
    },
}
