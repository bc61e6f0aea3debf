//! Why an attachment, detached-signature or dossier operation could not be carried out.

use std::path::PathBuf;

/// Why kyso could not attach, extract, sign a file or seal a dossier. Verdicts about a
/// dossier are never errors: they are findings in its report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DossierError {
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
    /// A file is larger than kyso embeds or signs in memory.
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
    /// A file name in the dossier is not UTF-8 or not a safe relative path.
    #[error("{}: {reason}", path.display())]
    BadPath {
        /// The path.
        path: PathBuf,
        /// What is wrong.
        reason: &'static str,
    },
    /// The dossier exceeds a limit (files, directory depth).
    #[error("{what}: more than {limit}")]
    Budget {
        /// Which limit.
        what: &'static str,
        /// The limit.
        limit: u64,
    },
    /// The content is not a CMS SignedData (or holds none of the content it should).
    #[error("{}: {reason}", path.display())]
    NotSignature {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The manifest could not be written as JSON.
    #[error("manifest: {0}")]
    Manifest(#[from] serde_json::Error),
}
