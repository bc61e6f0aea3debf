//! Operational errors: kyso could not process the input (as opposed to verdicts about
//! signatures, which live in the report).

use std::path::PathBuf;

/// Why kyso could not do what it was asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}
