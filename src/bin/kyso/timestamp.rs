//! `kyso timestamp`: a document timestamp (`/SubFilter /ETSI.RFC3161`) added by incremental
//! update.

use std::path::PathBuf;
use std::process::ExitCode;

use kyso::sign::{timestamp_file, DocTimestampOptions};

use crate::output::Failure;
use crate::tsa_args::TsaArgs;
use crate::writes::{Out, FORCE_HELP};

/// Add a document timestamp (RFC 3161 token over the whole file) by incremental update;
/// earlier signatures stay valid.
#[derive(clap::Args)]
pub struct TimestampArgs {
    /// The PDF (never modified).
    input: PathBuf,
    /// Where to write the timestamped PDF.
    #[arg(short, long)]
    output: PathBuf,
    /// Name of the new field (default: Timestamp1, Timestamp2, …).
    #[arg(long)]
    field: Option<String>,
    #[arg(long, help = FORCE_HELP)]
    force: bool,
    #[command(flatten)]
    tsa: TsaArgs,
    #[command(flatten)]
    password: crate::password_args::PdfPasswordArgs,
}

pub fn run(a: TimestampArgs) -> Result<ExitCode, Failure> {
    let out = Out::named(&a.output, a.force);
    out.check()?;
    let timestamping = a.tsa.timestamping(true)?;
    let mut opts = DocTimestampOptions::new();
    opts.field_name = a.field.clone();
    opts.document_password = a.password.password()?;
    timestamp_file(&a.input, out.target(), &timestamping, &opts)
        .map_err(|e| Failure::about(&a.input, e))?;
    eprintln!(
        "timestamped {} -> {}",
        a.input.display(),
        a.output.display()
    );
    Ok(ExitCode::SUCCESS)
}
