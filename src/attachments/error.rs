//! Why an attachment could not be added, read or extracted.

use std::path::PathBuf;

/// Why kyso could not attach, list or extract an embedded file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AttachmentError {
    /// The document already has an embedded file with this name.
    #[error("the document already has an attachment named \"{name}\"")]
    DuplicateAttachment {
        /// The name.
        name: String,
    },
    /// No embedded file has this name.
    #[error("no attachment named \"{name}\"")]
    NoSuchAttachment {
        /// The name asked for.
        name: String,
    },
    /// A file is larger than kyso embeds.
    #[error("{}: {size} bytes is more than the limit of {limit} bytes", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The document is signed: attaching now would be a change after signing.
    #[error(
        "the document has {signatures} signature(s); attachments must be added before signing \
         (a later attachment is a change the signatures do not cover)"
    )]
    AlreadySigned {
        /// How many signature dictionaries the document holds.
        signatures: usize,
    },
    /// An attachment name is empty or not usable.
    #[error("\"{name}\" cannot be used as an attachment name")]
    BadAttachmentName {
        /// The name.
        name: String,
    },
    /// An embedded file has no readable embedded stream.
    #[error("attachment \"{name}\": {reason}")]
    UnreadableAttachment {
        /// The attachment.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// A file to attach has a name that cannot be used.
    #[error("{}: {reason}", path.display())]
    BadPath {
        /// The path.
        path: PathBuf,
        /// What is wrong.
        reason: &'static str,
    },
}
