//! The signer options every signing command shares (`sign`, `sign-file`, `dossier seal`):
//! the one place they are declared and loaded.

use std::path::{Path, PathBuf};

use kyso::crypto::{load_certificates, PrivateKey};
use kyso::signer::{Signer, SoftwareSigner};

use crate::output::Failure;

/// Where the signing key and certificates come from.
#[derive(clap::Args)]
pub struct SignerArgs {
    /// Private key: PKCS#8, PKCS#1 RSA or SEC1 EC, PEM or DER.
    #[arg(long)]
    key: PathBuf,
    /// Signer's certificate, PEM or DER.
    #[arg(long)]
    cert: PathBuf,
    /// Intermediate certificates to embed (PEM, several allowed in one file).
    #[arg(long)]
    chain: Option<PathBuf>,
}

impl SignerArgs {
    /// Loads the key and certificates, naming the file at fault in any error.
    pub fn load(&self) -> Result<Box<dyn Signer>, Failure> {
        let read = |p: &Path| std::fs::read(p).map_err(|e| Failure::at(p, e));
        let key = PrivateKey::from_pem_or_der(&read(&self.key)?)
            .map_err(|e| Failure::at(&self.key, e))?;
        let mut certs = load_certificates(&read(&self.cert)?)
            .map_err(|e| Failure::at(&self.cert, e))?
            .into_iter();
        let certificate = certs
            .next()
            .ok_or_else(|| Failure::at(&self.cert, "no certificate found"))?;
        let mut chain: Vec<Vec<u8>> = certs.collect();
        if let Some(path) = &self.chain {
            chain.extend(load_certificates(&read(path)?).map_err(|e| Failure::at(path, e))?);
        }
        let signer = SoftwareSigner::new(key, certificate, chain).map_err(|e| {
            Failure::at(
                &self.key,
                format_args!("{e} (certificate {})", self.cert.display()),
            )
        })?;
        Ok(Box::new(signer))
    }
}
