//! Trust anchors: the certificates a verifier accepts as the end of a path.

use std::path::Path;

use super::cert::{CertError, Certificate};
use crate::Error;

/// An immutable set of trust anchors. Build it once, share it between verifications.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    anchors: Vec<Certificate>,
}

impl TrustStore {
    /// A store with no anchor: every chain comes out as "no trust anchors configured".
    pub fn empty() -> Self {
        TrustStore::default()
    }

    /// Anchors from DER certificates.
    pub fn from_der_certificates<I, B>(certs: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = B>,
        B: AsRef<[u8]>,
    {
        let mut store = TrustStore::empty();
        for der in certs {
            store.add_der(der.as_ref())?;
        }
        Ok(store)
    }

    /// Adds one DER certificate.
    pub fn add_der(&mut self, der: &[u8]) -> Result<(), Error> {
        let cert = Certificate::from_der(der).map_err(|e| Error::Certificate {
            what: "trust anchor".into(),
            source: e,
        })?;
        if !self.anchors.contains(&cert) {
            self.anchors.push(cert);
        }
        Ok(())
    }

    /// Adds every certificate of a file: PEM (one or more `CERTIFICATE` blocks) or DER.
    pub fn add_file(&mut self, path: &Path) -> Result<(), Error> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let ders = certificates_from_pem_or_der(&bytes).map_err(|e| Error::Certificate {
            what: path.display().to_string(),
            source: e,
        })?;
        for der in ders {
            self.add_der(&der).map_err(|e| match e {
                Error::Certificate { source, .. } => Error::Certificate {
                    what: path.display().to_string(),
                    source,
                },
                other => other,
            })?;
        }
        Ok(())
    }

    /// The anchors.
    pub fn anchors(&self) -> &[Certificate] {
        &self.anchors
    }

    /// True when there is no anchor.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// The anchor with exactly this DER encoding, if any.
    pub fn find_exact(&self, der: &[u8]) -> Option<&Certificate> {
        self.anchors.iter().find(|a| a.der() == der)
    }
}

/// Reads certificates from PEM text (every `CERTIFICATE` block) or from one DER certificate.
pub fn certificates_from_pem_or_der(bytes: &[u8]) -> Result<Vec<Vec<u8>>, CertError> {
    let looks_pem = bytes.windows(11).take(4096).any(|w| w == b"-----BEGIN ");
    if !looks_pem {
        return Ok(vec![bytes.to_vec()]);
    }
    let mut out = Vec::new();
    for pem in x509_parser::pem::Pem::iter_from_buffer(bytes) {
        let pem = pem.map_err(|e| CertError::Malformed(format!("PEM: {e}")))?;
        if pem.label == "CERTIFICATE" || pem.label == "X509 CERTIFICATE" {
            out.push(pem.contents);
        }
    }
    if out.is_empty() {
        return Err(CertError::Malformed("no CERTIFICATE block in PEM".into()));
    }
    Ok(out)
}
