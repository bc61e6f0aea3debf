//! `kyso sign`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use time::OffsetDateTime;

use kyso::sign::{sign_file, SignOptions, SubFilter};

use crate::output::{parse_time, Failure};
use crate::signer_args::SignerArgs;

/// Sign a PDF by incremental update (PAdES B-B by default).
#[derive(clap::Args)]
pub struct SignArgs {
    #[command(flatten)]
    signer: SignerArgs,
    /// `/Reason`.
    #[arg(long)]
    reason: Option<String>,
    /// `/Location`.
    #[arg(long)]
    location: Option<String>,
    /// `/ContactInfo`.
    #[arg(long)]
    contact: Option<String>,
    /// `/Name`.
    #[arg(long)]
    name: Option<String>,
    /// Field to sign: an existing empty signature field, or the name of a new one.
    #[arg(long)]
    field: Option<String>,
    /// Page (1-based) for a new field's widget.
    #[arg(long, default_value_t = 1)]
    page: usize,
    /// Signature format.
    #[arg(long, value_enum, default_value_t = Format::Pades)]
    format: Format,
    /// Signing time (RFC 3339) instead of now.
    #[arg(long, value_parser = parse_time)]
    time: Option<OffsetDateTime>,
    /// The PDF to sign (never modified).
    input: PathBuf,
    /// Where to write the signed PDF.
    #[arg(short, long)]
    output: PathBuf,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// ETSI.CAdES.detached (PAdES baseline B-B).
    Pades,
    /// adbe.pkcs7.detached.
    Pkcs7,
}

pub fn run(a: SignArgs) -> Result<ExitCode, Failure> {
    let signer = a.signer.load()?;
    let mut opts = SignOptions::new().page(a.page).sub_filter(match a.format {
        Format::Pades => SubFilter::Pades,
        Format::Pkcs7 => SubFilter::Pkcs7Detached,
    });
    opts.field_name = a.field;
    opts.reason = a.reason;
    opts.location = a.location;
    opts.contact_info = a.contact;
    opts.name = a.name;
    opts.signing_time = a.time;
    sign_file(&a.input, &a.output, signer.as_ref(), &opts)
        .map_err(|e| Failure::about(&a.input, e))?;
    eprintln!("signed {} -> {}", a.input.display(), a.output.display());
    Ok(ExitCode::SUCCESS)
}
