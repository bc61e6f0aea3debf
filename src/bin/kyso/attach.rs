//! `kyso attach`: embed files in a PDF before it is signed.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;

use kyso::attachments::{attach_files, AfRelationship, AttachOptions, Attachment};

use crate::output::Failure;
use crate::writes::{Out, FORCE_HELP};

/// Attach files to a PDF (before signing), by incremental update.
#[derive(clap::Args)]
pub struct AttachArgs {
    /// The PDF (never modified).
    input: PathBuf,
    /// Files to attach; each keeps its file name (Unicode names are kept in /UF).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Where to write the PDF with the attachments.
    #[arg(short, long)]
    output: PathBuf,
    /// How the files relate to the document (/AFRelationship).
    #[arg(long, value_enum, default_value_t = Relationship::Unspecified)]
    relationship: Relationship,
    /// A description (/Desc) for every attached file.
    #[arg(long)]
    description: Option<String>,
    /// MIME type for every attached file (default: guessed from each file's extension).
    #[arg(long)]
    mime_type: Option<String>,
    /// Attach even if the PDF is already signed (verifiers will report the change).
    #[arg(long)]
    allow_signed: bool,
    #[arg(long, help = FORCE_HELP)]
    force: bool,
    #[command(flatten)]
    password: crate::password_args::PdfPasswordArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum Relationship {
    Source,
    Data,
    Alternative,
    Supplement,
    Unspecified,
}

pub fn run(a: AttachArgs) -> Result<ExitCode, Failure> {
    let out = Out::named(&a.output, a.force);
    out.check()?;
    let relationship = match a.relationship {
        Relationship::Source => AfRelationship::Source,
        Relationship::Data => AfRelationship::Data,
        Relationship::Alternative => AfRelationship::Alternative,
        Relationship::Supplement => AfRelationship::Supplement,
        Relationship::Unspecified => AfRelationship::Unspecified,
    };
    let mut attachments = Vec::new();
    for f in &a.files {
        let mut att = Attachment::from_path(f)
            .map_err(|e| Failure::about(f, e))?
            .relationship(relationship);
        if let Some(d) = &a.description {
            att = att.description(d.clone());
        }
        if let Some(m) = &a.mime_type {
            att = att.mime_type(m.clone());
        }
        attachments.push(att);
    }
    let mut opts = AttachOptions::new().allow_signed(a.allow_signed);
    if let Some(p) = a.password.password()? {
        opts = opts.document_password(p);
    }
    attach_files(&a.input, out.target(), &attachments, &opts)
        .map_err(|e| Failure::about(&a.input, e))?;
    eprintln!(
        "attached {} file(s): {} -> {}",
        attachments.len(),
        a.input.display(),
        a.output.display()
    );
    Ok(ExitCode::SUCCESS)
}
