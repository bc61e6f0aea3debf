//! Why a detached-signature or dossier operation could not be carried out.

use std::path::PathBuf;

/// Why kyso could not sign a file or seal a dossier. Verdicts about a
/// dossier are never errors: they are findings in its report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DossierError {
    /// A file is larger than kyso signs in memory.
    #[error("{}: {size} bytes is more than the limit of {limit} bytes", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
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
