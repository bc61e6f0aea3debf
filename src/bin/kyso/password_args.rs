//! The password of encrypted PDFs (`--password-file`, `--password-env`, also spelled
//! `--pdf-password-file`, `--pdf-password-env`), one option set for every command that reads
//! or updates PDFs: `verify`, `dossier verify`, `inspect`, `attachments`, `form
//! list|fill|flatten`, `fields add`, `attach`, `ltv`, `timestamp` (`sign`, whose
//! `--password-file` is the PKCS#12 one, takes the `--pdf-` spelling only). Without it, kyso
//! opens encrypted documents with the empty user password. Updates are written encrypted
//! with the document's own key.

use std::path::PathBuf;

use kyso::pdf::Password;

use crate::output::Failure;

/// The user or owner password of encrypted PDFs.
#[derive(clap::Args, Clone, Default)]
pub struct PdfPasswordArgs {
    /// File whose first line is the password of encrypted PDFs (user or owner password;
    /// without one, the empty user password is tried).
    #[arg(
        long = "password-file",
        visible_alias = "pdf-password-file",
        value_name = "FILE",
        conflicts_with = "pdf_password_env",
        help_heading = "Encrypted PDFs"
    )]
    pdf_password_file: Option<PathBuf>,
    /// Environment variable holding the password of encrypted PDFs.
    #[arg(
        long = "password-env",
        visible_alias = "pdf-password-env",
        value_name = "VAR",
        help_heading = "Encrypted PDFs"
    )]
    pdf_password_env: Option<String>,
}

impl PdfPasswordArgs {
    /// The password given, if any.
    pub fn password(&self) -> Result<Option<Password>, Failure> {
        if let Some(file) = &self.pdf_password_file {
            let text = std::fs::read_to_string(file).map_err(|e| Failure::at(file, e))?;
            return Ok(Some(Password::from(
                text.lines().next().unwrap_or_default(),
            )));
        }
        if let Some(var) = &self.pdf_password_env {
            let value = std::env::var(var).map_err(|_| {
                Failure(format!(
                    "environment variable {var} (the password of encrypted PDFs) is not set"
                ))
            })?;
            return Ok(Some(Password::from(value.as_str())));
        }
        Ok(None)
    }
}

/// Opens the PDF at `path` with `password` (then the empty user password).
pub fn open_pdf(
    path: &std::path::Path,
    password: Option<&Password>,
) -> Result<kyso::pdf::Document<kyso::pdf::FileSource>, kyso::Error> {
    use kyso::budget::{DocumentBudget, DocumentMeter};
    let source = kyso::pdf::FileSource::open(path).map_err(|e| kyso::Error::io(path, e))?;
    let meter = DocumentMeter::start(DocumentBudget::default().deadline(None));
    kyso::pdf::Document::open_with_password(source, kyso::pdf::Budget::default(), meter, password)
        .map_err(|e| kyso::Error::from(e).with_path(path))
}

/// The password of an encrypted input for commands whose `--password-file` is a key's
/// (`sign`): `--pdf-password-file`, `--pdf-password-env`.
#[derive(clap::Args, Clone, Default)]
pub struct PdfPasswordWriteArgs {
    /// File whose first line is the password of an encrypted input PDF (user or owner
    /// password; without one, the empty user password is tried).
    #[arg(
        long = "pdf-password-file",
        value_name = "FILE",
        conflicts_with = "pdf_password_env",
        help_heading = "Encrypted PDFs"
    )]
    pdf_password_file: Option<PathBuf>,
    /// Environment variable holding the password of an encrypted input PDF.
    #[arg(
        long = "pdf-password-env",
        value_name = "VAR",
        help_heading = "Encrypted PDFs"
    )]
    pdf_password_env: Option<String>,
}

impl PdfPasswordWriteArgs {
    /// The password given, if any.
    pub fn password(&self) -> Result<Option<Password>, Failure> {
        PdfPasswordArgs {
            pdf_password_file: self.pdf_password_file.clone(),
            pdf_password_env: self.pdf_password_env.clone(),
        }
        .password()
    }
}
