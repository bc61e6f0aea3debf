//! Operational errors: kyso could not do what it was asked (as opposed to verdicts about
//! signatures, which live in the [report](crate::report)).

use std::path::{Path, PathBuf};

use crate::pdf::incremental::WriteError;
use crate::pdf::serialize::SerializeError;
use crate::pdf::PdfError;
use crate::pki::CertError;
use crate::refusal::Refusal;

/// Why kyso could not process a request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The PDF could not be read.
    #[error("{}{source}", prefix(path))]
    Pdf {
        /// The file, when known.
        path: Option<PathBuf>,
        /// What was wrong.
        #[source]
        source: PdfError,
    },
    /// kyso refuses: the document does not allow the change or cannot be updated safely,
    /// or a signature made elsewhere does not fit it. Nothing was written.
    #[error("{}{refusal}", prefix(path))]
    Refused {
        /// The file, when known.
        path: Option<PathBuf>,
        /// Why (match on it; [`Refusal::text`] gives the message in Vietnamese).
        refusal: Refusal,
    },
    /// The incremental update could not be written.
    #[error("writing the update: {0}")]
    Write(#[from] WriteError),
    /// A PDF object could not be written (a value PDF cannot represent).
    #[error("writing a PDF object: {0}")]
    Serialize(#[from] SerializeError),
    /// A step of kyso failed that cannot fail unless kyso has a bug; please report it.
    /// Nothing was written.
    #[error("internal error in kyso (please report it): {what}")]
    Internal {
        /// The step.
        what: &'static str,
    },
    /// A certificate could not be read.
    #[error("{what}: {source}")]
    Certificate {
        /// Which certificate (a file name or a role).
        what: String,
        /// What was wrong.
        #[source]
        source: CertError,
    },
    /// The signer failed or refused.
    #[error("signer: {0}")]
    Signer(#[from] crate::signer::SignerError),
    /// A key could not be loaded.
    #[error("key: {0}")]
    Key(#[from] crate::crypto::KeyError),
    /// Building the CMS structure failed.
    #[error("CMS: {0}")]
    Cms(#[from] crate::cms::CmsError),
    /// An ASN.1 element could not be read or written.
    #[error("ASN.1: {0}")]
    Der(#[from] crate::asn1::DerError),
    /// A visible signature could not be prepared (font, image, template, placement).
    /// Nothing was written.
    #[error("appearance: {0}")]
    Appearance(#[from] crate::sign::appearance::AppearanceError),
    /// A font, image or text of an appearance (visible signature, form field) could not be
    /// drawn. Nothing was written.
    #[error("appearance: {0}")]
    Draw(#[from] crate::draw::DrawError),
    /// The demo could not be prepared.
    #[error("demo: {0}")]
    Demo(String),
    /// A timestamp could not be obtained or was refused (signing with timestamps, document
    /// timestamps). Nothing was written.
    #[error("timestamp: {0}")]
    Timestamp(#[from] crate::tsp::TspError),
    /// An attachment, detached-signature or dossier operation failed.
    #[error(transparent)]
    Dossier(#[from] crate::dossier::DossierError),
    /// An embedded file could not be added, read or extracted.
    #[error("{0}")]
    Attachment(#[from] crate::attachments::AttachmentError),
    /// The signer's certificate cannot make a signature that verifies (expired or not yet
    /// valid at the signing time, a key usage that forbids signing, a key that is not the
    /// certificate's). Nothing was written.
    #[error("{0}{note}", note = .0.refusal_note())]
    UnfitCertificate(#[from] crate::sign::UnfitCertificate),
    /// A signature value could not be checked (a malformed key or signature, an algorithm
    /// kyso does not support).
    #[error("signature check: {0}")]
    SignatureCheck(#[from] crate::crypto::SignatureCheckError),
    /// RSASSA-PSS parameters could not be used.
    #[error(transparent)]
    PssParams(#[from] crate::crypto::PssParamsError),
    /// A CRL could not be read.
    #[error("CRL: {0}")]
    Crl(#[from] crate::pki::CrlError),
    /// An OCSP response could not be read.
    #[error("OCSP: {0}")]
    Ocsp(#[from] crate::pki::OcspError),
    /// Revocation data or a certificate could not be fetched.
    #[error("fetching: {0}")]
    Fetch(#[from] crate::pki::FetchError),
    /// A form could not be filled or flattened (problems with the data, a certification
    /// that forbids the change, a signed document to flatten). Nothing was written.
    #[error(transparent)]
    Form(#[from] crate::form::FormError),
    /// An output file was not written: it exists, is an input, is a symbolic link, or its
    /// directory is missing (see [`crate::output`]). Nothing was written.
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
    /// A built-in trust profile is unknown or not installed (see [`crate::pki::profiles`]).
    #[error(transparent)]
    TrustProfile(#[from] crate::pki::TrustProfileError),
}

fn prefix(path: &Option<PathBuf>) -> String {
    match path {
        Some(p) => format!("{}: ", p.display()),
        None => String::new(),
    }
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// The refusal, when kyso refused.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            Error::Refused { refusal, .. } => Some(refusal),
            _ => None,
        }
    }

    /// Names the file the error is about, if it does not name one yet.
    pub fn with_path(self, p: &Path) -> Self {
        match self {
            Error::Pdf { path: None, source } => Error::Pdf {
                path: Some(p.to_path_buf()),
                source,
            },
            Error::Refused {
                path: None,
                refusal,
            } => Error::Refused {
                path: Some(p.to_path_buf()),
                refusal,
            },
            other => other,
        }
    }
}

impl From<PdfError> for Error {
    fn from(source: PdfError) -> Self {
        Error::Pdf { path: None, source }
    }
}

impl From<CertError> for Error {
    fn from(source: CertError) -> Self {
        Error::Certificate {
            what: "certificate".into(),
            source,
        }
    }
}

impl From<crate::signer::Pkcs12Error> for Error {
    fn from(e: crate::signer::Pkcs12Error) -> Self {
        Error::Signer(e.into())
    }
}

#[cfg(feature = "pkcs11")]
impl From<crate::signer::pkcs11::Pkcs11Error> for Error {
    fn from(e: crate::signer::pkcs11::Pkcs11Error) -> Self {
        Error::Signer(crate::signer::SignerError::Pkcs11(e))
    }
}

impl From<Refusal> for Error {
    fn from(refusal: Refusal) -> Self {
        Error::Refused {
            path: None,
            refusal,
        }
    }
}
