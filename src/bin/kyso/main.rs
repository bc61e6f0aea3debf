//! The `kyso` command-line tool: a thin layer over the library.
//!
//! Exit codes: 0 when every signature is valid (or the command succeeded), 1 when some
//! signature is not valid, 2 when kyso could not process the input.

mod inspect;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use kyso::pki::TrustStore;
use kyso::report::{render_text, VerificationReport};
use kyso::sign::{sign_file, SignOptions, SubFilter};
use kyso::signer::SoftwareSigner;
use kyso::verify::{verify_file, VerifyOptions};

#[derive(Parser)]
#[command(
    name = "kyso",
    version,
    about = "Sign and verify PDF dossiers with X.509 certificates"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Sign a PDF by incremental update (PAdES B-B by default).
    Sign(SignArgs),
    /// Verify every signature of one or more PDFs.
    Verify(VerifyArgs),
    /// Show a PDF's revisions, signature fields and signatures.
    Inspect {
        /// The PDF.
        file: PathBuf,
    },
    /// Make a demo PKI and a sample dossier, sign it by two officials, verify it.
    Demo {
        /// Directory for the demo files (created; default ./kyso-demo).
        dir: Option<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args)]
struct SignArgs {
    /// Private key: PKCS#8, PKCS#1 RSA or SEC1 EC, PEM or DER.
    #[arg(long)]
    key: PathBuf,
    /// Signer's certificate, PEM or DER.
    #[arg(long)]
    cert: PathBuf,
    /// Intermediate certificates to embed (PEM, several allowed in one file).
    #[arg(long)]
    chain: Option<PathBuf>,
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

#[derive(clap::Args)]
struct VerifyArgs {
    /// Trust anchors: PEM bundle or DER certificate (repeatable).
    #[arg(long)]
    trust: Vec<PathBuf>,
    /// Validation time (RFC 3339), e.g. 2026-11-26T10:00:00+07:00. Default: now.
    #[arg(long, value_parser = parse_time)]
    at: Option<OffsetDateTime>,
    /// Print the report as JSON (an array when several files are given).
    #[arg(long)]
    json: bool,
    /// PDFs to verify.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

fn parse_time(s: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(s, &Rfc3339).map_err(|e| format!("not an RFC 3339 time ({e})"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("kyso: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, kyso::Error> {
    match cli.command {
        Command::Sign(args) => sign(args),
        Command::Verify(args) => verify(args),
        Command::Inspect { file } => {
            emit(&inspect::inspect(&file)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { dir, json } => {
            let dir = dir.unwrap_or_else(|| PathBuf::from("kyso-demo"));
            let outcome = kyso::demo::run(&dir)?;
            let mut text = format!("demo files in {}:\n", outcome.dir.display());
            for p in [
                &outcome.unsigned,
                &outcome.signed_once,
                &outcome.signed_twice,
            ] {
                text.push_str(&format!("  {}\n", p.display()));
            }
            text.push('\n');
            if json {
                text.push_str(&outcome.report.to_json());
                text.push('\n');
            } else {
                text.push_str(&render_text(&outcome.report));
            }
            emit(&text);
            Ok(exit_for(std::slice::from_ref(&outcome.report)))
        }
    }
}

fn sign(a: SignArgs) -> Result<ExitCode, kyso::Error> {
    let signer = SoftwareSigner::from_pem_files(&a.key, &a.cert, a.chain.as_deref())?;
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
    sign_file(&a.input, &a.output, &signer, &opts)?;
    eprintln!("signed {} -> {}", a.input.display(), a.output.display());
    Ok(ExitCode::SUCCESS)
}

fn verify(a: VerifyArgs) -> Result<ExitCode, kyso::Error> {
    let mut trust = TrustStore::empty();
    for t in &a.trust {
        trust.add_file(t)?;
    }
    let mut opts = VerifyOptions::new(trust);
    if let Some(t) = a.at {
        opts = opts.validation_time(t);
    }
    let mut reports = Vec::new();
    for f in &a.files {
        reports.push(verify_file(f, &opts)?);
    }
    if a.json {
        let out = if reports.len() == 1 {
            reports
                .first()
                .map(VerificationReport::to_json)
                .unwrap_or_default()
        } else {
            serde_json::to_string_pretty(&reports).unwrap_or_default()
        };
        emit(&format!("{out}\n"));
    } else {
        let text: String = reports.iter().map(render_text).collect();
        emit(&text);
    }
    Ok(exit_for(&reports))
}

/// Writes to standard output; a closed pipe (`kyso verify … | head`) ends the output quietly
/// instead of failing.
fn emit(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

fn exit_for(reports: &[VerificationReport]) -> ExitCode {
    if reports.iter().all(VerificationReport::all_passed) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
