//! The `kyso` command-line tool: a thin layer over the library.
//!
//! Exit codes: 0 when every signature is valid (or the command succeeded), 1 when some
//! signature is not valid, 2 when kyso could not process the input. Errors are one line on
//! standard error, `kyso: FILE: problem`.

mod inspect;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use kyso::crypto::{load_certificates, PrivateKey};
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
    /// PDFs to verify. A file that cannot be processed is reported on standard error and
    /// left out of the output; the others are still verified (exit code 2).
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

fn parse_time(s: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(s, &Rfc3339).map_err(|e| format!("not an RFC 3339 time ({e})"))
}

/// Why a command could not be carried out: one line that names the file.
struct Failure(String);

impl From<kyso::Error> for Failure {
    fn from(e: kyso::Error) -> Self {
        Failure(e.to_string())
    }
}

impl Failure {
    fn at(path: &Path, e: impl std::fmt::Display) -> Self {
        Failure(format!("{}: {e}", path.display()))
    }

    /// A library error about `file`, prefixed with the file's name unless it names one.
    fn about(file: &Path, e: kyso::Error) -> Self {
        match e {
            kyso::Error::Io { .. }
            | kyso::Error::Pdf { path: Some(_), .. }
            | kyso::Error::Refused { path: Some(_), .. } => Failure::from(e),
            other => Failure::at(file, other),
        }
    }
}

/// Prints `kyso: MESSAGE` as one line on standard error.
fn report_failure(message: &str) {
    let one_line: String = message
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    eprintln!("kyso: {one_line}");
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(Failure(message)) => {
            report_failure(&message);
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    match cli.command {
        Command::Sign(args) => sign(args),
        Command::Verify(args) => verify(args),
        Command::Inspect { file } => {
            emit(&inspect::inspect(&file).map_err(|e| Failure::about(&file, e))?);
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

/// Loads the key and certificates, naming the file at fault in any error.
fn load_signer(a: &SignArgs) -> Result<SoftwareSigner, Failure> {
    let read = |p: &Path| std::fs::read(p).map_err(|e| Failure::at(p, e));
    let key = PrivateKey::from_pem_or_der(&read(&a.key)?).map_err(|e| Failure::at(&a.key, e))?;
    let mut certs = load_certificates(&read(&a.cert)?)
        .map_err(|e| Failure::at(&a.cert, e))?
        .into_iter();
    let certificate = certs
        .next()
        .ok_or_else(|| Failure::at(&a.cert, "no certificate found"))?;
    let mut chain: Vec<Vec<u8>> = certs.collect();
    if let Some(path) = &a.chain {
        chain.extend(load_certificates(&read(path)?).map_err(|e| Failure::at(path, e))?);
    }
    SoftwareSigner::new(key, certificate, chain).map_err(|e| {
        Failure::at(
            &a.key,
            format_args!("{e} (certificate {})", a.cert.display()),
        )
    })
}

fn sign(a: SignArgs) -> Result<ExitCode, Failure> {
    let signer = load_signer(&a)?;
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
    sign_file(&a.input, &a.output, &signer, &opts).map_err(|e| Failure::about(&a.input, e))?;
    eprintln!("signed {} -> {}", a.input.display(), a.output.display());
    Ok(ExitCode::SUCCESS)
}

fn verify(a: VerifyArgs) -> Result<ExitCode, Failure> {
    let mut trust = TrustStore::empty();
    for t in &a.trust {
        trust.add_file(t)?;
    }
    let mut opts = VerifyOptions::new(trust);
    if let Some(t) = a.at {
        opts = opts.validation_time(t);
    }
    let mut reports = Vec::new();
    let mut unprocessed = false;
    for f in &a.files {
        match verify_file(f, &opts) {
            Ok(r) => reports.push(r),
            Err(e) => {
                report_failure(&Failure::about(f, e).0);
                unprocessed = true;
            }
        }
    }
    if a.json {
        // One file: its report as an object; several: an array of those processed.
        let out = match (a.files.len(), reports.first()) {
            (1, Some(r)) => Some(r.to_json()),
            (1, None) => None,
            _ => Some(serde_json::to_string_pretty(&reports).unwrap_or_default()),
        };
        if let Some(out) = out {
            emit(&format!("{out}\n"));
        }
    } else {
        let text: String = reports.iter().map(render_text).collect();
        emit(&text);
    }
    if unprocessed {
        return Ok(ExitCode::from(2));
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
